/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-billing-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* Billing: the fee schedule, charges per encounter, payments and the patient
 * ledger (issue 9, first step). Every change is one transaction with its
 * audit entry; nothing is changed or deleted afterwards, a correction is a
 * reversing entry (ch_billing_reverse()). A patient's balance is the sum of
 * their ledger entries.
 *
 * Permissions (app/auth/ch-roles.c):
 * - reading the fee schedule, the ledger and encounters' charges: read
 *   access to billing (physician, front desk, office manager);
 * - importing the fee schedule, refunds, write-offs, adjustments and
 *   reversals: the office manager;
 * - charges: write access to billing, or a prescriber (a physician, at the
 *   encounter);
 * - marking an encounter ready to bill: a physician (clinical record and
 *   prescribing, written);
 * - payments and their allocation: write access to billing (front desk,
 *   office manager). */

#define CH_BILLING_ERROR (ch_billing_error_quark ())

typedef enum
{
  CH_BILLING_ERROR_FAILED,
  CH_BILLING_ERROR_NOT_FOUND,   /* no such encounter, code, line, entry or patient */
  CH_BILLING_ERROR_INVALID,     /* bad input: a bad amount, code, modifier, CSV row … */
  CH_BILLING_ERROR_STATE,       /* not now: the encounter is ready, the entry reversed … */
} ChBillingError;

/* Longest reason, reference and description accepted, in characters. */
#define CH_BILLING_MAX_REASON      500
#define CH_BILLING_MAX_REFERENCE   100
#define CH_BILLING_MAX_DESCRIPTION 200
#define CH_BILLING_MAX_MODIFIERS   4
#define CH_BILLING_MAX_DX          4
#define CH_BILLING_MAX_UNITS       999
/* A payment, refund or adjustment larger than this is a typing mistake. */
#define CH_BILLING_MAX_AMOUNT_CENTS ((gint64) 100000000)

GQuark      ch_billing_error_quark       (void);

/* Reads "12.34", "12", "0.5" (at most two decimals, no sign) into cents. */
gboolean    ch_billing_parse_amount      (const char          *text,
                                          gint64              *out_cents);
/* "-12.34" for negative amounts. Returns: (transfer full) */
char       *ch_billing_format_amount     (gint64               cents);
/* The method names payments take: cash, card, cheque, transfer, insurer. */
gboolean    ch_billing_method_is_valid   (const char          *method);

typedef struct
{
  guint  added;     /* new versions stored */
  guint  unchanged; /* already there, the same */
} ChFeeImportResult;

/* Reads a fee schedule CSV (header: code, description, price, effective_from
 * and optionally effective_to; prices like 123.45, dates YYYY-MM-DD) and adds
 * its versions. Every row is checked first: one bad row fails the whole file
 * with CH_BILLING_ERROR_INVALID naming its line, and nothing is stored. */
gboolean    ch_billing_fees_import       (ChSession           *session,
                                          const char          *path,
                                          ChFeeImportResult   *out_result,
                                          GError             **error);
/* @on_date: (nullable): the versions in force that day (YYYY-MM-DD); NULL: all.
 * Returns: (transfer full) (element-type ChFee) */
GPtrArray  *ch_billing_fees_list         (ChSession           *session,
                                          const char          *on_date,
                                          GError             **error);

/* Returns: (transfer full) (element-type ChBillingEncounter): newest first */
GPtrArray  *ch_billing_encounters        (ChSession           *session,
                                          gint64               patient_id,
                                          GError             **error);

/**
 * ch_billing_charge_add:
 * @modifiers: (nullable) (array zero-terminated=1): up to 4 two-character modifiers
 * @diagnoses: (nullable) (array zero-terminated=1): up to 4 ICD-10 codes, each a
 *   problem in the patient's chart
 *
 * Adds a charge line to an open encounter at the price of @code in force on
 * the encounter's date, and posts it to the ledger.
 *
 * Returns: (transfer full) (nullable): the line
 */
ChChargeLine *ch_billing_charge_add      (ChSession           *session,
                                          gint64               encounter_id,
                                          const char          *code,
                                          gint64               units,
                                          const char * const  *modifiers,
                                          const char * const  *diagnoses,
                                          GError             **error);
/* Returns: (transfer full) (element-type ChChargeLine): the encounter's lines */
GPtrArray  *ch_billing_charges           (ChSession           *session,
                                          gint64               encounter_id,
                                          GError             **error);
/* Marks an encounter with at least one charge ready to bill; it then takes
 * no more charges. */
gboolean    ch_billing_mark_ready        (ChSession           *session,
                                          gint64               encounter_id,
                                          GError             **error);

typedef struct
{
  gint64  charge_line_id;
  gint64  amount_cents;
} ChAllocation;

/**
 * ch_billing_pay:
 * @allocations: (array length=n_allocations) (nullable): to the patient's lines;
 *   together at most the payment, each at most what the line still owes
 *
 * Returns: (transfer full) (nullable): the payment
 */
ChPayment  *ch_billing_pay               (ChSession           *session,
                                          gint64               patient_id,
                                          gint64               amount_cents,
                                          const char          *method,
                                          const char          *reference,
                                          const ChAllocation  *allocations,
                                          guint                n_allocations,
                                          GError             **error);
/* Applies what the patient's payments have not allocated yet (a credit
 * paid ahead, a payment taken before its charges) to the lines still owed:
 * each payment's rest, oldest payment first, to the oldest lines first, in
 * one transaction. Needs write access to billing; audited.
 * Returns: the cents applied, or -1 with @error set (CH_BILLING_ERROR_STATE
 * when there is nothing to apply) */
gint64      ch_billing_apply_credit      (ChSession           *session,
                                          gint64               patient_id,
                                          GError             **error);
/* Allocates (more of) an earlier payment to a line. */
gboolean    ch_billing_allocate          (ChSession           *session,
                                          gint64               payment_id,
                                          const ChAllocation  *allocation,
                                          GError             **error);

/* Money paid back to the patient (@amount_cents > 0). Returns: (transfer full) (nullable) */
ChLedgerEntry *ch_billing_refund         (ChSession           *session,
                                          gint64               patient_id,
                                          gint64               amount_cents,
                                          const char          *method,
                                          const char          *reason,
                                          GError             **error);
/* What the practice gives up (@amount_cents > 0; @charge_line_id: 0 or a line
 * of the patient's). Returns: (transfer full) (nullable) */
ChLedgerEntry *ch_billing_write_off      (ChSession           *session,
                                          gint64               patient_id,
                                          gint64               amount_cents,
                                          gint64               charge_line_id,
                                          const char          *reason,
                                          GError             **error);
/* @amount_cents: signed, non-zero; positive when the patient owes more.
 * Returns: (transfer full) (nullable) */
ChLedgerEntry *ch_billing_adjust         (ChSession           *session,
                                          gint64               patient_id,
                                          gint64               amount_cents,
                                          const char          *reason,
                                          GError             **error);
/* Posts the reversing entry of @entry_id (not itself a reversal, and not
 * reversed before). Returns: (transfer full) (nullable): the new entry */
ChLedgerEntry *ch_billing_reverse        (ChSession           *session,
                                          gint64               entry_id,
                                          const char          *reason,
                                          GError             **error);

/* Takes in the opening balances the CSV migration kept (@patient_id: 0 for
 * every patient) that are not posted yet, each once, as 'opening' entries.
 * Needs write access to billing. */
gboolean    ch_billing_post_opening_balances (ChSession       *session,
                                              gint64           patient_id,
                                              guint           *out_posted,
                                              GError         **error);

/* The patient's entries, oldest first, and their balance (the sum). Opening
 * balances not yet taken in are posted first when the user may write to
 * billing, so that the balance read is the one the old system had.
 * Returns: (transfer full) (element-type ChLedgerEntry) (nullable) */
GPtrArray  *ch_billing_ledger            (ChSession           *session,
                                          gint64               patient_id,
                                          gint64              *out_balance,
                                          GError             **error);

G_END_DECLS
