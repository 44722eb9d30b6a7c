/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-notes-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-chart-ui.h"
#include "ch-notes.h"
#include "ch-notes-editor.h"
#include "ch-notes-item.h"
#include "ch-ui.h"

/* One progress note: written as SOAP or free text and kept as a draft
 * until its author signs it; then locked, read-only, and open only to
 * dated addenda, a physician's co-signature when it needs one, and being
 * marked entered in error. The controller decides what is allowed; the
 * window offers what it would allow, and shows its answer. */

struct _ChNotesEditor
{
  AdwWindow            parent_instance;

  AdwWindowTitle      *window_title;
  GtkWidget           *close_button;
  GtkWidget           *more_button;
  GtkWidget           *sign_button;
  GtkWidget           *cosign_button;
  GtkWidget           *save_button;
  GtkWidget           *addendum_button;
  GtkSpinner          *spinner;
  GtkSpinner          *loading_spinner;
  GtkStack            *stack;
  AdwStatusPage       *error_page;
  GtkScrolledWindow   *scroller;
  GtkWidget           *form;
  GtkLabel            *status_label;
  GtkWidget           *kind_box;
  GtkWidget           *title_list;
  GtkWidget           *title_row;
  GtkWidget           *soap_box;
  GtkWidget           *free_box;
  GtkWidget           *subjective_box;
  GtkWidget           *objective_box;
  GtkWidget           *assessment_box;
  GtkWidget           *plan_box;
  GtkTextView         *subjective_view;
  GtkTextView         *objective_view;
  GtkTextView         *assessment_view;
  GtkTextView         *plan_view;
  GtkTextView         *body_view;
  GtkLabel            *subjective_label;
  GtkLabel            *objective_label;
  GtkLabel            *assessment_label;
  GtkLabel            *plan_label;
  GtkLabel            *body_label;
  AdwPreferencesGroup *addenda_group;
  GtkLabel            *error_label;

  ChSession           *session;
  ChPatientRecord     *patient;
  ChNoteRecord        *note;      /* (nullable): as stored; %NULL before the first save */
  char                *kind;      /* soap, free */
  GPtrArray           *addendum_rows;
  GCancellable        *cancellable;
  gboolean             busy;
  gboolean             dirty;
  gboolean             filling;
};

G_DEFINE_FINAL_TYPE (ChNotesEditor, ch_notes_editor, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_KIND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
has_state (const ChNoteRecord *note,
           const char         *state)
{
  return note != NULL && g_strcmp0 (note->state, state) == 0;
}

static gboolean
is_mine (ChNotesEditor *self)
{
  return self->note == NULL ||
         g_strcmp0 (self->note->author, ch_session_get_username (self->session)) == 0;
}

/* Returns: whether the note is a draft its author is writing here */
gboolean
ch_notes_editor_get_editable (ChNotesEditor *self)
{
  g_return_val_if_fail (CH_IS_NOTES_EDITOR (self), FALSE);

  return self->session != NULL &&
         (self->note == NULL || (has_state (self->note, "draft") && is_mine (self)));
}

static gboolean
needs_cosign (const ChNoteRecord *note)
{
  return has_state (note, "signed") && note->cosign_required && note->cosigned_at == 0;
}

static void
ch_notes_editor_update_actions (ChNotesEditor *self)
{
  gboolean ready = self->session != NULL && !self->busy &&
                   !ch_ui_session_is_busy (self->session) &&
                   (self->note != NULL ||
                    g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "note") == 0);
  gboolean can_write = ready && ch_session_can (self->session, CH_AREA_CLINICAL, CH_ACCESS_WRITE);
  gboolean editable = ch_notes_editor_get_editable (self);
  gboolean physician = self->session != NULL &&
                       ch_session_get_role (self->session) == CH_ROLE_PHYSICIAN;
  gboolean cosign = needs_cosign (self->note) && physician && !is_mine (self);
  gboolean retract = self->note != NULL && !has_state (self->note, "entered-in-error") &&
                     (is_mine (self) || physician);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "note.save", can_write && editable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "note.sign", can_write && editable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "note.kind", editable && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "note.cosign", can_write && cosign);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "note.add-addendum",
                                 can_write && has_state (self->note, "signed"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "note.entered-in-error", can_write && retract);

  /* Only what applies to the note is on offer. */
  gtk_widget_set_visible (self->save_button, editable);
  gtk_widget_set_visible (self->sign_button, editable);
  gtk_widget_set_visible (self->cosign_button, cosign);
  gtk_widget_set_visible (self->addendum_button, has_state (self->note, "signed"));
  gtk_widget_set_visible (self->more_button, retract);
}

static void
ch_notes_editor_set_busy (ChNotesEditor *self,
                          gboolean       busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  ch_ui_set_input_sensitive (self->form, !busy);
  ch_notes_editor_update_actions (self);
}

static void
ch_notes_editor_show_error (ChNotesEditor *self,
                            const char    *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* ---- showing -------------------------------------------------------------------- */

static GtkTextView *
views (ChNotesEditor *self,
       guint          i)
{
  GtkTextView *all[] = {
    self->subjective_view, self->objective_view, self->assessment_view, self->plan_view,
    self->body_view,
  };

  return i < G_N_ELEMENTS (all) ? all[i] : NULL;
}

/* The same parts, as a signed note shows them. */
static GtkLabel *
read_labels (ChNotesEditor *self,
             guint          i)
{
  GtkLabel *all[] = {
    self->subjective_label, self->objective_label, self->assessment_label, self->plan_label,
    self->body_label,
  };

  return i < G_N_ELEMENTS (all) ? all[i] : NULL;
}

static void
set_buffer_text (GtkTextView *view,
                 const char  *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), text != NULL ? text : "", -1);
}

static char *
dup_buffer_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  if (!ch_chart_ui_has_text (text))
    return NULL;

  return g_steal_pointer (&text);
}

static void
ch_notes_editor_show_kind (ChNotesEditor *self)
{
  gboolean free_text = g_strcmp0 (self->kind, "free") == 0;

  gtk_widget_set_visible (self->soap_box, !free_text);
  gtk_widget_set_visible (self->free_box, free_text);
}

static void
ch_notes_editor_fill_addenda (ChNotesEditor *self)
{
  GPtrArray *addenda = self->note != NULL ? self->note->addenda : NULL;

  for (guint i = 0; i < self->addendum_rows->len; i++)
    adw_preferences_group_remove (self->addenda_group,
                                  g_ptr_array_index (self->addendum_rows, i));
  g_ptr_array_set_size (self->addendum_rows, 0);

  for (guint i = 0; addenda != NULL && i < addenda->len; i++)
    {
      const ChAddendum *addendum = g_ptr_array_index (addenda, i);
      g_autofree char *when = ch_chart_ui_format_time (addendum->created_at);
      /* Translators: who added an addendum, and when */
      g_autofree char *heading = g_strdup_printf (_("%s, %s"), addendum->author, when);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
      GtkWidget *label;

      label = gtk_label_new (heading);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "caption-heading");
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (box), label);

      label = gtk_label_new (addendum->text);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_box_append (GTK_BOX (box), label);

      gtk_widget_add_css_class (box, "card");
      gtk_widget_add_css_class (box, "chart-addendum");
      adw_preferences_group_add (self->addenda_group, box);
      g_ptr_array_add (self->addendum_rows, box);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->addenda_group), self->addendum_rows->len > 0);
}

static char *
status_text (ChNotesEditor *self)
{
  const ChNoteRecord *note = self->note;
  g_autoptr(GString) text = g_string_new (NULL);

  if (note == NULL)
    return g_strdup (_("New note. It stays a draft, which only you can change, until you sign "
                       "it."));

  if (has_state (note, "entered-in-error"))
    {
      /* Translators: %s is why a note was marked entered in error */
      g_string_printf (text, _("Entered in error: %s"),
                       note->error_reason != NULL ? note->error_reason : "");
      return g_string_free (g_steal_pointer (&text), FALSE);
    }

  if (has_state (note, "draft"))
    {
      g_autofree char *when = ch_chart_ui_format_time (note->created_at);

      if (is_mine (self))
        /* Translators: %s is a date and time */
        g_string_printf (text, _("Draft, begun %s. Not signed yet."), when);
      else
        /* Translators: a user name, then a date and time */
        g_string_printf (text, _("Draft by %s, begun %s. Only its author may change or sign it."),
                         note->author, when);
      return g_string_free (g_steal_pointer (&text), FALSE);
    }

  {
    g_autofree char *when = ch_chart_ui_format_time (note->signed_at);

    /* Translators: a user name, then a date and time */
    g_string_printf (text, _("Signed by %s, %s."), note->author, when);
  }
  if (note->cosigned_at != 0)
    {
      g_autofree char *when = ch_chart_ui_format_time (note->cosigned_at);

      g_string_append_c (text, ' ');
      /* Translators: a user name, then a date and time */
      g_string_append_printf (text, _("Co-signed by %s, %s."), note->cosigned_by, when);
    }
  else if (note->cosign_required)
    {
      g_string_append_c (text, ' ');
      g_string_append (text, _("Waiting for a physician’s co-signature."));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Shows the note as it is, editable if it is the user's own draft. */
static void
ch_notes_editor_update_mode (ChNotesEditor *self)
{
  gboolean editable = ch_notes_editor_get_editable (self);
  g_autofree char *status = status_text (self);
  const char *state_class = self->note != NULL ? ch_notes_item_state_class (self->note)
                                               : "chart-note-draft";
  GtkWidget *boxes[] = {
    self->subjective_box, self->objective_box, self->assessment_box, self->plan_box,
  };
  const char *classes[] = {
    "chart-note-status", state_class, NULL,
  };

  gtk_label_set_text (self->status_label, status);
  gtk_widget_set_css_classes (GTK_WIDGET (self->status_label), classes);

  gtk_widget_set_visible (self->kind_box, editable);
  gtk_widget_set_visible (self->title_list, editable);

  for (guint i = 0; views (self, i) != NULL; i++)
    {
      GtkTextView *view = views (self, i);
      g_autofree char *text = dup_buffer_text (view);

      if (!editable)
        ch_ui_drop_focus_within (GTK_WIDGET (view));
      gtk_text_view_set_editable (view, editable);
      gtk_widget_set_visible (GTK_WIDGET (view), editable);
      gtk_label_set_text (read_labels (self, i), text != NULL ? text : "");
      gtk_widget_set_visible (GTK_WIDGET (read_labels (self, i)), !editable);
    }

  /* A signed note shows the parts that were written, nothing empty. */
  for (guint i = 0; i < G_N_ELEMENTS (boxes); i++)
    {
      g_autofree char *text = dup_buffer_text (views (self, i));

      gtk_widget_set_visible (boxes[i], editable || text != NULL);
    }
  ch_notes_editor_show_kind (self);
  ch_notes_editor_fill_addenda (self);

  {
    const char *title = self->note == NULL ? _("New Note")
                        : ch_chart_ui_has_text (self->note->title) ? self->note->title
                        : editable ? _("Draft Note") : _("Progress Note");

    adw_window_title_set_title (self->window_title, title);
    gtk_window_set_title (GTK_WINDOW (self), title);
  }

  ch_notes_editor_update_actions (self);
}

static void
ch_notes_editor_set_kind (ChNotesEditor *self,
                          const char    *kind)
{
  if (g_strcmp0 (kind, "free") != 0)
    kind = "soap";

  if (g_strcmp0 (self->kind, kind) == 0)
    return;

  g_free (self->kind);
  self->kind = g_strdup (kind);
  ch_notes_editor_show_kind (self);
  if (!self->filling)
    self->dirty = TRUE;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
}

static void
ch_notes_editor_set_note (ChNotesEditor *self,
                          ChNoteRecord  *note)
{
  g_clear_pointer (&self->note, ch_note_record_free);
  self->note = note;

  self->filling = TRUE;
  ch_notes_editor_set_kind (self, note->kind);
  gtk_editable_set_text (GTK_EDITABLE (self->title_row), note->title != NULL ? note->title : "");
  set_buffer_text (self->subjective_view, note->subjective);
  set_buffer_text (self->objective_view, note->objective);
  set_buffer_text (self->assessment_view, note->assessment);
  set_buffer_text (self->plan_view, note->plan);
  set_buffer_text (self->body_view, note->body);
  self->filling = FALSE;
  self->dirty = FALSE;

  ch_notes_editor_update_mode (self);
}

static void
on_text_changed (ChNotesEditor *self)
{
  if (!self->filling)
    self->dirty = TRUE;
}

/* ---- the controller -------------------------------------------------------------- */

typedef struct
{
  ChSession    *session;
  gint64        id;
  ChNoteRecord *draft;      /* (nullable): to save first */
  gboolean      sign;
  gboolean      cosign;
  char         *addendum;
  char         *reason;
  gboolean      reread;     /* the note as stored afterwards, with its addenda */
  gboolean      saved;      /* the draft was stored, even if what followed failed */
  ChNoteRecord *result;
  const char   *message;    /* for the toast */
} Op;

static void
op_free (gpointer data)
{
  Op *op = data;

  g_clear_object (&op->session);
  g_clear_pointer (&op->draft, ch_note_record_free);
  g_clear_pointer (&op->result, ch_note_record_free);
  g_free (op->addendum);
  g_free (op->reason);
  g_free (op);
}

static void
op_thread (GTask        *task,
           gpointer      source_object,
           gpointer      task_data,
           GCancellable *cancellable)
{
  Op *op = task_data;
  g_autoptr(GError) error = NULL;

  if (op->draft != NULL)
    {
      gboolean ok = op->draft->id == 0 ? ch_notes_create_draft (op->session, op->draft, &error)
                                       : ch_notes_update_draft (op->session, op->draft, &error);

      if (!ok)
        goto fail;
      op->saved = TRUE;
      op->id = op->draft->id;
    }

  if (op->sign && !ch_notes_sign (op->session, op->id, &error))
    goto fail;
  if (op->cosign && !ch_notes_cosign (op->session, op->id, &error))
    goto fail;
  if (op->addendum != NULL &&
      !ch_notes_add_addendum (op->session, op->id, op->addendum, &error))
    goto fail;
  if (op->reason != NULL &&
      !ch_notes_entered_in_error (op->session, op->id, op->reason, &error))
    goto fail;

  if (op->reread)
    {
      op->result = ch_notes_get (op->session, op->id, &error);
      if (op->result == NULL)
        goto fail;
    }

  g_task_return_boolean (task, TRUE);
  return;

fail:
  g_task_return_error (task, g_steal_pointer (&error));
}

static void
op_done (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  ChNotesEditor *self = CH_NOTES_EDITOR (object);
  Op *op = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = g_task_propagate_boolean (G_TASK (result), &error);
  if (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  ch_notes_editor_set_busy (self, FALSE);

  /* A draft stored before a later step failed is stored all the same. */
  if (op->saved && op->result == NULL)
    {
      ChNoteRecord *draft = g_steal_pointer (&op->draft);

      ch_notes_editor_set_note (self, draft);
    }
  if (op->result != NULL)
    ch_notes_editor_set_note (self, g_steal_pointer (&op->result));

  if (op->saved || ok)
    g_signal_emit (self, signals[CHANGED], 0);

  if (!ok)
    {
      ch_notes_editor_show_error (self, error->message);
      return;
    }

  ch_notes_editor_show_error (self, NULL);
  if (op->message != NULL)
    ch_ui_toast (GTK_WIDGET (self), _(op->message));
}

static void
ch_notes_editor_run (ChNotesEditor *self,
                     Op            *op)
{
  g_autoptr(GTask) task = NULL;

  op->session = g_object_ref (self->session);
  if (op->id == 0 && self->note != NULL)
    op->id = self->note->id;

  ch_notes_editor_show_error (self, NULL);
  ch_notes_editor_set_busy (self, TRUE);

  task = ch_ui_session_task_new (self->session, self, self->cancellable, op_done, NULL);
  g_task_set_source_tag (task, ch_notes_editor_run);
  g_task_set_task_data (task, op, op_free);
  ch_ui_session_run_task (task, op_thread);
}

static gboolean
ch_notes_editor_ready (ChNotesEditor *self)
{
  return !self->busy && !ch_ui_session_is_busy (self->session);
}

/* Returns: (transfer full): the draft as typed */
static ChNoteRecord *
ch_notes_editor_read_draft (ChNotesEditor *self)
{
  ChNoteRecord *note = ch_note_record_new ();

  if (self->note != NULL)
    {
      note->id = self->note->id;
      note->author = g_strdup (self->note->author);
      note->author_role = g_strdup (self->note->author_role);
      note->created_at = self->note->created_at;
      note->state = g_strdup (self->note->state);
      note->cosign_required = self->note->cosign_required;
      note->version = self->note->version;
    }
  else
    note->created_at = g_get_real_time ();
  note->patient_id = self->patient->id;
  note->kind = g_strdup (self->kind);
  note->title = ch_chart_ui_dup_text (GTK_EDITABLE (self->title_row));

  /* Only the chosen form is kept: SOAP parts or one body. */
  if (g_strcmp0 (self->kind, "free") == 0)
    note->body = dup_buffer_text (self->body_view);
  else
    {
      note->subjective = dup_buffer_text (self->subjective_view);
      note->objective = dup_buffer_text (self->objective_view);
      note->assessment = dup_buffer_text (self->assessment_view);
      note->plan = dup_buffer_text (self->plan_view);
    }

  return note;
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChNotesEditor *self = CH_NOTES_EDITOR (widget);
  Op *op;

  if (!ch_notes_editor_ready (self) || !ch_notes_editor_get_editable (self))
    return;

  op = g_new0 (Op, 1);
  op->draft = ch_notes_editor_read_draft (self);
  op->message = N_("Draft saved");
  ch_notes_editor_run (self, op);
}

static void
on_sign_response (AdwMessageDialog *dialog,
                  const char       *response,
                  ChNotesEditor    *self)
{
  Op *op;

  if (g_strcmp0 (response, "sign") != 0 || !ch_notes_editor_ready (self) ||
      !ch_notes_editor_get_editable (self))
    return;

  op = g_new0 (Op, 1);
  if (self->note == NULL || self->dirty)
    op->draft = ch_notes_editor_read_draft (self);
  op->sign = TRUE;
  op->reread = TRUE;
  op->message = N_("Note signed");
  ch_notes_editor_run (self, op);
}

static void
sign_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChNotesEditor *self = CH_NOTES_EDITOR (widget);
  GtkWidget *dialog;

  if (!ch_notes_editor_ready (self) || !ch_notes_editor_get_editable (self))
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Sign This Note?"),
                                   _("Signed notes cannot be changed. Anything to add later "
                                     "goes in a dated addendum."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "sign", _("_Sign"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "sign",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_sign_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
cosign_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ChNotesEditor *self = CH_NOTES_EDITOR (widget);
  Op *op;

  if (!ch_notes_editor_ready (self) || !needs_cosign (self->note))
    return;

  op = g_new0 (Op, 1);
  op->cosign = TRUE;
  op->reread = TRUE;
  op->message = N_("Note co-signed");
  ch_notes_editor_run (self, op);
}

static void
on_addendum_changed (GtkTextBuffer    *buffer,
                     AdwMessageDialog *dialog)
{
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  adw_message_dialog_set_response_enabled (dialog, "add", ch_chart_ui_has_text (text));
}

static void
on_addendum_response (AdwMessageDialog *dialog,
                      const char       *response,
                      ChNotesEditor    *self)
{
  GtkTextView *view = g_object_get_data (G_OBJECT (dialog), "text-view");
  Op *op;

  if (g_strcmp0 (response, "add") != 0 || !ch_notes_editor_ready (self) ||
      !has_state (self->note, "signed"))
    return;

  op = g_new0 (Op, 1);
  op->addendum = dup_buffer_text (view);
  if (op->addendum == NULL)
    {
      op_free (op);
      return;
    }
  op->reread = TRUE;
  op->message = N_("Addendum added");
  ch_notes_editor_run (self, op);
}

static void
add_addendum_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ChNotesEditor *self = CH_NOTES_EDITOR (widget);
  GtkWidget *dialog;
  GtkWidget *scroller;
  GtkWidget *view;

  if (!ch_notes_editor_ready (self) || !has_state (self->note, "signed"))
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Add Addendum"),
                                   _("The addendum is dated and carries your name. The signed "
                                     "note itself stays as it is."));
  view = gtk_text_view_new ();
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 8);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Addendum"),
                                  -1);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 140);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_widget_add_css_class (scroller, "card");
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scroller);
  g_object_set_data (G_OBJECT (dialog), "text-view", view);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "add", _("_Add"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "add",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "add", FALSE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  g_signal_connect_object (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), "changed",
                           G_CALLBACK (on_addendum_changed), dialog, 0);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_addendum_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (view);
}

static void
on_retract_response (AdwMessageDialog *dialog,
                     const char       *response,
                     ChNotesEditor    *self)
{
  g_autofree char *reason = ch_chart_ui_reason_dialog_get_reason (dialog);
  Op *op;

  if (g_strcmp0 (response, "confirm") != 0 || reason == NULL || !ch_notes_editor_ready (self) ||
      self->note == NULL)
    return;

  op = g_new0 (Op, 1);
  op->reason = g_steal_pointer (&reason);
  op->reread = TRUE;
  op->message = N_("Note marked as entered in error");
  ch_notes_editor_run (self, op);
}

static void
entered_in_error_activated (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  ChNotesEditor *self = CH_NOTES_EDITOR (widget);
  GtkWidget *dialog;

  if (!ch_notes_editor_ready (self) || self->note == NULL)
    return;

  dialog = ch_chart_ui_reason_dialog_new (GTK_WINDOW (self), _("Mark Note as Entered in Error?"),
                                          _("The note stays in the chart, marked entered in "
                                            "error, with your reason."),
                                          _("_Mark Entered in Error"));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_retract_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- loading ---------------------------------------------------------------------- */

static void
load_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChNotesEditor *self = CH_NOTES_EDITOR (object);
  Op *op = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      ch_notes_editor_set_busy (self, FALSE);
      gtk_spinner_set_spinning (self->loading_spinner, FALSE);
      adw_status_page_set_description (self->error_page, error->message);
      ch_ui_stack_show (self->stack, "error");
      return;
    }

  gtk_spinner_set_spinning (self->loading_spinner, FALSE);
  ch_ui_stack_show (self->stack, "note");
  ch_notes_editor_set_note (self, g_steal_pointer (&op->result));
  ch_notes_editor_set_busy (self, FALSE);
}

static void
ch_notes_editor_load (ChNotesEditor *self,
                      gint64         note_id)
{
  g_autoptr(GTask) task = NULL;
  Op *op;

  op = g_new0 (Op, 1);
  op->session = g_object_ref (self->session);
  op->id = note_id;
  op->reread = TRUE;

  ch_notes_editor_set_busy (self, TRUE);
  gtk_spinner_set_spinning (self->loading_spinner, TRUE);

  task = ch_ui_session_task_new (self->session, self, self->cancellable, load_done, NULL);
  g_task_set_source_tag (task, ch_notes_editor_load);
  g_task_set_task_data (task, op, op_free);
  ch_ui_session_run_task (task, op_thread);
}

/**
 * ch_notes_editor_new:
 * @parent: (nullable): the window to stay on top of
 * @session: the session that writes or reads the note, with no worker using it
 * @patient: whose note
 * @note_id: the note to open (read, and the reading audited), or 0 for a new one
 *
 * Returns: (transfer none): a new window, not yet shown
 */
GtkWidget *
ch_notes_editor_new (GtkWindow             *parent,
                     ChSession             *session,
                     const ChPatientRecord *patient,
                     gint64                 note_id)
{
  ChNotesEditor *self;
  g_autofree char *name = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (patient != NULL, NULL);
  g_return_val_if_fail (!ch_ui_session_is_busy (session), NULL);

  self = g_object_new (CH_TYPE_NOTES_EDITOR,
                       "transient-for", parent,
                       NULL);
  self->session = g_object_ref (session);
  self->patient = ch_patient_record_copy (patient);
  ch_ui_session_watch_busy (session, G_OBJECT (self),
                            G_CALLBACK (ch_notes_editor_update_actions));

  name = ch_patient_record_display_name (patient);
  adw_window_title_set_subtitle (self->window_title, name);

  if (note_id > 0)
    {
      ch_ui_stack_show (self->stack, "loading");
      ch_notes_editor_load (self, note_id);
    }
  else
    {
      ch_ui_stack_show (self->stack, "note");
      ch_notes_editor_update_mode (self);
      gtk_widget_grab_focus (GTK_WIDGET (self->subjective_view));
    }

  return GTK_WIDGET (self);
}

/* Returns: (transfer none) (nullable): the note as stored, %NULL before
 * a new one is first saved */
const ChNoteRecord *
ch_notes_editor_get_note (ChNotesEditor *self)
{
  g_return_val_if_fail (CH_IS_NOTES_EDITOR (self), NULL);

  return self->note;
}

gboolean
ch_notes_editor_get_busy (ChNotesEditor *self)
{
  g_return_val_if_fail (CH_IS_NOTES_EDITOR (self), FALSE);

  return self->busy;
}

/* ---- GObject ------------------------------------------------------------------ */

static void
on_discard_response (AdwMessageDialog *dialog,
                     const char       *response,
                     ChNotesEditor    *self)
{
  if (g_strcmp0 (response, "discard") != 0)
    return;

  self->dirty = FALSE;
  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
ch_notes_editor_close_request (GtkWindow *window)
{
  ChNotesEditor *self = CH_NOTES_EDITOR (window);

  if (self->busy)
    return TRUE;

  /* Unsaved words are not lost by a stray Escape. */
  if (self->dirty && ch_notes_editor_get_editable (self))
    {
      GtkWidget *dialog = adw_message_dialog_new (window, _("Discard Changes?"),
                                                  _("What was written since the draft was "
                                                    "last saved will be lost."));

      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                        "cancel", _("_Keep Writing"),
                                        "discard", _("_Discard"),
                                        NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                                  ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
      adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
      g_signal_connect_object (dialog, "response", G_CALLBACK (on_discard_response), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
      return TRUE;
    }

  return GTK_WINDOW_CLASS (ch_notes_editor_parent_class)->close_request (window);
}

static void
ch_notes_editor_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ChNotesEditor *self = CH_NOTES_EDITOR (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_string (value, self->kind);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_notes_editor_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  ChNotesEditor *self = CH_NOTES_EDITOR (object);

  switch (prop_id)
    {
    case PROP_KIND:
      ch_notes_editor_set_kind (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_notes_editor_dispose (GObject *object)
{
  ChNotesEditor *self = CH_NOTES_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);

  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_NOTES_EDITOR);

  G_OBJECT_CLASS (ch_notes_editor_parent_class)->dispose (object);
}

static void
ch_notes_editor_finalize (GObject *object)
{
  ChNotesEditor *self = CH_NOTES_EDITOR (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->patient, ch_patient_record_free);
  g_clear_pointer (&self->note, ch_note_record_free);
  g_clear_pointer (&self->addendum_rows, g_ptr_array_unref);
  g_free (self->kind);

  G_OBJECT_CLASS (ch_notes_editor_parent_class)->finalize (object);
}

static void
ch_notes_editor_class_init (ChNotesEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_notes_editor_dispose;
  object_class->finalize = ch_notes_editor_finalize;
  object_class->get_property = ch_notes_editor_get_property;
  object_class->set_property = ch_notes_editor_set_property;
  window_class->close_request = ch_notes_editor_close_request;

  /**
   * ChNotesEditor:kind:
   *
   * "soap" for the four SOAP parts, "free" for one free text.
   */
  properties[PROP_KIND] =
    g_param_spec_string ("kind", NULL, NULL,
                         "soap",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ChNotesEditor::changed:
   *
   * The note as stored has changed (saved, signed, co-signed, an addendum,
   * entered in error).
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-notes-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, window_title);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, close_button);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, more_button);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, sign_button);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, cosign_button);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, addendum_button);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, stack);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, error_page);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, scroller);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, form);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, status_label);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, kind_box);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, title_list);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, title_row);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, soap_box);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, free_box);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, subjective_box);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, objective_box);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, assessment_box);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, plan_box);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, subjective_view);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, objective_view);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, assessment_view);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, plan_view);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, body_view);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, subjective_label);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, objective_label);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, assessment_label);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, plan_label);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, body_label);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, addenda_group);
  gtk_widget_class_bind_template_child (widget_class, ChNotesEditor, error_label);

  gtk_widget_class_install_action (widget_class, "note.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "note.sign", NULL, sign_activated);
  gtk_widget_class_install_action (widget_class, "note.cosign", NULL, cosign_activated);
  gtk_widget_class_install_action (widget_class, "note.add-addendum", NULL,
                                   add_addendum_activated);
  gtk_widget_class_install_action (widget_class, "note.entered-in-error", NULL,
                                   entered_in_error_activated);
  gtk_widget_class_install_property_action (widget_class, "note.kind", "kind");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "note.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_notes_editor_init (ChNotesEditor *self)
{
  self->cancellable = g_cancellable_new ();
  self->addendum_rows = g_ptr_array_new ();
  self->kind = g_strdup ("soap");

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; views (self, i) != NULL; i++)
    g_signal_connect_object (gtk_text_view_get_buffer (views (self, i)), "changed",
                             G_CALLBACK (on_text_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->title_row, "changed", G_CALLBACK (on_text_changed), self,
                           G_CONNECT_SWAPPED);
  ch_notes_editor_show_kind (self);
}
