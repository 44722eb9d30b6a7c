/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-session.h"

G_BEGIN_DECLS

/* C-CDA R2.1 export: one patient as a Continuity of Care Document (CCD),
 * XML valid against the CDA R2 schema with the SDTC extensions.
 *
 * The header names the patient (MRN, name, sex, birth date, address,
 * telecom, language), the exporting user as author and the practice as
 * custodian. The body has seven sections, each with its C-CDA templateId,
 * LOINC code, a narrative table people read, and coded entries that point
 * back at their row of that table:
 *   Allergies      Allergy Concern Act + Allergy Intolerance Observation
 *                  (with Reaction and Severity; "no known allergies" as the
 *                  negated observation)
 *   Medications    Medication Activity (the medication list)
 *   Problems       Problem Concern Act + Problem Observation (ICD-10-CM)
 *   Immunizations  Immunization Activity (CVX)
 *   Vital Signs    Vital Signs Organizer + Vital Sign Observation (LOINC,
 *                  UCUM), one organizer a measurement
 *   Results        Result Organizer + Result Observation: the chart's lab
 *                  items (one organizer a date) and the results imported
 *                  from HL7 (one organizer a report)
 *   Encounters     Encounter Activity (with the provider and the reason)
 * A section with nothing in it says so in its narrative and carries
 * nullFlavor="NI".
 *
 * Ids are stable: root the practice's UUID (setting "practice.uuid", made
 * at the first export), extension Charta's own ("problem-7").
 *
 * Needs read access to demographics and to the clinical record; audited
 * ("export", object "ccda") in the same transaction as the export. */

#define CH_CCDA_ERROR (ch_ccda_error_quark ())

typedef enum
{
  CH_CCDA_ERROR_FAILED,
  CH_CCDA_ERROR_IO,      /* the file to write to; the message names it */
} ChCcdaError;

GQuark      ch_ccda_error_quark         (void);

char       *ch_ccda_export_patient      (ChSession   *session,
                                         gint64       patient_id,
                                         gsize       *out_length,
                                         guint       *out_entries,
                                         GError     **error);
gboolean    ch_ccda_write_patient       (ChSession   *session,
                                         gint64       patient_id,
                                         const char  *path,
                                         guint       *out_entries,
                                         GError     **error);

G_END_DECLS
