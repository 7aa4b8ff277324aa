-- The administrator's table of people: the roles and scopes each person signs in with,
-- whatever their identity provider claims, or none when no longer active.
-- +goose Up
CREATE TABLE people (
	subject      TEXT PRIMARY KEY,
	name         TEXT NOT NULL,
	roles        TEXT NOT NULL,
	siren        TEXT NOT NULL DEFAULT '',
	departements TEXT NOT NULL DEFAULT '[]',
	regions      TEXT NOT NULL DEFAULT '[]',
	active       BOOLEAN NOT NULL,
	updated_by   TEXT NOT NULL,
	updated_at   {{ts}} NOT NULL
);

-- An inbox's "traités" tab pages through the tasks a person completed, latest first.
CREATE INDEX tasks_closed_by ON tasks (closed_by, closed_at, id);
