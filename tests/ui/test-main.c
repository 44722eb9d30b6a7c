/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-main"

#include "config.h"

#include <string.h>

#include "ch-demo.h"
#include "ch-main-page.h"
#include "ch-preferences-window.h"
#include "ch-ui-test-util.h"

typedef struct
{
  char     *dir;
  ChWindow *window;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = ch_ui_test_make_demo ();
  f->window = ch_ui_test_window_new (f->dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ch_ui_test_window_destroy (f->window);
  ch_ui_test_remove_dir (f->dir);
  g_free (f->dir);
}

static ChMainPage *
main_page (Fixture *f)
{
  GtkWidget *page = ch_window_get_main_page (f->window);

  g_assert_true (CH_IS_MAIN_PAGE (page));
  return CH_MAIN_PAGE (page);
}

static char *
sections_of (Fixture *f)
{
  g_auto(GStrv) sections = ch_main_page_dup_sections (main_page (f));

  return g_strjoinv (",", sections);
}

/* Each role sees exactly the areas the permission table gives it. */
static void
test_main_navigation_by_role (Fixture       *f,
                              gconstpointer  data)
{
  static const struct { const char *user; const char *sections; } cases[] = {
    { "nurse", "patients,refills,schedule,today,lists,imaging,labs" },
    { "doctor", "patients,refills,schedule,today,lists,billing,reports,imaging,labs" },
    { "frontdesk", "patients,schedule,today,lists,billing" },
    { "manager", "patients,schedule,today,lists,billing,reports,users,audit,backups" },
    { "admin", "reports,users,audit,backups" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *sections = NULL;

      ch_ui_test_window_sign_in (f->window, cases[i].user, CH_DEMO_PASSWORD);
      sections = sections_of (f);
      g_assert_cmpstr (sections, ==, cases[i].sections);

      /* The first area is open. */
      g_assert_true (g_str_has_prefix (cases[i].sections,
                                       ch_main_page_get_visible_section (main_page (f))));

      /* A hidden area cannot be reached by its shortcut either. */
      if (strstr (cases[i].sections, "users") == NULL)
        {
          gtk_widget_activate_action (GTK_WIDGET (main_page (f)), "main.show-section", "s",
                                      "users");
          g_assert_cmpstr (ch_main_page_get_visible_section (main_page (f)), !=, "users");
          g_assert_null (ch_main_page_get_section_widget (main_page (f), "users"));
        }

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.logout", NULL));
      CH_UI_TEST_WAIT (g_strcmp0 (ch_window_get_page_name (f->window), "login") == 0);
    }
}

/* Logging out ends the session (its store is closed) and clears the main
 * page away. */
static void
test_main_logout (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(ChSession) session = NULL;
  GtkWidget *page;

  ch_ui_test_window_sign_in (f->window, "manager", CH_DEMO_PASSWORD);
  session = g_object_ref (ch_window_get_session (f->window));

  page = ch_window_get_main_page (f->window);
  g_object_add_weak_pointer (G_OBJECT (page), (gpointer *) &page);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.logout", NULL);
  CH_UI_TEST_WAIT (g_strcmp0 (ch_window_get_page_name (f->window), "login") == 0);

  g_assert_null (ch_window_get_session (f->window));
  g_assert_null (ch_window_get_main_page (f->window));
  g_assert_null (ch_session_get_store (session));
  g_assert_false (ch_session_can (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ));
  CH_UI_TEST_WAIT (page == NULL);
}

static AdwMessageDialog *
open_break_glass_dialog (Fixture *f)
{
  AdwMessageDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.break-glass", NULL));
  ch_ui_test_spin (20);
  dialog = ADW_MESSAGE_DIALOG (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG,
                                                         GTK_WINDOW (f->window)));
  g_assert_nonnull (dialog);

  return dialog;
}

static void
answer (AdwMessageDialog *dialog,
        const char       *reason)
{
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), reason);
  ch_ui_test_respond (dialog, "break-glass");
}

/* Emergency access needs a reason; once granted, the header says so in red
 * and the chart opens to the front desk. */
static void
test_main_break_glass (Fixture       *f,
                       gconstpointer  data)
{
  ChSession *session;
  GtkWidget *label;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  ch_ui_test_window_sign_in (f->window, "frontdesk", CH_DEMO_PASSWORD);
  session = ch_window_get_session (f->window);
  label = GTK_WIDGET (ch_ui_test_child (main_page (f), CH_TYPE_MAIN_PAGE, "break_glass_label"));
  before = sections_of (f);
  g_assert_cmpstr (before, ==, "patients,schedule,today,lists,billing");

  /* No reason, no access: the button is off and the controller refuses. */
  {
    AdwMessageDialog *dialog = open_break_glass_dialog (f);

    g_assert_false (adw_message_dialog_get_response_enabled (dialog, "break-glass"));
    answer (dialog, "");
  }
  g_assert_false (ch_session_get_break_glass (session));
  g_assert_false (gtk_widget_get_visible (label));
  {
    g_autofree char *unchanged = sections_of (f);

    g_assert_cmpstr (unchanged, ==, before);
  }

  answer (open_break_glass_dialog (f), "   ");
  g_assert_false (ch_session_get_break_glass (session));

  answer (open_break_glass_dialog (f), "Unconscious patient at the front desk");
  g_assert_true (ch_session_get_break_glass (session));
  g_assert_true (gtk_widget_get_visible (label));
  g_assert_true (gtk_widget_has_css_class (label, "break-glass"));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)),
                                   "Emergency access until "));

  /* The chart opens to the desk; the office's other areas do not. */
  g_assert_true (ch_session_can (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE));
  g_assert_false (ch_session_can (session, CH_AREA_PRESCRIBING, CH_ACCESS_WRITE));
  after = sections_of (f);
  g_assert_cmpstr (after, ==, "patients,schedule,today,lists,billing");
}

/* The preferences store the idle-lock time for a role that may set it, and
 * show the controller's refusal to one that may not. */
static void
test_main_preferences (Fixture       *f,
                       gconstpointer  data)
{
  ChPreferencesWindow *preferences;
  GtkSpinButton *spin;

  ch_ui_test_window_sign_in (f->window, "nurse", CH_DEMO_PASSWORD);
  ch_window_show_preferences (f->window);
  preferences = CH_PREFERENCES_WINDOW (ch_ui_test_find_toplevel (CH_TYPE_PREFERENCES_WINDOW, NULL));
  g_assert_nonnull (preferences);
  spin = GTK_SPIN_BUTTON (ch_ui_test_child (preferences, CH_TYPE_PREFERENCES_WINDOW, "idle_spin"));
  gtk_spin_button_set_value (spin, 3);
  g_assert_false (ch_preferences_window_apply (preferences));
  /* Refused: the stored value is shown again. */
  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin), ==, CH_DEFAULT_IDLE_LOCK_MINUTES);
  g_assert_cmpuint (ch_session_get_idle_lock_minutes (ch_window_get_session (f->window)), ==,
                    CH_DEFAULT_IDLE_LOCK_MINUTES);
  gtk_window_destroy (GTK_WINDOW (preferences));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.logout", NULL);
  CH_UI_TEST_WAIT (g_strcmp0 (ch_window_get_page_name (f->window), "login") == 0);

  ch_ui_test_window_sign_in (f->window, "admin", CH_DEMO_PASSWORD);
  ch_window_show_preferences (f->window);
  preferences = CH_PREFERENCES_WINDOW (ch_ui_test_find_toplevel (CH_TYPE_PREFERENCES_WINDOW, NULL));
  spin = GTK_SPIN_BUTTON (ch_ui_test_child (preferences, CH_TYPE_PREFERENCES_WINDOW, "idle_spin"));
  gtk_spin_button_set_value (spin, 3);
  /* Stored when the spinning stops, without being asked to. */
  CH_UI_TEST_WAIT (ch_session_get_idle_lock_minutes (ch_window_get_session (f->window)) == 3);
  gtk_window_close (GTK_WINDOW (preferences));
  ch_ui_test_spin (20);
  g_assert_null (ch_ui_test_find_toplevel (CH_TYPE_PREFERENCES_WINDOW, NULL));
}

/* The keyboard shortcuts window builds and opens over the window. */
static void
test_main_shortcuts_window (Fixture       *f,
                            gconstpointer  data)
{
  GtkWindow *shortcuts;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-help-overlay",
                                             NULL));
  ch_ui_test_spin (20);
  shortcuts = ch_ui_test_find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW, NULL);
  g_assert_nonnull (shortcuts);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (shortcuts)));
  gtk_window_close (shortcuts);
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

  g_test_add ("/ui/main/navigation-by-role", Fixture, NULL,
              fixture_set_up, test_main_navigation_by_role, fixture_tear_down);
  g_test_add ("/ui/main/logout", Fixture, NULL,
              fixture_set_up, test_main_logout, fixture_tear_down);
  g_test_add ("/ui/main/break-glass", Fixture, NULL,
              fixture_set_up, test_main_break_glass, fixture_tear_down);
  g_test_add ("/ui/main/preferences", Fixture, NULL,
              fixture_set_up, test_main_preferences, fixture_tear_down);

  g_test_add ("/ui/main/shortcuts-window", Fixture, NULL,
              fixture_set_up, test_main_shortcuts_window, fixture_tear_down);

  return g_test_run ();
}
