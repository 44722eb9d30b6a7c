/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-store"

#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "ch-records.h"
#include "ch-store-private.h"
#include "ch-test-util.h"

typedef struct
{
  char   *dir;
  char   *path;
  guint8  key[CH_STORE_KEY_BYTES];
} Fixture;

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  f->dir = ch_test_make_dir ();
  f->path = g_build_filename (f->dir, "charta.db", NULL);
  randombytes_buf (f->key, sizeof f->key);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  ch_test_remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static ChStore *
open_store (Fixture     *f,
            ChStoreFlags flags)
{
  g_autoptr (GError) error = NULL;
  ChStore *store = ch_store_open (f->path, f->key, flags, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static void
insert_patient (ChStore    *store,
                const char *given,
                const char *family)
{
  g_autoptr (GError) error = NULL;
  ChPatientRecord record = { 0 };

  record.given_name = (char *) given;
  record.family_name = (char *) family;
  record.birth_date = (char *) "1970-01-31";
  record.sex = (char *) "female";
  g_assert_true (ch_store_begin (store, &error));
  g_assert_true (ch_db_patient_insert (store, &record, &error));
  g_assert_no_error (error);
  g_assert_true (ch_store_commit (store, &error));
  g_free (record.mrn);
}

static void
test_create_reopen (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (ChStore) store = open_store (f, CH_STORE_FLAGS_CREATE);
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (ch_store_get_schema_version (store), ==, ch_store_get_latest_schema_version ());
  g_assert_cmpint (ch_store_get_latest_schema_version (), >=, 2);
  insert_patient (store, "Zoë", "Ñúñez");
  g_clear_object (&store);

  store = open_store (f, CH_STORE_FLAGS_NONE);
  g_assert_cmpint (ch_db_patient_count (store, &error), ==, 1);

  /* Found case- and accent-insensitively by the folded name key. */
  found = ch_db_patient_find_name (store, "NUNEZ z", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (((ChPatientRecord *) found->pdata[0])->given_name, ==, "Zoë");
}

static void
test_wrong_key (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (ChStore) store = open_store (f, CH_STORE_FLAGS_CREATE);
  g_autoptr (GError) error = NULL;
  g_autofree char *text_file = g_build_filename (f->dir, "notes.txt", NULL);
  guint8 other[CH_STORE_KEY_BYTES];
  ChStore *bad;

  g_clear_object (&store);

  memcpy (other, f->key, sizeof other);
  other[0] ^= 1;
  bad = ch_store_open (f->path, other, CH_STORE_FLAGS_NONE, &error);
  g_assert_null (bad);
  g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_WRONG_KEY);
  g_assert_cmpstr (error->message, ==, "Wrong password or not a Charta practice");
  g_clear_error (&error);

  /* Something else entirely is refused the same way, not opened half-way. */
  g_assert_true (g_file_set_contents (text_file, "hello, this is not a database\n", -1, NULL));
  bad = ch_store_open (text_file, f->key, CH_STORE_FLAGS_NONE, &error);
  g_assert_null (bad);
  g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_WRONG_KEY);
  g_clear_error (&error);

  /* A missing file is not created unless asked. */
  g_unlink (text_file);
  bad = ch_store_open (text_file, f->key, CH_STORE_FLAGS_NONE, &error);
  g_assert_null (bad);
  g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (text_file, G_FILE_TEST_EXISTS));
}

static void
test_encrypted_pages (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (ChStore) store = open_store (f, CH_STORE_FLAGS_CREATE);
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  for (int i = 0; i < 50; i++)
    insert_patient (store, "Bartholomew", "Quetzalcoatl");
  g_assert_true (ch_store_checkpoint (store, &error));
  g_clear_object (&store);

  g_assert_true (g_file_get_contents (f->path, &contents, &len, &error));
  /* 4096-byte cipher pages, and no plaintext header or text. */
  g_assert_cmpuint (len % 4096, ==, 0);
  g_assert_cmpuint (len, >=, 4096);
  g_assert_false (memcmp (contents, "SQLite format 3", 15) == 0);
  g_assert_null (memmem (contents, len, "Quetzalcoatl", 12));
  g_assert_null (memmem (contents, len, "CREATE TABLE", 12));
}

static char *
schema_script (int n)
{
  const char *names[] = { NULL, "0001-init.sql", "0002-patient-name-key.sql" };
  g_autofree char *path = g_strconcat ("/org/charta/Charta/db/schema/", names[n], NULL);
  g_autoptr (GBytes) bytes = ch_test_read_resource (path);

  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* A practice made by schema version 1, with patients in it. */
static void
make_v1 (Fixture *f)
{
  g_autoptr (ChStore) store = open_store (f, CH_STORE_FLAGS_CREATE | CH_STORE_FLAGS_NO_MIGRATE);
  g_autoptr (GError) error = NULL;
  g_autofree char *v1 = schema_script (1);
  const char *scripts[] = { v1 };

  g_assert_cmpint (ch_store_get_schema_version (store), ==, 0);
  g_assert_true (ch_store_migrate_scripts (store, scripts, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ch_store_get_schema_version (store), ==, 1);

  g_assert_true (ch_store_exec (store,
                                "INSERT INTO patients (mrn, given_name, family_name, birth_date, sex,"
                                " created_at, updated_at) VALUES"
                                " ('00000018', 'Jürgen', 'Müller', '1950-02-03', 'male', 1, 1),"
                                " ('00000026', 'Siobhán', 'Ó Súilleabháin', '1988-12-24', 'female', 1, 1)",
                                &error));
  g_assert_no_error (error);
}

static void
test_upgrade_from_v1 (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (ChStore) store = NULL;
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GError) error = NULL;

  make_v1 (f);

  /* Opening migrates in place and keeps the data. */
  store = open_store (f, CH_STORE_FLAGS_NONE);
  g_assert_cmpint (ch_store_get_schema_version (store), ==, ch_store_get_latest_schema_version ());
  g_assert_cmpint (ch_db_patient_count (store, &error), ==, 2);

  found = ch_db_patient_find_name (store, "muller", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (((ChPatientRecord *) found->pdata[0])->mrn, ==, "00000018");
  g_clear_pointer (&found, g_ptr_array_unref);

  found = ch_db_patient_find_name (store, "o suil", 10, &error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (((ChPatientRecord *) found->pdata[0])->given_name, ==, "Siobhán");
  g_clear_pointer (&found, g_ptr_array_unref);

  /* Patients from before the search index get their tokens once. */
  g_assert_true (ch_db_patient_search_ensure_index (store, &error));
  g_assert_no_error (error);
  {
    g_autoptr (ChSearchCursor) cursor = ch_search_cursor_new ("suill 24.12.1988");
    gboolean more = FALSE;

    found = ch_db_patient_search (store, cursor, 10, &more, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (found->len, ==, 1);
    g_assert_cmpstr (((ChPatientHit *) found->pdata[0])->mrn, ==, "00000026");
  }
}

static void
test_failed_upgrade_leaves_practice (Fixture      *f,
                                     gconstpointer data)
{
  g_autoptr (ChStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *v1 = schema_script (1);
  g_autofree char *v2 = schema_script (2);
  const char *scripts[] = { v1, v2, "CREATE TABLE broken (id INTEGER PRIMARY KEY,, oops);" };
  sqlite3_stmt *stmt;

  make_v1 (f);

  store = open_store (f, CH_STORE_FLAGS_NO_MIGRATE);
  g_assert_false (ch_store_migrate_scripts (store, scripts, 3, &error));
  g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_SCHEMA);
  g_assert_nonnull (strstr (error->message, "left as it was"));
  g_clear_error (&error);

  /* Still version 1: script 2 rolled back with script 3, data untouched. */
  g_assert_cmpint (ch_store_get_schema_version (store), ==, 1);
  stmt = ch_store_prepare (store, "SELECT count(*) FROM patients", &error);
  g_assert_no_error (error);
  g_assert_cmpint (ch_store_step (store, stmt, &error), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 2);
  sqlite3_reset (stmt);
  stmt = ch_store_prepare (store, "SELECT count(*) FROM pragma_table_info('patients')"
                                  " WHERE name = 'name_key'", &error);
  if (stmt == NULL)
    {
      /* SQLite 3.15 has no table-valued pragma functions: ask directly. */
      g_clear_error (&error);
      g_assert_false (ch_store_exec (store, "SELECT name_key FROM patients", &error));
      g_assert_nonnull (strstr (error->message, "name_key"));
      g_clear_error (&error);
    }
  else
    {
      g_assert_cmpint (ch_store_step (store, stmt, &error), ==, SQLITE_ROW);
      g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
      sqlite3_reset (stmt);
    }
  g_clear_object (&store);

  /* And the real upgrade still works afterwards. */
  store = open_store (f, CH_STORE_FLAGS_NONE);
  g_assert_cmpint (ch_store_get_schema_version (store), ==, ch_store_get_latest_schema_version ());
}

static void
test_newer_schema_refused (Fixture      *f,
                           gconstpointer data)
{
  g_autoptr (ChStore) store = open_store (f, CH_STORE_FLAGS_CREATE);
  g_autoptr (GError) error = NULL;
  ChStore *again;

  g_assert_true (ch_store_exec (store, "PRAGMA user_version = 999", &error));
  g_clear_object (&store);

  again = ch_store_open (f->path, f->key, CH_STORE_FLAGS_NONE, &error);
  g_assert_null (again);
  g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_SCHEMA);
  g_assert_nonnull (strstr (error->message, "newer Charta"));
}

static void
test_transactions (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (ChStore) store = open_store (f, CH_STORE_FLAGS_CREATE);
  g_autoptr (GError) error = NULL;
  g_autofree char *value = NULL;

  g_assert_true (ch_store_begin (store, &error));
  g_assert_true (ch_db_setting_set (store, "outer", "1", &error));
  g_assert_true (ch_store_begin (store, &error));
  g_assert_true (ch_db_setting_set (store, "inner", "1", &error));
  ch_store_rollback (store);  /* only the inner savepoint */
  g_assert_true (ch_store_in_transaction (store));
  g_assert_true (ch_store_commit (store, &error));
  g_assert_false (ch_store_in_transaction (store));

  value = ch_db_setting_get (store, "outer", &error);
  g_assert_cmpstr (value, ==, "1");
  g_clear_pointer (&value, g_free);
  value = ch_db_setting_get (store, "inner", &error);
  g_assert_null (value);
  g_assert_no_error (error);

  g_assert_true (ch_store_begin (store, &error));
  g_assert_true (ch_db_setting_set (store, "gone", "1", &error));
  ch_store_rollback (store);
  value = ch_db_setting_get (store, "gone", &error);
  g_assert_null (value);
}

/* A batch: nested transactions are not savepoints; all of it is committed
 * together, and a nested one rolled back spoils the batch, whose commit then
 * fails with nothing kept. */
static void
test_batch_transactions (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr (ChStore) store = open_store (f, CH_STORE_FLAGS_CREATE);
  g_autoptr (GError) error = NULL;
  g_autofree char *value = NULL;

  g_assert_true (ch_store_begin_batch (store, &error));
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *key = g_strdup_printf ("batch%d", i);

      g_assert_true (ch_store_begin (store, &error));
      g_assert_true (ch_db_setting_set (store, key, "1", &error));
      g_assert_true (ch_store_commit (store, &error));
    }
  g_assert_false (ch_store_batch_spoiled (store));
  g_assert_true (ch_store_commit (store, &error));
  g_assert_false (ch_store_in_transaction (store));
  value = ch_db_setting_get (store, "batch2", &error);
  g_assert_cmpstr (value, ==, "1");
  g_clear_pointer (&value, g_free);

  g_assert_true (ch_store_begin_batch (store, &error));
  g_assert_true (ch_store_begin (store, &error));
  g_assert_true (ch_db_setting_set (store, "kept-if-whole", "1", &error));
  g_assert_true (ch_store_commit (store, &error));
  g_assert_true (ch_store_begin (store, &error));
  g_assert_true (ch_db_setting_set (store, "failed", "1", &error));
  ch_store_rollback (store);
  g_assert_true (ch_store_batch_spoiled (store));
  g_assert_true (ch_store_in_transaction (store));
  g_assert_false (ch_store_commit (store, &error));
  g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (ch_store_in_transaction (store));
  value = ch_db_setting_get (store, "kept-if-whole", &error);
  g_assert_null (value);
  g_assert_no_error (error);

  /* Not inside another transaction; and ordinary ones nest as before. */
  g_assert_true (ch_store_begin (store, &error));
  g_assert_false (ch_store_begin_batch (store, &error));
  g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_true (ch_store_commit (store, &error));
  g_assert_false (ch_store_batch_spoiled (store));
}

static void
test_disk_full (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (ChStore) store = open_store (f, CH_STORE_FLAGS_CREATE);
  g_autoptr (GError) error = NULL;
  g_autofree char *big = NULL;
  g_autofree char *value = NULL;
  gboolean ok = TRUE;

  g_assert_true (ch_db_setting_set (store, "kept", "yes", &error));

  /* A page limit stands in for a full disk: SQLite answers SQLITE_FULL. */
  g_assert_true (ch_store_exec (store, "PRAGMA max_page_count = 40", &error));
  big = g_strnfill (3000, 'x');

  g_assert_true (ch_store_begin (store, &error));
  for (int i = 0; i < 200 && ok; i++)
    {
      g_autofree char *key = g_strdup_printf ("filler-%d", i);
      ok = ch_db_setting_set (store, key, big, &error);
    }
  g_assert_false (ok);
  g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_FULL);
  g_assert_nonnull (strstr (error->message, "disk is full"));
  ch_store_rollback (store);
  g_clear_error (&error);

  value = ch_db_setting_get (store, "kept", &error);
  g_assert_cmpstr (value, ==, "yes");
  g_clear_pointer (&value, g_free);
  value = ch_db_setting_get (store, "filler-0", &error);
  g_assert_null (value);
  g_assert_true (ch_store_integrity_check (store, &error));
  g_assert_no_error (error);
}

static void
test_rekey (Fixture      *f,
            gconstpointer data)
{
  g_autoptr (ChStore) store = open_store (f, CH_STORE_FLAGS_CREATE);
  g_autoptr (GError) error = NULL;
  guint8 new_key[CH_STORE_KEY_BYTES];
  ChStore *old;

  insert_patient (store, "Ingrid", "Jensen");
  randombytes_buf (new_key, sizeof new_key);
  g_assert_true (ch_store_rekey (store, new_key, &error));
  g_assert_no_error (error);
  insert_patient (store, "Søren", "Nielsen");
  g_clear_object (&store);

  old = ch_store_open (f->path, f->key, CH_STORE_FLAGS_NONE, &error);
  g_assert_null (old);
  g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_WRONG_KEY);
  g_clear_error (&error);

  memcpy (f->key, new_key, sizeof new_key);
  store = open_store (f, CH_STORE_FLAGS_NONE);
  g_assert_cmpint (ch_db_patient_count (store, &error), ==, 2);
  g_assert_true (ch_store_integrity_check (store, &error));
}

static void
test_reader (Fixture      *f,
             gconstpointer data)
{
  g_autoptr (ChStore) store = open_store (f, CH_STORE_FLAGS_CREATE);
  g_autoptr (ChStore) reader = NULL;
  g_autoptr (GError) error = NULL;

  insert_patient (store, "Wei", "Chen");
  reader = ch_store_open_reader (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ch_db_patient_count (reader, &error), ==, 1);

  /* A reader cannot write. */
  g_assert_false (ch_db_setting_set (reader, "x", "y", &error));
  g_assert_nonnull (error);
}

static void
test_fold (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "Ángela  MÜLLER", "angela muller" },
    { "Łukasz Wiśniewski", "lukasz wisniewski" },
    { "  Søren\tØstergaard ", "soren ostergaard" },
    { "Nguyễn Thị", "nguyen thi" },
    { "STRASSE", "strasse" },
    { "Straße", "strasse" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *folded = ch_fold (cases[i].in);
      g_assert_cmpstr (folded, ==, cases[i].out);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/db/store/create-reopen", test_create_reopen);
  ADD ("/db/store/wrong-key", test_wrong_key);
  ADD ("/db/store/encrypted-pages", test_encrypted_pages);
  ADD ("/db/store/upgrade-from-v1", test_upgrade_from_v1);
  ADD ("/db/store/failed-upgrade", test_failed_upgrade_leaves_practice);
  ADD ("/db/store/newer-schema", test_newer_schema_refused);
  ADD ("/db/store/transactions", test_transactions);
  ADD ("/db/store/batch-transactions", test_batch_transactions);
  ADD ("/db/store/disk-full", test_disk_full);
  ADD ("/db/store/rekey", test_rekey);
  ADD ("/db/store/reader", test_reader);
  g_test_add_func ("/db/store/fold", test_fold);

  return g_test_run ();
}
