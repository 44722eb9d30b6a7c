/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_PREFERENCES_WINDOW (ch_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (ChPreferencesWindow, ch_preferences_window, CH, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

GtkWidget *ch_preferences_window_new   (GtkWindow           *parent,
                                        ChSession           *session);
gboolean   ch_preferences_window_apply (ChPreferencesWindow *self);

G_END_DECLS
