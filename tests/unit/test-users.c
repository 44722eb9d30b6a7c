/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-users"

#include "config.h"

#include <string.h>

#include "ch-audit.h"
#include "ch-test-util.h"
#include "ch-users.h"

typedef struct
{
  char       *dir;
  ChPractice *practice;
  ChSession  *admin;
} Fixture;

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  f->dir = ch_test_make_dir ();
  f->practice = ch_test_make_practice (f->dir, NULL);
  f->admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_clear_object (&f->admin);
  g_clear_object (&f->practice);
  ch_test_remove_dir (f->dir);
  g_free (f->dir);
}

static ChUserRecord *
find (GPtrArray  *users,
      const char *username)
{
  for (guint i = 0; i < users->len; i++)
    {
      ChUserRecord *user = users->pdata[i];
      if (g_str_equal (user->username, username))
        return user;
    }
  return NULL;
}

static gboolean
can_login (Fixture    *f,
           const char *username,
           const char *password)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChSession) session = ch_session_login (f->practice, username, password, &error);

  if (session != NULL)
    ch_session_logout (session);
  return session != NULL;
}

static void
test_add_and_list (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) users = NULL;
  ChUserRecord *user;

  g_assert_true (ch_users_add (f->admin, "dora", "Dr. Dora Díaz", CH_ROLE_PHYSICIAN,
                               "dora's password", &error));
  g_assert_no_error (error);

  users = ch_users_list (f->admin, &error);
  g_assert_cmpuint (users->len, ==, 2);
  user = find (users, "dora");
  g_assert_nonnull (user);
  g_assert_cmpstr (user->display_name, ==, "Dr. Dora Díaz");
  g_assert_cmpstr (user->role, ==, "physician");
  g_assert_false (user->disabled);
  g_assert_true (can_login (f, "dora", "dora's password"));

  /* Twice is refused, as are bad names and short passwords. */
  g_assert_false (ch_users_add (f->admin, "dora", NULL, CH_ROLE_NURSE, "another password", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ch_users_add (f->admin, "Dora Díaz", NULL, CH_ROLE_NURSE, "password1", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ch_users_add (f->admin, "sam", NULL, CH_ROLE_NURSE, "short", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (can_login (f, "sam", "short"));
}

static void
test_permissions (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChSession) nurse = NULL;
  g_autoptr (ChSession) manager = NULL;

  g_assert_true (ch_users_add (f->admin, "nina", NULL, CH_ROLE_NURSE, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "mo", NULL, CH_ROLE_MANAGER, CH_TEST_PASSWORD, &error));
  nurse = ch_test_login (f->practice, "nina", CH_TEST_PASSWORD);
  manager = ch_test_login (f->practice, "mo", CH_TEST_PASSWORD);

  /* A nurse manages no users, whatever a window would show. */
  g_assert_null (ch_users_list (nurse, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ch_users_add (nurse, "eve", NULL, CH_ROLE_ADMIN, CH_TEST_PASSWORD, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ch_users_set_password (nurse, "admin", NULL, "taken over!", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* The manager manages staff, but cannot make or touch administrators. */
  g_assert_true (ch_users_add (manager, "fred", NULL, CH_ROLE_FRONT_DESK, CH_TEST_PASSWORD, &error));
  g_assert_no_error (error);
  g_assert_false (ch_users_add (manager, "eve", NULL, CH_ROLE_ADMIN, CH_TEST_PASSWORD, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ch_users_set_role (manager, "fred", CH_ROLE_ADMIN, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ch_users_set_password (manager, "admin", NULL, "taken over!", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ch_users_disable (manager, "admin", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  g_assert_true (can_login (f, "admin", CH_TEST_PASSWORD));
}

static void
test_disable_enable (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (ChSession) nina = NULL;
  ChUserRecord *user;

  g_assert_true (ch_users_add (f->admin, "nina", NULL, CH_ROLE_NURSE, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_disable (f->admin, "nina", &error));
  g_assert_no_error (error);

  /* The slot is gone: the password opens nothing. */
  g_assert_false (ch_keyring_has_user (ch_practice_get_keyring (f->practice), "nina"));
  g_assert_false (can_login (f, "nina", CH_TEST_PASSWORD));
  users = ch_users_list (f->admin, &error);
  g_assert_no_error (error);
  user = find (users, "nina");
  g_assert_nonnull (user);
  g_assert_true (user->disabled);

  g_assert_false (ch_users_set_password (f->admin, "nina", NULL, "another password", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_DISABLED);
  g_clear_error (&error);

  g_assert_true (ch_users_enable (f->admin, "nina", "welcome back nina", &error));
  g_assert_no_error (error);
  g_assert_false (can_login (f, "nina", CH_TEST_PASSWORD));
  nina = ch_test_login (f->practice, "nina", "welcome back nina");

  /* Enabling an active account is no back door to resetting its password. */
  g_assert_false (ch_users_enable (f->admin, "nina", "yet another password", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  /* Disabled at another desk: the open session stops at its next action. */
  g_assert_true (ch_session_can (nina, CH_AREA_CLINICAL, CH_ACCESS_READ));
  g_assert_true (ch_users_disable (f->admin, "nina", &error));
  g_assert_false (ch_session_check (nina, CH_AREA_CLINICAL, CH_ACCESS_READ, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_DISABLED);
  g_clear_error (&error);

  /* Nobody disables themselves, nor the last administrator. */
  g_assert_false (ch_users_disable (f->admin, "admin", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
}

static void
test_last_admin (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChSession) second = NULL;

  g_assert_true (ch_users_add (f->admin, "root2", NULL, CH_ROLE_ADMIN, CH_TEST_PASSWORD, &error));
  second = ch_test_login (f->practice, "root2", CH_TEST_PASSWORD);

  g_assert_true (ch_users_set_role (second, "admin", CH_ROLE_MANAGER, &error));
  g_assert_no_error (error);

  /* root2 is now the only administrator: cannot be demoted or disabled. */
  g_assert_false (ch_users_set_role (second, "root2", CH_ROLE_NURSE, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
}

static void
test_passwords (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChSession) nina = NULL;
  gint64 n;
  ChAuditFilter filter = { .action = CH_AUDIT_PASSWORD };

  g_assert_true (ch_users_add (f->admin, "nina", NULL, CH_ROLE_NURSE, CH_TEST_PASSWORD, &error));
  nina = ch_test_login (f->practice, "nina", CH_TEST_PASSWORD);

  /* Changing one's own needs the current password. */
  g_assert_false (ch_users_set_password (nina, "nina", "wrong one", "nina's new secret", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_BAD_CREDENTIALS);
  g_clear_error (&error);
  g_assert_true (ch_users_set_password (nina, "nina", CH_TEST_PASSWORD, "nina's new secret",
                                        &error));
  g_assert_no_error (error);
  g_assert_true (can_login (f, "nina", "nina's new secret"));
  g_assert_false (can_login (f, "nina", CH_TEST_PASSWORD));

  /* Guessing the current password is throttled like signing in (the wrong
   * sign-in just above was the first failure). */
  for (int i = 0; i < 2; i++)
    {
      g_assert_false (ch_users_set_password (nina, "nina", "guess", "whatever123", &error));
      g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_BAD_CREDENTIALS);
      g_clear_error (&error);
    }
  g_assert_false (ch_users_set_password (nina, "nina", "nina's new secret", "whatever123",
                                         &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_THROTTLED);
  g_clear_error (&error);
  g_usleep (1100 * 1000);

  /* An administrator resets it without. */
  g_assert_true (ch_users_set_password (f->admin, "nina", NULL, "reset by admin", &error));
  g_assert_true (can_login (f, "nina", "reset by admin"));
  /* The admin's own password is untouched by any of this. */
  g_assert_true (can_login (f, "admin", CH_TEST_PASSWORD));

  n = ch_db_audit_count (ch_session_get_store (f->admin), &filter, &error);
  g_assert_cmpint (n, ==, 2);
}

static void
test_role_change (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChSession) before = NULL;
  g_autoptr (ChSession) after = NULL;

  g_assert_true (ch_users_add (f->admin, "nina", NULL, CH_ROLE_NURSE, CH_TEST_PASSWORD, &error));
  before = ch_test_login (f->practice, "nina", CH_TEST_PASSWORD);
  g_assert_false (ch_session_can (before, CH_AREA_PRESCRIBING, CH_ACCESS_WRITE));

  g_assert_true (ch_users_set_role (f->admin, "nina", CH_ROLE_PHYSICIAN, &error));
  g_assert_no_error (error);
  after = ch_test_login (f->practice, "nina", CH_TEST_PASSWORD);
  g_assert_true (ch_session_can (after, CH_AREA_PRESCRIBING, CH_ACCESS_WRITE));

  g_assert_false (ch_users_set_role (f->admin, "admin", CH_ROLE_NURSE, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (ch_users_set_role (f->admin, "nobody", CH_ROLE_NURSE, &error));
  g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/auth/users/add-list", test_add_and_list);
  ADD ("/auth/users/permissions", test_permissions);
  ADD ("/auth/users/disable-enable", test_disable_enable);
  ADD ("/auth/users/last-admin", test_last_admin);
  ADD ("/auth/users/passwords", test_passwords);
  ADD ("/auth/users/role-change", test_role_change);

  return g_test_run ();
}
