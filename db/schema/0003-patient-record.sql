-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 3: registration (full demographics, phones, identifiers,
-- insurance), the search index, recent patients and item history.

ALTER TABLE patients ADD COLUMN preferred_name TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN gender_identity TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN pronouns TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN address_line TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN city TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN region TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN postal_code TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN language TEXT NOT NULL DEFAULT '';      -- BCP 47 tag
ALTER TABLE patients ADD COLUMN emergency_name TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN emergency_relation TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN emergency_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN primary_provider TEXT NOT NULL DEFAULT ''; -- a user name
ALTER TABLE patients ADD COLUMN photo BLOB;
ALTER TABLE patients ADD COLUMN status TEXT NOT NULL DEFAULT 'active'; -- active, merged
ALTER TABLE patients ADD COLUMN merged_into INTEGER REFERENCES patients (id);
ALTER TABLE patients ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
-- Folded "family given" (+ birth date): the order results are listed in.
ALTER TABLE patients ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';

UPDATE patients SET sort_key = name_key || ' ' || coalesce (birth_date, '');

CREATE TABLE patient_phones (
  id          INTEGER PRIMARY KEY,
  patient_id  INTEGER NOT NULL REFERENCES patients (id),
  kind        TEXT NOT NULL DEFAULT 'mobile' CHECK (kind IN ('mobile', 'home', 'work', 'other')),
  number      TEXT NOT NULL,
  digits      TEXT NOT NULL
);
CREATE INDEX patient_phones_patient ON patient_phones (patient_id);
CREATE INDEX patient_phones_digits ON patient_phones (digits);

CREATE TABLE patient_identifiers (
  id          INTEGER PRIMARY KEY,
  patient_id  INTEGER NOT NULL REFERENCES patients (id),
  system      TEXT NOT NULL,   -- e.g. "national-id", "passport", "old-mrn"
  value       TEXT NOT NULL
);
CREATE INDEX patient_identifiers_patient ON patient_identifiers (patient_id);

CREATE TABLE insurance_policies (
  id                   INTEGER PRIMARY KEY,
  patient_id           INTEGER NOT NULL REFERENCES patients (id),
  priority             INTEGER NOT NULL DEFAULT 1,   -- 1 primary, 2 secondary, …
  payer                TEXT NOT NULL,
  plan                 TEXT NOT NULL DEFAULT '',
  member_id            TEXT NOT NULL DEFAULT '',
  group_id             TEXT NOT NULL DEFAULT '',
  subscriber_name      TEXT NOT NULL DEFAULT '',
  subscriber_relation  TEXT NOT NULL DEFAULT 'self'
                       CHECK (subscriber_relation IN ('self', 'spouse', 'child', 'other')),
  start_date           TEXT,
  end_date             TEXT,
  status               TEXT NOT NULL DEFAULT 'active'
                       CHECK (status IN ('active', 'entered-in-error')),
  version              INTEGER NOT NULL DEFAULT 1,
  updated_at           INTEGER NOT NULL,
  updated_by           TEXT NOT NULL
);
CREATE INDEX insurance_policies_patient ON insurance_policies (patient_id, priority);

-- The search index: one row per searchable token of a patient. Tokens carry a
-- kind prefix: "n:" a folded name part, "d:" a birth date (YYYY-MM-DD),
-- "m:" the MRN, "p:" a phone number's digits. Scanning a token prefix yields
-- patients already in list order.
CREATE TABLE patient_search (
  token       TEXT NOT NULL,
  sort_key    TEXT NOT NULL,
  patient_id  INTEGER NOT NULL,
  PRIMARY KEY (token, sort_key, patient_id)
) WITHOUT ROWID;
CREATE INDEX patient_search_patient ON patient_search (patient_id, token);

CREATE TABLE recent_patients (
  username    TEXT NOT NULL,
  patient_id  INTEGER NOT NULL REFERENCES patients (id),
  opened_at   INTEGER NOT NULL,
  PRIMARY KEY (username, patient_id)
);
CREATE INDEX recent_patients_order ON recent_patients (username, opened_at);

-- Earlier versions of every versioned item (patients, policies, and the chart
-- sections that follow): who changed it, when and why, and what it was.
CREATE TABLE item_history (
  id          INTEGER PRIMARY KEY,
  item_type   TEXT NOT NULL,
  item_id     INTEGER NOT NULL,
  version     INTEGER NOT NULL,
  snapshot    TEXT NOT NULL,     -- GVariant text of the item as it was
  changed_by  TEXT NOT NULL,
  changed_at  INTEGER NOT NULL,
  reason      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX item_history_item ON item_history (item_type, item_id, version);

-- Patients registered before this version get their search tokens from C when
-- the practice is next opened (ch_db_patient_search_ensure_index): splitting
-- names into words is not something SQL does.
