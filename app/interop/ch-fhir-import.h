/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-session.h"

G_BEGIN_DECLS

/* FHIR R4 import: what ch-fhir.h exports, read back into a practice — a
 * Bundle (one JSON file), an NDJSON file, or a folder of NDJSON files as
 * "export fhir --all" writes them.
 *
 * Each patient is imported whole or not at all, in one transaction with its
 * audit entry: a resource of theirs that is not valid FHIR, lacks what
 * Charta needs, or refers to what the import does not hold rejects the
 * patient (nothing of theirs is stored), and the others are imported. A
 * patient whose MRN the practice already has is skipped, so importing the
 * same files twice adds nothing. Practitioners are matched to the
 * practice's accounts by user name (accounts are never made from a file,
 * and keep their own ids); the Organization is the practice itself; an
 * appointment's provider and room must be in the practice's calendar.
 * Records keep the ids they had in the files (fhir_ids), so that they
 * export again under the same ids — unless one of the practice's own
 * records had that id, which it keeps. Lab reports are logged among the
 * messages received (source "cli", type "FHIR R4 DiagnosticReport").
 *
 * Prescriptions (MedicationRequest) are kept as the file has them, signed
 * or stopped there, without the knowledge base's checks run again; their
 * numbers and signing times are this practice's. A DocumentReference
 * without its content is not imported (reported as skipped).
 *
 * Needs write access to demographics and to the clinical record (and to
 * the schedule for appointments, to prescribing for prescriptions). */

typedef struct
{
  char *where;      /* "Patient.ndjson line 3", "bundle.json entry 7" */
  char *resource;   /* "Condition/condition-7", or "" when it could not be read */
  char *message;
} ChFhirImportIssue;

typedef struct
{
  guint      n_patients;        /* imported */
  guint      n_resources;       /* imported, the patients' included */
  guint      n_skipped;         /* patients already in the practice */
  GPtrArray *rejected;          /* (element-type ChFhirImportIssue): what was refused, and why */
  GPtrArray *notes;             /* (element-type ChFhirImportIssue): skipped, not an error */
} ChFhirImportResult;

void      ch_fhir_import_issue_free   (ChFhirImportIssue  *issue);
void      ch_fhir_import_result_clear (ChFhirImportResult *result);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ChFhirImportResult, ch_fhir_import_result_clear)

gboolean  ch_fhir_import_path         (ChSession          *session,
                                       const char         *path,
                                       ChFhirImportResult *result,
                                       GError            **error);

G_END_DECLS
