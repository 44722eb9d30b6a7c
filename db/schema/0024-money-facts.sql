-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 24: one row per money fact the revenue and collections
-- reports add up (db/ch-money-report-db.c), with what they group by
-- already in it, in the order they read it: by kind and day.
--
-- Reading the billing tables themselves meant, for each of a year's
-- million payment allocations, a lookup of its payment, of its charge line
-- and of that line's encounter, each somewhere else on disk: eight to
-- sixteen seconds on a practice of 100,000 patients. Here a year of one
-- kind is one range of one B-tree.
--
-- Rows are written by the triggers below as the billing tables are, never
-- by code, and, like those tables, never changed or deleted. A fact does
-- not know whether what it records was reversed since: the reports leave
-- out the reversed lines, payments and entries, which are few (0018).
--
--   charge      a charge line, on its service date
--   payment     a payment allocation, on the local day the payment was
--               received, with the line's encounter, provider and code
--   adjustment  a write-off or adjustment entry, on the local day it was
--               posted, with its line's (if any); amount positive when it
--               lowers what is owed
--
-- "Local" is the time zone of the program that writes the row, which for
-- a practice is the practice's own.

CREATE TABLE money_facts (
  kind                 TEXT NOT NULL CHECK (kind IN ('charge', 'payment', 'adjustment')),
  day                  TEXT NOT NULL,              -- YYYY-MM-DD
  source_id            INTEGER NOT NULL,           -- charge_lines, payment_allocations, ledger_entries
  line_id              INTEGER,                    -- the charge line; NULL for an entry tied to none
  payment_id           INTEGER,                    -- payments only
  encounter_id         INTEGER,
  patient_id           INTEGER NOT NULL,
  provider             TEXT,                       -- the encounter's (a user name, or a resource id)
  code                 TEXT,
  amount_cents         INTEGER NOT NULL,
  PRIMARY KEY (kind, day, source_id)
) WITHOUT ROWID;

CREATE TRIGGER money_facts_no_update BEFORE UPDATE ON money_facts
BEGIN
  SELECT RAISE (ABORT, 'money facts are never changed');
END;
CREATE TRIGGER money_facts_no_delete BEFORE DELETE ON money_facts
BEGIN
  SELECT RAISE (ABORT, 'money facts are never deleted');
END;

CREATE TRIGGER money_facts_charge AFTER INSERT ON charge_lines
BEGIN
  INSERT INTO money_facts (kind, day, source_id, line_id, payment_id, encounter_id, patient_id,
                           provider, code, amount_cents)
  VALUES ('charge', NEW.service_date, NEW.id, NEW.id, NULL, NEW.encounter_id, NEW.patient_id,
          (SELECT provider FROM encounters WHERE id = NEW.encounter_id), NEW.code,
          NEW.amount_cents);
END;

CREATE TRIGGER money_facts_payment AFTER INSERT ON payment_allocations
BEGIN
  INSERT INTO money_facts (kind, day, source_id, line_id, payment_id, encounter_id, patient_id,
                           provider, code, amount_cents)
  SELECT 'payment', strftime ('%Y-%m-%d', p.received_at / 1000000, 'unixepoch', 'localtime'),
         NEW.id, NEW.charge_line_id, NEW.payment_id, cl.encounter_id, cl.patient_id,
         (SELECT provider FROM encounters WHERE id = cl.encounter_id), cl.code, NEW.amount_cents
  FROM payments p, charge_lines cl
  WHERE p.id = NEW.payment_id AND cl.id = NEW.charge_line_id;
END;

CREATE TRIGGER money_facts_adjustment AFTER INSERT ON ledger_entries
WHEN NEW.kind IN ('write-off', 'adjustment')
BEGIN
  INSERT INTO money_facts (kind, day, source_id, line_id, payment_id, encounter_id, patient_id,
                           provider, code, amount_cents)
  VALUES ('adjustment',
          strftime ('%Y-%m-%d', NEW.posted_at / 1000000, 'unixepoch', 'localtime'),
          NEW.id, NEW.charge_line_id, NULL,
          (SELECT encounter_id FROM charge_lines WHERE id = NEW.charge_line_id),
          NEW.patient_id,
          (SELECT e.provider FROM charge_lines cl JOIN encounters e ON e.id = cl.encounter_id
           WHERE cl.id = NEW.charge_line_id),
          (SELECT code FROM charge_lines WHERE id = NEW.charge_line_id),
          -NEW.amount_cents);
END;

-- The facts of what is there already.
INSERT INTO money_facts (kind, day, source_id, line_id, payment_id, encounter_id, patient_id,
                         provider, code, amount_cents)
SELECT 'charge', cl.service_date, cl.id, cl.id, NULL, cl.encounter_id, cl.patient_id, e.provider,
       cl.code, cl.amount_cents
FROM charge_lines cl LEFT JOIN encounters e ON e.id = cl.encounter_id;

INSERT INTO money_facts (kind, day, source_id, line_id, payment_id, encounter_id, patient_id,
                         provider, code, amount_cents)
SELECT 'payment', strftime ('%Y-%m-%d', p.received_at / 1000000, 'unixepoch', 'localtime'), a.id,
       a.charge_line_id, a.payment_id, cl.encounter_id, cl.patient_id, e.provider, cl.code,
       a.amount_cents
FROM payment_allocations a
JOIN payments p ON p.id = a.payment_id
JOIN charge_lines cl ON cl.id = a.charge_line_id
LEFT JOIN encounters e ON e.id = cl.encounter_id;

INSERT INTO money_facts (kind, day, source_id, line_id, payment_id, encounter_id, patient_id,
                         provider, code, amount_cents)
SELECT 'adjustment', strftime ('%Y-%m-%d', le.posted_at / 1000000, 'unixepoch', 'localtime'), le.id,
       le.charge_line_id, NULL, cl.encounter_id, le.patient_id, e.provider, cl.code,
       -le.amount_cents
FROM ledger_entries le
LEFT JOIN charge_lines cl ON cl.id = le.charge_line_id
LEFT JOIN encounters e ON e.id = cl.encounter_id
WHERE le.kind IN ('write-off', 'adjustment');
