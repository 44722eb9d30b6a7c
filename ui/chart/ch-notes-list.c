/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-notes-list"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-notes.h"
#include "ch-notes-editor.h"
#include "ch-notes-item.h"
#include "ch-notes-list.h"
#include "ch-ui.h"

/* A patient's progress notes, newest first: when, what, who and where each
 * stands (draft, signed, waiting for a co-signature, entered in error).
 * Activating one opens it; "New Note…" starts one. Read on a worker through
 * the session gate, and again whenever an opened note changes. */

struct _ChNotesList
{
  AdwBin           parent_instance;

  GtkLabel        *count_label;
  GtkWidget       *new_button;
  GtkStack        *stack;
  GtkSpinner      *spinner;
  GtkColumnView   *column_view;
  GtkSingleSelection *selection;
  AdwStatusPage   *error_page;

  ChSession       *session;
  ChPatientRecord *patient;     /* (nullable) */
  GListStore      *notes;       /* (element-type ChNotesItem) */
  GCancellable    *cancellable;
  guint            generation;
  gboolean         loaded;
  gboolean         busy;
};

G_DEFINE_FINAL_TYPE (ChNotesList, ch_notes_list, ADW_TYPE_BIN)

static gboolean
ch_notes_list_ready (ChNotesList *self)
{
  return self->session != NULL && self->patient != NULL && self->loaded && !self->busy &&
         !ch_ui_session_is_busy (self->session);
}

void
ch_notes_list_update_actions (ChNotesList *self)
{
  gboolean ready;

  g_return_if_fail (CH_IS_NOTES_LIST (self));

  ready = ch_notes_list_ready (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "notes.open", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "notes.new",
                                 ready && ch_session_can (self->session, CH_AREA_CLINICAL,
                                                          CH_ACCESS_WRITE));
}

static void
ch_notes_list_set_busy (ChNotesList *self,
                        gboolean     busy)
{
  self->busy = busy;
  ch_notes_list_update_actions (self);
}

static void
ch_notes_list_update_count (ChNotesList *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->notes));
  guint drafts = 0;
  guint waiting = 0;
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ChNotesItem) item = g_list_model_get_item (G_LIST_MODEL (self->notes), i);

      if (g_strcmp0 (ch_notes_item_get_state (item), "draft") == 0)
        drafts++;
      if (ch_notes_item_get_needs_cosign (item))
        waiting++;
    }

  if (!self->loaded)
    {
      gtk_label_set_text (self->count_label, "");
      return;
    }

  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u note", "%u notes", n), n);
  if (drafts > 0)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u draft", "%u drafts", drafts),
                              drafts);
    }
  if (waiting > 0)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u waiting for co-signature",
                                                 "%u waiting for co-signature", waiting),
                              waiting);
    }
  gtk_label_set_text (self->count_label, text->str);
}

/* ---- loading ----------------------------------------------------------------------- */

typedef struct
{
  ChSession *session;
  gint64     patient_id;
  guint      generation;
  GPtrArray *notes;
} Load;

static void
load_free (gpointer data)
{
  Load *load = data;

  g_clear_object (&load->session);
  g_clear_pointer (&load->notes, g_ptr_array_unref);
  g_free (load);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Load *load = task_data;
  g_autoptr(GError) error = NULL;

  load->notes = ch_notes_list (load->session, load->patient_id, &error);
  if (load->notes != NULL)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
load_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChNotesList *self = CH_NOTES_LIST (object);
  Load *load = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      ch_notes_list_set_busy (self, FALSE);
      if (load->generation != self->generation)
        return;

      gtk_spinner_set_spinning (self->spinner, FALSE);
      adw_status_page_set_description (self->error_page, error->message);
      ch_ui_stack_show (self->stack, "error");
      return;
    }

  if (load->generation != self->generation)
    {
      ch_notes_list_set_busy (self, FALSE);
      return;
    }

  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < load->notes->len; i++)
    g_ptr_array_add (items, ch_notes_item_new (g_ptr_array_index (load->notes, i)));
  g_list_store_splice (self->notes, 0, g_list_model_get_n_items (G_LIST_MODEL (self->notes)),
                       items->pdata, items->len);

  self->loaded = TRUE;
  gtk_spinner_set_spinning (self->spinner, FALSE);
  ch_ui_stack_show (self->stack, items->len > 0 ? "list" : "empty");
  ch_notes_list_update_count (self);
  ch_notes_list_set_busy (self, FALSE);
}

static void
ch_notes_list_start_load (ChNotesList *self)
{
  g_autoptr(GTask) task = NULL;
  Load *load;

  if (self->patient == NULL || self->session == NULL)
    return;

  if (ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self),
                               G_CALLBACK (ch_notes_list_start_load));
      return;
    }

  load = g_new0 (Load, 1);
  load->session = g_object_ref (self->session);
  load->patient_id = self->patient->id;
  load->generation = self->generation;

  ch_notes_list_set_busy (self, TRUE);

  task = ch_ui_session_task_new (self->session, self, self->cancellable, load_done, NULL);
  g_task_set_source_tag (task, ch_notes_list_start_load);
  g_task_set_task_data (task, load, load_free);
  ch_ui_session_run_task (task, load_thread);
}

static void
ch_notes_list_forget (ChNotesList *self)
{
  self->generation++;
  self->loaded = FALSE;
  g_list_store_remove_all (self->notes);
  ch_notes_list_update_count (self);
}

/**
 * ch_notes_list_load:
 * @self: a notes list
 * @patient: whose notes (copied)
 *
 * Forgets the notes shown and lists @patient's, read on a worker.
 */
void
ch_notes_list_load (ChNotesList           *self,
                    const ChPatientRecord *patient)
{
  g_return_if_fail (CH_IS_NOTES_LIST (self));
  g_return_if_fail (patient != NULL);

  g_clear_pointer (&self->patient, ch_patient_record_free);
  self->patient = ch_patient_record_copy (patient);
  ch_notes_list_forget (self);

  gtk_spinner_set_spinning (self->spinner, TRUE);
  ch_ui_stack_show (self->stack, "loading");
  ch_notes_list_update_actions (self);

  ch_notes_list_start_load (self);
}

void
ch_notes_list_reload (ChNotesList *self)
{
  g_return_if_fail (CH_IS_NOTES_LIST (self));

  ch_notes_list_start_load (self);
}

/* Forgets the patient, so that no note stays in a hidden widget. */
void
ch_notes_list_clear (ChNotesList *self)
{
  g_return_if_fail (CH_IS_NOTES_LIST (self));

  g_clear_pointer (&self->patient, ch_patient_record_free);
  ch_notes_list_forget (self);
  gtk_spinner_set_spinning (self->spinner, FALSE);
  ch_ui_stack_show (self->stack, "loading");
  ch_notes_list_update_actions (self);
}

void
ch_notes_list_set_session (ChNotesList *self,
                           ChSession   *session)
{
  g_return_if_fail (CH_IS_NOTES_LIST (self));
  g_return_if_fail (CH_IS_SESSION (session));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  ch_ui_session_watch_busy (session, G_OBJECT (self),
                            G_CALLBACK (ch_notes_list_update_actions));
  ch_notes_list_update_actions (self);
}

gboolean
ch_notes_list_get_busy (ChNotesList *self)
{
  g_return_val_if_fail (CH_IS_NOTES_LIST (self), FALSE);

  return self->busy;
}

/* Returns: (transfer none): the notes listed, of #ChNotesItem */
GListModel *
ch_notes_list_get_notes (ChNotesList *self)
{
  g_return_val_if_fail (CH_IS_NOTES_LIST (self), NULL);

  return G_LIST_MODEL (self->notes);
}

/* ---- commands ------------------------------------------------------------------------ */

static void
on_note_changed (ChNotesList   *self,
                 ChNotesEditor *editor)
{
  ch_notes_list_reload (self);
}

static void
ch_notes_list_open (ChNotesList *self,
                    gint64       note_id)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *editor;

  editor = ch_notes_editor_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->session,
                                self->patient, note_id);
  g_signal_connect_object (editor, "changed", G_CALLBACK (on_note_changed), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
}

static void
new_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ChNotesList *self = CH_NOTES_LIST (widget);

  if (!ch_notes_list_ready (self))
    return;

  ch_notes_list_open (self, 0);
}

static void
open_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChNotesList *self = CH_NOTES_LIST (widget);
  gint64 note_id = g_variant_get_int64 (parameter);

  if (!ch_notes_list_ready (self) || note_id <= 0)
    return;

  ch_notes_list_open (self, note_id);
}

static void
on_activate (ChNotesList *self,
             guint        position)
{
  g_autoptr(ChNotesItem) item = g_list_model_get_item (G_LIST_MODEL (self->notes), position);

  if (item != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "notes.open", "x",
                                ch_notes_item_get_id (item));
}

/* ---- GObject ------------------------------------------------------------------ */

static void
ch_notes_list_dispose (GObject *object)
{
  ChNotesList *self = CH_NOTES_LIST (object);

  g_cancellable_cancel (self->cancellable);

  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_NOTES_LIST);

  g_clear_object (&self->session);
  g_clear_object (&self->notes);

  G_OBJECT_CLASS (ch_notes_list_parent_class)->dispose (object);
}

static void
ch_notes_list_finalize (GObject *object)
{
  ChNotesList *self = CH_NOTES_LIST (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->patient, ch_patient_record_free);

  G_OBJECT_CLASS (ch_notes_list_parent_class)->finalize (object);
}

static void
ch_notes_list_class_init (ChNotesListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();
  /* The list's expressions name it. */
  g_type_ensure (CH_TYPE_NOTES_ITEM);

  object_class->dispose = ch_notes_list_dispose;
  object_class->finalize = ch_notes_list_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-notes-list.ui");
  gtk_widget_class_bind_template_child (widget_class, ChNotesList, count_label);
  gtk_widget_class_bind_template_child (widget_class, ChNotesList, new_button);
  gtk_widget_class_bind_template_child (widget_class, ChNotesList, stack);
  gtk_widget_class_bind_template_child (widget_class, ChNotesList, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChNotesList, column_view);
  gtk_widget_class_bind_template_child (widget_class, ChNotesList, selection);
  gtk_widget_class_bind_template_child (widget_class, ChNotesList, error_page);
  gtk_widget_class_bind_template_callback (widget_class, on_activate);

  gtk_widget_class_install_action (widget_class, "notes.new", NULL, new_activated);
  gtk_widget_class_install_action (widget_class, "notes.open", "x", open_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "notes.new", NULL);
}

static void
ch_notes_list_init (ChNotesList *self)
{
  self->cancellable = g_cancellable_new ();
  self->notes = g_list_store_new (CH_TYPE_NOTES_ITEM);

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_single_selection_set_model (self->selection, G_LIST_MODEL (self->notes));
  ch_notes_list_update_actions (self);
}
