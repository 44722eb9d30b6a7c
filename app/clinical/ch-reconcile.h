/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-reconcile-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* Medication reconciliation: an outside list (a discharge summary, the
 * patient's own list, another practice's) compared line by line with the
 * chart's medication list, each line decided. */

typedef enum
{
  CH_RECONCILE_KEEP,    /* on both lists, or kept as it is */
  CH_RECONCILE_STOP,    /* stopped: off the current list, its prescription stopped */
  CH_RECONCILE_CHANGE,  /* kept with the dose the note gives */
  CH_RECONCILE_ADD,     /* from the outside list onto the current one */
} ChReconcileDecision;

/* Returns: (transfer none) (nullable): "keep", "stop", "change", "add" */
const char *ch_reconcile_decision_to_string (ChReconcileDecision decision);

typedef struct
{
  const char          *outside_text;        /* a line of the outside list; "" or NULL: none */
  gint64               medication_item_id;  /* the chart's entry; 0: none (add) */
  ChReconcileDecision  decision;
  const char          *note;                /* stop: why (required); change: the new dose (required) */
} ChReconcileLine;

/* Records a reconciliation of @patient_id's medications and carries out its
 * decisions, all in one transaction, audited: "stop" stops the entry (ending
 * today) and the signed prescription it came from; "add" puts @outside_text
 * on the list; "change" sets the entry's dose to the note; "keep" changes
 * nothing. Every line is checked before anything is written: a keep names an
 * entry of this patient's medication list, a stop or change a current
 * (active) one, each entry at most once; an add names an outside line and no
 * entry. Otherwise sets CH_AUTH_ERROR_INVALID naming the line, and nothing is
 * saved. Needs clinical write access.
 * Returns: the reconciliation's id, or 0 with @error set */
gint64      ch_reconcile_save  (ChSession              *session,
                                gint64                  patient_id,
                                const char             *source,
                                const ChReconcileLine  *lines,
                                guint                   n_lines,
                                GError                **error);
/* Returns: (transfer full) (element-type ChReconciliation): newest first */
GPtrArray  *ch_reconcile_list  (ChSession              *session,
                                gint64                  patient_id,
                                GError                **error);

G_END_DECLS
