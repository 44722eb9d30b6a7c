/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_LOCK_PAGE (ch_lock_page_get_type ())
G_DECLARE_FINAL_TYPE (ChLockPage, ch_lock_page, CH, LOCK_PAGE, AdwBin)

GtkWidget *ch_lock_page_new         (void);
ChSession *ch_lock_page_get_session (ChLockPage *self);
void       ch_lock_page_set_session (ChLockPage *self,
                                     ChSession  *session);
gboolean   ch_lock_page_get_busy    (ChLockPage *self);

G_END_DECLS
