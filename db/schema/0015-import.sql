-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 15: migration from another EHR's CSV exports.
--
-- import_rows remembers every row a migration imported: which source (the
-- mapping's name for the old system), which section (patients, insurance,
-- problems …) and which row of it (the source's own key when the mapping
-- names a key column, else a hash of the row), and the record it became. A
-- repeated run skips those rows and imports only new ones; later sections
-- find the patient of a source patient key here. A row and its line here
-- are written in one transaction: whole or not at all.
--
-- import_balances holds each patient's opening balance as the old system
-- had it. Charta has no ledger yet: the billing module, when it comes, takes
-- each of these in as an opening ledger entry and sets posted_at and
-- ledger_entry_id, so that none is taken in twice. Amounts are in cents of
-- the practice's currency, positive when the patient owes the practice.
-- Times are microseconds since the epoch (UTC). Nothing is deleted.

CREATE TABLE import_rows (
  id                   INTEGER PRIMARY KEY,
  source               TEXT NOT NULL,
  section              TEXT NOT NULL
                       CHECK (section IN ('patients', 'insurance', 'problems', 'medications',
                                          'allergies', 'immunizations', 'appointments',
                                          'balances')),
  row_key              TEXT NOT NULL,   -- the key column's value, or "sha256:" and the row's hash
  record_type          TEXT NOT NULL,   -- patient, policy, chart-item, appointment, balance
  record_id            INTEGER NOT NULL,
  patient_id           INTEGER REFERENCES patients (id),
  file                 TEXT NOT NULL DEFAULT '',  -- where it came from, for people
  line                 INTEGER NOT NULL DEFAULT 0,
  imported_at          INTEGER NOT NULL,
  imported_by          TEXT NOT NULL
);
CREATE UNIQUE INDEX import_rows_key ON import_rows (source, section, row_key);
CREATE INDEX import_rows_patient ON import_rows (patient_id);

CREATE TABLE import_balances (
  id                   INTEGER PRIMARY KEY,
  patient_id           INTEGER NOT NULL REFERENCES patients (id),
  source               TEXT NOT NULL,
  amount_cents         INTEGER NOT NULL,
  as_of                TEXT NOT NULL DEFAULT '',  -- YYYY-MM-DD, or '' when the export said not
  note                 TEXT NOT NULL DEFAULT '',
  created_at           INTEGER NOT NULL,
  created_by           TEXT NOT NULL,
  posted_at            INTEGER,                   -- set by the ledger when taken in
  ledger_entry_id      INTEGER
);
CREATE INDEX import_balances_patient ON import_balances (patient_id);

CREATE TRIGGER import_rows_no_delete BEFORE DELETE ON import_rows
BEGIN
  SELECT RAISE (ABORT, 'imported rows are remembered, never forgotten');
END;

CREATE TRIGGER import_balances_no_delete BEFORE DELETE ON import_balances
BEGIN
  SELECT RAISE (ABORT, 'opening balances are never deleted');
END;
