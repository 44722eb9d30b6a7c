/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ch-session.h"

G_BEGIN_DECLS

/* The outside-record commands of charta-admin over
 * app/interop/ch-ccda-import.h: "import ccd" stages a CCD's problems,
 * allergies and medications for a patient; "reconcile list", "reconcile
 * accept" and "reconcile decline" show and decide them. main.c logs in;
 * these add their options, check them and run. */

typedef enum
{
  CH_ADMIN_CCDA_IMPORT,
  CH_ADMIN_RECONCILE_LIST,
  CH_ADMIN_RECONCILE_ACCEPT,
  CH_ADMIN_RECONCILE_DECLINE,
} ChAdminCcdaImportCommand;

typedef struct
{
  char     *patient;   /* --patient MRN */
  gboolean  force;     /* import: --force */
  gboolean  json;      /* list: --json */
  gboolean  pending;   /* list: --pending */
  char     *reason;    /* decline: --reason TEXT */
} ChAdminCcdaImportOptions;

void     ch_admin_ccda_import_options_clear (ChAdminCcdaImportOptions *opts);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ChAdminCcdaImportOptions, ch_admin_ccda_import_options_clear)

/* The positional arguments @command takes. */
void     ch_admin_ccda_import_arity       (ChAdminCcdaImportCommand        command,
                                           guint                          *out_min,
                                           guint                          *out_max);
/* Adds @command's own options (and its description) to @context. */
void     ch_admin_ccda_import_add_options (GOptionContext                 *context,
                                           ChAdminCcdaImportCommand        command,
                                           ChAdminCcdaImportOptions       *opts);
/* Checks the options and @args (the positional arguments) as parsed:
 * CH_ADMIN_ERROR_USAGE when they do not make sense. */
gboolean ch_admin_ccda_import_check       (ChAdminCcdaImportCommand        command,
                                           const ChAdminCcdaImportOptions *opts,
                                           const char * const             *args,
                                           GError                        **error);
/* Runs @command and prints what it did. */
gboolean ch_admin_ccda_import_run         (ChSession                      *session,
                                           ChAdminCcdaImportCommand        command,
                                           const ChAdminCcdaImportOptions *opts,
                                           const char * const             *args,
                                           GError                        **error);

G_END_DECLS
