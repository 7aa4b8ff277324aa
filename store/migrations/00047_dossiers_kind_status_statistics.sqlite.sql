-- PostgreSQL only (statistics on the pair kind, status of dossiers): SQLite's planner keeps
-- no such statistics, and its plans for these lists do not depend on them.
-- +goose Up
SELECT 1;
