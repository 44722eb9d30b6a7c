/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-plaintext"

#include "config.h"

#include <string.h>

#include "ch-chart.h"
#include "ch-demo.h"
#include "ch-notes.h"
#include "ch-patients.h"
#include "ch-test-util.h"
#include "ch-users.h"

/* Nothing under the practice folder may hold a patient's name, a password or
 * a display name in the clear: not the database, its WAL, the keyring, nor
 * anything else, while the practice is open and after it is closed. */

static const char * const secrets[] = {
  "Quetzalcoatl",            /* a patient's family name */
  "Wilhelmina",              /* and given name */
  "1913-07-04",              /* and date of birth */
  "Bartholomew Ironside",    /* a user's display name */
  CH_TEST_PASSWORD,
  "zebra-password-77",
  "Quetzalcoatl Street",     /* the practice's address */
  "Xylophobia",              /* a problem on the chart */
  "walks with a limp",       /* a note's text */
};

/* The practice's own name is in the keyring on purpose: the sign-in screen
 * shows it. It is not patient data. */

static void
grep_tree (const char *dir,
           guint      *n_files)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          grep_tree (path, n_files);
          continue;
        }

      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      (*n_files)++;
      for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
        if (memmem (contents, len, secrets[i], strlen (secrets[i])) != NULL)
          g_error ("“%s” found in the clear in %s", secrets[i], path);

      g_assert_null (memmem (contents, len, "SQLite format 3", 15));
    }
}

static void
test_no_plaintext (void)
{
  g_autofree char *dir = ch_test_make_dir ();
  g_autoptr (GError) error = NULL;
  g_autoptr (ChPractice) practice = NULL;
  g_autoptr (ChSession) admin = NULL;
  g_autoptr (ChSession) desk = NULL;
  ChPatientRecord patient = { 0 };
  ChPracticeSetup setup = {
    .name = "Riverside Family Practice", .address = "Quetzalcoatl Street 1",
    .admin_user = "admin", .admin_password = CH_TEST_PASSWORD,
  };
  guint n_files = 0;

  practice = ch_practice_create (dir, &setup, NULL, &error);
  g_assert_no_error (error);
  admin = ch_test_login (practice, "admin", CH_TEST_PASSWORD);
  g_assert_true (ch_users_add (admin, "desk", "Bartholomew Ironside", CH_ROLE_FRONT_DESK,
                               "zebra-password-77", &error));
  g_assert_no_error (error);

  desk = ch_test_login (practice, "desk", "zebra-password-77");
  patient.given_name = (char *) "Wilhelmina";
  patient.family_name = (char *) "Quetzalcoatl";
  patient.birth_date = (char *) "1913-07-04";
  patient.sex = (char *) "female";
  g_assert_true (ch_patients_register (desk, &patient, &error));
  g_assert_no_error (error);
  g_free (patient.mrn);

  {
    g_autoptr (ChSession) doc = NULL;
    g_autoptr (ChChartItem) problem = ch_chart_item_new (CH_SECTION_PROBLEM);
    g_autoptr (ChNoteRecord) note = ch_note_record_new ();

    g_assert_true (ch_users_add (admin, "doc", NULL, CH_ROLE_PHYSICIAN, "zebra-password-77", &error));
    doc = ch_test_login (practice, "doc", "zebra-password-77");
    problem->patient_id = patient.id;
    problem->display = g_strdup ("Xylophobia");
    g_assert_true (ch_chart_add (doc, problem, &error));
    note->patient_id = patient.id;
    note->body = g_strdup ("Patient walks with a limp");
    g_assert_true (ch_notes_create_draft (doc, note, &error));
    g_assert_true (ch_notes_sign (doc, note->id, &error));
    g_assert_no_error (error);
    ch_session_logout (doc);
  }

  /* Open, with the WAL holding the latest pages. */
  grep_tree (dir, &n_files);
  g_assert_cmpuint (n_files, >=, 3);

  ch_session_logout (desk);
  ch_session_logout (admin);
  g_clear_object (&desk);
  g_clear_object (&admin);

  n_files = 0;
  grep_tree (dir, &n_files);
  g_assert_cmpuint (n_files, >=, 3);

  ch_test_remove_dir (dir);
}

static void
test_demo_deterministic (void)
{
  g_autofree char *a = ch_test_make_dir ();
  g_autofree char *b = ch_test_make_dir ();
  g_autoptr (GError) error = NULL;

  g_assert_true (ch_demo_create (a, 30, 42, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ch_demo_create (b, 30, 42, NULL, &error));

  {
    g_autoptr (ChPractice) pa = ch_practice_open (a, &error);
    g_autoptr (ChPractice) pb = ch_practice_open (b, &error);
    g_autoptr (ChSession) sa = ch_test_login (pa, "doctor", CH_DEMO_PASSWORD);
    g_autoptr (ChSession) sb = ch_test_login (pb, "doctor", CH_DEMO_PASSWORD);

    g_assert_cmpint (ch_session_get_role (sa), ==, CH_ROLE_PHYSICIAN);
    for (gint64 id = 1; id <= 30; id++)
      {
        g_autoptr (ChPatientRecord) ra = ch_patients_get (sa, id, &error);
        g_autoptr (ChPatientRecord) rb = ch_patients_get (sb, id, &error);

        g_assert_no_error (error);
        g_assert_cmpstr (ra->mrn, ==, rb->mrn);
        g_assert_cmpstr (ra->family_name, ==, rb->family_name);
        g_assert_cmpstr (ra->given_name, ==, rb->given_name);
        g_assert_cmpstr (ra->birth_date, ==, rb->birth_date);
      }
  }

  ch_test_remove_dir (a);
  ch_test_remove_dir (b);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/practice/no-plaintext", test_no_plaintext);
  g_test_add_func ("/practice/demo-deterministic", test_demo_deterministic);

  return g_test_run ();
}
