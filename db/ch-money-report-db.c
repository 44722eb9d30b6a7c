/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-money-report-db"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "ch-money-report-db.h"
#include "ch-store-private.h"

/* Every figure is summed by SQLite over the indexes of 0022-money-reports.sql;
 * C only merges a few aggregate rows (one per group, or per patient with a
 * balance). A charge line or payment "still counts" while the ledger entry
 * that posted it has no reversing entry: nothing is ever marked, it is
 * worked out from the reversals (see 0018-billing.sql). */

/* The reversed lines and payments are few: listed once per query (an
 * uncorrelated NOT IN is a set SQLite builds once), not looked up for each
 * of a million rows. CROSS JOIN keeps SQLite starting from the reversals
 * (the partial index of 0018), not from every charge or payment entry. */
#define CHARGE_LIVE \
  " cl.id NOT IN (SELECT ce.charge_line_id FROM ledger_entries cr" \
  " CROSS JOIN ledger_entries ce ON ce.id = cr.reverses" \
  " WHERE cr.reverses IS NOT NULL AND ce.kind = 'charge')"
#define PAYMENT_LIVE \
  " p.id NOT IN (SELECT pe.payment_id FROM ledger_entries pr" \
  " CROSS JOIN ledger_entries pe ON pe.id = pr.reverses" \
  " WHERE pr.reverses IS NOT NULL AND pe.kind = 'payment')"
#define ENTRY_LIVE(alias) \
  " " alias ".id NOT IN (SELECT reverses FROM ledger_entries WHERE reverses IS NOT NULL)"
#define PROVIDER_FILTER \
  " AND e.provider IN (SELECT username FROM resources WHERE id = ?5 AND kind = 'provider')"

/* The local month of a time in µs. */
#define MONTH_OF(us) "strftime('%Y-%m', " us " / 1000000, 'unixepoch', 'localtime')"

/* The sums of @amount by ageing bucket of @expr: a day (YYYY-MM-DD) against
 * the first days of the buckets ?3, ?4, ?5 (30, 60 and 90 days before the
 * day of the report), or a time in µs against the starts of those days, ?6,
 * ?7, ?8. Comparing with bounds worked out once is much cheaper than a
 * date function on each of a million rows. */
#define BUCKETS(expr, b1, b2, b3, amount) \
  "SUM (CASE WHEN " expr " >= " b1 " THEN " amount " ELSE 0 END)," \
  " SUM (CASE WHEN " expr " < " b1 " AND " expr " >= " b2 " THEN " amount " ELSE 0 END)," \
  " SUM (CASE WHEN " expr " < " b2 " AND " expr " >= " b3 " THEN " amount " ELSE 0 END)," \
  " SUM (CASE WHEN " expr " < " b3 " THEN " amount " ELSE 0 END)"
#define DAY_BUCKETS(expr, amount) BUCKETS (expr, "?3", "?4", "?5", amount)
#define TIME_BUCKETS(expr, amount) BUCKETS (expr, "?6", "?7", "?8", amount)

void
ch_money_totals_free (ChMoneyTotals *totals)
{
  if (totals == NULL)
    return;
  g_free (totals->key);
  g_free (totals);
}

void
ch_ageing_row_free (ChAgeingRow *row)
{
  if (row == NULL)
    return;
  g_free (row->mrn);
  g_free (row->given_name);
  g_free (row->family_name);
  g_free (row);
}

void
ch_payer_ageing_free (ChPayerAgeing *row)
{
  if (row == NULL)
    return;
  g_free (row->payer_id);
  g_free (row->name);
  g_free (row);
}

/* Binds only the parameters a statement has: the queries below share one
 * numbering (?1 from, ?2 to, ?3 start, ?4 end, ?5 provider) but not every
 * one uses all of them. */
static void
bind_params (sqlite3_stmt *stmt,
             const char   *from,
             const char   *to,
             gint64        start_us,
             gint64        end_us,
             const char   *provider_id)
{
  int n = sqlite3_bind_parameter_count (stmt);

  if (n >= 1)
    ch_store_bind_text (stmt, 1, from);
  if (n >= 2)
    ch_store_bind_text (stmt, 2, to);
  if (n >= 3)
    sqlite3_bind_int64 (stmt, 3, start_us);
  if (n >= 4)
    sqlite3_bind_int64 (stmt, 4, end_us);
  if (n >= 5)
    ch_store_bind_text (stmt, 5, provider_id);
}

static gboolean
has_table (ChStore    *store,
           const char *name,
           gboolean   *out_has,
           GError    **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  rc = ch_store_step (store, stmt, error);
  if (rc < 0)
    return FALSE;
  *out_has = rc == SQLITE_ROW;
  sqlite3_reset (stmt);
  return TRUE;
}

/* ---- period totals ------------------------------------------------------- */

/* The payer of a charge line's encounter: the payer of the claim made for
 * it (one at most: claims.encounter_id is unique), else the patient's
 * primary active policy, else "" (self-pay). COALESCE stops at the first
 * value, so the policy is looked up only for lines without a claim.
 * Without a claims table yet, only the policy. */
#define POLICY_PAYER \
  "(SELECT ip.payer FROM insurance_policies ip WHERE ip.patient_id = cl.patient_id" \
  " AND ip.priority = 1 AND ip.status = 'active' ORDER BY ip.id LIMIT 1)"
#define CLAIM_JOIN \
  " LEFT JOIN claims c ON c.encounter_id = cl.encounter_id LEFT JOIN payers py ON py.id = c.payer_id"

/* The key of a charge line @cl (joined to its encounter @e, or claim @c and
 * payer @py, as needed), or @month_expr when grouping by month. */
static char *
line_key (ChMoneyGroup  group,
          const char   *month_expr,
          gboolean      with_claims)
{
  switch (group)
    {
    case CH_MONEY_GROUP_MONTH:
      return g_strdup (month_expr);
    case CH_MONEY_GROUP_PROVIDER:
      return g_strdup ("e.provider");
    case CH_MONEY_GROUP_CODE:
      return g_strdup ("cl.code");
    case CH_MONEY_GROUP_PAYER:
    default:
      /* A write-off tied to no line has no payer either. */
      return g_strconcat ("CASE WHEN cl.id IS NULL THEN NULL ELSE COALESCE (",
                          with_claims ? "py.name, c.payer_id, " : "",
                          POLICY_PAYER ", '') END", NULL);
    }
}

/* The joins a line's key and the provider filter need. */
static const char *
line_joins (ChMoneyGroup  group,
            gboolean      need_encounter,
            gboolean      with_claims)
{
  if (group == CH_MONEY_GROUP_PAYER && with_claims)
    return need_encounter ? " LEFT JOIN encounters e ON e.id = cl.encounter_id" CLAIM_JOIN
                          : CLAIM_JOIN;
  return need_encounter ? " LEFT JOIN encounters e ON e.id = cl.encounter_id" : "";
}

typedef enum
{
  FIELD_CHARGES,
  FIELD_PAYMENTS,
  FIELD_ADJUSTMENTS,
} Field;

static ChMoneyTotals *
totals_for (GHashTable *by_key,
            const char *key)
{
  /* NULL and "" are different groups ("not allocated" and, by payer,
   * self-pay), hence the prefix. */
  g_autofree char *hash_key = key != NULL ? g_strconcat ("k", key, NULL) : g_strdup ("n");
  ChMoneyTotals *totals = g_hash_table_lookup (by_key, hash_key);

  if (totals == NULL)
    {
      totals = g_new0 (ChMoneyTotals, 1);
      totals->key = g_strdup (key);
      g_hash_table_insert (by_key, g_steal_pointer (&hash_key), totals);
    }
  return totals;
}

static void
add_to (ChMoneyTotals *totals,
        Field          field,
        gint64         cents)
{
  switch (field)
    {
    case FIELD_CHARGES:
      totals->charges_cents += cents;
      break;
    case FIELD_PAYMENTS:
      totals->payments_cents += cents;
      break;
    case FIELD_ADJUSTMENTS:
      totals->adjustments_cents += cents;
      break;
    }
}

/* Runs a "SELECT key, cents … GROUP BY 1" and adds its rows to @by_key;
 * the sum of what it added goes to *@out_sum. */
static gboolean
sum_into (ChStore    *store,
          const char *sql,
          const char *from,
          const char *to,
          gint64      start_us,
          gint64      end_us,
          const char *provider_id,
          Field       field,
          GHashTable *by_key,
          gint64     *out_sum,
          GError    **error)
{
  sqlite3_stmt *stmt;
  gint64 sum = 0;
  int rc;

  stmt = ch_store_prepare (store, sql, error);
  if (stmt == NULL)
    return FALSE;
  bind_params (stmt, from, to, start_us, end_us, provider_id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      const char *key = sqlite3_column_type (stmt, 0) == SQLITE_NULL
                        ? NULL : ch_store_column_text (stmt, 0);
      gint64 cents = sqlite3_column_int64 (stmt, 1);

      add_to (totals_for (by_key, key), field, cents);
      sum += cents;
    }
  if (rc < 0)
    return FALSE;
  sqlite3_reset (stmt);
  if (out_sum != NULL)
    *out_sum = sum;
  return TRUE;
}

static int
compare_totals (gconstpointer a,
                gconstpointer b)
{
  const ChMoneyTotals *ta = *(ChMoneyTotals * const *) a;
  const ChMoneyTotals *tb = *(ChMoneyTotals * const *) b;

  if (ta->key == NULL || tb->key == NULL)
    return (ta->key == NULL) - (tb->key == NULL);
  return strcmp (ta->key, tb->key);
}

GPtrArray *
ch_db_money_totals (ChStore       *store,
                    ChMoneyGroup   group,
                    const char    *from,
                    const char    *to,
                    gint64         start_us,
                    gint64         end_us,
                    const char    *provider_id,
                    GError       **error)
{
  g_autoptr (GHashTable) by_key = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autofree char *charge_key = NULL;
  g_autofree char *payment_key = NULL;
  g_autofree char *adjustment_key = NULL;
  g_autofree char *sql = NULL;
  gboolean with_claims = FALSE, need_encounter;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (from != NULL && to != NULL, NULL);

  if (group == CH_MONEY_GROUP_PAYER)
    {
      gboolean has_payers = FALSE;

      if (!has_table (store, "claims", &with_claims, error)
          || !has_table (store, "payers", &has_payers, error))
        return NULL;
      with_claims = with_claims && has_payers;
    }
  need_encounter = group == CH_MONEY_GROUP_PROVIDER || provider_id != NULL;
  by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                  (GDestroyNotify) ch_money_totals_free);

  /* Charges: by service date, the lines that still count. */
  charge_key = line_key (group, "substr (cl.service_date, 1, 7)", with_claims);
  sql = g_strdup_printf ("SELECT %s, SUM (cl.amount_cents) FROM charge_lines cl%s"
                         " WHERE cl.service_date >= ?1 AND cl.service_date <= ?2 AND" CHARGE_LIVE
                         "%s GROUP BY 1",
                         charge_key, line_joins (group, need_encounter, with_claims),
                         provider_id != NULL ? PROVIDER_FILTER : "");
  if (!sum_into (store, sql, from, to, start_us, end_us, provider_id, FIELD_CHARGES, by_key, NULL,
                 error))
    return NULL;
  g_clear_pointer (&sql, g_free);

  /* Payments received in the period. By month for the whole practice, as
   * received; otherwise through their allocations to lines, the rest
   * (practice-wide only) in a group of its own. */
  if (group == CH_MONEY_GROUP_MONTH && provider_id == NULL)
    {
      if (!sum_into (store,
                     "SELECT " MONTH_OF ("p.received_at") ", SUM (p.amount_cents) FROM payments p"
                     " WHERE p.received_at >= ?3 AND p.received_at < ?4 AND" PAYMENT_LIVE
                     " GROUP BY 1",
                     from, to, start_us, end_us, provider_id, FIELD_PAYMENTS, by_key, NULL, error))
        return NULL;
    }
  else
    {
      gint64 allocated = 0;

      /* Summed by line first: the lines are then read in the order of
       * their ids, not wherever the payments' allocations point, which on
       * a large practice is the difference between a pass over the table
       * and a page read for each allocation. */
      payment_key = line_key (group, "paid.month", with_claims);
      sql = g_strdup_printf ("SELECT %s, SUM (paid.cents) FROM"
                             " (SELECT a.charge_line_id AS line, %s AS month,"
                             " SUM (a.amount_cents) AS cents FROM payments p"
                             " JOIN payment_allocations a ON a.payment_id = p.id"
                             " WHERE p.received_at >= ?3 AND p.received_at < ?4 AND" PAYMENT_LIVE
                             " GROUP BY 1, 2) paid"
                             " CROSS JOIN charge_lines cl ON cl.id = paid.line%s"
                             " WHERE 1%s GROUP BY 1",
                             payment_key, MONTH_OF ("p.received_at"), line_joins (group, need_encounter, with_claims),
                             provider_id != NULL ? PROVIDER_FILTER : "");
      if (!sum_into (store, sql, from, to, start_us, end_us, provider_id, FIELD_PAYMENTS, by_key,
                     &allocated, error))
        return NULL;
      g_clear_pointer (&sql, g_free);

      if (provider_id == NULL)
        {
          g_autoptr (GHashTable) total = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                                (GDestroyNotify) ch_money_totals_free);
          gint64 received = 0;

          if (!sum_into (store,
                         "SELECT NULL, SUM (p.amount_cents) FROM payments p"
                         " WHERE p.received_at >= ?3 AND p.received_at < ?4 AND" PAYMENT_LIVE,
                         from, to, start_us, end_us, provider_id, FIELD_PAYMENTS, total, &received,
                         error))
            return NULL;
          if (received != allocated)
            add_to (totals_for (by_key, NULL), FIELD_PAYMENTS, received - allocated);
        }
    }

  /* Write-offs and adjustments posted in the period that still count, by
   * the line they are tied to (if any). */
  adjustment_key = line_key (group, "w.month", with_claims);
  sql = g_strdup_printf ("SELECT %s, SUM (w.cents) FROM"
                         " (SELECT le.charge_line_id AS line, %s AS month,"
                         " -SUM (le.amount_cents) AS cents FROM ledger_entries le"
                         " WHERE le.kind IN ('write-off', 'adjustment')"
                         " AND le.posted_at >= ?3 AND le.posted_at < ?4 AND" ENTRY_LIVE ("le")
                         " GROUP BY 1, 2) w"
                         " LEFT JOIN charge_lines cl ON cl.id = w.line%s"
                         " WHERE 1%s GROUP BY 1",
                         adjustment_key, MONTH_OF ("le.posted_at"),
                         line_joins (group, need_encounter, with_claims),
                         provider_id != NULL ? PROVIDER_FILTER : "");
  if (!sum_into (store, sql, from, to, start_us, end_us, provider_id, FIELD_ADJUSTMENTS, by_key,
                 NULL, error))
    return NULL;

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_money_totals_free);
  g_hash_table_iter_init (&iter, by_key);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_ptr_array_add (rows, value);
      g_hash_table_iter_steal (&iter);
    }
  g_ptr_array_sort (rows, compare_totals);
  return g_steal_pointer (&rows);
}

/* ---- ageing --------------------------------------------------------------- */

guint
ch_money_bucket_for_age (gint64 days)
{
  if (days <= 30)
    return 0;
  if (days <= 60)
    return 1;
  if (days <= 90)
    return 2;
  return 3;
}

void
ch_money_age_balance (gint64        balance,
                      const gint64 *debits,
                      gint64       *buckets)
{
  gint64 left = balance;

  for (guint b = 0; b < CH_MONEY_N_BUCKETS; b++)
    buckets[b] = 0;
  if (balance <= 0)
    {
      /* Nothing owed: a credit is the patient's money now. */
      buckets[0] = balance;
      return;
    }
  /* Credits went to the oldest debits: what is left is the newest ones. */
  for (guint b = 0; b < CH_MONEY_N_BUCKETS && left > 0; b++)
    {
      gint64 take = MIN (left, MAX (debits[b], 0));

      buckets[b] = take;
      left -= take;
    }
  buckets[CH_MONEY_N_BUCKETS - 1] += left;
}

typedef struct
{
  ChAgeingRow *row;
  gint64       debits[CH_MONEY_N_BUCKETS];
} AgeingWork;

static AgeingWork *
work_for (GHashTable *by_patient,
          gint64      patient_id)
{
  AgeingWork *work = g_hash_table_lookup (by_patient, &patient_id);

  if (work == NULL)
    {
      work = g_new0 (AgeingWork, 1);
      work->row = g_new0 (ChAgeingRow, 1);
      work->row->patient_id = patient_id;
      g_hash_table_insert (by_patient, &work->row->patient_id, work);
    }
  return work;
}

static void
ageing_work_free (AgeingWork *work)
{
  g_clear_pointer (&work->row, ch_ageing_row_free);
  g_free (work);
}

/* The first days of the ageing buckets after the first, as days and as
 * the local times they start. */
typedef struct
{
  gint64  end_us;
  char   *day[CH_MONEY_N_BUCKETS - 1];
  gint64  start_us[CH_MONEY_N_BUCKETS - 1];
} AgeingBounds;

static gboolean
ageing_bounds_init (AgeingBounds *bounds,
                    const char   *as_of,
                    gint64        end_us,
                    GError      **error)
{
  static const int days[CH_MONEY_N_BUCKETS - 1] = { 30, 60, 90 };
  GDate date;

  g_date_clear (&date, 1);
  if (strlen (as_of) == 10)
    g_date_set_parse (&date, as_of);
  if (!g_date_valid (&date) || as_of[4] != '-')
    {
      g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT, _("“%s” is not a date"), as_of);
      return FALSE;
    }
  bounds->end_us = end_us;
  for (guint b = 0; b < G_N_ELEMENTS (days); b++)
    {
      GDate first = date;
      g_autoptr (GDateTime) start = NULL;

      g_date_subtract_days (&first, days[b]);
      bounds->day[b] = g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&first),
                                        g_date_get_month (&first), g_date_get_day (&first));
      start = g_date_time_new_local (g_date_get_year (&first), g_date_get_month (&first),
                                     g_date_get_day (&first), 0, 0, 0);
      bounds->start_us[b] = g_date_time_to_unix (start) * G_USEC_PER_SEC;
    }
  return TRUE;
}

static void
ageing_bounds_clear (AgeingBounds *bounds)
{
  for (guint b = 0; b < G_N_ELEMENTS (bounds->day); b++)
    g_clear_pointer (&bounds->day[b], g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AgeingBounds, ageing_bounds_clear)

/* ?2 the end of the day, ?3–?5 and ?6–?8 the buckets' bounds. */
static void
bind_bounds (sqlite3_stmt       *stmt,
             const AgeingBounds *bounds)
{
  int n = sqlite3_bind_parameter_count (stmt);

  if (n >= 2)
    sqlite3_bind_int64 (stmt, 2, bounds->end_us);
  for (int b = 0; b < CH_MONEY_N_BUCKETS - 1; b++)
    {
      if (n >= 3 + b)
        sqlite3_bind_text (stmt, 3 + b, bounds->day[b], -1, SQLITE_TRANSIENT);
      if (n >= 6 + b)
        sqlite3_bind_int64 (stmt, 6 + b, bounds->start_us[b]);
    }
}

/* Runs a "SELECT patient_id, bucket 0, 1, 2, 3" query and adds (or, with
 * @sign -1, takes away) its sums to each patient's debits. */
static gboolean
add_debits (ChStore            *store,
            const char         *sql,
            const AgeingBounds *bounds,
            int                 sign,
            GHashTable         *by_patient,
            GError            **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, sql, error);
  if (stmt == NULL)
    return FALSE;
  bind_bounds (stmt, bounds);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      AgeingWork *work = work_for (by_patient, sqlite3_column_int64 (stmt, 0));

      for (guint b = 0; b < CH_MONEY_N_BUCKETS; b++)
        work->debits[b] += sign * sqlite3_column_int64 (stmt, 1 + b);
    }
  if (rc < 0)
    return FALSE;
  sqlite3_reset (stmt);
  return TRUE;
}

static int
compare_ageing (gconstpointer a,
                gconstpointer b)
{
  const ChAgeingRow *ra = *(ChAgeingRow * const *) a;
  const ChAgeingRow *rb = *(ChAgeingRow * const *) b;

  return (ra->patient_id > rb->patient_id) - (ra->patient_id < rb->patient_id);
}

GPtrArray *
ch_db_money_ageing (ChStore     *store,
                    const char  *as_of,
                    gint64       end_us,
                    gboolean     with_names,
                    GError     **error)
{
  g_auto (AgeingBounds) bounds = { 0 };
  g_autoptr (GHashTable) by_patient = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  sqlite3_stmt *stmt;
  gboolean with_claims = FALSE;
  GHashTableIter iter;
  gpointer value;
  int rc;

  g_return_val_if_fail (as_of != NULL, NULL);

  if (!ageing_bounds_init (&bounds, as_of, end_us, error))
    return NULL;

  by_patient = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                      (GDestroyNotify) ageing_work_free);

  /* The balance as of the day: every entry posted by then, a reversal and
   * the entry it reverses cancelling out. Read from the index alone. */
  stmt = ch_store_prepare (store,
                           "SELECT patient_id, SUM (amount_cents) FROM ledger_entries"
                           " WHERE posted_at < ?1 GROUP BY patient_id"
                           " HAVING SUM (amount_cents) <> 0", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, end_us);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    work_for (by_patient, sqlite3_column_int64 (stmt, 0))->row->balance_cents =
      sqlite3_column_int64 (stmt, 1);
  if (rc < 0)
    return NULL;
  sqlite3_reset (stmt);

  /* The debits by age: charges by service date, other debits by the day
   * they were posted, less those whose reversal was posted by the day. */
  if (!add_debits (store,
                   "SELECT patient_id, " DAY_BUCKETS ("service_date", "amount_cents")
                   " FROM charge_lines WHERE created_at < ?2 GROUP BY patient_id",
                   &bounds, 1, by_patient, error)
      || !add_debits (store,
                      "SELECT patient_id, " TIME_BUCKETS ("posted_at", "amount_cents")
                      /* The few such entries by kind, rather than all by patient. */
                      " FROM ledger_entries INDEXED BY ledger_entries_kind"
                      " WHERE kind IN ('refund', 'opening', 'adjustment')"
                      " AND amount_cents > 0 AND posted_at < ?2 GROUP BY patient_id",
                      &bounds, 1, by_patient, error)
      || !add_debits (store,
                      "SELECT o.patient_id, " DAY_BUCKETS ("cl.service_date", "o.amount_cents")
                      " FROM ledger_entries r CROSS JOIN ledger_entries o ON o.id = r.reverses"
                      " JOIN charge_lines cl ON cl.id = o.charge_line_id"
                      " WHERE r.reverses IS NOT NULL AND r.posted_at < ?2 AND o.kind = 'charge'"
                      " GROUP BY o.patient_id",
                      &bounds, -1, by_patient, error)
      || !add_debits (store,
                      "SELECT o.patient_id, " TIME_BUCKETS ("o.posted_at", "o.amount_cents")
                      " FROM ledger_entries r CROSS JOIN ledger_entries o ON o.id = r.reverses"
                      " WHERE r.reverses IS NOT NULL AND r.posted_at < ?2"
                      " AND o.kind IN ('refund', 'opening', 'adjustment') AND o.amount_cents > 0"
                      " GROUP BY o.patient_id",
                      &bounds, -1, by_patient, error))
    return NULL;

  /* What claims still await from payers, patient by patient. */
  if (!has_table (store, "claims", &with_claims, error))
    return NULL;
  if (with_claims)
    {
      stmt = ch_store_prepare (store,
                               "SELECT patient_id, SUM (billed_cents) FROM claims"
                               " WHERE status = 'submitted' AND created_at < ?1"
                               " GROUP BY patient_id", error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, end_us);
      while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
        work_for (by_patient, sqlite3_column_int64 (stmt, 0))->row->awaited_cents =
          sqlite3_column_int64 (stmt, 1);
      if (rc < 0)
        return NULL;
      sqlite3_reset (stmt);
    }

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_ageing_row_free);
  g_hash_table_iter_init (&iter, by_patient);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      AgeingWork *work = value;
      ChAgeingRow *row = work->row;

      if (row->balance_cents == 0 && row->awaited_cents == 0)
        continue;
      ch_money_age_balance (row->balance_cents, work->debits, row->buckets);
      ch_money_age_balance (row->balance_cents - row->awaited_cents, work->debits,
                            row->rest_buckets);
      g_ptr_array_add (rows, g_steal_pointer (&work->row));
    }
  g_ptr_array_sort (rows, compare_ageing);

  if (with_names)
    {
      for (guint i = 0; i < rows->len; i++)
        {
          ChAgeingRow *row = rows->pdata[i];

          stmt = ch_store_prepare (store,
                                   "SELECT mrn, given_name, family_name FROM patients WHERE id = ?",
                                   error);
          if (stmt == NULL)
            return NULL;
          sqlite3_bind_int64 (stmt, 1, row->patient_id);
          rc = ch_store_step (store, stmt, error);
          if (rc < 0)
            return NULL;
          if (rc == SQLITE_ROW)
            {
              row->mrn = g_strdup (ch_store_column_text (stmt, 0));
              row->given_name = g_strdup (ch_store_column_text (stmt, 1));
              row->family_name = g_strdup (ch_store_column_text (stmt, 2));
            }
          sqlite3_reset (stmt);
        }
    }
  return g_steal_pointer (&rows);
}

GPtrArray *
ch_db_money_payer_ageing (ChStore     *store,
                          const char  *as_of,
                          gint64       end_us,
                          GError     **error)
{
  g_auto (AgeingBounds) bounds = { 0 };
  g_autoptr (GPtrArray) rows = NULL;
  gboolean with_claims = FALSE, with_payers = FALSE;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (as_of != NULL, NULL);

  if (!ageing_bounds_init (&bounds, as_of, end_us, error))
    return NULL;
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_payer_ageing_free);
  if (!has_table (store, "claims", &with_claims, error)
      || !has_table (store, "payers", &with_payers, error))
    return NULL;
  if (!with_claims || !with_payers)
    return g_steal_pointer (&rows);

  stmt = ch_store_prepare (store,
                           "SELECT c.payer_id, COALESCE (py.name, c.payer_id), "
                           TIME_BUCKETS ("c.created_at", "c.billed_cents")
                           " FROM claims c LEFT JOIN payers py ON py.id = c.payer_id"
                           " WHERE c.status = 'submitted' AND c.created_at < ?2"
                           " GROUP BY c.payer_id ORDER BY 2, 1", error);
  if (stmt == NULL)
    return NULL;
  bind_bounds (stmt, &bounds);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChPayerAgeing *row = g_new0 (ChPayerAgeing, 1);

      row->payer_id = g_strdup (ch_store_column_text (stmt, 0));
      row->name = g_strdup (ch_store_column_text (stmt, 1));
      for (guint b = 0; b < CH_MONEY_N_BUCKETS; b++)
        {
          row->buckets[b] = sqlite3_column_int64 (stmt, 2 + b);
          row->total_cents += row->buckets[b];
        }
      g_ptr_array_add (rows, row);
    }
  if (rc < 0)
    return NULL;
  sqlite3_reset (stmt);
  return g_steal_pointer (&rows);
}

/* ---- providers ------------------------------------------------------------ */

GHashTable *
ch_db_money_provider_names (ChStore  *store,
                            GError  **error)
{
  g_autoptr (GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sqlite3_stmt *stmt;
  int rc;

  /* An active provider first, so that a user name kept by an inactive
   * resource too shows the current one. */
  stmt = ch_store_prepare (store,
                           "SELECT username, name FROM resources"
                           " WHERE kind = 'provider' AND username IS NOT NULL AND username <> ''"
                           " ORDER BY active, id DESC", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_hash_table_insert (names, g_strdup (ch_store_column_text (stmt, 0)),
                         g_strdup (ch_store_column_text (stmt, 1)));
  if (rc < 0)
    return NULL;
  sqlite3_reset (stmt);
  return g_steal_pointer (&names);
}
