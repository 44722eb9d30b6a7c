/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ch-session.h"

G_BEGIN_DECLS

/* The billing commands of charta-admin over app/billing/ch-billing.h:
 * "billing fees import", "billing fees list", "billing encounters",
 * "billing charge", "billing charges", "billing ready", "billing pay", "billing refund",
 * "billing write-off", "billing adjust", "billing reverse", "billing ledger",
 * "billing post-openings", and the print-outs and the cash drawer
 * (app/billing/ch-billing-docs.h): "billing invoice", "billing statement",
 * "billing close" and "billing closes". main.c logs in; these add their options,
 * check them and run. */

typedef enum
{
  CH_ADMIN_BILLING_FEES_IMPORT,
  CH_ADMIN_BILLING_FEES_LIST,
  CH_ADMIN_BILLING_ENCOUNTERS,
  CH_ADMIN_BILLING_CHARGE,
  CH_ADMIN_BILLING_CHARGES,
  CH_ADMIN_BILLING_READY,
  CH_ADMIN_BILLING_PAY,
  CH_ADMIN_BILLING_REFUND,
  CH_ADMIN_BILLING_WRITE_OFF,
  CH_ADMIN_BILLING_ADJUST,
  CH_ADMIN_BILLING_REVERSE,
  CH_ADMIN_BILLING_LEDGER,
  CH_ADMIN_BILLING_POST_OPENINGS,
  CH_ADMIN_BILLING_INVOICE,
  CH_ADMIN_BILLING_STATEMENT,
  CH_ADMIN_BILLING_CLOSE,
  CH_ADMIN_BILLING_CLOSES,
} ChAdminBillingCommand;

typedef struct
{
  char     *patient;      /* --patient MRN */
  char     *on;           /* --on DATE */
  gint64    encounter;    /* --encounter ID */
  char     *code;         /* --code CODE */
  int       units;        /* --units N */
  char    **modifiers;    /* --modifier M, repeated */
  char    **diagnoses;    /* --dx ICD10, repeated */
  char     *amount;       /* --amount 12.34 */
  char     *method;       /* --method */
  char     *reference;    /* --reference */
  char    **allocations;  /* --allocate LINE=AMOUNT, repeated */
  gint64    line;         /* --line ID */
  char     *reason;       /* --reason */
  gboolean  json;         /* --json */
  char     *out;          /* --out FILE: invoice, statement, close */
  char     *to;           /* --to: patient|insurer (invoice), DATE (statement) */
  char     *from;         /* --from DATE */
  char     *float_amount; /* --float 100.00 */
  char     *counted;      /* --counted 123.45 */
  char     *note;         /* --note */
  char     *reopen_reason; /* --reopen-reason */
  gboolean  preview;      /* --preview */
} ChAdminBillingOptions;

void     ch_admin_billing_options_clear (ChAdminBillingOptions *opts);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ChAdminBillingOptions, ch_admin_billing_options_clear)

/* The positional arguments @command takes. */
void     ch_admin_billing_arity       (ChAdminBillingCommand         command,
                                       guint                        *out_min,
                                       guint                        *out_max);
/* Adds @command's own options (and its description) to @context. */
void     ch_admin_billing_add_options (GOptionContext               *context,
                                       ChAdminBillingCommand         command,
                                       ChAdminBillingOptions        *opts);
/* Checks the options and @args as parsed: CH_ADMIN_ERROR_USAGE when they
 * do not make sense. */
gboolean ch_admin_billing_check       (ChAdminBillingCommand         command,
                                       const ChAdminBillingOptions  *opts,
                                       const char * const           *args,
                                       GError                      **error);
/* Runs @command and prints what it did. */
gboolean ch_admin_billing_run         (ChSession                    *session,
                                       ChAdminBillingCommand         command,
                                       const ChAdminBillingOptions  *opts,
                                       const char * const           *args,
                                       GError                      **error);

G_END_DECLS
