/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charta-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ch-admin-schedule.h"
#include "ch-admin-output.h"
#include "ch-recall.h"
#include "ch-schedule.h"
#include "ch-waitlist.h"

static char *
local_time (gint64 usec)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);

  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

GPtrArray *
ch_admin_appointment_rows (GPtrArray *appointments)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  g_ptr_array_add (rows, g_strdupv ((char *[]) { _("ID"), _("START"), _("MIN"), _("PROVIDER"),
                                                 _("PATIENT"), _("TYPE"), _("STATUS"), NULL }));
  for (guint i = 0; i < appointments->len; i++)
    {
      const ChAppointment *a = appointments->pdata[i];
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, a->id);
      g_autofree char *start = local_time (a->start_at);
      g_autofree char *minutes = g_strdup_printf ("%d", a->duration_min);
      g_autofree char *patient = g_strdup_printf ("%s %s", a->patient_mrn, a->patient_name);

      g_ptr_array_add (rows, g_strdupv ((char *[]) { id, start, minutes, a->provider_id, patient,
                                                     a->type_name, (char *) a->status, NULL }));
    }
  return rows;
}

char *
ch_admin_appointments_json (GPtrArray *appointments)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < appointments->len; i++)
    {
      const ChAppointment *a = appointments->pdata[i];
      g_autoptr (GDateTime) start = g_date_time_new_from_unix_utc (a->start_at / G_USEC_PER_SEC);
      g_autoptr (GDateTime) local = g_date_time_to_local (start);
      /* RFC 3339: Z in UTC, else a full ±HH:MM offset (GLib would write -04). */
      g_autofree char *iso = g_date_time_get_utc_offset (local) == 0
        ? g_date_time_format_iso8601 (local)
        : g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, a->id);
      json_builder_set_member_name (builder, "start");
      json_builder_add_string_value (builder, iso);
      json_builder_set_member_name (builder, "duration_min");
      json_builder_add_int_value (builder, a->duration_min);
      json_builder_set_member_name (builder, "provider");
      json_builder_add_string_value (builder, a->provider_id);
      json_builder_set_member_name (builder, "room");
      if (a->room_id != NULL)
        json_builder_add_string_value (builder, a->room_id);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "patient_mrn");
      json_builder_add_string_value (builder, a->patient_mrn);
      json_builder_set_member_name (builder, "patient_name");
      json_builder_add_string_value (builder, a->patient_name);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, a->type_name);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, a->status);
      json_builder_set_member_name (builder, "reason");
      json_builder_add_string_value (builder, a->reason);
      json_builder_set_member_name (builder, "series_id");
      if (a->series_id != 0)
        json_builder_add_int_value (builder, a->series_id);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  return ch_admin_json_text (builder);
}

GPtrArray *
ch_admin_slot_rows (GPtrArray *slots)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  g_ptr_array_add (rows, g_strdupv ((char *[]) { _("START"), _("MIN"), _("PROVIDER"), _("ROOM"),
                                                 NULL }));
  for (guint i = 0; i < slots->len; i++)
    {
      const ChSlot *slot = slots->pdata[i];
      g_autofree char *start = local_time (slot->start);
      g_autofree char *minutes = g_strdup_printf ("%d", slot->duration_min);

      g_ptr_array_add (rows, g_strdupv ((char *[]) { start, minutes, slot->provider_id,
                                                     slot->room_id ? slot->room_id : (char *) "",
                                                     NULL }));
    }
  return rows;
}

char *
ch_admin_slots_json (GPtrArray *slots)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < slots->len; i++)
    {
      const ChSlot *slot = slots->pdata[i];
      g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (slot->start / G_USEC_PER_SEC);
      g_autoptr (GDateTime) local = g_date_time_to_local (utc);
      /* RFC 3339: Z in UTC, else a full ±HH:MM offset (GLib would write -04). */
      g_autofree char *iso = g_date_time_get_utc_offset (local) == 0
        ? g_date_time_format_iso8601 (local)
        : g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "start");
      json_builder_add_string_value (builder, iso);
      json_builder_set_member_name (builder, "duration_min");
      json_builder_add_int_value (builder, slot->duration_min);
      json_builder_set_member_name (builder, "provider");
      json_builder_add_string_value (builder, slot->provider_id);
      json_builder_set_member_name (builder, "room");
      if (slot->room_id != NULL)
        json_builder_add_string_value (builder, slot->room_id);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return ch_admin_json_text (builder);
}

/* ---- waitlist and recalls ------------------------------------------------------- */

/* RFC 3339: Z in UTC, else a full ±HH:MM offset (GLib would write -04). */
static char *
rfc3339 (gint64 usec)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);

  return g_date_time_get_utc_offset (local) == 0 ? g_date_time_format_iso8601 (local)
         : g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");
}

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *member,
                    const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL && value[0] != '\0')
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_id_or_null (JsonBuilder *builder,
                const char  *member,
                gint64       value)
{
  json_builder_set_member_name (builder, member);
  if (value != 0)
    json_builder_add_int_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static char *
builder_text (JsonBuilder *builder)
{

  return ch_admin_json_text (builder);
}

/* "mon,wed" (nullable: every day) */
static char *
days_text (guint weekdays)
{
  static const char * const names[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
  GString *text;

  if (weekdays == 0)
    return NULL;
  text = g_string_new (NULL);
  for (int d = 1; d <= 7; d++)
    if (weekdays & (1u << d))
      g_string_append_printf (text, "%s%s", text->len ? "," : "", names[d - 1]);
  return g_string_free (text, FALSE);
}

/* "HH:MM-HH:MM" (nullable: any time) */
static char *
times_text (int from_min,
            int to_min)
{
  if (from_min == 0 && to_min == 0)
    return NULL;
  return g_strdup_printf ("%02d:%02d-%02d:%02d", from_min / 60, from_min % 60, to_min / 60,
                          to_min % 60);
}

static const ChWaitlistOffer *
offer_of (GPtrArray *offers,
          gint64     entry_id)
{
  for (guint i = 0; offers != NULL && i < offers->len; i++)
    if (((const ChWaitlistOffer *) offers->pdata[i])->entry_id == entry_id)
      return offers->pdata[i];
  return NULL;
}

GPtrArray *
ch_admin_waitlist_rows (GPtrArray *entries,
                        GPtrArray *offers)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  g_ptr_array_add (rows, g_strdupv ((char *[]) { _("ID"), _("ADDED"), _("PATIENT"), _("TYPE"),
                                                 _("PROVIDER"), _("STATUS"), _("OFFERED"), NULL }));
  for (guint i = 0; i < entries->len; i++)
    {
      const ChWaitlistEntry *e = entries->pdata[i];
      const ChWaitlistOffer *offer = offer_of (offers, e->id);
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, e->id);
      g_autofree char *added = local_time (e->created_at);
      g_autofree char *patient = g_strdup_printf ("%s %s", e->patient_mrn, e->patient_name);
      g_autofree char *offered = NULL;

      if (offer != NULL)
        {
          g_autofree char *start = local_time (offer->start_at);

          offered = g_strdup_printf ("%s %s", start, offer->provider_id);
        }
      g_ptr_array_add (rows, g_strdupv ((char *[]) { id, added, patient, e->type_name,
                                                     e->provider_id ? e->provider_id : _("any"),
                                                     e->status, offered ? offered : (char *) "",
                                                     NULL }));
    }
  return rows;
}

char *
ch_admin_waitlist_json (GPtrArray *entries,
                        GPtrArray *offers)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < entries->len; i++)
    {
      const ChWaitlistEntry *e = entries->pdata[i];
      const ChWaitlistOffer *offer = offer_of (offers, e->id);
      g_autofree char *added = rfc3339 (e->created_at);
      g_autofree char *days = days_text (e->weekdays);
      g_autofree char *times = times_text (e->from_min, e->to_min);
      g_autofree char *current = e->appointment_start ? rfc3339 (e->appointment_start) : NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, e->id);
      json_builder_set_member_name (builder, "patient_mrn");
      json_builder_add_string_value (builder, e->patient_mrn);
      json_builder_set_member_name (builder, "patient_name");
      json_builder_add_string_value (builder, e->patient_name);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, e->type_name);
      add_string_or_null (builder, "provider", e->provider_id);
      add_id_or_null (builder, "appointment_id", e->appointment_id);
      add_string_or_null (builder, "appointment_start", current);
      add_string_or_null (builder, "from", e->earliest_day);
      add_string_or_null (builder, "to", e->latest_day);
      add_string_or_null (builder, "days", days);
      add_string_or_null (builder, "times", times);
      json_builder_set_member_name (builder, "note");
      json_builder_add_string_value (builder, e->note);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, e->status);
      add_id_or_null (builder, "booked_id", e->booked_id);
      json_builder_set_member_name (builder, "added");
      json_builder_add_string_value (builder, added);
      json_builder_set_member_name (builder, "added_by");
      json_builder_add_string_value (builder, e->created_by);
      json_builder_set_member_name (builder, "offer");
      if (offer != NULL)
        {
          g_autofree char *start = rfc3339 (offer->start_at);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_int_value (builder, offer->id);
          json_builder_set_member_name (builder, "start");
          json_builder_add_string_value (builder, start);
          json_builder_set_member_name (builder, "duration_min");
          json_builder_add_int_value (builder, offer->duration_min);
          json_builder_set_member_name (builder, "provider");
          json_builder_add_string_value (builder, offer->provider_id);
          add_string_or_null (builder, "room", offer->room_id);
          json_builder_end_object (builder);
        }
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return builder_text (builder);
}

GPtrArray *
ch_admin_recall_rows (GPtrArray *recalls)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  g_ptr_array_add (rows, g_strdupv ((char *[]) { _("ID"), _("DUE"), _("PATIENT"), _("PHONE"),
                                                 _("KIND"), _("STATUS"), _("REASON"), NULL }));
  for (guint i = 0; i < recalls->len; i++)
    {
      const ChRecall *r = recalls->pdata[i];
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, r->id);
      g_autofree char *patient = g_strdup_printf ("%s %s", r->patient_mrn, r->patient_name);

      g_ptr_array_add (rows, g_strdupv ((char *[]) { id, r->due_date, patient, r->patient_phone,
                                                     r->kind, r->status, r->reason, NULL }));
    }
  return rows;
}

char *
ch_admin_recalls_json (GPtrArray *recalls)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");

  json_builder_begin_array (builder);
  for (guint i = 0; i < recalls->len; i++)
    {
      const ChRecall *r = recalls->pdata[i];
      g_autofree char *last = r->last_contact_at ? rfc3339 (r->last_contact_at) : NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, r->id);
      json_builder_set_member_name (builder, "due");
      json_builder_add_string_value (builder, r->due_date);
      json_builder_set_member_name (builder, "overdue");
      json_builder_add_boolean_value (builder, strcmp (r->due_date, today) < 0);
      json_builder_set_member_name (builder, "patient_mrn");
      json_builder_add_string_value (builder, r->patient_mrn);
      json_builder_set_member_name (builder, "patient_name");
      json_builder_add_string_value (builder, r->patient_name);
      add_string_or_null (builder, "patient_phone", r->patient_phone);
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, r->kind);
      json_builder_set_member_name (builder, "reason");
      json_builder_add_string_value (builder, r->reason);
      add_string_or_null (builder, "provider", r->provider_id);
      add_string_or_null (builder, "vaccine", r->code);
      add_id_or_null (builder, "dose", r->dose);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, r->status);
      add_id_or_null (builder, "appointment_id", r->appointment_id);
      json_builder_set_member_name (builder, "contacts");
      json_builder_add_int_value (builder, r->n_contacts);
      add_string_or_null (builder, "last_contact", last);
      add_string_or_null (builder, "last_contact_note", r->last_contact_note);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return builder_text (builder);
}
