/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ch-hl7.h"

G_BEGIN_DECLS

/* Laboratory results (ORU^R01) read out of an HL7 message into plain
 * structs, for the import to match and store. Nothing here touches the
 * database. Strings are UTF-8, escapes decoded; a field the message leaves
 * empty is NULL. Times and dates are kept as the message wrote them (HL7
 * DTM, e.g. "202403150830-0500"). */

/* A coded element (CE/CWE): OBX-3, OBR-4, a coded result. */
typedef struct
{
  char *code;
  char *text;
  char *system;      /* "LN" for LOINC, "L" for the lab's own codes … */
} ChHl7Code;

/* One PID-3 identifier (CX). */
typedef struct
{
  char *id;
  char *assigning_authority;  /* CX-4, its first component */
  char *type;                 /* CX-5: "MR", "PI", "SS" … */
} ChHl7Identifier;

typedef struct
{
  GPtrArray *identifiers;     /* ChHl7Identifier */
  char *family;               /* PID-5.1 */
  char *given;                /* PID-5.2 */
  char *middle;               /* PID-5.3 */
  char *birth_date;           /* PID-7, YYYYMMDD */
  char *sex;                  /* PID-8: "F", "M", "O", "U" … */
} ChHl7Patient;

typedef enum
{
  CH_HL7_VALUE_OTHER,
  CH_HL7_VALUE_NM,
  CH_HL7_VALUE_ST,
  CH_HL7_VALUE_TX,
  CH_HL7_VALUE_FT,
  CH_HL7_VALUE_CE,   /* CE and CWE */
  CH_HL7_VALUE_SN,
  CH_HL7_VALUE_ED,
  CH_HL7_VALUE_DT,
  CH_HL7_VALUE_TS,   /* TS and DTM */
} ChHl7ValueType;

/* One OBX. */
typedef struct
{
  guint set_id;                 /* OBX-1; 0 when absent */
  char *value_type_name;        /* OBX-2 as written: "NM", "CWE" … */
  ChHl7ValueType value_type;
  ChHl7Code observation;        /* OBX-3 */
  char *sub_id;                 /* OBX-4 */
  /* OBX-5 as text: the number for NM, the text (or code) for CE/CWE,
   * repetitions joined by line breaks for ST/TX/FT, a structured numeric
   * written out (">5", "1:128", "2-5"); NULL for ED. */
  char *value;
  ChHl7Code coded_value;        /* CE/CWE only */
  /* ED only: the decoded data, and its type ("Application") and MIME
   * subtype ("PDF") from ED-2 and ED-3. */
  GBytes *data;
  char *data_type;
  char *data_subtype;
  char *units;                  /* OBX-6.1 (its text when there is no code) */
  char *reference_range;        /* OBX-7 */
  char *abnormal_flags;         /* OBX-8, repetitions joined by "~" */
  char *status;                 /* OBX-11: "F", "P", "C", "X" … */
  char *observed_at;            /* OBX-14 */
  GPtrArray *comments;          /* char*, one per NTE after the OBX */
} ChHl7Observation;

/* One ORC/OBR group and its results. */
typedef struct
{
  char *placer_number;          /* OBR-2 (or ORC-2) */
  char *filler_number;          /* OBR-3 (or ORC-3) */
  ChHl7Code test;               /* OBR-4 */
  char *observed_at;            /* OBR-7 */
  char *status_changed_at;      /* OBR-22 */
  char *result_status;          /* OBR-25 */
  GPtrArray *observations;      /* ChHl7Observation */
  GPtrArray *comments;          /* char*, NTEs after the OBR */
} ChHl7Order;

/* One PID group. */
typedef struct
{
  ChHl7Patient patient;
  GPtrArray *orders;            /* ChHl7Order */
} ChHl7PatientResult;

typedef struct
{
  char *control_id;             /* MSH-10 */
  char *sending_application;    /* MSH-3.1 */
  char *sending_facility;       /* MSH-4.1 */
  char *message_time;           /* MSH-7 */
  char *version;                /* MSH-12 */
  GPtrArray *patients;          /* ChHl7PatientResult */
} ChHl7Oru;

/* Reads the results out of @msg, which must be an ORU^R01. Sets
 * CH_HL7_ERROR_WRONG_TYPE for another message type, CH_HL7_ERROR_MISSING
 * for a required segment or field that is not there and
 * CH_HL7_ERROR_INVALID for a malformed value; the message names the
 * segment (and its line) and the field.
 * Returns: (transfer full): the results, or NULL with @error set. */
ChHl7Oru     *ch_hl7_oru_from_message     (ChHl7Message    *msg,
                                           GError         **error);
void          ch_hl7_oru_free             (ChHl7Oru        *oru);

/* Returns: (transfer none) (nullable): the identifier of @type ("MR" …),
 * or the first one when @type is NULL. */
const ChHl7Identifier *ch_hl7_patient_find_identifier (const ChHl7Patient *patient,
                                                       const char         *type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChHl7Oru, ch_hl7_oru_free)

G_END_DECLS
