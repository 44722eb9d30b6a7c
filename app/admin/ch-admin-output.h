/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What charta-admin prints: tables for people, JSON for scripts. */

/* @rows: (element-type GStrv): rows of @n_columns strings (the first row the
 * header; NULL cells print as empty).
 * Returns: (transfer full): them as aligned columns, two spaces apart, with
 * no trailing blanks, one line a row. */
char *ch_admin_format_table (GPtrArray   *rows,
                             guint        n_columns);
void  ch_admin_print_table  (GPtrArray   *rows,
                             guint        n_columns);

/* Returns: (transfer full): what @builder built, indented by two spaces. */
char *ch_admin_json_text    (JsonBuilder *builder);
/* Prints it, with a line end. */
void  ch_admin_print_json   (JsonBuilder *builder);

G_END_DECLS
