/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-application.h"
#include "ch-practice.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_WINDOW (ch_window_get_type ())
G_DECLARE_FINAL_TYPE (ChWindow, ch_window, CH, WINDOW, AdwApplicationWindow)

ChWindow   *ch_window_new                      (ChApplication *application,
                                                const char    *practice_dir);
const char *ch_window_get_practice_dir         (ChWindow      *self);
ChPractice *ch_window_get_practice             (ChWindow      *self);
ChSession  *ch_window_get_session              (ChWindow      *self);
const char *ch_window_get_page_name            (ChWindow      *self);
GtkWidget  *ch_window_get_main_page            (ChWindow      *self);
void        ch_window_set_idle_timeout_seconds (ChWindow      *self,
                                                guint          seconds);
void        ch_window_show_preferences         (ChWindow      *self);

G_END_DECLS
