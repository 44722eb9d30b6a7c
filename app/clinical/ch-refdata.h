/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ch-records.h"

G_BEGIN_DECLS

/* The shipped reference data (resources/data, compiled in): ICD-10-CM
 * problems, CVX vaccines and their schedule, LOINC tests. Loaded once,
 * read-only, shared by every thread. */

typedef enum
{
  CH_REF_ICD10,
  CH_REF_CVX,
  CH_REF_LOINC,
} ChRefSet;

typedef struct
{
  const char *code;
  const char *display;     /* ICD-10 description, CVX full name, LOINC long name */
  const char *short_name;  /* CVX and LOINC short names; the display for ICD-10 */
  const char *group;       /* CVX vaccine groups "dtap,hepb,ipv"; LOINC category; ICD-10 chapter */
  const char *unit;        /* LOINC only (UCUM), else "" */
  double      low;         /* LOINC only; NAN when none */
  double      high;
  const char *sex;         /* LOINC only: any, female, male */
  gboolean    active;      /* CVX status; TRUE otherwise */
} ChRefEntry;

/* Returns: (transfer container) (element-type ChRefEntry): entries whose
 * code starts with @query, then those with every word of @query starting a
 * word of their names (case- and accent-insensitive), at most @limit */
GPtrArray        *ch_refdata_search (ChRefSet    set,
                                     const char *query,
                                     guint       limit);
/* Returns: (transfer none) (nullable): the entry with @code (for LOINC, the
 * row for @sex when the range differs by sex, else the "any" row) */
const ChRefEntry *ch_refdata_lookup (ChRefSet    set,
                                     const char *code,
                                     const char *sex);
guint             ch_refdata_count  (ChRefSet    set);

const char       *ch_refdata_vaccine_group_name (const char *group);

/* One dose of the routine schedule that is due or overdue. */
typedef struct
{
  char     *vaccine_group;
  int       dose;
  char     *due_date;      /* YYYY-MM-DD: when it is recommended */
  gboolean  overdue;       /* past the recommended age by more than 30 days */
  char     *notes;
} ChDueDose;

void              ch_due_dose_free  (ChDueDose *due);

/* Returns: (transfer full) (element-type ChDueDose): the doses of the shipped
 * schedule a patient born on @birth_date is due for on @today, given the
 * immunizations on record (@given: ChChartItem of the immunization section,
 * "given" or "historical" ones counting, CVX codes mapped to their groups) */
GPtrArray        *ch_immunizations_due (const char *birth_date,
                                        GPtrArray  *given,
                                        GDateTime  *today);

G_END_DECLS
