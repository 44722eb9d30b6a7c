/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-documents"

#include "config.h"

#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ch-audit.h"
#include "ch-documents.h"
#include "ch-patients.h"
#include "ch-store-private.h"
#include "ch-test-util.h"
#include "ch-users.h"

/* The document store through its controller: byte-identical round trips of
 * sizes around the chunk, blobs that hide content and name, one blob for
 * identical files, entered in error, permissions, the audit trail, imports
 * killed midway, and missing or damaged blobs reported by name while the
 * rest of the chart still opens. */

#define CHUNK CH_DOCUMENTS_CHUNK_SIZE
#define CHILD_ARG "--child-import"

/* This test program, run again as the child that gets killed. */
static char *self_path;

typedef struct
{
  char       *dir;
  ChPractice *practice;
  ChSession  *admin;
  ChSession  *doctor;
  ChSession  *nurse;
  ChSession  *desk;
  ChSession  *manager;
  gint64      ana;
  gint64      ben;
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
  f->ana = register_patient (f->desk, "Ana", "García");
  f->ben = register_patient (f->desk, "Ben", "Okafor");
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

static GBytes *
random_bytes (gsize len)
{
  guint8 *data = g_malloc (len + 1);

  randombytes_buf (data, len);
  return g_bytes_new_take (data, len);
}

static GBytes *
text_bytes (gsize len)
{
  static const char phrase[] = "Referral letter for Ana García, seen for chest pain. ";
  GByteArray *array = g_byte_array_sized_new (len);

  while (array->len < len)
    g_byte_array_append (array, (const guint8 *) phrase,
                         MIN (sizeof phrase - 1, len - array->len));
  return g_byte_array_free_to_bytes (array);
}

static gint64
import_bytes (ChSession  *session,
              gint64      patient_id,
              const char *category,
              const char *title,
              GBytes     *bytes)
{
  ChDocumentMeta meta = { .category = category, .title = title, .date = "2026-03-01" };
  g_autoptr (GError) error = NULL;
  gint64 id = 0;

  g_assert_true (ch_documents_import (session, patient_id, &meta, NULL, bytes, &id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static char *
blob_file (Fixture *f,
           gint64   id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChDocument) d = ch_documents_get (f->doctor, id, &error);
  g_autofree char *dir = ch_documents_dir (f->doctor);

  g_assert_no_error (error);
  return g_build_filename (dir, d->blob, NULL);
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

static gint64
count_audit (Fixture    *f,
             const char *action,
             gint64      id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM audit WHERE action = '%s'"
                                          " AND object_type = 'document' AND object_id = '%"
                                          G_GINT64_FORMAT "'", action, id);

  return count_sql (f->admin, sql);
}

/* Files under documents/: blobs (in shards) and temporary files. */
static void
count_files (const char *dir,
             guint      *out_blobs,
             guint      *out_temps)
{
  g_autoptr (GDir) top = g_dir_open (dir, 0, NULL);
  const char *name;

  *out_blobs = *out_temps = 0;
  g_assert_nonnull (top);
  while ((name = g_dir_read_name (top)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_str_has_prefix (name, ".import-"))
        (*out_temps)++;
      else if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_autoptr (GDir) shard = g_dir_open (path, 0, NULL);

          while (g_dir_read_name (shard) != NULL)
            (*out_blobs)++;
        }
    }
}

static void
assert_reads_back (ChSession *session,
                   gint64     id,
                   GBytes    *expected)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) got = ch_documents_read (session, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (got);
  g_assert_true (g_bytes_equal (got, expected));
}

/* ---- tests --------------------------------------------------------------- */

static void
test_round_trip (Fixture      *f,
                 gconstpointer data)
{
  const gsize sizes[] = { 0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 1 };
  g_autofree char *out_dir = ch_test_make_dir ();

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr (GBytes) bytes = random_bytes (sizes[i]);
      g_autofree char *title = g_strdup_printf ("size %zu", sizes[i]);
      g_autofree char *out = g_build_filename (out_dir, title, NULL);
      g_autofree char *exported = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (ChDocument) d = NULL;
      gint64 id = import_bytes (f->doctor, f->ana, "lab-report", title, bytes);
      struct stat st;
      gsize len;

      assert_reads_back (f->doctor, id, bytes);
      d = ch_documents_get (f->doctor, id, &error);
      g_assert_no_error (error);
      g_assert_cmpint (d->size, ==, sizes[i]);
      g_assert_cmpstr (d->category, ==, "lab-report");
      g_assert_cmpstr (d->date, ==, "2026-03-01");
      g_assert_cmpstr (d->status, ==, "current");

      g_assert_true (ch_documents_export (f->doctor, id, out, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (out, &exported, &len, NULL));
      g_assert_cmpmem (exported, len, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      g_assert_cmpint (g_stat (out, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
    }

  /* From a file: the title is its name, the type guessed. */
  {
    g_autofree char *path = g_build_filename (out_dir, "scan.png", NULL);
    static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                  'I', 'H', 'D', 'R' };
    g_autoptr (GBytes) bytes = g_bytes_new_static (png, sizeof png);
    g_autoptr (GError) error = NULL;
    g_autoptr (ChDocument) d = NULL;
    gint64 id = 0;

    g_assert_true (g_file_set_contents (path, (const char *) png, sizeof png, NULL));
    g_assert_true (ch_documents_import (f->doctor, f->ana, NULL, path, NULL, &id, &error));
    g_assert_no_error (error);
    d = ch_documents_get (f->doctor, id, &error);
    g_assert_cmpstr (d->title, ==, "scan.png");
    g_assert_cmpstr (d->content_type, ==, "image/png");
    g_assert_cmpstr (d->category, ==, "other");
    assert_reads_back (f->doctor, id, bytes);
  }

  ch_test_remove_dir (out_dir);
}

static void
test_blob_hides_content (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr (GBytes) text = text_bytes (3 * CHUNK + 1);
  g_autoptr (GBytes) noise = random_bytes (2 * CHUNK);
  gint64 text_id = import_bytes (f->doctor, f->ana, "referral", "Referral", text);
  gint64 noise_id = import_bytes (f->doctor, f->ana, "imaging", "Noise", noise);
  g_autoptr (ChDocument) d = ch_documents_get (f->doctor, text_id, NULL);
  g_autofree char *path = blob_file (f, text_id);
  g_autofree char *noise_path = blob_file (f, noise_id);
  g_autofree char *blob = NULL;
  g_autofree char *noise_blob = NULL;
  g_autofree char *sha256 = NULL;
  guint8 digest[32];
  char blake[65];
  gsize len, noise_len;
  const guint8 *plain;

  g_assert_true (g_file_get_contents (path, &blob, &len, NULL));
  g_assert_cmpint (len, >, 3 * CHUNK);
  g_assert_null (memmem (blob, len, "Referral letter", 15));
  g_assert_null (memmem (blob, len, "García", strlen ("García")));

  /* Random content: no 32-byte window of it on disk. */
  g_assert_true (g_file_get_contents (noise_path, &noise_blob, &noise_len, NULL));
  plain = g_bytes_get_data (noise, NULL);
  for (gsize at = 0; at + 32 <= 2 * CHUNK; at += 997)
    g_assert_null (memmem (noise_blob, noise_len, plain + at, 32));

  /* The name is keyed: not the plain SHA-256 nor the plain BLAKE2b. */
  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, text);
  crypto_generichash (digest, sizeof digest, g_bytes_get_data (text, NULL), g_bytes_get_size (text),
                      NULL, 0);
  sodium_bin2hex (blake, sizeof blake, digest, sizeof digest);
  g_assert_null (strstr (d->blob, sha256));
  g_assert_null (strstr (d->blob, blake));
  g_assert_cmpstr (d->content_hash, !=, sha256);
  g_assert_cmpstr (d->content_hash, !=, blake);
  g_assert_cmpint (strlen (d->blob), ==, 67);
  g_assert_true (g_str_has_prefix (d->blob + 3, d->content_hash));
}

static void
test_identical_files_share_a_blob (Fixture      *f,
                                   gconstpointer data)
{
  g_autoptr (GBytes) bytes = random_bytes (CHUNK + 5);
  g_autofree char *docs = ch_documents_dir (f->doctor);
  gint64 a = import_bytes (f->doctor, f->ana, "referral", "First", bytes);
  gint64 b = import_bytes (f->nurse, f->ben, "correspondence", "Second", bytes);
  g_autoptr (ChDocument) da = ch_documents_get (f->doctor, a, NULL);
  g_autoptr (ChDocument) db = ch_documents_get (f->doctor, b, NULL);
  guint blobs, temps;

  g_assert_cmpint (a, !=, b);
  g_assert_cmpstr (da->blob, ==, db->blob);
  count_files (docs, &blobs, &temps);
  g_assert_cmpuint (blobs, ==, 1);
  g_assert_cmpuint (temps, ==, 0);
  assert_reads_back (f->doctor, a, bytes);
  assert_reads_back (f->doctor, b, bytes);

  /* Another practice, another master key: another name for the same file. */
  {
    g_autofree char *dir2 = ch_test_make_dir ();
    g_autoptr (ChPractice) practice2 = ch_test_make_practice (dir2, NULL);
    g_autoptr (ChSession) admin2 = ch_test_login (practice2, "admin", CH_TEST_PASSWORD);
    g_autoptr (ChSession) doc2 = NULL;
    g_autoptr (ChDocument) d2 = NULL;
    g_autoptr (GError) error = NULL;
    gint64 p2, id2;

    g_assert_true (ch_users_add (admin2, "doc", NULL, CH_ROLE_PHYSICIAN, CH_TEST_PASSWORD, &error));
    doc2 = ch_test_login (practice2, "doc", CH_TEST_PASSWORD);
    p2 = register_patient (doc2, "Ana", "García");
    id2 = import_bytes (doc2, p2, "referral", "First", bytes);
    d2 = ch_documents_get (doc2, id2, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (d2->blob, !=, da->blob);
    g_assert_cmpstr (d2->content_hash, !=, da->content_hash);
    assert_reads_back (doc2, id2, bytes);
    g_clear_object (&doc2);
    g_clear_object (&admin2);
    g_clear_object (&practice2);
    ch_test_remove_dir (dir2);
  }
}

static void
test_entered_in_error (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr (GBytes) bytes = random_bytes (100);
  gint64 keep = import_bytes (f->doctor, f->ana, "referral", "Keep", bytes);
  gint64 wrong = import_bytes (f->doctor, f->ana, "lab-report", "Wrong patient", bytes);
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (ChDocument) d = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_false (ch_documents_mark_entered_in_error (f->doctor, wrong, "  ", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ch_documents_mark_entered_in_error (f->desk, wrong, "filed wrongly", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  g_assert_true (ch_documents_mark_entered_in_error (f->doctor, wrong, "Belongs to Ben", &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_audit (f, CH_AUDIT_UPDATE, wrong), ==, 1);

  list = ch_documents_list (f->doctor, f->ana, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (((ChDocument *) list->pdata[0])->id, ==, keep);
  all = ch_documents_list (f->doctor, f->ana, TRUE, &error);
  g_assert_cmpuint (all->len, ==, 2);

  d = ch_documents_get (f->doctor, wrong, &error);
  g_assert_cmpstr (d->status, ==, "entered-in-error");
  g_assert_cmpstr (d->status_reason, ==, "Belongs to Ben");
  assert_reads_back (f->doctor, wrong, bytes);

  g_assert_false (ch_documents_mark_entered_in_error (f->doctor, wrong, "again", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  /* Metadata changes, with the version checked. */
  {
    g_autoptr (ChDocument) k = ch_documents_get (f->doctor, keep, &error);
    g_autoptr (ChDocument) stale = ch_document_copy (k);

    g_free (k->title);
    k->title = g_strdup ("Cardiology referral");
    g_free (k->tags);
    k->tags = g_strdup ("cardiology");
    g_assert_true (ch_documents_update_meta (f->doctor, k, &error));
    g_assert_no_error (error);
    g_assert_cmpint (k->version, ==, 2);
    g_free (stale->title);
    stale->title = g_strdup ("Other");
    g_assert_false (ch_documents_update_meta (f->doctor, stale, &error));
    g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT);
    g_clear_error (&error);
    g_free (k->category);
    k->category = g_strdup ("letters");
    g_assert_false (ch_documents_update_meta (f->doctor, k, &error));
    g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_cmpint (count_audit (f, CH_AUDIT_UPDATE, keep), ==, 1);
  }
}

static void
test_permissions (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (GBytes) bytes = random_bytes (10);
  ChDocumentMeta clinical = { .category = "referral" };
  ChDocumentMeta card = { .category = "id-card", .title = "Insurance card" };
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;
  gint64 referral, id_card = 0;
  ChSession *refused[] = { f->desk, f->admin, f->manager };

  referral = import_bytes (f->nurse, f->ana, "referral", "Referral", bytes);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr (GBytes) got = NULL;

      g_assert_false (ch_documents_import (refused[i], f->ana, &clinical, NULL, bytes, NULL, &error));
      g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
      g_clear_error (&error);
      got = ch_documents_read (refused[i], referral, &error);
      g_assert_null (got);
      g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
      g_clear_error (&error);
      g_assert_false (ch_documents_export (refused[i], referral, "/nonexistent/x", &error));
      g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
      g_clear_error (&error);
    }

  /* The front desk keeps ID and insurance cards (demographics). */
  g_assert_true (ch_documents_import (f->desk, f->ana, &card, NULL, bytes, &id_card, &error));
  g_assert_no_error (error);
  assert_reads_back (f->desk, id_card, bytes);
  list = ch_documents_list (f->desk, f->ana, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (((ChDocument *) list->pdata[0])->id, ==, id_card);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* The manager reads demographics but changes none; the administrator
   * sees no chart at all. */
  g_assert_false (ch_documents_import (f->manager, f->ana, &card, NULL, bytes, NULL, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  list = ch_documents_list (f->admin, f->ana, FALSE, &error);
  g_assert_null (list);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* Clinical users see both. */
  list = ch_documents_list (f->doctor, f->ana, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);

  /* Bad input. */
  {
    ChDocumentMeta bad_category = { .category = "letters" };
    ChDocumentMeta bad_date = { .date = "01/02/2026" };

    g_assert_false (ch_documents_import (f->doctor, f->ana, &bad_category, NULL, bytes, NULL, &error));
    g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_false (ch_documents_import (f->doctor, f->ana, &bad_date, NULL, bytes, NULL, &error));
    g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_false (ch_documents_import (f->doctor, 999999, NULL, NULL, bytes, NULL, &error));
    g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
    g_assert_false (ch_documents_import (f->doctor, f->ana, NULL, "/nonexistent/file.pdf", NULL,
                                         NULL, &error));
    g_assert_error (error, CH_DOCUMENTS_ERROR, CH_DOCUMENTS_ERROR_IO);
    g_assert_nonnull (strstr (error->message, "file.pdf"));
    g_clear_error (&error);
  }
}

static void
test_size_cap (Fixture      *f,
               gconstpointer data)
{
  g_autofree char *dir = ch_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "huge.bin", NULL);
  g_autoptr (GError) error = NULL;
  int fd = open (path, O_WRONLY | O_CREAT, 0600);

  /* Sparse: nothing is written. */
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, CH_DOCUMENTS_MAX_SIZE + 1), ==, 0);
  close (fd);
  g_assert_false (ch_documents_import (f->doctor, f->ana, NULL, path, NULL, NULL, &error));
  g_assert_error (error, CH_DOCUMENTS_ERROR, CH_DOCUMENTS_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "huge.bin"));
  ch_test_remove_dir (dir);
}

static void
test_audit (Fixture      *f,
            gconstpointer data)
{
  g_autoptr (GBytes) bytes = random_bytes (1000);
  g_autofree char *dir = ch_test_make_dir ();
  g_autofree char *out = g_build_filename (dir, "out.bin", NULL);
  g_autoptr (GBytes) got = NULL;
  g_autoptr (GError) error = NULL;
  gint64 id = import_bytes (f->doctor, f->ana, "consent", "Consent", bytes);

  g_assert_cmpint (count_audit (f, CH_AUDIT_CREATE, id), ==, 1);
  g_assert_cmpint (count_audit (f, CH_AUDIT_VIEW, id), ==, 0);
  got = ch_documents_read (f->doctor, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_audit (f, CH_AUDIT_VIEW, id), ==, 1);
  g_assert_true (ch_documents_export (f->doctor, id, out, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_audit (f, CH_AUDIT_EXPORT, id), ==, 1);
  /* Refused: nothing happened, nothing exported. */
  g_assert_null (ch_documents_read (f->desk, id, &error));
  g_clear_error (&error);
  g_assert_cmpint (count_audit (f, CH_AUDIT_VIEW, id), ==, 1);
  g_assert_true (ch_audit_verify (ch_session_get_store (f->admin), NULL, &error));
  g_assert_no_error (error);
  ch_test_remove_dir (dir);
}

static void
test_missing_and_damaged (Fixture      *f,
                          gconstpointer data)
{
  g_autoptr (GBytes) good = random_bytes (CHUNK + 10);
  g_autoptr (GBytes) flip = random_bytes (3 * CHUNK + 1);
  g_autoptr (GBytes) cut = random_bytes (3 * CHUNK + 1);
  g_autoptr (GBytes) cut2 = random_bytes (2 * CHUNK + 7);
  g_autoptr (GBytes) gone = random_bytes (50);
  gint64 good_id = import_bytes (f->doctor, f->ana, "referral", "Good letter", good);
  gint64 flip_id = import_bytes (f->doctor, f->ana, "lab-report", "Flipped labs", flip);
  gint64 cut_id = import_bytes (f->doctor, f->ana, "imaging", "Cut scan", cut);
  gint64 cut2_id = import_bytes (f->doctor, f->ana, "imaging", "Cut at a chunk", cut2);
  gint64 gone_id = import_bytes (f->doctor, f->ana, "consent", "Lost consent", gone);
  g_autofree char *flip_path = blob_file (f, flip_id);
  g_autofree char *cut_path = blob_file (f, cut_id);
  g_autofree char *cut2_path = blob_file (f, cut2_id);
  g_autofree char *gone_path = blob_file (f, gone_id);
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;
  const struct { gint64 id; const char *title; int code; } cases[] = {
    { flip_id, "Flipped labs", CH_DOCUMENTS_ERROR_DAMAGED },
    { cut_id, "Cut scan", CH_DOCUMENTS_ERROR_DAMAGED },
    { cut2_id, "Cut at a chunk", CH_DOCUMENTS_ERROR_DAMAGED },
    { gone_id, "Lost consent", CH_DOCUMENTS_ERROR_MISSING },
  };

  /* One byte flipped in the middle; one blob cut in half; one cut just
   * after a whole message (what a lost last message looks like); one gone. */
  {
    int fd = open (flip_path, O_RDWR);
    guint8 byte;
    struct stat st;

    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (fstat (fd, &st), ==, 0);
    g_assert_cmpint (pread (fd, &byte, 1, st.st_size / 2), ==, 1);
    byte ^= 0x01;
    g_assert_cmpint (pwrite (fd, &byte, 1, st.st_size / 2), ==, 1);
    close (fd);
    g_assert_cmpint (truncate (cut_path, 24 + CHUNK), ==, 0);
    g_assert_cmpint (truncate (cut2_path,
                               crypto_secretstream_xchacha20poly1305_HEADERBYTES
                               + 2 * (CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES)), ==, 0);
    g_assert_cmpint (g_unlink (gone_path), ==, 0);
  }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, cases[i].id);
      g_autofree char *dir = ch_test_make_dir ();
      g_autofree char *out = g_build_filename (dir, "out", NULL);
      g_autoptr (GBytes) got = ch_documents_read (f->doctor, cases[i].id, &error);

      g_assert_null (got);
      g_assert_error (error, CH_DOCUMENTS_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].title));
      g_assert_nonnull (strstr (error->message, id_text));
      g_clear_error (&error);

      /* Nothing half-exported either. */
      g_assert_false (ch_documents_export (f->doctor, cases[i].id, out, &error));
      g_assert_error (error, CH_DOCUMENTS_ERROR, cases[i].code);
      g_clear_error (&error);
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
      ch_test_remove_dir (dir);
    }

  /* The rest of the chart opens. */
  list = ch_documents_list (f->doctor, f->ana, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 5);
  assert_reads_back (f->doctor, good_id, good);

  /* Importing the lost file again restores its blob. */
  import_bytes (f->doctor, f->ben, "consent", "Consent again", gone);
  assert_reads_back (f->doctor, gone_id, gone);
}

/* Rotating the master key leaves every document readable (its key lives
 * in the re-encrypted database); a document filed afterwards is under the
 * new generation's key, and an identical file is still stored once. */
static void
test_rekey_keeps_documents (Fixture      *f,
                            gconstpointer data)
{
  g_autoptr (GBytes) before = random_bytes (300 * 1024);
  g_autoptr (GBytes) after = random_bytes (1000);
  g_autoptr (GError) error = NULL;
  g_autoptr (ChDocument) first = NULL;
  g_autoptr (ChDocument) again = NULL;
  gint64 before_id = import_bytes (f->doctor, f->ana, "referral", "Letter", before);
  gint64 after_id, again_id;

  g_clear_object (&f->doctor);
  g_clear_object (&f->nurse);
  g_clear_object (&f->desk);
  g_clear_object (&f->manager);
  g_assert_true (ch_session_rekey (f->admin, &error));
  g_assert_no_error (error);

  f->doctor = ch_test_login (f->practice, "doc", CH_TEST_PASSWORD);
  assert_reads_back (f->doctor, before_id, before);
  after_id = import_bytes (f->doctor, f->ana, "lab-report", "After", after);
  assert_reads_back (f->doctor, after_id, after);

  /* Twice more: three generations, each document still read. */
  g_clear_object (&f->doctor);
  g_assert_true (ch_session_rekey (f->admin, &error));
  g_assert_no_error (error);
  f->doctor = ch_test_login (f->practice, "doc", CH_TEST_PASSWORD);
  assert_reads_back (f->doctor, before_id, before);
  assert_reads_back (f->doctor, after_id, after);

  again_id = import_bytes (f->doctor, f->ben, "referral", "Same letter", before);
  first = ch_documents_get (f->doctor, before_id, &error);
  again = ch_documents_get (f->doctor, again_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first->blob, ==, again->blob);
  assert_reads_back (f->doctor, again_id, before);
}

/* The child: logs in and imports FILE for the first patient, until killed. */
static int
child_import (const char *practice_dir,
              const char *file)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChPractice) practice = ch_practice_open (practice_dir, &error);
  g_autoptr (ChSession) session = NULL;
  ChDocumentMeta meta = { .category = "imaging", .title = "Big scan" };

  if (practice == NULL)
    return 3;
  session = ch_session_login (practice, "doc", CH_TEST_PASSWORD, &error);
  if (session == NULL)
    return 4;
  if (!ch_documents_import (session, 1, &meta, file, NULL, NULL, &error))
    return 5;
  return 0;
}

static gboolean
temp_file_growing (const char *docs)
{
  g_autoptr (GDir) dir = g_dir_open (docs, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, ".import-"))
      {
        g_autofree char *path = g_build_filename (docs, name, NULL);
        struct stat st;

        /* A few megabytes in: well inside the write. */
        if (g_stat (path, &st) == 0 && st.st_size > 4 * 1024 * 1024)
          return TRUE;
      }
  return FALSE;
}

static void
test_interrupted_import (Fixture      *f,
                         gconstpointer data)
{
  g_autofree char *src_dir = ch_test_make_dir ();
  g_autofree char *file = g_build_filename (src_dir, "big.bin", NULL);
  g_autofree char *docs = ch_documents_dir (f->doctor);
  g_autoptr (GBytes) big = random_bytes (64 * 1024 * 1024);
  g_autoptr (GBytes) small = random_bytes (100);
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;
  guint killed = 0, blobs, temps;

  g_assert_cmpint (f->ana, ==, 1);
  g_assert_true (g_file_set_contents (file, g_bytes_get_data (big, NULL), g_bytes_get_size (big),
                                      NULL));

  for (guint round = 0; round < 4; round++)
    {
      const char *argv[] = { self_path, CHILD_ARG, f->dir, file, NULL };
      GPid pid;
      int status;
      gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
      gboolean spawned;

      spawned = g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                               &pid, &error);
      g_assert_no_error (error);
      g_assert_true (spawned);
      while (!temp_file_growing (docs) && g_get_monotonic_time () < deadline
             && waitpid (pid, &status, WNOHANG) == 0)
        g_usleep (200);
      kill (pid, SIGKILL);
      waitpid (pid, &status, 0);
      if (WIFSIGNALED (status))
        killed++;

      /* Whatever the child got to: no row without its whole blob. */
      list = ch_documents_list (f->doctor, f->ana, TRUE, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < list->len; i++)
        assert_reads_back (f->doctor, ((ChDocument *) list->pdata[i])->id, big);
      g_clear_pointer (&list, g_ptr_array_unref);
    }
  g_assert_cmpuint (killed, >, 0);

  /* What the killed imports left is swept by the next import. */
  count_files (docs, &blobs, &temps);
  g_assert_cmpuint (temps, >, 0);
  import_bytes (f->doctor, f->ben, "other", "Small", small);
  count_files (docs, &blobs, &temps);
  g_assert_cmpuint (temps, ==, 0);

  ch_test_remove_dir (src_dir);
}

int
main (int    argc,
      char **argv)
{
  if (argc == 4 && g_str_equal (argv[1], CHILD_ARG))
    {
      if (sodium_init () < 0)
        return 2;
      return child_import (argv[2], argv[3]);
    }

  /* By its path, not /proc/self/exe: a rebuild meanwhile replaces the file. */
  self_path = g_canonicalize_filename (argv[0], NULL);
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add ("/documents/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("round-trip", test_round_trip);
  ADD ("blob-hides-content", test_blob_hides_content);
  ADD ("identical-files", test_identical_files_share_a_blob);
  ADD ("entered-in-error", test_entered_in_error);
  ADD ("permissions", test_permissions);
  ADD ("size-cap", test_size_cap);
  ADD ("audit", test_audit);
  ADD ("missing-and-damaged", test_missing_and_damaged);
  ADD ("interrupted-import", test_interrupted_import);
  ADD ("rekey-keeps-documents", test_rekey_keeps_documents);

  return g_test_run ();
}
