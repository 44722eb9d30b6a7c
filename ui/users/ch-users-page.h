/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_USERS_PAGE (ch_users_page_get_type ())
G_DECLARE_FINAL_TYPE (ChUsersPage, ch_users_page, CH, USERS_PAGE, AdwBin)

GtkWidget  *ch_users_page_new      (ChSession   *session);
GListModel *ch_users_page_get_users (ChUsersPage *self);
void        ch_users_page_reload   (ChUsersPage *self);
gboolean    ch_users_page_select   (ChUsersPage *self,
                                    const char  *username);
gboolean    ch_users_page_get_busy (ChUsersPage *self);

G_END_DECLS
