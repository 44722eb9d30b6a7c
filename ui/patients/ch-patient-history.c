/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-patient-history"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "ch-patient-ui.h"
#include "ch-patient-history.h"
#include "ch-patients.h"
#include "ch-ui.h"

/* The earlier versions of a patient's demographics, newest first: who
 * replaced each one, when and why, and what it said, with the fields that
 * the next version changed marked. The controller keeps each version as
 * GVariant text; it is parsed here only to be shown. */

struct _ChPatientHistory
{
  AdwWindow       parent_instance;

  AdwWindowTitle *window_title;
  GtkStack       *stack;
  GtkListBox     *versions_list;
  GtkLabel       *fields_heading;
  GtkListBox     *fields_list;
  AdwStatusPage  *error_page;

  GPtrArray      *entries;   /* (element-type ChHistoryEntry), newest first */
  GPtrArray      *versions;  /* (element-type GHashTable): field → text, as entries,
                              * then the current record */
};

G_DEFINE_FINAL_TYPE (ChPatientHistory, ch_patient_history, ADW_TYPE_WINDOW)

typedef struct
{
  const char *key;
  const char *label;
} Field;

static const Field fields[] = {
  { "family_name", N_("Family Name") },
  { "given_name", N_("Given Names") },
  { "preferred_name", N_("Preferred Name") },
  { "birth_date", N_("Date of Birth") },
  { "sex", N_("Sex at Birth") },
  { "gender_identity", N_("Gender Identity") },
  { "pronouns", N_("Pronouns") },
  { "phones", N_("Phones") },
  { "email", N_("E-mail") },
  { "address_line", N_("Street Address") },
  { "city", N_("City") },
  { "region", N_("Region") },
  { "postal_code", N_("Postal Code") },
  { "country", N_("Country") },
  { "language", N_("Preferred Language") },
  { "primary_provider", N_("Primary Provider") },
  { "emergency_name", N_("Emergency Contact") },
  { "emergency_relation", N_("Emergency Contact’s Relation") },
  { "emergency_phone", N_("Emergency Contact’s Phone") },
  { "identifiers", N_("Other Identifiers") },
};

static void
version_free (gpointer version)
{
  if (version != NULL)
    g_hash_table_unref (version);
}

static GHashTable *
version_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
}

static void
version_set (GHashTable *version,
             const char *key,
             const char *value)
{
  if (value != NULL && *value != '\0')
    g_hash_table_insert (version, (gpointer) key, g_strdup (value));
}

/* Returns: (transfer full): the fields of an earlier version, from its
 * GVariant text, or %NULL if that cannot be read */
static GHashTable *
version_from_snapshot (const char *snapshot)
{
  g_autoptr(GVariant) variant = NULL;
  GHashTable *version;

  variant = g_variant_parse (G_VARIANT_TYPE_VARDICT, snapshot, NULL, NULL, NULL);
  if (variant == NULL)
    return NULL;

  version = version_new ();
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const char *key = fields[i].key;
      g_autoptr(GVariant) value = g_variant_lookup_value (variant, key, NULL);

      if (value == NULL)
        continue;

      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        {
          const char *text = g_variant_get_string (value, NULL);

          if (g_str_equal (key, "sex") && *text != '\0')
            text = ch_patient_ui_label (CH_PATIENT_UI_SEX, text);
          version_set (version, key, text);
        }
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE ("a(ss)")))
        {
          g_autoptr(GString) list = g_string_new (NULL);
          GVariantIter iter;
          const char *first;
          const char *second;

          g_variant_iter_init (&iter, value);
          while (g_variant_iter_next (&iter, "(&s&s)", &first, &second))
            {
              if (list->len > 0)
                g_string_append (list, "\n");
              if (g_str_equal (key, "phones"))
                g_string_append_printf (list, "%s (%s)", second,
                                        ch_patient_ui_label (CH_PATIENT_UI_PHONE_KIND, first));
              else
                g_string_append_printf (list, "%s: %s", first, second);
            }
          version_set (version, key, list->str);
        }
    }

  return version;
}

/* Returns: (transfer full): the fields of the record as it is now */
static GHashTable *
version_from_record (const ChPatientRecord *record)
{
  GHashTable *version = version_new ();
  g_autoptr(GString) phones = g_string_new (NULL);
  g_autoptr(GString) identifiers = g_string_new (NULL);

  version_set (version, "family_name", record->family_name);
  version_set (version, "given_name", record->given_name);
  version_set (version, "preferred_name", record->preferred_name);
  version_set (version, "birth_date", record->birth_date);
  if (record->sex != NULL && *record->sex != '\0')
    version_set (version, "sex", ch_patient_ui_label (CH_PATIENT_UI_SEX, record->sex));
  version_set (version, "gender_identity", record->gender_identity);
  version_set (version, "pronouns", record->pronouns);
  version_set (version, "email", record->email);
  version_set (version, "address_line", record->address_line);
  version_set (version, "city", record->city);
  version_set (version, "region", record->region);
  version_set (version, "postal_code", record->postal_code);
  version_set (version, "country", record->country);
  version_set (version, "language", record->language);
  version_set (version, "primary_provider", record->primary_provider);
  version_set (version, "emergency_name", record->emergency_name);
  version_set (version, "emergency_relation", record->emergency_relation);
  version_set (version, "emergency_phone", record->emergency_phone);

  for (guint i = 0; record->phones != NULL && i < record->phones->len; i++)
    {
      const ChPhone *phone = g_ptr_array_index (record->phones, i);

      if (phones->len > 0)
        g_string_append (phones, "\n");
      g_string_append_printf (phones, "%s (%s)", phone->number,
                              ch_patient_ui_label (CH_PATIENT_UI_PHONE_KIND, phone->kind));
    }
  version_set (version, "phones", phones->str);

  for (guint i = 0; record->identifiers != NULL && i < record->identifiers->len; i++)
    {
      const ChIdentifier *identifier = g_ptr_array_index (record->identifiers, i);

      if (identifiers->len > 0)
        g_string_append (identifiers, "\n");
      g_string_append_printf (identifiers, "%s: %s", identifier->system, identifier->value);
    }
  version_set (version, "identifiers", identifiers->str);

  return version;
}

static void
ch_patient_history_show_version (ChPatientHistory *self,
                                 guint             index)
{
  const ChHistoryEntry *entry = g_ptr_array_index (self->entries, index);
  GHashTable *version = g_ptr_array_index (self->versions, index);
  /* Newest first: the version that replaced this one is the one before it. */
  GHashTable *next = index == 0 ? g_ptr_array_index (self->versions, self->entries->len)
                                : g_ptr_array_index (self->versions, index - 1);
  g_autofree char *when = ch_patient_ui_format_time (entry->changed_at);
  g_autofree char *heading = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->fields_list))) != NULL)
    gtk_list_box_remove (self->fields_list, child);

  if (version == NULL)
    {
      gtk_label_set_text (self->fields_heading, _("This version cannot be read."));
      return;
    }

  /* Translators: a version number, then when and by whom it was replaced */
  heading = g_strdup_printf (_("Version %" PRId64 ", as it was until %s, when %s changed it. "
                               "The fields changed then are marked."),
                             entry->version, when, entry->changed_by);
  gtk_label_set_text (self->fields_heading, heading);

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const char *value = g_hash_table_lookup (version, fields[i].key);
      gboolean changed = next != NULL &&
                         g_strcmp0 (value, g_hash_table_lookup (next, fields[i].key)) != 0;
      GtkWidget *row;

      if (value == NULL && !changed)
        continue;

      row = ch_patient_ui_history_field_row (fields[i].key, _(fields[i].label), value, changed);
      gtk_list_box_append (self->fields_list, row);
    }
}

static void
on_version_selected (ChPatientHistory *self,
                     GtkListBoxRow    *row)
{
  if (row != NULL)
    ch_patient_history_show_version (self, (guint) gtk_list_box_row_get_index (row));
}

static void
ch_patient_history_load (ChPatientHistory      *self,
                         ChSession             *session,
                         const ChPatientRecord *record)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  entries = ch_patients_history (session, record->id, &error);
  if (entries == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }

  if (entries->len == 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  /* The controller lists them oldest first. */
  for (guint i = entries->len; i > 0; i--)
    {
      ChHistoryEntry *entry = g_ptr_array_steal_index (entries, i - 1);

      g_ptr_array_add (self->entries, entry);
      g_ptr_array_add (self->versions, version_from_snapshot (entry->snapshot));
      gtk_list_box_append (self->versions_list, ch_patient_ui_history_version_row (entry));
    }
  g_ptr_array_add (self->versions, version_from_record (record));

  gtk_stack_set_visible_child_name (self->stack, "versions");
  gtk_list_box_select_row (self->versions_list,
                           gtk_list_box_get_row_at_index (self->versions_list, 0));
}

/**
 * ch_patient_history_new:
 * @parent: (nullable): the window to stay on top of
 * @session: a session that may read demographics, with no worker using it
 * @record: the patient as it is now
 *
 * Reads the earlier versions of @record's demographics.
 *
 * Returns: (transfer none): a new window, not yet shown
 */
GtkWidget *
ch_patient_history_new (GtkWindow             *parent,
                        ChSession             *session,
                        const ChPatientRecord *record)
{
  ChPatientHistory *self;
  g_autofree char *name = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (record != NULL, NULL);
  g_return_val_if_fail (!ch_ui_session_is_busy (session), NULL);

  self = g_object_new (CH_TYPE_PATIENT_HISTORY,
                       "transient-for", parent,
                       NULL);

  name = ch_patient_record_display_name (record);
  adw_window_title_set_subtitle (self->window_title, name);
  gtk_window_set_title (GTK_WINDOW (self), _("Earlier Versions"));
  ch_patient_history_load (self, session, record);

  return GTK_WIDGET (self);
}

/* Returns: how many earlier versions are listed */
guint
ch_patient_history_get_n_versions (ChPatientHistory *self)
{
  g_return_val_if_fail (CH_IS_PATIENT_HISTORY (self), 0);

  return self->entries->len;
}

/* Shows the earlier version at @index, 0 being the newest. */
void
ch_patient_history_select (ChPatientHistory *self,
                           guint             index)
{
  g_return_if_fail (CH_IS_PATIENT_HISTORY (self));
  g_return_if_fail (index < self->entries->len);

  gtk_list_box_select_row (self->versions_list,
                           gtk_list_box_get_row_at_index (self->versions_list, (int) index));
}

static void
ch_patient_history_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CH_TYPE_PATIENT_HISTORY);

  G_OBJECT_CLASS (ch_patient_history_parent_class)->dispose (object);
}

static void
ch_patient_history_finalize (GObject *object)
{
  ChPatientHistory *self = CH_PATIENT_HISTORY (object);

  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->versions, g_ptr_array_unref);

  G_OBJECT_CLASS (ch_patient_history_parent_class)->finalize (object);
}

static void
ch_patient_history_class_init (ChPatientHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_patient_history_dispose;
  object_class->finalize = ch_patient_history_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-patient-history.ui");
  gtk_widget_class_bind_template_child (widget_class, ChPatientHistory, window_title);
  gtk_widget_class_bind_template_child (widget_class, ChPatientHistory, stack);
  gtk_widget_class_bind_template_child (widget_class, ChPatientHistory, versions_list);
  gtk_widget_class_bind_template_child (widget_class, ChPatientHistory, fields_heading);
  gtk_widget_class_bind_template_child (widget_class, ChPatientHistory, fields_list);
  gtk_widget_class_bind_template_child (widget_class, ChPatientHistory, error_page);
  gtk_widget_class_bind_template_callback (widget_class, on_version_selected);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_patient_history_init (ChPatientHistory *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_history_entry_free);
  self->versions = g_ptr_array_new_with_free_func (version_free);

  gtk_widget_init_template (GTK_WIDGET (self));
}
