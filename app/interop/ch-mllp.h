/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* MLLP, the Minimal Lower Layer Protocol labs send HL7 v2 over: each message
 * framed by a vertical tab and FS CR, answered by an acknowledgement in the
 * same frame on the same connection.
 *
 * The server takes connections on its own threads and hands each complete
 * message to @handler one at a time (never two at once, whatever the number
 * of connections), then sends back what the handler returns. */

#define CH_MLLP_ERROR (ch_mllp_error_quark ())

typedef enum
{
  CH_MLLP_ERROR_FAILED,
  CH_MLLP_ERROR_TIMEOUT,
  CH_MLLP_ERROR_PROTOCOL,   /* the peer's answer was not an MLLP frame */
} ChMllpError;

GQuark ch_mllp_error_quark (void);

/* How long a connection may stay silent, mid-message or between messages. */
#define CH_MLLP_IDLE_SECONDS 120

/* Answers one message: returns the acknowledgement (unframed), or %NULL to
 * close the connection without one. @peer is "ADDRESS:PORT". Called on a
 * server thread, serialized. */
typedef GBytes *(*ChMllpHandler) (GBytes     *message,
                                  const char *peer,
                                  gpointer    user_data);

typedef struct _ChMllpServer ChMllpServer;

/* Listens on @address (%NULL: every address) and @port (0: any free one). */
ChMllpServer *ch_mllp_server_new      (const char     *address,
                                       guint16         port,
                                       ChMllpHandler   handler,
                                       gpointer        user_data,
                                       GError        **error);
guint16       ch_mllp_server_get_port (ChMllpServer   *server);
/* Stops listening, waits for the handler to return if it is running, and
 * frees @server. */
void          ch_mllp_server_free     (ChMllpServer   *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChMllpServer, ch_mllp_server_free)

/* Sends @message to HOST:PORT and waits up to @timeout_seconds for the
 * acknowledgement. Returns: (transfer full): it (unframed), or %NULL */
GBytes       *ch_mllp_send            (const char     *host,
                                       guint16         port,
                                       GBytes         *message,
                                       guint           timeout_seconds,
                                       GCancellable   *cancellable,
                                       GError        **error);

G_END_DECLS
