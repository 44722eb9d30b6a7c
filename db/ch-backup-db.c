/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-backup-db"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>

#include "ch-backup-db.h"
#include "ch-records.h"
#include "ch-store-private.h"

/* A snapshot of the encrypted database for a backup. SQLCipher's online
 * backup API into an unkeyed destination writes every page in plaintext, so
 * Charta never uses it. Instead the WAL is checkpointed into the database
 * file (PRAGMA wal_checkpoint(TRUNCATE)), the write lock taken (BEGIN
 * IMMEDIATE), and the files' bytes copied as they are on disk, still
 * encrypted: the database file and, when the checkpoint could not empty it
 * (a busy practice), the WAL. While the lock is held no transaction commits
 * and the WAL is neither appended to nor restarted, so the WAL copied is
 * exactly the one the database had when the lock was taken; a checkpoint
 * another connection runs meanwhile only writes into the database file
 * pages that the WAL also holds, which SQLite's recovery replays over the
 * copy when it is opened. Either way every transaction committed before the
 * lock is in the snapshot, and none after.
 *
 * The database file is read through SQLite's own file handle: opening and
 * closing another descriptor of it would drop the POSIX locks SQLite holds
 * on it. The WAL carries no locks of SQLite's (those are on -shm). */

#define SNAPSHOT_CHUNK (256 * 1024)

void
ch_db_snapshot_info_clear (ChDbSnapshotInfo *info)
{
  g_clear_pointer (&info->audit_head, g_free);
  g_clear_pointer (&info->practice_name, g_free);
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
copy_db_file (ChStore          *store,
              const char       *name,
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

  if (!func (name, (guint64) size, NULL, 0, user_data, error))
    return FALSE;

  buf = g_malloc (SNAPSHOT_CHUNK);
  for (sqlite3_int64 offset = 0; offset < size; offset += SNAPSHOT_CHUNK)
    {
      int n = (int) MIN ((sqlite3_int64) SNAPSHOT_CHUNK, size - offset);

      rc = file->pMethods->xRead (file, buf, n, offset);
      /* A checkpoint may have shortened the file meanwhile: the pages past
       * its end (read as zeros) are past the database's end too. */
      if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ)
        {
          ch_store_set_error (store, rc, error,
                              _("Could not read the practice database for the backup"));
          return FALSE;
        }
      if (!func (name, (guint64) size, buf, (gsize) n, user_data, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
copy_wal (ChStore          *store,
          const char       *name,
          ChDbSnapshotInfo *info,
          ChDbSnapshotFunc  func,
          gpointer          user_data,
          GError          **error)
{
  g_autofree char *path = g_strconcat (ch_store_get_path (store), "-wal", NULL);
  g_autofree guint8 *buf = NULL;
  struct stat st;
  guint64 done = 0;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;

      if (saved == ENOENT)
        return TRUE;
      g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_FAILED,
                   _("Could not read the practice database for the backup: %s"),
                   g_strerror (saved));
      return FALSE;
    }
  if (fstat (fd, &st) != 0 || st.st_size == 0)
    {
      close (fd);
      return TRUE;
    }
  info->wal_size = st.st_size;

  if (!func (name, (guint64) st.st_size, NULL, 0, user_data, error))
    {
      close (fd);
      return FALSE;
    }

  buf = g_malloc (SNAPSHOT_CHUNK);
  while (done < (guint64) st.st_size)
    {
      gsize want = (gsize) MIN ((guint64) SNAPSHOT_CHUNK, (guint64) st.st_size - done);
      ssize_t n = read (fd, buf, want);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = n < 0 ? errno : EIO;
          g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_FAILED,
                       _("Could not read the practice database for the backup: %s"),
                       g_strerror (saved));
          close (fd);
          return FALSE;
        }
      if (!func (name, (guint64) st.st_size, buf, (gsize) n, user_data, error))
        {
          close (fd);
          return FALSE;
        }
      done += (guint64) n;
    }
  close (fd);
  return TRUE;
}

/**
 * ch_db_backup_snapshot:
 * @out_info: (out caller-allocates): what the snapshot holds; clear it with
 *   ch_db_snapshot_info_clear()
 * @func: called for each file copied ("charta.db", then "charta.db-wal" when
 *   the WAL is not empty): first with %NULL data to start it, then with its
 *   bytes in order; returning %FALSE stops the copy
 *
 * Copies the encrypted database, consistent: every transaction committed
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
  g_autoptr (GError) local_error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *wal_name = NULL;
  gboolean ok;

  g_return_val_if_fail (CH_IS_STORE (store), FALSE);
  g_return_val_if_fail (out_info != NULL && func != NULL, FALSE);
  g_return_val_if_fail (!ch_store_in_transaction (store), FALSE);

  memset (out_info, 0, sizeof *out_info);
  base = g_path_get_basename (ch_store_get_path (store));
  wal_name = g_strconcat (base, "-wal", NULL);

  /* A checkpoint cannot run inside a transaction. When a busy practice keeps
   * it from emptying the WAL, the WAL is copied as well. */
  if (!ch_store_checkpoint (store, &local_error))
    {
      if (!g_error_matches (local_error, CH_STORE_ERROR, CH_STORE_ERROR_BUSY))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_debug ("backup: checkpoint incomplete (%s); copying the WAL too", local_error->message);
    }

  if (!ch_store_begin (store, error))
    return FALSE;

  ok = read_info (store, out_info, error)
       && copy_db_file (store, base, out_info, func, user_data, error)
       && copy_wal (store, wal_name, out_info, func, user_data, error);
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

/* Marks @archive in @target as being named by a run under way (see
 * schema/0012-backup-pending.sql), or with @started_at 0 clears the mark. */
gboolean
ch_db_backup_pending_set (ChStore    *store,
                          const char *target,
                          const char *archive,
                          gint64      started_at,
                          GError    **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (CH_IS_STORE (store), FALSE);

  stmt = ch_store_prepare (store,
                           started_at != 0
                           ? "INSERT OR REPLACE INTO backup_pending (target, archive, started_at) "
                             "VALUES (?1, ?2, ?3)"
                           : "DELETE FROM backup_pending WHERE target = ?1 AND archive = ?2",
                           error);
  if (stmt == NULL)
    return FALSE;
  ch_store_bind_text (stmt, 1, target);
  ch_store_bind_text (stmt, 2, archive);
  if (started_at != 0)
    sqlite3_bind_int64 (stmt, 3, started_at);
  rc = ch_store_step (store, stmt, error);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
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
                           "SELECT 1 FROM backup_runs WHERE ok = 1 AND target = ?1 AND archive = ?2 "
                           "UNION ALL "
                           "SELECT 1 FROM backup_pending WHERE target = ?1 AND archive = ?2 "
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

/* ---- the online backup API, for comparison ------------------------------- */

static gboolean
fsync_path (const char *path,
            GError    **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  int saved;

  if (fd >= 0 && fsync (fd) == 0)
    {
      close (fd);
      return TRUE;
    }
  saved = errno;
  if (fd >= 0)
    close (fd);
  g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_FAILED,
               _("Could not write “%s”: %s"), path, g_strerror (saved));
  return FALSE;
}

/* Whether the file starts as a plaintext SQLite database does. */
static gboolean
is_plaintext_db (const char *path)
{
  static const char magic[16] = "SQLite format 3";
  char head[16] = { 0 };
  gboolean plain = FALSE;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0)
    return FALSE;
  if (read (fd, head, sizeof head) == (ssize_t) sizeof head)
    plain = memcmp (head, magic, sizeof magic) == 0;
  close (fd);
  return plain;
}

/**
 * ch_db_backup_keyed_copy:
 * @key: the store's key (%CH_STORE_KEY_BYTES), as @store was opened with
 * @dest_path: a file that does not exist yet
 *
 * Copies the database with SQLCipher's online backup API (sqlite3_backup_*)
 * into a new database at @dest_path, opened and keyed by ch_store_open() as
 * @store's own connection is: the same raw key and cipher settings, so that
 * every page is encrypted again on its way out. (Into an unkeyed destination
 * SQLCipher 3.4 would write every page in plaintext.) The copy is synced.
 * Charta's backups do not use this: the backup benchmark compares it with
 * ch_db_backup_snapshot().
 *
 * Returns: %TRUE, or %FALSE with a CH_STORE_ERROR; on failure nothing is
 *   left at @dest_path
 */
gboolean
ch_db_backup_keyed_copy (ChStore      *store,
                         const guint8 *key,
                         const char   *dest_path,
                         GError      **error)
{
  g_autoptr (ChStore) dest = NULL;
  g_autoptr (ChStore) check = NULL;
  sqlite3_stmt *stmt;
  sqlite3_backup *backup;
  sqlite3 *src_db;
  sqlite3 *dest_db;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (CH_IS_STORE (store), FALSE);
  g_return_val_if_fail (key != NULL && dest_path != NULL, FALSE);
  g_return_val_if_fail (!ch_store_in_transaction (store), FALSE);

  if (g_file_test (dest_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_FAILED,
                   _("Could not copy the practice database: “%s” exists"), dest_path);
      return FALSE;
    }

  stmt = ch_store_prepare (store, "SELECT 1", error);
  if (stmt == NULL)
    return FALSE;
  src_db = sqlite3_db_handle (stmt);

  /* Keyed exactly as the store's connection: ch_store_open() keys it with
   * the raw key and sets the cipher page size before the first page. */
  dest = ch_store_open (dest_path, key, CH_STORE_FLAGS_CREATE | CH_STORE_FLAGS_NO_MIGRATE, error);
  if (dest == NULL)
    goto out;
  /* A new copy needs no journal: a crash leaves a file to delete. */
  if (!ch_store_exec (dest, "PRAGMA journal_mode = OFF", error)
      || !ch_store_exec (dest, "PRAGMA synchronous = OFF", error))
    goto out;
  stmt = ch_store_prepare (dest, "SELECT 1", error);
  if (stmt == NULL)
    goto out;
  dest_db = sqlite3_db_handle (stmt);

  backup = sqlite3_backup_init (dest_db, "main", src_db, "main");
  if (backup == NULL)
    {
      ch_store_set_error (dest, sqlite3_errcode (dest_db), error,
                          _("Could not copy the practice database"));
      goto out;
    }
  /* All pages in one step: one read transaction on the source, so the copy
   * is consistent and never restarts. */
  do
    rc = sqlite3_backup_step (backup, -1);
  while (rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish (backup);
  if (rc != SQLITE_DONE)
    {
      ch_store_set_error (dest, rc, error, _("Could not copy the practice database"));
      goto out;
    }
  ch_store_close (dest);
  g_clear_object (&dest);

  if (is_plaintext_db (dest_path))
    {
      g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_FAILED,
                   _("The copy of the practice database is not encrypted"));
      goto out;
    }
  /* The copy opens with the key: the pages were encrypted with the store's. */
  check = ch_store_open (dest_path, key, CH_STORE_FLAGS_NO_MIGRATE, error);
  if (check == NULL)
    goto out;
  ch_store_close (check);

  ok = fsync_path (dest_path, error);

out:
  if (dest != NULL)
    ch_store_close (dest);
  if (!ok)
    {
      static const char * const suffixes[] = { "", "-journal", "-wal", "-shm" };

      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *path = g_strconcat (dest_path, suffixes[i], NULL);
          g_unlink (path);
        }
    }
  return ok;
}
