/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-chart.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_CHART_SUMMARY_VIEW (ch_chart_summary_view_get_type ())
G_DECLARE_FINAL_TYPE (ChChartSummaryView, ch_chart_summary_view, CH, CHART_SUMMARY_VIEW, AdwBin)

void                  ch_chart_summary_view_set_session    (ChChartSummaryView    *self,
                                                            ChSession             *session);
void                  ch_chart_summary_view_load           (ChChartSummaryView    *self,
                                                            const ChPatientRecord *patient);
void                  ch_chart_summary_view_reload         (ChChartSummaryView    *self);
void                  ch_chart_summary_view_clear          (ChChartSummaryView    *self);
gboolean              ch_chart_summary_view_get_busy       (ChChartSummaryView    *self);
const ChChartSummary *ch_chart_summary_view_get_summary    (ChChartSummaryView    *self);
const ChChartItem    *ch_chart_summary_view_find_item      (ChChartSummaryView    *self,
                                                            gint64                 item_id);
void                  ch_chart_summary_view_update_actions (ChChartSummaryView    *self);

G_END_DECLS
