/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-growth"

#include "config.h"

#include <cairo-pdf.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "ch-chart.h"
#include "ch-growth.h"
#include "ch-plot.h"
#include "ch-refdata-resources.h"
#include "ch-test-util.h"

/* ---- the tables, read here on their own ---------------------------------------------- */

typedef struct
{
  int    sex;          /* 1 boys, 2 girls */
  double age;
  double L, M, S;
  double p3, p50, p97;
} Row;

/* Every row of one CDC file, parsed independently of ch-growth.c. */
static GArray *
read_rows (const char *file)
{
  g_autofree char *path = g_strconcat ("/org/charta/Charta/data/growth-cdc2000/", file, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = g_resource_lookup_data (ch_refdata_get_resource (), path, 0, &error);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_auto (GStrv) header = NULL;
  GArray *rows = g_array_new (FALSE, FALSE, sizeof (Row));
  int col[8] = { -1, -1, -1, -1, -1, -1, -1, -1 };
  static const char *names[] = { "Sex", "Agemos", "L", "M", "S", "P3", "P50", "P97" };

  g_assert_no_error (error);
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  lines = g_strsplit (text, "\n", -1);
  header = g_strsplit (g_strstrip (lines[0]), ",", -1);
  for (int i = 0; header[i] != NULL; i++)
    for (int c = 0; c < 8; c++)
      if (g_str_equal (header[i], names[c]))
        col[c] = i;
  for (int c = 0; c < 8; c++)
    g_assert_cmpint (col[c], >=, 0);

  for (int n = 1; lines[n] != NULL; n++)
    {
      g_auto (GStrv) f = NULL;
      Row row;

      g_strstrip (lines[n]);
      if (*lines[n] == '\0' || g_ascii_isalpha (*lines[n]))
        continue;
      f = g_strsplit (lines[n], ",", -1);
      row.sex = atoi (f[col[0]]);
      row.age = g_ascii_strtod (f[col[1]], NULL);
      row.L = g_ascii_strtod (f[col[2]], NULL);
      row.M = g_ascii_strtod (f[col[3]], NULL);
      row.S = g_ascii_strtod (f[col[4]], NULL);
      row.p3 = g_ascii_strtod (f[col[5]], NULL);
      row.p50 = g_ascii_strtod (f[col[6]], NULL);
      row.p97 = g_ascii_strtod (f[col[7]], NULL);
      g_array_append_val (rows, row);
    }
  g_assert_cmpuint (rows->len, >, 60);
  return rows;
}

static const Row *
find_row (GArray *rows,
          int     sex,
          double  age)
{
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = &g_array_index (rows, Row, i);

      if (row->sex == sex && fabs (row->age - age) < 1e-9)
        return row;
    }
  g_assert_not_reached ();
  return NULL;
}

static void
assert_close (double value,
              double expected,
              double relative)
{
  if (!(fabs (value - expected) <= relative * fabs (expected)))
    g_error ("%.9g is not within %g%% of %.9g", value, relative * 100, expected);
}

static const struct
{
  const char     *file;
  ChGrowthMeasure measure;
  ChGrowthChart   chart;
} tables[] = {
  { "wtageinf.csv", CH_GROWTH_WEIGHT_FOR_AGE, CH_GROWTH_CHART_INFANT },
  { "lenageinf.csv", CH_GROWTH_LENGTH_FOR_AGE, CH_GROWTH_CHART_INFANT },
  { "hcageinf.csv", CH_GROWTH_HEAD_FOR_AGE, CH_GROWTH_CHART_INFANT },
  { "wtage.csv", CH_GROWTH_WEIGHT_FOR_AGE, CH_GROWTH_CHART_CHILD },
  { "statage.csv", CH_GROWTH_LENGTH_FOR_AGE, CH_GROWTH_CHART_CHILD },
  { "bmiagerev.csv", CH_GROWTH_BMI_FOR_AGE, CH_GROWTH_CHART_CHILD },
};

/* Every tabulated row of every table, both sexes: the LMS read back, and the
 * 3rd, 50th and 97th percentile values computed from it within 0.5% of the
 * P3, P50 and P97 columns CDC published beside it. */
static void
test_tables (void)
{
  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autoptr (GArray) rows = read_rows (tables[t].file);
      guint checked[3] = { 0 };

      for (guint i = 0; i < rows->len; i++)
        {
          const Row *row = &g_array_index (rows, Row, i);
          const char *sex = row->sex == 1 ? "male" : "female";
          double L, M, S;

          g_assert_true (ch_growth_lms_in_chart (tables[t].measure, tables[t].chart, sex, row->age,
                                                 &L, &M, &S));
          g_assert_cmpfloat_with_epsilon (L, row->L, 1e-12);
          g_assert_cmpfloat_with_epsilon (M, row->M, 1e-12);
          g_assert_cmpfloat_with_epsilon (S, row->S, 1e-12);

          assert_close (ch_growth_value_at_percentile (L, M, S, 0.03), row->p3, 0.005);
          assert_close (ch_growth_value_at_percentile (L, M, S, 0.50), row->p50, 0.005);
          assert_close (ch_growth_value_at_percentile (L, M, S, 0.97), row->p97, 0.005);

          /* And back: the P97 value is at the 97th percentile. */
          g_assert_cmpfloat_with_epsilon (ch_growth_percentile (ch_growth_zscore (L, M, S,
                                                                                  row->p97)),
                                          0.97, 0.002);
          checked[row->sex]++;
        }
      g_assert_cmpuint (checked[1], >, 30);
      g_assert_cmpuint (checked[2], >, 30);
    }
}

/* ch_growth_lms() picks the table by age: infants' below two years, then
 * the children's; checked at several ages of each file, both sexes. */
static void
test_lms_by_age (void)
{
  static const struct
  {
    const char     *file;
    ChGrowthMeasure measure;
    double          ages[4];
  } cases[] = {
    { "wtageinf.csv", CH_GROWTH_WEIGHT_FOR_AGE, { 0, 6.5, 12.5, 23.5 } },
    { "lenageinf.csv", CH_GROWTH_LENGTH_FOR_AGE, { 0.5, 9.5, 18.5, 23.5 } },
    { "hcageinf.csv", CH_GROWTH_HEAD_FOR_AGE, { 0, 12.5, 30.5, 36 } },
    { "wtage.csv", CH_GROWTH_WEIGHT_FOR_AGE, { 24, 60.5, 150.5, 240 } },
    { "statage.csv", CH_GROWTH_LENGTH_FOR_AGE, { 24, 30.5, 120.5, 240 } },
    { "bmiagerev.csv", CH_GROWTH_BMI_FOR_AGE, { 24, 100.5, 200.5, 240.5 } },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr (GArray) rows = read_rows (cases[c].file);

      for (int sex = 1; sex <= 2; sex++)
        for (guint a = 0; a < G_N_ELEMENTS (cases[c].ages); a++)
          {
            const Row *row = find_row (rows, sex, cases[c].ages[a]);
            double L, M, S;

            g_assert_true (ch_growth_lms (cases[c].measure, sex == 1 ? "male" : "female",
                                          row->age, &L, &M, &S));
            g_assert_cmpfloat_with_epsilon (M, row->M, 1e-12);
            assert_close (ch_growth_value_at_percentile (L, M, S, 0.5), row->p50, 0.005);
          }
    }
}

/* Between two tabulated ages L, M and S are interpolated linearly; and a
 * 12-month-old boy of 10.0 kg, worked out here from the two rows around 12
 * months, is at about the 39th percentile by CDC 2000. */
static void
test_known_child (void)
{
  g_autoptr (GArray) rows = read_rows ("wtageinf.csv");
  const Row *a = find_row (rows, 1, 11.5);
  const Row *b = find_row (rows, 1, 12.5);
  double L = (a->L + b->L) / 2, M = (a->M + b->M) / 2, S = (a->S + b->S) / 2;
  double l, m, s, z, pct, expected_z;

  g_assert_true (ch_growth_lms (CH_GROWTH_WEIGHT_FOR_AGE, "male", 12.0, &l, &m, &s));
  g_assert_cmpfloat_with_epsilon (l, L, 1e-12);
  g_assert_cmpfloat_with_epsilon (m, M, 1e-12);
  g_assert_cmpfloat_with_epsilon (s, S, 1e-12);

  expected_z = (exp (L * log (10.0 / M)) - 1) / (L * S);
  g_assert_true (ch_growth_assess (CH_GROWTH_WEIGHT_FOR_AGE, "male", 12.0, 10.0, &z, &pct));
  g_assert_cmpfloat_with_epsilon (z, expected_z, 1e-9);
  g_assert_cmpfloat_with_epsilon (pct, 0.5 * erfc (-expected_z / sqrt (2)), 1e-9);
  /* Lighter than the median boy (M ≈ 10.3 kg): below the 50th, above the 25th. */
  g_assert_cmpfloat (M, >, 10.0);
  g_assert_cmpfloat (pct, >, 0.25);
  g_assert_cmpfloat (pct, <, 0.5);
  g_assert_cmpint ((int) round (pct * 100), ==, 39);

  /* A girl of the same weight and age is heavier than the median girl. */
  g_assert_true (ch_growth_assess (CH_GROWTH_WEIGHT_FOR_AGE, "female", 12.0, 10.0, NULL, &pct));
  g_assert_cmpfloat (pct, >, 0.5);

  /* The same boy's z from the L = 0 form when L is 0. */
  g_assert_cmpfloat_with_epsilon (ch_growth_zscore (0, 10, 0.1, 11), log (1.1) / 0.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (ch_growth_value_at_percentile (0, 10, 0.1, 0.5), 10, 1e-9);
  g_assert_cmpfloat_with_epsilon (ch_growth_value_at_percentile (0, 10, 0.1,
                                                                 ch_growth_percentile (1.0)),
                                  10 * exp (0.1), 1e-9);
}

static void
test_out_of_range (void)
{
  double L, M, S;

  g_assert_false (ch_growth_lms (CH_GROWTH_WEIGHT_FOR_AGE, "male", -0.5, &L, &M, &S));
  g_assert_false (ch_growth_lms (CH_GROWTH_WEIGHT_FOR_AGE, "male", 240.5, &L, &M, &S));
  g_assert_false (ch_growth_lms (CH_GROWTH_LENGTH_FOR_AGE, "female", 300, &L, &M, &S));
  g_assert_false (ch_growth_lms (CH_GROWTH_HEAD_FOR_AGE, "female", 36.5, &L, &M, &S));
  g_assert_false (ch_growth_lms (CH_GROWTH_BMI_FOR_AGE, "female", 23.9, &L, &M, &S));
  g_assert_false (ch_growth_lms (CH_GROWTH_BMI_FOR_AGE, "female", 241, &L, &M, &S));
  g_assert_false (ch_growth_lms (CH_GROWTH_WEIGHT_FOR_AGE, "other", 12, &L, &M, &S));
  g_assert_false (ch_growth_lms (CH_GROWTH_WEIGHT_FOR_AGE, NULL, 12, &L, &M, &S));
  g_assert_false (ch_growth_lms (CH_GROWTH_WEIGHT_FOR_AGE, "male", NAN, &L, &M, &S));
  g_assert_false (ch_growth_lms_in_chart (CH_GROWTH_HEAD_FOR_AGE, CH_GROWTH_CHART_CHILD, "male",
                                          60, &L, &M, &S));
  g_assert_false (ch_growth_chart_range (CH_GROWTH_BMI_FOR_AGE, CH_GROWTH_CHART_INFANT, NULL,
                                         NULL));
  g_assert_false (ch_growth_assess (CH_GROWTH_WEIGHT_FOR_AGE, "male", 12, 0, NULL, NULL));
  g_assert_false (ch_growth_assess (CH_GROWTH_WEIGHT_FOR_AGE, "male", 250, 60, NULL, NULL));

  /* The edges themselves are in. */
  g_assert_true (ch_growth_lms (CH_GROWTH_WEIGHT_FOR_AGE, "male", 0, &L, &M, &S));
  g_assert_true (ch_growth_lms (CH_GROWTH_WEIGHT_FOR_AGE, "female", 240, &L, &M, &S));
  g_assert_true (ch_growth_lms (CH_GROWTH_HEAD_FOR_AGE, "female", 36, &L, &M, &S));
}

/* Φ and its inverse agree with each other and with known quantiles. */
static void
test_normal (void)
{
  g_assert_cmpfloat_with_epsilon (ch_growth_percentile (0), 0.5, 1e-15);
  g_assert_cmpfloat_with_epsilon (ch_growth_percentile (1.959963984540054), 0.975, 1e-12);
  g_assert_cmpfloat_with_epsilon (ch_growth_zscore_at (0.975), 1.959963984540054, 1e-9);
  g_assert_cmpfloat_with_epsilon (ch_growth_zscore_at (0.03), -1.880793608151251, 1e-9);
  g_assert_cmpfloat_with_epsilon (ch_growth_zscore_at (1e-6), -4.753424308822899, 1e-8);
  for (double p = 0.0005; p < 1; p += 0.0123)
    g_assert_cmpfloat_with_epsilon (ch_growth_percentile (ch_growth_zscore_at (p)), p, 1e-12);
  g_assert_true (isnan (ch_growth_zscore_at (0)));
  g_assert_true (isnan (ch_growth_zscore_at (1)));
  g_assert_true (isnan (ch_growth_value_at_percentile (1, 10, 0.1, 1.5)));
  g_assert_true (isnan (ch_growth_zscore (1, 10, 0.1, -3)));
}

/* ---- plots --------------------------------------------------------------------------- */

typedef struct
{
  double r, g, b;
} Pixel;

static Pixel
pixel_at (cairo_surface_t *surface,
          double           x,
          double           y)
{
  int stride = cairo_image_surface_get_stride (surface);
  unsigned char *data = cairo_image_surface_get_data (surface);
  int ix = (int) floor (x), iy = (int) floor (y);
  guint32 argb;
  Pixel p;

  g_assert_cmpint (ix, >=, 0);
  g_assert_cmpint (iy, >=, 0);
  g_assert_cmpint (ix, <, cairo_image_surface_get_width (surface));
  g_assert_cmpint (iy, <, cairo_image_surface_get_height (surface));
  argb = *(guint32 *) (data + iy * stride + ix * 4);
  p.r = ((argb >> 16) & 0xff) / 255.0;
  p.g = ((argb >> 8) & 0xff) / 255.0;
  p.b = (argb & 0xff) / 255.0;
  return p;
}

static double
brightness (Pixel p)
{
  return (p.r + p.g + p.b) / 3;
}

/* The darkest pixel within @radius of (x, y). */
static double
darkest_near (cairo_surface_t *surface,
              double           x,
              double           y,
              int              radius)
{
  double darkest = 1;

  for (int dy = -radius; dy <= radius; dy++)
    for (int dx = -radius; dx <= radius; dx++)
      darkest = MIN (darkest, brightness (pixel_at (surface, x + dx, y + dy)));
  return darkest;
}

static guint
count_ink (cairo_surface_t *surface,
           double           x0,
           double           y0,
           double           x1,
           double           y1)
{
  guint n = 0;

  for (double y = y0; y < y1; y++)
    for (double x = x0; x < x1; x++)
      if (brightness (pixel_at (surface, x, y)) < 0.97)
        n++;
  return n;
}

static cairo_surface_t *
new_image (int width,
           int height)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);

  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  return surface;
}

/* CH_TEST_PNG_DIR=DIR keeps each image and PDF drawn, to look at. */
static void
finish_image (cairo_t         *cr,
              cairo_surface_t *surface)
{
  static guint n = 0;
  const char *dir = g_getenv ("CH_TEST_PNG_DIR");

  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  if (dir != NULL)
    {
      g_autofree char *name = g_strdup_printf ("plot-%u.png", n++);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      cairo_surface_write_to_png (surface, path);
    }
}

static char *
pdf_text (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *program = g_find_program_in_path ("pdftotext");
  const char *argv[] = { "pdftotext", path, "-", NULL };
  int status = 0;

  if (program == NULL)
    g_error ("pdftotext is missing: install poppler-utils (build-aux/dev does)");
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_steal_pointer (&out);
}

/* A PDF page of @width × @height drawn by @draw, as pdftotext reads it. */
static char *
render_pdf_text (double width,
                 double height,
                 void (*draw) (cairo_t *cr, gpointer data),
                 gpointer data)
{
  g_autofree char *dir = ch_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "plot.pdf", NULL);
  cairo_surface_t *surface = cairo_pdf_surface_create (path, width, height);
  cairo_t *cr = cairo_create (surface);
  char *text;

  draw (cr, data);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);

  text = pdf_text (path);
  if (g_getenv ("CH_TEST_PNG_DIR") != NULL)
    {
      static guint n = 0;
      g_autofree char *name = g_strdup_printf ("plot-%u.pdf", n++);
      g_autofree char *keep = g_build_filename (g_getenv ("CH_TEST_PNG_DIR"), name, NULL);

      g_rename (path, keep);
    }
  ch_test_remove_dir (dir);
  return text;
}

static GArray *
boy_points (void)
{
  GArray *points = g_array_new (FALSE, FALSE, sizeof (ChGrowthPoint));
  ChGrowthPoint p[] = { { 1, 4.4 }, { 6, 7.6 }, { 12, 10.0 } };

  g_array_append_vals (points, p, G_N_ELEMENTS (p));
  return points;
}

/* The growth chart draws its curves where the LMS tables put them: the
 * median dark at 24 months, the child's point in its colour, nothing above
 * the 97th percentile early on. */
static void
test_plot_growth_image (void)
{
  g_autoptr (GArray) points = boy_points ();
  cairo_surface_t *surface = new_image (640, 420);
  cairo_t *cr = cairo_create (surface);
  ChPlotArea area = { 0 };
  double L, M, S;
  Pixel point;

  ch_plot_growth_full (cr, 640, 420, CH_GROWTH_WEIGHT_FOR_AGE, "male", points, &area);
  finish_image (cr, surface);

  /* The infant chart: every point is under three. */
  g_assert_cmpfloat (area.x_min, ==, 0);
  g_assert_cmpfloat (area.x_max, ==, 36);
  g_assert_cmpfloat (area.left, >, 10);
  g_assert_cmpfloat (area.right, <, 640);
  g_assert_cmpfloat (area.bottom - area.top, >, 250);

  g_assert_true (ch_growth_lms_in_chart (CH_GROWTH_WEIGHT_FOR_AGE, CH_GROWTH_CHART_INFANT, "male",
                                         24, &L, &M, &S));
  g_assert_cmpfloat (darkest_near (surface, ch_plot_area_x (&area, 24), ch_plot_area_y (&area, M),
                                   1),
                     <, 0.35);
  /* The 97th percentile at 30 months is drawn too (lighter). */
  g_assert_true (ch_growth_lms_in_chart (CH_GROWTH_WEIGHT_FOR_AGE, CH_GROWTH_CHART_INFANT, "male",
                                         30, &L, &M, &S));
  g_assert_cmpfloat (darkest_near (surface, ch_plot_area_x (&area, 30),
                                   ch_plot_area_y (&area,
                                                   ch_growth_value_at_percentile (L, M, S, 0.97)),
                                   1),
                     <, 0.8);

  /* The child at 12 months, 10 kg: a blue dot. */
  point = pixel_at (surface, ch_plot_area_x (&area, 12), ch_plot_area_y (&area, 10.0));
  g_assert_cmpfloat (point.b, >, point.r + 0.3);

  /* High above the curves in the first months: blank. */
  g_assert_cmpfloat (brightness (pixel_at (surface, ch_plot_area_x (&area, 2.2),
                                           ch_plot_area_y (&area, area.y_max * 0.83))),
                     >, 0.97);

  /* Plenty drawn in the plot, something in the axis margins. */
  g_assert_cmpuint (count_ink (surface, area.left + 2, area.top, area.right, area.bottom - 2), >,
                    3000);
  g_assert_cmpuint (count_ink (surface, 0, area.bottom + 2, 640, 420), >, 100);

  cairo_surface_destroy (surface);
}

static void
draw_growth_older (cairo_t *cr,
                   gpointer data)
{
  ch_plot_growth (cr, 500, 320, CH_GROWTH_BMI_FOR_AGE, "female", data);
}

/* A girl's BMI chart to a PDF: curves labelled, ages in years, her percentile. */
static void
test_plot_growth_pdf (void)
{
  g_autoptr (GArray) points = g_array_new (FALSE, FALSE, sizeof (ChGrowthPoint));
  ChGrowthPoint p[] = { { 60, 15.5 }, { 96, 16.0 }, { 120, 17.0 } };
  g_autofree char *text = NULL;
  double pct;
  g_autofree char *latest = NULL;

  g_array_append_vals (points, p, G_N_ELEMENTS (p));
  text = render_pdf_text (500, 320, draw_growth_older, points);
  g_assert_nonnull (strstr (text, "BMI for age"));
  g_assert_nonnull (strstr (text, "Girls, 2 to 20 years"));
  g_assert_nonnull (strstr (text, "Age (years)"));
  for (guint i = 0; i < 7; i++)
    {
      static const char *labels[] = { "3", "10", "25", "50", "75", "90", "97" };
      g_assert_nonnull (strstr (text, labels[i]));
    }
  g_assert_true (ch_growth_assess (CH_GROWTH_BMI_FOR_AGE, "female", 120, 17.0, NULL, &pct));
  latest = g_strdup_printf ("Latest: percentile %.0f", pct * 100);
  g_assert_nonnull (strstr (text, latest));
}

static void
draw_growth_no_sex (cairo_t *cr,
                    gpointer data)
{
  ch_plot_growth (cr, 400, 300, CH_GROWTH_HEAD_FOR_AGE, NULL, NULL);
}

static void
test_plot_growth_no_sex (void)
{
  g_autofree char *text = render_pdf_text (400, 300, draw_growth_no_sex, NULL);

  g_assert_nonnull (strstr (text, "Growth curves need the sex at birth"));
}

static ChChartItem *
result (gint64      days,
        double      value,
        const char *flag)
{
  ChChartItem *item = ch_chart_item_new (CH_SECTION_LAB);

  /* 2024-01-01 plus @days. */
  item->effective_at = (G_GINT64_CONSTANT (1704067200) + days * 86400) * G_USEC_PER_SEC;
  item->code = g_strdup ("4548-4");
  item->has_value = TRUE;
  item->value_num = value;
  item->unit = g_strdup ("%");
  item->has_range = TRUE;
  item->ref_low = 4.0;
  item->ref_high = 5.6;
  item->flag = g_strdup (flag);
  return item;
}

static GPtrArray *
new_items (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) ch_chart_item_free);
}

static GPtrArray *
a1c_series (void)
{
  GPtrArray *items = new_items ();

  g_ptr_array_add (items, result (0, 5.1, ""));
  g_ptr_array_add (items, result (120, 6.8, "H"));
  g_ptr_array_add (items, result (250, 5.4, ""));
  g_ptr_array_add (items, result (400, 7.4, "H"));
  return items;
}

/* A lab trend: the reference range shaded, normal values blue, flagged ones
 * red, the line between them. */
static void
test_plot_trend_image (void)
{
  g_autoptr (GPtrArray) items = a1c_series ();
  ChPlotSeries series = { NULL, items };
  cairo_surface_t *surface = new_image (600, 300);
  cairo_t *cr = cairo_create (surface);
  ChPlotArea area = { 0 };
  Pixel shade, normal, high, blank;
  double mid_x, mid_y;
  const ChChartItem *first = items->pdata[0], *second = items->pdata[1];

  ch_plot_trend_series (cr, 600, 300, "Hemoglobin A1c", "%", &series, 1, TRUE, &area);
  finish_image (cr, surface);

  g_assert_cmpfloat (area.y_min, <=, 4.0);
  g_assert_cmpfloat (area.y_max, >=, 7.4);
  g_assert_cmpfloat (area.x_min, <, (double) first->effective_at);

  /* Left of the first point, inside the range: shaded green. */
  shade = pixel_at (surface, area.left + 3, ch_plot_area_y (&area, 4.7));
  g_assert_cmpfloat (shade.g, >, shade.r + 0.05);
  g_assert_cmpfloat (brightness (shade), <, 0.97);
  /* …and above the range: white. */
  blank = pixel_at (surface, area.left + 3, ch_plot_area_y (&area, 6.5));
  g_assert_cmpfloat (brightness (blank), >, 0.97);

  normal = pixel_at (surface, ch_plot_area_x (&area, (double) first->effective_at),
                     ch_plot_area_y (&area, first->value_num));
  g_assert_cmpfloat (normal.b, >, normal.r + 0.3);
  high = pixel_at (surface, ch_plot_area_x (&area, (double) second->effective_at),
                   ch_plot_area_y (&area, second->value_num));
  g_assert_cmpfloat (high.r, >, 0.6);
  g_assert_cmpfloat (high.g, <, 0.3);

  /* Halfway between the two points the line is drawn. */
  mid_x = ch_plot_area_x (&area, (first->effective_at + second->effective_at) / 2.0);
  mid_y = ch_plot_area_y (&area, (first->value_num + second->value_num) / 2);
  g_assert_cmpfloat (darkest_near (surface, mid_x, mid_y, 2), <, 0.7);

  /* Without shading there is no green. */
  cr = cairo_create (surface);
  ch_plot_trend_series (cr, 600, 300, "Hemoglobin A1c", "%", &series, 1, FALSE, &area);
  finish_image (cr, surface);
  g_assert_cmpfloat (brightness (pixel_at (surface, area.left + 3, ch_plot_area_y (&area, 4.7))),
                     >, 0.97);

  cairo_surface_destroy (surface);
}

static ChChartItem *
vital (const char *code,
       gint64      days,
       double      value)
{
  ChChartItem *item = ch_chart_item_new (CH_SECTION_VITAL);

  item->effective_at = (G_GINT64_CONSTANT (1704067200) + days * 86400) * G_USEC_PER_SEC;
  item->code = g_strdup (code);
  item->has_value = TRUE;
  item->value_num = value;
  item->unit = g_strdup ("mm[Hg]");
  return item;
}

/* Blood pressure has no range of its own: the adult band is shaded, and a
 * systolic pressure of 150 is marked though nothing flagged it. */
static void
test_plot_trend_vitals (void)
{
  g_autoptr (GPtrArray) systolic = new_items ();
  g_autoptr (GPtrArray) diastolic = new_items ();
  ChPlotSeries series[2] = { { "Systolic", systolic }, { "Diastolic", diastolic } };
  cairo_surface_t *surface = new_image (600, 320);
  cairo_t *cr = cairo_create (surface);
  ChPlotArea area = { 0 };
  Pixel high, band;

  g_ptr_array_add (systolic, vital (CH_LOINC_SYSTOLIC, 0, 118));
  g_ptr_array_add (systolic, vital (CH_LOINC_SYSTOLIC, 30, 150));
  g_ptr_array_add (systolic, vital (CH_LOINC_SYSTOLIC, 90, 124));
  g_ptr_array_add (diastolic, vital (CH_LOINC_DIASTOLIC, 0, 76));
  g_ptr_array_add (diastolic, vital (CH_LOINC_DIASTOLIC, 30, 92));
  g_ptr_array_add (diastolic, vital (CH_LOINC_DIASTOLIC, 90, 79));

  ch_plot_trend_series (cr, 600, 320, "Blood pressure", "mm[Hg]", series, 2, TRUE, &area);
  finish_image (cr, surface);

  g_assert_cmpfloat (area.y_min, <=, 60);
  g_assert_cmpfloat (area.y_max, >=, 150);
  band = pixel_at (surface, area.left + 3, ch_plot_area_y (&area, 103));
  g_assert_cmpfloat (band.g, >, band.r + 0.05);
  high = pixel_at (surface,
                   ch_plot_area_x (&area, ((ChChartItem *) systolic->pdata[1])->effective_at),
                   ch_plot_area_y (&area, 150));
  g_assert_cmpfloat (high.r, >, 0.6);
  g_assert_cmpfloat (high.g, <, 0.3);

  cairo_surface_destroy (surface);
}

static void
draw_trend_empty (cairo_t *cr,
                  gpointer data)
{
  ch_plot_trend (cr, 400, 200, "Weight", "kg", data, TRUE);
}

static void
draw_trend_dates (cairo_t *cr,
                  gpointer data)
{
  ch_plot_trend (cr, 500, 260, "Hemoglobin A1c", "%", data, TRUE);
}

/* No values: a message, not a crash; a NULL list as well as an empty one,
 * and values without a number are no values. Dates label the time axis. */
static void
test_plot_trend_empty (void)
{
  g_autoptr (GPtrArray) empty = new_items ();
  g_autoptr (GPtrArray) text_only = new_items ();
  g_autoptr (GPtrArray) a1c = a1c_series ();
  ChChartItem *positive = ch_chart_item_new (CH_SECTION_LAB);
  g_autofree char *text = NULL;
  cairo_surface_t *surface = new_image (400, 200);
  cairo_t *cr = cairo_create (surface);

  ch_plot_trend (cr, 400, 200, "Weight", "kg", NULL, TRUE);
  finish_image (cr, surface);
  g_assert_cmpuint (count_ink (surface, 100, 80, 300, 160), >, 30);
  cairo_surface_destroy (surface);

  text = render_pdf_text (400, 200, draw_trend_empty, empty);
  g_assert_nonnull (strstr (text, "No values"));
  g_assert_nonnull (strstr (text, "Weight (kg)"));
  g_clear_pointer (&text, g_free);

  positive->value_text = g_strdup ("positive");
  positive->effective_at = G_USEC_PER_SEC;
  g_ptr_array_add (text_only, positive);
  text = render_pdf_text (400, 200, draw_trend_empty, text_only);
  g_assert_nonnull (strstr (text, "No values"));
  g_clear_pointer (&text, g_free);

  /* Over 13 months the axis is labelled by month and year. */
  text = render_pdf_text (500, 260, draw_trend_dates, a1c);
  g_assert_null (strstr (text, "No values"));
  g_assert_nonnull (strstr (text, "2024"));
  g_assert_nonnull (strstr (text, "2025"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/growth/tables", test_tables);
  g_test_add_func ("/growth/lms-by-age", test_lms_by_age);
  g_test_add_func ("/growth/known-child", test_known_child);
  g_test_add_func ("/growth/out-of-range", test_out_of_range);
  g_test_add_func ("/growth/normal", test_normal);
  g_test_add_func ("/growth/plot/image", test_plot_growth_image);
  g_test_add_func ("/growth/plot/pdf", test_plot_growth_pdf);
  g_test_add_func ("/growth/plot/no-sex", test_plot_growth_no_sex);
  g_test_add_func ("/plot/trend/image", test_plot_trend_image);
  g_test_add_func ("/plot/trend/vitals", test_plot_trend_vitals);
  g_test_add_func ("/plot/trend/empty", test_plot_trend_empty);

  return g_test_run ();
}
