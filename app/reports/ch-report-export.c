/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-report-export"

#include "config.h"

#include <cairo-pdf.h>
#include <glib/gi18n.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "ch-report-chart.h"
#include "ch-report-export.h"

#define PAGE_WIDTH    595.276
#define PAGE_HEIGHT   841.890
#define MARGIN        50.0
#define BODY_WIDTH    (PAGE_WIDTH - 2 * MARGIN)
#define BODY_BOTTOM   (PAGE_HEIGHT - MARGIN - 16.0)
#define CHART_HEIGHT  300.0
#define TABLE_SIZE    8.5
#define CELL_PAD      4.0
#define FONT_FAMILY   "Sans"

/* How often a long CSV looks at its cancellable and reports progress. */
#define CSV_ROWS_PER_CHECK 256
/* How many rows, at most, set the table's column widths. */
#define MEASURE_ROWS 2000

static gboolean
write_atomically (const char  *path,
                  const char  *data,
                  gsize        size,
                  GError     **error)
{
  g_autoptr (GError) local_error = NULL;

  /* A temporary file beside @path renamed over it: never half a report. */
  if (!g_file_set_contents_full (path, data, size,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      /* TRANSLATORS: "Could not save the report as “/tmp/x.pdf”: No space left on device" */
      g_set_error (error, local_error->domain, local_error->code,
                   _("Could not save the report as “%s”: %s"), path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static void
csv_field (GString    *out,
           const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* A cell as a spreadsheet reads it: numbers without symbols or grouping. */
static char *
csv_cell (ChReport *report,
          guint     row,
          guint     column)
{
  GVariant *cell = ch_report_get_cell (report, row, column);
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (cell == NULL)
    return g_strdup ("");
  switch (ch_report_get_column_kind (report, column))
    {
    case CH_REPORT_COLUMN_INTEGER:
      return g_strdup_printf ("%" G_GINT64_FORMAT, g_variant_get_int64 (cell));
    case CH_REPORT_COLUMN_MONEY:
      return ch_report_format_cents_plain (g_variant_get_int64 (cell));
    case CH_REPORT_COLUMN_PERCENT:
      return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.10g", g_variant_get_double (cell)));
    case CH_REPORT_COLUMN_TEXT:
    case CH_REPORT_COLUMN_DATE:
    default:
      return g_variant_dup_string (cell, NULL);
    }
}

gboolean
ch_report_export_csv (ChReport              *report,
                      const char            *path,
                      ChReportCsvFlags       flags,
                      ChReportProgressFunc   progress,
                      gpointer               user_data,
                      GCancellable          *cancellable,
                      GError               **error)
{
  g_autoptr (GString) out = g_string_new (NULL);
  guint n_columns, n_rows;

  g_return_val_if_fail (CH_IS_REPORT (report), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  n_columns = ch_report_get_n_columns (report);
  n_rows = ch_report_get_n_rows (report);

  if (flags & CH_REPORT_CSV_BOM)
    g_string_append (out, "\xEF\xBB\xBF");
  for (guint c = 0; c < n_columns; c++)
    {
      if (c > 0)
        g_string_append_c (out, ',');
      csv_field (out, ch_report_get_column_name (report, c));
    }
  g_string_append (out, "\r\n");

  for (guint r = 0; r < n_rows; r++)
    {
      if (r % CSV_ROWS_PER_CHECK == 0)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          if (progress)
            progress ((double) r / n_rows, user_data);
        }
      for (guint c = 0; c < n_columns; c++)
        {
          g_autofree char *text = csv_cell (report, r, c);

          if (c > 0)
            g_string_append_c (out, ',');
          csv_field (out, text);
        }
      g_string_append (out, "\r\n");
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (!write_atomically (path, out->str, out->len, error))
    return FALSE;
  if (progress)
    progress (1.0, user_data);
  return TRUE;
}

typedef struct
{
  ChReport    *report;
  cairo_t     *cr;
  PangoLayout *text;
  double      *widths;     /* each column's, points */
  double       row_h;
  char        *footer;
} Pdf;

static double
pdf_text (Pdf        *pdf,
          const char *text,
          double      size,
          gboolean    bold,
          double      width,
          PangoAlignment align)
{
  PangoFontDescription *font = pango_font_description_from_string (FONT_FAMILY);
  int h;

  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (pdf->text, font);
  pango_font_description_free (font);
  pango_layout_set_width (pdf->text, width > 0 ? (int) (width * PANGO_SCALE) : -1);
  pango_layout_set_alignment (pdf->text, align);
  pango_layout_set_text (pdf->text, text, -1);
  pango_layout_get_size (pdf->text, NULL, &h);
  return (double) h / PANGO_SCALE;
}

static double
pdf_draw (Pdf           *pdf,
          const char    *text,
          double         size,
          gboolean       bold,
          double         gray,
          double         x,
          double         y,
          double         width,
          PangoAlignment align)
{
  double h = pdf_text (pdf, text, size, bold, width, align);

  cairo_set_source_rgb (pdf->cr, gray, gray, gray);
  cairo_move_to (pdf->cr, x, y);
  pango_cairo_show_layout (pdf->cr, pdf->text);
  return h;
}

static double
natural_width (Pdf        *pdf,
               const char *text,
               gboolean    bold)
{
  int w;

  pdf_text (pdf, text, TABLE_SIZE, bold, -1, PANGO_ALIGN_LEFT);
  pango_layout_get_size (pdf->text, &w, NULL);
  return (double) w / PANGO_SCALE;
}

static gboolean
is_numeric (ChReportColumnKind kind)
{
  return kind == CH_REPORT_COLUMN_INTEGER || kind == CH_REPORT_COLUMN_MONEY
         || kind == CH_REPORT_COLUMN_PERCENT;
}

/* Columns as wide as their widest cell; when the table is too wide for the
 * page the text columns give way first (their cells end in "…"), and
 * numbers, which must never be cut, only if that is not enough. */
static void
measure_columns (Pdf *pdf)
{
  guint n_columns = ch_report_get_n_columns (pdf->report);
  guint n_rows = ch_report_get_n_rows (pdf->report);
  double total = 0, text_total = 0;
  /* Measuring every cell of a long report costs more than drawing it; a
   * spread of rows finds the widths, and a rare wider cell ends in "…". */
  guint sample_step = MAX (1, n_rows / MEASURE_ROWS);

  for (guint c = 0; c < n_columns; c++)
    {
      double w = natural_width (pdf, ch_report_get_column_name (pdf->report, c), TRUE);

      for (guint r = 0; r < n_rows; r += sample_step)
        {
          g_autofree char *text = ch_report_format_cell (pdf->report, r, c);

          w = MAX (w, natural_width (pdf, text, FALSE));
        }
      pdf->widths[c] = w + 2 * CELL_PAD;
      total += pdf->widths[c];
      if (!is_numeric (ch_report_get_column_kind (pdf->report, c)))
        text_total += pdf->widths[c];
    }

  if (total > BODY_WIDTH && text_total > 0 && total - text_total < BODY_WIDTH * 0.7)
    {
      double scale = (BODY_WIDTH - (total - text_total)) / text_total;

      for (guint c = 0; c < n_columns; c++)
        if (!is_numeric (ch_report_get_column_kind (pdf->report, c)))
          pdf->widths[c] *= scale;
      total = BODY_WIDTH;
    }
  /* Too wide still, or narrower than the page: the table spans the page. */
  if (total > 0)
    for (guint c = 0; c < n_columns; c++)
      pdf->widths[c] *= BODY_WIDTH / total;
}

static void
draw_row (Pdf      *pdf,
          double    y,
          int       row,   /* -1 for the header */
          gboolean  shaded)
{
  guint n_columns = ch_report_get_n_columns (pdf->report);
  double x = MARGIN;

  if (row < 0 || shaded)
    {
      double gray = row < 0 ? 0.88 : 0.96;

      cairo_set_source_rgb (pdf->cr, gray, gray, gray);
      cairo_rectangle (pdf->cr, MARGIN, y, BODY_WIDTH, pdf->row_h);
      cairo_fill (pdf->cr);
    }
  for (guint c = 0; c < n_columns; c++)
    {
      g_autofree char *text = row < 0 ? g_strdup (ch_report_get_column_name (pdf->report, c))
                                      : ch_report_format_cell (pdf->report, row, c);
      PangoAlignment align = is_numeric (ch_report_get_column_kind (pdf->report, c))
                             ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT;

      pango_layout_set_ellipsize (pdf->text, PANGO_ELLIPSIZE_END);
      pdf_draw (pdf, text, TABLE_SIZE, row < 0, 0.1, x + CELL_PAD, y + 2,
                pdf->widths[c] - 2 * CELL_PAD, align);
      pango_layout_set_ellipsize (pdf->text, PANGO_ELLIPSIZE_NONE);
      x += pdf->widths[c];
    }
}

static void
draw_footer (Pdf  *pdf,
             guint page,
             guint n_pages)
{
  /* TRANSLATORS: the footer of a report's pages: "Page 2 of 5" */
  g_autofree char *text = g_strdup_printf (_("Page %u of %u"), page, n_pages);
  double y = PAGE_HEIGHT - MARGIN - 4;

  cairo_set_source_rgb (pdf->cr, 0.75, 0.75, 0.75);
  cairo_set_line_width (pdf->cr, 0.5);
  cairo_move_to (pdf->cr, MARGIN, y - 4);
  cairo_line_to (pdf->cr, PAGE_WIDTH - MARGIN, y - 4);
  cairo_stroke (pdf->cr);
  pango_layout_set_ellipsize (pdf->text, PANGO_ELLIPSIZE_END);
  pdf_draw (pdf, pdf->footer, 8, FALSE, 0.4, MARGIN, y, BODY_WIDTH * 0.7, PANGO_ALIGN_LEFT);
  pango_layout_set_ellipsize (pdf->text, PANGO_ELLIPSIZE_NONE);
  pdf_draw (pdf, text, 8, FALSE, 0.4, MARGIN, y, BODY_WIDTH, PANGO_ALIGN_RIGHT);
}

static cairo_status_t
append_bytes (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

gboolean
ch_report_export_pdf (ChReport              *report,
                      const char            *path,
                      GDateTime             *generated,
                      ChReportProgressFunc   progress,
                      gpointer               user_data,
                      GCancellable          *cancellable,
                      GError               **error)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  g_autoptr (GDateTime) now = NULL;
  g_autofree char *when = NULL;
  g_autofree char *generated_text = NULL;
  const ChReportChart *chart;
  cairo_surface_t *surface;
  cairo_status_t status;
  Pdf pdf = { report };
  guint n_rows, first_rows, page_rows, n_pages, row = 0;
  double y, table_top;
  gboolean cancelled = FALSE;

  g_return_val_if_fail (CH_IS_REPORT (report), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (generated == NULL)
    generated = now = g_date_time_new_now_local ();
  when = g_date_time_format (generated, "%Y-%m-%d %H:%M");
  /* TRANSLATORS: under a report's title; %s is a date and time, "2026-03-01 14:05" */
  generated_text = g_strdup_printf (_("Generated %s"), when);

  surface = cairo_pdf_surface_create_for_stream (append_bytes, bytes, PAGE_WIDTH, PAGE_HEIGHT);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, ch_report_get_title (report));
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Charta");
  pdf.cr = cairo_create (surface);
  pdf.text = pango_cairo_create_layout (pdf.cr);
  pdf.widths = g_new0 (double, MAX (ch_report_get_n_columns (report), 1));
  pdf.footer = g_strdup_printf ("%s — %s", ch_report_get_title (report), when);
  pdf.row_h = pdf_text (&pdf, "Mg", TABLE_SIZE, FALSE, -1, PANGO_ALIGN_LEFT) + 4;

  /* The first page's head: title, subtitle, when, the chart. */
  y = MARGIN;
  y += pdf_draw (&pdf, ch_report_get_title (report), 16, TRUE, 0.1, MARGIN, y, BODY_WIDTH,
                 PANGO_ALIGN_LEFT) + 2;
  if (*ch_report_get_subtitle (report) != '\0')
    y += pdf_draw (&pdf, ch_report_get_subtitle (report), 10, FALSE, 0.3, MARGIN, y, BODY_WIDTH,
                   PANGO_ALIGN_LEFT) + 1;
  y += pdf_draw (&pdf, generated_text, 8, FALSE, 0.4, MARGIN, y, BODY_WIDTH, PANGO_ALIGN_LEFT) + 12;

  chart = ch_report_get_chart (report);
  if (chart != NULL && chart->kind != CH_REPORT_CHART_NONE)
    {
      cairo_save (pdf.cr);
      cairo_translate (pdf.cr, MARGIN, y);
      ch_report_chart_draw (pdf.cr, BODY_WIDTH, CHART_HEIGHT, chart, NULL);
      cairo_restore (pdf.cr);
      y += CHART_HEIGHT + 16;
    }
  table_top = y;

  /* Every row is one line high, so the pages can be counted before any is
   * drawn, and "of N" is known on page 1. */
  measure_columns (&pdf);
  n_rows = ch_report_get_n_rows (report);
  first_rows = (guint) MAX (0, floor ((BODY_BOTTOM - table_top) / pdf.row_h) - 1);
  page_rows = (guint) floor ((BODY_BOTTOM - MARGIN) / pdf.row_h) - 1;
  n_pages = 1;
  if (n_rows > first_rows)
    n_pages += (n_rows - first_rows + page_rows - 1) / page_rows;

  for (guint page = 1; page <= n_pages; page++)
    {
      guint rows = page == 1 ? first_rows : page_rows;

      if (g_cancellable_is_cancelled (cancellable))
        {
          cancelled = TRUE;
          break;
        }
      if (page > 1)
        y = MARGIN;
      else
        y = table_top;

      if (n_rows == 0 && page == 1)
        pdf_draw (&pdf, _("No rows for this period."), 10, FALSE, 0.4, MARGIN, y, BODY_WIDTH,
                  PANGO_ALIGN_LEFT);
      else if (rows > 0 && row < n_rows)
        {
          draw_row (&pdf, y, -1, FALSE);
          y += pdf.row_h;
          for (guint i = 0; i < rows && row < n_rows; i++, row++)
            {
              draw_row (&pdf, y, row, row % 2 == 1);
              y += pdf.row_h;
            }
        }
      draw_footer (&pdf, page, n_pages);
      cairo_show_page (pdf.cr);
      if (progress)
        progress ((double) page / n_pages * 0.95, user_data);
    }

  g_object_unref (pdf.text);
  cairo_destroy (pdf.cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  g_free (pdf.widths);
  g_free (pdf.footer);

  if (cancelled)
    return !g_cancellable_set_error_if_cancelled (cancellable, error);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not draw the report: %s"),
                   cairo_status_to_string (status));
      return FALSE;
    }
  if (!write_atomically (path, (const char *) bytes->data, bytes->len, error))
    return FALSE;
  if (progress)
    progress (1.0, user_data);
  return TRUE;
}
