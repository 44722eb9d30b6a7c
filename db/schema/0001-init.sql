-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 1: the practice, its users, the core of the patient record and
-- the audit trail.

CREATE TABLE settings (
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
);

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL DEFAULT '',
  role          TEXT NOT NULL
                CHECK (role IN ('physician', 'nurse', 'front-desk', 'manager', 'admin')),
  disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);

CREATE TABLE patients (
  id           INTEGER PRIMARY KEY,
  mrn          TEXT NOT NULL UNIQUE,
  given_name   TEXT NOT NULL DEFAULT '',
  family_name  TEXT NOT NULL,
  birth_date   TEXT,               -- ISO 8601 date, YYYY-MM-DD
  sex          TEXT NOT NULL DEFAULT 'unknown'
               CHECK (sex IN ('female', 'male', 'other', 'unknown')),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);

-- Append-only: each entry carries the BLAKE2b hash of the one before it.
-- Times are microseconds since the Unix epoch, UTC.
CREATE TABLE audit (
  id           INTEGER PRIMARY KEY,
  ts           INTEGER NOT NULL,
  username     TEXT NOT NULL,
  role         TEXT NOT NULL,
  action       TEXT NOT NULL,
  object_type  TEXT NOT NULL DEFAULT '',
  object_id    TEXT NOT NULL DEFAULT '',
  patient_id   INTEGER,
  detail       TEXT NOT NULL DEFAULT '',
  prev_hash    BLOB NOT NULL,
  hash         BLOB NOT NULL
);

CREATE INDEX audit_username ON audit (username, id);
CREATE INDEX audit_patient ON audit (patient_id, id);
CREATE INDEX audit_action ON audit (action, id);
CREATE INDEX audit_ts ON audit (ts);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
  SELECT RAISE (ABORT, 'the audit trail is append-only');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
  SELECT RAISE (ABORT, 'the audit trail is append-only');
END;
