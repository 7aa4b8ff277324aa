-- Axe 1 ballots read one by one by ANCT: each choice keeps its place in the ballot as the
-- collectivité listed it, and each ballot counts how many earlier ones it replaced. Ballots
-- cast before keep position 0 (read in the order the services were created) and count no
-- replacement: the earlier ones left no trace. IF NOT EXISTS: a run that finds the columns
-- (a version record lost, as after a failed concurrent index build) changes nothing.
-- +goose Up
ALTER TABLE ballot_choices ADD COLUMN IF NOT EXISTS position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ballots ADD COLUMN IF NOT EXISTS replacements INTEGER NOT NULL DEFAULT 0;
