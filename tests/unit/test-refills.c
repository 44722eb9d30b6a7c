/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-refills"

#include "config.h"

#include <string.h>

#include "ch-audit.h"
#include "ch-chart.h"
#include "ch-patients.h"
#include "ch-prescribing.h"
#include "ch-reconcile.h"
#include "ch-records.h"
#include "ch-refills.h"
#include "ch-store-private.h"
#include "ch-test-util.h"
#include "ch-users.h"

/* Refill requests from the nurse's request to the prescriber's queue and
 * decision, and medication reconciliation with its effects on the medication
 * list and the prescriptions, all through their controllers. */

typedef struct
{
  char       *dir;
  ChPractice *practice;
  ChSession  *admin;
  ChSession  *doctor;
  ChSession  *doctor2;
  ChSession  *nurse;
  ChSession  *desk;
  gint64      patient;
  gint64      other_patient;
  gint64      warfarin;    /* medication list entry, no prescription */
  gint64      penicillin;  /* allergy entry */
} Fixture;

static gint64
add_item_for (Fixture    *f,
              gint64      patient_id,
              const char *section,
              const char *kind,
              const char *display,
              const char *start_date)
{
  g_autoptr (ChChartItem) item = ch_chart_item_new (section);
  g_autoptr (GError) error = NULL;

  item->patient_id = patient_id;
  item->kind = g_strdup (kind);
  item->display = g_strdup (display);
  item->clinical_status = g_strdup ("active");
  item->start_date = g_strdup (start_date);
  g_assert_true (ch_chart_add (f->doctor, item, &error));
  g_assert_no_error (error);
  return item->id;
}

static gint64
add_item (Fixture    *f,
          const char *section,
          const char *kind,
          const char *display)
{
  return add_item_for (f, f->patient, section, kind, display, NULL);
}

static gint64
register_patient (ChSession  *desk,
                  const char *given,
                  const char *family,
                  const char *birth_date)
{
  g_autoptr (ChPatientRecord) patient = ch_patient_record_new ();
  g_autoptr (GError) error = NULL;

  patient->given_name = g_strdup (given);
  patient->family_name = g_strdup (family);
  patient->birth_date = g_strdup (birth_date);
  g_assert_true (ch_patients_register (desk, patient, &error));
  g_assert_no_error (error);
  return patient->id;
}

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
  g_assert_true (ch_users_add (f->admin, "nurse", NULL, CH_ROLE_NURSE, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "desk", NULL, CH_ROLE_FRONT_DESK, CH_TEST_PASSWORD, &error));
  g_assert_no_error (error);

  f->desk = ch_test_login (f->practice, "desk", CH_TEST_PASSWORD);
  f->patient = register_patient (f->desk, "Rosa", "Ibarra", "1948-06-01");
  f->other_patient = register_patient (f->desk, "Tomás", "Quintero", "1961-02-14");

  f->doctor = ch_test_login (f->practice, "doc", CH_TEST_PASSWORD);
  f->doctor2 = ch_test_login (f->practice, "doc2", CH_TEST_PASSWORD);
  f->nurse = ch_test_login (f->practice, "nurse", CH_TEST_PASSWORD);

  /* Mrs Ibarra takes warfarin and is allergic to penicillin. */
  f->warfarin = add_item (f, CH_SECTION_MEDICATION, "", "Warfarin 5 mg tablet");
  f->penicillin = add_item (f, CH_SECTION_ALLERGY, "drug", "Penicillin");
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_clear_object (&f->admin);
  g_clear_object (&f->doctor);
  g_clear_object (&f->doctor2);
  g_clear_object (&f->nurse);
  g_clear_object (&f->desk);
  g_clear_object (&f->practice);
  ch_test_remove_dir (f->dir);
  g_free (f->dir);
}

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

static gint64
count_audit_of (Fixture    *f,
                const char *action,
                const char *object_type)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM audit WHERE action = '%s'"
                                          " AND object_type = '%s'", action, object_type);

  return count_rows (f, sql);
}

static ChPrescription *
get_rx (Fixture *f,
        gint64   id)
{
  g_autoptr (GError) error = NULL;
  ChPrescription *rx = ch_prescribing_get (f->doctor, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (rx);
  return rx;
}

static ChChartItem *
get_item (Fixture *f,
          gint64   id)
{
  g_autoptr (GError) error = NULL;
  ChChartItem *item = ch_db_chart_get (ch_session_get_store (f->doctor), id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (item);
  return item;
}

static ChRefillRequest *
get_request (Fixture *f,
             gint64   id)
{
  g_autoptr (GError) error = NULL;
  ChRefillRequest *request = ch_refills_get (f->doctor, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (request);
  return request;
}

static const ChDrugAlert *
find_kind (GPtrArray       *alerts,
           ChDrugAlertKind  kind)
{
  for (guint i = 0; alerts != NULL && i < alerts->len; i++)
    if (((ChDrugAlert *) alerts->pdata[i])->kind == kind)
      return alerts->pdata[i];
  return NULL;
}

/* Metformin: nothing against warfarin or penicillin. */
static gint64
sign_metformin (Fixture *f)
{
  g_autoptr (ChPrescription) rx = ch_prescription_new ();
  g_autoptr (GError) error = NULL;

  rx->patient_id = f->patient;
  rx->drug_id = g_strdup ("metformin");
  rx->drug_name = g_strdup ("metformin");
  rx->form = g_strdup ("tablet");
  rx->strength = g_strdup ("500 mg");
  rx->route = g_strdup ("oral");
  rx->dose = 500;
  rx->dose_unit = g_strdup ("mg");
  rx->frequency = g_strdup ("bid");
  rx->duration_days = 90;
  rx->refills = 3;
  g_assert_true (ch_prescribing_save_draft (f->doctor, rx, &error));
  g_assert_no_error (error);
  g_assert_true (ch_prescribing_sign (f->doctor, rx->id, NULL, 0, &error));
  g_assert_no_error (error);
  return rx->id;
}

/* Amoxicillin despite the penicillin allergy, signed with an override reason. */
static gint64
sign_amoxicillin (Fixture *f)
{
  g_autoptr (ChPrescription) rx = ch_prescription_new ();
  g_autoptr (GPtrArray) alerts = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *key = NULL;
  ChAlertDecision decision = { 0 };
  const ChDrugAlert *allergy;

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
  g_assert_true (ch_prescribing_save_draft (f->doctor, rx, &error));
  g_assert_no_error (error);

  alerts = ch_prescribing_check_prescription (f->doctor, rx, &error);
  g_assert_no_error (error);
  allergy = find_kind (alerts, CH_DRUG_ALERT_ALLERGY);
  g_assert_nonnull (allergy);
  g_assert_cmpint (allergy->severity, ==, CH_DRUG_SEVERITY_CONTRAINDICATED);
  key = ch_drug_alert_pair_key (allergy);
  decision.pair_key = key;
  decision.reason = "Tolerated amoxicillin in 2024; allergist delabelled";
  g_assert_true (ch_prescribing_sign (f->doctor, rx->id, &decision, 1, &error));
  g_assert_no_error (error);
  return rx->id;
}

/* ---- refill requests ------------------------------------------------------ */

static void
test_request_queue (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (ChPrescription) rx = NULL;
  g_autoptr (ChPrescription) draft = ch_prescription_new ();
  g_autoptr (GPtrArray) queue = NULL;
  g_autoptr (GError) error = NULL;
  gint64 metformin = sign_metformin (f);
  gint64 created = count_audit_of (f, CH_AUDIT_CREATE, "refill-request");
  ChRefillRequest *request;
  gint64 id;

  rx = get_rx (f, metformin);
  id = ch_refills_request (f->nurse, metformin, "  Called: five tablets left ", &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (count_audit_of (f, CH_AUDIT_CREATE, "refill-request"), ==, created + 1);

  /* In the prescriber's own queue, with what the queue shows. */
  queue = ch_refills_queue (f->doctor, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queue->len, ==, 1);
  request = queue->pdata[0];
  g_assert_cmpint (request->id, ==, id);
  g_assert_cmpint (request->patient_id, ==, f->patient);
  g_assert_cmpint (request->prescription_id, ==, metformin);
  g_assert_cmpstr (request->drug_name, ==, "metformin");
  g_assert_cmpstr (request->prescriber, ==, "doc");
  g_assert_cmpstr (request->requested_by, ==, "nurse");
  g_assert_cmpint (request->requested_at, >, 0);
  g_assert_cmpstr (request->note, ==, "Called: five tablets left");
  g_assert_cmpstr (request->state, ==, "pending");
  g_assert_cmpint (request->renewal_id, ==, 0);
  g_clear_pointer (&queue, g_ptr_array_unref);

  /* The nurse sees the doctor's queue; nobody else's queue holds it. */
  queue = ch_refills_queue (f->nurse, "doc", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queue->len, ==, 1);
  g_clear_pointer (&queue, g_ptr_array_unref);
  queue = ch_refills_queue (f->doctor2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queue->len, ==, 0);
  g_clear_pointer (&queue, g_ptr_array_unref);
  queue = ch_refills_queue (f->nurse, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queue->len, ==, 0);
  g_clear_pointer (&queue, g_ptr_array_unref);

  /* One request at a time per prescription. */
  g_assert_cmpint (ch_refills_request (f->doctor, metformin, NULL, &error), ==, 0);
  g_assert_error (error, CH_REFILLS_ERROR, CH_REFILLS_ERROR_PENDING);
  g_clear_error (&error);

  /* Only a signed prescription is refilled. */
  draft->patient_id = f->patient;
  draft->drug_name = g_strdup ("metformin");
  draft->drug_id = g_strdup ("metformin");
  g_assert_true (ch_prescribing_save_draft (f->doctor, draft, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ch_refills_request (f->nurse, draft->id, NULL, &error), ==, 0);
  g_assert_error (error, CH_REFILLS_ERROR, CH_REFILLS_ERROR_STATE);
  g_clear_error (&error);
  g_assert_cmpint (ch_refills_request (f->nurse, 987654, NULL, &error), ==, 0);
  g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM refill_requests"), ==, 1);
  g_assert_cmpint (count_audit_of (f, CH_AUDIT_CREATE, "refill-request"), ==, created + 1);
}

static void
test_approve (Fixture      *f,
              gconstpointer data)
{
  g_autoptr (ChPrescription) old = NULL;
  g_autoptr (ChPrescription) renewal = NULL;
  g_autoptr (ChRefillRequest) decided = NULL;
  g_autoptr (ChChartItem) item = NULL;
  g_autoptr (GPtrArray) queue = NULL;
  g_autoptr (GError) error = NULL;
  gint64 metformin = sign_metformin (f);
  gint64 updated = count_audit_of (f, CH_AUDIT_UPDATE, "refill-request");
  gint64 signatures = count_audit_of (f, CH_AUDIT_SIGN, "prescription");
  gint64 renewal_id = -1;
  gint64 id;

  id = ch_refills_request (f->nurse, metformin, "", &error);
  g_assert_no_error (error);

  /* A refill is not the same drug prescribed twice: the physician is shown
   * nothing to decide on, as the renewal meets nothing when it is signed. */
  {
    g_autoptr (GPtrArray) alerts = ch_refills_check (f->doctor, id, &error);

    g_assert_no_error (error);
    g_assert_null (find_kind (alerts, CH_DRUG_ALERT_DUPLICATE));
    g_assert_cmpuint (alerts->len, ==, 0);
  }

  /* The nurse asks; a physician decides. */
  g_assert_false (ch_refills_approve (f->nurse, id, NULL, 0, NULL, &renewal_id, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_cmpint (renewal_id, ==, 0);

  g_assert_true (ch_refills_approve (f->doctor, id, NULL, 0, "Renewed for 90 days", &renewal_id,
                                     &error));
  g_assert_no_error (error);
  g_assert_cmpint (renewal_id, >, metformin);

  /* A signed renewal replaces the old prescription on the same list entry. */
  old = get_rx (f, metformin);
  renewal = get_rx (f, renewal_id);
  g_assert_cmpstr (old->state, ==, "replaced");
  g_assert_cmpstr (renewal->state, ==, "signed");
  g_assert_nonnull (renewal->number);
  g_assert_cmpint (renewal->replaces_id, ==, metformin);
  g_assert_cmpstr (renewal->prescriber, ==, "doc");
  g_assert_cmpint (renewal->refills, ==, 3);
  g_assert_cmpint (renewal->medication_item_id, ==, old->medication_item_id);
  item = get_item (f, renewal->medication_item_id);
  g_assert_cmpstr (item->clinical_status, ==, "active");

  decided = get_request (f, id);
  g_assert_cmpstr (decided->state, ==, "approved");
  g_assert_cmpint (decided->renewal_id, ==, renewal_id);
  g_assert_cmpstr (decided->decided_by, ==, "doc");
  g_assert_cmpint (decided->decided_at, >, 0);
  g_assert_cmpstr (decided->decision_note, ==, "Renewed for 90 days");
  g_assert_cmpint (count_audit_of (f, CH_AUDIT_UPDATE, "refill-request"), ==, updated + 1);
  g_assert_cmpint (count_audit_of (f, CH_AUDIT_SIGN, "prescription"), ==, signatures + 1);

  /* Off the queue, and decided once. */
  queue = ch_refills_queue (f->doctor, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queue->len, ==, 0);
  g_assert_false (ch_refills_approve (f->doctor, id, NULL, 0, NULL, NULL, &error));
  g_assert_error (error, CH_REFILLS_ERROR, CH_REFILLS_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (ch_refills_deny (f->doctor, id, "Changed my mind", &error));
  g_assert_error (error, CH_REFILLS_ERROR, CH_REFILLS_ERROR_STATE);
  g_clear_error (&error);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM prescriptions"), ==, 2);

  /* The replaced prescription is no longer refilled; the renewal is. */
  g_assert_cmpint (ch_refills_request (f->nurse, metformin, NULL, &error), ==, 0);
  g_assert_error (error, CH_REFILLS_ERROR, CH_REFILLS_ERROR_STATE);
  g_clear_error (&error);
  g_assert_cmpint (ch_refills_request (f->nurse, renewal_id, NULL, &error), >, 0);
  g_assert_no_error (error);
}

static void
test_approve_override (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr (ChPrescription) old = NULL;
  g_autoptr (ChPrescription) renewal = NULL;
  g_autoptr (ChRefillRequest) pending = NULL;
  g_autoptr (ChRefillRequest) decided = NULL;
  g_autoptr (GPtrArray) alerts = NULL;
  g_autoptr (GPtrArray) recorded = NULL;
  g_autoptr (GPtrArray) queue = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *key = NULL;
  gint64 amoxicillin = sign_amoxicillin (f);
  gint64 prescriptions = count_rows (f, "SELECT count(*) FROM prescriptions");
  gint64 overrides = count_audit_of (f, CH_AUDIT_OVERRIDE, "prescription");
  ChAlertDecision decision = { 0 };
  gint64 renewal_id = -1;
  gint64 id;

  id = ch_refills_request (f->nurse, amoxicillin, "Course to be repeated", &error);
  g_assert_no_error (error);

  /* The allergy is contraindicated: no refill without a reason, and nothing is left behind. */
  g_assert_false (ch_refills_approve (f->doctor, id, NULL, 0, NULL, &renewal_id, &error));
  g_assert_error (error, CH_PRESCRIBING_ERROR, CH_PRESCRIBING_ERROR_OVERRIDE_NEEDED);
  g_assert_nonnull (strstr (error->message, "Penicillin"));
  g_clear_error (&error);
  g_assert_cmpint (renewal_id, ==, 0);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM prescriptions"), ==, prescriptions);
  old = get_rx (f, amoxicillin);
  g_assert_cmpstr (old->state, ==, "signed");
  pending = get_request (f, id);
  g_assert_cmpstr (pending->state, ==, "pending");
  queue = ch_refills_queue (f->doctor, NULL, &error);
  g_assert_cmpuint (queue->len, ==, 1);

  /* A reason for another alert is no reason for this one. */
  decision.pair_key = "allergy|nothing|else";
  decision.reason = "Not this one";
  g_assert_false (ch_refills_approve (f->doctor, id, &decision, 1, NULL, NULL, &error));
  g_assert_error (error, CH_PRESCRIBING_ERROR, CH_PRESCRIBING_ERROR_OVERRIDE_NEEDED);
  g_clear_error (&error);

  /* The same alerts as the renewal will meet, to decide on before approving. */
  alerts = ch_refills_check (f->doctor, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (find_kind (alerts, CH_DRUG_ALERT_ALLERGY));
  key = ch_drug_alert_pair_key (find_kind (alerts, CH_DRUG_ALERT_ALLERGY));
  decision.pair_key = key;
  decision.reason = "Delabelled by allergist; tolerated last course";
  g_assert_true (ch_refills_approve (f->doctor, id, &decision, 1, NULL, &renewal_id, &error));
  g_assert_no_error (error);

  renewal = get_rx (f, renewal_id);
  g_assert_cmpstr (renewal->state, ==, "signed");
  g_assert_cmpint (renewal->replaces_id, ==, amoxicillin);
  g_clear_pointer (&old, ch_prescription_free);
  old = get_rx (f, amoxicillin);
  g_assert_cmpstr (old->state, ==, "replaced");
  decided = get_request (f, id);
  g_assert_cmpstr (decided->state, ==, "approved");
  g_assert_cmpint (decided->renewal_id, ==, renewal_id);

  /* The override is on record with the renewal and in the audit. */
  recorded = ch_db_prescription_alerts (ch_session_get_store (f->doctor), renewal_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recorded->len, >=, 1);
  {
    gboolean found = FALSE;

    for (guint i = 0; i < recorded->len; i++)
      if (strstr (recorded->pdata[i], "contraindicated|overridden|") != NULL
          && strstr (recorded->pdata[i], "Delabelled by allergist") != NULL)
        found = TRUE;
    g_assert_true (found);
  }
  g_assert_cmpint (count_audit_of (f, CH_AUDIT_OVERRIDE, "prescription"), ==, overrides + 1);
}

static void
test_deny (Fixture      *f,
           gconstpointer data)
{
  g_autoptr (ChPrescription) rx = NULL;
  g_autoptr (ChRefillRequest) denied = NULL;
  g_autoptr (GPtrArray) queue = NULL;
  g_autoptr (GError) error = NULL;
  gint64 metformin = sign_metformin (f);
  gint64 updated = count_audit_of (f, CH_AUDIT_UPDATE, "refill-request");
  gint64 prescriptions = count_rows (f, "SELECT count(*) FROM prescriptions");
  gint64 id;

  id = ch_refills_request (f->nurse, metformin, NULL, &error);
  g_assert_no_error (error);

  /* A denial needs a reason, and a prescriber. */
  g_assert_false (ch_refills_deny (f->doctor, id, "   ", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ch_refills_deny (f->doctor, id, NULL, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ch_refills_deny (f->nurse, id, "Needs a visit", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_cmpint (count_audit_of (f, CH_AUDIT_UPDATE, "refill-request"), ==, updated);

  g_assert_true (ch_refills_deny (f->doctor, id, "Due for a visit and a kidney function test",
                                  &error));
  g_assert_no_error (error);
  denied = get_request (f, id);
  g_assert_cmpstr (denied->state, ==, "denied");
  g_assert_cmpstr (denied->decision_note, ==, "Due for a visit and a kidney function test");
  g_assert_cmpstr (denied->decided_by, ==, "doc");
  g_assert_cmpint (denied->renewal_id, ==, 0);
  g_assert_cmpint (count_audit_of (f, CH_AUDIT_UPDATE, "refill-request"), ==, updated + 1);

  /* The prescription stays as it was; the queue is empty; the decision stands. */
  rx = get_rx (f, metformin);
  g_assert_cmpstr (rx->state, ==, "signed");
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM prescriptions"), ==, prescriptions);
  queue = ch_refills_queue (f->doctor, NULL, &error);
  g_assert_cmpuint (queue->len, ==, 0);
  g_assert_false (ch_refills_approve (f->doctor, id, NULL, 0, NULL, NULL, &error));
  g_assert_error (error, CH_REFILLS_ERROR, CH_REFILLS_ERROR_STATE);
  g_clear_error (&error);

  /* A new request may follow a denied one. */
  g_assert_cmpint (ch_refills_request (f->nurse, metformin, "After the visit", &error), >, id);
  g_assert_no_error (error);
}

static void
test_refills_front_desk (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 metformin = sign_metformin (f);
  gint64 id;

  g_assert_cmpint (ch_refills_request (f->desk, metformin, "Patient at the desk", &error), ==, 0);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM refill_requests"), ==, 0);

  id = ch_refills_request (f->nurse, metformin, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (ch_refills_queue (f->desk, "doc", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_null (ch_refills_get (f->desk, id, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ch_refills_approve (f->desk, id, NULL, 0, NULL, NULL, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ch_refills_deny (f->desk, id, "No", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  /* Nor the administrator, who reads no chart. */
  g_assert_null (ch_refills_queue (f->admin, "doc", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM refill_requests WHERE state = 'pending'"),
                   ==, 1);
}

/* ---- medication reconciliation ------------------------------------------- */

static char *
today (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%d");
}

static gint64
count_medications (Fixture *f)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM chart_items WHERE patient_id = %"
                                          G_GINT64_FORMAT " AND section = 'medication'",
                                          f->patient);

  return count_rows (f, sql);
}

static void
test_reconcile_effects (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (ChPrescription) rx = NULL;
  g_autoptr (ChChartItem) warfarin_before = get_item (f, f->warfarin);
  g_autoptr (ChChartItem) warfarin = NULL;
  g_autoptr (ChChartItem) metformin_item = NULL;
  g_autoptr (ChChartItem) statin = NULL;
  g_autoptr (ChChartItem) added = NULL;
  g_autoptr (GPtrArray) history = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *date = today ();
  gint64 metformin = sign_metformin (f);
  gint64 statin_id = add_item (f, CH_SECTION_MEDICATION, "", "Atorvastatin 20 mg tablet");
  gint64 medications;
  gint64 created = count_audit_of (f, CH_AUDIT_CREATE, "reconciliation");
  gint64 prescription_updates = count_audit_of (f, CH_AUDIT_UPDATE, "prescription");
  ChReconciliation *reconciliation;
  ChReconciliationLine *line;
  gboolean found_reason = FALSE;
  gint64 id;

  rx = get_rx (f, metformin);
  medications = count_medications (f);
  {
    ChReconcileLine lines[] = {
      { "Warfarin 5 mg daily", f->warfarin, CH_RECONCILE_KEEP, "" },
      { "", rx->medication_item_id, CH_RECONCILE_STOP, "Stopped in hospital: contrast study" },
      { "Atorvastatin 40 mg at night", statin_id, CH_RECONCILE_CHANGE, " 40 mg at night " },
      { "  Lisinopril 10 mg daily ", 0, CH_RECONCILE_ADD, NULL },
    };

    /* A nurse reconciles (chart write), but stops no prescription: nothing is saved. */
    id = ch_reconcile_save (f->nurse, f->patient, "Discharge summary, St Luke's", lines,
                            G_N_ELEMENTS (lines), &error);
    g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
    g_assert_cmpint (id, ==, 0);
    g_clear_error (&error);
    g_assert_cmpint (count_medications (f), ==, medications);
    g_assert_cmpint (count_audit_of (f, CH_AUDIT_CREATE, "reconciliation"), ==, created);

    id = ch_reconcile_save (f->doctor, f->patient, "Discharge summary, St Luke's", lines,
                            G_N_ELEMENTS (lines), &error);
    g_assert_no_error (error);
    g_assert_cmpint (id, >, 0);
  }

  /* Keep: untouched. */
  warfarin = get_item (f, f->warfarin);
  g_assert_cmpint (warfarin->version, ==, warfarin_before->version);
  g_assert_cmpstr (warfarin->clinical_status, ==, "active");

  /* Stop: off the current list from today, its prescription stopped, the reason kept. */
  metformin_item = get_item (f, rx->medication_item_id);
  g_assert_cmpstr (metformin_item->clinical_status, ==, "stopped");
  g_assert_cmpstr (metformin_item->end_date, ==, date);
  g_clear_pointer (&rx, ch_prescription_free);
  rx = get_rx (f, metformin);
  g_assert_cmpstr (rx->state, ==, "stopped");
  g_assert_cmpstr (rx->end_reason, ==, "Medication reconciliation: Stopped in hospital: contrast study");
  g_assert_cmpstr (rx->ended_by, ==, "doc");
  g_assert_cmpint (count_audit_of (f, CH_AUDIT_UPDATE, "prescription"), ==, prescription_updates + 1);
  history = ch_chart_item_history (f->doctor, metformin_item->id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < history->len; i++)
    if (g_strcmp0 (((ChHistoryEntry *) history->pdata[i])->reason,
                   "Medication reconciliation: Stopped in hospital: contrast study") == 0)
      found_reason = TRUE;
  g_assert_true (found_reason);

  /* Change: the new dose. */
  statin = get_item (f, statin_id);
  g_assert_cmpstr (ch_chart_item_get_detail (statin, "dose"), ==, "40 mg at night");
  g_assert_cmpstr (statin->clinical_status, ==, "active");

  /* Add: a new current entry as the outside list reads. */
  g_assert_cmpint (count_medications (f), ==, medications + 1);

  /* The record, line by line, in order. */
  list = ch_reconcile_list (f->doctor, f->patient, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  reconciliation = list->pdata[0];
  g_assert_cmpint (reconciliation->id, ==, id);
  g_assert_cmpint (reconciliation->patient_id, ==, f->patient);
  g_assert_cmpstr (reconciliation->source, ==, "Discharge summary, St Luke's");
  g_assert_cmpstr (reconciliation->done_by, ==, "doc");
  g_assert_cmpint (reconciliation->done_at, >, 0);
  g_assert_cmpuint (reconciliation->lines->len, ==, 4);
  line = reconciliation->lines->pdata[0];
  g_assert_cmpstr (line->decision, ==, "keep");
  g_assert_cmpint (line->medication_item_id, ==, f->warfarin);
  g_assert_cmpstr (line->outside_text, ==, "Warfarin 5 mg daily");
  line = reconciliation->lines->pdata[1];
  g_assert_cmpstr (line->decision, ==, "stop");
  g_assert_cmpstr (line->note, ==, "Stopped in hospital: contrast study");
  g_assert_cmpstr (line->outside_text, ==, "");
  line = reconciliation->lines->pdata[2];
  g_assert_cmpstr (line->decision, ==, "change");
  g_assert_cmpstr (line->note, ==, "40 mg at night");
  line = reconciliation->lines->pdata[3];
  g_assert_cmpstr (line->decision, ==, "add");
  g_assert_cmpint (line->medication_item_id, >, 0);
  added = get_item (f, line->medication_item_id);
  g_assert_cmpstr (added->display, ==, "Lisinopril 10 mg daily");
  g_assert_cmpstr (added->clinical_status, ==, "active");
  g_assert_cmpint (added->patient_id, ==, f->patient);

  g_assert_cmpint (count_audit_of (f, CH_AUDIT_CREATE, "reconciliation"), ==, created + 1);

  /* Another patient's reconciliations are their own. */
  g_clear_pointer (&list, g_ptr_array_unref);
  list = ch_reconcile_list (f->doctor, f->other_patient, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
}

static void
set_prescription_detail (Fixture    *f,
                         gint64      item_id,
                         const char *value)
{
  g_autoptr (ChChartItem) item = get_item (f, item_id);
  g_autoptr (GError) error = NULL;

  ch_chart_item_set_detail (item, "prescription", value);
  g_assert_true (ch_chart_update (f->doctor, item, "test", &error));
  g_assert_no_error (error);
}

static void
test_reconcile_prescriptions (Fixture      *f,
                              gconstpointer data)
{
  g_autoptr (ChPrescription) metformin = NULL;
  g_autoptr (ChPrescription) renewal = NULL;
  g_autoptr (ChPrescription) amoxicillin = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *wrong = NULL;
  gint64 metformin_id = sign_metformin (f);
  gint64 amoxicillin_id = sign_amoxicillin (f);
  gint64 renewal_id;

  /* A renewed metformin: two prescriptions, one entry, only the renewal current. */
  renewal_id = ch_prescribing_renew (f->doctor, metformin_id, &error);
  g_assert_no_error (error);
  g_assert_true (ch_prescribing_sign (f->doctor, renewal_id, NULL, 0, &error));
  g_assert_no_error (error);
  renewal = get_rx (f, renewal_id);
  amoxicillin = get_rx (f, amoxicillin_id);

  /* An entry naming the wrong prescription does not stop that one. */
  wrong = g_strdup_printf ("%" G_GINT64_FORMAT, amoxicillin_id);
  set_prescription_detail (f, renewal->medication_item_id, wrong);
  {
    ChReconcileLine lines[] = {
      { "", renewal->medication_item_id, CH_RECONCILE_STOP, "Not taking it" },
    };

    g_assert_cmpint (ch_reconcile_save (f->doctor, f->patient, "Patient's own list", lines, 1,
                                        &error), >, 0);
    g_assert_no_error (error);
  }
  g_clear_pointer (&renewal, ch_prescription_free);
  renewal = get_rx (f, renewal_id);
  metformin = get_rx (f, metformin_id);
  g_clear_pointer (&amoxicillin, ch_prescription_free);
  amoxicillin = get_rx (f, amoxicillin_id);
  g_assert_cmpstr (renewal->state, ==, "stopped");
  g_assert_cmpstr (metformin->state, ==, "replaced");
  g_assert_cmpstr (amoxicillin->state, ==, "signed");

  /* An entry that does not name its prescription is found from the prescription. */
  set_prescription_detail (f, amoxicillin->medication_item_id, NULL);
  {
    g_autoptr (ChChartItem) item = get_item (f, amoxicillin->medication_item_id);
    ChReconcileLine lines[] = {
      { "", amoxicillin->medication_item_id, CH_RECONCILE_STOP, "Course finished" },
    };

    g_assert_null (ch_chart_item_get_detail (item, "prescription"));
    g_assert_cmpint (ch_reconcile_save (f->doctor, f->patient, "", lines, 1, &error), >, 0);
    g_assert_no_error (error);
  }
  g_clear_pointer (&amoxicillin, ch_prescription_free);
  amoxicillin = get_rx (f, amoxicillin_id);
  g_assert_cmpstr (amoxicillin->state, ==, "stopped");
  g_assert_cmpstr (amoxicillin->end_reason, ==, "Medication reconciliation: Course finished");
}

/* Nothing of a refused reconciliation is saved. */
static void
assert_unchanged (Fixture *f,
                  gint64   metformin_id,
                  gint64   medications)
{
  g_autoptr (ChPrescription) rx = get_rx (f, metformin_id);
  g_autoptr (ChChartItem) item = get_item (f, rx->medication_item_id);

  g_assert_cmpstr (rx->state, ==, "signed");
  g_assert_cmpstr (item->clinical_status, ==, "active");
  g_assert_null (item->end_date);
  g_assert_cmpint (count_medications (f), ==, medications);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM reconciliations"), ==, 0);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM reconciliation_lines"), ==, 0);
  g_assert_cmpint (count_audit_of (f, CH_AUDIT_CREATE, "reconciliation"), ==, 0);
  g_assert_cmpint (count_audit_of (f, CH_AUDIT_UPDATE, "prescription"), ==, 0);
}

static void
test_reconcile_invalid (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (ChPrescription) rx = NULL;
  g_autoptr (GError) error = NULL;
  gint64 metformin_id = sign_metformin (f);
  gint64 elsewhere = add_item_for (f, f->other_patient, CH_SECTION_MEDICATION, "",
                                   "Digoxin 125 mcg", NULL);
  gint64 future = add_item (f, CH_SECTION_MEDICATION, "", "Dated ahead by mistake");
  gint64 medications;
  struct
  {
    ChReconcileLine  line;
    const char      *says;
  } cases[] = {
    { { "", 0, CH_RECONCILE_STOP, "x" }, "entry of the medication list" },
    { { "   ", 0, CH_RECONCILE_ADD, "" }, "outside list" },
    { { "Aspirin 81 mg", f->warfarin, CH_RECONCILE_ADD, "" }, "not on the list yet" },
    { { "", elsewhere, CH_RECONCILE_KEEP, "" }, "this patient" },
    { { "", f->penicillin, CH_RECONCILE_CHANGE, "10 mg" }, "this patient" },
    { { "", 987654, CH_RECONCILE_KEEP, "" }, "this patient" },
    { { "", f->warfarin, (ChReconcileDecision) 42, "" }, "keep, stop, change or add" },
    { { "", f->warfarin, CH_RECONCILE_STOP, "  " }, "say why" },
    { { "", f->warfarin, CH_RECONCILE_CHANGE, NULL }, "new dose" },
    { { "", 0, CH_RECONCILE_KEEP, "" }, "entry of the medication list" },
  };

  {
    /* An entry dated in the future, which no end date of today can follow. */
    g_autoptr (ChChartItem) item = get_item (f, future);

    item->start_date = g_strdup ("2999-01-01");
    g_assert_true (ch_chart_update (f->doctor, item, "test", &error));
    g_assert_no_error (error);
  }
  rx = get_rx (f, metformin_id);
  medications = count_medications (f);

  /* Each bad line after a good one: the whole reconciliation is refused, naming the line. */
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ChReconcileLine lines[] = {
        { "", rx->medication_item_id, CH_RECONCILE_STOP, "Not taking it" },
        cases[i].line,
      };

      g_test_message ("case %u", i);
      g_assert_cmpint (ch_reconcile_save (f->doctor, f->patient, "List", lines, 2, &error), ==, 0);
      g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
      g_assert_true (g_str_has_prefix (error->message, "Line 2: "));
      g_assert_nonnull (strstr (error->message, cases[i].says));
      g_clear_error (&error);
      assert_unchanged (f, metformin_id, medications);
    }

  /* The same entry on two lines. */
  {
    ChReconcileLine lines[] = {
      { "", rx->medication_item_id, CH_RECONCILE_STOP, "Not taking it" },
      { "Metformin 500 mg", rx->medication_item_id, CH_RECONCILE_KEEP, "" },
    };

    g_assert_cmpint (ch_reconcile_save (f->doctor, f->patient, "", lines, 2, &error), ==, 0);
    g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "another line"));
    g_clear_error (&error);
    assert_unchanged (f, metformin_id, medications);
  }

  /* A line that fails only when carried out, after others were: all of it undone. */
  {
    ChReconcileLine lines[] = {
      { "", rx->medication_item_id, CH_RECONCILE_STOP, "Not taking it" },
      { "Lisinopril 10 mg daily", 0, CH_RECONCILE_ADD, "" },
      { "", future, CH_RECONCILE_STOP, "Never started" },
    };

    g_assert_cmpint (ch_reconcile_save (f->doctor, f->patient, "", lines, 3, &error), ==, 0);
    g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "end date"));
    g_clear_error (&error);
    assert_unchanged (f, metformin_id, medications);
  }

  /* Who may not, and for whom. */
  {
    ChReconcileLine lines[] = {
      { "", rx->medication_item_id, CH_RECONCILE_STOP, "Not taking it" },
    };

    g_assert_cmpint (ch_reconcile_save (f->desk, f->patient, "", lines, 1, &error), ==, 0);
    g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
    g_clear_error (&error);
    g_assert_null (ch_reconcile_list (f->desk, f->patient, &error));
    g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
    g_clear_error (&error);
    g_assert_cmpint (ch_reconcile_save (f->doctor, f->other_patient, "", lines, 1, &error), ==, 0);
    g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_cmpint (ch_reconcile_save (f->doctor, 987654, "", lines, 1, &error), ==, 0);
    g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
    assert_unchanged (f, metformin_id, medications);

    /* Once stopped, not stopped again. */
    g_assert_cmpint (ch_reconcile_save (f->doctor, f->patient, "", lines, 1, &error), >, 0);
    g_assert_no_error (error);
    g_assert_cmpint (ch_reconcile_save (f->doctor, f->patient, "", lines, 1, &error), ==, 0);
    g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "stopped already"));
    g_clear_error (&error);
    g_assert_cmpint (count_rows (f, "SELECT count(*) FROM reconciliations"), ==, 1);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/refills/request-queue", test_request_queue);
  ADD ("/refills/approve", test_approve);
  ADD ("/refills/approve-override", test_approve_override);
  ADD ("/refills/deny", test_deny);
  ADD ("/refills/front-desk", test_refills_front_desk);
  ADD ("/reconcile/effects", test_reconcile_effects);
  ADD ("/reconcile/prescriptions", test_reconcile_prescriptions);
  ADD ("/reconcile/invalid", test_reconcile_invalid);
#undef ADD

  return g_test_run ();
}
