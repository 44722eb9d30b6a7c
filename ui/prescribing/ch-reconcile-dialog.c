/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-reconcile-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-chart.h"
#include "ch-chart-ui.h"
#include "ch-prescribing.h"
#include "ch-reconcile-dialog.h"
#include "ch-reconcile.h"
#include "ch-store.h"
#include "ch-ui.h"

/* Medication reconciliation: the outside list typed or pasted, one line a
 * medication, then compared with the chart's current list. A line naming
 * the same drug as a current entry (by the knowledge base, else by the same
 * words) is paired with it. Each current entry is kept, stopped (with why)
 * or changed (to the dose given); each outside line left over is added or
 * left out. Saving records it all in one transaction, on a worker. */

typedef enum
{
  LINE_CURRENT,   /* a chart entry, maybe paired with an outside line */
  LINE_OUTSIDE,   /* an outside line with no chart entry */
} LineKind;

typedef struct
{
  LineKind     kind;
  gint64       item_id;
  char        *outside_text;   /* nullable */
  GtkDropDown *decision;
  GtkEditable *note;
} Line;

struct _ChReconcileDialog
{
  AdwWindow            parent_instance;

  AdwWindowTitle      *window_title;
  GtkWidget           *compare_button;
  GtkWidget           *save_button;
  GtkSpinner          *spinner;
  GtkLabel            *error_label;
  GtkStack            *stack;
  GtkWidget           *source_row;
  GtkTextView         *outside_view;
  AdwPreferencesGroup *current_group;
  AdwPreferencesGroup *outside_group;

  ChSession           *session;
  ChPatientRecord     *patient;
  GPtrArray           *medications;  /* (element-type ChChartItem) current */
  GArray              *lines;        /* of Line */
  GPtrArray           *rows;
  GCancellable        *cancellable;
  gboolean             busy;
};

G_DEFINE_FINAL_TYPE (ChReconcileDialog, ch_reconcile_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
line_clear (Line *line)
{
  g_clear_pointer (&line->outside_text, g_free);
}

static void
ch_reconcile_dialog_update_actions (ChReconcileDialog *self)
{
  gboolean idle = !self->busy && self->session != NULL && !ch_ui_session_is_busy (self->session);
  gboolean comparing = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "compare") == 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reconcile.compare", idle && !comparing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reconcile.save", idle && comparing);
  gtk_widget_set_visible (self->compare_button, !comparing);
  gtk_widget_set_visible (self->save_button, comparing);
}

static void
ch_reconcile_dialog_show_error (ChReconcileDialog *self,
                                const char        *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* ---- comparing ----------------------------------------------------------------- */

/* What a medication line names: the knowledge base's drug, else its words. */
static char *
line_key (ChDrugKb   *kb,
          const char *text)
{
  const ChKbDrug *drug = kb ? ch_drug_kb_find_in_text (kb, text) : NULL;

  if (drug != NULL)
    return g_strdup_printf ("drug:%s", drug->id);
  return ch_fold (text);
}

static GtkWidget *
add_line_row (ChReconcileDialog   *self,
              AdwPreferencesGroup *group,
              Line                *line,
              const char          *title,
              const char          *subtitle,
              const char * const  *choices,
              guint                selected)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *decision = gtk_drop_down_new_from_strings (choices);
  GtkWidget *note = gtk_entry_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (decision), selected);
  gtk_accessible_update_property (GTK_ACCESSIBLE (decision), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Decision"), -1);
  gtk_entry_set_placeholder_text (GTK_ENTRY (note), _("Why it stops, or the new dose"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (note), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Note"), -1);
  gtk_widget_set_visible (note, line->kind == LINE_CURRENT);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_box_append (GTK_BOX (box), decision);
  gtk_box_append (GTK_BOX (box), note);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);

  line->decision = GTK_DROP_DOWN (decision);
  line->note = GTK_EDITABLE (note);
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->rows, row);
  return row;
}

static void
clear_rows (ChReconcileDialog *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = self->rows->pdata[i];

      adw_preferences_group_remove (ADW_PREFERENCES_GROUP (gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP)), row);
    }
  g_ptr_array_set_size (self->rows, 0);
  g_array_set_size (self->lines, 0);
}

static void
compare_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ChReconcileDialog *self = CH_RECONCILE_DIALOG (widget);
  static const char * const current_choices[] = { N_("Keep"), N_("Stop"), N_("Change dose"), NULL };
  static const char * const outside_choices[] = { N_("Add to the list"), N_("Leave out"), NULL };
  const char *translated_current[G_N_ELEMENTS (current_choices)];
  const char *translated_outside[G_N_ELEMENTS (outside_choices)];
  g_autoptr (ChDrugKb) kb = NULL;
  g_autoptr (GtkTextBuffer) buffer = NULL;
  g_autofree char *text = NULL;
  g_auto (GStrv) outside = NULL;
  g_autoptr (GPtrArray) outside_keys = g_ptr_array_new_with_free_func (g_free);
  g_autofree gboolean *paired = NULL;
  GtkTextIter start, end;

  for (guint i = 0; i < G_N_ELEMENTS (current_choices); i++)
    translated_current[i] = current_choices[i] ? _(current_choices[i]) : NULL;
  for (guint i = 0; i < G_N_ELEMENTS (outside_choices); i++)
    translated_outside[i] = outside_choices[i] ? _(outside_choices[i]) : NULL;

  /* The knowledge base is read on the main thread: the gate is idle here. */
  kb = ch_prescribing_get_kb (self->session, NULL);
  buffer = g_object_ref (gtk_text_view_get_buffer (self->outside_view));
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  outside = g_strsplit (text, "\n", -1);
  for (guint i = 0; outside[i] != NULL; i++)
    {
      g_strstrip (outside[i]);
      g_ptr_array_add (outside_keys, outside[i][0] ? line_key (kb, outside[i]) : NULL);
    }
  paired = g_new0 (gboolean, g_strv_length (outside) + 1);

  clear_rows (self);
  for (guint m = 0; m < self->medications->len; m++)
    {
      ChChartItem *item = self->medications->pdata[m];
      g_autofree char *key = line_key (kb, item->display);
      const char *match = NULL;
      g_autofree char *subtitle = NULL;
      Line line = { LINE_CURRENT, item->id, NULL, NULL, NULL };

      for (guint o = 0; outside[o] != NULL && match == NULL; o++)
        if (!paired[o] && outside_keys->pdata[o] && g_str_equal (outside_keys->pdata[o], key))
          {
            paired[o] = TRUE;
            match = outside[o];
          }
      line.outside_text = g_strdup (match);
      subtitle = match ? g_strdup_printf (_("Outside list: %s"), match)
                       : g_strdup (_("Not on the outside list"));
      g_array_append_val (self->lines, line);
      add_line_row (self, self->current_group, &g_array_index (self->lines, Line, self->lines->len - 1),
                    item->display, subtitle, translated_current, 0);
    }
  for (guint o = 0; outside[o] != NULL; o++)
    {
      Line line = { LINE_OUTSIDE, 0, NULL, NULL, NULL };

      if (paired[o] || outside[o][0] == '\0')
        continue;
      line.outside_text = g_strdup (outside[o]);
      g_array_append_val (self->lines, line);
      add_line_row (self, self->outside_group, &g_array_index (self->lines, Line, self->lines->len - 1),
                    outside[o], NULL, translated_outside, 0);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->current_group), self->medications->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->outside_group),
                          self->lines->len > self->medications->len);
  ch_reconcile_dialog_show_error (self, NULL);
  ch_ui_stack_show (self->stack, "compare");
  ch_reconcile_dialog_update_actions (self);
}

/* ---- saving -------------------------------------------------------------------- */

typedef struct
{
  ChSession *session;
  gint64     patient_id;
  char      *source;
  GArray    *lines;    /* of ChReconcileLine */
  GPtrArray *strings;  /* owns the lines' strings */
} Save;

static void
save_free (gpointer data)
{
  Save *save = data;

  g_clear_object (&save->session);
  g_free (save->source);
  g_clear_pointer (&save->lines, g_array_unref);
  g_clear_pointer (&save->strings, g_ptr_array_unref);
  g_free (save);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Save *save = task_data;
  g_autoptr (GError) error = NULL;

  if (ch_reconcile_save (save->session, save->patient_id, save->source,
                         (ChReconcileLine *) save->lines->data, save->lines->len, &error) != 0)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
save_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChReconcileDialog *self = CH_RECONCILE_DIALOG (object);
  g_autoptr (GError) error = NULL;

  self->busy = FALSE;
  gtk_spinner_set_spinning (self->spinner, FALSE);
  ch_reconcile_dialog_update_actions (self);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ch_reconcile_dialog_show_error (self, error->message);
      return;
    }
  g_signal_emit (self, signals[SAVED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChReconcileDialog *self = CH_RECONCILE_DIALOG (widget);
  g_autoptr (GTask) task = NULL;
  Save *save;

  if (self->busy || ch_ui_session_is_busy (self->session))
    return;

  save = g_new0 (Save, 1);
  save->session = g_object_ref (self->session);
  save->patient_id = self->patient->id;
  save->source = ch_chart_ui_dup_text (GTK_EDITABLE (self->source_row));
  save->lines = g_array_new (FALSE, TRUE, sizeof (ChReconcileLine));
  save->strings = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < self->lines->len; i++)
    {
      const Line *line = &g_array_index (self->lines, Line, i);
      guint choice = gtk_drop_down_get_selected (line->decision);
      char *note = ch_chart_ui_dup_text (line->note);
      ChReconcileLine out = { 0 };

      if (line->kind == LINE_OUTSIDE && choice == 1)
        {
          g_free (note);
          continue;   /* left out */
        }
      g_ptr_array_add (save->strings, note);
      out.outside_text = line->outside_text;
      out.medication_item_id = line->item_id;
      out.note = note;
      out.decision = line->kind == LINE_OUTSIDE ? CH_RECONCILE_ADD
                     : choice == 1 ? CH_RECONCILE_STOP
                     : choice == 2 ? CH_RECONCILE_CHANGE
                     : CH_RECONCILE_KEEP;
      g_array_append_val (save->lines, out);
    }

  /* The strings the lines point to stay with the dialog's lines until the worker is done. */
  self->busy = TRUE;
  gtk_spinner_set_spinning (self->spinner, TRUE);
  ch_reconcile_dialog_update_actions (self);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, save_done, NULL);
  g_task_set_task_data (task, save, save_free);
  ch_ui_session_run_task (task, save_thread);
}

/* ---- construction -------------------------------------------------------------- */

GtkWidget *
ch_reconcile_dialog_new (GtkWindow             *parent,
                         ChSession             *session,
                         const ChPatientRecord *patient,
                         GPtrArray             *medications)
{
  ChReconcileDialog *self;
  g_autofree char *name = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (patient != NULL, NULL);

  self = g_object_new (CH_TYPE_RECONCILE_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->patient = ch_patient_record_copy (patient);
  for (guint i = 0; medications != NULL && i < medications->len; i++)
    {
      ChChartItem *item = medications->pdata[i];

      if (g_strcmp0 (item->clinical_status, "active") == 0)
        g_ptr_array_add (self->medications, ch_chart_item_copy (item));
    }
  ch_ui_session_watch_busy (session, G_OBJECT (self),
                            G_CALLBACK (ch_reconcile_dialog_update_actions));

  name = ch_patient_record_display_name (patient);
  adw_window_title_set_subtitle (self->window_title, name);
  ch_reconcile_dialog_update_actions (self);
  gtk_widget_grab_focus (self->source_row);
  return GTK_WIDGET (self);
}

gboolean
ch_reconcile_dialog_get_busy (ChReconcileDialog *self)
{
  g_return_val_if_fail (CH_IS_RECONCILE_DIALOG (self), FALSE);

  return self->busy;
}

guint
ch_reconcile_dialog_get_n_lines (ChReconcileDialog *self)
{
  g_return_val_if_fail (CH_IS_RECONCILE_DIALOG (self), 0);

  return self->lines->len;
}

static gboolean
ch_reconcile_dialog_close_request (GtkWindow *window)
{
  ChReconcileDialog *self = CH_RECONCILE_DIALOG (window);

  if (self->busy)
    return TRUE;
  return GTK_WINDOW_CLASS (ch_reconcile_dialog_parent_class)->close_request (window);
}

static void
ch_reconcile_dialog_dispose (GObject *object)
{
  ChReconcileDialog *self = CH_RECONCILE_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_RECONCILE_DIALOG);

  G_OBJECT_CLASS (ch_reconcile_dialog_parent_class)->dispose (object);
}

static void
ch_reconcile_dialog_finalize (GObject *object)
{
  ChReconcileDialog *self = CH_RECONCILE_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->patient, ch_patient_record_free);
  g_clear_pointer (&self->medications, g_ptr_array_unref);
  g_clear_pointer (&self->lines, g_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (ch_reconcile_dialog_parent_class)->finalize (object);
}

static void
ch_reconcile_dialog_class_init (ChReconcileDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_reconcile_dialog_dispose;
  object_class->finalize = ch_reconcile_dialog_finalize;
  window_class->close_request = ch_reconcile_dialog_close_request;

  /**
   * ChReconcileDialog::saved:
   *
   * The reconciliation is recorded; the dialog closes right after.
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-reconcile-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ChReconcileDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ChReconcileDialog, compare_button);
  gtk_widget_class_bind_template_child (widget_class, ChReconcileDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, ChReconcileDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChReconcileDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ChReconcileDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, ChReconcileDialog, source_row);
  gtk_widget_class_bind_template_child (widget_class, ChReconcileDialog, outside_view);
  gtk_widget_class_bind_template_child (widget_class, ChReconcileDialog, current_group);
  gtk_widget_class_bind_template_child (widget_class, ChReconcileDialog, outside_group);

  gtk_widget_class_install_action (widget_class, "reconcile.compare", NULL, compare_activated);
  gtk_widget_class_install_action (widget_class, "reconcile.save", NULL, save_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "reconcile.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_reconcile_dialog_init (ChReconcileDialog *self)
{
  self->cancellable = g_cancellable_new ();
  self->medications = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_chart_item_free);
  self->lines = g_array_new (FALSE, TRUE, sizeof (Line));
  g_array_set_clear_func (self->lines, (GDestroyNotify) line_clear);
  self->rows = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
