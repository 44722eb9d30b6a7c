/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_LISTS_PAGE (ch_lists_page_get_type ())
G_DECLARE_FINAL_TYPE (ChListsPage, ch_lists_page, CH, LISTS_PAGE, AdwBin)

GtkWidget *ch_lists_page_new      (ChSession   *session);
void       ch_lists_page_reload   (ChListsPage *self);
gboolean   ch_lists_page_get_busy (ChListsPage *self);

G_END_DECLS
