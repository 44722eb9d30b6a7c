/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-chart-history"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "ch-chart.h"
#include "ch-chart-history.h"
#include "ch-chart-ui.h"
#include "ch-patient-ui.h"
#include "ch-ui.h"

/* The earlier versions of one chart entry, newest first: who replaced each
 * one, when and why, and what it said, with the fields the next version
 * changed marked. The controller keeps each version as GVariant text; it is
 * parsed here only to be shown. */

struct _ChChartHistory
{
  AdwWindow       parent_instance;

  AdwWindowTitle *window_title;
  GtkStack       *stack;
  GtkListBox     *versions_list;
  GtkLabel       *fields_heading;
  GtkListBox     *fields_list;
  AdwStatusPage  *error_page;

  char           *section;
  GPtrArray      *entries;   /* (element-type ChHistoryEntry), newest first */
  GPtrArray      *versions;  /* (element-type GHashTable): field → text, as entries,
                              * then the entry as it is now */
};

G_DEFINE_FINAL_TYPE (ChChartHistory, ch_chart_history, ADW_TYPE_WINDOW)

static const char *fields[] = {
  "display", "code", "kind", "value", "flag", "range", "severity", "reaction", "dose",
  "start_date", "end_date", "clinical_status", "lot", "site", "route", "performer", "status",
};

static const char *
field_label (const char *section,
             const char *key)
{
  gboolean problem = g_strcmp0 (section, CH_SECTION_PROBLEM) == 0;
  gboolean medication = g_strcmp0 (section, CH_SECTION_MEDICATION) == 0;

  if (g_str_equal (key, "display"))
    return ch_chart_ui_section_title (section);
  if (g_str_equal (key, "code"))
    return _("Code");
  if (g_str_equal (key, "kind"))
    return _("Kind");
  if (g_str_equal (key, "value"))
    return _("Value");
  if (g_str_equal (key, "flag"))
    return _("Abnormal Flag");
  if (g_str_equal (key, "range"))
    return _("Reference Range");
  if (g_str_equal (key, "severity"))
    return _("Severity");
  if (g_str_equal (key, "reaction"))
    return _("Reaction");
  if (g_str_equal (key, "dose"))
    return _("Dose");
  if (g_str_equal (key, "start_date"))
    return problem ? _("Onset") : medication ? _("Started") : _("Date");
  if (g_str_equal (key, "end_date"))
    return problem ? _("Resolved On") : medication ? _("Stopped On") : _("End Date");
  if (g_str_equal (key, "clinical_status"))
    return _("Status");
  if (g_str_equal (key, "lot"))
    return _("Lot Number");
  if (g_str_equal (key, "site"))
    return _("Site");
  if (g_str_equal (key, "route"))
    return _("Route");
  if (g_str_equal (key, "performer"))
    return _("Performing Laboratory");
  if (g_str_equal (key, "status"))
    return _("Record");
  return key;
}

static const char *
choice_label (const char *section,
              const char *key,
              const char *code)
{
  if (g_str_equal (key, "kind") && g_strcmp0 (section, CH_SECTION_ALLERGY) == 0)
    return ch_chart_ui_label (CH_CHART_UI_ALLERGY_KIND, code);
  if (g_str_equal (key, "kind") && g_strcmp0 (section, CH_SECTION_HISTORY) == 0)
    return ch_chart_ui_label (CH_CHART_UI_HISTORY_KIND, code);
  if (g_str_equal (key, "severity"))
    return ch_chart_ui_label (CH_CHART_UI_SEVERITY, code);
  if (g_str_equal (key, "clinical_status"))
    {
      if (g_strcmp0 (section, CH_SECTION_PROBLEM) == 0)
        return ch_chart_ui_label (CH_CHART_UI_PROBLEM_STATUS, code);
      if (g_strcmp0 (section, CH_SECTION_ALLERGY) == 0)
        return ch_chart_ui_label (CH_CHART_UI_ALLERGY_STATUS, code);
      if (g_strcmp0 (section, CH_SECTION_MEDICATION) == 0)
        return ch_chart_ui_label (CH_CHART_UI_MEDICATION_STATUS, code);
      if (g_strcmp0 (section, CH_SECTION_IMMUNIZATION) == 0)
        return ch_chart_ui_label (CH_CHART_UI_IMMUNIZATION_STATUS, code);
    }
  if (g_str_equal (key, "status"))
    return g_strcmp0 (code, "entered-in-error") == 0 ? _("Entered in error") : _("In the chart");
  return code;
}

static void
version_free (gpointer version)
{
  if (version != NULL)
    g_hash_table_unref (version);
}

static void
version_set (GHashTable *version,
             const char *section,
             const char *key,
             const char *value)
{
  if (ch_chart_ui_has_text (value))
    g_hash_table_insert (version, (gpointer) key, g_strdup (choice_label (section, key, value)));
}

static GHashTable *
version_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
}

/* Returns: (transfer full): the fields of @item as they are shown */
static GHashTable *
version_from_item (const ChChartItem *item)
{
  GHashTable *version = version_new ();
  const char *section = item->section;
  g_autofree char *value = NULL;

  version_set (version, section, "display", item->display);
  version_set (version, section, "code", item->code);
  version_set (version, section, "kind", item->kind);
  if (item->has_value || ch_chart_ui_has_text (item->value_text))
    value = ch_chart_ui_format_value (item);
  version_set (version, section, "value", value);
  version_set (version, section, "flag", item->flag);
  if (item->has_range)
    {
      g_autofree char *low = ch_chart_ui_format_number (item->ref_low, 3);
      g_autofree char *high = ch_chart_ui_format_number (item->ref_high, 3);
      g_autofree char *range = g_strdup_printf ("%s–%s", low, high);

      version_set (version, section, "range", range);
    }
  version_set (version, section, "severity", item->severity);
  version_set (version, section, "reaction", item->reaction);
  version_set (version, section, "dose", ch_chart_item_get_detail (item, "dose"));
  version_set (version, section, "start_date", item->start_date);
  version_set (version, section, "end_date", item->end_date);
  version_set (version, section, "clinical_status", item->clinical_status);
  version_set (version, section, "lot", ch_chart_item_get_detail (item, "lot"));
  version_set (version, section, "site", ch_chart_item_get_detail (item, "site"));
  version_set (version, section, "route", ch_chart_item_get_detail (item, "route"));
  version_set (version, section, "performer", ch_chart_item_get_detail (item, "performer"));
  version_set (version, section, "status", item->status);

  return version;
}

static char *
lookup_string (GVariant   *dict,
               const char *key)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (dict, key, G_VARIANT_TYPE_STRING);

  return value != NULL ? g_variant_dup_string (value, NULL) : NULL;
}

/* Returns: (transfer full) (nullable): the fields of an earlier version,
 * from its GVariant text, or %NULL if that cannot be read */
static GHashTable *
version_from_snapshot (const char *snapshot,
                       const char *section)
{
  g_autoptr(GVariant) variant = NULL;
  g_autoptr(GVariant) number = NULL;
  g_autoptr(GVariant) details = NULL;
  g_autoptr(ChChartItem) item = NULL;

  variant = g_variant_parse (G_VARIANT_TYPE_VARDICT, snapshot, NULL, NULL, NULL);
  if (variant == NULL)
    return NULL;

  item = ch_chart_item_new (section);
  item->display = lookup_string (variant, "display");
  item->code = lookup_string (variant, "code");
  item->kind = lookup_string (variant, "kind");
  item->value_text = lookup_string (variant, "value_text");
  item->unit = lookup_string (variant, "unit");
  item->flag = lookup_string (variant, "flag");
  item->severity = lookup_string (variant, "severity");
  item->reaction = lookup_string (variant, "reaction");
  item->clinical_status = lookup_string (variant, "clinical_status");
  item->start_date = lookup_string (variant, "start_date");
  item->end_date = lookup_string (variant, "end_date");
  item->status = lookup_string (variant, "status");

  number = g_variant_lookup_value (variant, "value_num", G_VARIANT_TYPE_DOUBLE);
  if (number != NULL)
    {
      item->has_value = TRUE;
      item->value_num = g_variant_get_double (number);
    }

  details = g_variant_lookup_value (variant, "details", G_VARIANT_TYPE_VARDICT);
  if (details != NULL)
    item->details = g_variant_ref_sink (g_steal_pointer (&details));

  return version_from_item (item);
}

static void
ch_chart_history_show_version (ChChartHistory *self,
                               guint           index)
{
  const ChHistoryEntry *entry = g_ptr_array_index (self->entries, index);
  GHashTable *version = g_ptr_array_index (self->versions, index);
  /* Newest first: the version that replaced this one is the one before it. */
  GHashTable *next = index == 0 ? g_ptr_array_index (self->versions, self->entries->len)
                                : g_ptr_array_index (self->versions, index - 1);
  g_autofree char *when = ch_chart_ui_format_time (entry->changed_at);
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
      const char *value = g_hash_table_lookup (version, fields[i]);
      gboolean changed = next != NULL &&
                         g_strcmp0 (value, g_hash_table_lookup (next, fields[i])) != 0;
      GtkWidget *row;

      if (value == NULL && !changed)
        continue;

      row = ch_patient_ui_history_field_row (fields[i], field_label (self->section, fields[i]),
                                             value, changed);
      gtk_list_box_append (self->fields_list, row);
    }
}

static void
on_version_selected (ChChartHistory *self,
                     GtkListBoxRow  *row)
{
  if (row != NULL)
    ch_chart_history_show_version (self, (guint) gtk_list_box_row_get_index (row));
}

static void
ch_chart_history_load (ChChartHistory    *self,
                       ChSession         *session,
                       const ChChartItem *item)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  entries = ch_chart_item_history (session, item->id, &error);
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
      g_ptr_array_add (self->versions, version_from_snapshot (entry->snapshot, item->section));
      gtk_list_box_append (self->versions_list, ch_patient_ui_history_version_row (entry));
    }
  g_ptr_array_add (self->versions, version_from_item (item));

  gtk_stack_set_visible_child_name (self->stack, "versions");
  gtk_list_box_select_row (self->versions_list,
                           gtk_list_box_get_row_at_index (self->versions_list, 0));
}

/**
 * ch_chart_history_new:
 * @parent: (nullable): the window to stay on top of
 * @session: a session that may read the chart, with no worker using it
 * @item: the entry as it is now
 *
 * Reads the earlier versions of @item.
 *
 * Returns: (transfer none): a new window, not yet shown
 */
GtkWidget *
ch_chart_history_new (GtkWindow         *parent,
                      ChSession         *session,
                      const ChChartItem *item)
{
  ChChartHistory *self;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (item != NULL, NULL);
  g_return_val_if_fail (!ch_ui_session_is_busy (session), NULL);

  self = g_object_new (CH_TYPE_CHART_HISTORY,
                       "transient-for", parent,
                       NULL);
  self->section = g_strdup (item->section);

  adw_window_title_set_subtitle (self->window_title,
                                 ch_chart_ui_has_text (item->display)
                                 ? item->display : ch_chart_ui_vital_name (item->code));
  gtk_window_set_title (GTK_WINDOW (self), _("Earlier Versions"));
  ch_chart_history_load (self, session, item);

  return GTK_WIDGET (self);
}

/* Returns: how many earlier versions are listed */
guint
ch_chart_history_get_n_versions (ChChartHistory *self)
{
  g_return_val_if_fail (CH_IS_CHART_HISTORY (self), 0);

  return self->entries->len;
}

/* Shows the earlier version at @index, 0 being the newest. */
void
ch_chart_history_select (ChChartHistory *self,
                         guint           index)
{
  g_return_if_fail (CH_IS_CHART_HISTORY (self));
  g_return_if_fail (index < self->entries->len);

  gtk_list_box_select_row (self->versions_list,
                           gtk_list_box_get_row_at_index (self->versions_list, (int) index));
}

static void
ch_chart_history_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CH_TYPE_CHART_HISTORY);

  G_OBJECT_CLASS (ch_chart_history_parent_class)->dispose (object);
}

static void
ch_chart_history_finalize (GObject *object)
{
  ChChartHistory *self = CH_CHART_HISTORY (object);

  g_free (self->section);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->versions, g_ptr_array_unref);

  G_OBJECT_CLASS (ch_chart_history_parent_class)->finalize (object);
}

static void
ch_chart_history_class_init (ChChartHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_chart_history_dispose;
  object_class->finalize = ch_chart_history_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-chart-history.ui");
  gtk_widget_class_bind_template_child (widget_class, ChChartHistory, window_title);
  gtk_widget_class_bind_template_child (widget_class, ChChartHistory, stack);
  gtk_widget_class_bind_template_child (widget_class, ChChartHistory, versions_list);
  gtk_widget_class_bind_template_child (widget_class, ChChartHistory, fields_heading);
  gtk_widget_class_bind_template_child (widget_class, ChChartHistory, fields_list);
  gtk_widget_class_bind_template_child (widget_class, ChChartHistory, error_page);
  gtk_widget_class_bind_template_callback (widget_class, on_version_selected);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_chart_history_init (ChChartHistory *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_history_entry_free);
  self->versions = g_ptr_array_new_with_free_func (version_free);

  gtk_widget_init_template (GTK_WIDGET (self));
}
