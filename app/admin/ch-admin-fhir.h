/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ch-session.h"

G_BEGIN_DECLS

/* "export fhir": one patient as a FHIR R4 Bundle, or the whole practice as
 * bulk NDJSON files (app/interop/ch-fhir.h). */
typedef struct
{
  char     *patient;         /* --patient MRN */
  gboolean  all;             /* --all */
  char     *out;             /* --out FILE or DIR; "-" the standard output (one patient) */
  gboolean  with_documents;  /* --with-documents */
} ChAdminFhirOptions;

void     ch_admin_fhir_options_clear (ChAdminFhirOptions       *opts);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ChAdminFhirOptions, ch_admin_fhir_options_clear)

/* Adds the command's own options (and its description) to @context. */
void     ch_admin_fhir_add_options   (GOptionContext           *context,
                                      ChAdminFhirOptions       *opts);
/* Checks the options as parsed: CH_ADMIN_ERROR_USAGE when they do not say
 * what to export or where. */
gboolean ch_admin_fhir_check_options (const ChAdminFhirOptions *opts,
                                      GError                  **error);
/* Runs the export and prints what it wrote: "PATH COUNT" a line. */
gboolean ch_admin_fhir_export        (ChSession                *session,
                                      const ChAdminFhirOptions *opts,
                                      GError                  **error);

/* "import fhir FILE|DIR": a Bundle, an NDJSON file or a folder of them
 * (app/interop/ch-fhir-import.h). */
void     ch_admin_fhir_import_add_options (GOptionContext     *context);
/* Imports @path, prints what was imported ("imported N patients, M
 * resources; skipped K") and, on the standard error, every resource
 * rejected or skipped with why. CH_ADMIN_ERROR_FAILED when anything was
 * rejected (the rest is imported all the same). */
gboolean ch_admin_fhir_import      (ChSession                *session,
                                    const char               *path,
                                    GError                  **error);

G_END_DECLS
