/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ch-report.h"

G_BEGIN_DECLS

#define CH_TYPE_REPORT_CHART_VIEW (ch_report_chart_view_get_type ())
G_DECLARE_FINAL_TYPE (ChReportChartView, ch_report_chart_view, CH, REPORT_CHART_VIEW, GtkWidget)

GtkWidget *ch_report_chart_view_new         (void);
/* Returns: (transfer none) (nullable) */
ChReport  *ch_report_chart_view_get_report  (ChReportChartView *self);
void       ch_report_chart_view_set_report  (ChReportChartView *self,
                                             ChReport          *report);

G_END_DECLS
