/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-waitlist"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-chart.h"
#include "ch-patients.h"
#include "ch-recall.h"
#include "ch-records.h"
#include "ch-schedule.h"
#include "ch-store-private.h"
#include "ch-test-util.h"
#include "ch-users.h"
#include "ch-waitlist.h"

/* The waitlist and the recall list through their controllers: entries and
 * their order; the offers made when time frees up (a cancellation, a
 * no-show, a move, a shortening) and those not made when nothing fits;
 * declining, accepting, and accepting time taken meanwhile; recalls, their
 * calls and their end; immunization recalls from the charts. Times are UTC
 * (the tests run with TZ=UTC), on days far enough ahead to stay to come. */

#define MIN_USEC ((gint64) 60 * G_USEC_PER_SEC)

typedef struct
{
  char       *dir;
  ChPractice *practice;
  ChSession  *desk;
  ChSession  *manager;
  ChSession  *admin;
  ChSession  *doctor;
  gint64      ana;
  gint64      ben;
  gint64      cara;
  gint64      dan;
  gint64      follow_up;   /* 20 minutes */
  gint64      long_visit;  /* 40 minutes */
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
put_provider (ChSession  *session,
              const char *id,
              const char *name)
{
  g_autoptr (ChResource) resource = ch_resource_new ();
  g_autoptr (GError) error = NULL;
  ChHours week[] = { { 0, 8 * 60, 17 * 60, FALSE }, { 0, 12 * 60, 13 * 60, TRUE } };

  resource->id = g_strdup (id);
  resource->kind = g_strdup ("provider");
  resource->name = g_strdup (name);
  g_assert_true (ch_schedule_put_resource (session, resource, &error));
  g_assert_true (ch_schedule_set_hours (session, id, 0x3e, week, G_N_ELEMENTS (week), &error));
  g_assert_no_error (error);
}

static gint64
add_type (ChSession  *session,
          const char *name,
          int         minutes)
{
  g_autoptr (ChApptType) type = ch_appt_type_new ();
  g_autoptr (GError) error = NULL;

  type->name = g_strdup (name);
  type->duration_min = minutes;
  g_assert_true (ch_schedule_add_type (session, type, &error));
  g_assert_no_error (error);
  return type->id;
}

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = ch_test_make_dir ();
  f->practice = ch_test_make_practice (f->dir, NULL);
  f->admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_assert_true (ch_users_add (f->admin, "desk", NULL, CH_ROLE_FRONT_DESK, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "boss", NULL, CH_ROLE_MANAGER, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "doc", NULL, CH_ROLE_PHYSICIAN, CH_TEST_PASSWORD, &error));
  g_assert_no_error (error);
  f->desk = ch_test_login (f->practice, "desk", CH_TEST_PASSWORD);
  f->manager = ch_test_login (f->practice, "boss", CH_TEST_PASSWORD);
  f->doctor = ch_test_login (f->practice, "doc", CH_TEST_PASSWORD);

  f->ana = register_patient (f->desk, "Ana", "García");
  f->ben = register_patient (f->desk, "Ben", "Okafor");
  f->cara = register_patient (f->desk, "Cara", "Lindqvist");
  f->dan = register_patient (f->desk, "Dan", "Moreau");

  put_provider (f->desk, "garcia", "Dr García");
  put_provider (f->desk, "lee", "Dr Lee");
  f->follow_up = add_type (f->desk, "follow-up", 20);
  f->long_visit = add_type (f->desk, "new-patient", 40);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_clear_object (&f->desk);
  g_clear_object (&f->manager);
  g_clear_object (&f->admin);
  g_clear_object (&f->doctor);
  g_clear_object (&f->practice);
  ch_test_remove_dir (f->dir);
  g_free (f->dir);
}

static gint64
count_rows (Fixture    *f,
            const char *sql)
{
  ChStore *store = ch_session_get_store (f->desk);
  g_autoptr (GError) error = NULL;
  sqlite3_stmt *stmt = ch_store_prepare (store, sql, &error);
  gint64 n;

  g_assert_no_error (error);
  g_assert_cmpint (ch_store_step (store, stmt, &error), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

static gint64
count_audit (Fixture    *f,
             const char *action,
             const char *object_type)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM audit WHERE action = '%s'"
                                          " AND object_type = '%s'", action, object_type);

  return count_rows (f, sql);
}

/* Books and returns the id. */
static gint64
book (Fixture    *f,
      gint64      patient,
      const char *provider,
      gint64      type,
      gint64      start,
      int         minutes)
{
  g_autoptr (ChAppointment) a = ch_appointment_new ();
  g_autoptr (GError) error = NULL;

  a->patient_id = patient;
  a->provider_id = g_strdup (provider);
  a->type_id = type;
  a->start_at = start;
  a->duration_min = minutes;
  if (!ch_schedule_book (f->desk, a, 0, &error))
    g_error ("not booked: %s", error->message);
  return a->id;
}

static void
cancel (Fixture *f,
        gint64   appointment_id)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ch_schedule_cancel (f->desk, appointment_id, "Patient called", CH_SCOPE_THIS, &error));
  g_assert_no_error (error);
}

static ChWaitlistEntry *
entry_for (gint64      patient,
           gint64      type,
           const char *provider)
{
  ChWaitlistEntry *entry = ch_waitlist_entry_new ();

  entry->patient_id = patient;
  entry->type_id = type;
  entry->provider_id = g_strdup (provider);
  return entry;
}

/* Adds @entry and returns its id. */
static gint64
wait_for (Fixture         *f,
          ChWaitlistEntry *entry)
{
  g_autoptr (GError) error = NULL;

  if (!ch_waitlist_add (f->desk, entry, &error))
    g_error ("not added: %s", error->message);
  g_assert_cmpint (entry->id, >, 0);
  g_assert_cmpstr (entry->status, ==, "waiting");
  return entry->id;
}

static gint64
wait_simply (Fixture    *f,
             gint64      patient,
             gint64      type,
             const char *provider)
{
  g_autoptr (ChWaitlistEntry) entry = entry_for (patient, type, provider);

  return wait_for (f, entry);
}

static GPtrArray *
open_offers (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *offers = ch_waitlist_list_offers (f->desk, &error);

  g_assert_no_error (error);
  g_assert_nonnull (offers);
  return offers;
}

static ChWaitlistEntry *
get_entry (Fixture *f,
           gint64   id)
{
  g_autoptr (GError) error = NULL;
  ChWaitlistEntry *entry = ch_waitlist_get (f->desk, id, &error);

  g_assert_no_error (error);
  return entry;
}

/* Asserts the one open offer is for @entry_id at @start with @provider. */
static gint64
assert_one_offer (Fixture    *f,
                  gint64      entry_id,
                  gint64      start,
                  const char *provider)
{
  g_autoptr (GPtrArray) offers = open_offers (f);
  g_autoptr (ChWaitlistEntry) entry = get_entry (f, entry_id);
  const ChWaitlistOffer *offer;

  g_assert_cmpuint (offers->len, ==, 1);
  offer = offers->pdata[0];
  g_assert_cmpint (offer->entry_id, ==, entry_id);
  g_assert_cmpint (offer->start_at, ==, start);
  g_assert_cmpstr (offer->provider_id, ==, provider);
  g_assert_cmpint (offer->duration_min, ==, entry->type_minutes);
  g_assert_cmpint (offer->patient_id, ==, entry->patient_id);
  g_assert_cmpstr (offer->status, ==, "open");
  g_assert_cmpstr (entry->status, ==, "offered");
  return offer->id;
}

/* ---- the list ------------------------------------------------------------------------ */

static void
test_add_list_remove (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  gint64 first, second, audits = count_audit (f, CH_AUDIT_CREATE, "waitlist");
  gint64 ben_later = book (f, f->ben, "garcia", f->follow_up, at ("2030-03-11", 9, 0), 20);
  gint64 ana_booked = book (f, f->ana, "garcia", f->follow_up, at ("2030-03-12", 9, 0), 20);

  {
    g_autoptr (ChWaitlistEntry) entry = entry_for (f->ana, f->follow_up, "garcia");

    entry->earliest_day = g_strdup ("2030-03-01");
    entry->latest_day = g_strdup ("2030-03-31");
    entry->weekdays = (1u << 1) | (1u << 3);
    entry->from_min = 8 * 60;
    entry->to_min = 11 * 60;
    entry->note = g_strdup ("Mornings only, Mondays or Wednesdays");
    first = wait_for (f, entry);
  }
  {
    g_autoptr (ChWaitlistEntry) entry = entry_for (f->ben, f->long_visit, NULL);

    entry->appointment_id = ben_later;
    second = wait_for (f, entry);
  }

  list = ch_waitlist_list (f->desk, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  {
    const ChWaitlistEntry *a = list->pdata[0], *b = list->pdata[1];

    g_assert_cmpint (a->id, ==, first);
    g_assert_cmpstr (a->patient_name, ==, "García, Ana");
    g_assert_cmpstr (a->type_name, ==, "follow-up");
    g_assert_cmpstr (a->provider_name, ==, "Dr García");
    g_assert_cmpstr (a->latest_day, ==, "2030-03-31");
    g_assert_cmpuint (a->weekdays, ==, (1u << 1) | (1u << 3));
    g_assert_cmpint (a->to_min, ==, 11 * 60);
    g_assert_cmpstr (a->note, ==, "Mornings only, Mondays or Wednesdays");
    g_assert_cmpstr (a->created_by, ==, "desk");
    g_assert_cmpint (b->id, ==, second);
    g_assert_null (b->provider_id);
    g_assert_cmpint (b->appointment_id, ==, ben_later);
    g_assert_cmpint (b->appointment_start, ==, at ("2030-03-11", 9, 0));
    g_assert_cmpint (b->type_minutes, ==, 40);
    g_assert_cmpint (a->created_at, <=, b->created_at);
  }
  g_clear_pointer (&list, g_ptr_array_unref);
  g_assert_cmpint (count_audit (f, CH_AUDIT_CREATE, "waitlist"), ==, audits + 2);

  /* What is refused, and why. */
  {
    const GQuark invalid = CH_AUTH_ERROR, store = CH_STORE_ERROR, waitlist = CH_WAITLIST_ERROR;
    struct { gint64 patient; gint64 type; const char *provider; const char *from; const char *to;
             int from_min; int to_min; gint64 appointment; GQuark domain; int code; } bad[] = {
      /* No patient, no such type, no such provider. */
      { 0, f->follow_up, NULL, NULL, NULL, 0, 0, 0, invalid, CH_AUTH_ERROR_INVALID },
      { f->cara, 9999, NULL, NULL, NULL, 0, 0, 0, store, CH_STORE_ERROR_NOT_FOUND },
      { f->cara, f->follow_up, "nobody", NULL, NULL, 0, 0, 0, store, CH_STORE_ERROR_NOT_FOUND },
      /* Days not dates, the wrong way round, or passed. */
      { f->cara, f->follow_up, NULL, "2030-3-1", NULL, 0, 0, 0, invalid, CH_AUTH_ERROR_INVALID },
      { f->cara, f->follow_up, NULL, "2030-03-10", "2030-03-01", 0, 0, 0, invalid, CH_AUTH_ERROR_INVALID },
      { f->cara, f->follow_up, NULL, NULL, "2001-01-01", 0, 0, 0, invalid, CH_AUTH_ERROR_INVALID },
      /* Times too short for the visit, or the wrong way round. */
      { f->cara, f->follow_up, NULL, NULL, NULL, 600, 610, 0, invalid, CH_AUTH_ERROR_INVALID },
      { f->cara, f->follow_up, NULL, NULL, NULL, 700, 600, 0, invalid, CH_AUTH_ERROR_INVALID },
      /* Someone else's appointment; Ana twice. */
      { f->cara, f->follow_up, NULL, NULL, NULL, 0, 0, ana_booked, invalid, CH_AUTH_ERROR_INVALID },
      { f->ana, f->follow_up, NULL, NULL, NULL, 0, 0, 0, waitlist, CH_WAITLIST_ERROR_DUPLICATE },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr (ChWaitlistEntry) entry = entry_for (bad[i].patient, bad[i].type, bad[i].provider);

        entry->earliest_day = g_strdup (bad[i].from);
        entry->latest_day = g_strdup (bad[i].to);
        entry->from_min = bad[i].from_min;
        entry->to_min = bad[i].to_min;
        entry->appointment_id = bad[i].appointment;
        g_assert_false (ch_waitlist_add (f->desk, entry, &error));
        if (!g_error_matches (error, bad[i].domain, bad[i].code))
          g_error ("case %u: %s", i, error ? error->message : "added");
        g_assert_cmpint (entry->id, ==, 0);
        g_clear_error (&error);
      }
  }

  /* Removed: off the list, on record. */
  g_assert_true (ch_waitlist_remove (f->desk, second, "Found another practice", &error));
  g_assert_no_error (error);
  list = ch_waitlist_list (f->desk, NULL, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (((ChWaitlistEntry *) list->pdata[0])->id, ==, first);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = ch_waitlist_list (f->desk, "removed", &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (((ChWaitlistEntry *) list->pdata[0])->id, ==, second);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = ch_waitlist_list (f->desk, "all", &error);
  g_assert_cmpuint (list->len, ==, 2);
  g_clear_pointer (&list, g_ptr_array_unref);
  g_assert_null (ch_waitlist_list (f->desk, "lost", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (ch_waitlist_remove (f->desk, second, NULL, &error));
  g_assert_error (error, CH_WAITLIST_ERROR, CH_WAITLIST_ERROR_STATE);
  g_clear_error (&error);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM audit WHERE action = 'update'"
                                  " AND object_type = 'waitlist' AND detail LIKE 'removed: Found%'"), ==, 1);

  /* Once removed, they may be put on it again. */
  wait_simply (f, f->ben, f->long_visit, NULL);
}

/* ---- offers ---------------------------------------------------------------------- */

static void
test_offer_on_cancel (Fixture      *f,
                      gconstpointer data)
{
  gint64 slot = book (f, f->ben, "garcia", f->follow_up, at ("2030-03-04", 9, 0), 20);
  gint64 entry = wait_simply (f, f->ana, f->follow_up, NULL);
  gint64 offers = count_audit (f, CH_AUDIT_CREATE, "waitlist-offer");
  g_autoptr (GPtrArray) list = NULL;

  list = open_offers (f);
  g_assert_cmpuint (list->len, ==, 0);
  cancel (f, slot);
  assert_one_offer (f, entry, at ("2030-03-04", 9, 0), "garcia");
  g_assert_cmpint (count_audit (f, CH_AUDIT_CREATE, "waitlist-offer"), ==, offers + 1);
  {
    g_autoptr (GPtrArray) again = open_offers (f);
    const ChWaitlistOffer *offer = again->pdata[0];

    g_assert_cmpstr (offer->patient_name, ==, "García, Ana");
    g_assert_cmpstr (offer->type_name, ==, "follow-up");
    g_assert_cmpstr (offer->provider_name, ==, "Dr García");
    g_assert_cmpint (offer->free_from, ==, at ("2030-03-04", 9, 0));
    g_assert_cmpint (offer->free_until, ==, at ("2030-03-04", 9, 20));
  }
}

static void
test_offer_on_no_show (Fixture      *f,
                       gconstpointer data)
{
  gint64 slot = book (f, f->ben, "lee", f->follow_up, at ("2030-03-04", 10, 0), 20);
  gint64 entry = wait_simply (f, f->ana, f->follow_up, "lee");
  gint64 offer, booked = 0;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) none = NULL;

  /* Confirming frees nothing. */
  g_assert_true (ch_schedule_set_status (f->desk, slot, "confirmed", NULL, &error));
  none = open_offers (f);
  g_assert_cmpuint (none->len, ==, 0);

  /* Until then the time is taken, for booking and for finding a slot. */
  {
    ChSlotQuery q = { .type_id = f->follow_up, .provider_id = "lee", .from = at ("2030-03-04", 10, 0),
                      .to = at ("2030-03-04", 10, 20), .count = 1, .step_min = 20 };
    g_autoptr (GPtrArray) slots = ch_schedule_find_slots (f->desk, &q, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (slots->len, ==, 0);
  }

  g_assert_true (ch_schedule_set_status (f->desk, slot, "no-show", NULL, &error));
  g_assert_no_error (error);
  offer = assert_one_offer (f, entry, at ("2030-03-04", 10, 0), "lee");

  /* A no-show's time is free: found, and booked when the offer is taken. */
  {
    ChSlotQuery q = { .type_id = f->follow_up, .provider_id = "lee", .from = at ("2030-03-04", 10, 0),
                      .to = at ("2030-03-04", 10, 20), .count = 1, .step_min = 20 };
    g_autoptr (GPtrArray) slots = ch_schedule_find_slots (f->desk, &q, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (slots->len, ==, 1);
  }
  g_assert_true (ch_waitlist_accept (f->desk, offer, 0, &booked, &error));
  g_assert_no_error (error);
  {
    g_autoptr (ChAppointment) a = ch_schedule_get (f->desk, booked, &error);

    g_assert_cmpint (a->patient_id, ==, f->ana);
    g_assert_cmpint (a->start_at, ==, at ("2030-03-04", 10, 0));
  }
  /* The no-show who comes after all finds the time given away: refused, nothing changed. */
  g_assert_false (ch_schedule_set_status (f->desk, slot, "arrived", NULL, &error));
  g_assert_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_CONFLICT);
  g_clear_error (&error);
  {
    g_autoptr (ChAppointment) a = ch_schedule_get (f->desk, slot, &error);

    g_assert_cmpstr (a->status, ==, "no-show");
  }
}

static void
test_offer_on_move (Fixture      *f,
                    gconstpointer data)
{
  gint64 moved = book (f, f->ben, "garcia", f->follow_up, at ("2030-03-04", 9, 0), 20);
  gint64 shortened = book (f, f->cara, "lee", f->long_visit, at ("2030-03-05", 14, 0), 60);
  gint64 ana = wait_simply (f, f->ana, f->follow_up, NULL);
  gint64 dan = 0;
  g_autoptr (GError) error = NULL;

  /* Moved from 09:00 to the afternoon: 09:00 is free. */
  {
    g_autoptr (ChAppointment) a = ch_schedule_get (f->desk, moved, &error);

    a->start_at = at ("2030-03-04", 15, 0);
    g_assert_true (ch_schedule_change (f->desk, a, CH_SCOPE_THIS, 0, &error));
    g_assert_no_error (error);
  }
  assert_one_offer (f, ana, at ("2030-03-04", 9, 0), "garcia");

  /* Shortened from 60 to 30 minutes: 14:30–15:00 is free, for a 20-minute visit. */
  dan = wait_simply (f, f->dan, f->follow_up, NULL);
  {
    g_autoptr (ChAppointment) a = ch_schedule_get (f->desk, shortened, &error);
    g_autoptr (GPtrArray) offers = NULL;

    a->duration_min = 30;
    g_assert_true (ch_schedule_change (f->desk, a, CH_SCOPE_THIS, 0, &error));
    g_assert_no_error (error);
    offers = open_offers (f);
    g_assert_cmpuint (offers->len, ==, 2);
    g_assert_cmpint (((ChWaitlistOffer *) offers->pdata[1])->entry_id, ==, dan);
    g_assert_cmpint (((ChWaitlistOffer *) offers->pdata[1])->start_at, ==, at ("2030-03-05", 14, 30));
    g_assert_cmpstr (((ChWaitlistOffer *) offers->pdata[1])->provider_id, ==, "lee");
  }

  /* A move within its own time frees only what it left: 15:00–15:10, too
   * short for anyone. */
  wait_simply (f, f->cara, f->follow_up, NULL);
  {
    g_autoptr (ChAppointment) a = ch_schedule_get (f->desk, moved, &error);
    g_autoptr (GPtrArray) offers = NULL;

    a->start_at = at ("2030-03-04", 15, 10);
    g_assert_true (ch_schedule_change (f->desk, a, CH_SCOPE_THIS, 0, &error));
    offers = open_offers (f);
    g_assert_cmpuint (offers->len, ==, 2);
  }
}

/* Nothing is offered to those it does not suit. */
static void
test_no_fit (Fixture      *f,
             gconstpointer data)
{
  gint64 ana_current = book (f, f->ana, "garcia", f->follow_up, at ("2030-03-04", 8, 0), 20);
  gint64 eve = register_patient (f->desk, "Eve", "Nakamura");
  gint64 first = book (f, f->dan, "garcia", f->follow_up, at ("2030-03-04", 9, 0), 20);
  gint64 next = book (f, f->dan, "garcia", f->follow_up, at ("2030-03-04", 9, 20), 20);
  gint64 afternoon = book (f, f->dan, "garcia", f->follow_up, at ("2030-03-04", 13, 0), 20);
  g_autoptr (GPtrArray) offers = NULL;
  g_autoptr (GError) error = NULL;
  gint64 ana;

  /* Another provider; a visit longer than the time; days later than it;
   * later than the appointment they have; Tuesdays only; afternoons only. */
  wait_simply (f, f->ben, f->follow_up, "lee");
  wait_simply (f, f->cara, f->long_visit, NULL);
  {
    g_autoptr (ChWaitlistEntry) entry = entry_for (f->cara, f->follow_up, NULL);

    entry->earliest_day = g_strdup ("2030-03-05");
    wait_for (f, entry);
  }
  {
    g_autoptr (ChWaitlistEntry) entry = entry_for (f->ana, f->follow_up, NULL);

    entry->appointment_id = ana_current;
    ana = wait_for (f, entry);
  }
  {
    g_autoptr (ChWaitlistEntry) entry = entry_for (f->ben, f->long_visit, "garcia");

    entry->weekdays = 1u << 2;
    wait_for (f, entry);
  }
  {
    g_autoptr (ChWaitlistEntry) entry = entry_for (eve, f->follow_up, NULL);

    entry->from_min = 14 * 60;
    entry->to_min = 17 * 60;
    wait_for (f, entry);
  }

  cancel (f, first);
  offers = open_offers (f);
  g_assert_cmpuint (offers->len, ==, 0);
  g_clear_pointer (&offers, g_ptr_array_unref);

  /* The freed time is what the appointment held: 20 minutes again, though
   * 09:00–09:40 is free now, is still too short for the long visit. */
  cancel (f, next);
  offers = open_offers (f);
  g_assert_cmpuint (offers->len, ==, 0);
  g_clear_pointer (&offers, g_ptr_array_unref);

  /* Ana's own appointment moves to 16:00: the 08:00 it frees is hers, not
   * offered to her, and suits nobody else. */
  {
    g_autoptr (ChAppointment) a = ch_schedule_get (f->desk, ana_current, &error);

    a->start_at = at ("2030-03-04", 16, 0);
    g_assert_true (ch_schedule_change (f->desk, a, CH_SCOPE_THIS, 0, &error));
    g_assert_no_error (error);
  }
  offers = open_offers (f);
  g_assert_cmpuint (offers->len, ==, 0);
  g_clear_pointer (&offers, g_ptr_array_unref);

  /* Now 13:00 is earlier than hers: she is the first it suits. */
  cancel (f, afternoon);
  assert_one_offer (f, ana, at ("2030-03-04", 13, 0), "garcia");
}

/* Time already begun is never offered. */
static void
test_no_offer_in_the_past (Fixture      *f,
                           gconstpointer data)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) yesterday = g_date_time_add_days (now, -1);
  g_autoptr (ChAppointment) past = ch_appointment_new ();
  g_autoptr (GPtrArray) offers = NULL;
  g_autoptr (GError) error = NULL;

  wait_simply (f, f->ana, f->follow_up, NULL);
  past->patient_id = f->ben;
  past->provider_id = g_strdup ("garcia");
  past->type_id = f->follow_up;
  past->start_at = g_date_time_to_unix (yesterday) * G_USEC_PER_SEC;
  past->duration_min = 20;
  g_assert_true (ch_schedule_book (f->desk, past, CH_BOOK_CONFIRM_OUTSIDE_HOURS, &error));
  g_assert_true (ch_schedule_set_status (f->desk, past->id, "no-show", NULL, &error));
  g_assert_no_error (error);
  offers = open_offers (f);
  g_assert_cmpuint (offers->len, ==, 0);
}

static void
test_first_come_first_served (Fixture      *f,
                              gconstpointer data)
{
  gint64 first_slot = book (f, f->dan, "garcia", f->follow_up, at ("2030-03-04", 9, 0), 20);
  gint64 second_slot = book (f, f->dan, "lee", f->follow_up, at ("2030-03-06", 9, 0), 20);
  gint64 ben = wait_simply (f, f->ben, f->follow_up, NULL);
  gint64 ana = wait_simply (f, f->ana, f->follow_up, NULL);
  gint64 cara = wait_simply (f, f->cara, f->follow_up, NULL);
  g_autoptr (GPtrArray) offers = NULL;

  cancel (f, first_slot);
  assert_one_offer (f, ben, at ("2030-03-04", 9, 0), "garcia");
  cancel (f, second_slot);
  offers = open_offers (f);
  g_assert_cmpuint (offers->len, ==, 2);
  g_assert_cmpint (((ChWaitlistOffer *) offers->pdata[1])->entry_id, ==, ana);
  g_assert_cmpint (((ChWaitlistOffer *) offers->pdata[1])->start_at, ==, at ("2030-03-06", 9, 0));
  {
    g_autoptr (ChWaitlistEntry) last = get_entry (f, cara);

    g_assert_cmpstr (last->status, ==, "waiting");
  }
}

static void
test_decline_passes_on (Fixture      *f,
                        gconstpointer data)
{
  gint64 slot = book (f, f->dan, "garcia", f->follow_up, at ("2030-03-04", 9, 0), 20);
  gint64 other = book (f, f->dan, "garcia", f->follow_up, at ("2030-03-04", 10, 0), 20);
  gint64 ana = wait_simply (f, f->ana, f->follow_up, NULL);
  gint64 ben = wait_simply (f, f->ben, f->follow_up, NULL);
  gint64 offer, next;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) offers = NULL;

  cancel (f, slot);
  offer = assert_one_offer (f, ana, at ("2030-03-04", 9, 0), "garcia");
  g_assert_true (ch_waitlist_decline (f->desk, offer, "Cannot make mornings", &error));
  g_assert_no_error (error);
  next = assert_one_offer (f, ben, at ("2030-03-04", 9, 0), "garcia");
  {
    g_autoptr (ChWaitlistEntry) first = get_entry (f, ana);
    g_autoptr (ChWaitlistOffer) declined = ch_waitlist_get_offer (f->desk, offer, &error);

    g_assert_cmpstr (first->status, ==, "waiting");
    g_assert_cmpstr (declined->status, ==, "declined");
    g_assert_cmpstr (declined->note, ==, "Cannot make mornings");
    g_assert_cmpstr (declined->closed_by, ==, "desk");
  }
  /* A declined offer is closed. */
  g_assert_false (ch_waitlist_decline (f->desk, offer, NULL, &error));
  g_assert_error (error, CH_WAITLIST_ERROR, CH_WAITLIST_ERROR_STATE);
  g_clear_error (&error);

  /* Ben declines too; Ana said no to that time already; nobody else waits. */
  g_assert_true (ch_waitlist_decline (f->desk, next, NULL, &error));
  offers = open_offers (f);
  g_assert_cmpuint (offers->len, ==, 0);
  g_clear_pointer (&offers, g_ptr_array_unref);
  g_assert_cmpint (count_audit (f, CH_AUDIT_UPDATE, "waitlist-offer"), ==, 2);

  /* Other time is another matter: Ana first again, then Ben. */
  cancel (f, other);
  offer = assert_one_offer (f, ana, at ("2030-03-04", 10, 0), "garcia");
  g_assert_true (ch_waitlist_decline (f->desk, offer, NULL, &error));
  assert_one_offer (f, ben, at ("2030-03-04", 10, 0), "garcia");
}

/* A freed room goes with the time: declined by one who needs none, it is
 * there for the next, who does. */
static void
test_room_passes_on (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (ChResource) room = ch_resource_new ();
  g_autoptr (ChApptType) procedure = ch_appt_type_new ();
  g_autoptr (ChAppointment) a = ch_appointment_new ();
  g_autoptr (GPtrArray) offers = NULL;
  g_autoptr (GError) error = NULL;
  gint64 ana, ben, offer;

  room->id = g_strdup ("room-1");
  room->kind = g_strdup ("room");
  room->name = g_strdup ("Room 1");
  g_assert_true (ch_schedule_put_resource (f->desk, room, &error));
  procedure->name = g_strdup ("procedure");
  procedure->duration_min = 45;
  procedure->needs_room = TRUE;
  g_assert_true (ch_schedule_add_type (f->desk, procedure, &error));
  a->patient_id = f->dan;
  a->provider_id = g_strdup ("garcia");
  a->room_id = g_strdup ("room-1");
  a->type_id = procedure->id;
  a->start_at = at ("2030-03-04", 9, 0);
  a->duration_min = 60;
  g_assert_true (ch_schedule_book (f->desk, a, 0, &error));
  g_assert_no_error (error);

  ana = wait_simply (f, f->ana, f->follow_up, NULL);
  ben = wait_simply (f, f->ben, procedure->id, NULL);
  cancel (f, a->id);
  offer = assert_one_offer (f, ana, at ("2030-03-04", 9, 0), "garcia");
  offers = open_offers (f);
  g_assert_null (((ChWaitlistOffer *) offers->pdata[0])->room_id);
  g_clear_pointer (&offers, g_ptr_array_unref);

  g_assert_true (ch_waitlist_decline (f->desk, offer, NULL, &error));
  g_assert_no_error (error);
  assert_one_offer (f, ben, at ("2030-03-04", 9, 0), "garcia");
  offers = open_offers (f);
  g_assert_cmpstr (((ChWaitlistOffer *) offers->pdata[0])->room_id, ==, "room-1");
  g_assert_cmpint (((ChWaitlistOffer *) offers->pdata[0])->duration_min, ==, 45);
}

static void
test_accept (Fixture      *f,
             gconstpointer data)
{
  gint64 current = book (f, f->ana, "lee", f->follow_up, at ("2030-03-08", 9, 0), 20);
  gint64 slot = book (f, f->ben, "garcia", f->follow_up, at ("2030-03-04", 9, 0), 20);
  gint64 ana, cara, offer, booked = 0;
  g_autoptr (GError) error = NULL;

  {
    g_autoptr (ChWaitlistEntry) entry = entry_for (f->ana, f->follow_up, NULL);

    entry->appointment_id = current;
    ana = wait_for (f, entry);
  }
  cara = wait_simply (f, f->cara, f->follow_up, "lee");
  cancel (f, slot);
  offer = assert_one_offer (f, ana, at ("2030-03-04", 9, 0), "garcia");

  g_assert_true (ch_waitlist_accept (f->desk, offer, 0, &booked, &error));
  g_assert_no_error (error);
  g_assert_cmpint (booked, >, 0);
  {
    g_autoptr (ChAppointment) earlier = ch_schedule_get (f->desk, booked, &error);
    g_autoptr (ChAppointment) old = ch_schedule_get (f->desk, current, &error);
    g_autoptr (ChWaitlistEntry) entry = get_entry (f, ana);
    g_autoptr (ChWaitlistOffer) accepted = ch_waitlist_get_offer (f->desk, offer, &error);

    g_assert_cmpint (earlier->patient_id, ==, f->ana);
    g_assert_cmpint (earlier->start_at, ==, at ("2030-03-04", 9, 0));
    g_assert_cmpstr (earlier->provider_id, ==, "garcia");
    g_assert_cmpstr (earlier->status, ==, "booked");
    g_assert_cmpstr (old->status, ==, "cancelled");
    g_assert_cmpstr (old->cancel_reason, ==, "moved earlier from waitlist");
    g_assert_cmpstr (entry->status, ==, "booked");
    g_assert_cmpint (entry->booked_id, ==, booked);
    g_assert_cmpstr (accepted->status, ==, "accepted");
    g_assert_cmpint (accepted->appointment_id, ==, booked);
  }
  /* Her old time went to the next who fits: Cara, who waits for Dr Lee. */
  assert_one_offer (f, cara, at ("2030-03-08", 9, 0), "lee");

  /* An accepted offer is closed. */
  g_assert_false (ch_waitlist_accept (f->desk, offer, 0, NULL, &error));
  g_assert_error (error, CH_WAITLIST_ERROR, CH_WAITLIST_ERROR_STATE);
}

static void
test_accept_taken (Fixture      *f,
                   gconstpointer data)
{
  gint64 slot = book (f, f->ben, "garcia", f->follow_up, at ("2030-03-04", 9, 0), 20);
  gint64 ana = wait_simply (f, f->ana, f->follow_up, NULL);
  gint64 offer, booked = 0, audits, appointments;
  guint expired = 0;
  g_autoptr (GError) error = NULL;

  cancel (f, slot);
  offer = assert_one_offer (f, ana, at ("2030-03-04", 9, 0), "garcia");
  /* Meanwhile someone at the desk books the time. */
  book (f, f->dan, "garcia", f->follow_up, at ("2030-03-04", 9, 10), 20);

  audits = count_rows (f, "SELECT count(*) FROM audit");
  appointments = count_rows (f, "SELECT count(*) FROM appointments");
  g_assert_false (ch_waitlist_accept (f->desk, offer, 0, &booked, &error));
  g_assert_error (error, CH_WAITLIST_ERROR, CH_WAITLIST_ERROR_TAKEN);
  g_assert_nonnull (strstr (error->message, "Moreau, Dan"));
  g_assert_nonnull (strstr (error->message, "2030-03-04 09:00"));
  g_clear_error (&error);
  g_assert_cmpint (booked, ==, 0);
  /* Nothing changed. */
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM audit"), ==, audits);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM appointments"), ==, appointments);
  assert_one_offer (f, ana, at ("2030-03-04", 9, 0), "garcia");

  /* Clearing stale offers closes it and puts her back to waiting. */
  g_assert_true (ch_waitlist_expire_offers (f->desk, &expired, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (expired, ==, 1);
  {
    g_autoptr (GPtrArray) offers = open_offers (f);
    g_autoptr (ChWaitlistEntry) entry = get_entry (f, ana);
    g_autoptr (ChWaitlistOffer) closed = ch_waitlist_get_offer (f->desk, offer, &error);

    g_assert_cmpuint (offers->len, ==, 0);
    g_assert_cmpstr (entry->status, ==, "waiting");
    g_assert_cmpstr (closed->status, ==, "expired");
  }
  g_assert_true (ch_waitlist_expire_offers (f->desk, &expired, &error));
  g_assert_cmpuint (expired, ==, 0);
}

static void
test_remove_offered (Fixture      *f,
                     gconstpointer data)
{
  gint64 slot = book (f, f->dan, "garcia", f->follow_up, at ("2030-03-04", 9, 0), 20);
  gint64 ana = wait_simply (f, f->ana, f->follow_up, NULL);
  gint64 ben = wait_simply (f, f->ben, f->follow_up, NULL);
  g_autoptr (GError) error = NULL;

  cancel (f, slot);
  assert_one_offer (f, ana, at ("2030-03-04", 9, 0), "garcia");
  g_assert_true (ch_waitlist_remove (f->desk, ana, "Booked elsewhere", &error));
  g_assert_no_error (error);
  assert_one_offer (f, ben, at ("2030-03-04", 9, 0), "garcia");
}

static void
test_permissions (Fixture      *f,
                  gconstpointer data)
{
  gint64 slot = book (f, f->ben, "garcia", f->follow_up, at ("2030-03-04", 9, 0), 20);
  gint64 ana = wait_simply (f, f->ana, f->follow_up, NULL);
  gint64 offer;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;
  ChSession *writers_not[] = { f->manager, f->admin };

  cancel (f, slot);
  offer = assert_one_offer (f, ana, at ("2030-03-04", 9, 0), "garcia");

  /* The manager reads, and changes nothing; the administrator not even reads. */
  list = ch_waitlist_list (f->manager, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = ch_waitlist_list_offers (f->manager, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);
  g_assert_null (ch_waitlist_list (f->admin, NULL, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (writers_not); i++)
    {
      g_autoptr (ChWaitlistEntry) entry = entry_for (f->cara, f->follow_up, NULL);
      g_autoptr (ChRecall) recall = ch_recall_new ();

      g_assert_false (ch_waitlist_add (writers_not[i], entry, &error));
      g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
      g_clear_error (&error);
      g_assert_false (ch_waitlist_accept (writers_not[i], offer, 0, NULL, &error));
      g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
      g_clear_error (&error);
      g_assert_false (ch_waitlist_decline (writers_not[i], offer, NULL, &error));
      g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
      g_clear_error (&error);
      g_assert_false (ch_waitlist_remove (writers_not[i], ana, NULL, &error));
      g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
      g_clear_error (&error);
      recall->patient_id = f->ana;
      recall->kind = g_strdup ("follow-up");
      recall->due_date = g_strdup ("2030-03-04");
      g_assert_false (ch_recall_add (writers_not[i], recall, &error));
      g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
      g_clear_error (&error);
    }
  assert_one_offer (f, ana, at ("2030-03-04", 9, 0), "garcia");

  /* Physicians and nurses may change the schedule, and so the waitlist. */
  g_assert_true (ch_waitlist_decline (f->doctor, offer, NULL, &error));
  g_assert_no_error (error);
}

/* ---- recalls --------------------------------------------------------------------- */

static char *
day (int from_today)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) then = g_date_time_add_days (now, from_today);

  return g_date_time_format (then, "%Y-%m-%d");
}

static gint64
recall (Fixture    *f,
        gint64      patient,
        const char *kind,
        int         due_in,
        const char *reason)
{
  g_autoptr (ChRecall) r = ch_recall_new ();
  g_autoptr (GError) error = NULL;

  r->patient_id = patient;
  r->kind = g_strdup (kind);
  r->due_date = day (due_in);
  r->reason = g_strdup (reason);
  if (!ch_recall_add (f->desk, r, &error))
    g_error ("recall not added: %s", error->message);
  g_assert_cmpstr (r->status, ==, "due");
  return r->id;
}

static GPtrArray *
due_list (Fixture    *f,
          const char *from,
          const char *to,
          const char *status)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *list = ch_recall_list (f->desk, from, to, status, &error);

  g_assert_no_error (error);
  g_assert_nonnull (list);
  return list;
}

static void
test_recall_list (Fixture      *f,
                  gconstpointer data)
{
  gint64 soon = recall (f, f->ana, "follow-up", 5, "Blood pressure check");
  gint64 overdue = recall (f, f->ben, "annual-exam", -10, NULL);
  gint64 later = recall (f, f->cara, "other", 40, "Repeat the lipid panel");
  gint64 much_later = recall (f, f->dan, "immunization", 400, "Tdap booster");
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *today = day (0);
  g_autofree char *far = day (500);

  g_assert_cmpint (count_audit (f, CH_AUDIT_CREATE, "recall"), ==, 4);

  /* By default: the overdue, then the next 30 days, by due date. */
  list = due_list (f, NULL, NULL, NULL);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpint (((ChRecall *) list->pdata[0])->id, ==, overdue);
  g_assert_cmpint (((ChRecall *) list->pdata[1])->id, ==, soon);
  g_assert_cmpstr (((ChRecall *) list->pdata[1])->patient_name, ==, "García, Ana");
  g_assert_cmpstr (((ChRecall *) list->pdata[1])->reason, ==, "Blood pressure check");
  g_assert_cmpstr (((ChRecall *) list->pdata[0])->kind, ==, "annual-exam");
  g_clear_pointer (&list, g_ptr_array_unref);

  list = due_list (f, today, far, NULL);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpint (((ChRecall *) list->pdata[0])->id, ==, soon);
  g_assert_cmpint (((ChRecall *) list->pdata[1])->id, ==, later);
  g_assert_cmpint (((ChRecall *) list->pdata[2])->id, ==, much_later);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* What is refused. */
  {
    struct { const char *kind; const char *due; const char *reason; } bad[] = {
      { "checkup", "2030-01-01", NULL }, { NULL, "2030-01-01", NULL },
      { "follow-up", "2030-02-30", NULL }, { "follow-up", NULL, NULL }, { "other", "2030-01-01", " " },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr (ChRecall) r = ch_recall_new ();

        r->patient_id = f->ana;
        r->kind = g_strdup (bad[i].kind);
        r->due_date = g_strdup (bad[i].due);
        r->reason = g_strdup (bad[i].reason);
        g_assert_false (ch_recall_add (f->desk, r, &error));
        g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
        g_clear_error (&error);
      }
  }
  g_assert_null (ch_recall_list (f->desk, "2030-03-10", "2030-03-01", NULL, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (ch_recall_list (f->desk, NULL, NULL, "forgotten", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  /* The manager reads the list; the administrator does not. */
  {
    g_autoptr (GPtrArray) seen = ch_recall_list (f->manager, NULL, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (seen->len, ==, 2);
    g_assert_null (ch_recall_list (f->admin, NULL, NULL, NULL, &error));
    g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  }
  g_assert_cmpint (count_audit (f, CH_AUDIT_CREATE, "recall"), ==, 4);
}

static void
test_recall_contact_and_close (Fixture      *f,
                               gconstpointer data)
{
  gint64 r = recall (f, f->ana, "follow-up", 3, "Diabetes review");
  gint64 other = recall (f, f->ben, "annual-exam", 1, NULL);
  gint64 bens = book (f, f->ben, "garcia", f->follow_up, at ("2030-03-04", 9, 0), 20);
  gint64 anas = book (f, f->ana, "garcia", f->follow_up, at ("2030-03-04", 10, 0), 20);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) contacts = NULL;
  g_autoptr (GPtrArray) list = NULL;

  g_assert_false (ch_recall_contact (f->desk, r, "  ", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (ch_recall_contact (f->desk, r, "No answer", &error));
  g_assert_true (ch_recall_contact (f->desk, r, "Left a message", &error));
  g_assert_no_error (error);
  {
    g_autoptr (ChRecall) got = ch_recall_get (f->desk, r, &error);

    g_assert_cmpstr (got->status, ==, "contacted");
    g_assert_cmpuint (got->n_contacts, ==, 2);
    g_assert_cmpstr (got->last_contact_note, ==, "Left a message");
    g_assert_cmpint (got->last_contact_at, >, 0);
  }
  contacts = ch_recall_contacts (f->desk, r, &error);
  g_assert_cmpuint (contacts->len, ==, 2);
  g_assert_cmpstr (((ChRecallContact *) contacts->pdata[0])->note, ==, "No answer");
  g_assert_cmpstr (((ChRecallContact *) contacts->pdata[0])->by, ==, "desk");

  /* Booked: with the patient's own appointment only. */
  g_assert_false (ch_recall_book (f->desk, r, bens, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (ch_recall_book (f->desk, r, anas, &error));
  g_assert_no_error (error);
  {
    g_autoptr (ChRecall) got = ch_recall_get (f->desk, r, &error);

    g_assert_cmpstr (got->status, ==, "booked");
    g_assert_cmpint (got->appointment_id, ==, anas);
  }
  /* Off the list of those to call. */
  list = due_list (f, NULL, NULL, NULL);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (((ChRecall *) list->pdata[0])->id, ==, other);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* Booked from the recall in one go: a time taken books nothing and the
   * recall stays to call; a free one books and marks it. */
  {
    g_autoptr (ChAppointment) taken = ch_appointment_new ();
    g_autoptr (ChAppointment) free_time = NULL;
    g_autoptr (ChRecall) got = NULL;
    g_autoptr (GPtrArray) day = NULL;
    gint64 id;

    taken->patient_id = f->ben;
    taken->provider_id = g_strdup ("garcia");
    taken->type_id = f->follow_up;
    taken->start_at = at ("2030-03-04", 9, 0);
    taken->duration_min = 20;
    free_time = ch_appointment_copy (taken);
    g_assert_cmpint (ch_recall_book_new (f->desk, other, taken, NULL, 0, &error), ==, 0);
    g_assert_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_CONFLICT);
    g_clear_error (&error);
    got = ch_recall_get (f->desk, other, &error);
    g_assert_cmpstr (got->status, ==, "due");
    g_clear_pointer (&got, ch_recall_free);
    day = ch_schedule_list (f->desk, at ("2030-03-04", 0, 0), at ("2030-03-05", 0, 0), "garcia",
                            &error);
    g_assert_cmpuint (day->len, ==, 2);

    free_time->start_at = at ("2030-03-04", 11, 0);
    id = ch_recall_book_new (f->desk, other, free_time, NULL, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpint (id, >, 0);
    got = ch_recall_get (f->desk, other, &error);
    g_assert_cmpstr (got->status, ==, "booked");
    g_assert_cmpint (got->appointment_id, ==, id);
  }

  g_assert_true (ch_recall_close (f->desk, r, "done", NULL, &error));
  g_assert_no_error (error);
  g_assert_false (ch_recall_contact (f->desk, r, "Called again", &error));
  g_assert_error (error, CH_RECALL_ERROR, CH_RECALL_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (ch_recall_close (f->desk, r, "cancelled", "Changed mind", &error));
  g_assert_error (error, CH_RECALL_ERROR, CH_RECALL_ERROR_STATE);
  g_clear_error (&error);

  /* Cancelled, with the reason. */
  g_assert_false (ch_recall_close (f->desk, other, "cancelled", NULL, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ch_recall_close (f->desk, other, "forgotten", "x", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (ch_recall_close (f->desk, other, "cancelled", "Moved away", &error));
  {
    g_autoptr (ChRecall) got = ch_recall_get (f->desk, other, &error);

    g_assert_cmpstr (got->status, ==, "cancelled");
    g_assert_cmpstr (got->outcome, ==, "Moved away");
  }
  list = due_list (f, NULL, NULL, NULL);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = due_list (f, NULL, NULL, "all");
  g_assert_cmpuint (list->len, ==, 2);
  /* Five changes, and the booking from the recall (the one refused left none). */
  g_assert_cmpint (count_audit (f, CH_AUDIT_UPDATE, "recall"), ==, 6);

  /* The manager may not call. */
  g_assert_false (ch_recall_contact (f->manager, other, "Hello", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
}

static void
give_flu_shot (Fixture *f,
               gint64   patient,
               int      days_ago)
{
  g_autoptr (ChChartItem) shot = ch_chart_item_new (CH_SECTION_IMMUNIZATION);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) then = g_date_time_add_days (now, -days_ago);
  g_autoptr (GError) error = NULL;

  shot->patient_id = patient;
  shot->code = g_strdup ("150");
  shot->display = g_strdup ("Influenza, quadrivalent");
  shot->start_date = g_date_time_format (then, "%Y-%m-%d");
  shot->effective_at = g_date_time_to_unix (then) * G_USEC_PER_SEC;
  g_assert_true (ch_chart_add (f->doctor, shot, &error));
  g_assert_no_error (error);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The codes (vaccine groups) of @patient's immunization recalls, by name,
 * comma-separated. */
static char *
recall_codes (Fixture *f,
              gint64   patient)
{
  g_autoptr (GPtrArray) list = due_list (f, NULL, "2999-12-31", "all");
  g_autoptr (GPtrArray) codes = g_ptr_array_new ();

  for (guint i = 0; i < list->len; i++)
    {
      const ChRecall *r = list->pdata[i];

      if (r->patient_id == patient && g_str_equal (r->kind, "immunization"))
        g_ptr_array_add (codes, r->code);
    }
  g_ptr_array_sort (codes, compare_strings);
  g_ptr_array_add (codes, NULL);
  return g_strjoinv (",", (char **) codes->pdata);
}

static void
test_recall_immunizations (Fixture      *f,
                           gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint created = 0;
  g_autofree char *anas = NULL;
  g_autofree char *bens = NULL;

  /* Ana had her flu shot two months ago; Ben had none. Both are 50-odd. */
  give_flu_shot (f, f->ana, 60);

  /* It needs the chart: the front desk may not. */
  g_assert_false (ch_recall_generate_immunizations (f->desk, 30, &created, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  /* Nor with emergency access, which is for one patient, not every chart. */
  g_assert_true (ch_session_break_glass (f->desk, "Unconscious patient at the desk", &error));
  g_assert_no_error (error);
  g_assert_false (ch_recall_generate_immunizations (f->desk, 30, &created, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ch_recall_generate_immunizations (f->doctor, 1000, &created, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (ch_recall_generate_immunizations (f->doctor, 30, &created, &error));
  g_assert_no_error (error);
  /* Ana two, the three others three each. */
  g_assert_cmpuint (created, ==, 2 + 3 * 3);
  anas = recall_codes (f, f->ana);
  bens = recall_codes (f, f->ben);
  /* Adults: Td every ten years and zoster from 50; Ben also influenza. */
  g_assert_cmpstr (anas, ==, "tdap_td,zoster");
  g_assert_cmpstr (bens, ==, "influenza,tdap_td,zoster");
  g_assert_cmpint (count_audit (f, CH_AUDIT_CREATE, "recall"), ==, created);
  g_assert_cmpint (count_audit (f, CH_AUDIT_VIEW, "immunizations"), ==, 1);
  {
    g_autoptr (GPtrArray) list = due_list (f, NULL, NULL, NULL);
    g_autofree char *today = day (0);
    gboolean found = FALSE;

    for (guint i = 0; i < list->len; i++)
      {
        const ChRecall *r = list->pdata[i];

        /* Long overdue is due today, its reason naming the vaccine and when it was due. */
        g_assert_cmpstr (r->due_date, >=, today);
        if (g_strcmp0 (r->code, "tdap_td") == 0)
          g_assert_true (g_str_has_prefix (r->reason, "Tdap or Td, dose "));
        if (r->patient_id == f->ben && g_strcmp0 (r->code, "influenza") == 0)
          {
            g_assert_cmpstr (r->due_date, ==, today);
            g_assert_cmpint (r->dose, ==, 1);
            g_assert_cmpstr (r->created_by, ==, "doc");
            found = TRUE;
          }
      }
    g_assert_true (found);
  }

  /* Again: nothing new. */
  g_assert_true (ch_recall_generate_immunizations (f->doctor, 30, &created, &error));
  g_assert_cmpuint (created, ==, 0);

  /* A year ahead: Ana's next flu shot, a year after the last. */
  g_assert_true (ch_recall_generate_immunizations (f->doctor, 366, &created, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (created, ==, 1);
  g_clear_pointer (&anas, g_free);
  anas = recall_codes (f, f->ana);
  g_assert_cmpstr (anas, ==, "influenza,tdap_td,zoster");
  {
    g_autoptr (GPtrArray) list = due_list (f, NULL, "2999-12-31", "all");
    g_autofree char *next = day (305);

    for (guint i = 0; i < list->len; i++)
      {
        const ChRecall *r = list->pdata[i];

        if (r->patient_id == f->ana && g_strcmp0 (r->code, "influenza") == 0)
          g_assert_cmpstr (r->due_date, ==, next);
      }
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/waitlist/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("add-list-remove", test_add_list_remove);
  ADD ("offer/cancel", test_offer_on_cancel);
  ADD ("offer/no-show", test_offer_on_no_show);
  ADD ("offer/move", test_offer_on_move);
  ADD ("offer/no-fit", test_no_fit);
  ADD ("offer/not-in-the-past", test_no_offer_in_the_past);
  ADD ("offer/first-come-first-served", test_first_come_first_served);
  ADD ("offer/decline", test_decline_passes_on);
  ADD ("offer/room", test_room_passes_on);
  ADD ("offer/accept", test_accept);
  ADD ("offer/accept-taken", test_accept_taken);
  ADD ("offer/remove", test_remove_offered);
  ADD ("permissions", test_permissions);
  ADD ("recall/list", test_recall_list);
  ADD ("recall/contact-and-close", test_recall_contact_and_close);
  ADD ("recall/immunizations", test_recall_immunizations);
#undef ADD

  return g_test_run ();
}
