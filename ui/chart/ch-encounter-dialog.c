/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-encounter-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "ch-chart.h"
#include "ch-chart-ui.h"
#include "ch-encounter-dialog.h"
#include "ch-ui.h"

/* One encounter added to a patient's chart: when (today and now unless
 * changed), what kind and why. The signed-in user is its provider; the
 * controller checks the rest and records it on a worker. */

struct _ChEncounterDialog
{
  AdwWindow        parent_instance;

  AdwWindowTitle  *window_title;
  GtkSpinner      *spinner;
  GtkWidget       *form;
  GtkWidget       *date_row;
  GtkWidget       *time_row;
  AdwComboRow     *kind_row;
  GtkWidget       *reason_row;
  GtkLabel        *error_label;

  ChSession       *session;
  ChPatientRecord *patient;
  GCancellable    *cancellable;
  gboolean         busy;
};

G_DEFINE_FINAL_TYPE (ChEncounterDialog, ch_encounter_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ch_encounter_dialog_update_actions (ChEncounterDialog *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "encounter.save",
                                 !self->busy && self->session != NULL &&
                                 !ch_ui_session_is_busy (self->session));
}

static void
ch_encounter_dialog_set_busy (ChEncounterDialog *self,
                              gboolean           busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  ch_ui_set_input_sensitive (self->form, !busy);
  ch_encounter_dialog_update_actions (self);
}

static void
ch_encounter_dialog_show_error (ChEncounterDialog *self,
                                const char        *message,
                                GtkWidget         *row)
{
  ch_ui_set_row_error (self->date_row, FALSE);
  ch_ui_set_row_error (self->time_row, FALSE);

  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);

  if (row != NULL)
    {
      ch_ui_set_row_error (row, TRUE);
      gtk_widget_grab_focus (row);
    }
}

/* ---- saving ---------------------------------------------------------------------- */

typedef struct
{
  ChSession         *session;
  ChEncounterRecord *encounter;
} Save;

static void
save_free (gpointer data)
{
  Save *save = data;

  g_clear_object (&save->session);
  g_clear_pointer (&save->encounter, ch_encounter_record_free);
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

  if (ch_chart_add_encounter (save->session, save->encounter, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
save_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChEncounterDialog *self = CH_ENCOUNTER_DIALOG (object);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      ch_encounter_dialog_set_busy (self, FALSE);
      ch_encounter_dialog_show_error (self, error->message, NULL);
      return;
    }

  ch_encounter_dialog_set_busy (self, FALSE);
  g_signal_emit (self, signals[SAVED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

static gboolean
parse_time (const char *text)
{
  int hh, mm;
  char extra;

  return text != NULL && sscanf (text, "%2d:%2d%c", &hh, &mm, &extra) == 2 &&
         hh >= 0 && hh <= 23 && mm >= 0 && mm <= 59;
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChEncounterDialog *self = CH_ENCOUNTER_DIALOG (widget);
  g_autoptr(GTask) task = NULL;
  g_autofree char *date = NULL;
  g_autofree char *time = NULL;
  g_autofree char *when = NULL;
  g_autoptr(ChEncounterRecord) encounter = NULL;
  gint64 day = 0;
  Save *save;

  if (self->busy || ch_ui_session_is_busy (self->session))
    return;

  ch_encounter_dialog_show_error (self, NULL, NULL);

  date = ch_chart_ui_dup_text (GTK_EDITABLE (self->date_row));
  time = ch_chart_ui_dup_text (GTK_EDITABLE (self->time_row));
  if (date == NULL || strchr (date, ' ') != NULL || !ch_chart_ui_parse_date (date, &day))
    {
      ch_encounter_dialog_show_error (self, _("Write the date as YYYY-MM-DD."), self->date_row);
      return;
    }
  if (!parse_time (time))
    {
      ch_encounter_dialog_show_error (self, _("Write the time as HH:MM."), self->time_row);
      return;
    }

  encounter = ch_encounter_record_new ();
  when = g_strdup_printf ("%s %s", date, time);
  if (!ch_chart_ui_parse_date (when, &encounter->start_at))
    {
      /* A local time that does not exist, as when the clocks go forward. */
      ch_encounter_dialog_show_error (self, _("Write the time as HH:MM."), self->time_row);
      return;
    }
  encounter->patient_id = self->patient->id;
  encounter->provider = g_strdup (ch_session_get_username (self->session));
  encounter->kind = g_strdup (ch_chart_ui_code (CH_CHART_UI_ENCOUNTER_KIND,
                                                adw_combo_row_get_selected (self->kind_row)));
  encounter->reason = ch_chart_ui_dup_text (GTK_EDITABLE (self->reason_row));

  save = g_new0 (Save, 1);
  save->session = g_object_ref (self->session);
  save->encounter = g_steal_pointer (&encounter);

  ch_encounter_dialog_set_busy (self, TRUE);

  task = ch_ui_session_task_new (self->session, self, self->cancellable, save_done, NULL);
  g_task_set_source_tag (task, save_activated);
  g_task_set_task_data (task, save, save_free);
  ch_ui_session_run_task (task, save_thread);
}

static void
on_reason_activated (ChEncounterDialog *self,
                     GtkWidget         *row)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "encounter.save", NULL);
}

/**
 * ch_encounter_dialog_new:
 * @parent: (nullable): the window to stay on top of
 * @session: the session that records the encounter
 * @patient: whose encounter
 *
 * Returns: (transfer none): a new dialog, not yet shown
 */
GtkWidget *
ch_encounter_dialog_new (GtkWindow             *parent,
                         ChSession             *session,
                         const ChPatientRecord *patient)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *time = g_date_time_format (now, "%H:%M");
  g_autofree char *name = NULL;
  ChEncounterDialog *self;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (patient != NULL, NULL);

  self = g_object_new (CH_TYPE_ENCOUNTER_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->session = g_object_ref (session);
  self->patient = ch_patient_record_copy (patient);
  ch_ui_session_watch_busy (session, G_OBJECT (self),
                            G_CALLBACK (ch_encounter_dialog_update_actions));

  name = ch_patient_record_display_name (patient);
  adw_window_title_set_subtitle (self->window_title, name);
  gtk_editable_set_text (GTK_EDITABLE (self->date_row), date);
  gtk_editable_set_text (GTK_EDITABLE (self->time_row), time);
  gtk_widget_grab_focus (self->reason_row);
  ch_encounter_dialog_update_actions (self);

  return GTK_WIDGET (self);
}

gboolean
ch_encounter_dialog_get_busy (ChEncounterDialog *self)
{
  g_return_val_if_fail (CH_IS_ENCOUNTER_DIALOG (self), FALSE);

  return self->busy;
}

/* ---- GObject ------------------------------------------------------------------ */

static gboolean
ch_encounter_dialog_close_request (GtkWindow *window)
{
  ChEncounterDialog *self = CH_ENCOUNTER_DIALOG (window);

  if (self->busy)
    return TRUE;

  return GTK_WINDOW_CLASS (ch_encounter_dialog_parent_class)->close_request (window);
}

static void
ch_encounter_dialog_dispose (GObject *object)
{
  ChEncounterDialog *self = CH_ENCOUNTER_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);

  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_ENCOUNTER_DIALOG);

  G_OBJECT_CLASS (ch_encounter_dialog_parent_class)->dispose (object);
}

static void
ch_encounter_dialog_finalize (GObject *object)
{
  ChEncounterDialog *self = CH_ENCOUNTER_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->patient, ch_patient_record_free);

  G_OBJECT_CLASS (ch_encounter_dialog_parent_class)->finalize (object);
}

static void
ch_encounter_dialog_class_init (ChEncounterDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_encounter_dialog_dispose;
  object_class->finalize = ch_encounter_dialog_finalize;
  window_class->close_request = ch_encounter_dialog_close_request;

  /**
   * ChEncounterDialog::saved:
   *
   * The encounter is recorded; the dialog closes right after.
   */
  signals[SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-encounter-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ChEncounterDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ChEncounterDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChEncounterDialog, form);
  gtk_widget_class_bind_template_child (widget_class, ChEncounterDialog, date_row);
  gtk_widget_class_bind_template_child (widget_class, ChEncounterDialog, time_row);
  gtk_widget_class_bind_template_child (widget_class, ChEncounterDialog, kind_row);
  gtk_widget_class_bind_template_child (widget_class, ChEncounterDialog, reason_row);
  gtk_widget_class_bind_template_child (widget_class, ChEncounterDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_reason_activated);

  gtk_widget_class_install_action (widget_class, "encounter.save", NULL, save_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "encounter.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_encounter_dialog_init (ChEncounterDialog *self)
{
  g_autoptr(GtkStringList) kinds = NULL;

  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  kinds = ch_chart_ui_model (CH_CHART_UI_ENCOUNTER_KIND);
  adw_combo_row_set_model (self->kind_row, G_LIST_MODEL (kinds));
}
