/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_RECALL_DIALOG (ch_recall_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ChRecallDialog, ch_recall_dialog, CH, RECALL_DIALOG, AdwWindow)

/* Adds a patient to the recall list: the patient found as one types, what
 * they are due for, when, why, and with whom if it matters. "added" gives
 * the new recall's id.
 * @providers: (element-type ChResource): referenced */
GtkWidget *ch_recall_dialog_new         (GtkWindow      *parent,
                                         ChSession      *session,
                                         GPtrArray      *providers);
gboolean   ch_recall_dialog_get_busy    (ChRecallDialog *self);
/* For tests: chooses a patient as picking them from the search would. */
void       ch_recall_dialog_set_patient (ChRecallDialog *self,
                                         gint64          patient_id,
                                         const char     *name);

G_END_DECLS
