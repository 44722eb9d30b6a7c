/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-lock"

#include "config.h"

#include "ch-demo.h"
#include "ch-lock-page.h"
#include "ch-main-page.h"
#include "ch-preferences-window.h"
#include "ch-ui-test-util.h"

typedef struct
{
  char       *dir;
  ChWindow   *window;
  ChLockPage *lock_page;
  GtkStack   *stack;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = ch_ui_test_make_demo ();
  f->window = ch_ui_test_window_new (f->dir);
  f->lock_page = CH_LOCK_PAGE (ch_ui_test_child (f->window, CH_TYPE_WINDOW, "lock_page"));
  f->stack = GTK_STACK (ch_ui_test_child (f->window, CH_TYPE_WINDOW, "stack"));
  ch_ui_test_window_sign_in (f->window, "doctor", CH_DEMO_PASSWORD);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ch_ui_test_window_destroy (f->window);
  ch_ui_test_remove_dir (f->dir);
  g_free (f->dir);
}

/* Locked: the session's key is wiped, the lock page is up, and the main
 * page with everything it showed is gone, not merely hidden. */
static void
assert_locked (Fixture   *f,
               GtkWidget **main_page)
{
  ChSession *session = ch_window_get_session (f->window);

  CH_UI_TEST_WAIT (g_strcmp0 (ch_window_get_page_name (f->window), "locked") == 0);
  g_assert_nonnull (session);
  g_assert_true (ch_session_get_locked (session));
  g_assert_null (ch_session_get_store (session));
  g_assert_null (ch_window_get_main_page (f->window));
  g_assert_null (gtk_stack_get_child_by_name (f->stack, "main"));
  g_assert_true (ch_lock_page_get_session (f->lock_page) == session);

  CH_UI_TEST_WAIT (*main_page == NULL);
}

static void
try_unlock (Fixture    *f,
            const char *password)
{
  ch_ui_test_set_text (ch_ui_test_child (f->lock_page, CH_TYPE_LOCK_PAGE, "password_row"),
                       password);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->lock_page), "lock.unlock", NULL));
  CH_UI_TEST_WAIT (!ch_lock_page_get_busy (f->lock_page));
}

static GtkWidget *
watch_main_page (Fixture *f)
{
  GtkWidget *page = ch_window_get_main_page (f->window);

  g_assert_true (CH_IS_MAIN_PAGE (page));
  return page;
}

/* win.lock locks; a wrong password keeps it locked; the right one opens a
 * fresh main page. */
static void
test_lock_and_unlock (Fixture       *f,
                      gconstpointer  data)
{
  GtkWidget *main_page = watch_main_page (f);
  GtkWidget *error_label = GTK_WIDGET (ch_ui_test_child (f->lock_page, CH_TYPE_LOCK_PAGE,
                                                         "error_label"));

  g_object_add_weak_pointer (G_OBJECT (main_page), (gpointer *) &main_page);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.lock", NULL));
  assert_locked (f, &main_page);

  try_unlock (f, "wrong password");
  g_assert_true (ch_session_get_locked (ch_window_get_session (f->window)));
  g_assert_cmpstr (ch_window_get_page_name (f->window), ==, "locked");
  g_assert_null (ch_window_get_main_page (f->window));
  g_assert_true (gtk_widget_get_visible (error_label));

  try_unlock (f, CH_DEMO_PASSWORD);
  CH_UI_TEST_WAIT (g_strcmp0 (ch_window_get_page_name (f->window), "main") == 0);
  g_assert_false (ch_session_get_locked (ch_window_get_session (f->window)));
  g_assert_nonnull (ch_session_get_store (ch_window_get_session (f->window)));
  g_assert_true (CH_IS_MAIN_PAGE (ch_window_get_main_page (f->window)));
  g_assert_false (gtk_widget_get_visible (error_label));
}

/* Without input the window locks by itself after the idle time. */
static void
test_lock_when_idle (Fixture       *f,
                     gconstpointer  data)
{
  GtkWidget *main_page = watch_main_page (f);

  g_object_add_weak_pointer (G_OBJECT (main_page), (gpointer *) &main_page);
  ch_window_set_idle_timeout_seconds (f->window, 1);

  /* Not at once. */
  ch_ui_test_spin (300);
  g_assert_cmpstr (ch_window_get_page_name (f->window), ==, "main");

  CH_UI_TEST_WAIT_UNTIL (g_strcmp0 (ch_window_get_page_name (f->window), "locked") == 0, 5000);
  assert_locked (f, &main_page);

  /* Unlocking starts the clock again. */
  try_unlock (f, CH_DEMO_PASSWORD);
  CH_UI_TEST_WAIT (g_strcmp0 (ch_window_get_page_name (f->window), "main") == 0);
  CH_UI_TEST_WAIT_UNTIL (g_strcmp0 (ch_window_get_page_name (f->window), "locked") == 0, 5000);
}

/* Locking closes the window's dialogs too. */
static void
test_lock_closes_dialogs (Fixture       *f,
                          gconstpointer  data)
{
  GtkWidget *main_page = watch_main_page (f);
  GtkWindow *preferences;

  g_object_add_weak_pointer (G_OBJECT (main_page), (gpointer *) &main_page);
  ch_window_show_preferences (f->window);
  preferences = ch_ui_test_find_toplevel (CH_TYPE_PREFERENCES_WINDOW, GTK_WINDOW (f->window));
  g_assert_nonnull (preferences);
  g_object_add_weak_pointer (G_OBJECT (preferences), (gpointer *) &preferences);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.lock", NULL);
  assert_locked (f, &main_page);
  CH_UI_TEST_WAIT (preferences == NULL);
}

/* "Sign in as someone else" ends the locked session after a confirmation. */
static void
test_lock_switch_user (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(ChSession) session = g_object_ref (ch_window_get_session (f->window));
  GtkWidget *main_page = watch_main_page (f);
  AdwMessageDialog *dialog;

  g_object_add_weak_pointer (G_OBJECT (main_page), (gpointer *) &main_page);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.lock", NULL);
  assert_locked (f, &main_page);

  /* Cancelled: still locked, same session. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->lock_page), "lock.switch-user", NULL));
  dialog = ADW_MESSAGE_DIALOG (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL));
  g_assert_nonnull (dialog);
  ch_ui_test_respond (dialog, "cancel");
  g_assert_cmpstr (ch_window_get_page_name (f->window), ==, "locked");
  g_assert_true (ch_window_get_session (f->window) == session);

  gtk_widget_activate_action (GTK_WIDGET (f->lock_page), "lock.switch-user", NULL);
  dialog = ADW_MESSAGE_DIALOG (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL));
  ch_ui_test_respond (dialog, "sign-out");

  CH_UI_TEST_WAIT (g_strcmp0 (ch_window_get_page_name (f->window), "login") == 0);
  g_assert_null (ch_window_get_session (f->window));
  g_assert_null (ch_lock_page_get_session (f->lock_page));

  /* The old session cannot be resumed. */
  g_assert_false (ch_session_unlock (session, CH_DEMO_PASSWORD, NULL));

  ch_ui_test_window_sign_in (f->window, "nurse", CH_DEMO_PASSWORD);
  g_assert_cmpstr (ch_session_get_username (ch_window_get_session (f->window)), ==, "nurse");
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

  g_test_add ("/ui/lock/lock-and-unlock", Fixture, NULL,
              fixture_set_up, test_lock_and_unlock, fixture_tear_down);
  g_test_add ("/ui/lock/when-idle", Fixture, NULL,
              fixture_set_up, test_lock_when_idle, fixture_tear_down);
  g_test_add ("/ui/lock/closes-dialogs", Fixture, NULL,
              fixture_set_up, test_lock_closes_dialogs, fixture_tear_down);
  g_test_add ("/ui/lock/switch-user", Fixture, NULL,
              fixture_set_up, test_lock_switch_user, fixture_tear_down);

  return g_test_run ();
}
