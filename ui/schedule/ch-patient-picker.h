/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_PATIENT_PICKER (ch_patient_picker_get_type ())
G_DECLARE_FINAL_TYPE (ChPatientPicker, ch_patient_picker, CH, PATIENT_PICKER, GtkBox)

/* Finding the patient in a scheduling dialog: a search entry with the
 * matches under it, the patient list's instant search run on the main thread
 * while the session is idle. Enter takes the first match. "patient-chosen"
 * is emitted when a match is taken, "stop-search" on Escape (the dialog
 * closes). Typing again forgets the patient chosen. */

GtkWidget  *ch_patient_picker_new              (void);
void        ch_patient_picker_set_session      (ChPatientPicker *self,
                                                ChSession       *session);
ChSession  *ch_patient_picker_get_session      (ChPatientPicker *self);
void        ch_patient_picker_set_patient      (ChPatientPicker *self,
                                                gint64           patient_id,
                                                const char      *name);
gint64      ch_patient_picker_get_patient_id   (ChPatientPicker *self);
const char *ch_patient_picker_get_patient_name (ChPatientPicker *self);
GtkWidget  *ch_patient_picker_get_entry        (ChPatientPicker *self);
GtkWidget  *ch_patient_picker_get_results      (ChPatientPicker *self);

G_END_DECLS
