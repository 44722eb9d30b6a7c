/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_IMAGING_INBOX_PAGE (ch_imaging_inbox_page_get_type ())
G_DECLARE_FINAL_TYPE (ChImagingInboxPage, ch_imaging_inbox_page, CH, IMAGING_INBOX_PAGE, AdwBin)

GtkWidget *ch_imaging_inbox_page_new       (ChSession          *session);
void       ch_imaging_inbox_page_reload    (ChImagingInboxPage *self);
gboolean   ch_imaging_inbox_page_get_busy  (ChImagingInboxPage *self);
GPtrArray *ch_imaging_inbox_page_get_items (ChImagingInboxPage *self);
GtkWidget *ch_imaging_inbox_page_assign    (ChImagingInboxPage *self,
                                            gint64              entry_id);
void       ch_imaging_inbox_page_assign_to (ChImagingInboxPage *self,
                                            gint64              entry_id,
                                            gint64              patient_id);

G_END_DECLS
