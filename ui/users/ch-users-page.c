/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-users-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-ui.h"
#include "ch-user-dialog.h"
#include "ch-user-item.h"
#include "ch-users-page.h"
#include "ch-users.h"

/* The practice's users, and the commands that change them. The controller
 * decides who may do what; this page shows its answer. */

struct _ChUsersPage
{
  AdwBin              parent_instance;

  GtkStack           *stack;
  GtkColumnView      *column_view;
  GtkSingleSelection *selection;
  AdwStatusPage      *error_page;
  GtkWidget          *disable_button;
  GtkWidget          *enable_button;

  ChSession          *session;
  GListStore         *users;
  GCancellable       *cancellable;
  gboolean            busy;
};

G_DEFINE_FINAL_TYPE (ChUsersPage, ch_users_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static ChUserItem *
ch_users_page_get_selected (ChUsersPage *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

static void
ch_users_page_update_actions (ChUsersPage *self)
{
  ChUserItem *item = ch_users_page_get_selected (self);
  gboolean ready = !self->busy && self->session != NULL && !ch_ui_session_is_busy (self->session);
  gboolean disabled = item != NULL && ch_user_item_get_disabled (item);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "users.add", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "users.reset-password",
                                 ready && item != NULL && !disabled);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "users.change-role", ready && item != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "users.disable",
                                 ready && item != NULL && !disabled);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "users.enable",
                                 ready && item != NULL && disabled);

  /* One of the two buttons at a time. */
  gtk_widget_set_visible (self->disable_button, !disabled);
  gtk_widget_set_visible (self->enable_button, disabled);
}

static void
ch_users_page_set_busy (ChUsersPage *self,
                        gboolean     busy)
{
  if (self->busy == busy)
    return;

  self->busy = busy;
  ch_users_page_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
on_selection_changed (ChUsersPage *self)
{
  ch_users_page_update_actions (self);
}

/**
 * ch_users_page_reload:
 * @self: a users page
 *
 * Reads the users again, keeping the selected one selected.
 */
void
ch_users_page_reload (ChUsersPage *self)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *selected = NULL;
  ChUserItem *item;

  g_return_if_fail (CH_IS_USERS_PAGE (self));

  if (self->busy)
    return;

  /* Read once the worker that uses the session has returned. */
  if (ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self), G_CALLBACK (ch_users_page_reload));
      return;
    }

  item = ch_users_page_get_selected (self);
  if (item != NULL)
    selected = g_strdup (ch_user_item_get_username (item));

  records = ch_users_list (self->session, &error);
  if (records == NULL)
    {
      g_list_store_remove_all (self->users);
      adw_status_page_set_description (self->error_page, error->message);
      ch_ui_stack_show (self->stack, "error");
      ch_users_page_update_actions (self);
      return;
    }

  {
    g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

    for (guint i = 0; i < records->len; i++)
      g_ptr_array_add (items, ch_user_item_new (g_ptr_array_index (records, i)));

    g_list_store_splice (self->users, 0, g_list_model_get_n_items (G_LIST_MODEL (self->users)),
                         items->pdata, items->len);
  }

  ch_ui_stack_show (self->stack, "list");

  if (selected == NULL || !ch_users_page_select (self, selected))
    gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);

  ch_users_page_update_actions (self);
}

/**
 * ch_users_page_select:
 * @self: a users page
 * @username: a user name
 *
 * Returns: whether @username is in the list (and now selected)
 */
gboolean
ch_users_page_select (ChUsersPage *self,
                      const char  *username)
{
  guint n;

  g_return_val_if_fail (CH_IS_USERS_PAGE (self), FALSE);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->users));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ChUserItem) item = g_list_model_get_item (G_LIST_MODEL (self->users), i);

      if (g_strcmp0 (ch_user_item_get_username (item), username) == 0)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }

  return FALSE;
}

static void
on_dialog_done (ChUsersPage  *self,
                const char   *message,
                ChUserDialog *dialog)
{
  ch_users_page_reload (self);
  ch_ui_toast (GTK_WIDGET (self), message);
}

static void
ch_users_page_open_dialog (ChUsersPage      *self,
                           ChUserDialogMode  mode)
{
  ChUserItem *item = ch_users_page_get_selected (self);
  GtkWidget *dialog;

  if (self->busy || ch_ui_session_is_busy (self->session) ||
      (mode != CH_USER_DIALOG_ADD && item == NULL))
    return;

  dialog = ch_user_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                               self->session, mode,
                               mode == CH_USER_DIALOG_ADD ? NULL : item);
  g_signal_connect_object (dialog, "done", G_CALLBACK (on_dialog_done), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ch_users_page_open_dialog (CH_USERS_PAGE (widget), CH_USER_DIALOG_ADD);
}

static void
reset_password_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  ch_users_page_open_dialog (CH_USERS_PAGE (widget), CH_USER_DIALOG_PASSWORD);
}

static void
enable_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ch_users_page_open_dialog (CH_USERS_PAGE (widget), CH_USER_DIALOG_ENABLE);
}

static void
change_role_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ch_users_page_open_dialog (CH_USERS_PAGE (widget), CH_USER_DIALOG_ROLE);
}

typedef struct
{
  ChSession *session;
  char      *username;
} DisableData;

static void
disable_data_free (gpointer data)
{
  DisableData *disable = data;

  g_clear_object (&disable->session);
  g_free (disable->username);
  g_free (disable);
}

static void
disable_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  DisableData *disable = task_data;
  g_autoptr(GError) error = NULL;

  if (ch_users_disable (disable->session, disable->username, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
disable_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ChUsersPage *self = CH_USERS_PAGE (object);
  DisableData *disable = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      ch_users_page_set_busy (self, FALSE);
      ch_ui_toast (GTK_WIDGET (self), error->message);
      return;
    }

  ch_users_page_set_busy (self, FALSE);
  ch_users_page_reload (self);
  /* Translators: %s is a user name */
  message = g_strdup_printf (_("Disabled %s"), disable->username);
  ch_ui_toast (GTK_WIDGET (self), message);
}

static void
on_disable_response (AdwMessageDialog *dialog,
                     const char       *response,
                     ChUsersPage      *self)
{
  g_autoptr(GTask) task = NULL;
  DisableData *disable;
  const char *username = g_object_get_data (G_OBJECT (dialog), "username");

  if (g_strcmp0 (response, "disable") != 0 || self->busy ||
      ch_ui_session_is_busy (self->session))
    return;

  disable = g_new0 (DisableData, 1);
  disable->session = g_object_ref (self->session);
  disable->username = g_strdup (username);

  ch_users_page_set_busy (self, TRUE);

  task = ch_ui_session_task_new (self->session, self, self->cancellable, disable_done, NULL);
  g_task_set_source_tag (task, on_disable_response);
  g_task_set_task_data (task, disable, disable_data_free);
  ch_ui_session_run_task (task, disable_thread);
}

static void
disable_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ChUsersPage *self = CH_USERS_PAGE (widget);
  ChUserItem *item = ch_users_page_get_selected (self);
  GtkWidget *dialog;

  if (self->busy || ch_ui_session_is_busy (self->session) || item == NULL)
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), NULL, NULL);
  /* Translators: %s is a user name */
  adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (dialog), _("Disable %s?"),
                                     ch_user_item_get_username (item));
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog),
                               _("The account can no longer sign in, and its key to the "
                                 "records is removed. Its entries in the records and the "
                                 "audit log stay. It can be enabled again with a new password."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "disable", _("_Disable"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "disable",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "username",
                          g_strdup (ch_user_item_get_username (item)), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_disable_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

GtkWidget *
ch_users_page_new (ChSession *session)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  return g_object_new (CH_TYPE_USERS_PAGE,
                       "session", session,
                       NULL);
}

/**
 * ch_users_page_get_users:
 * @self: a users page
 *
 * Returns: (transfer none): the list shown, of #ChUserItem
 */
GListModel *
ch_users_page_get_users (ChUsersPage *self)
{
  g_return_val_if_fail (CH_IS_USERS_PAGE (self), NULL);

  return G_LIST_MODEL (self->users);
}

gboolean
ch_users_page_get_busy (ChUsersPage *self)
{
  g_return_val_if_fail (CH_IS_USERS_PAGE (self), FALSE);

  return self->busy;
}

static void
ch_users_page_constructed (GObject *object)
{
  ChUsersPage *self = CH_USERS_PAGE (object);

  G_OBJECT_CLASS (ch_users_page_parent_class)->constructed (object);

  ch_ui_session_watch_busy (self->session, object, G_CALLBACK (ch_users_page_update_actions));
  ch_users_page_reload (self);
}

static void
ch_users_page_dispose (GObject *object)
{
  ChUsersPage *self = CH_USERS_PAGE (object);

  g_cancellable_cancel (self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_USERS_PAGE);

  g_clear_object (&self->users);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ch_users_page_parent_class)->dispose (object);
}

static void
ch_users_page_finalize (GObject *object)
{
  ChUsersPage *self = CH_USERS_PAGE (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ch_users_page_parent_class)->finalize (object);
}

static void
ch_users_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ChUsersPage *self = CH_USERS_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_users_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ChUsersPage *self = CH_USERS_PAGE (object);

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
ch_users_page_class_init (ChUsersPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();
  g_type_ensure (CH_TYPE_USER_ITEM);

  object_class->constructed = ch_users_page_constructed;
  object_class->dispose = ch_users_page_dispose;
  object_class->finalize = ch_users_page_finalize;
  object_class->get_property = ch_users_page_get_property;
  object_class->set_property = ch_users_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         CH_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-users-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ChUsersPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ChUsersPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, ChUsersPage, selection);
  gtk_widget_class_bind_template_child (widget_class, ChUsersPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, ChUsersPage, disable_button);
  gtk_widget_class_bind_template_child (widget_class, ChUsersPage, enable_button);
  gtk_widget_class_bind_template_callback (widget_class, on_selection_changed);

  gtk_widget_class_install_action (widget_class, "users.add", NULL, add_activated);
  gtk_widget_class_install_action (widget_class, "users.disable", NULL, disable_activated);
  gtk_widget_class_install_action (widget_class, "users.enable", NULL, enable_activated);
  gtk_widget_class_install_action (widget_class, "users.reset-password", NULL,
                                   reset_password_activated);
  gtk_widget_class_install_action (widget_class, "users.change-role", NULL,
                                   change_role_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "users.add", NULL);
}

static void
ch_users_page_init (ChUsersPage *self)
{
  self->cancellable = g_cancellable_new ();
  self->users = g_list_store_new (CH_TYPE_USER_ITEM);

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_single_selection_set_model (self->selection, G_LIST_MODEL (self->users));
  ch_users_page_update_actions (self);
}
