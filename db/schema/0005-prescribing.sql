-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 5: prescribing. The practice's own drug knowledge base (when
-- it imported one), prescriptions with every alert shown when they were
-- signed, a physician's "do not warn again" per patient and pair, refill
-- requests, and medication reconciliations. Nothing here is ever deleted.

-- The files of an imported base, as charta-admin kb import read them; no row:
-- the shipped base is active.
CREATE TABLE drug_kb_files (
  name     TEXT PRIMARY KEY,
  content  BLOB NOT NULL
);

CREATE TABLE prescriptions (
  id                  INTEGER PRIMARY KEY,
  number              TEXT UNIQUE,                 -- printed; given when signed
  patient_id          INTEGER NOT NULL REFERENCES patients (id),
  drug_id             TEXT NOT NULL DEFAULT '',    -- the knowledge base's id; '' when not in it
  drug_name           TEXT NOT NULL,
  form                TEXT NOT NULL DEFAULT '',
  strength            TEXT NOT NULL DEFAULT '',
  route               TEXT NOT NULL DEFAULT '',
  dose                REAL,                        -- one dose, in dose_unit
  dose_unit           TEXT NOT NULL DEFAULT '',
  frequency           TEXT NOT NULL DEFAULT '',    -- a code of ch-prescribing.c
  as_needed           INTEGER NOT NULL DEFAULT 0,
  duration_days       INTEGER,
  quantity            REAL,
  quantity_unit       TEXT NOT NULL DEFAULT '',
  refills             INTEGER NOT NULL DEFAULT 0,
  substitution        INTEGER NOT NULL DEFAULT 1,
  indication_id       INTEGER REFERENCES chart_items (id),
  indication          TEXT NOT NULL DEFAULT '',
  instructions        TEXT NOT NULL DEFAULT '',
  state               TEXT NOT NULL DEFAULT 'draft'
                      CHECK (state IN ('draft', 'signed', 'replaced', 'stopped', 'discarded',
                                       'entered-in-error')),
  prescriber          TEXT NOT NULL,               -- who signs; a nurse drafts for them
  drafted_by          TEXT NOT NULL,
  created_at          INTEGER NOT NULL,
  signed_at           INTEGER,
  medication_item_id  INTEGER REFERENCES chart_items (id),
  replaces_id         INTEGER REFERENCES prescriptions (id),   -- renewed or changed
  end_reason          TEXT NOT NULL DEFAULT '',
  ended_at            INTEGER,
  ended_by            TEXT,
  version             INTEGER NOT NULL DEFAULT 1,
  updated_at          INTEGER NOT NULL,
  updated_by          TEXT NOT NULL
);
CREATE INDEX prescriptions_patient ON prescriptions (patient_id, created_at);
CREATE INDEX prescriptions_prescriber ON prescriptions (prescriber, state);

CREATE TRIGGER prescriptions_locked BEFORE UPDATE OF number, patient_id, drug_id, drug_name, form,
  strength, route, dose, dose_unit, frequency, as_needed, duration_days, quantity, quantity_unit,
  refills, substitution, indication_id, indication, instructions, prescriber, signed_at
  ON prescriptions
  WHEN OLD.state != 'draft'
BEGIN
  SELECT RAISE (ABORT, 'a signed prescription is locked: renew or change it');
END;

CREATE TRIGGER prescriptions_no_delete BEFORE DELETE ON prescriptions
BEGIN
  SELECT RAISE (ABORT, 'prescriptions are never deleted');
END;

-- Every alert shown before signing, and what the prescriber did with it.
CREATE TABLE prescription_alerts (
  id               INTEGER PRIMARY KEY,
  prescription_id  INTEGER NOT NULL REFERENCES prescriptions (id),
  kind             TEXT NOT NULL,
  severity         TEXT NOT NULL,
  rule             TEXT NOT NULL,
  pair_key         TEXT NOT NULL,
  title            TEXT NOT NULL,
  shown_at         INTEGER NOT NULL,
  shown_to         TEXT NOT NULL,
  decision         TEXT NOT NULL DEFAULT 'shown'
                   CHECK (decision IN ('shown', 'overridden', 'suppressed')),
  reason           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX prescription_alerts_prescription ON prescription_alerts (prescription_id);

CREATE TRIGGER prescription_alerts_no_update BEFORE UPDATE ON prescription_alerts
BEGIN
  SELECT RAISE (ABORT, 'alerts are a record of what was shown');
END;

CREATE TRIGGER prescription_alerts_no_delete BEFORE DELETE ON prescription_alerts
BEGIN
  SELECT RAISE (ABORT, 'alerts are a record of what was shown');
END;

-- "Do not warn again for this patient and pair".
CREATE TABLE alert_suppressions (
  patient_id  INTEGER NOT NULL REFERENCES patients (id),
  pair_key    TEXT NOT NULL,
  title       TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  created_by  TEXT NOT NULL,
  PRIMARY KEY (patient_id, pair_key)
);

CREATE TABLE refill_requests (
  id               INTEGER PRIMARY KEY,
  prescription_id  INTEGER NOT NULL REFERENCES prescriptions (id),
  patient_id       INTEGER NOT NULL REFERENCES patients (id),
  prescriber       TEXT NOT NULL,
  requested_at     INTEGER NOT NULL,
  requested_by     TEXT NOT NULL,
  note             TEXT NOT NULL DEFAULT '',
  state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'denied')),
  decided_at       INTEGER,
  decided_by       TEXT,
  decision_note    TEXT NOT NULL DEFAULT '',
  renewal_id       INTEGER REFERENCES prescriptions (id)
);
CREATE INDEX refill_requests_queue ON refill_requests (prescriber, state, requested_at);

-- A medication reconciliation: an outside list compared line by line with
-- the current one.
CREATE TABLE reconciliations (
  id          INTEGER PRIMARY KEY,
  patient_id  INTEGER NOT NULL REFERENCES patients (id),
  source      TEXT NOT NULL DEFAULT '',
  done_at     INTEGER NOT NULL,
  done_by     TEXT NOT NULL
);

CREATE TABLE reconciliation_lines (
  id                  INTEGER PRIMARY KEY,
  reconciliation_id   INTEGER NOT NULL REFERENCES reconciliations (id),
  outside_text        TEXT NOT NULL DEFAULT '',   -- '' for a current medication missing outside
  medication_item_id  INTEGER REFERENCES chart_items (id),
  decision            TEXT NOT NULL CHECK (decision IN ('keep', 'stop', 'change', 'add')),
  note                TEXT NOT NULL DEFAULT ''
);
CREATE INDEX reconciliation_lines_reconciliation ON reconciliation_lines (reconciliation_id);
