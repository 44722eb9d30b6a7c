-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 16: what FHIR R4 import needs to keep resource ids stable.
--
-- Charta's FHIR ids are made from its own row ids ("patient-42"). A record
-- imported from FHIR gets a new row, hence a new default id; fhir_ids keeps,
-- for each such row, the id it had in the file it came from, so that
-- exporting it again gives the same id and the references to it still hold
-- (an export imported into an empty practice exports to the same text).
-- local_id is the default id the exporter would make ("patient-3"), fhir_id
-- the one to write instead ("patient-42"). A row is never updated: a
-- resource is imported once.
--
-- Lab reports imported from FHIR are logged in hl7_messages like any
-- received result (source 'cli', message_type 'FHIR R4 DiagnosticReport',
-- raw the resources as received), so lab_reports.message_id keeps its
-- meaning: where the report came from.

CREATE TABLE fhir_ids (
  local_id     TEXT PRIMARY KEY,
  fhir_id      TEXT NOT NULL UNIQUE,
  imported_at  INTEGER NOT NULL
);
