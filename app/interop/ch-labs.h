/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-hl7.h"
#include "ch-lab-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* Laboratory results in: HL7 v2 ORU^R01 messages into patients' charts.
 *
 * Every message received is logged with its raw bytes and outcome, even one
 * that cannot be read at all:
 *   imported  its results are in the chart(s);
 *   queued    a PID matched no patient, or several: it waits in the review
 *             queue until a person assigns it (ch_labs_assign());
 *   rejected  it is not a readable ORU^R01, or a duplicate of one imported;
 *   error     storing failed midway (nothing of it was kept); it can be
 *             processed again (ch_labs_reprocess()).
 * A message's results are stored all or nothing, in one transaction with
 * their audit entries (one a patient).
 *
 * Matching a PID: an identifier of PID-3 (type MR or none) equal to a
 * patient's MRN or to another of their identifiers, any other identifier to
 * another of their identifiers; one patient found is trusted only when the
 * family name and birth date the message gives agree with that chart. No
 * patient found by identifier: the folded family and given name with the
 * birth date, one patient only.
 *
 * Each OBR is a report, each OBX a result with its units, reference range,
 * abnormal flags, status and notes (NTE). A result for the same order
 * (filler number, else placer number), code and sub-ID as a current one
 * replaces it (a correction, or the final after a preliminary), the old one
 * kept as history; a preliminary never replaces a final. Encapsulated data
 * (OBX type ED: a PDF report) is filed in the document store, category
 * "lab-report", and linked from its result.
 *
 * Permissions: importing, assigning and processing again need write access
 * to the clinical record; listing the log, the queue and results needs read
 * access to it. */

#define CH_LABS_ERROR (ch_labs_error_quark ())

typedef enum
{
  CH_LABS_ERROR_FAILED,
  CH_LABS_ERROR_NOT_FOUND,  /* no such message */
  CH_LABS_ERROR_STATE,      /* imported already (or unreadable): cannot be processed again */
  CH_LABS_ERROR_INVALID,    /* the message cannot take that assignment */
} ChLabsError;

typedef enum
{
  CH_LABS_SOURCE_FILE,
  CH_LABS_SOURCE_MLLP,
  CH_LABS_SOURCE_FOLDER,
  CH_LABS_SOURCE_CLI,
} ChLabsSource;

typedef enum
{
  CH_LABS_OUTCOME_IMPORTED,
  CH_LABS_OUTCOME_QUEUED,
  CH_LABS_OUTCOME_REJECTED,
  CH_LABS_OUTCOME_FAILED,   /* stored as "error" */
} ChLabsOutcome;

/* What processing a message did. Caller-allocated (zero it, or use
 * g_auto (ChLabsImportResult)); freed by ch_labs_import_result_clear(). */
typedef struct
{
  ChLabsOutcome  outcome;
  gint64         message_id;
  char          *reason;        /* queued, rejected, failed: why; else NULL */
  char          *control_id;    /* MSH-10, NULL when unreadable */
  char          *mrns;          /* imported: the charts' MRNs, "A, B" */
  gint64         patient_id;    /* imported: the (first) chart */
  guint          n_reports;
  guint          n_results;
  guint          n_replaced;    /* results that replaced a current one */
  guint          n_documents;
} ChLabsImportResult;

GQuark      ch_labs_error_quark          (void);

const char *ch_labs_source_to_string     (ChLabsSource   source);
/* "imported", "queued", "rejected", "error": as stored in the log. */
const char *ch_labs_outcome_to_string    (ChLabsOutcome  outcome);
void        ch_labs_import_result_clear  (ChLabsImportResult *result);

/**
 * ch_labs_split_batch:
 * @data: what a file or a connection brought
 *
 * Cuts @data into messages: MLLP frames when it has any, else each MSH
 * segment starts a message (batch envelopes, FHS/BHS/BTS/FTS, dropped).
 * Data with no message in it is one "message", so that it is logged as
 * rejected rather than lost.
 *
 * Returns: (transfer full) (element-type GBytes): the messages
 */
GPtrArray  *ch_labs_split_batch          (GBytes             *data);

/**
 * ch_labs_import_message:
 * @raw: one message, framed or not
 * @out: (out caller-allocates) (optional): what became of it
 *
 * Logs @raw and files its results (see above), under one commit — a
 * commit waits for the disk, and an MLLP peer for its ACK; should storing
 * the results fail, the message is logged (as failed) in a commit of its
 * own. Within a transaction of the caller's, it commits nothing.
 *
 * Returns: TRUE when the message was logged, whatever its outcome; FALSE
 * with CH_AUTH_ERROR_PERMISSION_DENIED (nothing logged) or a store error.
 */
gboolean    ch_labs_import_message       (ChSession          *session,
                                          GBytes             *raw,
                                          ChLabsSource        source,
                                          ChLabsImportResult *out,
                                          GError            **error);

/**
 * ch_labs_import_messages:
 * @messages: (element-type GBytes): messages, framed or not
 * @results: (out) (optional) (transfer full) (element-type ChLabsImportResult):
 *   what became of each, in order
 *
 * ch_labs_import_message() for many messages at once (a file, a drop
 * folder's files, a batch), up to 200 under one commit (no savepoints:
 * under SQLCipher they cost more than the work). Outcomes are those the
 * messages would have had one at a time; should storing any of them fail,
 * that batch is taken again one message at a time, so that the failure
 * costs only the message it happened in, logged as failed.
 *
 * Returns: FALSE with @error set when no message could be logged
 * (permission denied, or the store failing for the first message)
 */
gboolean    ch_labs_import_messages      (ChSession          *session,
                                          GPtrArray          *messages,
                                          ChLabsSource        source,
                                          GArray            **results,
                                          GError            **error);

/**
 * ch_labs_assign:
 *
 * Processes the queued (or failed) message @message_id again with its
 * patient given: the one PID of the message, or the one PID of it that
 * matches no chart by itself, is @patient_id's. Audited.
 *
 * Errors: CH_LABS_ERROR_NOT_FOUND, CH_LABS_ERROR_STATE (imported or
 * rejected), CH_LABS_ERROR_INVALID (several of its PIDs match no chart),
 * CH_STORE_ERROR_NOT_FOUND (no such patient), CH_AUTH_ERROR_*.
 */
gboolean    ch_labs_assign               (ChSession          *session,
                                          gint64              message_id,
                                          gint64              patient_id,
                                          ChLabsImportResult *out,
                                          GError            **error);

/**
 * ch_labs_reprocess:
 *
 * Processes message @message_id again from its stored bytes, matching as
 * on arrival: for a message that failed, or one queued whose patient has
 * since been registered or corrected.
 *
 * Errors: CH_LABS_ERROR_NOT_FOUND, CH_LABS_ERROR_STATE (imported),
 * CH_AUTH_ERROR_*.
 */
gboolean    ch_labs_reprocess            (ChSession          *session,
                                          gint64              message_id,
                                          ChLabsImportResult *out,
                                          GError            **error);

/* Returns: (transfer full) (element-type ChLabMessage) (nullable): the
 * queued messages, oldest first; audited as a view. */
GPtrArray  *ch_labs_list_queue           (ChSession          *session,
                                          GError            **error);
/* Returns: (transfer full) (element-type ChLabMessage) (nullable): the
 * log, newest first; @limit 0 for all. */
GPtrArray  *ch_labs_list_messages        (ChSession          *session,
                                          guint               limit,
                                          GError            **error);
/* Returns: (transfer full) (nullable): one message of the log. */
ChLabMessage *ch_labs_get_message        (ChSession          *session,
                                          gint64              message_id,
                                          GError            **error);

/**
 * ch_labs_list_results:
 *
 * The lab results of @patient_id, newest observation first: the current
 * ones, or with @include_history those replaced too. Audited as a view.
 *
 * Returns: (transfer full) (element-type ChLabResult) (nullable)
 */
GPtrArray  *ch_labs_list_results         (ChSession          *session,
                                          gint64              patient_id,
                                          gboolean            include_history,
                                          GError            **error);

/**
 * ch_labs_make_ack:
 * @raw: the message as received
 * @result: what became of it, or NULL when it could not be logged
 *
 * The acknowledgement to send back (MLLP): AA when imported or queued (it
 * is ours now), AR when rejected, AE when it failed or was not logged.
 *
 * Returns: (transfer full)
 */
ChHl7Message *ch_labs_make_ack           (GBytes                   *raw,
                                          const ChLabsImportResult *result);

/* Told, for each message of a file in the drop folder, what became of it
 * (@result), or that the file itself could not be read or moved (@error;
 * @result NULL). @path is where the file was, or where it went. */
typedef void (*ChLabsFolderCallback) (const char               *path,
                                      const ChLabsImportResult *result,
                                      const GError             *error,
                                      gpointer                  user_data);

gint        ch_labs_import_folder        (ChSession              *session,
                                          const char             *dir,
                                          ChLabsFolderCallback    callback,
                                          gpointer                user_data,
                                          GError                **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ChLabsImportResult, ch_labs_import_result_clear)

/* The window's lab listener: practice policy kept in the database, changed
 * by those who manage users (administrator, office manager), read by any
 * signed-in user. */
#define CH_LABS_DEFAULT_PORT 2575

typedef struct
{
  gboolean  enabled;
  guint     port;        /* MLLP, 1–65535, default CH_LABS_DEFAULT_PORT */
  char     *address;     /* the address to listen on, "" for every one */
  char     *folder;      /* the drop folder, an absolute path, "" for none */
  GStrv     allowed_senders; /* IP addresses the MLLP listener answers; empty: any */
} ChLabsListenerSettings;

void        ch_labs_listener_settings_free (ChLabsListenerSettings *settings);

/**
 * ch_labs_get_listener_settings:
 *
 * Returns: (transfer full) (nullable): the stored settings, defaults where
 *   none are; NULL with CH_AUTH_ERROR_LOCKED or a store error
 */
ChLabsListenerSettings *ch_labs_get_listener_settings (ChSession  *session,
                                                       GError    **error);

/**
 * ch_labs_set_listener_settings:
 *
 * Checks and stores @settings (a port from 1 to 65535, an IP address or
 * none, an existing folder given by its absolute path or none, IP
 * addresses as allowed senders), audited.
 * Needs write access to users. A running listener picks them up when it
 * is next started (sign-in, unlock).
 *
 * Errors: CH_AUTH_ERROR_INVALID, CH_AUTH_ERROR_PERMISSION_DENIED, store
 * errors.
 */
gboolean    ch_labs_set_listener_settings (ChSession                    *session,
                                           const ChLabsListenerSettings *settings,
                                           GError                      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChLabsListenerSettings, ch_labs_listener_settings_free)

/**
 * ch_labs_list_latest:
 * @since: µs since the epoch: only results observed since then; 0 for all
 * @limit: at most that many tests, 0 for all
 *
 * The current result of each test of @patient_id (the newest of a code),
 * newest observation first, for the chart's summary: those with a value,
 * not cancelled, deleted nor entered in error. Needs read access to the
 * clinical record. Not audited: a part of the chart ch_chart_open() opens
 * (and audits).
 *
 * Errors: CH_STORE_ERROR_NOT_FOUND (no such patient), CH_AUTH_ERROR_*.
 *
 * Returns: (transfer full) (element-type ChLabResult) (nullable)
 */
GPtrArray  *ch_labs_list_latest          (ChSession          *session,
                                          gint64              patient_id,
                                          gint64              since,
                                          guint               limit,
                                          GError            **error);

G_END_DECLS
