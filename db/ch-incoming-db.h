/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-store.h"

G_BEGIN_DECLS

/* Outside records waiting to be reconciled: a C-CDA CCD imported for a
 * patient and the problems, allergies and medications it lists. */

typedef struct
{
  gint64  id;
  gint64  patient_id;
  char   *format;          /* ccd */
  char   *title;
  char   *organization;
  char   *author;
  char   *document_date;   /* YYYY-MM-DD or "" */
  char   *patient_name;    /* as the document names the patient */
  char   *birth_date;
  char   *sex;
  char   *patient_ref;
  gboolean forced;         /* imported although the patient did not match */
  gint64  document_id;     /* the raw XML in the document store; 0: none */
  gint64  received_at;     /* µs since the epoch */
  char   *imported_by;
} ChIncomingDocument;

typedef struct
{
  gint64  id;
  gint64  incoming_id;
  gint64  patient_id;
  char   *kind;            /* problem, allergy, medication */
  char   *code;
  char   *system;          /* icd10cm, snomed, rxnorm, unii, … else the OID */
  char   *text;
  char   *details;         /* for people: onset, reaction, dose … */
  char   *clinical_status; /* as the document says: active, resolved, inactive, completed */
  char   *onset;           /* YYYY-MM-DD or "" */
  char   *allergy_kind;    /* drug, food, environment, other or "" */
  char   *reaction;
  char   *severity;        /* mild, moderate, severe or "" */
  char   *dose;
  char   *status;          /* pending, accepted, declined, already */
  gint64  already_item_id; /* 0: none */
  char   *decided_by;
  gint64  decided_at;      /* 0: not yet */
  char   *reason;
  gint64  chart_item_id;   /* 0: none */
  gint64  reconciliation_id;
  char   *source;          /* when listed: the document's organization, else title */
} ChIncomingItem;

ChIncomingDocument *ch_incoming_document_new  (void);
void                ch_incoming_document_free (ChIncomingDocument *document);
ChIncomingItem     *ch_incoming_item_new      (const char         *kind);
void                ch_incoming_item_free     (ChIncomingItem     *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChIncomingDocument, ch_incoming_document_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChIncomingItem, ch_incoming_item_free)

/* Call inside a transaction. Sets the id and received_at. */
gboolean            ch_db_incoming_document_insert (ChStore            *store,
                                                    ChIncomingDocument *document,
                                                    GError            **error);
/* Sets the item's id; its incoming_id and patient_id must be set. */
gboolean            ch_db_incoming_item_insert     (ChStore            *store,
                                                    ChIncomingItem     *item,
                                                    GError            **error);
/* Returns: (transfer full): the item, or NULL with CH_STORE_ERROR_NOT_FOUND */
ChIncomingItem     *ch_db_incoming_item_get        (ChStore            *store,
                                                    gint64              id,
                                                    GError            **error);
/* Returns: (transfer full) (element-type ChIncomingItem): a patient's items,
 * the newest document first, in the document's order; all of them or the
 * pending ones only. NULL on error. */
GPtrArray          *ch_db_incoming_item_list       (ChStore            *store,
                                                    gint64              patient_id,
                                                    gboolean            pending_only,
                                                    GError            **error);
/* Returns: (transfer full) (element-type ChIncomingDocument): newest first */
GPtrArray          *ch_db_incoming_document_list   (ChStore            *store,
                                                    gint64              patient_id,
                                                    GError            **error);
/* Records the decision on a pending item: @status accepted or declined.
 * Sets CH_STORE_ERROR_CONSTRAINT when the item is no longer pending. */
gboolean            ch_db_incoming_item_decide     (ChStore            *store,
                                                    gint64              id,
                                                    const char         *status,
                                                    const char         *decided_by,
                                                    const char         *reason,
                                                    gint64              chart_item_id,
                                                    gint64              reconciliation_id,
                                                    GError            **error);

G_END_DECLS
