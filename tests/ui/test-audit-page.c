/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-audit-page"

#include "config.h"

#include <string.h>

#include "ch-audit.h"
#include "ch-audit-page.h"
#include "ch-demo.h"
#include "ch-ui-test-util.h"

typedef struct
{
  char        *dir;
  ChSession   *session;
  GtkWindow   *window;
  ChAuditPage *page;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = ch_ui_test_make_demo ();
  f->session = ch_ui_test_login (f->dir, "manager", CH_DEMO_PASSWORD);
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 1000, 600);
  f->page = CH_AUDIT_PAGE (ch_audit_page_new (f->session));
  gtk_window_set_child (f->window, GTK_WIDGET (f->page));
  gtk_window_present (f->window);
  ch_ui_test_spin (50);
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

static GObject *
child (Fixture    *f,
       const char *name)
{
  return ch_ui_test_child (f->page, CH_TYPE_AUDIT_PAGE, name);
}

static guint
n_shown (Fixture *f)
{
  return g_list_model_get_n_items (G_LIST_MODEL (ch_audit_page_get_model (f->page)));
}

static guint
n_matching (Fixture             *f,
            const ChAuditFilter *filter)
{
  g_autoptr(ChAuditModel) model = ch_audit_model_new (f->session, NULL);

  g_assert_nonnull (model);
  ch_audit_model_set_filter (model, filter);
  return g_list_model_get_n_items (G_LIST_MODEL (model));
}

static guint
action_index (const char *action)
{
  const char * const *actions = ch_audit_actions ();

  for (guint i = 0; actions[i] != NULL; i++)
    if (g_str_equal (actions[i], action))
      return i + 1;  /* after "Any Action" */

  g_assert_not_reached ();
}

static const char *
visible_page (Fixture *f)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (child (f, "stack")));
}

/* The page shows the whole trail, and the filters narrow it exactly as the
 * controller's filter does. */
static void
test_audit_filters (Fixture       *f,
                    gconstpointer  data)
{
  ChAuditFilter by_action = { .action = CH_AUDIT_LOGIN };
  ChAuditFilter by_user = { .username = "manager" };
  GtkDropDown *user_dropdown = GTK_DROP_DOWN (child (f, "user_dropdown"));
  GtkDropDown *action_dropdown = GTK_DROP_DOWN (child (f, "action_dropdown"));
  GtkStringList *users = GTK_STRING_LIST (child (f, "user_list"));
  GtkWidget *patient_entry = GTK_WIDGET (child (f, "patient_entry"));
  GtkWidget *from_entry = GTK_WIDGET (child (f, "from_entry"));
  guint all = n_matching (f, NULL);
  guint manager_index = GTK_INVALID_LIST_POSITION;

  g_assert_cmpuint (all, >, 0);
  g_assert_cmpuint (n_shown (f), ==, all);
  g_assert_cmpstr (visible_page (f), ==, "list");

  gtk_drop_down_set_selected (action_dropdown, action_index (CH_AUDIT_LOGIN));
  g_assert_cmpuint (n_shown (f), ==, n_matching (f, &by_action));
  g_assert_cmpuint (n_shown (f), <, all);

  gtk_drop_down_set_selected (action_dropdown, 0);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (users)); i++)
    if (g_str_equal (gtk_string_list_get_string (users, i), "manager"))
      manager_index = i;
  g_assert_cmpuint (manager_index, !=, GTK_INVALID_LIST_POSITION);
  gtk_drop_down_set_selected (user_dropdown, manager_index);
  g_assert_cmpuint (n_shown (f), ==, n_matching (f, &by_user));

  /* Bad input is marked and leaves the list as it was. */
  ch_ui_test_set_text (patient_entry, "twelve");
  gtk_widget_activate_action (GTK_WIDGET (f->page), "audit.apply-filter", NULL);
  g_assert_true (gtk_widget_has_css_class (patient_entry, "error"));
  g_assert_cmpuint (n_shown (f), ==, n_matching (f, &by_user));
  ch_ui_test_set_text (patient_entry, "");

  ch_ui_test_set_text (from_entry, "2026-02-30");
  gtk_widget_activate_action (GTK_WIDGET (f->page), "audit.apply-filter", NULL);
  g_assert_true (gtk_widget_has_css_class (from_entry, "error"));

  /* Nothing happened after the end of time. */
  ch_ui_test_set_text (from_entry, "2999-01-01");
  gtk_widget_activate_action (GTK_WIDGET (f->page), "audit.apply-filter", NULL);
  g_assert_false (gtk_widget_has_css_class (from_entry, "error"));
  g_assert_cmpuint (n_shown (f), ==, 0);
  g_assert_cmpstr (visible_page (f), ==, "empty");

  gtk_widget_activate_action (GTK_WIDGET (f->page), "audit.clear-filter", NULL);
  g_assert_cmpuint (n_shown (f), ==, all);
  g_assert_cmpstr (visible_page (f), ==, "list");
  ch_ui_test_spin (50);
}

/* "Verify chain" runs the controller's check and shows that it held. */
static void
test_audit_verify (Fixture       *f,
                   gconstpointer  data)
{
  GtkWidget *label = GTK_WIDGET (child (f, "verify_label"));

  g_assert_false (gtk_widget_get_visible (label));
  gtk_widget_activate_action (GTK_WIDGET (f->page), "audit.verify", NULL);
  g_assert_true (ch_audit_page_get_busy (f->page));
  CH_UI_TEST_WAIT (!ch_audit_page_get_busy (f->page));

  g_assert_true (gtk_widget_get_visible (label));
  g_assert_true (gtk_widget_has_css_class (label, "success"));
  g_assert_false (gtk_widget_has_css_class (label, "error"));
  g_assert_cmpstr (visible_page (f), ==, "list");
}

/* Export writes the filtered trail as CSV and is itself audited. */
static void
test_audit_export (Fixture       *f,
                   gconstpointer  data)
{
  ChAuditFilter by_export = { .action = CH_AUDIT_EXPORT };
  g_autofree char *path = g_build_filename (f->dir, "export.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  gtk_drop_down_set_selected (GTK_DROP_DOWN (child (f, "action_dropdown")),
                              action_index (CH_AUDIT_LOGIN));
  g_assert_cmpuint (n_matching (f, &by_export), ==, 0);

  ch_audit_page_export_to (f->page, file);
  g_assert_true (ch_audit_page_get_busy (f->page));
  CH_UI_TEST_WAIT (!ch_audit_page_get_busy (f->page));

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\r\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "id,"));
  for (guint i = 1; lines[i] != NULL && *lines[i] != '\0'; i++)
    g_assert_nonnull (strstr (lines[i], ",login,"));

  g_assert_cmpuint (n_matching (f, &by_export), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

  g_test_add ("/ui/audit/filters", Fixture, NULL,
              fixture_set_up, test_audit_filters, fixture_tear_down);
  g_test_add ("/ui/audit/verify", Fixture, NULL,
              fixture_set_up, test_audit_verify, fixture_tear_down);
  g_test_add ("/ui/audit/export", Fixture, NULL,
              fixture_set_up, test_audit_export, fixture_tear_down);

  return g_test_run ();
}
