/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-imaging-inbox-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-chart-ui.h"
#include "ch-documents-ui.h"
#include "ch-imaging.h"
#include "ch-imaging-inbox-page.h"
#include "ch-patient-picker.h"
#include "ch-ui.h"

/* Studies the DICOM receiver could not file: no patient with the ID the
 * modality sent, or several that fit. Each is shown with what it says about
 * the patient and why it waits, and is assigned to a patient found with the
 * patient list's search (all its images go into that chart at once), or
 * discarded with a reason (kept, never deleted). */

struct _ChImagingInboxPage
{
  AdwBin        parent_instance;

  GtkLabel     *count_label;
  GtkStack     *stack;
  GtkListBox   *list_box;
  AdwStatusPage *error_page;

  ChSession    *session;
  GPtrArray    *items;        /* (element-type ChImagingInboxItem) */
  GCancellable *cancellable;
  gboolean      busy;
  gboolean      loaded;
};

G_DEFINE_FINAL_TYPE (ChImagingInboxPage, ch_imaging_inbox_page, ADW_TYPE_BIN)

static void ch_imaging_inbox_page_start_load (ChImagingInboxPage *self);

static gboolean
ch_imaging_inbox_page_ready (ChImagingInboxPage *self)
{
  return self->session != NULL && self->loaded && !self->busy &&
         !ch_ui_session_is_busy (self->session);
}

static void
ch_imaging_inbox_page_update_actions (ChImagingInboxPage *self)
{
  gboolean writable = ch_imaging_inbox_page_ready (self) &&
                      ch_session_can (self->session, CH_AREA_CLINICAL, CH_ACCESS_WRITE);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inbox.assign", writable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inbox.discard", writable);
}

static void
ch_imaging_inbox_page_set_busy (ChImagingInboxPage *self,
                                gboolean            busy)
{
  self->busy = busy;
  ch_imaging_inbox_page_update_actions (self);
}

static ChImagingInboxItem *
ch_imaging_inbox_page_find (ChImagingInboxPage *self,
                            gint64              id)
{
  for (guint i = 0; self->items != NULL && i < self->items->len; i++)
    {
      ChImagingInboxItem *item = g_ptr_array_index (self->items, i);

      if (item->id == id)
        return item;
    }
  return NULL;
}

/* "Smith, John" from the DICOM "Smith^John^^^". */
static char *
person_name (const char *pn)
{
  g_auto(GStrv) parts = g_strsplit (pn != NULL ? pn : "", "^", 3);
  guint n = g_strv_length (parts);

  if (n == 0 || parts[0][0] == '\0')
    return g_strdup (_("No name given"));
  if (n == 1 || parts[1][0] == '\0')
    return g_strdup (parts[0]);
  return g_strdup_printf ("%s, %s", parts[0], parts[1]);
}

static GtkWidget *
button_new (const char *label,
            const char *action,
            gint64      id,
            const char *tooltip)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "x", id);
  gtk_widget_set_tooltip_text (button, tooltip);
  return button;
}

static void
ch_imaging_inbox_page_fill (ChImagingInboxPage *self)
{
  GtkWidget *child;
  guint n = self->items != NULL ? self->items->len : 0;
  g_autofree char *count = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);

  for (guint i = 0; i < n; i++)
    {
      ChImagingInboxItem *item = g_ptr_array_index (self->items, i);
      g_autofree char *name = person_name (item->patient_name);
      g_autofree char *born = ch_documents_ui_format_date (item->birth_date);
      g_autofree char *date = ch_documents_ui_format_date (item->study_date);
      g_autofree char *images = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u image",
                                                              "%u images", item->n_instances),
                                                 item->n_instances);
      GString *title = g_string_new (name);
      GString *subtitle = g_string_new (NULL);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *discard;

      if (item->patient_ref[0] != '\0')
        /* TRANSLATORS: the patient ID a modality sent */
        g_string_append_printf (title, _(" · ID %s"), item->patient_ref);
      if (item->birth_date[0] != '\0')
        /* TRANSLATORS: a date of birth */
        g_string_append_printf (title, _(" · born %s"), born);

      g_string_append_printf (subtitle, "%s · %s", item->modalities,
                              date[0] != '\0' ? date : _("undated"));
      if (item->study_description[0] != '\0')
        g_string_append_printf (subtitle, " · %s", item->study_description);
      g_string_append_printf (subtitle, " · %s", images);
      if (item->calling_ae[0] != '\0')
        /* TRANSLATORS: the AE title of the modality that sent the images */
        g_string_append_printf (subtitle, _(" · from %s"), item->calling_ae);
      g_string_append_printf (subtitle, "\n%s", item->reason);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title->str);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("camera-photo-symbolic"));
      discard = button_new (_("_Discard…"), "inbox.discard", item->id,
                            _("Take the study out of the inbox, with a reason"));
      gtk_widget_add_css_class (discard, "flat");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), discard);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 button_new (_("_Assign…"), "inbox.assign", item->id,
                                             _("File the study in a patient's chart")));
      gtk_list_box_append (self->list_box, row);
      g_string_free (title, TRUE);
      g_string_free (subtitle, TRUE);
    }

  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u study waiting",
                                        "%u studies waiting", n), n);
  gtk_label_set_text (self->count_label, self->loaded ? count : "");
  if (self->loaded)
    ch_ui_stack_show (self->stack, n > 0 ? "list" : "empty");
}

/* ---- loading ------------------------------------------------------------------ */

typedef struct
{
  ChSession *session;
  GPtrArray *items;
} Load;

static void
load_free (Load *load)
{
  g_clear_object (&load->session);
  g_clear_pointer (&load->items, g_ptr_array_unref);
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

  load->items = ch_imaging_inbox_list (load->session, &error);
  if (load->items != NULL)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
load_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChImagingInboxPage *self = CH_IMAGING_INBOX_PAGE (object);
  Load *load = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      ch_imaging_inbox_page_set_busy (self, FALSE);
      adw_status_page_set_description (self->error_page, error->message);
      ch_ui_stack_show (self->stack, "error");
      return;
    }

  g_clear_pointer (&self->items, g_ptr_array_unref);
  self->items = g_steal_pointer (&load->items);
  self->loaded = TRUE;
  ch_imaging_inbox_page_fill (self);
  ch_imaging_inbox_page_set_busy (self, FALSE);
}

static void
ch_imaging_inbox_page_start_load (ChImagingInboxPage *self)
{
  g_autoptr(GTask) task = NULL;
  Load *load;

  if (ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self),
                               G_CALLBACK (ch_imaging_inbox_page_start_load));
      return;
    }

  load = g_new0 (Load, 1);
  load->session = g_object_ref (self->session);
  ch_imaging_inbox_page_set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, load_done, NULL);
  g_task_set_source_tag (task, ch_imaging_inbox_page_start_load);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  ch_ui_session_run_task (task, load_thread);
}

void
ch_imaging_inbox_page_reload (ChImagingInboxPage *self)
{
  g_return_if_fail (CH_IS_IMAGING_INBOX_PAGE (self));

  ch_imaging_inbox_page_start_load (self);
}

/* ---- assign, discard -------------------------------------------------------------- */

typedef struct
{
  ChSession *session;
  char      *entry;
  gint64     patient_id;   /* assigning; 0 when discarding */
  char      *reason;
  guint      n_moved;
} Change;

static void
change_free (Change *change)
{
  g_clear_object (&change->session);
  g_free (change->entry);
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

  if (change->patient_id > 0)
    ok = ch_imaging_inbox_assign (change->session, change->entry, change->patient_id,
                                  &change->n_moved, &error);
  else
    ok = ch_imaging_inbox_discard (change->session, change->entry, change->reason, &error);

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
  ChImagingInboxPage *self = CH_IMAGING_INBOX_PAGE (object);
  Change *change = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  ch_imaging_inbox_page_set_busy (self, FALSE);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      ch_ui_toast (GTK_WIDGET (self), error->message);
    }
  else if (change->patient_id > 0)
    {
      g_autofree char *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                               "%u image filed in the chart",
                                                               "%u images filed in the chart",
                                                               change->n_moved),
                                                  change->n_moved);

      ch_ui_toast (GTK_WIDGET (self), message);
    }
  else
    ch_ui_toast (GTK_WIDGET (self), _("Study discarded"));

  ch_imaging_inbox_page_start_load (self);
}

static void
ch_imaging_inbox_page_run_change (ChImagingInboxPage *self,
                                  gint64              entry_id,
                                  gint64              patient_id,
                                  const char         *reason)
{
  g_autoptr(GTask) task = NULL;
  Change *change;

  if (!ch_imaging_inbox_page_ready (self))
    {
      ch_ui_toast (GTK_WIDGET (self), _("Charta is busy; try again in a moment"));
      return;
    }

  change = g_new0 (Change, 1);
  change->session = g_object_ref (self->session);
  change->entry = g_strdup_printf ("%" G_GINT64_FORMAT, entry_id);
  change->patient_id = patient_id;
  change->reason = g_strdup (reason);

  ch_imaging_inbox_page_set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, change_done, NULL);
  g_task_set_source_tag (task, ch_imaging_inbox_page_run_change);
  g_task_set_task_data (task, change, (GDestroyNotify) change_free);
  ch_ui_session_run_task (task, change_thread);
}

void
ch_imaging_inbox_page_assign_to (ChImagingInboxPage *self,
                                 gint64              entry_id,
                                 gint64              patient_id)
{
  g_return_if_fail (CH_IS_IMAGING_INBOX_PAGE (self));
  g_return_if_fail (patient_id > 0);

  ch_imaging_inbox_page_run_change (self, entry_id, patient_id, NULL);
}

static void
on_assign_response (AdwMessageDialog   *dialog,
                    const char         *response,
                    ChImagingInboxPage *self)
{
  ChPatientPicker *picker = CH_PATIENT_PICKER (adw_message_dialog_get_extra_child (dialog));
  gint64 entry_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "entry-id"));

  if (g_str_equal (response, "assign") && ch_patient_picker_get_patient_id (picker) > 0)
    ch_imaging_inbox_page_assign_to (self, entry_id, ch_patient_picker_get_patient_id (picker));
}

static void
on_patient_chosen (AdwMessageDialog *dialog)
{
  ChPatientPicker *picker = CH_PATIENT_PICKER (adw_message_dialog_get_extra_child (dialog));

  gboolean chosen = ch_patient_picker_get_patient_id (picker) > 0;

  adw_message_dialog_set_response_enabled (dialog, "assign", chosen);
  /* Enter assigns once the patient is chosen. */
  adw_message_dialog_set_default_response (dialog, chosen ? "assign" : "cancel");
}

/**
 * ch_imaging_inbox_page_assign:
 *
 * Asks whose study the entry is (the patient search, started with the name
 * the modality sent).
 *
 * Returns: (transfer none) (nullable): the question, presented
 */
GtkWidget *
ch_imaging_inbox_page_assign (ChImagingInboxPage *self,
                              gint64              entry_id)
{
  ChImagingInboxItem *item = ch_imaging_inbox_page_find (self, entry_id);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *name = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog, *picker;
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (CH_IS_IMAGING_INBOX_PAGE (self), NULL);

  if (item == NULL || !ch_imaging_inbox_page_ready (self))
    return NULL;

  name = person_name (item->patient_name);
  /* TRANSLATORS: %s is the patient's name as the modality sent it */
  body = g_strdup_printf (_("The images were sent for “%s”. Find the patient whose chart they "
                            "belong in; every image of the study is filed there."), name);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Assign the Study to a Patient"), body);
  picker = ch_patient_picker_new ();
  ch_patient_picker_set_session (CH_PATIENT_PICKER (picker), self->session);
  gtk_widget_set_size_request (picker, 420, -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), picker);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "assign", _("_Assign"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "assign",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "assign", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry-id", GSIZE_TO_POINTER ((gsize) entry_id));
  g_signal_connect_object (picker, "patient-chosen", G_CALLBACK (on_patient_chosen), dialog,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_assign_response), self, 0);

  /* Start the search with the family name sent. */
  parts = g_strsplit (item->patient_name, "^", 2);
  if (parts[0] != NULL && parts[0][0] != '\0')
    gtk_editable_set_text (GTK_EDITABLE (ch_patient_picker_get_entry (CH_PATIENT_PICKER (picker))),
                           parts[0]);

  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
assign_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ch_imaging_inbox_page_assign (CH_IMAGING_INBOX_PAGE (widget), g_variant_get_int64 (parameter));
}

static void
on_discard_response (AdwMessageDialog   *dialog,
                     const char         *response,
                     ChImagingInboxPage *self)
{
  gint64 entry_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "entry-id"));
  g_autofree char *reason = NULL;

  if (!g_str_equal (response, "confirm"))
    return;
  reason = ch_chart_ui_reason_dialog_get_reason (dialog);
  ch_imaging_inbox_page_run_change (self, entry_id, 0, reason);
}

static void
discard_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ChImagingInboxPage *self = CH_IMAGING_INBOX_PAGE (widget);
  gint64 entry_id = g_variant_get_int64 (parameter);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  if (ch_imaging_inbox_page_find (self, entry_id) == NULL)
    return;

  dialog = ch_chart_ui_reason_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                          _("Discard the Study?"),
                                          _("Its images leave the inbox without going into a "
                                            "chart. They are kept, marked discarded with the "
                                            "reason. Say why."),
                                          _("_Discard"));
  g_object_set_data (G_OBJECT (dialog), "entry-id", GSIZE_TO_POINTER ((gsize) entry_id));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_discard_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- public ------------------------------------------------------------------- */

gboolean
ch_imaging_inbox_page_get_busy (ChImagingInboxPage *self)
{
  g_return_val_if_fail (CH_IS_IMAGING_INBOX_PAGE (self), FALSE);

  return self->busy || !self->loaded;
}

/* Returns: (transfer none) (element-type ChImagingInboxItem) (nullable) */
GPtrArray *
ch_imaging_inbox_page_get_items (ChImagingInboxPage *self)
{
  g_return_val_if_fail (CH_IS_IMAGING_INBOX_PAGE (self), NULL);

  return self->items;
}

/* ---- GObject ------------------------------------------------------------------- */

static void
ch_imaging_inbox_page_dispose (GObject *object)
{
  ChImagingInboxPage *self = CH_IMAGING_INBOX_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  adw_bin_set_child (ADW_BIN (self), NULL);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ch_imaging_inbox_page_parent_class)->dispose (object);
}

static void
ch_imaging_inbox_page_finalize (GObject *object)
{
  ChImagingInboxPage *self = CH_IMAGING_INBOX_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (ch_imaging_inbox_page_parent_class)->finalize (object);
}

static void
ch_imaging_inbox_page_class_init (ChImagingInboxPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();
  g_type_ensure (CH_TYPE_PATIENT_PICKER);

  object_class->dispose = ch_imaging_inbox_page_dispose;
  object_class->finalize = ch_imaging_inbox_page_finalize;

  gtk_widget_class_install_action (widget_class, "inbox.assign", "x", assign_activated);
  gtk_widget_class_install_action (widget_class, "inbox.discard", "x", discard_activated);
}

static void
ch_imaging_inbox_page_init (ChImagingInboxPage *self)
{
  GtkWidget *clamp, *box, *titles, *heading, *scroller, *empty;

  self->cancellable = g_cancellable_new ();

  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 1000);
  gtk_widget_set_margin_top (clamp, 18);
  gtk_widget_set_margin_bottom (clamp, 24);
  gtk_widget_set_margin_start (clamp, 12);
  gtk_widget_set_margin_end (clamp, 12);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);

  titles = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  heading = gtk_label_new (_("Imaging Inbox"));
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "title-2");
  self->count_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->count_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->count_label), "dim-label");
  gtk_box_append (GTK_BOX (titles), heading);
  gtk_box_append (GTK_BOX (titles), GTK_WIDGET (self->count_label));
  gtk_box_append (GTK_BOX (box), titles);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  {
    GtkWidget *spinner = gtk_spinner_new ();

    gtk_spinner_set_spinning (GTK_SPINNER (spinner), TRUE);
    gtk_widget_set_halign (spinner, GTK_ALIGN_CENTER);
    gtk_widget_set_valign (spinner, GTK_ALIGN_CENTER);
    gtk_widget_set_size_request (spinner, 32, 32);
    gtk_accessible_update_property (GTK_ACCESSIBLE (spinner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Reading the inbox"), -1);
    gtk_stack_add_named (self->stack, spinner, "loading");
  }
  self->list_box = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list_box, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list_box), "boxed-list");
  gtk_widget_set_valign (GTK_WIDGET (self->list_box), GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Studies waiting"), -1);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->list_box));
  gtk_stack_add_named (self->stack, scroller, "list");

  empty = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "camera-photo-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("Nothing Waiting"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("Images that match no patient, or more than one, wait "
                                     "here to be assigned."));
  gtk_stack_add_named (self->stack, empty, "empty");

  self->error_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->error_page, "dialog-warning-symbolic");
  adw_status_page_set_title (self->error_page, _("The Inbox Cannot Be Shown"));
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->error_page), "error");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));
  ch_ui_stack_show (self->stack, "loading");

  adw_bin_set_child (ADW_BIN (self), clamp);
}

GtkWidget *
ch_imaging_inbox_page_new (ChSession *session)
{
  ChImagingInboxPage *self;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  self = g_object_new (CH_TYPE_IMAGING_INBOX_PAGE, NULL);
  self->session = g_object_ref (session);
  ch_ui_session_watch_busy (session, G_OBJECT (self),
                            G_CALLBACK (ch_imaging_inbox_page_update_actions));
  ch_imaging_inbox_page_start_load (self);
  return GTK_WIDGET (self);
}
