/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ch-session.h"

G_BEGIN_DECLS

/* The lab order commands of charta-admin over app/interop/ch-lab-orders.h:
 * "lab order", "lab orders", "lab order-resend", "lab order-cancel" and
 * "lab order-target". main.c logs in; these add their options, check them
 * and run. */

typedef enum
{
  CH_ADMIN_LAB_ORDER,
  CH_ADMIN_LAB_ORDERS,
  CH_ADMIN_LAB_ORDER_RESEND,
  CH_ADMIN_LAB_ORDER_CANCEL,
  CH_ADMIN_LAB_ORDER_TARGET,
} ChAdminLabOrderCommand;

typedef struct
{
  char     *patient;        /* --patient MRN */
  char    **tests;          /* --test CODE^TEXT[^SYSTEM], repeated */
  char     *priority;       /* --priority */
  char     *note;           /* --note */
  char     *clinical_info;  /* --clinical-info */
  char     *status;         /* --status */
  char     *reason;         /* --reason */
  char     *application;    /* --receiving-application */
  char     *facility;       /* --receiving-facility */
  gboolean  json;           /* --json */
} ChAdminLabOrderOptions;

void     ch_admin_lab_order_options_clear (ChAdminLabOrderOptions *opts);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ChAdminLabOrderOptions, ch_admin_lab_order_options_clear)

/* The positional arguments @command takes. */
void     ch_admin_lab_order_arity        (ChAdminLabOrderCommand        command,
                                          guint                        *out_min,
                                          guint                        *out_max);
/* Adds @command's own options (and its description) to @context. */
void     ch_admin_lab_order_add_options  (GOptionContext               *context,
                                          ChAdminLabOrderCommand        command,
                                          ChAdminLabOrderOptions       *opts);
/* Checks the options and @args as parsed: CH_ADMIN_ERROR_USAGE when they
 * do not make sense. */
gboolean ch_admin_lab_order_check        (ChAdminLabOrderCommand        command,
                                          const ChAdminLabOrderOptions *opts,
                                          const char * const           *args,
                                          GError                      **error);
/* Runs @command and prints what it did. Ordering, sending again and
 * cancelling fail (exit 1) when the lab did not take the message, having
 * kept the order. */
gboolean ch_admin_lab_order_run          (ChSession                    *session,
                                          ChAdminLabOrderCommand        command,
                                          const ChAdminLabOrderOptions *opts,
                                          const char * const           *args,
                                          GError                      **error);

G_END_DECLS
