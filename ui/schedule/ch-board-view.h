/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_BOARD_VIEW (ch_board_view_get_type ())
G_DECLARE_FINAL_TYPE (ChBoardView, ch_board_view, CH, BOARD_VIEW, AdwBin)

GtkWidget *ch_board_view_new              (ChSession   *session);
void       ch_board_view_reload           (ChBoardView *self);
gboolean   ch_board_view_get_busy         (ChBoardView *self);
/* Returns: (transfer none) (element-type ChAppointment) (nullable): today's
 * appointments as last read, by start; NULL before the first read */
GPtrArray *ch_board_view_get_appointments (ChBoardView *self);

G_END_DECLS
