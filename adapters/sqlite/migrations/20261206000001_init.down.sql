DROP TABLE IF EXISTS idempotency_keys;
--bun:split
DROP TABLE IF EXISTS triggers;
--bun:split
DROP TABLE IF EXISTS trigger_sets;
--bun:split
DROP TABLE IF EXISTS forbidden_words;
--bun:split
DROP TABLE IF EXISTS forbidden_word_lists;
--bun:split
DROP TABLE IF EXISTS reply_template_categories;
--bun:split
DROP TABLE IF EXISTS reply_templates;
--bun:split
DROP TABLE IF EXISTS field_layouts;
--bun:split
DROP TABLE IF EXISTS field_definitions;
--bun:split
DROP TABLE IF EXISTS categories;
--bun:split
DROP TABLE IF EXISTS surge_state;
--bun:split
DROP TABLE IF EXISTS notify_recipients;
--bun:split
DROP TABLE IF EXISTS outbox;
--bun:split
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
--bun:split
DROP TABLE IF EXISTS ticket_changes;
--bun:split
DROP TABLE IF EXISTS ticket_comments;
--bun:split
DROP TABLE IF EXISTS tickets;
--bun:split
DROP TABLE IF EXISTS services;
