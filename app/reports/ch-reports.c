/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-reports"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ch-audit.h"
#include "ch-report-db.h"
#include "ch-reports-private.h"

G_DEFINE_QUARK (ch-reports-error-quark, ch_reports_error)

#define PERIOD_GROUP  "filters"
#define OPTIONS_GROUP "options"

/* ---- the catalogue --------------------------------------------------------- */

const ChReportDef * const *
ch_reports_list (void)
{
  static gsize initialized = 0;
  static const ChReportDef **list = NULL;

  if (g_once_init_enter (&initialized))
    {
      const ChReportDef *arrays[] = {
        ch_reports_schedule_defs,
        ch_reports_patient_defs,
        ch_reports_money_defs,
        ch_reports_quality_defs,
      };
      GPtrArray *defs = g_ptr_array_new ();

      for (guint i = 0; i < G_N_ELEMENTS (arrays); i++)
        for (const ChReportDef *def = arrays[i]; def->name != NULL; def++)
          g_ptr_array_add (defs, (gpointer) def);
      g_ptr_array_add (defs, NULL);
      list = (const ChReportDef **) g_ptr_array_free (defs, FALSE);
      g_once_init_leave (&initialized, 1);
    }

  return (const ChReportDef * const *) list;
}

const ChReportDef *
ch_reports_find (const char *name)
{
  const ChReportDef * const *defs = ch_reports_list ();

  if (name == NULL)
    return NULL;
  for (guint i = 0; defs[i] != NULL; i++)
    if (g_strcmp0 (defs[i]->name, name) == 0)
      return defs[i];
  return NULL;
}

const ChReportOption *
ch_report_def_find_option (const ChReportDef *def,
                           const char        *name)
{
  g_return_val_if_fail (def != NULL, NULL);

  if (def->options == NULL || name == NULL)
    return NULL;
  for (const ChReportOption *option = def->options; option->name != NULL; option++)
    if (g_strcmp0 (option->name, name) == 0)
      return option;
  return NULL;
}

static const ChReportDef *
find_or_fail (const char  *name,
              GError     **error)
{
  const ChReportDef *def = ch_reports_find (name);

  if (def == NULL)
    g_set_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_NOT_FOUND,
                 _("There is no report “%s”"), name != NULL ? name : "");
  return def;
}

/* ---- params ------------------------------------------------------------------ */

ChReportParams *
ch_report_params_new (const char *from,
                      const char *to)
{
  ChReportParams *params = g_new0 (ChReportParams, 1);

  params->from = g_strdup (from);
  params->to = g_strdup (to);
  params->options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return params;
}

ChReportParams *
ch_report_params_copy (const ChReportParams *params)
{
  ChReportParams *copy;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (params != NULL, NULL);

  copy = ch_report_params_new (params->from, params->to);
  copy->period = g_strdup (params->period);
  copy->provider = g_strdup (params->provider);
  if (params->options != NULL)
    {
      g_hash_table_iter_init (&iter, params->options);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (copy->options, g_strdup (key), g_strdup (value));
    }
  return copy;
}

void
ch_report_params_free (ChReportParams *params)
{
  if (params == NULL)
    return;
  g_free (params->period);
  g_free (params->from);
  g_free (params->to);
  g_free (params->provider);
  g_clear_pointer (&params->options, g_hash_table_unref);
  g_free (params);
}

const char *
ch_report_params_get_option (const ChReportParams *params,
                             const char           *name)
{
  g_return_val_if_fail (params != NULL, NULL);

  if (params->options == NULL || name == NULL)
    return NULL;
  return g_hash_table_lookup (params->options, name);
}

void
ch_report_params_set_option (ChReportParams *params,
                             const char     *name,
                             const char     *value)
{
  g_return_if_fail (params != NULL);
  g_return_if_fail (name != NULL);

  if (params->options == NULL)
    params->options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (value == NULL)
    g_hash_table_remove (params->options, name);
  else
    g_hash_table_insert (params->options, g_strdup (name), g_strdup (value));
}

/* A real day written YYYY-MM-DD, nothing else. */
static gboolean
parse_date (const char *text,
            GDate      *date)
{
  guint y, m, d;

  if (text == NULL || strlen (text) != 10
      || !g_ascii_isdigit (text[0]) || !g_ascii_isdigit (text[1])
      || !g_ascii_isdigit (text[2]) || !g_ascii_isdigit (text[3]) || text[4] != '-'
      || !g_ascii_isdigit (text[5]) || !g_ascii_isdigit (text[6]) || text[7] != '-'
      || !g_ascii_isdigit (text[8]) || !g_ascii_isdigit (text[9]))
    return FALSE;
  y = atoi (text);
  m = atoi (text + 5);
  d = atoi (text + 8);
  if (y < 1 || !g_date_valid_dmy (d, m, y))
    return FALSE;
  g_date_clear (date, 1);
  g_date_set_dmy (date, d, m, y);
  return TRUE;
}

static char *
format_iso (const GDate *date)
{
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date),
                          g_date_get_month (date), g_date_get_day (date));
}

static void
set_month_span (GDate *from,
                GDate *to,
                guint  year,
                guint  month,
                guint  n_months)
{
  g_date_clear (from, 1);
  g_date_set_dmy (from, 1, month, year);
  *to = *from;
  g_date_add_months (to, n_months);
  g_date_subtract_days (to, 1);
}

gboolean
ch_report_params_resolve (ChReportParams  *params,
                          const char      *today,
                          GError         **error)
{
  GDate from, to;

  g_return_val_if_fail (params != NULL, FALSE);

  if (params->period != NULL && params->period[0] != '\0')
    {
      GDate day;
      guint year, month, quarter_month;

      if (today != NULL)
        {
          if (!parse_date (today, &day))
            {
              g_set_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID,
                           _("“%s” is not a date (YYYY-MM-DD)"), today);
              return FALSE;
            }
        }
      else
        {
          g_autoptr (GDateTime) now = g_date_time_new_now_local ();
          g_date_clear (&day, 1);
          g_date_set_dmy (&day, g_date_time_get_day_of_month (now),
                          g_date_time_get_month (now), g_date_time_get_year (now));
        }

      year = g_date_get_year (&day);
      month = g_date_get_month (&day);
      quarter_month = (month - 1) / 3 * 3 + 1;

      if (g_str_equal (params->period, "this-month"))
        set_month_span (&from, &to, year, month, 1);
      else if (g_str_equal (params->period, "last-month"))
        set_month_span (&from, &to, month == 1 ? year - 1 : year, month == 1 ? 12 : month - 1, 1);
      else if (g_str_equal (params->period, "this-quarter"))
        set_month_span (&from, &to, year, quarter_month, 3);
      else if (g_str_equal (params->period, "last-quarter"))
        set_month_span (&from, &to, quarter_month == 1 ? year - 1 : year,
                        quarter_month == 1 ? 10 : quarter_month - 3, 3);
      else if (g_str_equal (params->period, "this-year"))
        set_month_span (&from, &to, year, 1, 12);
      else if (g_str_equal (params->period, "last-year"))
        set_month_span (&from, &to, year - 1, 1, 12);
      else if (g_str_equal (params->period, "last-12-months"))
        {
          /* The twelve whole months before this one, so that a chart by
           * month has no partial month at either end. */
          set_month_span (&from, &to, year, month, 1);
          g_date_subtract_months (&from, 12);
          to = from;
          g_date_add_months (&to, 12);
          g_date_subtract_days (&to, 1);
        }
      else
        {
          g_set_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID,
                       _("Unknown period “%s”: use this-month, last-month, this-quarter, "
                         "last-quarter, this-year, last-year or last-12-months"), params->period);
          return FALSE;
        }

      g_free (params->from);
      g_free (params->to);
      params->from = format_iso (&from);
      params->to = format_iso (&to);
      return TRUE;
    }

  if (params->to == NULL || params->to[0] == '\0')
    {
      g_set_error_literal (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID,
                           _("Give a period, or the dates from and to"));
      return FALSE;
    }
  if (!parse_date (params->to, &to))
    {
      g_set_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID,
                   _("“%s” is not a date (YYYY-MM-DD)"), params->to);
      return FALSE;
    }
  /* A point-in-time report needs only the day it is as of. */
  if (params->from == NULL || params->from[0] == '\0')
    {
      g_free (params->from);
      params->from = g_strdup (params->to);
    }
  if (!parse_date (params->from, &from))
    {
      g_set_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID,
                   _("“%s” is not a date (YYYY-MM-DD)"), params->from);
      return FALSE;
    }
  if (g_date_compare (&from, &to) > 0)
    {
      g_set_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID,
                   _("The period starts (%s) after it ends (%s)"), params->from, params->to);
      return FALSE;
    }
  return TRUE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The option names, sorted, so that the same filters give the same text. */
static GPtrArray *
sorted_option_names (const ChReportParams *params)
{
  GPtrArray *names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  if (params->options != NULL)
    {
      g_hash_table_iter_init (&iter, params->options);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (names, key);
    }
  g_ptr_array_sort (names, compare_strings);
  return names;
}

char *
ch_report_params_to_string (const ChReportParams *params)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GPtrArray) names = NULL;

  g_return_val_if_fail (params != NULL, NULL);

  /* A named period is kept as its name: a saved "last month" moves on. */
  if (params->period != NULL)
    g_key_file_set_string (file, PERIOD_GROUP, "period", params->period);
  else
    {
      if (params->from != NULL)
        g_key_file_set_string (file, PERIOD_GROUP, "from", params->from);
      if (params->to != NULL)
        g_key_file_set_string (file, PERIOD_GROUP, "to", params->to);
    }
  if (params->provider != NULL)
    g_key_file_set_string (file, PERIOD_GROUP, "provider", params->provider);

  names = sorted_option_names (params);
  for (guint i = 0; i < names->len; i++)
    g_key_file_set_string (file, OPTIONS_GROUP, names->pdata[i],
                           g_hash_table_lookup (params->options, names->pdata[i]));

  return g_key_file_to_data (file, NULL, NULL);
}

ChReportParams *
ch_report_params_from_string (const char  *text,
                              GError     **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) local_error = NULL;
  g_autoptr (ChReportParams) params = NULL;
  g_auto (GStrv) keys = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  if (!g_key_file_load_from_data (file, text, -1, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID,
                   _("The saved filters cannot be read: %s"), local_error->message);
      return NULL;
    }

  params = ch_report_params_new (NULL, NULL);
  params->period = g_key_file_get_string (file, PERIOD_GROUP, "period", NULL);
  params->from = g_key_file_get_string (file, PERIOD_GROUP, "from", NULL);
  params->to = g_key_file_get_string (file, PERIOD_GROUP, "to", NULL);
  params->provider = g_key_file_get_string (file, PERIOD_GROUP, "provider", NULL);

  keys = g_key_file_get_keys (file, OPTIONS_GROUP, NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autofree char *value = g_key_file_get_string (file, OPTIONS_GROUP, keys[i], NULL);
      if (value != NULL)
        ch_report_params_set_option (params, keys[i], value);
    }

  return g_steal_pointer (&params);
}

/* ---- permission, and checking params against a report ---------------------- */

gboolean
ch_reports_check (ChSession         *session,
                  const ChReportDef *def,
                  GError           **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (def != NULL, FALSE);

  if (!ch_session_check (session, CH_AREA_REPORTS, CH_ACCESS_READ, error))
    return FALSE;
  /* Counts are for anyone who reads reports; lists of patients only for
   * those who may read who the patients are. */
  if (def->names_patients
      && !ch_session_check (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ, error))
    return FALSE;
  return TRUE;
}

static const char *
choice_label (const ChReportOption *option,
              const char           *value)
{
  for (guint i = 0; option->choices != NULL && option->choices[i] != NULL; i++)
    if (g_str_equal (option->choices[i], value))
      return option->choice_labels != NULL ? _(option->choice_labels[i]) : value;
  return NULL;
}

/* Resolves @params (a copy of the caller's) and checks them against @def:
 * known options with valid values (defaults filled in), a provider that
 * exists, a point-in-time report as of its @to. */
static gboolean
prepare_params (ChStore           *store,
                const ChReportDef *def,
                ChReportParams    *params,
                GError           **error)
{
  g_autoptr (GPtrArray) names = NULL;

  if (!ch_report_params_resolve (params, NULL, error))
    return FALSE;
  if (!def->period)
    {
      g_free (params->from);
      params->from = g_strdup (params->to);
    }

  if (params->provider != NULL && params->provider[0] == '\0')
    g_clear_pointer (&params->provider, g_free);
  if (params->provider != NULL)
    {
      g_autoptr (GError) local_error = NULL;
      g_autofree char *name = NULL;

      if (!def->provider)
        {
          g_set_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID,
                       _("The report “%s” does not take a provider"), def->name);
          return FALSE;
        }
      name = ch_db_report_provider_name (store, params->provider, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (name == NULL)
        {
          g_set_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_NOT_FOUND,
                       _("There is no provider “%s”"), params->provider);
          return FALSE;
        }
    }

  names = sorted_option_names (params);
  for (guint i = 0; i < names->len; i++)
    if (ch_report_def_find_option (def, names->pdata[i]) == NULL)
      {
        g_set_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID,
                     _("The report “%s” has no option “%s”"), def->name,
                     (const char *) names->pdata[i]);
        return FALSE;
      }

  for (const ChReportOption *option = def->options; option != NULL && option->name != NULL; option++)
    {
      const char *value = ch_report_params_get_option (params, option->name);

      if (value != NULL && value[0] == '\0')
        {
          ch_report_params_set_option (params, option->name, NULL);
          value = NULL;
        }
      if (value == NULL && option->default_value != NULL)
        {
          ch_report_params_set_option (params, option->name, option->default_value);
          value = option->default_value;
        }
      if (value == NULL)
        continue;

      switch (option->kind)
        {
        case CH_REPORT_OPTION_CHOICE:
          if (choice_label (option, value) == NULL)
            {
              g_autofree char *choices = g_strjoinv (", ", (char **) option->choices);
              g_set_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID,
                           _("“%s” is not a value of the option “%s”: use %s"),
                           value, option->name, choices);
              return FALSE;
            }
          break;

        case CH_REPORT_OPTION_APPOINTMENT_TYPE:
          {
            g_autoptr (GError) local_error = NULL;
            g_autofree char *name = NULL;
            gint64 id;
            char *end = NULL;

            id = g_ascii_strtoll (value, &end, 10);
            if (end == value || *end != '\0' || id <= 0)
              {
                g_set_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID,
                             _("“%s” is not an appointment type’s number"), value);
                return FALSE;
              }
            name = ch_db_report_appointment_type_name (store, id, &local_error);
            if (local_error != NULL)
              {
                g_propagate_error (error, g_steal_pointer (&local_error));
                return FALSE;
              }
            if (name == NULL)
              {
                g_set_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_NOT_FOUND,
                             _("There is no appointment type %s"), value);
                return FALSE;
              }
          }
          break;

        case CH_REPORT_OPTION_PAYER:
        default:
          break;
        }
    }

  return TRUE;
}

/* What the audit keeps of a run: the filters, never a patient. */
static char *
audit_detail (const ChReportParams *params)
{
  g_autoptr (GPtrArray) names = sorted_option_names (params);
  GString *detail = g_string_new (NULL);

  g_string_append_printf (detail, "run %s..%s", params->from, params->to);
  if (params->period != NULL)
    g_string_append_printf (detail, " period=%s", params->period);
  if (params->provider != NULL)
    g_string_append_printf (detail, " provider=%s", params->provider);
  for (guint i = 0; i < names->len; i++)
    g_string_append_printf (detail, " %s=%s", (const char *) names->pdata[i],
                            (const char *) g_hash_table_lookup (params->options, names->pdata[i]));
  return g_string_free (detail, FALSE);
}

/* Checks, resolves and audits: what both runners do first, on the session's
 * thread. Returns: (transfer full) (nullable): the params to run with. */
static ChReportParams *
begin_run (ChSession             *session,
           const ChReportDef     *def,
           const ChReportParams  *params,
           GError               **error)
{
  g_autoptr (ChReportParams) resolved = NULL;
  g_autofree char *detail = NULL;

  if (!ch_reports_check (session, def, error))
    return NULL;

  resolved = ch_report_params_copy (params);
  if (!prepare_params (ch_session_get_store (session), def, resolved, error))
    return NULL;

  detail = audit_detail (resolved);
  /* Reading a report is a view of the practice's records: filterable with
   * the others, and no patient in it. */
  if (!ch_session_audit (session, CH_AUDIT_VIEW, "report", def->name, 0, detail, error))
    return NULL;

  return g_steal_pointer (&resolved);
}

GPtrArray *
ch_reports_option_values (ChSession            *session,
                          const ChReportDef    *def,
                          const ChReportOption *option,
                          GError              **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (def != NULL, NULL);

  if (!ch_reports_check (session, def, error))
    return NULL;

  if (option == NULL)
    return ch_db_report_providers (ch_session_get_store (session), error);

  switch (option->kind)
    {
    case CH_REPORT_OPTION_PAYER:
      return ch_db_report_payers (ch_session_get_store (session), error);
    case CH_REPORT_OPTION_APPOINTMENT_TYPE:
      return ch_db_report_appointment_types (ch_session_get_store (session), error);
    case CH_REPORT_OPTION_CHOICE:
    default:
      {
        GPtrArray *values = g_ptr_array_new_with_free_func (g_free);

        for (guint i = 0; option->choices != NULL && option->choices[i] != NULL; i++)
          {
            g_ptr_array_add (values, g_strdup (option->choices[i]));
            g_ptr_array_add (values, g_strdup (option->choice_labels != NULL
                                               ? _(option->choice_labels[i])
                                               : option->choices[i]));
          }
        return values;
      }
    }
}

/* ---- running ----------------------------------------------------------------- */

static ChReport *
run_on_store (const ChReportDef     *def,
              ChStore               *store,
              const ChReportParams  *params,
              ChReportProgressFunc   progress,
              gpointer               progress_data,
              GCancellable          *cancellable,
              GError               **error)
{
  g_autoptr (ChReport) report = NULL;
  g_autoptr (GError) local_error = NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* A long aggregate stops within a few milliseconds of a cancel. */
  if (cancellable != NULL)
    ch_store_set_cancellable (store, cancellable);
  report = def->run (def, store, params, progress, progress_data, cancellable, &local_error);
  if (cancellable != NULL)
    ch_store_set_cancellable (store, NULL);

  if (g_cancellable_is_cancelled (cancellable))
    {
      g_clear_error (&local_error);
      g_cancellable_set_error_if_cancelled (cancellable, error);
      return NULL;
    }
  if (report == NULL)
    {
      if (local_error == NULL)
        g_set_error (&local_error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_FAILED,
                     _("The report “%s” could not be made"), def->name);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (progress != NULL)
    progress (1.0, progress_data);
  return g_steal_pointer (&report);
}

ChReport *
ch_reports_run (ChSession             *session,
                const char            *name,
                const ChReportParams  *params,
                ChReportProgressFunc   progress,
                gpointer               progress_data,
                GCancellable          *cancellable,
                GError               **error)
{
  const ChReportDef *def;
  g_autoptr (ChReportParams) resolved = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (params != NULL, NULL);

  def = find_or_fail (name, error);
  if (def == NULL)
    return NULL;
  resolved = begin_run (session, def, params, error);
  if (resolved == NULL)
    return NULL;
  return run_on_store (def, ch_session_get_store (session), resolved,
                       progress, progress_data, cancellable, error);
}

/* Where progress goes: the caller's callback on the caller's context. Shared
 * by the calls in flight, so that their data outlives the task if need be. */
typedef struct
{
  gatomicrefcount       ref;
  ChReportProgressFunc  func;
  gpointer              data;
  GDestroyNotify        data_free;
  GMainContext         *context;
} ProgressTarget;

static ProgressTarget *
progress_target_ref (ProgressTarget *target)
{
  g_atomic_ref_count_inc (&target->ref);
  return target;
}

static void
progress_target_unref (ProgressTarget *target)
{
  if (!g_atomic_ref_count_dec (&target->ref))
    return;
  if (target->data_free != NULL)
    target->data_free (target->data);
  g_main_context_unref (target->context);
  g_free (target);
}

typedef struct
{
  ProgressTarget *target;
  double          fraction;
} ProgressCall;

static gboolean
progress_dispatch (gpointer user_data)
{
  ProgressCall *call = user_data;

  call->target->func (call->fraction, call->target->data);
  return G_SOURCE_REMOVE;
}

static void
progress_call_free (gpointer user_data)
{
  ProgressCall *call = user_data;

  progress_target_unref (call->target);
  g_free (call);
}

/* On the worker: hands the fraction over to the caller's context. */
static void
worker_progress (double   fraction,
                 gpointer user_data)
{
  ProgressTarget *target = user_data;
  ProgressCall *call;

  if (target->func == NULL)
    return;
  call = g_new0 (ProgressCall, 1);
  call->target = progress_target_ref (target);
  call->fraction = fraction;
  g_main_context_invoke_full (target->context, G_PRIORITY_DEFAULT,
                              progress_dispatch, call, progress_call_free);
}

typedef struct
{
  const ChReportDef *def;
  ChReportParams    *params;
  ChStore           *reader;
  ProgressTarget    *target;
} RunData;

static void
run_data_free (RunData *data)
{
  ch_report_params_free (data->params);
  if (data->reader != NULL)
    {
      ch_store_close (data->reader);
      g_object_unref (data->reader);
    }
  progress_target_unref (data->target);
  g_free (data);
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  RunData *data = task_data;
  g_autoptr (GError) error = NULL;
  ChReport *report;

  report = run_on_store (data->def, data->reader, data->params,
                         worker_progress, data->target, cancellable, &error);

  /* The reader is this run's alone: closed here, on the thread that used it. */
  ch_store_close (data->reader);
  g_clear_object (&data->reader);

  if (report == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, report, g_object_unref);
}

void
ch_reports_run_async (ChSession             *session,
                      const char            *name,
                      const ChReportParams  *params,
                      GCancellable          *cancellable,
                      ChReportProgressFunc   progress,
                      gpointer               progress_data,
                      GDestroyNotify         progress_data_free,
                      GAsyncReadyCallback    callback,
                      gpointer               user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ChReportParams) resolved = NULL;
  const ChReportDef *def;
  ProgressTarget *target;
  RunData *data;
  ChStore *reader;

  g_return_if_fail (CH_IS_SESSION (session));
  g_return_if_fail (params != NULL);

  target = g_new0 (ProgressTarget, 1);
  g_atomic_ref_count_init (&target->ref);
  target->func = progress;
  target->data = progress_data;
  target->data_free = progress_data_free;
  target->context = g_main_context_ref_thread_default ();

  data = g_new0 (RunData, 1);
  data->target = target;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ch_reports_run_async);
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);

  def = find_or_fail (name, &error);
  if (def != NULL)
    resolved = begin_run (session, def, params, &error);
  if (resolved == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  reader = ch_store_open_reader (ch_session_get_store (session), &error);
  if (reader == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->def = def;
  data->params = g_steal_pointer (&resolved);
  data->reader = reader;
  g_task_run_in_thread (task, run_thread);
}

ChReport *
ch_reports_run_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ch_reports_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- helpers for the report modules ----------------------------------------- */

static char *
format_day (const char *iso)
{
  GDate date;
  g_autoptr (GDateTime) dt = NULL;

  if (!parse_date (iso, &date))
    return g_strdup (iso != NULL ? iso : "");
  dt = g_date_time_new_local (g_date_get_year (&date), g_date_get_month (&date),
                              g_date_get_day (&date), 12, 0, 0);
  /* TRANSLATORS: a day in a report's subtitle, g_date_time_format(): "1 March 2026" */
  return g_date_time_format (dt, _("%-d %B %Y"));
}

char *
ch_reports_subtitle (const ChReportDef    *def,
                     const ChReportParams *params,
                     const char           *provider_name)
{
  GString *text = g_string_new (NULL);
  g_autofree char *to = format_day (params->to);

  if (def->period)
    {
      g_autofree char *from = format_day (params->from);
      /* TRANSLATORS: a report's period, "1 March 2026 – 31 March 2026" */
      g_string_append_printf (text, _("%s – %s"), from, to);
    }
  else
    /* TRANSLATORS: a point-in-time report's day */
    g_string_append_printf (text, _("As of %s"), to);

  if (def->provider)
    {
      g_string_append (text, " · ");
      g_string_append (text, provider_name != NULL ? provider_name
                       : params->provider != NULL ? params->provider : _("All providers"));
    }

  for (const ChReportOption *option = def->options; option != NULL && option->name != NULL; option++)
    {
      const char *value = ch_report_params_get_option (params, option->name);
      const char *label = NULL;

      if (value == NULL)
        continue;
      if (option->kind == CH_REPORT_OPTION_CHOICE)
        label = choice_label (option, value);
      g_string_append (text, " · ");
      /* TRANSLATORS: an option and its value in a report's subtitle, "Status: no-show" */
      g_string_append_printf (text, _("%s: %s"), _(option->label), label != NULL ? label : value);
    }

  return g_string_free (text, FALSE);
}

static gint64
local_midnight_us (const char *date,
                   int         add_days)
{
  GDate day;
  g_autoptr (GDateTime) dt = NULL;

  if (!parse_date (date, &day))
    return 0;
  if (add_days > 0)
    g_date_add_days (&day, add_days);
  dt = g_date_time_new_local (g_date_get_year (&day), g_date_get_month (&day),
                              g_date_get_day (&day), 0, 0, 0);
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC;
}

gint64
ch_reports_day_start_us (const char *date)
{
  return local_midnight_us (date, 0);
}

gint64
ch_reports_day_end_us (const char *date)
{
  return local_midnight_us (date, 1);
}

/* ---- saved filters ----------------------------------------------------------- */

void
ch_report_filter_free (ChReportFilter *filter)
{
  if (filter == NULL)
    return;
  g_free (filter->report);
  g_free (filter->name);
  ch_report_params_free (filter->params);
  g_free (filter);
}

static ChReportFilter *
filter_from_db (ChDbReportFilter  *row,
                GError           **error)
{
  g_autoptr (ChReportFilter) filter = g_new0 (ChReportFilter, 1);

  filter->params = ch_report_params_from_string (row->params, error);
  if (filter->params == NULL)
    return NULL;
  filter->report = g_strdup (row->report);
  filter->name = g_strdup (row->name);
  filter->saved_at = row->saved_at;
  return g_steal_pointer (&filter);
}

static gboolean
check_filter_name (const char  *name,
                   GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (name != NULL ? name : ""));

  if (stripped[0] == '\0' || !g_utf8_validate (name, -1, NULL) || strlen (name) > 200)
    {
      g_set_error_literal (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID,
                           _("A saved filter needs a name"));
      return FALSE;
    }
  return TRUE;
}

gboolean
ch_reports_filter_save (ChSession            *session,
                        const char           *report,
                        const char           *name,
                        const ChReportParams *params,
                        GError              **error)
{
  ChStore *store;
  const ChReportDef *def;
  g_autoptr (ChReportParams) checked = NULL;
  g_autofree char *text = NULL;
  gboolean ok;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  def = find_or_fail (report, error);
  if (def == NULL || !ch_reports_check (session, def, error) || !check_filter_name (name, error))
    return FALSE;

  /* Refuse now what would fail at every run later; keep what was given,
   * not the resolved dates, so that a period stays a period. */
  store = ch_session_get_store (session);
  checked = ch_report_params_copy (params);
  if (!prepare_params (store, def, checked, error))
    return FALSE;

  text = ch_report_params_to_string (params);
  if (!ch_store_begin (store, error))
    return FALSE;
  ok = ch_db_report_filter_save (store, ch_session_get_username (session), def->name, name, text,
                                 g_get_real_time (), error)
       && ch_session_audit (session, CH_AUDIT_CREATE, "report-filter", def->name, 0, name, error);
  return ch_store_commit_or_rollback (store, ok, error);
}

GPtrArray *
ch_reports_filter_list (ChSession   *session,
                        const char  *report,
                        GError     **error)
{
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GPtrArray) filters = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_REPORTS, CH_ACCESS_READ, error))
    return NULL;
  if (report != NULL && find_or_fail (report, error) == NULL)
    return NULL;

  rows = ch_db_report_filter_list (ch_session_get_store (session),
                                   ch_session_get_username (session), report, error);
  if (rows == NULL)
    return NULL;

  filters = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_report_filter_free);
  for (guint i = 0; i < rows->len; i++)
    {
      ChReportFilter *filter = filter_from_db (rows->pdata[i], error);
      if (filter == NULL)
        return NULL;
      g_ptr_array_add (filters, filter);
    }
  return g_steal_pointer (&filters);
}

ChReportFilter *
ch_reports_filter_get (ChSession   *session,
                       const char  *report,
                       const char  *name,
                       GError     **error)
{
  g_autoptr (ChDbReportFilter) row = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_REPORTS, CH_ACCESS_READ, error))
    return NULL;

  row = ch_db_report_filter_get (ch_session_get_store (session), ch_session_get_username (session),
                                 report, name, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (row == NULL)
    {
      g_set_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_NOT_FOUND,
                   _("There is no saved filter “%s” for the report “%s”"),
                   name != NULL ? name : "", report != NULL ? report : "");
      return NULL;
    }
  return filter_from_db (row, error);
}

gboolean
ch_reports_filter_delete (ChSession   *session,
                          const char  *report,
                          const char  *name,
                          GError     **error)
{
  ChStore *store;
  gboolean found = FALSE;
  gboolean ok;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_REPORTS, CH_ACCESS_READ, error))
    return FALSE;

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;
  ok = ch_db_report_filter_delete (store, ch_session_get_username (session), report, name,
                                   &found, error);
  if (ok && !found)
    {
      g_set_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_NOT_FOUND,
                   _("There is no saved filter “%s” for the report “%s”"),
                   name != NULL ? name : "", report != NULL ? report : "");
      ok = FALSE;
    }
  ok = ok && ch_session_audit (session, CH_AUDIT_DELETE, "report-filter",
                               report != NULL ? report : "", 0, name, error);
  return ch_store_commit_or_rollback (store, ok, error);
}
