/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-users"

#include "config.h"

#include "ch-demo.h"
#include "ch-practice.h"
#include "ch-user-dialog.h"
#include "ch-user-item.h"
#include "ch-users-page.h"
#include "ch-users.h"
#include "ch-ui-test-util.h"

#define NEW_PASSWORD "a new long password"

typedef struct
{
  char        *dir;
  ChSession   *session;
  GtkWindow   *window;
  ChUsersPage *page;
} Fixture;

static void
fixture_set_up_as (Fixture    *f,
                   const char *username)
{
  f->dir = ch_ui_test_make_demo ();
  f->session = ch_ui_test_login (f->dir, username, CH_DEMO_PASSWORD);
  f->window = GTK_WINDOW (gtk_window_new ());
  f->page = CH_USERS_PAGE (ch_users_page_new (f->session));
  gtk_window_set_child (f->window, GTK_WIDGET (f->page));
  gtk_window_present (f->window);
  ch_ui_test_spin (20);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  fixture_set_up_as (f, data != NULL ? data : "admin");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_object_ref (f->window);
  gtk_window_destroy (f->window);
  ch_ui_test_spin (20);
  g_assert_finalize_object (f->window);

  ch_session_logout (f->session);
  g_assert_finalize_object (f->session);

  ch_ui_test_remove_dir (f->dir);
  g_free (f->dir);
}

static ChUserItem *
find_item (Fixture    *f,
           const char *username)
{
  GListModel *users = ch_users_page_get_users (f->page);

  for (guint i = 0; i < g_list_model_get_n_items (users); i++)
    {
      g_autoptr(ChUserItem) item = g_list_model_get_item (users, i);

      if (g_strcmp0 (ch_user_item_get_username (item), username) == 0)
        return item;
    }

  return NULL;
}

static ChUserRecord *
stored_user (Fixture    *f,
             const char *username)
{
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GError) error = NULL;

  users = ch_users_list (f->session, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < users->len; i++)
    {
      ChUserRecord *user = g_ptr_array_index (users, i);

      if (g_strcmp0 (user->username, username) == 0)
        {
          ChUserRecord *copy = g_new0 (ChUserRecord, 1);

          copy->username = g_strdup (user->username);
          copy->display_name = g_strdup (user->display_name);
          copy->role = g_strdup (user->role);
          copy->disabled = user->disabled;
          return copy;
        }
    }

  return NULL;
}

static gboolean
can_login (Fixture    *f,
           const char *username,
           const char *password,
           ChRole     *out_role)
{
  g_autoptr(ChPractice) practice = ch_practice_open (f->dir, NULL);
  g_autoptr(ChSession) session = NULL;

  session = ch_session_login (practice, username, password, NULL);
  if (session == NULL)
    return FALSE;

  if (out_role != NULL)
    *out_role = ch_session_get_role (session);
  ch_session_logout (session);

  return TRUE;
}

/* Opens the dialog of @action for the selected user. */
static ChUserDialog *
open_dialog (Fixture    *f,
             const char *action)
{
  ChUserDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), action, NULL));
  ch_ui_test_spin (20);
  dialog = CH_USER_DIALOG (ch_ui_test_find_toplevel (CH_TYPE_USER_DIALOG, f->window));
  g_assert_nonnull (dialog);

  return dialog;
}

static GObject *
field (ChUserDialog *dialog,
       const char   *name)
{
  return ch_ui_test_child (dialog, CH_TYPE_USER_DIALOG, name);
}

/* Accepts @dialog; returns whether it closed (the change was stored). */
static gboolean
accept (Fixture      *f,
        ChUserDialog *dialog)
{
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "user-dialog.accept", NULL));
  CH_UI_TEST_WAIT (dialog == NULL || !ch_user_dialog_get_busy (dialog));
  ch_ui_test_spin (20);

  if (dialog == NULL)
    return TRUE;

  g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  return FALSE;
}

static void
select_user (Fixture    *f,
             const char *username)
{
  g_assert_true (ch_users_page_select (f->page, username));
}

/* The list shows every user of the practice, with role and status. */
static void
test_users_list (Fixture       *f,
                 gconstpointer  data)
{
  const char *names[] = { "admin", "doctor", "nurse", "frontdesk", "manager" };
  ChUserItem *nurse;

  g_assert_cmpuint (g_list_model_get_n_items (ch_users_page_get_users (f->page)), ==, 5);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_nonnull (find_item (f, names[i]));

  nurse = find_item (f, "nurse");
  g_assert_cmpstr (ch_user_item_get_role (nurse), ==, "nurse");
  g_assert_cmpstr (ch_user_item_get_role_label (nurse), ==, ch_role_get_label (CH_ROLE_NURSE));
  g_assert_false (ch_user_item_get_disabled (nurse));

  /* Commands on a user wait for one to be selected. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "users.disable", NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->page), "users.reset-password", NULL);
  ch_ui_test_spin (20);
  g_assert_null (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, f->window));
  g_assert_null (ch_ui_test_find_toplevel (CH_TYPE_USER_DIALOG, f->window));
}

/* users.add stores a user who can then sign in with the role chosen; a
 * mismatch or a bad name keeps the dialog open with the reason. */
static void
test_users_add (Fixture       *f,
                gconstpointer  data)
{
  ChUserDialog *dialog = open_dialog (f, "users.add");
  g_autoptr(ChUserRecord) stored = NULL;
  GtkWidget *error_label = GTK_WIDGET (field (dialog, "error_label"));
  ChRole role = CH_ROLE_NURSE;

  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (field (dialog, "current_row"))));

  ch_ui_test_set_text (field (dialog, "username_row"), "locum");
  ch_ui_test_set_text (field (dialog, "display_name_row"), "Dr. Locum");
  adw_combo_row_set_selected (ADW_COMBO_ROW (field (dialog, "role_row")), CH_ROLE_PHYSICIAN);
  ch_ui_test_set_text (field (dialog, "password_row"), NEW_PASSWORD);
  ch_ui_test_set_text (field (dialog, "confirm_row"), "something else");
  g_assert_false (accept (f, dialog));
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_null (find_item (f, "locum"));

  ch_ui_test_set_text (field (dialog, "username_row"), "Dr Locum");
  ch_ui_test_set_text (field (dialog, "confirm_row"), NEW_PASSWORD);
  g_assert_false (accept (f, dialog));
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_null (stored_user (f, "Dr Locum"));

  ch_ui_test_set_text (field (dialog, "username_row"), "locum");
  g_assert_true (accept (f, dialog));

  g_assert_nonnull (find_item (f, "locum"));
  stored = stored_user (f, "locum");
  g_assert_nonnull (stored);
  g_assert_cmpstr (stored->display_name, ==, "Dr. Locum");
  g_assert_cmpstr (stored->role, ==, "physician");
  g_assert_true (can_login (f, "locum", NEW_PASSWORD, &role));
  g_assert_cmpint (role, ==, CH_ROLE_PHYSICIAN);
}

/* users.disable asks first; once confirmed the account cannot sign in. */
static void
test_users_disable_and_enable (Fixture       *f,
                               gconstpointer  data)
{
  AdwMessageDialog *confirm;
  ChUserDialog *dialog;
  g_autoptr(ChUserRecord) stored = NULL;

  select_user (f, "nurse");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "users.disable", NULL));
  confirm = ADW_MESSAGE_DIALOG (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, f->window));
  g_assert_nonnull (confirm);
  ch_ui_test_respond (confirm, "cancel");
  g_assert_true (can_login (f, "nurse", CH_DEMO_PASSWORD, NULL));

  gtk_widget_activate_action (GTK_WIDGET (f->page), "users.disable", NULL);
  confirm = ADW_MESSAGE_DIALOG (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, f->window));
  ch_ui_test_respond (confirm, "disable");
  CH_UI_TEST_WAIT (!ch_users_page_get_busy (f->page));

  stored = stored_user (f, "nurse");
  g_assert_true (stored->disabled);
  g_assert_true (ch_user_item_get_disabled (find_item (f, "nurse")));
  g_assert_false (can_login (f, "nurse", CH_DEMO_PASSWORD, NULL));

  /* Still selected; now it can only be enabled. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "users.disable", NULL);
  ch_ui_test_spin (20);
  g_assert_null (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, f->window));
  dialog = open_dialog (f, "users.enable");
  ch_ui_test_set_text (field (dialog, "password_row"), NEW_PASSWORD);
  ch_ui_test_set_text (field (dialog, "confirm_row"), NEW_PASSWORD);
  g_assert_true (accept (f, dialog));

  g_assert_false (ch_user_item_get_disabled (find_item (f, "nurse")));
  g_assert_true (can_login (f, "nurse", NEW_PASSWORD, NULL));
}

/* users.reset-password gives another user a new password. */
static void
test_users_reset_password (Fixture       *f,
                           gconstpointer  data)
{
  ChUserDialog *dialog;

  select_user (f, "frontdesk");
  dialog = open_dialog (f, "users.reset-password");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (field (dialog, "current_row"))));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (field (dialog, "username_row"))));

  /* Too short: the controller says so and nothing changes. */
  ch_ui_test_set_text (field (dialog, "password_row"), "short");
  ch_ui_test_set_text (field (dialog, "confirm_row"), "short");
  g_assert_false (accept (f, dialog));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (field (dialog, "error_label"))));
  g_assert_true (can_login (f, "frontdesk", CH_DEMO_PASSWORD, NULL));

  ch_ui_test_set_text (field (dialog, "password_row"), NEW_PASSWORD);
  ch_ui_test_set_text (field (dialog, "confirm_row"), NEW_PASSWORD);
  g_assert_true (accept (f, dialog));

  g_assert_true (can_login (f, "frontdesk", NEW_PASSWORD, NULL));
  g_assert_false (can_login (f, "frontdesk", CH_DEMO_PASSWORD, NULL));
}

/* users.change-role gives a user another role. */
static void
test_users_change_role (Fixture       *f,
                        gconstpointer  data)
{
  ChUserDialog *dialog;
  ChRole role = CH_ROLE_NURSE;

  select_user (f, "frontdesk");
  dialog = open_dialog (f, "users.change-role");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (field (dialog, "password_row"))));
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (field (dialog, "role_row"))), ==,
                    CH_ROLE_FRONT_DESK);
  adw_combo_row_set_selected (ADW_COMBO_ROW (field (dialog, "role_row")), CH_ROLE_MANAGER);
  g_assert_true (accept (f, dialog));

  g_assert_cmpstr (ch_user_item_get_role (find_item (f, "frontdesk")), ==, "manager");
  g_assert_true (can_login (f, "frontdesk", CH_DEMO_PASSWORD, &role));
  g_assert_cmpint (role, ==, CH_ROLE_MANAGER);
}

/* A role without user administration gets the controller's refusal, not a
 * list. */
static void
test_users_refused (Fixture       *f,
                    gconstpointer  data)
{
  GtkStack *stack = GTK_STACK (ch_ui_test_child (f->page, CH_TYPE_USERS_PAGE, "stack"));

  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "error");
  g_assert_cmpuint (g_list_model_get_n_items (ch_users_page_get_users (f->page)), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

  g_test_add ("/ui/users/list", Fixture, NULL,
              fixture_set_up, test_users_list, fixture_tear_down);
  g_test_add ("/ui/users/add", Fixture, NULL,
              fixture_set_up, test_users_add, fixture_tear_down);
  g_test_add ("/ui/users/disable-and-enable", Fixture, NULL,
              fixture_set_up, test_users_disable_and_enable, fixture_tear_down);
  g_test_add ("/ui/users/reset-password", Fixture, NULL,
              fixture_set_up, test_users_reset_password, fixture_tear_down);
  g_test_add ("/ui/users/change-role", Fixture, "manager",
              fixture_set_up, test_users_change_role, fixture_tear_down);
  g_test_add ("/ui/users/refused", Fixture, "nurse",
              fixture_set_up, test_users_refused, fixture_tear_down);

  return g_test_run ();
}
