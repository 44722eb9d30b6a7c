/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "ch-hl7.h"
#include "ch-mllp.h"

/* The MLLP server and client on loopback: several messages on one
 * connection, frames split across writes and run together, junk before a
 * frame, a handler that closes without answering, a peer that never answers
 * (the client's time-out), and a server freed while a peer holds a
 * connection open. */

typedef struct
{
  GMutex     lock;
  GPtrArray *received;   /* char *, the messages the handler saw */
  gint       running;    /* handlers running at once, at most */
  gint       max_running;
  guint      delay_ms;
} Handler;

static GBytes *
answer (GBytes     *message,
        const char *peer,
        gpointer    user_data)
{
  Handler *h = user_data;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  gint now = g_atomic_int_add (&h->running, 1) + 1;

  g_assert_true (g_str_has_prefix (peer, "127.0.0.1:"));
  g_mutex_lock (&h->lock);
  g_ptr_array_add (h->received, g_strndup (data, len));
  h->max_running = MAX (h->max_running, now);
  g_mutex_unlock (&h->lock);
  if (h->delay_ms > 0)
    g_usleep (h->delay_ms * 1000);
  g_atomic_int_add (&h->running, -1);

  if (len >= 5 && memcmp (data, "CLOSE", 5) == 0)
    return NULL;
  return g_bytes_new_take (g_strdup_printf ("ACK:%.*s", (int) len, data), len + 4);
}

static void
handler_init (Handler *h)
{
  memset (h, 0, sizeof *h);
  g_mutex_init (&h->lock);
  h->received = g_ptr_array_new_with_free_func (g_free);
}

static void
handler_clear (Handler *h)
{
  g_mutex_clear (&h->lock);
  g_ptr_array_unref (h->received);
}

static GSocketConnection *
connect_raw (guint16 port)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GError) error = NULL;
  GSocketConnection *connection;

  g_socket_client_set_timeout (client, 10);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

static void
write_raw (GSocketConnection *connection,
           const char        *data,
           gsize              len)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                            data, len, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* Reads one framed answer. */
static char *
read_answer (GSocketConnection *connection)
{
  g_autoptr (GByteArray) buffer = g_byte_array_new ();
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));

  for (;;)
    {
      guint8 chunk[256];
      gsize offset, len, consumed;
      gssize n;

      if (ch_hl7_mllp_unframe (buffer->data, buffer->len, &offset, &len, &consumed))
        return g_strndup ((const char *) buffer->data + offset, len);
      n = g_input_stream_read (in, chunk, sizeof chunk, NULL, NULL);
      if (n <= 0)
        return NULL;
      g_byte_array_append (buffer, chunk, (guint) n);
    }
}

static void
test_round_trip (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChMllpServer) server = NULL;
  g_autoptr (GBytes) message = g_bytes_new_static ("MSH|^~\\&|LAB\rPID|1", 18);
  g_autoptr (GBytes) ack = NULL;
  Handler h;

  handler_init (&h);
  server = ch_mllp_server_new ("127.0.0.1", 0, answer, &h, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ch_mllp_server_get_port (server), >, 0);

  ack = ch_mllp_send ("127.0.0.1", ch_mllp_server_get_port (server), message, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (ack, NULL), g_bytes_get_size (ack),
                   "ACK:MSH|^~\\&|LAB\rPID|1", 22);
  g_assert_cmpuint (h.received->len, ==, 1);

  g_clear_pointer (&server, ch_mllp_server_free);
  handler_clear (&h);
}

static void
test_frames_on_one_connection (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChMllpServer) server = NULL;
  g_autoptr (GSocketConnection) connection = NULL;
  g_autofree char *a1 = NULL;
  g_autofree char *a2 = NULL;
  g_autofree char *a3 = NULL;
  Handler h;

  handler_init (&h);
  server = ch_mllp_server_new ("127.0.0.1", 0, answer, &h, &error);
  g_assert_no_error (error);
  connection = connect_raw (ch_mllp_server_get_port (server));

  /* Junk before the first frame; a frame split across writes. */
  write_raw (connection, "\r\n\x0bONE", 6);
  g_usleep (50 * 1000);
  write_raw (connection, "-FIRST\x1c\r", 8);
  a1 = read_answer (connection);
  g_assert_cmpstr (a1, ==, "ACK:ONE-FIRST");

  /* Two frames in one write: two answers, in order. */
  write_raw (connection, "\x0bTWO\x1c\r\x0bTHREE\x1c\r", 14);
  a2 = read_answer (connection);
  a3 = read_answer (connection);
  g_assert_cmpstr (a2, ==, "ACK:TWO");
  g_assert_cmpstr (a3, ==, "ACK:THREE");
  g_assert_cmpuint (h.received->len, ==, 3);

  /* A handler that answers nothing closes the connection. */
  write_raw (connection, "\x0b" "CLOSE\x1c\r", 8);
  g_assert_null (read_answer (connection));

  g_clear_object (&connection);
  g_clear_pointer (&server, ch_mllp_server_free);
  handler_clear (&h);
}

typedef struct
{
  guint16  port;
  char    *text;
  GBytes  *ack;
  GError  *error;
} Sender;

static gpointer
send_thread (gpointer data)
{
  Sender *s = data;
  g_autoptr (GBytes) message = g_bytes_new (s->text, strlen (s->text));

  s->ack = ch_mllp_send ("127.0.0.1", s->port, message, 20, NULL, &s->error);
  return NULL;
}

static void
test_one_handler_at_a_time (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChMllpServer) server = NULL;
  Sender senders[4] = { { 0 } };
  GThread *threads[4];
  Handler h;

  handler_init (&h);
  h.delay_ms = 100;
  server = ch_mllp_server_new ("127.0.0.1", 0, answer, &h, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (senders); i++)
    {
      senders[i].port = ch_mllp_server_get_port (server);
      senders[i].text = g_strdup_printf ("MESSAGE-%u", i);
      threads[i] = g_thread_new ("sender", send_thread, &senders[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (senders); i++)
    {
      g_autofree char *expected = g_strdup_printf ("ACK:%s", senders[i].text);

      g_thread_join (threads[i]);
      g_assert_no_error (senders[i].error);
      g_assert_cmpmem (g_bytes_get_data (senders[i].ack, NULL), g_bytes_get_size (senders[i].ack),
                       expected, strlen (expected));
      g_bytes_unref (senders[i].ack);
      g_free (senders[i].text);
    }
  g_assert_cmpuint (h.received->len, ==, 4);
  g_assert_cmpint (h.max_running, ==, 1);

  g_clear_pointer (&server, ch_mllp_server_free);
  handler_clear (&h);
}

static void
test_no_answer_times_out (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GBytes) message = g_bytes_new_static ("MSH|^~\\&|", 9);
  g_autoptr (GBytes) ack = NULL;
  gint64 started;
  guint16 port;

  /* Accepts (the kernel's backlog does) and never answers. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);

  started = g_get_monotonic_time ();
  ack = ch_mllp_send ("127.0.0.1", port, message, 1, NULL, &error);
  g_assert_null (ack);
  g_assert_error (error, CH_MLLP_ERROR, CH_MLLP_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  g_clear_error (&error);

  /* Nobody listening: refused at once. */
  g_socket_listener_close (listener);
  ack = ch_mllp_send ("127.0.0.1", port, message, 5, NULL, &error);
  g_assert_null (ack);
  g_assert_nonnull (error);
}

static void
test_free_with_idle_peer (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) connection = NULL;
  ChMllpServer *server;
  Handler h;
  gint64 started;

  handler_init (&h);
  server = ch_mllp_server_new ("127.0.0.1", 0, answer, &h, &error);
  g_assert_no_error (error);
  connection = connect_raw (ch_mllp_server_get_port (server));
  /* Half a message, then silence. */
  write_raw (connection, "\x0bHALF", 5);
  g_usleep (100 * 1000);

  started = g_get_monotonic_time ();
  ch_mllp_server_free (server);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 2 * G_USEC_PER_SEC);
  /* The rest arrives too late: nobody handles it. */
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             "\x1c\r", 2, NULL, NULL, NULL);
  g_usleep (100 * 1000);
  g_assert_cmpuint (h.received->len, ==, 0);
  handler_clear (&h);
}

static void
test_bad_address (void)
{
  g_autoptr (GError) error = NULL;
  Handler h;

  handler_init (&h);
  g_assert_null (ch_mllp_server_new ("not-an-address", 0, answer, &h, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  handler_clear (&h);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mllp/round-trip", test_round_trip);
  g_test_add_func ("/mllp/frames-on-one-connection", test_frames_on_one_connection);
  g_test_add_func ("/mllp/one-handler-at-a-time", test_one_handler_at_a_time);
  g_test_add_func ("/mllp/no-answer-times-out", test_no_answer_times_out);
  g_test_add_func ("/mllp/free-with-idle-peer", test_free_with_idle_peer);
  g_test_add_func ("/mllp/bad-address", test_bad_address);

  return g_test_run ();
}
