/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-patient-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_POLICY_DIALOG (ch_policy_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ChPolicyDialog, ch_policy_dialog, CH, POLICY_DIALOG, AdwWindow)

GtkWidget *ch_policy_dialog_new      (GtkWindow            *parent,
                                      ChSession            *session,
                                      gint64                patient_id,
                                      const ChPolicyRecord *policy,
                                      int                   priority);
gboolean   ch_policy_dialog_get_busy (ChPolicyDialog       *self);

G_END_DECLS
