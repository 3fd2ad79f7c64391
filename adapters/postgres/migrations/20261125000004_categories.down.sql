DROP TABLE IF EXISTS categories;
--bun:split
DROP TABLE IF EXISTS category_locks;
