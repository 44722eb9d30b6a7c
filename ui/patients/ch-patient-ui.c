/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-patient-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>
#include <inttypes.h>

#include "ch-patient-ui.h"
#include "ch-ui.h"

typedef ChUiChoice Entry;

static const Entry sexes[] = {
  { "female", "sex at birth", NC_("sex at birth", "Female") },
  { "male", "sex at birth", NC_("sex at birth", "Male") },
  { "other", "sex at birth", NC_("sex at birth", "Other") },
  { "unknown", "sex at birth", NC_("sex at birth", "Unknown") },
  { NULL }
};

static const Entry phone_kinds[] = {
  { "mobile", "phone", NC_("phone", "Mobile") },
  { "home", "phone", NC_("phone", "Home") },
  { "work", "phone", NC_("phone", "Work") },
  { "other", "phone", NC_("phone", "Other") },
  { NULL }
};

static const Entry relations[] = {
  { "self", "subscriber", NC_("subscriber", "Self") },
  { "spouse", "subscriber", NC_("subscriber", "Spouse") },
  { "child", "subscriber", NC_("subscriber", "Child") },
  { "other", "subscriber", NC_("subscriber", "Other") },
  { NULL }
};

static const Entry *
entries (ChPatientUiChoice choice)
{
  switch (choice)
    {
    case CH_PATIENT_UI_SEX:
      return sexes;
    case CH_PATIENT_UI_PHONE_KIND:
      return phone_kinds;
    case CH_PATIENT_UI_RELATION:
      return relations;
    default:
      g_return_val_if_reached (sexes);
    }
}

/* Returns: (transfer full): the labels of @choice, for a drop-down */
GtkStringList *
ch_patient_ui_model (ChPatientUiChoice choice)
{
  return ch_ui_choice_model (entries (choice));
}

/* Returns: the code at @position of the drop-down, or %NULL */
const char *
ch_patient_ui_code (ChPatientUiChoice choice,
                    guint             position)
{
  return ch_ui_choice_code (entries (choice), position);
}

/* Returns: the position of @code in the drop-down, or @fallback */
guint
ch_patient_ui_find (ChPatientUiChoice  choice,
                    const char        *code,
                    guint              fallback)
{
  return ch_ui_choice_find (entries (choice), code, fallback);
}

/* Returns: the label of @code, or @code itself when it is not one of the
 * list (an older or newer record may hold another) */
const char *
ch_patient_ui_label (ChPatientUiChoice  choice,
                     const char        *code)
{
  return ch_ui_choice_label (entries (choice), code);
}

/* Returns: (transfer full): @usec since the epoch as local date and time */
char *
ch_patient_ui_format_time (gint64 usec)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup ("");

  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

/* One version in a history window: its number, when and by whom, why.
 * Returns: (transfer floating) */
GtkWidget *
ch_patient_ui_history_version_row (const ChHistoryEntry *entry)
{
  g_autofree char *title = NULL;
  g_autofree char *when = ch_patient_ui_format_time (entry->changed_at);
  g_autofree char *changed = NULL;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *label;

  /* Translators: %s is the number of a version of a record */
  title = g_strdup_printf (_("Version %" PRId64), entry->version);
  label = gtk_label_new (title);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (box), label);

  /* Translators: a date and time, then a user name */
  changed = g_strdup_printf (_("Changed %s by %s"), when, entry->changed_by);
  label = gtk_label_new (changed);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (box), label);

  if (entry->reason != NULL && *entry->reason != '\0')
    {
      label = gtk_label_new (entry->reason);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_box_append (GTK_BOX (box), label);
    }

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  return row;
}

/* One field of a version, marked when a later version changed it.
 * Returns: (transfer floating) */
GtkWidget *
ch_patient_ui_history_field_row (const char *name,
                                 const char *title,
                                 const char *value,
                                 gboolean    changed)
{
  GtkWidget *row = adw_action_row_new ();

  gtk_widget_set_name (row, name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value != NULL ? value : "—");
  gtk_widget_add_css_class (row, "patient-field");

  if (changed)
    {
      GtkWidget *mark = gtk_label_new (_("Changed"));

      gtk_widget_add_css_class (mark, "accent");
      gtk_widget_add_css_class (mark, "caption-heading");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), mark);
    }

  return row;
}

/* Returns: (transfer full) (nullable): the text of @editable without
 * surrounding blanks, or %NULL when nothing is left */
char *
ch_patient_ui_dup_text (GtkEditable *editable)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (editable)));

  if (*text == '\0')
    return NULL;

  return g_steal_pointer (&text);
}

/* ---- photos ---------------------------------------------------------------------- */

#define PHOTO_SIZE 512

GBytes *
ch_patient_ui_load_photo (GFile   *file,
                          GError **error)
{
  g_autoptr (GdkPixbuf) pixbuf = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *name = g_file_get_basename (file);
  char *buffer = NULL;
  gsize size = 0;

  pixbuf = path ? gdk_pixbuf_new_from_file_at_scale (path, PHOTO_SIZE, PHOTO_SIZE, TRUE,
                                                     &local_error)
                : NULL;
  if (pixbuf == NULL)
    {
      /* TRANSLATORS: %s is a file name */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” is not an image Charta can read (PNG or JPEG)"), name);
      return NULL;
    }
  if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "png", &local_error, NULL))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return g_bytes_new_take (buffer, size);
}

GdkTexture *
ch_patient_ui_photo_texture (GBytes *photo)
{
  if (photo == NULL)
    return NULL;
  return gdk_texture_new_from_bytes (photo, NULL);
}

void
ch_patient_ui_set_avatar (AdwAvatar             *avatar,
                          const ChPatientRecord *record)
{
  g_autoptr (GdkTexture) texture = ch_patient_ui_photo_texture (record ? record->photo : NULL);
  g_autofree char *name = record ? ch_patient_record_display_name (record) : NULL;

  adw_avatar_set_text (avatar, name);
  adw_avatar_set_custom_image (avatar, texture ? GDK_PAINTABLE (texture) : NULL);
}
