-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 13: laboratory results received as HL7 v2 ORU^R01.
--
-- Every message received is kept in hl7_messages with its outcome, its raw
-- bytes included (the database is encrypted), whatever became of it: one
-- that matched no patient, or several, waits there as 'queued' until a
-- person assigns it; one that failed midway ('error') is processed again
-- from those bytes. Each OBR of an imported message is a lab_reports row,
-- each OBX a lab_results row. A result received again for the same order
-- (filler number, else placer number) and observation code, a correction
-- (OBX-11 C) or the final after a preliminary, replaces the current one:
-- the old row stays, current = 0, replaced_by naming its successor.
-- Times are microseconds since the epoch (UTC); observed_at keeps the
-- time as the lab wrote it, in ISO 8601. Nothing is deleted.

CREATE TABLE hl7_messages (
  id                   INTEGER PRIMARY KEY,
  received_at          INTEGER NOT NULL,
  source               TEXT NOT NULL CHECK (source IN ('file', 'mllp', 'folder', 'cli')),
  control_id           TEXT NOT NULL DEFAULT '',   -- MSH-10
  sending_application  TEXT NOT NULL DEFAULT '',   -- MSH-3.1
  sending_facility     TEXT NOT NULL DEFAULT '',   -- MSH-4.1
  message_type         TEXT NOT NULL DEFAULT '',   -- MSH-9, "ORU^R01"
  raw                  BLOB NOT NULL,              -- as received, framing removed
  size                 INTEGER NOT NULL CHECK (size >= 0),
  -- The (first) patient as the message names it, for the review queue.
  patient_name         TEXT NOT NULL DEFAULT '',   -- "Family^Given^Middle"
  patient_ref          TEXT NOT NULL DEFAULT '',   -- PID-3 identifiers, "ID (type)", comma-separated
  birth_date           TEXT NOT NULL DEFAULT '',   -- YYYY-MM-DD or ''
  outcome              TEXT NOT NULL
                       CHECK (outcome IN ('imported', 'queued', 'rejected', 'error')),
  reason               TEXT NOT NULL DEFAULT '',   -- why queued, rejected or failed
  patient_id           INTEGER REFERENCES patients (id),  -- imported: the (first) chart
  processed_at         INTEGER NOT NULL,
  processed_by         TEXT NOT NULL DEFAULT '',
  attempts             INTEGER NOT NULL DEFAULT 1 CHECK (attempts >= 1)
);
CREATE INDEX hl7_messages_received ON hl7_messages (received_at);
CREATE INDEX hl7_messages_outcome ON hl7_messages (outcome, received_at);
CREATE INDEX hl7_messages_control ON hl7_messages (control_id, sending_application);

CREATE TABLE lab_reports (
  id                   INTEGER PRIMARY KEY,
  patient_id           INTEGER NOT NULL REFERENCES patients (id),
  message_id           INTEGER NOT NULL REFERENCES hl7_messages (id),
  placer_number        TEXT NOT NULL DEFAULT '',   -- OBR-2
  filler_number        TEXT NOT NULL DEFAULT '',   -- OBR-3
  test_code            TEXT NOT NULL DEFAULT '',   -- OBR-4
  test_text            TEXT NOT NULL DEFAULT '',
  test_system          TEXT NOT NULL DEFAULT '',
  observed_at          TEXT NOT NULL DEFAULT '',   -- OBR-7, ISO 8601 or ''
  observed_ts          INTEGER,                    -- the same in µs, NULL when absent
  reported_at          TEXT NOT NULL DEFAULT '',   -- OBR-22, ISO 8601 or ''
  result_status        TEXT NOT NULL DEFAULT '',   -- OBR-25
  comments             TEXT NOT NULL DEFAULT '',   -- NTEs after the OBR, one a line
  created_at           INTEGER NOT NULL
);
CREATE INDEX lab_reports_patient ON lab_reports (patient_id, observed_ts);
CREATE INDEX lab_reports_message ON lab_reports (message_id);

CREATE TABLE lab_results (
  id                   INTEGER PRIMARY KEY,
  report_id            INTEGER NOT NULL REFERENCES lab_reports (id),
  patient_id           INTEGER NOT NULL REFERENCES patients (id),
  set_id               INTEGER,                    -- OBX-1
  code                 TEXT NOT NULL DEFAULT '',   -- OBX-3: a LOINC code when system is LN
  text                 TEXT NOT NULL DEFAULT '',
  system               TEXT NOT NULL DEFAULT '',
  sub_id               TEXT NOT NULL DEFAULT '',   -- OBX-4
  value_type           TEXT NOT NULL DEFAULT '',   -- OBX-2: NM, ST, CWE, SN, ED …
  value                TEXT,                       -- as text ("<5" too); NULL when none
  numeric_value        REAL,                       -- when the value is a plain number
  units                TEXT NOT NULL DEFAULT '',
  reference_range      TEXT NOT NULL DEFAULT '',
  abnormal_flags       TEXT NOT NULL DEFAULT '',   -- OBX-8, repetitions joined by "~"
  status               TEXT NOT NULL               -- OBX-11, HL7 table 0085
                       CHECK (status IN ('C', 'D', 'F', 'I', 'N', 'O', 'P', 'R', 'S', 'U', 'W', 'X')),
  observed_at          TEXT NOT NULL DEFAULT '',   -- OBX-14, else OBR-7; ISO 8601 or ''
  observed_ts          INTEGER,
  comments             TEXT NOT NULL DEFAULT '',   -- NTEs after the OBX, one a line
  document_id          INTEGER REFERENCES documents (id),  -- ED: the report filed
  -- What a later result must share to replace this one: the patient, the
  -- order (filler, else placer number), the code and the sub-ID; '' when
  -- the order has no number, so that nothing replaces it.
  match_key            TEXT NOT NULL DEFAULT '',
  current              INTEGER NOT NULL DEFAULT 1 CHECK (current IN (0, 1)),
  replaced_by          INTEGER REFERENCES lab_results (id),
  created_at           INTEGER NOT NULL
);
CREATE INDEX lab_results_patient ON lab_results (patient_id, current, observed_ts);
CREATE INDEX lab_results_report ON lab_results (report_id);
CREATE UNIQUE INDEX lab_results_current ON lab_results (patient_id, match_key)
  WHERE current = 1 AND match_key <> '';

CREATE TRIGGER hl7_messages_no_delete BEFORE DELETE ON hl7_messages
BEGIN
  SELECT RAISE (ABORT, 'HL7 messages are kept in the log, never deleted');
END;

CREATE TRIGGER lab_reports_no_delete BEFORE DELETE ON lab_reports
BEGIN
  SELECT RAISE (ABORT, 'lab reports are never deleted');
END;

CREATE TRIGGER lab_results_no_delete BEFORE DELETE ON lab_results
BEGIN
  SELECT RAISE (ABORT, 'lab results are replaced, never deleted');
END;
