/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ch-x12.h"

G_BEGIN_DECLS

/* The remittance advice, 835 (005010X221A1), read into plain structs.
 * Money is in cents, dates are CCYYMMDD as sent. */

typedef struct
{
  char   *group;    /* CO, PR, OA, PI, CR */
  char   *reason;   /* CARC, "45" */
  gint64  amount;
  char   *quantity; /* "" when not sent */
} ChX12Adjustment;

typedef struct
{
  char       *qualifier;   /* SVC01-1, "HC" */
  char       *procedure;   /* SVC01-2 */
  char       *modifiers;   /* SVC01-3…6 joined with ':', "" when none */
  gint64      charge;
  gint64      paid;
  char       *units;       /* SVC05, "" when not sent (one unit) */
  char       *date;        /* DTM*472, or "" */
  GArray     *adjustments; /* of ChX12Adjustment */
} ChX12ServicePayment;

typedef struct
{
  char       *claim_id;        /* CLP01, our claim id */
  char       *status;          /* CLP02: 1 primary, 4 denied, 22 reversal… */
  gint64      charge;          /* CLP03 */
  gint64      paid;            /* CLP04 */
  gint64      patient_responsibility; /* CLP05, 0 when not sent */
  char       *filing_indicator;  /* CLP06 */
  char       *payer_control;   /* CLP07 */
  char       *patient_last_name;  /* NM1*QC */
  char       *patient_first_name;
  GArray     *adjustments;     /* of ChX12Adjustment, claim level */
  GPtrArray  *services;        /* of ChX12ServicePayment */
} ChX12ClaimPayment;

typedef struct
{
  char   *provider_id;  /* PLB01 */
  char   *date;         /* PLB02, end of the fiscal period */
  char   *reason;       /* the adjustment code, "WO", "L6"… */
  char   *reference;    /* its reference, "" when none */
  gint64  amount;       /* positive lowers the payment */
} ChX12ProviderAdjustment;

typedef struct
{
  char      *handling;        /* BPR01: I payment with advice, H advice only */
  gint64     payment;         /* BPR02 */
  char      *credit_debit;    /* BPR03 */
  char      *method;          /* BPR04: ACH, CHK, BOP, FWT, NON */
  char      *payment_date;    /* BPR16 */
  char      *trace_number;    /* TRN02, the check or EFT number */
  char      *trace_originator;/* TRN03 */
  char      *payer_name;      /* 1000A N1*PR */
  char      *payer_id;        /* REF*2U, or TRN03 when absent */
  char      *payee_name;      /* 1000B N1*PE */
  char      *payee_id;        /* N104, the NPI with XX */
  GPtrArray *claims;          /* of ChX12ClaimPayment */
  GArray    *provider_adjustments; /* of ChX12ProviderAdjustment */
} ChX12Remittance;

void ch_x12_remittance_free (ChX12Remittance *remittance);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChX12Remittance, ch_x12_remittance_free)

/* Parses an interchange holding 835 transaction sets, one remittance each.
 * Besides the envelope checks of ch_x12_document_parse(), checks that each
 * CLP has a valid status and amounts, that up to six CAS triples are
 * complete, and that BPR02 equals the sum of CLP04 less the PLB amounts.
 * Errors name the segment by its position. Sets CH_X12_ERROR_NOT_X12,
 * _TRUNCATED, _ENVELOPE, _WRONG_TYPE, _MISSING, _INVALID or _TOTALS; on
 * error nothing is returned.
 * Returns: (transfer full) (element-type ChX12Remittance): the remittances. */
GPtrArray *ch_x12_835_parse (const guint8  *data,
                             gsize          len,
                             GError       **error);

G_END_DECLS
