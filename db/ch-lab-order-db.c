/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-lab-order-db"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-lab-order-db.h"
#include "ch-store-private.h"

static const char *
or_empty (const char *text)
{
  return text != NULL ? text : "";
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           col)
{
  return g_strdup (ch_store_column_text (stmt, col));
}

/* ---- records --------------------------------------------------------------- */

ChLabOrder *
ch_lab_order_new (void)
{
  ChLabOrder *order = g_new0 (ChLabOrder, 1);

  order->tests = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_lab_order_test_free);
  return order;
}

void
ch_lab_order_free (ChLabOrder *o)
{
  if (o == NULL)
    return;
  g_free (o->patient_mrn);
  g_free (o->patient_name);
  g_free (o->placer_number);
  g_free (o->ordered_by);
  g_free (o->ordered_by_name);
  g_free (o->priority);
  g_free (o->clinical_info);
  g_free (o->note);
  g_free (o->status);
  g_free (o->reason);
  g_free (o->target);
  g_free (o->control_id);
  g_free (o->cancelled_by);
  g_free (o->cancel_reason);
  g_free (o->cancel_delivery);
  g_free (o->cancel_error);
  g_clear_pointer (&o->tests, g_ptr_array_unref);
  g_free (o);
}

ChLabOrderTest *
ch_lab_order_test_new (const char *code,
                       const char *text,
                       const char *system,
                       const char *specimen)
{
  ChLabOrderTest *t = g_new0 (ChLabOrderTest, 1);

  t->code = g_strdup (or_empty (code));
  t->text = g_strdup (or_empty (text));
  t->system = g_strdup (or_empty (system));
  t->specimen = g_strdup (or_empty (specimen));
  t->result_status = g_strdup ("");
  return t;
}

void
ch_lab_order_test_free (ChLabOrderTest *t)
{
  if (t == NULL)
    return;
  g_free (t->code);
  g_free (t->text);
  g_free (t->system);
  g_free (t->specimen);
  g_free (t->result_status);
  g_free (t);
}

/* ---- inserting ------------------------------------------------------------- */

gboolean
ch_db_lab_order_insert (ChStore     *store,
                        ChLabOrder  *o,
                        GError     **error)
{
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;
  gint64 id = 0;
  int rc;

  g_return_val_if_fail (ch_store_in_transaction (store), FALSE);

  /* Nothing is ever deleted, so the next id is never one handed out
   * before: the placer number made of it is the practice's own. */
  stmt = ch_store_prepare (store, "SELECT IFNULL (MAX (id), 0) + 1 FROM lab_orders", error);
  if (stmt == NULL)
    return FALSE;
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return FALSE;

  g_free (o->placer_number);
  o->placer_number = g_strdup_printf ("CH%06" G_GINT64_FORMAT, id);

  stmt = ch_store_prepare (store,
                           "INSERT INTO lab_orders (id, patient_id, placer_number, ordered_by,"
                           " ordered_by_name, priority, clinical_info, note, status, created_at)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', ?9)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, o->patient_id);
  sqlite3_bind_text (stmt, 3, o->placer_number, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, or_empty (o->ordered_by), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, or_empty (o->ordered_by_name), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, o->priority != NULL ? o->priority : "routine", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, or_empty (o->clinical_info), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, or_empty (o->note), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 9, now);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  for (guint i = 0; i < o->tests->len; i++)
    {
      ChLabOrderTest *t = o->tests->pdata[i];

      stmt = ch_store_prepare (store,
                               "INSERT INTO lab_order_tests (order_id, position, code, text,"
                               " system, specimen) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                               error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int (stmt, 2, (int) i + 1);
      sqlite3_bind_text (stmt, 3, or_empty (t->code), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, or_empty (t->text), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, or_empty (t->system), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 6, or_empty (t->specimen), -1, SQLITE_TRANSIENT);
      if (!ch_store_step_done (store, stmt, error))
        return FALSE;
      t->id = ch_store_last_insert_id (store);
      t->order_id = id;
      t->position = (gint) i + 1;
    }

  o->id = id;
  o->created_at = now;
  g_free (o->status);
  o->status = g_strdup ("pending");
  return TRUE;
}

/* ---- reading --------------------------------------------------------------- */

#define ORDER_SELECT \
  "SELECT o.id, o.patient_id, p.mrn, p.given_name, p.family_name, o.placer_number," \
  " o.ordered_by, o.ordered_by_name, o.priority, o.clinical_info, o.note, o.status, o.reason," \
  " o.attempts, o.target, o.control_id, o.created_at, o.sent_at, o.resulted_at," \
  " o.cancelled_at, o.cancelled_by, o.cancel_reason, o.cancel_delivery, o.cancel_error" \
  " FROM lab_orders o JOIN patients p ON p.id = o.patient_id"

static ChLabOrder *
read_order (sqlite3_stmt *stmt)
{
  ChLabOrder *o = ch_lab_order_new ();
  const char *given = ch_store_column_text (stmt, 3);
  const char *family = ch_store_column_text (stmt, 4);

  o->id = sqlite3_column_int64 (stmt, 0);
  o->patient_id = sqlite3_column_int64 (stmt, 1);
  o->patient_mrn = column_dup (stmt, 2);
  o->patient_name = g_strstrip (g_strdup_printf ("%s %s", given, family));
  o->placer_number = column_dup (stmt, 5);
  o->ordered_by = column_dup (stmt, 6);
  o->ordered_by_name = column_dup (stmt, 7);
  o->priority = column_dup (stmt, 8);
  o->clinical_info = column_dup (stmt, 9);
  o->note = column_dup (stmt, 10);
  o->status = column_dup (stmt, 11);
  o->reason = column_dup (stmt, 12);
  o->attempts = sqlite3_column_int (stmt, 13);
  o->target = column_dup (stmt, 14);
  o->control_id = column_dup (stmt, 15);
  o->created_at = sqlite3_column_int64 (stmt, 16);
  o->sent_at = sqlite3_column_int64 (stmt, 17);
  o->resulted_at = sqlite3_column_int64 (stmt, 18);
  o->cancelled_at = sqlite3_column_int64 (stmt, 19);
  o->cancelled_by = column_dup (stmt, 20);
  o->cancel_reason = column_dup (stmt, 21);
  o->cancel_delivery = column_dup (stmt, 22);
  o->cancel_error = column_dup (stmt, 23);
  return o;
}

static gboolean
read_tests (ChStore     *store,
            ChLabOrder  *o,
            GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT id, order_id, position, code, text, system, specimen,"
                           " report_id, result_status FROM lab_order_tests"
                           " WHERE order_id = ? ORDER BY position",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, o->id);
  g_ptr_array_set_size (o->tests, 0);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChLabOrderTest *t = g_new0 (ChLabOrderTest, 1);

      t->id = sqlite3_column_int64 (stmt, 0);
      t->order_id = sqlite3_column_int64 (stmt, 1);
      t->position = sqlite3_column_int (stmt, 2);
      t->code = column_dup (stmt, 3);
      t->text = column_dup (stmt, 4);
      t->system = column_dup (stmt, 5);
      t->specimen = column_dup (stmt, 6);
      t->report_id = sqlite3_column_int64 (stmt, 7);
      t->result_status = column_dup (stmt, 8);
      g_ptr_array_add (o->tests, t);
    }
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}

static ChLabOrder *
get_one (ChStore     *store,
         const char  *where,
         gint64       id,
         const char  *number,
         GError     **error)
{
  g_autofree char *sql = g_strconcat (ORDER_SELECT, where, NULL);
  g_autoptr (ChLabOrder) o = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  if (number != NULL)
    sqlite3_bind_text (stmt, 1, number, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (stmt, 1, id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    o = read_order (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    {
      if (number != NULL)
        g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                     _("There is no lab order %s"), number);
      else
        g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                     _("There is no lab order %lld"), (long long) id);
    }
  if (o == NULL || !read_tests (store, o, error))
    return NULL;
  return g_steal_pointer (&o);
}

ChLabOrder *
ch_db_lab_order_get (ChStore  *store,
                     gint64    id,
                     GError  **error)
{
  return get_one (store, " WHERE o.id = ?1", id, NULL, error);
}

ChLabOrder *
ch_db_lab_order_get_by_number (ChStore     *store,
                               const char  *placer_number,
                               GError     **error)
{
  g_return_val_if_fail (placer_number != NULL, NULL);

  return get_one (store, " WHERE o.placer_number = ?1", 0, placer_number, error);
}

GPtrArray *
ch_db_lab_order_list (ChStore     *store,
                      gint64       patient_id,
                      const char  *status,
                      guint        limit,
                      GError     **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_lab_order_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           ORDER_SELECT " WHERE (?1 = 0 OR o.patient_id = ?1)"
                           " AND (?2 IS NULL OR o.status = ?2)"
                           " ORDER BY o.created_at DESC, o.id DESC LIMIT ?3",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  ch_store_bind_text (stmt, 2, status);
  sqlite3_bind_int64 (stmt, 3, limit > 0 ? (gint64) limit : -1);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (list, read_order (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return NULL;
  for (guint i = 0; i < list->len; i++)
    if (!read_tests (store, list->pdata[i], error))
      return NULL;
  return g_steal_pointer (&list);
}

/* ---- changing -------------------------------------------------------------- */

static gboolean
check_changed (ChStore  *store,
               gint64    id,
               GError  **error)
{
  if (ch_store_changes (store) > 0)
    return TRUE;
  g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
               _("There is no lab order %lld"), (long long) id);
  return FALSE;
}

gboolean
ch_db_lab_order_set_delivery (ChStore     *store,
                              gint64       id,
                              gboolean     accepted,
                              const char  *reason,
                              const char  *target,
                              const char  *control_id,
                              GError     **error)
{
  sqlite3_stmt *stmt;

  /* Results may have come before the acknowledgement was recorded (a lab
   * that answers fast, an order sent again): they win. */
  stmt = ch_store_prepare (store,
                           "UPDATE lab_orders SET attempts = attempts + 1, target = ?3,"
                           " control_id = ?4, reason = CASE WHEN ?2 THEN '' ELSE ?5 END,"
                           " sent_at = CASE WHEN ?2 THEN ?6 ELSE sent_at END,"
                           " status = CASE WHEN status IN ('partial', 'resulted', 'cancelled')"
                           " THEN status WHEN ?2 THEN 'sent' ELSE 'failed' END"
                           " WHERE id = ?1",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int (stmt, 2, accepted ? 1 : 0);
  sqlite3_bind_text (stmt, 3, or_empty (target), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, or_empty (control_id), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, or_empty (reason), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time ());
  return ch_store_step_done (store, stmt, error) && check_changed (store, id, error);
}

gboolean
ch_db_lab_order_set_cancelled (ChStore     *store,
                               gint64       id,
                               const char  *username,
                               const char  *reason,
                               const char  *cancel_delivery,
                               GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "UPDATE lab_orders SET status = 'cancelled', cancelled_at = ?2,"
                           " cancelled_by = ?3, cancel_reason = ?4, cancel_delivery = ?5,"
                           " cancel_error = '' WHERE id = ?1",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  sqlite3_bind_text (stmt, 3, or_empty (username), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, or_empty (reason), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, or_empty (cancel_delivery), -1, SQLITE_TRANSIENT);
  return ch_store_step_done (store, stmt, error) && check_changed (store, id, error);
}

gboolean
ch_db_lab_order_set_cancel_delivery (ChStore     *store,
                                     gint64       id,
                                     gboolean     accepted,
                                     const char  *reason,
                                     const char  *target,
                                     const char  *control_id,
                                     GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "UPDATE lab_orders SET attempts = attempts + 1, target = ?3,"
                           " control_id = ?4, cancel_delivery = CASE WHEN ?2 THEN 'sent'"
                           " ELSE 'failed' END, cancel_error = CASE WHEN ?2 THEN '' ELSE ?5 END"
                           " WHERE id = ?1",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int (stmt, 2, accepted ? 1 : 0);
  sqlite3_bind_text (stmt, 3, or_empty (target), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, or_empty (control_id), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, or_empty (reason), -1, SQLITE_TRANSIENT);
  return ch_store_step_done (store, stmt, error) && check_changed (store, id, error);
}

/* ---- results in ------------------------------------------------------------ */

gboolean
ch_db_lab_order_link_report (ChStore     *store,
                             const char  *placer_number,
                             gint64       patient_id,
                             gint64       report_id,
                             const char  *code,
                             const char  *result_status,
                             gint64      *out_order_id,
                             GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 order_id = 0;
  gint64 test_id = 0;
  int rc;

  *out_order_id = 0;
  if (placer_number == NULL || *placer_number == '\0')
    return TRUE;

  /* A number of ours for another patient is not trusted: the lab mixed
   * something up, and the order is left as it was. */
  stmt = ch_store_prepare (store,
                           "SELECT o.id FROM lab_orders o JOIN patients p ON p.id = o.patient_id"
                           " WHERE o.placer_number = ?1 AND (o.patient_id = ?2"
                           " OR p.merged_into = ?2)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, placer_number, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, patient_id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    order_id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc < 0)
    return FALSE;
  if (order_id == 0)
    return TRUE;

  /* The test of that code; else the first one not answered yet (a lab may
   * report a panel under its own code); else none (a reflex test the lab
   * added: the report still carries the order's number). */
  stmt = ch_store_prepare (store,
                           "SELECT id FROM lab_order_tests WHERE order_id = ?1"
                           " AND (code = ?2 OR report_id IS NULL)"
                           " ORDER BY code = ?2 DESC, position LIMIT 1",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, order_id);
  sqlite3_bind_text (stmt, 2, or_empty (code), -1, SQLITE_TRANSIENT);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    test_id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc < 0)
    return FALSE;

  if (test_id > 0)
    {
      stmt = ch_store_prepare (store,
                               "UPDATE lab_order_tests SET report_id = ?2, result_status = ?3"
                               " WHERE id = ?1",
                               error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, test_id);
      sqlite3_bind_int64 (stmt, 2, report_id);
      sqlite3_bind_text (stmt, 3, or_empty (result_status), -1, SQLITE_TRANSIENT);
      if (!ch_store_step_done (store, stmt, error))
        return FALSE;
    }

  stmt = ch_store_prepare (store,
                           "UPDATE lab_orders SET resulted_at = ?2,"
                           " status = CASE WHEN status = 'cancelled' THEN status"
                           " WHEN NOT EXISTS (SELECT 1 FROM lab_order_tests t WHERE"
                           " t.order_id = ?1 AND t.result_status NOT IN ('F', 'C'))"
                           " THEN 'resulted' ELSE 'partial' END WHERE id = ?1",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, order_id);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  *out_order_id = order_id;
  return TRUE;
}
