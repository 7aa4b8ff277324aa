-- A task belongs to the process that waits on it: a dossier's, or a campaign's (its
-- committee's tasks, whose dossier_id is the campaign's ID; models.TaskWorkflowID says
-- which workflow). The column keeps its name; it no longer references dossiers. SQLite
-- drops a foreign key only by rebuilding the table, with every index of it (as 00045 and
-- 00046 left them).
-- +goose Up
CREATE TABLE tasks_new (
	id           TEXT PRIMARY KEY,
	dossier_id   TEXT NOT NULL,
	type         TEXT NOT NULL,
	role         TEXT NOT NULL,
	scope        TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL,
	assignee     TEXT NOT NULL DEFAULT '',
	due_at       {{ts}},
	outcome      TEXT NOT NULL DEFAULT '',
	comment      TEXT NOT NULL DEFAULT '',
	data         TEXT NOT NULL DEFAULT '',
	closed_by    TEXT NOT NULL DEFAULT '',
	created_at   {{ts}} NOT NULL,
	closed_at    {{ts}},
	reminded_at  {{ts}},
	escalated_at {{ts}},
	departement  TEXT NOT NULL DEFAULT ''
);
INSERT INTO tasks_new (id, dossier_id, type, role, scope, status, assignee, due_at, outcome, comment, data, closed_by,
	created_at, closed_at, reminded_at, escalated_at, departement)
SELECT id, dossier_id, type, role, scope, status, assignee, due_at, outcome, comment, data, closed_by,
	created_at, closed_at, reminded_at, escalated_at, departement FROM tasks;
DROP TABLE tasks;
ALTER TABLE tasks_new RENAME TO tasks;
CREATE INDEX tasks_inbox ON tasks (status, role, scope, created_at);
CREATE INDEX tasks_dossier ON tasks (dossier_id);
CREATE INDEX tasks_open_due ON tasks (due_at, id) WHERE status IN ('open', 'claimed') AND due_at IS NOT NULL;
CREATE INDEX tasks_open_newest_due ON tasks (role, created_at, id, due_at, status) WHERE status IN ('open', 'claimed');
CREATE INDEX tasks_open_assignee_newest ON tasks (role, assignee, created_at, id) WHERE status IN ('open', 'claimed');
CREATE INDEX tasks_open_departement_newest ON tasks (role, departement, created_at, id) WHERE status IN ('open', 'claimed');
CREATE INDEX tasks_overdue_newest ON tasks (role, created_at, id) WHERE status IN ('open', 'claimed') AND escalated_at IS NOT NULL;
CREATE INDEX tasks_open_role_due ON tasks (role, COALESCE(due_at, '9999-12-31 00:00:00+00:00'), id) WHERE status IN ('open', 'claimed');
CREATE INDEX tasks_open_assignee_due ON tasks (role, assignee, COALESCE(due_at, '9999-12-31 00:00:00+00:00'), id) WHERE status IN ('open', 'claimed');
CREATE INDEX tasks_open_departement_due ON tasks (role, departement, COALESCE(due_at, '9999-12-31 00:00:00+00:00'), id) WHERE status IN ('open', 'claimed');
CREATE INDEX tasks_overdue_due ON tasks (role, COALESCE(due_at, '9999-12-31 00:00:00+00:00'), id) WHERE status IN ('open', 'claimed') AND escalated_at IS NOT NULL;
CREATE INDEX tasks_closed_by ON tasks (closed_by, closed_at, id);
