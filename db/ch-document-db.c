/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-document-db"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include <sodium.h>

#include "ch-document-db.h"
#include "ch-store-private.h"

static const char *
or_empty (const char *text)
{
  return text ? text : "";
}

ChDocument *
ch_document_new (void)
{
  return g_new0 (ChDocument, 1);
}

void
ch_document_free (ChDocument *d)
{
  if (d == NULL)
    return;
  g_free (d->category);
  g_free (d->date);
  g_free (d->title);
  g_free (d->author);
  g_free (d->source);
  g_free (d->tags);
  g_free (d->content_type);
  g_free (d->blob);
  g_free (d->content_hash);
  g_free (d->status);
  g_free (d->status_reason);
  g_free (d->created_by);
  g_free (d->updated_by);
  g_free (d);
}

ChDocument *
ch_document_copy (const ChDocument *d)
{
  ChDocument *copy = g_memdup2 (d, sizeof *d);

  copy->category = g_strdup (d->category);
  copy->date = g_strdup (d->date);
  copy->title = g_strdup (d->title);
  copy->author = g_strdup (d->author);
  copy->source = g_strdup (d->source);
  copy->tags = g_strdup (d->tags);
  copy->content_type = g_strdup (d->content_type);
  copy->blob = g_strdup (d->blob);
  copy->content_hash = g_strdup (d->content_hash);
  copy->status = g_strdup (d->status);
  copy->status_reason = g_strdup (d->status_reason);
  copy->created_by = g_strdup (d->created_by);
  copy->updated_by = g_strdup (d->updated_by);
  return copy;
}

#define DOCUMENT_SELECT \
  "SELECT id, patient_id, category, doc_date, title, author, source, tags, size, content_type," \
  " blob, content_hash, status, status_reason, version, created_at, created_by, updated_at," \
  " updated_by FROM documents"

static ChDocument *
read_document (sqlite3_stmt *stmt)
{
  ChDocument *d = ch_document_new ();

  d->id = sqlite3_column_int64 (stmt, 0);
  d->patient_id = sqlite3_column_int64 (stmt, 1);
  d->category = g_strdup (ch_store_column_text (stmt, 2));
  d->date = g_strdup (ch_store_column_text (stmt, 3));
  d->title = g_strdup (ch_store_column_text (stmt, 4));
  d->author = g_strdup (ch_store_column_text (stmt, 5));
  d->source = g_strdup (ch_store_column_text (stmt, 6));
  d->tags = g_strdup (ch_store_column_text (stmt, 7));
  d->size = sqlite3_column_int64 (stmt, 8);
  d->content_type = g_strdup (ch_store_column_text (stmt, 9));
  d->blob = g_strdup (ch_store_column_text (stmt, 10));
  d->content_hash = g_strdup (ch_store_column_text (stmt, 11));
  d->status = g_strdup (ch_store_column_text (stmt, 12));
  d->status_reason = g_strdup (ch_store_column_text (stmt, 13));
  d->version = sqlite3_column_int64 (stmt, 14);
  d->created_at = sqlite3_column_int64 (stmt, 15);
  d->created_by = g_strdup (ch_store_column_text (stmt, 16));
  d->updated_at = sqlite3_column_int64 (stmt, 17);
  d->updated_by = g_strdup (ch_store_column_text (stmt, 18));
  return d;
}

gboolean
ch_db_document_set_filed_at (ChStore  *store,
                             gint64    id,
                             gint64    filed_at,
                             GError  **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "UPDATE documents SET created_at = ?2, updated_at = ?2"
                           " WHERE id = ?1 AND version = 1",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, filed_at);
  return ch_store_step_done (store, stmt, error);
}

gboolean
ch_db_document_insert (ChStore     *store,
                       ChDocument  *d,
                       const char  *username,
                       GError     **error)
{
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO documents (patient_id, category, doc_date, title, author,"
                           " source, tags, size, content_type, blob, content_hash, status,"
                           " status_reason, created_at, created_by, updated_at, updated_by)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'current', '',"
                           " ?12, ?13, ?12, ?13)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, d->patient_id);
  ch_store_bind_text (stmt, 2, d->category);
  ch_store_bind_text (stmt, 3, d->date);
  ch_store_bind_text (stmt, 4, d->title);
  sqlite3_bind_text (stmt, 5, or_empty (d->author), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, or_empty (d->source), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, or_empty (d->tags), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 8, d->size);
  ch_store_bind_text (stmt, 9, d->content_type);
  ch_store_bind_text (stmt, 10, d->blob);
  ch_store_bind_text (stmt, 11, d->content_hash);
  sqlite3_bind_int64 (stmt, 12, now);
  sqlite3_bind_text (stmt, 13, username, -1, SQLITE_TRANSIENT);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  d->id = ch_store_last_insert_id (store);
  d->version = 1;
  d->created_at = d->updated_at = now;
  g_free (d->status);
  d->status = g_strdup ("current");
  g_free (d->status_reason);
  d->status_reason = g_strdup ("");
  g_free (d->created_by);
  d->created_by = g_strdup (username);
  g_free (d->updated_by);
  d->updated_by = g_strdup (username);
  return TRUE;
}

static char *
document_snapshot (const ChDocument *d)
{
  g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_autoptr (GVariant) variant = NULL;
  const struct { const char *key; const char *value; } fields[] = {
    { "category", d->category }, { "date", d->date }, { "title", d->title },
    { "author", d->author }, { "source", d->source }, { "tags", d->tags },
    { "content_type", d->content_type }, { "status", d->status },
    { "status_reason", d->status_reason },
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    g_variant_builder_add (&builder, "{sv}", fields[i].key,
                           g_variant_new_string (or_empty (fields[i].value)));
  variant = g_variant_ref_sink (g_variant_builder_end (&builder));
  return g_variant_print (variant, FALSE);
}

gboolean
ch_db_document_update (ChStore     *store,
                       ChDocument  *d,
                       const char  *username,
                       const char  *reason,
                       GError     **error)
{
  g_autoptr (ChDocument) current = NULL;
  g_autofree char *snapshot = NULL;
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;

  current = ch_db_document_get (store, d->id, error);
  if (current == NULL)
    return FALSE;
  if (current->version != d->version || current->patient_id != d->patient_id)
    {
      g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT,
                           _("Someone else changed this document in the meantime; look again and retry"));
      return FALSE;
    }
  snapshot = document_snapshot (current);
  if (!ch_db_history_write (store, "document", current->id, current->version, snapshot, username,
                            or_empty (reason), error))
    return FALSE;

  stmt = ch_store_prepare (store,
                           "UPDATE documents SET category = ?1, doc_date = ?2, title = ?3, author = ?4,"
                           " source = ?5, tags = ?6, content_type = ?7, status = ?8,"
                           " status_reason = ?9, updated_at = ?10, updated_by = ?11,"
                           " version = version + 1 WHERE id = ?12 AND version = ?13",
                           error);
  if (stmt == NULL)
    return FALSE;
  ch_store_bind_text (stmt, 1, d->category);
  ch_store_bind_text (stmt, 2, d->date);
  ch_store_bind_text (stmt, 3, d->title);
  sqlite3_bind_text (stmt, 4, or_empty (d->author), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, or_empty (d->source), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, or_empty (d->tags), -1, SQLITE_TRANSIENT);
  ch_store_bind_text (stmt, 7, d->content_type);
  ch_store_bind_text (stmt, 8, d->status);
  sqlite3_bind_text (stmt, 9, or_empty (d->status_reason), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 10, now);
  sqlite3_bind_text (stmt, 11, username, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 12, d->id);
  sqlite3_bind_int64 (stmt, 13, d->version);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  if (ch_store_changes (store) != 1)
    {
      g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT,
                           _("Someone else changed this document in the meantime; look again and retry"));
      return FALSE;
    }
  d->version++;
  d->updated_at = now;
  g_free (d->updated_by);
  d->updated_by = g_strdup (username);
  return TRUE;
}

ChDocument *
ch_db_document_get (ChStore  *store,
                    gint64    id,
                    GError  **error)
{
  ChDocument *d = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, DOCUMENT_SELECT " WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    d = read_document (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                 _("There is no document %" PRId64), id);
  sqlite3_reset (stmt);
  return d;
}

GPtrArray *
ch_db_document_list (ChStore   *store,
                     gint64     patient_id,
                     gboolean   include_entered_in_error,
                     GError   **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_document_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           DOCUMENT_SELECT " WHERE patient_id = ?1 AND (?2 OR status = 'current')"
                           " ORDER BY doc_date DESC, id DESC", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_int (stmt, 2, include_entered_in_error ? 1 : 0);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (list, read_document (stmt));
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}

gboolean
ch_db_document_count_hash (ChStore     *store,
                           const char  *content_hash,
                           gint64      *out_count,
                           GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT count(*) FROM documents WHERE content_hash = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, content_hash, -1, SQLITE_TRANSIENT);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    *out_count = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW;
}

/* ---- keys ------------------------------------------------------------------- */

static void
wiped_bytes_free (gpointer data)
{
  GBytes *bytes = data;
  gsize len = 0;
  gconstpointer p = g_bytes_get_data (bytes, &len);

  /* The last reference goes here: wipe the key before the memory is freed. */
  if (p != NULL)
    sodium_memzero ((void *) p, len);
  g_bytes_unref (bytes);
}

gboolean
ch_db_document_keys_load (ChStore     *store,
                          GPtrArray  **out_keys,
                          GError     **error)
{
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (wiped_bytes_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT key FROM document_keys ORDER BY id", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (keys, g_bytes_new (sqlite3_column_blob (stmt, 0),
                                        (gsize) sqlite3_column_bytes (stmt, 0)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return FALSE;
  *out_keys = g_steal_pointer (&keys);
  return TRUE;
}

gboolean
ch_db_document_key_add (ChStore      *store,
                        const guint8 *key,
                        gsize         len,
                        gboolean      first_only,
                        GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           first_only
                           ? "INSERT OR IGNORE INTO document_keys (id, key, created_at) "
                             "VALUES (1, ?, ?)"
                           : "INSERT INTO document_keys (key, created_at) VALUES (?, ?)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_blob (stmt, 1, key, (int) len, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  rc = ch_store_step (store, stmt, error);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return rc == SQLITE_DONE;
}
