/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-store.h"

G_BEGIN_DECLS

/* What a migration from another EHR remembers (schema 0015): the rows it
 * imported, so that a repeated run skips them, and the opening balances it
 * keeps for the billing ledger to take in. */

typedef struct
{
  gint64  id;
  gint64  patient_id;
  char   *source;
  gint64  amount_cents;   /* positive: the patient owes the practice */
  char   *as_of;          /* YYYY-MM-DD or "" */
  char   *note;
  gint64  created_at;
  char   *created_by;
  gint64  posted_at;      /* 0: not yet taken into the ledger */
} ChOpeningBalance;

void              ch_opening_balance_free   (ChOpeningBalance *balance);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChOpeningBalance, ch_opening_balance_free)

/* Whether @source's row @row_key of @section was imported; when it was,
 * @out_record_id and @out_patient_id (optional) say what it became. */
gboolean          ch_db_import_lookup       (ChStore     *store,
                                             const char  *source,
                                             const char  *section,
                                             const char  *row_key,
                                             gboolean    *out_found,
                                             gint64      *out_record_id,
                                             gint64      *out_patient_id,
                                             GError     **error);
/* Remembers an imported row; a row already remembered is
 * CH_STORE_ERROR_CONSTRAINT. */
gboolean          ch_db_import_remember     (ChStore     *store,
                                             const char  *source,
                                             const char  *section,
                                             const char  *row_key,
                                             const char  *record_type,
                                             gint64       record_id,
                                             gint64       patient_id,
                                             const char  *file,
                                             guint        line,
                                             const char  *username,
                                             GError     **error);
/* How many rows of @source were imported (@section: NULL for every one). */
gint64            ch_db_import_count        (ChStore     *store,
                                             const char  *source,
                                             const char  *section,
                                             GError     **error);
gboolean          ch_db_opening_balance_insert (ChStore          *store,
                                                ChOpeningBalance *balance,
                                                const char       *username,
                                                GError          **error);
/* @patient_id: 0 for every patient.
 * Returns: (transfer full) (element-type ChOpeningBalance): by patient, then id */
GPtrArray        *ch_db_opening_balance_list (ChStore        *store,
                                              gint64          patient_id,
                                              GError        **error);

G_END_DECLS
