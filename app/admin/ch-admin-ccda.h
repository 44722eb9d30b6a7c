/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ch-session.h"

G_BEGIN_DECLS

/* "export ccd": one patient as a C-CDA R2.1 Continuity of Care Document
 * (app/interop/ch-ccda.h). */
typedef struct
{
  char *patient;   /* --patient MRN */
  char *out;       /* --out FILE; "-" the standard output */
} ChAdminCcdaOptions;

void     ch_admin_ccda_options_clear (ChAdminCcdaOptions       *opts);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ChAdminCcdaOptions, ch_admin_ccda_options_clear)

/* Adds the command's own options (and its description) to @context. */
void     ch_admin_ccda_add_options   (GOptionContext           *context,
                                      ChAdminCcdaOptions       *opts);
/* Checks the options as parsed: CH_ADMIN_ERROR_USAGE when they do not say
 * whom to export or where. */
gboolean ch_admin_ccda_check_options (const ChAdminCcdaOptions *opts,
                                      GError                  **error);
/* Runs the export and prints what it wrote: "PATH ENTRIES". */
gboolean ch_admin_ccda_export        (ChSession                *session,
                                      const ChAdminCcdaOptions *opts,
                                      GError                  **error);

G_END_DECLS
