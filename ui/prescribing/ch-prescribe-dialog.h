/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-prescribing.h"
#include "ch-records.h"

G_BEGIN_DECLS

#define CH_TYPE_PRESCRIBE_DIALOG (ch_prescribe_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ChPrescribeDialog, ch_prescribe_dialog, CH, PRESCRIBE_DIALOG, AdwWindow)

/* @problems: (element-type ChChartItem) (nullable): the patient's problems,
 *   offered as the indication
 * @draft: (nullable): a draft to carry on with (a nurse's, a renewal) */
GtkWidget *ch_prescribe_dialog_new      (GtkWindow             *parent,
                                         ChSession             *session,
                                         const ChPatientRecord *patient,
                                         GPtrArray             *problems,
                                         const ChPrescription  *draft);
gboolean   ch_prescribe_dialog_get_busy (ChPrescribeDialog     *self);
/* For tests: where "Print" sends the print-out instead of the print dialog. */
void       ch_prescribe_dialog_set_print_export (ChPrescribeDialog *self,
                                                 const char        *path);

G_END_DECLS
