/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-waitlist-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-patient-picker.h"
#include "ch-schedule-ui.h"
#include "ch-schedule.h"
#include "ch-ui.h"
#include "ch-waitlist-dialog.h"
#include "ch-waitlist.h"

/* The front desk puts a patient on the waitlist while they are on the
 * phone: the form is short, and what the patient does not mind about is
 * left open (any provider, any day). The controller checks the rest. */

struct _ChWaitlistDialog
{
  AdwWindow        parent_instance;

  GtkSpinner      *spinner;
  GtkLabel        *error_label;
  GtkWidget       *form;
  ChPatientPicker *patient_picker;
  AdwComboRow     *type_row;
  AdwComboRow     *provider_row;
  GtkWidget       *earliest_row;
  GtkWidget       *latest_row;
  GtkWidget       *note_row;

  ChSession       *session;
  GPtrArray       *all_providers;  /* (element-type ChResource): owns those of providers */
  GPtrArray       *providers;      /* the active ones, to choose from */
  GPtrArray       *types;       /* (element-type ChApptType) */
  GCancellable    *cancellable;
  gboolean         busy;
};

G_DEFINE_FINAL_TYPE (ChWaitlistDialog, ch_waitlist_dialog, ADW_TYPE_WINDOW)

enum {
  ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ch_waitlist_dialog_update_actions (ChWaitlistDialog *self)
{
  gboolean idle = !self->busy && self->session != NULL && !ch_ui_session_is_busy (self->session);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "waitlist.save", idle);
}

static void
ch_waitlist_dialog_set_busy (ChWaitlistDialog *self,
                             gboolean          busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  ch_ui_set_input_sensitive (self->form, !busy);
  ch_waitlist_dialog_update_actions (self);
}

static void
show_error (ChWaitlistDialog *self,
            const char       *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* ---- the patient --------------------------------------------------------------- */

void
ch_waitlist_dialog_set_patient (ChWaitlistDialog *self,
                                gint64            patient_id,
                                const char       *name)
{
  g_return_if_fail (CH_IS_WAITLIST_DIALOG (self));

  ch_patient_picker_set_patient (self->patient_picker, patient_id, name);
}

/* ---- adding -------------------------------------------------------------------- */

typedef struct
{
  ChSession       *session;
  ChWaitlistEntry *entry;
} Add;

static void
add_free (gpointer data)
{
  Add *add = data;

  g_clear_object (&add->session);
  g_clear_pointer (&add->entry, ch_waitlist_entry_free);
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

  if (ch_waitlist_add (add->session, add->entry, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
add_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  ChWaitlistDialog *self = CH_WAITLIST_DIALOG (object);
  Add *add = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  ch_waitlist_dialog_set_busy (self, FALSE);
  if (error != NULL)
    {
      show_error (self, error->message);
      return;
    }
  g_signal_emit (self, signals[ADDED], 0, add->entry->id);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChWaitlistDialog *self = CH_WAITLIST_DIALOG (widget);
  guint type = adw_combo_row_get_selected (self->type_row);
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
  if (type >= self->types->len)
    return;

  show_error (self, NULL);
  add = g_new0 (Add, 1);
  add->session = g_object_ref (self->session);
  add->entry = ch_waitlist_entry_new ();
  add->entry->patient_id = patient_id;
  add->entry->type_id = ((ChApptType *) self->types->pdata[type])->id;
  /* The first choice is any provider. */
  if (provider > 0 && provider <= self->providers->len)
    add->entry->provider_id = g_strdup (((ChResource *) self->providers->pdata[provider - 1])->id);
  add->entry->earliest_day = ch_schedule_ui_dup_text (GTK_EDITABLE (self->earliest_row));
  add->entry->latest_day = ch_schedule_ui_dup_text (GTK_EDITABLE (self->latest_row));
  add->entry->note = ch_schedule_ui_dup_text (GTK_EDITABLE (self->note_row));

  ch_waitlist_dialog_set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, add_done, NULL);
  g_task_set_task_data (task, add, add_free);
  ch_ui_session_run_task (task, add_thread);
}

/* ---- construction -------------------------------------------------------------- */

/**
 * ch_waitlist_dialog_new:
 * @parent: (nullable): the window to stay on top of
 * @session: the signed-in session
 * @providers: (element-type ChResource): the practice's providers
 * @types: (element-type ChApptType): the appointment types
 *
 * Returns: (transfer none): a new dialog, not yet shown
 */
GtkWidget *
ch_waitlist_dialog_new (GtkWindow *parent,
                        ChSession *session,
                        GPtrArray *providers,
                        GPtrArray *types)
{
  ChWaitlistDialog *self;
  g_autoptr (GtkStringList) provider_names = NULL;
  g_autoptr (GtkStringList) type_names = gtk_string_list_new (NULL);

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (providers != NULL && types != NULL, NULL);

  self = g_object_new (CH_TYPE_WAITLIST_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  ch_patient_picker_set_session (self->patient_picker, session);
  self->types = g_ptr_array_ref (types);
  self->all_providers = g_ptr_array_ref (providers);
  self->providers = g_ptr_array_new ();
  /* A provider who no longer takes appointments is no one to wait for. */
  for (guint i = 0; i < providers->len; i++)
    if (((ChResource *) providers->pdata[i])->active)
      g_ptr_array_add (self->providers, providers->pdata[i]);

  provider_names = ch_schedule_ui_resource_names (self->providers, _("Any provider"));
  for (guint i = 0; i < types->len; i++)
    gtk_string_list_append (type_names, ((ChApptType *) types->pdata[i])->name);
  adw_combo_row_set_model (self->provider_row, G_LIST_MODEL (provider_names));
  adw_combo_row_set_model (self->type_row, G_LIST_MODEL (type_names));
  /* Most who wait, wait for a follow-up. */
  for (guint i = 0; i < types->len; i++)
    if (g_strcmp0 (((ChApptType *) types->pdata[i])->name, "follow-up") == 0)
      adw_combo_row_set_selected (self->type_row, i);

  ch_ui_session_watch_busy (session, G_OBJECT (self),
                            G_CALLBACK (ch_waitlist_dialog_update_actions));
  ch_waitlist_dialog_update_actions (self);
  gtk_widget_grab_focus (ch_patient_picker_get_entry (self->patient_picker));
  return GTK_WIDGET (self);
}

gboolean
ch_waitlist_dialog_get_busy (ChWaitlistDialog *self)
{
  g_return_val_if_fail (CH_IS_WAITLIST_DIALOG (self), FALSE);

  return self->busy;
}

static gboolean
ch_waitlist_dialog_close_request (GtkWindow *window)
{
  if (CH_WAITLIST_DIALOG (window)->busy)
    return TRUE;
  return GTK_WINDOW_CLASS (ch_waitlist_dialog_parent_class)->close_request (window);
}

static void
ch_waitlist_dialog_dispose (GObject *object)
{
  ChWaitlistDialog *self = CH_WAITLIST_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_WAITLIST_DIALOG);

  G_OBJECT_CLASS (ch_waitlist_dialog_parent_class)->dispose (object);
}

static void
ch_waitlist_dialog_finalize (GObject *object)
{
  ChWaitlistDialog *self = CH_WAITLIST_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->providers, g_ptr_array_unref);
  g_clear_pointer (&self->all_providers, g_ptr_array_unref);
  g_clear_pointer (&self->types, g_ptr_array_unref);

  G_OBJECT_CLASS (ch_waitlist_dialog_parent_class)->finalize (object);
}

static void
ch_waitlist_dialog_class_init (ChWaitlistDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();
  g_type_ensure (CH_TYPE_PATIENT_PICKER);

  object_class->dispose = ch_waitlist_dialog_dispose;
  object_class->finalize = ch_waitlist_dialog_finalize;
  window_class->close_request = ch_waitlist_dialog_close_request;

  /**
   * ChWaitlistDialog::added:
   * @id: the new waitlist entry
   */
  signals[ADDED] = g_signal_new ("added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                 NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-waitlist-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ChWaitlistDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChWaitlistDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ChWaitlistDialog, form);
  gtk_widget_class_bind_template_child (widget_class, ChWaitlistDialog, patient_picker);
  gtk_widget_class_bind_template_child (widget_class, ChWaitlistDialog, type_row);
  gtk_widget_class_bind_template_child (widget_class, ChWaitlistDialog, provider_row);
  gtk_widget_class_bind_template_child (widget_class, ChWaitlistDialog, earliest_row);
  gtk_widget_class_bind_template_child (widget_class, ChWaitlistDialog, latest_row);
  gtk_widget_class_bind_template_child (widget_class, ChWaitlistDialog, note_row);
  /* The picker's signals, connected in the template: a patient taken moves on
   * to the next field, Escape in the search closes the dialog as it does elsewhere. */
  gtk_widget_class_bind_template_callback_full (widget_class, "gtk_widget_grab_focus",
                                                G_CALLBACK (gtk_widget_grab_focus));
  gtk_widget_class_bind_template_callback_full (widget_class, "gtk_window_close",
                                                G_CALLBACK (gtk_window_close));

  gtk_widget_class_install_action (widget_class, "waitlist.save", NULL, save_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "waitlist.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_waitlist_dialog_init (ChWaitlistDialog *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
