/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-document-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_DOCUMENTS_ERROR (ch_documents_error_quark ())

typedef enum
{
  CH_DOCUMENTS_ERROR_FAILED,
  CH_DOCUMENTS_ERROR_MISSING,   /* the document's blob is not there; the message names it */
  CH_DOCUMENTS_ERROR_DAMAGED,   /* the blob does not decrypt and authenticate whole */
  CH_DOCUMENTS_ERROR_TOO_LARGE, /* larger than CH_DOCUMENTS_MAX_SIZE */
  CH_DOCUMENTS_ERROR_IO,        /* the file to import or the place to export to */
} ChDocumentsError;

/* The largest document stored. */
#define CH_DOCUMENTS_MAX_SIZE ((gint64) 512 * 1024 * 1024)

/* Plain content bytes a blob encrypts in one secretstream message. */
#define CH_DOCUMENTS_CHUNK_SIZE (64 * 1024)

/* What the person importing says about a document. NULL fields take their
 * defaults: category "other", today's date, the file's name as title, the
 * content type guessed from the name and the first bytes. */
typedef struct
{
  const char *category;
  const char *date;          /* YYYY-MM-DD */
  const char *title;
  const char *author;
  const char *source;
  const char *tags;          /* comma-separated */
  const char *content_type;  /* MIME type */
} ChDocumentMeta;

GQuark       ch_documents_error_quark       (void);

const char * const *ch_documents_categories (void);
const char  *ch_documents_category_label    (const char        *category);
gboolean     ch_documents_valid_category    (const char        *category);

/* Exactly one of @path and @bytes. */
gboolean     ch_documents_import            (ChSession         *session,
                                             gint64             patient_id,
                                             const ChDocumentMeta *meta,
                                             const char        *path,
                                             GBytes            *bytes,
                                             gint64            *out_id,
                                             GError           **error);
GPtrArray   *ch_documents_list              (ChSession         *session,
                                             gint64             patient_id,
                                             gboolean           include_entered_in_error,
                                             GError           **error);
ChDocument  *ch_documents_get               (ChSession         *session,
                                             gint64             id,
                                             GError           **error);
GBytes      *ch_documents_read              (ChSession         *session,
                                             gint64             id,
                                             GError           **error);
GPtrArray   *ch_documents_read_many         (ChSession         *session,
                                             GArray            *ids,
                                             GError           **error);
gboolean     ch_documents_export            (ChSession         *session,
                                             gint64             id,
                                             const char        *out_path,
                                             GError           **error);
gboolean     ch_documents_update_meta       (ChSession         *session,
                                             ChDocument        *document,
                                             GError           **error);
gboolean     ch_documents_mark_entered_in_error (ChSession     *session,
                                             gint64             id,
                                             const char        *reason,
                                             GError           **error);

/* A blob that no document names (yet): content kept encrypted for a chart
 * it has no patient in, such as a DICOM image waiting in the imaging inbox.
 * Stored as ch_documents_import() stores a document's, and found again by
 * the blob name, hash and size it gives back. Needs write access to the
 * clinical record; audited by the caller, not here.
 * @name: what to call the content in error messages */
gboolean     ch_documents_store_blob        (ChSession         *session,
                                             GBytes            *bytes,
                                             const char        *name,
                                             char             **out_blob,
                                             char             **out_content_hash,
                                             gint64            *out_size,
                                             GError           **error);
/* Decrypts a blob ch_documents_store_blob() returned, checking it whole.
 * Needs read access to the clinical record; not audited here.
 * Returns: (transfer full) (nullable) */
GBytes      *ch_documents_read_blob         (ChSession         *session,
                                             const char        *blob,
                                             const char        *content_hash,
                                             gint64             size,
                                             const char        *name,
                                             GError           **error);

/* The folder blobs live in: PRACTICE/documents. (transfer full) */
char        *ch_documents_dir               (ChSession         *session);

G_END_DECLS
