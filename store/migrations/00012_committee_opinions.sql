-- Axe 1: each committee member's opinion on each candidate service, before the chair decides.
-- +goose Up
CREATE TABLE committee_opinions (
	campaign_id TEXT NOT NULL REFERENCES campaigns (id),
	member      TEXT NOT NULL,
	service_id  TEXT NOT NULL REFERENCES candidate_services (id),
	selected    BOOLEAN NOT NULL,
	comment     TEXT NOT NULL,
	at          {{ts}} NOT NULL,
	PRIMARY KEY (campaign_id, member, service_id)
);
