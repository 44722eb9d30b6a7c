-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 10: the keys of the document store, kept in the encrypted
-- database rather than derived from the master key, so that rotating the
-- master key (charta-admin rekey) leaves every blob readable without
-- rewriting it. Generation 1 is the key the documents subkey of the master
-- key gave before (stored at the first use); each rekey adds a generation,
-- which encrypts the blobs written from then on. Blobs are named under
-- generation 1 always, so an identical file is still stored once.

CREATE TABLE document_keys (
  id          INTEGER PRIMARY KEY,
  key         BLOB NOT NULL CHECK (length (key) = 32),
  created_at  INTEGER NOT NULL
);

CREATE TRIGGER document_keys_no_delete BEFORE DELETE ON document_keys
BEGIN
  SELECT RAISE (ABORT, 'document keys are never deleted');
END;

CREATE TRIGGER document_keys_no_update BEFORE UPDATE ON document_keys
BEGIN
  SELECT RAISE (ABORT, 'document keys are never changed');
END;
