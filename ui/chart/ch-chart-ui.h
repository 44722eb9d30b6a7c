/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-records.h"

G_BEGIN_DECLS

/* What the chart widgets share: the coded fields of chart items as the
 * controller stores them and the words people pick them by (in the order
 * the drop-downs list them), and how values, units and dates are written. */
typedef enum
{
  CH_CHART_UI_PROBLEM_STATUS,
  CH_CHART_UI_ALLERGY_KIND,
  CH_CHART_UI_SEVERITY,
  CH_CHART_UI_ALLERGY_STATUS,
  CH_CHART_UI_MEDICATION_STATUS,
  CH_CHART_UI_HISTORY_KIND,
  CH_CHART_UI_IMMUNIZATION_STATUS,
  CH_CHART_UI_ENCOUNTER_KIND,
} ChChartUiChoice;

GtkStringList *ch_chart_ui_model         (ChChartUiChoice  choice);
const char    *ch_chart_ui_code          (ChChartUiChoice  choice,
                                          guint            position);
guint          ch_chart_ui_find          (ChChartUiChoice  choice,
                                          const char      *code,
                                          guint            fallback);
const char    *ch_chart_ui_label         (ChChartUiChoice  choice,
                                          const char      *code);

const char    *ch_chart_ui_section_title (const char      *section);
const char    *ch_chart_ui_vital_name    (const char      *code);
int            ch_chart_ui_vital_decimals (const char     *code);
const char    *ch_chart_ui_vaccine_group (const char      *group);
const char    *ch_chart_ui_unit_text     (const char      *ucum);
const char    *ch_chart_ui_trend_arrow   (int              trend);

char          *ch_chart_ui_format_number (double           value,
                                          int              max_decimals);
char          *ch_chart_ui_format_value  (const ChChartItem *item);
char          *ch_chart_ui_format_date   (gint64           usec);
char          *ch_chart_ui_format_time   (gint64           usec);
gboolean       ch_chart_ui_parse_number  (const char      *text,
                                          double          *out_value);
gboolean       ch_chart_ui_parse_date    (const char      *text,
                                          gint64          *out_usec);
char          *ch_chart_ui_dup_text      (GtkEditable     *editable);
gboolean       ch_chart_ui_has_text      (const char      *text);

GtkWidget     *ch_chart_ui_reason_dialog_new   (GtkWindow  *parent,
                                                const char *heading,
                                                const char *body,
                                                const char *confirm_label);
char          *ch_chart_ui_reason_dialog_get_reason (AdwMessageDialog *dialog);

G_END_DECLS
