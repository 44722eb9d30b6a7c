-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 26: each patient's ledger total, kept by the database as
-- entries are posted, and charge lines by the time they were made: the
-- accounts-receivable ageing (db/ch-money-report-db.c) as of today reads
-- the totals, and as of an earlier day the totals less what came after.
--
-- A balance is still the sum of the patient's ledger entries (0018) and
-- nothing else: this is that sum, added to by the trigger below in the
-- transaction that posts each entry, never written by code. Entries are
-- never changed or deleted, so it cannot drift from them; the billing tests
-- check it against the sum after thousands of random postings. Summing
-- the 4.6 million entries of a practice of 100,000 patients for each
-- ageing took half of its two-second budget.

CREATE TABLE ledger_totals (
  patient_id           INTEGER PRIMARY KEY REFERENCES patients (id),
  balance_cents        INTEGER NOT NULL
);

CREATE TRIGGER ledger_totals_post AFTER INSERT ON ledger_entries
BEGIN
  INSERT OR IGNORE INTO ledger_totals (patient_id, balance_cents) VALUES (NEW.patient_id, 0);
  UPDATE ledger_totals SET balance_cents = balance_cents + NEW.amount_cents
  WHERE patient_id = NEW.patient_id;
END;

INSERT INTO ledger_totals (patient_id, balance_cents)
SELECT patient_id, SUM (amount_cents) FROM ledger_entries GROUP BY patient_id;

-- Charges made after a day, to take away from the period's charges by
-- service date (0022's charge_lines_service); they replace 0022's
-- per-patient ageing index, which read every charge line ever made.
CREATE INDEX charge_lines_created ON charge_lines (created_at, service_date, patient_id, amount_cents);
DROP INDEX charge_lines_ageing;
