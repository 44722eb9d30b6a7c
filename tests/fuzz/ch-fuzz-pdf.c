/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <cairo.h>
#include <poppler.h>

#include "ch-fuzz.h"

/* Open, then render, search and read the text of the first pages, as the
 * PDF viewer's worker does (small scales, to keep each run short). */
void
ch_fuzz_pdf (const guint8 *data,
             gsize         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  PopplerDocument *document = poppler_document_new_from_bytes (bytes, NULL, &error);
  int n_pages;

  if (document == NULL)
    return;

  n_pages = poppler_document_get_n_pages (document);
  for (int i = 0; i < MIN (n_pages, 3); i++)
    {
      PopplerPage *page = poppler_document_get_page (document, i);
      double width = 0, height = 0;
      cairo_surface_t *surface;
      cairo_t *cr;
      GList *matches;
      g_autofree char *text = NULL;

      if (page == NULL)
        continue;
      poppler_page_get_size (page, &width, &height);
      if (!(width > 0 && height > 0 && width < 20000 && height < 20000))
        {
          g_object_unref (page);
          continue;
        }

      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) (width / 4) + 1,
                                            (int) (height / 4) + 1);
      cr = cairo_create (surface);
      cairo_scale (cr, 0.25, 0.25);
      poppler_page_render (page, cr);
      cairo_destroy (cr);
      cairo_surface_destroy (surface);

      matches = poppler_page_find_text (page, "e");
      g_list_free_full (matches, (GDestroyNotify) poppler_rectangle_free);
      text = poppler_page_get_text (page);
      g_object_unref (page);
    }
  g_object_unref (document);
}
