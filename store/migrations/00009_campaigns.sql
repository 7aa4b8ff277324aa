-- Axe 1 consultation campaigns: their dated phases, budget envelope and committee.
-- +goose Up
CREATE TABLE campaigns (
	id                    TEXT PRIMARY KEY,
	title                 TEXT NOT NULL,
	collection_opens_at   {{ts}} NOT NULL,
	collection_closes_at  {{ts}} NOT NULL,
	vote_opens_at         {{ts}} NOT NULL,
	vote_closes_at        {{ts}} NOT NULL,
	interest_opens_at     {{ts}} NOT NULL,
	interest_closes_at    {{ts}} NOT NULL,
	build_opens_at        {{ts}} NOT NULL,
	build_closes_at       {{ts}} NOT NULL,
	envelope_code         TEXT NOT NULL UNIQUE REFERENCES envelopes (code),
	committee             TEXT NOT NULL,
	chair                 TEXT NOT NULL,
	quorum                INTEGER NOT NULL,
	ballot_size           INTEGER NOT NULL,
	referents_per_service INTEGER NOT NULL,
	-- The categories proposals choose from, as a JSON array.
	categories            TEXT NOT NULL,
	-- The phase the campaign's workflow last recorded.
	phase                 TEXT NOT NULL,
	-- When its workflow was recorded as started; the reconciler starts those left without.
	process_started_at    {{ts}},
	created_by            TEXT NOT NULL,
	created_at            {{ts}} NOT NULL,
	updated_at            {{ts}} NOT NULL
);
CREATE INDEX campaigns_unstarted ON campaigns (process_started_at, created_at);
