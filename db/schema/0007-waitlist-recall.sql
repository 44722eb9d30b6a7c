-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 7: the waitlist and the recall list. The waitlist holds
-- patients who want an earlier slot, first come first served; when an
-- appointment frees time, the first whose wishes fit is offered it. The recall
-- list holds patients due for a follow-up, an annual exam or an immunization,
-- with the date and every call made. Nothing is deleted: entries are removed,
-- offers declined or expired, recalls done or cancelled.

CREATE TABLE waitlist (
  id              INTEGER PRIMARY KEY,
  patient_id      INTEGER NOT NULL REFERENCES patients (id),
  type_id         INTEGER NOT NULL REFERENCES appointment_types (id),
  provider_id     TEXT REFERENCES resources (id),        -- NULL: any provider
  appointment_id  INTEGER REFERENCES appointments (id),  -- the booking they want moved earlier
  earliest_day    TEXT,                                   -- YYYY-MM-DD, NULL: from now
  latest_day      TEXT,                                   -- YYYY-MM-DD, NULL: no limit
  weekdays        INTEGER NOT NULL DEFAULT 0,             -- 1 << 1 Monday … 1 << 7 Sunday; 0 any
  from_min        INTEGER NOT NULL DEFAULT 0,             -- local minutes: start from …
  to_min          INTEGER NOT NULL DEFAULT 0,             -- … end by; 0 and 0: any time
  note            TEXT NOT NULL DEFAULT '',
  status          TEXT NOT NULL DEFAULT 'waiting'
                  CHECK (status IN ('waiting', 'offered', 'booked', 'removed')),
  booked_id       INTEGER REFERENCES appointments (id),  -- what an accepted offer booked
  version         INTEGER NOT NULL DEFAULT 1,
  created_at      INTEGER NOT NULL,
  created_by      TEXT NOT NULL,
  updated_at      INTEGER NOT NULL,
  updated_by      TEXT NOT NULL,
  CHECK (from_min BETWEEN 0 AND 1440 AND to_min BETWEEN 0 AND 1440)
);
CREATE INDEX waitlist_status ON waitlist (status, created_at);
CREATE INDEX waitlist_patient ON waitlist (patient_id);

-- Time that came free, offered to one entry: the slot itself, and the whole
-- span it was found in (offered again to the next entry if declined).
CREATE TABLE waitlist_offers (
  id              INTEGER PRIMARY KEY,
  entry_id        INTEGER NOT NULL REFERENCES waitlist (id),
  provider_id     TEXT NOT NULL REFERENCES resources (id),
  room_id         TEXT REFERENCES resources (id),
  start_at        INTEGER NOT NULL,                       -- µs
  duration_min    INTEGER NOT NULL CHECK (duration_min > 0),
  free_from       INTEGER NOT NULL,                       -- µs: the freed span
  free_until      INTEGER NOT NULL,
  free_room_id    TEXT REFERENCES resources (id),        -- the room freed with it
  status          TEXT NOT NULL DEFAULT 'open'
                  CHECK (status IN ('open', 'accepted', 'declined', 'expired')),
  appointment_id  INTEGER REFERENCES appointments (id),  -- booked when accepted
  note            TEXT NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,
  created_by      TEXT NOT NULL,
  closed_at       INTEGER,
  closed_by       TEXT
);
CREATE INDEX waitlist_offers_entry ON waitlist_offers (entry_id);
CREATE INDEX waitlist_offers_status ON waitlist_offers (status, start_at);
CREATE INDEX waitlist_offers_provider ON waitlist_offers (provider_id, free_from);

CREATE TABLE recalls (
  id              INTEGER PRIMARY KEY,
  patient_id      INTEGER NOT NULL REFERENCES patients (id),
  kind            TEXT NOT NULL
                  CHECK (kind IN ('follow-up', 'annual-exam', 'immunization', 'other')),
  due_date        TEXT NOT NULL,                          -- YYYY-MM-DD
  reason          TEXT NOT NULL DEFAULT '',
  provider_id     TEXT REFERENCES resources (id),
  code            TEXT,                                   -- immunization: the vaccine group
  dose            INTEGER NOT NULL DEFAULT 0,             -- immunization: the dose of its series
  status          TEXT NOT NULL DEFAULT 'due'
                  CHECK (status IN ('due', 'contacted', 'booked', 'done', 'cancelled')),
  appointment_id  INTEGER REFERENCES appointments (id),  -- when booked
  outcome         TEXT NOT NULL DEFAULT '',               -- why done or cancelled
  version         INTEGER NOT NULL DEFAULT 1,
  created_at      INTEGER NOT NULL,
  created_by      TEXT NOT NULL,
  updated_at      INTEGER NOT NULL,
  updated_by      TEXT NOT NULL
);
CREATE INDEX recalls_due ON recalls (status, due_date);
CREATE INDEX recalls_patient ON recalls (patient_id, kind, code);

-- Every attempt to reach the patient about a recall.
CREATE TABLE recall_contacts (
  id         INTEGER PRIMARY KEY,
  recall_id  INTEGER NOT NULL REFERENCES recalls (id),
  at         INTEGER NOT NULL,
  by         TEXT NOT NULL,
  note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX recall_contacts_recall ON recall_contacts (recall_id, at);

CREATE TRIGGER waitlist_no_delete BEFORE DELETE ON waitlist
BEGIN
  SELECT RAISE (ABORT, 'waitlist entries are removed, never deleted');
END;

CREATE TRIGGER recalls_no_delete BEFORE DELETE ON recalls
BEGIN
  SELECT RAISE (ABORT, 'recalls are done or cancelled, never deleted');
END;
