/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charta-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "ch-admin-ccda-import.h"
#include "ch-admin-input.h"
#include "ch-admin-json.h"
#include "ch-admin-output.h"
#include "ch-ccda-import.h"
#include "ch-patients.h"

/* Tables for people, JSON for scripts: every JSON key is always there,
 * null when there is nothing. */

void
ch_admin_ccda_import_options_clear (ChAdminCcdaImportOptions *opts)
{
  g_clear_pointer (&opts->patient, g_free);
  g_clear_pointer (&opts->reason, g_free);
}

void
ch_admin_ccda_import_arity (ChAdminCcdaImportCommand  command,
                            guint                    *out_min,
                            guint                    *out_max)
{
  switch (command)
    {
    case CH_ADMIN_CCDA_IMPORT:
      *out_min = *out_max = 1;
      break;
    case CH_ADMIN_RECONCILE_ACCEPT:
    case CH_ADMIN_RECONCILE_DECLINE:
      *out_min = 1;
      *out_max = G_MAXUINT;
      break;
    case CH_ADMIN_RECONCILE_LIST:
    default:
      *out_min = *out_max = 0;
      break;
    }
}

void
ch_admin_ccda_import_add_options (GOptionContext           *context,
                                  ChAdminCcdaImportCommand  command,
                                  ChAdminCcdaImportOptions *opts)
{
  const GOptionEntry patient_entry[] = {
    { "patient", 0, 0, G_OPTION_ARG_STRING, &opts->patient,
      N_("The patient's medical record number"), N_("MRN") },
    { NULL }
  };
  const GOptionEntry import_entries[] = {
    { "force", 0, 0, G_OPTION_ARG_NONE, &opts->force,
      N_("Import although the document's patient has another family name or birth date"), NULL },
    { NULL }
  };
  const GOptionEntry list_entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &opts->json, N_("Write a JSON array instead of a table"),
      NULL },
    { "pending", 0, 0, G_OPTION_ARG_NONE, &opts->pending,
      N_("List only the items still to be decided"), NULL },
    { NULL }
  };
  const GOptionEntry decline_entries[] = {
    { "reason", 0, 0, G_OPTION_ARG_STRING, &opts->reason,
      N_("Why the items are declined (required)"), N_("TEXT") },
    { NULL }
  };
  const char *description = NULL;

  g_option_context_add_main_entries (context, patient_entry, GETTEXT_PACKAGE);
  switch (command)
    {
    case CH_ADMIN_CCDA_IMPORT:
      g_option_context_add_main_entries (context, import_entries, GETTEXT_PACKAGE);
      description = _("Reads a Continuity of Care Document (C-CDA CCD, XML) from FILE and stages "
                      "its problems, allergies and medications for reconciliation in the chart "
                      "given; the document itself is filed among the chart's documents. Prints "
                      "one line an item: its number (for “reconcile accept” and “reconcile "
                      "decline”), kind, status (pending, or already when the chart has it), code "
                      "and text. The document's patient must have the chart's family name and "
                      "birth date, unless --force. Nothing is staged from a file that is not a "
                      "CCD. Needs write access to the clinical record; audited.");
      break;
    case CH_ADMIN_RECONCILE_LIST:
      g_option_context_add_main_entries (context, list_entries, GETTEXT_PACKAGE);
      description = _("Lists the items of the outside records imported for the patient, newest "
                      "document first, with their number and status: pending, accepted, "
                      "declined, or already (on the chart when imported).");
      break;
    case CH_ADMIN_RECONCILE_ACCEPT:
      description = _("Accepts pending ITEMs: a problem or allergy is added to the chart, the "
                      "medications to the medication list through one medication "
                      "reconciliation. All the ITEMs or none. Audited.");
      break;
    case CH_ADMIN_RECONCILE_DECLINE:
      g_option_context_add_main_entries (context, decline_entries, GETTEXT_PACKAGE);
      description = _("Declines pending ITEMs, with the reason given; the chart is not changed. "
                      "All the ITEMs or none. Audited.");
      break;
    }
  if (description != NULL)
    g_option_context_set_description (context, description);
}

static gboolean
parse_item (const char *arg,
            gint64     *out_id)
{
  return arg != NULL && g_ascii_string_to_signed (arg, 10, 1, G_MAXINT64, out_id, NULL);
}

gboolean
ch_admin_ccda_import_check (ChAdminCcdaImportCommand        command,
                            const ChAdminCcdaImportOptions *opts,
                            const char * const             *args,
                            GError                        **error)
{
  if (opts->patient == NULL || *opts->patient == '\0')
    return ch_admin_usage (error, _("Give the patient's medical record number: --patient MRN"));
  if (command == CH_ADMIN_RECONCILE_ACCEPT || command == CH_ADMIN_RECONCILE_DECLINE)
    for (guint i = 0; args[i] != NULL; i++)
      {
        gint64 id;

        if (!parse_item (args[i], &id))
          {
            g_set_error (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_USAGE,
                         _("“%s” is not an item number (see “reconcile list”)"), args[i]);
            return FALSE;
          }
      }
  if (command == CH_ADMIN_RECONCILE_DECLINE && (opts->reason == NULL || *opts->reason == '\0'))
    return ch_admin_usage (error, _("Say why the items are declined: --reason TEXT"));
  return TRUE;
}

static const char *
or_dash (const char *text)
{
  return text != NULL && *text != '\0' ? text : "-";
}

static void
print_items (GPtrArray *items)
{
  for (guint i = 0; i < items->len; i++)
    {
      const ChIncomingItem *item = items->pdata[i];
      g_autofree char *code = NULL;

      if (item->code != NULL && *item->code != '\0')
        code = g_strdup_printf ("%s:%s", or_dash (item->system), item->code);
      g_print ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s\t%s\n", item->id, item->kind, item->status,
               or_dash (code), or_dash (item->text), or_dash (item->details));
    }
}

static char *
items_json (GPtrArray *items)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < items->len; i++)
    {
      const ChIncomingItem *item = items->pdata[i];

      json_builder_begin_object (builder);
      ch_admin_json_add_id (builder, "id", item->id);
      ch_admin_json_add_id (builder, "document", item->incoming_id);
      ch_admin_json_add_string (builder, "source", item->source);
      ch_admin_json_add_string (builder, "kind", item->kind);
      ch_admin_json_add_string (builder, "code", item->code);
      ch_admin_json_add_string (builder, "system", item->system);
      ch_admin_json_add_string (builder, "text", item->text);
      ch_admin_json_add_string (builder, "details", item->details);
      ch_admin_json_add_string (builder, "clinical_status", item->clinical_status);
      ch_admin_json_add_string (builder, "onset", item->onset);
      ch_admin_json_add_string (builder, "allergy_kind", item->allergy_kind);
      ch_admin_json_add_string (builder, "reaction", item->reaction);
      ch_admin_json_add_string (builder, "severity", item->severity);
      ch_admin_json_add_string (builder, "dose", item->dose);
      ch_admin_json_add_string (builder, "status", item->status);
      ch_admin_json_add_id (builder, "already_item_id", item->already_item_id);
      ch_admin_json_add_string (builder, "decided_by", item->decided_by);
      ch_admin_json_add_time (builder, "decided_at", item->decided_at);
      ch_admin_json_add_string (builder, "reason", item->reason);
      ch_admin_json_add_id (builder, "chart_item_id", item->chart_item_id);
      ch_admin_json_add_id (builder, "reconciliation_id", item->reconciliation_id);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return ch_admin_json_text (builder);
}

static gboolean
decide (ChSession                      *session,
        gint64                          patient_id,
        gboolean                        accept,
        const ChAdminCcdaImportOptions *opts,
        const char * const             *args,
        GError                        **error)
{
  guint n = g_strv_length ((char **) args);
  g_autofree ChIncomingDecision *decisions = g_new0 (ChIncomingDecision, n);

  for (guint i = 0; i < n; i++)
    {
      parse_item (args[i], &decisions[i].item_id);
      decisions[i].accept = accept;
      decisions[i].reason = opts->reason;
    }
  if (!ch_ccda_import_decide (session, patient_id, decisions, n, error))
    return FALSE;
  for (guint i = 0; i < n; i++)
    g_print ("%" G_GINT64_FORMAT "\t%s\n", decisions[i].item_id,
             accept ? "accepted" : "declined");
  return TRUE;
}

gboolean
ch_admin_ccda_import_run (ChSession                      *session,
                          ChAdminCcdaImportCommand        command,
                          const ChAdminCcdaImportOptions *opts,
                          const char * const             *args,
                          GError                        **error)
{
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autoptr (GPtrArray) items = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  patient = ch_patients_get_by_mrn (session, opts->patient, error);
  if (patient == NULL)
    return FALSE;

  switch (command)
    {
    case CH_ADMIN_CCDA_IMPORT:
      {
        gint64 incoming_id = 0;

        items = ch_ccda_import_stage (session, patient->id, args[0], NULL, opts->force,
                                      &incoming_id, error);
        if (items == NULL)
          return FALSE;
        g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, incoming_id);

        /* TRANSLATORS: "Staged 7 items from outside record 3" */
        g_print (_("Staged %u items from outside record %s\n"), items->len, id_text);
        print_items (items);
        return TRUE;
      }
    case CH_ADMIN_RECONCILE_LIST:
      items = ch_ccda_import_list (session, patient->id, opts->pending, error);
      if (items == NULL)
        return FALSE;
      if (opts->json)
        {
          g_autofree char *text = items_json (items);

          g_print ("%s\n", text);
        }
      else
        print_items (items);
      return TRUE;
    case CH_ADMIN_RECONCILE_ACCEPT:
      return decide (session, patient->id, TRUE, opts, args, error);
    case CH_ADMIN_RECONCILE_DECLINE:
      return decide (session, patient->id, FALSE, opts, args, error);
    }
  return FALSE;
}
