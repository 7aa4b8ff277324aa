-- Dossiers, tasks and audit trail.
-- +goose Up
CREATE TABLE dossiers (
	id              TEXT PRIMARY KEY,
	kind            TEXT NOT NULL,
	status          TEXT NOT NULL,
	applicant_siren TEXT NOT NULL,
	applicant_name  TEXT NOT NULL DEFAULT '',
	departement     TEXT NOT NULL DEFAULT '',
	region          TEXT NOT NULL DEFAULT '',
	envelope_code   TEXT NOT NULL,
	requested_cents BIGINT NOT NULL DEFAULT 0,
	granted_cents   BIGINT NOT NULL DEFAULT 0,
	reason          TEXT NOT NULL DEFAULT '',
	missing_items   TEXT NOT NULL DEFAULT '',
	payload         TEXT NOT NULL,
	created_by      TEXT NOT NULL,
	created_at      {{ts}} NOT NULL,
	updated_at      {{ts}} NOT NULL
);
CREATE INDEX dossiers_status ON dossiers (status, id);
CREATE INDEX dossiers_applicant ON dossiers (applicant_siren, id);
CREATE INDEX dossiers_departement ON dossiers (departement, id);

CREATE TABLE idempotency_keys (
	principal  TEXT NOT NULL,
	key        TEXT NOT NULL,
	dossier_id TEXT NOT NULL,
	created_at {{ts}} NOT NULL,
	PRIMARY KEY (principal, key)
);

-- One row per funded guichet connection: the primary key is the cap itself.
CREATE TABLE guichet_grants (
	siren      TEXT NOT NULL,
	kind       TEXT NOT NULL,
	dossier_id TEXT NOT NULL,
	PRIMARY KEY (siren, kind)
);

CREATE TABLE tasks (
	id         TEXT PRIMARY KEY,
	dossier_id TEXT NOT NULL REFERENCES dossiers (id),
	type       TEXT NOT NULL,
	role       TEXT NOT NULL,
	scope      TEXT NOT NULL DEFAULT '',
	status     TEXT NOT NULL,
	assignee   TEXT NOT NULL DEFAULT '',
	due_at     {{ts}},
	outcome    TEXT NOT NULL DEFAULT '',
	comment    TEXT NOT NULL DEFAULT '',
	data       TEXT NOT NULL DEFAULT '',
	closed_by  TEXT NOT NULL DEFAULT '',
	created_at {{ts}} NOT NULL,
	closed_at  {{ts}}
);
CREATE INDEX tasks_inbox ON tasks (status, role, scope, created_at);
CREATE INDEX tasks_dossier ON tasks (dossier_id);

CREATE TABLE audit_events (
	id         {{id}},
	dossier_id TEXT NOT NULL,
	step_key   TEXT NOT NULL,
	at         {{ts}} NOT NULL,
	actor      TEXT NOT NULL,
	action     TEXT NOT NULL,
	detail     TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX audit_events_step ON audit_events (step_key);
CREATE INDEX audit_events_dossier ON audit_events (dossier_id, id);
