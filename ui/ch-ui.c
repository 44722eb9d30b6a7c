/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-ui"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <poppler.h>
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

/* The session gate. ChSession and its store are not thread-safe: one
 * SQLCipher connection, one statement cache, one transaction depth. So the
 * rule is one user of a session at a time, and it is kept here:
 *
 * - a worker runs only through ch_ui_session_run_task(), which admits one
 *   worker per session and refuses a second;
 * - while a worker runs the gate is closed: the widgets that watch it
 *   (ch_ui_session_watch_busy()) turn insensitive and disable their actions,
 *   and main-thread users of the session wait (ch_ui_session_when_idle()) or
 *   do nothing (ch_ui_session_is_busy());
 * - the gate opens when the worker has returned, just before the task's
 *   callback runs, so that the callback may use the session on the main
 *   thread or start the next worker. */

typedef struct
{
  GWeakRef  owner;
  GCallback callback;
} Waiter;

typedef struct
{
  guint      n_running;
  gboolean   closed;    /* as last told to the watchers */
  GPtrArray *waiters;   /* Waiter, called once */
  GPtrArray *watchers;  /* Waiter, called on every change */
} SessionBusy;

typedef struct
{
  ChSession           *session;
  GAsyncReadyCallback  callback;
  gpointer             callback_data;
  gboolean             admitted;
} Ticket;

static void
waiter_free (gpointer data)
{
  Waiter *waiter = data;

  g_weak_ref_clear (&waiter->owner);
  g_free (waiter);
}

static Waiter *
waiter_new (GObject   *owner,
            GCallback  callback)
{
  Waiter *waiter = g_new0 (Waiter, 1);

  g_weak_ref_init (&waiter->owner, owner);
  waiter->callback = callback;

  return waiter;
}

static void
waiter_call (Waiter  *waiter,
             GObject *owner)
{
  ((void (*) (GObject *)) waiter->callback) (owner);
}

static GQuark
session_busy_quark (void)
{
  return g_quark_from_static_string ("ch-ui-session-busy");
}

static GQuark
ticket_quark (void)
{
  return g_quark_from_static_string ("ch-ui-session-ticket");
}

static void
session_busy_free (gpointer data)
{
  SessionBusy *busy = data;

  g_clear_pointer (&busy->waiters, g_ptr_array_unref);
  g_clear_pointer (&busy->watchers, g_ptr_array_unref);
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
      busy->watchers = g_ptr_array_new_with_free_func (waiter_free);
      g_object_set_qdata_full (G_OBJECT (session), session_busy_quark (), busy,
                               session_busy_free);
    }

  return busy;
}

static void
session_busy_notify (ChSession *session)
{
  SessionBusy *busy = session_busy_get (session);
  g_autoptr(GPtrArray) owners = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) callbacks = g_ptr_array_new ();

  /* Collected first: a watcher may add another, or drop its owner. */
  for (guint i = 0; i < busy->watchers->len;)
    {
      Waiter *watcher = g_ptr_array_index (busy->watchers, i);
      GObject *owner = g_weak_ref_get (&watcher->owner);

      if (owner == NULL)
        {
          g_ptr_array_remove_index (busy->watchers, i);
          continue;
        }

      g_ptr_array_add (owners, owner);
      g_ptr_array_add (callbacks, watcher->callback);
      i++;
    }

  for (guint i = 0; i < owners->len; i++)
    ((void (*) (GObject *)) g_ptr_array_index (callbacks, i)) (g_ptr_array_index (owners, i));
}

static void
session_busy_wake (ChSession *session)
{
  SessionBusy *busy = session_busy_get (session);
  g_autoptr(GPtrArray) waiters = NULL;
  guint i;

  waiters = g_steal_pointer (&busy->waiters);
  busy->waiters = g_ptr_array_new_with_free_func (waiter_free);

  for (i = 0; i < waiters->len && busy->n_running == 0; i++)
    {
      Waiter *waiter = g_ptr_array_index (waiters, i);
      g_autoptr(GObject) owner = g_weak_ref_get (&waiter->owner);

      if (owner != NULL)
        waiter_call (waiter, owner);
    }

  /* One of them started a worker: the rest wait for that one too. */
  for (; i < waiters->len; i++)
    {
      Waiter *waiter = g_ptr_array_index (waiters, i);
      g_autoptr(GObject) owner = g_weak_ref_get (&waiter->owner);

      if (owner != NULL)
        g_ptr_array_add (busy->waiters, waiter_new (owner, waiter->callback));
    }
}

static void
session_gate_update (ChSession *session)
{
  SessionBusy *busy = session_busy_get (session);
  gboolean closed = busy->n_running > 0;

  if (closed != busy->closed)
    {
      busy->closed = closed;
      session_busy_notify (session);
    }

  if (!closed)
    session_busy_wake (session);
}

static void
ticket_free (gpointer data)
{
  Ticket *ticket = data;

  g_clear_object (&ticket->session);
  g_free (ticket);
}

static void
on_task_done (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Ticket *ticket = user_data;
  g_autoptr(ChSession) session = g_object_ref (ticket->session);
  gboolean admitted = ticket->admitted;

  if (admitted)
    {
      SessionBusy *busy = session_busy_get (session);

      g_warn_if_fail (busy->n_running > 0);
      busy->n_running = MAX (busy->n_running, 1) - 1;
      ticket->admitted = FALSE;
    }

  ticket->callback (source_object, result, ticket->callback_data);

  if (admitted)
    session_gate_update (session);
}

/**
 * ch_ui_session_task_new:
 * @session: the session the task's worker will use
 * @source_object: (nullable): as for g_task_new()
 * @cancellable: (nullable): as for g_task_new()
 * @callback: called on the main thread once the worker has returned
 * @callback_data: for @callback
 *
 * Creates a task for ch_ui_session_run_task(). The session's gate is open
 * again when @callback runs.
 *
 * Returns: (transfer full): a new task
 */
GTask *
ch_ui_session_task_new (ChSession           *session,
                        gpointer             source_object,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             callback_data)
{
  GTask *task;
  Ticket *ticket;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (callback != NULL, NULL);

  ticket = g_new0 (Ticket, 1);
  ticket->session = g_object_ref (session);
  ticket->callback = callback;
  ticket->callback_data = callback_data;

  task = g_task_new (source_object, cancellable, on_task_done, ticket);
  g_object_set_qdata_full (G_OBJECT (task), ticket_quark (), ticket, ticket_free);

  return task;
}

/**
 * ch_ui_session_run_task:
 * @task: a task from ch_ui_session_task_new()
 * @func: the worker
 *
 * Runs @func in a thread, with the session's gate closed until @func has
 * returned. While one worker runs, the UI offers no way to start another;
 * one asked for all the same is a bug, and refused: @task then returns
 * %G_IO_ERROR_BUSY without @func having run.
 *
 * Returns: whether @func runs
 */
gboolean
ch_ui_session_run_task (GTask           *task,
                        GTaskThreadFunc  func)
{
  Ticket *ticket;
  SessionBusy *busy;

  g_return_val_if_fail (G_IS_TASK (task), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  ticket = g_object_get_qdata (G_OBJECT (task), ticket_quark ());
  g_return_val_if_fail (ticket != NULL, FALSE);
  g_return_val_if_fail (!ticket->admitted, FALSE);

  busy = session_busy_get (ticket->session);
  if (busy->n_running > 0)
    {
      g_critical ("%s: a worker already uses the session; a second one was refused",
                  G_STRFUNC);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY,
                               "The session is busy");
      return FALSE;
    }

  busy->n_running++;
  ticket->admitted = TRUE;
  session_gate_update (ticket->session);
  g_task_run_in_thread (task, func);

  return TRUE;
}

/* Returns: whether a worker uses @session, so that nothing else may */
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
 * one has completed. Asked again before then, it is still called once.
 */
void
ch_ui_session_when_idle (ChSession *session,
                         GObject   *owner,
                         GCallback  callback)
{
  SessionBusy *busy;

  g_return_if_fail (CH_IS_SESSION (session));
  g_return_if_fail (G_IS_OBJECT (owner));
  g_return_if_fail (callback != NULL);

  if (!ch_ui_session_is_busy (session))
    {
      ((void (*) (GObject *)) callback) (owner);
      return;
    }

  busy = session_busy_get (session);
  for (guint i = 0; i < busy->waiters->len; i++)
    {
      Waiter *waiter = g_ptr_array_index (busy->waiters, i);
      g_autoptr(GObject) waiting = g_weak_ref_get (&waiter->owner);

      if (waiting == owner && waiter->callback == callback)
        return;
    }

  g_ptr_array_add (busy->waiters, waiter_new (owner, callback));
}

/**
 * ch_ui_session_watch_busy:
 * @session: a session
 * @owner: the object @callback is called with, for as long as it lives
 * @callback: (scope notified): a `void (*) (GObject *owner)`
 *
 * Calls @callback each time the gate of @session closes (a worker starts)
 * or opens (it has returned); ch_ui_session_is_busy() tells which.
 */
void
ch_ui_session_watch_busy (ChSession *session,
                          GObject   *owner,
                          GCallback  callback)
{
  g_return_if_fail (CH_IS_SESSION (session));
  g_return_if_fail (G_IS_OBJECT (owner));
  g_return_if_fail (callback != NULL);

  g_ptr_array_add (session_busy_get (session)->watchers, waiter_new (owner, callback));
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

/* ---- drop-down choices ----------------------------------------------------- */

static const char *
choice_label (const ChUiChoice *choice)
{
  return g_dpgettext2 (GETTEXT_PACKAGE, choice->context, choice->label);
}

/* Returns: (transfer full): the labels of @choices, for a drop-down */
GtkStringList *
ch_ui_choice_model (const ChUiChoice *choices)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  for (const ChUiChoice *choice = choices; choice->code != NULL; choice++)
    gtk_string_list_append (list, choice_label (choice));

  return list;
}

/* Returns: the code at @position of the drop-down, or %NULL */
const char *
ch_ui_choice_code (const ChUiChoice *choices,
                   guint             position)
{
  for (guint i = 0; choices[i].code != NULL; i++)
    if (i == position)
      return choices[i].code;

  return NULL;
}

/* Returns: the position of @code in the drop-down, or @fallback */
guint
ch_ui_choice_find (const ChUiChoice *choices,
                   const char       *code,
                   guint             fallback)
{
  for (guint i = 0; choices[i].code != NULL; i++)
    if (g_strcmp0 (choices[i].code, code) == 0)
      return i;

  return fallback;
}

/* Returns: the label of @code, or @code itself when it is not one of the
 * choices (an older, newer or imported record may hold another) */
const char *
ch_ui_choice_label (const ChUiChoice *choices,
                    const char       *code)
{
  for (const ChUiChoice *choice = choices; choice->code != NULL; choice++)
    if (g_strcmp0 (choice->code, code) == 0)
      return choice_label (choice);

  return code != NULL ? code : "";
}

/* ---- printing ------------------------------------------------------------------ */

static void
print_begin (GtkPrintOperation *operation,
             GtkPrintContext   *context,
             PopplerDocument   *document)
{
  gtk_print_operation_set_n_pages (operation, poppler_document_get_n_pages (document));
}

static void
print_draw_page (GtkPrintOperation *operation,
                 GtkPrintContext   *context,
                 int                page_nr,
                 PopplerDocument   *document)
{
  PopplerPage *page = poppler_document_get_page (document, page_nr);
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  double width, height, scale;

  /* The print-outs are A4; fit them to whatever paper the printer has. */
  poppler_page_get_size (page, &width, &height);
  scale = MIN (gtk_print_context_get_width (context) / width,
               gtk_print_context_get_height (context) / height);
  cairo_scale (cr, scale, scale);
  poppler_page_render_for_printing (page, cr);
  g_object_unref (page);
}

gboolean
ch_ui_print_pdf (GtkWindow   *parent,
                 GBytes      *pdf,
                 const char  *job_name,
                 const char  *export_path,
                 GError     **error)
{
  g_autoptr (GObject) document = NULL;   /* PopplerDocument: no autoptr in Poppler 22 */
  g_autoptr (GtkPrintOperation) operation = NULL;
  g_autoptr (GError) local_error = NULL;
  GtkPrintOperationResult result;

  g_return_val_if_fail (pdf != NULL, FALSE);

  document = G_OBJECT (poppler_document_new_from_bytes (pdf, NULL, &local_error));
  if (document == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not prepare the print-out: %s"),
                   local_error->message);
      return FALSE;
    }

  operation = gtk_print_operation_new ();
  gtk_print_operation_set_job_name (operation, job_name);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_use_full_page (operation, FALSE);
  g_signal_connect (operation, "begin-print", G_CALLBACK (print_begin), document);
  g_signal_connect (operation, "draw-page", G_CALLBACK (print_draw_page), document);
  if (export_path != NULL)
    gtk_print_operation_set_export_filename (operation, export_path);

  result = gtk_print_operation_run (operation,
                                    export_path != NULL ? GTK_PRINT_OPERATION_ACTION_EXPORT
                                                        : GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                                    parent, &local_error);
  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}
