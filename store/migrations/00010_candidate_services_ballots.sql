-- Axe 1: candidate services grouping proposals, the collectivités' ballots, and the
-- membership of priority policies that results count.
-- +goose Up
CREATE TABLE candidate_services (
	id                   TEXT PRIMARY KEY,
	campaign_id          TEXT NOT NULL REFERENCES campaigns (id),
	title                TEXT NOT NULL,
	description          TEXT NOT NULL,
	status               TEXT NOT NULL,
	estimated_cost_cents BIGINT NOT NULL DEFAULT 0 CHECK (estimated_cost_cents >= 0),
	cost_note            TEXT NOT NULL DEFAULT '',
	merged_into          TEXT NOT NULL DEFAULT '',
	-- The committee's decision: the budget of a selected service, reserved on the
	-- campaign's envelope under the service's ID; the reason of either decision.
	budget_cents         BIGINT NOT NULL DEFAULT 0 CHECK (budget_cents >= 0),
	decision_reason      TEXT NOT NULL DEFAULT '',
	created_by           TEXT NOT NULL,
	created_at           {{ts}} NOT NULL,
	updated_at           {{ts}} NOT NULL
);
CREATE INDEX candidate_services_campaign ON candidate_services (campaign_id, status);

-- Each proposal belongs to at most one candidate service.
CREATE TABLE service_proposals (
	dossier_id TEXT PRIMARY KEY REFERENCES dossiers (id),
	service_id TEXT NOT NULL REFERENCES candidate_services (id)
);
CREATE INDEX service_proposals_service ON service_proposals (service_id);

-- One ballot per collectivité (SIREN) and campaign: a later one replaces it. Its choices
-- are rows, so that results are counted by the database.
CREATE TABLE ballots (
	campaign_id TEXT NOT NULL REFERENCES campaigns (id),
	siren       TEXT NOT NULL,
	cast_by     TEXT NOT NULL,
	cast_at     {{ts}} NOT NULL,
	PRIMARY KEY (campaign_id, siren)
);
CREATE TABLE ballot_choices (
	campaign_id TEXT NOT NULL,
	siren       TEXT NOT NULL,
	service_id  TEXT NOT NULL REFERENCES candidate_services (id),
	PRIMARY KEY (campaign_id, siren, service_id),
	FOREIGN KEY (campaign_id, siren) REFERENCES ballots (campaign_id, siren)
);
CREATE INDEX ballot_choices_service ON ballot_choices (service_id);

-- Collectivités in priority policies (Petites Villes de Demain, Action cœur de ville,
-- quartiers prioritaires, agenda rural), by SIREN.
CREATE TABLE priority_memberships (
	siren  TEXT NOT NULL,
	policy TEXT NOT NULL,
	PRIMARY KEY (siren, policy)
);
