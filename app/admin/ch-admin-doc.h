/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What "doc list" prints: @documents (element-type ChDocument) as table
 * rows (header first) or as one JSON array. */
GPtrArray *ch_admin_document_rows  (GPtrArray *documents);
char      *ch_admin_documents_json (GPtrArray *documents);

G_END_DECLS
