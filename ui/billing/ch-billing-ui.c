/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-billing-ui"

#include "config.h"

#include <glib/gi18n.h>

#include <inttypes.h>

#include "ch-billing-ui.h"
#include "ch-documents-ui.h"
#include "ch-report.h"
#include "ch-ui.h"

const char * const ch_billing_ui_methods[] = { "cash", "card", "cheque", "transfer", "insurer", NULL };

char *
ch_billing_ui_money (gint64 cents)
{
  /* The reports' own money format, so that every screen agrees. */
  return ch_report_format_value (CH_REPORT_VALUE_MONEY, (double) cents, FALSE);
}

char *
ch_billing_ui_balance_text (gint64 cents)
{
  g_autofree char *amount = ch_billing_ui_money (cents < 0 ? -cents : cents);

  if (cents == 0)
    return g_strdup (_("Nothing owed"));
  if (cents < 0)
    /* TRANSLATORS: what the practice owes the patient: "Credit $10.00" */
    return g_strdup_printf (_("Credit %s"), amount);
  /* TRANSLATORS: what the patient owes: "Balance $123.45" */
  return g_strdup_printf (_("Balance %s"), amount);
}

const char *
ch_billing_ui_method_label (const char *method)
{
  if (g_strcmp0 (method, "cash") == 0)
    return C_("payment method", "Cash");
  if (g_strcmp0 (method, "card") == 0)
    return C_("payment method", "Card");
  if (g_strcmp0 (method, "cheque") == 0)
    return C_("payment method", "Cheque");
  if (g_strcmp0 (method, "transfer") == 0)
    return C_("payment method", "Bank transfer");
  if (g_strcmp0 (method, "insurer") == 0)
    return C_("payment method", "Insurer");
  return method != NULL ? method : "";
}

GtkStringList *
ch_billing_ui_method_model (void)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  for (guint i = 0; ch_billing_ui_methods[i] != NULL; i++)
    gtk_string_list_append (list, ch_billing_ui_method_label (ch_billing_ui_methods[i]));
  return list;
}

static const ChPayment *
find_payment (GPtrArray *payments,
              gint64     id)
{
  for (guint i = 0; payments != NULL && i < payments->len; i++)
    {
      const ChPayment *payment = g_ptr_array_index (payments, i);

      if (payment->id == id)
        return payment;
    }
  return NULL;
}

char *
ch_billing_ui_describe_entry (const ChLedgerEntry *entry,
                              GPtrArray           *payments)
{
  g_return_val_if_fail (entry != NULL, NULL);

  if (g_strcmp0 (entry->kind, "charge") == 0)
    /* TRANSLATORS: a ledger entry; %s is the charge line's number */
    return g_strdup_printf (_("Charge (line %" PRId64 ")"), entry->charge_line_id);
  if (g_strcmp0 (entry->kind, "payment") == 0)
    {
      const ChPayment *payment = find_payment (payments, entry->payment_id);

      if (payment != NULL && payment->reference != NULL && payment->reference[0] != '\0')
        /* TRANSLATORS: a ledger entry: "Payment — card (ref 1234)" */
        return g_strdup_printf (_("Payment — %s (ref %s)"),
                                ch_billing_ui_method_label (payment->method), payment->reference);
      if (payment != NULL)
        /* TRANSLATORS: a ledger entry: "Payment — cash" */
        return g_strdup_printf (_("Payment — %s"), ch_billing_ui_method_label (payment->method));
      return g_strdup (_("Payment"));
    }
  if (g_strcmp0 (entry->kind, "refund") == 0)
    /* TRANSLATORS: a ledger entry: "Refund — cash" */
    return g_strdup_printf (_("Refund — %s"), ch_billing_ui_method_label (entry->method));
  if (g_strcmp0 (entry->kind, "write-off") == 0)
    return g_strdup (_("Write-off"));
  if (g_strcmp0 (entry->kind, "adjustment") == 0)
    return g_strdup (_("Adjustment"));
  if (g_strcmp0 (entry->kind, "opening") == 0)
    return g_strdup (_("Opening balance"));
  if (g_strcmp0 (entry->kind, "reversal") == 0)
    /* TRANSLATORS: a ledger entry undoing another: "Reversal of entry 12" */
    return g_strdup_printf (_("Reversal of entry %" PRId64), entry->reverses);
  return g_strdup (entry->kind);
}

char *
ch_billing_ui_format_date (const char *iso_date)
{
  return ch_documents_ui_format_date (iso_date);
}

typedef struct
{
  ChSession       *session;
  ChBillingUiFunc  func;
  gpointer         data;
  GDestroyNotify   data_free;
} Run;

static void
run_free (Run *run)
{
  g_clear_object (&run->session);
  if (run->data_free != NULL && run->data != NULL)
    run->data_free (run->data);
  g_free (run);
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Run *run = task_data;
  GError *error = NULL;

  if (run->func (run->session, run->data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
ch_billing_ui_run (ChSession           *session,
                   gpointer             source_object,
                   GCancellable        *cancellable,
                   ChBillingUiFunc      func,
                   gpointer             data,
                   GDestroyNotify       data_free,
                   GAsyncReadyCallback  callback)
{
  g_autoptr (GTask) task = NULL;
  Run *run = g_new0 (Run, 1);

  run->session = g_object_ref (session);
  run->func = func;
  run->data = data;
  run->data_free = data_free;
  task = ch_ui_session_task_new (session, source_object, cancellable, callback, NULL);
  g_task_set_source_tag (task, ch_billing_ui_run);
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  ch_ui_session_run_task (task, run_thread);
}

gpointer
ch_billing_ui_run_get_data (GTask *task)
{
  Run *run;

  g_return_val_if_fail (G_IS_TASK (task), NULL);
  g_return_val_if_fail (g_task_get_source_tag (task) == ch_billing_ui_run, NULL);
  run = g_task_get_task_data (task);
  return run->data;
}
