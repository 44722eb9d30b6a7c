/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-records.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* Registration of patients (front desk). The patient-record work builds the
 * chart on this. */

gboolean         ch_patients_register       (ChSession        *session,
                                             ChPatientRecord  *record,
                                             GError          **error);
gboolean         ch_patients_register_many  (ChSession        *session,
                                             GPtrArray        *records,
                                             GError          **error);
ChPatientRecord *ch_patients_get            (ChSession        *session,
                                             gint64            id,
                                             GError          **error);
gboolean         ch_patients_validate       (const ChPatientRecord *record,
                                             GError          **error);

G_END_DECLS
