/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-session.h"

G_BEGIN_DECLS

/* What the scheduling dialogs share: the instant patient search (the
 * patient list's, on the main thread while the session is idle) into a
 * boxed list, and reading their fields. */

gboolean       ch_schedule_ui_search_patients (ChSession     *session,
                                               const char    *text,
                                               GtkListBox    *results);
gint64         ch_schedule_ui_row_patient_id  (GtkListBoxRow *row);
const char    *ch_schedule_ui_row_patient_name (GtkListBoxRow *row);
char          *ch_schedule_ui_dup_text        (GtkEditable   *editable);
/* @resources: (element-type ChResource) */
GtkStringList *ch_schedule_ui_resource_names  (GPtrArray     *resources,
                                               const char    *first);
char          *ch_schedule_ui_local_text      (gint64         usec,
                                               const char    *format);

G_END_DECLS
