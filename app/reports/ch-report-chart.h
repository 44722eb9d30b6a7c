/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "ch-report.h"

G_BEGIN_DECLS

/* A report's chart drawn with Cairo and Pango into any cairo_t: a widget's
 * snapshot, an image, a PDF page. It fills the rectangle (0, 0, width,
 * height) of the current user space with a white card and draws in user
 * units (pixels on screen, points on paper), text sized from the card so
 * that it stays legible in both. Nothing here needs GTK. */

/* Where things went, so that tests and widgets can find a bar. */
typedef struct
{
  double   left, top, right, bottom;  /* the plotting area, user units */
  double   y_min, y_max, y_step;      /* the value axis, in the chart's values */
  double   slot;                      /* the width given to each category */
  guint    label_step;                /* every how many categories a label is shown */
  gboolean labels_rotated;            /* category labels slanted to fit */
  gboolean value_labels;              /* values written on the bars or points */
} ChReportChartLayout;

/* Picks an axis from @min to @max in steps of 1, 2 or 5 times a power of
 * ten, with about @max_ticks intervals and a step of at least @min_step
 * (1 for counts, 100 for cents shown as whole dollars; 0 for any). The axis
 * always holds both values. */
void     ch_report_chart_nice_axis     (double                     min,
                                        double                     max,
                                        guint                      max_ticks,
                                        double                     min_step,
                                        double                    *out_min,
                                        double                    *out_max,
                                        double                    *out_step);

/* Series @index's colour: the Okabe–Ito palette, told apart by readers with
 * colour-blindness and in grey print; it repeats after eight. */
void     ch_report_chart_series_color  (guint                      index,
                                        double                    *r,
                                        double                    *g,
                                        double                    *b);

/* Draws @chart; with no chart or no values, a message saying so.
 * @out_layout (nullable) receives where things went. */
void     ch_report_chart_draw          (cairo_t                   *cr,
                                        double                     width,
                                        double                     height,
                                        const ChReportChart       *chart,
                                        ChReportChartLayout       *out_layout);

/* The x-coordinate of the centre of @category and the y-coordinate of
 * @value in a drawn chart. */
double   ch_report_chart_layout_x      (const ChReportChartLayout *layout,
                                        guint                      category);
double   ch_report_chart_layout_y      (const ChReportChartLayout *layout,
                                        double                     value);

G_END_DECLS
