/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-lock-page.h"
#include "ch-login-page.h"
#include "ch-main-page.h"
#include "ch-preferences-window.h"
#include "ch-setup-page.h"
#include "ch-ui.h"
#include "ch-window.h"

/* One practice, one person at a time: first-run setup or sign-in, then the
 * main page; locked after a while without input. The main page is built
 * for a session and destroyed when it locks or ends, so nothing it showed
 * stays in a widget. */

struct _ChWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  ChSetupPage          *setup_page;
  ChLoginPage          *login_page;
  ChLockPage           *lock_page;
  GtkWidget            *main_page;

  char                 *practice_dir;
  char                 *practice_name;
  ChPractice           *practice;
  ChSession            *session;

  guint                 idle_timeout_seconds;  /* 0: the practice's setting */
  guint                 idle_seconds;          /* in force for this session */
  gint64                last_activity;
  guint                 idle_source;
  gboolean              closing;
};

G_DEFINE_FINAL_TYPE (ChWindow, ch_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_PRACTICE_DIR,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void ch_window_update_actions (ChWindow *self);
static void ch_window_arm_idle_timer (ChWindow *self);

/* ---- pages ---------------------------------------------------------------- */

static void
ch_window_drop_main_page (ChWindow *self)
{
  if (self->main_page == NULL)
    return;

  ch_ui_drop_focus_within (self->main_page);
  gtk_stack_remove (self->stack, self->main_page);
  self->main_page = NULL;
}

static void
ch_window_show_main_page (ChWindow *self)
{
  g_autofree char *name = NULL;

  ch_window_drop_main_page (self);

  /* The name is not PHI; the login page greets with it next time. */
  name = ch_session_get_practice_name (self->session);
  g_free (self->practice_name);
  self->practice_name = g_steal_pointer (&name);
  ch_login_page_set_practice_name (self->login_page, self->practice_name);

  self->main_page = ch_main_page_new (self->session);
  gtk_stack_add_named (self->stack, self->main_page, "main");
  ch_ui_stack_show (self->stack, "main");

  ch_window_update_actions (self);
  ch_window_arm_idle_timer (self);
}

static void
ch_window_show_login (ChWindow *self)
{
  ch_login_page_reset (self->login_page);
  ch_ui_stack_show (self->stack, "login");
  ch_window_update_actions (self);
}

static void
ch_window_set_session (ChWindow  *self,
                       ChSession *session)
{
  if (!g_set_object (&self->session, session))
    return;

  /* While a worker uses the session, so may nothing else. */
  if (session != NULL)
    ch_ui_session_watch_busy (session, G_OBJECT (self), G_CALLBACK (ch_window_update_actions));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

static void
ch_window_open_practice (ChWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ChPractice) practice = NULL;

  if (!ch_practice_exists (self->practice_dir))
    {
      ch_setup_page_set_practice_dir (self->setup_page, self->practice_dir);
      ch_ui_stack_show (self->stack, "setup");
      ch_window_update_actions (self);
      return;
    }

  practice = ch_practice_open (self->practice_dir, &error);
  ch_login_page_set_practice (self->login_page, practice);
  if (practice != NULL)
    {
      g_free (self->practice_name);
      self->practice_name = ch_practice_get_name (practice);
      ch_login_page_set_practice_name (self->login_page, self->practice_name);
    }
  self->practice = g_steal_pointer (&practice);

  ch_window_show_login (self);

  if (self->practice == NULL)
    ch_login_page_set_message (self->login_page, error->message);
}

static void
on_setup_finished (ChWindow    *self,
                   ChPractice  *practice)
{
  g_autofree char *username = ch_setup_page_dup_username (self->setup_page);

  g_set_object (&self->practice, practice);
  g_free (self->practice_name);
  self->practice_name = ch_setup_page_dup_practice_name (self->setup_page);

  ch_login_page_set_practice (self->login_page, practice);
  ch_login_page_set_practice_name (self->login_page, self->practice_name);
  ch_login_page_set_username (self->login_page, username);
  ch_window_show_login (self);
}

static void
on_logged_in (ChWindow  *self,
              ChSession *session)
{
  ch_window_set_session (self, session);
  ch_lock_page_set_session (self->lock_page, NULL);
  ch_window_show_main_page (self);
}

static void
on_unlocked (ChWindow *self)
{
  ch_window_show_main_page (self);
}

/* ---- lock and logout ------------------------------------------------------ */

static void
ch_window_stop_idle_timer (ChWindow *self)
{
  g_clear_handle_id (&self->idle_source, g_source_remove);
}

static void
ch_window_do_lock (GObject *object)
{
  ChWindow *self = CH_WINDOW (object);

  if (self->session == NULL || ch_session_get_locked (self->session) || self->closing)
    return;

  ch_window_stop_idle_timer (self);

  /* First take every record off the screen, then wipe the key. The main
   * page goes first: it closes its own file chooser. */
  ch_window_drop_main_page (self);
  ch_ui_close_transients (GTK_WINDOW (self));
  ch_session_lock (self->session);

  ch_lock_page_set_session (self->lock_page, self->session);
  ch_ui_stack_show (self->stack, "locked");
  ch_window_update_actions (self);
}

static void
ch_window_lock (ChWindow *self)
{
  if (self->session == NULL || ch_session_get_locked (self->session))
    return;

  /* A worker is using the session; lock as soon as it is done. */
  ch_ui_session_when_idle (self->session, G_OBJECT (self), G_CALLBACK (ch_window_do_lock));
}

static void
ch_window_do_logout (GObject *object)
{
  ChWindow *self = CH_WINDOW (object);
  g_autoptr(ChSession) session = NULL;

  if (self->session == NULL)
    return;

  ch_window_stop_idle_timer (self);
  ch_window_drop_main_page (self);
  ch_ui_close_transients (GTK_WINDOW (self));

  session = g_object_ref (self->session);
  ch_session_logout (session);
  ch_lock_page_set_session (self->lock_page, NULL);
  ch_window_set_session (self, NULL);

  ch_login_page_set_username (self->login_page, NULL);
  ch_window_show_login (self);
}

static void
ch_window_logout (ChWindow *self)
{
  if (self->session == NULL)
    return;

  ch_ui_session_when_idle (self->session, G_OBJECT (self), G_CALLBACK (ch_window_do_logout));
}

static void
on_logout_requested (ChWindow *self)
{
  ch_window_logout (self);
}

/* ---- idle lock ------------------------------------------------------------ */

static gboolean
on_input_event (GtkEventControllerLegacy *controller,
                GdkEvent                 *event,
                ChWindow                 *self)
{
  self->last_activity = g_get_monotonic_time ();

  return GDK_EVENT_PROPAGATE;
}

/* Typing in one of the window's dialogs is activity too. A dialog becomes
 * transient for the window after it joined the list of toplevels. */
static void
on_transient_for_changed (GtkWindow  *window,
                          GParamSpec *pspec,
                          ChWindow   *self)
{
  GtkEventController *controller;

  if (gtk_window_get_transient_for (window) != GTK_WINDOW (self) ||
      g_object_get_data (G_OBJECT (window), "ch-activity-controller") != NULL)
    return;

  controller = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "event", G_CALLBACK (on_input_event), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (window), controller);
  g_object_set_data (G_OBJECT (window), "ch-activity-controller", controller);
}

static void
on_toplevels_changed (GListModel *toplevels,
                      guint       position,
                      guint       removed,
                      guint       added,
                      ChWindow   *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (window == GTK_WINDOW (self))
        continue;

      g_signal_connect_object (window, "notify::transient-for",
                               G_CALLBACK (on_transient_for_changed), self, 0);
      on_transient_for_changed (window, NULL, self);
    }
}

static gboolean
idle_timeout (gpointer user_data)
{
  ChWindow *self = user_data;
  gint64 idle = g_get_monotonic_time () - self->last_activity;
  gint64 limit = (gint64) self->idle_seconds * G_USEC_PER_SEC;

  self->idle_source = 0;

  if (idle >= limit)
    ch_window_lock (self);
  else
    self->idle_source = g_timeout_add ((guint) ((limit - idle) / 1000) + 1, idle_timeout, self);

  return G_SOURCE_REMOVE;
}

/* Input only moves the last-activity time; the timer checks it when it
 * fires and sleeps again for the rest. */
static void
ch_window_arm_idle_timer (ChWindow *self)
{
  ch_window_stop_idle_timer (self);

  if (self->session == NULL || ch_session_get_locked (self->session))
    return;

  self->idle_seconds = self->idle_timeout_seconds;
  if (self->idle_seconds == 0)
    self->idle_seconds = ch_session_get_idle_lock_minutes (self->session) * 60;
  if (self->idle_seconds == 0)
    return;

  self->last_activity = g_get_monotonic_time ();
  self->idle_source = g_timeout_add_seconds (self->idle_seconds, idle_timeout, self);
}

/**
 * ch_window_set_idle_timeout_seconds:
 * @self: a window
 * @seconds: the idle time before locking, or 0 for the practice's setting
 *
 * Overrides the practice's idle-lock time, for tests and demonstrations. The
 * environment variable `CHARTA_IDLE_LOCK_SECONDS` does the same.
 */
void
ch_window_set_idle_timeout_seconds (ChWindow *self,
                                    guint     seconds)
{
  g_return_if_fail (CH_IS_WINDOW (self));

  self->idle_timeout_seconds = seconds;
  ch_window_arm_idle_timer (self);
}

/* ---- actions -------------------------------------------------------------- */

static void
ch_window_update_actions (ChWindow *self)
{
  gboolean signed_in = self->session != NULL && !ch_session_get_locked (self->session);
  gboolean free = self->session == NULL || !ch_ui_session_is_busy (self->session);

  /* Locking waits for a worker by itself, and who locks the screen before
   * walking away expects it locked; the rest waits until the gate opens. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.lock", signed_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.logout", self->session != NULL && free);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.break-glass", signed_in && free);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.request-break-glass",
                                 signed_in && free);
}

static void
lock_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ch_window_lock (CH_WINDOW (widget));
}

static void
logout_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ch_window_logout (CH_WINDOW (widget));
}

static void
request_break_glass_activated (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  ChWindow *self = CH_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  const char *reason = g_variant_get_string (parameter, NULL);

  if (self->session == NULL || ch_session_get_locked (self->session))
    return;

  if (ch_ui_session_is_busy (self->session))
    {
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (_("Wait for the current change to finish")));
      return;
    }

  if (!ch_session_break_glass (self->session, reason, &error))
    {
      ch_ui_toast (GTK_WIDGET (self->stack), error->message);
      return;
    }

  if (self->main_page != NULL)
    ch_main_page_refresh (CH_MAIN_PAGE (self->main_page));

  ch_ui_toast (GTK_WIDGET (self->stack), _("Emergency access granted and recorded"));
}

static void
on_break_glass_response (AdwMessageDialog *dialog,
                         const char       *response,
                         ChWindow         *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));

  if (g_strcmp0 (response, "break-glass") != 0)
    return;

  gtk_widget_activate_action (GTK_WIDGET (self), "win.request-break-glass", "s",
                              gtk_editable_get_text (entry));
}

static void
on_reason_changed (GtkEditable      *entry,
                   AdwMessageDialog *dialog)
{
  g_autofree char *reason = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "break-glass", *reason != '\0');
}

static void
on_reason_activate (GtkEntry         *entry,
                    AdwMessageDialog *dialog)
{
  if (adw_message_dialog_get_response_enabled (dialog, "break-glass"))
    {
      /* Closing would answer with the close response; destroy instead. */
      adw_message_dialog_response (dialog, "break-glass");
      gtk_window_destroy (GTK_WINDOW (dialog));
    }
}

static void
break_glass_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ChWindow *self = CH_WINDOW (widget);
  GtkWidget *dialog;
  GtkWidget *entry;
  guint minutes;

  if (self->session == NULL || ch_session_get_locked (self->session) ||
      ch_ui_session_is_busy (self->session))
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Emergency Access"), NULL);
  minutes = ch_session_get_break_glass_minutes (self->session);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  g_dngettext (GETTEXT_PACKAGE,
                                               "Emergency access opens patients’ clinical records "
                                               "beyond your role for %u minute. It is recorded in "
                                               "the audit log with your reason, and reviewed.",
                                               "Emergency access opens patients’ clinical records "
                                               "beyond your role for %u minutes. It is recorded in "
                                               "the audit log with your reason, and reviewed.",
                                               minutes),
                                  minutes);

  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Reason"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Reason for emergency access"),
                                  GTK_ACCESSIBLE_PROPERTY_REQUIRED, TRUE,
                                  -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "break-glass", _("_Open Emergency Access"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "break-glass",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "break-glass", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  g_signal_connect_object (entry, "changed", G_CALLBACK (on_reason_changed), dialog, 0);
  g_signal_connect_object (entry, "activate", G_CALLBACK (on_reason_activate), dialog, 0);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_break_glass_response), self, 0);

  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
on_preferences_destroyed (ChWindow *self)
{
  /* The idle-lock time may have changed; it is read from the store. */
  if (self->session != NULL)
    ch_ui_session_when_idle (self->session, G_OBJECT (self), G_CALLBACK (ch_window_arm_idle_timer));
}

/**
 * ch_window_show_preferences:
 * @self: a window
 *
 * Opens the practice's preferences, if someone is signed in and no worker
 * uses the session.
 */
void
ch_window_show_preferences (ChWindow *self)
{
  GtkWidget *preferences;

  g_return_if_fail (CH_IS_WINDOW (self));

  if (self->session == NULL || ch_session_get_locked (self->session) ||
      ch_ui_session_is_busy (self->session))
    return;

  preferences = ch_preferences_window_new (GTK_WINDOW (self), self->session);
  g_signal_connect_object (preferences, "destroy", G_CALLBACK (on_preferences_destroyed), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (preferences));
}

/* ---- accessors ------------------------------------------------------------ */

ChWindow *
ch_window_new (ChApplication *application,
               const char    *practice_dir)
{
  g_return_val_if_fail (CH_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (practice_dir != NULL, NULL);

  return g_object_new (CH_TYPE_WINDOW,
                       "application", application,
                       "practice-dir", practice_dir,
                       NULL);
}

const char *
ch_window_get_practice_dir (ChWindow *self)
{
  g_return_val_if_fail (CH_IS_WINDOW (self), NULL);

  return self->practice_dir;
}

/* Returns: (transfer none) (nullable): the open practice */
ChPractice *
ch_window_get_practice (ChWindow *self)
{
  g_return_val_if_fail (CH_IS_WINDOW (self), NULL);

  return self->practice;
}

/* Returns: (transfer none) (nullable): the session, locked or not */
ChSession *
ch_window_get_session (ChWindow *self)
{
  g_return_val_if_fail (CH_IS_WINDOW (self), NULL);

  return self->session;
}

/* Returns: "setup", "login", "main" or "locked" */
const char *
ch_window_get_page_name (ChWindow *self)
{
  g_return_val_if_fail (CH_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/* Returns: (transfer none) (nullable): the main page, which exists only while
 * a session is signed in and unlocked */
GtkWidget *
ch_window_get_main_page (ChWindow *self)
{
  g_return_val_if_fail (CH_IS_WINDOW (self), NULL);

  return self->main_page;
}

/* ---- GObject -------------------------------------------------------------- */

static void
ch_window_do_close (GObject *object)
{
  gtk_window_close (GTK_WINDOW (object));
}

static gboolean
ch_window_close_request (GtkWindow *window)
{
  ChWindow *self = CH_WINDOW (window);

  /* Let a worker that holds the session finish, then end the session so
   * its key is wiped before the window goes. */
  if (self->session != NULL && ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self), G_CALLBACK (ch_window_do_close));
      return TRUE;
    }

  if (self->session != NULL)
    ch_window_do_logout (G_OBJECT (self));

  self->closing = TRUE;
  ch_window_stop_idle_timer (self);

  return GTK_WINDOW_CLASS (ch_window_parent_class)->close_request (window);
}

static void
ch_window_constructed (GObject *object)
{
  ChWindow *self = CH_WINDOW (object);

  G_OBJECT_CLASS (ch_window_parent_class)->constructed (object);

  ch_window_open_practice (self);
}

static void
ch_window_dispose (GObject *object)
{
  ChWindow *self = CH_WINDOW (object);

  ch_window_stop_idle_timer (self);
  g_signal_handlers_disconnect_by_func (gtk_window_get_toplevels (), on_toplevels_changed, self);

  if (self->session != NULL && !ch_ui_session_is_busy (self->session))
    ch_session_logout (self->session);

  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_WINDOW);
  self->main_page = NULL;

  g_clear_object (&self->session);
  g_clear_object (&self->practice);

  G_OBJECT_CLASS (ch_window_parent_class)->dispose (object);
}

static void
ch_window_finalize (GObject *object)
{
  ChWindow *self = CH_WINDOW (object);

  g_clear_pointer (&self->practice_dir, g_free);
  g_clear_pointer (&self->practice_name, g_free);

  G_OBJECT_CLASS (ch_window_parent_class)->finalize (object);
}

static void
ch_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  ChWindow *self = CH_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PRACTICE_DIR:
      g_value_set_string (value, self->practice_dir);
      break;

    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  ChWindow *self = CH_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PRACTICE_DIR:
      self->practice_dir = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_window_class_init (ChWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();
  g_type_ensure (CH_TYPE_SETUP_PAGE);
  g_type_ensure (CH_TYPE_LOGIN_PAGE);
  g_type_ensure (CH_TYPE_LOCK_PAGE);

  object_class->constructed = ch_window_constructed;
  object_class->dispose = ch_window_dispose;
  object_class->finalize = ch_window_finalize;
  object_class->get_property = ch_window_get_property;
  object_class->set_property = ch_window_set_property;
  window_class->close_request = ch_window_close_request;

  properties[PROP_PRACTICE_DIR] =
    g_param_spec_string ("practice-dir", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         CH_TYPE_SESSION,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ChWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ChWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ChWindow, setup_page);
  gtk_widget_class_bind_template_child (widget_class, ChWindow, login_page);
  gtk_widget_class_bind_template_child (widget_class, ChWindow, lock_page);
  gtk_widget_class_bind_template_callback (widget_class, on_setup_finished);
  gtk_widget_class_bind_template_callback (widget_class, on_logged_in);
  gtk_widget_class_bind_template_callback (widget_class, on_unlocked);
  gtk_widget_class_bind_template_callback (widget_class, on_logout_requested);

  gtk_widget_class_install_action (widget_class, "win.lock", NULL, lock_activated);
  gtk_widget_class_install_action (widget_class, "win.logout", NULL, logout_activated);
  gtk_widget_class_install_action (widget_class, "win.break-glass", NULL, break_glass_activated);
  gtk_widget_class_install_action (widget_class, "win.request-break-glass", "s",
                                   request_break_glass_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK,
                                       "win.lock", NULL);
}

static void
ch_window_init (ChWindow *self)
{
  GtkEventController *controller;
  const char *env;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Any input in the window counts as activity: seen in the capture phase,
   * before any widget can take it. */
  controller = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "event", G_CALLBACK (on_input_event), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  /* Dialogs are transient for the window when they are added to the list
   * of toplevels (they are set up before they are shown). */
  g_signal_connect_object (gtk_window_get_toplevels (), "items-changed",
                           G_CALLBACK (on_toplevels_changed), self, 0);

  env = g_getenv ("CHARTA_IDLE_LOCK_SECONDS");
  if (env != NULL)
    {
      guint64 seconds;

      if (g_ascii_string_to_unsigned (env, 10, 1, 24 * 3600, &seconds, NULL))
        self->idle_timeout_seconds = (guint) seconds;
    }

  ch_window_update_actions (self);
}
