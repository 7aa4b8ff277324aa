-- tasks_open_newest_due (00045) has the same key as tasks_open_newest and serves every
-- inbox sorted newest first: the older one only slowed every write to tasks.
-- +goose Up
DROP INDEX IF EXISTS tasks_open_newest;
