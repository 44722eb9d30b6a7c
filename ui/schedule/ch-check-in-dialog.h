/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-records.h"
#include "ch-schedule-db.h"

G_BEGIN_DECLS

#define CH_TYPE_CHECK_IN_DIALOG (ch_check_in_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ChCheckInDialog, ch_check_in_dialog, CH, CHECK_IN_DIALOG, AdwMessageDialog)

/* @policies: (element-type ChPolicyRecord): the patient's, as read */
GtkWidget *ch_check_in_dialog_new                (GtkWindow             *parent,
                                                  const ChAppointment   *appointment,
                                                  const ChPatientRecord *patient,
                                                  GPtrArray             *policies);
gint64     ch_check_in_dialog_get_appointment_id (ChCheckInDialog       *self);

G_END_DECLS
