/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-ui-test"

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "ch-demo.h"
#include "ch-login-page.h"
#include "ch-main-page.h"
#include "ch-patient-view.h"
#include "ch-patients-page.h"
#include "ch-practice.h"
#include "ch-ui.h"
#include "ch-ui-test-util.h"

/* A GTK test without a display would exit 0 having run nothing; fail
 * loudly instead (STYLE.md). */
void
ch_ui_test_init (int    *argc,
                 char ***argv)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("FAIL: no display (neither DISPLAY nor WAYLAND_DISPLAY is set); run the "
                  "widget tests with: xvfb-run -a dbus-run-session -- meson test --suite ui\n");
      exit (1);
    }

  g_test_init (argc, argv, NULL);

  gtk_init ();
  adw_init ();
  ch_ui_init ();

  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
}

void
ch_ui_test_iterate (void)
{
  if (!g_main_context_iteration (NULL, FALSE))
    g_usleep (2000);
}

void
ch_ui_test_spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    ch_ui_test_iterate ();
}

char *
ch_ui_test_make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("charta-ui-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* Returns: (transfer full): a temporary folder holding the demo practice:
 * users admin, doctor, nurse, frontdesk and manager, password CH_DEMO_PASSWORD */
char *
ch_ui_test_make_demo (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = ch_ui_test_make_tmp_dir ();
  char *dir = g_build_filename (tmp, "practice", NULL);

  ch_demo_create (dir, 5, 1, NULL, &error);
  g_assert_no_error (error);

  return dir;
}

static void
remove_recursively (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (children != NULL)
    {
      GFile *child;

      while (g_file_enumerator_iterate (children, NULL, &child, NULL, NULL) && child != NULL)
        remove_recursively (child);
    }

  g_file_delete (file, NULL, NULL);
}

/* Removes @dir, or the temporary folder around it. */
void
ch_ui_test_remove_dir (const char *dir)
{
  g_autoptr(GFile) file = g_file_new_for_path (dir);
  g_autofree char *base = g_path_get_basename (dir);

  if (g_str_equal (base, "practice"))
    {
      g_autoptr(GFile) parent = g_file_get_parent (file);

      remove_recursively (parent);
    }
  else
    remove_recursively (file);
}

ChSession *
ch_ui_test_login (const char *dir,
                  const char *username,
                  const char *password)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ChPractice) practice = ch_practice_open (dir, &error);
  ChSession *session;

  g_assert_no_error (error);
  session = ch_session_login (practice, username, password, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);

  return session;
}

ChApplication *
ch_ui_test_get_app (void)
{
  static ChApplication *app;

  if (app == NULL)
    {
      g_autoptr(GError) error = NULL;

      app = ch_application_new ();
      g_application_register (G_APPLICATION (app), NULL, &error);
      g_assert_no_error (error);
    }

  return app;
}

ChWindow *
ch_ui_test_window_new (const char *dir)
{
  ChWindow *window = ch_window_new (ch_ui_test_get_app (), dir);

  gtk_window_present (GTK_WINDOW (window));
  ch_ui_test_spin (50);

  return window;
}

/* Signs in through the login page, as a person would. */
void
ch_ui_test_window_sign_in (ChWindow   *window,
                           const char *username,
                           const char *password)
{
  GObject *page = ch_ui_test_child (window, CH_TYPE_WINDOW, "login_page");

  g_assert_cmpstr (ch_window_get_page_name (window), ==, "login");

  ch_ui_test_set_text (ch_ui_test_child (page, CH_TYPE_LOGIN_PAGE, "username_row"), username);
  ch_ui_test_set_text (ch_ui_test_child (page, CH_TYPE_LOGIN_PAGE, "password_row"), password);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "login.sign-in", NULL));

  CH_UI_TEST_WAIT (!ch_login_page_get_busy (CH_LOGIN_PAGE (page)));
  CH_UI_TEST_WAIT (g_strcmp0 (ch_window_get_page_name (window), "main") == 0);
  /* What the window reads as it opens (the first page, the backup status)
   * is done before the test goes on. */
  CH_UI_TEST_WAIT (ch_window_get_session (window) == NULL ||
                   !ch_ui_session_is_busy (ch_window_get_session (window)));
}

/* Destroys @window and asserts that nothing keeps it alive. */
void
ch_ui_test_window_destroy (ChWindow *window)
{
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  ch_ui_test_spin (50);
  g_assert_finalize_object (window);
}

/* Returns: (transfer none) (nullable): a toplevel of @type, transient for
 * @transient_for if that is not %NULL */
GtkWindow *
ch_ui_test_find_toplevel (GType      type,
                          GtkWindow *transient_for)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) &&
          (transient_for == NULL || gtk_window_get_transient_for (window) == transient_for))
        return window;
    }

  return NULL;
}

/* Answers @message_dialog with @response and closes it, as its buttons do
 * (the answer may already have closed it). */
void
ch_ui_test_respond (gpointer    message_dialog,
                    const char *response)
{
  AdwMessageDialog *dialog = message_dialog;

  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);

  adw_message_dialog_response (dialog, response);
  if (dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
      gtk_window_destroy (GTK_WINDOW (dialog));
    }

  ch_ui_test_spin (20);
}

/* Returns: (transfer none): the template child @name of @widget */
GObject *
ch_ui_test_child (gpointer    widget,
                  GType       type,
                  const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (child);
  return child;
}

void
ch_ui_test_set_text (gpointer    editable,
                     const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (editable), text);
}

gboolean
ch_ui_test_strv_contains (char       **strv,
                          const char  *str)
{
  return g_strv_contains ((const char * const *) strv, str);
}

static gboolean
press_shortcut (GtkWidget       *widget,
                guint            keyval,
                GdkModifierType  modifiers)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr (GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

          if (GTK_IS_KEYVAL_TRIGGER (trigger)
              && gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == gdk_keyval_to_lower (keyval)
              && gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == modifiers
              && gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0, widget,
                                               gtk_shortcut_get_arguments (shortcut)))
            return TRUE;
        }
    }
  return FALSE;
}

/* A key press as GTK delivers one to the focus in its bubble phase: the
 * key controllers of @widget, then the shortcuts (key bindings) of it and
 * each of its ancestors, until one handles it. */
gboolean
ch_ui_test_press_key (gpointer        widget,
                      guint           keyval,
                      GdkModifierType modifiers)
{
  for (GtkWidget *w = GTK_WIDGET (widget); w != NULL; w = gtk_widget_get_parent (w))
    {
      g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (w);

      for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
        {
          g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);
          gboolean handled = FALSE;

          if (!GTK_IS_EVENT_CONTROLLER_KEY (controller))
            continue;
          g_signal_emit_by_name (controller, "key-pressed", keyval, 0, modifiers, &handled);
          if (handled)
            return TRUE;
        }
      if (press_shortcut (w, keyval, modifiers))
        return TRUE;
    }
  return FALSE;
}

/* A click (@n_press 2: a double-click) at (@x, @y) of @widget, as its
 * GtkGestureClick reports one. Returns: whether it has such a gesture */
gboolean
ch_ui_test_click (gpointer widget,
                  int      n_press,
                  double   x,
                  double   y)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (widget));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_GESTURE_CLICK (controller))
        continue;
      for (int n = 1; n <= n_press; n++)
        g_signal_emit_by_name (controller, "pressed", n, x, y);
      return TRUE;
    }
  return FALSE;
}

GtkWidget *
ch_ui_test_open_chart (GtkWidget *main_page,
                       ChSession *session,
                       gint64     patient_id)
{
  ChPatientsPage *patients;
  ChPatientView *view;

  g_assert_true (gtk_widget_activate_action (main_page, "main.show-section", "s", "patients"));
  CH_UI_TEST_WAIT (ch_main_page_get_section_widget (CH_MAIN_PAGE (main_page), "patients") != NULL);
  patients = CH_PATIENTS_PAGE (ch_main_page_get_section_widget (CH_MAIN_PAGE (main_page),
                                                                "patients"));
  CH_UI_TEST_WAIT (!ch_ui_session_is_busy (session));
  ch_patients_page_open_patient (patients, patient_id);
  view = CH_PATIENT_VIEW (ch_patients_page_get_patient_view (patients));
  CH_UI_TEST_WAIT (!ch_patients_page_get_busy (patients) &&
                   ch_patient_view_get_record (view) != NULL &&
                   !ch_ui_session_is_busy (session));
  return GTK_WIDGET (view);
}
