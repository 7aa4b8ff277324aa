-- Calls for projects, juries, waiting lists, task deadlines, notifications.
-- +goose Up
CREATE TABLE calls (
	id             TEXT PRIMARY KEY,
	strand         TEXT NOT NULL,
	round          INTEGER NOT NULL,
	title          TEXT NOT NULL,
	opens_at       {{ts}} NOT NULL,
	closes_at      {{ts}} NOT NULL,
	envelope_code  TEXT NOT NULL REFERENCES envelopes (code),
	jury           TEXT NOT NULL,
	chair          TEXT NOT NULL,
	quorum         INTEGER NOT NULL,
	jury_opened_at {{ts}},
	created_by     TEXT NOT NULL,
	created_at     {{ts}} NOT NULL
);
CREATE UNIQUE INDEX calls_strand_round ON calls (strand, round);

ALTER TABLE dossiers ADD COLUMN call_id TEXT NOT NULL DEFAULT '';
CREATE INDEX dossiers_call ON dossiers (call_id, status);

ALTER TABLE tasks ADD COLUMN reminded_at {{ts}};
ALTER TABLE tasks ADD COLUMN escalated_at {{ts}};

-- The read model of a jury's work: one row per member and dossier.
CREATE TABLE jury_votes (
	dossier_id   TEXT NOT NULL REFERENCES dossiers (id),
	member       TEXT NOT NULL,
	vote         TEXT NOT NULL,
	amount_cents BIGINT NOT NULL DEFAULT 0,
	comment      TEXT NOT NULL DEFAULT '',
	at           {{ts}} NOT NULL,
	PRIMARY KEY (dossier_id, member)
);

-- Laureates the envelope could not cover yet, served in the jury's ranking order.
CREATE TABLE waiting_list (
	dossier_id    TEXT PRIMARY KEY REFERENCES dossiers (id),
	envelope_code TEXT NOT NULL REFERENCES envelopes (code),
	amount_cents  BIGINT NOT NULL CHECK (amount_cents > 0),
	score         INTEGER NOT NULL,
	decided_at    {{ts}} NOT NULL,
	funded_at     {{ts}}
);
CREATE INDEX waiting_list_order ON waiting_list (envelope_code, funded_at, score, decided_at);

-- The outbox of reminders and escalations: written once per step, then delivered.
CREATE TABLE notifications (
	id         {{id}},
	step_key   TEXT NOT NULL,
	dossier_id TEXT NOT NULL,
	task_id    TEXT NOT NULL DEFAULT '',
	recipient  TEXT NOT NULL,
	subject    TEXT NOT NULL,
	body       TEXT NOT NULL,
	status     TEXT NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0,
	claimed_at {{ts}},
	error      TEXT NOT NULL DEFAULT '',
	created_at {{ts}} NOT NULL,
	sent_at    {{ts}}
);
CREATE UNIQUE INDEX notifications_step ON notifications (step_key);
CREATE INDEX notifications_pending ON notifications (status, id);
