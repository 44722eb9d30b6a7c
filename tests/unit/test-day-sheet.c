/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-day-sheet"

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-day-sheet-pdf.h"
#include "ch-patients.h"
#include "ch-records.h"
#include "ch-schedule.h"
#include "ch-test-util.h"
#include "ch-users.h"

/* A provider's day sheet as the front desk prints it: that provider's
 * appointments of that day and no others, with what the provider needs of
 * each, page after page when the day is long; a day with nothing booked
 * says so; printing is audited and needs scheduling access. The tests run
 * with TZ=UTC. */

#define MIN_USEC ((gint64) 60 * G_USEC_PER_SEC)

typedef struct
{
  char       *dir;
  ChPractice *practice;
  ChSession  *admin;
  ChSession  *desk;
  ChSession  *manager;
  gint64      ana;
  gint64      ben;
  gint64      follow_up;
  gint64      walk_in;
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
                  const char *family,
                  const char *born)
{
  g_autoptr (ChPatientRecord) patient = ch_patient_record_new ();
  g_autoptr (GError) error = NULL;

  patient->given_name = g_strdup (given);
  patient->family_name = g_strdup (family);
  patient->birth_date = g_strdup (born);
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
          gboolean    overbook)
{
  g_autoptr (ChApptType) type = ch_appt_type_new ();
  g_autoptr (GError) error = NULL;

  type->name = g_strdup (name);
  type->duration_min = minutes;
  type->allow_overbook = overbook;
  g_assert_true (ch_schedule_add_type (session, type, &error));
  g_assert_no_error (error);
  return type->id;
}

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  ChHours week[] = { { 0, 8 * 60, 17 * 60, FALSE }, { 0, 12 * 60, 13 * 60, TRUE } };
  guint weekdays = 0;

  f->dir = ch_test_make_dir ();
  f->practice = ch_test_make_practice (f->dir, NULL);
  f->admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_assert_true (ch_users_add (f->admin, "desk", NULL, CH_ROLE_FRONT_DESK, CH_TEST_PASSWORD,
                               &error));
  g_assert_true (ch_users_add (f->admin, "boss", NULL, CH_ROLE_MANAGER, CH_TEST_PASSWORD, &error));
  g_assert_no_error (error);
  f->desk = ch_test_login (f->practice, "desk", CH_TEST_PASSWORD);
  f->manager = ch_test_login (f->practice, "boss", CH_TEST_PASSWORD);

  f->ana = register_patient (f->desk, "Ana", "García", "1948-06-01");
  f->ben = register_patient (f->desk, "Ben", "Okafor", "1990-12-24");

  put_resource (f->desk, "garcia", "provider", "Dr García");
  put_resource (f->desk, "lee", "provider", "Dr Lee");
  put_resource (f->desk, "room-1", "room", "Room 1");
  g_assert_true (ch_schedule_parse_days ("mon-fri", &weekdays));
  g_assert_true (ch_schedule_set_hours (f->desk, "garcia", weekdays, week, G_N_ELEMENTS (week),
                                        &error));
  g_assert_true (ch_schedule_set_hours (f->desk, "lee", weekdays, week, G_N_ELEMENTS (week),
                                        &error));
  g_assert_no_error (error);

  f->follow_up = add_type (f->desk, "follow-up", 20, FALSE);
  f->walk_in = add_type (f->desk, "walk-in", 15, TRUE);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_clear_object (&f->admin);
  g_clear_object (&f->desk);
  g_clear_object (&f->manager);
  g_clear_object (&f->practice);
  ch_test_remove_dir (f->dir);
  g_free (f->dir);
}

static gint64
book (Fixture    *f,
      gint64      patient,
      const char *provider,
      gint64      type,
      gint64      start,
      int         minutes,
      const char *reason,
      guint       flags)
{
  g_autoptr (ChAppointment) a = ch_appointment_new ();
  g_autoptr (GError) error = NULL;

  a->patient_id = patient;
  a->provider_id = g_strdup (provider);
  a->type_id = type;
  a->start_at = start;
  a->duration_min = minutes;
  a->reason = g_strdup (reason);
  if (!ch_schedule_book (f->desk, a, flags, &error))
    g_error ("not booked: %s", error->message);
  return a->id;
}

static gint64
count_prints (ChSession *session,
              gint64     patient_id)
{
  ChAuditFilter filter = { .action = CH_AUDIT_PRINT, .patient_id = patient_id };
  g_autoptr (GError) error = NULL;
  gint64 n = ch_db_audit_count (ch_session_get_store (session), &filter, &error);

  g_assert_no_error (error);
  return n;
}

static char *
mrn_of (Fixture *f,
        gint64   patient)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChPatientRecord) record = ch_patients_get (f->desk, patient, &error);

  g_assert_no_error (error);
  return g_strdup (record->mrn);
}

/* pdftotext ends each page with a form feed. */
static guint
count_pages (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p; p++)
    n += *p == '\f';
  return n;
}

/* Prints @provider's sheet of @day to a file and returns its text, squeezed. */
static char *
print_sheet (Fixture    *f,
             ChSession  *session,
             const char *provider,
             gint64      day,
             char      **out_text)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "day.pdf", NULL);
  g_autofree char *text = NULL;

  g_unlink (path);
  g_assert_true (ch_day_sheet_pdf_write (session, provider, day, path, &error));
  g_assert_no_error (error);
  text = ch_test_pdf_text (path);
  if (out_text != NULL)
    *out_text = g_strdup (text);
  return ch_test_squeeze (text);
}

static void
test_print (Fixture      *f,
            gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *practice = ch_session_get_practice_name (f->desk);
  g_autofree char *ana_mrn = mrn_of (f, f->ana);
  g_autofree char *ben_mrn = mrn_of (f, f->ben);
  g_autofree char *flat = NULL;
  g_autofree char *text = NULL;
  g_autofree char *lee_flat = NULL;
  gint64 ana_prints, ben_prints, first, cancelled;
  const char *nine, *eleven;

  /* Dr García's Monday: two patients, one of them cancelled once; Dr Lee
   * and the next day are not on it. */
  first = book (f, f->ana, "garcia", f->follow_up, at ("2030-03-04", 9, 0), 20,
                "Blood pressure review", 0);
  book (f, f->ben, "garcia", f->follow_up, at ("2030-03-04", 11, 40), 20, "Knee pain", 0);
  cancelled = book (f, f->ben, "garcia", f->follow_up, at ("2030-03-04", 14, 0), 20,
                    "Cancelled visit", 0);
  book (f, f->ben, "lee", f->follow_up, at ("2030-03-04", 10, 0), 20, "Seen by Lee", 0);
  book (f, f->ana, "garcia", f->follow_up, at ("2030-03-05", 9, 0), 20, "Tomorrow's visit", 0);
  g_assert_true (ch_schedule_cancel (f->desk, cancelled, "Called to cancel", CH_SCOPE_THIS,
                                     &error));
  g_assert_true (ch_schedule_set_status (f->desk, first, "arrived", NULL, &error));
  g_assert_no_error (error);

  ana_prints = count_prints (f->desk, f->ana);
  ben_prints = count_prints (f->desk, f->ben);
  /* Any time of the day gives that day's sheet. */
  flat = print_sheet (f, f->desk, "garcia", at ("2030-03-04", 15, 30), &text);

  ch_test_assert_has (flat, practice);
  ch_test_assert_has (flat, "DaySheet");
  ch_test_assert_has (flat, "DrGarcía");
  ch_test_assert_has (flat, "Monday2030-03-04");
  ch_test_assert_has (flat, "2appointments");
  ch_test_assert_has (flat, "09:00");
  ch_test_assert_has (flat, "11:40");
  ch_test_assert_has (flat, "20min");
  ch_test_assert_has (flat, "García,Ana");
  ch_test_assert_has (flat, "Okafor,Ben");
  ch_test_assert_has (flat, ana_mrn);
  ch_test_assert_has (flat, ben_mrn);
  ch_test_assert_has (flat, "born1948-06-01");
  ch_test_assert_has (flat, "born1990-12-24");
  ch_test_assert_has (flat, "follow-up");
  ch_test_assert_has (flat, "Bloodpressurereview");
  ch_test_assert_has (flat, "Kneepain");
  ch_test_assert_has (flat, "Arrived");
  ch_test_assert_has (flat, "Booked");
  ch_test_assert_has (flat, "Notes");
  ch_test_assert_has (flat, "printed");
  /* By start. */
  nine = strstr (flat, "09:00");
  eleven = strstr (flat, "11:40");
  g_assert_true (nine < eleven);
  /* Not another provider's, another day's or a cancelled one. */
  g_assert_null (strstr (flat, "SeenbyLee"));
  g_assert_null (strstr (flat, "Tomorrow"));
  g_assert_null (strstr (flat, "Cancelledvisit"));
  g_assert_null (strstr (flat, "14:00"));
  g_assert_cmpuint (count_pages (text), ==, 1);

  /* Audited in each patient's history. */
  g_assert_cmpint (count_prints (f->desk, f->ana), ==, ana_prints + 1);
  g_assert_cmpint (count_prints (f->desk, f->ben), ==, ben_prints + 1);

  /* Dr Lee's sheet of the same day has Ben only. */
  lee_flat = print_sheet (f, f->manager, "lee", at ("2030-03-04", 0, 0), NULL);
  ch_test_assert_has (lee_flat, "DrLee");
  ch_test_assert_has (lee_flat, "SeenbyLee");
  ch_test_assert_has (lee_flat, "1appointment");
  g_assert_null (strstr (lee_flat, "García,Ana"));
}

static void
test_render (Fixture      *f,
             gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) pdf = NULL;
  gint64 prints;
  gsize size = 0;
  const char *bytes;

  book (f, f->ana, "garcia", f->follow_up, at ("2030-03-04", 9, 0), 20, "Review", 0);
  prints = count_prints (f->desk, 0);
  pdf = ch_day_sheet_pdf_render (f->desk, "garcia", at ("2030-03-04", 0, 0), &error);
  g_assert_no_error (error);
  g_assert_nonnull (pdf);
  bytes = g_bytes_get_data (pdf, &size);
  g_assert_cmpuint (size, >, 1000);
  g_assert_true (memcmp (bytes, "%PDF", 4) == 0);
  g_assert_cmpint (count_prints (f->desk, 0), ==, prints + 1);
}

static void
test_pages (Fixture      *f,
            gconstpointer data)
{
  g_autofree char *flat = NULL;
  g_autofree char *text = NULL;
  const char *heads;
  guint n_heads = 0;

  /* A long day: 40 quarter hours from 07:00, some outside the hours. */
  for (int i = 0; i < 40; i++)
    {
      g_autofree char *reason = g_strdup_printf ("Visit number %d", i + 1);

      book (f, i % 2 ? f->ben : f->ana, "garcia", f->walk_in,
            at ("2030-03-04", 7, 0) + (gint64) i * 15 * MIN_USEC, 15, reason,
            CH_BOOK_CONFIRM_OUTSIDE_HOURS | CH_BOOK_CONFIRM_OVERBOOK);
    }

  flat = print_sheet (f, f->desk, "garcia", at ("2030-03-04", 12, 0), &text);
  ch_test_assert_has (flat, "40appointments");
  ch_test_assert_has (flat, "07:00");
  ch_test_assert_has (flat, "16:45");
  ch_test_assert_has (flat, "Visitnumber1");
  ch_test_assert_has (flat, "Visitnumber40");
  ch_test_assert_has (flat, "Page2");
  g_assert_cmpuint (count_pages (text), >=, 3);
  /* Each page has the column heads. */
  for (heads = strstr (flat, "TimePatientVisitStatus"); heads != NULL;
       heads = strstr (heads + 1, "TimePatientVisitStatus"))
    n_heads++;
  g_assert_cmpuint (n_heads, ==, count_pages (text));
}

static void
test_empty (Fixture      *f,
            gconstpointer data)
{
  g_autofree char *flat = NULL;
  gint64 prints = count_prints (f->desk, 0);

  /* Dr Lee has nothing that day; Dr García has, and it does not show. */
  book (f, f->ana, "garcia", f->follow_up, at ("2030-03-04", 9, 0), 20, "Review", 0);
  flat = print_sheet (f, f->desk, "lee", at ("2030-03-04", 9, 0), NULL);
  ch_test_assert_has (flat, "DrLee");
  ch_test_assert_has (flat, "Monday2030-03-04");
  ch_test_assert_has (flat, "Noappointmentsbooked");
  ch_test_assert_has (flat, "Nothingisbookedwiththisprovideronthisday");
  g_assert_null (strstr (flat, "García,Ana"));
  /* Still audited, with no patient (0 counts every patient's). */
  g_assert_cmpint (count_prints (f->desk, 0), ==, prints + 1);
  g_assert_cmpint (count_prints (f->desk, f->ana), ==, 0);
}

static void
test_refused (Fixture      *f,
              gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "refused.pdf", NULL);
  gint64 prints = count_prints (f->desk, 0);

  book (f, f->ana, "garcia", f->follow_up, at ("2030-03-04", 9, 0), 20, "Review", 0);

  /* The administrator has no scheduling access. */
  g_assert_false (ch_day_sheet_pdf_write (f->admin, "garcia", at ("2030-03-04", 0, 0), path,
                                          &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_null (ch_day_sheet_pdf_render (f->admin, "garcia", at ("2030-03-04", 0, 0), &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* Only a provider has a day sheet. */
  g_assert_null (ch_day_sheet_pdf_render (f->desk, "room-1", at ("2030-03-04", 0, 0), &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (ch_day_sheet_pdf_render (f->desk, "nobody", at ("2030-03-04", 0, 0), &error));
  g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* Nothing printed, nothing audited. */
  g_assert_cmpint (count_prints (f->desk, 0), ==, prints);
  g_assert_cmpint (count_prints (f->desk, f->ana), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/day-sheet/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("print", test_print);
  ADD ("render", test_render);
  ADD ("pages", test_pages);
  ADD ("empty", test_empty);
  ADD ("refused", test_refused);
#undef ADD

  return g_test_run ();
}
