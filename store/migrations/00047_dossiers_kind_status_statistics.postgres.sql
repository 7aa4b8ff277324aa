-- A dossier's status says its kind (only calls for projects are in preselection, only the
-- guichet awaits payment...), but the planner takes the two columns as independent: for
-- an inbox filtered by kind and status it expected a seventh of the matching dossiers at
-- 10,000 dossiers, hashed every open task of the role with every matching dossier and
-- sorted them for each page (1,300 buffers a page), where walking the role's newest tasks
-- and looking up their dossiers reads 200. Statistics on the pair let it count them.
-- +goose Up
CREATE STATISTICS IF NOT EXISTS dossiers_kind_status (dependencies, mcv) ON kind, status FROM dossiers;
ANALYZE dossiers;
