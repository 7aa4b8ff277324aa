-- Axe 1: collectivités' expressions of interest in selected services, and the référents
-- ANCT confirms among them.
-- +goose Up
CREATE TABLE service_interests (
	service_id  TEXT NOT NULL REFERENCES candidate_services (id),
	siren       TEXT NOT NULL,
	contact     TEXT NOT NULL,
	use_case    TEXT NOT NULL,
	cast_by     TEXT NOT NULL,
	at          {{ts}} NOT NULL,
	referent_at {{ts}},
	PRIMARY KEY (service_id, siren)
);
