/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-schedule.h"

G_BEGIN_DECLS

#define CH_TYPE_BOOK_DIALOG (ch_book_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ChBookDialog, ch_book_dialog, CH, BOOK_DIALOG, AdwWindow)

/* Books an appointment: the patient found as one types (the patient list's
 * search), the type, provider, room, day and time, how long, why, and
 * whether it repeats. A taken time or one outside working hours is asked
 * about before it is booked anyway.
 * @providers, @rooms, @types: (element-type ChResource / ChApptType): copied */
GtkWidget *ch_book_dialog_new      (GtkWindow   *parent,
                                    ChSession   *session,
                                    GPtrArray   *providers,
                                    GPtrArray   *rooms,
                                    GPtrArray   *types,
                                    const char  *provider_id,
                                    gint64       start);
gboolean   ch_book_dialog_get_busy (ChBookDialog *self);
/* For tests: chooses a patient as picking them from the search would. */
void       ch_book_dialog_set_patient (ChBookDialog *self,
                                       gint64        patient_id,
                                       const char   *name);
/* Fills in what the booking is for: @type_id (0: as it was) and @reason
 * (nullable), as a recall or a request knows them. */
void       ch_book_dialog_set_purpose (ChBookDialog *self,
                                       gint64        type_id,
                                       const char   *reason);
/* Books for @recall_id: the appointment and the recall marked booked go
 * together or not at all. */
void       ch_book_dialog_set_recall  (ChBookDialog *self,
                                       gint64        recall_id);

G_END_DECLS
