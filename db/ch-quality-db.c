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

/* ---- the base --------------------------------------------------------------- */

/* Patients are looked up by id in arrays as long as the largest id (rowids
 * from 1, as dense as the practice's patients): each fact streams hundreds
 * of thousands of rows, and a hash lookup for each cost more than reading
 * them. */

typedef struct
{
  gint64  patient_id;
  char   *provider;
  char   *family_name;
  char   *given_name;
  char   *mrn;
  char   *birth_date;
  char   *sort_key;
} BasePatient;

struct _ChQualityBase
{
  gint64      start_us;
  gint64      end_us;
  gint64      max_id;     /* the largest patient id */
  GPtrArray  *patients;   /* BasePatient, by sort key and id */
};

static void
base_patient_free (BasePatient *p)
{
  g_free (p->provider);
  g_free (p->family_name);
  g_free (p->given_name);
  g_free (p->mrn);
  g_free (p->birth_date);
  g_free (p->sort_key);
  g_free (p);
}

void
ch_quality_base_free (ChQualityBase *base)
{
  if (base == NULL)
    return;
  g_clear_pointer (&base->patients, g_ptr_array_unref);
  g_free (base);
}

static int
compare_base (gconstpointer a,
              gconstpointer b)
{
  const BasePatient *pa = *(BasePatient * const *) a;
  const BasePatient *pb = *(BasePatient * const *) b;
  int c = strcmp (pa->sort_key, pb->sort_key);

  if (c != 0)
    return c;
  return (pa->patient_id > pb->patient_id) - (pa->patient_id < pb->patient_id);
}

ChQualityBase *
ch_db_quality_base_new (ChStore     *store,
                        gint64       start_us,
                        gint64       end_us,
                        const char  *provider,
                        const char  *provider_id,
                        GError     **error)
{
  g_autoptr (ChQualityBase) base = g_new0 (ChQualityBase, 1);
  g_autoptr (GHashTable) providers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree gint64 *last_at = NULL;
  g_autofree gint64 *last_id = NULL;
  g_autofree const char **last_provider = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (CH_IS_STORE (store), NULL);

  base->start_us = start_us;
  base->end_us = end_us;
  base->patients = g_ptr_array_new_with_free_func ((GDestroyNotify) base_patient_free);

  stmt = ch_store_prepare (store, "SELECT max (id) FROM patients", error);
  if (stmt == NULL)
    return NULL;
  rc = ch_store_step (store, stmt, error);
  if (rc < 0)
    return NULL;
  base->max_id = rc == SQLITE_ROW ? MAX (sqlite3_column_int64 (stmt, 0), 0) : 0;
  sqlite3_reset (stmt);
  last_at = g_new0 (gint64, base->max_id + 1);
  last_id = g_new0 (gint64, base->max_id + 1);
  last_provider = g_new0 (const char *, base->max_id + 1);

  /* Each patient's last visit in the period: the period's visits from the
   * index of 0021 alone. Providers are few: each name is kept once. */
  stmt = ch_store_prepare (store,
                           "SELECT patient_id, start_at, id, provider"
                           " FROM encounters INDEXED BY encounters_active_start"
                           " WHERE status = 'active' AND start_at >= ?1 AND start_at < ?2", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, start_us);
  sqlite3_bind_int64 (stmt, 2, end_us);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      gint64 patient_id = sqlite3_column_int64 (stmt, 0);
      gint64 at = sqlite3_column_int64 (stmt, 1), id = sqlite3_column_int64 (stmt, 2);
      const char *name = ch_store_column_text (stmt, 3);
      char *kept;

      if (patient_id < 1 || patient_id > base->max_id
          || (last_id[patient_id] != 0
              && (at < last_at[patient_id] || (at == last_at[patient_id] && id < last_id[patient_id]))))
        continue;
      last_at[patient_id] = at;
      last_id[patient_id] = id;
      kept = g_hash_table_lookup (providers, name);
      if (kept == NULL)
        {
          kept = g_strdup (name);
          g_hash_table_add (providers, kept);
        }
      last_provider[patient_id] = kept;
    }
  if (rc < 0)
    return NULL;
  sqlite3_reset (stmt);

  /* Their names and birth dates: the active patients with a birth date. */
  stmt = ch_store_prepare (store,
                           "SELECT id, family_name, given_name, mrn, birth_date, sort_key"
                           " FROM patients WHERE status = 'active' AND birth_date IS NOT NULL"
                           " AND birth_date <> ''", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      gint64 patient_id = sqlite3_column_int64 (stmt, 0);
      const char *name;
      BasePatient *p;

      if (patient_id < 1 || patient_id > base->max_id || last_id[patient_id] == 0)
        continue;
      /* The provider of the last visit: by user name, or by resource id
       * for a provider without an account. */
      name = last_provider[patient_id];
      if ((provider != NULL || provider_id != NULL)
          && g_strcmp0 (name, provider) != 0 && g_strcmp0 (name, provider_id) != 0)
        continue;
      p = g_new0 (BasePatient, 1);
      p->patient_id = patient_id;
      p->provider = g_strdup (name);
      p->family_name = g_strdup (ch_store_column_text (stmt, 1));
      p->given_name = g_strdup (ch_store_column_text (stmt, 2));
      p->mrn = g_strdup (ch_store_column_text (stmt, 3));
      p->birth_date = g_strdup (ch_store_column_text (stmt, 4));
      p->sort_key = g_strdup (ch_store_column_text (stmt, 5));
      g_ptr_array_add (base->patients, p);
    }
  if (rc < 0)
    return NULL;
  sqlite3_reset (stmt);

  g_ptr_array_sort (base->patients, compare_base);
  return g_steal_pointer (&base);
}

/* ---- the facts ---------------------------------------------------------------- */

/* The denominator being built: its rows by patient id (1 … @max_id). */
typedef struct
{
  ChQualityRow **by_id;
  gint64         max_id;
} Candidates;

static ChQualityRow *
candidate (Candidates *c,
           gint64      patient_id)
{
  return patient_id >= 1 && patient_id <= c->max_id ? c->by_id[patient_id] : NULL;
}

/* For each patient, the time and id of the row a fact was taken from: a
 * row replaces it when it is later, or as late with a higher id. */
typedef struct
{
  gint64 at;
  gint64 id;   /* 0: none yet */
} Latest;

static Latest *
latest_new (Candidates *c)
{
  return g_new0 (Latest, c->max_id + 1);
}

static gboolean
is_later (Latest *latest,
          gint64  patient_id,
          gint64  at,
          gint64  id)
{
  Latest *l = &latest[patient_id];

  if (l->id != 0 && (at < l->at || (at == l->at && id < l->id)))
    return FALSE;
  l->at = at;
  l->id = id;
  return TRUE;
}

/* Prepares @sql and binds ?1 ?2 to the period, ?3 to @from_us (when the
 * statement has it). */
static sqlite3_stmt *
prepare_period (ChStore        *store,
                const char     *sql,
                ChQualityBase  *base,
                gint64          from_us,
                GError        **error)
{
  sqlite3_stmt *stmt = ch_store_prepare (store, sql, error);

  if (stmt == NULL)
    return NULL;
  if (sqlite3_bind_parameter_count (stmt) >= 2)
    {
      sqlite3_bind_int64 (stmt, 1, base->start_us);
      sqlite3_bind_int64 (stmt, 2, base->end_us);
    }
  if (sqlite3_bind_parameter_count (stmt) >= 3)
    sqlite3_bind_int64 (stmt, 3, from_us);
  return stmt;
}

/* The patients with an active problem, coded ICD-10-CM from @lo up to but
 * not including @hi (and not starting @except, when given). The index of
 * 0025 for what is not a vital sign holds every column asked. */
static gboolean
problem_patients (ChStore     *store,
                  const char  *lo,
                  const char  *hi,
                  const char  *except,
                  GHashTable  *out,
                  GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT patient_id, code FROM chart_items INDEXED BY chart_items_coded"
                           " WHERE section <> 'vital' AND section = 'problem'"
                           " AND code >= ?1 AND code < ?2 AND code_system = 'icd10cm'"
                           " AND status = 'active' AND clinical_status = 'active'", error);
  if (stmt == NULL)
    return FALSE;
  ch_store_bind_text (stmt, 1, lo);
  ch_store_bind_text (stmt, 2, hi);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      gint64 patient_id = sqlite3_column_int64 (stmt, 0);

      if (except != NULL && g_str_has_prefix (ch_store_column_text (stmt, 1), except))
        continue;
      g_hash_table_add (out, g_memdup2 (&patient_id, sizeof patient_id));
    }
  if (rc < 0)
    return FALSE;
  sqlite3_reset (stmt);
  return TRUE;
}

#define HBA1C_CODES "('4548-4', '17856-6', '4549-2')"

/* The last HbA1c with a number in the period: among results entered in the
 * chart (a), and among those received from a laboratory (b: the current
 * version, coded in LOINC, not a deleted, wrong-patient or "no result"
 * one). */
static gboolean
add_hba1c (ChStore        *store,
           ChQualityBase  *base,
           Candidates     *c,
           GError        **error)
{
  static const char * const sql[] = {
    "SELECT patient_id, effective_at, id, value_num FROM chart_items INDEXED BY chart_items_coded"
    " WHERE section <> 'vital' AND section = 'lab' AND code IN " HBA1C_CODES
    " AND status = 'active' AND value_num IS NOT NULL AND effective_at >= ?1 AND effective_at < ?2",
    "SELECT patient_id, observed_ts, id, numeric_value FROM lab_results INDEXED BY lab_results_code_time"
    " WHERE current = 1 AND code IN " HBA1C_CODES " AND system = 'LN'"
    " AND observed_ts >= ?1 AND observed_ts < ?2 AND numeric_value IS NOT NULL"
    " AND status NOT IN ('D', 'W', 'X')",
  };

  for (guint i = 0; i < G_N_ELEMENTS (sql); i++)
    {
      g_autofree Latest *latest = latest_new (c);
      sqlite3_stmt *stmt = prepare_period (store, sql[i], base, 0, error);
      int rc;

      if (stmt == NULL)
        return FALSE;
      while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
        {
          gint64 patient_id = sqlite3_column_int64 (stmt, 0);
          gint64 at = sqlite3_column_int64 (stmt, 1);
          ChQualityRow *row = candidate (c, patient_id);

          if (row == NULL || !is_later (latest, patient_id, at, sqlite3_column_int64 (stmt, 2)))
            continue;
          if (i == 0)
            {
              row->has_a = TRUE;
              row->a_at = at;
              row->a_value = sqlite3_column_double (stmt, 3);
            }
          else
            {
              row->has_b = TRUE;
              row->b_at = at;
              row->b_value = sqlite3_column_double (stmt, 3);
            }
        }
      if (rc < 0)
        return FALSE;
      sqlite3_reset (stmt);
    }
  return TRUE;
}

/* The latest row of vital sign @code in the period for each candidate,
 * from the vital signs' index of 0025 alone: @apply gets its time, id and
 * value. */
typedef void (*VitalFunc) (ChQualityRow *row,
                           gint64        at,
                           gint64        id,
                           double        value,
                           gpointer      user_data);

static gboolean
each_latest_vital (ChStore        *store,
                   ChQualityBase  *base,
                   Candidates     *c,
                   const char     *code,
                   VitalFunc       apply,
                   gpointer        user_data,
                   GError        **error)
{
  g_autofree Latest *latest = latest_new (c);
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare_period (store,
                         "SELECT patient_id, effective_at, id, value_num"
                         " FROM chart_items INDEXED BY chart_items_vital_period"
                         " WHERE section = 'vital' AND status = 'active' AND code = ?3"
                         " AND effective_at >= ?1 AND effective_at < ?2", base, 0, error);
  if (stmt == NULL)
    return FALSE;
  ch_store_bind_text (stmt, 3, code);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      gint64 patient_id = sqlite3_column_int64 (stmt, 0);
      gint64 at = sqlite3_column_int64 (stmt, 1), id = sqlite3_column_int64 (stmt, 2);
      ChQualityRow *row = candidate (c, patient_id);

      if (row == NULL || !is_later (latest, patient_id, at, id))
        continue;
      apply (row, at, id, sqlite3_column_double (stmt, 3), user_data);
    }
  if (rc < 0)
    return FALSE;
  sqlite3_reset (stmt);
  return TRUE;
}

static void
set_a (ChQualityRow *row, gint64 at, gint64 id, double value, gpointer user_data)
{
  row->has_a = TRUE;
  row->a_at = at;
  row->a_value = value;
}

static void
set_b_at (ChQualityRow *row, gint64 at, gint64 id, double value, gpointer user_data)
{
  row->has_b = TRUE;
  row->b_at = at;
}

static void
set_c_at (ChQualityRow *row, gint64 at, gint64 id, double value, gpointer user_data)
{
  row->has_c = TRUE;
  row->c_at = at;
}

/* A patient's vital signs of one code taken at one moment: the value of
 * the highest id. */
typedef struct
{
  gint64 patient_id;
  gint64 at;
} Moment;

static guint
moment_hash (gconstpointer key)
{
  const Moment *m = key;
  guint64 h = (guint64) m->patient_id * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15) ^ (guint64) m->at;

  /* Times are whole seconds or minutes in µs: their low bits are mostly
   * zero, so mix the high ones down. */
  h ^= h >> 31;
  h *= G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  return (guint) (h ^ (h >> 29));
}

static gboolean
moment_equal (gconstpointer a,
              gconstpointer b)
{
  const Moment *ma = a, *mb = b;

  return ma->patient_id == mb->patient_id && ma->at == mb->at;
}

typedef struct
{
  gint64 id;
  double value;
} Reading;

/* Every reading of vital @code in the period for the candidates, by
 * moment: the value of the highest id at each. */
static GHashTable *
readings_by_moment (ChStore        *store,
                    ChQualityBase  *base,
                    Candidates     *c,
                    const char     *code,
                    GError        **error)
{
  g_autoptr (GHashTable) readings = g_hash_table_new_full (moment_hash, moment_equal, g_free, g_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare_period (store,
                         "SELECT patient_id, effective_at, id, value_num"
                         " FROM chart_items INDEXED BY chart_items_vital_period"
                         " WHERE section = 'vital' AND status = 'active' AND code = ?3"
                         " AND effective_at >= ?1 AND effective_at < ?2", base, 0, error);
  if (stmt == NULL)
    return NULL;
  ch_store_bind_text (stmt, 3, code);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      Moment key = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1) };
      gint64 id = sqlite3_column_int64 (stmt, 2);
      Reading *r;

      if (candidate (c, key.patient_id) == NULL)
        continue;
      r = g_hash_table_lookup (readings, &key);
      if (r == NULL)
        {
          r = g_new (Reading, 1);
          r->id = id;
          g_hash_table_insert (readings, g_memdup2 (&key, sizeof key), r);
        }
      else if (id < r->id)
        continue;
      r->id = id;
      r->value = sqlite3_column_double (stmt, 3);
    }
  if (rc < 0)
    return NULL;
  sqlite3_reset (stmt);
  return g_steal_pointer (&readings);
}

/* The last reading in the period with both a systolic and a diastolic
 * taken at the same moment (ch_chart_record_vitals() stores a reading's
 * signs with one effective_at): the latest such moment by time, then by
 * the systolic's id, and at it each sign's value of the highest id. */
static gboolean
add_blood_pressure (ChStore        *store,
                    ChQualityBase  *base,
                    Candidates     *c,
                    GError        **error)
{
  g_autoptr (GHashTable) systolic = NULL;
  g_autoptr (GHashTable) diastolic = NULL;
  g_autofree Latest *latest = latest_new (c);
  GHashTableIter iter;
  gpointer key, value;

  systolic = readings_by_moment (store, base, c, "8480-6", error);
  if (systolic == NULL)
    return FALSE;
  diastolic = readings_by_moment (store, base, c, "8462-4", error);
  if (diastolic == NULL)
    return FALSE;

  g_hash_table_iter_init (&iter, systolic);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const Moment *m = key;
      const Reading *s = value;
      const Reading *d = g_hash_table_lookup (diastolic, m);
      ChQualityRow *row;

      if (d == NULL || !is_later (latest, m->patient_id, m->at, s->id))
        continue;
      row = candidate (c, m->patient_id);
      row->has_a = TRUE;
      row->a_at = m->at;
      row->a_value = s->value;
      row->has_b = TRUE;
      row->b_at = m->at;
      row->b_value = d->value;
    }
  return TRUE;
}

/* Vaccines given or recorded as given elsewhere, ever; refused ones do not
 * count. As "CVX@YYYY-MM-DD" joined by ",". */
static gboolean
add_vaccines (ChStore     *store,
              Candidates  *c,
              GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT patient_id, code, start_date FROM chart_items INDEXED BY chart_items_coded"
                           " WHERE section <> 'vital' AND section = 'immunization' AND status = 'active'"
                           " AND clinical_status IN ('given', 'historical') AND code_system = 'cvx'"
                           " AND start_date IS NOT NULL", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChQualityRow *row = candidate (c, sqlite3_column_int64 (stmt, 0));
      char *text;

      if (row == NULL)
        continue;
      text = g_strdup_printf ("%s%s%s@%s", row->text, row->text[0] != '\0' ? "," : "",
                              ch_store_column_text (stmt, 1),
                              ch_store_column_text (stmt, 2));
      g_free (row->text);
      row->text = text;
    }
  if (rc < 0)
    return FALSE;
  sqlite3_reset (stmt);
  return TRUE;
}

/* The last smoking status (LOINC 72166-2, a social history item whose
 * value_text is a SNOMED CT code) from @lookback_us to the period's end. */
static gboolean
add_smoking (ChStore        *store,
             ChQualityBase  *base,
             Candidates     *c,
             gint64          lookback_us,
             GError        **error)
{
  g_autofree Latest *latest = latest_new (c);
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare_period (store,
                         "SELECT patient_id, effective_at, id, value_text"
                         " FROM chart_items INDEXED BY chart_items_coded"
                         " WHERE section <> 'vital' AND section = 'history' AND code = '72166-2'"
                         " AND status = 'active' AND kind = 'social'"
                         " AND effective_at >= ?3 AND effective_at < ?2",
                         base, lookback_us, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      gint64 patient_id = sqlite3_column_int64 (stmt, 0);
      gint64 at = sqlite3_column_int64 (stmt, 1);
      ChQualityRow *row = candidate (c, patient_id);

      if (row == NULL || !is_later (latest, patient_id, at, sqlite3_column_int64 (stmt, 2)))
        continue;
      row->has_a = TRUE;
      row->a_at = at;
      g_free (row->text);
      row->text = g_strdup (ch_store_column_text (stmt, 3));
    }
  if (rc < 0)
    return FALSE;
  sqlite3_reset (stmt);
  return TRUE;
}

GPtrArray *
ch_db_quality_list (ChStore               *store,
                    ChQualityBase         *base,
                    ChQualityQueryKind     kind,
                    const ChQualityQuery  *query,
                    GError               **error)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_quality_row_free);
  g_autoptr (GHashTable) with_problem = NULL;
  Candidates c = { 0 };
  gboolean ok = TRUE;

  g_return_val_if_fail (CH_IS_STORE (store), NULL);
  g_return_val_if_fail (base != NULL, NULL);
  g_return_val_if_fail (kind <= CH_QUALITY_QUERY_SMOKING, NULL);
  g_return_val_if_fail (query != NULL && query->born_to != NULL, NULL);

  /* The denominator's patients: the base's of the ages wanted, and of the
   * problem wanted. */
  if (kind == CH_QUALITY_QUERY_DIABETES || kind == CH_QUALITY_QUERY_HYPERTENSION)
    {
      with_problem = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
      if (kind == CH_QUALITY_QUERY_DIABETES
          ? !problem_patients (store, "E10", "E14", "E12", with_problem, error)
          : !problem_patients (store, "I10", "I17", NULL, with_problem, error))
        return NULL;
    }
  c.max_id = base->max_id;
  c.by_id = g_new0 (ChQualityRow *, c.max_id + 1);
  for (guint i = 0; i < base->patients->len; i++)
    {
      const BasePatient *p = base->patients->pdata[i];
      ChQualityRow *row;

      if ((query->born_from != NULL && strcmp (p->birth_date, query->born_from) < 0)
          || strcmp (p->birth_date, query->born_to) > 0
          || (with_problem != NULL && !g_hash_table_contains (with_problem, &p->patient_id)))
        continue;
      row = g_new0 (ChQualityRow, 1);
      row->patient_id = p->patient_id;
      row->family_name = g_strdup (p->family_name);
      row->given_name = g_strdup (p->given_name);
      row->mrn = g_strdup (p->mrn);
      row->birth_date = g_strdup (p->birth_date);
      row->last_provider = g_strdup (p->provider);
      row->text = g_strdup ("");
      g_ptr_array_add (rows, row);
      c.by_id[row->patient_id] = row;
    }

  if (rows->len > 0)
    switch (kind)
      {
      case CH_QUALITY_QUERY_DIABETES:
        ok = add_hba1c (store, base, &c, error);
        break;
      case CH_QUALITY_QUERY_HYPERTENSION:
        ok = add_blood_pressure (store, base, &c, error);
        break;
      case CH_QUALITY_QUERY_IMMUNIZATION:
        ok = add_vaccines (store, &c, error);
        break;
      case CH_QUALITY_QUERY_BMI:
        /* Weight and height matter only without a BMI: read for those. */
        ok = each_latest_vital (store, base, &c, "39156-5", set_a, NULL, error);
        if (ok)
          {
            guint left = 0;

            for (guint i = 0; i < rows->len; i++)
              {
                ChQualityRow *row = rows->pdata[i];

                if (row->has_a)
                  c.by_id[row->patient_id] = NULL;
                else
                  left++;
              }
            if (left > 0)
              ok = each_latest_vital (store, base, &c, "29463-7", set_b_at, NULL, error)
                   && each_latest_vital (store, base, &c, "8302-2", set_c_at, NULL, error);
          }
        break;
      case CH_QUALITY_QUERY_SMOKING:
        ok = add_smoking (store, base, &c, query->lookback_us, error);
        break;
      }
  g_free (c.by_id);
  return ok ? g_steal_pointer (&rows) : NULL;
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
