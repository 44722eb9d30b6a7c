/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-billing-db.h"
#include "ch-store.h"

G_BEGIN_DECLS

/* The billing desk's view across patients (the window's Billing section):
 * the payments received in a period by method, and the encounters marked
 * ready to bill. Read only; payments whose entry was reversed do not count. */

typedef struct
{
  char   *method;           /* cash, card, cheque, transfer, insurer */
  gint64  count;
  gint64  total_cents;
} ChDeskMethodTotal;

void    ch_desk_method_total_free (ChDeskMethodTotal *total);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChDeskMethodTotal, ch_desk_method_total_free)

typedef struct
{
  gint64  encounter_id;
  gint64  patient_id;
  char   *mrn;
  char   *family_name;
  char   *given_name;
  gint64  start_at;         /* µs since the epoch */
  char   *provider;         /* the provider's name, else what the encounter names */
  gint64  marked_at;
  char   *marked_by;
  gint64  n_lines;          /* charge lines that still count */
  gint64  charged_cents;
} ChDeskReadyEncounter;

void    ch_desk_ready_encounter_free (ChDeskReadyEncounter *encounter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChDeskReadyEncounter, ch_desk_ready_encounter_free)

/* Payments received from @from_us up to (not including) @to_us, by method.
 * Returns: (transfer full) (element-type ChDeskMethodTotal): by method name */
GPtrArray  *ch_db_desk_payments_by_method (ChStore  *store,
                                           gint64    from_us,
                                           gint64    to_us,
                                           GError  **error);
/* At most @limit encounters marked ready to bill (of active encounters),
 * the last marked first, and in *@out_total how many there are in all.
 * Returns: (transfer full) (element-type ChDeskReadyEncounter) */
GPtrArray  *ch_db_desk_ready_encounters   (ChStore  *store,
                                           guint     limit,
                                           gint64   *out_total,
                                           GError  **error);

/* The patient's payments, oldest first (whether reversed or not).
 * Returns: (transfer full) (element-type ChPayment) */
GPtrArray  *ch_db_desk_patient_payments   (ChStore  *store,
                                           gint64    patient_id,
                                           GError  **error);

G_END_DECLS
