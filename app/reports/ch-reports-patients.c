/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-reports"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "ch-report-chart.h"
#include "ch-report-db.h"
#include "ch-reports-private.h"

/* The patient population on a day: active patients by age band, sex,
 * language or payer; and the patients still seen (a visit in the last 18
 * months) by the provider of their last visit. Counts only, no names. */

static GVariant *
share_cell (gint64 part,
            gint64 whole)
{
  return whole > 0 ? g_variant_new_double (round (1000.0 * part / whole) / 10.0) : NULL;
}

/* Appends the rows (a label and a count each, with its share) and a Total
 * row, and a bar chart of the counts. */
static void
fill_counts (ChReport     *report,
             const char   *group_title,
             const char   *count_title,
             GPtrArray    *labels,
             GArray       *counts)
{
  g_autoptr (ChReportChart) chart = NULL;
  g_autofree double *values = g_new0 (double, counts->len + 1);
  gint64 total = 0;

  for (guint i = 0; i < counts->len; i++)
    total += g_array_index (counts, gint64, i);

  ch_report_add_column (report, group_title, CH_REPORT_COLUMN_TEXT);
  ch_report_add_column (report, count_title, CH_REPORT_COLUMN_INTEGER);
  ch_report_add_column (report, _("Share"), CH_REPORT_COLUMN_PERCENT);
  chart = ch_report_chart_new (CH_REPORT_CHART_BARS, CH_REPORT_VALUE_INTEGER, group_title, count_title);

  for (guint i = 0; i < counts->len; i++)
    {
      gint64 n = g_array_index (counts, gint64, i);
      GVariant *cells[] = {
        g_variant_new_string (labels->pdata[i]), g_variant_new_int64 (n), share_cell (n, total),
      };

      ch_report_append_row (report, cells);
      ch_report_chart_add_category (chart, labels->pdata[i]);
      values[i] = n;
    }
  ch_report_chart_add_series (chart, count_title, values, counts->len);
  {
    GVariant *cells[] = {
      g_variant_new_string (_("Total")), g_variant_new_int64 (total), share_cell (total, total),
    };
    ch_report_append_row (report, cells);
  }
  ch_report_set_chart (report, g_steal_pointer (&chart));
}

/* ---- demographics ------------------------------------------------------------- */

static const char * const by_choices[] = { "age-band", "sex", "language", "payer", NULL };
static const char * const by_labels[] = { N_("Age band"), N_("Sex"), N_("Language"), N_("Payer"), NULL };

static const ChReportOption demographics_options[] = {
  { "by", N_("Count by"), CH_REPORT_OPTION_CHOICE, by_choices, by_labels, "age-band" },
  { NULL },
};

static const char * const age_bands[] = { "0-17", "18-34", "35-49", "50-64", "65-79", "80+", "", NULL };
static const char * const sexes[] = { "female", "male", "other", "unknown", NULL };

static const char *
sex_label (const char *sex)
{
  if (g_strcmp0 (sex, "female") == 0)
    return C_("sex at birth", "Female");
  if (g_strcmp0 (sex, "male") == 0)
    return C_("sex at birth", "Male");
  if (g_strcmp0 (sex, "other") == 0)
    return C_("sex at birth", "Other");
  return C_("sex at birth", "Unknown");
}

static gint64
count_of (GPtrArray  *rows,
          const char *key)
{
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (((ChDbReportRow *) rows->pdata[i])->key, key) == 0)
      return ((ChDbReportRow *) rows->pdata[i])->values[0];
  return 0;
}

static ChReport *
run_demographics (const ChReportDef     *def,
                  ChStore               *reader,
                  const ChReportParams  *params,
                  ChReportProgressFunc   progress,
                  gpointer               progress_data,
                  GCancellable          *cancellable,
                  GError               **error)
{
  const char *by = ch_report_params_get_option (params, "by");
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) counts = g_array_new (FALSE, TRUE, sizeof (gint64));
  g_autofree char *subtitle = NULL;
  g_autoptr (ChReport) report = NULL;
  const char *group_title;

  if (by == NULL)
    by = "age-band";

  rows = ch_db_report_demographics (reader, params->to, by, error);
  if (rows == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (progress != NULL)
    progress (0.8, progress_data);

  if (g_str_equal (by, "sex"))
    {
      group_title = _("Sex");
      /* Every sex, in a fixed order, those with none too. */
      for (guint i = 0; sexes[i] != NULL; i++)
        {
          gint64 n = count_of (rows, sexes[i]);
          g_ptr_array_add (labels, g_strdup (sex_label (sexes[i])));
          g_array_append_val (counts, n);
        }
    }
  else if (g_str_equal (by, "language") || g_str_equal (by, "payer"))
    {
      gboolean payer = g_str_equal (by, "payer");
      gint64 none = 0;

      group_title = payer ? _("Payer") : _("Language");
      for (guint i = 0; i < rows->len; i++)
        {
          ChDbReportRow *row = rows->pdata[i];

          if (row->key[0] == '\0')
            {
              none = row->values[0];
              continue;
            }
          g_ptr_array_add (labels, g_strdup (row->key));
          g_array_append_val (counts, row->values[0]);
        }
      /* The patients without one last: self-pay, or no language recorded. */
      if (none > 0 || payer)
        {
          g_ptr_array_add (labels, g_strdup (payer ? _("Self-pay") : _("Not recorded")));
          g_array_append_val (counts, none);
        }
    }
  else
    {
      group_title = _("Age band");
      for (guint i = 0; age_bands[i] != NULL; i++)
        {
          gint64 n = count_of (rows, age_bands[i]);

          /* Patients without a birth date only when there are some. */
          if (age_bands[i][0] == '\0' && n == 0)
            continue;
          g_ptr_array_add (labels, g_strdup (age_bands[i][0] != '\0' ? age_bands[i] : _("Unknown")));
          g_array_append_val (counts, n);
        }
    }

  subtitle = ch_reports_subtitle (def, params, NULL);
  report = ch_report_new (_(def->title), subtitle);
  fill_counts (report, group_title, _("Patients"), labels, counts);
  return g_steal_pointer (&report);
}

/* ---- active patients ----------------------------------------------------------- */

static ChReport *
run_active_patients (const ChReportDef     *def,
                     ChStore               *reader,
                     const ChReportParams  *params,
                     ChReportProgressFunc   progress,
                     gpointer               progress_data,
                     GCancellable          *cancellable,
                     GError               **error)
{
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) counts = g_array_new (FALSE, TRUE, sizeof (gint64));
  g_autofree char *name = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *since = NULL;
  g_autoptr (ChReport) report = NULL;
  GDate from;

  /* Eighteen months up to and including the day: to 2026-03-31 is from
   * 2024-10-01. */
  g_date_clear (&from, 1);
  g_date_set_parse (&from, params->to);
  if (!g_date_valid (&from))
    {
      g_set_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID,
                   _("“%s” is not a date (YYYY-MM-DD)"), params->to);
      return NULL;
    }
  g_date_subtract_months (&from, 18);
  g_date_add_days (&from, 1);
  since = g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (&from),
                           g_date_get_month (&from), g_date_get_day (&from));

  rows = ch_db_report_active_patients (reader, ch_reports_day_start_us (since),
                                       ch_reports_day_end_us (params->to), params->provider, error);
  if (rows == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (progress != NULL)
    progress (0.8, progress_data);

  for (guint i = 0; i < rows->len; i++)
    {
      ChDbReportRow *row = rows->pdata[i];

      g_ptr_array_add (labels, g_strdup (row->label != NULL ? row->label
                                         : row->key[0] != '\0' ? row->key : _("No provider")));
      g_array_append_val (counts, row->values[0]);
    }

  if (params->provider != NULL)
    name = ch_db_report_provider_name (reader, params->provider, NULL);
  subtitle = ch_reports_subtitle (def, params, name);
  report = ch_report_new (_(def->title), subtitle);
  fill_counts (report, _("Provider of the last visit"), _("Active patients"), labels, counts);
  return g_steal_pointer (&report);
}

const ChReportDef ch_reports_patient_defs[] = {
  {
    .name = "demographics",
    .category = N_("Patients"),
    .title = N_("Patient demographics"),
    .description = N_("Active patients on file, by age on the day, sex, preferred language or "
                      "the payer of their primary insurance in force that day (self-pay when "
                      "none)."),
    .period = FALSE,
    .provider = FALSE,
    .names_patients = FALSE,
    .options = demographics_options,
    .run = run_demographics,
  },
  {
    .name = "active-patients",
    .category = N_("Patients"),
    .title = N_("Active patients by provider"),
    .description = N_("Patients seen — an encounter or a completed appointment — in the 18 "
                      "months up to the day, by the provider of their last visit."),
    .period = FALSE,
    .provider = TRUE,
    .names_patients = FALSE,
    .options = NULL,
    .run = run_active_patients,
  },
  { NULL },
};
