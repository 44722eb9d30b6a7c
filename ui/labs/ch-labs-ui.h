/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* What the lab widgets share: the words for HL7 codes, and telling the
 * pages on screen that results came in. */

const char *ch_labs_ui_status_label   (const char *status);
char       *ch_labs_ui_flag_label     (const char *flags);
gboolean    ch_labs_ui_flag_abnormal  (const char *flags);
gboolean    ch_labs_ui_flag_critical  (const char *flags);
const char *ch_labs_ui_outcome_label  (const char *outcome);
char       *ch_labs_ui_person_name    (const char *hl7_name);
void        ch_labs_ui_results_changed (GtkWidget  *widget,
                                        gint64      patient_id);

G_END_DECLS
