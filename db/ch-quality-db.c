/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-quality-db"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ch-quality-db.h"
#include "ch-store-private.h"

void
ch_quality_row_free (ChQualityRow *row)
{
  if (row == NULL)
    return;
  g_free (row->family_name);
  g_free (row->given_name);
  g_free (row->mrn);
  g_free (row->birth_date);
  g_free (row->last_provider);
  g_free (row->text);
  g_free (row);
}

/* Parameters, the same in every query:
 *   ?1 ?2  the period [start, end) in µs
 *   ?3 ?4  born from, born to (inclusive), ?3 NULL for no limit
 *   ?5     the provider's user name, NULL for all
 *   ?6     SMOKING: the start of the look-back
 *
 * Each query walks the patients table once (a full scan of a narrow table)
 * and probes each patient's rows through the per-patient indexes:
 * encounters (patient_id, start_at), chart_items (patient_id, section,
 * code, effective_at) and (patient_id, section, status, effective_at),
 * lab_results (patient_id, current, observed_ts). No probe reads more than
 * that patient's rows of one kind in the period, so the cost grows with the
 * practice, not with the square of anything.
 *
 * Three levels, each kept from being flattened into the next by OFFSET 0
 * (a flattened subquery's expressions would be evaluated again wherever
 * the outer query names them): the innermost finds the patients of the
 * ages and problems wanted and their last visit's provider in the period
 * (NULL: no visit), one probe for both; the middle keeps those with a visit
 * (and the provider's) and computes the measure's facts for them only; the
 * outer one computes what depends on those facts. */

#define LAST_VISIT_PROVIDER \
  "(SELECT e.provider FROM encounters e WHERE e.patient_id = p.id AND e.status = 'active'" \
  " AND e.start_at >= ?1 AND e.start_at < ?2 ORDER BY e.start_at DESC, e.id DESC LIMIT 1)"

/* The unary + keeps SQLite from walking patients by the birth-date index:
 * in rowid order, the probes into the per-patient indexes go forward
 * through them, each page read (and decrypted) once for many patients,
 * instead of jumping about the file for each. */
#define BORN_IN_RANGE \
  " p.status = 'active' AND +p.birth_date IS NOT NULL AND +p.birth_date <> ''" \
  " AND (?3 IS NULL OR +p.birth_date >= ?3) AND +p.birth_date <= ?4"

/* An active (not resolved) problem, coded ICD-10-CM from @lo up to but not
 * including @hi, current version not entered in error. */
#define ACTIVE_PROBLEM(lo, hi, extra) \
  " AND EXISTS (SELECT 1 FROM chart_items c WHERE c.patient_id = p.id AND c.section = 'problem'" \
  " AND c.code >= '" lo "' AND c.code < '" hi "'" extra " AND c.code_system = 'icd10cm'" \
  " AND c.status = 'active' AND c.clinical_status = 'active')"

#define HBA1C_CODES "('4548-4', '17856-6', '4549-2')"

/* The last HbA1c with a number in the period: among results entered in the
 * chart, and among those received from a laboratory (the current version,
 * coded in LOINC, not a deleted, wrong-patient or "no result" one). */
#define HBA1C_CHART(col) \
  "(SELECT c." col " FROM chart_items c WHERE c.patient_id = p.id AND c.section = 'lab'" \
  " AND c.code IN " HBA1C_CODES " AND c.status = 'active' AND c.value_num IS NOT NULL" \
  " AND c.effective_at >= ?1 AND c.effective_at < ?2 ORDER BY c.effective_at DESC, c.id DESC LIMIT 1)"
#define HBA1C_LAB(col) \
  "(SELECT r." col " FROM lab_results r WHERE r.patient_id = p.id AND r.current = 1" \
  " AND r.observed_ts >= ?1 AND r.observed_ts < ?2 AND r.system = 'LN' AND r.code IN " HBA1C_CODES \
  " AND r.numeric_value IS NOT NULL AND r.status NOT IN ('D', 'W', 'X')" \
  " ORDER BY r.observed_ts DESC, r.id DESC LIMIT 1)"

/* The last vital sign @code in the period of patient @who.id, or its time. */
#define LAST_VITAL(who, col, code) \
  "(SELECT v." col " FROM chart_items v WHERE v.patient_id = " who ".id AND v.section = 'vital'" \
  " AND v.code = '" code "' AND v.status = 'active' AND v.effective_at >= ?1 AND v.effective_at < ?2" \
  " ORDER BY v.effective_at DESC, v.id DESC LIMIT 1)"

/* The time of the last blood pressure reading: a systolic with a diastolic
 * taken at the same moment (ch_chart_record_vitals() stores a reading's
 * signs with one effective_at). */
#define LAST_BP_AT \
  "(SELECT s.effective_at FROM chart_items s WHERE s.patient_id = p.id AND s.section = 'vital'" \
  " AND s.code = '8480-6' AND s.status = 'active' AND s.effective_at >= ?1 AND s.effective_at < ?2" \
  " AND EXISTS (SELECT 1 FROM chart_items d WHERE d.patient_id = p.id AND d.section = 'vital'" \
  " AND d.code = '8462-4' AND d.status = 'active' AND d.effective_at = s.effective_at)" \
  " ORDER BY s.effective_at DESC, s.id DESC LIMIT 1)"
#define BP_VALUE(code) \
  "(SELECT b.value_num FROM chart_items b WHERE b.patient_id = q.id AND b.section = 'vital'" \
  " AND b.code = '" code "' AND b.status = 'active' AND b.effective_at = q.a_at ORDER BY b.id DESC LIMIT 1)"

/* Smoking status (LOINC 72166-2) is a social history item whose value_text
 * is a SNOMED CT code. */
#define SMOKING(col) \
  "(SELECT h." col " FROM chart_items h WHERE h.patient_id = p.id AND h.section = 'history'" \
  " AND h.code = '72166-2' AND h.status = 'active' AND h.kind = 'social'" \
  " AND h.effective_at >= ?6 AND h.effective_at < ?2 ORDER BY h.effective_at DESC, h.id DESC LIMIT 1)"

/* Where a measure needs a time and a value of one row, one probe gives
 * both as "TIME|VALUE" text in the column a_at (see read_packed()): a
 * patient's probe costs more than anything done with its answer. */

/* Vaccines given or recorded as given elsewhere; refused ones do not count. */
#define VACCINES \
  "(SELECT group_concat (c.code || '@' || c.start_date, ',') FROM chart_items c" \
  " WHERE c.patient_id = p.id AND c.section = 'immunization' AND c.status = 'active'" \
  " AND c.clinical_status IN ('given', 'historical') AND c.code_system = 'cvx'" \
  " AND c.start_date IS NOT NULL)"

typedef struct
{
  const char *inner;   /* a_at, a_value, b_at, b_value, c_at, text over p */
  const char *where;   /* more of the denominator, over p */
  const char *outer;   /* the same six columns over q */
} KindSql;

#define PLAIN_OUTER "q.a_at, q.a_value, q.b_at, q.b_value, q.c_at, q.text"

static const KindSql kind_sql[] = {
  [CH_QUALITY_QUERY_DIABETES] = {
    HBA1C_CHART ("effective_at") " AS a_at, " HBA1C_CHART ("value_num") " AS a_value, "
    HBA1C_LAB ("observed_ts") " AS b_at, " HBA1C_LAB ("numeric_value") " AS b_value,"
    " NULL AS c_at, NULL AS text",
    ACTIVE_PROBLEM ("E10", "E14", " AND substr (c.code, 1, 3) <> 'E12'"),
    PLAIN_OUTER,
  },
  [CH_QUALITY_QUERY_HYPERTENSION] = {
    LAST_BP_AT " AS a_at, NULL AS a_value, NULL AS b_at, NULL AS b_value, NULL AS c_at, NULL AS text",
    ACTIVE_PROBLEM ("I10", "I17", ""),
    "q.a_at, " BP_VALUE ("8480-6") ", q.a_at, " BP_VALUE ("8462-4") ", NULL, NULL",
  },
  [CH_QUALITY_QUERY_IMMUNIZATION] = {
    "NULL AS a_at, NULL AS a_value, NULL AS b_at, NULL AS b_value, NULL AS c_at, " VACCINES " AS text",
    "",
    PLAIN_OUTER,
  },
  /* Weight and height are looked for only when there is no BMI. */
  [CH_QUALITY_QUERY_BMI] = {
    LAST_VITAL ("p", "effective_at || '|' || v.value_num", "39156-5") " AS a_at, NULL AS a_value,"
    " NULL AS b_at, NULL AS b_value, NULL AS c_at, NULL AS text",
    "",
    "q.a_at, q.a_value, CASE WHEN q.a_at IS NULL THEN " LAST_VITAL ("q", "effective_at", "29463-7") " END,"
    " NULL, CASE WHEN q.a_at IS NULL THEN " LAST_VITAL ("q", "effective_at", "8302-2") " END, NULL",
  },
  [CH_QUALITY_QUERY_SMOKING] = {
    SMOKING ("effective_at || '|' || h.value_text") " AS a_at, NULL AS a_value, NULL AS b_at,"
    " NULL AS b_value, NULL AS c_at, NULL AS text",
    "",
    PLAIN_OUTER,
  },
};

static gboolean
column_present (sqlite3_stmt *stmt,
                int           col)
{
  return sqlite3_column_type (stmt, col) != SQLITE_NULL;
}

/* A "TIME|VALUE" column: the time into a_at, the value into a_value (BMI)
 * or text (smoking status). */
static void
read_packed (ChQualityRow *row,
             const char   *packed,
             gboolean      numeric)
{
  const char *bar = strchr (packed, '|');

  row->a_at = g_ascii_strtoll (packed, NULL, 10);
  if (bar == NULL)
    return;
  if (numeric)
    row->a_value = g_ascii_strtod (bar + 1, NULL);
  else
    {
      g_free (row->text);
      row->text = g_strdup (bar + 1);
    }
}

GPtrArray *
ch_db_quality_list (ChStore               *store,
                    ChQualityQueryKind     kind,
                    const ChQualityQuery  *query,
                    GError               **error)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_quality_row_free);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (CH_IS_STORE (store), NULL);
  g_return_val_if_fail (kind <= CH_QUALITY_QUERY_SMOKING, NULL);
  g_return_val_if_fail (query != NULL && query->born_to != NULL, NULL);

  sql = g_strdup_printf ("SELECT q.id, q.family_name, q.given_name, q.mrn, q.birth_date, q.last_provider, %s"
                         " FROM (SELECT p.id, p.family_name, p.given_name, p.mrn, p.birth_date, p.sort_key,"
                         " p.last_provider, %s"
                         " FROM (SELECT p.id, p.family_name, p.given_name, p.mrn, p.birth_date, p.sort_key,"
                         " " LAST_VISIT_PROVIDER " AS last_provider"
                         " FROM patients p WHERE " BORN_IN_RANGE "%s LIMIT -1 OFFSET 0) p"
                         " WHERE p.last_provider IS NOT NULL AND (?5 IS NULL OR p.last_provider = ?5)"
                         " LIMIT -1 OFFSET 0) q"
                         " ORDER BY q.sort_key, q.id",
                         kind_sql[kind].outer, kind_sql[kind].inner, kind_sql[kind].where);
  stmt = ch_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, query->start_us);
  sqlite3_bind_int64 (stmt, 2, query->end_us);
  ch_store_bind_text (stmt, 3, query->born_from);
  ch_store_bind_text (stmt, 4, query->born_to);
  ch_store_bind_text (stmt, 5, query->provider);
  if (kind == CH_QUALITY_QUERY_SMOKING)
    sqlite3_bind_int64 (stmt, 6, query->lookback_us);

  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChQualityRow *row = g_new0 (ChQualityRow, 1);

      row->patient_id = sqlite3_column_int64 (stmt, 0);
      row->family_name = g_strdup (ch_store_column_text (stmt, 1));
      row->given_name = g_strdup (ch_store_column_text (stmt, 2));
      row->mrn = g_strdup (ch_store_column_text (stmt, 3));
      row->birth_date = g_strdup (ch_store_column_text (stmt, 4));
      row->last_provider = g_strdup (ch_store_column_text (stmt, 5));
      row->has_a = column_present (stmt, 6);
      row->a_at = sqlite3_column_int64 (stmt, 6);
      row->a_value = sqlite3_column_double (stmt, 7);
      row->has_b = column_present (stmt, 8);
      row->b_at = sqlite3_column_int64 (stmt, 8);
      row->b_value = sqlite3_column_double (stmt, 9);
      row->has_c = column_present (stmt, 10);
      row->c_at = sqlite3_column_int64 (stmt, 10);
      row->text = g_strdup (ch_store_column_text (stmt, 11));
      if (row->has_a && sqlite3_column_type (stmt, 6) == SQLITE_TEXT)
        read_packed (row, ch_store_column_text (stmt, 6), kind == CH_QUALITY_QUERY_BMI);
      g_ptr_array_add (rows, row);
    }
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&rows) : NULL;
}

char *
ch_db_quality_provider_username (ChStore     *store,
                                 const char  *resource_id,
                                 GError     **error)
{
  sqlite3_stmt *stmt;
  char *username = NULL;
  int rc;

  g_return_val_if_fail (CH_IS_STORE (store), NULL);
  g_return_val_if_fail (resource_id != NULL, NULL);

  stmt = ch_store_prepare (store, "SELECT username FROM resources WHERE id = ?1 AND kind = 'provider'",
                           error);
  if (stmt == NULL)
    return NULL;
  ch_store_bind_text (stmt, 1, resource_id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    {
      if (sqlite3_column_type (stmt, 0) != SQLITE_NULL && *ch_store_column_text (stmt, 0) != '\0')
        username = g_strdup (ch_store_column_text (stmt, 0));
    }
  else if (rc == SQLITE_DONE)
    g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                 _("There is no provider “%s”"), resource_id);
  sqlite3_reset (stmt);
  return username;
}
