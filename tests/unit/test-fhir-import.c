/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-fhir-import"

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "ch-chart.h"
#include "ch-fhir-import.h"
#include "ch-fhir.h"
#include "ch-patients.h"
#include "ch-prescribing.h"
#include "ch-test-util.h"
#include "ch-users.h"

/* FHIR import through the controller, for what the command line cannot
 * make: prescriptions. One signed, one renewed (the old one replaced), one
 * stopped, exported as MedicationRequests, imported into a practice with
 * the same staff and no patients, exported again: the same, but for what
 * the store stamps when a prescription is signed (its number and time) or
 * an entry written (when it was recorded). */

typedef struct
{
  char       *dir;
  ChPractice *practice;
  ChSession  *admin;
  ChSession  *doctor;
  gint64      patient;
} Side;

static void
side_setup (Side       *s,
            const char *name)
{
  g_autoptr (GError) error = NULL;

  s->dir = ch_test_make_dir ();
  s->practice = ch_test_make_practice (s->dir, NULL);
  s->admin = ch_test_login (s->practice, "admin", CH_TEST_PASSWORD);
  g_assert_true (ch_users_add (s->admin, "doc", NULL, CH_ROLE_PHYSICIAN, CH_TEST_PASSWORD, &error));
  g_assert_no_error (error);
  s->doctor = ch_test_login (s->practice, "doc", CH_TEST_PASSWORD);
}

static void
side_teardown (Side *s)
{
  g_clear_object (&s->admin);
  g_clear_object (&s->doctor);
  g_clear_object (&s->practice);
  ch_test_remove_dir (s->dir);
  g_free (s->dir);
}

static ChPrescription *
prescription (gint64      patient,
              const char *drug,
              const char *form,
              const char *strength,
              double      dose,
              const char *frequency)
{
  ChPrescription *rx = ch_prescription_new ();

  rx->patient_id = patient;
  rx->drug_id = g_strdup (drug);
  rx->drug_name = g_strdup (drug);
  rx->form = g_strdup (form);
  rx->strength = g_strdup (strength);
  rx->route = g_strdup ("oral");
  rx->dose = dose;
  rx->dose_unit = g_strdup ("mg");
  rx->frequency = g_strdup (frequency);
  rx->duration_days = 10;
  rx->quantity = 30;
  rx->quantity_unit = g_strdup (form);
  rx->refills = 1;
  rx->indication = g_strdup ("Otitis media");
  return rx;
}

/* The MedicationRequests and MedicationStatements of @bundle, without what
 * signing or recording here stamps. */
static GPtrArray *
medication_text (JsonNode *bundle)
{
  JsonArray *entries = json_object_get_array_member (json_node_get_object (bundle), "entry");
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *resource = json_object_get_object_member (
        json_array_get_object_element (entries, i), "resource");
      const char *type = json_object_get_string_member (resource, "resourceType");
      g_autoptr (JsonNode) node = NULL;

      if (g_str_equal (type, "MedicationRequest"))
        {
          json_object_remove_member (resource, "identifier");
          json_object_remove_member (resource, "authoredOn");
        }
      else if (g_str_equal (type, "MedicationStatement"))
        json_object_remove_member (resource, "dateAsserted");
      else
        continue;
      node = json_node_new (JSON_NODE_OBJECT);
      json_node_set_object (node, resource);
      g_ptr_array_add (texts, ch_fhir_to_string (node, NULL));
    }
  return texts;
}

static void
test_prescriptions_round_trip (void)
{
  Side a = { 0 }, b = { 0 };
  g_autoptr (ChPatientRecord) patient = ch_patient_record_new ();
  g_autoptr (ChPrescription) first = NULL;
  g_autoptr (ChPrescription) second = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) before = NULL;
  g_autoptr (JsonNode) after = NULL;
  g_autoptr (GPtrArray) before_text = NULL;
  g_autoptr (GPtrArray) after_text = NULL;
  g_autoptr (ChPatientRecord) imported = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_auto (ChFhirImportResult) result = { 0 };
  gint64 renewed;
  guint n_requests = 0;

  side_setup (&a, "a");
  side_setup (&b, "b");

  patient->given_name = g_strdup ("Rosa");
  patient->family_name = g_strdup ("Ibarra");
  patient->birth_date = g_strdup ("1948-06-01");
  g_assert_true (ch_patients_register (a.doctor, patient, &error));
  g_assert_no_error (error);

  first = prescription (patient->id, "amoxicillin", "capsule", "500 mg", 500, "tid");
  g_assert_true (ch_prescribing_save_draft (a.doctor, first, &error));
  g_assert_no_error (error);
  g_assert_true (ch_prescribing_sign (a.doctor, first->id, NULL, 0, &error));
  g_assert_no_error (error);
  renewed = ch_prescribing_renew (a.doctor, first->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (renewed, >, 0);
  g_assert_true (ch_prescribing_sign (a.doctor, renewed, NULL, 0, &error));
  g_assert_no_error (error);

  second = prescription (patient->id, "ibuprofen", "tablet", "400 mg", 400, "bid");
  second->as_needed = TRUE;
  second->instructions = g_strdup ("Take with food");
  g_assert_true (ch_prescribing_save_draft (a.doctor, second, &error));
  g_assert_no_error (error);
  g_assert_true (ch_prescribing_sign (a.doctor, second->id, NULL, 0, &error));
  g_assert_no_error (error);
  g_assert_true (ch_prescribing_stop (a.doctor, second->id, "Pain resolved", &error));
  g_assert_no_error (error);

  path = g_build_filename (a.dir, "bundle.json", NULL);
  g_assert_true (ch_fhir_write_patient (a.doctor, patient->id, CH_FHIR_EXPORT_DEFAULT, path, NULL,
                                        &error));
  g_assert_no_error (error);
  before = ch_fhir_export_patient (a.doctor, patient->id, CH_FHIR_EXPORT_DEFAULT, &error);
  g_assert_no_error (error);

  g_assert_true (ch_fhir_import_path (b.doctor, path, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.rejected->len, ==, 0);
  g_assert_cmpuint (result.n_patients, ==, 1);

  imported = ch_patients_get_by_mrn (b.doctor, patient->mrn, &error);
  g_assert_no_error (error);
  after = ch_fhir_export_patient (b.doctor, imported->id, CH_FHIR_EXPORT_DEFAULT, &error);
  g_assert_no_error (error);

  before_text = medication_text (before);
  after_text = medication_text (after);
  g_assert_cmpuint (before_text->len, ==, after_text->len);
  for (guint i = 0; i < before_text->len; i++)
    {
      g_assert_cmpstr (after_text->pdata[i], ==, before_text->pdata[i]);
      n_requests += strstr (before_text->pdata[i], "\"MedicationRequest\"") != NULL;
    }
  /* Replaced, signed, stopped: each with its status, reason and link. */
  g_assert_cmpuint (n_requests, ==, 3);
  g_ptr_array_add (after_text, NULL);
  text = g_strjoinv ("\n", (char **) after_text->pdata);
  g_assert_nonnull (strstr (text, "\"status\":\"completed\""));
  g_assert_nonnull (strstr (text, "\"status\":\"stopped\""));
  g_assert_nonnull (strstr (text, "Pain resolved"));
  g_assert_nonnull (strstr (text, "\"priorPrescription\""));
  g_assert_nonnull (strstr (text, "\"code\":\"tid\""));

  /* A nurse may not prescribe, so may not import prescriptions: the
   * patient is refused whole. */
  {
    g_auto (ChFhirImportResult) refused = { 0 };
    g_autoptr (ChSession) nurse = NULL;
    Side c = { 0 };

    side_setup (&c, "c");
    g_assert_true (ch_users_add (c.admin, "nurse", NULL, CH_ROLE_NURSE, CH_TEST_PASSWORD, &error));
    nurse = ch_test_login (c.practice, "nurse", CH_TEST_PASSWORD);
    g_assert_true (ch_fhir_import_path (nurse, path, &refused, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (refused.n_patients, ==, 0);
    g_assert_cmpuint (refused.rejected->len, >, 0);
    g_assert_null (ch_patients_get_by_mrn (nurse, patient->mrn, NULL));
    g_clear_object (&nurse);
    side_teardown (&c);
  }

  side_teardown (&a);
  side_teardown (&b);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fhir/import/prescriptions", test_prescriptions_round_trip);
  return g_test_run ();
}
