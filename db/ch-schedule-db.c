/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-schedule-db"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "ch-schedule-db.h"
#include "ch-store-private.h"

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

static char *
column_dup_or_null (sqlite3_stmt *stmt,
                    int           col)
{
  return sqlite3_column_type (stmt, col) == SQLITE_NULL ? NULL
         : g_strdup ((const char *) sqlite3_column_text (stmt, col));
}

/* ---- resources ------------------------------------------------------------------- */

ChResource *
ch_resource_new (void)
{
  ChResource *resource = g_new0 (ChResource, 1);

  resource->active = TRUE;
  return resource;
}

void
ch_resource_free (ChResource *resource)
{
  if (resource == NULL)
    return;
  g_free (resource->id);
  g_free (resource->kind);
  g_free (resource->name);
  g_free (resource->username);
  g_free (resource->color);
  g_free (resource);
}

gboolean
ch_db_resource_put (ChStore           *store,
                    const ChResource  *resource,
                    const char        *username,
                    GError           **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT OR REPLACE INTO resources (id, kind, name, username, color, active,"
                           " updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, resource->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, resource->kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, resource->name, -1, SQLITE_TRANSIENT);
  bind_text_or_null (stmt, 4, resource->username);
  sqlite3_bind_text (stmt, 5, or_empty (resource->color), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 6, resource->active);
  sqlite3_bind_int64 (stmt, 7, g_get_real_time ());
  sqlite3_bind_text (stmt, 8, username, -1, SQLITE_TRANSIENT);
  return ch_store_step_done (store, stmt, error);
}

static ChResource *
read_resource (sqlite3_stmt *stmt)
{
  ChResource *resource = ch_resource_new ();

  resource->id = g_strdup (ch_store_column_text (stmt, 0));
  resource->kind = g_strdup (ch_store_column_text (stmt, 1));
  resource->name = g_strdup (ch_store_column_text (stmt, 2));
  resource->username = column_dup_or_null (stmt, 3);
  resource->color = g_strdup (ch_store_column_text (stmt, 4));
  resource->active = sqlite3_column_int (stmt, 5) != 0;
  return resource;
}

ChResource *
ch_db_resource_get (ChStore     *store,
                    const char  *id,
                    GError     **error)
{
  sqlite3_stmt *stmt;
  ChResource *resource = NULL;
  int rc;

  stmt = ch_store_prepare (store, "SELECT id, kind, name, username, color, active FROM resources"
                                  " WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    resource = read_resource (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                 _("There is no provider or room “%s”"), id);
  sqlite3_reset (stmt);
  return resource;
}

GPtrArray *
ch_db_resource_list (ChStore     *store,
                     const char  *kind,
                     GError     **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_resource_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT id, kind, name, username, color, active FROM resources"
                                  " WHERE ?1 IS NULL OR kind = ?1 ORDER BY kind DESC, name, id",
                           error);
  if (stmt == NULL)
    return NULL;
  bind_text_or_null (stmt, 1, kind);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (list, read_resource (stmt));
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}

gboolean
ch_db_hours_replace (ChStore        *store,
                     const char     *resource_id,
                     guint           weekdays,
                     const ChHours  *hours,
                     guint           n_hours,
                     GError        **error)
{
  sqlite3_stmt *stmt;

  for (int day = 1; day <= 7; day++)
    {
      if (!(weekdays & (1u << day)))
        continue;
      stmt = ch_store_prepare (store, "DELETE FROM working_hours WHERE resource_id = ? AND weekday = ?",
                               error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, resource_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 2, day);
      if (!ch_store_step_done (store, stmt, error))
        return FALSE;
    }

  for (guint i = 0; i < n_hours; i++)
    {
      stmt = ch_store_prepare (store,
                               "INSERT INTO working_hours (resource_id, weekday, start_min, end_min, kind)"
                               " VALUES (?, ?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, resource_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 2, hours[i].weekday);
      sqlite3_bind_int (stmt, 3, hours[i].start_min);
      sqlite3_bind_int (stmt, 4, hours[i].end_min);
      sqlite3_bind_text (stmt, 5, hours[i].is_break ? "break" : "work", -1, SQLITE_STATIC);
      if (!ch_store_step_done (store, stmt, error))
        return FALSE;
    }
  return TRUE;
}

GArray *
ch_db_hours_list (ChStore     *store,
                  const char  *resource_id,
                  GError     **error)
{
  g_autoptr (GArray) list = g_array_new (FALSE, TRUE, sizeof (ChHours));
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT weekday, start_min, end_min, kind FROM working_hours"
                                  " WHERE resource_id = ? ORDER BY weekday, start_min", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, resource_id, -1, SQLITE_TRANSIENT);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChHours hours = {
        sqlite3_column_int (stmt, 0), sqlite3_column_int (stmt, 1), sqlite3_column_int (stmt, 2),
        g_str_equal (ch_store_column_text (stmt, 3), "break"),
      };

      g_array_append_val (list, hours);
    }
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}

gboolean
ch_db_day_off_add (ChStore     *store,
                   const char  *resource_id,
                   const char  *day,
                   const char  *reason,
                   GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store, "INSERT INTO days_off (resource_id, day, reason) VALUES (?, ?, ?)",
                           error);
  if (stmt == NULL)
    return FALSE;
  bind_text_or_null (stmt, 1, resource_id);
  sqlite3_bind_text (stmt, 2, day, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, or_empty (reason), -1, SQLITE_TRANSIENT);
  return ch_store_step_done (store, stmt, error);
}

gboolean
ch_db_day_off_check (ChStore     *store,
                     const char  *resource_id,
                     const char  *day,
                     gboolean    *out_off,
                     GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT 1 FROM days_off WHERE day = ?"
                                  " AND (resource_id IS NULL OR resource_id = ?) LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, day, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, resource_id, -1, SQLITE_TRANSIENT);
  rc = ch_store_step (store, stmt, error);
  sqlite3_reset (stmt);
  *out_off = rc == SQLITE_ROW;
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

GPtrArray *
ch_db_days_off_range (ChStore     *store,
                      const char  *from_day,
                      const char  *to_day,
                      GError     **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT resource_id, day FROM days_off WHERE day BETWEEN ? AND ?",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, from_day, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, to_day, -1, SQLITE_TRANSIENT);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (list, g_strdup_printf ("%s|%s", ch_store_column_text (stmt, 0),
                                            ch_store_column_text (stmt, 1)));
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}

void
ch_day_off_free (ChDayOff *day_off)
{
  if (day_off == NULL)
    return;
  g_free (day_off->resource_id);
  g_free (day_off->day);
  g_free (day_off->reason);
  g_free (day_off);
}

GPtrArray *
ch_db_days_off_list (ChStore     *store,
                     const char  *from_day,
                     GError     **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_day_off_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT resource_id, day, reason FROM days_off WHERE day >= ?"
                                  " ORDER BY day, resource_id IS NOT NULL, resource_id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, from_day, -1, SQLITE_TRANSIENT);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChDayOff *day_off = g_new0 (ChDayOff, 1);

      day_off->resource_id = column_dup_or_null (stmt, 0);
      day_off->day = g_strdup (ch_store_column_text (stmt, 1));
      day_off->reason = g_strdup (ch_store_column_text (stmt, 2));
      g_ptr_array_add (list, day_off);
    }
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}

gboolean
ch_db_day_off_remove (ChStore     *store,
                      const char  *resource_id,
                      const char  *day,
                      GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "DELETE FROM days_off WHERE day = ? AND resource_id IS ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, day, -1, SQLITE_TRANSIENT);
  if (resource_id != NULL)
    sqlite3_bind_text (stmt, 2, resource_id, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 2);
  rc = ch_store_step (store, stmt, error);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return FALSE;
  if (ch_store_changes (store) == 0)
    {
      g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND, _("There is no day off on %s"),
                   day);
      return FALSE;
    }
  return TRUE;
}

char *
ch_db_last_provider (ChStore  *store,
                     gint64    patient_id,
                     gint64    before,
                     GError  **error)
{
  sqlite3_stmt *stmt;
  char *provider = NULL;
  int rc;

  stmt = ch_store_prepare (store, "SELECT provider_id FROM appointments WHERE patient_id = ?"
                                  " AND start_at < ? AND status != 'cancelled'"
                                  " ORDER BY start_at DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_int64 (stmt, 2, before);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    provider = g_strdup (ch_store_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return provider;
}

/* ---- appointment types ------------------------------------------------------------ */

ChApptType *
ch_appt_type_new (void)
{
  ChApptType *type = g_new0 (ChApptType, 1);

  type->active = TRUE;
  return type;
}

void
ch_appt_type_free (ChApptType *type)
{
  if (type == NULL)
    return;
  g_free (type->name);
  g_free (type->color);
  g_free (type->providers);
  g_free (type->rooms);
  g_free (type);
}

#define TYPE_COLUMNS \
  "id, name, duration_min, color, allow_overbook, buffer_min, providers, needs_room, rooms, active"

static ChApptType *
read_type (sqlite3_stmt *stmt)
{
  ChApptType *type = ch_appt_type_new ();

  type->id = sqlite3_column_int64 (stmt, 0);
  type->name = g_strdup (ch_store_column_text (stmt, 1));
  type->duration_min = sqlite3_column_int (stmt, 2);
  type->color = g_strdup (ch_store_column_text (stmt, 3));
  type->allow_overbook = sqlite3_column_int (stmt, 4) != 0;
  type->buffer_min = sqlite3_column_int (stmt, 5);
  type->providers = g_strdup (ch_store_column_text (stmt, 6));
  type->needs_room = sqlite3_column_int (stmt, 7) != 0;
  type->rooms = g_strdup (ch_store_column_text (stmt, 8));
  type->active = sqlite3_column_int (stmt, 9) != 0;
  return type;
}

gboolean
ch_db_appt_type_insert (ChStore     *store,
                        ChApptType  *type,
                        GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO appointment_types (name, duration_min, color, allow_overbook,"
                           " buffer_min, providers, needs_room, rooms, active)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, type->name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, type->duration_min);
  sqlite3_bind_text (stmt, 3, or_empty (type->color), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 4, type->allow_overbook);
  sqlite3_bind_int (stmt, 5, type->buffer_min);
  sqlite3_bind_text (stmt, 6, or_empty (type->providers), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 7, type->needs_room);
  sqlite3_bind_text (stmt, 8, or_empty (type->rooms), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 9, type->active);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  type->id = ch_store_last_insert_id (store);
  return TRUE;
}

static ChApptType *
get_type (ChStore    *store,
          const char *where,
          gint64      id,
          const char *name,
          GError    **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT " TYPE_COLUMNS " FROM appointment_types WHERE %s",
                                          where);
  sqlite3_stmt *stmt = ch_store_prepare (store, sql, error);
  ChApptType *type = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  if (name != NULL)
    sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (stmt, 1, id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    type = read_type (stmt);
  else if (rc == SQLITE_DONE && name != NULL)
    g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                 _("There is no appointment type “%s”"), name);
  else if (rc == SQLITE_DONE)
    g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                         _("There is no such appointment type"));
  sqlite3_reset (stmt);
  return type;
}

ChApptType *
ch_db_appt_type_get (ChStore  *store,
                     gint64    id,
                     GError  **error)
{
  return get_type (store, "id = ?", id, NULL, error);
}

ChApptType *
ch_db_appt_type_find (ChStore     *store,
                      const char  *name,
                      GError     **error)
{
  return get_type (store, "name = ? COLLATE NOCASE", 0, name, error);
}

GPtrArray *
ch_db_appt_type_list (ChStore  *store,
                      GError  **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_appt_type_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT " TYPE_COLUMNS " FROM appointment_types WHERE active"
                                  " ORDER BY name", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (list, read_type (stmt));
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}

/* ---- appointments ---------------------------------------------------------------- */

ChAppointment *
ch_appointment_new (void)
{
  return g_new0 (ChAppointment, 1);
}

void
ch_appointment_free (ChAppointment *appointment)
{
  if (appointment == NULL)
    return;
  g_free (appointment->provider_id);
  g_free (appointment->room_id);
  g_free (appointment->reason);
  g_free (appointment->notes);
  g_free (appointment->status);
  g_free (appointment->cancel_reason);
  g_free (appointment->updated_by);
  g_free (appointment->patient_name);
  g_free (appointment->patient_mrn);
  g_free (appointment->type_name);
  g_free (appointment->type_color);
  g_free (appointment->provider_name);
  g_free (appointment);
}

ChAppointment *
ch_appointment_copy (const ChAppointment *appointment)
{
  ChAppointment *copy = g_memdup2 (appointment, sizeof *appointment);

  copy->provider_id = g_strdup (appointment->provider_id);
  copy->room_id = g_strdup (appointment->room_id);
  copy->reason = g_strdup (appointment->reason);
  copy->notes = g_strdup (appointment->notes);
  copy->status = g_strdup (appointment->status);
  copy->cancel_reason = g_strdup (appointment->cancel_reason);
  copy->updated_by = g_strdup (appointment->updated_by);
  copy->patient_name = g_strdup (appointment->patient_name);
  copy->patient_mrn = g_strdup (appointment->patient_mrn);
  copy->type_name = g_strdup (appointment->type_name);
  copy->type_color = g_strdup (appointment->type_color);
  copy->provider_name = g_strdup (appointment->provider_name);
  return copy;
}

#define APPT_SELECT \
  "SELECT a.id, a.patient_id, a.provider_id, a.room_id, a.type_id, a.start_at, a.duration_min," \
  " a.reason, a.notes, a.status, a.cancel_reason, a.series_id, a.occurrence_at, a.detached," \
  " a.version, a.updated_at, a.updated_by, p.family_name, p.given_name, p.mrn, t.name, r.name, t.color" \
  " FROM appointments a JOIN patients p ON p.id = a.patient_id" \
  " JOIN appointment_types t ON t.id = a.type_id JOIN resources r ON r.id = a.provider_id"

static ChAppointment *
read_appointment (sqlite3_stmt *stmt)
{
  ChAppointment *a = ch_appointment_new ();

  a->id = sqlite3_column_int64 (stmt, 0);
  a->patient_id = sqlite3_column_int64 (stmt, 1);
  a->provider_id = g_strdup (ch_store_column_text (stmt, 2));
  a->room_id = column_dup_or_null (stmt, 3);
  a->type_id = sqlite3_column_int64 (stmt, 4);
  a->start_at = sqlite3_column_int64 (stmt, 5);
  a->duration_min = sqlite3_column_int (stmt, 6);
  a->reason = g_strdup (ch_store_column_text (stmt, 7));
  a->notes = g_strdup (ch_store_column_text (stmt, 8));
  a->status = g_strdup (ch_store_column_text (stmt, 9));
  a->cancel_reason = g_strdup (ch_store_column_text (stmt, 10));
  a->series_id = sqlite3_column_int64 (stmt, 11);
  a->occurrence_at = sqlite3_column_int64 (stmt, 12);
  a->detached = sqlite3_column_int (stmt, 13) != 0;
  a->version = sqlite3_column_int64 (stmt, 14);
  a->updated_at = sqlite3_column_int64 (stmt, 15);
  a->updated_by = g_strdup (ch_store_column_text (stmt, 16));
  a->patient_name = sqlite3_column_type (stmt, 18) == SQLITE_NULL
                    ? g_strdup (ch_store_column_text (stmt, 17))
                    : g_strdup_printf ("%s, %s", ch_store_column_text (stmt, 17),
                                       ch_store_column_text (stmt, 18));
  a->patient_mrn = g_strdup (ch_store_column_text (stmt, 19));
  a->type_name = g_strdup (ch_store_column_text (stmt, 20));
  a->provider_name = g_strdup (ch_store_column_text (stmt, 21));
  a->type_color = column_dup_or_null (stmt, 22);
  return a;
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

/* Binds ?1 … ?13: the fields an appointment's writer sets. */
static void
bind_appointment (sqlite3_stmt        *stmt,
                  const ChAppointment *a)
{
  sqlite3_bind_int64 (stmt, 1, a->patient_id);
  sqlite3_bind_text (stmt, 2, a->provider_id, -1, SQLITE_TRANSIENT);
  bind_text_or_null (stmt, 3, a->room_id);
  sqlite3_bind_int64 (stmt, 4, a->type_id);
  sqlite3_bind_int64 (stmt, 5, a->start_at);
  sqlite3_bind_int (stmt, 6, a->duration_min);
  sqlite3_bind_text (stmt, 7, or_empty (a->reason), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, or_empty (a->notes), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, a->status ? a->status : "booked", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 10, or_empty (a->cancel_reason), -1, SQLITE_TRANSIENT);
  bind_id_or_null (stmt, 11, a->series_id);
  bind_id_or_null (stmt, 12, a->occurrence_at);
  sqlite3_bind_int (stmt, 13, a->detached);
}

gboolean
ch_db_appointment_insert (ChStore        *store,
                          ChAppointment  *appointment,
                          const char     *username,
                          GError        **error)
{
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;

  if (appointment->status == NULL)
    appointment->status = g_strdup ("booked");

  stmt = ch_store_prepare (store,
                           "INSERT INTO appointments (patient_id, provider_id, room_id, type_id,"
                           " start_at, duration_min, reason, notes, status, cancel_reason, series_id,"
                           " occurrence_at, detached, created_at, created_by, updated_at, updated_by)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
                           " ?14, ?15)", error);
  if (stmt == NULL)
    return FALSE;
  bind_appointment (stmt, appointment);
  sqlite3_bind_int64 (stmt, 14, now);
  sqlite3_bind_text (stmt, 15, username, -1, SQLITE_TRANSIENT);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  appointment->id = ch_store_last_insert_id (store);
  appointment->version = 1;
  appointment->updated_at = now;
  g_free (appointment->updated_by);
  appointment->updated_by = g_strdup (username);
  return ch_db_status_add (store, appointment->id, appointment->status, "", username, error);
}

gboolean
ch_db_appointment_update (ChStore        *store,
                          ChAppointment  *appointment,
                          const char     *username,
                          GError        **error)
{
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "UPDATE appointments SET patient_id = ?1, provider_id = ?2, room_id = ?3,"
                           " type_id = ?4, start_at = ?5, duration_min = ?6, reason = ?7, notes = ?8,"
                           " status = ?9, cancel_reason = ?10, series_id = ?11, occurrence_at = ?12,"
                           " detached = ?13, updated_at = ?14, updated_by = ?15, version = version + 1"
                           " WHERE id = ?16 AND version = ?17", error);
  if (stmt == NULL)
    return FALSE;
  bind_appointment (stmt, appointment);
  sqlite3_bind_int64 (stmt, 14, now);
  sqlite3_bind_text (stmt, 15, username, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 16, appointment->id);
  sqlite3_bind_int64 (stmt, 17, appointment->version);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  if (ch_store_changes (store) != 1)
    {
      g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT,
                           _("Someone else changed this appointment in the meantime; look again and retry"));
      return FALSE;
    }
  appointment->version++;
  appointment->updated_at = now;
  g_free (appointment->updated_by);
  appointment->updated_by = g_strdup (username);
  return TRUE;
}

ChAppointment *
ch_db_appointment_get (ChStore  *store,
                       gint64    id,
                       GError  **error)
{
  sqlite3_stmt *stmt;
  ChAppointment *appointment = NULL;
  int rc;

  stmt = ch_store_prepare (store, APPT_SELECT " WHERE a.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    appointment = read_appointment (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                 _("There is no appointment %" PRId64), id);
  sqlite3_reset (stmt);
  return appointment;
}

static GPtrArray *
collect (ChStore       *store,
         sqlite3_stmt  *stmt,
         GError       **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_appointment_free);
  int rc;

  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (list, read_appointment (stmt));
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}

GPtrArray *
ch_db_appointment_range (ChStore     *store,
                         gint64       from,
                         gint64       to,
                         const char  *resource_id,
                         gboolean     with_cancelled,
                         GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           APPT_SELECT " WHERE a.start_at >= ?1 AND a.start_at < ?2"
                           " AND (?3 IS NULL OR a.provider_id = ?3 OR a.room_id = ?3)"
                           " AND (?4 OR a.status != 'cancelled')"
                           " ORDER BY a.start_at, a.provider_id, a.id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);
  bind_text_or_null (stmt, 3, resource_id);
  sqlite3_bind_int (stmt, 4, with_cancelled);
  return collect (store, stmt, error);
}

gboolean
ch_db_busy_range (ChStore     *store,
                  gint64       from,
                  gint64       to,
                  const char  *resource_id,
                  ChBusyFunc   func,
                  gpointer     user_data,
                  GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT a.provider_id, a.room_id, a.start_at,"
                           " a.start_at + (a.duration_min + t.buffer_min) * 60000000"
                           " FROM appointments a JOIN appointment_types t ON t.id = a.type_id"
                           " WHERE a.start_at >= ?1 AND a.start_at < ?2"
                           " AND a.status NOT IN ('cancelled', 'no-show')"   /* a no-show's time is free */
                           " AND (?3 IS NULL OR a.provider_id = ?3 OR a.room_id = ?3)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);
  bind_text_or_null (stmt, 3, resource_id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    func (ch_store_column_text (stmt, 0),
          sqlite3_column_type (stmt, 1) == SQLITE_NULL ? NULL : ch_store_column_text (stmt, 1),
          sqlite3_column_int64 (stmt, 2), sqlite3_column_int64 (stmt, 3), user_data);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}

GPtrArray *
ch_db_appointment_upcoming (ChStore  *store,
                            gint64    patient_id,
                            gint64    from,
                            guint     limit,
                            GError  **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           APPT_SELECT " WHERE a.patient_id = ? AND a.start_at >= ?"
                           " AND a.status NOT IN ('cancelled', 'no-show', 'done')"
                           " ORDER BY a.start_at LIMIT ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int (stmt, 3, (int) limit);
  return collect (store, stmt, error);
}

GPtrArray *
ch_db_appointment_series (ChStore  *store,
                          gint64    series_id,
                          GError  **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store, APPT_SELECT " WHERE a.series_id = ? ORDER BY a.occurrence_at, a.id",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, series_id);
  return collect (store, stmt, error);
}

gboolean
ch_db_status_add (ChStore     *store,
                  gint64       appointment_id,
                  const char  *status,
                  const char  *note,
                  const char  *username,
                  GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO appointment_status_history (appointment_id, status, at, by, note)"
                           " VALUES (?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, appointment_id);
  sqlite3_bind_text (stmt, 2, status, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
  sqlite3_bind_text (stmt, 4, username, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, or_empty (note), -1, SQLITE_TRANSIENT);
  return ch_store_step_done (store, stmt, error);
}

GPtrArray *
ch_db_status_history (ChStore  *store,
                      gint64    appointment_id,
                      GError  **error)
{
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT status, at, by, note FROM appointment_status_history"
                                  " WHERE appointment_id = ? ORDER BY at, id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, appointment_id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (lines, g_strdup_printf ("%s|%" G_GINT64_FORMAT "|%s|%s",
                                             ch_store_column_text (stmt, 0),
                                             (gint64) sqlite3_column_int64 (stmt, 1),
                                             ch_store_column_text (stmt, 2),
                                             ch_store_column_text (stmt, 3)));
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&lines) : NULL;
}

gint64
ch_db_series_insert (ChStore     *store,
                     const char  *rrule,
                     gint64       dtstart,
                     const char  *username,
                     GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store, "INSERT INTO appointment_series (rrule, dtstart, created_at,"
                                  " created_by) VALUES (?, ?, ?, ?)", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, rrule, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, dtstart);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
  sqlite3_bind_text (stmt, 4, username, -1, SQLITE_TRANSIENT);
  if (!ch_store_step_done (store, stmt, error))
    return 0;
  return ch_store_last_insert_id (store);
}

gboolean
ch_db_series_set_rule (ChStore     *store,
                       gint64       series_id,
                       const char  *rrule,
                       GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store, "UPDATE appointment_series SET rrule = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, rrule, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, series_id);
  return ch_store_step_done (store, stmt, error);
}

char *
ch_db_series_get_rule (ChStore  *store,
                       gint64    series_id,
                       gint64   *out_dtstart,
                       GError  **error)
{
  sqlite3_stmt *stmt;
  char *rule = NULL;
  int rc;

  stmt = ch_store_prepare (store, "SELECT rrule, dtstart FROM appointment_series WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, series_id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    {
      rule = g_strdup (ch_store_column_text (stmt, 0));
      if (out_dtstart != NULL)
        *out_dtstart = sqlite3_column_int64 (stmt, 1);
    }
  else if (rc == SQLITE_DONE)
    g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                         _("There is no such series of appointments"));
  sqlite3_reset (stmt);
  return rule;
}
