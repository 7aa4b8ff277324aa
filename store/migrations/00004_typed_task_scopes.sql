-- Scopes name their kind: an applicant task's bare SIREN becomes collectivite:<SIREN>.
-- +goose Up
UPDATE tasks SET scope = 'collectivite:' || scope WHERE role = 'applicant' AND scope <> '' AND scope NOT LIKE '%:%';
