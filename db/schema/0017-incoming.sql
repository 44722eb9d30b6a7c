-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 17: outside records (C-CDA CCDs) waiting to be reconciled.
--
-- A CCD imported for a patient is one incoming_documents row, its raw XML
-- filed in the document store as well (document_id), and each coded problem,
-- allergy and medication it lists one incoming_items row. An item starts
-- 'pending', or 'already' when the chart holds it (same code, or the same
-- text once folded); a person then accepts it (the chart item it became in
-- chart_item_id, a medication through a reconciliation) or declines it with
-- a reason. Decided items keep who decided and when. Nothing is deleted.
-- Times are microseconds since the epoch (UTC).

CREATE TABLE incoming_documents (
  id                   INTEGER PRIMARY KEY,
  patient_id           INTEGER NOT NULL REFERENCES patients (id),
  format               TEXT NOT NULL DEFAULT 'ccd' CHECK (format IN ('ccd')),
  title                TEXT NOT NULL DEFAULT '',   -- the document's title
  organization         TEXT NOT NULL DEFAULT '',   -- custodian, else the author's organization
  author               TEXT NOT NULL DEFAULT '',   -- the author: a person, else a system
  document_date        TEXT NOT NULL DEFAULT '',   -- effectiveTime, YYYY-MM-DD or ''
  -- The patient as the document names them, kept for the record of a
  -- forced import.
  patient_name         TEXT NOT NULL DEFAULT '',   -- "Given Family"
  birth_date           TEXT NOT NULL DEFAULT '',   -- YYYY-MM-DD or ''
  sex                  TEXT NOT NULL DEFAULT '',
  patient_ref          TEXT NOT NULL DEFAULT '',   -- identifiers, "ID (root)", comma-separated
  forced               INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0, 1)),
  document_id          INTEGER REFERENCES documents (id),
  received_at          INTEGER NOT NULL,
  imported_by          TEXT NOT NULL
);
CREATE INDEX incoming_documents_patient ON incoming_documents (patient_id, received_at);

CREATE TABLE incoming_items (
  id                   INTEGER PRIMARY KEY,
  incoming_id          INTEGER NOT NULL REFERENCES incoming_documents (id),
  patient_id           INTEGER NOT NULL REFERENCES patients (id),
  kind                 TEXT NOT NULL CHECK (kind IN ('problem', 'allergy', 'medication')),
  code                 TEXT NOT NULL DEFAULT '',
  system               TEXT NOT NULL DEFAULT '',   -- icd10cm, snomed, rxnorm, unii … else the OID
  text                 TEXT NOT NULL DEFAULT '',
  details              TEXT NOT NULL DEFAULT '',   -- onset, reaction, dose … as people read them
  clinical_status      TEXT NOT NULL DEFAULT '',   -- as the document says: active, resolved …
  onset                TEXT NOT NULL DEFAULT '',   -- YYYY-MM-DD or ''
  allergy_kind         TEXT NOT NULL DEFAULT '',   -- drug, food, environment, other
  reaction             TEXT NOT NULL DEFAULT '',
  severity             TEXT NOT NULL DEFAULT '',   -- mild, moderate, severe or ''
  dose                 TEXT NOT NULL DEFAULT '',   -- dose, route and frequency as text
  status               TEXT NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'accepted', 'declined', 'already')),
  already_item_id      INTEGER REFERENCES chart_items (id),   -- 'already': the chart's item
  decided_by           TEXT NOT NULL DEFAULT '',
  decided_at           INTEGER,
  reason               TEXT NOT NULL DEFAULT '',   -- declined: why
  chart_item_id        INTEGER REFERENCES chart_items (id),   -- accepted: what it became
  reconciliation_id    INTEGER REFERENCES reconciliations (id)
);
CREATE INDEX incoming_items_patient ON incoming_items (patient_id, status);
CREATE INDEX incoming_items_document ON incoming_items (incoming_id);

CREATE TRIGGER incoming_documents_no_delete BEFORE DELETE ON incoming_documents
BEGIN
  SELECT RAISE (ABORT, 'incoming documents are kept, never deleted');
END;

CREATE TRIGGER incoming_items_no_delete BEFORE DELETE ON incoming_items
BEGIN
  SELECT RAISE (ABORT, 'incoming items are decided, never deleted');
END;
