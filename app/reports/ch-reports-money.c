/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-reports"

#include "config.h"

#include <glib/gi18n.h>

#include <math.h>
#include <stdio.h>

#include "ch-money-report-db.h"
#include "ch-report-db.h"
#include "ch-reports-private.h"

/* The money reports (issue 9): revenue by provider, code, payer or month;
 * accounts-receivable ageing for patients and payers; the collections rate.
 * The figures are summed in SQL (db/ch-money-report-db.c); this file names
 * the groups, lays out the table and draws the chart.
 *
 * What counts:
 * - charges: charge lines by service date, not reversed;
 * - payments: received in the period, not reversed; spread over providers,
 *   codes and payers by their allocations to charge lines, the rest
 *   "not allocated to a charge";
 * - write-offs and adjustments: posted in the period, not reversed,
 *   positive when they lower what patients owe;
 * - the payer of a charge: the payer of the claim made for its encounter,
 *   else the patient's primary active policy, else self-pay. */

#define N_CHART_PATIENTS 10

static const char * const revenue_groups[] = { "provider", "code", "payer", "month", NULL };
static const char * const revenue_group_labels[] = {
  N_("Provider"), N_("Procedure code"), N_("Payer"), N_("Month"), NULL
};
static const ChReportOption revenue_options[] = {
  { "group", N_("Group by"), CH_REPORT_OPTION_CHOICE, revenue_groups, revenue_group_labels,
    "provider" },
  { NULL }
};

static const char * const ageing_parties[] = { "patients", "payers", NULL };
static const char * const ageing_party_labels[] = { N_("Patients"), N_("Payers"), NULL };
static const ChReportOption ageing_options[] = {
  { "party", N_("Owed by"), CH_REPORT_OPTION_CHOICE, ageing_parties, ageing_party_labels,
    "patients" },
  { NULL }
};

static const char * const collections_groups[] = { "month", "provider", NULL };
static const char * const collections_group_labels[] = { N_("Month"), N_("Provider"), NULL };
static const ChReportOption collections_options[] = {
  { "group", N_("Group by"), CH_REPORT_OPTION_CHOICE, collections_groups, collections_group_labels,
    "month" },
  { NULL }
};

static const char * const bucket_labels[CH_MONEY_N_BUCKETS] = {
  N_("0–30 days"), N_("31–60 days"), N_("61–90 days"), N_("Over 90 days"),
};

static void
report_progress (ChReportProgressFunc progress,
                 gpointer             progress_data,
                 double               fraction)
{
  if (progress != NULL)
    progress (fraction, progress_data);
}

static ChMoneyGroup
group_from_option (const ChReportParams *params,
                   const char           *fallback)
{
  const char *value = ch_report_params_get_option (params, "group");

  if (value == NULL)
    value = fallback;
  if (g_str_equal (value, "provider"))
    return CH_MONEY_GROUP_PROVIDER;
  if (g_str_equal (value, "code"))
    return CH_MONEY_GROUP_CODE;
  if (g_str_equal (value, "payer"))
    return CH_MONEY_GROUP_PAYER;
  return CH_MONEY_GROUP_MONTH;
}

static const char *
group_title (ChMoneyGroup group)
{
  switch (group)
    {
    case CH_MONEY_GROUP_PROVIDER:
      return _("Provider");
    case CH_MONEY_GROUP_CODE:
      return _("Procedure code");
    case CH_MONEY_GROUP_PAYER:
      return _("Payer");
    case CH_MONEY_GROUP_MONTH:
    default:
      return _("Month");
    }
}

/* The provider's name for the subtitle, or NULL for all providers. */
static gboolean
provider_name (ChStore               *reader,
               const ChReportParams  *params,
               char                 **out_name,
               GError               **error)
{
  g_autoptr (GError) local_error = NULL;

  *out_name = NULL;
  if (params->provider == NULL)
    return TRUE;
  *out_name = ch_db_report_provider_name (reader, params->provider, &local_error);
  if (*out_name != NULL)
    return TRUE;
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    g_set_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_NOT_FOUND,
                 _("There is no provider “%s”"), params->provider);
  return FALSE;
}

typedef struct
{
  char          *label;
  ChMoneyTotals *totals;   /* (transfer none) (nullable): none that month */
  gboolean       last;     /* "not allocated": listed after the others */
} Group;

static void
group_clear (Group *group)
{
  g_free (group->label);
}

static char *
group_label (ChMoneyGroup   group,
             const char    *key,
             GHashTable    *provider_names)
{
  const char *name;

  if (key == NULL)
    return g_strdup (_("Not allocated to a charge"));
  switch (group)
    {
    case CH_MONEY_GROUP_PROVIDER:
      name = provider_names != NULL ? g_hash_table_lookup (provider_names, key) : NULL;
      if (name != NULL)
        return g_strdup (name);
      return g_strdup (key[0] != '\0' ? key : _("No provider"));
    case CH_MONEY_GROUP_PAYER:
      return g_strdup (key[0] != '\0' ? key : _("Self-pay"));
    case CH_MONEY_GROUP_CODE:
    case CH_MONEY_GROUP_MONTH:
    default:
      return g_strdup (key);
    }
}

static int
compare_groups (gconstpointer a,
                gconstpointer b)
{
  const Group *ga = a;
  const Group *gb = b;
  gint64 ca = ga->totals != NULL ? ga->totals->charges_cents : 0;
  gint64 cb = gb->totals != NULL ? gb->totals->charges_cents : 0;

  if (ga->last != gb->last)
    return ga->last - gb->last;
  /* The largest first: the table answers "where does the money come from". */
  if (ca != cb)
    return ca > cb ? -1 : 1;
  return g_utf8_collate (ga->label, gb->label);
}

/* The groups of @totals in the order of the table. By month, every month
 * of the period, empty ones too, so that a line has no gaps. */
static GArray *
make_groups (ChMoneyGroup          group,
             GPtrArray            *totals,
             const ChReportParams *params,
             GHashTable           *provider_names)
{
  GArray *groups = g_array_new (FALSE, TRUE, sizeof (Group));

  g_array_set_clear_func (groups, (GDestroyNotify) group_clear);
  if (group == CH_MONEY_GROUP_MONTH)
    {
      int year, month, to_year, to_month;

      if (sscanf (params->from, "%4d-%2d", &year, &month) != 2
          || sscanf (params->to, "%4d-%2d", &to_year, &to_month) != 2)
        return groups;
      while (year < to_year || (year == to_year && month <= to_month))
        {
          Group g = { g_strdup_printf ("%04d-%02d", year, month), NULL, FALSE };

          for (guint i = 0; i < totals->len; i++)
            {
              ChMoneyTotals *t = totals->pdata[i];

              if (t->key != NULL && g_str_equal (t->key, g.label))
                g.totals = t;
            }
          g_array_append_val (groups, g);
          if (++month > 12)
            {
              month = 1;
              year++;
            }
        }
      /* By month every payment has its month: nothing is "not allocated". */
      return groups;
    }

  for (guint i = 0; i < totals->len; i++)
    {
      ChMoneyTotals *t = totals->pdata[i];
      Group g = { group_label (group, t->key, provider_names), t, t->key == NULL };

      g_array_append_val (groups, g);
    }
  g_array_sort (groups, compare_groups);
  return groups;
}

static GVariant *
money (gint64 cents)
{
  return g_variant_new_int64 (cents);
}

static GVariant *
rate_cell (gint64 payments,
           gint64 charges,
           gint64 adjustments)
{
  gint64 due = charges - adjustments;

  /* Nothing was due: no rate, rather than a division by zero. */
  if (due <= 0)
    return NULL;
  return g_variant_new_double (round (payments * 10000.0 / due) / 100.0);
}

/* What revenue and collections share: the period's totals by @group
 * (*@out_totals), in the table's order with their labels (*@out_groups,
 * pointing into the totals), and the report titled for them with its first
 * column. */
static ChReport *
money_report_new (const ChReportDef     *def,
                  ChStore               *reader,
                  const ChReportParams  *params,
                  ChMoneyGroup           group,
                  ChReportProgressFunc   progress,
                  gpointer               progress_data,
                  GCancellable          *cancellable,
                  GPtrArray            **out_totals,
                  GArray               **out_groups,
                  GError               **error)
{
  g_autofree char *provider = NULL;
  g_autofree char *subtitle = NULL;
  g_autoptr (GPtrArray) totals = NULL;
  g_autoptr (GHashTable) names = NULL;
  ChReport *report;

  if (!provider_name (reader, params, &provider, error))
    return NULL;
  report_progress (progress, progress_data, 0.05);
  totals = ch_db_money_totals (reader, group, params->from, params->to,
                               ch_reports_day_start_us (params->from),
                               ch_reports_day_end_us (params->to), params->provider, error);
  if (totals == NULL)
    return NULL;
  report_progress (progress, progress_data, 0.8);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (group == CH_MONEY_GROUP_PROVIDER)
    {
      names = ch_db_money_provider_names (reader, error);
      if (names == NULL)
        return NULL;
    }
  subtitle = ch_reports_subtitle (def, params, provider);
  report = ch_report_new (_(def->title), subtitle);
  ch_report_add_column (report, group_title (group), CH_REPORT_COLUMN_TEXT);
  *out_groups = make_groups (group, totals, params, names);
  *out_totals = g_steal_pointer (&totals);
  return report;
}

/* ---- revenue ---------------------------------------------------------------- */

static ChReport *
run_revenue (const ChReportDef     *def,
             ChStore               *reader,
             const ChReportParams  *params,
             ChReportProgressFunc   progress,
             gpointer               progress_data,
             GCancellable          *cancellable,
             GError               **error)
{
  ChMoneyGroup group = group_from_option (params, "provider");
  g_autoptr (GPtrArray) totals = NULL;
  g_autoptr (GArray) groups = NULL;
  g_autoptr (ChReport) report = NULL;
  g_autoptr (ChReportChart) chart = NULL;
  g_autoptr (GArray) charges = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) payments = g_array_new (FALSE, FALSE, sizeof (double));
  gint64 total_charges = 0, total_payments = 0;

  report = money_report_new (def, reader, params, group, progress, progress_data, cancellable,
                             &totals, &groups, error);
  if (report == NULL)
    return NULL;
  ch_report_add_column (report, _("Charges"), CH_REPORT_COLUMN_MONEY);
  ch_report_add_column (report, _("Payments"), CH_REPORT_COLUMN_MONEY);
  /* TRANSLATORS: a revenue column: charges less payments */
  ch_report_add_column (report, _("Net"), CH_REPORT_COLUMN_MONEY);

  chart = ch_report_chart_new (CH_REPORT_CHART_GROUPED_BARS, CH_REPORT_VALUE_MONEY, group_title (group), _("Amount"));
  for (guint i = 0; i < groups->len; i++)
    {
      Group *g = &g_array_index (groups, Group, i);
      gint64 c = g->totals != NULL ? g->totals->charges_cents : 0;
      gint64 p = g->totals != NULL ? g->totals->payments_cents : 0;
      GVariant *cells[] = { g_variant_new_string (g->label), money (c), money (p), money (c - p) };
      double dc = c, dp = p;

      ch_report_append_row (report, cells);
      total_charges += c;
      total_payments += p;
      ch_report_chart_add_category (chart, g->label);
      g_array_append_val (charges, dc);
      g_array_append_val (payments, dp);
    }
  {
    GVariant *cells[] = {
      g_variant_new_string (_("Total")), money (total_charges), money (total_payments),
      money (total_charges - total_payments),
    };

    ch_report_append_row (report, cells);
  }
  ch_report_chart_add_series (chart, _("Charges"), (double *) charges->data, charges->len);
  ch_report_chart_add_series (chart, _("Payments"), (double *) payments->data, payments->len);
  ch_report_set_chart (report, g_steal_pointer (&chart));
  return g_steal_pointer (&report);
}

/* ---- collections ---------------------------------------------------------- */

static ChReport *
run_collections (const ChReportDef     *def,
                 ChStore               *reader,
                 const ChReportParams  *params,
                 ChReportProgressFunc   progress,
                 gpointer               progress_data,
                 GCancellable          *cancellable,
                 GError               **error)
{
  ChMoneyGroup group = group_from_option (params, "month");
  g_autoptr (GPtrArray) totals = NULL;
  g_autoptr (GArray) groups = NULL;
  g_autoptr (ChReport) report = NULL;
  g_autoptr (ChReportChart) chart = NULL;
  g_autoptr (GArray) rates = g_array_new (FALSE, FALSE, sizeof (double));
  gint64 sum_c = 0, sum_p = 0, sum_a = 0;

  if (group != CH_MONEY_GROUP_PROVIDER)
    group = CH_MONEY_GROUP_MONTH;
  report = money_report_new (def, reader, params, group, progress, progress_data, cancellable,
                             &totals, &groups, error);
  if (report == NULL)
    return NULL;
  ch_report_add_column (report, _("Charges"), CH_REPORT_COLUMN_MONEY);
  ch_report_add_column (report, _("Payments"), CH_REPORT_COLUMN_MONEY);
  ch_report_add_column (report, _("Write-offs and adjustments"), CH_REPORT_COLUMN_MONEY);
  ch_report_add_column (report, _("Collection rate"), CH_REPORT_COLUMN_PERCENT);

  chart = ch_report_chart_new (group == CH_MONEY_GROUP_MONTH ? CH_REPORT_CHART_LINES
                               : CH_REPORT_CHART_BARS,
                               CH_REPORT_VALUE_PERCENT, group_title (group), _("Collection rate"));
  for (guint i = 0; i < groups->len; i++)
    {
      Group *g = &g_array_index (groups, Group, i);
      gint64 c = g->totals != NULL ? g->totals->charges_cents : 0;
      gint64 p = g->totals != NULL ? g->totals->payments_cents : 0;
      gint64 a = g->totals != NULL ? g->totals->adjustments_cents : 0;
      GVariant *rate = rate_cell (p, c, a);
      double value = rate != NULL ? g_variant_get_double (rate) : NAN;
      GVariant *cells[] = { g_variant_new_string (g->label), money (c), money (p), money (a), rate };

      ch_report_append_row (report, cells);
      sum_c += c;
      sum_p += p;
      sum_a += a;
      ch_report_chart_add_category (chart, g->label);
      g_array_append_val (rates, value);
    }
  {
    GVariant *cells[] = {
      g_variant_new_string (_("Total")), money (sum_c), money (sum_p), money (sum_a),
      rate_cell (sum_p, sum_c, sum_a),
    };

    ch_report_append_row (report, cells);
  }
  ch_report_chart_add_series (chart, _("Collection rate"), (double *) rates->data, rates->len);
  ch_report_set_chart (report, g_steal_pointer (&chart));
  return g_steal_pointer (&report);
}

/* ---- accounts receivable ageing ------------------------------------------- */

static void
add_bucket_columns (ChReport *report)
{
  for (guint b = 0; b < CH_MONEY_N_BUCKETS; b++)
    ch_report_add_column (report, _(bucket_labels[b]), CH_REPORT_COLUMN_MONEY);
  ch_report_add_column (report, _("Total"), CH_REPORT_COLUMN_MONEY);
}

static ChReportChart *
ageing_chart (const char *x_title)
{
  return ch_report_chart_new (CH_REPORT_CHART_STACKED_BARS, CH_REPORT_VALUE_MONEY, x_title,
                              _("Amount owed"));
}

/* One series per bucket over the categories added; @values holds
 * CH_MONEY_N_BUCKETS values per category. */
static void
add_bucket_series (ChReportChart *chart,
                   GArray        *values)
{
  guint n = values->len / CH_MONEY_N_BUCKETS;

  for (guint b = 0; b < CH_MONEY_N_BUCKETS; b++)
    {
      g_autofree double *series = g_new0 (double, MAX (n, 1));

      for (guint i = 0; i < n; i++)
        series[i] = g_array_index (values, double, i * CH_MONEY_N_BUCKETS + b);
      ch_report_chart_add_series (chart, _(bucket_labels[b]), series, n);
    }
}

static int
compare_balances (gconstpointer a,
                  gconstpointer b)
{
  const ChAgeingRow *ra = *(ChAgeingRow * const *) a;
  const ChAgeingRow *rb = *(ChAgeingRow * const *) b;
  int cmp;

  /* The largest debts first: whom to call. */
  if (ra->balance_cents != rb->balance_cents)
    return ra->balance_cents > rb->balance_cents ? -1 : 1;
  cmp = g_utf8_collate (ra->family_name ? ra->family_name : "",
                        rb->family_name ? rb->family_name : "");
  if (cmp != 0)
    return cmp;
  cmp = g_utf8_collate (ra->given_name ? ra->given_name : "", rb->given_name ? rb->given_name : "");
  if (cmp != 0)
    return cmp;
  return (ra->patient_id > rb->patient_id) - (ra->patient_id < rb->patient_id);
}

static char *
patient_name (const ChAgeingRow *row)
{
  if (row->given_name == NULL || row->given_name[0] == '\0')
    return g_strdup (row->family_name ? row->family_name : "");
  /* TRANSLATORS: a patient in a report, "family name, given name" */
  return g_strdup_printf (_("%s, %s"), row->family_name ? row->family_name : "", row->given_name);
}

static void
append_bucket_row (ChReport     *report,
                   GVariant     *label,
                   GVariant     *mrn,
                   const gint64 *buckets)
{
  GVariant *cells[CH_MONEY_N_BUCKETS + 3];
  guint n = 0;
  gint64 total = 0;

  cells[n++] = label;
  if (mrn != NULL)
    cells[n++] = mrn;
  for (guint b = 0; b < CH_MONEY_N_BUCKETS; b++)
    {
      cells[n++] = money (buckets[b]);
      total += buckets[b];
    }
  cells[n++] = money (total);
  ch_report_append_row (report, cells);
}

static ChReport *
run_patient_ageing (const ChReportDef     *def,
                    ChStore               *reader,
                    const ChReportParams  *params,
                    ChReportProgressFunc   progress,
                    gpointer               progress_data,
                    GCancellable          *cancellable,
                    GError               **error)
{
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (ChReport) report = NULL;
  g_autoptr (ChReportChart) chart = NULL;
  g_autoptr (GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *subtitle = NULL;
  gint64 totals[CH_MONEY_N_BUCKETS] = { 0 };
  guint n_charted = 0;

  rows = ch_db_money_ageing (reader, params->to, ch_reports_day_end_us (params->to), TRUE, error);
  if (rows == NULL)
    return NULL;
  report_progress (progress, progress_data, 0.8);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  g_ptr_array_sort (rows, compare_balances);

  subtitle = ch_reports_subtitle (def, params, NULL);
  report = ch_report_new (_(def->title), subtitle);
  ch_report_add_column (report, _("Patient"), CH_REPORT_COLUMN_TEXT);
  ch_report_add_column (report, _("MRN"), CH_REPORT_COLUMN_TEXT);
  add_bucket_columns (report);
  chart = ageing_chart (_("Patient"));

  for (guint i = 0; i < rows->len; i++)
    {
      ChAgeingRow *row = rows->pdata[i];
      g_autofree char *name = NULL;

      /* Only awaited claims and no balance: nothing the patient owes. */
      if (row->balance_cents == 0)
        continue;
      name = patient_name (row);
      append_bucket_row (report, g_variant_new_string (name),
                         g_variant_new_string (row->mrn ? row->mrn : ""), row->buckets);
      ch_report_set_row_patient (report, ch_report_get_n_rows (report) - 1, row->patient_id);
      for (guint b = 0; b < CH_MONEY_N_BUCKETS; b++)
        totals[b] += row->buckets[b];
      /* The chart shows the largest debts; the table has them all. */
      if (n_charted < N_CHART_PATIENTS && row->balance_cents > 0)
        {
          ch_report_chart_add_category (chart, name);
          for (guint b = 0; b < CH_MONEY_N_BUCKETS; b++)
            {
              double value = row->buckets[b];

              g_array_append_val (values, value);
            }
          n_charted++;
        }
    }
  append_bucket_row (report, g_variant_new_string (_("Total")), g_variant_new_string (""), totals);
  add_bucket_series (chart, values);
  ch_report_set_chart (report, g_steal_pointer (&chart));
  return g_steal_pointer (&report);
}

static ChReport *
run_payer_ageing (const ChReportDef     *def,
                  ChStore               *reader,
                  const ChReportParams  *params,
                  ChReportProgressFunc   progress,
                  gpointer               progress_data,
                  GCancellable          *cancellable,
                  GError               **error)
{
  g_autoptr (GPtrArray) payers = NULL;
  g_autoptr (GPtrArray) patients = NULL;
  g_autoptr (ChReport) report = NULL;
  g_autoptr (ChReportChart) chart = NULL;
  g_autoptr (GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *subtitle = NULL;
  gint64 rest[CH_MONEY_N_BUCKETS] = { 0 };
  gint64 totals[CH_MONEY_N_BUCKETS] = { 0 };
  gint64 end_us = ch_reports_day_end_us (params->to);

  payers = ch_db_money_payer_ageing (reader, params->to, end_us, error);
  if (payers == NULL)
    return NULL;
  report_progress (progress, progress_data, 0.3);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  /* The rest of what is owed, once the claims are taken away, is the
   * patients' own. */
  patients = ch_db_money_ageing (reader, params->to, end_us, FALSE, error);
  if (patients == NULL)
    return NULL;
  report_progress (progress, progress_data, 0.9);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  for (guint i = 0; i < patients->len; i++)
    {
      ChAgeingRow *row = patients->pdata[i];

      for (guint b = 0; b < CH_MONEY_N_BUCKETS; b++)
        rest[b] += row->rest_buckets[b];
    }

  subtitle = ch_reports_subtitle (def, params, NULL);
  report = ch_report_new (_(def->title), subtitle);
  ch_report_add_column (report, _("Owed by"), CH_REPORT_COLUMN_TEXT);
  add_bucket_columns (report);
  chart = ageing_chart (_("Owed by"));

  for (guint i = 0; i <= payers->len; i++)
    {
      const gint64 *buckets = i < payers->len ? ((ChPayerAgeing *) payers->pdata[i])->buckets : rest;
      const char *label = i < payers->len ? ((ChPayerAgeing *) payers->pdata[i])->name
                          : _("Patients");

      append_bucket_row (report, g_variant_new_string (label), NULL, buckets);
      ch_report_chart_add_category (chart, label);
      for (guint b = 0; b < CH_MONEY_N_BUCKETS; b++)
        {
          double value = buckets[b];

          totals[b] += buckets[b];
          g_array_append_val (values, value);
        }
    }
  append_bucket_row (report, g_variant_new_string (_("Total")), NULL, totals);
  add_bucket_series (chart, values);
  ch_report_set_chart (report, g_steal_pointer (&chart));
  return g_steal_pointer (&report);
}

static ChReport *
run_ageing (const ChReportDef     *def,
            ChStore               *reader,
            const ChReportParams  *params,
            ChReportProgressFunc   progress,
            gpointer               progress_data,
            GCancellable          *cancellable,
            GError               **error)
{
  const char *party = ch_report_params_get_option (params, "party");

  if (party != NULL && g_str_equal (party, "payers"))
    return run_payer_ageing (def, reader, params, progress, progress_data, cancellable, error);
  return run_patient_ageing (def, reader, params, progress, progress_data, cancellable, error);
}

const ChReportDef ch_reports_money_defs[] = {
  {
    .name = "revenue",
    .category = N_("Money"),
    .title = N_("Revenue by provider, code and payer"),
    .description = N_("Charges by service date and payments received in the period, by provider, "
                      "procedure code, payer or month; reversed entries do not count."),
    .period = TRUE,
    .provider = TRUE,
    .names_patients = FALSE,
    .options = revenue_options,
    .run = run_revenue,
  },
  {
    .name = "ar-ageing",
    .category = N_("Money"),
    .title = N_("Accounts receivable ageing"),
    .description = N_("What patients and payers owe as of the day, by age: 0–30, 31–60, 61–90 and "
                      "over 90 days."),
    .period = FALSE,
    .provider = FALSE,
    .names_patients = TRUE,
    .options = ageing_options,
    .run = run_ageing,
  },
  {
    .name = "collections",
    .category = N_("Money"),
    .title = N_("Collections rate"),
    .description = N_("Charges, payments and write-offs by month or provider, and the payments as a "
                      "share of the charges less write-offs."),
    .period = TRUE,
    .provider = TRUE,
    .names_patients = FALSE,
    .options = collections_options,
    .run = run_collections,
  },
  { NULL },
};
