/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-store.h"

G_BEGIN_DECLS

/* The aggregates behind the money reports (app/reports/ch-reports-money.c):
 * charges, payments and write-offs over a period by month, provider, code
 * or payer, and accounts-receivable ageing as of a day. The period totals
 * are added up from the money facts of schema 0024 (one range read per
 * kind), the ageing in SQL over the indexes of 0022; what comes back is
 * one row per group, or per patient with a balance, never the ledger.
 *
 * Amounts are integer cents. Reversed entries do not count: a charge line
 * or payment whose ledger entry was reversed is left out of the period
 * totals; in the ageing, an entry and its reversal both posted by the day
 * cancel out. */

typedef enum
{
  CH_MONEY_GROUP_MONTH,
  CH_MONEY_GROUP_PROVIDER,
  CH_MONEY_GROUP_CODE,
  CH_MONEY_GROUP_PAYER,
} ChMoneyGroup;

/* One group of a period's totals. */
typedef struct
{
  /* "2026-03"; the encounter's provider (a user name); the procedure code;
   * the payer's name ("" for self-pay). NULL: payments or write-offs not
   * tied to a charge line, which no provider, code or payer can claim. */
  char   *key;
  gint64  charges_cents;      /* charge lines with a service date in the period */
  gint64  payments_cents;     /* payments received in the period */
  gint64  adjustments_cents;  /* write-offs and adjustments posted in the period, positive when they lower what is owed */
} ChMoneyTotals;

void        ch_money_totals_free     (ChMoneyTotals *totals);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChMoneyTotals, ch_money_totals_free)

/**
 * ch_db_money_totals:
 * @from: @to: the period's first and last days (YYYY-MM-DD), for charges
 * @start_us: @end_us: the same period in µs, half-open, for payments and
 *   write-offs
 * @provider_id: (nullable): only the encounters of this provider
 *   (resources.id; encounters name it by its user name, or by this id when
 *   it has no account); payments and write-offs then count only as far as they
 *   are allocated or tied to those encounters' lines
 *
 * Payments are spread over groups by their allocations to charge lines;
 * what is not allocated is a group of its own (key NULL). By month, a
 * payment counts in the month it was received.
 *
 * Returns: (transfer full) (element-type ChMoneyTotals): by key, NULL last
 */
GPtrArray  *ch_db_money_totals       (ChStore       *store,
                                      ChMoneyGroup   group,
                                      const char    *from,
                                      const char    *to,
                                      gint64         start_us,
                                      gint64         end_us,
                                      const char    *provider_id,
                                      GError       **error);

/* Ageing buckets: 0–30, 31–60, 61–90 and over 90 days. */
#define CH_MONEY_N_BUCKETS 4

/* Which bucket a debit @days old falls in (negative: dated after the day). */
guint       ch_money_bucket_for_age  (gint64         days);

/* Balance-forward ageing of one balance: the credits pay the oldest debits
 * first, so what is still owed is the newest debits that add up to it.
 * @debits holds the debits by bucket (≥ 0); @buckets gets the balance
 * spread over them, newest first. A credit balance (or more owed than the
 * debits, which the ledger cannot produce) stays in the first, or last,
 * bucket, so that the buckets always add up to @balance. */
void        ch_money_age_balance     (gint64         balance,
                                      const gint64  *debits,
                                      gint64        *buckets);

typedef struct
{
  gint64  patient_id;
  char   *mrn;
  char   *given_name;
  char   *family_name;
  gint64  balance_cents;                        /* the ledger balance as of the day */
  gint64  buckets[CH_MONEY_N_BUCKETS];          /* adding up to the balance */
  gint64  awaited_cents;                        /* claims still awaiting a payer */
  gint64  rest_buckets[CH_MONEY_N_BUCKETS];     /* balance less awaited, aged the same way */
} ChAgeingRow;

void        ch_ageing_row_free       (ChAgeingRow   *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChAgeingRow, ch_ageing_row_free)

/**
 * ch_db_money_ageing:
 * @as_of: the day (YYYY-MM-DD) ages are counted to
 * @end_us: the end of that day (µs): entries posted before it count
 * @with_names: read each patient's MRN and name
 *
 * A charge is aged by its service date, any other debit (refund, opening
 * balance, adjustment upwards) by the day it was posted. Claims awaiting a
 * payer (status 'submitted', made by the day) are read when schema 0019's
 * claims table is there.
 *
 * Returns: (transfer full) (element-type ChAgeingRow): every patient whose
 *   balance, or awaited claims, are not zero, by patient id
 */
GPtrArray  *ch_db_money_ageing       (ChStore       *store,
                                      const char    *as_of,
                                      gint64         end_us,
                                      gboolean       with_names,
                                      GError       **error);

typedef struct
{
  char   *payer_id;
  char   *name;
  gint64  buckets[CH_MONEY_N_BUCKETS];   /* by the day the claim was made */
  gint64  total_cents;
} ChPayerAgeing;

void        ch_payer_ageing_free     (ChPayerAgeing *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChPayerAgeing, ch_payer_ageing_free)

/* What each payer's claims still await (status 'submitted', made by the
 * day); empty when there is no claims table yet.
 * Returns: (transfer full) (element-type ChPayerAgeing): by name */
GPtrArray  *ch_db_money_payer_ageing (ChStore       *store,
                                      const char    *as_of,
                                      gint64         end_us,
                                      GError       **error);

/* Providers' names by user name and, for those without an account, by
 * resource id: what the encounters' provider column holds.
 * Returns: (transfer full) (element-type utf8 utf8) (nullable) */
GHashTable *ch_db_money_provider_names (ChStore     *store,
                                        GError     **error);

G_END_DECLS
