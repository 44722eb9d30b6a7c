/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-records.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_NOTES_LIST (ch_notes_list_get_type ())
G_DECLARE_FINAL_TYPE (ChNotesList, ch_notes_list, CH, NOTES_LIST, AdwBin)

void        ch_notes_list_set_session    (ChNotesList           *self,
                                          ChSession             *session);
void        ch_notes_list_load           (ChNotesList           *self,
                                          const ChPatientRecord *patient);
void        ch_notes_list_reload         (ChNotesList           *self);
void        ch_notes_list_clear          (ChNotesList           *self);
gboolean    ch_notes_list_get_busy       (ChNotesList           *self);
GListModel *ch_notes_list_get_notes      (ChNotesList           *self);
void        ch_notes_list_update_actions (ChNotesList           *self);

G_END_DECLS
