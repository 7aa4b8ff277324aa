package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// migration is one versioned schema change. Its SQL is written once for both
// SQLite and PostgreSQL: {{id}} and {{ts}} stand for the types that differ.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations are applied in order, each once. Never edit one that has shipped: add another.
var migrations = []migration{
	{1, "registry, envelopes and ledger", `
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
`},
	{2, "dossiers, tasks and audit trail", `
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
`},
	{3, "calls for projects, juries, waiting lists, task deadlines, notifications", `
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
`},
	{4, "dossiers record their process's start; idempotency keys remember their request", `
ALTER TABLE dossiers ADD COLUMN process_started_at {{ts}};
-- A dossier past "submitted" was moved by its workflow. One still "submitted" is checked
-- by the reconciler, which finds or starts its workflow.
UPDATE dossiers SET process_started_at = updated_at WHERE status NOT IN ('draft', 'submitted');
-- The reconciler's work list: only rows whose process is not known to run.
CREATE INDEX dossiers_unstarted ON dossiers (updated_at) WHERE process_started_at IS NULL AND status <> 'draft';

ALTER TABLE idempotency_keys ADD COLUMN request_hash TEXT NOT NULL DEFAULT '';
`},
}

// Migrate applies every migration not yet applied, each in its own transaction.
func (s *Store) Migrate(ctx context.Context) error {
	db := s.db.WithContext(ctx)
	if err := db.Exec(s.dialectSQL(`CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at {{ts}} NOT NULL)`)).Error; err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range migrations {
		err := db.Transaction(func(tx *gorm.DB) error {
			var n int64
			if err := tx.Table("schema_migrations").Where("version = ?", m.version).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range strings.Split(s.dialectSQL(m.sql), ";") {
				if strings.TrimSpace(stripComments(stmt)) == "" {
					continue
				}
				if err := tx.Exec(stmt).Error; err != nil {
					return err
				}
			}
			return tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.version, m.name, time.Now().UTC()).Error
		})
		if err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}

func (s *Store) dialectSQL(sql string) string {
	id, ts := "BIGSERIAL PRIMARY KEY", "TIMESTAMPTZ"
	if s.sqlite {
		id, ts = "INTEGER PRIMARY KEY AUTOINCREMENT", "TIMESTAMP"
	}
	return strings.NewReplacer("{{id}}", id, "{{ts}}", ts).Replace(sql)
}

func stripComments(stmt string) string {
	var b strings.Builder
	for line := range strings.SplitSeq(stmt, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			b.WriteString(line)
		}
	}
	return b.String()
}
