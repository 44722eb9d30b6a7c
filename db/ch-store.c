/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-store"

#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include <sodium.h>
#include <string.h>

#include "ch-schema-resources.h"
#include "ch-store-private.h"

/* A ChStore is one SQLCipher connection to PRACTICE/charta.db. The database is
 * keyed with a raw 256-bit key ("x'…'"), so opening costs no PBKDF2; the key
 * text only ever lives in sodium_malloc() memory.
 *
 * Two SQLCipher 3.4 traps this file stays clear of: ATTACH without KEY silently
 * reuses the main key, and the online backup API into an unkeyed database
 * writes a plaintext copy. Neither is exposed here. */

#define CIPHER_PAGE_SIZE 4096
#define CACHE_KIB        65536  /* 64 MiB of decrypted pages per connection */
#define BUSY_TIMEOUT_MS  5000
#define SCHEMA_PREFIX    "/org/charta/Charta/db/schema"

struct _ChStore
{
  GObject       parent_instance;

  sqlite3      *db;
  char         *path;
  guint8       *key;         /* sodium_malloc, CH_STORE_KEY_BYTES */
  GHashTable   *stmt_cache;  /* SQL text → sqlite3_stmt */
  ChStoreFlags  flags;
  guint         tx_depth;
  /* A batch transaction (ch_store_begin_batch()): nested transactions are
   * not savepoints, and one rolled back spoils the whole batch. */
  gboolean      batch;
  gboolean      batch_spoiled;
  /* ch_store_set_cancellable(): interrupts long statements when cancelled */
  GCancellable *cancellable;
};

G_DEFINE_TYPE (ChStore, ch_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (ch-store-error-quark, ch_store_error)

static void
finalize_stmt (gpointer data)
{
  sqlite3_finalize (data);
}

void
ch_store_close (ChStore *self)
{
  g_return_if_fail (CH_IS_STORE (self));

  g_hash_table_remove_all (self->stmt_cache);

  if (self->db != NULL)
    {
      if (self->tx_depth > 0)
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      self->tx_depth = 0;
      self->batch = self->batch_spoiled = FALSE;
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }

  g_clear_pointer (&self->key, sodium_free);
}

static void
ch_store_finalize (GObject *object)
{
  ChStore *self = CH_STORE (object);

  ch_store_close (self);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->stmt_cache, g_hash_table_unref);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (ch_store_parent_class)->finalize (object);
}

static void
ch_store_class_init (ChStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ch_store_finalize;
}

static void
ch_store_init (ChStore *self)
{
  self->stmt_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_stmt);
}

static ChStoreError
error_code_for_rc (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_NOTADB:
      return CH_STORE_ERROR_WRONG_KEY;
    case SQLITE_CONSTRAINT:
      return CH_STORE_ERROR_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return CH_STORE_ERROR_BUSY;
    case SQLITE_FULL:
      return CH_STORE_ERROR_FULL;
    case SQLITE_CORRUPT:
      return CH_STORE_ERROR_CORRUPT;
    case SQLITE_NOTFOUND:
      return CH_STORE_ERROR_NOT_FOUND;
    default:
      return CH_STORE_ERROR_FAILED;
    }
}

/* Sets @error from the connection's last error, prefixed with what was being
 * done. The messages for the cases a person can act on are our own. */
void
ch_store_set_error (ChStore    *self,
                    int         rc,
                    GError    **error,
                    const char *what)
{
  ChStoreError code = error_code_for_rc (rc);
  const char *detail;

  if (error == NULL)
    return;

  /* Our own progress handler stopped it: the caller cancelled, nothing failed. */
  if (rc == SQLITE_INTERRUPT && self != NULL && self->cancellable != NULL
      && g_cancellable_is_cancelled (self->cancellable))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The query was cancelled"));
      return;
    }

  switch (code)
    {
    case CH_STORE_ERROR_WRONG_KEY:
      g_set_error_literal (error, CH_STORE_ERROR, code,
                           _("Wrong password or not a Charta practice"));
      return;
    case CH_STORE_ERROR_FULL:
      g_set_error (error, CH_STORE_ERROR, code,
                   _("The disk is full: %s was not saved, and nothing already stored was changed"),
                   what);
      return;
    case CH_STORE_ERROR_BUSY:
      g_set_error (error, CH_STORE_ERROR, code,
                   _("The practice database is busy (%s); try again in a moment"), what);
      return;
    default:
      break;
    }

  detail = (self != NULL && self->db != NULL) ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);
  g_set_error (error, CH_STORE_ERROR, code, "%s: %s", what, detail);
}

static gboolean
exec_internal (ChStore    *self,
               const char *sql,
               GError    **error)
{
  char *errmsg = NULL;
  int rc;

  rc = sqlite3_exec (self->db, sql, NULL, NULL, &errmsg);
  if (rc != SQLITE_OK)
    {
      ChStoreError code = error_code_for_rc (rc);

      if (code == CH_STORE_ERROR_WRONG_KEY || code == CH_STORE_ERROR_FULL
          || code == CH_STORE_ERROR_BUSY)
        ch_store_set_error (self, rc, error, _("the change"));
      else
        g_set_error (error, CH_STORE_ERROR, code, "%s", errmsg ? errmsg : sqlite3_errstr (rc));
      sqlite3_free (errmsg);
      return FALSE;
    }

  return TRUE;
}

/* Folds text for matching: compatibility-decomposed, combining marks dropped,
 * case-folded, runs of white space made one space. "Ángela  MÜLLER" and
 * "angela muller" fold alike. (transfer full) */
char *
ch_fold (const char *text)
{
  g_autofree char *decomposed = NULL;
  g_autoptr (GString) out = NULL;
  gboolean space = FALSE;

  if (text == NULL)
    return g_strdup ("");

  decomposed = g_utf8_normalize (text, -1, G_NORMALIZE_NFKD);
  if (decomposed == NULL)
    return g_strdup ("");

  out = g_string_sized_new (strlen (decomposed));
  for (const char *p = decomposed; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);

      if (type == G_UNICODE_NON_SPACING_MARK || type == G_UNICODE_SPACING_MARK
          || type == G_UNICODE_ENCLOSING_MARK)
        continue;

      if (g_unichar_isspace (c))
        {
          space = out->len > 0;
          continue;
        }

      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;

      /* Letters that Unicode does not decompose but people type without. */
      switch (c)
        {
        case 0x00D8: case 0x00F8: g_string_append_c (out, 'o'); continue;   /* Ø ø */
        case 0x0141: case 0x0142: g_string_append_c (out, 'l'); continue;   /* Ł ł */
        case 0x0110: case 0x0111: g_string_append_c (out, 'd'); continue;   /* Đ đ */
        case 0x00C6: case 0x00E6: g_string_append (out, "ae"); continue;    /* Æ æ */
        case 0x0152: case 0x0153: g_string_append (out, "oe"); continue;    /* Œ œ */
        default:
          break;
        }

      {
        char buf[8];
        int len = g_unichar_to_utf8 (c, buf);
        g_autofree char *folded = g_utf8_casefold (buf, len);
        g_string_append (out, folded);
      }
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
sql_fold (sqlite3_context *context,
          int              argc,
          sqlite3_value  **argv)
{
  const unsigned char *text = sqlite3_value_text (argv[0]);
  char *folded;

  if (text == NULL)
    {
      sqlite3_result_null (context);
      return;
    }

  folded = ch_fold ((const char *) text);
  sqlite3_result_text (context, folded, -1, g_free);
}

static gboolean
apply_key (ChStore *self,
           GError **error)
{
  /* "x'" + 64 hex digits + "'" */
  const gsize spec_len = 2 + CH_STORE_KEY_BYTES * 2 + 1;
  char *spec;
  int rc;

  spec = sodium_malloc (spec_len + 1);
  if (spec == NULL)
    {
      g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_FAILED,
                           _("Out of secure memory"));
      return FALSE;
    }

  spec[0] = 'x';
  spec[1] = '\'';
  sodium_bin2hex (spec + 2, CH_STORE_KEY_BYTES * 2 + 1, self->key, CH_STORE_KEY_BYTES);
  spec[spec_len - 1] = '\'';
  spec[spec_len] = '\0';

  rc = sqlite3_key (self->db, spec, (int) spec_len);
  sodium_free (spec);

  if (rc != SQLITE_OK)
    {
      ch_store_set_error (self, rc, error, _("Could not key the practice database"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
configure_connection (ChStore  *self,
                      gboolean  created,
                      GError  **error)
{
  g_autofree char *cache = NULL;
  int rc;

  if (!apply_key (self, error))
    return FALSE;

  /* Must precede the first read of a page. */
  if (!exec_internal (self, "PRAGMA cipher_page_size = " G_STRINGIFY (CIPHER_PAGE_SIZE), error))
    return FALSE;

  /* Before the first read: another process may hold a lock for a moment
   * (a connection closing and checkpointing, a backup's checkpoint). */
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  /* The first read proves the key: with a wrong one the header does not decrypt. */
  rc = sqlite3_exec (self->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT)
        g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_WRONG_KEY,
                             _("Wrong password or not a Charta practice"));
      else
        ch_store_set_error (self, rc, error, _("Could not read the practice database"));
      return FALSE;
    }

  cache = g_strdup_printf ("PRAGMA cache_size = -%d", CACHE_KIB);
  if (!exec_internal (self, cache, error)
      /* Never a plaintext temporary file on disk. */
      || !exec_internal (self, "PRAGMA temp_store = MEMORY", error)
      || !exec_internal (self, "PRAGMA foreign_keys = ON", error))
    return FALSE;

  if ((self->flags & CH_STORE_FLAGS_READ_ONLY) == 0)
    {
      if (!exec_internal (self, "PRAGMA journal_mode = WAL", error)
          || !exec_internal (self, "PRAGMA synchronous = FULL", error))
        return FALSE;
    }
  else if (!exec_internal (self, "PRAGMA query_only = ON", error))
    return FALSE;

  rc = sqlite3_create_function (self->db, "ch_fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                NULL, sql_fold, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      ch_store_set_error (self, rc, error, "ch_fold");
      return FALSE;
    }

  (void) created;
  return TRUE;
}

/**
 * ch_store_open:
 * @path: the database file
 * @key: CH_STORE_KEY_BYTES bytes of raw key
 * @flags: how to open
 * @error: set to CH_STORE_ERROR_WRONG_KEY when @key does not open @path,
 *   CH_STORE_ERROR_NOT_FOUND when it does not exist, CH_STORE_ERROR_SCHEMA when
 *   migrating failed (the file is then as it was)
 *
 * Opens and keys the database and brings its schema up to date.
 *
 * Returns: (transfer full): the store, or %NULL
 */
ChStore *
ch_store_open (const char   *path,
               const guint8 *key,
               ChStoreFlags  flags,
               GError      **error)
{
  g_autoptr (ChStore) self = NULL;
  gboolean exists;
  int open_flags;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (sodium_init () < 0)
    {
      g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_FAILED,
                           _("The cryptography library could not start"));
      return NULL;
    }

  exists = g_file_test (path, G_FILE_TEST_EXISTS);
  if (!exists && (flags & CH_STORE_FLAGS_CREATE) == 0)
    {
      g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                   _("No practice database at “%s”"), path);
      return NULL;
    }

  self = g_object_new (CH_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->flags = flags;
  self->key = sodium_malloc (CH_STORE_KEY_BYTES);
  if (self->key == NULL)
    {
      g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_FAILED,
                           _("Out of secure memory"));
      return NULL;
    }
  memcpy (self->key, key, CH_STORE_KEY_BYTES);

  /* A new database file is made 0600 before SQLite opens it (SQLite gives
   * its WAL and shared-memory files the same mode): encrypted or not, a
   * patient database is nobody else's business. */
  if (!exists && (flags & CH_STORE_FLAGS_READ_ONLY) == 0)
    {
      int fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

      if (fd < 0)
        {
          int saved = errno;
          g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_FAILED,
                       _("Could not create the practice database “%s”: %s"), path,
                       g_strerror (saved));
          return NULL;
        }
      close (fd);
    }

  /* A read-only connection is a reader (ch_store_open_reader()): one thread
   * uses it at a time, so SQLite need not lock it for each call; a report
   * reading a million rows calls it ten million times. */
  if ((flags & CH_STORE_FLAGS_READ_ONLY) != 0)
    open_flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READONLY;
  else
    open_flags = SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_READWRITE | (exists ? 0 : SQLITE_OPEN_CREATE);

  rc = sqlite3_open_v2 (path, &self->db, open_flags, NULL);
  if (rc != SQLITE_OK)
    {
      ch_store_set_error (self, rc, error, _("Could not open the practice database"));
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, 1);

  if (!configure_connection (self, !exists, error))
    {
      ch_store_close (self);
      return NULL;
    }

  if ((flags & (CH_STORE_FLAGS_READ_ONLY | CH_STORE_FLAGS_NO_MIGRATE)) == 0
      && !ch_store_migrate (self, error))
    {
      ch_store_close (self);
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * ch_store_open_reader:
 *
 * Opens a second, read-only connection to the same database with the same key,
 * for a worker thread (WAL lets it read while the writer writes). One thread
 * at a time may use it (it is opened without SQLite's per-call locking).
 *
 * Returns: (transfer full): the reader, or %NULL
 */
ChStore *
ch_store_open_reader (ChStore *self,
                      GError **error)
{
  g_return_val_if_fail (CH_IS_STORE (self), NULL);
  g_return_val_if_fail (self->key != NULL, NULL);

  return ch_store_open (self->path, self->key, CH_STORE_FLAGS_READ_ONLY, error);
}

static int
progress_cancelled (void *user_data)
{
  ChStore *self = user_data;

  return self->cancellable != NULL && g_cancellable_is_cancelled (self->cancellable);
}

/* Lets @cancellable stop a running statement (a report over a million rows):
 * SQLite calls the handler every few thousand instructions, and a cancelled
 * statement fails with G_IO_ERROR_CANCELLED. NULL removes it. */
void
ch_store_set_cancellable (ChStore      *self,
                          GCancellable *cancellable)
{
  g_return_if_fail (CH_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  g_set_object (&self->cancellable, cancellable);
  if (self->db != NULL)
    sqlite3_progress_handler (self->db, cancellable != NULL ? 10000 : 0,
                              cancellable != NULL ? progress_cancelled : NULL, self);
}

gboolean
ch_store_is_open (ChStore *self)
{
  g_return_val_if_fail (CH_IS_STORE (self), FALSE);

  return self->db != NULL;
}

const char *
ch_store_get_path (ChStore *self)
{
  g_return_val_if_fail (CH_IS_STORE (self), NULL);

  return self->path;
}

static gboolean
check_open (ChStore *self,
            GError **error)
{
  if (self->db == NULL)
    {
      g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_FAILED,
                           _("The practice is locked"));
      return FALSE;
    }
  return TRUE;
}

/**
 * ch_store_prepare:
 *
 * Returns a statement for @sql from the connection's cache, reset and with no
 * bindings. It stays owned by the store and is valid until the next
 * ch_store_prepare() of the same SQL text, so do not nest two uses of one
 * statement.
 *
 * Returns: (transfer none): the statement, or %NULL
 */
sqlite3_stmt *
ch_store_prepare (ChStore    *self,
                  const char *sql,
                  GError    **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (CH_IS_STORE (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  if (!check_open (self, error))
    return NULL;

  stmt = g_hash_table_lookup (self->stmt_cache, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      ch_store_set_error (self, rc, error, _("Could not prepare a query"));
      return NULL;
    }

  g_hash_table_insert (self->stmt_cache, g_strdup (sql), stmt);
  return stmt;
}

/* Steps once. Returns SQLITE_ROW, SQLITE_DONE, or -1 with @error set. */
int
ch_store_step (ChStore      *self,
               sqlite3_stmt *stmt,
               GError      **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return rc;

  ch_store_set_error (self, rc, error, _("the query"));
  sqlite3_reset (stmt);
  return -1;
}

/* Runs a statement that returns no rows, and resets it. */
gboolean
ch_store_step_done (ChStore      *self,
                    sqlite3_stmt *stmt,
                    GError      **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return TRUE;
    }

  ch_store_set_error (self, rc, error, _("the change"));
  sqlite3_reset (stmt);
  return FALSE;
}

gint64
ch_store_last_insert_id (ChStore *self)
{
  return sqlite3_last_insert_rowid (self->db);
}

int
ch_store_changes (ChStore *self)
{
  return sqlite3_changes (self->db);
}

gboolean
ch_store_exec (ChStore    *self,
               const char *sql,
               GError    **error)
{
  g_return_val_if_fail (CH_IS_STORE (self), FALSE);

  if (!check_open (self, error))
    return FALSE;

  return exec_internal (self, sql, error);
}

/**
 * ch_store_begin:
 *
 * Starts a write transaction (BEGIN IMMEDIATE, so the write lock is taken now
 * rather than half-way through), or a savepoint inside one already open. Pair
 * every successful call with ch_store_commit() or ch_store_rollback().
 */
gboolean
ch_store_begin (ChStore *self,
                GError **error)
{
  g_autofree char *sql = NULL;

  g_return_val_if_fail (CH_IS_STORE (self), FALSE);

  if (!check_open (self, error))
    return FALSE;

  if (self->tx_depth > 0 && self->batch)
    {
      self->tx_depth++;
      return TRUE;
    }

  if (self->tx_depth == 0)
    sql = g_strdup ("BEGIN IMMEDIATE");
  else
    sql = g_strdup_printf ("SAVEPOINT ch_sp%u", self->tx_depth);

  if (!exec_internal (self, sql, error))
    return FALSE;

  self->tx_depth++;
  return TRUE;
}

gboolean
ch_store_commit (ChStore *self,
                 GError **error)
{
  g_autofree char *sql = NULL;

  g_return_val_if_fail (CH_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->tx_depth > 0, FALSE);

  if (!check_open (self, error))
    return FALSE;

  if (self->tx_depth > 1 && self->batch)
    {
      self->tx_depth--;
      return TRUE;
    }
  if (self->tx_depth == 1 && self->batch_spoiled)
    {
      ch_store_rollback (self);
      g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_FAILED,
                   "a part of the batch failed: nothing of it was kept");
      return FALSE;
    }

  if (self->tx_depth == 1)
    sql = g_strdup ("COMMIT");
  else
    sql = g_strdup_printf ("RELEASE ch_sp%u", self->tx_depth - 1);

  if (!exec_internal (self, sql, error))
    {
      /* A failed COMMIT (disk full) leaves the transaction open: undo it so
       * nothing half-written stays behind. */
      ch_store_rollback (self);
      return FALSE;
    }

  self->tx_depth--;
  if (self->tx_depth == 0)
    self->batch = FALSE;
  return TRUE;
}

void
ch_store_rollback (ChStore *self)
{
  g_autofree char *sql = NULL;

  g_return_if_fail (CH_IS_STORE (self));

  if (self->db == NULL || self->tx_depth == 0)
    return;

  if (self->tx_depth > 1 && self->batch)
    {
      /* Nothing to roll back to: the batch as a whole fails. */
      self->batch_spoiled = TRUE;
      self->tx_depth--;
      return;
    }

  if (self->tx_depth == 1)
    sql = g_strdup ("ROLLBACK");
  else
    sql = g_strdup_printf ("ROLLBACK TO ch_sp%u; RELEASE ch_sp%u",
                           self->tx_depth - 1, self->tx_depth - 1);

  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    g_debug ("rollback: %s", sqlite3_errmsg (self->db));

  self->tx_depth--;
  if (self->tx_depth == 0)
    self->batch = self->batch_spoiled = FALSE;
}

/**
 * ch_store_begin_batch:
 *
 * Begins a transaction for many small units of work at once (messages of
 * a lab's batch, say), committed together: one commit, and none of the
 * savepoints nested ch_store_begin() calls would otherwise make — with
 * SQLCipher every page a savepoint first touches is encrypted into its
 * journal, which costs more than the work itself. The price: a nested
 * transaction rolled back cannot be undone on its own, so it spoils the
 * batch, ch_store_batch_spoiled() says so, and ch_store_commit() then
 * rolls everything back and fails. Callers redo the work unit by unit.
 *
 * Returns: FALSE with @error set when a transaction is open already or
 * the store cannot begin one
 */
gboolean
ch_store_begin_batch (ChStore *self,
                      GError **error)
{
  g_return_val_if_fail (CH_IS_STORE (self), FALSE);

  if (self->tx_depth > 0)
    {
      g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_FAILED,
                   "a batch cannot be begun inside another transaction");
      return FALSE;
    }
  if (!ch_store_begin (self, error))
    return FALSE;
  self->batch = TRUE;
  self->batch_spoiled = FALSE;
  return TRUE;
}

gboolean
ch_store_batch_spoiled (ChStore *self)
{
  g_return_val_if_fail (CH_IS_STORE (self), FALSE);

  return self->batch && self->batch_spoiled;
}

/**
 * ch_store_commit_or_rollback:
 * @ok: whether the work of the transaction went well
 *
 * Ends the transaction ch_store_begin() opened: commits it when @ok (and
 * the commit works), else rolls it back.
 *
 * Returns: whether it was committed
 */
gboolean
ch_store_commit_or_rollback (ChStore  *self,
                             gboolean  ok,
                             GError  **error)
{
  if (ok && ch_store_commit (self, error))
    return TRUE;
  ch_store_rollback (self);
  return FALSE;
}

gboolean
ch_store_in_transaction (ChStore *self)
{
  g_return_val_if_fail (CH_IS_STORE (self), FALSE);

  return self->tx_depth > 0;
}

int
ch_store_get_schema_version (ChStore *self)
{
  sqlite3_stmt *stmt;
  int version = -1;

  g_return_val_if_fail (CH_IS_STORE (self), -1);

  if (self->db == NULL)
    return -1;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  return version;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The schema scripts compiled into the binary, in order. (transfer full) */
static GPtrArray *
load_schema_scripts (GError **error)
{
  GResource *resource = ch_schema_get_resource ();
  g_auto (GStrv) names = NULL;
  g_autoptr (GPtrArray) sorted = NULL;
  g_autoptr (GPtrArray) scripts = g_ptr_array_new_with_free_func (g_free);

  names = g_resource_enumerate_children (resource, SCHEMA_PREFIX, 0, error);
  if (names == NULL)
    return NULL;

  sorted = g_ptr_array_new ();
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_has_suffix (names[i], ".sql"))
      g_ptr_array_add (sorted, names[i]);
  g_ptr_array_sort (sorted, compare_names);

  for (guint i = 0; i < sorted->len; i++)
    {
      const char *name = g_ptr_array_index (sorted, i);
      g_autofree char *rpath = g_build_path ("/", SCHEMA_PREFIX, name, NULL);
      g_autoptr (GBytes) bytes = NULL;
      int number = (int) g_ascii_strtoll (name, NULL, 10);

      /* Script N must be the N-th: a gap would skip a migration. */
      if (number != (int) i + 1)
        {
          g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_SCHEMA,
                       "schema script %s is out of sequence", name);
          return NULL;
        }

      bytes = g_resource_lookup_data (resource, rpath, 0, error);
      if (bytes == NULL)
        return NULL;
      g_ptr_array_add (scripts, g_strndup (g_bytes_get_data (bytes, NULL),
                                           g_bytes_get_size (bytes)));
    }

  return g_steal_pointer (&scripts);
}

int
ch_store_get_latest_schema_version (void)
{
  g_autoptr (GPtrArray) scripts = load_schema_scripts (NULL);

  return scripts != NULL ? (int) scripts->len : -1;
}

/**
 * ch_store_migrate_scripts:
 * @scripts: (array length=n_scripts): script i brings the schema to version i + 1
 *
 * Applies the scripts past the database's version in one transaction: either
 * the schema reaches the last version or the database is left as it was.
 */
gboolean
ch_store_migrate_scripts (ChStore            *self,
                          const char * const *scripts,
                          guint               n_scripts,
                          GError            **error)
{
  int version;

  g_return_val_if_fail (CH_IS_STORE (self), FALSE);

  if (!check_open (self, error))
    return FALSE;

  version = ch_store_get_schema_version (self);
  if (version < 0)
    {
      ch_store_set_error (self, SQLITE_ERROR, error, _("Could not read the schema version"));
      return FALSE;
    }

  if (version > (int) n_scripts)
    {
      g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_SCHEMA,
                   _("This practice was written by a newer Charta (schema %d; this one knows %u)"),
                   version, n_scripts);
      return FALSE;
    }

  if (version == (int) n_scripts)
    return TRUE;

  if (!ch_store_begin (self, error))
    return FALSE;

  for (guint i = version; i < n_scripts; i++)
    {
      g_autofree char *set_version = NULL;
      g_autoptr (GError) local_error = NULL;

      if (!exec_internal (self, scripts[i], &local_error))
        {
          ch_store_rollback (self);
          g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_SCHEMA,
                       _("Upgrading the practice to schema %u failed, and it was left as it was: %s"),
                       i + 1, local_error->message);
          return FALSE;
        }

      set_version = g_strdup_printf ("PRAGMA user_version = %u", i + 1);
      if (!exec_internal (self, set_version, error))
        {
          ch_store_rollback (self);
          return FALSE;
        }
    }

  if (!ch_store_commit (self, error))
    return FALSE;

  g_debug ("%s: schema %d → %u", self->path, version, n_scripts);
  return TRUE;
}

gboolean
ch_store_migrate (ChStore *self,
                  GError **error)
{
  g_autoptr (GPtrArray) scripts = NULL;

  g_return_val_if_fail (CH_IS_STORE (self), FALSE);

  scripts = load_schema_scripts (error);
  if (scripts == NULL)
    return FALSE;

  return ch_store_migrate_scripts (self, (const char * const *) scripts->pdata, scripts->len,
                                   error);
}

/* Writes the WAL back into the database file and truncates it. */
gboolean
ch_store_checkpoint (ChStore *self,
                     GError **error)
{
  int rc;

  g_return_val_if_fail (CH_IS_STORE (self), FALSE);

  if (!check_open (self, error))
    return FALSE;

  rc = sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      ch_store_set_error (self, rc, error, _("Could not checkpoint the database"));
      return FALSE;
    }

  return TRUE;
}

/**
 * ch_store_rekey:
 * @new_key: CH_STORE_KEY_BYTES bytes
 *
 * Re-encrypts every page under @new_key. SQLCipher cannot rekey a database in
 * WAL mode, so the WAL is checkpointed and the journal switched to DELETE for
 * the duration; the rekey itself is one journaled transaction, so a crash
 * leaves the database under the old key or the new one. Other connections
 * must be closed first.
 */
gboolean
ch_store_rekey (ChStore      *self,
                const guint8 *new_key,
                GError      **error)
{
  const gsize spec_len = 2 + CH_STORE_KEY_BYTES * 2 + 1;
  char *spec;
  int rc;

  g_return_val_if_fail (CH_IS_STORE (self), FALSE);
  g_return_val_if_fail (new_key != NULL, FALSE);
  g_return_val_if_fail (self->tx_depth == 0, FALSE);

  if (!check_open (self, error))
    return FALSE;

  g_hash_table_remove_all (self->stmt_cache);

  if (!ch_store_checkpoint (self, error)
      || !exec_internal (self, "PRAGMA journal_mode = DELETE", error))
    return FALSE;

  spec = sodium_malloc (spec_len + 1);
  if (spec == NULL)
    {
      g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_FAILED,
                           _("Out of secure memory"));
      return FALSE;
    }
  spec[0] = 'x';
  spec[1] = '\'';
  sodium_bin2hex (spec + 2, CH_STORE_KEY_BYTES * 2 + 1, new_key, CH_STORE_KEY_BYTES);
  spec[spec_len - 1] = '\'';
  spec[spec_len] = '\0';

  rc = sqlite3_rekey (self->db, spec, (int) spec_len);
  sodium_free (spec);

  if (rc != SQLITE_OK)
    {
      ch_store_set_error (self, rc, error, _("Could not re-encrypt the practice database"));
      exec_internal (self, "PRAGMA journal_mode = WAL", NULL);
      return FALSE;
    }

  memcpy (self->key, new_key, CH_STORE_KEY_BYTES);

  /* The database is under the new key now, whatever follows: a failure to go
   * back to WAL must not make the caller throw the new key away. */
  {
    g_autoptr (GError) wal_error = NULL;

    if (!exec_internal (self, "PRAGMA journal_mode = WAL", &wal_error))
      g_message ("%s: rekeyed, but still in rollback-journal mode: %s", self->path,
                 wal_error->message);
  }
  return TRUE;
}

/* Runs SQLite's integrity check; @error names the first problem found. */
gboolean
ch_store_integrity_check (ChStore *self,
                          GError **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree char *result = NULL;
  int rc;

  g_return_val_if_fail (CH_IS_STORE (self), FALSE);

  if (!check_open (self, error))
    return FALSE;

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA integrity_check", -1, &stmt, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  if (result == NULL)
    {
      ch_store_set_error (self, rc, error, _("Could not check the database"));
      return FALSE;
    }

  if (g_strcmp0 (result, "ok") != 0)
    {
      g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_CORRUPT,
                   _("The practice database is damaged: %s"), result);
      return FALSE;
    }

  return TRUE;
}
