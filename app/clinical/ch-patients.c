/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-patients"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-patients.h"

static gboolean
valid_date (const char *text)
{
  int y, m, d;
  char extra;

  if (text == NULL || sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3
      || strlen (text) != 10)
    return FALSE;

  return g_date_valid_dmy (d, m, y);
}

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

      if (!valid_date (record->birth_date))
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

  return TRUE;
}

static gboolean
register_one (ChSession       *session,
              ChPatientRecord *record,
              GError         **error)
{
  ChStore *store = ch_session_get_store (session);

  return ch_patients_validate (record, error)
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

/* Reads one patient's demographics; the view is audited. */
ChPatientRecord *
ch_patients_get (ChSession *session,
                 gint64     id,
                 GError   **error)
{
  g_autoptr (ChPatientRecord) record = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ, error))
    return NULL;

  record = ch_db_patient_get (ch_session_get_store (session), id, error);
  if (record == NULL)
    return NULL;

  if (!ch_session_audit (session, CH_AUDIT_VIEW, "patient", record->mrn, record->id, "", error))
    return NULL;

  return g_steal_pointer (&record);
}
