/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-policy-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-patient-ui.h"
#include "ch-patients.h"
#include "ch-policy-dialog.h"
#include "ch-ui.h"

/* Adds an insurance policy to a patient, or changes one. The controller
 * validates, stores and keeps the earlier version; the dialog stays open
 * with the controller's message until the policy is stored. */

#define MAX_PRIORITY 9

struct _ChPolicyDialog
{
  AdwWindow       parent_instance;

  AdwWindowTitle *window_title;
  GtkSpinner     *spinner;
  GtkWidget      *form;
  AdwComboRow    *priority_row;
  GtkWidget      *payer_row;
  GtkWidget      *plan_row;
  GtkWidget      *member_id_row;
  GtkWidget      *group_id_row;
  GtkWidget      *subscriber_row;
  AdwComboRow    *relation_row;
  GtkWidget      *start_row;
  GtkWidget      *end_row;
  GtkWidget      *reason_group;
  GtkWidget      *reason_row;
  GtkLabel       *error_label;

  ChSession      *session;
  gint64          patient_id;
  ChPolicyRecord *original;   /* (nullable): the policy changed */
  GCancellable   *cancellable;
  gboolean        busy;
};

G_DEFINE_FINAL_TYPE (ChPolicyDialog, ch_policy_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ch_policy_dialog_update_actions (ChPolicyDialog *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "policy-dialog.save",
                                 !self->busy && self->session != NULL &&
                                 !ch_ui_session_is_busy (self->session));
}

static void
ch_policy_dialog_set_busy (ChPolicyDialog *self,
                           gboolean        busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  ch_ui_set_input_sensitive (self->form, !busy);
  ch_policy_dialog_update_actions (self);
}

static void
ch_policy_dialog_show_error (ChPolicyDialog *self,
                             const char     *message,
                             GtkWidget      *row)
{
  ch_ui_set_row_error (self->payer_row, FALSE);
  ch_ui_set_row_error (self->reason_row, FALSE);

  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);

  if (row != NULL)
    {
      ch_ui_set_row_error (row, TRUE);
      gtk_widget_grab_focus (row);
    }
}

static void
set_field (char      **field,
           GtkWidget  *row)
{
  g_free (*field);
  *field = ch_patient_ui_dup_text (GTK_EDITABLE (row));
}

typedef struct
{
  ChSession      *session;
  ChPolicyRecord *policy;
  char           *reason;
  gboolean        editing;
} Save;

static void
save_free (gpointer data)
{
  Save *save = data;

  g_clear_object (&save->session);
  g_clear_pointer (&save->policy, ch_policy_record_free);
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

  if (save->editing)
    ok = ch_patients_update_policy (save->session, save->policy, save->reason, &error);
  else
    ok = ch_patients_add_policy (save->session, save->policy, &error);

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
  ChPolicyDialog *self = CH_POLICY_DIALOG (object);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      ch_policy_dialog_set_busy (self, FALSE);
      ch_policy_dialog_show_error (self, error->message, NULL);
      return;
    }

  ch_policy_dialog_set_busy (self, FALSE);
  g_signal_emit (self, signals[SAVED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChPolicyDialog *self = CH_POLICY_DIALOG (widget);
  g_autoptr(GTask) task = NULL;
  g_autofree char *reason = NULL;
  ChPolicyRecord *policy;
  guint relation;
  Save *save;

  if (self->busy || ch_ui_session_is_busy (self->session))
    return;

  ch_policy_dialog_show_error (self, NULL, NULL);

  if (self->original != NULL)
    {
      reason = ch_patient_ui_dup_text (GTK_EDITABLE (self->reason_row));
      if (reason == NULL)
        {
          ch_policy_dialog_show_error (self, _("Say why the policy is changed."),
                                       self->reason_row);
          return;
        }
    }

  policy = ch_policy_record_new ();
  if (self->original != NULL)
    {
      policy->id = self->original->id;
      policy->version = self->original->version;
      policy->status = g_strdup (self->original->status);
    }
  policy->patient_id = self->patient_id;
  policy->priority = (int) adw_combo_row_get_selected (self->priority_row) + 1;
  set_field (&policy->payer, self->payer_row);
  set_field (&policy->plan, self->plan_row);
  set_field (&policy->member_id, self->member_id_row);
  set_field (&policy->group_id, self->group_id_row);
  set_field (&policy->subscriber_name, self->subscriber_row);
  relation = adw_combo_row_get_selected (self->relation_row);
  policy->subscriber_relation = g_strdup (ch_patient_ui_code (CH_PATIENT_UI_RELATION, relation));
  set_field (&policy->start_date, self->start_row);
  set_field (&policy->end_date, self->end_row);

  save = g_new0 (Save, 1);
  save->session = g_object_ref (self->session);
  save->policy = policy;
  save->reason = g_steal_pointer (&reason);
  save->editing = self->original != NULL;

  ch_policy_dialog_set_busy (self, TRUE);

  task = ch_ui_session_task_new (self->session, self, self->cancellable, save_done, NULL);
  g_task_set_source_tag (task, save_activated);
  g_task_set_task_data (task, save, save_free);
  ch_ui_session_run_task (task, save_thread);
}

static void
set_text (GtkWidget  *row,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
}

/**
 * ch_policy_dialog_new:
 * @parent: (nullable): the window to stay on top of
 * @session: the session that stores the policy
 * @patient_id: the insured patient
 * @policy: (nullable): the policy to change (copied); %NULL to add one
 * @priority: the priority offered for a new policy, 1 for primary
 *
 * Returns: (transfer none): a new dialog, not yet shown
 */
GtkWidget *
ch_policy_dialog_new (GtkWindow            *parent,
                      ChSession            *session,
                      gint64                patient_id,
                      const ChPolicyRecord *policy,
                      int                   priority)
{
  g_autoptr(GtkStringList) priorities = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) relations = ch_patient_ui_model (CH_PATIENT_UI_RELATION);
  ChPolicyDialog *self;
  const char *title;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  self = g_object_new (CH_TYPE_POLICY_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->session = g_object_ref (session);
  self->patient_id = patient_id;
  ch_ui_session_watch_busy (session, G_OBJECT (self),
                            G_CALLBACK (ch_policy_dialog_update_actions));

  gtk_string_list_append (priorities, _("Primary"));
  gtk_string_list_append (priorities, _("Secondary"));
  gtk_string_list_append (priorities, _("Tertiary"));
  for (int i = 4; i <= MAX_PRIORITY; i++)
    {
      /* Translators: the rank of an insurance policy past the third */
      g_autofree char *label = g_strdup_printf (_("Priority %d"), i);

      gtk_string_list_append (priorities, label);
    }
  adw_combo_row_set_model (self->priority_row, G_LIST_MODEL (priorities));
  adw_combo_row_set_model (self->relation_row, G_LIST_MODEL (relations));

  if (policy != NULL)
    {
      self->original = ch_policy_record_new ();
      self->original->id = policy->id;
      self->original->version = policy->version;
      self->original->status = g_strdup (policy->status);
      priority = policy->priority;

      set_text (self->payer_row, policy->payer);
      set_text (self->plan_row, policy->plan);
      set_text (self->member_id_row, policy->member_id);
      set_text (self->group_id_row, policy->group_id);
      set_text (self->subscriber_row, policy->subscriber_name);
      adw_combo_row_set_selected (self->relation_row,
                                  ch_patient_ui_find (CH_PATIENT_UI_RELATION,
                                                      policy->subscriber_relation, 0));
      set_text (self->start_row, policy->start_date);
      set_text (self->end_row, policy->end_date);
      title = _("Edit Policy");
    }
  else
    title = _("Add Policy");

  adw_combo_row_set_selected (self->priority_row, (guint) CLAMP (priority, 1, MAX_PRIORITY) - 1);
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  gtk_widget_set_visible (self->reason_group, policy != NULL);
  gtk_widget_grab_focus (self->payer_row);
  ch_policy_dialog_update_actions (self);

  return GTK_WIDGET (self);
}

gboolean
ch_policy_dialog_get_busy (ChPolicyDialog *self)
{
  g_return_val_if_fail (CH_IS_POLICY_DIALOG (self), FALSE);

  return self->busy;
}

static gboolean
ch_policy_dialog_close_request (GtkWindow *window)
{
  ChPolicyDialog *self = CH_POLICY_DIALOG (window);

  if (self->busy)
    return TRUE;

  return GTK_WINDOW_CLASS (ch_policy_dialog_parent_class)->close_request (window);
}

static void
ch_policy_dialog_dispose (GObject *object)
{
  ChPolicyDialog *self = CH_POLICY_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);

  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_POLICY_DIALOG);

  G_OBJECT_CLASS (ch_policy_dialog_parent_class)->dispose (object);
}

static void
ch_policy_dialog_finalize (GObject *object)
{
  ChPolicyDialog *self = CH_POLICY_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->original, ch_policy_record_free);

  G_OBJECT_CLASS (ch_policy_dialog_parent_class)->finalize (object);
}

static void
ch_policy_dialog_class_init (ChPolicyDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_policy_dialog_dispose;
  object_class->finalize = ch_policy_dialog_finalize;
  window_class->close_request = ch_policy_dialog_close_request;

  /**
   * ChPolicyDialog::saved:
   *
   * The policy is stored; the dialog closes right after.
   */
  signals[SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-policy-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ChPolicyDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ChPolicyDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChPolicyDialog, form);
  gtk_widget_class_bind_template_child (widget_class, ChPolicyDialog, priority_row);
  gtk_widget_class_bind_template_child (widget_class, ChPolicyDialog, payer_row);
  gtk_widget_class_bind_template_child (widget_class, ChPolicyDialog, plan_row);
  gtk_widget_class_bind_template_child (widget_class, ChPolicyDialog, member_id_row);
  gtk_widget_class_bind_template_child (widget_class, ChPolicyDialog, group_id_row);
  gtk_widget_class_bind_template_child (widget_class, ChPolicyDialog, subscriber_row);
  gtk_widget_class_bind_template_child (widget_class, ChPolicyDialog, relation_row);
  gtk_widget_class_bind_template_child (widget_class, ChPolicyDialog, start_row);
  gtk_widget_class_bind_template_child (widget_class, ChPolicyDialog, end_row);
  gtk_widget_class_bind_template_child (widget_class, ChPolicyDialog, reason_group);
  gtk_widget_class_bind_template_child (widget_class, ChPolicyDialog, reason_row);
  gtk_widget_class_bind_template_child (widget_class, ChPolicyDialog, error_label);

  gtk_widget_class_install_action (widget_class, "policy-dialog.save", NULL, save_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "policy-dialog.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_policy_dialog_init (ChPolicyDialog *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
}
