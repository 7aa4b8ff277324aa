-- Axe 3: the audited acts on its envelopes, the labs, the CRTE and each territory's rules.
-- +goose Up
CREATE TABLE envelope_acts (
	id            {{id}},
	envelope_code TEXT NOT NULL,
	action        TEXT NOT NULL,
	actor         TEXT NOT NULL,
	from_cents    BIGINT NOT NULL,
	to_cents      BIGINT NOT NULL,
	at            {{ts}} NOT NULL
);
CREATE INDEX envelope_acts_code ON envelope_acts (envelope_code, id);

CREATE TABLE axe3_labs (
	id     TEXT PRIMARY KEY,
	name   TEXT NOT NULL,
	region TEXT NOT NULL
);

-- EPCI and communes are comma-separated SIRENs.
CREATE TABLE axe3_crtes (
	id        TEXT PRIMARY KEY,
	name      TEXT NOT NULL,
	epcis     TEXT NOT NULL DEFAULT '',
	communes  TEXT NOT NULL DEFAULT '',
	signed_on {{ts}} NOT NULL
);

-- One row per département or région that set its rules; weights are comma-separated.
CREATE TABLE axe3_rules (
	scope                   TEXT PRIMARY KEY,
	population_cap          BIGINT NOT NULL,
	max_public_rate_percent INTEGER NOT NULL,
	weights                 TEXT NOT NULL,
	updated_by              TEXT NOT NULL,
	updated_at              {{ts}} NOT NULL
);

-- A prefectoral grant moves its money in parts (advance, balance, remainder, recovery):
-- each part is one entry per dossier and kind, as each whole movement was.
ALTER TABLE ledger_entries ADD COLUMN part TEXT NOT NULL DEFAULT '';
DROP INDEX ledger_entries_step;
CREATE UNIQUE INDEX ledger_entries_step ON ledger_entries (dossier_id, kind, part);

-- The instructor's scores of prefectoral dossiers, for the programming sessions' ranking.
CREATE TABLE axe3_scores (
	dossier_id      TEXT PRIMARY KEY,
	envelope_code   TEXT NOT NULL,
	score           INTEGER NOT NULL,
	proposed_cents  BIGINT NOT NULL,
	max_grant_cents BIGINT NOT NULL,
	scored_at       {{ts}} NOT NULL
);
CREATE INDEX axe3_scores_envelope ON axe3_scores (envelope_code, score);

-- The préfets' programming sessions: one open session per envelope at a time, and the
-- dossiers each ranked, with the préfet's decision.
CREATE TABLE axe3_sessions (
	id            TEXT PRIMARY KEY,
	envelope_code TEXT NOT NULL,
	opened_by     TEXT NOT NULL,
	opened_at     {{ts}} NOT NULL,
	closed_at     {{ts}}
);
CREATE UNIQUE INDEX axe3_sessions_open ON axe3_sessions (envelope_code) WHERE closed_at IS NULL;
CREATE TABLE axe3_session_entries (
	session_id     TEXT NOT NULL,
	dossier_id     TEXT NOT NULL,
	rank           INTEGER NOT NULL,
	score          INTEGER NOT NULL,
	proposed_cents BIGINT NOT NULL,
	decision       TEXT NOT NULL DEFAULT '',
	amount_cents   BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (session_id, dossier_id)
);
