/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_LEDGER_ENTRY_DIALOG (ch_ledger_entry_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ChLedgerEntryDialog, ch_ledger_entry_dialog, CH, LEDGER_ENTRY_DIALOG,
                      AdwWindow)

/* The office manager's corrections to an account: @kind "refund" (money
 * paid back, with its method), "write-off" (what the practice gives up) or
 * "adjustment" (either way); each with its amount and a reason, which is
 * required. Posted on a worker; refused, the dialog says why and stays.
 * Emits ::posted, then closes. */
GtkWidget  *ch_ledger_entry_dialog_new        (GtkWindow           *parent,
                                               ChSession           *session,
                                               gint64               patient_id,
                                               const char          *kind);
void        ch_ledger_entry_dialog_set_amount (ChLedgerEntryDialog *self,
                                               const char          *text);
void        ch_ledger_entry_dialog_set_reason (ChLedgerEntryDialog *self,
                                               const char          *text);
/* Adjustments: TRUE when the patient owes more. */
void        ch_ledger_entry_dialog_set_owes_more (ChLedgerEntryDialog *self,
                                                  gboolean             more);
void        ch_ledger_entry_dialog_set_method (ChLedgerEntryDialog *self,
                                               const char          *method);
gboolean    ch_ledger_entry_dialog_get_busy   (ChLedgerEntryDialog *self);
const char *ch_ledger_entry_dialog_get_error  (ChLedgerEntryDialog *self);

G_END_DECLS
