-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 4: the chart. Encounters, and one table for the coded items
-- of every section (problems, history, allergies, medications, immunizations,
-- vital signs, lab results): versioned through item_history, never deleted,
-- marked "entered-in-error" instead.

CREATE TABLE encounters (
  id           INTEGER PRIMARY KEY,
  patient_id   INTEGER NOT NULL REFERENCES patients (id),
  start_at     INTEGER NOT NULL,            -- µs since the epoch
  provider     TEXT NOT NULL DEFAULT '',    -- a user name
  kind         TEXT NOT NULL DEFAULT 'office'
               CHECK (kind IN ('office', 'telephone', 'video', 'home', 'urgent', 'other')),
  reason       TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'entered-in-error')),
  version      INTEGER NOT NULL DEFAULT 1,
  updated_at   INTEGER NOT NULL,
  updated_by   TEXT NOT NULL
);
CREATE INDEX encounters_patient ON encounters (patient_id, start_at);

CREATE TABLE chart_items (
  id               INTEGER PRIMARY KEY,
  patient_id       INTEGER NOT NULL REFERENCES patients (id),
  section          TEXT NOT NULL CHECK (section IN ('problem', 'history', 'allergy', 'medication',
                                                    'immunization', 'vital', 'lab')),
  kind             TEXT NOT NULL DEFAULT '',   -- history: medical, surgical, family, social; allergy: drug, food, environment, other
  code_system      TEXT NOT NULL DEFAULT '',   -- icd10cm, cvx, loinc, or ''
  code             TEXT NOT NULL DEFAULT '',
  display          TEXT NOT NULL DEFAULT '',   -- the problem, substance, drug, vaccine or test as read
  value_num        REAL,                       -- vitals and numeric results, in the canonical unit
  value_text       TEXT NOT NULL DEFAULT '',
  unit             TEXT NOT NULL DEFAULT '',   -- UCUM
  ref_low          REAL,
  ref_high         REAL,
  flag             TEXT NOT NULL DEFAULT '',   -- results: '', L, H, LL, HH, A
  severity         TEXT NOT NULL DEFAULT '',   -- allergies: mild, moderate, severe
  reaction         TEXT NOT NULL DEFAULT '',
  clinical_status  TEXT NOT NULL DEFAULT '',   -- problem: active, resolved; allergy: active, inactive;
                                               -- medication: active, stopped; immunization: given, refused, historical
  start_date       TEXT,                       -- onset, start, date given (YYYY-MM-DD)
  end_date         TEXT,                       -- resolved, stopped
  effective_at     INTEGER NOT NULL,           -- µs: when measured, given, noted
  details          TEXT NOT NULL DEFAULT '',   -- GVariant text, a{sv}: dose, lot, site, route, performer, note …
  encounter_id     INTEGER REFERENCES encounters (id),
  status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'entered-in-error')),
  version          INTEGER NOT NULL DEFAULT 1,
  recorded_at      INTEGER NOT NULL,
  recorded_by      TEXT NOT NULL,
  updated_at       INTEGER NOT NULL,
  updated_by       TEXT NOT NULL
);
CREATE INDEX chart_items_section ON chart_items (patient_id, section, status, effective_at);
CREATE INDEX chart_items_code ON chart_items (patient_id, section, code, effective_at);

-- Statements about a whole section, such as "no known allergies".
CREATE TABLE chart_flags (
  patient_id  INTEGER NOT NULL REFERENCES patients (id),
  flag        TEXT NOT NULL,
  value       TEXT NOT NULL,
  updated_at  INTEGER NOT NULL,
  updated_by  TEXT NOT NULL,
  PRIMARY KEY (patient_id, flag)
);

-- Progress notes: drafts until signed; a signed note is locked and receives
-- only dated addenda; a nurse's note waits for a physician's co-signature.
CREATE TABLE notes (
  id               INTEGER PRIMARY KEY,
  patient_id       INTEGER NOT NULL REFERENCES patients (id),
  encounter_id     INTEGER REFERENCES encounters (id),
  kind             TEXT NOT NULL DEFAULT 'soap' CHECK (kind IN ('soap', 'free')),
  title            TEXT NOT NULL DEFAULT '',
  subjective       TEXT NOT NULL DEFAULT '',
  objective        TEXT NOT NULL DEFAULT '',
  assessment       TEXT NOT NULL DEFAULT '',
  plan             TEXT NOT NULL DEFAULT '',
  body             TEXT NOT NULL DEFAULT '',
  author           TEXT NOT NULL,
  author_role      TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  state            TEXT NOT NULL DEFAULT 'draft'
                   CHECK (state IN ('draft', 'signed', 'entered-in-error')),
  signed_at        INTEGER,
  cosign_required  INTEGER NOT NULL DEFAULT 0,
  cosigned_at      INTEGER,
  cosigned_by      TEXT,
  error_reason     TEXT NOT NULL DEFAULT '',
  version          INTEGER NOT NULL DEFAULT 1,
  updated_at       INTEGER NOT NULL
);
CREATE INDEX notes_patient ON notes (patient_id, created_at);

CREATE TRIGGER notes_locked BEFORE UPDATE OF kind, title, subjective, objective, assessment, plan,
  body, patient_id, author, created_at ON notes
  WHEN OLD.state != 'draft'
BEGIN
  SELECT RAISE (ABORT, 'a signed note is locked: add an addendum');
END;

CREATE TRIGGER notes_no_delete BEFORE DELETE ON notes
BEGIN
  SELECT RAISE (ABORT, 'notes are never deleted');
END;

CREATE TABLE note_addenda (
  id          INTEGER PRIMARY KEY,
  note_id     INTEGER NOT NULL REFERENCES notes (id),
  author      TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  text        TEXT NOT NULL
);
CREATE INDEX note_addenda_note ON note_addenda (note_id, created_at);

CREATE TRIGGER note_addenda_no_update BEFORE UPDATE ON note_addenda
BEGIN
  SELECT RAISE (ABORT, 'addenda are permanent');
END;

CREATE TRIGGER note_addenda_no_delete BEFORE DELETE ON note_addenda
BEGIN
  SELECT RAISE (ABORT, 'addenda are permanent');
END;

-- Two records of one person, merged (and reversibly): what moved where.
CREATE TABLE patient_merges (
  id          INTEGER PRIMARY KEY,
  from_id     INTEGER NOT NULL REFERENCES patients (id),
  into_id     INTEGER NOT NULL REFERENCES patients (id),
  moved       TEXT NOT NULL,        -- GVariant text: {table: [row ids]}
  merged_at   INTEGER NOT NULL,
  merged_by   TEXT NOT NULL,
  reason      TEXT NOT NULL DEFAULT '',
  undone_at   INTEGER,
  undone_by   TEXT
);
CREATE INDEX patient_merges_from ON patient_merges (from_id);
