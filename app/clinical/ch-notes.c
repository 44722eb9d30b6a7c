/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-notes"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-audit.h"
#include "ch-notes.h"
#include "ch-validate.h"

static gboolean
note_has_content (const ChNoteRecord *note)
{
  return ch_has_text (note->subjective) || ch_has_text (note->objective)
         || ch_has_text (note->assessment) || ch_has_text (note->plan) || ch_has_text (note->body);
}

static gboolean
audit_note (ChSession          *session,
            const char         *action,
            const ChNoteRecord *note,
            const char         *detail,
            GError            **error)
{
  char id[32];

  g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, note->id);
  return ch_session_audit (session, action, "note", id, note->patient_id, detail, error);
}

/**
 * ch_notes_create_draft:
 * @note: its patient_id, kind (soap or free) and text; on success its id, author
 *   and state are set
 */
gboolean
ch_notes_create_draft (ChSession    *session,
                       ChNoteRecord *note,
                       GError      **error)
{
  ChStore *store;
  g_autoptr (ChPatientRecord) patient = NULL;
  gboolean ok;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;
  if (note->kind != NULL && g_strcmp0 (note->kind, "soap") != 0 && g_strcmp0 (note->kind, "free") != 0)
    return ch_invalid (error, _("A note is SOAP or free text"));

  /* A note is dated when it is written, not when its writer says. */
  note->created_at = 0;
  g_free (note->author);
  note->author = g_strdup (ch_session_get_username (session));
  g_free (note->author_role);
  note->author_role = g_strdup (ch_role_to_string (ch_session_get_role (session)));
  /* A nurse's note (or anyone's but a physician's) is co-signed. */
  note->cosign_required = ch_session_get_role (session) != CH_ROLE_PHYSICIAN;

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;
  patient = ch_db_patient_get (store, note->patient_id, error);
  ok = patient != NULL
       && ch_db_note_insert (store, note, error)
       && audit_note (session, CH_AUDIT_CREATE, note, "draft", error);
  return ch_store_commit_or_rollback (store, ok, error);
}

static ChNoteRecord *
get_note (ChSession *session,
          gint64     note_id,
          GError   **error)
{
  return ch_db_note_get (ch_session_get_store (session), note_id, error);
}

/* Only the author edits or signs their draft. */
static gboolean
check_author (ChSession          *session,
              const ChNoteRecord *note,
              GError            **error)
{
  if (g_strcmp0 (note->author, ch_session_get_username (session)) != 0)
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED,
                   _("Only the note’s author (%s) may change or sign it"), note->author);
      return FALSE;
    }
  return TRUE;
}

gboolean
ch_notes_update_draft (ChSession    *session,
                       ChNoteRecord *note,
                       GError      **error)
{
  g_autoptr (ChNoteRecord) current = NULL;
  ChStore *store;
  gboolean ok;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;

  current = get_note (session, note->id, error);
  if (current == NULL || !check_author (session, current, error))
    return FALSE;
  if (g_strcmp0 (current->state, "draft") != 0)
    return ch_invalid (error, _("A signed note is locked: add an addendum instead"));

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;
  note->patient_id = current->patient_id;
  ok = ch_db_note_update_draft (store, note, error)
       && audit_note (session, CH_AUDIT_UPDATE, note, "draft", error);
  return ch_store_commit_or_rollback (store, ok, error);
}

gboolean
ch_notes_sign (ChSession *session,
               gint64     note_id,
               GError   **error)
{
  g_autoptr (ChNoteRecord) note = NULL;
  ChStore *store;
  gboolean ok;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;

  note = get_note (session, note_id, error);
  if (note == NULL || !check_author (session, note, error))
    return FALSE;
  if (g_strcmp0 (note->state, "draft") != 0)
    return ch_invalid (error, _("The note is signed already"));
  if (!note_has_content (note))
    return ch_invalid (error, _("The note is empty"));

  g_free (note->state);
  note->state = g_strdup ("signed");
  note->signed_at = g_get_real_time ();

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;
  ok = ch_db_note_set_state (store, note, error)
       && audit_note (session, CH_AUDIT_SIGN, note, "signed", error);
  return ch_store_commit_or_rollback (store, ok, error);
}

/* A physician co-signs a signed note that needs it, and not their own. */
gboolean
ch_notes_cosign (ChSession *session,
                 gint64     note_id,
                 GError   **error)
{
  g_autoptr (ChNoteRecord) note = NULL;
  ChStore *store;
  gboolean ok;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;
  if (ch_session_get_role (session) != CH_ROLE_PHYSICIAN)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED,
                           _("Only a physician co-signs a note"));
      return FALSE;
    }

  note = get_note (session, note_id, error);
  if (note == NULL)
    return FALSE;
  if (g_strcmp0 (note->state, "signed") != 0)
    return ch_invalid (error, _("A note is co-signed once its author has signed it"));
  if (!note->cosign_required || note->cosigned_at > 0)
    return ch_invalid (error, _("The note needs no co-signature"));
  if (g_strcmp0 (note->author, ch_session_get_username (session)) == 0)
    return ch_invalid (error, _("Nobody co-signs their own note"));

  note->cosigned_at = g_get_real_time ();
  note->cosigned_by = g_strdup (ch_session_get_username (session));

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;
  ok = ch_db_note_set_state (store, note, error)
       && audit_note (session, CH_AUDIT_SIGN, note, "co-signed", error);
  return ch_store_commit_or_rollback (store, ok, error);
}

gboolean
ch_notes_add_addendum (ChSession  *session,
                       gint64      note_id,
                       const char *text,
                       GError    **error)
{
  g_autoptr (ChNoteRecord) note = NULL;
  ChStore *store;
  gint64 id = 0;
  gboolean ok;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;
  if (!ch_has_text (text))
    return ch_invalid (error, _("The addendum is empty"));

  note = get_note (session, note_id, error);
  if (note == NULL)
    return FALSE;
  if (g_strcmp0 (note->state, "signed") != 0)
    return ch_invalid (error, _("Addenda go to signed notes; edit a draft directly"));

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;
  ok = ch_db_note_add_addendum (store, note_id, ch_session_get_username (session), text, &id, error)
       && audit_note (session, CH_AUDIT_CREATE, note, "addendum", error);
  return ch_store_commit_or_rollback (store, ok, error);
}

gboolean
ch_notes_entered_in_error (ChSession  *session,
                           gint64      note_id,
                           const char *reason,
                           GError    **error)
{
  g_autoptr (ChNoteRecord) note = NULL;
  ChStore *store;
  gboolean ok;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;
  if (!ch_has_text (reason))
    return ch_invalid (error, _("Say why the note was entered in error"));

  note = get_note (session, note_id, error);
  if (note == NULL)
    return FALSE;

  /* The author, or a physician, takes a note back. */
  if (g_strcmp0 (note->author, ch_session_get_username (session)) != 0
      && ch_session_get_role (session) != CH_ROLE_PHYSICIAN)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED,
                           _("Only the note’s author or a physician may mark it entered in error"));
      return FALSE;
    }
  if (g_strcmp0 (note->state, "entered-in-error") == 0)
    return TRUE;

  g_free (note->state);
  note->state = g_strdup ("entered-in-error");
  g_free (note->error_reason);
  note->error_reason = g_strdup (reason);

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;
  ok = ch_db_note_set_state (store, note, error)
       && audit_note (session, CH_AUDIT_DELETE, note, reason, error);
  return ch_store_commit_or_rollback (store, ok, error);
}

/* Returns: (transfer full): the note with its addenda; the reading is audited */
ChNoteRecord *
ch_notes_get (ChSession *session,
              gint64     note_id,
              GError   **error)
{
  g_autoptr (ChNoteRecord) note = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;

  note = get_note (session, note_id, error);
  if (note == NULL || !audit_note (session, CH_AUDIT_VIEW, note, "", error))
    return NULL;

  return g_steal_pointer (&note);
}

GPtrArray *
ch_notes_list (ChSession *session,
               gint64     patient_id,
               GError   **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;

  return ch_db_note_list (ch_session_get_store (session), patient_id, 0, error);
}
