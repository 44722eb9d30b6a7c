/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-billing-desk-db"

#include "config.h"

#include "ch-billing-desk-db.h"
#include "ch-store-private.h"

void
ch_desk_method_total_free (ChDeskMethodTotal *total)
{
  if (total == NULL)
    return;
  g_free (total->method);
  g_free (total);
}

void
ch_desk_ready_encounter_free (ChDeskReadyEncounter *encounter)
{
  if (encounter == NULL)
    return;
  g_free (encounter->mrn);
  g_free (encounter->family_name);
  g_free (encounter->given_name);
  g_free (encounter->provider);
  g_free (encounter->marked_by);
  g_free (encounter);
}

GPtrArray *
ch_db_desk_payments_by_method (ChStore  *store,
                               gint64    from_us,
                               gint64    to_us,
                               GError  **error)
{
  g_autoptr (GPtrArray) list =
    g_ptr_array_new_with_free_func ((GDestroyNotify) ch_desk_method_total_free);
  sqlite3_stmt *stmt;
  int rc;

  /* A reversed payment was never received, as far as the drawer goes. */
  stmt = ch_store_prepare (store,
                           "SELECT p.method, count (*), coalesce (sum (p.amount_cents), 0)"
                           " FROM payments p JOIN ledger_entries pe"
                           "   ON pe.payment_id = p.id AND pe.kind = 'payment'"
                           " WHERE p.received_at >= ? AND p.received_at < ?"
                           "   AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = pe.id)"
                           " GROUP BY p.method ORDER BY p.method", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, from_us);
  sqlite3_bind_int64 (stmt, 2, to_us);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChDeskMethodTotal *total = g_new0 (ChDeskMethodTotal, 1);

      total->method = g_strdup (ch_store_column_text (stmt, 0));
      total->count = sqlite3_column_int64 (stmt, 1);
      total->total_cents = sqlite3_column_int64 (stmt, 2);
      g_ptr_array_add (list, total);
    }
  sqlite3_reset (stmt);
  return rc < 0 ? NULL : g_steal_pointer (&list);
}

#define READY_FROM \
  " FROM billing_encounters b JOIN encounters e ON e.id = b.encounter_id" \
  " JOIN patients p ON p.id = e.patient_id" \
  " WHERE b.status = 'ready' AND e.status = 'active'"

GPtrArray *
ch_db_desk_ready_encounters (ChStore  *store,
                             guint     limit,
                             gint64   *out_total,
                             GError  **error)
{
  g_autoptr (GPtrArray) list =
    g_ptr_array_new_with_free_func ((GDestroyNotify) ch_desk_ready_encounter_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT count (*)" READY_FROM, error);
  if (stmt == NULL)
    return NULL;
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW && out_total != NULL)
    *out_total = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc < 0)
    return NULL;

  /* The lines and amounts are worked out for the rows shown only. */
  stmt = ch_store_prepare (store,
                           "SELECT r.id, r.patient_id, r.mrn, r.family_name, r.given_name,"
                           " r.start_at,"
                           /* The provider's name: encounters name them by user name,
                            * or by resource id when they have no account. */
                           " coalesce ((SELECT pr.name FROM resources pr WHERE pr.kind = 'provider'"
                           "   AND pr.username = r.provider AND r.provider <> ''"
                           "   ORDER BY pr.active DESC, pr.id LIMIT 1),"
                           "  (SELECT pr.name FROM resources pr WHERE pr.kind = 'provider'"
                           "   AND pr.id = r.provider), r.provider),"
                           " r.marked_at, r.marked_by,"
                           " (SELECT count (*) FROM charge_lines c JOIN ledger_entries ce"
                           "   ON ce.charge_line_id = c.id AND ce.kind = 'charge'"
                           "   WHERE c.encounter_id = r.id"
                           "   AND NOT EXISTS (SELECT 1 FROM ledger_entries x WHERE x.reverses = ce.id)),"
                           " (SELECT coalesce (sum (c.amount_cents), 0) FROM charge_lines c"
                           "   JOIN ledger_entries ce ON ce.charge_line_id = c.id AND ce.kind = 'charge'"
                           "   WHERE c.encounter_id = r.id"
                           "   AND NOT EXISTS (SELECT 1 FROM ledger_entries x WHERE x.reverses = ce.id))"
                           " FROM (SELECT e.id, e.patient_id, p.mrn, p.family_name, p.given_name,"
                           "   e.start_at, e.provider, b.marked_at, b.marked_by"
                           READY_FROM
                           "   ORDER BY b.marked_at DESC, e.id DESC LIMIT ?) r"
                           " ORDER BY r.marked_at DESC, r.id DESC", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, limit);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChDeskReadyEncounter *e = g_new0 (ChDeskReadyEncounter, 1);

      e->encounter_id = sqlite3_column_int64 (stmt, 0);
      e->patient_id = sqlite3_column_int64 (stmt, 1);
      e->mrn = g_strdup (ch_store_column_text (stmt, 2));
      e->family_name = g_strdup (ch_store_column_text (stmt, 3));
      e->given_name = g_strdup (ch_store_column_text (stmt, 4));
      e->start_at = sqlite3_column_int64 (stmt, 5);
      e->provider = g_strdup (ch_store_column_text (stmt, 6));
      e->marked_at = sqlite3_column_int64 (stmt, 7);
      e->marked_by = g_strdup (ch_store_column_text (stmt, 8));
      e->n_lines = sqlite3_column_int64 (stmt, 9);
      e->charged_cents = sqlite3_column_int64 (stmt, 10);
      g_ptr_array_add (list, e);
    }
  sqlite3_reset (stmt);
  return rc < 0 ? NULL : g_steal_pointer (&list);
}

GPtrArray *
ch_db_desk_patient_payments (ChStore  *store,
                             gint64    patient_id,
                             GError  **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_payment_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT p.id, p.patient_id, p.method, p.reference, p.amount_cents,"
                           " p.received_at, p.received_by, e.id FROM payments p"
                           " LEFT JOIN ledger_entries e ON e.payment_id = p.id AND e.kind = 'payment'"
                           " WHERE p.patient_id = ? ORDER BY p.id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChPayment *payment = g_new0 (ChPayment, 1);

      payment->id = sqlite3_column_int64 (stmt, 0);
      payment->patient_id = sqlite3_column_int64 (stmt, 1);
      payment->method = g_strdup (ch_store_column_text (stmt, 2));
      payment->reference = g_strdup (ch_store_column_text (stmt, 3));
      payment->amount_cents = sqlite3_column_int64 (stmt, 4);
      payment->received_at = sqlite3_column_int64 (stmt, 5);
      payment->received_by = g_strdup (ch_store_column_text (stmt, 6));
      payment->ledger_entry_id = sqlite3_column_int64 (stmt, 7);
      g_ptr_array_add (list, payment);
    }
  sqlite3_reset (stmt);
  return rc < 0 ? NULL : g_steal_pointer (&list);
}
