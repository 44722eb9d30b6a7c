/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-incoming-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-ccda-import.h"
#include "ch-chart-ui.h"
#include "ch-incoming-dialog.h"
#include "ch-ui.h"

/* An outside record (a CCD) reconciled with the chart: its pending
 * problems, allergies and medications, each accepted, declined with a
 * reason, or left for later. "Import CCD…" stages another document. The
 * controller does the work (app/interop/ch-ccda-import.h) on a worker: the
 * list read, a document staged, the decisions saved in one transaction. */

typedef struct
{
  gint64       item_id;
  char        *text;
  GtkDropDown *decision;   /* 0 undecided, 1 accept, 2 decline */
  GtkEditable *reason;
} Line;

enum
{
  DECISION_NONE,
  DECISION_ACCEPT,
  DECISION_DECLINE,
};

struct _ChIncomingDialog
{
  AdwWindow            parent_instance;

  AdwWindowTitle      *window_title;
  GtkWidget           *save_button;
  GtkWidget           *import_button;
  GtkSpinner          *spinner;
  GtkLabel            *error_label;
  GtkStack            *stack;
  AdwPreferencesGroup *problems_group;
  AdwPreferencesGroup *allergies_group;
  AdwPreferencesGroup *medications_group;

  ChSession           *session;
  ChPatientRecord     *patient;
  GArray              *lines;        /* of Line, one a pending item shown */
  GPtrArray           *rows;
  GtkFileChooserNative *chooser;
  GCancellable        *cancellable;
  gboolean             busy;
  gboolean             loaded;
};

G_DEFINE_FINAL_TYPE (ChIncomingDialog, ch_incoming_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void ch_incoming_dialog_load (ChIncomingDialog *self);

static void
line_clear (Line *line)
{
  g_clear_pointer (&line->text, g_free);
}

static void
ch_incoming_dialog_update_actions (ChIncomingDialog *self)
{
  gboolean idle = !self->busy && self->session != NULL && !ch_ui_session_is_busy (self->session);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "incoming.import", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "incoming.save",
                                 idle && self->lines->len > 0);
}

static void
ch_incoming_dialog_show_error (ChIncomingDialog *self,
                               const char       *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
ch_incoming_dialog_set_busy (ChIncomingDialog *self,
                             gboolean          busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  ch_incoming_dialog_update_actions (self);
}

/* ---- the list ------------------------------------------------------------------ */

static void
clear_rows (ChIncomingDialog *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = self->rows->pdata[i];
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (self->rows, 0);
  g_array_set_size (self->lines, 0);
}

static const char *
system_label (const char *system)
{
  if (g_strcmp0 (system, "icd10cm") == 0)
    return "ICD-10-CM";
  if (g_strcmp0 (system, "snomed") == 0)
    return "SNOMED CT";
  if (g_strcmp0 (system, "rxnorm") == 0)
    return "RxNorm";
  if (g_strcmp0 (system, "unii") == 0)
    return "UNII";
  return system;
}

static void
on_decision_changed (GtkDropDown *decision,
                     GParamSpec  *pspec,
                     GtkWidget   *reason)
{
  gboolean declining = gtk_drop_down_get_selected (decision) == DECISION_DECLINE;

  gtk_widget_set_visible (reason, declining);
  if (declining)
    gtk_widget_grab_focus (reason);
}

static void
add_item_row (ChIncomingDialog     *self,
              const ChIncomingItem *item)
{
  static const char * const choices[] = { N_("Undecided"), N_("Accept"), N_("Decline"), NULL };
  const char *translated[G_N_ELEMENTS (choices)];
  AdwPreferencesGroup *group;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *decision;
  GtkWidget *reason = gtk_entry_new ();
  g_autoptr (GString) subtitle = g_string_new (NULL);
  g_autofree char *name = g_strdup_printf ("item-%" G_GINT64_FORMAT, item->id);
  Line line = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (choices); i++)
    translated[i] = choices[i] ? _(choices[i]) : NULL;
  decision = gtk_drop_down_new_from_strings (translated);

  if (g_strcmp0 (item->kind, "problem") == 0)
    group = self->problems_group;
  else if (g_strcmp0 (item->kind, "allergy") == 0)
    group = self->allergies_group;
  else
    group = self->medications_group;

  if (item->code != NULL && item->code[0] != '\0')
    g_string_append_printf (subtitle, "%s %s", system_label (item->system), item->code);
  if (item->details != NULL && item->details[0] != '\0')
    g_string_append_printf (subtitle, "%s%s", subtitle->len ? " · " : "", item->details);
  if (item->source != NULL && item->source[0] != '\0')
    /* TRANSLATORS: where an outside record item comes from, "from Lakeshore Health" */
    g_string_append_printf (subtitle, "%s%s %s", subtitle->len ? " · " : "", _("from"),
                            item->source);

  gtk_widget_set_name (row, name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), item->text);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  gtk_accessible_update_property (GTK_ACCESSIBLE (decision), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Decision"), -1);
  gtk_entry_set_placeholder_text (GTK_ENTRY (reason), _("Why it is declined"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (reason), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Reason"), -1);
  gtk_widget_set_visible (reason, FALSE);
  g_signal_connect_object (decision, "notify::selected", G_CALLBACK (on_decision_changed),
                           reason, 0);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_box_append (GTK_BOX (box), decision);
  gtk_box_append (GTK_BOX (box), reason);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), decision);

  line.item_id = item->id;
  line.text = g_strdup (item->text);
  line.decision = GTK_DROP_DOWN (decision);
  line.reason = GTK_EDITABLE (reason);
  g_array_append_val (self->lines, line);
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->rows, row);
}

static void
show_items (ChIncomingDialog *self,
            GPtrArray        *items)
{
  guint counts[3] = { 0 };

  clear_rows (self);
  for (guint i = 0; i < items->len; i++)
    {
      const ChIncomingItem *item = items->pdata[i];

      add_item_row (self, item);
      counts[g_strcmp0 (item->kind, "problem") == 0 ? 0
             : g_strcmp0 (item->kind, "allergy") == 0 ? 1 : 2]++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->problems_group), counts[0] > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->allergies_group), counts[1] > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->medications_group), counts[2] > 0);
  ch_ui_stack_show (self->stack, items->len > 0 ? "items" : "empty");
  ch_incoming_dialog_update_actions (self);
}

typedef struct
{
  ChSession *session;
  gint64     patient_id;
  GPtrArray *items;     /* out: pending items */
  /* importing */
  char      *path;
  gboolean   force;
  /* deciding */
  GArray    *decisions; /* of ChIncomingDecision */
  GPtrArray *strings;   /* owns the decisions' reasons */
} Work;

static void
work_free (gpointer data)
{
  Work *work = data;

  g_clear_object (&work->session);
  g_clear_pointer (&work->items, g_ptr_array_unref);
  g_free (work->path);
  g_clear_pointer (&work->decisions, g_array_unref);
  g_clear_pointer (&work->strings, g_ptr_array_unref);
  g_free (work);
}

static Work *
work_new (ChIncomingDialog *self)
{
  Work *work = g_new0 (Work, 1);

  work->session = g_object_ref (self->session);
  work->patient_id = self->patient->id;
  return work;
}

/* Whatever else the worker does, it reads the pending items again last. */
static void
work_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Work *work = task_data;
  g_autoptr (GError) error = NULL;

  if (work->path != NULL)
    {
      g_autoptr (GPtrArray) staged = ch_ccda_import_stage (work->session, work->patient_id,
                                                           work->path, NULL, work->force, NULL,
                                                           &error);

      if (staged == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  if (work->decisions != NULL
      && !ch_ccda_import_decide (work->session, work->patient_id,
                                 (const ChIncomingDecision *) work->decisions->data,
                                 work->decisions->len, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  work->items = ch_ccda_import_list (work->session, work->patient_id, TRUE, &error);
  if (work->items == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void import_path (ChIncomingDialog *self,
                         const char       *path,
                         gboolean          force);

static void
on_force_response (AdwMessageDialog *dialog,
                   const char       *response,
                   ChIncomingDialog *self)
{
  const char *path = g_object_get_data (G_OBJECT (dialog), "path");

  if (g_strcmp0 (response, "import") == 0 && path != NULL)
    import_path (self, path, TRUE);
}

/* The document names another patient: the person decides. */
static void
ask_force (ChIncomingDialog *self,
           const char       *path,
           const char       *message)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Another Patient?"), message);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "import", _("_Import Anyway"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "import",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "path", g_strdup (path), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_force_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
work_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChIncomingDialog *self = CH_INCOMING_DIALOG (object);
  Work *work = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  self->loaded = TRUE;
  ch_incoming_dialog_set_busy (self, FALSE);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (work->path != NULL && !work->force
          && g_error_matches (error, CH_CCDA_IMPORT_ERROR, CH_CCDA_IMPORT_ERROR_MISMATCH))
        {
          ch_incoming_dialog_show_error (self, NULL);
          ask_force (self, work->path, error->message);
          return;
        }
      ch_incoming_dialog_show_error (self, error->message);
      return;
    }

  ch_incoming_dialog_show_error (self, NULL);
  show_items (self, work->items);
  if (work->decisions != NULL || work->path != NULL)
    g_signal_emit (self, signals[SAVED], 0);
}

static void
run_work (ChIncomingDialog *self,
          Work             *work)
{
  g_autoptr (GTask) task = NULL;

  ch_incoming_dialog_set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, work_done, NULL);
  g_task_set_task_data (task, work, work_free);
  ch_ui_session_run_task (task, work_thread);
}

static void
ch_incoming_dialog_load (ChIncomingDialog *self)
{
  if (self->busy || self->session == NULL)
    return;
  if (ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self),
                               G_CALLBACK (ch_incoming_dialog_load));
      return;
    }
  run_work (self, work_new (self));
}

/* ---- importing ----------------------------------------------------------------- */

static void
import_path (ChIncomingDialog *self,
             const char       *path,
             gboolean          force)
{
  Work *work;

  if (self->busy || ch_ui_session_is_busy (self->session))
    return;
  work = work_new (self);
  work->path = g_strdup (path);
  work->force = force;
  run_work (self, work);
}

void
ch_incoming_dialog_import_file (ChIncomingDialog *self,
                                GFile            *file)
{
  g_autofree char *path = NULL;

  g_return_if_fail (CH_IS_INCOMING_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  if (path == NULL)
    {
      ch_incoming_dialog_show_error (self, _("Only a file on this computer can be imported"));
      return;
    }
  import_path (self, path, FALSE);
}

static void
on_chooser_response (GtkNativeDialog  *chooser,
                     int               response,
                     ChIncomingDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        ch_incoming_dialog_import_file (self, file);
    }
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);
}

static void
import_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ChIncomingDialog *self = CH_INCOMING_DIALOG (widget);
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->busy || self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Import a Continuity of Care Document"),
                                               GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Import"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("CCD documents (XML)"));
  gtk_file_filter_add_pattern (filter, "*.xml");
  gtk_file_filter_add_pattern (filter, "*.XML");
  gtk_file_filter_add_mime_type (filter, "application/xml");
  gtk_file_filter_add_mime_type (filter, "text/xml");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---- saving -------------------------------------------------------------------- */

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChIncomingDialog *self = CH_INCOMING_DIALOG (widget);
  Work *work;

  if (self->busy || ch_ui_session_is_busy (self->session))
    return;

  work = work_new (self);
  work->decisions = g_array_new (FALSE, TRUE, sizeof (ChIncomingDecision));
  work->strings = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < self->lines->len; i++)
    {
      const Line *line = &g_array_index (self->lines, Line, i);
      guint choice = gtk_drop_down_get_selected (line->decision);
      ChIncomingDecision decision = { 0 };

      if (choice != DECISION_ACCEPT && choice != DECISION_DECLINE)
        continue;
      decision.item_id = line->item_id;
      decision.accept = choice == DECISION_ACCEPT;
      if (!decision.accept)
        {
          char *reason = ch_chart_ui_dup_text (line->reason);

          g_ptr_array_add (work->strings, reason);
          decision.reason = reason;
        }
      g_array_append_val (work->decisions, decision);
    }
  if (work->decisions->len == 0)
    {
      work_free (work);
      ch_incoming_dialog_show_error (self, _("Choose Accept or Decline for the items to decide "
                                             "now; the others wait."));
      return;
    }
  run_work (self, work);
}

/* ---- construction -------------------------------------------------------------- */

GtkWidget *
ch_incoming_dialog_new (GtkWindow             *parent,
                        ChSession             *session,
                        const ChPatientRecord *patient)
{
  ChIncomingDialog *self;
  g_autofree char *name = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (patient != NULL, NULL);

  self = g_object_new (CH_TYPE_INCOMING_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->patient = ch_patient_record_copy (patient);
  ch_ui_session_watch_busy (session, G_OBJECT (self),
                            G_CALLBACK (ch_incoming_dialog_update_actions));

  name = ch_patient_record_display_name (patient);
  adw_window_title_set_subtitle (self->window_title, name);
  ch_incoming_dialog_update_actions (self);
  ch_incoming_dialog_load (self);
  gtk_widget_grab_focus (self->import_button);
  return GTK_WIDGET (self);
}

gboolean
ch_incoming_dialog_get_busy (ChIncomingDialog *self)
{
  g_return_val_if_fail (CH_IS_INCOMING_DIALOG (self), FALSE);

  return self->busy || !self->loaded;
}

guint
ch_incoming_dialog_get_n_items (ChIncomingDialog *self)
{
  g_return_val_if_fail (CH_IS_INCOMING_DIALOG (self), 0);

  return self->lines->len;
}

static gboolean
ch_incoming_dialog_close_request (GtkWindow *window)
{
  ChIncomingDialog *self = CH_INCOMING_DIALOG (window);

  if (self->busy)
    return TRUE;
  return GTK_WINDOW_CLASS (ch_incoming_dialog_parent_class)->close_request (window);
}

static void
ch_incoming_dialog_dispose (GObject *object)
{
  ChIncomingDialog *self = CH_INCOMING_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_INCOMING_DIALOG);

  G_OBJECT_CLASS (ch_incoming_dialog_parent_class)->dispose (object);
}

static void
ch_incoming_dialog_finalize (GObject *object)
{
  ChIncomingDialog *self = CH_INCOMING_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->patient, ch_patient_record_free);
  g_clear_pointer (&self->lines, g_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (ch_incoming_dialog_parent_class)->finalize (object);
}

static void
ch_incoming_dialog_class_init (ChIncomingDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_incoming_dialog_dispose;
  object_class->finalize = ch_incoming_dialog_finalize;
  window_class->close_request = ch_incoming_dialog_close_request;

  /**
   * ChIncomingDialog::saved:
   *
   * Decisions were saved or a document staged: the chart may have changed.
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-incoming-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ChIncomingDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ChIncomingDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, ChIncomingDialog, import_button);
  gtk_widget_class_bind_template_child (widget_class, ChIncomingDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChIncomingDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ChIncomingDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, ChIncomingDialog, problems_group);
  gtk_widget_class_bind_template_child (widget_class, ChIncomingDialog, allergies_group);
  gtk_widget_class_bind_template_child (widget_class, ChIncomingDialog, medications_group);

  gtk_widget_class_install_action (widget_class, "incoming.import", NULL, import_activated);
  gtk_widget_class_install_action (widget_class, "incoming.save", NULL, save_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "incoming.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "incoming.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_incoming_dialog_init (ChIncomingDialog *self)
{
  self->cancellable = g_cancellable_new ();
  self->lines = g_array_new (FALSE, TRUE, sizeof (Line));
  g_array_set_clear_func (self->lines, (GDestroyNotify) line_clear);
  self->rows = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
