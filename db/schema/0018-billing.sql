-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 18: billing — the fee schedule, charges, payments and the
-- patient ledger.
--
-- Money is integer cents of the practice's currency. A ledger entry's amount
-- is signed from the patient's side: positive when the patient owes more (a
-- charge, a refund paid out, an opening balance), negative when they owe less
-- (a payment, a write-off). A patient's balance is the sum of their entries,
-- nothing else: no balance column anywhere can drift from it.
--
-- Nothing here is ever changed or deleted (the triggers below refuse it). A
-- mistake is corrected by a reversing entry: the same amount with the
-- opposite sign, naming the entry it reverses (once only) and why. A charge
-- line or a payment whose entry was reversed stays, and so do its
-- allocations; they no longer count.
--
-- The fee schedule keeps every version of a code: a price applies from
-- effective_from to effective_to (inclusive, NULL for open-ended); a charge
-- takes the version in force on its encounter's date and keeps that price.
-- Dates are YYYY-MM-DD; times are microseconds since the epoch (UTC).

CREATE TABLE fee_schedule (
  id                   INTEGER PRIMARY KEY,
  code                 TEXT NOT NULL,
  description          TEXT NOT NULL,
  price_cents          INTEGER NOT NULL CHECK (price_cents >= 0),
  effective_from       TEXT NOT NULL,
  effective_to         TEXT CHECK (effective_to IS NULL OR effective_to >= effective_from),
  created_at           INTEGER NOT NULL,
  created_by           TEXT NOT NULL
);
CREATE UNIQUE INDEX fee_schedule_version ON fee_schedule (code, effective_from);

-- An encounter is open for charges until the physician marks it ready to
-- bill: a row here, written once.
CREATE TABLE billing_encounters (
  encounter_id         INTEGER PRIMARY KEY REFERENCES encounters (id),
  status               TEXT NOT NULL CHECK (status IN ('ready')),
  marked_at            INTEGER NOT NULL,
  marked_by            TEXT NOT NULL
);

CREATE TABLE charge_lines (
  id                   INTEGER PRIMARY KEY,
  encounter_id         INTEGER NOT NULL REFERENCES encounters (id),
  patient_id           INTEGER NOT NULL REFERENCES patients (id),
  fee_id               INTEGER NOT NULL REFERENCES fee_schedule (id),
  code                 TEXT NOT NULL,
  service_date         TEXT NOT NULL,              -- the encounter's date
  units                INTEGER NOT NULL CHECK (units BETWEEN 1 AND 999),
  unit_price_cents     INTEGER NOT NULL CHECK (unit_price_cents >= 0),
  amount_cents         INTEGER NOT NULL CHECK (amount_cents = units * unit_price_cents),
  modifiers            TEXT NOT NULL DEFAULT '',   -- up to 4 two-character modifiers, ":"-separated
  -- Diagnosis pointers: the patient's ICD-10 problems (chart_items), in order.
  dx1                  INTEGER REFERENCES chart_items (id),
  dx2                  INTEGER REFERENCES chart_items (id),
  dx3                  INTEGER REFERENCES chart_items (id),
  dx4                  INTEGER REFERENCES chart_items (id),
  created_at           INTEGER NOT NULL,
  created_by           TEXT NOT NULL
);
CREATE INDEX charge_lines_encounter ON charge_lines (encounter_id);
CREATE INDEX charge_lines_patient ON charge_lines (patient_id);

CREATE TABLE payments (
  id                   INTEGER PRIMARY KEY,
  patient_id           INTEGER NOT NULL REFERENCES patients (id),
  method               TEXT NOT NULL
                       CHECK (method IN ('cash', 'card', 'cheque', 'transfer', 'insurer')),
  reference            TEXT NOT NULL DEFAULT '',   -- card terminal reference, cheque number …
  amount_cents         INTEGER NOT NULL CHECK (amount_cents > 0),
  received_at          INTEGER NOT NULL,
  received_by          TEXT NOT NULL
);
CREATE INDEX payments_patient ON payments (patient_id);

CREATE TABLE payment_allocations (
  id                   INTEGER PRIMARY KEY,
  payment_id           INTEGER NOT NULL REFERENCES payments (id),
  charge_line_id       INTEGER NOT NULL REFERENCES charge_lines (id),
  amount_cents         INTEGER NOT NULL CHECK (amount_cents > 0),
  created_at           INTEGER NOT NULL,
  created_by           TEXT NOT NULL
);
CREATE INDEX payment_allocations_payment ON payment_allocations (payment_id);
CREATE INDEX payment_allocations_line ON payment_allocations (charge_line_id);

CREATE TABLE ledger_entries (
  id                   INTEGER PRIMARY KEY,
  patient_id           INTEGER NOT NULL REFERENCES patients (id),
  kind                 TEXT NOT NULL
                       CHECK (kind IN ('charge', 'payment', 'refund', 'write-off', 'adjustment',
                                       'opening', 'reversal')),
  amount_cents         INTEGER NOT NULL,
  charge_line_id       INTEGER REFERENCES charge_lines (id),
  payment_id           INTEGER REFERENCES payments (id),
  reverses             INTEGER REFERENCES ledger_entries (id),
  method               TEXT NOT NULL DEFAULT '',   -- refunds: how the money went back
  reason               TEXT NOT NULL DEFAULT '',
  posted_at            INTEGER NOT NULL,
  posted_by            TEXT NOT NULL,
  CHECK (kind <> 'charge' OR (charge_line_id IS NOT NULL AND amount_cents >= 0)),
  CHECK (kind <> 'payment' OR (payment_id IS NOT NULL AND amount_cents < 0)),
  CHECK (kind <> 'refund' OR amount_cents > 0),
  CHECK (kind <> 'write-off' OR amount_cents < 0),
  CHECK (kind <> 'reversal' OR reverses IS NOT NULL),
  CHECK (kind NOT IN ('refund', 'write-off', 'adjustment', 'reversal') OR reason <> '')
);
CREATE INDEX ledger_entries_patient ON ledger_entries (patient_id, id);
CREATE UNIQUE INDEX ledger_entries_reverses ON ledger_entries (reverses) WHERE reverses IS NOT NULL;
CREATE INDEX ledger_entries_line ON ledger_entries (charge_line_id) WHERE charge_line_id IS NOT NULL;
CREATE INDEX ledger_entries_payment ON ledger_entries (payment_id) WHERE payment_id IS NOT NULL;

CREATE TRIGGER fee_schedule_no_update BEFORE UPDATE ON fee_schedule
BEGIN
  SELECT RAISE (ABORT, 'fee schedule versions are never changed; add a new version');
END;
CREATE TRIGGER fee_schedule_no_delete BEFORE DELETE ON fee_schedule
BEGIN
  SELECT RAISE (ABORT, 'fee schedule versions are never deleted');
END;

CREATE TRIGGER billing_encounters_no_update BEFORE UPDATE ON billing_encounters
BEGIN
  SELECT RAISE (ABORT, 'an encounter marked ready to bill stays so');
END;
CREATE TRIGGER billing_encounters_no_delete BEFORE DELETE ON billing_encounters
BEGIN
  SELECT RAISE (ABORT, 'an encounter marked ready to bill stays so');
END;

CREATE TRIGGER charge_lines_no_update BEFORE UPDATE ON charge_lines
BEGIN
  SELECT RAISE (ABORT, 'charge lines are never changed; reverse the charge');
END;
CREATE TRIGGER charge_lines_no_delete BEFORE DELETE ON charge_lines
BEGIN
  SELECT RAISE (ABORT, 'charge lines are never deleted; reverse the charge');
END;

CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments
BEGIN
  SELECT RAISE (ABORT, 'payments are never changed; reverse the payment');
END;
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
BEGIN
  SELECT RAISE (ABORT, 'payments are never deleted; reverse the payment');
END;

CREATE TRIGGER payment_allocations_no_update BEFORE UPDATE ON payment_allocations
BEGIN
  SELECT RAISE (ABORT, 'payment allocations are never changed');
END;
CREATE TRIGGER payment_allocations_no_delete BEFORE DELETE ON payment_allocations
BEGIN
  SELECT RAISE (ABORT, 'payment allocations are never deleted');
END;

CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN
  SELECT RAISE (ABORT, 'ledger entries are never changed; post a reversing entry');
END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN
  SELECT RAISE (ABORT, 'ledger entries are never deleted; post a reversing entry');
END;
