/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-incoming-db"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-incoming-db.h"
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
bind_id (sqlite3_stmt *stmt,
         int           idx,
         gint64        id)
{
  if (id > 0)
    sqlite3_bind_int64 (stmt, idx, id);
  else
    sqlite3_bind_null (stmt, idx);
}

static void
bind_text (sqlite3_stmt *stmt,
           int           idx,
           const char   *text)
{
  sqlite3_bind_text (stmt, idx, or_empty (text), -1, SQLITE_TRANSIENT);
}

/* ---- records --------------------------------------------------------------- */

ChIncomingDocument *
ch_incoming_document_new (void)
{
  ChIncomingDocument *d = g_new0 (ChIncomingDocument, 1);

  d->format = g_strdup ("ccd");
  return d;
}

void
ch_incoming_document_free (ChIncomingDocument *d)
{
  if (d == NULL)
    return;
  g_free (d->format);
  g_free (d->title);
  g_free (d->organization);
  g_free (d->author);
  g_free (d->document_date);
  g_free (d->patient_name);
  g_free (d->birth_date);
  g_free (d->sex);
  g_free (d->patient_ref);
  g_free (d->imported_by);
  g_free (d);
}

ChIncomingItem *
ch_incoming_item_new (const char *kind)
{
  ChIncomingItem *item = g_new0 (ChIncomingItem, 1);

  item->kind = g_strdup (kind);
  item->status = g_strdup ("pending");
  return item;
}

void
ch_incoming_item_free (ChIncomingItem *item)
{
  if (item == NULL)
    return;
  g_free (item->kind);
  g_free (item->code);
  g_free (item->system);
  g_free (item->text);
  g_free (item->details);
  g_free (item->clinical_status);
  g_free (item->onset);
  g_free (item->allergy_kind);
  g_free (item->reaction);
  g_free (item->severity);
  g_free (item->dose);
  g_free (item->status);
  g_free (item->decided_by);
  g_free (item->reason);
  g_free (item->source);
  g_free (item);
}

/* ---- documents ------------------------------------------------------------- */

gboolean
ch_db_incoming_document_insert (ChStore             *store,
                                ChIncomingDocument  *d,
                                GError             **error)
{
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO incoming_documents (patient_id, format, title,"
                           " organization, author, document_date, patient_name, birth_date, sex,"
                           " patient_ref, forced, document_id, received_at, imported_by)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, d->patient_id);
  bind_text (stmt, 2, d->format);
  bind_text (stmt, 3, d->title);
  bind_text (stmt, 4, d->organization);
  bind_text (stmt, 5, d->author);
  bind_text (stmt, 6, d->document_date);
  bind_text (stmt, 7, d->patient_name);
  bind_text (stmt, 8, d->birth_date);
  bind_text (stmt, 9, d->sex);
  bind_text (stmt, 10, d->patient_ref);
  sqlite3_bind_int (stmt, 11, d->forced ? 1 : 0);
  bind_id (stmt, 12, d->document_id);
  sqlite3_bind_int64 (stmt, 13, now);
  bind_text (stmt, 14, d->imported_by);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  d->id = ch_store_last_insert_id (store);
  d->received_at = now;
  return TRUE;
}

GPtrArray *
ch_db_incoming_document_list (ChStore  *store,
                              gint64    patient_id,
                              GError  **error)
{
  g_autoptr (GPtrArray) list =
    g_ptr_array_new_with_free_func ((GDestroyNotify) ch_incoming_document_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT id, patient_id, format, title, organization, author,"
                           " document_date, patient_name, birth_date, sex, patient_ref, forced,"
                           " document_id, received_at, imported_by"
                           " FROM incoming_documents WHERE patient_id = ?"
                           " ORDER BY received_at DESC, id DESC",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChIncomingDocument *d = g_new0 (ChIncomingDocument, 1);

      d->id = sqlite3_column_int64 (stmt, 0);
      d->patient_id = sqlite3_column_int64 (stmt, 1);
      d->format = column_dup (stmt, 2);
      d->title = column_dup (stmt, 3);
      d->organization = column_dup (stmt, 4);
      d->author = column_dup (stmt, 5);
      d->document_date = column_dup (stmt, 6);
      d->patient_name = column_dup (stmt, 7);
      d->birth_date = column_dup (stmt, 8);
      d->sex = column_dup (stmt, 9);
      d->patient_ref = column_dup (stmt, 10);
      d->forced = sqlite3_column_int (stmt, 11) != 0;
      d->document_id = sqlite3_column_int64 (stmt, 12);
      d->received_at = sqlite3_column_int64 (stmt, 13);
      d->imported_by = column_dup (stmt, 14);
      g_ptr_array_add (list, d);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&list);
}

/* ---- items ----------------------------------------------------------------- */

#define ITEM_SELECT \
  "SELECT i.id, i.incoming_id, i.patient_id, i.kind, i.code, i.system, i.text, i.details," \
  " i.clinical_status, i.onset, i.allergy_kind, i.reaction, i.severity, i.dose, i.status," \
  " i.already_item_id, i.decided_by, i.decided_at, i.reason, i.chart_item_id," \
  " i.reconciliation_id, CASE WHEN d.organization <> '' THEN d.organization ELSE d.title END" \
  " FROM incoming_items i JOIN incoming_documents d ON d.id = i.incoming_id"

static ChIncomingItem *
read_item (sqlite3_stmt *stmt)
{
  ChIncomingItem *item = g_new0 (ChIncomingItem, 1);

  item->id = sqlite3_column_int64 (stmt, 0);
  item->incoming_id = sqlite3_column_int64 (stmt, 1);
  item->patient_id = sqlite3_column_int64 (stmt, 2);
  item->kind = column_dup (stmt, 3);
  item->code = column_dup (stmt, 4);
  item->system = column_dup (stmt, 5);
  item->text = column_dup (stmt, 6);
  item->details = column_dup (stmt, 7);
  item->clinical_status = column_dup (stmt, 8);
  item->onset = column_dup (stmt, 9);
  item->allergy_kind = column_dup (stmt, 10);
  item->reaction = column_dup (stmt, 11);
  item->severity = column_dup (stmt, 12);
  item->dose = column_dup (stmt, 13);
  item->status = column_dup (stmt, 14);
  item->already_item_id = sqlite3_column_int64 (stmt, 15);
  item->decided_by = column_dup (stmt, 16);
  item->decided_at = sqlite3_column_int64 (stmt, 17);
  item->reason = column_dup (stmt, 18);
  item->chart_item_id = sqlite3_column_int64 (stmt, 19);
  item->reconciliation_id = sqlite3_column_int64 (stmt, 20);
  item->source = column_dup (stmt, 21);
  return item;
}

gboolean
ch_db_incoming_item_insert (ChStore         *store,
                            ChIncomingItem  *item,
                            GError         **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO incoming_items (incoming_id, patient_id, kind, code,"
                           " system, text, details, clinical_status, onset, allergy_kind,"
                           " reaction, severity, dose, status, already_item_id)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                           " ?15)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, item->incoming_id);
  sqlite3_bind_int64 (stmt, 2, item->patient_id);
  bind_text (stmt, 3, item->kind);
  bind_text (stmt, 4, item->code);
  bind_text (stmt, 5, item->system);
  bind_text (stmt, 6, item->text);
  bind_text (stmt, 7, item->details);
  bind_text (stmt, 8, item->clinical_status);
  bind_text (stmt, 9, item->onset);
  bind_text (stmt, 10, item->allergy_kind);
  bind_text (stmt, 11, item->reaction);
  bind_text (stmt, 12, item->severity);
  bind_text (stmt, 13, item->dose);
  bind_text (stmt, 14, item->status != NULL ? item->status : "pending");
  bind_id (stmt, 15, item->already_item_id);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  item->id = ch_store_last_insert_id (store);
  return TRUE;
}

ChIncomingItem *
ch_db_incoming_item_get (ChStore  *store,
                         gint64    id,
                         GError  **error)
{
  sqlite3_stmt *stmt;
  ChIncomingItem *item = NULL;
  int rc;

  stmt = ch_store_prepare (store, ITEM_SELECT " WHERE i.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    item = read_item (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    {
      g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);

      g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                   _("There is no outside record item %s"), id_text);
    }
  return item;
}

GPtrArray *
ch_db_incoming_item_list (ChStore   *store,
                          gint64     patient_id,
                          gboolean   pending_only,
                          GError   **error)
{
  g_autoptr (GPtrArray) list =
    g_ptr_array_new_with_free_func ((GDestroyNotify) ch_incoming_item_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           ITEM_SELECT " WHERE i.patient_id = ?1"
                           " AND (?2 = 0 OR i.status = 'pending')"
                           " ORDER BY d.received_at DESC, d.id DESC, i.id",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_int (stmt, 2, pending_only ? 1 : 0);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (list, read_item (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&list);
}

gboolean
ch_db_incoming_item_decide (ChStore     *store,
                            gint64       id,
                            const char  *status,
                            const char  *decided_by,
                            const char  *reason,
                            gint64       chart_item_id,
                            gint64       reconciliation_id,
                            GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "UPDATE incoming_items SET status = ?2, decided_by = ?3,"
                           " decided_at = ?4, reason = ?5, chart_item_id = ?6,"
                           " reconciliation_id = ?7"
                           " WHERE id = ?1 AND status = 'pending'",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  bind_text (stmt, 2, status);
  bind_text (stmt, 3, decided_by);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time ());
  bind_text (stmt, 5, reason);
  bind_id (stmt, 6, chart_item_id);
  bind_id (stmt, 7, reconciliation_id);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  if (ch_store_changes (store) != 1)
    {
      g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);

      g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT,
                   _("Outside record item %s is decided already"), id_text);
      return FALSE;
    }
  return TRUE;
}
