/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-login-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-login-page.h"
#include "ch-session.h"
#include "ch-ui.h"

struct _ChLoginPage
{
  AdwBin        parent_instance;

  GtkLabel     *practice_label;
  AdwEntryRow  *username_row;
  GtkWidget    *password_row;
  GtkLabel     *error_label;
  GtkStack     *button_stack;
  GtkSpinner   *spinner;

  ChPractice   *practice;
  GCancellable *cancellable;
  gboolean      busy;
};

G_DEFINE_FINAL_TYPE (ChLoginPage, ch_login_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_PRACTICE,
  PROP_BUSY,
  N_PROPS
};

enum {
  LOGGED_IN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  ChPractice *practice;
  char       *username;
  char       *password;
} LoginData;

static void
login_data_free (gpointer data)
{
  LoginData *login = data;

  g_clear_object (&login->practice);
  g_free (login->username);
  ch_ui_free_secret (login->password);
  g_free (login);
}

static void
ch_login_page_update_actions (ChLoginPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "login.sign-in",
                                 self->practice != NULL && !self->busy);
}

static void
ch_login_page_set_busy (ChLoginPage *self,
                        gboolean     busy)
{
  if (self->busy == busy)
    return;

  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_stack_set_visible_child_name (self->button_stack, busy ? "spinner" : "label");
  ch_ui_set_input_sensitive (GTK_WIDGET (self->username_row), !busy);
  ch_ui_set_input_sensitive (self->password_row, !busy);
  ch_login_page_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/**
 * ch_login_page_set_message:
 * @self: a login page
 * @message: (nullable): an error or notice to show above the button
 */
void
ch_login_page_set_message (ChLoginPage *self,
                           const char  *message)
{
  g_return_if_fail (CH_IS_LOGIN_PAGE (self));

  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
login_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  LoginData *login = task_data;
  g_autoptr(GError) error = NULL;
  ChSession *session;

  session = ch_session_login (login->practice, login->username, login->password, &error);
  if (session == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, session, g_object_unref);
}

static void
login_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  ChLoginPage *self = CH_LOGIN_PAGE (object);
  g_autoptr(ChSession) session = NULL;
  g_autoptr(GError) error = NULL;

  session = g_task_propagate_pointer (G_TASK (result), &error);

  if (session == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  ch_login_page_set_busy (self, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");

  if (session == NULL)
    {
      ch_login_page_set_message (self, error->message);
      gtk_widget_grab_focus (self->password_row);
      return;
    }

  ch_login_page_set_message (self, NULL);
  g_signal_emit (self, signals[LOGGED_IN], 0, session);
}

static void
sign_in_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ChLoginPage *self = CH_LOGIN_PAGE (widget);
  g_autoptr(GTask) task = NULL;
  g_autofree char *username = NULL;
  LoginData *login;

  if (self->busy || self->practice == NULL)
    return;

  username = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->username_row))));
  if (*username == '\0')
    {
      ch_login_page_set_message (self, _("Enter your user name."));
      gtk_widget_grab_focus (GTK_WIDGET (self->username_row));
      return;
    }

  login = g_new0 (LoginData, 1);
  login->practice = g_object_ref (self->practice);
  login->username = g_steal_pointer (&username);
  login->password = ch_ui_strdup_secret (gtk_editable_get_text (GTK_EDITABLE (self->password_row)));

  ch_login_page_set_message (self, NULL);
  ch_login_page_set_busy (self, TRUE);

  /* Unwrapping the key takes a noticeable moment (Argon2id). The practice is
   * left to the worker until it is done. */
  task = g_task_new (self, self->cancellable, login_done, NULL);
  g_task_set_source_tag (task, sign_in_activated);
  g_task_set_task_data (task, login, login_data_free);
  g_task_run_in_thread (task, login_thread);
}

static void
on_username_activated (ChLoginPage *self)
{
  gtk_widget_grab_focus (self->password_row);
}

static void
on_password_activated (ChLoginPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "login.sign-in", NULL);
}

GtkWidget *
ch_login_page_new (void)
{
  return g_object_new (CH_TYPE_LOGIN_PAGE, NULL);
}

ChPractice *
ch_login_page_get_practice (ChLoginPage *self)
{
  g_return_val_if_fail (CH_IS_LOGIN_PAGE (self), NULL);

  return self->practice;
}

void
ch_login_page_set_practice (ChLoginPage *self,
                            ChPractice  *practice)
{
  g_return_if_fail (CH_IS_LOGIN_PAGE (self));
  g_return_if_fail (practice == NULL || CH_IS_PRACTICE (practice));

  if (!g_set_object (&self->practice, practice))
    return;

  ch_login_page_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRACTICE]);
}

/* The practice's name lives in the encrypted database, so the window passes
 * it on once it knows it; until then the page greets with the program name. */
void
ch_login_page_set_practice_name (ChLoginPage *self,
                                 const char  *name)
{
  g_return_if_fail (CH_IS_LOGIN_PAGE (self));

  gtk_label_set_text (self->practice_label, name != NULL && *name != '\0' ? name : _("Charta"));
}

void
ch_login_page_set_username (ChLoginPage *self,
                            const char  *username)
{
  g_return_if_fail (CH_IS_LOGIN_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->username_row), username != NULL ? username : "");
}

/* Ready for the next person: no password, no stale message. */
void
ch_login_page_reset (ChLoginPage *self)
{
  const char *username;

  g_return_if_fail (CH_IS_LOGIN_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  ch_login_page_set_message (self, NULL);

  username = gtk_editable_get_text (GTK_EDITABLE (self->username_row));
  if (*username != '\0')
    gtk_widget_grab_focus (self->password_row);
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->username_row));
}

gboolean
ch_login_page_get_busy (ChLoginPage *self)
{
  g_return_val_if_fail (CH_IS_LOGIN_PAGE (self), FALSE);

  return self->busy;
}

static void
ch_login_page_dispose (GObject *object)
{
  ChLoginPage *self = CH_LOGIN_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->practice);

  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_LOGIN_PAGE);

  G_OBJECT_CLASS (ch_login_page_parent_class)->dispose (object);
}

static void
ch_login_page_finalize (GObject *object)
{
  ChLoginPage *self = CH_LOGIN_PAGE (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ch_login_page_parent_class)->finalize (object);
}

static void
ch_login_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ChLoginPage *self = CH_LOGIN_PAGE (object);

  switch (prop_id)
    {
    case PROP_PRACTICE:
      g_value_set_object (value, self->practice);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_login_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ChLoginPage *self = CH_LOGIN_PAGE (object);

  switch (prop_id)
    {
    case PROP_PRACTICE:
      ch_login_page_set_practice (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_login_page_class_init (ChLoginPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_login_page_dispose;
  object_class->finalize = ch_login_page_finalize;
  object_class->get_property = ch_login_page_get_property;
  object_class->set_property = ch_login_page_set_property;

  properties[PROP_PRACTICE] =
    g_param_spec_object ("practice", NULL, NULL,
                         CH_TYPE_PRACTICE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ChLoginPage::logged-in:
   * @session: the new session
   */
  signals[LOGGED_IN] =
    g_signal_new ("logged-in",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, CH_TYPE_SESSION);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-login-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ChLoginPage, practice_label);
  gtk_widget_class_bind_template_child (widget_class, ChLoginPage, username_row);
  gtk_widget_class_bind_template_child (widget_class, ChLoginPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, ChLoginPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, ChLoginPage, button_stack);
  gtk_widget_class_bind_template_child (widget_class, ChLoginPage, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_username_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_password_activated);

  gtk_widget_class_install_action (widget_class, "login.sign-in", NULL, sign_in_activated);
}

static void
ch_login_page_init (ChLoginPage *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  ch_login_page_set_practice_name (self, NULL);
  ch_login_page_update_actions (self);
}
