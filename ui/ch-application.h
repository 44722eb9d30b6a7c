/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CH_TYPE_APPLICATION (ch_application_get_type ())
G_DECLARE_FINAL_TYPE (ChApplication, ch_application, CH, APPLICATION, AdwApplication)

ChApplication *ch_application_new              (void);
const char    *ch_application_get_practice_dir (ChApplication *self);
void           ch_application_set_practice_dir (ChApplication *self,
                                                const char    *practice_dir);

G_END_DECLS
