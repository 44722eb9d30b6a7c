/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-application"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-application.h"
#include "ch-practice.h"
#include "ch-ui.h"
#include "ch-window.h"

struct _ChApplication
{
  AdwApplication  parent_instance;

  char           *practice_dir;
};

G_DEFINE_FINAL_TYPE (ChApplication, ch_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_PRACTICE_DIR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

ChApplication *
ch_application_new (void)
{
  /* One process serves one practice folder, so two practices can be open
   * side by side; hence no single-instance D-Bus name. */
  return g_object_new (CH_TYPE_APPLICATION,
                       "application-id", CHARTA_APP_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       NULL);
}

const char *
ch_application_get_practice_dir (ChApplication *self)
{
  g_return_val_if_fail (CH_IS_APPLICATION (self), NULL);

  return self->practice_dir;
}

void
ch_application_set_practice_dir (ChApplication *self,
                                 const char    *practice_dir)
{
  g_return_if_fail (CH_IS_APPLICATION (self));

  if (g_strcmp0 (self->practice_dir, practice_dir) == 0)
    return;

  g_free (self->practice_dir);
  self->practice_dir = g_strdup (practice_dir);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRACTICE_DIR]);
}

static ChWindow *
ch_application_get_window (ChApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  return CH_IS_WINDOW (window) ? CH_WINDOW (window) : NULL;
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  ChApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Closing each window first ends its session, which wipes its keys. */
  for (GList *l = windows; l != NULL; l = windows)
    {
      windows = l->next;
      gtk_window_close (l->data);
    }

  g_application_quit (G_APPLICATION (self));
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  ChWindow *window = ch_application_get_window (user_data);

  if (window != NULL)
    ch_window_show_preferences (window);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  ChApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  AdwAboutWindow *about;

  about = ADW_ABOUT_WINDOW (adw_about_window_new ());
  adw_about_window_set_application_name (about, _("Charta"));
  adw_about_window_set_application_icon (about, CHARTA_APP_ID);
  adw_about_window_set_version (about, PACKAGE_VERSION);
  adw_about_window_set_comments (about, _("Health records for small medical practices"));
  adw_about_window_set_license_type (about, GTK_LICENSE_GPL_3_0);
  adw_about_window_set_developer_name (about, _("The Charta developers"));
  gtk_window_set_transient_for (GTK_WINDOW (about), parent);
  gtk_window_set_modal (GTK_WINDOW (about), TRUE);
  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated },
  { "preferences", preferences_activated },
  { "about", about_activated },
};

static gint
ch_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  ChApplication *self = CH_APPLICATION (app);
  g_autofree char *practice = NULL;

  if (g_variant_dict_lookup (options, "practice", "^ay", &practice))
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (practice);
      g_autofree char *path = g_file_get_path (file);

      ch_application_set_practice_dir (self, path);
    }

  return G_APPLICATION_CLASS (ch_application_parent_class)->handle_local_options (app, options);
}

static void
ch_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *help_accels[] = { "<Control>question", NULL };
  ChApplication *self = CH_APPLICATION (app);

  ch_ui_init ();

  G_APPLICATION_CLASS (ch_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-help-overlay",
                                         help_accels);
}

/* For `build-aux/dev bench`: with CHARTA_EXIT_AFTER_FIRST_FRAME set, the
 * application quits once the window has drawn its first frame, so that the
 * time from start to a usable login window can be measured from outside. */
static void
first_frame_painted (GdkFrameClock *clock,
                     GApplication  *app)
{
  g_signal_handlers_disconnect_by_func (clock, first_frame_painted, app);
  g_print ("charta: first frame\n");
  g_application_quit (app);
}

static void
window_mapped (GtkWidget    *window,
               GApplication *app)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_signal_handlers_disconnect_by_func (window, window_mapped, app);
  if (clock != NULL)
    g_signal_connect (clock, "after-paint", G_CALLBACK (first_frame_painted), app);
}

static void
ch_application_activate (GApplication *app)
{
  ChApplication *self = CH_APPLICATION (app);
  ChWindow *window;

  window = ch_application_get_window (self);
  if (window == NULL)
    {
      if (self->practice_dir == NULL)
        self->practice_dir = ch_practice_default_dir ();

      window = ch_window_new (self, self->practice_dir);
      if (g_getenv ("CHARTA_EXIT_AFTER_FIRST_FRAME") != NULL)
        g_signal_connect_after (window, "map", G_CALLBACK (window_mapped), app);
    }

  gtk_window_present (GTK_WINDOW (window));
}

static void
ch_application_constructed (GObject *object)
{
  G_OBJECT_CLASS (ch_application_parent_class)->constructed (object);

  /* Everything of ours (templates, style.css, gtk/help-overlay.ui, the
   * icon) lives under one prefix. */
  g_application_set_resource_base_path (G_APPLICATION (object), "/org/charta/Charta/ui");
}

static void
ch_application_finalize (GObject *object)
{
  ChApplication *self = CH_APPLICATION (object);

  g_clear_pointer (&self->practice_dir, g_free);

  G_OBJECT_CLASS (ch_application_parent_class)->finalize (object);
}

static void
ch_application_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ChApplication *self = CH_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_PRACTICE_DIR:
      g_value_set_string (value, self->practice_dir);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_application_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ChApplication *self = CH_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_PRACTICE_DIR:
      ch_application_set_practice_dir (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_application_class_init (ChApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->constructed = ch_application_constructed;
  object_class->finalize = ch_application_finalize;
  object_class->get_property = ch_application_get_property;
  object_class->set_property = ch_application_set_property;

  app_class->handle_local_options = ch_application_handle_local_options;
  app_class->startup = ch_application_startup;
  app_class->activate = ch_application_activate;

  properties[PROP_PRACTICE_DIR] =
    g_param_spec_string ("practice-dir", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ch_application_init (ChApplication *self)
{
  static const GOptionEntry options[] = {
    { "practice", 'p', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
      N_("The practice folder (default: ~/.local/share/charta/practice)"), N_("DIR") },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
}
