/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-document-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-dicom-view.h"
#include "ch-document-window.h"
#include "ch-documents.h"
#include "ch-documents-ui.h"
#include "ch-image-view.h"
#include "ch-pdf-view.h"
#include "ch-ui.h"

/* One document, or the instances of one DICOM series, in a window of its
 * own beside the chart: the content is read (decrypted, checked and
 * audited) on the session's worker, then shown by the viewer its type
 * calls for — PDF, image, text or DICOM. What cannot be read or shown is
 * said on the page, with the export still offered. */

/* The most of a text document put in a text view. */
#define TEXT_SHOWN_MAX (4 * 1024 * 1024)

struct _ChDocumentWindow
{
  AdwWindow       parent_instance;

  AdwWindowTitle *title;
  GtkWidget      *export_button;
  GtkStack       *stack;
  GtkSpinner     *spinner;
  AdwStatusPage  *error_page;
  AdwBin         *viewer_bin;

  ChSession      *session;
  ChDocument     *document;     /* the first one of a series */
  GArray         *ids;          /* (element-type gint64) */
  GCancellable   *cancellable;
  char           *message;
  gboolean        ready;
};

G_DEFINE_FINAL_TYPE (ChDocumentWindow, ch_document_window, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_READY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ch_document_window_set_ready (ChDocumentWindow *self,
                              const char       *message)
{
  self->ready = TRUE;
  g_free (self->message);
  self->message = g_strdup (message);

  if (message != NULL)
    {
      adw_status_page_set_description (self->error_page, message);
      ch_ui_stack_show (self->stack, "error");
    }
  gtk_spinner_set_spinning (self->spinner, FALSE);
  g_signal_emit (self, signals[SIGNAL_READY], 0, message == NULL);
}

static void
on_viewer_loaded (ChDocumentWindow *self,
                  gboolean          success,
                  GtkWidget        *viewer)
{
  const GError *error = NULL;

  if (!success)
    {
      if (CH_IS_PDF_VIEW (viewer))
        error = ch_pdf_view_get_error (CH_PDF_VIEW (viewer));
      else if (CH_IS_DICOM_VIEW (viewer))
        error = ch_dicom_view_get_error (CH_DICOM_VIEW (viewer));
      else if (CH_IS_IMAGE_VIEW (viewer))
        error = ch_image_view_get_error (CH_IMAGE_VIEW (viewer));

      ch_document_window_set_ready (self, error != NULL ? error->message
                                                        : _("The document cannot be shown."));
      return;
    }

  ch_ui_stack_show (self->stack, "viewer");
  gtk_widget_grab_focus (viewer);
  ch_document_window_set_ready (self, NULL);
}

static GtkWidget *
text_viewer_new (GBytes *bytes)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  gsize shown = MIN (size, (gsize) TEXT_SHOWN_MAX);
  g_autofree char *text = NULL;
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  const char *end = NULL;

  if (g_utf8_validate_len (data, shown, &end))
    text = g_strndup (data, shown);
  else if (end != NULL && (gsize) (end - data) + 4 > shown && shown < size)
    text = g_strndup (data, end - data);   /* a character cut at the limit */
  else
    /* Not UTF-8: most often a Windows letter. */
    text = g_convert (data, shown, "UTF-8", "WINDOWS-1252", NULL, NULL, NULL);
  if (text == NULL)
    text = g_utf8_make_valid (data, shown);

  gtk_text_buffer_set_text (buffer, text, -1);
  if (shown < size)
    {
      GtkTextIter iter;
      g_autofree char *size_text = g_format_size (size);
      /* TRANSLATORS: %s is a file size such as "12 MB" */
      g_autofree char *note = g_strdup_printf (_("\n\n[Only the first 4 MB of %s are shown. "
                                                 "Export the document to read it whole.]"),
                                               size_text);

      gtk_text_buffer_get_end_iter (buffer, &iter);
      gtk_text_buffer_insert (buffer, &iter, note, -1);
    }

  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 18);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 18);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Document text"), -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);

  return scroller;
}

static void
ch_document_window_show_content (ChDocumentWindow *self,
                                 GPtrArray        *contents)
{
  GtkWidget *viewer = NULL;
  GBytes *first = g_ptr_array_index (contents, 0);

  switch (ch_documents_ui_kind (self->document->content_type))
    {
    case CH_DOCUMENTS_UI_KIND_PDF:
      viewer = ch_pdf_view_new ();
      adw_bin_set_child (self->viewer_bin, viewer);
      g_signal_connect_object (viewer, "loaded", G_CALLBACK (on_viewer_loaded), self,
                               G_CONNECT_SWAPPED);
      ch_pdf_view_load (CH_PDF_VIEW (viewer), first);
      return;

    case CH_DOCUMENTS_UI_KIND_IMAGE:
      viewer = ch_image_view_new ();
      adw_bin_set_child (self->viewer_bin, viewer);
      g_signal_connect_object (viewer, "loaded", G_CALLBACK (on_viewer_loaded), self,
                               G_CONNECT_SWAPPED);
      ch_image_view_load (CH_IMAGE_VIEW (viewer), first);
      return;

    case CH_DOCUMENTS_UI_KIND_DICOM:
      viewer = ch_dicom_view_new ();
      adw_bin_set_child (self->viewer_bin, viewer);
      g_signal_connect_object (viewer, "loaded", G_CALLBACK (on_viewer_loaded), self,
                               G_CONNECT_SWAPPED);
      ch_dicom_view_set_series (CH_DICOM_VIEW (viewer), contents);
      return;

    case CH_DOCUMENTS_UI_KIND_TEXT:
      viewer = text_viewer_new (first);
      adw_bin_set_child (self->viewer_bin, viewer);
      on_viewer_loaded (self, TRUE, viewer);
      return;

    case CH_DOCUMENTS_UI_KIND_OTHER:
    default:
      {
        /* TRANSLATORS: %s is a MIME type such as application/msword */
        g_autofree char *message = g_strdup_printf (_("Charta cannot show files of type %s. "
                                                      "Export the document to open it in "
                                                      "another program."),
                                                    self->document->content_type);

        ch_document_window_set_ready (self, message);
      }
      return;
    }
}

/* ---- reading ---------------------------------------------------------------- */

typedef struct
{
  ChSession *session;
  GArray    *ids;
  GPtrArray *contents;
} Read;

static void
read_free (Read *read)
{
  g_clear_object (&read->session);
  g_clear_pointer (&read->ids, g_array_unref);
  g_clear_pointer (&read->contents, g_ptr_array_unref);
  g_free (read);
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Read *read = task_data;

  GError *error = NULL;

  /* One look at a series is one audit entry. */
  read->contents = ch_documents_read_many (read->session, read->ids, &error);
  if (read->contents == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
read_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChDocumentWindow *self = CH_DOCUMENT_WINDOW (object);
  Read *read = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ch_document_window_set_ready (self, error->message);
      return;
    }

  ch_document_window_show_content (self, read->contents);
}

static void
ch_document_window_start_read (ChDocumentWindow *self)
{
  g_autoptr(GTask) task = NULL;
  Read *read;

  if (ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self),
                               G_CALLBACK (ch_document_window_start_read));
      return;
    }

  read = g_new0 (Read, 1);
  read->session = g_object_ref (self->session);
  read->ids = g_array_ref (self->ids);

  task = ch_ui_session_task_new (self->session, self, self->cancellable, read_done, NULL);
  g_task_set_source_tag (task, ch_document_window_start_read);
  g_task_set_task_data (task, read, (GDestroyNotify) read_free);
  ch_ui_session_run_task (task, read_thread);
}

/* ---- actions ---------------------------------------------------------------- */

static void
export_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ChDocumentWindow *self = CH_DOCUMENT_WINDOW (widget);

  ch_documents_ui_export (GTK_WIDGET (self->stack), self->session, self->document, NULL);
}

/* ---- GObject ---------------------------------------------------------------- */

static void
ch_document_window_dispose (GObject *object)
{
  ChDocumentWindow *self = CH_DOCUMENT_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ch_document_window_parent_class)->dispose (object);
}

static void
ch_document_window_finalize (GObject *object)
{
  ChDocumentWindow *self = CH_DOCUMENT_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->document, ch_document_free);
  g_clear_pointer (&self->ids, g_array_unref);
  g_free (self->message);

  G_OBJECT_CLASS (ch_document_window_parent_class)->finalize (object);
}

static void
ch_document_window_class_init (ChDocumentWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();
  g_type_ensure (CH_TYPE_PDF_VIEW);
  g_type_ensure (CH_TYPE_DICOM_VIEW);
  g_type_ensure (CH_TYPE_IMAGE_VIEW);

  object_class->dispose = ch_document_window_dispose;
  object_class->finalize = ch_document_window_finalize;

  /**
   * ChDocumentWindow::ready:
   * @shown: whether the document is shown; when not, the page says why
   */
  signals[SIGNAL_READY] = g_signal_new ("ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-document-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ChDocumentWindow, title);
  gtk_widget_class_bind_template_child (widget_class, ChDocumentWindow, export_button);
  gtk_widget_class_bind_template_child (widget_class, ChDocumentWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ChDocumentWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChDocumentWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, ChDocumentWindow, viewer_bin);

  gtk_widget_class_install_action (widget_class, "document.export", NULL, export_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "document.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_document_window_init (ChDocumentWindow *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

static ChDocumentWindow *
ch_document_window_create (GtkWindow        *parent,
                           ChSession        *session,
                           const ChDocument *document,
                           const char       *title,
                           GArray           *ids)
{
  ChDocumentWindow *self = g_object_new (CH_TYPE_DOCUMENT_WINDOW,
                                         "transient-for", parent,
                                         "default-width", 1100,
                                         "default-height", 820,
                                         NULL);
  g_autofree char *subtitle = ch_documents_ui_describe (document);

  self->session = g_object_ref (session);
  self->document = ch_document_copy (document);
  self->ids = g_array_ref (ids);

  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->title, title);
  adw_window_title_set_subtitle (self->title, subtitle);
  gtk_spinner_set_spinning (self->spinner, TRUE);

  ch_document_window_start_read (self);
  return self;
}

/**
 * ch_document_window_new:
 * @parent: (nullable): the window it belongs with
 * @session: a session
 * @document: the document (copied)
 *
 * Returns: (transfer none): a new window showing @document, not yet presented
 */
GtkWidget *
ch_document_window_new (GtkWindow        *parent,
                        ChSession        *session,
                        const ChDocument *document)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (document != NULL, NULL);

  g_array_append_val (ids, document->id);
  return GTK_WIDGET (ch_document_window_create (parent, session, document, document->title,
                                                ids));
}

/**
 * ch_document_window_new_series:
 * @first: the series' first instance, a DICOM document (copied)
 * @title: what the window is called
 * @document_ids: (element-type gint64): the instances, in display order
 *
 * Returns: (transfer none): a new window showing the images of a series
 */
GtkWidget *
ch_document_window_new_series (GtkWindow        *parent,
                               ChSession        *session,
                               const ChDocument *first,
                               const char       *title,
                               GArray           *document_ids)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (first != NULL, NULL);
  g_return_val_if_fail (document_ids != NULL && document_ids->len > 0, NULL);

  return GTK_WIDGET (ch_document_window_create (parent, session, first, title, document_ids));
}

/* Returns: (transfer none) (nullable): the widget showing the document */
GtkWidget *
ch_document_window_get_viewer (ChDocumentWindow *self)
{
  g_return_val_if_fail (CH_IS_DOCUMENT_WINDOW (self), NULL);

  return adw_bin_get_child (self->viewer_bin);
}

/* Returns: (nullable): why the document is not shown, once ready */
const char *
ch_document_window_get_message (ChDocumentWindow *self)
{
  g_return_val_if_fail (CH_IS_DOCUMENT_WINDOW (self), NULL);

  return self->message;
}

gboolean
ch_document_window_get_ready (ChDocumentWindow *self)
{
  g_return_val_if_fail (CH_IS_DOCUMENT_WINDOW (self), FALSE);

  return self->ready;
}
