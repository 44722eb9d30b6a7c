/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-cash-db"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-billing-db.h"
#include "ch-cash-db.h"
#include "ch-store-private.h"

/* As in ch-billing-db.c: an entry counts while no entry reverses it, worked
 * out from the reversing entries each time, never stored. */
#define REVERSED(id) " EXISTS (SELECT 1 FROM ledger_entries rv WHERE rv.reverses = " id ")"

static char *
column_text (sqlite3_stmt *stmt,
             int           col)
{
  const char *text = (const char *) sqlite3_column_text (stmt, col);

  return g_strdup (text ? text : "");
}

void
ch_cash_close_free (ChCashClose *close)
{
  if (close == NULL)
    return;
  g_free (close->day);
  g_free (close->note);
  g_free (close->reopen_reason);
  g_free (close->closed_by);
  g_free (close);
}

void
ch_line_credit_free (ChLineCredit *credit)
{
  if (credit == NULL)
    return;
  g_free (credit->method);
  g_free (credit->reference);
  g_free (credit);
}

void
ch_day_charges_free (ChDayCharges *row)
{
  if (row == NULL)
    return;
  g_free (row->provider);
  g_free (row->code);
  g_free (row->description);
  g_free (row);
}

void
ch_day_money_free (ChDayMoney *row)
{
  if (row == NULL)
    return;
  g_free (row->mrn);
  g_free (row->kind);
  g_free (row->method);
  g_free (row->reference);
  g_free (row->posted_by);
  g_free (row->reason);
  g_free (row->reverses_kind);
  g_free (row);
}

/* ---- closes ------------------------------------------------------------------ */

#define CLOSE_QUERY \
  "SELECT c.id, c.day, c.float_cents, c.expected_cents, c.counted_cents, c.difference_cents," \
  " c.note, c.supersedes, c.reopen_reason, c.closed_at, c.closed_by," \
  " (SELECT s.id FROM cash_closes s WHERE s.supersedes = c.id)" \
  " FROM cash_closes c"

static ChCashClose *
close_from_row (sqlite3_stmt *stmt)
{
  ChCashClose *close = g_new0 (ChCashClose, 1);

  close->id = sqlite3_column_int64 (stmt, 0);
  close->day = column_text (stmt, 1);
  close->float_cents = sqlite3_column_int64 (stmt, 2);
  close->expected_cents = sqlite3_column_int64 (stmt, 3);
  close->counted_cents = sqlite3_column_int64 (stmt, 4);
  close->difference_cents = sqlite3_column_int64 (stmt, 5);
  close->note = column_text (stmt, 6);
  close->supersedes = sqlite3_column_int64 (stmt, 7);
  close->reopen_reason = column_text (stmt, 8);
  close->closed_at = sqlite3_column_int64 (stmt, 9);
  close->closed_by = column_text (stmt, 10);
  close->superseded_by = sqlite3_column_int64 (stmt, 11);
  return close;
}

gboolean
ch_db_cash_close_insert (ChStore      *store,
                         ChCashClose  *close,
                         const char   *username,
                         GError      **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (close != NULL && close->day != NULL, FALSE);

  close->closed_at = g_get_real_time ();
  close->difference_cents = close->counted_cents - close->expected_cents;
  stmt = ch_store_prepare (store,
                           "INSERT INTO cash_closes (day, float_cents, expected_cents,"
                           " counted_cents, difference_cents, note, supersedes, reopen_reason,"
                           " closed_at, closed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  ch_store_bind_text (stmt, 1, close->day);
  sqlite3_bind_int64 (stmt, 2, close->float_cents);
  sqlite3_bind_int64 (stmt, 3, close->expected_cents);
  sqlite3_bind_int64 (stmt, 4, close->counted_cents);
  sqlite3_bind_int64 (stmt, 5, close->difference_cents);
  ch_store_bind_text (stmt, 6, close->note ? close->note : "");
  if (close->supersedes != 0)
    sqlite3_bind_int64 (stmt, 7, close->supersedes);
  else
    sqlite3_bind_null (stmt, 7);
  ch_store_bind_text (stmt, 8, close->reopen_reason ? close->reopen_reason : "");
  sqlite3_bind_int64 (stmt, 9, close->closed_at);
  ch_store_bind_text (stmt, 10, username ? username : "");
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  close->id = ch_store_last_insert_id (store);
  g_free (close->closed_by);
  close->closed_by = g_strdup (username ? username : "");
  return TRUE;
}

ChCashClose *
ch_db_cash_close_latest (ChStore     *store,
                         const char  *day,
                         GError     **error)
{
  sqlite3_stmt *stmt;
  ChCashClose *close = NULL;
  int rc;

  stmt = ch_store_prepare (store, CLOSE_QUERY " WHERE c.day = ? AND NOT EXISTS"
                           " (SELECT 1 FROM cash_closes s WHERE s.supersedes = c.id)"
                           " ORDER BY c.id DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  ch_store_bind_text (stmt, 1, day);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    close = close_from_row (stmt);
  sqlite3_reset (stmt);
  return close;
}

GPtrArray *
ch_db_cash_close_list (ChStore     *store,
                       const char  *day,
                       GError     **error)
{
  g_autoptr (GPtrArray) closes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) ch_cash_close_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, CLOSE_QUERY " WHERE ?1 IS NULL OR c.day = ?1"
                           " ORDER BY c.day, c.id", error);
  if (stmt == NULL)
    return NULL;
  if (day != NULL)
    ch_store_bind_text (stmt, 1, day);
  else
    sqlite3_bind_null (stmt, 1);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (closes, close_from_row (stmt));
  sqlite3_reset (stmt);
  return rc < 0 ? NULL : g_steal_pointer (&closes);
}

/* ---- words behind codes -------------------------------------------------------- */

char *
ch_db_cash_fee_description (ChStore  *store,
                            gint64    fee_id,
                            GError  **error)
{
  sqlite3_stmt *stmt;
  char *text = NULL;
  int rc;

  stmt = ch_store_prepare (store, "SELECT description FROM fee_schedule WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, fee_id);
  rc = ch_store_step (store, stmt, error);
  if (rc < 0)
    return NULL;
  text = rc == SQLITE_ROW ? column_text (stmt, 0) : g_strdup ("");
  sqlite3_reset (stmt);
  return text;
}

gboolean
ch_db_cash_problem_text (ChStore  *store,
                         gint64    item_id,
                         char    **out_code,
                         char    **out_display,
                         GError  **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT code, display FROM chart_items WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, item_id);
  rc = ch_store_step (store, stmt, error);
  if (rc < 0)
    return FALSE;
  *out_code = rc == SQLITE_ROW ? column_text (stmt, 0) : g_strdup ("");
  *out_display = rc == SQLITE_ROW ? column_text (stmt, 1) : g_strdup ("");
  sqlite3_reset (stmt);
  return TRUE;
}

/* ---- an encounter's credits ---------------------------------------------------- */

GPtrArray *
ch_db_cash_encounter_allocations (ChStore  *store,
                                  gint64    encounter_id,
                                  GError  **error)
{
  g_autoptr (GPtrArray) credits =
    g_ptr_array_new_with_free_func ((GDestroyNotify) ch_line_credit_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT a.payment_id, a.charge_line_id, p.method, p.reference,"
                           " a.amount_cents, p.received_at, NOT EXISTS (SELECT 1 FROM"
                           " ledger_entries pe WHERE pe.payment_id = p.id AND pe.kind = 'payment'"
                           " AND" REVERSED ("pe.id") ")"
                           " FROM payment_allocations a JOIN payments p ON p.id = a.payment_id"
                           " JOIN charge_lines c ON c.id = a.charge_line_id"
                           " WHERE c.encounter_id = ? ORDER BY a.id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, encounter_id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChLineCredit *credit = g_new0 (ChLineCredit, 1);

      credit->payment_id = sqlite3_column_int64 (stmt, 0);
      credit->charge_line_id = sqlite3_column_int64 (stmt, 1);
      credit->method = column_text (stmt, 2);
      credit->reference = column_text (stmt, 3);
      credit->amount_cents = sqlite3_column_int64 (stmt, 4);
      credit->received_at = sqlite3_column_int64 (stmt, 5);
      credit->live = sqlite3_column_int (stmt, 6) != 0;
      g_ptr_array_add (credits, credit);
    }
  sqlite3_reset (stmt);
  return rc < 0 ? NULL : g_steal_pointer (&credits);
}

GPtrArray *
ch_db_cash_encounter_entries (ChStore  *store,
                              gint64    encounter_id,
                              GError  **error)
{
  g_autoptr (GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) ch_ledger_entry_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT l.id, l.patient_id, l.kind, l.amount_cents, l.charge_line_id,"
                           " l.reverses, l.method, l.reason, l.posted_at, l.posted_by,"
                           " (SELECT r.id FROM ledger_entries r WHERE r.reverses = l.id)"
                           " FROM ledger_entries l JOIN charge_lines c ON c.id = l.charge_line_id"
                           " WHERE c.encounter_id = ? AND l.kind <> 'charge' ORDER BY l.id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, encounter_id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChLedgerEntry *entry = ch_ledger_entry_new ();

      entry->id = sqlite3_column_int64 (stmt, 0);
      entry->patient_id = sqlite3_column_int64 (stmt, 1);
      entry->kind = column_text (stmt, 2);
      entry->amount_cents = sqlite3_column_int64 (stmt, 3);
      entry->charge_line_id = sqlite3_column_int64 (stmt, 4);
      entry->reverses = sqlite3_column_int64 (stmt, 5);
      entry->method = column_text (stmt, 6);
      entry->reason = column_text (stmt, 7);
      entry->posted_at = sqlite3_column_int64 (stmt, 8);
      entry->posted_by = column_text (stmt, 9);
      entry->reversed_by = sqlite3_column_int64 (stmt, 10);
      g_ptr_array_add (entries, entry);
    }
  sqlite3_reset (stmt);
  return rc < 0 ? NULL : g_steal_pointer (&entries);
}

/* ---- a day's business ---------------------------------------------------------- */

GPtrArray *
ch_db_cash_day_charges (ChStore  *store,
                        gint64    from_usec,
                        gint64    to_usec,
                        GError  **error)
{
  g_autoptr (GPtrArray) rows =
    g_ptr_array_new_with_free_func ((GDestroyNotify) ch_day_charges_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT e.provider, c.code, f.description, count (*), sum (c.units),"
                           " sum (ce.amount_cents)"
                           " FROM ledger_entries ce JOIN charge_lines c ON c.id = ce.charge_line_id"
                           " JOIN encounters e ON e.id = c.encounter_id"
                           " JOIN fee_schedule f ON f.id = c.fee_id"
                           " WHERE ce.kind = 'charge' AND ce.posted_at >= ? AND ce.posted_at < ?"
                           " GROUP BY e.provider, c.code ORDER BY e.provider, c.code", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, from_usec);
  sqlite3_bind_int64 (stmt, 2, to_usec);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChDayCharges *row = g_new0 (ChDayCharges, 1);

      row->provider = column_text (stmt, 0);
      row->code = column_text (stmt, 1);
      row->description = column_text (stmt, 2);
      row->n_lines = sqlite3_column_int64 (stmt, 3);
      row->units = sqlite3_column_int64 (stmt, 4);
      row->amount_cents = sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (rows, row);
    }
  sqlite3_reset (stmt);
  return rc < 0 ? NULL : g_steal_pointer (&rows);
}

GPtrArray *
ch_db_cash_day_money (ChStore  *store,
                      gint64    from_usec,
                      gint64    to_usec,
                      GError  **error)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_day_money_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT l.id, l.patient_id, pt.mrn, l.kind,"
                           " coalesce (p.method, l.method), coalesce (p.reference, ''),"
                           " CASE WHEN l.kind = 'payment' THEN p.amount_cents"
                           " ELSE l.amount_cents END,"
                           " l.posted_at, l.posted_by, l.reason," REVERSED ("l.id") ","
                           " l.reverses, coalesce (o.kind, ''), coalesce (o.posted_at, 0)"
                           " FROM ledger_entries l JOIN patients pt ON pt.id = l.patient_id"
                           " LEFT JOIN payments p ON p.id = l.payment_id AND l.kind = 'payment'"
                           " LEFT JOIN ledger_entries o ON o.id = l.reverses"
                           " WHERE l.kind IN ('payment', 'refund', 'reversal')"
                           " AND l.posted_at >= ? AND l.posted_at < ?"
                           " ORDER BY l.posted_at, l.id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, from_usec);
  sqlite3_bind_int64 (stmt, 2, to_usec);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChDayMoney *row = g_new0 (ChDayMoney, 1);

      row->entry_id = sqlite3_column_int64 (stmt, 0);
      row->patient_id = sqlite3_column_int64 (stmt, 1);
      row->mrn = column_text (stmt, 2);
      row->kind = column_text (stmt, 3);
      row->method = column_text (stmt, 4);
      row->reference = column_text (stmt, 5);
      row->amount_cents = sqlite3_column_int64 (stmt, 6);
      row->posted_at = sqlite3_column_int64 (stmt, 7);
      row->posted_by = column_text (stmt, 8);
      row->reason = column_text (stmt, 9);
      row->reversed = sqlite3_column_int (stmt, 10) != 0;
      row->reverses = sqlite3_column_int64 (stmt, 11);
      row->reverses_kind = column_text (stmt, 12);
      row->reverses_posted_at = sqlite3_column_int64 (stmt, 13);
      g_ptr_array_add (rows, row);
    }
  sqlite3_reset (stmt);
  return rc < 0 ? NULL : g_steal_pointer (&rows);
}
