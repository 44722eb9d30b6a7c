/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-reports-quality"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ch-chart.h"
#include "ch-labs.h"
#include "ch-patients.h"
#include "ch-reports.h"
#include "ch-schedule.h"
#include "ch-test-util.h"
#include "ch-users.h"

/* The clinical quality measures on a practice built by hand through the
 * controllers, as of 2026-06-30 (the 12 months from 2025-07-01): every
 * measure's denominator, numerator and exact patient list, with the edges
 * of each definition — ages on the boundaries, a child turning 2 on the
 * first and the last day, entered-in-error items and visits, a resolved
 * problem, a merged record, BP 139/89 against 140/89 and 139/90, the last
 * reading rather than the worst, HbA1c of exactly 9.0, one just before the
 * period, one received from a laboratory, a refused vaccine, a dose after
 * the second birthday, doses on the same day, smoking status at the edge of
 * its 24 months; the provider filter; who may run the reports. */

#define AS_OF "2026-06-30"

typedef struct
{
  char       *dir;
  ChPractice *practice;
  ChSession  *admin;
  ChSession  *doctor;
  ChSession  *doctor2;
  ChSession  *desk;
  ChSession  *manager;
} Fixture;

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = ch_test_make_dir ();
  f->practice = ch_test_make_practice (f->dir, NULL);
  f->admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_assert_true (ch_users_add (f->admin, "doc", NULL, CH_ROLE_PHYSICIAN, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "doc2", NULL, CH_ROLE_PHYSICIAN, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "desk", NULL, CH_ROLE_FRONT_DESK, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "boss", NULL, CH_ROLE_MANAGER, CH_TEST_PASSWORD, &error));
  g_assert_no_error (error);
  f->doctor = ch_test_login (f->practice, "doc", CH_TEST_PASSWORD);
  f->doctor2 = ch_test_login (f->practice, "doc2", CH_TEST_PASSWORD);
  f->desk = ch_test_login (f->practice, "desk", CH_TEST_PASSWORD);
  f->manager = ch_test_login (f->practice, "boss", CH_TEST_PASSWORD);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_clear_object (&f->doctor);
  g_clear_object (&f->doctor2);
  g_clear_object (&f->desk);
  g_clear_object (&f->manager);
  g_clear_object (&f->admin);
  g_clear_object (&f->practice);
  ch_test_remove_dir (f->dir);
  g_free (f->dir);
}

/* ---- building the practice --------------------------------------------------- */

static gint64
at (const char *iso)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (iso, NULL);

  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC;
}

static gint64
patient (Fixture    *f,
         const char *family,
         const char *birth_date)
{
  g_autoptr (ChPatientRecord) record = ch_patient_record_new ();
  g_autoptr (GError) error = NULL;

  record->given_name = g_strdup ("Pat");
  record->family_name = g_strdup (family);
  record->birth_date = g_strdup (birth_date);
  record->sex = g_strdup ("female");
  g_assert_true (ch_patients_register (f->desk, record, &error));
  g_assert_no_error (error);
  return record->id;
}

static gint64
visit_with (ChSession  *session,
            gint64      patient_id,
            const char *iso)
{
  g_autoptr (ChEncounterRecord) encounter = ch_encounter_record_new ();
  g_autoptr (GError) error = NULL;

  encounter->patient_id = patient_id;
  encounter->start_at = at (iso);
  encounter->provider = g_strdup (ch_session_get_username (session));
  encounter->kind = g_strdup ("office");
  encounter->reason = g_strdup ("Review");
  g_assert_true (ch_chart_add_encounter (session, encounter, &error));
  g_assert_no_error (error);
  return encounter->id;
}

static gint64
visit (Fixture    *f,
       gint64      patient_id,
       const char *iso)
{
  return visit_with (f->doctor, patient_id, iso);
}

static gint64
add (Fixture     *f,
     ChChartItem *item)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ch_chart_add (f->doctor, item, &error));
  g_assert_no_error (error);
  return item->id;
}

static gint64
problem (Fixture    *f,
         gint64      patient_id,
         const char *code,
         const char *clinical_status)
{
  g_autoptr (ChChartItem) item = ch_chart_item_new (CH_SECTION_PROBLEM);

  item->patient_id = patient_id;
  item->code = g_strdup (code);
  item->display = g_strdup_printf ("Problem %s", code);
  item->clinical_status = g_strdup (clinical_status);
  item->effective_at = at ("2020-01-01T09:00:00Z");
  return add (f, item);
}

static gint64
hba1c (Fixture    *f,
       gint64      patient_id,
       double      value,
       const char *iso)
{
  g_autoptr (ChChartItem) item = ch_chart_item_new (CH_SECTION_LAB);

  item->patient_id = patient_id;
  item->code = g_strdup ("4548-4");
  item->display = g_strdup ("Hemoglobin A1c");
  item->has_value = TRUE;
  item->value_num = value;
  item->unit = g_strdup ("%");
  item->effective_at = at (iso);
  return add (f, item);
}

static void
vitals (Fixture            *f,
        gint64              patient_id,
        const char         *iso,
        const ChVitalInput *inputs,
        guint               n_inputs)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ch_chart_record_vitals (f->doctor, patient_id, 0, at (iso), inputs, n_inputs, &error));
  g_assert_no_error (error);
}

static void
bp (Fixture    *f,
    gint64      patient_id,
    const char *iso,
    double      systolic,
    double      diastolic)
{
  ChVitalInput inputs[] = {
    { CH_LOINC_SYSTOLIC, systolic, "mm[Hg]" },
    { CH_LOINC_DIASTOLIC, diastolic, "mm[Hg]" },
  };

  vitals (f, patient_id, iso, inputs, diastolic > 0 ? 2 : 1);
}

static void
one_vital (Fixture    *f,
           gint64      patient_id,
           const char *iso,
           const char *code,
           double      value,
           const char *unit)
{
  ChVitalInput input = { code, value, unit };

  vitals (f, patient_id, iso, &input, 1);
}

static void
vaccine (Fixture    *f,
         gint64      patient_id,
         const char *cvx,
         const char *date,
         const char *clinical_status)
{
  g_autoptr (ChChartItem) item = ch_chart_item_new (CH_SECTION_IMMUNIZATION);

  item->patient_id = patient_id;
  item->code = g_strdup (cvx);
  item->display = g_strdup_printf ("CVX %s", cvx);
  item->clinical_status = g_strdup (clinical_status);
  item->start_date = g_strdup (date);
  item->effective_at = at ("2026-01-01T09:00:00Z");
  add (f, item);
}

static gint64
smoking (Fixture    *f,
         gint64      patient_id,
         const char *snomed,
         const char *iso)
{
  g_autoptr (ChChartItem) item = ch_chart_item_new (CH_SECTION_HISTORY);

  item->patient_id = patient_id;
  item->kind = g_strdup ("social");
  item->code_system = g_strdup ("loinc");
  item->code = g_strdup (CH_LOINC_SMOKING_STATUS);
  item->value_text = g_strdup (snomed);
  item->display = g_strdup ("Smoking status");
  item->effective_at = at (iso);
  return add (f, item);
}

static void
in_error (Fixture *f,
          gint64   item_id)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ch_chart_entered_in_error (f->doctor, item_id, "wrong chart", &error));
  g_assert_no_error (error);
}

static char *
mrn_of (Fixture *f,
        gint64   patient_id)
{
  g_autoptr (ChPatientRecord) record = NULL;
  g_autoptr (GError) error = NULL;

  record = ch_patients_get (f->doctor, patient_id, &error);
  g_assert_no_error (error);
  return g_strdup (record->mrn);
}

/* An HbA1c received from a laboratory, through the HL7 import. */
static void
lab_hba1c (Fixture    *f,
           gint64      patient_id,
           const char *family,
           const char *birth,
           const char *value,
           const char *hl7_time)
{
  g_autofree char *mrn = mrn_of (f, patient_id);
  g_auto (GStrv) ymd = g_strsplit (birth, "-", 3);
  g_autofree char *text = NULL;
  g_autoptr (GBytes) raw = NULL;
  g_auto (ChLabsImportResult) result = { 0 };
  g_autoptr (GError) error = NULL;

  text = g_strdup_printf ("MSH|^~\\&|LIS|ACME LAB|CHARTA|OAKWOOD|%s||ORU^R01|Q%s|P|2.5.1\r"
                          "PID|1||%s^^^OAKWOOD^MR||%s^Pat||%s%s%s|F\r"
                          "OBR|1|ORDQ%s|FILQ%s|4548-4^HbA1c^LN|||%s|||||||||||||||%s|||F\r"
                          "OBX|1|NM|4548-4^Hemoglobin A1c^LN||%s|%%|4.0-5.6||||F|||%s\r",
                          hl7_time, mrn, mrn, family, ymd[0], ymd[1], ymd[2], mrn, mrn,
                          hl7_time, hl7_time, value, hl7_time);
  raw = g_bytes_new (text, strlen (text));
  g_assert_true (ch_labs_import_message (f->doctor, raw, CH_LABS_SOURCE_CLI, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result.outcome, ==, CH_LABS_OUTCOME_IMPORTED);
}

static void
put_provider (Fixture    *f,
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
  g_assert_true (ch_schedule_put_resource (f->desk, resource, &error));
  g_assert_no_error (error);
}

/* The practice: patients named by family name, sorted as the lists are. */
static void
build_practice (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  gint64 id, other;

  /* Diabetes, 18–75 on 2026-06-30. */
  id = patient (f, "Adams", "2008-06-30");               /* 18 that day: in */
  visit (f, id, "2026-01-10T10:00:00Z");
  problem (f, id, "E11.9", "active");
  hba1c (f, id, 7.5, "2026-01-10T10:30:00Z");

  id = patient (f, "Baker", "1950-07-01");               /* 75, 76 tomorrow: in */
  visit (f, id, "2025-07-01T00:00:00Z");                 /* the first moment of the period */
  problem (f, id, "E10.9", "active");
  hba1c (f, id, 9.0, "2026-06-30T23:59:00Z");            /* exactly 9.0: not poor control */

  id = patient (f, "Clark", "1950-06-30");               /* 76 that day: out */
  visit (f, id, "2026-02-01T10:00:00Z");
  problem (f, id, "E11.9", "active");

  id = patient (f, "Davis", "2008-07-01");               /* 17: out */
  visit (f, id, "2026-02-01T10:00:00Z");
  problem (f, id, "E11.9", "active");

  id = patient (f, "Evans", "1980-01-01");
  visit (f, id, "2026-02-01T10:00:00Z");
  problem (f, id, "E13.9", "active");
  hba1c (f, id, 6.5, "2025-06-30T23:00:00Z");            /* just before the period */

  id = patient (f, "Fox", "1970-05-05");
  visit (f, id, "2026-03-01T09:00:00Z");
  problem (f, id, "E11.65", "active");
  hba1c (f, id, 8.0, "2025-10-01T10:00:00Z");
  lab_hba1c (f, id, "Fox", "1970-05-05", "9.4", "20260301080000");  /* later, from the lab */

  id = patient (f, "Green", "1970-01-01");
  visit (f, id, "2026-02-01T10:00:00Z");
  problem (f, id, "E11.9", "resolved");

  id = patient (f, "Hill", "1970-01-01");
  visit (f, id, "2026-02-01T10:00:00Z");
  in_error (f, problem (f, id, "E11.9", "active"));

  id = patient (f, "Irwin", "1970-01-01");
  visit (f, id, "2026-02-01T10:00:00Z");
  problem (f, id, "E11.9", "active");
  problem (f, id, "E12.0", "active");
  in_error (f, hba1c (f, id, 6.0, "2026-02-01T10:30:00Z"));

  id = patient (f, "Jones", "1970-01-01");               /* no visit in the period */
  visit (f, id, "2025-06-30T12:00:00Z");
  visit (f, id, "2026-07-01T00:00:00Z");
  problem (f, id, "E11.9", "active");

  id = patient (f, "King", "1970-01-01");                /* a visit entered in error only */
  other = visit (f, id, "2026-02-01T10:00:00Z");
  problem (f, id, "E11.9", "active");
  {
    g_autofree char *sql = g_strdup_printf ("UPDATE encounters SET status = 'entered-in-error'"
                                            " WHERE id = %" G_GINT64_FORMAT, other);
    g_assert_true (ch_store_exec (ch_session_get_store (f->doctor), sql, &error));
    g_assert_no_error (error);
  }

  /* Hypertension, 18–85. */
  id = patient (f, "Lopez", "1940-07-01");               /* 85: in */
  visit (f, id, "2026-04-01T10:00:00Z");
  problem (f, id, "I10", "active");
  bp (f, id, "2026-04-01T10:05:00Z", 139, 89);

  id = patient (f, "Moore", "1940-06-30");               /* 86: out */
  visit (f, id, "2026-04-01T10:00:00Z");
  problem (f, id, "I10", "active");
  bp (f, id, "2026-04-01T10:05:00Z", 120, 70);

  id = patient (f, "Nash", "1960-01-01");
  visit (f, id, "2026-04-01T10:00:00Z");
  visit_with (f->doctor2, id, "2026-06-01T10:00:00Z");  /* last visit: doc2 */
  problem (f, id, "I10", "active");
  bp (f, id, "2026-04-01T10:05:00Z", 140, 89);

  id = patient (f, "Owens", "1960-01-01");
  visit (f, id, "2026-04-01T10:00:00Z");
  problem (f, id, "I11.9", "active");
  bp (f, id, "2026-04-01T10:05:00Z", 139, 90);

  id = patient (f, "Price", "1960-01-01");
  visit_with (f->doctor2, id, "2025-08-01T10:00:00Z");
  visit (f, id, "2026-05-01T10:00:00Z");                /* last visit: doc */
  problem (f, id, "I10", "active");
  bp (f, id, "2025-09-01T10:05:00Z", 170, 100);          /* the worst */
  bp (f, id, "2026-05-01T10:05:00Z", 130, 80);
  bp (f, id, "2026-05-15T10:05:00Z", 139.6, 80);         /* the last reading: under 140, not "140" */
  bp (f, id, "2026-06-01T10:05:00Z", 180, -1);           /* a systolic alone: not a reading */

  id = patient (f, "Quinn", "1960-01-01");
  visit (f, id, "2026-04-01T10:00:00Z");
  problem (f, id, "I10", "active");
  bp (f, id, "2025-06-30T10:00:00Z", 120, 70);           /* before the period */

  id = patient (f, "Reyes", "1960-01-01");
  visit (f, id, "2026-04-01T10:00:00Z");
  problem (f, id, "I16.0", "active");
  bp (f, id, "2026-03-01T10:05:00Z", 150, 95);
  bp (f, id, "2026-04-01T10:05:00Z", 120, 80);
  {
    g_autoptr (GPtrArray) list = ch_chart_series (f->doctor, id, CH_SECTION_VITAL, CH_LOINC_SYSTOLIC,
                                                  &error);

    g_assert_no_error (error);
    for (guint i = 0; i < list->len; i++)
      {
        ChChartItem *item = list->pdata[i];

        if (item->effective_at == at ("2026-04-01T10:05:00Z"))
          in_error (f, item->id);
      }
  }

  id = patient (f, "Silva", "1960-01-01");               /* angina, not hypertension */
  visit (f, id, "2026-04-01T10:00:00Z");
  problem (f, id, "I20.9", "active");
  bp (f, id, "2026-04-01T10:05:00Z", 120, 70);

  /* Children turning 2 from 2025-07-01 to 2026-06-30. */
  id = patient (f, "Tate", "2023-07-01");                /* 2 on the first day */
  visit (f, id, "2025-07-15T10:00:00Z");
  for (int i = 0; i < 4; i++)
    {
      static const char *days[] = { "2023-09-01", "2023-11-01", "2024-01-01", "2025-07-01" };

      vaccine (f, id, "120", days[i], i == 3 ? "historical" : "given");  /* DTaP-Hib-IPV */
      vaccine (f, id, "133", days[i], "given");                         /* PCV13, the 4th on the birthday */
    }
  vaccine (f, id, "08", "2023-07-02", "given");
  vaccine (f, id, "08", "2023-09-01", "given");
  vaccine (f, id, "08", "2024-01-01", "given");
  vaccine (f, id, "94", "2024-07-01", "given");          /* MMRV */

  id = patient (f, "Upton", "2024-06-30");               /* 2 on the last day */
  visit (f, id, "2026-06-30T10:00:00Z");
  for (int i = 0; i < 4; i++)
    {
      static const char *days[] = { "2024-08-30", "2024-10-30", "2024-12-30", "2025-06-30" };

      vaccine (f, id, "20", days[i], "given");
      vaccine (f, id, "133", days[i], i == 3 ? "refused" : "given");
    }
  vaccine (f, id, "10", "2024-08-30", "given");
  vaccine (f, id, "10", "2024-10-30", "given");
  vaccine (f, id, "10", "2025-06-30", "given");
  vaccine (f, id, "48", "2024-08-30", "given");
  vaccine (f, id, "48", "2024-10-30", "given");
  vaccine (f, id, "48", "2025-06-30", "given");
  vaccine (f, id, "08", "2024-07-01", "given");
  vaccine (f, id, "08", "2024-08-30", "given");
  vaccine (f, id, "08", "2025-03-01", "given");
  vaccine (f, id, "03", "2025-07-01", "given");
  vaccine (f, id, "21", "2025-07-01", "given");

  id = patient (f, "Vance", "2023-06-30");               /* turned 2 the day before: out */
  visit (f, id, "2025-08-01T10:00:00Z");

  id = patient (f, "White", "2024-07-01");               /* 2 the day after: out */
  visit (f, id, "2026-06-01T10:00:00Z");

  id = patient (f, "Young", "2024-01-15");
  visit (f, id, "2026-02-01T10:00:00Z");
  vaccine (f, id, "110", "2024-03-15", "given");         /* DTaP-HepB-IPV */
  vaccine (f, id, "110", "2024-05-15", "given");
  vaccine (f, id, "120", "2024-07-15", "given");         /* DTaP-Hib-IPV */
  vaccine (f, id, "20", "2026-01-16", "given");          /* the 4th DTaP a day late */
  vaccine (f, id, "08", "2024-05-15", "given");          /* HepB again the same day: once */
  vaccine (f, id, "49", "2024-03-15", "given");
  vaccine (f, id, "49", "2024-05-15", "given");
  vaccine (f, id, "49", "2025-01-15", "given");
  vaccine (f, id, "04", "2025-01-15", "given");          /* measles-rubella and mumps: MMR */
  vaccine (f, id, "07", "2025-01-15", "given");
  vaccine (f, id, "21", "2025-01-15", "given");
  for (int i = 0; i < 4; i++)
    {
      static const char *days[] = { "2024-03-15", "2024-05-15", "2024-07-15", "2025-01-15" };

      vaccine (f, id, "133", days[i], "given");
    }

  /* BMI. */
  id = patient (f, "Zhang", "1990-01-01");
  visit (f, id, "2026-03-01T10:00:00Z");
  {
    ChVitalInput inputs[] = { { CH_LOINC_WEIGHT, 70, "kg" }, { CH_LOINC_HEIGHT, 170, "cm" } };

    vitals (f, id, "2026-03-01T10:05:00Z", inputs, 2);   /* BMI computed: 24.2 */
  }

  id = patient (f, "Ames", "1990-01-01");
  visit (f, id, "2026-03-01T10:00:00Z");
  one_vital (f, id, "2025-06-30T10:00:00Z", CH_LOINC_BMI, 31, "kg/m2");

  id = patient (f, "Bell", "1990-01-01");
  visit (f, id, "2026-03-01T10:00:00Z");
  one_vital (f, id, "2025-09-01T10:00:00Z", CH_LOINC_WEIGHT, 80, "kg");   /* no height yet: no BMI */
  one_vital (f, id, "2026-03-01T10:00:00Z", CH_LOINC_HEIGHT, 180, "cm");

  id = patient (f, "Cruz", "1990-01-01");
  visit (f, id, "2026-03-01T10:00:00Z");
  one_vital (f, id, "2026-03-01T10:00:00Z", CH_LOINC_HEIGHT, 160, "cm");

  /* Smoking status, from 13. */
  id = patient (f, "Diaz", "2013-06-30");                /* 13: in */
  visit (f, id, "2026-03-01T10:00:00Z");
  smoking (f, id, "266919005", "2026-03-01T10:00:00Z");

  id = patient (f, "Ellis", "2013-07-01");               /* 12: out */
  visit (f, id, "2026-03-01T10:00:00Z");
  smoking (f, id, "266919005", "2026-03-01T10:00:00Z");

  id = patient (f, "Ford", "1980-01-01");
  visit (f, id, "2026-03-01T10:00:00Z");
  smoking (f, id, "8517006", "2024-07-01T00:00:00Z");    /* the first moment of the 24 months */

  id = patient (f, "Gray", "1980-01-01");
  visit (f, id, "2026-03-01T10:00:00Z");
  smoking (f, id, "449868002", "2024-06-30T23:59:00Z");  /* just before */

  id = patient (f, "Hunt", "1980-01-01");
  visit (f, id, "2026-03-01T10:00:00Z");
  in_error (f, smoking (f, id, "449868002", "2026-03-01T10:00:00Z"));

  /* A record merged into another counts nowhere. */
  id = patient (f, "Ivy", "1990-01-01");
  visit (f, id, "2026-03-01T10:00:00Z");
  other = patient (f, "Ivory", "1990-01-01");
  visit (f, other, "2026-03-01T10:00:00Z");
  g_assert_true (ch_patients_merge (f->admin, id, other, "Duplicate record", &error));
  g_assert_no_error (error);

  put_provider (f, "garcia", "Dr García", "doc2");
  put_provider (f, "locum", "Dr Locum", NULL);
}

/* ---- reading reports ------------------------------------------------------------ */

static ChReport *
run (ChSession   *session,
     const char  *name,
     const char  *provider,
     const char  *measure,
     const char  *which,
     GError     **error)
{
  g_autoptr (ChReportParams) params = ch_report_params_new (AS_OF, AS_OF);

  params->provider = g_strdup (provider);
  if (measure != NULL)
    ch_report_params_set_option (params, "measure", measure);
  if (which != NULL)
    ch_report_params_set_option (params, "which", which);
  return ch_reports_run (session, name, params, NULL, NULL, NULL, error);
}

/* "Family:Met" for each row, "; "-joined: the exact list in its order. */
static char *
list_of (ChReport *list)
{
  GString *text = g_string_new (NULL);

  g_assert_cmpuint (ch_report_get_n_columns (list), ==, 6);
  for (guint i = 0; i < ch_report_get_n_rows (list); i++)
    {
      g_autofree char *name = ch_report_format_cell (list, i, 0);
      g_autofree char *met = ch_report_format_cell (list, i, 3);
      char *comma = strchr (name, ',');

      if (comma != NULL)
        *comma = '\0';
      g_string_append_printf (text, "%s%s:%s", i > 0 ? "; " : "", name, met);
      /* Every row opens its patient's chart. */
      g_assert_cmpint (ch_report_get_row_patient (list, i), >, 0);
    }
  return g_string_free (text, FALSE);
}

/* The row of @family in @list, or fails. */
static guint
row_of (ChReport   *list,
        const char *family)
{
  g_autofree char *prefix = g_strdup_printf ("%s, ", family);

  for (guint i = 0; i < ch_report_get_n_rows (list); i++)
    {
      g_autofree char *name = ch_report_format_cell (list, i, 0);

      if (g_str_has_prefix (name, prefix))
        return i;
    }
  g_error ("%s is not in the list", family);
}

static void
assert_value (ChReport   *list,
              const char *family,
              const char *value,
              const char *date)
{
  guint row = row_of (list, family);
  g_autofree char *got_value = ch_report_format_cell (list, row, 4);
  g_autofree char *got_date = ch_report_format_cell (list, row, 5);

  g_assert_cmpstr (got_value, ==, value);
  g_assert_cmpstr (got_date, ==, date);
}

static void
assert_measure (ChReport   *report,
                guint       row,
                gint64      denominator,
                gint64      numerator,
                const char *patients)
{
  ChReport *detail;
  GVariant *cell;
  g_autofree char *list = NULL;

  g_assert_cmpint (g_variant_get_int64 (ch_report_get_cell (report, row, 1)), ==, denominator);
  g_assert_cmpint (g_variant_get_int64 (ch_report_get_cell (report, row, 2)), ==, numerator);
  cell = ch_report_get_cell (report, row, 3);
  if (denominator == 0)
    g_assert_null (cell);
  else
    g_assert_cmpfloat_with_epsilon (g_variant_get_double (cell), 100.0 * numerator / denominator, 1e-9);

  detail = ch_report_get_row_detail (report, row);
  g_assert_nonnull (detail);
  list = list_of (detail);
  g_assert_cmpstr (list, ==, patients);
}

#define DIABETES_TESTED "Adams:Yes; Baker:Yes; Evans:No; Fox:Yes; Irwin:No"
#define DIABETES_POOR "Adams:No; Baker:No; Evans:Yes; Fox:Yes; Irwin:Yes"
#define BP_CONTROLLED "Lopez:Yes; Nash:No; Owens:No; Price:Yes; Quinn:No; Reyes:No"
#define CHILDREN "Tate:Yes; Upton:No; Young:No"
#define BMI_LIST "Adams:No; Ames:No; Baker:No; Bell:Yes; Clark:No; Cruz:No; Evans:No; Ford:No; " \
  "Fox:No; Gray:No; Green:No; Hill:No; Hunt:No; Irwin:No; Ivory:No; Lopez:No; Moore:No; Nash:No; " \
  "Owens:No; Price:No; Quinn:No; Reyes:No; Silva:No; Zhang:Yes"
#define SMOKING_LIST "Adams:No; Ames:No; Baker:No; Bell:No; Clark:No; Cruz:No; Davis:No; Diaz:Yes; " \
  "Evans:No; Ford:Yes; Fox:No; Gray:No; Green:No; Hill:No; Hunt:No; Irwin:No; Ivory:No; Lopez:No; " \
  "Moore:No; Nash:No; Owens:No; Price:No; Quinn:No; Reyes:No; Silva:No; Zhang:No"

static void check_patient_lists (Fixture *f);

static void
test_measures (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (ChReport) report = NULL;
  g_autoptr (GError) error = NULL;
  const ChReportChart *chart;
  ChReport *detail;

  build_practice (f);
  report = run (f->doctor, "quality", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_assert_cmpuint (ch_report_get_n_rows (report), ==, 6);
  g_assert_cmpuint (ch_report_get_n_columns (report), ==, 5);

  assert_measure (report, 0, 5, 3, DIABETES_TESTED);
  assert_measure (report, 1, 5, 3, DIABETES_POOR);
  assert_measure (report, 2, 6, 2, BP_CONTROLLED);
  assert_measure (report, 3, 3, 1, CHILDREN);
  assert_measure (report, 4, 24, 2, BMI_LIST);
  assert_measure (report, 5, 26, 2, SMOKING_LIST);

  /* The inverse measure says so; the others do not. */
  {
    g_autofree char *poor = ch_report_format_cell (report, 1, 4);
    g_autofree char *tested = ch_report_format_cell (report, 0, 4);

    g_assert_cmpstr (poor, ==, "lower is better");
    g_assert_cmpstr (tested, ==, "");
  }

  /* What decided each. */
  detail = ch_report_get_row_detail (report, 1);
  assert_value (detail, "Fox", "9.4 %", "2026-03-01");
  assert_value (detail, "Baker", "9.0 %", "2026-06-30");
  assert_value (detail, "Evans", "None in the 12 months", "");
  detail = ch_report_get_row_detail (report, 2);
  assert_value (detail, "Price", "139.6/80 mm Hg", "2026-05-15");
  assert_value (detail, "Reyes", "150/95 mm Hg", "2026-03-01");
  assert_value (detail, "Lopez", "139/89 mm Hg", "2026-04-01");
  assert_value (detail, "Quinn", "None in the 12 months", "");
  detail = ch_report_get_row_detail (report, 3);
  assert_value (detail, "Tate", "All doses by age 2", "2025-07-01");
  assert_value (detail, "Upton", "Missing: PCV 3/4", "2026-06-30");
  assert_value (detail, "Young", "Missing: DTaP 3/4, HepB 2/3", "2026-01-15");
  detail = ch_report_get_row_detail (report, 4);
  assert_value (detail, "Zhang", "24.2 kg/m²", "2026-03-01");
  assert_value (detail, "Bell", "Weight and height", "2026-03-01");
  detail = ch_report_get_row_detail (report, 5);
  assert_value (detail, "Diaz", "Never smoker", "2026-03-01");
  assert_value (detail, "Ford", "Former smoker", "2024-07-01");

  /* Bars of the rates, one a measure. */
  chart = ch_report_get_chart (report);
  g_assert_nonnull (chart);
  g_assert_cmpint (chart->kind, ==, CH_REPORT_CHART_BARS);
  g_assert_cmpint (chart->format, ==, CH_REPORT_VALUE_PERCENT);
  g_assert_cmpuint (chart->categories->len, ==, 6);
  g_assert_cmpuint (chart->series->len, ==, 1);
  g_assert_cmpfloat_with_epsilon (g_array_index (((ChReportSeries *) chart->series->pdata[0])->values,
                                                 double, 2), 100.0 * 2 / 6, 1e-9);

  check_patient_lists (f);
}

/* The same practice through "quality-patients": met and not met, by
 * provider, and bad options. */
static void
check_patient_lists (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  {
    g_autoptr (ChReport) list = run (f->doctor, "quality-patients", NULL, "bp-controlled", "not-met", &error);
    g_autofree char *text = NULL;

    g_assert_no_error (error);
    text = list_of (list);
    g_assert_cmpstr (text, ==, "Nash:No; Owens:No; Quinn:No; Reyes:No");
  }
  {
    g_autoptr (ChReport) list = run (f->doctor, "quality-patients", NULL, "bp-controlled", "met", &error);
    g_autofree char *text = NULL;

    g_assert_no_error (error);
    text = list_of (list);
    g_assert_cmpstr (text, ==, "Lopez:Yes; Price:Yes");
  }
  {
    g_autoptr (ChReport) list = run (f->manager, "quality-patients", NULL, "hba1c-poor", NULL, &error);
    g_autofree char *text = NULL;

    g_assert_no_error (error);
    text = list_of (list);
    g_assert_cmpstr (text, ==, DIABETES_POOR);
  }
  {
    g_autoptr (ChReport) list = run (f->doctor, "quality-patients", NULL, "smoking", "met", &error);
    g_autofree char *text = NULL;

    g_assert_no_error (error);
    text = list_of (list);
    g_assert_cmpstr (text, ==, "Diaz:Yes; Ford:Yes");
  }

  /* By provider: the provider of the last visit in the period. */
  {
    g_autoptr (ChReport) list = run (f->doctor, "quality-patients", "garcia", "bp-controlled", NULL, &error);
    g_autofree char *text = NULL;

    g_assert_no_error (error);
    text = list_of (list);
    g_assert_cmpstr (text, ==, "Nash:No");
  }
  {
    g_autoptr (ChReport) report = run (f->doctor, "quality", "locum", NULL, NULL, &error);

    g_assert_no_error (error);
    for (guint i = 0; i < 6; i++)
      assert_measure (report, i, 0, 0, "");
  }

  /* Bad input: a clear error, no report. */
  {
    g_autoptr (ChReport) list = run (f->doctor, "quality-patients", NULL, "cholesterol", NULL, &error);

    g_assert_null (list);
    g_assert_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID);
    g_clear_error (&error);
  }
  {
    g_autoptr (ChReport) list = run (f->doctor, "quality-patients", NULL, "bmi", "maybe", &error);

    g_assert_null (list);
    g_assert_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID);
    g_clear_error (&error);
  }
  {
    g_autoptr (ChReport) list = run (f->doctor, "quality", "nobody", NULL, NULL, &error);

    g_assert_null (list);
    g_assert_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
}

/* Earlier and later days move the period: the same practice as of
 * 2025-06-30 has Evans's HbA1c inside it, and nobody's visits of 2026. */
static void
test_period_moves (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (ChReportParams) params = ch_report_params_new ("2025-06-30", "2025-06-30");
  g_autoptr (ChReport) list = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  gint64 id;

  id = patient (f, "Evans", "1980-01-01");
  visit (f, id, "2025-06-01T10:00:00Z");
  problem (f, id, "E13.9", "active");
  hba1c (f, id, 6.5, "2025-06-30T23:00:00Z");
  id = patient (f, "Adams", "1980-01-01");
  visit (f, id, "2026-01-01T10:00:00Z");
  problem (f, id, "E11.9", "active");

  ch_report_params_set_option (params, "measure", "hba1c-tested");
  list = ch_reports_run (f->doctor, "quality-patients", params, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  text = list_of (list);
  g_assert_cmpstr (text, ==, "Evans:Yes");
}

static void
test_permissions (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  ChReport *report;

  /* The front desk reads no reports; the administrator sees counts, not
   * names, and these name patients. */
  report = run (f->desk, "quality", NULL, NULL, NULL, &error);
  g_assert_null (report);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  report = run (f->admin, "quality", NULL, NULL, NULL, &error);
  g_assert_null (report);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  report = run (f->admin, "quality-patients", NULL, "bmi", NULL, &error);
  g_assert_null (report);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* Both are listed, naming patients, as of a day. */
  for (guint i = 0; i < 2; i++)
    {
      const ChReportDef *def = ch_reports_find (i == 0 ? "quality" : "quality-patients");

      g_assert_nonnull (def);
      g_assert_true (def->names_patients);
      g_assert_false (def->period);
      g_assert_true (def->provider);
    }

  report = run (f->manager, "quality", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_object_unref (report);
}

/* A provider without an account (a locum) is named on their encounters by
 * resource id: the provider filter finds their patients by it. */
static void
test_provider_without_account (Fixture      *f,
                               gconstpointer data)
{
  g_autoptr (ChEncounterRecord) encounter = ch_encounter_record_new ();
  g_autoptr (ChReport) list = NULL;
  g_autoptr (ChReport) report = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  build_practice (f);
  encounter->patient_id = patient (f, "Kerr", "1970-05-05");
  encounter->start_at = at ("2026-04-01T09:00:00Z");
  encounter->provider = g_strdup ("locum");
  encounter->kind = g_strdup ("office");
  encounter->reason = g_strdup ("Locum clinic");
  g_assert_true (ch_chart_add_encounter (f->doctor, encounter, &error));
  g_assert_no_error (error);

  list = run (f->doctor, "quality-patients", "locum", "bmi", NULL, &error);
  g_assert_no_error (error);
  text = list_of (list);
  g_assert_cmpstr (text, ==, "Kerr:No");

  report = run (f->doctor, "quality", "locum", NULL, NULL, &error);
  g_assert_no_error (error);
  /* Each measure's patients, made when first asked for. */
  for (guint i = 0; i < 6; i++)
    g_assert_true (ch_report_has_row_detail (report, i));
  assert_measure (report, 4, 1, 0, "Kerr:No");
  assert_measure (report, 0, 0, 0, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/reports/quality/measures", test_measures);
  ADD ("/reports/quality/period-moves", test_period_moves);
  ADD ("/reports/quality/permissions", test_permissions);
  ADD ("/reports/quality/provider-without-account", test_provider_without_account);

  return g_test_run ();
}
