/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charta-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ch-admin-schedule.h"
#include "ch-schedule.h"

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
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;

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

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
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
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;

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
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}
