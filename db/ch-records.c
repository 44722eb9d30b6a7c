/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-records"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "ch-records.h"
#include "ch-store-private.h"

/* ---- settings ---------------------------------------------------------- */

/* Returns: (transfer full) (nullable): the value, or %NULL without an error
 * when @key is not set */
char *
ch_db_setting_get (ChStore    *store,
                   const char *key,
                   GError    **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT value FROM settings WHERE key = ?", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    {
      char *value = g_strdup (ch_store_column_text (stmt, 0));
      sqlite3_reset (stmt);
      return value;
    }

  sqlite3_reset (stmt);
  return NULL;
}

gboolean
ch_db_setting_set (ChStore    *store,
                   const char *key,
                   const char *value,
                   GError    **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store, "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                           error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  return ch_store_step_done (store, stmt, error);
}

/* ---- users ------------------------------------------------------------- */

void
ch_user_record_free (ChUserRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->username);
  g_free (record->display_name);
  g_free (record->role);
  g_free (record);
}

#define USER_COLUMNS "id, username, display_name, role, disabled, created_at"

static ChUserRecord *
user_from_row (sqlite3_stmt *stmt)
{
  ChUserRecord *record = g_new0 (ChUserRecord, 1);

  record->id = sqlite3_column_int64 (stmt, 0);
  record->username = g_strdup (ch_store_column_text (stmt, 1));
  record->display_name = g_strdup (ch_store_column_text (stmt, 2));
  record->role = g_strdup (ch_store_column_text (stmt, 3));
  record->disabled = sqlite3_column_int (stmt, 4) != 0;
  record->created_at = sqlite3_column_int64 (stmt, 5);
  return record;
}

gboolean
ch_db_user_insert (ChStore    *store,
                   const char *username,
                   const char *display_name,
                   const char *role,
                   gint64     *out_id,
                   GError    **error)
{
  sqlite3_stmt *stmt;
  gint64 now = g_get_real_time ();

  stmt = ch_store_prepare (store,
                           "INSERT INTO users (username, display_name, role, created_at, updated_at)"
                           " VALUES (?, ?, ?, ?, ?)",
                           error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, username, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, display_name ? display_name : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, role, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, now);
  sqlite3_bind_int64 (stmt, 5, now);

  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  if (out_id != NULL)
    *out_id = ch_store_last_insert_id (store);
  return TRUE;
}

/* Returns: (transfer full): the user, or %NULL with CH_STORE_ERROR_NOT_FOUND */
ChUserRecord *
ch_db_user_lookup (ChStore    *store,
                   const char *username,
                   GError    **error)
{
  sqlite3_stmt *stmt;
  ChUserRecord *record = NULL;
  int rc;

  stmt = ch_store_prepare (store, "SELECT " USER_COLUMNS " FROM users WHERE username = ?", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, username, -1, SQLITE_STATIC);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    record = user_from_row (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                 _("There is no user “%s”"), username);
  sqlite3_reset (stmt);

  return record;
}

/* Returns: (transfer full) (element-type ChUserRecord): all users by name */
GPtrArray *
ch_db_user_list (ChStore *store,
                 GError **error)
{
  g_autoptr (GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_user_record_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT " USER_COLUMNS " FROM users ORDER BY username", error);
  if (stmt == NULL)
    return NULL;

  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (users, user_from_row (stmt));
  sqlite3_reset (stmt);

  return rc == SQLITE_DONE ? g_steal_pointer (&users) : NULL;
}

static gboolean
update_user (ChStore      *store,
             const char   *sql,
             const char   *username,
             sqlite3_stmt *stmt,
             GError      **error)
{
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  if (ch_store_changes (store) == 0)
    {
      g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                   _("There is no user “%s”"), username);
      return FALSE;
    }
  return TRUE;
}

gboolean
ch_db_user_set_role (ChStore    *store,
                     const char *username,
                     const char *role,
                     GError    **error)
{
  const char *sql = "UPDATE users SET role = ?, updated_at = ? WHERE username = ?";
  sqlite3_stmt *stmt = ch_store_prepare (store, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, role, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  sqlite3_bind_text (stmt, 3, username, -1, SQLITE_STATIC);
  return update_user (store, sql, username, stmt, error);
}

gboolean
ch_db_user_set_disabled (ChStore    *store,
                         const char *username,
                         gboolean    disabled,
                         GError    **error)
{
  const char *sql = "UPDATE users SET disabled = ?, updated_at = ? WHERE username = ?";
  sqlite3_stmt *stmt = ch_store_prepare (store, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, disabled ? 1 : 0);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  sqlite3_bind_text (stmt, 3, username, -1, SQLITE_STATIC);
  return update_user (store, sql, username, stmt, error);
}

/* Counts enabled users, of @role or of any role when it is %NULL; -1 on error. */
gint64
ch_db_user_count_active (ChStore    *store,
                         const char *role,
                         GError    **error)
{
  sqlite3_stmt *stmt;
  gint64 count = -1;

  stmt = ch_store_prepare (store,
                           "SELECT count(*) FROM users WHERE disabled = 0"
                           " AND (?1 IS NULL OR role = ?1)",
                           error);
  if (stmt == NULL)
    return -1;

  ch_store_bind_text (stmt, 1, role);
  if (ch_store_step (store, stmt, error) == SQLITE_ROW)
    count = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return count;
}

/* ---- audit ------------------------------------------------------------- */

void
ch_audit_record_free (ChAuditRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->username);
  g_free (record->role);
  g_free (record->action);
  g_free (record->object_type);
  g_free (record->object_id);
  g_free (record->detail);
  g_free (record);
}

#define AUDIT_COLUMNS \
  "id, ts, username, role, action, object_type, object_id, patient_id, detail, prev_hash, hash"

static void
copy_hash (guint8       *dest,
           sqlite3_stmt *stmt,
           int           col)
{
  const void *blob = sqlite3_column_blob (stmt, col);
  int len = sqlite3_column_bytes (stmt, col);

  memset (dest, 0, CH_AUDIT_HASH_BYTES);
  if (blob != NULL)
    memcpy (dest, blob, MIN (len, CH_AUDIT_HASH_BYTES));
}

static void
audit_fill_from_row (ChAuditRecord *record,
                     sqlite3_stmt  *stmt)
{
  record->id = sqlite3_column_int64 (stmt, 0);
  record->ts = sqlite3_column_int64 (stmt, 1);
  record->username = g_strdup (ch_store_column_text (stmt, 2));
  record->role = g_strdup (ch_store_column_text (stmt, 3));
  record->action = g_strdup (ch_store_column_text (stmt, 4));
  record->object_type = g_strdup (ch_store_column_text (stmt, 5));
  record->object_id = g_strdup (ch_store_column_text (stmt, 6));
  record->patient_id = sqlite3_column_int64 (stmt, 7);
  record->detail = g_strdup (ch_store_column_text (stmt, 8));
  copy_hash (record->prev_hash, stmt, 9);
  copy_hash (record->hash, stmt, 10);
}

/* The id and hash of the newest entry; id 0 and a zero hash when there is none. */
gboolean
ch_db_audit_last (ChStore *store,
                  gint64  *out_id,
                  guint8  *out_hash,
                  GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;

  rc = ch_store_step (store, stmt, error);
  if (rc < 0)
    return FALSE;

  *out_id = 0;
  memset (out_hash, 0, CH_AUDIT_HASH_BYTES);
  if (rc == SQLITE_ROW)
    {
      *out_id = sqlite3_column_int64 (stmt, 0);
      copy_hash (out_hash, stmt, 1);
    }
  sqlite3_reset (stmt);
  return TRUE;
}

/* The hash of entry @id; *@out_found FALSE when there is none. */
gboolean
ch_db_audit_hash_at (ChStore   *store,
                     gint64     id,
                     guint8    *out_hash,
                     gboolean  *out_found,
                     GError   **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT hash FROM audit WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = ch_store_step (store, stmt, error);
  if (rc < 0)
    return FALSE;
  *out_found = rc == SQLITE_ROW;
  if (rc == SQLITE_ROW)
    copy_hash (out_hash, stmt, 0);
  sqlite3_reset (stmt);
  return TRUE;
}

gboolean
ch_db_audit_insert (ChStore             *store,
                    const ChAuditRecord *record,
                    GError             **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO audit (" AUDIT_COLUMNS ")"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, record->id);
  sqlite3_bind_int64 (stmt, 2, record->ts);
  sqlite3_bind_text (stmt, 3, record->username, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, record->role, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, record->action, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, record->object_type ? record->object_type : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, record->object_id ? record->object_id : "", -1, SQLITE_STATIC);
  if (record->patient_id > 0)
    sqlite3_bind_int64 (stmt, 8, record->patient_id);
  else
    sqlite3_bind_null (stmt, 8);
  sqlite3_bind_text (stmt, 9, record->detail ? record->detail : "", -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 10, record->prev_hash, CH_AUDIT_HASH_BYTES, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 11, record->hash, CH_AUDIT_HASH_BYTES, SQLITE_STATIC);

  return ch_store_step_done (store, stmt, error);
}

/* Calls @func for every entry in id order until it returns %FALSE. */
gboolean
ch_db_audit_foreach (ChStore          *store,
                     ChAuditRecordFunc func,
                     gpointer          user_data,
                     GError          **error)
{
  sqlite3_stmt *stmt;
  ChAuditRecord record = { 0 };
  int rc;

  /* The callback must not run this same query on @store. */
  stmt = ch_store_prepare (store, "SELECT " AUDIT_COLUMNS " FROM audit ORDER BY id", error);
  if (stmt == NULL)
    return FALSE;

  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      gboolean go_on;

      audit_fill_from_row (&record, stmt);
      go_on = func (&record, user_data);
      g_free (record.username);
      g_free (record.role);
      g_free (record.action);
      g_free (record.object_type);
      g_free (record.object_id);
      g_free (record.detail);
      memset (&record, 0, sizeof record);
      if (!go_on)
        {
          sqlite3_reset (stmt);
          return TRUE;
        }
    }
  sqlite3_reset (stmt);

  return rc == SQLITE_DONE;
}

/* Builds the WHERE clause for @filter; the parameters are bound by bind_filter()
 * in the same order. Only conditions that are set appear, so that SQLite can
 * pick the index for the one that is. */
static char *
filter_where (const ChAuditFilter *filter)
{
  g_autoptr (GString) where = g_string_new ("");

  if (filter == NULL)
    return g_string_free (g_steal_pointer (&where), FALSE);

  if (filter->username != NULL && *filter->username != '\0')
    g_string_append (where, " AND username = ?");
  if (filter->action != NULL && *filter->action != '\0')
    g_string_append (where, " AND action = ?");
  if (filter->patient_id > 0)
    g_string_append (where, " AND patient_id = ?");
  if (filter->from_ts > 0)
    g_string_append (where, " AND ts >= ?");
  if (filter->to_ts > 0)
    g_string_append (where, " AND ts < ?");

  if (where->len > 0)
    {
      /* " AND " → " WHERE " */
      g_string_erase (where, 0, 4);
      g_string_prepend (where, " WHERE");
    }

  return g_string_free (g_steal_pointer (&where), FALSE);
}

static int
bind_filter (sqlite3_stmt        *stmt,
             const ChAuditFilter *filter)
{
  int idx = 1;

  if (filter == NULL)
    return idx;

  if (filter->username != NULL && *filter->username != '\0')
    sqlite3_bind_text (stmt, idx++, filter->username, -1, SQLITE_STATIC);
  if (filter->action != NULL && *filter->action != '\0')
    sqlite3_bind_text (stmt, idx++, filter->action, -1, SQLITE_STATIC);
  if (filter->patient_id > 0)
    sqlite3_bind_int64 (stmt, idx++, filter->patient_id);
  if (filter->from_ts > 0)
    sqlite3_bind_int64 (stmt, idx++, filter->from_ts);
  if (filter->to_ts > 0)
    sqlite3_bind_int64 (stmt, idx++, filter->to_ts);

  return idx;
}

gint64
ch_db_audit_count (ChStore             *store,
                   const ChAuditFilter *filter,
                   GError             **error)
{
  g_autofree char *where = filter_where (filter);
  g_autofree char *sql = g_strconcat ("SELECT count(*) FROM audit", where, NULL);
  sqlite3_stmt *stmt;
  gint64 count = -1;

  stmt = ch_store_prepare (store, sql, error);
  if (stmt == NULL)
    return -1;

  bind_filter (stmt, filter);
  if (ch_store_step (store, stmt, error) == SQLITE_ROW)
    count = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return count;
}

/* Entries matching @filter, newest first, from @offset.
 * Returns: (transfer full) (element-type ChAuditRecord) */
GPtrArray *
ch_db_audit_page (ChStore             *store,
                  const ChAuditFilter *filter,
                  gint64               offset,
                  guint                limit,
                  GError             **error)
{
  g_autoptr (GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_audit_record_free);
  g_autofree char *where = filter_where (filter);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  int idx;
  int rc;

  /* Skipping rows with OFFSET reads every skipped row. Unfiltered, the ids
   * are dense (the chain numbers them 1…n), so the position is the id; with a
   * filter, the skipping runs over the id column of the filter's index only,
   * and whole rows are read for the page alone. */
  if (*where == '\0')
    sql = g_strdup ("SELECT " AUDIT_COLUMNS " FROM audit"
                    " WHERE id <= (SELECT coalesce (max (id), 0) FROM audit) - ?2"
                    " ORDER BY id DESC LIMIT ?1");
  else
    sql = g_strconcat ("SELECT " AUDIT_COLUMNS " FROM audit WHERE id IN (SELECT id FROM audit",
                       where, " ORDER BY id DESC LIMIT ? OFFSET ?) ORDER BY id DESC", NULL);
  stmt = ch_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;

  idx = bind_filter (stmt, filter);
  sqlite3_bind_int (stmt, idx++, (int) MIN (limit, G_MAXINT));
  sqlite3_bind_int64 (stmt, idx, offset);

  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChAuditRecord *record = g_new0 (ChAuditRecord, 1);
      audit_fill_from_row (record, stmt);
      g_ptr_array_add (page, record);
    }
  sqlite3_reset (stmt);

  return rc == SQLITE_DONE ? g_steal_pointer (&page) : NULL;
}

/* Entries matching @filter with an id below @before_id, newest first: a walk
 * through the trail that entries appended meanwhile do not shift.
 * Returns: (transfer full) (element-type ChAuditRecord) */
GPtrArray *
ch_db_audit_page_before (ChStore             *store,
                         const ChAuditFilter *filter,
                         gint64               before_id,
                         guint                limit,
                         GError             **error)
{
  g_autoptr (GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_audit_record_free);
  g_autofree char *where = filter_where (filter);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  int idx;
  int rc;

  sql = g_strconcat ("SELECT " AUDIT_COLUMNS " FROM audit", where, *where ? " AND" : " WHERE",
                     " id < ? ORDER BY id DESC LIMIT ?", NULL);
  stmt = ch_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;

  idx = bind_filter (stmt, filter);
  sqlite3_bind_int64 (stmt, idx++, before_id);
  sqlite3_bind_int (stmt, idx, (int) MIN (limit, G_MAXINT));

  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChAuditRecord *record = g_new0 (ChAuditRecord, 1);
      audit_fill_from_row (record, stmt);
      g_ptr_array_add (page, record);
    }
  sqlite3_reset (stmt);

  return rc == SQLITE_DONE ? g_steal_pointer (&page) : NULL;
}

/* Returns: (transfer full): the distinct user names in the trail, sorted */
GPtrArray *
ch_db_audit_usernames (ChStore *store,
                       GError **error)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT DISTINCT username FROM audit WHERE username != '' ORDER BY username", error);
  if (stmt == NULL)
    return NULL;

  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (names, g_strdup (ch_store_column_text (stmt, 0)));
  sqlite3_reset (stmt);

  return rc == SQLITE_DONE ? g_steal_pointer (&names) : NULL;
}
