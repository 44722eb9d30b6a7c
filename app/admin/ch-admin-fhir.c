/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charta-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ch-admin-fhir.h"
#include "ch-admin-input.h"
#include "ch-fhir-import.h"
#include "ch-fhir.h"
#include "ch-patients.h"

void
ch_admin_fhir_options_clear (ChAdminFhirOptions *opts)
{
  g_clear_pointer (&opts->patient, g_free);
  g_clear_pointer (&opts->out, g_free);
}

void
ch_admin_fhir_add_options (GOptionContext     *context,
                           ChAdminFhirOptions *opts)
{
  const GOptionEntry entries[] = {
    { "patient", 0, 0, G_OPTION_ARG_STRING, &opts->patient,
      N_("Export this patient as one Bundle"), N_("MRN") },
    { "all", 0, 0, G_OPTION_ARG_NONE, &opts->all,
      N_("Export every patient as NDJSON files, one a resource type"), NULL },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &opts->out,
      N_("Where to write: the Bundle's file (- for the standard output), or the folder for --all"),
      N_("FILE|DIR") },
    { "with-documents", 0, 0, G_OPTION_ARG_NONE, &opts->with_documents,
      N_("Put each document's content (and the patient's photo) in the export, in base64"),
      NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    context, _("Writes FHIR R4 JSON: with --patient, a Bundle (type collection) of the patient, "
               "their coverage, encounters, problems, allergies, medications, prescriptions, "
               "immunizations, vital signs, documents and appointments, with the practitioners "
               "and the practice; with --all, the same for every patient as bulk-data NDJSON "
               "files (Patient.ndjson, Observation.ndjson …) in DIR. Files are readable by you "
               "alone and appear only when complete. Needs read access to the chart; every "
               "patient exported is audited."));
}

gboolean
ch_admin_fhir_check_options (const ChAdminFhirOptions *opts,
                             GError                  **error)
{
  if ((opts->patient != NULL) == opts->all)
    return ch_admin_usage (error, _("Give either --patient MRN or --all"));
  if (opts->patient != NULL && *opts->patient == '\0')
    return ch_admin_usage (error, _("Give the patient's medical record number: --patient MRN"));
  if (opts->out == NULL || *opts->out == '\0')
    return ch_admin_usage (error, opts->all ? _("Give the folder to write to: --out DIR")
                                            : _("Give the file to write to: --out FILE"));
  if (opts->all && g_str_equal (opts->out, "-"))
    return ch_admin_usage (error, _("--all writes several files: give a folder, --out DIR"));
  return TRUE;
}

static gboolean
write_stdout (ChSession        *session,
              gint64            patient_id,
              ChFhirExportFlags flags,
              GError          **error)
{
  g_autoptr (JsonNode) bundle = ch_fhir_export_patient (session, patient_id, flags, error);
  g_autofree char *text = NULL;
  gsize length = 0;

  if (bundle == NULL)
    return FALSE;
  text = ch_fhir_to_string (bundle, &length);
  if (fwrite (text, 1, length, stdout) != length || fputc ('\n', stdout) == EOF
      || fflush (stdout) != 0)
    {
      g_set_error_literal (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_FAILED,
                           _("Could not write the Bundle to the standard output"));
      return FALSE;
    }
  return TRUE;
}

gboolean
ch_admin_fhir_export (ChSession                *session,
                      const ChAdminFhirOptions *opts,
                      GError                  **error)
{
  ChFhirExportFlags flags = opts->with_documents ? CH_FHIR_EXPORT_DOCUMENT_DATA
                                                 : CH_FHIR_EXPORT_DEFAULT;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (opts->patient != NULL)
    {
      g_autoptr (ChPatientRecord) patient = ch_patients_get_by_mrn (session, opts->patient, error);
      g_autofree char *display = NULL;
      guint count = 0;

      if (patient == NULL)
        return FALSE;
      if (g_str_equal (opts->out, "-"))
        return write_stdout (session, patient->id, flags, error);
      if (!ch_fhir_write_patient (session, patient->id, flags, opts->out, &count, error))
        return FALSE;
      display = g_filename_display_name (opts->out);
      g_print ("%s %u\n", display, count);
      return TRUE;
    }
  else
    {
      g_autoptr (GPtrArray) outputs = ch_fhir_export_all (session, opts->out, flags, error);

      if (outputs == NULL)
        return FALSE;
      for (guint i = 0; i < outputs->len; i++)
        {
          const ChFhirOutput *output = outputs->pdata[i];
          g_autofree char *display = g_filename_display_name (output->path);

          g_print ("%s %u\n", display, output->count);
        }
      return TRUE;
    }
}

/* ---- import ------------------------------------------------------------------ */

void
ch_admin_fhir_import_add_options (GOptionContext *context)
{
  g_option_context_set_description (
    context, _("Reads FHIR R4 JSON as “export fhir” writes it: a Bundle file, an NDJSON file, or "
               "a folder of NDJSON files (export fhir --all). Each patient is imported whole or "
               "not at all; a patient whose MRN the practice already has is skipped, so importing "
               "the same files again adds nothing. Practitioners are matched to the practice’s "
               "accounts by user name, appointments to the calendar’s providers and rooms. "
               "Documents come with their content only when the export held it "
               "(--with-documents). Needs write access to demographics and the chart (and to the "
               "schedule and prescribing for appointments and prescriptions); every patient "
               "imported is audited. Exits 1, having imported the rest, when anything was "
               "rejected."));
}

static void
print_issues (GPtrArray  *issues,
              const char *label)
{
  for (guint i = 0; i < issues->len; i++)
    {
      const ChFhirImportIssue *issue = issues->pdata[i];

      if (*issue->resource != '\0')
        g_printerr ("%s: %s: %s: %s\n", label, issue->where, issue->resource, issue->message);
      else
        g_printerr ("%s: %s: %s\n", label, issue->where, issue->message);
    }
}

gboolean
ch_admin_fhir_import (ChSession  *session,
                      const char *path,
                      GError    **error)
{
  g_auto (ChFhirImportResult) result = { 0 };

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_fhir_import_path (session, path, &result, error))
    return FALSE;

  print_issues (result.notes, _("skipped"));
  print_issues (result.rejected, _("rejected"));
  g_print (_("Imported %u patients (%u resources); %u already in the practice, skipped\n"),
           result.n_patients, result.n_resources, result.n_skipped);
  if (result.rejected->len > 0)
    {
      g_set_error (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_FAILED,
                   ngettext ("%u problem: see above; what had none was imported",
                             "%u problems: see above; what had none was imported",
                             result.rejected->len),
                   result.rejected->len);
      return FALSE;
    }
  return TRUE;
}
