/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charta-admin"

#include "config.h"

#include <glib/gi18n.h>

#include <json-glib/json-glib.h>
#include <string.h>

#include "ch-admin-input.h"
#include "ch-admin-json.h"
#include "ch-admin-output.h"
#include "ch-admin-report.h"
#include "ch-report-export.h"
#include "ch-reports.h"

/* Tables for people, JSON for scripts, as in ch-admin-billing.c. A report
 * goes to a CSV or PDF file through ch-report-export, or, with no --out, to
 * the terminal as a table. Bad dates, periods, options and unknown reports
 * are bad usage (exit 2); a provider or saved filter that does not exist, a
 * refusal or a failure exit 1. */

void
ch_admin_report_options_clear (ChAdminReportOptions *opts)
{
  g_clear_pointer (&opts->from, g_free);
  g_clear_pointer (&opts->to, g_free);
  g_clear_pointer (&opts->period, g_free);
  g_clear_pointer (&opts->provider, g_free);
  g_clear_pointer (&opts->options, g_strfreev);
  g_clear_pointer (&opts->filter, g_free);
  g_clear_pointer (&opts->format, g_free);
  g_clear_pointer (&opts->out, g_free);
  g_clear_pointer (&opts->report, g_free);
}

void
ch_admin_report_arity (ChAdminReportCommand  command,
                       guint                *out_min,
                       guint                *out_max)
{
  switch (command)
    {
    case CH_ADMIN_REPORT_RUN:
      *out_min = *out_max = 1;
      break;
    case CH_ADMIN_REPORT_FILTERS_SAVE:
    case CH_ADMIN_REPORT_FILTERS_DELETE:
      *out_min = *out_max = 2;
      break;
    case CH_ADMIN_REPORT_LIST:
    case CH_ADMIN_REPORT_FILTERS_LIST:
    default:
      *out_min = *out_max = 0;
      break;
    }
}

gboolean
ch_admin_report_needs_login (ChAdminReportCommand command)
{
  return command != CH_ADMIN_REPORT_LIST;
}

void
ch_admin_report_add_options (GOptionContext        *context,
                             ChAdminReportCommand   command,
                             ChAdminReportOptions  *opts)
{
  const GOptionEntry filter_entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &opts->from,
      N_("The first day of the period (YYYY-MM-DD)"), N_("DATE") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &opts->to,
      N_("The last day of the period, or the day a point-in-time report is as of (YYYY-MM-DD)"),
      N_("DATE") },
    { "period", 0, 0, G_OPTION_ARG_STRING, &opts->period,
      N_("this-month, last-month, this-quarter, last-quarter, this-year, last-year or "
         "last-12-months, counted from today"), N_("PERIOD") },
    { "provider", 0, 0, G_OPTION_ARG_STRING, &opts->provider,
      N_("Only this provider (the schedule's provider id)"), N_("ID") },
    { "option", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opts->options,
      N_("One of the report's own filters, as “report list” shows them; repeat for more"),
      N_("NAME=VALUE") },
    { NULL }
  };
  const GOptionEntry run_entries[] = {
    { "filter", 0, 0, G_OPTION_ARG_STRING, &opts->filter,
      N_("Start from this saved filter; the other options change it"), N_("NAME") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &opts->format,
      N_("csv or pdf (default: from the file name)"), N_("FORMAT") },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &opts->out,
      N_("Write the report to FILE (default: print it as a table)"), N_("FILE") },
    { NULL }
  };
  const GOptionEntry json_entry[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &opts->json, N_("Write JSON instead of a table"), NULL },
    { NULL }
  };
  const GOptionEntry report_entry[] = {
    { "report", 0, 0, G_OPTION_ARG_STRING, &opts->report, N_("Only this report’s"), N_("NAME") },
    { NULL }
  };
  const char *description = NULL;

  switch (command)
    {
    case CH_ADMIN_REPORT_LIST:
      g_option_context_add_main_entries (context, json_entry, GETTEXT_PACKAGE);
      description = _("Lists the reports: each one’s name, category and title, and the filters "
                      "it takes.");
      break;
    case CH_ADMIN_REPORT_RUN:
      g_option_context_add_main_entries (context, filter_entries, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, run_entries, GETTEXT_PACKAGE);
      description = _("Runs a report over a period (--from and --to, or --period) and writes it "
                      "as CSV or PDF, or prints it. A point-in-time report needs only --to. "
                      "Needs read access to reports; audited.");
      break;
    case CH_ADMIN_REPORT_FILTERS_SAVE:
      g_option_context_add_main_entries (context, filter_entries, GETTEXT_PACKAGE);
      description = _("Saves the filters given under a name, for one report and this user. "
                      "Saving a name again replaces it; a --period stays a period.");
      break;
    case CH_ADMIN_REPORT_FILTERS_LIST:
      g_option_context_add_main_entries (context, report_entry, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, json_entry, GETTEXT_PACKAGE);
      description = _("Lists this user’s saved filters.");
      break;
    case CH_ADMIN_REPORT_FILTERS_DELETE:
    default:
      description = _("Deletes one of this user’s saved filters.");
      break;
    }

  g_option_context_set_description (context, description);
}

static gboolean
usage (GError    **error,
       const char *format,
       ...) G_GNUC_PRINTF (2, 3);

static gboolean
usage (GError    **error,
       const char *format,
       ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (CH_ADMIN_ERROR, CH_ADMIN_ERROR_USAGE, format, args));
  va_end (args);
  return FALSE;
}

static const char *
output_format (const ChAdminReportOptions *opts)
{
  if (opts->format != NULL)
    return opts->format;
  if (opts->out != NULL && g_str_has_suffix (opts->out, ".csv"))
    return "csv";
  if (opts->out != NULL && g_str_has_suffix (opts->out, ".pdf"))
    return "pdf";
  return NULL;
}

/* Params from the options: a saved filter's (if any) with the options
 * given laid over it. */
static gboolean
apply_options (ChReportParams              *params,
               const ChAdminReportOptions  *opts,
               GError                     **error)
{
  if (opts->period != NULL)
    {
      g_free (params->period);
      params->period = g_strdup (opts->period);
    }
  if (opts->from != NULL || opts->to != NULL)
    {
      g_clear_pointer (&params->period, g_free);
      if (opts->period != NULL)
        return usage (error, _("Give either --period or --from and --to, not both"));
      g_free (params->from);
      g_free (params->to);
      params->from = g_strdup (opts->from);
      params->to = g_strdup (opts->to);
    }
  if (opts->provider != NULL)
    {
      g_free (params->provider);
      params->provider = opts->provider[0] != '\0' ? g_strdup (opts->provider) : NULL;
    }
  for (guint i = 0; opts->options != NULL && opts->options[i] != NULL; i++)
    {
      const char *eq = strchr (opts->options[i], '=');
      g_autofree char *name = NULL;

      if (eq == NULL || eq == opts->options[i])
        return usage (error, _("“%s” is not NAME=VALUE"), opts->options[i]);
      name = g_strndup (opts->options[i], eq - opts->options[i]);
      ch_report_params_set_option (params, name, eq[1] != '\0' ? eq + 1 : NULL);
    }
  return TRUE;
}

gboolean
ch_admin_report_check (ChAdminReportCommand         command,
                       const ChAdminReportOptions  *opts,
                       const char * const          *args,
                       GError                     **error)
{
  const char *format;

  if (command == CH_ADMIN_REPORT_RUN || command == CH_ADMIN_REPORT_FILTERS_SAVE)
    {
      const char *name = args[0];
      g_autoptr (ChReportParams) params = ch_report_params_new (NULL, NULL);

      if (ch_reports_find (name) == NULL)
        return usage (error, _("There is no report “%s” (see “report list”)"), name);
      if (!apply_options (params, opts, error))
        return FALSE;
      /* With a saved filter the dates may come from it; else they must be here. */
      if (opts->filter == NULL || opts->period != NULL || opts->from != NULL || opts->to != NULL)
        {
          g_autoptr (GError) local_error = NULL;

          if (opts->filter == NULL && opts->period == NULL && opts->to == NULL)
            return usage (error, _("Give --from and --to, or --period"));
          if (!ch_report_params_resolve (params, NULL, &local_error))
            return usage (error, "%s", local_error->message);
        }
    }

  if (command == CH_ADMIN_REPORT_RUN)
    {
      format = output_format (opts);
      if (opts->format != NULL && g_strcmp0 (format, "csv") != 0 && g_strcmp0 (format, "pdf") != 0)
        return usage (error, _("Unknown format “%s”: use csv or pdf"), opts->format);
      if (opts->out != NULL && format == NULL)
        return usage (error, _("Give --format csv or pdf for “%s”"), opts->out);
      if (opts->format != NULL && opts->out == NULL)
        return usage (error, _("--format needs --out FILE"));
    }

  if (command == CH_ADMIN_REPORT_FILTERS_DELETE && ch_reports_find (args[0]) == NULL)
    return usage (error, _("There is no report “%s” (see “report list”)"), args[0]);
  if (command == CH_ADMIN_REPORT_FILTERS_LIST && opts->report != NULL
      && ch_reports_find (opts->report) == NULL)
    return usage (error, _("There is no report “%s” (see “report list”)"), opts->report);

  return TRUE;
}

/* ---- report list ----------------------------------------------------------------- */

static const char *
option_kind_name (ChReportOptionKind kind)
{
  switch (kind)
    {
    case CH_REPORT_OPTION_PAYER:
      return "payer";
    case CH_REPORT_OPTION_APPOINTMENT_TYPE:
      return "appointment-type";
    case CH_REPORT_OPTION_CHOICE:
    default:
      return "choice";
    }
}

/* "from–to, provider, group=provider|type|status, type=TYPE" */
static char *
filters_summary (const ChReportDef *def)
{
  GString *text = g_string_new (def->period ? "from-to" : "as-of");

  if (def->provider)
    g_string_append (text, ", provider");
  for (const ChReportOption *option = def->options; option != NULL && option->name != NULL; option++)
    {
      g_string_append_printf (text, ", %s=", option->name);
      if (option->kind == CH_REPORT_OPTION_CHOICE && option->choices != NULL)
        {
          g_autofree char *choices = g_strjoinv ("|", (char **) option->choices);
          g_string_append (text, choices);
        }
      else
        g_string_append (text, option->kind == CH_REPORT_OPTION_PAYER ? "PAYER" : "TYPE-ID");
    }
  return g_string_free (text, FALSE);
}

static gboolean
run_list (const ChAdminReportOptions *opts)
{
  const ChReportDef * const *defs = ch_reports_list ();

  if (opts->json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; defs[i] != NULL; i++)
        {
          const ChReportDef *def = defs[i];

          json_builder_begin_object (builder);
          ch_admin_json_add_string (builder, "name", def->name);
          ch_admin_json_add_string (builder, "category", _(def->category));
          ch_admin_json_add_string (builder, "title", _(def->title));
          ch_admin_json_add_string (builder, "description", _(def->description));
          json_builder_set_member_name (builder, "period");
          json_builder_add_boolean_value (builder, def->period);
          json_builder_set_member_name (builder, "provider");
          json_builder_add_boolean_value (builder, def->provider);
          json_builder_set_member_name (builder, "names_patients");
          json_builder_add_boolean_value (builder, def->names_patients);
          json_builder_set_member_name (builder, "options");
          json_builder_begin_array (builder);
          for (const ChReportOption *option = def->options; option != NULL && option->name != NULL; option++)
            {
              json_builder_begin_object (builder);
              ch_admin_json_add_string (builder, "name", option->name);
              ch_admin_json_add_string (builder, "label", _(option->label));
              ch_admin_json_add_string (builder, "kind", option_kind_name (option->kind));
              json_builder_set_member_name (builder, "choices");
              if (option->choices != NULL)
                {
                  json_builder_begin_array (builder);
                  for (guint c = 0; option->choices[c] != NULL; c++)
                    json_builder_add_string_value (builder, option->choices[c]);
                  json_builder_end_array (builder);
                }
              else
                json_builder_add_null_value (builder);
              ch_admin_json_add_string (builder, "default", option->default_value);
              json_builder_end_object (builder);
            }
          json_builder_end_array (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      ch_admin_print_json (builder);
      return TRUE;
    }
  else
    {
      g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

      g_ptr_array_add (rows, g_strdupv ((char *[]) { _("Name"), _("Category"), _("Title"),
                                                     _("Filters"), NULL }));
      for (guint i = 0; defs[i] != NULL; i++)
        {
          char **row = g_new0 (char *, 5);

          row[0] = g_strdup (defs[i]->name);
          row[1] = g_strdup (_(defs[i]->category));
          row[2] = g_strdup (_(defs[i]->title));
          row[3] = filters_summary (defs[i]);
          g_ptr_array_add (rows, row);
        }
      ch_admin_print_table (rows, 4);
      return TRUE;
    }
}

/* ---- report run ------------------------------------------------------------------ */

static gboolean
invalid_is_usage (GError **error)
{
  /* A bad date or option is the command line's fault: exit 2. */
  if (error != NULL && g_error_matches (*error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID))
    {
      GError *usage_error = g_error_new_literal (CH_ADMIN_ERROR, CH_ADMIN_ERROR_USAGE, (*error)->message);

      g_clear_error (error);
      g_propagate_error (error, usage_error);
    }
  return FALSE;
}

static gboolean
run_report (ChSession                   *session,
            const ChAdminReportOptions  *opts,
            const char                  *name,
            GError                     **error)
{
  g_autoptr (ChReportParams) params = NULL;
  g_autoptr (ChReport) report = NULL;
  const char *format = output_format (opts);

  if (opts->filter != NULL)
    {
      g_autoptr (ChReportFilter) filter = ch_reports_filter_get (session, name, opts->filter, error);
      if (filter == NULL)
        return FALSE;
      params = ch_report_params_copy (filter->params);
    }
  else
    params = ch_report_params_new (NULL, NULL);
  if (!apply_options (params, opts, error))
    return FALSE;

  report = ch_reports_run (session, name, params, NULL, NULL, NULL, error);
  if (report == NULL)
    return invalid_is_usage (error);

  if (opts->out != NULL)
    {
      gboolean ok = g_str_equal (format, "pdf")
        ? ch_report_export_pdf (report, opts->out, NULL, NULL, NULL, NULL, error)
        : ch_report_export_csv (report, opts->out, CH_REPORT_CSV_NONE, NULL, NULL, NULL, error);
      if (!ok)
        return FALSE;
      g_print (_("Wrote “%s” to %s\n"), ch_report_get_title (report), opts->out);
      return TRUE;
    }
  else
    {
      g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
      guint n_columns = ch_report_get_n_columns (report);
      char **header = g_new0 (char *, n_columns + 1);

      for (guint c = 0; c < n_columns; c++)
        header[c] = g_strdup (ch_report_get_column_name (report, c));
      g_ptr_array_add (rows, header);
      for (guint r = 0; r < ch_report_get_n_rows (report); r++)
        {
          char **row = g_new0 (char *, n_columns + 1);
          for (guint c = 0; c < n_columns; c++)
            row[c] = ch_report_format_cell (report, r, c);
          g_ptr_array_add (rows, row);
        }
      g_print ("%s\n%s\n\n", ch_report_get_title (report), ch_report_get_subtitle (report));
      ch_admin_print_table (rows, n_columns);
      return TRUE;
    }
}

/* ---- saved filters ------------------------------------------------------------- */

static void
add_params_json (JsonBuilder          *builder,
                 const ChReportParams *params)
{
  g_autoptr (GList) keys = NULL;

  ch_admin_json_add_string (builder, "period", params->period);
  ch_admin_json_add_string (builder, "from", params->period == NULL ? params->from : NULL);
  ch_admin_json_add_string (builder, "to", params->period == NULL ? params->to : NULL);
  ch_admin_json_add_string (builder, "provider", params->provider);
  json_builder_set_member_name (builder, "options");
  json_builder_begin_object (builder);
  keys = g_list_sort (g_hash_table_get_keys (params->options), (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      json_builder_set_member_name (builder, l->data);
      json_builder_add_string_value (builder, g_hash_table_lookup (params->options, l->data));
    }
  json_builder_end_object (builder);
}

static char *
params_summary (const ChReportParams *params)
{
  GString *text = g_string_new (NULL);
  g_autoptr (GList) keys = NULL;

  if (params->period != NULL)
    g_string_append_printf (text, "period=%s", params->period);
  else
    g_string_append_printf (text, "%s..%s", params->from != NULL ? params->from : "",
                            params->to != NULL ? params->to : "");
  if (params->provider != NULL)
    g_string_append_printf (text, " provider=%s", params->provider);
  keys = g_list_sort (g_hash_table_get_keys (params->options), (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l != NULL; l = l->next)
    g_string_append_printf (text, " %s=%s", (const char *) l->data,
                            (const char *) g_hash_table_lookup (params->options, l->data));
  return g_string_free (text, FALSE);
}

static gboolean
run_filters_list (ChSession                   *session,
                  const ChAdminReportOptions  *opts,
                  GError                     **error)
{
  g_autoptr (GPtrArray) filters = ch_reports_filter_list (session, opts->report, error);

  if (filters == NULL)
    return FALSE;

  if (opts->json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < filters->len; i++)
        {
          ChReportFilter *filter = filters->pdata[i];

          json_builder_begin_object (builder);
          ch_admin_json_add_string (builder, "report", filter->report);
          ch_admin_json_add_string (builder, "name", filter->name);
          ch_admin_json_add_time (builder, "saved_at", filter->saved_at);
          add_params_json (builder, filter->params);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      ch_admin_print_json (builder);
    }
  else
    {
      g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

      g_ptr_array_add (rows, g_strdupv ((char *[]) { _("Report"), _("Name"), _("Filters"), NULL }));
      for (guint i = 0; i < filters->len; i++)
        {
          ChReportFilter *filter = filters->pdata[i];
          char **row = g_new0 (char *, 4);

          row[0] = g_strdup (filter->report);
          row[1] = g_strdup (filter->name);
          row[2] = params_summary (filter->params);
          g_ptr_array_add (rows, row);
        }
      ch_admin_print_table (rows, 3);
    }
  return TRUE;
}

gboolean
ch_admin_report_run (ChSession                   *session,
                     ChAdminReportCommand         command,
                     const ChAdminReportOptions  *opts,
                     const char * const          *args,
                     GError                     **error)
{
  switch (command)
    {
    case CH_ADMIN_REPORT_LIST:
      return run_list (opts);

    case CH_ADMIN_REPORT_RUN:
      return run_report (session, opts, args[0], error);

    case CH_ADMIN_REPORT_FILTERS_SAVE:
      {
        g_autoptr (ChReportParams) params = ch_report_params_new (NULL, NULL);

        if (!apply_options (params, opts, error))
          return FALSE;
        if (!ch_reports_filter_save (session, args[0], args[1], params, error))
          return invalid_is_usage (error);
        g_print (_("Saved the filter “%s” for the report “%s”\n"), args[1], args[0]);
        return TRUE;
      }

    case CH_ADMIN_REPORT_FILTERS_LIST:
      return run_filters_list (session, opts, error);

    case CH_ADMIN_REPORT_FILTERS_DELETE:
    default:
      if (!ch_reports_filter_delete (session, args[0], args[1], error))
        return FALSE;
      g_print (_("Deleted the filter “%s” of the report “%s”\n"), args[1], args[0]);
      return TRUE;
    }
}
