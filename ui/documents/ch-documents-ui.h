/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-document-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* What the document widgets share: how a document is named and drawn in a
 * list, and its export to a file. */

typedef enum
{
  CH_DOCUMENTS_UI_KIND_OTHER,
  CH_DOCUMENTS_UI_KIND_PDF,
  CH_DOCUMENTS_UI_KIND_IMAGE,
  CH_DOCUMENTS_UI_KIND_TEXT,
  CH_DOCUMENTS_UI_KIND_DICOM,
} ChDocumentsUiKind;

ChDocumentsUiKind ch_documents_ui_kind        (const char       *content_type);
const char       *ch_documents_ui_icon_name   (const char       *content_type);
const char       *ch_documents_ui_type_label  (const char       *content_type);
char             *ch_documents_ui_format_date (const char       *iso_date);
char             *ch_documents_ui_describe    (const ChDocument *document);
char             *ch_documents_ui_file_name   (const ChDocument *document);

/* Writes @document's content to @path, or to a file the user picks when
 * @path is NULL, on the session's worker; says how it went in a toast or a
 * dialog over @widget. */
void              ch_documents_ui_export      (GtkWidget        *widget,
                                               ChSession        *session,
                                               const ChDocument *document,
                                               const char       *path);

G_END_DECLS
