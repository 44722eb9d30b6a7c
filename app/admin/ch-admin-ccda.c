/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charta-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ch-admin-ccda.h"
#include "ch-admin-input.h"
#include "ch-ccda.h"
#include "ch-patients.h"

void
ch_admin_ccda_options_clear (ChAdminCcdaOptions *opts)
{
  g_clear_pointer (&opts->patient, g_free);
  g_clear_pointer (&opts->out, g_free);
}

void
ch_admin_ccda_add_options (GOptionContext     *context,
                           ChAdminCcdaOptions *opts)
{
  const GOptionEntry entries[] = {
    { "patient", 0, 0, G_OPTION_ARG_STRING, &opts->patient,
      N_("The patient's medical record number"), N_("MRN") },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &opts->out,
      N_("The file to write the document to (- for the standard output)"), N_("FILE") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    context, _("Writes the patient's Continuity of Care Document (C-CDA R2.1 CCD, XML valid "
               "against the CDA R2 schema): allergies, medications, problems (ICD-10-CM), "
               "immunizations (CVX), vital signs (LOINC, UCUM), results and encounters, each "
               "section with a narrative table and coded entries. The file is readable by you "
               "alone and appears only when complete. Needs read access to the chart; every "
               "export is audited."));
}

gboolean
ch_admin_ccda_check_options (const ChAdminCcdaOptions *opts,
                             GError                  **error)
{
  if (opts->patient == NULL || *opts->patient == '\0')
    return ch_admin_usage (error, _("Give the patient's medical record number: --patient MRN"));
  if (opts->out == NULL || *opts->out == '\0')
    return ch_admin_usage (error, _("Give the file to write to: --out FILE"));
  return TRUE;
}

static gboolean
write_stdout (ChSession *session,
              gint64     patient_id,
              GError   **error)
{
  gsize length = 0;
  g_autofree char *xml = ch_ccda_export_patient (session, patient_id, &length, NULL, error);

  if (xml == NULL)
    return FALSE;
  if (fwrite (xml, 1, length, stdout) != length || fflush (stdout) != 0)
    {
      g_set_error_literal (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_FAILED,
                           _("Could not write the document to the standard output"));
      return FALSE;
    }
  return TRUE;
}

gboolean
ch_admin_ccda_export (ChSession                *session,
                      const ChAdminCcdaOptions *opts,
                      GError                  **error)
{
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autofree char *display = NULL;
  guint entries = 0;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  patient = ch_patients_get_by_mrn (session, opts->patient, error);
  if (patient == NULL)
    return FALSE;
  if (g_str_equal (opts->out, "-"))
    return write_stdout (session, patient->id, error);
  if (!ch_ccda_write_patient (session, patient->id, opts->out, &entries, error))
    return FALSE;
  display = g_filename_display_name (opts->out);
  g_print ("%s %u\n", display, entries);
  return TRUE;
}
