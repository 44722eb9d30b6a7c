/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-user-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-roles.h"
#include "ch-ui.h"
#include "ch-user-dialog.h"
#include "ch-users.h"

/* Adds a user, or changes one: password, role, or enabling with a new
 * password. The controller checks and records every change; the dialog only
 * collects the input, and stays open with the message if the change fails. */

struct _ChUserDialog
{
  AdwWindow         parent_instance;

  AdwWindowTitle   *window_title;
  GtkButton        *accept_button;
  GtkSpinner       *spinner;
  GtkLabel         *intro_label;
  GtkListBox       *rows;
  AdwEntryRow      *username_row;
  AdwEntryRow      *display_name_row;
  AdwComboRow      *role_row;
  GtkStringList    *role_list;
  GtkWidget        *current_row;
  GtkWidget        *password_row;
  GtkWidget        *confirm_row;
  GtkLabel         *error_label;

  ChSession        *session;
  ChUserDialogMode  mode;
  char             *username;
  GCancellable     *cancellable;
  gboolean          busy;
};

G_DEFINE_FINAL_TYPE (ChUserDialog, ch_user_dialog, ADW_TYPE_WINDOW)

enum {
  DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  ChSession        *session;
  ChUserDialogMode  mode;
  char             *username;
  char             *display_name;
  ChRole            role;
  char             *old_password;
  char             *password;
} UserChange;

static void
user_change_free (gpointer data)
{
  UserChange *change = data;

  g_clear_object (&change->session);
  g_free (change->username);
  g_free (change->display_name);
  ch_ui_free_secret (change->old_password);
  ch_ui_free_secret (change->password);
  g_free (change);
}

static void
ch_user_dialog_set_busy (ChUserDialog *self,
                         gboolean      busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  ch_ui_set_input_sensitive (GTK_WIDGET (self->rows), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "user-dialog.accept", !busy);
}

static void
ch_user_dialog_show_error (ChUserDialog *self,
                           const char   *message,
                           GtkWidget    *row)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);

  if (row != NULL)
    {
      ch_ui_set_row_error (row, TRUE);
      gtk_widget_grab_focus (row);
    }
}

static void
change_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  UserChange *change = task_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  switch (change->mode)
    {
    case CH_USER_DIALOG_ADD:
      ok = ch_users_add (change->session, change->username, change->display_name,
                         change->role, change->password, &error);
      break;

    case CH_USER_DIALOG_PASSWORD:
      ok = ch_users_set_password (change->session, change->username, change->old_password,
                                  change->password, &error);
      break;

    case CH_USER_DIALOG_ENABLE:
      ok = ch_users_enable (change->session, change->username, change->password, &error);
      break;

    case CH_USER_DIALOG_ROLE:
      ok = ch_users_set_role (change->session, change->username, change->role, &error);
      break;

    default:
      g_assert_not_reached ();
    }

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static char *
done_message (UserChange *change)
{
  switch (change->mode)
    {
    case CH_USER_DIALOG_ADD:
      /* Translators: %s is a user name */
      return g_strdup_printf (_("Added %s"), change->username);

    case CH_USER_DIALOG_PASSWORD:
      /* Translators: %s is a user name */
      return g_strdup_printf (_("Changed the password of %s"), change->username);

    case CH_USER_DIALOG_ENABLE:
      /* Translators: %s is a user name */
      return g_strdup_printf (_("Enabled %s"), change->username);

    case CH_USER_DIALOG_ROLE:
      /* Translators: the first %s is a user name, the second a role */
      return g_strdup_printf (_("%s is now %s"), change->username,
                              ch_role_get_label (change->role));

    default:
      g_assert_not_reached ();
    }
}

static void
change_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  ChUserDialog *self = CH_USER_DIALOG (object);
  UserChange *change = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      ch_user_dialog_set_busy (self, FALSE);
      ch_user_dialog_show_error (self, error->message, NULL);
      return;
    }

  ch_user_dialog_set_busy (self, FALSE);
  message = done_message (change);
  g_signal_emit (self, signals[DONE], 0, message);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
accept_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ChUserDialog *self = CH_USER_DIALOG (widget);
  gboolean wants_password = self->mode != CH_USER_DIALOG_ROLE;
  g_autoptr(GTask) task = NULL;
  UserChange *change;

  if (self->busy)
    return;

  ch_ui_set_row_error (GTK_WIDGET (self->username_row), FALSE);
  ch_ui_set_row_error (self->current_row, FALSE);
  ch_ui_set_row_error (self->password_row, FALSE);
  ch_ui_set_row_error (self->confirm_row, FALSE);
  ch_user_dialog_show_error (self, NULL, NULL);

  if (wants_password &&
      g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                 gtk_editable_get_text (GTK_EDITABLE (self->confirm_row))) != 0)
    {
      ch_user_dialog_show_error (self, _("The two passwords do not match."), self->confirm_row);
      return;
    }

  change = g_new0 (UserChange, 1);
  change->session = g_object_ref (self->session);
  change->mode = self->mode;
  change->role = (ChRole) adw_combo_row_get_selected (self->role_row);

  if (self->mode == CH_USER_DIALOG_ADD)
    {
      g_autofree char *display_name = NULL;

      change->username = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->username_row))));
      display_name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->display_name_row))));
      if (*display_name != '\0')
        change->display_name = g_steal_pointer (&display_name);
    }
  else
    change->username = g_strdup (self->username);

  if (wants_password)
    change->password = ch_ui_strdup_secret (gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
  if (gtk_widget_get_visible (self->current_row))
    change->old_password = ch_ui_strdup_secret (gtk_editable_get_text (GTK_EDITABLE (self->current_row)));

  ch_user_dialog_set_busy (self, TRUE);

  task = ch_ui_session_task_new (self->session, self, self->cancellable, change_done, NULL);
  g_task_set_source_tag (task, accept_activated);
  g_task_set_task_data (task, change, user_change_free);
  ch_ui_session_run_task (task, change_thread);
}

static void
on_entry_activated (ChUserDialog *self,
                    AdwEntryRow  *row)
{
  GtkWidget *order[] = {
    GTK_WIDGET (self->username_row), GTK_WIDGET (self->display_name_row),
    self->current_row, self->password_row, self->confirm_row,
  };
  gboolean found = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      if (found && gtk_widget_get_visible (order[i]))
        {
          gtk_widget_grab_focus (order[i]);
          return;
        }

      if (order[i] == GTK_WIDGET (row))
        found = TRUE;
    }

  gtk_widget_activate_action (GTK_WIDGET (self), "user-dialog.accept", NULL);
}

static void
ch_user_dialog_setup (ChUserDialog *self,
                      ChUserItem   *user)
{
  const char *title = NULL;
  const char *accept = NULL;
  const char *intro = NULL;
  gboolean add = self->mode == CH_USER_DIALOG_ADD;
  gboolean password = self->mode != CH_USER_DIALOG_ROLE;
  gboolean role = add || self->mode == CH_USER_DIALOG_ROLE;

  for (guint i = 0; i < CH_N_ROLES; i++)
    gtk_string_list_append (self->role_list, ch_role_get_label ((ChRole) i));

  if (user != NULL)
    {
      ChRole current;

      self->username = g_strdup (ch_user_item_get_username (user));
      if (ch_role_from_string (ch_user_item_get_role (user), &current))
        adw_combo_row_set_selected (self->role_row, current);
    }
  else
    adw_combo_row_set_selected (self->role_row, CH_ROLE_NURSE);

  switch (self->mode)
    {
    case CH_USER_DIALOG_ADD:
      title = _("Add User");
      accept = _("_Add");
      break;

    case CH_USER_DIALOG_PASSWORD:
      title = _("Reset Password");
      accept = _("_Change");
      intro = _("The user signs in with the new password from now on.");
      break;

    case CH_USER_DIALOG_ENABLE:
      title = _("Enable User");
      accept = _("_Enable");
      intro = _("A disabled account gets a new password when it is enabled again.");
      break;

    case CH_USER_DIALOG_ROLE:
      title = _("Change Role");
      accept = _("_Change");
      intro = _("The role decides which areas and records the user may open.");
      break;

    default:
      g_assert_not_reached ();
    }

  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  adw_window_title_set_subtitle (self->window_title, self->username);
  gtk_button_set_label (self->accept_button, accept);
  gtk_label_set_text (self->intro_label, intro);
  gtk_widget_set_visible (GTK_WIDGET (self->intro_label), intro != NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->username_row), add);
  gtk_widget_set_visible (GTK_WIDGET (self->display_name_row), add);
  gtk_widget_set_visible (GTK_WIDGET (self->role_row), role);
  gtk_widget_set_visible (self->password_row, password);
  gtk_widget_set_visible (self->confirm_row, password);

  /* Changing one's own password proves one knows the current one. */
  gtk_widget_set_visible (self->current_row,
                          self->mode == CH_USER_DIALOG_PASSWORD &&
                          g_strcmp0 (self->username, ch_session_get_username (self->session)) == 0);

  if (add)
    gtk_widget_grab_focus (GTK_WIDGET (self->username_row));
  else if (gtk_widget_get_visible (self->current_row))
    gtk_widget_grab_focus (self->current_row);
  else if (password)
    gtk_widget_grab_focus (self->password_row);
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->role_row));
}

/**
 * ch_user_dialog_new:
 * @parent: (nullable): the window to stay on top of
 * @session: the administrator's session
 * @mode: what to do
 * @user: (nullable): the user to change; %NULL when adding
 *
 * Returns: (transfer none): a new dialog, not yet shown
 */
GtkWidget *
ch_user_dialog_new (GtkWindow        *parent,
                    ChSession        *session,
                    ChUserDialogMode  mode,
                    ChUserItem       *user)
{
  ChUserDialog *self;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (mode == CH_USER_DIALOG_ADD || CH_IS_USER_ITEM (user), NULL);

  self = g_object_new (CH_TYPE_USER_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->session = g_object_ref (session);
  self->mode = mode;
  ch_user_dialog_setup (self, user);

  return GTK_WIDGET (self);
}

ChUserDialogMode
ch_user_dialog_get_mode (ChUserDialog *self)
{
  g_return_val_if_fail (CH_IS_USER_DIALOG (self), CH_USER_DIALOG_ADD);

  return self->mode;
}

gboolean
ch_user_dialog_get_busy (ChUserDialog *self)
{
  g_return_val_if_fail (CH_IS_USER_DIALOG (self), FALSE);

  return self->busy;
}

static gboolean
ch_user_dialog_close_request (GtkWindow *window)
{
  ChUserDialog *self = CH_USER_DIALOG (window);

  /* The change is under way; its result decides what happens next. */
  if (self->busy)
    return TRUE;

  return GTK_WINDOW_CLASS (ch_user_dialog_parent_class)->close_request (window);
}

static void
ch_user_dialog_dispose (GObject *object)
{
  ChUserDialog *self = CH_USER_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);

  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_USER_DIALOG);

  G_OBJECT_CLASS (ch_user_dialog_parent_class)->dispose (object);
}

static void
ch_user_dialog_finalize (GObject *object)
{
  ChUserDialog *self = CH_USER_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->username, g_free);

  G_OBJECT_CLASS (ch_user_dialog_parent_class)->finalize (object);
}

static void
ch_user_dialog_class_init (ChUserDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_user_dialog_dispose;
  object_class->finalize = ch_user_dialog_finalize;
  window_class->close_request = ch_user_dialog_close_request;

  /**
   * ChUserDialog::done:
   * @message: what was done, for a toast
   *
   * The change is stored; the dialog closes right after.
   */
  signals[DONE] =
    g_signal_new ("done",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-user-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ChUserDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ChUserDialog, accept_button);
  gtk_widget_class_bind_template_child (widget_class, ChUserDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChUserDialog, intro_label);
  gtk_widget_class_bind_template_child (widget_class, ChUserDialog, rows);
  gtk_widget_class_bind_template_child (widget_class, ChUserDialog, username_row);
  gtk_widget_class_bind_template_child (widget_class, ChUserDialog, display_name_row);
  gtk_widget_class_bind_template_child (widget_class, ChUserDialog, role_row);
  gtk_widget_class_bind_template_child (widget_class, ChUserDialog, role_list);
  gtk_widget_class_bind_template_child (widget_class, ChUserDialog, current_row);
  gtk_widget_class_bind_template_child (widget_class, ChUserDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, ChUserDialog, confirm_row);
  gtk_widget_class_bind_template_child (widget_class, ChUserDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);

  gtk_widget_class_install_action (widget_class, "user-dialog.accept", NULL, accept_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_user_dialog_init (ChUserDialog *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
}
