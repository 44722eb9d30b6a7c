/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "ch-records.h"

G_BEGIN_DECLS

#define CH_TYPE_NOTES_ITEM (ch_notes_item_get_type ())
G_DECLARE_FINAL_TYPE (ChNotesItem, ch_notes_item, CH, NOTES_ITEM, GObject)

ChNotesItem *ch_notes_item_new         (const ChNoteRecord *note);
gint64       ch_notes_item_get_id      (ChNotesItem        *self);
const char  *ch_notes_item_get_state   (ChNotesItem        *self);
gboolean     ch_notes_item_get_needs_cosign (ChNotesItem   *self);
const char  *ch_notes_item_get_summary (ChNotesItem        *self);
char        *ch_notes_item_state_label (const ChNoteRecord *note);
const char  *ch_notes_item_state_class (const ChNoteRecord *note);

G_END_DECLS
