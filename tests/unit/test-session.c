/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-session"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-audit-model.h"
#include "ch-records.h"
#include "ch-test-util.h"
#include "ch-users.h"

typedef struct
{
  char       *dir;
  char       *recovery_key;
  ChPractice *practice;
} Fixture;

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  f->dir = ch_test_make_dir ();
  f->practice = ch_test_make_practice (f->dir, &f->recovery_key);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_clear_object (&f->practice);
  g_free (f->recovery_key);
  ch_test_remove_dir (f->dir);
  g_free (f->dir);
}

static gint64
count_action (ChSession  *session,
              const char *username,
              const char *action)
{
  g_autoptr (GError) error = NULL;
  ChAuditFilter filter = { .username = username, .action = action };
  gint64 n = ch_db_audit_count (ch_session_get_store (session), &filter, &error);

  g_assert_no_error (error);
  return n;
}

static void
add_user (ChSession  *admin,
          const char *username,
          ChRole      role)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ch_users_add (admin, username, NULL, role, CH_TEST_PASSWORD, &error));
  g_assert_no_error (error);
}

static void
test_login (Fixture      *f,
            gconstpointer data)
{
  g_autoptr (ChSession) session = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_autofree char *name = ch_session_get_practice_name (session);
  g_autoptr (GError) error = NULL;

  g_assert_cmpstr (ch_session_get_username (session), ==, "admin");
  g_assert_cmpstr (ch_session_get_display_name (session), ==, "Ada Admin");
  g_assert_cmpint (ch_session_get_role (session), ==, CH_ROLE_ADMIN);
  g_assert_cmpstr (name, ==, "Test Practice");
  g_clear_pointer (&name, g_free);

  /* The name is there before anyone signs in, for the sign-in screen. */
  {
    g_autoptr (ChPractice) reopened = ch_practice_open (f->dir, &error);
    g_assert_no_error (error);
    name = ch_practice_get_name (reopened);
    g_assert_cmpstr (name, ==, "Test Practice");
  }
  g_assert_cmpint (count_action (session, "admin", CH_AUDIT_PRACTICE_CREATE), ==, 1);
  g_assert_cmpint (count_action (session, "admin", CH_AUDIT_LOGIN), ==, 1);
  g_assert_true (ch_audit_verify (ch_session_get_store (session), NULL, &error));

  ch_session_logout (session);
  g_assert_true (ch_session_get_logged_out (session));
  g_assert_null (ch_session_get_store (session));
  g_assert_false (ch_session_can (session, CH_AREA_USERS, CH_ACCESS_READ));
}

static void
test_wrong_password (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  ChSession *session;

  session = ch_session_login (f->practice, "admin", "not the password", &error);
  g_assert_null (session);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_BAD_CREDENTIALS);
  g_assert_cmpstr (error->message, ==, "Wrong user name or password");
  g_clear_error (&error);

  /* An unknown user gets the same answer. */
  session = ch_session_login (f->practice, "mallory", CH_TEST_PASSWORD, &error);
  g_assert_null (session);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_BAD_CREDENTIALS);
  g_assert_cmpstr (error->message, ==, "Wrong user name or password");
}

static void
test_throttle_and_audit (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChSession) session = NULL;

  session = ch_session_login (f->practice, "mallory", "guess", &error);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_BAD_CREDENTIALS);
  g_clear_error (&error);

  for (int i = 0; i < 3; i++)
    {
      session = ch_session_login (f->practice, "admin", "guess", &error);
      g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_BAD_CREDENTIALS);
      g_clear_error (&error);
    }

  /* Now even the right password must wait. */
  session = ch_session_login (f->practice, "admin", CH_TEST_PASSWORD, &error);
  g_assert_null (session);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_THROTTLED);
  g_assert_nonnull (strstr (error->message, "Try again in"));
  g_clear_error (&error);

  g_usleep (1100 * 1000);
  session = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);

  /* The failures reached the audit trail with the next sign-in, those of
   * names that do not exist too. */
  g_assert_cmpint (count_action (session, "admin", CH_AUDIT_LOGIN_FAILED), ==, 3);
  {
    g_autoptr (ChAuditModel) model = ch_audit_model_new (session, &error);
    g_autoptr (GPtrArray) names = ch_audit_model_list_usernames (model, &error);
    ChAuditFilter filter = { .action = CH_AUDIT_LOGIN_FAILED };
    g_autoptr (GPtrArray) failed = ch_db_audit_page (ch_session_get_store (session), &filter, 0,
                                                     10, &error);
    guint unknown = 0;

    g_assert_no_error (error);
    g_assert_true (g_ptr_array_find_with_equal_func (names, "admin", g_str_equal, NULL));
    /* A name that is no account is not written down: it may be a password
     * typed into the wrong field. */
    g_assert_false (g_ptr_array_find_with_equal_func (names, "mallory", g_str_equal, NULL));
    for (guint i = 0; i < failed->len; i++)
      {
        ChAuditRecord *entry = failed->pdata[i];
        if (g_str_equal (entry->object_type, "unknown-user"))
          {
            unknown++;
            g_assert_cmpstr (entry->username, ==, "");
          }
      }
    g_assert_cmpuint (unknown, ==, 1);
  }
  g_assert_true (ch_audit_verify (ch_session_get_store (session), NULL, &error));
  g_assert_no_error (error);
  ch_session_logout (session);
  g_clear_object (&session);

  /* And the count starts again. */
  session = ch_session_login (f->practice, "admin", "guess", &error);
  g_clear_error (&error);
  session = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_assert_cmpint (count_action (session, "admin", CH_AUDIT_LOGIN_FAILED), ==, 4);
}

static void
test_lock_unlock (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (ChSession) session = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_autoptr (GError) error = NULL;

  g_assert_true (ch_session_can (session, CH_AREA_USERS, CH_ACCESS_WRITE));
  ch_session_lock (session);

  /* The key is gone: nothing can be read or done. */
  g_assert_true (ch_session_get_locked (session));
  g_assert_null (ch_session_get_store (session));
  g_assert_false (ch_session_can (session, CH_AREA_USERS, CH_ACCESS_READ));
  g_assert_null (ch_users_list (session, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_LOCKED);
  g_clear_error (&error);

  g_assert_false (ch_session_unlock (session, "wrong password", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_BAD_CREDENTIALS);
  g_clear_error (&error);
  g_assert_true (ch_session_get_locked (session));
  g_assert_null (ch_session_get_store (session));

  g_assert_true (ch_session_unlock (session, CH_TEST_PASSWORD, &error));
  g_assert_no_error (error);
  g_assert_false (ch_session_get_locked (session));
  g_assert_true (ch_session_can (session, CH_AREA_USERS, CH_ACCESS_WRITE));
  g_assert_cmpint (count_action (session, "admin", CH_AUDIT_LOCK), ==, 1);
  g_assert_cmpint (count_action (session, "admin", CH_AUDIT_UNLOCK), ==, 1);
  g_assert_cmpint (count_action (session, "admin", CH_AUDIT_LOGIN_FAILED), ==, 1);
}

static void
test_disabled_while_locked (Fixture      *f,
                            gconstpointer data)
{
  g_autoptr (ChSession) admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_autoptr (ChSession) nurse = NULL;
  g_autoptr (GError) error = NULL;

  add_user (admin, "nina", CH_ROLE_NURSE);
  nurse = ch_test_login (f->practice, "nina", CH_TEST_PASSWORD);
  ch_session_lock (nurse);

  g_assert_true (ch_users_disable (admin, "nina", &error));
  g_assert_false (ch_session_unlock (nurse, CH_TEST_PASSWORD, &error));
  g_assert_nonnull (error);
  g_assert_true (ch_session_get_locked (nurse));
  g_assert_null (ch_session_get_store (nurse));
}

static void
test_break_glass (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (ChSession) admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_autoptr (ChSession) desk = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GDateTime) until = NULL;
  ChAuditFilter filter = { .action = CH_AUDIT_BREAK_GLASS };
  ChAuditRecord *entry;

  add_user (admin, "fred", CH_ROLE_FRONT_DESK);
  desk = ch_test_login (f->practice, "fred", CH_TEST_PASSWORD);

  g_assert_false (ch_session_can (desk, CH_AREA_CLINICAL, CH_ACCESS_READ));
  g_assert_false (ch_session_check (desk, CH_AREA_CLINICAL, CH_ACCESS_READ, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  g_assert_false (ch_session_break_glass (desk, "   ", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ch_session_get_break_glass (desk));

  g_assert_true (ch_session_break_glass (desk, "Patient collapsed in the waiting room", &error));
  g_assert_no_error (error);
  g_assert_true (ch_session_get_break_glass (desk));
  g_assert_true (ch_session_can (desk, CH_AREA_CLINICAL, CH_ACCESS_WRITE));
  /* Wider, not different: the desk's own rights stay; no prescribing, no
   * more of the office. */
  g_assert_true (ch_session_can (desk, CH_AREA_BILLING, CH_ACCESS_WRITE));
  g_assert_false (ch_session_can (desk, CH_AREA_USERS, CH_ACCESS_READ));
  g_assert_false (ch_session_can (desk, CH_AREA_PRESCRIBING, CH_ACCESS_WRITE));
  g_assert_false (ch_session_can (desk, CH_AREA_REPORTS, CH_ACCESS_READ));

  /* The administrator's role keeps them out of charts, emergency or not. */
  g_assert_false (ch_session_break_glass (admin, "Curious about a patient", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ch_session_can (admin, CH_AREA_CLINICAL, CH_ACCESS_READ));

  until = ch_session_get_break_glass_until (desk);
  g_assert_nonnull (until);
  g_assert_cmpuint (ch_session_get_break_glass_minutes (desk), ==, CH_DEFAULT_BREAK_GLASS_MINUTES);
  g_assert_cmpint (g_date_time_to_unix (until) - g_get_real_time () / G_USEC_PER_SEC, >=,
                   CH_DEFAULT_BREAK_GLASS_MINUTES * 60 - 5);

  entries = ch_db_audit_page (ch_session_get_store (desk), &filter, 0, 10, &error);
  g_assert_cmpuint (entries->len, ==, 1);
  entry = entries->pdata[0];
  g_assert_cmpstr (entry->username, ==, "fred");
  g_assert_cmpstr (entry->detail, ==, "Patient collapsed in the waiting room");
  g_assert_cmpstr (entry->role, ==, "front-desk+break-glass");
}

static void
test_idle_lock_setting (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (ChSession) admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_autoptr (ChSession) doctor = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (ch_session_get_idle_lock_minutes (admin), ==, CH_DEFAULT_IDLE_LOCK_MINUTES);
  g_assert_true (ch_session_set_idle_lock_minutes (admin, 5, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ch_session_get_idle_lock_minutes (admin), ==, 5);

  g_assert_false (ch_session_set_idle_lock_minutes (admin, 0, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  add_user (admin, "dora", CH_ROLE_PHYSICIAN);
  doctor = ch_test_login (f->practice, "dora", CH_TEST_PASSWORD);
  g_assert_cmpuint (ch_session_get_idle_lock_minutes (doctor), ==, 5);
  g_assert_false (ch_session_set_idle_lock_minutes (doctor, 30, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_assert_cmpuint (ch_session_get_idle_lock_minutes (doctor), ==, 5);
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (from, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (to, contents, len, NULL));
}

static void
test_rekey (Fixture      *f,
            gconstpointer data)
{
  g_autoptr (ChSession) admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_autoptr (ChSession) again = NULL;
  g_autoptr (ChSession) recovered = NULL;
  g_autoptr (ChKeyring) before = NULL;
  g_autoptr (ChSecret) old_master = NULL;
  g_autoptr (ChSecret) old_db_key = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = ch_practice_get_db_path (f->practice);
  ChStore *stale;

  add_user (admin, "dora", CH_ROLE_PHYSICIAN);
  before = ch_keyring_load (f->dir, &error);
  old_master = ch_keyring_unlock_user (before, "dora", CH_TEST_PASSWORD, &error);
  g_assert_no_error (error);

  /* Never while the practice is open elsewhere: the other session would
   * keep the old key, or throw the new keyring away. */
  {
    g_autoptr (ChSession) other = ch_test_login (f->practice, "dora", CH_TEST_PASSWORD);

    g_assert_false (ch_session_rekey (admin, &error));
    g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, "open elsewhere"));
    g_clear_error (&error);
    g_assert_false (ch_keyring_has_next (f->dir));
    ch_session_logout (other);
  }

  g_assert_true (ch_session_rekey (admin, &error));
  g_assert_no_error (error);
  g_assert_false (ch_keyring_has_next (f->dir));
  ch_session_logout (admin);

  /* The old key opens nothing any more. */
  old_db_key = ch_master_derive (old_master, CH_SUBKEY_DATABASE);
  stale = ch_store_open (db_path, old_db_key->data, CH_STORE_FLAGS_NONE, &error);
  g_assert_null (stale);
  g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_WRONG_KEY);
  g_clear_error (&error);

  /* Everyone's password and the recovery key still do. */
  again = ch_test_login (f->practice, "dora", CH_TEST_PASSWORD);
  g_assert_cmpint (count_action (again, "admin", CH_AUDIT_REKEY), ==, 1);
  ch_session_logout (again);
  recovered = ch_session_recover (f->practice, f->recovery_key, "admin", "a brand new password",
                                  &error);
  g_assert_no_error (error);
  g_assert_nonnull (recovered);
}

/* The process dies after the database was re-encrypted but before the new
 * keyring replaced the old: the next sign-in finishes the job. */
static void
test_rekey_interrupted (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (ChSession) admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_autoptr (ChSession) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *keyring = g_build_filename (f->dir, "keyring", NULL);
  g_autofree char *service = g_build_filename (f->dir, "keyring.service", NULL);
  g_autofree char *keyring_old = g_build_filename (f->dir, "keyring.old", NULL);
  g_autofree char *service_old = g_build_filename (f->dir, "keyring.service.old", NULL);
  g_autofree char *keyring_next = g_build_filename (f->dir, "keyring.next", NULL);
  g_autofree char *service_next = g_build_filename (f->dir, "keyring.service.next", NULL);
  g_autoptr (ChKeyring) promoted = NULL;
  g_autoptr (ChSecret) service_master = NULL;
  g_autofree char *new_id = NULL;

  copy_file (keyring, keyring_old);
  copy_file (service, service_old);
  g_assert_true (ch_session_rekey (admin, &error));
  ch_session_logout (admin);
  new_id = g_strdup (ch_keyring_get_key_id (ch_practice_get_keyring (f->practice)));

  /* Put the state back to "database rekeyed, keyring not yet replaced". */
  g_assert_cmpint (g_rename (keyring, keyring_next), ==, 0);
  g_assert_cmpint (g_rename (service, service_next), ==, 0);
  g_assert_cmpint (g_rename (keyring_old, keyring), ==, 0);
  g_assert_cmpint (g_rename (service_old, service), ==, 0);

  again = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_assert_false (ch_keyring_has_next (f->dir));
  g_assert_false (g_file_test (service_next, G_FILE_TEST_EXISTS));

  promoted = ch_keyring_load (f->dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ch_keyring_get_key_id (promoted), ==, new_id);
  service_master = ch_keyring_unlock_service (promoted, &error);
  g_assert_no_error (error);
}

/* The process died before the database was touched: the prepared keyring is
 * stale and dropped. */
static void
test_rekey_stale_next (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChSession) session = NULL;
  g_autoptr (ChSecret) other = ch_secret_new_random (CH_MASTER_KEY_BYTES);
  g_autoptr (ChKeyring) next = ch_keyring_new (f->dir, other);

  g_assert_true (ch_keyring_set_user (next, other, "admin", CH_TEST_PASSWORD, &error));
  g_assert_true (ch_keyring_save_next (next, &error));
  g_assert_true (ch_keyring_has_next (f->dir));

  session = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_assert_false (ch_keyring_has_next (f->dir));
}

static void
test_recovery (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChSession) session = NULL;
  g_autoptr (ChSession) admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_autofree char *wrong = g_strdup (f->recovery_key);
  ChSession *none;

  add_user (admin, "dora", CH_ROLE_PHYSICIAN);
  ch_session_logout (admin);

  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  none = ch_session_recover (f->practice, wrong, "admin", "new admin password", &error);
  g_assert_null (none);
  g_assert_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_BAD_PASSWORD);
  g_clear_error (&error);

  /* The recovery key resets administrators only. */
  none = ch_session_recover (f->practice, f->recovery_key, "dora", "new doctor password", &error);
  g_assert_null (none);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  session = ch_session_recover (f->practice, f->recovery_key, "admin", "new admin password",
                                &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_action (session, "admin", CH_AUDIT_RECOVERY), ==, 1);
  ch_session_logout (session);
  g_clear_object (&session);

  none = ch_session_login (f->practice, "admin", CH_TEST_PASSWORD, &error);
  g_assert_null (none);
  g_clear_error (&error);
  session = ch_test_login (f->practice, "admin", "new admin password");
}

static void
test_create_refusals (void)
{
  g_autofree char *dir = ch_test_make_dir ();
  g_autofree char *inner = g_build_filename (dir, "practice", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (ChPractice) practice = NULL;
  ChPracticeSetup setup = {
    .name = "Test", .admin_user = "Bad User", .admin_password = CH_TEST_PASSWORD,
  };
  g_autoptr (GDir) listing = NULL;

  g_assert_null (ch_practice_create (inner, &setup, NULL, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (g_file_test (inner, G_FILE_TEST_EXISTS));

  setup.admin_user = "admin";
  setup.admin_password = "short";
  g_assert_null (ch_practice_create (inner, &setup, NULL, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  setup.admin_password = CH_TEST_PASSWORD;
  setup.name = "  ";
  g_assert_null (ch_practice_create (inner, &setup, NULL, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  setup.name = "Test";
  practice = ch_practice_create (inner, &setup, NULL, &error);
  g_assert_no_error (error);

  /* Never over an existing practice. */
  g_assert_null (ch_practice_create (inner, &setup, NULL, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_EXISTS);
  g_clear_error (&error);

  /* Somewhere that cannot be written leaves nothing behind. */
  g_assert_null (ch_practice_create ("/proc/charta-cannot-be-here", &setup, NULL, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_FAILED);
  g_clear_error (&error);

  g_assert_null (ch_practice_open (dir, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_NO_PRACTICE);

  ch_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/auth/session/login", test_login);
  ADD ("/auth/session/wrong-password", test_wrong_password);
  ADD ("/auth/session/throttle", test_throttle_and_audit);
  ADD ("/auth/session/lock-unlock", test_lock_unlock);
  ADD ("/auth/session/disabled-while-locked", test_disabled_while_locked);
  ADD ("/auth/session/break-glass", test_break_glass);
  ADD ("/auth/session/idle-lock-setting", test_idle_lock_setting);
  ADD ("/auth/session/rekey", test_rekey);
  ADD ("/auth/session/rekey-interrupted", test_rekey_interrupted);
  ADD ("/auth/session/rekey-stale-next", test_rekey_stale_next);
  ADD ("/auth/session/recovery", test_recovery);
  g_test_add_func ("/auth/practice/create-refusals", test_create_refusals);

  return g_test_run ();
}
