/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-records.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_CHART_ITEM_DIALOG (ch_chart_item_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ChChartItemDialog, ch_chart_item_dialog, CH, CHART_ITEM_DIALOG, AdwWindow)

GtkWidget         *ch_chart_item_dialog_new             (GtkWindow             *parent,
                                                         ChSession             *session,
                                                         const ChPatientRecord *patient,
                                                         const char            *section,
                                                         const ChChartItem     *item);
gboolean           ch_chart_item_dialog_get_busy        (ChChartItemDialog     *self);
guint              ch_chart_item_dialog_get_n_suggestions (ChChartItemDialog   *self);
void               ch_chart_item_dialog_pick_suggestion (ChChartItemDialog     *self,
                                                         guint                  index);
const char        *ch_chart_item_dialog_get_code        (ChChartItemDialog     *self);

G_END_DECLS
