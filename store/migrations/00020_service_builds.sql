-- Axe 1 build and deploy: each candidate service runs as a workflow, whose human tasks,
-- audit trail and process hang on a reference row among the dossiers (kind 'service',
-- same ID): the task board, the inbox (whose plain read path never joins dossiers), the
-- task endpoints and the reconciler work for it unchanged. The service's row keeps the
-- build's state: its route, its vehicle, and what its payments have spent of its budget.
-- +goose Up
ALTER TABLE candidate_services ADD COLUMN route TEXT NOT NULL DEFAULT '';
ALTER TABLE candidate_services ADD COLUMN route_note TEXT NOT NULL DEFAULT '';
ALTER TABLE candidate_services ADD COLUMN paid_cents BIGINT NOT NULL DEFAULT 0 CHECK (paid_cents >= 0);
ALTER TABLE candidate_services ADD COLUMN vehicle TEXT NOT NULL DEFAULT '';
ALTER TABLE candidate_services ADD COLUMN vehicle_name TEXT NOT NULL DEFAULT '';
ALTER TABLE candidate_services ADD COLUMN vehicle_cents BIGINT NOT NULL DEFAULT 0 CHECK (vehicle_cents >= 0);
ALTER TABLE candidate_services ADD COLUMN how_to_join TEXT NOT NULL DEFAULT '';
ALTER TABLE candidate_services ADD COLUMN contact TEXT NOT NULL DEFAULT '';

-- The services recorded before: a reference row each; the reconciler starts the process
-- of those still open (candidate or selected), the others have nothing left to run.
INSERT INTO dossiers (id, kind, status, applicant_siren, envelope_code, payload, created_by, call_id, created_at, updated_at, process_started_at)
SELECT s.id, 'service',
	CASE s.status WHEN 'candidate' THEN 'accepted' WHEN 'merged' THEN 'service_merged' ELSE s.status END,
	'', c.envelope_code, '{}', s.created_by, s.campaign_id, s.created_at, s.updated_at,
	CASE WHEN s.status IN ('candidate', 'selected') THEN NULL ELSE s.updated_at END
FROM candidate_services s JOIN campaigns c ON c.id = s.campaign_id;
