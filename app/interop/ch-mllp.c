/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charta-interop"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ch-hl7.h"
#include "ch-mllp.h"

G_DEFINE_QUARK (ch-mllp-error-quark, ch_mllp_error)

#define READ_CHUNK (64 * 1024)
/* A frame may hold a message as large as the parser takes, and its framing. */
#define MAX_BUFFERED (CH_HL7_MAX_MESSAGE_SIZE + 16)
#define MAX_THREADS 8

/* What the server and its connection threads share: a thread may outlive
 * ch_mllp_server_free() by the time it takes to notice. */
typedef struct
{
  ChMllpHandler  handler;
  gpointer       user_data;
  GMutex         handler_lock;   /* held while the handler runs */
  gboolean       stopping;       /* under handler_lock */
  GMutex         connections_lock;
  GPtrArray     *connections;    /* GSocketConnection, open ones */
} Shared;

/* The server accepts on a thread of its own, with its own main context: it
 * works the same in a window, a command-line tool or a test. */
struct _ChMllpServer
{
  GSocketService *service;
  Shared         *shared;
  guint16         port;
  GMainContext   *context;
  GMainLoop      *loop;
  GThread        *thread;
};

static void
shared_clear (gpointer data)
{
  Shared *shared = data;

  g_mutex_clear (&shared->handler_lock);
  g_mutex_clear (&shared->connections_lock);
  g_ptr_array_unref (shared->connections);
}

static void
shared_unref (gpointer data)
{
  g_atomic_rc_box_release_full (data, shared_clear);
}

static void
shared_closure_notify (gpointer  data,
                       GClosure *closure)
{
  shared_unref (data);
}

static char *
describe_peer (GSocketConnection *connection)
{
  g_autoptr (GSocketAddress) address = g_socket_connection_get_remote_address (connection, NULL);
  g_autofree char *host = NULL;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("?");
  host = g_inet_address_to_string (
    g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  return g_strdup_printf ("%s:%u", host,
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

static gboolean
send_framed (GOutputStream *out,
             GBytes        *message,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr (GBytes) framed = ch_hl7_mllp_frame (message);
  gsize len;
  const guint8 *data = g_bytes_get_data (framed, &len);

  return g_output_stream_write_all (out, data, len, NULL, cancellable, error);
}

/* One connection, on a thread of the service: frames in, answers out, until
 * the peer closes, falls silent or the server stops. */
static gboolean
on_run (GThreadedSocketService *service,
        GSocketConnection      *connection,
        GObject                *source,
        gpointer                user_data)
{
  Shared *shared = user_data;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr (GByteArray) buffer = g_byte_array_new ();
  g_autofree char *peer = describe_peer (connection);
  g_autofree guint8 *chunk = g_malloc (READ_CHUNK);

  g_socket_set_timeout (g_socket_connection_get_socket (connection), CH_MLLP_IDLE_SECONDS);
  g_mutex_lock (&shared->connections_lock);
  g_ptr_array_add (shared->connections, g_object_ref (connection));
  g_mutex_unlock (&shared->connections_lock);

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      gssize n = g_input_stream_read (in, chunk, READ_CHUNK, NULL, &error);
      gsize offset, len, consumed;

      if (n <= 0)
        {
          if (n < 0)
            g_debug ("MLLP connection from %s ends: %s", peer, error->message);
          break;
        }
      g_byte_array_append (buffer, chunk, (guint) n);

      while (ch_hl7_mllp_unframe (buffer->data, buffer->len, &offset, &len, &consumed))
        {
          g_autoptr (GBytes) message = g_bytes_new (buffer->data + offset, len);
          g_autoptr (GBytes) answer = NULL;
          gboolean stopping;

          g_byte_array_remove_range (buffer, 0, (guint) consumed);

          g_mutex_lock (&shared->handler_lock);
          stopping = shared->stopping;
          if (!stopping)
            answer = shared->handler (message, peer, shared->user_data);
          g_mutex_unlock (&shared->handler_lock);

          if (stopping || answer == NULL
              || !send_framed (out, answer, NULL, &error))
            goto done;
        }

      if (buffer->len > MAX_BUFFERED)
        {
          g_debug ("MLLP connection from %s sent more than a message may hold", peer);
          break;
        }
    }

done:
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  g_mutex_lock (&shared->connections_lock);
  g_ptr_array_remove (shared->connections, connection);
  g_mutex_unlock (&shared->connections_lock);
  return TRUE;
}

static gpointer
accept_thread (gpointer data)
{
  ChMllpServer *self = data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

/**
 * ch_mllp_server_new:
 *
 * Returns: (transfer full): the server, listening, or %NULL with a
 *   G_IO_ERROR (the port is taken, say)
 */
ChMllpServer *
ch_mllp_server_new (const char     *address,
                    guint16         port,
                    ChMllpHandler   handler,
                    gpointer        user_data,
                    GError        **error)
{
  g_autoptr (GSocketAddress) wanted = NULL;
  g_autoptr (GSocketAddress) effective = NULL;
  g_autoptr (GInetAddress) inet = NULL;
  ChMllpServer *self;
  Shared *shared;

  g_return_val_if_fail (handler != NULL, NULL);

  inet = address != NULL ? g_inet_address_new_from_string (address)
                         : g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an IP address"), address);
      return NULL;
    }

  shared = g_atomic_rc_box_new0 (Shared);
  shared->handler = handler;
  shared->user_data = user_data;
  g_mutex_init (&shared->handler_lock);
  g_mutex_init (&shared->connections_lock);
  shared->connections = g_ptr_array_new_with_free_func (g_object_unref);

  self = g_new0 (ChMllpServer, 1);
  self->shared = shared;
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  g_main_context_push_thread_default (self->context);
  self->service = g_threaded_socket_service_new (MAX_THREADS);
  g_signal_connect_data (self->service, "run", G_CALLBACK (on_run),
                         g_atomic_rc_box_acquire (shared), shared_closure_notify, 0);

  wanted = g_inet_socket_address_new (inet, port);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), wanted,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                      &effective, error))
    {
      g_main_context_pop_thread_default (self->context);
      ch_mllp_server_free (self);
      return NULL;
    }
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_socket_service_start (self->service);
  g_main_context_pop_thread_default (self->context);

  self->thread = g_thread_new ("mllp-accept", accept_thread, self);
  return self;
}

guint16
ch_mllp_server_get_port (ChMllpServer *server)
{
  return server->port;
}

void
ch_mllp_server_free (ChMllpServer *server)
{
  Shared *shared;

  if (server == NULL)
    return;
  shared = server->shared;

  if (server->thread != NULL)
    {
      g_main_loop_quit (server->loop);
      g_thread_join (server->thread);
    }
  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));

  /* Once this is held no handler runs, and none will. */
  g_mutex_lock (&shared->handler_lock);
  shared->stopping = TRUE;
  g_mutex_unlock (&shared->handler_lock);

  /* Wakes the threads waiting for their peers. */
  g_mutex_lock (&shared->connections_lock);
  for (guint i = 0; i < shared->connections->len; i++)
    {
      GSocket *socket = g_socket_connection_get_socket (g_ptr_array_index (shared->connections, i));

      g_socket_shutdown (socket, TRUE, TRUE, NULL);
    }
  g_mutex_unlock (&shared->connections_lock);

  g_object_unref (server->service);
  /* What the service left attached to the context goes with it. */
  while (g_main_context_iteration (server->context, FALSE))
    ;
  g_main_loop_unref (server->loop);
  g_main_context_unref (server->context);
  shared_unref (shared);
  g_free (server);
}

GBytes *
ch_mllp_send (const char   *host,
              guint16       port,
              GBytes       *message,
              guint         timeout_seconds,
              GCancellable *cancellable,
              GError      **error)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GByteArray) buffer = g_byte_array_new ();
  g_autofree guint8 *chunk = g_malloc (READ_CHUNK);
  GInputStream *in;

  g_return_val_if_fail (host != NULL && message != NULL, NULL);

  g_socket_client_set_timeout (client, timeout_seconds);
  connection = g_socket_client_connect_to_host (client, host, port, cancellable, error);
  if (connection == NULL)
    return NULL;
  if (!send_framed (g_io_stream_get_output_stream (G_IO_STREAM (connection)), message,
                    cancellable, error))
    return NULL;

  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  for (;;)
    {
      gsize offset, len, consumed;
      gssize n;

      if (ch_hl7_mllp_unframe (buffer->data, buffer->len, &offset, &len, &consumed))
        return g_bytes_new (buffer->data + offset, len);
      if (buffer->len > MAX_BUFFERED)
        break;
      n = g_input_stream_read (in, chunk, READ_CHUNK, cancellable, error);
      if (n < 0)
        {
          if (error != NULL && g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
            {
              g_clear_error (error);
              g_set_error (error, CH_MLLP_ERROR, CH_MLLP_ERROR_TIMEOUT,
                           _("%s:%u did not answer within %u seconds"), host, port,
                           timeout_seconds);
            }
          return NULL;
        }
      if (n == 0)
        break;
      g_byte_array_append (buffer, chunk, (guint) n);
    }

  g_set_error (error, CH_MLLP_ERROR, CH_MLLP_ERROR_PROTOCOL,
               _("%s:%u closed the connection without an acknowledgement"), host, port);
  return NULL;
}
