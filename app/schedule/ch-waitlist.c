/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-waitlist"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-patient-db.h"
#include "ch-practice.h"
#include "ch-schedule-private.h"
#include "ch-validate.h"
#include "ch-waitlist.h"

/* Offers: when time frees up, the waiting entries are tried oldest first;
 * for each, the offered start is the earliest in the freed span, on a
 * multiple of STEP_MIN minutes and not already begun, that fits the entry's
 * wishes and that ch_schedule_book() would accept as it stands (hours,
 * breaks, rooms, other bookings with their buffers). The first entry that
 * fits gets the offer, and one freed span makes one offer at a time: if it
 * is declined, the span goes to the next entry that fits, passing over those
 * who declined it already. */

#define MIN_USEC ((gint64) 60 * G_USEC_PER_SEC)
#define STEP_MIN 5
#define NOTE_MAX 2000

G_DEFINE_QUARK (ch-waitlist-error-quark, ch_waitlist_error)

const char *
ch_waitlist_status_label (const char *status)
{
  static const struct { const char *status; const char *label; } labels[] = {
    { "waiting", N_("Waiting") }, { "offered", N_("Offered a slot") }, { "booked", N_("Booked") },
    { "removed", N_("Removed") }, { "open", N_("Open") }, { "accepted", N_("Accepted") },
    { "declined", N_("Declined") }, { "expired", N_("Expired") },
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

static char *
local_clock (gint64      usec,
             const char *format)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);

  return g_date_time_format (local, format);
}

static char *
today (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%d");
}

static gboolean
in_list (const char *list,
         const char *id)
{
  g_auto (GStrv) items = g_strsplit (list ? list : "", ",", -1);

  return g_strv_contains ((const char * const *) items, id);
}

static gboolean
audit_entry (ChSession              *session,
             const char             *action,
             const ChWaitlistEntry  *entry,
             const char             *detail,
             GError                **error)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, entry->id);

  return ch_session_audit (session, action, "waitlist", id, entry->patient_id, detail, error);
}

static gboolean
audit_offer (ChSession              *session,
             const char             *action,
             const ChWaitlistOffer  *offer,
             gint64                  patient_id,
             const char             *what,
             GError                **error)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, offer->id);
  g_autofree char *when = local_clock (offer->start_at, "%Y-%m-%d %H:%M");
  g_autofree char *detail = g_strdup_printf ("%s: %s, %d min, %s, waitlist entry %" G_GINT64_FORMAT,
                                             what, when, offer->duration_min, offer->provider_id,
                                             offer->entry_id);

  return ch_session_audit (session, action, "waitlist-offer", id, patient_id, detail, error);
}

/* An appointment the patient still has to come to. */
static gboolean
is_pending (const ChAppointment *a)
{
  return g_strcmp0 (a->status, "booked") == 0 || g_strcmp0 (a->status, "confirmed") == 0;
}

/* ---- the list ---------------------------------------------------------------------- */

gboolean
ch_waitlist_add (ChSession        *session,
                 ChWaitlistEntry  *entry,
                 GError          **error)
{
  ChStore *store;
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autoptr (ChApptType) type = NULL;
  g_autofree char *day = today ();
  g_autofree char *detail = NULL;
  gboolean has = FALSE;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (entry != NULL && entry->id == 0, FALSE);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE, error))
    return FALSE;
  if (entry->patient_id <= 0)
    return invalid (error, _("Choose the patient"));
  store = ch_session_get_store (session);
  patient = ch_db_patient_get (store, entry->patient_id, error);
  if (patient == NULL)
    return FALSE;
  type = ch_db_appt_type_get (store, entry->type_id, error);
  if (type == NULL)
    return FALSE;
  if (!type->active)
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("“%s” appointments are no longer booked"), type->name);
      return FALSE;
    }

  if (ch_has_text (entry->provider_id))
    {
      g_autoptr (ChResource) provider = ch_db_resource_get (store, entry->provider_id, error);

      if (provider == NULL)
        return FALSE;
      if (!g_str_equal (provider->kind, "provider") || !provider->active)
        {
          g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                       _("“%s” is not a provider who takes appointments"), provider->name);
          return FALSE;
        }
      if (type->providers[0] && !in_list (type->providers, provider->id))
        {
          g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                       _("%s does not see “%s” appointments"), provider->name, type->name);
          return FALSE;
        }
    }
  else
    g_clear_pointer (&entry->provider_id, g_free);

  if ((entry->earliest_day && !ch_valid_date (entry->earliest_day))
      || (entry->latest_day && !ch_valid_date (entry->latest_day)))
    return invalid (error, _("Write the days wanted as YYYY-MM-DD"));
  if (entry->earliest_day && entry->latest_day && strcmp (entry->earliest_day, entry->latest_day) > 0)
    return invalid (error, _("The earliest day wanted is after the latest"));
  if (entry->latest_day && strcmp (entry->latest_day, day) < 0)
    return invalid (error, _("The latest day wanted has passed"));
  if ((entry->weekdays & ~0xfeu) != 0)
    return invalid (error, _("Choose the days of the week"));
  if (entry->from_min != 0 || entry->to_min != 0)
    {
      if (entry->from_min < 0 || entry->to_min > 1440 || entry->from_min >= entry->to_min)
        return invalid (error, _("The times of day wanted run from a start to a later end"));
      if (entry->to_min - entry->from_min < type->duration_min)
        {
          g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                       _("A “%s” appointment takes %d minutes, more than the times of day wanted"),
                       type->name, type->duration_min);
          return FALSE;
        }
    }
  if (entry->note != NULL && g_utf8_strlen (entry->note, -1) > NOTE_MAX)
    return invalid (error, _("The note is too long (at most 2000 characters)"));

  if (entry->appointment_id != 0)
    {
      g_autoptr (ChAppointment) current = ch_db_appointment_get (store, entry->appointment_id, error);

      if (current == NULL)
        return FALSE;
      if (current->patient_id != entry->patient_id)
        return invalid (error, _("The appointment to move earlier is another patient's"));
      if (!is_pending (current) || current->start_at <= g_get_real_time ())
        {
          g_set_error_literal (error, CH_WAITLIST_ERROR, CH_WAITLIST_ERROR_STATE,
                               _("Only an appointment still to come can be moved earlier"));
          return FALSE;
        }
    }

  if (!ch_db_waitlist_has_active (store, entry->patient_id, entry->type_id, &has, error))
    return FALSE;
  if (has)
    {
      g_autofree char *name = ch_patient_record_display_name (patient);

      g_set_error (error, CH_WAITLIST_ERROR, CH_WAITLIST_ERROR_DUPLICATE,
                   _("%s is already on the waitlist for “%s”"), name, type->name);
      return FALSE;
    }

  g_free (entry->status);
  entry->status = g_strdup ("waiting");
  detail = g_strdup_printf ("waitlist %s%s%s", type->name, entry->provider_id ? " with " : "",
                            entry->provider_id ? entry->provider_id : "");
  if (!ch_store_begin (store, error))
    return FALSE;
  if (!ch_db_waitlist_insert (store, entry, ch_session_get_username (session), error)
      || !audit_entry (session, CH_AUDIT_CREATE, entry, detail, error)
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      entry->id = 0;
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
ch_waitlist_list (ChSession   *session,
                  const char  *status,
                  GError     **error)
{
  static const char * const known[] = { "all", "waiting", "offered", "booked", "removed", NULL };

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_READ, error))
    return NULL;
  if (status != NULL && !g_strv_contains (known, status))
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("“%s” is not a waitlist status"), status);
      return NULL;
    }
  return ch_db_waitlist_list (ch_session_get_store (session), status, error);
}

ChWaitlistEntry *
ch_waitlist_get (ChSession  *session,
                 gint64      entry_id,
                 GError    **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_READ, error))
    return NULL;
  return ch_db_waitlist_get (ch_session_get_store (session), entry_id, error);
}

GPtrArray *
ch_waitlist_list_offers (ChSession  *session,
                         GError    **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_READ, error))
    return NULL;
  return ch_db_offer_list (ch_session_get_store (session), "open", error);
}

ChWaitlistOffer *
ch_waitlist_get_offer (ChSession  *session,
                       gint64      offer_id,
                       GError    **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_READ, error))
    return NULL;
  return ch_db_offer_get (ch_session_get_store (session), offer_id, error);
}

/* ---- offering freed time --------------------------------------------------------- */

/* Whether an appointment of @minutes starting at @start is one @entry wants. */
static gboolean
wished (const ChWaitlistEntry *entry,
        gint64                 start,
        int                    minutes)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (start / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);
  g_autofree char *day = g_date_time_format (local, "%Y-%m-%d");
  int minute = g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local);

  if (entry->earliest_day != NULL && strcmp (day, entry->earliest_day) < 0)
    return FALSE;
  if (entry->latest_day != NULL && strcmp (day, entry->latest_day) > 0)
    return FALSE;
  if (entry->weekdays != 0 && !(entry->weekdays & (1u << g_date_time_get_day_of_week (local))))
    return FALSE;
  if ((entry->from_min != 0 || entry->to_min != 0)
      && (minute < entry->from_min || minute + minutes > entry->to_min))
    return FALSE;
  return TRUE;
}

/* Errors of the store itself, as opposed to a booking that does not fit. */
static gboolean
is_failure (const GError *error)
{
  return error->domain == CH_STORE_ERROR && error->code != CH_STORE_ERROR_NOT_FOUND;
}

/* The slot in [@from, @until) of @provider_id that @entry would take, if
 * any: 1 with *@out_start and *@out_room (nullable), 0 none, -1 an error. */
static int
find_fit (ChSession              *session,
          const ChWaitlistEntry  *entry,
          const char             *provider_id,
          const char             *room_id,
          gint64                  from,
          gint64                  until,
          gint64                 *out_start,
          char                  **out_room,
          GError                **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (ChApptType) type = NULL;
  const char *room = NULL;
  gint64 limit = G_MAXINT64;

  if (entry->provider_id != NULL && g_strcmp0 (entry->provider_id, provider_id) != 0)
    return 0;
  type = ch_db_appt_type_get (store, entry->type_id, error);
  if (type == NULL)
    return -1;
  if (!type->active)
    return 0;
  if (type->needs_room)
    {
      if (room_id == NULL || (type->rooms[0] && !in_list (type->rooms, room_id)))
        return 0;
      room = room_id;
    }
  if (entry->appointment_id != 0)
    {
      g_autoptr (ChAppointment) current = ch_db_appointment_get (store, entry->appointment_id, error);

      if (current == NULL)
        return -1;
      if (is_pending (current))
        limit = current->start_at;
    }

  for (gint64 start = from;
       start + type->duration_min * MIN_USEC <= until && start < limit;
       start += STEP_MIN * MIN_USEC)
    {
      g_autoptr (ChAppointment) probe = NULL;
      g_autoptr (GError) local_error = NULL;
      gboolean overlaps = FALSE;

      if (!wished (entry, start, type->duration_min))
        continue;
      if (!ch_db_offer_overlaps (store, provider_id, start, start + type->duration_min * MIN_USEC,
                                 &overlaps, error))
        return -1;
      if (overlaps)
        continue;

      probe = ch_appointment_new ();
      probe->patient_id = entry->patient_id;
      probe->provider_id = g_strdup (provider_id);
      probe->room_id = g_strdup (room);
      probe->type_id = type->id;
      probe->start_at = start;
      probe->duration_min = type->duration_min;
      if (ch_schedule_check_booking (session, probe, 0, &local_error))
        {
          *out_start = start;
          *out_room = g_strdup (room);
          return 1;
        }
      if (is_failure (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return -1;
        }
    }
  return 0;
}

/* Offers [@from, @until) of @provider_id (@room_id nullable) to the first
 * waiting entry that fits, other than @skip_patient's. */
static gboolean
offer_span (ChSession   *session,
            const char  *provider_id,
            const char  *room_id,
            gint64       from,
            gint64       until,
            gint64       skip_patient,
            GError     **error)
{
  ChStore *store = ch_session_get_store (session);
  const gint64 step = STEP_MIN * MIN_USEC;
  gint64 soonest = (g_get_real_time () + step - 1) / step * step;
  g_autoptr (GPtrArray) candidates = NULL;

  /* Time already begun cannot be offered. */
  from = MAX (from, soonest);
  if (until - from < step)
    return TRUE;

  candidates = ch_db_waitlist_candidates (store, provider_id, from, until, error);
  if (candidates == NULL)
    return FALSE;
  for (guint i = 0; i < candidates->len; i++)
    {
      ChWaitlistEntry *entry = candidates->pdata[i];
      g_autoptr (ChWaitlistOffer) offer = NULL;
      g_autofree char *room = NULL;
      gint64 start = 0;
      int fit;

      if (entry->patient_id == skip_patient)
        continue;
      fit = find_fit (session, entry, provider_id, room_id, from, until, &start, &room, error);
      if (fit < 0)
        return FALSE;
      if (fit == 0)
        continue;

      offer = ch_waitlist_offer_new ();
      offer->entry_id = entry->id;
      offer->provider_id = g_strdup (provider_id);
      offer->room_id = g_steal_pointer (&room);
      offer->start_at = start;
      offer->duration_min = entry->type_minutes;
      offer->free_from = from;
      offer->free_until = until;
      offer->free_room_id = g_strdup (room_id);
      return ch_db_offer_insert (store, offer, ch_session_get_username (session), error)
             && ch_db_waitlist_set_status (store, entry, "offered", 0,
                                           ch_session_get_username (session), error)
             && audit_offer (session, CH_AUDIT_CREATE, offer, entry->patient_id, "offered", error);
    }
  return TRUE;
}

/**
 * ch_waitlist_offer_freed:
 *
 * The time @was held and @now (nullable) does not: all of it if @now is
 * NULL, elsewhere or with another provider; else the parts before and after
 * @now. Each part is offered on its own.
 */
gboolean
ch_waitlist_offer_freed (ChSession            *session,
                         const ChAppointment  *was,
                         const ChAppointment  *now,
                         GError              **error)
{
  gint64 was_end;
  gint64 now_end;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (was != NULL, FALSE);

  was_end = was->start_at + was->duration_min * MIN_USEC;
  if (now == NULL || g_strcmp0 (now->provider_id, was->provider_id) != 0)
    return offer_span (session, was->provider_id, was->room_id, was->start_at, was_end,
                       was->patient_id, error);

  now_end = now->start_at + now->duration_min * MIN_USEC;
  if (now->start_at >= was_end || now_end <= was->start_at)
    return offer_span (session, was->provider_id, was->room_id, was->start_at, was_end,
                       was->patient_id, error);
  if (was->start_at < now->start_at
      && !offer_span (session, was->provider_id, was->room_id, was->start_at, now->start_at,
                      was->patient_id, error))
    return FALSE;
  if (now_end < was_end
      && !offer_span (session, was->provider_id, was->room_id, now_end, was_end, was->patient_id,
                      error))
    return FALSE;
  return TRUE;
}

/* ---- answering an offer ------------------------------------------------------------ */

/* The open offer @offer_id and its entry, or an error saying why not. */
static gboolean
open_offer (ChStore           *store,
            gint64             offer_id,
            ChWaitlistOffer  **out_offer,
            ChWaitlistEntry  **out_entry,
            GError           **error)
{
  g_autoptr (ChWaitlistOffer) offer = ch_db_offer_get (store, offer_id, error);
  g_autoptr (ChWaitlistEntry) entry = NULL;

  if (offer == NULL)
    return FALSE;
  if (!g_str_equal (offer->status, "open"))
    {
      g_set_error (error, CH_WAITLIST_ERROR, CH_WAITLIST_ERROR_STATE,
                   _("The offer is no longer open: %s"), ch_waitlist_status_label (offer->status));
      return FALSE;
    }
  entry = ch_db_waitlist_get (store, offer->entry_id, error);
  if (entry == NULL)
    return FALSE;
  *out_offer = g_steal_pointer (&offer);
  *out_entry = g_steal_pointer (&entry);
  return TRUE;
}

gboolean
ch_waitlist_accept (ChSession  *session,
                    gint64      offer_id,
                    guint       flags,
                    gint64     *out_appointment_id,
                    GError    **error)
{
  ChStore *store;
  g_autoptr (ChWaitlistOffer) offer = NULL;
  g_autoptr (ChWaitlistEntry) entry = NULL;
  g_autoptr (ChAppointment) current = NULL;
  g_autoptr (ChAppointment) appointment = ch_appointment_new ();
  g_autoptr (GError) local_error = NULL;
  g_autofree char *what = NULL;
  const char *username;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE, error))
    return FALSE;
  store = ch_session_get_store (session);
  username = ch_session_get_username (session);
  if (!open_offer (store, offer_id, &offer, &entry, error))
    return FALSE;
  if (offer->start_at <= g_get_real_time ())
    {
      g_autofree char *when = local_clock (offer->start_at, "%Y-%m-%d %H:%M");

      g_set_error (error, CH_WAITLIST_ERROR, CH_WAITLIST_ERROR_PASSED,
                   _("The offered time, %s, has begun or passed"), when);
      return FALSE;
    }
  if (entry->appointment_id != 0)
    {
      current = ch_db_appointment_get (store, entry->appointment_id, error);
      if (current == NULL)
        return FALSE;
      if (!is_pending (current))
        g_clear_pointer (&current, ch_appointment_free);
    }

  appointment->patient_id = entry->patient_id;
  appointment->provider_id = g_strdup (offer->provider_id);
  appointment->room_id = g_strdup (offer->room_id);
  appointment->type_id = entry->type_id;
  appointment->start_at = offer->start_at;
  appointment->duration_min = offer->duration_min;
  /* The same visit, earlier: it keeps its reason and notes. */
  appointment->reason = g_strdup (current ? current->reason : entry->note);
  appointment->notes = g_strdup (current ? current->notes : "");

  if (!ch_store_begin (store, error))
    return FALSE;
  if (!ch_schedule_book (session, appointment, flags, &local_error))
    {
      ch_store_rollback (store);
      if (g_error_matches (local_error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_CONFLICT)
          || g_error_matches (local_error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_OVERBOOK))
        {
          g_autofree char *when = local_clock (offer->start_at, "%Y-%m-%d %H:%M");

          /* TRANSLATORS: "The offered time, 2030-03-04 09:00 with Dr García, is no longer free: …" */
          g_set_error (error, CH_WAITLIST_ERROR, CH_WAITLIST_ERROR_TAKEN,
                       _("The offered time, %s with %s, is no longer free: %s"), when,
                       offer->provider_name, local_error->message);
        }
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  what = g_strdup_printf ("accepted, appointment %" G_GINT64_FORMAT, appointment->id);
  if (!ch_db_offer_close (store, offer->id, "accepted", appointment->id, NULL, username, error)
      || !ch_db_waitlist_set_status (store, entry, "booked", appointment->id, username, error)
      || !audit_offer (session, CH_AUDIT_UPDATE, offer, entry->patient_id, what, error)
      || (current != NULL
          && !ch_schedule_cancel (session, current->id, "moved earlier from waitlist", CH_SCOPE_THIS,
                                  error))
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      return FALSE;
    }
  if (out_appointment_id != NULL)
    *out_appointment_id = appointment->id;
  return TRUE;
}

gboolean
ch_waitlist_decline (ChSession   *session,
                     gint64       offer_id,
                     const char  *note,
                     GError     **error)
{
  ChStore *store;
  g_autoptr (ChWaitlistOffer) offer = NULL;
  g_autoptr (ChWaitlistEntry) entry = NULL;
  g_autofree char *what = NULL;
  const char *username;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE, error))
    return FALSE;
  if (note != NULL && g_utf8_strlen (note, -1) > NOTE_MAX)
    return invalid (error, _("The note is too long (at most 2000 characters)"));
  store = ch_session_get_store (session);
  username = ch_session_get_username (session);
  if (!open_offer (store, offer_id, &offer, &entry, error))
    return FALSE;

  what = g_strdup_printf ("declined%s%s", ch_has_text (note) ? ": " : "", ch_has_text (note) ? note : "");
  if (!ch_store_begin (store, error))
    return FALSE;
  if (!ch_db_offer_close (store, offer->id, "declined", 0, note, username, error)
      || (g_str_equal (entry->status, "offered")
          && !ch_db_waitlist_set_status (store, entry, "waiting", 0, username, error))
      || !audit_offer (session, CH_AUDIT_UPDATE, offer, entry->patient_id, what, error)
      || !offer_span (session, offer->provider_id, offer->free_room_id, offer->free_from,
                      offer->free_until, 0, error)
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

gboolean
ch_waitlist_remove (ChSession   *session,
                    gint64       entry_id,
                    const char  *reason,
                    GError     **error)
{
  ChStore *store;
  g_autoptr (ChWaitlistEntry) entry = NULL;
  g_autoptr (ChWaitlistOffer) offer = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *detail = NULL;
  const char *username;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE, error))
    return FALSE;
  if (reason != NULL && g_utf8_strlen (reason, -1) > NOTE_MAX)
    return invalid (error, _("The reason is too long (at most 2000 characters)"));
  store = ch_session_get_store (session);
  username = ch_session_get_username (session);
  entry = ch_db_waitlist_get (store, entry_id, error);
  if (entry == NULL)
    return FALSE;
  if (!g_str_equal (entry->status, "waiting") && !g_str_equal (entry->status, "offered"))
    {
      g_set_error (error, CH_WAITLIST_ERROR, CH_WAITLIST_ERROR_STATE,
                   _("The entry is no longer on the waitlist: %s"),
                   ch_waitlist_status_label (entry->status));
      return FALSE;
    }
  offer = ch_db_offer_open_for (store, entry->id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  detail = g_strdup_printf ("removed%s%s", ch_has_text (reason) ? ": " : "",
                            ch_has_text (reason) ? reason : "");
  if (!ch_store_begin (store, error))
    return FALSE;
  if (!ch_db_waitlist_set_status (store, entry, "removed", 0, username, error)
      || !audit_entry (session, CH_AUDIT_UPDATE, entry, detail, error))
    goto fail;
  /* Its open offer passes to the next who fits. */
  if (offer != NULL
      && (!ch_db_offer_close (store, offer->id, "declined", 0, "removed from the waitlist", username,
                              error)
          || !audit_offer (session, CH_AUDIT_UPDATE, offer, entry->patient_id,
                           "declined: removed from the waitlist", error)
          || !offer_span (session, offer->provider_id, offer->free_room_id, offer->free_from,
                          offer->free_until, 0, error)))
    goto fail;
  if (!ch_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  ch_store_rollback (store);
  return FALSE;
}

gboolean
ch_waitlist_expire_offers (ChSession  *session,
                           guint      *out_expired,
                           GError    **error)
{
  ChStore *store;
  g_autoptr (GPtrArray) offers = NULL;
  const char *username;
  gint64 now = g_get_real_time ();
  guint expired = 0;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE, error))
    return FALSE;
  store = ch_session_get_store (session);
  username = ch_session_get_username (session);
  offers = ch_db_offer_list (store, "open", error);
  if (offers == NULL)
    return FALSE;

  if (!ch_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < offers->len; i++)
    {
      ChWaitlistOffer *offer = offers->pdata[i];
      g_autoptr (ChWaitlistEntry) entry = NULL;
      const char *why = NULL;

      if (offer->start_at <= now)
        why = "expired: the time has begun";
      else
        {
          g_autoptr (ChAppointment) probe = ch_appointment_new ();
          g_autoptr (GError) local_error = NULL;

          probe->patient_id = offer->patient_id;
          probe->provider_id = g_strdup (offer->provider_id);
          probe->room_id = g_strdup (offer->room_id);
          probe->type_id = offer->type_id;
          probe->start_at = offer->start_at;
          probe->duration_min = offer->duration_min;
          if (!ch_schedule_check_booking (session, probe, 0, &local_error))
            {
              if (is_failure (local_error))
                {
                  g_propagate_error (error, g_steal_pointer (&local_error));
                  goto fail;
                }
              why = "expired: the time is no longer free";
            }
        }
      if (why == NULL)
        continue;

      entry = ch_db_waitlist_get (store, offer->entry_id, error);
      if (entry == NULL
          || !ch_db_offer_close (store, offer->id, "expired", 0, NULL, username, error)
          || (g_str_equal (entry->status, "offered")
              && !ch_db_waitlist_set_status (store, entry, "waiting", 0, username, error))
          || !audit_offer (session, CH_AUDIT_UPDATE, offer, entry->patient_id, why, error))
        goto fail;
      expired++;
    }
  if (!ch_store_commit (store, error))
    goto fail;
  if (out_expired != NULL)
    *out_expired = expired;
  return TRUE;

fail:
  ch_store_rollback (store);
  return FALSE;
}
