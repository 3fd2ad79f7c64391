DROP TABLE IF EXISTS triggers;
--bun:split
DROP TABLE IF EXISTS trigger_sets;
