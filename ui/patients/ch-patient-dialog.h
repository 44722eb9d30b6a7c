/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-patient-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_PATIENT_DIALOG (ch_patient_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ChPatientDialog, ch_patient_dialog, CH, PATIENT_DIALOG, AdwWindow)

GtkWidget *ch_patient_dialog_new            (GtkWindow             *parent,
                                             ChSession             *session,
                                             const ChPatientRecord *record);
gboolean   ch_patient_dialog_get_busy       (ChPatientDialog       *self);
guint      ch_patient_dialog_get_n_phones   (ChPatientDialog       *self);
GtkWidget *ch_patient_dialog_get_phone_row  (ChPatientDialog       *self,
                                             guint                  index);

gboolean   ch_patient_dialog_set_photo_file (ChPatientDialog  *self,
                                             GFile            *file,
                                             GError          **error);

G_END_DECLS
