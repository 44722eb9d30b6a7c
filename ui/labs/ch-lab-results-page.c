/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-lab-results-page"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "ch-chart-ui.h"
#include "ch-document-window.h"
#include "ch-documents.h"
#include "ch-lab-order-dialog.h"
#include "ch-lab-results-page.h"
#include "ch-labs.h"
#include "ch-labs-ui.h"
#include "ch-ui.h"

/* The chart's lab results: one block a report (an OBR), newest first, its
 * results (OBX) in columns: test, value, units, reference range, flag,
 * status, time, with the lab's notes under the result. An abnormal value
 * is bold and coloured and says its flag in words, so that colour is never
 * the only sign. A result that replaced another (a correction, the final
 * after a preliminary) offers the earlier values.
 *
 * The results are read with their history in one call when the page is
 * first shown for a patient (one audited view), not when the chart opens:
 * who never looks at the labs has not read them. Filtering works on what
 * was read. */

enum {
  COLUMN_TEST,
  COLUMN_VALUE,
  COLUMN_UNITS,
  COLUMN_RANGE,
  COLUMN_FLAG,
  COLUMN_STATUS,
  COLUMN_TIME,
  N_COLUMNS
};

struct _ChLabResultsPage
{
  AdwBin          parent_instance;

  GtkSearchEntry *filter_entry;
  GtkToggleButton *abnormal_toggle;
  GtkWidget      *order_button;
  GtkStack       *stack;
  GtkBox         *reports_box;
  AdwStatusPage  *error_page;
  GtkSizeGroup   *columns[N_COLUMNS];  /* the same widths in every report */

  ChSession      *session;
  gint64          patient_id;
  char           *patient_label;  /* "Doe, Jane · MRN 0042", for an order */
  GPtrArray      *results;      /* (element-type ChLabResult): current and replaced */
  GCancellable   *cancellable;
  guint           n_shown;
  gboolean        busy;
  gboolean        loaded;
  gboolean        stale;        /* read again when next shown */
};

G_DEFINE_FINAL_TYPE (ChLabResultsPage, ch_lab_results_page, ADW_TYPE_BIN)

static void ch_lab_results_page_start_load (ChLabResultsPage *self);

static void
ch_lab_results_page_update_actions (ChLabResultsPage *self)
{
  gboolean ready = self->session != NULL && self->patient_id > 0 && !self->busy &&
                   !ch_ui_session_is_busy (self->session);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "labs.order",
                                 ready && ch_session_can (self->session, CH_AREA_CLINICAL,
                                                          CH_ACCESS_WRITE));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "labs.open-document", ready);
}

static void
ch_lab_results_page_set_busy (ChLabResultsPage *self,
                              gboolean          busy)
{
  self->busy = busy;
  ch_lab_results_page_update_actions (self);
}

/* ---- drawing ------------------------------------------------------------------ */

/* The results @current replaced, the latest first. */
static GPtrArray *
history_of (GPtrArray         *results,
            const ChLabResult *current)
{
  GPtrArray *history = g_ptr_array_new ();
  gint64 id = current->id;

  /* Each replaced result names the one that took its place: follow the
   * chain back (a correction of a correction). */
  for (guint guard = 0; guard < results->len; guard++)
    {
      const ChLabResult *earlier = NULL;

      for (guint i = 0; i < results->len; i++)
        {
          const ChLabResult *r = g_ptr_array_index (results, i);

          if (!r->current && r->replaced_by == id)
            {
              earlier = r;
              break;
            }
        }
      if (earlier == NULL)
        break;
      g_ptr_array_add (history, (gpointer) earlier);
      id = earlier->id;
    }
  return history;
}

static char *
result_time (const ChLabResult *r)
{
  if (r->has_observed_ts)
    return ch_chart_ui_format_time (r->observed_ts);
  return g_strdup (r->observed_at != NULL ? r->observed_at : "");
}

static const char *
result_name (const ChLabResult *r)
{
  if (r->text != NULL && r->text[0] != '\0')
    return r->text;
  return r->code != NULL ? r->code : "";
}

/* A cell of the table; only the test's name, values and notes wrap (a
 * status or a unit broken in two reads badly). */
static GtkWidget *
cell (const char *text,
      const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_valign (label, GTK_ALIGN_BASELINE);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static GtkWidget *
history_button (GPtrArray         *history,
                const ChLabResult *current)
{
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *heading = gtk_label_new (_("Earlier Values"));
  g_autofree char *name = g_strdup_printf ("history-%" G_GINT64_FORMAT, current->id);
  g_autofree char *tooltip = NULL;

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_box_append (GTK_BOX (box), heading);

  for (guint i = 0; i < history->len; i++)
    {
      const ChLabResult *r = g_ptr_array_index (history, i);
      g_autofree char *time = result_time (r);
      g_autofree char *recorded = ch_chart_ui_format_time (r->created_at);
      g_autofree char *flag = ch_labs_ui_flag_label (r->abnormal_flags);
      GString *text = g_string_new (NULL);
      GtkWidget *label;

      g_string_append (text, r->value != NULL ? r->value : _("no value"));
      if (r->units != NULL && r->units[0] != '\0')
        g_string_append_printf (text, " %s", r->units);
      if (flag[0] != '\0')
        g_string_append_printf (text, " (%s)", flag);
      g_string_append_printf (text, " · %s", ch_labs_ui_status_label (r->status));
      if (time[0] != '\0')
        g_string_append_printf (text, " · %s", time);
      /* TRANSLATORS: when Charta received an earlier value of a lab result */
      g_string_append_printf (text, _(" · received %s"), recorded);
      if (r->comments != NULL && r->comments[0] != '\0')
        g_string_append_printf (text, "\n%s", r->comments);
      label = gtk_label_new (text->str);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 60);
      gtk_widget_set_name (label, "history-value");
      gtk_box_append (GTK_BOX (box), label);
      g_string_free (text, TRUE);
    }

  gtk_popover_set_child (GTK_POPOVER (popover), box);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
  gtk_menu_button_set_label (GTK_MENU_BUTTON (button), _("History"));
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "lab-history");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_name (button, name);
  tooltip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u earlier value",
                                          "%u earlier values", history->len),
                             history->len);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  tooltip, -1);
  return button;
}

static void
attach (ChLabResultsPage *self,
        GtkGrid          *grid,
        GtkWidget        *widget,
        int               column,
        int               row)
{
  gtk_grid_attach (grid, widget, column, row, 1, 1);
  if (column != COLUMN_TEST)
    gtk_size_group_add_widget (self->columns[column], widget);
}

/* One result: a line of the report's grid at @row, its notes on the next. */
static int
attach_result (ChLabResultsPage  *self,
               GtkGrid           *grid,
               int                row,
               const ChLabResult *r)
{
  g_autoptr(GPtrArray) history = history_of (self->results, r);
  g_autofree char *time = result_time (r);
  g_autofree char *flag = ch_labs_ui_flag_label (r->abnormal_flags);
  gboolean abnormal = ch_labs_ui_flag_abnormal (r->abnormal_flags);
  gboolean critical = ch_labs_ui_flag_critical (r->abnormal_flags);
  g_autofree char *flag_name = g_strdup_printf ("flag-%" G_GINT64_FORMAT, r->id);
  g_autofree char *value_name = g_strdup_printf ("value-%" G_GINT64_FORMAT, r->id);
  g_autofree char *status_name = g_strdup_printf ("status-%" G_GINT64_FORMAT, r->id);
  GtkWidget *value, *status_box, *status, *label, *flag_box;
  const char *status_text;

  label = cell (result_name (r), NULL);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  attach (self, grid, label, COLUMN_TEST, row);

  if (r->document_id > 0)
    {
      /* An embedded report (a PDF): opened in the document window. */
      value = gtk_button_new_with_mnemonic (_("Open _Report"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (value), "labs.open-document");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (value), "x", r->document_id);
      gtk_widget_set_halign (value, GTK_ALIGN_START);
      gtk_widget_set_tooltip_text (value, _("Show the lab's report in the document viewer"));
    }
  else
    {
      value = cell (r->value != NULL ? r->value : "", "lab-value");
      gtk_label_set_wrap (GTK_LABEL (value), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (value), 40);
      if (abnormal)
        gtk_widget_add_css_class (value, critical ? "lab-critical" : "lab-abnormal");
    }
  gtk_widget_set_name (value, value_name);
  attach (self, grid, value, COLUMN_VALUE, row);
  attach (self, grid, cell (r->units, "lab-units"), COLUMN_UNITS, row);
  attach (self, grid, cell (r->reference_range, "lab-units"), COLUMN_RANGE, row);

  label = cell (flag, NULL);
  gtk_widget_set_name (label, flag_name);
  if (abnormal)
    {
      gtk_widget_add_css_class (label, "chart-flag");
      gtk_widget_add_css_class (label, critical ? "error" : "warning");
      gtk_widget_set_halign (label, GTK_ALIGN_START);
    }
  /* Boxed: the flag's background as wide as its words, not the column. */
  flag_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_box_append (GTK_BOX (flag_box), label);
  attach (self, grid, flag_box, COLUMN_FLAG, row);

  status_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  status_text = ch_labs_ui_status_label (r->status);
  status = cell (status_text, g_strcmp0 (r->status, "C") == 0 ? "lab-corrected" : NULL);
  if (g_strcmp0 (r->status, "P") == 0)
    gtk_widget_add_css_class (status, "lab-preliminary");
  gtk_widget_set_name (status, status_name);
  gtk_box_append (GTK_BOX (status_box), status);
  if (history->len > 0)
    gtk_box_append (GTK_BOX (status_box), history_button (history, r));
  attach (self, grid, status_box, COLUMN_STATUS, row);
  attach (self, grid, cell (time, "lab-units"), COLUMN_TIME, row);

  if (r->comments != NULL && r->comments[0] != '\0')
    {
      GtkWidget *notes = cell (r->comments, "lab-notes");

      gtk_label_set_wrap (GTK_LABEL (notes), TRUE);

      gtk_widget_set_name (notes, "notes");
      gtk_grid_attach (grid, notes, COLUMN_TEST, ++row, N_COLUMNS, 1);
    }
  return row + 1;
}

static gboolean
result_matches (const ChLabResult *r,
                const char        *folded,
                gboolean           abnormal_only)
{
  if (abnormal_only && !ch_labs_ui_flag_abnormal (r->abnormal_flags))
    return FALSE;
  if (folded != NULL && *folded != '\0')
    {
      const char *names[] = { r->text, r->code, r->test_text, r->test_code };

      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        {
          g_autofree char *name = g_utf8_casefold (names[i] != NULL ? names[i] : "", -1);

          if (strstr (name, folded) != NULL)
            return TRUE;
        }
      return FALSE;
    }
  return TRUE;
}

static GtkWidget *
report_block (ChLabResultsPage  *self,
              const ChLabResult *first,
              GPtrArray         *shown)
{
  static const char *headings[N_COLUMNS] = {
    N_("Test"), N_("Value"), N_("Units"), N_("Reference range"), N_("Flag"), N_("Status"),
    N_("Observed"),
  };
  GtkWidget *block = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *title, *subtitle, *card, *grid;
  g_autofree char *time = result_time (first);
  GString *about = g_string_new (NULL);
  int row = 1;
  guint n_abnormal = 0;

  if (first->test_text != NULL && first->test_text[0] != '\0')
    title = gtk_label_new (first->test_text);
  else if (first->test_code != NULL && first->test_code[0] != '\0')
    title = gtk_label_new (first->test_code);
  else
    title = gtk_label_new (_("Lab Report"));
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_widget_add_css_class (title, "heading");
  gtk_accessible_update_property (GTK_ACCESSIBLE (title), GTK_ACCESSIBLE_PROPERTY_LEVEL, 3, -1);
  gtk_box_append (GTK_BOX (block), title);

  for (guint i = 0; i < shown->len; i++)
    if (ch_labs_ui_flag_abnormal (((const ChLabResult *) g_ptr_array_index (shown, i))->abnormal_flags))
      n_abnormal++;
  if (time[0] != '\0')
    g_string_append (about, time);
  if (first->filler_number != NULL && first->filler_number[0] != '\0')
    /* TRANSLATORS: the lab's accession number of a report */
    g_string_append_printf (about, _("%sLab no. %s"), about->len > 0 ? " · " : "",
                            first->filler_number);
  g_string_append_printf (about, "%s", about->len > 0 ? " · " : "");
  g_string_append_printf (about, g_dngettext (GETTEXT_PACKAGE, "%u result", "%u results",
                                              shown->len), shown->len);
  if (n_abnormal > 0)
    g_string_append_printf (about, g_dngettext (GETTEXT_PACKAGE, ", %u abnormal",
                                                ", %u abnormal", n_abnormal), n_abnormal);
  subtitle = gtk_label_new (about->str);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_box_append (GTK_BOX (block), subtitle);
  g_string_free (about, TRUE);

  card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (card, "card");
  grid = gtk_grid_new ();
  gtk_widget_add_css_class (grid, "lab-grid");
  gtk_grid_set_column_spacing (GTK_GRID (grid), 18);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  for (guint c = 0; c < N_COLUMNS; c++)
    {
      GtkWidget *heading = cell (_(headings[c]), "lab-heading");

      gtk_label_set_selectable (GTK_LABEL (heading), FALSE);
      if (c == COLUMN_TEST)
        gtk_widget_set_hexpand (heading, TRUE);
      else
        gtk_size_group_add_widget (self->columns[c], heading);
      gtk_grid_attach (GTK_GRID (grid), heading, c, 0, 1, 1);
    }
  for (guint i = 0; i < shown->len; i++)
    row = attach_result (self, GTK_GRID (grid), row, g_ptr_array_index (shown, i));
  gtk_box_append (GTK_BOX (card), grid);
  gtk_box_append (GTK_BOX (block), card);
  return block;
}

static void
ch_lab_results_page_fill (ChLabResultsPage *self)
{
  GtkWidget *child;
  g_autofree char *folded = NULL;
  gboolean abnormal_only = gtk_toggle_button_get_active (self->abnormal_toggle);
  g_autoptr(GArray) reports = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint n_current = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->reports_box))) != NULL)
    gtk_box_remove (self->reports_box, child);
  self->n_shown = 0;
  if (!self->loaded)
    return;

  folded = g_utf8_casefold (gtk_editable_get_text (GTK_EDITABLE (self->filter_entry)), -1);
  g_strstrip (folded);

  /* Reports in the order of their newest result: the list is the newest
   * observation first. */
  for (guint i = 0; i < self->results->len; i++)
    {
      const ChLabResult *r = g_ptr_array_index (self->results, i);
      gboolean seen = FALSE;

      if (!r->current)
        continue;
      n_current++;
      for (guint j = 0; j < reports->len && !seen; j++)
        seen = g_array_index (reports, gint64, j) == r->report_id;
      if (!seen)
        g_array_append_val (reports, r->report_id);
    }

  for (guint j = 0; j < reports->len; j++)
    {
      gint64 report_id = g_array_index (reports, gint64, j);
      g_autoptr(GPtrArray) shown = g_ptr_array_new ();

      for (guint i = 0; i < self->results->len; i++)
        {
          const ChLabResult *r = g_ptr_array_index (self->results, i);

          if (r->current && r->report_id == report_id && result_matches (r, folded, abnormal_only))
            g_ptr_array_add (shown, (gpointer) r);
        }
      if (shown->len == 0)
        continue;
      /* In the order the lab sent them. */
      for (guint a = 1; a < shown->len; a++)
        for (guint b = a; b > 0; b--)
          {
            const ChLabResult *x = shown->pdata[b - 1], *y = shown->pdata[b];

            if (x->set_id <= y->set_id)
              break;
            shown->pdata[b - 1] = (gpointer) y;
            shown->pdata[b] = (gpointer) x;
          }
      self->n_shown += shown->len;
      gtk_box_append (self->reports_box, report_block (self, g_ptr_array_index (shown, 0), shown));
    }

  if (n_current == 0)
    ch_ui_stack_show (self->stack, "empty");
  else
    ch_ui_stack_show (self->stack, self->n_shown > 0 ? "list" : "no-match");
}

static void
on_filter_changed (ChLabResultsPage *self)
{
  ch_lab_results_page_fill (self);
}

/* ---- loading ------------------------------------------------------------------ */

typedef struct
{
  ChSession *session;
  gint64     patient_id;
  GPtrArray *results;
} Load;

static void
load_free (Load *load)
{
  g_clear_object (&load->session);
  g_clear_pointer (&load->results, g_ptr_array_unref);
  g_free (load);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Load *load = task_data;
  GError *error = NULL;

  load->results = ch_labs_list_results (load->session, load->patient_id, TRUE, &error);
  if (load->results != NULL)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
load_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChLabResultsPage *self = CH_LAB_RESULTS_PAGE (object);
  Load *load = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      ch_lab_results_page_set_busy (self, FALSE);
      adw_status_page_set_description (self->error_page, error->message);
      ch_ui_stack_show (self->stack, "error");
      return;
    }

  ch_lab_results_page_set_busy (self, FALSE);
  /* Another patient was opened meanwhile: that one is read next. */
  if (load->patient_id != self->patient_id)
    {
      if (self->patient_id > 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
        ch_lab_results_page_start_load (self);
      return;
    }
  g_clear_pointer (&self->results, g_ptr_array_unref);
  self->results = g_steal_pointer (&load->results);
  self->loaded = TRUE;
  ch_lab_results_page_fill (self);

  /* More results came in while these were read. */
  if (self->stale && gtk_widget_get_mapped (GTK_WIDGET (self)))
    ch_lab_results_page_start_load (self);
}

static void
ch_lab_results_page_start_load (ChLabResultsPage *self)
{
  g_autoptr(GTask) task = NULL;
  Load *load;

  if (self->session == NULL || self->patient_id <= 0 || self->busy)
    return;
  if (ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self),
                               G_CALLBACK (ch_lab_results_page_start_load));
      return;
    }

  self->stale = FALSE;
  load = g_new0 (Load, 1);
  load->session = g_object_ref (self->session);
  load->patient_id = self->patient_id;
  if (!self->loaded)
    ch_ui_stack_show (self->stack, "loading");
  ch_lab_results_page_set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, load_done, NULL);
  g_task_set_source_tag (task, ch_lab_results_page_start_load);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  ch_ui_session_run_task (task, load_thread);
}

static void
ch_lab_results_page_map (GtkWidget *widget)
{
  ChLabResultsPage *self = CH_LAB_RESULTS_PAGE (widget);

  GTK_WIDGET_CLASS (ch_lab_results_page_parent_class)->map (widget);

  if (self->stale)
    ch_lab_results_page_start_load (self);
}

/**
 * ch_lab_results_page_load:
 * @self: a lab results page
 * @patient: whose results to show
 *
 * Forgets what was shown; the results of @patient are read when the page
 * is shown (at once, if it is).
 */
void
ch_lab_results_page_load (ChLabResultsPage      *self,
                          const ChPatientRecord *patient)
{
  g_return_if_fail (CH_IS_LAB_RESULTS_PAGE (self));
  g_return_if_fail (patient != NULL);

  ch_lab_results_page_clear (self);
  self->patient_id = patient->id;
  {
    g_autofree char *name = ch_patient_record_display_name (patient);

    /* TRANSLATORS: who a lab order is for: "Doe, Jane · MRN 00000042" */
    self->patient_label = g_strdup_printf (_("%s · MRN %s"), name, patient->mrn);
  }
  self->stale = TRUE;
  ch_lab_results_page_update_actions (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    ch_lab_results_page_start_load (self);
}

/* Reads the results again (new ones came in), now if the page is shown,
 * else when it next is. */
void
ch_lab_results_page_reload (ChLabResultsPage *self)
{
  g_return_if_fail (CH_IS_LAB_RESULTS_PAGE (self));

  if (self->patient_id <= 0)
    return;
  self->stale = TRUE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    ch_lab_results_page_start_load (self);
}

void
ch_lab_results_page_clear (ChLabResultsPage *self)
{
  g_return_if_fail (CH_IS_LAB_RESULTS_PAGE (self));

  self->patient_id = 0;
  g_clear_pointer (&self->patient_label, g_free);
  self->loaded = FALSE;
  self->stale = FALSE;
  g_clear_pointer (&self->results, g_ptr_array_unref);
  gtk_editable_set_text (GTK_EDITABLE (self->filter_entry), "");
  gtk_toggle_button_set_active (self->abnormal_toggle, FALSE);
  ch_lab_results_page_fill (self);
  ch_ui_stack_show (self->stack, "loading");
  ch_lab_results_page_update_actions (self);
}

void
ch_lab_results_page_set_session (ChLabResultsPage *self,
                                 ChSession        *session)
{
  g_return_if_fail (CH_IS_LAB_RESULTS_PAGE (self));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  ch_ui_session_watch_busy (session, G_OBJECT (self),
                            G_CALLBACK (ch_lab_results_page_update_actions));
  ch_lab_results_page_update_actions (self);
}

gint64
ch_lab_results_page_get_patient_id (ChLabResultsPage *self)
{
  g_return_val_if_fail (CH_IS_LAB_RESULTS_PAGE (self), 0);

  return self->patient_id;
}

gboolean
ch_lab_results_page_get_busy (ChLabResultsPage *self)
{
  g_return_val_if_fail (CH_IS_LAB_RESULTS_PAGE (self), FALSE);

  return self->busy || self->stale;
}

gboolean
ch_lab_results_page_get_loaded (ChLabResultsPage *self)
{
  g_return_val_if_fail (CH_IS_LAB_RESULTS_PAGE (self), FALSE);

  return self->loaded;
}

/* Returns: (transfer none) (element-type ChLabResult) (nullable): as read,
 * with the replaced results */
GPtrArray *
ch_lab_results_page_get_results (ChLabResultsPage *self)
{
  g_return_val_if_fail (CH_IS_LAB_RESULTS_PAGE (self), NULL);

  return self->results;
}

/* Returns: how many results the filter lets through */
guint
ch_lab_results_page_get_n_shown (ChLabResultsPage *self)
{
  g_return_val_if_fail (CH_IS_LAB_RESULTS_PAGE (self), 0);

  return self->n_shown;
}

void
ch_lab_results_page_set_filter (ChLabResultsPage *self,
                                const char       *text,
                                gboolean          abnormal_only)
{
  g_return_if_fail (CH_IS_LAB_RESULTS_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->filter_entry), text != NULL ? text : "");
  gtk_toggle_button_set_active (self->abnormal_toggle, abnormal_only);
  /* Without waiting for the entry's search delay. */
  ch_lab_results_page_fill (self);
}

/* ---- actions ------------------------------------------------------------------- */

/**
 * ch_lab_results_page_open_document:
 *
 * Opens a report the lab sent as a document (a PDF) in the document window.
 *
 * Returns: (transfer none) (nullable): the window
 */
GtkWidget *
ch_lab_results_page_open_document (ChLabResultsPage *self,
                                   gint64            document_id)
{
  g_autoptr(ChDocument) document = NULL;
  g_autoptr(GError) error = NULL;
  GtkRoot *root;
  GtkWidget *window;
  gboolean linked = FALSE;

  g_return_val_if_fail (CH_IS_LAB_RESULTS_PAGE (self), NULL);

  if (self->session == NULL || self->busy || ch_ui_session_is_busy (self->session))
    return NULL;
  /* Only a report of the results shown. */
  for (guint i = 0; self->results != NULL && i < self->results->len && !linked; i++)
    linked = ((const ChLabResult *) g_ptr_array_index (self->results, i))->document_id ==
             document_id;
  if (!linked)
    return NULL;

  document = ch_documents_get (self->session, document_id, &error);
  if (document == NULL)
    {
      ch_ui_toast (GTK_WIDGET (self), error->message);
      return NULL;
    }
  root = gtk_widget_get_root (GTK_WIDGET (self));
  window = ch_document_window_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   self->session, document);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
open_document_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  ch_lab_results_page_open_document (CH_LAB_RESULTS_PAGE (widget),
                                     g_variant_get_int64 (parameter));
}

static void
order_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ChLabResultsPage *self = CH_LAB_RESULTS_PAGE (widget);

  if (self->session == NULL || self->patient_id <= 0)
    return;
  ch_lab_order_dialog_present (widget, self->session, self->patient_id, self->patient_label);
}

/* ---- GObject ------------------------------------------------------------------- */

static void
ch_lab_results_page_dispose (GObject *object)
{
  ChLabResultsPage *self = CH_LAB_RESULTS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_LAB_RESULTS_PAGE);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ch_lab_results_page_parent_class)->dispose (object);
}

static void
ch_lab_results_page_finalize (GObject *object)
{
  ChLabResultsPage *self = CH_LAB_RESULTS_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->results, g_ptr_array_unref);
  g_clear_pointer (&self->patient_label, g_free);
  for (guint c = 0; c < N_COLUMNS; c++)
    g_clear_object (&self->columns[c]);

  G_OBJECT_CLASS (ch_lab_results_page_parent_class)->finalize (object);
}

static void
ch_lab_results_page_class_init (ChLabResultsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_lab_results_page_dispose;
  object_class->finalize = ch_lab_results_page_finalize;
  widget_class->map = ch_lab_results_page_map;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-lab-results-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ChLabResultsPage, filter_entry);
  gtk_widget_class_bind_template_child (widget_class, ChLabResultsPage, abnormal_toggle);
  gtk_widget_class_bind_template_child (widget_class, ChLabResultsPage, order_button);
  gtk_widget_class_bind_template_child (widget_class, ChLabResultsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ChLabResultsPage, reports_box);
  gtk_widget_class_bind_template_child (widget_class, ChLabResultsPage, error_page);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);

  gtk_widget_class_install_action (widget_class, "labs.order", NULL, order_activated);
  gtk_widget_class_install_action (widget_class, "labs.open-document", "x",
                                   open_document_activated);
}

static void
ch_lab_results_page_init (ChLabResultsPage *self)
{
  self->cancellable = g_cancellable_new ();
  for (guint c = 0; c < N_COLUMNS; c++)
    self->columns[c] = gtk_size_group_new (GTK_SIZE_GROUP_HORIZONTAL);

  gtk_widget_init_template (GTK_WIDGET (self));
  ch_lab_results_page_update_actions (self);
}
