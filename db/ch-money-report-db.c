/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-money-report-db"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "ch-money-report-db.h"
#include "ch-store-private.h"

/* The period totals are added up from the money facts of schema 0024, the
 * ageing is summed by SQLite over the indexes of 0022-money-reports.sql;
 * either way what C keeps is one row per group, or per patient with a
 * balance. A charge line or payment "still counts" while the ledger entry
 * that posted it has no reversing entry: nothing is ever marked, it is
 * worked out from the reversals (see 0018-billing.sql). */

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

/* The facts of a period (schema 0024) are streamed and added up here:
 * SQLite sorting a million rows to group them costs three times what
 * reading them does, and the groups need what C has at hand anyway (the
 * reversed sets, each patient's policy, the payers' names). */

typedef enum
{
  FIELD_CHARGES,
  FIELD_PAYMENTS,
  FIELD_ADJUSTMENTS,
} Field;

typedef struct
{
  ChMoneyGroup  group;
  GHashTable   *by_key;             /* key → ChMoneyTotals (owning it, and the key) */
  ChMoneyTotals *not_allocated;     /* key NULL: no line's (unlike "", self-pay) */
  GHashTable   *providers;          /* the provider filter's names, or NULL */
  GHashTable   *reversed_lines;     /* gint64 sets */
  GHashTable   *reversed_payments;
  GHashTable   *reversed_entries;
  GHashTable   *policy_payers;      /* patient id → payer of the primary policy */
  GHashTable   *payer_names;        /* payers.id → name */
  /* By payer, each fact's group is found through arrays, not hashed: the
   * payers' names are numbered (slots), and each encounter's claim payer
   * and each patient's policy payer are a slot + 1 (0: none) by id. */
  GPtrArray    *slot_names;         /* owned */
  GHashTable   *slot_of_name;       /* name → slot + 1 */
  GPtrArray    *slot_totals;        /* ChMoneyTotals (in by_key) or NULL, by slot */
  guint32      *claim_payer_of;     /* by encounter id */
  gint64        max_encounter;
  guint32      *policy_payer_of;    /* by patient id */
  gint64        max_patient;
} Totals;

static void
totals_clear (Totals *t)
{
  g_clear_pointer (&t->by_key, g_hash_table_unref);
  g_clear_pointer (&t->not_allocated, ch_money_totals_free);
  g_clear_pointer (&t->providers, g_hash_table_unref);
  g_clear_pointer (&t->reversed_lines, g_hash_table_unref);
  g_clear_pointer (&t->reversed_payments, g_hash_table_unref);
  g_clear_pointer (&t->reversed_entries, g_hash_table_unref);
  g_clear_pointer (&t->policy_payers, g_hash_table_unref);
  g_clear_pointer (&t->payer_names, g_hash_table_unref);
  g_clear_pointer (&t->claim_payer_of, g_free);
  g_clear_pointer (&t->policy_payer_of, g_free);
  g_clear_pointer (&t->slot_names, g_ptr_array_unref);
  g_clear_pointer (&t->slot_of_name, g_hash_table_unref);
  g_clear_pointer (&t->slot_totals, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Totals, totals_clear)

static GHashTable *
id_set_new (void)
{
  return g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

static gboolean
id_set_has (GHashTable *set,
            gint64      id)
{
  return g_hash_table_contains (set, &id);
}

/* Runs @sql (no parameters but ?1, bound to @param when given) and puts
 * its first column into @set (ids) or, with a second column, @set's value
 * for it (the first row's, for an id that comes twice). */
static gboolean
load_map (ChStore    *store,
          const char *sql,
          const char *param,
          gboolean    text_keys,
          GHashTable *set,
          GError    **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, sql, error);
  if (stmt == NULL)
    return FALSE;
  if (param != NULL)
    ch_store_bind_text (stmt, 1, param);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      gpointer key, value = NULL;

      if (text_keys)
        key = g_strdup (ch_store_column_text (stmt, 0));
      else
        key = g_memdup2 (&(gint64) { sqlite3_column_int64 (stmt, 0) }, sizeof (gint64));
      if (sqlite3_column_count (stmt) > 1)
        value = g_strdup (ch_store_column_text (stmt, 1));
      if (g_hash_table_contains (set, key))
        {
          g_free (key);
          g_free (value);
          continue;
        }
      g_hash_table_insert (set, key, value);
    }
  if (rc < 0)
    return FALSE;
  sqlite3_reset (stmt);
  return TRUE;
}

/* The group of @key, made on first use. Called for each of a million
 * facts: no allocation but for a new group. */
static ChMoneyTotals *
totals_for (Totals     *t,
            const char *key)
{
  ChMoneyTotals *totals;

  if (key == NULL)
    {
      if (t->not_allocated == NULL)
        t->not_allocated = g_new0 (ChMoneyTotals, 1);
      return t->not_allocated;
    }
  totals = g_hash_table_lookup (t->by_key, key);
  if (totals == NULL)
    {
      totals = g_new0 (ChMoneyTotals, 1);
      totals->key = g_strdup (key);
      g_hash_table_insert (t->by_key, totals->key, totals);
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

/* The payer a fact counts for: that of the claim made for its encounter
 * (one at most: claims.encounter_id is unique), else the patient's primary
 * active policy, else "" (self-pay). */
static guint
payer_slot (Totals *t,
            gint64  encounter_id,
            gint64  patient_id)
{
  if (t->claim_payer_of != NULL && encounter_id >= 1 && encounter_id <= t->max_encounter
      && t->claim_payer_of[encounter_id] != 0)
    return t->claim_payer_of[encounter_id] - 1;
  if (patient_id >= 1 && patient_id <= t->max_patient && t->policy_payer_of[patient_id] != 0)
    return t->policy_payer_of[patient_id] - 1;
  return 0;   /* "": self-pay */
}

/* The slot of payer @name, numbered on first use. */
static guint32
intern_slot (Totals     *t,
             const char *name)
{
  guint32 slot = GPOINTER_TO_UINT (g_hash_table_lookup (t->slot_of_name, name));

  if (slot == 0)
    {
      g_ptr_array_add (t->slot_names, g_strdup (name));
      g_ptr_array_add (t->slot_totals, NULL);
      slot = t->slot_names->len;
      g_hash_table_insert (t->slot_of_name, g_strdup (name), GUINT_TO_POINTER (slot));
    }
  return slot;
}

/* Adds the facts of @kind with a day from @from to @to to their groups;
 * what they add up to goes to *@out_sum. */
static gboolean
add_facts (ChStore    *store,
           Totals     *t,
           const char *kind,
           Field       field,
           const char *from,
           const char *to,
           gint64     *out_sum,
           GError    **error)
{
  sqlite3_stmt *stmt;
  gint64 sum = 0;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT f.day, f.source_id, f.line_id, f.payment_id, f.patient_id,"
                           " f.provider, f.code, f.amount_cents, f.encounter_id FROM money_facts f"
                           " WHERE f.kind = ?1 AND f.day >= ?2 AND f.day <= ?3", error);
  if (stmt == NULL)
    return FALSE;
  ch_store_bind_text (stmt, 1, kind);
  ch_store_bind_text (stmt, 2, from);
  ch_store_bind_text (stmt, 3, to);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      gboolean has_line = sqlite3_column_type (stmt, 2) != SQLITE_NULL;
      const char *provider = has_line ? ch_store_column_text (stmt, 5) : NULL;
      gint64 cents = sqlite3_column_int64 (stmt, 7);
      const char *key = NULL;
      char month[8];

      switch (field)
        {
        case FIELD_CHARGES:
          if (id_set_has (t->reversed_lines, sqlite3_column_int64 (stmt, 2)))
            continue;
          break;
        case FIELD_PAYMENTS:
          if (id_set_has (t->reversed_payments, sqlite3_column_int64 (stmt, 3)))
            continue;
          break;
        case FIELD_ADJUSTMENTS:
          if (id_set_has (t->reversed_entries, sqlite3_column_int64 (stmt, 1)))
            continue;
          break;
        }
      if (t->providers != NULL && (provider == NULL || !g_hash_table_contains (t->providers, provider)))
        continue;

      switch (t->group)
        {
        case CH_MONEY_GROUP_MONTH:
          g_strlcpy (month, ch_store_column_text (stmt, 0), sizeof month);
          key = month;
          break;
        case CH_MONEY_GROUP_PROVIDER:
          key = provider;
          break;
        case CH_MONEY_GROUP_CODE:
          key = has_line ? ch_store_column_text (stmt, 6) : NULL;
          break;
        case CH_MONEY_GROUP_PAYER:
          /* A write-off tied to no line has no payer either. */
          if (has_line)
            {
              guint slot = payer_slot (t, sqlite3_column_int64 (stmt, 8),
                                       sqlite3_column_int64 (stmt, 4));
              ChMoneyTotals *totals = t->slot_totals->pdata[slot];

              if (totals == NULL)
                totals = t->slot_totals->pdata[slot] = totals_for (t, t->slot_names->pdata[slot]);
              add_to (totals, field, cents);
              sum += cents;
              continue;
            }
          break;
        }
      add_to (totals_for (t, key), field, cents);
      sum += cents;
    }
  if (rc < 0)
    return FALSE;
  sqlite3_reset (stmt);
  if (out_sum != NULL)
    *out_sum = sum;
  return TRUE;
}

/* The local month (YYYY-MM) a time falls in, from the starts of the months
 * of the period worked out once: a date function for each of a million
 * payments would cost more than the rest. */
typedef struct
{
  GArray *starts;   /* gint64 µs, the first the period's first day */
  GPtrArray *names;
} Months;

static void
months_clear (Months *m)
{
  g_clear_pointer (&m->starts, g_array_unref);
  g_clear_pointer (&m->names, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Months, months_clear)

static void
months_init (Months *m,
             gint64  start_us,
             gint64  end_us)
{
  g_autoptr (GDateTime) first = g_date_time_new_from_unix_local (start_us / G_USEC_PER_SEC);
  int year = g_date_time_get_year (first), month = g_date_time_get_month (first);
  gint64 at = start_us;

  m->starts = g_array_new (FALSE, FALSE, sizeof (gint64));
  m->names = g_ptr_array_new_with_free_func (g_free);
  while (at < end_us)
    {
      g_autoptr (GDateTime) next = NULL;

      g_array_append_val (m->starts, at);
      g_ptr_array_add (m->names, g_strdup_printf ("%04d-%02d", year, month));
      if (++month > 12)
        {
          month = 1;
          year++;
        }
      next = g_date_time_new_local (year, month, 1, 0, 0, 0);
      at = g_date_time_to_unix (next) * G_USEC_PER_SEC;
    }
}

static const char *
months_name (const Months *m,
             gint64        us)
{
  guint lo = 0, hi = m->starts->len;

  /* The last start at or before @us. */
  while (hi - lo > 1)
    {
      guint mid = (lo + hi) / 2;

      if (g_array_index (m->starts, gint64, mid) <= us)
        lo = mid;
      else
        hi = mid;
    }
  return m->names->len > 0 ? m->names->pdata[lo] : NULL;
}

/* The payments received in the period that still count: by month into
 * the groups (@months not NULL), or only their sum to *@out_sum. */
static gboolean
add_received (ChStore      *store,
              Totals       *t,
              const Months *months,
              gint64        start_us,
              gint64        end_us,
              gint64       *out_sum,
              GError      **error)
{
  sqlite3_stmt *stmt;
  gint64 sum = 0;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT id, received_at, amount_cents FROM payments"
                           " WHERE received_at >= ?1 AND received_at < ?2", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, start_us);
  sqlite3_bind_int64 (stmt, 2, end_us);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      gint64 cents = sqlite3_column_int64 (stmt, 2);

      if (id_set_has (t->reversed_payments, sqlite3_column_int64 (stmt, 0)))
        continue;
      if (months != NULL)
        add_to (totals_for (t, months_name (months, sqlite3_column_int64 (stmt, 1))),
                FIELD_PAYMENTS, cents);
      sum += cents;
    }
  if (rc < 0)
    return FALSE;
  sqlite3_reset (stmt);
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

/* Each encounter's claim payer, by name (the payer's id when it has none). */
static gboolean
load_claim_payers (ChStore  *store,
                   Totals   *t,
                   GError  **error)
{
  g_autoptr (GHashTable) slot_of_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT max (id) FROM encounters", error);
  if (stmt == NULL)
    return FALSE;
  rc = ch_store_step (store, stmt, error);
  if (rc < 0)
    return FALSE;
  t->max_encounter = rc == SQLITE_ROW ? MAX (sqlite3_column_int64 (stmt, 0), 0) : 0;
  sqlite3_reset (stmt);
  t->claim_payer_of = g_new0 (guint32, t->max_encounter + 1);

  /* From 0022's index (encounter_id, payer_id) alone. */
  stmt = ch_store_prepare (store,
                           "SELECT encounter_id, payer_id FROM claims INDEXED BY claims_encounter_payer",
                           error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      gint64 encounter_id = sqlite3_column_int64 (stmt, 0);
      const char *payer_id = ch_store_column_text (stmt, 1);
      gpointer found;

      if (encounter_id < 1 || encounter_id > t->max_encounter)
        continue;
      if (!g_hash_table_lookup_extended (slot_of_id, payer_id, NULL, &found))
        {
          const char *name = g_hash_table_lookup (t->payer_names, payer_id);

          found = GUINT_TO_POINTER (intern_slot (t, name != NULL ? name : payer_id));
          g_hash_table_insert (slot_of_id, g_strdup (payer_id), found);
        }
      t->claim_payer_of[encounter_id] = GPOINTER_TO_UINT (found);
    }
  if (rc < 0)
    return FALSE;
  sqlite3_reset (stmt);
  return TRUE;
}

/* The sets and maps the facts are checked and keyed against. */
static gboolean
totals_init (ChStore      *store,
             Totals       *t,
             ChMoneyGroup  group,
             const char   *provider_id,
             GError      **error)
{
  t->group = group;
  t->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                     (GDestroyNotify) ch_money_totals_free);
  t->reversed_lines = id_set_new ();
  t->reversed_payments = id_set_new ();
  t->reversed_entries = id_set_new ();
  /* The reversed lines, payments and entries: few, through the partial
   * index of 0018 on the reversals. */
  if (!load_map (store,
                 "SELECT o.charge_line_id FROM ledger_entries r"
                 " CROSS JOIN ledger_entries o ON o.id = r.reverses"
                 " WHERE r.reverses IS NOT NULL AND o.kind = 'charge'",
                 NULL, FALSE, t->reversed_lines, error)
      || !load_map (store,
                    "SELECT o.payment_id FROM ledger_entries r"
                    " CROSS JOIN ledger_entries o ON o.id = r.reverses"
                    " WHERE r.reverses IS NOT NULL AND o.kind = 'payment'",
                    NULL, FALSE, t->reversed_payments, error)
      || !load_map (store, "SELECT reverses FROM ledger_entries WHERE reverses IS NOT NULL",
                    NULL, FALSE, t->reversed_entries, error))
    return FALSE;

  /* A provider is named on encounters by user name or, without an
   * account, by resource id. */
  if (provider_id != NULL)
    {
      t->providers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_add (t->providers, g_strdup (provider_id));
      if (!load_map (store,
                     "SELECT username FROM resources WHERE id = ?1 AND kind = 'provider'"
                     " AND username IS NOT NULL AND username <> ''",
                     provider_id, TRUE, t->providers, error))
        return FALSE;
    }

  if (group == CH_MONEY_GROUP_PAYER)
    {
      gboolean with_claims = FALSE, with_payers = FALSE;

      GHashTableIter iter;
      gpointer key, value;

      t->slot_names = g_ptr_array_new_with_free_func (g_free);
      t->slot_of_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      t->slot_totals = g_ptr_array_new ();
      intern_slot (t, "");   /* slot 0: self-pay */
      t->policy_payers = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
      /* The first primary active policy of each patient (by id). */
      if (!load_map (store,
                     "SELECT patient_id, payer FROM insurance_policies"
                     " WHERE priority = 1 AND status = 'active' ORDER BY patient_id, id",
                     NULL, FALSE, t->policy_payers, error))
        return FALSE;
      g_hash_table_iter_init (&iter, t->policy_payers);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        t->max_patient = MAX (t->max_patient, *(gint64 *) key);
      t->policy_payer_of = g_new0 (guint32, t->max_patient + 1);
      g_hash_table_iter_init (&iter, t->policy_payers);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (*(gint64 *) key >= 1)
          t->policy_payer_of[*(gint64 *) key] = intern_slot (t, value);
      if (!has_table (store, "claims", &with_claims, error)
          || !has_table (store, "payers", &with_payers, error))
        return FALSE;
      if (with_claims && with_payers)
        {
          t->payer_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
          if (!load_map (store, "SELECT id, name FROM payers", NULL, TRUE, t->payer_names, error)
              || !load_claim_payers (store, t, error))
            return FALSE;
        }
    }
  return TRUE;
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
  g_auto (Totals) t = { 0 };
  g_autoptr (GPtrArray) rows = NULL;
  gint64 allocated = 0, received = 0;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (from != NULL && to != NULL, NULL);

  if (!totals_init (store, &t, group, provider_id, error))
    return NULL;

  /* Charges by service date; write-offs and adjustments posted in the
   * period, by the line they are tied to (if any). */
  if (!add_facts (store, &t, "charge", FIELD_CHARGES, from, to, NULL, error)
      || !add_facts (store, &t, "adjustment", FIELD_ADJUSTMENTS, from, to, NULL, error))
    return NULL;

  /* Payments received in the period. By month for the whole practice, as
   * received; otherwise through their allocations to lines, the rest
   * (practice-wide only) in a group of its own. */
  if (group == CH_MONEY_GROUP_MONTH && provider_id == NULL)
    {
      g_auto (Months) months = { 0 };

      months_init (&months, start_us, end_us);
      if (!add_received (store, &t, &months, start_us, end_us, &received, error))
        return NULL;
    }
  else
    {
      if (!add_facts (store, &t, "payment", FIELD_PAYMENTS, from, to, &allocated, error))
        return NULL;
      if (provider_id == NULL)
        {
          if (!add_received (store, &t, NULL, start_us, end_us, &received, error))
            return NULL;
          if (received != allocated)
            add_to (totals_for (&t, NULL), FIELD_PAYMENTS, received - allocated);
        }
    }

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_money_totals_free);
  g_hash_table_iter_init (&iter, t.by_key);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_ptr_array_add (rows, value);
      g_hash_table_iter_steal (&iter);
    }
  if (t.not_allocated != NULL)
    g_ptr_array_add (rows, g_steal_pointer (&t.not_allocated));
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
   * the entry it reverses cancelling out. That is the total the database
   * keeps (0026) less what was posted after the day: nothing as of today,
   * a month's entries as of the end of last month, read by kind and time
   * from the index of 0022 (a patient whose total is 0 now may have owed
   * then). */
  stmt = ch_store_prepare (store,
                           "SELECT patient_id, balance_cents FROM ledger_totals"
                           " WHERE balance_cents <> 0", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    work_for (by_patient, sqlite3_column_int64 (stmt, 0))->row->balance_cents =
      sqlite3_column_int64 (stmt, 1);
  if (rc < 0)
    return NULL;
  sqlite3_reset (stmt);
  stmt = ch_store_prepare (store,
                           "SELECT patient_id, SUM (amount_cents)"
                           " FROM ledger_entries INDEXED BY ledger_entries_kind"
                           " WHERE kind IN ('charge', 'payment', 'refund', 'write-off', 'adjustment',"
                           " 'opening', 'reversal') AND posted_at >= ?1 GROUP BY patient_id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, end_us);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    work_for (by_patient, sqlite3_column_int64 (stmt, 0))->row->balance_cents -=
      sqlite3_column_int64 (stmt, 1);
  if (rc < 0)
    return NULL;
  sqlite3_reset (stmt);

  /* The debits by age: charges by service date, other debits by the day
   * they were posted, less those whose reversal was posted by the day.
   * Only the first three buckets' debits matter (ch_money_age_balance()
   * puts whatever they do not cover in the last), so only the charges of
   * the 90 days are read, from the index by service date, less those made
   * after the day (none, as of today), from the index by time made. */
  if (!add_debits (store,
                   "SELECT patient_id, " DAY_BUCKETS ("service_date", "amount_cents")
                   " FROM charge_lines INDEXED BY charge_lines_service"
                   " WHERE service_date >= ?5 AND ?2 IS NOT NULL GROUP BY patient_id",
                   &bounds, 1, by_patient, error)
      || !add_debits (store,
                      "SELECT patient_id, " DAY_BUCKETS ("service_date", "amount_cents")
                      " FROM charge_lines INDEXED BY charge_lines_created"
                      " WHERE created_at >= ?2 AND service_date >= ?5 GROUP BY patient_id",
                      &bounds, -1, by_patient, error)
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

  /* A provider without an account is named on encounters by resource id. */
  if (!load_map (store, "SELECT id, name FROM resources WHERE kind = 'provider'", NULL, TRUE,
                 names, error))
    return NULL;
  return g_steal_pointer (&names);
}
