/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-patient-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-patient-ui.h"
#include "ch-patient-dialog.h"
#include "ch-patients.h"
#include "ch-ui.h"

/* Registers a patient, or changes one's demographics. The controller
 * validates and stores; the dialog collects the input, shows what the
 * controller answered next to the field it concerns, and stays open until
 * the change is stored. A new patient is checked for possible duplicates
 * first, and registered only once the user has seen them and chosen. */

struct _ChPatientDialog
{
  AdwWindow            parent_instance;

  AdwWindowTitle      *window_title;
  GtkSpinner          *spinner;
  GtkLabel            *error_label;
  GtkWidget           *duplicates_box;
  GtkListBox          *duplicates_list;
  GtkScrolledWindow   *scroller;
  GtkWidget           *form;
  GtkWidget           *reason_group;
  GtkWidget           *reason_row;
  GtkWidget           *family_row;
  GtkWidget           *given_row;
  GtkWidget           *preferred_row;
  AdwAvatar           *photo_avatar;
  GtkWidget           *birth_date_row;
  AdwComboRow         *sex_row;
  GtkWidget           *gender_row;
  GtkWidget           *pronouns_row;
  AdwPreferencesGroup *phones_group;
  GtkWidget           *phone_row;
  GtkDropDown         *phone_kind;
  GtkWidget           *address_row;
  GtkWidget           *city_row;
  GtkWidget           *region_row;
  GtkWidget           *postal_code_row;
  GtkWidget           *country_row;
  GtkWidget           *email_row;
  GtkWidget           *language_row;
  GtkWidget           *provider_row;
  GtkWidget           *emergency_name_row;
  GtkWidget           *emergency_relation_row;
  GtkWidget           *emergency_phone_row;

  ChSession           *session;
  ChPatientRecord     *original;     /* (nullable): the patient edited */
  GPtrArray           *phone_rows;   /* AdwEntryRow, the first one from the template */
  GtkSizeGroup        *kind_sizes;   /* the kind drop-downs, one width for all */
  GPtrArray           *duplicates;   /* (element-type ChPatientHit) */
  GBytes              *photo;        /* (nullable): PNG, as it will be saved */
  GtkFileChooserNative *photo_chooser;
  GCancellable        *cancellable;
  gboolean             busy;
};

G_DEFINE_FINAL_TYPE (ChPatientDialog, ch_patient_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  OPEN_EXISTING,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ch_patient_dialog_update_actions (ChPatientDialog *self)
{
  gboolean ready = !self->busy && self->session != NULL && !ch_ui_session_is_busy (self->session);
  gboolean duplicates = self->duplicates != NULL && self->duplicates->len > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patient-dialog.save", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patient-dialog.register-anyway",
                                 ready && duplicates);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patient-dialog.open-existing",
                                 ready && duplicates);
}

static void
ch_patient_dialog_set_busy (ChPatientDialog *self,
                            gboolean         busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  ch_ui_set_input_sensitive (self->form, !busy);
  ch_ui_set_input_sensitive (self->duplicates_box, !busy);
  ch_patient_dialog_update_actions (self);
}

static GtkWidget *
all_rows (ChPatientDialog *self,
          guint            i)
{
  GtkWidget *rows[] = {
    self->reason_row, self->family_row, self->given_row, self->preferred_row,
    self->birth_date_row, GTK_WIDGET (self->sex_row), self->gender_row, self->pronouns_row,
    self->address_row, self->city_row, self->region_row, self->postal_code_row,
    self->country_row, self->email_row, self->language_row, self->provider_row,
    self->emergency_name_row, self->emergency_relation_row, self->emergency_phone_row,
  };

  if (i < G_N_ELEMENTS (rows))
    return rows[i];

  i -= G_N_ELEMENTS (rows);
  if (i < self->phone_rows->len)
    return g_ptr_array_index (self->phone_rows, i);

  return NULL;
}

static void
ch_patient_dialog_show_error (ChPatientDialog *self,
                              const char      *message,
                              GtkWidget       *row)
{
  GtkWidget *widget;

  for (guint i = 0; (widget = all_rows (self, i)) != NULL; i++)
    ch_ui_set_row_error (widget, FALSE);

  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);

  if (row != NULL)
    {
      ch_ui_set_row_error (row, TRUE);
      gtk_widget_grab_focus (row);
    }
}

/* ---- phones --------------------------------------------------------------------- */

static GtkDropDown *
phone_kind_of (GtkWidget *row)
{
  return g_object_get_data (G_OBJECT (row), "ch-phone-kind");
}

static void
on_remove_phone (GtkButton       *button,
                 ChPatientDialog *self)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), ADW_TYPE_ENTRY_ROW);

  if (row == NULL)
    return;

  /* The first row stays, so that there is always one to type into. */
  if (row == self->phone_row)
    {
      gtk_editable_set_text (GTK_EDITABLE (row), "");
      gtk_drop_down_set_selected (self->phone_kind, 0);
      return;
    }

  ch_ui_drop_focus_within (row);
  g_ptr_array_remove (self->phone_rows, row);
  adw_preferences_group_remove (self->phones_group, row);
}

static void
ch_patient_dialog_add_remove_button (ChPatientDialog *self,
                                     GtkWidget       *row)
{
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (remove, _("Remove this phone"));
  gtk_widget_add_css_class (remove, "flat");
  g_signal_connect_object (remove, "clicked", G_CALLBACK (on_remove_phone), self, 0);
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), remove);
}

static GtkWidget *
ch_patient_dialog_add_phone_row (ChPatientDialog *self,
                                 const char      *kind,
                                 const char      *number)
{
  GtkWidget *row;
  GtkWidget *dropdown;

  /* The first phone row is always there. */
  if (gtk_editable_get_text (GTK_EDITABLE (self->phone_row))[0] == '\0' &&
      self->phone_rows->len == 1 && number != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->phone_row), number);
      gtk_drop_down_set_selected (self->phone_kind,
                                  ch_patient_ui_find (CH_PATIENT_UI_PHONE_KIND, kind, 0));
      return self->phone_row;
    }

  row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Phone"));
  adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (row), GTK_INPUT_PURPOSE_PHONE);
  if (number != NULL)
    gtk_editable_set_text (GTK_EDITABLE (row), number);

  {
    g_autoptr(GtkStringList) kinds = ch_patient_ui_model (CH_PATIENT_UI_PHONE_KIND);

    dropdown = gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&kinds)), NULL);
  }
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown),
                              ch_patient_ui_find (CH_PATIENT_UI_PHONE_KIND, kind, 0));
  gtk_widget_set_valign (dropdown, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (dropdown, "flat");
  gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Kind of phone"),
                                  -1);
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), dropdown);
  gtk_size_group_add_widget (self->kind_sizes, dropdown);
  g_object_set_data (G_OBJECT (row), "ch-phone-kind", dropdown);

  ch_patient_dialog_add_remove_button (self, row);

  adw_preferences_group_add (self->phones_group, row);
  g_ptr_array_add (self->phone_rows, row);

  return row;
}

static void
add_phone_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ChPatientDialog *self = CH_PATIENT_DIALOG (widget);
  GtkWidget *row;

  if (self->busy)
    return;

  row = ch_patient_dialog_add_phone_row (self, "mobile", NULL);
  gtk_widget_grab_focus (row);
}

/* ---- the record ------------------------------------------------------------------ */

static void
set_field (char       **field,
           GtkWidget   *row)
{
  g_free (*field);
  *field = ch_patient_ui_dup_text (GTK_EDITABLE (row));
}

/* Returns: (transfer full): the record as typed, over the one edited */
static ChPatientRecord *
ch_patient_dialog_build_record (ChPatientDialog *self)
{
  ChPatientRecord *record;

  if (self->original != NULL)
    record = ch_patient_record_copy (self->original);
  else
    record = ch_patient_record_new ();

  set_field (&record->family_name, self->family_row);
  set_field (&record->given_name, self->given_row);
  set_field (&record->preferred_name, self->preferred_row);
  set_field (&record->birth_date, self->birth_date_row);
  g_free (record->sex);
  record->sex = g_strdup (ch_patient_ui_code (CH_PATIENT_UI_SEX,
                                              adw_combo_row_get_selected (self->sex_row)));
  set_field (&record->gender_identity, self->gender_row);
  set_field (&record->pronouns, self->pronouns_row);
  set_field (&record->address_line, self->address_row);
  set_field (&record->city, self->city_row);
  set_field (&record->region, self->region_row);
  set_field (&record->postal_code, self->postal_code_row);
  set_field (&record->country, self->country_row);
  set_field (&record->email, self->email_row);
  set_field (&record->language, self->language_row);
  set_field (&record->primary_provider, self->provider_row);
  set_field (&record->emergency_name, self->emergency_name_row);
  set_field (&record->emergency_relation, self->emergency_relation_row);
  set_field (&record->emergency_phone, self->emergency_phone_row);
  g_clear_pointer (&record->photo, g_bytes_unref);
  record->photo = self->photo ? g_bytes_ref (self->photo) : NULL;

  g_clear_pointer (&record->phones, g_ptr_array_unref);
  for (guint i = 0; i < self->phone_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->phone_rows, i);
      g_autofree char *number = ch_patient_ui_dup_text (GTK_EDITABLE (row));
      const char *kind = ch_patient_ui_code (CH_PATIENT_UI_PHONE_KIND,
                                             gtk_drop_down_get_selected (phone_kind_of (row)));

      if (number != NULL)
        ch_patient_record_add_phone (record, kind, number);
    }

  return record;
}

static gboolean
probe (ChPatientRecord *probe_record)
{
  gboolean valid;

  if (probe_record->family_name == NULL)
    probe_record->family_name = g_strdup ("-");
  valid = ch_patients_validate (probe_record, NULL);
  ch_patient_record_free (probe_record);

  return valid;
}

/* Which row the controller's objection to @record is about: each field is
 * put to ch_patients_validate() on its own, so the rules stay in app/. */
static GtkWidget *
ch_patient_dialog_row_at_fault (ChPatientDialog       *self,
                                const ChPatientRecord *record)
{
  ChPatientRecord *one;

  one = ch_patient_record_new ();
  one->family_name = g_strdup (record->family_name ? record->family_name : "");
  if (!probe (one))
    return self->family_row;

  one = ch_patient_record_new ();
  one->birth_date = g_strdup (record->birth_date);
  if (!probe (one))
    return self->birth_date_row;

  one = ch_patient_record_new ();
  one->sex = g_strdup (record->sex);
  if (!probe (one))
    return GTK_WIDGET (self->sex_row);

  one = ch_patient_record_new ();
  one->email = g_strdup (record->email);
  if (!probe (one))
    return self->email_row;

  for (guint i = 0; i < self->phone_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->phone_rows, i);
      g_autofree char *number = ch_patient_ui_dup_text (GTK_EDITABLE (row));
      const char *kind;

      if (number == NULL)
        continue;

      kind = ch_patient_ui_code (CH_PATIENT_UI_PHONE_KIND,
                                 gtk_drop_down_get_selected (phone_kind_of (row)));
      one = ch_patient_record_new ();
      ch_patient_record_add_phone (one, kind, number);
      if (!probe (one))
        return row;
    }

  return NULL;
}

/* ---- duplicates ------------------------------------------------------------------ */

static char *
hit_name (const ChPatientHit *hit)
{
  GString *name = g_string_new (hit->family_name);

  if (hit->given_name != NULL && *hit->given_name != '\0')
    g_string_append_printf (name, ", %s", hit->given_name);
  if (hit->preferred_name != NULL && *hit->preferred_name != '\0')
    g_string_append_printf (name, " (%s)", hit->preferred_name);

  return g_string_free (name, FALSE);
}

static void
ch_patient_dialog_show_duplicates (ChPatientDialog *self,
                                   GPtrArray       *duplicates)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->duplicates_list))) != NULL)
    gtk_list_box_remove (self->duplicates_list, child);

  g_clear_pointer (&self->duplicates, g_ptr_array_unref);
  if (duplicates != NULL)
    self->duplicates = g_ptr_array_ref (duplicates);

  for (guint i = 0; duplicates != NULL && i < duplicates->len; i++)
    {
      const ChPatientHit *hit = g_ptr_array_index (duplicates, i);
      g_autofree char *name = hit_name (hit);
      g_autoptr(GString) details = g_string_new (NULL);
      GtkWidget *row = adw_action_row_new ();

      /* Translators: %s is a medical record number */
      g_string_append_printf (details, _("MRN %s"), hit->mrn);
      if (hit->birth_date != NULL && *hit->birth_date != '\0')
        {
          g_string_append (details, " · ");
          /* Translators: %s is a date of birth */
          g_string_append_printf (details, _("born %s"), hit->birth_date);
        }
      if (hit->phone != NULL && *hit->phone != '\0')
        g_string_append_printf (details, " · %s", hit->phone);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), details->str);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_list_box_append (self->duplicates_list, row);
    }

  if (duplicates != NULL && duplicates->len > 0)
    gtk_list_box_select_row (self->duplicates_list,
                             gtk_list_box_get_row_at_index (self->duplicates_list, 0));

  gtk_widget_set_visible (self->duplicates_box, duplicates != NULL && duplicates->len > 0);
  ch_patient_dialog_update_actions (self);
}

/* ---- saving ---------------------------------------------------------------------- */

typedef struct
{
  ChSession       *session;
  ChPatientRecord *record;
  char            *reason;
  gboolean         editing;
  gboolean         check_duplicates;
  GPtrArray       *duplicates;
} Save;

static void
save_free (gpointer data)
{
  Save *save = data;

  g_clear_object (&save->session);
  g_clear_pointer (&save->record, ch_patient_record_free);
  g_clear_pointer (&save->duplicates, g_ptr_array_unref);
  g_free (save->reason);
  g_free (save);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Save *save = task_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (save->editing)
    ok = ch_patients_update (save->session, save->record, save->reason, &error);
  else
    {
      if (save->check_duplicates)
        {
          save->duplicates = ch_patients_find_duplicates (save->session, save->record, &error);
          if (save->duplicates == NULL)
            {
              g_task_return_error (task, g_steal_pointer (&error));
              return;
            }
          if (save->duplicates->len > 0)
            {
              g_task_return_boolean (task, TRUE);
              return;
            }
        }

      ok = ch_patients_register (save->session, save->record, &error);
    }

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
save_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChPatientDialog *self = CH_PATIENT_DIALOG (object);
  Save *save = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      ch_patient_dialog_set_busy (self, FALSE);
      ch_patient_dialog_show_error (self, error->message,
                                    ch_patient_dialog_row_at_fault (self, save->record));
      return;
    }

  ch_patient_dialog_set_busy (self, FALSE);

  if (save->duplicates != NULL && save->duplicates->len > 0)
    {
      ch_patient_dialog_show_duplicates (self, save->duplicates);
      gtk_widget_grab_focus (GTK_WIDGET (self->duplicates_list));
      return;
    }

  g_signal_emit (self, signals[SAVED], 0, save->record, !save->editing);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
ch_patient_dialog_save (ChPatientDialog *self,
                        gboolean         check_duplicates)
{
  g_autoptr(ChPatientRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  g_autofree char *reason = NULL;
  Save *save;

  if (self->busy || ch_ui_session_is_busy (self->session))
    return;

  ch_patient_dialog_show_error (self, NULL, NULL);

  if (self->original != NULL)
    {
      reason = ch_patient_ui_dup_text (GTK_EDITABLE (self->reason_row));
      if (reason == NULL)
        {
          ch_patient_dialog_show_error (self, _("Say why the record is changed."),
                                        self->reason_row);
          return;
        }
    }

  /* Checked here too, so that a mistake is shown before any other work. */
  record = ch_patient_dialog_build_record (self);
  if (!ch_patients_validate (record, &error))
    {
      ch_patient_dialog_show_error (self, error->message,
                                    ch_patient_dialog_row_at_fault (self, record));
      return;
    }

  save = g_new0 (Save, 1);
  save->session = g_object_ref (self->session);
  save->record = g_steal_pointer (&record);
  save->reason = g_steal_pointer (&reason);
  save->editing = self->original != NULL;
  save->check_duplicates = check_duplicates;

  ch_patient_dialog_set_busy (self, TRUE);

  task = ch_ui_session_task_new (self->session, self, self->cancellable, save_done, NULL);
  g_task_set_source_tag (task, ch_patient_dialog_save);
  g_task_set_task_data (task, save, save_free);
  ch_ui_session_run_task (task, save_thread);
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ch_patient_dialog_save (CH_PATIENT_DIALOG (widget), TRUE);
}

static void
register_anyway_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  ch_patient_dialog_save (CH_PATIENT_DIALOG (widget), FALSE);
}

static void
open_existing_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  ChPatientDialog *self = CH_PATIENT_DIALOG (widget);
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->duplicates_list);
  const ChPatientHit *hit;
  int index;

  if (self->busy || self->duplicates == NULL || row == NULL)
    return;

  index = gtk_list_box_row_get_index (row);
  if (index < 0 || (guint) index >= self->duplicates->len)
    return;

  hit = g_ptr_array_index (self->duplicates, index);
  g_signal_emit (self, signals[OPEN_EXISTING], 0, hit->id);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_duplicate_activated (ChPatientDialog *self,
                        GtkListBoxRow   *row)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "patient-dialog.open-existing", NULL);
}

/* ---- the photo ----------------------------------------------------------------- */

static void
ch_patient_dialog_set_photo (ChPatientDialog *self,
                             GBytes          *photo)
{
  g_autoptr (ChPatientRecord) shown = ch_patient_dialog_build_record (self);

  g_clear_pointer (&self->photo, g_bytes_unref);
  self->photo = photo ? g_bytes_ref (photo) : NULL;
  g_clear_pointer (&shown->photo, g_bytes_unref);
  shown->photo = photo ? g_bytes_ref (photo) : NULL;
  ch_patient_ui_set_avatar (self->photo_avatar, shown);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patient-dialog.remove-photo", photo != NULL);
}

static void
on_photo_chosen (GtkNativeDialog *chooser,
                 int              response,
                 ChPatientDialog *self)
{
  g_autoptr (GFile) file = NULL;
  g_autoptr (GBytes) photo = NULL;
  g_autoptr (GError) error = NULL;

  if (response != GTK_RESPONSE_ACCEPT)
    return;
  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  photo = file ? ch_patient_ui_load_photo (file, &error) : NULL;
  if (photo == NULL)
    {
      ch_patient_dialog_show_error (self, error ? error->message : _("No file was chosen"), NULL);
      return;
    }
  ch_patient_dialog_show_error (self, NULL, NULL);
  ch_patient_dialog_set_photo (self, photo);
}

static void
choose_photo_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ChPatientDialog *self = CH_PATIENT_DIALOG (widget);
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  g_clear_object (&self->photo_chooser);
  self->photo_chooser = gtk_file_chooser_native_new (_("Choose a Photo"), GTK_WINDOW (self),
                                                     GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"),
                                                     _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Images (PNG, JPEG)"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_filter_add_mime_type (filter, "image/jpeg");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->photo_chooser), filter);
  g_signal_connect_object (self->photo_chooser, "response", G_CALLBACK (on_photo_chosen), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->photo_chooser));
}

static void
remove_photo_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ch_patient_dialog_set_photo (CH_PATIENT_DIALOG (widget), NULL);
}

/**
 * ch_patient_dialog_set_photo_file:
 * @file: an image file, as the file chooser would give it
 *
 * Takes @file as the patient's photo, as choosing it does.
 * Returns: FALSE with @error when it is no image Charta can read
 */
gboolean
ch_patient_dialog_set_photo_file (ChPatientDialog  *self,
                                  GFile            *file,
                                  GError          **error)
{
  g_autoptr (GBytes) photo = NULL;

  g_return_val_if_fail (CH_IS_PATIENT_DIALOG (self), FALSE);

  photo = ch_patient_ui_load_photo (file, error);
  if (photo == NULL)
    return FALSE;
  ch_patient_dialog_set_photo (self, photo);
  return TRUE;
}

/* ---- setup ---------------------------------------------------------------------- */

static void
set_text (GtkWidget  *row,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
}

static void
ch_patient_dialog_fill (ChPatientDialog       *self,
                        const ChPatientRecord *record)
{
  g_autofree char *name = ch_patient_record_display_name (record);

  g_clear_pointer (&self->photo, g_bytes_unref);
  self->photo = record->photo ? g_bytes_ref (record->photo) : NULL;
  ch_patient_ui_set_avatar (self->photo_avatar, record);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patient-dialog.remove-photo",
                                 self->photo != NULL);
  set_text (self->family_row, record->family_name);
  set_text (self->given_row, record->given_name);
  set_text (self->preferred_row, record->preferred_name);
  set_text (self->birth_date_row, record->birth_date);
  adw_combo_row_set_selected (self->sex_row,
                              ch_patient_ui_find (CH_PATIENT_UI_SEX, record->sex, 3));
  set_text (self->gender_row, record->gender_identity);
  set_text (self->pronouns_row, record->pronouns);
  set_text (self->address_row, record->address_line);
  set_text (self->city_row, record->city);
  set_text (self->region_row, record->region);
  set_text (self->postal_code_row, record->postal_code);
  set_text (self->country_row, record->country);
  set_text (self->email_row, record->email);
  set_text (self->language_row, record->language);
  set_text (self->provider_row, record->primary_provider);
  set_text (self->emergency_name_row, record->emergency_name);
  set_text (self->emergency_relation_row, record->emergency_relation);
  set_text (self->emergency_phone_row, record->emergency_phone);

  for (guint i = 0; record->phones != NULL && i < record->phones->len; i++)
    {
      const ChPhone *phone = g_ptr_array_index (record->phones, i);

      ch_patient_dialog_add_phone_row (self, phone->kind, phone->number);
    }

  adw_window_title_set_subtitle (self->window_title, name);
}

/**
 * ch_patient_dialog_new:
 * @parent: (nullable): the window to stay on top of
 * @session: the session that registers or changes
 * @record: (nullable): the patient to change (copied); %NULL to register one
 *
 * Returns: (transfer none): a new dialog, not yet shown
 */
GtkWidget *
ch_patient_dialog_new (GtkWindow             *parent,
                       ChSession             *session,
                       const ChPatientRecord *record)
{
  ChPatientDialog *self;
  const char *title;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  self = g_object_new (CH_TYPE_PATIENT_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->session = g_object_ref (session);
  ch_ui_session_watch_busy (session, G_OBJECT (self),
                            G_CALLBACK (ch_patient_dialog_update_actions));

  if (record != NULL)
    {
      self->original = ch_patient_record_copy (record);
      ch_patient_dialog_fill (self, record);
      title = _("Edit Patient");
    }
  else
    title = _("New Patient");

  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  gtk_widget_set_visible (self->reason_group, record != NULL);
  gtk_widget_grab_focus (self->family_row);
  ch_patient_dialog_update_actions (self);

  return GTK_WIDGET (self);
}

gboolean
ch_patient_dialog_get_busy (ChPatientDialog *self)
{
  g_return_val_if_fail (CH_IS_PATIENT_DIALOG (self), FALSE);

  return self->busy;
}

guint
ch_patient_dialog_get_n_phones (ChPatientDialog *self)
{
  g_return_val_if_fail (CH_IS_PATIENT_DIALOG (self), 0);

  return self->phone_rows->len;
}

/* Returns: (transfer none): the entry row of the phone at @index; its
 * kind is the drop-down among its suffixes */
GtkWidget *
ch_patient_dialog_get_phone_row (ChPatientDialog *self,
                                 guint            index)
{
  g_return_val_if_fail (CH_IS_PATIENT_DIALOG (self), NULL);
  g_return_val_if_fail (index < self->phone_rows->len, NULL);

  return g_ptr_array_index (self->phone_rows, index);
}

static gboolean
ch_patient_dialog_close_request (GtkWindow *window)
{
  ChPatientDialog *self = CH_PATIENT_DIALOG (window);

  /* The change is under way; its result decides what happens next. */
  if (self->busy)
    return TRUE;

  return GTK_WINDOW_CLASS (ch_patient_dialog_parent_class)->close_request (window);
}

static void
ch_patient_dialog_dispose (GObject *object)
{
  ChPatientDialog *self = CH_PATIENT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);

  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_PATIENT_DIALOG);

  G_OBJECT_CLASS (ch_patient_dialog_parent_class)->dispose (object);
}

static void
ch_patient_dialog_finalize (GObject *object)
{
  ChPatientDialog *self = CH_PATIENT_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->original, ch_patient_record_free);
  g_clear_pointer (&self->phone_rows, g_ptr_array_unref);
  g_clear_pointer (&self->duplicates, g_ptr_array_unref);
  g_clear_pointer (&self->photo, g_bytes_unref);
  g_clear_object (&self->photo_chooser);
  g_clear_object (&self->kind_sizes);

  G_OBJECT_CLASS (ch_patient_dialog_parent_class)->finalize (object);
}

static void
ch_patient_dialog_class_init (ChPatientDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_patient_dialog_dispose;
  object_class->finalize = ch_patient_dialog_finalize;
  window_class->close_request = ch_patient_dialog_close_request;

  /**
   * ChPatientDialog::saved:
   * @record: (type gpointer): the patient as stored (a `ChPatientRecord`,
   *   valid during the emission), with id and MRN
   * @registered: %TRUE for a new patient, %FALSE for a change
   *
   * The patient is stored; the dialog closes right after.
   */
  signals[SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_BOOLEAN);

  /**
   * ChPatientDialog::open-existing:
   * @patient_id: a possible duplicate the user chose instead
   *
   * Nothing was registered; the dialog closes right after.
   */
  signals[OPEN_EXISTING] =
    g_signal_new ("open-existing",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-patient-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, duplicates_box);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, duplicates_list);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, scroller);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, form);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, reason_group);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, reason_row);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, family_row);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, given_row);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, preferred_row);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, photo_avatar);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, birth_date_row);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, sex_row);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, gender_row);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, pronouns_row);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, phones_group);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, phone_row);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, phone_kind);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, address_row);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, city_row);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, region_row);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, postal_code_row);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, country_row);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, email_row);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, language_row);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, provider_row);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, emergency_name_row);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, emergency_relation_row);
  gtk_widget_class_bind_template_child (widget_class, ChPatientDialog, emergency_phone_row);
  gtk_widget_class_bind_template_callback (widget_class, on_duplicate_activated);

  gtk_widget_class_install_action (widget_class, "patient-dialog.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "patient-dialog.choose-photo", NULL,
                                   choose_photo_activated);
  gtk_widget_class_install_action (widget_class, "patient-dialog.remove-photo", NULL,
                                   remove_photo_activated);
  gtk_widget_class_install_action (widget_class, "patient-dialog.add-phone", NULL,
                                   add_phone_activated);
  gtk_widget_class_install_action (widget_class, "patient-dialog.register-anyway", NULL,
                                   register_anyway_activated);
  gtk_widget_class_install_action (widget_class, "patient-dialog.open-existing", NULL,
                                   open_existing_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "patient-dialog.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_patient_dialog_init (ChPatientDialog *self)
{
  g_autoptr(GtkStringList) sexes = ch_patient_ui_model (CH_PATIENT_UI_SEX);
  g_autoptr(GtkStringList) kinds = ch_patient_ui_model (CH_PATIENT_UI_PHONE_KIND);

  self->cancellable = g_cancellable_new ();
  self->phone_rows = g_ptr_array_new ();
  self->kind_sizes = gtk_size_group_new (GTK_SIZE_GROUP_HORIZONTAL);

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patient-dialog.remove-photo", FALSE);

  adw_combo_row_set_model (self->sex_row, G_LIST_MODEL (sexes));
  adw_combo_row_set_selected (self->sex_row, ch_patient_ui_find (CH_PATIENT_UI_SEX, "unknown", 0));
  gtk_drop_down_set_model (self->phone_kind, G_LIST_MODEL (kinds));
  g_object_set_data (G_OBJECT (self->phone_row), "ch-phone-kind", self->phone_kind);
  gtk_size_group_add_widget (self->kind_sizes, GTK_WIDGET (self->phone_kind));
  ch_patient_dialog_add_remove_button (self, self->phone_row);
  g_ptr_array_add (self->phone_rows, self->phone_row);
}
