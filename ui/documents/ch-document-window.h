/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-document-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_DOCUMENT_WINDOW (ch_document_window_get_type ())
G_DECLARE_FINAL_TYPE (ChDocumentWindow, ch_document_window, CH, DOCUMENT_WINDOW, AdwWindow)

GtkWidget  *ch_document_window_new         (GtkWindow        *parent,
                                            ChSession        *session,
                                            const ChDocument *document);
GtkWidget  *ch_document_window_new_series  (GtkWindow        *parent,
                                            ChSession        *session,
                                            const ChDocument *first,
                                            const char       *title,
                                            GArray           *document_ids);
GtkWidget  *ch_document_window_get_viewer  (ChDocumentWindow *self);
const char *ch_document_window_get_message (ChDocumentWindow *self);
gboolean    ch_document_window_get_ready   (ChDocumentWindow *self);

G_END_DECLS
