/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charta-admin"

#include "config.h"

#include "ch-admin-output.h"

char *
ch_admin_format_table (GPtrArray *rows,
                       guint      n_columns)
{
  g_autofree glong *widths = g_new0 (glong, n_columns);
  g_autoptr (GString) line = g_string_new (NULL);
  GString *table = g_string_new (NULL);

  for (guint r = 0; r < rows->len; r++)
    {
      char **row = g_ptr_array_index (rows, r);

      for (guint c = 0; c < n_columns; c++)
        widths[c] = MAX (widths[c], g_utf8_strlen (row[c] ? row[c] : "", -1));
    }

  for (guint r = 0; r < rows->len; r++)
    {
      char **row = g_ptr_array_index (rows, r);

      g_string_truncate (line, 0);
      for (guint c = 0; c < n_columns; c++)
        {
          const char *text = row[c] ? row[c] : "";

          g_string_append (line, text);
          if (c + 1 < n_columns)
            for (glong i = g_utf8_strlen (text, -1); i < widths[c] + 2; i++)
              g_string_append_c (line, ' ');
        }
      g_string_append_printf (table, "%s\n", g_strchomp (line->str));
    }

  return g_string_free (table, FALSE);
}

void
ch_admin_print_table (GPtrArray *rows,
                      guint      n_columns)
{
  g_autofree char *table = ch_admin_format_table (rows, n_columns);

  g_print ("%s", table);
}

char *
ch_admin_json_text (JsonBuilder *builder)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  return json_generator_to_data (generator, NULL);
}

void
ch_admin_print_json (JsonBuilder *builder)
{
  g_autofree char *text = ch_admin_json_text (builder);

  g_print ("%s\n", text);
}
