/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-reports-page"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ch-demo.h"
#include "ch-main-page.h"
#include "ch-patient-view.h"
#include "ch-patients.h"
#include "ch-patients-page.h"
#include "ch-report-chart.h"
#include "ch-reports-page.h"
#include "ch-schedule.h"
#include "ch-ui.h"
#include "ch-ui-test-util.h"

/* The Reports section of the real window over a demo practice with a few
 * appointments booked in March 2025, a month the demo's own schedule does
 * not reach: the office manager runs "appointments" and reads the numbers
 * back from the table, sees the chart drawn, cancels a run, exports CSV
 * and PDF and reads them back, saves filters and applies them on a new
 * page; the administrator is refused a report that names patients; the
 * physician opens a quality measure's patients and a patient's chart. */

#define DEMO_PATIENTS 60

static char *practice_dir;
static char *provider_a, *provider_a_name;
static char *provider_b, *provider_b_name;

typedef struct
{
  ChWindow      *window;
  ChSession     *session;
  GtkWidget     *main_page;
  ChReportsPage *page;
  char          *tmp;
} Fixture;

static gint64
utc (int day,
     int hour)
{
  g_autoptr(GDateTime) time = g_date_time_new_utc (2025, 3, day, hour, 0, 0);

  return g_date_time_to_unix (time) * G_USEC_PER_SEC;
}

static gint64
book (ChSession  *session,
      const char *provider,
      gint64      patient_id,
      gint64      type_id,
      gint64      start)
{
  g_autoptr(GError) error = NULL;
  ChAppointment appointment = { 0 };

  appointment.patient_id = patient_id;
  appointment.provider_id = (char *) provider;
  appointment.type_id = type_id;
  appointment.start_at = start;
  appointment.duration_min = 20;
  appointment.reason = (char *) "Check-up";
  g_assert_true (ch_schedule_book (session, &appointment,
                                   CH_BOOK_CONFIRM_OUTSIDE_HOURS | CH_BOOK_CONFIRM_OVERBOOK, &error));
  g_assert_no_error (error);
  return appointment.id;
}

/* The practice every test signs into: the demo and, at the front desk,
 * three appointments with the first provider (one a no-show) and one
 * with the second. */
static void
make_practice (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = ch_ui_test_make_tmp_dir ();
  g_autoptr(ChSession) desk = NULL;
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GPtrArray) types = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  ChDemoOptions options;
  gint64 patient_id, type_id, no_show;

  practice_dir = g_build_filename (tmp, "practice", NULL);
  ch_demo_options_init (&options);
  /* The charts are enough for the quality measures; a history would only
   * make the demo slower to write. */
  options.history_years = 0;
  options.visits_per_patient = 0;
  ch_demo_create_full (practice_dir, DEMO_PATIENTS, 5, &options, NULL, &error);
  g_assert_no_error (error);

  desk = ch_ui_test_login (practice_dir, "frontdesk", CH_DEMO_PASSWORD);
  providers = ch_schedule_list_resources (desk, "provider", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (providers->len, >=, 2);
  provider_a = g_strdup (((ChResource *) providers->pdata[0])->id);
  provider_a_name = g_strdup (((ChResource *) providers->pdata[0])->name);
  provider_b = g_strdup (((ChResource *) providers->pdata[1])->id);
  provider_b_name = g_strdup (((ChResource *) providers->pdata[1])->name);

  types = ch_schedule_list_types (desk, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (types->len, >, 0);
  type_id = ((ChApptType *) types->pdata[0])->id;

  for (const char *q = "aeiou"; *q != '\0' && (hits == NULL || hits->len == 0); q++)
    {
      char query[2] = { *q, '\0' };

      g_clear_pointer (&hits, g_ptr_array_unref);
      hits = ch_patients_search (desk, query, 5, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpuint (hits->len, >, 0);
  patient_id = ((const ChPatientHit *) hits->pdata[0])->id;

  book (desk, provider_a, patient_id, type_id, utc (3, 9));
  book (desk, provider_a, patient_id, type_id, utc (3, 10));
  no_show = book (desk, provider_a, patient_id, type_id, utc (3, 11));
  book (desk, provider_b, patient_id, type_id, utc (4, 9));
  g_assert_true (ch_schedule_set_status (desk, no_show, "no-show", NULL, &error));
  g_assert_no_error (error);
}

static void
sign_in (Fixture    *f,
         const char *username)
{
  f->window = ch_ui_test_window_new (practice_dir);
  ch_ui_test_window_sign_in (f->window, username, CH_DEMO_PASSWORD);
  f->session = ch_window_get_session (f->window);
  f->main_page = ch_window_get_main_page (f->window);
  CH_UI_TEST_WAIT (!ch_ui_session_is_busy (f->session));

  g_assert_true (gtk_widget_activate_action (f->main_page, "main.show-section", "s", "reports"));
  CH_UI_TEST_WAIT (ch_main_page_get_section_widget (CH_MAIN_PAGE (f->main_page), "reports") != NULL);
  f->page = CH_REPORTS_PAGE (ch_main_page_get_section_widget (CH_MAIN_PAGE (f->main_page), "reports"));
  g_assert_true (CH_IS_REPORTS_PAGE (f->page));
  f->tmp = ch_ui_test_make_tmp_dir ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  CH_UI_TEST_WAIT (!ch_reports_page_get_running (f->page) && !ch_reports_page_get_exporting (f->page));
  CH_UI_TEST_WAIT (!ch_ui_session_is_busy (f->session));
  ch_ui_test_window_destroy (f->window);
  ch_ui_test_remove_dir (f->tmp);
  g_free (f->tmp);
}

static void
run_and_wait (ChReportsPage *page)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "reports.run", NULL));
  CH_UI_TEST_WAIT (!ch_reports_page_get_running (page));
}

static int
find_column (ChReport   *report,
             const char *name)
{
  for (guint c = 0; c < ch_report_get_n_columns (report); c++)
    if (g_strcmp0 (ch_report_get_column_name (report, c), name) == 0)
      return (int) c;
  g_assert_not_reached ();
  return -1;
}

static int
find_row (ChReport   *report,
          const char *first_cell)
{
  for (guint r = 0; r < ch_report_get_n_rows (report); r++)
    {
      GVariant *cell = ch_report_get_cell (report, r, 0);

      if (cell != NULL && g_strcmp0 (g_variant_get_string (cell, NULL), first_cell) == 0)
        return (int) r;
    }
  return -1;
}

static gint64
int_cell (ChReport   *report,
          int         row,
          const char *column)
{
  GVariant *cell;

  g_assert_cmpint (row, >=, 0);
  cell = ch_report_get_cell (report, row, find_column (report, column));
  g_assert_nonnull (cell);
  return g_variant_get_int64 (cell);
}

/* Pixels of the first series' colour in @view as drawn. */
static guint
count_series_pixels (GtkWidget *view)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (view);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guint32 *pixels = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (view));
  int width = gtk_widget_get_width (view), height = gtk_widget_get_height (view);
  double r, g, b;
  guint32 want;
  guint n = 0;

  if (width <= 0 || height <= 0)
    return 0;
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    return 0;
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  pixels = g_new (guint32, (gsize) width * height);
  gdk_texture_download (texture, (guchar *) pixels, width * 4);

  ch_report_chart_series_color (0, &r, &g, &b);
  want = 0xff000000 | (guint32) lround (r * 255) << 16 | (guint32) lround (g * 255) << 8 | (guint32) lround (b * 255);
  for (int i = 0; i < width * height; i++)
    n += pixels[i] == want;
  return n;
}

static void
select_march (ChReportsPage *page)
{
  g_assert_true (ch_reports_page_select_report (page, "appointments"));
  ch_reports_page_set_dates (page, "2025-03-01", "2025-03-31");
}

/* ---- the office manager ----------------------------------------------------------- */

static void
test_appointments (Fixture       *f,
                   gconstpointer  data)
{
  ChReport *report;
  GtkWidget *chart_view;
  GtkColumnView *column_view;
  int a, b, total;

  sign_in (f, "manager");
  g_assert_false (ch_reports_page_select_report (f->page, "no-such-report"));
  select_march (f->page);
  run_and_wait (f->page);

  g_assert_null (ch_reports_page_get_message (f->page));
  report = ch_reports_page_get_report (f->page);
  g_assert_nonnull (report);
  g_assert_true (ch_reports_page_get_shown (f->page) == report);

  a = find_row (report, provider_a_name);
  b = find_row (report, provider_b_name);
  total = find_row (report, "Total");
  g_assert_cmpint (ch_report_get_n_rows (report), ==, 3);
  g_assert_cmpint (int_cell (report, a, "Booked"), ==, 2);
  g_assert_cmpint (int_cell (report, a, "No-show"), ==, 1);
  g_assert_cmpint (int_cell (report, a, "Total"), ==, 3);
  g_assert_cmpint (int_cell (report, b, "Booked"), ==, 1);
  g_assert_cmpint (int_cell (report, b, "Total"), ==, 1);
  g_assert_cmpint (int_cell (report, total, "Total"), ==, 4);

  /* The table shows every column and row of it. */
  column_view = GTK_COLUMN_VIEW (ch_ui_test_child (f->page, CH_TYPE_REPORTS_PAGE, "column_view"));
  g_assert_cmpuint (g_list_model_get_n_items (gtk_column_view_get_columns (column_view)), ==,
                    ch_report_get_n_columns (report));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (column_view))), ==, 3);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (column_view)));

  /* Sorted by a column, by value; the totals stay last. */
  {
    GListModel *columns = gtk_column_view_get_columns (column_view);
    g_autoptr(GtkColumnViewColumn) total_column =
      g_list_model_get_item (columns, find_column (report, "Total"));

    gtk_column_view_sort_by_column (column_view, total_column, GTK_SORT_ASCENDING);
    g_assert_cmpuint (ch_reports_page_get_row_index (f->page, 0), ==, (guint) b);
    g_assert_cmpuint (ch_reports_page_get_row_index (f->page, 1), ==, (guint) a);
    g_assert_cmpuint (ch_reports_page_get_row_index (f->page, 2), ==, (guint) total);
    gtk_column_view_sort_by_column (column_view, total_column, GTK_SORT_DESCENDING);
    g_assert_cmpuint (ch_reports_page_get_row_index (f->page, 0), ==, (guint) a);
    g_assert_cmpuint (ch_reports_page_get_row_index (f->page, 1), ==, (guint) b);
    g_assert_cmpuint (ch_reports_page_get_row_index (f->page, 2), ==, (guint) total);
    g_assert_cmpuint (ch_reports_page_get_row_index (f->page, 3), ==, GTK_INVALID_LIST_POSITION);
  }

  /* And the chart, its bars on screen. */
  chart_view = GTK_WIDGET (ch_ui_test_child (f->page, CH_TYPE_REPORTS_PAGE, "chart_view"));
  CH_UI_TEST_WAIT (gtk_widget_get_mapped (chart_view) && gtk_widget_get_height (chart_view) > 0);
  ch_ui_test_spin (50);
  g_assert_cmpuint (count_series_pixels (chart_view), >, 50);

  /* One provider only. */
  g_assert_true (ch_reports_page_set_provider (f->page, provider_b));
  run_and_wait (f->page);
  report = ch_reports_page_get_report (f->page);
  g_assert_cmpint (find_row (report, provider_a_name), ==, -1);
  g_assert_cmpint (int_cell (report, find_row (report, provider_b_name), "Total"), ==, 1);
  g_assert_false (ch_reports_page_set_provider (f->page, "nobody"));

  /* Bad dates: said, and nothing run; the last result stays. */
  ch_reports_page_set_dates (f->page, "2025-02-30", "2025-03-31");
  run_and_wait (f->page);
  g_assert_true (ch_reports_page_get_report (f->page) == report);
  g_assert_nonnull (strstr (ch_reports_page_get_message (f->page), "YYYY-MM-DD"));

  ch_reports_page_set_dates (f->page, "2025-04-01", "2025-03-01");
  run_and_wait (f->page);
  g_assert_true (ch_reports_page_get_report (f->page) == report);
  g_assert_nonnull (strstr (ch_reports_page_get_message (f->page), "after"));

  /* A day picked on the calendar under the entry's icon is written in it. */
  {
    GtkEntry *to = GTK_ENTRY (ch_ui_test_child (f->page, CH_TYPE_REPORTS_PAGE, "to_entry"));
    GtkWidget *popover = NULL;
    GtkCalendar *calendar;
    g_autoptr(GDateTime) day = g_date_time_new_local (2025, 3, 31, 0, 0, 0);

    ch_reports_page_set_dates (f->page, "2025-03-01", "2025-04-15");
    g_signal_emit_by_name (to, "icon-press", GTK_ENTRY_ICON_SECONDARY);
    for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (to)); child != NULL;
         child = gtk_widget_get_next_sibling (child))
      if (GTK_IS_POPOVER (child))
        popover = child;
    g_assert_nonnull (popover);
    CH_UI_TEST_WAIT (gtk_widget_get_mapped (popover));
    calendar = GTK_CALENDAR (gtk_popover_get_child (GTK_POPOVER (popover)));
    gtk_calendar_select_day (calendar, day);
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (to)), ==, "2025-03-31");
    CH_UI_TEST_WAIT (!gtk_widget_get_mapped (popover));
    run_and_wait (f->page);
    g_assert_null (ch_reports_page_get_message (f->page));
    report = ch_reports_page_get_report (f->page);
    g_assert_cmpint (int_cell (report, find_row (report, "Total"), "Total"), ==, 1);
  }

  /* A named period fills in its dates. */
  g_assert_true (ch_reports_page_set_period (f->page, "last-month"));
  {
    g_autoptr(ChReportParams) params = ch_reports_page_get_params (f->page, NULL);

    g_assert_cmpstr (params->period, ==, "last-month");
  }
  run_and_wait (f->page);
  g_assert_nonnull (ch_reports_page_get_report (f->page));
  g_assert_null (ch_reports_page_get_message (f->page));
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  sign_in (f, "manager");
  select_march (f->page);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "reports.run", NULL));
  g_assert_true (ch_reports_page_get_running (f->page));
  /* While it runs, the session is free for others. */
  g_assert_false (ch_ui_session_is_busy (f->session));
  g_assert_true (ch_ui_test_press_key (f->page, GDK_KEY_Escape, 0));
  CH_UI_TEST_WAIT (!ch_reports_page_get_running (f->page));

  g_assert_null (ch_reports_page_get_report (f->page));
  g_assert_cmpstr (ch_reports_page_get_message (f->page), ==, "The report was cancelled");

  /* And runs again. */
  run_and_wait (f->page);
  g_assert_nonnull (ch_reports_page_get_report (f->page));
}

static char *
export_and_wait (Fixture               *f,
                 const char            *name,
                 ChReportsExportFormat  format)
{
  char *path = g_build_filename (f->tmp, name, NULL);

  ch_reports_page_export_to (f->page, path, format);
  g_assert_true (ch_reports_page_get_exporting (f->page));
  CH_UI_TEST_WAIT (!ch_reports_page_get_exporting (f->page));
  return path;
}

static void
test_export (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *csv_path = NULL, *pdf_path = NULL, *bad_path = NULL;
  g_autofree char *csv = NULL, *text = NULL, *expected = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) header = NULL;
  const char *body;
  char *argv[] = { (char *) "pdftotext", (char *) "-layout", NULL, (char *) "-", NULL };
  int status = 0;
  gboolean found = FALSE;
  GtkWindow *chooser = NULL;
  g_autofree char *current = NULL;

  sign_in (f, "manager");
  /* Nothing to export before a run. */
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (f->page), "reports.export-csv", NULL) &&
                  ch_reports_page_get_exporting (f->page));
  select_march (f->page);
  run_and_wait (f->page);

  /* The file chooser offers a name saying what and when. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "reports.export-csv", NULL));
  CH_UI_TEST_WAIT ((chooser = ch_ui_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG, NULL)) != NULL);
  current = gtk_file_chooser_get_current_name (GTK_FILE_CHOOSER (chooser));
  g_assert_cmpstr (current, ==, "appointments-2025-03-01-2025-03-31.csv");
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_CANCEL);
  CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG, NULL) == NULL);
  g_assert_false (ch_reports_page_get_exporting (f->page));

  csv_path = export_and_wait (f, "appointments-2025-03-01-2025-03-31.csv", CH_REPORTS_EXPORT_CSV);
  g_assert_cmpstr (ch_reports_page_get_message (f->page), ==,
                   "Exported to appointments-2025-03-01-2025-03-31.csv");
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, &error));
  g_assert_no_error (error);
  /* A byte order mark, for spreadsheets; then RFC 4180 records. */
  g_assert_true (g_str_has_prefix (csv, "\xef\xbb\xbf"));
  body = csv + 3;
  lines = g_strsplit (body, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 5);  /* header, 3 rows, "" after the last CRLF */
  header = g_strsplit (lines[0], ",", -1);
  g_assert_cmpstr (header[0], ==, "Provider");
  g_assert_cmpstr (header[g_strv_length (header) - 1], ==, "Total");
  for (guint i = 1; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], provider_a_name) || g_str_has_prefix (lines[i] + 1, provider_a_name))
      {
        g_auto(GStrv) cells = g_strsplit (lines[i], ",", -1);

        g_assert_cmpstr (cells[g_strv_length (cells) - 1], ==, "3");
        found = TRUE;
      }
  g_assert_true (found);
  g_assert_cmpstr (lines[3], ==, "Total,3,0,0,0,0,1,0,4");

  pdf_path = export_and_wait (f, "appointments.pdf", CH_REPORTS_EXPORT_PDF);
  argv[2] = pdf_path;
  g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, &text, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (text, "Appointments"));
  g_assert_nonnull (strstr (text, provider_a_name));
  g_assert_nonnull (strstr (text, "Page 1 of 1"));

  /* A folder that is not there: said, and no file. */
  bad_path = g_build_filename (f->tmp, "missing", "report.csv", NULL);
  g_free (export_and_wait (f, "missing/report.csv", CH_REPORTS_EXPORT_CSV));
  g_assert_false (g_file_test (bad_path, G_FILE_TEST_EXISTS));
  expected = g_strdup ("Could not export report.csv");
  g_assert_true (g_str_has_prefix (ch_reports_page_get_message (f->page), expected));
}

static AdwMessageDialog *
wait_dialog (Fixture *f)
{
  AdwMessageDialog *dialog = NULL;

  CH_UI_TEST_WAIT ((dialog = ADW_MESSAGE_DIALOG (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG,
                                                                           GTK_WINDOW (f->window)))) != NULL);
  return dialog;
}

static void
save_as (Fixture    *f,
         const char *name)
{
  AdwMessageDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "reports.save-filter", NULL));
  dialog = wait_dialog (f);
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "save"));
  ch_ui_test_set_text (adw_message_dialog_get_extra_child (dialog), name);
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "save"));
  ch_ui_test_respond (dialog, "save");
}

static void
test_saved_filters (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) filters = NULL;
  g_autoptr(ChReportFilter) saved = NULL;
  GtkWidget *page;
  GtkWidget *overlay;
  ChReportsPage *again;
  GtkWindow *window;
  AdwMessageDialog *dialog;
  ChReport *report;

  sign_in (f, "manager");
  select_march (f->page);
  g_assert_true (ch_reports_page_set_provider (f->page, provider_a));
  g_assert_true (ch_reports_page_set_option (f->page, "group", "status"));
  g_assert_false (ch_reports_page_set_option (f->page, "group", "weekday"));
  save_as (f, "March, first provider");
  g_assert_cmpstr (ch_reports_page_get_message (f->page), ==, "Filters saved as “March, first provider”");

  /* The same name again asks before replacing. */
  g_assert_true (ch_reports_page_set_option (f->page, "group", "provider"));
  save_as (f, "March, first provider");
  dialog = wait_dialog (f);
  g_assert_true (adw_message_dialog_has_response (dialog, "replace"));
  ch_ui_test_respond (dialog, "cancel");
  saved = ch_reports_filter_get (f->session, "appointments", "March, first provider", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ch_report_params_get_option (saved->params, "group"), ==, "status");
  g_clear_pointer (&saved, ch_report_filter_free);

  g_assert_true (ch_reports_page_set_option (f->page, "group", "status"));
  save_as (f, "March, first provider");
  ch_ui_test_respond (wait_dialog (f), "replace");
  saved = ch_reports_filter_get (f->session, "appointments", "March, first provider", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (saved->params->provider, ==, provider_a);
  g_assert_cmpstr (saved->params->from, ==, "2025-03-01");

  /* A page built anew offers them, and applying them runs the report. */
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 1000, 700);
  overlay = adw_toast_overlay_new ();
  page = ch_reports_page_new (f->session);
  again = CH_REPORTS_PAGE (page);
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), page);
  gtk_window_set_child (window, overlay);
  gtk_window_present (window);

  g_assert_true (ch_reports_page_select_report (again, "appointments"));
  g_assert_false (ch_reports_page_apply_filter (again, "No such filters", &error));
  g_assert_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (gtk_widget_activate_action (page, "reports.apply-filter", "s", "March, first provider"));
  g_assert_true (ch_reports_page_get_running (again));
  CH_UI_TEST_WAIT (!ch_reports_page_get_running (again));
  report = ch_reports_page_get_report (again);
  g_assert_nonnull (report);
  /* By status, for the first provider: 2 booked, 1 no-show. */
  g_assert_cmpstr (ch_report_get_column_name (report, 0), ==, "Status");
  g_assert_cmpint (int_cell (report, find_row (report, "Booked"), "Appointments"), ==, 2);
  g_assert_cmpint (int_cell (report, find_row (report, "No-show"), "Appointments"), ==, 1);
  g_assert_cmpint (int_cell (report, find_row (report, "Total"), "Appointments"), ==, 3);

  /* Deleting asks first. */
  g_assert_true (gtk_widget_activate_action (page, "reports.delete-filter", "s", "March, first provider"));
  CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, window) != NULL);
  ch_ui_test_respond (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, window), "delete");
  filters = ch_reports_filter_list (f->session, "appointments", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (filters->len, ==, 0);

  g_object_ref (page);
  gtk_window_destroy (window);
  ch_ui_test_spin (20);
  g_assert_finalize_object (page);
}

/* ---- other roles ------------------------------------------------------------------ */

static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  sign_in (f, "admin");

  /* Counts are the administrator's; names are not. */
  g_assert_true (ch_reports_page_select_report (f->page, "quality"));
  g_assert_cmpstr (ch_reports_page_get_message (f->page), ==,
                   "This report lists patients by name, which your role may not see");
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (ch_ui_test_child (f->page, CH_TYPE_REPORTS_PAGE,
                                                                          "run_button"))));
  ch_reports_page_run (f->page);
  g_assert_false (ch_reports_page_get_running (f->page));
  g_assert_null (ch_reports_page_get_report (f->page));

  select_march (f->page);
  g_assert_null (ch_reports_page_get_message (f->page));
  run_and_wait (f->page);
  g_assert_nonnull (ch_reports_page_get_report (f->page));
}

static void
test_quality_patients (Fixture       *f,
                       gconstpointer  data)
{
  ChReport *report, *detail = NULL;
  ChPatientsPage *patients;
  ChPatientView *view;
  const ChPatientRecord *record;
  gint64 patient_id;
  guint row = 0;

  sign_in (f, "doctor");
  g_assert_true (ch_reports_page_select_report (f->page, "quality"));
  g_assert_true (ch_reports_page_set_period (f->page, "last-12-months"));
  run_and_wait (f->page);
  report = ch_reports_page_get_report (f->page);
  g_assert_nonnull (report);

  for (row = 0; row < ch_report_get_n_rows (report); row++)
    {
      detail = ch_report_get_row_detail (report, row);
      if (detail != NULL && ch_report_get_n_rows (detail) > 0)
        break;
    }
  g_assert_nonnull (detail);
  g_assert_cmpuint (ch_report_get_n_rows (detail), >, 0);

  /* The measure's patients in place, and back. */
  ch_reports_page_activate_row (f->page, row);
  g_assert_true (ch_reports_page_get_shown (f->page) == detail);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (ch_ui_test_child (f->page, CH_TYPE_REPORTS_PAGE,
                                                                        "back_button"))));
  g_assert_true (ch_ui_test_press_key (f->page, GDK_KEY_Escape, 0));
  g_assert_true (ch_reports_page_get_shown (f->page) == report);
  ch_reports_page_activate_row (f->page, row);
  g_assert_true (ch_reports_page_get_shown (f->page) == detail);

  /* A patient's row opens the chart. */
  patient_id = ch_report_get_row_patient (detail, 0);
  g_assert_cmpint (patient_id, >, 0);
  ch_reports_page_activate_row (f->page, 0);
  CH_UI_TEST_WAIT (g_strcmp0 (ch_main_page_get_visible_section (CH_MAIN_PAGE (f->main_page)), "patients") == 0);
  patients = CH_PATIENTS_PAGE (ch_main_page_get_section_widget (CH_MAIN_PAGE (f->main_page), "patients"));
  view = CH_PATIENT_VIEW (ch_patients_page_get_patient_view (patients));
  CH_UI_TEST_WAIT (!ch_patients_page_get_busy (patients) && ch_patient_view_get_record (view) != NULL &&
                   !ch_ui_session_is_busy (f->session));
  record = ch_patient_view_get_record (view);
  g_assert_cmpint (record->id, ==, patient_id);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  ch_ui_test_init (&argc, &argv);
  make_practice ();

  g_test_add ("/reports-page/appointments", Fixture, NULL, NULL, test_appointments, fixture_tear_down);
  g_test_add ("/reports-page/cancel", Fixture, NULL, NULL, test_cancel, fixture_tear_down);
  g_test_add ("/reports-page/export", Fixture, NULL, NULL, test_export, fixture_tear_down);
  g_test_add ("/reports-page/saved-filters", Fixture, NULL, NULL, test_saved_filters, fixture_tear_down);
  g_test_add ("/reports-page/refused", Fixture, NULL, NULL, test_refused, fixture_tear_down);
  g_test_add ("/reports-page/quality-patients", Fixture, NULL, NULL, test_quality_patients,
              fixture_tear_down);

  status = g_test_run ();

  ch_ui_test_remove_dir (practice_dir);
  return status;
}
