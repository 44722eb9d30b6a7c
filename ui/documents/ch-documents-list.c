/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-documents-list"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-chart-ui.h"
#include "ch-document-import-dialog.h"
#include "ch-document-window.h"
#include "ch-documents.h"
#include "ch-documents-list.h"
#include "ch-documents-ui.h"
#include "ch-imaging.h"
#include "ch-ui.h"

/* A patient's documents, newest first: referral letters, lab reports,
 * scans, photos and images. Files dropped on the page or chosen with
 * "Import…" are filed after a short form, one after the other on the
 * session's worker with their progress shown; each opens in a window of its
 * own. Nothing is deleted: a document filed wrongly is marked entered in
 * error, with a reason, and is listed again with "Show entered in error". */

struct _ChDocumentsList
{
  AdwBin           parent_instance;

  GtkLabel        *count_label;
  GtkDropDown     *category_filter;
  GtkCheckButton  *show_error_check;
  GtkStack        *stack;
  GtkSpinner      *spinner;
  GtkListBox      *list_box;
  GtkWidget       *studies_label;
  GtkListBox      *studies_box;
  AdwStatusPage   *error_page;
  GtkRevealer     *progress_revealer;
  GtkProgressBar  *progress_bar;
  GtkLabel        *progress_label;

  ChSession       *session;
  ChPatientRecord *patient;     /* (nullable) */
  GPtrArray       *documents;   /* (element-type ChDocument): as read */
  GPtrArray       *studies;     /* (element-type Study): the DICOM studies among them */
  GCancellable    *cancellable;
  GCancellable    *import_cancellable;
  char            *progress_text;
  guint            generation;
  gboolean         loaded;
  gboolean         busy;
  gboolean         show_entered_in_error;
};

G_DEFINE_FINAL_TYPE (ChDocumentsList, ch_documents_list, ADW_TYPE_BIN)

static gboolean
ch_documents_list_ready (ChDocumentsList *self)
{
  return self->session != NULL && self->patient != NULL && self->loaded && !self->busy &&
         !ch_ui_session_is_busy (self->session);
}

/* Who may file documents at all; the controller decides per category. */
static gboolean
ch_documents_list_can_write (ChDocumentsList *self)
{
  return ch_documents_list_ready (self) &&
         (ch_session_can (self->session, CH_AREA_CLINICAL, CH_ACCESS_WRITE) ||
          ch_session_can (self->session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_WRITE));
}

static void
ch_documents_list_update_actions (ChDocumentsList *self)
{
  gboolean ready = ch_documents_list_ready (self);
  gboolean can_write = ch_documents_list_can_write (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "documents.import", can_write);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "documents.open", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "documents.export", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "documents.open-series", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "documents.edit", can_write);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "documents.entered-in-error", can_write);
}

static void
ch_documents_list_set_busy (ChDocumentsList *self,
                            gboolean         busy)
{
  self->busy = busy;
  ch_documents_list_update_actions (self);
}

static ChDocument *
ch_documents_list_find (ChDocumentsList *self,
                        gint64           id)
{
  for (guint i = 0; self->documents != NULL && i < self->documents->len; i++)
    {
      ChDocument *document = g_ptr_array_index (self->documents, i);

      if (document->id == id)
        return document;
    }
  return NULL;
}

/* ---- imaging studies ---------------------------------------------------------------- */

/* A DICOM study of the patient's, with its series and their instances
 * (document ids, in display order), as read with the list. */
typedef struct
{
  ChImagingStudy *study;
  GPtrArray      *series;      /* (element-type ChImagingSeries) */
  GPtrArray      *instances;   /* (element-type GArray of gint64), one per series */
} Study;

static void
study_free (Study *study)
{
  ch_imaging_study_free (study->study);
  g_ptr_array_unref (study->series);
  g_ptr_array_unref (study->instances);
  g_free (study);
}

/* Whether @id is an instance of a study, shown with its series rather than
 * on its own. */
static gboolean
ch_documents_list_in_study (ChDocumentsList *self,
                            gint64           id)
{
  for (guint i = 0; self->studies != NULL && i < self->studies->len; i++)
    {
      Study *study = g_ptr_array_index (self->studies, i);

      for (guint j = 0; j < study->instances->len; j++)
        {
          GArray *ids = g_ptr_array_index (study->instances, j);

          for (guint k = 0; k < ids->len; k++)
            if (g_array_index (ids, gint64, k) == id)
              return TRUE;
        }
    }
  return FALSE;
}

static void
on_series_activated (ChDocumentsList *self,
                     AdwActionRow    *row)
{
  Study *study = g_object_get_data (G_OBJECT (row), "study");
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "series-index"));

  if (study != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "documents.open-series", "(su)",
                                study->study->study_uid, index);
}

static void
ch_documents_list_fill_studies (ChDocumentsList *self)
{
  GtkWidget *child;
  guint n = self->studies != NULL ? self->studies->len : 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->studies_box))) != NULL)
    gtk_list_box_remove (self->studies_box, child);

  for (guint i = 0; i < n; i++)
    {
      Study *study = g_ptr_array_index (self->studies, i);
      g_autofree char *date = ch_documents_ui_format_date (study->study->date);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      GtkWidget *row = adw_expander_row_new ();

      title = study->study->description[0] != '\0'
              ? g_strdup_printf ("%s · %s", study->study->description, date)
              : g_strdup (date[0] != '\0' ? date : _("Undated study"));
      {
        g_autofree char *series = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u series",
                                                                "%u series",
                                                                study->study->n_series),
                                                   study->study->n_series);
        g_autofree char *images = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u image",
                                                                "%u images",
                                                                study->study->n_instances),
                                                   study->study->n_instances);

        subtitle = g_strdup_printf ("%s · %s · %s", study->study->modalities, series, images);
      }
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);
      adw_expander_row_add_prefix (ADW_EXPANDER_ROW (row),
                                   gtk_image_new_from_icon_name ("camera-photo-symbolic"));

      for (guint j = 0; j < study->series->len; j++)
        {
          ChImagingSeries *series = g_ptr_array_index (study->series, j);
          GArray *ids = g_ptr_array_index (study->instances, j);
          GtkWidget *series_row = adw_action_row_new ();
          GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");
          g_autofree char *series_title = NULL;
          g_autofree char *series_subtitle = NULL;

          if (ids->len == 0)
            continue;
          /* TRANSLATORS: a DICOM series: its number, modality and description */
          series_title = series->has_number
                         ? g_strdup_printf (_("Series %d · %s"), series->number, series->modality)
                         : g_strdup (series->modality);
          if (series->description[0] != '\0')
            {
              g_autofree char *plain = g_steal_pointer (&series_title);

              series_title = g_strdup_printf ("%s · %s", plain, series->description);
            }
          series_subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u image",
                                                          "%u images", ids->len), ids->len);
          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (series_row), FALSE);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (series_row), series_title);
          adw_action_row_set_subtitle (ADW_ACTION_ROW (series_row), series_subtitle);
          adw_action_row_add_suffix (ADW_ACTION_ROW (series_row), arrow);
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (series_row), TRUE);
          g_object_set_data (G_OBJECT (series_row), "study", study);
          g_object_set_data (G_OBJECT (series_row), "series-index", GUINT_TO_POINTER (j));
          g_signal_connect_object (series_row, "activated", G_CALLBACK (on_series_activated),
                                   self, G_CONNECT_SWAPPED);
          adw_expander_row_add_row (ADW_EXPANDER_ROW (row), series_row);
        }
      gtk_list_box_append (self->studies_box, row);
    }

  gtk_widget_set_visible (self->studies_label, n > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->studies_box), n > 0);
}

/**
 * ch_documents_list_open_series:
 * @study_uid: a study of the patient's
 * @series_index: which of its series, in the order listed
 *
 * Returns: (transfer none) (nullable): the window showing the series' images
 */
GtkWidget *
ch_documents_list_open_series (ChDocumentsList *self,
                               const char      *study_uid,
                               guint            series_index)
{
  for (guint i = 0; self->studies != NULL && i < self->studies->len; i++)
    {
      Study *study = g_ptr_array_index (self->studies, i);
      ChImagingSeries *series;
      GArray *ids;
      ChDocument *first;
      GtkRoot *root;
      GtkWidget *window;
      g_autofree char *title = NULL;

      if (g_strcmp0 (study->study->study_uid, study_uid) != 0 ||
          series_index >= study->series->len)
        continue;

      series = g_ptr_array_index (study->series, series_index);
      ids = g_ptr_array_index (study->instances, series_index);
      first = ids->len > 0 ? ch_documents_list_find (self, g_array_index (ids, gint64, 0)) : NULL;
      if (first == NULL)
        return NULL;

      title = series->description[0] != '\0'
              ? g_strdup_printf ("%s · %s", series->modality, series->description)
              : g_strdup (study->study->description[0] != '\0' ? study->study->description
                                                                : series->modality);
      root = gtk_widget_get_root (GTK_WIDGET (self));
      window = ch_document_window_new_series (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                              self->session, first, title, ids);
      gtk_window_present (GTK_WINDOW (window));
      return window;
    }
  return NULL;
}

static void
open_series_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  const char *study_uid = NULL;
  guint index = 0;

  g_variant_get (parameter, "(&su)", &study_uid, &index);
  ch_documents_list_open_series (CH_DOCUMENTS_LIST (widget), study_uid, index);
}

/* ---- the list ------------------------------------------------------------------- */

static const char *
ch_documents_list_filter_category (ChDocumentsList *self)
{
  guint selected = gtk_drop_down_get_selected (self->category_filter);
  const char * const *categories = ch_documents_categories ();

  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION)
    return NULL;
  return selected - 1 < g_strv_length ((GStrv) categories) ? categories[selected - 1] : NULL;
}

static GtkWidget *
menu_button_new (gint64 id,
                 gboolean entered_in_error)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  GtkWidget *button;
  g_autoptr(GMenuItem) item = NULL;

  item = g_menu_item_new (_("_Open"), NULL);
  g_menu_item_set_action_and_target (item, "documents.open", "x", id);
  g_menu_append_item (menu, item);
  g_clear_object (&item);
  item = g_menu_item_new (_("_Export…"), NULL);
  g_menu_item_set_action_and_target (item, "documents.export", "x", id);
  g_menu_append_item (menu, item);
  if (!entered_in_error)
    {
      g_autoptr(GMenu) section = g_menu_new ();

      g_clear_object (&item);
      item = g_menu_item_new (_("_Details…"), NULL);
      g_menu_item_set_action_and_target (item, "documents.edit", "x", id);
      g_menu_append_item (menu, item);
      g_clear_object (&item);
      item = g_menu_item_new (_("Mark as Entered in _Error…"), NULL);
      g_menu_item_set_action_and_target (item, "documents.entered-in-error", "x", id);
      g_menu_append_item (section, item);
      g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
    }

  button = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "view-more-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("More"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Commands for this document"), -1);
  return button;
}

static void
ch_documents_list_fill (ChDocumentsList *self)
{
  const char *category = ch_documents_list_filter_category (self);
  GtkWidget *child;
  guint shown = 0;
  guint standalone = 0;   /* the documents on their own: a study's images count as it */
  guint n_studies = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);

  if (category == NULL || g_str_equal (category, "imaging"))
    {
      ch_documents_list_fill_studies (self);
      n_studies = self->studies != NULL ? self->studies->len : 0;
    }
  else
    {
      gtk_widget_set_visible (self->studies_label, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->studies_box), FALSE);
    }

  for (guint i = 0; self->documents != NULL && i < self->documents->len; i++)
    {
      ChDocument *document = g_ptr_array_index (self->documents, i);
      gboolean in_error = g_strcmp0 (document->status, "entered-in-error") == 0;
      g_autofree char *subtitle = NULL;
      GtkWidget *row, *icon;

      if (!in_error && ch_documents_list_in_study (self, document->id))
        continue;
      standalone++;
      if (category != NULL && g_strcmp0 (document->category, category) != 0)
        continue;

      subtitle = ch_documents_ui_describe (document);
      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), document->title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
      icon = gtk_image_new_from_icon_name (ch_documents_ui_icon_name (document->content_type));
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      ch_documents_ui_type_label (document->content_type), -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), menu_button_new (document->id, in_error));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "document", ch_document_copy (document),
                              (GDestroyNotify) ch_document_free);
      if (in_error)
        gtk_widget_add_css_class (row, "dim-label");
      gtk_list_box_append (self->list_box, row);
      shown++;
    }

  if (self->loaded)
    {
      guint n = standalone;
      guint all_studies = self->studies != NULL ? self->studies->len : 0;
      GString *text = g_string_new (NULL);

      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u document",
                                                 "%u documents", n), n);
      if (all_studies > 0)
        {
          g_string_append (text, " · ");
          g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u imaging study",
                                                     "%u imaging studies", all_studies),
                                  all_studies);
        }
      if (shown != n)
        {
          g_string_append (text, " · ");
          /* TRANSLATORS: how many documents the category chosen leaves in sight */
          g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u shown", "%u shown",
                                                     shown), shown);
        }
      gtk_label_set_text (self->count_label, text->str);
      g_string_free (text, TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->list_box), shown > 0);
      ch_ui_stack_show (self->stack, shown + n_studies > 0 ? "list" : "empty");
    }
  else
    gtk_label_set_text (self->count_label, "");
}

static void
on_row_activated (ChDocumentsList *self,
                  GtkListBoxRow   *row)
{
  ChDocument *document = g_object_get_data (G_OBJECT (row), "document");

  if (document != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "documents.open", "x", document->id);
}

/* ---- loading ---------------------------------------------------------------------- */

typedef struct
{
  ChSession *session;
  gint64     patient_id;
  guint      generation;
  gboolean   include_entered_in_error;
  GPtrArray *documents;
  GPtrArray *studies;
} Load;

static void
load_free (Load *load)
{
  g_clear_object (&load->session);
  g_clear_pointer (&load->documents, g_ptr_array_unref);
  g_clear_pointer (&load->studies, g_ptr_array_unref);
  g_free (load);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Load *load = task_data;
  GError *error = NULL;

  g_autoptr(GPtrArray) studies = NULL;

  load->documents = ch_documents_list (load->session, load->patient_id,
                                       load->include_entered_in_error, &error);
  if (load->documents == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* DICOM images are shown by study and series, for those who may see them. */
  load->studies = g_ptr_array_new_with_free_func ((GDestroyNotify) study_free);
  if (!ch_session_can (load->session, CH_AREA_CLINICAL, CH_ACCESS_READ))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  studies = ch_imaging_list_studies (load->session, load->patient_id, &error);
  if (studies == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Each study record goes into its Study. */
  g_ptr_array_set_free_func (studies, NULL);
  for (guint i = 0; i < studies->len; i++)
    {
      Study *study = g_new0 (Study, 1);

      study->study = g_ptr_array_index (studies, i);
      study->instances = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
      g_ptr_array_add (load->studies, study);
      study->series = ch_imaging_list_series (load->session, load->patient_id,
                                              study->study->study_uid, &error);
      if (study->series == NULL)
        {
          study->series = g_ptr_array_new ();
          g_task_return_error (task, error);
          return;
        }
      for (guint j = 0; j < study->series->len; j++)
        {
          ChImagingSeries *series = g_ptr_array_index (study->series, j);
          GArray *ids = ch_imaging_list_instances (load->session, load->patient_id,
                                                   series->series_uid, &error);

          if (ids == NULL)
            {
              g_task_return_error (task, error);
              return;
            }
          g_ptr_array_add (study->instances, ids);
        }
    }
  g_task_return_boolean (task, TRUE);
}

static void
load_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChDocumentsList *self = CH_DOCUMENTS_LIST (object);
  Load *load = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      ch_documents_list_set_busy (self, FALSE);
      if (load->generation != self->generation)
        return;
      gtk_spinner_set_spinning (self->spinner, FALSE);
      adw_status_page_set_description (self->error_page, error->message);
      ch_ui_stack_show (self->stack, "error");
      return;
    }

  if (load->generation == self->generation)
    {
      g_clear_pointer (&self->documents, g_ptr_array_unref);
      self->documents = g_steal_pointer (&load->documents);
      g_clear_pointer (&self->studies, g_ptr_array_unref);
      self->studies = g_steal_pointer (&load->studies);
      self->loaded = TRUE;
      gtk_spinner_set_spinning (self->spinner, FALSE);
      ch_documents_list_fill (self);
    }
  ch_documents_list_set_busy (self, FALSE);
}

static void
ch_documents_list_start_load (ChDocumentsList *self)
{
  g_autoptr(GTask) task = NULL;
  Load *load;

  if (self->patient == NULL || self->session == NULL)
    return;

  if (ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self),
                               G_CALLBACK (ch_documents_list_start_load));
      return;
    }

  load = g_new0 (Load, 1);
  load->session = g_object_ref (self->session);
  load->patient_id = self->patient->id;
  load->generation = self->generation;
  load->include_entered_in_error = self->show_entered_in_error;

  ch_documents_list_set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, load_done, NULL);
  g_task_set_source_tag (task, ch_documents_list_start_load);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  ch_ui_session_run_task (task, load_thread);
}

static void
ch_documents_list_forget (ChDocumentsList *self)
{
  self->generation++;
  self->loaded = FALSE;
  g_clear_pointer (&self->documents, g_ptr_array_unref);
  g_clear_pointer (&self->studies, g_ptr_array_unref);
  ch_documents_list_fill (self);
}

/**
 * ch_documents_list_load:
 * @patient: whose documents (copied)
 *
 * Forgets the documents shown and lists @patient's, read on a worker.
 */
void
ch_documents_list_load (ChDocumentsList       *self,
                        const ChPatientRecord *patient)
{
  g_return_if_fail (CH_IS_DOCUMENTS_LIST (self));
  g_return_if_fail (patient != NULL);

  g_clear_pointer (&self->patient, ch_patient_record_free);
  self->patient = ch_patient_record_copy (patient);
  ch_documents_list_forget (self);
  gtk_spinner_set_spinning (self->spinner, TRUE);
  ch_ui_stack_show (self->stack, "loading");
  ch_documents_list_update_actions (self);

  ch_documents_list_start_load (self);
}

void
ch_documents_list_reload (ChDocumentsList *self)
{
  g_return_if_fail (CH_IS_DOCUMENTS_LIST (self));

  ch_documents_list_start_load (self);
}

/* Forgets the patient, so that no document stays in a hidden widget. */
void
ch_documents_list_clear (ChDocumentsList *self)
{
  g_return_if_fail (CH_IS_DOCUMENTS_LIST (self));

  g_clear_pointer (&self->patient, ch_patient_record_free);
  ch_documents_list_forget (self);
  gtk_spinner_set_spinning (self->spinner, FALSE);
  ch_ui_stack_show (self->stack, "loading");
  ch_documents_list_update_actions (self);
}

void
ch_documents_list_set_show_entered_in_error (ChDocumentsList *self,
                                             gboolean         show)
{
  g_return_if_fail (CH_IS_DOCUMENTS_LIST (self));

  gtk_check_button_set_active (self->show_error_check, show);
}

static void
on_show_error_toggled (ChDocumentsList *self)
{
  self->show_entered_in_error = gtk_check_button_get_active (self->show_error_check);
  ch_documents_list_reload (self);
}

/* ---- import ---------------------------------------------------------------------- */

typedef struct
{
  char *path;
  char *category;
  char *date;
  char *title;
  char *author;
  char *source;
  char *tags;
} ImportFile;

static void
import_file_free (ImportFile *file)
{
  g_free (file->path);
  g_free (file->category);
  g_free (file->date);
  g_free (file->title);
  g_free (file->author);
  g_free (file->source);
  g_free (file->tags);
  g_free (file);
}

typedef struct
{
  ChSession *session;
  gint64     patient_id;
  GPtrArray *files;          /* (element-type ImportFile) */
  GWeakRef   list;
  guint      n_stored;
  GString   *failures;
} Import;

static void
import_free (Import *import)
{
  g_clear_object (&import->session);
  g_clear_pointer (&import->files, g_ptr_array_unref);
  g_weak_ref_clear (&import->list);
  if (import->failures != NULL)
    g_string_free (import->failures, TRUE);
  g_free (import);
}

typedef struct
{
  ChDocumentsList *list;     /* (owned) */
  guint            done;
  guint            total;
  char            *name;
} Progress;

static void
progress_free (Progress *progress)
{
  g_clear_object (&progress->list);
  g_free (progress->name);
  g_free (progress);
}

static void
ch_documents_list_show_progress (ChDocumentsList *self,
                                 guint            done,
                                 guint            total,
                                 const char      *name)
{
  g_free (self->progress_text);
  /* TRANSLATORS: importing document 2 of 5: the file's name */
  self->progress_text = g_strdup_printf (_("Importing %u of %u: %s"), done + 1, total, name);
  gtk_label_set_text (self->progress_label, self->progress_text);
  gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? (double) done / total : 0.0);
  gtk_revealer_set_reveal_child (self->progress_revealer, TRUE);
}

static gboolean
progress_invoke (gpointer data)
{
  Progress *progress = data;

  ch_documents_list_show_progress (progress->list, progress->done, progress->total,
                                   progress->name);
  return G_SOURCE_REMOVE;
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Import *import = task_data;

  import->failures = g_string_new (NULL);
  for (guint i = 0; i < import->files->len; i++)
    {
      ImportFile *file = g_ptr_array_index (import->files, i);
      ChDocumentMeta meta = {
        .category = file->category,
        .date = file->date[0] != '\0' ? file->date : NULL,
        .title = file->title,
        .author = file->author,
        .source = file->source,
        .tags = file->tags,
      };
      g_autofree char *name = g_filename_display_basename (file->path);
      g_autoptr(GError) error = NULL;
      ChDocumentsList *list;
      gint64 id;

      /* Stopping between files: each is stored whole or not at all. */
      if (g_cancellable_is_cancelled (cancellable))
        break;

      list = g_weak_ref_get (&import->list);
      if (list != NULL)
        {
          Progress *progress = g_new0 (Progress, 1);

          progress->list = list;
          progress->done = i;
          progress->total = import->files->len;
          progress->name = g_strdup (name);
          g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, progress_invoke, progress,
                                      (GDestroyNotify) progress_free);
        }

      /* DICOM images are filed by study and series as well. */
      if (ch_imaging_import_path (import->session, import->patient_id, &meta, file->path, &id,
                                  NULL, &error))
        import->n_stored++;
      else
        g_string_append_printf (import->failures, "%s: %s\n", name, error->message);
    }
  g_task_return_boolean (task, TRUE);
}

static void
import_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  ChDocumentsList *self = CH_DOCUMENTS_LIST (object);
  Import *import = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  guint skipped;

  g_task_propagate_boolean (G_TASK (result), &error);
  gtk_revealer_set_reveal_child (self->progress_revealer, FALSE);
  g_clear_pointer (&self->progress_text, g_free);
  g_clear_object (&self->import_cancellable);
  ch_documents_list_set_busy (self, FALSE);
  ch_documents_list_reload (self);

  skipped = import->files->len - import->n_stored;
  if (import->failures->len > 0)
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      g_autofree char *heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                               "%u Document Not Imported",
                                                               "%u Documents Not Imported",
                                                               skipped), skipped);
      GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                  heading, import->failures->str);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  {
    g_autofree char *message = NULL;

    if (skipped > 0)
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "%u document imported; the rest were not",
                                              "%u documents imported; the rest were not",
                                              import->n_stored), import->n_stored);
    else
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u document imported",
                                              "%u documents imported", import->n_stored),
                                 import->n_stored);
    ch_ui_toast (GTK_WIDGET (self), message);
  }
}

static void
ch_documents_list_run_import (ChDocumentsList *self,
                              GPtrArray       *files)
{
  g_autoptr(GTask) task = NULL;
  Import *import;

  if (self->patient == NULL || self->session == NULL)
    return;

  import = g_new0 (Import, 1);
  import->session = g_object_ref (self->session);
  import->patient_id = self->patient->id;
  import->files = g_ptr_array_ref (files);
  g_weak_ref_init (&import->list, self);

  g_clear_object (&self->import_cancellable);
  self->import_cancellable = g_cancellable_new ();
  ch_documents_list_set_busy (self, TRUE);
  ch_documents_list_show_progress (self, 0, files->len,
                                   ((ImportFile *) g_ptr_array_index (files, 0))->title);

  task = ch_ui_session_task_new (self->session, self, self->import_cancellable, import_done,
                                 NULL);
  g_task_set_source_tag (task, ch_documents_list_run_import);
  g_task_set_task_data (task, import, (GDestroyNotify) import_free);
  ch_ui_session_run_task (task, import_thread);
}

static void
on_import_confirmed (ChDocumentsList        *self,
                     ChDocumentImportDialog *dialog)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) import_file_free);

  for (guint i = 0; i < ch_document_import_dialog_get_n_files (dialog); i++)
    {
      ChDocumentMeta meta;
      ImportFile *file = g_new0 (ImportFile, 1);

      ch_document_import_dialog_get_meta (dialog, i, &meta);
      file->path = g_strdup (ch_document_import_dialog_get_path (dialog, i));
      file->category = g_strdup (meta.category);
      file->date = g_strdup (meta.date != NULL ? meta.date : "");
      file->title = g_strdup (meta.title);
      file->author = g_strdup (meta.author);
      file->source = g_strdup (meta.source);
      file->tags = g_strdup (meta.tags);
      g_ptr_array_add (files, file);
    }

  if (!ch_documents_list_ready (self))
    {
      ch_ui_toast (GTK_WIDGET (self), _("Charta is busy; import the files again in a moment"));
      return;
    }
  ch_documents_list_run_import (self, files);
}

/**
 * ch_documents_list_import_files:
 * @paths: files to file in the chart
 *
 * Asks what the files are (a form), then imports them with progress.
 *
 * Returns: (transfer none) (nullable): the form, presented; NULL when the
 *   list takes no import now
 */
GtkWidget *
ch_documents_list_import_files (ChDocumentsList    *self,
                                const char * const *paths)
{
  GtkRoot *root;
  GtkWidget *dialog;

  g_return_val_if_fail (CH_IS_DOCUMENTS_LIST (self), NULL);
  g_return_val_if_fail (paths != NULL, NULL);

  if (paths[0] == NULL || !ch_documents_list_can_write (self))
    return NULL;

  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = ch_document_import_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                          paths);
  g_signal_connect_object (dialog, "confirmed", G_CALLBACK (on_import_confirmed), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
on_import_chooser_response (GtkNativeDialog *chooser,
                            int              response,
                            ChDocumentsList *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));
      g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);
          char *path = g_file_get_path (file);

          if (path != NULL)
            g_ptr_array_add (paths, path);
        }
      g_ptr_array_add (paths, NULL);
      ch_documents_list_import_files (self, (const char * const *) paths->pdata);
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
import_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ChDocumentsList *self = CH_DOCUMENTS_LIST (widget);
  GtkFileChooserNative *chooser;
  GtkRoot *root = gtk_widget_get_root (widget);

  if (!ch_documents_list_can_write (self))
    return;

  chooser = gtk_file_chooser_native_new (_("Import Documents"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"),
                                         _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_import_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
cancel_import_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  ChDocumentsList *self = CH_DOCUMENTS_LIST (widget);

  if (self->import_cancellable != NULL)
    {
      g_cancellable_cancel (self->import_cancellable);
      gtk_label_set_text (self->progress_label, _("Stopping after the current file…"));
    }
}

static gboolean
on_drop (GtkDropTarget   *target,
         const GValue    *value,
         double           x,
         double           y,
         ChDocumentsList *self)
{
  GSList *files;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;

  files = g_value_get_boxed (value);
  for (GSList *l = files; l != NULL; l = l->next)
    {
      char *path = g_file_get_path (l->data);

      if (path != NULL)
        g_ptr_array_add (paths, path);
    }
  if (paths->len == 0)
    return FALSE;
  g_ptr_array_add (paths, NULL);

  return ch_documents_list_import_files (self, (const char * const *) paths->pdata) != NULL;
}

/* ---- open, export, details, entered in error ---------------------------------------- */

/**
 * ch_documents_list_open:
 *
 * Returns: (transfer none) (nullable): the window showing the document
 */
GtkWidget *
ch_documents_list_open (ChDocumentsList *self,
                        gint64           document_id)
{
  ChDocument *document;
  GtkRoot *root;
  GtkWidget *window;

  g_return_val_if_fail (CH_IS_DOCUMENTS_LIST (self), NULL);

  document = ch_documents_list_find (self, document_id);
  if (document == NULL || self->session == NULL)
    return NULL;

  root = gtk_widget_get_root (GTK_WIDGET (self));
  window = ch_document_window_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   self->session, document);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
open_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ch_documents_list_open (CH_DOCUMENTS_LIST (widget), g_variant_get_int64 (parameter));
}

void
ch_documents_list_export (ChDocumentsList *self,
                          gint64           document_id,
                          const char      *path)
{
  ChDocument *document;

  g_return_if_fail (CH_IS_DOCUMENTS_LIST (self));

  document = ch_documents_list_find (self, document_id);
  if (document != NULL && self->session != NULL)
    ch_documents_ui_export (GTK_WIDGET (self), self->session, document, path);
}

static void
export_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ch_documents_list_export (CH_DOCUMENTS_LIST (widget), g_variant_get_int64 (parameter), NULL);
}

typedef struct
{
  ChSession  *session;
  ChDocument *document;   /* the details to store, or the one to mark */
  char       *reason;     /* (nullable): marking entered in error */
} Change;

static void
change_free (Change *change)
{
  g_clear_object (&change->session);
  g_clear_pointer (&change->document, ch_document_free);
  g_free (change->reason);
  g_free (change);
}

static void
change_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Change *change = task_data;
  GError *error = NULL;
  gboolean ok;

  if (change->reason != NULL)
    ok = ch_documents_mark_entered_in_error (change->session, change->document->id,
                                             change->reason, &error);
  else
    ok = ch_documents_update_meta (change->session, change->document, &error);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
change_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  ChDocumentsList *self = CH_DOCUMENTS_LIST (object);
  g_autoptr(GError) error = NULL;

  ch_documents_list_set_busy (self, FALSE);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ch_ui_toast (GTK_WIDGET (self), error->message);
    }
  ch_documents_list_reload (self);
}

static void
ch_documents_list_run_change (ChDocumentsList *self,
                              ChDocument      *document,
                              const char      *reason)
{
  g_autoptr(GTask) task = NULL;
  Change *change;

  if (!ch_documents_list_ready (self))
    {
      ch_ui_toast (GTK_WIDGET (self), _("Charta is busy; try again in a moment"));
      return;
    }

  change = g_new0 (Change, 1);
  change->session = g_object_ref (self->session);
  change->document = ch_document_copy (document);
  change->reason = g_strdup (reason);

  ch_documents_list_set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, change_done, NULL);
  g_task_set_source_tag (task, ch_documents_list_run_change);
  g_task_set_task_data (task, change, (GDestroyNotify) change_free);
  ch_ui_session_run_task (task, change_thread);
}

static void
on_edit_confirmed (ChDocumentsList        *self,
                   ChDocumentImportDialog *dialog)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "document-id"));
  ChDocument *stored = ch_documents_list_find (self, id);
  g_autoptr(ChDocument) document = NULL;
  ChDocumentMeta meta;

  if (stored == NULL)
    return;

  ch_document_import_dialog_get_meta (dialog, 0, &meta);
  document = ch_document_copy (stored);
#define SET(field, value) (g_free (document->field), document->field = g_strdup (value))
  SET (category, meta.category);
  if (meta.date != NULL)
    SET (date, meta.date);
  SET (title, meta.title);
  SET (author, meta.author);
  SET (source, meta.source);
  SET (tags, meta.tags);
#undef SET
  ch_documents_list_run_change (self, document, NULL);
}

static void
edit_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChDocumentsList *self = CH_DOCUMENTS_LIST (widget);
  gint64 id = g_variant_get_int64 (parameter);
  ChDocument *document = ch_documents_list_find (self, id);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  if (document == NULL)
    return;

  dialog = ch_document_import_dialog_new_edit (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               document);
  g_object_set_data (G_OBJECT (dialog), "document-id", GSIZE_TO_POINTER ((gsize) id));
  g_signal_connect_object (dialog, "confirmed", G_CALLBACK (on_edit_confirmed), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_error_response (AdwMessageDialog *dialog,
                   const char       *response,
                   ChDocumentsList  *self)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "document-id"));
  ChDocument *document = ch_documents_list_find (self, id);
  g_autofree char *reason = NULL;

  if (!g_str_equal (response, "confirm") || document == NULL)
    return;

  reason = ch_chart_ui_reason_dialog_get_reason (dialog);
  ch_documents_list_run_change (self, document, reason);
}

static void
entered_in_error_activated (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  ChDocumentsList *self = CH_DOCUMENTS_LIST (widget);
  gint64 id = g_variant_get_int64 (parameter);
  ChDocument *document = ch_documents_list_find (self, id);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (document == NULL)
    return;

  /* TRANSLATORS: %s is the document's title */
  body = g_strdup_printf (_("“%s” stays in the record, marked as filed in error, and is no "
                            "longer listed. Say why."), document->title);
  dialog = ch_chart_ui_reason_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                          _("Mark the Document as Entered in Error?"), body,
                                          _("_Mark Entered in Error"));
  g_object_set_data (G_OBJECT (dialog), "document-id", GSIZE_TO_POINTER ((gsize) id));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_error_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- public ------------------------------------------------------------------------ */

void
ch_documents_list_set_session (ChDocumentsList *self,
                               ChSession       *session)
{
  g_return_if_fail (CH_IS_DOCUMENTS_LIST (self));
  g_return_if_fail (CH_IS_SESSION (session));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  ch_ui_session_watch_busy (session, G_OBJECT (self),
                            G_CALLBACK (ch_documents_list_update_actions));
  ch_documents_list_update_actions (self);
}

gboolean
ch_documents_list_get_busy (ChDocumentsList *self)
{
  g_return_val_if_fail (CH_IS_DOCUMENTS_LIST (self), FALSE);

  return self->busy || !self->loaded;
}

/* Returns: (transfer none) (element-type ChDocument) (nullable): as last read */
GPtrArray *
ch_documents_list_get_documents (ChDocumentsList *self)
{
  g_return_val_if_fail (CH_IS_DOCUMENTS_LIST (self), NULL);

  return self->documents;
}

/* Returns: (nullable): what the import progress says, while importing */
const char *
ch_documents_list_get_progress_text (ChDocumentsList *self)
{
  g_return_val_if_fail (CH_IS_DOCUMENTS_LIST (self), NULL);

  return self->progress_text;
}

/* ---- GObject ---------------------------------------------------------------------- */

static GtkWidget *
ch_documents_list_build (ChDocumentsList *self)
{
  GtkWidget *clamp, *box, *header, *titles, *heading, *import_button, *content, *scroller;
  GtkWidget *loading, *empty, *progress_box, *progress_row, *cancel, *list_page;
  g_autoptr(GtkStringList) filter = gtk_string_list_new (NULL);
  const char * const *categories = ch_documents_categories ();
  GtkDropTarget *target;

  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 1120);
  gtk_widget_set_margin_top (clamp, 18);
  gtk_widget_set_margin_bottom (clamp, 24);
  gtk_widget_set_margin_start (clamp, 12);
  gtk_widget_set_margin_end (clamp, 12);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);

  /* The heading row: title and count, filters, import. */
  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  titles = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_hexpand (titles, TRUE);
  gtk_widget_set_valign (titles, GTK_ALIGN_CENTER);
  heading = gtk_label_new (_("Documents"));
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  self->count_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->count_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->count_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->count_label), "caption");
  gtk_box_append (GTK_BOX (titles), heading);
  gtk_box_append (GTK_BOX (titles), GTK_WIDGET (self->count_label));
  gtk_box_append (GTK_BOX (header), titles);

  gtk_string_list_append (filter, _("All categories"));
  for (guint i = 0; categories[i] != NULL; i++)
    gtk_string_list_append (filter, ch_documents_category_label (categories[i]));
  self->category_filter = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (filter)),
                                                            NULL));
  gtk_widget_set_valign (GTK_WIDGET (self->category_filter), GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->category_filter), _("Show one category"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->category_filter),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Category shown"), -1);
  g_signal_connect_object (self->category_filter, "notify::selected",
                           G_CALLBACK (ch_documents_list_fill), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->category_filter));

  self->show_error_check =
    GTK_CHECK_BUTTON (gtk_check_button_new_with_mnemonic (_("Show entered in _error")));
  gtk_widget_set_valign (GTK_WIDGET (self->show_error_check), GTK_ALIGN_CENTER);
  g_signal_connect_object (self->show_error_check, "toggled",
                           G_CALLBACK (on_show_error_toggled), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->show_error_check));

  import_button = gtk_button_new ();
  gtk_button_set_child (GTK_BUTTON (import_button), adw_button_content_new ());
  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (gtk_button_get_child (
                                      GTK_BUTTON (import_button))), "document-open-symbolic");
  adw_button_content_set_label (ADW_BUTTON_CONTENT (gtk_button_get_child (
                                  GTK_BUTTON (import_button))), _("_Import…"));
  adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (gtk_button_get_child (
                                          GTK_BUTTON (import_button))), TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (import_button), "documents.import");
  gtk_widget_set_valign (import_button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (import_button,
                               _("File documents in this chart (Ctrl+O), or drop files here"));
  gtk_box_append (GTK_BOX (header), import_button);
  gtk_box_append (GTK_BOX (box), header);

  /* Import progress. */
  self->progress_revealer = GTK_REVEALER (gtk_revealer_new ());
  progress_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  progress_row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  self->progress_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->progress_label, 0);
  gtk_label_set_ellipsize (self->progress_label, PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->progress_label), TRUE);
  cancel = gtk_button_new_with_mnemonic (_("_Stop"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "documents.cancel-import");
  gtk_widget_set_tooltip_text (cancel, _("Stop after the file being imported"));
  gtk_box_append (GTK_BOX (progress_row), GTK_WIDGET (self->progress_label));
  gtk_box_append (GTK_BOX (progress_row), cancel);
  self->progress_bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Import progress"), -1);
  gtk_box_append (GTK_BOX (progress_box), progress_row);
  gtk_box_append (GTK_BOX (progress_box), GTK_WIDGET (self->progress_bar));
  gtk_revealer_set_child (self->progress_revealer, progress_box);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->progress_revealer));

  /* The list, or why there is none. */
  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);

  loading = gtk_spinner_new ();
  self->spinner = GTK_SPINNER (loading);
  gtk_widget_set_halign (loading, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (loading, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (loading, 32, 32);
  gtk_accessible_update_property (GTK_ACCESSIBLE (loading), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Reading the documents"), -1);
  gtk_stack_add_named (self->stack, loading, "loading");

  content = gtk_list_box_new ();
  self->list_box = GTK_LIST_BOX (content);
  gtk_list_box_set_selection_mode (self->list_box, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (content, "boxed-list");
  gtk_widget_set_valign (content, GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (content), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Documents"), -1);
  g_signal_connect_object (content, "row-activated", G_CALLBACK (on_row_activated), self,
                           G_CONNECT_SWAPPED);
  self->studies_label = gtk_label_new (_("Imaging Studies"));
  gtk_label_set_xalign (GTK_LABEL (self->studies_label), 0);
  gtk_widget_add_css_class (self->studies_label, "heading");
  self->studies_box = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->studies_box, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->studies_box), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->studies_box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Imaging studies"), -1);
  list_page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_box_append (GTK_BOX (list_page), self->studies_label);
  gtk_box_append (GTK_BOX (list_page), GTK_WIDGET (self->studies_box));
  gtk_box_append (GTK_BOX (list_page), content);

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list_page);
  gtk_stack_add_named (self->stack, scroller, "list");

  empty = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "folder-documents-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("No Documents"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("Drop letters, lab reports, scans or images here, or "
                                     "choose Import…"));
  gtk_widget_add_css_class (empty, "compact");
  gtk_stack_add_named (self->stack, empty, "empty");

  self->error_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->error_page, "dialog-warning-symbolic");
  adw_status_page_set_title (self->error_page, _("The Documents Cannot Be Listed"));
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->error_page), "error");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));

  /* Files dropped anywhere on the page. */
  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (target, "drop", G_CALLBACK (on_drop), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));

  return clamp;
}

static void
ch_documents_list_dispose (GObject *object)
{
  ChDocumentsList *self = CH_DOCUMENTS_LIST (object);

  g_cancellable_cancel (self->cancellable);
  if (self->import_cancellable != NULL)
    g_cancellable_cancel (self->import_cancellable);
  adw_bin_set_child (ADW_BIN (self), NULL);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ch_documents_list_parent_class)->dispose (object);
}

static void
ch_documents_list_finalize (GObject *object)
{
  ChDocumentsList *self = CH_DOCUMENTS_LIST (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->import_cancellable);
  g_clear_pointer (&self->patient, ch_patient_record_free);
  g_clear_pointer (&self->documents, g_ptr_array_unref);
  g_clear_pointer (&self->studies, g_ptr_array_unref);
  g_free (self->progress_text);

  G_OBJECT_CLASS (ch_documents_list_parent_class)->finalize (object);
}

static void
ch_documents_list_class_init (ChDocumentsListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_documents_list_dispose;
  object_class->finalize = ch_documents_list_finalize;

  gtk_widget_class_install_action (widget_class, "documents.import", NULL, import_activated);
  gtk_widget_class_install_action (widget_class, "documents.cancel-import", NULL,
                                   cancel_import_activated);
  gtk_widget_class_install_action (widget_class, "documents.open", "x", open_activated);
  gtk_widget_class_install_action (widget_class, "documents.export", "x", export_activated);
  gtk_widget_class_install_action (widget_class, "documents.open-series", "(su)",
                                   open_series_activated);
  gtk_widget_class_install_action (widget_class, "documents.edit", "x", edit_activated);
  gtk_widget_class_install_action (widget_class, "documents.entered-in-error", "x",
                                   entered_in_error_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "documents.import", NULL);
}

static void
ch_documents_list_init (ChDocumentsList *self)
{
  self->cancellable = g_cancellable_new ();
  adw_bin_set_child (ADW_BIN (self), ch_documents_list_build (self));
  ch_ui_stack_show (self->stack, "loading");
  ch_documents_list_update_actions (self);
}
