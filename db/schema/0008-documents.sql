-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 8: the document store. The files themselves live encrypted
-- under PRACTICE/documents/ (app/documents/ch-documents.c); a row here says
-- whose they are and what. The blob's name is a keyed hash of the content, so
-- identical files share one blob and many rows. Nothing is deleted: a document
-- filed wrongly is marked entered in error, with the reason.

CREATE TABLE documents (
  id              INTEGER PRIMARY KEY,
  patient_id      INTEGER NOT NULL REFERENCES patients (id),
  category        TEXT NOT NULL
                  CHECK (category IN ('referral', 'lab-report', 'imaging', 'consent', 'id-card',
                                      'correspondence', 'other')),
  doc_date        TEXT NOT NULL,                          -- YYYY-MM-DD: the document's own date
  title           TEXT NOT NULL,
  author          TEXT NOT NULL DEFAULT '',
  source          TEXT NOT NULL DEFAULT '',               -- who sent it, or where it came from
  tags            TEXT NOT NULL DEFAULT '',               -- comma-separated
  size            INTEGER NOT NULL CHECK (size >= 0),     -- bytes of the plain content
  content_type    TEXT NOT NULL,                          -- MIME type
  blob            TEXT NOT NULL,                          -- "ab/abcd…" under documents/
  content_hash    TEXT NOT NULL,                          -- keyed BLAKE2b of the content, hex
  status          TEXT NOT NULL DEFAULT 'current'
                  CHECK (status IN ('current', 'entered-in-error')),
  status_reason   TEXT NOT NULL DEFAULT '',
  version         INTEGER NOT NULL DEFAULT 1,
  created_at      INTEGER NOT NULL,
  created_by      TEXT NOT NULL,
  updated_at      INTEGER NOT NULL,
  updated_by      TEXT NOT NULL
);
CREATE INDEX documents_patient ON documents (patient_id, status, doc_date);
-- Identical files: one blob, found by its hash.
CREATE INDEX documents_content ON documents (content_hash);

CREATE TRIGGER documents_no_delete BEFORE DELETE ON documents
BEGIN
  SELECT RAISE (ABORT, 'documents are marked entered in error, never deleted');
END;
