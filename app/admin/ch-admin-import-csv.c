/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charta-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>

#include "ch-admin-import-csv.h"
#include "ch-admin-input.h"
#include "ch-admin-output.h"
#include "ch-csv-import.h"

void
ch_admin_import_csv_options_clear (ChAdminImportCsvOptions *opts)
{
  g_clear_pointer (&opts->mapping, g_free);
}

void
ch_admin_import_csv_add_options (GOptionContext          *context,
                                 ChAdminImportCsvOptions *opts)
{
  const GOptionEntry entries[] = {
    { "mapping", 'm', 0, G_OPTION_ARG_FILENAME, &opts->mapping,
      N_("The mapping file: which file and column each field comes from"), N_("FILE") },
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &opts->dry_run,
      N_("Check everything and report what would be imported; write nothing"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &opts->json,
      N_("Write one JSON object at the end instead of text"), NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    context, _("Imports another EHR's CSV exports from DIR: patients, insurance, problems, "
               "medications, allergies, immunizations, appointments and opening balances, in "
               "that order, as the mapping file says. The mapping is a .ini file: [source] with "
               "name= (the old system's name), encoding= and date-formats= (strftime "
               "patterns); then a group a section, [patients] … [balances], with file=, key= "
               "(patients: the old system's patient key column), patient= (the others: the "
               "column with that key), code-system= and FIELD=Column lines; and groups "
               "[SECTION.FIELD] of OldValue=ChartaValue lines (the fields, and a full example, "
               "are in Charta's sources: app/interop/ch-csv-import.h, "
               "tests/data/migration/mapping.ini). "
               "Everything is read and checked before anything is written. Each row is "
               "imported whole or not at all, with the audit entries the window writes; a row "
               "imported before is skipped, so the import can be run again after fixing the "
               "rows it rejected. A line a section: what was imported, skipped and rejected, "
               "then each rejected row as FILE:LINE: reason. The exit status is 1 when a row "
               "was rejected (the others are imported) and when nothing could be imported at "
               "all. Needs write access to the demographics, the clinical record and the "
               "schedule, as the sections mapped need them (a physician)."));
}

gboolean
ch_admin_import_csv_check (const ChAdminImportCsvOptions *opts,
                           const char                    *dir,
                           GError                       **error)
{
  if (opts->mapping == NULL || *opts->mapping == '\0')
    {
      g_set_error_literal (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_USAGE,
                           _("Give the mapping file: --mapping FILE"));
      return FALSE;
    }
  if (dir == NULL || *dir == '\0')
    {
      g_set_error_literal (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_USAGE,
                           _("Give the folder with the CSV files"));
      return FALSE;
    }
  return TRUE;
}

static void
print_section (const ChCsvImportReport  *report,
               const ChCsvSectionResult *section,
               gpointer                  user_data)
{
  if (report->dry_run)
    /* Translators: a section of the import ("patients"), then the counts */
    g_print (_("%s: %u would be imported, %u skipped (already imported), %u rejected\n"),
             section->section, section->imported, section->skipped, section->rejected);
  else
    g_print (_("%s: %u imported, %u skipped (already imported), %u rejected\n"),
             section->section, section->imported, section->skipped, section->rejected);

  for (guint i = 0; i < report->rejects->len; i++)
    {
      const ChCsvReject *reject = report->rejects->pdata[i];

      if (g_str_equal (reject->section, section->section))
        g_print ("  %s:%u: %s\n", reject->file, reject->line, reject->reason);
    }
  fflush (stdout);
}

static char *
report_json (const ChCsvImportReport *report)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, report->source);
  json_builder_set_member_name (builder, "dry_run");
  json_builder_add_boolean_value (builder, report->dry_run);
  json_builder_set_member_name (builder, "sections");
  json_builder_begin_array (builder);
  for (guint i = 0; i < report->sections->len; i++)
    {
      const ChCsvSectionResult *s = &g_array_index (report->sections, ChCsvSectionResult, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "section");
      json_builder_add_string_value (builder, s->section);
      json_builder_set_member_name (builder, "file");
      json_builder_add_string_value (builder, s->file);
      json_builder_set_member_name (builder, "imported");
      json_builder_add_int_value (builder, s->imported);
      json_builder_set_member_name (builder, "skipped");
      json_builder_add_int_value (builder, s->skipped);
      json_builder_set_member_name (builder, "rejected");
      json_builder_add_int_value (builder, s->rejected);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "rejected");
  json_builder_begin_array (builder);
  for (guint i = 0; i < report->rejects->len; i++)
    {
      const ChCsvReject *r = report->rejects->pdata[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "section");
      json_builder_add_string_value (builder, r->section);
      json_builder_set_member_name (builder, "file");
      json_builder_add_string_value (builder, r->file);
      json_builder_set_member_name (builder, "line");
      json_builder_add_int_value (builder, r->line);
      json_builder_set_member_name (builder, "reason");
      json_builder_add_string_value (builder, r->reason);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return ch_admin_json_text (builder);
}

gboolean
ch_admin_import_csv_run (ChSession                     *session,
                         const ChAdminImportCsvOptions *opts,
                         const char                    *dir,
                         GError                       **error)
{
  g_autoptr (ChCsvImportReport) report = NULL;
  guint rejected;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  report = ch_csv_import (session, opts->mapping, dir, opts->dry_run,
                          opts->json ? NULL : print_section, NULL, error);
  if (report == NULL)
    return FALSE;

  if (opts->json)
    {
      g_autofree char *text = report_json (report);

      g_print ("%s\n", text);
    }
  else if (opts->dry_run)
    g_print (_("Dry run: nothing was written.\n"));

  rejected = report->rejects->len;
  if (rejected > 0)
    {
      /* The rows are listed, as text or in the JSON: the exit status says
       * that the import is not complete yet. */
      if (report->dry_run)
        g_set_error (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_FAILED,
                     g_dngettext (GETTEXT_PACKAGE, "%u row would be rejected",
                                  "%u rows would be rejected", rejected),
                     rejected);
      else
        g_set_error (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_FAILED,
                     g_dngettext (GETTEXT_PACKAGE, "%u row was rejected; the others were imported",
                                  "%u rows were rejected; the others were imported", rejected),
                     rejected);
      return FALSE;
    }
  return TRUE;
}
