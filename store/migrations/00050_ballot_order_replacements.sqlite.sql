-- Axe 1 ballots read one by one by ANCT: each choice keeps its place in the ballot as the
-- collectivité listed it, and each ballot counts how many earlier ones it replaced (see the
-- PostgreSQL file; SQLite's ADD COLUMN has no IF NOT EXISTS).
-- +goose Up
ALTER TABLE ballot_choices ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ballots ADD COLUMN replacements INTEGER NOT NULL DEFAULT 0;
