/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-chart-db"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "ch-chart-db.h"
#include "ch-patient-db.h"
#include "ch-store-private.h"

/* The chart's items and encounters. Updates keep the earlier version in
 * item_history ("chart" items, "encounter"s). */

static const char *
or_empty (const char *text)
{
  return text != NULL ? text : "";
}

/* ---- records ------------------------------------------------------------------ */

ChChartItem *
ch_chart_item_new (const char *section)
{
  ChChartItem *item = g_new0 (ChChartItem, 1);

  item->section = g_strdup (section);
  return item;
}

void
ch_chart_item_free (ChChartItem *item)
{
  if (item == NULL)
    return;
  g_free (item->section);
  g_free (item->kind);
  g_free (item->code_system);
  g_free (item->code);
  g_free (item->display);
  g_free (item->value_text);
  g_free (item->unit);
  g_free (item->flag);
  g_free (item->severity);
  g_free (item->reaction);
  g_free (item->clinical_status);
  g_free (item->start_date);
  g_free (item->end_date);
  g_clear_pointer (&item->details, g_variant_unref);
  g_free (item->status);
  g_free (item->recorded_by);
  g_free (item);
}

ChChartItem *
ch_chart_item_copy (const ChChartItem *item)
{
  ChChartItem *copy = g_memdup2 (item, sizeof *item);

  copy->section = g_strdup (item->section);
  copy->kind = g_strdup (item->kind);
  copy->code_system = g_strdup (item->code_system);
  copy->code = g_strdup (item->code);
  copy->display = g_strdup (item->display);
  copy->value_text = g_strdup (item->value_text);
  copy->unit = g_strdup (item->unit);
  copy->flag = g_strdup (item->flag);
  copy->severity = g_strdup (item->severity);
  copy->reaction = g_strdup (item->reaction);
  copy->clinical_status = g_strdup (item->clinical_status);
  copy->start_date = g_strdup (item->start_date);
  copy->end_date = g_strdup (item->end_date);
  copy->details = item->details ? g_variant_ref (item->details) : NULL;
  copy->status = g_strdup (item->status);
  copy->recorded_by = g_strdup (item->recorded_by);
  return copy;
}

/* Returns: (transfer none) (nullable): a string detail, such as "dose" */
const char *
ch_chart_item_get_detail (const ChChartItem *item,
                          const char        *key)
{
  const char *value = NULL;

  if (item->details == NULL
      || !g_variant_lookup (item->details, key, "&s", &value))
    return NULL;
  return value;
}

void
ch_chart_item_set_detail (ChChartItem *item,
                          const char  *key,
                          const char  *value)
{
  g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  GVariantIter iter;
  const char *k;
  GVariant *v;

  if (item->details != NULL)
    {
      g_variant_iter_init (&iter, item->details);
      while (g_variant_iter_next (&iter, "{&sv}", &k, &v))
        {
          if (!g_str_equal (k, key))
            g_variant_builder_add (&builder, "{sv}", k, v);
          g_variant_unref (v);
        }
    }
  if (value != NULL)
    g_variant_builder_add (&builder, "{sv}", key, g_variant_new_string (value));

  g_clear_pointer (&item->details, g_variant_unref);
  item->details = g_variant_ref_sink (g_variant_builder_end (&builder));
}

ChEncounterRecord *
ch_encounter_record_new (void)
{
  return g_new0 (ChEncounterRecord, 1);
}

void
ch_encounter_record_free (ChEncounterRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->provider);
  g_free (record->kind);
  g_free (record->reason);
  g_free (record->status);
  g_free (record);
}

/* ---- chart items ---------------------------------------------------------------- */

#define ITEM_COLUMNS                                                                   \
  "id, patient_id, section, kind, code_system, code, display, value_num, value_text,"  \
  " unit, ref_low, ref_high, flag, severity, reaction, clinical_status, start_date,"   \
  " end_date, effective_at, details, encounter_id, status, version, recorded_at,"      \
  " recorded_by"

static char *
dup_text (sqlite3_stmt *stmt,
          int           col)
{
  return g_strdup (ch_store_column_text (stmt, col));
}

static char *
dup_nullable (sqlite3_stmt *stmt,
              int           col)
{
  return sqlite3_column_type (stmt, col) == SQLITE_NULL ? NULL : dup_text (stmt, col);
}

static ChChartItem *
item_from_row (sqlite3_stmt *stmt)
{
  ChChartItem *item = g_new0 (ChChartItem, 1);
  const char *details;

  item->id = sqlite3_column_int64 (stmt, 0);
  item->patient_id = sqlite3_column_int64 (stmt, 1);
  item->section = dup_text (stmt, 2);
  item->kind = dup_text (stmt, 3);
  item->code_system = dup_text (stmt, 4);
  item->code = dup_text (stmt, 5);
  item->display = dup_text (stmt, 6);
  item->has_value = sqlite3_column_type (stmt, 7) != SQLITE_NULL;
  item->value_num = sqlite3_column_double (stmt, 7);
  item->value_text = dup_text (stmt, 8);
  item->unit = dup_text (stmt, 9);
  item->has_range = sqlite3_column_type (stmt, 10) != SQLITE_NULL
                    || sqlite3_column_type (stmt, 11) != SQLITE_NULL;
  item->ref_low = sqlite3_column_type (stmt, 10) != SQLITE_NULL
                  ? sqlite3_column_double (stmt, 10) : -G_MAXDOUBLE;
  item->ref_high = sqlite3_column_type (stmt, 11) != SQLITE_NULL
                   ? sqlite3_column_double (stmt, 11) : G_MAXDOUBLE;
  item->flag = dup_text (stmt, 12);
  item->severity = dup_text (stmt, 13);
  item->reaction = dup_text (stmt, 14);
  item->clinical_status = dup_text (stmt, 15);
  item->start_date = dup_nullable (stmt, 16);
  item->end_date = dup_nullable (stmt, 17);
  item->effective_at = sqlite3_column_int64 (stmt, 18);
  details = ch_store_column_text (stmt, 19);
  if (*details != '\0')
    {
      /* Parsed variants are not floating: ours as they come. */
      item->details = g_variant_parse (G_VARIANT_TYPE_VARDICT, details, NULL, NULL, NULL);
    }
  item->encounter_id = sqlite3_column_int64 (stmt, 20);
  item->status = dup_text (stmt, 21);
  item->version = sqlite3_column_int64 (stmt, 22);
  item->recorded_at = sqlite3_column_int64 (stmt, 23);
  item->recorded_by = dup_text (stmt, 24);
  return item;
}

static void
bind_item (sqlite3_stmt      *stmt,
           const ChChartItem *item,
           const char        *details,
           const char        *changed_by,
           gint64             now)
{
  sqlite3_bind_int64 (stmt, 1, item->patient_id);
  sqlite3_bind_text (stmt, 2, item->section, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, or_empty (item->kind), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, or_empty (item->code_system), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, or_empty (item->code), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, or_empty (item->display), -1, SQLITE_STATIC);
  if (item->has_value)
    sqlite3_bind_double (stmt, 7, item->value_num);
  else
    sqlite3_bind_null (stmt, 7);
  sqlite3_bind_text (stmt, 8, or_empty (item->value_text), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 9, or_empty (item->unit), -1, SQLITE_STATIC);
  if (item->has_range && item->ref_low > -G_MAXDOUBLE)
    sqlite3_bind_double (stmt, 10, item->ref_low);
  else
    sqlite3_bind_null (stmt, 10);
  if (item->has_range && item->ref_high < G_MAXDOUBLE)
    sqlite3_bind_double (stmt, 11, item->ref_high);
  else
    sqlite3_bind_null (stmt, 11);
  sqlite3_bind_text (stmt, 12, or_empty (item->flag), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 13, or_empty (item->severity), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 14, or_empty (item->reaction), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 15, or_empty (item->clinical_status), -1, SQLITE_STATIC);
  ch_store_bind_text (stmt, 16, item->start_date);
  ch_store_bind_text (stmt, 17, item->end_date);
  sqlite3_bind_int64 (stmt, 18, item->effective_at);
  sqlite3_bind_text (stmt, 19, details, -1, SQLITE_STATIC);
  if (item->encounter_id > 0)
    sqlite3_bind_int64 (stmt, 20, item->encounter_id);
  else
    sqlite3_bind_null (stmt, 20);
  sqlite3_bind_text (stmt, 21, item->status ? item->status : "active", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 22, now);
  sqlite3_bind_text (stmt, 23, or_empty (changed_by), -1, SQLITE_STATIC);
}

static char *
details_text (const ChChartItem *item)
{
  return item->details != NULL ? g_variant_print (item->details, FALSE) : g_strdup ("");
}

/**
 * ch_db_chart_insert:
 * @item: the new item; on success its id, version and recorded fields are set
 */
gboolean
ch_db_chart_insert (ChStore     *store,
                    ChChartItem *item,
                    const char  *changed_by,
                    GError     **error)
{
  return ch_db_chart_insert_recorded (store, item, changed_by, 0, error);
}

gboolean
ch_db_chart_insert_recorded (ChStore     *store,
                             ChChartItem *item,
                             const char  *changed_by,
                             gint64       recorded_at,
                             GError     **error)
{
  g_autofree char *details = details_text (item);
  sqlite3_stmt *stmt;
  gint64 now = recorded_at > 0 ? recorded_at : g_get_real_time ();

  if (item->effective_at == 0)
    item->effective_at = now;

  stmt = ch_store_prepare (store,
                           "INSERT INTO chart_items (patient_id, section, kind, code_system, code,"
                           " display, value_num, value_text, unit, ref_low, ref_high, flag, severity,"
                           " reaction, clinical_status, start_date, end_date, effective_at, details,"
                           " encounter_id, status, updated_at, updated_by, recorded_at, recorded_by)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                           " ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?22, ?23)",
                           error);
  if (stmt == NULL)
    return FALSE;

  bind_item (stmt, item, details, changed_by, now);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  item->id = ch_store_last_insert_id (store);
  item->version = 1;
  item->recorded_at = now;
  g_free (item->recorded_by);
  item->recorded_by = g_strdup (changed_by);
  if (item->status == NULL)
    item->status = g_strdup ("active");
  return TRUE;
}

static char *
item_snapshot (const ChChartItem *item)
{
  g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_autoptr (GVariant) variant = NULL;
  const struct { const char *key; const char *value; } fields[] = {
    { "section", item->section }, { "kind", item->kind }, { "code_system", item->code_system },
    { "code", item->code }, { "display", item->display }, { "value_text", item->value_text },
    { "unit", item->unit }, { "flag", item->flag }, { "severity", item->severity },
    { "reaction", item->reaction }, { "clinical_status", item->clinical_status },
    { "start_date", item->start_date }, { "end_date", item->end_date },
    { "status", item->status },
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    g_variant_builder_add (&builder, "{sv}", fields[i].key,
                           g_variant_new_string (or_empty (fields[i].value)));
  if (item->has_value)
    g_variant_builder_add (&builder, "{sv}", "value_num", g_variant_new_double (item->value_num));
  g_variant_builder_add (&builder, "{sv}", "effective_at", g_variant_new_int64 (item->effective_at));
  if (item->details != NULL)
    g_variant_builder_add (&builder, "{sv}", "details", item->details);

  variant = g_variant_ref_sink (g_variant_builder_end (&builder));
  return g_variant_print (variant, FALSE);
}

/**
 * ch_db_chart_update:
 * @item: as read (its version says which), with the changes
 *
 * Keeps the current version in item_history, then writes @item. Refuses with
 * CH_STORE_ERROR_CONSTRAINT when the item changed since it was read, or when
 * @item names another patient or section than the stored one.
 */
gboolean
ch_db_chart_update (ChStore     *store,
                    ChChartItem *item,
                    const char  *changed_by,
                    const char  *reason,
                    GError     **error)
{
  g_autoptr (ChChartItem) current = NULL;
  g_autofree char *snapshot = NULL;
  g_autofree char *details = NULL;
  sqlite3_stmt *stmt;

  current = ch_db_chart_get (store, item->id, error);
  if (current == NULL)
    return FALSE;

  if (current->version != item->version || current->patient_id != item->patient_id
      || g_strcmp0 (current->section, item->section) != 0)
    {
      g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT,
                           _("Someone else changed this entry in the meantime; reopen it and try again"));
      return FALSE;
    }

  snapshot = item_snapshot (current);
  if (!ch_db_history_write (store, "chart", current->id, current->version, snapshot, changed_by,
                            reason, error))
    return FALSE;

  details = details_text (item);
  stmt = ch_store_prepare (store,
                           "UPDATE chart_items SET patient_id = ?1, section = ?2, kind = ?3,"
                           " code_system = ?4, code = ?5, display = ?6, value_num = ?7,"
                           " value_text = ?8, unit = ?9, ref_low = ?10, ref_high = ?11, flag = ?12,"
                           " severity = ?13, reaction = ?14, clinical_status = ?15,"
                           " start_date = ?16, end_date = ?17, effective_at = ?18, details = ?19,"
                           " encounter_id = ?20, status = ?21, updated_at = ?22, updated_by = ?23,"
                           " version = version + 1 WHERE id = ?24",
                           error);
  if (stmt == NULL)
    return FALSE;

  bind_item (stmt, item, details, changed_by, g_get_real_time ());
  sqlite3_bind_int64 (stmt, 24, item->id);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  item->version = current->version + 1;
  return TRUE;
}

ChChartItem *
ch_db_chart_get (ChStore *store,
                 gint64   id,
                 GError **error)
{
  ChChartItem *item = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT " ITEM_COLUMNS " FROM chart_items WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    item = item_from_row (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                 _("There is no chart entry with id %" PRId64), id);
  sqlite3_reset (stmt);
  return item;
}

static GPtrArray *
collect_items (ChStore      *store,
               sqlite3_stmt *stmt,
               GError      **error)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_chart_item_free);
  int rc;

  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (items, item_from_row (stmt));
  sqlite3_reset (stmt);

  return rc == SQLITE_DONE ? g_steal_pointer (&items) : NULL;
}

/* Returns: (transfer full) (element-type ChChartItem): the section's items,
 * newest first; @limit 0 for all */
GPtrArray *
ch_db_chart_list (ChStore    *store,
                  gint64      patient_id,
                  const char *section,
                  gboolean    include_errors,
                  guint       limit,
                  GError    **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "SELECT " ITEM_COLUMNS " FROM chart_items"
                           " WHERE patient_id = ?1 AND section = ?2"
                           " AND (?3 OR status = 'active')"
                           " ORDER BY effective_at DESC, id DESC LIMIT ?4",
                           error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_text (stmt, 2, section, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, include_errors ? 1 : 0);
  sqlite3_bind_int (stmt, 4, limit > 0 ? (int) MIN (limit, G_MAXINT) : -1);
  return collect_items (store, stmt, error);
}

/* For each code of the section, its @per_code newest active items (newest
 * first), codes in no particular order.
 * Returns: (transfer full) (element-type ChChartItem) */
GPtrArray *
ch_db_chart_latest_per_code (ChStore    *store,
                             gint64      patient_id,
                             const char *section,
                             guint       per_code,
                             GError    **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_chart_item_free);
  g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT DISTINCT code FROM chart_items"
                           " WHERE patient_id = ? AND section = ? AND status = 'active'",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_text (stmt, 2, section, -1, SQLITE_STATIC);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (codes, dup_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc < 0)
    return NULL;

  for (guint i = 0; i < codes->len; i++)
    {
      g_autoptr (GPtrArray) items = NULL;

      stmt = ch_store_prepare (store,
                               "SELECT " ITEM_COLUMNS " FROM chart_items"
                               " WHERE patient_id = ? AND section = ? AND code = ?"
                               " AND status = 'active' ORDER BY effective_at DESC, id DESC LIMIT ?",
                               error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, patient_id);
      sqlite3_bind_text (stmt, 2, section, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, codes->pdata[i], -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 4, (int) per_code);
      items = collect_items (store, stmt, error);
      if (items == NULL)
        return NULL;
      g_ptr_array_extend_and_steal (out, g_steal_pointer (&items));
    }

  return g_steal_pointer (&out);
}

/* Returns: (transfer full) (element-type ChChartItem): the active items of
 * one code, oldest first, for plotting */
GPtrArray *
ch_db_chart_series (ChStore    *store,
                    gint64      patient_id,
                    const char *section,
                    const char *code,
                    GError    **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "SELECT " ITEM_COLUMNS " FROM chart_items"
                           " WHERE patient_id = ? AND section = ? AND code = ? AND status = 'active'"
                           " ORDER BY effective_at, id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_text (stmt, 2, section, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, code, -1, SQLITE_STATIC);
  return collect_items (store, stmt, error);
}

/* Returns: (transfer full) (nullable): the flag's value, %NULL when unset */
char *
ch_db_chart_flag_get (ChStore    *store,
                      gint64      patient_id,
                      const char *flag,
                      GError    **error)
{
  sqlite3_stmt *stmt;
  char *value = NULL;

  stmt = ch_store_prepare (store, "SELECT value FROM chart_flags WHERE patient_id = ? AND flag = ?",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_text (stmt, 2, flag, -1, SQLITE_STATIC);
  if (ch_store_step (store, stmt, error) == SQLITE_ROW)
    value = dup_text (stmt, 0);
  sqlite3_reset (stmt);
  return value;
}

/* Sets the flag, or clears it when @value is %NULL; the earlier value goes
 * to item_history as "flag" of the patient. */
gboolean
ch_db_chart_flag_set (ChStore    *store,
                      gint64      patient_id,
                      const char *flag,
                      const char *value,
                      const char *changed_by,
                      GError    **error)
{
  g_autofree char *old = ch_db_chart_flag_get (store, patient_id, flag, error);
  g_autofree char *snapshot = NULL;
  sqlite3_stmt *stmt;

  if (error != NULL && *error != NULL)
    return FALSE;

  {
    g_autoptr (GVariant) was = g_variant_ref_sink (g_variant_new_parsed (
      "{'flag': <%s>, 'value': <%s>}", flag, old ? old : ""));
    snapshot = g_variant_print (was, FALSE);
  }
  if (!ch_db_history_write (store, "chart-flag", patient_id, 0, snapshot, changed_by, "", error))
    return FALSE;

  if (value == NULL)
    {
      stmt = ch_store_prepare (store, "DELETE FROM chart_flags WHERE patient_id = ? AND flag = ?",
                               error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, patient_id);
      sqlite3_bind_text (stmt, 2, flag, -1, SQLITE_STATIC);
      return ch_store_step_done (store, stmt, error);
    }

  stmt = ch_store_prepare (store,
                           "INSERT OR REPLACE INTO chart_flags (patient_id, flag, value, updated_at,"
                           " updated_by) VALUES (?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_text (stmt, 2, flag, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, value, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time ());
  sqlite3_bind_text (stmt, 5, or_empty (changed_by), -1, SQLITE_STATIC);
  return ch_store_step_done (store, stmt, error);
}

/* ---- encounters -------------------------------------------------------------- */

gboolean
ch_db_encounter_insert (ChStore           *store,
                        ChEncounterRecord *record,
                        const char        *changed_by,
                        GError           **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO encounters (patient_id, start_at, provider, kind, reason,"
                           " updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, record->patient_id);
  sqlite3_bind_int64 (stmt, 2, record->start_at);
  sqlite3_bind_text (stmt, 3, or_empty (record->provider), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, record->kind ? record->kind : "office", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, or_empty (record->reason), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time ());
  sqlite3_bind_text (stmt, 7, or_empty (changed_by), -1, SQLITE_STATIC);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  record->id = ch_store_last_insert_id (store);
  record->version = 1;
  g_free (record->status);
  record->status = g_strdup ("active");
  return TRUE;
}

/* Returns: (transfer full) (element-type ChEncounterRecord): newest first */
GPtrArray *
ch_db_encounter_list (ChStore *store,
                      gint64   patient_id,
                      guint    limit,
                      GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_encounter_record_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT id, patient_id, start_at, provider, kind, reason, status, version"
                           " FROM encounters WHERE patient_id = ? AND status = 'active'"
                           " ORDER BY start_at DESC, id DESC LIMIT ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_int (stmt, 2, limit > 0 ? (int) MIN (limit, G_MAXINT) : -1);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChEncounterRecord *record = ch_encounter_record_new ();

      record->id = sqlite3_column_int64 (stmt, 0);
      record->patient_id = sqlite3_column_int64 (stmt, 1);
      record->start_at = sqlite3_column_int64 (stmt, 2);
      record->provider = dup_text (stmt, 3);
      record->kind = dup_text (stmt, 4);
      record->reason = dup_text (stmt, 5);
      record->status = dup_text (stmt, 6);
      record->version = sqlite3_column_int64 (stmt, 7);
      g_ptr_array_add (out, record);
    }
  sqlite3_reset (stmt);

  return rc == SQLITE_DONE ? g_steal_pointer (&out) : NULL;
}

/* ---- notes ------------------------------------------------------------------------- */

static void
addendum_free (ChAddendum *addendum)
{
  g_free (addendum->author);
  g_free (addendum->text);
  g_free (addendum);
}

ChNoteRecord *
ch_note_record_new (void)
{
  return g_new0 (ChNoteRecord, 1);
}

void
ch_note_record_free (ChNoteRecord *note)
{
  if (note == NULL)
    return;
  g_free (note->kind);
  g_free (note->title);
  g_free (note->subjective);
  g_free (note->objective);
  g_free (note->assessment);
  g_free (note->plan);
  g_free (note->body);
  g_free (note->author);
  g_free (note->author_role);
  g_free (note->state);
  g_free (note->cosigned_by);
  g_free (note->error_reason);
  g_clear_pointer (&note->addenda, g_ptr_array_unref);
  g_free (note);
}

#define NOTE_COLUMNS                                                                 \
  "id, patient_id, encounter_id, kind, title, subjective, objective, assessment, plan," \
  " body, author, author_role, created_at, state, signed_at, cosign_required,"        \
  " cosigned_at, cosigned_by, error_reason, version"

static ChNoteRecord *
note_from_row (sqlite3_stmt *stmt)
{
  ChNoteRecord *note = ch_note_record_new ();

  note->id = sqlite3_column_int64 (stmt, 0);
  note->patient_id = sqlite3_column_int64 (stmt, 1);
  note->encounter_id = sqlite3_column_int64 (stmt, 2);
  note->kind = dup_text (stmt, 3);
  note->title = dup_text (stmt, 4);
  note->subjective = dup_text (stmt, 5);
  note->objective = dup_text (stmt, 6);
  note->assessment = dup_text (stmt, 7);
  note->plan = dup_text (stmt, 8);
  note->body = dup_text (stmt, 9);
  note->author = dup_text (stmt, 10);
  note->author_role = dup_text (stmt, 11);
  note->created_at = sqlite3_column_int64 (stmt, 12);
  note->state = dup_text (stmt, 13);
  note->signed_at = sqlite3_column_int64 (stmt, 14);
  note->cosign_required = sqlite3_column_int (stmt, 15) != 0;
  note->cosigned_at = sqlite3_column_int64 (stmt, 16);
  note->cosigned_by = dup_nullable (stmt, 17);
  note->error_reason = dup_text (stmt, 18);
  note->version = sqlite3_column_int64 (stmt, 19);
  return note;
}

static void
bind_note_text (sqlite3_stmt       *stmt,
                const ChNoteRecord *note)
{
  sqlite3_bind_text (stmt, 1, note->kind ? note->kind : "soap", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, or_empty (note->title), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, or_empty (note->subjective), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, or_empty (note->objective), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, or_empty (note->assessment), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, or_empty (note->plan), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, or_empty (note->body), -1, SQLITE_STATIC);
  if (note->encounter_id > 0)
    sqlite3_bind_int64 (stmt, 8, note->encounter_id);
  else
    sqlite3_bind_null (stmt, 8);
  sqlite3_bind_int64 (stmt, 9, g_get_real_time ());
}

/* Inserts a draft written by note->author. */
gboolean
ch_db_note_insert (ChStore      *store,
                   ChNoteRecord *note,
                   GError      **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO notes (kind, title, subjective, objective, assessment, plan,"
                           " body, encounter_id, updated_at, created_at, patient_id, author,"
                           " author_role, cosign_required)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, coalesce (?14, ?9), ?10,"
                           " ?11, ?12, ?13)",
                           error);
  if (stmt == NULL)
    return FALSE;

  bind_note_text (stmt, note);
  /* Imports (and the demo) keep the note's own date; new notes are now. */
  if (note->created_at > 0)
    sqlite3_bind_int64 (stmt, 14, note->created_at);
  else
    sqlite3_bind_null (stmt, 14);
  sqlite3_bind_int64 (stmt, 10, note->patient_id);
  sqlite3_bind_text (stmt, 11, note->author, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 12, note->author_role, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 13, note->cosign_required ? 1 : 0);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  note->id = ch_store_last_insert_id (store);
  note->version = 1;
  g_free (note->state);
  note->state = g_strdup ("draft");
  return TRUE;
}

/* Rewrites a draft's text; a signed note refuses (the trigger says so too). */
gboolean
ch_db_note_update_draft (ChStore      *store,
                         ChNoteRecord *note,
                         GError      **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "UPDATE notes SET kind = ?1, title = ?2, subjective = ?3, objective = ?4,"
                           " assessment = ?5, plan = ?6, body = ?7, encounter_id = ?8,"
                           " updated_at = ?9, version = version + 1"
                           " WHERE id = ?10 AND version = ?11 AND state = 'draft'",
                           error);
  if (stmt == NULL)
    return FALSE;

  bind_note_text (stmt, note);
  sqlite3_bind_int64 (stmt, 10, note->id);
  sqlite3_bind_int64 (stmt, 11, note->version);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  if (ch_store_changes (store) == 0)
    {
      g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT,
                           _("The note was signed or changed in the meantime; reopen it"));
      return FALSE;
    }

  note->version++;
  return TRUE;
}

/* Writes the note's state, signature, co-signature and error reason. */
gboolean
ch_db_note_set_state (ChStore      *store,
                      ChNoteRecord *note,
                      GError      **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "UPDATE notes SET state = ?1, signed_at = ?2, cosigned_at = ?3,"
                           " cosigned_by = ?4, error_reason = ?5, updated_at = ?6,"
                           " version = version + 1 WHERE id = ?7 AND version = ?8",
                           error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, note->state, -1, SQLITE_STATIC);
  if (note->signed_at > 0)
    sqlite3_bind_int64 (stmt, 2, note->signed_at);
  else
    sqlite3_bind_null (stmt, 2);
  if (note->cosigned_at > 0)
    sqlite3_bind_int64 (stmt, 3, note->cosigned_at);
  else
    sqlite3_bind_null (stmt, 3);
  ch_store_bind_text (stmt, 4, note->cosigned_by);
  sqlite3_bind_text (stmt, 5, or_empty (note->error_reason), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time ());
  sqlite3_bind_int64 (stmt, 7, note->id);
  sqlite3_bind_int64 (stmt, 8, note->version);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  if (ch_store_changes (store) == 0)
    {
      g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT,
                           _("The note was changed in the meantime; reopen it"));
      return FALSE;
    }

  note->version++;
  return TRUE;
}

/* Returns: (transfer full): the note with its addenda */
ChNoteRecord *
ch_db_note_get (ChStore *store,
                gint64   id,
                GError **error)
{
  g_autoptr (ChNoteRecord) note = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT " NOTE_COLUMNS " FROM notes WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    note = note_from_row (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                 _("There is no note with id %" PRId64), id);
  sqlite3_reset (stmt);
  if (note == NULL)
    return NULL;

  note->addenda = g_ptr_array_new_with_free_func ((GDestroyNotify) addendum_free);
  stmt = ch_store_prepare (store, "SELECT id, author, created_at, text FROM note_addenda"
                                  " WHERE note_id = ? ORDER BY created_at, id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChAddendum *addendum = g_new0 (ChAddendum, 1);

      addendum->id = sqlite3_column_int64 (stmt, 0);
      addendum->author = dup_text (stmt, 1);
      addendum->created_at = sqlite3_column_int64 (stmt, 2);
      addendum->text = dup_text (stmt, 3);
      g_ptr_array_add (note->addenda, addendum);
    }
  sqlite3_reset (stmt);

  return rc == SQLITE_DONE ? g_steal_pointer (&note) : NULL;
}

/* Returns: (transfer full) (element-type ChNoteRecord): newest first, without
 * their addenda; @limit 0 for all */
GPtrArray *
ch_db_note_list (ChStore *store,
                 gint64   patient_id,
                 guint    limit,
                 GError **error)
{
  g_autoptr (GPtrArray) notes = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_note_record_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT " NOTE_COLUMNS " FROM notes WHERE patient_id = ?"
                                  " ORDER BY created_at DESC, id DESC LIMIT ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_int (stmt, 2, limit > 0 ? (int) MIN (limit, G_MAXINT) : -1);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (notes, note_from_row (stmt));
  sqlite3_reset (stmt);

  return rc == SQLITE_DONE ? g_steal_pointer (&notes) : NULL;
}

gboolean
ch_db_note_add_addendum (ChStore    *store,
                         gint64      note_id,
                         const char *author,
                         const char *text,
                         gint64     *out_id,
                         GError    **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store, "INSERT INTO note_addenda (note_id, author, created_at, text)"
                                  " VALUES (?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, note_id);
  sqlite3_bind_text (stmt, 2, author, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
  sqlite3_bind_text (stmt, 4, text, -1, SQLITE_STATIC);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  if (out_id != NULL)
    *out_id = ch_store_last_insert_id (store);
  return TRUE;
}

/* ---- merging ------------------------------------------------------------------------ */

/* The tables whose rows belong to a patient and move with a merge. */
static const char * const owned_tables[] = {
  "chart_items", "encounters", "notes", "insurance_policies", "patient_identifiers",
};

static GVariant *
collect_ids (ChStore *store,
             gint64   patient_id,
             GError **error)
{
  g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{sax}"));

  for (guint t = 0; t < G_N_ELEMENTS (owned_tables); t++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT id FROM %s WHERE patient_id = ?",
                                              owned_tables[t]);
      g_auto (GVariantBuilder) ids = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("ax"));
      sqlite3_stmt *stmt = ch_store_prepare (store, sql, error);
      int rc;

      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, patient_id);
      while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
        g_variant_builder_add (&ids, "x", sqlite3_column_int64 (stmt, 0));
      sqlite3_reset (stmt);
      if (rc < 0)
        return NULL;
      g_variant_builder_add (&builder, "{sax}", owned_tables[t], &ids);
    }

  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* Points the rows listed in @moved at @patient_id. */
static gboolean
move_rows (ChStore  *store,
           GVariant *moved,
           gint64    patient_id,
           GError  **error)
{
  GVariantIter iter;
  const char *table;
  GVariant *ids;

  g_variant_iter_init (&iter, moved);
  while (g_variant_iter_next (&iter, "{&s@ax}", &table, &ids))
    {
      g_autoptr (GVariant) owned = ids;
      g_autofree char *sql = NULL;
      gsize n = 0;
      const gint64 *values = g_variant_get_fixed_array (owned, &n, sizeof (gint64));
      sqlite3_stmt *stmt;
      gboolean known = FALSE;

      for (guint t = 0; t < G_N_ELEMENTS (owned_tables); t++)
        known |= g_str_equal (table, owned_tables[t]);
      if (!known)
        {
          g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_CORRUPT,
                       "unknown table “%s” in a merge record", table);
          return FALSE;
        }

      sql = g_strdup_printf ("UPDATE %s SET patient_id = ? WHERE id = ?", table);
      stmt = ch_store_prepare (store, sql, error);
      if (stmt == NULL)
        return FALSE;
      for (gsize i = 0; i < n; i++)
        {
          sqlite3_bind_int64 (stmt, 1, patient_id);
          sqlite3_bind_int64 (stmt, 2, values[i]);
          if (!ch_store_step_done (store, stmt, error))
            return FALSE;
        }
    }

  return TRUE;
}

static gboolean
set_merged (ChStore    *store,
            gint64      id,
            gint64      into_id,
            const char *changed_by,
            const char *reason,
            GError    **error)
{
  g_autoptr (ChPatientRecord) record = ch_db_patient_get (store, id, error);

  if (record == NULL)
    return FALSE;
  g_free (record->status);
  record->status = g_strdup (into_id > 0 ? "merged" : "active");
  record->merged_into = into_id;
  return ch_db_patient_update (store, record, changed_by, reason, error);
}

/**
 * ch_db_patient_merge:
 *
 * Moves everything recorded for @from_id to @into_id and marks @from_id as
 * merged into it (out of the search, its demographics kept). What moved is
 * written down, so that ch_db_patient_unmerge() can put it back. Call inside a
 * transaction.
 */
gboolean
ch_db_patient_merge (ChStore    *store,
                     gint64      from_id,
                     gint64      into_id,
                     const char *changed_by,
                     const char *reason,
                     gint64     *out_merge_id,
                     GError    **error)
{
  g_autoptr (GVariant) moved = NULL;
  g_autofree char *moved_text = NULL;
  sqlite3_stmt *stmt;

  moved = collect_ids (store, from_id, error);
  if (moved == NULL)
    return FALSE;

  if (!move_rows (store, moved, into_id, error)
      || !set_merged (store, from_id, into_id, changed_by, reason, error))
    return FALSE;

  moved_text = g_variant_print (moved, FALSE);
  stmt = ch_store_prepare (store,
                           "INSERT INTO patient_merges (from_id, into_id, moved, merged_at,"
                           " merged_by, reason) VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, from_id);
  sqlite3_bind_int64 (stmt, 2, into_id);
  sqlite3_bind_text (stmt, 3, moved_text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time ());
  sqlite3_bind_text (stmt, 5, or_empty (changed_by), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, or_empty (reason), -1, SQLITE_STATIC);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  if (out_merge_id != NULL)
    *out_merge_id = ch_store_last_insert_id (store);
  return TRUE;
}

/* Undoes the last merge of @from_id: its rows go back, it is active again. */
gboolean
ch_db_patient_unmerge (ChStore    *store,
                       gint64      from_id,
                       const char *changed_by,
                       gint64     *out_into_id,
                       GError    **error)
{
  g_autoptr (GVariant) moved = NULL;
  g_autofree char *moved_text = NULL;
  sqlite3_stmt *stmt;
  gint64 merge_id = 0;
  gint64 into_id = 0;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT id, into_id, moved FROM patient_merges WHERE from_id = ?"
                           " AND undone_at IS NULL ORDER BY id DESC LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, from_id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    {
      merge_id = sqlite3_column_int64 (stmt, 0);
      into_id = sqlite3_column_int64 (stmt, 1);
      moved_text = dup_text (stmt, 2);
    }
  sqlite3_reset (stmt);
  if (rc < 0)
    return FALSE;
  if (merge_id == 0)
    {
      g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                           _("This record was not merged into another"));
      return FALSE;
    }

  moved = g_variant_parse (G_VARIANT_TYPE ("a{sax}"), moved_text, NULL, NULL, error);
  if (moved == NULL)
    return FALSE;

  if (!move_rows (store, moved, from_id, error)
      || !set_merged (store, from_id, 0, changed_by, _("Merge undone"), error))
    return FALSE;

  stmt = ch_store_prepare (store, "UPDATE patient_merges SET undone_at = ?, undone_by = ?"
                                  " WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
  sqlite3_bind_text (stmt, 2, or_empty (changed_by), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, merge_id);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  if (out_into_id != NULL)
    *out_into_id = into_id;
  return TRUE;
}
