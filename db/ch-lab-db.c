/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-lab-db"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ch-lab-db.h"
#include "ch-store-private.h"

static const char *
or_empty (const char *text)
{
  return text ? text : "";
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           col)
{
  return g_strdup (ch_store_column_text (stmt, col));
}

static void
bind_optional_int64 (sqlite3_stmt *stmt,
                     int           idx,
                     gboolean      present,
                     gint64        value)
{
  if (present)
    sqlite3_bind_int64 (stmt, idx, value);
  else
    sqlite3_bind_null (stmt, idx);
}

static void
bind_id (sqlite3_stmt *stmt,
         int           idx,
         gint64        id)
{
  bind_optional_int64 (stmt, idx, id > 0, id);
}

/* ---- records --------------------------------------------------------------- */

ChLabMessage *
ch_lab_message_new (void)
{
  return g_new0 (ChLabMessage, 1);
}

void
ch_lab_message_free (ChLabMessage *m)
{
  if (m == NULL)
    return;
  g_free (m->source);
  g_free (m->control_id);
  g_free (m->sending_application);
  g_free (m->sending_facility);
  g_free (m->message_type);
  g_free (m->patient_name);
  g_free (m->patient_ref);
  g_free (m->birth_date);
  g_free (m->outcome);
  g_free (m->reason);
  g_free (m->patient_mrn);
  g_free (m->processed_by);
  g_free (m);
}

ChLabReport *
ch_lab_report_new (void)
{
  return g_new0 (ChLabReport, 1);
}

void
ch_lab_report_free (ChLabReport *r)
{
  if (r == NULL)
    return;
  g_free (r->placer_number);
  g_free (r->filler_number);
  g_free (r->test_code);
  g_free (r->test_text);
  g_free (r->test_system);
  g_free (r->observed_at);
  g_free (r->reported_at);
  g_free (r->result_status);
  g_free (r->comments);
  g_free (r);
}

ChLabResult *
ch_lab_result_new (void)
{
  ChLabResult *r = g_new0 (ChLabResult, 1);

  r->current = TRUE;
  return r;
}

void
ch_lab_result_free (ChLabResult *r)
{
  if (r == NULL)
    return;
  g_free (r->code);
  g_free (r->text);
  g_free (r->system);
  g_free (r->sub_id);
  g_free (r->value_type);
  g_free (r->value);
  g_free (r->units);
  g_free (r->reference_range);
  g_free (r->abnormal_flags);
  g_free (r->status);
  g_free (r->observed_at);
  g_free (r->comments);
  g_free (r->match_key);
  g_free (r->placer_number);
  g_free (r->filler_number);
  g_free (r->test_code);
  g_free (r->test_text);
  g_free (r);
}

/* ---- matching -------------------------------------------------------------- */

gboolean
ch_db_lab_match_identifier (ChStore     *store,
                            const char  *value,
                            GArray      *out_ids,
                            GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT DISTINCT CASE WHEN p.status = 'merged' AND p.merged_into IS NOT NULL"
                           " THEN p.merged_into ELSE p.id END"
                           " FROM patient_identifiers i JOIN patients p ON p.id = i.patient_id"
                           " WHERE i.value = ?",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, value, -1, SQLITE_TRANSIENT);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      gboolean seen = FALSE;

      for (guint i = 0; i < out_ids->len && !seen; i++)
        seen = g_array_index (out_ids, gint64, i) == id;
      if (!seen)
        g_array_append_val (out_ids, id);
    }
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}

/* ---- messages -------------------------------------------------------------- */

#define MESSAGE_SELECT \
  "SELECT m.id, m.received_at, m.source, m.control_id, m.sending_application," \
  " m.sending_facility, m.message_type, m.size, m.patient_name, m.patient_ref, m.birth_date," \
  " m.outcome, m.reason, m.patient_id, p.mrn, m.processed_at, m.processed_by, m.attempts" \
  " FROM hl7_messages m LEFT JOIN patients p ON p.id = m.patient_id"

static ChLabMessage *
read_message (sqlite3_stmt *stmt)
{
  ChLabMessage *m = ch_lab_message_new ();

  m->id = sqlite3_column_int64 (stmt, 0);
  m->received_at = sqlite3_column_int64 (stmt, 1);
  m->source = column_dup (stmt, 2);
  m->control_id = column_dup (stmt, 3);
  m->sending_application = column_dup (stmt, 4);
  m->sending_facility = column_dup (stmt, 5);
  m->message_type = column_dup (stmt, 6);
  m->size = sqlite3_column_int64 (stmt, 7);
  m->patient_name = column_dup (stmt, 8);
  m->patient_ref = column_dup (stmt, 9);
  m->birth_date = column_dup (stmt, 10);
  m->outcome = column_dup (stmt, 11);
  m->reason = column_dup (stmt, 12);
  m->patient_id = sqlite3_column_int64 (stmt, 13);
  m->patient_mrn = column_dup (stmt, 14);
  m->processed_at = sqlite3_column_int64 (stmt, 15);
  m->processed_by = column_dup (stmt, 16);
  m->attempts = sqlite3_column_int (stmt, 17);
  return m;
}

gboolean
ch_db_lab_message_insert (ChStore       *store,
                          ChLabMessage  *m,
                          GBytes        *raw,
                          GError       **error)
{
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;
  gconstpointer data;
  gsize size = 0;

  g_return_val_if_fail (raw != NULL, FALSE);

  data = g_bytes_get_data (raw, &size);
  stmt = ch_store_prepare (store,
                           "INSERT INTO hl7_messages (received_at, source, control_id,"
                           " sending_application, sending_facility, message_type, raw, size,"
                           " patient_name, patient_ref, birth_date, outcome, reason, patient_id,"
                           " processed_at, processed_by, attempts)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                           " ?1, ?15, 1)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_text (stmt, 2, or_empty (m->source), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, or_empty (m->control_id), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, or_empty (m->sending_application), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, or_empty (m->sending_facility), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, or_empty (m->message_type), -1, SQLITE_TRANSIENT);
  /* An empty blob is still a blob, not NULL. */
  sqlite3_bind_blob64 (stmt, 7, size > 0 ? data : "", size, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 8, (gint64) size);
  sqlite3_bind_text (stmt, 9, or_empty (m->patient_name), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 10, or_empty (m->patient_ref), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 11, or_empty (m->birth_date), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 12, or_empty (m->outcome), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 13, or_empty (m->reason), -1, SQLITE_TRANSIENT);
  bind_id (stmt, 14, m->patient_id);
  sqlite3_bind_text (stmt, 15, or_empty (m->processed_by), -1, SQLITE_TRANSIENT);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  m->id = ch_store_last_insert_id (store);
  m->received_at = now;
  m->processed_at = now;
  m->size = (gint64) size;
  m->attempts = 1;
  return TRUE;
}

gboolean
ch_db_lab_message_set_outcome (ChStore     *store,
                               gint64       id,
                               const char  *outcome,
                               const char  *reason,
                               gint64       patient_id,
                               const char  *username,
                               gboolean     new_attempt,
                               GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "UPDATE hl7_messages SET outcome = ?2, reason = ?3, patient_id = ?4,"
                           " processed_at = ?5, processed_by = ?6, attempts = attempts + ?7"
                           " WHERE id = ?1",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, outcome, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, or_empty (reason), -1, SQLITE_TRANSIENT);
  bind_id (stmt, 4, patient_id);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time ());
  sqlite3_bind_text (stmt, 6, or_empty (username), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 7, new_attempt ? 1 : 0);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  if (ch_store_changes (store) == 0)
    {
      g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                   _("There is no HL7 message %lld"), (long long) id);
      return FALSE;
    }
  return TRUE;
}

gboolean
ch_db_lab_message_set_header (ChStore            *store,
                              const ChLabMessage *m,
                              GError            **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "UPDATE hl7_messages SET control_id = ?2, sending_application = ?3,"
                           " sending_facility = ?4, message_type = ?5, patient_name = ?6,"
                           " patient_ref = ?7, birth_date = ?8 WHERE id = ?1",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, m->id);
  sqlite3_bind_text (stmt, 2, or_empty (m->control_id), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, or_empty (m->sending_application), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, or_empty (m->sending_facility), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, or_empty (m->message_type), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, or_empty (m->patient_name), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, or_empty (m->patient_ref), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, or_empty (m->birth_date), -1, SQLITE_TRANSIENT);
  return ch_store_step_done (store, stmt, error);
}

ChLabMessage *
ch_db_lab_message_get (ChStore  *store,
                       gint64    id,
                       GError  **error)
{
  ChLabMessage *m = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, MESSAGE_SELECT " WHERE m.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    m = read_message (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                 _("There is no HL7 message %lld"), (long long) id);
  return m;
}

GBytes *
ch_db_lab_message_get_raw (ChStore  *store,
                           gint64    id,
                           GError  **error)
{
  GBytes *raw = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT raw FROM hl7_messages WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    raw = g_bytes_new (sqlite3_column_blob (stmt, 0), (gsize) sqlite3_column_bytes (stmt, 0));
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                 _("There is no HL7 message %lld"), (long long) id);
  return raw;
}

gint64
ch_db_lab_message_find_imported (ChStore     *store,
                                 const char  *control_id,
                                 const char  *sending_application,
                                 const char  *sending_facility,
                                 gint64       except_id,
                                 GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 id = 0;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT id FROM hl7_messages WHERE control_id = ?1"
                           " AND sending_application = ?2 AND sending_facility = ?3"
                           " AND outcome = 'imported' AND id <> ?4 ORDER BY id LIMIT 1",
                           error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, or_empty (control_id), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, or_empty (sending_application), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, or_empty (sending_facility), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, except_id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return rc < 0 ? -1 : id;
}

GPtrArray *
ch_db_lab_message_list (ChStore     *store,
                        const char  *outcome,
                        gboolean     oldest_first,
                        guint        limit,
                        GError     **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_lab_message_free);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  int rc;

  /* Two orders, with a limit or without: four statements in the cache. */
  sql = g_strdup_printf (MESSAGE_SELECT " WHERE (?1 IS NULL OR m.outcome = ?1)"
                         " ORDER BY m.received_at %s, m.id %s%s",
                         oldest_first ? "ASC" : "DESC", oldest_first ? "ASC" : "DESC",
                         limit > 0 ? " LIMIT ?2" : "");
  stmt = ch_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  ch_store_bind_text (stmt, 1, outcome);
  if (limit > 0)
    sqlite3_bind_int64 (stmt, 2, (gint64) limit);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (list, read_message (stmt));
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}

/* ---- reports --------------------------------------------------------------- */

gboolean
ch_db_lab_report_insert (ChStore      *store,
                         ChLabReport  *r,
                         GError      **error)
{
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO lab_reports (patient_id, message_id, placer_number,"
                           " filler_number, test_code, test_text, test_system, observed_at,"
                           " observed_ts, reported_at, result_status, comments, created_at)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, r->patient_id);
  sqlite3_bind_int64 (stmt, 2, r->message_id);
  sqlite3_bind_text (stmt, 3, or_empty (r->placer_number), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, or_empty (r->filler_number), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, or_empty (r->test_code), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, or_empty (r->test_text), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, or_empty (r->test_system), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, or_empty (r->observed_at), -1, SQLITE_TRANSIENT);
  bind_optional_int64 (stmt, 9, r->has_observed_ts, r->observed_ts);
  sqlite3_bind_text (stmt, 10, or_empty (r->reported_at), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 11, or_empty (r->result_status), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 12, or_empty (r->comments), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 13, now);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  r->id = ch_store_last_insert_id (store);
  r->created_at = now;
  return TRUE;
}

/* ---- results --------------------------------------------------------------- */

#define RESULT_SELECT \
  "SELECT r.id, r.report_id, r.patient_id, r.set_id, r.code, r.text, r.system, r.sub_id," \
  " r.value_type, r.value, r.numeric_value, r.units, r.reference_range, r.abnormal_flags," \
  " r.status, r.observed_at, r.observed_ts, r.comments, r.document_id, r.match_key, r.current," \
  " r.replaced_by, r.created_at, o.message_id, o.placer_number, o.filler_number, o.test_code," \
  " o.test_text FROM lab_results r JOIN lab_reports o ON o.id = r.report_id"

static ChLabResult *
read_result (sqlite3_stmt *stmt)
{
  ChLabResult *r = ch_lab_result_new ();

  r->id = sqlite3_column_int64 (stmt, 0);
  r->report_id = sqlite3_column_int64 (stmt, 1);
  r->patient_id = sqlite3_column_int64 (stmt, 2);
  r->has_set_id = sqlite3_column_type (stmt, 3) != SQLITE_NULL;
  r->set_id = sqlite3_column_int (stmt, 3);
  r->code = column_dup (stmt, 4);
  r->text = column_dup (stmt, 5);
  r->system = column_dup (stmt, 6);
  r->sub_id = column_dup (stmt, 7);
  r->value_type = column_dup (stmt, 8);
  r->value = sqlite3_column_type (stmt, 9) != SQLITE_NULL ? column_dup (stmt, 9) : NULL;
  r->has_numeric_value = sqlite3_column_type (stmt, 10) != SQLITE_NULL;
  r->numeric_value = sqlite3_column_double (stmt, 10);
  r->units = column_dup (stmt, 11);
  r->reference_range = column_dup (stmt, 12);
  r->abnormal_flags = column_dup (stmt, 13);
  r->status = column_dup (stmt, 14);
  r->observed_at = column_dup (stmt, 15);
  r->has_observed_ts = sqlite3_column_type (stmt, 16) != SQLITE_NULL;
  r->observed_ts = sqlite3_column_int64 (stmt, 16);
  r->comments = column_dup (stmt, 17);
  r->document_id = sqlite3_column_int64 (stmt, 18);
  r->match_key = column_dup (stmt, 19);
  r->current = sqlite3_column_int (stmt, 20) != 0;
  r->replaced_by = sqlite3_column_int64 (stmt, 21);
  r->created_at = sqlite3_column_int64 (stmt, 22);
  r->message_id = sqlite3_column_int64 (stmt, 23);
  r->placer_number = column_dup (stmt, 24);
  r->filler_number = column_dup (stmt, 25);
  r->test_code = column_dup (stmt, 26);
  r->test_text = column_dup (stmt, 27);
  return r;
}

ChLabResult *
ch_db_lab_result_find_current (ChStore     *store,
                               gint64       patient_id,
                               const char  *match_key,
                               GError     **error)
{
  ChLabResult *r = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (match_key == NULL || *match_key == '\0')
    return NULL;
  stmt = ch_store_prepare (store,
                           /* The terms of lab_results_current's WHERE, so
                            * that the partial index is used. */
                           RESULT_SELECT " WHERE r.patient_id = ? AND r.match_key = ?"
                           " AND r.current = 1 AND r.match_key <> ''",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_text (stmt, 2, match_key, -1, SQLITE_TRANSIENT);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    r = read_result (stmt);
  sqlite3_reset (stmt);
  return r;
}

static gboolean
set_replaced (ChStore  *store,
              gint64    id,
              gint64    replaced_by,
              gboolean  current,
              GError  **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "UPDATE lab_results SET current = ?2, replaced_by = ?3 WHERE id = ?1",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int (stmt, 2, current ? 1 : 0);
  bind_id (stmt, 3, replaced_by);
  return ch_store_step_done (store, stmt, error);
}

gboolean
ch_db_lab_result_insert (ChStore      *store,
                         ChLabResult  *r,
                         gint64        replaces,
                         GError      **error)
{
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;

  /* The one being replaced steps down first: the partial unique index
   * allows one current result a key. */
  if (replaces > 0 && r->current && !set_replaced (store, replaces, 0, FALSE, error))
    return FALSE;

  stmt = ch_store_prepare (store,
                           "INSERT INTO lab_results (report_id, patient_id, set_id, code, text,"
                           " system, sub_id, value_type, value, numeric_value, units,"
                           " reference_range, abnormal_flags, status, observed_at, observed_ts,"
                           " comments, document_id, match_key, current, replaced_by, created_at)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                           " ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, r->report_id);
  sqlite3_bind_int64 (stmt, 2, r->patient_id);
  bind_optional_int64 (stmt, 3, r->has_set_id, r->set_id);
  sqlite3_bind_text (stmt, 4, or_empty (r->code), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, or_empty (r->text), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, or_empty (r->system), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, or_empty (r->sub_id), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, or_empty (r->value_type), -1, SQLITE_TRANSIENT);
  ch_store_bind_text (stmt, 9, r->value);
  if (r->has_numeric_value)
    sqlite3_bind_double (stmt, 10, r->numeric_value);
  else
    sqlite3_bind_null (stmt, 10);
  sqlite3_bind_text (stmt, 11, or_empty (r->units), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 12, or_empty (r->reference_range), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 13, or_empty (r->abnormal_flags), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 14, or_empty (r->status), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 15, or_empty (r->observed_at), -1, SQLITE_TRANSIENT);
  bind_optional_int64 (stmt, 16, r->has_observed_ts, r->observed_ts);
  sqlite3_bind_text (stmt, 17, or_empty (r->comments), -1, SQLITE_TRANSIENT);
  bind_id (stmt, 18, r->document_id);
  sqlite3_bind_text (stmt, 19, or_empty (r->match_key), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 20, r->current ? 1 : 0);
  bind_id (stmt, 21, r->current ? 0 : replaces);
  sqlite3_bind_int64 (stmt, 22, now);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  r->id = ch_store_last_insert_id (store);
  r->created_at = now;
  r->replaced_by = r->current ? 0 : replaces;

  if (replaces > 0 && r->current && !set_replaced (store, replaces, r->id, FALSE, error))
    return FALSE;
  return TRUE;
}

GPtrArray *
ch_db_lab_result_list (ChStore   *store,
                       gint64     patient_id,
                       gboolean   include_history,
                       GError   **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_lab_result_free);
  sqlite3_stmt *stmt;
  int rc;

  /* Results without a time sort last (NULLs first in SQLite's DESC order
   * would put them on top). */
  stmt = ch_store_prepare (store,
                           RESULT_SELECT " WHERE r.patient_id = ?1 AND (?2 OR r.current = 1)"
                           " ORDER BY r.observed_ts IS NULL, r.observed_ts DESC, r.report_id DESC,"
                           " r.set_id, r.id DESC",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_int (stmt, 2, include_history ? 1 : 0);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (list, read_result (stmt));
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}

/* ---- reports, by patient (appended for the FHIR export) --------------------- */

GPtrArray *
ch_db_lab_report_list (ChStore  *store,
                       gint64    patient_id,
                       GError  **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_lab_report_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT id, patient_id, message_id, placer_number, filler_number,"
                           " test_code, test_text, test_system, observed_at, observed_ts,"
                           " reported_at, result_status, comments, created_at"
                           " FROM lab_reports WHERE patient_id = ?1 ORDER BY id",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChLabReport *r = ch_lab_report_new ();

      r->id = sqlite3_column_int64 (stmt, 0);
      r->patient_id = sqlite3_column_int64 (stmt, 1);
      r->message_id = sqlite3_column_int64 (stmt, 2);
      r->placer_number = column_dup (stmt, 3);
      r->filler_number = column_dup (stmt, 4);
      r->test_code = column_dup (stmt, 5);
      r->test_text = column_dup (stmt, 6);
      r->test_system = column_dup (stmt, 7);
      r->observed_at = column_dup (stmt, 8);
      r->has_observed_ts = sqlite3_column_type (stmt, 9) != SQLITE_NULL;
      r->observed_ts = sqlite3_column_int64 (stmt, 9);
      r->reported_at = column_dup (stmt, 10);
      r->result_status = column_dup (stmt, 11);
      r->comments = column_dup (stmt, 12);
      r->created_at = sqlite3_column_int64 (stmt, 13);
      g_ptr_array_add (list, r);
    }
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}

/* ---- the latest result of each test (appended for the chart summary) -------- */

/* What makes two results the same test for "the latest of each": the
 * code in its system and the sub-ID; the name when the lab sent no code. */
static char *
latest_key (const ChLabResult *r)
{
  return g_strdup_printf ("%s\x1f%s\x1f%s", r->system,
                          r->code[0] != '\0' ? r->code : r->text, r->sub_id);
}

/* Adds to @list the rows of @stmt (bound) whose test is not in @seen yet,
 * until @list holds @limit (0: no end). */
static int
collect_latest (ChStore      *store,
                sqlite3_stmt *stmt,
                GHashTable   *seen,
                GPtrArray    *list,
                guint         limit,
                GError      **error)
{
  int rc = SQLITE_DONE;

  while ((limit == 0 || list->len < limit)
         && (rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChLabResult *r = read_result (stmt);
      char *key = latest_key (r);

      if (g_hash_table_add (seen, key))
        g_ptr_array_add (list, r);
      else
        ch_lab_result_free (r);
    }
  if (limit != 0 && list->len >= limit)
    rc = SQLITE_DONE;
  sqlite3_reset (stmt);
  return rc;
}

GPtrArray *
ch_db_lab_result_list_latest (ChStore  *store,
                              gint64    patient_id,
                              gint64    since,
                              guint     limit,
                              GError  **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_lab_result_free);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *stmt;

  /* Walks lab_results_patient backwards (newest observation first) and
   * stops once @limit tests are found: only the results of one time are
   * sorted (by report, then in the lab's order), however long the
   * history. A result with no value, cancelled, deleted or entered in
   * error says nothing about the patient and is passed over. The bound on
   * observed_ts also leaves out untimed results, whose place in a NULL
   * ordering SQLite and PostgreSQL disagree on: they come after, below. */
  stmt = ch_store_prepare (store,
                           RESULT_SELECT " WHERE r.patient_id = ?1 AND r.current = 1"
                           " AND r.observed_ts >= ?2 AND r.value IS NOT NULL"
                           " AND r.status NOT IN ('X', 'D', 'W')"
                           " ORDER BY r.observed_ts DESC, r.report_id DESC, r.set_id, r.id DESC",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_int64 (stmt, 2, since > 0 ? since : G_MININT64);
  if (collect_latest (store, stmt, seen, list, limit, error) != SQLITE_DONE)
    return NULL;

  if (since <= 0 && (limit == 0 || list->len < limit))
    {
      stmt = ch_store_prepare (store,
                               RESULT_SELECT " WHERE r.patient_id = ?1 AND r.current = 1"
                               " AND r.observed_ts IS NULL AND r.value IS NOT NULL"
                               " AND r.status NOT IN ('X', 'D', 'W')"
                               " ORDER BY r.report_id DESC, r.set_id, r.id DESC",
                               error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, patient_id);
      if (collect_latest (store, stmt, seen, list, limit, error) != SQLITE_DONE)
        return NULL;
    }
  return g_steal_pointer (&list);
}
