/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-chart"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-chart.h"
#include "ch-chart-history.h"
#include "ch-chart-item-dialog.h"
#include "ch-chart-summary-view.h"
#include "ch-demo.h"
#include "ch-encounter-dialog.h"
#include "ch-main-page.h"
#include "ch-notes.h"
#include "ch-notes-editor.h"
#include "ch-notes-item.h"
#include "ch-notes-list.h"
#include "ch-patient-view.h"
#include "ch-patients-page.h"
#include "ch-patients.h"
#include "ch-preferences-window.h"
#include "ch-prescribe-dialog.h"
#include "ch-prescribing.h"
#include "ch-reconcile-dialog.h"
#include "ch-refills-page.h"
#include "ch-refills.h"
#include "ch-trend-window.h"
#include "ch-ui.h"
#include "ch-ui-test-util.h"
#include "ch-vitals-dialog.h"

/* The chart in the real window over a demo practice: the summary as the
 * controller opens it, vital signs, problems with their changes and
 * "entered in error", progress notes signed, amended and co-signed, and
 * nothing clinical for the front desk. Driven through the widgets' actions,
 * checked against what the controller then holds. */

#define DEMO_PATIENTS 10

typedef struct
{
  char           *dir;
  ChWindow       *window;
  ChSession      *session;
  ChPatientsPage *page;
  gint64          patient_id;
} Fixture;

static void
sign_in (Fixture    *f,
         const char *username)
{
  GtkWidget *main_page;

  f->window = ch_ui_test_window_new (f->dir);
  ch_ui_test_window_sign_in (f->window, username, CH_DEMO_PASSWORD);
  f->session = ch_window_get_session (f->window);

  main_page = ch_window_get_main_page (f->window);
  CH_UI_TEST_WAIT (ch_main_page_get_section_widget (CH_MAIN_PAGE (main_page), "patients") != NULL);
  f->page = CH_PATIENTS_PAGE (ch_main_page_get_section_widget (CH_MAIN_PAGE (main_page),
                                                               "patients"));
  ch_ui_test_spin (20);
}

static void
sign_out (Fixture *f)
{
  ch_ui_test_window_destroy (f->window);
  f->window = NULL;
  f->session = NULL;
  f->page = NULL;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autofree char *tmp = ch_ui_test_make_tmp_dir ();

  f->dir = g_build_filename (tmp, "practice", NULL);
  ch_demo_create (f->dir, DEMO_PATIENTS, 11, NULL, &error);
  g_assert_no_error (error);

  sign_in (f, data != NULL ? data : "doctor");

  /* An adult of the demo practice, with a chart. */
  hits = ch_patients_search (f->session, "", DEMO_PATIENTS, &error);
  g_assert_no_error (error);
  if (hits->len == 0)
    {
      g_clear_pointer (&hits, g_ptr_array_unref);
      hits = ch_patients_search (f->session, "a", DEMO_PATIENTS, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpuint (hits->len, >, 0);
  for (guint i = 0; i < hits->len && f->patient_id == 0; i++)
    {
      const ChPatientHit *hit = g_ptr_array_index (hits, i);

      if (hit->birth_date != NULL && strncmp (hit->birth_date, "2005", 4) < 0)
        f->patient_id = hit->id;
    }
  if (f->patient_id == 0)
    f->patient_id = ((const ChPatientHit *) g_ptr_array_index (hits, 0))->id;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->window != NULL)
    sign_out (f);
  ch_ui_test_remove_dir (f->dir);
  g_free (f->dir);
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

static ChChartSummaryView *
chart (Fixture *f)
{
  return CH_CHART_SUMMARY_VIEW (view_child (f, "chart_view"));
}

static ChNotesList *
notes (Fixture *f)
{
  return CH_NOTES_LIST (view_child (f, "notes_list"));
}

static void
wait_idle (Fixture *f)
{
  CH_UI_TEST_WAIT (!ch_ui_session_is_busy (f->session) &&
                   !ch_chart_summary_view_get_busy (chart (f)) &&
                   !ch_notes_list_get_busy (notes (f)));
  ch_ui_test_spin (20);
}

/* Opens the patient as the search does, and waits for the chart and the
 * notes to be read. */
static void
open_patient (Fixture *f)
{
  ch_patients_page_open_patient (f->page, f->patient_id);
  CH_UI_TEST_WAIT (!ch_patients_page_get_busy (f->page) &&
                   ch_patient_view_get_record (view (f)) != NULL &&
                   ch_patient_view_get_record (view (f))->id == f->patient_id);
  wait_idle (f);
}

static void
wait_chart (Fixture *f)
{
  CH_UI_TEST_WAIT (ch_chart_summary_view_get_summary (chart (f)) != NULL);
  wait_idle (f);
}

static gpointer
find_toplevel (Fixture *f,
               GType    type)
{
  GtkWindow *window;

  ch_ui_test_spin (20);
  window = ch_ui_test_find_toplevel (type, NULL);
  g_assert_nonnull (window);

  return window;
}

/* Activates @action of @window and waits for its worker; returns whether
 * the window closed. */
static gboolean
run_window_action (Fixture     *f,
                   gpointer     window,
                   const char  *action,
                   gboolean   (*get_busy) (gpointer))
{
  GtkWidget *dialog = window;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (gtk_widget_activate_action (dialog, action, NULL));
  CH_UI_TEST_WAIT (dialog == NULL || !get_busy (dialog));
  wait_idle (f);

  if (dialog == NULL)
    return TRUE;

  g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  return FALSE;
}

/* The titles of the rows in @widget, in order, not those folded inside an
 * expander row. */
static void
collect_titles (GtkWidget *widget,
                GPtrArray *titles)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (ADW_IS_ACTION_ROW (child) || ADW_IS_EXPANDER_ROW (child))
        {
          AdwPreferencesRow *row = ADW_PREFERENCES_ROW (child);

          g_ptr_array_add (titles, (gpointer) adw_preferences_row_get_title (row));
          continue;
        }
      collect_titles (child, titles);
    }
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
item_row (Fixture *f,
          gint64   id)
{
  g_autofree char *name = g_strdup_printf ("item-%" G_GINT64_FORMAT, id);

  return find_named (GTK_WIDGET (chart (f)), name);
}

static GtkWidget *
group (Fixture    *f,
       const char *name)
{
  return GTK_WIDGET (ch_ui_test_child (chart (f), CH_TYPE_CHART_SUMMARY_VIEW, name));
}

static void
set_field (gpointer    window,
           GType       type,
           const char *name,
           const char *text)
{
  ch_ui_test_set_text (ch_ui_test_child (window, type, name), text);
}

static const char *
field_text (gpointer    window,
            GType       type,
            const char *name)
{
  return gtk_editable_get_text (GTK_EDITABLE (ch_ui_test_child (window, type, name)));
}

static void
set_view_text (gpointer    window,
               GType       type,
               const char *name,
               const char *text)
{
  GtkTextView *view = GTK_TEXT_VIEW (ch_ui_test_child (window, type, name));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), text, -1);
}

static gboolean
child_visible (gpointer    widget,
               GType       type,
               const char *name)
{
  return gtk_widget_get_visible (GTK_WIDGET (ch_ui_test_child (widget, type, name)));
}

static gboolean
child_sensitive (gpointer    widget,
                 GType       type,
                 const char *name)
{
  return gtk_widget_get_sensitive (GTK_WIDGET (ch_ui_test_child (widget, type, name)));
}

static const ChChartItem *
find_code (GPtrArray  *items,
           const char *code)
{
  for (guint i = 0; i < items->len; i++)
    {
      const ChChartItem *item = g_ptr_array_index (items, i);

      if (g_strcmp0 (item->code, code) == 0)
        return item;
    }

  return NULL;
}

static const ChChartItem *
find_id (GPtrArray *items,
         gint64     id)
{
  for (guint i = 0; i < items->len; i++)
    {
      const ChChartItem *item = g_ptr_array_index (items, i);

      if (item->id == id)
        return item;
    }

  return NULL;
}

/* The summary shows what ch_chart_open() returns: the problems, in order,
 * and allergies never as an empty list. */
static void
test_chart_summary (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(ChChartSummary) summary = NULL;
  g_autoptr(GPtrArray) titles = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GtkStack *pages;

  open_patient (f);
  wait_chart (f);

  pages = GTK_STACK (view_child (f, "pages"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (pages), ==, "chart");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (view_child (f, "page_switcher"))));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (view_child (f, "edit_button"))));

  summary = ch_chart_open (f->session, f->patient_id, &error);
  g_assert_no_error (error);

  collect_titles (group (f, "problems_group"), titles);
  g_assert_cmpuint (titles->len, ==, summary->problems->len);
  for (guint i = 0; i < summary->problems->len; i++)
    {
      const ChChartItem *problem = g_ptr_array_index (summary->problems, i);

      g_assert_cmpstr (g_ptr_array_index (titles, i), ==, problem->display);
      g_assert_nonnull (item_row (f, problem->id));
    }

  g_ptr_array_set_size (titles, 0);
  collect_titles (group (f, "medications_group"), titles);
  for (guint i = 0; i < summary->medications->len; i++)
    g_assert_cmpstr (g_ptr_array_index (titles, i), ==,
                     ((const ChChartItem *) g_ptr_array_index (summary->medications, i))->display);

  if (summary->allergies->len > 0)
    g_assert_nonnull (item_row (f, ((const ChChartItem *) g_ptr_array_index (summary->allergies,
                                                                              0))->id));
  else if (summary->no_known_allergies)
    g_assert_nonnull (find_named (group (f, "allergies_group"), "no-known-allergies"));
  else
    g_assert_nonnull (find_named (group (f, "allergies_group"), "allergies-not-recorded"));

  if (summary->vitals->len > 0)
    g_assert_nonnull (find_named (group (f, "vitals_group"), "vital-bp"));

  /* The summary for the patient, as a PDF, from the patient view. */
  {
    g_autofree char *pdf = g_build_filename (f->dir, "summary.pdf", NULL);
    g_autofree char *contents = NULL;
    gsize len = 0;
    ChAuditFilter filter = { .action = CH_AUDIT_PRINT };

    g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (view_child (f, "print_button"))));
    ch_patient_view_print_summary_to (view (f), pdf);
    CH_UI_TEST_WAIT (!ch_patient_view_get_busy (view (f)));
    g_assert_true (g_file_get_contents (pdf, &contents, &len, NULL));
    g_assert_true (len > 1000 && memcmp (contents, "%PDF-", 5) == 0);
    g_assert_cmpint (ch_db_audit_count (ch_session_get_store (f->session), &filter, NULL), ==, 1);
  }
}

/* A set of vital signs typed into the dialog, in either system, is
 * recorded with its BMI; an implausible value is marked and stops it. */
static void
test_chart_vitals (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) vitals = NULL;
  g_autoptr(GError) error = NULL;
  const ChChartItem *systolic, *bmi, *weight;
  const ChChartSummary *summary;
  ChVitalsDialog *dialog;
  GType type = CH_TYPE_VITALS_DIALOG;
  gboolean (*busy) (gpointer) = (gboolean (*) (gpointer)) ch_vitals_dialog_get_busy;
  gboolean seen = FALSE;

  open_patient (f);
  wait_chart (f);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart (f)), "chart.record-vitals", NULL));
  dialog = find_toplevel (f, type);

  set_field (dialog, type, "systolic_row", "128");
  set_field (dialog, type, "diastolic_row", "82");
  set_field (dialog, type, "pulse_row", "66");
  set_field (dialog, type, "height_row", "180");
  set_field (dialog, type, "weight_row", "81");

  /* Imperial converts what is typed, and back. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "vitals.imperial", NULL));
  g_assert_true (ch_vitals_dialog_get_imperial (dialog));
  g_assert_cmpstr (field_text (dialog, type, "weight_row"), ==, "178.6");
  g_assert_cmpstr (field_text (dialog, type, "height_row"), ==, "70.9");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "vitals.imperial", NULL));
  g_assert_false (ch_vitals_dialog_get_imperial (dialog));
  g_assert_cmpstr (field_text (dialog, type, "weight_row"), ==, "81");

  /* Not plausible: marked, shown, nothing stored. */
  set_field (dialog, type, "temperature_row", "52");
  g_assert_false (run_window_action (f, dialog, "vitals.save", busy));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (ch_ui_test_child (dialog, type,
                                                                         "temperature_row")),
                                           "error"));
  g_assert_true (child_visible (dialog, type, "error_label"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (ch_ui_test_child (dialog, type,
                                                                             "error_label"))),
                            "plausible"));
  vitals = ch_chart_list (f->session, f->patient_id, CH_SECTION_VITAL, FALSE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < vitals->len; i++)
    g_assert_cmpfloat (((const ChChartItem *) g_ptr_array_index (vitals, i))->value_num, !=, 52);
  g_clear_pointer (&vitals, g_ptr_array_unref);

  set_field (dialog, type, "temperature_row", "37,2");
  g_assert_true (run_window_action (f, dialog, "vitals.save", busy));

  /* Newest first: this set, with the BMI computed from it. */
  vitals = ch_chart_list (f->session, f->patient_id, CH_SECTION_VITAL, FALSE, &error);
  g_assert_no_error (error);
  systolic = find_code (vitals, CH_LOINC_SYSTOLIC);
  bmi = find_code (vitals, CH_LOINC_BMI);
  weight = find_code (vitals, CH_LOINC_WEIGHT);
  g_assert_nonnull (systolic);
  g_assert_nonnull (bmi);
  g_assert_nonnull (weight);
  g_assert_cmpfloat (systolic->value_num, ==, 128);
  g_assert_cmpfloat (weight->value_num, ==, 81);
  g_assert_cmpfloat (fabs (bmi->value_num - 25.0), <, 0.05);
  g_assert_cmpint (bmi->effective_at, ==, systolic->effective_at);
  g_assert_cmpfloat (fabs (find_code (vitals, CH_LOINC_TEMPERATURE)->value_num - 37.2), <, 1e-6);

  /* The summary is read again and shows them. */
  wait_chart (f);
  summary = ch_chart_summary_view_get_summary (chart (f));
  for (guint i = 0; i < summary->vitals->len; i++)
    {
      const ChVitalSummary *vital = g_ptr_array_index (summary->vitals, i);

      if (g_strcmp0 (vital->latest->code, CH_LOINC_SYSTOLIC) == 0)
        {
          g_assert_cmpint (vital->latest->id, ==, systolic->id);
          seen = TRUE;
        }
    }
  g_assert_true (seen);

  /* Its trend: a plot of every value. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart (f)), "chart.trend", "(sss)",
                                             CH_SECTION_VITAL, CH_LOINC_WEIGHT, "Weight"));
  {
    ChTrendWindow *trend = find_toplevel (f, CH_TYPE_TREND_WINDOW);
    g_autoptr(GPtrArray) series = NULL;

    CH_UI_TEST_WAIT (!ch_trend_window_get_busy (trend));
    series = ch_chart_series (f->session, f->patient_id, CH_SECTION_VITAL, CH_LOINC_WEIGHT, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ch_trend_window_get_n_values (trend), ==, series->len);
    gtk_window_destroy (GTK_WINDOW (trend));
    wait_idle (f);
  }
}

/* A problem added through the dialog (coded from the ICD-10 list) is
 * listed; a change needs a reason and keeps the earlier version; marked
 * entered in error, with a reason, it leaves the summary but not the
 * record. */
static void
test_chart_problem (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GError) error = NULL;
  GType type = CH_TYPE_CHART_ITEM_DIALOG;
  gboolean (*busy) (gpointer) = (gboolean (*) (gpointer)) ch_chart_item_dialog_get_busy;
  g_autofree char *code = NULL;
  const ChChartItem *problem;
  ChChartItemDialog *dialog;
  ChChartHistory *versions;
  AdwMessageDialog *confirm;
  gint64 id = 0;

  open_patient (f);
  wait_chart (f);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart (f)), "chart.add", "s",
                                             CH_SECTION_PROBLEM));
  dialog = find_toplevel (f, type);

  /* Typing offers codes from the shipped list; picking one codes it. */
  set_field (dialog, type, "name_row", "migraine");
  g_assert_cmpuint (ch_chart_item_dialog_get_n_suggestions (dialog), >, 0);
  ch_chart_item_dialog_pick_suggestion (dialog, 0);
  g_assert_nonnull (ch_chart_item_dialog_get_code (dialog));
  g_assert_cmpuint (ch_chart_item_dialog_get_n_suggestions (dialog), ==, 0);
  code = g_strdup (ch_chart_item_dialog_get_code (dialog));
  g_assert_true (g_str_has_prefix (code, "G43"));
  set_field (dialog, type, "start_row", "2020-03-01");
  g_assert_true (run_window_action (f, dialog, "item-dialog.save", busy));

  problems = ch_chart_list (f->session, f->patient_id, CH_SECTION_PROBLEM, FALSE, &error);
  g_assert_no_error (error);
  problem = find_code (problems, code);
  g_assert_nonnull (problem);
  g_assert_cmpstr (problem->code_system, ==, "icd10cm");
  g_assert_cmpstr (problem->start_date, ==, "2020-03-01");
  g_assert_cmpstr (problem->clinical_status, ==, "active");
  id = problem->id;
  wait_chart (f);
  g_assert_nonnull (item_row (f, id));

  /* Resolved: not without a reason. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart (f)), "chart.edit", "x", id));
  dialog = find_toplevel (f, type);
  g_assert_cmpstr (ch_chart_item_dialog_get_code (dialog), ==, code);
  adw_combo_row_set_selected (ADW_COMBO_ROW (ch_ui_test_child (dialog, type, "status_row")), 1);
  g_assert_true (child_visible (dialog, type, "end_row"));
  set_field (dialog, type, "end_row", "2024-06-30");
  g_assert_false (run_window_action (f, dialog, "item-dialog.save", busy));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (ch_ui_test_child (dialog, type,
                                                                         "reason_row")),
                                           "error"));
  set_field (dialog, type, "reason_row", "Resolved after treatment");
  g_assert_true (run_window_action (f, dialog, "item-dialog.save", busy));

  g_clear_pointer (&problems, g_ptr_array_unref);
  problems = ch_chart_list (f->session, f->patient_id, CH_SECTION_PROBLEM, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (find_id (problems, id)->clinical_status, ==, "resolved");
  g_assert_cmpstr (find_id (problems, id)->end_date, ==, "2024-06-30");
  history = ch_chart_item_history (f->session, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 1);
  g_assert_cmpstr (((const ChHistoryEntry *) g_ptr_array_index (history, 0))->reason, ==,
                   "Resolved after treatment");

  /* Its earlier version, in the history window. */
  wait_chart (f);
  g_assert_true (gtk_widget_has_css_class (item_row (f, id), "chart-inactive"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart (f)), "chart.history", "x", id));
  versions = find_toplevel (f, CH_TYPE_CHART_HISTORY);
  g_assert_cmpuint (ch_chart_history_get_n_versions (versions), ==, 1);
  gtk_window_destroy (GTK_WINDOW (versions));
  ch_ui_test_spin (20);

  /* Entered in error: a reason first, then gone from the summary only. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart (f)), "chart.entered-in-error",
                                             "x", id));
  confirm = find_toplevel (f, ADW_TYPE_MESSAGE_DIALOG);
  g_assert_false (adw_message_dialog_get_response_enabled (confirm, "confirm"));
  ch_ui_test_set_text (adw_message_dialog_get_extra_child (confirm), "Wrong patient");
  g_assert_true (adw_message_dialog_get_response_enabled (confirm, "confirm"));
  ch_ui_test_respond (confirm, "confirm");
  wait_chart (f);

  g_clear_pointer (&problems, g_ptr_array_unref);
  problems = ch_chart_list (f->session, f->patient_id, CH_SECTION_PROBLEM, FALSE, &error);
  g_assert_no_error (error);
  g_assert_null (find_id (problems, id));
  g_clear_pointer (&problems, g_ptr_array_unref);
  problems = ch_chart_list (f->session, f->patient_id, CH_SECTION_PROBLEM, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (find_id (problems, id));
  g_assert_cmpstr (find_id (problems, id)->status, ==, "entered-in-error");
  g_assert_null (item_row (f, id));
  g_assert_null (ch_chart_summary_view_find_item (chart (f), id));
}

/* A smoking status, chosen in the history dialog for a social entry, is
 * recorded coded (LOINC 72166-2, the SNOMED CT answer as its value) and
 * named when left undescribed; the choice shows only for social history,
 * comes back when the entry is changed, and "none" takes the coding back. */
static void
test_chart_smoking_status (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GError) error = NULL;
  GType type = CH_TYPE_CHART_ITEM_DIALOG;
  gboolean (*busy) (gpointer) = (gboolean (*) (gpointer)) ch_chart_item_dialog_get_busy;
  AdwComboRow *kind, *smoking;
  const ChChartItem *entry = NULL;
  ChChartItemDialog *dialog;
  gint64 newest = 0;

  open_patient (f);
  wait_chart (f);
  /* The demo's patients may have a smoking status already. */
  history = ch_chart_list (f->session, f->patient_id, CH_SECTION_HISTORY, TRUE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < history->len; i++)
    newest = MAX (newest, ((ChChartItem *) history->pdata[i])->id);
  g_clear_pointer (&history, g_ptr_array_unref);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart (f)), "chart.add", "s",
                                             CH_SECTION_HISTORY));
  dialog = find_toplevel (f, type);
  kind = ADW_COMBO_ROW (ch_ui_test_child (dialog, type, "kind_row"));
  smoking = ADW_COMBO_ROW (ch_ui_test_child (dialog, type, "smoking_row"));
  adw_combo_row_set_selected (kind, 0);                       /* medical */
  g_assert_false (child_visible (dialog, type, "smoking_row"));
  adw_combo_row_set_selected (kind, 3);                       /* social */
  g_assert_true (child_visible (dialog, type, "smoking_row"));
  adw_combo_row_set_selected (smoking, 3);                    /* former smoker */
  g_assert_true (run_window_action (f, dialog, "item-dialog.save", busy));

  history = ch_chart_list (f->session, f->patient_id, CH_SECTION_HISTORY, FALSE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < history->len; i++)
    if (((ChChartItem *) history->pdata[i])->id > newest)
      entry = history->pdata[i];
  g_assert_nonnull (entry);
  g_assert_cmpstr (entry->code, ==, CH_LOINC_SMOKING_STATUS);
  g_assert_cmpstr (entry->kind, ==, "social");
  g_assert_cmpstr (entry->code_system, ==, "loinc");
  g_assert_cmpstr (entry->value_text, ==, "8517006");
  g_assert_cmpstr (entry->display, ==, "Former smoker");

  /* Changed back to no smoking status: uncoded, with a reason. */
  wait_chart (f);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart (f)), "chart.edit", "x", entry->id));
  dialog = find_toplevel (f, type);
  smoking = ADW_COMBO_ROW (ch_ui_test_child (dialog, type, "smoking_row"));
  g_assert_true (child_visible (dialog, type, "smoking_row"));
  g_assert_cmpuint (adw_combo_row_get_selected (smoking), ==, 3);
  adw_combo_row_set_selected (smoking, 0);
  set_field (dialog, type, "reason_row", "Recorded by mistake");
  g_assert_true (run_window_action (f, dialog, "item-dialog.save", busy));
  {
    g_autoptr(GPtrArray) again = ch_chart_list (f->session, f->patient_id, CH_SECTION_HISTORY,
                                                FALSE, &error);
    const ChChartItem *changed = find_id (again, entry->id);

    g_assert_no_error (error);
    g_assert_nonnull (changed);
    g_assert_cmpstr (changed->code, !=, CH_LOINC_SMOKING_STATUS);
    g_assert_cmpstr (changed->value_text, ==, "");
  }
}

/* An encounter added through the dialog, today and now unless changed, is
 * the chart's newest, with its kind, reason and the user as provider; a
 * date that is not one is marked and stops it. */
static void
test_chart_encounter (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(ChChartSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  GType type = CH_TYPE_ENCOUNTER_DIALOG;
  gboolean (*busy) (gpointer) = (gboolean (*) (gpointer)) ch_encounter_dialog_get_busy;
  const ChEncounterRecord *first;
  ChEncounterDialog *dialog;

  open_patient (f);
  wait_chart (f);

  g_assert_true (child_sensitive (chart (f), CH_TYPE_CHART_SUMMARY_VIEW, "add_encounter_button"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart (f)), "chart.add-encounter", NULL));
  dialog = find_toplevel (f, type);
  g_assert_cmpstr (field_text (dialog, type, "date_row"), ==, today);
  g_assert_cmpuint (strlen (field_text (dialog, type, "time_row")), ==, 5);

  set_field (dialog, type, "date_row", "2024-13-40");
  set_field (dialog, type, "reason_row", "Follow-up of blood pressure");
  adw_combo_row_set_selected (ADW_COMBO_ROW (ch_ui_test_child (dialog, type, "kind_row")), 1);
  g_assert_false (run_window_action (f, dialog, "encounter.save", busy));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (ch_ui_test_child (dialog, type,
                                                                         "date_row")),
                                           "error"));
  g_assert_true (child_visible (dialog, type, "error_label"));

  set_field (dialog, type, "date_row", today);
  g_assert_true (run_window_action (f, dialog, "encounter.save", busy));

  summary = ch_chart_open (f->session, f->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->encounters->len, >, 0);
  first = g_ptr_array_index (summary->encounters, 0);
  g_assert_cmpstr (first->reason, ==, "Follow-up of blood pressure");
  g_assert_cmpstr (first->kind, ==, "telephone");
  g_assert_cmpstr (first->provider, ==, "doctor");
  g_assert_cmpint (ABS (first->start_at - g_get_real_time ()), <, 2 * 60 * G_USEC_PER_SEC);

  /* The summary is read again and lists it first. */
  wait_chart (f);
  first = g_ptr_array_index (ch_chart_summary_view_get_summary (chart (f))->encounters, 0);
  g_assert_cmpstr (first->reason, ==, "Follow-up of blood pressure");
}

/* The target of @action in @menu or its sections, or %NULL. */
static GVariant *
menu_target (GMenuModel *menu,
             const char *action)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *name = NULL;
      g_autoptr(GMenuModel) section = NULL;

      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &name) &&
          g_strcmp0 (name, action) == 0)
        return g_menu_model_get_item_attribute_value (menu, i, G_MENU_ATTRIBUTE_TARGET, NULL);

      section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);
      if (section != NULL)
        {
          GVariant *target = menu_target (section, action);

          if (target != NULL)
            return target;
        }
    }

  return NULL;
}

/* Marks the vital sign of the row named @row_name entered in error through
 * the row's menu; returns the id it was asked for. */
static gint64
retract_vital_row (Fixture    *f,
                   const char *row_name,
                   const char *reason)
{
  GtkWidget *row = find_named (group (f, "vitals_group"), row_name);
  g_autoptr(GVariant) target = NULL;
  AdwMessageDialog *confirm;
  GtkWidget *more;
  gint64 id;

  g_assert_nonnull (row);
  /* Clicking it still shows the trend. */
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (row)), ==, "chart.trend");

  more = find_named (row, "more");
  g_assert_true (GTK_IS_MENU_BUTTON (more));
  target = menu_target (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (more)),
                        "chart.entered-in-error");
  g_assert_nonnull (target);
  id = g_variant_get_int64 (target);

  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (chart (f)),
                                                     "chart.entered-in-error", target));
  confirm = find_toplevel (f, ADW_TYPE_MESSAGE_DIALOG);
  g_assert_false (adw_message_dialog_get_response_enabled (confirm, "confirm"));
  ch_ui_test_set_text (adw_message_dialog_get_extra_child (confirm), reason);
  ch_ui_test_respond (confirm, "confirm");
  wait_chart (f);

  return id;
}

static const ChChartItem *
summary_vital (Fixture    *f,
               const char *code)
{
  const ChChartSummary *summary = ch_chart_summary_view_get_summary (chart (f));

  for (guint i = 0; i < summary->vitals->len; i++)
    {
      const ChVitalSummary *vital = g_ptr_array_index (summary->vitals, i);

      if (g_strcmp0 (vital->latest->code, code) == 0)
        return vital->latest;
    }

  return NULL;
}

/* The latest weight, marked entered in error from its row with a reason,
 * gives way to the one before and stays in the record; a blood pressure
 * goes with both its halves. */
static void
test_chart_vital_error (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) series = NULL;
  g_autoptr(GPtrArray) vitals = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *weight_row = g_strdup_printf ("vital-%s", CH_LOINC_WEIGHT);
  const ChChartItem *latest, *shown, *systolic, *diastolic;
  gint64 latest_id, bp_at;
  gint64 id;

  open_patient (f);
  wait_chart (f);

  series = ch_chart_series (f->session, f->patient_id, CH_SECTION_VITAL, CH_LOINC_WEIGHT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (series->len, >, 0);
  latest = g_ptr_array_index (series, series->len - 1);
  latest_id = latest->id;
  g_assert_cmpint (summary_vital (f, CH_LOINC_WEIGHT)->id, ==, latest_id);

  id = retract_vital_row (f, weight_row, "Weighed with a coat on");
  g_assert_cmpint (id, ==, latest_id);

  shown = summary_vital (f, CH_LOINC_WEIGHT);
  if (series->len > 1)
    {
      const ChChartItem *before = g_ptr_array_index (series, series->len - 2);

      g_assert_nonnull (shown);
      g_assert_cmpint (shown->id, ==, before->id);
      g_assert_cmpfloat (shown->value_num, ==, before->value_num);
    }
  else
    g_assert_null (shown);

  vitals = ch_chart_list (f->session, f->patient_id, CH_SECTION_VITAL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (find_id (vitals, latest_id));
  g_assert_cmpstr (find_id (vitals, latest_id)->status, ==, "entered-in-error");
  g_clear_pointer (&vitals, g_ptr_array_unref);

  /* Blood pressure: the systolic and the diastolic of that time, both. */
  systolic = summary_vital (f, CH_LOINC_SYSTOLIC);
  diastolic = summary_vital (f, CH_LOINC_DIASTOLIC);
  g_assert_nonnull (systolic);
  g_assert_nonnull (diastolic);
  g_assert_cmpint (systolic->effective_at, ==, diastolic->effective_at);
  bp_at = systolic->effective_at;
  id = retract_vital_row (f, "vital-bp", "Wrong cuff size");

  vitals = ch_chart_list (f->session, f->patient_id, CH_SECTION_VITAL, TRUE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < vitals->len; i++)
    {
      const ChChartItem *item = g_ptr_array_index (vitals, i);

      if (item->effective_at == bp_at &&
          (g_strcmp0 (item->code, CH_LOINC_SYSTOLIC) == 0 ||
           g_strcmp0 (item->code, CH_LOINC_DIASTOLIC) == 0))
        g_assert_cmpstr (item->status, ==, "entered-in-error");
    }
  g_assert_cmpstr (find_id (vitals, id)->status, ==, "entered-in-error");
  shown = summary_vital (f, CH_LOINC_SYSTOLIC);
  g_assert_true (shown == NULL || shown->effective_at != bp_at);
  shown = summary_vital (f, CH_LOINC_DIASTOLIC);
  g_assert_true (shown == NULL || shown->effective_at != bp_at);
}

static ChNotesEditor *
new_note (Fixture    *f,
          const char *subjective,
          const char *assessment)
{
  ChNotesEditor *editor;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (notes (f)), "notes.new", NULL));
  editor = find_toplevel (f, CH_TYPE_NOTES_EDITOR);
  set_view_text (editor, CH_TYPE_NOTES_EDITOR, "subjective_view", subjective);
  set_view_text (editor, CH_TYPE_NOTES_EDITOR, "assessment_view", assessment);
  return editor;
}

static void
editor_action (Fixture       *f,
               ChNotesEditor *editor,
               const char    *action)
{
  g_assert_false (run_window_action (f, editor, action,
                                     (gboolean (*) (gpointer)) ch_notes_editor_get_busy));
}

static void
sign_note (Fixture       *f,
           ChNotesEditor *editor)
{
  AdwMessageDialog *confirm;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "note.sign", NULL));
  confirm = find_toplevel (f, ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (confirm), "cannot be changed"));
  ch_ui_test_respond (confirm, "sign");
  CH_UI_TEST_WAIT (!ch_notes_editor_get_busy (editor));
  wait_idle (f);
}

/* A note written, saved, signed: then locked (in the window and by the
 * controller), open to an addendum that the stored note then carries. */
static void
test_chart_note (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(ChNoteRecord) stored = NULL;
  g_autoptr(ChNoteRecord) change = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ChNotesItem) item = NULL;
  ChNotesEditor *editor;
  AdwMessageDialog *confirm;
  GtkWidget *extra;
  GListModel *listed;
  guint n_before;
  gint64 id;

  open_patient (f);
  listed = ch_notes_list_get_notes (notes (f));
  n_before = g_list_model_get_n_items (listed);

  editor = new_note (f, "Cough for a week.", "Acute bronchitis.");
  editor_action (f, editor, "note.save");
  g_assert_nonnull (ch_notes_editor_get_note (editor));
  id = ch_notes_editor_get_note (editor)->id;
  g_assert_cmpstr (ch_notes_editor_get_note (editor)->state, ==, "draft");
  g_assert_true (ch_notes_editor_get_editable (editor));
  CH_UI_TEST_WAIT (g_list_model_get_n_items (listed) == n_before + 1);

  sign_note (f, editor);
  stored = ch_notes_get (f->session, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored->state, ==, "signed");
  g_assert_cmpstr (stored->subjective, ==, "Cough for a week.");
  g_assert_false (stored->cosign_required);

  /* Locked: the window offers no editing, the controller refuses it. */
  g_assert_false (ch_notes_editor_get_editable (editor));
  g_assert_false (child_visible (editor, CH_TYPE_NOTES_EDITOR, "save_button"));
  g_assert_false (child_visible (editor, CH_TYPE_NOTES_EDITOR, "subjective_view"));
  g_assert_false (child_visible (editor, CH_TYPE_NOTES_EDITOR, "cosign_button"));
  change = ch_notes_get (f->session, id, &error);
  g_assert_no_error (error);
  g_free (change->assessment);
  change->assessment = g_strdup ("Pneumonia.");
  g_assert_false (ch_notes_update_draft (f->session, change, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* The list says so. */
  CH_UI_TEST_WAIT (g_list_model_get_n_items (listed) == n_before + 1);
  item = g_list_model_get_item (listed, 0);
  g_assert_cmpint (ch_notes_item_get_id (item), ==, id);
  g_assert_cmpstr (ch_notes_item_get_state (item), ==, "signed");

  /* An addendum. */
  g_assert_true (child_visible (editor, CH_TYPE_NOTES_EDITOR, "addendum_button"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "note.add-addendum", NULL));
  confirm = find_toplevel (f, ADW_TYPE_MESSAGE_DIALOG);
  g_assert_false (adw_message_dialog_get_response_enabled (confirm, "add"));
  extra = adw_message_dialog_get_extra_child (confirm);
  extra = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (extra));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (extra)),
                            "Chest X-ray clear.", -1);
  g_assert_true (adw_message_dialog_get_response_enabled (confirm, "add"));
  ch_ui_test_respond (confirm, "add");
  CH_UI_TEST_WAIT (!ch_notes_editor_get_busy (editor));
  wait_idle (f);

  g_clear_pointer (&stored, ch_note_record_free);
  stored = ch_notes_get (f->session, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored->addenda);
  g_assert_cmpuint (stored->addenda->len, ==, 1);
  g_assert_cmpstr (((const ChAddendum *) g_ptr_array_index (stored->addenda, 0))->text, ==,
                   "Chest X-ray clear.");
  g_assert_cmpstr (((const ChAddendum *) g_ptr_array_index (stored->addenda, 0))->author, ==,
                   "doctor");
  g_assert_cmpuint (ch_notes_editor_get_note (editor)->addenda->len, ==, 1);

  gtk_window_destroy (GTK_WINDOW (editor));
  wait_idle (f);
}

/* A nurse's note waits for a physician: the nurse cannot co-sign it, the
 * doctor does, from the list. */
static void
test_chart_cosign (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(ChNoteRecord) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ChNotesItem) item = NULL;
  ChNotesEditor *editor;
  gint64 id;

  open_patient (f);
  editor = new_note (f, "Dressing changed.", "Wound healing well.");
  sign_note (f, editor);
  g_assert_nonnull (ch_notes_editor_get_note (editor));
  id = ch_notes_editor_get_note (editor)->id;
  g_assert_cmpstr (ch_notes_editor_get_note (editor)->state, ==, "signed");
  g_assert_true (ch_notes_editor_get_note (editor)->cosign_required);
  g_assert_false (child_visible (editor, CH_TYPE_NOTES_EDITOR, "cosign_button"));
  gtk_window_destroy (GTK_WINDOW (editor));
  wait_idle (f);
  sign_out (f);

  sign_in (f, "doctor");
  open_patient (f);
  item = g_list_model_get_item (ch_notes_list_get_notes (notes (f)), 0);
  g_assert_cmpint (ch_notes_item_get_id (item), ==, id);
  g_assert_true (ch_notes_item_get_needs_cosign (item));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (notes (f)), "notes.open", "x", id));
  editor = find_toplevel (f, CH_TYPE_NOTES_EDITOR);
  CH_UI_TEST_WAIT (!ch_notes_editor_get_busy (editor) && ch_notes_editor_get_note (editor) != NULL);
  wait_idle (f);
  g_assert_false (ch_notes_editor_get_editable (editor));
  g_assert_true (child_visible (editor, CH_TYPE_NOTES_EDITOR, "cosign_button"));
  editor_action (f, editor, "note.cosign");

  stored = ch_notes_get (f->session, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored->cosigned_by, ==, "doctor");
  g_assert_cmpint (stored->cosigned_at, >, 0);
  g_assert_false (child_visible (editor, CH_TYPE_NOTES_EDITOR, "cosign_button"));
  gtk_window_destroy (GTK_WINDOW (editor));
  wait_idle (f);
}

/* The front desk sees demographics (and their documents) only: no chart
 * page, nothing clinical read, the chart's commands off and doing nothing. */
static void
test_chart_front_desk (Fixture       *f,
                       gconstpointer  data)
{
  GtkStack *pages;

  open_patient (f);

  pages = GTK_STACK (view_child (f, "pages"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (pages), ==, "details");
  g_assert_false (gtk_stack_page_get_visible (gtk_stack_get_page (pages, GTK_WIDGET (chart (f)))));
  g_assert_false (gtk_stack_page_get_visible (gtk_stack_get_page (pages, GTK_WIDGET (notes (f)))));
  /* Demographics, and the documents the front desk files (ID and insurance cards). */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (view_child (f, "page_switcher"))));
  g_assert_true (gtk_stack_page_get_visible (gtk_stack_get_page (pages,
                                                                 GTK_WIDGET (view_child (f, "documents_list")))));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (view_child (f, "edit_button"))));
  g_assert_null (ch_chart_summary_view_get_summary (chart (f)));
  g_assert_cmpuint (g_list_model_get_n_items (ch_notes_list_get_notes (notes (f))), ==, 0);
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (view_child (f, "print_button"))));

  g_assert_false (child_sensitive (chart (f), CH_TYPE_CHART_SUMMARY_VIEW,
                                   "record_vitals_button"));
  g_assert_false (child_sensitive (notes (f), CH_TYPE_NOTES_LIST, "new_button"));
  g_assert_false (child_sensitive (chart (f), CH_TYPE_CHART_SUMMARY_VIEW,
                                   "add_encounter_button"));
  gtk_widget_activate_action (GTK_WIDGET (chart (f)), "chart.record-vitals", NULL);
  gtk_widget_activate_action (GTK_WIDGET (chart (f)), "chart.add", "s", CH_SECTION_PROBLEM);
  gtk_widget_activate_action (GTK_WIDGET (notes (f)), "notes.new", NULL);
  gtk_widget_activate_action (GTK_WIDGET (chart (f)), "chart.add-encounter", NULL);
  ch_ui_test_spin (50);
  g_assert_null (ch_ui_test_find_toplevel (CH_TYPE_ENCOUNTER_DIALOG, NULL));
  g_assert_null (ch_ui_test_find_toplevel (CH_TYPE_VITALS_DIALOG, NULL));
  g_assert_null (ch_ui_test_find_toplevel (CH_TYPE_CHART_ITEM_DIALOG, NULL));
  g_assert_null (ch_ui_test_find_toplevel (CH_TYPE_NOTES_EDITOR, NULL));
  g_assert_false (ch_ui_session_is_busy (f->session));
}


/* The first widget of @type under @widget, depth first. */
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

/* A prescription written in the dialog: the drug found by typing, the
 * quantity computed, the allergy alert shown, refused without a reason and
 * overridden with one, signed, printed, and on the medication list. */
static void
test_chart_prescribe (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(ChChartItem) allergy = ch_chart_item_new (CH_SECTION_ALLERGY);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) prescriptions = NULL;
  g_autoptr(GPtrArray) alerts = NULL;
  g_autoptr(ChDrugKb) kb = NULL;
  g_autofree char *tmp = ch_ui_test_make_tmp_dir ();
  g_autofree char *printed = g_build_filename (tmp, "rx.pdf", NULL);
  g_autofree char *pdf = NULL;
  GType type = CH_TYPE_PRESCRIBE_DIALOG;
  gboolean (*busy) (gpointer) = (gboolean (*) (gpointer)) ch_prescribe_dialog_get_busy;
  const ChKbDrug *amoxicillin;
  const ChFrequency *frequencies;
  const ChPrescription *rx = NULL;
  ChPrescribeDialog *dialog;
  GtkWidget *reason;
  guint n_frequencies;
  gsize length = 0;

  open_patient (f);
  wait_chart (f);
  allergy->patient_id = f->patient_id;
  allergy->kind = g_strdup ("drug");
  allergy->display = g_strdup ("Penicillin");
  allergy->clinical_status = g_strdup ("active");
  g_assert_true (ch_chart_add (f->session, allergy, &error));
  g_assert_no_error (error);
  ch_chart_summary_view_reload (chart (f));
  wait_chart (f);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart (f)), "chart.prescribe", NULL));
  dialog = find_toplevel (f, type);

  /* Found as typed, chosen with Enter. */
  set_field (dialog, type, "drug_entry", "amoxi");
  CH_UI_TEST_WAIT (child_visible (dialog, type, "drug_results"));
  g_signal_emit_by_name (ch_ui_test_child (dialog, type, "drug_entry"), "activate");
  ch_ui_test_spin (20);
  g_assert_cmpstr (field_text (dialog, type, "drug_entry"), ==, "amoxicillin");

  kb = ch_prescribing_get_kb (f->session, &error);
  amoxicillin = ch_drug_kb_lookup (kb, "amoxicillin");
  for (guint i = 0; i < amoxicillin->n_products; i++)
    if (g_str_equal (amoxicillin->products[i].strength, "500 mg")
        && g_str_equal (amoxicillin->products[i].form, "capsule"))
      adw_combo_row_set_selected (ADW_COMBO_ROW (ch_ui_test_child (dialog, type, "product_row")), i);
  frequencies = ch_prescribing_frequencies (&n_frequencies);
  for (guint i = 0; i < n_frequencies; i++)
    if (g_str_equal (frequencies[i].code, "tid"))
      adw_combo_row_set_selected (ADW_COMBO_ROW (ch_ui_test_child (dialog, type, "frequency_row")),
                                  i + 1);
  set_field (dialog, type, "duration_row", "10");
  ch_ui_test_spin (20);
  /* One capsule three times a day for ten days. */
  g_assert_cmpstr (field_text (dialog, type, "quantity_row"), ==, "30");

  /* The checks find the penicillin allergy: shown, and not signed without a reason. */
  g_assert_false (run_window_action (f, dialog, "prescribe.sign", busy));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (ch_ui_test_child (dialog, type,
                                                                                  "stack"))),
                   ==, "alerts");
  g_assert_false (run_window_action (f, dialog, "prescribe.sign", busy));
  g_assert_true (child_visible (dialog, type, "error_label"));
  prescriptions = ch_prescribing_list (f->session, f->patient_id, &error);
  g_assert_cmpstr (((ChPrescription *) prescriptions->pdata[0])->state, ==, "draft");
  g_clear_pointer (&prescriptions, g_ptr_array_unref);

  reason = find_type (GTK_WIDGET (ch_ui_test_child (dialog, type, "alerts_list")), GTK_TYPE_ENTRY);
  g_assert_nonnull (reason);
  ch_ui_test_set_text (reason, "Took amoxicillin in 2023 without a reaction");
  g_assert_false (run_window_action (f, dialog, "prescribe.sign", busy));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (ch_ui_test_child (dialog, type,
                                                                                  "stack"))),
                   ==, "done");

  /* Printed through GtkPrintOperation, here into a file. */
  ch_prescribe_dialog_set_print_export (dialog, printed);
  g_assert_false (run_window_action (f, dialog, "prescribe.print", busy));
  CH_UI_TEST_WAIT (g_file_test (printed, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (printed, &pdf, &length, &error));
  g_assert_cmpuint (length, >, 1000);
  g_assert_true (g_str_has_prefix (pdf, "%PDF"));

  g_assert_true (run_window_action (f, dialog, "window.close", busy));
  wait_chart (f);

  prescriptions = ch_prescribing_list (f->session, f->patient_id, &error);
  g_assert_no_error (error);
  rx = prescriptions->pdata[0];
  g_assert_cmpstr (rx->state, ==, "signed");
  g_assert_cmpstr (rx->drug_id, ==, "amoxicillin");
  g_assert_cmpfloat (rx->quantity, ==, 30);
  alerts = ch_db_prescription_alerts (ch_session_get_store (f->session), rx->id, &error);
  g_assert_cmpuint (alerts->len, >=, 1);
  g_assert_nonnull (strstr (alerts->pdata[0], "overridden|"));
  g_assert_nonnull (strstr (alerts->pdata[0], "without a reaction"));
  g_assert_nonnull (item_row (f, rx->medication_item_id));

  /* A draft left behind is listed, and discarded from its menu. */
  {
    g_autoptr(ChPrescription) draft = ch_prescription_copy (rx);
    g_autoptr(ChPrescription) discarded = NULL;
    g_autofree char *name = NULL;

    draft->id = 0;
    draft->replaces_id = 0;
    g_assert_true (ch_prescribing_save_draft (f->session, draft, &error));
    g_assert_no_error (error);
    ch_chart_summary_view_reload (chart (f));
    wait_chart (f);
    name = g_strdup_printf ("draft-%" G_GINT64_FORMAT, draft->id);
    g_assert_nonnull (find_named (group (f, "medications_group"), name));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart (f)), "chart.discard-draft", "x",
                                               draft->id));
    wait_chart (f);
    discarded = ch_prescribing_get (f->session, draft->id, &error);
    g_assert_cmpstr (discarded->state, ==, "discarded");
    g_assert_null (find_named (group (f, "medications_group"), name));
  }

  ch_ui_test_remove_dir (tmp);
}

/* A refill asked for from the medication's menu waits in the prescriber's
 * queue on the Refills page; approving it there signs a renewal. */
static void
test_chart_refill (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(ChPrescription) rx = ch_prescription_new ();
  g_autoptr(ChPrescription) old = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) target = NULL;
  AdwMessageDialog *note;
  ChRefillsPage *refills;
  GtkWidget *main_page = ch_window_get_main_page (f->window);
  GtkWidget *row;
  GtkWidget *more;
  const ChRefillRequest *request;

  rx->patient_id = f->patient_id;
  rx->drug_id = g_strdup ("levothyroxine");
  rx->drug_name = g_strdup ("levothyroxine");
  rx->form = g_strdup ("tablet");
  rx->strength = g_strdup ("50 mcg");
  rx->route = g_strdup ("oral");
  rx->dose = 1;
  rx->dose_unit = g_strdup ("tablet");
  rx->frequency = g_strdup ("daily");
  rx->duration_days = 90;
  g_assert_true (ch_prescribing_save_draft (f->session, rx, &error));
  g_assert_true (ch_prescribing_sign (f->session, rx->id, NULL, 0, &error));
  g_assert_no_error (error);
  old = ch_prescribing_get (f->session, rx->id, &error);

  open_patient (f);
  wait_chart (f);
  row = item_row (f, old->medication_item_id);
  g_assert_nonnull (row);
  more = find_named (row, "more");
  target = menu_target (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (more)),
                        "chart.request-refill");
  g_assert_nonnull (target);
  g_assert_cmpint (g_variant_get_int64 (target), ==, rx->id);
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (chart (f)), "chart.request-refill",
                                                     target));
  note = find_toplevel (f, ADW_TYPE_MESSAGE_DIALOG);
  ch_ui_test_set_text (adw_message_dialog_get_extra_child (note), "Five tablets left");
  ch_ui_test_respond (note, "confirm");
  wait_chart (f);

  /* The doctor's queue. */
  g_assert_true (gtk_widget_activate_action (main_page, "main.show-section", "s", "refills"));
  CH_UI_TEST_WAIT (ch_main_page_get_section_widget (CH_MAIN_PAGE (main_page), "refills") != NULL);
  refills = CH_REFILLS_PAGE (ch_main_page_get_section_widget (CH_MAIN_PAGE (main_page), "refills"));
  CH_UI_TEST_WAIT (!ch_refills_page_get_busy (refills) && ch_refills_page_get_queue (refills) != NULL
                   && ch_refills_page_get_queue (refills)->len == 1);
  request = g_ptr_array_index (ch_refills_page_get_queue (refills), 0);
  g_assert_cmpint (request->prescription_id, ==, rx->id);
  g_assert_cmpstr (request->note, ==, "Five tablets left");
  {
    g_autofree char *name = g_strdup_printf ("request-%" G_GINT64_FORMAT, request->id);

    g_assert_nonnull (find_named (GTK_WIDGET (refills), name));
  }

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (refills), "refills.approve", "x",
                                             request->id));
  CH_UI_TEST_WAIT (!ch_refills_page_get_busy (refills) && !ch_ui_session_is_busy (f->session));
  ch_ui_test_spin (20);

  /* The demo patient already takes levothyroxine: the renewal meets that
   * alert, shown before anything is signed, and goes ahead with a reason. */
  {
    AdwMessageDialog *alerts = ADW_MESSAGE_DIALOG (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG,
                                                                             NULL));

    if (alerts != NULL)
      {
        g_assert_cmpuint (ch_refills_page_get_queue (refills)->len, ==, 1);
        ch_ui_test_set_text (adw_message_dialog_get_extra_child (alerts),
                             "Same drug: the list entry is this prescription");
        ch_ui_test_respond (alerts, "confirm");
      }
  }
  CH_UI_TEST_WAIT (!ch_refills_page_get_busy (refills) && ch_refills_page_get_queue (refills)->len == 0);

  g_clear_pointer (&old, ch_prescription_free);
  old = ch_prescribing_get (f->session, rx->id, &error);
  g_assert_cmpstr (old->state, ==, "replaced");

  /* Another request, for the renewal, denied with a reason. */
  {
    g_autoptr(GPtrArray) list = ch_prescribing_list (f->session, f->patient_id, &error);
    g_autoptr(ChRefillRequest) denied = NULL;
    const ChPrescription *renewal = list->pdata[0];
    AdwMessageDialog *reason;
    gint64 request_id;

    g_assert_cmpint (renewal->replaces_id, ==, rx->id);
    request_id = ch_refills_request (f->session, renewal->id, "Lost the bottle", &error);
    g_assert_no_error (error);
    ch_refills_page_reload (refills);
    CH_UI_TEST_WAIT (!ch_refills_page_get_busy (refills) && ch_refills_page_get_queue (refills)->len == 1);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (refills), "refills.deny", "x", request_id));
    reason = find_toplevel (f, ADW_TYPE_MESSAGE_DIALOG);
    g_assert_false (adw_message_dialog_get_response_enabled (reason, "confirm"));
    ch_ui_test_set_text (adw_message_dialog_get_extra_child (reason), "Renewed last week");
    ch_ui_test_respond (reason, "confirm");
    CH_UI_TEST_WAIT (!ch_refills_page_get_busy (refills) && ch_refills_page_get_queue (refills)->len == 0);
    denied = ch_refills_get (f->session, request_id, &error);
    g_assert_cmpstr (denied->state, ==, "denied");
    g_assert_cmpstr (denied->decision_note, ==, "Renewed last week");
  }
}

/* The action row titled @title under @widget, or NULL. */
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

/* An outside list pasted into the reconciliation: its warfarin paired with
 * the chart's and stopped with a reason, its aspirin added. */
static void
test_chart_reconcile (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(ChChartItem) warfarin = ch_chart_item_new (CH_SECTION_MEDICATION);
  g_autoptr(ChChartItem) after = NULL;
  g_autoptr(GPtrArray) medications = NULL;
  g_autoptr(GError) error = NULL;
  GType type = CH_TYPE_RECONCILE_DIALOG;
  gboolean (*busy) (gpointer) = (gboolean (*) (gpointer)) ch_reconcile_dialog_get_busy;
  ChReconcileDialog *dialog;
  GtkWidget *row;
  gboolean aspirin = FALSE;
  guint current = 0;

  warfarin->patient_id = f->patient_id;
  warfarin->display = g_strdup ("Warfarin 5 mg tablet");
  warfarin->clinical_status = g_strdup ("active");
  g_assert_true (ch_chart_add (f->session, warfarin, &error));
  g_assert_no_error (error);

  open_patient (f);
  wait_chart (f);
  medications = ch_chart_list (f->session, f->patient_id, CH_SECTION_MEDICATION, FALSE, &error);
  for (guint i = 0; i < medications->len; i++)
    current += g_strcmp0 (((ChChartItem *) medications->pdata[i])->clinical_status, "active") == 0;
  g_clear_pointer (&medications, g_ptr_array_unref);

  g_assert_nonnull (find_named (group (f, "medications_group"), "reconcile"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart (f)), "chart.reconcile", NULL));
  dialog = find_toplevel (f, type);
  set_field (dialog, type, "source_row", "Discharge summary, St Luke's");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (ch_ui_test_child (dialog, type,
                                                                                        "outside_view"))),
                            "warfarin 5 mg daily\n\nAspirin 81 mg daily\n", -1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "reconcile.compare", NULL));
  ch_ui_test_spin (20);
  g_assert_cmpuint (ch_reconcile_dialog_get_n_lines (dialog), ==, current + 1);

  row = find_titled_row (GTK_WIDGET (ch_ui_test_child (dialog, type, "current_group")),
                         "Warfarin 5 mg tablet");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "Outside list: warfarin 5 mg daily");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (find_type (row, GTK_TYPE_DROP_DOWN)), 1);
  ch_ui_test_set_text (find_type (row, GTK_TYPE_ENTRY), "Held before surgery");
  g_assert_nonnull (find_titled_row (GTK_WIDGET (ch_ui_test_child (dialog, type, "outside_group")),
                                     "Aspirin 81 mg daily"));

  g_assert_true (run_window_action (f, dialog, "reconcile.save", busy));
  wait_chart (f);

  after = ch_db_chart_get (ch_session_get_store (f->session), warfarin->id, &error);
  g_assert_cmpstr (after->clinical_status, ==, "stopped");
  medications = ch_chart_list (f->session, f->patient_id, CH_SECTION_MEDICATION, FALSE, &error);
  for (guint i = 0; i < medications->len; i++)
    aspirin |= g_strcmp0 (((ChChartItem *) medications->pdata[i])->display, "Aspirin 81 mg daily") == 0;
  g_assert_true (aspirin);
}

/* Preferences name the drug knowledge base in use and keep the prescriber's
 * own licence number, printed on their prescriptions. */
static void
test_chart_preferences (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(ChDrugKb) kb = ch_prescribing_get_kb (f->session, NULL);
  g_autofree char *licence = NULL;
  GtkWindow *preferences;
  GObject *licence_row;

  ch_window_show_preferences (f->window);
  preferences = ch_ui_test_find_toplevel (CH_TYPE_PREFERENCES_WINDOW, GTK_WINDOW (f->window));
  g_assert_nonnull (preferences);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (ch_ui_test_child (preferences,
                                                                                         CH_TYPE_PREFERENCES_WINDOW,
                                                                                         "kb_row"))),
                            ch_drug_kb_get_info (kb, "name")));
  licence_row = ch_ui_test_child (preferences, CH_TYPE_PREFERENCES_WINDOW, "licence_row");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (licence_row)));
  ch_ui_test_set_text (licence_row, "MD-77310");
  g_signal_emit_by_name (licence_row, "apply");
  licence = ch_prescribing_get_licence (ch_session_get_store (f->session), "doctor");
  g_assert_cmpstr (licence, ==, "MD-77310");
  gtk_window_destroy (preferences);
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

  g_test_add ("/ui/chart/summary", Fixture, NULL,
              fixture_set_up, test_chart_summary, fixture_tear_down);
  g_test_add ("/ui/chart/vitals", Fixture, NULL,
              fixture_set_up, test_chart_vitals, fixture_tear_down);
  g_test_add ("/ui/chart/problem", Fixture, NULL,
              fixture_set_up, test_chart_problem, fixture_tear_down);
  g_test_add ("/ui/chart/smoking-status", Fixture, NULL,
              fixture_set_up, test_chart_smoking_status, fixture_tear_down);
  g_test_add ("/ui/chart/encounter", Fixture, NULL,
              fixture_set_up, test_chart_encounter, fixture_tear_down);
  g_test_add ("/ui/chart/vital-error", Fixture, NULL,
              fixture_set_up, test_chart_vital_error, fixture_tear_down);
  g_test_add ("/ui/chart/note", Fixture, NULL,
              fixture_set_up, test_chart_note, fixture_tear_down);
  g_test_add ("/ui/chart/cosign", Fixture, "nurse",
              fixture_set_up, test_chart_cosign, fixture_tear_down);
  g_test_add ("/ui/chart/prescribe", Fixture, NULL,
              fixture_set_up, test_chart_prescribe, fixture_tear_down);
  g_test_add ("/ui/chart/refill", Fixture, NULL,
              fixture_set_up, test_chart_refill, fixture_tear_down);
  g_test_add ("/ui/chart/reconcile", Fixture, NULL,
              fixture_set_up, test_chart_reconcile, fixture_tear_down);
  g_test_add ("/ui/chart/preferences", Fixture, NULL,
              fixture_set_up, test_chart_preferences, fixture_tear_down);
  g_test_add ("/ui/chart/front-desk", Fixture, "frontdesk",
              fixture_set_up, test_chart_front_desk, fixture_tear_down);

  return g_test_run ();
}
