/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-imaging"

#include "config.h"

#include <glib/gstdio.h>

#include <sodium.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-dcm-net.h"
#include "ch-dicom-receiver.h"
#include "ch-documents.h"
#include "ch-imaging.h"
#include "ch-patients.h"
#include "ch-store-private.h"
#include "ch-test-util.h"
#include "ch-users.h"

/* The imaging controller on DICOM files Debian's python3-pydicom ships,
 * whose patient IDs, names and birth dates are known: matching by MRN, by
 * another identifier, by folded name and birth date; ambiguous and
 * unmatched instances in the inbox; assigning and discarding; the same
 * instance stored once; permissions; the audit trail; damaged data refused
 * with nothing stored; and the receiver service filing what storescu sends
 * while the test's main context runs. */

#define TEST_FILES "/usr/lib/python3/dist-packages/pydicom/data/test_files/"

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

/* The test file's bytes, or NULL (and the test skipped) without pydicom's files. */
static GBytes *
test_file (const char *name)
{
  g_autofree char *path = g_build_filename (TEST_FILES, name, NULL);
  g_autoptr (GError) error = NULL;
  char *data = NULL;
  gsize size = 0;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("python3-pydicom's test files are not installed");
      return NULL;
    }
  g_file_get_contents (path, &data, &size, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, size);
}

static gint64
register_patient (ChSession  *session,
                  const char *given,
                  const char *family,
                  const char *birth_date,
                  const char *identifier)
{
  g_autoptr (ChPatientRecord) patient = ch_patient_record_new ();
  g_autoptr (GError) error = NULL;

  patient->given_name = g_strdup (given);
  patient->family_name = g_strdup (family);
  patient->birth_date = g_strdup (birth_date);
  if (identifier != NULL)
    ch_patient_record_add_identifier (patient, "old-mrn", identifier);
  g_assert_true (ch_patients_register (session, patient, &error));
  g_assert_no_error (error);
  return patient->id;
}

/* MRNs are assigned with a check digit; a practice that migrated keeps its
 * old ones, which is what a modality's worklist then carries. */
static gint64
insert_patient_with_mrn (Fixture    *f,
                         const char *mrn)
{
  g_autoptr (ChPatientRecord) patient = ch_patient_record_new ();
  g_autoptr (GError) error = NULL;
  ChStore *store = ch_session_get_store (f->desk);

  patient->mrn = g_strdup (mrn);
  /* The name MR_small.dcm gives: an ID is trusted only when it agrees. */
  patient->given_name = g_strdup ("MR1");
  patient->family_name = g_strdup ("CompressedSamples");
  patient->birth_date = g_strdup ("1980-05-17");
  g_assert_true (ch_store_begin (store, &error));
  g_assert_true (ch_db_patient_insert (store, patient, &error));
  g_assert_true (ch_store_commit (store, &error));
  g_assert_no_error (error);
  return patient->id;
}

static gboolean
store (ChSession            *session,
       GBytes               *bytes,
       ChImagingStoreResult *out,
       GError              **error)
{
  return ch_imaging_store_instance (session, g_bytes_get_data (bytes, NULL),
                                    g_bytes_get_size (bytes), "CT01",
                                    "CT01 (192.0.2.5) over DICOM", out, error);
}

static gint64
count_sql (ChSession  *session,
           const char *sql)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (GError) error = NULL;
  sqlite3_stmt *stmt = ch_store_prepare (store, sql, &error);
  gint64 n;

  g_assert_no_error (error);
  g_assert_cmpint (ch_store_step (store, stmt, &error), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

static guint
count_documents (Fixture *f,
                 gint64   patient_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) docs = ch_documents_list (f->doctor, patient_id, TRUE, &error);

  g_assert_no_error (error);
  return docs->len;
}

/* Filed in the chart: the document, its row, browsing, and the bytes back. */
static void
assert_in_chart (Fixture                    *f,
                 const ChImagingStoreResult *r,
                 gint64                      patient_id,
                 GBytes                     *bytes,
                 const char                 *modality)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChDocument) d = NULL;
  g_autoptr (GBytes) back = NULL;
  g_autoptr (GPtrArray) studies = NULL;
  g_autoptr (GPtrArray) series = NULL;
  g_autoptr (GArray) ids = NULL;
  g_autoptr (ChImagingInstance) instance = NULL;
  const ChImagingStudy *study;

  g_assert_cmpint (r->outcome, ==, CH_IMAGING_STORED);
  g_assert_cmpint (r->patient_id, ==, patient_id);
  g_assert_cmpint (r->document_id, >, 0);
  g_assert_cmpstr (r->modality, ==, modality);

  d = ch_documents_get (f->doctor, r->document_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (d->patient_id, ==, patient_id);
  g_assert_cmpstr (d->category, ==, "imaging");
  g_assert_cmpstr (d->content_type, ==, "application/dicom");
  g_assert_cmpstr (d->source, ==, "CT01 (192.0.2.5) over DICOM");
  g_assert_true (g_str_has_prefix (d->title, modality));

  back = ch_documents_read (f->doctor, r->document_id, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, bytes));

  studies = ch_imaging_list_studies (f->doctor, patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (studies->len, ==, 1);
  study = studies->pdata[0];
  g_assert_cmpstr (study->study_uid, ==, r->study_instance_uid);
  g_assert_cmpstr (study->modalities, ==, modality);
  g_assert_cmpuint (study->n_series, ==, 1);
  g_assert_cmpuint (study->n_instances, ==, 1);

  series = ch_imaging_list_series (f->doctor, patient_id, study->study_uid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (series->len, ==, 1);
  ids = ch_imaging_list_instances (f->doctor, patient_id,
                                   ((ChImagingSeries *) series->pdata[0])->series_uid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpint (g_array_index (ids, gint64, 0), ==, r->document_id);

  instance = ch_imaging_get_instance (f->doctor, r->document_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (instance->sop_instance_uid, ==, r->sop_instance_uid);
  g_assert_cmpstr (instance->calling_ae, ==, "CT01");
  g_assert_cmpint (instance->patient_id, ==, patient_id);
}

static void
test_match_by_identifier (Fixture      *f,
                          gconstpointer data)
{
  g_autoptr (GBytes) ct = test_file ("CT_small.dcm");
  g_auto (ChImagingStoreResult) r = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (ChDocument) d = NULL;
  gint64 ana, other;

  if (ct == NULL)
    return;
  ana = register_patient (f->desk, "CT1", "CompressedSamples", "1970-01-01", "1CT1");
  other = register_patient (f->desk, "Ana", "Other", "1970-01-01", "9XX9");

  g_assert_true (store (f->doctor, ct, &r, &error));
  g_assert_no_error (error);
  assert_in_chart (f, &r, ana, ct, "CT");
  g_assert_cmpstr (r.patient_ref, ==, "1CT1");
  g_assert_cmpuint (count_documents (f, other), ==, 0);

  /* The study's date is the document's. */
  d = ch_documents_get (f->doctor, r.document_id, &error);
  g_assert_cmpstr (d->date, ==, "2004-01-19");

  /* An ID that is someone else's name: not trusted, it waits. */
  {
    g_autoptr (GBytes) mr = test_file ("MR_small.dcm");
    g_auto (ChImagingStoreResult) q = { 0 };
    gint64 carl = register_patient (f->desk, "Carl", "Mendes", "1960-06-01", "4MR1");

    g_assert_true (store (f->doctor, mr, &q, &error));
    g_assert_no_error (error);
    g_assert_cmpint (q.outcome, ==, CH_IMAGING_QUEUED);
    g_assert_nonnull (strstr (q.reason, "4MR1"));
    g_assert_nonnull (strstr (q.reason, "CompressedSamples"));
    g_assert_cmpuint (count_documents (f, carl), ==, 0);
  }
}

static void
test_match_by_mrn (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (GBytes) mr = test_file ("MR_small.dcm");
  g_auto (ChImagingStoreResult) r = { 0 };
  g_autoptr (GError) error = NULL;
  gint64 ben;

  if (mr == NULL)
    return;
  ben = insert_patient_with_mrn (f, "4MR1");

  g_assert_true (store (f->nurse, mr, &r, &error));
  g_assert_no_error (error);
  assert_in_chart (f, &r, ben, mr, "MR");
  g_assert_cmpstr (r.mrn, ==, "4MR1");
}

static void
test_match_by_name_and_birth_date (Fixture      *f,
                                   gconstpointer data)
{
  /* Patient ID "tPhantom30sep" (nobody's), name "Test^Phantom30sep", born 19691231. */
  g_autoptr (GBytes) rt = test_file ("rtstruct.dcm");
  g_auto (ChImagingStoreResult) r = { 0 };
  g_autoptr (GError) error = NULL;
  gint64 match;

  if (rt == NULL)
    return;
  /* Accents and case as the patient search folds them; the same name born
   * another day is someone else. */
  match = register_patient (f->desk, "PHANTOM30SEP", "Tëst", "1969-12-31", NULL);
  register_patient (f->desk, "Phantom30sep", "Test", "1969-12-30", NULL);

  g_assert_true (store (f->doctor, rt, &r, &error));
  g_assert_no_error (error);
  assert_in_chart (f, &r, match, rt, "RTSTRUCT");
}

static void
test_ambiguous_goes_to_inbox (Fixture      *f,
                              gconstpointer data)
{
  g_autoptr (GBytes) sc = test_file ("SC_rgb_small_odd.dcm");   /* ID1, Lestrade^G */
  g_autoptr (GBytes) rt = test_file ("rtstruct.dcm");
  g_auto (ChImagingStoreResult) r1 = { 0 };
  g_auto (ChImagingStoreResult) r2 = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) inbox = NULL;
  gint64 a, b, c, d;

  if (sc == NULL || rt == NULL)
    return;
  a = register_patient (f->desk, "Greg", "Lestrade", "1950-01-01", "ID1");
  b = register_patient (f->desk, "George", "Lestrade", "1951-01-01", "ID1");
  c = register_patient (f->desk, "Phantom30sep", "Test", "1969-12-31", NULL);
  d = register_patient (f->desk, "Phantom30sep", "Test", "1969-12-31", NULL);

  g_assert_true (store (f->doctor, sc, &r1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r1.outcome, ==, CH_IMAGING_QUEUED);
  g_assert_cmpint (r1.inbox_id, >, 0);
  g_assert_nonnull (strstr (r1.reason, "2 patients"));
  g_assert_nonnull (strstr (r1.reason, "ID1"));

  g_assert_true (store (f->doctor, rt, &r2, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r2.outcome, ==, CH_IMAGING_QUEUED);
  g_assert_nonnull (strstr (r2.reason, "2 patients match"));

  for (guint i = 0; i < 2; i++)
    {
      gint64 ids[] = { a, b, c, d };

      for (guint j = 0; j < G_N_ELEMENTS (ids); j++)
        g_assert_cmpuint (count_documents (f, ids[j]), ==, 0);
    }

  inbox = ch_imaging_inbox_list (f->nurse, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (inbox->len, ==, 2);
  g_assert_cmpint (((ChImagingInboxItem *) inbox->pdata[0])->id, ==, r1.inbox_id);
  g_assert_cmpstr (((ChImagingInboxItem *) inbox->pdata[0])->patient_name, ==, "Lestrade^G");
  g_assert_cmpstr (((ChImagingInboxItem *) inbox->pdata[0])->patient_ref, ==, "ID1");
  g_assert_cmpstr (((ChImagingInboxItem *) inbox->pdata[1])->birth_date, ==, "1969-12-31");
  g_assert_cmpstr (((ChImagingInboxItem *) inbox->pdata[1])->calling_ae, ==, "CT01");
}

static void
test_unmatched_then_assigned (Fixture      *f,
                              gconstpointer data)
{
  g_autoptr (GBytes) nm = test_file ("JPEG-lossy.dcm");   /* 8NM1, no birth date */
  g_auto (ChImagingStoreResult) r = { 0 };
  g_auto (ChImagingStoreResult) again = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) inbox = NULL;
  g_autoptr (GPtrArray) studies = NULL;
  g_autoptr (GBytes) back = NULL;
  g_autofree char *entry = NULL;
  gint64 ben;
  guint moved = 0;

  if (nm == NULL)
    return;
  ben = register_patient (f->desk, "Ben", "Okafor", "1980-05-17", NULL);

  g_assert_true (store (f->doctor, nm, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r.outcome, ==, CH_IMAGING_QUEUED);
  g_assert_nonnull (strstr (r.reason, "8NM1"));
  g_assert_cmpuint (count_documents (f, ben), ==, 0);
  g_assert_cmpint (count_sql (f->admin, "SELECT count(*) FROM documents"), ==, 0);

  /* Received again while it waits: still one entry. */
  g_assert_true (store (f->doctor, nm, &again, &error));
  g_assert_cmpint (again.outcome, ==, CH_IMAGING_DUPLICATE);
  g_assert_cmpint (again.inbox_id, ==, r.inbox_id);
  g_assert_cmpint (count_sql (f->admin, "SELECT count(*) FROM dicom_inbox"), ==, 1);

  /* The front desk may not file images. */
  entry = g_strdup_printf ("%" G_GINT64_FORMAT, r.inbox_id);
  g_assert_false (ch_imaging_inbox_assign (f->desk, entry, ben, NULL, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ch_imaging_inbox_assign (f->doctor, "999", ben, NULL, &error));
  g_assert_error (error, CH_IMAGING_ERROR, CH_IMAGING_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (ch_imaging_inbox_assign (f->doctor, entry, ben, &moved, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (moved, ==, 1);

  inbox = ch_imaging_inbox_list (f->doctor, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (inbox->len, ==, 0);
  studies = ch_imaging_list_studies (f->doctor, ben, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (studies->len, ==, 1);
  g_assert_cmpstr (((ChImagingStudy *) studies->pdata[0])->study_uid, ==, r.study_instance_uid);
  g_assert_cmpuint (count_documents (f, ben), ==, 1);

  /* What the chart holds is what was received. */
  {
    g_autoptr (GPtrArray) docs = ch_documents_list (f->doctor, ben, FALSE, &error);

    back = ch_documents_read (f->doctor, ((ChDocument *) docs->pdata[0])->id, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (back, nm));
  }

  /* Once assigned, the entry is closed; sent again, it is in the chart. */
  g_assert_false (ch_imaging_inbox_assign (f->doctor, entry, ben, NULL, &error));
  g_assert_error (error, CH_IMAGING_ERROR, CH_IMAGING_ERROR_CLOSED);
  g_clear_error (&error);
  ch_imaging_store_result_clear (&again);
  g_assert_true (store (f->doctor, nm, &again, &error));
  g_assert_cmpint (again.outcome, ==, CH_IMAGING_DUPLICATE);
  g_assert_cmpint (again.patient_id, ==, ben);
  g_assert_cmpuint (count_documents (f, ben), ==, 1);
}

static void
test_assign_by_study_uid (Fixture      *f,
                          gconstpointer data)
{
  g_autoptr (GBytes) ct = test_file ("CT_small.dcm");
  g_auto (ChImagingStoreResult) r = { 0 };
  g_autoptr (GError) error = NULL;
  gint64 ana;
  guint moved = 0;

  if (ct == NULL)
    return;
  ana = register_patient (f->desk, "Ana", "García", "1970-01-01", NULL);
  g_assert_true (store (f->doctor, ct, &r, &error));
  g_assert_cmpint (r.outcome, ==, CH_IMAGING_QUEUED);

  g_assert_false (ch_imaging_inbox_assign (f->doctor, r.study_instance_uid, 424242, NULL, &error));
  g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (ch_imaging_inbox_assign (f->doctor, r.study_instance_uid, ana, &moved, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (moved, ==, 1);
  g_assert_cmpuint (count_documents (f, ana), ==, 1);
}

/* Two instances of one study (pydicom's NM files): both go into the chart,
 * or, when one of them cannot be read, neither. */
static void
test_assign_all_or_none (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr (GBytes) first = test_file ("JPEG-lossy.dcm");
  g_autoptr (GBytes) second = test_file ("JPEG2000.dcm");
  g_auto (ChImagingStoreResult) r1 = { 0 };
  g_auto (ChImagingStoreResult) r2 = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) inbox = NULL;
  g_autoptr (GPtrArray) studies = NULL;
  g_autofree char *dir = ch_documents_dir (f->doctor);
  g_autofree char *path = NULL;
  g_autofree char *moved_away = NULL;
  g_autofree char *entry = NULL;
  ChStore *db = ch_session_get_store (f->admin);
  sqlite3_stmt *stmt;
  gint64 ben;
  guint moved = 0;

  if (first == NULL || second == NULL)
    return;
  ben = register_patient (f->desk, "Ben", "Okafor", "1980-05-17", NULL);
  g_assert_true (store (f->doctor, first, &r1, &error));
  g_assert_true (store (f->doctor, second, &r2, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r2.outcome, ==, CH_IMAGING_QUEUED);
  g_assert_cmpstr (r1.study_instance_uid, ==, r2.study_instance_uid);

  inbox = ch_imaging_inbox_list (f->doctor, &error);
  g_assert_cmpuint (inbox->len, ==, 1);
  g_assert_cmpuint (((ChImagingInboxItem *) inbox->pdata[0])->n_instances, ==, 2);
  g_clear_pointer (&inbox, g_ptr_array_unref);

  /* The second one's blob goes missing. */
  stmt = ch_store_prepare (db, "SELECT blob FROM dicom_inbox WHERE id = ?", &error);
  sqlite3_bind_int64 (stmt, 1, r2.inbox_id);
  g_assert_cmpint (ch_store_step (db, stmt, &error), ==, SQLITE_ROW);
  path = g_build_filename (dir, ch_store_column_text (stmt, 0), NULL);
  sqlite3_reset (stmt);
  moved_away = g_strconcat (path, ".away", NULL);
  g_assert_cmpint (g_rename (path, moved_away), ==, 0);

  entry = g_strdup_printf ("%" G_GINT64_FORMAT, r1.inbox_id);
  g_assert_false (ch_imaging_inbox_assign (f->doctor, entry, ben, &moved, &error));
  g_assert_error (error, CH_DOCUMENTS_ERROR, CH_DOCUMENTS_ERROR_MISSING);
  g_assert_nonnull (strstr (error->message, r2.sop_instance_uid));
  g_clear_error (&error);
  g_assert_cmpuint (count_documents (f, ben), ==, 0);
  g_assert_cmpint (count_sql (f->admin, "SELECT count(*) FROM dicom_instances"), ==, 0);
  inbox = ch_imaging_inbox_list (f->doctor, &error);
  g_assert_cmpuint (inbox->len, ==, 1);
  g_assert_cmpuint (((ChImagingInboxItem *) inbox->pdata[0])->n_instances, ==, 2);

  /* Back in place, the whole study moves. */
  g_assert_cmpint (g_rename (moved_away, path), ==, 0);
  g_assert_true (ch_imaging_inbox_assign (f->doctor, entry, ben, &moved, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (moved, ==, 2);
  g_assert_cmpuint (count_documents (f, ben), ==, 2);
  studies = ch_imaging_list_studies (f->doctor, ben, &error);
  g_assert_cmpuint (studies->len, ==, 1);
  g_assert_cmpuint (((ChImagingStudy *) studies->pdata[0])->n_instances, ==, 2);
}

static void
test_discard_needs_a_reason (Fixture      *f,
                             gconstpointer data)
{
  g_autoptr (GBytes) nm = test_file ("JPEG-lossy.dcm");
  g_auto (ChImagingStoreResult) r = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) inbox = NULL;
  g_autofree char *entry = NULL;

  if (nm == NULL)
    return;
  g_assert_true (store (f->doctor, nm, &r, &error));
  g_assert_cmpint (r.outcome, ==, CH_IMAGING_QUEUED);
  entry = g_strdup_printf ("%" G_GINT64_FORMAT, r.inbox_id);

  g_assert_false (ch_imaging_inbox_discard (f->doctor, entry, "  ", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ch_imaging_inbox_discard (f->desk, entry, "test image", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  inbox = ch_imaging_inbox_list (f->doctor, &error);
  g_assert_cmpuint (inbox->len, ==, 1);
  g_clear_pointer (&inbox, g_ptr_array_unref);

  g_assert_true (ch_imaging_inbox_discard (f->doctor, entry, "phantom test image", &error));
  g_assert_no_error (error);
  inbox = ch_imaging_inbox_list (f->doctor, &error);
  g_assert_cmpuint (inbox->len, ==, 0);

  /* Kept, with the reason, never deleted. */
  g_assert_cmpint (count_sql (f->admin, "SELECT count(*) FROM dicom_inbox WHERE status = "
                                        "'discarded' AND status_reason = 'phantom test image'"),
                   ==, 1);
  g_assert_cmpint (count_sql (f->admin, "SELECT count(*) FROM audit WHERE action = 'update' AND "
                                        "object_type = 'dicom-inbox' AND detail LIKE "
                                        "'%phantom test image%'"), ==, 1);
  g_assert_false (ch_imaging_inbox_discard (f->doctor, entry, "again", &error));
  g_assert_error (error, CH_IMAGING_ERROR, CH_IMAGING_ERROR_CLOSED);
}

static void
test_duplicate_stored_once (Fixture      *f,
                            gconstpointer data)
{
  g_autoptr (GBytes) ct = test_file ("CT_small.dcm");
  g_auto (ChImagingStoreResult) first = { 0 };
  g_auto (ChImagingStoreResult) second = { 0 };
  g_autoptr (GError) error = NULL;
  gint64 ana;

  if (ct == NULL)
    return;
  ana = register_patient (f->desk, "CT1", "CompressedSamples", "1970-01-01", "1CT1");
  g_assert_true (store (f->doctor, ct, &first, &error));
  g_assert_true (store (f->nurse, ct, &second, &error));
  g_assert_no_error (error);
  g_assert_cmpint (first.outcome, ==, CH_IMAGING_STORED);
  g_assert_cmpint (second.outcome, ==, CH_IMAGING_DUPLICATE);
  g_assert_cmpint (second.document_id, ==, first.document_id);
  g_assert_cmpint (second.patient_id, ==, ana);
  g_assert_cmpuint (count_documents (f, ana), ==, 1);
  g_assert_cmpint (count_sql (f->admin, "SELECT count(*) FROM dicom_instances"), ==, 1);

  /* Filed in error, the same image sent again is filed anew. */
  {
    g_auto (ChImagingStoreResult) third = { 0 };

    g_assert_true (ch_documents_mark_entered_in_error (f->doctor, first.document_id,
                                                       "Wrong series", &error));
    g_assert_no_error (error);
    g_assert_true (store (f->doctor, ct, &third, &error));
    g_assert_no_error (error);
    g_assert_cmpint (third.outcome, ==, CH_IMAGING_STORED);
    g_assert_cmpint (third.document_id, !=, first.document_id);
    g_assert_cmpint (count_sql (f->admin, "SELECT count(*) FROM dicom_instances WHERE current = 1"),
                     ==, 1);
  }
}

static void
test_permissions (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (GBytes) ct = test_file ("CT_small.dcm");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (ChImagingReceiverSettings) settings = NULL;
  ChSession *refused[3];
  gint64 ana;

  if (ct == NULL)
    return;
  ana = register_patient (f->desk, "CT1", "CompressedSamples", "1970-01-01", "1CT1");
  refused[0] = f->desk;
  refused[1] = f->manager;
  refused[2] = f->admin;
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_assert_false (store (refused[i], ct, NULL, &error));
      g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
      g_clear_error (&error);
      g_assert_null (ch_imaging_inbox_list (refused[i], &error));
      g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
      g_clear_error (&error);
      g_assert_null (ch_imaging_list_studies (refused[i], ana, &error));
      g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
      g_clear_error (&error);
    }
  g_assert_cmpint (count_sql (f->admin, "SELECT count(*) FROM dicom_instances"), ==, 0);
  g_assert_true (store (f->nurse, ct, NULL, &error));
  g_assert_no_error (error);

  /* The receiver's settings: practice policy. */
  settings = ch_imaging_get_receiver_settings (f->doctor, &error);
  g_assert_no_error (error);
  g_assert_false (settings->enabled);
  g_assert_cmpstr (settings->ae_title, ==, "CHARTA");
  g_assert_cmpuint (settings->port, ==, 11112);
  g_assert_cmpuint (g_strv_length (settings->allowed_peers), ==, 0);

  g_strfreev (settings->allowed_peers);
  settings->allowed_peers = g_strsplit ("CT01,MR 2", ",", -1);
  settings->enabled = TRUE;
  settings->port = 4242;
  g_assert_false (ch_imaging_set_receiver_settings (f->doctor, settings, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_true (ch_imaging_set_receiver_settings (f->manager, settings, &error));
  g_assert_no_error (error);
  g_clear_pointer (&settings, ch_imaging_receiver_settings_free);
  settings = ch_imaging_get_receiver_settings (f->nurse, &error);
  g_assert_true (settings->enabled);
  g_assert_cmpuint (settings->port, ==, 4242);
  g_assert_cmpuint (g_strv_length (settings->allowed_peers), ==, 2);
  g_assert_cmpstr (settings->allowed_peers[1], ==, "MR 2");

  g_free (settings->ae_title);
  settings->ae_title = g_strdup ("A\\B");
  g_assert_false (ch_imaging_set_receiver_settings (f->admin, settings, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_free (settings->ae_title);
  settings->ae_title = g_strdup ("SEVENTEEN-LETTERS");
  g_assert_false (ch_imaging_set_receiver_settings (f->admin, settings, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
}

static void
test_audit (Fixture      *f,
            gconstpointer data)
{
  g_autoptr (GBytes) ct = test_file ("CT_small.dcm");
  g_autoptr (GBytes) nm = test_file ("JPEG-lossy.dcm");
  g_auto (ChImagingStoreResult) r1 = { 0 };
  g_auto (ChImagingStoreResult) r2 = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) studies = NULL;
  g_autoptr (GPtrArray) inbox = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *entry = NULL;
  gint64 ana;

  if (ct == NULL || nm == NULL)
    return;
  ana = register_patient (f->desk, "CT1", "CompressedSamples", "1970-01-01", "1CT1");
  g_assert_true (store (f->doctor, ct, &r1, &error));
  g_assert_true (store (f->doctor, nm, &r2, &error));
  g_assert_no_error (error);

  /* Received: with the sender, against the patient. */
  sql = g_strdup_printf ("SELECT count(*) FROM audit WHERE action = 'create' AND object_type ="
                         " 'dicom-instance' AND object_id = '%s' AND patient_id = %" G_GINT64_FORMAT
                         " AND detail LIKE '%%CT01%%' AND username = 'doc'", r1.sop_instance_uid, ana);
  g_assert_cmpint (count_sql (f->admin, sql), ==, 1);
  g_assert_cmpint (count_sql (f->admin, "SELECT count(*) FROM audit WHERE action = 'create' AND "
                                        "object_type = 'dicom-inbox' AND detail LIKE '%CT01%'"),
                   ==, 1);

  /* Listed and viewed. */
  studies = ch_imaging_list_studies (f->doctor, ana, &error);
  g_assert_no_error (error);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT count(*) FROM audit WHERE action = 'view' AND object_type ="
                         " 'imaging' AND patient_id = %" G_GINT64_FORMAT, ana);
  g_assert_cmpint (count_sql (f->admin, sql), ==, 1);
  inbox = ch_imaging_inbox_list (f->doctor, &error);
  g_assert_cmpint (count_sql (f->admin, "SELECT count(*) FROM audit WHERE action = 'view' AND "
                                        "object_type = 'dicom-inbox'"), ==, 1);

  /* Assigned. */
  entry = g_strdup_printf ("%" G_GINT64_FORMAT, r2.inbox_id);
  g_assert_true (ch_imaging_inbox_assign (f->doctor, entry, ana, NULL, &error));
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT count(*) FROM audit WHERE action = 'update' AND object_type ="
                         " 'dicom-inbox' AND object_id = '%s' AND patient_id = %" G_GINT64_FORMAT,
                         entry, ana);
  g_assert_cmpint (count_sql (f->admin, sql), ==, 1);

  g_assert_true (ch_audit_verify (ch_session_get_store (f->admin), NULL, &error));
  g_assert_no_error (error);
}

static guint
count_blobs (const char *dir)
{
  g_autoptr (GDir) top = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  if (top == NULL)
    return 0;
  while ((name = g_dir_read_name (top)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        n += count_blobs (path);
      else
        n++;
    }
  return n;
}

static void
test_damaged_refused (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (GBytes) ct = test_file ("CT_small.dcm");
  g_autoptr (GBytes) cut = NULL;
  g_autoptr (GBytes) junk = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = ch_documents_dir (f->doctor);
  static const char text[] = "This is a referral letter, not an image.";

  if (ct == NULL)
    return;
  register_patient (f->desk, "CT1", "CompressedSamples", "1970-01-01", "1CT1");
  cut = g_bytes_new_from_bytes (ct, 0, 200);
  junk = g_bytes_new_static (text, sizeof text - 1);

  g_assert_false (store (f->doctor, cut, NULL, &error));
  g_assert_error (error, CH_IMAGING_ERROR, CH_IMAGING_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "The DICOM data cannot be read"));
  g_clear_error (&error);
  g_assert_false (store (f->doctor, junk, NULL, &error));
  g_assert_error (error, CH_IMAGING_ERROR, CH_IMAGING_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ch_imaging_store_instance (f->doctor, NULL, 0, NULL, NULL, NULL, &error));
  g_assert_error (error, CH_IMAGING_ERROR, CH_IMAGING_ERROR_INVALID);

  g_assert_cmpint (count_sql (f->admin, "SELECT count(*) FROM documents"), ==, 0);
  g_assert_cmpint (count_sql (f->admin, "SELECT count(*) FROM dicom_instances"), ==, 0);
  g_assert_cmpint (count_sql (f->admin, "SELECT count(*) FROM dicom_inbox"), ==, 0);
  g_assert_cmpuint (count_blobs (dir), ==, 0);
}

/* ---- the receiver service -------------------------------------------------- */

typedef struct
{
  guint stored;
  guint queued;
  guint refused;
  guint accepted;
} Tally;

static void
on_received (ChDicomReceiver            *receiver,
             const ChImagingStoreResult *result,
             const char                 *source,
             gpointer                    user_data)
{
  Tally *tally = user_data;

  /* In the thread that owns the session: this one. */
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  g_assert_true (g_str_has_prefix (source, "MODALITY1 (127.0.0.1) over DICOM"));
  if (result->outcome == CH_IMAGING_STORED)
    tally->stored++;
  else if (result->outcome == CH_IMAGING_QUEUED)
    tally->queued++;
}

static void
on_association (ChDicomReceiver *receiver,
                const char      *calling_ae,
                const char      *peer_address,
                gboolean         accepted,
                const char      *reason,
                gpointer         user_data)
{
  Tally *tally = user_data;

  if (accepted)
    tally->accepted++;
  else
    {
      g_assert_cmpstr (reason, ==, "calling AE title not recognized");
      tally->refused++;
    }
}

static void
tool_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;

  g_assert_true (g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL));
  *done = TRUE;
}

/* Busy the first three times it is asked, as if a worker had the session. */
static gboolean
busy_at_first (ChSession *session,
               gpointer   user_data)
{
  guint *asked = user_data;

  return ++*asked <= 3;
}

/* Runs @argv to its end while the default main context turns (the
 * receiver stores there). */
static int
run_tool (const char * const *argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) tool = NULL;
  gboolean done = FALSE;

  tool = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                  | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_async (tool, NULL, tool_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  return g_subprocess_get_if_exited (tool) ? g_subprocess_get_exit_status (tool) : -1;
}

static void
test_receiver (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (GBytes) ct = test_file ("CT_small.dcm");
  g_autofree char *storescu = g_find_program_in_path ("storescu");
  g_autofree char *echoscu = g_find_program_in_path ("echoscu");
  g_autoptr (ChDicomReceiver) receiver = NULL;
  g_autoptr (ChDicomReceiver) second = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *port = NULL;
  const char *allowed[] = { "MODALITY1", NULL };
  Tally tally = { 0 };
  guint asked = 0;
  gint64 ana;

  if (ct == NULL)
    return;
  if (storescu == NULL || echoscu == NULL)
    {
      g_test_skip ("dcmtk's storescu and echoscu are not installed");
      return;
    }
  ana = register_patient (f->desk, "CT1", "CompressedSamples", "1970-01-01", "1CT1");

  /* Only someone who may file images runs it. */
  receiver = ch_dicom_receiver_new (f->desk, "CHARTA", allowed);
  g_assert_false (ch_dicom_receiver_start (receiver, "127.0.0.1", 0, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_clear_object (&receiver);

  receiver = ch_dicom_receiver_new (f->doctor, "CHARTA", allowed);
  g_signal_connect (receiver, "received", G_CALLBACK (on_received), &tally);
  g_signal_connect (receiver, "association", G_CALLBACK (on_association), &tally);
  ch_dicom_receiver_set_busy_func (receiver, busy_at_first, &asked, NULL);
  g_assert_true (ch_dicom_receiver_start (receiver, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  g_assert_true (ch_dicom_receiver_get_running (receiver));
  g_assert_cmpuint (ch_dicom_receiver_get_port (receiver), >, 0);
  port = g_strdup_printf ("%u", ch_dicom_receiver_get_port (receiver));

  /* The port is taken now. */
  second = ch_dicom_receiver_new (f->nurse, "CHARTA", allowed);
  g_assert_false (ch_dicom_receiver_start (second, "127.0.0.1",
                                           ch_dicom_receiver_get_port (receiver), &error));
  g_assert_error (error, CH_DCM_NET_ERROR, CH_DCM_NET_ERROR_IN_USE);
  g_assert_nonnull (strstr (error->message, "is already in use"));
  g_clear_error (&error);

  {
    const char *echo[] = { echoscu, "-aet", "MODALITY1", "-aec", "CHARTA", "127.0.0.1", port, NULL };
    const char *stranger[] = { echoscu, "-aet", "STRANGER", "-aec", "CHARTA", "127.0.0.1", port,
                               NULL };
    g_autofree char *path = g_build_filename (TEST_FILES, "CT_small.dcm", NULL);
    const char *send[] = { storescu, "-aet", "MODALITY1", "-aec", "CHARTA", "127.0.0.1", port, path,
                           NULL };

    g_assert_cmpint (run_tool (echo), ==, 0);
    g_assert_cmpint (run_tool (stranger), !=, 0);
    g_assert_cmpint (run_tool (send), ==, 0);
  }
  /* The association notes come through the main context too. */
  while (tally.accepted + tally.refused < 3)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (tally.stored, ==, 1);
  /* It waited for the session, then stored. */
  g_assert_cmpuint (asked, ==, 4);
  g_assert_cmpuint (tally.refused, ==, 1);
  g_assert_cmpuint (tally.accepted, ==, 2);
  g_assert_cmpuint (count_documents (f, ana), ==, 1);

  ch_dicom_receiver_stop (receiver);
  g_assert_false (ch_dicom_receiver_get_running (receiver));
  g_assert_cmpuint (ch_dicom_receiver_get_port (receiver), ==, 0);
}

/* A DICOM file a person imports goes into the chart they chose, filed by
 * its study and series whatever patient it names; once only; a file that is
 * no DICOM, or one the front desk imports, is a plain document. */
static void
test_import_path (Fixture      *f,
                  gconstpointer data)
{
  g_autofree char *ct = g_build_filename (TEST_FILES, "CT_small.dcm", NULL);
  g_autofree char *text = g_build_filename (f->dir, "letter.txt", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) studies = NULL;
  ChDocumentMeta meta = { .title = "Outside CT" };
  gint64 patient_id, id = 0, again = 0, plain = 0;
  gboolean duplicate = TRUE;

  if (!g_file_test (ct, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("python3-pydicom's test files are not installed");
      return;
    }
  patient_id = register_patient (f->doctor, "Ada", "Obi", "1970-02-03", NULL);

  g_assert_true (ch_imaging_import_path (f->doctor, patient_id, &meta, ct, &id, &duplicate,
                                         &error));
  g_assert_no_error (error);
  g_assert_false (duplicate);
  studies = ch_imaging_list_studies (f->doctor, patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (studies->len, ==, 1);
  g_assert_cmpstr (((ChImagingStudy *) g_ptr_array_index (studies, 0))->modalities, ==, "CT");

  /* Once only. */
  g_assert_true (ch_imaging_import_path (f->doctor, patient_id, &meta, ct, &again, &duplicate,
                                         &error));
  g_assert_true (duplicate);
  g_assert_cmpint (again, ==, id);
  g_assert_cmpuint (count_documents (f, patient_id), ==, 1);

  /* Not DICOM: a document like any other. */
  g_file_set_contents (text, "Dear colleague", -1, &error);
  g_assert_no_error (error);
  g_assert_true (ch_imaging_import_path (f->doctor, patient_id, NULL, text, &plain, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (plain, >, id);
  g_assert_cmpuint (count_documents (f, patient_id), ==, 2);
  g_clear_pointer (&studies, g_ptr_array_unref);
  studies = ch_imaging_list_studies (f->doctor, patient_id, &error);
  g_assert_cmpuint (studies->len, ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add ("/imaging/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("match-identifier", test_match_by_identifier);
  ADD ("match-mrn", test_match_by_mrn);
  ADD ("match-name-birth-date", test_match_by_name_and_birth_date);
  ADD ("ambiguous", test_ambiguous_goes_to_inbox);
  ADD ("unmatched-then-assigned", test_unmatched_then_assigned);
  ADD ("assign-by-study-uid", test_assign_by_study_uid);
  ADD ("assign-all-or-none", test_assign_all_or_none);
  ADD ("discard-needs-reason", test_discard_needs_a_reason);
  ADD ("duplicate", test_duplicate_stored_once);
  ADD ("permissions", test_permissions);
  ADD ("audit", test_audit);
  ADD ("damaged", test_damaged_refused);
  ADD ("receiver", test_receiver);
  ADD ("import-path", test_import_path);

  return g_test_run ();
}
