/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-patients"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-patients.h"
#include "ch-validate.h"

/* Checks what a registration needs: a family name, a real date of birth not
 * in the future, a known sex at birth. */
gboolean
ch_patients_validate (const ChPatientRecord *record,
                      GError               **error)
{
  g_autofree char *family = NULL;

  family = g_strstrip (g_strdup (record->family_name ? record->family_name : ""));
  if (*family == '\0')
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                           _("A patient needs a family name"));
      return FALSE;
    }

  if (record->birth_date != NULL)
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");

      if (!ch_valid_date (record->birth_date))
        {
          g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                       _("“%s” is not a date of birth (YYYY-MM-DD)"), record->birth_date);
          return FALSE;
        }
      if (strcmp (record->birth_date, today) > 0)
        {
          g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                               _("The date of birth is in the future"));
          return FALSE;
        }
    }

  if (record->sex != NULL && !g_str_equal (record->sex, "female") && !g_str_equal (record->sex, "male")
      && !g_str_equal (record->sex, "other") && !g_str_equal (record->sex, "unknown"))
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("“%s” is not a sex at birth (female, male, other, unknown)"), record->sex);
      return FALSE;
    }

  if (record->email != NULL && *record->email != '\0'
      && (strchr (record->email, '@') == NULL || strchr (record->email, ' ') != NULL))
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("“%s” is not an e-mail address"), record->email);
      return FALSE;
    }

  for (guint i = 0; record->phones != NULL && i < record->phones->len; i++)
    {
      const ChPhone *phone = record->phones->pdata[i];
      g_autofree char *digits = ch_phone_digits (phone->number);

      if (strlen (digits) < 3 || strspn (phone->number, "0123456789 +-./()x") != strlen (phone->number))
        {
          g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                       _("“%s” is not a phone number"), phone->number);
          return FALSE;
        }
      if (g_strcmp0 (phone->kind, "mobile") != 0 && g_strcmp0 (phone->kind, "home") != 0
          && g_strcmp0 (phone->kind, "work") != 0 && g_strcmp0 (phone->kind, "other") != 0)
        {
          g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                       _("“%s” is not a kind of phone (mobile, home, work, other)"),
                       phone->kind ? phone->kind : "");
          return FALSE;
        }
    }

  if (record->photo != NULL && !ch_patients_photo_ok (record->photo))
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                           _("The photo must be a PNG or JPEG image of at most 1 MB"));
      return FALSE;
    }

  return TRUE;
}

/**
 * ch_patients_photo_ok:
 *
 * Whether @photo is what a patient's photo may be: a PNG or JPEG image (by
 * its signature) of at most %CH_PATIENT_PHOTO_MAX_BYTES.
 */
gboolean
ch_patients_photo_ok (GBytes *photo)
{
  gsize size = 0;
  const guchar *data = g_bytes_get_data (photo, &size);

  if (size == 0 || size > CH_PATIENT_PHOTO_MAX_BYTES)
    return FALSE;
  return (size >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0)
         || (size >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff);
}

/* The primary provider, when given, is one of the practice's clinicians. */
static gboolean
check_provider (ChStore               *store,
                const ChPatientRecord *record,
                GError               **error)
{
  g_autoptr (ChUserRecord) user = NULL;
  g_autoptr (GError) local_error = NULL;

  if (record->primary_provider == NULL || *record->primary_provider == '\0')
    return TRUE;

  user = ch_db_user_lookup (store, record->primary_provider, &local_error);
  if (user == NULL || (g_strcmp0 (user->role, "physician") != 0
                       && g_strcmp0 (user->role, "nurse") != 0))
    {
      if (user == NULL && !g_error_matches (local_error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("“%s” is not one of the practice’s physicians or nurses"),
                   record->primary_provider);
      return FALSE;
    }
  return TRUE;
}

static gboolean
register_one (ChSession       *session,
              ChPatientRecord *record,
              GError         **error)
{
  ChStore *store = ch_session_get_store (session);

  return ch_patients_validate (record, error)
         && check_provider (store, record, error)
         && ch_db_patient_insert (store, record, error)
         && ch_session_audit (session, CH_AUDIT_CREATE, "patient", record->mrn, record->id, "",
                              error);
}

/**
 * ch_patients_register:
 * @record: the new patient; its id and MRN are filled in
 *
 * Registers a patient (demographics write access), audited in the same
 * transaction.
 */
gboolean
ch_patients_register (ChSession       *session,
                      ChPatientRecord *record,
                      GError         **error)
{
  g_autoptr (GPtrArray) one = g_ptr_array_new ();

  g_ptr_array_add (one, record);
  return ch_patients_register_many (session, one, error);
}

/* Registers every record of @records in one transaction: all or none. */
gboolean
ch_patients_register_many (ChSession *session,
                           GPtrArray *records,
                           GError   **error)
{
  ChStore *store;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_WRITE, error))
    return FALSE;

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;

  for (guint i = 0; i < records->len; i++)
    if (!register_one (session, g_ptr_array_index (records, i), error))
      {
        ch_store_rollback (store);
        return FALSE;
      }

  return ch_store_commit (store, error);
}

static ChPatientRecord *
audited_view (ChSession       *session,
              ChPatientRecord *record,
              gboolean         recent,
              GError         **error)
{
  g_autoptr (ChPatientRecord) owned = record;
  ChStore *store = ch_session_get_store (session);

  if (owned == NULL)
    return NULL;

  if (!ch_store_begin (store, error))
    return NULL;
  if ((recent && !ch_db_patient_touch_recent (store, ch_session_get_username (session), owned->id,
                                              error))
      || !ch_session_audit (session, CH_AUDIT_VIEW, "patient", owned->mrn, owned->id, "", error)
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      return NULL;
    }

  return g_steal_pointer (&owned);
}

/* Reads one patient's demographics; the view is audited. */
ChPatientRecord *
ch_patients_get (ChSession *session,
                 gint64     id,
                 GError   **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ, error))
    return NULL;

  return audited_view (session, ch_db_patient_get (ch_session_get_store (session), id, error),
                       FALSE, error);
}

ChPatientRecord *
ch_patients_get_by_mrn (ChSession  *session,
                        const char *mrn,
                        GError    **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ, error))
    return NULL;

  return audited_view (session, ch_db_patient_get_by_mrn (ch_session_get_store (session), mrn,
                                                          error),
                       FALSE, error);
}

/* Opens a patient's record: like ch_patients_get(), and the patient goes to
 * the top of the user's recent patients. */
ChPatientRecord *
ch_patients_open (ChSession *session,
                  gint64     id,
                  GError   **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ, error))
    return NULL;

  return audited_view (session, ch_db_patient_get (ch_session_get_store (session), id, error),
                       TRUE, error);
}

/**
 * ch_patients_find_duplicates:
 *
 * Patients who may be the one in @record (same name and date of birth, or a
 * phone number in common), to show before registering it.
 *
 * Returns: (transfer full) (element-type ChPatientHit)
 */
GPtrArray *
ch_patients_find_duplicates (ChSession             *session,
                             const ChPatientRecord *record,
                             GError               **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ, error))
    return NULL;

  return ch_db_patient_find_duplicates (ch_session_get_store (session), record, error);
}

/**
 * ch_patients_update:
 * @record: as read (its version says which), with the changes made
 * @reason: (nullable): why, kept with the earlier version
 */
gboolean
ch_patients_update (ChSession       *session,
                    ChPatientRecord *record,
                    const char      *reason,
                    GError         **error)
{
  ChStore *store;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_WRITE, error)
      || !ch_patients_validate (record, error))
    return FALSE;

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;

  if (!check_provider (store, record, error)
      || !ch_db_patient_update (store, record, ch_session_get_username (session), reason, error)
      || !ch_session_audit (session, CH_AUDIT_UPDATE, "patient", record->mrn, record->id,
                            reason ? reason : "", error)
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      return FALSE;
    }

  return TRUE;
}

/**
 * ch_patients_search:
 * @query: what was typed: name parts, a date of birth, an MRN or a phone
 *   number; empty for the user's recent patients
 *
 * The first @limit matches. For a list that pages further, see
 * ChPatientListModel.
 *
 * Returns: (transfer full) (element-type ChPatientHit)
 */
GPtrArray *
ch_patients_search (ChSession  *session,
                    const char *query,
                    guint       limit,
                    GError    **error)
{
  g_autoptr (ChSearchCursor) cursor = NULL;
  g_autoptr (GPtrArray) hits = NULL;
  ChStore *store;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ, error))
    return NULL;

  store = ch_session_get_store (session);
  cursor = ch_search_cursor_new (query);
  if (ch_search_cursor_is_empty_query (cursor))
    return ch_db_patient_recent (store, ch_session_get_username (session), limit, error);

  hits = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_patient_hit_free);
  while (hits->len < limit)
    {
      gboolean more = FALSE;
      g_autoptr (GPtrArray) page = ch_db_patient_search (store, cursor, limit - hits->len, &more,
                                                         error);
      if (page == NULL)
        return NULL;
      g_ptr_array_extend_and_steal (hits, g_steal_pointer (&page));
      if (!more)
        break;
    }

  return g_steal_pointer (&hits);
}

/* Returns: (transfer full) (element-type ChHistoryEntry): the patient's
 * earlier demographics, oldest first */
GPtrArray *
ch_patients_history (ChSession *session,
                     gint64     patient_id,
                     GError   **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ, error))
    return NULL;

  return ch_db_item_history (ch_session_get_store (session), "patient", patient_id, error);
}

/* ---- insurance ------------------------------------------------------------------ */

static gboolean
validate_policy (const ChPolicyRecord *policy,
                 GError              **error)
{
  g_autofree char *payer = g_strstrip (g_strdup (policy->payer ? policy->payer : ""));

  if (*payer == '\0')
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                           _("An insurance policy needs a payer"));
      return FALSE;
    }
  if (policy->priority < 1 || policy->priority > 9)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                           _("The priority of a policy is 1 (primary) to 9"));
      return FALSE;
    }
  if ((policy->start_date != NULL && !ch_valid_date (policy->start_date))
      || (policy->end_date != NULL && !ch_valid_date (policy->end_date)))
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                           _("Coverage dates are written YYYY-MM-DD"));
      return FALSE;
    }
  if (policy->start_date != NULL && policy->end_date != NULL
      && strcmp (policy->start_date, policy->end_date) > 0)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                           _("The coverage ends before it starts"));
      return FALSE;
    }
  if (policy->subscriber_relation != NULL
      && !g_str_equal (policy->subscriber_relation, "self")
      && !g_str_equal (policy->subscriber_relation, "spouse")
      && !g_str_equal (policy->subscriber_relation, "child")
      && !g_str_equal (policy->subscriber_relation, "other"))
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("“%s” is not a relation to the subscriber (self, spouse, child, other)"),
                   policy->subscriber_relation);
      return FALSE;
    }
  return TRUE;
}

/* Returns: (transfer full) (element-type ChPolicyRecord): the patient's
 * policies in force order, those entered in error left out */
GPtrArray *
ch_patients_list_policies (ChSession *session,
                           gint64     patient_id,
                           GError   **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ, error))
    return NULL;

  return ch_db_policy_list (ch_session_get_store (session), patient_id, FALSE, error);
}

static gboolean
write_policy (ChSession      *session,
              ChPolicyRecord *policy,
              gboolean        insert,
              const char     *reason,
              GError        **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autofree char *object = NULL;
  g_autoptr (ChPatientRecord) patient = NULL;

  if (!ch_store_begin (store, error))
    return FALSE;

  patient = ch_db_patient_get (store, policy->patient_id, error);
  if (patient == NULL
      || !(insert ? ch_db_policy_insert (store, policy, ch_session_get_username (session), error)
                  : ch_db_policy_update (store, policy, ch_session_get_username (session), reason,
                                         error)))
    goto fail;

  object = g_strdup_printf ("%" G_GINT64_FORMAT, policy->id);
  if (!ch_session_audit (session, insert ? CH_AUDIT_CREATE : CH_AUDIT_UPDATE, "insurance", object,
                         policy->patient_id, reason ? reason : "", error)
      || !ch_store_commit (store, error))
    goto fail;

  return TRUE;

fail:
  ch_store_rollback (store);
  return FALSE;
}

gboolean
ch_patients_add_policy (ChSession      *session,
                        ChPolicyRecord *policy,
                        GError        **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_WRITE, error)
      || !validate_policy (policy, error))
    return FALSE;

  return write_policy (session, policy, TRUE, NULL, error);
}

gboolean
ch_patients_update_policy (ChSession      *session,
                           ChPolicyRecord *policy,
                           const char     *reason,
                           GError        **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_WRITE, error)
      || !validate_policy (policy, error))
    return FALSE;

  return write_policy (session, policy, FALSE, reason, error);
}

/* Policies are never deleted: one entered by mistake is marked so, with the
 * reason, and leaves the list. */
gboolean
ch_patients_policy_entered_in_error (ChSession  *session,
                                     gint64      policy_id,
                                     const char *reason,
                                     GError    **error)
{
  g_autoptr (ChPolicyRecord) policy = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_WRITE, error))
    return FALSE;

  if (reason == NULL || *reason == '\0')
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                           _("Say why the policy was entered in error"));
      return FALSE;
    }

  policy = ch_db_policy_get (ch_session_get_store (session), policy_id, error);
  if (policy == NULL)
    return FALSE;

  g_free (policy->status);
  policy->status = g_strdup ("entered-in-error");
  return write_policy (session, policy, FALSE, reason, error);
}

/* ---- merging ----------------------------------------------------------------------- */

static gboolean
check_merge_rights (ChSession *session,
                    GError   **error)
{
  if (!ch_session_check (session, CH_AREA_USERS, CH_ACCESS_WRITE, error))
    return FALSE;
  if (ch_session_get_role (session) != CH_ROLE_ADMIN)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED,
                           _("Only an administrator merges patient records"));
      return FALSE;
    }
  return TRUE;
}

/**
 * ch_patients_merge:
 * @from_id: the duplicate record, which ends up merged (out of the search)
 * @into_id: the record that keeps everything
 *
 * Moves the chart, notes, encounters, insurance and identifiers of @from_id
 * to @into_id, audited with the reason. ch_patients_unmerge() undoes it.
 */
gboolean
ch_patients_merge (ChSession  *session,
                   gint64      from_id,
                   gint64      into_id,
                   const char *reason,
                   GError    **error)
{
  g_autoptr (ChPatientRecord) from = NULL;
  g_autoptr (ChPatientRecord) into = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *trimmed = NULL;
  ChStore *store;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!check_merge_rights (session, error))
    return FALSE;
  trimmed = g_strstrip (g_strdup (reason ? reason : ""));
  if (*trimmed == '\0')
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                           _("Say why the two records are one person"));
      return FALSE;
    }
  if (from_id == into_id)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                           _("A record cannot be merged into itself"));
      return FALSE;
    }

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;

  from = ch_db_patient_get (store, from_id, error);
  into = from ? ch_db_patient_get (store, into_id, error) : NULL;
  if (into == NULL)
    goto fail;
  if (g_strcmp0 (from->status, "active") != 0 || g_strcmp0 (into->status, "active") != 0)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                           _("Only two active records can be merged"));
      goto fail;
    }

  detail = g_strdup_printf ("merged into %s: %s", into->mrn, reason);
  if (!ch_db_patient_merge (store, from_id, into_id, ch_session_get_username (session), reason,
                            NULL, error)
      || !ch_session_audit (session, CH_AUDIT_UPDATE, "patient", from->mrn, from_id, detail, error)
      || !ch_session_audit (session, CH_AUDIT_UPDATE, "patient", into->mrn, into_id, detail, error)
      || !ch_store_commit (store, error))
    goto fail;

  return TRUE;

fail:
  ch_store_rollback (store);
  return FALSE;
}

gboolean
ch_patients_unmerge (ChSession *session,
                     gint64     from_id,
                     GError   **error)
{
  g_autoptr (ChPatientRecord) from = NULL;
  ChStore *store;
  gint64 into_id = 0;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!check_merge_rights (session, error))
    return FALSE;

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;

  from = ch_db_patient_get (store, from_id, error);
  if (from == NULL
      || !ch_db_patient_unmerge (store, from_id, ch_session_get_username (session), &into_id, error)
      || !ch_session_audit (session, CH_AUDIT_UPDATE, "patient", from->mrn, from_id,
                            "merge undone", error)
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      return FALSE;
    }

  return TRUE;
}
