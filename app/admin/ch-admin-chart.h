/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-chart.h"

G_BEGIN_DECLS

/* What "patient show" prints of a chart: the summary, whether each vital
 * sign's trend rests on an earlier value, and the notes. */
typedef struct
{
  ChChartSummary *summary;
  gboolean       *trend_known;   /* one per summary->vitals */
  GPtrArray      *notes;         /* (element-type ChNoteRecord) newest first */
} ChAdminChart;

ChAdminChart *ch_admin_chart_load      (ChSession          *session,
                                        gint64              patient_id,
                                        GError            **error);
void          ch_admin_chart_free      (ChAdminChart       *chart);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChAdminChart, ch_admin_chart_free)

char         *ch_admin_format_number   (double              value,
                                        int                 max_decimals);
char         *ch_admin_format_utc      (gint64              usec);
char         *ch_admin_format_date     (gint64              usec);
const char   *ch_admin_unit_text       (const char         *ucum);

G_END_DECLS
