/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-store.h"

G_BEGIN_DECLS

/* A request to refill a signed prescription, waiting in its prescriber's
 * queue until it is approved (with a signed renewal) or denied. */
typedef struct
{
  gint64  id;
  gint64  prescription_id;
  gint64  patient_id;
  char   *drug_name;        /* the prescription's, as read */
  char   *prescriber;       /* whose queue it is in */
  gint64  requested_at;     /* µs since the epoch */
  char   *requested_by;
  char   *note;
  char   *state;            /* pending, approved, denied */
  gint64  decided_at;       /* 0: pending */
  char   *decided_by;       /* nullable */
  char   *decision_note;
  gint64  renewal_id;       /* the signed renewal when approved; 0: none */
  /* As read with the request, for a queue to show: */
  char   *strength;
  char   *form;
  char   *patient_name;     /* "Family, Given" */
  char   *patient_mrn;
  char   *patient_birth_date;
} ChRefillRequest;

ChRefillRequest *ch_refill_request_new  (void);
void             ch_refill_request_free (ChRefillRequest *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChRefillRequest, ch_refill_request_free)

/* Inserts a pending request from @request's prescription_id, patient_id,
 * prescriber and note; sets its id, requested_at, requested_by and state. */
gboolean         ch_db_refill_insert    (ChStore          *store,
                                         ChRefillRequest  *request,
                                         const char       *username,
                                         GError          **error);
/* Sets CH_STORE_ERROR_NOT_FOUND when there is no such request.
 * Returns: (transfer full) (nullable) */
ChRefillRequest *ch_db_refill_get       (ChStore          *store,
                                         gint64            id,
                                         GError          **error);
/* Returns: (transfer full) (element-type ChRefillRequest): the requests
 * waiting for @prescriber, oldest first; NULL on error */
GPtrArray       *ch_db_refill_list_pending (ChStore       *store,
                                            const char    *prescriber,
                                            GError       **error);
/* The pending request for @prescription_id, if there is one.
 * Returns: FALSE on error; *out_id is 0 when there is none */
gboolean         ch_db_refill_find_pending (ChStore       *store,
                                            gint64         prescription_id,
                                            gint64        *out_id,
                                            GError       **error);
/* Moves a pending request to @state (approved or denied). Sets
 * CH_STORE_ERROR_CONSTRAINT when it was decided meanwhile. */
gboolean         ch_db_refill_decide    (ChStore          *store,
                                         gint64            id,
                                         const char       *state,
                                         const char       *username,
                                         const char       *note,
                                         gint64            renewal_id,
                                         GError          **error);

G_END_DECLS
