/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-prescribing.h"
#include "ch-refill-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* Refill requests: a nurse or physician asks for a signed prescription to be
 * refilled; the request waits in its prescriber's queue until a physician
 * approves it (a renewal, checked and signed as any prescription is) or
 * denies it with a reason. */

#define CH_REFILLS_ERROR (ch_refills_error_quark ())

typedef enum
{
  CH_REFILLS_ERROR_STATE,    /* the prescription is not current, or the request was decided */
  CH_REFILLS_ERROR_PENDING,  /* the prescription already has a request waiting */
} ChRefillsError;

GQuark           ch_refills_error_quark (void);

/* Asks for a refill of a signed prescription, into its prescriber's queue;
 * audited. Needs clinical write access (nurses and physicians).
 * Returns: the request's id, or 0 with @error set */
gint64           ch_refills_request   (ChSession              *session,
                                       gint64                  prescription_id,
                                       const char             *note,
                                       GError                **error);
/* @prescriber: (nullable): whose queue; NULL for the session's user.
 * Returns: (transfer full) (element-type ChRefillRequest): the pending
 * requests, oldest first; NULL with @error set */
GPtrArray       *ch_refills_queue     (ChSession              *session,
                                       const char             *prescriber,
                                       GError                **error);
/* Returns: (transfer full) (nullable): a request, pending or decided */
ChRefillRequest *ch_refills_get       (ChSession              *session,
                                       gint64                  request_id,
                                       GError                **error);
/* The alerts signing the refill would meet, so that the prescriber can decide
 * on them before approving (as ch_prescribing_check_prescription()).
 * Returns: (transfer full) (element-type ChDrugAlert) (nullable) */
GPtrArray       *ch_refills_check     (ChSession              *session,
                                       gint64                  request_id,
                                       GError                **error);
/* Approves a pending request: renews its prescription and signs the renewal
 * as ch_prescribing_sign() does (a contraindicated alert needs an override
 * reason in @decisions: CH_PRESCRIBING_ERROR_OVERRIDE_NEEDED), and records
 * the decision, all in one transaction; audited. Any physician may approve,
 * and signs the renewal as its prescriber.
 * @out_prescription_id: (out) (optional): the signed renewal */
gboolean         ch_refills_approve   (ChSession              *session,
                                       gint64                  request_id,
                                       const ChAlertDecision  *decisions,
                                       guint                   n_decisions,
                                       const char             *note,
                                       gint64                 *out_prescription_id,
                                       GError                **error);
/* Denies a pending request; the reason is required; audited. */
gboolean         ch_refills_deny      (ChSession              *session,
                                       gint64                  request_id,
                                       const char             *reason,
                                       GError                **error);

G_END_DECLS
