/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-schedule"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ch-audit.h"
#include "ch-chart.h"
#include "ch-patients.h"
#include "ch-records.h"
#include "ch-schedule-private.h"
#include "ch-schedule.h"
#include "ch-test-util.h"
#include "ch-users.h"

/* Scheduling through its controller: working hours, breaks and days off;
 * double-booking of providers and rooms, buffers and overbooking; statuses
 * with their history; recurring appointments and each way of editing them.
 * Times are UTC here (the tests run with TZ=UTC). */

#define MIN_USEC ((gint64) 60 * G_USEC_PER_SEC)

typedef struct
{
  char       *dir;
  ChPractice *practice;
  ChSession  *desk;
  ChSession  *manager;
  gint64      ana;
  gint64      ben;
  gint64      follow_up;
  gint64      procedure;
  gint64      walk_in;
  gint64      buffered;
} Fixture;

/* µs of @date (YYYY-MM-DD) at @hh:@mm UTC */
static gint64
at (const char *date,
    int         hh,
    int         mm)
{
  int y, mo, d;
  g_autoptr (GDateTime) t = NULL;

  g_assert_cmpint (sscanf (date, "%d-%d-%d", &y, &mo, &d), ==, 3);
  t = g_date_time_new_utc (y, mo, d, hh, mm, 0);
  return g_date_time_to_unix (t) * G_USEC_PER_SEC;
}

static gint64
register_patient (ChSession  *session,
                  const char *given,
                  const char *family)
{
  g_autoptr (ChPatientRecord) patient = ch_patient_record_new ();
  g_autoptr (GError) error = NULL;

  patient->given_name = g_strdup (given);
  patient->family_name = g_strdup (family);
  patient->birth_date = g_strdup ("1970-01-01");
  g_assert_true (ch_patients_register (session, patient, &error));
  g_assert_no_error (error);
  return patient->id;
}

static void
put_resource (ChSession  *session,
              const char *id,
              const char *kind,
              const char *name)
{
  g_autoptr (ChResource) resource = ch_resource_new ();
  g_autoptr (GError) error = NULL;

  resource->id = g_strdup (id);
  resource->kind = g_strdup (kind);
  resource->name = g_strdup (name);
  g_assert_true (ch_schedule_put_resource (session, resource, &error));
  g_assert_no_error (error);
}

static gint64
add_type (ChSession  *session,
          const char *name,
          int         minutes,
          int         buffer,
          gboolean    overbook,
          gboolean    room)
{
  g_autoptr (ChApptType) type = ch_appt_type_new ();
  g_autoptr (GError) error = NULL;

  type->name = g_strdup (name);
  type->duration_min = minutes;
  type->buffer_min = buffer;
  type->allow_overbook = overbook;
  type->needs_room = room;
  g_assert_true (ch_schedule_add_type (session, type, &error));
  g_assert_no_error (error);
  return type->id;
}

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (ChSession) admin = NULL;
  g_autoptr (GError) error = NULL;
  ChHours week[] = { { 0, 8 * 60, 17 * 60, FALSE }, { 0, 12 * 60, 13 * 60, TRUE } };
  guint weekdays = 0;

  f->dir = ch_test_make_dir ();
  f->practice = ch_test_make_practice (f->dir, NULL);
  admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_assert_true (ch_users_add (admin, "desk", NULL, CH_ROLE_FRONT_DESK, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (admin, "boss", NULL, CH_ROLE_MANAGER, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (admin, "doc", NULL, CH_ROLE_PHYSICIAN, CH_TEST_PASSWORD, &error));
  ch_session_logout (admin);
  f->desk = ch_test_login (f->practice, "desk", CH_TEST_PASSWORD);
  f->manager = ch_test_login (f->practice, "boss", CH_TEST_PASSWORD);

  f->ana = register_patient (f->desk, "Ana", "García");
  f->ben = register_patient (f->desk, "Ben", "Okafor");

  put_resource (f->desk, "garcia", "provider", "Dr García");
  put_resource (f->desk, "lee", "provider", "Dr Lee");
  put_resource (f->desk, "room-1", "room", "Room 1");
  g_assert_true (ch_schedule_parse_days ("mon-fri", &weekdays));
  g_assert_true (ch_schedule_set_hours (f->desk, "garcia", weekdays, week, G_N_ELEMENTS (week), &error));
  g_assert_true (ch_schedule_set_hours (f->desk, "lee", weekdays, week, G_N_ELEMENTS (week), &error));
  g_assert_no_error (error);

  f->follow_up = add_type (f->desk, "follow-up", 20, 0, FALSE, FALSE);
  f->procedure = add_type (f->desk, "procedure", 60, 0, FALSE, TRUE);
  f->walk_in = add_type (f->desk, "walk-in", 15, 0, TRUE, FALSE);
  f->buffered = add_type (f->desk, "injection", 15, 10, FALSE, FALSE);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_clear_object (&f->desk);
  g_clear_object (&f->manager);
  g_clear_object (&f->practice);
  ch_test_remove_dir (f->dir);
  g_free (f->dir);
}

static ChAppointment *
appointment (gint64      patient,
             const char *provider,
             gint64      type,
             gint64      start,
             int         minutes)
{
  ChAppointment *a = ch_appointment_new ();

  a->patient_id = patient;
  a->provider_id = g_strdup (provider);
  a->type_id = type;
  a->start_at = start;
  a->duration_min = minutes;
  a->reason = g_strdup ("Check-up");
  return a;
}

/* Books and asserts it worked; returns the id. */
static gint64
book (Fixture       *f,
      ChAppointment *a,
      guint          flags)
{
  g_autoptr (GError) error = NULL;

  if (!ch_schedule_book (f->desk, a, flags, &error))
    g_error ("not booked: %s", error->message);
  g_assert_cmpint (a->id, >, 0);
  return a->id;
}

static void
test_parse (void)
{
  guint days = 0;
  int from = 0, to = 0;

  g_assert_true (ch_schedule_parse_days ("mon,wed,fri", &days));
  g_assert_cmpuint (days, ==, (1u << 1) | (1u << 3) | (1u << 5));
  g_assert_true (ch_schedule_parse_days ("Mon-Fri", &days));
  g_assert_cmpuint (days, ==, 0x3e);
  g_assert_false (ch_schedule_parse_days ("fri-mon", &days));
  g_assert_false (ch_schedule_parse_days ("", &days));
  g_assert_false (ch_schedule_parse_days ("someday", &days));
  g_assert_true (ch_schedule_parse_times ("08:30-17:00", &from, &to));
  g_assert_cmpint (from, ==, 510);
  g_assert_cmpint (to, ==, 1020);
  g_assert_false (ch_schedule_parse_times ("17:00-08:00", &from, &to));
  g_assert_false (ch_schedule_parse_times ("25:00-26:00", &from, &to));
  g_assert_false (ch_schedule_parse_times ("9-5", &from, &to));
}

static void
test_conflicts (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (ChAppointment) first = appointment (f->ana, "garcia", f->follow_up,
                                                 at ("2030-03-04", 9, 0), 20);
  g_autoptr (ChAppointment) overlap = appointment (f->ben, "garcia", f->follow_up,
                                                   at ("2030-03-04", 9, 10), 20);
  g_autoptr (ChAppointment) other = appointment (f->ben, "lee", f->follow_up,
                                                 at ("2030-03-04", 9, 10), 20);
  g_autoptr (ChAppointment) after = appointment (f->ben, "garcia", f->follow_up,
                                                 at ("2030-03-04", 9, 20), 20);
  g_autoptr (GPtrArray) day = NULL;
  g_autoptr (GError) error = NULL;

  book (f, first, 0);

  /* The same provider, overlapping: refused, saying with whom. */
  g_assert_false (ch_schedule_book (f->desk, overlap, 0, &error));
  g_assert_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "García, Ana"));
  g_assert_nonnull (strstr (error->message, "Dr García"));
  g_clear_error (&error);
  g_assert_cmpint (overlap->id, ==, 0);

  /* Even when the user says yes: the type does not allow overbooking. */
  g_assert_false (ch_schedule_book (f->desk, overlap, CH_BOOK_CONFIRM_OVERBOOK, &error));
  g_assert_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_CONFLICT);
  g_clear_error (&error);

  /* Another provider, or right after: fine. */
  book (f, other, 0);
  book (f, after, 0);

  day = ch_schedule_list (f->desk, at ("2030-03-04", 0, 0), at ("2030-03-05", 0, 0), "garcia", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (day->len, ==, 2);
  g_assert_cmpstr (((ChAppointment *) day->pdata[0])->patient_name, ==, "García, Ana");
  g_assert_cmpstr (((ChAppointment *) day->pdata[1])->type_name, ==, "follow-up");
}

static void
test_rooms_and_buffers (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (ChAppointment) no_room = appointment (f->ana, "garcia", f->procedure,
                                                   at ("2030-03-04", 10, 0), 60);
  g_autoptr (ChAppointment) in_room = appointment (f->ben, "lee", f->procedure,
                                                   at ("2030-03-04", 10, 30), 60);
  g_autoptr (ChAppointment) shot = appointment (f->ana, "lee", f->buffered,
                                                at ("2030-03-04", 14, 0), 15);
  g_autoptr (ChAppointment) too_soon = appointment (f->ben, "lee", f->follow_up,
                                                    at ("2030-03-04", 14, 15), 20);
  g_autoptr (ChAppointment) later = appointment (f->ben, "lee", f->follow_up,
                                                 at ("2030-03-04", 14, 25), 20);
  g_autoptr (GError) error = NULL;

  g_assert_false (ch_schedule_book (f->desk, no_room, 0, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  no_room->room_id = g_strdup ("room-1");
  book (f, no_room, 0);

  /* Another provider, the same room at the same time. */
  in_room->room_id = g_strdup ("room-1");
  g_assert_false (ch_schedule_book (f->desk, in_room, 0, &error));
  g_assert_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "Room 1"));
  g_clear_error (&error);

  /* A 10-minute buffer after the injection. */
  book (f, shot, 0);
  g_assert_false (ch_schedule_book (f->desk, too_soon, 0, &error));
  g_assert_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_CONFLICT);
  g_clear_error (&error);
  book (f, later, 0);
}

static void
test_working_hours (Fixture      *f,
                    gconstpointer data)
{
  struct { const char *day; int hh; int mm; int minutes; gboolean within; } cases[] = {
    { "2030-03-04", 8, 0, 20, TRUE },     /* Monday, first thing */
    { "2030-03-04", 16, 40, 20, TRUE },   /* ends at closing */
    { "2030-03-04", 16, 50, 20, FALSE },  /* past closing */
    { "2030-03-04", 7, 50, 20, FALSE },   /* before opening */
    { "2030-03-04", 11, 50, 20, FALSE },  /* into lunch */
    { "2030-03-04", 13, 0, 20, TRUE },    /* after lunch */
    { "2030-03-09", 10, 0, 20, FALSE },   /* Saturday */
  };
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (ChAppointment) a = appointment (f->ana, "garcia", f->follow_up,
                                                 at (cases[i].day, cases[i].hh, cases[i].mm),
                                                 cases[i].minutes);
      gboolean booked = ch_schedule_book (f->desk, a, 0, &error);

      if (booked != cases[i].within)
        g_error ("case %u: %s", i, error ? error->message : "booked outside hours");
      if (!booked)
        {
          g_assert_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_OUTSIDE_HOURS);
          g_clear_error (&error);
          /* Confirmed, it is booked. */
          book (f, a, CH_BOOK_CONFIRM_OUTSIDE_HOURS);
        }
      /* Free the time for the next case. */
      g_assert_true (ch_schedule_cancel (f->desk, a->id, "test", CH_SCOPE_THIS, &error));
    }

  /* A day off, and a practice holiday. */
  g_assert_true (ch_schedule_add_day_off (f->desk, "lee", "2030-03-05", "Conference", &error));
  g_assert_true (ch_schedule_add_day_off (f->desk, NULL, "2030-03-06", "Holiday", &error));
  g_assert_no_error (error);
  {
    g_autoptr (ChAppointment) off = appointment (f->ana, "lee", f->follow_up,
                                                 at ("2030-03-05", 10, 0), 20);
    g_autoptr (ChAppointment) working = appointment (f->ana, "garcia", f->follow_up,
                                                     at ("2030-03-05", 10, 0), 20);
    g_autoptr (ChAppointment) holiday = appointment (f->ana, "garcia", f->follow_up,
                                                     at ("2030-03-06", 10, 0), 20);

    g_assert_false (ch_schedule_book (f->desk, off, 0, &error));
    g_assert_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_OUTSIDE_HOURS);
    g_clear_error (&error);
    book (f, working, 0);
    g_assert_false (ch_schedule_book (f->desk, holiday, 0, &error));
    g_assert_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_OUTSIDE_HOURS);
    g_clear_error (&error);
  }

  /* Listed from a day on, the practice's first; removed, the day is bookable again. */
  {
    g_autoptr (GPtrArray) days = ch_schedule_list_days_off (f->manager, "2030-03-05", &error);
    g_autoptr (ChAppointment) again = appointment (f->ana, "lee", f->follow_up,
                                                   at ("2030-03-05", 10, 0), 20);
    const ChDayOff *first, *second;

    g_assert_no_error (error);
    g_assert_cmpuint (days->len, ==, 2);
    first = days->pdata[0];
    second = days->pdata[1];
    g_assert_cmpstr (first->resource_id, ==, "lee");
    g_assert_cmpstr (first->day, ==, "2030-03-05");
    g_assert_cmpstr (first->reason, ==, "Conference");
    g_assert_null (second->resource_id);
    g_assert_cmpstr (second->day, ==, "2030-03-06");
    g_clear_pointer (&days, g_ptr_array_unref);
    days = ch_schedule_list_days_off (f->desk, "2030-03-06", &error);
    g_assert_cmpuint (days->len, ==, 1);

    /* Setting up days off is also the office manager's, who books no one. */
    g_assert_true (ch_schedule_add_day_off (f->manager, NULL, "2030-12-25", "Christmas", &error));
    g_assert_no_error (error);
    g_assert_false (ch_schedule_remove_day_off (f->desk, NULL, "2030-03-05", &error));
    g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
    g_assert_true (ch_schedule_remove_day_off (f->desk, "lee", "2030-03-05", &error));
    g_assert_no_error (error);
    book (f, again, 0);
    g_assert_null (ch_schedule_list_days_off (f->desk, "next week", &error));
    g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  }
}

static void
test_overbook (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (ChAppointment) first = appointment (f->ana, "garcia", f->follow_up,
                                                 at ("2030-03-04", 9, 0), 20);
  g_autoptr (ChAppointment) squeeze = appointment (f->ben, "garcia", f->walk_in,
                                                   at ("2030-03-04", 9, 5), 15);
  g_autoptr (GError) error = NULL;

  book (f, first, 0);
  g_assert_false (ch_schedule_book (f->desk, squeeze, 0, &error));
  g_assert_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_OVERBOOK);
  g_assert_nonnull (strstr (error->message, "Double-book?"));
  g_clear_error (&error);
  book (f, squeeze, CH_BOOK_CONFIRM_OVERBOOK);
}

static void
test_status (Fixture      *f,
             gconstpointer data)
{
  g_autoptr (ChAppointment) a = appointment (f->ana, "garcia", f->follow_up,
                                             at ("2030-03-04", 9, 0), 20);
  g_autoptr (ChAppointment) back = NULL;
  g_autoptr (GPtrArray) history = NULL;
  g_autoptr (GError) error = NULL;
  const char *steps[] = { "confirmed", "arrived", "in-room", "done" };

  book (f, a, 0);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_assert_true (ch_schedule_set_status (f->desk, a->id, steps[i], NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_false (ch_schedule_set_status (f->desk, a->id, "teleported", NULL, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  history = ch_schedule_status_history (f->desk, a->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 5);
  g_assert_true (g_str_has_prefix (history->pdata[0], "booked|"));
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_auto (GStrv) parts = g_strsplit (history->pdata[i + 1], "|", 4);

      g_assert_cmpstr (parts[0], ==, steps[i]);
      g_assert_cmpint (g_ascii_strtoll (parts[1], NULL, 10), >, 0);
      g_assert_cmpstr (parts[2], ==, "desk");
    }

  /* A visit over is not cancelled, nor taken back. */
  g_assert_false (ch_schedule_cancel (f->desk, a->id, "Patient unwell", CH_SCOPE_THIS, &error));
  g_assert_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (ch_schedule_set_status (f->desk, a->id, "arrived", NULL, &error));
  g_assert_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_STATE);
  g_clear_error (&error);
  g_clear_pointer (&a, ch_appointment_free);
  a = appointment (f->ana, "garcia", f->follow_up, at ("2030-03-04", 10, 0), 20);
  book (f, a, 0);
  /* Nor skipped: done only after arriving; no-show only before. */
  g_assert_false (ch_schedule_set_status (f->desk, a->id, "in-room", NULL, &error));
  g_assert_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_STATE);
  g_clear_error (&error);

  /* Cancelling needs a reason; a cancelled one stays as it is. */
  g_assert_false (ch_schedule_cancel (f->desk, a->id, " ", CH_SCOPE_THIS, &error));
  g_clear_error (&error);
  g_assert_true (ch_schedule_cancel (f->desk, a->id, "Patient unwell", CH_SCOPE_THIS, &error));
  g_assert_no_error (error);
  g_assert_false (ch_schedule_set_status (f->desk, a->id, "arrived", NULL, &error));
  g_assert_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_STATE);
  g_clear_error (&error);
  back = ch_schedule_get (f->desk, a->id, &error);
  g_assert_cmpstr (back->status, ==, "cancelled");
  g_assert_cmpstr (back->cancel_reason, ==, "Patient unwell");

  /* Its time is free again. */
  {
    g_autoptr (ChAppointment) again = appointment (f->ben, "garcia", f->follow_up,
                                                   at ("2030-03-04", 10, 0), 20);

    book (f, again, 0);
  }
}

static void
test_permissions (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (ChAppointment) a = appointment (f->ana, "garcia", f->follow_up,
                                             at ("2030-03-04", 9, 0), 20);
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_false (ch_schedule_book (f->manager, a, 0, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  list = ch_schedule_list (f->manager, at ("2030-03-04", 0, 0), at ("2030-03-05", 0, 0), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
}

/* ---- recurrences ---------------------------------------------------------------- */

static GPtrArray *
series_of (Fixture *f,
           gint64   series_id)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *list = ch_db_appointment_series (ch_session_get_store (f->desk), series_id, &error);

  g_assert_no_error (error);
  return list;
}

static gint64
book_weekly (Fixture *f,
             int      count)
{
  g_autoptr (ChAppointment) a = appointment (f->ana, "garcia", f->follow_up,
                                             at ("2030-03-04", 9, 0), 20);
  g_autoptr (GError) error = NULL;
  g_autofree char *rule = g_strdup_printf ("FREQ=WEEKLY;COUNT=%d", count);
  guint n = 0;
  gint64 series = ch_schedule_book_series (f->desk, a, rule, 0, &n, &error);

  g_assert_no_error (error);
  g_assert_cmpint (series, >, 0);
  g_assert_cmpuint (n, ==, (guint) count);
  return series;
}

static void
test_series_book (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (ChAppointment) blocker = appointment (f->ben, "garcia", f->follow_up,
                                                   at ("2030-03-18", 9, 10), 20);
  g_autoptr (ChAppointment) weekly = appointment (f->ana, "garcia", f->follow_up,
                                                  at ("2030-03-04", 9, 0), 20);
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;
  gint64 series;

  /* One occurrence falls on a booked time: none is booked. */
  book (f, blocker, 0);
  g_assert_cmpint (ch_schedule_book_series (f->desk, weekly, "FREQ=WEEKLY;COUNT=4", 0, NULL, &error),
                   ==, 0);
  g_assert_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_CONFLICT);
  g_clear_error (&error);
  list = ch_schedule_list (f->desk, at ("2030-03-01", 0, 0), at ("2030-04-30", 0, 0), "garcia", &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* Not a rule; a rule more often than daily. */
  g_assert_cmpint (ch_schedule_book_series (f->desk, weekly, "EVERY TUESDAY", 0, NULL, &error), ==, 0);
  g_assert_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_RULE);
  g_clear_error (&error);
  g_assert_cmpint (ch_schedule_book_series (f->desk, weekly, "FREQ=HOURLY;COUNT=3", 0, NULL, &error),
                   ==, 0);
  g_assert_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_RULE);
  g_clear_error (&error);

  /* Every other Monday and Wednesday, six times (the blocker gone). */
  g_assert_true (ch_schedule_cancel (f->desk, blocker->id, "moved", CH_SCOPE_THIS, &error));
  series = ch_schedule_book_series (f->desk, weekly, "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=6",
                                    0, NULL, &error);
  g_assert_no_error (error);
  list = series_of (f, series);
  g_assert_cmpuint (list->len, ==, 6);
  g_assert_cmpint (((ChAppointment *) list->pdata[0])->start_at, ==, at ("2030-03-04", 9, 0));
  g_assert_cmpint (((ChAppointment *) list->pdata[1])->start_at, ==, at ("2030-03-06", 9, 0));
  g_assert_cmpint (((ChAppointment *) list->pdata[2])->start_at, ==, at ("2030-03-18", 9, 0));
  g_assert_cmpint (((ChAppointment *) list->pdata[5])->start_at, ==, at ("2030-04-03", 9, 0));
  g_clear_pointer (&list, g_ptr_array_unref);

  /* Without an end, a year ahead. */
  {
    g_autoptr (ChAppointment) open = appointment (f->ben, "lee", f->follow_up,
                                                  at ("2030-03-05", 15, 0), 20);
    guint n = 0;

    g_assert_cmpint (ch_schedule_book_series (f->desk, open, "FREQ=MONTHLY;BYMONTHDAY=5", 
                                              CH_BOOK_CONFIRM_OUTSIDE_HOURS, &n, &error), >, 0);
    g_assert_no_error (error);
    g_assert_cmpuint (n, ==, 13);
  }
}

static void
test_series_edit_this (Fixture      *f,
                       gconstpointer data)
{
  gint64 series = book_weekly (f, 4);
  g_autoptr (GPtrArray) before = series_of (f, series);
  g_autoptr (GPtrArray) after = NULL;
  g_autoptr (ChAppointment) second = ch_appointment_copy (before->pdata[1]);
  g_autoptr (GError) error = NULL;

  second->start_at += 60 * MIN_USEC;
  g_assert_true (ch_schedule_change (f->desk, second, CH_SCOPE_THIS, 0, &error));
  g_assert_no_error (error);

  after = series_of (f, series);
  for (guint i = 0; i < 4; i++)
    {
      ChAppointment *was = before->pdata[i], *now = after->pdata[i];

      g_assert_cmpint (now->start_at, ==, was->start_at + (i == 1 ? 60 * MIN_USEC : 0));
      g_assert_cmpint (now->detached, ==, i == 1);
      g_assert_cmpint (now->occurrence_at, ==, was->occurrence_at);
    }

  /* "All" later leaves the one edited on its own alone. */
  {
    g_autoptr (ChAppointment) first = ch_appointment_copy (after->pdata[0]);
    g_autoptr (GPtrArray) again = NULL;

    first->duration_min = 30;
    g_assert_true (ch_schedule_change (f->desk, first, CH_SCOPE_ALL, 0, &error));
    g_assert_no_error (error);
    again = series_of (f, series);
    g_assert_cmpint (((ChAppointment *) again->pdata[0])->duration_min, ==, 30);
    g_assert_cmpint (((ChAppointment *) again->pdata[1])->duration_min, ==, 20);
    g_assert_cmpint (((ChAppointment *) again->pdata[2])->duration_min, ==, 30);
    g_assert_cmpint (((ChAppointment *) again->pdata[3])->duration_min, ==, 30);
  }
}

static void
test_series_edit_following (Fixture      *f,
                            gconstpointer data)
{
  gint64 series = book_weekly (f, 4);
  g_autoptr (GPtrArray) before = series_of (f, series);
  g_autoptr (GPtrArray) old_part = NULL;
  g_autoptr (ChAppointment) third = ch_appointment_copy (before->pdata[2]);
  g_autoptr (ChAppointment) moved = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *old_rule = NULL;
  g_autofree char *new_rule = NULL;

  third->start_at += 30 * MIN_USEC;
  g_assert_true (ch_schedule_change (f->desk, third, CH_SCOPE_FOLLOWING, 0, &error));
  g_assert_no_error (error);

  /* The first two stay in the old series, whose rule now ends before the third. */
  old_part = series_of (f, series);
  g_assert_cmpuint (old_part->len, ==, 2);
  g_assert_cmpint (((ChAppointment *) old_part->pdata[1])->start_at, ==,
                   ((ChAppointment *) before->pdata[1])->start_at);
  old_rule = ch_db_series_get_rule (ch_session_get_store (f->desk), series, NULL, &error);
  g_assert_nonnull (strstr (old_rule, "UNTIL="));
  g_assert_null (strstr (old_rule, "COUNT="));

  /* The third and fourth moved, in a series of their own of two. */
  moved = ch_schedule_get (f->desk, ((ChAppointment *) before->pdata[3])->id, &error);
  g_assert_cmpint (moved->start_at, ==, ((ChAppointment *) before->pdata[3])->start_at + 30 * MIN_USEC);
  g_assert_cmpint (moved->series_id, !=, series);
  new_rule = ch_db_series_get_rule (ch_session_get_store (f->desk), moved->series_id, NULL, &error);
  g_assert_nonnull (strstr (new_rule, "COUNT=2"));
  {
    g_autoptr (GPtrArray) new_part = series_of (f, moved->series_id);

    g_assert_cmpuint (new_part->len, ==, 2);
  }

  /* A change that would collide anywhere is refused whole: moving the third
   * and the following to 10:00 takes the fourth onto a booked time. */
  {
    g_autoptr (ChAppointment) blocker = appointment (f->ben, "garcia", f->follow_up,
                                                     at ("2030-03-25", 10, 0), 20);
    g_autoptr (ChAppointment) new_third = ch_schedule_get (f->desk,
                                                           ((ChAppointment *) before->pdata[2])->id,
                                                           &error);
    g_autoptr (GPtrArray) unchanged = NULL;

    book (f, blocker, 0);
    new_third->start_at = at ("2030-03-18", 10, 0);
    g_assert_false (ch_schedule_change (f->desk, new_third, CH_SCOPE_FOLLOWING, 0, &error));
    g_assert_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_CONFLICT);
    g_assert_nonnull (strstr (error->message, "2030-03-25"));
    g_clear_error (&error);
    unchanged = ch_schedule_list (f->desk, at ("2030-03-18", 0, 0), at ("2030-03-19", 0, 0), "garcia",
                                  &error);
    g_assert_cmpint (((ChAppointment *) unchanged->pdata[0])->start_at, ==, at ("2030-03-18", 9, 30));
  }
}

static void
test_series_cancel (Fixture      *f,
                    gconstpointer data)
{
  gint64 series = book_weekly (f, 4);
  g_autoptr (GPtrArray) before = series_of (f, series);
  g_autoptr (GPtrArray) after = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *rule = NULL;

  g_assert_true (ch_schedule_cancel (f->desk, ((ChAppointment *) before->pdata[1])->id,
                                     "Treatment finished", CH_SCOPE_FOLLOWING, &error));
  g_assert_no_error (error);
  after = series_of (f, series);
  g_assert_cmpstr (((ChAppointment *) after->pdata[0])->status, ==, "booked");
  for (guint i = 1; i < 4; i++)
    {
      g_assert_cmpstr (((ChAppointment *) after->pdata[i])->status, ==, "cancelled");
      g_assert_cmpstr (((ChAppointment *) after->pdata[i])->cancel_reason, ==, "Treatment finished");
    }
  rule = ch_db_series_get_rule (ch_session_get_store (f->desk), series, NULL, &error);
  g_assert_nonnull (strstr (rule, "UNTIL="));
  g_clear_pointer (&after, g_ptr_array_unref);

  /* All: the first too. */
  g_assert_true (ch_schedule_cancel (f->desk, ((ChAppointment *) before->pdata[0])->id,
                                     "Moved away", CH_SCOPE_ALL, &error));
  after = series_of (f, series);
  g_assert_cmpstr (((ChAppointment *) after->pdata[0])->status, ==, "cancelled");
  g_assert_cmpstr (((ChAppointment *) after->pdata[3])->cancel_reason, ==, "Treatment finished");
}

/* "All" of a series touches only what is still to happen: a visit that
 * took place keeps its status and its time. */
static void
test_series_keeps_the_past (Fixture      *f,
                            gconstpointer data)
{
  gint64 series = book_weekly (f, 4);
  g_autoptr (GPtrArray) before = series_of (f, series);
  g_autoptr (GPtrArray) after = NULL;
  g_autoptr (GError) error = NULL;
  gint64 first = ((ChAppointment *) before->pdata[0])->id;
  g_autoptr (ChAppointment) moved = ch_appointment_copy (before->pdata[2]);

  g_assert_true (ch_schedule_set_status (f->desk, first, "arrived", NULL, &error));
  g_assert_true (ch_schedule_set_status (f->desk, first, "done", NULL, &error));
  g_assert_no_error (error);

  /* Moved an hour later, all of them: not the one done. */
  moved->start_at += 60 * MIN_USEC;
  g_assert_true (ch_schedule_change (f->desk, moved, CH_SCOPE_ALL, 0, &error));
  g_assert_no_error (error);
  after = series_of (f, series);
  g_assert_cmpint (((ChAppointment *) after->pdata[0])->start_at, ==,
                   ((ChAppointment *) before->pdata[0])->start_at);
  g_assert_cmpint (((ChAppointment *) after->pdata[1])->start_at, ==,
                   ((ChAppointment *) before->pdata[1])->start_at + 60 * MIN_USEC);
  g_clear_pointer (&after, g_ptr_array_unref);

  g_assert_true (ch_schedule_cancel (f->desk, ((ChAppointment *) before->pdata[2])->id,
                                     "Moved away", CH_SCOPE_ALL, &error));
  g_assert_no_error (error);
  after = series_of (f, series);
  g_assert_cmpstr (((ChAppointment *) after->pdata[0])->status, ==, "done");
  for (guint i = 1; i < 4; i++)
    g_assert_cmpstr (((ChAppointment *) after->pdata[i])->status, ==, "cancelled");
  /* The visit done is neither cancelled nor moved on its own. */
  g_assert_false (ch_schedule_cancel (f->desk, first, "Oops", CH_SCOPE_THIS, &error));
  g_assert_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_STATE);
}

/* The chart's summary lists the patient's next appointments. */
static void
test_chart_upcoming (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (ChSession) doc = ch_test_login (f->practice, "doc", CH_TEST_PASSWORD);
  g_autoptr (ChAppointment) past = appointment (f->ana, "garcia", f->follow_up,
                                                at ("2020-03-02", 9, 0), 20);
  g_autoptr (ChAppointment) later = appointment (f->ana, "lee", f->follow_up,
                                                 at ("2030-03-11", 9, 0), 20);
  g_autoptr (ChAppointment) sooner = appointment (f->ana, "garcia", f->follow_up,
                                                  at ("2030-03-04", 9, 0), 20);
  g_autoptr (ChAppointment) cancelled = appointment (f->ana, "garcia", f->follow_up,
                                                     at ("2030-03-05", 9, 0), 20);
  g_autoptr (ChAppointment) other = appointment (f->ben, "garcia", f->follow_up,
                                                 at ("2030-03-06", 9, 0), 20);
  g_autoptr (ChChartSummary) summary = NULL;
  g_autoptr (GError) error = NULL;

  book (f, past, 0);
  book (f, later, 0);
  book (f, sooner, 0);
  book (f, cancelled, 0);
  book (f, other, 0);
  g_assert_true (ch_schedule_cancel (f->desk, cancelled->id, "No longer needed", CH_SCOPE_THIS, &error));

  summary = ch_chart_open (doc, f->ana, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->appointments->len, ==, 2);
  g_assert_cmpint (((ChAppointment *) summary->appointments->pdata[0])->id, ==, sooner->id);
  g_assert_cmpint (((ChAppointment *) summary->appointments->pdata[1])->id, ==, later->id);
  g_assert_cmpstr (((ChAppointment *) summary->appointments->pdata[1])->provider_name, ==, "Dr Lee");
}

/* ---- finding a slot, against a brute-force search ------------------------------ */

typedef struct
{
  gint64  start;
  char   *provider;
  char   *room;
} Expect;

static int
compare_expect (gconstpointer a,
                gconstpointer b)
{
  const Expect *x = a, *y = b;

  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  return g_strcmp0 (x->provider, y->provider);
}

/* Every start a step apart in [from, to) where an appointment of @type
 * fits, checked against everything booked, one by one. */
static GArray *
brute_force (Fixture           *f,
             const ChSlotQuery *q,
             const ChApptType  *type)
{
  static const char * const providers[] = { "garcia", "lee" };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) booked = ch_schedule_list (f->desk, q->from - (gint64) 86400 * G_USEC_PER_SEC, q->to,
                                                   NULL, &error);
  GArray *found = g_array_new (FALSE, FALSE, sizeof (Expect));
  int step = q->step_min > 0 ? q->step_min : 15;
  int to_min = q->to_min > 0 ? q->to_min : 24 * 60;

  g_assert_no_error (error);
  for (gint64 day = q->from - q->from % ((gint64) 86400 * G_USEC_PER_SEC); day < q->to;
       day += (gint64) 86400 * G_USEC_PER_SEC)
    for (guint p = 0; p < G_N_ELEMENTS (providers); p++)
      for (int t = 0; t + type->duration_min <= 24 * 60; t += step)
        {
          gint64 start = day + (gint64) t * MIN_USEC;
          gint64 end = start + (gint64) (type->duration_min + type->buffer_min) * MIN_USEC;
          g_autoptr (GArray) hours = ch_schedule_get_hours (f->desk, providers[p], &error);
          g_autoptr (GDateTime) when = g_date_time_new_from_unix_utc (start / G_USEC_PER_SEC);
          g_autofree char *date = g_date_time_format (when, "%Y-%m-%d");
          int weekday = g_date_time_get_day_of_week (when);
          gboolean worked = FALSE, paused = FALSE, off = FALSE, taken = FALSE;
          const char *room = NULL;

          if (q->provider_id && g_strcmp0 (q->provider_id, providers[p]) != 0)
            continue;
          if (start < q->from || start >= q->to)
            continue;
          if (q->weekdays && !(q->weekdays & (1u << weekday)))
            continue;
          if (t < q->from_min || t + type->duration_min > to_min)
            continue;
          for (guint h = 0; h < hours->len; h++)
            {
              const ChHours *span = &g_array_index (hours, ChHours, h);

              if (span->weekday != weekday)
                continue;
              if (span->is_break)
                paused |= t < span->end_min && t + type->duration_min > span->start_min;
              else
                worked |= t >= span->start_min && t + type->duration_min <= span->end_min;
            }
          g_assert_true (ch_db_day_off_check (ch_session_get_store (f->desk), providers[p], date, &off,
                                              NULL));
          if (!worked || paused || off)
            continue;
          for (guint i = 0; i < booked->len && !taken; i++)
            {
              const ChAppointment *a = booked->pdata[i];
              g_autoptr (ChApptType) other = ch_db_appt_type_get (ch_session_get_store (f->desk),
                                                                  a->type_id, NULL);
              gint64 other_end = a->start_at + (gint64) (a->duration_min + other->buffer_min) * MIN_USEC;

              taken = g_strcmp0 (a->provider_id, providers[p]) == 0
                      && a->start_at < end && other_end > start;
            }
          if (taken)
            continue;
          if (type->needs_room)
            {
              gboolean room_taken = FALSE;

              for (guint i = 0; i < booked->len && !room_taken; i++)
                {
                  const ChAppointment *a = booked->pdata[i];
                  g_autoptr (ChApptType) other = ch_db_appt_type_get (ch_session_get_store (f->desk),
                                                                      a->type_id, NULL);
                  gint64 other_end = a->start_at + (gint64) (a->duration_min + other->buffer_min) * MIN_USEC;

                  room_taken = g_strcmp0 (a->room_id, "room-1") == 0 && a->start_at < end
                               && other_end > start;
                }
              if (room_taken)
                continue;
              room = "room-1";
            }
          {
            Expect e = { start, g_strdup (providers[p]), g_strdup (room) };

            g_array_append_val (found, e);
          }
        }
  g_array_sort (found, compare_expect);
  return found;
}

static void
test_find_slots (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20301);
  gint64 types[] = { f->follow_up, f->procedure, f->buffered, f->walk_in };
  g_autoptr (GError) error = NULL;

  g_assert_true (ch_schedule_add_day_off (f->desk, "lee", "2030-04-03", "Course", &error));
  g_assert_true (ch_schedule_add_day_off (f->desk, NULL, "2030-04-10", "Holiday", &error));

  guint accepted = 0, found = 0;

  /* A crowded month: random bookings of every type, some outside hours. */
  for (int i = 0; i < 400; i++)
    {
      gint64 type_id = types[g_rand_int_range (rand, 0, G_N_ELEMENTS (types))];
      g_autoptr (ChApptType) type = ch_db_appt_type_get (ch_session_get_store (f->desk), type_id, NULL);
      int day = g_rand_int_range (rand, 1, 29);
      g_autofree char *date = g_strdup_printf ("2030-04-%02d", day);
      g_autoptr (ChAppointment) a = appointment (g_rand_boolean (rand) ? f->ana : f->ben,
                                                 g_rand_boolean (rand) ? "garcia" : "lee", type_id,
                                                 at (date, g_rand_int_range (rand, 7, 18),
                                                     5 * g_rand_int_range (rand, 0, 12)),
                                                 type->duration_min);

      if (type->needs_room)
        a->room_id = g_strdup ("room-1");
      /* Refusals (clashes) are fine: the calendar is what was accepted. */
      accepted += ch_schedule_book (f->desk, a, CH_BOOK_CONFIRM_OUTSIDE_HOURS | CH_BOOK_CONFIRM_OVERBOOK,
                                    NULL);
    }
  g_assert_cmpuint (accepted, >, 200);

  for (int round = 0; round < 40; round++)
    {
      g_autoptr (ChApptType) type = ch_db_appt_type_get (ch_session_get_store (f->desk),
                                                         types[round % G_N_ELEMENTS (types)], NULL);
      int first = g_rand_int_range (rand, 1, 25);
      g_autofree char *from_date = g_strdup_printf ("2030-04-%02d", first);
      g_autofree char *to_date = g_strdup_printf ("2030-04-%02d", first + g_rand_int_range (rand, 1, 5));
      ChSlotQuery q = {
        .type_id = type->id,
        .patient_id = 0,
        .provider_id = round % 3 == 0 ? "lee" : NULL,
        .weekdays = round % 4 == 0 ? (1u << 1) | (1u << 3) | (1u << 5) : 0,
        .from_min = round % 5 == 0 ? 9 * 60 : 0,
        .to_min = round % 5 == 0 ? 15 * 60 : 0,
        .from = at (from_date, g_rand_int_range (rand, 0, 12), 0),
        .to = at (to_date, 23, 0),
        .count = 12,
        .step_min = round % 2 ? 15 : 5,
      };
      g_autoptr (GPtrArray) slots = ch_schedule_find_slots (f->desk, &q, &error);
      g_autoptr (GArray) expected = brute_force (f, &q, type);

      g_assert_no_error (error);
      g_assert_cmpuint (slots->len, ==, MIN (expected->len, 12));
      found += slots->len;
      for (guint i = 0; i < slots->len; i++)
        {
          const ChSlot *slot = slots->pdata[i];
          const Expect *e = &g_array_index (expected, Expect, i);

          if (slot->start != e->start || g_strcmp0 (slot->provider_id, e->provider) != 0
              || g_strcmp0 (slot->room_id, e->room) != 0)
            g_error ("round %d, slot %u: found %" G_GINT64_FORMAT " %s, expected %" G_GINT64_FORMAT " %s",
                     round, i, slot->start, slot->provider_id, e->start, e->provider);
          /* And each really books. */
          if (i == 0)
            {
              g_autoptr (ChAppointment) probe = appointment (f->ana, slot->provider_id, type->id,
                                                             slot->start, type->duration_min);

              probe->room_id = g_strdup (slot->room_id);
              g_assert_true (ch_schedule_book (f->desk, probe, 0, &error));
              g_assert_no_error (error);
              g_assert_true (ch_schedule_cancel (f->desk, probe->id, "probe", CH_SCOPE_THIS, &error));
            }
        }
      for (guint i = 0; i < expected->len; i++)
        {
          g_free (g_array_index (expected, Expect, i).provider);
          g_free (g_array_index (expected, Expect, i).room);
        }
    }
  /* The rounds found something to compare. */
  g_assert_cmpuint (found, >, 200);
}

/* On the days the clocks change, slots follow the wall clock: a Sunday
 * morning's hours 09:00–12:00 give 09:00 to 11:40 local, every one
 * bookable, in New York's spring and autumn changes. */
static void
test_find_slots_clocks_change (Fixture      *f,
                               gconstpointer data)
{
  static const char * const days[] = { "2027-03-14", "2027-11-07" };
  ChHours sunday[] = { { 0, 9 * 60, 12 * 60, FALSE } };
  g_autofree char *saved = g_strdup (g_getenv ("TZ"));
  g_autoptr (GError) error = NULL;

  g_setenv ("TZ", "America/New_York", TRUE);
  tzset ();
  g_assert_true (ch_schedule_set_hours (f->desk, "lee", 1u << 7, sunday, 1, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (days); i++)
    {
      int y, mo, d;
      g_autoptr (GDateTime) midnight = NULL;
      g_autoptr (GDateTime) next = NULL;
      g_autoptr (GPtrArray) slots = NULL;
      ChSlotQuery q = { .type_id = f->follow_up, .provider_id = "lee", .count = 100,
                        .step_min = 20 };

      g_assert_cmpint (sscanf (days[i], "%d-%d-%d", &y, &mo, &d), ==, 3);
      midnight = g_date_time_new_local (y, mo, d, 0, 0, 0);
      next = g_date_time_add_days (midnight, 1);
      q.from = g_date_time_to_unix (midnight) * G_USEC_PER_SEC;
      q.to = g_date_time_to_unix (next) * G_USEC_PER_SEC;
      slots = ch_schedule_find_slots (f->desk, &q, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (slots->len, ==, 9);
      for (guint s = 0; s < slots->len; s++)
        {
          const ChSlot *slot = slots->pdata[s];
          g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (slot->start / G_USEC_PER_SEC);
          g_autoptr (GDateTime) local = g_date_time_to_local (utc);
          g_autoptr (ChAppointment) a = appointment (f->ana, "lee", f->follow_up, slot->start, 20);

          g_assert_cmpint (g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local), ==,
                           9 * 60 + 20 * (int) s);
          /* Within hours, as booking sees them. */
          g_assert_true (ch_schedule_check_booking (f->desk, a, 0, &error));
          g_assert_no_error (error);
        }
    }
  if (saved != NULL)
    g_setenv ("TZ", saved, TRUE);
  else
    g_unsetenv ("TZ");
  tzset ();
}

/* At the same time, the patient's own provider first, then the one seen last. */
static void
test_find_slots_preference (Fixture      *f,
                            gconstpointer data)
{
  g_autoptr (ChAppointment) seen = appointment (f->ben, "lee", f->follow_up, at ("2020-01-06", 9, 0), 20);
  g_autoptr (GPtrArray) slots = NULL;
  g_autoptr (GError) error = NULL;
  ChSlotQuery q = {
    .type_id = f->follow_up, .patient_id = f->ben, .from = at ("2030-03-04", 0, 0),
    .to = at ("2030-03-05", 0, 0), .count = 4, .step_min = 20,
  };

  slots = ch_schedule_find_slots (f->desk, &q, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (((ChSlot *) slots->pdata[0])->provider_id, ==, "garcia");   /* by name */
  g_clear_pointer (&slots, g_ptr_array_unref);

  book (f, seen, CH_BOOK_CONFIRM_OUTSIDE_HOURS);
  slots = ch_schedule_find_slots (f->desk, &q, &error);
  g_assert_cmpint (((ChSlot *) slots->pdata[0])->start, ==, at ("2030-03-04", 8, 0));
  g_assert_cmpstr (((ChSlot *) slots->pdata[0])->provider_id, ==, "lee");      /* continuity */
  g_assert_cmpstr (((ChSlot *) slots->pdata[1])->provider_id, ==, "garcia");
  g_assert_cmpint (((ChSlot *) slots->pdata[2])->start, ==, at ("2030-03-04", 8, 20));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/schedule/parse", test_parse);
#define ADD(path, func) \
  g_test_add ("/schedule/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("conflicts", test_conflicts);
  ADD ("rooms-and-buffers", test_rooms_and_buffers);
  ADD ("working-hours", test_working_hours);
  ADD ("overbook", test_overbook);
  ADD ("status", test_status);
  ADD ("permissions", test_permissions);
  ADD ("series/book", test_series_book);
  ADD ("series/edit-this", test_series_edit_this);
  ADD ("series/edit-following", test_series_edit_following);
  ADD ("series/cancel", test_series_cancel);
  ADD ("series/keeps-the-past", test_series_keeps_the_past);
  ADD ("chart-upcoming", test_chart_upcoming);
  ADD ("find-slots", test_find_slots);
  ADD ("find-slots-preference", test_find_slots_preference);
  ADD ("find-slots-clocks-change", test_find_slots_clocks_change);
#undef ADD

  return g_test_run ();
}
