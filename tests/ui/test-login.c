/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-login"

#include "config.h"

#include "ch-demo.h"
#include "ch-login-page.h"
#include "ch-main-page.h"
#include "ch-users.h"
#include "ch-ui-test-util.h"

typedef struct
{
  char        *dir;
  ChWindow    *window;
  ChLoginPage *page;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = ch_ui_test_make_demo ();
  f->window = ch_ui_test_window_new (f->dir);
  f->page = CH_LOGIN_PAGE (ch_ui_test_child (f->window, CH_TYPE_WINDOW, "login_page"));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ch_ui_test_window_destroy (f->window);
  ch_ui_test_remove_dir (f->dir);
  g_free (f->dir);
}

static GObject *
child (Fixture    *f,
       const char *name)
{
  return ch_ui_test_child (f->page, CH_TYPE_LOGIN_PAGE, name);
}

static void
attempt (Fixture    *f,
         const char *username,
         const char *password)
{
  ch_ui_test_set_text (child (f, "username_row"), username);
  ch_ui_test_set_text (child (f, "password_row"), password);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "login.sign-in", NULL));
  g_assert_true (ch_login_page_get_busy (f->page));
  CH_UI_TEST_WAIT (!ch_login_page_get_busy (f->page));
}

/* A wrong password keeps the window at sign-in and says so; the password
 * field is emptied. */
static void
test_login_wrong_password (Fixture       *f,
                           gconstpointer  data)
{
  GtkLabel *error_label = GTK_LABEL (child (f, "error_label"));

  g_assert_cmpstr (ch_window_get_page_name (f->window), ==, "login");

  attempt (f, "doctor", "not the password");

  g_assert_cmpstr (ch_window_get_page_name (f->window), ==, "login");
  g_assert_null (ch_window_get_session (f->window));
  g_assert_null (ch_window_get_main_page (f->window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_cmpstr (gtk_label_get_text (error_label), !=, "");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (f, "password_row"))), ==, "");
}

/* Repeated failures are slowed down, and the page says to wait. */
static void
test_login_throttled (Fixture       *f,
                      gconstpointer  data)
{
  GtkLabel *error_label = GTK_LABEL (child (f, "error_label"));
  g_autofree char *first = NULL;

  attempt (f, "nurse", "wrong password 1");
  first = g_strdup (gtk_label_get_text (error_label));

  for (guint i = 2; i <= 6; i++)
    {
      g_autofree char *password = g_strdup_printf ("wrong password %u", i);

      attempt (f, "nurse", password);
    }

  g_assert_cmpstr (ch_window_get_page_name (f->window), ==, "login");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  /* Not the same message as a plain wrong password. */
  g_assert_cmpstr (gtk_label_get_text (error_label), !=, first);

  /* Even the right password waits now. */
  attempt (f, "nurse", CH_DEMO_PASSWORD);
  g_assert_cmpstr (ch_window_get_page_name (f->window), ==, "login");
  g_assert_null (ch_window_get_session (f->window));
}

/* The right password opens the main page with that user's session, and the
 * password is not left in the entry. */
static void
test_login_success (Fixture       *f,
                    gconstpointer  data)
{
  ChSession *session;

  attempt (f, "doctor", CH_DEMO_PASSWORD);

  CH_UI_TEST_WAIT (g_strcmp0 (ch_window_get_page_name (f->window), "main") == 0);
  session = ch_window_get_session (f->window);
  g_assert_nonnull (session);
  g_assert_cmpstr (ch_session_get_username (session), ==, "doctor");
  g_assert_cmpint (ch_session_get_role (session), ==, CH_ROLE_PHYSICIAN);
  g_assert_false (ch_session_get_locked (session));
  g_assert_true (CH_IS_MAIN_PAGE (ch_window_get_main_page (f->window)));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (f, "password_row"))), ==, "");
}

/* A disabled account cannot sign in, with its old password or any. */
static void
test_login_disabled (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(ChSession) admin = ch_ui_test_login (f->dir, "admin", CH_DEMO_PASSWORD);
  g_autoptr(GError) error = NULL;
  GtkLabel *error_label = GTK_LABEL (child (f, "error_label"));

  ch_users_disable (admin, "frontdesk", &error);
  g_assert_no_error (error);
  ch_session_logout (admin);

  attempt (f, "frontdesk", CH_DEMO_PASSWORD);
  g_assert_cmpstr (ch_window_get_page_name (f->window), ==, "login");
  g_assert_null (ch_window_get_session (f->window));
  g_assert_null (ch_window_get_main_page (f->window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_cmpstr (gtk_label_get_text (error_label), !=, "");
}

/* Enter in the password field signs in. */
static void
test_login_enter_activates (Fixture       *f,
                            gconstpointer  data)
{
  GObject *password_row = child (f, "password_row");

  ch_ui_test_set_text (child (f, "username_row"), "manager");
  ch_ui_test_set_text (password_row, CH_DEMO_PASSWORD);
  g_signal_emit_by_name (password_row, "entry-activated");

  CH_UI_TEST_WAIT (g_strcmp0 (ch_window_get_page_name (f->window), "main") == 0);
  g_assert_cmpstr (ch_session_get_username (ch_window_get_session (f->window)), ==, "manager");
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

  g_test_add ("/ui/login/wrong-password", Fixture, NULL,
              fixture_set_up, test_login_wrong_password, fixture_tear_down);
  g_test_add ("/ui/login/throttled", Fixture, NULL,
              fixture_set_up, test_login_throttled, fixture_tear_down);
  g_test_add ("/ui/login/success", Fixture, NULL,
              fixture_set_up, test_login_success, fixture_tear_down);
  g_test_add ("/ui/login/disabled", Fixture, NULL,
              fixture_set_up, test_login_disabled, fixture_tear_down);
  g_test_add ("/ui/login/enter-activates", Fixture, NULL,
              fixture_set_up, test_login_enter_activates, fixture_tear_down);

  return g_test_run ();
}
