/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-ui"

#include "config.h"

#include <adwaita.h>
#include <sodium.h>
#include <string.h>

#include "ch-ui.h"
#include "ch-ui-resources.h"

/* Registered by hand, not by a constructor: the linker may drop a static
 * library's constructors. Every template class calls this first. */
void
ch_ui_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      g_resources_register (ch_ui_get_resource ());
      g_once_init_leave (&initialized, 1);
    }
}

/* ChSession and its store are not thread-safe. A worker thread may use the
 * session only while nothing on the main thread does, so the UI counts the
 * workers per session and defers locking or logging out until none run. */

typedef struct
{
  GWeakRef  owner;
  GCallback callback;
} Waiter;

typedef struct
{
  guint      n_running;
  GPtrArray *waiters;  /* Waiter */
} SessionBusy;

static void
waiter_free (gpointer data)
{
  Waiter *waiter = data;

  g_weak_ref_clear (&waiter->owner);
  g_free (waiter);
}

static GQuark
session_busy_quark (void)
{
  return g_quark_from_static_string ("ch-ui-session-busy");
}

static void
session_busy_free (gpointer data)
{
  SessionBusy *busy = data;

  g_clear_pointer (&busy->waiters, g_ptr_array_unref);
  g_free (busy);
}

static SessionBusy *
session_busy_get (ChSession *session)
{
  SessionBusy *busy = g_object_get_qdata (G_OBJECT (session), session_busy_quark ());

  if (busy == NULL)
    {
      busy = g_new0 (SessionBusy, 1);
      busy->waiters = g_ptr_array_new_with_free_func (waiter_free);
      g_object_set_qdata_full (G_OBJECT (session), session_busy_quark (), busy,
                               session_busy_free);
    }

  return busy;
}

static void
session_busy_wake (ChSession *session)
{
  SessionBusy *busy = session_busy_get (session);
  g_autoptr(GPtrArray) waiters = NULL;

  waiters = g_steal_pointer (&busy->waiters);
  busy->waiters = g_ptr_array_new_with_free_func (waiter_free);

  for (guint i = 0; i < waiters->len; i++)
    {
      Waiter *waiter = g_ptr_array_index (waiters, i);
      g_autoptr(GObject) owner = g_weak_ref_get (&waiter->owner);

      if (owner != NULL)
        ((void (*) (GObject *)) waiter->callback) (owner);
    }
}

static void
on_task_completed (GTask      *task,
                   GParamSpec *pspec,
                   ChSession  *session)
{
  SessionBusy *busy = session_busy_get (session);

  g_signal_handlers_disconnect_by_func (task, on_task_completed, session);

  g_return_if_fail (busy->n_running > 0);
  busy->n_running--;

  if (busy->n_running == 0)
    session_busy_wake (session);

  g_object_unref (session);
}

/**
 * ch_ui_session_run_task:
 * @session: the session @func will use
 * @task: the task, whose callback runs on the main thread
 * @func: the worker
 *
 * Runs @func in a thread and marks @session busy until @task completes.
 */
void
ch_ui_session_run_task (ChSession       *session,
                        GTask           *task,
                        GTaskThreadFunc  func)
{
  SessionBusy *busy;

  g_return_if_fail (CH_IS_SESSION (session));
  g_return_if_fail (G_IS_TASK (task));

  busy = session_busy_get (session);
  busy->n_running++;
  g_signal_connect (task, "notify::completed", G_CALLBACK (on_task_completed),
                    g_object_ref (session));
  g_task_run_in_thread (task, func);
}

gboolean
ch_ui_session_is_busy (ChSession *session)
{
  SessionBusy *busy;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  busy = g_object_get_qdata (G_OBJECT (session), session_busy_quark ());

  return busy != NULL && busy->n_running > 0;
}

/**
 * ch_ui_session_when_idle:
 * @session: a session
 * @owner: the object @callback is called with; the call is dropped if it goes away
 * @callback: (scope async): a `void (*) (GObject *owner)`
 *
 * Calls @callback now if no worker uses @session, otherwise once the last
 * one has completed.
 */
void
ch_ui_session_when_idle (ChSession *session,
                         GObject   *owner,
                         GCallback  callback)
{
  SessionBusy *busy;
  Waiter *waiter;

  g_return_if_fail (CH_IS_SESSION (session));
  g_return_if_fail (G_IS_OBJECT (owner));

  if (!ch_ui_session_is_busy (session))
    {
      ((void (*) (GObject *)) callback) (owner);
      return;
    }

  busy = session_busy_get (session);
  waiter = g_new0 (Waiter, 1);
  g_weak_ref_init (&waiter->owner, owner);
  waiter->callback = callback;
  g_ptr_array_add (busy->waiters, waiter);
}

/* Passwords are copied out of the entries only for the worker that needs
 * them, and wiped when it is done. */
char *
ch_ui_strdup_secret (const char *text)
{
  return g_strdup (text != NULL ? text : "");
}

void
ch_ui_free_secret (char *text)
{
  if (text == NULL)
    return;

  sodium_memzero (text, strlen (text));
  g_free (text);
}

/* Closes every window (dialogs, preferences) that belongs to @parent, so that
 * nothing stays on screen when the session locks or ends. */
void
ch_ui_close_transients (GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  g_autoptr(GPtrArray) to_close = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_if_fail (GTK_IS_WINDOW (parent));

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);
      GtkWindow *up = window;

      while ((up = gtk_window_get_transient_for (up)) != NULL)
        {
          if (up == parent)
            {
              g_ptr_array_add (to_close, g_object_ref (window));
              break;
            }
        }
    }

  for (guint i = 0; i < to_close->len; i++)
    gtk_window_destroy (g_ptr_array_index (to_close, i));
}

/* Shows the plain text @title in the nearest toast overlay above @widget, if there is one. */
void
ch_ui_toast (GtkWidget  *widget,
             const char *title)
{
  GtkWidget *overlay;
  g_autofree char *escaped = NULL;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  /* A toast's title is markup; messages from the controllers are plain text. */
  escaped = g_markup_escape_text (title, -1);

  overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (escaped));
  else if (ADW_IS_PREFERENCES_WINDOW (gtk_widget_get_root (widget)))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (gtk_widget_get_root (widget)),
                                      adw_toast_new (escaped));
}

void
ch_ui_set_row_error (GtkWidget *row,
                     gboolean   error)
{
  if (error)
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");
}

/* A text entry that loses focus by being hidden or made insensitive does
 * not hear of it in GTK 4.8 (its cursor keeps blinking and GTK warns). So
 * focus is taken away properly first. */
void
ch_ui_drop_focus_within (GtkWidget *widget)
{
  GtkRoot *root;
  GtkWidget *focus;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  root = gtk_widget_get_root (widget);
  if (root == NULL)
    return;

  focus = gtk_root_get_focus (root);
  if (focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget)))
    gtk_root_set_focus (root, NULL);
}

void
ch_ui_set_input_sensitive (GtkWidget *widget,
                           gboolean   sensitive)
{
  if (!sensitive)
    ch_ui_drop_focus_within (widget);

  gtk_widget_set_sensitive (widget, sensitive);
}

/* Shows the page @name of @stack, taking the focus off the page it hides. */
void
ch_ui_stack_show (GtkStack   *stack,
                  const char *name)
{
  GtkWidget *visible = gtk_stack_get_visible_child (stack);

  if (visible != NULL && g_strcmp0 (gtk_stack_get_visible_child_name (stack), name) != 0)
    ch_ui_drop_focus_within (visible);

  gtk_stack_set_visible_child_name (stack, name);
}
