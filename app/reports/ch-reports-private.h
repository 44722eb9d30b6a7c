/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-reports.h"

G_BEGIN_DECLS

/* The report definitions, one array per module, each ending with an entry
 * whose name is NULL; ch-reports.c lists them in this order. */
extern const ChReportDef ch_reports_schedule_defs[];  /* ch-reports-schedule.c: appointments, utilisation, no-shows, new patients */
extern const ChReportDef ch_reports_patient_defs[];   /* ch-reports-patients.c: demographics, active patients */
extern const ChReportDef ch_reports_money_defs[];     /* ch-reports-money.c: revenue, A/R ageing, collections */
extern const ChReportDef ch_reports_quality_defs[];   /* ch-reports-quality.c: the clinical quality measures */

/* Helpers the report modules share (ch-reports.c). */

/* "1 March 2026 – 31 March 2026 · Dr. Ana García · Status: no-show": the
 * period (or "As of …"), the provider and the options set, for a report's
 * subtitle. @provider_name: (nullable): NULL for "all providers".
 * Returns: (transfer full) */
char    *ch_reports_subtitle        (const ChReportDef    *def,
                                     const ChReportParams *params,
                                     const char           *provider_name);
/* The bounds of local days, in µs since the epoch (UTC): the start of
 * @from's day and the start of the day after @to, for half-open ranges
 * [start, end). */
gint64   ch_reports_day_start_us    (const char           *date);
gint64   ch_reports_day_end_us      (const char           *date);

G_END_DECLS
