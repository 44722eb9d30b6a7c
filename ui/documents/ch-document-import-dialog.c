/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-document-import-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ch-document-import-dialog.h"
#include "ch-ui.h"

/* What the person filing documents says about them: one title per file
 * (the file's name to start with), and a category, date, author, sender and
 * tags for them all. The same form edits one stored document's details.
 * "confirmed" is emitted once the form is valid; the owner does the work. */

struct _ChDocumentImportDialog
{
  AdwWindow     parent_instance;

  GtkWidget    *confirm_button;
  AdwComboRow  *category_row;
  AdwEntryRow  *date_row;
  AdwEntryRow  *author_row;
  AdwEntryRow  *source_row;
  AdwEntryRow  *tags_row;
  GPtrArray    *title_rows;     /* (element-type AdwEntryRow) */
  GStrv         paths;          /* (nullable): importing; NULL when editing */

  /* What get_meta() hands out, owned here. */
  char         *date;
  char         *author;
  char         *source;
  char         *tags;
  GPtrArray    *titles;
};

G_DEFINE_FINAL_TYPE (ChDocumentImportDialog, ch_document_import_dialog, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_CONFIRMED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
dup_text (AdwEntryRow *row)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (row)));

  return g_strstrip (g_steal_pointer (&text));
}

/* An empty date means today; else YYYY-MM-DD, a real day, not to come. */
static gboolean
date_ok (const char *text)
{
  int year, month, day;
  char tail;
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GDateTime) now = NULL;

  if (text[0] == '\0')
    return TRUE;
  if (sscanf (text, "%4d-%2d-%2d%c", &year, &month, &day, &tail) != 3 || strlen (text) != 10)
    return FALSE;
  date = g_date_time_new_local (year, month, day, 0, 0, 0);
  if (date == NULL || g_date_time_get_day_of_month (date) != day)
    return FALSE;
  now = g_date_time_new_now_local ();
  return g_date_time_compare (date, now) <= 0;
}

static gboolean
ch_document_import_dialog_validate (ChDocumentImportDialog *self)
{
  g_autofree char *date = dup_text (self->date_row);
  gboolean ok = date_ok (date);

  ch_ui_set_row_error (GTK_WIDGET (self->date_row), !ok);
  for (guint i = 0; i < self->title_rows->len; i++)
    {
      g_autofree char *title = dup_text (g_ptr_array_index (self->title_rows, i));
      gboolean title_ok = title[0] != '\0';

      ch_ui_set_row_error (g_ptr_array_index (self->title_rows, i), !title_ok);
      ok = ok && title_ok;
    }
  gtk_widget_set_sensitive (self->confirm_button, ok);
  return ok;
}

guint
ch_document_import_dialog_get_n_files (ChDocumentImportDialog *self)
{
  g_return_val_if_fail (CH_IS_DOCUMENT_IMPORT_DIALOG (self), 0);

  return self->title_rows->len;
}

/* Returns: (nullable): the file to import at @index; NULL when editing */
const char *
ch_document_import_dialog_get_path (ChDocumentImportDialog *self,
                                    guint                   index)
{
  g_return_val_if_fail (CH_IS_DOCUMENT_IMPORT_DIALOG (self), NULL);

  if (self->paths == NULL || index >= g_strv_length (self->paths))
    return NULL;
  return self->paths[index];
}

/**
 * ch_document_import_dialog_get_meta:
 * @meta: (out caller-allocates): filled with strings owned by @self
 *
 * What the form says of the file at @index.
 */
void
ch_document_import_dialog_get_meta (ChDocumentImportDialog *self,
                                    guint                   index,
                                    ChDocumentMeta         *meta)
{
  const char * const *categories = ch_documents_categories ();
  guint selected;

  g_return_if_fail (CH_IS_DOCUMENT_IMPORT_DIALOG (self));
  g_return_if_fail (index < self->title_rows->len);

  g_free (self->date);
  g_free (self->author);
  g_free (self->source);
  g_free (self->tags);
  self->date = dup_text (self->date_row);
  self->author = dup_text (self->author_row);
  self->source = dup_text (self->source_row);
  self->tags = dup_text (self->tags_row);
  g_ptr_array_set_size (self->titles, 0);
  for (guint i = 0; i < self->title_rows->len; i++)
    g_ptr_array_add (self->titles, dup_text (g_ptr_array_index (self->title_rows, i)));

  selected = adw_combo_row_get_selected (self->category_row);
  memset (meta, 0, sizeof *meta);
  meta->category = selected < g_strv_length ((GStrv) categories) ? categories[selected] : "other";
  meta->date = self->date[0] != '\0' ? self->date : NULL;
  meta->title = g_ptr_array_index (self->titles, index);
  meta->author = self->author;
  meta->source = self->source;
  meta->tags = self->tags;
}

void
ch_document_import_dialog_set_category (ChDocumentImportDialog *self,
                                        const char             *category)
{
  const char * const *categories = ch_documents_categories ();

  g_return_if_fail (CH_IS_DOCUMENT_IMPORT_DIALOG (self));

  for (guint i = 0; categories[i] != NULL; i++)
    if (g_strcmp0 (categories[i], category) == 0)
      adw_combo_row_set_selected (self->category_row, i);
}

void
ch_document_import_dialog_set_title (ChDocumentImportDialog *self,
                                     guint                   index,
                                     const char             *title)
{
  g_return_if_fail (CH_IS_DOCUMENT_IMPORT_DIALOG (self));
  g_return_if_fail (index < self->title_rows->len);

  gtk_editable_set_text (GTK_EDITABLE (g_ptr_array_index (self->title_rows, index)), title);
}

/* @field: "date", "author", "source" or "tags" */
void
ch_document_import_dialog_set_field (ChDocumentImportDialog *self,
                                     const char             *field,
                                     const char             *value)
{
  AdwEntryRow *row = NULL;

  g_return_if_fail (CH_IS_DOCUMENT_IMPORT_DIALOG (self));

  if (g_str_equal (field, "date"))
    row = self->date_row;
  else if (g_str_equal (field, "author"))
    row = self->author_row;
  else if (g_str_equal (field, "source"))
    row = self->source_row;
  else if (g_str_equal (field, "tags"))
    row = self->tags_row;
  g_return_if_fail (row != NULL);

  gtk_editable_set_text (GTK_EDITABLE (row), value);
}

/* Emits ChDocumentImportDialog::confirmed and closes, if the form is valid. */
gboolean
ch_document_import_dialog_confirm (ChDocumentImportDialog *self)
{
  g_return_val_if_fail (CH_IS_DOCUMENT_IMPORT_DIALOG (self), FALSE);

  if (!ch_document_import_dialog_validate (self))
    return FALSE;

  g_signal_emit (self, signals[SIGNAL_CONFIRMED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
  return TRUE;
}

static void
on_confirm_clicked (ChDocumentImportDialog *self)
{
  ch_document_import_dialog_confirm (self);
}

/* ---- building ------------------------------------------------------------- */

static AdwEntryRow *
add_entry_row (AdwPreferencesGroup    *group,
               const char             *title,
               ChDocumentImportDialog *self)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  g_signal_connect_object (row, "changed", G_CALLBACK (ch_document_import_dialog_validate), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (row, "entry-activated", G_CALLBACK (on_confirm_clicked), self,
                           G_CONNECT_SWAPPED);
  adw_preferences_group_add (group, row);
  return ADW_ENTRY_ROW (row);
}

static ChDocumentImportDialog *
ch_document_import_dialog_build (GtkWindow  *parent,
                                 const char *heading,
                                 const char *confirm_label,
                                 guint       n_titles)
{
  ChDocumentImportDialog *self;
  GtkWidget *box, *header, *cancel, *scroller, *page;
  AdwPreferencesGroup *files, *details;
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  const char * const *categories = ch_documents_categories ();

  self = g_object_new (CH_TYPE_DOCUMENT_IMPORT_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       "title", heading,
                       "default-width", 560,
                       "default-height", MIN (720, 420 + 56 * (int) n_titles),
                       NULL);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  g_signal_connect_object (cancel, "clicked", G_CALLBACK (gtk_window_destroy), self,
                           G_CONNECT_SWAPPED);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  self->confirm_button = gtk_button_new_with_mnemonic (confirm_label);
  gtk_widget_add_css_class (self->confirm_button, "suggested-action");
  g_signal_connect_object (self->confirm_button, "clicked", G_CALLBACK (on_confirm_clicked),
                           self, G_CONNECT_SWAPPED);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->confirm_button);
  gtk_box_append (GTK_BOX (box), header);

  page = adw_preferences_page_new ();
  files = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  details = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (details, _("Details"));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), files);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), details);

  for (guint i = 0; i < n_titles; i++)
    g_ptr_array_add (self->title_rows, add_entry_row (files, _("_Title"), self));

  for (guint i = 0; categories[i] != NULL; i++)
    gtk_string_list_append (labels, ch_documents_category_label (categories[i]));
  self->category_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->category_row), _("_Category"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->category_row), TRUE);
  adw_combo_row_set_model (self->category_row, G_LIST_MODEL (labels));
  ch_document_import_dialog_set_category (self, "other");
  adw_preferences_group_add (details, GTK_WIDGET (self->category_row));

  self->date_row = add_entry_row (details, _("_Date (YYYY-MM-DD; empty for today)"), self);
  self->author_row = add_entry_row (details, _("_Author"), self);
  self->source_row = add_entry_row (details, _("_From (sender or source)"), self);
  self->tags_row = add_entry_row (details, _("Ta_gs (separated by commas)"), self);

  scroller = gtk_scrolled_window_new ();
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), page);
  gtk_box_append (GTK_BOX (box), scroller);
  adw_window_set_content (ADW_WINDOW (self), box);

  return self;
}

/**
 * ch_document_import_dialog_new:
 * @paths: the files to import
 *
 * Returns: (transfer none): a new dialog, not yet presented
 */
GtkWidget *
ch_document_import_dialog_new (GtkWindow          *parent,
                               const char * const *paths)
{
  guint n = g_strv_length ((GStrv) paths);
  ChDocumentImportDialog *self;
  g_autofree char *heading = NULL;

  g_return_val_if_fail (n > 0, NULL);

  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Import %u Document",
                                          "Import %u Documents", n), n);
  self = ch_document_import_dialog_build (parent, heading, _("_Import"), n);
  self->paths = g_strdupv ((GStrv) paths);

  for (guint i = 0; i < n; i++)
    {
      AdwEntryRow *row = g_ptr_array_index (self->title_rows, i);
      g_autofree char *name = g_filename_display_basename (paths[i]);
      char *dot = strrchr (name, '.');

      /* The file's own name says which row is which. */
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), FALSE);
      if (dot != NULL && dot != name)
        *dot = '\0';
      gtk_editable_set_text (GTK_EDITABLE (row), name);
    }
  ch_document_import_dialog_validate (self);

  return GTK_WIDGET (self);
}

/**
 * ch_document_import_dialog_new_edit:
 * @document: what is stored now
 *
 * Returns: (transfer none): a dialog editing @document's details
 */
GtkWidget *
ch_document_import_dialog_new_edit (GtkWindow        *parent,
                                    const ChDocument *document)
{
  ChDocumentImportDialog *self;

  g_return_val_if_fail (document != NULL, NULL);

  self = ch_document_import_dialog_build (parent, _("Document Details"), _("_Save"), 1);
  ch_document_import_dialog_set_title (self, 0, document->title);
  ch_document_import_dialog_set_category (self, document->category);
  gtk_editable_set_text (GTK_EDITABLE (self->date_row), document->date);
  gtk_editable_set_text (GTK_EDITABLE (self->author_row), document->author);
  gtk_editable_set_text (GTK_EDITABLE (self->source_row), document->source);
  gtk_editable_set_text (GTK_EDITABLE (self->tags_row), document->tags);
  ch_document_import_dialog_validate (self);

  return GTK_WIDGET (self);
}

/* ---- GObject ---------------------------------------------------------------- */

static void
ch_document_import_dialog_finalize (GObject *object)
{
  ChDocumentImportDialog *self = CH_DOCUMENT_IMPORT_DIALOG (object);

  g_ptr_array_unref (self->title_rows);
  g_ptr_array_unref (self->titles);
  g_strfreev (self->paths);
  g_free (self->date);
  g_free (self->author);
  g_free (self->source);
  g_free (self->tags);

  G_OBJECT_CLASS (ch_document_import_dialog_parent_class)->finalize (object);
}

static void
ch_document_import_dialog_class_init (ChDocumentImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ch_document_import_dialog_finalize;

  /**
   * ChDocumentImportDialog::confirmed:
   *
   * The form is filled in; read it with ch_document_import_dialog_get_meta().
   */
  signals[SIGNAL_CONFIRMED] = g_signal_new ("confirmed", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 0);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_document_import_dialog_init (ChDocumentImportDialog *self)
{
  self->title_rows = g_ptr_array_new ();
  self->titles = g_ptr_array_new_with_free_func (g_free);
  self->date = g_strdup ("");
  self->author = g_strdup ("");
  self->source = g_strdup ("");
  self->tags = g_strdup ("");
}
