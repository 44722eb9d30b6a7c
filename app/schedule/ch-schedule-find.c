/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-schedule-find"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ch-patient-db.h"
#include "ch-practice.h"
#include "ch-schedule.h"

/* "Find a slot": walks the days of the range in order; for each provider
 * who may see the type and works that day, it steps through the working
 * spans, skipping breaks and busy times (bookings with their buffers, read a
 * week at a time), and, where the type needs one, looks for the first free
 * room. A day's candidates are ranked by start, then the patient's own
 * provider, then the provider they saw last; the search stops once enough
 * are found. */

#define MIN_USEC ((gint64) 60 * G_USEC_PER_SEC)
#define DAY_USEC ((gint64) 24 * 60 * MIN_USEC)
#define WINDOW_DAYS 7

typedef struct
{
  gint64 start;
  gint64 end;   /* with the booking's buffer */
} Span;

typedef struct
{
  ChResource *resource;
  GArray     *hours;     /* of ChHours */
  int         rank;      /* 0 the patient's own provider, 1 the last seen, 2 others */
} Candidate;

typedef struct
{
  ChStore    *store;
  GHashTable *busy;      /* resource id → GArray of Span, for the window loaded */
  GHashTable *days_off;  /* "resource|day" and "|day" */
  gint64      window_from;
  gint64      window_to;
  const char *only;      /* (nullable): the one provider searched */
  GPtrArray  *rooms;     /* (element-type ChResource) the rooms the type may use */
} Finder;

void
ch_slot_free (ChSlot *slot)
{
  if (slot == NULL)
    return;
  g_free (slot->provider_id);
  g_free (slot->room_id);
  g_free (slot);
}

static void
candidate_clear (Candidate *candidate)
{
  g_clear_pointer (&candidate->resource, ch_resource_free);
  g_clear_pointer (&candidate->hours, g_array_unref);
}

static void
add_busy (Finder     *finder,
          const char *resource_id,
          Span        span)
{
  GArray *spans = g_hash_table_lookup (finder->busy, resource_id);

  if (spans == NULL)
    {
      spans = g_array_new (FALSE, FALSE, sizeof (Span));
      g_hash_table_insert (finder->busy, g_strdup (resource_id), spans);
    }
  g_array_append_val (spans, span);
}

static void
on_busy (const char *provider_id,
         const char *room_id,
         gint64      start,
         gint64      end,
         gpointer    user_data)
{
  Finder *finder = user_data;
  Span span = { start, end };

  add_busy (finder, provider_id, span);
  if (room_id != NULL)
    add_busy (finder, room_id, span);
}

/* Reads the bookings that may touch [@from, @to): one provider's (and the
 * rooms') when the search is for one provider, else everyone's. */
static gboolean
load_window (Finder  *finder,
             gint64   from,
             gint64   to,
             GError **error)
{
  g_hash_table_remove_all (finder->busy);
  if (!ch_db_busy_range (finder->store, from - DAY_USEC, to, finder->only, on_busy, finder, error))
    return FALSE;
  for (guint i = 0; finder->only != NULL && finder->rooms != NULL && i < finder->rooms->len; i++)
    if (!ch_db_busy_range (finder->store, from - DAY_USEC, to,
                           ((ChResource *) finder->rooms->pdata[i])->id, on_busy, finder, error))
      return FALSE;
  finder->window_from = from;
  finder->window_to = to;
  return TRUE;
}

/* The end of the first busy span of @resource_id overlapping [start, end),
 * or 0 when it is free then. */
static gint64
busy_until (Finder     *finder,
            const char *resource_id,
            gint64      start,
            gint64      end)
{
  GArray *spans = g_hash_table_lookup (finder->busy, resource_id);
  gint64 until = 0;

  for (guint i = 0; spans != NULL && i < spans->len; i++)
    {
      const Span *span = &g_array_index (spans, Span, i);

      if (span->start < end && span->end > start)
        until = MAX (until, span->end);
    }
  return until;
}

static gboolean
in_list (const char *list,
         const char *id)
{
  g_auto (GStrv) items = g_strsplit (list ? list : "", ",", -1);

  return g_strv_contains ((const char * const *) items, id);
}

typedef struct
{
  ChSlot *slot;
  int     rank;
} Ranked;

static int
compare_ranked (gconstpointer a,
                gconstpointer b)
{
  const Ranked *x = a;
  const Ranked *y = b;

  if (x->slot->start != y->slot->start)
    return x->slot->start < y->slot->start ? -1 : 1;
  if (x->rank != y->rank)
    return x->rank - y->rank;
  return g_strcmp0 (x->slot->provider_id, y->slot->provider_id);
}

/* The minute of @day's wall clock that @usec falls on (rounded up), or the
 * day's end when it is later. */
static int
wall_minute (gint64     usec,
             GDateTime *day)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc ((usec + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);

  if (g_date_time_get_year (local) != g_date_time_get_year (day)
      || g_date_time_get_day_of_year (local) != g_date_time_get_day_of_year (day))
    return 24 * 60;
  return g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local)
         + (g_date_time_get_second (local) > 0);
}

GPtrArray *
ch_schedule_find_slots (ChSession          *session,
                        const ChSlotQuery  *query,
                        GError            **error)
{
  ChStore *store;
  g_autoptr (ChApptType) type = NULL;
  g_autoptr (GPtrArray) resources = NULL;
  g_autoptr (GArray) candidates = g_array_new (FALSE, TRUE, sizeof (Candidate));
  g_autoptr (GPtrArray) rooms = g_ptr_array_new ();
  g_autoptr (GPtrArray) slots = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_slot_free);
  g_autofree char *own = NULL;
  g_autofree char *last = NULL;
  g_autoptr (GDateTime) first_day = NULL;
  g_autoptr (GDateTime) last_day = NULL;
  g_autoptr (GDateTime) first_midnight = NULL;
  g_autofree char *from_day = NULL;
  g_autofree char *to_day = NULL;
  g_autoptr (GPtrArray) days_off = NULL;
  Finder finder = { 0 };
  int step, from_min, to_min, length;
  guint count;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_READ, error))
    return NULL;
  if (query->to <= query->from)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                           _("The range to search ends before it starts"));
      return NULL;
    }

  store = ch_session_get_store (session);
  type = ch_db_appt_type_get (store, query->type_id, error);
  if (type == NULL)
    return NULL;
  resources = ch_db_resource_list (store, NULL, error);
  if (resources == NULL)
    return NULL;

  step = query->step_min > 0 ? query->step_min : 15;
  count = query->count > 0 ? query->count : 10;
  from_min = query->from_min;
  to_min = query->to_min > 0 ? query->to_min : 24 * 60;
  length = type->duration_min;

  /* Whom the patient would rather see: their own provider, then the last one. */
  if (query->patient_id > 0)
    {
      g_autoptr (ChPatientRecord) patient = ch_db_patient_get (store, query->patient_id, error);

      if (patient == NULL)
        return NULL;
      for (guint i = 0; patient->primary_provider && i < resources->len; i++)
        if (g_strcmp0 (((ChResource *) resources->pdata[i])->username, patient->primary_provider) == 0)
          own = g_strdup (((ChResource *) resources->pdata[i])->id);
      last = ch_db_last_provider (store, query->patient_id, g_get_real_time (), NULL);
    }

  for (guint i = 0; i < resources->len; i++)
    {
      ChResource *resource = resources->pdata[i];

      if (!resource->active)
        continue;
      if (g_str_equal (resource->kind, "room"))
        {
          if (type->needs_room && (type->rooms[0] == '\0' || in_list (type->rooms, resource->id)))
            g_ptr_array_add (rooms, resource);
          continue;
        }
      if ((query->provider_id && g_strcmp0 (query->provider_id, resource->id) != 0)
          || (type->providers[0] && !in_list (type->providers, resource->id)))
        continue;
      {
        Candidate candidate = { 0 };

        candidate.hours = ch_db_hours_list (store, resource->id, error);
        if (candidate.hours == NULL)
          return NULL;
        candidate.resource = ch_db_resource_get (store, resource->id, error);
        if (candidate.resource == NULL)
          return NULL;
        candidate.rank = g_strcmp0 (own, resource->id) == 0 ? 0
                         : g_strcmp0 (last, resource->id) == 0 ? 1 : 2;
        g_array_append_val (candidates, candidate);
      }
    }
  g_array_set_clear_func (candidates, (GDestroyNotify) candidate_clear);
  if (candidates->len == 0 || (type->needs_room && rooms->len == 0))
    return g_steal_pointer (&slots);

  /* Days off of the whole range, at once. */
  first_day = g_date_time_new_from_unix_local (query->from / G_USEC_PER_SEC);
  last_day = g_date_time_new_from_unix_local (query->to / G_USEC_PER_SEC);
  from_day = g_date_time_format (first_day, "%Y-%m-%d");
  to_day = g_date_time_format (last_day, "%Y-%m-%d");
  days_off = ch_db_days_off_range (store, from_day, to_day, error);
  if (days_off == NULL)
    return NULL;

  finder.store = store;
  finder.busy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_array_unref);
  finder.days_off = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < days_off->len; i++)
    g_hash_table_add (finder.days_off, days_off->pdata[i]);
  finder.window_to = G_MININT64;
  finder.only = candidates->len == 1 ? g_array_index (candidates, Candidate, 0).resource->id : NULL;
  finder.rooms = rooms;

  first_midnight = g_date_time_new_local (g_date_time_get_year (first_day),
                                          g_date_time_get_month (first_day),
                                          g_date_time_get_day_of_month (first_day), 0, 0, 0);
  for (int d = 0; slots->len < count; d++)
    {
      /* Adding days keeps local midnight across a change of daylight-saving time. */
      g_autoptr (GDateTime) day = g_date_time_add_days (first_midnight, d);
      int weekday;
      g_autofree char *date = NULL;
      g_autofree char *holiday = NULL;
      g_autoptr (GArray) today = g_array_new (FALSE, FALSE, sizeof (Ranked));
      gint64 midnight;

      midnight = g_date_time_to_unix (day) * G_USEC_PER_SEC;
      if (midnight >= query->to)
        break;
      weekday = g_date_time_get_day_of_week (day);
      date = g_date_time_format (day, "%Y-%m-%d");
      holiday = g_strdup_printf ("|%s", date);

      if ((query->weekdays == 0 || (query->weekdays & (1u << weekday)))
          && !g_hash_table_contains (finder.days_off, holiday))
        {
          if (midnight + DAY_USEC > finder.window_to
              && !load_window (&finder, midnight, midnight + WINDOW_DAYS * DAY_USEC, error))
            goto fail;

          for (guint c = 0; c < candidates->len; c++)
            {
              const Candidate *candidate = &g_array_index (candidates, Candidate, c);
              g_autofree char *off = g_strdup_printf ("%s|%s", candidate->resource->id, date);

              if (g_hash_table_contains (finder.days_off, off))
                continue;
              for (guint h = 0; h < candidate->hours->len; h++)
                {
                  const ChHours *work = &g_array_index (candidate->hours, ChHours, h);
                  int t;

                  if (work->weekday != weekday || work->is_break)
                    continue;
                  t = MAX (work->start_min, from_min);
                  t = (t + step - 1) / step * step;
                  while (t + length <= MIN (work->end_min, to_min))
                    {
                      /* The wall clock's t, also on a day the clocks change. */
                      g_autoptr (GDateTime) at = g_date_time_new_local (g_date_time_get_year (day),
                                                                        g_date_time_get_month (day),
                                                                        g_date_time_get_day_of_month (day),
                                                                        t / 60, t % 60, 0);
                      gint64 start = g_date_time_to_unix (at) * G_USEC_PER_SEC;
                      gint64 end = start + (gint64) (length + type->buffer_min) * MIN_USEC;
                      int resume = 0;
                      const ChResource *room = NULL;
                      gint64 until;

                      /* Breaks that day. */
                      for (guint b = 0; b < candidate->hours->len; b++)
                        {
                          const ChHours *pause = &g_array_index (candidate->hours, ChHours, b);

                          if (pause->weekday == weekday && pause->is_break
                              && t < pause->end_min && t + length > pause->start_min)
                            resume = MAX (resume, pause->end_min);
                        }
                      if (resume > 0)
                        {
                          t = (resume + step - 1) / step * step;
                          continue;
                        }
                      if (start < query->from || start >= query->to)
                        {
                          t += step;
                          continue;
                        }
                      until = busy_until (&finder, candidate->resource->id, start, end);
                      if (until > 0)
                        {
                          int minutes = wall_minute (until, day);

                          t = MAX (t + step, (minutes + step - 1) / step * step);
                          continue;
                        }
                      for (guint r = 0; type->needs_room && r < rooms->len && room == NULL; r++)
                        if (busy_until (&finder, ((ChResource *) rooms->pdata[r])->id, start, end) == 0)
                          room = rooms->pdata[r];
                      if (type->needs_room && room == NULL)
                        {
                          t += step;
                          continue;
                        }

                      {
                        Ranked ranked = { g_new0 (ChSlot, 1), candidate->rank };

                        ranked.slot->start = start;
                        ranked.slot->provider_id = g_strdup (candidate->resource->id);
                        ranked.slot->room_id = room ? g_strdup (room->id) : NULL;
                        ranked.slot->duration_min = length;
                        g_array_append_val (today, ranked);
                      }
                      t += step;
                    }
                }
            }

          /* Earliest first; at the same time, the preferred provider first. */
          g_array_sort (today, compare_ranked);
        }
      for (guint i = 0; i < today->len; i++)
        {
          Ranked *ranked = &g_array_index (today, Ranked, i);

          if (slots->len < count)
            g_ptr_array_add (slots, ranked->slot);
          else
            ch_slot_free (ranked->slot);
        }
    }

  g_hash_table_unref (finder.busy);
  g_hash_table_unref (finder.days_off);
  return g_steal_pointer (&slots);

fail:
  g_hash_table_unref (finder.busy);
  g_hash_table_unref (finder.days_off);
  return NULL;
}
