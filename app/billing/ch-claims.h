/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-claims-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* Insurance claims (issue 9): the practice's payers and billing setup, 837P
 * batches built from encounters ready to bill (one interchange a payer), and
 * 835 remittances posted into the ledger. Claims follow billing's rule:
 * nothing is changed or deleted; a claim's status moves once, from
 * 'submitted' to paid, partial or denied, as its remittance is posted.
 *
 * Permissions: reading (payers, setup, claims) needs read access to
 * billing; configuring payers and the setup, building batches and posting
 * remittances is the office manager's. */

#define CH_CLAIMS_ERROR (ch_claims_error_quark ())

typedef enum
{
  CH_CLAIMS_ERROR_FAILED,
  CH_CLAIMS_ERROR_NOT_FOUND,  /* no such payer, claim or user */
  CH_CLAIMS_ERROR_INVALID,    /* bad input: an id, an NPI, a file that does not add up … */
  CH_CLAIMS_ERROR_SETUP,      /* the billing provider is not set up */
} ChClaimsError;

GQuark      ch_claims_error_quark        (void);

/* ---- payers ---- */

/* @payer: id (letters, digits, dashes; at most 80), name, and optionally
 * receiver_id (ISA08; the id when unset), claim_filing (SBR09; CI when
 * unset) and an address. */
gboolean    ch_claims_payer_add          (ChSession        *session,
                                          const ChPayer    *payer,
                                          GError          **error);

typedef struct
{
  GPtrArray *payers;     /* of ChPayer, n_ready set */
  GPtrArray *unmatched;  /* of ChClaimCandidate: a policy payer no configured payer matches */
  guint      self_pay;   /* ready encounters of patients without an active policy */
} ChClaimsPayers;

void        ch_claims_payers_free        (ChClaimsPayers   *payers);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChClaimsPayers, ch_claims_payers_free)

/* The payers, each with how many ready encounters await a claim to it (the
 * patient's primary active policy's payer matched by folded name, or id).
 * Returns: (transfer full) (nullable) */
ChClaimsPayers *ch_claims_payers         (ChSession        *session,
                                          GError          **error);

/* ---- setup ---- */

/* The billing provider (loop 2010AA) and the submitter (1000A), kept in the
 * practice's settings. */
typedef struct
{
  char *name;            /* the practice, as billed */
  char *npi;             /* its group NPI */
  char *tax_id;          /* EIN, nine digits */
  char *taxonomy;        /* PRV*BI, optional */
  char *address1;
  char *city;
  char *state;
  char *zip;             /* ZIP+4, nine digits */
  char *submitter_id;    /* ETIN the clearing house gave; ISA06 */
  char *contact_name;
  char *contact_phone;
} ChClaimsSetup;

void        ch_claims_setup_free         (ChClaimsSetup    *setup);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChClaimsSetup, ch_claims_setup_free)

/* Returns: (transfer full): fields not set are "" */
ChClaimsSetup *ch_claims_setup_get       (ChSession        *session,
                                          GError          **error);
/* Sets the fields of @changes that are not NULL; the NPI must pass its
 * check digit, the tax id be nine digits and the ZIP code nine. */
gboolean    ch_claims_setup_set          (ChSession            *session,
                                          const ChClaimsSetup  *changes,
                                          GError              **error);
/* The NPI @username renders care under (loop 2310B): a user, or a provider
 * without an account by resource id (what its encounters name). */
gboolean    ch_claims_provider_set       (ChSession        *session,
                                          const char       *username,
                                          const char       *npi,
                                          const char       *last_name,
                                          const char       *first_name,
                                          GError          **error);
/* Returns: (transfer full) (element-type ChClaimProvider) */
GPtrArray  *ch_claims_providers          (ChSession        *session,
                                          GError          **error);

/* ---- building 837P batches ---- */

typedef struct
{
  gint64  batch_id;      /* ISA13 = GS06 = ST02 */
  char   *payer_id;
  char   *path;
  guint   n_claims;
  gint64  total_cents;
} ChClaimBatch;

typedef struct
{
  gint64  encounter_id;
  gint64  patient_id;
  char   *reason;        /* why no claim was made, for people */
} ChClaimSkipped;

typedef struct
{
  GPtrArray *batches;    /* of ChClaimBatch */
  GPtrArray *skipped;    /* of ChClaimSkipped */
} ChClaimsBuildResult;

void        ch_claims_build_result_free  (ChClaimsBuildResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChClaimsBuildResult, ch_claims_build_result_free)

/**
 * ch_claims_build:
 * @payer_id: (nullable): only this payer's claims; NULL: every payer's
 * @out: with @payer_id, the file to write; without, a folder (made if
 *   missing) that receives one file a payer, named PAYER-CONTROL.x12
 *
 * Makes one claim for each encounter ready to bill with charge lines that
 * still count and no claim yet, and writes them as one 837P interchange per
 * payer. Encounters of patients without an active policy (self-pay), or
 * whose payer is not configured, are skipped and, without @payer_id, listed
 * in the result. All
 * or nothing: the files are written (atomically) and the claims and batches
 * recorded in one transaction; a claim that does not validate fails the
 * whole call with a message naming its encounter, records nothing and
 * leaves no file. When no claim could be made the result has no batches.
 *
 * Returns: (transfer full) (nullable)
 */
ChClaimsBuildResult *ch_claims_build     (ChSession        *session,
                                          const char       *payer_id,
                                          const char       *out,
                                          GError          **error);

/* ---- posting 835 remittances ---- */

typedef struct
{
  guint   advices;          /* 835 transaction sets posted now */
  guint   already_posted;   /* …and those posted before, skipped */
  guint   claims;           /* claims settled */
  guint   denied;
  gint64  paid_cents;
  gint64  written_off_cents;
  gint64  patient_cents;    /* left to patients (PR) */
  gint64  provider_adjustment_cents; /* PLB, recorded, not posted to patients */
} ChClaimsPostResult;

/**
 * ch_claims_post_835:
 *
 * Reads an 835 file and posts each remittance in it, all in one
 * transaction: for each claim (CLP01 = our claim number) the paid amount as
 * an 'insurer' payment referencing the trace number and the claim,
 * allocated to the claim's lines (SVC); CO, OA and PI adjustments as
 * write-offs (reason "CO-45 …"); PR amounts recorded as the patient's
 * share; a denied claim (CLP02 = 4) recorded with nothing paid. A
 * remittance whose trace number (TRN02/TRN03) was posted before is skipped.
 * A malformed file, an unknown claim, a claim settled before, or amounts
 * that do not add up to the claim fail the call with
 * CH_CLAIMS_ERROR_INVALID (or CH_X12_ERROR) and post nothing.
 */
gboolean    ch_claims_post_835           (ChSession           *session,
                                          const char          *path,
                                          ChClaimsPostResult  *out_result,
                                          GError             **error);

/* Returns: (transfer full) (element-type ChClaim): newest first */
GPtrArray  *ch_claims_list               (ChSession        *session,
                                          GError          **error);

G_END_DECLS
