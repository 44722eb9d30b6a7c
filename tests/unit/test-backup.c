/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-backup"

#include "config.h"

#include <glib/gstdio.h>

#include <sodium.h>
#include <string.h>
#include <sys/stat.h>

#include "ch-audit.h"
#include "ch-backup.h"
#include "ch-chart.h"
#include "ch-documents.h"
#include "ch-patients.h"
#include "ch-records.h"
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
  ChBackupRetention newest = { .last = keep };
  char *archive = ch_backup_now (f->admin, f->target, &newest, NULL, NULL, &error);

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

  archive = ch_backup_now (f->admin, missing, NULL, NULL, NULL, &error);
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
      archive = ch_backup_now (f->admin, f->target, NULL, NULL, NULL, &error);
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

  /* A run killed between naming its archive and recording it left an
   * archive no run recorded: still its own to retention, not a success. */
  {
    g_autofree char *orphan = g_build_filename (f->target, "charta-20010101-000000.chbk", NULL);
    g_autoptr (ChBackupRunRecord) last_ok = NULL;
    g_autoptr (ChBackupRunRecord) last_failed = NULL;
    ChStore *store = ch_session_get_store (f->admin);

    g_assert_true (g_file_set_contents (orphan, "named, then killed", -1, &error));
    g_assert_true (ch_db_backup_pending_set (store, f->target, "charta-20010101-000000.chbk",
                                             978307200, &error));
    g_assert_true (ch_backup_status (f->admin, &last_ok, &last_failed, &error));
    g_assert_nonnull (last_ok);
    g_assert_cmpstr (last_ok->archive, !=, "charta-20010101-000000.chbk");
    g_ptr_array_add (archives, backup_now (f, 1));
    g_assert_false (g_file_test (orphan, G_FILE_TEST_EXISTS));
    g_assert_true (g_file_test (foreign, G_FILE_TEST_EXISTS));
    g_assert_true (g_file_test (g_ptr_array_index (archives, 5), G_FILE_TEST_EXISTS));
  }
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

  g_assert_null (ch_backup_now (nurse, f->target, NULL, NULL, NULL, &error));
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

/* ---- retention decided on synthetic dates ---------------------------------- */

typedef struct
{
  char                *names[512];
  ChBackupArchiveItem  items[512];
  guint                n;
} Archives;

static void
archives_clear (Archives *a)
{
  for (guint i = 0; i < a->n; i++)
    g_free (a->names[i]);
  a->n = 0;
}

static void
archives_add (Archives   *a,
              const char *iso,
              gboolean    good)
{
  g_autoptr (GDateTime) when = g_date_time_new_from_iso8601 (iso, NULL);

  g_assert_nonnull (when);
  g_assert_cmpuint (a->n, <, G_N_ELEMENTS (a->items));
  a->names[a->n] = g_strdup (iso);
  a->items[a->n] = (ChBackupArchiveItem) {
    .name = a->names[a->n], .time = g_date_time_to_unix (when), .good = good, .keep = FALSE,
  };
  a->n++;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The archives kept, by name, sorted: "A B C". */
static char *
archives_decide (Archives   *a,
                 guint       last,
                 guint       daily,
                 guint       weekly,
                 guint       monthly,
                 GTimeZone  *tz)
{
  ChBackupRetention retention = { .last = last, .daily = daily, .weekly = weekly,
                                  .monthly = monthly };
  g_autoptr (GPtrArray) kept = g_ptr_array_new ();

  ch_backup_retention_decide (a->items, a->n, &retention, tz);
  for (guint i = 0; i < a->n; i++)
    if (a->items[i].keep)
      g_ptr_array_add (kept, (gpointer) a->items[i].name);
  g_ptr_array_sort (kept, compare_names);
  g_ptr_array_add (kept, NULL);
  return g_strjoinv (" ", (char **) kept->pdata);
}

static void
test_retention_decide (void)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GTimeZone) east = g_time_zone_new_offset (2 * 60 * 60);
  Archives a = { 0 };
  char *kept;

  /* One a day, 1 to 20 March 2026 (the 1st a Sunday), and a second on the 20th. */
  for (guint d = 1; d <= 20; d++)
    {
      g_autofree char *iso = g_strdup_printf ("2026-03-%02uT02:00:00Z", d);
      archives_add (&a, iso, TRUE);
    }
  archives_add (&a, "2026-03-20T14:00:00Z", TRUE);

  /* The newest of each of the last 3 days. */
  kept = archives_decide (&a, 0, 3, 0, 0, utc);
  g_assert_cmpstr (kept, ==, "2026-03-18T02:00:00Z 2026-03-19T02:00:00Z 2026-03-20T14:00:00Z");
  g_free (kept);

  /* The newest of each of the last 2 ISO weeks: Friday the 20th, and Sunday
   * the 15th, which ends the week before. */
  kept = archives_decide (&a, 0, 0, 2, 0, utc);
  g_assert_cmpstr (kept, ==, "2026-03-15T02:00:00Z 2026-03-20T14:00:00Z");
  g_free (kept);

  /* The rules add up: 2 days and 3 weeks (the 1st is in the week of 23 February). */
  kept = archives_decide (&a, 0, 2, 3, 0, utc);
  g_assert_cmpstr (kept, ==, "2026-03-08T02:00:00Z 2026-03-15T02:00:00Z "
                   "2026-03-19T02:00:00Z 2026-03-20T14:00:00Z");
  g_free (kept);

  /* Nothing asked for still keeps the last good backup; --keep N the N newest. */
  kept = archives_decide (&a, 0, 0, 0, 0, utc);
  g_assert_cmpstr (kept, ==, "2026-03-20T14:00:00Z");
  g_free (kept);
  kept = archives_decide (&a, 2, 0, 0, 0, utc);
  g_assert_cmpstr (kept, ==, "2026-03-20T02:00:00Z 2026-03-20T14:00:00Z");
  g_free (kept);
  archives_clear (&a);

  /* What it did not write is kept and counts for nothing, even the newest. */
  archives_add (&a, "2026-03-21T02:00:00Z", FALSE);
  archives_add (&a, "2026-03-20T02:00:00Z", TRUE);
  archives_add (&a, "2026-03-19T02:00:00Z", TRUE);
  archives_add (&a, "2000-01-01T00:00:00Z", FALSE);
  kept = archives_decide (&a, 0, 1, 0, 0, utc);
  g_assert_cmpstr (kept, ==, "2000-01-01T00:00:00Z 2026-03-20T02:00:00Z 2026-03-21T02:00:00Z");
  g_free (kept);
  archives_clear (&a);

  /* Nothing good at all: nothing is let go. */
  archives_add (&a, "2026-03-21T02:00:00Z", FALSE);
  kept = archives_decide (&a, 0, 7, 4, 12, utc);
  g_assert_cmpstr (kept, ==, "2026-03-21T02:00:00Z");
  g_free (kept);
  archives_clear (&a);

  /* Days begin at local midnight: 23:30 and 00:30 UTC are one day two hours east. */
  archives_add (&a, "2026-03-18T12:00:00Z", TRUE);
  archives_add (&a, "2026-03-19T23:30:00Z", TRUE);
  archives_add (&a, "2026-03-20T00:30:00Z", TRUE);
  kept = archives_decide (&a, 0, 2, 0, 0, utc);
  g_assert_cmpstr (kept, ==, "2026-03-19T23:30:00Z 2026-03-20T00:30:00Z");
  g_free (kept);
  kept = archives_decide (&a, 0, 2, 0, 0, east);
  g_assert_cmpstr (kept, ==, "2026-03-18T12:00:00Z 2026-03-20T00:30:00Z");
  g_free (kept);
  archives_clear (&a);

  /* A nightly backup for 15 months, in any order, with the defaults. */
  {
    g_autoptr (GDateTime) day = g_date_time_new_utc (2025, 1, 1, 2, 0, 0);
    guint n_kept = 0;
    const char *month_ends[] = {
      "2026-03-20", "2026-02-28", "2026-01-31", "2025-12-31", "2025-11-30", "2025-10-31",
      "2025-09-30", "2025-08-31", "2025-07-31", "2025-06-30", "2025-05-31", "2025-04-30",
    };

    for (guint i = 0; i < 444; i++)
      {
        g_autoptr (GDateTime) next = g_date_time_add_days (day, 1);
        g_autofree char *iso = g_date_time_format (day, "%Y-%m-%dT%H:%M:%SZ");

        archives_add (&a, iso, TRUE);
        g_date_time_unref (day);
        day = g_steal_pointer (&next);
      }
    /* Shuffled: the decision does not depend on the order. */
    for (guint i = a.n - 1; i > 0; i--)
      {
        guint j = g_test_rand_int_range (0, (gint32) i + 1);
        ChBackupArchiveItem item = a.items[i];
        a.items[i] = a.items[j];
        a.items[j] = item;
      }
    g_assert_cmpstr (a.items[0].name, !=, NULL);

    kept = archives_decide (&a, 0, CH_BACKUP_DEFAULT_KEEP_DAILY, CH_BACKUP_DEFAULT_KEEP_WEEKLY,
                            CH_BACKUP_DEFAULT_KEEP_MONTHLY, utc);
    for (guint i = 0; i < a.n; i++)
      n_kept += a.items[i].keep ? 1 : 0;
    /* 2026-03-20, a Friday, is the newest; 14 to 20 March daily; the
     * Sundays 15, 8 and 1 March weekly; month ends back to April 2025. */
    for (guint i = 14; i <= 20; i++)
      {
        g_autofree char *day_name = g_strdup_printf ("2026-03-%02uT02:00:00Z", i);
        g_assert_nonnull (strstr (kept, day_name));
      }
    for (guint i = 0; i < G_N_ELEMENTS (month_ends); i++)
      g_assert_nonnull (strstr (kept, month_ends[i]));
    g_assert_nonnull (strstr (kept, "2026-03-15T"));
    g_assert_nonnull (strstr (kept, "2026-03-08T"));
    g_assert_nonnull (strstr (kept, "2026-03-01T"));
    g_assert_null (strstr (kept, "2026-02-22T"));
    g_assert_null (strstr (kept, "2025-03-31T"));
    g_assert_null (strstr (kept, "2026-03-13T"));
    /* 7 days, 2 more Sundays (the 15th is one of the 7), 11 more month ends. */
    g_assert_cmpuint (n_kept, ==, 7 + 2 + 11);
    g_free (kept);
    archives_clear (&a);
  }
}

/* ---- configuration ----------------------------------------------------------- */

static void
assert_target (const char         *target,
               ChBackupTargetKind  kind,
               const char         *normalized)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  ChBackupTargetKind out_kind = CH_BACKUP_TARGET_DIR;

  g_assert_true (ch_backup_normalize_target (target, &out_kind, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpint (out_kind, ==, kind);
  g_assert_cmpstr (out, ==, normalized);
}

static void
assert_bad_target (const char *target)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  ChBackupTargetKind out_kind;

  g_assert_false (ch_backup_normalize_target (target, &out_kind, &out, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == CH_BACKUP_ERROR);
  g_assert_null (out);
}

static void
assert_config_invalid (const ChBackupConfig *config,
                       const char           *message_part)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (ch_backup_config_validate (config, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == CH_BACKUP_ERROR);
  g_assert_nonnull (strstr (error->message, message_part));
}

static void
test_config_validate (void)
{
  g_autoptr (ChBackupConfig) config = ch_backup_config_new ();
  g_autoptr (GError) error = NULL;
  guint hour = 99, minute = 99;

  assert_target ("dir:/mnt/nas/charta", CH_BACKUP_TARGET_DIR, "dir:/mnt/nas/charta");
  assert_target ("/mnt/nas/charta/", CH_BACKUP_TARGET_DIR, "dir:/mnt/nas/charta");
  assert_target ("sftp://backup@nas.local/srv/charta", CH_BACKUP_TARGET_SFTP,
                 "sftp://backup@nas.local/srv/charta");
  assert_target ("sftp://backup@192.168.1.20:2222/srv/charta", CH_BACKUP_TARGET_SFTP,
                 "sftp://backup@192.168.1.20:2222/srv/charta");
  assert_target ("sftp://backup@nas.local:22/b", CH_BACKUP_TARGET_SFTP, "sftp://backup@nas.local/b");
  assert_target ("sftp://b@[fe80::1]:2200/b", CH_BACKUP_TARGET_SFTP, "sftp://b@[fe80::1]:2200/b");
  assert_bad_target ("sftp://nas.local/srv");
  assert_bad_target ("sftp://backup@/srv");
  assert_bad_target ("sftp://backup@nas.local");
  assert_bad_target ("sftp://backup@nas.local/");
  assert_bad_target ("sftp://backup@nas.local:0/srv");
  assert_bad_target ("sftp://backup@nas.local:70000/srv");
  assert_bad_target ("sftp://backup@nas.local:/srv");
  assert_bad_target ("sftp://b;rm@nas.local/srv");
  assert_bad_target ("sftp://backup@nas local/srv");
  assert_bad_target ("ftp://nas.local/srv");
  assert_bad_target ("dir:");
  assert_bad_target ("");

  g_assert_true (ch_backup_parse_time ("23:59", &hour, &minute, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (hour, ==, 23);
  g_assert_cmpuint (minute, ==, 59);
  g_assert_true (ch_backup_parse_time ("00:00", &hour, &minute, NULL));
  g_assert_cmpuint (hour, ==, 0);
  for (guint i = 0; i < 7; i++)
    {
      const char *bad[] = { "24:00", "02:60", "2:30", "02:3", "0230", "ab:cd", "" };

      g_assert_false (ch_backup_parse_time (bad[i], &hour, &minute, &error));
      g_assert_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_INVALID);
      g_clear_error (&error);
    }

  /* The defaults: no target, 02:00, 7 daily, 4 weekly, 12 monthly. */
  g_assert_null (config->target);
  g_assert_cmpuint (config->hour, ==, 2);
  g_assert_cmpuint (config->minute, ==, 0);
  g_assert_cmpuint (config->retention.daily, ==, 7);
  g_assert_cmpuint (config->retention.weekly, ==, 4);
  g_assert_cmpuint (config->retention.monthly, ==, 12);
  assert_config_invalid (config, "No backup target");

  config->target = g_strdup ("dir:/mnt/nas");
  g_assert_true (ch_backup_config_validate (config, &error));
  g_assert_no_error (error);

  config->identity = g_strdup ("/etc/charta/id_ed25519");
  assert_config_invalid (config, "SFTP targets only");
  g_free (config->target);
  config->target = g_strdup ("sftp://backup@nas.local/srv/charta");
  g_assert_true (ch_backup_config_validate (config, &error));
  g_assert_no_error (error);
  g_free (config->identity);
  config->identity = g_strdup ("id_ed25519");
  assert_config_invalid (config, "absolute path");
  g_clear_pointer (&config->identity, g_free);
  assert_config_invalid (config, "--identity");

  g_free (config->target);
  config->target = g_strdup ("dir:/mnt/nas");
  config->hour = 24;
  assert_config_invalid (config, "HH:MM");
  config->hour = 3;
  config->retention.daily = CH_BACKUP_KEEP_MAX + 1;
  assert_config_invalid (config, "1000");
  config->retention = (ChBackupRetention) { 0 };
  assert_config_invalid (config, "at least one");
  config->retention.monthly = 1;
  g_assert_true (ch_backup_config_validate (config, NULL));
}

static void
test_next_run (void)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GTimeZone) west = g_time_zone_new_offset (-5 * 60 * 60);
  g_autoptr (ChBackupConfig) config = ch_backup_config_new ();
  g_autoptr (GDateTime) morning = g_date_time_new_utc (2026, 3, 20, 1, 0, 0);
  gint64 t = g_date_time_to_unix (morning);

  config->hour = 2;
  config->minute = 30;
  /* Later today; at the very minute, or after it, tomorrow. */
  g_assert_cmpint (ch_backup_next_run (config, t, utc), ==, t + 90 * 60);
  g_assert_cmpint (ch_backup_next_run (config, t + 90 * 60, utc), ==, t + 90 * 60 + 24 * 3600);
  g_assert_cmpint (ch_backup_next_run (config, t + 2 * 3600, utc), ==, t + 90 * 60 + 24 * 3600);
  /* In local time: 01:00 UTC is 20:00 the day before, five hours west. */
  g_assert_cmpint (ch_backup_next_run (config, t, west), ==, t + (5 * 60 + 90) * 60);
}

/* ---- saved configuration, status, the service ----------------------------------- */

static void
save_target (Fixture    *f,
             const char *target,
             const char *identity)
{
  g_autoptr (ChBackupConfig) config = ch_backup_config_new ();
  g_autoptr (GError) error = NULL;

  config->target = g_strdup (target);
  config->identity = g_strdup (identity);
  config->hour = 1;
  config->minute = 15;
  config->retention.daily = 3;
  g_assert_true (ch_backup_config_save (f->admin, config, &error));
  g_assert_no_error (error);
}

static void
test_config_saved (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChBackupConfig) config = ch_backup_config_new ();
  g_autoptr (ChBackupConfig) loaded = NULL;
  g_autoptr (ChSession) manager = NULL;
  g_autoptr (ChSession) nurse = ch_test_login (f->practice, "nurse", CH_TEST_PASSWORD);
  g_autofree char *dir_target = g_strconcat ("dir:", f->target, NULL);

  g_assert_true (ch_users_add (f->admin, "mgr", NULL, CH_ROLE_MANAGER, CH_TEST_PASSWORD, &error));
  g_assert_no_error (error);
  manager = ch_test_login (f->practice, "mgr", CH_TEST_PASSWORD);

  /* Nothing saved yet: the defaults. */
  loaded = ch_backup_config_load (f->admin, &error);
  g_assert_no_error (error);
  g_assert_null (loaded->target);
  g_assert_cmpuint (loaded->retention.weekly, ==, 4);
  g_clear_pointer (&loaded, ch_backup_config_free);

  config->target = g_strconcat (f->target, "/", NULL);
  config->hour = 23;
  config->minute = 5;
  config->retention = (ChBackupRetention) { .daily = 10, .weekly = 0, .monthly = 24 };
  g_assert_true (ch_backup_config_save (manager, config, &error));
  g_assert_no_error (error);

  loaded = ch_backup_config_load (f->admin, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->target, ==, dir_target);
  g_assert_null (loaded->identity);
  g_assert_cmpuint (loaded->hour, ==, 23);
  g_assert_cmpuint (loaded->minute, ==, 5);
  g_assert_cmpuint (loaded->retention.daily, ==, 10);
  g_assert_cmpuint (loaded->retention.weekly, ==, 0);
  g_assert_cmpuint (loaded->retention.monthly, ==, 24);
  g_clear_pointer (&loaded, ch_backup_config_free);

  /* Neither a nurse nor a physician may change it, nor even see it. */
  g_assert_false (ch_backup_config_save (nurse, config, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_null (ch_backup_config_load (f->doctor, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* An invalid one changes nothing. */
  g_free (config->target);
  config->target = g_strdup ("sftp://nobody/x");
  g_assert_false (ch_backup_config_save (f->admin, config, &error));
  g_assert_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_INVALID);
  g_clear_error (&error);
  loaded = ch_backup_config_load (f->admin, &error);
  g_assert_cmpstr (loaded->target, ==, dir_target);

  ch_session_logout (nurse);
  ch_session_logout (manager);
}

static void
insert_run (Fixture    *f,
            gint64      finished,
            gboolean    ok,
            const char *reason)
{
  g_autoptr (GError) error = NULL;
  ChBackupRunRecord run = {
    .started_at = finished - 30, .finished_at = finished, .ok = ok, .target = f->target,
    .archive = ok ? "charta-20260101-000000.chbk" : NULL, .size = ok ? 1234 : 0,
    .duration_ms = 30000, .reason = (char *) reason,
  };

  g_assert_true (ch_db_backup_run_insert (ch_session_get_store (f->admin), &run, &error));
  g_assert_no_error (error);
}

static void
test_status_overdue (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChBackupStatus) status = NULL;
  gint64 now = 1800000000;

  /* Never backed up: overdue, and nothing planned without a target. */
  status = ch_backup_get_status (f->admin, now, &error);
  g_assert_no_error (error);
  g_assert_null (status->last_ok);
  g_assert_null (status->last_failed);
  g_assert_null (status->target);
  g_assert_cmpint (status->next_run, ==, 0);
  g_assert_true (status->overdue);
  g_clear_pointer (&status, ch_backup_status_free);

  /* Good 35 hours ago, failed since: not yet overdue. */
  save_target (f, "dir:/mnt/nas", NULL);
  insert_run (f, now - 35 * 3600, TRUE, NULL);
  insert_run (f, now - 3600, FALSE, "Could not write “/mnt/nas”: the disk is full");
  status = ch_backup_get_status (f->admin, now, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status->last_ok->finished_at, ==, now - 35 * 3600);
  g_assert_cmpint (status->last_ok->size, ==, 1234);
  g_assert_cmpstr (status->last_ok->archive, ==, "charta-20260101-000000.chbk");
  g_assert_nonnull (strstr (status->last_failed->reason, "disk is full"));
  g_assert_false (status->overdue);
  g_assert_cmpstr (status->target, ==, "dir:/mnt/nas");
  /* 1800000000 is 2027-01-15 08:00 UTC; the next 01:15 is the next day's. */
  g_assert_cmpint (status->next_run, ==, now - 8 * 3600 + 24 * 3600 + 75 * 60);
  g_clear_pointer (&status, ch_backup_status_free);

  /* Three hours later it is. */
  status = ch_backup_get_status (f->admin, now + 3 * 3600, &error);
  g_assert_no_error (error);
  g_assert_true (status->overdue);
  g_clear_pointer (&status, ch_backup_status_free);

  /* Not for those without the right. */
  g_assert_null (ch_backup_get_status (f->doctor, now, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
}

static void
test_service_session (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChSession) service = NULL;
  g_autoptr (ChBackupConfig) config = NULL;
  g_autoptr (ChBackupStatus) status = NULL;
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GPtrArray) users = NULL;
  g_autofree char *archive = NULL;
  g_autofree char *dir_target = g_strconcat ("dir:", f->target, NULL);
  g_autoptr (ChBackupInfo) info = NULL;

  service = ch_session_open_service (f->practice, &error);
  g_assert_no_error (error);
  g_assert_nonnull (service);
  g_assert_true (ch_session_get_is_service (service));
  g_assert_false (ch_session_get_is_service (f->admin));
  g_assert_cmpint (ch_session_get_role (service), ==, CH_ROLE_BACKUP_SERVICE);
  g_assert_false (ch_role_from_string ("backup-service", NULL));

  /* No target yet: a clear failure, recorded. */
  g_assert_null (ch_backup_run (service, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_NOT_CONFIGURED);
  g_clear_error (&error);

  /* It backs up to the configured target … */
  save_target (f, dir_target, NULL);
  config = ch_backup_config_load (service, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (config->target, ==, dir_target);
  archive = ch_backup_run (service, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (archive);
  g_assert_true (g_str_has_prefix (archive, f->target));
  info = ch_backup_verify (archive, &admin_credentials, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);

  status = ch_backup_get_status (service, g_get_real_time () / G_USEC_PER_SEC, &error);
  g_assert_no_error (error);
  g_assert_nonnull (status->last_ok);
  g_assert_true (g_str_has_suffix (archive, status->last_ok->archive));
  g_assert_false (status->overdue);
  g_assert_nonnull (strstr (status->last_failed->reason, "No backup target"));

  /* … but reads no chart, document or user, and changes no setting. */
  g_assert_false (ch_session_can (service, CH_AREA_CLINICAL, CH_ACCESS_READ));
  g_assert_false (ch_session_can (service, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ));
  patient = ch_patients_get (service, f->ana, &error);
  g_assert_null (patient);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  items = ch_chart_list (service, f->ana, NULL, FALSE, &error);
  g_assert_null (items);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  bytes = ch_documents_read (service, f->doc_id, &error);
  g_assert_null (bytes);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  users = ch_users_list (service, &error);
  g_assert_null (users);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ch_backup_config_save (service, config, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* An SFTP server that is not there: the run fails with the reason, recorded. */
  save_target (f, "sftp://backup@127.0.0.1:1/srv/charta", "/etc/charta/backup_key");
  g_assert_null (ch_backup_run (service, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET);
  g_assert_nonnull (strstr (error->message, "Could not reach the backup server"));
  g_clear_error (&error);
  g_clear_pointer (&status, ch_backup_status_free);
  status = ch_backup_get_status (f->admin, g_get_real_time () / G_USEC_PER_SEC, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (status->last_failed->reason, "127.0.0.1:1"));
  g_assert_cmpstr (status->last_failed->target, ==, "sftp://backup@127.0.0.1:1/srv/charta");

  ch_session_logout (service);
}

/* No service slot (a practice restored elsewhere before one was made, or a
 * removed file): a clear error, not a crash. */
static void
test_service_no_slot (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChSession) service = NULL;
  g_autofree char *slot = g_build_filename (f->practice_dir, "keyring.service", NULL);

  g_assert_cmpint (g_unlink (slot), ==, 0);
  service = ch_session_open_service (f->practice, &error);
  g_assert_null (service);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "backup service"));
}

/* The head a backup recorded catches a history rewritten afterwards by
 * someone holding the key, who recomputes every hash so that the chain
 * itself verifies. */
static void
test_audit_anchor (Fixture      *f,
                   gconstpointer data)
{
  g_autofree char *archive = backup_now (f, 7);
  g_autoptr (GError) error = NULL;
  g_autoptr (ChBackupInfo) info = ch_backup_verify (archive, &admin_credentials, &error);
  ChStore *store = ch_session_get_store (f->admin);
  g_autoptr (GPtrArray) all = NULL;
  guint8 prev[CH_AUDIT_HASH_BYTES] = { 0 };
  char head[32 + CH_AUDIT_HASH_BYTES * 2 + 2];
  char hex[CH_AUDIT_HASH_BYTES * 2 + 1];
  gint64 n = 0;

  g_assert_no_error (error);
  g_assert_nonnull (info->audit_head);
  g_assert_true (ch_audit_check_anchor (store, info->audit_head, "the backup", &error));
  g_assert_no_error (error);

  /* The insider edits entry 2 and recomputes the whole chain and its head. */
  all = ch_db_audit_page (store, NULL, 0, 100000, &error);
  g_assert_no_error (error);
  g_assert_true (ch_store_exec (store, "DROP TRIGGER audit_no_update;"
                                       "DROP TRIGGER audit_no_delete;"
                                       "DELETE FROM audit", &error));
  g_assert_no_error (error);
  for (guint i = all->len; i > 0; i--)
    {
      /* The page is newest first. */
      ChAuditRecord *record = g_ptr_array_index (all, i - 1);

      if (record->id == 2)
        {
          g_free (record->detail);
          record->detail = g_strdup ("nothing to see here");
        }
      memcpy (record->prev_hash, prev, sizeof prev);
      ch_audit_compute_hash (record, record->hash);
      memcpy (prev, record->hash, sizeof prev);
      g_assert_true (ch_db_audit_insert (store, record, &error));
      g_assert_no_error (error);
      if (i == 1)
        {
          sodium_bin2hex (hex, sizeof hex, record->hash, CH_AUDIT_HASH_BYTES);
          g_snprintf (head, sizeof head, "%" G_GINT64_FORMAT ":%s", record->id, hex);
        }
    }
  g_assert_true (ch_db_setting_set (store, "audit.head", head, &error));
  g_assert_no_error (error);

  /* The chain alone cannot tell; the backup's head can. */
  g_assert_true (ch_audit_verify (store, &n, &error));
  g_assert_no_error (error);
  g_assert_false (ch_audit_check_anchor (store, info->audit_head, "the backup", &error));
  g_assert_error (error, CH_AUDIT_ERROR, CH_AUDIT_ERROR_BROKEN);
  g_assert_nonnull (strstr (error->message, "rewritten"));
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
  ADD ("/backup/config-saved", test_config_saved);
  ADD ("/backup/status-overdue", test_status_overdue);
  ADD ("/backup/service-session", test_service_session);
  ADD ("/backup/service-no-slot", test_service_no_slot);
  ADD ("/backup/audit-anchor", test_audit_anchor);
  g_test_add_func ("/backup/retention-decide", test_retention_decide);
  g_test_add_func ("/backup/config-validate", test_config_validate);
  g_test_add_func ("/backup/next-run", test_next_run);

#undef ADD

  return g_test_run ();
}
