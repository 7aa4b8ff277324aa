-- PostgreSQL only (an index by due day for the inbox due before a date, sorted newest):
-- SQLite, the embedded default for small deployments, keeps walking tasks_open_newest_due.
-- +goose Up
SELECT 1;
