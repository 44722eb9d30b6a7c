/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-labs"

#include "config.h"

#include <glib/gstdio.h>

#include <string.h>

#include "ch-audit.h"
#include "ch-documents.h"
#include "ch-labs.h"
#include "ch-patients.h"
#include "ch-store-private.h"
#include "ch-test-util.h"
#include "ch-users.h"

/* Lab results in: the sample ORU^R01 messages of tests/data/hl7 into a
 * temporary practice. Matching by MRN, by name and birth date, an ID that
 * disagrees with the name and an ambiguous name waiting in the queue, and
 * assigning from it; corrections and finals replacing what was current
 * while the old stays as history; the embedded PDF in the document store;
 * unreadable messages logged as rejected with nothing stored; a failure
 * midway storing nothing, then processed again; batches stored together
 * with the same outcomes, a failure in one costing that message only;
 * permissions and the audit trail. */

typedef struct
{
  char       *dir;
  ChPractice *practice;
  ChSession  *admin;
  ChSession  *doctor;
  ChSession  *nurse;
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
  g_assert_true (ch_users_add (f->admin, "nurse", NULL, CH_ROLE_NURSE, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "desk", NULL, CH_ROLE_FRONT_DESK, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "boss", NULL, CH_ROLE_MANAGER, CH_TEST_PASSWORD, &error));
  g_assert_no_error (error);
  f->doctor = ch_test_login (f->practice, "doc", CH_TEST_PASSWORD);
  f->nurse = ch_test_login (f->practice, "nurse", CH_TEST_PASSWORD);
  f->desk = ch_test_login (f->practice, "desk", CH_TEST_PASSWORD);
  f->manager = ch_test_login (f->practice, "boss", CH_TEST_PASSWORD);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_clear_object (&f->doctor);
  g_clear_object (&f->nurse);
  g_clear_object (&f->desk);
  g_clear_object (&f->manager);
  g_clear_object (&f->admin);
  g_clear_object (&f->practice);
  ch_test_remove_dir (f->dir);
  g_free (f->dir);
}

static char *
data_path (const char *name)
{
  const char *src = g_getenv ("CHARTA_SOURCE_DIR");

  g_assert_nonnull (src);
  return g_build_filename (src, "tests", "data", "hl7", name, NULL);
}

static GBytes *
sample (const char *name)
{
  g_autofree char *path = data_path (name);
  g_autoptr (GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static GBytes *
text_bytes (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

/* A patient with the MRN a lab knows (a practice that migrated keeps its
 * old numbers), straight into the store. */
static gint64
insert_patient (Fixture    *f,
                const char *mrn,
                const char *given,
                const char *family,
                const char *birth_date)
{
  g_autoptr (ChPatientRecord) patient = ch_patient_record_new ();
  g_autoptr (GError) error = NULL;
  ChStore *store = ch_session_get_store (f->desk);

  patient->mrn = g_strdup (mrn);
  patient->given_name = g_strdup (given);
  patient->family_name = g_strdup (family);
  patient->birth_date = g_strdup (birth_date);
  g_assert_true (ch_store_begin (store, &error));
  g_assert_true (ch_db_patient_insert (store, patient, &error));
  g_assert_true (ch_store_commit (store, &error));
  g_assert_no_error (error);
  return patient->id;
}

/* A patient registered as the front desk does, with an MRN of our own. */
static gint64
register_patient (Fixture    *f,
                  const char *given,
                  const char *family,
                  const char *birth_date)
{
  g_autoptr (ChPatientRecord) patient = ch_patient_record_new ();
  g_autoptr (GError) error = NULL;

  patient->given_name = g_strdup (given);
  patient->family_name = g_strdup (family);
  patient->birth_date = g_strdup (birth_date);
  g_assert_true (ch_patients_register (f->desk, patient, &error));
  g_assert_no_error (error);
  return patient->id;
}

static void
import_ok (ChSession          *session,
           GBytes             *raw,
           ChLabsImportResult *result)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ch_labs_import_message (session, raw, CH_LABS_SOURCE_FILE, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result->message_id, >, 0);
}

static gint64
count (Fixture    *f,
       const char *sql)
{
  g_autoptr (GError) error = NULL;
  ChStore *store = ch_session_get_store (f->doctor);
  sqlite3_stmt *stmt = ch_store_prepare (store, sql, &error);
  gint64 n;

  g_assert_no_error (error);
  g_assert_cmpint (ch_store_step (store, stmt, &error), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

static GPtrArray *
results (Fixture  *f,
         gint64    patient_id,
         gboolean  history)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *list = ch_labs_list_results (f->doctor, patient_id, history, &error);

  g_assert_no_error (error);
  g_assert_nonnull (list);
  return list;
}

static const ChLabResult *
find_result (GPtrArray  *list,
             const char *code,
             const char *status)
{
  for (guint i = 0; i < list->len; i++)
    {
      const ChLabResult *r = list->pdata[i];

      if (g_strcmp0 (r->code, code) == 0 && (status == NULL || g_strcmp0 (r->status, status) == 0))
        return r;
    }
  g_error ("no result %s (%s)", code, status ? status : "any");
  return NULL;
}

static ChLabMessage *
message (Fixture *f,
         gint64   id)
{
  g_autoptr (GError) error = NULL;
  ChLabMessage *m = ch_labs_get_message (f->doctor, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (m);
  return m;
}

/* ---- matching -------------------------------------------------------------- */

static void
test_match_mrn (Fixture      *f,
                gconstpointer data)
{
  g_auto (ChLabsImportResult) result = { 0 };
  g_autoptr (GBytes) raw = sample ("cbc-quest.hl7");
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (ChLabMessage) m = NULL;
  gint64 patient = insert_patient (f, "MRN20391", "Maeve", "Brennan", "1978-04-12");
  const ChLabResult *hgb;

  import_ok (f->doctor, raw, &result);
  g_assert_cmpint (result.outcome, ==, CH_LABS_OUTCOME_IMPORTED);
  g_assert_cmpint (result.patient_id, ==, patient);
  g_assert_cmpstr (result.mrns, ==, "MRN20391");
  g_assert_cmpstr (result.control_id, ==, "Q7731885510");
  g_assert_cmpuint (result.n_reports, ==, 1);
  g_assert_cmpuint (result.n_results, ==, 10);
  g_assert_null (result.reason);

  list = results (f, patient, FALSE);
  g_assert_cmpuint (list->len, ==, 10);
  hgb = find_result (list, "718-7", NULL);
  g_assert_cmpstr (hgb->text, ==, "Hemoglobin");
  g_assert_cmpstr (hgb->system, ==, "LN");
  g_assert_cmpstr (hgb->value, ==, "11.4");
  g_assert_true (hgb->has_numeric_value);
  g_assert_cmpfloat_with_epsilon (hgb->numeric_value, 11.4, 1e-9);
  g_assert_cmpstr (hgb->units, ==, "g/dL");
  g_assert_cmpstr (hgb->reference_range, ==, "11.7-15.5");
  g_assert_cmpstr (hgb->abnormal_flags, ==, "L");
  g_assert_cmpstr (hgb->status, ==, "F");
  g_assert_cmpstr (hgb->observed_at, ==, "2024-03-14T09:30:00-05:00");
  g_assert_true (hgb->has_observed_ts);
  g_assert_cmpint (hgb->observed_ts, ==, (gint64) 1710426600 * G_USEC_PER_SEC);
  g_assert_cmpstr (hgb->test_text, ==, "CBC (INCLUDES DIFF/PLT)");
  g_assert_cmpstr (hgb->filler_number, ==, "WD0114522Q");
  g_assert_cmpstr (hgb->placer_number, ==, "ORD448812");
  g_assert_true (hgb->current);

  m = message (f, result.message_id);
  g_assert_cmpstr (m->outcome, ==, "imported");
  g_assert_cmpint (m->patient_id, ==, patient);
  g_assert_cmpstr (m->source, ==, "file");
  g_assert_cmpstr (m->message_type, ==, "ORU^R01");
  g_assert_cmpstr (m->sending_facility, ==, "QUEST DIAGNOSTICS-WOOD DALE");
  g_assert_cmpstr (m->patient_ref, ==, "MRN20391 (MR), Q83716 (PI)");
  g_assert_cmpint (m->attempts, ==, 1);
  g_assert_cmpint (m->size, ==, (gint64) g_bytes_get_size (raw));

  /* The raw message is kept as received. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) kept = ch_db_lab_message_get_raw (ch_session_get_store (f->doctor),
                                                         result.message_id, &error);

    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (kept, raw));
  }
}

static void
test_match_name_birth_date (Fixture      *f,
                            gconstpointer data)
{
  g_auto (ChLabsImportResult) result = { 0 };
  g_autoptr (GBytes) raw = sample ("corrected.hl7");
  g_autoptr (GPtrArray) list = NULL;
  const ChLabResult *r;
  gint64 patient;

  /* Another Adeyemi, born another day, is not her. */
  register_patient (f, "Folake", "Adeyemi", "1991-02-28");
  patient = register_patient (f, "Folake", "ADEYEMI", "1991-02-27");
  import_ok (f->nurse, raw, &result);
  g_assert_cmpint (result.outcome, ==, CH_LABS_OUTCOME_IMPORTED);
  g_assert_cmpint (result.patient_id, ==, patient);

  list = results (f, patient, FALSE);
  g_assert_cmpuint (list->len, ==, 5);
  /* A structured numeric with a comparator is text, not a number. */
  r = find_result (list, "2888-6", NULL);
  g_assert_cmpstr (r->value, ==, ">300");
  g_assert_false (r->has_numeric_value);
  g_assert_cmpstr (r->status, ==, "C");
  g_assert_cmpstr (r->abnormal_flags, ==, "A");
  r = find_result (list, "31209-0", NULL);
  g_assert_cmpstr (r->value, ==, "1:128");
  g_assert_false (r->has_numeric_value);
  r = find_result (list, "600-7", NULL);
  g_assert_cmpstr (r->value, ==, "Escherichia coli");
  g_assert_cmpstr (r->value_type, ==, "CWE");
  r = find_result (list, "5778-6", NULL);
  g_assert_cmpstr (r->status, ==, "X");
  g_assert_cmpstr (r->value, ==, "Straw");
  r = find_result (list, "2345-7", NULL);
  g_assert_true (r->has_numeric_value);
  g_assert_cmpfloat_with_epsilon (r->numeric_value, 98, 1e-9);
  /* No time zone in the message: the practice's (UTC in the tests). */
  g_assert_cmpstr (r->observed_at, ==, "2024-03-19T07:10:00");
}

static void
test_id_disagrees (Fixture      *f,
                   gconstpointer data)
{
  g_auto (ChLabsImportResult) result = { 0 };
  g_autoptr (GBytes) raw = sample ("cbc-quest.hl7");
  g_autoptr (ChLabMessage) m = NULL;
  g_autoptr (GPtrArray) queue = NULL;
  g_autoptr (GError) error = NULL;

  /* Our MRN20391 is somebody else: the lab's number matched by chance. */
  insert_patient (f, "MRN20391", "Maeve", "Smith", "1978-04-12");
  import_ok (f->doctor, raw, &result);
  g_assert_cmpint (result.outcome, ==, CH_LABS_OUTCOME_QUEUED);
  g_assert_nonnull (strstr (result.reason, "MRN20391"));
  g_assert_nonnull (strstr (result.reason, "Maeve Brennan"));
  g_assert_cmpint (count (f, "SELECT count (*) FROM lab_results"), ==, 0);
  g_assert_cmpint (count (f, "SELECT count (*) FROM lab_reports"), ==, 0);

  /* Nor does a birth date that disagrees pass. */
  {
    g_auto (ChLabsImportResult) second = { 0 };
    g_autoptr (GBytes) other = sample ("pdf-report.hl7");

    insert_patient (f, "MRN77120", "Rafael", "Castellanos", "1965-09-04");
    import_ok (f->doctor, other, &second);
    g_assert_cmpint (second.outcome, ==, CH_LABS_OUTCOME_QUEUED);
    g_assert_nonnull (strstr (second.reason, "1965-09-03"));
  }

  m = message (f, result.message_id);
  g_assert_cmpstr (m->outcome, ==, "queued");
  g_assert_cmpstr (m->reason, ==, result.reason);
  g_assert_cmpint (m->patient_id, ==, 0);

  queue = ch_labs_list_queue (f->doctor, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queue->len, ==, 2);
  g_assert_cmpint (((ChLabMessage *) queue->pdata[0])->id, ==, result.message_id);
  g_assert_cmpstr (((ChLabMessage *) queue->pdata[0])->patient_name, ==, "Brennan^Maeve^T");
  g_assert_cmpstr (((ChLabMessage *) queue->pdata[0])->birth_date, ==, "1978-04-12");
}

static void
test_ambiguous_then_assign (Fixture      *f,
                            gconstpointer data)
{
  g_auto (ChLabsImportResult) result = { 0 };
  g_auto (ChLabsImportResult) assigned = { 0 };
  g_autoptr (GBytes) raw = sample ("custom-delimiters.hl7");
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GPtrArray) queue = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ChLabMessage) m = NULL;
  const ChLabResult *r;
  gint64 first, second;

  first = register_patient (f, "Kenji", "Nakamura", "1972-05-19");
  second = register_patient (f, "Kenji", "Nakamura", "1972-05-19");
  import_ok (f->doctor, raw, &result);
  g_assert_cmpint (result.outcome, ==, CH_LABS_OUTCOME_QUEUED);
  g_assert_nonnull (strstr (result.reason, "2 patients match"));
  g_assert_cmpint (count (f, "SELECT count (*) FROM lab_results"), ==, 0);

  g_assert_true (ch_labs_assign (f->doctor, result.message_id, second, &assigned, &error));
  g_assert_no_error (error);
  g_assert_cmpint (assigned.outcome, ==, CH_LABS_OUTCOME_IMPORTED);
  g_assert_cmpint (assigned.message_id, ==, result.message_id);
  g_assert_cmpint (assigned.patient_id, ==, second);
  g_assert_cmpuint (assigned.n_results, ==, 2);

  list = results (f, second, FALSE);
  g_assert_cmpuint (list->len, ==, 2);
  r = find_result (list, "8251-1", NULL);
  /* Escapes decode to the message's own delimiters. */
  g_assert_cmpstr (r->value, ==, "Drawn at 07@15 $ lab 3 ! 50%50 split");
  g_clear_pointer (&list, g_ptr_array_unref);
  list = results (f, first, TRUE);
  g_assert_cmpuint (list->len, ==, 0);

  m = message (f, result.message_id);
  g_assert_cmpstr (m->outcome, ==, "imported");
  g_assert_cmpint (m->patient_id, ==, second);
  g_assert_cmpint (m->attempts, ==, 2);
  g_assert_cmpstr (m->processed_by, ==, "doc");
  queue = ch_labs_list_queue (f->doctor, &error);
  g_assert_cmpuint (queue->len, ==, 0);

  /* Imported is final: neither assigned again nor processed again. */
  g_assert_false (ch_labs_assign (f->doctor, result.message_id, first, NULL, &error));
  g_assert_error (error, CH_LABS_ERROR, CH_LABS_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (ch_labs_reprocess (f->doctor, result.message_id, NULL, &error));
  g_assert_error (error, CH_LABS_ERROR, CH_LABS_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (ch_labs_assign (f->doctor, 9999, first, NULL, &error));
  g_assert_error (error, CH_LABS_ERROR, CH_LABS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (count (f, "SELECT count (*) FROM lab_results"), ==, 2);
}

static void
test_two_patients (Fixture      *f,
                   gconstpointer data)
{
  g_auto (ChLabsImportResult) result = { 0 };
  g_auto (ChLabsImportResult) assigned = { 0 };
  g_autoptr (GBytes) raw = sample ("lf-two-patients.hl7");
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;
  gint64 astrid, thabo;

  astrid = insert_patient (f, "MRN60001", "Astrid", "Lindqvist", "1985-01-30");
  /* Thabo is not registered yet: the whole message waits. */
  import_ok (f->doctor, raw, &result);
  g_assert_cmpint (result.outcome, ==, CH_LABS_OUTCOME_QUEUED);
  g_assert_nonnull (strstr (result.reason, "PID 2"));
  g_assert_null (strstr (result.reason, "PID 1"));
  g_assert_cmpint (count (f, "SELECT count (*) FROM lab_results"), ==, 0);

  thabo = register_patient (f, "Thabo S", "Mbeki", "1947-08-11");
  /* The middle name sent is part of the given name in the chart. */
  g_assert_true (ch_labs_reprocess (f->doctor, result.message_id, &assigned, &error));
  g_assert_no_error (error);
  g_assert_cmpint (assigned.outcome, ==, CH_LABS_OUTCOME_IMPORTED);
  g_assert_cmpuint (assigned.n_reports, ==, 3);
  g_assert_nonnull (strstr (assigned.mrns, "MRN60001"));

  list = results (f, astrid, FALSE);
  g_assert_cmpuint (list->len, ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = results (f, thabo, FALSE);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (find_result (list, "2823-3", NULL)->status, ==, "P");
  g_assert_cmpint (count (f, "SELECT count (*) FROM audit WHERE object_type = 'lab-results'"
                          " AND action = 'create'"), ==, 2);
}

/* ---- versions -------------------------------------------------------------- */

#define LAB_MSH(control) \
  "MSH|^~\\&|LIS|ACME LAB|CHARTA|OAKWOOD|20240401120000||ORU^R01|" control "|P|2.5.1\r" \
  "PID|1||MRN90001^^^OAKWOOD^MR||Doe^Jane||19800101|F\r"
#define GLUCOSE(order_status, value, status) \
  "OBR|1|ORD9|FIL9|GLU^Glucose^L|||20240401080000|||||||||||||||20240401115900|||" order_status "\r" \
  "OBX|1|NM|2345-7^Glucose^LN||" value "|mg/dL|70-99||||" status "|||20240401080000\r"

static void
test_correction_keeps_history (Fixture      *f,
                               gconstpointer data)
{
  g_autoptr (GBytes) final = text_bytes (LAB_MSH ("C1") GLUCOSE ("F", "98", "F"));
  g_autoptr (GBytes) corrected = text_bytes (LAB_MSH ("C2") GLUCOSE ("C", "89", "C")
                                             "NTE|1|L|Corrected: sample mislabelled\r");
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GPtrArray) history = NULL;
  const ChLabResult *now, *before;
  gint64 patient = insert_patient (f, "MRN90001", "Jane", "Doe", "1980-01-01");

  {
    g_auto (ChLabsImportResult) result = { 0 };

    import_ok (f->doctor, final, &result);
    g_assert_cmpint (result.outcome, ==, CH_LABS_OUTCOME_IMPORTED);
    g_assert_cmpuint (result.n_replaced, ==, 0);
  }
  {
    g_auto (ChLabsImportResult) result = { 0 };

    import_ok (f->doctor, corrected, &result);
    g_assert_cmpint (result.outcome, ==, CH_LABS_OUTCOME_IMPORTED);
    g_assert_cmpuint (result.n_replaced, ==, 1);
  }

  list = results (f, patient, FALSE);
  g_assert_cmpuint (list->len, ==, 1);
  now = list->pdata[0];
  g_assert_cmpstr (now->value, ==, "89");
  g_assert_cmpstr (now->status, ==, "C");
  g_assert_cmpstr (now->comments, ==, "Corrected: sample mislabelled");
  g_assert_true (now->current);

  history = results (f, patient, TRUE);
  g_assert_cmpuint (history->len, ==, 2);
  before = find_result (history, "2345-7", "F");
  g_assert_cmpstr (before->value, ==, "98");
  g_assert_false (before->current);
  g_assert_cmpint (before->replaced_by, ==, now->id);
  /* The newest first. */
  g_assert_cmpint (((ChLabResult *) history->pdata[0])->id, ==, now->id);

  /* Results are replaced, never deleted. */
  {
    g_autoptr (GError) error = NULL;

    g_assert_false (ch_store_exec (ch_session_get_store (f->doctor),
                                   "DELETE FROM lab_results", &error));
    g_assert_nonnull (error);
  }
}

static void
test_preliminary_then_final (Fixture      *f,
                             gconstpointer data)
{
  g_autoptr (GBytes) prelim = text_bytes (LAB_MSH ("P1") GLUCOSE ("P", "120", "P"));
  g_autoptr (GBytes) final = text_bytes (LAB_MSH ("P2") GLUCOSE ("F", "118", "F"));
  g_autoptr (GBytes) late = text_bytes (LAB_MSH ("P3") GLUCOSE ("P", "121", "P"));
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GPtrArray) history = NULL;
  gint64 patient = insert_patient (f, "MRN90001", "Jane", "Doe", "1980-01-01");
  g_auto (ChLabsImportResult) r1 = { 0 };
  g_auto (ChLabsImportResult) r2 = { 0 };
  g_auto (ChLabsImportResult) r3 = { 0 };

  import_ok (f->doctor, prelim, &r1);
  list = results (f, patient, FALSE);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (find_result (list, "2345-7", NULL)->status, ==, "P");
  g_clear_pointer (&list, g_ptr_array_unref);

  import_ok (f->doctor, final, &r2);
  g_assert_cmpuint (r2.n_replaced, ==, 1);
  list = results (f, patient, FALSE);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (find_result (list, "2345-7", NULL)->value, ==, "118");
  g_assert_cmpstr (find_result (list, "2345-7", NULL)->status, ==, "F");
  g_clear_pointer (&list, g_ptr_array_unref);

  /* A preliminary arriving after the final does not unseat it. */
  import_ok (f->doctor, late, &r3);
  g_assert_cmpint (r3.outcome, ==, CH_LABS_OUTCOME_IMPORTED);
  g_assert_cmpuint (r3.n_replaced, ==, 0);
  list = results (f, patient, FALSE);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (find_result (list, "2345-7", NULL)->value, ==, "118");

  history = results (f, patient, TRUE);
  g_assert_cmpuint (history->len, ==, 3);
  g_assert_cmpint (count (f, "SELECT count (*) FROM lab_results WHERE current = 1"), ==, 1);
}

static void
test_nm_not_a_number (Fixture      *f,
                      gconstpointer data)
{
  g_auto (ChLabsImportResult) result = { 0 };
  g_autoptr (GBytes) raw = text_bytes (LAB_MSH ("N1")
                                       "OBR|1|ORD1|FIL1|CRP^CRP^L|||20240401080000\r"
                                       "OBX|1|NM|1988-5^CRP^LN||<5|mg/L|0-5|N|||F\r"
                                       "OBX|2|NM|2345-7^Glucose^LN||>1000|mg/dL|70-99|HH|||F\r"
                                       "OBX|3|NM|718-7^Hgb^LN||-1.5|g/dL|||||F\r");
  g_autoptr (GPtrArray) list = NULL;
  gint64 patient = insert_patient (f, "MRN90001", "Jane", "Doe", "1980-01-01");
  const ChLabResult *r;

  import_ok (f->doctor, raw, &result);
  g_assert_cmpint (result.outcome, ==, CH_LABS_OUTCOME_IMPORTED);
  list = results (f, patient, FALSE);
  g_assert_cmpuint (list->len, ==, 3);
  r = find_result (list, "1988-5", NULL);
  g_assert_cmpstr (r->value, ==, "<5");
  g_assert_false (r->has_numeric_value);
  r = find_result (list, "2345-7", NULL);
  g_assert_cmpstr (r->value, ==, ">1000");
  g_assert_false (r->has_numeric_value);
  g_assert_cmpstr (r->abnormal_flags, ==, "HH");
  r = find_result (list, "718-7", NULL);
  g_assert_true (r->has_numeric_value);
  g_assert_cmpfloat_with_epsilon (r->numeric_value, -1.5, 1e-9);
  /* No time of its own: the specimen's. */
  g_assert_cmpstr (r->observed_at, ==, "2024-04-01T08:00:00");
}

/* ---- documents ------------------------------------------------------------- */

static void
test_pdf_into_documents (Fixture      *f,
                         gconstpointer data)
{
  g_auto (ChLabsImportResult) result = { 0 };
  g_autoptr (GBytes) raw = sample ("pdf-report.hl7");
  g_autoptr (GBytes) expected = sample ("report.pdf");
  g_autoptr (GBytes) stored = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GPtrArray) documents = NULL;
  g_autoptr (ChDocument) document = NULL;
  g_autoptr (GError) error = NULL;
  gint64 patient = insert_patient (f, "MRN77120", "Rafael", "Castellanos", "1965-09-03");
  const ChLabResult *pdf;

  import_ok (f->doctor, raw, &result);
  g_assert_cmpint (result.outcome, ==, CH_LABS_OUTCOME_IMPORTED);
  g_assert_cmpuint (result.n_documents, ==, 1);

  list = results (f, patient, FALSE);
  g_assert_cmpuint (list->len, ==, 2);
  pdf = find_result (list, "PDF", NULL);
  g_assert_cmpstr (pdf->value_type, ==, "ED");
  g_assert_cmpint (pdf->document_id, >, 0);
  g_assert_cmpint (find_result (list, "2093-3", NULL)->document_id, ==, 0);

  documents = ch_documents_list (f->doctor, patient, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (documents->len, ==, 1);
  document = ch_documents_get (f->doctor, pdf->document_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (document->category, ==, "lab-report");
  g_assert_cmpstr (document->title, ==, "Lipid Panel With LDL/HDL Ratio");
  g_assert_cmpstr (document->date, ==, "2024-03-17");
  g_assert_cmpstr (document->content_type, ==, "application/pdf");
  g_assert_nonnull (strstr (document->source, "LABCORP BURLINGTON"));
  stored = ch_documents_read (f->doctor, pdf->document_id, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (stored, expected));
}

/* ---- failures -------------------------------------------------------------- */

static void
test_rejected (Fixture      *f,
               gconstpointer data)
{
  static const struct
  {
    const char *text;
    const char *why;
  } cases[] = {
    { "hello, this is not HL7", "cannot be read" },
    { "", "cannot be read" },
    { "MSH|^~\\&|REG|OAKWOOD|CHARTA|OAKWOOD|20240329080000||ADT^A01|ADT0001|P|2.5.1\r"
      "PID|1||MRN90001^^^OAKWOOD^MR||Doe^Jane||19800101|F\r", "ADT^A01" },
    { LAB_MSH ("R1") "OBR|1|ORD1|FIL1|GLU^Glucose^L\r"
      "OBX|1|NM|2345-7^Glucose^LN||98|mg/dL|70-99||||Q\r", "OBX-11" },
    { LAB_MSH ("R2") "OBR|1|ORD1|FIL1|GLU^Glucose^L\r"
      "OBX|1|ED|PDF^Report^L||^Application^PDF^Base64^JVBER!!!||||||F\r", "OBX-5.5" },
  };
  gint64 patient = insert_patient (f, "MRN90001", "Jane", "Doe", "1980-01-01");

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (ChLabsImportResult) result = { 0 };
      g_autoptr (GBytes) raw = text_bytes (cases[i].text);
      g_autoptr (ChLabMessage) m = NULL;

      import_ok (f->doctor, raw, &result);
      g_assert_cmpint (result.outcome, ==, CH_LABS_OUTCOME_REJECTED);
      g_assert_nonnull (result.reason);
      if (strstr (result.reason, cases[i].why) == NULL)
        g_error ("case %" G_GSIZE_FORMAT ": “%s” does not say %s", i, result.reason, cases[i].why);
      m = message (f, result.message_id);
      g_assert_cmpstr (m->outcome, ==, "rejected");
      g_assert_cmpstr (m->reason, ==, result.reason);
    }
  g_assert_cmpint (count (f, "SELECT count (*) FROM hl7_messages WHERE outcome = 'rejected'"),
                   ==, G_N_ELEMENTS (cases));
  g_assert_cmpint (count (f, "SELECT count (*) FROM lab_reports"), ==, 0);
  g_assert_cmpint (count (f, "SELECT count (*) FROM lab_results"), ==, 0);
  g_assert_cmpint (count (f, "SELECT count (*) FROM documents"), ==, 0);

  /* A message sent twice is stored once. */
  {
    g_auto (ChLabsImportResult) first = { 0 };
    g_auto (ChLabsImportResult) again = { 0 };
    g_autoptr (GBytes) raw = text_bytes (LAB_MSH ("D1") GLUCOSE ("F", "98", "F"));

    import_ok (f->doctor, raw, &first);
    g_assert_cmpint (first.outcome, ==, CH_LABS_OUTCOME_IMPORTED);
    import_ok (f->doctor, raw, &again);
    g_assert_cmpint (again.outcome, ==, CH_LABS_OUTCOME_REJECTED);
    g_assert_nonnull (strstr (again.reason, "duplicate"));
    g_assert_cmpint (count (f, "SELECT count (*) FROM lab_results"), ==, 1);
  }
  (void) patient;
}

static void
test_all_or_nothing (Fixture      *f,
                     gconstpointer data)
{
  g_auto (ChLabsImportResult) result = { 0 };
  g_auto (ChLabsImportResult) again = { 0 };
  g_autoptr (GBytes) raw = sample ("pdf-report.hl7");
  g_autoptr (GError) error = NULL;
  g_autoptr (ChLabMessage) m = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autofree char *docs = ch_documents_dir (f->doctor);
  g_autofree char *aside = g_strconcat (docs, ".aside", NULL);
  gint64 patient = insert_patient (f, "MRN77120", "Rafael", "Castellanos", "1965-09-03");

  /* The document store cannot be written (a file where its folder should
   * be: root writes through permissions): the PDF, second in the message,
   * fails after the cholesterol result was stored. */
  g_mkdir_with_parents (docs, 0700);
  g_assert_cmpint (g_rename (docs, aside), ==, 0);
  g_assert_true (g_file_set_contents (docs, "in the way", -1, NULL));

  import_ok (f->doctor, raw, &result);
  g_assert_cmpint (result.outcome, ==, CH_LABS_OUTCOME_FAILED);
  g_assert_nonnull (strstr (result.reason, "nothing of them was kept"));
  g_assert_cmpint (count (f, "SELECT count (*) FROM lab_reports"), ==, 0);
  g_assert_cmpint (count (f, "SELECT count (*) FROM lab_results"), ==, 0);
  g_assert_cmpint (count (f, "SELECT count (*) FROM documents"), ==, 0);
  m = message (f, result.message_id);
  g_assert_cmpstr (m->outcome, ==, "error");
  g_assert_cmpint (m->patient_id, ==, 0);
  g_clear_pointer (&m, ch_lab_message_free);

  g_assert_cmpint (g_unlink (docs), ==, 0);
  g_assert_cmpint (g_rename (aside, docs), ==, 0);
  g_assert_true (ch_labs_reprocess (f->doctor, result.message_id, &again, &error));
  g_assert_no_error (error);
  g_assert_cmpint (again.outcome, ==, CH_LABS_OUTCOME_IMPORTED);
  g_assert_cmpint (again.message_id, ==, result.message_id);
  m = message (f, result.message_id);
  g_assert_cmpstr (m->outcome, ==, "imported");
  g_assert_cmpstr (m->reason, ==, "");
  g_assert_cmpint (m->attempts, ==, 2);
  list = results (f, patient, FALSE);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpint (count (f, "SELECT count (*) FROM hl7_messages"), ==, 1);
}

/* ch_labs_import_messages(): a lab's batch in one transaction, each message
 * still kept or not as a whole, with the same outcomes as one at a time —
 * and when one of them fails to be stored, the batch is taken again one
 * message at a time, so that the failure costs that message only. */
static void
import_batch (Fixture      *f,
              GPtrArray    *raws,
              GArray      **results)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ch_labs_import_messages (f->doctor, raws, CH_LABS_SOURCE_FOLDER, results,
                                          &error));
  g_assert_no_error (error);
  g_assert_cmpuint ((*results)->len, ==, raws->len);
}

#define BATCH_RESULT(a, i) (&g_array_index ((a), ChLabsImportResult, (i)))

static void
test_batch (Fixture      *f,
            gconstpointer data)
{
  g_autoptr (GPtrArray) raws = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (GArray) results = NULL;
  g_autoptr (GError) error = NULL;
  gint64 maeve = insert_patient (f, "MRN20391", "Maeve", "Brennan", "1978-04-12");
  gint64 audit_before;

  g_ptr_array_add (raws, sample ("cbc-quest.hl7"));
  g_ptr_array_add (raws, text_bytes ("this is not HL7 at all"));
  g_ptr_array_add (raws, sample ("nte-comments.hl7"));   /* no such patient: queued */
  g_ptr_array_add (raws, sample ("cbc-quest.hl7"));      /* a duplicate of the first */
  audit_before = count (f, "SELECT count (*) FROM audit");

  import_batch (f, raws, &results);
  g_assert_cmpint (BATCH_RESULT (results, 0)->outcome, ==, CH_LABS_OUTCOME_IMPORTED);
  g_assert_cmpint (BATCH_RESULT (results, 0)->patient_id, ==, maeve);
  g_assert_cmpuint (BATCH_RESULT (results, 0)->n_results, ==, 10);
  g_assert_cmpint (BATCH_RESULT (results, 1)->outcome, ==, CH_LABS_OUTCOME_REJECTED);
  g_assert_cmpint (BATCH_RESULT (results, 2)->outcome, ==, CH_LABS_OUTCOME_QUEUED);
  g_assert_cmpint (BATCH_RESULT (results, 3)->outcome, ==, CH_LABS_OUTCOME_REJECTED);
  g_assert_nonnull (strstr (BATCH_RESULT (results, 3)->reason, "duplicate"));
  for (guint i = 0; i < results->len; i++)
    g_assert_cmpint (BATCH_RESULT (results, i)->message_id, >, 0);
  g_assert_cmpint (count (f, "SELECT count (*) FROM hl7_messages"), ==, 4);
  g_assert_cmpint (count (f, "SELECT count (*) FROM lab_results WHERE current = 1"), ==, 10);
  /* Audited as one at a time would be: each received, each outcome. */
  g_assert_cmpint (count (f, "SELECT count (*) FROM audit"), >=, audit_before + 4 + 4);
  g_assert_true (ch_audit_verify (ch_session_get_store (f->admin), NULL, &error));
  g_assert_no_error (error);
}

static void
test_batch_failure_one_at_a_time (Fixture      *f,
                                  gconstpointer data)
{
  g_autoptr (GPtrArray) raws = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (GArray) outcomes = NULL;
  g_autofree char *docs = ch_documents_dir (f->doctor);
  g_autofree char *aside = g_strconcat (docs, ".aside", NULL);
  gint64 maeve = insert_patient (f, "MRN20391", "Maeve", "Brennan", "1978-04-12");
  gint64 rafael = insert_patient (f, "MRN77120", "Rafael", "Castellanos", "1965-09-03");
  g_autoptr (GPtrArray) list = NULL;

  /* The PDF of the second message cannot be filed (see all-or-nothing). */
  g_mkdir_with_parents (docs, 0700);
  g_assert_cmpint (g_rename (docs, aside), ==, 0);
  g_assert_true (g_file_set_contents (docs, "in the way", -1, NULL));

  g_ptr_array_add (raws, sample ("cbc-quest.hl7"));
  g_ptr_array_add (raws, sample ("pdf-report.hl7"));
  g_ptr_array_add (raws, sample ("corrected.hl7"));
  import_batch (f, raws, &outcomes);

  g_assert_cmpint (BATCH_RESULT (outcomes, 0)->outcome, ==, CH_LABS_OUTCOME_IMPORTED);
  g_assert_cmpint (BATCH_RESULT (outcomes, 1)->outcome, ==, CH_LABS_OUTCOME_FAILED);
  g_assert_nonnull (strstr (BATCH_RESULT (outcomes, 1)->reason, "nothing of them was kept"));
  g_assert_cmpint (BATCH_RESULT (outcomes, 2)->outcome, ==, CH_LABS_OUTCOME_QUEUED);
  /* Each message logged once: the spoiled batch left nothing behind. */
  g_assert_cmpint (count (f, "SELECT count (*) FROM hl7_messages"), ==, 3);
  g_assert_cmpint (count (f, "SELECT count (*) FROM hl7_messages WHERE outcome = 'error'"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count (*) FROM lab_results WHERE patient_id = "
                             "(SELECT id FROM patients WHERE mrn = 'MRN77120')"), ==, 0);
  list = results (f, maeve, FALSE);
  g_assert_cmpuint (list->len, >=, 10);

  /* Fixed, the failed one goes in. */
  g_assert_cmpint (g_unlink (docs), ==, 0);
  g_assert_cmpint (g_rename (aside, docs), ==, 0);
  {
    g_auto (ChLabsImportResult) again = { 0 };
    g_autoptr (GError) error = NULL;

    g_assert_true (ch_labs_reprocess (f->doctor, BATCH_RESULT (outcomes, 1)->message_id, &again,
                                      &error));
    g_assert_no_error (error);
    g_assert_cmpint (again.outcome, ==, CH_LABS_OUTCOME_IMPORTED);
    g_assert_cmpint (again.patient_id, ==, rafael);
  }
}

/* ---- permissions and audit ------------------------------------------------- */

static void
test_permissions (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (GBytes) raw = sample ("cbc-quest.hl7");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  gint64 patient = insert_patient (f, "MRN20391", "Maeve", "Brennan", "1978-04-12");
  ChSession *refused[] = { f->desk, f->manager, f->admin };

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_assert_false (ch_labs_import_message (refused[i], raw, CH_LABS_SOURCE_FILE, NULL, &error));
      g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
      g_clear_error (&error);
      g_assert_null (ch_labs_list_results (refused[i], patient, FALSE, &error));
      g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
      g_clear_error (&error);
      g_assert_null (ch_labs_list_queue (refused[i], &error));
      g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
      g_clear_error (&error);
      g_assert_null (ch_labs_list_messages (refused[i], 0, &error));
      g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
      g_clear_error (&error);
    }
  /* Refused before anything is logged. */
  g_assert_cmpint (count (f, "SELECT count (*) FROM hl7_messages"), ==, 0);

  {
    g_auto (ChLabsImportResult) result = { 0 };

    import_ok (f->nurse, raw, &result);
    g_assert_cmpint (result.outcome, ==, CH_LABS_OUTCOME_IMPORTED);
    g_assert_false (ch_labs_reprocess (f->desk, result.message_id, NULL, &error));
    g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
    g_clear_error (&error);
    g_assert_false (ch_labs_assign (f->desk, result.message_id, patient, NULL, &error));
    g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
    g_clear_error (&error);
  }
  list = ch_labs_list_messages (f->doctor, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
}

static void
test_audit (Fixture      *f,
            gconstpointer data)
{
  g_auto (ChLabsImportResult) result = { 0 };
  g_auto (ChLabsImportResult) queued = { 0 };
  g_autoptr (GBytes) raw = sample ("cbc-quest.hl7");
  g_autoptr (GBytes) other = sample ("nte-comments.hl7");
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = NULL;
  gint64 patient = insert_patient (f, "MRN20391", "Maeve", "Brennan", "1978-04-12");
  gint64 n_entries = 0;

  import_ok (f->doctor, raw, &result);
  import_ok (f->doctor, other, &queued);
  g_assert_cmpint (queued.outcome, ==, CH_LABS_OUTCOME_QUEUED);

  sql = g_strdup_printf ("SELECT count (*) FROM audit WHERE action = 'create'"
                         " AND object_type = 'lab-results' AND patient_id = %" G_GINT64_FORMAT
                         " AND username = 'doc' AND object_id = '%" G_GINT64_FORMAT "'"
                         " AND detail LIKE '%%10 results%%'", patient, result.message_id);
  g_assert_cmpint (count (f, sql), ==, 1);
  /* Every message received is in the trail, with no patient until one is
   * known, and what became of it. */
  g_assert_cmpint (count (f, "SELECT count (*) FROM audit WHERE object_type = 'hl7-message'"
                          " AND action = 'create' AND patient_id IS NULL"), ==, 2);
  g_assert_cmpint (count (f, "SELECT count (*) FROM audit WHERE object_type = 'hl7-message'"
                          " AND action = 'update' AND detail LIKE '%queued%'"), ==, 1);

  list = results (f, patient, TRUE);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT count (*) FROM audit WHERE action = 'view'"
                         " AND object_type = 'lab-results' AND patient_id = %" G_GINT64_FORMAT,
                         patient);
  g_assert_cmpint (count (f, sql), ==, 1);

  g_assert_true (ch_audit_verify (ch_session_get_store (f->doctor), &n_entries, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n_entries, >, 0);
}

/* ---- batches --------------------------------------------------------------- */

static void
test_split_batch (void)
{
  static const char two[] = LAB_MSH ("S1") GLUCOSE ("F", "98", "F") "\n\n"
                            LAB_MSH ("S2") GLUCOSE ("F", "99", "F");
  static const char envelope[] = "FHS|^~\\&|LIS\rBHS|^~\\&|LIS\r"
                                 LAB_MSH ("S1") GLUCOSE ("F", "98", "F")
                                 LAB_MSH ("S2") GLUCOSE ("F", "99", "F")
                                 "BTS|2\rFTS|1\r";
  g_autoptr (GBytes) plain = text_bytes (two);
  g_autoptr (GBytes) batch = text_bytes (envelope);
  g_autoptr (GBytes) junk = text_bytes ("not a message at all");
  g_autoptr (GPtrArray) messages = NULL;
  g_autoptr (GByteArray) framed = g_byte_array_new ();
  g_autoptr (GBytes) framed_bytes = NULL;
  static const guint8 start = CH_HL7_MLLP_START, end[] = { CH_HL7_MLLP_END, '\r' };

  messages = ch_labs_split_batch (plain);
  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_true (g_str_has_prefix (g_bytes_get_data (messages->pdata[1], NULL), "MSH"));
  g_clear_pointer (&messages, g_ptr_array_unref);

  messages = ch_labs_split_batch (batch);
  g_assert_cmpuint (messages->len, ==, 2);
  g_clear_pointer (&messages, g_ptr_array_unref);

  for (guint i = 0; i < 2; i++)
    {
      const char *text = i == 0 ? LAB_MSH ("F1") GLUCOSE ("F", "98", "F")
                                : LAB_MSH ("F2") GLUCOSE ("F", "99", "F");

      g_byte_array_append (framed, &start, 1);
      g_byte_array_append (framed, (const guint8 *) text, strlen (text));
      g_byte_array_append (framed, end, sizeof end);
    }
  framed_bytes = g_byte_array_free_to_bytes (g_steal_pointer (&framed));
  messages = ch_labs_split_batch (framed_bytes);
  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_cmpint (((const char *) g_bytes_get_data (messages->pdata[0], NULL))[0], ==, 'M');
  g_assert_cmpuint (g_bytes_get_size (messages->pdata[1]), ==,
                    strlen (LAB_MSH ("F2") GLUCOSE ("F", "99", "F")));
  g_clear_pointer (&messages, g_ptr_array_unref);

  /* Nothing that looks like a message is still one, to be logged. */
  messages = ch_labs_split_batch (junk);
  g_assert_cmpuint (messages->len, ==, 1);
}

static void
test_ack (void)
{
  g_autoptr (GBytes) raw = text_bytes (LAB_MSH ("A1") GLUCOSE ("F", "98", "F"));
  ChLabsImportResult result = { .outcome = CH_LABS_OUTCOME_REJECTED, .reason = (char *) "bad" };
  g_autoptr (ChHl7Message) ack = ch_labs_make_ack (raw, &result);
  g_autofree char *code = ch_hl7_message_get (ack, "MSA", 0, 1, 1, 1, 0);
  g_autofree char *control = ch_hl7_message_get (ack, "MSA", 0, 2, 1, 1, 0);

  g_assert_cmpstr (code, ==, "AR");
  g_assert_cmpstr (control, ==, "A1");
  {
    ChLabsImportResult queued = { .outcome = CH_LABS_OUTCOME_QUEUED };
    g_autoptr (ChHl7Message) ok = ch_labs_make_ack (raw, &queued);
    g_autofree char *ok_code = ch_hl7_message_get (ok, "MSA", 0, 1, 1, 1, 0);

    g_assert_cmpstr (ok_code, ==, "AA");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/labs/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("match/mrn", test_match_mrn);
  ADD ("match/name-birth-date", test_match_name_birth_date);
  ADD ("match/id-disagrees", test_id_disagrees);
  ADD ("match/ambiguous-then-assign", test_ambiguous_then_assign);
  ADD ("match/two-patients", test_two_patients);
  ADD ("versions/correction", test_correction_keeps_history);
  ADD ("versions/preliminary-then-final", test_preliminary_then_final);
  ADD ("values/nm-not-a-number", test_nm_not_a_number);
  ADD ("documents/pdf", test_pdf_into_documents);
  ADD ("failures/rejected", test_rejected);
  ADD ("failures/all-or-nothing", test_all_or_nothing);
  ADD ("batch/outcomes", test_batch);
  ADD ("batch/failure-one-at-a-time", test_batch_failure_one_at_a_time);
  ADD ("permissions", test_permissions);
  ADD ("audit", test_audit);
  g_test_add_func ("/labs/split-batch", test_split_batch);
  g_test_add_func ("/labs/ack", test_ack);

#undef ADD

  return g_test_run ();
}
