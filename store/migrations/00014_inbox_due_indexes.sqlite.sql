-- The inbox by due date sorts on the due date, with the tasks that have none last: the
-- expression store/tasks.go (dueKey) repeats, with the same literal (times are text, as the
-- driver writes them), so the index serves it.
-- +goose Up
CREATE INDEX tasks_open_role_due ON tasks (role, COALESCE(due_at, '9999-12-31 00:00:00+00:00'), id) WHERE status IN ('open', 'claimed');
CREATE INDEX tasks_open_assignee_due ON tasks (role, assignee, COALESCE(due_at, '9999-12-31 00:00:00+00:00'), id) WHERE status IN ('open', 'claimed');
CREATE INDEX tasks_open_departement_due ON tasks (role, departement, COALESCE(due_at, '9999-12-31 00:00:00+00:00'), id) WHERE status IN ('open', 'claimed');
CREATE INDEX tasks_overdue_due ON tasks (role, COALESCE(due_at, '9999-12-31 00:00:00+00:00'), id) WHERE status IN ('open', 'claimed') AND escalated_at IS NOT NULL;
