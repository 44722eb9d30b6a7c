/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-store.h"

G_BEGIN_DECLS

/* The clinical quality measures' queries (issue 9): for each measure, the
 * patients of its denominator with the facts that decide whether they meet
 * it. app/reports/ch-reports-quality.c judges and counts them; doing it from
 * one list keeps the counts and the patient lists in agreement.
 *
 * Every denominator is made of active patients (not merged away) born in
 * [@born_from, @born_to] with a visit (an encounter not entered in error)
 * in [@start_us, @end_us); with a provider set, only those whose last visit
 * in that period was with that provider. Entered-in-error chart items never
 * count.
 *
 * Each fact is read for all patients at once, as one range of an index of
 * schema 0025 over the period (the vital signs of one code, the problems
 * of a code range …), and kept in C for the patients of the denominator:
 * a probe for each of 100,000 patients read the whole per-patient index
 * of 8 million chart items, once per measure. */

#define CH_LOINC_HBA1C          "4548-4"
#define CH_LOINC_HBA1C_IFCC     "17856-6"  /* HbA1c by HPLC */
#define CH_LOINC_HBA1C_EST      "4549-2"   /* HbA1c by electrophoresis */

typedef enum
{
  CH_QUALITY_QUERY_DIABETES,      /* active diabetes problem (E10*, E11*, E13*) */
  CH_QUALITY_QUERY_HYPERTENSION,  /* active hypertension problem (I10–I16) */
  CH_QUALITY_QUERY_IMMUNIZATION,  /* everyone, with their vaccines */
  CH_QUALITY_QUERY_BMI,           /* everyone, with BMI, weight and height */
  CH_QUALITY_QUERY_SMOKING,       /* everyone, with their last smoking status */
} ChQualityQueryKind;

typedef struct
{
  const char *born_from;     /* YYYY-MM-DD, inclusive; NULL: no limit */
  const char *born_to;       /* YYYY-MM-DD, inclusive */
  gint64      lookback_us;   /* SMOKING: the status counts from here to the period's end */
} ChQualityQuery;

/* What every measure of one period starts from: the active patients with a
 * visit in the period (by the provider, if one is given) and their last
 * visit's provider, read once for all the measures. */
typedef struct _ChQualityBase ChQualityBase;

/**
 * ch_db_quality_base_new:
 * @start_us: @end_us: the measurement period, [start, end)
 * @provider: (nullable): a provider's user name, matched against the last
 *   visit's provider
 * @provider_id: (nullable): the same provider's resource id, which names
 *   the encounters of a provider without an account
 *
 * Returns: (transfer full) (nullable): the base, or %NULL with @error set
 */
ChQualityBase *ch_db_quality_base_new  (ChStore        *store,
                                        gint64          start_us,
                                        gint64          end_us,
                                        const char     *provider,
                                        const char     *provider_id,
                                        GError        **error);
void           ch_quality_base_free    (ChQualityBase  *base);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChQualityBase, ch_quality_base_free)

/* One patient of a denominator and what the query found. "a", "b" and "c"
 * are, by kind (has_… FALSE when none):
 *   DIABETES      a: the last HbA1c with a number in the period among chart
 *                    results; b: the same among lab results received (current,
 *                    LOINC); each its time and value (%)
 *   HYPERTENSION  a: the last reading in the period with both a systolic and a
 *                    diastolic at the same time; a_value systolic, b_value
 *                    diastolic (mm Hg)
 *   IMMUNIZATION  text: the vaccines given or historical, "CVX@YYYY-MM-DD"
 *                    joined by ","
 *   BMI           a: the last BMI in the period (kg/m²); b: the last weight,
 *                    c: the last height in the period (times only)
 *   SMOKING       a: the last smoking status from @lookback_us; text its
 *                    SNOMED CT code */
typedef struct
{
  gint64    patient_id;
  char     *family_name;
  char     *given_name;
  char     *mrn;
  char     *birth_date;
  char     *last_provider;   /* the last visit's provider (a user name) */
  gboolean  has_a;
  gint64    a_at;
  double    a_value;
  gboolean  has_b;
  gint64    b_at;
  double    b_value;
  gboolean  has_c;
  gint64    c_at;
  char     *text;
} ChQualityRow;

void       ch_quality_row_free (ChQualityRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChQualityRow, ch_quality_row_free)

/* @base: the period's patients, from ch_db_quality_base_new()
 * Returns: (transfer full) (element-type ChQualityRow) (nullable): the
 * denominator's patients by name, or %NULL with @error set */
GPtrArray *ch_db_quality_list  (ChStore               *store,
                                ChQualityBase         *base,
                                ChQualityQueryKind     kind,
                                const ChQualityQuery  *query,
                                GError               **error);

/* The user name of provider @resource_id (resources, kind provider).
 * Returns: (transfer full) (nullable): NULL with no error when the provider
 * has no account, NULL with CH_STORE_ERROR_NOT_FOUND when there is no such
 * provider */
char      *ch_db_quality_provider_username (ChStore     *store,
                                            const char  *resource_id,
                                            GError     **error);

G_END_DECLS
