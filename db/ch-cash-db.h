/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-store.h"

G_BEGIN_DECLS

/* What the billing print-outs read (app/billing/ch-billing-docs.c) beyond
 * ch-billing-db.h: the words behind codes, what a day took in, and the cash
 * drawer's closes (schema 0020). Times are µs since the epoch; a day is
 * [@from_usec, @to_usec). None of these opens a transaction. */

typedef struct
{
  gint64  id;
  char   *day;               /* YYYY-MM-DD, local */
  gint64  float_cents;
  gint64  expected_cents;
  gint64  counted_cents;
  gint64  difference_cents;  /* counted − expected: > 0 over, < 0 short */
  char   *note;
  gint64  supersedes;        /* 0: the day's first close */
  char   *reopen_reason;
  gint64  closed_at;
  char   *closed_by;
  gint64  superseded_by;     /* read back: 0 while it is the one that counts */
} ChCashClose;

void    ch_cash_close_free (ChCashClose *close);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChCashClose, ch_cash_close_free)

/* Sets close->id, closed_at and closed_by. CH_STORE_ERROR_CONSTRAINT when
 * the day is closed already and @close supersedes nothing, or supersedes a
 * close that was superseded before. */
gboolean     ch_db_cash_close_insert (ChStore      *store,
                                      ChCashClose  *close,
                                      const char   *username,
                                      GError      **error);
/* The close of @day that counts, or NULL (and no error) when it is not
 * closed. Returns: (transfer full) (nullable) */
ChCashClose *ch_db_cash_close_latest (ChStore      *store,
                                      const char   *day,
                                      GError      **error);
/* @day: (nullable): one day's closes, or every day's.
 * Returns: (transfer full) (element-type ChCashClose): by day, then as made */
GPtrArray   *ch_db_cash_close_list   (ChStore      *store,
                                      const char   *day,
                                      GError      **error);

/* The fee schedule's description of a version, or "" when there is none.
 * Returns: (transfer full) (nullable): NULL on a database error */
char        *ch_db_cash_fee_description (ChStore   *store,
                                         gint64     fee_id,
                                         GError   **error);
/* A chart item's code and words (an ICD-10 problem pointed to by a charge). */
gboolean     ch_db_cash_problem_text (ChStore      *store,
                                      gint64        item_id,
                                      char        **out_code,
                                      char        **out_display,
                                      GError      **error);

typedef struct
{
  gint64  payment_id;
  gint64  charge_line_id;
  char   *method;
  char   *reference;
  gint64  amount_cents;      /* allocated to the line */
  gint64  received_at;
  gboolean live;             /* the payment was not reversed */
} ChLineCredit;

void    ch_line_credit_free (ChLineCredit *credit);

/* The allocations to the lines of @encounter_id, oldest first.
 * Returns: (transfer full) (element-type ChLineCredit) */
GPtrArray   *ch_db_cash_encounter_allocations (ChStore  *store,
                                               gint64    encounter_id,
                                               GError  **error);
/* The ledger entries other than charges that name a line of @encounter_id
 * (write-offs, and reversals of charges and write-offs), oldest first.
 * Returns: (transfer full) (element-type ChLedgerEntry) */
GPtrArray   *ch_db_cash_encounter_entries (ChStore  *store,
                                           gint64    encounter_id,
                                           GError  **error);

typedef struct
{
  char   *provider;          /* the encounter's provider (a user name) */
  char   *code;
  char   *description;
  gint64  n_lines;
  gint64  units;
  gint64  amount_cents;
} ChDayCharges;

void    ch_day_charges_free (ChDayCharges *row);

/* The charges posted in the window, by provider and code.
 * Returns: (transfer full) (element-type ChDayCharges) */
GPtrArray   *ch_db_cash_day_charges  (ChStore  *store,
                                      gint64    from_usec,
                                      gint64    to_usec,
                                      GError  **error);

typedef struct
{
  gint64  entry_id;
  gint64  patient_id;
  char   *mrn;
  char   *kind;              /* payment, refund, reversal */
  char   *method;
  char   *reference;         /* payments */
  gint64  amount_cents;      /* > 0 as money moved: received, paid back; reversals: the entry's */
  gint64  posted_at;
  char   *posted_by;
  char   *reason;
  gboolean reversed;         /* the entry was reversed since (any day) */
  gint64  reverses;          /* reversals: the entry reversed */
  char   *reverses_kind;     /* reversals: its kind */
  gint64  reverses_posted_at;
} ChDayMoney;

void    ch_day_money_free (ChDayMoney *row);

/* The payments, refunds and reversals posted in the window, in order.
 * Returns: (transfer full) (element-type ChDayMoney) */
GPtrArray   *ch_db_cash_day_money    (ChStore  *store,
                                      gint64    from_usec,
                                      gint64    to_usec,
                                      GError  **error);

G_END_DECLS
