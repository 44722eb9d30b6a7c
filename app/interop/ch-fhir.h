/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ch-session.h"

G_BEGIN_DECLS

/* FHIR R4 export: one patient as a Bundle (type "collection"), or the whole
 * practice as bulk-data NDJSON, one file per resource type. Resource ids
 * are stable and made from Charta's ids ("patient-42", "condition-7");
 * references are relative ("Patient/patient-42") and, within one export,
 * always name a resource that export holds.
 *
 * Exported: Patient, Coverage, Encounter, Condition (problems, ICD-10-CM),
 * AllergyIntolerance (with "no known allergies"), MedicationStatement (the
 * medication list), MedicationRequest (prescriptions), Immunization (CVX),
 * Observation (vital signs: LOINC codes, UCUM units; blood pressure as the
 * 85354-9 panel), DocumentReference (the bytes only when asked),
 * Appointment, Practitioner (the users a record names, and the calendar's
 * providers who have no account), Organization (the practice), and lab
 * results: each report as a DiagnosticReport (category LAB), each result
 * as an Observation "laboratory" — LOINC when the lab coded it so, UCUM
 * quantities, reference range, interpretation from the abnormal flags, the
 * lab's PDF as the DocumentReference it was filed as (derivedFrom). Only
 * the current result of a test is exported; the ones a correction replaced
 * stay in Charta as history.
 *
 * A record imported from FHIR (ch-fhir-import.h) exports under the id it
 * came with, so that an export, imported elsewhere, exports again the same.
 *
 * Needs read access to demographics and to the clinical record; the
 * appointments come along where the session may read the schedule, the
 * prescriptions where it may read prescribing. Every patient exported is
 * audited ("export", object "fhir"). */

#define CH_FHIR_ERROR (ch_fhir_error_quark ())

typedef enum
{
  CH_FHIR_ERROR_FAILED,
  CH_FHIR_ERROR_IO,      /* the file or folder to write to; the message names it */
} ChFhirError;

typedef enum
{
  CH_FHIR_EXPORT_DEFAULT        = 0,
  /* DocumentReference.content.attachment.data: the document's bytes, in
   * base64 (and the patient's photo in Patient.photo). */
  CH_FHIR_EXPORT_DOCUMENT_DATA  = 1 << 0,
} ChFhirExportFlags;

/* What a bulk export wrote: one entry a resource type, in the order written. */
typedef struct
{
  char  *resource_type;  /* "Patient" */
  char  *path;           /* DIR/Patient.ndjson */
  guint  count;
} ChFhirOutput;

void        ch_fhir_output_free         (ChFhirOutput       *output);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChFhirOutput, ch_fhir_output_free)

GQuark      ch_fhir_error_quark         (void);

JsonNode   *ch_fhir_export_patient      (ChSession          *session,
                                         gint64              patient_id,
                                         ChFhirExportFlags   flags,
                                         GError            **error);
gboolean    ch_fhir_write_patient       (ChSession          *session,
                                         gint64              patient_id,
                                         ChFhirExportFlags   flags,
                                         const char         *path,
                                         guint              *out_count,
                                         GError            **error);
GPtrArray  *ch_fhir_export_all          (ChSession          *session,
                                         const char         *dir,
                                         ChFhirExportFlags   flags,
                                         GError            **error);

char       *ch_fhir_to_string           (JsonNode           *node,
                                         gsize              *out_length);

G_END_DECLS
