/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-store.h"

G_BEGIN_DECLS

/* Laboratory records: the log of HL7 messages received (with their raw
 * bytes and outcome), the reports (one an OBR) and results (one an OBX)
 * filed in charts, results versioned so that a correction replaces the
 * current one and keeps the old. app/interop/ch-labs.h is the controller
 * over them. Strings are never NULL ("" when absent) unless said. */

/* One hl7_messages row, without its raw bytes. */
typedef struct
{
  gint64  id;
  gint64  received_at;          /* µs since the epoch */
  char   *source;               /* file, mllp, folder, cli */
  char   *control_id;
  char   *sending_application;
  char   *sending_facility;
  char   *message_type;         /* "ORU^R01" */
  gint64  size;
  char   *patient_name;         /* as received, "Family^Given^Middle" */
  char   *patient_ref;          /* PID-3 as received, "ID (type), …" */
  char   *birth_date;           /* YYYY-MM-DD or "" */
  char   *outcome;              /* imported, queued, rejected, error */
  char   *reason;
  gint64  patient_id;           /* 0: none */
  char   *patient_mrn;          /* that patient's MRN, "" when none */
  gint64  processed_at;
  char   *processed_by;
  gint    attempts;
} ChLabMessage;

/* One lab_reports row. */
typedef struct
{
  gint64  id;
  gint64  patient_id;
  gint64  message_id;
  char   *placer_number;
  char   *filler_number;
  char   *test_code;
  char   *test_text;
  char   *test_system;
  char   *observed_at;          /* ISO 8601 or "" */
  gboolean has_observed_ts;
  gint64  observed_ts;
  char   *reported_at;
  char   *result_status;
  char   *comments;
  gint64  created_at;
} ChLabReport;

/* One lab_results row, with what listing adds from its report. */
typedef struct
{
  gint64    id;
  gint64    report_id;
  gint64    patient_id;
  gboolean  has_set_id;
  gint      set_id;
  char     *code;
  char     *text;
  char     *system;
  char     *sub_id;
  char     *value_type;
  char     *value;              /* (nullable) */
  gboolean  has_numeric_value;
  double    numeric_value;
  char     *units;
  char     *reference_range;
  char     *abnormal_flags;
  char     *status;             /* OBX-11: P, F, C, X … */
  char     *observed_at;        /* ISO 8601 or "" */
  gboolean  has_observed_ts;
  gint64    observed_ts;
  char     *comments;
  gint64    document_id;        /* 0: none */
  char     *match_key;
  gboolean  current;
  gint64    replaced_by;        /* 0: none */
  gint64    created_at;
  /* From the report, when listed. */
  gint64    message_id;
  char     *placer_number;
  char     *filler_number;
  char     *test_code;
  char     *test_text;
} ChLabResult;

ChLabMessage *ch_lab_message_new  (void);
void          ch_lab_message_free (ChLabMessage *message);
ChLabReport  *ch_lab_report_new   (void);
void          ch_lab_report_free  (ChLabReport  *report);
ChLabResult  *ch_lab_result_new   (void);
void          ch_lab_result_free  (ChLabResult  *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChLabMessage, ch_lab_message_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChLabReport, ch_lab_report_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChLabResult, ch_lab_result_free)

/* Patients with an identifier (not the MRN) whose value is @value (a merged
 * patient counts as the one it was merged into), into @out_ids, each once. */
gboolean      ch_db_lab_match_identifier (ChStore       *store,
                                          const char    *value,
                                          GArray        *out_ids,
                                          GError       **error);

/* Inserts @message (its received_at, processed_at, attempts 1) with @raw;
 * sets its id. */
gboolean      ch_db_lab_message_insert   (ChStore       *store,
                                          ChLabMessage  *message,
                                          GBytes        *raw,
                                          GError       **error);
/* Records what became of message @id: @outcome, @reason, @patient_id (0:
 * none), when and by whom; @new_attempt counts one more attempt.
 * CH_STORE_ERROR_NOT_FOUND when there is no such message. */
gboolean      ch_db_lab_message_set_outcome (ChStore     *store,
                                             gint64       id,
                                             const char  *outcome,
                                             const char  *reason,
                                             gint64       patient_id,
                                             const char  *username,
                                             gboolean     new_attempt,
                                             GError     **error);
/* Sets the patient-facing fields read from the message (after a parse). */
gboolean      ch_db_lab_message_set_header  (ChStore            *store,
                                             const ChLabMessage *message,
                                             GError            **error);
/* Returns: (transfer full) (nullable): NULL with CH_STORE_ERROR_NOT_FOUND */
ChLabMessage *ch_db_lab_message_get      (ChStore       *store,
                                          gint64         id,
                                          GError       **error);
/* Returns: (transfer full) (nullable): the raw bytes of message @id. */
GBytes       *ch_db_lab_message_get_raw  (ChStore       *store,
                                          gint64         id,
                                          GError       **error);
/* The id of an imported message other than @except_id with that control id
 * from that sender, or 0. -1 on error. */
gint64        ch_db_lab_message_find_imported (ChStore     *store,
                                               const char  *control_id,
                                               const char  *sending_application,
                                               const char  *sending_facility,
                                               gint64       except_id,
                                               GError     **error);
/* @outcome: (nullable): only those; @oldest_first: the queue's order, else
 * the newest first; @limit: 0 for all.
 * Returns: (transfer full) (element-type ChLabMessage) (nullable) */
GPtrArray    *ch_db_lab_message_list     (ChStore       *store,
                                          const char    *outcome,
                                          gboolean       oldest_first,
                                          guint          limit,
                                          GError       **error);

/* Sets @report's id and created_at. */
gboolean      ch_db_lab_report_insert    (ChStore       *store,
                                          ChLabReport   *report,
                                          GError       **error);

/* The current result of @patient_id with @match_key, or NULL (no error)
 * when there is none. Returns: (transfer full) (nullable) */
ChLabResult  *ch_db_lab_result_find_current (ChStore     *store,
                                             gint64       patient_id,
                                             const char  *match_key,
                                             GError     **error);
/* Inserts @result and sets its id and created_at. With @replaces > 0,
 * either the new result takes the place of result @replaces (which stays,
 * no longer current, replaced_by the new one) or, when @result->current is
 * FALSE, the new one is kept as history of @replaces (replaced_by it).
 * In the caller's transaction. */
gboolean      ch_db_lab_result_insert    (ChStore       *store,
                                          ChLabResult   *result,
                                          gint64         replaces,
                                          GError       **error);
/* The results of @patient_id, the newest observation first, then by
 * report and set id; the current ones only unless @include_history.
 * Returns: (transfer full) (element-type ChLabResult) (nullable) */
GPtrArray    *ch_db_lab_result_list      (ChStore       *store,
                                          gint64         patient_id,
                                          gboolean       include_history,
                                          GError       **error);

/* The reports of @patient_id, oldest first (by id: as received).
 * Returns: (transfer full) (element-type ChLabReport) (nullable) */
GPtrArray    *ch_db_lab_report_list      (ChStore       *store,
                                          gint64         patient_id,
                                          GError       **error);

/* The current result of each test (code and system, sub-ID) of
 * @patient_id, the newest observation first: the newest of each only,
 * those with a value and neither cancelled, deleted nor entered in error.
 * @since: µs, only results observed since then, 0 for all (those with no
 * time last); @limit: at most that many tests, 0 for all.
 * Returns: (transfer full) (element-type ChLabResult) (nullable) */
GPtrArray    *ch_db_lab_result_list_latest (ChStore     *store,
                                            gint64       patient_id,
                                            gint64       since,
                                            guint        limit,
                                            GError     **error);

G_END_DECLS
