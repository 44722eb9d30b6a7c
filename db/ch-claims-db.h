/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-store.h"

G_BEGIN_DECLS

/* Insurance claims (schema 0019): payers, rendering providers' NPIs, 837P
 * batches, their claims and the remittances posted against them. None of
 * these functions opens a transaction: app/billing/ch-claims.c wraps each
 * change and its audit entries in one. */

typedef struct
{
  char   *id;            /* NM1*PR … PI */
  char   *name;
  char   *receiver_id;   /* ISA08 */
  char   *claim_filing;  /* SBR09 */
  char   *address1;
  char   *city;
  char   *state;
  char   *zip;
  gint64  n_ready;       /* read back: ready encounters awaiting a claim to this payer */
} ChPayer;

ChPayer *ch_payer_new  (void);
void     ch_payer_free (ChPayer *payer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChPayer, ch_payer_free)

typedef struct
{
  char *username;
  char *npi;
  char *last_name;
  char *first_name;
} ChClaimProvider;

void     ch_claim_provider_free (ChClaimProvider *provider);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChClaimProvider, ch_claim_provider_free)

/* An encounter ready to bill, with charge lines that still count and no
 * claim yet. */
typedef struct
{
  gint64  encounter_id;
  gint64  patient_id;
  gint64  start_at;
  char   *kind;          /* office, telephone … */
  char   *provider;      /* a user name */
  gint64  policy_id;     /* the primary active policy, or 0 (self-pay) */
  char   *policy_payer;  /* its payer as typed, or NULL */
  char   *payer_id;      /* the configured payer it matches, or NULL */
} ChClaimCandidate;

void     ch_claim_candidate_free (ChClaimCandidate *candidate);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChClaimCandidate, ch_claim_candidate_free)

typedef struct
{
  gint64  id;
  char   *claim_number;  /* CLM01 */
  gint64  batch_id;
  char   *payer_id;
  char   *payer_name;
  gint64  patient_id;
  char   *mrn;
  gint64  encounter_id;
  gint64  policy_id;       /* 0: none */
  char   *member_id;
  gint64  billed_cents;
  char   *status;        /* submitted, paid, partial, denied */
  gint64  created_at;
  /* From the remittance, 0 while submitted. */
  gint64  paid_cents;
  gint64  adjusted_cents;  /* CO, OA and PI: written off */
  gint64  patient_cents;   /* PR */
  char   *trace_number;    /* "" while submitted */
} ChClaim;

void     ch_claim_free (ChClaim *claim);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChClaim, ch_claim_free)

typedef struct
{
  char   *trace_number;
  char   *trace_originator;
  char   *payer_id;
  char   *payer_name;
  gint64  payment_cents;
  char   *method;
  char   *payment_date;
  gint64  provider_adjustment_cents;
  char   *file_name;
} ChRemittanceAdvice;

typedef struct
{
  gint64  claim_id;
  gint64  advice_id;
  char   *claim_status;
  gint64  charge_cents;
  gint64  paid_cents;
  gint64  contractual_cents;
  gint64  other_adjustment_cents;
  gint64  patient_cents;
  gboolean denied;
  char   *payer_claim_number;
  char   *trace_number;
  gint64  payment_id;    /* 0: nothing paid */
} ChClaimRemittance;

/* ---- payers and providers ---- */

/* CH_STORE_ERROR_CONSTRAINT when the id, or a payer of the same (folded)
 * name, is there already. */
gboolean    ch_db_payer_insert          (ChStore           *store,
                                         const ChPayer     *payer,
                                         const char        *username,
                                         GError           **error);
/* Returns: (transfer full) (nullable): NULL with CH_STORE_ERROR_NOT_FOUND */
ChPayer    *ch_db_payer_get             (ChStore           *store,
                                         const char        *id,
                                         GError           **error);
/* The payer a policy's free-text payer names: by folded name, or by id.
 * Returns: (transfer full) (nullable): NULL, without an error, when none */
char       *ch_db_payer_match           (ChStore           *store,
                                         const char        *policy_payer,
                                         GError           **error);
/* Returns: (transfer full) (element-type ChPayer): by name; n_ready not set */
GPtrArray  *ch_db_payer_list            (ChStore           *store,
                                         GError           **error);

gboolean    ch_db_claim_provider_set    (ChStore                *store,
                                         const ChClaimProvider  *provider,
                                         const char             *username,
                                         GError                **error);
/* Returns: (transfer full) (nullable): NULL, without an error, when none */
ChClaimProvider *ch_db_claim_provider_get (ChStore             *store,
                                           const char          *username,
                                           GError             **error);
/* Returns: (transfer full) (element-type ChClaimProvider) */
GPtrArray  *ch_db_claim_provider_list   (ChStore           *store,
                                         GError           **error);

/* ---- building ---- */

/* Encounters ready to bill, active, with at least one charge line that was
 * not reversed, and no claim; oldest first. payer_id is filled in.
 * Returns: (transfer full) (element-type ChClaimCandidate) */
GPtrArray  *ch_db_claim_candidates      (ChStore           *store,
                                         GError           **error);
/* The ICD-10 code of a chart item, as written ("E11.9"), or NULL. */
char       *ch_db_claim_problem_code    (ChStore           *store,
                                         gint64             chart_item_id,
                                         GError           **error);

/* The next batch's id (its control numbers): one above any ever used. Call
 * in the transaction that inserts the batch. */
gboolean    ch_db_claim_batch_next_id   (ChStore           *store,
                                         gint64            *out_id,
                                         GError           **error);
gboolean    ch_db_claim_batch_insert    (ChStore           *store,
                                         gint64             batch_id,
                                         const char        *payer_id,
                                         const char        *file_name,
                                         gint64             n_claims,
                                         gint64             total_cents,
                                         const char        *username,
                                         GError           **error);
/* Inserts the claim (claim_number "CH" || id) and its lines; sets claim->id
 * and claim->claim_number. */
gboolean    ch_db_claim_insert          (ChStore           *store,
                                         ChClaim           *claim,
                                         const gint64      *charge_line_ids,
                                         guint              n_lines,
                                         const char        *username,
                                         GError           **error);

/* ---- reading ---- */

/* Returns: (transfer full) (element-type ChClaim): newest first */
GPtrArray  *ch_db_claim_list            (ChStore           *store,
                                         GError           **error);
/* Returns: (transfer full) (nullable): NULL with CH_STORE_ERROR_NOT_FOUND */
ChClaim    *ch_db_claim_get_by_number   (ChStore           *store,
                                         const char        *claim_number,
                                         GError           **error);
/* The charge lines of a claim in SV1 order.
 * Returns: (transfer full) (element-type gint64) */
GArray     *ch_db_claim_line_ids        (ChStore           *store,
                                         gint64             claim_id,
                                         GError           **error);

/* ---- remittances ---- */

/* The remittance advice with this trace, or 0; -1 on error. */
gint64      ch_db_remittance_advice_find (ChStore          *store,
                                          const char       *trace_originator,
                                          const char       *trace_number,
                                          GError          **error);
gboolean    ch_db_remittance_advice_insert (ChStore                  *store,
                                            const ChRemittanceAdvice *advice,
                                            const char               *username,
                                            gint64                   *out_id,
                                            GError                  **error);
gboolean    ch_db_claim_remittance_insert (ChStore                 *store,
                                           const ChClaimRemittance *remittance,
                                           const char              *new_status,
                                           const char              *username,
                                           gint64                  *out_id,
                                           GError                 **error);
gboolean    ch_db_claim_adjustment_insert (ChStore     *store,
                                           gint64       remittance_id,
                                           gint64       charge_line_id,
                                           const char  *group_code,
                                           const char  *reason_code,
                                           gint64       amount_cents,
                                           gint64       ledger_entry_id,
                                           GError     **error);

G_END_DECLS
