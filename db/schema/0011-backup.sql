-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 11: the backup runs (charta-admin backup now, later
-- charta-backupd), for "backup status" and for retention, which deletes only
-- archives a successful run here says it wrote. Times are Unix seconds (UTC).

CREATE TABLE backup_runs (
  id           INTEGER PRIMARY KEY,
  started_at   INTEGER NOT NULL,
  finished_at  INTEGER NOT NULL,
  ok           INTEGER NOT NULL CHECK (ok IN (0, 1)),
  target       TEXT NOT NULL,
  archive      TEXT,              -- the archive's file name in the target
  size         INTEGER,           -- bytes
  duration_ms  INTEGER,
  reason       TEXT               -- why it failed
);

CREATE INDEX backup_runs_ok ON backup_runs (ok, finished_at);
