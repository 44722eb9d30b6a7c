/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-billing-db"

#include "config.h"

#include <glib/gi18n.h>

#include <inttypes.h>

#include "ch-billing-db.h"
#include "ch-store-private.h"

/* A payment, or a charge line, still counts while the ledger entry that
 * posted it has not been reversed. The triggers of 0018-billing.sql keep
 * every row as written, so "no longer counts" is always worked out here
 * from the reversing entries, never stored. */

#define PAYMENT_LIVE(alias) \
  " NOT EXISTS (SELECT 1 FROM ledger_entries pe JOIN ledger_entries pr ON pr.reverses = pe.id" \
  " WHERE pe.payment_id = " alias ".payment_id AND pe.kind = 'payment')"

void
ch_fee_free (ChFee *fee)
{
  if (fee == NULL)
    return;
  g_free (fee->code);
  g_free (fee->description);
  g_free (fee->effective_from);
  g_free (fee->effective_to);
  g_free (fee);
}

void
ch_charge_line_free (ChChargeLine *line)
{
  if (line == NULL)
    return;
  g_free (line->code);
  g_free (line->service_date);
  g_free (line->modifiers);
  g_free (line->created_by);
  g_free (line);
}

void
ch_payment_free (ChPayment *payment)
{
  if (payment == NULL)
    return;
  g_free (payment->method);
  g_free (payment->reference);
  g_free (payment->received_by);
  g_free (payment);
}

ChLedgerEntry *
ch_ledger_entry_new (void)
{
  return g_new0 (ChLedgerEntry, 1);
}

void
ch_ledger_entry_free (ChLedgerEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->kind);
  g_free (entry->method);
  g_free (entry->reason);
  g_free (entry->posted_by);
  g_free (entry->service_date);
  g_free (entry);
}

gint64
ch_charge_line_owed (const ChChargeLine *line)
{
  return line->reversed ? 0 : MAX (line->amount_cents - line->allocated_cents, 0);
}

void
ch_billing_encounter_free (ChBillingEncounter *encounter)
{
  if (encounter == NULL)
    return;
  g_free (encounter->date);
  g_free (encounter->provider);
  g_free (encounter->provider_name);
  g_free (encounter->reason);
  g_free (encounter);
}

static void
bind_id_or_null (sqlite3_stmt *stmt,
                 int           idx,
                 gint64        id)
{
  if (id > 0)
    sqlite3_bind_int64 (stmt, idx, id);
  else
    sqlite3_bind_null (stmt, idx);
}

static gboolean
not_found (GError    **error,
           const char *message)
{
  g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND, message);
  return FALSE;
}

/* ---- fee schedule ---------------------------------------------------------- */

#define FEE_COLUMNS "id, code, description, price_cents, effective_from, effective_to"

static ChFee *
fee_from_row (sqlite3_stmt *stmt)
{
  ChFee *fee = g_new0 (ChFee, 1);

  fee->id = sqlite3_column_int64 (stmt, 0);
  fee->code = g_strdup (ch_store_column_text (stmt, 1));
  fee->description = g_strdup (ch_store_column_text (stmt, 2));
  fee->price_cents = sqlite3_column_int64 (stmt, 3);
  fee->effective_from = g_strdup (ch_store_column_text (stmt, 4));
  if (sqlite3_column_type (stmt, 5) != SQLITE_NULL)
    fee->effective_to = g_strdup (ch_store_column_text (stmt, 5));
  return fee;
}

gboolean
ch_db_fee_insert (ChStore     *store,
                  ChFee       *fee,
                  const char  *username,
                  gboolean    *out_existed,
                  GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (fee != NULL && fee->code != NULL && fee->effective_from != NULL, FALSE);

  *out_existed = FALSE;
  stmt = ch_store_prepare (store,
                           "SELECT " FEE_COLUMNS " FROM fee_schedule"
                           " WHERE code = ? AND effective_from = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, fee->code, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, fee->effective_from, -1, SQLITE_TRANSIENT);
  rc = ch_store_step (store, stmt, error);
  if (rc < 0)
    return FALSE;
  if (rc == SQLITE_ROW)
    {
      g_autoptr (ChFee) old = fee_from_row (stmt);

      sqlite3_reset (stmt);
      if (old->price_cents == fee->price_cents
          && g_strcmp0 (old->description, fee->description) == 0
          && g_strcmp0 (old->effective_to, fee->effective_to) == 0)
        {
          fee->id = old->id;
          *out_existed = TRUE;
          return TRUE;
        }
      g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT,
                   _("The fee schedule already has %s from %s at another price or with another "
                     "description; a version is never changed, give the new one another "
                     "effective date"),
                   fee->code, fee->effective_from);
      return FALSE;
    }
  sqlite3_reset (stmt);

  stmt = ch_store_prepare (store,
                           "INSERT INTO fee_schedule (code, description, price_cents, effective_from,"
                           " effective_to, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, fee->code, -1, SQLITE_TRANSIENT);
  ch_store_bind_text (stmt, 2, fee->description ? fee->description : "");
  sqlite3_bind_int64 (stmt, 3, fee->price_cents);
  sqlite3_bind_text (stmt, 4, fee->effective_from, -1, SQLITE_TRANSIENT);
  ch_store_bind_text (stmt, 5, fee->effective_to);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time ());
  ch_store_bind_text (stmt, 7, username ? username : "");
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  fee->id = ch_store_last_insert_id (store);
  return TRUE;
}

ChFee *
ch_db_fee_lookup (ChStore     *store,
                  const char  *code,
                  const char  *date,
                  GError     **error)
{
  sqlite3_stmt *stmt;
  ChFee *fee = NULL;
  int rc;

  g_return_val_if_fail (code != NULL && date != NULL, NULL);

  /* The latest version that has started by @date and not ended before it. */
  stmt = ch_store_prepare (store,
                           "SELECT " FEE_COLUMNS " FROM fee_schedule"
                           " WHERE code = ? AND effective_from <= ?"
                           " AND (effective_to IS NULL OR effective_to >= ?)"
                           " ORDER BY effective_from DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, date, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, date, -1, SQLITE_TRANSIENT);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    fee = fee_from_row (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                 _("The fee schedule has no price for %s on %s"), code, date);
  sqlite3_reset (stmt);
  return fee;
}

GPtrArray *
ch_db_fee_list (ChStore     *store,
                const char  *date,
                GError     **error)
{
  g_autoptr (GPtrArray) fees = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_fee_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT " FEE_COLUMNS " FROM fee_schedule"
                           " WHERE ?1 IS NULL OR (effective_from <= ?1"
                           "  AND (effective_to IS NULL OR effective_to >= ?1)"
                           "  AND effective_from = (SELECT max (f2.effective_from) FROM fee_schedule f2"
                           "   WHERE f2.code = fee_schedule.code AND f2.effective_from <= ?1))"
                           " ORDER BY code, effective_from", error);
  if (stmt == NULL)
    return NULL;
  ch_store_bind_text (stmt, 1, date);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (fees, fee_from_row (stmt));
  sqlite3_reset (stmt);
  return rc < 0 ? NULL : g_steal_pointer (&fees);
}

/* ---- encounters ------------------------------------------------------------ */

#define ENCOUNTER_QUERY \
  "SELECT e.id, e.patient_id, e.start_at, e.provider, e.reason, e.status," \
  " b.encounter_id IS NOT NULL," \
  " (SELECT count (*) FROM charge_lines c JOIN ledger_entries ce ON ce.charge_line_id = c.id" \
  "   AND ce.kind = 'charge' WHERE c.encounter_id = e.id" \
  "   AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = ce.id))," \
  " (SELECT coalesce (sum (c.amount_cents), 0) FROM charge_lines c JOIN ledger_entries ce" \
  "   ON ce.charge_line_id = c.id AND ce.kind = 'charge' WHERE c.encounter_id = e.id" \
  "   AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = ce.id))," \
  /* The provider's name: encounters name them by user name, or by \
   * resource id when they have no account. */ \
  " coalesce ((SELECT pr.name FROM resources pr WHERE pr.kind = 'provider'" \
  "   AND pr.username = e.provider AND e.provider <> '' ORDER BY pr.active DESC, pr.id LIMIT 1)," \
  "  (SELECT pr.name FROM resources pr WHERE pr.kind = 'provider' AND pr.id = e.provider)," \
  "  e.provider)" \
  " FROM encounters e LEFT JOIN billing_encounters b ON b.encounter_id = e.id"

static ChBillingEncounter *
encounter_from_row (sqlite3_stmt *stmt)
{
  ChBillingEncounter *e = g_new0 (ChBillingEncounter, 1);
  g_autoptr (GDateTime) dt = NULL;

  e->encounter_id = sqlite3_column_int64 (stmt, 0);
  e->patient_id = sqlite3_column_int64 (stmt, 1);
  e->start_at = sqlite3_column_int64 (stmt, 2);
  e->provider = g_strdup (ch_store_column_text (stmt, 3));
  e->reason = g_strdup (ch_store_column_text (stmt, 4));
  e->active = g_strcmp0 (ch_store_column_text (stmt, 5), "active") == 0;
  e->ready = sqlite3_column_int (stmt, 6) != 0;
  e->n_lines = sqlite3_column_int64 (stmt, 7);
  e->charged_cents = sqlite3_column_int64 (stmt, 8);
  e->provider_name = g_strdup (ch_store_column_text (stmt, 9));
  /* The date of service is the day as the practice lived it. */
  dt = g_date_time_new_from_unix_local (e->start_at / G_USEC_PER_SEC);
  e->date = dt != NULL ? g_date_time_format (dt, "%Y-%m-%d") : g_strdup ("");
  return e;
}

ChBillingEncounter *
ch_db_billing_encounter_get (ChStore  *store,
                             gint64    encounter_id,
                             GError  **error)
{
  ChBillingEncounter *encounter = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, ENCOUNTER_QUERY " WHERE e.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, encounter_id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    encounter = encounter_from_row (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                 _("No encounter %" PRId64), encounter_id);
  sqlite3_reset (stmt);
  return encounter;
}

GPtrArray *
ch_db_billing_encounter_list (ChStore  *store,
                              gint64    patient_id,
                              GError  **error)
{
  g_autoptr (GPtrArray) list =
    g_ptr_array_new_with_free_func ((GDestroyNotify) ch_billing_encounter_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, ENCOUNTER_QUERY " WHERE e.patient_id = ?"
                           " ORDER BY e.start_at DESC, e.id DESC", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (list, encounter_from_row (stmt));
  sqlite3_reset (stmt);
  return rc < 0 ? NULL : g_steal_pointer (&list);
}

gboolean
ch_db_billing_mark_ready (ChStore     *store,
                          gint64       encounter_id,
                          const char  *username,
                          GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO billing_encounters (encounter_id, status, marked_at, marked_by)"
                           " VALUES (?, 'ready', ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, encounter_id);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  ch_store_bind_text (stmt, 3, username ? username : "");
  return ch_store_step_done (store, stmt, error);
}

gint64
ch_db_billing_find_problem (ChStore     *store,
                            gint64       patient_id,
                            const char  *code,
                            GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 id = 0;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT id FROM chart_items WHERE patient_id = ? AND section = 'problem'"
                           " AND status = 'active' AND code_system = 'icd10cm'"
                           " AND replace (upper (code), '.', '') = replace (upper (?), '.', '')"
                           " ORDER BY (clinical_status = 'active') DESC, effective_at DESC LIMIT 1",
                           error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_text (stmt, 2, code, -1, SQLITE_TRANSIENT);
  rc = ch_store_step (store, stmt, error);
  if (rc < 0)
    return -1;
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return id;
}

/* ---- charges ----------------------------------------------------------------- */

#define CHARGE_QUERY \
  "SELECT c.id, c.encounter_id, c.patient_id, c.fee_id, c.code, c.service_date, c.units," \
  " c.unit_price_cents, c.amount_cents, c.modifiers, c.dx1, c.dx2, c.dx3, c.dx4, c.created_at," \
  " c.created_by, ce.id, EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = ce.id)," \
  " (SELECT coalesce (sum (a.amount_cents), 0) FROM payment_allocations a" \
  "   WHERE a.charge_line_id = c.id AND" PAYMENT_LIVE ("a") ")" \
  " FROM charge_lines c LEFT JOIN ledger_entries ce ON ce.charge_line_id = c.id" \
  "  AND ce.kind = 'charge'"

static ChChargeLine *
charge_from_row (sqlite3_stmt *stmt)
{
  ChChargeLine *line = g_new0 (ChChargeLine, 1);

  line->id = sqlite3_column_int64 (stmt, 0);
  line->encounter_id = sqlite3_column_int64 (stmt, 1);
  line->patient_id = sqlite3_column_int64 (stmt, 2);
  line->fee_id = sqlite3_column_int64 (stmt, 3);
  line->code = g_strdup (ch_store_column_text (stmt, 4));
  line->service_date = g_strdup (ch_store_column_text (stmt, 5));
  line->units = sqlite3_column_int64 (stmt, 6);
  line->unit_price_cents = sqlite3_column_int64 (stmt, 7);
  line->amount_cents = sqlite3_column_int64 (stmt, 8);
  line->modifiers = g_strdup (ch_store_column_text (stmt, 9));
  for (int i = 0; i < 4; i++)
    line->dx[i] = sqlite3_column_int64 (stmt, 10 + i);
  line->created_at = sqlite3_column_int64 (stmt, 14);
  line->created_by = g_strdup (ch_store_column_text (stmt, 15));
  line->ledger_entry_id = sqlite3_column_int64 (stmt, 16);
  line->reversed = sqlite3_column_int (stmt, 17) != 0;
  line->allocated_cents = sqlite3_column_int64 (stmt, 18);
  return line;
}

gboolean
ch_db_charge_insert (ChStore       *store,
                     ChChargeLine  *line,
                     const char    *username,
                     GError       **error)
{
  g_autoptr (ChLedgerEntry) entry = ch_ledger_entry_new ();
  sqlite3_stmt *stmt;

  g_return_val_if_fail (line != NULL && line->code != NULL && line->service_date != NULL, FALSE);

  line->amount_cents = line->units * line->unit_price_cents;
  line->created_at = g_get_real_time ();
  stmt = ch_store_prepare (store,
                           "INSERT INTO charge_lines (encounter_id, patient_id, fee_id, code,"
                           " service_date, units, unit_price_cents, amount_cents, modifiers,"
                           " dx1, dx2, dx3, dx4, created_at, created_by)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, line->encounter_id);
  sqlite3_bind_int64 (stmt, 2, line->patient_id);
  sqlite3_bind_int64 (stmt, 3, line->fee_id);
  sqlite3_bind_text (stmt, 4, line->code, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, line->service_date, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, line->units);
  sqlite3_bind_int64 (stmt, 7, line->unit_price_cents);
  sqlite3_bind_int64 (stmt, 8, line->amount_cents);
  ch_store_bind_text (stmt, 9, line->modifiers ? line->modifiers : "");
  for (int i = 0; i < 4; i++)
    bind_id_or_null (stmt, 10 + i, line->dx[i]);
  sqlite3_bind_int64 (stmt, 14, line->created_at);
  ch_store_bind_text (stmt, 15, username ? username : "");
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  line->id = ch_store_last_insert_id (store);
  g_free (line->created_by);
  line->created_by = g_strdup (username ? username : "");

  entry->patient_id = line->patient_id;
  entry->kind = g_strdup ("charge");
  entry->amount_cents = line->amount_cents;
  entry->charge_line_id = line->id;
  if (!ch_db_ledger_insert (store, entry, username, error))
    return FALSE;
  line->ledger_entry_id = entry->id;
  return TRUE;
}

ChChargeLine *
ch_db_charge_get (ChStore  *store,
                  gint64    line_id,
                  GError  **error)
{
  ChChargeLine *line = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, CHARGE_QUERY " WHERE c.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, line_id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    line = charge_from_row (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                 _("No charge line %" PRId64), line_id);
  sqlite3_reset (stmt);
  return line;
}

GPtrArray *
ch_db_charge_list (ChStore  *store,
                   gint64    encounter_id,
                   gint64    patient_id,
                   GError  **error)
{
  g_autoptr (GPtrArray) lines =
    g_ptr_array_new_with_free_func ((GDestroyNotify) ch_charge_line_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, CHARGE_QUERY
                           " WHERE (?1 = 0 OR c.encounter_id = ?1) AND (?2 = 0 OR c.patient_id = ?2)"
                           " ORDER BY c.id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, encounter_id);
  sqlite3_bind_int64 (stmt, 2, patient_id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (lines, charge_from_row (stmt));
  sqlite3_reset (stmt);
  return rc < 0 ? NULL : g_steal_pointer (&lines);
}

/* ---- payments ---------------------------------------------------------------- */

gboolean
ch_db_payment_insert (ChStore     *store,
                      ChPayment   *payment,
                      const char  *username,
                      GError     **error)
{
  g_autoptr (ChLedgerEntry) entry = ch_ledger_entry_new ();
  sqlite3_stmt *stmt;

  g_return_val_if_fail (payment != NULL && payment->method != NULL, FALSE);

  payment->received_at = g_get_real_time ();
  stmt = ch_store_prepare (store,
                           "INSERT INTO payments (patient_id, method, reference, amount_cents,"
                           " received_at, received_by) VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, payment->patient_id);
  sqlite3_bind_text (stmt, 2, payment->method, -1, SQLITE_TRANSIENT);
  ch_store_bind_text (stmt, 3, payment->reference ? payment->reference : "");
  sqlite3_bind_int64 (stmt, 4, payment->amount_cents);
  sqlite3_bind_int64 (stmt, 5, payment->received_at);
  ch_store_bind_text (stmt, 6, username ? username : "");
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  payment->id = ch_store_last_insert_id (store);
  g_free (payment->received_by);
  payment->received_by = g_strdup (username ? username : "");

  entry->patient_id = payment->patient_id;
  entry->kind = g_strdup ("payment");
  entry->amount_cents = -payment->amount_cents;
  entry->payment_id = payment->id;
  entry->method = g_strdup (payment->method);
  if (!ch_db_ledger_insert (store, entry, username, error))
    return FALSE;
  payment->ledger_entry_id = entry->id;
  return TRUE;
}

ChPayment *
ch_db_payment_get (ChStore  *store,
                   gint64    payment_id,
                   GError  **error)
{
  ChPayment *payment = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT p.id, p.patient_id, p.method, p.reference, p.amount_cents,"
                           " p.received_at, p.received_by, e.id FROM payments p"
                           " LEFT JOIN ledger_entries e ON e.payment_id = p.id AND e.kind = 'payment'"
                           " WHERE p.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, payment_id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    {
      payment = g_new0 (ChPayment, 1);
      payment->id = sqlite3_column_int64 (stmt, 0);
      payment->patient_id = sqlite3_column_int64 (stmt, 1);
      payment->method = g_strdup (ch_store_column_text (stmt, 2));
      payment->reference = g_strdup (ch_store_column_text (stmt, 3));
      payment->amount_cents = sqlite3_column_int64 (stmt, 4);
      payment->received_at = sqlite3_column_int64 (stmt, 5);
      payment->received_by = g_strdup (ch_store_column_text (stmt, 6));
      payment->ledger_entry_id = sqlite3_column_int64 (stmt, 7);
    }
  else if (rc == SQLITE_DONE)
    not_found (error, _("No such payment"));
  sqlite3_reset (stmt);
  return payment;
}

gint64
ch_db_payment_allocated (ChStore  *store,
                         gint64    payment_id,
                         GError  **error)
{
  sqlite3_stmt *stmt;
  gint64 sum = -1;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT coalesce (sum (a.amount_cents), 0) FROM payment_allocations a"
                           " JOIN charge_lines c ON c.id = a.charge_line_id"
                           " JOIN ledger_entries ce ON ce.charge_line_id = c.id AND ce.kind = 'charge'"
                           " WHERE a.payment_id = ?"
                           " AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = ce.id)",
                           error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, payment_id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    sum = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return sum;
}

gboolean
ch_db_allocation_insert (ChStore     *store,
                         gint64       payment_id,
                         gint64       charge_line_id,
                         gint64       amount_cents,
                         const char  *username,
                         GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO payment_allocations (payment_id, charge_line_id, amount_cents,"
                           " created_at, created_by) VALUES (?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, payment_id);
  sqlite3_bind_int64 (stmt, 2, charge_line_id);
  sqlite3_bind_int64 (stmt, 3, amount_cents);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time ());
  ch_store_bind_text (stmt, 5, username ? username : "");
  return ch_store_step_done (store, stmt, error);
}

/* ---- the ledger -------------------------------------------------------------- */

#define LEDGER_QUERY \
  "SELECT l.id, l.patient_id, l.kind, l.amount_cents, l.charge_line_id, l.payment_id," \
  " l.reverses, l.method, l.reason, l.posted_at, l.posted_by," \
  " (SELECT r.id FROM ledger_entries r WHERE r.reverses = l.id)," \
  " (SELECT c.service_date FROM charge_lines c WHERE c.id = l.charge_line_id)" \
  " FROM ledger_entries l"

static ChLedgerEntry *
entry_from_row (sqlite3_stmt *stmt)
{
  ChLedgerEntry *entry = ch_ledger_entry_new ();

  entry->id = sqlite3_column_int64 (stmt, 0);
  entry->patient_id = sqlite3_column_int64 (stmt, 1);
  entry->kind = g_strdup (ch_store_column_text (stmt, 2));
  entry->amount_cents = sqlite3_column_int64 (stmt, 3);
  entry->charge_line_id = sqlite3_column_int64 (stmt, 4);
  entry->payment_id = sqlite3_column_int64 (stmt, 5);
  entry->reverses = sqlite3_column_int64 (stmt, 6);
  entry->method = g_strdup (ch_store_column_text (stmt, 7));
  entry->reason = g_strdup (ch_store_column_text (stmt, 8));
  entry->posted_at = sqlite3_column_int64 (stmt, 9);
  entry->posted_by = g_strdup (ch_store_column_text (stmt, 10));
  entry->reversed_by = sqlite3_column_int64 (stmt, 11);
  if (sqlite3_column_type (stmt, 12) != SQLITE_NULL)
    entry->service_date = g_strdup (ch_store_column_text (stmt, 12));
  return entry;
}

gboolean
ch_db_ledger_insert (ChStore        *store,
                     ChLedgerEntry  *entry,
                     const char     *username,
                     GError        **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (entry != NULL && entry->kind != NULL, FALSE);

  entry->posted_at = g_get_real_time ();
  stmt = ch_store_prepare (store,
                           "INSERT INTO ledger_entries (patient_id, kind, amount_cents, charge_line_id,"
                           " payment_id, reverses, method, reason, posted_at, posted_by)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, entry->patient_id);
  sqlite3_bind_text (stmt, 2, entry->kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, entry->amount_cents);
  bind_id_or_null (stmt, 4, entry->charge_line_id);
  bind_id_or_null (stmt, 5, entry->payment_id);
  bind_id_or_null (stmt, 6, entry->reverses);
  ch_store_bind_text (stmt, 7, entry->method ? entry->method : "");
  ch_store_bind_text (stmt, 8, entry->reason ? entry->reason : "");
  sqlite3_bind_int64 (stmt, 9, entry->posted_at);
  ch_store_bind_text (stmt, 10, username ? username : "");
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  entry->id = ch_store_last_insert_id (store);
  g_free (entry->posted_by);
  entry->posted_by = g_strdup (username ? username : "");
  return TRUE;
}

ChLedgerEntry *
ch_db_ledger_get (ChStore  *store,
                  gint64    entry_id,
                  GError  **error)
{
  ChLedgerEntry *entry = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, LEDGER_QUERY " WHERE l.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, entry_id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    entry = entry_from_row (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                 _("No ledger entry %" PRId64), entry_id);
  sqlite3_reset (stmt);
  return entry;
}

GPtrArray *
ch_db_ledger_list (ChStore  *store,
                   gint64    patient_id,
                   GError  **error)
{
  g_autoptr (GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) ch_ledger_entry_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, LEDGER_QUERY " WHERE l.patient_id = ? ORDER BY l.id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (entries, entry_from_row (stmt));
  sqlite3_reset (stmt);
  return rc < 0 ? NULL : g_steal_pointer (&entries);
}

gboolean
ch_db_ledger_balance (ChStore  *store,
                      gint64    patient_id,
                      gint64   *out_cents,
                      GError  **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT coalesce (sum (amount_cents), 0) FROM ledger_entries"
                           " WHERE patient_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    *out_cents = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW;
}

gboolean
ch_db_opening_balance_post (ChStore     *store,
                            gint64       balance_id,
                            gint64       patient_id,
                            gint64       amount_cents,
                            const char  *reason,
                            const char  *username,
                            gint64      *out_entry_id,
                            GError     **error)
{
  g_autoptr (ChLedgerEntry) entry = ch_ledger_entry_new ();
  sqlite3_stmt *stmt;
  int rc;

  *out_entry_id = 0;
  /* Checked again here, inside the caller's transaction: another desk may
   * have posted it since the list was read. */
  stmt = ch_store_prepare (store,
                           "SELECT posted_at IS NULL FROM import_balances WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, balance_id);
  rc = ch_store_step (store, stmt, error);
  if (rc < 0)
    return FALSE;
  if (rc == SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      return not_found (error, _("No such opening balance"));
    }
  if (sqlite3_column_int (stmt, 0) == 0)
    {
      sqlite3_reset (stmt);
      return TRUE;
    }
  sqlite3_reset (stmt);

  entry->patient_id = patient_id;
  entry->kind = g_strdup ("opening");
  entry->amount_cents = amount_cents;
  entry->reason = g_strdup (reason ? reason : "");
  if (!ch_db_ledger_insert (store, entry, username, error))
    return FALSE;

  stmt = ch_store_prepare (store,
                           "UPDATE import_balances SET posted_at = ?, ledger_entry_id = ?"
                           " WHERE id = ? AND posted_at IS NULL", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, entry->posted_at);
  sqlite3_bind_int64 (stmt, 2, entry->id);
  sqlite3_bind_int64 (stmt, 3, balance_id);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  *out_entry_id = entry->id;
  return TRUE;
}
