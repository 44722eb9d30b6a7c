/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-store.h"

G_BEGIN_DECLS

/* Back-dated rows for a generated history (charta-admin demo, the reports'
 * bench): the same rows the scheduling and billing db functions write,
 * with the times given instead of now. Nothing here checks anything: the
 * caller keeps every amount in the ledger as the controllers would. Each
 * returns the new row's id, or 0 with @error set. */

gint64   ch_db_history_encounter   (ChStore      *store,
                                    gint64        patient_id,
                                    gint64        start_at,
                                    const char   *provider,
                                    const char   *reason,
                                    gint64        updated_at,
                                    GError      **error);
/* @room_id: (nullable) */
gint64   ch_db_history_appointment (ChStore      *store,
                                    gint64        patient_id,
                                    const char   *provider_id,
                                    const char   *room_id,
                                    gint64        type_id,
                                    gint64        start_at,
                                    int           duration_min,
                                    const char   *reason,
                                    const char   *status,
                                    const char   *cancel_reason,
                                    int           version,
                                    gint64        created_at,
                                    gint64        updated_at,
                                    const char   *username,
                                    GError      **error);
gboolean ch_db_history_status      (ChStore      *store,
                                    gint64        appointment_id,
                                    const char   *status,
                                    gint64        at,
                                    const char   *username,
                                    const char   *note,
                                    GError      **error);
/* @dx: (array fixed-size=4): chart item ids, 0 for none */
gint64   ch_db_history_charge_line (ChStore      *store,
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
                                    GError      **error);
gboolean ch_db_history_ready       (ChStore      *store,
                                    gint64        encounter_id,
                                    gint64        at,
                                    const char   *username,
                                    GError      **error);
gint64   ch_db_history_payment     (ChStore      *store,
                                    gint64        patient_id,
                                    const char   *method,
                                    const char   *reference,
                                    gint64        amount_cents,
                                    gint64        at,
                                    const char   *username,
                                    GError      **error);
gint64   ch_db_history_allocation  (ChStore      *store,
                                    gint64        payment_id,
                                    gint64        charge_line_id,
                                    gint64        amount_cents,
                                    gint64        at,
                                    const char   *username,
                                    GError      **error);
/* @charge_line_id, @payment_id, @reverses: 0 for none */
gint64   ch_db_history_ledger      (ChStore      *store,
                                    gint64        patient_id,
                                    const char   *kind,
                                    gint64        amount_cents,
                                    gint64        charge_line_id,
                                    gint64        payment_id,
                                    gint64        reverses,
                                    const char   *method,
                                    const char   *reason,
                                    gint64        at,
                                    const char   *username,
                                    GError      **error);

/* Rebuilds the indexes the reports read a period of (by time, by code
 * and time): written patient by patient, a history leaves them scattered
 * half-empty pages, where a practice that writes as days go by has them
 * dense and in order. */
gboolean ch_db_history_settle      (ChStore      *store,
                                    GError      **error);

G_END_DECLS
