/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-dicom-receiver"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-dcm-net.h"
#include "ch-dicom-receiver.h"

/* The session's SQLite connection belongs to one thread. The shim calls
 * back on its network thread, so each instance becomes a job: an idle
 * source attached to the main context of the thread that started the
 * receiver runs ch_imaging_store_instance() there, while the network thread
 * waits on a condition for the outcome, which it then answers the sender
 * with. Stopping wakes a waiting network thread (the sender is told the
 * store failed) and marks every job not yet run as cancelled, so that a job
 * still queued when the receiver stops stores nothing.
 *
 * Jobs hold a weak reference to the receiver: the last reference must not
 * be dropped on the network thread, whose finalization would have to join
 * that very thread. */

/* How long the network thread waits for the session's thread to store an
 * instance before telling the sender it failed. */
#define STORE_WAIT_SECONDS 120
/* How often a job looks again whether the session is free. */
#define BUSY_RETRY_MS 100

struct _ChDicomReceiver
{
  GObject        parent_instance;

  ChSession     *session;
  char          *ae_title;
  GStrv          allowed_peers;

  ChDcmReceiver *dcm;
  GMainContext  *context;

  ChDicomReceiverBusyFunc busy_func;
  gpointer       busy_data;
  GDestroyNotify busy_destroy;
  ChDicomReceiverRunFunc run_func;
  gpointer       run_data;

  GMutex         lock;
  GCond          cond;
  guint          generation;  /* bumped by stop(): jobs of an earlier one are stale */
  gboolean       stopping;    /* from stop() until the network thread is gone */
};

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_AE_TITLE,
  PROP_PORT,
  PROP_RUNNING,
  N_PROPS
};

enum
{
  SIGNAL_RECEIVED,
  SIGNAL_STORE_FAILED,
  SIGNAL_ASSOCIATION,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ChDicomReceiver, ch_dicom_receiver, G_TYPE_OBJECT)

/* ---- jobs ------------------------------------------------------------------ */

typedef struct
{
  gint      ref_count;
  GWeakRef  receiver;
  guint     generation;
  GBytes   *bytes;
  char     *calling_ae;
  char     *source;
  char     *sop_instance_uid;

  /* Filed on a worker (run_func): what it did, read back in the receiver's
   * thread. */
  ChSession *session;
  ChImagingStoreResult result;
  GError   *work_error;
  gboolean  work_ok;

  /* Under the receiver's lock. */
  gboolean  done;
  gboolean  cancelled;
  gboolean  ok;
  GError   *error;
} StoreJob;

static StoreJob *
store_job_ref (StoreJob *job)
{
  g_atomic_int_inc (&job->ref_count);
  return job;
}

static void
store_job_unref (gpointer data)
{
  StoreJob *job = data;

  if (!g_atomic_int_dec_and_test (&job->ref_count))
    return;
  g_weak_ref_clear (&job->receiver);
  g_bytes_unref (job->bytes);
  g_free (job->calling_ae);
  g_free (job->source);
  g_free (job->sop_instance_uid);
  g_clear_error (&job->error);
  g_clear_object (&job->session);
  ch_imaging_store_result_clear (&job->result);
  g_clear_error (&job->work_error);
  g_free (job);
}

/* Tells the waiting network thread, and the receiver's listeners, how the
 * filing of @job went. In the receiver's thread. */
static void
finish_store_job (ChDicomReceiver      *self,
                  StoreJob             *job,
                  gboolean              ok,
                  ChImagingStoreResult *result,
                  const GError         *error)
{
  g_mutex_lock (&self->lock);
  job->done = TRUE;
  job->ok = ok;
  job->error = error != NULL ? g_error_copy (error) : NULL;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  if (ok)
    g_signal_emit (self, signals[SIGNAL_RECEIVED], 0, result, job->source);
  else
    g_signal_emit (self, signals[SIGNAL_STORE_FAILED], 0, job->sop_instance_uid, job->source,
                   error != NULL ? error->message : "");
}

/* On the worker run_func gives. */
static void
store_job_work (gpointer data,
                gpointer user_data)
{
  StoreJob *job = data;

  job->work_ok = ch_imaging_store_instance (job->session, g_bytes_get_data (job->bytes, NULL),
                                            g_bytes_get_size (job->bytes), job->calling_ae,
                                            job->source, &job->result, &job->work_error);
}

/* Back in the receiver's thread: drops the reference run_store_job() gave. */
static void
store_job_finish (gpointer data)
{
  StoreJob *job = data;
  g_autoptr (ChDicomReceiver) self = g_weak_ref_get (&job->receiver);

  /* Without the receiver, nobody waits any more. */
  if (self != NULL)
    finish_store_job (self, job, job->work_ok, &job->result, job->work_error);
  store_job_unref (job);
}

/* In the session's thread. */
static gboolean
run_store_job (gpointer data)
{
  StoreJob *job = data;
  g_autoptr (ChDicomReceiver) self = g_weak_ref_get (&job->receiver);
  g_auto (ChImagingStoreResult) result = { 0 };
  GError *error = NULL;
  gboolean ok;

  if (self == NULL)
    return G_SOURCE_REMOVE;

  g_mutex_lock (&self->lock);
  if (job->cancelled || job->generation != self->generation)
    {
      g_mutex_unlock (&self->lock);
      return G_SOURCE_REMOVE;
    }
  g_mutex_unlock (&self->lock);

  /* A worker has the session: look again in a moment. */
  if (self->busy_func != NULL && self->busy_func (self->session, self->busy_data))
    {
      GSource *retry = g_timeout_source_new (BUSY_RETRY_MS);

      g_source_set_name (retry, "[charta] DICOM store (waiting for the session)");
      g_source_set_callback (retry, run_store_job, store_job_ref (job), store_job_unref);
      g_source_attach (retry, self->context);
      g_source_unref (retry);
      return G_SOURCE_REMOVE;
    }

  if (self->run_func != NULL)
    {
      job->session = g_object_ref (self->session);
      if (self->run_func (self->session, store_job_work, store_job_finish, store_job_ref (job),
                          self->run_data))
        return G_SOURCE_REMOVE;
      /* Not now after all: the reference given back, tried again shortly. */
      store_job_unref (job);
      {
        GSource *retry = g_timeout_source_new (BUSY_RETRY_MS);

        g_source_set_name (retry, "[charta] DICOM store (waiting for a worker)");
        g_source_set_callback (retry, run_store_job, store_job_ref (job), store_job_unref);
        g_source_attach (retry, self->context);
        g_source_unref (retry);
      }
      return G_SOURCE_REMOVE;
    }

  ok = ch_imaging_store_instance (self->session, g_bytes_get_data (job->bytes, NULL),
                                  g_bytes_get_size (job->bytes), job->calling_ae, job->source,
                                  &result, &error);
  finish_store_job (self, job, ok, &result, error);
  g_clear_error (&error);
  return G_SOURCE_REMOVE;
}

/* In the network thread: hands the instance to the session's thread and
 * waits for the outcome. */
static gboolean
on_store (const guint8  *data,
          gsize          size,
          const char    *calling_ae,
          const char    *peer_address,
          const char    *sop_instance_uid,
          gpointer       user_data,
          GError       **error)
{
  ChDicomReceiver *self = user_data;
  StoreJob *job = g_new0 (StoreJob, 1);
  GSource *source;
  gint64 deadline = g_get_monotonic_time () + STORE_WAIT_SECONDS * G_TIME_SPAN_SECOND;
  gboolean ok = FALSE;

  job->ref_count = 1;
  g_weak_ref_init (&job->receiver, self);
  job->bytes = g_bytes_new (data, size);
  job->calling_ae = g_strdup (calling_ae);
  /* TRANSLATORS: a modality's AE title and network address, as a document's source */
  job->source = g_strdup_printf (_("%s (%s) over DICOM"), calling_ae, peer_address);
  job->sop_instance_uid = g_strdup (sop_instance_uid);

  g_mutex_lock (&self->lock);
  job->generation = self->generation;
  if (self->stopping)
    {
      g_mutex_unlock (&self->lock);
      store_job_unref (job);
      g_set_error_literal (error, CH_DCM_NET_ERROR, CH_DCM_NET_ERROR_FAILED,
                           "The receiver is stopping");
      return FALSE;
    }
  g_mutex_unlock (&self->lock);

  /* Always a source, never g_main_context_invoke(): that could run the job
   * right here when nobody iterates the context. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_name (source, "[charta] DICOM store");
  g_source_set_callback (source, run_store_job, store_job_ref (job), store_job_unref);
  g_source_attach (source, self->context);
  g_source_unref (source);

  g_mutex_lock (&self->lock);
  while (!job->done && !self->stopping)
    if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
      break;
  if (job->done)
    {
      ok = job->ok;
      if (!ok && job->error != NULL)
        {
          gboolean invalid = g_error_matches (job->error, CH_IMAGING_ERROR,
                                              CH_IMAGING_ERROR_INVALID);

          g_set_error_literal (error, CH_DCM_NET_ERROR,
                               invalid ? CH_DCM_NET_ERROR_INVALID : CH_DCM_NET_ERROR_FAILED,
                               job->error->message);
        }
      else if (!ok)
        g_set_error_literal (error, CH_DCM_NET_ERROR, CH_DCM_NET_ERROR_FAILED, "Not stored");
    }
  else
    {
      job->cancelled = TRUE;
      g_set_error_literal (error, CH_DCM_NET_ERROR, CH_DCM_NET_ERROR_FAILED,
                           self->stopping ? "The receiver is stopping"
                                          : "Timed out while storing");
    }
  g_mutex_unlock (&self->lock);

  store_job_unref (job);
  return ok;
}

typedef struct
{
  GWeakRef  receiver;
  guint     generation;
  char     *calling_ae;
  char     *peer_address;
  gboolean  accepted;
  char     *reason;
} AssociationNote;

static void
association_note_free (gpointer data)
{
  AssociationNote *note = data;

  g_weak_ref_clear (&note->receiver);
  g_free (note->calling_ae);
  g_free (note->peer_address);
  g_free (note->reason);
  g_free (note);
}

static gboolean
emit_association (gpointer data)
{
  AssociationNote *note = data;
  g_autoptr (ChDicomReceiver) self = g_weak_ref_get (&note->receiver);
  gboolean current;

  if (self == NULL)
    return G_SOURCE_REMOVE;
  g_mutex_lock (&self->lock);
  current = note->generation == self->generation;
  g_mutex_unlock (&self->lock);
  if (current)
    g_signal_emit (self, signals[SIGNAL_ASSOCIATION], 0, note->calling_ae, note->peer_address,
                   note->accepted, note->reason);
  return G_SOURCE_REMOVE;
}

/* In the network thread. */
static void
on_association (const ChDcmAssociationEvent *event,
                gpointer                     user_data)
{
  ChDicomReceiver *self = user_data;
  AssociationNote *note = g_new0 (AssociationNote, 1);
  GSource *source;

  g_mutex_lock (&self->lock);
  if (self->stopping)
    {
      g_mutex_unlock (&self->lock);
      g_free (note);
      return;
    }
  g_mutex_unlock (&self->lock);

  g_weak_ref_init (&note->receiver, self);
  note->calling_ae = g_strdup (event->calling_ae);
  note->peer_address = g_strdup (event->peer_address);
  note->accepted = event->accepted;
  note->reason = g_strdup (event->reason);
  g_mutex_lock (&self->lock);
  note->generation = self->generation;
  g_mutex_unlock (&self->lock);

  source = g_idle_source_new ();
  g_source_set_name (source, "[charta] DICOM association");
  g_source_set_callback (source, emit_association, note, association_note_free);
  g_source_attach (source, self->context);
  g_source_unref (source);
}

/* ---- the object ------------------------------------------------------------ */

static void
ch_dicom_receiver_dispose (GObject *object)
{
  ChDicomReceiver *self = CH_DICOM_RECEIVER (object);

  ch_dicom_receiver_stop (self);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ch_dicom_receiver_parent_class)->dispose (object);
}

static void
ch_dicom_receiver_finalize (GObject *object)
{
  ChDicomReceiver *self = CH_DICOM_RECEIVER (object);

  if (self->busy_destroy != NULL)
    self->busy_destroy (self->busy_data);

  g_free (self->ae_title);
  g_strfreev (self->allowed_peers);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (ch_dicom_receiver_parent_class)->finalize (object);
}

static void
ch_dicom_receiver_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  ChDicomReceiver *self = CH_DICOM_RECEIVER (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_AE_TITLE:
      g_value_set_string (value, self->ae_title);
      break;
    case PROP_PORT:
      g_value_set_uint (value, ch_dicom_receiver_get_port (self));
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->dcm != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_dicom_receiver_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  ChDicomReceiver *self = CH_DICOM_RECEIVER (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_AE_TITLE:
      self->ae_title = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_dicom_receiver_class_init (ChDicomReceiverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ch_dicom_receiver_dispose;
  object_class->finalize = ch_dicom_receiver_finalize;
  object_class->get_property = ch_dicom_receiver_get_property;
  object_class->set_property = ch_dicom_receiver_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, CH_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AE_TITLE] =
    g_param_spec_string ("ae-title", NULL, NULL, CH_IMAGING_DEFAULT_AE_TITLE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, 65535, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_RECEIVED] =
    g_signal_new ("received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_STRING);
  signals[SIGNAL_STORE_FAILED] =
    g_signal_new ("store-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_ASSOCIATION] =
    g_signal_new ("association", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BOOLEAN,
                  G_TYPE_STRING);
}

static void
ch_dicom_receiver_init (ChDicomReceiver *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}

ChDicomReceiver *
ch_dicom_receiver_new (ChSession           *session,
                       const char          *ae_title,
                       const char * const  *allowed_peers)
{
  ChDicomReceiver *self;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (ae_title != NULL, NULL);

  self = g_object_new (CH_TYPE_DICOM_RECEIVER, "session", session, "ae-title", ae_title, NULL);
  self->allowed_peers = g_strdupv ((GStrv) allowed_peers);
  if (self->allowed_peers == NULL)
    self->allowed_peers = g_new0 (char *, 1);
  return self;
}

ChDicomReceiver *
ch_dicom_receiver_new_from_settings (ChSession  *session,
                                     guint      *out_port,
                                     GError    **error)
{
  g_autoptr (ChImagingReceiverSettings) settings = NULL;

  settings = ch_imaging_get_receiver_settings (session, error);
  if (settings == NULL)
    return NULL;
  if (out_port != NULL)
    *out_port = settings->port;
  return ch_dicom_receiver_new (session, settings->ae_title,
                                (const char * const *) settings->allowed_peers);
}

gboolean
ch_dicom_receiver_start (ChDicomReceiver  *self,
                         const char       *address,
                         guint             port,
                         GError          **error)
{
  g_autoptr (ChDcmReceiver) dcm = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (CH_IS_DICOM_RECEIVER (self), FALSE);
  g_return_val_if_fail (self->dcm == NULL, FALSE);

  if (!ch_session_check (self->session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;

  dcm = ch_dcm_receiver_new (self->ae_title, (const char * const *) self->allowed_peers,
                             on_store, on_association, self);
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  if (!ch_dcm_receiver_start (dcm, address, port, &local_error))
    {
      g_clear_pointer (&self->context, g_main_context_unref);
      /* The shim speaks English; what people most often meet, in their language. */
      if (g_error_matches (local_error, CH_DCM_NET_ERROR, CH_DCM_NET_ERROR_IN_USE))
        g_set_error (error, CH_DCM_NET_ERROR, CH_DCM_NET_ERROR_IN_USE,
                     _("Port %u is already in use"), port);
      else if (g_error_matches (local_error, CH_DCM_NET_ERROR, CH_DCM_NET_ERROR_DENIED))
        g_set_error (error, CH_DCM_NET_ERROR, CH_DCM_NET_ERROR_DENIED,
                     _("Port %u needs administrator rights; choose one above 1023"), port);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  self->dcm = g_steal_pointer (&dcm);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  return TRUE;
}

void
ch_dicom_receiver_stop (ChDicomReceiver *self)
{
  g_return_if_fail (CH_IS_DICOM_RECEIVER (self));

  if (self->dcm == NULL)
    return;

  /* Wake a network thread waiting for a store; jobs queued are stale now. */
  g_mutex_lock (&self->lock);
  self->generation++;
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  g_clear_pointer (&self->dcm, ch_dcm_receiver_free);

  g_mutex_lock (&self->lock);
  self->stopping = FALSE;
  g_mutex_unlock (&self->lock);
  g_clear_pointer (&self->context, g_main_context_unref);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

void
ch_dicom_receiver_set_busy_func (ChDicomReceiver         *self,
                                 ChDicomReceiverBusyFunc  func,
                                 gpointer                 user_data,
                                 GDestroyNotify           destroy)
{
  g_return_if_fail (CH_IS_DICOM_RECEIVER (self));

  if (self->busy_destroy != NULL)
    self->busy_destroy (self->busy_data);
  self->busy_func = func;
  self->busy_data = user_data;
  self->busy_destroy = destroy;
}

void
ch_dicom_receiver_set_run_func (ChDicomReceiver        *self,
                                ChDicomReceiverRunFunc  func,
                                gpointer                user_data)
{
  g_return_if_fail (CH_IS_DICOM_RECEIVER (self));

  self->run_func = func;
  self->run_data = user_data;
}

gboolean
ch_dicom_receiver_get_running (ChDicomReceiver *self)
{
  g_return_val_if_fail (CH_IS_DICOM_RECEIVER (self), FALSE);

  return self->dcm != NULL;
}

guint
ch_dicom_receiver_get_port (ChDicomReceiver *self)
{
  g_return_val_if_fail (CH_IS_DICOM_RECEIVER (self), 0);

  return self->dcm != NULL ? ch_dcm_receiver_get_port (self->dcm) : 0;
}

const char *
ch_dicom_receiver_get_ae_title (ChDicomReceiver *self)
{
  g_return_val_if_fail (CH_IS_DICOM_RECEIVER (self), NULL);

  return self->ae_title;
}

ChSession *
ch_dicom_receiver_get_session (ChDicomReceiver *self)
{
  g_return_val_if_fail (CH_IS_DICOM_RECEIVER (self), NULL);

  return self->session;
}
