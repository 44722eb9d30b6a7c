/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-records.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_CHART_HISTORY (ch_chart_history_get_type ())
G_DECLARE_FINAL_TYPE (ChChartHistory, ch_chart_history, CH, CHART_HISTORY, AdwWindow)

GtkWidget *ch_chart_history_new            (GtkWindow         *parent,
                                            ChSession         *session,
                                            const ChChartItem *item);
guint      ch_chart_history_get_n_versions (ChChartHistory    *self);
void       ch_chart_history_select         (ChChartHistory    *self,
                                            guint              index);

G_END_DECLS
