/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CH_PDF_VIEW_ERROR (ch_pdf_view_error_quark ())

typedef enum
{
  CH_PDF_VIEW_ERROR_ENCRYPTED,   /* needs a password: not shown */
  CH_PDF_VIEW_ERROR_INVALID,     /* not a PDF Poppler can read */
  CH_PDF_VIEW_ERROR_EMPTY,       /* a PDF without pages */
  CH_PDF_VIEW_ERROR_NO_DOCUMENT, /* nothing loaded to print */
} ChPdfViewError;

GQuark ch_pdf_view_error_quark (void);

#define CH_TYPE_PDF_VIEW (ch_pdf_view_get_type ())

G_DECLARE_FINAL_TYPE (ChPdfView, ch_pdf_view, CH, PDF_VIEW, GtkWidget)

/* A PDF shown as a continuous column of pages, with a toolbar (page, zoom,
 * fit width, thumbnails, find, print), a find bar and a thumbnails sidebar.
 * Opening, rendering and searching run on one worker thread that owns the
 * view's PopplerDocument. The user commands are the actions of the "pdf"
 * group: pdf.zoom-in, pdf.zoom-out, pdf.fit-width, pdf.next-page,
 * pdf.previous-page, pdf.find, pdf.find-next, pdf.find-previous, pdf.print,
 * pdf.thumbnails.
 *
 * A zoom of 1.0 shows a page at its size on paper at 96 pixels an inch. */

GtkWidget    *ch_pdf_view_new                (void);

/* Opens @pdf on the worker; a spinner shows meanwhile, then the pages, or a
 * message saying why they cannot be shown. Emits ChPdfView::loaded. */
void          ch_pdf_view_load               (ChPdfView   *self,
                                              GBytes      *pdf);
/* Returns: (nullable): why the last load failed: a CH_PDF_VIEW_ERROR */
const GError *ch_pdf_view_get_error          (ChPdfView   *self);
gboolean      ch_pdf_view_get_loading        (ChPdfView   *self);

guint         ch_pdf_view_get_n_pages        (ChPdfView   *self);
/* The size of @page in points; FALSE when there is no such page. */
gboolean      ch_pdf_view_get_page_size      (ChPdfView   *self,
                                              guint        page,
                                              double      *out_width,
                                              double      *out_height);
/* Returns: the page at the top of the view, from 0 */
guint         ch_pdf_view_get_current_page   (ChPdfView   *self);
void          ch_pdf_view_set_page           (ChPdfView   *self,
                                              guint        page);

double        ch_pdf_view_get_zoom           (ChPdfView   *self);
/* Turns fit width off. */
void          ch_pdf_view_set_zoom           (ChPdfView   *self,
                                              double       zoom);
gboolean      ch_pdf_view_get_fit_width      (ChPdfView   *self);
void          ch_pdf_view_set_fit_width      (ChPdfView   *self,
                                              gboolean     fit_width);
gboolean      ch_pdf_view_get_show_thumbnails (ChPdfView  *self);
void          ch_pdf_view_set_show_thumbnails (ChPdfView  *self,
                                               gboolean    show_thumbnails);

/* Finds @text (ignoring case) in the whole document, highlights the matches
 * and scrolls to the first. Searching runs on the worker; this waits for it
 * (the find bar does not: it searches as one types). An empty @text clears
 * the matches.
 * Returns: the number of matches; 0 when nothing is loaded */
guint         ch_pdf_view_find               (ChPdfView   *self,
                                              const char  *text);
guint         ch_pdf_view_get_n_matches      (ChPdfView   *self);
/* Returns: the match shown, from 0; -1 when there is none */
int           ch_pdf_view_get_current_match  (ChPdfView   *self);

/* Prints the document through the print dialog, or straight into the PDF
 * file @export_path when given.
 * Returns: FALSE with @error when nothing is loaded or printing failed */
gboolean      ch_pdf_view_print              (ChPdfView   *self,
                                              const char  *export_path,
                                              GError     **error);

/* For the tests: what the view last drew of @page (its render at the zoom
 * and scale factor it then had), or of its thumbnail; (transfer none)
 * (nullable) until rendered or once dropped from the cache. */
cairo_surface_t *ch_pdf_view_get_page_surface_for_testing      (ChPdfView *self,
                                                                guint      page);
cairo_surface_t *ch_pdf_view_get_thumbnail_surface_for_testing (ChPdfView *self,
                                                                guint      page);
/* For the tests: where @page is drawn, in the coordinates of the scrolled
 * content, and the part of it on screen. FALSE when there is no such page. */
gboolean         ch_pdf_view_get_page_area_for_testing         (ChPdfView       *self,
                                                                guint            page,
                                                                graphene_rect_t *out_page,
                                                                graphene_rect_t *out_visible);
/* For the tests: the thumbnails sidebar's list view. (transfer none) */
GtkListView     *ch_pdf_view_get_thumbnails_for_testing        (ChPdfView *self);

G_END_DECLS
