DROP TABLE IF EXISTS menu_access;
--bun:split
DROP TABLE IF EXISTS login_log;
--bun:split
DROP TABLE IF EXISTS agent_group_members;
--bun:split
DROP TABLE IF EXISTS agent_groups;
--bun:split
DROP TABLE IF EXISTS agent_counters;
--bun:split
DROP TABLE IF EXISTS agents;
