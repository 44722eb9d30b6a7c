-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 12: an archive a backup run is about to give its final name.
-- The row is written before the rename and removed once the run is recorded:
-- a run killed in between leaves a whole, verified archive that retention
-- still knows as this practice's own (it is not counted as a success).

CREATE TABLE backup_pending (
  target      TEXT NOT NULL,
  archive     TEXT NOT NULL,      -- the archive's file name in the target
  started_at  INTEGER NOT NULL,   -- Unix seconds
  PRIMARY KEY (target, archive)
);
