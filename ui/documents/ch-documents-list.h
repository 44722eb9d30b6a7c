/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-records.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_DOCUMENTS_LIST (ch_documents_list_get_type ())
G_DECLARE_FINAL_TYPE (ChDocumentsList, ch_documents_list, CH, DOCUMENTS_LIST, AdwBin)

void        ch_documents_list_set_session  (ChDocumentsList       *self,
                                            ChSession             *session);
void        ch_documents_list_load         (ChDocumentsList       *self,
                                            const ChPatientRecord *patient);
void        ch_documents_list_reload       (ChDocumentsList       *self);
void        ch_documents_list_clear        (ChDocumentsList       *self);
gboolean    ch_documents_list_get_busy     (ChDocumentsList       *self);
GPtrArray  *ch_documents_list_get_documents (ChDocumentsList      *self);
GtkWidget  *ch_documents_list_import_files (ChDocumentsList       *self,
                                            const char * const    *paths);
GtkWidget  *ch_documents_list_open         (ChDocumentsList       *self,
                                            gint64                 document_id);
GtkWidget  *ch_documents_list_open_series  (ChDocumentsList       *self,
                                            const char            *study_uid,
                                            guint                  series_index);
void        ch_documents_list_export       (ChDocumentsList       *self,
                                            gint64                 document_id,
                                            const char            *path);
void        ch_documents_list_set_show_entered_in_error (ChDocumentsList *self,
                                                         gboolean         show);
const char *ch_documents_list_get_progress_text (ChDocumentsList  *self);

G_END_DECLS
