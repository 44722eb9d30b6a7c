/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-billing"

#include "config.h"

#include <glib/gi18n.h>

#include <inttypes.h>

#include <stdio.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-billing.h"
#include "ch-billing-desk-db.h"
#include "ch-csv-import.h"
#include "ch-import-db.h"
#include "ch-patient-db.h"
#include "ch-practice.h"
#include "ch-records.h"

/* Each write checks its input fully before the transaction opens, then
 * writes its rows and the audit entry together: a refused or failed call
 * leaves nothing behind. */

G_DEFINE_QUARK (ch-billing-error-quark, ch_billing_error)

static const char * const methods[] = { "cash", "card", "cheque", "transfer", "insurer", NULL };

static gboolean
fail (GError         **error,
      ChBillingError   code,
      const char      *format,
      ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError         **error,
      ChBillingError   code,
      const char      *format,
      ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, CH_BILLING_ERROR, code, message);
  return FALSE;
}

/* The store says NOT_FOUND in its own domain; callers of billing get ours. */
static void
translate_not_found (GError **error)
{
  if (error != NULL && *error != NULL
      && g_error_matches (*error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND))
    {
      (*error)->domain = CH_BILLING_ERROR;
      (*error)->code = CH_BILLING_ERROR_NOT_FOUND;
    }
}

gboolean
ch_billing_parse_amount (const char *text,
                         gint64     *out_cents)
{
  gint64 units = 0;
  int decimals = -1;
  const char *p;

  if (text == NULL || *text == '\0')
    return FALSE;
  for (p = text; *p != '\0'; p++)
    {
      if (*p == '.' && decimals < 0)
        {
          decimals = 0;
          continue;
        }
      if (!g_ascii_isdigit (*p) || decimals >= 2)
        return FALSE;
      units = units * 10 + (*p - '0');
      if (decimals >= 0)
        decimals++;
      if (units > CH_BILLING_MAX_AMOUNT_CENTS * 10)
        return FALSE;
    }
  if (p == text + 1 && decimals == 0)
    return FALSE;  /* "." alone */
  for (int i = MAX (decimals, 0); i < 2; i++)
    units *= 10;
  *out_cents = units;
  return TRUE;
}

char *
ch_billing_format_amount (gint64 cents)
{
  return g_strdup_printf ("%s%" PRId64 ".%02d", cents < 0 ? "-" : "",
                          ABS (cents) / 100, (int) (ABS (cents) % 100));
}

gboolean
ch_billing_method_is_valid (const char *method)
{
  return method != NULL && g_strv_contains (methods, method);
}

static gboolean
is_date (const char *text)
{
  int y, m, d;
  char tail;

  if (text == NULL || strlen (text) != 10
      || sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
    return FALSE;
  return g_date_valid_dmy (d, m, y);
}

static gboolean
has_control_chars (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20)
      return TRUE;
  return FALSE;
}

/* A procedure code as the fee schedule takes it: CPT (5 digits, or 4 and a
 * letter) and HCPCS level II (a letter and 4 digits) shapes, and a
 * practice's own codes of letters, digits and dashes, at most 12. */
static gboolean
is_code (const char *code)
{
  gsize len = strlen (code);

  if (len == 0 || len > 12)
    return FALSE;
  for (const char *p = code; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
check_reason (const char  *reason,
              GError     **error)
{
  if (reason == NULL || *reason == '\0')
    return fail (error, CH_BILLING_ERROR_INVALID, _("Give a reason"));
  if (g_utf8_strlen (reason, -1) > CH_BILLING_MAX_REASON || !g_utf8_validate (reason, -1, NULL)
      || has_control_chars (reason))
    return fail (error, CH_BILLING_ERROR_INVALID,
                 _("The reason must be one line of at most %d characters"), CH_BILLING_MAX_REASON);
  return TRUE;
}

static gboolean
check_amount (gint64    cents,
              GError  **error)
{
  if (cents <= 0 || cents > CH_BILLING_MAX_AMOUNT_CENTS)
    return fail (error, CH_BILLING_ERROR_INVALID,
                 _("The amount must be more than 0.00 and at most %" PRId64 ".00"),
                 CH_BILLING_MAX_AMOUNT_CENTS / 100);
  return TRUE;
}

/* ---- permissions ------------------------------------------------------------- */

/* Giving money back and giving up on it are the office manager's to decide:
 * the front desk takes payments but does not undo them. */
static gboolean
check_manager (ChSession  *session,
               GError    **error)
{
  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_WRITE, error))
    return FALSE;
  if (ch_session_get_role (session) != CH_ROLE_MANAGER)
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED,
                   _("Not allowed: only the office manager may import fees, refund, write off, "
                     "adjust or reverse (you are “%s”)"),
                   ch_role_get_label (ch_session_get_role (session)));
      return FALSE;
    }
  return TRUE;
}

/* The physician who saw the patient codes the visit; the front desk and the
 * office manager may too. */
static gboolean
check_charge (ChSession  *session,
              GError    **error)
{
  if (ch_session_can (session, CH_AREA_BILLING, CH_ACCESS_WRITE))
    return ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_WRITE, error);
  return ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error)
         && ch_session_check (session, CH_AREA_PRESCRIBING, CH_ACCESS_WRITE, error);
}

static gboolean
check_patient (ChStore  *store,
               gint64    patient_id,
               GError  **error)
{
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autoptr (GError) local = NULL;

  patient = ch_db_patient_get (store, patient_id, &local);
  if (patient == NULL)
    {
      if (g_error_matches (local, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND))
        return fail (error, CH_BILLING_ERROR_NOT_FOUND, _("No such patient"));
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

static char *
amount_detail (const char *what,
               gint64      cents)
{
  g_autofree char *amount = ch_billing_format_amount (cents);

  return g_strdup_printf ("%s %s", what, amount);
}

/* ---- fee schedule ---------------------------------------------------------- */

gboolean
ch_billing_fees_import (ChSession          *session,
                        const char         *path,
                        ChFeeImportResult  *out_result,
                        GError            **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (GPtrArray) fees = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_fee_free);
  g_autoptr (ChCsvTable) table = NULL;
  g_autofree char *data = NULL;
  g_autofree char *name = NULL;
  g_autofree char *detail = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ChFeeImportResult result = { 0 };
  gsize length;
  int col_code, col_desc, col_price, col_from, col_to;
  gboolean ok = TRUE;

  g_return_val_if_fail (path != NULL, FALSE);

  if (!check_manager (session, error))
    return FALSE;
  if (!g_file_get_contents (path, &data, &length, error))
    return FALSE;
  name = g_path_get_basename (path);
  table = ch_csv_parse (name, data, length, NULL, ',', error);
  if (table == NULL)
    return FALSE;
  col_code = ch_csv_table_column (table, "code");
  col_desc = ch_csv_table_column (table, "description");
  col_price = ch_csv_table_column (table, "price");
  col_from = ch_csv_table_column (table, "effective_from");
  col_to = ch_csv_table_column (table, "effective_to");
  if (col_code < 0 || col_desc < 0 || col_price < 0 || col_from < 0)
    return fail (error, CH_BILLING_ERROR_INVALID,
                 _("%s: the header must name the columns code, description, price and "
                   "effective_from (and optionally effective_to)"), name);

  for (guint i = 0; i < table->records->len; i++)
    {
      const ChCsvRecord *record = table->records->pdata[i];
      g_autoptr (ChFee) fee = g_new0 (ChFee, 1);
      const char *code, *desc, *price, *from, *to;
      g_autofree char *key = NULL;

#define FIELD(col) ((col) >= 0 && (guint) (col) < record->n_fields ? g_strstrip (record->fields[(col)]) : "")
      code = FIELD (col_code);
      desc = FIELD (col_desc);
      price = FIELD (col_price);
      from = FIELD (col_from);
      to = FIELD (col_to);
#undef FIELD
      if (*code == '\0' && *desc == '\0' && *price == '\0' && *from == '\0')
        continue;  /* a blank line */
      if (!is_code (code))
        return fail (error, CH_BILLING_ERROR_INVALID,
                     _("%s, line %u: “%s” is not a procedure code (letters, digits and "
                       "dashes, at most 12)"), name, record->line, code);
      if (*desc == '\0' || g_utf8_strlen (desc, -1) > CH_BILLING_MAX_DESCRIPTION
          || has_control_chars (desc))
        return fail (error, CH_BILLING_ERROR_INVALID,
                     _("%s, line %u: the description of %s must be one line of 1 to %d "
                       "characters"), name, record->line, code, CH_BILLING_MAX_DESCRIPTION);
      if (!ch_billing_parse_amount (price, &fee->price_cents)
          || fee->price_cents > CH_BILLING_MAX_AMOUNT_CENTS)
        return fail (error, CH_BILLING_ERROR_INVALID,
                     _("%s, line %u: “%s” is not a price (write it like 123.45)"),
                     name, record->line, price);
      if (!is_date (from))
        return fail (error, CH_BILLING_ERROR_INVALID,
                     _("%s, line %u: “%s” is not a date (YYYY-MM-DD)"), name, record->line, from);
      if (*to != '\0' && (!is_date (to) || strcmp (to, from) < 0))
        return fail (error, CH_BILLING_ERROR_INVALID,
                     _("%s, line %u: “%s” is not a date (YYYY-MM-DD) on or after %s"),
                     name, record->line, to, from);
      key = g_strdup_printf ("%s@%s", code, from);
      if (!g_hash_table_add (seen, g_steal_pointer (&key)))
        return fail (error, CH_BILLING_ERROR_INVALID,
                     _("%s, line %u: %s from %s is in the file twice"), name, record->line,
                     code, from);
      fee->code = g_ascii_strup (code, -1);
      fee->description = g_strdup (desc);
      fee->effective_from = g_strdup (from);
      fee->effective_to = *to != '\0' ? g_strdup (to) : NULL;
      g_ptr_array_add (fees, g_steal_pointer (&fee));
    }
  if (fees->len == 0)
    return fail (error, CH_BILLING_ERROR_INVALID, _("%s has no fees"), name);

  if (!ch_store_begin (store, error))
    return FALSE;
  for (guint i = 0; ok && i < fees->len; i++)
    {
      ChFee *fee = fees->pdata[i];
      gboolean existed = FALSE;

      ok = ch_db_fee_insert (store, fee, ch_session_get_username (session), &existed, error);
      if (ok && existed)
        result.unchanged++;
      else if (ok)
        result.added++;
    }
  detail = g_strdup_printf ("%s: %u added, %u unchanged", name, result.added, result.unchanged);
  ok = ok && ch_session_audit (session, CH_AUDIT_CREATE, "fee-schedule", name, 0, detail, error);
  if (!ch_store_commit_or_rollback (store, ok, error))
    return FALSE;
  if (out_result != NULL)
    *out_result = result;
  return TRUE;
}

GPtrArray *
ch_billing_fees_list (ChSession   *session,
                      const char  *on_date,
                      GError     **error)
{
  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_READ, error))
    return NULL;
  if (on_date != NULL && !is_date (on_date))
    {
      fail (error, CH_BILLING_ERROR_INVALID, _("“%s” is not a date (YYYY-MM-DD)"), on_date);
      return NULL;
    }
  return ch_db_fee_list (ch_session_get_store (session), on_date, error);
}

/* ---- encounters and charges ------------------------------------------------ */

GPtrArray *
ch_billing_encounters (ChSession  *session,
                       gint64      patient_id,
                       GError    **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (GPtrArray) list = NULL;

  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_READ, error))
    return NULL;
  if (!check_patient (store, patient_id, error))
    return NULL;
  list = ch_db_billing_encounter_list (store, patient_id, error);
  if (list == NULL)
    return NULL;
  if (!ch_session_audit (session, CH_AUDIT_VIEW, "billing-encounters", "", patient_id, NULL,
                         error))
    return NULL;
  return g_steal_pointer (&list);
}

static ChBillingEncounter *
get_encounter (ChStore  *store,
               gint64    encounter_id,
               GError  **error)
{
  ChBillingEncounter *encounter = ch_db_billing_encounter_get (store, encounter_id, error);

  if (encounter == NULL)
    translate_not_found (error);
  return encounter;
}

ChChargeLine *
ch_billing_charge_add (ChSession           *session,
                       gint64               encounter_id,
                       const char          *code,
                       gint64               units,
                       const char * const  *modifiers,
                       const char * const  *diagnoses,
                       GError             **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (ChBillingEncounter) encounter = NULL;
  g_autoptr (ChChargeLine) line = NULL;
  g_autoptr (ChFee) fee = NULL;
  g_autoptr (GString) mods = g_string_new (NULL);
  g_autofree char *upper = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *object_id = NULL;
  guint n;
  gboolean ok;

  g_return_val_if_fail (code != NULL, NULL);

  if (!check_charge (session, error))
    return NULL;
  if (units < 1 || units > CH_BILLING_MAX_UNITS)
    {
      fail (error, CH_BILLING_ERROR_INVALID, _("Units must be from 1 to %d"), CH_BILLING_MAX_UNITS);
      return NULL;
    }
  upper = g_ascii_strup (code, -1);
  if (!is_code (upper))
    {
      fail (error, CH_BILLING_ERROR_INVALID, _("“%s” is not a procedure code"), code);
      return NULL;
    }
  n = modifiers != NULL ? g_strv_length ((char **) modifiers) : 0;
  if (n > CH_BILLING_MAX_MODIFIERS)
    {
      fail (error, CH_BILLING_ERROR_INVALID, _("A charge takes at most %d modifiers"),
            CH_BILLING_MAX_MODIFIERS);
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    {
      const char *m = modifiers[i];

      if (strlen (m) != 2 || !g_ascii_isalnum (m[0]) || !g_ascii_isalnum (m[1]))
        {
          fail (error, CH_BILLING_ERROR_INVALID,
                _("“%s” is not a modifier (two letters or digits, such as 25)"), m);
          return NULL;
        }
      if (mods->len > 0)
        g_string_append_c (mods, ':');
      g_string_append (mods, m);
    }
  g_string_ascii_up (mods);

  encounter = get_encounter (store, encounter_id, error);
  if (encounter == NULL)
    return NULL;
  if (!encounter->active)
    {
      fail (error, CH_BILLING_ERROR_STATE, _("Encounter %" PRId64 " was entered in error"),
            encounter_id);
      return NULL;
    }
  if (encounter->ready)
    {
      fail (error, CH_BILLING_ERROR_STATE,
            _("Encounter %" PRId64 " is ready to bill and takes no more charges; "
              "reverse a wrong charge instead"), encounter_id);
      return NULL;
    }
  fee = ch_db_fee_lookup (store, upper, encounter->date, error);
  if (fee == NULL)
    {
      translate_not_found (error);
      return NULL;
    }

  line = g_new0 (ChChargeLine, 1);
  line->encounter_id = encounter_id;
  line->patient_id = encounter->patient_id;
  line->fee_id = fee->id;
  line->code = g_strdup (fee->code);
  line->service_date = g_strdup (encounter->date);
  line->units = units;
  line->unit_price_cents = fee->price_cents;
  line->modifiers = g_string_free (g_steal_pointer (&mods), FALSE);

  n = diagnoses != NULL ? g_strv_length ((char **) diagnoses) : 0;
  if (n > CH_BILLING_MAX_DX)
    {
      fail (error, CH_BILLING_ERROR_INVALID, _("A charge points to at most %d diagnoses"),
            CH_BILLING_MAX_DX);
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    {
      gint64 id = ch_db_billing_find_problem (store, encounter->patient_id, diagnoses[i], error);

      if (id < 0)
        return NULL;
      if (id == 0)
        {
          fail (error, CH_BILLING_ERROR_INVALID,
                _("%s is not an ICD-10 problem in this patient's chart"), diagnoses[i]);
          return NULL;
        }
      line->dx[i] = id;
    }

  if (!ch_store_begin (store, error))
    return NULL;
  ok = ch_db_charge_insert (store, line, ch_session_get_username (session), error);
  if (ok)
    {
      g_autofree char *amount = ch_billing_format_amount (line->amount_cents);

      object_id = g_strdup_printf ("%" PRId64, line->id);
      detail = g_strdup_printf ("encounter %" PRId64 ": %s × %" PRId64 " %s",
                                encounter_id, line->code, line->units, amount);
      ok = ch_session_audit (session, CH_AUDIT_CREATE, "charge", object_id, line->patient_id,
                             detail, error);
    }
  if (!ch_store_commit_or_rollback (store, ok, error))
    return NULL;
  return g_steal_pointer (&line);
}

GPtrArray *
ch_billing_charges (ChSession  *session,
                    gint64      encounter_id,
                    GError    **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (ChBillingEncounter) encounter = NULL;
  g_autofree char *object_id = NULL;
  g_autoptr (GPtrArray) lines = NULL;

  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_READ, error))
    return NULL;
  encounter = get_encounter (store, encounter_id, error);
  if (encounter == NULL)
    return NULL;
  lines = ch_db_charge_list (store, encounter_id, 0, error);
  object_id = g_strdup_printf ("%" PRId64, encounter_id);
  if (lines == NULL
      || !ch_session_audit (session, CH_AUDIT_VIEW, "charges", object_id, encounter->patient_id,
                            NULL, error))
    return NULL;
  return g_steal_pointer (&lines);
}

gboolean
ch_billing_mark_ready (ChSession  *session,
                       gint64      encounter_id,
                       GError    **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (ChBillingEncounter) encounter = NULL;
  g_autofree char *object_id = NULL;
  g_autofree char *detail = NULL;
  gboolean ok;

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error)
      || !ch_session_check (session, CH_AREA_PRESCRIBING, CH_ACCESS_WRITE, error))
    return FALSE;
  encounter = get_encounter (store, encounter_id, error);
  if (encounter == NULL)
    return FALSE;
  if (encounter->ready)
    return fail (error, CH_BILLING_ERROR_STATE,
                 _("Encounter %" PRId64 " is already ready to bill"), encounter_id);
  if (!encounter->active)
    return fail (error, CH_BILLING_ERROR_STATE,
                 _("Encounter %" PRId64 " was entered in error"), encounter_id);
  if (encounter->n_lines == 0)
    return fail (error, CH_BILLING_ERROR_STATE,
                 _("Encounter %" PRId64 " has no charges to bill"), encounter_id);

  object_id = g_strdup_printf ("%" PRId64, encounter_id);
  detail = amount_detail ("ready to bill:", encounter->charged_cents);
  if (!ch_store_begin (store, error))
    return FALSE;
  ok = ch_db_billing_mark_ready (store, encounter_id, ch_session_get_username (session), error)
       && ch_session_audit (session, CH_AUDIT_UPDATE, "billing-encounter", object_id,
                            encounter->patient_id, detail, error);
  return ch_store_commit_or_rollback (store, ok, error);
}

/* ---- payments ---------------------------------------------------------------- */

/* Checks that @allocation may be added to @payment, counting what earlier
 * allocations of this call (@pending: line id → cents) already took. */
static gboolean
check_allocation (ChStore             *store,
                  const ChPayment     *payment,
                  const ChAllocation  *allocation,
                  GHashTable          *pending,
                  GError             **error)
{
  g_autoptr (ChChargeLine) line = NULL;
  gint64 already;

  if (allocation->amount_cents <= 0)
    return fail (error, CH_BILLING_ERROR_INVALID, _("An allocation must be more than 0.00"));
  line = ch_db_charge_get (store, allocation->charge_line_id, error);
  if (line == NULL)
    {
      translate_not_found (error);
      return FALSE;
    }
  if (line->patient_id != payment->patient_id)
    return fail (error, CH_BILLING_ERROR_INVALID,
                 _("Charge line %" PRId64 " is another patient's"), line->id);
  if (line->reversed)
    return fail (error, CH_BILLING_ERROR_STATE,
                 _("Charge line %" PRId64 " was reversed"), line->id);
  already = GPOINTER_TO_SIZE (g_hash_table_lookup (pending, &line->id));
  if (line->allocated_cents + already + allocation->amount_cents > line->amount_cents)
    {
      g_autofree char *open = ch_billing_format_amount (line->amount_cents - line->allocated_cents
                                                        - already);

      return fail (error, CH_BILLING_ERROR_INVALID,
                   _("Charge line %" PRId64 " has only %s left to pay"), line->id, open);
    }
  return TRUE;
}

static gboolean
check_allocations (ChStore             *store,
                   const ChPayment     *payment,
                   gint64               already_allocated,
                   const ChAllocation  *allocations,
                   guint                n_allocations,
                   GError             **error)
{
  g_autoptr (GHashTable) pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gint64 total = already_allocated;

  for (guint i = 0; i < n_allocations; i++)
    {
      gint64 *key;
      gsize sum;

      if (!check_allocation (store, payment, &allocations[i], pending, error))
        return FALSE;
      total += allocations[i].amount_cents;
      if (total > payment->amount_cents)
        return fail (error, CH_BILLING_ERROR_INVALID,
                     _("The allocations come to more than the payment"));
      sum = GPOINTER_TO_SIZE (g_hash_table_lookup (pending, &allocations[i].charge_line_id));
      key = g_memdup2 (&allocations[i].charge_line_id, sizeof *key);
      g_hash_table_replace (pending, key,
                            GSIZE_TO_POINTER (sum + (gsize) allocations[i].amount_cents));
    }
  return TRUE;
}

ChPayment *
ch_billing_pay (ChSession           *session,
                gint64               patient_id,
                gint64               amount_cents,
                const char          *method,
                const char          *reference,
                const ChAllocation  *allocations,
                guint                n_allocations,
                GError             **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (ChPayment) payment = g_new0 (ChPayment, 1);
  g_autofree char *object_id = NULL;
  g_autofree char *detail = NULL;
  gboolean ok;

  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_WRITE, error))
    return NULL;
  if (!ch_billing_method_is_valid (method))
    {
      fail (error, CH_BILLING_ERROR_INVALID,
            _("“%s” is not a payment method (cash, card, cheque, transfer or insurer)"),
            method ? method : "");
      return NULL;
    }
  if (!check_amount (amount_cents, error))
    return NULL;
  if (reference != NULL && (g_utf8_strlen (reference, -1) > CH_BILLING_MAX_REFERENCE
                            || !g_utf8_validate (reference, -1, NULL)
                            || has_control_chars (reference)))
    {
      fail (error, CH_BILLING_ERROR_INVALID,
            _("The reference must be one line of at most %d characters"), CH_BILLING_MAX_REFERENCE);
      return NULL;
    }
  /* A card payment is only traceable to the terminal's slip by its reference. */
  if (g_str_equal (method, "card") && (reference == NULL || *reference == '\0'))
    {
      fail (error, CH_BILLING_ERROR_INVALID,
            _("A card payment needs the card terminal's reference"));
      return NULL;
    }
  if (!check_patient (store, patient_id, error))
    return NULL;

  payment->patient_id = patient_id;
  payment->method = g_strdup (method);
  payment->reference = g_strdup (reference ? reference : "");
  payment->amount_cents = amount_cents;
  if (!check_allocations (store, payment, 0, allocations, n_allocations, error))
    return NULL;

  if (!ch_store_begin (store, error))
    return NULL;
  ok = ch_db_payment_insert (store, payment, ch_session_get_username (session), error);
  for (guint i = 0; ok && i < n_allocations; i++)
    ok = ch_db_allocation_insert (store, payment->id, allocations[i].charge_line_id,
                                  allocations[i].amount_cents, ch_session_get_username (session),
                                  error);
  if (ok)
    {
      g_autofree char *amount = ch_billing_format_amount (amount_cents);

      object_id = g_strdup_printf ("%" PRId64, payment->id);
      detail = g_strdup_printf ("%s %s%s%s, %u allocation(s)", method, amount,
                                *payment->reference ? " ref " : "", payment->reference,
                                n_allocations);
      ok = ch_session_audit (session, CH_AUDIT_CREATE, "payment", object_id, patient_id, detail,
                             error);
    }
  if (!ch_store_commit_or_rollback (store, ok, error))
    return NULL;
  return g_steal_pointer (&payment);
}

gboolean
ch_billing_allocate (ChSession           *session,
                     gint64               payment_id,
                     const ChAllocation  *allocation,
                     GError             **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (ChPayment) payment = NULL;
  g_autoptr (ChLedgerEntry) entry = NULL;
  g_autofree char *object_id = NULL;
  g_autofree char *detail = NULL;
  gint64 allocated;
  gboolean ok;

  g_return_val_if_fail (allocation != NULL, FALSE);

  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_WRITE, error))
    return FALSE;
  payment = ch_db_payment_get (store, payment_id, error);
  if (payment == NULL)
    {
      translate_not_found (error);
      return FALSE;
    }
  entry = ch_db_ledger_get (store, payment->ledger_entry_id, error);
  if (entry == NULL)
    return FALSE;
  if (entry->reversed_by != 0)
    return fail (error, CH_BILLING_ERROR_STATE,
                 _("Payment %" PRId64 " was reversed"), payment_id);
  allocated = ch_db_payment_allocated (store, payment_id, error);
  if (allocated < 0
      || !check_allocations (store, payment, allocated, allocation, 1, error))
    return FALSE;

  object_id = g_strdup_printf ("%" PRId64, payment_id);
  detail = g_strdup_printf ("line %" PRId64 ": %" PRId64 " cents",
                            allocation->charge_line_id, allocation->amount_cents);
  if (!ch_store_begin (store, error))
    return FALSE;
  ok = ch_db_allocation_insert (store, payment_id, allocation->charge_line_id,
                                allocation->amount_cents, ch_session_get_username (session), error)
       && ch_session_audit (session, CH_AUDIT_UPDATE, "payment", object_id, payment->patient_id,
                            detail, error);
  return ch_store_commit_or_rollback (store, ok, error);
}

static int
compare_oldest (gconstpointer a,
                gconstpointer b)
{
  const ChChargeLine *la = *(ChChargeLine * const *) a;
  const ChChargeLine *lb = *(ChChargeLine * const *) b;
  int c = strcmp (la->service_date, lb->service_date);

  if (c != 0)
    return c;
  return (la->id > lb->id) - (la->id < lb->id);
}

gint64
ch_billing_apply_credit (ChSession  *session,
                         gint64      patient_id,
                         GError    **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (GPtrArray) payments = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  g_autoptr (GArray) plan = g_array_new (FALSE, FALSE, sizeof (ChAllocation));
  g_autoptr (GArray) plan_payments = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree gint64 *owed = NULL;
  g_autofree char *detail = NULL;
  gint64 applied = 0;
  guint next_line = 0;
  gboolean ok = TRUE;

  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_WRITE, error))
    return -1;
  payments = ch_db_desk_patient_payments (store, patient_id, error);
  if (payments == NULL)
    return -1;
  lines = ch_db_charge_list (store, 0, patient_id, error);
  if (lines == NULL)
    return -1;
  g_ptr_array_sort (lines, compare_oldest);
  owed = g_new0 (gint64, lines->len + 1);
  for (guint i = 0; i < lines->len; i++)
    owed[i] = ch_charge_line_owed (lines->pdata[i]);

  /* Each payment's rest, oldest payment first, to the oldest lines owed. */
  for (guint p = 0; p < payments->len && next_line < lines->len; p++)
    {
      const ChPayment *payment = payments->pdata[p];
      g_autoptr (ChLedgerEntry) entry = ch_db_ledger_get (store, payment->ledger_entry_id, error);
      gint64 allocated, left;

      if (entry == NULL)
        return -1;
      if (entry->reversed_by != 0)
        continue;
      allocated = ch_db_payment_allocated (store, payment->id, error);
      if (allocated < 0)
        return -1;
      left = payment->amount_cents - allocated;
      while (left > 0 && next_line < lines->len)
        {
          ChAllocation allocation = { ((ChChargeLine *) lines->pdata[next_line])->id,
                                      MIN (left, owed[next_line]) };

          if (allocation.amount_cents > 0)
            {
              g_array_append_val (plan, allocation);
              g_array_append_val (plan_payments, payment->id);
              owed[next_line] -= allocation.amount_cents;
              left -= allocation.amount_cents;
              applied += allocation.amount_cents;
            }
          if (owed[next_line] == 0)
            next_line++;
        }
    }
  if (plan->len == 0)
    {
      fail (error, CH_BILLING_ERROR_STATE,
            _("Nothing to apply: no payment has money left that is not allocated, or no line "
              "is still owed"));
      return -1;
    }

  detail = g_strdup_printf ("%" PRId64 " cents applied in %u allocations", applied, plan->len);
  if (!ch_store_begin (store, error))
    return -1;
  for (guint i = 0; ok && i < plan->len; i++)
    {
      const ChAllocation *a = &g_array_index (plan, ChAllocation, i);

      ok = ch_db_allocation_insert (store, g_array_index (plan_payments, gint64, i),
                                    a->charge_line_id, a->amount_cents,
                                    ch_session_get_username (session), error);
    }
  ok = ok && ch_session_audit (session, CH_AUDIT_UPDATE, "payment", "credit", patient_id, detail,
                               error);
  if (!ch_store_commit_or_rollback (store, ok, error))
    return -1;
  return applied;
}

/* ---- refunds, write-offs, adjustments, reversals --------------------------- */

static ChLedgerEntry *
post_entry (ChSession      *session,
            ChLedgerEntry  *entry,
            const char     *object_type,
            GError        **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autofree char *object_id = NULL;
  g_autofree char *detail = NULL;
  gboolean ok;

  if (!ch_store_begin (store, error))
    return NULL;
  ok = ch_db_ledger_insert (store, entry, ch_session_get_username (session), error);
  if (ok)
    {
      g_autofree char *amount = ch_billing_format_amount (entry->amount_cents);

      object_id = g_strdup_printf ("%" PRId64, entry->id);
      detail = g_strdup_printf ("%s %s: %s", entry->kind, amount, entry->reason);
      ok = ch_session_audit (session, CH_AUDIT_CREATE, object_type, object_id, entry->patient_id,
                             detail, error);
    }
  if (!ch_store_commit_or_rollback (store, ok, error))
    return NULL;
  return entry;
}

ChLedgerEntry *
ch_billing_refund (ChSession   *session,
                   gint64       patient_id,
                   gint64       amount_cents,
                   const char  *method,
                   const char  *reason,
                   GError     **error)
{
  g_autoptr (ChLedgerEntry) entry = ch_ledger_entry_new ();

  if (!check_manager (session, error) || !check_amount (amount_cents, error)
      || !check_reason (reason, error))
    return NULL;
  if (!ch_billing_method_is_valid (method))
    {
      fail (error, CH_BILLING_ERROR_INVALID,
            _("“%s” is not a payment method (cash, card, cheque, transfer or insurer)"),
            method ? method : "");
      return NULL;
    }
  if (!check_patient (ch_session_get_store (session), patient_id, error))
    return NULL;
  entry->patient_id = patient_id;
  entry->kind = g_strdup ("refund");
  entry->amount_cents = amount_cents;
  entry->method = g_strdup (method);
  entry->reason = g_strdup (reason);
  if (post_entry (session, entry, "refund", error) == NULL)
    return NULL;
  return g_steal_pointer (&entry);
}

ChLedgerEntry *
ch_billing_write_off (ChSession   *session,
                      gint64       patient_id,
                      gint64       amount_cents,
                      gint64       charge_line_id,
                      const char  *reason,
                      GError     **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (ChLedgerEntry) entry = ch_ledger_entry_new ();

  if (!check_manager (session, error) || !check_amount (amount_cents, error)
      || !check_reason (reason, error) || !check_patient (store, patient_id, error))
    return NULL;
  if (charge_line_id != 0)
    {
      g_autoptr (ChChargeLine) line = ch_db_charge_get (store, charge_line_id, error);

      if (line == NULL)
        {
          translate_not_found (error);
          return NULL;
        }
      if (line->patient_id != patient_id)
        {
          fail (error, CH_BILLING_ERROR_INVALID,
                _("Charge line %" PRId64 " is another patient's"), charge_line_id);
          return NULL;
        }
    }
  entry->patient_id = patient_id;
  entry->kind = g_strdup ("write-off");
  entry->amount_cents = -amount_cents;
  entry->charge_line_id = charge_line_id;
  entry->reason = g_strdup (reason);
  if (post_entry (session, entry, "write-off", error) == NULL)
    return NULL;
  return g_steal_pointer (&entry);
}

ChLedgerEntry *
ch_billing_adjust (ChSession   *session,
                   gint64       patient_id,
                   gint64       amount_cents,
                   const char  *reason,
                   GError     **error)
{
  g_autoptr (ChLedgerEntry) entry = ch_ledger_entry_new ();

  if (!check_manager (session, error) || !check_amount (ABS (amount_cents), error)
      || !check_reason (reason, error)
      || !check_patient (ch_session_get_store (session), patient_id, error))
    return NULL;
  entry->patient_id = patient_id;
  entry->kind = g_strdup ("adjustment");
  entry->amount_cents = amount_cents;
  entry->reason = g_strdup (reason);
  if (post_entry (session, entry, "adjustment", error) == NULL)
    return NULL;
  return g_steal_pointer (&entry);
}

ChLedgerEntry *
ch_billing_reverse (ChSession   *session,
                    gint64       entry_id,
                    const char  *reason,
                    GError     **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (ChLedgerEntry) original = NULL;
  g_autoptr (ChLedgerEntry) entry = ch_ledger_entry_new ();

  if (!check_manager (session, error) || !check_reason (reason, error))
    return NULL;
  original = ch_db_ledger_get (store, entry_id, error);
  if (original == NULL)
    {
      translate_not_found (error);
      return NULL;
    }
  if (g_str_equal (original->kind, "reversal"))
    {
      fail (error, CH_BILLING_ERROR_STATE,
            _("Entry %" PRId64 " is itself a reversal; post the right entry again "
              "instead"), entry_id);
      return NULL;
    }
  if (original->reversed_by != 0)
    {
      fail (error, CH_BILLING_ERROR_STATE,
            _("Entry %" PRId64 " was already reversed by entry %" PRId64),
            entry_id, original->reversed_by);
      return NULL;
    }
  entry->patient_id = original->patient_id;
  entry->kind = g_strdup ("reversal");
  entry->amount_cents = -original->amount_cents;
  entry->charge_line_id = original->charge_line_id;
  entry->reverses = original->id;
  entry->reason = g_strdup (reason);
  if (post_entry (session, entry, "reversal", error) == NULL)
    return NULL;
  return g_steal_pointer (&entry);
}

/* ---- opening balances and the ledger --------------------------------------- */

/* Posts one opening balance, with its audit entry, in the caller's
 * transaction; *@out_posted says whether it was still to post. */
static gboolean
post_opening_balance (ChSession               *session,
                      const ChOpeningBalance  *b,
                      gboolean                *out_posted,
                      GError                 **error)
{
  g_autofree char *reason = NULL;
  g_autofree char *object_id = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *amount = NULL;
  gint64 entry_id = 0;

  reason = *b->as_of != '\0'
           ? g_strdup_printf ("Opening balance from %s as of %s", b->source, b->as_of)
           : g_strdup_printf ("Opening balance from %s", b->source);
  if (!ch_db_opening_balance_post (ch_session_get_store (session), b->id, b->patient_id,
                                   b->amount_cents, reason, ch_session_get_username (session),
                                   &entry_id, error))
    return FALSE;
  *out_posted = entry_id != 0;
  if (entry_id == 0)
    return TRUE;
  amount = ch_billing_format_amount (b->amount_cents);
  object_id = g_strdup_printf ("%" PRId64, entry_id);
  detail = g_strdup_printf ("opening %s (import balance %" PRId64 ")", amount, b->id);
  return ch_session_audit (session, CH_AUDIT_CREATE, "opening-balance", object_id, b->patient_id,
                           detail, error);
}

gboolean
ch_billing_post_opening_balances (ChSession  *session,
                                  gint64      patient_id,
                                  guint      *out_posted,
                                  GError    **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (GPtrArray) balances = NULL;
  gboolean any = FALSE;
  gboolean ok = TRUE;
  guint posted = 0;

  if (out_posted != NULL)
    *out_posted = 0;
  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_WRITE, error))
    return FALSE;
  balances = ch_db_opening_balance_list (store, patient_id, error);
  if (balances == NULL)
    return FALSE;
  for (guint i = 0; i < balances->len; i++)
    any = any || ((ChOpeningBalance *) balances->pdata[i])->posted_at == 0;
  if (!any)
    return TRUE;

  /* One transaction for all of them: a failure posts none, and the next
   * call tries them all again. */
  if (!ch_store_begin (store, error))
    return FALSE;
  for (guint i = 0; ok && i < balances->len; i++)
    {
      const ChOpeningBalance *b = balances->pdata[i];
      gboolean done = FALSE;

      if (b->posted_at != 0)
        continue;
      ok = post_opening_balance (session, b, &done, error);
      if (ok && done)
        posted++;
    }
  if (!ch_store_commit_or_rollback (store, ok, error))
    return FALSE;
  if (out_posted != NULL)
    *out_posted = posted;
  return TRUE;
}

GPtrArray *
ch_billing_ledger (ChSession  *session,
                   gint64      patient_id,
                   gint64     *out_balance,
                   GError    **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (GPtrArray) entries = NULL;
  g_autofree char *detail = NULL;
  gint64 balance = 0;

  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_READ, error)
      || !check_patient (store, patient_id, error))
    return NULL;
  if (ch_session_can (session, CH_AREA_BILLING, CH_ACCESS_WRITE)
      && !ch_billing_post_opening_balances (session, patient_id, NULL, error))
    return NULL;
  entries = ch_db_ledger_list (store, patient_id, error);
  if (entries == NULL)
    return NULL;
  for (guint i = 0; i < entries->len; i++)
    balance += ((ChLedgerEntry *) entries->pdata[i])->amount_cents;
  detail = amount_detail ("balance", balance);
  if (!ch_session_audit (session, CH_AUDIT_VIEW, "ledger", "", patient_id, detail, error))
    return NULL;
  if (out_balance != NULL)
    *out_balance = balance;
  return g_steal_pointer (&entries);
}
