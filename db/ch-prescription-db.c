/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-prescription-db"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>

#include "ch-prescription-db.h"
#include "ch-store-private.h"

GHashTable *
ch_db_drug_kb_files_load (ChStore  *store,
                          GError  **error)
{
  g_autoptr (GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) g_bytes_unref);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT name, content FROM drug_kb_files", error);
  if (stmt == NULL)
    return NULL;

  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_hash_table_insert (files, g_strdup (ch_store_column_text (stmt, 0)),
                         g_bytes_new (sqlite3_column_blob (stmt, 1),
                                      sqlite3_column_bytes (stmt, 1)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return NULL;

  return g_steal_pointer (&files);
}

gboolean
ch_db_drug_kb_files_replace (ChStore     *store,
                             GHashTable  *files,
                             GError     **error)
{
  GHashTableIter iter;
  gpointer key, value;
  sqlite3_stmt *stmt;

  if (!ch_store_exec (store, "DELETE FROM drug_kb_files", error))
    return FALSE;
  if (files == NULL)
    return TRUE;

  g_hash_table_iter_init (&iter, files);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gsize size;
      const void *data = g_bytes_get_data (value, &size);

      stmt = ch_store_prepare (store, "INSERT INTO drug_kb_files (name, content) VALUES (?, ?)",
                               error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
      /* An empty file is a zero-length blob, not NULL. */
      sqlite3_bind_blob (stmt, 2, size ? data : "", (int) size, SQLITE_TRANSIENT);
      if (!ch_store_step_done (store, stmt, error))
        return FALSE;
    }
  return TRUE;
}

GPtrArray *
ch_db_alert_suppressions (ChStore  *store,
                          gint64    patient_id,
                          GError  **error)
{
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT pair_key FROM alert_suppressions WHERE patient_id = ?",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (keys, g_strdup (ch_store_column_text (stmt, 0)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&keys);
}

gboolean
ch_db_alert_suppress (ChStore     *store,
                      gint64       patient_id,
                      const char  *pair_key,
                      const char  *title,
                      const char  *username,
                      GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT OR REPLACE INTO alert_suppressions "
                           "(patient_id, pair_key, title, created_at, created_by) "
                           "VALUES (?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_text (stmt, 2, pair_key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, title, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time ());
  sqlite3_bind_text (stmt, 5, username, -1, SQLITE_TRANSIENT);
  return ch_store_step_done (store, stmt, error);
}

/* ---- prescriptions ------------------------------------------------------------ */


ChPrescription *
ch_prescription_new (void)
{
  ChPrescription *rx = g_new0 (ChPrescription, 1);

  rx->dose = NAN;
  rx->quantity = NAN;
  rx->substitution = TRUE;
  return rx;
}

void
ch_prescription_free (ChPrescription *rx)
{
  if (rx == NULL)
    return;
  g_free (rx->number);
  g_free (rx->drug_id);
  g_free (rx->drug_name);
  g_free (rx->form);
  g_free (rx->strength);
  g_free (rx->route);
  g_free (rx->dose_unit);
  g_free (rx->frequency);
  g_free (rx->quantity_unit);
  g_free (rx->indication);
  g_free (rx->instructions);
  g_free (rx->state);
  g_free (rx->prescriber);
  g_free (rx->drafted_by);
  g_free (rx->end_reason);
  g_free (rx->ended_by);
  g_free (rx);
}

ChPrescription *
ch_prescription_copy (const ChPrescription *rx)
{
  ChPrescription *copy = g_memdup2 (rx, sizeof *rx);

  copy->number = g_strdup (rx->number);
  copy->drug_id = g_strdup (rx->drug_id);
  copy->drug_name = g_strdup (rx->drug_name);
  copy->form = g_strdup (rx->form);
  copy->strength = g_strdup (rx->strength);
  copy->route = g_strdup (rx->route);
  copy->dose_unit = g_strdup (rx->dose_unit);
  copy->frequency = g_strdup (rx->frequency);
  copy->quantity_unit = g_strdup (rx->quantity_unit);
  copy->indication = g_strdup (rx->indication);
  copy->instructions = g_strdup (rx->instructions);
  copy->state = g_strdup (rx->state);
  copy->prescriber = g_strdup (rx->prescriber);
  copy->drafted_by = g_strdup (rx->drafted_by);
  copy->end_reason = g_strdup (rx->end_reason);
  copy->ended_by = g_strdup (rx->ended_by);
  return copy;
}

#define RX_COLUMNS \
  "id, number, patient_id, drug_id, drug_name, form, strength, route, dose, dose_unit," \
  " frequency, as_needed, duration_days, quantity, quantity_unit, refills, substitution," \
  " indication_id, indication, instructions, state, prescriber, drafted_by, created_at," \
  " signed_at, medication_item_id, replaces_id, end_reason, ended_at, ended_by, version"

static char *
column_dup (sqlite3_stmt *stmt,
            int           col)
{
  return sqlite3_column_type (stmt, col) == SQLITE_NULL ? NULL
         : g_strdup ((const char *) sqlite3_column_text (stmt, col));
}

static double
column_real (sqlite3_stmt *stmt,
             int           col)
{
  return sqlite3_column_type (stmt, col) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, col);
}

static ChPrescription *
read_prescription (sqlite3_stmt *stmt)
{
  ChPrescription *rx = ch_prescription_new ();

  rx->id = sqlite3_column_int64 (stmt, 0);
  rx->number = column_dup (stmt, 1);
  rx->patient_id = sqlite3_column_int64 (stmt, 2);
  rx->drug_id = g_strdup (ch_store_column_text (stmt, 3));
  rx->drug_name = g_strdup (ch_store_column_text (stmt, 4));
  rx->form = g_strdup (ch_store_column_text (stmt, 5));
  rx->strength = g_strdup (ch_store_column_text (stmt, 6));
  rx->route = g_strdup (ch_store_column_text (stmt, 7));
  rx->dose = column_real (stmt, 8);
  rx->dose_unit = g_strdup (ch_store_column_text (stmt, 9));
  rx->frequency = g_strdup (ch_store_column_text (stmt, 10));
  rx->as_needed = sqlite3_column_int (stmt, 11) != 0;
  rx->duration_days = sqlite3_column_int (stmt, 12);
  rx->quantity = column_real (stmt, 13);
  rx->quantity_unit = g_strdup (ch_store_column_text (stmt, 14));
  rx->refills = sqlite3_column_int (stmt, 15);
  rx->substitution = sqlite3_column_int (stmt, 16) != 0;
  rx->indication_id = sqlite3_column_int64 (stmt, 17);
  rx->indication = g_strdup (ch_store_column_text (stmt, 18));
  rx->instructions = g_strdup (ch_store_column_text (stmt, 19));
  rx->state = g_strdup (ch_store_column_text (stmt, 20));
  rx->prescriber = g_strdup (ch_store_column_text (stmt, 21));
  rx->drafted_by = g_strdup (ch_store_column_text (stmt, 22));
  rx->created_at = sqlite3_column_int64 (stmt, 23);
  rx->signed_at = sqlite3_column_int64 (stmt, 24);
  rx->medication_item_id = sqlite3_column_int64 (stmt, 25);
  rx->replaces_id = sqlite3_column_int64 (stmt, 26);
  rx->end_reason = g_strdup (ch_store_column_text (stmt, 27));
  rx->ended_at = sqlite3_column_int64 (stmt, 28);
  rx->ended_by = column_dup (stmt, 29);
  rx->version = sqlite3_column_int64 (stmt, 30);
  return rx;
}

static void
bind_real (sqlite3_stmt *stmt,
           int           col,
           double        value)
{
  if (isnan (value))
    sqlite3_bind_null (stmt, col);
  else
    sqlite3_bind_double (stmt, col, value);
}

static void
bind_id (sqlite3_stmt *stmt,
         int           col,
         gint64        id)
{
  if (id == 0)
    sqlite3_bind_null (stmt, col);
  else
    sqlite3_bind_int64 (stmt, col, id);
}

static const char *
or_empty (const char *text)
{
  return text ? text : "";
}

/* Binds the columns a draft may change, as ?1 … ?18. */
static void
bind_draft (sqlite3_stmt         *stmt,
            const ChPrescription *rx)
{
  sqlite3_bind_int64 (stmt, 1, rx->patient_id);
  sqlite3_bind_text (stmt, 2, or_empty (rx->drug_id), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, or_empty (rx->drug_name), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, or_empty (rx->form), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, or_empty (rx->strength), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, or_empty (rx->route), -1, SQLITE_TRANSIENT);
  bind_real (stmt, 7, rx->dose);
  sqlite3_bind_text (stmt, 8, or_empty (rx->dose_unit), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, or_empty (rx->frequency), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 10, rx->as_needed);
  if (rx->duration_days > 0)
    sqlite3_bind_int (stmt, 11, rx->duration_days);
  else
    sqlite3_bind_null (stmt, 11);
  bind_real (stmt, 12, rx->quantity);
  sqlite3_bind_text (stmt, 13, or_empty (rx->quantity_unit), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 14, rx->refills);
  sqlite3_bind_int (stmt, 15, rx->substitution);
  bind_id (stmt, 16, rx->indication_id);
  sqlite3_bind_text (stmt, 17, or_empty (rx->indication), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 18, or_empty (rx->instructions), -1, SQLITE_TRANSIENT);
}

gboolean
ch_db_prescription_insert (ChStore         *store,
                           ChPrescription  *rx,
                           const char      *username,
                           GError         **error)
{
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO prescriptions (patient_id, drug_id, drug_name, form,"
                           " strength, route, dose, dose_unit, frequency, as_needed, duration_days,"
                           " quantity, quantity_unit, refills, substitution, indication_id,"
                           " indication, instructions, prescriber, drafted_by, created_at,"
                           " replaces_id, updated_at, updated_by)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                           " ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?21, ?20)", error);
  if (stmt == NULL)
    return FALSE;
  bind_draft (stmt, rx);
  sqlite3_bind_text (stmt, 19, or_empty (rx->prescriber), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 20, username, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 21, now);
  bind_id (stmt, 22, rx->replaces_id);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  rx->id = ch_store_last_insert_id (store);
  rx->version = 1;
  rx->created_at = now;
  g_free (rx->drafted_by);
  rx->drafted_by = g_strdup (username);
  g_free (rx->state);
  rx->state = g_strdup ("draft");
  return TRUE;
}

static gboolean
changed_meanwhile (ChStore  *store,
                   GError  **error)
{
  if (ch_store_changes (store) == 1)
    return FALSE;
  g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT,
                       _("Someone else changed this prescription in the meantime; reopen it and try again"));
  return TRUE;
}

gboolean
ch_db_prescription_update_draft (ChStore         *store,
                                 ChPrescription  *rx,
                                 const char      *username,
                                 GError         **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "UPDATE prescriptions SET drug_id = ?2, drug_name = ?3,"
                           " form = ?4, strength = ?5, route = ?6, dose = ?7, dose_unit = ?8,"
                           " frequency = ?9, as_needed = ?10, duration_days = ?11, quantity = ?12,"
                           " quantity_unit = ?13, refills = ?14, substitution = ?15,"
                           " indication_id = ?16, indication = ?17, instructions = ?18,"
                           " prescriber = ?19, updated_at = ?20, updated_by = ?21,"
                           " version = version + 1"
                           " WHERE id = ?22 AND version = ?23 AND state = 'draft'"
                           " AND patient_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  bind_draft (stmt, rx);
  sqlite3_bind_text (stmt, 19, or_empty (rx->prescriber), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 20, g_get_real_time ());
  sqlite3_bind_text (stmt, 21, username, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 22, rx->id);
  sqlite3_bind_int64 (stmt, 23, rx->version);
  if (!ch_store_step_done (store, stmt, error) || changed_meanwhile (store, error))
    return FALSE;
  rx->version++;
  return TRUE;
}

ChPrescription *
ch_db_prescription_get (ChStore  *store,
                        gint64    id,
                        GError  **error)
{
  sqlite3_stmt *stmt;
  ChPrescription *rx = NULL;
  int rc;

  stmt = ch_store_prepare (store, "SELECT " RX_COLUMNS " FROM prescriptions WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    rx = read_prescription (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                 _("There is no prescription %" PRId64), id);
  sqlite3_reset (stmt);
  return rx;
}

GPtrArray *
ch_db_prescription_list (ChStore  *store,
                         gint64    patient_id,
                         GError  **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_prescription_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT " RX_COLUMNS " FROM prescriptions WHERE patient_id = ?"
                           " ORDER BY created_at DESC, id DESC", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (list, read_prescription (stmt));
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}

gboolean
ch_db_prescription_sign (ChStore     *store,
                         gint64       id,
                         const char  *prescriber,
                         gint64       medication_item_id,
                         GError     **error)
{
  gint64 now = g_get_real_time ();
  g_autoptr (GDateTime) today = g_date_time_new_from_unix_utc (now / G_USEC_PER_SEC);
  g_autofree char *number = g_strdup_printf ("RX-%d-%06" G_GINT64_FORMAT,
                                             g_date_time_get_year (today), id);
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "UPDATE prescriptions SET state = 'signed', number = ?1, prescriber = ?2,"
                           " signed_at = ?3, medication_item_id = ?4, updated_at = ?3,"
                           " updated_by = ?2, version = version + 1"
                           " WHERE id = ?5 AND state = 'draft'", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, number, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, prescriber, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, now);
  bind_id (stmt, 4, medication_item_id);
  sqlite3_bind_int64 (stmt, 5, id);
  return ch_store_step_done (store, stmt, error) && !changed_meanwhile (store, error);
}

gboolean
ch_db_prescription_end (ChStore     *store,
                        gint64       id,
                        const char  *state,
                        const char  *reason,
                        const char  *username,
                        GError     **error)
{
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;

  /* Only from the state each end comes from, so that an end already on
   * record (a stop and its reason) is never written over. */
  stmt = ch_store_prepare (store,
                           "UPDATE prescriptions SET state = ?1, end_reason = ?2, ended_at = ?3,"
                           " ended_by = ?4, updated_at = ?3, updated_by = ?4, version = version + 1"
                           " WHERE id = ?5"
                           " AND state = CASE ?1 WHEN 'discarded' THEN 'draft' ELSE 'signed' END",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, state, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, or_empty (reason), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, now);
  sqlite3_bind_text (stmt, 4, username, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, id);
  return ch_store_step_done (store, stmt, error) && !changed_meanwhile (store, error);
}

gboolean
ch_db_prescription_alert_insert (ChStore     *store,
                                 gint64       prescription_id,
                                 const char  *kind,
                                 const char  *severity,
                                 const char  *rule,
                                 const char  *pair_key,
                                 const char  *title,
                                 const char  *username,
                                 const char  *decision,
                                 const char  *reason,
                                 GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO prescription_alerts (prescription_id, kind, severity, rule,"
                           " pair_key, title, shown_at, shown_to, decision, reason)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, prescription_id);
  sqlite3_bind_text (stmt, 2, kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, severity, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, rule, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, pair_key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, title, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, g_get_real_time ());
  sqlite3_bind_text (stmt, 8, username, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, decision, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 10, or_empty (reason), -1, SQLITE_TRANSIENT);
  return ch_store_step_done (store, stmt, error);
}

GPtrArray *
ch_db_prescription_alerts (ChStore  *store,
                           gint64    prescription_id,
                           GError  **error)
{
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT severity, decision, title, reason FROM prescription_alerts"
                           " WHERE prescription_id = ? ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, prescription_id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (lines, g_strdup_printf ("%s|%s|%s|%s", ch_store_column_text (stmt, 0),
                                             ch_store_column_text (stmt, 1),
                                             ch_store_column_text (stmt, 2),
                                             ch_store_column_text (stmt, 3)));
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&lines) : NULL;
}
