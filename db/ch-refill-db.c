/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-refill-db"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-refill-db.h"
#include "ch-store-private.h"

ChRefillRequest *
ch_refill_request_new (void)
{
  return g_new0 (ChRefillRequest, 1);
}

void
ch_refill_request_free (ChRefillRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->drug_name);
  g_free (request->prescriber);
  g_free (request->requested_by);
  g_free (request->note);
  g_free (request->state);
  g_free (request->decided_by);
  g_free (request->decision_note);
  g_free (request->strength);
  g_free (request->form);
  g_free (request->patient_name);
  g_free (request->patient_mrn);
  g_free (request->patient_birth_date);
  g_free (request);
}

/* The drug's name comes with the request, so that a queue reads without a
 * second look-up per row. */
#define REFILL_SELECT \
  "SELECT r.id, r.prescription_id, r.patient_id, p.drug_name, r.prescriber, r.requested_at," \
  " r.requested_by, r.note, r.state, r.decided_at, r.decided_by, r.decision_note, r.renewal_id," \
  " p.strength, p.form, pt.family_name, pt.given_name, pt.mrn, pt.birth_date" \
  " FROM refill_requests r JOIN prescriptions p ON p.id = r.prescription_id" \
  " JOIN patients pt ON pt.id = r.patient_id"

static ChRefillRequest *
read_request (sqlite3_stmt *stmt)
{
  ChRefillRequest *request = ch_refill_request_new ();

  request->id = sqlite3_column_int64 (stmt, 0);
  request->prescription_id = sqlite3_column_int64 (stmt, 1);
  request->patient_id = sqlite3_column_int64 (stmt, 2);
  request->drug_name = g_strdup (ch_store_column_text (stmt, 3));
  request->prescriber = g_strdup (ch_store_column_text (stmt, 4));
  request->requested_at = sqlite3_column_int64 (stmt, 5);
  request->requested_by = g_strdup (ch_store_column_text (stmt, 6));
  request->note = g_strdup (ch_store_column_text (stmt, 7));
  request->state = g_strdup (ch_store_column_text (stmt, 8));
  request->decided_at = sqlite3_column_int64 (stmt, 9);
  request->decided_by = sqlite3_column_type (stmt, 10) == SQLITE_NULL
                        ? NULL : g_strdup (ch_store_column_text (stmt, 10));
  request->decision_note = g_strdup (ch_store_column_text (stmt, 11));
  request->renewal_id = sqlite3_column_int64 (stmt, 12);
  request->strength = g_strdup (ch_store_column_text (stmt, 13));
  request->form = g_strdup (ch_store_column_text (stmt, 14));
  request->patient_name = g_strdup_printf ("%s%s%s", ch_store_column_text (stmt, 15),
                                           sqlite3_column_type (stmt, 16) == SQLITE_NULL ? "" : ", ",
                                           ch_store_column_text (stmt, 16));
  request->patient_mrn = g_strdup (ch_store_column_text (stmt, 17));
  request->patient_birth_date = g_strdup (ch_store_column_text (stmt, 18));
  return request;
}

gboolean
ch_db_refill_insert (ChStore          *store,
                     ChRefillRequest  *request,
                     const char       *username,
                     GError          **error)
{
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;

  g_return_val_if_fail (request != NULL, FALSE);

  stmt = ch_store_prepare (store,
                           "INSERT INTO refill_requests (prescription_id, patient_id, prescriber,"
                           " requested_at, requested_by, note) VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, request->prescription_id);
  sqlite3_bind_int64 (stmt, 2, request->patient_id);
  sqlite3_bind_text (stmt, 3, request->prescriber ? request->prescriber : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, now);
  sqlite3_bind_text (stmt, 5, username, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, request->note ? request->note : "", -1, SQLITE_TRANSIENT);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  request->id = ch_store_last_insert_id (store);
  request->requested_at = now;
  g_free (request->requested_by);
  request->requested_by = g_strdup (username);
  g_free (request->state);
  request->state = g_strdup ("pending");
  return TRUE;
}

ChRefillRequest *
ch_db_refill_get (ChStore  *store,
                  gint64    id,
                  GError  **error)
{
  ChRefillRequest *request = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, REFILL_SELECT " WHERE r.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    request = read_request (stmt);
  else if (rc == SQLITE_DONE)
    {
      char number[32];

      /* Not G_GINT64_FORMAT inside _(): xgettext cannot see past the macro. */
      g_snprintf (number, sizeof number, "%" G_GINT64_FORMAT, id);
      g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                   _("There is no refill request %s"), number);
    }
  sqlite3_reset (stmt);
  return request;
}

GPtrArray *
ch_db_refill_list_pending (ChStore     *store,
                           const char  *prescriber,
                           GError     **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_refill_request_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           REFILL_SELECT " WHERE r.prescriber = ? AND r.state = 'pending'"
                           " ORDER BY r.requested_at, r.id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, prescriber, -1, SQLITE_TRANSIENT);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (list, read_request (stmt));
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}

gboolean
ch_db_refill_find_pending (ChStore  *store,
                           gint64    prescription_id,
                           gint64   *out_id,
                           GError  **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *out_id = 0;
  stmt = ch_store_prepare (store,
                           "SELECT id FROM refill_requests WHERE prescription_id = ?"
                           " AND state = 'pending' ORDER BY id LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, prescription_id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    *out_id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

gboolean
ch_db_refill_decide (ChStore     *store,
                     gint64       id,
                     const char  *state,
                     const char  *username,
                     const char  *note,
                     gint64       renewal_id,
                     GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (g_strcmp0 (state, "approved") == 0 || g_strcmp0 (state, "denied") == 0,
                        FALSE);

  stmt = ch_store_prepare (store,
                           "UPDATE refill_requests SET state = ?1, decided_at = ?2, decided_by = ?3,"
                           " decision_note = ?4, renewal_id = ?5"
                           " WHERE id = ?6 AND state = 'pending'", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, state, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  sqlite3_bind_text (stmt, 3, username, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, note ? note : "", -1, SQLITE_TRANSIENT);
  if (renewal_id != 0)
    sqlite3_bind_int64 (stmt, 5, renewal_id);
  else
    sqlite3_bind_null (stmt, 5);
  sqlite3_bind_int64 (stmt, 6, id);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  if (ch_store_changes (store) != 1)
    {
      g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT,
                           _("Someone else decided this refill request in the meantime"));
      return FALSE;
    }
  return TRUE;
}
