/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-documents.h"
#include "ch-imaging-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* The imaging controller: DICOM instances filed in patients' charts (each
 * one a document of category "imaging", content type "application/dicom",
 * in the encrypted document store, plus a dicom_instances row that says
 * which study and series it belongs to), the reconciliation inbox for those
 * that match no patient or several, browsing by study and series, and the
 * DICOM receiver's settings.
 *
 * Permissions: storing, assigning and discarding need write access to the
 * clinical record; listing studies, series, instances and the inbox needs
 * read access to it. The receiver settings are practice policy: anyone
 * logged in reads them, changing them needs write access to users (the
 * administrator and the office manager), as the idle-lock time does.
 * Everything is audited. Reading an instance's bytes is ch_documents_read()
 * on its document id (audited there as a document view). */

#define CH_IMAGING_ERROR (ch_imaging_error_quark ())

typedef enum
{
  CH_IMAGING_ERROR_FAILED,
  CH_IMAGING_ERROR_INVALID,   /* not DICOM, damaged, or without the UIDs filing needs */
  CH_IMAGING_ERROR_NOT_FOUND, /* no such inbox entry, study or series */
  CH_IMAGING_ERROR_CLOSED,    /* the inbox entry was assigned or discarded already */
} ChImagingError;

#define CH_IMAGING_DEFAULT_AE_TITLE "CHARTA"
#define CH_IMAGING_DEFAULT_PORT     11112

typedef enum
{
  CH_IMAGING_STORED,     /* filed in the patient's chart */
  CH_IMAGING_DUPLICATE,  /* that SOP instance was received before: nothing new stored */
  CH_IMAGING_QUEUED,     /* waiting in the reconciliation inbox */
} ChImagingOutcome;

/* What ch_imaging_store_instance() did. Caller-allocated (zero it, or use
 * g_auto (ChImagingStoreResult)); strings owned, freed by
 * ch_imaging_store_result_clear(). */
typedef struct
{
  ChImagingOutcome outcome;
  gint64  patient_id;        /* STORED, DUPLICATE in a chart; else 0 */
  char   *mrn;               /* that patient's MRN, or NULL */
  gint64  document_id;       /* STORED, DUPLICATE in a chart; else 0 */
  gint64  inbox_id;          /* QUEUED, DUPLICATE still in the inbox; else 0 */
  char   *reason;            /* QUEUED: why no chart, e.g. "no patient with ID …" */
  char   *modality;          /* as received, "" when absent */
  char   *sop_class_uid;
  char   *sop_instance_uid;
  char   *study_instance_uid;
  char   *patient_name;      /* DICOM PN as received ("Family^Given"), "" when absent */
  char   *patient_ref;       /* DICOM Patient ID as received, "" when absent */
} ChImagingStoreResult;

/* ChImagingStudy, ChImagingSeries, ChImagingInstance and
 * ChImagingInboxItem, the records listed below, are declared in
 * ch-imaging-db.h. */

/* The DICOM receiver's settings, kept in the practice database. */
typedef struct
{
  gboolean  enabled;
  char     *ae_title;        /* 1–16 characters, default "CHARTA" */
  guint     port;            /* 1–65535, default 11112 */
  GStrv     allowed_peers;   /* calling AE titles accepted; empty: none are */
} ChImagingReceiverSettings;

GQuark ch_imaging_error_quark (void);

void ch_imaging_store_result_clear         (ChImagingStoreResult      *result);
void ch_imaging_receiver_settings_free     (ChImagingReceiverSettings *settings);

/**
 * ch_imaging_store_instance:
 * @data: a whole DICOM Part-10 file (preamble and meta header)
 * @calling_ae: (nullable): the sender's AE title, when it came over the network
 * @source: (nullable): for the document's source field, e.g.
 *   "CT01 (192.0.2.5) over DICOM"; default "DICOM"
 * @out: (out caller-allocates) (optional): what happened
 *
 * Files one received instance: matched to a patient by Patient ID (equal to
 * an MRN or to another identifier's value), else by family and given name
 * (folded as the patient search folds) and birth date. Exactly one patient:
 * stored as an imaging document of that patient, plus its dicom_instances
 * row. None or several: kept (encrypted) in the reconciliation inbox with
 * the reason. The same SOP instance received again is not stored twice
 * (CH_IMAGING_DUPLICATE, success). Audited with @calling_ae.
 *
 * Errors: CH_IMAGING_ERROR_INVALID (not DICOM, damaged, no SOP instance or
 * study UID: nothing stored), CH_AUTH_ERROR_PERMISSION_DENIED,
 * CH_DOCUMENTS_ERROR_* (the blob could not be written).
 */
gboolean ch_imaging_store_instance (ChSession             *session,
                                    const guint8          *data,
                                    gsize                  size,
                                    const char            *calling_ae,
                                    const char            *source,
                                    ChImagingStoreResult  *out,
                                    GError               **error);

/* Files a file a person imports into @patient_id's chart: a DICOM image by
 * its study and series too, anything else as ch_documents_import() does. */
gboolean ch_imaging_import_path (ChSession            *session,
                                 gint64                patient_id,
                                 const ChDocumentMeta *meta,
                                 const char           *path,
                                 gint64               *out_document_id,
                                 gboolean             *out_duplicate,
                                 GError              **error);

/**
 * ch_imaging_list_studies:
 *
 * The studies of @patient_id, newest first; audited as a view.
 *
 * Returns: (transfer full) (element-type ChImagingStudy) (nullable)
 */
GPtrArray *ch_imaging_list_studies (ChSession   *session,
                                    gint64       patient_id,
                                    GError     **error);

/**
 * ch_imaging_list_series:
 *
 * The series of one study of @patient_id, by series number; audited as a view.
 *
 * Returns: (transfer full) (element-type ChImagingSeries) (nullable)
 */
GPtrArray *ch_imaging_list_series  (ChSession   *session,
                                    gint64       patient_id,
                                    const char  *study_uid,
                                    GError     **error);

/**
 * ch_imaging_list_instances:
 *
 * The document ids of a series' instances in display order: by instance
 * number, then slice location, then the order received. Documents entered
 * in error are left out.
 *
 * Returns: (transfer full) (element-type gint64) (nullable)
 */
GArray    *ch_imaging_list_instances (ChSession  *session,
                                      gint64      patient_id,
                                      const char *series_uid,
                                      GError    **error);

/**
 * ch_imaging_get_instance:
 *
 * The DICOM details of the imaging document @document_id (its study and
 * series, to open a viewer on them), or CH_IMAGING_ERROR_NOT_FOUND when the
 * document is not a received DICOM instance.
 *
 * Returns: (transfer full) (nullable)
 */
ChImagingInstance *ch_imaging_get_instance (ChSession  *session,
                                            gint64      document_id,
                                            GError    **error);

/**
 * ch_imaging_inbox_list:
 *
 * The studies waiting for reconciliation, oldest first; audited as a view.
 *
 * Returns: (transfer full) (element-type ChImagingInboxItem) (nullable)
 */
GPtrArray *ch_imaging_inbox_list   (ChSession   *session,
                                    GError     **error);

/**
 * ch_imaging_inbox_assign:
 * @entry: an inbox entry id ("12") or a study instance UID
 * @out_n_moved: (out) (optional): how many instances went into the chart
 *
 * Files every waiting instance of that entry's study in @patient_id's chart,
 * in one transaction with its audit entries: all of them or none.
 *
 * Errors: CH_IMAGING_ERROR_NOT_FOUND, CH_IMAGING_ERROR_CLOSED,
 * CH_STORE_ERROR_NOT_FOUND (no such patient), CH_AUTH_ERROR_*.
 */
gboolean ch_imaging_inbox_assign   (ChSession   *session,
                                    const char  *entry,
                                    gint64       patient_id,
                                    guint       *out_n_moved,
                                    GError     **error);

/**
 * ch_imaging_inbox_discard:
 * @entry: an inbox entry id ("12") or a study instance UID
 * @reason: why; required
 *
 * Takes every waiting instance of that study out of the inbox, never out of
 * the store: marked discarded with @reason, and audited.
 */
gboolean ch_imaging_inbox_discard  (ChSession   *session,
                                    const char  *entry,
                                    const char  *reason,
                                    GError     **error);

/**
 * ch_imaging_get_receiver_settings:
 *
 * Returns: (transfer full): the stored settings, defaults where none are
 */
ChImagingReceiverSettings *ch_imaging_get_receiver_settings (ChSession  *session,
                                                             GError    **error);

/**
 * ch_imaging_set_receiver_settings:
 *
 * Checks and stores @settings (AE titles of 1–16 printable ASCII characters
 * without a backslash; a port from 1 to 65535), audited. Needs write access
 * to users (administrator, office manager). A running receiver picks them
 * up when it is restarted.
 */
gboolean ch_imaging_set_receiver_settings (ChSession                       *session,
                                           const ChImagingReceiverSettings *settings,
                                           GError                         **error);

/* Whether @title is a valid AE title (as ch_imaging_set_receiver_settings()
 * requires). */
gboolean ch_imaging_valid_ae_title (const char *title);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ChImagingStoreResult, ch_imaging_store_result_clear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChImagingReceiverSettings, ch_imaging_receiver_settings_free)

G_END_DECLS
