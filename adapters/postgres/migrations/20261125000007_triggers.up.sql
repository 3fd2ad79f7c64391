-- Triggers (TRG-1): ordered rules, each in one of two lists (active,
-- inactive) with positions 0..n-1. Every primary key and unique index
-- starts with service_id (so that the schema can be sharded by service).

-- One row per service, made by the first trigger lock or write: the
-- trigger set's version (a new random id on every change, so a set
-- compiled under it is never stale; '' until the first change) and the
-- lock (trigger.Repository.Lock) that serialises writes to the service's
-- triggers, so the positions they compute cannot be raced.
CREATE TABLE trigger_sets (
    service_id  text PRIMARY KEY REFERENCES services (service_id) ON DELETE CASCADE,
    version     text NOT NULL
);

--bun:split

-- Conditions and actions are stored as written (JSON of trigger.Condition
-- and trigger.Action); the engine validates and compiles them. Positions
-- are computed by package helpdesk; a list's positions are unique, checked
-- at the end of each statement, so a save that shifts or swaps many rows
-- at once never trips over itself; the constraint's index also serves
-- List.
CREATE TABLE triggers (
    service_id      text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    id              text NOT NULL,
    name            text NOT NULL,
    description     text NOT NULL DEFAULT '',
    all_conditions  jsonb NOT NULL DEFAULT '[]',
    any_conditions  jsonb NOT NULL DEFAULT '[]',
    actions         jsonb NOT NULL DEFAULT '[]',
    active          boolean NOT NULL,
    position        integer NOT NULL CHECK (position >= 0),
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (service_id, id),
    CONSTRAINT triggers_position_key UNIQUE (service_id, active, position) DEFERRABLE INITIALLY IMMEDIATE
);
