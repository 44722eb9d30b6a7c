/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charta-admin"

#include "config.h"

#include <glib/gi18n.h>

#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "ch-admin-billing.h"
#include "ch-admin-input.h"
#include "ch-admin-json.h"
#include "ch-admin-output.h"
#include "ch-audit.h"
#include "ch-billing.h"
#include "ch-billing-docs.h"
#include "ch-patients.h"
#include "ch-validate.h"

/* Tables for people, JSON for scripts: every JSON key is always there,
 * null when there is nothing, as in ch-admin-hl7.c. Amounts in JSON are
 * integer cents (exact), in tables 12.34. */

void
ch_admin_billing_options_clear (ChAdminBillingOptions *opts)
{
  g_clear_pointer (&opts->patient, g_free);
  g_clear_pointer (&opts->on, g_free);
  g_clear_pointer (&opts->code, g_free);
  g_clear_pointer (&opts->modifiers, g_strfreev);
  g_clear_pointer (&opts->diagnoses, g_strfreev);
  g_clear_pointer (&opts->amount, g_free);
  g_clear_pointer (&opts->method, g_free);
  g_clear_pointer (&opts->reference, g_free);
  g_clear_pointer (&opts->allocations, g_strfreev);
  g_clear_pointer (&opts->reason, g_free);
  g_clear_pointer (&opts->out, g_free);
  g_clear_pointer (&opts->to, g_free);
  g_clear_pointer (&opts->from, g_free);
  g_clear_pointer (&opts->float_amount, g_free);
  g_clear_pointer (&opts->counted, g_free);
  g_clear_pointer (&opts->note, g_free);
  g_clear_pointer (&opts->reopen_reason, g_free);
}

void
ch_admin_billing_arity (ChAdminBillingCommand  command,
                        guint                 *out_min,
                        guint                 *out_max)
{
  switch (command)
    {
    case CH_ADMIN_BILLING_FEES_IMPORT:
    case CH_ADMIN_BILLING_CHARGES:
    case CH_ADMIN_BILLING_READY:
    case CH_ADMIN_BILLING_REVERSE:
    case CH_ADMIN_BILLING_INVOICE:
    case CH_ADMIN_BILLING_STATEMENT:
    case CH_ADMIN_BILLING_CLOSE:
      *out_min = *out_max = 1;
      break;
    default:
      *out_min = *out_max = 0;
      break;
    }
}

void
ch_admin_billing_add_options (GOptionContext         *context,
                              ChAdminBillingCommand   command,
                              ChAdminBillingOptions  *opts)
{
  const GOptionEntry patient_entry[] = {
    { "patient", 0, 0, G_OPTION_ARG_STRING, &opts->patient,
      N_("The patient's medical record number"), N_("MRN") },
    { NULL }
  };
  const GOptionEntry json_entry[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &opts->json, N_("Write JSON instead of a table"), NULL },
    { NULL }
  };
  const GOptionEntry reason_entry[] = {
    { "reason", 0, 0, G_OPTION_ARG_STRING, &opts->reason, N_("Why, for the ledger and the audit"),
      N_("TEXT") },
    { NULL }
  };
  const GOptionEntry amount_entry[] = {
    { "amount", 0, 0, G_OPTION_ARG_STRING, &opts->amount, N_("The amount, like 12.34"),
      N_("AMOUNT") },
    { NULL }
  };
  const GOptionEntry method_entry[] = {
    { "method", 0, 0, G_OPTION_ARG_STRING, &opts->method,
      N_("cash, card, cheque, transfer or insurer"), N_("METHOD") },
    { NULL }
  };
  const GOptionEntry fees_list_entries[] = {
    { "on", 0, 0, G_OPTION_ARG_STRING, &opts->on,
      N_("Only the prices in force on this day (YYYY-MM-DD)"), N_("DATE") },
    { NULL }
  };
  const GOptionEntry charge_entries[] = {
    { "encounter", 0, 0, G_OPTION_ARG_INT64, &opts->encounter,
      N_("The encounter, as “billing encounters” lists it"), N_("ID") },
    { "code", 0, 0, G_OPTION_ARG_STRING, &opts->code, N_("The procedure code"), N_("CODE") },
    { "units", 0, 0, G_OPTION_ARG_INT, &opts->units, N_("How many units (1 when not given)"),
      N_("N") },
    { "modifier", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opts->modifiers,
      N_("A two-character modifier; repeat for up to 4"), N_("M") },
    { "dx", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opts->diagnoses,
      N_("An ICD-10 code of one of the patient's problems; repeat for up to 4"),
      N_("ICD10") },
    { NULL }
  };
  const GOptionEntry pay_entries[] = {
    { "reference", 0, 0, G_OPTION_ARG_STRING, &opts->reference,
      N_("The card terminal's reference, cheque number or transfer reference"), N_("TEXT") },
    { "allocate", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opts->allocations,
      N_("Allocate part of the payment to a charge line; repeat for more lines"),
      N_("LINE=AMOUNT") },
    { NULL }
  };
  const GOptionEntry write_off_entries[] = {
    { "line", 0, 0, G_OPTION_ARG_INT64, &opts->line, N_("The charge line written off, if one"),
      N_("ID") },
    { NULL }
  };
  const GOptionEntry out_entry[] = {
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &opts->out, N_("Where to write the PDF"), N_("FILE") },
    { NULL }
  };
  const GOptionEntry invoice_entries[] = {
    { "to", 0, 0, G_OPTION_ARG_STRING, &opts->to,
      N_("Who is billed: patient (the default) or insurer"), N_("WHOM") },
    { NULL }
  };
  const GOptionEntry statement_entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &opts->from,
      N_("The first day of the period (default: 89 days before its end)"), N_("DATE") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &opts->to,
      N_("The last day of the period (default: today)"), N_("DATE") },
    { NULL }
  };
  const GOptionEntry close_entries[] = {
    { "float", 0, 0, G_OPTION_ARG_STRING, &opts->float_amount,
      N_("The cash the drawer started the day with, like 100.00"), N_("AMOUNT") },
    { "counted", 0, 0, G_OPTION_ARG_STRING, &opts->counted,
      N_("The cash counted in the drawer at the close, like 123.45"), N_("AMOUNT") },
    { "note", 0, 0, G_OPTION_ARG_STRING, &opts->note, N_("A note for the record"), N_("TEXT") },
    { "reopen-reason", 0, 0, G_OPTION_ARG_STRING, &opts->reopen_reason,
      N_("Close a day closed before again, saying why; the new close counts"), N_("TEXT") },
    { "preview", 0, 0, G_OPTION_ARG_NONE, &opts->preview,
      N_("Print the day without recording a close"), NULL },
    { NULL }
  };
  const char *description = NULL;

  switch (command)
    {
    case CH_ADMIN_BILLING_FEES_IMPORT:
      description = _("Adds the fee schedule in a CSV file: a header naming code, description, "
                      "price and effective_from (optionally effective_to), prices like 123.45, "
                      "dates YYYY-MM-DD. A version already there unchanged is skipped. One bad "
                      "row fails the whole file, naming its line, and nothing is imported. "
                      "Needs the office manager; audited.");
      break;
    case CH_ADMIN_BILLING_FEES_LIST:
      g_option_context_add_main_entries (context, fees_list_entries, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, json_entry, GETTEXT_PACKAGE);
      description = _("Lists the fee schedule: every version of every code, or those in force "
                      "on one day.");
      break;
    case CH_ADMIN_BILLING_ENCOUNTERS:
      g_option_context_add_main_entries (context, patient_entry, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, json_entry, GETTEXT_PACKAGE);
      description = _("Lists a patient's encounters with their billing status (open or ready) "
                      "and what was charged. Audited.");
      break;
    case CH_ADMIN_BILLING_CHARGE:
      g_option_context_add_main_entries (context, charge_entries, GETTEXT_PACKAGE);
      description = _("Adds a charge line to an open encounter, at the price of the code in "
                      "force on the encounter's date, and posts it to the patient's ledger. "
                      "Prints the line's number. Audited.");
      break;
    case CH_ADMIN_BILLING_CHARGES:
      g_option_context_add_main_entries (context, json_entry, GETTEXT_PACKAGE);
      description = _("Lists an encounter's charge lines: code, units, modifiers, amount, what "
                      "payments allocated to it and whether it was reversed. Audited.");
      break;
    case CH_ADMIN_BILLING_READY:
      description = _("Marks an encounter with charges ready to bill; it takes no more charges. "
                      "Needs a physician; audited.");
      break;
    case CH_ADMIN_BILLING_PAY:
      g_option_context_add_main_entries (context, patient_entry, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, amount_entry, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, method_entry, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, pay_entries, GETTEXT_PACKAGE);
      description = _("Records a payment (a card payment needs the terminal's reference) and "
                      "allocates it to charge lines. Prints the payment's number and the "
                      "patient's balance. Audited.");
      break;
    case CH_ADMIN_BILLING_REFUND:
      g_option_context_add_main_entries (context, patient_entry, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, amount_entry, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, method_entry, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, reason_entry, GETTEXT_PACKAGE);
      description = _("Records money paid back to a patient. Needs the office manager; audited.");
      break;
    case CH_ADMIN_BILLING_WRITE_OFF:
      g_option_context_add_main_entries (context, patient_entry, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, amount_entry, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, write_off_entries, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, reason_entry, GETTEXT_PACKAGE);
      description = _("Writes off part of what a patient owes. Needs the office manager; "
                      "audited.");
      break;
    case CH_ADMIN_BILLING_ADJUST:
      g_option_context_add_main_entries (context, patient_entry, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, amount_entry, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, reason_entry, GETTEXT_PACKAGE);
      description = _("Adjusts a patient's balance: --amount=12.34 adds to what they owe, "
                      "--amount=-12.34 takes off. Needs the office manager; audited.");
      break;
    case CH_ADMIN_BILLING_REVERSE:
      g_option_context_add_main_entries (context, reason_entry, GETTEXT_PACKAGE);
      description = _("Corrects a ledger entry by posting its reversing entry; nothing is ever "
                      "deleted. Needs the office manager; audited.");
      break;
    case CH_ADMIN_BILLING_LEDGER:
      g_option_context_add_main_entries (context, patient_entry, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, json_entry, GETTEXT_PACKAGE);
      description = _("Shows a patient's ledger, oldest first, and the balance: the sum of the "
                      "entries, positive when the patient owes the practice. Opening balances "
                      "from a CSV migration are taken in first. Audited.");
      break;
    case CH_ADMIN_BILLING_POST_OPENINGS:
      g_option_context_add_main_entries (context, patient_entry, GETTEXT_PACKAGE);
      description = _("Takes the opening balances of a CSV migration into the ledger, each "
                      "once (every patient's, or one's).");
      break;
    case CH_ADMIN_BILLING_INVOICE:
      g_option_context_add_main_entries (context, invoice_entries, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, out_entry, GETTEXT_PACKAGE);
      description = _("Writes an encounter's invoice as a PDF, to the patient or to the "
                      "insurer of their primary active policy: the lines, the diagnoses, the "
                      "payments and adjustments applied and the amount due. Audited.");
      break;
    case CH_ADMIN_BILLING_STATEMENT:
      g_option_context_add_main_entries (context, statement_entries, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, out_entry, GETTEXT_PACKAGE);
      description = _("Writes a patient's statement (PATIENT is the MRN) as a PDF: the "
                      "balance before the period, every entry with the running balance, the "
                      "closing balance, its ageing and the amount due. Audited.");
      break;
    case CH_ADMIN_BILLING_CLOSE:
      g_option_context_add_main_entries (context, close_entries, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, out_entry, GETTEXT_PACKAGE);
      description = _("Closes a day (YYYY-MM-DD): records the float, the cash expected (float "
                      "+ cash payments − cash refunds), the cash counted and the difference, "
                      "and writes the daily close PDF; nothing is recorded when the PDF "
                      "cannot be written. A day is closed once: closing it again needs "
                      "--reopen-reason. With --preview, only prints the day. Closing needs "
                      "write access to billing; audited.");
      break;
    case CH_ADMIN_BILLING_CLOSES:
      g_option_context_add_main_entries (context, json_entry, GETTEXT_PACKAGE);
      description = _("Lists the recorded closes of the cash drawer, those superseded by a "
                      "later close of the same day included.");
      break;
    default:
      break;
    }
  if (description != NULL)
    g_option_context_set_description (context, description);
}

gboolean
ch_admin_billing_check (ChAdminBillingCommand          command,
                        const ChAdminBillingOptions   *opts,
                        const char * const            *args,
                        GError                       **error)
{
  switch (command)
    {
    case CH_ADMIN_BILLING_ENCOUNTERS:
    case CH_ADMIN_BILLING_LEDGER:
      if (!ch_has_text (opts->patient))
        return ch_admin_usage (error, _("Give --patient MRN"));
      return TRUE;
    case CH_ADMIN_BILLING_CHARGE:
      if (opts->encounter <= 0)
        return ch_admin_usage (error, _("Give --encounter ID"));
      if (!ch_has_text (opts->code))
        return ch_admin_usage (error, _("Give --code CODE"));
      if (opts->units < 0)
        return ch_admin_usage (error, _("Give --units as a number from 1"));
      return TRUE;
    case CH_ADMIN_BILLING_CHARGES:
    case CH_ADMIN_BILLING_READY:
    case CH_ADMIN_BILLING_REVERSE:
      {
        gint64 id = g_ascii_strtoll (args[0], NULL, 10);
        g_autofree char *back = g_strdup_printf ("%" PRId64, id);

        if (id <= 0 || g_strcmp0 (back, args[0]) != 0)
          return ch_admin_usage (error, command == CH_ADMIN_BILLING_REVERSE
                                        ? _("Give the ledger entry's number")
                                        : _("Give the encounter's number"));
        if (command == CH_ADMIN_BILLING_REVERSE && !ch_has_text (opts->reason))
          return ch_admin_usage (error, _("Give --reason TEXT"));
        return TRUE;
      }
    case CH_ADMIN_BILLING_INVOICE:
      {
        gint64 id = g_ascii_strtoll (args[0], NULL, 10);
        g_autofree char *back = g_strdup_printf ("%" PRId64, id);

        if (id <= 0 || g_strcmp0 (back, args[0]) != 0)
          return ch_admin_usage (error, _("Give the encounter's number"));
        if (opts->to != NULL && !g_str_equal (opts->to, "patient")
            && !g_str_equal (opts->to, "insurer"))
          return ch_admin_usage (error, _("Give --to patient or --to insurer"));
        if (!ch_has_text (opts->out))
          return ch_admin_usage (error, _("Give --out FILE"));
        return TRUE;
      }
    case CH_ADMIN_BILLING_STATEMENT:
      if (!ch_has_text (opts->out))
        return ch_admin_usage (error, _("Give --out FILE"));
      return TRUE;
    case CH_ADMIN_BILLING_CLOSE:
      if (!ch_has_text (opts->out))
        return ch_admin_usage (error, _("Give --out FILE"));
      if (opts->preview && (opts->counted != NULL || opts->note != NULL
                            || opts->reopen_reason != NULL))
        return ch_admin_usage (error, _("A preview records nothing: give no --counted, --note or "
                                        "--reopen-reason"));
      if (!opts->preview && (!ch_has_text (opts->float_amount) || !ch_has_text (opts->counted)))
        return ch_admin_usage (error, _("Give --float AMOUNT and --counted AMOUNT (or --preview)"));
      return TRUE;
    case CH_ADMIN_BILLING_PAY:
    case CH_ADMIN_BILLING_REFUND:
    case CH_ADMIN_BILLING_WRITE_OFF:
    case CH_ADMIN_BILLING_ADJUST:
      if (!ch_has_text (opts->patient))
        return ch_admin_usage (error, _("Give --patient MRN"));
      if (!ch_has_text (opts->amount))
        return ch_admin_usage (error, _("Give --amount AMOUNT"));
      if ((command == CH_ADMIN_BILLING_PAY || command == CH_ADMIN_BILLING_REFUND)
          && !ch_has_text (opts->method))
        return ch_admin_usage (error, _("Give --method: cash, card, cheque, transfer or insurer"));
      if (command != CH_ADMIN_BILLING_PAY && !ch_has_text (opts->reason))
        return ch_admin_usage (error, _("Give --reason TEXT"));
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
run_fees_list (ChSession                    *session,
               const ChAdminBillingOptions  *opts,
               GError                      **error)
{
  g_autoptr (GPtrArray) fees = ch_billing_fees_list (session, opts->on, error);

  if (fees == NULL)
    return FALSE;
  if (opts->json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < fees->len; i++)
        {
          const ChFee *fee = fees->pdata[i];

          json_builder_begin_object (builder);
          ch_admin_json_add_id (builder, "id", fee->id);
          ch_admin_json_add_string (builder, "code", fee->code);
          ch_admin_json_add_string (builder, "description", fee->description);
          add_int (builder, "price_cents", fee->price_cents);
          ch_admin_json_add_string (builder, "effective_from", fee->effective_from);
          ch_admin_json_add_string (builder, "effective_to", fee->effective_to);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      ch_admin_print_json (builder);
    }
  else
    {
      g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

      g_ptr_array_add (rows, g_strsplit (_("CODE|PRICE|FROM|TO|DESCRIPTION"), "|", -1));
      for (guint i = 0; i < fees->len; i++)
        {
          const ChFee *fee = fees->pdata[i];
          char **row = g_new0 (char *, 6);

          row[0] = g_strdup (fee->code);
          row[1] = ch_billing_format_amount (fee->price_cents);
          row[2] = g_strdup (fee->effective_from);
          row[3] = g_strdup (fee->effective_to ? fee->effective_to : "");
          row[4] = g_strdup (fee->description);
          g_ptr_array_add (rows, row);
        }
      ch_admin_print_table (rows, 5);
    }
  return TRUE;
}

static gboolean
run_encounters (ChSession                    *session,
                gint64                        patient_id,
                const ChAdminBillingOptions  *opts,
                GError                      **error)
{
  g_autoptr (GPtrArray) list = ch_billing_encounters (session, patient_id, error);

  if (list == NULL)
    return FALSE;
  if (opts->json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < list->len; i++)
        {
          const ChBillingEncounter *e = list->pdata[i];

          json_builder_begin_object (builder);
          ch_admin_json_add_id (builder, "id", e->encounter_id);
          ch_admin_json_add_string (builder, "date", e->date);
          ch_admin_json_add_string (builder, "provider", e->provider);
          ch_admin_json_add_string (builder, "provider_name", e->provider_name);
          ch_admin_json_add_string (builder, "reason", e->reason);
          ch_admin_json_add_string (builder, "status", e->ready ? "ready" : "open");
          add_int (builder, "lines", e->n_lines);
          add_int (builder, "charged_cents", e->charged_cents);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      ch_admin_print_json (builder);
    }
  else
    {
      g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

      g_ptr_array_add (rows, g_strsplit (_("ID|DATE|PROVIDER|STATUS|LINES|CHARGED|REASON"), "|",
                                         -1));
      for (guint i = 0; i < list->len; i++)
        {
          const ChBillingEncounter *e = list->pdata[i];
          char **row = g_new0 (char *, 8);

          row[0] = g_strdup_printf ("%" PRId64, e->encounter_id);
          row[1] = g_strdup (e->date);
          row[2] = g_strdup (e->provider_name);
          row[3] = g_strdup (e->ready ? _("ready") : _("open"));
          row[4] = g_strdup_printf ("%" PRId64, e->n_lines);
          row[5] = ch_billing_format_amount (e->charged_cents);
          row[6] = g_strdup (e->reason);
          g_ptr_array_add (rows, row);
        }
      ch_admin_print_table (rows, 7);
    }
  return TRUE;
}

static gboolean
run_charges (ChSession                    *session,
             gint64                        encounter_id,
             const ChAdminBillingOptions  *opts,
             GError                      **error)
{
  g_autoptr (GPtrArray) lines = ch_billing_charges (session, encounter_id, error);

  if (lines == NULL)
    return FALSE;
  if (opts->json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < lines->len; i++)
        {
          const ChChargeLine *l = lines->pdata[i];

          json_builder_begin_object (builder);
          ch_admin_json_add_id (builder, "id", l->id);
          ch_admin_json_add_id (builder, "encounter", l->encounter_id);
          ch_admin_json_add_string (builder, "code", l->code);
          ch_admin_json_add_string (builder, "service_date", l->service_date);
          add_int (builder, "units", l->units);
          add_int (builder, "unit_price_cents", l->unit_price_cents);
          add_int (builder, "amount_cents", l->amount_cents);
          ch_admin_json_add_string (builder, "modifiers", l->modifiers);
          add_int (builder, "allocated_cents", l->allocated_cents);
          json_builder_set_member_name (builder, "reversed");
          json_builder_add_boolean_value (builder, l->reversed);
          ch_admin_json_add_id (builder, "ledger_entry", l->ledger_entry_id);
          ch_admin_json_add_string (builder, "created_by", l->created_by);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      ch_admin_print_json (builder);
    }
  else
    {
      g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

      g_ptr_array_add (rows, g_strsplit (_("LINE|CODE|UNITS|MODIFIERS|AMOUNT|PAID|ENTRY|STATUS"),
                                         "|", -1));
      for (guint i = 0; i < lines->len; i++)
        {
          const ChChargeLine *l = lines->pdata[i];
          char **row = g_new0 (char *, 9);

          row[0] = g_strdup_printf ("%" PRId64, l->id);
          row[1] = g_strdup (l->code);
          row[2] = g_strdup_printf ("%" PRId64, l->units);
          row[3] = g_strdup (l->modifiers);
          row[4] = ch_billing_format_amount (l->amount_cents);
          row[5] = ch_billing_format_amount (l->allocated_cents);
          row[6] = g_strdup_printf ("%" PRId64, l->ledger_entry_id);
          row[7] = g_strdup (l->reversed ? _("reversed") : "");
          g_ptr_array_add (rows, row);
        }
      ch_admin_print_table (rows, 8);
    }
  return TRUE;
}

static gboolean
run_ledger (ChSession                    *session,
            gint64                        patient_id,
            const ChAdminBillingOptions  *opts,
            GError                      **error)
{
  gint64 balance = 0;
  g_autoptr (GPtrArray) entries = ch_billing_ledger (session, patient_id, &balance, error);

  if (entries == NULL)
    return FALSE;
  if (opts->json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      ch_admin_json_add_string (builder, "patient", opts->patient);
      add_int (builder, "balance_cents", balance);
      json_builder_set_member_name (builder, "entries");
      json_builder_begin_array (builder);
      for (guint i = 0; i < entries->len; i++)
        {
          const ChLedgerEntry *e = entries->pdata[i];

          json_builder_begin_object (builder);
          ch_admin_json_add_id (builder, "id", e->id);
          ch_admin_json_add_string (builder, "kind", e->kind);
          add_int (builder, "amount_cents", e->amount_cents);
          ch_admin_json_add_id (builder, "charge_line", e->charge_line_id);
          ch_admin_json_add_string (builder, "service_date", e->service_date);
          ch_admin_json_add_id (builder, "payment", e->payment_id);
          ch_admin_json_add_id (builder, "reverses", e->reverses);
          ch_admin_json_add_id (builder, "reversed_by", e->reversed_by);
          ch_admin_json_add_string (builder, "method", e->method);
          ch_admin_json_add_string (builder, "reason", e->reason);
          ch_admin_json_add_time (builder, "posted_at", e->posted_at);
          ch_admin_json_add_string (builder, "posted_by", e->posted_by);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      ch_admin_print_json (builder);
    }
  else
    {
      g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
      g_autofree char *total = ch_billing_format_amount (balance);

      g_ptr_array_add (rows, g_strsplit (_("ENTRY|POSTED|KIND|AMOUNT|BY|NOTE"), "|", -1));
      for (guint i = 0; i < entries->len; i++)
        {
          const ChLedgerEntry *e = entries->pdata[i];
          char **row = g_new0 (char *, 7);

          row[0] = g_strdup_printf ("%" PRId64, e->id);
          row[1] = ch_audit_format_time (e->posted_at);
          row[2] = g_strdup (e->kind);
          row[3] = ch_billing_format_amount (e->amount_cents);
          row[4] = g_strdup (e->posted_by);
          if (e->reversed_by != 0)
            row[5] = g_strdup_printf (_("reversed by %" PRId64 "; %s"), e->reversed_by,
                                      *e->reason != '\0' ? e->reason : e->method);
          else if (e->reverses != 0)
            row[5] = g_strdup_printf (_("reverses %" PRId64 ": %s"), e->reverses,
                                      e->reason);
          else
            row[5] = g_strdup (*e->reason != '\0' ? e->reason : e->method);
          g_ptr_array_add (rows, row);
        }
      ch_admin_print_table (rows, 6);
      g_print (_("Balance: %s\n"), total);
    }
  return TRUE;
}

static gboolean
parse_amount (const char  *text,
              gboolean     signed_ok,
              gint64      *out_cents,
              GError     **error)
{
  gboolean negative = signed_ok && text[0] == '-';

  if (!ch_billing_parse_amount (negative ? text + 1 : text, out_cents))
    {
      g_set_error (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_USAGE,
                   _("“%s” is not an amount (write it like 12.34)"), text);
      return FALSE;
    }
  if (negative)
    *out_cents = -*out_cents;
  return TRUE;
}

static gboolean
run_closes (ChSession                    *session,
            const ChAdminBillingOptions  *opts,
            GError                      **error)
{
  g_autoptr (GPtrArray) closes = ch_billing_closes (session, NULL, error);

  if (closes == NULL)
    return FALSE;
  if (opts->json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < closes->len; i++)
        {
          const ChCashClose *c = closes->pdata[i];

          json_builder_begin_object (builder);
          ch_admin_json_add_id (builder, "id", c->id);
          ch_admin_json_add_string (builder, "day", c->day);
          add_int (builder, "float_cents", c->float_cents);
          add_int (builder, "expected_cents", c->expected_cents);
          add_int (builder, "counted_cents", c->counted_cents);
          add_int (builder, "difference_cents", c->difference_cents);
          ch_admin_json_add_string (builder, "note", c->note);
          ch_admin_json_add_id (builder, "supersedes", c->supersedes);
          ch_admin_json_add_id (builder, "superseded_by", c->superseded_by);
          ch_admin_json_add_string (builder, "reopen_reason", c->reopen_reason);
          ch_admin_json_add_time (builder, "closed_at", c->closed_at);
          ch_admin_json_add_string (builder, "closed_by", c->closed_by);
          json_builder_set_member_name (builder, "current");
          json_builder_add_boolean_value (builder, c->superseded_by == 0);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      ch_admin_print_json (builder);
    }
  else
    {
      g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

      g_ptr_array_add (rows,
                       g_strsplit (_("ID|DAY|FLOAT|EXPECTED|COUNTED|DIFFERENCE|CLOSED|BY|NOTE"),
                                   "|", -1));
      for (guint i = 0; i < closes->len; i++)
        {
          const ChCashClose *c = closes->pdata[i];
          char **row = g_new0 (char *, 10);

          row[0] = g_strdup_printf ("%" PRId64, c->id);
          row[1] = g_strdup (c->day);
          row[2] = ch_billing_format_amount (c->float_cents);
          row[3] = ch_billing_format_amount (c->expected_cents);
          row[4] = ch_billing_format_amount (c->counted_cents);
          row[5] = ch_billing_format_amount (c->difference_cents);
          row[6] = ch_audit_format_time (c->closed_at);
          row[7] = g_strdup (c->closed_by);
          if (c->superseded_by != 0)
            row[8] = g_strdup_printf (_("superseded by %" PRId64 "; %s"), c->superseded_by,
                                      c->note);
          else if (*c->reopen_reason != '\0')
            row[8] = g_strdup_printf (_("reopened: %s; %s"), c->reopen_reason, c->note);
          else
            row[8] = g_strdup (c->note);
          g_ptr_array_add (rows, row);
        }
      ch_admin_print_table (rows, 9);
    }
  return TRUE;
}

static gboolean
run_close (ChSession                    *session,
           const ChAdminBillingOptions  *opts,
           const char                   *day,
           GError                      **error)
{
  g_autoptr (ChCashClose) close = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *difference = NULL;
  gint64 float_cents = -1, counted = 0;

  if (opts->float_amount != NULL && !parse_amount (opts->float_amount, FALSE, &float_cents, error))
    return FALSE;
  if (opts->preview)
    {
      if (!ch_billing_close_write (session, day, float_cents, opts->out, error))
        return FALSE;
      g_print (_("Daily close of %s written to %s (preview: nothing recorded)\n"), day, opts->out);
      return TRUE;
    }
  if (!parse_amount (opts->counted, FALSE, &counted, error))
    return FALSE;
  close = ch_billing_close_day (session, day, float_cents, counted, opts->note,
                                opts->reopen_reason, opts->out, error);
  if (close == NULL)
    return FALSE;
  expected = ch_billing_format_amount (close->expected_cents);
  difference = ch_billing_format_amount (close->difference_cents);
  g_print (_("Close %" PRId64 " of %s: expected %s, difference %s; written to %s\n"),
           close->id, close->day, expected, difference, opts->out);
  return TRUE;
}

static gboolean
print_balance (ChSession  *session,
               gint64      patient_id,
               GError    **error)
{
  gint64 balance = 0;
  g_autoptr (GPtrArray) entries = ch_billing_ledger (session, patient_id, &balance, error);
  g_autofree char *text = NULL;

  if (entries == NULL)
    return FALSE;
  text = ch_billing_format_amount (balance);
  g_print (_("Balance: %s\n"), text);
  return TRUE;
}

gboolean
ch_admin_billing_run (ChSession                    *session,
                      ChAdminBillingCommand         command,
                      const ChAdminBillingOptions  *opts,
                      const char * const           *args,
                      GError                      **error)
{
  g_autoptr (ChPatientRecord) patient = NULL;
  gint64 amount = 0;

  if (opts->patient != NULL)
    {
      patient = ch_patients_get_by_mrn (session, opts->patient, error);
      if (patient == NULL)
        return FALSE;
    }
  if (opts->amount != NULL
      && !parse_amount (opts->amount, command == CH_ADMIN_BILLING_ADJUST, &amount, error))
    return FALSE;

  switch (command)
    {
    case CH_ADMIN_BILLING_FEES_IMPORT:
      {
        ChFeeImportResult result = { 0 };

        if (!ch_billing_fees_import (session, args[0], &result, error))
          return FALSE;
        g_print (_("Fee versions added: %u, already there: %u\n"), result.added,
                 result.unchanged);
        return TRUE;
      }
    case CH_ADMIN_BILLING_FEES_LIST:
      return run_fees_list (session, opts, error);
    case CH_ADMIN_BILLING_ENCOUNTERS:
      return run_encounters (session, patient->id, opts, error);
    case CH_ADMIN_BILLING_CHARGE:
      {
        g_autoptr (ChChargeLine) line = NULL;
        g_autofree char *price = NULL;

        line = ch_billing_charge_add (session, opts->encounter, opts->code,
                                      opts->units > 0 ? opts->units : 1,
                                      (const char * const *) opts->modifiers,
                                      (const char * const *) opts->diagnoses, error);
        if (line == NULL)
          return FALSE;
        price = ch_billing_format_amount (line->amount_cents);
        g_print (_("Charge line %" PRId64 ": %s × %" PRId64 " = %s (ledger "
                   "entry %" PRId64 ")\n"),
                 line->id, line->code, line->units, price, line->ledger_entry_id);
        return TRUE;
      }
    case CH_ADMIN_BILLING_CHARGES:
      return run_charges (session, g_ascii_strtoll (args[0], NULL, 10), opts, error);
    case CH_ADMIN_BILLING_READY:
      if (!ch_billing_mark_ready (session, g_ascii_strtoll (args[0], NULL, 10), error))
        return FALSE;
      g_print (_("Encounter %s is ready to bill\n"), args[0]);
      return TRUE;
    case CH_ADMIN_BILLING_PAY:
      {
        g_autoptr (GArray) allocations = g_array_new (FALSE, TRUE, sizeof (ChAllocation));
        g_autoptr (ChPayment) payment = NULL;

        for (guint i = 0; opts->allocations != NULL && opts->allocations[i] != NULL; i++)
          {
            const char *spec = opts->allocations[i];
            const char *eq = strchr (spec, '=');
            g_autofree char *id_text = eq ? g_strndup (spec, eq - spec) : NULL;
            ChAllocation a = { 0 };
            char *end = NULL;

            if (id_text != NULL)
              a.charge_line_id = g_ascii_strtoll (id_text, &end, 10);
            if (eq == NULL || end == NULL || *end != '\0' || a.charge_line_id <= 0
                || !ch_billing_parse_amount (eq + 1, &a.amount_cents))
              {
                g_set_error (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_USAGE,
                             _("“%s” is not LINE=AMOUNT (such as 12=40.00)"), spec);
                return FALSE;
              }
            g_array_append_val (allocations, a);
          }
        payment = ch_billing_pay (session, patient->id, amount, opts->method, opts->reference,
                                  (const ChAllocation *) allocations->data, allocations->len,
                                  error);
        if (payment == NULL)
          return FALSE;
        g_print (_("Payment %" PRId64 " (ledger entry %" PRId64 ")\n"),
                 payment->id, payment->ledger_entry_id);
        return print_balance (session, patient->id, error);
      }
    case CH_ADMIN_BILLING_REFUND:
    case CH_ADMIN_BILLING_WRITE_OFF:
    case CH_ADMIN_BILLING_ADJUST:
    case CH_ADMIN_BILLING_REVERSE:
      {
        g_autoptr (ChLedgerEntry) entry = NULL;

        if (command == CH_ADMIN_BILLING_REFUND)
          entry = ch_billing_refund (session, patient->id, amount, opts->method, opts->reason,
                                     error);
        else if (command == CH_ADMIN_BILLING_WRITE_OFF)
          entry = ch_billing_write_off (session, patient->id, amount, opts->line, opts->reason,
                                        error);
        else if (command == CH_ADMIN_BILLING_ADJUST)
          entry = ch_billing_adjust (session, patient->id, amount, opts->reason, error);
        else
          entry = ch_billing_reverse (session, g_ascii_strtoll (args[0], NULL, 10), opts->reason,
                                      error);
        if (entry == NULL)
          return FALSE;
        g_print (_("Ledger entry %" PRId64 " (%s)\n"), entry->id, entry->kind);
        return print_balance (session, entry->patient_id, error);
      }
    case CH_ADMIN_BILLING_LEDGER:
      return run_ledger (session, patient->id, opts, error);
    case CH_ADMIN_BILLING_POST_OPENINGS:
      {
        guint posted = 0;

        if (!ch_billing_post_opening_balances (session, patient != NULL ? patient->id : 0,
                                               &posted, error))
          return FALSE;
        g_print (_("Opening balances posted: %u\n"), posted);
        return TRUE;
      }
    case CH_ADMIN_BILLING_INVOICE:
      {
        ChInvoiceRecipient to = g_strcmp0 (opts->to, "insurer") == 0 ? CH_INVOICE_TO_INSURER
                                                                     : CH_INVOICE_TO_PATIENT;
        g_autofree char *number = NULL;
        gint64 id = g_ascii_strtoll (args[0], NULL, 10);

        if (!ch_billing_invoice_write (session, id, to, opts->out, error))
          return FALSE;
        number = ch_billing_invoice_number (id);
        g_print (_("Invoice %s written to %s\n"), number, opts->out);
        return TRUE;
      }
    case CH_ADMIN_BILLING_STATEMENT:
      {
        g_autoptr (ChPatientRecord) subject = ch_patients_get_by_mrn (session, args[0], error);

        if (subject == NULL
            || !ch_billing_statement_write (session, subject->id, opts->from, opts->to, opts->out,
                                            error))
          return FALSE;
        g_print (_("Statement for %s written to %s\n"), args[0], opts->out);
        return TRUE;
      }
    case CH_ADMIN_BILLING_CLOSE:
      return run_close (session, opts, args[0], error);
    case CH_ADMIN_BILLING_CLOSES:
      return run_closes (session, opts, error);
    default:
      g_return_val_if_reached (FALSE);
    }
}
