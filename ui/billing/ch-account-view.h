/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_ACCOUNT_VIEW (ch_account_view_get_type ())
G_DECLARE_FINAL_TYPE (ChAccountView, ch_account_view, CH, ACCOUNT_VIEW, AdwBin)

GtkWidget  *ch_account_view_new            (void);
void        ch_account_view_set_session    (ChAccountView *self,
                                            ChSession     *session);
/* @label: (nullable): whose account, for the dialogs' titles ("Doe, Jane · MRN 0042") */
void        ch_account_view_load           (ChAccountView *self,
                                            gint64         patient_id,
                                            const char    *label);
void        ch_account_view_clear          (ChAccountView *self);
void        ch_account_view_reload         (ChAccountView *self);
gint64      ch_account_view_get_patient_id (ChAccountView *self);
gboolean    ch_account_view_get_busy       (ChAccountView *self);
gint64      ch_account_view_get_balance    (ChAccountView *self);
const char *ch_account_view_get_balance_text (ChAccountView *self);
GPtrArray  *ch_account_view_get_encounters (ChAccountView *self);
GPtrArray  *ch_account_view_get_ledger     (ChAccountView *self);
const char *ch_account_view_get_error      (ChAccountView *self);

/* The commands, as the buttons run them. Each returns the dialog it
 * presented, or NULL when the command is not offered now.
 * Returns: (transfer none) (nullable) */
GtkWidget  *ch_account_view_add_charge     (ChAccountView *self,
                                            gint64         encounter_id);
GtkWidget  *ch_account_view_mark_ready     (ChAccountView *self,
                                            gint64         encounter_id);
GtkWidget  *ch_account_view_take_payment   (ChAccountView *self);
/* @kind: "refund", "write-off" or "adjustment" */
GtkWidget  *ch_account_view_correct        (ChAccountView *self,
                                            const char    *kind);
GtkWidget  *ch_account_view_reverse        (ChAccountView *self,
                                            gint64         entry_id);
void        ch_account_view_print          (ChAccountView *self,
                                            gint64         encounter_id,
                                            const char    *export_path);

/* account.apply-credit: the patient's payments not allocated yet go to the
 * lines still owed, oldest first (ch_billing_apply_credit), on a worker. */
void           ch_account_view_apply_credit (ChAccountView *self);

G_END_DECLS
