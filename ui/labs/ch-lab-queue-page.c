/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-lab-queue-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-chart-ui.h"
#include "ch-documents-ui.h"
#include "ch-lab-queue-page.h"
#include "ch-labs.h"
#include "ch-labs-ui.h"
#include "ch-patient-picker.h"
#include "ch-ui.h"

/* Lab messages that wait for a person: those whose patient matched no
 * chart, or several (queued), and those that failed while being stored.
 * Each says whom the lab named (name, birth date, identifiers), when it
 * came, from which lab and why it waits. It is assigned to a patient found
 * with the patient search (the results go into that chart), or processed
 * again as it is (after the patient was registered or corrected, or the
 * failure mended). Under it, the log of the messages received, with their
 * outcomes. */

#define LOG_ROWS 200

static const struct
{
  const char *outcome;    /* NULL: all */
  const char *label;
} log_filters[] = {
  { NULL, N_("All Outcomes") },
  { "imported", N_("Filed") },
  { "queued", N_("Waiting for Review") },
  { "rejected", N_("Rejected") },
  { "error", N_("Failed") },
};

struct _ChLabQueuePage
{
  AdwBin         parent_instance;

  GtkLabel      *count_label;
  GtkRevealer   *error_revealer;
  GtkLabel      *error_label;
  GtkStack      *stack;
  GtkListBox    *queue_list;
  AdwStatusPage *error_page;
  GtkDropDown   *outcome_dropdown;
  GtkListBox    *log_list;
  GtkLabel      *log_empty_label;

  ChSession     *session;
  GPtrArray     *waiting;      /* (element-type ChLabMessage): queued, then failed */
  GPtrArray     *log;          /* (element-type ChLabMessage): newest first */
  GCancellable  *cancellable;
  char          *error;        /* the last thing that went wrong, shown until the next */
  guint          n_log_shown;
  gboolean       busy;
  gboolean       loaded;
  gboolean       reload_pending;  /* asked while busy */
};

G_DEFINE_FINAL_TYPE (ChLabQueuePage, ch_lab_queue_page, ADW_TYPE_BIN)

static void ch_lab_queue_page_start_load (ChLabQueuePage *self);

static gboolean
ch_lab_queue_page_ready (ChLabQueuePage *self)
{
  return self->session != NULL && self->loaded && !self->busy &&
         !ch_ui_session_is_busy (self->session);
}

static void
ch_lab_queue_page_update_actions (ChLabQueuePage *self)
{
  gboolean writable = ch_lab_queue_page_ready (self) &&
                      ch_session_can (self->session, CH_AREA_CLINICAL, CH_ACCESS_WRITE);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "queue.assign", writable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "queue.reprocess", writable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "queue.reload",
                                 self->session != NULL && !self->busy &&
                                 !ch_ui_session_is_busy (self->session));
}

static void
ch_lab_queue_page_set_busy (ChLabQueuePage *self,
                            gboolean        busy)
{
  self->busy = busy;
  ch_lab_queue_page_update_actions (self);
}

/* Says what went wrong above the list until something else is done. */
static void
ch_lab_queue_page_show_error (ChLabQueuePage *self,
                              const char     *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  if (message != NULL)
    {
      gtk_label_set_text (self->error_label, message);
      ch_ui_toast (GTK_WIDGET (self), message);
    }
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static ChLabMessage *
ch_lab_queue_page_find (ChLabQueuePage *self,
                        gint64          id)
{
  for (guint i = 0; self->waiting != NULL && i < self->waiting->len; i++)
    {
      ChLabMessage *message = g_ptr_array_index (self->waiting, i);

      if (message->id == id)
        return message;
    }
  return NULL;
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

/* "Brennan, Maeve T · born 12 Apr 1978 · MRN20391 (MR), Q83716 (PI)" */
static char *
who_it_names (const ChLabMessage *message)
{
  g_autofree char *name = ch_labs_ui_person_name (message->patient_name);
  GString *text = g_string_new (name);

  if (message->birth_date[0] != '\0')
    {
      g_autofree char *born = ch_documents_ui_format_date (message->birth_date);

      /* TRANSLATORS: a date of birth */
      g_string_append_printf (text, _(" · born %s"), born);
    }
  if (message->patient_ref[0] != '\0')
    g_string_append_printf (text, " · %s", message->patient_ref);
  return g_string_free (text, FALSE);
}

/* "LAB (QUEST DIAGNOSTICS)": the sending application and facility. */
static char *
sender (const ChLabMessage *message)
{
  if (message->sending_facility[0] != '\0' && message->sending_application[0] != '\0')
    return g_strdup_printf ("%s (%s)", message->sending_facility, message->sending_application);
  if (message->sending_facility[0] != '\0')
    return g_strdup (message->sending_facility);
  if (message->sending_application[0] != '\0')
    return g_strdup (message->sending_application);
  return g_strdup (_("an unnamed sender"));
}

/* How a message came, as the log stores it, in words. */
static const char *
source_label (const char *source)
{
  if (g_strcmp0 (source, "mllp") == 0)
    return _("over MLLP");
  if (g_strcmp0 (source, "folder") == 0)
    return _("from the drop folder");
  if (g_strcmp0 (source, "cli") == 0)
    return _("from the command line");
  return _("from a file");
}

static void
ch_lab_queue_page_fill_queue (ChLabQueuePage *self)
{
  GtkWidget *child;
  guint n = self->waiting != NULL ? self->waiting->len : 0;
  g_autofree char *count = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->queue_list))) != NULL)
    gtk_list_box_remove (self->queue_list, child);

  for (guint i = 0; i < n; i++)
    {
      ChLabMessage *message = g_ptr_array_index (self->waiting, i);
      g_autofree char *title = who_it_names (message);
      g_autofree char *when = ch_chart_ui_format_time (message->received_at);
      g_autofree char *from = sender (message);
      g_autofree char *subtitle = NULL;
      g_autofree char *name = g_strdup_printf ("message-%" G_GINT64_FORMAT, message->id);
      gboolean failed = g_strcmp0 (message->outcome, "error") == 0;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *again, *state;

      /* TRANSLATORS: when a lab message came, from which lab, then why it waits */
      subtitle = g_strdup_printf (_("Received %s from %s\n%s"), when, from, message->reason);
      gtk_widget_set_name (row, name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name (failed ? "dialog-warning-symbolic"
                                                                      : "applications-science-symbolic"));
      state = gtk_label_new (ch_labs_ui_outcome_label (message->outcome));
      gtk_widget_set_valign (state, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (state, "chart-flag");
      gtk_widget_add_css_class (state, failed ? "error" : "warning");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), state);
      again = button_new (_("_Process Again"), "queue.reprocess", message->id,
                          failed ? _("Store the message again, as it came")
                                 : _("Match the patient again (after registering or correcting them)"));
      gtk_widget_add_css_class (again, "flat");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), again);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 button_new (_("_Assign to Patient…"), "queue.assign", message->id,
                                             _("File the results in a patient's chart")));
      gtk_list_box_append (self->queue_list, row);
    }

  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u message waiting",
                                        "%u messages waiting", n), n);
  gtk_label_set_text (self->count_label, self->loaded ? count : "");
  if (self->loaded)
    ch_ui_stack_show (self->stack, n > 0 ? "list" : "empty");
}

static void
ch_lab_queue_page_fill_log (ChLabQueuePage *self)
{
  GtkWidget *child;
  guint selected = gtk_drop_down_get_selected (self->outcome_dropdown);
  const char *outcome = selected < G_N_ELEMENTS (log_filters) ? log_filters[selected].outcome : NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->log_list))) != NULL)
    gtk_list_box_remove (self->log_list, child);
  self->n_log_shown = 0;

  for (guint i = 0; self->log != NULL && i < self->log->len && self->n_log_shown < LOG_ROWS; i++)
    {
      ChLabMessage *message = g_ptr_array_index (self->log, i);
      g_autofree char *when = ch_chart_ui_format_time (message->received_at);
      g_autofree char *from = sender (message);
      g_autofree char *who = who_it_names (message);
      GString *subtitle = g_string_new (NULL);
      GtkWidget *row, *state;

      if (outcome != NULL && g_strcmp0 (message->outcome, outcome) != 0)
        continue;

      row = adw_action_row_new ();
      g_string_append_printf (subtitle, "%s · %s · %s", when, from,
                              source_label (message->source));
      if (message->patient_mrn[0] != '\0')
        /* TRANSLATORS: the chart a lab message was filed in */
        g_string_append_printf (subtitle, _(" · filed in MRN %s"), message->patient_mrn);
      if (message->reason[0] != '\0')
        g_string_append_printf (subtitle, "\n%s", message->reason);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), who);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
      state = gtk_label_new (ch_labs_ui_outcome_label (message->outcome));
      gtk_widget_set_valign (state, GTK_ALIGN_CENTER);
      if (g_strcmp0 (message->outcome, "imported") != 0)
        {
          gtk_widget_add_css_class (state, "chart-flag");
          gtk_widget_add_css_class (state, g_strcmp0 (message->outcome, "queued") == 0
                                           ? "warning" : "error");
        }
      else
        gtk_widget_add_css_class (state, "dim-label");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), state);
      gtk_list_box_append (self->log_list, row);
      g_string_free (subtitle, TRUE);
      self->n_log_shown++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->log_list), self->n_log_shown > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->log_empty_label), self->loaded && self->n_log_shown == 0);
}

static void
on_log_filter_changed (ChLabQueuePage *self)
{
  ch_lab_queue_page_fill_log (self);
}

/* ---- loading ------------------------------------------------------------------ */

typedef struct
{
  ChSession *session;
  GPtrArray *waiting;
  GPtrArray *log;
} Load;

static void
load_free (Load *load)
{
  g_clear_object (&load->session);
  g_clear_pointer (&load->waiting, g_ptr_array_unref);
  g_clear_pointer (&load->log, g_ptr_array_unref);
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

  load->waiting = ch_labs_list_queue (load->session, &error);
  if (load->waiting != NULL)
    load->log = ch_labs_list_messages (load->session, 0, &error);
  if (load->log == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* Failed ones wait too: they are kept to be processed again (few; read
   * one by one, oldest first like the queue). */
  for (guint i = load->log->len; i > 0; i--)
    {
      ChLabMessage *logged = g_ptr_array_index (load->log, i - 1);
      ChLabMessage *message;

      if (g_strcmp0 (logged->outcome, "error") != 0)
        continue;
      message = ch_labs_get_message (load->session, logged->id, &error);
      if (message == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      g_ptr_array_add (load->waiting, message);
    }
  g_task_return_boolean (task, TRUE);
}

static void
load_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChLabQueuePage *self = CH_LAB_QUEUE_PAGE (object);
  Load *load = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      ch_lab_queue_page_set_busy (self, FALSE);
      adw_status_page_set_description (self->error_page, error->message);
      ch_ui_stack_show (self->stack, "error");
      return;
    }

  g_clear_pointer (&self->waiting, g_ptr_array_unref);
  g_clear_pointer (&self->log, g_ptr_array_unref);
  self->waiting = g_steal_pointer (&load->waiting);
  self->log = g_steal_pointer (&load->log);
  self->loaded = TRUE;
  ch_lab_queue_page_fill_queue (self);
  ch_lab_queue_page_fill_log (self);
  ch_lab_queue_page_set_busy (self, FALSE);
  if (self->reload_pending)
    ch_lab_queue_page_start_load (self);
}

static void
ch_lab_queue_page_start_load (ChLabQueuePage *self)
{
  g_autoptr(GTask) task = NULL;
  Load *load;

  if (self->busy)
    {
      self->reload_pending = TRUE;
      return;
    }
  self->reload_pending = FALSE;
  if (ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self),
                               G_CALLBACK (ch_lab_queue_page_start_load));
      return;
    }

  load = g_new0 (Load, 1);
  load->session = g_object_ref (self->session);
  ch_lab_queue_page_set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, load_done, NULL);
  g_task_set_source_tag (task, ch_lab_queue_page_start_load);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  ch_ui_session_run_task (task, load_thread);
}

void
ch_lab_queue_page_reload (ChLabQueuePage *self)
{
  g_return_if_fail (CH_IS_LAB_QUEUE_PAGE (self));

  ch_lab_queue_page_start_load (self);
}

static void
reload_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ch_lab_queue_page_reload (CH_LAB_QUEUE_PAGE (widget));
}

/* ---- assign, process again --------------------------------------------------------- */

typedef struct
{
  ChSession          *session;
  gint64              message_id;
  gint64              patient_id;   /* assigning; 0 when processing again */
  ChLabsImportResult  result;
} Change;

static void
change_free (Change *change)
{
  g_clear_object (&change->session);
  ch_labs_import_result_clear (&change->result);
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
    ok = ch_labs_assign (change->session, change->message_id, change->patient_id,
                         &change->result, &error);
  else
    ok = ch_labs_reprocess (change->session, change->message_id, &change->result, &error);

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
  ChLabQueuePage *self = CH_LAB_QUEUE_PAGE (object);
  Change *change = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  ch_lab_queue_page_set_busy (self, FALSE);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      ch_lab_queue_page_show_error (self, error->message);
      ch_lab_queue_page_start_load (self);
      return;
    }

  switch (change->result.outcome)
    {
    case CH_LABS_OUTCOME_IMPORTED:
      ch_lab_queue_page_show_error (self, NULL);
      /* TRANSLATORS: "5 results filed in the chart of MRN20391" */
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "%u result filed in the chart of %s",
                                              "%u results filed in the chart of %s",
                                              change->result.n_results),
                                 change->result.n_results,
                                 change->result.mrns != NULL ? change->result.mrns : "");
      ch_ui_toast (GTK_WIDGET (self), message);
      /* The queue (this page), and the chart if it is open, read again. */
      ch_labs_ui_results_changed (GTK_WIDGET (self), change->result.patient_id);
      return;

    case CH_LABS_OUTCOME_QUEUED:
      /* TRANSLATORS: %s says why a lab message still waits */
      message = g_strdup_printf (_("The message still waits: %s"), change->result.reason);
      break;

    case CH_LABS_OUTCOME_REJECTED:
    case CH_LABS_OUTCOME_FAILED:
    default:
      /* TRANSLATORS: %s says why a lab message could not be filed */
      message = g_strdup_printf (_("The results could not be filed: %s"), change->result.reason);
      break;
    }
  ch_lab_queue_page_show_error (self, message);
  ch_lab_queue_page_start_load (self);
}

static void
ch_lab_queue_page_run_change (ChLabQueuePage *self,
                              gint64          message_id,
                              gint64          patient_id)
{
  g_autoptr(GTask) task = NULL;
  Change *change;

  if (!ch_lab_queue_page_ready (self))
    {
      ch_ui_toast (GTK_WIDGET (self), _("Charta is busy; try again in a moment"));
      return;
    }

  change = g_new0 (Change, 1);
  change->session = g_object_ref (self->session);
  change->message_id = message_id;
  change->patient_id = patient_id;

  ch_lab_queue_page_set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, change_done, NULL);
  g_task_set_source_tag (task, ch_lab_queue_page_run_change);
  g_task_set_task_data (task, change, (GDestroyNotify) change_free);
  ch_ui_session_run_task (task, change_thread);
}

void
ch_lab_queue_page_assign_to (ChLabQueuePage *self,
                             gint64          message_id,
                             gint64          patient_id)
{
  g_return_if_fail (CH_IS_LAB_QUEUE_PAGE (self));
  g_return_if_fail (patient_id > 0);

  ch_lab_queue_page_run_change (self, message_id, patient_id);
}

void
ch_lab_queue_page_reprocess (ChLabQueuePage *self,
                             gint64          message_id)
{
  g_return_if_fail (CH_IS_LAB_QUEUE_PAGE (self));

  ch_lab_queue_page_run_change (self, message_id, 0);
}

static void
reprocess_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ch_lab_queue_page_reprocess (CH_LAB_QUEUE_PAGE (widget), g_variant_get_int64 (parameter));
}

static void
on_assign_response (AdwMessageDialog *dialog,
                    const char       *response,
                    ChLabQueuePage   *self)
{
  ChPatientPicker *picker = CH_PATIENT_PICKER (adw_message_dialog_get_extra_child (dialog));
  gint64 message_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "message-id"));

  if (g_str_equal (response, "assign") && ch_patient_picker_get_patient_id (picker) > 0)
    ch_lab_queue_page_assign_to (self, message_id, ch_patient_picker_get_patient_id (picker));
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
 * ch_lab_queue_page_assign:
 *
 * Asks whose results the message holds (the patient search, started with
 * the family name the lab sent).
 *
 * Returns: (transfer none) (nullable): the question, presented
 */
GtkWidget *
ch_lab_queue_page_assign (ChLabQueuePage *self,
                          gint64          message_id)
{
  ChLabMessage *message;
  GtkRoot *root;
  g_autofree char *who = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog, *picker;
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (CH_IS_LAB_QUEUE_PAGE (self), NULL);

  message = ch_lab_queue_page_find (self, message_id);
  if (message == NULL || !ch_lab_queue_page_ready (self))
    return NULL;

  root = gtk_widget_get_root (GTK_WIDGET (self));
  who = who_it_names (message);
  /* TRANSLATORS: %s is whom the lab named: name, birth date, identifiers */
  body = g_strdup_printf (_("The lab sent these results for “%s”. Find the patient whose chart "
                            "they belong in; all the message's results are filed there."), who);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Assign the Results to a Patient"), body);
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
  g_object_set_data (G_OBJECT (dialog), "message-id", GSIZE_TO_POINTER ((gsize) message_id));
  g_signal_connect_object (picker, "patient-chosen", G_CALLBACK (on_patient_chosen), dialog,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_assign_response), self, 0);

  /* Start the search with the family name sent. */
  parts = g_strsplit (message->patient_name, "^", 2);
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
  ch_lab_queue_page_assign (CH_LAB_QUEUE_PAGE (widget), g_variant_get_int64 (parameter));
}

/* ---- public ------------------------------------------------------------------- */

gboolean
ch_lab_queue_page_get_busy (ChLabQueuePage *self)
{
  g_return_val_if_fail (CH_IS_LAB_QUEUE_PAGE (self), FALSE);

  return self->busy || !self->loaded;
}

/* Returns: (transfer none) (element-type ChLabMessage) (nullable) */
GPtrArray *
ch_lab_queue_page_get_waiting (ChLabQueuePage *self)
{
  g_return_val_if_fail (CH_IS_LAB_QUEUE_PAGE (self), NULL);

  return self->waiting;
}

/* Returns: (transfer none) (element-type ChLabMessage) (nullable): the
 * whole log, newest first */
GPtrArray *
ch_lab_queue_page_get_log (ChLabQueuePage *self)
{
  g_return_val_if_fail (CH_IS_LAB_QUEUE_PAGE (self), NULL);

  return self->log;
}

guint
ch_lab_queue_page_get_n_log_shown (ChLabQueuePage *self)
{
  g_return_val_if_fail (CH_IS_LAB_QUEUE_PAGE (self), 0);

  return self->n_log_shown;
}

/* @outcome: "imported", "queued", "rejected", "error", or NULL for all */
void
ch_lab_queue_page_set_log_filter (ChLabQueuePage *self,
                                  const char     *outcome)
{
  g_return_if_fail (CH_IS_LAB_QUEUE_PAGE (self));

  for (guint i = 0; i < G_N_ELEMENTS (log_filters); i++)
    if (g_strcmp0 (log_filters[i].outcome, outcome) == 0)
      gtk_drop_down_set_selected (self->outcome_dropdown, i);
}

/* Returns: (nullable): what last went wrong, as shown */
const char *
ch_lab_queue_page_get_error (ChLabQueuePage *self)
{
  g_return_val_if_fail (CH_IS_LAB_QUEUE_PAGE (self), NULL);

  return self->error;
}

/* ---- GObject ------------------------------------------------------------------- */

static void
ch_lab_queue_page_dispose (GObject *object)
{
  ChLabQueuePage *self = CH_LAB_QUEUE_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_LAB_QUEUE_PAGE);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ch_lab_queue_page_parent_class)->dispose (object);
}

static void
ch_lab_queue_page_finalize (GObject *object)
{
  ChLabQueuePage *self = CH_LAB_QUEUE_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->waiting, g_ptr_array_unref);
  g_clear_pointer (&self->log, g_ptr_array_unref);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (ch_lab_queue_page_parent_class)->finalize (object);
}

static void
ch_lab_queue_page_class_init (ChLabQueuePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();
  g_type_ensure (CH_TYPE_PATIENT_PICKER);

  object_class->dispose = ch_lab_queue_page_dispose;
  object_class->finalize = ch_lab_queue_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-lab-queue-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ChLabQueuePage, count_label);
  gtk_widget_class_bind_template_child (widget_class, ChLabQueuePage, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ChLabQueuePage, error_label);
  gtk_widget_class_bind_template_child (widget_class, ChLabQueuePage, stack);
  gtk_widget_class_bind_template_child (widget_class, ChLabQueuePage, queue_list);
  gtk_widget_class_bind_template_child (widget_class, ChLabQueuePage, error_page);
  gtk_widget_class_bind_template_child (widget_class, ChLabQueuePage, outcome_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ChLabQueuePage, log_list);
  gtk_widget_class_bind_template_child (widget_class, ChLabQueuePage, log_empty_label);
  gtk_widget_class_bind_template_callback (widget_class, on_log_filter_changed);

  gtk_widget_class_install_action (widget_class, "queue.assign", "x", assign_activated);
  gtk_widget_class_install_action (widget_class, "queue.reprocess", "x", reprocess_activated);
  gtk_widget_class_install_action (widget_class, "queue.reload", NULL, reload_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "queue.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "queue.reload",
                                       NULL);
}

static void
ch_lab_queue_page_init (ChLabQueuePage *self)
{
  g_autoptr(GtkStringList) outcomes = gtk_string_list_new (NULL);

  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (log_filters); i++)
    gtk_string_list_append (outcomes, _(log_filters[i].label));
  gtk_drop_down_set_model (self->outcome_dropdown, G_LIST_MODEL (outcomes));
  ch_ui_stack_show (self->stack, "loading");
}

GtkWidget *
ch_lab_queue_page_new (ChSession *session)
{
  ChLabQueuePage *self;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  self = g_object_new (CH_TYPE_LAB_QUEUE_PAGE, NULL);
  self->session = g_object_ref (session);
  ch_ui_session_watch_busy (session, G_OBJECT (self),
                            G_CALLBACK (ch_lab_queue_page_update_actions));
  ch_lab_queue_page_start_load (self);
  return GTK_WIDGET (self);
}
