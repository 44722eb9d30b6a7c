/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-practice.h"

G_BEGIN_DECLS

#define CH_TYPE_SETUP_PAGE (ch_setup_page_get_type ())
G_DECLARE_FINAL_TYPE (ChSetupPage, ch_setup_page, CH, SETUP_PAGE, AdwBin)

GtkWidget  *ch_setup_page_new              (void);
const char *ch_setup_page_get_practice_dir (ChSetupPage *self);
void        ch_setup_page_set_practice_dir (ChSetupPage *self,
                                            const char  *practice_dir);
gboolean    ch_setup_page_get_busy         (ChSetupPage *self);
char       *ch_setup_page_dup_practice_name (ChSetupPage *self);
char       *ch_setup_page_dup_username     (ChSetupPage *self);

G_END_DECLS
