/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-drug-kb.h"
#include "ch-prescription-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* ---- the active drug knowledge base ----------------------------------------- */

/* Returns: (transfer full): the practice's imported base, else the shipped
 * one. Needs read access to the drug knowledge base or to prescribing. */
ChDrugKb   *ch_prescribing_get_kb      (ChSession   *session,
                                        GError     **error);
/* Whether the active base is the practice's own (imported) one. */
gboolean    ch_prescribing_kb_is_imported (ChSession *session);
/* Validates @files (element-type utf8 GBytes) as a whole base and only then
 * makes it the practice's active one, in one transaction; audited. Needs
 * write access to the drug knowledge base.
 * Returns: (transfer full) (nullable): the new base */
ChDrugKb   *ch_prescribing_import_kb   (ChSession   *session,
                                        GHashTable  *files,
                                        GError     **error);
/* Goes back to the shipped base; audited. */
gboolean    ch_prescribing_reset_kb    (ChSession   *session,
                                        GError     **error);

/* ---- checks ------------------------------------------------------------------ */

/* Checks @proposed for @patient_id against the patient's current
 * medications and allergies; alerts the prescriber silenced for this patient
 * and pair are left out (contraindicated ones never are). The alerts are
 * audited as shown.
 * Returns: (transfer full) (element-type ChDrugAlert) (nullable) */
GPtrArray  *ch_prescribing_check       (ChSession            *session,
                                        gint64                patient_id,
                                        const ChKbMedication *proposed,
                                        guint                 n_proposed,
                                        GError              **error);

/* Alerts among a patient's current medications and allergies, for the
 * chart summary; not audited (nothing is being prescribed).
 * Returns: (transfer full) (element-type ChDrugAlert) (nullable) */
GPtrArray  *ch_prescribing_review      (ChSession            *session,
                                        gint64                patient_id,
                                        GError              **error);

/* ---- prescribers ------------------------------------------------------------ */

/* A prescriber's licence number, printed on their prescriptions; users set
 * their own, administrators anyone's. */
gboolean    ch_prescribing_set_licence (ChSession   *session,
                                        const char  *username,
                                        const char  *licence,
                                        GError     **error);
/* Returns: (transfer full) (element-type ChUserRecord): the enabled accounts
 * that may sign prescriptions, for a nurse to draft for */
GPtrArray  *ch_prescribing_list_prescribers (ChSession *session,
                                             GError   **error);
/* Returns: (transfer full): the licence number, "" when none */
char       *ch_prescribing_get_licence (ChStore     *store,
                                        const char  *username);

/* ---- prescriptions -------------------------------------------------------- */

#define CH_PRESCRIBING_ERROR (ch_prescribing_error_quark ())

typedef enum
{
  CH_PRESCRIBING_ERROR_OVERRIDE_NEEDED,  /* a contraindicated alert has no override reason */
  CH_PRESCRIBING_ERROR_STATE,            /* not a draft, not signed … */
} ChPrescribingError;

GQuark      ch_prescribing_error_quark (void);

typedef struct
{
  const char *code;       /* stored: daily, bid, tid … */
  double      per_day;    /* 0 for "once" */
  const char *label;      /* translated: "three times a day" */
} ChFrequency;

/* Returns: (transfer none) (array length=n_frequencies) */
const ChFrequency *ch_prescribing_frequencies (guint *n_frequencies);
/* Returns: (transfer none) (nullable) */
const ChFrequency *ch_prescribing_find_frequency (const char *code);

/* Fills rx->quantity and quantity_unit from the dose, the product (form and
 * strength), the frequency and the duration, when they allow it.
 * Returns: whether it could */
gboolean    ch_prescription_compute_quantity (ChDrugKb       *kb,
                                              ChPrescription *rx);
/* Returns: (transfer full): the sig as printed: "1 capsule by mouth three
 * times a day for 10 days" */
char       *ch_prescription_sig_text   (const ChPrescription *rx);
/* Returns: (transfer full): "thirty" — a whole quantity in words, for paper */
char       *ch_number_in_words         (guint64               number);

/* What the prescriber did with an alert when signing. */
typedef struct
{
  const char *pair_key;    /* ch_drug_alert_pair_key() */
  const char *reason;      /* override reason; required for contraindicated alerts */
  gboolean    silence;     /* "do not warn again for this patient and pair"; not for
                            * contraindicated alerts (CH_AUTH_ERROR_INVALID) */
} ChAlertDecision;

/* Saves a new draft (rx->id 0) or rewrites a draft. Physicians prescribe for
 * themselves; a nurse drafts for a physician named in rx->prescriber. */
gboolean    ch_prescribing_save_draft  (ChSession       *session,
                                        ChPrescription  *rx,
                                        GError         **error);
/* Runs the checks for one prescription (as ch_prescribing_check()). */
GPtrArray  *ch_prescribing_check_prescription (ChSession            *session,
                                               const ChPrescription *rx,
                                               GError              **error);
/* Signs a draft: runs the checks again, refuses while a contraindicated
 * alert has no override reason, records every alert and decision, gives the
 * prescription its number and puts it on the medication list — all in one
 * transaction, audited. */
gboolean    ch_prescribing_sign        (ChSession             *session,
                                        gint64                 prescription_id,
                                        const ChAlertDecision *decisions,
                                        guint                  n_decisions,
                                        GError               **error);
gboolean    ch_prescribing_discard     (ChSession   *session,
                                        gint64       prescription_id,
                                        GError     **error);
/* Starts a renewal (or, edited before signing, a change) of a signed
 * prescription. Returns: the new draft's id, or 0 */
gint64      ch_prescribing_renew       (ChSession   *session,
                                        gint64       prescription_id,
                                        GError     **error);
/* Stops a signed prescription and its medication list entry, with the reason. */
gboolean    ch_prescribing_stop        (ChSession   *session,
                                        gint64       prescription_id,
                                        const char  *reason,
                                        GError     **error);
ChPrescription *ch_prescribing_get     (ChSession   *session,
                                        gint64       prescription_id,
                                        GError     **error);
/* Returns: (transfer full) (element-type ChPrescription): newest first */
GPtrArray  *ch_prescribing_list        (ChSession   *session,
                                        gint64       patient_id,
                                        GError     **error);

G_END_DECLS
