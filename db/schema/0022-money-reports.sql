-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 22: the indexes the money reports (revenue, accounts-
-- receivable ageing, collections; db/ch-money-report-db.c) need to stay
-- under two seconds on a large practice (100,000 patients, a million
-- encounters with their charges and payments). No tables: every figure is
-- summed from the billing records of 0018-billing.sql and the claims of
-- 0019-claims.sql.

-- Charges of a period by service date, with what the groups need (the
-- encounter, the patient, the code, the amount) read from the index alone.
CREATE INDEX charge_lines_service ON charge_lines (service_date, encounter_id, patient_id, code,
                                                   amount_cents);

-- Ageing: each patient's charges by service date, as posted by a day, in
-- patient order, so that the per-patient sums need no sort and no table.
CREATE INDEX charge_lines_ageing ON charge_lines (patient_id, created_at, service_date,
                                                  amount_cents);

-- Payments received in a period.
CREATE INDEX payments_received ON payments (received_at, amount_cents);

-- Each patient's balance as of a day, from the index alone.
CREATE INDEX ledger_entries_balance ON ledger_entries (patient_id, posted_at, amount_cents);

-- Write-offs and adjustments of a period; refunds, opening balances and
-- adjustments as of a day (the debits that are not charges).
CREATE INDEX ledger_entries_kind ON ledger_entries (kind, posted_at, charge_line_id, amount_cents,
                                                  patient_id);

-- What claims still await (status 'submitted'), patient by patient, from the
-- index alone.
CREATE INDEX claims_awaiting ON claims (status, patient_id, created_at, billed_cents);

-- Revenue by payer: the payer of the claim made for each line's encounter,
-- and a patient's primary active policy, each read from its index alone.
CREATE INDEX claims_encounter_payer ON claims (encounter_id, payer_id);
CREATE INDEX insurance_policies_primary ON insurance_policies (patient_id, priority, status, id, payer);

-- Payments spread over lines: the allocations of each payment from the
-- index alone.
CREATE INDEX payment_allocations_cover ON payment_allocations (payment_id, charge_line_id,
                                                               amount_cents);
