/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-import-db"

#include "config.h"

#include "ch-import-db.h"
#include "ch-store-private.h"

void
ch_opening_balance_free (ChOpeningBalance *balance)
{
  if (balance == NULL)
    return;
  g_free (balance->source);
  g_free (balance->as_of);
  g_free (balance->note);
  g_free (balance->created_by);
  g_free (balance);
}

gboolean
ch_db_import_lookup (ChStore     *store,
                     const char  *source,
                     const char  *section,
                     const char  *row_key,
                     gboolean    *out_found,
                     gint64      *out_record_id,
                     gint64      *out_patient_id,
                     GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (source != NULL && section != NULL && row_key != NULL, FALSE);
  g_return_val_if_fail (out_found != NULL, FALSE);

  stmt = ch_store_prepare (store,
                           "SELECT record_id, patient_id FROM import_rows"
                           " WHERE source = ? AND section = ? AND row_key = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, source, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, section, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, row_key, -1, SQLITE_TRANSIENT);
  rc = ch_store_step (store, stmt, error);
  if (rc < 0)
    return FALSE;
  *out_found = rc == SQLITE_ROW;
  if (out_record_id != NULL)
    *out_record_id = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  if (out_patient_id != NULL)
    *out_patient_id = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 1) : 0;
  sqlite3_reset (stmt);
  return TRUE;
}

gboolean
ch_db_import_remember (ChStore     *store,
                       const char  *source,
                       const char  *section,
                       const char  *row_key,
                       const char  *record_type,
                       gint64       record_id,
                       gint64       patient_id,
                       const char  *file,
                       guint        line,
                       const char  *username,
                       GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (source != NULL && section != NULL && row_key != NULL, FALSE);
  g_return_val_if_fail (record_type != NULL, FALSE);

  stmt = ch_store_prepare (store,
                           "INSERT INTO import_rows (source, section, row_key, record_type,"
                           " record_id, patient_id, file, line, imported_at, imported_by)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, source, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, section, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, row_key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, record_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, record_id);
  if (patient_id > 0)
    sqlite3_bind_int64 (stmt, 6, patient_id);
  else
    sqlite3_bind_null (stmt, 6);
  sqlite3_bind_text (stmt, 7, file ? file : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 8, line);
  sqlite3_bind_int64 (stmt, 9, g_get_real_time ());
  sqlite3_bind_text (stmt, 10, username ? username : "", -1, SQLITE_TRANSIENT);
  return ch_store_step_done (store, stmt, error);
}

gint64
ch_db_import_count (ChStore     *store,
                    const char  *source,
                    const char  *section,
                    GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 count = -1;
  int rc;

  g_return_val_if_fail (source != NULL, -1);

  stmt = ch_store_prepare (store,
                           "SELECT count(*) FROM import_rows"
                           " WHERE source = ? AND (? IS NULL OR section = ?)", error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, source, -1, SQLITE_TRANSIENT);
  ch_store_bind_text (stmt, 2, section);
  ch_store_bind_text (stmt, 3, section);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    count = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return count;
}

gboolean
ch_db_opening_balance_insert (ChStore          *store,
                              ChOpeningBalance *balance,
                              const char       *username,
                              GError          **error)
{
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;

  g_return_val_if_fail (balance != NULL && balance->source != NULL, FALSE);

  stmt = ch_store_prepare (store,
                           "INSERT INTO import_balances (patient_id, source, amount_cents, as_of,"
                           " note, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, balance->patient_id);
  sqlite3_bind_text (stmt, 2, balance->source, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, balance->amount_cents);
  sqlite3_bind_text (stmt, 4, balance->as_of ? balance->as_of : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, balance->note ? balance->note : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, now);
  sqlite3_bind_text (stmt, 7, username ? username : "", -1, SQLITE_TRANSIENT);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  balance->id = ch_store_last_insert_id (store);
  balance->created_at = now;
  g_free (balance->created_by);
  balance->created_by = g_strdup (username ? username : "");
  return TRUE;
}

GPtrArray *
ch_db_opening_balance_list (ChStore  *store,
                            gint64    patient_id,
                            GError  **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_opening_balance_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT id, patient_id, source, amount_cents, as_of, note, created_at,"
                           " created_by, posted_at FROM import_balances"
                           " WHERE ? = 0 OR patient_id = ? ORDER BY patient_id, id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_int64 (stmt, 2, patient_id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChOpeningBalance *balance = g_new0 (ChOpeningBalance, 1);

      balance->id = sqlite3_column_int64 (stmt, 0);
      balance->patient_id = sqlite3_column_int64 (stmt, 1);
      balance->source = g_strdup (ch_store_column_text (stmt, 2));
      balance->amount_cents = sqlite3_column_int64 (stmt, 3);
      balance->as_of = g_strdup (ch_store_column_text (stmt, 4));
      balance->note = g_strdup (ch_store_column_text (stmt, 5));
      balance->created_at = sqlite3_column_int64 (stmt, 6);
      balance->created_by = g_strdup (ch_store_column_text (stmt, 7));
      balance->posted_at = sqlite3_column_int64 (stmt, 8);
      g_ptr_array_add (list, balance);
    }
  sqlite3_reset (stmt);
  if (rc < 0)
    return NULL;
  return g_steal_pointer (&list);
}
