-- Notifications (NTF-1..4): the outbox, external recipients, surge-alert
-- state, and the index surge counting reads. Every primary key and unique
-- index starts with service_id (so that the schema can be sharded by
-- service).

-- The outbox (NTF-1). No foreign key to services, as for tickets: messages
-- are written with ticket changes, and the key-share lock a foreign key
-- takes on the service row would be hot under load. id has the "C"
-- collation so ties on created_at (List) and next_attempt_at (Claim) break
-- in byte order, as in the other stores. A claim sets claimed_by and
-- lease_until; lease_until IS NULL means no lease.
CREATE TABLE outbox (
    service_id         text NOT NULL,
    id                 text COLLATE "C" NOT NULL,
    medium             text NOT NULL,
    recipient          text NOT NULL,
    payload            jsonb NOT NULL,
    idempotency_key    text NOT NULL,
    source_kind        text NOT NULL DEFAULT '',
    source_ticket_id   text NOT NULL DEFAULT '',
    source_trigger_id  text NOT NULL DEFAULT '',
    state              text NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts           integer NOT NULL DEFAULT 0,
    next_attempt_at    timestamptz NOT NULL,
    last_error         text NOT NULL DEFAULT '',
    claimed_by         text NOT NULL DEFAULT '',
    lease_until        timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    sent_at            timestamptz,
    PRIMARY KEY (service_id, id)
);

--bun:split

-- Enqueue skips a key the service already has (ON CONFLICT DO NOTHING).
CREATE UNIQUE INDEX outbox_idempotency_key ON outbox (service_id, idempotency_key);

--bun:split

-- List walks (created_at, id) downwards, with or without a state.
CREATE INDEX outbox_created_idx ON outbox (service_id, created_at DESC, id DESC);

--bun:split

CREATE INDEX outbox_state_idx ON outbox (service_id, state, created_at DESC, id DESC);

--bun:split

-- Claim walks the pending messages of every service, oldest due first
-- (… ORDER BY next_attempt_at, id … FOR UPDATE SKIP LOCKED). The rule that
-- every index starts with service_id is for primary keys and unique
-- indexes, which sharding by tenant must be able to enforce per shard; this
-- one is neither, and leading with service_id would defeat the
-- cross-service order. On Citus each shard keeps its own part of it.
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, id) WHERE state = 'pending';

--bun:split

-- External recipients (NTF-3).
CREATE TABLE notify_recipients (
    service_id       text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    id               text NOT NULL,
    name             text NOT NULL,
    email            text NOT NULL DEFAULT '',
    phone            text NOT NULL DEFAULT '',
    dooray_hook_url  text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (service_id, id)
);

--bun:split

-- Surge alerts (NTF-2): one row per service, made by the first check. Its
-- row lock (SELECT … FOR UPDATE) makes concurrent ticket creations decide
-- one after another; last_alert_at IS NULL means no alert yet.
CREATE TABLE surge_state (
    service_id     text PRIMARY KEY REFERENCES services (service_id) ON DELETE CASCADE,
    last_alert_at  timestamptz
);

--bun:split

-- Surge alerts count the tickets created in a window.
CREATE INDEX tickets_created_idx ON tickets (service_id, created_at);
