/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_LAB_ORDER_DIALOG (ch_lab_order_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ChLabOrderDialog, ch_lab_order_dialog, CH, LAB_ORDER_DIALOG, AdwWindow)

/* Orders lab tests for a patient and sends the order to the practice's lab
 * (see ch-lab-orders.h): tests chosen from a list of common ones or typed
 * in, a priority and a note; sent on a worker. Sent, the dialog closes and
 * @parent's window shows a toast; not sent, it says why and offers to send
 * the kept order again. Emits ::placed once the order is stored. */
GtkWidget  *ch_lab_order_dialog_new                (GtkWindow        *parent,
                                                    ChSession        *session,
                                                    gint64            patient_id);
/* Opens the dialog over @parent's window; the toast goes to @parent's.
 * @patient_label: who is ordered for, as the title's subtitle ("Doe, Jane ·
 * MRN 0042"): an order must never leave in doubt whose it is. */
void        ch_lab_order_dialog_present            (GtkWidget        *parent,
                                                    ChSession        *session,
                                                    gint64            patient_id,
                                                    const char       *patient_label);
void        ch_lab_order_dialog_set_patient_label  (ChLabOrderDialog *self,
                                                    const char       *label);
gboolean    ch_lab_order_dialog_get_busy           (ChLabOrderDialog *self);
/* Returns: (nullable): the placer number of the order placed, once stored */
const char *ch_lab_order_dialog_get_placer_number  (ChLabOrderDialog *self);
/* How many tests are chosen. */
guint       ch_lab_order_dialog_get_n_chosen       (ChLabOrderDialog *self);

G_END_DECLS
