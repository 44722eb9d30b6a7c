/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ch-session.h"

G_BEGIN_DECLS

/* "import csv": migration from another EHR's CSV exports
 * (app/interop/ch-csv-import.h). main.c logs in; this adds the options,
 * checks them and runs. */
typedef struct
{
  char     *mapping;   /* --mapping FILE */
  gboolean  dry_run;   /* --dry-run */
  gboolean  json;      /* --json */
} ChAdminImportCsvOptions;

void     ch_admin_import_csv_options_clear (ChAdminImportCsvOptions       *opts);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ChAdminImportCsvOptions, ch_admin_import_csv_options_clear)

/* Adds the command's own options (and its description) to @context. */
void     ch_admin_import_csv_add_options   (GOptionContext                *context,
                                            ChAdminImportCsvOptions       *opts);
/* Checks the options and @dir as parsed: CH_ADMIN_ERROR_USAGE when the
 * mapping is not given. */
gboolean ch_admin_import_csv_check         (const ChAdminImportCsvOptions *opts,
                                            const char                    *dir,
                                            GError                       **error);
/* Runs the import (or the dry run) of the CSV files in @dir and prints a
 * line a section as it is done, with the rows rejected ("FILE:LINE:
 * reason"), or with --json one object at the end. Fails (exit status 1)
 * when a row was rejected, having imported the others; and when nothing
 * could be imported at all. */
gboolean ch_admin_import_csv_run           (ChSession                     *session,
                                            const ChAdminImportCsvOptions *opts,
                                            const char                    *dir,
                                            GError                       **error);

G_END_DECLS
