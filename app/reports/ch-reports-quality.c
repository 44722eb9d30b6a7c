/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-reports"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ch-quality-db.h"
#include "ch-report-db.h"
#include "ch-reports-private.h"

/* The clinical quality measures (issue 9). Each is judged as of the
 * report's day (@to): the measurement period is the 12 months ending on it,
 * from the same day a year earlier plus one (to 2026-06-30: 2025-07-01 to
 * 2026-06-30), in local days. Ages are whole years on @to.
 *
 * Every denominator counts active patients (not merged into another record)
 * with a visit in the period: an encounter that was not entered in error.
 * Chart items entered in error never count. With a provider chosen, a
 * patient belongs to the provider of their last visit in the period.
 *
 * 1. hba1c-tested: Diabetes, HbA1c measured. Denominator: patients aged
 *    18–75 with an active (not resolved) diabetes problem, ICD-10-CM E10*,
 *    E11* or E13*. Numerator: an HbA1c result with a value (LOINC 4548-4,
 *    17856-6 or 4549-2; entered in the chart or received from a laboratory)
 *    in the period.
 * 2. hba1c-poor: Diabetes, HbA1c poor control (> 9 %). An inverse measure:
 *    lower is better. Same denominator; numerator: the most recent HbA1c in
 *    the period is above 9.0 %, or there is none in the period (9.0 itself is
 *    not poor control).
 * 3. bp-controlled: Hypertension, blood pressure controlled. Denominator:
 *    aged 18–85 with active hypertension, ICD-10-CM I10–I16. Numerator: the
 *    last reading in the period (a systolic and a diastolic taken together)
 *    is below 140/90: systolic < 140 and diastolic < 90. The last reading
 *    decides, not the worst.
 * 4. child-immunization: Childhood immunization status. Denominator:
 *    children whose second birthday falls in the period. Numerator: by their
 *    second birthday (inclusive), 4 DTaP, 3 polio (IPV), 1 MMR, 3 Hib,
 *    3 hepatitis B, 1 varicella and 4 pneumococcal conjugate doses, given or
 *    recorded as given elsewhere (a refused one does not count), doses of one
 *    family on the same day counting once; the vaccine families are the CVX
 *    groups below.
 * 5. bmi: Adults with a BMI recorded. Denominator: aged 18 or more.
 *    Numerator: a BMI, or both a weight and a height, recorded in the period.
 * 6. smoking: Smoking status recorded. Denominator: aged 13 or more.
 *    Numerator: a smoking status (LOINC 72166-2, one of the six SNOMED CT
 *    answers below) recorded in the 24 months up to @to. */

typedef enum
{
  MEASURE_HBA1C_TESTED,
  MEASURE_HBA1C_POOR,
  MEASURE_BP_CONTROLLED,
  MEASURE_CHILD_IMMUNIZATION,
  MEASURE_BMI,
  MEASURE_SMOKING,
  N_MEASURES
} Measure;

typedef struct
{
  const char         *key;          /* the option's value */
  const char         *title;        /* N_() */
  const char         *short_title;  /* N_(): the chart's category */
  const char         *definition;   /* N_() */
  ChQualityQueryKind  query;
  int                 min_age;      /* on @to, inclusive */
  int                 max_age;      /* on @to, inclusive; -1: none */
  gboolean            inverse;      /* lower is better */
} MeasureInfo;

static const MeasureInfo measures[N_MEASURES] = {
  [MEASURE_HBA1C_TESTED] = {
    "hba1c-tested", N_("Diabetes: HbA1c measured"), N_("HbA1c measured"),
    N_("Patients aged 18–75 with active diabetes (E10, E11, E13) and a visit in the 12 months; "
       "met: an HbA1c result in those 12 months"),
    CH_QUALITY_QUERY_DIABETES, 18, 75, FALSE,
  },
  [MEASURE_HBA1C_POOR] = {
    "hba1c-poor", N_("Diabetes: HbA1c poor control (> 9 %)"), N_("HbA1c poor control (> 9 %)"),
    N_("Patients aged 18–75 with active diabetes (E10, E11, E13) and a visit in the 12 months; "
       "met: the last HbA1c in those 12 months above 9.0 %, or none"),
    CH_QUALITY_QUERY_DIABETES, 18, 75, TRUE,
  },
  [MEASURE_BP_CONTROLLED] = {
    "bp-controlled", N_("Hypertension: blood pressure controlled"), N_("BP < 140/90"),
    N_("Patients aged 18–85 with active hypertension (I10–I16) and a visit in the 12 months; "
       "met: the last blood pressure in those 12 months below 140/90"),
    CH_QUALITY_QUERY_HYPERTENSION, 18, 85, FALSE,
  },
  [MEASURE_CHILD_IMMUNIZATION] = {
    "child-immunization", N_("Childhood immunization status"), N_("Immunized at 2"),
    N_("Children turning 2 in the 12 months with a visit in them; met: by the second birthday "
       "4 DTaP, 3 IPV, 1 MMR, 3 Hib, 3 HepB, 1 varicella and 4 pneumococcal conjugate doses"),
    CH_QUALITY_QUERY_IMMUNIZATION, 2, 2, FALSE,
  },
  [MEASURE_BMI] = {
    "bmi", N_("Adults with a BMI recorded"), N_("BMI recorded"),
    N_("Patients aged 18 or more with a visit in the 12 months; "
       "met: a BMI, or a weight and a height, recorded in those 12 months"),
    CH_QUALITY_QUERY_BMI, 18, -1, FALSE,
  },
  [MEASURE_SMOKING] = {
    "smoking", N_("Smoking status recorded"), N_("Smoking status"),
    N_("Patients aged 13 or more with a visit in the 12 months; "
       "met: a smoking status recorded in the 24 months up to the day"),
    CH_QUALITY_QUERY_SMOKING, 13, -1, FALSE,
  },
};

#define HBA1C_POOR_ABOVE   9.0
#define BP_SYSTOLIC_BELOW  140.0
#define BP_DIASTOLIC_BELOW 90.0

/* The vaccine families of the childhood measure and the CVX codes that
 * count toward each: the codes of resources/data/cvx/cvx.tsv whose
 * vaccine_group lists the family, combination vaccines counting for each
 * family they cover (CVX 110, DTaP-HepB-IPV, is one DTaP, one IPV and one
 * HepB dose). Polio counts the trivalent OPV as that file does. MMR counts
 * the MMR and MMRV vaccines here, and the single-antigen and partial
 * vaccines below only when measles, mumps and rubella are all covered. */
typedef struct
{
  const char *name;     /* N_() as reported */
  guint       needed;
  const int  *cvx;      /* ending with 0 */
} VaccineFamily;

static const int dtap_cvx[] = { 1, 20, 22, 28, 50, 102, 106, 107, 110, 120, 130, 132, 146, 170, 198, 0 };
static const int ipv_cvx[] = { 2, 10, 89, 110, 120, 130, 132, 146, 170, 195, 324, 0 };
static const int mmr_cvx[] = { 3, 94, 0 };
static const int hib_cvx[] = { 17, 22, 46, 47, 48, 49, 50, 51, 102, 120, 132, 146, 148, 170, 198, 0 };
static const int hepb_cvx[] = { 8, 42, 43, 44, 45, 51, 102, 104, 110, 132, 146, 189, 193, 198, 220, 0 };
static const int varicella_cvx[] = { 21, 94, 0 };
static const int pcv_cvx[] = { 100, 133, 152, 177, 215, 216, 327, 0 };

/* MMR from its parts: measles (M/R 04, measles 05), mumps (mumps 07,
 * rubella/mumps 38), rubella (M/R 04, rubella 06, rubella/mumps 38). */
static const int measles_cvx[] = { 4, 5, 0 };
static const int mumps_cvx[] = { 7, 38, 0 };
static const int rubella_cvx[] = { 4, 6, 38, 0 };

enum { FAMILY_DTAP, FAMILY_IPV, FAMILY_MMR, FAMILY_HIB, FAMILY_HEPB, FAMILY_VARICELLA, FAMILY_PCV, N_FAMILIES };

static const VaccineFamily families[N_FAMILIES] = {
  [FAMILY_DTAP] = { N_("DTaP"), 4, dtap_cvx },
  [FAMILY_IPV] = { N_("IPV"), 3, ipv_cvx },
  [FAMILY_MMR] = { N_("MMR"), 1, mmr_cvx },
  [FAMILY_HIB] = { N_("Hib"), 3, hib_cvx },
  [FAMILY_HEPB] = { N_("HepB"), 3, hepb_cvx },
  [FAMILY_VARICELLA] = { N_("Varicella"), 1, varicella_cvx },
  [FAMILY_PCV] = { N_("PCV"), 4, pcv_cvx },
};

/* The answers to "tobacco smoking status" (LOINC 72166-2), SNOMED CT. */
static const struct
{
  const char *code;
  const char *label;  /* N_() */
} smoking_statuses[] = {
  { "449868002", N_("Current every day smoker") },
  { "428041000124106", N_("Current some day smoker") },
  { "8517006", N_("Former smoker") },
  { "266919005", N_("Never smoker") },
  { "77176002", N_("Smoker, current status unknown") },
  { "266927001", N_("Unknown if ever smoked") },
};

/* A patient of a denominator, judged. */
typedef struct
{
  ChQualityRow *row;    /* (transfer none): the rows fetched own it */
  gboolean      met;
  char         *value;  /* what decided it, as read */
  char         *date;   /* (nullable) its day, YYYY-MM-DD */
} Judged;

static void
judged_free (Judged *judged)
{
  g_free (judged->value);
  g_free (judged->date);
  g_free (judged);
}

/* The days a run works with. */
typedef struct
{
  GDate  to;
  gint64 start_us;     /* the 12 months, [start, end) */
  gint64 end_us;
  gint64 lookback_us;  /* the 24 months' start */
  ChQualityBase *base; /* the patients with a visit in the period (by the provider) */
} Period;

static char *
iso_date (const GDate *date)
{
  return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date));
}

static gboolean
parse_iso (const char *text,
           GDate      *date)
{
  int y, m, d;
  char tail;

  g_date_clear (date, 1);
  if (text == NULL || sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3
      || !g_date_valid_dmy (d, m, y))
    return FALSE;
  g_date_set_dmy (date, d, m, y);
  return TRUE;
}

/* @date minus @years, plus @days. */
static char *
shift (const GDate *date,
       guint        years,
       guint        days)
{
  GDate day = *date;

  g_date_subtract_years (&day, years);
  if (days > 0)
    g_date_add_days (&day, days);
  return iso_date (&day);
}

/* The local day of @us. Not through GDateTime: its local time zone is
 * looked up again on every call (a stat of /etc/localtime), and a measure
 * asks this for every patient of its denominator. */
static char *
local_day (gint64 us)
{
  time_t seconds = (time_t) (us / G_USEC_PER_SEC);
  struct tm tm;

  if (localtime_r (&seconds, &tm) == NULL)
    return NULL;
  return g_strdup_printf ("%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static gboolean
period_init (Period               *period,
             ChStore              *store,
             const ChReportParams *params,
             GError              **error)
{
  g_autofree char *from = NULL;
  g_autofree char *lookback = NULL;
  g_autofree char *username = NULL;

  memset (period, 0, sizeof *period);
  if (!parse_iso (params->to, &period->to))
    {
      g_set_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID,
                   _("“%s” is not a date (YYYY-MM-DD)"), params->to ? params->to : "");
      return FALSE;
    }
  from = shift (&period->to, 1, 1);
  lookback = shift (&period->to, 2, 1);
  period->start_us = ch_reports_day_start_us (from);
  period->end_us = ch_reports_day_end_us (params->to);
  period->lookback_us = ch_reports_day_start_us (lookback);

  /* Encounters name a provider by user name or, without an account, by
   * resource id: either is theirs. */
  if (params->provider != NULL)
    {
      g_autoptr (GError) local_error = NULL;

      username = ch_db_quality_provider_username (store, params->provider, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  period->base = ch_db_quality_base_new (store, period->start_us, period->end_us, username,
                                         params->provider, error);
  return period->base != NULL;
}

static void
period_clear (Period *period)
{
  g_clear_pointer (&period->base, ch_quality_base_free);
}

static gboolean
cvx_in (int        cvx,
        const int *codes)
{
  for (guint i = 0; codes[i] != 0; i++)
    if (codes[i] == cvx)
      return TRUE;
  return FALSE;
}

/* Doses of one family by @by (inclusive), those of one day counting once. */
static guint
count_doses (char      **entries,
             const char *by,
             const int  *codes)
{
  g_autoptr (GHashTable) days = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; entries[i] != NULL; i++)
    {
      const char *at = strchr (entries[i], '@');

      if (at == NULL || strcmp (at + 1, by) > 0)
        continue;
      if (cvx_in (atoi (entries[i]), codes))
        g_hash_table_add (days, (gpointer) (at + 1));
    }
  return g_hash_table_size (days);
}

static void
judge_immunizations (Judged *judged)
{
  g_auto (GStrv) entries = g_strsplit (judged->row->text, ",", -1);
  g_autoptr (GString) missing = g_string_new (NULL);
  g_autofree char *second_birthday = NULL;
  GDate birth;

  if (!parse_iso (judged->row->birth_date, &birth))
    {
      judged->value = g_strdup ("");
      return;
    }
  g_date_add_years (&birth, 2);
  second_birthday = iso_date (&birth);

  for (guint f = 0; f < N_FAMILIES; f++)
    {
      guint doses = count_doses (entries, second_birthday, families[f].cvx);

      if (f == FAMILY_MMR && doses == 0
          && count_doses (entries, second_birthday, measles_cvx) > 0
          && count_doses (entries, second_birthday, mumps_cvx) > 0
          && count_doses (entries, second_birthday, rubella_cvx) > 0)
        doses = 1;
      if (doses < families[f].needed)
        {
          if (missing->len > 0)
            g_string_append (missing, ", ");
          /* TRANSLATORS: a vaccine family and its doses, "DTaP 3/4" */
          g_string_append_printf (missing, _("%s %u/%u"), _(families[f].name), doses,
                                  families[f].needed);
        }
    }

  judged->met = missing->len == 0;
  if (judged->met)
    judged->value = g_strdup (_("All doses by age 2"));
  else
    /* TRANSLATORS: the vaccine families a child lacks, "Missing: DTaP 3/4, PCV 2/4" */
    judged->value = g_strdup_printf (_("Missing: %s"), missing->str);
  judged->date = g_steal_pointer (&second_birthday);
}

/* A result as written, one decimal at least: 9.0, 9.04 (so that a value
 * just over a threshold never reads as the threshold). */
static char *
number_text (double value)
{
  if (fabs (value * 10 - round (value * 10)) < 1e-9)
    return g_strdup_printf ("%.1f", value);
  return g_strdup_printf ("%g", value);
}

static const char *
smoking_label (const char *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (smoking_statuses); i++)
    if (g_strcmp0 (smoking_statuses[i].code, code) == 0)
      return _(smoking_statuses[i].label);
  return NULL;
}

/* Decides whether @judged->row meets @measure, with what decided it. */
static void
judge (Measure  measure,
       Judged  *judged)
{
  ChQualityRow *row = judged->row;

  switch (measure)
    {
    case MEASURE_HBA1C_TESTED:
    case MEASURE_HBA1C_POOR:
      {
        gboolean has = row->has_a || row->has_b;
        gboolean lab_later = row->has_b && (!row->has_a || row->b_at > row->a_at);
        double value = lab_later ? row->b_value : row->a_value;
        gint64 at = lab_later ? row->b_at : row->a_at;

        if (measure == MEASURE_HBA1C_TESTED)
          judged->met = has;
        else
          judged->met = !has || value > HBA1C_POOR_ABOVE;
        if (has)
          {
            g_autofree char *number = number_text (value);

            /* TRANSLATORS: an HbA1c result, "8.2 %" */
            judged->value = g_strdup_printf (_("%s %%"), number);
            judged->date = local_day (at);
          }
        else
          judged->value = g_strdup (_("None in the 12 months"));
      }
      break;

    case MEASURE_BP_CONTROLLED:
      if (row->has_a)
        {
          judged->met = row->a_value < BP_SYSTOLIC_BELOW && row->b_value < BP_DIASTOLIC_BELOW;
          /* TRANSLATORS: a blood pressure, systolic/diastolic, "138/88 mm Hg"; a
           * reading with decimals keeps them, so that 139.6 never reads as 140 */
          judged->value = g_strdup_printf (_("%g/%g mm Hg"), row->a_value, row->b_value);
          judged->date = local_day (row->a_at);
        }
      else
        judged->value = g_strdup (_("None in the 12 months"));
      break;

    case MEASURE_CHILD_IMMUNIZATION:
      judge_immunizations (judged);
      break;

    case MEASURE_BMI:
      if (row->has_a)
        {
          judged->met = TRUE;
          /* TRANSLATORS: a body mass index, "24.3 kg/m²" */
          judged->value = g_strdup_printf (_("%.1f kg/m²"), row->a_value);
          judged->date = local_day (row->a_at);
        }
      else if (row->has_b && row->has_c)
        {
          judged->met = TRUE;
          judged->value = g_strdup (_("Weight and height"));
          judged->date = local_day (MAX (row->b_at, row->c_at));
        }
      else
        judged->value = g_strdup (_("None in the 12 months"));
      break;

    case MEASURE_SMOKING:
      if (row->has_a)
        {
          const char *label = smoking_label (row->text);

          judged->met = label != NULL;
          judged->value = g_strdup (label != NULL ? label : row->text);
          judged->date = local_day (row->a_at);
        }
      else
        judged->value = g_strdup (_("None in the 24 months"));
      break;

    case N_MEASURES:
    default:
      g_assert_not_reached ();
    }
}

/* The denominator of @measure with its facts, unjudged.
 * Returns: (transfer full) (element-type ChQualityRow) (nullable) */
static GPtrArray *
fetch_rows (ChStore       *store,
            Measure        measure,
            const Period  *period,
            GError       **error)
{
  const MeasureInfo *info = &measures[measure];
  g_autofree char *born_from = NULL;
  g_autofree char *born_to = NULL;
  ChQualityQuery query = { 0 };

  /* Aged @min_age or more on @to: born on or before @to minus @min_age
   * years; aged @max_age or less: born after @to minus (@max_age + 1)
   * years. A child who turns 2 in the period was born from two years
   * before its first day to two years before its last. */
  if (measure == MEASURE_CHILD_IMMUNIZATION)
    {
      born_from = shift (&period->to, 3, 1);
      born_to = shift (&period->to, 2, 0);
    }
  else
    {
      born_to = shift (&period->to, info->min_age, 0);
      if (info->max_age >= 0)
        born_from = shift (&period->to, info->max_age + 1, 1);
    }

  query.born_from = born_from;
  query.born_to = born_to;
  query.lookback_us = period->lookback_us;
  return ch_db_quality_list (store, period->base, info->query, &query, error);
}

/* @rows judged for @measure; they must outlive the result.
 * Returns: (transfer full) (element-type Judged) */
static GPtrArray *
judge_rows (Measure    measure,
            GPtrArray *rows)
{
  GPtrArray *judged = g_ptr_array_new_full (rows->len, (GDestroyNotify) judged_free);

  for (guint i = 0; i < rows->len; i++)
    {
      Judged *one = g_new0 (Judged, 1);

      one->row = rows->pdata[i];
      judge (measure, one);
      g_ptr_array_add (judged, one);
    }
  return judged;
}

static guint
count_met (GPtrArray *judged)
{
  guint met = 0;

  for (guint i = 0; i < judged->len; i++)
    if (((Judged *) judged->pdata[i])->met)
      met++;
  return met;
}

static char *
patient_name (const ChQualityRow *row)
{
  if (row->given_name[0] == '\0')
    return g_strdup (row->family_name);
  return g_strdup_printf ("%s, %s", row->family_name, row->given_name);
}

static GVariant *
date_cell (const char *date)
{
  return date != NULL && date[0] != '\0' ? g_variant_new_string (date) : NULL;
}

/* The patient list of a measure: @which "all", "met" or "not-met". */
static ChReport *
patient_list (const MeasureInfo *info,
              GPtrArray         *judged,
              const char        *which,
              const char        *subtitle)
{
  g_autoptr (ChReport) report = NULL;
  g_autofree char *full_subtitle = NULL;

  full_subtitle = g_strdup_printf ("%s · %s", subtitle, _(info->definition));
  report = ch_report_new (_(info->title), full_subtitle);
  ch_report_add_column (report, _("Patient"), CH_REPORT_COLUMN_TEXT);
  ch_report_add_column (report, _("MRN"), CH_REPORT_COLUMN_TEXT);
  ch_report_add_column (report, _("Birth date"), CH_REPORT_COLUMN_DATE);
  ch_report_add_column (report, _("Met"), CH_REPORT_COLUMN_TEXT);
  ch_report_add_column (report, _("Value"), CH_REPORT_COLUMN_TEXT);
  ch_report_add_column (report, _("Date"), CH_REPORT_COLUMN_DATE);

  for (guint i = 0; i < judged->len; i++)
    {
      Judged *one = judged->pdata[i];
      g_autofree char *name = NULL;
      GVariant *cells[6];

      if ((g_strcmp0 (which, "met") == 0 && !one->met)
          || (g_strcmp0 (which, "not-met") == 0 && one->met))
        continue;
      name = patient_name (one->row);
      cells[0] = g_variant_new_string (name);
      cells[1] = g_variant_new_string (one->row->mrn);
      cells[2] = date_cell (one->row->birth_date);
      cells[3] = g_variant_new_string (one->met ? _("Yes") : _("No"));
      cells[4] = g_variant_new_string (one->value != NULL ? one->value : "");
      cells[5] = date_cell (one->date);
      ch_report_append_row (report, cells);
      ch_report_set_row_patient (report, ch_report_get_n_rows (report) - 1, one->row->patient_id);
    }
  return g_steal_pointer (&report);
}

static char *
make_subtitle (const ChReportDef    *def,
               ChStore              *store,
               const ChReportParams *params,
               GError              **error)
{
  g_autofree char *provider_name = NULL;

  if (params->provider != NULL)
    {
      g_autoptr (GError) local_error = NULL;

      provider_name = ch_db_report_provider_name (store, params->provider, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  return ch_reports_subtitle (def, params, provider_name);
}

/* A measure's patient list, made when it is first looked at. */
typedef struct
{
  const MeasureInfo *info;
  GPtrArray         *rows;     /* what @judged points into */
  GPtrArray         *judged;
  char              *subtitle;
} ListSource;

static void
list_source_free (ListSource *source)
{
  g_ptr_array_unref (source->judged);
  g_ptr_array_unref (source->rows);
  g_free (source->subtitle);
  g_free (source);
}

static ChReport *
make_list (gpointer user_data)
{
  ListSource *source = user_data;

  return patient_list (source->info, source->judged, "all", source->subtitle);
}

static ChReport *
run_quality (const ChReportDef     *def,
             ChStore               *reader,
             const ChReportParams  *params,
             ChReportProgressFunc   progress,
             gpointer               progress_data,
             GCancellable          *cancellable,
             GError               **error)
{
  g_autoptr (ChReport) report = NULL;
  g_autoptr (ChReportChart) chart = NULL;
  g_autofree char *subtitle = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  double rates[N_MEASURES];
  Period period;

  subtitle = make_subtitle (def, reader, params, error);
  if (subtitle == NULL || !period_init (&period, reader, params, error))
    return NULL;

  report = ch_report_new (_(def->title), subtitle);
  ch_report_add_column (report, _("Measure"), CH_REPORT_COLUMN_TEXT);
  ch_report_add_column (report, _("Denominator"), CH_REPORT_COLUMN_INTEGER);
  ch_report_add_column (report, _("Numerator"), CH_REPORT_COLUMN_INTEGER);
  ch_report_add_column (report, _("Rate"), CH_REPORT_COLUMN_PERCENT);
  ch_report_add_column (report, _("Note"), CH_REPORT_COLUMN_TEXT);
  chart = ch_report_chart_new (CH_REPORT_CHART_BARS, CH_REPORT_VALUE_PERCENT,
                               _("Measure"), _("Rate"));

  for (guint m = 0; m < N_MEASURES; m++)
    {
      const MeasureInfo *info = &measures[m];
      g_autoptr (GPtrArray) judged = NULL;
      GVariant *cells[5];
      guint met;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          period_clear (&period);
          return NULL;
        }
      /* The two HbA1c measures share their denominator and its facts. */
      if (rows == NULL || m == 0 || info->query != measures[m - 1].query)
        {
          g_clear_pointer (&rows, g_ptr_array_unref);
          rows = fetch_rows (reader, m, &period, error);
          if (rows == NULL)
            {
              period_clear (&period);
              return NULL;
            }
        }
      judged = judge_rows (m, rows);

      met = count_met (judged);
      rates[m] = judged->len > 0 ? 100.0 * met / judged->len : NAN;
      cells[0] = g_variant_new_string (_(info->title));
      cells[1] = g_variant_new_int64 (judged->len);
      cells[2] = g_variant_new_int64 (met);
      cells[3] = judged->len > 0 ? g_variant_new_double (rates[m]) : NULL;
      cells[4] = g_variant_new_string (info->inverse ? _("lower is better") : "");
      ch_report_append_row (report, cells);
      {
        ListSource *source = g_new0 (ListSource, 1);

        source->info = info;
        source->rows = g_ptr_array_ref (rows);
        source->judged = g_ptr_array_ref (judged);
        source->subtitle = g_strdup (subtitle);
        ch_report_set_row_detail_func (report, m, make_list, source,
                                       (GDestroyNotify) list_source_free);
      }
      ch_report_chart_add_category (chart, _(info->short_title));

      if (progress != NULL)
        progress ((m + 1.0) / (N_MEASURES + 1.0), progress_data);
    }

  ch_report_chart_add_series (chart, _("Rate"), rates, N_MEASURES);
  ch_report_set_chart (report, g_steal_pointer (&chart));
  period_clear (&period);
  return g_steal_pointer (&report);
}

static ChReport *
run_quality_patients (const ChReportDef     *def,
                      ChStore               *reader,
                      const ChReportParams  *params,
                      ChReportProgressFunc   progress,
                      gpointer               progress_data,
                      GCancellable          *cancellable,
                      GError               **error)
{
  const char *key = ch_report_params_get_option (params, "measure");
  const char *which = ch_report_params_get_option (params, "which");
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GPtrArray) judged = NULL;
  g_autoptr (ChReportChart) chart = NULL;
  g_autofree char *subtitle = NULL;
  ChReport *report;
  Period period;
  Measure measure = N_MEASURES;
  double counts[2];
  guint met;

  for (guint m = 0; m < N_MEASURES; m++)
    if (g_strcmp0 (measures[m].key, key != NULL ? key : "hba1c-tested") == 0)
      measure = m;
  if (measure == N_MEASURES)
    {
      g_set_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID,
                   _("“%s” is not a quality measure"), key);
      return NULL;
    }

  subtitle = make_subtitle (def, reader, params, error);
  if (subtitle == NULL || !period_init (&period, reader, params, error))
    return NULL;
  rows = fetch_rows (reader, measure, &period, error);
  period_clear (&period);
  if (rows == NULL)
    return NULL;
  judged = judge_rows (measure, rows);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  report = patient_list (&measures[measure], judged, which != NULL ? which : "all", subtitle);
  met = count_met (judged);
  counts[0] = met;
  counts[1] = judged->len - met;
  chart = ch_report_chart_new (CH_REPORT_CHART_BARS, CH_REPORT_VALUE_INTEGER, NULL, _("Patients"));
  ch_report_chart_add_category (chart, _("Met"));
  ch_report_chart_add_category (chart, _("Not met"));
  ch_report_chart_add_series (chart, _("Patients"), counts, 2);
  ch_report_set_chart (report, g_steal_pointer (&chart));
  return report;
}

static const char * const measure_choices[] = {
  "hba1c-tested", "hba1c-poor", "bp-controlled", "child-immunization", "bmi", "smoking", NULL
};
static const char * const measure_choice_labels[] = {
  N_("Diabetes: HbA1c measured"), N_("Diabetes: HbA1c poor control (> 9 %)"),
  N_("Hypertension: blood pressure controlled"), N_("Childhood immunization status"),
  N_("Adults with a BMI recorded"), N_("Smoking status recorded"), NULL
};
static const char * const which_choices[] = { "all", "met", "not-met", NULL };
static const char * const which_choice_labels[] = { N_("All"), N_("Met"), N_("Not met"), NULL };

static const ChReportOption quality_patient_options[] = {
  { "measure", N_("Measure"), CH_REPORT_OPTION_CHOICE, measure_choices, measure_choice_labels,
    "hba1c-tested" },
  { "which", N_("Patients"), CH_REPORT_OPTION_CHOICE, which_choices, which_choice_labels, "all" },
  { NULL },
};

const ChReportDef ch_reports_quality_defs[] = {
  {
    .name = "quality",
    .category = N_("Quality"),
    .title = N_("Clinical quality measures"),
    .description = N_("Six measures over the 12 months up to the day chosen, each with its "
                      "denominator, numerator and the patients behind them: HbA1c measured and "
                      "HbA1c above 9 % (diabetics 18–75), blood pressure under 140/90 (hypertensives "
                      "18–85), immunizations complete at age 2, BMI recorded in adults, and smoking "
                      "status recorded (24 months) from age 13; every denominator counts active "
                      "patients with a visit in the 12 months"),
    .period = FALSE,
    .provider = TRUE,
    .names_patients = TRUE,
    .options = NULL,
    .run = run_quality,
  },
  {
    .name = "quality-patients",
    .category = N_("Quality"),
    .title = N_("Quality measure: patients"),
    .description = N_("The patients of one quality measure's denominator, whether each meets it "
                      "and the value and date that decided it"),
    .period = FALSE,
    .provider = TRUE,
    .names_patients = TRUE,
    .options = quality_patient_options,
    .run = run_quality_patients,
  },
  { NULL },
};
