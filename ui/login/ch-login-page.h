/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-practice.h"

G_BEGIN_DECLS

#define CH_TYPE_LOGIN_PAGE (ch_login_page_get_type ())
G_DECLARE_FINAL_TYPE (ChLoginPage, ch_login_page, CH, LOGIN_PAGE, AdwBin)

GtkWidget  *ch_login_page_new               (void);
ChPractice *ch_login_page_get_practice      (ChLoginPage *self);
void        ch_login_page_set_practice      (ChLoginPage *self,
                                             ChPractice  *practice);
void        ch_login_page_set_practice_name (ChLoginPage *self,
                                             const char  *name);
void        ch_login_page_set_username      (ChLoginPage *self,
                                             const char  *username);
void        ch_login_page_set_message       (ChLoginPage *self,
                                             const char  *message);
void        ch_login_page_reset             (ChLoginPage *self);
gboolean    ch_login_page_get_busy          (ChLoginPage *self);

G_END_DECLS
