/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_REFILLS_PAGE (ch_refills_page_get_type ())
G_DECLARE_FINAL_TYPE (ChRefillsPage, ch_refills_page, CH, REFILLS_PAGE, AdwBin)

GtkWidget *ch_refills_page_new      (ChSession     *session);
/* Reads the queue again (it is read when the page is shown). */
void       ch_refills_page_reload   (ChRefillsPage *self);
gboolean   ch_refills_page_get_busy (ChRefillsPage *self);
/* Returns: (element-type ChRefillRequest) (transfer none) (nullable): the queue shown */
GPtrArray *ch_refills_page_get_queue (ChRefillsPage *self);

G_END_DECLS
