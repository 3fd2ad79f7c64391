-- Fields (FLD-1..5): definitions and layouts. System fields are not seeded:
-- a definition row exists for each user field and for each system field an
-- admin changed (a reset deletes the row; the defaults live in the field
-- package). Every primary key starts with service_id (so that the schema
-- can be sharded by service).

CREATE TABLE field_definitions (
    service_id  text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    -- The key is the field's identity in ticket values; byte order, like
    -- the other stores. The primary key keeps it unique per service
    -- (a taken key is ErrConflict; the domain checks first).
    key         text COLLATE "C" NOT NULL,
    kind        text NOT NULL,
    type        text NOT NULL,
    system      boolean NOT NULL DEFAULT false,
    label       jsonb,
    help_text   jsonb,
    required    boolean NOT NULL DEFAULT false,
    options     jsonb,
    -- NULL for a system field (it was never created).
    created_at  timestamptz,
    updated_at  timestamptz,
    PRIMARY KEY (service_id, key)
);

--bun:split

-- Layouts: one agent layout per service (intake_category_id ''), customer
-- layouts per intake category ('' is the service's default). The intake
-- category id is opaque here: no foreign key to the category tables.
CREATE TABLE field_layouts (
    service_id          text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    kind                text NOT NULL,
    intake_category_id  text NOT NULL DEFAULT '',
    keys                text[] NOT NULL,
    PRIMARY KEY (service_id, kind, intake_category_id)
);
