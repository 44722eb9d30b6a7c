/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-records.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_ENCOUNTER_DIALOG (ch_encounter_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ChEncounterDialog, ch_encounter_dialog, CH, ENCOUNTER_DIALOG, AdwWindow)

GtkWidget *ch_encounter_dialog_new      (GtkWindow             *parent,
                                         ChSession             *session,
                                         const ChPatientRecord *patient);
gboolean   ch_encounter_dialog_get_busy (ChEncounterDialog     *self);

G_END_DECLS
