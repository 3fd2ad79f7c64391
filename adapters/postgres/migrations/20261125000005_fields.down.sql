DROP TABLE IF EXISTS field_layouts;
--bun:split
DROP TABLE IF EXISTS field_definitions;
