-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 25: the indexes the clinical quality measures read their
-- facts from (db/ch-quality-db.c), each fact for all patients at once.
--
-- 0023 had them probe each patient's rows through the per-patient indexes
-- of 0004: on a practice of 100,000 patients that read (and decrypted) the
-- whole index of eight million chart items once per measure, two seconds
-- each. Here a measure reads only the period's rows of the codes it needs.

-- Vital signs by code and time, with the patient and the value: the
-- period's BMIs, weights, heights and blood pressures from the index alone.
-- (A partial index's own WHERE columns are in it too: SQLite reads from the
-- index alone only what a query names that the index holds.)
CREATE INDEX chart_items_vital_period ON chart_items (section, code, status, effective_at,
                                                      patient_id, value_num)
  WHERE section = 'vital';

-- Everything else (problems, results entered in the chart, history,
-- immunizations: a fraction of the vital signs) by section, code and time,
-- with every column a measure looks at.
CREATE INDEX chart_items_coded ON chart_items (section, code, effective_at, patient_id, status,
                                               value_num, value_text, kind, code_system,
                                               clinical_status, start_date)
  WHERE section <> 'vital';

-- Laboratory results by code and time (the current version of each).
CREATE INDEX lab_results_code_time ON lab_results (code, observed_ts, patient_id)
  WHERE current = 1;

-- The period's visits with their patient and provider, from the index
-- alone: 0021's index with the status it is partial on.
DROP INDEX encounters_active_start;
CREATE INDEX encounters_active_start ON encounters (start_at, patient_id, provider, status)
  WHERE status = 'active';
