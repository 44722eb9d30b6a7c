-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 2: a folded (case- and accent-insensitive) name key for patient
-- lookup. ch_fold() is registered by ChStore on every connection.

ALTER TABLE patients ADD COLUMN name_key TEXT NOT NULL DEFAULT '';

UPDATE patients
   SET name_key = ch_fold (family_name || ' ' || given_name);

CREATE INDEX patients_name_key ON patients (name_key);
CREATE INDEX patients_birth_date ON patients (birth_date);
