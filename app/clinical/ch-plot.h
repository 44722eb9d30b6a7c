/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "ch-growth.h"

G_BEGIN_DECLS

/* Trend plots and growth charts drawn with Cairo and Pango into any cairo_t:
 * a GtkDrawingArea's, an image's, a PDF page's. Each fills the rectangle
 * (0, 0, width, height) of the current user space with a white card and
 * draws in user units (pixels on screen, points on paper); text comes from
 * Pango at sizes in the same units. Nothing here needs GTK. */

/* Where the data went: the plotting area inside the card and the data
 * ranges it shows, so a widget can tell which point is under the pointer. */
typedef struct
{
  double left, top, right, bottom;  /* user units */
  double x_min, x_max;              /* µs since the epoch for trends, months for growth */
  double y_min, y_max;              /* the measure's unit */
} ChPlotArea;

double      ch_plot_area_x        (const ChPlotArea *area,
                                   double            x);
double      ch_plot_area_y        (const ChPlotArea *area,
                                   double            y);

/* One line of a trend plot. */
typedef struct
{
  const char *label;   /* (nullable) shown in a legend when there are several */
  GPtrArray  *items;   /* (element-type ChChartItem) oldest first; text values skipped */
} ChPlotSeries;

/* The values of one vital sign or lab test over time: points joined by a
 * line, dates along the bottom, abnormal values (flagged, or outside their
 * range) marked in red. With @shade_range the normal range is shaded: the
 * newest item's reference range, or for blood pressure, pulse, respiratory
 * rate, temperature and SpO₂ an adult normal band. No values: a "No values"
 * message. */
void        ch_plot_trend         (cairo_t          *cr,
                                   double            width,
                                   double            height,
                                   const char       *title,
                                   const char       *unit,
                                   GPtrArray        *items,
                                   gboolean          shade_range);
/* Several series in one plot (systolic and diastolic pressure); @out_area
 * (nullable) receives the layout. */
void        ch_plot_trend_series  (cairo_t            *cr,
                                   double              width,
                                   double              height,
                                   const char         *title,
                                   const char         *unit,
                                   const ChPlotSeries *series,
                                   guint               n_series,
                                   gboolean            shade_range,
                                   ChPlotArea         *out_area);

/* A growth chart: the 3rd, 10th, 25th, 50th, 75th, 90th and 97th percentile
 * curves of @measure for @sex ("female" or "male"), labelled, and the
 * child's @points (element-type ChGrowthPoint, by age) with the newest one's
 * percentile. The infant chart (0–36 months) while every point fits it, else
 * the children's (2–20 years); head circumference is infants only, BMI
 * children only. */
void        ch_plot_growth        (cairo_t          *cr,
                                   double            width,
                                   double            height,
                                   ChGrowthMeasure   measure,
                                   const char       *sex,
                                   GArray           *points);
void        ch_plot_growth_full   (cairo_t          *cr,
                                   double            width,
                                   double            height,
                                   ChGrowthMeasure   measure,
                                   const char       *sex,
                                   GArray           *points,
                                   ChPlotArea       *out_area);

/* A UCUM unit as people write it: "mm[Hg]" → "mmHg", "Cel" → "°C". */
const char *ch_plot_unit_label    (const char       *ucum);

G_END_DECLS
