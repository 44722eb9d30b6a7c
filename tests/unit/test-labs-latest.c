/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-labs-latest"

#include "config.h"

#include <string.h>

#include "ch-labs.h"
#include "ch-store-private.h"
#include "ch-test-util.h"
#include "ch-users.h"

/* ch_labs_list_latest(), what the chart summary shows of the lab's
 * results: the newest current result of each test, newest first, with a
 * limit and a time bound, never one cancelled or entered in error, for
 * clinical readers only and without an audit entry of its own. */

typedef struct
{
  char       *dir;
  ChPractice *practice;
  ChSession  *admin;
  ChSession  *doctor;
  ChSession  *desk;
  gint64      patient_id;
} Fixture;

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (ChPatientRecord) patient = ch_patient_record_new ();
  g_autoptr (GError) error = NULL;
  ChStore *store;

  f->dir = ch_test_make_dir ();
  f->practice = ch_test_make_practice (f->dir, NULL);
  f->admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_assert_true (ch_users_add (f->admin, "doc", NULL, CH_ROLE_PHYSICIAN, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "desk", NULL, CH_ROLE_FRONT_DESK, CH_TEST_PASSWORD,
                               &error));
  g_assert_no_error (error);
  f->doctor = ch_test_login (f->practice, "doc", CH_TEST_PASSWORD);
  f->desk = ch_test_login (f->practice, "desk", CH_TEST_PASSWORD);

  patient->mrn = g_strdup ("M100");
  patient->given_name = g_strdup ("Jane");
  patient->family_name = g_strdup ("Doe");
  patient->birth_date = g_strdup ("1980-01-01");
  store = ch_session_get_store (f->desk);
  g_assert_true (ch_store_begin (store, &error));
  g_assert_true (ch_db_patient_insert (store, patient, &error));
  g_assert_true (ch_store_commit (store, &error));
  g_assert_no_error (error);
  f->patient_id = patient->id;
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_clear_object (&f->doctor);
  g_clear_object (&f->desk);
  g_clear_object (&f->admin);
  g_clear_object (&f->practice);
  ch_test_remove_dir (f->dir);
  g_free (f->dir);
}

/* HL7 time @days_ago days before now, "" for none. */
static char *
hl7_time (int days_ago)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) then = NULL;

  if (days_ago < 0)
    return g_strdup ("");
  then = g_date_time_add_days (now, -days_ago);
  return g_date_time_format (then, "%Y%m%d%H%M%S");
}

/* An ORU^R01 for Jane Doe: one order (@filler) observed @days_ago days
 * ago (-1: no time), its OBX segments @obx ("code^name|value|units|range|
 * flag|status" each, separated by ';'). */
static void
import (Fixture    *f,
        const char *control_id,
        const char *filler,
        int         days_ago,
        const char *obx)
{
  g_autofree char *when = hl7_time (days_ago);
  g_auto (GStrv) segments = g_strsplit (obx, ";", -1);
  g_auto (ChLabsImportResult) result = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) raw = NULL;
  GString *m = g_string_new (NULL);

  g_string_append_printf (m, "MSH|^~\\&|LIS|ACME LAB|CHARTA|OAKWOOD|20240401120000||ORU^R01|%s|"
                          "P|2.5.1\r", control_id);
  g_string_append (m, "PID|1||M100^^^OAKWOOD^MR||Doe^Jane||19800101|F\r");
  g_string_append_printf (m, "OBR|1|P%s|%s|PANEL^Panel^L|||%s||||||||||||||||||F\r", filler,
                          filler, when);
  for (guint i = 0; segments[i] != NULL; i++)
    {
      g_auto (GStrv) field = g_strsplit (segments[i], "|", -1);

      g_assert_cmpuint (g_strv_length (field), ==, 6);
      g_string_append_printf (m, "OBX|%u|NM|%s^LN||%s|%s|%s|%s|||%s|||%s\r", i + 1, field[0],
                              field[1], field[2], field[3], field[4], field[5], when);
    }
  raw = g_string_free_to_bytes (m);
  g_assert_true (ch_labs_import_message (f->doctor, raw, CH_LABS_SOURCE_FILE, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result.outcome, ==, CH_LABS_OUTCOME_IMPORTED);
}

static gint64
count_audit (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  ChStore *store = ch_session_get_store (f->doctor);
  sqlite3_stmt *stmt = ch_store_prepare (store, "SELECT count (*) FROM audit", &error);
  gint64 n;

  g_assert_no_error (error);
  g_assert_cmpint (ch_store_step (store, stmt, &error), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

static const ChLabResult *
at (GPtrArray *list,
    guint      i)
{
  g_assert_cmpuint (i, <, list->len);
  return g_ptr_array_index (list, i);
}

static void
test_latest (Fixture      *f,
             gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) two = NULL;
  g_autoptr (GPtrArray) recent = NULL;
  g_autoptr (GPtrArray) history = NULL;
  gint64 audits;

  /* Ten days ago: potassium critically high, sodium, glucose. */
  import (f, "A", "FIL1", 10,
          "2823-3^Potassium|6.8|mmol/L|3.5-5.1|HH|F;"
          "2951-2^Sodium|140|mmol/L|136-145|N|F;"
          "2345-7^Glucose|98|mg/dL|70-99||F");
  /* Two days ago, another order: potassium again, normal; a chloride
   * entered in error, which says nothing. */
  import (f, "B", "FIL2", 2,
          "2823-3^Potassium|4.0|mmol/L|3.5-5.1|N|F;"
          "2075-0^Chloride|100|mmol/L|98-107||W");
  /* No time at all: haemoglobin. */
  import (f, "C", "FIL3", -1, "718-7^Hemoglobin|13.5|g/dL|12-16||F");

  audits = count_audit (f);
  all = ch_labs_list_latest (f->doctor, f->patient_id, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_audit (f), ==, audits);

  /* Each test once, its newest first (those of one time in the lab's
   * order); the untimed last; no chloride. */
  g_assert_cmpuint (all->len, ==, 4);
  g_assert_cmpstr (at (all, 0)->code, ==, "2823-3");
  g_assert_cmpstr (at (all, 0)->value, ==, "4.0");
  g_assert_cmpstr (at (all, 0)->abnormal_flags, ==, "N");
  g_assert_cmpstr (at (all, 1)->code, ==, "2951-2");
  g_assert_cmpstr (at (all, 1)->units, ==, "mmol/L");
  g_assert_cmpstr (at (all, 1)->reference_range, ==, "136-145");
  g_assert_cmpstr (at (all, 1)->text, ==, "Sodium");
  g_assert_cmpstr (at (all, 2)->code, ==, "2345-7");
  g_assert_cmpstr (at (all, 3)->code, ==, "718-7");
  g_assert_false (at (all, 3)->has_observed_ts);
  for (guint i = 0; i < all->len; i++)
    g_assert_true (at (all, i)->current);

  two = ch_labs_list_latest (f->doctor, f->patient_id, 0, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (two->len, ==, 2);
  g_assert_cmpstr (at (two, 0)->code, ==, "2823-3");
  g_assert_cmpstr (at (two, 1)->code, ==, "2951-2");

  /* Within five days: the newer potassium only. */
  recent = ch_labs_list_latest (f->doctor, f->patient_id,
                                g_get_real_time () - 5 * G_TIME_SPAN_DAY, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recent->len, ==, 1);
  g_assert_cmpstr (at (recent, 0)->value, ==, "4.0");
  g_clear_pointer (&recent, g_ptr_array_unref);

  /* A correction of the newer potassium (same order, status C) replaces
   * it: the latest is the corrected value. */
  import (f, "D", "FIL2", 2, "2823-3^Potassium|6.1|mmol/L|3.5-5.1|H|C");
  recent = ch_labs_list_latest (f->doctor, f->patient_id,
                                g_get_real_time () - 5 * G_TIME_SPAN_DAY, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recent->len, ==, 1);
  g_assert_cmpstr (at (recent, 0)->value, ==, "6.1");
  g_assert_cmpstr (at (recent, 0)->status, ==, "C");
  history = ch_labs_list_results (f->doctor, f->patient_id, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 7);
}

static void
test_refused (Fixture      *f,
              gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) none = NULL;
  g_autoptr (GPtrArray) empty = NULL;

  import (f, "A", "FIL1", 1, "2823-3^Potassium|6.8|mmol/L|3.5-5.1|HH|F");

  /* The front desk reads no clinical record. */
  none = ch_labs_list_latest (f->desk, f->patient_id, 0, 10, &error);
  g_assert_null (none);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* No such patient: said so, not an empty list. */
  none = ch_labs_list_latest (f->doctor, f->patient_id + 1000, 0, 10, &error);
  g_assert_null (none);
  g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A patient with no results: an empty list. */
  {
    g_autoptr (ChPatientRecord) other = ch_patient_record_new ();
    ChStore *store = ch_session_get_store (f->desk);

    other->mrn = g_strdup ("M200");
    other->given_name = g_strdup ("John");
    other->family_name = g_strdup ("Roe");
    other->birth_date = g_strdup ("1970-01-01");
    g_assert_true (ch_store_begin (store, &error));
    g_assert_true (ch_db_patient_insert (store, other, &error));
    g_assert_true (ch_store_commit (store, &error));
    empty = ch_labs_list_latest (f->doctor, other->id, 0, 10, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (empty->len, ==, 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/labs-latest/latest", Fixture, NULL, fixture_setup, test_latest, fixture_teardown);
  g_test_add ("/labs-latest/refused", Fixture, NULL, fixture_setup, test_refused,
              fixture_teardown);

  return g_test_run ();
}
