/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-records.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_INCOMING_DIALOG (ch_incoming_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ChIncomingDialog, ch_incoming_dialog, CH, INCOMING_DIALOG, AdwWindow)

GtkWidget *ch_incoming_dialog_new         (GtkWindow             *parent,
                                           ChSession             *session,
                                           const ChPatientRecord *patient);
/* Stages the CCD in @file for the patient (what "Import CCD…" does with the
 * file chosen); when its patient is another, asks whether to import it
 * anyway. */
void       ch_incoming_dialog_import_file (ChIncomingDialog      *self,
                                           GFile                 *file);
gboolean   ch_incoming_dialog_get_busy    (ChIncomingDialog      *self);
/* For tests: how many pending items the dialog shows. */
guint      ch_incoming_dialog_get_n_items (ChIncomingDialog      *self);

G_END_DECLS
