/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-documents-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-documents.h"
#include "ch-documents-ui.h"
#include "ch-ui.h"

static const struct
{
  const char        *content_type;
  ChDocumentsUiKind  kind;
  const char        *label;
  const char        *extension;
} types[] = {
  { "application/pdf", CH_DOCUMENTS_UI_KIND_PDF, N_("PDF"), "pdf" },
  { "image/png", CH_DOCUMENTS_UI_KIND_IMAGE, N_("PNG image"), "png" },
  { "image/jpeg", CH_DOCUMENTS_UI_KIND_IMAGE, N_("JPEG image"), "jpg" },
  { "image/tiff", CH_DOCUMENTS_UI_KIND_IMAGE, N_("TIFF image"), "tif" },
  { "text/plain", CH_DOCUMENTS_UI_KIND_TEXT, N_("Text"), "txt" },
  { "application/dicom", CH_DOCUMENTS_UI_KIND_DICOM, N_("DICOM image"), "dcm" },
};

ChDocumentsUiKind
ch_documents_ui_kind (const char *content_type)
{
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_strcmp0 (types[i].content_type, content_type) == 0)
      return types[i].kind;
  if (content_type != NULL && g_str_has_prefix (content_type, "text/"))
    return CH_DOCUMENTS_UI_KIND_TEXT;
  return CH_DOCUMENTS_UI_KIND_OTHER;
}

const char *
ch_documents_ui_icon_name (const char *content_type)
{
  switch (ch_documents_ui_kind (content_type))
    {
    case CH_DOCUMENTS_UI_KIND_PDF:
      return "x-office-document-symbolic";
    case CH_DOCUMENTS_UI_KIND_IMAGE:
      return "image-x-generic-symbolic";
    case CH_DOCUMENTS_UI_KIND_TEXT:
      return "text-x-generic-symbolic";
    case CH_DOCUMENTS_UI_KIND_DICOM:
      return "camera-photo-symbolic";
    case CH_DOCUMENTS_UI_KIND_OTHER:
    default:
      return "folder-documents-symbolic";
    }
}

const char *
ch_documents_ui_type_label (const char *content_type)
{
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_strcmp0 (types[i].content_type, content_type) == 0)
      return _(types[i].label);
  if (content_type != NULL && g_str_has_prefix (content_type, "text/"))
    return _("Text");
  return content_type != NULL ? content_type : "";
}

/* "3 Nov 2026" from "2026-11-03"; the text itself when it is no date. */
char *
ch_documents_ui_format_date (const char *iso_date)
{
  int year, month, day;
  g_autoptr(GDateTime) date = NULL;

  if (iso_date == NULL || sscanf (iso_date, "%4d-%2d-%2d", &year, &month, &day) != 3)
    return g_strdup (iso_date != NULL ? iso_date : "");

  date = g_date_time_new_utc (year, month, day, 0, 0, 0);
  if (date == NULL)
    return g_strdup (iso_date);
  /* TRANSLATORS: a document's date, as g_date_time_format() writes it */
  return g_date_time_format (date, _("%-d %b %Y"));
}

/* "Referral · 3 Nov 2026 · PDF, 230 kB · from St Mary's" */
char *
ch_documents_ui_describe (const ChDocument *document)
{
  g_autofree char *date = ch_documents_ui_format_date (document->date);
  g_autofree char *size = g_format_size (document->size);
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "%s · %s · %s, %s",
                          ch_documents_category_label (document->category), date,
                          ch_documents_ui_type_label (document->content_type), size);
  if (document->source != NULL && document->source[0] != '\0')
    {
      g_string_append (text, " · ");
      /* TRANSLATORS: where a document came from: a sender or a device */
      g_string_append_printf (text, _("from %s"), document->source);
    }
  if (g_strcmp0 (document->status, "entered-in-error") == 0)
    {
      g_string_append (text, " · ");
      /* TRANSLATORS: %s is the reason given */
      g_string_append_printf (text, _("entered in error: %s"), document->status_reason);
    }

  return g_string_free (text, FALSE);
}

/* A file name for an exported copy: the title, made safe, with the type's
 * extension. */
char *
ch_documents_ui_file_name (const ChDocument *document)
{
  g_autofree char *name = g_strdup (document->title != NULL && document->title[0] != '\0'
                                    ? document->title : _("document"));
  const char *extension = NULL;

  g_strdelimit (name, "/\\:*?\"<>|", '_');
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_strcmp0 (types[i].content_type, document->content_type) == 0)
      extension = types[i].extension;

  if (extension == NULL)
    return g_steal_pointer (&name);
  {
    g_autofree char *suffix = g_strconcat (".", extension, NULL);
    g_autofree char *lower = g_ascii_strdown (name, -1);

    if (g_str_has_suffix (lower, suffix) ||
        (g_str_equal (extension, "jpg") && g_str_has_suffix (lower, ".jpeg")) ||
        (g_str_equal (extension, "tif") && g_str_has_suffix (lower, ".tiff")))
      return g_steal_pointer (&name);
    return g_strconcat (name, suffix, NULL);
  }
}

/* ---- export --------------------------------------------------------------- */

typedef struct
{
  GWeakRef    widget;     /* where to say how it went */
  ChSession  *session;
  ChDocument *document;
  char       *path;
} Export;

static void
export_free (Export *export)
{
  g_weak_ref_clear (&export->widget);
  g_clear_object (&export->session);
  g_clear_pointer (&export->document, ch_document_free);
  g_free (export->path);
  g_free (export);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Export *export = task_data;
  GError *error = NULL;

  if (ch_documents_export (export->session, export->document->id, export->path, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
export_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Export *export = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkWidget) widget = g_weak_ref_get (&export->widget);
  GtkRoot *root = widget != NULL ? gtk_widget_get_root (widget) : NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *name = g_path_get_basename (export->path);
      /* TRANSLATORS: %s is a file name */
      g_autofree char *message = g_strdup_printf (_("Exported to “%s”"), name);

      if (widget != NULL)
        ch_ui_toast (widget, message);
      return;
    }

  if (root != NULL && GTK_IS_WINDOW (root))
    {
      GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (root),
                                                  _("The Document Was Not Exported"),
                                                  error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

static void
ch_documents_ui_export_start (Export *export)
{
  g_autoptr(GTask) task = NULL;

  task = ch_ui_session_task_new (export->session, NULL, NULL, export_done, NULL);
  g_task_set_source_tag (task, ch_documents_ui_export);
  g_task_set_task_data (task, export, (GDestroyNotify) export_free);
  ch_ui_session_run_task (task, export_thread);
}

static void
export_when_idle (GObject *holder)
{
  Export *export = g_object_steal_data (holder, "export");

  if (export != NULL)
    ch_documents_ui_export_start (export);
}

static void
ch_documents_ui_export_run (Export *export)
{
  g_autoptr(GtkWidget) widget = g_weak_ref_get (&export->widget);
  g_autofree char *key = NULL;
  GObject *holder;

  if (widget == NULL || !ch_ui_session_is_busy (export->session))
    {
      ch_documents_ui_export_start (export);
      return;
    }

  /* Another page's worker has the session: the export waits for it, as
   * long as the widget it was asked from is there. */
  holder = g_object_new (G_TYPE_OBJECT, NULL);
  g_object_set_data_full (holder, "export", export, (GDestroyNotify) export_free);
  key = g_strdup_printf ("ch-documents-export-%p", (void *) holder);
  g_object_set_data_full (G_OBJECT (widget), key, holder, g_object_unref);
  ch_ui_session_when_idle (export->session, holder, G_CALLBACK (export_when_idle));
}

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     Export          *export)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      export->path = file != NULL ? g_file_get_path (file) : NULL;
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);

  if (export->path == NULL)
    {
      export_free (export);
      return;
    }
  ch_documents_ui_export_run (export);
}

void
ch_documents_ui_export (GtkWidget        *widget,
                        ChSession        *session,
                        const ChDocument *document,
                        const char       *path)
{
  Export *export;
  GtkFileChooserNative *chooser;
  g_autofree char *name = NULL;
  GtkRoot *root;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (CH_IS_SESSION (session));
  g_return_if_fail (document != NULL);

  export = g_new0 (Export, 1);
  g_weak_ref_init (&export->widget, widget);
  export->session = g_object_ref (session);
  export->document = ch_document_copy (document);

  if (path != NULL)
    {
      export->path = g_strdup (path);
      ch_documents_ui_export_run (export);
      return;
    }

  root = gtk_widget_get_root (widget);
  chooser = gtk_file_chooser_native_new (_("Export the Document"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"),
                                         _("_Cancel"));
  name = ch_documents_ui_file_name (document);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), export);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
