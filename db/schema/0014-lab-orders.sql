-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 14: laboratory orders sent as HL7 v2 ORM^O01.
--
-- An order is placed from a chart by a prescriber: one lab_orders row and a
-- lab_order_tests row a test, stored (status 'pending') before anything is
-- sent, so that an order the lab never got is kept and can be sent again.
-- Its placer number ("CH" and the order's id) goes out in ORC-2 and OBR-2 and
-- comes back in the lab's ORU^R01, where it links each report to the test it
-- answers: the order is then 'partial' until every test has a final (or
-- corrected) report, then 'resulted'. Delivery: 'sent' when the lab (or the
-- folder) accepted the message, 'failed' with the reason when not, the
-- attempts counted. A cancelled order keeps why, who and when; when the lab
-- had it, the cancellation (ORC-1 CA) is sent too and its own outcome kept.
-- Times are microseconds since the epoch (UTC). Nothing is deleted.

CREATE TABLE lab_orders (
  id                   INTEGER PRIMARY KEY,
  patient_id           INTEGER NOT NULL REFERENCES patients (id),
  placer_number        TEXT NOT NULL UNIQUE,       -- ORC-2, OBR-2
  ordered_by           TEXT NOT NULL,              -- the ordering provider's user name
  ordered_by_name      TEXT NOT NULL DEFAULT '',   -- their display name, as sent (ORC-12)
  priority             TEXT NOT NULL DEFAULT 'routine'
                       CHECK (priority IN ('routine', 'stat', 'asap')),
  clinical_info        TEXT NOT NULL DEFAULT '',   -- OBR-13
  note                 TEXT NOT NULL DEFAULT '',   -- NTE
  status               TEXT NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'sent', 'failed', 'partial', 'resulted',
                                         'cancelled')),
  reason               TEXT NOT NULL DEFAULT '',   -- failed: why the last attempt failed
  attempts             INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  target               TEXT NOT NULL DEFAULT '',   -- where the last attempt went
  control_id           TEXT NOT NULL DEFAULT '',   -- MSH-10 of the last message sent
  created_at           INTEGER NOT NULL,
  sent_at              INTEGER,                    -- when the lab accepted it
  resulted_at          INTEGER,                    -- when the last report came
  cancelled_at         INTEGER,
  cancelled_by         TEXT NOT NULL DEFAULT '',
  cancel_reason        TEXT NOT NULL DEFAULT '',
  -- The cancellation's delivery: '' none needed (the lab never had the
  -- order), else 'pending', 'sent' or 'failed' (cancel_error says why).
  cancel_delivery      TEXT NOT NULL DEFAULT ''
                       CHECK (cancel_delivery IN ('', 'pending', 'sent', 'failed')),
  cancel_error         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX lab_orders_patient ON lab_orders (patient_id, created_at);
CREATE INDEX lab_orders_status ON lab_orders (status, created_at);

CREATE TABLE lab_order_tests (
  id                   INTEGER PRIMARY KEY,
  order_id             INTEGER NOT NULL REFERENCES lab_orders (id),
  position             INTEGER NOT NULL,           -- OBR-1
  code                 TEXT NOT NULL,              -- OBR-4.1
  text                 TEXT NOT NULL DEFAULT '',   -- OBR-4.2
  system               TEXT NOT NULL DEFAULT '',   -- OBR-4.3: "LN", or "L" for the lab's codes
  specimen             TEXT NOT NULL DEFAULT '',   -- OBR-15, as the lab names it
  report_id            INTEGER REFERENCES lab_reports (id),  -- the latest report answering it
  result_status        TEXT NOT NULL DEFAULT '',   -- that report's OBR-25
  UNIQUE (order_id, position)
);

CREATE TRIGGER lab_orders_no_delete BEFORE DELETE ON lab_orders
BEGIN
  SELECT RAISE (ABORT, 'lab orders are cancelled, never deleted');
END;

CREATE TRIGGER lab_order_tests_no_delete BEFORE DELETE ON lab_order_tests
BEGIN
  SELECT RAISE (ABORT, 'lab order tests are never deleted');
END;
