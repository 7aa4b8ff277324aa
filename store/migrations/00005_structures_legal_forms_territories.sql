-- The administrator's entries: the INSEE legal form, and a structure's territory as JSON.
-- +goose Up
ALTER TABLE collectivites ADD COLUMN legal_form TEXT NOT NULL DEFAULT '';
ALTER TABLE collectivites ADD COLUMN territory TEXT NOT NULL DEFAULT '';
