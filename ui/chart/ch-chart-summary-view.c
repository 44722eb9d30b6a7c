/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-chart-summary-view"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-chart-history.h"
#include "ch-chart-item-dialog.h"
#include "ch-chart-summary-view.h"
#include "ch-chart-ui.h"
#include "ch-encounter-dialog.h"
#include "ch-incoming-dialog.h"
#include "ch-labs.h"
#include "ch-labs-ui.h"
#include "ch-prescribe-dialog.h"
#include "ch-prescribing.h"
#include "ch-prescription-pdf.h"
#include "ch-reconcile-dialog.h"
#include "ch-refills.h"
#include "ch-schedule.h"
#include "ch-refdata.h"
#include "ch-trend-window.h"
#include "ch-ui.h"
#include "ch-vitals-dialog.h"

/* A patient's chart at a glance: allergies, problems, medications and
 * history beside the latest vital signs, recent results, immunizations and
 * encounters, each section with its own "Add…" and each entry with "Edit…",
 * its earlier versions and "Entered in Error…".
 *
 * Recent results are the chart's own lab entries merged, by time, with the
 * newest result of each test the lab sent (HL7); those are read-only here
 * and lead to the Labs page, which says all about them. A critical lab
 * result of the last days is an alert too.
 *
 * The chart is opened (and the opening audited) by ch_chart_open() on a
 * worker through the session gate; every change goes through the controller
 * on a worker too, and the chart is read again afterwards. Nothing of a
 * patient stays on screen once another is loaded or the view is cleared. */

struct _ChChartSummaryView
{
  AdwBin               parent_instance;

  GtkStack            *stack;
  GtkSpinner          *spinner;
  GtkScrolledWindow   *scroller;
  AdwStatusPage       *error_page;
  AdwPreferencesGroup *alerts_group;
  AdwPreferencesGroup *allergies_group;
  AdwPreferencesGroup *problems_group;
  AdwPreferencesGroup *medications_group;
  AdwPreferencesGroup *history_group;
  AdwPreferencesGroup *vitals_group;
  GtkWidget           *record_vitals_button;
  AdwPreferencesGroup *results_group;
  AdwPreferencesGroup *immunizations_group;
  AdwPreferencesGroup *appointments_group;
  AdwPreferencesGroup *encounters_group;
  GtkWidget           *add_encounter_button;

  ChSession           *session;
  ChPatientRecord     *patient;      /* (nullable): whose chart */
  ChChartSummary      *summary;      /* (nullable): as last read */
  GPtrArray           *allergies;    /* (element-type ChChartItem) active and inactive */
  GPtrArray           *medications;  /* (element-type ChChartItem) current and past */
  GPtrArray           *history;      /* (element-type ChChartItem) */
  GPtrArray           *prescriptions; /* (element-type ChPrescription) newest first */
  GPtrArray           *drug_alerts;  /* (element-type ChDrugAlert) among current medications */
  GPtrArray           *lab_latest;   /* (element-type ChLabResult) each test's newest */
  GPtrArray           *lab_critical; /* (element-type ChLabResult) critical ones, CRITICAL_DAYS */
  gboolean            *trend_known;  /* per summary->vitals: a value came before */
  GHashTable          *items;        /* id → ChChartItem, borrowed from the lists */
  GPtrArray           *rows;         /* the rows shown, to take away on change */
  GCancellable        *cancellable;
  guint                generation;   /* bumped by each load and clear */
  gboolean             busy;
};

G_DEFINE_FINAL_TYPE (ChChartSummaryView, ch_chart_summary_view, ADW_TYPE_BIN)

/* Rows of Recent Results, the chart's and the lab's together. */
#define RECENT_RESULTS 10
/* A critical lab result is an alert for this long after it was observed:
 * long enough to be seen at the next visit, short enough not to cry wolf. */
#define CRITICAL_DAYS 30
/* Critical results named in the alert; the rest are counted. */
#define CRITICAL_NAMED 3

static gboolean
ch_chart_summary_view_ready (ChChartSummaryView *self)
{
  return self->session != NULL && self->patient != NULL && self->summary != NULL &&
         !self->busy && !ch_ui_session_is_busy (self->session);
}

/**
 * ch_chart_summary_view_update_actions:
 * @self: a chart summary
 *
 * Offers the changes the session may make, when nothing else uses it.
 */
void
ch_chart_summary_view_update_actions (ChChartSummaryView *self)
{
  gboolean ready;
  gboolean can_write;
  gboolean can_prescribe;
  gboolean can_sign;

  g_return_if_fail (CH_IS_CHART_SUMMARY_VIEW (self));

  ready = ch_chart_summary_view_ready (self);
  can_write = ready && ch_session_can (self->session, CH_AREA_CLINICAL, CH_ACCESS_WRITE);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.history", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.trend", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.add", can_write);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.edit", can_write);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.entered-in-error", can_write);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.record-vitals", can_write);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.add-encounter", can_write);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.set-no-known-allergies", can_write);

  /* Nurses draft; only prescribers renew, stop and sign. */
  can_prescribe = can_write && ch_session_can (self->session, CH_AREA_PRESCRIBING, CH_ACCESS_READ);
  can_sign = can_write && ch_session_can (self->session, CH_AREA_PRESCRIBING, CH_ACCESS_WRITE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.prescribe", can_prescribe);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.open-draft", can_prescribe);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.renew", can_prescribe);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.stop-prescription", can_sign);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.print-prescription", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.request-refill", can_prescribe);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.reconcile", can_write);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.reconcile-outside", can_write);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.discard-draft", can_prescribe);
}

static void
ch_chart_summary_view_set_busy (ChChartSummaryView *self,
                                gboolean            busy)
{
  self->busy = busy;
  ch_chart_summary_view_update_actions (self);
}

/* ---- rows ----------------------------------------------------------------------- */

static void
ch_chart_summary_view_remove_rows (ChChartSummaryView *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      if (group != NULL)
        adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }

  g_ptr_array_set_size (self->rows, 0);
}

static GtkWidget *
new_row (const char *title,
         const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  /* The chart's own words are shown as they are, never as markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title != NULL ? title : "");
  if (ch_chart_ui_has_text (subtitle))
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  return row;
}

static GtkWidget *
ch_chart_summary_view_add_row (ChChartSummaryView  *self,
                               AdwPreferencesGroup *group,
                               GtkWidget           *row)
{
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->rows, row);

  return row;
}

static GVariant *
trend_target (const char *section,
              const char *code,
              const char *title)
{
  return g_variant_new ("(sss)", section, code, title != NULL ? title : code);
}

static GMenuModel *
item_menu (const ChChartItem *item,
           gboolean           editable,
           GVariant          *trend)
{
  GMenu *menu = g_menu_new ();
  GMenu *section = g_menu_new ();
  g_autoptr(GMenuItem) entry = NULL;

  if (trend != NULL)
    {
      entry = g_menu_item_new (_("Show _Trend"), NULL);
      g_menu_item_set_action_and_target_value (entry, "chart.trend", trend);
      g_menu_append_item (menu, entry);
      g_clear_object (&entry);
    }

  if (editable)
    {
      entry = g_menu_item_new (_("_Edit…"), NULL);
      g_menu_item_set_action_and_target_value (entry, "chart.edit",
                                               g_variant_new_int64 (item->id));
      g_menu_append_item (menu, entry);
      g_clear_object (&entry);
    }

  entry = g_menu_item_new (_("_History"), NULL);
  g_menu_item_set_action_and_target_value (entry, "chart.history",
                                           g_variant_new_int64 (item->id));
  g_menu_append_item (menu, entry);
  g_clear_object (&entry);

  if (g_strcmp0 (item->section, CH_SECTION_MEDICATION) == 0
      && ch_chart_item_get_detail (item, "prescription") != NULL
      && g_strcmp0 (item->clinical_status, "active") == 0)
    {
      gint64 rx = g_ascii_strtoll (ch_chart_item_get_detail (item, "prescription"), NULL, 10);
      GMenu *rx_section = g_menu_new ();
      const struct { const char *label; const char *action; } commands[] = {
        { N_("_Renew or Change…"), "chart.renew" },
        { N_("Request Re_fill…"), "chart.request-refill" },
        { N_("_Stop…"), "chart.stop-prescription" },
        { N_("_Print Prescription…"), "chart.print-prescription" },
      };

      for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
        {
          entry = g_menu_item_new (_(commands[i].label), NULL);
          g_menu_item_set_action_and_target_value (entry, commands[i].action,
                                                   g_variant_new_int64 (rx));
          g_menu_append_item (rx_section, entry);
          g_clear_object (&entry);
        }
      g_menu_prepend_section (menu, NULL, G_MENU_MODEL (rx_section));
      g_object_unref (rx_section);
    }

  entry = g_menu_item_new (_("Entered in _Error…"), NULL);
  g_menu_item_set_action_and_target_value (entry, "chart.entered-in-error",
                                           g_variant_new_int64 (item->id));
  g_menu_append_item (section, entry);
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  g_object_unref (section);

  return G_MENU_MODEL (menu);
}

/* The ⋮ button at the end of @row with the commands on @item. */
static void
add_item_menu (GtkWidget         *row,
               const ChChartItem *item,
               gboolean           editable,
               GVariant          *trend)
{
  g_autoptr(GMenuModel) menu = item_menu (item, editable, trend);
  GtkWidget *more = gtk_menu_button_new ();

  gtk_widget_set_name (more, "more");
  gtk_widget_set_valign (more, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (more, "flat");
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (more), "view-more-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (more), menu);
  gtk_widget_set_tooltip_text (more, _("More"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), more);
}

/* Makes @row one entry of the chart: named for its id, opened for editing
 * (or its trend shown) when activated, with its other commands in a menu. */
static void
set_item_row_full (GtkWidget         *row,
                   const ChChartItem *item,
                   gboolean           editable,
                   GVariant          *trend)
{
  g_autofree char *name = g_strdup_printf ("item-%" G_GINT64_FORMAT, item->id);
  g_autoptr(GVariant) owned = trend != NULL ? g_variant_ref_sink (trend) : NULL;

  gtk_widget_set_name (row, name);
  add_item_menu (row, item, editable, owned);

  if (owned != NULL)
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "chart.trend");
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (row), owned);
    }
  else
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (row),
                                      editable ? "chart.edit" : "chart.history");
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (row),
                                              g_variant_new_int64 (item->id));
    }
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
}

static void
set_item_row (GtkWidget         *row,
              const ChChartItem *item,
              gboolean           editable)
{
  set_item_row_full (row, item, editable, NULL);
}

/* A row that shows a trend when activated. */
static void
set_trend_row (GtkWidget  *row,
               const char *section,
               const char *code,
               const char *title)
{
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "chart.trend");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (row),
                                          trend_target (section, code, title));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, _("Show the trend"));
}

static GtkWidget *
suffix_label (GtkWidget  *row,
              const char *text,
              const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);

  return label;
}

static void
join (GString    *text,
      const char *part)
{
  if (!ch_chart_ui_has_text (part))
    return;

  if (text->len > 0)
    g_string_append (text, " · ");
  g_string_append (text, part);
}

/* ---- sections ---------------------------------------------------------------------- */

static GtkWidget *
allergy_row (const ChChartItem *item,
             gboolean           can_write)
{
  gboolean active = g_strcmp0 (item->clinical_status, "active") == 0;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  GtkWidget *row;

  join (subtitle, ch_chart_ui_label (CH_CHART_UI_ALLERGY_KIND, item->kind));
  join (subtitle, item->reaction);
  if (!active)
    join (subtitle, ch_chart_ui_label (CH_CHART_UI_ALLERGY_STATUS, item->clinical_status));

  row = new_row (item->display, subtitle->str);
  gtk_widget_add_css_class (row, active ? "chart-allergy" : "chart-inactive");
  if (ch_chart_ui_has_text (item->severity))
    suffix_label (row, ch_chart_ui_label (CH_CHART_UI_SEVERITY, item->severity),
                  g_strcmp0 (item->severity, "severe") == 0 ? "chart-severe" : "chart-severity");
  set_item_row (row, item, can_write);

  return row;
}

static GtkWidget *
prefix_icon (GtkWidget  *row,
             const char *icon_name,
             const char *css_class)
{
  GtkWidget *icon = gtk_image_new_from_icon_name (icon_name);

  gtk_widget_add_css_class (icon, css_class);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  return icon;
}

/* "No known allergies", as recorded; taking it back is rare, so in a menu. */
static GtkWidget *
no_known_allergies_row (gboolean can_write)
{
  GtkWidget *row = new_row (_("No known allergies"), _("As recorded"));
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenuItem) entry = NULL;
  GtkWidget *more = gtk_menu_button_new ();

  gtk_widget_set_name (row, "no-known-allergies");
  gtk_widget_add_css_class (row, "chart-nka");
  prefix_icon (row, "emblem-ok-symbolic", "success");

  entry = g_menu_item_new (_("Mark Allergies as _Not Recorded"), NULL);
  g_menu_item_set_action_and_target_value (entry, "chart.set-no-known-allergies",
                                           g_variant_new_boolean (FALSE));
  g_menu_append_item (menu, entry);
  gtk_widget_set_valign (more, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (more, "flat");
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (more), "view-more-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (more), G_MENU_MODEL (menu));
  gtk_widget_set_tooltip_text (more, _("More"));
  gtk_widget_set_visible (more, can_write);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), more);

  return row;
}

/* Nobody has recorded allergies, nor their absence: a warning, with the
 * button that records "none". */
static GtkWidget *
allergies_not_recorded_row (void)
{
  GtkWidget *row = new_row (_("Allergies not recorded"),
                            _("Ask the patient, then add each allergy or record none."));
  GtkWidget *none = gtk_button_new_with_mnemonic (_("No _Known Allergies"));

  gtk_widget_set_name (row, "allergies-not-recorded");
  gtk_widget_add_css_class (row, "chart-not-recorded");
  prefix_icon (row, "dialog-warning-symbolic", "warning");
  gtk_widget_set_valign (none, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (none, _("Record that the patient has no known allergies"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (none), "chart.set-no-known-allergies");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (none), g_variant_new_boolean (TRUE));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), none);

  return row;
}

static void
ch_chart_summary_view_fill_allergies (ChChartSummaryView *self,
                                      gboolean            can_write)
{
  guint n_active = 0;

  for (guint i = 0; i < self->allergies->len; i++)
    if (g_strcmp0 (((ChChartItem *) g_ptr_array_index (self->allergies, i))->clinical_status,
                   "active") == 0)
      n_active++;

  /* Never an empty list that could be read as "none": either allergies,
   * or "no known allergies" as recorded, or a warning that nobody has
   * recorded either. */
  if (n_active == 0 && self->summary->no_known_allergies)
    ch_chart_summary_view_add_row (self, self->allergies_group,
                                   no_known_allergies_row (can_write));
  else if (n_active == 0)
    ch_chart_summary_view_add_row (self, self->allergies_group,
                                   allergies_not_recorded_row ());

  /* Active ones first. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < self->allergies->len; i++)
      {
        const ChChartItem *item = g_ptr_array_index (self->allergies, i);
        gboolean active = g_strcmp0 (item->clinical_status, "active") == 0;

        if (active == (pass == 0))
          ch_chart_summary_view_add_row (self, self->allergies_group,
                                         allergy_row (item, can_write));
      }
}

static void
ch_chart_summary_view_fill_problems (ChChartSummaryView *self,
                                     gboolean            can_write)
{
  GPtrArray *problems = self->summary->problems;

  for (guint i = 0; i < problems->len; i++)
    {
      const ChChartItem *item = g_ptr_array_index (problems, i);
      gboolean resolved = g_strcmp0 (item->clinical_status, "resolved") == 0;
      g_autoptr(GString) subtitle = g_string_new (NULL);
      g_autofree char *since = NULL;
      GtkWidget *row;

      join (subtitle, item->code);
      if (resolved)
        {
          /* Translators: %s is a date */
          g_autofree char *when = ch_chart_ui_has_text (item->end_date)
                                  ? g_strdup_printf (_("resolved %s"), item->end_date)
                                  : g_strdup (_("resolved"));
          join (subtitle, when);
        }
      else if (ch_chart_ui_has_text (item->start_date))
        {
          /* Translators: %s is the date a problem began */
          since = g_strdup_printf (_("since %s"), item->start_date);
          join (subtitle, since);
        }

      row = new_row (item->display, subtitle->str);
      if (resolved)
        gtk_widget_add_css_class (row, "chart-inactive");
      set_item_row (row, item, can_write);
      ch_chart_summary_view_add_row (self, self->problems_group, row);
    }

  adw_preferences_group_set_description (self->problems_group,
                                         problems->len > 0 ? NULL : _("No problems recorded."));
}

static GtkWidget *
medication_row (const ChChartItem *item,
                gboolean           can_write)
{
  gboolean stopped = g_strcmp0 (item->clinical_status, "active") != 0;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  GtkWidget *row;

  join (subtitle, ch_chart_item_get_detail (item, "dose"));
  if (stopped && ch_chart_ui_has_text (item->end_date))
    {
      /* Translators: %s is the date a medication was stopped */
      g_autofree char *when = g_strdup_printf (_("stopped %s"), item->end_date);
      join (subtitle, when);
    }
  else if (ch_chart_ui_has_text (item->start_date))
    {
      /* Translators: %s is the date a medication was started */
      g_autofree char *when = g_strdup_printf (_("since %s"), item->start_date);
      join (subtitle, when);
    }

  row = new_row (item->display, subtitle->str);
  if (stopped)
    gtk_widget_add_css_class (row, "chart-inactive");
  set_item_row (row, item, can_write);

  return row;
}

static void
ch_chart_summary_view_fill_medications (ChChartSummaryView *self,
                                        gboolean            can_write)
{
  GtkWidget *past = NULL;
  guint n_current = 0;
  guint n_past = 0;

  /* Drafts waiting for a prescriber's signature come first. */
  for (guint i = 0; self->prescriptions != NULL && i < self->prescriptions->len; i++)
    {
      const ChPrescription *rx = g_ptr_array_index (self->prescriptions, i);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *name = NULL;
      GtkWidget *row;

      if (g_strcmp0 (rx->state, "draft") != 0)
        continue;
      /* Translators: a prescription not yet signed: "Draft: amoxicillin 500 mg capsule" */
      title = g_strdup_printf (_("Draft: %s %s %s"), rx->drug_name, rx->strength, rx->form);
      /* Translators: "to be signed by doctor, drafted by nurse" */
      subtitle = g_strdup_printf (_("to be signed by %s, drafted by %s"), rx->prescriber,
                                  rx->drafted_by);
      row = new_row (title, subtitle);
      name = g_strdup_printf ("draft-%" G_GINT64_FORMAT, rx->id);
      gtk_widget_set_name (row, name);
      gtk_widget_add_css_class (row, "chart-not-recorded");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "chart.open-draft");
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (row), g_variant_new_int64 (rx->id));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      {
        g_autoptr(GMenu) menu = g_menu_new ();
        g_autoptr(GMenuItem) entry = g_menu_item_new (_("_Discard Draft"), NULL);
        GtkWidget *more = gtk_menu_button_new ();

        g_menu_item_set_action_and_target_value (entry, "chart.discard-draft",
                                                 g_variant_new_int64 (rx->id));
        g_menu_append_item (menu, entry);
        gtk_widget_set_name (more, "more");
        gtk_widget_set_valign (more, GTK_ALIGN_CENTER);
        gtk_widget_add_css_class (more, "flat");
        gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (more), "view-more-symbolic");
        gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (more), G_MENU_MODEL (menu));
        gtk_widget_set_tooltip_text (more, _("More"));
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), more);
      }
      ch_chart_summary_view_add_row (self, self->medications_group, row);
    }

  for (guint i = 0; i < self->medications->len; i++)
    {
      const ChChartItem *item = g_ptr_array_index (self->medications, i);

      if (g_strcmp0 (item->clinical_status, "active") != 0)
        continue;

      ch_chart_summary_view_add_row (self, self->medications_group,
                                     medication_row (item, can_write));
      n_current++;
    }

  /* Past medications stay out of the way, folded. */
  for (guint i = 0; i < self->medications->len; i++)
    {
      const ChChartItem *item = g_ptr_array_index (self->medications, i);

      if (g_strcmp0 (item->clinical_status, "active") == 0)
        continue;

      if (past == NULL)
        {
          past = adw_expander_row_new ();
          gtk_widget_set_name (past, "past-medications");
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (past), _("Past medications"));
          ch_chart_summary_view_add_row (self, self->medications_group, past);
        }
      adw_expander_row_add_row (ADW_EXPANDER_ROW (past), medication_row (item, can_write));
      n_past++;
    }

  if (past != NULL)
    {
      g_autofree char *count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u stopped",
                                                             "%u stopped", n_past),
                                                n_past);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (past), count);
    }

  adw_preferences_group_set_description (self->medications_group,
                                         n_current > 0 ? NULL : _("No current medications."));

  /* Last: comparing with what the patient brings. */
  {
    GtkWidget *row = new_row (_("Reconcile with an Outside List…"),
                              _("A discharge summary, another practice's list, what the patient takes"));

    gtk_widget_set_name (row, "reconcile");
    gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "chart.reconcile");
    gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
    prefix_icon (row, "edit-copy-symbolic", "dim-label");
    ch_chart_summary_view_add_row (self, self->medications_group, row);
  }

  /* … and with a whole outside record: a CCD's problems, allergies and
   * medications. */
  {
    GtkWidget *row = new_row (_("Reconcile Outside Record…"),
                              _("Problems, allergies and medications from a CCD"));

    gtk_widget_set_name (row, "reconcile-outside");
    gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "chart.reconcile-outside");
    gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
    prefix_icon (row, "document-open-symbolic", "dim-label");
    ch_chart_summary_view_add_row (self, self->medications_group, row);
  }
}

static void
ch_chart_summary_view_fill_history (ChChartSummaryView *self,
                                    gboolean            can_write)
{
  static const char *kinds[] = { "medical", "surgical", "family", "social" };
  guint n = 0;

  /* Grouped by kind, in the order of the drop-down. */
  for (guint k = 0; k <= G_N_ELEMENTS (kinds); k++)
    for (guint i = 0; i < self->history->len; i++)
      {
        const ChChartItem *item = g_ptr_array_index (self->history, i);
        gboolean known = g_strv_contains (kinds, item->kind != NULL ? item->kind : "");
        GtkWidget *row;

        if (k < G_N_ELEMENTS (kinds) ? g_strcmp0 (item->kind, kinds[k]) != 0 : known)
          continue;

        row = new_row (item->display, ch_chart_ui_label (CH_CHART_UI_HISTORY_KIND, item->kind));
        set_item_row (row, item, can_write);
        ch_chart_summary_view_add_row (self, self->history_group, row);
        n++;
      }

  adw_preferences_group_set_description (self->history_group,
                                         n > 0 ? NULL : _("No history recorded."));
}

static const ChVitalSummary *
find_vital (GPtrArray  *vitals,
            const char *code,
            guint      *out_index)
{
  for (guint i = 0; i < vitals->len; i++)
    {
      const ChVitalSummary *vital = g_ptr_array_index (vitals, i);

      if (g_strcmp0 (vital->latest->code, code) == 0)
        {
          *out_index = i;
          return vital;
        }
    }

  return NULL;
}

static const char *
trend_text (int      trend,
            gboolean known)
{
  if (!known)
    return "";
  return ch_chart_ui_trend_arrow (trend);
}

static const char *
trend_tooltip (int trend)
{
  return trend > 0 ? _("Higher than the time before")
         : trend < 0 ? _("Lower than the time before")
         : _("The same as the time before");
}

static void
add_trend (GtkWidget  *row,
           const char *arrows,
           const char *tooltip)
{
  GtkWidget *label = suffix_label (row, arrows, "chart-trend");

  gtk_label_set_width_chars (GTK_LABEL (label), 3);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (tooltip != NULL)
    {
      gtk_widget_set_tooltip_text (label, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                      -1);
    }
}

/* The date under a sign taken at another time than the newest. */
static char *
vital_subtitle (const ChChartItem *item,
                gint64             newest)
{
  g_autofree char *newest_date = ch_chart_ui_format_date (newest);
  g_autofree char *date = ch_chart_ui_format_date (item->effective_at);

  if (g_strcmp0 (date, newest_date) == 0)
    return NULL;

  return g_steal_pointer (&date);
}

static void
ch_chart_summary_view_fill_vitals (ChChartSummaryView *self)
{
  static const char *order[] = {
    CH_LOINC_PULSE, CH_LOINC_TEMPERATURE, CH_LOINC_RESPIRATION, CH_LOINC_SPO2,
    CH_LOINC_HEIGHT, CH_LOINC_WEIGHT, CH_LOINC_BMI, CH_LOINC_HEAD, CH_LOINC_PAIN,
  };
  GPtrArray *vitals = self->summary->vitals;
  const ChVitalSummary *systolic;
  const ChVitalSummary *diastolic;
  guint si = 0, di = 0;
  gint64 newest = 0;

  for (guint i = 0; i < vitals->len; i++)
    {
      const ChVitalSummary *vital = g_ptr_array_index (vitals, i);

      newest = MAX (newest, vital->latest->effective_at);
    }

  if (vitals->len == 0)
    {
      adw_preferences_group_set_description (self->vitals_group, _("No vital signs recorded."));
      return;
    }

  {
    g_autofree char *when = ch_chart_ui_format_time (newest);
    /* Translators: %s is the date and time of the latest vital signs */
    g_autofree char *description = g_strdup_printf (_("Latest %s"), when);

    adw_preferences_group_set_description (self->vitals_group, description);
  }

  systolic = find_vital (vitals, CH_LOINC_SYSTOLIC, &si);
  diastolic = find_vital (vitals, CH_LOINC_DIASTOLIC, &di);
  if (systolic != NULL || diastolic != NULL)
    {
      const ChChartItem *any = systolic != NULL ? systolic->latest : diastolic->latest;
      g_autofree char *high = systolic != NULL
                              ? ch_chart_ui_format_number (systolic->latest->value_num, 0)
                              : g_strdup ("–");
      g_autofree char *low = diastolic != NULL
                             ? ch_chart_ui_format_number (diastolic->latest->value_num, 0)
                             : g_strdup ("–");
      g_autofree char *value = g_strdup_printf ("%s/%s mmHg", high, low);
      g_autofree char *subtitle = vital_subtitle (any, newest);
      g_autofree char *arrows = NULL;
      g_autofree char *tooltip = NULL;
      gboolean known = (systolic != NULL && self->trend_known[si]) ||
                       (diastolic != NULL && self->trend_known[di]);
      GtkWidget *row = new_row (_("Blood pressure"), subtitle);

      gtk_widget_set_name (row, "vital-bp");
      gtk_widget_add_css_class (row, "chart-vital");
      set_trend_row (row, CH_SECTION_VITAL, CH_TREND_BLOOD_PRESSURE, _("Blood pressure"));
      suffix_label (row, value, "chart-value");
      if (known)
        {
          arrows = g_strdup_printf ("%s%s",
                                    systolic != NULL
                                    ? trend_text (systolic->trend, self->trend_known[si]) : "",
                                    diastolic != NULL
                                    ? trend_text (diastolic->trend, self->trend_known[di]) : "");
          /* Translators: how the systolic and the diastolic pressure moved */
          tooltip = g_strdup_printf (_("Systolic: %s. Diastolic: %s."),
                                     systolic != NULL ? trend_tooltip (systolic->trend) : "–",
                                     diastolic != NULL ? trend_tooltip (diastolic->trend) : "–");
        }
      add_trend (row, arrows != NULL ? arrows : "", tooltip);
      /* Its systolic item stands for both: "entered in error" takes the
       * diastolic of the same time with it. */
      add_item_menu (row, any, FALSE,
                     trend_target (CH_SECTION_VITAL, CH_TREND_BLOOD_PRESSURE,
                                   _("Blood pressure")));
      ch_chart_summary_view_add_row (self, self->vitals_group, row);
    }

  for (guint k = 0; k < G_N_ELEMENTS (order); k++)
    {
      const ChVitalSummary *vital;
      g_autofree char *value = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *name = NULL;
      const char *imperial_unit = NULL;
      GtkWidget *row;
      guint index = 0;

      vital = find_vital (vitals, order[k], &index);
      if (vital == NULL)
        continue;

      value = ch_chart_ui_format_value (vital->latest);
      subtitle = vital_subtitle (vital->latest, newest);

      row = new_row (ch_chart_ui_vital_name (order[k]), subtitle);
      name = g_strdup_printf ("vital-%s", order[k]);
      gtk_widget_set_name (row, name);
      gtk_widget_add_css_class (row, "chart-vital");
      set_trend_row (row, CH_SECTION_VITAL, order[k], ch_chart_ui_vital_name (order[k]));

      /* Weight, height and temperature in the other system too, smaller. */
      {
        double other = ch_vital_to_imperial (order[k], vital->latest->value_num, &imperial_unit);

        if (g_strcmp0 (imperial_unit, vital->latest->unit) != 0)
          {
            g_autofree char *number = ch_chart_ui_format_number (other, 1);
            g_autofree char *text = g_strdup_printf ("%s %s", number,
                                                     ch_chart_ui_unit_text (imperial_unit));

            suffix_label (row, text, "chart-other-unit");
          }
      }
      suffix_label (row, value, "chart-value");
      add_trend (row, trend_text (vital->trend, self->trend_known[index]),
                 self->trend_known[index] ? trend_tooltip (vital->trend) : NULL);
      add_item_menu (row, vital->latest, FALSE,
                     trend_target (CH_SECTION_VITAL, order[k],
                                   ch_chart_ui_vital_name (order[k])));
      ch_chart_summary_view_add_row (self, self->vitals_group, row);
    }
}

static const char *
flag_class (const char *flag)
{
  if (g_strcmp0 (flag, "HH") == 0 || g_strcmp0 (flag, "LL") == 0)
    return "error";
  if (ch_chart_ui_has_text (flag))
    return "warning";
  return NULL;
}

static void
ch_chart_summary_view_add_chart_result (ChChartSummaryView *self,
                                        const ChChartItem  *item,
                                        gboolean            can_write)
{
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *date = ch_chart_ui_format_date (item->effective_at);
  g_autofree char *value = ch_chart_ui_format_value (item);
  const char *css = flag_class (item->flag);
  GtkWidget *row;
  GtkWidget *label;

  join (subtitle, date);
  if (item->has_range)
    {
      g_autofree char *low = ch_chart_ui_format_number (item->ref_low, 2);
      g_autofree char *high = ch_chart_ui_format_number (item->ref_high, 2);
      /* Translators: a reference range, low–high */
      g_autofree char *range = g_strdup_printf (_("range %s–%s"), low, high);

      join (subtitle, range);
    }

  row = new_row (ch_chart_ui_has_text (item->display) ? item->display : item->code,
                 subtitle->str);
  label = suffix_label (row, value, "chart-value");
  if (css != NULL)
    {
      GtkWidget *flag;

      gtk_widget_add_css_class (label, css);
      flag = suffix_label (row, item->flag, "chart-flag");
      gtk_widget_add_css_class (flag, css);
      gtk_widget_set_tooltip_text (flag,
                                   g_str_has_prefix (item->flag, "H")
                                   ? _("Above the reference range")
                                   : g_str_has_prefix (item->flag, "L")
                                   ? _("Below the reference range")
                                   : _("Abnormal"));
      gtk_widget_add_css_class (row, "chart-abnormal");
    }
  set_item_row_full (row, item, can_write,
                     ch_chart_ui_has_text (item->code)
                     ? trend_target (CH_SECTION_LAB, item->code,
                                     ch_chart_ui_has_text (item->display) ? item->display
                                                                          : item->code)
                     : NULL);
  ch_chart_summary_view_add_row (self, self->results_group, row);
}

static const char *
lab_result_name (const ChLabResult *r)
{
  return ch_chart_ui_has_text (r->text) ? r->text : r->code;
}

/* "6.8 mmol/L" */
static char *
lab_result_value (const ChLabResult *r)
{
  if (r->document_id > 0)
    return g_strdup (_("Report received"));
  if (ch_chart_ui_has_text (r->units))
    return g_strdup_printf ("%s %s", r->value != NULL ? r->value : "", r->units);
  return g_strdup (r->value != NULL ? r->value : "");
}

static char *
lab_result_date (const ChLabResult *r)
{
  if (r->has_observed_ts)
    return ch_chart_ui_format_date (r->observed_ts);
  return g_strdup (r->observed_at);
}

/* A result the lab sent: what the Labs page shows of it, with the same
 * emphasis (the flag in words, the value bold and coloured, never colour
 * alone). The lab's record is not the chart's to edit: no menu, and
 * activating it shows the Labs page. */
static void
ch_chart_summary_view_add_lab_result (ChChartSummaryView *self,
                                      const ChLabResult  *r)
{
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *date = lab_result_date (r);
  g_autofree char *value = lab_result_value (r);
  g_autofree char *flag = ch_labs_ui_flag_label (r->abnormal_flags);
  g_autofree char *name = g_strdup_printf ("lab-%" G_GINT64_FORMAT, r->id);
  gboolean critical = ch_labs_ui_flag_critical (r->abnormal_flags);
  GtkWidget *row;
  GtkWidget *label;
  GtkWidget *go;

  join (subtitle, date);
  if (ch_chart_ui_has_text (r->reference_range))
    {
      /* Translators: a lab result's reference range as the lab wrote it, "3.5-5.1" */
      g_autofree char *range = g_strdup_printf (_("range %s"), r->reference_range);

      join (subtitle, range);
    }
  /* Final is what a result is expected to be; anything else is said. */
  if (g_strcmp0 (r->status, "F") != 0)
    join (subtitle, ch_labs_ui_status_label (r->status));

  row = new_row (lab_result_name (r), subtitle->str);
  gtk_widget_set_name (row, name);

  label = suffix_label (row, value, "chart-value");
  gtk_widget_add_css_class (label, "lab-value");
  gtk_widget_set_name (label, "lab-value");
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 24);
  gtk_widget_set_tooltip_text (label, value);
  if (flag[0] != '\0')
    {
      GtkWidget *flag_label = suffix_label (row, flag, "chart-flag");

      gtk_widget_set_name (flag_label, "lab-flag");
      gtk_widget_add_css_class (label, critical ? "lab-critical" : "lab-abnormal");
      gtk_widget_add_css_class (flag_label, critical ? "error" : "warning");
      gtk_widget_add_css_class (row, "chart-abnormal");
    }

  go = gtk_image_new_from_icon_name ("go-next-symbolic");
  gtk_widget_add_css_class (go, "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), go);
  gtk_widget_set_tooltip_text (row, _("From the lab: show it on the Labs page"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "patient.show-labs");
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  ch_chart_summary_view_add_row (self, self->results_group, row);
}

/* The chart's lab entries and the lab's results, newest first, merged by
 * time (a lab result with no time after the rest). */
static void
ch_chart_summary_view_fill_results (ChChartSummaryView *self,
                                    gboolean            can_write)
{
  GPtrArray *items = self->summary->recent_results;
  guint n_labs = self->lab_latest != NULL ? self->lab_latest->len : 0;
  guint i = 0, j = 0, shown = 0;

  while (shown < RECENT_RESULTS && (i < items->len || j < n_labs))
    {
      const ChChartItem *item = i < items->len ? g_ptr_array_index (items, i) : NULL;
      const ChLabResult *lab = j < n_labs ? g_ptr_array_index (self->lab_latest, j) : NULL;

      if (lab != NULL
          && (item == NULL || (lab->has_observed_ts && lab->observed_ts > item->effective_at)))
        {
          ch_chart_summary_view_add_lab_result (self, lab);
          j++;
        }
      else
        {
          ch_chart_summary_view_add_chart_result (self, item, can_write);
          i++;
        }
      shown++;
    }

  adw_preferences_group_set_description (self->results_group,
                                         shown > 0 ? NULL : _("No results recorded."));
}

static void
ch_chart_summary_view_fill_immunizations (ChChartSummaryView *self,
                                          gboolean            can_write)
{
  GPtrArray *immunizations = self->summary->immunizations;
  GPtrArray *due = self->summary->immunizations_due;

  /* What the shipped schedule says is due: folded into one row, which says
   * how many and whether any is overdue. */
  if (due != NULL && due->len > 0)
    {
      GtkWidget *expander = adw_expander_row_new ();
      g_autofree char *title = NULL;
      GtkWidget *label;
      guint overdue = 0;

      for (guint i = 0; i < due->len; i++)
        if (((const ChDueDose *) g_ptr_array_index (due, i))->overdue)
          overdue++;

      title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u dose due by the schedule",
                                            "%u doses due by the schedule", due->len),
                               due->len);
      gtk_widget_set_name (expander, "immunizations-due");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), title);
      if (overdue > 0)
        {
          g_autofree char *subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                    "%u overdue", "%u overdue",
                                                                    overdue),
                                                       overdue);
          adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), subtitle);
        }
      label = gtk_label_new (overdue > 0 ? _("Overdue") : _("Due"));
      gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (label, "chart-flag");
      gtk_widget_add_css_class (label, overdue > 0 ? "error" : "warning");
      adw_expander_row_add_action (ADW_EXPANDER_ROW (expander), label);

      for (guint i = 0; i < due->len; i++)
        {
          const ChDueDose *dose = g_ptr_array_index (due, i);
          /* Translators: a vaccine, then the number of the dose */
          g_autofree char *name = g_strdup_printf (_("%s, dose %d"),
                                                   ch_chart_ui_vaccine_group (dose->vaccine_group),
                                                   dose->dose);
          /* Translators: %s is the date from which a vaccine dose is recommended */
          g_autofree char *when = g_strdup_printf (_("recommended from %s"), dose->due_date);
          GtkWidget *row = new_row (name, when);

          if (dose->overdue)
            suffix_label (row, _("Overdue"), "chart-overdue");
          if (ch_chart_ui_has_text (dose->notes))
            gtk_widget_set_tooltip_text (row, dose->notes);
          adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);
        }

      ch_chart_summary_view_add_row (self, self->immunizations_group, expander);
    }

  for (guint i = 0; i < immunizations->len; i++)
    {
      const ChChartItem *item = g_ptr_array_index (immunizations, i);
      g_autoptr(GString) subtitle = g_string_new (NULL);
      GtkWidget *row;

      join (subtitle, item->start_date);
      if (g_strcmp0 (item->clinical_status, "given") != 0)
        join (subtitle, ch_chart_ui_label (CH_CHART_UI_IMMUNIZATION_STATUS, item->clinical_status));
      if (ch_chart_ui_has_text (ch_chart_item_get_detail (item, "lot")))
        {
          /* Translators: %s is a vaccine's lot number */
          g_autofree char *lot = g_strdup_printf (_("lot %s"),
                                                  ch_chart_item_get_detail (item, "lot"));
          join (subtitle, lot);
        }
      join (subtitle, ch_chart_item_get_detail (item, "site"));
      join (subtitle, ch_chart_item_get_detail (item, "route"));

      row = new_row (ch_chart_ui_has_text (item->display) ? item->display : item->code,
                     subtitle->str);
      if (g_strcmp0 (item->clinical_status, "refused") == 0)
        gtk_widget_add_css_class (row, "chart-inactive");
      set_item_row (row, item, can_write);
      ch_chart_summary_view_add_row (self, self->immunizations_group, row);
    }

  adw_preferences_group_set_description (self->immunizations_group,
                                         immunizations->len > 0 ? NULL
                                         : due != NULL && due->len > 0
                                         ? _("None recorded yet.")
                                         : _("No immunizations recorded."));
}

static void
ch_chart_summary_view_fill_appointments (ChChartSummaryView *self)
{
  GPtrArray *appointments = self->summary->appointments;

  for (guint i = 0; appointments != NULL && i < appointments->len; i++)
    {
      const ChAppointment *a = g_ptr_array_index (appointments, i);
      g_autofree char *when = ch_chart_ui_format_time (a->start_at);
      g_autoptr(GString) title = g_string_new (when);
      g_autoptr(GString) subtitle = g_string_new (NULL);

      join (title, a->type_name);
      join (subtitle, a->provider_name);
      join (subtitle, ch_schedule_status_label (a->status));
      join (subtitle, a->reason);
      ch_chart_summary_view_add_row (self, self->appointments_group,
                                     new_row (title->str, subtitle->str));
    }

  /* Only for those who may read the schedule. */
  gtk_widget_set_visible (GTK_WIDGET (self->appointments_group),
                          ch_session_can (self->session, CH_AREA_SCHEDULING, CH_ACCESS_READ));
  adw_preferences_group_set_description (self->appointments_group,
                                         appointments != NULL && appointments->len > 0
                                         ? NULL : _("No appointments booked."));
}

static void
ch_chart_summary_view_fill_encounters (ChChartSummaryView *self)
{
  GPtrArray *encounters = self->summary->encounters;

  for (guint i = 0; i < encounters->len; i++)
    {
      const ChEncounterRecord *encounter = g_ptr_array_index (encounters, i);
      g_autofree char *date = ch_chart_ui_format_date (encounter->start_at);
      g_autoptr(GString) title = g_string_new (date);
      g_autoptr(GString) subtitle = g_string_new (NULL);

      if (ch_chart_ui_has_text (encounter->kind))
        join (title, ch_chart_ui_label (CH_CHART_UI_ENCOUNTER_KIND, encounter->kind));
      join (subtitle, encounter->reason);
      join (subtitle, encounter->provider);

      ch_chart_summary_view_add_row (self, self->encounters_group,
                                     new_row (title->str, subtitle->str));
    }

  adw_preferences_group_set_description (self->encounters_group,
                                         encounters->len > 0 ? NULL : _("No encounters recorded."));
}

/* One alert for the critical lab results of the last CRITICAL_DAYS:
 * "Critical lab result: Potassium 6.8 mmol/L (critically high), 2026-11-24",
 * the first few named, the rest counted; it leads to the Labs page. */
static GtkWidget *
critical_labs_row (GPtrArray *critical)
{
  g_autoptr(GString) named = g_string_new (NULL);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *row;

  for (guint i = 0; i < critical->len && i < CRITICAL_NAMED; i++)
    {
      const ChLabResult *r = g_ptr_array_index (critical, i);
      g_autofree char *value = lab_result_value (r);
      g_autofree char *date = lab_result_date (r);
      g_autofree char *flag = ch_labs_ui_flag_label (r->abnormal_flags);
      g_autofree char *words = g_utf8_strdown (flag, -1);
      /* Translators: a critical lab result: the test, its value with its
       * units, its flag in words, the date: "Potassium 6.8 mmol/L
       * (critically high), 2026-11-24" */
      g_autofree char *one = g_strdup_printf (_("%s %s (%s), %s"), lab_result_name (r), value,
                                              words, date);

      if (named->len > 0)
        g_string_append (named, "; ");
      g_string_append (named, one);
    }
  if (critical->len > CRITICAL_NAMED)
    {
      guint more = critical->len - CRITICAL_NAMED;

      g_string_append_c (named, ' ');
      g_string_append_printf (named, g_dngettext (GETTEXT_PACKAGE, "and %u more", "and %u more",
                                                  more),
                              more);
    }

  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Critical lab result: %s",
                                        "Critical lab results: %s", critical->len),
                           named->str);
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Flagged by the lab in the last %u day. "
                                           "See the Labs page.",
                                           "Flagged by the lab in the last %u days. "
                                           "See the Labs page.", CRITICAL_DAYS),
                              CRITICAL_DAYS);
  row = new_row (title, subtitle);
  gtk_widget_set_name (row, "lab-critical-alert");
  gtk_widget_add_css_class (row, "chart-allergy");
  prefix_icon (row, "dialog-warning-symbolic", "error");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "patient.show-labs");
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);

  return row;
}

/* What needs a look before anything else: critical lab results, drug
 * problems among what the patient takes now, allergies the base could not
 * check, overdue vaccines. */
static void
ch_chart_summary_view_fill_alerts (ChChartSummaryView *self)
{
  g_autoptr (GString) unchecked = g_string_new (NULL);
  guint overdue = 0;
  guint shown = 0;

  if (self->lab_critical != NULL && self->lab_critical->len > 0)
    {
      ch_chart_summary_view_add_row (self, self->alerts_group,
                                     critical_labs_row (self->lab_critical));
      shown++;
    }

  for (guint i = 0; self->drug_alerts != NULL && i < self->drug_alerts->len; i++)
    {
      const ChDrugAlert *alert = g_ptr_array_index (self->drug_alerts, i);
      g_autofree char *title = NULL;
      GtkWidget *row;

      if (alert->kind == CH_DRUG_ALERT_UNKNOWN_DRUG)
        {
          g_string_append_printf (unchecked, "%s%s", unchecked->len ? ", " : "", alert->party_a);
          continue;
        }
      title = ch_drug_alert_title (alert);
      row = new_row (title, alert->effect);
      gtk_widget_add_css_class (row, alert->severity >= CH_DRUG_SEVERITY_MAJOR
                                     ? "chart-allergy" : "chart-not-recorded");
      gtk_widget_set_tooltip_text (row, alert->management);
      ch_chart_summary_view_add_row (self, self->alerts_group, row);
      shown++;
    }

  for (guint i = 0; i < self->summary->immunizations_due->len; i++)
    overdue += ((ChDueDose *) g_ptr_array_index (self->summary->immunizations_due, i))->overdue;
  if (overdue > 0)
    {
      g_autofree char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                             "%u immunization overdue",
                                                             "%u immunizations overdue", overdue),
                                                overdue);
      GtkWidget *row = new_row (title, _("See Immunizations below."));

      gtk_widget_add_css_class (row, "chart-not-recorded");
      ch_chart_summary_view_add_row (self, self->alerts_group, row);
      shown++;
    }

  if (unchecked->len > 0)
    {
      GtkWidget *row = new_row (_("Not checked against the drug knowledge base"), unchecked->str);

      ch_chart_summary_view_add_row (self, self->alerts_group, row);
      shown++;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->alerts_group), shown > 0);
}

static void
ch_chart_summary_view_fill (ChChartSummaryView *self)
{
  gboolean can_write;

  ch_chart_summary_view_remove_rows (self);
  g_hash_table_remove_all (self->items);

  if (self->summary == NULL)
    return;

  can_write = ch_session_can (self->session, CH_AREA_CLINICAL, CH_ACCESS_WRITE);

  ch_chart_summary_view_fill_alerts (self);
  ch_chart_summary_view_fill_allergies (self, can_write);
  ch_chart_summary_view_fill_problems (self, can_write);
  ch_chart_summary_view_fill_medications (self, can_write);
  ch_chart_summary_view_fill_history (self, can_write);
  ch_chart_summary_view_fill_vitals (self);
  ch_chart_summary_view_fill_results (self, can_write);
  ch_chart_summary_view_fill_immunizations (self, can_write);
  ch_chart_summary_view_fill_appointments (self);
  ch_chart_summary_view_fill_encounters (self);

  /* What the commands find by id. */
  {
    GPtrArray *lists[] = {
      self->summary->problems, self->allergies, self->medications, self->history,
      self->summary->recent_results, self->summary->immunizations,
    };

    for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
      for (guint i = 0; i < lists[l]->len; i++)
        {
          ChChartItem *item = g_ptr_array_index (lists[l], i);

          g_hash_table_insert (self->items, &item->id, item);
        }
    for (guint i = 0; i < self->summary->vitals->len; i++)
      {
        ChVitalSummary *vital = g_ptr_array_index (self->summary->vitals, i);

        g_hash_table_insert (self->items, &vital->latest->id, vital->latest);
      }
  }
}

/* ---- loading --------------------------------------------------------------------------- */

typedef struct
{
  ChSession      *session;
  gint64          patient_id;
  guint           generation;
  ChChartSummary *summary;
  GPtrArray      *allergies;
  GPtrArray      *medications;
  GPtrArray      *history;
  GPtrArray      *prescriptions;
  GPtrArray      *drug_alerts;
  GPtrArray      *lab_latest;
  GPtrArray      *lab_critical;
  gboolean       *trend_known;
} Load;

static void
load_free (gpointer data)
{
  Load *load = data;

  g_clear_object (&load->session);
  g_clear_pointer (&load->summary, ch_chart_summary_free);
  g_clear_pointer (&load->allergies, g_ptr_array_unref);
  g_clear_pointer (&load->medications, g_ptr_array_unref);
  g_clear_pointer (&load->history, g_ptr_array_unref);
  g_clear_pointer (&load->prescriptions, g_ptr_array_unref);
  g_clear_pointer (&load->drug_alerts, g_ptr_array_unref);
  g_clear_pointer (&load->lab_latest, g_ptr_array_unref);
  g_clear_pointer (&load->lab_critical, g_ptr_array_unref);
  g_clear_pointer (&load->trend_known, g_free);
  g_free (load);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Load *load = task_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *vitals;

  load->summary = ch_chart_open (load->session, load->patient_id, &error);
  if (load->summary == NULL)
    goto fail;

  /* The summary holds what is current; the sections list the rest too. */
  load->allergies = ch_chart_list (load->session, load->patient_id, CH_SECTION_ALLERGY, FALSE,
                                   &error);
  if (load->allergies == NULL)
    goto fail;
  load->medications = ch_chart_list (load->session, load->patient_id, CH_SECTION_MEDICATION,
                                     FALSE, &error);
  if (load->medications == NULL)
    goto fail;
  load->history = ch_chart_list (load->session, load->patient_id, CH_SECTION_HISTORY, FALSE,
                                 &error);
  if (load->history == NULL)
    goto fail;
  load->prescriptions = ch_prescribing_list (load->session, load->patient_id, &error);
  if (load->prescriptions == NULL)
    goto fail;

  /* Drug alerts need the knowledge base, which not every reader of the chart may read. */
  if (ch_session_can (load->session, CH_AREA_PRESCRIBING, CH_ACCESS_READ)
      || ch_session_can (load->session, CH_AREA_DRUG_KB, CH_ACCESS_READ))
    {
      load->drug_alerts = ch_prescribing_review (load->session, load->patient_id, &error);
      if (load->drug_alerts == NULL)
        goto fail;
    }

  /* The lab's results: as many as Recent Results can show, and, for the
   * alert, each test's newest of the last days that is critical. Read
   * with the chart (ch_chart_open() checked the access and audited the
   * opening), not one audit entry a result. */
  load->lab_latest = ch_labs_list_latest (load->session, load->patient_id, 0, RECENT_RESULTS,
                                          &error);
  if (load->lab_latest == NULL)
    goto fail;
  {
    g_autoptr(GPtrArray) recent = ch_labs_list_latest (load->session, load->patient_id,
                                                       g_get_real_time ()
                                                       - CRITICAL_DAYS * G_TIME_SPAN_DAY,
                                                       0, &error);

    if (recent == NULL)
      goto fail;
    load->lab_critical = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_lab_result_free);
    for (guint i = 0; i < recent->len; i++)
      {
        ChLabResult *r = g_ptr_array_index (recent, i);

        if (ch_labs_ui_flag_critical (r->abnormal_flags))
          g_ptr_array_add (load->lab_critical, g_steal_pointer (&recent->pdata[i]));
      }
  }

  /* A trend of 0 is "the same as before" or "nothing before": no arrow
   * for a first value. */
  vitals = load->summary->vitals;
  load->trend_known = g_new0 (gboolean, vitals->len + 1);
  for (guint i = 0; i < vitals->len; i++)
    {
      const ChVitalSummary *vital = g_ptr_array_index (vitals, i);
      g_autoptr(GPtrArray) series = NULL;

      if (vital->trend != 0)
        {
          load->trend_known[i] = TRUE;
          continue;
        }

      series = ch_chart_series (load->session, load->patient_id, CH_SECTION_VITAL,
                                vital->latest->code, &error);
      if (series == NULL)
        goto fail;
      load->trend_known[i] = series->len > 1;
    }

  g_task_return_boolean (task, TRUE);
  return;

fail:
  g_task_return_error (task, g_steal_pointer (&error));
}

static void
load_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (object);
  Load *load = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  double scroll;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      ch_chart_summary_view_set_busy (self, FALSE);
      if (load->generation != self->generation)
        return;

      adw_status_page_set_description (self->error_page, error->message);
      ch_ui_stack_show (self->stack, "error");
      gtk_spinner_set_spinning (self->spinner, FALSE);
      return;
    }

  /* Another patient was asked for meanwhile: this one is not shown. */
  if (load->generation != self->generation)
    {
      ch_chart_summary_view_set_busy (self, FALSE);
      return;
    }

  scroll = gtk_adjustment_get_value (gtk_scrolled_window_get_vadjustment (self->scroller));

  /* The index points into the lists about to go. */
  g_hash_table_remove_all (self->items);
  g_clear_pointer (&self->summary, ch_chart_summary_free);
  g_clear_pointer (&self->allergies, g_ptr_array_unref);
  g_clear_pointer (&self->medications, g_ptr_array_unref);
  g_clear_pointer (&self->history, g_ptr_array_unref);
  g_clear_pointer (&self->prescriptions, g_ptr_array_unref);
  g_clear_pointer (&self->drug_alerts, g_ptr_array_unref);
  g_clear_pointer (&self->lab_latest, g_ptr_array_unref);
  g_clear_pointer (&self->lab_critical, g_ptr_array_unref);
  g_clear_pointer (&self->trend_known, g_free);
  self->summary = g_steal_pointer (&load->summary);
  self->lab_latest = g_steal_pointer (&load->lab_latest);
  self->lab_critical = g_steal_pointer (&load->lab_critical);
  self->prescriptions = g_steal_pointer (&load->prescriptions);
  self->drug_alerts = g_steal_pointer (&load->drug_alerts);
  self->allergies = g_steal_pointer (&load->allergies);
  self->medications = g_steal_pointer (&load->medications);
  self->history = g_steal_pointer (&load->history);
  self->trend_known = g_steal_pointer (&load->trend_known);

  ch_chart_summary_view_fill (self);
  gtk_spinner_set_spinning (self->spinner, FALSE);
  ch_ui_stack_show (self->stack, "chart");
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), scroll);
  ch_chart_summary_view_set_busy (self, FALSE);
}

static void
ch_chart_summary_view_start_load (ChChartSummaryView *self)
{
  g_autoptr(GTask) task = NULL;
  Load *load;

  if (self->patient == NULL || self->session == NULL)
    return;

  /* The store is another worker's until the gate opens; then this runs. */
  if (ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self),
                               G_CALLBACK (ch_chart_summary_view_start_load));
      return;
    }

  load = g_new0 (Load, 1);
  load->session = g_object_ref (self->session);
  load->patient_id = self->patient->id;
  load->generation = self->generation;

  ch_chart_summary_view_set_busy (self, TRUE);

  task = ch_ui_session_task_new (self->session, self, self->cancellable, load_done, NULL);
  g_task_set_source_tag (task, ch_chart_summary_view_start_load);
  g_task_set_task_data (task, load, load_free);
  ch_ui_session_run_task (task, load_thread);
}

static void
ch_chart_summary_view_forget (ChChartSummaryView *self)
{
  self->generation++;
  g_hash_table_remove_all (self->items);
  g_clear_pointer (&self->summary, ch_chart_summary_free);
  g_clear_pointer (&self->allergies, g_ptr_array_unref);
  g_clear_pointer (&self->medications, g_ptr_array_unref);
  g_clear_pointer (&self->history, g_ptr_array_unref);
  g_clear_pointer (&self->prescriptions, g_ptr_array_unref);
  g_clear_pointer (&self->drug_alerts, g_ptr_array_unref);
  g_clear_pointer (&self->lab_latest, g_ptr_array_unref);
  g_clear_pointer (&self->lab_critical, g_ptr_array_unref);
  g_clear_pointer (&self->trend_known, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self->alerts_group), FALSE);
  ch_chart_summary_view_fill (self);
}

/**
 * ch_chart_summary_view_load:
 * @self: a chart summary
 * @patient: whose chart to open (copied)
 *
 * Forgets the chart shown and opens @patient's, on a worker (at once, or
 * as soon as the session's gate opens).
 */
void
ch_chart_summary_view_load (ChChartSummaryView    *self,
                            const ChPatientRecord *patient)
{
  g_return_if_fail (CH_IS_CHART_SUMMARY_VIEW (self));
  g_return_if_fail (patient != NULL);

  g_clear_pointer (&self->patient, ch_patient_record_free);
  self->patient = ch_patient_record_copy (patient);
  ch_chart_summary_view_forget (self);

  gtk_spinner_set_spinning (self->spinner, TRUE);
  ch_ui_stack_show (self->stack, "loading");
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
  ch_chart_summary_view_update_actions (self);

  ch_chart_summary_view_start_load (self);
}

/* Reads the chart shown again, after a change. */
void
ch_chart_summary_view_reload (ChChartSummaryView *self)
{
  g_return_if_fail (CH_IS_CHART_SUMMARY_VIEW (self));

  ch_chart_summary_view_start_load (self);
}

/* Forgets the patient, so that no chart stays in a hidden widget. */
void
ch_chart_summary_view_clear (ChChartSummaryView *self)
{
  g_return_if_fail (CH_IS_CHART_SUMMARY_VIEW (self));

  g_clear_pointer (&self->patient, ch_patient_record_free);
  ch_chart_summary_view_forget (self);
  gtk_spinner_set_spinning (self->spinner, FALSE);
  ch_ui_stack_show (self->stack, "loading");
  ch_chart_summary_view_update_actions (self);
}

void
ch_chart_summary_view_set_session (ChChartSummaryView *self,
                                   ChSession          *session)
{
  g_return_if_fail (CH_IS_CHART_SUMMARY_VIEW (self));
  g_return_if_fail (CH_IS_SESSION (session));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  ch_ui_session_watch_busy (session, G_OBJECT (self),
                            G_CALLBACK (ch_chart_summary_view_update_actions));
  ch_chart_summary_view_update_actions (self);
}

/* Returns: whether the chart is being read or changed */
gboolean
ch_chart_summary_view_get_busy (ChChartSummaryView *self)
{
  g_return_val_if_fail (CH_IS_CHART_SUMMARY_VIEW (self), FALSE);

  return self->busy;
}

/* Returns: (transfer none) (nullable): the chart shown, as the controller
 * returned it */
const ChChartSummary *
ch_chart_summary_view_get_summary (ChChartSummaryView *self)
{
  g_return_val_if_fail (CH_IS_CHART_SUMMARY_VIEW (self), NULL);

  return self->summary;
}

/* Returns: (transfer none) (nullable): the entry shown with @item_id */
const ChChartItem *
ch_chart_summary_view_find_item (ChChartSummaryView *self,
                                 gint64              item_id)
{
  g_return_val_if_fail (CH_IS_CHART_SUMMARY_VIEW (self), NULL);

  return g_hash_table_lookup (self->items, &item_id);
}

/* ---- commands ---------------------------------------------------------------------- */

static GtkWindow *
parent_window (ChChartSummaryView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
on_item_saved (ChChartSummaryView *self,
               gpointer            item_pointer,
               ChChartItemDialog  *dialog)
{
  const ChChartItem *item = item_pointer;

  ch_chart_summary_view_reload (self);
  ch_ui_toast (GTK_WIDGET (self), item->version > 1 ? _("Change saved, with its reason")
                                                    : _("Added to the chart"));
}

static void
ch_chart_summary_view_present_item_dialog (ChChartSummaryView *self,
                                           const char         *section,
                                           const ChChartItem  *item)
{
  GtkWidget *dialog;

  dialog = ch_chart_item_dialog_new (parent_window (self), self->session, self->patient,
                                     section, item);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_item_saved), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (widget);
  const char *section = g_variant_get_string (parameter, NULL);

  if (!ch_chart_summary_view_ready (self))
    return;

  if (g_strcmp0 (section, CH_SECTION_VITAL) == 0)
    {
      gtk_widget_activate_action (widget, "chart.record-vitals", NULL);
      return;
    }

  ch_chart_summary_view_present_item_dialog (self, section, NULL);
}

static void
edit_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (widget);
  const ChChartItem *item;

  if (!ch_chart_summary_view_ready (self))
    return;

  item = ch_chart_summary_view_find_item (self, g_variant_get_int64 (parameter));
  if (item == NULL || g_strcmp0 (item->section, CH_SECTION_VITAL) == 0)
    return;

  ch_chart_summary_view_present_item_dialog (self, item->section, item);
}

static void
history_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (widget);
  const ChChartItem *item;
  GtkWidget *window;

  if (!ch_chart_summary_view_ready (self))
    return;

  item = ch_chart_summary_view_find_item (self, g_variant_get_int64 (parameter));
  if (item == NULL)
    return;

  window = ch_chart_history_new (parent_window (self), self->session, item);
  gtk_window_present (GTK_WINDOW (window));
}

typedef struct
{
  ChSession  *session;
  gint64      patient_id;
  gint64      item_id;
  char       *reason;
  gboolean    none;
  const char *pair_code;     /* (nullable): the other half of a blood pressure */
  gint64      effective_at;  /* when that blood pressure was taken */
} Change;

static void
change_free (gpointer data)
{
  Change *change = data;

  g_clear_object (&change->session);
  g_free (change->reason);
  g_free (change);
}

static void
retract_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Change *change = task_data;
  g_autoptr(GError) error = NULL;

  g_autoptr(GPtrArray) vitals = NULL;

  if (!ch_chart_entered_in_error (change->session, change->item_id, change->reason, &error))
    goto fail;

  /* A blood pressure is one reading: its other half goes with it. */
  if (change->pair_code != NULL)
    {
      vitals = ch_chart_list (change->session, change->patient_id, CH_SECTION_VITAL, FALSE,
                              &error);
      if (vitals == NULL)
        goto fail;

      for (guint i = 0; i < vitals->len; i++)
        {
          const ChChartItem *other = g_ptr_array_index (vitals, i);

          if (g_strcmp0 (other->code, change->pair_code) == 0 &&
              other->effective_at == change->effective_at &&
              !ch_chart_entered_in_error (change->session, other->id, change->reason, &error))
            goto fail;
        }
    }

  g_task_return_boolean (task, TRUE);
  return;

fail:
  g_task_return_error (task, g_steal_pointer (&error));
}

static void
nka_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Change *change = task_data;
  g_autoptr(GError) error = NULL;

  if (ch_chart_set_no_known_allergies (change->session, change->patient_id, change->none, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
change_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (object);
  const char *message = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      ch_chart_summary_view_set_busy (self, FALSE);
      ch_ui_toast (GTK_WIDGET (self), error->message);
      return;
    }

  ch_chart_summary_view_set_busy (self, FALSE);
  ch_chart_summary_view_reload (self);
  ch_ui_toast (GTK_WIDGET (self), _(message));
}

static void
ch_chart_summary_view_run_change (ChChartSummaryView *self,
                                  Change             *change,
                                  GTaskThreadFunc     func,
                                  const char         *message)
{
  g_autoptr(GTask) task = NULL;

  ch_chart_summary_view_set_busy (self, TRUE);

  task = ch_ui_session_task_new (self->session, self, self->cancellable, change_done,
                                 (gpointer) message);
  g_task_set_source_tag (task, ch_chart_summary_view_run_change);
  g_task_set_task_data (task, change, change_free);
  ch_ui_session_run_task (task, func);
}

static void
on_retract_response (AdwMessageDialog   *dialog,
                     const char         *response,
                     ChChartSummaryView *self)
{
  g_autofree char *reason = ch_chart_ui_reason_dialog_get_reason (dialog);
  Change *change;

  if (g_strcmp0 (response, "confirm") != 0 || reason == NULL ||
      !ch_chart_summary_view_ready (self))
    return;

  change = g_new0 (Change, 1);
  change->session = g_object_ref (self->session);
  change->item_id = *(gint64 *) g_object_get_data (G_OBJECT (dialog), "item-id");
  change->reason = g_steal_pointer (&reason);
  change->patient_id = self->patient->id;
  change->pair_code = g_object_get_data (G_OBJECT (dialog), "pair-code");
  if (change->pair_code != NULL)
    change->effective_at = *(gint64 *) g_object_get_data (G_OBJECT (dialog), "effective-at");

  ch_chart_summary_view_run_change (self, change, retract_thread,
                                    N_("Marked as entered in error"));
}

static void
entered_in_error_activated (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (widget);
  const ChChartItem *item;
  const char *pair_code = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (!ch_chart_summary_view_ready (self))
    return;

  item = ch_chart_summary_view_find_item (self, g_variant_get_int64 (parameter));
  if (item == NULL)
    return;

  if (g_strcmp0 (item->section, CH_SECTION_VITAL) == 0)
    pair_code = g_strcmp0 (item->code, CH_LOINC_SYSTOLIC) == 0 ? CH_LOINC_DIASTOLIC
                : g_strcmp0 (item->code, CH_LOINC_DIASTOLIC) == 0 ? CH_LOINC_SYSTOLIC
                : NULL;

  /* Translators: %s names a chart entry, like "Hypertension" */
  body = g_strdup_printf (_("“%s” leaves the chart. It is kept, with your reason, in the "
                            "record’s history."),
                          pair_code != NULL ? _("Blood pressure")
                          : ch_chart_ui_has_text (item->display) ? item->display
                          : ch_chart_ui_vital_name (item->code));
  dialog = ch_chart_ui_reason_dialog_new (parent_window (self), _("Mark as Entered in Error?"),
                                          body, _("_Mark Entered in Error"));
  g_object_set_data_full (G_OBJECT (dialog), "item-id",
                          g_memdup2 (&item->id, sizeof item->id), g_free);
  if (pair_code != NULL)
    {
      g_object_set_data (G_OBJECT (dialog), "pair-code", (gpointer) pair_code);
      g_object_set_data_full (G_OBJECT (dialog), "effective-at",
                              g_memdup2 (&item->effective_at, sizeof item->effective_at), g_free);
    }
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_retract_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
set_no_known_allergies_activated (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (widget);
  gboolean none = g_variant_get_boolean (parameter);
  Change *change;

  if (!ch_chart_summary_view_ready (self))
    return;

  change = g_new0 (Change, 1);
  change->session = g_object_ref (self->session);
  change->patient_id = self->patient->id;
  change->none = none;

  ch_chart_summary_view_run_change (self, change, nka_thread,
                                    none ? N_("Recorded: no known allergies")
                                         : N_("Allergies marked as not recorded"));
}

static void
trend_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (widget);
  const char *section, *code, *title;
  GtkWidget *window;

  if (!ch_chart_summary_view_ready (self))
    return;

  g_variant_get (parameter, "(&s&s&s)", &section, &code, &title);
  window = ch_trend_window_new (parent_window (self), self->session, self->patient, section, code,
                                title);
  gtk_window_present (GTK_WINDOW (window));
}

static void
on_vitals_saved (ChChartSummaryView *self,
                 ChVitalsDialog     *dialog)
{
  ch_chart_summary_view_reload (self);
  ch_ui_toast (GTK_WIDGET (self), _("Vital signs recorded"));
}

static void
record_vitals_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (widget);
  GtkWidget *dialog;

  if (!ch_chart_summary_view_ready (self))
    return;

  dialog = ch_vitals_dialog_new (parent_window (self), self->session, self->patient);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_vitals_saved), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_encounter_saved (ChChartSummaryView *self,
                    ChEncounterDialog  *dialog)
{
  ch_chart_summary_view_reload (self);
  ch_ui_toast (GTK_WIDGET (self), _("Encounter added"));
}

static void
add_encounter_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (widget);
  GtkWidget *dialog;

  if (!ch_chart_summary_view_ready (self) ||
      !ch_session_can (self->session, CH_AREA_CLINICAL, CH_ACCESS_WRITE))
    return;

  dialog = ch_encounter_dialog_new (parent_window (self), self->session, self->patient);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_encounter_saved), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- prescribing ------------------------------------------------------------- */

static void
on_prescription_changed (ChChartSummaryView *self)
{
  ch_chart_summary_view_reload (self);
}

static void
present_prescribe_dialog (ChChartSummaryView   *self,
                          const ChPrescription *draft)
{
  GtkWidget *dialog = ch_prescribe_dialog_new (parent_window (self), self->session, self->patient,
                                               self->summary->problems, draft);

  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_prescription_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "signed", G_CALLBACK (on_prescription_changed), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static const ChPrescription *
find_prescription (ChChartSummaryView *self,
                   gint64              id)
{
  for (guint i = 0; self->prescriptions != NULL && i < self->prescriptions->len; i++)
    if (((ChPrescription *) self->prescriptions->pdata[i])->id == id)
      return self->prescriptions->pdata[i];
  return NULL;
}

static void
prescribe_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (widget);

  if (ch_chart_summary_view_ready (self))
    present_prescribe_dialog (self, NULL);
}

static void
open_draft_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (widget);
  const ChPrescription *rx;

  if (!ch_chart_summary_view_ready (self))
    return;
  rx = find_prescription (self, g_variant_get_int64 (parameter));
  if (rx != NULL && g_strcmp0 (rx->state, "draft") == 0)
    present_prescribe_dialog (self, rx);
}

typedef struct
{
  ChSession      *session;
  gint64          id;
  ChPrescription *rx;    /* out: the renewal */
  GBytes         *pdf;   /* out: the print-out */
} RxWork;

static void
rx_work_free (gpointer data)
{
  RxWork *work = data;

  g_clear_object (&work->session);
  g_clear_pointer (&work->rx, ch_prescription_free);
  g_clear_pointer (&work->pdf, g_bytes_unref);
  g_free (work);
}

static void
run_rx_work (ChChartSummaryView  *self,
             gint64               id,
             GTaskThreadFunc      thread,
             GAsyncReadyCallback  done)
{
  RxWork *work = g_new0 (RxWork, 1);
  g_autoptr(GTask) task = NULL;

  work->session = g_object_ref (self->session);
  work->id = id;
  ch_chart_summary_view_set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, done, NULL);
  g_task_set_task_data (task, work, rx_work_free);
  ch_ui_session_run_task (task, thread);
}

static void
renew_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  RxWork *work = task_data;
  g_autoptr(GError) error = NULL;
  gint64 id = ch_prescribing_renew (work->session, work->id, &error);

  if (id == 0 || (work->rx = ch_prescribing_get (work->session, id, &error)) == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* After a renewal (open its draft) or a print-out (send it to the printer). */
static void
rx_work_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (object);
  RxWork *work = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      ch_chart_summary_view_set_busy (self, FALSE);
      ch_ui_toast (GTK_WIDGET (self), error->message);
      return;
    }
  ch_chart_summary_view_set_busy (self, FALSE);

  if (work->rx != NULL)
    {
      /* The renewal is a draft: change what needs changing, then sign. */
      present_prescribe_dialog (self, work->rx);
      ch_chart_summary_view_reload (self);
    }
  else if (work->pdf != NULL
           && !ch_ui_print_pdf (parent_window (self), work->pdf, _("Prescription"), NULL, &error))
    ch_ui_toast (GTK_WIDGET (self), error->message);
}

static void
renew_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (widget);

  if (ch_chart_summary_view_ready (self))
    run_rx_work (self, g_variant_get_int64 (parameter), renew_thread, rx_work_done);
}

static void
stop_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Change *change = task_data;
  g_autoptr(GError) error = NULL;

  if (ch_prescribing_stop (change->session, change->item_id, change->reason, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
on_stop_response (AdwMessageDialog   *dialog,
                  const char         *response,
                  ChChartSummaryView *self)
{
  g_autofree char *reason = ch_chart_ui_reason_dialog_get_reason (dialog);
  Change *change;

  if (g_strcmp0 (response, "confirm") != 0 || reason == NULL
      || !ch_chart_summary_view_ready (self))
    return;

  change = g_new0 (Change, 1);
  change->session = g_object_ref (self->session);
  change->item_id = *(gint64 *) g_object_get_data (G_OBJECT (dialog), "prescription-id");
  change->reason = g_steal_pointer (&reason);
  change->patient_id = self->patient->id;
  ch_chart_summary_view_run_change (self, change, stop_thread, N_("Medication stopped"));
}

static void
stop_prescription_activated (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (widget);
  gint64 id = g_variant_get_int64 (parameter);
  const ChPrescription *rx;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (!ch_chart_summary_view_ready (self) || (rx = find_prescription (self, id)) == NULL)
    return;

  /* Translators: %s is a drug, like "amoxicillin" */
  body = g_strdup_printf (_("%s moves to the past medications, with your reason."), rx->drug_name);
  dialog = ch_chart_ui_reason_dialog_new (parent_window (self), _("Stop Medication?"), body,
                                          _("_Stop"));
  g_object_set_data_full (G_OBJECT (dialog), "prescription-id", g_memdup2 (&id, sizeof id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_stop_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
refill_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Change *change = task_data;
  g_autoptr(GError) error = NULL;

  if (ch_refills_request (change->session, change->item_id, change->reason, &error) != 0)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
on_refill_response (AdwMessageDialog   *dialog,
                    const char         *response,
                    ChChartSummaryView *self)
{
  g_autofree char *note = ch_chart_ui_reason_dialog_get_reason (dialog);
  Change *change;

  if (g_strcmp0 (response, "confirm") != 0 || note == NULL || !ch_chart_summary_view_ready (self))
    return;

  change = g_new0 (Change, 1);
  change->session = g_object_ref (self->session);
  change->item_id = *(gint64 *) g_object_get_data (G_OBJECT (dialog), "prescription-id");
  change->reason = g_steal_pointer (&note);
  change->patient_id = self->patient->id;
  ch_chart_summary_view_run_change (self, change, refill_thread,
                                    N_("Refill requested from the prescriber"));
}

static void
request_refill_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (widget);
  gint64 id = g_variant_get_int64 (parameter);
  const ChPrescription *rx;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (!ch_chart_summary_view_ready (self) || (rx = find_prescription (self, id)) == NULL)
    return;

  /* Translators: "metformin goes to doctor's refill queue. Say why, for example …" */
  body = g_strdup_printf (_("%s goes to %s's refill queue. Add a note, for example how many "
                            "days of medication the patient has left."),
                          rx->drug_name, rx->prescriber);
  dialog = ch_chart_ui_reason_dialog_new (parent_window (self), _("Request a Refill?"), body,
                                          _("_Request"));
  g_object_set_data_full (G_OBJECT (dialog), "prescription-id", g_memdup2 (&id, sizeof id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_refill_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
discard_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Change *change = task_data;
  g_autoptr(GError) error = NULL;

  if (ch_prescribing_discard (change->session, change->item_id, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
discard_draft_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (widget);
  Change *change;

  if (!ch_chart_summary_view_ready (self))
    return;
  change = g_new0 (Change, 1);
  change->session = g_object_ref (self->session);
  change->item_id = g_variant_get_int64 (parameter);
  change->patient_id = self->patient->id;
  ch_chart_summary_view_run_change (self, change, discard_thread, N_("Draft discarded"));
}

static void
reconcile_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (widget);
  GtkWidget *dialog;

  if (!ch_chart_summary_view_ready (self))
    return;
  dialog = ch_reconcile_dialog_new (parent_window (self), self->session, self->patient,
                                    self->medications);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_prescription_changed), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
reconcile_outside_activated (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (widget);
  GtkWidget *dialog;

  if (!ch_chart_summary_view_ready (self))
    return;
  dialog = ch_incoming_dialog_new (parent_window (self), self->session, self->patient);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_prescription_changed), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
print_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  RxWork *work = task_data;
  g_autoptr(GError) error = NULL;

  work->pdf = ch_prescription_pdf_render (work->session, &work->id, 1, &error);
  if (work->pdf == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
print_prescription_activated (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (widget);

  if (ch_chart_summary_view_ready (self))
    run_rx_work (self, g_variant_get_int64 (parameter), print_thread, rx_work_done);
}

/* ---- GObject ------------------------------------------------------------------ */

static void
ch_chart_summary_view_dispose (GObject *object)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (object);

  g_cancellable_cancel (self->cancellable);

  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_CHART_SUMMARY_VIEW);

  g_clear_object (&self->session);

  G_OBJECT_CLASS (ch_chart_summary_view_parent_class)->dispose (object);
}

static void
ch_chart_summary_view_finalize (GObject *object)
{
  ChChartSummaryView *self = CH_CHART_SUMMARY_VIEW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->patient, ch_patient_record_free);
  g_clear_pointer (&self->summary, ch_chart_summary_free);
  g_clear_pointer (&self->allergies, g_ptr_array_unref);
  g_clear_pointer (&self->medications, g_ptr_array_unref);
  g_clear_pointer (&self->history, g_ptr_array_unref);
  g_clear_pointer (&self->prescriptions, g_ptr_array_unref);
  g_clear_pointer (&self->drug_alerts, g_ptr_array_unref);
  g_clear_pointer (&self->lab_latest, g_ptr_array_unref);
  g_clear_pointer (&self->lab_critical, g_ptr_array_unref);
  g_clear_pointer (&self->trend_known, g_free);
  g_clear_pointer (&self->items, g_hash_table_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (ch_chart_summary_view_parent_class)->finalize (object);
}

static void
ch_chart_summary_view_class_init (ChChartSummaryViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_chart_summary_view_dispose;
  object_class->finalize = ch_chart_summary_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-chart-summary-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ChChartSummaryView, stack);
  gtk_widget_class_bind_template_child (widget_class, ChChartSummaryView, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChChartSummaryView, scroller);
  gtk_widget_class_bind_template_child (widget_class, ChChartSummaryView, error_page);
  gtk_widget_class_bind_template_child (widget_class, ChChartSummaryView, alerts_group);
  gtk_widget_class_bind_template_child (widget_class, ChChartSummaryView, allergies_group);
  gtk_widget_class_bind_template_child (widget_class, ChChartSummaryView, problems_group);
  gtk_widget_class_bind_template_child (widget_class, ChChartSummaryView, medications_group);
  gtk_widget_class_bind_template_child (widget_class, ChChartSummaryView, history_group);
  gtk_widget_class_bind_template_child (widget_class, ChChartSummaryView, vitals_group);
  gtk_widget_class_bind_template_child (widget_class, ChChartSummaryView, record_vitals_button);
  gtk_widget_class_bind_template_child (widget_class, ChChartSummaryView, results_group);
  gtk_widget_class_bind_template_child (widget_class, ChChartSummaryView, immunizations_group);
  gtk_widget_class_bind_template_child (widget_class, ChChartSummaryView, appointments_group);
  gtk_widget_class_bind_template_child (widget_class, ChChartSummaryView, encounters_group);
  gtk_widget_class_bind_template_child (widget_class, ChChartSummaryView, add_encounter_button);

  gtk_widget_class_install_action (widget_class, "chart.add", "s", add_activated);
  gtk_widget_class_install_action (widget_class, "chart.edit", "x", edit_activated);
  gtk_widget_class_install_action (widget_class, "chart.history", "x", history_activated);
  gtk_widget_class_install_action (widget_class, "chart.entered-in-error", "x",
                                   entered_in_error_activated);
  gtk_widget_class_install_action (widget_class, "chart.set-no-known-allergies", "b",
                                   set_no_known_allergies_activated);
  gtk_widget_class_install_action (widget_class, "chart.record-vitals", NULL,
                                   record_vitals_activated);
  gtk_widget_class_install_action (widget_class, "chart.trend", "(sss)", trend_activated);
  gtk_widget_class_install_action (widget_class, "chart.add-encounter", NULL,
                                   add_encounter_activated);
  gtk_widget_class_install_action (widget_class, "chart.prescribe", NULL, prescribe_activated);
  gtk_widget_class_install_action (widget_class, "chart.open-draft", "x", open_draft_activated);
  gtk_widget_class_install_action (widget_class, "chart.renew", "x", renew_activated);
  gtk_widget_class_install_action (widget_class, "chart.stop-prescription", "x",
                                   stop_prescription_activated);
  gtk_widget_class_install_action (widget_class, "chart.print-prescription", "x",
                                   print_prescription_activated);
  gtk_widget_class_install_action (widget_class, "chart.request-refill", "x",
                                   request_refill_activated);
  gtk_widget_class_install_action (widget_class, "chart.reconcile", NULL, reconcile_activated);
  gtk_widget_class_install_action (widget_class, "chart.reconcile-outside", NULL,
                                   reconcile_outside_activated);
  gtk_widget_class_install_action (widget_class, "chart.discard-draft", "x",
                                   discard_draft_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "chart.record-vitals", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "chart.prescribe", NULL);
}

static void
ch_chart_summary_view_init (ChChartSummaryView *self)
{
  self->cancellable = g_cancellable_new ();
  self->rows = g_ptr_array_new ();
  self->items = g_hash_table_new (g_int64_hash, g_int64_equal);

  gtk_widget_init_template (GTK_WIDGET (self));

  ch_chart_summary_view_update_actions (self);
}
