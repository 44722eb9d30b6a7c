/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-history-db"

#include "config.h"

#include "ch-history-db.h"
#include "ch-store-private.h"

static void
bind_id (sqlite3_stmt *stmt,
         int           idx,
         gint64        id)
{
  if (id != 0)
    sqlite3_bind_int64 (stmt, idx, id);
  else
    sqlite3_bind_null (stmt, idx);
}

/* Steps @stmt to its end: the new row's id, or 0. */
static gint64
insert (ChStore       *store,
        sqlite3_stmt  *stmt,
        GError       **error)
{
  if (!ch_store_step_done (store, stmt, error))
    return 0;
  return ch_store_last_insert_id (store);
}

gint64
ch_db_history_encounter (ChStore     *store,
                         gint64       patient_id,
                         gint64       start_at,
                         const char  *provider,
                         const char  *reason,
                         gint64       updated_at,
                         GError     **error)
{
  sqlite3_stmt *stmt = ch_store_prepare (store,
                                         "INSERT INTO encounters (patient_id, start_at, provider,"
                                         " kind, reason, updated_at, updated_by)"
                                         " VALUES (?, ?, ?, 'office', ?, ?, ?)", error);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_int64 (stmt, 2, start_at);
  sqlite3_bind_text (stmt, 3, provider, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, updated_at);
  sqlite3_bind_text (stmt, 6, provider, -1, SQLITE_TRANSIENT);
  return insert (store, stmt, error);
}

gint64
ch_db_history_appointment (ChStore     *store,
                           gint64       patient_id,
                           const char  *provider_id,
                           const char  *room_id,
                           gint64       type_id,
                           gint64       start_at,
                           int          duration_min,
                           const char  *reason,
                           const char  *status,
                           const char  *cancel_reason,
                           int          version,
                           gint64       created_at,
                           gint64       updated_at,
                           const char  *username,
                           GError     **error)
{
  sqlite3_stmt *stmt = ch_store_prepare (store,
                                         "INSERT INTO appointments (patient_id, provider_id, room_id,"
                                         " type_id, start_at, duration_min, reason, status,"
                                         " cancel_reason, version, created_at, created_by,"
                                         " updated_at, updated_by)"
                                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_text (stmt, 2, provider_id, -1, SQLITE_TRANSIENT);
  if (room_id != NULL)
    sqlite3_bind_text (stmt, 3, room_id, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 3);
  sqlite3_bind_int64 (stmt, 4, type_id);
  sqlite3_bind_int64 (stmt, 5, start_at);
  sqlite3_bind_int (stmt, 6, duration_min);
  sqlite3_bind_text (stmt, 7, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, status, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, cancel_reason ? cancel_reason : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 10, version);
  sqlite3_bind_int64 (stmt, 11, created_at);
  sqlite3_bind_text (stmt, 12, username, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 13, updated_at);
  sqlite3_bind_text (stmt, 14, username, -1, SQLITE_TRANSIENT);
  return insert (store, stmt, error);
}

gboolean
ch_db_history_status (ChStore     *store,
                      gint64       appointment_id,
                      const char  *status,
                      gint64       at,
                      const char  *username,
                      const char  *note,
                      GError     **error)
{
  sqlite3_stmt *stmt = ch_store_prepare (store,
                                         "INSERT INTO appointment_status_history (appointment_id,"
                                         " status, at, by, note) VALUES (?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, appointment_id);
  sqlite3_bind_text (stmt, 2, status, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, at);
  sqlite3_bind_text (stmt, 4, username, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, note ? note : "", -1, SQLITE_TRANSIENT);
  return ch_store_step_done (store, stmt, error);
}

gint64
ch_db_history_charge_line (ChStore      *store,
                           gint64        encounter_id,
                           gint64        patient_id,
                           gint64        fee_id,
                           const char   *code,
                           const char   *service_date,
                           gint64        units,
                           gint64        unit_price_cents,
                           const char   *modifiers,
                           const gint64 *dx,
                           gint64        at,
                           const char   *username,
                           GError      **error)
{
  sqlite3_stmt *stmt = ch_store_prepare (store,
                                         "INSERT INTO charge_lines (encounter_id, patient_id, fee_id,"
                                         " code, service_date, units, unit_price_cents, amount_cents,"
                                         " modifiers, dx1, dx2, dx3, dx4, created_at, created_by)"
                                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                         error);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, encounter_id);
  sqlite3_bind_int64 (stmt, 2, patient_id);
  sqlite3_bind_int64 (stmt, 3, fee_id);
  sqlite3_bind_text (stmt, 4, code, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, service_date, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, units);
  sqlite3_bind_int64 (stmt, 7, unit_price_cents);
  sqlite3_bind_int64 (stmt, 8, units * unit_price_cents);
  sqlite3_bind_text (stmt, 9, modifiers ? modifiers : "", -1, SQLITE_TRANSIENT);
  for (int i = 0; i < 4; i++)
    bind_id (stmt, 10 + i, dx != NULL ? dx[i] : 0);
  sqlite3_bind_int64 (stmt, 14, at);
  sqlite3_bind_text (stmt, 15, username, -1, SQLITE_TRANSIENT);
  return insert (store, stmt, error);
}

gboolean
ch_db_history_ready (ChStore     *store,
                     gint64       encounter_id,
                     gint64       at,
                     const char  *username,
                     GError     **error)
{
  sqlite3_stmt *stmt = ch_store_prepare (store,
                                         "INSERT INTO billing_encounters (encounter_id, status,"
                                         " marked_at, marked_by) VALUES (?, 'ready', ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, encounter_id);
  sqlite3_bind_int64 (stmt, 2, at);
  sqlite3_bind_text (stmt, 3, username, -1, SQLITE_TRANSIENT);
  return ch_store_step_done (store, stmt, error);
}

gint64
ch_db_history_payment (ChStore     *store,
                       gint64       patient_id,
                       const char  *method,
                       const char  *reference,
                       gint64       amount_cents,
                       gint64       at,
                       const char  *username,
                       GError     **error)
{
  sqlite3_stmt *stmt = ch_store_prepare (store,
                                         "INSERT INTO payments (patient_id, method, reference,"
                                         " amount_cents, received_at, received_by)"
                                         " VALUES (?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_text (stmt, 2, method, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, reference ? reference : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, amount_cents);
  sqlite3_bind_int64 (stmt, 5, at);
  sqlite3_bind_text (stmt, 6, username, -1, SQLITE_TRANSIENT);
  return insert (store, stmt, error);
}

gint64
ch_db_history_allocation (ChStore     *store,
                          gint64       payment_id,
                          gint64       charge_line_id,
                          gint64       amount_cents,
                          gint64       at,
                          const char  *username,
                          GError     **error)
{
  sqlite3_stmt *stmt = ch_store_prepare (store,
                                         "INSERT INTO payment_allocations (payment_id, charge_line_id,"
                                         " amount_cents, created_at, created_by)"
                                         " VALUES (?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, payment_id);
  sqlite3_bind_int64 (stmt, 2, charge_line_id);
  sqlite3_bind_int64 (stmt, 3, amount_cents);
  sqlite3_bind_int64 (stmt, 4, at);
  sqlite3_bind_text (stmt, 5, username, -1, SQLITE_TRANSIENT);
  return insert (store, stmt, error);
}

gint64
ch_db_history_ledger (ChStore     *store,
                      gint64       patient_id,
                      const char  *kind,
                      gint64       amount_cents,
                      gint64       charge_line_id,
                      gint64       payment_id,
                      gint64       reverses,
                      const char  *method,
                      const char  *reason,
                      gint64       at,
                      const char  *username,
                      GError     **error)
{
  sqlite3_stmt *stmt = ch_store_prepare (store,
                                         "INSERT INTO ledger_entries (patient_id, kind, amount_cents,"
                                         " charge_line_id, payment_id, reverses, method, reason,"
                                         " posted_at, posted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                         error);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_text (stmt, 2, kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, amount_cents);
  bind_id (stmt, 4, charge_line_id);
  bind_id (stmt, 5, payment_id);
  bind_id (stmt, 6, reverses);
  sqlite3_bind_text (stmt, 7, method ? method : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, reason ? reason : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 9, at);
  sqlite3_bind_text (stmt, 10, username, -1, SQLITE_TRANSIENT);
  return insert (store, stmt, error);
}

gboolean
ch_db_history_settle (ChStore  *store,
                      GError  **error)
{
  /* The period indexes of schemas 0021, 0022, 0025 and 0026. */
  static const char * const indexes[] = {
    "appointments_report", "appointments_done_start", "encounters_active_start",
    "chart_items_vital_period", "chart_items_coded", "charge_lines_service",
    "charge_lines_created", "payments_received", "ledger_entries_kind",
  };

  for (guint i = 0; i < G_N_ELEMENTS (indexes); i++)
    {
      g_autofree char *sql = g_strdup_printf ("REINDEX %s", indexes[i]);

      if (!ch_store_exec (store, sql, error))
        return FALSE;
    }
  return TRUE;
}
