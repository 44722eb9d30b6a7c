/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-keyring"

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ch-keyring.h"
#include "ch-test-util.h"

typedef struct
{
  char      *dir;
  ChSecret  *master;
  ChKeyring *keyring;
} Fixture;

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = ch_test_make_dir ();
  f->master = ch_secret_new_random (CH_MASTER_KEY_BYTES);
  f->keyring = ch_keyring_new (f->dir, f->master);
  g_assert_true (ch_keyring_set_user (f->keyring, f->master, "alice", "alice-password", &error));
  g_assert_true (ch_keyring_set_user (f->keyring, f->master, "bob", "bob-password", &error));
  g_assert_true (ch_keyring_save (f->keyring, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_clear_object (&f->keyring);
  g_clear_pointer (&f->master, ch_secret_free);
  ch_test_remove_dir (f->dir);
  g_free (f->dir);
}

static ChKeyring *
load (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  ChKeyring *keyring = ch_keyring_load (f->dir, &error);

  g_assert_no_error (error);
  return keyring;
}

static void
test_roundtrip (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (ChKeyring) keyring = load (f);
  g_autoptr (ChSecret) master = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) users = NULL;

  master = ch_keyring_unlock_user (keyring, "alice", "alice-password", &error);
  g_assert_no_error (error);
  g_assert_true (ch_secret_equal (master, f->master));

  users = ch_keyring_list_users (keyring);
  g_assert_cmpuint (g_strv_length (users), ==, 2);
  g_assert_true (g_strv_contains ((const char * const *) users, "alice"));
  g_assert_true (g_strv_contains ((const char * const *) users, "bob"));
}

static void
test_wrong_password (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (ChKeyring) keyring = load (f);
  g_autoptr (GError) error = NULL;
  ChSecret *master;

  master = ch_keyring_unlock_user (keyring, "alice", "bob-password", &error);
  g_assert_null (master);
  g_assert_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_BAD_PASSWORD);
  g_clear_error (&error);

  master = ch_keyring_unlock_user (keyring, "carol", "alice-password", &error);
  g_assert_null (master);
  g_assert_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_NOT_FOUND);
}

/* Rewrites one value of one group in the keyring file. */
static void
tamper (Fixture    *f,
        const char *group,
        const char *key,
        const char *value)
{
  g_autofree char *path = g_build_filename (f->dir, "keyring", NULL);
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (g_key_file_load_from_file (file, path, G_KEY_FILE_KEEP_COMMENTS, &error));
  g_key_file_set_string (file, group, key, value);
  g_assert_true (g_key_file_save_to_file (file, path, &error));
}

static char *
get_value (Fixture    *f,
           const char *group,
           const char *key)
{
  g_autofree char *path = g_build_filename (f->dir, "keyring", NULL);
  g_autoptr (GKeyFile) file = g_key_file_new ();

  g_assert_true (g_key_file_load_from_file (file, path, 0, NULL));
  return g_key_file_get_string (file, group, key, NULL);
}

static char *
flip_base64 (const char *text)
{
  gsize len = 0;
  g_autofree guchar *raw = g_base64_decode (text, &len);

  raw[len - 1] ^= 0x01;
  return g_base64_encode (raw, len);
}

static void
test_tampered_slot (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *master_box = get_value (f, "User alice", "Master");
  g_autofree char *flipped = flip_base64 (master_box);
  g_autoptr (ChKeyring) keyring = NULL;
  ChSecret *master;

  tamper (f, "User alice", "Master", flipped);
  keyring = load (f);
  master = ch_keyring_unlock_user (keyring, "alice", "alice-password", &error);
  g_assert_null (master);
  g_assert_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_CORRUPT);
  g_clear_error (&error);

  /* Bob's slot is untouched and still opens. */
  master = ch_keyring_unlock_user (keyring, "bob", "bob-password", &error);
  g_assert_no_error (error);
  g_assert_true (ch_secret_equal (master, f->master));
  ch_secret_free (master);
}

static void
test_weakened_parameters (Fixture      *f,
                          gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChKeyring) keyring = NULL;
  ChSecret *master;

  /* Below the interactive limits is refused rather than used. */
  tamper (f, "User alice", "MemLimit", "8192");
  keyring = load (f);
  master = ch_keyring_unlock_user (keyring, "alice", "alice-password", &error);
  g_assert_null (master);
  g_assert_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_CORRUPT);
}

static void
test_slot_bound_to_name (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChKeyring) keyring = NULL;
  const char *keys[] = { "Salt", "Key", "Master", "Escrow" };
  ChSecret *master;

  /* Alice copies her slot over Bob's to sign in as him: it opens nothing. */
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *value = get_value (f, "User alice", keys[i]);
      tamper (f, "User bob", keys[i], value);
    }

  keyring = load (f);
  master = ch_keyring_unlock_user (keyring, "bob", "alice-password", &error);
  g_assert_null (master);
  g_assert_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_BAD_PASSWORD);
}

static void
test_damaged_file (Fixture      *f,
                   gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "keyring", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *empty_dir = ch_test_make_dir ();
  ChKeyring *keyring;

  g_assert_true (g_file_set_contents (path, "\x01\x02garbage[[[\n=", -1, NULL));
  keyring = ch_keyring_load (f->dir, &error);
  g_assert_null (keyring);
  g_assert_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_CORRUPT);
  g_clear_error (&error);

  keyring = ch_keyring_load (empty_dir, &error);
  g_assert_null (keyring);
  g_assert_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_NOT_FOUND);
  ch_test_remove_dir (empty_dir);
}

static void
test_password_change_rewraps_one_slot (Fixture      *f,
                                       gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *bob_before = get_value (f, "User bob", "Key");
  g_autofree char *bob_after = NULL;
  g_autoptr (ChKeyring) keyring = load (f);
  ChSecret *master;

  g_assert_true (ch_keyring_set_user (keyring, f->master, "alice", "new alice pass", &error));
  g_assert_true (ch_keyring_save (keyring, &error));
  g_clear_object (&keyring);

  bob_after = get_value (f, "User bob", "Key");
  g_assert_cmpstr (bob_before, ==, bob_after);

  keyring = load (f);
  master = ch_keyring_unlock_user (keyring, "alice", "alice-password", &error);
  g_assert_null (master);
  g_clear_error (&error);
  master = ch_keyring_unlock_user (keyring, "alice", "new alice pass", &error);
  g_assert_no_error (error);
  g_assert_true (ch_secret_equal (master, f->master));
  ch_secret_free (master);
}

static void
test_recovery (Fixture      *f,
               gconstpointer data)
{
  g_autofree char *key = ch_keyring_generate_recovery_key ();
  g_autofree char *typed = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ChKeyring) keyring = NULL;
  g_auto (GStrv) groups = NULL;
  ChSecret *master;

  /* 8 groups of 4 characters a person can copy. */
  groups = g_strsplit (key, "-", -1);
  g_assert_cmpuint (g_strv_length (groups), ==, 8);
  for (guint i = 0; i < 8; i++)
    g_assert_cmpuint (strlen (groups[i]), ==, 4);

  g_assert_true (ch_keyring_set_recovery (f->keyring, f->master, key, &error));
  g_assert_true (ch_keyring_save (f->keyring, &error));
  keyring = load (f);

  /* Typed in lower case, with spaces instead of dashes. */
  typed = g_ascii_strdown (key, -1);
  g_strdelimit (typed, "-", ' ');
  master = ch_keyring_unlock_recovery (keyring, typed, &error);
  g_assert_no_error (error);
  g_assert_true (ch_secret_equal (master, f->master));
  ch_secret_free (master);

  typed[0] = typed[0] == 'a' ? 'b' : 'a';
  master = ch_keyring_unlock_recovery (keyring, typed, &error);
  g_assert_null (master);
  g_assert_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_BAD_PASSWORD);
  g_clear_error (&error);

  master = ch_keyring_unlock_recovery (keyring, "not a key", &error);
  g_assert_null (master);
  g_assert_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_BAD_PASSWORD);
}

static void
test_service_slot (Fixture      *f,
                   gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "keyring.service", NULL);
  g_autofree char *main_path = g_build_filename (f->dir, "keyring", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (ChKeyring) keyring = NULL;
  g_autofree char *main_text = NULL;
  GStatBuf st;
  ChSecret *master;

  g_assert_true (ch_keyring_set_service (f->keyring, f->master, &error));
  g_assert_true (ch_keyring_save (f->keyring, &error));

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* Kept apart: the main keyring says nothing of it. */
  g_assert_true (g_file_get_contents (main_path, &main_text, NULL, NULL));
  g_assert_null (strstr (main_text, "Service"));

  keyring = load (f);
  master = ch_keyring_unlock_service (keyring, &error);
  g_assert_no_error (error);
  g_assert_true (ch_secret_equal (master, f->master));
  ch_secret_free (master);
}

static void
test_rewrap (Fixture      *f,
             gconstpointer data)
{
  g_autoptr (ChSecret) new_master = ch_secret_new_random (CH_MASTER_KEY_BYTES);
  g_autofree char *key = ch_keyring_generate_recovery_key ();
  g_autofree char *old_id = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ChKeyring) keyring = NULL;
  ChSecret *master;

  g_assert_true (ch_keyring_set_recovery (f->keyring, f->master, key, &error));
  g_assert_true (ch_keyring_set_service (f->keyring, f->master, &error));
  old_id = g_strdup (ch_keyring_get_key_id (f->keyring));

  /* Nobody's password is needed. */
  g_assert_true (ch_keyring_rewrap (f->keyring, f->master, new_master, &error));
  g_assert_no_error (error);
  g_assert_true (ch_keyring_save (f->keyring, &error));
  g_assert_cmpstr (old_id, !=, ch_keyring_get_key_id (f->keyring));

  keyring = load (f);
  master = ch_keyring_unlock_user (keyring, "bob", "bob-password", &error);
  g_assert_no_error (error);
  g_assert_true (ch_secret_equal (master, new_master));
  ch_secret_free (master);

  master = ch_keyring_unlock_recovery (keyring, key, &error);
  g_assert_no_error (error);
  g_assert_true (ch_secret_equal (master, new_master));
  ch_secret_free (master);

  master = ch_keyring_unlock_service (keyring, &error);
  g_assert_no_error (error);
  g_assert_true (ch_secret_equal (master, new_master));
  ch_secret_free (master);
}

static void
test_subkeys (void)
{
  g_autoptr (ChSecret) master = ch_secret_new_random (CH_MASTER_KEY_BYTES);
  g_autoptr (ChSecret) db = ch_master_derive (master, CH_SUBKEY_DATABASE);
  g_autoptr (ChSecret) db2 = ch_master_derive (master, CH_SUBKEY_DATABASE);
  g_autoptr (ChSecret) docs = ch_master_derive (master, CH_SUBKEY_DOCUMENTS);

  g_assert_true (ch_secret_equal (db, db2));
  g_assert_false (ch_secret_equal (db, docs));
  g_assert_false (ch_secret_equal (db, master));
}

/* A child saves the keyring over and over, alternating between a version in
 * which Alice's password is "old" and one in which it is "new"; the parent
 * kills it with SIGKILL at a random moment, many times. After every kill the
 * keyring must open with one of the two passwords. */
static void
test_killed_writes (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (ChKeyring) with_old = NULL;
  g_autoptr (ChKeyring) with_new = NULL;
  g_autoptr (GError) error = NULL;
  guint n_old = 0;
  guint n_new = 0;
  const guint rounds = 60;

  with_old = ch_keyring_new (f->dir, f->master);
  with_new = ch_keyring_new (f->dir, f->master);
  g_assert_true (ch_keyring_set_user (with_old, f->master, "alice", "old password", &error));
  g_assert_true (ch_keyring_set_user (with_new, f->master, "alice", "new password", &error));
  g_assert_true (ch_keyring_save (with_old, &error));

  for (guint round = 0; round < rounds; round++)
    {
      g_autoptr (ChKeyring) keyring = NULL;
      g_autoptr (ChSecret) master = NULL;
      g_autoptr (GError) local_error = NULL;
      pid_t pid;
      int status;

      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          for (guint i = 0; ; i++)
            if (!ch_keyring_save (i % 2 ? with_new : with_old, NULL))
              _exit (3);
        }

      g_usleep (g_random_int_range (200, 20000));
      g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status));

      keyring = ch_keyring_load (f->dir, &local_error);
      g_assert_no_error (local_error);

      master = ch_keyring_unlock_user (keyring, "alice", "old password", &local_error);
      if (master != NULL)
        n_old++;
      else
        {
          g_clear_error (&local_error);
          master = ch_keyring_unlock_user (keyring, "alice", "new password", &local_error);
          g_assert_no_error (local_error);
          n_new++;
        }
      g_assert_true (ch_secret_equal (master, f->master));
    }

  g_test_message ("after %u kills: %u old, %u new", rounds, n_old, n_new);
  g_assert_cmpuint (n_old + n_new, ==, rounds);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/auth/keyring/roundtrip", test_roundtrip);
  ADD ("/auth/keyring/wrong-password", test_wrong_password);
  ADD ("/auth/keyring/tampered-slot", test_tampered_slot);
  ADD ("/auth/keyring/weakened-parameters", test_weakened_parameters);
  ADD ("/auth/keyring/slot-bound-to-name", test_slot_bound_to_name);
  ADD ("/auth/keyring/damaged-file", test_damaged_file);
  ADD ("/auth/keyring/password-change", test_password_change_rewraps_one_slot);
  ADD ("/auth/keyring/recovery", test_recovery);
  ADD ("/auth/keyring/service-slot", test_service_slot);
  ADD ("/auth/keyring/rewrap", test_rewrap);
  ADD ("/auth/keyring/killed-writes", test_killed_writes);
  g_test_add_func ("/auth/keyring/subkeys", test_subkeys);

  return g_test_run ();
}
