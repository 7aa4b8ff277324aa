-- Indexes of the read path at scale (EXPLAIN over 100,000 dossiers and 300,000 tasks): each
-- inbox and dossier list reads its page in its sort order from an index and stops at the
-- page's end, instead of sorting every matching row. The inbox's are partial, on the
-- tasks still to be done, so they stay small as closed tasks pile up; the query repeats
-- their predicate literally (store/tasks.go), as a bound parameter could not use them.
-- +goose Up
-- A task carries its dossier's département (which never changes), so that an inbox
-- filtered by département reads its own index instead of looking up every task's dossier.
ALTER TABLE tasks ADD COLUMN departement TEXT NOT NULL DEFAULT '';
UPDATE tasks SET departement = COALESCE((SELECT dossiers.departement FROM dossiers WHERE dossiers.id = tasks.dossier_id), '');
CREATE INDEX tasks_open_newest ON tasks (role, created_at, id) WHERE status IN ('open', 'claimed');
CREATE INDEX tasks_open_assignee_newest ON tasks (role, assignee, created_at, id) WHERE status IN ('open', 'claimed');
CREATE INDEX tasks_open_departement_newest ON tasks (role, departement, created_at, id) WHERE status IN ('open', 'claimed');
CREATE INDEX tasks_overdue_newest ON tasks (role, created_at, id) WHERE status IN ('open', 'claimed') AND escalated_at IS NOT NULL;
-- The dossier list pages by id within a call's and a région's dossiers, and within a
-- département's in a status.
CREATE INDEX dossiers_call_id ON dossiers (call_id, id);
CREATE INDEX dossiers_region ON dossiers (region, id);
CREATE INDEX dossiers_departement_status ON dossiers (departement, status, id);
