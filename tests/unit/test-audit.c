/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-audit"

#include "config.h"

#include <sodium.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-audit-model.h"
#include "ch-store-private.h"
#include "ch-test-util.h"

typedef struct
{
  char    *dir;
  ChStore *store;
} Fixture;

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  guint8 key[CH_STORE_KEY_BYTES];

  f->dir = ch_test_make_dir ();
  path = g_build_filename (f->dir, "charta.db", NULL);
  randombytes_buf (key, sizeof key);
  f->store = ch_store_open (path, key, CH_STORE_FLAGS_CREATE, &error);
  g_assert_no_error (error);

  for (int i = 1; i <= 10; i++)
    {
      g_autofree char *object = g_strdup_printf ("%d", i);
      g_assert_true (ch_audit_append (f->store, i % 2 ? "doctor" : "nurse",
                                      i % 2 ? "physician" : "nurse",
                                      i % 3 ? CH_AUDIT_VIEW : CH_AUDIT_UPDATE, "patient", object,
                                      i, i == 4 ? "changed, \"quoted\"\nnote" : "", &error));
      g_assert_no_error (error);
    }
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_clear_object (&f->store);
  ch_test_remove_dir (f->dir);
  g_free (f->dir);
}

static void
assert_broken_at (Fixture *f,
                  gint64   id)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *needle = g_strdup_printf ("entry %" G_GINT64_FORMAT ":", id);

  g_assert_false (ch_audit_verify (f->store, NULL, &error));
  g_assert_error (error, CH_AUDIT_ERROR, CH_AUDIT_ERROR_BROKEN);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, needle));
}

/* What someone holding the key could do: drop the triggers first. */
static void
drop_triggers (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ch_store_exec (f->store, "DROP TRIGGER audit_no_update;"
                                          "DROP TRIGGER audit_no_delete", &error));
  g_assert_no_error (error);
}

static void
test_chain_verifies (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 n = 0;

  g_assert_true (ch_audit_verify (f->store, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 10);
}

static void
test_append_only (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (ch_store_exec (f->store, "UPDATE audit SET detail = 'x' WHERE id = 3", &error));
  g_assert_nonnull (strstr (error->message, "append-only"));
  g_clear_error (&error);

  g_assert_false (ch_store_exec (f->store, "DELETE FROM audit WHERE id = 3", &error));
  g_assert_nonnull (strstr (error->message, "append-only"));
  g_clear_error (&error);

  g_assert_true (ch_audit_verify (f->store, NULL, &error));
}

static void
test_edited_entry (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  drop_triggers (f);
  g_assert_true (ch_store_exec (f->store, "UPDATE audit SET username = 'admin' WHERE id = 6",
                                &error));
  assert_broken_at (f, 6);
}

static void
test_removed_entry (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  drop_triggers (f);
  g_assert_true (ch_store_exec (f->store, "DELETE FROM audit WHERE id = 4", &error));
  assert_broken_at (f, 4);
}

static void
test_removed_and_renumbered (Fixture      *f,
                             gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  /* Hiding the gap by renumbering the rest does not hide the removal. */
  drop_triggers (f);
  g_assert_true (ch_store_exec (f->store, "DELETE FROM audit WHERE id = 4;"
                                          "UPDATE audit SET id = id - 1 WHERE id > 4", &error));
  assert_broken_at (f, 4);
}

static void
test_truncated_trail (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  /* The newest entries go: what is left is a chain of its own. */
  drop_triggers (f);
  g_assert_true (ch_store_exec (f->store, "DELETE FROM audit WHERE id > 7", &error));
  assert_broken_at (f, 7);
}

static void
test_reordered_entries (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  /* Entries 7 and 8 swap places, hashes and all. */
  drop_triggers (f);
  g_assert_true (ch_store_exec (f->store,
                                "UPDATE audit SET id = 1000 WHERE id = 7;"
                                "UPDATE audit SET id = 7 WHERE id = 8;"
                                "UPDATE audit SET id = 8 WHERE id = 1000", &error));
  assert_broken_at (f, 7);
}

static void
test_replaced_entry (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) fourth = NULL;
  ChAuditRecord record = { 0 };

  /* A forger rewrites entry 5 and recomputes its hash on entry 4's: entry 5
   * verifies, but entry 6 no longer follows it. */
  fourth = ch_db_audit_page (f->store, NULL, 6, 1, &error);
  g_assert_cmpint (((ChAuditRecord *) fourth->pdata[0])->id, ==, 4);
  memcpy (record.prev_hash, ((ChAuditRecord *) fourth->pdata[0])->hash, CH_AUDIT_HASH_BYTES);

  drop_triggers (f);
  g_assert_true (ch_store_exec (f->store, "DELETE FROM audit WHERE id = 5", &error));
  record.id = 5;
  record.ts = g_get_real_time ();
  record.username = (char *) "doctor";
  record.role = (char *) "physician";
  record.action = (char *) CH_AUDIT_VIEW;
  record.object_type = (char *) "patient";
  record.object_id = (char *) "99";
  record.detail = (char *) "";
  ch_audit_compute_hash (&record, record.hash);
  g_assert_true (ch_db_audit_insert (f->store, &record, &error));
  g_assert_no_error (error);

  assert_broken_at (f, 6);
}

static void
test_filters_and_pages (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) page = NULL;
  ChAuditFilter filter = { 0 };

  g_assert_cmpint (ch_db_audit_count (f->store, NULL, &error), ==, 10);

  filter.username = "nurse";
  g_assert_cmpint (ch_db_audit_count (f->store, &filter, &error), ==, 5);
  filter.action = CH_AUDIT_UPDATE;
  g_assert_cmpint (ch_db_audit_count (f->store, &filter, &error), ==, 1);  /* id 6 */

  memset (&filter, 0, sizeof filter);
  filter.patient_id = 3;
  page = ch_db_audit_page (f->store, &filter, 0, 10, &error);
  g_assert_cmpuint (page->len, ==, 1);
  g_assert_cmpstr (((ChAuditRecord *) page->pdata[0])->object_id, ==, "3");
  g_clear_pointer (&page, g_ptr_array_unref);

  /* Newest first, paged. */
  page = ch_db_audit_page (f->store, NULL, 3, 4, &error);
  g_assert_cmpuint (page->len, ==, 4);
  g_assert_cmpint (((ChAuditRecord *) page->pdata[0])->id, ==, 7);
  g_assert_cmpint (((ChAuditRecord *) page->pdata[3])->id, ==, 4);
}

static void
test_csv (Fixture      *f,
          gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  ChAuditFilter filter = { .username = "nurse" };

  g_assert_true (ch_audit_write_csv (f->store, &filter, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (out, NULL, &error));
  text = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));

  g_assert_true (g_str_has_prefix (text, "id,time_utc,user,role,action,"));
  /* The quote and the line break in entry 4's detail are escaped. */
  g_assert_nonnull (strstr (text, "\"changed, \"\"quoted\"\"\nnote\"\r\n"));
  g_assert_null (strstr (text, ",doctor,"));
  lines = g_strsplit (text, "\r\n", -1);
  g_assert_true (g_str_has_prefix (lines[1], "10,"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/audit/chain/verifies", test_chain_verifies);
  ADD ("/audit/chain/append-only", test_append_only);
  ADD ("/audit/chain/edited", test_edited_entry);
  ADD ("/audit/chain/removed", test_removed_entry);
  ADD ("/audit/chain/removed-renumbered", test_removed_and_renumbered);
  ADD ("/audit/chain/reordered", test_reordered_entries);
  ADD ("/audit/chain/truncated", test_truncated_trail);
  ADD ("/audit/chain/replaced", test_replaced_entry);
  ADD ("/audit/query/filters-pages", test_filters_and_pages);
  ADD ("/audit/query/csv", test_csv);

  return g_test_run ();
}
