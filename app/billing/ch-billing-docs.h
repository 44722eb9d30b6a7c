/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-billing.h"
#include "ch-cash-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* Billing print-outs (issue 9): an encounter's invoice, a patient's
 * statement and the daily close, as A4 PDF pages with the practice's name
 * and address on top, tables whose head repeats on every page, and
 * "Page X of N" at the foot. Amounts are printed as ch_report_format_value()
 * writes money.
 *
 * Permissions: printing needs read access to billing (physician, front
 * desk, office manager); closing the cash drawer needs write access (front
 * desk, office manager). Every print-out is audited ("print"): an invoice
 * or a statement in its patient's access history, a daily close under each
 * patient whose money it lists. The _write() functions write the file
 * through a temporary one renamed into place (0600) and audit only once it
 * exists. Rendering takes a moment: run them in a GTask off the main
 * thread.
 *
 * Errors: CH_AUTH_ERROR (permission), CH_BILLING_ERROR (NOT_FOUND: no such
 * encounter or patient; INVALID: a bad date, amount or text; STATE: an
 * encounter with nothing to bill, no insurance to bill, a day closed
 * already), G_FILE_ERROR when the file cannot be written, the store's. */

typedef enum
{
  CH_INVOICE_TO_PATIENT,
  CH_INVOICE_TO_INSURER,   /* the patient's primary active policy on the day of service */
} ChInvoiceRecipient;

/* The invoice number of an encounter, stable across print-outs: "INV-000123".
 * Returns: (transfer full) */
char      *ch_billing_invoice_number    (gint64               encounter_id);

/* The encounter's lines (code, description, modifiers, units, unit price,
 * amount; reversed lines shown as such and not counted), its diagnoses in
 * words, the payments and write-offs applied to its lines, and what is
 * still due. Returns: (transfer full) (nullable): the PDF */
GBytes    *ch_billing_invoice_pdf       (ChSession           *session,
                                         gint64               encounter_id,
                                         ChInvoiceRecipient   to,
                                         GError             **error);
gboolean   ch_billing_invoice_write     (ChSession           *session,
                                         gint64               encounter_id,
                                         ChInvoiceRecipient   to,
                                         const char          *path,
                                         GError             **error);

/* @from, @to: (nullable): local days YYYY-MM-DD, inclusive; by default the
 * 90 days up to today. The balance at the end of the day before @from,
 * every ledger entry of the period in words with the running balance, the
 * balance at the end of @to (the ledger's balance that day), its ageing
 * (current, 31–60, 61–90, over 90 days, by the date each amount was posted,
 * credits taken off the oldest first) and the amount due.
 * Returns: (transfer full) (nullable): the PDF */
GBytes    *ch_billing_statement_pdf     (ChSession           *session,
                                         gint64               patient_id,
                                         const char          *from,
                                         const char          *to,
                                         GError             **error);
gboolean   ch_billing_statement_write   (ChSession           *session,
                                         gint64               patient_id,
                                         const char          *from,
                                         const char          *to,
                                         const char          *path,
                                         GError             **error);

/* What the cash drawer should hold at the end of local day @day (YYYY-MM-DD):
 * @float_cents + the day's cash payments − the day's cash refunds (those
 * not reversed since). */
gboolean   ch_billing_cash_expected     (ChSession           *session,
                                         const char          *day,
                                         gint64               float_cents,
                                         gint64              *out_expected,
                                         GError             **error);

/**
 * ch_billing_close_day:
 * @note: (nullable): one line, for the record
 * @reopen_reason: (nullable): needed, and only allowed, when @day was closed
 *   before: the new close supersedes the one that counted
 * @path: (nullable): also write the daily close PDF there; when it cannot
 *   be written nothing is recorded
 *
 * Records the close of @day (today or before): the float, the cash
 * expected, the cash counted and the difference (over when positive, short
 * when negative). Needs write access to billing; audited.
 *
 * Returns: (transfer full) (nullable): the close recorded
 */
ChCashClose *ch_billing_close_day       (ChSession           *session,
                                         const char          *day,
                                         gint64               float_cents,
                                         gint64               counted_cents,
                                         const char          *note,
                                         const char          *reopen_reason,
                                         const char          *path,
                                         GError             **error);

/* The daily close of @day as a PDF: the charges posted that day by provider
 * and code, the payments received by method (card payments with their
 * terminal references), refunds by method, reversals, and the cash drawer:
 * as closed ("Closed by … at …") when it was, else a preview with
 * @preview_float_cents (-1: none given, 0 is used) and nothing counted.
 * Returns: (transfer full) (nullable) */
GBytes    *ch_billing_close_pdf         (ChSession           *session,
                                         const char          *day,
                                         gint64               preview_float_cents,
                                         GError             **error);
gboolean   ch_billing_close_write       (ChSession           *session,
                                         const char          *day,
                                         gint64               preview_float_cents,
                                         const char          *path,
                                         GError             **error);

/* @day: (nullable): one day's closes, or all. Needs read access to billing.
 * Returns: (transfer full) (element-type ChCashClose): by day, then as made */
GPtrArray *ch_billing_closes            (ChSession           *session,
                                         const char          *day,
                                         GError             **error);

G_END_DECLS
