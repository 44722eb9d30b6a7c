/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-ledger-entry-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-billing.h"
#include "ch-billing-ui.h"
#include "ch-ledger-entry-dialog.h"
#include "ch-ui.h"

struct _ChLedgerEntryDialog
{
  AdwWindow     parent_instance;

  GtkSpinner   *spinner;
  GtkLabel     *error_label;
  GtkWidget    *form;
  AdwComboRow  *direction_row;
  AdwComboRow  *method_row;
  AdwEntryRow  *amount_row;
  AdwEntryRow  *reason_row;

  ChSession    *session;
  gint64        patient_id;
  char         *kind;
  GCancellable *cancellable;
  char         *error;
  gboolean      busy;
};

G_DEFINE_FINAL_TYPE (ChLedgerEntryDialog, ch_ledger_entry_dialog, ADW_TYPE_WINDOW)

enum { POSTED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
show_error (ChLedgerEntryDialog *self,
            const char          *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static gboolean
has_reason (ChLedgerEntryDialog *self)
{
  g_autofree char *reason = g_strstrip (g_strdup (gtk_editable_get_text (
                                                    GTK_EDITABLE (self->reason_row))));

  return reason[0] != '\0';
}

static void
update_actions (ChLedgerEntryDialog *self)
{
  /* Every correction says why: nothing is posted without a reason. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "entry.post",
                                 !self->busy && has_reason (self));
}

static void
on_reason_changed (ChLedgerEntryDialog *self)
{
  update_actions (self);
}

static void
set_busy (ChLedgerEntryDialog *self,
          gboolean             busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  ch_ui_set_input_sensitive (self->form, !busy);
  update_actions (self);
}

typedef struct
{
  gint64  patient_id;
  char   *kind;
  gint64  amount_cents;   /* signed for adjustments */
  char   *method;
  char   *reason;
} Post;

static void
post_free (Post *post)
{
  g_free (post->kind);
  g_free (post->method);
  g_free (post->reason);
  g_free (post);
}

static gboolean
post_func (ChSession  *session,
           gpointer    data,
           GError    **error)
{
  Post *post = data;
  g_autoptr (ChLedgerEntry) entry = NULL;

  if (g_str_equal (post->kind, "refund"))
    entry = ch_billing_refund (session, post->patient_id, post->amount_cents, post->method,
                               post->reason, error);
  else if (g_str_equal (post->kind, "write-off"))
    entry = ch_billing_write_off (session, post->patient_id, post->amount_cents, 0,
                                  post->reason, error);
  else
    entry = ch_billing_adjust (session, post->patient_id, post->amount_cents, post->reason,
                               error);
  return entry != NULL;
}

static void
post_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChLedgerEntryDialog *self = CH_LEDGER_ENTRY_DIALOG (object);
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      show_error (self, error->message);
      return;
    }
  self->busy = FALSE;
  g_signal_emit (self, signals[POSTED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
post_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChLedgerEntryDialog *self = CH_LEDGER_ENTRY_DIALOG (widget);
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (
                                                  GTK_EDITABLE (self->amount_row))));
  gint64 amount = 0;
  guint method;
  Post *post;

  if (self->busy || !has_reason (self))
    return;
  if (ch_ui_session_is_busy (self->session))
    {
      show_error (self, _("Charta is busy; try again in a moment"));
      return;
    }
  if (!ch_billing_parse_amount (text, &amount) || amount <= 0)
    {
      g_autofree char *message =
        g_strdup_printf (_("“%s” is not an amount: type it like 45.50"), text);

      show_error (self, message);
      gtk_widget_grab_focus (GTK_WIDGET (self->amount_row));
      return;
    }

  post = g_new0 (Post, 1);
  post->patient_id = self->patient_id;
  post->kind = g_strdup (self->kind);
  post->amount_cents = amount;
  if (g_str_equal (self->kind, "adjustment") && adw_combo_row_get_selected (self->direction_row) == 0)
    post->amount_cents = -amount;
  method = adw_combo_row_get_selected (self->method_row);
  post->method = g_strdup (method < CH_BILLING_UI_N_METHODS ? ch_billing_ui_methods[method] : "cash");
  post->reason = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->reason_row))));

  show_error (self, NULL);
  set_busy (self, TRUE);
  ch_billing_ui_run (self->session, self, self->cancellable, post_func, post,
                     (GDestroyNotify) post_free, post_done);
}

GtkWidget *
ch_ledger_entry_dialog_new (GtkWindow  *parent,
                            ChSession  *session,
                            gint64      patient_id,
                            const char *kind)
{
  ChLedgerEntryDialog *self;
  g_autoptr (GtkStringList) methods = ch_billing_ui_method_model ();
  const char *title;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (g_strcmp0 (kind, "refund") == 0 || g_strcmp0 (kind, "write-off") == 0 ||
                        g_strcmp0 (kind, "adjustment") == 0, NULL);

  self = g_object_new (CH_TYPE_LEDGER_ENTRY_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->patient_id = patient_id;
  self->kind = g_strdup (kind);
  adw_combo_row_set_model (self->method_row, G_LIST_MODEL (methods));

  if (g_str_equal (kind, "refund"))
    title = _("Refund");
  else if (g_str_equal (kind, "write-off"))
    title = _("Write Off");
  else
    title = _("Adjust the Balance");
  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_widget_set_visible (GTK_WIDGET (self->method_row), g_str_equal (kind, "refund"));
  gtk_widget_set_visible (GTK_WIDGET (self->direction_row), g_str_equal (kind, "adjustment"));

  set_busy (self, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->amount_row));
  return GTK_WIDGET (self);
}

void
ch_ledger_entry_dialog_set_amount (ChLedgerEntryDialog *self,
                                   const char          *text)
{
  g_return_if_fail (CH_IS_LEDGER_ENTRY_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->amount_row), text);
}

void
ch_ledger_entry_dialog_set_reason (ChLedgerEntryDialog *self,
                                   const char          *text)
{
  g_return_if_fail (CH_IS_LEDGER_ENTRY_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->reason_row), text);
}

void
ch_ledger_entry_dialog_set_owes_more (ChLedgerEntryDialog *self,
                                      gboolean             more)
{
  g_return_if_fail (CH_IS_LEDGER_ENTRY_DIALOG (self));
  adw_combo_row_set_selected (self->direction_row, more ? 1 : 0);
}

void
ch_ledger_entry_dialog_set_method (ChLedgerEntryDialog *self,
                                   const char          *method)
{
  g_return_if_fail (CH_IS_LEDGER_ENTRY_DIALOG (self));

  for (guint i = 0; ch_billing_ui_methods[i] != NULL; i++)
    if (g_strcmp0 (ch_billing_ui_methods[i], method) == 0)
      adw_combo_row_set_selected (self->method_row, i);
}

gboolean
ch_ledger_entry_dialog_get_busy (ChLedgerEntryDialog *self)
{
  g_return_val_if_fail (CH_IS_LEDGER_ENTRY_DIALOG (self), FALSE);
  return self->busy;
}

const char *
ch_ledger_entry_dialog_get_error (ChLedgerEntryDialog *self)
{
  g_return_val_if_fail (CH_IS_LEDGER_ENTRY_DIALOG (self), NULL);
  return self->error;
}

static gboolean
ch_ledger_entry_dialog_close_request (GtkWindow *window)
{
  if (CH_LEDGER_ENTRY_DIALOG (window)->busy)
    return TRUE;
  return GTK_WINDOW_CLASS (ch_ledger_entry_dialog_parent_class)->close_request (window);
}

static void
ch_ledger_entry_dialog_dispose (GObject *object)
{
  ChLedgerEntryDialog *self = CH_LEDGER_ENTRY_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_LEDGER_ENTRY_DIALOG);

  G_OBJECT_CLASS (ch_ledger_entry_dialog_parent_class)->dispose (object);
}

static void
ch_ledger_entry_dialog_finalize (GObject *object)
{
  ChLedgerEntryDialog *self = CH_LEDGER_ENTRY_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_free (self->kind);
  g_free (self->error);

  G_OBJECT_CLASS (ch_ledger_entry_dialog_parent_class)->finalize (object);
}

static void
ch_ledger_entry_dialog_class_init (ChLedgerEntryDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_ledger_entry_dialog_dispose;
  object_class->finalize = ch_ledger_entry_dialog_finalize;
  window_class->close_request = ch_ledger_entry_dialog_close_request;

  /**
   * ChLedgerEntryDialog::posted:
   *
   * The entry is in the ledger.
   */
  signals[POSTED] = g_signal_new ("posted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-ledger-entry-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ChLedgerEntryDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChLedgerEntryDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ChLedgerEntryDialog, form);
  gtk_widget_class_bind_template_child (widget_class, ChLedgerEntryDialog, direction_row);
  gtk_widget_class_bind_template_child (widget_class, ChLedgerEntryDialog, method_row);
  gtk_widget_class_bind_template_child (widget_class, ChLedgerEntryDialog, amount_row);
  gtk_widget_class_bind_template_child (widget_class, ChLedgerEntryDialog, reason_row);
  gtk_widget_class_bind_template_callback (widget_class, on_reason_changed);

  gtk_widget_class_install_action (widget_class, "entry.post", NULL, post_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "entry.post", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_ledger_entry_dialog_init (ChLedgerEntryDialog *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
