-- The administrator's list of stuck dossiers reads two work lists through partial indexes.
-- +goose Up
-- Open tasks by due date: the overdue ones first.
CREATE INDEX tasks_open_due ON tasks (due_at, id) WHERE status IN ('open', 'claimed') AND due_at IS NOT NULL;
-- Dossiers whose process should be running, in ID order for the batched check against Temporal.
CREATE INDEX dossiers_in_process ON dossiers (id) WHERE status NOT IN ('draft', 'refused', 'lapsed', 'paid', 'closed_without_action', 'withdrawn');
