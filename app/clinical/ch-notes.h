/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-records.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* Progress notes: SOAP or free text, drafts until their author signs them.
 * A signed note is locked and receives only dated addenda; a nurse's note
 * waits for a physician's co-signature. Nothing is deleted: a wrong note is
 * marked entered in error, with the reason. */

gboolean      ch_notes_create_draft     (ChSession     *session,
                                         ChNoteRecord  *note,
                                         GError       **error);
gboolean      ch_notes_update_draft     (ChSession     *session,
                                         ChNoteRecord  *note,
                                         GError       **error);
gboolean      ch_notes_sign             (ChSession     *session,
                                         gint64         note_id,
                                         GError       **error);
gboolean      ch_notes_cosign           (ChSession     *session,
                                         gint64         note_id,
                                         GError       **error);
gboolean      ch_notes_add_addendum     (ChSession     *session,
                                         gint64         note_id,
                                         const char    *text,
                                         GError       **error);
gboolean      ch_notes_entered_in_error (ChSession     *session,
                                         gint64         note_id,
                                         const char    *reason,
                                         GError       **error);
ChNoteRecord *ch_notes_get              (ChSession     *session,
                                         gint64         note_id,
                                         GError       **error);
GPtrArray    *ch_notes_list             (ChSession     *session,
                                         gint64         patient_id,
                                         GError       **error);

G_END_DECLS
