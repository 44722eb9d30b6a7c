-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 9: imaging. A DICOM instance filed in a chart is a document
-- (category 'imaging', application/dicom) plus a dicom_instances row that
-- says which study and series it belongs to. One that matched no patient, or
-- several, waits in dicom_inbox, its bytes an encrypted blob of the document
-- store that no document row names yet, until a person assigns it to a
-- patient or discards it with a reason. Nothing is deleted.

CREATE TABLE dicom_instances (
  id                 INTEGER PRIMARY KEY,
  document_id        INTEGER NOT NULL UNIQUE REFERENCES documents (id),
  patient_id         INTEGER NOT NULL REFERENCES patients (id),
  study_uid          TEXT NOT NULL,
  series_uid         TEXT NOT NULL,
  sop_instance_uid   TEXT NOT NULL,          -- the same instance received again is not stored twice
  sop_class_uid      TEXT NOT NULL DEFAULT '',
  modality           TEXT NOT NULL DEFAULT '',
  study_date         TEXT NOT NULL DEFAULT '',  -- YYYY-MM-DD or ''
  study_time         TEXT NOT NULL DEFAULT '',  -- HH:MM:SS or ''
  study_description  TEXT NOT NULL DEFAULT '',
  series_description TEXT NOT NULL DEFAULT '',
  series_number      INTEGER,                   -- NULL when absent
  instance_number    INTEGER,                   -- NULL when absent
  slice_location     REAL,                      -- NULL when absent
  rows               INTEGER NOT NULL DEFAULT 0,
  columns            INTEGER NOT NULL DEFAULT 0,
  frames             INTEGER NOT NULL DEFAULT 0,
  transfer_syntax    TEXT NOT NULL DEFAULT '',
  calling_ae         TEXT NOT NULL DEFAULT '',  -- the sender, '' when not received over the network
  received_at        INTEGER NOT NULL,          -- µs since the epoch
  current            INTEGER NOT NULL DEFAULT 1 -- 0 once its document is entered in error
);
CREATE INDEX dicom_instances_study ON dicom_instances (patient_id, study_uid);
CREATE INDEX dicom_instances_series ON dicom_instances (patient_id, series_uid);
-- One current filing of an instance; one filed in error may be filed again.
CREATE UNIQUE INDEX dicom_instances_sop ON dicom_instances (sop_instance_uid) WHERE current = 1;

CREATE TRIGGER dicom_instances_entered_in_error AFTER UPDATE OF status ON documents
WHEN NEW.status = 'entered-in-error'
BEGIN
  UPDATE dicom_instances SET current = 0 WHERE document_id = NEW.id;
END;

-- Matching a received Patient ID to identifiers.
CREATE INDEX patient_identifiers_value ON patient_identifiers (value);

CREATE TABLE dicom_inbox (
  id                 INTEGER PRIMARY KEY,
  received_at        INTEGER NOT NULL,          -- µs since the epoch
  calling_ae         TEXT NOT NULL DEFAULT '',
  source             TEXT NOT NULL DEFAULT '',
  -- As received: what a person matches by.
  patient_name       TEXT NOT NULL DEFAULT '',  -- DICOM PN, "Family^Given^Middle"
  patient_ref        TEXT NOT NULL DEFAULT '',  -- DICOM Patient ID
  birth_date         TEXT NOT NULL DEFAULT '',  -- YYYY-MM-DD or ''
  sex                TEXT NOT NULL DEFAULT '',
  study_uid          TEXT NOT NULL,
  series_uid         TEXT NOT NULL DEFAULT '',
  sop_instance_uid   TEXT NOT NULL,
  modality           TEXT NOT NULL DEFAULT '',
  study_date         TEXT NOT NULL DEFAULT '',
  study_description  TEXT NOT NULL DEFAULT '',
  reason             TEXT NOT NULL,             -- why it matched no single patient
  -- The bytes: a blob of the document store.
  size               INTEGER NOT NULL CHECK (size >= 0),
  blob               TEXT NOT NULL,
  content_hash       TEXT NOT NULL,
  status             TEXT NOT NULL DEFAULT 'waiting'
                     CHECK (status IN ('waiting', 'assigned', 'discarded')),
  status_reason      TEXT NOT NULL DEFAULT '',
  patient_id         INTEGER REFERENCES patients (id),   -- once assigned
  document_id        INTEGER REFERENCES documents (id),  -- once assigned
  closed_at          INTEGER,
  closed_by          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX dicom_inbox_status ON dicom_inbox (status, study_uid);
CREATE INDEX dicom_inbox_sop ON dicom_inbox (sop_instance_uid, status);

CREATE TRIGGER dicom_instances_no_delete BEFORE DELETE ON dicom_instances
BEGIN
  SELECT RAISE (ABORT, 'imaging instances are never deleted');
END;

CREATE TRIGGER dicom_inbox_no_delete BEFORE DELETE ON dicom_inbox
BEGIN
  SELECT RAISE (ABORT, 'inbox entries are discarded with a reason, never deleted');
END;
