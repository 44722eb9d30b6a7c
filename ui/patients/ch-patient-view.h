/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-patient-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_PATIENT_VIEW (ch_patient_view_get_type ())
G_DECLARE_FINAL_TYPE (ChPatientView, ch_patient_view, CH, PATIENT_VIEW, AdwBin)

void                   ch_patient_view_set_session    (ChPatientView         *self,
                                                       ChSession             *session);
void                   ch_patient_view_show           (ChPatientView         *self,
                                                       const ChPatientRecord *record,
                                                       GPtrArray             *policies);
void                   ch_patient_view_set_record     (ChPatientView         *self,
                                                       const ChPatientRecord *record);
void                   ch_patient_view_clear          (ChPatientView         *self);
const ChPatientRecord *ch_patient_view_get_record     (ChPatientView         *self);
GPtrArray             *ch_patient_view_get_policies   (ChPatientView         *self);
gboolean               ch_patient_view_get_busy       (ChPatientView         *self);
void                   ch_patient_view_update_actions (ChPatientView         *self);
void                   ch_patient_view_focus          (ChPatientView         *self);
void                   ch_patient_view_print_summary_to (ChPatientView       *self,
                                                         const char          *path);

G_END_DECLS
