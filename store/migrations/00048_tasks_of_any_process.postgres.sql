-- A task belongs to the process that waits on it: a dossier's, or a campaign's (its
-- committee's tasks, whose dossier_id is the campaign's ID; models.TaskWorkflowID says
-- which workflow). The column keeps its name; it no longer references dossiers.
-- +goose Up
ALTER TABLE tasks DROP CONSTRAINT IF EXISTS tasks_dossier_id_fkey;
