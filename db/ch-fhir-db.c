/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-fhir-db"

#include "config.h"

#include "ch-fhir-db.h"
#include "ch-store-private.h"

/* Read whole, once an export: the table holds one row an imported record,
 * and a lookup a resource must not cost a query. */
GHashTable *
ch_db_fhir_id_map (ChStore  *store,
                   GError  **error)
{
  g_autoptr (GHashTable) map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT local_id, fhir_id FROM fhir_ids", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_hash_table_insert (map, g_strdup (ch_store_column_text (stmt, 0)),
                         g_strdup (ch_store_column_text (stmt, 1)));
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&map) : NULL;
}

gboolean
ch_db_fhir_id_insert (ChStore     *store,
                      const char  *local_id,
                      const char  *fhir_id,
                      GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (local_id != NULL && fhir_id != NULL, FALSE);

  stmt = ch_store_prepare (store,
                           "INSERT INTO fhir_ids (local_id, fhir_id, imported_at)"
                           " VALUES (?1, ?2, ?3)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, local_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, fhir_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
  return ch_store_step_done (store, stmt, error);
}
