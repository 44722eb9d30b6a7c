/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-records.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* A patient's photo: a PNG or JPEG of at most this size. */
#define CH_PATIENT_PHOTO_MAX_BYTES (1024 * 1024)

gboolean          ch_patients_photo_ok      (GBytes                 *photo);

/* Registration and demographics (front desk), and finding patients. Every
 * call checks the session's rights to demographics; every change is audited
 * in the same transaction and keeps the earlier version. */

gboolean         ch_patients_validate        (const ChPatientRecord  *record,
                                              GError                **error);
GPtrArray       *ch_patients_find_duplicates (ChSession              *session,
                                              const ChPatientRecord  *record,
                                              GError                **error);
gboolean         ch_patients_register        (ChSession              *session,
                                              ChPatientRecord        *record,
                                              GError                **error);
gboolean         ch_patients_register_many   (ChSession              *session,
                                              GPtrArray              *records,
                                              GError                **error);
gboolean         ch_patients_update          (ChSession              *session,
                                              ChPatientRecord        *record,
                                              const char             *reason,
                                              GError                **error);
ChPatientRecord *ch_patients_get             (ChSession              *session,
                                              gint64                  id,
                                              GError                **error);
ChPatientRecord *ch_patients_get_by_mrn      (ChSession              *session,
                                              const char             *mrn,
                                              GError                **error);
ChPatientRecord *ch_patients_open            (ChSession              *session,
                                              gint64                  id,
                                              GError                **error);
GPtrArray       *ch_patients_search          (ChSession              *session,
                                              const char             *query,
                                              guint                   limit,
                                              GError                **error);
GPtrArray       *ch_patients_history         (ChSession              *session,
                                              gint64                  patient_id,
                                              GError                **error);

/* Two records of one person (administrators only; reversible). */
gboolean         ch_patients_merge           (ChSession              *session,
                                              gint64                  from_id,
                                              gint64                  into_id,
                                              const char             *reason,
                                              GError                **error);
gboolean         ch_patients_unmerge         (ChSession              *session,
                                              gint64                  from_id,
                                              GError                **error);

/* Insurance. */
GPtrArray       *ch_patients_list_policies   (ChSession              *session,
                                              gint64                  patient_id,
                                              GError                **error);
gboolean         ch_patients_add_policy      (ChSession              *session,
                                              ChPolicyRecord         *policy,
                                              GError                **error);
gboolean         ch_patients_update_policy   (ChSession              *session,
                                              ChPolicyRecord         *policy,
                                              const char             *reason,
                                              GError                **error);
gboolean         ch_patients_policy_entered_in_error (ChSession      *session,
                                                      gint64          policy_id,
                                                      const char     *reason,
                                                      GError        **error);

G_END_DECLS
