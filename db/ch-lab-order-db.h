/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-store.h"

G_BEGIN_DECLS

/* Laboratory orders (schema 0014): what was ordered, for whom, by whom, and
 * what became of sending it; app/interop/ch-lab-orders.h is the controller
 * over them. Strings are never NULL ("" when absent) once read. */

/* One test of an order: one OBR. */
typedef struct
{
  gint64  id;
  gint64  order_id;
  gint    position;             /* OBR-1, from 1 */
  char   *code;
  char   *text;
  char   *system;               /* "LN", "L" … */
  char   *specimen;
  gint64  report_id;            /* 0: no report yet */
  char   *result_status;        /* that report's OBR-25, "" when none */
} ChLabOrderTest;

typedef struct
{
  gint64     id;
  gint64     patient_id;
  char      *patient_mrn;       /* read with the order */
  char      *patient_name;      /* "Given Family", read with the order */
  char      *placer_number;     /* "CH000042" */
  char      *ordered_by;        /* a user name */
  char      *ordered_by_name;
  char      *priority;          /* routine, stat, asap */
  char      *clinical_info;
  char      *note;
  char      *status;            /* pending, sent, failed, partial, resulted, cancelled */
  char      *reason;            /* failed: why */
  gint       attempts;
  char      *target;
  char      *control_id;
  gint64     created_at;
  gint64     sent_at;           /* 0: never accepted */
  gint64     resulted_at;       /* 0: no report yet */
  gint64     cancelled_at;      /* 0: not cancelled */
  char      *cancelled_by;
  char      *cancel_reason;
  char      *cancel_delivery;   /* "", pending, sent, failed */
  char      *cancel_error;
  GPtrArray *tests;             /* (element-type ChLabOrderTest) by position */
} ChLabOrder;

ChLabOrder     *ch_lab_order_new       (void);
void            ch_lab_order_free      (ChLabOrder     *order);
ChLabOrderTest *ch_lab_order_test_new  (const char     *code,
                                        const char     *text,
                                        const char     *system,
                                        const char     *specimen);
void            ch_lab_order_test_free (ChLabOrderTest *test);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChLabOrder, ch_lab_order_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChLabOrderTest, ch_lab_order_test_free)

/* Inserts @order as pending with its tests (numbered from 1 in their
 * order), giving it its id, created_at and the next placer number. In the
 * caller's transaction. */
gboolean    ch_db_lab_order_insert      (ChStore      *store,
                                         ChLabOrder   *order,
                                         GError      **error);
/* Returns: (transfer full) (nullable): the order with its tests, NULL with
 * CH_STORE_ERROR_NOT_FOUND when there is none. */
ChLabOrder *ch_db_lab_order_get         (ChStore      *store,
                                         gint64        id,
                                         GError      **error);
ChLabOrder *ch_db_lab_order_get_by_number (ChStore    *store,
                                           const char *placer_number,
                                           GError    **error);
/* @patient_id: 0 for every patient; @status: (nullable): only those;
 * @limit: 0 for all. The newest first, with their tests.
 * Returns: (transfer full) (element-type ChLabOrder) (nullable) */
GPtrArray  *ch_db_lab_order_list        (ChStore      *store,
                                         gint64        patient_id,
                                         const char   *status,
                                         guint         limit,
                                         GError      **error);

/* Records one attempt at sending order @id to @target as message
 * @control_id: @accepted sets it sent (sent_at now, reason cleared), else
 * failed with @reason. A partial or resulted order keeps its status. */
gboolean    ch_db_lab_order_set_delivery (ChStore     *store,
                                          gint64       id,
                                          gboolean     accepted,
                                          const char  *reason,
                                          const char  *target,
                                          const char  *control_id,
                                          GError     **error);
/* Sets order @id cancelled by @username for @reason; @cancel_delivery is
 * "" when the lab never had the order, else "pending". */
gboolean    ch_db_lab_order_set_cancelled (ChStore    *store,
                                           gint64      id,
                                           const char *username,
                                           const char *reason,
                                           const char *cancel_delivery,
                                           GError    **error);
/* Records an attempt at sending order @id's cancellation: "sent", or
 * "failed" with @reason. */
gboolean    ch_db_lab_order_set_cancel_delivery (ChStore    *store,
                                                 gint64      id,
                                                 gboolean    accepted,
                                                 const char *reason,
                                                 const char *target,
                                                 const char *control_id,
                                                 GError    **error);

/* Called for each lab report filed: when @placer_number is an order of
 * @patient_id's (or of a chart merged into it), links @report_id to the
 * test it answers (the one of code @code, else the first not answered yet)
 * and marks the order partial, or resulted once every test has a final or
 * corrected report (@result_status F or C); a cancelled order stays
 * cancelled. *@out_order_id is the order's id, or 0 when the number is none
 * of ours. One lookup by the placer number's unique index. In the caller's
 * transaction. */
gboolean    ch_db_lab_order_link_report (ChStore      *store,
                                         const char   *placer_number,
                                         gint64        patient_id,
                                         gint64        report_id,
                                         const char   *code,
                                         const char   *result_status,
                                         gint64       *out_order_id,
                                         GError      **error);

G_END_DECLS
