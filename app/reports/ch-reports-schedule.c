/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-reports"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "ch-report-chart.h"
#include "ch-report-db.h"
#include "ch-reports-private.h"
#include "ch-schedule.h"

/* The schedule's reports: appointments by provider, type and status;
 * providers' utilisation; no-shows and late cancellations; new patients by
 * month. Each counts in SQL (db/ch-report-db.c) and lays the few rows that
 * come back out as a table and a chart. */

static const char * const statuses[] = {
  "booked", "confirmed", "arrived", "in-room", "done", "no-show", "cancelled", NULL,
};

static const char *
provider_label (const char *id,
                const char *name)
{
  if (name != NULL && name[0] != '\0')
    return name;
  if (id != NULL && id[0] != '\0')
    return id;
  return _("No provider");
}

static gboolean
check_rows (GPtrArray     *rows,
            GCancellable  *cancellable,
            GError       **error)
{
  return rows != NULL && !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static double
percent (gint64 part,
         gint64 whole)
{
  return whole > 0 ? 100.0 * (double) part / (double) whole : NAN;
}

static GVariant *
percent_cell (gint64 part,
              gint64 whole)
{
  /* Rounded to a tenth, as people read it and as the CSV carries it. */
  return whole > 0 ? g_variant_new_double (round (percent (part, whole) * 10.0) / 10.0) : NULL;
}

/* The provider's name for the subtitle, NULL for all. */
static char *
provider_name (ChStore              *reader,
               const ChReportParams *params)
{
  if (params->provider == NULL)
    return NULL;
  return ch_db_report_provider_name (reader, params->provider, NULL);
}

/* ---- appointments -------------------------------------------------------------- */

static const char * const group_choices[] = { "provider", "type", "status", NULL };
static const char * const group_labels[] = { N_("Provider"), N_("Appointment type"), N_("Status"), NULL };

static const ChReportOption appointment_options[] = {
  { "group", N_("Group by"), CH_REPORT_OPTION_CHOICE, group_choices, group_labels, "provider" },
  { "type", N_("Appointment type"), CH_REPORT_OPTION_APPOINTMENT_TYPE, NULL, NULL, NULL },
  { NULL },
};

static guint
status_index (const char *status)
{
  for (guint i = 0; statuses[i] != NULL; i++)
    if (g_strcmp0 (statuses[i], status) == 0)
      return i;
  return G_N_ELEMENTS (statuses) - 1;
}

static ChReport *
run_appointments (const ChReportDef     *def,
                  ChStore               *reader,
                  const ChReportParams  *params,
                  ChReportProgressFunc   progress,
                  gpointer               progress_data,
                  GCancellable          *cancellable,
                  GError               **error)
{
  const guint n_statuses = G_N_ELEMENTS (statuses) - 1;
  const char *group = ch_report_params_get_option (params, "group");
  const char *type = ch_report_params_get_option (params, "type");
  gint64 type_id = type != NULL ? g_ascii_strtoll (type, NULL, 10) : 0;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (ChReportParams) shown = ch_report_params_copy (params);
  g_autofree char *name = provider_name (reader, params);
  g_autofree char *subtitle = NULL;
  g_autoptr (ChReport) report = NULL;
  g_autoptr (ChReportChart) chart = NULL;
  /* Groups in the order the database gave them, with a count per status. */
  g_autoptr (GPtrArray) keys = g_ptr_array_new ();
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();
  g_autoptr (GArray) counts = g_array_new (FALSE, TRUE, sizeof (gint64));
  gint64 totals[G_N_ELEMENTS (statuses)] = { 0 };
  gint64 grand_total = 0;

  if (group == NULL)
    group = "provider";
  if (type_id > 0)
    {
      g_autofree char *type_name = ch_db_report_appointment_type_name (reader, type_id, NULL);
      if (type_name != NULL)
        ch_report_params_set_option (shown, "type", type_name);
    }

  rows = ch_db_report_appointments (reader, ch_reports_day_start_us (params->from),
                                    ch_reports_day_end_us (params->to), params->provider,
                                    type_id, group, error);
  if (!check_rows (rows, cancellable, error))
    return NULL;
  if (progress != NULL)
    progress (0.7, progress_data);

  for (guint i = 0; i < rows->len; i++)
    {
      ChDbReportRow *row = rows->pdata[i];
      guint g;

      for (g = 0; g < keys->len; g++)
        if (g_str_equal (keys->pdata[g], row->key))
          break;
      if (g == keys->len)
        {
          g_ptr_array_add (keys, row->key);
          g_ptr_array_add (labels, (gpointer) (g_str_equal (group, "provider")
                                               ? provider_label (row->key, row->label)
                                               : row->label != NULL ? row->label : row->key));
          g_array_set_size (counts, counts->len + n_statuses);
        }
      g_array_index (counts, gint64, g * n_statuses + status_index (row->status)) += row->values[0];
      totals[status_index (row->status)] += row->values[0];
      grand_total += row->values[0];
    }

  subtitle = ch_reports_subtitle (def, shown, name);
  report = ch_report_new (_(def->title), subtitle);

  if (g_str_equal (group, "status"))
    {
      g_autofree double *values = g_new0 (double, n_statuses);

      ch_report_add_column (report, _("Status"), CH_REPORT_COLUMN_TEXT);
      ch_report_add_column (report, _("Appointments"), CH_REPORT_COLUMN_INTEGER);
      ch_report_add_column (report, _("Share"), CH_REPORT_COLUMN_PERCENT);
      chart = ch_report_chart_new (CH_REPORT_CHART_BARS, CH_REPORT_VALUE_INTEGER,
                                   _("Status"), _("Appointments"));
      for (guint s = 0; s < n_statuses; s++)
        {
          GVariant *cells[] = {
            g_variant_new_string (ch_schedule_status_label (statuses[s])),
            g_variant_new_int64 (totals[s]),
            percent_cell (totals[s], grand_total),
          };
          ch_report_append_row (report, cells);
          ch_report_chart_add_category (chart, ch_schedule_status_label (statuses[s]));
          values[s] = totals[s];
        }
      ch_report_chart_add_series (chart, _("Appointments"), values, n_statuses);
      {
        GVariant *cells[] = {
          g_variant_new_string (_("Total")), g_variant_new_int64 (grand_total),
          percent_cell (grand_total, grand_total),
        };
        ch_report_append_row (report, cells);
      }
    }
  else
    {
      g_autofree GVariant **cells = g_new0 (GVariant *, n_statuses + 2);

      ch_report_add_column (report, g_str_equal (group, "type") ? _("Appointment type") : _("Provider"),
                            CH_REPORT_COLUMN_TEXT);
      for (guint s = 0; s < n_statuses; s++)
        ch_report_add_column (report, ch_schedule_status_label (statuses[s]), CH_REPORT_COLUMN_INTEGER);
      ch_report_add_column (report, _("Total"), CH_REPORT_COLUMN_INTEGER);

      chart = ch_report_chart_new (CH_REPORT_CHART_STACKED_BARS, CH_REPORT_VALUE_INTEGER,
                                   g_str_equal (group, "type") ? _("Appointment type") : _("Provider"),
                                   _("Appointments"));
      for (guint g = 0; g < keys->len; g++)
        {
          gint64 total = 0;

          cells[0] = g_variant_new_string (labels->pdata[g]);
          for (guint s = 0; s < n_statuses; s++)
            {
              gint64 n = g_array_index (counts, gint64, g * n_statuses + s);
              cells[s + 1] = g_variant_new_int64 (n);
              total += n;
            }
          cells[n_statuses + 1] = g_variant_new_int64 (total);
          ch_report_append_row (report, cells);
          ch_report_chart_add_category (chart, labels->pdata[g]);
        }

      for (guint s = 0; s < n_statuses; s++)
        {
          g_autofree double *values = g_new0 (double, keys->len + 1);

          for (guint g = 0; g < keys->len; g++)
            values[g] = g_array_index (counts, gint64, g * n_statuses + s);
          ch_report_chart_add_series (chart, ch_schedule_status_label (statuses[s]), values, keys->len);
        }

      cells[0] = g_variant_new_string (_("Total"));
      for (guint s = 0; s < n_statuses; s++)
        cells[s + 1] = g_variant_new_int64 (totals[s]);
      cells[n_statuses + 1] = g_variant_new_int64 (grand_total);
      ch_report_append_row (report, cells);
    }

  ch_report_set_chart (report, g_steal_pointer (&chart));
  return g_steal_pointer (&report);
}

/* ---- utilisation ------------------------------------------------------------------ */

/* Minutes of @a's intervals [start, end) that @b's cover. */
static int
overlap (int a_start, int a_end, int b_start, int b_end)
{
  int start = MAX (a_start, b_start);
  int end = MIN (a_end, b_end);

  return end > start ? end - start : 0;
}

typedef struct
{
  char   *id;
  char   *name;
  int     minutes[8];   /* working minutes by weekday, breaks taken off */
  gint64  available;
  gint64  booked;
} Provider;

static void
provider_free (Provider *provider)
{
  g_free (provider->id);
  g_free (provider->name);
  g_free (provider);
}

static Provider *
provider_lookup (GPtrArray  *providers,
                 const char *id,
                 const char *name)
{
  Provider *provider;

  for (guint i = 0; i < providers->len; i++)
    if (g_str_equal (((Provider *) providers->pdata[i])->id, id))
      return providers->pdata[i];
  provider = g_new0 (Provider, 1);
  provider->id = g_strdup (id);
  provider->name = g_strdup (provider_label (id, name));
  g_ptr_array_add (providers, provider);
  return provider;
}

static int
compare_providers (gconstpointer a,
                   gconstpointer b)
{
  const Provider *pa = *(Provider * const *) a;
  const Provider *pb = *(Provider * const *) b;
  int cmp = g_utf8_collate (pa->name, pb->name);

  return cmp != 0 ? cmp : g_strcmp0 (pa->id, pb->id);
}

static ChReport *
run_utilisation (const ChReportDef     *def,
                 ChStore               *reader,
                 const ChReportParams  *params,
                 ChReportProgressFunc   progress,
                 gpointer               progress_data,
                 GCancellable          *cancellable,
                 GError               **error)
{
  g_autoptr (GPtrArray) hours = NULL;
  g_autoptr (GPtrArray) days_off = NULL;
  g_autoptr (GPtrArray) booked = NULL;
  g_autoptr (GPtrArray) providers = g_ptr_array_new_with_free_func ((GDestroyNotify) provider_free);
  g_autoptr (GHashTable) off = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *name = provider_name (reader, params);
  g_autofree char *subtitle = NULL;
  g_autoptr (ChReport) report = NULL;
  g_autoptr (ChReportChart) chart = NULL;
  g_autofree double *values = NULL;
  GDate day, last;
  gint64 total_available = 0, total_booked = 0;
  guint n_days;

  hours = ch_db_report_working_hours (reader, params->provider, error);
  if (!check_rows (hours, cancellable, error))
    return NULL;
  days_off = ch_db_report_days_off (reader, params->from, params->to, error);
  if (!check_rows (days_off, cancellable, error))
    return NULL;
  booked = ch_db_report_booked_minutes (reader, ch_reports_day_start_us (params->from),
                                        ch_reports_day_end_us (params->to), params->provider, error);
  if (!check_rows (booked, cancellable, error))
    return NULL;
  if (progress != NULL)
    progress (0.6, progress_data);

  /* Work periods first, then breaks taken out of whichever they fall in. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < hours->len; i++)
      {
        ChDbReportRow *row = hours->pdata[i];
        Provider *provider = provider_lookup (providers, row->key, row->label);
        int weekday = CLAMP (row->values[0], 1, 7);

        if (pass == 0 && g_strcmp0 (row->status, "work") == 0)
          provider->minutes[weekday] += row->values[2] - row->values[1];
        else if (pass == 1 && g_strcmp0 (row->status, "break") == 0)
          for (guint j = 0; j < hours->len; j++)
            {
              ChDbReportRow *work = hours->pdata[j];
              if (g_str_equal (work->key, row->key) && work->values[0] == row->values[0]
                  && g_strcmp0 (work->status, "work") == 0)
                provider->minutes[weekday] -= overlap (row->values[1], row->values[2],
                                                       work->values[1], work->values[2]);
            }
      }

  for (guint i = 0; i < days_off->len; i++)
    {
      ChDbReportRow *row = days_off->pdata[i];
      g_hash_table_add (off, g_strdup_printf ("%s|%s", row->key, row->label));
    }

  /* Each local day of the period, but for practice holidays and the
   * provider's own days off. */
  g_date_clear (&day, 1);
  g_date_clear (&last, 1);
  g_date_set_parse (&day, params->from);
  g_date_set_parse (&last, params->to);
  n_days = 0;
  for (; g_date_valid (&day) && g_date_compare (&day, &last) <= 0; g_date_add_days (&day, 1))
    {
      char iso[16];
      g_autofree char *holiday = NULL;

      if (++n_days % 64 == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      g_snprintf (iso, sizeof iso, "%04u-%02u-%02u", g_date_get_year (&day),
                  g_date_get_month (&day), g_date_get_day (&day));
      holiday = g_strdup_printf ("|%s", iso);
      if (g_hash_table_contains (off, holiday))
        continue;
      for (guint p = 0; p < providers->len; p++)
        {
          Provider *provider = providers->pdata[p];
          g_autofree char *key = g_strdup_printf ("%s|%s", provider->id, iso);

          if (!g_hash_table_contains (off, key))
            provider->available += MAX (provider->minutes[g_date_get_weekday (&day)], 0);
        }
    }

  for (guint i = 0; i < booked->len; i++)
    {
      ChDbReportRow *row = booked->pdata[i];
      provider_lookup (providers, row->key, row->label)->booked += row->values[0];
    }

  g_ptr_array_sort (providers, compare_providers);

  subtitle = ch_reports_subtitle (def, params, name);
  report = ch_report_new (_(def->title), subtitle);
  ch_report_add_column (report, _("Provider"), CH_REPORT_COLUMN_TEXT);
  ch_report_add_column (report, _("Booked minutes"), CH_REPORT_COLUMN_INTEGER);
  ch_report_add_column (report, _("Available minutes"), CH_REPORT_COLUMN_INTEGER);
  ch_report_add_column (report, _("Utilisation"), CH_REPORT_COLUMN_PERCENT);
  chart = ch_report_chart_new (CH_REPORT_CHART_BARS, CH_REPORT_VALUE_PERCENT,
                               _("Provider"), _("Utilisation"));
  values = g_new0 (double, providers->len + 1);

  for (guint p = 0; p < providers->len; p++)
    {
      Provider *provider = providers->pdata[p];

      if (provider->available == 0 && provider->booked == 0)
        continue;
      {
        GVariant *cells[] = {
          g_variant_new_string (provider->name),
          g_variant_new_int64 (provider->booked),
          g_variant_new_int64 (provider->available),
          percent_cell (provider->booked, provider->available),
        };
        ch_report_append_row (report, cells);
      }
      values[chart->categories->len] = percent (provider->booked, provider->available);
      ch_report_chart_add_category (chart, provider->name);
      total_available += provider->available;
      total_booked += provider->booked;
    }
  ch_report_chart_add_series (chart, _("Utilisation"), values, chart->categories->len);

  {
    GVariant *cells[] = {
      g_variant_new_string (_("Total")),
      g_variant_new_int64 (total_booked),
      g_variant_new_int64 (total_available),
      percent_cell (total_booked, total_available),
    };
    ch_report_append_row (report, cells);
  }

  ch_report_set_chart (report, g_steal_pointer (&chart));
  return g_steal_pointer (&report);
}

/* ---- no-shows ------------------------------------------------------------------ */

static ChReport *
run_no_shows (const ChReportDef     *def,
              ChStore               *reader,
              const ChReportParams  *params,
              ChReportProgressFunc   progress,
              gpointer               progress_data,
              GCancellable          *cancellable,
              GError               **error)
{
  g_autoptr (GPtrArray) rows = NULL;
  g_autofree char *name = provider_name (reader, params);
  g_autofree char *subtitle = NULL;
  g_autoptr (ChReport) report = NULL;
  g_autoptr (ChReportChart) chart = NULL;
  g_autofree double *no_show_rates = NULL;
  g_autofree double *late_rates = NULL;
  gint64 total[3] = { 0 };

  rows = ch_db_report_no_shows (reader, ch_reports_day_start_us (params->from),
                                ch_reports_day_end_us (params->to), params->provider, error);
  if (!check_rows (rows, cancellable, error))
    return NULL;
  if (progress != NULL)
    progress (0.8, progress_data);

  subtitle = ch_reports_subtitle (def, params, name);
  report = ch_report_new (_(def->title), subtitle);
  ch_report_add_column (report, _("Provider"), CH_REPORT_COLUMN_TEXT);
  ch_report_add_column (report, _("Appointments"), CH_REPORT_COLUMN_INTEGER);
  ch_report_add_column (report, _("No-shows"), CH_REPORT_COLUMN_INTEGER);
  ch_report_add_column (report, _("No-show rate"), CH_REPORT_COLUMN_PERCENT);
  ch_report_add_column (report, _("Late cancellations"), CH_REPORT_COLUMN_INTEGER);
  ch_report_add_column (report, _("Late cancellation rate"), CH_REPORT_COLUMN_PERCENT);
  chart = ch_report_chart_new (CH_REPORT_CHART_GROUPED_BARS, CH_REPORT_VALUE_PERCENT,
                               _("Provider"), _("Share of appointments"));
  no_show_rates = g_new0 (double, rows->len + 1);
  late_rates = g_new0 (double, rows->len + 1);

  for (guint i = 0; i < rows->len; i++)
    {
      ChDbReportRow *row = rows->pdata[i];
      const char *label = provider_label (row->key, row->label);
      GVariant *cells[] = {
        g_variant_new_string (label),
        g_variant_new_int64 (row->values[0]),
        g_variant_new_int64 (row->values[1]),
        percent_cell (row->values[1], row->values[0]),
        g_variant_new_int64 (row->values[2]),
        percent_cell (row->values[2], row->values[0]),
      };

      ch_report_append_row (report, cells);
      ch_report_chart_add_category (chart, label);
      no_show_rates[i] = percent (row->values[1], row->values[0]);
      late_rates[i] = percent (row->values[2], row->values[0]);
      for (guint k = 0; k < 3; k++)
        total[k] += row->values[k];
    }
  ch_report_chart_add_series (chart, _("No-show rate"), no_show_rates, rows->len);
  ch_report_chart_add_series (chart, _("Late cancellation rate"), late_rates, rows->len);

  {
    GVariant *cells[] = {
      g_variant_new_string (_("Total")),
      g_variant_new_int64 (total[0]),
      g_variant_new_int64 (total[1]),
      percent_cell (total[1], total[0]),
      g_variant_new_int64 (total[2]),
      percent_cell (total[2], total[0]),
    };
    ch_report_append_row (report, cells);
  }

  ch_report_set_chart (report, g_steal_pointer (&chart));
  return g_steal_pointer (&report);
}

/* ---- new patients ---------------------------------------------------------------- */

static ChReport *
run_new_patients (const ChReportDef     *def,
                  ChStore               *reader,
                  const ChReportParams  *params,
                  ChReportProgressFunc   progress,
                  gpointer               progress_data,
                  GCancellable          *cancellable,
                  GError               **error)
{
  g_autoptr (GPtrArray) rows = NULL;
  g_autofree char *name = provider_name (reader, params);
  g_autofree char *subtitle = NULL;
  g_autoptr (ChReport) report = NULL;
  g_autoptr (ChReportChart) chart = NULL;
  g_autoptr (GArray) values = g_array_new (FALSE, TRUE, sizeof (double));
  GDate month, last;
  gint64 total = 0;

  rows = ch_db_report_new_patients (reader, ch_reports_day_start_us (params->from),
                                    ch_reports_day_end_us (params->to), params->provider, error);
  if (!check_rows (rows, cancellable, error))
    return NULL;
  if (progress != NULL)
    progress (0.8, progress_data);

  subtitle = ch_reports_subtitle (def, params, name);
  report = ch_report_new (_(def->title), subtitle);
  ch_report_add_column (report, _("Month"), CH_REPORT_COLUMN_TEXT);
  ch_report_add_column (report, _("New patients"), CH_REPORT_COLUMN_INTEGER);
  chart = ch_report_chart_new (CH_REPORT_CHART_BARS, CH_REPORT_VALUE_INTEGER,
                               _("Month"), _("New patients"));

  /* Every month of the period, those with none too. */
  g_date_clear (&month, 1);
  g_date_clear (&last, 1);
  g_date_set_parse (&month, params->from);
  g_date_set_parse (&last, params->to);
  if (g_date_valid (&month))
    g_date_set_day (&month, 1);
  for (; g_date_valid (&month) && g_date_compare (&month, &last) <= 0; g_date_add_months (&month, 1))
    {
      char key[16];
      gint64 n = 0;
      double value;

      g_snprintf (key, sizeof key, "%04u-%02u", g_date_get_year (&month), g_date_get_month (&month));
      for (guint i = 0; i < rows->len; i++)
        if (g_str_equal (((ChDbReportRow *) rows->pdata[i])->key, key))
          n = ((ChDbReportRow *) rows->pdata[i])->values[0];
      {
        GVariant *cells[] = { g_variant_new_string (key), g_variant_new_int64 (n) };
        ch_report_append_row (report, cells);
      }
      ch_report_chart_add_category (chart, key);
      value = n;
      g_array_append_val (values, value);
      total += n;
    }
  ch_report_chart_add_series (chart, _("New patients"), (double *) values->data, values->len);

  {
    GVariant *cells[] = { g_variant_new_string (_("Total")), g_variant_new_int64 (total) };
    ch_report_append_row (report, cells);
  }

  ch_report_set_chart (report, g_steal_pointer (&chart));
  return g_steal_pointer (&report);
}

const ChReportDef ch_reports_schedule_defs[] = {
  {
    .name = "appointments",
    .category = N_("Appointments"),
    .title = N_("Appointments by provider, type and status"),
    .description = N_("Appointments starting in the period, counted by their status now, "
                      "grouped by provider, appointment type or status."),
    .period = TRUE,
    .provider = TRUE,
    .names_patients = FALSE,
    .options = appointment_options,
    .run = run_appointments,
  },
  {
    .name = "utilisation",
    .category = N_("Appointments"),
    .title = N_("Provider utilisation"),
    .description = N_("Minutes booked (every appointment not cancelled, no-shows included) over "
                      "the minutes each provider works, breaks, days off and practice holidays "
                      "taken out."),
    .period = TRUE,
    .provider = TRUE,
    .names_patients = FALSE,
    .options = NULL,
    .run = run_utilisation,
  },
  {
    .name = "no-shows",
    .category = N_("Appointments"),
    .title = N_("No-shows and late cancellations"),
    .description = N_("Per provider, the appointments in the period, those the patient missed, "
                      "and those cancelled less than 24 hours before they were due, as shares of "
                      "all the appointments."),
    .period = TRUE,
    .provider = TRUE,
    .names_patients = FALSE,
    .options = NULL,
    .run = run_no_shows,
  },
  {
    .name = "new-patients",
    .category = N_("Patients"),
    .title = N_("New patients by month"),
    .description = N_("Patients whose first visit ever — the earlier of their first completed "
                      "appointment and their first encounter — falls in the period, by month; "
                      "the provider is the one who saw them first."),
    .period = TRUE,
    .provider = TRUE,
    .names_patients = FALSE,
    .options = NULL,
    .run = run_new_patients,
  },
  { NULL },
};
