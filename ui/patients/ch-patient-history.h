/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-patient-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_PATIENT_HISTORY (ch_patient_history_get_type ())
G_DECLARE_FINAL_TYPE (ChPatientHistory, ch_patient_history, CH, PATIENT_HISTORY, AdwWindow)

GtkWidget *ch_patient_history_new            (GtkWindow             *parent,
                                              ChSession             *session,
                                              const ChPatientRecord *record);
guint      ch_patient_history_get_n_versions (ChPatientHistory      *self);
void       ch_patient_history_select         (ChPatientHistory      *self,
                                              guint                  index);

G_END_DECLS
