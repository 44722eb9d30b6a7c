-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 21: the office manager's reports — filters saved by name,
-- and the indexes the reports' aggregates need to stay fast on a large
-- practice (100,000 patients, a million appointments and encounters).
--
-- A saved filter belongs to one user and one report; its params are the key
-- file text of ch_report_params_to_string(). Saving a name again replaces it.
-- Times are microseconds since the epoch (UTC).

CREATE TABLE report_filters (
  id         INTEGER PRIMARY KEY,
  owner      TEXT NOT NULL,                 -- a user name
  report     TEXT NOT NULL,                 -- the report's name: "appointments"
  name       TEXT NOT NULL,
  params     TEXT NOT NULL,
  saved_at   INTEGER NOT NULL,
  UNIQUE (owner, report, name)
);

-- Appointments counted over a period: the period's rows read from the index
-- alone, without touching the table.
CREATE INDEX appointments_report ON appointments (start_at, provider_id, type_id, status, duration_min);

-- Visits (a 'done' appointment or an active encounter) by patient and by
-- time: a patient's first and last visits, and who was seen in a period.
CREATE INDEX appointments_done_patient ON appointments (patient_id, start_at, provider_id)
  WHERE status = 'done';
CREATE INDEX appointments_done_start ON appointments (start_at, patient_id, provider_id)
  WHERE status = 'done';
CREATE INDEX encounters_active_patient ON encounters (patient_id, start_at, provider)
  WHERE status = 'active';
CREATE INDEX encounters_active_start ON encounters (start_at, patient_id, provider)
  WHERE status = 'active';

-- A late cancellation is found by the time of the change to 'cancelled'.
CREATE INDEX appointment_status_history_status ON appointment_status_history (appointment_id, status, at);

-- An encounter's provider is a user name: its provider resource.
CREATE INDEX resources_username ON resources (username);
