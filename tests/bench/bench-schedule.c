/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-schedule"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "ch-demo.h"
#include "ch-practice.h"
#include "ch-schedule.h"
#include "ch-session.h"

/* "Find a slot" on a crowded calendar: 20 providers working weekdays
 * 08:00–17:00 with an hour for lunch, a year of bookings filling 90 % of
 * their time. Budget: under 20 ms a search. Median and 99th percentile of
 * each kind of search, 101 runs each. */

#define BUDGET_MS 20.0
#define RUNS 101
#define PROVIDERS 20
#define MIN_USEC ((gint64) 60 * G_USEC_PER_SEC)

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
check (gboolean  ok,
       GError   *error)
{
  if (!ok)
    g_error ("%s", error ? error->message : "failed");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("charta-bench-schedule-XXXXXX", &error);
  g_autofree char *practice_dir = g_build_filename (dir, "practice", NULL);
  g_autoptr (ChPractice) practice = NULL;
  g_autoptr (ChSession) desk = NULL;
  g_autoptr (ChApptType) follow_up = NULL;
  g_autoptr (ChApptType) procedure = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) today = g_date_time_new_local (g_date_time_get_year (now),
                                                       g_date_time_get_month (now),
                                                       g_date_time_get_day_of_month (now), 0, 0, 0);
  ChHours week[] = { { 0, 8 * 60, 17 * 60, FALSE }, { 0, 12 * 60, 13 * 60, TRUE } };
  ChStore *store;
  guint booked = 0;
  static double times[RUNS];
  struct { const char *figure; const char *what; const char *provider; guint weekdays; int from, to;
           gboolean room; } searches[] = {
    { "schedule.find.any", "any provider, next 30 days", NULL, 0, 0, 0, FALSE },
    { "schedule.find.provider", "one provider", "p07", 0, 0, 0, FALSE },
    { "schedule.find.filtered", "Tue/Thu mornings", NULL, (1u << 2) | (1u << 4), 8 * 60, 12 * 60, FALSE },
    { "schedule.find.room", "a type needing a room", NULL, 0, 0, 0, TRUE },
  };

  check (ch_demo_create (practice_dir, 200, 1, NULL, &error), error);
  practice = ch_practice_open (practice_dir, &error);
  desk = ch_session_login (practice, "frontdesk", CH_DEMO_PASSWORD, &error);
  check (desk != NULL, error);
  store = ch_session_get_store (desk);
  follow_up = ch_schedule_find_type (desk, "follow-up", &error);
  procedure = ch_schedule_find_type (desk, "procedure", &error);
  check (follow_up != NULL && procedure != NULL, error);

  check (ch_store_begin (store, &error), error);
  for (int p = 0; p < PROVIDERS; p++)
    {
      g_autoptr (ChResource) resource = ch_resource_new ();

      resource->id = g_strdup_printf ("p%02d", p);
      resource->kind = g_strdup ("provider");
      resource->name = g_strdup_printf ("Dr %02d", p);
      check (ch_schedule_put_resource (desk, resource, &error), error);
      check (ch_schedule_set_hours (desk, resource->id, 0x3e, week, G_N_ELEMENTS (week), &error), error);

      /* A year of 20-minute bookings, nine in ten of the working time. */
      for (int d = 0; d < 365; d++)
        {
          g_autoptr (GDateTime) day = g_date_time_add_days (today, d);

          if (g_date_time_get_day_of_week (day) > 5)
            continue;
          for (int minute = 8 * 60; minute + 20 <= 17 * 60; minute += 20)
            {
              g_autoptr (ChAppointment) a = NULL;

              if ((minute >= 12 * 60 && minute < 13 * 60) || g_rand_int_range (rand, 0, 10) == 0)
                continue;
              a = ch_appointment_new ();
              a->patient_id = g_rand_int_range (rand, 1, 201);
              a->provider_id = g_strdup (resource->id);
              a->type_id = follow_up->id;
              a->start_at = (g_date_time_to_unix (day) + minute * 60) * G_USEC_PER_SEC;
              a->duration_min = 20;
              /* Straight into the store: the bench measures the search, not booking. */
              check (ch_db_appointment_insert (store, a, "frontdesk", &error), error);
              booked++;
            }
        }
    }
  check (ch_store_commit (store, &error), error);

  g_print ("Find a slot: %d providers, a year of %u bookings (90 %% full)\n", PROVIDERS, booked);
  g_print ("%-26s %10s %10s %10s  %s\n", "figure", "median ms", "p99 ms", "budget", "met");
  for (guint s = 0; s < G_N_ELEMENTS (searches); s++)
    {
      double median, p99;

      for (guint i = 0; i < RUNS; i++)
        {
          ChSlotQuery q = {
            .type_id = searches[s].room ? procedure->id : follow_up->id,
            .patient_id = g_rand_int_range (rand, 1, 201),
            .provider_id = searches[s].provider,
            .weekdays = searches[s].weekdays,
            .from_min = searches[s].from,
            .to_min = searches[s].to,
            .from = g_get_real_time () + (gint64) g_rand_int_range (rand, 0, 300) * 24 * 60 * MIN_USEC,
            .count = 10,
          };
          gint64 start;
          g_autoptr (GPtrArray) slots = NULL;

          q.to = q.from + (gint64) 30 * 24 * 60 * MIN_USEC;
          start = g_get_monotonic_time ();
          slots = ch_schedule_find_slots (desk, &q, &error);
          times[i] = (g_get_monotonic_time () - start) / 1000.0;
          check (slots != NULL, error);
          if (slots->len == 0)
            g_error ("%s found nothing", searches[s].figure);
        }
      qsort (times, RUNS, sizeof (double), compare_double);
      median = times[RUNS / 2];
      p99 = times[(RUNS * 99) / 100];
      g_print ("%-26s %10.2f %10.2f %10s  %s   %s\n", searches[s].figure, median, p99, "< 20 ms",
               p99 < BUDGET_MS ? "yes" : "NO", searches[s].what);
      g_print ("bench %s.median %.2f ms\n", searches[s].figure, median);
      g_print ("bench %s.p99 %.2f ms\n", searches[s].figure, p99);
    }

  ch_session_logout (desk);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", dir);
  }
  return 0;
}
