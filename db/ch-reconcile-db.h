/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-store.h"

G_BEGIN_DECLS

/* One line of a medication reconciliation, as recorded. */
typedef struct
{
  gint64  id;
  char   *outside_text;        /* "" for a current medication missing outside */
  gint64  medication_item_id;  /* 0: none */
  char   *decision;            /* keep, stop, change, add */
  char   *note;
} ChReconciliationLine;

/* A medication reconciliation: an outside list compared line by line with
 * the current one. */
typedef struct
{
  gint64     id;
  gint64     patient_id;
  char      *source;           /* where the outside list came from */
  gint64     done_at;          /* µs since the epoch */
  char      *done_by;
  GPtrArray *lines;            /* (element-type ChReconciliationLine) in order */
} ChReconciliation;

void        ch_reconciliation_line_free (ChReconciliationLine *line);
void        ch_reconciliation_free      (ChReconciliation     *reconciliation);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChReconciliationLine, ch_reconciliation_line_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChReconciliation, ch_reconciliation_free)

/* Call inside a transaction, with the lines after it. */
gboolean    ch_db_reconciliation_insert (ChStore     *store,
                                         gint64       patient_id,
                                         const char  *source,
                                         const char  *username,
                                         gint64      *out_id,
                                         GError     **error);
gboolean    ch_db_reconciliation_line_insert (ChStore     *store,
                                              gint64       reconciliation_id,
                                              const char  *outside_text,
                                              gint64       medication_item_id,
                                              const char  *decision,
                                              const char  *note,
                                              GError     **error);
/* Returns: (transfer full) (element-type ChReconciliation): a patient's
 * reconciliations with their lines, newest first; NULL on error */
GPtrArray  *ch_db_reconciliation_list   (ChStore     *store,
                                         gint64       patient_id,
                                         GError     **error);

/* The signed prescription whose medication list entry is @medication_item_id,
 * for entries that do not name their prescription.
 * Returns: FALSE on error; *out_id is 0 when there is none */
gboolean    ch_db_prescription_find_signed_for_item (ChStore  *store,
                                                     gint64    medication_item_id,
                                                     gint64   *out_id,
                                                     GError  **error);

G_END_DECLS
