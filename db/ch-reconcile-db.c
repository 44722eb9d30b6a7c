/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-reconcile-db"

#include "config.h"

#include "ch-reconcile-db.h"
#include "ch-store-private.h"

void
ch_reconciliation_line_free (ChReconciliationLine *line)
{
  if (line == NULL)
    return;
  g_free (line->outside_text);
  g_free (line->decision);
  g_free (line->note);
  g_free (line);
}

void
ch_reconciliation_free (ChReconciliation *reconciliation)
{
  if (reconciliation == NULL)
    return;
  g_free (reconciliation->source);
  g_free (reconciliation->done_by);
  g_clear_pointer (&reconciliation->lines, g_ptr_array_unref);
  g_free (reconciliation);
}

gboolean
ch_db_reconciliation_insert (ChStore     *store,
                             gint64       patient_id,
                             const char  *source,
                             const char  *username,
                             gint64      *out_id,
                             GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO reconciliations (patient_id, source, done_at, done_by)"
                           " VALUES (?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_text (stmt, 2, source ? source : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
  sqlite3_bind_text (stmt, 4, username, -1, SQLITE_TRANSIENT);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  *out_id = ch_store_last_insert_id (store);
  return TRUE;
}

gboolean
ch_db_reconciliation_line_insert (ChStore     *store,
                                  gint64       reconciliation_id,
                                  const char  *outside_text,
                                  gint64       medication_item_id,
                                  const char  *decision,
                                  const char  *note,
                                  GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO reconciliation_lines (reconciliation_id, outside_text,"
                           " medication_item_id, decision, note) VALUES (?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, reconciliation_id);
  sqlite3_bind_text (stmt, 2, outside_text ? outside_text : "", -1, SQLITE_TRANSIENT);
  if (medication_item_id != 0)
    sqlite3_bind_int64 (stmt, 3, medication_item_id);
  else
    sqlite3_bind_null (stmt, 3);
  sqlite3_bind_text (stmt, 4, decision, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, note ? note : "", -1, SQLITE_TRANSIENT);
  return ch_store_step_done (store, stmt, error);
}

GPtrArray *
ch_db_reconciliation_list (ChStore  *store,
                           gint64    patient_id,
                           GError  **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_reconciliation_free);
  g_autoptr (GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT id, patient_id, source, done_at, done_by FROM reconciliations"
                           " WHERE patient_id = ? ORDER BY done_at DESC, id DESC", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChReconciliation *reconciliation = g_new0 (ChReconciliation, 1);

      reconciliation->id = sqlite3_column_int64 (stmt, 0);
      reconciliation->patient_id = sqlite3_column_int64 (stmt, 1);
      reconciliation->source = g_strdup (ch_store_column_text (stmt, 2));
      reconciliation->done_at = sqlite3_column_int64 (stmt, 3);
      reconciliation->done_by = g_strdup (ch_store_column_text (stmt, 4));
      reconciliation->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_reconciliation_line_free);
      g_ptr_array_add (list, reconciliation);
      g_hash_table_insert (by_id, &reconciliation->id, reconciliation);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return NULL;

  /* Every line of the patient's reconciliations in one query, not one a reconciliation. */
  stmt = ch_store_prepare (store,
                           "SELECT l.reconciliation_id, l.id, l.outside_text, l.medication_item_id,"
                           " l.decision, l.note FROM reconciliation_lines l"
                           " JOIN reconciliations r ON r.id = l.reconciliation_id"
                           " WHERE r.patient_id = ? ORDER BY l.reconciliation_id, l.id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      gint64 reconciliation_id = sqlite3_column_int64 (stmt, 0);
      ChReconciliation *reconciliation = g_hash_table_lookup (by_id, &reconciliation_id);
      ChReconciliationLine *line;

      if (reconciliation == NULL)
        continue;
      line = g_new0 (ChReconciliationLine, 1);
      line->id = sqlite3_column_int64 (stmt, 1);
      line->outside_text = g_strdup (ch_store_column_text (stmt, 2));
      line->medication_item_id = sqlite3_column_int64 (stmt, 3);
      line->decision = g_strdup (ch_store_column_text (stmt, 4));
      line->note = g_strdup (ch_store_column_text (stmt, 5));
      g_ptr_array_add (reconciliation->lines, line);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return NULL;

  return g_steal_pointer (&list);
}

gboolean
ch_db_prescription_find_signed_for_item (ChStore  *store,
                                         gint64    medication_item_id,
                                         gint64   *out_id,
                                         GError  **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *out_id = 0;
  /* A renewal shares its entry with the prescriptions it replaced; only one
   * of them is signed at a time. */
  stmt = ch_store_prepare (store,
                           "SELECT id FROM prescriptions WHERE medication_item_id = ?"
                           " AND state = 'signed' ORDER BY id DESC LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, medication_item_id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    *out_id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}
