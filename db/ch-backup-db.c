/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-backup-db"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <string.h>

#include "ch-backup-db.h"
#include "ch-records.h"
#include "ch-store-private.h"

/* A snapshot of the encrypted database for a backup. SQLCipher's online
 * backup API into an unkeyed destination writes every page in plaintext, so
 * Charta never uses it: the WAL is checkpointed into the database file, the
 * write lock taken (BEGIN IMMEDIATE), and the file's bytes copied as they
 * are on disk, still encrypted. Reads go through SQLite's own file handle:
 * opening and closing another descriptor of the database would drop the
 * POSIX locks SQLite holds on it. */

#define SNAPSHOT_CHUNK (256 * 1024)
#define SNAPSHOT_ATTEMPTS 50

void
ch_db_snapshot_info_clear (ChDbSnapshotInfo *info)
{
  g_clear_pointer (&info->audit_head, g_free);
  g_clear_pointer (&info->practice_name, g_free);
}

/* Whether the WAL holds nothing the database file lacks. */
static gboolean
wal_is_empty (ChStore *store)
{
  g_autofree char *wal = g_strconcat (ch_store_get_path (store), "-wal", NULL);
  GStatBuf st;

  if (g_stat (wal, &st) != 0)
    return errno == ENOENT;
  return st.st_size == 0;
}

static gboolean
read_info (ChStore          *store,
           ChDbSnapshotInfo *info,
           GError          **error)
{
  g_autoptr (GError) local_error = NULL;

  info->schema_version = ch_store_get_schema_version (store);
  info->audit_head = ch_db_setting_get (store, "audit.head", &local_error);
  if (local_error == NULL)
    info->practice_name = ch_db_setting_get (store, "practice.name", &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

static gboolean
copy_file (ChStore          *store,
           ChDbSnapshotInfo *info,
           ChDbSnapshotFunc  func,
           gpointer          user_data,
           GError          **error)
{
  sqlite3 *db = sqlite3_db_handle (ch_store_prepare (store, "SELECT 1", error));
  sqlite3_file *file = NULL;
  sqlite3_int64 size = 0;
  g_autofree guint8 *buf = NULL;
  int rc;

  if (db == NULL)
    return FALSE;

  rc = sqlite3_file_control (db, "main", SQLITE_FCNTL_FILE_POINTER, &file);
  if (rc != SQLITE_OK || file == NULL || file->pMethods == NULL)
    {
      ch_store_set_error (store, rc != SQLITE_OK ? rc : SQLITE_ERROR, error,
                          _("Could not read the practice database for the backup"));
      return FALSE;
    }

  rc = file->pMethods->xFileSize (file, &size);
  if (rc != SQLITE_OK)
    {
      ch_store_set_error (store, rc, error, _("Could not read the practice database for the backup"));
      return FALSE;
    }
  info->db_size = size;

  buf = g_malloc (SNAPSHOT_CHUNK);
  for (sqlite3_int64 offset = 0; offset < size; offset += SNAPSHOT_CHUNK)
    {
      int n = (int) MIN ((sqlite3_int64) SNAPSHOT_CHUNK, size - offset);

      rc = file->pMethods->xRead (file, buf, n, offset);
      if (rc != SQLITE_OK)
        {
          ch_store_set_error (store, rc, error,
                              _("Could not read the practice database for the backup"));
          return FALSE;
        }
      if (!func (buf, (gsize) n, user_data, error))
        return FALSE;
    }

  return TRUE;
}

/**
 * ch_db_backup_snapshot:
 * @out_info: (out caller-allocates): what the snapshot holds; clear it with
 *   ch_db_snapshot_info_clear()
 * @func: called with the database file's bytes, in order, while the write
 *   lock is held; returning %FALSE stops the copy
 *
 * Copies the encrypted database file, consistent: every transaction committed
 * before the call is in it, none after. Writers wait (busy timeout) while
 * @func runs; readers go on.
 *
 * Returns: %TRUE, or %FALSE with a CH_STORE_ERROR or @func's error
 */
gboolean
ch_db_backup_snapshot (ChStore           *store,
                       ChDbSnapshotInfo  *out_info,
                       ChDbSnapshotFunc   func,
                       gpointer           user_data,
                       GError           **error)
{
  gboolean ok;

  g_return_val_if_fail (CH_IS_STORE (store), FALSE);
  g_return_val_if_fail (out_info != NULL && func != NULL, FALSE);
  g_return_val_if_fail (!ch_store_in_transaction (store), FALSE);

  memset (out_info, 0, sizeof *out_info);

  /* A checkpoint cannot run inside a transaction, so a writer may commit
   * between the two: then the WAL is not empty, and we try again. */
  for (guint attempt = 0;; attempt++)
    {
      if (!ch_store_checkpoint (store, error) || !ch_store_begin (store, error))
        return FALSE;
      if (wal_is_empty (store))
        break;
      ch_store_rollback (store);
      if (attempt + 1 >= SNAPSHOT_ATTEMPTS)
        {
          g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_BUSY,
                               _("The practice database is too busy to take a backup "
                                 "snapshot; try again in a moment"));
          return FALSE;
        }
      g_usleep (20 * 1000);
    }

  ok = read_info (store, out_info, error) && copy_file (store, out_info, func, user_data, error);
  /* Nothing was written: ending the transaction only lets writers go on. */
  ch_store_rollback (store);

  if (!ok)
    ch_db_snapshot_info_clear (out_info);
  return ok;
}

/* ---- backup runs --------------------------------------------------------- */

void
ch_backup_run_record_free (ChBackupRunRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->target);
  g_free (record->archive);
  g_free (record->reason);
  g_free (record);
}

gboolean
ch_db_backup_run_insert (ChStore                 *store,
                         const ChBackupRunRecord *record,
                         GError                 **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (CH_IS_STORE (store), FALSE);

  stmt = ch_store_prepare (store,
                           "INSERT INTO backup_runs (started_at, finished_at, ok, target, "
                           "archive, size, duration_ms, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, record->started_at);
  sqlite3_bind_int64 (stmt, 2, record->finished_at);
  sqlite3_bind_int (stmt, 3, record->ok ? 1 : 0);
  ch_store_bind_text (stmt, 4, record->target != NULL ? record->target : "");
  ch_store_bind_text (stmt, 5, record->archive);
  sqlite3_bind_int64 (stmt, 6, record->size);
  sqlite3_bind_int64 (stmt, 7, record->duration_ms);
  ch_store_bind_text (stmt, 8, record->reason);
  return ch_store_step_done (store, stmt, error);
}

ChBackupRunRecord *
ch_db_backup_run_last (ChStore  *store,
                       gboolean  ok,
                       GError  **error)
{
  sqlite3_stmt *stmt;
  ChBackupRunRecord *record;
  int rc;

  g_return_val_if_fail (CH_IS_STORE (store), NULL);

  stmt = ch_store_prepare (store,
                           "SELECT id, started_at, finished_at, ok, target, archive, size, "
                           "duration_ms, reason FROM backup_runs WHERE ok = ? "
                           "ORDER BY finished_at DESC, id DESC LIMIT 1",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, ok ? 1 : 0);

  rc = ch_store_step (store, stmt, error);
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return NULL;
    }

  record = g_new0 (ChBackupRunRecord, 1);
  record->id = sqlite3_column_int64 (stmt, 0);
  record->started_at = sqlite3_column_int64 (stmt, 1);
  record->finished_at = sqlite3_column_int64 (stmt, 2);
  record->ok = sqlite3_column_int (stmt, 3) != 0;
  record->target = g_strdup (ch_store_column_text (stmt, 4));
  if (sqlite3_column_type (stmt, 5) != SQLITE_NULL)
    record->archive = g_strdup (ch_store_column_text (stmt, 5));
  record->size = sqlite3_column_int64 (stmt, 6);
  record->duration_ms = sqlite3_column_int64 (stmt, 7);
  if (sqlite3_column_type (stmt, 8) != SQLITE_NULL)
    record->reason = g_strdup (ch_store_column_text (stmt, 8));
  sqlite3_reset (stmt);
  return record;
}

gboolean
ch_db_backup_run_wrote (ChStore    *store,
                        const char *target,
                        const char *archive,
                        gboolean   *out_wrote,
                        GError    **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (CH_IS_STORE (store), FALSE);

  stmt = ch_store_prepare (store,
                           "SELECT 1 FROM backup_runs WHERE ok = 1 AND target = ? AND archive = ? "
                           "LIMIT 1",
                           error);
  if (stmt == NULL)
    return FALSE;
  ch_store_bind_text (stmt, 1, target);
  ch_store_bind_text (stmt, 2, archive);
  rc = ch_store_step (store, stmt, error);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return FALSE;
  *out_wrote = rc == SQLITE_ROW;
  return TRUE;
}
