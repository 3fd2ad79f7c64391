-- Categories (CAT-1..7): the intake and processing trees of each service.
-- Every primary key and unique index starts with service_id (DESIGN.md,
-- "Growing past one machine").

-- One row per service, made by the first category write. Every write to a
-- service's categories locks it first, so the checks a write makes (depth,
-- cycles, name clashes, sibling positions) cannot be raced by another
-- write of the same service.
CREATE TABLE category_locks (
    service_id  text PRIMARY KEY REFERENCES services (service_id) ON DELETE CASCADE
);

--bun:split

-- A category and the ids of its ancestors, root first (path): a level is
-- cardinality(path) + 1, "is under" is a scan of path and a subtree is the
-- rows whose path holds the id. Deleted categories stay (deleted = true) so
-- their ids are never reused and their names stay readable (CAT-5, CAT-7).
CREATE TABLE categories (
    service_id  text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    id          text NOT NULL,
    tree        text NOT NULL CHECK (tree IN ('intake', 'processing')),
    parent_id   text NOT NULL DEFAULT '',
    path        text[] NOT NULL DEFAULT '{}' CHECK (cardinality(path) < 5),
    position    integer NOT NULL,
    name        jsonb NOT NULL,
    enabled     boolean NOT NULL DEFAULT true,
    deleted     boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (service_id, id)
);

--bun:split

-- The live tree and the children of a parent, by position.
CREATE INDEX categories_children_idx ON categories (service_id, tree, parent_id, position) WHERE NOT deleted;

--bun:split

-- The names of the live categories, one row per language, keyed for the
-- uniqueness rule of CAT-3 (name_key is category.NameKey). A deleted
-- category's rows are removed: its name is free again. The constraint is
-- checked at the end of each statement, so moving a subtree (which shifts
-- the levels of all its rows at once) never trips over itself.
CREATE TABLE category_names (
    service_id   text NOT NULL,
    category_id  text NOT NULL,
    lang         text NOT NULL,
    tree         text NOT NULL,
    level        smallint NOT NULL,
    name_key     text NOT NULL,
    PRIMARY KEY (service_id, category_id, lang),
    FOREIGN KEY (service_id, category_id) REFERENCES categories (service_id, id) ON DELETE CASCADE,
    CONSTRAINT category_names_level_key UNIQUE (service_id, tree, level, lang, name_key) DEFERRABLE INITIALLY IMMEDIATE
);
