/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-billing-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_CHARGE_DIALOG (ch_charge_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ChChargeDialog, ch_charge_dialog, CH, CHARGE_DIALOG, AdwWindow)

/* Adds a charge line to an open encounter: the procedure found in the fee
 * schedule in force on the encounter's date, units, up to four modifiers
 * and up to four diagnosis pointers among the patient's active ICD-10
 * problems. Stored on a worker; refused, the dialog says why and stays.
 * Emits ::added once the line is stored, then closes. */
GtkWidget  *ch_charge_dialog_new             (GtkWindow                *parent,
                                              ChSession                *session,
                                              const ChBillingEncounter *encounter,
                                              GPtrArray                *fees,
                                              GPtrArray                *problems);
gboolean    ch_charge_dialog_select_code     (ChChargeDialog *self,
                                              const char     *code);
void        ch_charge_dialog_set_units       (ChChargeDialog *self,
                                              guint           units);
void        ch_charge_dialog_set_modifiers   (ChChargeDialog *self,
                                              const char     *text);
gboolean    ch_charge_dialog_set_diagnosis   (ChChargeDialog *self,
                                              const char     *code,
                                              gboolean        chosen);
guint       ch_charge_dialog_get_n_fees      (ChChargeDialog *self);
gboolean    ch_charge_dialog_get_busy        (ChChargeDialog *self);
const char *ch_charge_dialog_get_error       (ChChargeDialog *self);

G_END_DECLS
