/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-payment-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-billing.h"
#include "ch-billing-ui.h"
#include "ch-payment-dialog.h"
#include "ch-ui.h"

struct _ChPaymentDialog
{
  AdwWindow             parent_instance;

  GtkSpinner           *spinner;
  GtkLabel             *error_label;
  GtkWidget            *form;
  AdwComboRow          *method_row;
  AdwEntryRow          *amount_row;
  AdwEntryRow          *reference_row;
  AdwPreferencesGroup  *lines_group;
  AdwComboRow          *allocation_row;

  ChSession            *session;
  gint64                patient_id;
  GArray               *line_ids;     /* gint64, oldest first */
  GArray               *line_owed;    /* gint64 cents, as line_ids */
  GPtrArray            *line_rows;    /* (element-type AdwEntryRow): as line_ids */
  GCancellable         *cancellable;
  char                 *error;
  gboolean              busy;
};

G_DEFINE_FINAL_TYPE (ChPaymentDialog, ch_payment_dialog, ADW_TYPE_WINDOW)

enum { PAID, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
show_error (ChPaymentDialog *self,
            const char      *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (ChPaymentDialog *self,
          gboolean         busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  ch_ui_set_input_sensitive (self->form, !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "payment.record", !busy);
}

static const char *
selected_method (ChPaymentDialog *self)
{
  guint i = adw_combo_row_get_selected (self->method_row);

  return i < CH_BILLING_UI_N_METHODS ? ch_billing_ui_methods[i] : "cash";
}

/* The reference says what the method's paper trail calls it. */
static void
on_method_changed (ChPaymentDialog *self)
{
  const char *method;
  const char *title;

  if (self->reference_row == NULL)
    return;
  method = selected_method (self);
  if (g_str_equal (method, "card"))
    title = _("Card terminal reference");
  else if (g_str_equal (method, "cheque"))
    title = _("Cheque number");
  else if (g_str_equal (method, "transfer"))
    title = _("Transfer reference");
  else if (g_str_equal (method, "insurer"))
    title = _("Remittance reference");
  else
    title = _("Reference (optional)");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->reference_row), title);
}

static gboolean
per_line (ChPaymentDialog *self)
{
  return adw_combo_row_get_selected (self->allocation_row) == 1;
}

static void
on_allocation_changed (ChPaymentDialog *self)
{
  for (guint i = 0; self->line_rows != NULL && i < self->line_rows->len; i++)
    gtk_widget_set_visible (g_ptr_array_index (self->line_rows, i), per_line (self));
}

/* ---- recording ------------------------------------------------------------------- */

typedef struct
{
  gint64   patient_id;
  gint64   amount_cents;
  char    *method;
  char    *reference;
  GArray  *allocations;   /* ChAllocation */
} Pay;

static void
pay_free (Pay *pay)
{
  g_free (pay->method);
  g_free (pay->reference);
  g_array_unref (pay->allocations);
  g_free (pay);
}

static gboolean
pay_func (ChSession  *session,
          gpointer    data,
          GError    **error)
{
  Pay *pay = data;
  g_autoptr (ChPayment) payment =
    ch_billing_pay (session, pay->patient_id, pay->amount_cents, pay->method, pay->reference,
                    (const ChAllocation *) (gpointer) pay->allocations->data,
                    pay->allocations->len, error);

  return payment != NULL;
}

static void
pay_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  ChPaymentDialog *self = CH_PAYMENT_DIALOG (object);
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
  g_signal_emit (self, signals[PAID], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
record_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ChPaymentDialog *self = CH_PAYMENT_DIALOG (widget);
  g_autofree char *amount_text = g_strstrip (g_strdup (gtk_editable_get_text (
                                                         GTK_EDITABLE (self->amount_row))));
  g_autoptr (GArray) allocations = g_array_new (FALSE, TRUE, sizeof (ChAllocation));
  gint64 amount = 0;
  Pay *pay;

  if (self->busy)
    return;
  if (ch_ui_session_is_busy (self->session))
    {
      show_error (self, _("Charta is busy; try again in a moment"));
      return;
    }
  if (!ch_billing_parse_amount (amount_text, &amount) || amount <= 0)
    {
      g_autofree char *message =
        g_strdup_printf (_("“%s” is not an amount: type it like 45.50"), amount_text);

      show_error (self, message);
      gtk_widget_grab_focus (GTK_WIDGET (self->amount_row));
      return;
    }

  if (per_line (self))
    for (guint i = 0; i < self->line_ids->len; i++)
      {
        g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (
                                                        g_ptr_array_index (self->line_rows, i))));
        ChAllocation allocation = { g_array_index (self->line_ids, gint64, i), 0 };

        if (text[0] == '\0')
          continue;
        if (!ch_billing_parse_amount (text, &allocation.amount_cents))
          {
            g_autofree char *message =
              g_strdup_printf (_("“%s” is not an amount: type it like 45.50"), text);

            show_error (self, message);
            return;
          }
        if (allocation.amount_cents > 0)
          g_array_append_val (allocations, allocation);
      }
  else
    {
      /* Oldest first: each line gets what it still owes, while the money lasts. */
      gint64 left = amount;

      for (guint i = 0; i < self->line_ids->len && left > 0; i++)
        {
          ChAllocation allocation = { g_array_index (self->line_ids, gint64, i),
                                      MIN (left, g_array_index (self->line_owed, gint64, i)) };

          if (allocation.amount_cents <= 0)
            continue;
          g_array_append_val (allocations, allocation);
          left -= allocation.amount_cents;
        }
    }

  pay = g_new0 (Pay, 1);
  pay->patient_id = self->patient_id;
  pay->amount_cents = amount;
  pay->method = g_strdup (selected_method (self));
  pay->reference = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->reference_row))));
  pay->allocations = g_steal_pointer (&allocations);

  show_error (self, NULL);
  set_busy (self, TRUE);
  ch_billing_ui_run (self->session, self, self->cancellable, pay_func, pay,
                     (GDestroyNotify) pay_free, pay_done);
}

/* ---- construction -------------------------------------------------------------- */

GtkWidget *
ch_payment_dialog_new (GtkWindow  *parent,
                       ChSession  *session,
                       gint64      patient_id,
                       GPtrArray  *lines,
                       GHashTable *descriptions)
{
  ChPaymentDialog *self;
  g_autoptr (GtkStringList) methods = ch_billing_ui_method_model ();
  gint64 owed_total = 0;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  self = g_object_new (CH_TYPE_PAYMENT_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->patient_id = patient_id;
  adw_combo_row_set_model (self->method_row, G_LIST_MODEL (methods));

  for (guint i = 0; lines != NULL && i < lines->len; i++)
    {
      const ChChargeLine *line = g_ptr_array_index (lines, i);
      gint64 owed = line->amount_cents - line->allocated_cents;
      const char *what = descriptions != NULL ? g_hash_table_lookup (descriptions, &line->id) : NULL;
      g_autofree char *owed_text = ch_billing_ui_money (owed);
      g_autofree char *title = NULL;
      GtkWidget *row = adw_entry_row_new ();

      /* TRANSLATORS: a line a payment may go to, and what it owes: "… — owes $75.00" */
      title = g_strdup_printf (_("%s — owes %s"), what != NULL ? what : line->code, owed_text);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      gtk_widget_set_visible (row, FALSE);
      adw_preferences_group_add (self->lines_group, row);
      g_array_append_val (self->line_ids, line->id);
      g_array_append_val (self->line_owed, owed);
      g_ptr_array_add (self->line_rows, row);
      owed_total += owed;
    }
  if (self->line_ids->len == 0)
    {
      adw_preferences_group_set_description (self->lines_group,
                                             _("No line is owed: the payment stays on the "
                                               "account as a credit."));
      gtk_widget_set_visible (GTK_WIDGET (self->allocation_row), FALSE);
    }
  else
    {
      g_autofree char *total = ch_billing_ui_money (owed_total);
      g_autofree char *description =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u line owes %s in all",
                                      "%u lines owe %s in all", self->line_ids->len),
                         self->line_ids->len, total);
      /* The usual case: the whole of what is owed. */
      g_autofree char *owed_plain = ch_billing_format_amount (owed_total);

      adw_preferences_group_set_description (self->lines_group, description);
      gtk_editable_set_text (GTK_EDITABLE (self->amount_row), owed_plain);
    }
  on_method_changed (self);
  set_busy (self, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->amount_row));
  return GTK_WIDGET (self);
}

void
ch_payment_dialog_set_method (ChPaymentDialog *self,
                              const char      *method)
{
  g_return_if_fail (CH_IS_PAYMENT_DIALOG (self));

  for (guint i = 0; ch_billing_ui_methods[i] != NULL; i++)
    if (g_strcmp0 (ch_billing_ui_methods[i], method) == 0)
      adw_combo_row_set_selected (self->method_row, i);
}

void
ch_payment_dialog_set_amount (ChPaymentDialog *self,
                              const char      *text)
{
  g_return_if_fail (CH_IS_PAYMENT_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->amount_row), text);
}

void
ch_payment_dialog_set_reference (ChPaymentDialog *self,
                                 const char      *text)
{
  g_return_if_fail (CH_IS_PAYMENT_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->reference_row), text);
}

void
ch_payment_dialog_set_per_line (ChPaymentDialog *self,
                                gboolean         per_line_)
{
  g_return_if_fail (CH_IS_PAYMENT_DIALOG (self));
  adw_combo_row_set_selected (self->allocation_row, per_line_ ? 1 : 0);
}

gboolean
ch_payment_dialog_set_line_amount (ChPaymentDialog *self,
                                   gint64           line_id,
                                   const char      *text)
{
  g_return_val_if_fail (CH_IS_PAYMENT_DIALOG (self), FALSE);

  for (guint i = 0; i < self->line_ids->len; i++)
    if (g_array_index (self->line_ids, gint64, i) == line_id)
      {
        gtk_editable_set_text (g_ptr_array_index (self->line_rows, i), text);
        return TRUE;
      }
  return FALSE;
}

const char *
ch_payment_dialog_get_reference_title (ChPaymentDialog *self)
{
  g_return_val_if_fail (CH_IS_PAYMENT_DIALOG (self), NULL);
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->reference_row));
}

gboolean
ch_payment_dialog_get_busy (ChPaymentDialog *self)
{
  g_return_val_if_fail (CH_IS_PAYMENT_DIALOG (self), FALSE);
  return self->busy;
}

const char *
ch_payment_dialog_get_error (ChPaymentDialog *self)
{
  g_return_val_if_fail (CH_IS_PAYMENT_DIALOG (self), NULL);
  return self->error;
}

static gboolean
ch_payment_dialog_close_request (GtkWindow *window)
{
  if (CH_PAYMENT_DIALOG (window)->busy)
    return TRUE;
  return GTK_WINDOW_CLASS (ch_payment_dialog_parent_class)->close_request (window);
}

static void
ch_payment_dialog_dispose (GObject *object)
{
  ChPaymentDialog *self = CH_PAYMENT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_PAYMENT_DIALOG);

  G_OBJECT_CLASS (ch_payment_dialog_parent_class)->dispose (object);
}

static void
ch_payment_dialog_finalize (GObject *object)
{
  ChPaymentDialog *self = CH_PAYMENT_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->line_ids, g_array_unref);
  g_clear_pointer (&self->line_owed, g_array_unref);
  g_clear_pointer (&self->line_rows, g_ptr_array_unref);
  g_free (self->error);

  G_OBJECT_CLASS (ch_payment_dialog_parent_class)->finalize (object);
}

static void
ch_payment_dialog_class_init (ChPaymentDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_payment_dialog_dispose;
  object_class->finalize = ch_payment_dialog_finalize;
  window_class->close_request = ch_payment_dialog_close_request;

  /**
   * ChPaymentDialog::paid:
   *
   * The payment is stored.
   */
  signals[PAID] = g_signal_new ("paid", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-payment-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ChPaymentDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChPaymentDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ChPaymentDialog, form);
  gtk_widget_class_bind_template_child (widget_class, ChPaymentDialog, method_row);
  gtk_widget_class_bind_template_child (widget_class, ChPaymentDialog, amount_row);
  gtk_widget_class_bind_template_child (widget_class, ChPaymentDialog, reference_row);
  gtk_widget_class_bind_template_child (widget_class, ChPaymentDialog, lines_group);
  gtk_widget_class_bind_template_child (widget_class, ChPaymentDialog, allocation_row);
  gtk_widget_class_bind_template_callback (widget_class, on_method_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_allocation_changed);

  gtk_widget_class_install_action (widget_class, "payment.record", NULL, record_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "payment.record", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_payment_dialog_init (ChPaymentDialog *self)
{
  self->cancellable = g_cancellable_new ();
  self->line_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->line_owed = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->line_rows = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
