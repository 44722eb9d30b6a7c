-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 20: the daily close — the cash drawer counted and
-- reconciled at the end of a day.
--
-- A close records, for one local day (YYYY-MM-DD), the float the drawer
-- started with, the cash it should hold (float + cash payments − cash
-- refunds of that day, worked out when it was closed), what was counted,
-- and the difference (counted − expected: positive over, negative short).
-- Amounts are integer cents.
--
-- Closes are never changed or deleted (the triggers below refuse it). A day
-- is closed once; closing it again needs a reason and appends a close that
-- supersedes the latest one (supersedes: its id). The latest close of a day
-- is the one that counts; the earlier ones stay as the record of what
-- happened.

CREATE TABLE cash_closes (
  id                   INTEGER PRIMARY KEY,
  day                  TEXT NOT NULL,
  float_cents          INTEGER NOT NULL CHECK (float_cents >= 0),
  expected_cents       INTEGER NOT NULL,
  counted_cents        INTEGER NOT NULL CHECK (counted_cents >= 0),
  difference_cents     INTEGER NOT NULL CHECK (difference_cents = counted_cents - expected_cents),
  note                 TEXT NOT NULL DEFAULT '',
  supersedes           INTEGER REFERENCES cash_closes (id),
  reopen_reason        TEXT NOT NULL DEFAULT '',
  closed_at            INTEGER NOT NULL,
  closed_by            TEXT NOT NULL,
  CHECK (supersedes IS NULL OR reopen_reason <> '')
);
-- One first close a day, and each close superseded at most once: the
-- closes of a day form one chain whose end is the one that counts.
CREATE UNIQUE INDEX cash_closes_first ON cash_closes (day) WHERE supersedes IS NULL;
CREATE UNIQUE INDEX cash_closes_supersedes ON cash_closes (supersedes) WHERE supersedes IS NOT NULL;

CREATE TRIGGER cash_closes_same_day BEFORE INSERT ON cash_closes
WHEN NEW.supersedes IS NOT NULL
 AND NOT EXISTS (SELECT 1 FROM cash_closes c WHERE c.id = NEW.supersedes AND c.day = NEW.day)
BEGIN
  SELECT RAISE (ABORT, 'a close supersedes an earlier close of the same day');
END;
CREATE TRIGGER cash_closes_no_update BEFORE UPDATE ON cash_closes
BEGIN
  SELECT RAISE (ABORT, 'cash closes are never changed; close the day again with a reason');
END;
CREATE TRIGGER cash_closes_no_delete BEFORE DELETE ON cash_closes
BEGIN
  SELECT RAISE (ABORT, 'cash closes are never deleted');
END;
