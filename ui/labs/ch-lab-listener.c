/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-lab-listener"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "ch-hl7.h"
#include "ch-lab-listener.h"
#include "ch-labs.h"
#include "ch-labs-ui.h"
#include "ch-mllp.h"
#include "ch-roles.h"
#include "ch-ui.h"

/* Lab results in while the window is signed in: the MLLP server the
 * practice set up in Preferences, and its drop folder looked at every few
 * seconds. Every message is filed on a worker through the session's gate,
 * like every other use of the session in the window; the MLLP thread waits
 * for the outcome and answers with it (AA, AR, AE). A burst of messages is
 * told in one toast, and the review queue and the open chart read again.
 *
 * It lives as long as the page that started it, that is the unlocked
 * session: nothing is received while the window is locked or signed out
 * (the lab's interface engine sends again; files wait in the folder). */

#define BUSY_RETRY_MS      100
#define FOLDER_SECONDS     3
#define QUIET_MS           1500
/* Longer than any filing takes; the lab's engine times out and resends. */
#define FILE_WAIT_SECONDS  60

struct _ChLabListener
{
  GObject        parent_instance;

  GtkWidget     *widget;        /* weak: where to toast, whose window to refresh */
  ChSession     *session;
  GMainContext  *context;
  ChMllpServer  *server;
  GPtrArray     *senders;       /* (element-type GInetAddress): allowed; empty: any. Read-only once listening */
  char          *folder;
  guint          folder_source;
  gboolean       folder_running;
  char          *folder_error;  /* told once, until it changes */

  /* Shared with the MLLP thread. */
  GMutex         lock;
  GCond          cond;
  gboolean       stopping;

  /* The burst being counted. */
  guint          quiet_source;
  guint          n_imported;
  guint          n_queued;
  guint          n_rejected;
  guint          n_failed;
  GArray        *patients;      /* gint64: charts that got results */

  guint          n_received;
  char          *last_word;
};

G_DEFINE_FINAL_TYPE (ChLabListener, ch_lab_listener, G_TYPE_OBJECT)

#define LISTENER_KEY "ch-lab-listener"

/* ---- the burst -------------------------------------------------------------------- */

static gboolean
burst_quiet (gpointer user_data)
{
  ChLabListener *self = user_data;
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;

  self->quiet_source = 0;
  if (self->n_imported > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "%u lab result filed",
                                                          "%u lab results filed",
                                                          self->n_imported),
                                             self->n_imported));
  if (self->n_queued > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "%u waits in the review queue",
                                                          "%u wait in the review queue",
                                                          self->n_queued),
                                             self->n_queued));
  if (self->n_failed > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "%u could not be filed",
                                                          "%u could not be filed",
                                                          self->n_failed),
                                             self->n_failed));
  if (self->n_rejected > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "%u was rejected",
                                                          "%u were rejected",
                                                          self->n_rejected),
                                             self->n_rejected));
  g_ptr_array_add (parts, NULL);
  /* TRANSLATORS: parts of "3 lab results filed; 1 waits in the review queue" */
  joined = g_strjoinv (_("; "), (char **) parts->pdata);
  if (self->n_imported == 0)
    {
      /* TRANSLATORS: %s is e.g. "1 waits in the review queue" */
      g_free (self->last_word);
      self->last_word = g_strdup_printf (_("Lab results: %s"), joined);
    }
  else
    {
      g_free (self->last_word);
      self->last_word = g_steal_pointer (&joined);
    }

  if (self->widget != NULL)
    {
      ch_ui_toast (self->widget, self->last_word);
      if (self->patients->len == 0 || self->n_queued > 0 || self->n_failed > 0 ||
          self->n_rejected > 0)
        ch_labs_ui_results_changed (self->widget, -1);
      for (guint i = 0; i < self->patients->len; i++)
        ch_labs_ui_results_changed (self->widget, g_array_index (self->patients, gint64, i));
    }

  self->n_imported = self->n_queued = self->n_rejected = self->n_failed = 0;
  g_array_set_size (self->patients, 0);
  return G_SOURCE_REMOVE;
}

/* Counts what became of one message; the word comes when the burst is over. */
static void
count_outcome (ChLabListener            *self,
               const ChLabsImportResult *result)
{
  self->n_received++;
  switch (result != NULL ? result->outcome : CH_LABS_OUTCOME_FAILED)
    {
    case CH_LABS_OUTCOME_IMPORTED:
      self->n_imported++;
      if (result->patient_id > 0)
        g_array_append_val (self->patients, result->patient_id);
      break;
    case CH_LABS_OUTCOME_QUEUED:
      self->n_queued++;
      break;
    case CH_LABS_OUTCOME_REJECTED:
      self->n_rejected++;
      break;
    case CH_LABS_OUTCOME_FAILED:
    default:
      self->n_failed++;
      break;
    }
  g_clear_handle_id (&self->quiet_source, g_source_remove);
  self->quiet_source = g_timeout_add (QUIET_MS, burst_quiet, self);
}

/* ---- MLLP ------------------------------------------------------------------------ */

typedef struct
{
  gint                ref_count;
  GWeakRef            listener;
  GBytes             *raw;
  ChSession          *session;

  /* Filed on the worker, read by the MLLP thread once done. */
  ChLabsImportResult  result;
  gboolean            logged;

  /* Under the listener's lock. */
  gboolean            done;
  gboolean            cancelled;
} Job;

static Job *
job_ref (Job *job)
{
  g_atomic_int_inc (&job->ref_count);
  return job;
}

static void
job_unref (gpointer data)
{
  Job *job = data;

  if (!g_atomic_int_dec_and_test (&job->ref_count))
    return;
  g_weak_ref_clear (&job->listener);
  g_bytes_unref (job->raw);
  g_clear_object (&job->session);
  ch_labs_import_result_clear (&job->result);
  g_free (job);
}

static void
job_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;

  job->logged = ch_labs_import_message (job->session, job->raw, CH_LABS_SOURCE_MLLP,
                                        &job->result, &error);
  if (!job->logged)
    g_message ("A lab message could not be logged: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

static void
job_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(ChLabListener) self = g_weak_ref_get (&job->listener);

  g_task_propagate_boolean (G_TASK (result), NULL);
  /* Without the listener, nobody waits any more. */
  if (self == NULL)
    return;
  g_mutex_lock (&self->lock);
  job->done = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  count_outcome (self, job->logged ? &job->result : NULL);
}

/* In the window's thread. */
static gboolean
run_job (gpointer data)
{
  Job *job = data;
  g_autoptr(ChLabListener) self = g_weak_ref_get (&job->listener);
  g_autoptr(GTask) task = NULL;
  gboolean give_up;

  if (self == NULL)
    return G_SOURCE_REMOVE;
  g_mutex_lock (&self->lock);
  give_up = job->cancelled || self->stopping;
  g_mutex_unlock (&self->lock);
  if (give_up)
    return G_SOURCE_REMOVE;

  /* A worker has the session: look again in a moment. */
  if (ch_ui_session_is_busy (self->session))
    {
      GSource *retry = g_timeout_source_new (BUSY_RETRY_MS);

      g_source_set_name (retry, "[charta] lab message (waiting for the session)");
      g_source_set_callback (retry, run_job, job_ref (job), job_unref);
      g_source_attach (retry, self->context);
      g_source_unref (retry);
      return G_SOURCE_REMOVE;
    }

  job->session = g_object_ref (self->session);
  task = ch_ui_session_task_new (self->session, NULL, NULL, job_done, NULL);
  g_task_set_source_tag (task, run_job);
  g_task_set_task_data (task, job_ref (job), job_unref);
  ch_ui_session_run_task (task, job_thread);
  return G_SOURCE_REMOVE;
}

/* Whether @peer ("ADDRESS:PORT") is one of the senders the practice
 * allows (any, when it named none). */
static gboolean
sender_allowed (ChLabListener *self,
                const char    *peer)
{
  const char *colon = strrchr (peer, ':');
  g_autofree char *host = g_strndup (peer, colon != NULL ? (gsize) (colon - peer) : strlen (peer));
  g_autoptr(GInetAddress) address = NULL;

  if (self->senders->len == 0)
    return TRUE;
  /* An IPv4 sender on a dual-stack socket. */
  address = g_inet_address_new_from_string (g_str_has_prefix (host, "::ffff:") ? host + 7 : host);
  for (guint i = 0; address != NULL && i < self->senders->len; i++)
    if (g_inet_address_equal (address, g_ptr_array_index (self->senders, i)))
      return TRUE;
  return FALSE;
}

/* On the MLLP server's thread: hands the message to the window's thread
 * and waits for what became of it. */
static GBytes *
on_mllp_message (GBytes     *message,
                 const char *peer,
                 gpointer    user_data)
{
  ChLabListener *self = user_data;
  Job *job;
  gint64 deadline = g_get_monotonic_time () + FILE_WAIT_SECONDS * G_TIME_SPAN_SECOND;
  g_autoptr(ChHl7Message) ack = NULL;
  GSource *source;
  gboolean logged = FALSE;
  GBytes *answer;

  /* Not a lab the practice named: not read, not kept, not answered (the
   * connection closes). */
  if (!sender_allowed (self, peer))
    {
      g_message ("A lab message from %s, not an allowed sender, was refused", peer);
      return NULL;
    }

  job = g_new0 (Job, 1);

  job->ref_count = 1;
  g_weak_ref_init (&job->listener, self);
  job->raw = g_bytes_ref (message);

  g_mutex_lock (&self->lock);
  if (!self->stopping)
    {
      g_mutex_unlock (&self->lock);
      /* Always a source, never g_main_context_invoke(): that could run the
       * job right here when nobody iterates the context. */
      source = g_idle_source_new ();
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_name (source, "[charta] lab message");
      g_source_set_callback (source, run_job, job_ref (job), job_unref);
      g_source_attach (source, self->context);
      g_source_unref (source);

      g_mutex_lock (&self->lock);
      while (!job->done && !self->stopping)
        if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
          break;
      if (job->done)
        logged = job->logged;
      else
        job->cancelled = TRUE;
    }
  g_mutex_unlock (&self->lock);

  /* Not logged (stopping, timed out, the store refused): AE, and the lab
   * sends it again. */
  ack = ch_labs_make_ack (message, logged ? &job->result : NULL);
  answer = ch_hl7_message_to_bytes (ack);
  job_unref (job);
  return answer;
}

/* ---- the drop folder -------------------------------------------------------------- */

typedef struct
{
  ChSession *session;
  char      *folder;
  GArray    *results;   /* ChLabsImportResult, as the callback saw them */
  char      *error;     /* a file that could not be read or moved */
} FolderRun;

static void
folder_run_free (FolderRun *run)
{
  g_clear_object (&run->session);
  g_free (run->folder);
  g_array_unref (run->results);
  g_free (run->error);
  g_free (run);
}

static void
clear_result (gpointer data)
{
  ch_labs_import_result_clear (data);
}

/* On the worker: the result is copied, the path not kept. */
static void
on_folder_file (const char               *path,
                const ChLabsImportResult *result,
                const GError             *error,
                gpointer                  user_data)
{
  FolderRun *run = user_data;

  if (result != NULL)
    {
      ChLabsImportResult copy = { 0 };

      copy.outcome = result->outcome;
      copy.message_id = result->message_id;
      copy.patient_id = result->patient_id;
      g_array_append_val (run->results, copy);
    }
  else if (error != NULL)
    {
      g_autofree char *name = g_path_get_basename (path);

      g_free (run->error);
      run->error = g_strdup_printf ("%s: %s", name, error->message);
    }
}

static void
folder_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  FolderRun *run = task_data;
  GError *error = NULL;

  if (ch_labs_import_folder (run->session, run->folder, on_folder_file, run, &error) < 0)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
folder_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  FolderRun *run = g_task_get_task_data (G_TASK (result));
  g_autoptr(ChLabListener) self = g_weak_ref_get (user_data);
  g_autoptr(GError) error = NULL;
  const char *problem;

  g_weak_ref_clear (user_data);
  g_free (user_data);
  g_task_propagate_boolean (G_TASK (result), &error);
  if (self == NULL)
    return;
  self->folder_running = FALSE;

  for (guint i = 0; i < run->results->len; i++)
    count_outcome (self, &g_array_index (run->results, ChLabsImportResult, i));

  /* A folder that went away, or a file that cannot be moved: said once,
   * not every few seconds. */
  problem = error != NULL ? error->message : run->error;
  if (g_strcmp0 (problem, self->folder_error) != 0)
    {
      g_free (self->folder_error);
      self->folder_error = g_strdup (problem);
      if (problem != NULL && self->widget != NULL)
        {
          /* TRANSLATORS: %s says what went wrong with the lab drop folder */
          g_autofree char *text = g_strdup_printf (_("Lab drop folder: %s"), problem);

          ch_ui_toast (self->widget, text);
        }
    }
}

static gboolean
look_at_folder (gpointer user_data)
{
  ChLabListener *self = user_data;
  g_autoptr(GTask) task = NULL;
  GWeakRef *ref;
  FolderRun *run;

  /* The next look, when the session is free. */
  if (self->folder_running || ch_ui_session_is_busy (self->session) ||
      ch_session_get_locked (self->session))
    return G_SOURCE_CONTINUE;

  run = g_new0 (FolderRun, 1);
  run->session = g_object_ref (self->session);
  run->folder = g_strdup (self->folder);
  run->results = g_array_new (FALSE, TRUE, sizeof (ChLabsImportResult));
  g_array_set_clear_func (run->results, clear_result);
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  self->folder_running = TRUE;
  task = ch_ui_session_task_new (self->session, NULL, NULL, folder_done, ref);
  g_task_set_source_tag (task, look_at_folder);
  g_task_set_task_data (task, run, (GDestroyNotify) folder_run_free);
  ch_ui_session_run_task (task, folder_thread);
  return G_SOURCE_CONTINUE;
}

/* ---- public ---------------------------------------------------------------------- */

/**
 * ch_lab_listener_start:
 * @widget: the page that runs it: toasts go there, its window is refreshed
 * @session: the signed-in session
 *
 * Starts what the practice switched on, for someone who may file results
 * (their role's own access, not emergency access).
 *
 * Returns: (transfer full) (nullable): the listener; NULL with no error
 *   when the listener is off or not for this role, with @error when it
 *   cannot listen (the port in use, a bad address)
 */
ChLabListener *
ch_lab_listener_start (GtkWidget  *widget,
                       ChSession  *session,
                       GError    **error)
{
  g_autoptr(ChLabsListenerSettings) settings = NULL;
  g_autoptr(ChLabListener) self = NULL;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (ch_role_get_access (ch_session_get_role (session), CH_AREA_CLINICAL) < CH_ACCESS_WRITE)
    return NULL;
  settings = ch_labs_get_listener_settings (session, NULL);
  if (settings == NULL || !settings->enabled)
    return NULL;

  self = g_object_new (CH_TYPE_LAB_LISTENER, NULL);
  self->session = g_object_ref (session);
  self->context = g_main_context_ref_thread_default ();
  self->widget = widget;
  g_object_add_weak_pointer (G_OBJECT (widget), (gpointer *) &self->widget);
  for (guint i = 0; settings->allowed_senders[i] != NULL; i++)
    {
      GInetAddress *sender = g_inet_address_new_from_string (settings->allowed_senders[i]);

      if (sender != NULL)
        g_ptr_array_add (self->senders, sender);
    }

  self->server = ch_mllp_server_new (settings->address[0] != '\0' ? settings->address : NULL,
                                     (guint16) settings->port, on_mllp_message, self, error);
  if (self->server == NULL)
    return NULL;

  if (settings->folder[0] != '\0')
    {
      self->folder = g_strdup (settings->folder);
      self->folder_source = g_timeout_add_seconds (FOLDER_SECONDS, look_at_folder, self);
    }
  g_object_set_data (G_OBJECT (widget), LISTENER_KEY, self);
  return g_steal_pointer (&self);
}

/* Stops listening; a message being filed is finished, its sender told AE
 * if it was still waiting. */
void
ch_lab_listener_stop (ChLabListener *self)
{
  g_return_if_fail (CH_IS_LAB_LISTENER (self));

  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  /* Waits for the MLLP thread's handler, which no longer waits. */
  g_clear_pointer (&self->server, ch_mllp_server_free);
  g_clear_handle_id (&self->folder_source, g_source_remove);
  g_clear_handle_id (&self->quiet_source, g_source_remove);
  if (self->widget != NULL)
    {
      if (g_object_get_data (G_OBJECT (self->widget), LISTENER_KEY) == self)
        g_object_set_data (G_OBJECT (self->widget), LISTENER_KEY, NULL);
      g_object_remove_weak_pointer (G_OBJECT (self->widget), (gpointer *) &self->widget);
      self->widget = NULL;
    }
}

/* Returns: (transfer none) (nullable): the listener @widget started */
ChLabListener *
ch_lab_listener_get_for (GtkWidget *widget)
{
  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  return g_object_get_data (G_OBJECT (widget), LISTENER_KEY);
}

guint16
ch_lab_listener_get_port (ChLabListener *self)
{
  g_return_val_if_fail (CH_IS_LAB_LISTENER (self), 0);

  return self->server != NULL ? ch_mllp_server_get_port (self->server) : 0;
}

/* Returns: (nullable): the drop folder looked at */
const char *
ch_lab_listener_get_folder (ChLabListener *self)
{
  g_return_val_if_fail (CH_IS_LAB_LISTENER (self), NULL);

  return self->folder;
}

/* Returns: how many messages were received, whatever became of them */
guint
ch_lab_listener_get_n_received (ChLabListener *self)
{
  g_return_val_if_fail (CH_IS_LAB_LISTENER (self), 0);

  return self->n_received;
}

/* Returns: (nullable): the last burst's toast */
const char *
ch_lab_listener_get_last_word (ChLabListener *self)
{
  g_return_val_if_fail (CH_IS_LAB_LISTENER (self), NULL);

  return self->last_word;
}

/* ---- GObject ------------------------------------------------------------------- */

static void
ch_lab_listener_dispose (GObject *object)
{
  ChLabListener *self = CH_LAB_LISTENER (object);

  ch_lab_listener_stop (self);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ch_lab_listener_parent_class)->dispose (object);
}

static void
ch_lab_listener_finalize (GObject *object)
{
  ChLabListener *self = CH_LAB_LISTENER (object);

  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->folder);
  g_free (self->folder_error);
  g_free (self->last_word);
  g_array_unref (self->patients);
  g_ptr_array_unref (self->senders);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (ch_lab_listener_parent_class)->finalize (object);
}

static void
ch_lab_listener_class_init (ChLabListenerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ch_lab_listener_dispose;
  object_class->finalize = ch_lab_listener_finalize;
}

static void
ch_lab_listener_init (ChLabListener *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->patients = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->senders = g_ptr_array_new_with_free_func (g_object_unref);
}
