/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-reports"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-chart.h"
#include "ch-patients.h"
#include "ch-records.h"
#include "ch-reports.h"
#include "ch-schedule.h"
#include "ch-store-private.h"
#include "ch-test-util.h"
#include "ch-users.h"

/* The schedule and patient reports on a small practice built through the
 * controllers, every number known by hand; periods, params as text, saved
 * filters, permissions, cancellation and the run on a worker. Times are UTC
 * (the tests run with TZ=UTC), so local days are UTC days.
 *
 * March 2026: 22 weekdays, Friday 6 a practice holiday, Wednesday 4 Dr Lee's
 * day off. Dr García works Mon–Fri 8–17 with a break 12–13 (480 min), Dr Lee
 * Mon and Wed 9–13 (240 min). */

typedef struct
{
  char       *dir;
  ChPractice *practice;
  ChSession  *desk;
  ChSession  *boss;
  ChSession  *doc;
  ChSession  *admin;
  gint64      ana, ben, cara, dan, eve;
  gint64      follow_up;
  gint64      procedure;
} Fixture;

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
                  const char *birth,
                  const char *sex,
                  const char *language)
{
  g_autoptr (ChPatientRecord) patient = ch_patient_record_new ();
  g_autoptr (GError) error = NULL;

  patient->given_name = g_strdup (given);
  patient->family_name = g_strdup ("Test");
  patient->birth_date = g_strdup (birth);
  g_free (patient->sex);
  patient->sex = g_strdup (sex);
  g_free (patient->language);
  patient->language = g_strdup (language);
  g_assert_true (ch_patients_register (session, patient, &error));
  g_assert_no_error (error);
  return patient->id;
}

static void
add_policy (ChSession  *session,
            gint64      patient,
            int         priority,
            const char *payer,
            const char *start,
            const char *end)
{
  g_autoptr (ChPolicyRecord) policy = ch_policy_record_new ();
  g_autoptr (GError) error = NULL;

  policy->patient_id = patient;
  policy->priority = priority;
  policy->payer = g_strdup (payer);
  policy->member_id = g_strdup ("M1");
  policy->start_date = g_strdup (start);
  policy->end_date = g_strdup (end);
  g_assert_true (ch_patients_add_policy (session, policy, &error));
  g_assert_no_error (error);
}

static void
put_provider (ChSession  *session,
              const char *id,
              const char *name,
              const char *username)
{
  g_autoptr (ChResource) resource = ch_resource_new ();
  g_autoptr (GError) error = NULL;

  resource->id = g_strdup (id);
  resource->kind = g_strdup ("provider");
  resource->name = g_strdup (name);
  resource->username = g_strdup (username);
  g_assert_true (ch_schedule_put_resource (session, resource, &error));
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

/* Books (outside hours allowed) and moves it to @status. */
static gint64
book (Fixture    *f,
      gint64      patient,
      const char *provider,
      gint64      type,
      gint64      start,
      int         minutes,
      const char *status)
{
  g_autoptr (ChAppointment) a = ch_appointment_new ();
  g_autoptr (GError) error = NULL;

  a->patient_id = patient;
  a->provider_id = g_strdup (provider);
  a->type_id = type;
  a->start_at = start;
  a->duration_min = minutes;
  a->reason = g_strdup ("Check-up");
  if (!ch_schedule_book (f->desk, a, CH_BOOK_CONFIRM_OUTSIDE_HOURS, &error))
    g_error ("not booked: %s", error->message);
  if (g_str_equal (status, "cancelled"))
    g_assert_true (ch_schedule_cancel (f->desk, a->id, "Unwell", CH_SCOPE_THIS, &error));
  else if (g_str_equal (status, "done"))
    {
      g_assert_true (ch_schedule_set_status (f->desk, a->id, "arrived", NULL, &error));
      g_assert_true (ch_schedule_set_status (f->desk, a->id, "done", NULL, &error));
    }
  else if (!g_str_equal (status, "booked"))
    g_assert_true (ch_schedule_set_status (f->desk, a->id, status, NULL, &error));
  g_assert_no_error (error);
  return a->id;
}

static void
add_encounter (Fixture *f,
               gint64   patient,
               gint64   start)
{
  g_autoptr (ChEncounterRecord) encounter = ch_encounter_record_new ();
  g_autoptr (GError) error = NULL;

  encounter->patient_id = patient;
  encounter->start_at = start;
  encounter->provider = g_strdup ("doc");
  encounter->kind = g_strdup ("office");
  encounter->reason = g_strdup ("Visit");
  g_assert_true (ch_chart_add_encounter (f->doc, encounter, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  ChHours garcia[] = { { 0, 8 * 60, 17 * 60, FALSE }, { 0, 12 * 60, 13 * 60, TRUE } };
  ChHours lee[] = { { 0, 9 * 60, 13 * 60, FALSE } };
  guint weekdays = 0;

  f->dir = ch_test_make_dir ();
  f->practice = ch_test_make_practice (f->dir, NULL);
  f->admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_assert_true (ch_users_add (f->admin, "desk", NULL, CH_ROLE_FRONT_DESK, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "boss", NULL, CH_ROLE_MANAGER, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "doc", NULL, CH_ROLE_PHYSICIAN, CH_TEST_PASSWORD, &error));
  g_assert_no_error (error);
  f->desk = ch_test_login (f->practice, "desk", CH_TEST_PASSWORD);
  f->boss = ch_test_login (f->practice, "boss", CH_TEST_PASSWORD);
  f->doc = ch_test_login (f->practice, "doc", CH_TEST_PASSWORD);

  /* Ages on 2026-03-31: 35, 16 (17 tomorrow), 66, 18 today, 85. */
  f->ana = register_patient (f->desk, "Ana", "1990-04-01", "female", "es");
  f->ben = register_patient (f->desk, "Ben", "2009-04-01", "male", "en");
  f->cara = register_patient (f->desk, "Cara", "1960-01-01", "female", "");
  f->dan = register_patient (f->desk, "Dan", "2008-03-31", "male", "");
  f->eve = register_patient (f->desk, "Eve", "1940-06-01", "unknown", "");
  add_policy (f->desk, f->ana, 1, "Acme", NULL, NULL);
  add_policy (f->desk, f->ben, 1, "Zenith", "2025-01-01", "2026-01-31");
  add_policy (f->desk, f->ben, 2, "Blue", NULL, NULL);
  add_policy (f->desk, f->dan, 1, "Zenith", "2026-04-01", NULL);

  put_provider (f->desk, "garcia", "Dr García", "doc");
  put_provider (f->desk, "lee", "Dr Lee", NULL);
  g_assert_true (ch_schedule_parse_days ("mon-fri", &weekdays));
  g_assert_true (ch_schedule_set_hours (f->desk, "garcia", weekdays, garcia, G_N_ELEMENTS (garcia), &error));
  g_assert_true (ch_schedule_parse_days ("mon,wed", &weekdays));
  g_assert_true (ch_schedule_set_hours (f->desk, "lee", weekdays, lee, G_N_ELEMENTS (lee), &error));
  g_assert_true (ch_schedule_add_day_off (f->desk, "lee", "2026-03-04", "Conference", &error));
  g_assert_true (ch_schedule_add_day_off (f->desk, NULL, "2026-03-06", "Holiday", &error));
  g_assert_no_error (error);

  f->follow_up = add_type (f->desk, "follow-up", 20);
  f->procedure = add_type (f->desk, "procedure", 60);

  book (f, f->ana, "garcia", f->follow_up, at ("2026-03-02", 9, 0), 20, "done");
  book (f, f->ben, "garcia", f->follow_up, at ("2026-03-02", 10, 0), 20, "no-show");
  book (f, f->cara, "garcia", f->procedure, at ("2026-03-03", 9, 0), 60, "booked");
  book (f, f->dan, "lee", f->follow_up, at ("2026-03-09", 9, 0), 20, "done");
  book (f, f->eve, "lee", f->procedure, at ("2026-03-09", 10, 0), 60, "cancelled");
  book (f, f->ben, "garcia", f->follow_up, at ("2026-03-31", 23, 30), 20, "confirmed");
  /* Just outside March, on both sides. */
  book (f, f->ana, "garcia", f->follow_up, at ("2026-04-01", 0, 0), 20, "done");
  book (f, f->cara, "garcia", f->follow_up, at ("2026-02-27", 9, 0), 20, "done");

  /* Encounters by "doc", Dr García's account. */
  add_encounter (f, f->ben, at ("2026-01-15", 9, 0));
  add_encounter (f, f->eve, at ("2026-03-20", 9, 0));
  add_encounter (f, f->ana, at ("2026-03-02", 10, 0));
}

static void
fixture_teardown (Fixture *f)
{
  g_clear_object (&f->desk);
  g_clear_object (&f->boss);
  g_clear_object (&f->doc);
  g_clear_object (&f->admin);
  g_clear_object (&f->practice);
  ch_test_remove_dir (f->dir);
  g_free (f->dir);
}

/* ---- reading a report back ------------------------------------------------------ */

static ChReport *
run (ChSession  *session,
     const char *name,
     const char *from,
     const char *to,
     const char *provider,
     ...)
{
  g_autoptr (ChReportParams) params = ch_report_params_new (from, to);
  g_autoptr (GError) error = NULL;
  ChReport *report;
  const char *key;
  va_list args;

  params->provider = g_strdup (provider);
  va_start (args, provider);
  while ((key = va_arg (args, const char *)) != NULL)
    ch_report_params_set_option (params, key, va_arg (args, const char *));
  va_end (args);

  report = ch_reports_run (session, name, params, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  return report;
}

/* The table as text: "cell|cell|…" rows joined by newlines, plain values
 * (counts as 1234, percent as 12.5). */
static char *
table (ChReport *report)
{
  GString *text = g_string_new (NULL);

  for (guint c = 0; c < ch_report_get_n_columns (report); c++)
    g_string_append_printf (text, "%s%s", c > 0 ? "|" : "", ch_report_get_column_name (report, c));
  for (guint r = 0; r < ch_report_get_n_rows (report); r++)
    {
      g_string_append_c (text, '\n');
      for (guint c = 0; c < ch_report_get_n_columns (report); c++)
        {
          GVariant *cell = ch_report_get_cell (report, r, c);

          if (c > 0)
            g_string_append_c (text, '|');
          if (cell == NULL)
            continue;
          if (g_variant_is_of_type (cell, G_VARIANT_TYPE_STRING))
            g_string_append (text, g_variant_get_string (cell, NULL));
          else if (g_variant_is_of_type (cell, G_VARIANT_TYPE_INT64))
            g_string_append_printf (text, "%" G_GINT64_FORMAT, g_variant_get_int64 (cell));
          else
            g_string_append_printf (text, "%g", g_variant_get_double (cell));
        }
    }
  return g_string_free (text, FALSE);
}

static void
assert_table (ChReport   *report,
              const char *expected)
{
  g_autofree char *text = table (report);

  g_assert_cmpstr (text, ==, expected);
}

/* ---- the reports ------------------------------------------------------------------- */

static void
test_appointments (gconstpointer data)
{
  Fixture *f = (Fixture *) data;
  g_autoptr (ChReport) by_provider = run (f->boss, "appointments", "2026-03-01", "2026-03-31", NULL, NULL);
  g_autoptr (ChReport) by_type = run (f->boss, "appointments", "2026-03-01", "2026-03-31", NULL,
                                      "group", "type", NULL);
  g_autoptr (ChReport) by_status = run (f->boss, "appointments", "2026-03-01", "2026-03-31", NULL,
                                        "group", "status", NULL);
  g_autoptr (ChReport) lee = run (f->doc, "appointments", "2026-03-01", "2026-03-31", "lee", NULL);
  g_autofree char *procedure = g_strdup_printf ("%" G_GINT64_FORMAT, f->procedure);
  g_autoptr (ChReport) procedures = run (f->boss, "appointments", "2026-03-01", "2026-03-31", NULL,
                                         "type", procedure, NULL);
  const ChReportChart *chart;

  assert_table (by_provider,
                "Provider|Booked|Confirmed|Arrived|In room|Done|No-show|Cancelled|Total\n"
                "Dr García|1|1|0|0|1|1|0|4\n"
                "Dr Lee|0|0|0|0|1|0|1|2\n"
                "Total|1|1|0|0|2|1|1|6");
  g_assert_cmpstr (ch_report_get_subtitle (by_provider), ==,
                   "1 March 2026 – 31 March 2026 · All providers · Group by: Provider");
  chart = ch_report_get_chart (by_provider);
  g_assert_nonnull (chart);
  g_assert_cmpint (chart->kind, ==, CH_REPORT_CHART_STACKED_BARS);
  g_assert_cmpuint (chart->categories->len, ==, 2);
  g_assert_cmpuint (chart->series->len, ==, 7);

  assert_table (by_type,
                "Appointment type|Booked|Confirmed|Arrived|In room|Done|No-show|Cancelled|Total\n"
                "follow-up|0|1|0|0|2|1|0|4\n"
                "procedure|1|0|0|0|0|0|1|2\n"
                "Total|1|1|0|0|2|1|1|6");
  assert_table (by_status,
                "Status|Appointments|Share\n"
                "Booked|1|16.7\nConfirmed|1|16.7\nArrived|0|0\nIn room|0|0\n"
                "Done|2|33.3\nNo-show|1|16.7\nCancelled|1|16.7\nTotal|6|100");
  assert_table (lee,
                "Provider|Booked|Confirmed|Arrived|In room|Done|No-show|Cancelled|Total\n"
                "Dr Lee|0|0|0|0|1|0|1|2\n"
                "Total|0|0|0|0|1|0|1|2");
  g_assert_cmpstr (ch_report_get_subtitle (lee), ==,
                   "1 March 2026 – 31 March 2026 · Dr Lee · Group by: Provider");
  assert_table (procedures,
                "Provider|Booked|Confirmed|Arrived|In room|Done|No-show|Cancelled|Total\n"
                "Dr García|1|0|0|0|0|0|0|1\n"
                "Dr Lee|0|0|0|0|0|0|1|1\n"
                "Total|1|0|0|0|0|0|1|2");
  g_assert_nonnull (strstr (ch_report_get_subtitle (procedures), "Appointment type: procedure"));
}

static void
test_utilisation (gconstpointer data)
{
  Fixture *f = (Fixture *) data;
  g_autoptr (ChReport) march = run (f->boss, "utilisation", "2026-03-01", "2026-03-31", NULL, NULL);
  /* One Wednesday: Dr Lee's day off; Dr García works it. */
  g_autoptr (ChReport) day = run (f->boss, "utilisation", "2026-03-04", "2026-03-04", NULL, NULL);

  /* García: 21 days × 480 min; booked 20 + 20 + 60 + 20 (the no-show
   * counts: its time was held). Lee: 8 days × 240; the cancelled procedure
   * does not count. */
  assert_table (march,
                "Provider|Booked minutes|Available minutes|Utilisation\n"
                "Dr García|120|10080|1.2\n"
                "Dr Lee|20|1920|1\n"
                "Total|140|12000|1.2");
  assert_table (day,
                "Provider|Booked minutes|Available minutes|Utilisation\n"
                "Dr García|0|480|0\n"
                "Total|0|480|0");
  g_assert_cmpint (ch_report_get_chart (march)->kind, ==, CH_REPORT_CHART_BARS);
}

static void
test_no_shows (gconstpointer data)
{
  Fixture *f = (Fixture *) data;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) later = g_date_time_add_days (now, 10);
  g_autofree char *today = g_date_time_format (now, "%F");
  g_autofree char *end = g_date_time_format (later, "%F");
  gint64 now_us = g_date_time_to_unix (now) * G_USEC_PER_SEC;
  g_autoptr (ChReport) march = NULL;
  g_autoptr (ChReport) soon = NULL;

  /* March: the cancellation was made now, long after the start: late. */
  march = run (f->boss, "no-shows", "2026-03-01", "2026-03-31", NULL, NULL);
  assert_table (march,
                "Provider|Appointments|No-shows|No-show rate|Late cancellations|Late cancellation rate\n"
                "Dr García|4|1|25|0|0\n"
                "Dr Lee|2|0|0|1|50\n"
                "Total|6|1|16.7|1|16.7");

  /* Cancelled now: one due in 3 days (in time), one in 2 hours (late),
   * one in 23 hours (late); and one kept. */
  book (f, f->ana, "lee", f->follow_up, now_us + 3 * G_TIME_SPAN_DAY, 20, "cancelled");
  book (f, f->ben, "lee", f->follow_up, now_us + 2 * G_TIME_SPAN_HOUR, 20, "cancelled");
  book (f, f->cara, "lee", f->follow_up, now_us + 23 * G_TIME_SPAN_HOUR, 20, "cancelled");
  book (f, f->dan, "lee", f->follow_up, now_us + 4 * G_TIME_SPAN_DAY, 20, "booked");
  soon = run (f->boss, "no-shows", today, end, "lee", NULL);
  assert_table (soon,
                "Provider|Appointments|No-shows|No-show rate|Late cancellations|Late cancellation rate\n"
                "Dr Lee|4|0|0|2|50\n"
                "Total|4|0|0|2|50");
  g_assert_cmpint (ch_report_get_chart (soon)->kind, ==, CH_REPORT_CHART_GROUPED_BARS);
  g_assert_cmpuint (ch_report_get_chart (soon)->series->len, ==, 2);
}

static void
test_new_patients (gconstpointer data)
{
  Fixture *f = (Fixture *) data;
  g_autoptr (ChReport) quarter = run (f->boss, "new-patients", "2026-01-01", "2026-04-30", NULL, NULL);
  g_autoptr (ChReport) lee = run (f->boss, "new-patients", "2026-01-01", "2026-04-30", "lee", NULL);
  g_autoptr (ChReport) garcia = run (f->boss, "new-patients", "2026-01-01", "2026-04-30", "garcia", NULL);
  g_autoptr (ChReport) march = run (f->boss, "new-patients", "2026-03-01", "2026-03-31", NULL, NULL);

  /* Ben: his encounter in January; Cara: her visit of 27 February; Ana (the
   * appointment before the encounter that day), Dan, Eve (an encounter): March.
   * Ana's visit of 1 April is not her first. */
  assert_table (quarter,
                "Month|New patients\n2026-01|1\n2026-02|1\n2026-03|3\n2026-04|0\nTotal|5");
  assert_table (lee, "Month|New patients\n2026-01|0\n2026-02|0\n2026-03|1\n2026-04|0\nTotal|1");
  assert_table (garcia, "Month|New patients\n2026-01|1\n2026-02|1\n2026-03|2\n2026-04|0\nTotal|4");
  assert_table (march, "Month|New patients\n2026-03|3\nTotal|3");
}

static void
test_demographics (gconstpointer data)
{
  Fixture *f = (Fixture *) data;
  g_autoptr (ChReport) ages = run (f->boss, "demographics", NULL, "2026-03-31", NULL, NULL);
  g_autoptr (ChReport) ages_later = run (f->boss, "demographics", NULL, "2026-04-01", NULL, NULL);
  g_autoptr (ChReport) sexes = run (f->boss, "demographics", NULL, "2026-03-31", NULL, "by", "sex", NULL);
  g_autoptr (ChReport) languages = run (f->boss, "demographics", NULL, "2026-03-31", NULL,
                                        "by", "language", NULL);
  g_autoptr (ChReport) payers = run (f->boss, "demographics", NULL, "2026-03-31", NULL,
                                     "by", "payer", NULL);
  g_autoptr (ChReport) payers_april = run (f->boss, "demographics", NULL, "2026-04-01", NULL,
                                           "by", "payer", NULL);

  assert_table (ages,
                "Age band|Patients|Share\n0-17|1|20\n18-34|1|20\n35-49|1|20\n50-64|0|0\n"
                "65-79|1|20\n80+|1|20\nTotal|5|100");
  /* Ben turns 17 and Ana 36 on 1 April: the same bands. */
  assert_table (ages_later,
                "Age band|Patients|Share\n0-17|1|20\n18-34|1|20\n35-49|1|20\n50-64|0|0\n"
                "65-79|1|20\n80+|1|20\nTotal|5|100");
  g_assert_cmpstr (ch_report_get_subtitle (ages), ==, "As of 31 March 2026 · Count by: Age band");
  assert_table (sexes, "Sex|Patients|Share\nFemale|2|40\nMale|2|40\nOther|0|0\nUnknown|1|20\nTotal|5|100");
  assert_table (languages, "Language|Patients|Share\nen|1|20\nes|1|20\nNot recorded|3|60\nTotal|5|100");
  /* Ben's primary ended in January: his secondary is the one in force. Dan's
   * starts in April. */
  assert_table (payers, "Payer|Patients|Share\nAcme|1|20\nBlue|1|20\nSelf-pay|3|60\nTotal|5|100");
  assert_table (payers_april,
                "Payer|Patients|Share\nAcme|1|20\nBlue|1|20\nZenith|1|20\nSelf-pay|2|40\nTotal|5|100");
}

static void
test_active_patients (gconstpointer data)
{
  Fixture *f = (Fixture *) data;
  g_autoptr (ChReport) march = run (f->boss, "active-patients", NULL, "2026-03-31", NULL, NULL);
  g_autoptr (ChReport) lee = run (f->boss, "active-patients", NULL, "2026-03-31", "lee", NULL);
  /* 18 months up to 2027-09-30 start on 2026-03-31: only Ana's visit of 1 April. */
  g_autoptr (ChReport) later = run (f->boss, "active-patients", NULL, "2027-09-30", NULL, NULL);
  g_autoptr (ChReport) none = run (f->boss, "active-patients", NULL, "2027-10-01", NULL, NULL);

  assert_table (march,
                "Provider of the last visit|Active patients|Share\n"
                "Dr García|4|80\nDr Lee|1|20\nTotal|5|100");
  assert_table (lee, "Provider of the last visit|Active patients|Share\nDr Lee|1|100\nTotal|1|100");
  assert_table (later, "Provider of the last visit|Active patients|Share\nDr García|1|100\nTotal|1|100");
  assert_table (none, "Provider of the last visit|Active patients|Share\nTotal|0|");
}

/* ---- params ------------------------------------------------------------------------ */

static void
assert_period (const char *period,
               const char *today,
               const char *from,
               const char *to)
{
  g_autoptr (ChReportParams) params = ch_report_params_new ("1999-01-01", "1999-01-02");
  g_autoptr (GError) error = NULL;

  params->period = g_strdup (period);
  g_assert_true (ch_report_params_resolve (params, today, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (params->from, ==, from);
  g_assert_cmpstr (params->to, ==, to);
}

static void
assert_invalid (const char *from,
                const char *to,
                const char *period)
{
  g_autoptr (ChReportParams) params = ch_report_params_new (from, to);
  g_autoptr (GError) error = NULL;

  params->period = g_strdup (period);
  g_assert_false (ch_report_params_resolve (params, "2026-03-15", &error));
  g_assert_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID);
}

static void
test_periods (void)
{
  assert_period ("last-month", "2026-03-15", "2026-02-01", "2026-02-28");
  assert_period ("last-month", "2024-03-31", "2024-02-01", "2024-02-29");
  assert_period ("last-month", "2026-01-10", "2025-12-01", "2025-12-31");
  assert_period ("this-month", "2024-02-10", "2024-02-01", "2024-02-29");
  assert_period ("this-quarter", "2026-05-05", "2026-04-01", "2026-06-30");
  assert_period ("last-quarter", "2026-02-01", "2025-10-01", "2025-12-31");
  assert_period ("last-quarter", "2026-12-31", "2026-07-01", "2026-09-30");
  assert_period ("this-year", "2026-03-15", "2026-01-01", "2026-12-31");
  assert_period ("last-year", "2026-03-15", "2025-01-01", "2025-12-31");
  assert_period ("last-12-months", "2026-03-15", "2025-03-01", "2026-02-28");
  assert_period ("last-12-months", "2026-01-01", "2025-01-01", "2025-12-31");

  assert_invalid ("2026-03-02", "2026-03-01", NULL);
  assert_invalid ("2026-02-30", "2026-03-01", NULL);
  assert_invalid ("2025-02-29", "2026-03-01", NULL);
  assert_invalid ("2026-3-1", "2026-03-31", NULL);
  assert_invalid ("march", "2026-03-31", NULL);
  assert_invalid (NULL, NULL, NULL);
  assert_invalid (NULL, NULL, "last-fortnight");

  /* A point-in-time report needs only @to. */
  {
    g_autoptr (ChReportParams) params = ch_report_params_new (NULL, "2024-02-29");
    g_assert_true (ch_report_params_resolve (params, NULL, NULL));
    g_assert_cmpstr (params->from, ==, "2024-02-29");
  }
}

static void
test_params_text (void)
{
  g_autoptr (ChReportParams) params = ch_report_params_new ("2026-03-01", "2026-03-31");
  g_autoptr (ChReportParams) back = NULL;
  g_autoptr (ChReportParams) copy = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *period_text = NULL;

  params->provider = g_strdup ("garcia");
  ch_report_params_set_option (params, "group", "type");
  ch_report_params_set_option (params, "type", "3");
  ch_report_params_set_option (params, "type", NULL);
  ch_report_params_set_option (params, "note", "a = b; \"c\"\nd");
  text = ch_report_params_to_string (params);
  back = ch_report_params_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_null (back->period);
  g_assert_cmpstr (back->from, ==, "2026-03-01");
  g_assert_cmpstr (back->to, ==, "2026-03-31");
  g_assert_cmpstr (back->provider, ==, "garcia");
  g_assert_cmpstr (ch_report_params_get_option (back, "group"), ==, "type");
  g_assert_null (ch_report_params_get_option (back, "type"));
  g_assert_cmpstr (ch_report_params_get_option (back, "note"), ==, "a = b; \"c\"\nd");
  g_assert_cmpuint (g_hash_table_size (back->options), ==, 2);

  /* A named period is kept as the name, not the days it meant then. */
  copy = ch_report_params_copy (params);
  copy->period = g_strdup ("last-month");
  period_text = ch_report_params_to_string (copy);
  g_clear_pointer (&back, ch_report_params_free);
  back = ch_report_params_from_string (period_text, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->period, ==, "last-month");
  g_assert_null (back->from);

  g_clear_pointer (&back, ch_report_params_free);
  back = ch_report_params_from_string ("not [a key file", &error);
  g_assert_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID);
  g_assert_null (back);
}

static void
test_catalogue (void)
{
  const ChReportDef * const *defs = ch_reports_list ();
  const char *mine[] = { "appointments", "utilisation", "no-shows", "new-patients",
                         "demographics", "active-patients" };

  for (guint i = 0; i < G_N_ELEMENTS (mine); i++)
    {
      const ChReportDef *def = ch_reports_find (mine[i]);

      g_assert_nonnull (def);
      g_assert_nonnull (def->title);
      g_assert_nonnull (def->description);
      g_assert_false (def->names_patients);
    }
  g_assert_true (defs[0] == ch_reports_find ("appointments"));
  g_assert_null (ch_reports_find ("bogus"));
  g_assert_nonnull (ch_report_def_find_option (ch_reports_find ("appointments"), "group"));
  g_assert_null (ch_report_def_find_option (ch_reports_find ("appointments"), "bogus"));
}

/* ---- checks, permissions, filters ---------------------------------------------------- */

static void
test_bad_params (gconstpointer data)
{
  Fixture *f = (Fixture *) data;
  g_autoptr (ChReportParams) params = ch_report_params_new ("2026-03-01", "2026-03-31");
  g_autoptr (GError) error = NULL;

  g_assert_null (ch_reports_run (f->boss, "bogus", params, NULL, NULL, NULL, &error));
  g_assert_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  ch_report_params_set_option (params, "colour", "blue");
  g_assert_null (ch_reports_run (f->boss, "appointments", params, NULL, NULL, NULL, &error));
  g_assert_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID);
  g_clear_error (&error);
  ch_report_params_set_option (params, "colour", NULL);

  ch_report_params_set_option (params, "group", "colour");
  g_assert_null (ch_reports_run (f->boss, "appointments", params, NULL, NULL, NULL, &error));
  g_assert_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID);
  g_clear_error (&error);
  ch_report_params_set_option (params, "group", NULL);

  ch_report_params_set_option (params, "type", "9999");
  g_assert_null (ch_reports_run (f->boss, "appointments", params, NULL, NULL, NULL, &error));
  g_assert_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  ch_report_params_set_option (params, "type", "x");
  g_assert_null (ch_reports_run (f->boss, "appointments", params, NULL, NULL, NULL, &error));
  g_assert_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID);
  g_clear_error (&error);
  ch_report_params_set_option (params, "type", NULL);

  params->provider = g_strdup ("nobody");
  g_assert_null (ch_reports_run (f->boss, "appointments", params, NULL, NULL, NULL, &error));
  g_assert_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_free (params->provider);
  params->provider = g_strdup ("garcia");
  g_assert_null (ch_reports_run (f->boss, "demographics", params, NULL, NULL, NULL, &error));
  g_assert_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID);
}

static const ChReportDef names_def = {
  .name = "test-names", .category = "Test", .title = "Test", .description = "Test",
  .period = TRUE, .names_patients = TRUE,
};

static void
test_permissions (gconstpointer data)
{
  Fixture *f = (Fixture *) data;
  g_autoptr (ChReportParams) params = ch_report_params_new ("2026-03-01", "2026-03-31");
  g_autoptr (GError) error = NULL;
  g_autoptr (ChReport) counts = NULL;
  g_autoptr (GPtrArray) providers = NULL;
  g_autoptr (GPtrArray) types = NULL;
  g_autoptr (GPtrArray) payers = NULL;
  const ChReportDef *appointments = ch_reports_find ("appointments");

  g_assert_null (ch_reports_run (f->desk, "appointments", params, NULL, NULL, NULL, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ch_reports_check (f->desk, appointments, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ch_reports_filter_save (f->desk, "appointments", "mine", params, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* The administrator sees counts, not names. */
  counts = ch_reports_run (f->admin, "appointments", params, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (counts);
  g_assert_true (ch_reports_check (f->admin, appointments, &error));
  g_assert_false (ch_reports_check (f->admin, &names_def, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_true (ch_reports_check (f->boss, &names_def, &error));
  g_assert_true (ch_reports_check (f->doc, &names_def, &error));
  g_assert_no_error (error);

  providers = ch_reports_option_values (f->boss, appointments, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (providers->len, ==, 4);
  g_assert_cmpstr (providers->pdata[0], ==, "garcia");
  g_assert_cmpstr (providers->pdata[1], ==, "Dr García");
  types = ch_reports_option_values (f->boss, appointments,
                                    ch_report_def_find_option (appointments, "type"), &error);
  g_assert_cmpuint (types->len, ==, 4);
  g_assert_cmpstr (types->pdata[1], ==, "follow-up");
  payers = ch_reports_option_values (f->boss, ch_reports_find ("demographics"),
                                     &(ChReportOption) { "payer", "Payer", CH_REPORT_OPTION_PAYER },
                                     &error);
  g_assert_no_error (error);
  g_assert_cmpuint (payers->len, ==, 6);
  g_assert_cmpstr (payers->pdata[0], ==, "Acme");
  g_assert_null (ch_reports_option_values (f->desk, appointments, NULL, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
}

static void
save_filter (ChSession            *session,
             const char           *report,
             const char           *name,
             const ChReportParams *params)
{
  g_autoptr (GError) error = NULL;
  gboolean saved = ch_reports_filter_save (session, report, name, params, &error);

  g_assert_no_error (error);
  g_assert_true (saved);
}

static void
test_filters (gconstpointer data)
{
  Fixture *f = (Fixture *) data;
  g_autoptr (ChReportParams) params = ch_report_params_new ("2026-03-01", "2026-03-31");
  g_autoptr (ChReportParams) last_month = ch_report_params_new (NULL, NULL);
  g_autoptr (GPtrArray) mine = NULL;
  g_autoptr (GPtrArray) theirs = NULL;
  g_autoptr (ChReportFilter) filter = NULL;
  g_autoptr (GError) error = NULL;

  ch_report_params_set_option (params, "group", "type");
  save_filter (f->boss, "appointments", "March by type", params);
  g_assert_no_error (error);
  last_month->period = g_strdup ("last-month");
  last_month->provider = g_strdup ("lee");
  save_filter (f->boss, "no-shows", "Lee", last_month);
  save_filter (f->doc, "appointments", "March by type", last_month);
  g_assert_no_error (error);

  /* Saving the name again replaces it. */
  ch_report_params_set_option (params, "group", "status");
  save_filter (f->boss, "appointments", "March by type", params);
  g_assert_no_error (error);

  mine = ch_reports_filter_list (f->boss, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mine->len, ==, 2);
  g_assert_cmpstr (((ChReportFilter *) mine->pdata[0])->report, ==, "appointments");
  g_assert_cmpstr (((ChReportFilter *) mine->pdata[1])->report, ==, "no-shows");
  theirs = ch_reports_filter_list (f->doc, "appointments", &error);
  g_assert_cmpuint (theirs->len, ==, 1);
  g_assert_cmpstr (((ChReportFilter *) theirs->pdata[0])->params->period, ==, "last-month");

  filter = ch_reports_filter_get (f->boss, "appointments", "March by type", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (filter->params->from, ==, "2026-03-01");
  g_assert_cmpstr (ch_report_params_get_option (filter->params, "group"), ==, "status");
  g_assert_cmpint (filter->saved_at, >, 0);
  {
    g_autoptr (ChReport) report = ch_reports_run (f->boss, "appointments", filter->params,
                                                  NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (ch_report_get_column_name (report, 0), ==, "Status");
  }
  g_clear_pointer (&filter, ch_report_filter_free);
  filter = ch_reports_filter_get (f->boss, "no-shows", "Lee", &error);
  g_assert_cmpstr (filter->params->period, ==, "last-month");
  g_assert_cmpstr (filter->params->provider, ==, "lee");

  /* Filters that could never run are refused now. */
  ch_report_params_set_option (params, "group", "colour");
  g_assert_false (ch_reports_filter_save (f->boss, "appointments", "Bad", params, &error));
  g_assert_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ch_reports_filter_save (f->boss, "bogus", "Bad", last_month, &error));
  g_assert_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (ch_reports_filter_save (f->boss, "no-shows", "  ", last_month, &error));
  g_assert_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID);
  g_clear_error (&error);

  /* Deleting: one's own only. */
  g_assert_true (ch_reports_filter_delete (f->boss, "appointments", "March by type", &error));
  g_assert_no_error (error);
  g_assert_false (ch_reports_filter_delete (f->boss, "appointments", "March by type", &error));
  g_assert_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_pointer (&filter, ch_report_filter_free);
  filter = ch_reports_filter_get (f->boss, "appointments", "March by type", &error);
  g_assert_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_NOT_FOUND);
  g_assert_null (filter);
  g_clear_error (&error);
  filter = ch_reports_filter_get (f->doc, "appointments", "March by type", &error);
  g_assert_no_error (error);
  g_assert_nonnull (filter);
}

/* ---- cancellation and the worker ------------------------------------------------- */

static void
cancel_on_progress (double   fraction,
                    gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

static void
test_cancel (gconstpointer data)
{
  Fixture *f = (Fixture *) data;
  g_autoptr (ChReportParams) params = ch_report_params_new ("2026-03-01", "2026-03-31");
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GCancellable) cancelled = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  const char *names[] = { "appointments", "utilisation", "no-shows", "new-patients",
                          "demographics", "active-patients" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (ChReport) report = NULL;
      g_autoptr (GCancellable) each = g_cancellable_new ();

      report = ch_reports_run (f->boss, names[i], params, cancel_on_progress, each, each, &error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_null (report);
      g_clear_error (&error);
    }

  g_cancellable_cancel (cancelled);
  g_assert_null (ch_reports_run (f->boss, "appointments", params, NULL, NULL, cancelled, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* The session still works after. */
  {
    g_autoptr (ChReport) report = ch_reports_run (f->boss, "appointments", params, NULL, NULL,
                                                  cancellable, &error);
    g_assert_no_error (error);
    g_assert_nonnull (report);
  }
}

/* A running statement stops when its cancellable is cancelled, with
 * G_IO_ERROR_CANCELLED; without one it runs to the end. */
static void
test_cancel_statement (gconstpointer data)
{
  Fixture *f = (Fixture *) data;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (ChStore) reader = ch_store_open_reader (ch_session_get_store (f->boss), &error);
  const char *sql = "WITH RECURSIVE c (x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 20000000)"
                    " SELECT count (*) FROM c";
  sqlite3_stmt *stmt;

  g_assert_no_error (error);
  g_cancellable_cancel (cancellable);
  ch_store_set_cancellable (reader, cancellable);
  stmt = ch_store_prepare (reader, sql, &error);
  g_assert_nonnull (stmt);
  g_assert_cmpint (ch_store_step (reader, stmt, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  ch_store_set_cancellable (reader, NULL);
  stmt = ch_store_prepare (reader, "WITH RECURSIVE c (x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c"
                                   " LIMIT 100000) SELECT count (*) FROM c", &error);
  g_assert_cmpint (ch_store_step (reader, stmt, &error), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, 100000);
  sqlite3_reset (stmt);
  ch_store_close (reader);
}

/* Every run is in the audit trail, with its filters and no patient. */
static void
test_audit (gconstpointer data)
{
  Fixture *f = (Fixture *) data;
  g_autoptr (ChReport) report = run (f->doc, "no-shows", "2026-03-01", "2026-03-31", "lee", NULL);
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr (GError) error = NULL;
  ChAuditFilter filter = { .username = "doc", .action = CH_AUDIT_VIEW };
  g_autofree char *text = NULL;

  g_assert_true (ch_audit_write_csv (ch_session_get_store (f->admin), &filter, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  text = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
  g_assert_nonnull (strstr (text, "report,no-shows"));
  g_assert_nonnull (strstr (text, "run 2026-03-01..2026-03-31 provider=lee"));
}

typedef struct
{
  GMainLoop *loop;
  GThread   *main_thread;
  ChReport  *report;
  GError    *error;
  guint      progress_calls;
  double     last_fraction;
  gint       freed;  /* atomic: the task may end on the worker */
} AsyncState;

static void
async_progress (double   fraction,
                gpointer user_data)
{
  AsyncState *state = user_data;

  /* On the caller's thread, never the worker's. */
  g_assert_true (g_thread_self () == state->main_thread);
  g_assert_cmpfloat (fraction, >=, state->last_fraction);
  state->last_fraction = fraction;
  state->progress_calls++;
}

static void
async_progress_free (gpointer user_data)
{
  g_atomic_int_set (&((AsyncState *) user_data)->freed, TRUE);
}

static void
async_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AsyncState *state = user_data;

  state->report = ch_reports_run_finish (result, &state->error);
  g_main_loop_quit (state->loop);
}

static void
test_async (gconstpointer data)
{
  Fixture *f = (Fixture *) data;
  g_autoptr (ChReportParams) params = ch_report_params_new ("2026-03-01", "2026-03-31");
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (ChReport) sync = run (f->boss, "no-shows", "2026-03-01", "2026-03-31", NULL, NULL);
  g_autofree char *expected = table (sync);
  g_autofree char *got = NULL;
  AsyncState state = { 0 };

  state.loop = g_main_loop_new (NULL, FALSE);
  state.main_thread = g_thread_self ();
  ch_reports_run_async (f->boss, "no-shows", params, NULL, async_progress, &state,
                        async_progress_free, async_done, &state);
  g_main_loop_run (state.loop);
  g_assert_no_error (state.error);
  g_assert_nonnull (state.report);
  got = table (state.report);
  g_assert_cmpstr (got, ==, expected);
  /* Progress may still be on its way when the result is: let it land. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (state.progress_calls, >=, 1);
  g_assert_cmpfloat (state.last_fraction, ==, 1.0);
  for (guint i = 0; i < 5000 && !g_atomic_int_get (&state.freed); i++)
    g_usleep (1000);
  g_assert_true (g_atomic_int_get (&state.freed));
  g_clear_object (&state.report);

  /* Refused at once, on the caller's thread, for the front desk. */
  ch_reports_run_async (f->desk, "no-shows", params, NULL, NULL, NULL, NULL, async_done, &state);
  g_main_loop_run (state.loop);
  g_assert_error (state.error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&state.error);

  /* Cancelled: no report. */
  g_cancellable_cancel (cancellable);
  ch_reports_run_async (f->boss, "appointments", params, cancellable, NULL, NULL, NULL,
                        async_done, &state);
  g_main_loop_run (state.loop);
  g_assert_error (state.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (state.report);
  g_clear_error (&state.error);

  /* The session is free while it runs, and still works after. */
  {
    g_autoptr (ChReport) again = run (f->boss, "utilisation", "2026-03-01", "2026-03-31", NULL, NULL);
    g_assert_cmpuint (ch_report_get_n_rows (again), ==, 3);
  }
  g_main_loop_unref (state.loop);
}

int
main (int    argc,
      char **argv)
{
  Fixture fixture = { 0 };
  int status;

  g_test_init (&argc, &argv, NULL);
  fixture_setup (&fixture);

  /* One practice for all: logging in is slow on purpose. The tests that
   * add to it add only what the others do not count. */
#define ADD(path, func) g_test_add_data_func (path, &fixture, func)

  g_test_add_func ("/reports/periods", test_periods);
  g_test_add_func ("/reports/params-text", test_params_text);
  g_test_add_func ("/reports/catalogue", test_catalogue);
  ADD ("/reports/appointments", test_appointments);
  ADD ("/reports/utilisation", test_utilisation);
  ADD ("/reports/no-shows", test_no_shows);
  ADD ("/reports/new-patients", test_new_patients);
  ADD ("/reports/demographics", test_demographics);
  ADD ("/reports/active-patients", test_active_patients);
  ADD ("/reports/bad-params", test_bad_params);
  ADD ("/reports/permissions", test_permissions);
  ADD ("/reports/filters", test_filters);
  ADD ("/reports/cancel", test_cancel);
  ADD ("/reports/cancel-statement", test_cancel_statement);
  ADD ("/reports/audit", test_audit);
  ADD ("/reports/async", test_async);

#undef ADD

  status = g_test_run ();
  fixture_teardown (&fixture);
  return status;
}
