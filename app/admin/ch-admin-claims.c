/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charta-admin"

#include "config.h"

#include <glib/gi18n.h>

#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "ch-admin-claims.h"
#include "ch-admin-input.h"
#include "ch-admin-json.h"
#include "ch-admin-output.h"
#include "ch-billing.h"
#include "ch-claims.h"
#include "ch-validate.h"

/* Tables for people, JSON for scripts (every key always there), as in
 * ch-admin-billing.c: amounts in JSON are integer cents, in tables 12.34. */

void
ch_admin_claims_options_clear (ChAdminClaimsOptions *opts)
{
  char **fields[] = {
    &opts->receiver, &opts->filing, &opts->address, &opts->city, &opts->state, &opts->zip,
    &opts->name, &opts->npi, &opts->tax_id, &opts->taxonomy, &opts->submitter_id,
    &opts->contact, &opts->phone, &opts->last_name, &opts->first_name, &opts->payer, &opts->out,
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    g_clear_pointer (fields[i], g_free);
}

void
ch_admin_claims_arity (ChAdminClaimsCommand  command,
                       guint                *out_min,
                       guint                *out_max)
{
  switch (command)
    {
    case CH_ADMIN_CLAIMS_PAYERS:
      /* "claims payers" lists; "claims payers add ID NAME" adds. */
      *out_min = 0;
      *out_max = 3;
      break;
    case CH_ADMIN_CLAIMS_PROVIDER:
    case CH_ADMIN_CLAIMS_POST_835:
      *out_min = *out_max = 1;
      break;
    default:
      *out_min = *out_max = 0;
      break;
    }
}

void
ch_admin_claims_add_options (GOptionContext        *context,
                             ChAdminClaimsCommand   command,
                             ChAdminClaimsOptions  *opts)
{
  const GOptionEntry json_entry[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &opts->json, N_("Write JSON instead of a table"), NULL },
    { NULL }
  };
  const GOptionEntry address_entries[] = {
    { "address", 0, 0, G_OPTION_ARG_STRING, &opts->address, N_("Street address"), N_("TEXT") },
    { "city", 0, 0, G_OPTION_ARG_STRING, &opts->city, N_("City"), N_("TEXT") },
    { "state", 0, 0, G_OPTION_ARG_STRING, &opts->state, N_("State, two letters"), N_("XX") },
    { "zip", 0, 0, G_OPTION_ARG_STRING, &opts->zip, N_("ZIP code"), N_("ZIP") },
    { NULL }
  };
  const GOptionEntry payer_entries[] = {
    { "receiver", 0, 0, G_OPTION_ARG_STRING, &opts->receiver,
      N_("Who receives the files (ISA08), when not the payer itself: the clearing house's id"),
      N_("ID") },
    { "filing", 0, 0, G_OPTION_ARG_STRING, &opts->filing,
      N_("Claim filing indicator (SBR09): CI commercial (default), MB Medicare Part B, MC "
         "Medicaid, BL Blue Cross …"), N_("CODE") },
    { NULL }
  };
  const GOptionEntry setup_entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &opts->name, N_("The practice's name, as billed"),
      N_("TEXT") },
    { "npi", 0, 0, G_OPTION_ARG_STRING, &opts->npi, N_("The practice's (group) NPI"),
      N_("NPI") },
    { "tax-id", 0, 0, G_OPTION_ARG_STRING, &opts->tax_id,
      N_("The practice's tax id (EIN), nine digits"), N_("EIN") },
    { "taxonomy", 0, 0, G_OPTION_ARG_STRING, &opts->taxonomy,
      N_("The billing provider's taxonomy code, if the payers want it"), N_("CODE") },
    { "submitter-id", 0, 0, G_OPTION_ARG_STRING, &opts->submitter_id,
      N_("The submitter id (ETIN) the clearing house gave the practice"), N_("ID") },
    { "contact", 0, 0, G_OPTION_ARG_STRING, &opts->contact,
      N_("Who the payer calls about claims"), N_("NAME") },
    { "phone", 0, 0, G_OPTION_ARG_STRING, &opts->phone, N_("Their telephone, digits only"),
      N_("NUMBER") },
    { NULL }
  };
  const GOptionEntry provider_entries[] = {
    { "npi", 0, 0, G_OPTION_ARG_STRING, &opts->npi, N_("The provider's own NPI"), N_("NPI") },
    { "last-name", 0, 0, G_OPTION_ARG_STRING, &opts->last_name,
      N_("Last name, as on the provider's NPI record"), N_("TEXT") },
    { "first-name", 0, 0, G_OPTION_ARG_STRING, &opts->first_name, N_("First name"),
      N_("TEXT") },
    { NULL }
  };
  const GOptionEntry build_entries[] = {
    { "payer", 0, 0, G_OPTION_ARG_STRING, &opts->payer,
      N_("Only this payer's claims, into the file --out names"), N_("ID") },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &opts->out,
      N_("With --payer, the file to write; without, a folder that receives one file a "
         "payer, PAYER-CONTROL.x12"), N_("PATH") },
    { NULL }
  };
  const char *description = NULL;

  switch (command)
    {
    case CH_ADMIN_CLAIMS_PAYERS:
      g_option_context_add_main_entries (context, payer_entries, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, address_entries, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, json_entry, GETTEXT_PACKAGE);
      description = _("Lists the payers claims go to, each with how many encounters ready to "
                      "bill await a claim to it (the patient's primary active policy, matched "
                      "to a payer by name, ignoring case and accents, or by id), then the "
                      "policies' payers that are not set up and the self-pay encounters. "
                      "“claims payers add ID NAME” adds a payer: ID is its payer id on claims. "
                      "Adding needs the office manager; audited.");
      break;
    case CH_ADMIN_CLAIMS_SETUP:
      g_option_context_add_main_entries (context, setup_entries, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, address_entries, GETTEXT_PACKAGE);
      description = _("Sets the billing provider that claims name (the practice: name, NPI, tax id, "
                      "address with ZIP+4) and the submitter (id, contact, telephone); only the "
                      "options given change. Without options, shows the setup and the "
                      "providers' NPIs. Changing needs the office manager; audited.");
      break;
    case CH_ADMIN_CLAIMS_PROVIDER:
      g_option_context_add_main_entries (context, provider_entries, GETTEXT_PACKAGE);
      description = _("Sets the NPI a user renders care under: claims for the encounters they "
                      "saw name them as the rendering provider. Needs the office manager; "
                      "audited.");
      break;
    case CH_ADMIN_CLAIMS_BUILD:
      g_option_context_add_main_entries (context, build_entries, GETTEXT_PACKAGE);
      description = _("Makes a claim for every encounter ready to bill that has none, and "
                      "writes them as ASC X12 837P files (005010X222A1), one a payer. "
                      "Self-pay encounters and those whose payer is not set up are listed and "
                      "skipped. If one claim is incomplete, the message names its encounter "
                      "and nothing is written or recorded. Needs the office manager; audited.");
      break;
    case CH_ADMIN_CLAIMS_POST_835:
      description = _("Posts an ASC X12 835 remittance file: what the payer paid, as insurer "
                      "payments allocated to the claims' lines; contractual and other "
                      "adjustments as write-offs; the patient's share left on their balance; "
                      "denied claims recorded. All or nothing: a malformed file, an unknown "
                      "claim or amounts that do not add up post nothing. A remittance posted "
                      "before is skipped. Needs the office manager; audited.");
      break;
    case CH_ADMIN_CLAIMS_LIST:
      g_option_context_add_main_entries (context, json_entry, GETTEXT_PACKAGE);
      description = _("Lists the claims, newest first, with their status (submitted, paid, "
                      "partial, denied) and what the payer paid, adjusted and left to the "
                      "patient.");
      break;
    default:
      break;
    }
  if (description != NULL)
    g_option_context_set_description (context, description);
}

gboolean
ch_admin_claims_check (ChAdminClaimsCommand          command,
                       const ChAdminClaimsOptions   *opts,
                       const char * const           *args,
                       GError                      **error)
{
  guint n = args != NULL ? g_strv_length ((char **) args) : 0;

  switch (command)
    {
    case CH_ADMIN_CLAIMS_PAYERS:
      if (n > 0 && (n != 3 || !g_str_equal (args[0], "add")))
        return ch_admin_usage (error,
                               _("Write “claims payers” to list, or “claims payers add ID NAME”"));
      return TRUE;
    case CH_ADMIN_CLAIMS_PROVIDER:
      if (!ch_has_text (opts->npi) || !ch_has_text (opts->last_name))
        return ch_admin_usage (error, _("Give --npi NPI and --last-name TEXT"));
      return TRUE;
    case CH_ADMIN_CLAIMS_BUILD:
      if (!ch_has_text (opts->out))
        return ch_admin_usage (error, _("Give --out: a file with --payer, a folder without"));
      return TRUE;
    default:
      return TRUE;
    }
}

/* ---- output ---------------------------------------------------------------- */

static void
add_int (JsonBuilder *builder,
         const char  *key,
         gint64       value)
{
  json_builder_set_member_name (builder, key);
  json_builder_add_int_value (builder, value);
}

static gboolean
run_payers (ChSession                   *session,
            const ChAdminClaimsOptions  *opts,
            GError                     **error)
{
  g_autoptr (ChClaimsPayers) payers = ch_claims_payers (session, error);
  g_autoptr (GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();

  if (payers == NULL)
    return FALSE;
  /* The policies' payers no payer matches, as typed, with their counts. */
  for (guint i = 0; i < payers->unmatched->len; i++)
    {
      const ChClaimCandidate *c = payers->unmatched->pdata[i];
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, c->policy_payer));

      if (n == 0)
        g_ptr_array_add (names, c->policy_payer);
      g_hash_table_insert (counts, c->policy_payer, GUINT_TO_POINTER (n + 1));
    }
  if (opts->json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "payers");
      json_builder_begin_array (builder);
      for (guint i = 0; i < payers->payers->len; i++)
        {
          const ChPayer *p = payers->payers->pdata[i];

          json_builder_begin_object (builder);
          ch_admin_json_add_string (builder, "id", p->id);
          ch_admin_json_add_string (builder, "name", p->name);
          ch_admin_json_add_string (builder, "receiver_id", p->receiver_id);
          ch_admin_json_add_string (builder, "claim_filing", p->claim_filing);
          add_int (builder, "ready", p->n_ready);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "not_set_up");
      json_builder_begin_array (builder);
      for (guint i = 0; i < names->len; i++)
        {
          json_builder_begin_object (builder);
          ch_admin_json_add_string (builder, "payer", names->pdata[i]);
          add_int (builder, "ready",
                   GPOINTER_TO_INT (g_hash_table_lookup (counts, names->pdata[i])));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      add_int (builder, "self_pay", payers->self_pay);
      json_builder_end_object (builder);
      ch_admin_print_json (builder);
      return TRUE;
    }
  else
    {
      g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

      g_ptr_array_add (rows, g_strsplit (_("ID|NAME|RECEIVER|FILING|READY"), "|", -1));
      for (guint i = 0; i < payers->payers->len; i++)
        {
          const ChPayer *p = payers->payers->pdata[i];
          char **row = g_new0 (char *, 6);

          row[0] = g_strdup (p->id);
          row[1] = g_strdup (p->name);
          row[2] = g_strdup (p->receiver_id);
          row[3] = g_strdup (p->claim_filing);
          row[4] = g_strdup_printf ("%" PRId64, p->n_ready);
          g_ptr_array_add (rows, row);
        }
      ch_admin_print_table (rows, 5);
      for (guint i = 0; i < names->len; i++)
        {
          guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, names->pdata[i]));

          g_print (ngettext ("Not set up: “%s”, %u encounter ready to bill\n",
                             "Not set up: “%s”, %u encounters ready to bill\n", n),
                   (const char *) names->pdata[i], n);
        }
      g_print (ngettext ("%u self-pay encounter ready to bill\n",
                         "%u self-pay encounters ready to bill\n", payers->self_pay),
               payers->self_pay);
    }
  return TRUE;
}

static gboolean
run_setup_show (ChSession  *session,
                GError    **error)
{
  g_autoptr (ChClaimsSetup) setup = ch_claims_setup_get (session, error);
  g_autoptr (GPtrArray) providers = NULL;
  g_autoptr (GPtrArray) rows = NULL;

  if (setup == NULL)
    return FALSE;
  providers = ch_claims_providers (session, error);
  if (providers == NULL)
    return FALSE;
  g_print (_("Billing provider: %s\n"), setup->name);
  g_print (_("NPI: %s\n"), setup->npi);
  g_print (_("Tax id: %s\n"), setup->tax_id);
  g_print (_("Taxonomy: %s\n"), setup->taxonomy);
  g_print (_("Address: %s, %s, %s %s\n"), setup->address1, setup->city, setup->state,
           setup->zip);
  g_print (_("Submitter id: %s\n"), setup->submitter_id);
  g_print (_("Contact: %s %s\n"), setup->contact_name, setup->contact_phone);
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_ptr_array_add (rows, g_strsplit (_("USER|NPI|LAST NAME|FIRST NAME"), "|", -1));
  for (guint i = 0; i < providers->len; i++)
    {
      const ChClaimProvider *p = providers->pdata[i];
      char **row = g_new0 (char *, 5);

      row[0] = g_strdup (p->username);
      row[1] = g_strdup (p->npi);
      row[2] = g_strdup (p->last_name);
      row[3] = g_strdup (p->first_name);
      g_ptr_array_add (rows, row);
    }
  ch_admin_print_table (rows, 4);
  return TRUE;
}

static gboolean
run_list (ChSession                   *session,
          const ChAdminClaimsOptions  *opts,
          GError                     **error)
{
  g_autoptr (GPtrArray) claims = ch_claims_list (session, error);

  if (claims == NULL)
    return FALSE;
  if (opts->json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < claims->len; i++)
        {
          const ChClaim *c = claims->pdata[i];

          json_builder_begin_object (builder);
          ch_admin_json_add_id (builder, "id", c->id);
          ch_admin_json_add_string (builder, "claim", c->claim_number);
          ch_admin_json_add_id (builder, "batch", c->batch_id);
          ch_admin_json_add_string (builder, "payer", c->payer_id);
          ch_admin_json_add_string (builder, "mrn", c->mrn);
          ch_admin_json_add_id (builder, "encounter", c->encounter_id);
          ch_admin_json_add_string (builder, "member_id", c->member_id);
          ch_admin_json_add_string (builder, "status", c->status);
          add_int (builder, "billed_cents", c->billed_cents);
          add_int (builder, "paid_cents", c->paid_cents);
          add_int (builder, "adjusted_cents", c->adjusted_cents);
          add_int (builder, "patient_cents", c->patient_cents);
          ch_admin_json_add_string (builder, "trace", c->trace_number);
          ch_admin_json_add_time (builder, "created_at", c->created_at);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      ch_admin_print_json (builder);
    }
  else
    {
      g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

      g_ptr_array_add (rows, g_strsplit (_("CLAIM|PAYER|MRN|ENCOUNTER|STATUS|BILLED|PAID|"
                                           "ADJUSTED|PATIENT"), "|", -1));
      for (guint i = 0; i < claims->len; i++)
        {
          const ChClaim *c = claims->pdata[i];
          char **row = g_new0 (char *, 10);

          row[0] = g_strdup (c->claim_number);
          row[1] = g_strdup (c->payer_id);
          row[2] = g_strdup (c->mrn);
          row[3] = g_strdup_printf ("%" PRId64, c->encounter_id);
          row[4] = g_strdup (c->status);
          row[5] = ch_billing_format_amount (c->billed_cents);
          row[6] = ch_billing_format_amount (c->paid_cents);
          row[7] = ch_billing_format_amount (c->adjusted_cents);
          row[8] = ch_billing_format_amount (c->patient_cents);
          g_ptr_array_add (rows, row);
        }
      ch_admin_print_table (rows, 9);
    }
  return TRUE;
}

gboolean
ch_admin_claims_run (ChSession                   *session,
                     ChAdminClaimsCommand         command,
                     const ChAdminClaimsOptions  *opts,
                     const char * const          *args,
                     GError                     **error)
{
  switch (command)
    {
    case CH_ADMIN_CLAIMS_PAYERS:
      if (args != NULL && args[0] != NULL)
        {
          ChPayer payer = { 0 };

          payer.id = (char *) args[1];
          payer.name = (char *) args[2];
          payer.receiver_id = opts->receiver;
          payer.claim_filing = opts->filing;
          payer.address1 = opts->address;
          payer.city = opts->city;
          payer.state = opts->state;
          payer.zip = opts->zip;
          if (!ch_claims_payer_add (session, &payer, error))
            return FALSE;
          g_print (_("Payer %s added: %s\n"), args[1], args[2]);
          return TRUE;
        }
      return run_payers (session, opts, error);
    case CH_ADMIN_CLAIMS_SETUP:
      {
        ChClaimsSetup changes = {
          .name = opts->name, .npi = opts->npi, .tax_id = opts->tax_id,
          .taxonomy = opts->taxonomy, .address1 = opts->address, .city = opts->city,
          .state = opts->state, .zip = opts->zip, .submitter_id = opts->submitter_id,
          .contact_name = opts->contact, .contact_phone = opts->phone,
        };
        gboolean any = opts->name || opts->npi || opts->tax_id || opts->taxonomy
                       || opts->address || opts->city || opts->state || opts->zip
                       || opts->submitter_id || opts->contact || opts->phone;

        if (!any)
          return run_setup_show (session, error);
        if (!ch_claims_setup_set (session, &changes, error))
          return FALSE;
        g_print (_("Claims setup saved\n"));
        return TRUE;
      }
    case CH_ADMIN_CLAIMS_PROVIDER:
      if (!ch_claims_provider_set (session, args[0], opts->npi, opts->last_name, opts->first_name,
                                   error))
        return FALSE;
      g_print (_("%s renders care under NPI %s\n"), args[0], opts->npi);
      return TRUE;
    case CH_ADMIN_CLAIMS_BUILD:
      {
        g_autoptr (ChClaimsBuildResult) result = ch_claims_build (session, opts->payer,
                                                                  opts->out, error);

        if (result == NULL)
          return FALSE;
        for (guint i = 0; i < result->batches->len; i++)
          {
            const ChClaimBatch *b = result->batches->pdata[i];
            g_autofree char *total = ch_billing_format_amount (b->total_cents);

            g_print (ngettext ("Batch %" PRId64 " to %s: %u claim, %s, written to %s\n",
                               "Batch %" PRId64 " to %s: %u claims, %s, written to %s\n",
                               b->n_claims),
                     b->batch_id, b->payer_id, b->n_claims, total, b->path);
          }
        for (guint i = 0; i < result->skipped->len; i++)
          {
            const ChClaimSkipped *s = result->skipped->pdata[i];

            g_print (_("Skipped encounter %" PRId64 ": %s\n"), s->encounter_id, s->reason);
          }
        if (result->batches->len == 0)
          g_print (_("No claims to build\n"));
        return TRUE;
      }
    case CH_ADMIN_CLAIMS_POST_835:
      {
        ChClaimsPostResult result = { 0 };
        g_autofree char *paid = NULL;
        g_autofree char *off = NULL;
        g_autofree char *patient = NULL;
        g_autofree char *plb = NULL;

        if (!ch_claims_post_835 (session, args[0], &result, error))
          return FALSE;
        if (result.advices == 0)
          {
            g_print (_("Nothing posted: every remittance in %s was posted before\n"), args[0]);
            return TRUE;
          }
        paid = ch_billing_format_amount (result.paid_cents);
        off = ch_billing_format_amount (result.written_off_cents);
        patient = ch_billing_format_amount (result.patient_cents);
        plb = ch_billing_format_amount (result.provider_adjustment_cents);
        g_print (_("Remittances posted: %u (already posted before: %u)\n"), result.advices,
                 result.already_posted);
        g_print (_("Claims: %u, of which denied: %u\n"), result.claims, result.denied);
        g_print (_("Paid: %s; written off: %s; left to patients: %s\n"), paid, off, patient);
        if (result.provider_adjustment_cents != 0)
          g_print (_("Provider-level adjustments (PLB), not posted to patients: %s\n"), plb);
        return TRUE;
      }
    case CH_ADMIN_CLAIMS_LIST:
      return run_list (session, opts, error);
    default:
      g_return_val_if_reached (FALSE);
    }
}
