-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 6: scheduling. Providers and rooms with their working hours
-- and days off, appointment types, appointments (one row an occurrence; a
-- recurring series keeps its RFC 5545 rule and each occurrence its original
-- start), and every status change with its time. Nothing is deleted: an
-- appointment is cancelled, with the reason.

-- Whom and what appointments are booked with: providers (clinicians) and
-- rooms or other resources.
CREATE TABLE resources (
  id          TEXT PRIMARY KEY,              -- chosen by the practice: "garcia", "room-2"
  kind        TEXT NOT NULL CHECK (kind IN ('provider', 'room')),
  name        TEXT NOT NULL,
  username    TEXT,                          -- the provider's account, if any
  color       TEXT NOT NULL DEFAULT '',
  active      INTEGER NOT NULL DEFAULT 1,
  updated_at  INTEGER NOT NULL,
  updated_by  TEXT NOT NULL
);

-- Working hours by weekday (1 Monday … 7 Sunday), local wall-clock minutes;
-- breaks are times within them when nothing is booked.
CREATE TABLE working_hours (
  resource_id  TEXT NOT NULL REFERENCES resources (id),
  weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  start_min    INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1440),
  end_min      INTEGER NOT NULL CHECK (end_min BETWEEN 0 AND 1440),
  kind         TEXT NOT NULL DEFAULT 'work' CHECK (kind IN ('work', 'break')),
  CHECK (start_min < end_min)
);
CREATE INDEX working_hours_resource ON working_hours (resource_id, weekday);

-- A resource's day off, or (resource_id NULL) a practice holiday.
CREATE TABLE days_off (
  id           INTEGER PRIMARY KEY,
  resource_id  TEXT REFERENCES resources (id),
  day          TEXT NOT NULL,                -- YYYY-MM-DD
  reason       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX days_off_day ON days_off (day);

CREATE TABLE appointment_types (
  id              INTEGER PRIMARY KEY,
  name            TEXT NOT NULL UNIQUE,
  duration_min    INTEGER NOT NULL CHECK (duration_min > 0),
  color           TEXT NOT NULL DEFAULT '',
  allow_overbook  INTEGER NOT NULL DEFAULT 0,
  buffer_min      INTEGER NOT NULL DEFAULT 0,     -- kept free after it
  providers       TEXT NOT NULL DEFAULT '',       -- resource ids that may see it, "" any provider
  needs_room      INTEGER NOT NULL DEFAULT 0,
  rooms           TEXT NOT NULL DEFAULT '',       -- rooms it may use, "" any room
  active          INTEGER NOT NULL DEFAULT 1
);

-- A recurring appointment: the rule and the template its occurrences follow.
CREATE TABLE appointment_series (
  id            INTEGER PRIMARY KEY,
  rrule         TEXT NOT NULL,
  dtstart       INTEGER NOT NULL,               -- µs; the first occurrence
  created_at    INTEGER NOT NULL,
  created_by    TEXT NOT NULL
);

CREATE TABLE appointments (
  id             INTEGER PRIMARY KEY,
  patient_id     INTEGER NOT NULL REFERENCES patients (id),
  provider_id    TEXT NOT NULL REFERENCES resources (id),
  room_id        TEXT REFERENCES resources (id),
  type_id        INTEGER NOT NULL REFERENCES appointment_types (id),
  start_at       INTEGER NOT NULL,               -- µs since the epoch
  duration_min   INTEGER NOT NULL CHECK (duration_min > 0),
  reason         TEXT NOT NULL DEFAULT '',
  notes          TEXT NOT NULL DEFAULT '',
  status         TEXT NOT NULL DEFAULT 'booked'
                 CHECK (status IN ('booked', 'confirmed', 'arrived', 'in-room', 'done', 'no-show',
                                   'cancelled')),
  cancel_reason  TEXT NOT NULL DEFAULT '',
  series_id      INTEGER REFERENCES appointment_series (id),
  occurrence_at  INTEGER,                        -- the series' own start for it (RECURRENCE-ID)
  detached       INTEGER NOT NULL DEFAULT 0,     -- edited on its own, apart from its series
  version        INTEGER NOT NULL DEFAULT 1,
  created_at     INTEGER NOT NULL,
  created_by     TEXT NOT NULL,
  updated_at     INTEGER NOT NULL,
  updated_by     TEXT NOT NULL
);
CREATE INDEX appointments_provider ON appointments (provider_id, start_at);
CREATE INDEX appointments_room ON appointments (room_id, start_at);
CREATE INDEX appointments_patient ON appointments (patient_id, start_at);
CREATE INDEX appointments_series ON appointments (series_id, occurrence_at);
CREATE INDEX appointments_start ON appointments (start_at);

CREATE TRIGGER appointments_no_delete BEFORE DELETE ON appointments
BEGIN
  SELECT RAISE (ABORT, 'appointments are cancelled, never deleted');
END;

-- Every status an appointment went through, with when and who.
CREATE TABLE appointment_status_history (
  id              INTEGER PRIMARY KEY,
  appointment_id  INTEGER NOT NULL REFERENCES appointments (id),
  status          TEXT NOT NULL,
  at              INTEGER NOT NULL,
  by              TEXT NOT NULL,
  note            TEXT NOT NULL DEFAULT ''
);
CREATE INDEX appointment_status_history_appointment ON appointment_status_history (appointment_id, at);
