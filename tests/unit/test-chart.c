/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-chart"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-chart.h"
#include "ch-patients.h"
#include "ch-test-util.h"
#include "ch-users.h"

typedef struct
{
  char       *dir;
  ChPractice *practice;
  ChSession  *doctor;
  gint64      patient;
} Fixture;

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (ChSession) admin = NULL;
  g_autoptr (ChSession) desk = NULL;
  g_autoptr (ChPatientRecord) patient = ch_patient_record_new ();
  g_autoptr (GError) error = NULL;

  f->dir = ch_test_make_dir ();
  f->practice = ch_test_make_practice (f->dir, NULL);
  admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_assert_true (ch_users_add (admin, "doc", NULL, CH_ROLE_PHYSICIAN, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (admin, "nurse", NULL, CH_ROLE_NURSE, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (admin, "desk", NULL, CH_ROLE_FRONT_DESK, CH_TEST_PASSWORD, &error));
  g_assert_no_error (error);
  ch_session_logout (admin);

  desk = ch_test_login (f->practice, "desk", CH_TEST_PASSWORD);
  patient->given_name = g_strdup ("Ingrid");
  patient->family_name = g_strdup ("Jensen");
  patient->birth_date = g_strdup ("1961-04-12");
  patient->sex = g_strdup ("female");
  g_assert_true (ch_patients_register (desk, patient, &error));
  g_assert_no_error (error);
  f->patient = patient->id;
  ch_session_logout (desk);

  f->doctor = ch_test_login (f->practice, "doc", CH_TEST_PASSWORD);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_clear_object (&f->doctor);
  g_clear_object (&f->practice);
  ch_test_remove_dir (f->dir);
  g_free (f->dir);
}

static ChChartItem *
item (Fixture    *f,
      const char *section,
      const char *display)
{
  ChChartItem *it = ch_chart_item_new (section);

  it->patient_id = f->patient;
  it->display = g_strdup (display);
  return it;
}

static gint64
count_audit (ChSession  *session,
             const char *action,
             const char *object_type)
{
  g_autoptr (GError) error = NULL;
  ChAuditFilter filter = { .action = action };
  g_autoptr (GPtrArray) entries = ch_db_audit_page (ch_session_get_store (session), &filter, 0,
                                                    1000, &error);
  gint64 n = 0;

  for (guint i = 0; i < entries->len; i++)
    if (g_strcmp0 (((ChAuditRecord *) entries->pdata[i])->object_type, object_type) == 0)
      n++;
  return n;
}

static void
test_problems (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChChartItem) htn = item (f, CH_SECTION_PROBLEM, "Essential (primary) hypertension");
  g_autoptr (ChChartItem) flu = item (f, CH_SECTION_PROBLEM, "Influenza");
  g_autoptr (ChChartItem) nameless = item (f, CH_SECTION_PROBLEM, "   ");
  g_autoptr (ChChartSummary) summary = NULL;
  g_autoptr (GPtrArray) history = NULL;
  g_autoptr (GPtrArray) all = NULL;

  htn->code = g_strdup ("I10");
  htn->start_date = g_strdup ("2015-03-01");
  g_assert_true (ch_chart_add (f->doctor, htn, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (htn->code_system, ==, "icd10cm");
  g_assert_cmpstr (htn->clinical_status, ==, "active");

  g_assert_true (ch_chart_add (f->doctor, flu, &error));
  g_assert_false (ch_chart_add (f->doctor, nameless, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  /* Resolved, with the earlier version kept. */
  g_free (flu->clinical_status);
  flu->clinical_status = g_strdup ("resolved");
  flu->end_date = g_strdup ("2024-01-20");
  g_assert_true (ch_chart_update (f->doctor, flu, "Recovered", &error));
  g_assert_no_error (error);
  history = ch_chart_item_history (f->doctor, flu->id, &error);
  g_assert_cmpuint (history->len, ==, 1);
  g_assert_nonnull (strstr (((ChHistoryEntry *) history->pdata[0])->snapshot,
                            "'clinical_status': <'active'>"));
  g_assert_cmpstr (((ChHistoryEntry *) history->pdata[0])->reason, ==, "Recovered");

  /* Active problems first. */
  summary = ch_chart_open (f->doctor, f->patient, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->problems->len, ==, 2);
  g_assert_cmpstr (((ChChartItem *) summary->problems->pdata[0])->code, ==, "I10");
  g_assert_cmpstr (((ChChartItem *) summary->problems->pdata[1])->clinical_status, ==, "resolved");
  g_clear_pointer (&summary, ch_chart_summary_free);

  /* Never deleted: entered in error needs a reason and leaves the list. */
  g_assert_false (ch_chart_entered_in_error (f->doctor, htn->id, "", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (ch_chart_entered_in_error (f->doctor, htn->id, "Wrong patient", &error));
  g_assert_no_error (error);
  summary = ch_chart_open (f->doctor, f->patient, &error);
  g_assert_cmpuint (summary->problems->len, ==, 1);
  all = ch_chart_list (f->doctor, f->patient, CH_SECTION_PROBLEM, TRUE, &error);
  g_assert_cmpuint (all->len, ==, 2);

  g_assert_cmpint (count_audit (f->doctor, CH_AUDIT_CREATE, CH_SECTION_PROBLEM), ==, 2);
  g_assert_cmpint (count_audit (f->doctor, CH_AUDIT_UPDATE, CH_SECTION_PROBLEM), ==, 1);
  g_assert_cmpint (count_audit (f->doctor, CH_AUDIT_DELETE, CH_SECTION_PROBLEM), ==, 1);
  g_assert_cmpint (count_audit (f->doctor, CH_AUDIT_VIEW, "chart"), ==, 2);
}

static void
test_allergies (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChChartSummary) summary = NULL;
  g_autoptr (ChChartItem) penicillin = item (f, CH_SECTION_ALLERGY, "Penicillin");
  g_autoptr (ChChartItem) bad = item (f, CH_SECTION_ALLERGY, "Peanuts");

  /* "No known allergies" is a statement of its own, not an empty list. */
  summary = ch_chart_open (f->doctor, f->patient, &error);
  g_assert_false (summary->no_known_allergies);
  g_clear_pointer (&summary, ch_chart_summary_free);

  g_assert_true (ch_chart_set_no_known_allergies (f->doctor, f->patient, TRUE, &error));
  g_assert_no_error (error);
  summary = ch_chart_open (f->doctor, f->patient, &error);
  g_assert_true (summary->no_known_allergies);
  g_clear_pointer (&summary, ch_chart_summary_free);

  bad->severity = g_strdup ("deadly");
  g_assert_false (ch_chart_add (f->doctor, bad, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  penicillin->reaction = g_strdup ("Hives");
  penicillin->severity = g_strdup ("moderate");
  g_assert_true (ch_chart_add (f->doctor, penicillin, &error));
  g_assert_no_error (error);

  /* Recording one takes "no known allergies" back, and it cannot be said
   * again while the allergy stands. */
  summary = ch_chart_open (f->doctor, f->patient, &error);
  g_assert_false (summary->no_known_allergies);
  g_assert_cmpuint (summary->allergies->len, ==, 1);
  g_assert_cmpstr (((ChChartItem *) summary->allergies->pdata[0])->kind, ==, "drug");
  g_assert_false (ch_chart_set_no_known_allergies (f->doctor, f->patient, TRUE, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
}

static void
test_vitals (Fixture      *f,
             gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChChartSummary) summary = NULL;
  g_autoptr (GPtrArray) weights = NULL;
  const ChVitalInput first[] = {
    { CH_LOINC_HEIGHT, 170, "cm" },
    { CH_LOINC_WEIGHT, 80, "kg" },
    { CH_LOINC_SYSTOLIC, 150, NULL },
    { CH_LOINC_DIASTOLIC, 95, "mm[Hg]" },
    { CH_LOINC_TEMPERATURE, 98.6, "[degF]" },
  };
  const ChVitalInput second[] = {
    { CH_LOINC_WEIGHT, 170, "[lb_av]" },   /* 77.1 kg: down */
    { CH_LOINC_SYSTOLIC, 150, "mm[Hg]" },  /* same */
  };
  const ChVitalInput absurd[] = {
    { CH_LOINC_PULSE, 72, "/min" },
    { CH_LOINC_TEMPERATURE, 60, "Cel" },
  };
  const ChVitalInput wrong_unit[] = { { CH_LOINC_WEIGHT, 80, "cm" } };
  gint64 t0 = g_get_real_time () - (gint64) G_USEC_PER_SEC * 3600;

  g_assert_true (ch_chart_record_vitals (f->doctor, f->patient, 0, t0, first,
                                         G_N_ELEMENTS (first), &error));
  g_assert_no_error (error);
  g_assert_true (ch_chart_record_vitals (f->doctor, f->patient, 0, 0, second,
                                         G_N_ELEMENTS (second), &error));
  g_assert_no_error (error);

  /* An impossible value refuses the whole set. */
  g_assert_false (ch_chart_record_vitals (f->doctor, f->patient, 0, 0, absurd,
                                          G_N_ELEMENTS (absurd), &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ch_chart_record_vitals (f->doctor, f->patient, 0, 0, wrong_unit, 1, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  summary = ch_chart_open (f->doctor, f->patient, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < summary->vitals->len; i++)
    {
      ChVitalSummary *vital = summary->vitals->pdata[i];
      const char *code = vital->latest->code;

      if (g_str_equal (code, CH_LOINC_WEIGHT))
        {
          /* Stored in kilograms whatever it was typed in. */
          g_assert_cmpfloat_with_epsilon (vital->latest->value_num, 77.11, 0.01);
          g_assert_cmpstr (vital->latest->unit, ==, "kg");
          g_assert_cmpint (vital->trend, ==, -1);
        }
      else if (g_str_equal (code, CH_LOINC_SYSTOLIC))
        g_assert_cmpint (vital->trend, ==, 0);
      else if (g_str_equal (code, CH_LOINC_TEMPERATURE))
        g_assert_cmpfloat_with_epsilon (vital->latest->value_num, 37.0, 0.01);
      else if (g_str_equal (code, CH_LOINC_BMI))
        {
          /* 77.1 kg at the 170 cm on record: 26.7, down from 27.7. */
          g_assert_cmpfloat_with_epsilon (vital->latest->value_num, 26.7, 0.05);
          g_assert_cmpint (vital->trend, ==, -1);
        }
      else if (g_str_equal (code, CH_LOINC_PULSE))
        g_assert_not_reached ();
    }
  g_assert_cmpuint (summary->vitals->len, ==, 6);  /* height, weight, BMI, BP×2, temperature */

  weights = ch_chart_series (f->doctor, f->patient, CH_SECTION_VITAL, CH_LOINC_WEIGHT, &error);
  g_assert_cmpuint (weights->len, ==, 2);
  g_assert_cmpfloat (((ChChartItem *) weights->pdata[0])->value_num, ==, 80.0);

  {
    const char *unit = NULL;
    double lb = ch_vital_to_imperial (CH_LOINC_WEIGHT, 77.1107, &unit);
    g_assert_cmpfloat_with_epsilon (lb, 170.0, 0.01);
    g_assert_cmpstr (unit, ==, "[lb_av]");
  }
}

static void
test_results (Fixture      *f,
              gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChChartItem) a1c = item (f, CH_SECTION_LAB, "Hemoglobin A1c");
  g_autoptr (ChChartItem) ldl = item (f, CH_SECTION_LAB, "LDL cholesterol");
  g_autoptr (ChChartItem) empty = item (f, CH_SECTION_LAB, "Glucose");
  g_autoptr (ChChartSummary) summary = NULL;

  a1c->code = g_strdup ("4548-4");
  a1c->has_value = TRUE;
  a1c->value_num = 8.1;
  a1c->unit = g_strdup ("%");
  a1c->has_range = TRUE;
  a1c->ref_low = 4.0;
  a1c->ref_high = 5.6;
  ch_chart_item_set_detail (a1c, "performer", "Riverside Lab");
  g_assert_true (ch_chart_add (f->doctor, a1c, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (a1c->flag, ==, "H");

  ldl->has_value = TRUE;
  ldl->value_num = 90;
  ldl->has_range = TRUE;
  ldl->ref_low = 0;
  ldl->ref_high = 100;
  g_assert_true (ch_chart_add (f->doctor, ldl, &error));
  g_assert_cmpstr (ldl->flag, ==, "");

  g_assert_false (ch_chart_add (f->doctor, empty, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  summary = ch_chart_open (f->doctor, f->patient, &error);
  g_assert_cmpuint (summary->recent_results->len, ==, 2);
  {
    ChChartItem *found = summary->recent_results->pdata[1];
    g_assert_cmpstr (found->code, ==, "4548-4");
    g_assert_cmpstr (found->flag, ==, "H");
    g_assert_cmpstr (ch_chart_item_get_detail (found, "performer"), ==, "Riverside Lab");
  }
}

static void
test_other_sections (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChChartItem) metformin = item (f, CH_SECTION_MEDICATION, "Metformin 500 mg tablet");
  g_autoptr (ChChartItem) smoking = item (f, CH_SECTION_HISTORY, "Former smoker, quit 2010");
  g_autoptr (ChChartItem) bad_history = item (f, CH_SECTION_HISTORY, "Something");
  g_autoptr (ChChartItem) flu_shot = item (f, CH_SECTION_IMMUNIZATION, "Influenza, seasonal");
  g_autoptr (ChChartItem) undated = item (f, CH_SECTION_IMMUNIZATION, "Tdap");
  g_autoptr (ChEncounterRecord) visit = ch_encounter_record_new ();
  g_autoptr (ChChartSummary) summary = NULL;

  ch_chart_item_set_detail (metformin, "dose", "500 mg twice daily");
  metformin->start_date = g_strdup ("2020-06-01");
  g_assert_true (ch_chart_add (f->doctor, metformin, &error));
  g_assert_no_error (error);

  smoking->kind = g_strdup ("social");
  ch_chart_item_set_detail (smoking, "smoking_status", "former");
  g_assert_true (ch_chart_add (f->doctor, smoking, &error));
  g_assert_false (ch_chart_add (f->doctor, bad_history, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  flu_shot->code = g_strdup ("141");
  flu_shot->start_date = g_strdup ("2025-10-02");
  ch_chart_item_set_detail (flu_shot, "lot", "AB1234");
  ch_chart_item_set_detail (flu_shot, "site", "left deltoid");
  g_assert_true (ch_chart_add (f->doctor, flu_shot, &error));
  g_assert_cmpstr (flu_shot->code_system, ==, "cvx");
  g_assert_false (ch_chart_add (f->doctor, undated, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  visit->patient_id = f->patient;
  visit->reason = g_strdup ("Diabetes follow-up");
  visit->kind = g_strdup ("office");
  g_assert_true (ch_chart_add_encounter (f->doctor, visit, &error));
  g_assert_no_error (error);

  summary = ch_chart_open (f->doctor, f->patient, &error);
  g_assert_cmpuint (summary->medications->len, ==, 1);
  g_assert_cmpstr (ch_chart_item_get_detail (summary->medications->pdata[0], "dose"), ==,
                   "500 mg twice daily");
  g_assert_cmpuint (summary->immunizations->len, ==, 1);
  g_assert_cmpuint (summary->encounters->len, ==, 1);

  /* Stopping the medication takes it off the current list. */
  g_free (metformin->clinical_status);
  metformin->clinical_status = g_strdup ("stopped");
  metformin->end_date = g_strdup ("2025-01-01");
  g_assert_true (ch_chart_update (f->doctor, metformin, "Intolerance", &error));
  g_clear_pointer (&summary, ch_chart_summary_free);
  summary = ch_chart_open (f->doctor, f->patient, &error);
  g_assert_cmpuint (summary->medications->len, ==, 0);
}

static void
test_permissions (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChSession) desk = ch_test_login (f->practice, "desk", CH_TEST_PASSWORD);
  g_autoptr (ChSession) nurse = ch_test_login (f->practice, "nurse", CH_TEST_PASSWORD);
  g_autoptr (ChChartItem) by_desk = item (f, CH_SECTION_PROBLEM, "Headache");
  g_autoptr (ChChartItem) by_nurse = item (f, CH_SECTION_ALLERGY, "Latex");
  g_autoptr (ChChartSummary) summary = NULL;

  /* The front desk sees no chart and writes none… */
  g_assert_null (ch_chart_open (desk, f->patient, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ch_chart_add (desk, by_desk, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* …unless the glass is broken, which is audited. */
  g_assert_true (ch_session_break_glass (desk, "Patient collapsed at the desk", &error));
  summary = ch_chart_open (desk, f->patient, &error);
  g_assert_no_error (error);
  g_clear_pointer (&summary, ch_chart_summary_free);

  /* A nurse charts. */
  g_assert_true (ch_chart_add (nurse, by_nurse, &error));
  g_assert_no_error (error);
}

static void
test_merge (Fixture      *f,
            gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChSession) desk = ch_test_login (f->practice, "desk", CH_TEST_PASSWORD);
  g_autoptr (ChSession) admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_autoptr (ChPatientRecord) twin = ch_patient_record_new ();
  g_autoptr (ChChartItem) on_twin = NULL;
  g_autoptr (ChChartItem) on_original = item (f, CH_SECTION_PROBLEM, "Essential (primary) hypertension");
  g_autoptr (ChChartSummary) summary = NULL;
  g_autoptr (GPtrArray) found = NULL;

  twin->given_name = g_strdup ("Ingrid");
  twin->family_name = g_strdup ("Jenssen");
  twin->birth_date = g_strdup ("1961-04-12");
  g_assert_true (ch_patients_register (desk, twin, &error));
  g_assert_no_error (error);

  on_twin = ch_chart_item_new (CH_SECTION_PROBLEM);
  on_twin->patient_id = twin->id;
  on_twin->display = g_strdup ("Asthma");
  g_assert_true (ch_chart_add (f->doctor, on_twin, &error));
  g_assert_true (ch_chart_add (f->doctor, on_original, &error));

  /* Administrators only, with a reason. */
  g_assert_false (ch_patients_merge (f->doctor, twin->id, f->patient, "same person", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ch_patients_merge (admin, twin->id, f->patient, " ", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (ch_patients_merge (admin, twin->id, f->patient, "Misspelt family name", &error));
  g_assert_no_error (error);

  summary = ch_chart_open (f->doctor, f->patient, &error);
  g_assert_cmpuint (summary->problems->len, ==, 2);
  g_clear_pointer (&summary, ch_chart_summary_free);
  found = ch_patients_search (desk, "jenssen", 10, &error);
  g_assert_cmpuint (found->len, ==, 0);
  g_clear_pointer (&found, g_ptr_array_unref);

  /* And back. */
  g_assert_true (ch_patients_unmerge (admin, twin->id, &error));
  g_assert_no_error (error);
  summary = ch_chart_open (f->doctor, f->patient, &error);
  g_assert_cmpuint (summary->problems->len, ==, 1);
  g_clear_pointer (&summary, ch_chart_summary_free);
  summary = ch_chart_open (f->doctor, twin->id, &error);
  g_assert_cmpuint (summary->problems->len, ==, 1);
  g_assert_cmpstr (((ChChartItem *) summary->problems->pdata[0])->display, ==, "Asthma");
  found = ch_patients_search (desk, "jenssen", 10, &error);
  g_assert_cmpuint (found->len, ==, 1);

  g_assert_false (ch_patients_unmerge (admin, twin->id, &error));
  g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/chart/problems", test_problems);
  ADD ("/chart/allergies", test_allergies);
  ADD ("/chart/vitals", test_vitals);
  ADD ("/chart/results", test_results);
  ADD ("/chart/other-sections", test_other_sections);
  ADD ("/chart/permissions", test_permissions);
  ADD ("/chart/merge", test_merge);

  return g_test_run ();
}
