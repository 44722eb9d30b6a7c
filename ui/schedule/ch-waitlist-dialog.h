/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_WAITLIST_DIALOG (ch_waitlist_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ChWaitlistDialog, ch_waitlist_dialog, CH, WAITLIST_DIALOG, AdwWindow)

/* Puts a patient on the waitlist: the patient found as one types, the type
 * of appointment, a provider or any, the range of days they would take and
 * a note. "added" gives the new entry's id.
 * @providers, @types: (element-type ChResource / ChApptType): referenced */
GtkWidget *ch_waitlist_dialog_new         (GtkWindow        *parent,
                                           ChSession        *session,
                                           GPtrArray        *providers,
                                           GPtrArray        *types);
gboolean   ch_waitlist_dialog_get_busy    (ChWaitlistDialog *self);
/* For tests: chooses a patient as picking them from the search would. */
void       ch_waitlist_dialog_set_patient (ChWaitlistDialog *self,
                                           gint64            patient_id,
                                           const char       *name);

G_END_DECLS
