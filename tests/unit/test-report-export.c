/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-report-export"

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "ch-report-chart.h"
#include "ch-report-export.h"
#include "ch-test-util.h"

/* The reports' shared pieces with no database: values formatted, axes
 * ticked in 1-2-5 steps, each kind of chart drawn into an image and its bars
 * measured in pixels, CSV read back field by field, PDF read back page by
 * page with pdftotext, and cancelled or failed exports leaving no file. */

static char *tmp_dir;

/* A report of @n_rows visits, with the awkward text a CSV must quote. */
static ChReport *
make_report (guint n_rows)
{
  ChReport *report = ch_report_new ("Visits by provider", "1 March – 31 March 2026, all providers");

  ch_report_add_column (report, "Provider", CH_REPORT_COLUMN_TEXT);
  ch_report_add_column (report, "Visits", CH_REPORT_COLUMN_INTEGER);
  ch_report_add_column (report, "Charges", CH_REPORT_COLUMN_MONEY);
  ch_report_add_column (report, "No-show", CH_REPORT_COLUMN_PERCENT);
  ch_report_add_column (report, "First", CH_REPORT_COLUMN_DATE);
  for (guint i = 0; i < n_rows; i++)
    {
      g_autofree char *name = g_strdup_printf ("Row %03u Dr. Núñez", i);
      GVariant *cells[] = {
        g_variant_new_string (name),
        g_variant_new_int64 (i * 7),
        g_variant_new_int64 ((gint64) i * 123456 + 5),
        g_variant_new_double (i % 10 * 1.5),
        i % 5 == 4 ? NULL : g_variant_new_string ("2026-03-01"),
      };

      ch_report_append_row (report, cells);
    }
  return report;
}

static void
test_format (void)
{
  struct { ChReportValueFormat format; double value; gboolean whole; const char *expected; } cases[] = {
    { CH_REPORT_VALUE_MONEY, 123456, FALSE, "$1,234.56" },
    { CH_REPORT_VALUE_MONEY, 123456, TRUE, "$1,235" },
    { CH_REPORT_VALUE_MONEY, 5, FALSE, "$0.05" },
    { CH_REPORT_VALUE_MONEY, -250, FALSE, "−$2.50" },
    { CH_REPORT_VALUE_MONEY, 100000000, TRUE, "$1,000,000" },
    { CH_REPORT_VALUE_PERCENT, 12, FALSE, "12 %" },
    { CH_REPORT_VALUE_PERCENT, 12.46, FALSE, "12.5 %" },
    { CH_REPORT_VALUE_PERCENT, 12.46, TRUE, "12 %" },
    { CH_REPORT_VALUE_INTEGER, 1234567, FALSE, "1,234,567" },
    { CH_REPORT_VALUE_INTEGER, 999, FALSE, "999" },
    { CH_REPORT_VALUE_INTEGER, -1000, FALSE, "−1,000" },
    { CH_REPORT_VALUE_INTEGER, NAN, FALSE, "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = ch_report_format_value (cases[i].format, cases[i].value, cases[i].whole);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }

  {
    gint64 cents[] = { 0, 5, -5, 123450, -123456, G_MAXINT64 };
    const char *plain[] = { "0.00", "0.05", "-0.05", "1234.50", "-1234.56", "92233720368547758.07" };

    for (guint i = 0; i < G_N_ELEMENTS (cents); i++)
      {
        g_autofree char *text = ch_report_format_cents_plain (cents[i]);

        g_assert_cmpstr (text, ==, plain[i]);
      }
  }
}

static void
test_ticks (void)
{
  struct { double min, max; guint ticks; double min_step, lo, hi, step; } cases[] = {
    { 0, 97, 5, 0, 0, 100, 20 },
    { 0, 100, 5, 0, 0, 100, 20 },
    { 0, 1234, 5, 0, 0, 1500, 500 },
    { 0, 7, 10, 1, 0, 7, 1 },        /* counts never step by 0.5 */
    { 0, 3, 10, 0, 0, 3, 0.5 },
    { -35, 80, 6, 0, -40, 80, 20 },
    { 0, 0.83, 4, 0, 0, 1, 0.5 },
    { 0, 0, 5, 0, 0, 1, 0.2 },       /* nothing: still an axis */
    { 42, 42, 5, 1, 0, 50, 10 },     /* one value: from zero */
    { 0, 250, 5, 100, 0, 300, 100 }, /* cents as whole dollars */
    { 0, 12e6, 6, 0, 0, 12e6, 2e6 },
    { 0, 0.3, 5, 0.1, 0, 0.3, 0.1 }, /* percent in tenths at the finest */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      double lo, hi, step;

      ch_report_chart_nice_axis (cases[i].min, cases[i].max, cases[i].ticks, cases[i].min_step,
                                 &lo, &hi, &step);
      g_test_message ("case %u: %g..%g step %g", i, lo, hi, step);
      g_assert_cmpfloat_with_epsilon (lo, cases[i].lo, 1e-9);
      g_assert_cmpfloat_with_epsilon (hi, cases[i].hi, 1e-9);
      g_assert_cmpfloat_with_epsilon (step, cases[i].step, 1e-9);
    }
}

/* RFC 4180 read back: fields, quotes doubled, line breaks inside quotes. */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *record = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);
  const char *p = text;

  while (*p)
    {
      if (*p == '"')
        {
          for (p++; *p && !(*p == '"' && p[1] != '"'); p++)
            {
              if (*p == '"')
                p++;
              g_string_append_c (field, *p);
            }
          g_assert_cmpint (*p, ==, '"');
          p++;
          continue;
        }
      if (*p == ',')
        {
          g_ptr_array_add (record, g_string_free (field, FALSE));
          field = g_string_new (NULL);
          p++;
          continue;
        }
      if (*p == '\r')
        {
          /* Records end in CRLF, never a bare LF or CR. */
          g_assert_cmpint (p[1], ==, '\n');
          g_ptr_array_add (record, g_string_free (field, FALSE));
          field = g_string_new (NULL);
          g_ptr_array_add (records, record);
          record = g_ptr_array_new_with_free_func (g_free);
          p += 2;
          continue;
        }
      g_assert_cmpint (*p, !=, '\n');
      g_string_append_c (field, *p++);
    }
  g_assert_cmpuint (field->len, ==, 0);
  g_assert_cmpuint (record->len, ==, 0);
  g_string_free (field, TRUE);
  g_ptr_array_unref (record);
  return records;
}

#define FIELD(records, r, c) ((const char *) g_ptr_array_index ((GPtrArray *) g_ptr_array_index (records, r), c))

static void
record_progress (double   fraction,
                 gpointer user_data)
{
  GArray *fractions = user_data;

  g_array_append_val (fractions, fraction);
}

static void
test_csv (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChReport) report = ch_report_new ("Awkward", NULL);
  g_autofree char *path = g_build_filename (tmp_dir, "awkward.csv", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GArray) fractions = g_array_new (FALSE, FALSE, sizeof (double));
  gsize length;

  ch_report_add_column (report, "Name, full", CH_REPORT_COLUMN_TEXT);
  ch_report_add_column (report, "Paid", CH_REPORT_COLUMN_MONEY);
  ch_report_add_column (report, "Share", CH_REPORT_COLUMN_PERCENT);
  ch_report_add_column (report, "Count", CH_REPORT_COLUMN_INTEGER);
  {
    GVariant *row1[] = { g_variant_new_string ("O'Brien, \"Jim\""), g_variant_new_int64 (123456789),
                         g_variant_new_double (12.5), g_variant_new_int64 (3) };
    GVariant *row2[] = { g_variant_new_string ("two\nlines\r\nhere"), g_variant_new_int64 (-5),
                         NULL, g_variant_new_int64 (-40) };
    GVariant *row3[] = { g_variant_new_string ("Zoë 東京"), g_variant_new_int64 (0),
                         g_variant_new_double (100), NULL };

    ch_report_append_row (report, row1);
    ch_report_append_row (report, row2);
    ch_report_append_row (report, row3);
  }

  g_assert_true (ch_report_export_csv (report, path, CH_REPORT_CSV_NONE, record_progress, fractions,
                                       NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_true (g_utf8_validate (contents, length, NULL));
  g_assert_false (g_str_has_prefix (contents, "\xEF\xBB\xBF"));
  g_assert_cmpuint (fractions->len, >=, 1);
  g_assert_cmpfloat (g_array_index (fractions, double, fractions->len - 1), ==, 1.0);

  records = parse_csv (contents);
  g_assert_cmpuint (records->len, ==, 4);
  g_assert_cmpstr (FIELD (records, 0, 0), ==, "Name, full");
  g_assert_cmpstr (FIELD (records, 0, 3), ==, "Count");
  g_assert_cmpstr (FIELD (records, 1, 0), ==, "O'Brien, \"Jim\"");
  g_assert_cmpstr (FIELD (records, 1, 1), ==, "1234567.89");
  g_assert_cmpstr (FIELD (records, 1, 2), ==, "12.5");
  g_assert_cmpstr (FIELD (records, 1, 3), ==, "3");
  g_assert_cmpstr (FIELD (records, 2, 0), ==, "two\nlines\r\nhere");
  g_assert_cmpstr (FIELD (records, 2, 1), ==, "-0.05");
  g_assert_cmpstr (FIELD (records, 2, 2), ==, "");
  g_assert_cmpstr (FIELD (records, 2, 3), ==, "-40");
  g_assert_cmpstr (FIELD (records, 3, 0), ==, "Zoë 東京");
  g_assert_cmpstr (FIELD (records, 3, 1), ==, "0.00");
  g_assert_cmpstr (FIELD (records, 3, 2), ==, "100");
  g_assert_cmpstr (FIELD (records, 3, 3), ==, "");

  /* With the byte order mark, and the same records after it. */
  g_clear_pointer (&contents, g_free);
  g_assert_true (ch_report_export_csv (report, path, CH_REPORT_CSV_BOM, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_true (g_str_has_prefix (contents, "\xEF\xBB\xBF" "\"Name, full\",Paid,Share,Count\r\n"));
  {
    g_autoptr (GPtrArray) again = parse_csv (contents + 3);

    g_assert_cmpuint (again->len, ==, 4);
    g_assert_cmpstr (FIELD (again, 2, 0), ==, "two\nlines\r\nhere");
  }
}

/* The pages of @path as pdftotext -layout sees them. */
static char **
pdf_pages (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  const char *argv[] = { "pdftotext", "-layout", path, "-", NULL };
  int status;
  char **pages;
  guint n;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, &error))
    g_error ("pdftotext is missing: install poppler-utils (%s)", error->message);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  pages = g_strsplit (out, "\f", -1);
  /* pdftotext ends every page with a form feed: drop the empty tail. */
  n = g_strv_length (pages);
  if (n > 0 && *pages[n - 1] == '\0')
    g_clear_pointer (&pages[n - 1], g_free);
  return pages;
}

static guint
page_of (char      **pages,
         const char *text)
{
  for (guint i = 0; pages[i]; i++)
    if (strstr (pages[i], text))
      return i + 1;
  return 0;
}

static void
test_pdf (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChReport) report = make_report (150);
  g_autoptr (ChReportChart) chart = ch_report_chart_new (CH_REPORT_CHART_BARS, CH_REPORT_VALUE_INTEGER,
                                                        "Provider", "Visits");
  g_autoptr (GDateTime) when = g_date_time_new_utc (2026, 3, 31, 18, 5, 0);
  g_autoptr (GArray) fractions = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *path = g_build_filename (tmp_dir, "visits.pdf", NULL);
  g_auto (GStrv) pages = NULL;
  double values[] = { 12, 30, 21 };
  guint n_pages, first, last;

  ch_report_chart_add_category (chart, "Dr. Adams");
  ch_report_chart_add_category (chart, "Dr. Baker");
  ch_report_chart_add_category (chart, "Dr. Chen");
  ch_report_chart_add_series (chart, "Visits", values, 3);
  ch_report_set_chart (report, g_steal_pointer (&chart));

  g_assert_true (ch_report_export_pdf (report, path, when, record_progress, fractions, NULL, &error));
  g_assert_no_error (error);
  pages = pdf_pages (path);
  n_pages = g_strv_length (pages);
  /* CH_TEST_KEEP=1 keeps a copy to look at. */
  if (g_getenv ("CH_TEST_KEEP"))
    {
      g_autofree char *copy = NULL;
      gsize size;

      g_assert_true (g_file_get_contents (path, &copy, &size, NULL));
      g_assert_true (g_file_set_contents ("/tmp/reportsui-report.pdf", copy, size, NULL));
    }
  g_test_message ("%u pages", n_pages);
  g_assert_cmpuint (n_pages, >=, 3);

  /* The head and the chart (its labels are text too) on page 1 only. */
  g_assert_cmpuint (page_of (pages, "Visits by provider"), ==, 1);
  g_assert_nonnull (strstr (pages[0], "1 March – 31 March 2026, all providers"));
  g_assert_nonnull (strstr (pages[0], "Generated 2026-03-31 18:05"));
  g_assert_nonnull (strstr (pages[0], "Dr. Baker"));
  g_assert_nonnull (strstr (pages[0], "Dr. Chen"));

  for (guint i = 0; i < n_pages; i++)
    {
      g_autofree char *footer = g_strdup_printf ("Page %u of %u", i + 1, n_pages);
      g_autofree char *other = g_strdup_printf ("Page %u of", i + 2);

      g_assert_nonnull (strstr (pages[i], footer));
      g_assert_null (strstr (pages[i], other));
      /* The header row repeated on every page with rows. */
      g_assert_nonnull (strstr (pages[i], "Provider"));
      g_assert_nonnull (strstr (pages[i], "Charges"));
    }

  /* Every row once, in order, the pages between them contiguous. */
  first = page_of (pages, "Row 000 ");
  last = page_of (pages, "Row 149 ");
  g_assert_cmpuint (first, ==, 1);
  g_assert_cmpuint (last, ==, n_pages);
  for (guint r = 1, prev = first; r < 150; r++)
    {
      g_autofree char *name = g_strdup_printf ("Row %03u ", r);
      guint page = page_of (pages, name);

      g_assert_cmpuint (page, >=, prev);
      g_assert_cmpuint (page, <=, prev + 1);
      prev = page;
    }
  /* Money and percent as people read them, on the same line as their row. */
  {
    g_auto (GStrv) lines = g_strsplit (pages[n_pages - 1], "\n", -1);
    gboolean found = FALSE;

    for (guint i = 0; lines[i]; i++)
      if (strstr (lines[i], "Row 149 ") && strstr (lines[i], "$183,949.49")
          && strstr (lines[i], "13.5 %") && strstr (lines[i], "1,043"))
        found = TRUE;
    g_assert_true (found);
  }

  g_assert_cmpuint (fractions->len, ==, n_pages + 1);
  for (guint i = 1; i < fractions->len; i++)
    g_assert_cmpfloat (g_array_index (fractions, double, i), >, g_array_index (fractions, double, i - 1));
  g_assert_cmpfloat (g_array_index (fractions, double, fractions->len - 1), ==, 1.0);
}

static void
test_pdf_empty (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChReport) report = make_report (0);
  g_autofree char *path = g_build_filename (tmp_dir, "empty.pdf", NULL);
  g_auto (GStrv) pages = NULL;

  ch_report_set_chart (report, ch_report_chart_new (CH_REPORT_CHART_LINES, CH_REPORT_VALUE_MONEY, NULL, NULL));
  g_assert_true (ch_report_export_pdf (report, path, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  pages = pdf_pages (path);
  g_assert_cmpuint (g_strv_length (pages), ==, 1);
  g_assert_nonnull (strstr (pages[0], "No data to chart for this period."));
  g_assert_nonnull (strstr (pages[0], "No rows for this period."));
  g_assert_nonnull (strstr (pages[0], "Page 1 of 1"));
}

typedef struct
{
  GCancellable *cancellable;
  guint         calls;
  guint         cancel_at;
} CancelAt;

static void
cancel_midway (double   fraction,
               gpointer user_data)
{
  CancelAt *at = user_data;

  if (++at->calls == at->cancel_at)
    g_cancellable_cancel (at->cancellable);
}

static void
test_cancel (void)
{
  g_autoptr (ChReport) report = make_report (2000);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *pdf = g_build_filename (tmp_dir, "cancelled.pdf", NULL);
  g_autofree char *csv = g_build_filename (tmp_dir, "cancelled.csv", NULL);
  g_autofree char *contents = NULL;
  CancelAt at = { cancellable, 0, 2 };

  {
    g_autoptr (GError) error = NULL;

    g_assert_false (ch_report_export_pdf (report, pdf, NULL, cancel_midway, &at, cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    /* It stopped after the second page, not at the end. */
    g_assert_cmpuint (at.calls, ==, 2);
    g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
  }
  {
    g_autoptr (GError) error = NULL;

    g_cancellable_reset (cancellable);
    at.calls = 0;
    g_assert_false (ch_report_export_csv (report, csv, CH_REPORT_CSV_NONE, cancel_midway, &at, cancellable,
                                          &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_cmpuint (at.calls, ==, 2);
    g_assert_false (g_file_test (csv, G_FILE_TEST_EXISTS));
  }
  /* An earlier export at the same path survives a cancelled one whole. */
  {
    g_autoptr (GError) error = NULL;

    g_assert_true (g_file_set_contents (csv, "earlier\r\n", -1, NULL));
    g_cancellable_reset (cancellable);
    at.calls = 0;
    g_assert_false (ch_report_export_csv (report, csv, CH_REPORT_CSV_NONE, cancel_midway, &at, cancellable,
                                          &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_true (g_file_get_contents (csv, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "earlier\r\n");
  }
  /* No temporary files left beside them. */
  {
    g_autoptr (GDir) dir = g_dir_open (tmp_dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)))
      g_assert_false (g_str_has_prefix (name, "cancelled.") && strcmp (name, "cancelled.csv") != 0);
  }
}

static void
test_bad_input (void)
{
  g_autoptr (ChReport) report = make_report (3);
  g_autofree char *missing = g_build_filename (tmp_dir, "no-such-dir", "r.pdf", NULL);
  g_autofree char *missing_csv = g_build_filename (tmp_dir, "no-such-dir", "r.csv", NULL);

  {
    g_autoptr (GError) error = NULL;

    g_assert_false (ch_report_export_pdf (report, missing, NULL, NULL, NULL, NULL, &error));
    g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    g_assert_nonnull (strstr (error->message, missing));
  }
  {
    g_autoptr (GError) error = NULL;

    g_assert_false (ch_report_export_csv (report, missing_csv, CH_REPORT_CSV_NONE, NULL, NULL, NULL, &error));
    g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  }
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));

  /* A cell of the wrong type is a programmer's error: refused, left empty. */
  {
    GVariant *cells[] = { g_variant_new_int64 (1), g_variant_new_int64 (2), g_variant_new_int64 (3),
                          g_variant_new_double (4), g_variant_new_string ("2026-01-01") };

    g_test_expect_message ("ch-report", G_LOG_LEVEL_CRITICAL, "*column 0*");
    ch_report_append_row (report, cells);
    g_test_assert_expected_messages ();
    g_assert_cmpuint (ch_report_get_n_rows (report), ==, 4);
    g_assert_null (ch_report_get_cell (report, 3, 0));
    g_assert_cmpint (g_variant_get_int64 (ch_report_get_cell (report, 3, 2)), ==, 3);
  }
}

/* Pixels of exactly series @s's colour in the column x0..x1 of the plotting
 * area (below the legend's swatches), or of the whole image with no layout. */
static const ChReportChartLayout *plot;

static guint
count_color (cairo_surface_t *surface,
             guint            s,
             double           x0,
             double           x1)
{
  int y_start = plot && plot->bottom > 0 ? (int) floor (plot->top) : 0;
  int stride = cairo_image_surface_get_stride (surface);
  int height = cairo_image_surface_get_height (surface);
  const guint8 *data = cairo_image_surface_get_data (surface);
  double r, g, b;
  guint32 want, count = 0;

  ch_report_chart_series_color (s, &r, &g, &b);
  want = 0xff000000 | (guint32) lround (r * 255) << 16 | (guint32) lround (g * 255) << 8 | (guint32) lround (b * 255);
  cairo_surface_flush (surface);
  if (plot && plot->bottom > 0)
    height = MIN (height, (int) ceil (plot->bottom) + 1);
  for (int y = y_start; y < height; y++)
    for (int x = (int) ceil (x0); x < (int) floor (x1); x++)
      if (((const guint32 *) (data + y * stride))[x] == want)
        count++;
  return count;
}

static cairo_surface_t *
draw_chart (const ChReportChart *chart,
            int                  width,
            int                  height,
            const char          *name,
            ChReportChartLayout *layout)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_t *cr = cairo_create (surface);
  g_autofree char *png = g_strdup_printf ("/tmp/reportsui-chart-%s.png", name);

  ch_report_chart_draw (cr, width, height, chart, layout);
  cairo_destroy (cr);
  plot = layout;
  /* CH_TEST_KEEP=1 keeps them for people to look at: the test asserts
   * numbers, people judge looks. */
  if (g_getenv ("CH_TEST_KEEP"))
    cairo_surface_write_to_png (surface, png);
  return surface;
}

static void
assert_ratio (guint  a,
              guint  b,
              double expected)
{
  g_test_message ("pixels %u / %u, expected ratio %g", a, b, expected);
  g_assert_cmpuint (b, >, 0);
  g_assert_cmpfloat (fabs ((double) a / b - expected), <, 0.06 * expected + 0.02);
}

static void
test_chart_bars (void)
{
  g_autoptr (ChReportChart) chart = ch_report_chart_new (CH_REPORT_CHART_BARS, CH_REPORT_VALUE_MONEY,
                                                        "Month", "Charges");
  double values[] = { 1000000, 4000000, 2000000, 3000000 };  /* cents */
  const char *months[] = { "January", "February", "March", "April" };
  ChReportChartLayout layout;
  cairo_surface_t *surface;
  guint counts[4];

  for (guint i = 0; i < 4; i++)
    ch_report_chart_add_category (chart, months[i]);
  ch_report_chart_add_series (chart, "Charges", values, 4);
  surface = draw_chart (chart, 640, 400, "bars", &layout);

  g_assert_false (layout.labels_rotated);
  g_assert_true (layout.value_labels);
  g_assert_cmpfloat (layout.y_min, ==, 0);
  g_assert_cmpfloat (layout.y_max, >=, 4000000);
  for (guint i = 0; i < 4; i++)
    counts[i] = count_color (surface, 0, ch_report_chart_layout_x (&layout, i) - layout.slot / 2,
                             ch_report_chart_layout_x (&layout, i) + layout.slot / 2);
  assert_ratio (counts[1], counts[0], 4);
  assert_ratio (counts[2], counts[0], 2);
  assert_ratio (counts[3], counts[0], 3);
  cairo_surface_destroy (surface);
}

/* Bars below zero hang from the zero line, sized like the others. */
static void
test_chart_negative (void)
{
  g_autoptr (ChReportChart) chart = ch_report_chart_new (CH_REPORT_CHART_BARS, CH_REPORT_VALUE_MONEY,
                                                        "Month", "Net change");
  double values[] = { 30000, -20000, 10000 };
  ChReportChartLayout layout;
  cairo_surface_t *surface;
  double zero;
  guint above, below;

  ch_report_chart_add_category (chart, "January");
  ch_report_chart_add_category (chart, "February");
  ch_report_chart_add_category (chart, "March");
  ch_report_chart_add_series (chart, "Net change", values, 3);
  surface = draw_chart (chart, 640, 400, "negative", &layout);
  g_assert_cmpfloat (layout.y_min, <=, -20000);
  g_assert_cmpfloat (layout.y_max, >=, 30000);
  zero = ch_report_chart_layout_y (&layout, 0);
  {
    ChReportChartLayout upper = layout, lower = layout;
    double x = ch_report_chart_layout_x (&layout, 1);

    /* February's bar is all below the zero line. */
    upper.bottom = zero - 1;
    lower.top = zero + 2;
    plot = &upper;
    above = count_color (surface, 0, x - layout.slot / 2, x + layout.slot / 2);
    plot = &lower;
    below = count_color (surface, 0, x - layout.slot / 2, x + layout.slot / 2);
    g_assert_cmpuint (above, ==, 0);
    plot = &layout;
  }
  assert_ratio (below, count_color (surface, 0, ch_report_chart_layout_x (&layout, 2) - layout.slot / 2,
                                    ch_report_chart_layout_x (&layout, 2) + layout.slot / 2), 2);
  assert_ratio (count_color (surface, 0, ch_report_chart_layout_x (&layout, 0) - layout.slot / 2,
                             ch_report_chart_layout_x (&layout, 0) + layout.slot / 2), below, 1.5);
  cairo_surface_destroy (surface);
}

static void
test_chart_grouped (void)
{
  g_autoptr (ChReportChart) chart = ch_report_chart_new (CH_REPORT_CHART_GROUPED_BARS, CH_REPORT_VALUE_INTEGER,
                                                        "Provider", "Appointments");
  double kept[] = { 40, 10, 30 };
  double missed[] = { 10, 20, 0 };
  ChReportChartLayout layout;
  cairo_surface_t *surface;

  ch_report_chart_add_category (chart, "Dr. Adams");
  ch_report_chart_add_category (chart, "Dr. Baker");
  ch_report_chart_add_category (chart, "Dr. Chen");
  ch_report_chart_add_series (chart, "Kept", kept, 3);
  ch_report_chart_add_series (chart, "No-show", missed, 3);
  surface = draw_chart (chart, 640, 400, "grouped", &layout);

  for (guint i = 0; i < 3; i++)
    {
      double x = ch_report_chart_layout_x (&layout, i);

      /* Kept on the left half of the group, no-shows on the right. */
      g_assert_cmpuint (count_color (surface, 0, x, x + layout.slot / 2), ==, 0);
      g_assert_cmpuint (count_color (surface, 1, x - layout.slot / 2, x), ==, 0);
    }
  {
    double xa = ch_report_chart_layout_x (&layout, 0), xb = ch_report_chart_layout_x (&layout, 1);
    guint adams_kept = count_color (surface, 0, xa - layout.slot / 2, xa);
    guint adams_missed = count_color (surface, 1, xa, xa + layout.slot / 2);
    guint baker_kept = count_color (surface, 0, xb - layout.slot / 2, xb);
    guint baker_missed = count_color (surface, 1, xb, xb + layout.slot / 2);

    assert_ratio (adams_kept, adams_missed, 4);
    assert_ratio (adams_kept, baker_kept, 4);
    assert_ratio (baker_missed, baker_kept, 2);
  }
  cairo_surface_destroy (surface);
}

static void
test_chart_stacked (void)
{
  g_autoptr (ChReportChart) chart = ch_report_chart_new (CH_REPORT_CHART_STACKED_BARS, CH_REPORT_VALUE_MONEY,
                                                        "Age", "Balance");
  const char *bands[] = { "0–30 days", "31–60 days", "61–90 days", "Over 90 days" };
  double patients[] = { 300000, 100000, 50000, 200000 };
  double payers[] = { 600000, 100000, 150000, 0 };
  double inline_[] = { 100000, 100000, 0, 0 };
  ChReportChartLayout layout;
  cairo_surface_t *surface;
  guint c[3][4];

  for (guint i = 0; i < 4; i++)
    ch_report_chart_add_category (chart, bands[i]);
  ch_report_chart_add_series (chart, "Patients", patients, 4);
  ch_report_chart_add_series (chart, "Payers", payers, 4);
  ch_report_chart_add_series (chart, "Collections", inline_, 4);
  surface = draw_chart (chart, 640, 400, "stacked", &layout);

  for (guint s = 0; s < 3; s++)
    for (guint i = 0; i < 4; i++)
      {
        double x = ch_report_chart_layout_x (&layout, i);

        c[s][i] = count_color (surface, s, x - layout.slot / 2, x + layout.slot / 2);
      }
  /* One column per category: each series' share of the stack. */
  assert_ratio (c[1][0], c[0][0], 2);
  assert_ratio (c[0][0], c[2][0], 3);
  assert_ratio (c[0][3], c[0][2], 4);
  assert_ratio (c[1][2], c[0][2], 3);
  g_assert_cmpuint (c[1][3], ==, 0);
  /* The whole stack: 31–60 (3000) against over 90 (2000). */
  assert_ratio (c[0][1] + c[1][1] + c[2][1], c[0][3], 1.5);
  cairo_surface_destroy (surface);
}

/* The line passes through each value's height at each category's centre. */
static void
test_chart_lines (void)
{
  g_autoptr (ChReportChart) chart = ch_report_chart_new (CH_REPORT_CHART_LINES, CH_REPORT_VALUE_PERCENT,
                                                        "Month", "No-show rate");
  double rates[] = { 5, 12.5, 8, NAN, 20, 15 };
  double other[] = { 2, 3, 4, 5, 6, 7 };
  const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun" };
  ChReportChartLayout layout;
  cairo_surface_t *surface;
  int stride;
  const guint8 *data;

  for (guint i = 0; i < 6; i++)
    ch_report_chart_add_category (chart, months[i]);
  ch_report_chart_add_series (chart, "Clinic A", rates, 6);
  ch_report_chart_add_series (chart, "Clinic B", other, 6);
  surface = draw_chart (chart, 640, 400, "lines", &layout);
  stride = cairo_image_surface_get_stride (surface);
  data = cairo_image_surface_get_data (surface);

  for (guint i = 0; i < 6; i++)
    {
      int x = (int) ch_report_chart_layout_x (&layout, i);
      guint band = count_color (surface, 0, x - 1, x + 2);
      int expect_y = (int) round (ch_report_chart_layout_y (&layout, rates[i]));
      double r, g, b;
      guint32 want;
      gboolean at_height = FALSE;

      if (isnan (rates[i]))
        {
          /* A gap, not a line drawn through a made-up value. */
          g_assert_cmpuint (band, ==, 0);
          continue;
        }
      ch_report_chart_series_color (0, &r, &g, &b);
      want = 0xff000000 | (guint32) lround (r * 255) << 16 | (guint32) lround (g * 255) << 8 | (guint32) lround (b * 255);
      for (int y = expect_y - 2; y <= expect_y + 2; y++)
        if (((const guint32 *) (data + y * stride))[x] == want)
          at_height = TRUE;
      g_assert_true (at_height);
    }
  cairo_surface_destroy (surface);
}

static void
test_chart_crowded (void)
{
  g_autoptr (ChReportChart) chart = ch_report_chart_new (CH_REPORT_CHART_BARS, CH_REPORT_VALUE_INTEGER,
                                                        "Provider", "New patients");
  g_autoptr (GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  ChReportChartLayout layout;
  cairo_surface_t *surface;

  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *name = g_strdup_printf ("Dr. Provider with a long name %u", i);
      double v = (i * 37) % 50 + 1;

      ch_report_chart_add_category (chart, name);
      g_array_append_val (values, v);
    }
  ch_report_chart_add_series (chart, "New patients", (double *) values->data, values->len);
  surface = draw_chart (chart, 480, 320, "crowded", &layout);
  /* Slanted and thinned out so that none touches its neighbour; the
   * values would not fit on such thin bars. */
  g_assert_true (layout.labels_rotated);
  g_assert_cmpuint (layout.label_step, >, 1);
  g_assert_false (layout.value_labels);
  g_assert_cmpfloat (layout.bottom - layout.top, >, 100);
  cairo_surface_destroy (surface);

  /* Screen readers hear the first 40, then how many more. */
  {
    g_autofree char *text = ch_report_chart_describe (chart);

    g_assert_true (g_str_has_prefix (text, "Bar chart of New patients by Provider. "
                                           "Dr. Provider with a long name 0: 1; "));
    g_assert_nonnull (strstr (text, "Dr. Provider with a long name 39: "));
    g_assert_null (strstr (text, "Dr. Provider with a long name 40: "));
    g_assert_true (g_str_has_suffix (text, ". And 20 more categories."));
  }

  /* Four short labels stay straight. */
  {
    g_autoptr (ChReportChart) few = ch_report_chart_new (CH_REPORT_CHART_BARS, CH_REPORT_VALUE_INTEGER, NULL, NULL);
    double v[] = { 1, 2, 3, 4 };

    ch_report_chart_add_category (few, "Q1");
    ch_report_chart_add_category (few, "Q2");
    ch_report_chart_add_category (few, "Q3");
    ch_report_chart_add_category (few, "Q4");
    ch_report_chart_add_series (few, NULL, v, 4);
    surface = draw_chart (few, 480, 320, "few", &layout);
    g_assert_false (layout.labels_rotated);
    g_assert_cmpuint (layout.label_step, ==, 1);
    cairo_surface_destroy (surface);
  }
}

static void
test_chart_empty (void)
{
  g_autoptr (ChReportChart) chart = ch_report_chart_new (CH_REPORT_CHART_BARS, CH_REPORT_VALUE_INTEGER, NULL, NULL);
  double nothing[] = { NAN, NAN };
  ChReportChartLayout layout;
  cairo_surface_t *surface;
  guint dark = 0;
  int stride;
  const guint8 *data;

  ch_report_chart_add_category (chart, "A");
  ch_report_chart_add_category (chart, "B");
  ch_report_chart_add_series (chart, "Visits", nothing, 2);
  g_assert_false (ch_report_chart_has_data (chart));
  surface = draw_chart (chart, 400, 240, "empty", &layout);
  stride = cairo_image_surface_get_stride (surface);
  data = cairo_image_surface_get_data (surface);
  /* A message in the middle, and no bars. */
  for (int y = 100; y < 140; y++)
    for (int x = 0; x < 400; x++)
      if ((((const guint32 *) (data + y * stride))[x] & 0xff) < 0xc0)
        dark++;
  g_assert_cmpuint (dark, >, 50);
  g_assert_cmpuint (count_color (surface, 0, 0, 400), ==, 0);
  cairo_surface_destroy (surface);

  {
    g_autofree char *text = ch_report_chart_describe (chart);

    g_assert_cmpstr (text, ==, "No data to chart.");
  }
}

static void
test_describe (void)
{
  g_autoptr (ChReportChart) chart = ch_report_chart_new (CH_REPORT_CHART_GROUPED_BARS, CH_REPORT_VALUE_MONEY,
                                                        "Payer", "Revenue");
  double a[] = { 123400, NAN };
  double b[] = { 5000, 250 };
  g_autofree char *text = NULL;

  ch_report_chart_add_category (chart, "Medicare");
  ch_report_chart_add_category (chart, "Self-pay");
  ch_report_chart_add_series (chart, "2025", a, 2);
  ch_report_chart_add_series (chart, "2026", b, 2);
  text = ch_report_chart_describe (chart);
  g_assert_cmpstr (text, ==, "Grouped bar chart of Revenue by Payer. Medicare: 2025 $1,234.00, 2026 $50.00; "
                             "Self-pay: 2025 no value, 2026 $2.50.");
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  tmp_dir = ch_test_make_dir ();

  g_test_add_func ("/reports/format", test_format);
  g_test_add_func ("/reports/ticks", test_ticks);
  g_test_add_func ("/reports/csv", test_csv);
  g_test_add_func ("/reports/pdf", test_pdf);
  g_test_add_func ("/reports/pdf-empty", test_pdf_empty);
  g_test_add_func ("/reports/cancel", test_cancel);
  g_test_add_func ("/reports/bad-input", test_bad_input);
  g_test_add_func ("/reports/chart/bars", test_chart_bars);
  g_test_add_func ("/reports/chart/negative", test_chart_negative);
  g_test_add_func ("/reports/chart/grouped", test_chart_grouped);
  g_test_add_func ("/reports/chart/stacked", test_chart_stacked);
  g_test_add_func ("/reports/chart/lines", test_chart_lines);
  g_test_add_func ("/reports/chart/crowded", test_chart_crowded);
  g_test_add_func ("/reports/chart/empty", test_chart_empty);
  g_test_add_func ("/reports/chart/describe", test_describe);

  status = g_test_run ();
  ch_test_remove_dir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
