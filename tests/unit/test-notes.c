/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-notes"

#include "config.h"

#include <string.h>

#include "ch-audit.h"
#include "ch-notes.h"
#include "ch-patients.h"
#include "ch-store-private.h"
#include "ch-test-util.h"
#include "ch-users.h"

typedef struct
{
  char       *dir;
  ChPractice *practice;
  ChSession  *doctor;
  ChSession  *nurse;
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
  g_assert_true (ch_users_add (admin, "doc2", NULL, CH_ROLE_PHYSICIAN, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (admin, "nurse", NULL, CH_ROLE_NURSE, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (admin, "desk", NULL, CH_ROLE_FRONT_DESK, CH_TEST_PASSWORD, &error));
  ch_session_logout (admin);

  desk = ch_test_login (f->practice, "desk", CH_TEST_PASSWORD);
  patient->given_name = g_strdup ("Wei");
  patient->family_name = g_strdup ("Chen");
  patient->birth_date = g_strdup ("1950-02-03");
  g_assert_true (ch_patients_register (desk, patient, &error));
  g_assert_no_error (error);
  f->patient = patient->id;
  ch_session_logout (desk);

  f->doctor = ch_test_login (f->practice, "doc", CH_TEST_PASSWORD);
  f->nurse = ch_test_login (f->practice, "nurse", CH_TEST_PASSWORD);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_clear_object (&f->doctor);
  g_clear_object (&f->nurse);
  g_clear_object (&f->practice);
  ch_test_remove_dir (f->dir);
  g_free (f->dir);
}

static ChNoteRecord *
draft (Fixture   *f,
       ChSession *author,
       const char *subjective)
{
  g_autoptr (GError) error = NULL;
  ChNoteRecord *note = ch_note_record_new ();

  note->patient_id = f->patient;
  note->kind = g_strdup ("soap");
  note->subjective = g_strdup (subjective);
  g_assert_true (ch_notes_create_draft (author, note, &error));
  g_assert_no_error (error);
  return note;
}

static void
test_draft_sign_addendum (Fixture      *f,
                          gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChNoteRecord) note = draft (f, f->doctor, "Cough for a week");
  g_autoptr (ChNoteRecord) back = NULL;
  g_autoptr (ChNoteRecord) empty = draft (f, f->doctor, "");

  g_assert_cmpstr (note->state, ==, "draft");
  g_assert_false (note->cosign_required);

  /* A draft is edited freely by its author. */
  g_free (note->assessment);
  note->assessment = g_strdup ("Acute bronchitis");
  note->plan = g_strdup ("Fluids, review in a week");
  g_assert_true (ch_notes_update_draft (f->doctor, note, &error));
  g_assert_no_error (error);

  g_assert_false (ch_notes_sign (f->doctor, empty->id, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (ch_notes_sign (f->doctor, note->id, &error));
  g_assert_no_error (error);

  /* Signed is locked: in the controller, and in the database underneath. */
  g_free (note->plan);
  note->plan = g_strdup ("Antibiotics after all");
  g_assert_false (ch_notes_update_draft (f->doctor, note, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  {
    g_autofree char *sql = g_strdup_printf ("UPDATE notes SET plan = 'x' WHERE id = %"
                                            G_GINT64_FORMAT, note->id);
    g_assert_false (ch_store_exec (ch_session_get_store (f->doctor), sql, &error));
    g_assert_nonnull (strstr (error->message, "locked"));
    g_clear_error (&error);
    g_assert_false (ch_store_exec (ch_session_get_store (f->doctor), "DELETE FROM notes", &error));
    g_clear_error (&error);
  }

  /* Dated addenda instead, by anyone who charts. */
  g_assert_false (ch_notes_add_addendum (f->nurse, note->id, "  ", &error));
  g_clear_error (&error);
  g_assert_true (ch_notes_add_addendum (f->nurse, note->id, "Culture came back negative", &error));
  g_assert_no_error (error);

  back = ch_notes_get (f->doctor, note->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->state, ==, "signed");
  g_assert_cmpstr (back->plan, ==, "Fluids, review in a week");
  g_assert_cmpstr (back->assessment, ==, "Acute bronchitis");
  g_assert_cmpint (back->signed_at, >, 0);
  g_assert_cmpuint (back->addenda->len, ==, 1);
  g_assert_cmpstr (((ChAddendum *) back->addenda->pdata[0])->author, ==, "nurse");
}

static void
test_cosign (Fixture      *f,
             gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChNoteRecord) note = draft (f, f->nurse, "BP check: 150/95");
  g_autoptr (ChNoteRecord) own = draft (f, f->doctor, "Own note");
  g_autoptr (ChSession) other = ch_test_login (f->practice, "doc2", CH_TEST_PASSWORD);
  g_autoptr (ChNoteRecord) back = NULL;
  ChAuditFilter filter = { .action = CH_AUDIT_SIGN };

  g_assert_true (note->cosign_required);

  /* Not before the author signs; nobody else signs the draft. */
  g_assert_false (ch_notes_cosign (f->doctor, note->id, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ch_notes_sign (f->doctor, note->id, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  g_assert_true (ch_notes_sign (f->nurse, note->id, &error));
  g_assert_no_error (error);

  /* A nurse does not co-sign; a physician does, once. */
  g_assert_false (ch_notes_cosign (f->nurse, note->id, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_true (ch_notes_cosign (f->doctor, note->id, &error));
  g_assert_no_error (error);
  g_assert_false (ch_notes_cosign (other, note->id, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  back = ch_notes_get (f->doctor, note->id, &error);
  g_assert_cmpstr (back->cosigned_by, ==, "doc");

  /* A physician's own note needs none. */
  g_assert_true (ch_notes_sign (f->doctor, own->id, &error));
  g_assert_false (ch_notes_cosign (other, own->id, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_cmpint (ch_db_audit_count (ch_session_get_store (f->doctor), &filter, &error), ==, 3);
}

static void
test_entered_in_error_and_permissions (Fixture      *f,
                                       gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChNoteRecord) note = draft (f, f->doctor, "Wrong chart");
  g_autoptr (ChSession) desk = ch_test_login (f->practice, "desk", CH_TEST_PASSWORD);
  g_autoptr (GPtrArray) notes = NULL;
  g_autoptr (ChNoteRecord) back = NULL;

  g_assert_true (ch_notes_sign (f->doctor, note->id, &error));
  g_assert_false (ch_notes_entered_in_error (f->nurse, note->id, "Not mine", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ch_notes_entered_in_error (f->doctor, note->id, "", &error));
  g_clear_error (&error);
  g_assert_true (ch_notes_entered_in_error (f->doctor, note->id, "Written in the wrong chart",
                                            &error));
  g_assert_no_error (error);

  /* Still there, marked, text intact. */
  back = ch_notes_get (f->doctor, note->id, &error);
  g_assert_cmpstr (back->state, ==, "entered-in-error");
  g_assert_cmpstr (back->error_reason, ==, "Written in the wrong chart");
  g_assert_cmpstr (back->subjective, ==, "Wrong chart");

  /* The front desk reads no notes. */
  notes = ch_notes_list (desk, f->patient, &error);
  g_assert_null (notes);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/notes/draft-sign-addendum", test_draft_sign_addendum);
  ADD ("/notes/cosign", test_cosign);
  ADD ("/notes/entered-in-error", test_entered_in_error_and_permissions);

  return g_test_run ();
}
