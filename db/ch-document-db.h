/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-store.h"

G_BEGIN_DECLS

/* A document's row: what it is and whose; the file itself is an encrypted
 * blob under PRACTICE/documents/ that app/documents/ reads and writes. */
typedef struct
{
  gint64  id;
  gint64  patient_id;
  char   *category;       /* referral, lab-report, imaging, consent, id-card, correspondence, other */
  char   *date;           /* YYYY-MM-DD */
  char   *title;
  char   *author;
  char   *source;
  char   *tags;           /* comma-separated */
  gint64  size;           /* bytes of the plain content */
  char   *content_type;   /* MIME type */
  char   *blob;           /* "ab/abcd…", relative to the documents folder */
  char   *content_hash;   /* keyed hash of the content, hex */
  char   *status;         /* current, entered-in-error */
  char   *status_reason;
  gint64  version;
  gint64  created_at;     /* µs */
  char   *created_by;
  gint64  updated_at;
  char   *updated_by;
} ChDocument;

ChDocument *ch_document_new  (void);
ChDocument *ch_document_copy (const ChDocument *document);
void        ch_document_free (ChDocument       *document);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChDocument, ch_document_free)

/* Sets id, version, status (current) and the times. */
gboolean    ch_db_document_insert      (ChStore      *store,
                                        ChDocument   *document,
                                        const char   *username,
                                        GError      **error);
/* When a document brought from another system was first filed there (µs,
 * UTC): set once, right after ch_db_document_insert(), in its transaction. */
gboolean      ch_db_document_set_filed_at (ChStore     *store,
                                           gint64       id,
                                           gint64       filed_at,
                                           GError     **error);
/* Writes category, date, title, author, source, tags, content_type, status
 * and status_reason if the version is the one read (else
 * CH_STORE_ERROR_CONSTRAINT), keeping the earlier version in the item
 * history; bumps the version. */
gboolean    ch_db_document_update      (ChStore      *store,
                                        ChDocument   *document,
                                        const char   *username,
                                        const char   *reason,
                                        GError      **error);
/* Returns: (transfer full) (nullable): NULL with CH_STORE_ERROR_NOT_FOUND */
ChDocument *ch_db_document_get         (ChStore      *store,
                                        gint64        id,
                                        GError      **error);
/* Returns: (transfer full) (element-type ChDocument): newest first (by
 * date, then id); those entered in error only with @include_entered_in_error */
GPtrArray  *ch_db_document_list        (ChStore      *store,
                                        gint64        patient_id,
                                        gboolean      include_entered_in_error,
                                        GError      **error);
/* How many rows name the blob with @content_hash. */
gboolean    ch_db_document_count_hash  (ChStore      *store,
                                        const char   *content_hash,
                                        gint64       *out_count,
                                        GError      **error);

/* The document store's keys, generation 1 first: each @out element a
 * GBytes of 32 bytes (the caller wipes and frees them). */
gboolean    ch_db_document_keys_load   (ChStore      *store,
                                        GPtrArray   **out_keys,
                                        GError      **error);
/* Adds a key as the next generation; with @first_only, only when there is
 * none yet (as generation 1). */
gboolean    ch_db_document_key_add     (ChStore      *store,
                                        const guint8 *key,
                                        gsize         len,
                                        gboolean      first_only,
                                        GError      **error);

G_END_DECLS
