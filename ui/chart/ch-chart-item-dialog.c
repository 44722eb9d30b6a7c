/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-chart-item-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ch-chart.h"
#include "ch-chart-item-dialog.h"
#include "ch-chart-ui.h"
#include "ch-refdata.h"
#include "ch-ui.h"

/* Adds an entry to one section of the chart, or changes one: the fields
 * shown are the section's. Problems, vaccines and lab tests are picked from
 * the shipped code lists as one types (free text stays possible); a test
 * picked brings its unit and reference range. The controller validates and
 * stores; the dialog stays open with its message until the entry is stored.
 * A change needs a reason, kept with the earlier version. */

#define MAX_SUGGESTIONS 8

struct _ChChartItemDialog
{
  AdwWindow       parent_instance;

  AdwWindowTitle *window_title;
  GtkSpinner     *spinner;
  GtkWidget      *form;
  GtkWidget      *name_row;
  GtkLabel       *code_label;
  GtkLabel       *search_hint;
  GtkListBox     *suggestions_list;
  GtkWidget      *details_group;
  AdwComboRow    *kind_row;
  AdwComboRow    *smoking_row;
  GtkWidget      *dose_row;
  GtkWidget      *reaction_row;
  AdwComboRow    *severity_row;
  GtkWidget      *value_row;
  GtkWidget      *unit_row;
  GtkWidget      *low_row;
  GtkWidget      *high_row;
  GtkWidget      *start_row;
  AdwComboRow    *status_row;
  GtkWidget      *end_row;
  GtkWidget      *lot_row;
  GtkWidget      *site_row;
  GtkWidget      *route_row;
  GtkWidget      *performer_row;
  GtkWidget      *reason_group;
  GtkWidget      *reason_row;
  GtkLabel       *error_label;

  ChSession      *session;
  ChPatientRecord *patient;
  char           *section;
  ChChartItem    *original;     /* (nullable): the entry changed */
  char           *code;         /* (nullable): the code picked */
  char           *code_display; /* what the name said when it was picked */
  GPtrArray      *suggestions;  /* (element-type ChRefEntry) (transfer container) */
  ChChartUiChoice kind_choice;
  ChChartUiChoice status_choice;
  gboolean        has_kind;
  gboolean        has_status;
  GCancellable   *cancellable;
  gboolean        busy;
  gboolean        filling;      /* the form filled in by code: no search, no defaults */
};

G_DEFINE_FINAL_TYPE (ChChartItemDialog, ch_chart_item_dialog, ADW_TYPE_WINDOW)

/* Tobacco smoking status: a social history entry coded LOINC
 * CH_LOINC_SMOKING_STATUS whose value is one of these SNOMED CT codes (the
 * quality measures count it). The first choice leaves the entry uncoded. */
static const struct
{
  const char *code;
  const char *label;
} smoking_choices[] = {
  { NULL, N_("Not a smoking status") },
  { "449868002", N_("Current every day smoker") },
  { "428041000124106", N_("Current some day smoker") },
  { "8517006", N_("Former smoker") },
  { "266919005", N_("Never smoker") },
  { "77176002", N_("Smoker, current status unknown") },
  { "266927001", N_("Unknown if ever smoked") },
};

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
is_section (ChChartItemDialog *self,
            const char        *section)
{
  return g_strcmp0 (self->section, section) == 0;
}

/* Returns: whether the section's name is picked from a code list, and which */
static gboolean
section_code_set (ChChartItemDialog *self,
                  ChRefSet          *out_set)
{
  if (is_section (self, CH_SECTION_PROBLEM))
    *out_set = CH_REF_ICD10;
  else if (is_section (self, CH_SECTION_IMMUNIZATION))
    *out_set = CH_REF_CVX;
  else if (is_section (self, CH_SECTION_LAB))
    *out_set = CH_REF_LOINC;
  else
    return FALSE;

  return TRUE;
}

static const char *
section_code_system (ChChartItemDialog *self)
{
  if (is_section (self, CH_SECTION_PROBLEM))
    return "icd10cm";
  if (is_section (self, CH_SECTION_IMMUNIZATION))
    return "cvx";
  if (is_section (self, CH_SECTION_LAB))
    return "loinc";
  return NULL;
}

static void
ch_chart_item_dialog_update_actions (ChChartItemDialog *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "item-dialog.save",
                                 !self->busy && self->session != NULL &&
                                 !ch_ui_session_is_busy (self->session));
}

static void
ch_chart_item_dialog_set_busy (ChChartItemDialog *self,
                               gboolean           busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  ch_ui_set_input_sensitive (self->form, !busy);
  ch_chart_item_dialog_update_actions (self);
}

static void
ch_chart_item_dialog_show_error (ChChartItemDialog *self,
                                 const char        *message,
                                 GtkWidget         *row)
{
  GtkWidget *rows[] = {
    self->name_row, self->value_row, self->low_row, self->high_row, self->start_row,
    self->end_row, self->reason_row,
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    ch_ui_set_row_error (rows[i], FALSE);

  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);

  if (row != NULL)
    {
      ch_ui_set_row_error (row, TRUE);
      gtk_widget_grab_focus (row);
    }
}

/* ---- codes ---------------------------------------------------------------------- */

static void
ch_chart_item_dialog_set_code (ChChartItemDialog *self,
                               const char        *code,
                               const char        *display)
{
  g_free (self->code);
  self->code = ch_chart_ui_has_text (code) ? g_strdup (code) : NULL;
  g_free (self->code_display);
  self->code_display = g_strdup (display);

  gtk_label_set_text (self->code_label, self->code != NULL ? self->code : "");
  gtk_widget_set_visible (GTK_WIDGET (self->code_label), self->code != NULL);
}

static void
ch_chart_item_dialog_clear_suggestions (ChChartItemDialog *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->suggestions_list))) != NULL)
    gtk_list_box_remove (self->suggestions_list, child);

  g_ptr_array_set_size (self->suggestions, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->suggestions_list), FALSE);
}

static char *
range_text (double low,
            double high)
{
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  if (isnan (low) || isnan (high))
    return NULL;

  from = ch_chart_ui_format_number (low, 2);
  to = ch_chart_ui_format_number (high, 2);
  /* Translators: a reference range, low–high */
  return g_strdup_printf (_("range %s–%s"), from, to);
}

static GtkWidget *
suggestion_row (const ChRefEntry *entry,
                ChRefSet          set)
{
  g_autoptr(GString) subtitle = g_string_new (entry->code);
  GtkWidget *row = adw_action_row_new ();
  const char *title = entry->display;

  if (set == CH_REF_CVX && ch_chart_ui_has_text (entry->short_name))
    {
      title = entry->short_name;
      if (g_strcmp0 (entry->short_name, entry->display) != 0)
        g_string_append_printf (subtitle, " · %s", entry->display);
    }
  if (set == CH_REF_LOINC)
    {
      g_autofree char *range = range_text (entry->low, entry->high);

      if (ch_chart_ui_has_text (entry->unit))
        g_string_append_printf (subtitle, " · %s", entry->unit);
      if (range != NULL)
        g_string_append_printf (subtitle, " · %s", range);
    }

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);

  return row;
}

static void
ch_chart_item_dialog_search (ChChartItemDialog *self,
                             const char        *text)
{
  g_autoptr(GPtrArray) found = NULL;
  ChRefSet set;

  ch_chart_item_dialog_clear_suggestions (self);

  if (!section_code_set (self, &set) || g_utf8_strlen (text, -1) < 2)
    return;

  /* In memory and shared by every thread: no worker needed. */
  found = ch_refdata_search (set, text, MAX_SUGGESTIONS);
  for (guint i = 0; found != NULL && i < found->len; i++)
    {
      const ChRefEntry *entry = g_ptr_array_index (found, i);

      g_ptr_array_add (self->suggestions, (gpointer) entry);
      gtk_list_box_append (self->suggestions_list, suggestion_row (entry, set));
    }

  gtk_widget_set_visible (GTK_WIDGET (self->suggestions_list), self->suggestions->len > 0);
}

static void
on_name_changed (ChChartItemDialog *self)
{
  g_autofree char *text = NULL;

  if (self->filling)
    return;

  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

  /* Typing over a picked name unpicks its code. */
  if (self->code != NULL && g_strcmp0 (text, self->code_display) != 0)
    ch_chart_item_dialog_set_code (self, NULL, NULL);

  if (self->code == NULL)
    ch_chart_item_dialog_search (self, text);
}

static void
set_text (GtkWidget  *row,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
}

static void
set_number (GtkWidget *row,
            double     value)
{
  g_autofree char *text = isnan (value) ? NULL : ch_chart_ui_format_number (value, 3);

  set_text (row, text);
}

static void
ch_chart_item_dialog_pick (ChChartItemDialog *self,
                           const ChRefEntry  *entry)
{
  ChRefSet set = CH_REF_ICD10;
  const char *name = entry->display;

  section_code_set (self, &set);
  if (set == CH_REF_CVX && ch_chart_ui_has_text (entry->short_name))
    name = entry->short_name;

  /* A test's unit and range, for this patient's sex where they differ. */
  if (set == CH_REF_LOINC)
    {
      const ChRefEntry *own = ch_refdata_lookup (CH_REF_LOINC, entry->code,
                                                 self->patient->sex);

      if (own != NULL)
        entry = own;
      set_text (self->unit_row, entry->unit);
      set_number (self->low_row, entry->low);
      set_number (self->high_row, entry->high);
    }

  self->filling = TRUE;
  set_text (self->name_row, name);
  self->filling = FALSE;
  ch_chart_item_dialog_set_code (self, entry->code, name);
  ch_chart_item_dialog_clear_suggestions (self);

  gtk_widget_grab_focus (set == CH_REF_LOINC ? self->value_row : self->start_row);
}

static void
on_suggestion_activated (ChChartItemDialog *self,
                         GtkListBoxRow     *row)
{
  int index = gtk_list_box_row_get_index (row);

  if (index >= 0 && (guint) index < self->suggestions->len)
    ch_chart_item_dialog_pick (self, g_ptr_array_index (self->suggestions, index));
}

/* ---- saving ------------------------------------------------------------------------ */

typedef struct
{
  ChSession   *session;
  ChChartItem *item;
  char        *reason;
} Save;

static void
save_free (gpointer data)
{
  Save *save = data;

  g_clear_object (&save->session);
  g_clear_pointer (&save->item, ch_chart_item_free);
  g_free (save->reason);
  g_free (save);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Save *save = task_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (save->reason != NULL)
    ok = ch_chart_update (save->session, save->item, save->reason, &error);
  else
    ok = ch_chart_add (save->session, save->item, &error);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
save_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChChartItemDialog *self = CH_CHART_ITEM_DIALOG (object);
  Save *save = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      ch_chart_item_dialog_set_busy (self, FALSE);
      ch_chart_item_dialog_show_error (self, error->message, NULL);
      return;
    }

  ch_chart_item_dialog_set_busy (self, FALSE);
  g_signal_emit (self, signals[SAVED], 0, save->item);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
set_field (char      **field,
           GtkWidget  *row)
{
  g_free (*field);
  *field = ch_chart_ui_dup_text (GTK_EDITABLE (row));
}

static gboolean
same_number (gboolean a_set,
             double   a,
             gboolean b_set,
             double   b)
{
  return a_set == b_set && (!a_set || fabs (a - b) < 1e-9);
}

/* Reads the lab fields into @item; returns the row that cannot be read. */
static GtkWidget *
read_lab (ChChartItemDialog *self,
          ChChartItem       *item,
          const char       **message)
{
  g_autofree char *value = ch_chart_ui_dup_text (GTK_EDITABLE (self->value_row));
  g_autofree char *low_text = ch_chart_ui_dup_text (GTK_EDITABLE (self->low_row));
  g_autofree char *high_text = ch_chart_ui_dup_text (GTK_EDITABLE (self->high_row));
  g_autofree char *date = ch_chart_ui_dup_text (GTK_EDITABLE (self->start_row));
  double number = 0, low = 0, high = 0;
  gint64 when = 0;

  g_clear_pointer (&item->value_text, g_free);
  item->has_value = FALSE;
  if (value != NULL && ch_chart_ui_parse_number (value, &number))
    {
      item->has_value = TRUE;
      item->value_num = number;
    }
  else
    item->value_text = g_steal_pointer (&value);

  if ((low_text != NULL) != (high_text != NULL))
    {
      *message = _("Give both ends of the reference range, or neither.");
      return low_text == NULL ? self->low_row : self->high_row;
    }
  if (low_text != NULL && !ch_chart_ui_parse_number (low_text, &low))
    {
      *message = _("The low end of the range is not a number.");
      return self->low_row;
    }
  if (high_text != NULL && !ch_chart_ui_parse_number (high_text, &high))
    {
      *message = _("The high end of the range is not a number.");
      return self->high_row;
    }
  item->has_range = low_text != NULL;
  item->ref_low = low;
  item->ref_high = high;

  if (date != NULL && !ch_chart_ui_parse_date (date, &when))
    {
      *message = _("Dates are written YYYY-MM-DD.");
      return self->start_row;
    }
  item->effective_at = when;

  /* A flag set for the old value or range would not fit the new one: the
   * controller flags the result again. */
  if (self->original == NULL ||
      !same_number (item->has_value, item->value_num,
                    self->original->has_value, self->original->value_num) ||
      !same_number (item->has_range, item->ref_low, self->original->has_range,
                    self->original->ref_low) ||
      !same_number (item->has_range, item->ref_high, self->original->has_range,
                    self->original->ref_high))
    g_clear_pointer (&item->flag, g_free);

  set_field (&item->unit, self->unit_row);
  ch_chart_item_set_detail (item, "performer",
                            gtk_editable_get_text (GTK_EDITABLE (self->performer_row)));

  return NULL;
}

static void
set_detail (ChChartItem *item,
            const char  *key,
            GtkWidget   *row)
{
  g_autofree char *text = ch_chart_ui_dup_text (GTK_EDITABLE (row));

  ch_chart_item_set_detail (item, key, text);
}

static gboolean
status_has_end (ChChartItemDialog *self,
                const char        *status)
{
  return (is_section (self, CH_SECTION_PROBLEM) && g_strcmp0 (status, "resolved") == 0) ||
         (is_section (self, CH_SECTION_MEDICATION) && g_strcmp0 (status, "stopped") == 0);
}

static gboolean
is_social_history (ChChartItemDialog *self)
{
  return is_section (self, CH_SECTION_HISTORY) && self->has_kind
         && g_strcmp0 (ch_chart_ui_code (self->kind_choice,
                                         adw_combo_row_get_selected (self->kind_row)),
                       "social") == 0;
}

/* A smoking status chosen codes the entry, and names it when the
 * description was left empty; none chosen takes an earlier one back. */
static void
read_smoking (ChChartItemDialog *self,
              ChChartItem       *item)
{
  guint selected = adw_combo_row_get_selected (self->smoking_row);

  if (is_social_history (self) && selected > 0 && selected < G_N_ELEMENTS (smoking_choices))
    {
      g_free (item->code);
      item->code = g_strdup (CH_LOINC_SMOKING_STATUS);
      g_free (item->code_system);
      item->code_system = g_strdup ("loinc");
      g_free (item->value_text);
      item->value_text = g_strdup (smoking_choices[selected].code);
      if (item->display == NULL || *item->display == '\0')
        {
          g_free (item->display);
          item->display = g_strdup (_(smoking_choices[selected].label));
        }
    }
  else if (g_strcmp0 (item->code, CH_LOINC_SMOKING_STATUS) == 0)
    {
      g_clear_pointer (&item->code, g_free);
      g_clear_pointer (&item->code_system, g_free);
      g_free (item->value_text);
      item->value_text = g_strdup ("");
    }
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChChartItemDialog *self = CH_CHART_ITEM_DIALOG (widget);
  g_autoptr(GTask) task = NULL;
  g_autoptr(ChChartItem) item = NULL;
  g_autofree char *reason = NULL;
  const char *message = NULL;
  GtkWidget *bad_row = NULL;
  Save *save;

  if (self->busy || ch_ui_session_is_busy (self->session))
    return;

  ch_chart_item_dialog_show_error (self, NULL, NULL);

  if (self->original != NULL)
    {
      reason = ch_chart_ui_dup_text (GTK_EDITABLE (self->reason_row));
      if (reason == NULL)
        {
          ch_chart_item_dialog_show_error (self, _("Say why the entry is changed."),
                                           self->reason_row);
          return;
        }
    }

  item = self->original != NULL ? ch_chart_item_copy (self->original)
                                : ch_chart_item_new (self->section);
  item->patient_id = self->patient->id;

  set_field (&item->display, self->name_row);
  g_free (item->code);
  item->code = g_strdup (self->code);
  g_free (item->code_system);
  item->code_system = self->code != NULL ? g_strdup (section_code_system (self)) : NULL;

  if (self->has_kind)
    {
      g_free (item->kind);
      item->kind = g_strdup (ch_chart_ui_code (self->kind_choice,
                                               adw_combo_row_get_selected (self->kind_row)));
    }
  if (self->has_status)
    {
      guint selected = adw_combo_row_get_selected (self->status_row);

      g_free (item->clinical_status);
      item->clinical_status = g_strdup (ch_chart_ui_code (self->status_choice, selected));
    }

  if (is_section (self, CH_SECTION_LAB))
    bad_row = read_lab (self, item, &message);
  else
    {
      set_field (&item->start_date, self->start_row);
      if (status_has_end (self, item->clinical_status))
        set_field (&item->end_date, self->end_row);
      else
        g_clear_pointer (&item->end_date, g_free);
    }

  if (is_section (self, CH_SECTION_ALLERGY))
    {
      guint selected = adw_combo_row_get_selected (self->severity_row);

      set_field (&item->reaction, self->reaction_row);
      g_free (item->severity);
      item->severity = g_strdup (ch_chart_ui_code (CH_CHART_UI_SEVERITY, selected));
    }
  else if (is_section (self, CH_SECTION_MEDICATION))
    set_detail (item, "dose", self->dose_row);
  else if (is_section (self, CH_SECTION_HISTORY))
    read_smoking (self, item);
  else if (is_section (self, CH_SECTION_IMMUNIZATION))
    {
      gint64 when = 0;

      set_detail (item, "lot", self->lot_row);
      set_detail (item, "site", self->site_row);
      set_detail (item, "route", self->route_row);
      /* Listed by the date given. */
      if (item->start_date != NULL && ch_chart_ui_parse_date (item->start_date, &when))
        item->effective_at = when;
    }

  if (bad_row != NULL)
    {
      ch_chart_item_dialog_show_error (self, message, bad_row);
      return;
    }

  save = g_new0 (Save, 1);
  save->session = g_object_ref (self->session);
  save->item = g_steal_pointer (&item);
  save->reason = g_steal_pointer (&reason);

  ch_chart_item_dialog_set_busy (self, TRUE);

  task = ch_ui_session_task_new (self->session, self, self->cancellable, save_done, NULL);
  g_task_set_source_tag (task, save_activated);
  g_task_set_task_data (task, save, save_free);
  ch_ui_session_run_task (task, save_thread);
}

/* ---- the form --------------------------------------------------------------------- */

static char *
today_text (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%d");
}

static void
on_status_changed (ChChartItemDialog *self)
{
  const char *status;

  if (!self->has_status)
    return;

  status = ch_chart_ui_code (self->status_choice, adw_combo_row_get_selected (self->status_row));
  gtk_widget_set_visible (self->end_row, status_has_end (self, status));

  /* Resolved or stopped as it is entered, most of the time: today. */
  if (!self->filling && status_has_end (self, status) &&
      *gtk_editable_get_text (GTK_EDITABLE (self->end_row)) == '\0')
    {
      g_autofree char *today = today_text ();

      gtk_editable_set_text (GTK_EDITABLE (self->end_row), today);
    }
}

static void
on_kind_changed (ChChartItemDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->smoking_row), is_social_history (self));
}

static void
set_smoking_choice (ChChartItemDialog *self,
                    const ChChartItem *item)
{
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);
  guint selected = 0;

  for (guint i = 0; i < G_N_ELEMENTS (smoking_choices); i++)
    {
      gtk_string_list_append (model, _(smoking_choices[i].label));
      if (item != NULL && g_strcmp0 (item->code, CH_LOINC_SMOKING_STATUS) == 0
          && g_strcmp0 (item->value_text, smoking_choices[i].code) == 0)
        selected = i;
    }
  adw_combo_row_set_model (self->smoking_row, G_LIST_MODEL (model));
  adw_combo_row_set_selected (self->smoking_row, selected);
}

static void
set_choice (AdwComboRow     *row,
            ChChartUiChoice  choice,
            const char      *code)
{
  g_autoptr(GtkStringList) model = ch_chart_ui_model (choice);

  adw_combo_row_set_model (row, G_LIST_MODEL (model));
  adw_combo_row_set_selected (row, ch_chart_ui_find (choice, code, 0));
}

static void
set_title (GtkWidget  *row,
           const char *title)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
}


/* Shows the rows of the section and fills them from @item. */
static void
ch_chart_item_dialog_setup (ChChartItemDialog *self,
                            const ChChartItem *item)
{
  GtkWidget *shown[16] = { NULL };
  GtkWidget *all[] = {
    GTK_WIDGET (self->kind_row), GTK_WIDGET (self->smoking_row), self->dose_row, self->reaction_row,
    GTK_WIDGET (self->severity_row), self->value_row, self->unit_row, self->low_row,
    self->high_row, self->start_row, GTK_WIDGET (self->status_row), self->end_row, self->lot_row,
    self->site_row, self->route_row, self->performer_row,
  };
  guint n = 0;
  const char *hint = NULL;
  g_autofree char *today = today_text ();

  if (is_section (self, CH_SECTION_PROBLEM))
    {
      set_title (self->name_row, _("Problem"));
      hint = _("Type a few letters or an ICD-10 code to pick from the list.");
      set_title (self->start_row, _("Onset (YYYY-MM-DD)"));
      set_title (self->end_row, _("Resolved On (YYYY-MM-DD)"));
      self->has_status = TRUE;
      self->status_choice = CH_CHART_UI_PROBLEM_STATUS;
      shown[n++] = self->start_row;
      shown[n++] = GTK_WIDGET (self->status_row);
      shown[n++] = self->end_row;
    }
  else if (is_section (self, CH_SECTION_ALLERGY))
    {
      set_title (self->name_row, _("Substance"));
      self->has_kind = TRUE;
      self->kind_choice = CH_CHART_UI_ALLERGY_KIND;
      self->has_status = TRUE;
      self->status_choice = CH_CHART_UI_ALLERGY_STATUS;
      shown[n++] = GTK_WIDGET (self->kind_row);
      shown[n++] = self->reaction_row;
      shown[n++] = GTK_WIDGET (self->severity_row);
      shown[n++] = GTK_WIDGET (self->status_row);
    }
  else if (is_section (self, CH_SECTION_MEDICATION))
    {
      set_title (self->name_row, _("Medication"));
      set_title (self->start_row, _("Started (YYYY-MM-DD)"));
      set_title (self->end_row, _("Stopped On (YYYY-MM-DD)"));
      self->has_status = TRUE;
      self->status_choice = CH_CHART_UI_MEDICATION_STATUS;
      shown[n++] = self->dose_row;
      shown[n++] = self->start_row;
      shown[n++] = GTK_WIDGET (self->status_row);
      shown[n++] = self->end_row;
    }
  else if (is_section (self, CH_SECTION_HISTORY))
    {
      set_title (self->name_row, _("Description"));
      self->has_kind = TRUE;
      self->kind_choice = CH_CHART_UI_HISTORY_KIND;
      shown[n++] = GTK_WIDGET (self->kind_row);
      shown[n++] = GTK_WIDGET (self->smoking_row);
    }
  else if (is_section (self, CH_SECTION_IMMUNIZATION))
    {
      set_title (self->name_row, _("Vaccine"));
      hint = _("Type a few letters or a CVX code to pick from the list.");
      set_title (self->start_row, _("Date (YYYY-MM-DD)"));
      self->has_status = TRUE;
      self->status_choice = CH_CHART_UI_IMMUNIZATION_STATUS;
      shown[n++] = self->start_row;
      shown[n++] = GTK_WIDGET (self->status_row);
      shown[n++] = self->lot_row;
      shown[n++] = self->site_row;
      shown[n++] = self->route_row;
      if (item == NULL)
        set_text (self->start_row, today);
    }
  else if (is_section (self, CH_SECTION_LAB))
    {
      set_title (self->name_row, _("Test"));
      hint = _("Type a few letters or a LOINC code to pick from the list; its unit and "
               "range are filled in.");
      set_title (self->start_row, _("Date (YYYY-MM-DD)"));
      shown[n++] = self->value_row;
      shown[n++] = self->unit_row;
      shown[n++] = self->low_row;
      shown[n++] = self->high_row;
      shown[n++] = self->start_row;
      shown[n++] = self->performer_row;
      if (item == NULL)
        set_text (self->start_row, today);
    }

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      gboolean visible = FALSE;

      for (guint j = 0; j < n; j++)
        visible |= shown[j] == all[i];
      gtk_widget_set_visible (all[i], visible);
    }
  gtk_widget_set_visible (self->details_group, n > 0);

  gtk_label_set_text (self->search_hint, hint != NULL ? hint : "");
  gtk_widget_set_visible (GTK_WIDGET (self->search_hint), hint != NULL);

  if (self->has_kind)
    set_choice (self->kind_row, self->kind_choice, item != NULL ? item->kind : NULL);
  if (is_section (self, CH_SECTION_HISTORY))
    {
      set_smoking_choice (self, item);
      on_kind_changed (self);
    }
  set_choice (self->severity_row, CH_CHART_UI_SEVERITY, item != NULL ? item->severity : NULL);
  self->filling = TRUE;
  if (self->has_status)
    set_choice (self->status_row, self->status_choice,
                item != NULL ? item->clinical_status : NULL);
  on_status_changed (self);
  self->filling = FALSE;

  if (item == NULL)
    return;

  self->filling = TRUE;
  set_text (self->name_row, item->display);
  self->filling = FALSE;
  ch_chart_item_dialog_set_code (self, item->code, item->display);

  set_text (self->reaction_row, item->reaction);
  set_text (self->dose_row, ch_chart_item_get_detail (item, "dose"));
  set_text (self->lot_row, ch_chart_item_get_detail (item, "lot"));
  set_text (self->site_row, ch_chart_item_get_detail (item, "site"));
  set_text (self->route_row, ch_chart_item_get_detail (item, "route"));
  set_text (self->performer_row, ch_chart_item_get_detail (item, "performer"));
  set_text (self->end_row, item->end_date);

  if (is_section (self, CH_SECTION_LAB))
    {
      g_autofree char *date = ch_chart_ui_format_date (item->effective_at);

      if (item->has_value)
        set_number (self->value_row, item->value_num);
      else
        set_text (self->value_row, item->value_text);
      set_text (self->unit_row, item->unit);
      if (item->has_range)
        {
          set_number (self->low_row, item->ref_low);
          set_number (self->high_row, item->ref_high);
        }
      set_text (self->start_row, date);
    }
  else
    set_text (self->start_row, item->start_date);
}

/**
 * ch_chart_item_dialog_new:
 * @parent: (nullable): the window to stay on top of
 * @session: the session that stores the entry
 * @patient: whose chart
 * @section: a CH_SECTION_… other than vital signs
 * @item: (nullable): the entry to change (copied); %NULL to add one
 *
 * Returns: (transfer none): a new dialog, not yet shown
 */
GtkWidget *
ch_chart_item_dialog_new (GtkWindow             *parent,
                          ChSession             *session,
                          const ChPatientRecord *patient,
                          const char            *section,
                          const ChChartItem     *item)
{
  ChChartItemDialog *self;
  g_autofree char *title = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (patient != NULL, NULL);
  g_return_val_if_fail (section != NULL, NULL);

  self = g_object_new (CH_TYPE_CHART_ITEM_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->session = g_object_ref (session);
  self->patient = ch_patient_record_copy (patient);
  self->section = g_strdup (section);
  if (item != NULL)
    self->original = ch_chart_item_copy (item);
  ch_ui_session_watch_busy (session, G_OBJECT (self),
                            G_CALLBACK (ch_chart_item_dialog_update_actions));

  ch_chart_item_dialog_setup (self, item);

  /* Translators: %s is a kind of chart entry, like "Problem" */
  title = g_strdup_printf (item != NULL ? _("Edit %s") : _("Add %s"),
                           ch_chart_ui_section_title (section));
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  {
    g_autofree char *name = ch_patient_record_display_name (patient);

    adw_window_title_set_subtitle (self->window_title, name);
  }
  gtk_widget_set_visible (self->reason_group, item != NULL);
  gtk_widget_grab_focus (self->name_row);
  ch_chart_item_dialog_update_actions (self);

  return GTK_WIDGET (self);
}

gboolean
ch_chart_item_dialog_get_busy (ChChartItemDialog *self)
{
  g_return_val_if_fail (CH_IS_CHART_ITEM_DIALOG (self), FALSE);

  return self->busy;
}

/* Returns: how many codes match what is typed */
guint
ch_chart_item_dialog_get_n_suggestions (ChChartItemDialog *self)
{
  g_return_val_if_fail (CH_IS_CHART_ITEM_DIALOG (self), 0);

  return self->suggestions->len;
}

/* Picks the matching code at @index, as activating its row does. */
void
ch_chart_item_dialog_pick_suggestion (ChChartItemDialog *self,
                                      guint              index)
{
  GtkListBoxRow *row;

  g_return_if_fail (CH_IS_CHART_ITEM_DIALOG (self));
  g_return_if_fail (index < self->suggestions->len);

  row = gtk_list_box_get_row_at_index (self->suggestions_list, (int) index);
  g_signal_emit_by_name (self->suggestions_list, "row-activated", row);
}

/* Returns: (nullable): the code picked for the entry */
const char *
ch_chart_item_dialog_get_code (ChChartItemDialog *self)
{
  g_return_val_if_fail (CH_IS_CHART_ITEM_DIALOG (self), NULL);

  return self->code;
}

static gboolean
ch_chart_item_dialog_close_request (GtkWindow *window)
{
  ChChartItemDialog *self = CH_CHART_ITEM_DIALOG (window);

  if (self->busy)
    return TRUE;

  return GTK_WINDOW_CLASS (ch_chart_item_dialog_parent_class)->close_request (window);
}

static void
ch_chart_item_dialog_dispose (GObject *object)
{
  ChChartItemDialog *self = CH_CHART_ITEM_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);

  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_CHART_ITEM_DIALOG);

  G_OBJECT_CLASS (ch_chart_item_dialog_parent_class)->dispose (object);
}

static void
ch_chart_item_dialog_finalize (GObject *object)
{
  ChChartItemDialog *self = CH_CHART_ITEM_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->patient, ch_patient_record_free);
  g_clear_pointer (&self->original, ch_chart_item_free);
  g_clear_pointer (&self->suggestions, g_ptr_array_unref);
  g_free (self->section);
  g_free (self->code);
  g_free (self->code_display);

  G_OBJECT_CLASS (ch_chart_item_dialog_parent_class)->finalize (object);
}

static void
ch_chart_item_dialog_class_init (ChChartItemDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_chart_item_dialog_dispose;
  object_class->finalize = ch_chart_item_dialog_finalize;
  window_class->close_request = ch_chart_item_dialog_close_request;

  /**
   * ChChartItemDialog::saved:
   * @item: (type gpointer): the #ChChartItem as stored, for the signal's duration
   *
   * The entry is stored; the dialog closes right after.
   */
  signals[SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-chart-item-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, form);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, code_label);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, search_hint);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, suggestions_list);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, details_group);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, kind_row);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, smoking_row);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, dose_row);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, reaction_row);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, severity_row);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, value_row);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, unit_row);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, low_row);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, high_row);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, start_row);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, status_row);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, end_row);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, lot_row);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, site_row);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, route_row);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, performer_row);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, reason_group);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, reason_row);
  gtk_widget_class_bind_template_child (widget_class, ChChartItemDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_name_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_suggestion_activated);

  gtk_widget_class_install_action (widget_class, "item-dialog.save", NULL, save_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "item-dialog.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_chart_item_dialog_init (ChChartItemDialog *self)
{
  self->cancellable = g_cancellable_new ();
  self->suggestions = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->status_row, "notify::selected",
                           G_CALLBACK (on_status_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->kind_row, "notify::selected",
                           G_CALLBACK (on_kind_changed), self, G_CONNECT_SWAPPED);
}
