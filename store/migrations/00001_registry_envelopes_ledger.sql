-- Registry, envelopes and ledger.
-- +goose Up
CREATE TABLE collectivites (
	type        TEXT NOT NULL,
	code        TEXT NOT NULL,
	siren       TEXT,
	name        TEXT NOT NULL,
	search_name TEXT NOT NULL,
	departement TEXT NOT NULL DEFAULT '',
	region      TEXT NOT NULL DEFAULT '',
	population  BIGINT NOT NULL DEFAULT 0,
	members     TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (type, code)
);
CREATE UNIQUE INDEX collectivites_siren ON collectivites (siren);
CREATE INDEX collectivites_departement ON collectivites (departement, type);

CREATE TABLE envelopes (
	code            TEXT PRIMARY KEY,
	parent_code     TEXT NOT NULL DEFAULT '',
	label           TEXT NOT NULL,
	allocated_cents BIGINT NOT NULL CHECK (allocated_cents >= 0),
	reserved_cents  BIGINT NOT NULL DEFAULT 0 CHECK (reserved_cents >= 0),
	committed_cents BIGINT NOT NULL DEFAULT 0 CHECK (committed_cents >= 0),
	paid_cents      BIGINT NOT NULL DEFAULT 0 CHECK (paid_cents >= 0),
	updated_at      {{ts}} NOT NULL
);

CREATE TABLE ledger_entries (
	id            {{id}},
	envelope_code TEXT NOT NULL REFERENCES envelopes (code),
	dossier_id    TEXT NOT NULL,
	kind          TEXT NOT NULL,
	amount_cents  BIGINT NOT NULL CHECK (amount_cents > 0),
	reference     TEXT NOT NULL DEFAULT '',
	at            {{ts}} NOT NULL
);
CREATE UNIQUE INDEX ledger_entries_step ON ledger_entries (dossier_id, kind);
CREATE INDEX ledger_entries_envelope ON ledger_entries (envelope_code, id);
