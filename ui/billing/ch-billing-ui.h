/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-billing-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* Words and numbers the billing screens share. */

/* "$12.34", "−$5.00". Returns: (transfer full) */
char       *ch_billing_ui_money         (gint64              cents);
/* "Balance $12.34", "Credit $10.00", "Nothing owed". Returns: (transfer full) */
char       *ch_billing_ui_balance_text  (gint64              cents);
/* The payment methods, in the order the drop-downs show them. */
extern const char * const ch_billing_ui_methods[];
#define CH_BILLING_UI_N_METHODS 5
const char *ch_billing_ui_method_label  (const char         *method);
GtkStringList *ch_billing_ui_method_model (void);
/* "Payment — card (ref 1234)", "Reversal of entry 12". Returns: (transfer full) */
char       *ch_billing_ui_describe_entry (const ChLedgerEntry *entry,
                                          GPtrArray           *payments);
/* "12 Mar 2026". Returns: (transfer full) */
char       *ch_billing_ui_format_date   (const char         *iso_date);

/* A change to billing run on a worker: @func runs there with the session
 * and @data, and @callback gets the GTask (g_task_propagate_boolean). */
typedef gboolean (*ChBillingUiFunc) (ChSession  *session,
                                     gpointer    data,
                                     GError    **error);
void        ch_billing_ui_run           (ChSession           *session,
                                         gpointer             source_object,
                                         GCancellable        *cancellable,
                                         ChBillingUiFunc      func,
                                         gpointer             data,
                                         GDestroyNotify       data_free,
                                         GAsyncReadyCallback  callback);
/* The @data a task of ch_billing_ui_run() ran with, for its callback to
 * read what @func left in it. */
gpointer    ch_billing_ui_run_get_data  (GTask               *task);

G_END_DECLS
