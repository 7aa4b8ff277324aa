-- Dossiers record their process's start; idempotency keys remember their request.
-- +goose Up
ALTER TABLE dossiers ADD COLUMN process_started_at {{ts}};
-- A dossier past "submitted" was moved by its workflow. One still "submitted" is checked
-- by the reconciler, which finds or starts its workflow.
UPDATE dossiers SET process_started_at = updated_at WHERE status NOT IN ('draft', 'submitted');
-- The reconciler's work list: only rows whose process is not known to run.
CREATE INDEX dossiers_unstarted ON dossiers (updated_at) WHERE process_started_at IS NULL AND status <> 'draft';

ALTER TABLE idempotency_keys ADD COLUMN request_hash TEXT NOT NULL DEFAULT '';
