/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-backup"

#include "config.h"

#include <glib/gstdio.h>

#include <sodium.h>
#include <string.h>
#include <sys/stat.h>

#include "ch-backup.h"
#include "ch-documents.h"
#include "ch-patients.h"
#include "ch-test-util.h"
#include "ch-users.h"

/* Backups through the controller: a round trip that restores every record
 * and document byte for byte, with a password and with the recovery key; a
 * snapshot taken while another session writes holds every row committed
 * before it began; damaged or cut archives are refused by name and leave
 * nothing behind; retention keeps the newest and never touches what it did
 * not write; no plaintext in the archive; permissions. */

#define PATIENT_FAMILY "Quenneville-Xyzzy"
#define DOC_PHRASE "Referral letter for Ana Quenneville-Xyzzy, seen for chest pain. "

typedef struct
{
  char       *dir;
  char       *practice_dir;
  char       *target;
  char       *recovery_key;
  ChPractice *practice;
  ChSession  *admin;
  ChSession  *doctor;
  gint64      ana;
  gint64      doc_id;
  GBytes     *doc_bytes;
  GBytes     *random_doc;
  gint64      random_doc_id;
} Fixture;

static gint64
register_patient (ChSession  *session,
                  const char *given,
                  const char *family)
{
  g_autoptr (ChPatientRecord) patient = ch_patient_record_new ();
  g_autoptr (GError) error = NULL;

  patient->given_name = g_strdup (given);
  patient->family_name = g_strdup (family);
  patient->birth_date = g_strdup ("1970-01-01");
  g_assert_true (ch_patients_register (session, patient, &error));
  g_assert_no_error (error);
  return patient->id;
}

static gint64
import_bytes (ChSession *session,
              gint64     patient_id,
              GBytes    *bytes)
{
  ChDocumentMeta meta = { .category = "referral", .title = "Referral", .date = "2026-03-01" };
  g_autoptr (GError) error = NULL;
  gint64 id = 0;

  g_assert_true (ch_documents_import (session, patient_id, &meta, NULL, bytes, &id, &error));
  g_assert_no_error (error);
  return id;
}

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  guint8 *random = g_malloc (300 * 1024);

  f->dir = ch_test_make_dir ();
  f->practice_dir = g_build_filename (f->dir, "practice", NULL);
  f->target = g_build_filename (f->dir, "target", NULL);
  g_assert_cmpint (g_mkdir (f->target, 0700), ==, 0);
  f->practice = ch_test_make_practice (f->practice_dir, &f->recovery_key);
  f->admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_assert_true (ch_users_add (f->admin, "doc", NULL, CH_ROLE_PHYSICIAN, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "nurse", NULL, CH_ROLE_NURSE, CH_TEST_PASSWORD, &error));
  g_assert_no_error (error);
  f->doctor = ch_test_login (f->practice, "doc", CH_TEST_PASSWORD);
  f->ana = register_patient (f->doctor, "Ana", PATIENT_FAMILY);

  while (text->len < 200 * 1024)
    g_string_append (text, DOC_PHRASE);
  f->doc_bytes = g_bytes_new (text->str, text->len);
  f->doc_id = import_bytes (f->doctor, f->ana, f->doc_bytes);

  randombytes_buf (random, 300 * 1024);
  f->random_doc = g_bytes_new_take (random, 300 * 1024);
  f->random_doc_id = import_bytes (f->doctor, f->ana, f->random_doc);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_clear_object (&f->doctor);
  g_clear_object (&f->admin);
  g_clear_object (&f->practice);
  g_clear_pointer (&f->doc_bytes, g_bytes_unref);
  g_clear_pointer (&f->random_doc, g_bytes_unref);
  if (f->recovery_key != NULL)
    {
      sodium_memzero (f->recovery_key, strlen (f->recovery_key));
      g_free (f->recovery_key);
    }
  ch_test_remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->practice_dir);
  g_free (f->target);
}

static char *
backup_now (Fixture *f,
            guint    keep)
{
  g_autoptr (GError) error = NULL;
  char *archive = ch_backup_now (f->admin, f->target, keep, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (archive);
  return archive;
}

static const ChBackupCredentials admin_credentials = {
  .username = "admin",
  .password = CH_TEST_PASSWORD,
};

static guint
count_entries (const char *dir,
               const char *prefix)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (prefix == NULL || g_str_has_prefix (name, prefix))
      n++;
  return n;
}

/* Opens the restored practice as the doctor and checks that the patient and
 * both documents are there, byte for byte. */
static void
assert_restored (Fixture    *f,
                 const char *dir)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChPractice) practice = ch_practice_open (dir, &error);
  g_autoptr (ChSession) doctor = NULL;
  g_autoptr (ChPatientRecord) ana = NULL;
  g_autoptr (GBytes) text = NULL;
  g_autoptr (GBytes) random = NULL;

  g_assert_no_error (error);
  doctor = ch_test_login (practice, "doc", CH_TEST_PASSWORD);
  ana = ch_patients_get (doctor, f->ana, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ana->family_name, ==, PATIENT_FAMILY);

  text = ch_documents_read (doctor, f->doc_id, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (text, f->doc_bytes));
  random = ch_documents_read (doctor, f->random_doc_id, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (random, f->random_doc));
  ch_session_logout (doctor);
}

static void
test_round_trip (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *archive = backup_now (f, 7);
  g_autofree char *base = g_path_get_basename (archive);
  g_autofree char *restored = g_build_filename (f->dir, "restored", NULL);
  g_autofree char *restored2 = g_build_filename (f->dir, "restored-by-key", NULL);
  g_autofree char *aside = NULL;
  g_autoptr (ChBackupInfo) info = NULL;
  g_autoptr (ChBackupInfo) again = NULL;
  g_autoptr (ChBackupInfo) by_key = NULL;
  g_autoptr (ChBackupRunRecord) last_ok = NULL;
  g_autoptr (ChBackupRunRecord) last_failed = NULL;
  ChBackupCredentials key = { .recovery_key = f->recovery_key };
  ChBackupCredentials wrong = { .username = "admin", .password = "not the password" };
  GStatBuf st;

  g_assert_true (g_str_has_prefix (base, "charta-"));
  g_assert_true (g_str_has_suffix (base, ".chbk"));
  g_assert_cmpint (g_stat (archive, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0077, ==, 0);
  /* No temporary file left behind. */
  g_assert_cmpuint (count_entries (f->target, NULL), ==, 1);

  info = ch_backup_verify (archive, &admin_credentials, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->n_files, ==, 4);  /* database, keyring, two blobs */
  g_assert_cmpstr (info->practice_name, ==, "Test Practice");
  g_assert_cmpint (info->schema_version, ==, ch_store_get_latest_schema_version ());
  g_assert_nonnull (info->audit_head);

  g_assert_null (ch_backup_verify (archive, &wrong, &error));
  g_assert_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_WRONG_KEY);
  g_clear_error (&error);

  /* Written after the backup: not in the restore. */
  register_patient (f->doctor, "Later", "Afterwards");

  again = ch_backup_restore (archive, &admin_credentials, restored, FALSE, NULL, &error);
  g_assert_no_error (error);
  assert_restored (f, restored);

  by_key = ch_backup_restore (archive, &key, restored2, FALSE, NULL, &error);
  g_assert_no_error (error);
  assert_restored (f, restored2);

  /* An existing practice is refused, unless asked, and then kept aside. */
  g_assert_null (ch_backup_restore (archive, &key, restored, FALSE, NULL, &error));
  g_assert_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_EXISTS);
  g_clear_error (&error);
  g_clear_pointer (&by_key, ch_backup_info_free);
  by_key = ch_backup_restore (archive, &key, restored, TRUE, &aside, &error);
  g_assert_no_error (error);
  g_assert_nonnull (aside);
  g_assert_true (g_file_test (aside, G_FILE_TEST_IS_DIR));
  assert_restored (f, restored);
  assert_restored (f, aside);

  g_assert_true (ch_backup_status (f->admin, &last_ok, &last_failed, &error));
  g_assert_no_error (error);
  g_assert_nonnull (last_ok);
  g_assert_cmpstr (last_ok->archive, ==, base);
  g_assert_null (last_failed);
}

/* ---- a backup while another session writes ------------------------------- */

typedef struct
{
  ChSession *session;
  GMutex     lock;
  GArray    *committed;   /* ids of patients whose registration returned */
  gint       stop;
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;

  for (guint i = 0; !g_atomic_int_get (&w->stop); i++)
    {
      g_autofree char *given = g_strdup_printf ("Writer%u", i);
      gint64 id = register_patient (w->session, given, "Concurrent");

      g_mutex_lock (&w->lock);
      g_array_append_val (w->committed, id);
      g_mutex_unlock (&w->lock);
    }
  return NULL;
}

static void
test_concurrent_writes (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) before = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *archive = NULL;
  g_autofree char *restored = g_build_filename (f->dir, "restored", NULL);
  g_autoptr (ChBackupInfo) info = NULL;
  g_autoptr (ChPractice) practice = NULL;
  g_autoptr (ChSession) doctor = NULL;
  Writer w = { 0 };
  GThread *thread;
  guint n_after;

  w.session = ch_test_login (f->practice, "doc", CH_TEST_PASSWORD);
  w.committed = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_mutex_init (&w.lock);
  thread = g_thread_new ("writer", writer_thread, &w);

  /* Let it write for a while, then note what is committed and back up. */
  for (;;)
    {
      guint n;

      g_usleep (10 * 1000);
      g_mutex_lock (&w.lock);
      n = w.committed->len;
      g_mutex_unlock (&w.lock);
      if (n >= 30)
        break;
    }
  g_mutex_lock (&w.lock);
  g_array_append_vals (before, w.committed->data, w.committed->len);
  g_mutex_unlock (&w.lock);

  archive = backup_now (f, 7);

  g_usleep (50 * 1000);
  g_atomic_int_set (&w.stop, 1);
  g_thread_join (thread);
  n_after = w.committed->len;
  /* The writer went on while (and after) the backup ran. */
  g_assert_cmpuint (n_after, >, before->len);

  info = ch_backup_restore (archive, &admin_credentials, restored, FALSE, NULL, &error);
  g_assert_no_error (error);

  practice = ch_practice_open (restored, &error);
  g_assert_no_error (error);
  doctor = ch_test_login (practice, "doc", CH_TEST_PASSWORD);
  for (guint i = 0; i < before->len; i++)
    {
      g_autoptr (ChPatientRecord) patient =
        ch_patients_get (doctor, g_array_index (before, gint64, i), &error);

      g_assert_no_error (error);
      g_assert_nonnull (patient);
      g_assert_cmpstr (patient->family_name, ==, "Concurrent");
    }
  ch_session_logout (doctor);

  ch_session_logout (w.session);
  g_object_unref (w.session);
  g_array_unref (w.committed);
  g_mutex_clear (&w.lock);
}

/* A reader that holds an old snapshot keeps the checkpoint from emptying
 * the WAL: the backup then carries the WAL, and the restore still has the
 * row that was only there. */
static void
test_wal_kept (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChStore) reader = ch_store_open_reader (ch_session_get_store (f->doctor), &error);
  g_autofree char *archive = NULL;
  g_autofree char *restored = g_build_filename (f->dir, "restored", NULL);
  g_autoptr (ChBackupInfo) info = NULL;
  g_autoptr (ChPractice) practice = NULL;
  g_autoptr (ChSession) doctor = NULL;
  g_autoptr (ChPatientRecord) patient = NULL;
  gint64 id;

  g_assert_no_error (error);
  g_assert_true (ch_store_exec (reader, "BEGIN", &error));
  g_assert_true (ch_store_exec (reader, "SELECT count(*) FROM sqlite_master", &error));
  g_assert_no_error (error);

  id = register_patient (f->doctor, "Only", "InTheWal");
  archive = backup_now (f, 7);
  ch_store_exec (reader, "COMMIT", NULL);
  ch_store_close (reader);

  info = ch_backup_restore (archive, &admin_credentials, restored, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->n_files, ==, 5);  /* database, its WAL, keyring, two blobs */

  practice = ch_practice_open (restored, &error);
  g_assert_no_error (error);
  doctor = ch_test_login (practice, "doc", CH_TEST_PASSWORD);
  patient = ch_patients_get (doctor, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (patient->family_name, ==, "InTheWal");
  ch_session_logout (doctor);
}

/* ---- damage --------------------------------------------------------------- */

static void
assert_refused (Fixture    *f,
                const char *damaged)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *restored = g_build_filename (f->dir, "restored", NULL);
  ChBackupInfo *info;

  info = ch_backup_verify (damaged, &admin_credentials, &error);
  g_assert_null (info);
  g_assert_nonnull (error);
  g_assert_true (error->domain == CH_BACKUP_ERROR);
  g_assert_true (strstr (error->message, damaged) != NULL);
  g_clear_error (&error);

  info = ch_backup_restore (damaged, &admin_credentials, restored, FALSE, NULL, &error);
  g_assert_null (info);
  g_assert_nonnull (error);
  g_assert_true (strstr (error->message, damaged) != NULL);
  /* Nothing half-restored: no folder, no staging folder beside it. */
  g_assert_false (g_file_test (restored, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_entries (f->dir, ".restored"), ==, 0);
}

static void
test_damaged (Fixture      *f,
              gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *archive = backup_now (f, 7);
  g_autofree char *damaged = g_build_filename (f->dir, "damaged.chbk", NULL);
  g_autofree char *content = NULL;
  gsize len = 0;
  gsize flips[6];

  g_assert_true (g_file_get_contents (archive, &content, &len, &error));
  flips[0] = 0;             /* the magic */
  flips[1] = 20;            /* the key id */
  flips[2] = len / 3;
  flips[3] = len / 2;
  flips[4] = len - 20;
  flips[5] = len - 1;       /* the final tag's block */

  for (guint i = 0; i < G_N_ELEMENTS (flips); i++)
    {
      content[flips[i]] ^= 0x40;
      g_assert_true (g_file_set_contents (damaged, content, (gssize) len, &error));
      content[flips[i]] ^= 0x40;
      assert_refused (f, damaged);
    }

  for (gsize cut = 10; cut < len; cut = cut * 3 + 7)
    {
      g_assert_true (g_file_set_contents (damaged, content, (gssize) cut, &error));
      assert_refused (f, damaged);
    }
  g_assert_true (g_file_set_contents (damaged, content, (gssize) len - 1, &error));
  assert_refused (f, damaged);

  /* Grown by a byte. */
  {
    g_autofree char *grown = g_malloc (len + 1);

    memcpy (grown, content, len);
    grown[len] = 'x';
    g_assert_true (g_file_set_contents (damaged, grown, (gssize) len + 1, &error));
    assert_refused (f, damaged);
  }

  /* The original is still good. */
  {
    g_autoptr (ChBackupInfo) info = ch_backup_verify (archive, &admin_credentials, &error);

    g_assert_no_error (error);
  }
}

/* ---- targets, retention, permissions -------------------------------------- */

static void
test_bad_target (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "no-such-folder", NULL);
  g_autoptr (ChBackupRunRecord) last_ok = NULL;
  g_autoptr (ChBackupRunRecord) last_failed = NULL;
  char *archive;

  archive = ch_backup_now (f->admin, missing, 7, NULL, NULL, &error);
  g_assert_null (archive);
  g_assert_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET);
  g_assert_true (strstr (error->message, missing) != NULL);
  g_clear_error (&error);

  g_assert_true (ch_backup_status (f->admin, &last_ok, &last_failed, &error));
  g_assert_null (last_ok);
  g_assert_nonnull (last_failed);
  g_assert_true (strstr (last_failed->reason, missing) != NULL);

  /* Not writable (unless root, who can write anywhere). */
  if (geteuid () != 0)
    {
      g_assert_cmpint (g_chmod (f->target, 0500), ==, 0);
      archive = ch_backup_now (f->admin, f->target, 7, NULL, NULL, &error);
      g_assert_null (archive);
      g_assert_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET);
      g_assert_true (strstr (error->message, f->target) != NULL);
      g_clear_error (&error);
      g_chmod (f->target, 0700);
    }
}

static void
test_retention (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *foreign = g_build_filename (f->target, "charta-20000101-000000.chbk", NULL);
  g_autofree char *other = g_build_filename (f->target, "notes.txt", NULL);
  g_autofree char *stale = g_build_filename (f->target, ".charta-backup-AbC123.tmp", NULL);
  g_autoptr (GPtrArray) archives = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) listed = NULL;

  g_assert_true (g_file_set_contents (foreign, "not ours", -1, &error));
  g_assert_true (g_file_set_contents (other, "not ours either", -1, &error));
  g_assert_true (g_file_set_contents (stale, "left by a killed backup", -1, &error));

  for (guint i = 0; i < 4; i++)
    g_ptr_array_add (archives, backup_now (f, 2));

  /* The leftover of a killed run is gone; what it did not write is not. */
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (foreign, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));

  /* The two newest it wrote are kept. */
  g_assert_false (g_file_test (g_ptr_array_index (archives, 0), G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (g_ptr_array_index (archives, 1), G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (g_ptr_array_index (archives, 2), G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (g_ptr_array_index (archives, 3), G_FILE_TEST_EXISTS));

  listed = ch_backup_list (f->target, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 3);
  g_assert_cmpstr (((ChBackupInfo *) g_ptr_array_index (listed, 0))->path, ==,
                   g_ptr_array_index (archives, 3));
  g_assert_cmpint (((ChBackupInfo *) g_ptr_array_index (listed, 2))->format_version, ==, 0);

  /* keep 1 still keeps the newest, the last good one. */
  g_ptr_array_add (archives, backup_now (f, 1));
  g_assert_true (g_file_test (g_ptr_array_index (archives, 4), G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (g_ptr_array_index (archives, 3), G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (foreign, G_FILE_TEST_EXISTS));
}

static gboolean
contains (const char *haystack,
          gsize       len,
          const char *needle)
{
  return memmem (haystack, len, needle, strlen (needle)) != NULL;
}

static void
test_no_plaintext (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *archive = backup_now (f, 7);
  g_autofree char *content = NULL;
  gsize len = 0;
  guint8 probe[64];

  g_assert_true (g_file_get_contents (archive, &content, &len, &error));
  g_assert_false (contains (content, len, PATIENT_FAMILY));
  g_assert_false (contains (content, len, "Referral letter"));
  g_assert_false (contains (content, len, "SQLite format 3"));
  /* Nor a run of the random document's bytes, which do not compress. */
  memcpy (probe, g_bytes_get_data (f->random_doc, NULL), sizeof probe);
  g_assert_null (memmem (content, len, probe, sizeof probe));
}

static void
test_permission (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChSession) nurse = ch_test_login (f->practice, "nurse", CH_TEST_PASSWORD);
  g_autofree char *archive = NULL;
  g_autofree char *restored = g_build_filename (f->dir, "restored", NULL);
  ChBackupCredentials doctor = { .username = "doc", .password = CH_TEST_PASSWORD };
  ChBackupInfo *info;

  g_assert_null (ch_backup_now (nurse, f->target, 7, NULL, NULL, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_cmpuint (count_entries (f->target, NULL), ==, 0);
  ch_session_logout (nurse);

  /* A physician's password opens the keyring, but may not restore. */
  archive = backup_now (f, 7);
  info = ch_backup_restore (archive, &doctor, restored, FALSE, NULL, &error);
  g_assert_null (info);
  g_assert_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_PERMISSION_DENIED);
  g_assert_false (g_file_test (restored, G_FILE_TEST_EXISTS));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/backup/round-trip", test_round_trip);
  ADD ("/backup/concurrent-writes", test_concurrent_writes);
  ADD ("/backup/wal-kept", test_wal_kept);
  ADD ("/backup/damaged", test_damaged);
  ADD ("/backup/bad-target", test_bad_target);
  ADD ("/backup/retention", test_retention);
  ADD ("/backup/no-plaintext", test_no_plaintext);
  ADD ("/backup/permission", test_permission);

#undef ADD

  return g_test_run ();
}
