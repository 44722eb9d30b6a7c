/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-records.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_VITALS_DIALOG (ch_vitals_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ChVitalsDialog, ch_vitals_dialog, CH, VITALS_DIALOG, AdwWindow)

GtkWidget *ch_vitals_dialog_new          (GtkWindow             *parent,
                                          ChSession             *session,
                                          const ChPatientRecord *patient);
gboolean   ch_vitals_dialog_get_busy     (ChVitalsDialog        *self);
gboolean   ch_vitals_dialog_get_imperial (ChVitalsDialog        *self);

G_END_DECLS
