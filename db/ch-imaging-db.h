/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-store.h"

G_BEGIN_DECLS

/* Imaging records: DICOM instances filed in charts (each also a document,
 * app/documents/) and the reconciliation inbox. app/imaging/ch-imaging.h is
 * the controller over them. Strings are never NULL ("" when absent). */

/* A study in a patient's chart. */
typedef struct
{
  char  *study_uid;
  char  *date;               /* YYYY-MM-DD, "" when unknown */
  char  *time;               /* HH:MM:SS, "" when unknown */
  char  *description;
  char  *modalities;         /* distinct modalities, "CT, SR" */
  guint  n_series;
  guint  n_instances;
} ChImagingStudy;

/* A series of a study. */
typedef struct
{
  char     *series_uid;
  char     *study_uid;
  gboolean  has_number;
  gint      number;
  char     *modality;
  char     *description;
  guint     n_instances;
} ChImagingSeries;

/* One instance filed in a chart: a dicom_instances row. */
typedef struct
{
  gint64    id;
  gint64    document_id;
  gint64    patient_id;
  char     *study_uid;
  char     *series_uid;
  char     *sop_instance_uid;
  char     *sop_class_uid;
  char     *modality;
  char     *study_date;          /* YYYY-MM-DD or "" */
  char     *study_time;          /* HH:MM:SS or "" */
  char     *study_description;
  char     *series_description;
  gboolean  has_series_number;
  gint      series_number;
  gboolean  has_instance_number;
  gint      instance_number;
  gboolean  has_slice_location;
  double    slice_location;
  guint     rows;
  guint     columns;
  guint     frames;
  char     *transfer_syntax;
  char     *calling_ae;
  gint64    received_at;         /* µs since the epoch */
} ChImagingInstance;

/* A study waiting in the reconciliation inbox: the instances of one study
 * UID that wait, taken together. */
typedef struct
{
  gint64  id;                /* the first waiting instance's entry: what assign/discard take */
  gint64  received_at;       /* µs since the epoch, of the first */
  char   *calling_ae;
  char   *source;
  char   *patient_name;      /* DICOM PN as received ("Family^Given") */
  char   *patient_ref;       /* DICOM Patient ID as received */
  char   *birth_date;        /* YYYY-MM-DD, "" when absent */
  char   *study_uid;
  char   *study_date;        /* YYYY-MM-DD, "" when absent */
  char   *study_description;
  char   *modalities;        /* "CT, SR" */
  char   *reason;            /* why it waits */
  guint   n_instances;
} ChImagingInboxItem;

/* One instance in the inbox: a dicom_inbox row. */
typedef struct
{
  gint64  id;
  gint64  received_at;
  char   *calling_ae;
  char   *source;
  char   *patient_name;
  char   *patient_ref;
  char   *birth_date;
  char   *sex;
  char   *study_uid;
  char   *series_uid;
  char   *sop_instance_uid;
  char   *modality;
  char   *study_date;
  char   *study_description;
  char   *reason;
  gint64  size;
  char   *blob;              /* of the document store */
  char   *content_hash;
  char   *status;            /* waiting, assigned, discarded */
  char   *status_reason;
  gint64  patient_id;        /* once assigned, else 0 */
  gint64  document_id;       /* once assigned, else 0 */
} ChImagingInboxEntry;

void ch_imaging_study_free        (ChImagingStudy      *study);
void ch_imaging_series_free       (ChImagingSeries     *series);
ChImagingInstance *ch_imaging_instance_new (void);
void ch_imaging_instance_free     (ChImagingInstance   *instance);
void ch_imaging_inbox_item_free   (ChImagingInboxItem  *item);
ChImagingInboxEntry *ch_imaging_inbox_entry_new (void);
void ch_imaging_inbox_entry_free  (ChImagingInboxEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChImagingStudy, ch_imaging_study_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChImagingSeries, ch_imaging_series_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChImagingInstance, ch_imaging_instance_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChImagingInboxItem, ch_imaging_inbox_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChImagingInboxEntry, ch_imaging_inbox_entry_free)

/* Patients whose MRN or any identifier's value is @ref (a merged patient
 * counts as the one it was merged into), into @out_ids, each once. */
gboolean   ch_db_imaging_match_ref       (ChStore      *store,
                                          const char   *ref,
                                          GArray       *out_ids,
                                          GError      **error);
/* Active patients whose folded "family given" is @name_key, born @birth_date. */
gboolean   ch_db_imaging_match_name      (ChStore      *store,
                                          const char   *name_key,
                                          const char   *birth_date,
                                          GArray       *out_ids,
                                          GError      **error);

/* Sets @instance's id and received_at. */
gboolean   ch_db_imaging_instance_insert (ChStore            *store,
                                          ChImagingInstance  *instance,
                                          GError            **error);
/* Returns: (transfer full) (nullable): the instance of that SOP instance
 * UID or document; NULL and no error when there is none. */
ChImagingInstance *ch_db_imaging_instance_find_sop      (ChStore     *store,
                                                         const char  *sop_instance_uid,
                                                         GError     **error);
ChImagingInstance *ch_db_imaging_instance_find_document (ChStore     *store,
                                                         gint64       document_id,
                                                         GError     **error);

/* Those of documents still current only. */
GPtrArray *ch_db_imaging_list_studies    (ChStore      *store,
                                          gint64        patient_id,
                                          GError      **error);
GPtrArray *ch_db_imaging_list_series     (ChStore      *store,
                                          gint64        patient_id,
                                          const char   *study_uid,
                                          GError      **error);
/* Returns: (element-type gint64): document ids by instance number, then
 * slice location, then the order received. */
GArray    *ch_db_imaging_list_instances  (ChStore      *store,
                                          gint64        patient_id,
                                          const char   *series_uid,
                                          GError      **error);

/* Sets @entry's id, received_at and status (waiting). */
gboolean   ch_db_imaging_inbox_insert    (ChStore              *store,
                                          ChImagingInboxEntry  *entry,
                                          GError              **error);
/* Returns: (transfer full) (nullable): NULL with CH_STORE_ERROR_NOT_FOUND */
ChImagingInboxEntry *ch_db_imaging_inbox_get (ChStore     *store,
                                              gint64       id,
                                              GError     **error);
/* Returns: (transfer full) (nullable): the waiting entry of that SOP
 * instance; NULL and no error when there is none. */
ChImagingInboxEntry *ch_db_imaging_inbox_find_waiting_sop (ChStore     *store,
                                                           const char  *sop_instance_uid,
                                                           GError     **error);
/* Returns: (element-type ChImagingInboxEntry): the waiting entries of @study_uid, oldest first */
GPtrArray *ch_db_imaging_inbox_list_study (ChStore     *store,
                                           const char  *study_uid,
                                           GError     **error);
/* Returns: (element-type ChImagingInboxItem): the waiting studies, oldest first */
GPtrArray *ch_db_imaging_inbox_list       (ChStore     *store,
                                           GError     **error);
/* Closes a waiting entry: @status "assigned" (with @patient_id and
 * @document_id) or "discarded" (with @reason). CH_STORE_ERROR_CONSTRAINT
 * when it no longer waits. */
gboolean   ch_db_imaging_inbox_close      (ChStore     *store,
                                           gint64       id,
                                           const char  *status,
                                           const char  *reason,
                                           gint64       patient_id,
                                           gint64       document_id,
                                           const char  *username,
                                           GError     **error);

G_END_DECLS
