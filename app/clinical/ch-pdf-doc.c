/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-pdf-doc"

#include "config.h"

#include <cairo-pdf.h>
#include <string.h>
#include <glib/gi18n.h>

#include "ch-pdf-doc.h"

#define FONT_FAMILY "Sans"

const ChPdfRgb ch_pdf_ink = { 0.10, 0.10, 0.10 };
const ChPdfRgb ch_pdf_muted = { 0.40, 0.40, 0.40 };
const ChPdfRgb ch_pdf_rule = { 0.75, 0.75, 0.75 };
const ChPdfRgb ch_pdf_alert = { 0.72, 0.07, 0.07 };

/* Lays @text out in @width (wrapping at words) and returns its height. */
double
ch_pdf_doc_layout (ChPdfDoc        *doc,
            const char *text,
            double      size,
            gboolean    bold,
            double      width)
{
  PangoFontDescription *font = pango_font_description_from_string (FONT_FAMILY);
  int h;

  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (doc->layout, font);
  pango_font_description_free (font);
  pango_layout_set_wrap (doc->layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_width (doc->layout, width > 0 ? (int) (width * PANGO_SCALE) : -1);
  pango_layout_set_alignment (doc->layout, PANGO_ALIGN_LEFT);
  pango_layout_set_text (doc->layout, text ? text : "", -1);
  pango_layout_get_size (doc->layout, NULL, &h);
  return (double) h / PANGO_SCALE;
}

double
ch_pdf_doc_draw (ChPdfDoc        *doc,
          const char *text,
          double      size,
          gboolean    bold,
          const ChPdfRgb  *color,
          double      x,
          double      y,
          double      width)
{
  double h = ch_pdf_doc_layout (doc, text, size, bold, width);

  cairo_set_source_rgb (doc->cr, color->r, color->g, color->b);
  cairo_move_to (doc->cr, x, y);
  pango_cairo_show_layout (doc->cr, doc->layout);
  return h;
}

void
ch_pdf_doc_rule (ChPdfDoc       *doc,
          double     y,
          const ChPdfRgb *color,
          double     width)
{
  cairo_save (doc->cr);
  cairo_set_source_rgb (doc->cr, color->r, color->g, color->b);
  cairo_set_line_width (doc->cr, width);
  cairo_move_to (doc->cr, CH_PDF_MARGIN, y);
  cairo_line_to (doc->cr, CH_PDF_PAGE_WIDTH - CH_PDF_MARGIN, y);
  cairo_stroke (doc->cr);
  cairo_restore (doc->cr);
}

/* Every page names the patient, so loose pages find their way back. */
void
ch_pdf_doc_footer (ChPdfDoc *doc)
{
  g_autofree char *page = g_strdup_printf (_("Page %d"), doc->page);
  double w;

  ch_pdf_doc_rule (doc, CH_PDF_PAGE_HEIGHT - CH_PDF_MARGIN - 8, &ch_pdf_rule, 0.5);
  ch_pdf_doc_draw (doc, doc->footer, CH_PDF_SMALL_SIZE, FALSE, &ch_pdf_muted, CH_PDF_MARGIN, CH_PDF_PAGE_HEIGHT - CH_PDF_MARGIN - 4,
            CH_PDF_BODY_WIDTH - 60);
  int pw;

  ch_pdf_doc_layout (doc, page, CH_PDF_SMALL_SIZE, FALSE, -1);
  pango_layout_get_size (doc->layout, &pw, NULL);
  w = (double) pw / PANGO_SCALE;
  ch_pdf_doc_draw (doc, page, CH_PDF_SMALL_SIZE, FALSE, &ch_pdf_muted, CH_PDF_PAGE_WIDTH - CH_PDF_MARGIN - w,
            CH_PDF_PAGE_HEIGHT - CH_PDF_MARGIN - 4, -1);
}

void
ch_pdf_doc_new_page (ChPdfDoc *doc)
{
  ch_pdf_doc_footer (doc);
  cairo_show_page (doc->cr);
  doc->page++;
  doc->y = CH_PDF_MARGIN;
}

/* Starts a new page unless @height still fits on this one. */
void
ch_pdf_doc_ensure (ChPdfDoc   *doc,
            double height)
{
  if (doc->y + height > CH_PDF_BODY_BOTTOM && doc->y > CH_PDF_MARGIN)
    ch_pdf_doc_new_page (doc);
}

void
ch_pdf_doc_heading (ChPdfDoc        *doc,
             const char *text)
{
  double h = ch_pdf_doc_layout (doc, text, 12.5, TRUE, CH_PDF_BODY_WIDTH);

  /* Keep a heading with at least its first lines. */
  ch_pdf_doc_ensure (doc, 14 + h + 4 + 40);
  doc->y += 14;
  ch_pdf_doc_draw (doc, text, 12.5, TRUE, &ch_pdf_ink, CH_PDF_MARGIN, doc->y, CH_PDF_BODY_WIDTH);
  doc->y += h + 2;
  ch_pdf_doc_rule (doc, doc->y, &ch_pdf_rule, 0.75);
  doc->y += 5;
}

void
ch_pdf_doc_paragraph (ChPdfDoc        *doc,
               const char *text,
               double      size,
               const ChPdfRgb  *color)
{
  double h = ch_pdf_doc_layout (doc, text, size, FALSE, CH_PDF_BODY_WIDTH);

  ch_pdf_doc_ensure (doc, h);
  ch_pdf_doc_draw (doc, text, size, FALSE, color, CH_PDF_MARGIN, doc->y, CH_PDF_BODY_WIDTH);
  doc->y += h + 3;
}

static cairo_status_t
append_bytes (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

void
ch_pdf_doc_begin (ChPdfDoc   *doc,
                  const char *title,
                  const char *footer)
{
  memset (doc, 0, sizeof *doc);
  doc->bytes = g_byte_array_new ();
  doc->surface = cairo_pdf_surface_create_for_stream (append_bytes, doc->bytes,
                                                      CH_PDF_PAGE_WIDTH, CH_PDF_PAGE_HEIGHT);
  cairo_pdf_surface_set_metadata (doc->surface, CAIRO_PDF_METADATA_TITLE, title);
  cairo_pdf_surface_set_metadata (doc->surface, CAIRO_PDF_METADATA_CREATOR, "Charta");
  doc->cr = cairo_create (doc->surface);
  doc->layout = pango_cairo_create_layout (doc->cr);
  doc->page = 1;
  doc->y = CH_PDF_MARGIN;
  doc->footer = g_strdup (footer ? footer : "");
}

GBytes *
ch_pdf_doc_finish (ChPdfDoc  *doc,
                   gboolean   ok,
                   GError   **error)
{
  g_autoptr (GByteArray) bytes = g_steal_pointer (&doc->bytes);
  cairo_status_t status;

  g_clear_object (&doc->layout);
  g_clear_pointer (&doc->footer, g_free);
  g_clear_pointer (&doc->cr, cairo_destroy);
  cairo_surface_finish (doc->surface);
  status = cairo_surface_status (doc->surface);
  g_clear_pointer (&doc->surface, cairo_surface_destroy);

  if (!ok)
    return NULL;
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not draw the document: %s"),
                   cairo_status_to_string (status));
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

gboolean
ch_pdf_write_file (GBytes      *pdf,
                   const char  *path,
                   const char  *what,
                   GError     **error)
{
  g_autoptr (GError) local_error = NULL;
  gsize size = 0;
  const char *data = g_bytes_get_data (pdf, &size);

  /* A temporary file beside @path renamed over it: never half a document. */
  if (!g_file_set_contents_full (path, data, size,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      /* TRANSLATORS: "Could not save the summary as “/tmp/x.pdf”: No space left on device" */
      g_set_error (error, local_error->domain, local_error->code,
                   _("Could not save %s as “%s”: %s"), what, path, local_error->message);
      return FALSE;
    }
  return TRUE;
}
