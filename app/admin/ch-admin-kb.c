/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charta-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ch-admin-kb.h"
#include "ch-admin-output.h"

static void
append_field (GString    *out,
              const char *label,
              const char *value)
{
  if (value == NULL || value[0] == '\0')
    return;
  g_string_append_printf (out, "  %-15s %s\n", label, value);
}

char *
ch_admin_kb_alerts_text (GPtrArray *alerts)
{
  GString *out = g_string_new (NULL);

  if (alerts->len == 0)
    {
      g_string_append_printf (out, "%s\n", _("No alerts."));
      return g_string_free (out, FALSE);
    }

  for (guint i = 0; i < alerts->len; i++)
    {
      const ChDrugAlert *alert = alerts->pdata[i];
      g_autofree char *title = ch_drug_alert_title (alert);

      g_string_append_printf (out, "%s%s [%s]\n", i > 0 ? "\n" : "", title, alert->rule);
      append_field (out, _("Why:"), alert->effect);
      append_field (out, _("Mechanism:"), alert->mechanism);
      append_field (out, _("What to do:"), alert->management);
      append_field (out, _("Source:"), alert->source);
    }
  return g_string_free (out, FALSE);
}

char *
ch_admin_kb_alerts_json (ChDrugKb  *kb,
                         GPtrArray *alerts)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "knowledge_base");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, ch_drug_kb_get_info (kb, "name"));
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, ch_drug_kb_get_info (kb, "version"));
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "alerts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < alerts->len; i++)
    {
      const ChDrugAlert *alert = alerts->pdata[i];
      const struct { const char *name; const char *value; } fields[] = {
        { "kind", ch_drug_alert_kind_to_string (alert->kind) },
        { "severity", ch_drug_severity_to_string (alert->severity) },
        { "rule", alert->rule },
        { "drug_a", alert->drug_a },
        { "drug_b", alert->drug_b },
        { "party_a", alert->party_a },
        { "party_b", alert->party_b },
        { "effect", alert->effect },
        { "mechanism", alert->mechanism },
        { "management", alert->management },
        { "source", alert->source },
      };

      json_builder_begin_object (builder);
      for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
        {
          json_builder_set_member_name (builder, fields[f].name);
          if (fields[f].value != NULL)
            json_builder_add_string_value (builder, fields[f].value);
          else
            json_builder_add_null_value (builder);
        }
      json_builder_set_member_name (builder, "needs_reason");
      json_builder_add_boolean_value (builder,
                                      alert->severity == CH_DRUG_SEVERITY_CONTRAINDICATED);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return ch_admin_json_text (builder);
}

char *
ch_admin_kb_info_text (ChDrugKb *kb,
                       gboolean  imported)
{
  GString *out = g_string_new (NULL);

  append_field (out, _("Name:"), ch_drug_kb_get_info (kb, "name"));
  append_field (out, _("Version:"), ch_drug_kb_get_info (kb, "version"));
  append_field (out, _("Publisher:"), ch_drug_kb_get_info (kb, "publisher"));
  append_field (out, _("Date:"), ch_drug_kb_get_info (kb, "date"));
  append_field (out, _("Licence:"), ch_drug_kb_get_info (kb, "license"));
  append_field (out, _("Origin:"), imported ? _("imported by the practice")
                                            : _("shipped with Charta"));
  g_string_append_printf (out, "  %-15s %u\n", _("Drugs:"), ch_drug_kb_count_drugs (kb));
  g_string_append_printf (out, "  %-15s %u\n", _("Interactions:"),
                          ch_drug_kb_count_interactions (kb));
  g_string_append_printf (out, "  %-15s %u\n", _("Allergy groups:"),
                          ch_drug_kb_count_allergy_groups (kb));
  return g_string_free (out, FALSE);
}
