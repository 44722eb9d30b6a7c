/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-patients"

#include "config.h"

#include <string.h>

#include "ch-demo.h"
#include "ch-main-page.h"
#include "ch-patient-dialog.h"
#include "ch-patient-history.h"
#include "ch-patient-list-model.h"
#include "ch-patient-view.h"
#include "ch-patients-page.h"
#include "ch-patients.h"
#include "ch-policy-dialog.h"
#include "ch-ui.h"
#include "ch-ui-test-util.h"

/* The patients area of the real window over a demo practice: finding,
 * opening, registering, changing and insuring patients, driven through the
 * widgets' actions, checked against what the controller then holds. */

#define DEMO_PATIENTS 30

typedef struct
{
  char           *dir;
  ChWindow       *window;
  ChSession      *session;
  ChPatientsPage *page;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = ch_ui_test_make_tmp_dir ();
  GtkWidget *main_page;

  f->dir = g_build_filename (tmp, "practice", NULL);
  ch_demo_create (f->dir, DEMO_PATIENTS, 7, NULL, &error);
  g_assert_no_error (error);

  f->window = ch_ui_test_window_new (f->dir);
  ch_ui_test_window_sign_in (f->window, data != NULL ? data : "frontdesk", CH_DEMO_PASSWORD);
  f->session = ch_window_get_session (f->window);

  main_page = ch_window_get_main_page (f->window);
  g_assert_cmpstr (ch_main_page_get_visible_section (CH_MAIN_PAGE (main_page)), ==, "patients");
  CH_UI_TEST_WAIT (ch_main_page_get_section_widget (CH_MAIN_PAGE (main_page), "patients") != NULL);
  f->page = CH_PATIENTS_PAGE (ch_main_page_get_section_widget (CH_MAIN_PAGE (main_page),
                                                               "patients"));
  ch_ui_test_spin (20);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ch_ui_test_window_destroy (f->window);
  ch_ui_test_remove_dir (f->dir);
  g_free (f->dir);
}

static GObject *
page_child (Fixture    *f,
            const char *name)
{
  return ch_ui_test_child (f->page, CH_TYPE_PATIENTS_PAGE, name);
}

static ChPatientView *
view (Fixture *f)
{
  return CH_PATIENT_VIEW (ch_patients_page_get_patient_view (f->page));
}

static GObject *
view_child (Fixture    *f,
            const char *name)
{
  return ch_ui_test_child (view (f), CH_TYPE_PATIENT_VIEW, name);
}

static GListModel *
results (Fixture *f)
{
  GListModel *list = ch_patients_page_get_results (f->page);

  g_assert_nonnull (list);
  return list;
}

static gint64
result_id (Fixture *f,
           guint    position)
{
  g_autoptr(ChPatientItem) item = g_list_model_get_item (results (f), position);

  g_assert_nonnull (item);
  return ch_patient_item_get_id (item);
}

/* Types @text into the search field as a person would, and waits for the
 * list to show its answer. */
static void
search (Fixture    *f,
        const char *text)
{
  ch_ui_test_set_text (page_child (f, "search_entry"), text);
  CH_UI_TEST_WAIT (g_strcmp0 (ch_patient_list_model_get_query (CH_PATIENT_LIST_MODEL (results (f))),
                              text) == 0);
  ch_ui_test_spin (20);
}

static GPtrArray *
controller_search (Fixture    *f,
                   const char *query)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *hits = ch_patients_search (f->session, query, 100, &error);

  g_assert_no_error (error);
  return hits;
}

static void
wait_patient_shown (Fixture *f,
                    gint64   id)
{
  CH_UI_TEST_WAIT (!ch_patients_page_get_busy (f->page) &&
                   g_strcmp0 (ch_patients_page_get_visible (f->page), "patient") == 0 &&
                   ch_patient_view_get_record (view (f)) != NULL &&
                   ch_patient_view_get_record (view (f))->id == id);
  /* The view's pages (chart, notes, documents) read on the session's worker
   * one after the other; the window's commands wait for them. */
  CH_UI_TEST_WAIT (!ch_ui_session_is_busy (f->session));
  ch_ui_test_spin (20);
}

/* A patient registered through the controller, for the tests that start
 * from one. */
static gint64
register_patient (Fixture    *f,
                  const char *family,
                  const char *given,
                  const char *birth_date,
                  const char *city)
{
  g_autoptr(ChPatientRecord) record = ch_patient_record_new ();
  g_autoptr(GError) error = NULL;

  record->family_name = g_strdup (family);
  record->given_name = g_strdup (given);
  record->birth_date = g_strdup (birth_date);
  record->sex = g_strdup ("female");
  record->city = g_strdup (city);
  g_assert_true (ch_patients_register (f->session, record, &error));
  g_assert_no_error (error);

  return record->id;
}

static void
open_patient (Fixture *f,
              gint64   id)
{
  ch_patients_page_open_patient (f->page, id);
  wait_patient_shown (f, id);
}

static ChPatientDialog *
open_patient_dialog (Fixture    *f,
                     const char *action)
{
  ChPatientDialog *dialog;

  /* The commands wait while a worker has the session. */
  CH_UI_TEST_WAIT (!ch_ui_session_is_busy (f->session));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), action, NULL));
  ch_ui_test_spin (20);
  dialog = CH_PATIENT_DIALOG (ch_ui_test_find_toplevel (CH_TYPE_PATIENT_DIALOG,
                                                        GTK_WINDOW (f->window)));
  g_assert_nonnull (dialog);

  return dialog;
}

static GObject *
field (gpointer    dialog,
       GType       type,
       const char *name)
{
  return ch_ui_test_child (dialog, type, name);
}

static void
fill (ChPatientDialog *dialog,
      const char      *name,
      const char      *text)
{
  ch_ui_test_set_text (field (dialog, CH_TYPE_PATIENT_DIALOG, name), text);
}

/* Activates @action of @window; returns whether the window closed. */
static gboolean
run_dialog_action (gpointer     window,
                   const char  *action,
                   gboolean   (*get_busy) (gpointer))
{
  GtkWidget *dialog = window;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (gtk_widget_activate_action (dialog, action, NULL));
  CH_UI_TEST_WAIT (dialog == NULL || !get_busy (dialog));
  ch_ui_test_spin (20);

  if (dialog == NULL)
    return TRUE;

  g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  return FALSE;
}

static gboolean
patient_dialog_action (ChPatientDialog *dialog,
                       const char      *action)
{
  return run_dialog_action (dialog, action, (gboolean (*) (gpointer)) ch_patient_dialog_get_busy);
}

/* Typing finds the patient first in the list; Enter opens them; going back
 * keeps what was typed; an empty field then lists them as recent. */
static void
test_patients_search_and_open (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GPtrArray) hits = NULL;
  GtkWidget *entry = GTK_WIDGET (page_child (f, "search_entry"));
  GtkWidget *heading = GTK_WIDGET (page_child (f, "heading_label"));
  GtkStack *results_stack = GTK_STACK (page_child (f, "results_stack"));
  const ChPatientRecord *shown;
  AdwStatusPage *no_match;
  GtkWidget *focus;
  gint64 id;

  /* Nobody opened yet: no recent patients, and a word on what to do. */
  g_assert_cmpuint (g_list_model_get_n_items (results (f)), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (results_stack), ==, "no-recent");

  id = register_patient (f, "Zabriskie", "Quentin", "1971-04-03", "Springfield");

  search (f, "zabr");
  hits = controller_search (f, "zabr");
  g_assert_cmpuint (hits->len, >=, 1);
  g_assert_cmpint (((ChPatientHit *) g_ptr_array_index (hits, 0))->id, ==, id);
  g_assert_cmpuint (g_list_model_get_n_items (results (f)), ==, hits->len);
  g_assert_cmpint (result_id (f, 0), ==, id);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (results_stack), ==, "list");
  g_assert_false (gtk_widget_get_visible (heading));

  /* Nothing matches: said so, with the words typed. */
  search (f, "zzqx");
  g_assert_cmpuint (g_list_model_get_n_items (results (f)), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (results_stack), ==, "no-match");
  no_match = ADW_STATUS_PAGE (page_child (f, "no_match_page"));
  g_assert_nonnull (strstr (adw_status_page_get_title (no_match), "zzqx"));

  /* Enter in the search field opens the first match. */
  search (f, "zabriskie quen");
  g_assert_cmpint (result_id (f, 0), ==, id);
  g_signal_emit_by_name (entry, "activate");
  wait_patient_shown (f, id);

  shown = ch_patient_view_get_record (view (f));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (view_child (f, "summary_label"))),
                            shown->mrn));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (view_child (f, "name_label"))), ==,
                   "Zabriskie, Quentin");

  /* Back keeps the query and its list. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "patients.back", NULL));
  g_assert_cmpstr (ch_patients_page_get_visible (f->page), ==, "search");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "zabriskie quen");
  g_assert_cmpint (result_id (f, 0), ==, id);
  g_assert_null (ch_patient_view_get_record (view (f)));

  /* An empty field lists the patient just opened, under a heading. */
  search (f, "");
  g_assert_cmpuint (g_list_model_get_n_items (results (f)), ==, 1);
  g_assert_cmpint (result_id (f, 0), ==, id);
  g_assert_true (gtk_widget_get_visible (heading));

  /* Activating a row opens it too; the search shortcut comes back. */
  g_signal_emit_by_name (page_child (f, "list_view"), "activate", 0);
  wait_patient_shown (f, id);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "patients.focus-search", NULL));
  g_assert_cmpstr (ch_patients_page_get_visible (f->page), ==, "search");
  focus = gtk_root_get_focus (GTK_ROOT (f->window));
  g_assert_true (focus != NULL && (focus == entry || gtk_widget_is_ancestor (focus, entry)));
}

/* Down and Up in the search field walk the list; Enter opens the row
 * chosen, not the first. */
static void
test_patients_keyboard (Fixture       *f,
                        gconstpointer  data)
{
  GtkSingleSelection *selection = GTK_SINGLE_SELECTION (page_child (f, "selection"));
  gint64 second;

  register_patient (f, "Keyes", "Anna", "1980-01-01", NULL);
  register_patient (f, "Keyes", "Bruno", "1981-01-01", NULL);

  search (f, "keyes");
  g_assert_cmpuint (g_list_model_get_n_items (results (f)), ==, 2);
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 0);

  g_signal_emit_by_name (page_child (f, "search_entry"), "next-match");
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 1);
  g_signal_emit_by_name (page_child (f, "search_entry"), "next-match");
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 1);
  g_signal_emit_by_name (page_child (f, "search_entry"), "previous-match");
  g_signal_emit_by_name (page_child (f, "search_entry"), "next-match");

  second = result_id (f, 1);
  g_signal_emit_by_name (page_child (f, "search_entry"), "activate");
  wait_patient_shown (f, second);
}

/* While a worker holds the session, typing waits: the query runs once the
 * gate opens, never beside the worker. */
static void
test_patients_search_waits_for_gate (Fixture       *f,
                                     gconstpointer  data)
{
  gint64 id = register_patient (f, "Gatewood", "Iris", "1966-06-06", NULL);
  ChPatientListModel *model = CH_PATIENT_LIST_MODEL (results (f));

  ch_patients_page_open_patient (f->page, id);
  g_assert_true (ch_ui_session_is_busy (f->session));

  gtk_editable_set_text (GTK_EDITABLE (page_child (f, "search_entry")), "gatewood");
  g_signal_emit_by_name (page_child (f, "search_entry"), "search-changed");
  g_assert_cmpstr (ch_patient_list_model_get_query (model), ==, "");

  wait_patient_shown (f, id);
  CH_UI_TEST_WAIT (g_strcmp0 (ch_patient_list_model_get_query (model), "gatewood") == 0);
  g_assert_cmpint (result_id (f, 0), ==, id);
}

/* The list holds a page of matches and fetches the next one when scrolled
 * to its end. */
static void
test_patients_load_more (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  GtkScrolledWindow *scroller;
  GtkAdjustment *adjustment;
  guint first_page;

  records = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_patient_record_free);
  for (guint i = 0; i < 70; i++)
    {
      ChPatientRecord *record = ch_patient_record_new ();

      record->family_name = g_strdup ("Pagewright");
      record->given_name = g_strdup_printf ("Number %02u", i);
      g_ptr_array_add (records, record);
    }
  g_assert_true (ch_patients_register_many (f->session, records, &error));
  g_assert_no_error (error);

  search (f, "pagewright");
  first_page = g_list_model_get_n_items (results (f));
  g_assert_cmpuint (first_page, <, 70);
  g_assert_true (ch_patient_list_model_get_has_more (CH_PATIENT_LIST_MODEL (results (f))));

  scroller = GTK_SCROLLED_WINDOW (page_child (f, "scroller"));
  adjustment = gtk_scrolled_window_get_vadjustment (scroller);
  CH_UI_TEST_WAIT (gtk_adjustment_get_upper (adjustment) >
                   gtk_adjustment_get_page_size (adjustment));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  CH_UI_TEST_WAIT (g_list_model_get_n_items (results (f)) == 70);
  g_assert_false (ch_patient_list_model_get_has_more (CH_PATIENT_LIST_MODEL (results (f))));
}

/* Registration checks for duplicates first and saves only when told to;
 * the new patient is then open. */
static void
test_patients_register (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) hits = NULL;
  ChPatientDialog *dialog;
  const ChPatientHit *hit;
  gint64 first_id;

  dialog = open_patient_dialog (f, "patients.new");
  fill (dialog, "family_row", "Okonkwo");
  fill (dialog, "given_row", "Adaeze");
  fill (dialog, "birth_date_row", "1990-02-14");
  fill (dialog, "phone_row", "555-0142");
  g_assert_true (patient_dialog_action (dialog, "patient-dialog.save"));

  hits = controller_search (f, "okonkwo");
  g_assert_cmpuint (hits->len, ==, 1);
  hit = g_ptr_array_index (hits, 0);
  g_assert_cmpstr (hit->given_name, ==, "Adaeze");
  g_assert_cmpstr (hit->birth_date, ==, "1990-02-14");
  g_assert_cmpstr (hit->phone, ==, "555-0142");
  first_id = hit->id;
  wait_patient_shown (f, first_id);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* The same name and date of birth: shown as a possible duplicate, and
   * nothing saved until the user says so. */
  dialog = open_patient_dialog (f, "patients.new");
  fill (dialog, "family_row", "Okonkwo");
  fill (dialog, "given_row", "Adaeze");
  fill (dialog, "birth_date_row", "1990-02-14");
  g_assert_false (patient_dialog_action (dialog, "patient-dialog.save"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (field (dialog, CH_TYPE_PATIENT_DIALOG,
                                                            "duplicates_box"))));
  g_assert_nonnull (gtk_list_box_get_row_at_index (GTK_LIST_BOX (field (dialog,
                                                                        CH_TYPE_PATIENT_DIALOG,
                                                                        "duplicates_list")),
                                                   0));
  hits = controller_search (f, "okonkwo");
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* Saving again asks again. */
  g_assert_false (patient_dialog_action (dialog, "patient-dialog.save"));
  hits = controller_search (f, "okonkwo");
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);

  g_assert_true (patient_dialog_action (dialog, "patient-dialog.register-anyway"));
  hits = controller_search (f, "okonkwo");
  g_assert_cmpuint (hits->len, ==, 2);
  g_clear_pointer (&hits, g_ptr_array_unref);
  CH_UI_TEST_WAIT (!ch_patients_page_get_busy (f->page) &&
                   ch_patient_view_get_record (view (f)) != NULL &&
                   ch_patient_view_get_record (view (f))->id != first_id);

  /* "Open Existing" registers nothing and opens the one chosen. */
  dialog = open_patient_dialog (f, "patients.new");
  fill (dialog, "family_row", "Someone Else");
  fill (dialog, "phone_row", "555-0142");
  g_assert_false (patient_dialog_action (dialog, "patient-dialog.save"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (field (dialog, CH_TYPE_PATIENT_DIALOG,
                                                            "duplicates_box"))));
  g_assert_true (patient_dialog_action (dialog, "patient-dialog.open-existing"));
  wait_patient_shown (f, first_id);
  hits = controller_search (f, "someone else");
  g_assert_cmpuint (hits->len, ==, 0);
}

/* A date of birth that is no date is refused where it was typed; nothing is
 * stored. */
static void
test_patients_invalid_birth_date (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GPtrArray) hits = NULL;
  ChPatientDialog *dialog = open_patient_dialog (f, "patients.new");
  GtkWidget *error_label = GTK_WIDGET (field (dialog, CH_TYPE_PATIENT_DIALOG, "error_label"));
  GtkWidget *birth_date_row = GTK_WIDGET (field (dialog, CH_TYPE_PATIENT_DIALOG,
                                                 "birth_date_row"));

  fill (dialog, "family_row", "Invalidson");
  fill (dialog, "birth_date_row", "1990-13-45");
  g_assert_false (patient_dialog_action (dialog, "patient-dialog.save"));

  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "1990-13-45"));
  g_assert_true (gtk_widget_has_css_class (birth_date_row, "error"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (field (dialog, CH_TYPE_PATIENT_DIALOG,
                                                               "family_row")),
                                            "error"));
  hits = controller_search (f, "invalidson");
  g_assert_cmpuint (hits->len, ==, 0);

  /* Corrected, it goes through. */
  fill (dialog, "birth_date_row", "1990-12-15");
  g_assert_true (patient_dialog_action (dialog, "patient-dialog.save"));
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = controller_search (f, "invalidson");
  g_assert_cmpuint (hits->len, ==, 1);
}

static GtkWidget *
find_named_row (GtkListBox *list,
                const char *name)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (gtk_widget_get_name (row), name) == 0)
      return row;

  return NULL;
}

/* A change needs a reason; it keeps the earlier version, which the history
 * window lists with its fields. */
static void
test_patients_edit_and_history (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GError) error = NULL;
  ChPatientDialog *dialog;
  ChPatientHistory *window;
  const ChHistoryEntry *entry;
  GtkWidget *city;
  gint64 id;

  id = register_patient (f, "Edwards", "Lena", "1955-05-05", "Springfield");
  open_patient (f, id);

  dialog = open_patient_dialog (f, "patients.edit");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (field (dialog, CH_TYPE_PATIENT_DIALOG,
                                                               "city_row"))),
                   ==, "Springfield");
  fill (dialog, "city_row", "Shelbyville");

  /* No reason, no change. */
  g_assert_false (patient_dialog_action (dialog, "patient-dialog.save"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (field (dialog, CH_TYPE_PATIENT_DIALOG,
                                                              "reason_row")),
                                           "error"));
  history = ch_patients_history (f->session, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 0);
  g_clear_pointer (&history, g_ptr_array_unref);

  fill (dialog, "reason_row", "Moved house");
  g_assert_true (patient_dialog_action (dialog, "patient-dialog.save"));

  history = ch_patients_history (f->session, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 1);
  entry = g_ptr_array_index (history, 0);
  g_assert_cmpstr (entry->reason, ==, "Moved house");
  g_assert_cmpstr (entry->changed_by, ==, "frontdesk");
  g_assert_cmpstr (ch_patient_view_get_record (view (f))->city, ==, "Shelbyville");

  /* The history window: one earlier version, with the old city, marked as
   * changed. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view (f)), "patient.history", NULL));
  ch_ui_test_spin (20);
  window = CH_PATIENT_HISTORY (ch_ui_test_find_toplevel (CH_TYPE_PATIENT_HISTORY,
                                                         GTK_WINDOW (f->window)));
  g_assert_nonnull (window);
  g_assert_cmpuint (ch_patient_history_get_n_versions (window), ==, 1);
  ch_patient_history_select (window, 0);

  city = find_named_row (GTK_LIST_BOX (ch_ui_test_child (window, CH_TYPE_PATIENT_HISTORY,
                                                         "fields_list")),
                         "city");
  g_assert_nonnull (city);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (city)), ==, "Springfield");
  g_assert_nonnull (find_named_row (GTK_LIST_BOX (ch_ui_test_child (window,
                                                                    CH_TYPE_PATIENT_HISTORY,
                                                                    "fields_list")),
                                    "family_name"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
policy_dialog_action (ChPolicyDialog *dialog,
                      const char     *action)
{
  return run_dialog_action (dialog, action, (gboolean (*) (gpointer)) ch_policy_dialog_get_busy);
}

/* A policy added through its dialog is stored and listed; marked entered in
 * error, with a reason, it leaves the list. */
static void
test_patients_policy (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) policies = NULL;
  g_autoptr(GError) error = NULL;
  ChPolicyDialog *dialog;
  AdwMessageDialog *confirm;
  const ChPolicyRecord *policy;
  gint64 id;

  id = register_patient (f, "Policarpo", "Rita", "1977-07-07", NULL);
  open_patient (f, id);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view (f)), "patient.add-policy", NULL));
  ch_ui_test_spin (20);
  dialog = CH_POLICY_DIALOG (ch_ui_test_find_toplevel (CH_TYPE_POLICY_DIALOG,
                                                       GTK_WINDOW (f->window)));
  g_assert_nonnull (dialog);

  /* No payer: the controller's reason is shown, nothing stored. */
  g_assert_false (policy_dialog_action (dialog, "policy-dialog.save"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (field (dialog, CH_TYPE_POLICY_DIALOG,
                                                            "error_label"))));

  ch_ui_test_set_text (field (dialog, CH_TYPE_POLICY_DIALOG, "payer_row"), "Acme Health");
  ch_ui_test_set_text (field (dialog, CH_TYPE_POLICY_DIALOG, "member_id_row"), "M-1");
  g_assert_true (policy_dialog_action (dialog, "policy-dialog.save"));

  policies = ch_patients_list_policies (f->session, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (policies->len, ==, 1);
  policy = g_ptr_array_index (policies, 0);
  g_assert_cmpstr (policy->payer, ==, "Acme Health");
  g_assert_cmpstr (policy->member_id, ==, "M-1");
  g_assert_cmpint (policy->priority, ==, 1);
  g_assert_cmpuint (ch_patient_view_get_policies (view (f))->len, ==, 1);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view (f)),
                                             "patient.policy-entered-in-error", "x", policy->id));
  ch_ui_test_spin (20);
  confirm = ADW_MESSAGE_DIALOG (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG,
                                                          GTK_WINDOW (f->window)));
  g_assert_nonnull (confirm);

  /* A reason first. */
  g_assert_false (adw_message_dialog_get_response_enabled (confirm, "retract"));
  ch_ui_test_set_text (adw_message_dialog_get_extra_child (confirm), "Wrong patient");
  g_assert_true (adw_message_dialog_get_response_enabled (confirm, "retract"));
  ch_ui_test_respond (confirm, "retract");
  CH_UI_TEST_WAIT (!ch_patient_view_get_busy (view (f)) && !ch_ui_session_is_busy (f->session));
  ch_ui_test_spin (20);

  g_clear_pointer (&policies, g_ptr_array_unref);
  policies = ch_patients_list_policies (f->session, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (policies->len, ==, 0);
  g_assert_cmpuint (ch_patient_view_get_policies (view (f))->len, ==, 0);
}

/* The office manager reads but does not write: finding and opening work,
 * the commands that change are off and do nothing. */
static void
test_patients_read_only (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) hits = NULL;
  gint64 id;

  hits = controller_search (f, "a");
  g_assert_cmpuint (hits->len, >, 0);
  id = ((ChPatientHit *) g_ptr_array_index (hits, 0))->id;
  open_patient (f, id);

  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (page_child (f, "new_button"))));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (view_child (f, "edit_button"))));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (view_child (f, "add_policy_button"))));

  gtk_widget_activate_action (GTK_WIDGET (f->page), "patients.new", NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->page), "patients.edit", NULL);
  gtk_widget_activate_action (GTK_WIDGET (view (f)), "patient.add-policy", NULL);
  ch_ui_test_spin (20);
  g_assert_null (ch_ui_test_find_toplevel (CH_TYPE_PATIENT_DIALOG, NULL));
  g_assert_null (ch_ui_test_find_toplevel (CH_TYPE_POLICY_DIALOG, NULL));

  /* The history is reading, and open to the manager. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view (f)), "patient.history", NULL));
  ch_ui_test_spin (20);
  g_assert_nonnull (ch_ui_test_find_toplevel (CH_TYPE_PATIENT_HISTORY, NULL));
}

/* A photo chosen in the dialog is scaled down, saved with the record and
 * shown beside the patient's name; a file that is no image is refused. */
static void
test_patients_photo (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GdkPixbuf) image = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 1200, 900);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) jpeg = NULL;
  g_autoptr(GFile) text = NULL;
  g_autoptr(GdkTexture) stored = NULL;
  g_autofree char *tmp = ch_ui_test_make_tmp_dir ();
  g_autofree char *jpeg_path = g_build_filename (tmp, "portrait.jpg", NULL);
  g_autofree char *text_path = g_build_filename (tmp, "notes.jpg", NULL);
  const ChPatientRecord *record;
  ChPatientDialog *dialog;
  AdwAvatar *avatar;
  gint64 id;

  gdk_pixbuf_fill (image, 0x3366aaff);
  g_assert_true (gdk_pixbuf_save (image, jpeg_path, "jpeg", &error, NULL));
  g_assert_true (g_file_set_contents (text_path, "not an image", -1, &error));
  jpeg = g_file_new_for_path (jpeg_path);
  text = g_file_new_for_path (text_path);

  id = register_patient (f, "Okafor", "Chidi", "1979-09-09", "Springfield");
  open_patient (f, id);
  dialog = open_patient_dialog (f, "patients.edit");
  avatar = ADW_AVATAR (field (dialog, CH_TYPE_PATIENT_DIALOG, "photo_avatar"));
  g_assert_null (adw_avatar_get_custom_image (avatar));

  g_assert_false (ch_patient_dialog_set_photo_file (dialog, text, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "notes.jpg"));
  g_clear_error (&error);

  g_assert_true (ch_patient_dialog_set_photo_file (dialog, jpeg, &error));
  g_assert_no_error (error);
  g_assert_nonnull (adw_avatar_get_custom_image (avatar));
  fill (dialog, "reason_row", "Photo taken at the desk");
  g_assert_true (patient_dialog_action (dialog, "patient-dialog.save"));

  record = ch_patient_view_get_record (view (f));
  g_assert_nonnull (record->photo);
  g_assert_true (ch_patients_photo_ok (record->photo));
  stored = gdk_texture_new_from_bytes (record->photo, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (stored), ==, 512);
  g_assert_cmpint (gdk_texture_get_height (stored), ==, 384);
  g_assert_nonnull (adw_avatar_get_custom_image (ADW_AVATAR (ch_ui_test_child (view (f),
                                                                               CH_TYPE_PATIENT_VIEW,
                                                                               "avatar"))));
  ch_ui_test_remove_dir (tmp);
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

  g_test_add ("/ui/patients/search-and-open", Fixture, NULL,
              fixture_set_up, test_patients_search_and_open, fixture_tear_down);
  g_test_add ("/ui/patients/keyboard", Fixture, NULL,
              fixture_set_up, test_patients_keyboard, fixture_tear_down);
  g_test_add ("/ui/patients/search-waits-for-gate", Fixture, NULL,
              fixture_set_up, test_patients_search_waits_for_gate, fixture_tear_down);
  g_test_add ("/ui/patients/load-more", Fixture, NULL,
              fixture_set_up, test_patients_load_more, fixture_tear_down);
  g_test_add ("/ui/patients/register", Fixture, NULL,
              fixture_set_up, test_patients_register, fixture_tear_down);
  g_test_add ("/ui/patients/invalid-birth-date", Fixture, NULL,
              fixture_set_up, test_patients_invalid_birth_date, fixture_tear_down);
  g_test_add ("/ui/patients/edit-and-history", Fixture, NULL,
              fixture_set_up, test_patients_edit_and_history, fixture_tear_down);
  g_test_add ("/ui/patients/photo", Fixture, NULL,
              fixture_set_up, test_patients_photo, fixture_tear_down);
  g_test_add ("/ui/patients/policy", Fixture, NULL,
              fixture_set_up, test_patients_policy, fixture_tear_down);
  g_test_add ("/ui/patients/read-only", Fixture, "manager",
              fixture_set_up, test_patients_read_only, fixture_tear_down);

  return g_test_run ();
}
