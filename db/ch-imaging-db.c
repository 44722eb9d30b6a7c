/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-imaging-db"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "ch-imaging-db.h"
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

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* "CT,SR,CT" from group_concat as "CT, SR", sorted, each once. */
static char *
tidy_list (const char *text)
{
  g_auto (GStrv) parts = g_strsplit (or_empty (text), ",", -1);
  g_autoptr (GPtrArray) kept = g_ptr_array_new ();
  GString *out = g_string_new (NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] == '\0')
        continue;
      if (!g_ptr_array_find_with_equal_func (kept, parts[i], g_str_equal, NULL))
        g_ptr_array_add (kept, parts[i]);
    }
  g_ptr_array_sort (kept, compare_strings);
  for (guint i = 0; i < kept->len; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? ", " : "", (char *) kept->pdata[i]);
  return g_string_free (out, FALSE);
}

/* ---- records --------------------------------------------------------------- */

void
ch_imaging_study_free (ChImagingStudy *study)
{
  if (study == NULL)
    return;
  g_free (study->study_uid);
  g_free (study->date);
  g_free (study->time);
  g_free (study->description);
  g_free (study->modalities);
  g_free (study);
}

void
ch_imaging_series_free (ChImagingSeries *series)
{
  if (series == NULL)
    return;
  g_free (series->series_uid);
  g_free (series->study_uid);
  g_free (series->modality);
  g_free (series->description);
  g_free (series);
}

ChImagingInstance *
ch_imaging_instance_new (void)
{
  return g_new0 (ChImagingInstance, 1);
}

void
ch_imaging_instance_free (ChImagingInstance *instance)
{
  if (instance == NULL)
    return;
  g_free (instance->study_uid);
  g_free (instance->series_uid);
  g_free (instance->sop_instance_uid);
  g_free (instance->sop_class_uid);
  g_free (instance->modality);
  g_free (instance->study_date);
  g_free (instance->study_time);
  g_free (instance->study_description);
  g_free (instance->series_description);
  g_free (instance->transfer_syntax);
  g_free (instance->calling_ae);
  g_free (instance);
}

void
ch_imaging_inbox_item_free (ChImagingInboxItem *item)
{
  if (item == NULL)
    return;
  g_free (item->calling_ae);
  g_free (item->source);
  g_free (item->patient_name);
  g_free (item->patient_ref);
  g_free (item->birth_date);
  g_free (item->study_uid);
  g_free (item->study_date);
  g_free (item->study_description);
  g_free (item->modalities);
  g_free (item->reason);
  g_free (item);
}

ChImagingInboxEntry *
ch_imaging_inbox_entry_new (void)
{
  return g_new0 (ChImagingInboxEntry, 1);
}

void
ch_imaging_inbox_entry_free (ChImagingInboxEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->calling_ae);
  g_free (entry->source);
  g_free (entry->patient_name);
  g_free (entry->patient_ref);
  g_free (entry->birth_date);
  g_free (entry->sex);
  g_free (entry->study_uid);
  g_free (entry->series_uid);
  g_free (entry->sop_instance_uid);
  g_free (entry->modality);
  g_free (entry->study_date);
  g_free (entry->study_description);
  g_free (entry->reason);
  g_free (entry->blob);
  g_free (entry->content_hash);
  g_free (entry->status);
  g_free (entry->status_reason);
  g_free (entry);
}

/* ---- matching -------------------------------------------------------------- */

static gboolean
collect_ids (ChStore       *store,
             sqlite3_stmt  *stmt,
             GArray        *out_ids,
             GError       **error)
{
  int rc;

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

gboolean
ch_db_imaging_match_ref (ChStore     *store,
                         const char  *ref,
                         GArray      *out_ids,
                         GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "SELECT CASE WHEN p.status = 'merged' AND p.merged_into IS NOT NULL"
                           " THEN p.merged_into ELSE p.id END"
                           " FROM patients p WHERE p.mrn = ?1"
                           " UNION "
                           "SELECT CASE WHEN p.status = 'merged' AND p.merged_into IS NOT NULL"
                           " THEN p.merged_into ELSE p.id END"
                           " FROM patient_identifiers i JOIN patients p ON p.id = i.patient_id"
                           " WHERE i.value = ?1",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, ref, -1, SQLITE_TRANSIENT);
  return collect_ids (store, stmt, out_ids, error);
}

gboolean
ch_db_imaging_match_name (ChStore     *store,
                          const char  *name_key,
                          const char  *birth_date,
                          GArray      *out_ids,
                          GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "SELECT id FROM patients WHERE name_key = ? AND birth_date = ?"
                           " AND status = 'active' ORDER BY id",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name_key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, birth_date, -1, SQLITE_TRANSIENT);
  return collect_ids (store, stmt, out_ids, error);
}

/* ---- instances ------------------------------------------------------------- */

#define INSTANCE_SELECT \
  "SELECT i.id, i.document_id, i.patient_id, i.study_uid, i.series_uid, i.sop_instance_uid," \
  " i.sop_class_uid, i.modality, i.study_date, i.study_time, i.study_description," \
  " i.series_description, i.series_number, i.instance_number, i.slice_location, i.rows," \
  " i.columns, i.frames, i.transfer_syntax, i.calling_ae, i.received_at FROM dicom_instances i"

static ChImagingInstance *
read_instance (sqlite3_stmt *stmt)
{
  ChImagingInstance *i = ch_imaging_instance_new ();

  i->id = sqlite3_column_int64 (stmt, 0);
  i->document_id = sqlite3_column_int64 (stmt, 1);
  i->patient_id = sqlite3_column_int64 (stmt, 2);
  i->study_uid = column_dup (stmt, 3);
  i->series_uid = column_dup (stmt, 4);
  i->sop_instance_uid = column_dup (stmt, 5);
  i->sop_class_uid = column_dup (stmt, 6);
  i->modality = column_dup (stmt, 7);
  i->study_date = column_dup (stmt, 8);
  i->study_time = column_dup (stmt, 9);
  i->study_description = column_dup (stmt, 10);
  i->series_description = column_dup (stmt, 11);
  i->has_series_number = sqlite3_column_type (stmt, 12) != SQLITE_NULL;
  i->series_number = sqlite3_column_int (stmt, 12);
  i->has_instance_number = sqlite3_column_type (stmt, 13) != SQLITE_NULL;
  i->instance_number = sqlite3_column_int (stmt, 13);
  i->has_slice_location = sqlite3_column_type (stmt, 14) != SQLITE_NULL;
  i->slice_location = sqlite3_column_double (stmt, 14);
  i->rows = (guint) sqlite3_column_int64 (stmt, 15);
  i->columns = (guint) sqlite3_column_int64 (stmt, 16);
  i->frames = (guint) sqlite3_column_int64 (stmt, 17);
  i->transfer_syntax = column_dup (stmt, 18);
  i->calling_ae = column_dup (stmt, 19);
  i->received_at = sqlite3_column_int64 (stmt, 20);
  return i;
}

gboolean
ch_db_imaging_instance_insert (ChStore            *store,
                               ChImagingInstance  *i,
                               GError            **error)
{
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO dicom_instances (document_id, patient_id, study_uid,"
                           " series_uid, sop_instance_uid, sop_class_uid, modality, study_date,"
                           " study_time, study_description, series_description, series_number,"
                           " instance_number, slice_location, rows, columns, frames,"
                           " transfer_syntax, calling_ae, received_at)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                           " ?15, ?16, ?17, ?18, ?19, ?20)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, i->document_id);
  sqlite3_bind_int64 (stmt, 2, i->patient_id);
  sqlite3_bind_text (stmt, 3, or_empty (i->study_uid), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, or_empty (i->series_uid), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, or_empty (i->sop_instance_uid), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, or_empty (i->sop_class_uid), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, or_empty (i->modality), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, or_empty (i->study_date), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, or_empty (i->study_time), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 10, or_empty (i->study_description), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 11, or_empty (i->series_description), -1, SQLITE_TRANSIENT);
  if (i->has_series_number)
    sqlite3_bind_int (stmt, 12, i->series_number);
  else
    sqlite3_bind_null (stmt, 12);
  if (i->has_instance_number)
    sqlite3_bind_int (stmt, 13, i->instance_number);
  else
    sqlite3_bind_null (stmt, 13);
  if (i->has_slice_location)
    sqlite3_bind_double (stmt, 14, i->slice_location);
  else
    sqlite3_bind_null (stmt, 14);
  sqlite3_bind_int64 (stmt, 15, i->rows);
  sqlite3_bind_int64 (stmt, 16, i->columns);
  sqlite3_bind_int64 (stmt, 17, i->frames);
  sqlite3_bind_text (stmt, 18, or_empty (i->transfer_syntax), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 19, or_empty (i->calling_ae), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 20, now);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  i->id = ch_store_last_insert_id (store);
  i->received_at = now;
  return TRUE;
}

static ChImagingInstance *
find_instance (ChStore     *store,
               const char  *sql,
               const char  *text,
               gint64       number,
               GError     **error)
{
  ChImagingInstance *i = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (stmt, 1, number);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    i = read_instance (stmt);
  sqlite3_reset (stmt);
  return i;
}

ChImagingInstance *
ch_db_imaging_instance_find_sop (ChStore     *store,
                                 const char  *sop_instance_uid,
                                 GError     **error)
{
  return find_instance (store, INSTANCE_SELECT " WHERE i.sop_instance_uid = ? AND i.current = 1",
                        sop_instance_uid, 0, error);
}

ChImagingInstance *
ch_db_imaging_instance_find_document (ChStore  *store,
                                      gint64    document_id,
                                      GError  **error)
{
  return find_instance (store, INSTANCE_SELECT " WHERE i.document_id = ?", NULL, document_id,
                        error);
}

GPtrArray *
ch_db_imaging_list_studies (ChStore  *store,
                            gint64    patient_id,
                            GError  **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_imaging_study_free);
  sqlite3_stmt *stmt;
  int rc;

  /* group_concat is string_agg on PostgreSQL. */
  stmt = ch_store_prepare (store,
                           "SELECT i.study_uid, max (i.study_date), max (i.study_time),"
                           " max (i.study_description), group_concat (DISTINCT i.modality),"
                           " count (DISTINCT i.series_uid), count (*)"
                           " FROM dicom_instances i JOIN documents d ON d.id = i.document_id"
                           " WHERE i.patient_id = ? AND d.status = 'current'"
                           " GROUP BY i.study_uid"
                           " ORDER BY max (i.study_date) DESC, max (i.study_time) DESC,"
                           " min (i.id) DESC",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChImagingStudy *s = g_new0 (ChImagingStudy, 1);

      s->study_uid = column_dup (stmt, 0);
      s->date = column_dup (stmt, 1);
      s->time = column_dup (stmt, 2);
      s->description = column_dup (stmt, 3);
      s->modalities = tidy_list (ch_store_column_text (stmt, 4));
      s->n_series = (guint) sqlite3_column_int64 (stmt, 5);
      s->n_instances = (guint) sqlite3_column_int64 (stmt, 6);
      g_ptr_array_add (list, s);
    }
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}

GPtrArray *
ch_db_imaging_list_series (ChStore     *store,
                           gint64       patient_id,
                           const char  *study_uid,
                           GError     **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_imaging_series_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT i.series_uid, min (i.series_number), max (i.modality),"
                           " max (i.series_description), count (*)"
                           " FROM dicom_instances i JOIN documents d ON d.id = i.document_id"
                           " WHERE i.patient_id = ? AND i.study_uid = ? AND d.status = 'current'"
                           " GROUP BY i.series_uid"
                           " ORDER BY min (i.series_number) IS NULL, min (i.series_number),"
                           " min (i.id)",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_text (stmt, 2, study_uid, -1, SQLITE_TRANSIENT);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChImagingSeries *s = g_new0 (ChImagingSeries, 1);

      s->series_uid = column_dup (stmt, 0);
      s->study_uid = g_strdup (study_uid);
      s->has_number = sqlite3_column_type (stmt, 1) != SQLITE_NULL;
      s->number = sqlite3_column_int (stmt, 1);
      s->modality = column_dup (stmt, 2);
      s->description = column_dup (stmt, 3);
      s->n_instances = (guint) sqlite3_column_int64 (stmt, 4);
      g_ptr_array_add (list, s);
    }
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}

GArray *
ch_db_imaging_list_instances (ChStore     *store,
                              gint64       patient_id,
                              const char  *series_uid,
                              GError     **error)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT i.document_id"
                           " FROM dicom_instances i JOIN documents d ON d.id = i.document_id"
                           " WHERE i.patient_id = ? AND i.series_uid = ? AND d.status = 'current'"
                           " ORDER BY i.instance_number IS NULL, i.instance_number,"
                           " i.slice_location IS NULL, i.slice_location, i.id",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_text (stmt, 2, series_uid, -1, SQLITE_TRANSIENT);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&ids) : NULL;
}

/* ---- inbox ----------------------------------------------------------------- */

#define ENTRY_SELECT \
  "SELECT id, received_at, calling_ae, source, patient_name, patient_ref, birth_date, sex," \
  " study_uid, series_uid, sop_instance_uid, modality, study_date, study_description, reason," \
  " size, blob, content_hash, status, status_reason, coalesce (patient_id, 0)," \
  " coalesce (document_id, 0) FROM dicom_inbox"

static ChImagingInboxEntry *
read_entry (sqlite3_stmt *stmt)
{
  ChImagingInboxEntry *e = ch_imaging_inbox_entry_new ();

  e->id = sqlite3_column_int64 (stmt, 0);
  e->received_at = sqlite3_column_int64 (stmt, 1);
  e->calling_ae = column_dup (stmt, 2);
  e->source = column_dup (stmt, 3);
  e->patient_name = column_dup (stmt, 4);
  e->patient_ref = column_dup (stmt, 5);
  e->birth_date = column_dup (stmt, 6);
  e->sex = column_dup (stmt, 7);
  e->study_uid = column_dup (stmt, 8);
  e->series_uid = column_dup (stmt, 9);
  e->sop_instance_uid = column_dup (stmt, 10);
  e->modality = column_dup (stmt, 11);
  e->study_date = column_dup (stmt, 12);
  e->study_description = column_dup (stmt, 13);
  e->reason = column_dup (stmt, 14);
  e->size = sqlite3_column_int64 (stmt, 15);
  e->blob = column_dup (stmt, 16);
  e->content_hash = column_dup (stmt, 17);
  e->status = column_dup (stmt, 18);
  e->status_reason = column_dup (stmt, 19);
  e->patient_id = sqlite3_column_int64 (stmt, 20);
  e->document_id = sqlite3_column_int64 (stmt, 21);
  return e;
}

gboolean
ch_db_imaging_inbox_insert (ChStore              *store,
                            ChImagingInboxEntry  *e,
                            GError              **error)
{
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO dicom_inbox (received_at, calling_ae, source, patient_name,"
                           " patient_ref, birth_date, sex, study_uid, series_uid, sop_instance_uid,"
                           " modality, study_date, study_description, reason, size, blob,"
                           " content_hash, status)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                           " ?15, ?16, ?17, 'waiting')",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_text (stmt, 2, or_empty (e->calling_ae), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, or_empty (e->source), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, or_empty (e->patient_name), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, or_empty (e->patient_ref), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, or_empty (e->birth_date), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, or_empty (e->sex), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, or_empty (e->study_uid), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, or_empty (e->series_uid), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 10, or_empty (e->sop_instance_uid), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 11, or_empty (e->modality), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 12, or_empty (e->study_date), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 13, or_empty (e->study_description), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 14, or_empty (e->reason), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 15, e->size);
  sqlite3_bind_text (stmt, 16, or_empty (e->blob), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 17, or_empty (e->content_hash), -1, SQLITE_TRANSIENT);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  e->id = ch_store_last_insert_id (store);
  e->received_at = now;
  g_free (e->status);
  e->status = g_strdup ("waiting");
  return TRUE;
}

ChImagingInboxEntry *
ch_db_imaging_inbox_get (ChStore  *store,
                         gint64    id,
                         GError  **error)
{
  ChImagingInboxEntry *e = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, ENTRY_SELECT " WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    e = read_entry (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                 _("There is no inbox entry %" PRId64), id);
  sqlite3_reset (stmt);
  return e;
}

ChImagingInboxEntry *
ch_db_imaging_inbox_find_waiting_sop (ChStore     *store,
                                      const char  *sop_instance_uid,
                                      GError     **error)
{
  ChImagingInboxEntry *e = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           ENTRY_SELECT " WHERE sop_instance_uid = ? AND status = 'waiting'"
                           " ORDER BY id LIMIT 1",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, sop_instance_uid, -1, SQLITE_TRANSIENT);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    e = read_entry (stmt);
  sqlite3_reset (stmt);
  return e;
}

GPtrArray *
ch_db_imaging_inbox_list_study (ChStore     *store,
                                const char  *study_uid,
                                GError     **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_imaging_inbox_entry_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           ENTRY_SELECT " WHERE study_uid = ? AND status = 'waiting' ORDER BY id",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, study_uid, -1, SQLITE_TRANSIENT);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (list, read_entry (stmt));
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}

GPtrArray *
ch_db_imaging_inbox_list (ChStore  *store,
                          GError  **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_imaging_inbox_item_free);
  sqlite3_stmt *stmt;
  int rc;

  /* The first entry of each study speaks for it. */
  stmt = ch_store_prepare (store,
                           "SELECT f.id, f.received_at, f.calling_ae, f.source, f.patient_name,"
                           " f.patient_ref, f.birth_date, f.study_uid, f.study_date,"
                           " f.study_description, f.reason, g.modalities, g.n"
                           " FROM (SELECT study_uid, min (id) AS first,"
                           "  group_concat (DISTINCT modality) AS modalities, count (*) AS n"
                           "  FROM dicom_inbox WHERE status = 'waiting' GROUP BY study_uid) g"
                           " JOIN dicom_inbox f ON f.id = g.first"
                           " ORDER BY f.id",
                           error);
  if (stmt == NULL)
    return NULL;
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChImagingInboxItem *item = g_new0 (ChImagingInboxItem, 1);

      item->id = sqlite3_column_int64 (stmt, 0);
      item->received_at = sqlite3_column_int64 (stmt, 1);
      item->calling_ae = column_dup (stmt, 2);
      item->source = column_dup (stmt, 3);
      item->patient_name = column_dup (stmt, 4);
      item->patient_ref = column_dup (stmt, 5);
      item->birth_date = column_dup (stmt, 6);
      item->study_uid = column_dup (stmt, 7);
      item->study_date = column_dup (stmt, 8);
      item->study_description = column_dup (stmt, 9);
      item->reason = column_dup (stmt, 10);
      item->modalities = tidy_list (ch_store_column_text (stmt, 11));
      item->n_instances = (guint) sqlite3_column_int64 (stmt, 12);
      g_ptr_array_add (list, item);
    }
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}

gboolean
ch_db_imaging_inbox_close (ChStore     *store,
                           gint64       id,
                           const char  *status,
                           const char  *reason,
                           gint64       patient_id,
                           gint64       document_id,
                           const char  *username,
                           GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "UPDATE dicom_inbox SET status = ?1, status_reason = ?2,"
                           " patient_id = ?3, document_id = ?4, closed_at = ?5, closed_by = ?6"
                           " WHERE id = ?7 AND status = 'waiting'",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, status, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, or_empty (reason), -1, SQLITE_TRANSIENT);
  if (patient_id > 0)
    sqlite3_bind_int64 (stmt, 3, patient_id);
  else
    sqlite3_bind_null (stmt, 3);
  if (document_id > 0)
    sqlite3_bind_int64 (stmt, 4, document_id);
  else
    sqlite3_bind_null (stmt, 4);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time ());
  sqlite3_bind_text (stmt, 6, or_empty (username), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, id);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  if (ch_store_changes (store) != 1)
    {
      g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT,
                   _("Inbox entry %" PRId64 " no longer waits: someone assigned or discarded it"),
                   id);
      return FALSE;
    }
  return TRUE;
}
