/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-store.h"

G_BEGIN_DECLS

/* Billing records (schema 0018): the fee schedule, charge lines, payments,
 * their allocation to lines, and the append-only patient ledger. Amounts are
 * integer cents, signed from the patient's side in the ledger (positive:
 * they owe more). None of these functions opens a transaction: the caller
 * (app/billing/) wraps a change and its audit entry in one. */

typedef struct
{
  gint64  id;
  char   *code;
  char   *description;
  gint64  price_cents;
  char   *effective_from;   /* YYYY-MM-DD */
  char   *effective_to;     /* YYYY-MM-DD, or NULL when open-ended */
} ChFee;

void    ch_fee_free (ChFee *fee);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChFee, ch_fee_free)

typedef struct
{
  gint64  id;
  gint64  encounter_id;
  gint64  patient_id;
  gint64  fee_id;
  char   *code;
  char   *service_date;     /* YYYY-MM-DD */
  gint64  units;
  gint64  unit_price_cents;
  gint64  amount_cents;
  char   *modifiers;        /* "25:59", or "" */
  gint64  dx[4];            /* chart_items ids of ICD-10 problems; 0: none */
  gint64  created_at;
  char   *created_by;
  /* Read back, not written. */
  gint64  ledger_entry_id;  /* the charge's entry */
  gboolean reversed;        /* that entry was reversed: the line no longer counts */
  gint64  allocated_cents;  /* payments allocated to it that still count */
} ChChargeLine;

void    ch_charge_line_free (ChChargeLine *line);
/* What is still owed on @line: its amount less what payments allocated to
 * it, none once it was reversed. */
gint64  ch_charge_line_owed (const ChChargeLine *line);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChChargeLine, ch_charge_line_free)

typedef struct
{
  gint64  id;
  gint64  patient_id;
  char   *method;           /* cash, card, cheque, transfer, insurer */
  char   *reference;
  gint64  amount_cents;     /* > 0: what was received */
  gint64  received_at;
  char   *received_by;
  gint64  ledger_entry_id;  /* read back */
} ChPayment;

void    ch_payment_free (ChPayment *payment);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChPayment, ch_payment_free)

typedef struct
{
  gint64  id;
  gint64  patient_id;
  char   *kind;             /* charge, payment, refund, write-off, adjustment, opening, reversal */
  gint64  amount_cents;     /* signed: positive when the patient owes more */
  gint64  charge_line_id;   /* 0: none */
  gint64  payment_id;       /* 0: none */
  gint64  reverses;         /* 0: none */
  char   *method;
  char   *reason;
  gint64  posted_at;
  char   *posted_by;
  gint64  reversed_by;      /* read back: the entry that reversed this one, or 0 */
  char   *service_date;     /* read back: the charge line's, for an entry tied to one; else NULL */
} ChLedgerEntry;

ChLedgerEntry *ch_ledger_entry_new  (void);
void           ch_ledger_entry_free (ChLedgerEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChLedgerEntry, ch_ledger_entry_free)

typedef struct
{
  gint64  encounter_id;
  gint64  patient_id;
  gint64  start_at;
  char   *date;             /* YYYY-MM-DD, local time */
  char   *provider;         /* as the encounter names them: a user name, or a resource id */
  char   *provider_name;    /* read back: the provider's name, else @provider */
  char   *reason;
  gboolean active;          /* not entered in error */
  gboolean ready;           /* marked ready to bill */
  gint64  n_lines;          /* charge lines that still count */
  gint64  charged_cents;
} ChBillingEncounter;

void    ch_billing_encounter_free (ChBillingEncounter *encounter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChBillingEncounter, ch_billing_encounter_free)

/* ---- fee schedule ---- */

/* Adds a version of a code. When the same code and effective_from is there
 * already with the same description, price and end, sets *@out_existed and
 * changes nothing; with anything different, CH_STORE_ERROR_CONSTRAINT. */
gboolean    ch_db_fee_insert          (ChStore       *store,
                                       ChFee         *fee,
                                       const char    *username,
                                       gboolean      *out_existed,
                                       GError       **error);
/* The version of @code in force on @date, or NULL with CH_STORE_ERROR_NOT_FOUND.
 * Returns: (transfer full) (nullable) */
ChFee      *ch_db_fee_lookup          (ChStore       *store,
                                       const char    *code,
                                       const char    *date,
                                       GError       **error);
/* @date: (nullable): only the versions in force that day; NULL for all.
 * Returns: (transfer full) (element-type ChFee): by code, then date */
GPtrArray  *ch_db_fee_list            (ChStore       *store,
                                       const char    *date,
                                       GError       **error);

/* ---- encounters ---- */

/* Returns: (transfer full) (nullable): NULL with CH_STORE_ERROR_NOT_FOUND */
ChBillingEncounter *ch_db_billing_encounter_get (ChStore  *store,
                                                 gint64    encounter_id,
                                                 GError  **error);
/* Returns: (transfer full) (element-type ChBillingEncounter): newest first */
GPtrArray  *ch_db_billing_encounter_list (ChStore    *store,
                                          gint64      patient_id,
                                          GError    **error);
gboolean    ch_db_billing_mark_ready  (ChStore       *store,
                                       gint64         encounter_id,
                                       const char    *username,
                                       GError       **error);

/* The ICD-10 problem of the patient's chart with @code (dots and case
 * ignored; not one entered in error; an active one before a resolved one),
 * or 0 when there is none. -1 on a database error. */
gint64      ch_db_billing_find_problem (ChStore      *store,
                                        gint64        patient_id,
                                        const char   *code,
                                        GError      **error);

/* ---- charges, payments, allocations ---- */

/* Inserts @line and its charge entry; sets line->id and ledger_entry_id. */
gboolean    ch_db_charge_insert       (ChStore       *store,
                                       ChChargeLine  *line,
                                       const char    *username,
                                       GError       **error);
/* Returns: (transfer full) (nullable): NULL with CH_STORE_ERROR_NOT_FOUND */
ChChargeLine *ch_db_charge_get        (ChStore       *store,
                                       gint64         line_id,
                                       GError       **error);
/* Returns: (transfer full) (element-type ChChargeLine): in order of entry */
GPtrArray  *ch_db_charge_list         (ChStore       *store,
                                       gint64         encounter_id,
                                       gint64         patient_id,
                                       GError       **error);

/* Inserts @payment and its (negative) ledger entry; sets id and ledger_entry_id. */
gboolean    ch_db_payment_insert      (ChStore       *store,
                                       ChPayment     *payment,
                                       const char    *username,
                                       GError       **error);
/* Returns: (transfer full) (nullable): NULL with CH_STORE_ERROR_NOT_FOUND */
ChPayment  *ch_db_payment_get         (ChStore       *store,
                                       gint64         payment_id,
                                       GError       **error);
/* The allocations of @payment that still count; -1 on error. */
gint64      ch_db_payment_allocated   (ChStore       *store,
                                       gint64         payment_id,
                                       GError       **error);
gboolean    ch_db_allocation_insert   (ChStore       *store,
                                       gint64         payment_id,
                                       gint64         charge_line_id,
                                       gint64         amount_cents,
                                       const char    *username,
                                       GError       **error);

/* ---- the ledger ---- */

/* Sets entry->id, posted_at and posted_by. */
gboolean    ch_db_ledger_insert       (ChStore       *store,
                                       ChLedgerEntry *entry,
                                       const char    *username,
                                       GError       **error);
/* Returns: (transfer full) (nullable): NULL with CH_STORE_ERROR_NOT_FOUND */
ChLedgerEntry *ch_db_ledger_get       (ChStore       *store,
                                       gint64         entry_id,
                                       GError       **error);
/* Returns: (transfer full) (element-type ChLedgerEntry): oldest first */
GPtrArray  *ch_db_ledger_list         (ChStore       *store,
                                       gint64         patient_id,
                                       GError       **error);
/* The sum of the patient's entries. */
gboolean    ch_db_ledger_balance      (ChStore       *store,
                                       gint64         patient_id,
                                       gint64        *out_cents,
                                       GError       **error);

/* Posts an opening balance the CSV migration kept (import_balances row
 * @balance_id) as an 'opening' entry and marks the row posted, unless it
 * was already: then *@out_entry_id is 0 and nothing changes. */
gboolean    ch_db_opening_balance_post (ChStore      *store,
                                        gint64        balance_id,
                                        gint64        patient_id,
                                        gint64        amount_cents,
                                        const char   *reason,
                                        const char   *username,
                                        gint64       *out_entry_id,
                                        GError      **error);

G_END_DECLS
