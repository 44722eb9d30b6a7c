/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-store.h"

G_BEGIN_DECLS

/* ---- prescriptions ------------------------------------------------------------ */

typedef struct
{
  gint64    id;
  char     *number;              /* nullable: given when signed */
  gint64    patient_id;
  char     *drug_id;             /* the knowledge base's id, "" when none */
  char     *drug_name;
  char     *form;
  char     *strength;
  char     *route;
  double    dose;                /* NAN: none */
  char     *dose_unit;
  char     *frequency;
  gboolean  as_needed;
  int       duration_days;       /* 0: not given */
  double    quantity;            /* NAN: none */
  char     *quantity_unit;
  int       refills;
  gboolean  substitution;
  gint64    indication_id;       /* 0: none */
  char     *indication;
  char     *instructions;
  char     *state;               /* draft, signed, replaced, stopped, discarded, entered-in-error */
  char     *prescriber;
  char     *drafted_by;
  gint64    created_at;
  gint64    signed_at;           /* 0: not signed */
  gint64    medication_item_id;  /* 0: none */
  gint64    replaces_id;         /* 0: none */
  char     *end_reason;
  gint64    ended_at;
  char     *ended_by;            /* nullable */
  gint64    version;
} ChPrescription;

ChPrescription *ch_prescription_new   (void);
ChPrescription *ch_prescription_copy  (const ChPrescription *rx);
void            ch_prescription_free  (ChPrescription       *rx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChPrescription, ch_prescription_free)

/* Sets rx->id, version, created_at, drafted_by and state "draft". */
gboolean        ch_db_prescription_insert       (ChStore         *store,
                                                 ChPrescription  *rx,
                                                 const char      *username,
                                                 GError         **error);
/* Rewrites a draft (never moving it to another patient); fails when it is
 * no longer a draft, is another patient's or its version moved on. */
gboolean        ch_db_prescription_update_draft (ChStore         *store,
                                                 ChPrescription  *rx,
                                                 const char      *username,
                                                 GError         **error);
ChPrescription *ch_db_prescription_get          (ChStore         *store,
                                                 gint64           id,
                                                 GError         **error);
/* Returns: (transfer full) (element-type ChPrescription): newest first */
GPtrArray      *ch_db_prescription_list         (ChStore         *store,
                                                 gint64           patient_id,
                                                 GError         **error);
gboolean        ch_db_prescription_sign         (ChStore         *store,
                                                 gint64           id,
                                                 const char      *prescriber,
                                                 gint64           medication_item_id,
                                                 GError         **error);
/* Moves a prescription to @state: discarded from a draft; replaced, stopped
 * or entered-in-error from signed. Fails (as changed meanwhile) when it is
 * not in that state, so that an end on record is never written over. */
gboolean        ch_db_prescription_end          (ChStore         *store,
                                                 gint64           id,
                                                 const char      *state,
                                                 const char      *reason,
                                                 const char      *username,
                                                 GError         **error);
gboolean        ch_db_prescription_alert_insert (ChStore         *store,
                                                 gint64           prescription_id,
                                                 const char      *kind,
                                                 const char      *severity,
                                                 const char      *rule,
                                                 const char      *pair_key,
                                                 const char      *title,
                                                 const char      *username,
                                                 const char      *decision,
                                                 const char      *reason,
                                                 GError         **error);
/* Returns: (transfer full) (element-type utf8): "severity|decision|title|reason"
 * lines of the alerts recorded for a prescription, in order */
GPtrArray      *ch_db_prescription_alerts       (ChStore         *store,
                                                 gint64           prescription_id,
                                                 GError         **error);

/* ---- the practice's drug knowledge base ---------------------------------- */

/* Returns: (transfer full) (element-type utf8 GBytes): file name → contents,
 * empty when the practice uses the shipped base; NULL on error */
GHashTable *ch_db_drug_kb_files_load    (ChStore     *store,
                                         GError     **error);
/* Replaces every stored file with @files (NULL or empty: none, back to the
 * shipped base). Call inside a transaction. */
gboolean    ch_db_drug_kb_files_replace (ChStore     *store,
                                         GHashTable  *files,
                                         GError     **error);

/* ---- "do not warn again" ------------------------------------------------------- */

/* Returns: (transfer full) (element-type utf8): the pair keys silenced for
 * @patient_id; NULL on error */
GPtrArray  *ch_db_alert_suppressions    (ChStore     *store,
                                         gint64       patient_id,
                                         GError     **error);
gboolean    ch_db_alert_suppress        (ChStore     *store,
                                         gint64       patient_id,
                                         const char  *pair_key,
                                         const char  *title,
                                         const char  *username,
                                         GError     **error);

G_END_DECLS
