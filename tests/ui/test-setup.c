/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-setup"

#include "config.h"

#include <string.h>

#include "ch-keyring.h"
#include "ch-practice.h"
#include "ch-setup-page.h"
#include "ch-ui-test-util.h"

#define PASSWORD "correct horse battery"

typedef struct
{
  char        *tmp;
  char        *dir;
  ChWindow    *window;
  ChSetupPage *page;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->tmp = ch_ui_test_make_tmp_dir ();
  f->dir = g_build_filename (f->tmp, "practice", NULL);
  f->window = ch_ui_test_window_new (f->dir);
  f->page = CH_SETUP_PAGE (ch_ui_test_child (f->window, CH_TYPE_WINDOW, "setup_page"));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ch_ui_test_window_destroy (f->window);
  ch_ui_test_remove_dir (f->tmp);
  g_free (f->dir);
  g_free (f->tmp);
}

static GObject *
row (Fixture    *f,
     const char *name)
{
  return ch_ui_test_child (f->page, CH_TYPE_SETUP_PAGE, name);
}

static void
fill_form (Fixture    *f,
           const char *username,
           const char *password,
           const char *confirm)
{
  ch_ui_test_set_text (row (f, "name_row"), "Hillside Clinic");
  ch_ui_test_set_text (row (f, "address_row"), "1 Hill Street");
  ch_ui_test_set_text (row (f, "username_row"), username);
  ch_ui_test_set_text (row (f, "display_name_row"), "Dr. Boss");
  ch_ui_test_set_text (row (f, "password_row"), password);
  ch_ui_test_set_text (row (f, "confirm_row"), confirm);
}

static const char *
visible_step (Fixture *f)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (row (f, "steps")));
}

static void
create_and_wait (Fixture *f)
{
  gtk_widget_activate_action (GTK_WIDGET (f->page), "setup.create", NULL);
  CH_UI_TEST_WAIT (!ch_setup_page_get_busy (f->page));
}

/* Bad input is answered inline, and nothing is created. */
static void
test_setup_rejects_bad_input (Fixture       *f,
                              gconstpointer  data)
{
  GtkWidget *error_label = GTK_WIDGET (row (f, "error_label"));

  g_assert_cmpstr (ch_window_get_page_name (f->window), ==, "setup");

  fill_form (f, "boss", PASSWORD, "something else");
  create_and_wait (f);
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpstr (visible_step (f), ==, "form");
  g_assert_false (ch_practice_exists (f->dir));

  /* The controller's own validation message is shown. */
  fill_form (f, "Not A Name", PASSWORD, PASSWORD);
  create_and_wait (f);
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), !=, "");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row (f, "username_row")), "error"));
  g_assert_false (ch_practice_exists (f->dir));

  fill_form (f, "boss", "short", "short");
  create_and_wait (f);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row (f, "password_row")), "error"));
  g_assert_false (ch_practice_exists (f->dir));

  /* An empty practice name is refused by the controller, off the main thread. */
  fill_form (f, "boss", PASSWORD, PASSWORD);
  ch_ui_test_set_text (row (f, "name_row"), "  ");
  create_and_wait (f);
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpstr (visible_step (f), ==, "form");
  g_assert_false (ch_practice_exists (f->dir));
}

/* The assistant creates a practice whose administrator can sign in with the
 * password given, shows the recovery key once, and goes on to sign-in only
 * after the key has been acknowledged. */
static void
test_setup_creates_practice (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(ChPractice) practice = NULL;
  g_autoptr(ChSession) session = NULL;
  g_autoptr(ChSecret) master = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery_key = NULL;
  g_autofree char *practice_name = NULL;
  GtkLabel *key_label = GTK_LABEL (row (f, "recovery_label"));

  fill_form (f, "boss", PASSWORD, PASSWORD);
  create_and_wait (f);

  g_assert_cmpstr (visible_step (f), ==, "recovery");
  g_assert_true (ch_practice_exists (f->dir));

  recovery_key = g_strdup (gtk_label_get_text (key_label));
  g_assert_cmpuint (strlen (recovery_key), >=, 20);
  g_assert_true (gtk_label_get_selectable (key_label));

  /* No passwords left in the form. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row (f, "password_row"))), ==, "");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row (f, "confirm_row"))), ==, "");

  /* Not before the key has been acknowledged. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "setup.finish", NULL);
  ch_ui_test_spin (20);
  g_assert_cmpstr (ch_window_get_page_name (f->window), ==, "setup");

  gtk_check_button_set_active (GTK_CHECK_BUTTON (row (f, "confirm_check")), TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "setup.finish", NULL));
  CH_UI_TEST_WAIT (g_strcmp0 (ch_window_get_page_name (f->window), "login") == 0);

  /* Shown once: the key is gone from the widget. */
  g_assert_cmpstr (gtk_label_get_text (key_label), ==, "");

  practice = ch_practice_open (f->dir, &error);
  g_assert_no_error (error);

  session = ch_session_login (practice, "boss", PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ch_session_get_role (session), ==, CH_ROLE_ADMIN);
  g_assert_cmpstr (ch_session_get_display_name (session), ==, "Dr. Boss");
  practice_name = ch_session_get_practice_name (session);
  g_assert_cmpstr (practice_name, ==, "Hillside Clinic");
  ch_session_logout (session);

  /* The key that was shown opens the practice. */
  master = ch_keyring_unlock_recovery (ch_practice_get_keyring (practice), recovery_key, &error);
  g_assert_no_error (error);
  g_assert_nonnull (master);

  /* And the window signs the administrator in. */
  ch_ui_test_window_sign_in (f->window, "boss", PASSWORD);
  g_assert_cmpstr (ch_session_get_username (ch_window_get_session (f->window)), ==, "boss");
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

  g_test_add ("/ui/setup/rejects-bad-input", Fixture, NULL,
              fixture_set_up, test_setup_rejects_bad_input, fixture_tear_down);
  g_test_add ("/ui/setup/creates-practice", Fixture, NULL,
              fixture_set_up, test_setup_creates_practice, fixture_tear_down);

  return g_test_run ();
}
