/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The network half of the DCMTK shim: a DICOM storage receiver (a C-ECHO
 * and C-STORE SCP over DCMTK's dcmnet), behind a plain C API.
 *
 * The receiver listens on its own thread and serves one association at a
 * time. Only calling AE titles on its allowed list are accepted: an empty
 * list accepts nobody (the practice has to name its modalities). Others are
 * refused with A-ASSOCIATE-RJ (permanent, service user, "calling AE title
 * not recognized"); a called AE title other than ours likewise ("called AE
 * title not recognized"). Verification and every storage SOP class DCMTK
 * knows are accepted in any usual transfer syntax (little and big endian,
 * deflate, JPEG, JPEG-LS, RLE, JPEG 2000); instances are handed over as
 * received, whether or not Charta can display them.
 *
 * Both callbacks run on the receiver's thread. No C++ exception crosses
 * this API; failures are GErrors in the CH_DCM_NET_ERROR domain. */

#include <glib.h>

G_BEGIN_DECLS

#define CH_DCM_NET_ERROR (ch_dcm_net_error_quark ())

typedef enum
{
  CH_DCM_NET_ERROR_FAILED,
  CH_DCM_NET_ERROR_IN_USE,    /* the port is taken */
  CH_DCM_NET_ERROR_ADDRESS,   /* the address to listen on is not valid or not ours */
  CH_DCM_NET_ERROR_DENIED,    /* the port needs privileges we lack */
  CH_DCM_NET_ERROR_INVALID,   /* an AE title is not valid */
} ChDcmNetError;

typedef struct _ChDcmReceiver ChDcmReceiver;

/* One association asked for, accepted or refused. Strings valid during the
 * callback only. */
typedef struct
{
  const char *calling_ae;
  const char *called_ae;
  const char *peer_address;  /* "192.0.2.5" */
  gboolean    accepted;
  const char *reason;        /* (nullable): why it was refused */
} ChDcmAssociationEvent;

/* Called for every instance received: @data is the whole DICOM Part-10 file
 * (preamble, meta header with the transfer syntax it came in, dataset). It
 * returns TRUE when the instance is kept (the C-STORE is answered Success),
 * else FALSE with @error set: CH_DCM_NET_ERROR_INVALID answers 0xC000
 * (cannot understand), anything else 0xA700 (out of resources). */
typedef gboolean (*ChDcmStoreFunc) (const guint8 *data,
                                    gsize         size,
                                    const char   *calling_ae,
                                    const char   *peer_address,
                                    const char   *sop_instance_uid,
                                    gpointer      user_data,
                                    GError      **error);

typedef void (*ChDcmAssociationFunc) (const ChDcmAssociationEvent *event,
                                      gpointer                     user_data);

GQuark         ch_dcm_net_error_quark        (void);

/* Whether @title is a valid AE title: 1–16 characters of printable ASCII,
 * no backslash, not only spaces. */
gboolean       ch_dcm_net_valid_ae_title     (const char  *title);

/* A receiver for @ae_title accepting @allowed_peers (NULL-terminated; NULL
 * or empty accepts nobody). Not listening yet. */
ChDcmReceiver *ch_dcm_receiver_new           (const char          *ae_title,
                                              const char * const  *allowed_peers,
                                              ChDcmStoreFunc       store_func,
                                              ChDcmAssociationFunc association_func,
                                              gpointer             user_data);

/* Binds @port (0: the system picks one, see ch_dcm_receiver_get_port()) on
 * @address (NULL: every interface; else an IPv4 address such as
 * "127.0.0.1") and starts the thread that accepts associations.
 *
 * Errors: CH_DCM_NET_ERROR_IN_USE ("Port 11112 is already in use"),
 * _ADDRESS, _DENIED, _INVALID, _FAILED. */
gboolean       ch_dcm_receiver_start         (ChDcmReceiver *receiver,
                                              const char    *address,
                                              guint          port,
                                              GError       **error);

/* The port listened on, once started. */
guint          ch_dcm_receiver_get_port      (ChDcmReceiver *receiver);

/* Stops listening and waits for the thread: at once when idle, within about
 * a second when an association is open (it is aborted), longer only if a
 * peer stalls in the middle of a PDU (up to the 60-second network timeout)
 * or connects and sends no A-ASSOCIATE-RQ (10 seconds). Callbacks are not
 * called after it returns. Safe to call twice, or on a receiver never
 * started. Must not be called from a callback. */
void           ch_dcm_receiver_stop          (ChDcmReceiver *receiver);

/* Stops it, then frees it. */
void           ch_dcm_receiver_free          (ChDcmReceiver *receiver);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChDcmReceiver, ch_dcm_receiver_free)

G_END_DECLS
