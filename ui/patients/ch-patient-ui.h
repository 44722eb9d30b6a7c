/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-records.h"

G_BEGIN_DECLS

/* What the patient widgets share. The coded fields of the patient record
 * (as the controller stores them) and the words people pick them by, in
 * the order the drop-downs list them. */
typedef enum
{
  CH_PATIENT_UI_SEX,
  CH_PATIENT_UI_PHONE_KIND,
  CH_PATIENT_UI_RELATION,
} ChPatientUiChoice;

GtkStringList *ch_patient_ui_model (ChPatientUiChoice  choice);
const char    *ch_patient_ui_code  (ChPatientUiChoice  choice,
                                           guint              position);
guint          ch_patient_ui_find  (ChPatientUiChoice  choice,
                                           const char        *code,
                                           guint              fallback);
const char    *ch_patient_ui_label (ChPatientUiChoice  choice,
                                           const char        *code);

char          *ch_patient_ui_format_time  (gint64             usec);
GtkWidget     *ch_patient_ui_history_version_row (const ChHistoryEntry *entry);
GtkWidget     *ch_patient_ui_history_field_row   (const char *name,
                                                   const char *title,
                                                   const char *value,
                                                   gboolean    changed);
char          *ch_patient_ui_dup_text     (GtkEditable       *editable);

/* A patient's photo: read from an image file the user picked, made at most
 * 512 pixels on its longer side and saved as PNG; and back as a texture.
 * Returns: (transfer full) (nullable) */
GBytes        *ch_patient_ui_load_photo   (GFile             *file,
                                           GError           **error);
GdkTexture    *ch_patient_ui_photo_texture (GBytes           *photo);
/* Shows @record's photo in @avatar, or its initials. */
void           ch_patient_ui_set_avatar   (AdwAvatar             *avatar,
                                           const ChPatientRecord *record);

G_END_DECLS
