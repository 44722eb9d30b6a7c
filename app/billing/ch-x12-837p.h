/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ch-x12.h"

G_BEGIN_DECLS

/* The professional claim, 837P (005010X222A1), for one payer, built from
 * plain structs the caller owns. Dates are CCYYMMDD, money is in cents,
 * codes go without their dots (ICD-10-CM "E119", not "E11.9"). Optional
 * strings are NULL or "". */

/* A person or an organization (when @organization is set) with an
 * address. */
typedef struct
{
  const char *organization;
  const char *last_name;
  const char *first_name;
  const char *middle_name;
  const char *suffix;
  const char *address1;
  const char *address2;
  const char *city;
  const char *state;
  const char *zip;
} ChX12Name;

/* A referring or rendering provider (loops 2310A/2310B). */
typedef struct
{
  const char *last_name;
  const char *first_name;
  const char *npi;
} ChX12Provider;

typedef struct
{
  const char  *procedure;      /* HCPCS/CPT */
  const char  *modifiers[4];
  gint64       charge;         /* cents */
  guint        units;
  guint        pointers[4];    /* into the claim's diagnoses, from 1; 0 ends */
  const char  *date;           /* DTP*472 */
} ChX12ServiceLine;

typedef struct
{
  const char             *claim_id;         /* CLM01, our patient control number */
  gint64                  total_charge;     /* CLM02, cents */
  const char             *place_of_service; /* CLM05-1, "11" office */
  const char             *frequency;        /* CLM05-3: 1 original, 7 replacement, 8 void */
  const char             *payer_claim_number; /* REF*F8, the claim replaced or voided */
  gboolean                provider_signature;  /* CLM06 */
  const char             *assignment;       /* CLM07: A, B or C */
  gboolean                benefits_assigned;   /* CLM08 */
  const char             *release_of_info;  /* CLM09: I or Y */
  const char * const     *diagnoses;        /* NULL-terminated; first is principal */
  const ChX12Provider    *referring;        /* optional */
  const ChX12Provider    *rendering;        /* optional */
  const ChX12ServiceLine *lines;
  guint                   n_lines;
} ChX12Claim;

/* One subscriber and the claims of one patient: the subscriber or, when
 * @patient is set, a dependent (loop 2000C). */
typedef struct
{
  ChX12Name          subscriber;
  const char        *member_id;            /* NM109, MI */
  const char        *group_number;         /* SBR03, optional */
  const char        *payer_responsibility; /* SBR01: P, S, T… */
  const char        *claim_filing;         /* SBR09: CI, MB, MC, BL… */
  const char        *birth_date;           /* of the subscriber */
  const char        *sex;                  /* F, M or U */
  const ChX12Name   *patient;              /* NULL when the subscriber */
  const char        *patient_relationship; /* PAT01: 01 spouse, 19 child… */
  const char        *patient_birth_date;
  const char        *patient_sex;
  const ChX12Claim  *claims;
  guint              n_claims;
} ChX12Subscriber;

typedef struct
{
  /* Envelope */
  const char *sender_qualifier;  /* ISA05, "ZZ" */
  const char *sender_id;         /* ISA06 and GS02 */
  const char *receiver_qualifier;
  const char *receiver_id;       /* ISA08 and GS03 */
  const char *date;              /* CCYYMMDD */
  const char *time;              /* HHMM */
  guint       interchange_control; /* ISA13 */
  guint       group_control;     /* GS06 */
  const char *transaction_control; /* ST02/SE02 */
  const char *reference;         /* BHT03 */
  gboolean    test;              /* ISA15 T instead of P */

  /* 1000A, 1000B */
  const char *submitter_name;
  const char *submitter_id;      /* ETIN, NM109 with 46 */
  const char *contact_name;
  const char *contact_phone;
  const char *receiver_name;
  const char *receiver_etin;

  /* 2000A, 2010AA, 2010AB */
  const char *billing_taxonomy;  /* PRV*BI, optional */
  ChX12Name   billing;
  const char *billing_npi;
  const char *billing_tax_id;    /* EIN, 9 digits */
  const ChX12Name *pay_to;       /* optional */

  /* 2010BB */
  const char *payer_name;
  const char *payer_id;

  const ChX12Subscriber *subscribers;
  guint                  n_subscribers;
} ChX12Batch;

/* Whether @npi is ten digits whose last is the Luhn check digit over the
 * other nine with the 80840 card-issuer prefix. */
gboolean ch_x12_npi_is_valid (const char *npi);

/* Checks @batch: required fields, NPIs, EIN, claim totals equal to the
 * sum of their lines, 1–12 diagnoses and 1–50 lines a claim, pointers to
 * diagnoses that exist. Errors name the claim and the field. Sets
 * CH_X12_ERROR_MISSING, _INVALID or _TOTALS. */
gboolean ch_x12_837p_validate (const ChX12Batch  *batch,
                               GError           **error);

/* Validates then writes @batch as one interchange with one 837P
 * transaction set. Sets what ch_x12_837p_validate() and
 * ch_x12_writer_finish() set. Returns: (transfer full): the interchange. */
GBytes  *ch_x12_837p_build    (const ChX12Batch  *batch,
                               gboolean           line_breaks,
                               GError           **error);

G_END_DECLS
