/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-report-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <pango/pangocairo.h>

#include "ch-report-chart.h"

#define FONT_FAMILY "Sans"

/* Okabe & Ito, "Color Universal Design" (2008), blue and orange first: the
 * pair most readers tell apart in colour and in grey. Yellow comes late, as
 * it is faint on white paper. */
static const guint32 palette[] = {
  0x0072B2, 0xE69F00, 0x009E73, 0xD55E00, 0x56B4E9, 0xCC79A7, 0xF0E442, 0x000000,
};

void
ch_report_chart_series_color (guint   index,
                              double *r,
                              double *g,
                              double *b)
{
  guint32 rgb = palette[index % G_N_ELEMENTS (palette)];

  *r = ((rgb >> 16) & 0xff) / 255.0;
  *g = ((rgb >> 8) & 0xff) / 255.0;
  *b = (rgb & 0xff) / 255.0;
}

void
ch_report_chart_nice_axis (double  min,
                           double  max,
                           guint   max_ticks,
                           double  min_step,
                           double *out_min,
                           double *out_max,
                           double *out_step)
{
  double raw, magnitude, norm, step;

  if (!isfinite (min) || !isfinite (max))
    min = max = 0;
  if (min > max)
    {
      double swap = min;

      min = max;
      max = swap;
    }
  if (max == min)
    {
      /* One value: an axis from zero to it (or to one), so a bar has height. */
      if (max > 0)
        min = 0;
      else if (max < 0)
        max = 0;
      else
        max = MAX (1.0, min_step);
    }

  raw = (max - min) / MAX (max_ticks, 1);
  magnitude = pow (10.0, floor (log10 (raw)));
  norm = raw / magnitude;
  if (norm <= 1.0 + 1e-9)
    step = magnitude;
  else if (norm <= 2.0 + 1e-9)
    step = 2 * magnitude;
  else if (norm <= 5.0 + 1e-9)
    step = 5 * magnitude;
  else
    step = 10 * magnitude;
  if (step < min_step)
    step = min_step;

  *out_step = step;
  /* The small allowance keeps 100 from becoming 100.0000001 → 120. */
  *out_min = floor (min / step + 1e-9) * step;
  *out_max = ceil (max / step - 1e-9) * step;
}

double
ch_report_chart_layout_x (const ChReportChartLayout *layout,
                          guint                      category)
{
  return layout->left + layout->slot * (category + 0.5);
}

double
ch_report_chart_layout_y (const ChReportChartLayout *layout,
                          double                     value)
{
  return layout->bottom - (value - layout->y_min) / (layout->y_max - layout->y_min)
                          * (layout->bottom - layout->top);
}

typedef struct
{
  cairo_t             *cr;
  PangoLayout         *text;
  double               size;        /* the body text's size */
  const ChReportChart *chart;
  gboolean             whole;       /* money in whole dollars only: no ".00" */
} Ctx;

static void
set_text (Ctx        *ctx,
          const char *text,
          double      size,
          gboolean    bold,
          double      max_width)
{
  PangoFontDescription *font = pango_font_description_from_string (FONT_FAMILY);

  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (ctx->text, font);
  pango_font_description_free (font);
  pango_layout_set_width (ctx->text, max_width > 0 ? (int) (max_width * PANGO_SCALE) : -1);
  /* Cut in the middle: "Dr. Provider … 12" keeps what tells labels apart. */
  pango_layout_set_ellipsize (ctx->text, max_width > 0 ? PANGO_ELLIPSIZE_MIDDLE : PANGO_ELLIPSIZE_NONE);
  pango_layout_set_text (ctx->text, text, -1);
}

static void
text_size (Ctx    *ctx,
           double *w,
           double *h)
{
  PangoRectangle logical;

  pango_layout_get_extents (ctx->text, NULL, &logical);
  if (w)
    *w = (double) logical.width / PANGO_SCALE;
  if (h)
    *h = (double) logical.height / PANGO_SCALE;
}

static double
measure (Ctx        *ctx,
         const char *text,
         double      size,
         double     *h)
{
  double w;

  set_text (ctx, text, size, FALSE, -1);
  text_size (ctx, &w, h);
  return w;
}

/* Draws @text with its top-left corner, or its top-centre with @centred,
 * at (x, y). */
static void
show (Ctx        *ctx,
      const char *text,
      double      size,
      gboolean    bold,
      double      x,
      double      y,
      double      gray,
      gboolean    centred)
{
  double w;

  set_text (ctx, text, size, bold, -1);
  text_size (ctx, &w, NULL);
  cairo_set_source_rgb (ctx->cr, gray, gray, gray);
  cairo_move_to (ctx->cr, centred ? x - w / 2 : x, y);
  pango_cairo_show_layout (ctx->cr, ctx->text);
}

static char *
axis_label (const ChReportChart *chart,
            double               value,
            double               step)
{
  /* Whole dollars (the steps are), whole percent unless the steps are finer. */
  gboolean whole = chart->format != CH_REPORT_VALUE_PERCENT || step >= 1;

  return ch_report_format_value (chart->format, fabs (value) < 1e-9 ? 0 : value, whole);
}

/* The range the values span: stacked bars add up their positive values
 * upwards and negative ones downwards. */
static void
data_range (const ChReportChart *chart,
            double              *min,
            double              *max)
{
  *min = 0;
  *max = 0;
  for (guint i = 0; i < chart->categories->len; i++)
    {
      double up = 0, down = 0;

      for (guint s = 0; s < chart->series->len; s++)
        {
          ChReportSeries *series = g_ptr_array_index (chart->series, s);
          double value = g_array_index (series->values, double, i);

          if (!isfinite (value))
            continue;
          if (chart->kind == CH_REPORT_CHART_STACKED_BARS)
            {
              if (value > 0)
                up += value;
              else
                down += value;
            }
          else
            {
              up = MAX (up, value);
              down = MIN (down, value);
            }
        }
      *max = MAX (*max, up);
      *min = MIN (*min, down);
    }
}

static void marker (cairo_t *cr,
                    guint    series,
                    double   x,
                    double   y,
                    double   r);

static double
draw_legend (Ctx    *ctx,
             double  x0,
             double  y0,
             double  width)
{
  const ChReportChart *chart = ctx->chart;
  double swatch = ctx->size * 0.9;
  double x = x0, y = y0, line_h = 0;

  for (guint s = 0; s < chart->series->len; s++)
    {
      ChReportSeries *series = g_ptr_array_index (chart->series, s);
      double r, g, b, w, h;

      w = measure (ctx, series->name, ctx->size, &h);
      line_h = MAX (line_h, h);
      /* Wrap to a new line rather than run off the card. */
      if (x > x0 && x + swatch + 4 + w > x0 + width)
        {
          x = x0;
          y += line_h + 2;
        }
      ch_report_chart_series_color (s, &r, &g, &b);
      cairo_set_source_rgb (ctx->cr, r, g, b);
      /* Lines are told apart by their markers too, so the legend shows them. */
      if (chart->kind == CH_REPORT_CHART_LINES)
        marker (ctx->cr, s, x + swatch / 2, y + h / 2, swatch / 2.0);
      else
        {
          cairo_rectangle (ctx->cr, x, y + (h - swatch) / 2, swatch, swatch);
          cairo_fill (ctx->cr);
        }
      show (ctx, series->name, ctx->size, FALSE, x + swatch + 4, y, 0.15, FALSE);
      x += swatch + 4 + w + ctx->size * 1.5;
    }
  return y + line_h - y0;
}

/* A marker shape per series, so that lines are told apart without colour. */
static void
marker (cairo_t *cr,
        guint    series,
        double   x,
        double   y,
        double   r)
{
  switch (series % 4)
    {
    case 0:
      cairo_arc (cr, x, y, r, 0, 2 * G_PI);
      break;
    case 1:
      cairo_rectangle (cr, x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8);
      break;
    case 2:
      cairo_move_to (cr, x, y - r * 1.2);
      cairo_line_to (cr, x + r * 1.2, y);
      cairo_line_to (cr, x, y + r * 1.2);
      cairo_line_to (cr, x - r * 1.2, y);
      cairo_close_path (cr);
      break;
    default:
      cairo_move_to (cr, x, y - r * 1.2);
      cairo_line_to (cr, x + r * 1.1, y + r * 0.8);
      cairo_line_to (cr, x - r * 1.1, y + r * 0.8);
      cairo_close_path (cr);
      break;
    }
  cairo_fill (cr);
}

/* Whether every value label fits in @room: if one does not, none is shown,
 * as some labels and not others would read as missing values. */
static gboolean
value_labels_fit (Ctx    *ctx,
                  double  room,
                  double  size)
{
  const ChReportChart *chart = ctx->chart;

  for (guint s = 0; s < chart->series->len; s++)
    {
      ChReportSeries *series = g_ptr_array_index (chart->series, s);

      for (guint i = 0; i < series->values->len; i++)
        {
          double value = g_array_index (series->values, double, i);
          g_autofree char *text = NULL;

          if (chart->kind == CH_REPORT_CHART_STACKED_BARS)
            {
              /* Stacks are labelled with their total. */
              if (s > 0)
                return TRUE;
              value = 0;
              for (guint t = 0; t < chart->series->len; t++)
                {
                  double v = g_array_index (((ChReportSeries *) g_ptr_array_index (chart->series, t))->values,
                                            double, i);

                  if (isfinite (v))
                    value += v;
                }
            }
          if (!isfinite (value))
            continue;
          text = ch_report_format_value (chart->format, value, ctx->whole);
          if (measure (ctx, text, size, NULL) > room)
            return FALSE;
        }
    }
  return TRUE;
}

static void
draw_value_label (Ctx                       *ctx,
                  const ChReportChartLayout *layout,
                  double                     value,
                  double                     x,
                  double                     size)
{
  g_autofree char *text = ch_report_format_value (ctx->chart->format, value, ctx->whole);
  double h, y = ch_report_chart_layout_y (layout, value);

  measure (ctx, text, size, &h);
  show (ctx, text, size, FALSE, x, value < 0 ? y + 1 : y - h - 1, 0.15, TRUE);
}

void
ch_report_chart_draw (cairo_t             *cr,
                      double               width,
                      double               height,
                      const ChReportChart *chart,
                      ChReportChartLayout *out_layout)
{
  ChReportChartLayout layout = { 0 };
  Ctx ctx = { cr, NULL, 0, chart };
  double pad, top, bottom, left, right, label_size, line_h, min, max, min_step;
  double max_label_w = 0, rotated_w = 0, label_area = 0, plot_h, tick_w = 0, under;
  guint n;

  g_return_if_fail (cr != NULL);

  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_fill (cr);

  ctx.text = pango_cairo_create_layout (cr);
  /* Legible on a phone-sized card and not shouting on a large one. */
  ctx.size = CLAMP (MIN (width, height) / 28.0, 8.0, 12.0);
  label_size = ctx.size * 0.85;
  pad = ctx.size;

  if (!ch_report_chart_has_data (chart))
    {
      double w, h;

      set_text (&ctx, _("No data to chart for this period."), ctx.size * 1.1, FALSE, width - 2 * pad);
      text_size (&ctx, &w, &h);
      cairo_set_source_rgb (cr, 0.4, 0.4, 0.4);
      cairo_move_to (cr, (width - w) / 2, (height - h) / 2);
      pango_cairo_show_layout (cr, ctx.text);
      g_object_unref (ctx.text);
      cairo_restore (cr);
      if (out_layout)
        *out_layout = layout;
      return;
    }

  n = chart->categories->len;
  measure (&ctx, "Mg", ctx.size, &line_h);
  ctx.whole = chart->format == CH_REPORT_VALUE_MONEY;
  for (guint s = 0; s < chart->series->len && ctx.whole; s++)
    {
      ChReportSeries *series = g_ptr_array_index (chart->series, s);

      for (guint i = 0; i < series->values->len; i++)
        {
          double value = g_array_index (series->values, double, i);

          if (isfinite (value) && fmod (value, 100.0) != 0)
            ctx.whole = FALSE;
        }
    }

  top = pad;
  if (chart->series->len > 1)
    top += draw_legend (&ctx, pad, pad, width - 2 * pad) + ctx.size * 0.8;
  /* Room above the highest bar for its value. */
  top += label_size * 1.4;

  data_range (chart, &min, &max);
  /* Room under the lowest bar for its value, as above the highest. */
  under = min < 0 ? label_size * 1.4 : 0;
  /* No step finer than the axis's labels show: a dollar, one, a tenth of a percent. */
  min_step = chart->format == CH_REPORT_VALUE_MONEY ? 100 : chart->format == CH_REPORT_VALUE_INTEGER ? 1 : 0.1;

  for (guint i = 0; i < n; i++)
    max_label_w = MAX (max_label_w, measure (&ctx, g_ptr_array_index (chart->categories, i), ctx.size, NULL));

  /* The axis's labels set the left margin and the category labels the
   * bottom one, each depending on the other: a few rounds settle them. */
  plot_h = height * 0.6;
  left = right = bottom = 0;
  for (int pass = 0; pass < 3; pass++)
    {
      guint max_ticks = (guint) CLAMP (plot_h / (line_h * 2.2), 2, 10);

      tick_w = 0;
      ch_report_chart_nice_axis (min, max, max_ticks, min_step, &layout.y_min, &layout.y_max,
                                 &layout.y_step);
      for (double v = layout.y_min; v <= layout.y_max + layout.y_step / 2; v += layout.y_step)
        {
          g_autofree char *text = axis_label (chart, v, layout.y_step);

          tick_w = MAX (tick_w, measure (&ctx, text, label_size, NULL));
        }
      left = pad + tick_w + 6;
      if (chart->y_title != NULL && *chart->y_title != '\0')
        left += line_h + 4;
      right = width - pad;
      /* The first slanted label runs down to the left of its bar: room for it. */
      if (layout.labels_rotated)
        left = MAX (left, pad + (rotated_w + line_h) / G_SQRT2 - layout.slot / 2);
      layout.slot = (right - left) / n;

      /* Category labels: straight when they fit, else slanted, and when
       * even slanted they would touch, only every label_step-th. */
      layout.label_step = 1;
      layout.labels_rotated = max_label_w > layout.slot - 4;
      if (!layout.labels_rotated)
        label_area = line_h + 4;
      else
        {
          /* Slanted labels stand line_h / sin 45° apart along the axis. */
          double need = line_h * 1.15 / G_SQRT2 * 2;

          rotated_w = MIN (max_label_w, height * 0.3 * G_SQRT2);
          layout.label_step = (guint) MAX (1, ceil (need / layout.slot));
          label_area = (rotated_w + line_h) / G_SQRT2 + 4;
        }
      bottom = height - pad - label_area;
      if (chart->x_title != NULL && *chart->x_title != '\0')
        bottom -= line_h + 4;
      bottom -= under;
      plot_h = bottom - top;
    }
  layout.left = left;
  layout.right = right;
  layout.top = top;
  layout.bottom = bottom;

  /* Grid and value axis. */
  cairo_set_line_width (cr, 1);
  for (double v = layout.y_min; v <= layout.y_max + layout.y_step / 2; v += layout.y_step)
    {
      g_autofree char *text = axis_label (chart, v, layout.y_step);
      double y = round (ch_report_chart_layout_y (&layout, v)) + 0.5;
      double w, h;

      cairo_set_source_rgb (cr, 0.88, 0.88, 0.88);
      cairo_move_to (cr, left, y);
      cairo_line_to (cr, right, y);
      cairo_stroke (cr);
      w = measure (&ctx, text, label_size, &h);
      show (&ctx, text, label_size, FALSE, left - 6 - w, y - h / 2, 0.3, FALSE);
    }

  if (chart->y_title != NULL && *chart->y_title != '\0')
    {
      double w;

      set_text (&ctx, chart->y_title, ctx.size, TRUE, bottom - top);
      text_size (&ctx, &w, NULL);
      cairo_save (cr);
      /* Beside the axis's labels, even when slanted labels widened the margin. */
      cairo_translate (cr, left - 6 - tick_w - 4 - line_h, (top + bottom) / 2 + w / 2);
      cairo_rotate (cr, -G_PI / 2);
      cairo_move_to (cr, 0, 0);
      cairo_set_source_rgb (cr, 0.15, 0.15, 0.15);
      pango_cairo_show_layout (cr, ctx.text);
      cairo_restore (cr);
    }
  if (chart->x_title != NULL && *chart->x_title != '\0')
    {
      double w;

      set_text (&ctx, chart->x_title, ctx.size, TRUE, right - left);
      text_size (&ctx, &w, NULL);
      cairo_set_source_rgb (cr, 0.15, 0.15, 0.15);
      cairo_move_to (cr, (left + right - w) / 2, height - pad - line_h);
      pango_cairo_show_layout (cr, ctx.text);
    }

  /* Category labels. */
  for (guint i = 0; i < n; i += layout.label_step)
    {
      const char *text = g_ptr_array_index (chart->categories, i);
      double x = ch_report_chart_layout_x (&layout, i);

      if (!layout.labels_rotated)
        {
          show (&ctx, text, ctx.size, FALSE, x, bottom + under + 4, 0.2, TRUE);
          continue;
        }
      set_text (&ctx, text, ctx.size, FALSE, rotated_w);
      {
        double w, h;

        text_size (&ctx, &w, &h);
        cairo_save (cr);
        /* The label ends under its category and runs down to the left. */
        cairo_translate (cr, x + h / 4, bottom + under + 4);
        cairo_rotate (cr, -G_PI / 4);
        cairo_move_to (cr, -w, -h / 2);
        cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
        pango_cairo_show_layout (cr, ctx.text);
        cairo_restore (cr);
      }
    }

  /* The data. */
  {
    guint n_series = chart->series->len;
    double inner = layout.slot * (chart->kind == CH_REPORT_CHART_LINES ? 0 : 0.72);
    double bar_w = chart->kind == CH_REPORT_CHART_GROUPED_BARS ? inner / MAX (n_series, 1) : inner;
    double y0 = ch_report_chart_layout_y (&layout, 0);

    switch (chart->kind)
      {
      case CH_REPORT_CHART_LINES:
        layout.value_labels = n_series == 1 && value_labels_fit (&ctx, layout.slot * 0.9, label_size);
        break;
      case CH_REPORT_CHART_STACKED_BARS:
        layout.value_labels = value_labels_fit (&ctx, layout.slot * 0.95, label_size);
        break;
      default:
        layout.value_labels = value_labels_fit (&ctx, bar_w * 1.15, label_size);
        break;
      }

    for (guint i = 0; i < n; i++)
      {
        double cx = ch_report_chart_layout_x (&layout, i);
        double up = 0, down = 0;

        for (guint s = 0; s < n_series; s++)
          {
            ChReportSeries *series = g_ptr_array_index (chart->series, s);
            double value = g_array_index (series->values, double, i);
            double r, g, b, x, base, end;

            if (!isfinite (value) || chart->kind == CH_REPORT_CHART_LINES)
              continue;
            ch_report_chart_series_color (s, &r, &g, &b);
            cairo_set_source_rgb (cr, r, g, b);
            if (chart->kind == CH_REPORT_CHART_STACKED_BARS)
              {
                double *sum = value >= 0 ? &up : &down;

                base = *sum;
                *sum += value;
                end = *sum;
                x = cx - bar_w / 2;
              }
            else
              {
                base = 0;
                end = value;
                x = chart->kind == CH_REPORT_CHART_GROUPED_BARS ? cx - inner / 2 + s * bar_w : cx - bar_w / 2;
              }
            {
              double ya = ch_report_chart_layout_y (&layout, base);
              double yb = ch_report_chart_layout_y (&layout, end);

              cairo_rectangle (cr, x, MIN (ya, yb), chart->kind == CH_REPORT_CHART_GROUPED_BARS ? bar_w - 1 : bar_w,
                               fabs (ya - yb));
              cairo_fill (cr);
            }
            if (layout.value_labels && chart->kind != CH_REPORT_CHART_STACKED_BARS)
              draw_value_label (&ctx, &layout, value, x + bar_w / 2, label_size);
          }
        if (layout.value_labels && chart->kind == CH_REPORT_CHART_STACKED_BARS)
          draw_value_label (&ctx, &layout, up + down, cx, label_size);
      }

    if (chart->kind == CH_REPORT_CHART_LINES)
      for (guint s = 0; s < n_series; s++)
        {
          ChReportSeries *series = g_ptr_array_index (chart->series, s);
          gboolean drawing = FALSE;
          double r, g, b;

          ch_report_chart_series_color (s, &r, &g, &b);
          cairo_set_source_rgb (cr, r, g, b);
          cairo_set_line_width (cr, MAX (1.5, ctx.size / 6));
          cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
          /* A missing value breaks the line rather than joining its neighbours. */
          for (guint i = 0; i < n; i++)
            {
              double value = g_array_index (series->values, double, i);

              if (!isfinite (value))
                {
                  drawing = FALSE;
                  continue;
                }
              if (drawing)
                cairo_line_to (cr, ch_report_chart_layout_x (&layout, i), ch_report_chart_layout_y (&layout, value));
              else
                cairo_move_to (cr, ch_report_chart_layout_x (&layout, i), ch_report_chart_layout_y (&layout, value));
              drawing = TRUE;
            }
          cairo_stroke (cr);
          for (guint i = 0; i < n; i++)
            {
              double value = g_array_index (series->values, double, i);

              if (!isfinite (value))
                continue;
              cairo_set_source_rgb (cr, r, g, b);
              marker (cr, s, ch_report_chart_layout_x (&layout, i), ch_report_chart_layout_y (&layout, value),
                      MAX (2.5, ctx.size / 3.5));
              if (layout.value_labels)
                {
                  g_autofree char *text = ch_report_format_value (chart->format, value, ctx.whole);
                  double h;

                  measure (&ctx, text, label_size, &h);
                  show (&ctx, text, label_size, FALSE, ch_report_chart_layout_x (&layout, i),
                        ch_report_chart_layout_y (&layout, value) - h - ctx.size / 3, 0.15, TRUE);
                }
            }
        }

    /* The zero line over the bars' feet. */
    cairo_set_source_rgb (cr, 0.35, 0.35, 0.35);
    cairo_set_line_width (cr, 1);
    cairo_move_to (cr, left, round (y0) + 0.5);
    cairo_line_to (cr, right, round (y0) + 0.5);
    cairo_stroke (cr);
  }

  g_object_unref (ctx.text);
  cairo_restore (cr);
  if (out_layout)
    *out_layout = layout;
}
