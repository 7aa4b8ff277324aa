-- The inbox filtered by due date and sorted newest first reads the due date from the
-- newest-first index rather than from each task's row (see the PostgreSQL version; SQLite
-- has no INCLUDE: the due date and the status are the index's last columns, as SQLite reads
-- from the index alone only the columns it holds, the predicate's included).
-- +goose Up
CREATE INDEX IF NOT EXISTS tasks_open_newest_due ON tasks (role, created_at, id, due_at, status) WHERE status IN ('open', 'claimed');
