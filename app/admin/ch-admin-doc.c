/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charta-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ch-admin-doc.h"
#include "ch-admin-output.h"
#include "ch-documents.h"

GPtrArray *
ch_admin_document_rows (GPtrArray *documents)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  g_ptr_array_add (rows, g_strdupv ((char *[]) { _("ID"), _("DATE"), _("CATEGORY"), _("SIZE"),
                                                 _("TYPE"), _("STATUS"), _("TITLE"), NULL }));
  for (guint i = 0; i < documents->len; i++)
    {
      const ChDocument *d = documents->pdata[i];
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, d->id);
      g_autofree char *size = g_strdup_printf ("%" G_GINT64_FORMAT, d->size);

      g_ptr_array_add (rows, g_strdupv ((char *[]) { id, d->date, d->category, size,
                                                     d->content_type, d->status, d->title,
                                                     NULL }));
    }
  return rows;
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value != NULL ? value : "");
}

char *
ch_admin_documents_json (GPtrArray *documents)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < documents->len; i++)
    {
      const ChDocument *d = documents->pdata[i];
      g_autoptr (GDateTime) created = g_date_time_new_from_unix_utc (d->created_at / G_USEC_PER_SEC);
      g_autofree char *created_text = g_date_time_format_iso8601 (created);
      g_auto (GStrv) tags = g_strsplit (d->tags, ",", -1);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, d->id);
      add_string (builder, "date", d->date);
      add_string (builder, "category", d->category);
      add_string (builder, "title", d->title);
      add_string (builder, "author", d->author);
      add_string (builder, "source", d->source);
      json_builder_set_member_name (builder, "tags");
      json_builder_begin_array (builder);
      for (guint t = 0; tags[t] != NULL; t++)
        if (*g_strstrip (tags[t]) != '\0')
          json_builder_add_string_value (builder, tags[t]);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, d->size);
      add_string (builder, "content_type", d->content_type);
      add_string (builder, "status", d->status);
      json_builder_set_member_name (builder, "status_reason");
      if (d->status_reason != NULL && *d->status_reason != '\0')
        json_builder_add_string_value (builder, d->status_reason);
      else
        json_builder_add_null_value (builder);
      add_string (builder, "created_at", created_text);
      add_string (builder, "created_by", d->created_by);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  return ch_admin_json_text (builder);
}
