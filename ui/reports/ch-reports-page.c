/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-reports-page"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ch-report-chart-view.h"
#include "ch-report-export.h"
#include "ch-reports-page.h"
#include "ch-roles.h"
#include "ch-ui.h"

/* The office manager's reports: the catalogue on the left by category; on
 * the right the chosen report's filters, its chart above its table, and
 * export. A report runs on a reader connection of its own (ch-reports.c),
 * so the session stays free while it runs and nothing here goes through
 * the session's gate but the short reads and writes of the filters. */

/* ---- a row of the table ------------------------------------------------------ */

#define CH_TYPE_REPORTS_ROW (ch_reports_row_get_type ())
G_DECLARE_FINAL_TYPE (ChReportsRow, ch_reports_row, CH, REPORTS_ROW, GObject)

struct _ChReportsRow
{
  GObject   parent_instance;

  ChReport *report;
  guint     row;
};

G_DEFINE_FINAL_TYPE (ChReportsRow, ch_reports_row, G_TYPE_OBJECT)

static void
ch_reports_row_finalize (GObject *object)
{
  ChReportsRow *self = CH_REPORTS_ROW (object);

  g_clear_object (&self->report);

  G_OBJECT_CLASS (ch_reports_row_parent_class)->finalize (object);
}

static void
ch_reports_row_class_init (ChReportsRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ch_reports_row_finalize;
}

static void
ch_reports_row_init (ChReportsRow *self)
{
}

static ChReportsRow *
ch_reports_row_new (ChReport *report,
                    guint     row)
{
  ChReportsRow *self = g_object_new (CH_TYPE_REPORTS_ROW, NULL);

  self->report = g_object_ref (report);
  self->row = row;
  return self;
}

/* ---- the page ------------------------------------------------------------------ */

static const struct
{
  const char *code;   /* NULL: the From and To dates */
  const char *label;
} periods[] = {
  { "this-month", N_("This Month") },
  { "last-month", N_("Last Month") },
  { "this-quarter", N_("This Quarter") },
  { "last-quarter", N_("Last Quarter") },
  { "this-year", N_("This Year") },
  { "last-year", N_("Last Year") },
  { "last-12-months", N_("Last 12 Months") },
  { NULL, N_("Custom Dates") },
};

#define CUSTOM_PERIOD (G_N_ELEMENTS (periods) - 1)

/* One of the report's own filters: its drop-down and the value behind each
 * item (NULL: all). */
typedef struct
{
  const ChReportOption *option;
  GtkWidget            *box;
  GtkDropDown          *dropdown;
  GPtrArray            *values;
} OptionFilter;

static void
option_filter_free (gpointer data)
{
  OptionFilter *filter = data;

  g_clear_pointer (&filter->values, g_ptr_array_unref);
  g_free (filter);
}

/* Shared by a run and the page: the page may go away before the run ends. */
typedef struct
{
  GWeakRef      page;
  GCancellable *cancellable;
} RunData;

static void
run_data_clear (gpointer data)
{
  RunData *run = data;

  g_weak_ref_clear (&run->page);
  g_clear_object (&run->cancellable);
}

static void
run_data_release (gpointer data)
{
  g_rc_box_release_full (data, run_data_clear);
}

struct _ChReportsPage
{
  AdwBin                 parent_instance;

  GtkListBox            *report_list;
  GtkLabel              *report_title;
  GtkLabel              *report_description;
  GtkFlowBox            *filter_box;
  GtkWidget             *period_box;
  GtkDropDown           *period_dropdown;
  GtkStringList         *period_list;
  GtkWidget             *from_box;
  GtkEntry              *from_entry;
  GtkWidget             *to_box;
  GtkLabel              *to_label;
  GtkEntry              *to_entry;
  GtkPopover            *date_popover;   /* a calendar, under the entry it fills */
  GtkCalendar           *calendar;
  GtkWidget             *provider_box;
  GtkDropDown           *provider_dropdown;
  GtkStringList         *provider_list;
  GtkWidget             *action_box;
  GtkWidget             *run_button;
  GtkMenuButton         *saved_button;
  GtkPopover            *saved_popover;
  GtkWidget             *saved_empty;
  GtkListBox            *saved_list;
  GtkMenuButton         *export_button;
  GtkWidget             *progress_box;
  GtkProgressBar        *progress_bar;
  GtkWidget             *message_box;
  GtkImage              *message_icon;
  GtkLabel              *message_label;
  GtkStack              *result_stack;
  GtkSpinner            *spinner;
  AdwStatusPage         *empty_page;
  GtkWidget             *back_button;
  GtkLabel              *result_title;
  GtkLabel              *result_subtitle;
  GtkPaned              *result_paned;
  GtkWidget             *chart_scroller;
  ChReportChartView     *chart_view;
  GtkColumnView         *column_view;
  GtkLabel              *hint_label;

  ChSession             *session;
  const ChReportDef     *def;
  gboolean               allowed;       /* the session may run def */
  GPtrArray             *providers;     /* provider ids after "All Providers" */
  GPtrArray             *options;       /* (element-type OptionFilter) */
  ChReport              *report;        /* the last run's result */
  ChReportParams        *report_params; /* its filters, for file names */
  ChReportParams        *pending_params; /* those of the run under way */
  ChReport              *shown;         /* report, or a row's detail */
  RunData               *run;
  GCancellable          *export_cancellable;
  GtkFileChooserNative  *chooser;
  char                  *message;
  gboolean               exporting;
  gboolean               filling;
};

G_DEFINE_FINAL_TYPE (ChReportsPage, ch_reports_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_RUNNING,
  PROP_EXPORTING,
  PROP_REPORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
ch_reports_page_is_idle (ChReportsPage *self)
{
  return self->session != NULL && !ch_ui_session_is_busy (self->session);
}

static void
ch_reports_page_update_actions (ChReportsPage *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean running = self->run != NULL;
  gboolean idle = ch_reports_page_is_idle (self);
  gboolean can_run = self->def != NULL && self->allowed && !running && idle;

  gtk_widget_action_set_enabled (widget, "reports.run", can_run);
  gtk_widget_action_set_enabled (widget, "reports.cancel", running || self->exporting);
  gtk_widget_action_set_enabled (widget, "reports.export-csv",
                                 self->shown != NULL && !self->exporting && !running);
  gtk_widget_action_set_enabled (widget, "reports.export-pdf",
                                 self->shown != NULL && !self->exporting && !running);
  gtk_widget_action_set_enabled (widget, "reports.save-filter",
                                 self->def != NULL && self->allowed && idle);
  gtk_widget_action_set_enabled (widget, "reports.apply-filter", can_run);
  gtk_widget_action_set_enabled (widget, "reports.delete-filter", self->def != NULL && idle);
  gtk_widget_action_set_enabled (widget, "reports.back",
                                 self->shown != NULL && self->shown != self->report);
  gtk_widget_set_sensitive (GTK_WIDGET (self->saved_button), self->def != NULL && self->allowed);
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button),
                            self->shown != NULL && !self->exporting && !running);
}

/* What went wrong (or was stopped) in words, above the results; NULL hides it. */
static void
ch_reports_page_set_message (ChReportsPage *self,
                             const char    *message,
                             gboolean       error)
{
  g_free (self->message);
  self->message = g_strdup (message);

  gtk_widget_set_visible (self->message_box, message != NULL);
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_image_set_from_icon_name (self->message_icon,
                                error ? "dialog-warning-symbolic" : "dialog-information-symbolic");
  if (error)
    gtk_widget_add_css_class (self->message_box, "error");
  else
    gtk_widget_remove_css_class (self->message_box, "error");
}

static void
ch_reports_page_toast (ChReportsPage *self,
                       const char    *text)
{
  g_free (self->message);
  self->message = g_strdup (text);
  ch_ui_toast (GTK_WIDGET (self), text);
}

/* ---- the table ------------------------------------------------------------------ */

static gboolean
column_is_numeric (ChReportColumnKind kind)
{
  return kind == CH_REPORT_COLUMN_INTEGER || kind == CH_REPORT_COLUMN_MONEY ||
         kind == CH_REPORT_COLUMN_PERCENT;
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  /* Whole names and numbers: the table scrolls sideways rather than cut them. */
  gtk_list_item_set_child (item, gtk_label_new (NULL));
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  ChReportsRow *row = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  guint column = GPOINTER_TO_UINT (user_data);
  g_autofree char *text = ch_report_format_cell (row->report, row->row, column);
  gboolean numeric = column_is_numeric (ch_report_get_column_kind (row->report, column));

  gtk_label_set_text (GTK_LABEL (label), text);
  /* Numbers line up on their last digit, as in a spreadsheet. */
  gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1.0 : 0.0);
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  else
    gtk_widget_remove_css_class (label, "numeric");
}

/* By the cells' values, not their text: "$1,000.00" after "$900.00". */
static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  const ChReportsRow *row_a = a, *row_b = b;
  guint column = GPOINTER_TO_UINT (user_data);
  GVariant *va = ch_report_get_cell (row_a->report, row_a->row, column);
  GVariant *vb = ch_report_get_cell (row_b->report, row_b->row, column);

  if (va == NULL || vb == NULL)
    return (va == NULL ? 0 : 1) - (vb == NULL ? 0 : 1);

  if (g_variant_is_of_type (va, G_VARIANT_TYPE_INT64) && g_variant_is_of_type (vb, G_VARIANT_TYPE_INT64))
    {
      gint64 x = g_variant_get_int64 (va), y = g_variant_get_int64 (vb);

      return x < y ? -1 : x > y ? 1 : 0;
    }

  if (g_variant_is_of_type (va, G_VARIANT_TYPE_DOUBLE) && g_variant_is_of_type (vb, G_VARIANT_TYPE_DOUBLE))
    {
      double x = g_variant_get_double (va), y = g_variant_get_double (vb);

      return x < y ? -1 : x > y ? 1 : 0;
    }

  if (g_variant_is_of_type (va, G_VARIANT_TYPE_STRING) && g_variant_is_of_type (vb, G_VARIANT_TYPE_STRING))
    return g_utf8_collate (g_variant_get_string (va, NULL), g_variant_get_string (vb, NULL));

  return 0;
}

/* A report's totals come last; they stay last however the table is
 * sorted, not among the rows they add up. */
static gboolean
row_is_total (const ChReportsRow *row)
{
  GVariant *cell;

  if (row->row + 1 != ch_report_get_n_rows (row->report))
    return FALSE;

  cell = ch_report_get_cell (row->report, row->row, 0);
  return cell != NULL && g_variant_is_of_type (cell, G_VARIANT_TYPE_STRING) &&
         g_strcmp0 (g_variant_get_string (cell, NULL), _("Total")) == 0;
}

static int
compare_total_last (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  return (int) row_is_total (a) - (int) row_is_total (b);
}

static void
ch_reports_page_clear_columns (ChReportsPage *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);

  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, 0);

      gtk_column_view_remove_column (self->column_view, column);
    }
}

static void
ch_reports_page_fill_table (ChReportsPage *self,
                            ChReport      *report)
{
  g_autoptr(GListStore) store = g_list_store_new (CH_TYPE_REPORTS_ROW);
  GtkSortListModel *sorted;
  GtkMultiSorter *order;
  GtkSingleSelection *selection;
  guint n_columns = ch_report_get_n_columns (report);

  gtk_column_view_set_model (self->column_view, NULL);
  ch_reports_page_clear_columns (self);

  for (guint c = 0; c < n_columns; c++)
    {
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;
      GtkSorter *sorter;

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), NULL);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GUINT_TO_POINTER (c));

      column = gtk_column_view_column_new (ch_report_get_column_name (report, c),
                                           g_steal_pointer (&factory));
      gtk_column_view_column_set_resizable (column, TRUE);
      /* The first column names the row: it takes the spare width. */
      gtk_column_view_column_set_expand (column, c == 0);
      sorter = GTK_SORTER (gtk_custom_sorter_new (compare_rows, GUINT_TO_POINTER (c), NULL));
      gtk_column_view_column_set_sorter (column, sorter);
      g_object_unref (sorter);
      gtk_column_view_append_column (self->column_view, column);
    }

  for (guint r = 0; r < ch_report_get_n_rows (report); r++)
    {
      g_autoptr(ChReportsRow) row = ch_reports_row_new (report, r);

      g_list_store_append (store, row);
    }

  order = gtk_multi_sorter_new ();
  gtk_multi_sorter_append (order, GTK_SORTER (gtk_custom_sorter_new (compare_total_last, NULL, NULL)));
  gtk_multi_sorter_append (order, g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_steal_pointer (&store)), GTK_SORTER (order));
  selection = gtk_single_selection_new (G_LIST_MODEL (sorted));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->column_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, ch_report_get_title (report),
                                  -1);
}

static gboolean
ch_reports_page_can_open_charts (ChReportsPage *self)
{
  return ch_session_can (self->session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ);
}

/* Shows @report (the result or one of its details) in the chart and table. */
static void
ch_reports_page_show (ChReportsPage *self,
                      ChReport      *report)
{
  const ChReportChart *chart;
  gboolean details = FALSE, patients = FALSE;
  guint n_rows;

  self->shown = report;
  gtk_widget_set_visible (self->back_button, report != NULL && report != self->report);

  if (report == NULL)
    {
      gtk_column_view_set_model (self->column_view, NULL);
      ch_reports_page_clear_columns (self);
      ch_report_chart_view_set_report (self->chart_view, NULL);
      ch_ui_stack_show (self->result_stack, self->def != NULL ? "ready" : "start");
      ch_reports_page_update_actions (self);
      return;
    }

  n_rows = ch_report_get_n_rows (report);
  gtk_label_set_text (self->result_title, ch_report_get_title (report));
  /* The page's header already names the report; a detail says its own. */
  gtk_widget_set_visible (GTK_WIDGET (self->result_title), report != self->report);
  gtk_label_set_text (self->result_subtitle, ch_report_get_subtitle (report) != NULL ?
                                             ch_report_get_subtitle (report) : "");

  chart = ch_report_get_chart (report);
  ch_report_chart_view_set_report (self->chart_view, report);
  gtk_widget_set_visible (self->chart_scroller, chart != NULL && chart->kind != CH_REPORT_CHART_NONE);
  ch_reports_page_fill_table (self, report);

  for (guint r = 0; r < n_rows; r++)
    {
      details |= ch_report_has_row_detail (report, r);
      patients |= ch_report_get_row_patient (report, r) > 0;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->hint_label), details || patients);
  if (details)
    gtk_label_set_text (self->hint_label,
                        _("Double-click a row, or select it and press Enter, to see the patients behind it"));
  else if (patients && ch_reports_page_can_open_charts (self))
    gtk_label_set_text (self->hint_label,
                        _("Double-click a patient, or select one and press Enter, to open the chart"));
  else if (patients)
    gtk_label_set_text (self->hint_label, _("Your role does not open patients' charts"));

  /* An empty detail keeps the table, with its way back. */
  if (n_rows == 0 && report == self->report)
    {
      adw_status_page_set_description (self->empty_page, ch_report_get_subtitle (report));
      ch_ui_stack_show (self->result_stack, "empty");
    }
  else
    ch_ui_stack_show (self->result_stack, "result");

  ch_reports_page_update_actions (self);
}

/* The chart and the table share the height, whatever the window's. */
static void
on_paned_max_position (ChReportsPage *self)
{
  int max = 0, chart;

  g_object_get (self->result_paned, "max-position", &max, NULL);
  /* Half, but the whole chart when it fits with a few rows of the table;
   * in a small window the chart scrolls rather than the window growing. */
  chart = MAX (max / 2, 200);
  chart = MIN (chart, max - 140);
  if (chart > 0)
    gtk_paned_set_position (self->result_paned, chart);
}

static ChReportsRow *
ch_reports_page_get_row (ChReportsPage *self,
                         guint          position)
{
  GtkSelectionModel *model = gtk_column_view_get_model (self->column_view);

  if (model == NULL || position >= g_list_model_get_n_items (G_LIST_MODEL (model)))
    return NULL;

  return g_list_model_get_item (G_LIST_MODEL (model), position);
}

/**
 * ch_reports_page_get_row_index:
 * @self: a reports page
 * @position: a row of the table as sorted
 *
 * Returns: the row of the shown report at @position, or
 * %GTK_INVALID_LIST_POSITION
 */
guint
ch_reports_page_get_row_index (ChReportsPage *self,
                               guint          position)
{
  g_autoptr(ChReportsRow) row = NULL;

  g_return_val_if_fail (CH_IS_REPORTS_PAGE (self), GTK_INVALID_LIST_POSITION);

  row = ch_reports_page_get_row (self, position);
  return row != NULL ? row->row : GTK_INVALID_LIST_POSITION;
}

/**
 * ch_reports_page_activate_row:
 * @self: a reports page
 * @position: a row of the table as sorted
 *
 * Opens the row's detail in place (a measure's patients), or its patient's
 * chart through "main.open-patient" when the role may open charts.
 */
void
ch_reports_page_activate_row (ChReportsPage *self,
                              guint          position)
{
  g_autoptr(ChReportsRow) row = NULL;
  ChReport *detail;
  gint64 patient_id;

  g_return_if_fail (CH_IS_REPORTS_PAGE (self));

  row = ch_reports_page_get_row (self, position);
  if (row == NULL)
    return;

  detail = ch_report_get_row_detail (row->report, row->row);
  if (detail != NULL)
    {
      ch_reports_page_show (self, detail);
      gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
      return;
    }

  patient_id = ch_report_get_row_patient (row->report, row->row);
  if (patient_id <= 0)
    return;

  if (!ch_reports_page_can_open_charts (self))
    {
      ch_reports_page_toast (self, _("Your role does not open patients' charts"));
      return;
    }

  gtk_widget_activate_action (GTK_WIDGET (self), "main.open-patient", "x", patient_id);
}

static void
on_row_activated (ChReportsPage *self,
                  guint          position)
{
  ch_reports_page_activate_row (self, position);
}

static void
back_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChReportsPage *self = CH_REPORTS_PAGE (widget);

  if (self->report != NULL && self->shown != self->report)
    ch_reports_page_show (self, self->report);
}

/* ---- filters ------------------------------------------------------------------ */

static gboolean
parse_date (const char *text)
{
  guint year, month, day;
  char extra;

  return sscanf (text, "%4u-%2u-%2u%c", &year, &month, &day, &extra) == 3 &&
         strlen (text) == 10 && g_date_valid_dmy (day, month, year);
}

static char *
today_string (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%d");
}

static const char *
ch_reports_page_get_period_code (ChReportsPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->period_dropdown);

  if (selected >= G_N_ELEMENTS (periods))
    return NULL;

  return periods[selected].code;
}

static void
set_flow_child_visible (GtkWidget *widget,
                        gboolean   visible)
{
  /* The flow box wraps each filter: hide the wrapper, or its spacing stays. */
  gtk_widget_set_visible (gtk_widget_get_parent (widget), visible);
}

/* A named period shows the dates it stands for today, read-only. */
static void
on_period_changed (ChReportsPage *self)
{
  const char *code = ch_reports_page_get_period_code (self);
  gboolean custom = code == NULL;

  gtk_editable_set_editable (GTK_EDITABLE (self->from_entry), custom);
  gtk_editable_set_editable (GTK_EDITABLE (self->to_entry), custom);
  gtk_widget_set_can_focus (GTK_WIDGET (self->from_entry), custom);
  gtk_widget_set_can_focus (GTK_WIDGET (self->to_entry), custom);
  gtk_entry_set_icon_sensitive (self->from_entry, GTK_ENTRY_ICON_SECONDARY, custom);
  gtk_entry_set_icon_sensitive (self->to_entry, GTK_ENTRY_ICON_SECONDARY, custom);

  if (!custom)
    {
      g_autoptr(ChReportParams) params = ch_report_params_new (NULL, NULL);

      params->period = g_strdup (code);
      if (ch_report_params_resolve (params, NULL, NULL))
        {
          gboolean filling = self->filling;

          self->filling = TRUE;
          gtk_editable_set_text (GTK_EDITABLE (self->from_entry), params->from);
          gtk_editable_set_text (GTK_EDITABLE (self->to_entry), params->to);
          self->filling = filling;
        }
    }
}

static void
on_date_changed (ChReportsPage *self,
                 GtkEditable   *entry)
{
  gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
}

static void
on_day_selected (ChReportsPage *self)
{
  GtkWidget *entry = gtk_widget_get_parent (GTK_WIDGET (self->date_popover));
  g_autoptr(GDateTime) day = gtk_calendar_get_date (self->calendar);
  g_autofree char *text = g_date_time_format (day, "%Y-%m-%d");

  if (GTK_IS_EDITABLE (entry))
    gtk_editable_set_text (GTK_EDITABLE (entry), text);
  gtk_popover_popdown (self->date_popover);
}

/* The calendar opens under the entry's icon, on the day typed or today. */
static void
on_date_icon_press (ChReportsPage        *self,
                    GtkEntryIconPosition  position,
                    GtkEntry             *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autoptr(GDateTime) day = NULL;
  GdkRectangle area;
  guint year, month, mday;

  if (!gtk_editable_get_editable (GTK_EDITABLE (entry)))
    return;

  if (parse_date (text) && sscanf (text, "%4u-%2u-%2u", &year, &month, &mday) == 3)
    day = g_date_time_new_local (year, month, mday, 0, 0, 0);
  if (day == NULL)
    day = g_date_time_new_now_local ();

  if (gtk_widget_get_parent (GTK_WIDGET (self->date_popover)) != GTK_WIDGET (entry))
    {
      /* The parent holds the only reference. */
      g_object_ref (self->date_popover);
      gtk_widget_unparent (GTK_WIDGET (self->date_popover));
      gtk_widget_set_parent (GTK_WIDGET (self->date_popover), GTK_WIDGET (entry));
      g_object_unref (self->date_popover);
    }

  g_signal_handlers_block_by_func (self->calendar, on_day_selected, self);
  gtk_calendar_select_day (self->calendar, day);
  g_signal_handlers_unblock_by_func (self->calendar, on_day_selected, self);

  gtk_entry_get_icon_area (entry, GTK_ENTRY_ICON_SECONDARY, &area);
  gtk_popover_set_pointing_to (self->date_popover, &area);
  gtk_popover_popup (self->date_popover);
}

static void
on_date_activate (ChReportsPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "reports.run", NULL);
}

/* Returns: (transfer full) (element-type utf8): value, label … or NULL on error */
static GPtrArray *
ch_reports_page_values (ChReportsPage        *self,
                        const ChReportOption *option)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *values;

  if (!ch_reports_page_is_idle (self))
    return NULL;

  values = ch_reports_option_values (self->session, self->def, option, &error);
  if (values == NULL)
    ch_reports_page_set_message (self, error->message, TRUE);
  return values;
}

static void
ch_reports_page_fill_providers (ChReportsPage *self)
{
  g_autoptr(GPtrArray) values = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->provider_list));

  gtk_string_list_splice (self->provider_list, 0, n, NULL);
  g_ptr_array_set_size (self->providers, 0);
  gtk_string_list_append (self->provider_list, _("All Providers"));

  values = ch_reports_page_values (self, NULL);
  for (guint i = 0; values != NULL && i + 1 < values->len; i += 2)
    {
      g_ptr_array_add (self->providers, g_strdup (g_ptr_array_index (values, i)));
      gtk_string_list_append (self->provider_list, g_ptr_array_index (values, i + 1));
    }
  gtk_drop_down_set_selected (self->provider_dropdown, 0);
}

static void
ch_reports_page_clear_options (ChReportsPage *self)
{
  for (guint i = 0; i < self->options->len; i++)
    {
      OptionFilter *filter = g_ptr_array_index (self->options, i);

      gtk_flow_box_remove (self->filter_box, gtk_widget_get_parent (filter->box));
    }
  g_ptr_array_set_size (self->options, 0);
}

static void
ch_reports_page_add_option (ChReportsPage        *self,
                            const ChReportOption *option)
{
  OptionFilter *filter = g_new0 (OptionFilter, 1);
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  g_autofree char *mnemonic = NULL;
  GtkWidget *label;
  guint selected = 0;

  filter->option = option;
  filter->values = g_ptr_array_new_with_free_func (g_free);

  if (option->kind != CH_REPORT_OPTION_CHOICE || option->default_value == NULL)
    {
      g_ptr_array_add (filter->values, NULL);
      gtk_string_list_append (labels, _("All"));
    }

  if (option->kind == CH_REPORT_OPTION_CHOICE)
    {
      for (guint i = 0; option->choices != NULL && option->choices[i] != NULL; i++)
        {
          if (g_strcmp0 (option->choices[i], option->default_value) == 0)
            selected = filter->values->len;
          g_ptr_array_add (filter->values, g_strdup (option->choices[i]));
          gtk_string_list_append (labels, option->choice_labels != NULL ?
                                          _(option->choice_labels[i]) : option->choices[i]);
        }
    }
  else
    {
      g_autoptr(GPtrArray) values = ch_reports_page_values (self, option);

      for (guint i = 0; values != NULL && i + 1 < values->len; i += 2)
        {
          g_ptr_array_add (filter->values, g_strdup (g_ptr_array_index (values, i)));
          gtk_string_list_append (labels, g_ptr_array_index (values, i + 1));
        }
    }

  filter->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  filter->dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&labels)), NULL));
  gtk_drop_down_set_selected (filter->dropdown, selected);
  gtk_accessible_update_property (GTK_ACCESSIBLE (filter->dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _(option->label),
                                  -1);

  label = gtk_label_new (_(option->label));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), GTK_WIDGET (filter->dropdown));
  gtk_widget_add_css_class (label, "caption-heading");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (filter->box), label);
  gtk_box_append (GTK_BOX (filter->box), GTK_WIDGET (filter->dropdown));

  gtk_flow_box_append (self->filter_box, filter->box);
  gtk_widget_set_focusable (gtk_widget_get_parent (filter->box), FALSE);
  g_ptr_array_add (self->options, filter);
}

static OptionFilter *
ch_reports_page_find_option (ChReportsPage *self,
                             const char    *name)
{
  for (guint i = 0; i < self->options->len; i++)
    {
      OptionFilter *filter = g_ptr_array_index (self->options, i);

      if (g_strcmp0 (filter->option->name, name) == 0)
        return filter;
    }

  return NULL;
}

static gboolean
select_value (GtkDropDown *dropdown,
              GPtrArray   *values,
              guint        offset,
              const char  *value)
{
  if (value == NULL && offset > 0)
    {
      gtk_drop_down_set_selected (dropdown, 0);
      return TRUE;
    }

  for (guint i = 0; i < values->len; i++)
    if (g_strcmp0 (g_ptr_array_index (values, i), value) == 0)
      {
        gtk_drop_down_set_selected (dropdown, i + offset);
        return TRUE;
      }

  return FALSE;
}

/**
 * ch_reports_page_get_params:
 * @self: a reports page
 * @error: a #GError, or %NULL
 *
 * Reads the filters as set, marking a bad date.
 *
 * Returns: (transfer full) (nullable): the filters, or %NULL with
 * CH_REPORTS_ERROR_INVALID
 */
ChReportParams *
ch_reports_page_get_params (ChReportsPage  *self,
                            GError        **error)
{
  g_autoptr(ChReportParams) params = NULL;
  const char *from = gtk_editable_get_text (GTK_EDITABLE (self->from_entry));
  const char *to = gtk_editable_get_text (GTK_EDITABLE (self->to_entry));
  const char *period = NULL;
  gboolean valid = TRUE;

  g_return_val_if_fail (CH_IS_REPORTS_PAGE (self), NULL);

  if (self->def == NULL)
    {
      g_set_error_literal (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID, _("Choose a report"));
      return NULL;
    }

  if (self->def->period)
    period = ch_reports_page_get_period_code (self);

  if (period == NULL)
    {
      if (self->def->period && !parse_date (from))
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->from_entry), "error");
          valid = FALSE;
        }
      if (!parse_date (to))
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->to_entry), "error");
          valid = FALSE;
        }
      if (!valid)
        {
          g_set_error_literal (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID,
                               _("Enter dates as YYYY-MM-DD, like 2026-03-31"));
          return NULL;
        }
      if (self->def->period && strcmp (from, to) > 0)
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->from_entry), "error");
          g_set_error_literal (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID,
                               _("The From date is after the To date"));
          return NULL;
        }
      /* A point-in-time report runs as of one day. */
      params = ch_report_params_new (self->def->period ? from : to, to);
    }
  else
    {
      params = ch_report_params_new (NULL, NULL);
      params->period = g_strdup (period);
    }

  if (self->def->provider)
    {
      guint selected = gtk_drop_down_get_selected (self->provider_dropdown);

      if (selected != GTK_INVALID_LIST_POSITION && selected > 0 && selected - 1 < self->providers->len)
        params->provider = g_strdup (g_ptr_array_index (self->providers, selected - 1));
    }

  for (guint i = 0; i < self->options->len; i++)
    {
      OptionFilter *filter = g_ptr_array_index (self->options, i);
      guint selected = gtk_drop_down_get_selected (filter->dropdown);

      if (selected != GTK_INVALID_LIST_POSITION && selected < filter->values->len)
        ch_report_params_set_option (params, filter->option->name,
                                     g_ptr_array_index (filter->values, selected));
    }

  return g_steal_pointer (&params);
}

/* ---- saved filters -------------------------------------------------------------- */

static void
ch_reports_page_fill_saved (ChReportsPage *self)
{
  g_autoptr(GPtrArray) filters = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->saved_list))) != NULL)
    gtk_list_box_remove (self->saved_list, child);

  if (self->def != NULL && self->allowed && ch_reports_page_is_idle (self))
    filters = ch_reports_filter_list (self->session, self->def->name, &error);
  if (error != NULL)
    g_warning ("Could not list the saved filters: %s", error->message);

  for (guint i = 0; filters != NULL && i < filters->len; i++)
    {
      ChReportFilter *filter = g_ptr_array_index (filters, i);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *apply = gtk_button_new_with_label (filter->name);
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
      g_autofree char *tooltip = NULL;

      gtk_widget_set_hexpand (apply, TRUE);
      gtk_widget_add_css_class (apply, "flat");
      gtk_label_set_xalign (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (apply))), 0);
      gtk_label_set_ellipsize (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (apply))), PANGO_ELLIPSIZE_END);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (apply), "reports.apply-filter");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (apply), "s", filter->name);
      /* Translators: %s is the name of saved filters */
      tooltip = g_strdup_printf (_("Run with “%s”"), filter->name);
      gtk_widget_set_tooltip_text (apply, tooltip);
      g_clear_pointer (&tooltip, g_free);

      gtk_widget_add_css_class (remove, "flat");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "reports.delete-filter");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "s", filter->name);
      /* Translators: %s is the name of saved filters */
      tooltip = g_strdup_printf (_("Delete “%s”"), filter->name);
      gtk_widget_set_tooltip_text (remove, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                      -1);

      gtk_box_append (GTK_BOX (box), apply);
      gtk_box_append (GTK_BOX (box), remove);
      gtk_list_box_append (self->saved_list, box);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (gtk_widget_get_parent (box)), FALSE);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->saved_list), filters != NULL && filters->len > 0);
  gtk_widget_set_visible (self->saved_empty, filters == NULL || filters->len == 0);
}

/* Saved elsewhere meanwhile (another window, the command line): read again. */
static void
on_saved_popover_show (ChReportsPage *self)
{
  ch_reports_page_fill_saved (self);
}

/**
 * ch_reports_page_save_filter:
 * @self: a reports page
 * @name: what to call them
 * @error: a #GError, or %NULL
 *
 * Saves the filters as set under @name for this report, replacing any
 * saved under that name.
 *
 * Returns: %FALSE with @error on failure
 */
gboolean
ch_reports_page_save_filter (ChReportsPage  *self,
                             const char     *name,
                             GError        **error)
{
  g_autoptr(ChReportParams) params = NULL;
  g_autofree char *stripped = NULL;

  g_return_val_if_fail (CH_IS_REPORTS_PAGE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  stripped = g_strstrip (g_strdup (name));
  if (*stripped == '\0')
    {
      g_set_error_literal (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID,
                           _("Give the filters a name"));
      return FALSE;
    }

  if (!ch_reports_page_is_idle (self))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                           _("Wait for the current task to finish"));
      return FALSE;
    }

  params = ch_reports_page_get_params (self, error);
  if (params == NULL ||
      !ch_reports_filter_save (self->session, self->def->name, stripped, params, error))
    return FALSE;

  ch_reports_page_fill_saved (self);
  return TRUE;
}

static gboolean
ch_reports_page_set_params (ChReportsPage        *self,
                            const ChReportParams *params,
                            GError              **error)
{
  gboolean period_set = FALSE;

  if (self->def->period && params->period != NULL)
    period_set = ch_reports_page_set_period (self, params->period);

  if (!period_set)
    {
      if (self->def->period)
        gtk_drop_down_set_selected (self->period_dropdown, CUSTOM_PERIOD);
      ch_reports_page_set_dates (self, params->from, params->to);
    }

  if (self->def->provider && !ch_reports_page_set_provider (self, params->provider))
    {
      g_set_error_literal (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_NOT_FOUND,
                           _("The provider of these filters is no longer listed"));
      return FALSE;
    }

  for (guint i = 0; i < self->options->len; i++)
    {
      OptionFilter *filter = g_ptr_array_index (self->options, i);
      const char *value = ch_report_params_get_option (params, filter->option->name);

      if (value == NULL && filter->option->kind == CH_REPORT_OPTION_CHOICE)
        value = filter->option->default_value;

      if (!select_value (filter->dropdown, filter->values, 0, value))
        {
          g_set_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_NOT_FOUND,
                       /* Translators: %s is a filter's name, like "Payer" */
                       _("The %s of these filters is no longer listed"), _(filter->option->label));
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * ch_reports_page_apply_filter:
 * @self: a reports page
 * @name: saved filters of the chosen report
 * @error: a #GError, or %NULL
 *
 * Sets the filters saved as @name and runs the report with them.
 *
 * Returns: %FALSE with @error when they cannot be read or set
 */
gboolean
ch_reports_page_apply_filter (ChReportsPage  *self,
                              const char     *name,
                              GError        **error)
{
  g_autoptr(ChReportFilter) filter = NULL;

  g_return_val_if_fail (CH_IS_REPORTS_PAGE (self), FALSE);

  if (self->def == NULL || !ch_reports_page_is_idle (self))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                           _("Wait for the current task to finish"));
      return FALSE;
    }

  filter = ch_reports_filter_get (self->session, self->def->name, name, error);
  if (filter == NULL || !ch_reports_page_set_params (self, filter->params, error))
    return FALSE;

  ch_reports_page_run (self);
  return TRUE;
}

static void
apply_filter_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ChReportsPage *self = CH_REPORTS_PAGE (widget);
  g_autoptr(GError) error = NULL;

  gtk_popover_popdown (self->saved_popover);
  if (!ch_reports_page_apply_filter (self, g_variant_get_string (parameter, NULL), &error))
    ch_reports_page_set_message (self, error->message, TRUE);
}

static void
on_delete_response (AdwMessageDialog *dialog,
                    const char       *response,
                    ChReportsPage    *self)
{
  const char *name = g_object_get_data (G_OBJECT (dialog), "filter-name");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (g_strcmp0 (response, "delete") != 0 || self->def == NULL)
    return;

  if (!ch_reports_page_is_idle (self) ||
      !ch_reports_filter_delete (self->session, self->def->name, name, &error))
    {
      ch_reports_page_set_message (self, error != NULL ? error->message :
                                   _("Wait for the current task to finish"), TRUE);
      return;
    }

  ch_reports_page_fill_saved (self);
  /* Translators: %s is the name of saved filters */
  text = g_strdup_printf (_("Deleted “%s”"), name);
  ch_reports_page_toast (self, text);
}

static void
delete_filter_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  ChReportsPage *self = CH_REPORTS_PAGE (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  GtkWidget *dialog;

  gtk_popover_popdown (self->saved_popover);

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                   _("Delete Saved Filters?"), NULL);
  /* Translators: %s is the name of saved filters */
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("“%s” will no longer be offered for this report."), name);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "filter-name", g_strdup (name), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
ch_reports_page_save_named (ChReportsPage *self,
                            const char    *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (!ch_reports_page_save_filter (self, name, &error))
    {
      ch_reports_page_set_message (self, error->message, TRUE);
      return;
    }

  ch_reports_page_set_message (self, NULL, FALSE);
  /* Translators: %s is the name the user gave the filters */
  text = g_strdup_printf (_("Filters saved as “%s”"), name);
  ch_reports_page_toast (self, text);
}

static void
on_replace_response (AdwMessageDialog *dialog,
                     const char       *response,
                     ChReportsPage    *self)
{
  if (g_strcmp0 (response, "replace") == 0)
    ch_reports_page_save_named (self, g_object_get_data (G_OBJECT (dialog), "filter-name"));
}

static void
on_save_response (AdwMessageDialog *dialog,
                  const char       *response,
                  ChReportsPage    *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  g_autoptr(ChReportFilter) existing = NULL;
  GtkWidget *confirm;

  if (g_strcmp0 (response, "save") != 0 || self->def == NULL || *name == '\0')
    return;

  if (ch_reports_page_is_idle (self))
    existing = ch_reports_filter_get (self->session, self->def->name, name, NULL);

  if (existing == NULL)
    {
      ch_reports_page_save_named (self, name);
      return;
    }

  confirm = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                    _("Replace Saved Filters?"), NULL);
  /* Translators: %s is the name of saved filters */
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (confirm),
                                  _("Filters named “%s” are already saved for this report. "
                                    "Replacing them saves the filters as they are set now."),
                                  name);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (confirm),
                                    "cancel", _("_Cancel"),
                                    "replace", _("_Replace"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (confirm), "replace",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (confirm), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (confirm), "cancel");
  g_object_set_data_full (G_OBJECT (confirm), "filter-name", g_steal_pointer (&name), g_free);
  g_signal_connect_object (confirm, "response", G_CALLBACK (on_replace_response), self, 0);
  gtk_window_present (GTK_WINDOW (confirm));
}

static void
on_name_changed (GtkEditable      *entry,
                 AdwMessageDialog *dialog)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "save", *name != '\0');
}

static void
on_name_activate (GtkEntry         *entry,
                  AdwMessageDialog *dialog)
{
  if (adw_message_dialog_get_response_enabled (dialog, "save"))
    {
      adw_message_dialog_response (dialog, "save");
      gtk_window_destroy (GTK_WINDOW (dialog));
    }
}

static void
save_filter_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ChReportsPage *self = CH_REPORTS_PAGE (widget);
  g_autoptr(ChReportParams) params = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *dialog;
  GtkWidget *entry;

  gtk_popover_popdown (self->saved_popover);

  /* Bad dates are said now, not after a name was typed. */
  params = ch_reports_page_get_params (self, &error);
  if (params == NULL)
    {
      ch_reports_page_set_message (self, error->message, TRUE);
      return;
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                   _("Save Filters"), NULL);
  /* Translators: %s is a report's title */
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("Name these filters of “%s” to run the report with them again."),
                                  _(self->def->title));

  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Name"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Name"),
                                  -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "save", _("_Save"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "save", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  g_signal_connect_object (entry, "changed", G_CALLBACK (on_name_changed), dialog, 0);
  g_signal_connect_object (entry, "activate", G_CALLBACK (on_name_activate), dialog, 0);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_save_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/* ---- choosing a report ---------------------------------------------------------- */

static void
ch_reports_page_set_running (ChReportsPage *self,
                             RunData       *run)
{
  if (self->run != NULL)
    run_data_release (self->run);
  self->run = run;

  gtk_widget_set_visible (self->progress_box, run != NULL || self->exporting);
  gtk_spinner_set_spinning (self->spinner, run != NULL);
  ch_reports_page_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
ch_reports_page_set_report (ChReportsPage        *self,
                            ChReport             *report,
                            const ChReportParams *params)
{
  g_set_object (&self->report, report);
  g_clear_pointer (&self->report_params, ch_report_params_free);
  if (params != NULL)
    self->report_params = ch_report_params_copy (params);
  ch_reports_page_show (self, report);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPORT]);
}

/* Why the chosen report cannot run, in the words of the page. */
static const char *
ch_reports_page_refusal (ChReportsPage *self,
                         const GError  *error)
{
  /* The administrator sees counts, not names: say so, not just "denied". */
  if (self->def->names_patients && ch_session_can (self->session, CH_AREA_REPORTS, CH_ACCESS_READ) &&
      !ch_session_can (self->session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ))
    return _("This report lists patients by name, which your role may not see");

  return error->message;
}

static void
ch_reports_page_set_def (ChReportsPage     *self,
                         const ChReportDef *def)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *today = today_string ();

  if (self->def == def && def != NULL)
    return;

  if (self->run != NULL)
    {
      g_cancellable_cancel (self->run->cancellable);
      ch_reports_page_set_running (self, NULL);
    }

  self->def = def;
  self->filling = TRUE;
  ch_reports_page_set_message (self, NULL, FALSE);
  ch_reports_page_clear_options (self);
  ch_reports_page_set_report (self, NULL, NULL);

  gtk_label_set_text (self->report_title, def != NULL ? _(def->title) : _("Reports"));
  gtk_label_set_text (self->report_description,
                      def != NULL ? _(def->description) : _("Choose a report in the list"));
  gtk_widget_set_visible (GTK_WIDGET (self->filter_box), def != NULL);

  if (def != NULL)
    {
      self->allowed = ch_reports_check (self->session, def, &error);

      set_flow_child_visible (self->period_box, def->period);
      set_flow_child_visible (self->from_box, def->period);
      set_flow_child_visible (self->provider_box, def->provider);
      gtk_label_set_text_with_mnemonic (self->to_label, def->period ? _("_To") : _("_As of"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->to_entry),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      def->period ? _("To date") : _("As of date"),
                                      -1);
      gtk_widget_remove_css_class (GTK_WIDGET (self->from_entry), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->to_entry), "error");

      if (def->period)
        {
          /* Keep the period between reports: one looks at the same month. */
          on_period_changed (self);
        }
      else
        {
          gtk_editable_set_editable (GTK_EDITABLE (self->to_entry), TRUE);
          gtk_widget_set_can_focus (GTK_WIDGET (self->to_entry), TRUE);
          gtk_entry_set_icon_sensitive (self->to_entry, GTK_ENTRY_ICON_SECONDARY, TRUE);
          gtk_editable_set_text (GTK_EDITABLE (self->to_entry), today);
        }

      if (self->allowed)
        {
          if (def->provider)
            ch_reports_page_fill_providers (self);
          for (guint i = 0; def->options != NULL && def->options[i].name != NULL; i++)
            ch_reports_page_add_option (self, &def->options[i]);
        }
      else
        ch_reports_page_set_message (self, ch_reports_page_refusal (self, error), TRUE);
    }

  ch_reports_page_fill_saved (self);
  self->filling = FALSE;
  ch_reports_page_update_actions (self);
}

static void
on_report_selected (ChReportsPage *self,
                    GtkListBoxRow *row)
{
  if (row != NULL)
    ch_reports_page_set_def (self, ch_reports_find (gtk_widget_get_name (GTK_WIDGET (row))));
}

static void
update_header (GtkListBoxRow *row,
               GtkListBoxRow *before,
               gpointer       user_data)
{
  const ChReportDef *def = ch_reports_find (gtk_widget_get_name (GTK_WIDGET (row)));
  const ChReportDef *previous = NULL;
  GtkWidget *header;

  if (before != NULL)
    previous = ch_reports_find (gtk_widget_get_name (GTK_WIDGET (before)));

  if (def == NULL || (previous != NULL && g_strcmp0 (previous->category, def->category) == 0))
    {
      gtk_list_box_row_set_header (row, NULL);
      return;
    }

  if (gtk_list_box_row_get_header (row) != NULL)
    return;

  header = gtk_label_new (_(def->category));
  gtk_label_set_xalign (GTK_LABEL (header), 0);
  gtk_widget_add_css_class (header, "heading");
  gtk_widget_add_css_class (header, "dim-label");
  gtk_widget_set_margin_top (header, before != NULL ? 18 : 6);
  gtk_widget_set_margin_bottom (header, 6);
  gtk_widget_set_margin_start (header, 12);
  gtk_list_box_row_set_header (row, header);
}

static void
ch_reports_page_fill_list (ChReportsPage *self)
{
  const ChReportDef * const *defs = ch_reports_list ();

  for (guint i = 0; defs != NULL && defs[i] != NULL; i++)
    {
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *label = gtk_label_new (_(defs[i]->title));

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_widget_set_name (row, defs[i]->name);
      /* The sentence on what it counts, without crowding the list. */
      gtk_widget_set_tooltip_text (row, _(defs[i]->description));
      gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _(defs[i]->description),
                                      -1);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
      gtk_list_box_append (self->report_list, row);
    }
}

/**
 * ch_reports_page_select_report:
 * @self: a reports page
 * @name: a report's name, like "appointments"
 *
 * Returns: %FALSE when there is no such report
 */
gboolean
ch_reports_page_select_report (ChReportsPage *self,
                               const char    *name)
{
  g_return_val_if_fail (CH_IS_REPORTS_PAGE (self), FALSE);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->report_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_BOX_ROW (child) && g_strcmp0 (gtk_widget_get_name (child), name) == 0)
        {
          gtk_list_box_select_row (self->report_list, GTK_LIST_BOX_ROW (child));
          return self->def != NULL && g_strcmp0 (self->def->name, name) == 0;
        }
    }

  return FALSE;
}

gboolean
ch_reports_page_set_period (ChReportsPage *self,
                            const char    *period)
{
  g_return_val_if_fail (CH_IS_REPORTS_PAGE (self), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (periods); i++)
    if (g_strcmp0 (periods[i].code, period) == 0)
      {
        gtk_drop_down_set_selected (self->period_dropdown, i);
        on_period_changed (self);
        return TRUE;
      }

  return FALSE;
}

void
ch_reports_page_set_dates (ChReportsPage *self,
                           const char    *from,
                           const char    *to)
{
  g_return_if_fail (CH_IS_REPORTS_PAGE (self));

  if (self->def != NULL && self->def->period)
    gtk_drop_down_set_selected (self->period_dropdown, CUSTOM_PERIOD);
  gtk_editable_set_text (GTK_EDITABLE (self->from_entry), from != NULL ? from : "");
  gtk_editable_set_text (GTK_EDITABLE (self->to_entry), to != NULL ? to : "");
}

gboolean
ch_reports_page_set_provider (ChReportsPage *self,
                              const char    *provider)
{
  g_return_val_if_fail (CH_IS_REPORTS_PAGE (self), FALSE);

  return select_value (self->provider_dropdown, self->providers, 1, provider);
}

gboolean
ch_reports_page_set_option (ChReportsPage *self,
                            const char    *name,
                            const char    *value)
{
  OptionFilter *filter;

  g_return_val_if_fail (CH_IS_REPORTS_PAGE (self), FALSE);

  filter = ch_reports_page_find_option (self, name);
  return filter != NULL && select_value (filter->dropdown, filter->values, 0, value);
}

/* ---- running -------------------------------------------------------------------- */

static void
run_progress (double   fraction,
              gpointer user_data)
{
  RunData *run = user_data;
  g_autoptr(ChReportsPage) self = g_weak_ref_get (&run->page);

  if (self != NULL && self->run == run)
    gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0.0, 1.0));
}

static void
run_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  RunData *run = user_data;
  g_autoptr(ChReportsPage) self = g_weak_ref_get (&run->page);
  g_autoptr(ChReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ChReportParams) params = NULL;

  report = ch_reports_run_finish (result, &error);

  /* Another run, or another report, took its place. */
  if (self == NULL || self->run != run)
    {
      run_data_release (run);
      return;
    }
  run_data_release (run);

  params = g_steal_pointer (&self->pending_params);
  ch_reports_page_set_running (self, NULL);

  if (report == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ch_reports_page_set_message (self, _("The report was cancelled"), FALSE);
      else
        ch_reports_page_set_message (self, error->message, TRUE);
      ch_reports_page_show (self, NULL);
      return;
    }

  ch_reports_page_set_report (self, report, params);
}

/**
 * ch_reports_page_run:
 * @self: a reports page
 *
 * Runs the chosen report with the filters as set, off the main thread;
 * #ChReportsPage:running says when it ends, #ChReportsPage:report holds
 * the result, and ch_reports_page_get_message() says what went wrong.
 */
void
ch_reports_page_run (ChReportsPage *self)
{
  g_autoptr(ChReportParams) params = NULL;
  g_autoptr(GError) error = NULL;
  RunData *run;

  g_return_if_fail (CH_IS_REPORTS_PAGE (self));

  if (self->def == NULL || self->run != NULL || !ch_reports_page_is_idle (self))
    return;

  if (!self->allowed)
    {
      g_autoptr(GError) refusal = NULL;

      if (!ch_reports_check (self->session, self->def, &refusal))
        ch_reports_page_set_message (self, ch_reports_page_refusal (self, refusal), TRUE);
      return;
    }

  params = ch_reports_page_get_params (self, &error);
  if (params == NULL)
    {
      ch_reports_page_set_message (self, error->message, TRUE);
      return;
    }

  ch_reports_page_set_message (self, NULL, FALSE);
  ch_reports_page_set_report (self, NULL, NULL);

  run = g_rc_box_new0 (RunData);
  g_weak_ref_init (&run->page, self);
  run->cancellable = g_cancellable_new ();

  g_clear_pointer (&self->pending_params, ch_report_params_free);
  self->pending_params = ch_report_params_copy (params);
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_progress_bar_set_text (self->progress_bar, _("Running the report…"));
  ch_ui_stack_show (self->result_stack, "running");
  ch_reports_page_set_running (self, run);

  ch_reports_run_async (self->session, self->def->name, params, run->cancellable,
                        run_progress, g_rc_box_acquire (run), run_data_release,
                        run_done, g_rc_box_acquire (run));
}

/**
 * ch_reports_page_cancel:
 * @self: a reports page
 *
 * Stops the run or the export under way.
 */
void
ch_reports_page_cancel (ChReportsPage *self)
{
  g_return_if_fail (CH_IS_REPORTS_PAGE (self));

  if (self->run != NULL)
    g_cancellable_cancel (self->run->cancellable);
  if (self->exporting)
    g_cancellable_cancel (self->export_cancellable);
}

static void
run_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ch_reports_page_run (CH_REPORTS_PAGE (widget));
}

static void
cancel_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ch_reports_page_cancel (CH_REPORTS_PAGE (widget));
}

/* Escape stops what runs, or goes back from a detail. */
static gboolean
escape_pressed (GtkWidget *widget,
                GVariant  *args,
                gpointer   user_data)
{
  ChReportsPage *self = CH_REPORTS_PAGE (widget);

  if (self->run != NULL || self->exporting)
    {
      ch_reports_page_cancel (self);
      return TRUE;
    }

  if (self->shown != NULL && self->shown != self->report)
    {
      ch_reports_page_show (self, self->report);
      return TRUE;
    }

  return FALSE;
}

/* ---- export --------------------------------------------------------------------- */

typedef struct
{
  ChReport              *report;
  char                  *path;
  ChReportsExportFormat  format;
} ExportData;

static void
export_data_free (gpointer data)
{
  ExportData *export = data;

  g_clear_object (&export->report);
  g_free (export->path);
  g_free (export);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportData *export = task_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (export->format == CH_REPORTS_EXPORT_CSV)
    /* The byte order mark lets spreadsheets on Windows read accents right. */
    ok = ch_report_export_csv (export->report, export->path, CH_REPORT_CSV_BOM,
                               NULL, NULL, cancellable, &error);
  else
    ok = ch_report_export_pdf (export->report, export->path, NULL,
                               NULL, NULL, cancellable, &error);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
export_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  ChReportsPage *self = CH_REPORTS_PAGE (object);
  ExportData *export = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_path_get_basename (export->path);
  g_autofree char *text = NULL;

  self->exporting = FALSE;
  gtk_widget_set_visible (self->progress_box, self->run != NULL);
  ch_reports_page_update_actions (self);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        /* Translators: %s is a file name */
        text = g_strdup_printf (_("The export was cancelled: %s was not written"), name);
      else
        /* Translators: the first %s is a file name, the second an error message */
        text = g_strdup_printf (_("Could not export %s: %s"), name, error->message);
      ch_reports_page_set_message (self, text, !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
    }
  else
    {
      /* Translators: %s is a file name */
      text = g_strdup_printf (_("Exported to %s"), name);
      ch_reports_page_toast (self, text);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPORTING]);
}

/**
 * ch_reports_page_export_to:
 * @self: a reports page
 * @path: the file to write
 * @format: CSV or PDF
 *
 * Writes the report in the table to @path on a worker: the file is whole
 * or untouched. #ChReportsPage:exporting says when it is done.
 */
void
ch_reports_page_export_to (ChReportsPage         *self,
                           const char            *path,
                           ChReportsExportFormat  format)
{
  g_autoptr(GTask) task = NULL;
  ExportData *export;

  g_return_if_fail (CH_IS_REPORTS_PAGE (self));
  g_return_if_fail (path != NULL);

  if (self->shown == NULL || self->exporting || self->run != NULL)
    return;

  export = g_new0 (ExportData, 1);
  export->report = g_object_ref (self->shown);
  export->path = g_strdup (path);
  export->format = format;

  g_clear_object (&self->export_cancellable);
  self->export_cancellable = g_cancellable_new ();
  self->exporting = TRUE;
  ch_reports_page_set_message (self, NULL, FALSE);
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_progress_bar_set_text (self->progress_bar, _("Exporting…"));
  gtk_progress_bar_pulse (self->progress_bar);
  gtk_widget_set_visible (self->progress_box, TRUE);
  ch_reports_page_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPORTING]);

  task = g_task_new (self, self->export_cancellable, export_done, NULL);
  g_task_set_source_tag (task, ch_reports_page_export_to);
  g_task_set_task_data (task, export, export_data_free);
  g_task_run_in_thread (task, export_thread);
}

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     ChReportsPage   *self)
{
  ChReportsExportFormat format = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "format"));
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);

  if (file == NULL)
    return;

  path = g_file_get_path (file);
  if (path == NULL)
    {
      ch_reports_page_set_message (self, _("Choose a folder on this computer"), TRUE);
      return;
    }

  ch_reports_page_export_to (self, path, format);
}

/* "appointments-2026-03-01-2026-03-31.csv": what, over when. */
static char *
ch_reports_page_file_name (ChReportsPage         *self,
                           ChReportsExportFormat  format)
{
  const char *ext = format == CH_REPORTS_EXPORT_CSV ? "csv" : "pdf";
  g_autofree char *name = NULL;
  g_autoptr(ChReportParams) params = NULL;

  /* A row's detail is a list of patients: not to be saved over the report. */
  name = g_strdup_printf ("%s%s", self->def != NULL ? self->def->name : "report",
                          self->shown != self->report ? "-patients" : "");

  if (self->report_params != NULL)
    {
      params = ch_report_params_copy (self->report_params);
      if (!ch_report_params_resolve (params, NULL, NULL))
        g_clear_pointer (&params, ch_report_params_free);
    }

  if (params == NULL || params->to == NULL)
    return g_strdup_printf ("%s.%s", name, ext);
  if (self->def != NULL && !self->def->period)
    return g_strdup_printf ("%s-%s.%s", name, params->to, ext);
  return g_strdup_printf ("%s-%s-%s.%s", name, params->from, params->to, ext);
}

static void
ch_reports_page_choose_file (ChReportsPage         *self,
                             ChReportsExportFormat  format)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;

  if (self->shown == NULL || self->exporting || self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (format == CH_REPORTS_EXPORT_CSV ?
                                               _("Export Report as CSV") : _("Export Report as PDF"),
                                               GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"),
                                               _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);

  if (format == CH_REPORTS_EXPORT_CSV)
    {
      gtk_file_filter_set_name (filter, _("CSV files"));
      gtk_file_filter_add_mime_type (filter, "text/csv");
      gtk_file_filter_add_pattern (filter, "*.csv");
    }
  else
    {
      gtk_file_filter_set_name (filter, _("PDF documents"));
      gtk_file_filter_add_mime_type (filter, "application/pdf");
      gtk_file_filter_add_pattern (filter, "*.pdf");
    }
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);

  name = ch_reports_page_file_name (self, format);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_object_set_data (G_OBJECT (self->chooser), "format", GINT_TO_POINTER (format));
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
export_csv_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ch_reports_page_choose_file (CH_REPORTS_PAGE (widget), CH_REPORTS_EXPORT_CSV);
}

static void
export_pdf_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ch_reports_page_choose_file (CH_REPORTS_PAGE (widget), CH_REPORTS_EXPORT_PDF);
}

/* ---- getters and setup ---------------------------------------------------------- */

gboolean
ch_reports_page_get_running (ChReportsPage *self)
{
  g_return_val_if_fail (CH_IS_REPORTS_PAGE (self), FALSE);

  return self->run != NULL;
}

gboolean
ch_reports_page_get_exporting (ChReportsPage *self)
{
  g_return_val_if_fail (CH_IS_REPORTS_PAGE (self), FALSE);

  return self->exporting;
}

ChReport *
ch_reports_page_get_report (ChReportsPage *self)
{
  g_return_val_if_fail (CH_IS_REPORTS_PAGE (self), NULL);

  return self->report;
}

ChReport *
ch_reports_page_get_shown (ChReportsPage *self)
{
  g_return_val_if_fail (CH_IS_REPORTS_PAGE (self), NULL);

  return self->shown;
}

const char *
ch_reports_page_get_message (ChReportsPage *self)
{
  g_return_val_if_fail (CH_IS_REPORTS_PAGE (self), NULL);

  return self->message;
}

GtkWidget *
ch_reports_page_new (ChSession *session)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  return g_object_new (CH_TYPE_REPORTS_PAGE,
                       "session", session,
                       NULL);
}

static void
ch_reports_page_constructed (GObject *object)
{
  ChReportsPage *self = CH_REPORTS_PAGE (object);

  G_OBJECT_CLASS (ch_reports_page_parent_class)->constructed (object);

  ch_ui_session_watch_busy (self->session, object, G_CALLBACK (ch_reports_page_update_actions));
  ch_reports_page_fill_list (self);
  ch_reports_page_set_def (self, NULL);
}

static void
ch_reports_page_dispose (GObject *object)
{
  ChReportsPage *self = CH_REPORTS_PAGE (object);

  if (self->run != NULL)
    {
      g_cancellable_cancel (self->run->cancellable);
      g_clear_pointer (&self->run, run_data_release);
    }
  g_cancellable_cancel (self->export_cancellable);

  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->chooser, on_chooser_response, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }

  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);

  if (self->date_popover != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->date_popover));
      self->date_popover = NULL;
      self->calendar = NULL;
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_REPORTS_PAGE);

  self->shown = NULL;
  g_clear_object (&self->report);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ch_reports_page_parent_class)->dispose (object);
}

static void
ch_reports_page_finalize (GObject *object)
{
  ChReportsPage *self = CH_REPORTS_PAGE (object);

  g_clear_object (&self->export_cancellable);
  g_clear_pointer (&self->report_params, ch_report_params_free);
  g_clear_pointer (&self->pending_params, ch_report_params_free);
  g_clear_pointer (&self->providers, g_ptr_array_unref);
  g_clear_pointer (&self->options, g_ptr_array_unref);
  g_free (self->message);

  G_OBJECT_CLASS (ch_reports_page_parent_class)->finalize (object);
}

static void
ch_reports_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ChReportsPage *self = CH_REPORTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_RUNNING:
      g_value_set_boolean (value, self->run != NULL);
      break;

    case PROP_EXPORTING:
      g_value_set_boolean (value, self->exporting);
      break;

    case PROP_REPORT:
      g_value_set_object (value, self->report);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_reports_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  ChReportsPage *self = CH_REPORTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_reports_page_class_init (ChReportsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();
  g_type_ensure (CH_TYPE_REPORT_CHART_VIEW);

  object_class->constructed = ch_reports_page_constructed;
  object_class->dispose = ch_reports_page_dispose;
  object_class->finalize = ch_reports_page_finalize;
  object_class->get_property = ch_reports_page_get_property;
  object_class->set_property = ch_reports_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         CH_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_EXPORTING] =
    g_param_spec_boolean ("exporting", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_REPORT] =
    g_param_spec_object ("report", NULL, NULL,
                         CH_TYPE_REPORT,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-reports-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, report_list);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, report_title);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, report_description);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, filter_box);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, period_box);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, period_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, period_list);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, from_box);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, from_entry);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, to_box);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, to_label);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, to_entry);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, provider_box);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, provider_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, provider_list);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, action_box);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, run_button);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, saved_button);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, saved_popover);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, saved_empty);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, saved_list);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, progress_box);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, message_box);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, message_icon);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, message_label);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, result_stack);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, result_title);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, result_subtitle);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, result_paned);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, chart_scroller);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, chart_view);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, ChReportsPage, hint_label);
  gtk_widget_class_bind_template_callback (widget_class, on_report_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_period_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_date_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_date_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_paned_max_position);
  gtk_widget_class_bind_template_callback (widget_class, on_saved_popover_show);
  gtk_widget_class_bind_template_callback (widget_class, on_date_icon_press);

  gtk_widget_class_install_action (widget_class, "reports.run", NULL, run_activated);
  gtk_widget_class_install_action (widget_class, "reports.cancel", NULL, cancel_activated);
  gtk_widget_class_install_action (widget_class, "reports.back", NULL, back_activated);
  gtk_widget_class_install_action (widget_class, "reports.export-csv", NULL, export_csv_activated);
  gtk_widget_class_install_action (widget_class, "reports.export-pdf", NULL, export_pdf_activated);
  gtk_widget_class_install_action (widget_class, "reports.save-filter", NULL, save_filter_activated);
  gtk_widget_class_install_action (widget_class, "reports.apply-filter", "s", apply_filter_activated);
  gtk_widget_class_install_action (widget_class, "reports.delete-filter", "s", delete_filter_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "reports.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "reports.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK,
                                       "reports.export-csv", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_E, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "reports.export-pdf", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "reports.back", NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0, escape_pressed, NULL);
}

static void
ch_reports_page_init (ChReportsPage *self)
{
  self->providers = g_ptr_array_new_with_free_func (g_free);
  self->options = g_ptr_array_new_with_free_func (option_filter_free);

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (periods); i++)
    gtk_string_list_append (self->period_list, _(periods[i].label));
  gtk_drop_down_set_selected (self->period_dropdown, 0);

  /* The filters are the flow box's only focus stops, not their wrappers. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->filter_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_widget_set_focusable (child, FALSE);

  gtk_list_box_set_header_func (self->report_list, update_header, NULL, NULL);

  self->calendar = GTK_CALENDAR (gtk_calendar_new ());
  g_signal_connect_swapped (self->calendar, "day-selected", G_CALLBACK (on_day_selected), self);
  self->date_popover = GTK_POPOVER (gtk_popover_new ());
  gtk_popover_set_child (self->date_popover, GTK_WIDGET (self->calendar));
  gtk_widget_set_parent (GTK_WIDGET (self->date_popover), GTK_WIDGET (self->from_entry));

  ch_reports_page_update_actions (self);
}
