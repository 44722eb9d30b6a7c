/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-pdf-view"

#include "config.h"

#include <cairo-pdf.h>
#include <glib/gstdio.h>
#include <poppler.h>
#include <string.h>

#include "ch-pdf-view.h"
#include "ch-ui.h"
#include "ch-ui-test-util.h"

/* The document viewer's PDF view in a window, over PDFs made here with
 * known words on known pages: the pages counted and drawn (text where it
 * was written, rendered on the worker only for the pages on screen), zoom
 * and fit width through the actions and shortcuts, pages through the
 * actions and the page entry, find (the count, the pages it goes to, the
 * find bar), the thumbnails, printing into a file read back by Poppler, and
 * the messages for a broken and an encrypted file. Disposing the view while
 * it renders must neither crash nor leak it. */

#define A4_WIDTH   595.0
#define A4_HEIGHT  842.0
#define PX_PER_PT  (96.0 / 72.0)
#define WORD       "stethoscope"

typedef struct
{
  GtkWindow *window;
  ChPdfView *view;
  int        loaded;   /* -1 not yet, else the signal's success */
  guint      n_loaded;
} Fixture;

static cairo_status_t
append_bytes (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* A4 pages, each headed "Page N" in large type at (72, 100) pt, with some
 * lines of text; WORD is on pages 2 and 4 (from 1), twice on neither. */
static GBytes *
make_pdf (guint n_pages)
{
  GByteArray *data = g_byte_array_new ();
  cairo_surface_t *surface = cairo_pdf_surface_create_for_stream (append_bytes, data, A4_WIDTH,
                                                                   A4_HEIGHT);
  cairo_t *cr = cairo_create (surface);

  for (guint page = 1; page <= n_pages; page++)
    {
      g_autofree char *heading = g_strdup_printf ("Page %u", page);

      cairo_set_source_rgb (cr, 0, 0, 0);
      cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
      cairo_set_font_size (cr, 36);
      cairo_move_to (cr, 72, 100);
      cairo_show_text (cr, heading);

      cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
      cairo_set_font_size (cr, 12);
      for (int line = 0; line < 20; line++)
        {
          cairo_move_to (cr, 72, 160 + line * 18);
          cairo_show_text (cr, "Blood pressure and pulse were taken at the visit.");
        }
      if (page == 2 || page == 4)
        {
          cairo_move_to (cr, 72, page == 2 ? 600 : 240);
          cairo_show_text (cr, "The " WORD " was cold.");
        }
      cairo_show_page (cr);
    }
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);

  return g_byte_array_free_to_bytes (data);
}

static void
on_loaded (ChPdfView *view,
           gboolean   success,
           Fixture   *f)
{
  f->loaded = success;
  f->n_loaded++;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 900, 700);
  f->view = CH_PDF_VIEW (ch_pdf_view_new ());
  f->loaded = -1;
  g_signal_connect (f->view, "loaded", G_CALLBACK (on_loaded), f);
  gtk_window_set_child (f->window, GTK_WIDGET (f->view));
  gtk_window_present (f->window);
  CH_UI_TEST_WAIT (gtk_widget_get_mapped (GTK_WIDGET (f->view)));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_object_ref (f->view);
  gtk_window_destroy (f->window);
  ch_ui_test_spin (50);
  g_assert_finalize_object (f->view);
}

static void
load (Fixture *f,
      GBytes  *pdf)
{
  f->loaded = -1;
  ch_pdf_view_load (f->view, pdf);
  g_assert_true (ch_pdf_view_get_loading (f->view));
  CH_UI_TEST_WAIT (f->loaded != -1);
  g_assert_false (ch_pdf_view_get_loading (f->view));
}

static void
load_pages (Fixture *f,
            guint    n_pages)
{
  g_autoptr (GBytes) pdf = make_pdf (n_pages);

  load (f, pdf);
  g_assert_cmpint (f->loaded, ==, TRUE);
  g_assert_no_error (ch_pdf_view_get_error (f->view));
}

static double
page_scale (ChPdfView *view)
{
  return ch_pdf_view_get_zoom (view) * PX_PER_PT * gtk_widget_get_scale_factor (GTK_WIDGET (view));
}

/* Whether @page is drawn at the view's current zoom. */
static gboolean
rendered_at_zoom (ChPdfView *view,
                  guint      page)
{
  cairo_surface_t *surface = ch_pdf_view_get_page_surface_for_testing (view, page);

  return surface != NULL
         && ABS (cairo_image_surface_get_width (surface) - A4_WIDTH * page_scale (view)) <= 1.5;
}

/* The darkest pixel of the part (in points) of @surface, a page of A4. */
static guint
darkest (cairo_surface_t *surface,
         double           x1,
         double           y1,
         double           x2,
         double           y2)
{
  double scale = cairo_image_surface_get_width (surface) / A4_WIDTH;
  const guchar *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  guint darkest = 255;

  g_assert_cmpint (cairo_image_surface_get_format (surface), ==, CAIRO_FORMAT_ARGB32);
  for (int y = (int) (y1 * scale); y < (int) (y2 * scale); y++)
    for (int x = (int) (x1 * scale); x < (int) (x2 * scale); x++)
      {
        guint32 pixel = *(const guint32 *) (data + y * stride + x * 4);
        guint value = MAX (MAX ((pixel >> 16) & 0xff, (pixel >> 8) & 0xff), pixel & 0xff);

        darkest = MIN (darkest, value);
      }
  return darkest;
}

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
activate (Fixture    *f,
          const char *action)
{
  return gtk_widget_activate_action (GTK_WIDGET (f->view), action, NULL);
}

static void
test_load_and_render (Fixture       *f,
                      gconstpointer  data)
{
  cairo_surface_t *surface;
  double width, height;

  load_pages (f, 6);
  g_assert_cmpuint (f->n_loaded, ==, 1);
  g_assert_cmpuint (ch_pdf_view_get_n_pages (f->view), ==, 6);
  g_assert_true (ch_pdf_view_get_page_size (f->view, 5, &width, &height));
  g_assert_cmpfloat_with_epsilon (width, A4_WIDTH, 0.5);
  g_assert_cmpfloat_with_epsilon (height, A4_HEIGHT, 0.5);
  g_assert_false (ch_pdf_view_get_page_size (f->view, 6, NULL, NULL));
  g_assert_cmpuint (ch_pdf_view_get_current_page (f->view), ==, 0);
  g_assert_cmpfloat (ch_pdf_view_get_zoom (f->view), ==, 1.0);

  CH_UI_TEST_WAIT (rendered_at_zoom (f->view, 0));
  surface = ch_pdf_view_get_page_surface_for_testing (f->view, 0);
  /* "Page 1" is black where it was written; the bottom right is blank. */
  g_assert_cmpuint (darkest (surface, 72, 70, 200, 102), <, 60);
  g_assert_cmpuint (darkest (surface, 380, 700, 560, 820), ==, 255);
  /* The next page is rendered ahead; the last, far below, is not. */
  CH_UI_TEST_WAIT (rendered_at_zoom (f->view, 1));
  ch_ui_test_spin (100);
  g_assert_null (ch_pdf_view_get_page_surface_for_testing (f->view, 5));

  /* Going to the last page renders it. */
  ch_pdf_view_set_page (f->view, 5);
  CH_UI_TEST_WAIT (rendered_at_zoom (f->view, 5));
  g_assert_cmpuint (darkest (ch_pdf_view_get_page_surface_for_testing (f->view, 5), 72, 70, 200,
                             102), <, 60);
}

static void
test_zoom (Fixture       *f,
           gconstpointer  data)
{
  double zoom;

  load_pages (f, 4);
  CH_UI_TEST_WAIT (rendered_at_zoom (f->view, 0));

  g_assert_true (activate (f, "pdf.zoom-in"));
  zoom = ch_pdf_view_get_zoom (f->view);
  g_assert_cmpfloat (zoom, >, 1.0);
  CH_UI_TEST_WAIT (rendered_at_zoom (f->view, 0));

  g_assert_true (activate (f, "pdf.zoom-out"));
  g_assert_true (activate (f, "pdf.zoom-out"));
  g_assert_cmpfloat (ch_pdf_view_get_zoom (f->view), <, 1.0);
  CH_UI_TEST_WAIT (rendered_at_zoom (f->view, 0));
  g_assert_cmpuint (darkest (ch_pdf_view_get_page_surface_for_testing (f->view, 0), 72, 70, 200,
                             102), <, 60);

  /* The keyboard takes the same path. */
  zoom = ch_pdf_view_get_zoom (f->view);
  g_assert_true (ch_ui_test_press_key (f->view, GDK_KEY_equal, GDK_CONTROL_MASK));
  g_assert_cmpfloat (ch_pdf_view_get_zoom (f->view), >, zoom);
  g_assert_true (ch_ui_test_press_key (f->view, GDK_KEY_minus, GDK_CONTROL_MASK));
  g_assert_cmpfloat_with_epsilon (ch_pdf_view_get_zoom (f->view), zoom, 1e-9);

  /* Zooming keeps the page shown. */
  ch_pdf_view_set_page (f->view, 2);
  ch_ui_test_spin (50);
  g_assert_cmpuint (ch_pdf_view_get_current_page (f->view), ==, 2);
  g_assert_true (activate (f, "pdf.zoom-in"));
  g_assert_true (activate (f, "pdf.zoom-in"));
  ch_ui_test_spin (100);
  g_assert_cmpuint (ch_pdf_view_get_current_page (f->view), ==, 2);
  CH_UI_TEST_WAIT (rendered_at_zoom (f->view, 2));
}

static void
assert_fits (Fixture *f)
{
  graphene_rect_t page, visible;

  g_assert_true (ch_pdf_view_get_page_area_for_testing (f->view, 0, &page, &visible));
  g_assert_cmpfloat (visible.size.width, >, 100);
  /* The page spans the view, less a margin of a dozen pixels each side. */
  g_assert_cmpfloat (page.size.width, <=, visible.size.width);
  g_assert_cmpfloat (page.size.width, >=, visible.size.width - 30);
  g_assert_cmpfloat (ABS (page.origin.x + page.size.width / 2 - visible.size.width / 2), <=, 1);
}

static void
test_fit_width (Fixture       *f,
                gconstpointer  data)
{
  load_pages (f, 3);
  ch_ui_test_spin (50);
  g_assert_false (ch_pdf_view_get_fit_width (f->view));

  g_assert_true (activate (f, "pdf.fit-width"));
  g_assert_true (ch_pdf_view_get_fit_width (f->view));
  ch_ui_test_spin (100);
  assert_fits (f);
  CH_UI_TEST_WAIT (rendered_at_zoom (f->view, 0));

  /* It follows the view's width. */
  gtk_window_set_default_size (f->window, 700, 600);
  ch_ui_test_spin (200);
  assert_fits (f);
  CH_UI_TEST_WAIT (rendered_at_zoom (f->view, 0));

  /* Zooming ends it; Ctrl+0 brings it back. */
  g_assert_true (activate (f, "pdf.zoom-in"));
  g_assert_false (ch_pdf_view_get_fit_width (f->view));
  g_assert_true (ch_ui_test_press_key (f->view, GDK_KEY_0, GDK_CONTROL_MASK));
  g_assert_true (ch_pdf_view_get_fit_width (f->view));
  ch_ui_test_spin (100);
  assert_fits (f);
}

static void
test_pages (Fixture       *f,
            gconstpointer  data)
{
  GtkWidget *entry, *pages;
  graphene_rect_t page, visible;

  load_pages (f, 6);
  ch_ui_test_spin (50);

  ch_pdf_view_set_page (f->view, 3);
  ch_ui_test_spin (50);
  g_assert_cmpuint (ch_pdf_view_get_current_page (f->view), ==, 3);
  g_assert_true (activate (f, "pdf.next-page"));
  g_assert_cmpuint (ch_pdf_view_get_current_page (f->view), ==, 4);
  g_assert_true (activate (f, "pdf.previous-page"));
  g_assert_true (activate (f, "pdf.previous-page"));
  g_assert_cmpuint (ch_pdf_view_get_current_page (f->view), ==, 2);
  CH_UI_TEST_WAIT (rendered_at_zoom (f->view, 2));

  /* The page entry shows it and goes where one types. */
  entry = find_descendant (GTK_WIDGET (f->view), GTK_TYPE_ENTRY);
  g_assert_nonnull (entry);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "3");
  gtk_editable_set_text (GTK_EDITABLE (entry), "6");
  g_signal_emit_by_name (entry, "activate");
  ch_ui_test_spin (50);
  g_assert_cmpuint (ch_pdf_view_get_current_page (f->view), ==, 5);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "6");
  /* Past the end it stays. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "60");
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpuint (ch_pdf_view_get_current_page (f->view), ==, 5);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "6");

  /* Ctrl+Page Down and Up go by pages; Page Down alone scrolls the pages
   * (focused) by a screenful, and the current page follows. */
  ch_pdf_view_set_page (f->view, 0);
  ch_ui_test_spin (50);
  g_assert_cmpuint (ch_pdf_view_get_current_page (f->view), ==, 0);
  g_assert_true (ch_ui_test_press_key (f->view, GDK_KEY_Page_Down, GDK_CONTROL_MASK));
  g_assert_cmpuint (ch_pdf_view_get_current_page (f->view), ==, 1);
  g_assert_true (ch_ui_test_press_key (f->view, GDK_KEY_Page_Up, GDK_CONTROL_MASK));
  g_assert_cmpuint (ch_pdf_view_get_current_page (f->view), ==, 0);

  pages = find_descendant (GTK_WIDGET (f->view), g_type_from_name ("ChPdfPages"));
  g_assert_nonnull (pages);
  gtk_widget_grab_focus (pages);
  g_assert_true (gtk_widget_has_focus (pages));
  for (int i = 0; i < 3; i++)
    g_assert_true (ch_ui_test_press_key (pages, GDK_KEY_Page_Down, 0));
  ch_ui_test_spin (50);
  g_assert_true (ch_pdf_view_get_page_area_for_testing (f->view, 0, &page, &visible));
  g_assert_cmpfloat (visible.origin.y, >, page.size.height);
  g_assert_cmpuint (ch_pdf_view_get_current_page (f->view), >=, 1);
}

/* Whether the pages, as drawn, are tinted orange at (@x, @y) pt of @page. */
static gboolean
highlighted (Fixture *f,
             guint    page,
             double   x,
             double   y)
{
  GtkWidget *pages = find_descendant (GTK_WIDGET (f->view), g_type_from_name ("ChPdfPages"));
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (pages);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int width = gtk_widget_get_width (pages), height = gtk_widget_get_height (pages);
  graphene_rect_t area, visible;
  cairo_surface_t *surface;
  GskRenderNode *node;
  cairo_t *cr;
  double scale;
  int px, py;
  guint32 pixel;
  int r, b;

  g_assert_true (ch_pdf_view_get_page_area_for_testing (f->view, page, &area, &visible));
  scale = area.size.width / A4_WIDTH;
  px = (int) (area.origin.x + x * scale - visible.origin.x);
  py = (int) (area.origin.y + y * scale - visible.origin.y);
  g_assert_cmpint (px, >=, 0);
  g_assert_cmpint (px, <, width);
  g_assert_cmpint (py, >=, 0);
  g_assert_cmpint (py, <, height);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  pixel = *(guint32 *) (cairo_image_surface_get_data (surface)
                        + py * cairo_image_surface_get_stride (surface) + px * 4);
  r = (pixel >> 16) & 0xff;
  b = pixel & 0xff;
  cairo_surface_destroy (surface);
  gsk_render_node_unref (node);
  return r - b > 60;
}

static void
test_find (Fixture       *f,
           gconstpointer  data)
{
  GtkWidget *entry;
  GtkSearchBar *bar;

  load_pages (f, 6);
  ch_ui_test_spin (50);

  g_assert_cmpuint (ch_pdf_view_find (f->view, WORD), ==, 2);
  g_assert_cmpuint (ch_pdf_view_get_n_matches (f->view), ==, 2);
  g_assert_cmpint (ch_pdf_view_get_current_match (f->view), ==, 0);
  g_assert_cmpuint (ch_pdf_view_get_current_page (f->view), ==, 1);

  /* Highlighted where the word is: the pages as drawn are orange there. */
  ch_ui_test_spin (100);
  g_assert_true (highlighted (f, 1, 120, 596));
  g_assert_false (highlighted (f, 1, 500, 596));

  g_assert_true (activate (f, "pdf.find-next"));
  g_assert_cmpint (ch_pdf_view_get_current_match (f->view), ==, 1);
  g_assert_cmpuint (ch_pdf_view_get_current_page (f->view), ==, 3);
  g_assert_true (activate (f, "pdf.find-next"));   /* round to the first */
  g_assert_cmpuint (ch_pdf_view_get_current_page (f->view), ==, 1);
  g_assert_true (activate (f, "pdf.find-previous"));
  g_assert_cmpuint (ch_pdf_view_get_current_page (f->view), ==, 3);

  /* Case is ignored; a word nowhere finds nothing. */
  g_assert_cmpuint (ch_pdf_view_find (f->view, "STETHOSCOPE"), ==, 2);
  g_assert_cmpuint (ch_pdf_view_find (f->view, "sphygmomanometer"), ==, 0);
  g_assert_cmpint (ch_pdf_view_get_current_match (f->view), ==, -1);
  g_assert_cmpuint (ch_pdf_view_find (f->view, "pressure"), ==, 6 * 20);

  /* The find bar: Ctrl+F opens it, typing searches on the worker, Enter
   * and Shift+Enter go through the matches, Escape closes it. */
  ch_pdf_view_set_page (f->view, 0);
  ch_ui_test_spin (50);
  g_assert_true (ch_ui_test_press_key (f->view, GDK_KEY_f, GDK_CONTROL_MASK));
  bar = GTK_SEARCH_BAR (find_descendant (GTK_WIDGET (f->view), GTK_TYPE_SEARCH_BAR));
  g_assert_true (gtk_search_bar_get_search_mode (bar));
  entry = find_descendant (GTK_WIDGET (f->view), GTK_TYPE_SEARCH_ENTRY);
  gtk_editable_set_text (GTK_EDITABLE (entry), WORD);
  CH_UI_TEST_WAIT (ch_pdf_view_get_n_matches (f->view) == 2);
  g_assert_cmpuint (ch_pdf_view_get_current_page (f->view), ==, 1);
  g_assert_true (ch_ui_test_press_key (entry, GDK_KEY_Return, 0));
  g_assert_cmpuint (ch_pdf_view_get_current_page (f->view), ==, 3);
  g_assert_true (ch_ui_test_press_key (entry, GDK_KEY_Return, GDK_SHIFT_MASK));
  g_assert_cmpuint (ch_pdf_view_get_current_page (f->view), ==, 1);
  /* The count beside the entry. */
  {
    GtkWidget *label = NULL;

    for (GtkWidget *w = gtk_widget_get_next_sibling (entry); w != NULL; w = gtk_widget_get_next_sibling (w))
      if (GTK_IS_LABEL (w))
        label = w;
    g_assert_nonnull (label);
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, "1 of 2");
  }
  gtk_search_bar_set_search_mode (bar, FALSE);
  g_assert_cmpuint (ch_pdf_view_get_n_matches (f->view), ==, 0);
}

static void
test_thumbnails (Fixture       *f,
                 gconstpointer  data)
{
  GtkListView *list;
  GListModel *model;
  int factor;

  load_pages (f, 6);
  list = ch_pdf_view_get_thumbnails_for_testing (f->view);
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (list)));
  /* Hidden, none is rendered. */
  ch_ui_test_spin (200);
  g_assert_null (ch_pdf_view_get_thumbnail_surface_for_testing (f->view, 0));

  g_assert_true (activate (f, "pdf.thumbnails"));
  g_assert_true (ch_pdf_view_get_show_thumbnails (f->view));
  CH_UI_TEST_WAIT (gtk_widget_get_mapped (GTK_WIDGET (list)));
  model = G_LIST_MODEL (gtk_list_view_get_model (list));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 6);
  factor = gtk_widget_get_scale_factor (GTK_WIDGET (f->view));
  for (guint i = 0; i < 6; i++)
    {
      cairo_surface_t *thumb;

      CH_UI_TEST_WAIT (ch_pdf_view_get_thumbnail_surface_for_testing (f->view, i) != NULL);
      thumb = ch_pdf_view_get_thumbnail_surface_for_testing (f->view, i);
      g_assert_cmpint (ABS (cairo_image_surface_get_width (thumb) - 112 * factor), <=, 1);
      g_assert_cmpuint (darkest (thumb, 72, 70, 200, 102), <, 200);
    }

  /* Clicking a thumbnail goes to its page. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "list.activate-item", "u", 4));
  ch_ui_test_spin (50);
  g_assert_cmpuint (ch_pdf_view_get_current_page (f->view), ==, 4);

  /* F9 hides them. */
  g_assert_true (ch_ui_test_press_key (f->view, GDK_KEY_F9, 0));
  g_assert_false (ch_pdf_view_get_show_thumbnails (f->view));
  ch_ui_test_spin (50);
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (list)));
}

static void
test_print (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = ch_ui_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "print.pdf", NULL);
  g_autofree char *uri = NULL;
  g_autoptr (GObject) printed = NULL;
  PopplerPage *page;
  GList *found;

  /* Nothing loaded: nothing to print. */
  g_assert_false (ch_pdf_view_print (f->view, path, &error));
  g_assert_error (error, CH_PDF_VIEW_ERROR, CH_PDF_VIEW_ERROR_NO_DOCUMENT);
  g_clear_error (&error);

  load_pages (f, 5);
  g_assert_true (ch_pdf_view_print (f->view, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  uri = g_filename_to_uri (path, NULL, &error);
  g_assert_no_error (error);
  printed = G_OBJECT (poppler_document_new_from_file (uri, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (poppler_document_get_n_pages (POPPLER_DOCUMENT (printed)), ==, 5);
  page = poppler_document_get_page (POPPLER_DOCUMENT (printed), 3);
  found = poppler_page_find_text (page, WORD);
  g_assert_cmpuint (g_list_length (found), ==, 1);
  g_list_free_full (found, (GDestroyNotify) poppler_rectangle_free);
  g_object_unref (page);

  g_remove (path);
  ch_ui_test_remove_dir (dir);
}

static void
assert_error_shown (Fixture    *f,
                    int         code,
                    const char *message_start)
{
  const GError *error = ch_pdf_view_get_error (f->view);
  GtkWidget *status;
  GtkStack *stack;
  double zoom;

  g_assert_cmpint (f->loaded, ==, FALSE);
  g_assert_error ((GError *) error, CH_PDF_VIEW_ERROR, code);
  g_assert_true (g_str_has_prefix (error->message, message_start));
  g_assert_cmpuint (ch_pdf_view_get_n_pages (f->view), ==, 0);

  stack = GTK_STACK (find_descendant (GTK_WIDGET (f->view), GTK_TYPE_STACK));
  status = find_descendant (GTK_WIDGET (f->view), ADW_TYPE_STATUS_PAGE);
  g_assert_true (gtk_stack_get_visible_child (stack) == status);
  g_assert_cmpstr (adw_status_page_get_description (ADW_STATUS_PAGE (status)), ==, error->message);

  /* Nothing there to zoom, find or print. */
  zoom = ch_pdf_view_get_zoom (f->view);
  activate (f, "pdf.zoom-in");
  g_assert_cmpfloat (ch_pdf_view_get_zoom (f->view), ==, zoom);
  g_assert_cmpuint (ch_pdf_view_find (f->view, WORD), ==, 0);
  g_assert_false (ch_pdf_view_print (f->view, "/nonexistent/x.pdf", NULL));
}

static void
test_broken (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr (GBytes) pdf = make_pdf (3);
  g_autoptr (GBytes) truncated = g_bytes_new_from_bytes (pdf, 0, 300);
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  guint8 noise[4096];
  g_autoptr (GBytes) random = NULL;
  g_autoptr (GBytes) empty = g_bytes_new_static ("", 0);

  for (guint i = 0; i < sizeof noise; i++)
    noise[i] = (guint8) g_rand_int_range (rand, 0, 256);
  random = g_bytes_new (noise, sizeof noise);

  load (f, truncated);
  assert_error_shown (f, CH_PDF_VIEW_ERROR_INVALID, "This file is not a readable PDF: ");
  load (f, random);
  assert_error_shown (f, CH_PDF_VIEW_ERROR_INVALID, "This file is not a readable PDF: ");
  load (f, empty);
  assert_error_shown (f, CH_PDF_VIEW_ERROR_INVALID, "This file is not a readable PDF: ");

  /* A good one after them shows. */
  load (f, pdf);
  g_assert_cmpint (f->loaded, ==, TRUE);
  g_assert_no_error (ch_pdf_view_get_error (f->view));
  g_assert_cmpuint (ch_pdf_view_get_n_pages (f->view), ==, 3);
  CH_UI_TEST_WAIT (rendered_at_zoom (f->view, 0));
}

/* A page that claims to be a million points wide is shown clamped, with no
 * GTK or cairo complaint (the test runs with fatal criticals). */
static void
test_huge_page (Fixture       *f,
                gconstpointer  data)
{
  static const char pdf[] =
    "%PDF-1.4\n"
    "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 1000000 0.5] >> endobj\n"
    "trailer << /Root 1 0 R >>\n%%EOF\n";
  g_autoptr (GBytes) bytes = g_bytes_new_static (pdf, sizeof pdf - 1);
  double width = 0, height = 0;

  load (f, bytes);
  g_assert_cmpint (f->loaded, ==, TRUE);
  g_assert_true (ch_pdf_view_get_page_size (f->view, 0, &width, &height));
  g_assert_cmpfloat (width, <=, 14400.0);
  ch_pdf_view_set_zoom (f->view, 4.0);
  ch_ui_test_spin (500);
  ch_pdf_view_set_fit_width (f->view, TRUE);
  ch_ui_test_spin (300);
}

static void
test_encrypted (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) pdf = make_pdf (2);
  g_autofree char *qpdf = g_find_program_in_path ("qpdf");
  g_autofree char *dir = ch_ui_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "in.pdf", NULL);
  g_autofree char *out = g_build_filename (dir, "out.pdf", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GBytes) encrypted = NULL;
  gsize length;
  int status;

  if (qpdf == NULL)
    {
      g_test_skip ("qpdf is not installed (build-aux/dev installs it)");
      ch_ui_test_remove_dir (dir);
      return;
    }
  g_file_set_contents (in, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf), &error);
  g_assert_no_error (error);
  {
    const char *argv[] = { qpdf, "--encrypt", "secret", "owner-secret", "256", "--", in, out, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
                  &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  g_file_get_contents (out, &contents, &length, &error);
  g_assert_no_error (error);
  encrypted = g_bytes_new_take (g_steal_pointer (&contents), length);

  load (f, encrypted);
  assert_error_shown (f, CH_PDF_VIEW_ERROR_ENCRYPTED,
                      "This PDF is protected by a password and cannot be shown.");
  g_assert_cmpstr (ch_pdf_view_get_error (f->view)->message, ==,
                   "This PDF is protected by a password and cannot be shown.");

  g_remove (in);
  g_remove (out);
  ch_ui_test_remove_dir (dir);
}

/* Gone while the worker is busy: opening, then rendering pages at a high
 * zoom and searching. Nothing may call back into the freed view. */
static void
test_dispose_busy (void)
{
  g_autoptr (GBytes) pdf = make_pdf (40);

  for (int round = 0; round < 3; round++)
    {
      GtkWindow *window = GTK_WINDOW (gtk_window_new ());
      ChPdfView *view = CH_PDF_VIEW (ch_pdf_view_new ());

      gtk_window_set_default_size (window, 900, 700);
      gtk_window_set_child (window, GTK_WIDGET (view));
      gtk_window_present (window);
      ch_pdf_view_load (view, pdf);
      if (round > 0)
        {
          CH_UI_TEST_WAIT (!ch_pdf_view_get_loading (view));
          ch_pdf_view_set_zoom (view, 4.0);
          ch_pdf_view_set_show_thumbnails (view, TRUE);
          ch_ui_test_spin (round == 1 ? 5 : 40);
        }

      g_object_ref (view);
      gtk_window_destroy (window);
      g_assert_finalize_object (view);
      /* What the worker was doing comes back to no one. */
      ch_ui_test_spin (300);
    }
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/pdf-view/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("load-and-render", test_load_and_render);
  ADD ("zoom", test_zoom);
  ADD ("fit-width", test_fit_width);
  ADD ("pages", test_pages);
  ADD ("find", test_find);
  ADD ("thumbnails", test_thumbnails);
  ADD ("print", test_print);
  ADD ("broken", test_broken);
  ADD ("encrypted", test_encrypted);
  ADD ("huge-page", test_huge_page);
#undef ADD
  g_test_add_func ("/pdf-view/dispose-busy", test_dispose_busy);

  return g_test_run ();
}
