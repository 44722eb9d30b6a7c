/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-schedule"

#include "config.h"

#include <glib/gi18n.h>
#include <libical/ical.h>
#include <stdio.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-patient-db.h"
#include "ch-practice.h"
#include "ch-records.h"
#include "ch-schedule.h"
#include "ch-schedule-private.h"   /* waitlist */
#include "ch-validate.h"

/* Times: appointments are stored as instants (µs since the epoch); working
 * hours and recurrences are in the practice's local wall-clock time, so a
 * weekly 09:00 stays at 09:00 across a change of daylight-saving time. */

#define MIN_USEC ((gint64) 60 * G_USEC_PER_SEC)
#define MAX_OCCURRENCES 500
#define HORIZON_DAYS 366

G_DEFINE_QUARK (ch-schedule-error-quark, ch_schedule_error)

static const char * const statuses[] = {
  "booked", "confirmed", "arrived", "in-room", "done", "no-show", "cancelled", NULL,
};

const char *
ch_schedule_status_label (const char *status)
{
  static const struct { const char *status; const char *label; } labels[] = {
    { "booked", N_("Booked") }, { "confirmed", N_("Confirmed") }, { "arrived", N_("Arrived") },
    { "in-room", N_("In room") }, { "done", N_("Done") }, { "no-show", N_("No-show") },
    { "cancelled", N_("Cancelled") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (labels[i].status, status) == 0)
      return _(labels[i].label);
  return status;
}

static gboolean
invalid (GError    **error,
         const char *message)
{
  g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID, message);
  return FALSE;
}

/* ---- parsing ------------------------------------------------------------------ */

static int
weekday_of (const char *name)
{
  static const char * const days[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

  for (int i = 0; i < 7; i++)
    if (g_ascii_strncasecmp (name, days[i], 3) == 0 && strlen (name) >= 3)
      return i + 1;
  return 0;
}

gboolean
ch_schedule_parse_days (const char *text,
                        guint      *out_weekdays)
{
  g_auto (GStrv) parts = g_strsplit (text ? text : "", ",", -1);
  guint mask = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_auto (GStrv) range = g_strsplit (g_strstrip (parts[i]), "-", 2);
      int from = weekday_of (range[0]);
      int to = range[1] ? weekday_of (range[1]) : from;

      if (from == 0 || to == 0 || to < from)
        return FALSE;
      for (int d = from; d <= to; d++)
        mask |= 1u << d;
    }
  if (mask == 0)
    return FALSE;
  *out_weekdays = mask;
  return TRUE;
}

static gboolean
parse_clock (const char *text,
             int        *out_min)
{
  int hh, mm;
  char extra;

  if (sscanf (text, "%d:%d%c", &hh, &mm, &extra) != 2 || hh < 0 || hh > 24 || mm < 0 || mm > 59
      || (hh == 24 && mm != 0))
    return FALSE;
  *out_min = hh * 60 + mm;
  return TRUE;
}

gboolean
ch_schedule_parse_times (const char *text,
                         int        *out_start_min,
                         int        *out_end_min)
{
  g_auto (GStrv) parts = g_strsplit (text ? text : "", "-", 2);

  return parts[0] && parts[1] && parse_clock (g_strstrip (parts[0]), out_start_min)
         && parse_clock (g_strstrip (parts[1]), out_end_min) && *out_start_min < *out_end_min;
}

/* ---- providers, rooms, hours ---------------------------------------------------- */

static gboolean
audit (ChSession   *session,
       const char  *action,
       const char  *object_type,
       const char  *object_id,
       gint64       patient_id,
       const char  *detail,
       GError     **error)
{
  return ch_session_audit (session, action, object_type, object_id, patient_id, detail, error);
}

static gboolean
valid_resource_id (const char *id)
{
  if (id == NULL || id[0] == '\0' || strlen (id) > 64)
    return FALSE;
  for (const char *p = id; *p; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '-' || *p == '_' || *p == '.'))
      return FALSE;
  return TRUE;
}

/* The practice's setup — providers, rooms, hours, days off, types — is the
 * desk's and also the office manager's (and the administrator's), who run
 * the practice without booking for patients. */
static gboolean
check_setup (ChSession  *session,
             GError    **error)
{
  if (ch_session_can (session, CH_AREA_USERS, CH_ACCESS_WRITE))
    return TRUE;
  return ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE, error);
}

/* "#rrggbb" */
static gboolean
valid_color (const char *color)
{
  if (strlen (color) != 7 || color[0] != '#')
    return FALSE;
  for (int i = 1; i < 7; i++)
    if (!g_ascii_isxdigit (color[i]))
      return FALSE;
  return TRUE;
}

gboolean
ch_schedule_put_resource (ChSession         *session,
                          const ChResource  *resource,
                          GError           **error)
{
  ChStore *store;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (resource != NULL, FALSE);

  if (!check_setup (session, error))
    return FALSE;
  if (!valid_resource_id (resource->id))
    return invalid (error, _("An id is made of lower-case letters, digits, “.”, “-” and “_”"));
  if (g_strcmp0 (resource->kind, "provider") != 0 && g_strcmp0 (resource->kind, "room") != 0)
    return invalid (error, _("A resource is a provider or a room"));
  if (!ch_has_text (resource->name))
    return invalid (error, _("Give the provider or room a name"));

  store = ch_session_get_store (session);
  if (ch_has_text (resource->username))
    {
      g_autoptr (ChUserRecord) user = ch_db_user_lookup (store, resource->username, error);

      if (user == NULL)
        return FALSE;
    }
  detail = g_strdup_printf ("%s %s", resource->kind, resource->name);
  if (!ch_store_begin (store, error))
    return FALSE;
  if (!ch_db_resource_put (store, resource, ch_session_get_username (session), error)
      || !audit (session, CH_AUDIT_UPDATE, "resource", resource->id, 0, detail, error)
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
ch_schedule_list_resources (ChSession   *session,
                            const char  *kind,
                            GError     **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_READ, error))
    return NULL;
  return ch_db_resource_list (ch_session_get_store (session), kind, error);
}

gboolean
ch_schedule_set_hours (ChSession      *session,
                       const char     *resource_id,
                       guint           weekdays,
                       const ChHours  *hours,
                       guint           n_hours,
                       GError        **error)
{
  ChStore *store;
  g_autoptr (ChResource) resource = NULL;
  g_autoptr (GArray) rows = g_array_new (FALSE, TRUE, sizeof (ChHours));
  g_autofree char *detail = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!check_setup (session, error))
    return FALSE;
  if ((weekdays & 0xfe) == 0 || (weekdays & ~0xfeu) != 0)
    return invalid (error, _("Choose the days of the week"));
  for (guint i = 0; i < n_hours; i++)
    if (hours[i].start_min < 0 || hours[i].end_min > 1440 || hours[i].start_min >= hours[i].end_min)
      return invalid (error, _("Hours run from a start to a later end, within the day"));

  store = ch_session_get_store (session);
  resource = ch_db_resource_get (store, resource_id, error);
  if (resource == NULL)
    return FALSE;

  for (int day = 1; day <= 7; day++)
    for (guint i = 0; (weekdays & (1u << day)) && i < n_hours; i++)
      if (hours[i].weekday == 0 || hours[i].weekday == day)
        {
          ChHours row = hours[i];

          row.weekday = day;
          g_array_append_val (rows, row);
        }

  detail = g_strdup_printf ("working hours: %u spans", rows->len);
  if (!ch_store_begin (store, error))
    return FALSE;
  if (!ch_db_hours_replace (store, resource_id, weekdays, (ChHours *) rows->data, rows->len, error)
      || !audit (session, CH_AUDIT_UPDATE, "resource", resource_id, 0, detail, error)
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

GArray *
ch_schedule_get_hours (ChSession   *session,
                       const char  *resource_id,
                       GError     **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_READ, error))
    return NULL;
  return ch_db_hours_list (ch_session_get_store (session), resource_id, error);
}

gboolean
ch_schedule_add_day_off (ChSession   *session,
                         const char  *resource_id,
                         const char  *day,
                         const char  *reason,
                         GError     **error)
{
  ChStore *store;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!check_setup (session, error))
    return FALSE;
  if (!ch_valid_date (day))
    return invalid (error, _("Write the day as YYYY-MM-DD"));

  store = ch_session_get_store (session);
  if (resource_id != NULL)
    {
      g_autoptr (ChResource) resource = ch_db_resource_get (store, resource_id, error);

      if (resource == NULL)
        return FALSE;
    }
  detail = g_strdup_printf ("day off %s%s%s", day, reason && reason[0] ? ": " : "",
                            reason ? reason : "");
  if (!ch_store_begin (store, error))
    return FALSE;
  if (!ch_db_day_off_add (store, resource_id, day, reason, error)
      || !audit (session, CH_AUDIT_UPDATE, "resource", resource_id ? resource_id : "practice", 0,
                 detail, error)
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
ch_schedule_list_days_off (ChSession   *session,
                           const char  *from_day,
                           GError     **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_READ, error))
    return NULL;
  if (!ch_valid_date (from_day))
    {
      invalid (error, _("Write the day as YYYY-MM-DD"));
      return NULL;
    }
  return ch_db_days_off_list (ch_session_get_store (session), from_day, error);
}

gboolean
ch_schedule_remove_day_off (ChSession   *session,
                            const char  *resource_id,
                            const char  *day,
                            GError     **error)
{
  ChStore *store;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!check_setup (session, error))
    return FALSE;
  if (!ch_valid_date (day))
    return invalid (error, _("Write the day as YYYY-MM-DD"));

  store = ch_session_get_store (session);
  detail = g_strdup_printf ("day off %s removed", day);
  if (!ch_store_begin (store, error))
    return FALSE;
  if (!ch_db_day_off_remove (store, resource_id, day, error)
      || !audit (session, CH_AUDIT_UPDATE, "resource", resource_id ? resource_id : "practice", 0,
                 detail, error)
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

/* ---- appointment types ---------------------------------------------------------- */

gboolean
ch_schedule_add_type (ChSession   *session,
                      ChApptType  *type,
                      GError     **error)
{
  ChStore *store;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!check_setup (session, error))
    return FALSE;
  if (!ch_has_text (type->name))
    return invalid (error, _("Give the appointment type a name"));
  if (type->duration_min < 5 || type->duration_min > 24 * 60 || type->buffer_min < 0
      || type->buffer_min > 240)
    return invalid (error, _("An appointment lasts from 5 minutes to a day, with a buffer of at most 4 hours"));
  if (ch_has_text (type->color) && !valid_color (type->color))
    return invalid (error, _("A colour is written #rrggbb"));

  store = ch_session_get_store (session);
  {
    g_autoptr (ChApptType) existing = ch_db_appt_type_find (store, type->name, NULL);

    if (existing != NULL)
      {
        g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                     _("There is already an appointment type “%s”"), type->name);
        return FALSE;
      }
  }
  if (!ch_store_begin (store, error))
    return FALSE;
  if (!ch_db_appt_type_insert (store, type, error)
      || !audit (session, CH_AUDIT_CREATE, "appointment-type", type->name, 0, NULL, error)
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
ch_schedule_list_types (ChSession  *session,
                        GError    **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_READ, error))
    return NULL;
  return ch_db_appt_type_list (ch_session_get_store (session), error);
}

ChApptType *
ch_schedule_find_type (ChSession   *session,
                       const char  *name,
                       GError     **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_READ, error))
    return NULL;
  return ch_db_appt_type_find (ch_session_get_store (session), name, error);
}

/* ---- checks ---------------------------------------------------------------------- */

static gboolean
in_list (const char *list,
         const char *id)
{
  g_auto (GStrv) items = g_strsplit (list ? list : "", ",", -1);

  return g_strv_contains ((const char * const *) items, id);
}

static char *
local_clock (gint64 usec,
             const char *format)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);

  return g_date_time_format (local, format);
}

/* Whether [@start, @start + @minutes) lies within @resource's working hours,
 * clear of breaks and days off. */
static gboolean
within_hours (ChStore     *store,
              const char  *resource_id,
              gint64       start,
              int          minutes,
              gboolean    *out_within,
              GError     **error)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (start / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);
  g_autoptr (GArray) hours = NULL;
  g_autofree char *day = g_date_time_format (local, "%Y-%m-%d");
  int weekday = g_date_time_get_day_of_week (local);
  int from = g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local);
  int to = from + minutes;
  gboolean off = FALSE;
  gboolean covered = FALSE;

  *out_within = FALSE;
  if (!ch_db_day_off_check (store, resource_id, day, &off, error))
    return FALSE;
  if (off)
    return TRUE;
  hours = ch_db_hours_list (store, resource_id, error);
  if (hours == NULL)
    return FALSE;
  for (guint i = 0; i < hours->len; i++)
    {
      const ChHours *h = &g_array_index (hours, ChHours, i);

      if (h->weekday != weekday)
        continue;
      if (h->is_break && from < h->end_min && to > h->start_min)
        return TRUE;   /* into a break */
      if (!h->is_break && from >= h->start_min && to <= h->end_min)
        covered = TRUE;
    }
  *out_within = covered;
  return TRUE;
}

static gint64
end_with_buffer (gint64 start,
                 int    minutes,
                 int    buffer)
{
  return start + (gint64) (minutes + buffer) * MIN_USEC;
}

/* Checks @a as it would be booked; @ignore (element-type gint64 as
 * pointers) are appointments being moved along with it. */
static gboolean
check_booking (ChSession            *session,
               const ChAppointment  *a,
               GHashTable           *ignore,
               guint                 flags,
               GError              **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (ChResource) provider = NULL;
  g_autoptr (ChResource) room = NULL;
  g_autoptr (ChApptType) type = NULL;
  g_autoptr (GPtrArray) nearby = NULL;
  gboolean within = FALSE;
  gint64 end;
  const char *resources[2];

  if (a->duration_min <= 0 || a->duration_min > 24 * 60)
    return invalid (error, _("An appointment lasts from a minute to a day"));
  if (a->patient_id <= 0)
    return invalid (error, _("Choose the patient"));
  {
    g_autoptr (ChPatientRecord) patient = ch_db_patient_get (store, a->patient_id, error);

    if (patient == NULL)
      return FALSE;
  }
  provider = ch_db_resource_get (store, a->provider_id ? a->provider_id : "", error);
  if (provider == NULL)
    return FALSE;
  if (!g_str_equal (provider->kind, "provider") || !provider->active)
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("“%s” is not a provider who takes appointments"), provider->name);
      return FALSE;
    }
  type = ch_db_appt_type_get (store, a->type_id, error);
  if (type == NULL)
    return FALSE;
  if (type->providers[0] && !in_list (type->providers, provider->id))
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("%s does not see “%s” appointments"), provider->name, type->name);
      return FALSE;
    }
  if (a->room_id != NULL && a->room_id[0])
    {
      room = ch_db_resource_get (store, a->room_id, error);
      if (room == NULL)
        return FALSE;
      if (!g_str_equal (room->kind, "room"))
        {
          g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID, _("“%s” is not a room"),
                       room->name);
          return FALSE;
        }
      if (type->rooms[0] && !in_list (type->rooms, room->id))
        {
          g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                       _("“%s” appointments do not use %s"), type->name, room->name);
          return FALSE;
        }
    }
  else if (type->needs_room)
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("“%s” appointments need a room"), type->name);
      return FALSE;
    }

  /* Working hours. */
  if (!within_hours (store, provider->id, a->start_at, a->duration_min, &within, error))
    return FALSE;
  if (!within && !(flags & CH_BOOK_CONFIRM_OUTSIDE_HOURS))
    {
      g_autofree char *when = local_clock (a->start_at, "%A %Y-%m-%d %H:%M");

      g_set_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_OUTSIDE_HOURS,
                   _("%s does not work then (%s): book anyway?"), provider->name, when);
      return FALSE;
    }

  /* Double-booking, buffers included, of the provider and of the room. */
  end = end_with_buffer (a->start_at, a->duration_min, type->buffer_min);
  /* The longest appointment (a day) with the longest buffer (4 hours) may
   * have begun that long before. */
  nearby = ch_db_appointment_range (store, a->start_at - (gint64) (24 + 4) * 60 * MIN_USEC, end,
                                    NULL, FALSE, error);
  if (nearby == NULL)
    return FALSE;
  resources[0] = provider->id;
  resources[1] = room ? room->id : NULL;
  for (guint i = 0; i < nearby->len; i++)
    {
      const ChAppointment *other = nearby->pdata[i];
      g_autoptr (ChApptType) other_type = NULL;
      gint64 other_end;
      gboolean same = FALSE;

      if (other->id == a->id || (ignore && g_hash_table_contains (ignore, GINT_TO_POINTER (other->id))))
        continue;
      /* waitlist: a no-show's time is free again, to be offered and booked. */
      if (g_str_equal (other->status, "no-show"))
        continue;
      for (guint r = 0; r < 2; r++)
        same |= resources[r] != NULL && (g_strcmp0 (other->provider_id, resources[r]) == 0
                                         || g_strcmp0 (other->room_id, resources[r]) == 0);
      if (!same)
        continue;
      other_type = ch_db_appt_type_get (store, other->type_id, error);
      if (other_type == NULL)
        return FALSE;
      other_end = end_with_buffer (other->start_at, other->duration_min, other_type->buffer_min);
      if (other->start_at >= end || other_end <= a->start_at)
        continue;

      if (type->allow_overbook && (flags & CH_BOOK_CONFIRM_OVERBOOK))
        continue;
      {
        g_autofree char *from = local_clock (other->start_at, "%Y-%m-%d %H:%M");
        g_autofree char *to = local_clock (other->start_at + (gint64) other->duration_min * MIN_USEC,
                                           "%H:%M");
        const char *whose = g_strcmp0 (other->provider_id, provider->id) == 0 ? provider->name
                            : room ? room->name : other->provider_id;

        /* TRANSLATORS: "Dr García is booked then: García, Ana, 2026-11-25 09:00–09:20" */
        g_set_error (error, CH_SCHEDULE_ERROR,
                     type->allow_overbook ? CH_SCHEDULE_ERROR_OVERBOOK : CH_SCHEDULE_ERROR_CONFLICT,
                     type->allow_overbook ? _("%s is booked then: %s, %s–%s. Double-book?")
                                          : _("%s is booked then: %s, %s–%s"),
                     whose, other->patient_name, from, to);
        return FALSE;
      }
    }
  return TRUE;
}

/* waitlist: the same checks, for offers of freed time (ch-schedule-private.h). */
gboolean
ch_schedule_check_booking (ChSession            *session,
                           const ChAppointment  *appointment,
                           guint                 flags,
                           GError              **error)
{
  return check_booking (session, appointment, NULL, flags, error);
}

/* ---- booking --------------------------------------------------------------------- */

static gboolean
audit_appointment (ChSession           *session,
                   const char          *action,
                   const ChAppointment *a,
                   const char          *what,
                   GError             **error)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, a->id);
  g_autofree char *when = local_clock (a->start_at, "%Y-%m-%d %H:%M");
  g_autofree char *detail = g_strdup_printf ("%s %s, %d min, %s%s%s", what, when, a->duration_min,
                                             a->provider_id, a->cancel_reason && a->cancel_reason[0]
                                             ? ": " : "",
                                             a->cancel_reason ? a->cancel_reason : "");

  return audit (session, action, "appointment", id, a->patient_id, detail, error);
}

gboolean
ch_schedule_book (ChSession      *session,
                  ChAppointment  *appointment,
                  guint           flags,
                  GError        **error)
{
  ChStore *store;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (appointment != NULL && appointment->id == 0, FALSE);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE, error))
    return FALSE;

  /* Checked inside the write transaction: another program booking the same
   * time waits for it, and then sees this booking. */
  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;
  if (!check_booking (session, appointment, NULL, flags, error))
    {
      ch_store_rollback (store);
      return FALSE;
    }
  g_free (appointment->status);
  appointment->status = g_strdup ("booked");
  if (!ch_db_appointment_insert (store, appointment, ch_session_get_username (session), error)
      || !audit_appointment (session, CH_AUDIT_CREATE, appointment, "booked", error)
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      appointment->id = 0;
      return FALSE;
    }
  return TRUE;
}

/* ---- recurrences ------------------------------------------------------------------ */

static struct icaltimetype
to_ical (gint64 usec)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);
  struct icaltimetype t = icaltime_null_time ();

  /* Floating local time: the rule follows the wall clock. */
  t.year = g_date_time_get_year (local);
  t.month = g_date_time_get_month (local);
  t.day = g_date_time_get_day_of_month (local);
  t.hour = g_date_time_get_hour (local);
  t.minute = g_date_time_get_minute (local);
  t.second = g_date_time_get_second (local);
  t.is_date = 0;
  return t;
}

static gint64
from_ical (struct icaltimetype t)
{
  g_autoptr (GDateTime) local = g_date_time_new_local (t.year, t.month, t.day, t.hour, t.minute,
                                                       t.second);

  return local ? g_date_time_to_unix (local) * G_USEC_PER_SEC : 0;
}

/* The occurrences of @rrule from @dtstart (µs) on, up to a year ahead and
 * at most MAX_OCCURRENCES.
 * Returns: (transfer full) (element-type gint64): NULL with CH_SCHEDULE_ERROR_RULE */
static GArray *
expand_rule (const char  *rrule,
             gint64       dtstart,
             GError     **error)
{
  struct icalrecurrencetype recur;
  icalrecur_iterator *iterator;
  struct icaltimetype next;
  g_autoptr (GArray) starts = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 horizon = dtstart + (gint64) HORIZON_DAYS * 24 * 60 * MIN_USEC;

  icalerror_clear_errno ();
  recur = icalrecurrencetype_from_string (rrule ? rrule : "");
  if (recur.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR)
    {
      g_set_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_RULE,
                   _("“%s” is not a recurrence rule (for example FREQ=WEEKLY;COUNT=6)"),
                   rrule ? rrule : "");
      return NULL;
    }
  if (recur.freq < ICAL_DAILY_RECURRENCE)
    {
      g_set_error_literal (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_RULE,
                           _("Appointments repeat at most daily"));
      return NULL;
    }

  iterator = icalrecur_iterator_new (recur, to_ical (dtstart));
  if (iterator == NULL)
    {
      g_set_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_RULE,
                   _("“%s” is not a recurrence rule Charta can follow"), rrule);
      return NULL;
    }
  while (starts->len < MAX_OCCURRENCES)
    {
      gint64 at;

      next = icalrecur_iterator_next (iterator);
      if (icaltime_is_null_time (next))
        break;
      at = from_ical (next);
      if (at == 0 || at > horizon)
        break;
      g_array_append_val (starts, at);
    }
  icalrecur_iterator_free (iterator);

  if (starts->len == 0)
    {
      g_set_error_literal (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_RULE,
                           _("The rule gives no date for the appointment"));
      return NULL;
    }
  return g_steal_pointer (&starts);
}

gint64
ch_schedule_book_series (ChSession      *session,
                         ChAppointment  *appointment,
                         const char     *rrule,
                         guint           flags,
                         guint          *out_count,
                         GError        **error)
{
  ChStore *store;
  g_autoptr (GArray) starts = NULL;
  g_autoptr (GPtrArray) occurrences = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_appointment_free);
  gint64 series_id;
  const char *username;

  g_return_val_if_fail (CH_IS_SESSION (session), 0);
  g_return_val_if_fail (appointment != NULL, 0);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE, error))
    return 0;
  starts = expand_rule (rrule, appointment->start_at, error);
  if (starts == NULL)
    return 0;

  /* Every occurrence is checked before any is booked, within the write
   * transaction. */
  store = ch_session_get_store (session);
  username = ch_session_get_username (session);
  if (!ch_store_begin (store, error))
    return 0;
  for (guint i = 0; i < starts->len; i++)
    {
      ChAppointment *occurrence = ch_appointment_copy (appointment);

      occurrence->id = 0;
      occurrence->start_at = g_array_index (starts, gint64, i);
      occurrence->occurrence_at = occurrence->start_at;
      g_ptr_array_add (occurrences, occurrence);
      if (!check_booking (session, occurrence, NULL, flags, error))
        {
          ch_store_rollback (store);
          return 0;
        }
    }
  series_id = ch_db_series_insert (store, rrule, appointment->start_at, username, error);
  if (series_id == 0)
    goto fail;
  for (guint i = 0; i < occurrences->len; i++)
    {
      ChAppointment *occurrence = occurrences->pdata[i];

      occurrence->series_id = series_id;
      g_free (occurrence->status);
      occurrence->status = g_strdup ("booked");
      if (!ch_db_appointment_insert (store, occurrence, username, error)
          || !audit_appointment (session, CH_AUDIT_CREATE, occurrence, rrule, error))
        goto fail;
    }
  if (!ch_store_commit (store, error))
    goto fail;

  appointment->id = ((ChAppointment *) occurrences->pdata[0])->id;
  appointment->series_id = series_id;
  appointment->occurrence_at = appointment->start_at;
  appointment->version = 1;
  if (out_count != NULL)
    *out_count = occurrences->len;
  return series_id;

fail:
  ch_store_rollback (store);
  return 0;
}

/* The appointments @scope covers, starting with @a's own: all of its series
 * (not cancelled, not detached unless it is @a), or those from @a on. */
/* Booked or confirmed: the patient has not come yet. */
static gboolean
is_pending (const char *status)
{
  return g_strcmp0 (status, "booked") == 0 || g_strcmp0 (status, "confirmed") == 0;
}

/* Whether an appointment may go from @from to @to: forward through the
 * visit, a confirmation taken back, and a no-show who comes after all. */
static gboolean
status_can_follow (const char *from,
                   const char *to)
{
  static const struct { const char *from; const char *to; } moves[] = {
    { "booked", "confirmed" }, { "booked", "arrived" }, { "booked", "no-show" },
    { "confirmed", "booked" }, { "confirmed", "arrived" }, { "confirmed", "no-show" },
    { "arrived", "in-room" }, { "arrived", "done" },
    { "in-room", "done" },
    { "no-show", "arrived" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (moves); i++)
    if (g_str_equal (moves[i].from, from) && g_str_equal (moves[i].to, to))
      return TRUE;
  return FALSE;
}

static GPtrArray *
scope_members (ChStore              *store,
               const ChAppointment  *a,
               ChEditScope           scope,
               GError              **error)
{
  g_autoptr (GPtrArray) series = NULL;
  GPtrArray *members = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_appointment_free);

  g_ptr_array_add (members, ch_appointment_copy (a));
  if (scope == CH_SCOPE_THIS || a->series_id == 0)
    return members;

  series = ch_db_appointment_series (store, a->series_id, error);
  if (series == NULL)
    {
      g_ptr_array_unref (members);
      return NULL;
    }
  for (guint i = 0; i < series->len; i++)
    {
      ChAppointment *other = series->pdata[i];

      /* Only what is still to happen: a visit that took place (or did not)
       * stays as it was. */
      if (other->id == a->id || other->detached || !is_pending (other->status))
        continue;
      if (scope == CH_SCOPE_FOLLOWING && other->occurrence_at < a->occurrence_at)
        continue;
      g_ptr_array_add (members, ch_appointment_copy (other));
    }
  return members;
}

/* Ends the rule of @series_id before @occurrence_at (µs): the occurrences
 * from there on belong to another series now. */
static gint64
split_series (ChSession  *session,
              gint64      series_id,
              gint64      occurrence_at,
              guint       n_following,
              GError    **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autofree char *rule = ch_db_series_get_rule (store, series_id, NULL, error);
  struct icalrecurrencetype recur;
  g_autofree char *ended = NULL;
  g_autofree char *following = NULL;

  if (rule == NULL)
    return 0;
  recur = icalrecurrencetype_from_string (rule);
  /* The new series keeps the rule, counted from its own start. */
  if (recur.count > 0)
    {
      struct icalrecurrencetype rest = recur;

      rest.count = (int) n_following;
      following = icalrecurrencetype_as_string_r (&rest);
    }
  else
    following = g_strdup (rule);
  recur.count = 0;
  recur.until = to_ical (occurrence_at - G_USEC_PER_SEC);
  ended = icalrecurrencetype_as_string_r (&recur);
  if (ended == NULL || !ch_db_series_set_rule (store, series_id, ended, error))
    return 0;
  return ch_db_series_insert (store, following, occurrence_at, ch_session_get_username (session),
                              error);
}

gboolean
ch_schedule_change (ChSession            *session,
                    const ChAppointment  *changed,
                    ChEditScope           scope,
                    guint                 flags,
                    GError              **error)
{
  ChStore *store;
  g_autoptr (ChAppointment) current = NULL;
  g_autoptr (GPtrArray) members = NULL;
  g_autoptr (GHashTable) moving = g_hash_table_new (NULL, NULL);
  g_autoptr (GPtrArray) before = NULL;   /* waitlist: as they were */
  gint64 delta;
  gint64 new_series = 0;
  const char *username;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (changed != NULL, FALSE);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE, error))
    return FALSE;
  store = ch_session_get_store (session);
  current = ch_db_appointment_get (store, changed->id, error);
  if (current == NULL)
    return FALSE;
  if (current->version != changed->version)
    {
      g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT,
                           _("Someone else changed this appointment in the meantime; look again and retry"));
      return FALSE;
    }
  if (g_str_equal (current->status, "cancelled"))
    {
      g_set_error_literal (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_STATE,
                           _("A cancelled appointment is not changed; book a new one"));
      return FALSE;
    }
  if (g_str_equal (current->status, "done") || g_str_equal (current->status, "no-show"))
    {
      g_set_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_STATE,
                   _("An appointment that is “%s” is not changed; book a new one"),
                   ch_schedule_status_label (current->status));
      return FALSE;
    }

  members = scope_members (store, current, scope, error);
  if (members == NULL)
    return FALSE;
  delta = changed->start_at - current->start_at;
  for (guint i = 0; i < members->len; i++)
    g_hash_table_add (moving, GINT_TO_POINTER (((ChAppointment *) members->pdata[i])->id));
  before = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_appointment_free);   /* waitlist */
  for (guint i = 0; i < members->len; i++)
    g_ptr_array_add (before, ch_appointment_copy (members->pdata[i]));

  /* Apply the change to each, then check them all against the rest. */
  for (guint i = 0; i < members->len; i++)
    {
      ChAppointment *m = members->pdata[i];

      m->start_at += delta;
      m->duration_min = changed->duration_min;
      g_free (m->provider_id);
      m->provider_id = g_strdup (changed->provider_id);
      g_free (m->room_id);
      m->room_id = g_strdup (changed->room_id);
      m->type_id = changed->type_id;
      g_free (m->reason);
      m->reason = g_strdup (changed->reason);
      g_free (m->notes);
      m->notes = g_strdup (changed->notes);
      if (scope == CH_SCOPE_THIS && m->series_id != 0)
        m->detached = TRUE;
    }

  /* Checked within the write transaction, as a booking is. */
  username = ch_session_get_username (session);
  if (!ch_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < members->len; i++)
    if (!check_booking (session, members->pdata[i], moving, flags, error))
      goto fail;
  if (scope == CH_SCOPE_FOLLOWING && current->series_id != 0)
    {
      new_series = split_series (session, current->series_id, current->occurrence_at,
                                 members->len, error);
      if (new_series == 0)
        goto fail;
    }
  for (guint i = 0; i < members->len; i++)
    {
      ChAppointment *m = members->pdata[i];

      if (new_series != 0)
        m->series_id = new_series;
      if (!ch_db_appointment_update (store, m, username, error)
          || !audit_appointment (session, CH_AUDIT_UPDATE, m, "changed", error))
        goto fail;
    }
  /* waitlist: the time given up, once all have moved */
  for (guint i = 0; i < members->len; i++)
    if (!ch_waitlist_offer_freed (session, before->pdata[i], members->pdata[i], error))
      goto fail;
  if (!ch_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  ch_store_rollback (store);
  return FALSE;
}

gboolean
ch_schedule_cancel (ChSession   *session,
                    gint64       appointment_id,
                    const char  *reason,
                    ChEditScope  scope,
                    GError     **error)
{
  ChStore *store;
  g_autoptr (ChAppointment) current = NULL;
  g_autoptr (GPtrArray) members = NULL;
  const char *username;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE, error))
    return FALSE;
  if (!ch_has_text (reason))
    return invalid (error, _("Say why the appointment is cancelled"));
  store = ch_session_get_store (session);
  current = ch_db_appointment_get (store, appointment_id, error);
  if (current == NULL)
    return FALSE;
  if (g_str_equal (current->status, "cancelled"))
    {
      g_set_error_literal (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_STATE,
                           _("The appointment is already cancelled"));
      return FALSE;
    }
  if (!is_pending (current->status))
    {
      g_set_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_STATE,
                   _("An appointment that is “%s” is not cancelled: the visit has begun or is over"),
                   ch_schedule_status_label (current->status));
      return FALSE;
    }
  members = scope_members (store, current, scope, error);
  if (members == NULL)
    return FALSE;

  username = ch_session_get_username (session);
  if (!ch_store_begin (store, error))
    return FALSE;
  /* Cancelling the rest of a series ends its rule there too. */
  if (scope != CH_SCOPE_THIS && current->series_id != 0)
    {
      g_autofree char *rule = ch_db_series_get_rule (store, current->series_id, NULL, error);
      struct icalrecurrencetype recur;
      g_autofree char *ended = NULL;
      gint64 first = current->occurrence_at;

      if (rule == NULL)
        goto fail;
      for (guint i = 0; i < members->len; i++)
        first = MIN (first, ((ChAppointment *) members->pdata[i])->occurrence_at);
      recur = icalrecurrencetype_from_string (rule);
      recur.count = 0;
      recur.until = to_ical (first - G_USEC_PER_SEC);
      ended = icalrecurrencetype_as_string_r (&recur);
      if (ended == NULL || !ch_db_series_set_rule (store, current->series_id, ended, error))
        goto fail;
    }
  for (guint i = 0; i < members->len; i++)
    {
      ChAppointment *m = members->pdata[i];

      g_free (m->status);
      m->status = g_strdup ("cancelled");
      g_free (m->cancel_reason);
      m->cancel_reason = g_strstrip (g_strdup (reason));
      if (!ch_db_appointment_update (store, m, username, error)
          || !ch_db_status_add (store, m->id, "cancelled", m->cancel_reason, username, error)
          || !audit_appointment (session, CH_AUDIT_UPDATE, m, "cancelled", error)
          || !ch_waitlist_offer_freed (session, m, NULL, error))   /* waitlist */
        goto fail;
    }
  if (!ch_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  ch_store_rollback (store);
  return FALSE;
}

gboolean
ch_schedule_set_status (ChSession   *session,
                        gint64       appointment_id,
                        const char  *status,
                        const char  *note,
                        GError     **error)
{
  ChStore *store;
  g_autoptr (ChAppointment) a = NULL;
  g_autofree char *what = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE, error))
    return FALSE;
  if (!g_strv_contains (statuses, status ? status : ""))
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("“%s” is not an appointment status"), status ? status : "");
      return FALSE;
    }
  if (g_str_equal (status, "cancelled"))
    return ch_schedule_cancel (session, appointment_id, note, CH_SCOPE_THIS, error);

  store = ch_session_get_store (session);
  a = ch_db_appointment_get (store, appointment_id, error);
  if (a == NULL)
    return FALSE;
  if (g_str_equal (a->status, "cancelled"))
    {
      g_set_error_literal (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_STATE,
                           _("A cancelled appointment keeps its status; book a new one"));
      return FALSE;
    }
  if (g_str_equal (a->status, status))
    return TRUE;
  if (!status_can_follow (a->status, status))
    {
      g_set_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_STATE,
                   /* Translators: an appointment's status, then the one asked for */
                   _("An appointment that is “%s” cannot become “%s”"),
                   ch_schedule_status_label (a->status), ch_schedule_status_label (status));
      return FALSE;
    }

  if (!ch_store_begin (store, error))
    return FALSE;
  /* A no-show's time was free for others: taken meanwhile, it is not theirs again. */
  if (g_str_equal (a->status, "no-show")
      && !check_booking (session, a, NULL, CH_BOOK_CONFIRM_OUTSIDE_HOURS, error))
    {
      ch_store_rollback (store);
      return FALSE;
    }
  g_free (a->status);
  a->status = g_strdup (status);
  what = g_strdup_printf ("status %s", status);
  if (!ch_db_appointment_update (store, a, ch_session_get_username (session), error)
      || !ch_db_status_add (store, a->id, status, note, ch_session_get_username (session), error)
      || !audit_appointment (session, CH_AUDIT_UPDATE, a, what, error)
      || (g_str_equal (status, "no-show")                                  /* waitlist */
          && !ch_waitlist_offer_freed (session, a, NULL, error))
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

ChAppointment *
ch_schedule_get (ChSession  *session,
                 gint64      appointment_id,
                 GError    **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_READ, error))
    return NULL;
  return ch_db_appointment_get (ch_session_get_store (session), appointment_id, error);
}

GPtrArray *
ch_schedule_list (ChSession   *session,
                  gint64       from,
                  gint64       to,
                  const char  *resource_id,
                  GError     **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_READ, error))
    return NULL;
  return ch_db_appointment_range (ch_session_get_store (session), from, to, resource_id, FALSE,
                                  error);
}

GPtrArray *
ch_schedule_status_history (ChSession  *session,
                            gint64      appointment_id,
                            GError    **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_READ, error))
    return NULL;
  return ch_db_status_history (ch_session_get_store (session), appointment_id, error);
}
