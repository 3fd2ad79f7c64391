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
DROP INDEX IF EXISTS agents_account_key;
--bun:split
ALTER TABLE agents
    DROP COLUMN IF EXISTS updated_at,
    DROP COLUMN IF EXISTS version,
    DROP COLUMN IF EXISTS extension,
    DROP COLUMN IF EXISTS cti_id,
    DROP COLUMN IF EXISTS toggles,
    DROP COLUMN IF EXISTS permissions,
    DROP COLUMN IF EXISTS account;
