DROP TABLE IF EXISTS ticket_changes;
--bun:split
DROP TABLE IF EXISTS ticket_comments;
--bun:split
DROP TABLE IF EXISTS tickets;
--bun:split
DROP TABLE IF EXISTS ticket_counters;
--bun:split
DROP TABLE IF EXISTS services;
