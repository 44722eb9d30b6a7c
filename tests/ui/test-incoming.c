/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-incoming"

#include "config.h"

#include <string.h>

#include "ch-ccda-import.h"
#include "ch-chart.h"
#include "ch-chart-summary-view.h"
#include "ch-demo.h"
#include "ch-incoming-dialog.h"
#include "ch-main-page.h"
#include "ch-patient-view.h"
#include "ch-patients-page.h"
#include "ch-patients.h"
#include "ch-ui.h"
#include "ch-ui-test-util.h"

/* The outside record dialog in the real window over a demo practice: a CCD
 * (tests/data/ccda, another vendor's style) staged through the controller,
 * opened from the chart's summary, one problem accepted and one allergy
 * declined there, and the chart and the staged items checked afterwards; a
 * decline without a reason refused with nothing changed; a CCD of another
 * patient imported from the dialog only once the person says so. */

#define DEMO_PATIENTS 3

typedef struct
{
  char           *dir;
  ChWindow       *window;
  ChSession      *session;
  ChPatientsPage *page;
  gint64          patient_id;
  char           *ccd;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autofree char *tmp = ch_ui_test_make_tmp_dir ();
  GtkWidget *main_page;

  f->dir = g_build_filename (tmp, "practice", NULL);
  f->ccd = g_build_filename (CH_TEST_CCDA_DIR, "vendor-r21-ccd.xml", NULL);
  ch_demo_create (f->dir, DEMO_PATIENTS, 5, NULL, &error);
  g_assert_no_error (error);

  f->window = ch_ui_test_window_new (f->dir);
  ch_ui_test_window_sign_in (f->window, "doctor", CH_DEMO_PASSWORD);
  f->session = ch_window_get_session (f->window);
  main_page = ch_window_get_main_page (f->window);
  CH_UI_TEST_WAIT (ch_main_page_get_section_widget (CH_MAIN_PAGE (main_page), "patients") != NULL);
  f->page = CH_PATIENTS_PAGE (ch_main_page_get_section_widget (CH_MAIN_PAGE (main_page),
                                                               "patients"));
  ch_ui_test_spin (20);

  hits = ch_patients_search (f->session, "a", DEMO_PATIENTS, &error);
  g_assert_no_error (error);
  if (hits->len == 0)
    {
      g_clear_pointer (&hits, g_ptr_array_unref);
      hits = ch_patients_search (f->session, "e", DEMO_PATIENTS, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpuint (hits->len, >, 0);
  f->patient_id = ((const ChPatientHit *) g_ptr_array_index (hits, 0))->id;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->window != NULL)
    ch_ui_test_window_destroy (f->window);
  ch_ui_test_remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->ccd);
}

static ChChartSummaryView *
chart (Fixture *f)
{
  ChPatientView *view = CH_PATIENT_VIEW (ch_patients_page_get_patient_view (f->page));

  return CH_CHART_SUMMARY_VIEW (ch_ui_test_child (view, CH_TYPE_PATIENT_VIEW, "chart_view"));
}

static void
wait_idle (Fixture *f)
{
  CH_UI_TEST_WAIT (!ch_ui_session_is_busy (f->session) &&
                   !ch_chart_summary_view_get_busy (chart (f)));
  ch_ui_test_spin (20);
}

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_type (GtkWidget *widget,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_titled_row (GtkWidget  *widget,
                 const char *title)
{
  if (ADW_IS_ACTION_ROW (widget)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_titled_row (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The pending item titled @text in the dialog: chooses @choice for it (1
 * accept, 2 decline) and types @reason. */
static void
decide (ChIncomingDialog *dialog,
        const char       *text,
        guint             choice,
        const char       *reason)
{
  GtkWidget *row = find_titled_row (GTK_WIDGET (dialog), text);
  GtkWidget *entry;

  g_assert_nonnull (row);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (find_type (row, GTK_TYPE_DROP_DOWN)), choice);
  entry = find_type (row, GTK_TYPE_ENTRY);
  g_assert_cmpint (gtk_widget_get_visible (entry), ==, choice == 2);
  if (reason != NULL)
    ch_ui_test_set_text (entry, reason);
}

static const ChIncomingItem *
item_titled (GPtrArray  *items,
             const char *text)
{
  for (guint i = 0; i < items->len; i++)
    if (g_strcmp0 (((ChIncomingItem *) items->pdata[i])->text, text) == 0)
      return items->pdata[i];
  return NULL;
}

static gboolean
chart_has (Fixture    *f,
           const char *section,
           const char *display)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = ch_chart_list (f->session, f->patient_id, section, FALSE, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    if (g_strcmp0 (((ChChartItem *) list->pdata[i])->display, display) == 0)
      return TRUE;
  return FALSE;
}

static void
test_incoming_decide (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) staged = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (f->ccd);
  const ChIncomingItem *item;
  ChIncomingDialog *dialog;
  GtkWindow *question;
  GtkWidget *entry_row;
  GtkLabel *error_label;

  /* The document names another patient than this demo one: forced. */
  staged = ch_ccda_import_stage (f->session, f->patient_id, f->ccd, NULL, FALSE, NULL, &error);
  g_assert_error (error, CH_CCDA_IMPORT_ERROR, CH_CCDA_IMPORT_ERROR_MISMATCH);
  g_assert_null (staged);
  g_clear_error (&error);
  staged = ch_ccda_import_stage (f->session, f->patient_id, f->ccd, NULL, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (staged->len, ==, 11);

  ch_patients_page_open_patient (f->page, f->patient_id);
  CH_UI_TEST_WAIT (!ch_patients_page_get_busy (f->page) &&
                   ch_chart_summary_view_get_summary (chart (f)) != NULL);
  wait_idle (f);
  g_assert_false (chart_has (f, CH_SECTION_PROBLEM, "Essential (primary) hypertension"));

  /* Reached from the summary, where medications are reconciled. */
  entry_row = find_named (GTK_WIDGET (ch_ui_test_child (chart (f), CH_TYPE_CHART_SUMMARY_VIEW,
                                                        "medications_group")),
                          "reconcile-outside");
  g_assert_nonnull (entry_row);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart (f)), "chart.reconcile-outside",
                                             NULL));
  ch_ui_test_spin (20);
  dialog = CH_INCOMING_DIALOG (ch_ui_test_find_toplevel (CH_TYPE_INCOMING_DIALOG, NULL));
  g_assert_nonnull (dialog);
  CH_UI_TEST_WAIT (!ch_incoming_dialog_get_busy (dialog));
  g_assert_cmpuint (ch_incoming_dialog_get_n_items (dialog), ==, 11);
  g_assert_nonnull (find_titled_row (GTK_WIDGET (ch_ui_test_child (dialog, CH_TYPE_INCOMING_DIALOG,
                                                                   "medications_group")),
                                     "Fish Oil 1,000 mg capsule"));

  /* A decline without a reason: refused, nothing changed. */
  decide (dialog, "Essential (primary) hypertension", 1, NULL);
  decide (dialog, "Peanut", 2, NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "incoming.save", NULL));
  CH_UI_TEST_WAIT (!ch_incoming_dialog_get_busy (dialog));
  wait_idle (f);
  error_label = GTK_LABEL (ch_ui_test_child (dialog, CH_TYPE_INCOMING_DIALOG, "error_label"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_nonnull (strstr (gtk_label_get_text (error_label), "Peanut"));
  g_assert_false (chart_has (f, CH_SECTION_PROBLEM, "Essential (primary) hypertension"));
  g_assert_cmpuint (ch_incoming_dialog_get_n_items (dialog), ==, 11);

  /* With the reason: the problem on the chart, the allergy declined. */
  decide (dialog, "Peanut", 2, "Tested negative in 2023");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "incoming.save", NULL));
  CH_UI_TEST_WAIT (!ch_incoming_dialog_get_busy (dialog));
  wait_idle (f);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_cmpuint (ch_incoming_dialog_get_n_items (dialog), ==, 9);
  g_assert_null (find_titled_row (GTK_WIDGET (dialog), "Peanut"));

  g_assert_true (chart_has (f, CH_SECTION_PROBLEM, "Essential (primary) hypertension"));
  g_assert_false (chart_has (f, CH_SECTION_ALLERGY, "Peanut"));
  items = ch_ccda_import_list (f->session, f->patient_id, FALSE, &error);
  g_assert_no_error (error);
  item = item_titled (items, "Essential (primary) hypertension");
  g_assert_cmpstr (item->status, ==, "accepted");
  g_assert_cmpstr (item->decided_by, ==, "doctor");
  g_assert_cmpint (item->chart_item_id, >, 0);
  item = item_titled (items, "Peanut");
  g_assert_cmpstr (item->status, ==, "declined");
  g_assert_cmpstr (item->reason, ==, "Tested negative in 2023");
  /* The summary behind the dialog shows the new problem. */
  g_assert_nonnull (find_titled_row (GTK_WIDGET (ch_ui_test_child (chart (f),
                                                                   CH_TYPE_CHART_SUMMARY_VIEW,
                                                                   "problems_group")),
                                     "Essential (primary) hypertension"));

  /* "Import CCD…" with the same document: another patient's, so asked
   * first; cancelled, nothing staged; confirmed, its new items listed, the
   * accepted problem as already on the chart. */
  ch_incoming_dialog_import_file (dialog, file);
  CH_UI_TEST_WAIT (!ch_incoming_dialog_get_busy (dialog));
  wait_idle (f);
  question = ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, GTK_WINDOW (dialog));
  g_assert_nonnull (question);
  ch_ui_test_respond (question, "cancel");
  g_assert_cmpuint (ch_incoming_dialog_get_n_items (dialog), ==, 9);

  ch_incoming_dialog_import_file (dialog, file);
  CH_UI_TEST_WAIT (!ch_incoming_dialog_get_busy (dialog));
  wait_idle (f);
  question = ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, GTK_WINDOW (dialog));
  g_assert_nonnull (question);
  ch_ui_test_respond (question, "import");
  CH_UI_TEST_WAIT (!ch_incoming_dialog_get_busy (dialog));
  wait_idle (f);
  g_assert_cmpuint (ch_incoming_dialog_get_n_items (dialog), ==, 9 + 10);

  gtk_window_destroy (GTK_WINDOW (dialog));
  ch_ui_test_spin (20);
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

  g_test_add ("/ui/incoming/decide", Fixture, NULL,
              fixture_set_up, test_incoming_decide, fixture_tear_down);

  return g_test_run ();
}
