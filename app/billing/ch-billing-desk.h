/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-billing-desk-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* What the billing desk sees across patients (the window's Billing
 * section): the day's payments by method, and the encounters waiting to be
 * billed. Both need read access to billing (physician, front desk, office
 * manager); reading the list of ready encounters, which names patients, is
 * audited. */

/* @day: YYYY-MM-DD, a local day.
 * Returns: (transfer full) (element-type ChDeskMethodTotal) (nullable) */
GPtrArray  *ch_billing_desk_payments_on  (ChSession  *session,
                                          const char *day,
                                          GError    **error);
/* Returns: (transfer full) (element-type ChDeskReadyEncounter) (nullable):
 * at most @limit, the last marked first; *@out_total: how many in all */
GPtrArray  *ch_billing_desk_ready        (ChSession  *session,
                                          guint       limit,
                                          gint64     *out_total,
                                          GError    **error);

/* The patient's payments with their method and reference, oldest first.
 * Returns: (transfer full) (element-type ChPayment) (nullable) */
GPtrArray  *ch_billing_desk_payments_of  (ChSession  *session,
                                          gint64      patient_id,
                                          GError    **error);

G_END_DECLS
