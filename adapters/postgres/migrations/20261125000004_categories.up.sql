-- Categories (CAT-1..7): the intake and processing trees of each service.
-- Every primary key and unique index starts with service_id (so that the
-- schema can be sharded by service). The tables store rows as the category
-- package planned them: the tree rules (depth, cycles, names unique per
-- level, gap-free positions) are checked there, under the service's
-- "categories" area lock (a transaction-scoped advisory lock).

-- A category and the ids of its ancestors, root first (path): a level is
-- cardinality(path) + 1, "is under" is a scan of path and the path of names
-- is one join on it. Deleted categories stay (deleted = true) so their ids
-- are never reused and their names stay readable (CAT-5, CAT-7).
CREATE TABLE categories (
    service_id  text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    id          text NOT NULL,
    tree        text NOT NULL,
    parent_id   text NOT NULL DEFAULT '',
    path        text[] NOT NULL DEFAULT '{}',
    position    integer NOT NULL,
    name        jsonb NOT NULL,
    enabled     boolean NOT NULL DEFAULT true,
    deleted     boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (service_id, id)
);

--bun:split

-- The live tree of a service, and the children of a parent, by position.
CREATE INDEX categories_children_idx ON categories (service_id, tree, parent_id, position) WHERE NOT deleted;
