/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-prescribing"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-chart.h"
#include "ch-patients.h"
#include "ch-prescribing.h"
#include "ch-prescription-pdf.h"
#include "ch-records.h"
#include "ch-store-private.h"
#include "ch-test-util.h"
#include "ch-users.h"

/* Prescribing through its controller: the practice's drug knowledge base,
 * the checks against the chart, and a prescription from draft to signed,
 * renewed and stopped, with every alert, override and change on record. */

typedef struct
{
  char       *dir;
  ChPractice *practice;
  ChSession  *admin;
  ChSession  *doctor;
  ChSession  *nurse;
  ChSession  *desk;
  gint64      patient;
} Fixture;

static void
add_item (Fixture    *f,
          const char *section,
          const char *kind,
          const char *display)
{
  g_autoptr (ChChartItem) item = ch_chart_item_new (section);
  g_autoptr (GError) error = NULL;

  item->patient_id = f->patient;
  item->kind = g_strdup (kind);
  item->display = g_strdup (display);
  item->clinical_status = g_strdup ("active");
  g_assert_true (ch_chart_add (f->doctor, item, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (ChPatientRecord) patient = ch_patient_record_new ();
  g_autoptr (GError) error = NULL;

  f->dir = ch_test_make_dir ();
  f->practice = ch_test_make_practice (f->dir, NULL);
  f->admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_assert_true (ch_users_add (f->admin, "doc", NULL, CH_ROLE_PHYSICIAN, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "nurse", NULL, CH_ROLE_NURSE, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "desk", NULL, CH_ROLE_FRONT_DESK, CH_TEST_PASSWORD, &error));

  f->desk = ch_test_login (f->practice, "desk", CH_TEST_PASSWORD);
  patient->given_name = g_strdup ("Rosa");
  patient->family_name = g_strdup ("Ibarra");
  patient->birth_date = g_strdup ("1948-06-01");
  g_assert_true (ch_patients_register (f->desk, patient, &error));
  g_assert_no_error (error);
  f->patient = patient->id;

  f->doctor = ch_test_login (f->practice, "doc", CH_TEST_PASSWORD);
  f->nurse = ch_test_login (f->practice, "nurse", CH_TEST_PASSWORD);

  /* Mrs Ibarra takes warfarin and is allergic to penicillin. */
  add_item (f, CH_SECTION_MEDICATION, "", "Warfarin 5 mg tablet");
  add_item (f, CH_SECTION_ALLERGY, "drug", "Penicillin");
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_clear_object (&f->admin);
  g_clear_object (&f->doctor);
  g_clear_object (&f->nurse);
  g_clear_object (&f->desk);
  g_clear_object (&f->practice);
  ch_test_remove_dir (f->dir);
  g_free (f->dir);
}

static gint64
count_audit (ChSession  *session,
             const char *action)
{
  ChAuditFilter filter = { .action = action };
  g_autoptr (GError) error = NULL;
  gint64 n = ch_db_audit_count (ch_session_get_store (session), &filter, &error);

  g_assert_no_error (error);
  return n;
}

static ChPrescription *
amoxicillin (Fixture *f)
{
  ChPrescription *rx = ch_prescription_new ();

  rx->patient_id = f->patient;
  rx->drug_id = g_strdup ("amoxicillin");
  rx->drug_name = g_strdup ("amoxicillin");
  rx->form = g_strdup ("capsule");
  rx->strength = g_strdup ("500 mg");
  rx->route = g_strdup ("oral");
  rx->dose = 500;
  rx->dose_unit = g_strdup ("mg");
  rx->frequency = g_strdup ("tid");
  rx->duration_days = 10;
  return rx;
}

static const ChDrugAlert *
find_kind (GPtrArray       *alerts,
           ChDrugAlertKind  kind)
{
  for (guint i = 0; i < alerts->len; i++)
    if (((ChDrugAlert *) alerts->pdata[i])->kind == kind)
      return alerts->pdata[i];
  return NULL;
}

/* ---- the knowledge base -------------------------------------------------- */

static GHashTable *
shipped_files (void)
{
  g_autofree char *dir = g_build_filename (g_getenv ("CHARTA_SOURCE_DIR"), "resources", "data",
                                           "drugs", NULL);
  g_autoptr (GError) error = NULL;
  GHashTable *files = ch_drug_kb_read_dir (dir, &error);

  g_assert_no_error (error);
  return files;
}

static void
set_info (GHashTable *files,
          const char *name,
          const char *version)
{
  g_autofree char *info = g_strdup_printf ("key\tvalue\nname\t%s\nversion\t%s\n", name, version);

  g_hash_table_insert (files, g_strdup ("info.tsv"), g_bytes_new (info, strlen (info)));
}

static void
test_kb_import (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GHashTable) files = shipped_files ();
  g_autoptr (GHashTable) broken = shipped_files ();
  g_autoptr (GError) error = NULL;
  g_autoptr (ChDrugKb) before = NULL;
  g_autoptr (ChDrugKb) imported = NULL;
  g_autoptr (ChDrugKb) seen = NULL;
  g_autoptr (ChDrugKb) kb = NULL;
  gint64 settings = count_audit (f->admin, CH_AUDIT_SETTINGS);

  before = ch_prescribing_get_kb (f->doctor, &error);
  g_assert_no_error (error);
  g_assert_false (ch_prescribing_kb_is_imported (f->doctor));

  /* Who may replace it. */
  set_info (files, "Licensed Drug Data", "2027.1");
  g_assert_null (ch_prescribing_import_kb (f->nurse, files, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_null (ch_prescribing_get_kb (f->desk, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  imported = ch_prescribing_import_kb (f->admin, files, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ch_drug_kb_get_info (imported, "name"), ==, "Licensed Drug Data");

  /* Another session sees the new base at once. */
  seen = ch_prescribing_get_kb (f->doctor, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ch_drug_kb_get_info (seen, "version"), ==, "2027.1");
  g_assert_true (ch_prescribing_kb_is_imported (f->doctor));
  g_assert_cmpint (count_audit (f->admin, CH_AUDIT_SETTINGS), ==, settings + 1);

  /* A broken base is refused whole, and the active one stays. */
  set_info (broken, "Broken", "1");
  g_hash_table_insert (broken, g_strdup ("interactions.tsv"),
                       g_bytes_new_static ("id\ta\tb\n", 8));
  g_assert_null (ch_prescribing_import_kb (f->admin, broken, &error));
  g_assert_error (error, CH_DRUG_KB_ERROR, CH_DRUG_KB_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "interactions.tsv"));
  g_clear_error (&error);
  kb = ch_prescribing_get_kb (f->doctor, &error);
  g_assert_cmpstr (ch_drug_kb_get_info (kb, "name"), ==, "Licensed Drug Data");
  g_clear_pointer (&kb, ch_drug_kb_unref);

  /* And back to the shipped one. */
  g_assert_true (ch_prescribing_reset_kb (f->admin, &error));
  g_assert_no_error (error);
  kb = ch_prescribing_get_kb (f->doctor, &error);
  g_assert_cmpstr (ch_drug_kb_get_info (kb, "name"), ==, ch_drug_kb_get_info (before, "name"));
  g_assert_false (ch_prescribing_kb_is_imported (f->doctor));
}

/* ---- checks against the chart -------------------------------------------- */

static void
test_check_chart (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (ChPrescription) rx = amoxicillin (f);
  g_autoptr (GPtrArray) alerts = NULL;
  g_autoptr (GError) error = NULL;
  gint64 shown = count_audit (f->doctor, CH_AUDIT_ALERT);
  const ChDrugAlert *alert;

  /* The recorded penicillin allergy. */
  alerts = ch_prescribing_check_prescription (f->doctor, rx, &error);
  g_assert_no_error (error);
  alert = find_kind (alerts, CH_DRUG_ALERT_ALLERGY);
  g_assert_nonnull (alert);
  g_assert_cmpint (alert->severity, ==, CH_DRUG_SEVERITY_CONTRAINDICATED);
  g_assert_cmpstr (alert->party_b, ==, "Penicillin");
  g_assert_cmpint (count_audit (f->doctor, CH_AUDIT_ALERT), ==, shown + 1);
  g_clear_pointer (&alerts, g_ptr_array_unref);

  /* The current warfarin, found from the medication list's text. */
  g_free (rx->drug_id);
  rx->drug_id = g_strdup ("ibuprofen");
  g_free (rx->drug_name);
  rx->drug_name = g_strdup ("ibuprofen");
  rx->dose = 400;
  alerts = ch_prescribing_check_prescription (f->doctor, rx, &error);
  g_assert_no_error (error);
  alert = find_kind (alerts, CH_DRUG_ALERT_INTERACTION);
  g_assert_nonnull (alert);
  g_assert_cmpstr (alert->drug_b, ==, "warfarin");
  g_assert_cmpint (alert->severity, >=, CH_DRUG_SEVERITY_MAJOR);
  g_assert_null (find_kind (alerts, CH_DRUG_ALERT_ALLERGY));
  g_clear_pointer (&alerts, g_ptr_array_unref);

  /* The summary's review of what she takes now: nothing between warfarin and penicillin. */
  alerts = ch_prescribing_review (f->doctor, f->patient, &error);
  g_assert_no_error (error);
  g_assert_null (find_kind (alerts, CH_DRUG_ALERT_INTERACTION));
  g_clear_pointer (&alerts, g_ptr_array_unref);

  /* The front desk sees no chart, so no checks. */
  g_assert_null (ch_prescribing_check_prescription (f->desk, rx, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
}

/* ---- the life of a prescription ------------------------------------------ */

static gint64
count_rows (Fixture    *f,
            const char *sql)
{
  ChStore *store = ch_session_get_store (f->doctor);
  g_autoptr (GError) error = NULL;
  sqlite3_stmt *stmt = ch_store_prepare (store, sql, &error);
  gint64 n;

  g_assert_no_error (error);
  g_assert_cmpint (ch_store_step (store, stmt, &error), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

static void
test_sign (Fixture      *f,
           gconstpointer data)
{
  g_autoptr (ChPrescription) rx = amoxicillin (f);
  g_autoptr (ChPrescription) signed_rx = NULL;
  g_autoptr (GPtrArray) alerts = NULL;
  g_autoptr (GPtrArray) meds = NULL;
  g_autoptr (GPtrArray) recorded = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ChDrugKb) kb = ch_prescribing_get_kb (f->doctor, NULL);
  g_autofree char *sig = NULL;
  g_autofree char *key = NULL;
  gint64 overrides = count_audit (f->doctor, CH_AUDIT_OVERRIDE);
  ChAlertDecision decision = { 0 };
  gboolean on_list = FALSE;

  /* 500 mg capsules, three a day for ten days: thirty capsules. */
  g_assert_true (ch_prescription_compute_quantity (kb, rx));
  g_assert_cmpfloat (rx->quantity, ==, 30);
  g_assert_cmpstr (rx->quantity_unit, ==, "capsule");
  sig = ch_prescription_sig_text (rx);
  g_assert_cmpstr (sig, ==, "500 mg by mouth three times a day for 10 days");

  g_assert_true (ch_prescribing_save_draft (f->doctor, rx, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (rx->state, ==, "draft");
  g_assert_cmpstr (rx->prescriber, ==, "doc");

  /* The allergy is contraindicated: no signature without a reason. */
  g_assert_false (ch_prescribing_sign (f->doctor, rx->id, NULL, 0, &error));
  g_assert_error (error, CH_PRESCRIBING_ERROR, CH_PRESCRIBING_ERROR_OVERRIDE_NEEDED);
  g_assert_nonnull (strstr (error->message, "Penicillin"));
  g_clear_error (&error);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM prescription_alerts"), ==, 0);

  alerts = ch_prescribing_check_prescription (f->doctor, rx, &error);
  key = ch_drug_alert_pair_key (find_kind (alerts, CH_DRUG_ALERT_ALLERGY));
  decision.pair_key = key;
  decision.reason = "Tolerated amoxicillin in 2024; allergist delabelled";
  g_assert_true (ch_prescribing_sign (f->doctor, rx->id, &decision, 1, &error));
  g_assert_no_error (error);

  signed_rx = ch_prescribing_get (f->doctor, rx->id, &error);
  g_assert_cmpstr (signed_rx->state, ==, "signed");
  g_assert_nonnull (signed_rx->number);
  g_assert_true (g_str_has_prefix (signed_rx->number, "RX-"));
  g_assert_cmpint (signed_rx->signed_at, >, 0);
  g_assert_cmpint (count_audit (f->doctor, CH_AUDIT_OVERRIDE), ==, overrides + 1);

  /* The alert and the reason are on record with the prescription. */
  recorded = ch_db_prescription_alerts (ch_session_get_store (f->doctor), rx->id, &error);
  g_assert_cmpuint (recorded->len, >=, 1);
  g_assert_nonnull (strstr (recorded->pdata[0], "contraindicated|overridden|"));
  g_assert_nonnull (strstr (recorded->pdata[0], "allergist delabelled"));

  /* It is on the medication list, coded. */
  meds = ch_chart_list (f->doctor, f->patient, CH_SECTION_MEDICATION, FALSE, &error);
  for (guint i = 0; i < meds->len; i++)
    {
      ChChartItem *item = meds->pdata[i];

      if (item->id == signed_rx->medication_item_id)
        {
          on_list = TRUE;
          g_assert_cmpstr (item->code_system, ==, "charta-kb");
          g_assert_cmpstr (item->code, ==, "amoxicillin");
          g_assert_cmpstr (item->clinical_status, ==, "active");
          g_assert_cmpstr (item->display, ==, "amoxicillin 500 mg capsule");
        }
    }
  g_assert_true (on_list);

  /* Signed is locked, in the controller and in the database. */
  signed_rx->dose = 1000;
  g_assert_false (ch_prescribing_save_draft (f->doctor, signed_rx, &error));
  g_clear_error (&error);
  g_assert_false (ch_store_exec (ch_session_get_store (f->doctor),
                                 "UPDATE prescriptions SET dose = 1000 WHERE state = 'signed'",
                                 &error));
  g_assert_nonnull (strstr (error->message, "locked"));
  g_clear_error (&error);
  g_assert_false (ch_prescribing_sign (f->doctor, rx->id, &decision, 1, &error));
  g_assert_error (error, CH_PRESCRIBING_ERROR, CH_PRESCRIBING_ERROR_STATE);
}

static void
test_nurse_drafts (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (ChPrescription) rx = amoxicillin (f);
  g_autoptr (GError) error = NULL;
  g_autoptr (ChPrescription) signed_rx = NULL;

  g_free (rx->drug_id);
  rx->drug_id = g_strdup ("azithromycin");
  g_free (rx->drug_name);
  rx->drug_name = g_strdup ("azithromycin");
  g_free (rx->strength);
  rx->strength = g_strdup ("250 mg");
  g_free (rx->form);
  rx->form = g_strdup ("tablet");
  rx->dose = 250;

  /* A nurse drafts for a physician, named. */
  g_assert_false (ch_prescribing_save_draft (f->nurse, rx, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  rx->prescriber = g_strdup ("nurse");
  g_assert_false (ch_prescribing_save_draft (f->nurse, rx, &error));
  g_assert_nonnull (strstr (error->message, "not a prescriber"));
  g_clear_error (&error);
  g_free (rx->prescriber);
  rx->prescriber = g_strdup ("doc");
  g_assert_true (ch_prescribing_save_draft (f->nurse, rx, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (rx->drafted_by, ==, "nurse");

  /* The nurse may not sign; the front desk may not even draft. */
  g_assert_false (ch_prescribing_sign (f->nurse, rx->id, NULL, 0, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  {
    g_autoptr (ChPrescription) other = amoxicillin (f);

    g_assert_false (ch_prescribing_save_draft (f->desk, other, &error));
    g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
    g_clear_error (&error);
  }

  g_assert_true (ch_prescribing_sign (f->doctor, rx->id, NULL, 0, &error));
  g_assert_no_error (error);
  signed_rx = ch_prescribing_get (f->doctor, rx->id, &error);
  g_assert_cmpstr (signed_rx->prescriber, ==, "doc");
  g_assert_cmpstr (signed_rx->drafted_by, ==, "nurse");
}

static void
test_silence (Fixture      *f,
              gconstpointer data)
{
  g_autoptr (ChPrescription) rx = amoxicillin (f);
  g_autoptr (ChPrescription) again = NULL;
  g_autoptr (GPtrArray) alerts = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *key = NULL;
  ChAlertDecision decision = { 0 };

  g_free (rx->drug_id);
  rx->drug_id = g_strdup ("ibuprofen");
  g_free (rx->drug_name);
  rx->drug_name = g_strdup ("ibuprofen");
  g_free (rx->strength);
  rx->strength = g_strdup ("400 mg");
  g_free (rx->form);
  rx->form = g_strdup ("tablet");
  rx->dose = 400;
  g_assert_true (ch_prescribing_save_draft (f->doctor, rx, &error));

  alerts = ch_prescribing_check_prescription (f->doctor, rx, &error);
  key = ch_drug_alert_pair_key (find_kind (alerts, CH_DRUG_ALERT_INTERACTION));
  g_clear_pointer (&alerts, g_ptr_array_unref);

  /* "Do not warn again for this patient and pair". */
  decision.pair_key = key;
  decision.reason = "INR monitored weekly; short course";
  decision.silence = TRUE;
  g_assert_true (ch_prescribing_sign (f->doctor, rx->id, &decision, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM alert_suppressions"), ==, 1);

  again = ch_prescription_copy (rx);
  alerts = ch_prescribing_check_prescription (f->doctor, again, &error);
  for (guint i = 0; i < alerts->len; i++)
    {
      g_autofree char *other = ch_drug_alert_pair_key (alerts->pdata[i]);

      g_assert_cmpstr (other, !=, key);
    }
}

/* A contraindicated alert needs a reason every time: it is never silenced. */
static void
test_silence_contraindicated (Fixture      *f,
                              gconstpointer data)
{
  g_autoptr (ChPrescription) rx = amoxicillin (f);
  g_autoptr (GPtrArray) alerts = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *sql = NULL;
  ChAlertDecision decision = { 0 };

  g_assert_true (ch_prescribing_save_draft (f->doctor, rx, &error));
  alerts = ch_prescribing_check_prescription (f->doctor, rx, &error);
  g_assert_no_error (error);
  key = ch_drug_alert_pair_key (find_kind (alerts, CH_DRUG_ALERT_ALLERGY));
  g_clear_pointer (&alerts, g_ptr_array_unref);

  decision.pair_key = key;
  decision.reason = "Tolerated it last year";
  decision.silence = TRUE;
  g_assert_false (ch_prescribing_sign (f->doctor, rx->id, &decision, 1, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM alert_suppressions"), ==, 0);

  /* Even one silenced on record (an older version, another client) still shows. */
  sql = g_strdup_printf ("INSERT INTO alert_suppressions (patient_id, pair_key, title, created_at,"
                         " created_by) VALUES (%" G_GINT64_FORMAT ", '%s', 't', 0, 'doc')",
                         f->patient, key);
  g_assert_true (ch_store_exec (ch_session_get_store (f->doctor), sql, &error));
  g_assert_no_error (error);
  alerts = ch_prescribing_check_prescription (f->doctor, rx, &error);
  g_assert_no_error (error);
  g_assert_nonnull (find_kind (alerts, CH_DRUG_ALERT_ALLERGY));
  g_assert_false (ch_prescribing_sign (f->doctor, rx->id, NULL, 0, &error));
  g_assert_error (error, CH_PRESCRIBING_ERROR, CH_PRESCRIBING_ERROR_OVERRIDE_NEEDED);
}

static void
test_renew_stop (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr (ChPrescription) rx = amoxicillin (f);
  g_autoptr (ChPrescription) renewal = NULL;
  g_autoptr (ChPrescription) old = NULL;
  g_autoptr (ChPrescription) stopped = NULL;
  g_autoptr (GPtrArray) meds = NULL;
  g_autoptr (GError) error = NULL;
  gint64 renewal_id;

  /* Metformin: nothing against warfarin or penicillin. */
  g_free (rx->drug_id);
  rx->drug_id = g_strdup ("metformin");
  g_free (rx->drug_name);
  rx->drug_name = g_strdup ("metformin");
  g_free (rx->form);
  rx->form = g_strdup ("tablet");
  g_free (rx->strength);
  rx->strength = g_strdup ("500 mg");
  g_free (rx->frequency);
  rx->frequency = g_strdup ("bid");
  rx->duration_days = 90;
  rx->refills = 3;
  g_assert_true (ch_prescribing_save_draft (f->doctor, rx, &error));
  g_assert_true (ch_prescribing_sign (f->doctor, rx->id, NULL, 0, &error));
  g_assert_no_error (error);
  old = ch_prescribing_get (f->doctor, rx->id, &error);

  /* A change of dose is a renewal edited before signing. */
  renewal_id = ch_prescribing_renew (f->doctor, rx->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (renewal_id, >, 0);
  renewal = ch_prescribing_get (f->doctor, renewal_id, &error);
  g_assert_cmpstr (renewal->state, ==, "draft");
  g_assert_cmpint (renewal->replaces_id, ==, rx->id);
  g_assert_cmpint (renewal->refills, ==, 3);
  /* Renewing is not prescribing the same drug twice. */
  {
    g_autoptr (GPtrArray) alerts = ch_prescribing_check_prescription (f->doctor, renewal, &error);

    g_assert_no_error (error);
    g_assert_null (find_kind (alerts, CH_DRUG_ALERT_DUPLICATE));
  }
  renewal->dose = 1000;
  g_free (renewal->strength);
  renewal->strength = g_strdup ("1000 mg");
  g_assert_true (ch_prescribing_save_draft (f->doctor, renewal, &error));
  g_assert_true (ch_prescribing_sign (f->doctor, renewal_id, NULL, 0, &error));
  g_assert_no_error (error);
  g_clear_pointer (&renewal, ch_prescription_free);
  renewal = ch_prescribing_get (f->doctor, renewal_id, &error);
  g_clear_pointer (&old, ch_prescription_free);
  old = ch_prescribing_get (f->doctor, rx->id, &error);
  g_assert_cmpstr (old->state, ==, "replaced");

  /* One medication list entry, now at the new dose, its earlier version kept. */
  g_assert_cmpint (renewal->medication_item_id, ==, old->medication_item_id);
  {
    g_autoptr (GPtrArray) history = ch_chart_item_history (f->doctor, renewal->medication_item_id,
                                                           &error);

    g_assert_no_error (error);
    g_assert_cmpuint (history->len, >=, 1);
  }

  /* Stopping needs a reason and takes it off the current list. */
  g_assert_false (ch_prescribing_stop (f->doctor, renewal_id, "  ", &error));
  g_clear_error (&error);
  g_assert_false (ch_prescribing_stop (f->nurse, renewal_id, "GI upset", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_true (ch_prescribing_stop (f->doctor, renewal_id, "GI upset", &error));
  g_assert_no_error (error);
  stopped = ch_prescribing_get (f->doctor, renewal_id, &error);
  g_assert_cmpstr (stopped->state, ==, "stopped");
  g_assert_cmpstr (stopped->end_reason, ==, "GI upset");

  meds = ch_chart_list (f->doctor, f->patient, CH_SECTION_MEDICATION, FALSE, &error);
  for (guint i = 0; i < meds->len; i++)
    {
      ChChartItem *item = meds->pdata[i];

      if (item->id == stopped->medication_item_id)
        {
          g_assert_cmpstr (item->clinical_status, ==, "stopped");
          g_assert_nonnull (item->end_date);
        }
    }

  /* A stopped prescription is not renewed. */
  g_assert_cmpint (ch_prescribing_renew (f->doctor, renewal_id, &error), ==, 0);
  g_assert_error (error, CH_PRESCRIBING_ERROR, CH_PRESCRIBING_ERROR_STATE);
}

/* A renewal signed after its prescription was stopped, or after another
 * renewal replaced it, would undo the stop or leave two signed prescriptions
 * on one medication list entry. */
static void
test_renew_stale (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (ChPrescription) rx = amoxicillin (f);
  g_autoptr (ChPrescription) old = NULL;
  g_autoptr (ChPrescription) second = NULL;
  g_autoptr (GError) error = NULL;
  gint64 first_id, second_id, late_id;

  g_free (rx->drug_id);
  rx->drug_id = g_strdup ("metformin");
  g_free (rx->drug_name);
  rx->drug_name = g_strdup ("metformin");
  g_free (rx->form);
  rx->form = g_strdup ("tablet");
  g_free (rx->strength);
  rx->strength = g_strdup ("500 mg");
  g_free (rx->frequency);
  rx->frequency = g_strdup ("bid");
  g_assert_true (ch_prescribing_save_draft (f->doctor, rx, &error));
  g_assert_true (ch_prescribing_sign (f->doctor, rx->id, NULL, 0, &error));
  g_assert_no_error (error);

  /* Two renewals of the same prescription: only the first signed counts. */
  first_id = ch_prescribing_renew (f->doctor, rx->id, &error);
  second_id = ch_prescribing_renew (f->doctor, rx->id, &error);
  g_assert_no_error (error);
  g_assert_true (ch_prescribing_sign (f->doctor, first_id, NULL, 0, &error));
  g_assert_no_error (error);
  g_assert_false (ch_prescribing_sign (f->doctor, second_id, NULL, 0, &error));
  g_assert_error (error, CH_PRESCRIBING_ERROR, CH_PRESCRIBING_ERROR_STATE);
  g_clear_error (&error);
  second = ch_prescribing_get (f->doctor, second_id, &error);
  g_assert_cmpstr (second->state, ==, "draft");
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM prescriptions WHERE state = 'signed'"),
                   ==, 1);

  /* A renewal waiting while its prescription is stopped is not signed over the stop. */
  late_id = ch_prescribing_renew (f->doctor, first_id, &error);
  g_assert_no_error (error);
  g_assert_true (ch_prescribing_stop (f->doctor, first_id, "Lactic acidosis risk: eGFR 25",
                                      &error));
  g_assert_no_error (error);
  g_assert_false (ch_prescribing_sign (f->doctor, late_id, NULL, 0, &error));
  g_assert_error (error, CH_PRESCRIBING_ERROR, CH_PRESCRIBING_ERROR_STATE);
  g_clear_error (&error);
  old = ch_prescribing_get (f->doctor, first_id, &error);
  g_assert_cmpstr (old->state, ==, "stopped");
  g_assert_cmpstr (old->end_reason, ==, "Lactic acidosis risk: eGFR 25");
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM prescriptions WHERE state = 'signed'"),
                   ==, 0);
  {
    g_autoptr (GPtrArray) meds = ch_chart_list (f->doctor, f->patient, CH_SECTION_MEDICATION,
                                                FALSE, &error);

    for (guint i = 0; i < meds->len; i++)
      if (((ChChartItem *) meds->pdata[i])->id == old->medication_item_id)
        g_assert_cmpstr (((ChChartItem *) meds->pdata[i])->clinical_status, ==, "stopped");
  }
}

/* Dosed in tablets or millilitres, as the prescribing screen starts: the
 * dose is still checked against the usual range, in the drug's amount. */
static void
test_dose_in_units (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (ChPrescription) rx = amoxicillin (f);
  g_autoptr (GError) error = NULL;
  const ChDrugAlert *alert;

  g_free (rx->drug_id);
  rx->drug_id = g_strdup ("metformin");
  g_free (rx->drug_name);
  rx->drug_name = g_strdup ("metformin");
  g_free (rx->form);
  rx->form = g_strdup ("tablet");
  g_free (rx->strength);
  rx->strength = g_strdup ("1000 mg");
  g_free (rx->dose_unit);
  rx->dose_unit = g_strdup ("tablet");
  g_free (rx->frequency);
  rx->frequency = g_strdup ("qid");

  /* Four 1000 mg tablets four times a day: 16 g a day. */
  rx->dose = 4;
  {
    g_autoptr (GPtrArray) alerts = ch_prescribing_check_prescription (f->doctor, rx, &error);

    g_assert_no_error (error);
    alert = find_kind (alerts, CH_DRUG_ALERT_DOSE);
    g_assert_nonnull (alert);
    g_assert_cmpint (alert->severity, ==, CH_DRUG_SEVERITY_MAJOR);
    g_assert_nonnull (strstr (alert->effect, "16000 mg"));
  }

  /* One tablet twice a day is usual. */
  rx->dose = 1;
  g_free (rx->frequency);
  rx->frequency = g_strdup ("bid");
  {
    g_autoptr (GPtrArray) alerts = ch_prescribing_check_prescription (f->doctor, rx, &error);

    g_assert_no_error (error);
    g_assert_null (find_kind (alerts, CH_DRUG_ALERT_DOSE));
  }

  /* A liquid in mL: 30 mL of 500 mg/5 mL is 3 g in one dose. */
  g_free (rx->form);
  rx->form = g_strdup ("oral solution");
  g_free (rx->strength);
  rx->strength = g_strdup ("500 mg/5 mL");
  g_free (rx->dose_unit);
  rx->dose_unit = g_strdup ("mL");
  rx->dose = 30;
  g_free (rx->frequency);
  rx->frequency = g_strdup ("once");
  {
    g_autoptr (GPtrArray) alerts = ch_prescribing_check_prescription (f->doctor, rx, &error);

    g_assert_no_error (error);
    alert = find_kind (alerts, CH_DRUG_ALERT_DOSE);
    g_assert_nonnull (alert);
    g_assert_cmpstr (alert->rule, ==, "dose.daily");
  }
}

/* What a caller may hand the controller: no endless text, no impossible numbers. */
static void
test_validate (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *huge = g_strnfill (5000, 'x');
  g_autoptr (ChPrescription) rx = NULL;
  g_autoptr (ChPrescription) moved = NULL;
  struct { const char *what; } cases[] = {
    { "instructions" }, { "drug_name" }, { "strength" }, { "dose-zero" }, { "dose-negative" },
    { "dose-infinite" }, { "quantity-zero" }, { "refills" }, { "duration" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (ChPrescription) bad = amoxicillin (f);
      const char *what = cases[i].what;

      if (g_str_equal (what, "instructions"))
        bad->instructions = g_strdup (huge);
      else if (g_str_equal (what, "drug_name"))
        {
          g_free (bad->drug_name);
          bad->drug_name = g_strdup (huge);
        }
      else if (g_str_equal (what, "strength"))
        {
          g_free (bad->strength);
          bad->strength = g_strdup (huge);
        }
      else if (g_str_equal (what, "dose-zero"))
        bad->dose = 0;
      else if (g_str_equal (what, "dose-negative"))
        bad->dose = -500;
      else if (g_str_equal (what, "dose-infinite"))
        bad->dose = INFINITY;
      else if (g_str_equal (what, "quantity-zero"))
        bad->quantity = 0;
      else if (g_str_equal (what, "refills"))
        bad->refills = -1;
      else if (g_str_equal (what, "duration"))
        bad->duration_days = 400;

      if (ch_prescribing_save_draft (f->doctor, bad, &error))
        g_error ("%s: saved", what);
      g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
      g_clear_error (&error);
    }
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM prescriptions"), ==, 0);

  /* The indication is one of the patient's own problems. */
  {
    g_autoptr (ChPrescription) bad = amoxicillin (f);
    g_autoptr (ChChartItem) allergy = NULL;
    g_autoptr (GPtrArray) allergies = ch_chart_list (f->doctor, f->patient, CH_SECTION_ALLERGY,
                                                     FALSE, &error);

    g_assert_no_error (error);
    allergy = ch_chart_item_copy (allergies->pdata[0]);
    bad->indication_id = allergy->id;
    g_assert_false (ch_prescribing_save_draft (f->doctor, bad, &error));
    g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
    g_clear_error (&error);
    bad->indication_id = 987654;
    g_assert_false (ch_prescribing_save_draft (f->doctor, bad, &error));
    g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
    g_clear_error (&error);
  }

  /* A draft stays with its patient. */
  rx = amoxicillin (f);
  g_assert_true (ch_prescribing_save_draft (f->doctor, rx, &error));
  g_assert_no_error (error);
  {
    g_autoptr (ChPatientRecord) other = ch_patient_record_new ();

    other->given_name = g_strdup ("Ana");
    other->family_name = g_strdup ("Garcia");
    other->birth_date = g_strdup ("1990-01-01");
    g_assert_true (ch_patients_register (f->desk, other, &error));
    g_assert_no_error (error);
    rx->patient_id = other->id;
  }
  g_assert_false (ch_prescribing_save_draft (f->doctor, rx, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  moved = ch_prescribing_get (f->doctor, rx->id, &error);
  g_assert_cmpint (moved->patient_id, ==, f->patient);

  /* A stop reason and an override reason have a limit too. */
  g_assert_false (ch_prescribing_stop (f->doctor, rx->id, huge, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
}

static void
test_discard (Fixture      *f,
              gconstpointer data)
{
  g_autoptr (ChPrescription) rx = amoxicillin (f);
  g_autoptr (ChPrescription) discarded = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (ch_prescribing_save_draft (f->doctor, rx, &error));
  g_assert_true (ch_prescribing_discard (f->doctor, rx->id, &error));
  g_assert_no_error (error);
  discarded = ch_prescribing_get (f->doctor, rx->id, &error);
  g_assert_cmpstr (discarded->state, ==, "discarded");
  g_assert_false (ch_prescribing_discard (f->doctor, rx->id, &error));
  g_assert_error (error, CH_PRESCRIBING_ERROR, CH_PRESCRIBING_ERROR_STATE);
  g_clear_error (&error);
  /* Never deleted. */
  g_assert_false (ch_store_exec (ch_session_get_store (f->doctor), "DELETE FROM prescriptions",
                                 &error));
}

static void
test_print (Fixture      *f,
            gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "rx.pdf", NULL);
  g_autofree char *text = NULL;
  g_autofree char *flat = NULL;
  g_autofree char *practice = ch_session_get_practice_name (f->doctor);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (ChPrescription) first = NULL;
  g_autoptr (ChPrescription) draft = amoxicillin (f);
  ChAuditFilter filter = { .action = CH_AUDIT_PRINT };
  gint64 prints = ch_db_audit_count (ch_session_get_store (f->doctor), &filter, NULL);
  const char *drugs[] = { "metformin", "lisinopril", "atorvastatin", "levothyroxine" };

  g_assert_true (ch_prescribing_set_licence (f->doctor, "doc", "MD-48213", &error));
  g_assert_no_error (error);
  /* Nobody sets another's licence but the administrator; nurses have none. */
  g_assert_false (ch_prescribing_set_licence (f->nurse, "doc", "X", &error));
  g_clear_error (&error);
  g_assert_false (ch_prescribing_set_licence (f->admin, "nurse", "X", &error));
  g_clear_error (&error);

  /* Four prescriptions: two pages of up to three. */
  for (guint i = 0; i < G_N_ELEMENTS (drugs); i++)
    {
      g_autoptr (ChPrescription) rx = ch_prescription_new ();
      g_autoptr (ChDrugKb) kb = ch_prescribing_get_kb (f->doctor, NULL);
      const ChKbDrug *drug = ch_drug_kb_lookup (kb, drugs[i]);

      rx->patient_id = f->patient;
      rx->drug_id = g_strdup (drugs[i]);
      rx->drug_name = g_strdup (drugs[i]);
      rx->form = g_strdup (drug->products[0].form);
      rx->strength = g_strdup (drug->products[0].strength);
      rx->route = g_strdup (drug->products[0].route);
      rx->dose = 1;
      rx->dose_unit = g_strdup (drug->products[0].per_unit);
      rx->frequency = g_strdup ("daily");
      rx->duration_days = 30;
      rx->refills = 2;
      rx->substitution = i != 1;
      g_assert_true (ch_prescription_compute_quantity (kb, rx));
      g_assert_true (ch_prescribing_save_draft (f->doctor, rx, &error));
      g_assert_no_error (error);
      g_assert_true (ch_prescribing_sign (f->doctor, rx->id, NULL, 0, &error));
      g_assert_no_error (error);
      g_array_append_val (ids, rx->id);
    }

  /* A draft is no prescription to hand out. */
  g_assert_true (ch_prescribing_save_draft (f->doctor, draft, &error));
  g_assert_false (ch_prescription_pdf_write (f->doctor, &draft->id, 1, path, &error));
  g_assert_error (error, CH_PRESCRIBING_ERROR, CH_PRESCRIBING_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_assert_true (ch_prescription_pdf_write (f->doctor, (gint64 *) ids->data, ids->len, path,
                                            &error));
  g_assert_no_error (error);
  text = ch_test_pdf_text (path);
  flat = ch_test_squeeze (text);
  first = ch_prescribing_get (f->doctor, g_array_index (ids, gint64, 0), &error);

  ch_test_assert_has (flat, practice);
  ch_test_assert_has (flat, "Ibarra, Rosa");
  ch_test_assert_has (flat, "1948-06-01");
  ch_test_assert_has (flat, "MD-48213");
  ch_test_assert_has (flat, first->number);
  ch_test_assert_has (flat, "500 mg tablet");
  ch_test_assert_has (flat, "Sig: 1 tablet by mouth once a day for 30 days");
  ch_test_assert_has (flat, "30 tablet (thirty)");
  ch_test_assert_has (flat, "2 (two)");
  ch_test_assert_has (flat, "dispense as written");
  ch_test_assert_has (flat, "permitted");
  ch_test_assert_has (flat, "Signature");
  for (guint i = 0; i < G_N_ELEMENTS (drugs); i++)
    ch_test_assert_has (flat, drugs[i]);
  g_assert_nonnull (strchr (text, '\f'));   /* a second page */

  g_assert_cmpint (ch_db_audit_count (ch_session_get_store (f->doctor), &filter, NULL), ==,
                   prints + 4);

  /* A stopped prescription is nothing to dispense from: not printed again. */
  g_assert_true (ch_prescribing_stop (f->doctor, first->id, "Changed to another drug", &error));
  g_assert_no_error (error);
  g_assert_null (ch_prescription_pdf_render (f->doctor, &first->id, 1, &error));
  g_assert_error (error, CH_PRESCRIBING_ERROR, CH_PRESCRIBING_ERROR_STATE);
  g_assert_cmpint (ch_db_audit_count (ch_session_get_store (f->doctor), &filter, NULL), ==,
                   prints + 4);
}

static void
test_quantity_words (void)
{
  g_autoptr (ChDrugKb) kb = ch_drug_kb_get_shipped ();
  g_autoptr (ChPrescription) rx = ch_prescription_new ();
  struct { guint64 n; const char *words; } cases[] = {
    { 0, "zero" }, { 7, "seven" }, { 30, "thirty" }, { 45, "forty-five" },
    { 125, "one hundred twenty-five" }, { 1000, "one thousand" },
    { 2150, "two thousand one hundred fifty" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *words = ch_number_in_words (cases[i].n);

      g_assert_cmpstr (words, ==, cases[i].words);
    }

  /* A liquid: 500 mg of 250 mg/5 mL three times a day for ten days. */
  rx->drug_id = g_strdup ("amoxicillin");
  rx->form = g_strdup ("oral suspension");
  rx->strength = g_strdup ("250 mg/5 mL");
  rx->dose = 500;
  rx->dose_unit = g_strdup ("mg");
  rx->frequency = g_strdup ("tid");
  rx->duration_days = 10;
  g_assert_true (ch_prescription_compute_quantity (kb, rx));
  g_assert_cmpfloat (rx->quantity, ==, 300);
  g_assert_cmpstr (rx->quantity_unit, ==, "mL");

  /* Dosed in the unit dispensed: 2 tablets twice a day for a week. */
  g_free (rx->form);
  rx->form = g_strdup ("tablet");
  g_free (rx->strength);
  rx->strength = g_strdup ("875 mg");
  rx->dose = 1;
  g_free (rx->dose_unit);
  rx->dose_unit = g_strdup ("tablet");
  g_free (rx->frequency);
  rx->frequency = g_strdup ("bid");
  rx->duration_days = 7;
  g_assert_true (ch_prescription_compute_quantity (kb, rx));
  g_assert_cmpfloat (rx->quantity, ==, 14);

  /* Without a duration there is nothing to compute. */
  rx->duration_days = 0;
  rx->quantity = NAN;
  g_assert_false (ch_prescription_compute_quantity (kb, rx));
  g_assert_true (isnan (rx->quantity));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/prescribing/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("kb-import", test_kb_import);
  ADD ("check-chart", test_check_chart);
  ADD ("sign", test_sign);
  ADD ("nurse-drafts", test_nurse_drafts);
  ADD ("silence", test_silence);
  ADD ("silence-contraindicated", test_silence_contraindicated);
  ADD ("renew-stop", test_renew_stop);
  ADD ("renew-stale", test_renew_stale);
  ADD ("dose-in-units", test_dose_in_units);
  ADD ("validate", test_validate);
  ADD ("discard", test_discard);
  ADD ("print", test_print);
#undef ADD
  g_test_add_func ("/prescribing/quantity-words", test_quantity_words);

  return g_test_run ();
}
