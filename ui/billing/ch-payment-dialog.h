/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-billing-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_PAYMENT_DIALOG (ch_payment_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ChPaymentDialog, ch_payment_dialog, CH, PAYMENT_DIALOG, AdwWindow)

/* Takes a payment at the desk: method, amount, the reference (card
 * terminal reference, cheque number …) and its allocation to the lines
 * still owed: oldest first by default, or an amount per line. Stored on a
 * worker; refused, the dialog says why and stays. Emits ::paid, then
 * closes. @lines: (element-type ChChargeLine): the patient's lines still
 * owed, oldest first; @descriptions: (nullable): line id → its words. */
GtkWidget  *ch_payment_dialog_new            (GtkWindow       *parent,
                                              ChSession       *session,
                                              gint64           patient_id,
                                              GPtrArray       *lines,
                                              GHashTable      *descriptions);
void        ch_payment_dialog_set_method     (ChPaymentDialog *self,
                                              const char      *method);
void        ch_payment_dialog_set_amount     (ChPaymentDialog *self,
                                              const char      *text);
void        ch_payment_dialog_set_reference  (ChPaymentDialog *self,
                                              const char      *text);
/* @per_line: FALSE for oldest first */
void        ch_payment_dialog_set_per_line   (ChPaymentDialog *self,
                                              gboolean         per_line);
gboolean    ch_payment_dialog_set_line_amount (ChPaymentDialog *self,
                                               gint64           line_id,
                                               const char      *text);
const char *ch_payment_dialog_get_reference_title (ChPaymentDialog *self);
gboolean    ch_payment_dialog_get_busy       (ChPaymentDialog *self);
const char *ch_payment_dialog_get_error      (ChPaymentDialog *self);

G_END_DECLS
