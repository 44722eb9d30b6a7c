/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-imaging.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* The DICOM storage receiver as a service of a session: the shim's receiver
 * (ch-dcm-net.h) listening on its own thread, each instance it receives
 * filed with ch_imaging_store_instance() on the session, in the thread that
 * started the receiver (through that thread's default main context, which
 * must be running), never on the network thread. The sender is answered
 * only once the instance is stored or queued, or with a failure status when
 * it could not be.
 *
 * Signals, all in the thread that started the receiver:
 *  - "received" (const ChImagingStoreResult *result, const char *source):
 *    an instance filed in a chart, queued in the inbox, or a duplicate.
 *  - "store-failed" (const char *sop_instance_uid, const char *source,
 *    const char *message): one the sender was told failed.
 *  - "association" (const char *calling_ae, const char *peer_address,
 *    gboolean accepted, const char *reason): an association asked for;
 *    @reason is NULL when accepted. */

#define CH_TYPE_DICOM_RECEIVER (ch_dicom_receiver_get_type ())
G_DECLARE_FINAL_TYPE (ChDicomReceiver, ch_dicom_receiver, CH, DICOM_RECEIVER, GObject)

/* A receiver for @ae_title that accepts the calling AE titles in
 * @allowed_peers (NULL or empty: none). Not listening yet. */
ChDicomReceiver *ch_dicom_receiver_new               (ChSession           *session,
                                                      const char          *ae_title,
                                                      const char * const  *allowed_peers);

/* One configured as ch_imaging_get_receiver_settings() says (AE title and
 * allowed peers; the port is for ch_dicom_receiver_start()).
 * Returns: (transfer full) (nullable) */
ChDicomReceiver *ch_dicom_receiver_new_from_settings (ChSession           *session,
                                                      guint               *out_port,
                                                      GError             **error);

/* Starts listening on @port (0: any free one) of @address (NULL: every
 * interface). Needs write access to the clinical record, since whatever
 * arrives is filed with this session.
 *
 * Errors: CH_AUTH_ERROR_PERMISSION_DENIED, CH_DCM_NET_ERROR_IN_USE ("Port
 * 11112 is already in use") and the other CH_DCM_NET_ERRORs. */
gboolean         ch_dicom_receiver_start             (ChDicomReceiver     *self,
                                                      const char          *address,
                                                      guint                port,
                                                      GError             **error);

/* Stops listening; an association in progress is aborted and an instance
 * not yet stored is answered with a failure. No signal is emitted after it
 * returns. Call it from the thread that started the receiver. */
void             ch_dicom_receiver_stop              (ChDicomReceiver     *self);

/* Whether another thread uses @session just now (the window lends it to
 * one worker at a time: ui/ch-ui.c's ch_ui_session_is_busy()). */
typedef gboolean (*ChDicomReceiverBusyFunc) (ChSession *session,
                                             gpointer   user_data);

/* While @func says the session is busy, instances wait (retried every
 * 100 ms, the sender waiting for its answer) instead of being stored
 * beside the worker that has the session. Without one, the session is
 * taken to be the receiver's thread's alone. */
void             ch_dicom_receiver_set_busy_func     (ChDicomReceiver     *self,
                                                      ChDicomReceiverBusyFunc func,
                                                      gpointer             user_data,
                                                      GDestroyNotify       destroy);

/* Runs @work (@work_data) on a thread that may use @session, then @finish
 * (@work_data) back in the thread that started the receiver; FALSE when it
 * cannot now (the session is busy: asked again shortly). The window passes
 * its session gate (ui/ch-ui.c), so that filing images never holds up the
 * main thread. */
typedef gboolean (*ChDicomReceiverRunFunc) (ChSession      *session,
                                            GFunc           work,
                                            GDestroyNotify  finish,
                                            gpointer        work_data,
                                            gpointer        user_data);

/* With @func, each instance is filed through it instead of in the thread
 * that started the receiver. */
void             ch_dicom_receiver_set_run_func      (ChDicomReceiver     *self,
                                                      ChDicomReceiverRunFunc func,
                                                      gpointer             user_data);

gboolean         ch_dicom_receiver_get_running       (ChDicomReceiver     *self);
/* The port listened on, 0 when stopped. */
guint            ch_dicom_receiver_get_port          (ChDicomReceiver     *self);
const char      *ch_dicom_receiver_get_ae_title      (ChDicomReceiver     *self);
ChSession       *ch_dicom_receiver_get_session       (ChDicomReceiver     *self);

G_END_DECLS
