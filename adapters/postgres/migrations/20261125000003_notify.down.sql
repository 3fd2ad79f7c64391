DROP INDEX IF EXISTS tickets_created_idx;
--bun:split
DROP TABLE IF EXISTS surge_state;
--bun:split
DROP TABLE IF EXISTS notify_recipients;
--bun:split
DROP TABLE IF EXISTS outbox;
