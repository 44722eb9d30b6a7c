/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-dcm-net"

/* The DICOM storage receiver over DCMTK's association and DIMSE layers.
 *
 * The listening socket is ours, not DCMTK's: bound here, so that the port
 * can be 0 (the system picks) or on one address, and so that a port in use
 * is told as such from errno. It is put in place of the one
 * ASC_initializeNetwork() opened, through the network key DCMTK declares in
 * dulstruc.h. The thread waits in poll() on it and on a pipe that stop()
 * writes to, so stopping does not wait for a timeout when idle; within an
 * association DIMSE is polled once a second. Every entry point catches
 * every exception, so none unwinds into C. */

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dcostrmb.h"
#include "dcmtk/dcmnet/assoc.h"
#include "dcmtk/dcmnet/dimse.h"
#include "dcmtk/dcmnet/diutil.h"
#include "dcmtk/dcmnet/dul.h"
#include "dcmtk/dcmnet/dulstruc.h"
#include "dcmtk/oflog/oflog.h"

#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <mutex>
#include <netinet/in.h>
#include <new>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#include "ch-dcm-net.h"
#include "ch-dcm-private.h"

G_DEFINE_QUARK (ch-dcm-net-error-quark, ch_dcm_net_error)

/* How long, in seconds, an association may stay silent, and how long the
 * peer has to send its A-ASSOCIATE-RQ once connected. */
#define IDLE_TIMEOUT 60
#define ASSOCIATE_TIMEOUT 10

/* How long stop() waits for the network thread, in milliseconds. */
#define STOP_WAIT_MS 2000

struct _ChDcmReceiver
{
  std::string ae_title;
  std::vector<std::string> allowed;
  ChDcmStoreFunc store_func = nullptr;
  ChDcmAssociationFunc association_func = nullptr;
  gpointer user_data = nullptr;

  T_ASC_Network *net = nullptr;
  int listen_fd = -1;
  int wake[2] = { -1, -1 };
  guint port = 0;
  GThread *thread = nullptr;
  std::atomic<bool> stopping { false };

  /* The callbacks run under cb_lock, and never once stop() has set
   * stopping under it: after stop() returns, user_data may be gone. */
  std::mutex cb_lock;

  /* A peer that stalls inside DCMTK can keep the network thread for as long
   * as its socket stays open; stop() does not wait for it past
   * STOP_WAIT_MS: the thread is left to end on its own (orphaned) and
   * closes the network then. */
  std::mutex exit_lock;
  std::condition_variable exit_cond;
  bool exited = false;
  bool orphaned = false;
};

namespace {

std::once_flag init_once;

void
init_dcmnet ()
{
  std::call_once (init_once, [] {
    OFLog::configure (OFLogger::OFF_LOG_LEVEL);
    /* The peer's numeric address: no reverse lookup to wait for. */
    dcmDisableGethostbyaddr.set (OFTrue);
    /* A peer that goes away while we answer must not kill the process. */
    struct sigaction old;
    if (sigaction (SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL)
      signal (SIGPIPE, SIG_IGN);
  });
}

#define set_error(error, code, ...) \
  ch_dcm_set_error ((error), CH_DCM_NET_ERROR, (gint) (code), __VA_ARGS__)

void
set_exception_error (GError **error)
{
  ch_dcm_set_exception_error (error, CH_DCM_NET_ERROR, CH_DCM_NET_ERROR_FAILED,
                              "Out of memory in the DICOM receiver");
}

std::string
trimmed (const char *text)
{
  std::string s (text != nullptr ? text : "");
  size_t begin = s.find_first_not_of (' ');
  size_t end = s.find_last_not_of (' ');

  if (begin == std::string::npos)
    return std::string ();
  return s.substr (begin, end - begin + 1);
}

/* Transfer syntaxes accepted for storage, compressed ones first: an
 * instance is kept as the modality has it, not decompressed on the way. */
const char *storage_syntaxes[] = {
  UID_JPEG2000LosslessOnlyTransferSyntax,
  UID_JPEG2000TransferSyntax,
  UID_JPEGLSLosslessTransferSyntax,
  UID_JPEGLSLossyTransferSyntax,
  UID_JPEGProcess14SV1TransferSyntax,
  UID_JPEGProcess14TransferSyntax,
  UID_JPEGProcess1TransferSyntax,
  UID_JPEGProcess2_4TransferSyntax,
  UID_RLELosslessTransferSyntax,
  UID_DeflatedExplicitVRLittleEndianTransferSyntax,
  UID_LittleEndianExplicitTransferSyntax,
  UID_BigEndianExplicitTransferSyntax,
  UID_LittleEndianImplicitTransferSyntax,
};

const char *echo_syntaxes[] = {
  UID_LittleEndianExplicitTransferSyntax,
  UID_BigEndianExplicitTransferSyntax,
  UID_LittleEndianImplicitTransferSyntax,
};

void
report (ChDcmReceiver *self,
        const std::string &calling,
        const std::string &called,
        const char *peer,
        gboolean accepted,
        const char *reason)
{
  ChDcmAssociationEvent event = {
    calling.c_str (), called.c_str (), peer, accepted, reason,
  };

  std::lock_guard<std::mutex> guard (self->cb_lock);

  if (self->association_func == nullptr || self->stopping.load ())
    return;
  try
    {
      self->association_func (&event, self->user_data);
    }
  catch (...)
    {
    }
}

/* The dataset as a Part-10 file in memory, in @xfer. */
bool
encode_file (DcmDataset *dataset,
             E_TransferSyntax xfer,
             const std::string &calling,
             GByteArray *out)
{
  DcmFileFormat file (dataset, OFFalse);  /* takes the dataset over */
  char buffer[64 * 1024];
  DcmOutputBufferStream stream (buffer, sizeof buffer);
  OFCondition cond;
  void *chunk = nullptr;
  offile_off_t length = 0;

  if (!calling.empty ())
    file.getMetaInfo ()->putAndInsertString (DCM_SourceApplicationEntityTitle, calling.c_str ());

  file.transferInit ();
  do
    {
      /* Updating the meta header keeps the sender's AE title in it. */
      cond = file.write (stream, xfer, EET_ExplicitLength, nullptr, EGL_recalcGL,
                         EPD_withoutPadding, 0, 0, 0, EWM_updateMeta);
      stream.flushBuffer (chunk, length);
      if (length > 0)
        g_byte_array_append (out, static_cast<const guint8 *> (chunk), (guint) length);
    }
  while (cond == EC_StreamNotifyClient);
  file.transferEnd ();
  return cond.good ();
}

void
send_store_response (T_ASC_Association *assoc,
                     T_ASC_PresentationContextID pres_id,
                     T_DIMSE_C_StoreRQ *req,
                     DIC_US status,
                     const char *comment)
{
  T_DIMSE_C_StoreRSP rsp;
  DcmDataset *detail = nullptr;

  memset (&rsp, 0, sizeof rsp);
  rsp.MessageIDBeingRespondedTo = req->MessageID;
  rsp.DimseStatus = status;
  rsp.DataSetType = DIMSE_DATASET_NULL;
  OFStandard::strlcpy (rsp.AffectedSOPClassUID, req->AffectedSOPClassUID,
                       sizeof rsp.AffectedSOPClassUID);
  OFStandard::strlcpy (rsp.AffectedSOPInstanceUID, req->AffectedSOPInstanceUID,
                       sizeof rsp.AffectedSOPInstanceUID);
  rsp.opts = O_STORE_AFFECTEDSOPCLASSUID | O_STORE_AFFECTEDSOPINSTANCEUID;

  if (status != STATUS_Success && comment != nullptr)
    {
      /* ErrorComment is LO: 64 characters at most. */
      std::string text (comment);

      if (text.size () > 64)
        text.resize (64);
      detail = new DcmDataset ();
      detail->putAndInsertString (DCM_ErrorComment, text.c_str ());
    }
  DIMSE_sendStoreResponse (assoc, pres_id, req, &rsp, detail);
  delete detail;
}

/* Receives the dataset of one C-STORE and answers it. FALSE when the
 * association can no longer be used. */
bool
handle_store (ChDcmReceiver *self,
              T_ASC_Association *assoc,
              T_ASC_PresentationContextID pres_id,
              T_DIMSE_C_StoreRQ *req,
              const std::string &calling,
              const char *peer)
{
  T_ASC_PresentationContext pc;
  DcmDataset *dataset = nullptr;
  GByteArray *bytes;
  g_autoptr (GError) local_error = NULL;
  E_TransferSyntax xfer;
  DIC_US status = STATUS_Success;
  OFCondition cond;
  bool kept = false;

  cond = DIMSE_receiveDataSetInMemory (assoc, DIMSE_NONBLOCKING, IDLE_TIMEOUT, &pres_id, &dataset,
                                       nullptr, nullptr);
  if (cond.bad () || dataset == nullptr)
    {
      delete dataset;
      return false;
    }
  if (ASC_findAcceptedPresentationContext (assoc->params, pres_id, &pc).bad ())
    {
      delete dataset;
      send_store_response (assoc, pres_id, req, STATUS_STORE_Error_CannotUnderstand,
                           "Unknown presentation context");
      return true;
    }
  xfer = DcmXfer (pc.acceptedTransferSyntax).getXfer ();

  bytes = g_byte_array_new ();
  if (!encode_file (dataset, xfer, calling, bytes))
    {
      status = STATUS_STORE_Error_CannotUnderstand;
      g_set_error_literal (&local_error, CH_DCM_NET_ERROR, CH_DCM_NET_ERROR_INVALID,
                           "The data set could not be encoded");
    }
  else if (self->store_func != nullptr)
    {
      try
        {
          std::lock_guard<std::mutex> guard (self->cb_lock);

          if (self->stopping.load ())
            g_set_error_literal (&local_error, CH_DCM_NET_ERROR, CH_DCM_NET_ERROR_FAILED,
                                 "The receiver is stopping");
          else
            kept = self->store_func (bytes->data, bytes->len, calling.c_str (), peer,
                                     req->AffectedSOPInstanceUID, self->user_data, &local_error);
        }
      catch (...)
        {
          kept = false;
          g_clear_error (&local_error);
        }
      if (!kept)
        status = g_error_matches (local_error, CH_DCM_NET_ERROR, CH_DCM_NET_ERROR_INVALID)
                 ? STATUS_STORE_Error_CannotUnderstand
                 : STATUS_STORE_Refused_OutOfResources;
    }
  g_byte_array_unref (bytes);

  send_store_response (assoc, pres_id, req, status,
                       local_error != nullptr ? local_error->message : nullptr);
  return true;
}

/* Negotiates, then serves one association until the peer releases it, it
 * breaks, it stays silent too long, or we are stopping. */
void
serve (ChDcmReceiver *self,
       T_ASC_Association *assoc)
{
  char calling_buf[64] = "", called_buf[64] = "", context[128] = "";
  const char *peer = assoc->params->DULparams.callingPresentationAddress;
  T_ASC_RejectParameters rej = { ASC_RESULT_REJECTEDPERMANENT, ASC_SOURCE_SERVICEUSER,
                                 ASC_REASON_SU_NOREASON };
  const char *verification[] = { UID_VerificationSOPClass };
  const char *why = nullptr;
  std::string calling, called;
  int idle = 0;

  ASC_getAPTitles (assoc->params, calling_buf, sizeof calling_buf, called_buf, sizeof called_buf,
                   nullptr, 0);
  ASC_getApplicationContextName (assoc->params, context, sizeof context);
  calling = trimmed (calling_buf);
  called = trimmed (called_buf);

  if (strcmp (context, UID_StandardApplicationContext) != 0)
    {
      rej.reason = ASC_REASON_SU_APPCONTEXTNAMENOTSUPPORTED;
      why = "application context name not supported";
    }
  else if (called != self->ae_title)
    {
      rej.reason = ASC_REASON_SU_CALLEDAETITLENOTRECOGNIZED;
      why = "called AE title not recognized";
    }
  else
    {
      bool known = false;

      for (const std::string &peer_title : self->allowed)
        known = known || peer_title == calling;
      if (!known)
        {
          rej.reason = ASC_REASON_SU_CALLINGAETITLENOTRECOGNIZED;
          why = "calling AE title not recognized";
        }
    }
  if (why != nullptr)
    {
      ASC_rejectAssociation (assoc, &rej);
      report (self, calling, called, peer, FALSE, why);
      return;
    }

  if (ASC_acceptContextsWithPreferredTransferSyntaxes (assoc->params, verification, 1,
                                                       echo_syntaxes,
                                                       (int) G_N_ELEMENTS (echo_syntaxes)).bad ()
      || ASC_acceptContextsWithPreferredTransferSyntaxes (assoc->params, dcmAllStorageSOPClassUIDs,
                                                          numberOfDcmAllStorageSOPClassUIDs,
                                                          storage_syntaxes,
                                                          (int) G_N_ELEMENTS (storage_syntaxes)).bad ()
      || ASC_acknowledgeAssociation (assoc).bad ())
    {
      ASC_abortAssociation (assoc);
      report (self, calling, called, peer, FALSE, "negotiation failed");
      return;
    }
  report (self, calling, called, peer, TRUE, nullptr);

  for (;;)
    {
      T_ASC_PresentationContextID pres_id = 0;
      T_DIMSE_Message msg;
      OFCondition cond;

      if (self->stopping.load ())
        {
          ASC_abortAssociation (assoc);
          return;
        }
      memset (&msg, 0, sizeof msg);
      cond = DIMSE_receiveCommand (assoc, DIMSE_NONBLOCKING, 1, &pres_id, &msg, nullptr);
      if (cond == DIMSE_NODATAAVAILABLE)
        {
          if (++idle >= IDLE_TIMEOUT)
            {
              ASC_abortAssociation (assoc);
              return;
            }
          continue;
        }
      idle = 0;
      if (cond == DUL_PEERREQUESTEDRELEASE)
        {
          ASC_acknowledgeRelease (assoc);
          return;
        }
      if (cond.bad ())
        {
          if (cond != DUL_PEERABORTEDASSOCIATION)
            ASC_abortAssociation (assoc);
          return;
        }

      switch (msg.CommandField)
        {
        case DIMSE_C_ECHO_RQ:
          cond = DIMSE_sendEchoResponse (assoc, pres_id, &msg.msg.CEchoRQ, STATUS_Success, nullptr);
          break;
        case DIMSE_C_STORE_RQ:
          if (!handle_store (self, assoc, pres_id, &msg.msg.CStoreRQ, calling, peer))
            cond = DIMSE_RECEIVEFAILED;
          break;
        default:
          /* Nothing else is offered: a peer that asks for it is broken. */
          cond = DIMSE_BADCOMMANDTYPE;
          break;
        }
      if (cond.bad ())
        {
          ASC_abortAssociation (assoc);
          return;
        }
    }
}

/* Closes what start() opened: the network (and with it the listening
 * socket) and the wake pipe. */
void
release_network (ChDcmReceiver *self)
{
  try
    {
      ASC_dropNetwork (&self->net);
    }
  catch (...)
    {
    }
  self->net = nullptr;
  self->listen_fd = -1;
  close (self->wake[0]);
  close (self->wake[1]);
  self->wake[0] = self->wake[1] = -1;
}

gpointer
run (gpointer data)
{
  ChDcmReceiver *self = static_cast<ChDcmReceiver *> (data);

  while (!self->stopping.load ())
    {
      struct pollfd fds[2] = { { self->listen_fd, POLLIN, 0 }, { self->wake[0], POLLIN, 0 } };
      T_ASC_Association *assoc = nullptr;
      OFCondition cond;

      if (poll (fds, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (self->stopping.load () || (fds[1].revents & POLLIN))
        break;
      if (!(fds[0].revents & POLLIN))
        continue;

      try
        {
          cond = ASC_receiveAssociation (self->net, &assoc, ASC_DEFAULTMAXPDU, nullptr, nullptr,
                                         OFFalse, DUL_NOBLOCK, 1);
          if (cond.good ())
            serve (self, assoc);
        }
      catch (...)
        {
          if (assoc != nullptr)
            ASC_abortAssociation (assoc);
        }
      if (assoc != nullptr)
        {
          ASC_dropSCPAssociation (assoc);
          ASC_destroyAssociation (&assoc);
        }
    }

  bool orphaned;
  {
    std::lock_guard<std::mutex> guard (self->exit_lock);

    self->exited = true;
    orphaned = self->orphaned;
  }
  self->exit_cond.notify_all ();
  /* stop() gave up waiting and left the network to this thread; the
   * receiver itself stays allocated (a small leak, against any use after
   * free by whoever still holds it). */
  if (orphaned)
    release_network (self);
  return nullptr;
}

}

gboolean
ch_dcm_net_valid_ae_title (const char *title)
{
  gboolean visible = FALSE;
  gsize n = 0;

  if (title == NULL)
    return FALSE;
  for (const char *p = title; *p != '\0'; p++, n++)
    {
      if (*p < 0x20 || *p > 0x7e || *p == '\\')
        return FALSE;
      visible = visible || *p != ' ';
    }
  return visible && n <= 16;
}

ChDcmReceiver *
ch_dcm_receiver_new (const char          *ae_title,
                     const char * const  *allowed_peers,
                     ChDcmStoreFunc       store_func,
                     ChDcmAssociationFunc association_func,
                     gpointer             user_data)
{
  ChDcmReceiver *self;

  g_return_val_if_fail (ae_title != NULL, NULL);

  try
    {
      self = new ChDcmReceiver ();
      self->ae_title = trimmed (ae_title);
      for (guint i = 0; allowed_peers != NULL && allowed_peers[i] != NULL; i++)
        self->allowed.push_back (trimmed (allowed_peers[i]));
      self->store_func = store_func;
      self->association_func = association_func;
      self->user_data = user_data;
      return self;
    }
  catch (...)
    {
      g_error ("out of memory");
    }
}

gboolean
ch_dcm_receiver_start (ChDcmReceiver *self,
                       const char    *address,
                       guint          port,
                       GError       **error)
{
  struct sockaddr_in addr;
  socklen_t len = sizeof addr;
  int one = 1;
  int fd;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  {
    std::lock_guard<std::mutex> guard (self->exit_lock);

    if (self->orphaned)
      {
        set_error (error, CH_DCM_NET_ERROR_FAILED,
                   "The receiver stopped before is still held by a peer; use a new one");
        return FALSE;
      }
  }

  if (!ch_dcm_net_valid_ae_title (self->ae_title.c_str ()))
    {
      set_error (error, CH_DCM_NET_ERROR_INVALID,
                 "“%s” is not a valid AE title (1 to 16 letters, digits or punctuation)",
                 self->ae_title.c_str ());
      return FALSE;
    }
  for (const std::string &peer : self->allowed)
    if (!ch_dcm_net_valid_ae_title (peer.c_str ()))
      {
        set_error (error, CH_DCM_NET_ERROR_INVALID,
                   "“%s” is not a valid AE title (1 to 16 letters, digits or punctuation)",
                   peer.c_str ());
        return FALSE;
      }
  if (port > 65535)
    {
      set_error (error, CH_DCM_NET_ERROR_ADDRESS, "%u is not a port number (1 to 65535)", port);
      return FALSE;
    }

  memset (&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons ((uint16_t) port);
  addr.sin_addr.s_addr = htonl (INADDR_ANY);
  if (address != NULL && *address != '\0' && inet_pton (AF_INET, address, &addr.sin_addr) != 1)
    {
      set_error (error, CH_DCM_NET_ERROR_ADDRESS, "“%s” is not an IPv4 address", address);
      return FALSE;
    }

  init_dcmnet ();

  fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      set_error (error, CH_DCM_NET_ERROR_FAILED, "Cannot open a network socket: %s",
                 g_strerror (errno));
      return FALSE;
    }
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind (fd, reinterpret_cast<struct sockaddr *> (&addr), sizeof addr) != 0
      || listen (fd, 16) != 0)
    {
      int saved = errno;

      close (fd);
      if (saved == EADDRINUSE)
        set_error (error, CH_DCM_NET_ERROR_IN_USE, "Port %u is already in use", port);
      else if (saved == EACCES || saved == EPERM)
        set_error (error, CH_DCM_NET_ERROR_DENIED,
                   "Port %u needs administrator rights; choose one above 1023", port);
      else if (saved == EADDRNOTAVAIL)
        set_error (error, CH_DCM_NET_ERROR_ADDRESS, "“%s” is not an address of this computer",
                   address != NULL ? address : "");
      else
        set_error (error, CH_DCM_NET_ERROR_FAILED, "Cannot listen on port %u: %s", port,
                   g_strerror (saved));
      return FALSE;
    }
  if (getsockname (fd, reinterpret_cast<struct sockaddr *> (&addr), &len) != 0)
    {
      set_error (error, CH_DCM_NET_ERROR_FAILED, "Cannot listen: %s", g_strerror (errno));
      close (fd);
      return FALSE;
    }

  try
    {
      OFCondition cond = ASC_initializeNetwork (NET_ACCEPTOR, 0, ASSOCIATE_TIMEOUT, &self->net);
      PRIVATE_NETWORKKEY *key;

      if (cond.bad ())
        {
          set_error (error, CH_DCM_NET_ERROR_FAILED, "Cannot start the DICOM network: %s",
                     cond.text ());
          close (fd);
          return FALSE;
        }
      /* Ours in place of the socket DCMTK opened. */
      key = reinterpret_cast<PRIVATE_NETWORKKEY *> (self->net->network);
      close (key->networkSpecific.TCP.listenSocket);
      key->networkSpecific.TCP.listenSocket = fd;
      key->networkSpecific.TCP.port = ntohs (addr.sin_port);
      self->listen_fd = fd;
      self->port = ntohs (addr.sin_port);
    }
  catch (...)
    {
      set_exception_error (error);
      close (fd);
      if (self->net != nullptr)
        ASC_dropNetwork (&self->net);
      return FALSE;
    }

  if (pipe2 (self->wake, O_CLOEXEC) != 0)
    {
      set_error (error, CH_DCM_NET_ERROR_FAILED, "Cannot start the DICOM receiver: %s",
                 g_strerror (errno));
      ASC_dropNetwork (&self->net);
      self->listen_fd = -1;
      return FALSE;
    }

  self->stopping.store (false);
  self->exited = false;
  self->orphaned = false;
  self->thread = g_thread_try_new ("dicom-receiver", run, self, error);
  if (self->thread == NULL)
    {
      ASC_dropNetwork (&self->net);
      self->listen_fd = -1;
      close (self->wake[0]);
      close (self->wake[1]);
      self->wake[0] = self->wake[1] = -1;
      return FALSE;
    }
  return TRUE;
}

guint
ch_dcm_receiver_get_port (ChDcmReceiver *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->port;
}

void
ch_dcm_receiver_stop (ChDcmReceiver *self)
{
  g_return_if_fail (self != NULL);

  if (self->thread == NULL)
    return;

  {
    /* A callback running now finishes first; none starts after this. */
    std::lock_guard<std::mutex> guard (self->cb_lock);

    self->stopping.store (true);
  }
  while (write (self->wake[1], "x", 1) < 0 && errno == EINTR)
    ;

  {
    std::unique_lock<std::mutex> guard (self->exit_lock);

    if (!self->exit_cond.wait_for (guard, std::chrono::milliseconds (STOP_WAIT_MS),
                                   [self] { return self->exited; }))
      {
        /* A peer holds the thread inside DCMTK: it ends when the peer lets
         * go, and closes the network then (see run()). */
        self->orphaned = true;
        g_thread_unref (self->thread);
        self->thread = NULL;
        return;
      }
  }
  g_thread_join (self->thread);
  self->thread = NULL;
  release_network (self);
}

void
ch_dcm_receiver_free (ChDcmReceiver *self)
{
  if (self == NULL)
    return;
  ch_dcm_receiver_stop (self);
  {
    std::lock_guard<std::mutex> guard (self->exit_lock);

    /* Its thread may still use it: left allocated (see run()). */
    if (self->orphaned)
      return;
  }
  delete self;
}
