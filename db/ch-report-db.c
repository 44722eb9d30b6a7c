/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-report-db"

#include "config.h"

#include "ch-report-db.h"
#include "ch-store-private.h"

/* ---- saved filters --------------------------------------------------------- */

void
ch_db_report_filter_free (ChDbReportFilter *filter)
{
  if (filter == NULL)
    return;
  g_free (filter->report);
  g_free (filter->name);
  g_free (filter->params);
  g_free (filter);
}

static ChDbReportFilter *
filter_from_row (sqlite3_stmt *stmt)
{
  ChDbReportFilter *filter = g_new0 (ChDbReportFilter, 1);

  filter->report = g_strdup (ch_store_column_text (stmt, 0));
  filter->name = g_strdup (ch_store_column_text (stmt, 1));
  filter->params = g_strdup (ch_store_column_text (stmt, 2));
  filter->saved_at = sqlite3_column_int64 (stmt, 3);
  return filter;
}

gboolean
ch_db_report_filter_save (ChStore     *store,
                          const char  *owner,
                          const char  *report,
                          const char  *name,
                          const char  *params,
                          gint64       saved_at,
                          GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT OR REPLACE INTO report_filters (owner, report, name, params, saved_at)"
                           " VALUES (?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  ch_store_bind_text (stmt, 1, owner);
  ch_store_bind_text (stmt, 2, report);
  ch_store_bind_text (stmt, 3, name);
  ch_store_bind_text (stmt, 4, params);
  sqlite3_bind_int64 (stmt, 5, saved_at);
  return ch_store_step_done (store, stmt, error);
}

GPtrArray *
ch_db_report_filter_list (ChStore     *store,
                          const char  *owner,
                          const char  *report,
                          GError     **error)
{
  g_autoptr (GPtrArray) filters = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_db_report_filter_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT report, name, params, saved_at FROM report_filters"
                           " WHERE owner = ?1 AND (?2 IS NULL OR report = ?2)"
                           " ORDER BY report, name", error);
  if (stmt == NULL)
    return NULL;
  ch_store_bind_text (stmt, 1, owner);
  ch_store_bind_text (stmt, 2, report);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (filters, filter_from_row (stmt));
  sqlite3_reset (stmt);
  return rc < 0 ? NULL : g_steal_pointer (&filters);
}

ChDbReportFilter *
ch_db_report_filter_get (ChStore     *store,
                         const char  *owner,
                         const char  *report,
                         const char  *name,
                         GError     **error)
{
  ChDbReportFilter *filter = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT report, name, params, saved_at FROM report_filters"
                           " WHERE owner = ? AND report = ? AND name = ?", error);
  if (stmt == NULL)
    return NULL;
  ch_store_bind_text (stmt, 1, owner);
  ch_store_bind_text (stmt, 2, report);
  ch_store_bind_text (stmt, 3, name);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    filter = filter_from_row (stmt);
  sqlite3_reset (stmt);
  return filter;
}

gboolean
ch_db_report_filter_delete (ChStore     *store,
                            const char  *owner,
                            const char  *report,
                            const char  *name,
                            gboolean    *out_found,
                            GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "DELETE FROM report_filters WHERE owner = ? AND report = ? AND name = ?",
                           error);
  if (stmt == NULL)
    return FALSE;
  ch_store_bind_text (stmt, 1, owner);
  ch_store_bind_text (stmt, 2, report);
  ch_store_bind_text (stmt, 3, name);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  if (out_found != NULL)
    *out_found = ch_store_changes (store) > 0;
  return TRUE;
}

/* ---- values to choose from ------------------------------------------------- */

static GPtrArray *
pairs (ChStore     *store,
       const char  *sql,
       GError     **error)
{
  g_autoptr (GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      g_ptr_array_add (values, g_strdup (ch_store_column_text (stmt, 0)));
      g_ptr_array_add (values, g_strdup (ch_store_column_text (stmt, 1)));
    }
  sqlite3_reset (stmt);
  return rc < 0 ? NULL : g_steal_pointer (&values);
}

GPtrArray *
ch_db_report_providers (ChStore  *store,
                        GError  **error)
{
  return pairs (store,
                "SELECT id, name FROM resources WHERE kind = 'provider'"
                " ORDER BY active DESC, name COLLATE NOCASE, id", error);
}

GPtrArray *
ch_db_report_payers (ChStore  *store,
                     GError  **error)
{
  return pairs (store,
                "SELECT DISTINCT payer, payer FROM insurance_policies"
                " WHERE status = 'active' AND payer != '' ORDER BY payer COLLATE NOCASE", error);
}

GPtrArray *
ch_db_report_appointment_types (ChStore  *store,
                                GError  **error)
{
  return pairs (store,
                "SELECT CAST (id AS TEXT), name FROM appointment_types"
                " ORDER BY active DESC, name COLLATE NOCASE, id", error);
}

static char *
one_text (ChStore      *store,
          sqlite3_stmt *stmt,
          GError      **error)
{
  char *text = NULL;

  if (ch_store_step (store, stmt, error) == SQLITE_ROW)
    text = g_strdup (ch_store_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return text;
}

char *
ch_db_report_provider_name (ChStore     *store,
                            const char  *provider_id,
                            GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "SELECT name FROM resources WHERE id = ? AND kind = 'provider'", error);
  if (stmt == NULL)
    return NULL;
  ch_store_bind_text (stmt, 1, provider_id);
  return one_text (store, stmt, error);
}

char *
ch_db_report_appointment_type_name (ChStore  *store,
                                    gint64    type_id,
                                    GError  **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store, "SELECT name FROM appointment_types WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, type_id);
  return one_text (store, stmt, error);
}

/* ---- aggregates ---------------------------------------------------------------- */

void
ch_db_report_row_free (ChDbReportRow *row)
{
  if (row == NULL)
    return;
  g_free (row->key);
  g_free (row->label);
  g_free (row->status);
  g_free (row);
}

/* Reads rows of (key, label, status, value…) into ChDbReportRows. */
static GPtrArray *
collect_rows (ChStore      *store,
              sqlite3_stmt *stmt,
              GError      **error)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_db_report_row_free);
  int n_columns = sqlite3_column_count (stmt);
  int rc;

  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChDbReportRow *row = g_new0 (ChDbReportRow, 1);

      row->key = g_strdup (ch_store_column_text (stmt, 0));
      if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
        row->label = g_strdup (ch_store_column_text (stmt, 1));
      if (sqlite3_column_type (stmt, 2) != SQLITE_NULL)
        row->status = g_strdup (ch_store_column_text (stmt, 2));
      for (int i = 3; i < n_columns && i - 3 < (int) G_N_ELEMENTS (row->values); i++)
        row->values[i - 3] = sqlite3_column_int64 (stmt, i);
      g_ptr_array_add (rows, row);
    }
  sqlite3_reset (stmt);
  return rc < 0 ? NULL : g_steal_pointer (&rows);
}

/* The period's rows are counted from the covering index appointments_report,
 * then named: a million rows are never joined one by one. */
GPtrArray *
ch_db_report_appointments (ChStore     *store,
                           gint64       start,
                           gint64       end,
                           const char  *provider,
                           gint64       type_id,
                           const char  *group,
                           GError     **error)
{
  const char *sql;
  sqlite3_stmt *stmt;

#define APPOINTMENTS_IN_RANGE \
  " FROM appointments WHERE start_at >= ?1 AND start_at < ?2" \
  " AND (?3 IS NULL OR provider_id = ?3) AND (?4 = 0 OR type_id = ?4)"

  if (g_strcmp0 (group, "type") == 0)
    sql = "SELECT CAST (g.k AS TEXT), t.name, g.status, g.n FROM"
          " (SELECT type_id AS k, status, count (*) AS n" APPOINTMENTS_IN_RANGE " GROUP BY 1, 2) g"
          " LEFT JOIN appointment_types t ON t.id = g.k ORDER BY t.name COLLATE NOCASE, g.k";
  else if (g_strcmp0 (group, "status") == 0)
    sql = "SELECT status, NULL, status, count (*)" APPOINTMENTS_IN_RANGE " GROUP BY status";
  else
    sql = "SELECT g.k, r.name, g.status, g.n FROM"
          " (SELECT provider_id AS k, status, count (*) AS n" APPOINTMENTS_IN_RANGE " GROUP BY 1, 2) g"
          " LEFT JOIN resources r ON r.id = g.k ORDER BY r.name COLLATE NOCASE, g.k";
#undef APPOINTMENTS_IN_RANGE

  stmt = ch_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, start);
  sqlite3_bind_int64 (stmt, 2, end);
  ch_store_bind_text (stmt, 3, provider);
  sqlite3_bind_int64 (stmt, 4, type_id);
  return collect_rows (store, stmt, error);
}

GPtrArray *
ch_db_report_booked_minutes (ChStore     *store,
                             gint64       start,
                             gint64       end,
                             const char  *provider,
                             GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "SELECT g.k, r.name, NULL, g.minutes FROM"
                           " (SELECT provider_id AS k, sum (duration_min) AS minutes FROM appointments"
                           "  WHERE start_at >= ?1 AND start_at < ?2 AND status != 'cancelled'"
                           "  AND (?3 IS NULL OR provider_id = ?3) GROUP BY provider_id) g"
                           " LEFT JOIN resources r ON r.id = g.k", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, start);
  sqlite3_bind_int64 (stmt, 2, end);
  ch_store_bind_text (stmt, 3, provider);
  return collect_rows (store, stmt, error);
}

GPtrArray *
ch_db_report_working_hours (ChStore     *store,
                            const char  *provider,
                            GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "SELECT r.id, r.name, w.kind, w.weekday, w.start_min, w.end_min"
                           " FROM resources r JOIN working_hours w ON w.resource_id = r.id"
                           " WHERE r.kind = 'provider' AND (?1 IS NULL OR r.id = ?1)"
                           " ORDER BY r.id, w.weekday, w.start_min", error);
  if (stmt == NULL)
    return NULL;
  ch_store_bind_text (stmt, 1, provider);
  return collect_rows (store, stmt, error);
}

GPtrArray *
ch_db_report_days_off (ChStore     *store,
                       const char  *from,
                       const char  *to,
                       GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "SELECT DISTINCT coalesce (resource_id, ''), day, NULL FROM days_off"
                           " WHERE day >= ? AND day <= ?", error);
  if (stmt == NULL)
    return NULL;
  ch_store_bind_text (stmt, 1, from);
  ch_store_bind_text (stmt, 2, to);
  return collect_rows (store, stmt, error);
}

GPtrArray *
ch_db_report_no_shows (ChStore     *store,
                       gint64       start,
                       gint64       end,
                       const char  *provider,
                       GError     **error)
{
  sqlite3_stmt *stmt;

  /* A cancellation is late by the time it was made, from the status
   * history (appointment_status_history_status): one cancelled with no
   * history of it is not counted late. The rest reads the covering index
   * appointments_report alone. */
  stmt = ch_store_prepare (store,
                           "SELECT g.k, r.name, NULL, g.n, g.no_shows, g.late FROM"
                           " (SELECT a.provider_id AS k, count (*) AS n,"
                           "   sum (a.status = 'no-show') AS no_shows,"
                           "   sum (CASE WHEN a.status != 'cancelled' THEN 0"
                           "        WHEN EXISTS (SELECT 1 FROM appointment_status_history h"
                           "                     WHERE h.appointment_id = a.id AND h.status = 'cancelled'"
                           "                     AND h.at > a.start_at - 86400000000) THEN 1"
                           "        ELSE 0 END) AS late"
                           "  FROM appointments a WHERE a.start_at >= ?1 AND a.start_at < ?2"
                           "  AND (?3 IS NULL OR a.provider_id = ?3) GROUP BY a.provider_id) g"
                           " LEFT JOIN resources r ON r.id = g.k ORDER BY r.name COLLATE NOCASE, g.k", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, start);
  sqlite3_bind_int64 (stmt, 2, end);
  ch_store_bind_text (stmt, 3, provider);
  return collect_rows (store, stmt, error);
}

GPtrArray *
ch_db_report_new_patients (ChStore     *store,
                           gint64       start,
                           gint64       end,
                           const char  *provider,
                           GError     **error)
{
  sqlite3_stmt *stmt;

  /* Each active patient's first visit ever, as two seeks (the first 'done'
   * appointment, the first encounter; the appointment when both are at the
   * same time) in the partial indexes of visits by patient, kept when it
   * falls in the range; the LIMIT -1 keep SQLite from copying those
   * subqueries into the outer query once a use. The provider is looked up
   * only with a provider filter, for the patients in the range. */
  stmt = ch_store_prepare (store,
                           "SELECT strftime ('%Y-%m', x.first_at / 1000000, 'unixepoch', 'localtime'),"
                           "  NULL, NULL, count (*) FROM"
                           " (SELECT y.id,"
                           "   CASE WHEN y.ea IS NULL OR (y.aa IS NOT NULL AND y.aa <= y.ea) THEN y.aa"
                           "   ELSE y.ea END AS first_at,"
                           "   (y.ea IS NOT NULL AND (y.aa IS NULL OR y.ea < y.aa)) AS by_user"
                           "  FROM (SELECT p.id,"
                           "    (SELECT min (a.start_at) FROM appointments a WHERE a.patient_id = p.id"
                           "      AND a.status = 'done') AS aa,"
                           "    (SELECT min (e.start_at) FROM encounters e WHERE e.patient_id = p.id"
                           "      AND e.status = 'active') AS ea"
                           "   FROM patients p WHERE p.status = 'active' LIMIT -1) y LIMIT -1) x"
                           " WHERE x.first_at >= ?1 AND x.first_at < ?2"
                           " AND (?3 IS NULL OR ?3 = CASE WHEN x.by_user THEN"
                           "   (SELECT min (r2.id) FROM encounters e JOIN resources r2"
                           "     ON r2.username = e.provider AND r2.kind = 'provider'"
                           "     WHERE e.patient_id = x.id AND e.status = 'active'"
                           "     AND e.start_at = x.first_at AND e.provider != '')"
                           "  ELSE (SELECT a.provider_id FROM appointments a WHERE a.patient_id = x.id"
                           "     AND a.status = 'done' AND a.start_at = x.first_at LIMIT 1) END)"
                           " GROUP BY 1 ORDER BY 1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, start);
  sqlite3_bind_int64 (stmt, 2, end);
  ch_store_bind_text (stmt, 3, provider);
  return collect_rows (store, stmt, error);
}

GPtrArray *
ch_db_report_demographics (ChStore     *store,
                           const char  *day,
                           const char  *by,
                           GError     **error)
{
  const char *key;
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;

  if (g_strcmp0 (by, "sex") == 0)
    key = "p.sex";
  else if (g_strcmp0 (by, "language") == 0)
    key = "p.language";
  else if (g_strcmp0 (by, "payer") == 0)
    /* The primary policy in force on the day; none is self-pay (""). */
    key = "coalesce ((SELECT i.payer FROM insurance_policies i WHERE i.patient_id = p.id"
          " AND i.status = 'active' AND (i.start_date IS NULL OR i.start_date = '' OR i.start_date <= ?1)"
          " AND (i.end_date IS NULL OR i.end_date = '' OR i.end_date >= ?1)"
          " ORDER BY i.priority, i.id LIMIT 1), '')";
  else
    /* Whole years between the birth date and the day. */
    key = "CASE WHEN p.birth_date IS NULL OR p.birth_date = '' THEN ''"
          " ELSE (SELECT CASE WHEN age < 18 THEN '0-17' WHEN age < 35 THEN '18-34'"
          "  WHEN age < 50 THEN '35-49' WHEN age < 65 THEN '50-64' WHEN age < 80 THEN '65-79'"
          "  ELSE '80+' END FROM (SELECT CAST (substr (?1, 1, 4) AS INTEGER)"
          "   - CAST (substr (p.birth_date, 1, 4) AS INTEGER)"
          "   - (substr (?1, 6, 5) < substr (p.birth_date, 6, 5)) AS age)) END";

  /* Patients on file and not merged away, born by the day. */
  sql = g_strdup_printf ("SELECT %s AS k, NULL, NULL, count (*) FROM patients p"
                         " WHERE p.status = 'active'"
                         " AND (p.birth_date IS NULL OR p.birth_date = '' OR p.birth_date <= ?1)"
                         " GROUP BY k ORDER BY k", key);
  stmt = ch_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  ch_store_bind_text (stmt, 1, day);
  return collect_rows (store, stmt, error);
}

GPtrArray *
ch_db_report_active_patients (ChStore     *store,
                              gint64       start,
                              gint64       end,
                              const char  *provider,
                              GError     **error)
{
  sqlite3_stmt *stmt;

  /* Each active patient's last visit in the range, as two seeks (the last
   * 'done' appointment, the last encounter) in the partial indexes of visits
   * by patient, rather than sorting every visit of 18 months by patient;
   * the LIMIT -1 keep SQLite from copying those subqueries into the outer
   * query once a use. An encounter's user name becomes a provider once a
   * patient. */
  stmt = ch_store_prepare (store,
                           "SELECT l.provider, r.name, NULL, count (*) FROM"
                           " (SELECT CASE WHEN x.ea IS NULL OR (x.aa IS NOT NULL AND x.aa >= x.ea) THEN"
                           "   (SELECT a.provider_id FROM appointments a WHERE a.patient_id = x.id"
                           "     AND a.status = 'done' AND a.start_at = x.aa LIMIT 1)"
                           "  ELSE coalesce ((SELECT min (r2.id) FROM encounters e JOIN resources r2"
                           "     ON r2.username = e.provider AND r2.kind = 'provider'"
                           "     WHERE e.patient_id = x.id AND e.status = 'active' AND e.start_at = x.ea"
                           "     AND e.provider != ''), '') END AS provider"
                           "  FROM (SELECT p.id,"
                           "    (SELECT max (a.start_at) FROM appointments a WHERE a.patient_id = p.id"
                           "      AND a.status = 'done' AND a.start_at >= ?1 AND a.start_at < ?2) AS aa,"
                           "    (SELECT max (e.start_at) FROM encounters e WHERE e.patient_id = p.id"
                           "      AND e.status = 'active' AND e.start_at >= ?1 AND e.start_at < ?2) AS ea"
                           "   FROM patients p WHERE p.status = 'active' LIMIT -1) x"
                           "  WHERE x.aa IS NOT NULL OR x.ea IS NOT NULL LIMIT -1) l"
                           " LEFT JOIN resources r ON r.id = l.provider"
                           " WHERE ?3 IS NULL OR l.provider = ?3"
                           " GROUP BY l.provider"
                           " ORDER BY r.name IS NULL, r.name COLLATE NOCASE, l.provider", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, start);
  sqlite3_bind_int64 (stmt, 2, end);
  ch_store_bind_text (stmt, 3, provider);
  return collect_rows (store, stmt, error);
}
