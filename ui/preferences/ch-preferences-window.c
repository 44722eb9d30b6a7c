/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-imaging.h"
#include "ch-labs.h"
#include "ch-preferences-window.h"
#include "ch-prescribing.h"
#include "ch-ui.h"

/* The practice's settings. The controller decides who may change them; a
 * refused change is shown and the stored value put back. */

#define SAVE_DELAY_MS 800

struct _ChPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GtkSpinButton        *idle_spin;
  GtkWidget            *prescribing_group;
  GtkWidget            *kb_row;
  GtkWidget            *licence_row;
  GtkWidget            *imaging_group;
  GtkSwitch            *receiver_switch;
  GtkWidget            *ae_row;
  GtkWidget            *port_row;
  GtkWidget            *peers_row;
  GtkWidget            *labs_group;
  GtkSwitch            *labs_switch;
  GtkWidget            *labs_port_row;
  GtkWidget            *labs_address_row;
  GtkWidget            *labs_folder_row;
  GtkWidget            *labs_senders_row;

  ChSession            *session;
  guint                 save_source;
  gboolean              loading;
};

G_DEFINE_FINAL_TYPE (ChPreferencesWindow, ch_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The DICOM receiver's settings: practice policy, changed by those who
 * manage users (the controller decides), shown to clinicians. */
static void
ch_preferences_window_load_receiver (ChPreferencesWindow *self)
{
  g_autoptr(ChImagingReceiverSettings) settings = NULL;
  g_autofree char *port = NULL;
  g_autofree char *peers = NULL;
  gboolean editable = ch_session_can (self->session, CH_AREA_USERS, CH_ACCESS_WRITE);
  gboolean loading = self->loading;

  if (!editable && !ch_session_can (self->session, CH_AREA_CLINICAL, CH_ACCESS_READ))
    {
      gtk_widget_set_visible (self->imaging_group, FALSE);
      return;
    }

  settings = ch_imaging_get_receiver_settings (self->session, NULL);
  if (settings == NULL)
    {
      gtk_widget_set_visible (self->imaging_group, FALSE);
      return;
    }

  self->loading = TRUE;
  port = g_strdup_printf ("%u", settings->port);
  peers = g_strjoinv (", ", settings->allowed_peers);
  gtk_switch_set_active (self->receiver_switch, settings->enabled);
  gtk_editable_set_text (GTK_EDITABLE (self->ae_row), settings->ae_title);
  gtk_editable_set_text (GTK_EDITABLE (self->port_row), port);
  gtk_editable_set_text (GTK_EDITABLE (self->peers_row), peers);
  gtk_widget_set_sensitive (GTK_WIDGET (self->receiver_switch), editable);
  gtk_widget_set_sensitive (self->ae_row, editable);
  gtk_widget_set_sensitive (self->port_row, editable);
  gtk_widget_set_sensitive (self->peers_row, editable);
  self->loading = loading;
}

static void
on_receiver_apply (ChPreferencesWindow *self)
{
  ChImagingReceiverSettings settings = { 0 };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) peers = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *ae_title = NULL;
  const char *port_text;
  char *end = NULL;
  guint64 port;

  if (self->loading)
    return;
  if (ch_ui_session_is_busy (self->session))
    {
      ch_ui_toast (GTK_WIDGET (self), _("Charta is busy; apply the change again in a moment"));
      return;
    }

  port_text = gtk_editable_get_text (GTK_EDITABLE (self->port_row));
  port = g_ascii_strtoull (port_text, &end, 10);
  if (end == port_text || *end != '\0' || port < 1 || port > 65535)
    {
      ch_ui_toast (GTK_WIDGET (self), _("The port is a number from 1 to 65535"));
      ch_preferences_window_load_receiver (self);
      return;
    }

  /* AE titles may hold spaces ("CT SCANNER 1"): commas part them. */
  parts = g_strsplit (gtk_editable_get_text (GTK_EDITABLE (self->peers_row)), ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_ptr_array_add (peers, g_strdup (parts[i]));
    }
  g_ptr_array_add (peers, NULL);

  ae_title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->ae_row))));
  settings.enabled = gtk_switch_get_active (self->receiver_switch);
  settings.ae_title = ae_title;
  settings.port = (guint) port;
  settings.allowed_peers = (GStrv) peers->pdata;

  if (!ch_imaging_set_receiver_settings (self->session, &settings, &error))
    {
      ch_ui_toast (GTK_WIDGET (self), error->message);
      ch_preferences_window_load_receiver (self);
      return;
    }
  ch_ui_toast (GTK_WIDGET (self), _("Receiver settings saved"));
  ch_preferences_window_load_receiver (self);
}

/* The lab listener's settings: practice policy, for those who manage users
 * (the controller decides) and no one else: an address or a folder path
 * is no clinician's business. */
static void
ch_preferences_window_load_labs (ChPreferencesWindow *self)
{
  g_autoptr(ChLabsListenerSettings) settings = NULL;
  g_autofree char *port = NULL;
  g_autofree char *senders = NULL;
  gboolean loading = self->loading;

  if (!ch_session_can (self->session, CH_AREA_USERS, CH_ACCESS_WRITE))
    {
      gtk_widget_set_visible (self->labs_group, FALSE);
      return;
    }
  settings = ch_labs_get_listener_settings (self->session, NULL);
  if (settings == NULL)
    {
      gtk_widget_set_visible (self->labs_group, FALSE);
      return;
    }

  self->loading = TRUE;
  port = g_strdup_printf ("%u", settings->port);
  gtk_switch_set_active (self->labs_switch, settings->enabled);
  gtk_editable_set_text (GTK_EDITABLE (self->labs_port_row), port);
  gtk_editable_set_text (GTK_EDITABLE (self->labs_address_row), settings->address);
  gtk_editable_set_text (GTK_EDITABLE (self->labs_folder_row), settings->folder);
  senders = g_strjoinv (", ", settings->allowed_senders);
  gtk_editable_set_text (GTK_EDITABLE (self->labs_senders_row), senders);
  self->loading = loading;
}

static void
on_labs_apply (ChPreferencesWindow *self)
{
  ChLabsListenerSettings settings = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *folder = NULL;
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) senders = g_ptr_array_new_with_free_func (g_free);
  const char *port_text;
  char *end = NULL;
  guint64 port;

  if (self->loading)
    return;
  if (ch_ui_session_is_busy (self->session))
    {
      ch_ui_toast (GTK_WIDGET (self), _("Charta is busy; apply the change again in a moment"));
      return;
    }

  port_text = gtk_editable_get_text (GTK_EDITABLE (self->labs_port_row));
  port = g_ascii_strtoull (port_text, &end, 10);
  if (end == port_text || *end != '\0' || port < 1 || port > 65535)
    {
      ch_ui_toast (GTK_WIDGET (self), _("The port is a number from 1 to 65535"));
      ch_preferences_window_load_labs (self);
      return;
    }

  address = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->labs_address_row))));
  folder = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->labs_folder_row))));
  settings.enabled = gtk_switch_get_active (self->labs_switch);
  settings.port = (guint) port;
  settings.address = address;
  settings.folder = folder;
  parts = g_strsplit (gtk_editable_get_text (GTK_EDITABLE (self->labs_senders_row)), ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_ptr_array_add (senders, g_strdup (parts[i]));
    }
  g_ptr_array_add (senders, NULL);
  settings.allowed_senders = (GStrv) senders->pdata;

  if (!ch_labs_set_listener_settings (self->session, &settings, &error))
    {
      ch_ui_toast (GTK_WIDGET (self), error->message);
      ch_preferences_window_load_labs (self);
      return;
    }
  ch_ui_toast (GTK_WIDGET (self), _("Lab interface settings saved"));
  ch_preferences_window_load_labs (self);
}

static void
ch_preferences_window_load (ChPreferencesWindow *self)
{
  g_autoptr(ChDrugKb) kb = NULL;
  gboolean prescribes = ch_session_can (self->session, CH_AREA_PRESCRIBING, CH_ACCESS_WRITE);

  self->loading = TRUE;
  gtk_spin_button_set_value (self->idle_spin, ch_session_get_idle_lock_minutes (self->session));

  /* Which drug knowledge base the checks use, for those who may read it. */
  if (ch_session_can (self->session, CH_AREA_PRESCRIBING, CH_ACCESS_READ)
      || ch_session_can (self->session, CH_AREA_DRUG_KB, CH_ACCESS_READ))
    kb = ch_prescribing_get_kb (self->session, NULL);
  if (kb != NULL)
    {
      /* TRANSLATORS: "Charta open drug knowledge base 2026.11 · shipped with Charta" */
      g_autofree char *text = g_strdup_printf (_("%s %s · %s"), ch_drug_kb_get_info (kb, "name"),
                                               ch_drug_kb_get_info (kb, "version"),
                                               ch_prescribing_kb_is_imported (self->session)
                                               ? _("imported by the practice")
                                               : _("shipped with Charta"));

      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->kb_row), text);
    }
  gtk_widget_set_visible (self->prescribing_group, kb != NULL);
  gtk_widget_set_visible (self->licence_row, prescribes);
  if (prescribes)
    {
      g_autofree char *licence = ch_prescribing_get_licence (ch_session_get_store (self->session),
                                                             ch_session_get_username (self->session));

      gtk_editable_set_text (GTK_EDITABLE (self->licence_row), licence);
    }
  ch_preferences_window_load_receiver (self);
  ch_preferences_window_load_labs (self);
  self->loading = FALSE;
}

static gboolean
ch_preferences_window_store (ChPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  guint minutes;

  minutes = (guint) gtk_spin_button_get_value_as_int (self->idle_spin);
  if (minutes == ch_session_get_idle_lock_minutes (self->session))
    return TRUE;

  if (!ch_session_set_idle_lock_minutes (self->session, minutes, &error))
    {
      ch_preferences_window_load (self);
      ch_ui_toast (GTK_WIDGET (self), error->message);
      return FALSE;
    }

  return TRUE;
}

/**
 * ch_preferences_window_apply:
 * @self: a preferences window
 *
 * Stores a change not yet stored.
 *
 * Returns: %FALSE if the controller refused it (the window then shows why)
 */
gboolean
ch_preferences_window_apply (ChPreferencesWindow *self)
{
  g_return_val_if_fail (CH_IS_PREFERENCES_WINDOW (self), FALSE);

  if (self->save_source == 0)
    return TRUE;

  if (ch_ui_session_is_busy (self->session))
    return TRUE;

  g_clear_handle_id (&self->save_source, g_source_remove);

  return ch_preferences_window_store (self);
}

static gboolean
save_timeout (gpointer user_data)
{
  ChPreferencesWindow *self = user_data;

  /* Never touch the session while a worker uses it; try again shortly. */
  if (ch_ui_session_is_busy (self->session))
    return G_SOURCE_CONTINUE;

  self->save_source = 0;
  ch_preferences_window_store (self);

  return G_SOURCE_REMOVE;
}

static void
on_idle_value_changed (ChPreferencesWindow *self)
{
  if (self->loading)
    return;

  /* Spinning through values stores (and audits) only where it stops. */
  g_clear_handle_id (&self->save_source, g_source_remove);
  self->save_source = g_timeout_add (SAVE_DELAY_MS, save_timeout, self);
}

/* The licence number is printed on the user's own prescriptions. */
static void
on_licence_apply (ChPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (self->loading || ch_ui_session_is_busy (self->session))
    return;
  if (!ch_prescribing_set_licence (self->session, ch_session_get_username (self->session),
                                   gtk_editable_get_text (GTK_EDITABLE (self->licence_row)), &error))
    ch_ui_toast (GTK_WIDGET (self), error->message);
  else
    ch_ui_toast (GTK_WIDGET (self), _("Licence number saved"));
}

GtkWidget *
ch_preferences_window_new (GtkWindow *parent,
                           ChSession *session)
{
  ChPreferencesWindow *self;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  self = g_object_new (CH_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       NULL);
  self->session = g_object_ref (session);
  ch_preferences_window_load (self);

  return GTK_WIDGET (self);
}

static gboolean
ch_preferences_window_close_request (GtkWindow *window)
{
  ChPreferencesWindow *self = CH_PREFERENCES_WINDOW (window);

  /* A change waiting for a worker to finish, or a refused change (shown
   * once), keeps the window open. */
  if (self->save_source != 0 && ch_ui_session_is_busy (self->session))
    return TRUE;

  if (!ch_preferences_window_apply (self))
    return TRUE;

  return GTK_WINDOW_CLASS (ch_preferences_window_parent_class)->close_request (window);
}

static void
ch_preferences_window_dispose (GObject *object)
{
  ChPreferencesWindow *self = CH_PREFERENCES_WINDOW (object);

  g_clear_handle_id (&self->save_source, g_source_remove);

  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_PREFERENCES_WINDOW);

  g_clear_object (&self->session);

  G_OBJECT_CLASS (ch_preferences_window_parent_class)->dispose (object);
}

static void
ch_preferences_window_class_init (ChPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_preferences_window_dispose;
  window_class->close_request = ch_preferences_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ChPreferencesWindow, idle_spin);
  gtk_widget_class_bind_template_child (widget_class, ChPreferencesWindow, prescribing_group);
  gtk_widget_class_bind_template_child (widget_class, ChPreferencesWindow, kb_row);
  gtk_widget_class_bind_template_child (widget_class, ChPreferencesWindow, licence_row);
  gtk_widget_class_bind_template_child (widget_class, ChPreferencesWindow, imaging_group);
  gtk_widget_class_bind_template_child (widget_class, ChPreferencesWindow, receiver_switch);
  gtk_widget_class_bind_template_child (widget_class, ChPreferencesWindow, ae_row);
  gtk_widget_class_bind_template_child (widget_class, ChPreferencesWindow, port_row);
  gtk_widget_class_bind_template_child (widget_class, ChPreferencesWindow, peers_row);
  gtk_widget_class_bind_template_child (widget_class, ChPreferencesWindow, labs_group);
  gtk_widget_class_bind_template_child (widget_class, ChPreferencesWindow, labs_switch);
  gtk_widget_class_bind_template_child (widget_class, ChPreferencesWindow, labs_port_row);
  gtk_widget_class_bind_template_child (widget_class, ChPreferencesWindow, labs_address_row);
  gtk_widget_class_bind_template_child (widget_class, ChPreferencesWindow, labs_folder_row);
  gtk_widget_class_bind_template_child (widget_class, ChPreferencesWindow, labs_senders_row);
  gtk_widget_class_bind_template_callback (widget_class, on_licence_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_receiver_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_labs_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_idle_value_changed);
}

static void
ch_preferences_window_init (ChPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
