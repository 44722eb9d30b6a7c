/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_BILLING_PAGE (ch_billing_page_get_type ())
G_DECLARE_FINAL_TYPE (ChBillingPage, ch_billing_page, CH, BILLING_PAGE, AdwBin)

GtkWidget  *ch_billing_page_new              (ChSession     *session);
void        ch_billing_page_reload           (ChBillingPage *self);
gboolean    ch_billing_page_get_busy         (ChBillingPage *self);
/* Opens @patient_id's account on the page. */
void        ch_billing_page_open_account     (ChBillingPage *self,
                                              gint64         patient_id,
                                              const char    *label);
/* Returns: (transfer none): the account shown when one is open */
GtkWidget  *ch_billing_page_get_account_view (ChBillingPage *self);
GtkWidget  *ch_billing_page_get_picker       (ChBillingPage *self);
/* Returns: (transfer none) (element-type ChDeskMethodTotal) (nullable) */
GPtrArray  *ch_billing_page_get_payments     (ChBillingPage *self);
/* Returns: (transfer none) (element-type ChDeskReadyEncounter) (nullable) */
GPtrArray  *ch_billing_page_get_ready        (ChBillingPage *self);
gint64      ch_billing_page_get_n_ready      (ChBillingPage *self);

/* Opens the Close the Day dialog (billing.close-day); the page reads
 * today's figures again once a day is closed.
 * Returns: (transfer none) */
GtkWidget     *ch_billing_page_close_day       (ChBillingPage *self);

/* The office manager's claims (billing.build-claims, billing.post-remittance),
 * as once a folder or an 835 file is chosen: on a worker; what was done is
 * then get_claims_message, a refusal get_error. FALSE: not started (busy). */
gboolean       ch_billing_page_build_claims_to (ChBillingPage *self,
                                                GFile         *folder);
gboolean       ch_billing_page_post_remittance (ChBillingPage *self,
                                                GFile         *file);
const char    *ch_billing_page_get_claims_message (ChBillingPage *self);
/* The error shown, or NULL. */
const char    *ch_billing_page_get_error       (ChBillingPage *self);

G_END_DECLS
