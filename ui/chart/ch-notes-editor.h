/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-records.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_NOTES_EDITOR (ch_notes_editor_get_type ())
G_DECLARE_FINAL_TYPE (ChNotesEditor, ch_notes_editor, CH, NOTES_EDITOR, AdwWindow)

GtkWidget          *ch_notes_editor_new          (GtkWindow             *parent,
                                                  ChSession             *session,
                                                  const ChPatientRecord *patient,
                                                  gint64                 note_id);
const ChNoteRecord *ch_notes_editor_get_note     (ChNotesEditor         *self);
gboolean            ch_notes_editor_get_busy     (ChNotesEditor         *self);
gboolean            ch_notes_editor_get_editable (ChNotesEditor         *self);

G_END_DECLS
