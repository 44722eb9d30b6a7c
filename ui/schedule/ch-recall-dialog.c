/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-recall-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-patient-picker.h"
#include "ch-recall-dialog.h"
#include "ch-recall.h"
#include "ch-schedule-ui.h"
#include "ch-schedule.h"
#include "ch-ui.h"

/* A recall is a date to call a patient back about something: the form asks
 * for what, when and why. The kinds are the controller's, which checks the
 * rest (a reason is needed for "other"). */

static const char * const kinds[] = { "follow-up", "annual-exam", "immunization", "other" };

struct _ChRecallDialog
{
  AdwWindow        parent_instance;

  GtkSpinner      *spinner;
  GtkLabel        *error_label;
  GtkWidget       *form;
  ChPatientPicker *patient_picker;
  AdwComboRow     *kind_row;
  GtkWidget       *due_row;
  GtkWidget       *reason_row;
  AdwComboRow     *provider_row;

  ChSession       *session;
  GPtrArray       *all_providers;  /* (element-type ChResource): owns those of providers */
  GPtrArray       *providers;      /* the active ones, to choose from */
  GCancellable    *cancellable;
  gboolean         busy;
};

G_DEFINE_FINAL_TYPE (ChRecallDialog, ch_recall_dialog, ADW_TYPE_WINDOW)

enum {
  ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ch_recall_dialog_update_actions (ChRecallDialog *self)
{
  gboolean idle = !self->busy && self->session != NULL && !ch_ui_session_is_busy (self->session);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "recall.save", idle);
}

static void
ch_recall_dialog_set_busy (ChRecallDialog *self,
                           gboolean        busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  ch_ui_set_input_sensitive (self->form, !busy);
  ch_recall_dialog_update_actions (self);
}

static void
show_error (ChRecallDialog *self,
            const char     *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* ---- the patient --------------------------------------------------------------- */

void
ch_recall_dialog_set_patient (ChRecallDialog *self,
                              gint64          patient_id,
                              const char     *name)
{
  g_return_if_fail (CH_IS_RECALL_DIALOG (self));

  ch_patient_picker_set_patient (self->patient_picker, patient_id, name);
}

/* ---- adding -------------------------------------------------------------------- */

typedef struct
{
  ChSession *session;
  ChRecall  *recall;
} Add;

static void
add_free (gpointer data)
{
  Add *add = data;

  g_clear_object (&add->session);
  g_clear_pointer (&add->recall, ch_recall_free);
  g_free (add);
}

static void
add_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Add *add = task_data;
  GError *error = NULL;

  if (ch_recall_add (add->session, add->recall, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
add_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  ChRecallDialog *self = CH_RECALL_DIALOG (object);
  Add *add = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  ch_recall_dialog_set_busy (self, FALSE);
  if (error != NULL)
    {
      show_error (self, error->message);
      return;
    }
  g_signal_emit (self, signals[ADDED], 0, add->recall->id);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChRecallDialog *self = CH_RECALL_DIALOG (widget);
  guint kind = adw_combo_row_get_selected (self->kind_row);
  guint provider = adw_combo_row_get_selected (self->provider_row);
  gint64 patient_id = ch_patient_picker_get_patient_id (self->patient_picker);
  g_autoptr (GTask) task = NULL;
  Add *add;

  if (self->busy || ch_ui_session_is_busy (self->session))
    return;
  if (patient_id == 0)
    {
      show_error (self, _("Find and choose the patient."));
      gtk_widget_grab_focus (ch_patient_picker_get_entry (self->patient_picker));
      return;
    }
  if (kind >= G_N_ELEMENTS (kinds))
    return;

  show_error (self, NULL);
  add = g_new0 (Add, 1);
  add->session = g_object_ref (self->session);
  add->recall = ch_recall_new ();
  add->recall->patient_id = patient_id;
  add->recall->kind = g_strdup (kinds[kind]);
  add->recall->due_date = ch_schedule_ui_dup_text (GTK_EDITABLE (self->due_row));
  add->recall->reason = ch_schedule_ui_dup_text (GTK_EDITABLE (self->reason_row));
  /* The first choice is no one in particular. */
  if (provider > 0 && provider <= self->providers->len)
    add->recall->provider_id = g_strdup (((ChResource *) self->providers->pdata[provider - 1])->id);

  ch_recall_dialog_set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, add_done, NULL);
  g_task_set_task_data (task, add, add_free);
  ch_ui_session_run_task (task, add_thread);
}

/* ---- construction -------------------------------------------------------------- */

/**
 * ch_recall_dialog_new:
 * @parent: (nullable): the window to stay on top of
 * @session: the signed-in session
 * @providers: (element-type ChResource): the practice's providers
 *
 * Returns: (transfer none): a new dialog, not yet shown
 */
GtkWidget *
ch_recall_dialog_new (GtkWindow *parent,
                      ChSession *session,
                      GPtrArray *providers)
{
  ChRecallDialog *self;
  g_autoptr (GtkStringList) kind_names = gtk_string_list_new (NULL);
  g_autoptr (GtkStringList) provider_names = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (providers != NULL, NULL);

  self = g_object_new (CH_TYPE_RECALL_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  ch_patient_picker_set_session (self->patient_picker, session);
  self->all_providers = g_ptr_array_ref (providers);
  self->providers = g_ptr_array_new ();
  for (guint i = 0; i < providers->len; i++)
    if (((ChResource *) providers->pdata[i])->active)
      g_ptr_array_add (self->providers, providers->pdata[i]);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    gtk_string_list_append (kind_names, ch_recall_kind_label (kinds[i]));
  adw_combo_row_set_model (self->kind_row, G_LIST_MODEL (kind_names));
  provider_names = ch_schedule_ui_resource_names (self->providers, _("Any provider"));
  adw_combo_row_set_model (self->provider_row, G_LIST_MODEL (provider_names));
  /* The format, shown by example; the desk moves it on to the day meant. */
  gtk_editable_set_text (GTK_EDITABLE (self->due_row), today);

  ch_ui_session_watch_busy (session, G_OBJECT (self),
                            G_CALLBACK (ch_recall_dialog_update_actions));
  ch_recall_dialog_update_actions (self);
  gtk_widget_grab_focus (ch_patient_picker_get_entry (self->patient_picker));
  return GTK_WIDGET (self);
}

gboolean
ch_recall_dialog_get_busy (ChRecallDialog *self)
{
  g_return_val_if_fail (CH_IS_RECALL_DIALOG (self), FALSE);

  return self->busy;
}

static gboolean
ch_recall_dialog_close_request (GtkWindow *window)
{
  if (CH_RECALL_DIALOG (window)->busy)
    return TRUE;
  return GTK_WINDOW_CLASS (ch_recall_dialog_parent_class)->close_request (window);
}

static void
ch_recall_dialog_dispose (GObject *object)
{
  ChRecallDialog *self = CH_RECALL_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_RECALL_DIALOG);

  G_OBJECT_CLASS (ch_recall_dialog_parent_class)->dispose (object);
}

static void
ch_recall_dialog_finalize (GObject *object)
{
  ChRecallDialog *self = CH_RECALL_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->providers, g_ptr_array_unref);
  g_clear_pointer (&self->all_providers, g_ptr_array_unref);

  G_OBJECT_CLASS (ch_recall_dialog_parent_class)->finalize (object);
}

static void
ch_recall_dialog_class_init (ChRecallDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();
  g_type_ensure (CH_TYPE_PATIENT_PICKER);

  object_class->dispose = ch_recall_dialog_dispose;
  object_class->finalize = ch_recall_dialog_finalize;
  window_class->close_request = ch_recall_dialog_close_request;

  /**
   * ChRecallDialog::added:
   * @id: the new recall
   */
  signals[ADDED] = g_signal_new ("added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                 NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-recall-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ChRecallDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChRecallDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ChRecallDialog, form);
  gtk_widget_class_bind_template_child (widget_class, ChRecallDialog, patient_picker);
  gtk_widget_class_bind_template_child (widget_class, ChRecallDialog, kind_row);
  gtk_widget_class_bind_template_child (widget_class, ChRecallDialog, due_row);
  gtk_widget_class_bind_template_child (widget_class, ChRecallDialog, reason_row);
  gtk_widget_class_bind_template_child (widget_class, ChRecallDialog, provider_row);
  /* The picker's signals, connected in the template: a patient taken moves on
   * to the next field, Escape in the search closes the dialog as it does elsewhere. */
  gtk_widget_class_bind_template_callback_full (widget_class, "gtk_widget_grab_focus",
                                                G_CALLBACK (gtk_widget_grab_focus));
  gtk_widget_class_bind_template_callback_full (widget_class, "gtk_window_close",
                                                G_CALLBACK (gtk_window_close));

  gtk_widget_class_install_action (widget_class, "recall.save", NULL, save_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "recall.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_recall_dialog_init (ChRecallDialog *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
