/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <gio/gio.h>
#include <pango/pangocairo.h>

G_BEGIN_DECLS

/* A4 pages drawn with Cairo and Pango into PDF bytes: the print-outs'
 * shared page furniture (text that wraps, rules, headings, a footer naming
 * the patient on every page, page breaks). */

#define CH_PDF_PAGE_WIDTH   595.276
#define CH_PDF_PAGE_HEIGHT  841.890
#define CH_PDF_MARGIN       50.0
#define CH_PDF_BODY_WIDTH   (CH_PDF_PAGE_WIDTH - 2 * CH_PDF_MARGIN)
#define CH_PDF_BODY_BOTTOM  (CH_PDF_PAGE_HEIGHT - CH_PDF_MARGIN - 18.0)
#define CH_PDF_BODY_SIZE    9.5
#define CH_PDF_SMALL_SIZE   8.0

typedef struct
{
  double r, g, b;
} ChPdfRgb;

extern const ChPdfRgb ch_pdf_ink;
extern const ChPdfRgb ch_pdf_muted;
extern const ChPdfRgb ch_pdf_rule;
extern const ChPdfRgb ch_pdf_alert;

typedef struct
{
  cairo_t         *cr;
  PangoLayout     *layout;
  double           y;
  int              page;
  char            *footer;
  /* private */
  cairo_surface_t *surface;
  GByteArray      *bytes;
} ChPdfDoc;

/* Starts a document whose first page is ready to draw on. */
void      ch_pdf_doc_begin     (ChPdfDoc       *doc,
                                const char     *title,
                                const char     *footer);
/* Ends the last page (with its footer when @footer_last) and returns the PDF.
 * Returns: (transfer full) (nullable) */
GBytes   *ch_pdf_doc_finish    (ChPdfDoc       *doc,
                                gboolean        ok,
                                GError        **error);
double    ch_pdf_doc_layout    (ChPdfDoc       *doc,
                                const char     *text,
                                double          size,
                                gboolean        bold,
                                double          width);
double    ch_pdf_doc_draw      (ChPdfDoc       *doc,
                                const char     *text,
                                double          size,
                                gboolean        bold,
                                const ChPdfRgb *color,
                                double          x,
                                double          y,
                                double          width);
void      ch_pdf_doc_rule      (ChPdfDoc       *doc,
                                double          y,
                                const ChPdfRgb *color,
                                double          width);
void      ch_pdf_doc_footer    (ChPdfDoc       *doc);
void      ch_pdf_doc_new_page  (ChPdfDoc       *doc);
void      ch_pdf_doc_ensure    (ChPdfDoc       *doc,
                                double          height);
void      ch_pdf_doc_heading   (ChPdfDoc       *doc,
                                const char     *text);
void      ch_pdf_doc_paragraph (ChPdfDoc       *doc,
                                const char     *text,
                                double          size,
                                const ChPdfRgb *color);

/* Writes @pdf to @path through a temporary file renamed into place (0600).
 * @what names the document in the error: "the summary". */
gboolean  ch_pdf_write_file    (GBytes         *pdf,
                                const char     *path,
                                const char     *what,
                                GError        **error);

G_END_DECLS
