-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 19: insurance claims — payers, 837P batches, the claims in
-- them and the remittances (835) posted against them.
--
-- Money is integer cents, as in 0018-billing.sql. Times are microseconds
-- since the epoch (UTC).
--
-- A batch is one 837P interchange to one payer. Its id is the interchange,
-- group and transaction set control number (ISA13, GS06, ST02): AUTOINCREMENT
-- so that the number of a batch is never handed out again. A batch whose
-- transaction rolls back leaves no file behind (its file is removed), so its
-- number was never sent.
--
-- A claim is written once, with its batch, and never deleted. Its status is
-- the one column that changes, and only as a remittance is posted in the
-- same transaction (app/billing/ch-claims.c):
--   'submitted' — sent, awaiting the payer's remittance (what the A/R
--                 report counts as owed by the payer);
--   'paid'      — the payer paid, and adjusted away the rest: nothing of the
--                 claim was left to the patient;
--   'partial'   — the payer paid part and left some to the patient (PR);
--   'denied'    — the payer denied it (CLP02 = 4) and paid nothing.
-- The triggers refuse any other change. What the payer paid, adjusted and
-- left to the patient is in claim_remittances (append-only), each CAS
-- amount in claim_adjustments; the money itself is in the ledger (0018):
-- an 'insurer' payment allocated to the claim's lines, CO/OA/PI amounts as
-- write-offs. PR amounts are recorded here only: the patient still owes
-- them, and the ledger already says so.

CREATE TABLE payers (
  id                   TEXT PRIMARY KEY NOT NULL,  -- the payer's id on claims (NM1*PR … PI)
  name                 TEXT NOT NULL,
  name_key             TEXT NOT NULL,              -- ch_fold (name): insurance_policies.payer matches it
  receiver_id          TEXT NOT NULL,              -- ISA08/GS03, the clearing house or the payer
  claim_filing         TEXT NOT NULL DEFAULT 'CI', -- SBR09: CI commercial, MB Medicare B, MC Medicaid …
  address1             TEXT NOT NULL DEFAULT '',
  city                 TEXT NOT NULL DEFAULT '',
  state                TEXT NOT NULL DEFAULT '',
  zip                  TEXT NOT NULL DEFAULT '',
  created_at           INTEGER NOT NULL,
  created_by           TEXT NOT NULL
);
CREATE UNIQUE INDEX payers_name_key ON payers (name_key);

-- The NPI a user who sees patients bills under (loop 2310B).
CREATE TABLE claim_providers (
  username             TEXT PRIMARY KEY NOT NULL,
  npi                  TEXT NOT NULL,
  last_name            TEXT NOT NULL,
  first_name           TEXT NOT NULL DEFAULT '',
  updated_at           INTEGER NOT NULL,
  updated_by           TEXT NOT NULL
);

CREATE TABLE claim_batches (
  id                   INTEGER PRIMARY KEY AUTOINCREMENT,  -- ISA13 = GS06 = ST02
  payer_id             TEXT NOT NULL REFERENCES payers (id),
  file_name            TEXT NOT NULL,
  n_claims             INTEGER NOT NULL,
  total_cents          INTEGER NOT NULL,
  created_at           INTEGER NOT NULL,
  created_by           TEXT NOT NULL
);

CREATE TABLE claims (
  id                   INTEGER PRIMARY KEY,
  claim_number         TEXT NOT NULL UNIQUE,       -- CLM01, "CH" || id; the 835's CLP01
  batch_id             INTEGER NOT NULL REFERENCES claim_batches (id),
  payer_id             TEXT NOT NULL REFERENCES payers (id),
  patient_id           INTEGER NOT NULL REFERENCES patients (id),
  encounter_id         INTEGER NOT NULL UNIQUE REFERENCES encounters (id),
  policy_id            INTEGER REFERENCES insurance_policies (id),
  member_id            TEXT NOT NULL,
  billed_cents         INTEGER NOT NULL CHECK (billed_cents > 0),
  status               TEXT NOT NULL DEFAULT 'submitted'
                       CHECK (status IN ('submitted', 'paid', 'partial', 'denied')),
  created_at           INTEGER NOT NULL,
  created_by           TEXT NOT NULL
);
CREATE INDEX claims_payer ON claims (payer_id, status);
CREATE INDEX claims_patient ON claims (patient_id);

-- The lines of a claim, in SV1 order (LX = position).
CREATE TABLE claim_lines (
  claim_id             INTEGER NOT NULL REFERENCES claims (id),
  position             INTEGER NOT NULL,
  charge_line_id       INTEGER NOT NULL REFERENCES charge_lines (id),
  PRIMARY KEY (claim_id, position)
);

-- One 835 transaction set (one payment or advice), posted once: its trace
-- number (TRN02, the cheque or EFT number) with the payer's TRN03 is unique.
CREATE TABLE remittance_advices (
  id                   INTEGER PRIMARY KEY,
  trace_number         TEXT NOT NULL,
  trace_originator     TEXT NOT NULL,
  payer_id             TEXT NOT NULL,              -- REF*2U or TRN03, as sent
  payer_name           TEXT NOT NULL,
  payment_cents        INTEGER NOT NULL,           -- BPR02
  method               TEXT NOT NULL,              -- BPR04: ACH, CHK …
  payment_date         TEXT NOT NULL,              -- BPR16, CCYYMMDD or ''
  provider_adjustment_cents INTEGER NOT NULL,      -- PLB total, not posted to patients
  file_name            TEXT NOT NULL,
  posted_at            INTEGER NOT NULL,
  posted_by            TEXT NOT NULL
);
CREATE UNIQUE INDEX remittance_advices_trace ON remittance_advices (trace_originator, trace_number);

CREATE TABLE claim_remittances (
  id                   INTEGER PRIMARY KEY,
  claim_id             INTEGER NOT NULL REFERENCES claims (id),
  advice_id            INTEGER NOT NULL REFERENCES remittance_advices (id),
  claim_status         TEXT NOT NULL,              -- CLP02
  charge_cents         INTEGER NOT NULL,           -- CLP03
  paid_cents           INTEGER NOT NULL,           -- CLP04
  contractual_cents    INTEGER NOT NULL,           -- CAS group CO, written off
  other_adjustment_cents INTEGER NOT NULL,         -- CAS groups OA and PI, written off
  patient_cents        INTEGER NOT NULL,           -- CAS group PR, left to the patient
  denied               INTEGER NOT NULL CHECK (denied IN (0, 1)),
  payer_claim_number   TEXT NOT NULL,              -- CLP07
  trace_number         TEXT NOT NULL,              -- TRN02
  payment_id           INTEGER REFERENCES payments (id),  -- the insurer payment, if anything was paid
  posted_at            INTEGER NOT NULL,
  posted_by            TEXT NOT NULL
);
CREATE UNIQUE INDEX claim_remittances_claim ON claim_remittances (claim_id);

CREATE TABLE claim_adjustments (
  id                   INTEGER PRIMARY KEY,
  remittance_id        INTEGER NOT NULL REFERENCES claim_remittances (id),
  charge_line_id       INTEGER REFERENCES charge_lines (id),  -- NULL: at claim level
  group_code           TEXT NOT NULL,              -- CO, PR, OA, PI
  reason_code          TEXT NOT NULL,              -- CARC
  amount_cents         INTEGER NOT NULL,
  ledger_entry_id      INTEGER REFERENCES ledger_entries (id)  -- the write-off, if one
);
CREATE INDEX claim_adjustments_remittance ON claim_adjustments (remittance_id);

CREATE TRIGGER claim_batches_no_update BEFORE UPDATE ON claim_batches
BEGIN
  SELECT RAISE (ABORT, 'claim batches are never changed');
END;
CREATE TRIGGER claim_batches_no_delete BEFORE DELETE ON claim_batches
BEGIN
  SELECT RAISE (ABORT, 'claim batches are never deleted');
END;

-- Only the status moves, and only away from 'submitted'.
CREATE TRIGGER claims_no_update BEFORE UPDATE ON claims
WHEN NEW.id IS NOT OLD.id OR NEW.claim_number IS NOT OLD.claim_number
  OR NEW.batch_id IS NOT OLD.batch_id OR NEW.payer_id IS NOT OLD.payer_id
  OR NEW.patient_id IS NOT OLD.patient_id OR NEW.encounter_id IS NOT OLD.encounter_id
  OR NEW.policy_id IS NOT OLD.policy_id OR NEW.member_id IS NOT OLD.member_id
  OR NEW.billed_cents IS NOT OLD.billed_cents OR NEW.created_at IS NOT OLD.created_at
  OR NEW.created_by IS NOT OLD.created_by OR OLD.status <> 'submitted'
BEGIN
  SELECT RAISE (ABORT, 'claims are never changed; only a remittance settles a submitted claim');
END;
CREATE TRIGGER claims_no_delete BEFORE DELETE ON claims
BEGIN
  SELECT RAISE (ABORT, 'claims are never deleted');
END;

CREATE TRIGGER claim_lines_no_update BEFORE UPDATE ON claim_lines
BEGIN
  SELECT RAISE (ABORT, 'claim lines are never changed');
END;
CREATE TRIGGER claim_lines_no_delete BEFORE DELETE ON claim_lines
BEGIN
  SELECT RAISE (ABORT, 'claim lines are never deleted');
END;

CREATE TRIGGER remittance_advices_no_update BEFORE UPDATE ON remittance_advices
BEGIN
  SELECT RAISE (ABORT, 'remittances are never changed');
END;
CREATE TRIGGER remittance_advices_no_delete BEFORE DELETE ON remittance_advices
BEGIN
  SELECT RAISE (ABORT, 'remittances are never deleted');
END;

CREATE TRIGGER claim_remittances_no_update BEFORE UPDATE ON claim_remittances
BEGIN
  SELECT RAISE (ABORT, 'remittances are never changed');
END;
CREATE TRIGGER claim_remittances_no_delete BEFORE DELETE ON claim_remittances
BEGIN
  SELECT RAISE (ABORT, 'remittances are never deleted');
END;

CREATE TRIGGER claim_adjustments_no_update BEFORE UPDATE ON claim_adjustments
BEGIN
  SELECT RAISE (ABORT, 'remittance adjustments are never changed');
END;
CREATE TRIGGER claim_adjustments_no_delete BEFORE DELETE ON claim_adjustments
BEGIN
  SELECT RAISE (ABORT, 'remittance adjustments are never deleted');
END;
