/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ch-session.h"

G_BEGIN_DECLS

/* The insurance claim commands of charta-admin over
 * app/billing/ch-claims.h: "claims payers" (and "claims payers add ID
 * NAME"), "claims setup", "claims provider", "claims build",
 * "claims post-835" and "claims list". main.c logs in; these add their
 * options, check them and run. */

typedef enum
{
  CH_ADMIN_CLAIMS_PAYERS,
  CH_ADMIN_CLAIMS_SETUP,
  CH_ADMIN_CLAIMS_PROVIDER,
  CH_ADMIN_CLAIMS_BUILD,
  CH_ADMIN_CLAIMS_POST_835,
  CH_ADMIN_CLAIMS_LIST,
} ChAdminClaimsCommand;

typedef struct
{
  /* payers add */
  char     *receiver;      /* --receiver ID */
  char     *filing;        /* --filing CI */
  /* payers add, setup */
  char     *address;       /* --address */
  char     *city;          /* --city */
  char     *state;         /* --state */
  char     *zip;           /* --zip */
  /* setup */
  char     *name;          /* --name */
  char     *npi;           /* --npi (setup and provider) */
  char     *tax_id;        /* --tax-id */
  char     *taxonomy;      /* --taxonomy */
  char     *submitter_id;  /* --submitter-id */
  char     *contact;       /* --contact */
  char     *phone;         /* --phone */
  /* provider */
  char     *last_name;     /* --last-name */
  char     *first_name;    /* --first-name */
  /* build */
  char     *payer;         /* --payer ID */
  char     *out;           /* --out FILE|DIR */
  gboolean  json;          /* --json */
} ChAdminClaimsOptions;

void     ch_admin_claims_options_clear (ChAdminClaimsOptions *opts);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ChAdminClaimsOptions, ch_admin_claims_options_clear)

/* The positional arguments @command takes. */
void     ch_admin_claims_arity       (ChAdminClaimsCommand         command,
                                      guint                       *out_min,
                                      guint                       *out_max);
/* Adds @command's own options (and its description) to @context. */
void     ch_admin_claims_add_options (GOptionContext              *context,
                                      ChAdminClaimsCommand         command,
                                      ChAdminClaimsOptions        *opts);
/* Checks the options and @args as parsed: CH_ADMIN_ERROR_USAGE when they
 * do not make sense. */
gboolean ch_admin_claims_check       (ChAdminClaimsCommand         command,
                                      const ChAdminClaimsOptions  *opts,
                                      const char * const          *args,
                                      GError                     **error);
/* Runs @command and prints what it did. */
gboolean ch_admin_claims_run         (ChSession                   *session,
                                      ChAdminClaimsCommand         command,
                                      const ChAdminClaimsOptions  *opts,
                                      const char * const          *args,
                                      GError                     **error);

G_END_DECLS
