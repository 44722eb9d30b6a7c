/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-documents"

#include "config.h"

#include <cairo-pdf.h>
#include <math.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ch-demo.h"
#include "ch-dicom-view.h"
#include "ch-document-import-dialog.h"
#include "ch-document-window.h"
#include "ch-documents.h"
#include "ch-documents-list.h"
#include "ch-image-view.h"
#include "ch-imaging.h"
#include "ch-main-page.h"
#include "ch-patient-view.h"
#include "ch-patients-page.h"
#include "ch-patients.h"
#include "ch-pdf-view.h"
#include "ch-ui.h"
#include "ch-ui-test-util.h"

/* The chart's Documents page in the real window over a demo practice:
 * files filed through the import form (as the file chooser and a drop hand
 * them over) with progress, opened in the viewer their type calls for,
 * exported byte for byte, marked entered in error; a damaged blob named
 * while the rest still opens; the front desk's ID cards. Checked against
 * what the controller then holds. */

#define DEMO_PATIENTS 4
#define PYDICOM_FILES "/usr/lib/python3/dist-packages/pydicom/data/test_files"

typedef struct
{
  char           *dir;
  char           *files;
  ChWindow       *window;
  ChSession      *session;
  ChPatientsPage *page;
  gint64          patient_id;
} Fixture;

static void
sign_in (Fixture    *f,
         const char *username)
{
  GtkWidget *main_page;

  f->window = ch_ui_test_window_new (f->dir);
  ch_ui_test_window_sign_in (f->window, username, CH_DEMO_PASSWORD);
  f->session = ch_window_get_session (f->window);

  main_page = ch_window_get_main_page (f->window);
  CH_UI_TEST_WAIT (ch_main_page_get_section_widget (CH_MAIN_PAGE (main_page), "patients") != NULL);
  f->page = CH_PATIENTS_PAGE (ch_main_page_get_section_widget (CH_MAIN_PAGE (main_page),
                                                               "patients"));
  ch_ui_test_spin (20);
}

static void
sign_out (Fixture *f)
{
  ch_ui_test_window_destroy (f->window);
  f->window = NULL;
  f->session = NULL;
  f->page = NULL;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autofree char *tmp = ch_ui_test_make_tmp_dir ();

  f->dir = g_build_filename (tmp, "practice", NULL);
  f->files = g_build_filename (tmp, "files", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->files, 0700), ==, 0);
  ch_demo_create (f->dir, DEMO_PATIENTS, 5, NULL, &error);
  g_assert_no_error (error);

  sign_in (f, data != NULL ? data : "doctor");

  hits = ch_patients_search (f->session, "", DEMO_PATIENTS, &error);
  g_assert_no_error (error);
  if (hits->len == 0)
    {
      g_clear_pointer (&hits, g_ptr_array_unref);
      hits = ch_patients_search (f->session, "a", DEMO_PATIENTS, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpuint (hits->len, >, 0);
  f->patient_id = ((const ChPatientHit *) g_ptr_array_index (hits, 0))->id;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->window != NULL)
    sign_out (f);
  ch_ui_test_remove_dir (f->dir);
  ch_ui_test_remove_dir (f->files);
  g_free (f->dir);
  g_free (f->files);
}

static ChPatientView *
view (Fixture *f)
{
  return CH_PATIENT_VIEW (ch_patients_page_get_patient_view (f->page));
}

static ChDocumentsList *
documents (Fixture *f)
{
  return CH_DOCUMENTS_LIST (ch_ui_test_child (view (f), CH_TYPE_PATIENT_VIEW, "documents_list"));
}

static void
wait_idle (Fixture *f)
{
  CH_UI_TEST_WAIT (!ch_ui_session_is_busy (f->session) &&
                   !ch_documents_list_get_busy (documents (f)));
  ch_ui_test_spin (20);
}

static void
open_patient (Fixture *f)
{
  GtkStack *pages;

  ch_patients_page_open_patient (f->page, f->patient_id);
  CH_UI_TEST_WAIT (!ch_patients_page_get_busy (f->page) &&
                   ch_patient_view_get_record (view (f)) != NULL &&
                   ch_patient_view_get_record (view (f))->id == f->patient_id);
  pages = GTK_STACK (ch_ui_test_child (view (f), CH_TYPE_PATIENT_VIEW, "pages"));
  g_assert_true (gtk_stack_page_get_visible (gtk_stack_get_page (pages,
                                                                 GTK_WIDGET (documents (f)))));
  ch_ui_stack_show (pages, "documents");
  wait_idle (f);
}

/* ---- test files --------------------------------------------------------------- */

static char *
write_pdf (Fixture    *f,
           const char *name,
           guint       n_pages)
{
  char *path = g_build_filename (f->files, name, NULL);
  cairo_surface_t *surface = cairo_pdf_surface_create (path, 595, 842);
  cairo_t *cr = cairo_create (surface);

  for (guint i = 0; i < n_pages; i++)
    {
      g_autofree char *line = g_strdup_printf ("Referral letter page %u", i + 1);

      cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
      cairo_set_font_size (cr, 18);
      cairo_move_to (cr, 72, 100);
      cairo_show_text (cr, line);
      cairo_show_page (cr);
    }
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
  return path;
}

static char *
write_png (Fixture    *f,
           const char *name,
           int         width,
           int         height)
{
  char *path = g_build_filename (f->files, name, NULL);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, 0.9, 0.2, 0.1);
  cairo_paint (cr);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
  return path;
}

static char *
write_text (Fixture    *f,
            const char *name,
            const char *text)
{
  char *path = g_build_filename (f->files, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

static ChDocument *
find_document (Fixture    *f,
               const char *title)
{
  GPtrArray *list = ch_documents_list_get_documents (documents (f));

  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      ChDocument *document = g_ptr_array_index (list, i);

      if (g_strcmp0 (document->title, title) == 0)
        return document;
    }
  return NULL;
}

/* Files @paths through the import form, with @category for them all. */
static void
import (Fixture            *f,
        const char * const *paths,
        const char         *category)
{
  ChDocumentImportDialog *dialog;

  dialog = CH_DOCUMENT_IMPORT_DIALOG (ch_documents_list_import_files (documents (f), paths));
  g_assert_nonnull (dialog);
  g_assert_cmpuint (ch_document_import_dialog_get_n_files (dialog), ==,
                    g_strv_length ((GStrv) paths));
  ch_document_import_dialog_set_category (dialog, category);
  g_assert_true (ch_document_import_dialog_confirm (dialog));
  /* The progress shows at once, and goes once done. */
  g_assert_nonnull (ch_documents_list_get_progress_text (documents (f)));
  wait_idle (f);
  g_assert_null (ch_documents_list_get_progress_text (documents (f)));
}

static ChDocumentWindow *
open_document (Fixture    *f,
               const char *title)
{
  ChDocument *document = find_document (f, title);
  ChDocumentWindow *window;

  g_assert_nonnull (document);
  window = CH_DOCUMENT_WINDOW (ch_documents_list_open (documents (f), document->id));
  g_assert_nonnull (window);
  CH_UI_TEST_WAIT (ch_document_window_get_ready (window));
  return window;
}

/* ---- tests ------------------------------------------------------------------ */

static void
test_import_open_export (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *pdf = write_pdf (f, "letter.pdf", 3);
  g_autofree char *png = write_png (f, "wound.png", 640, 480);
  g_autofree char *txt = write_text (f, "note.txt", "Discharge summary\nAll well.\n");
  const char *paths[] = { pdf, png, txt, NULL };
  g_autofree char *out = g_build_filename (f->files, "exported.pdf", NULL);
  g_autofree char *original = NULL;
  g_autofree char *copy = NULL;
  gsize original_len = 0, copy_len = 0;
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GError) error = NULL;
  ChDocumentImportDialog *dialog;
  ChDocumentWindow *window;
  GtkWidget *viewer;
  ChDocument *letter;

  open_patient (f);
  g_assert_cmpuint (ch_documents_list_get_documents (documents (f))->len, ==, 0);

  /* The form: one title per file, from its name; details for all. */
  dialog = CH_DOCUMENT_IMPORT_DIALOG (ch_documents_list_import_files (documents (f), paths));
  g_assert_nonnull (dialog);
  g_assert_cmpuint (ch_document_import_dialog_get_n_files (dialog), ==, 3);
  ch_document_import_dialog_set_category (dialog, "referral");
  ch_document_import_dialog_set_title (dialog, 0, "Cardiology referral");
  ch_document_import_dialog_set_field (dialog, "source", "St Mary's Hospital");
  ch_document_import_dialog_set_field (dialog, "date", "2026-13-40");
  g_assert_false (ch_document_import_dialog_confirm (dialog));   /* no such day */
  ch_document_import_dialog_set_field (dialog, "date", "2026-11-02");
  g_assert_true (ch_document_import_dialog_confirm (dialog));
  g_assert_nonnull (ch_documents_list_get_progress_text (documents (f)));
  wait_idle (f);

  /* Listed, and stored so. */
  g_assert_cmpuint (ch_documents_list_get_documents (documents (f))->len, ==, 3);
  stored = ch_documents_list (f->session, f->patient_id, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stored->len, ==, 3);
  letter = find_document (f, "Cardiology referral");
  g_assert_nonnull (letter);
  g_assert_cmpstr (letter->category, ==, "referral");
  g_assert_cmpstr (letter->date, ==, "2026-11-02");
  g_assert_cmpstr (letter->source, ==, "St Mary's Hospital");
  g_assert_cmpstr (letter->content_type, ==, "application/pdf");
  g_assert_nonnull (find_document (f, "wound"));
  g_assert_nonnull (find_document (f, "note"));

  /* The PDF opens in the PDF viewer, all its pages. */
  window = open_document (f, "Cardiology referral");
  g_assert_null (ch_document_window_get_message (window));
  viewer = ch_document_window_get_viewer (window);
  g_assert_true (CH_IS_PDF_VIEW (viewer));
  g_assert_cmpuint (ch_pdf_view_get_n_pages (CH_PDF_VIEW (viewer)), ==, 3);
  gtk_window_destroy (GTK_WINDOW (window));
  wait_idle (f);

  /* The photo in the image viewer, whole, zoomable. */
  window = open_document (f, "wound");
  g_assert_null (ch_document_window_get_message (window));
  viewer = ch_document_window_get_viewer (window);
  g_assert_true (CH_IS_IMAGE_VIEW (viewer));
  g_assert_cmpint (gdk_texture_get_width (ch_image_view_get_texture (CH_IMAGE_VIEW (viewer))), ==,
                   640);
  g_assert_true (ch_image_view_get_fit (CH_IMAGE_VIEW (viewer)));
  g_assert_true (gtk_widget_activate_action (viewer, "image.zoom-in", NULL));
  g_assert_false (ch_image_view_get_fit (CH_IMAGE_VIEW (viewer)));
  g_assert_cmpfloat (ch_image_view_get_zoom (CH_IMAGE_VIEW (viewer)), >, 0.0);
  /* Larger than the view, it pans, but not out of sight. */
  {
    double x = 0, y = 0;
    double excess;

    ch_image_view_set_zoom (CH_IMAGE_VIEW (viewer), 4.0);
    excess = (640 * 4.0 - gtk_widget_get_width (viewer)) / 2.0;
    g_assert_cmpfloat (excess, >, 100);
    ch_image_view_pan_by (CH_IMAGE_VIEW (viewer), -100, 0);
    ch_image_view_get_pan (CH_IMAGE_VIEW (viewer), &x, &y);
    g_assert_cmpfloat (fabs (x - -100), <, 1e-6);
    ch_image_view_pan_by (CH_IMAGE_VIEW (viewer), -1e6, 0);
    ch_image_view_get_pan (CH_IMAGE_VIEW (viewer), &x, &y);
    g_assert_cmpfloat (fabs (x - -excess), <, 1e-6);
    g_assert_true (gtk_widget_activate_action (viewer, "image.fit", NULL));
    g_assert_true (ch_image_view_get_fit (CH_IMAGE_VIEW (viewer)));
    ch_image_view_get_pan (CH_IMAGE_VIEW (viewer), &x, &y);
    g_assert_cmpfloat (x, ==, 0);
  }
  gtk_window_destroy (GTK_WINDOW (window));
  wait_idle (f);

  /* The text as text. */
  window = open_document (f, "note");
  g_assert_null (ch_document_window_get_message (window));
  viewer = ch_document_window_get_viewer (window);
  g_assert_true (GTK_IS_SCROLLED_WINDOW (viewer));
  {
    GtkWidget *text = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (viewer));
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text));
    GtkTextIter start, end;
    g_autofree char *shown = NULL;

    gtk_text_buffer_get_bounds (buffer, &start, &end);
    shown = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    g_assert_cmpstr (shown, ==, "Discharge summary\nAll well.\n");
  }
  gtk_window_destroy (GTK_WINDOW (window));
  wait_idle (f);

  /* Exported byte for byte. */
  ch_documents_list_export (documents (f), letter->id, out);
  CH_UI_TEST_WAIT (g_file_test (out, G_FILE_TEST_EXISTS));
  wait_idle (f);
  g_file_get_contents (pdf, &original, &original_len, &error);
  g_assert_no_error (error);
  g_file_get_contents (out, &copy, &copy_len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (original, original_len, copy, copy_len);
}

/* TIFF (as scanners write) and JPEG (as cameras do) open in the image viewer. */
static void
test_tiff_and_jpeg (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *png = write_png (f, "source.png", 300, 200);
  g_autofree char *tiff = g_build_filename (f->files, "scan.tiff", NULL);
  g_autofree char *jpeg = g_build_filename (f->files, "photo.jpg", NULL);
  const char *paths[] = { tiff, jpeg, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = gdk_texture_new_from_filename (png, &error);
  g_autoptr(GBytes) tiff_bytes = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  const char *titles[] = { "scan", "photo" };

  g_assert_no_error (error);
  tiff_bytes = gdk_texture_save_to_tiff_bytes (texture);
  g_file_set_contents (tiff, g_bytes_get_data (tiff_bytes, NULL), g_bytes_get_size (tiff_bytes),
                       &error);
  g_assert_no_error (error);
  pixbuf = gdk_pixbuf_new_from_file (png, &error);
  g_assert_no_error (error);
  g_assert_true (gdk_pixbuf_save (pixbuf, jpeg, "jpeg", &error, "quality", "90", NULL));
  g_assert_no_error (error);

  open_patient (f);
  import (f, paths, "other");
  g_assert_cmpstr (find_document (f, "scan")->content_type, ==, "image/tiff");
  g_assert_cmpstr (find_document (f, "photo")->content_type, ==, "image/jpeg");

  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      ChDocumentWindow *window = open_document (f, titles[i]);
      GtkWidget *viewer = ch_document_window_get_viewer (window);
      GdkTexture *shown;

      g_assert_null (ch_document_window_get_message (window));
      g_assert_true (CH_IS_IMAGE_VIEW (viewer));
      shown = ch_image_view_get_texture (CH_IMAGE_VIEW (viewer));
      g_assert_cmpint (gdk_texture_get_width (shown), ==, 300);
      g_assert_cmpint (gdk_texture_get_height (shown), ==, 200);
      gtk_window_destroy (GTK_WINDOW (window));
      wait_idle (f);
    }
}

static void
test_drop (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *a = write_png (f, "scan-a.png", 32, 32);
  g_autofree char *b = write_png (f, "scan-b.png", 48, 48);
  g_autoptr(GListModel) controllers = NULL;
  GtkDropTarget *target = NULL;
  GSList *files = NULL;
  GValue value = G_VALUE_INIT;
  gboolean accepted = FALSE;
  GtkWindow *dialog;

  open_patient (f);

  controllers = gtk_widget_observe_controllers (GTK_WIDGET (documents (f)));
  for (guint i = 0; i < g_list_model_get_n_items (controllers) && target == NULL; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        target = GTK_DROP_TARGET (controller);
    }
  g_assert_nonnull (target);

  files = g_slist_append (files, g_file_new_for_path (a));
  files = g_slist_append (files, g_file_new_for_path (b));
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, files);
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_value_unset (&value);
  g_assert_true (accepted);

  dialog = ch_ui_test_find_toplevel (CH_TYPE_DOCUMENT_IMPORT_DIALOG, NULL);
  g_assert_nonnull (dialog);
  g_assert_cmpuint (ch_document_import_dialog_get_n_files (CH_DOCUMENT_IMPORT_DIALOG (dialog)),
                    ==, 2);
  ch_document_import_dialog_set_category (CH_DOCUMENT_IMPORT_DIALOG (dialog), "consent");
  g_assert_true (ch_document_import_dialog_confirm (CH_DOCUMENT_IMPORT_DIALOG (dialog)));
  wait_idle (f);

  g_assert_cmpuint (ch_documents_list_get_documents (documents (f))->len, ==, 2);
  g_assert_cmpstr (find_document (f, "scan-a")->category, ==, "consent");
  g_assert_cmpstr (find_document (f, "scan-b")->content_type, ==, "image/png");
}

static void
test_entered_in_error (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *pdf = write_pdf (f, "wrong-patient.pdf", 1);
  const char *paths[] = { pdf, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(ChDocument) stored = NULL;
  GtkWindow *confirm;
  gint64 id;

  open_patient (f);
  import (f, paths, "lab-report");
  id = find_document (f, "wrong-patient")->id;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (documents (f)),
                                             "documents.entered-in-error", "x", id));
  confirm = ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL);
  g_assert_nonnull (confirm);
  ch_ui_test_set_text (adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (confirm)),
                       "Filed in the wrong chart");
  ch_ui_test_respond (confirm, "confirm");
  wait_idle (f);

  /* Gone from the list, kept in the record with the reason. */
  g_assert_null (find_document (f, "wrong-patient"));
  stored = ch_documents_get (f->session, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored->status, ==, "entered-in-error");
  g_assert_cmpstr (stored->status_reason, ==, "Filed in the wrong chart");

  ch_documents_list_set_show_entered_in_error (documents (f), TRUE);
  wait_idle (f);
  g_assert_nonnull (find_document (f, "wrong-patient"));
}

static void
test_details (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *txt = write_text (f, "letter.txt", "Dear colleague");
  const char *paths[] = { txt, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(ChDocument) stored = NULL;
  ChDocumentImportDialog *dialog;
  gint64 id;

  open_patient (f);
  import (f, paths, "other");
  id = find_document (f, "letter")->id;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (documents (f)), "documents.edit", "x",
                                             id));
  dialog = CH_DOCUMENT_IMPORT_DIALOG (ch_ui_test_find_toplevel (CH_TYPE_DOCUMENT_IMPORT_DIALOG,
                                                                NULL));
  g_assert_nonnull (dialog);
  ch_document_import_dialog_set_title (dialog, 0, "Letter from Dr Okafor");
  ch_document_import_dialog_set_category (dialog, "correspondence");
  ch_document_import_dialog_set_field (dialog, "tags", "cardiology, follow-up");
  g_assert_true (ch_document_import_dialog_confirm (dialog));
  wait_idle (f);

  stored = ch_documents_get (f->session, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored->title, ==, "Letter from Dr Okafor");
  g_assert_cmpstr (stored->category, ==, "correspondence");
  g_assert_cmpstr (stored->tags, ==, "cardiology, follow-up");
  g_assert_cmpint (stored->version, ==, 2);
  g_assert_nonnull (find_document (f, "Letter from Dr Okafor"));
}

/* A blob damaged on disk is named when opened; the list and the other
 * documents are unharmed. */
static void
test_damaged (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *a = write_text (f, "first.txt", "first document, to be damaged");
  g_autofree char *b = write_text (f, "second.txt", "second document, intact");
  const char *paths[] = { a, b, NULL };
  g_autofree char *dir = NULL;
  g_autofree char *blob = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;
  ChDocumentWindow *window;
  ChDocument *first;

  open_patient (f);
  import (f, paths, "other");
  first = find_document (f, "first");

  dir = ch_documents_dir (f->session);
  blob = g_build_filename (dir, first->blob, NULL);
  g_file_get_contents (blob, &contents, &length, &error);
  g_assert_no_error (error);
  contents[length / 2] ^= 0x40;
  g_file_set_contents (blob, contents, length, &error);
  g_assert_no_error (error);

  window = open_document (f, "first");
  g_assert_nonnull (ch_document_window_get_message (window));
  g_assert_nonnull (strstr (ch_document_window_get_message (window), "first"));
  g_assert_nonnull (strstr (ch_document_window_get_message (window), "damaged"));
  gtk_window_destroy (GTK_WINDOW (window));
  wait_idle (f);

  window = open_document (f, "second");
  g_assert_null (ch_document_window_get_message (window));
  gtk_window_destroy (GTK_WINDOW (window));
  wait_idle (f);

  /* A PDF that is no PDF says so, too. */
  {
    g_autofree char *fake = write_text (f, "broken.pdf", "%PDF-1.4\nthis is not a pdf at all");
    const char *more[] = { fake, NULL };

    import (f, more, "lab-report");
    window = open_document (f, "broken");
    g_assert_nonnull (ch_document_window_get_message (window));
    gtk_window_destroy (GTK_WINDOW (window));
    wait_idle (f);
  }
}

static void
test_dicom (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *ct = g_build_filename (PYDICOM_FILES, "CT_small.dcm", NULL);
  g_autofree char *j2k = g_build_filename (PYDICOM_FILES, "MR_small_jp2klossless.dcm", NULL);
  const char *paths[] = { ct, j2k, NULL };
  ChDocumentWindow *window;
  GtkWidget *viewer;

  if (!g_file_test (ct, G_FILE_TEST_EXISTS) || !g_file_test (j2k, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("pydicom's test files are not installed (python3-pydicom)");
      return;
    }

  open_patient (f);
  import (f, paths, "imaging");
  g_assert_cmpstr (find_document (f, "CT_small")->content_type, ==, "application/dicom");
  /* Filed by study too: two studies, their images not listed on their own. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) studies = ch_imaging_list_studies (f->session, f->patient_id, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (studies->len, ==, 2);
  }

  window = open_document (f, "CT_small");
  g_assert_null (ch_document_window_get_message (window));
  viewer = ch_document_window_get_viewer (window);
  g_assert_true (CH_IS_DICOM_VIEW (viewer));
  g_assert_cmpstr (ch_dicom_view_get_info (CH_DICOM_VIEW (viewer))->modality, ==, "CT");
  gtk_window_destroy (GTK_WINDOW (window));
  wait_idle (f);

  /* What cannot be decoded here is named. */
  window = open_document (f, "MR_small_jp2klossless");
  g_assert_nonnull (ch_document_window_get_message (window));
  g_assert_nonnull (strstr (ch_document_window_get_message (window), "JPEG 2000"));
  gtk_window_destroy (GTK_WINDOW (window));
  wait_idle (f);
}

/* The front desk files and sees ID and insurance cards, nothing clinical. */
static void
test_front_desk (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *card = write_png (f, "insurance-card.png", 320, 200);
  g_autofree char *lab = write_text (f, "lab.txt", "HbA1c 7.1 %");
  const char *cards[] = { card, NULL };
  const char *labs[] = { lab, NULL };

  /* A clinician files a lab report first. */
  open_patient (f);
  import (f, labs, "lab-report");
  sign_out (f);

  sign_in (f, "frontdesk");
  open_patient (f);
  g_assert_null (find_document (f, "lab"));
  import (f, cards, "id-card");
  g_assert_nonnull (find_document (f, "insurance-card"));
  g_assert_cmpuint (ch_documents_list_get_documents (documents (f))->len, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

  g_test_add ("/ui/documents/import-open-export", Fixture, NULL, fixture_set_up,
              test_import_open_export, fixture_tear_down);
  g_test_add ("/ui/documents/tiff-and-jpeg", Fixture, NULL, fixture_set_up,
              test_tiff_and_jpeg, fixture_tear_down);
  g_test_add ("/ui/documents/drop", Fixture, NULL, fixture_set_up, test_drop,
              fixture_tear_down);
  g_test_add ("/ui/documents/entered-in-error", Fixture, NULL, fixture_set_up,
              test_entered_in_error, fixture_tear_down);
  g_test_add ("/ui/documents/details", Fixture, NULL, fixture_set_up, test_details,
              fixture_tear_down);
  g_test_add ("/ui/documents/damaged", Fixture, NULL, fixture_set_up, test_damaged,
              fixture_tear_down);
  g_test_add ("/ui/documents/dicom", Fixture, NULL, fixture_set_up, test_dicom,
              fixture_tear_down);
  g_test_add ("/ui/documents/front-desk", Fixture, NULL, fixture_set_up, test_front_desk,
              fixture_tear_down);

  return g_test_run ();
}
