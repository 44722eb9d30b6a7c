/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-plot"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <pango/pangocairo.h>

#include "ch-chart.h"
#include "ch-plot.h"

/* Sizes in user units: pixels on screen, points on paper, where they read
 * alike (a 9-unit label is 9 px or 9 pt). */
#define FONT_FAMILY   "Sans"
#define TITLE_SIZE    11.0
#define LABEL_SIZE    8.5
#define MESSAGE_SIZE  11.0
#define PAD           8.0
#define TICK          4.0
#define POINT_RADIUS  2.8

#define DAY_USEC ((double) G_USEC_PER_SEC * 86400.0)

typedef struct
{
  double r, g, b;
} Rgb;

static const Rgb ink = { 0.13, 0.13, 0.13 };
static const Rgb muted = { 0.40, 0.40, 0.40 };
static const Rgb grid = { 0.89, 0.89, 0.89 };
static const Rgb frame = { 0.55, 0.55, 0.55 };
static const Rgb band = { 0.84, 0.93, 0.84 };
static const Rgb abnormal = { 0.80, 0.10, 0.10 };
static const Rgb curve = { 0.60, 0.60, 0.60 };
static const Rgb median = { 0.15, 0.15, 0.15 };
static const Rgb series_colors[] = {
  { 0.11, 0.35, 0.70 },
  { 0.50, 0.22, 0.62 },
  { 0.00, 0.50, 0.50 },
  { 0.80, 0.45, 0.00 },
};

static void
set_color (cairo_t   *cr,
           const Rgb *color)
{
  cairo_set_source_rgb (cr, color->r, color->g, color->b);
}

double
ch_plot_area_x (const ChPlotArea *area,
                double            x)
{
  if (area->x_max <= area->x_min)
    return (area->left + area->right) / 2;
  return area->left + (x - area->x_min) / (area->x_max - area->x_min) * (area->right - area->left);
}

double
ch_plot_area_y (const ChPlotArea *area,
                double            y)
{
  if (area->y_max <= area->y_min)
    return (area->top + area->bottom) / 2;
  return area->bottom
         - (y - area->y_min) / (area->y_max - area->y_min) * (area->bottom - area->top);
}

const char *
ch_plot_unit_label (const char *ucum)
{
  static const struct
  {
    const char *ucum;
    const char *label;
  } units[] = {
    { "mm[Hg]", "mmHg" },
    { "Cel", "°C" },
    { "[degF]", "°F" },
    { "kg/m2", "kg/m²" },
    { "[lb_av]", "lb" },
    { "[in_i]", "in" },
    { "{score}", "" },
    { "/min", "/min" },
    { "10*3/uL", "10³/µL" },
    { "10*6/uL", "10⁶/µL" },
    { "10*9/L", "10⁹/L" },
    { "10*12/L", "10¹²/L" },
    { "ug/dL", "µg/dL" },
    { "ug/L", "µg/L" },
    { "umol/L", "µmol/L" },
    { "[IU]/L", "IU/L" },
    { "m[IU]/L", "mIU/L" },
    { "u[IU]/mL", "µIU/mL" },
    { "mL/min/{1.73_m2}", "mL/min/1.73 m²" },
  };

  if (ucum == NULL)
    return "";
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (g_str_equal (ucum, units[i].ucum))
      return units[i].label;
  return ucum;
}

/* ---- text ------------------------------------------------------------------------ */

static void
layout_set (PangoLayout *layout,
            const char  *text,
            double       size,
            gboolean     bold)
{
  PangoFontDescription *font = pango_font_description_from_string (FONT_FAMILY);

  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_width (layout, -1);
  pango_layout_set_text (layout, text, -1);
}

static void
text_extent (PangoLayout *layout,
             const char  *text,
             double       size,
             gboolean     bold,
             double      *width,
             double      *height)
{
  int w, h;

  layout_set (layout, text, size, bold);
  pango_layout_get_size (layout, &w, &h);
  if (width != NULL)
    *width = (double) w / PANGO_SCALE;
  if (height != NULL)
    *height = (double) h / PANGO_SCALE;
}

/* Draws @text with the point (@ax, @ay) of its box — fractions, 0 left or
 * top, 1 right or bottom — at (@x, @y). */
static void
draw_text (cairo_t     *cr,
           PangoLayout *layout,
           const char  *text,
           double       size,
           gboolean     bold,
           const Rgb   *color,
           double       x,
           double       y,
           double       ax,
           double       ay)
{
  double w, h;

  text_extent (layout, text, size, bold, &w, &h);
  cairo_save (cr);
  set_color (cr, color);
  cairo_move_to (cr, x - ax * w, y - ay * h);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
}

/* ---- ticks ------------------------------------------------------------------------ */

static double
nice_step (double range,
           int    max_ticks)
{
  double raw = range / MAX (max_ticks, 1);
  double magnitude, fraction;

  if (!(raw > 0))
    return 1.0;
  magnitude = pow (10.0, floor (log10 (raw)));
  fraction = raw / magnitude;
  if (fraction <= 1.0)
    return magnitude;
  if (fraction <= 2.0)
    return 2 * magnitude;
  if (fraction <= 2.5)
    return 2.5 * magnitude;
  if (fraction <= 5.0)
    return 5 * magnitude;
  return 10 * magnitude;
}

static int
step_decimals (double step)
{
  for (int d = 0; d < 6; d++)
    {
      double scaled = step * pow (10.0, d);

      if (fabs (scaled - round (scaled)) < 1e-6 * MAX (1.0, scaled))
        return d;
    }
  return 6;
}

/* Widens [*lo, *hi] to whole steps, about one tick per @spacing units of
 * @length; never below zero for measures that cannot be negative. */
static double
nice_range (double *lo,
            double *hi,
            double  length,
            double  spacing)
{
  gboolean positive = *lo >= 0;
  double range, step;

  if (*hi - *lo < 1e-9)
    {
      double half = MAX (fabs (*lo) * 0.1, 1.0);

      *lo -= half;
      *hi += half;
    }
  range = *hi - *lo;
  *lo -= range * 0.05;
  *hi += range * 0.05;
  if (positive && *lo < 0)
    *lo = 0;

  step = nice_step (*hi - *lo, MAX (2, (int) (length / spacing)));
  *lo = floor (*lo / step + 1e-9) * step;
  *hi = ceil (*hi / step - 1e-9) * step;
  return step;
}

typedef enum
{
  STEP_DAY,
  STEP_MONTH,
  STEP_YEAR,
} StepUnit;

static const struct
{
  StepUnit unit;
  int      n;
} time_steps[] = {
  { STEP_DAY, 1 }, { STEP_DAY, 2 }, { STEP_DAY, 7 }, { STEP_DAY, 14 },
  { STEP_MONTH, 1 }, { STEP_MONTH, 2 }, { STEP_MONTH, 3 }, { STEP_MONTH, 6 },
  { STEP_YEAR, 1 }, { STEP_YEAR, 2 }, { STEP_YEAR, 5 }, { STEP_YEAR, 10 },
  { STEP_YEAR, 20 }, { STEP_YEAR, 50 },
};

static double
step_days (guint i)
{
  switch (time_steps[i].unit)
    {
    case STEP_DAY:
      return time_steps[i].n;
    case STEP_MONTH:
      return time_steps[i].n * 30.44;
    case STEP_YEAR:
    default:
      return time_steps[i].n * 365.25;
    }
}

static GDateTime *
step_start (GDateTime *t,
            guint      step)
{
  int n = time_steps[step].n;
  int y = g_date_time_get_year (t);
  int m = g_date_time_get_month (t);
  int d = g_date_time_get_day_of_month (t);

  switch (time_steps[step].unit)
    {
    case STEP_DAY:
      return g_date_time_new_local (y, m, d, 0, 0, 0);
    case STEP_MONTH:
      return g_date_time_new_local (y, ((m - 1) / n) * n + 1, 1, 0, 0, 0);
    case STEP_YEAR:
    default:
      return g_date_time_new_local (y - ((y % n) + n) % n, 1, 1, 0, 0, 0);
    }
}

static GDateTime *
step_add (GDateTime *t,
          guint      step)
{
  switch (time_steps[step].unit)
    {
    case STEP_DAY:
      return g_date_time_add_days (t, time_steps[step].n);
    case STEP_MONTH:
      return g_date_time_add_months (t, time_steps[step].n);
    case STEP_YEAR:
    default:
      return g_date_time_add_years (t, time_steps[step].n);
    }
}

static const char *
step_format (guint step)
{
  switch (time_steps[step].unit)
    {
    case STEP_DAY:
      /* TRANSLATORS: a date on a plot's axis, day and month (g_date_time_format) */
      return _("%-d %b");
    case STEP_MONTH:
      /* TRANSLATORS: a date on a plot's axis, month and year (g_date_time_format) */
      return _("%b %Y");
    case STEP_YEAR:
    default:
      return "%Y";
    }
}

/* ---- the card --------------------------------------------------------------------- */

static void
draw_card (cairo_t *cr,
           double   width,
           double   height)
{
  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_fill_preserve (cr);
  cairo_set_line_width (cr, 1.0);
  set_color (cr, &grid);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
draw_message (cairo_t     *cr,
              PangoLayout *layout,
              const char  *message,
              double       x,
              double       y)
{
  draw_text (cr, layout, message, MESSAGE_SIZE, FALSE, &muted, x, y, 0.5, 0.5);
}

static void
draw_frame (cairo_t          *cr,
            const ChPlotArea *area)
{
  cairo_save (cr);
  cairo_set_line_width (cr, 1.0);
  set_color (cr, &frame);
  cairo_move_to (cr, area->left, area->top);
  cairo_line_to (cr, area->left, area->bottom);
  cairo_line_to (cr, area->right, area->bottom);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
draw_y_axis (cairo_t          *cr,
             PangoLayout      *layout,
             const ChPlotArea *area,
             double            step)
{
  int decimals = step_decimals (step);

  cairo_save (cr);
  cairo_set_line_width (cr, 1.0);
  for (double v = area->y_min; v <= area->y_max + step * 1e-6; v += step)
    {
      double y = round (ch_plot_area_y (area, v)) + 0.5;
      g_autofree char *label = g_strdup_printf ("%.*f", decimals, fabs (v) < step * 1e-6 ? 0 : v);

      set_color (cr, &grid);
      cairo_move_to (cr, area->left, y);
      cairo_line_to (cr, area->right, y);
      cairo_stroke (cr);
      set_color (cr, &frame);
      cairo_move_to (cr, area->left - TICK, y);
      cairo_line_to (cr, area->left, y);
      cairo_stroke (cr);
      draw_text (cr, layout, label, LABEL_SIZE, FALSE, &muted, area->left - TICK - 2, y, 1.0, 0.5);
    }
  cairo_restore (cr);
}

static double
y_labels_width (PangoLayout *layout,
                double       lo,
                double       hi,
                double       step)
{
  int decimals = step_decimals (step);
  double widest = 0;

  for (double v = lo; v <= hi + step * 1e-6; v += step)
    {
      g_autofree char *label = g_strdup_printf ("%.*f", decimals, fabs (v) < step * 1e-6 ? 0 : v);
      double w;

      text_extent (layout, label, LABEL_SIZE, FALSE, &w, NULL);
      widest = MAX (widest, w);
    }
  return widest;
}

static void
draw_point (cairo_t   *cr,
            double     x,
            double     y,
            const Rgb *color,
            gboolean   flagged)
{
  cairo_save (cr);
  cairo_new_path (cr);
  cairo_arc (cr, x, y, flagged ? POINT_RADIUS + 1.2 : POINT_RADIUS, 0, 2 * G_PI);
  set_color (cr, flagged ? &abnormal : color);
  cairo_fill_preserve (cr);
  cairo_set_line_width (cr, 1.0);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_stroke (cr);
  cairo_restore (cr);
}

/* ---- trends ----------------------------------------------------------------------- */

typedef struct
{
  gboolean known;
  gboolean from_items;  /* a reference range of the results, not a vital sign's band */
  double   low, high;
} Band;

/* An adult's normal values, for shading vital signs that carry no range of
 * their own; children's differ, and the caller leaves shading off for them. */
static Band
vital_band (const ChChartItem *item)
{
  static const struct
  {
    const char *code;
    const char *unit;
    double      low, high;
  } bands[] = {
    { CH_LOINC_SYSTOLIC, "mm[Hg]", 90, 120 },
    { CH_LOINC_DIASTOLIC, "mm[Hg]", 60, 80 },
    { CH_LOINC_PULSE, "/min", 60, 100 },
    { CH_LOINC_RESPIRATION, "/min", 12, 20 },
    { CH_LOINC_TEMPERATURE, "Cel", 36.1, 37.2 },
    { CH_LOINC_SPO2, "%", 95, 100 },
  };
  Band none = { FALSE };

  for (guint i = 0; i < G_N_ELEMENTS (bands); i++)
    {
      Band b = { TRUE, FALSE, bands[i].low, bands[i].high };

      if (g_strcmp0 (item->code, bands[i].code) != 0)
        continue;
      if (item->unit == NULL || *item->unit == '\0' || g_str_equal (item->unit, bands[i].unit))
        return b;
      if (g_str_equal (bands[i].unit, "Cel") && g_str_equal (item->unit, "[degF]"))
        {
          b.low = bands[i].low * 9 / 5 + 32;
          b.high = bands[i].high * 9 / 5 + 32;
          return b;
        }
      return none;
    }
  return none;
}

static gboolean
plotted (const ChChartItem *item)
{
  return item != NULL && item->has_value && isfinite (item->value_num) && item->effective_at != 0;
}

/* The newest item's reference range, else a vital sign's band. */
static Band
series_band (GPtrArray *items)
{
  Band none = { FALSE };

  if (items == NULL)
    return none;
  for (guint i = items->len; i > 0; i--)
    {
      const ChChartItem *item = items->pdata[i - 1];

      if (item->has_range && isfinite (item->ref_low) && isfinite (item->ref_high)
          && item->ref_low <= item->ref_high)
        {
          Band b = { TRUE, TRUE, item->ref_low, item->ref_high };
          return b;
        }
    }
  for (guint i = items->len; i > 0; i--)
    {
      Band b = vital_band (items->pdata[i - 1]);

      if (b.known)
        return b;
    }
  return none;
}

static gboolean
is_abnormal (const ChChartItem *item,
             const Band        *b)
{
  if (item->flag != NULL && *item->flag != '\0')
    return TRUE;
  if (item->has_range && item->ref_low <= item->ref_high)
    return item->value_num < item->ref_low || item->value_num > item->ref_high;
  if (b->known && !b->from_items)
    return item->value_num < b->low || item->value_num > b->high;
  return FALSE;
}

static char *
full_title (const char *title,
            const char *unit)
{
  const char *label = ch_plot_unit_label (unit);

  if (label == NULL || *label == '\0')
    return g_strdup (title ? title : "");
  /* TRANSLATORS: a plot's title and its unit, "Weight (kg)" */
  return g_strdup_printf (_("%s (%s)"), title ? title : "", label);
}

void
ch_plot_trend (cairo_t    *cr,
               double      width,
               double      height,
               const char *title,
               const char *unit,
               GPtrArray  *items,
               gboolean    shade_range)
{
  ChPlotSeries series = { NULL, items };

  ch_plot_trend_series (cr, width, height, title, unit, &series, 1, shade_range, NULL);
}

void
ch_plot_trend_series (cairo_t            *cr,
                      double              width,
                      double              height,
                      const char         *title,
                      const char         *unit,
                      const ChPlotSeries *series,
                      guint               n_series,
                      gboolean            shade_range,
                      ChPlotArea         *out_area)
{
  g_autoptr (PangoLayout) layout = NULL;
  g_autofree char *heading = full_title (title, unit);
  g_autofree Band *bands = g_new0 (Band, MAX (n_series, 1));
  ChPlotArea area = { 0 };
  double title_h = 0, label_h = 0, label_w = 0, y_step, x_max_ticks;
  double t_min = INFINITY, t_max = -INFINITY, v_min = INFINITY, v_max = -INFINITY;
  guint n_values = 0, step = 0;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (series != NULL || n_series == 0);

  cairo_save (cr);
  draw_card (cr, width, height);
  layout = pango_cairo_create_layout (cr);

  text_extent (layout, heading, TITLE_SIZE, TRUE, NULL, &title_h);
  draw_text (cr, layout, heading, TITLE_SIZE, TRUE, &ink, PAD, PAD, 0, 0);

  for (guint s = 0; s < n_series; s++)
    {
      GPtrArray *items = series[s].items;

      bands[s] = shade_range ? series_band (items) : (Band) { FALSE };
      for (guint i = 0; items != NULL && i < items->len; i++)
        {
          const ChChartItem *item = items->pdata[i];

          if (!plotted (item))
            continue;
          n_values++;
          t_min = MIN (t_min, (double) item->effective_at);
          t_max = MAX (t_max, (double) item->effective_at);
          v_min = MIN (v_min, item->value_num);
          v_max = MAX (v_max, item->value_num);
        }
    }

  /* Legend, on the title's line, right-aligned. */
  if (n_series > 1)
    {
      double x = width - PAD;

      for (guint s = n_series; s > 0; s--)
        {
          const char *label = series[s - 1].label;
          const Rgb *color = &series_colors[(s - 1) % G_N_ELEMENTS (series_colors)];
          double w;

          if (label == NULL)
            continue;
          text_extent (layout, label, LABEL_SIZE, FALSE, &w, NULL);
          draw_text (cr, layout, label, LABEL_SIZE, FALSE, &ink, x, PAD + title_h / 2, 1.0, 0.5);
          x -= w + 4;
          cairo_save (cr);
          set_color (cr, color);
          cairo_set_line_width (cr, 2.0);
          cairo_move_to (cr, x - 14, PAD + title_h / 2);
          cairo_line_to (cr, x, PAD + title_h / 2);
          cairo_stroke (cr);
          cairo_restore (cr);
          x -= 14 + 12;
        }
    }

  area.top = PAD + title_h + PAD;
  text_extent (layout, "28 Sep 2024", LABEL_SIZE, FALSE, &label_w, &label_h);
  area.bottom = height - PAD - label_h - TICK - 2;
  area.right = width - PAD - label_w / 2;

  if (n_values == 0 || area.bottom - area.top < 20)
    {
      area.left = PAD;
      area.x_min = area.y_min = 0;
      area.x_max = area.y_max = 1;
      draw_message (cr, layout, _("No values"), width / 2, (area.top + height) / 2);
      if (out_area != NULL)
        *out_area = area;
      cairo_restore (cr);
      return;
    }

  for (guint s = 0; s < n_series; s++)
    if (bands[s].known)
      {
        v_min = MIN (v_min, bands[s].low);
        v_max = MAX (v_max, bands[s].high);
      }
  area.y_min = v_min;
  area.y_max = v_max;
  y_step = nice_range (&area.y_min, &area.y_max, area.bottom - area.top, 36);
  area.left = PAD + y_labels_width (layout, area.y_min, area.y_max, y_step) + TICK + 4;

  if (area.right - area.left < 20)
    area.right = area.left + 20;

  /* Time: a month around a single day, else the span and a little. */
  if (t_max - t_min < DAY_USEC)
    {
      area.x_min = t_min - 15 * DAY_USEC;
      area.x_max = t_max + 15 * DAY_USEC;
    }
  else
    {
      double margin = (t_max - t_min) * 0.04;

      area.x_min = t_min - margin;
      area.x_max = t_max + margin;
    }

  /* Reference ranges under everything. */
  cairo_save (cr);
  cairo_rectangle (cr, area.left, area.top, area.right - area.left, area.bottom - area.top);
  cairo_clip (cr);
  for (guint s = 0; s < n_series; s++)
    if (bands[s].known)
      {
        double y0 = ch_plot_area_y (&area, bands[s].high);
        double y1 = ch_plot_area_y (&area, bands[s].low);

        set_color (cr, &band);
        cairo_rectangle (cr, area.left, y0, area.right - area.left, MAX (y1 - y0, 1.0));
        cairo_fill (cr);
      }
  cairo_restore (cr);

  draw_y_axis (cr, layout, &area, y_step);

  /* Dates along the bottom: the finest calendar step whose labels fit. */
  x_max_ticks = MAX (2.0, (area.right - area.left) / (label_w + 10));
  for (step = 0; step + 1 < G_N_ELEMENTS (time_steps); step++)
    if ((area.x_max - area.x_min) / DAY_USEC / step_days (step) <= x_max_ticks)
      break;
  {
    g_autoptr (GDateTime) from =
      g_date_time_new_from_unix_local ((gint64) (area.x_min / G_USEC_PER_SEC));
    g_autoptr (GDateTime) tick = from ? step_start (from, step) : NULL;

    cairo_save (cr);
    cairo_set_line_width (cr, 1.0);
    for (guint n = 0; tick != NULL && n < 200; n++)
      {
        double t = (double) g_date_time_to_unix (tick) * G_USEC_PER_SEC;
        GDateTime *next;

        if (t > area.x_max)
          break;
        if (t >= area.x_min)
          {
            double x = round (ch_plot_area_x (&area, t)) + 0.5;
            g_autofree char *label = g_date_time_format (tick, step_format (step));

            set_color (cr, &frame);
            cairo_move_to (cr, x, area.bottom);
            cairo_line_to (cr, x, area.bottom + TICK);
            cairo_stroke (cr);
            if (label != NULL)
              draw_text (cr, layout, label, LABEL_SIZE, FALSE, &muted, x, area.bottom + TICK + 1,
                         0.5, 0);
          }
        next = step_add (tick, step);
        g_date_time_unref (tick);
        tick = next;
      }
    cairo_restore (cr);
  }

  draw_frame (cr, &area);

  /* Lines, then points on top. */
  for (guint s = 0; s < n_series; s++)
    {
      GPtrArray *items = series[s].items;
      const Rgb *color = &series_colors[s % G_N_ELEMENTS (series_colors)];
      gboolean started = FALSE;

      cairo_save (cr);
      set_color (cr, color);
      cairo_set_line_width (cr, 1.6);
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      for (guint i = 0; items != NULL && i < items->len; i++)
        {
          const ChChartItem *item = items->pdata[i];
          double x, y;

          if (!plotted (item))
            continue;
          x = ch_plot_area_x (&area, (double) item->effective_at);
          y = ch_plot_area_y (&area, item->value_num);
          if (started)
            cairo_line_to (cr, x, y);
          else
            cairo_move_to (cr, x, y);
          started = TRUE;
        }
      cairo_stroke (cr);
      cairo_restore (cr);

      for (guint i = 0; items != NULL && i < items->len; i++)
        {
          const ChChartItem *item = items->pdata[i];

          if (!plotted (item))
            continue;
          draw_point (cr, ch_plot_area_x (&area, (double) item->effective_at),
                      ch_plot_area_y (&area, item->value_num), color,
                      is_abnormal (item, &bands[s]));
        }
    }

  if (out_area != NULL)
    *out_area = area;
  cairo_restore (cr);
}

/* ---- growth charts ---------------------------------------------------------------- */

static const int percentiles[] = { 3, 10, 25, 50, 75, 90, 97 };

static char *
percentile_text (double p)
{
  double pct = p * 100.0;

  if (pct < 1)
    return g_strdup ("<1");
  if (pct > 99)
    return g_strdup (">99");
  return g_strdup_printf ("%.0f", pct);
}

static const char *
growth_subtitle (const char   *sex,
                 ChGrowthChart chart)
{
  gboolean male = g_strcmp0 (sex, "male") == 0;

  if (chart == CH_GROWTH_CHART_INFANT)
    return male ? _("Boys, birth to 36 months") : _("Girls, birth to 36 months");
  return male ? _("Boys, 2 to 20 years") : _("Girls, 2 to 20 years");
}

void
ch_plot_growth (cairo_t        *cr,
                double          width,
                double          height,
                ChGrowthMeasure measure,
                const char     *sex,
                GArray         *points)
{
  ch_plot_growth_full (cr, width, height, measure, sex, points, NULL);
}

void
ch_plot_growth_full (cairo_t        *cr,
                     double          width,
                     double          height,
                     ChGrowthMeasure measure,
                     const char     *sex,
                     GArray         *points,
                     ChPlotArea     *out_area)
{
  g_autoptr (PangoLayout) layout = NULL;
  g_autofree char *heading = full_title (ch_growth_measure_label (measure),
                                         ch_growth_measure_unit (measure));
  ChGrowthChart chart;
  ChPlotArea area = { 0 };
  double age_min, age_max, title_h, label_h, label_w, y_step, sample, x_step;
  double curve_end[G_N_ELEMENTS (percentiles)];
  double label_y[G_N_ELEMENTS (percentiles)];
  gboolean years;
  guint n_points = points != NULL ? points->len : 0;
  const ChGrowthPoint *latest = NULL;

  g_return_if_fail (cr != NULL);

  /* The infant chart while every point fits it. */
  if (measure == CH_GROWTH_HEAD_FOR_AGE)
    chart = CH_GROWTH_CHART_INFANT;
  else if (measure == CH_GROWTH_BMI_FOR_AGE)
    chart = CH_GROWTH_CHART_CHILD;
  else
    {
      chart = CH_GROWTH_CHART_INFANT;
      for (guint i = 0; i < n_points; i++)
        if (g_array_index (points, ChGrowthPoint, i).age_months > 36.0)
          chart = CH_GROWTH_CHART_CHILD;
    }
  years = chart == CH_GROWTH_CHART_CHILD;

  cairo_save (cr);
  draw_card (cr, width, height);
  layout = pango_cairo_create_layout (cr);
  text_extent (layout, heading, TITLE_SIZE, TRUE, NULL, &title_h);
  draw_text (cr, layout, heading, TITLE_SIZE, TRUE, &ink, PAD, PAD, 0, 0);

  area.top = PAD + title_h + PAD;
  text_extent (layout, "00", LABEL_SIZE, FALSE, &label_w, &label_h);
  area.bottom = height - PAD - 2 * label_h - TICK - 4;

  if ((g_strcmp0 (sex, "male") != 0 && g_strcmp0 (sex, "female") != 0)
      || !ch_growth_chart_range (measure, chart, &age_min, &age_max)
      || area.bottom - area.top < 20)
    {
      draw_message (cr, layout, _("Growth curves need the sex at birth"), width / 2,
                    (area.top + height) / 2);
      if (out_area != NULL)
        *out_area = area;
      cairo_restore (cr);
      return;
    }

  draw_text (cr, layout, growth_subtitle (sex, chart), LABEL_SIZE, FALSE, &muted, width - PAD,
             PAD + title_h / 2, 1.0, 0.5);

  /* Ages on whole axis steps: 0–36 months, or 2–20 years. */
  area.x_min = years ? 24.0 : 0.0;
  area.x_max = years ? 240.0 : 36.0;
  sample = years ? 1.0 : 0.5;

  /* The value range: the outer curves and every point. */
  area.y_min = INFINITY;
  area.y_max = -INFINITY;
  for (double age = age_min; age <= age_max + 1e-9; age += sample)
    {
      double L, M, S;

      if (!ch_growth_lms_in_chart (measure, chart, sex, age, &L, &M, &S))
        continue;
      area.y_min = MIN (area.y_min, ch_growth_value_at_percentile (L, M, S, 0.03));
      area.y_max = MAX (area.y_max, ch_growth_value_at_percentile (L, M, S, 0.97));
    }
  for (guint i = 0; i < n_points; i++)
    {
      const ChGrowthPoint *p = &g_array_index (points, ChGrowthPoint, i);

      if (p->age_months < area.x_min || p->age_months > area.x_max || !isfinite (p->value))
        continue;
      area.y_min = MIN (area.y_min, p->value);
      area.y_max = MAX (area.y_max, p->value);
      if (latest == NULL || p->age_months >= latest->age_months)
        latest = p;
    }
  if (!isfinite (area.y_min) || !isfinite (area.y_max))
    {
      area.y_min = 0;
      area.y_max = 1;
    }

  y_step = nice_range (&area.y_min, &area.y_max, area.bottom - area.top, 32);
  area.left = PAD + y_labels_width (layout, area.y_min, area.y_max, y_step) + TICK + 4;
  area.right = width - PAD - label_w - 6;
  if (area.right - area.left < 20)
    area.right = area.left + 20;

  draw_y_axis (cr, layout, &area, y_step);

  /* Ages: every 3 months, or every year (two when narrow). */
  x_step = years ? ((area.right - area.left) / 18 < label_w + 6 ? 24 : 12) : 3;
  cairo_save (cr);
  cairo_set_line_width (cr, 1.0);
  for (double age = area.x_min; age <= area.x_max + 1e-9; age += x_step)
    {
      double x = round (ch_plot_area_x (&area, age)) + 0.5;
      g_autofree char *label = g_strdup_printf ("%.0f", years ? age / 12 : age);

      set_color (cr, &grid);
      cairo_move_to (cr, x, area.top);
      cairo_line_to (cr, x, area.bottom);
      cairo_stroke (cr);
      set_color (cr, &frame);
      cairo_move_to (cr, x, area.bottom);
      cairo_line_to (cr, x, area.bottom + TICK);
      cairo_stroke (cr);
      draw_text (cr, layout, label, LABEL_SIZE, FALSE, &muted, x, area.bottom + TICK + 1, 0.5, 0);
    }
  cairo_restore (cr);
  draw_text (cr, layout, years ? _("Age (years)") : _("Age (months)"), LABEL_SIZE, FALSE, &muted,
             (area.left + area.right) / 2, height - PAD, 0.5, 1.0);

  draw_frame (cr, &area);

  /* The curves, the median darker. */
  for (guint c = 0; c < G_N_ELEMENTS (percentiles); c++)
    {
      double p = percentiles[c] / 100.0;
      gboolean started = FALSE;

      curve_end[c] = NAN;
      cairo_save (cr);
      cairo_rectangle (cr, area.left, area.top, area.right - area.left, area.bottom - area.top);
      cairo_clip (cr);
      set_color (cr, percentiles[c] == 50 ? &median : &curve);
      cairo_set_line_width (cr, percentiles[c] == 50 ? 2.0 : 1.2);
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      for (double age = age_min; age <= age_max + 1e-9; age += sample)
        {
          double L, M, S, v;

          if (!ch_growth_lms_in_chart (measure, chart, sex, MIN (age, age_max), &L, &M, &S))
            continue;
          v = ch_growth_value_at_percentile (L, M, S, p);
          if (!isfinite (v))
            continue;
          if (started)
            cairo_line_to (cr, ch_plot_area_x (&area, age), ch_plot_area_y (&area, v));
          else
            cairo_move_to (cr, ch_plot_area_x (&area, age), ch_plot_area_y (&area, v));
          started = TRUE;
          curve_end[c] = v;
        }
      cairo_stroke (cr);
      cairo_restore (cr);
    }

  /* Labels at the curves' right ends, pushed apart where they crowd. */
  for (guint c = 0; c < G_N_ELEMENTS (percentiles); c++)
    label_y[c] = isfinite (curve_end[c]) ? ch_plot_area_y (&area, curve_end[c]) : NAN;
  for (guint c = 1; c < G_N_ELEMENTS (percentiles); c++)
    if (isfinite (label_y[c]) && isfinite (label_y[c - 1]) && label_y[c] > label_y[c - 1] - label_h)
      label_y[c] = label_y[c - 1] - label_h;
  /* …and back down where that took them over the top. */
  for (guint c = G_N_ELEMENTS (percentiles); c > 0; c--)
    {
      double floor_y = c == G_N_ELEMENTS (percentiles) ? area.top + label_h / 2
                                                       : label_y[c] + label_h;

      if (isfinite (label_y[c - 1]) && isfinite (floor_y) && label_y[c - 1] < floor_y)
        label_y[c - 1] = floor_y;
    }
  for (guint c = 0; c < G_N_ELEMENTS (percentiles); c++)
    if (isfinite (label_y[c]))
      {
        g_autofree char *label = g_strdup_printf ("%d", percentiles[c]);

        draw_text (cr, layout, label, LABEL_SIZE, percentiles[c] == 50,
                   percentiles[c] == 50 ? &median : &muted,
                   ch_plot_area_x (&area, age_max) + 4, label_y[c], 0, 0.5);
      }

  /* The child. */
  if (latest == NULL)
    draw_message (cr, layout, _("No measurements"), (area.left + area.right) / 2,
                  area.top + label_h);
  else
    {
      const Rgb *color = &series_colors[0];
      gboolean started = FALSE;
      double L, M, S;

      cairo_save (cr);
      set_color (cr, color);
      cairo_set_line_width (cr, 1.6);
      for (guint i = 0; i < n_points; i++)
        {
          const ChGrowthPoint *p = &g_array_index (points, ChGrowthPoint, i);
          double x, y;

          if (p->age_months < area.x_min || p->age_months > area.x_max || !isfinite (p->value))
            continue;
          x = ch_plot_area_x (&area, p->age_months);
          y = ch_plot_area_y (&area, p->value);
          if (started)
            cairo_line_to (cr, x, y);
          else
            cairo_move_to (cr, x, y);
          started = TRUE;
        }
      cairo_stroke (cr);
      cairo_restore (cr);

      for (guint i = 0; i < n_points; i++)
        {
          const ChGrowthPoint *p = &g_array_index (points, ChGrowthPoint, i);

          if (p->age_months < area.x_min || p->age_months > area.x_max || !isfinite (p->value))
            continue;
          draw_point (cr, ch_plot_area_x (&area, p->age_months), ch_plot_area_y (&area, p->value),
                      color, FALSE);
        }

      /* From the tables the curves came from, so the two agree. */
      if (ch_growth_lms_in_chart (measure, chart, sex, latest->age_months, &L, &M, &S)
          && isfinite (ch_growth_zscore (L, M, S, latest->value)))
        {
          g_autofree char *pct_text =
            percentile_text (ch_growth_percentile (ch_growth_zscore (L, M, S, latest->value)));
          /* TRANSLATORS: the newest measurement's percentile on a growth chart */
          g_autofree char *text = g_strdup_printf (_("Latest: percentile %s"), pct_text);

          draw_text (cr, layout, text, LABEL_SIZE, TRUE, color, area.left + 6, area.top + 4, 0, 0);
        }
    }

  if (out_area != NULL)
    *out_area = area;
  cairo_restore (cr);
}
