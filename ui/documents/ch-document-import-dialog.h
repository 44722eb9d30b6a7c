/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-document-db.h"
#include "ch-documents.h"

G_BEGIN_DECLS

#define CH_TYPE_DOCUMENT_IMPORT_DIALOG (ch_document_import_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ChDocumentImportDialog, ch_document_import_dialog,
                      CH, DOCUMENT_IMPORT_DIALOG, AdwWindow)

GtkWidget  *ch_document_import_dialog_new      (GtkWindow              *parent,
                                                const char * const     *paths);
GtkWidget  *ch_document_import_dialog_new_edit (GtkWindow              *parent,
                                                const ChDocument       *document);
guint       ch_document_import_dialog_get_n_files (ChDocumentImportDialog *self);
const char *ch_document_import_dialog_get_path (ChDocumentImportDialog *self,
                                                guint                   index);
void        ch_document_import_dialog_get_meta (ChDocumentImportDialog *self,
                                                guint                   index,
                                                ChDocumentMeta         *meta);
void        ch_document_import_dialog_set_category (ChDocumentImportDialog *self,
                                                    const char             *category);
void        ch_document_import_dialog_set_title (ChDocumentImportDialog *self,
                                                 guint                   index,
                                                 const char             *title);
void        ch_document_import_dialog_set_field (ChDocumentImportDialog *self,
                                                 const char             *field,
                                                 const char             *value);
gboolean    ch_document_import_dialog_confirm  (ChDocumentImportDialog *self);

G_END_DECLS
