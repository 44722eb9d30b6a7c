/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-gate"

#include "config.h"

#include "ch-audit.h"
#include "ch-audit-page.h"
#include "ch-demo.h"
#include "ch-main-page.h"
#include "ch-preferences-window.h"
#include "ch-ui.h"
#include "ch-ui-test-util.h"
#include "ch-user-dialog.h"
#include "ch-users-page.h"

/* The session's gate (ch-ui.c): while a worker uses the session's store,
 * nothing else does. The checks right after a worker starts need no slow
 * worker: the gate stays closed until the main loop has seen the worker
 * return, and these checks do not iterate it. */

typedef struct
{
  char       *dir;
  ChWindow   *window;
  ChSession  *session;
  ChMainPage *main_page;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = ch_ui_test_make_demo ();
  f->window = ch_ui_test_window_new (f->dir);
  ch_ui_test_window_sign_in (f->window, "manager", CH_DEMO_PASSWORD);
  f->session = ch_window_get_session (f->window);
  f->main_page = CH_MAIN_PAGE (ch_window_get_main_page (f->window));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ch_ui_test_window_destroy (f->window);
  ch_ui_test_remove_dir (f->dir);
  g_free (f->dir);
}

static GtkWidget *
main_child (Fixture    *f,
            const char *name)
{
  return GTK_WIDGET (ch_ui_test_child (f->main_page, CH_TYPE_MAIN_PAGE, name));
}

static GtkWidget *
show_section (Fixture    *f,
              const char *name)
{
  gtk_widget_activate_action (GTK_WIDGET (f->main_page), "main.show-section", "s", name);
  g_assert_cmpstr (ch_main_page_get_visible_section (f->main_page), ==, name);

  return ch_main_page_get_section_widget (f->main_page, name);
}

static GtkListBoxRow *
nav_row (Fixture    *f,
         const char *name)
{
  for (GtkWidget *row = gtk_widget_get_first_child (main_child (f, "nav_list"));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (gtk_widget_get_name (row), name) == 0)
      return GTK_LIST_BOX_ROW (row);

  g_assert_not_reached ();
}

/* The main page while the gate is closed or open. */
static void
assert_main_page_open (Fixture  *f,
                       gboolean  open)
{
  g_assert_cmpint (gtk_widget_is_sensitive (main_child (f, "nav_list")), ==, open);
  g_assert_cmpint (gtk_widget_is_sensitive (main_child (f, "content_stack")), ==, open);
  g_assert_cmpint (gtk_widget_is_sensitive (main_child (f, "user_button")), ==, open);
  g_assert_cmpint (gtk_widget_get_visible (main_child (f, "gate_spinner")), ==, !open);
}

static guint
count_action (ChSession  *session,
              const char *action)
{
  ChAuditFilter filter = { .action = action };
  g_autoptr(ChAuditModel) model = ch_audit_model_new (session, NULL);

  g_assert_nonnull (model);
  ch_audit_model_set_filter (model, &filter);

  return g_list_model_get_n_items (G_LIST_MODEL (model));
}

/* The trail as another session reads it from the file: unbroken, with the
 * given number of entries of @action. */
static void
assert_trail (Fixture    *f,
              const char *action,
              guint       expected)
{
  g_autoptr(ChSession) fresh = ch_ui_test_login (f->dir, "admin", CH_DEMO_PASSWORD);
  g_autoptr(GError) error = NULL;
  gint64 n = 0;

  g_assert_true (ch_audit_verify (ch_session_get_store (fresh), &n, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n, >, 0);
  g_assert_cmpuint (count_action (fresh, action), ==, expected);

  ch_session_logout (fresh);
}

static void
never_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  g_assert_not_reached ();
}

static void
refused_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError **error = user_data;

  g_assert_false (g_task_propagate_boolean (G_TASK (result), error));
}

/* Exporting the audit log closes the main page until the export is done:
 * no other area opens, the window's commands that use the session do
 * nothing, and a second worker is refused. The trail stays whole, with the
 * export recorded once. */
static void
test_gate_export (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "export.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) refused = NULL;
  g_autoptr(GTask) second = NULL;
  ChAuditPage *audit;
  GtkWidget *users;
  guint break_glass;
  guint logouts;

  audit = CH_AUDIT_PAGE (show_section (f, "audit"));
  g_assert_nonnull (audit);
  g_assert_cmpuint (count_action (f->session, CH_AUDIT_EXPORT), ==, 0);
  break_glass = count_action (f->session, CH_AUDIT_BREAK_GLASS);
  logouts = count_action (f->session, CH_AUDIT_LOGOUT);
  assert_main_page_open (f, TRUE);
  g_assert_false (ch_ui_session_is_busy (f->session));

  ch_audit_page_export_to (audit, file);
  g_assert_true (ch_audit_page_get_busy (audit));
  g_assert_true (ch_ui_session_is_busy (f->session));
  assert_main_page_open (f, FALSE);

  /* Neither by its shortcut nor by selecting its row does another area
   * open: the users page, which lists the users from the store, is not
   * built. */
  gtk_widget_activate_action (GTK_WIDGET (f->main_page), "main.show-section", "s", "users");
  gtk_list_box_select_row (GTK_LIST_BOX (main_child (f, "nav_list")), nav_row (f, "users"));
  g_assert_cmpstr (ch_main_page_get_visible_section (f->main_page), ==, "audit");
  g_assert_null (ch_main_page_get_section_widget (f->main_page, "users"));

  /* The window's commands wait too. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.break-glass", NULL);
  g_assert_null (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL));
  ch_window_show_preferences (f->window);
  g_assert_null (ch_ui_test_find_toplevel (CH_TYPE_PREFERENCES_WINDOW, NULL));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.logout", NULL);
  g_assert_true (ch_window_get_session (f->window) == f->session);
  g_assert_nonnull (ch_session_get_store (f->session));

  /* And the gate itself refuses a second worker. */
  second = ch_ui_session_task_new (f->session, NULL, NULL, refused_done, &refused);
  g_test_expect_message ("ch-ui", G_LOG_LEVEL_CRITICAL, "*a second one was refused*");
  g_assert_false (ch_ui_session_run_task (second, never_thread));
  g_test_assert_expected_messages ();

  CH_UI_TEST_WAIT (!ch_audit_page_get_busy (audit));
  CH_UI_TEST_WAIT (refused != NULL);
  g_assert_error (refused, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_assert_false (ch_ui_session_is_busy (f->session));
  assert_main_page_open (f, TRUE);

  /* The row chosen meanwhile opens now. */
  CH_UI_TEST_WAIT (g_strcmp0 (ch_main_page_get_visible_section (f->main_page), "users") == 0);
  users = ch_main_page_get_section_widget (f->main_page, "users");
  g_assert_true (CH_IS_USERS_PAGE (users));
  g_assert_cmpuint (g_list_model_get_n_items (ch_users_page_get_users (CH_USERS_PAGE (users))),
                    >, 0);

  g_assert_true (g_file_query_exists (file, NULL));
  g_assert_cmpuint (count_action (f->session, CH_AUDIT_EXPORT), ==, 1);
  g_assert_cmpuint (count_action (f->session, CH_AUDIT_BREAK_GLASS), ==, break_glass);
  g_assert_cmpuint (count_action (f->session, CH_AUDIT_LOGOUT), ==, logouts);
  assert_trail (f, CH_AUDIT_EXPORT, 1);
}

/* While "Verify Chain" runs, the users page's commands do nothing, and a
 * lock asked for waits for the worker, then happens once. */
static void
test_gate_verify_then_lock (Fixture       *f,
                            gconstpointer  data)
{
  GtkWidget *users;
  GtkWidget *audit;
  guint locks;

  users = show_section (f, "users");
  g_assert_true (CH_IS_USERS_PAGE (users));
  audit = show_section (f, "audit");
  g_assert_true (CH_IS_AUDIT_PAGE (audit));
  locks = count_action (f->session, CH_AUDIT_LOCK);

  g_assert_true (gtk_widget_activate_action (audit, "audit.verify", NULL));
  g_assert_true (ch_ui_session_is_busy (f->session));
  assert_main_page_open (f, FALSE);

  gtk_widget_activate_action (users, "users.add", NULL);
  g_assert_null (ch_ui_test_find_toplevel (CH_TYPE_USER_DIALOG, NULL));
  gtk_widget_activate_action (audit, "audit.export", NULL);
  g_assert_null (ch_ui_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG, NULL));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.lock", NULL);
  g_assert_cmpstr (ch_window_get_page_name (f->window), ==, "main");
  g_assert_false (ch_session_get_locked (f->session));
  g_assert_nonnull (ch_session_get_store (f->session));

  CH_UI_TEST_WAIT (g_strcmp0 (ch_window_get_page_name (f->window), "locked") == 0);
  g_assert_false (ch_ui_session_is_busy (f->session));
  g_assert_true (ch_session_get_locked (f->session));
  g_assert_null (ch_window_get_main_page (f->window));

  assert_trail (f, CH_AUDIT_LOCK, locks + 1);
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

  g_test_add ("/ui/gate/export", Fixture, NULL,
              fixture_set_up, test_gate_export, fixture_tear_down);
  g_test_add ("/ui/gate/verify-then-lock", Fixture, NULL,
              fixture_set_up, test_gate_verify_then_lock, fixture_tear_down);

  return g_test_run ();
}
