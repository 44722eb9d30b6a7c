/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_LAB_QUEUE_PAGE (ch_lab_queue_page_get_type ())
G_DECLARE_FINAL_TYPE (ChLabQueuePage, ch_lab_queue_page, CH, LAB_QUEUE_PAGE, AdwBin)

GtkWidget  *ch_lab_queue_page_new          (ChSession      *session);
void        ch_lab_queue_page_reload       (ChLabQueuePage *self);
gboolean    ch_lab_queue_page_get_busy     (ChLabQueuePage *self);
GPtrArray  *ch_lab_queue_page_get_waiting  (ChLabQueuePage *self);
GPtrArray  *ch_lab_queue_page_get_log      (ChLabQueuePage *self);
guint       ch_lab_queue_page_get_n_log_shown (ChLabQueuePage *self);
void        ch_lab_queue_page_set_log_filter (ChLabQueuePage *self,
                                              const char     *outcome);
const char *ch_lab_queue_page_get_error    (ChLabQueuePage *self);
GtkWidget  *ch_lab_queue_page_assign       (ChLabQueuePage *self,
                                            gint64          message_id);
void        ch_lab_queue_page_assign_to    (ChLabQueuePage *self,
                                            gint64          message_id,
                                            gint64          patient_id);
void        ch_lab_queue_page_reprocess    (ChLabQueuePage *self,
                                            gint64          message_id);

G_END_DECLS
