/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-summary-labs"

#include "config.h"

#include <string.h>

#include "ch-chart-summary-view.h"
#include "ch-demo.h"
#include "ch-labs.h"
#include "ch-main-page.h"
#include "ch-patient-view.h"
#include "ch-patients.h"
#include "ch-store-private.h"
#include "ch-ui.h"
#include "ch-ui-test-util.h"

/* The lab's results on the chart's Summary, in the real window: Recent
 * Results lists each test's newest result the lab sent beside the chart's
 * own, its flag in words; a critical one of the last days is an alert
 * naming it; both lead to the Labs page; a correction to a normal value
 * takes the alert away; reading them adds no audit entry of its own; the
 * front desk sees none of it. */

#define DEMO_PATIENTS 4

typedef struct
{
  char         *dir;
  ChWindow     *window;
  ChSession    *session;
  GtkWidget    *main_page;
  ChPatientHit  patient;
} Fixture;

static void
pick_patient (Fixture   *f,
              ChSession *session)
{
  for (char letter = 'a'; letter <= 'z' && f->patient.id == 0; letter++)
    {
      char query[2] = { letter, '\0' };
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) hits = ch_patients_search (session, query, DEMO_PATIENTS, &error);

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
sign_in (Fixture    *f,
         const char *username)
{
  f->window = ch_ui_test_window_new (f->dir);
  ch_ui_test_window_sign_in (f->window, username, CH_DEMO_PASSWORD);
  f->session = ch_window_get_session (f->window);
  f->main_page = ch_window_get_main_page (f->window);
  ch_ui_test_spin (20);
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
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->window != NULL)
    ch_ui_test_window_destroy (f->window);
  ch_ui_test_remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->patient.mrn);
  g_free (f->patient.family_name);
  g_free (f->patient.given_name);
  g_free (f->patient.birth_date);
}

/* ---- messages ------------------------------------------------------------------- */

/* An ORU^R01 for the fixture's patient: one order (@filler) observed
 * @days_ago days ago, its OBX segments @obx ("code^name|value|units|range|
 * flag|status" each, separated by ';'), imported by @session. */
static void
import (Fixture    *f,
        ChSession  *session,
        const char *control_id,
        const char *filler,
        int         days_ago,
        const char *obx)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_days (now, -days_ago);
  g_autofree char *when = g_date_time_format (then, "%Y%m%d%H%M%S");
  g_autoptr(GString) born = g_string_new (f->patient.birth_date);
  g_auto(GStrv) segments = g_strsplit (obx, ";", -1);
  g_auto(ChLabsImportResult) result = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = NULL;
  GString *m = g_string_new (NULL);

  g_string_replace (born, "-", "", 0);
  g_string_append_printf (m, "MSH|^~\\&|LIS|ACME LAB|CHARTA|OAKWOOD|20240401120000||ORU^R01|%s|"
                          "P|2.5.1\r", control_id);
  g_string_append_printf (m, "PID|1||%s^^^OAKWOOD^MR||%s^%s||%s\r", f->patient.mrn,
                          f->patient.family_name, f->patient.given_name, born->str);
  g_string_append_printf (m, "OBR|1|P%s|%s|BMP^Basic metabolic panel^L|||%s||||||||||||||||||F\r",
                          filler, filler, when);
  for (guint i = 0; segments[i] != NULL; i++)
    {
      g_auto(GStrv) field = g_strsplit (segments[i], "|", -1);

      g_assert_cmpuint (g_strv_length (field), ==, 6);
      g_string_append_printf (m, "OBX|%u|NM|%s^LN||%s|%s|%s|%s|||%s|||%s\r", i + 1, field[0],
                              field[1], field[2], field[3], field[4], field[5], when);
    }
  raw = g_string_free_to_bytes (m);
  g_assert_true (ch_labs_import_message (session, raw, CH_LABS_SOURCE_FILE, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result.outcome, ==, CH_LABS_OUTCOME_IMPORTED);
}

/* The current result with @code, as the controller holds it. */
static ChLabResult *
current_result (Fixture    *f,
                const char *code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = ch_labs_list_latest (f->session, f->patient.id, 0, 0, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < all->len; i++)
    {
      ChLabResult *r = g_ptr_array_index (all, i);

      if (g_strcmp0 (r->code, code) == 0)
        return g_ptr_array_steal_index (all, i);
    }
  g_assert_not_reached ();
  return NULL;
}

/* ---- widgets -------------------------------------------------------------------- */

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
lab_row (ChChartSummaryView *chart,
         gint64              id)
{
  g_autofree char *name = g_strdup_printf ("lab-%" G_GINT64_FORMAT, id);

  return find_named (GTK_WIDGET (chart), name);
}

static guint
count_rows (GtkWidget *group)
{
  GtkWidget *list = GTK_WIDGET (ch_ui_test_child (group, ADW_TYPE_PREFERENCES_GROUP, "listbox"));
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (list); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += ADW_IS_ACTION_ROW (child) || ADW_IS_EXPANDER_ROW (child);
  return n;
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

static ChPatientView *
open_chart (Fixture *f)
{
  return CH_PATIENT_VIEW (ch_ui_test_open_chart (f->main_page, f->session, f->patient.id));
}

static ChChartSummaryView *
chart_of (ChPatientView *view)
{
  return CH_CHART_SUMMARY_VIEW (ch_ui_test_child (view, CH_TYPE_PATIENT_VIEW, "chart_view"));
}

static void
wait_for_summary (Fixture            *f,
                  ChChartSummaryView *chart)
{
  CH_UI_TEST_WAIT (ch_chart_summary_view_get_summary (chart) != NULL &&
                   !ch_chart_summary_view_get_busy (chart) &&
                   !ch_ui_session_is_busy (f->session));
}

static const char *
row_title (GtkWidget *row)
{
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
}

/* ---- tests ---------------------------------------------------------------------- */

static void
test_summary_labs (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(ChLabResult) potassium = NULL;
  g_autoptr(ChLabResult) sodium = NULL;
  g_autoptr(ChLabResult) corrected = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) yesterday = g_date_time_add_days (now, -1);
  g_autofree char *date = g_date_time_format (yesterday, "%Y-%m-%d");
  g_autofree char *expected = NULL;
  ChPatientView *view;
  ChChartSummaryView *chart;
  GtkStack *pages;
  GtkWidget *row, *value, *flag, *alert, *results_group, *alerts_group;
  gint64 lab_audits, chart_audits;

  sign_in (f, "doctor");
  pick_patient (f, f->session);
  import (f, f->session, "K1", "FIL1", 1,
          "2823-3^Potassium|6.8|mmol/L|3.5-5.1|HH|F;"
          "2951-2^Sodium|140|mmol/L|136-145|N|F");
  potassium = current_result (f, "2823-3");
  sodium = current_result (f, "2951-2");

  lab_audits = count_audit (f, "lab-results");
  chart_audits = count_audit (f, "chart");
  view = open_chart (f);
  chart = chart_of (view);
  wait_for_summary (f, chart);
  pages = GTK_STACK (ch_ui_test_child (view, CH_TYPE_PATIENT_VIEW, "pages"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (pages), ==, "chart");

  /* The opening is audited once, as a view of the chart; the lab's
   * results add nothing of their own. */
  g_assert_cmpint (count_audit (f, "lab-results"), ==, lab_audits);
  g_assert_cmpint (count_audit (f, "chart"), ==, chart_audits + 1);

  /* Both in Recent Results, newest first among the chart's own, the flag
   * in words and the value emphasised as on the Labs page. */
  results_group = GTK_WIDGET (ch_ui_test_child (chart, CH_TYPE_CHART_SUMMARY_VIEW,
                                                "results_group"));
  g_assert_cmpuint (count_rows (results_group), <=, 10);
  row = lab_row (chart, potassium->id);
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_is_ancestor (row, results_group));
  g_assert_cmpstr (row_title (row), ==, "Potassium");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), date));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "range 3.5-5.1"));
  value = find_named (row, "lab-value");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (value)), ==, "6.8 mmol/L");
  g_assert_true (gtk_widget_has_css_class (value, "lab-critical"));
  flag = find_named (row, "lab-flag");
  g_assert_nonnull (flag);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (flag)), ==, "Critically high");
  g_assert_true (gtk_widget_has_css_class (flag, "error"));
  /* Read-only: no menu of chart commands. */
  g_assert_null (find_named (row, "more"));

  row = lab_row (chart, sodium->id);
  g_assert_nonnull (row);
  g_assert_cmpstr (row_title (row), ==, "Sodium");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "range 136-145"));
  value = find_named (row, "lab-value");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (value)), ==, "140 mmol/L");
  g_assert_false (gtk_widget_has_css_class (value, "lab-critical"));
  g_assert_false (gtk_widget_has_css_class (value, "lab-abnormal"));
  g_assert_null (find_named (row, "lab-flag"));

  /* The alert names the potassium, not the sodium. */
  alerts_group = GTK_WIDGET (ch_ui_test_child (chart, CH_TYPE_CHART_SUMMARY_VIEW, "alerts_group"));
  g_assert_true (gtk_widget_get_visible (alerts_group));
  alert = find_named (GTK_WIDGET (chart), "lab-critical-alert");
  g_assert_nonnull (alert);
  g_assert_true (gtk_widget_is_ancestor (alert, alerts_group));
  expected = g_strdup_printf ("Critical lab result: Potassium 6.8 mmol/L (critically high), %s",
                              date);
  g_assert_cmpstr (row_title (alert), ==, expected);

  /* Each leads to the Labs page. */
  g_assert_true (gtk_widget_activate (lab_row (chart, sodium->id)));
  CH_UI_TEST_WAIT (g_strcmp0 (gtk_stack_get_visible_child_name (pages), "labs") == 0);
  gtk_stack_set_visible_child_name (pages, "chart");
  ch_ui_test_spin (20);
  g_assert_true (gtk_widget_activate (alert));
  CH_UI_TEST_WAIT (g_strcmp0 (gtk_stack_get_visible_child_name (pages), "labs") == 0);
  CH_UI_TEST_WAIT (!ch_ui_session_is_busy (f->session));
  gtk_stack_set_visible_child_name (pages, "chart");

  /* The lab corrects the potassium (same order, status C) to a normal
   * value: read again, no alert, the corrected value shown. */
  import (f, f->session, "K2", "FIL1", 1, "2823-3^Potassium|4.2|mmol/L|3.5-5.1|N|C");
  corrected = current_result (f, "2823-3");
  g_assert_cmpint (corrected->id, !=, potassium->id);
  ch_chart_summary_view_reload (chart);
  CH_UI_TEST_WAIT (lab_row (chart, corrected->id) != NULL &&
                   !ch_chart_summary_view_get_busy (chart));
  wait_for_summary (f, chart);
  g_assert_null (find_named (GTK_WIDGET (chart), "lab-critical-alert"));
  g_assert_null (lab_row (chart, potassium->id));
  row = lab_row (chart, corrected->id);
  value = find_named (row, "lab-value");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (value)), ==, "4.2 mmol/L");
  g_assert_false (gtk_widget_has_css_class (value, "lab-critical"));
  g_assert_null (find_named (row, "lab-flag"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Corrected"));
}

/* Many critical results: three named, the rest counted; one older than
 * the alert's days is not among them; Recent Results stays short. */
static void
test_summary_labs_many (Fixture       *f,
                        gconstpointer  data)
{
  ChPatientView *view;
  ChChartSummaryView *chart;
  GtkWidget *alert, *results_group;
  const char *title;

  sign_in (f, "doctor");
  pick_patient (f, f->session);
  import (f, f->session, "OLD", "FIL0", 40, "2345-7^Glucose|480|mg/dL|70-99|HH|F");
  import (f, f->session, "M1", "FIL1", 2,
          "2823-3^Potassium|6.8|mmol/L|3.5-5.1|HH|F;"
          "2951-2^Sodium|118|mmol/L|136-145|LL|F;"
          "17861-6^Calcium|14.2|mg/dL|8.6-10.3|HH|F;"
          "2524-7^Lactate|5.1|mmol/L|0.5-2.2|HH|F;"
          "6298-4^Potassium (blood gas)|2.4|mmol/L|3.5-5.1|LL|F;"
          "2075-0^Chloride|101|mmol/L|98-107|N|F;"
          "2028-9^Carbon dioxide|24|mmol/L|22-29|N|F;"
          "3094-0^Urea nitrogen|18|mg/dL|7-20|N|F;"
          "2160-0^Creatinine|1.9|mg/dL|0.6-1.3|H|F;"
          "1751-7^Albumin|3.9|g/dL|3.5-5.0|N|F;"
          "1975-2^Bilirubin|0.8|mg/dL|0.1-1.2|N|F");

  view = open_chart (f);
  chart = chart_of (view);
  wait_for_summary (f, chart);

  alert = find_named (GTK_WIDGET (chart), "lab-critical-alert");
  g_assert_nonnull (alert);
  title = row_title (alert);
  g_assert_true (g_str_has_prefix (title, "Critical lab results: "));
  g_assert_nonnull (strstr (title, " and 2 more"));
  g_assert_null (strstr (title, "Glucose"));

  results_group = GTK_WIDGET (ch_ui_test_child (chart, CH_TYPE_CHART_SUMMARY_VIEW,
                                                "results_group"));
  g_assert_cmpuint (count_rows (results_group), ==, 10);
}

/* The front desk opens no chart: neither the results nor the alert, and
 * nothing read for them. */
static void
test_summary_labs_front_desk (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(ChSession) doctor = ch_ui_test_login (f->dir, "doctor", CH_DEMO_PASSWORD);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) none = NULL;
  ChPatientView *view;
  ChChartSummaryView *chart;
  GtkStack *pages;

  pick_patient (f, doctor);
  import (f, doctor, "K1", "FIL1", 1, "2823-3^Potassium|6.8|mmol/L|3.5-5.1|HH|F");
  ch_session_logout (doctor);

  sign_in (f, "frontdesk");
  view = open_chart (f);
  chart = chart_of (view);
  pages = GTK_STACK (ch_ui_test_child (view, CH_TYPE_PATIENT_VIEW, "pages"));
  ch_ui_test_spin (50);
  g_assert_false (gtk_stack_page_get_visible (gtk_stack_get_page (pages, GTK_WIDGET (chart))));
  g_assert_null (ch_chart_summary_view_get_summary (chart));
  g_assert_null (find_named (GTK_WIDGET (view), "lab-critical-alert"));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (view), "patient.show-labs", NULL)
                  && g_strcmp0 (gtk_stack_get_visible_child_name (pages), "labs") == 0);

  none = ch_labs_list_latest (f->session, f->patient.id, 0, 10, &error);
  g_assert_null (none);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

  g_test_add ("/ui/summary-labs/results-and-alert", Fixture, NULL, fixture_set_up,
              test_summary_labs, fixture_tear_down);
  g_test_add ("/ui/summary-labs/many", Fixture, NULL, fixture_set_up, test_summary_labs_many,
              fixture_tear_down);
  g_test_add ("/ui/summary-labs/front-desk", Fixture, NULL, fixture_set_up,
              test_summary_labs_front_desk, fixture_tear_down);

  return g_test_run ();
}
