/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charta-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "ch-admin-input.h"
#include "ch-admin-json.h"
#include "ch-admin-lab-orders.h"
#include "ch-admin-output.h"
#include "ch-audit.h"
#include "ch-lab-orders.h"
#include "ch-patients.h"

/* Tables for people, JSON for scripts: every JSON key is always there,
 * null when there is nothing, as in ch-admin-hl7.c. */

void
ch_admin_lab_order_options_clear (ChAdminLabOrderOptions *opts)
{
  g_clear_pointer (&opts->patient, g_free);
  g_clear_pointer (&opts->tests, g_strfreev);
  g_clear_pointer (&opts->priority, g_free);
  g_clear_pointer (&opts->note, g_free);
  g_clear_pointer (&opts->clinical_info, g_free);
  g_clear_pointer (&opts->status, g_free);
  g_clear_pointer (&opts->reason, g_free);
  g_clear_pointer (&opts->application, g_free);
  g_clear_pointer (&opts->facility, g_free);
}

void
ch_admin_lab_order_arity (ChAdminLabOrderCommand  command,
                          guint                  *out_min,
                          guint                  *out_max)
{
  switch (command)
    {
    case CH_ADMIN_LAB_ORDER_RESEND:
    case CH_ADMIN_LAB_ORDER_CANCEL:
      *out_min = *out_max = 1;
      break;
    case CH_ADMIN_LAB_ORDER_TARGET:
      *out_min = 0;
      *out_max = 1;
      break;
    case CH_ADMIN_LAB_ORDER:
    case CH_ADMIN_LAB_ORDERS:
    default:
      *out_min = *out_max = 0;
      break;
    }
}

void
ch_admin_lab_order_add_options (GOptionContext          *context,
                                ChAdminLabOrderCommand   command,
                                ChAdminLabOrderOptions  *opts)
{
  const GOptionEntry order_entries[] = {
    { "patient", 0, 0, G_OPTION_ARG_STRING, &opts->patient,
      N_("The patient's medical record number"), N_("MRN") },
    { "test", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opts->tests,
      N_("A test to order, as CODE^TEXT or CODE^TEXT^SYSTEM (LN for LOINC, L for the lab's own "
         "codes; LOINC-shaped codes default to LN); repeat for more tests"),
      N_("CODE^TEXT[^SYSTEM]") },
    { "priority", 0, 0, G_OPTION_ARG_STRING, &opts->priority,
      N_("routine (the default), stat or asap"), N_("PRIORITY") },
    { "note", 0, 0, G_OPTION_ARG_STRING, &opts->note, N_("A note for the lab"), N_("TEXT") },
    { "clinical-info", 0, 0, G_OPTION_ARG_STRING, &opts->clinical_info,
      N_("Relevant clinical information for the lab"), N_("TEXT") },
    { NULL }
  };
  const GOptionEntry list_entries[] = {
    { "patient", 0, 0, G_OPTION_ARG_STRING, &opts->patient,
      N_("Only this patient's orders (by medical record number)"), N_("MRN") },
    { "status", 0, 0, G_OPTION_ARG_STRING, &opts->status,
      N_("Only orders in this status: pending, sent, failed, partial, resulted or cancelled"),
      N_("STATUS") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &opts->json, N_("Write a JSON array instead of a table"),
      NULL },
    { NULL }
  };
  const GOptionEntry cancel_entries[] = {
    { "reason", 0, 0, G_OPTION_ARG_STRING, &opts->reason, N_("Why the order is cancelled"),
      N_("TEXT") },
    { NULL }
  };
  const GOptionEntry target_entries[] = {
    { "receiving-application", 0, 0, G_OPTION_ARG_STRING, &opts->application,
      N_("The lab's application, as its interface expects it in MSH-5"), N_("NAME") },
    { "receiving-facility", 0, 0, G_OPTION_ARG_STRING, &opts->facility,
      N_("The lab's facility, as its interface expects it in MSH-6"), N_("NAME") },
    { NULL }
  };
  const char *description = NULL;

  switch (command)
    {
    case CH_ADMIN_LAB_ORDER:
      g_option_context_add_main_entries (context, order_entries, GETTEXT_PACKAGE);
      description = _("Orders lab tests for a patient and sends the order at once, as an HL7 "
                      "v2.5.1 ORM^O01, to the destination “lab order-target” set. Prints the "
                      "order's placer number and whether the lab took it. An order that could "
                      "not be sent is kept (status failed, with why): the command exits 1 and "
                      "“lab order-resend” sends it again. Needs a prescriber; audited.");
      break;
    case CH_ADMIN_LAB_ORDERS:
      g_option_context_add_main_entries (context, list_entries, GETTEXT_PACKAGE);
      description = _("Lists lab orders, newest first, with their status: pending, sent, failed "
                      "(with why), partial (some results in), resulted or cancelled. Audited.");
      break;
    case CH_ADMIN_LAB_ORDER_RESEND:
      description = _("Sends a pending or failed order again (or the cancellation of a cancelled "
                      "order that the lab has not taken yet) and prints what came of it; exits "
                      "1 when the lab still did not take it.");
      break;
    case CH_ADMIN_LAB_ORDER_CANCEL:
      g_option_context_add_main_entries (context, cancel_entries, GETTEXT_PACKAGE);
      description = _("Cancels an order that has not all its results, with a reason. When the "
                      "lab had the order, the cancellation (ORC-1 CA) is sent to it; the command "
                      "exits 1 when it could not be, and “lab order-resend” sends it again. "
                      "Needs a prescriber; audited.");
      break;
    case CH_ADMIN_LAB_ORDER_TARGET:
      g_option_context_add_main_entries (context, target_entries, GETTEXT_PACKAGE);
      description = _("Shows where lab orders go, or sets it: dir:/PATH writes each order as a "
                      "file in a folder the lab's interface reads (written whole, then renamed "
                      "to CONTROL-ID.hl7), mllp://HOST:PORT sends it over MLLP and checks the "
                      "lab's acknowledgement; “none” sends nowhere. Setting it needs an office "
                      "manager or administrator; audited.");
      break;
    default:
      break;
    }
  if (description != NULL)
    g_option_context_set_description (context, description);
}

gboolean
ch_admin_lab_order_check (ChAdminLabOrderCommand         command,
                          const ChAdminLabOrderOptions  *opts,
                          const char * const            *args,
                          GError                       **error)
{
  switch (command)
    {
    case CH_ADMIN_LAB_ORDER:
      if (opts->patient == NULL)
        return ch_admin_usage (error, _("Give --patient MRN"));
      if (opts->tests == NULL || opts->tests[0] == NULL)
        return ch_admin_usage (error, _("Give at least one --test CODE^TEXT"));
      if (opts->priority != NULL && g_strcmp0 (opts->priority, "routine") != 0
          && g_strcmp0 (opts->priority, "stat") != 0 && g_strcmp0 (opts->priority, "asap") != 0)
        return ch_admin_usage (error, _("Give --priority as routine, stat or asap"));
      return TRUE;
    case CH_ADMIN_LAB_ORDER_CANCEL:
      if (opts->reason == NULL || *g_strstrip (opts->reason) == '\0')
        return ch_admin_usage (error, _("Give --reason TEXT: why the order is cancelled"));
      G_GNUC_FALLTHROUGH;
    case CH_ADMIN_LAB_ORDER_RESEND:
      if (args[0] == NULL || *args[0] == '\0')
        return ch_admin_usage (error, _("Give the order's placer number, as “lab orders” shows it"));
      return TRUE;
    case CH_ADMIN_LAB_ORDERS:
    case CH_ADMIN_LAB_ORDER_TARGET:
    default:
      return TRUE;
    }
}

/* ---- output ---------------------------------------------------------------- */

static char *
orders_json (GPtrArray *orders)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < orders->len; i++)
    {
      const ChLabOrder *o = orders->pdata[i];

      json_builder_begin_object (builder);
      ch_admin_json_add_string (builder, "placer_number", o->placer_number);
      ch_admin_json_add_string (builder, "patient", o->patient_mrn);
      ch_admin_json_add_string (builder, "patient_name", o->patient_name);
      ch_admin_json_add_string (builder, "status", o->status);
      ch_admin_json_add_string (builder, "reason", o->reason);
      ch_admin_json_add_string (builder, "priority", o->priority);
      ch_admin_json_add_string (builder, "ordered_by", o->ordered_by);
      ch_admin_json_add_string (builder, "ordered_by_name", o->ordered_by_name);
      ch_admin_json_add_string (builder, "clinical_info", o->clinical_info);
      ch_admin_json_add_string (builder, "note", o->note);
      json_builder_set_member_name (builder, "attempts");
      json_builder_add_int_value (builder, o->attempts);
      ch_admin_json_add_string (builder, "target", o->target);
      ch_admin_json_add_string (builder, "control_id", o->control_id);
      ch_admin_json_add_time (builder, "created_at", o->created_at);
      ch_admin_json_add_time (builder, "sent_at", o->sent_at);
      ch_admin_json_add_time (builder, "resulted_at", o->resulted_at);
      ch_admin_json_add_time (builder, "cancelled_at", o->cancelled_at);
      ch_admin_json_add_string (builder, "cancelled_by", o->cancelled_by);
      ch_admin_json_add_string (builder, "cancel_reason", o->cancel_reason);
      ch_admin_json_add_string (builder, "cancel_delivery", o->cancel_delivery);
      ch_admin_json_add_string (builder, "cancel_error", o->cancel_error);
      json_builder_set_member_name (builder, "tests");
      json_builder_begin_array (builder);
      for (guint t = 0; t < o->tests->len; t++)
        {
          const ChLabOrderTest *test = o->tests->pdata[t];

          json_builder_begin_object (builder);
          ch_admin_json_add_string (builder, "code", test->code);
          ch_admin_json_add_string (builder, "text", test->text);
          ch_admin_json_add_string (builder, "system", test->system);
          ch_admin_json_add_string (builder, "specimen", test->specimen);
          ch_admin_json_add_id (builder, "report_id", test->report_id);
          ch_admin_json_add_string (builder, "result_status", test->result_status);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  return ch_admin_json_text (builder);
}

static char *
one_line (const char *text)
{
  char *line = g_strdup (text != NULL ? text : "");

  g_strdelimit (line, "\r\n\t", ' ');
  return line;
}

static void
print_orders (GPtrArray *orders)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  const guint n_columns = 8;

  g_ptr_array_add (rows, g_strsplit (_("NUMBER|ORDERED|PATIENT|TESTS|PRIORITY|BY|STATUS|WHY"),
                                     "|", -1));
  for (guint i = 0; i < orders->len; i++)
    {
      const ChLabOrder *o = orders->pdata[i];
      g_autoptr (GString) tests = g_string_new (NULL);
      char **row = g_new0 (char *, n_columns + 1);

      for (guint t = 0; t < o->tests->len; t++)
        {
          const ChLabOrderTest *test = o->tests->pdata[t];

          g_string_append_printf (tests, "%s%s", t > 0 ? ", " : "", test->code);
        }
      row[0] = g_strdup (o->placer_number);
      row[1] = ch_audit_format_time (o->created_at);
      row[2] = g_strdup (o->patient_mrn);
      row[3] = g_strdup (tests->str);
      row[4] = g_strdup (o->priority);
      row[5] = g_strdup (o->ordered_by);
      if (g_strcmp0 (o->status, "cancelled") == 0 && *o->cancel_delivery != '\0')
        row[6] = g_strdup_printf (_("cancelled (lab told: %s)"), o->cancel_delivery);
      else
        row[6] = g_strdup (o->status);
      row[7] = one_line (g_strcmp0 (o->status, "cancelled") == 0
                         ? (*o->cancel_error != '\0' ? o->cancel_error : o->cancel_reason)
                         : o->reason);
      g_ptr_array_add (rows, row);
    }
  ch_admin_print_table (rows, n_columns);
}

/* Prints what became of sending @order (or its cancellation); FALSE with
 * an error when the lab did not take it. */
static gboolean
report_delivery (const ChLabOrder  *order,
                 gboolean           cancel,
                 GError           **error)
{
  if (cancel)
    {
      if (*order->cancel_delivery == '\0')
        g_print (_("Order %s cancelled (the lab never had it)\n"), order->placer_number);
      else if (g_strcmp0 (order->cancel_delivery, "sent") == 0)
        g_print (_("Order %s cancelled; the cancellation was sent to %s\n"),
                 order->placer_number, order->target);
      else
        {
          g_print (_("Order %s cancelled; the lab was not told\n"), order->placer_number);
          g_set_error (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_FAILED,
                       _("The cancellation of order %s was not sent: %s (send it again with "
                         "“lab order-resend %s”)"), order->placer_number, order->cancel_error,
                       order->placer_number);
          return FALSE;
        }
      return TRUE;
    }

  if (g_strcmp0 (order->status, "failed") == 0 || g_strcmp0 (order->status, "pending") == 0)
    {
      g_print (_("Order %s for MRN %s: not sent\n"), order->placer_number, order->patient_mrn);
      g_set_error (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_FAILED,
                   _("Order %s was not sent: %s. It is kept: send it again with “lab "
                     "order-resend %s”"), order->placer_number, order->reason,
                   order->placer_number);
      return FALSE;
    }
  g_print (_("Order %s for MRN %s: sent to %s (message %s)\n"), order->placer_number,
           order->patient_mrn, order->target, order->control_id);
  return TRUE;
}

static gboolean
run_target (ChSession                     *session,
            const ChAdminLabOrderOptions  *opts,
            const char * const            *args,
            GError                       **error)
{
  g_autoptr (ChLabOrdersSettings) settings = ch_lab_orders_get_settings (session, error);

  if (settings == NULL)
    return FALSE;
  if (args[0] != NULL || opts->application != NULL || opts->facility != NULL)
    {
      if (args[0] != NULL)
        {
          g_free (settings->target);
          settings->target = g_strdup (g_strcmp0 (args[0], "none") == 0 ? "" : args[0]);
        }
      if (opts->application != NULL)
        {
          g_free (settings->receiving_application);
          settings->receiving_application = g_strdup (opts->application);
        }
      if (opts->facility != NULL)
        {
          g_free (settings->receiving_facility);
          settings->receiving_facility = g_strdup (opts->facility);
        }
      if (!ch_lab_orders_set_settings (session, settings, error))
        return FALSE;
      g_clear_pointer (&settings, ch_lab_orders_settings_free);
      settings = ch_lab_orders_get_settings (session, error);
      if (settings == NULL)
        return FALSE;
      g_printerr ("%s\n", _("Where lab orders go is saved."));
    }
  g_print (_("Target:      %s\n"), *settings->target != '\0' ? settings->target : _("none"));
  g_print (_("Application: %s\n"), settings->receiving_application);
  g_print (_("Facility:    %s\n"), settings->receiving_facility);
  return TRUE;
}

gboolean
ch_admin_lab_order_run (ChSession                     *session,
                        ChAdminLabOrderCommand         command,
                        const ChAdminLabOrderOptions  *opts,
                        const char * const            *args,
                        GError                       **error)
{
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autoptr (ChLabOrder) order = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GPtrArray) tests = NULL;

  switch (command)
    {
    case CH_ADMIN_LAB_ORDER:
      tests = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_lab_order_test_free);
      for (guint i = 0; opts->tests[i] != NULL; i++)
        {
          ChLabOrderTest *test = ch_lab_orders_parse_test (opts->tests[i], error);

          if (test == NULL)
            return FALSE;
          g_ptr_array_add (tests, test);
        }
      patient = ch_patients_get_by_mrn (session, opts->patient, error);
      if (patient == NULL)
        return FALSE;
      if (!ch_lab_orders_place (session, patient->id, tests, opts->priority,
                                opts->clinical_info, opts->note, &order, error))
        return FALSE;
      return report_delivery (order, FALSE, error);

    case CH_ADMIN_LAB_ORDERS:
      if (opts->patient != NULL)
        {
          patient = ch_patients_get_by_mrn (session, opts->patient, error);
          if (patient == NULL)
            return FALSE;
        }
      list = ch_lab_orders_list (session, patient != NULL ? patient->id : 0, opts->status, error);
      if (list == NULL)
        return FALSE;
      if (opts->json)
        {
          g_autofree char *text = orders_json (list);

          g_print ("%s\n", text);
        }
      else
        print_orders (list);
      return TRUE;

    case CH_ADMIN_LAB_ORDER_RESEND:
      if (!ch_lab_orders_resend (session, args[0], &order, error))
        return FALSE;
      return report_delivery (order, g_strcmp0 (order->status, "cancelled") == 0, error);

    case CH_ADMIN_LAB_ORDER_CANCEL:
      if (!ch_lab_orders_cancel (session, args[0], opts->reason, &order, error))
        return FALSE;
      return report_delivery (order, TRUE, error);

    case CH_ADMIN_LAB_ORDER_TARGET:
      return run_target (session, opts, args, error);

    default:
      g_return_val_if_reached (FALSE);
    }
}
