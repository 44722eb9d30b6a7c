/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-waitlist-db"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "ch-store-private.h"
#include "ch-waitlist-db.h"

static const char *
or_empty (const char *text)
{
  return text ? text : "";
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           col,
                   const char   *text)
{
  if (text == NULL || text[0] == '\0')
    sqlite3_bind_null (stmt, col);
  else
    sqlite3_bind_text (stmt, col, text, -1, SQLITE_TRANSIENT);
}

static void
bind_id_or_null (sqlite3_stmt *stmt,
                 int           col,
                 gint64        id)
{
  if (id == 0)
    sqlite3_bind_null (stmt, col);
  else
    sqlite3_bind_int64 (stmt, col, id);
}

static char *
column_dup_or_null (sqlite3_stmt *stmt,
                    int           col)
{
  return sqlite3_column_type (stmt, col) == SQLITE_NULL ? NULL
         : g_strdup ((const char *) sqlite3_column_text (stmt, col));
}

/* "Family, Given" from two columns, the given name nullable. */
static char *
column_patient_name (sqlite3_stmt *stmt,
                     int           family_col)
{
  if (sqlite3_column_type (stmt, family_col + 1) == SQLITE_NULL)
    return g_strdup (ch_store_column_text (stmt, family_col));
  return g_strdup_printf ("%s, %s", ch_store_column_text (stmt, family_col),
                          ch_store_column_text (stmt, family_col + 1));
}

#define FIRST_PHONE \
  "(SELECT number FROM patient_phones WHERE patient_id = p.id ORDER BY id LIMIT 1)"

/* ---- the waitlist ------------------------------------------------------------------ */

ChWaitlistEntry *
ch_waitlist_entry_new (void)
{
  return g_new0 (ChWaitlistEntry, 1);
}

void
ch_waitlist_entry_free (ChWaitlistEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->provider_id);
  g_free (entry->earliest_day);
  g_free (entry->latest_day);
  g_free (entry->note);
  g_free (entry->status);
  g_free (entry->created_by);
  g_free (entry->updated_by);
  g_free (entry->patient_name);
  g_free (entry->patient_mrn);
  g_free (entry->patient_phone);
  g_free (entry->type_name);
  g_free (entry->provider_name);
  g_free (entry);
}

ChWaitlistEntry *
ch_waitlist_entry_copy (const ChWaitlistEntry *entry)
{
  ChWaitlistEntry *copy = g_memdup2 (entry, sizeof *entry);

  copy->provider_id = g_strdup (entry->provider_id);
  copy->earliest_day = g_strdup (entry->earliest_day);
  copy->latest_day = g_strdup (entry->latest_day);
  copy->note = g_strdup (entry->note);
  copy->status = g_strdup (entry->status);
  copy->created_by = g_strdup (entry->created_by);
  copy->updated_by = g_strdup (entry->updated_by);
  copy->patient_name = g_strdup (entry->patient_name);
  copy->patient_mrn = g_strdup (entry->patient_mrn);
  copy->patient_phone = g_strdup (entry->patient_phone);
  copy->type_name = g_strdup (entry->type_name);
  copy->provider_name = g_strdup (entry->provider_name);
  return copy;
}

#define ENTRY_SELECT \
  "SELECT w.id, w.patient_id, w.type_id, w.provider_id, w.appointment_id, w.earliest_day," \
  " w.latest_day, w.weekdays, w.from_min, w.to_min, w.note, w.status, w.booked_id, w.version," \
  " w.created_at, w.created_by, w.updated_at, w.updated_by, p.family_name, p.given_name, p.mrn, " \
  FIRST_PHONE ", t.name, t.duration_min, r.name, a.start_at" \
  " FROM waitlist w JOIN patients p ON p.id = w.patient_id" \
  " JOIN appointment_types t ON t.id = w.type_id" \
  " LEFT JOIN resources r ON r.id = w.provider_id" \
  " LEFT JOIN appointments a ON a.id = w.appointment_id"

static ChWaitlistEntry *
read_entry (sqlite3_stmt *stmt)
{
  ChWaitlistEntry *e = ch_waitlist_entry_new ();

  e->id = sqlite3_column_int64 (stmt, 0);
  e->patient_id = sqlite3_column_int64 (stmt, 1);
  e->type_id = sqlite3_column_int64 (stmt, 2);
  e->provider_id = column_dup_or_null (stmt, 3);
  e->appointment_id = sqlite3_column_int64 (stmt, 4);
  e->earliest_day = column_dup_or_null (stmt, 5);
  e->latest_day = column_dup_or_null (stmt, 6);
  e->weekdays = (guint) sqlite3_column_int (stmt, 7);
  e->from_min = sqlite3_column_int (stmt, 8);
  e->to_min = sqlite3_column_int (stmt, 9);
  e->note = g_strdup (ch_store_column_text (stmt, 10));
  e->status = g_strdup (ch_store_column_text (stmt, 11));
  e->booked_id = sqlite3_column_int64 (stmt, 12);
  e->version = sqlite3_column_int64 (stmt, 13);
  e->created_at = sqlite3_column_int64 (stmt, 14);
  e->created_by = g_strdup (ch_store_column_text (stmt, 15));
  e->updated_at = sqlite3_column_int64 (stmt, 16);
  e->updated_by = g_strdup (ch_store_column_text (stmt, 17));
  e->patient_name = column_patient_name (stmt, 18);
  e->patient_mrn = g_strdup (ch_store_column_text (stmt, 20));
  e->patient_phone = g_strdup (ch_store_column_text (stmt, 21));
  e->type_name = g_strdup (ch_store_column_text (stmt, 22));
  e->type_minutes = sqlite3_column_int (stmt, 23);
  e->provider_name = column_dup_or_null (stmt, 24);
  e->appointment_start = sqlite3_column_int64 (stmt, 25);
  return e;
}

static GPtrArray *
collect_entries (ChStore       *store,
                 sqlite3_stmt  *stmt,
                 GError       **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_waitlist_entry_free);
  int rc;

  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (list, read_entry (stmt));
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}

gboolean
ch_db_waitlist_insert (ChStore          *store,
                       ChWaitlistEntry  *entry,
                       const char       *username,
                       GError          **error)
{
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;

  if (entry->status == NULL)
    entry->status = g_strdup ("waiting");

  stmt = ch_store_prepare (store,
                           "INSERT INTO waitlist (patient_id, type_id, provider_id, appointment_id,"
                           " earliest_day, latest_day, weekdays, from_min, to_min, note, status,"
                           " created_at, created_by, updated_at, updated_by)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?12, ?13)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, entry->patient_id);
  sqlite3_bind_int64 (stmt, 2, entry->type_id);
  bind_text_or_null (stmt, 3, entry->provider_id);
  bind_id_or_null (stmt, 4, entry->appointment_id);
  bind_text_or_null (stmt, 5, entry->earliest_day);
  bind_text_or_null (stmt, 6, entry->latest_day);
  sqlite3_bind_int (stmt, 7, (int) entry->weekdays);
  sqlite3_bind_int (stmt, 8, entry->from_min);
  sqlite3_bind_int (stmt, 9, entry->to_min);
  sqlite3_bind_text (stmt, 10, or_empty (entry->note), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 11, entry->status, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 12, now);
  sqlite3_bind_text (stmt, 13, username, -1, SQLITE_TRANSIENT);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  entry->id = ch_store_last_insert_id (store);
  entry->version = 1;
  entry->created_at = entry->updated_at = now;
  g_free (entry->created_by);
  entry->created_by = g_strdup (username);
  g_free (entry->updated_by);
  entry->updated_by = g_strdup (username);
  return TRUE;
}

gboolean
ch_db_waitlist_set_status (ChStore          *store,
                           ChWaitlistEntry  *entry,
                           const char       *status,
                           gint64            booked_id,
                           const char       *username,
                           GError          **error)
{
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "UPDATE waitlist SET status = ?1, booked_id = ?2, updated_at = ?3,"
                           " updated_by = ?4, version = version + 1 WHERE id = ?5 AND version = ?6",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, status, -1, SQLITE_TRANSIENT);
  bind_id_or_null (stmt, 2, booked_id);
  sqlite3_bind_int64 (stmt, 3, now);
  sqlite3_bind_text (stmt, 4, username, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, entry->id);
  sqlite3_bind_int64 (stmt, 6, entry->version);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  if (ch_store_changes (store) != 1)
    {
      g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT,
                           _("Someone else changed this waitlist entry in the meantime; look again and retry"));
      return FALSE;
    }
  g_free (entry->status);
  entry->status = g_strdup (status);
  entry->booked_id = booked_id;
  entry->version++;
  entry->updated_at = now;
  g_free (entry->updated_by);
  entry->updated_by = g_strdup (username);
  return TRUE;
}

ChWaitlistEntry *
ch_db_waitlist_get (ChStore  *store,
                    gint64    id,
                    GError  **error)
{
  ChWaitlistEntry *entry = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, ENTRY_SELECT " WHERE w.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    entry = read_entry (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                 _("There is no waitlist entry %" PRId64), id);
  sqlite3_reset (stmt);
  return entry;
}

GPtrArray *
ch_db_waitlist_list (ChStore     *store,
                     const char  *status,
                     GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           ENTRY_SELECT " WHERE (?1 IS NULL AND w.status IN ('waiting', 'offered'))"
                           " OR ?1 = 'all' OR w.status = ?1 ORDER BY w.created_at, w.id", error);
  if (stmt == NULL)
    return NULL;
  bind_text_or_null (stmt, 1, status);
  return collect_entries (store, stmt, error);
}

GPtrArray *
ch_db_waitlist_candidates (ChStore     *store,
                           const char  *provider_id,
                           gint64       from,
                           gint64       until,
                           GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           ENTRY_SELECT " WHERE w.status = 'waiting' AND NOT EXISTS"
                           " (SELECT 1 FROM waitlist_offers o WHERE o.entry_id = w.id"
                           "  AND o.status = 'declined' AND o.provider_id = ?1"
                           "  AND o.free_from < ?3 AND o.free_until > ?2)"
                           " ORDER BY w.created_at, w.id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, provider_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, until);
  return collect_entries (store, stmt, error);
}

gboolean
ch_db_waitlist_has_active (ChStore   *store,
                           gint64     patient_id,
                           gint64     type_id,
                           gboolean  *out_has,
                           GError   **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT count(*) FROM waitlist WHERE patient_id = ? AND type_id = ?"
                                  " AND status IN ('waiting', 'offered')", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_int64 (stmt, 2, type_id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    *out_has = sqlite3_column_int64 (stmt, 0) > 0;
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW;
}

/* ---- offers ------------------------------------------------------------------------ */

ChWaitlistOffer *
ch_waitlist_offer_new (void)
{
  return g_new0 (ChWaitlistOffer, 1);
}

void
ch_waitlist_offer_free (ChWaitlistOffer *offer)
{
  if (offer == NULL)
    return;
  g_free (offer->provider_id);
  g_free (offer->room_id);
  g_free (offer->free_room_id);
  g_free (offer->status);
  g_free (offer->note);
  g_free (offer->created_by);
  g_free (offer->closed_by);
  g_free (offer->patient_name);
  g_free (offer->patient_mrn);
  g_free (offer->patient_phone);
  g_free (offer->type_name);
  g_free (offer->provider_name);
  g_free (offer);
}

#define OFFER_SELECT \
  "SELECT o.id, o.entry_id, o.provider_id, o.room_id, o.start_at, o.duration_min, o.free_from," \
  " o.free_until, o.status, o.appointment_id, o.note, o.created_at, o.created_by, o.closed_at," \
  " o.closed_by, w.patient_id, p.family_name, p.given_name, p.mrn, " FIRST_PHONE ", w.type_id," \
  " t.name, r.name, o.free_room_id" \
  " FROM waitlist_offers o JOIN waitlist w ON w.id = o.entry_id" \
  " JOIN patients p ON p.id = w.patient_id JOIN appointment_types t ON t.id = w.type_id" \
  " JOIN resources r ON r.id = o.provider_id"

static ChWaitlistOffer *
read_offer (sqlite3_stmt *stmt)
{
  ChWaitlistOffer *o = ch_waitlist_offer_new ();

  o->id = sqlite3_column_int64 (stmt, 0);
  o->entry_id = sqlite3_column_int64 (stmt, 1);
  o->provider_id = g_strdup (ch_store_column_text (stmt, 2));
  o->room_id = column_dup_or_null (stmt, 3);
  o->start_at = sqlite3_column_int64 (stmt, 4);
  o->duration_min = sqlite3_column_int (stmt, 5);
  o->free_from = sqlite3_column_int64 (stmt, 6);
  o->free_until = sqlite3_column_int64 (stmt, 7);
  o->status = g_strdup (ch_store_column_text (stmt, 8));
  o->appointment_id = sqlite3_column_int64 (stmt, 9);
  o->note = g_strdup (ch_store_column_text (stmt, 10));
  o->created_at = sqlite3_column_int64 (stmt, 11);
  o->created_by = g_strdup (ch_store_column_text (stmt, 12));
  o->closed_at = sqlite3_column_int64 (stmt, 13);
  o->closed_by = column_dup_or_null (stmt, 14);
  o->patient_id = sqlite3_column_int64 (stmt, 15);
  o->patient_name = column_patient_name (stmt, 16);
  o->patient_mrn = g_strdup (ch_store_column_text (stmt, 18));
  o->patient_phone = g_strdup (ch_store_column_text (stmt, 19));
  o->type_id = sqlite3_column_int64 (stmt, 20);
  o->type_name = g_strdup (ch_store_column_text (stmt, 21));
  o->provider_name = g_strdup (ch_store_column_text (stmt, 22));
  o->free_room_id = column_dup_or_null (stmt, 23);
  return o;
}

gboolean
ch_db_offer_insert (ChStore          *store,
                    ChWaitlistOffer  *offer,
                    const char       *username,
                    GError          **error)
{
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO waitlist_offers (entry_id, provider_id, room_id, start_at,"
                           " duration_min, free_from, free_until, free_room_id, status, note, created_at,"
                           " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, offer->entry_id);
  sqlite3_bind_text (stmt, 2, offer->provider_id, -1, SQLITE_TRANSIENT);
  bind_text_or_null (stmt, 3, offer->room_id);
  sqlite3_bind_int64 (stmt, 4, offer->start_at);
  sqlite3_bind_int (stmt, 5, offer->duration_min);
  sqlite3_bind_int64 (stmt, 6, offer->free_from);
  sqlite3_bind_int64 (stmt, 7, offer->free_until);
  bind_text_or_null (stmt, 8, offer->free_room_id);
  sqlite3_bind_text (stmt, 9, or_empty (offer->note), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 10, now);
  sqlite3_bind_text (stmt, 11, username, -1, SQLITE_TRANSIENT);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  offer->id = ch_store_last_insert_id (store);
  g_free (offer->status);
  offer->status = g_strdup ("open");
  offer->created_at = now;
  g_free (offer->created_by);
  offer->created_by = g_strdup (username);
  return TRUE;
}

gboolean
ch_db_offer_close (ChStore     *store,
                   gint64       offer_id,
                   const char  *status,
                   gint64       appointment_id,
                   const char  *note,
                   const char  *username,
                   GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "UPDATE waitlist_offers SET status = ?1, appointment_id = ?2,"
                           " note = ?3, closed_at = ?4, closed_by = ?5"
                           " WHERE id = ?6 AND status = 'open'", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, status, -1, SQLITE_TRANSIENT);
  bind_id_or_null (stmt, 2, appointment_id);
  sqlite3_bind_text (stmt, 3, or_empty (note), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time ());
  sqlite3_bind_text (stmt, 5, username, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, offer_id);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  if (ch_store_changes (store) != 1)
    {
      g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT,
                           _("The offer is no longer open; look again"));
      return FALSE;
    }
  return TRUE;
}

ChWaitlistOffer *
ch_db_offer_get (ChStore  *store,
                 gint64    offer_id,
                 GError  **error)
{
  ChWaitlistOffer *offer = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, OFFER_SELECT " WHERE o.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, offer_id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    offer = read_offer (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                 _("There is no waitlist offer %" PRId64), offer_id);
  sqlite3_reset (stmt);
  return offer;
}

GPtrArray *
ch_db_offer_list (ChStore     *store,
                  const char  *status,
                  GError     **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_waitlist_offer_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, OFFER_SELECT " WHERE ?1 IS NULL OR o.status = ?1"
                                  " ORDER BY o.start_at, o.id", error);
  if (stmt == NULL)
    return NULL;
  bind_text_or_null (stmt, 1, status);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (list, read_offer (stmt));
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}

ChWaitlistOffer *
ch_db_offer_open_for (ChStore  *store,
                      gint64    entry_id,
                      GError  **error)
{
  ChWaitlistOffer *offer = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, OFFER_SELECT " WHERE o.entry_id = ? AND o.status = 'open'"
                                  " ORDER BY o.id DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, entry_id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    offer = read_offer (stmt);
  sqlite3_reset (stmt);
  return offer;
}

gboolean
ch_db_offer_overlaps (ChStore     *store,
                      const char  *provider_id,
                      gint64       from,
                      gint64       until,
                      gboolean    *out_overlaps,
                      GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT count(*) FROM waitlist_offers WHERE status = 'open'"
                                  " AND provider_id = ?1 AND start_at < ?3"
                                  " AND start_at + duration_min * 60000000 > ?2", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, provider_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, until);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    *out_overlaps = sqlite3_column_int64 (stmt, 0) > 0;
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW;
}

/* ---- recalls ----------------------------------------------------------------------- */

ChRecall *
ch_recall_new (void)
{
  return g_new0 (ChRecall, 1);
}

void
ch_recall_free (ChRecall *recall)
{
  if (recall == NULL)
    return;
  g_free (recall->kind);
  g_free (recall->due_date);
  g_free (recall->reason);
  g_free (recall->provider_id);
  g_free (recall->code);
  g_free (recall->status);
  g_free (recall->outcome);
  g_free (recall->created_by);
  g_free (recall->updated_by);
  g_free (recall->patient_name);
  g_free (recall->patient_mrn);
  g_free (recall->patient_phone);
  g_free (recall->provider_name);
  g_free (recall->last_contact_note);
  g_free (recall);
}

void
ch_recall_contact_free (ChRecallContact *contact)
{
  if (contact == NULL)
    return;
  g_free (contact->by);
  g_free (contact->note);
  g_free (contact);
}

#define RECALL_SELECT \
  "SELECT c.id, c.patient_id, c.kind, c.due_date, c.reason, c.provider_id, c.code, c.dose," \
  " c.status, c.appointment_id, c.outcome, c.version, c.created_at, c.created_by, c.updated_at," \
  " c.updated_by, p.family_name, p.given_name, p.mrn, " FIRST_PHONE ", r.name," \
  " (SELECT count(*) FROM recall_contacts k WHERE k.recall_id = c.id)," \
  " (SELECT max(at) FROM recall_contacts k WHERE k.recall_id = c.id)," \
  " (SELECT note FROM recall_contacts k WHERE k.recall_id = c.id ORDER BY at DESC, id DESC LIMIT 1)" \
  " FROM recalls c JOIN patients p ON p.id = c.patient_id" \
  " LEFT JOIN resources r ON r.id = c.provider_id"

static ChRecall *
read_recall (sqlite3_stmt *stmt)
{
  ChRecall *r = ch_recall_new ();

  r->id = sqlite3_column_int64 (stmt, 0);
  r->patient_id = sqlite3_column_int64 (stmt, 1);
  r->kind = g_strdup (ch_store_column_text (stmt, 2));
  r->due_date = g_strdup (ch_store_column_text (stmt, 3));
  r->reason = g_strdup (ch_store_column_text (stmt, 4));
  r->provider_id = column_dup_or_null (stmt, 5);
  r->code = column_dup_or_null (stmt, 6);
  r->dose = sqlite3_column_int (stmt, 7);
  r->status = g_strdup (ch_store_column_text (stmt, 8));
  r->appointment_id = sqlite3_column_int64 (stmt, 9);
  r->outcome = g_strdup (ch_store_column_text (stmt, 10));
  r->version = sqlite3_column_int64 (stmt, 11);
  r->created_at = sqlite3_column_int64 (stmt, 12);
  r->created_by = g_strdup (ch_store_column_text (stmt, 13));
  r->updated_at = sqlite3_column_int64 (stmt, 14);
  r->updated_by = g_strdup (ch_store_column_text (stmt, 15));
  r->patient_name = column_patient_name (stmt, 16);
  r->patient_mrn = g_strdup (ch_store_column_text (stmt, 18));
  r->patient_phone = g_strdup (ch_store_column_text (stmt, 19));
  r->provider_name = column_dup_or_null (stmt, 20);
  r->n_contacts = (guint) sqlite3_column_int64 (stmt, 21);
  r->last_contact_at = sqlite3_column_int64 (stmt, 22);
  r->last_contact_note = column_dup_or_null (stmt, 23);
  return r;
}

gboolean
ch_db_recall_insert (ChStore     *store,
                     ChRecall    *recall,
                     const char  *username,
                     GError     **error)
{
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;

  if (recall->status == NULL)
    recall->status = g_strdup ("due");

  stmt = ch_store_prepare (store,
                           "INSERT INTO recalls (patient_id, kind, due_date, reason, provider_id, code,"
                           " dose, status, appointment_id, outcome, created_at, created_by, updated_at,"
                           " updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
                           " ?11, ?12)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, recall->patient_id);
  sqlite3_bind_text (stmt, 2, recall->kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, recall->due_date, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, or_empty (recall->reason), -1, SQLITE_TRANSIENT);
  bind_text_or_null (stmt, 5, recall->provider_id);
  bind_text_or_null (stmt, 6, recall->code);
  sqlite3_bind_int (stmt, 7, recall->dose);
  sqlite3_bind_text (stmt, 8, recall->status, -1, SQLITE_TRANSIENT);
  bind_id_or_null (stmt, 9, recall->appointment_id);
  sqlite3_bind_text (stmt, 10, or_empty (recall->outcome), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 11, now);
  sqlite3_bind_text (stmt, 12, username, -1, SQLITE_TRANSIENT);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  recall->id = ch_store_last_insert_id (store);
  recall->version = 1;
  recall->created_at = recall->updated_at = now;
  g_free (recall->created_by);
  recall->created_by = g_strdup (username);
  g_free (recall->updated_by);
  recall->updated_by = g_strdup (username);
  return TRUE;
}

gboolean
ch_db_recall_update (ChStore     *store,
                     ChRecall    *recall,
                     const char  *username,
                     GError     **error)
{
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "UPDATE recalls SET status = ?1, appointment_id = ?2, outcome = ?3,"
                           " updated_at = ?4, updated_by = ?5, version = version + 1"
                           " WHERE id = ?6 AND version = ?7", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, recall->status, -1, SQLITE_TRANSIENT);
  bind_id_or_null (stmt, 2, recall->appointment_id);
  sqlite3_bind_text (stmt, 3, or_empty (recall->outcome), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, now);
  sqlite3_bind_text (stmt, 5, username, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, recall->id);
  sqlite3_bind_int64 (stmt, 7, recall->version);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  if (ch_store_changes (store) != 1)
    {
      g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT,
                           _("Someone else changed this recall in the meantime; look again and retry"));
      return FALSE;
    }
  recall->version++;
  recall->updated_at = now;
  g_free (recall->updated_by);
  recall->updated_by = g_strdup (username);
  return TRUE;
}

ChRecall *
ch_db_recall_get (ChStore  *store,
                  gint64    id,
                  GError  **error)
{
  ChRecall *recall = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, RECALL_SELECT " WHERE c.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    recall = read_recall (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                 _("There is no recall %" PRId64), id);
  sqlite3_reset (stmt);
  return recall;
}

GPtrArray *
ch_db_recall_list (ChStore     *store,
                   const char  *from_day,
                   const char  *to_day,
                   const char  *status,
                   GError     **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_recall_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           RECALL_SELECT " WHERE (?1 IS NULL OR c.due_date >= ?1)"
                           " AND (?2 IS NULL OR c.due_date <= ?2)"
                           " AND ((?3 IS NULL AND c.status IN ('due', 'contacted')) OR ?3 = 'all'"
                           "      OR c.status = ?3)"
                           " ORDER BY c.due_date, c.id", error);
  if (stmt == NULL)
    return NULL;
  bind_text_or_null (stmt, 1, from_day);
  bind_text_or_null (stmt, 2, to_day);
  bind_text_or_null (stmt, 3, status);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (list, read_recall (stmt));
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}

gboolean
ch_db_recall_contact_add (ChStore     *store,
                          gint64       recall_id,
                          const char  *note,
                          const char  *username,
                          GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store, "INSERT INTO recall_contacts (recall_id, at, by, note)"
                                  " VALUES (?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, recall_id);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  sqlite3_bind_text (stmt, 3, username, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, or_empty (note), -1, SQLITE_TRANSIENT);
  return ch_store_step_done (store, stmt, error);
}

GPtrArray *
ch_db_recall_contacts (ChStore  *store,
                       gint64    recall_id,
                       GError  **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_recall_contact_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT id, recall_id, at, by, note FROM recall_contacts"
                                  " WHERE recall_id = ? ORDER BY at, id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, recall_id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChRecallContact *contact = g_new0 (ChRecallContact, 1);

      contact->id = sqlite3_column_int64 (stmt, 0);
      contact->recall_id = sqlite3_column_int64 (stmt, 1);
      contact->at = sqlite3_column_int64 (stmt, 2);
      contact->by = g_strdup (ch_store_column_text (stmt, 3));
      contact->note = g_strdup (ch_store_column_text (stmt, 4));
      g_ptr_array_add (list, contact);
    }
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}

gboolean
ch_db_recall_has_immunization (ChStore     *store,
                               gint64       patient_id,
                               const char  *code,
                               int          dose,
                               gint64       since,
                               gboolean    *out_has,
                               GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT count(*) FROM recalls WHERE patient_id = ?1 AND kind = 'immunization'"
                           " AND code = ?2 AND (status IN ('due', 'contacted', 'booked')"
                           "                    OR (dose = ?3 AND updated_at >= ?4))", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_text (stmt, 2, code, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 3, dose);
  sqlite3_bind_int64 (stmt, 4, since);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    *out_has = sqlite3_column_int64 (stmt, 0) > 0;
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW;
}

GArray *
ch_db_recall_birthdays (ChStore  *store,
                        GError  **error)
{
  g_autoptr (GArray) list = g_array_new (FALSE, TRUE, sizeof (ChBirthday));
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT id, birth_date FROM patients WHERE status = 'active'"
                                  " AND birth_date IS NOT NULL AND length (birth_date) = 10"
                                  " ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChBirthday b = { 0 };

      b.id = sqlite3_column_int64 (stmt, 0);
      g_strlcpy (b.birth_date, ch_store_column_text (stmt, 1), sizeof b.birth_date);
      g_array_append_val (list, b);
    }
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}
