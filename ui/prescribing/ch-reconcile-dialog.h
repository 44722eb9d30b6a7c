/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-records.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_RECONCILE_DIALOG (ch_reconcile_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ChReconcileDialog, ch_reconcile_dialog, CH, RECONCILE_DIALOG, AdwWindow)

/* @medications: (element-type ChChartItem): the patient's medication list */
GtkWidget *ch_reconcile_dialog_new      (GtkWindow             *parent,
                                         ChSession             *session,
                                         const ChPatientRecord *patient,
                                         GPtrArray             *medications);
gboolean   ch_reconcile_dialog_get_busy (ChReconcileDialog     *self);
/* For tests: how many lines the comparison shows. */
guint      ch_reconcile_dialog_get_n_lines (ChReconcileDialog  *self);

G_END_DECLS
