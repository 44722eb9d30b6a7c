/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-lock-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-lock-page.h"
#include "ch-ui.h"

/* Shown while a session is locked: only the user's name, nothing else from
 * the practice's records. */

struct _ChLockPage
{
  AdwBin        parent_instance;

  GtkLabel     *user_label;
  GtkWidget    *password_row;
  GtkLabel     *error_label;
  GtkStack     *button_stack;
  GtkSpinner   *spinner;

  ChSession    *session;
  GCancellable *cancellable;
  gboolean      busy;
};

G_DEFINE_FINAL_TYPE (ChLockPage, ch_lock_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_BUSY,
  N_PROPS
};

enum {
  UNLOCKED,
  LOGOUT_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
ch_lock_page_update_actions (ChLockPage *self)
{
  gboolean ready = self->session != NULL && !self->busy;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lock.unlock", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lock.switch-user", ready);
}

static void
ch_lock_page_set_busy (ChLockPage *self,
                       gboolean    busy)
{
  if (self->busy == busy)
    return;

  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_stack_set_visible_child_name (self->button_stack, busy ? "spinner" : "label");
  ch_ui_set_input_sensitive (self->password_row, !busy);
  ch_lock_page_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
ch_lock_page_set_message (ChLockPage *self,
                          const char *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
unlock_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ChSession *session = g_object_get_data (G_OBJECT (task), "session");
  const char *password = task_data;
  g_autoptr(GError) error = NULL;

  if (ch_session_unlock (session, password, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
unlock_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  ChLockPage *self = CH_LOCK_PAGE (object);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      ch_lock_page_set_busy (self, FALSE);
      gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
      ch_lock_page_set_message (self, error->message);
      gtk_widget_grab_focus (self->password_row);
      return;
    }

  ch_lock_page_set_busy (self, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  ch_lock_page_set_message (self, NULL);
  g_signal_emit (self, signals[UNLOCKED], 0);
}

static void
unlock_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ChLockPage *self = CH_LOCK_PAGE (widget);
  g_autoptr(GTask) task = NULL;

  if (self->busy || self->session == NULL)
    return;

  ch_lock_page_set_message (self, NULL);
  ch_lock_page_set_busy (self, TRUE);

  task = ch_ui_session_task_new (self->session, self, self->cancellable, unlock_done, NULL);
  g_task_set_source_tag (task, unlock_activated);
  g_task_set_task_data (task,
                        ch_ui_strdup_secret (gtk_editable_get_text (GTK_EDITABLE (self->password_row))),
                        (GDestroyNotify) ch_ui_free_secret);
  g_object_set_data_full (G_OBJECT (task), "session", g_object_ref (self->session),
                          g_object_unref);
  ch_ui_session_run_task (task, unlock_thread);
}

static void
on_logout_response (AdwMessageDialog *dialog,
                    const char       *response,
                    ChLockPage       *self)
{
  if (g_strcmp0 (response, "sign-out") == 0 && self->session != NULL && !self->busy)
    g_signal_emit (self, signals[LOGOUT_REQUESTED], 0);
}

static void
switch_user_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ChLockPage *self = CH_LOCK_PAGE (widget);
  GtkWidget *dialog;
  const char *name;

  if (self->busy || self->session == NULL)
    return;

  name = ch_session_get_display_name (self->session);
  if (name == NULL || *name == '\0')
    name = ch_session_get_username (self->session);

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), NULL, NULL);
  /* Translators: %s is a person's name */
  adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (dialog), _("Sign Out %s?"), name);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog),
                               _("Their session ends, and someone else can sign in."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "sign-out", _("_Sign Out"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "sign-out",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_logout_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_password_activated (ChLockPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "lock.unlock", NULL);
}

GtkWidget *
ch_lock_page_new (void)
{
  return g_object_new (CH_TYPE_LOCK_PAGE, NULL);
}

ChSession *
ch_lock_page_get_session (ChLockPage *self)
{
  g_return_val_if_fail (CH_IS_LOCK_PAGE (self), NULL);

  return self->session;
}

void
ch_lock_page_set_session (ChLockPage *self,
                          ChSession  *session)
{
  g_return_if_fail (CH_IS_LOCK_PAGE (self));
  g_return_if_fail (session == NULL || CH_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  ch_lock_page_set_message (self, NULL);

  if (session != NULL)
    {
      const char *display_name = ch_session_get_display_name (session);
      const char *username = ch_session_get_username (session);
      g_autofree char *text = NULL;

      if (display_name != NULL && *display_name != '\0' && g_strcmp0 (display_name, username) != 0)
        /* Translators: the first %s is a person's name, the second their user name */
        text = g_strdup_printf (_("%s (%s) is signed in"), display_name, username);
      else
        /* Translators: %s is a user name */
        text = g_strdup_printf (_("%s is signed in"), username);

      gtk_label_set_text (self->user_label, text);
      gtk_widget_grab_focus (self->password_row);
    }
  else
    gtk_label_set_text (self->user_label, "");

  ch_lock_page_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

gboolean
ch_lock_page_get_busy (ChLockPage *self)
{
  g_return_val_if_fail (CH_IS_LOCK_PAGE (self), FALSE);

  return self->busy;
}

static void
ch_lock_page_dispose (GObject *object)
{
  ChLockPage *self = CH_LOCK_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);

  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_LOCK_PAGE);

  G_OBJECT_CLASS (ch_lock_page_parent_class)->dispose (object);
}

static void
ch_lock_page_finalize (GObject *object)
{
  ChLockPage *self = CH_LOCK_PAGE (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ch_lock_page_parent_class)->finalize (object);
}

static void
ch_lock_page_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ChLockPage *self = CH_LOCK_PAGE (object);

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
ch_lock_page_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  ChLockPage *self = CH_LOCK_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      ch_lock_page_set_session (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_lock_page_class_init (ChLockPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_lock_page_dispose;
  object_class->finalize = ch_lock_page_finalize;
  object_class->get_property = ch_lock_page_get_property;
  object_class->set_property = ch_lock_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         CH_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ChLockPage::unlocked:
   *
   * The session's user gave the right password; the session is open again.
   */
  signals[UNLOCKED] =
    g_signal_new ("unlocked",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * ChLockPage::logout-requested:
   *
   * Someone else wants to sign in, and the end of the locked session has
   * been confirmed.
   */
  signals[LOGOUT_REQUESTED] =
    g_signal_new ("logout-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-lock-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ChLockPage, user_label);
  gtk_widget_class_bind_template_child (widget_class, ChLockPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, ChLockPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, ChLockPage, button_stack);
  gtk_widget_class_bind_template_child (widget_class, ChLockPage, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_password_activated);

  gtk_widget_class_install_action (widget_class, "lock.unlock", NULL, unlock_activated);
  gtk_widget_class_install_action (widget_class, "lock.switch-user", NULL,
                                   switch_user_activated);
}

static void
ch_lock_page_init (ChLockPage *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  ch_lock_page_update_actions (self);
}
