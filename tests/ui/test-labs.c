/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-labs"

#include "config.h"

#include <glib/gstdio.h>

#include <string.h>

#include "ch-demo.h"
#include "ch-document-window.h"
#include "ch-documents.h"
#include "ch-hl7.h"
#include "ch-lab-listener.h"
#include "ch-lab-order-dialog.h"
#include "ch-lab-queue-page.h"
#include "ch-lab-results-page.h"
#include "ch-labs.h"
#include "ch-main-page.h"
#include "ch-mllp.h"
#include "ch-patient-picker.h"
#include "ch-patient-view.h"
#include "ch-patients.h"
#include "ch-preferences-window.h"
#include "ch-store-private.h"
#include "ch-ui.h"
#include "ch-ui-test-util.h"

/* Lab results in the real window: the chart's Labs page (a report's
 * results with their flags in words, a correction with its history, the
 * filter, the embedded PDF), hidden from the front desk; the Lab Review
 * Queue (a message naming nobody known assigned through the patient
 * search, a failed one processed again once its cause is mended, the
 * message log by outcome); the Lab Interface preferences for the office
 * manager only; and the window's listener taking a message over MLLP and a
 * file from the drop folder, saying so, and stopping when locked. */

#define DEMO_PATIENTS 4

typedef struct
{
  char       *dir;
  char       *drop;       /* the drop folder, for the listener */
  ChWindow   *window;
  ChSession  *session;
  GtkWidget  *main_page;
  ChPatientHit patient;   /* a demo patient, as the lab names them */
} Fixture;

/* A port free now, for the listener the window starts. */
static guint
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
sign_in (Fixture    *f,
         const char *username)
{
  f->window = ch_ui_test_window_new (f->dir);
  ch_ui_test_window_sign_in (f->window, username, CH_DEMO_PASSWORD);
  f->session = ch_window_get_session (f->window);
  f->main_page = ch_window_get_main_page (f->window);
  ch_ui_test_spin (20);
}

/* The first demo patient a letter finds, as a lab would name them. */
static void
pick_patient (Fixture *f)
{
  for (char letter = 'a'; letter <= 'z' && f->patient.id == 0; letter++)
    {
      char query[2] = { letter, '\0' };
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) hits = ch_patients_search (f->session, query, DEMO_PATIENTS, &error);

      g_assert_no_error (error);
      if (hits->len > 0)
        {
          const ChPatientHit *hit = g_ptr_array_index (hits, 0);

          f->patient.id = hit->id;
          f->patient.mrn = g_strdup (hit->mrn);
          f->patient.family_name = g_strdup (hit->family_name);
          f->patient.given_name = g_strdup (hit->given_name);
          f->patient.birth_date = g_strdup (hit->birth_date);
        }
    }
  g_assert_cmpint (f->patient.id, >, 0);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = ch_ui_test_make_tmp_dir ();

  f->dir = g_build_filename (tmp, "practice", NULL);
  ch_demo_create (f->dir, DEMO_PATIENTS, 7, NULL, &error);
  g_assert_no_error (error);

  if (g_strcmp0 (data, "listener") == 0 || g_strcmp0 (data, "stranger") == 0)
    {
      /* The office manager switches the listener on first: for the lab's
       * engine here, or (stranger) for one elsewhere. */
      g_autoptr(ChSession) manager = ch_ui_test_login (f->dir, "manager", CH_DEMO_PASSWORD);
      const char *here[] = { "127.0.0.1", NULL };
      const char *elsewhere[] = { "192.0.2.7", NULL };
      ChLabsListenerSettings settings = { .enabled = TRUE, .address = (char *) "127.0.0.1" };

      settings.allowed_senders = (GStrv) (g_strcmp0 (data, "stranger") == 0 ? elsewhere : here);

      f->drop = g_build_filename (tmp, "drop", NULL);
      g_assert_cmpint (g_mkdir (f->drop, 0700), ==, 0);
      settings.port = free_port ();
      settings.folder = f->drop;
      g_assert_true (ch_labs_set_listener_settings (manager, &settings, &error));
      g_assert_no_error (error);
      ch_session_logout (manager);
      data = "doctor";
    }
  sign_in (f, data != NULL ? data : "doctor");
  pick_patient (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->window != NULL)
    ch_ui_test_window_destroy (f->window);
  ch_ui_test_remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->drop);
  g_free (f->patient.mrn);
  g_free (f->patient.family_name);
  g_free (f->patient.given_name);
  g_free (f->patient.birth_date);
}

/* ---- messages ------------------------------------------------------------------- */

/* MSH and PID naming the fixture's patient (or, with @stranger, nobody
 * known). */
static GString *
message_start (Fixture    *f,
               const char *control_id,
               gboolean    stranger)
{
  GString *m = g_string_new (NULL);
  g_autofree char *born = g_strdup (f->patient.birth_date);

  g_string_append_printf (m, "MSH|^~\\&|LIS|ACME LAB|CHARTA|OAKWOOD|20240401120000||ORU^R01|%s|"
                          "P|2.5.1\r", control_id);
  if (stranger)
    g_string_append (m, "PID|1||ZZ99999^^^ACME^MR||Nobody^Known||19010101|F\r");
  else
    {
      /* YYYYMMDD from YYYY-MM-DD. */
      g_autoptr(GString) date = g_string_new (born);

      g_string_replace (date, "-", "", 0);
      g_string_append_printf (m, "PID|1||%s^^^OAKWOOD^MR||%s^%s||%s\r", f->patient.mrn,
                              f->patient.family_name, f->patient.given_name, date->str);
    }
  return m;
}

static GBytes *
glucose (Fixture    *f,
         const char *control_id,
         const char *value,
         const char *flag,
         const char *status,
         const char *note)
{
  GString *m = message_start (f, control_id, FALSE);

  g_string_append_printf (m, "OBR|1|ORD9|FIL9|GLU^Glucose^L|||20240401080000|||||||||||||||"
                          "20240401115900|||%s\r", status);
  g_string_append_printf (m, "OBX|1|NM|2345-7^Glucose^LN||%s|mg/dL|70-99|%s|||%s|||"
                          "20240401080000\r", value, flag, status);
  if (note != NULL)
    g_string_append_printf (m, "NTE|1|L|%s\r", note);
  return g_string_free_to_bytes (m);
}

/* A panel of three, one of them low, and the lab's PDF report. */
static GBytes *
panel_with_pdf (Fixture    *f,
                const char *control_id,
                gboolean    stranger)
{
  GString *m = message_start (f, control_id, stranger);

  g_string_append (m, "OBR|1|ORD450017|0783452219|322758^Lipid Panel^L|||20240317081500|||||||"
                      "||||||||20240318142000|||F\r"
                      "OBX|1|NM|2093-3^Cholesterol, Total^LN||212|mg/dL|100-199|H|||F\r"
                      "OBX|2|NM|2085-9^HDL Cholesterol^LN||32|mg/dL|>39|L|||F\r"
                      "OBX|3|NM|2571-8^Triglycerides^LN||120|mg/dL|0-149|N|||F\r"
                      "OBX|4|ED|PDF^Laboratory report^L||LCS^Application^PDF^Base64^"
                      "JVBERi0xLjQKMSAwIG9iajw8L1R5cGUvQ2F0YWxvZy9QYWdlcyAyIDAgUj4+ZW5kb2JqCjIg"
                      "MCBvYmo8PC9UeXBlL1BhZ2VzL0tpZHNbMyAwIFJdL0NvdW50IDE+PmVuZG9iagozIDAgb2Jq"
                      "PDwvVHlwZS9QYWdlL1BhcmVudCAyIDAgUi9NZWRpYUJveFswIDAgNjEyIDc5Ml0+PmVuZG9i"
                      "agp0cmFpbGVyPDwvUm9vdCAxIDAgUj4+CiUlRU9GCg==||||||F\r");
  return g_string_free_to_bytes (m);
}

static ChLabsOutcome
import (Fixture *f,
        GBytes  *raw,
        gint64  *out_message_id)
{
  g_auto(ChLabsImportResult) result = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (ch_labs_import_message (f->session, raw, CH_LABS_SOURCE_FILE, &result, &error));
  g_assert_no_error (error);
  if (out_message_id != NULL)
    *out_message_id = result.message_id;
  return result.outcome;
}

/* ---- finding widgets ------------------------------------------------------------ */

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_named_id (GtkWidget  *widget,
               const char *prefix,
               gint64      id)
{
  g_autofree char *name = g_strdup_printf ("%s-%" G_GINT64_FORMAT, prefix, id);

  return find_named (widget, name);
}

static const ChLabResult *
find_result (ChLabResultsPage *page,
             const char       *code,
             gboolean          current)
{
  GPtrArray *results = ch_lab_results_page_get_results (page);

  for (guint i = 0; i < results->len; i++)
    {
      const ChLabResult *r = g_ptr_array_index (results, i);

      if (g_strcmp0 (r->code, code) == 0 && r->current == current)
        return r;
    }
  return NULL;
}

static ChPatientView *
open_chart (Fixture *f)
{
  return CH_PATIENT_VIEW (ch_ui_test_open_chart (f->main_page, f->session, f->patient.id));
}

static ChLabResultsPage *
show_labs (Fixture       *f,
           ChPatientView *view)
{
  GtkStack *pages = GTK_STACK (ch_ui_test_child (view, CH_TYPE_PATIENT_VIEW, "pages"));
  ChLabResultsPage *page = CH_LAB_RESULTS_PAGE (ch_ui_test_child (view, CH_TYPE_PATIENT_VIEW,
                                                                  "lab_results_page"));

  g_assert_true (gtk_stack_page_get_visible (gtk_stack_get_page (pages, GTK_WIDGET (page))));
  gtk_stack_set_visible_child_name (pages, "labs");
  CH_UI_TEST_WAIT (ch_lab_results_page_get_loaded (page) && !ch_lab_results_page_get_busy (page) &&
                   !ch_ui_session_is_busy (f->session));
  return page;
}

static ChLabQueuePage *
show_queue (Fixture *f)
{
  ChLabQueuePage *page;

  g_assert_true (gtk_widget_activate_action (f->main_page, "main.show-section", "s", "labs"));
  CH_UI_TEST_WAIT (ch_main_page_get_section_widget (CH_MAIN_PAGE (f->main_page), "labs") != NULL);
  page = CH_LAB_QUEUE_PAGE (ch_main_page_get_section_widget (CH_MAIN_PAGE (f->main_page), "labs"));
  CH_UI_TEST_WAIT (!ch_lab_queue_page_get_busy (page) && !ch_ui_session_is_busy (f->session));
  return page;
}

static gint64
count_audit (Fixture    *f,
             const char *object_type)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM audit WHERE object_type = '%s'",
                                          object_type);
  ChStore *store = ch_session_get_store (f->session);
  sqlite3_stmt *stmt = ch_store_prepare (store, sql, &error);
  gint64 n;

  g_assert_no_error (error);
  g_assert_cmpint (ch_store_step (store, stmt, &error), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

/* ---- the chart's Labs page --------------------------------------------------------- */

static void
test_chart_labs (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) final = glucose (f, "G1", "98", "", "F", NULL);
  g_autoptr(GBytes) corrected = glucose (f, "G2", "189", "HH", "C", "Corrected: sample mislabelled");
  g_autoptr(GBytes) panel = panel_with_pdf (f, "P1", FALSE);
  ChPatientView *view;
  ChLabResultsPage *page;
  const ChLabResult *now, *before, *cholesterol, *hdl, *report;
  GtkWidget *flag, *value, *status, *history, *earlier, *window;
  gint64 audits;

  g_assert_cmpint (import (f, final, NULL), ==, CH_LABS_OUTCOME_IMPORTED);
  g_assert_cmpint (import (f, corrected, NULL), ==, CH_LABS_OUTCOME_IMPORTED);
  g_assert_cmpint (import (f, panel, NULL), ==, CH_LABS_OUTCOME_IMPORTED);

  view = open_chart (f);
  /* Opening the chart reads no lab result; showing the Labs page does,
   * once, whatever the number of rows. */
  audits = count_audit (f, "lab-results");
  page = show_labs (f, view);
  g_assert_cmpint (count_audit (f, "lab-results"), ==, audits + 1);

  /* Glucose (corrected) and the panel's four. */
  g_assert_cmpuint (ch_lab_results_page_get_n_shown (page), ==, 5);

  /* The correction says so, in words, and keeps the earlier value. */
  now = find_result (page, "2345-7", TRUE);
  before = find_result (page, "2345-7", FALSE);
  g_assert_nonnull (now);
  g_assert_nonnull (before);
  value = find_named_id (GTK_WIDGET (page), "value", now->id);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (value)), ==, "189");
  g_assert_true (gtk_widget_has_css_class (value, "lab-critical"));
  flag = find_named_id (GTK_WIDGET (page), "flag", now->id);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (flag)), ==, "Critically high");
  g_assert_true (gtk_widget_has_css_class (flag, "error"));
  status = find_named_id (GTK_WIDGET (page), "status", now->id);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (status)), ==, "Corrected");
  g_assert_nonnull (find_named (GTK_WIDGET (page), "notes"));
  history = find_named_id (GTK_WIDGET (page), "history", now->id);
  g_assert_true (GTK_IS_MENU_BUTTON (history));
  earlier = find_named (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (history))),
                        "history-value");
  g_assert_nonnull (earlier);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (earlier)), "98 mg/dL"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (earlier)), "Final"));
  g_assert_null (find_named_id (GTK_WIDGET (page), "history", before->id));

  /* Abnormal flags in words, normal ones say nothing. */
  cholesterol = find_result (page, "2093-3", TRUE);
  hdl = find_result (page, "2085-9", TRUE);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_named_id (GTK_WIDGET (page), "flag",
                                                                 cholesterol->id))), ==, "High");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_named_id (GTK_WIDGET (page), "flag",
                                                                 hdl->id))), ==, "Low");
  g_assert_true (gtk_widget_has_css_class (find_named_id (GTK_WIDGET (page), "value", hdl->id),
                                           "lab-abnormal"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_named_id (GTK_WIDGET (page), "flag",
                                                                 find_result (page, "2571-8",
                                                                              TRUE)->id))),
                   ==, "");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_named_id (GTK_WIDGET (page), "status",
                                                                 hdl->id))), ==, "Final");

  /* The filter, and abnormal only. */
  ch_lab_results_page_set_filter (page, "GLUC", FALSE);
  g_assert_cmpuint (ch_lab_results_page_get_n_shown (page), ==, 1);
  ch_lab_results_page_set_filter (page, NULL, TRUE);
  g_assert_cmpuint (ch_lab_results_page_get_n_shown (page), ==, 3);
  ch_lab_results_page_set_filter (page, "sodium", FALSE);
  g_assert_cmpuint (ch_lab_results_page_get_n_shown (page), ==, 0);
  ch_lab_results_page_set_filter (page, NULL, FALSE);
  g_assert_cmpuint (ch_lab_results_page_get_n_shown (page), ==, 5);
  /* Filtering reads nothing again. */
  g_assert_cmpint (count_audit (f, "lab-results"), ==, audits + 1);

  /* The lab's PDF opens in the document window. */
  report = find_result (page, "PDF", TRUE);
  g_assert_nonnull (report);
  g_assert_cmpint (report->document_id, >, 0);
  g_assert_nonnull (find_named_id (GTK_WIDGET (page), "value", report->id));
  g_assert_true (gtk_widget_get_sensitive (find_named_id (GTK_WIDGET (page), "value", report->id)));
  window = ch_lab_results_page_open_document (page, report->document_id);
  g_assert_true (CH_IS_DOCUMENT_WINDOW (window));
  CH_UI_TEST_WAIT (ch_document_window_get_ready (CH_DOCUMENT_WINDOW (window)));
  gtk_window_destroy (GTK_WINDOW (window));
  /* Not a document of these results: nothing opens. */
  g_assert_null (ch_lab_results_page_open_document (page, report->document_id + 1000));
  CH_UI_TEST_WAIT (!ch_ui_session_is_busy (f->session));

  /* Ordering is for clinicians who write: the doctor may. The order
   * dialog says whose chart it orders for. */
  {
    GtkWidget *order = GTK_WIDGET (ch_ui_test_child (page, CH_TYPE_LAB_RESULTS_PAGE,
                                                     "order_button"));
    GtkWindow *dialog;
    AdwWindowTitle *title;

    g_assert_true (gtk_widget_get_sensitive (order));
    gtk_widget_activate (order);
    CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (CH_TYPE_LAB_ORDER_DIALOG, NULL) != NULL);
    dialog = ch_ui_test_find_toplevel (CH_TYPE_LAB_ORDER_DIALOG, NULL);
    title = ADW_WINDOW_TITLE (ch_ui_test_child (dialog, CH_TYPE_LAB_ORDER_DIALOG, "window_title"));
    g_assert_nonnull (strstr (adw_window_title_get_subtitle (title), f->patient.mrn));
    gtk_window_destroy (dialog);
  }
}

/* The front desk sees the chart's documents, not its lab results. */
static void
test_chart_labs_front_desk (Fixture       *f,
                            gconstpointer  data)
{
  ChPatientView *view = open_chart (f);
  GtkStack *pages = GTK_STACK (ch_ui_test_child (view, CH_TYPE_PATIENT_VIEW, "pages"));
  ChLabResultsPage *page = CH_LAB_RESULTS_PAGE (ch_ui_test_child (view, CH_TYPE_PATIENT_VIEW,
                                                                  "lab_results_page"));
  g_auto(GStrv) sections = ch_main_page_dup_sections (CH_MAIN_PAGE (f->main_page));

  g_assert_false (gtk_stack_page_get_visible (gtk_stack_get_page (pages, GTK_WIDGET (page))));
  g_assert_false (ch_lab_results_page_get_loaded (page));
  g_assert_false (ch_ui_test_strv_contains (sections, "labs"));
}

/* ---- the review queue ------------------------------------------------------------- */

static void
test_queue_assign (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) raw = panel_with_pdf (f, "Q1", TRUE);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  ChLabQueuePage *page;
  ChLabMessage *waiting;
  AdwMessageDialog *dialog;
  ChPatientPicker *picker;
  gint64 message_id = 0;

  g_assert_cmpint (import (f, raw, &message_id), ==, CH_LABS_OUTCOME_QUEUED);

  page = show_queue (f);
  g_assert_cmpuint (ch_lab_queue_page_get_waiting (page)->len, ==, 1);
  waiting = g_ptr_array_index (ch_lab_queue_page_get_waiting (page), 0);
  g_assert_cmpint (waiting->id, ==, message_id);
  g_assert_cmpstr (waiting->patient_name, ==, "Nobody^Known");
  g_assert_cmpstr (waiting->sending_facility, ==, "ACME LAB");
  g_assert_nonnull (find_named_id (GTK_WIDGET (page), "message", message_id));

  /* Assigned through the patient search, started with the name sent. */
  dialog = ADW_MESSAGE_DIALOG (ch_lab_queue_page_assign (page, message_id));
  g_assert_nonnull (dialog);
  picker = CH_PATIENT_PICKER (adw_message_dialog_get_extra_child (dialog));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ch_patient_picker_get_entry (picker))), ==,
                   "Nobody");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "assign"));
  ch_patient_picker_set_patient (picker, f->patient.id, "Test patient");
  g_signal_emit_by_name (picker, "patient-chosen");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "assign"));
  ch_ui_test_respond (dialog, "assign");
  ch_ui_test_spin (50);
  CH_UI_TEST_WAIT (!ch_lab_queue_page_get_busy (page) && !ch_ui_session_is_busy (f->session) &&
                   ch_lab_queue_page_get_waiting (page)->len == 0);
  g_assert_null (ch_lab_queue_page_get_error (page));

  results = ch_labs_list_results (f->session, f->patient.id, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 4);

  /* The log by outcome: the message is filed now. */
  ch_lab_queue_page_set_log_filter (page, "imported");
  g_assert_cmpuint (ch_lab_queue_page_get_n_log_shown (page), ==, 1);
  ch_lab_queue_page_set_log_filter (page, "queued");
  g_assert_cmpuint (ch_lab_queue_page_get_n_log_shown (page), ==, 0);
  ch_lab_queue_page_set_log_filter (page, NULL);
  g_assert_cmpuint (ch_lab_queue_page_get_n_log_shown (page), ==, 1);

  /* Assigned, it is the chart's: the chart's Labs page shows it. */
  g_assert_cmpuint (ch_lab_results_page_get_n_shown (show_labs (f, open_chart (f))), ==, 4);
}

/* A message that failed midway (the document store could not be written)
 * waits with its reason; processed again while the cause remains, it says
 * so in place and keeps waiting; once mended, it is filed. */
static void
test_queue_reprocess (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) raw = panel_with_pdf (f, "F1", FALSE);
  g_autofree char *docs = ch_documents_dir (f->session);
  g_autofree char *aside = g_strconcat (docs, ".aside", NULL);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  ChLabQueuePage *page;
  ChLabMessage *waiting;
  gint64 message_id = 0;

  g_mkdir_with_parents (docs, 0700);
  g_assert_cmpint (g_rename (docs, aside), ==, 0);
  g_assert_true (g_file_set_contents (docs, "in the way", -1, NULL));
  g_assert_cmpint (import (f, raw, &message_id), ==, CH_LABS_OUTCOME_FAILED);

  page = show_queue (f);
  g_assert_cmpuint (ch_lab_queue_page_get_waiting (page)->len, ==, 1);
  waiting = g_ptr_array_index (ch_lab_queue_page_get_waiting (page), 0);
  g_assert_cmpint (waiting->id, ==, message_id);
  g_assert_cmpstr (waiting->outcome, ==, "error");

  /* Still broken: said in place, nothing stored, still waiting. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "queue.reprocess", "x",
                                             message_id));
  ch_ui_test_spin (50);
  CH_UI_TEST_WAIT (!ch_lab_queue_page_get_busy (page) && !ch_ui_session_is_busy (f->session));
  g_assert_nonnull (ch_lab_queue_page_get_error (page));
  g_assert_nonnull (strstr (ch_lab_queue_page_get_error (page), "could not be filed"));
  g_assert_cmpuint (ch_lab_queue_page_get_waiting (page)->len, ==, 1);
  results = ch_labs_list_results (f->session, f->patient.id, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 0);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* Mended. */
  g_assert_cmpint (g_unlink (docs), ==, 0);
  g_assert_cmpint (g_rename (aside, docs), ==, 0);
  ch_lab_queue_page_reprocess (page, message_id);
  ch_ui_test_spin (50);
  CH_UI_TEST_WAIT (!ch_lab_queue_page_get_busy (page) && !ch_ui_session_is_busy (f->session) &&
                   ch_lab_queue_page_get_waiting (page)->len == 0);
  g_assert_null (ch_lab_queue_page_get_error (page));
  results = ch_labs_list_results (f->session, f->patient.id, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 4);

  /* Filed now: neither assigned nor processed again. */
  g_assert_null (ch_lab_queue_page_assign (page, message_id));
}

/* ---- preferences ------------------------------------------------------------------ */

static void
test_preferences (Fixture       *f,
                  gconstpointer  data)
{
  GtkWindow *preferences;
  GObject *group, *port_row, *address_row, *folder_row, *senders_row, *labs_switch;
  g_autoptr(ChLabsListenerSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = ch_ui_test_make_tmp_dir ();

  ch_window_show_preferences (f->window);
  preferences = ch_ui_test_find_toplevel (CH_TYPE_PREFERENCES_WINDOW, GTK_WINDOW (f->window));
  g_assert_nonnull (preferences);
  group = ch_ui_test_child (preferences, CH_TYPE_PREFERENCES_WINDOW, "labs_group");

  if (g_strcmp0 (data, "doctor") == 0)
    {
      ChLabsListenerSettings mine = { .enabled = TRUE, .port = 2575 };

      g_assert_false (gtk_widget_get_visible (GTK_WIDGET (group)));
      gtk_window_destroy (preferences);
      /* Hidden, and refused by the controller anyway. */
      g_assert_false (ch_labs_set_listener_settings (f->session, &mine, &error));
      g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
      return;
    }

  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (group)));
  port_row = ch_ui_test_child (preferences, CH_TYPE_PREFERENCES_WINDOW, "labs_port_row");
  senders_row = ch_ui_test_child (preferences, CH_TYPE_PREFERENCES_WINDOW, "labs_senders_row");
  address_row = ch_ui_test_child (preferences, CH_TYPE_PREFERENCES_WINDOW, "labs_address_row");
  folder_row = ch_ui_test_child (preferences, CH_TYPE_PREFERENCES_WINDOW, "labs_folder_row");
  labs_switch = ch_ui_test_child (preferences, CH_TYPE_PREFERENCES_WINDOW, "labs_switch");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (port_row)), ==, "2575");
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (labs_switch)));

  ch_ui_test_set_text (port_row, "6661");
  ch_ui_test_set_text (address_row, "127.0.0.1");
  ch_ui_test_set_text (folder_row, tmp);
  ch_ui_test_set_text (senders_row, "192.0.2.7, 2001:db8::5");
  gtk_switch_set_active (GTK_SWITCH (labs_switch), TRUE);
  g_signal_emit_by_name (port_row, "apply");

  settings = ch_labs_get_listener_settings (f->session, &error);
  g_assert_no_error (error);
  g_assert_true (settings->enabled);
  g_assert_cmpuint (settings->port, ==, 6661);
  g_assert_cmpstr (settings->address, ==, "127.0.0.1");
  g_assert_cmpstr (settings->folder, ==, tmp);
  g_assert_cmpuint (g_strv_length (settings->allowed_senders), ==, 2);
  g_assert_cmpstr (settings->allowed_senders[1], ==, "2001:db8::5");
  g_clear_pointer (&settings, ch_labs_listener_settings_free);

  /* Refused, and the stored values shown again. */
  ch_ui_test_set_text (port_row, "70000");
  g_signal_emit_by_name (port_row, "apply");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (port_row)), ==, "6661");
  ch_ui_test_set_text (address_row, "not an address");
  g_signal_emit_by_name (address_row, "apply");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (address_row)), ==, "127.0.0.1");
  ch_ui_test_set_text (folder_row, "relative/folder");
  g_signal_emit_by_name (folder_row, "apply");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (folder_row)), ==, tmp);
  ch_ui_test_set_text (folder_row, "/no/such/folder/here");
  g_signal_emit_by_name (folder_row, "apply");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (folder_row)), ==, tmp);
  ch_ui_test_set_text (senders_row, "lab.example.org");
  g_signal_emit_by_name (senders_row, "apply");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (senders_row)), ==,
                   "192.0.2.7, 2001:db8::5");

  settings = ch_labs_get_listener_settings (f->session, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (settings->port, ==, 6661);
  g_assert_cmpstr (settings->folder, ==, tmp);
  gtk_window_destroy (preferences);
  ch_ui_test_remove_dir (tmp);
}

/* ---- the window's listener ----------------------------------------------------- */

typedef struct
{
  guint16  port;
  GBytes  *message;
  GBytes  *ack;
  GError  *error;
  gboolean done;
} Send;

static gpointer
send_thread (gpointer data)
{
  Send *send = data;

  send->ack = ch_mllp_send ("127.0.0.1", send->port, send->message, 20, NULL, &send->error);
  g_atomic_int_set (&send->done, TRUE);
  return NULL;
}

/* Sends @message to the window's listener as a lab would, on a thread,
 * while the window's main loop runs; returns the acknowledgement. */
static char *
send_while_iterating (guint16  port,
                      GBytes  *message)
{
  Send send = { .port = port, .message = message };
  GThread *thread = g_thread_new ("mllp-client", send_thread, &send);
  char *ack;

  CH_UI_TEST_WAIT (g_atomic_int_get (&send.done));
  g_thread_join (thread);
  g_assert_no_error (send.error);
  ack = g_strndup (g_bytes_get_data (send.ack, NULL), g_bytes_get_size (send.ack));
  g_bytes_unref (send.ack);
  return ack;
}

static void
test_window_listener (Fixture       *f,
                      gconstpointer  data)
{
  ChLabListener *listener = ch_lab_listener_get_for (f->main_page);
  g_autoptr(GBytes) filed = glucose (f, "M1", "250", "H", "F", NULL);
  g_autoptr(GBytes) stranger = panel_with_pdf (f, "M2", TRUE);
  g_autoptr(GBytes) garbage = g_bytes_new_static ("this is no HL7", 14);
  g_autoptr(GBytes) dropped = panel_with_pdf (f, "D1", FALSE);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ack = NULL;
  g_autofree char *path = NULL;
  g_autofree char *processed = NULL;
  ChLabQueuePage *queue;
  ChLabResultsPage *labs;
  guint16 port;

  g_assert_nonnull (listener);
  port = ch_lab_listener_get_port (listener);
  g_assert_cmpuint (port, >, 0);
  g_assert_cmpstr (ch_lab_listener_get_folder (listener), ==, f->drop);

  /* The chart is open on its Labs page as results come in. */
  labs = show_labs (f, open_chart (f));
  g_assert_cmpuint (ch_lab_results_page_get_n_shown (labs), ==, 0);

  ack = send_while_iterating (port, filed);
  g_assert_nonnull (strstr (ack, "MSA|AA|M1"));
  g_clear_pointer (&ack, g_free);
  ack = send_while_iterating (port, stranger);
  g_assert_nonnull (strstr (ack, "MSA|AA|M2"));
  g_clear_pointer (&ack, g_free);
  ack = send_while_iterating (port, garbage);
  /* Not HL7 at all: logged, and refused. */
  g_assert_nonnull (strstr (ack, "MSA|AR"));

  /* One word for the burst; the open chart shows the new result. */
  CH_UI_TEST_WAIT (ch_lab_listener_get_last_word (listener) != NULL);
  g_assert_cmpstr (ch_lab_listener_get_last_word (listener), ==,
                   "1 lab result filed; 1 waits in the review queue; 1 was rejected");
  CH_UI_TEST_WAIT (!ch_lab_results_page_get_busy (labs) && !ch_ui_session_is_busy (f->session) &&
                   ch_lab_results_page_get_n_shown (labs) == 1);

  /* The queue shows the stranger's results waiting. */
  queue = show_queue (f);
  g_assert_cmpuint (ch_lab_queue_page_get_waiting (queue)->len, ==, 1);
  g_assert_cmpstr (((ChLabMessage *) g_ptr_array_index (ch_lab_queue_page_get_waiting (queue),
                                                        0))->control_id, ==, "M2");

  /* A file in the drop folder is filed and moved to processed/. */
  path = g_build_filename (f->drop, "d1.hl7", NULL);
  processed = g_build_filename (f->drop, "processed", "d1.hl7", NULL);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (dropped, NULL),
                                      g_bytes_get_size (dropped), NULL));
  CH_UI_TEST_WAIT (g_file_test (processed, G_FILE_TEST_EXISTS));
  CH_UI_TEST_WAIT (ch_lab_listener_get_n_received (listener) == 4 &&
                   g_strcmp0 (ch_lab_listener_get_last_word (listener), "1 lab result filed") == 0);
  CH_UI_TEST_WAIT (!ch_ui_session_is_busy (f->session));
  results = ch_labs_list_results (f->session, f->patient.id, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 5);

  /* Locked, nothing listens. */
  g_object_add_weak_pointer (G_OBJECT (listener), (gpointer *) &listener);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.lock", NULL));
  CH_UI_TEST_WAIT (listener == NULL);
  {
    g_autoptr(GSocketClient) client = g_socket_client_new ();
    g_autoptr(GSocketConnection) connection = g_socket_client_connect_to_host (client, "127.0.0.1",
                                                                               port, NULL, &error);

    g_assert_null (connection);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  }
}

/* A sender the practice did not name is not answered, and nothing of what
 * it sent is kept. */
static void
test_window_listener_stranger (Fixture       *f,
                               gconstpointer  data)
{
  ChLabListener *listener = ch_lab_listener_get_for (f->main_page);
  g_autoptr(GBytes) raw = glucose (f, "S1", "250", "H", "F", NULL);
  g_autoptr(GPtrArray) log = NULL;
  g_autoptr(GError) error = NULL;
  Send send = { .message = raw };
  GThread *thread;

  g_assert_nonnull (listener);
  send.port = ch_lab_listener_get_port (listener);
  thread = g_thread_new ("mllp-client", send_thread, &send);
  CH_UI_TEST_WAIT (g_atomic_int_get (&send.done));
  g_thread_join (thread);
  g_assert_null (send.ack);
  g_assert_nonnull (send.error);
  g_clear_error (&send.error);

  ch_ui_test_spin (100);
  g_assert_cmpuint (ch_lab_listener_get_n_received (listener), ==, 0);
  log = ch_labs_list_messages (f->session, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

  g_test_add ("/ui/labs/chart", Fixture, NULL, fixture_set_up, test_chart_labs,
              fixture_tear_down);
  g_test_add ("/ui/labs/chart-front-desk", Fixture, "frontdesk", fixture_set_up,
              test_chart_labs_front_desk, fixture_tear_down);
  g_test_add ("/ui/labs/queue-assign", Fixture, NULL, fixture_set_up, test_queue_assign,
              fixture_tear_down);
  g_test_add ("/ui/labs/queue-reprocess", Fixture, NULL, fixture_set_up, test_queue_reprocess,
              fixture_tear_down);
  g_test_add ("/ui/labs/preferences-manager", Fixture, "manager", fixture_set_up,
              test_preferences, fixture_tear_down);
  g_test_add ("/ui/labs/preferences-doctor", Fixture, "doctor", fixture_set_up,
              test_preferences, fixture_tear_down);
  g_test_add ("/ui/labs/window-listener", Fixture, "listener", fixture_set_up,
              test_window_listener, fixture_tear_down);
  g_test_add ("/ui/labs/window-listener-stranger", Fixture, "stranger", fixture_set_up,
              test_window_listener_stranger, fixture_tear_down);

  return g_test_run ();
}
