-- Foundations: services, tickets with per-service numbers, comments,
-- history. Every primary key and unique index starts with service_id, so
-- that the schema can be sharded by service.

CREATE TABLE services (
    service_id  text PRIMARY KEY,
    settings    jsonb NOT NULL,
    version     bigint NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

--bun:split

-- One row per service; its row lock serialises number allocation, and a
-- rolled-back transaction rolls the counter back too: no gaps, no duplicates.
CREATE TABLE ticket_counters (
    service_id   text PRIMARY KEY REFERENCES services (service_id) ON DELETE CASCADE,
    last_number  bigint NOT NULL
);

--bun:split

-- No foreign key to services: the number comes from the service's counter
-- row, so a ticket of an unknown service fails on its NOT NULL number, and
-- the insert skips a key-share lock on the service row (hot under load).
CREATE TABLE tickets (
    service_id              text NOT NULL,
    id                      text NOT NULL,
    number                  bigint NOT NULL,
    version                 bigint NOT NULL,
    requester_name          text NOT NULL DEFAULT '',
    requester_email         text NOT NULL DEFAULT '',
    requester_phone         text NOT NULL DEFAULT '',
    title                   text NOT NULL,
    content                 text NOT NULL,
    channel                 text NOT NULL,
    language                text NOT NULL,
    status                  text NOT NULL,
    priority                text NOT NULL,
    intake_category_id      text NOT NULL DEFAULT '',
    processing_category_id  text NOT NULL DEFAULT '',
    group_id                text NOT NULL DEFAULT '',
    assignee_id             text NOT NULL DEFAULT '',
    tags                    text[],
    customer_fields         jsonb,
    agent_fields            jsonb,
    follow_up_of            text NOT NULL DEFAULT '',
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    solved_at               timestamptz,
    closed_at               timestamptz,
    PRIMARY KEY (service_id, id),
    UNIQUE (service_id, number)
);

--bun:split

-- List filters walk number DESC within one filter value.
CREATE INDEX tickets_status_idx ON tickets (service_id, status, number DESC);

--bun:split

CREATE INDEX tickets_assignee_idx ON tickets (service_id, assignee_id, number DESC) WHERE assignee_id <> '';

--bun:split

CREATE INDEX tickets_group_idx ON tickets (service_id, group_id, number DESC) WHERE group_id <> '';

--bun:split

CREATE INDEX tickets_intake_idx ON tickets (service_id, intake_category_id, number DESC) WHERE intake_category_id <> '';

--bun:split

CREATE INDEX tickets_processing_idx ON tickets (service_id, processing_category_id, number DESC) WHERE processing_category_id <> '';

--bun:split

-- Auto-close (TKT-2) reads each service's solved tickets, earliest solved
-- first.
CREATE INDEX tickets_solved_idx ON tickets (service_id, solved_at, number) WHERE status = 'solved';

--bun:split

CREATE INDEX tickets_requester_idx ON tickets (service_id, lower(requester_email), number DESC);

--bun:split

CREATE TABLE ticket_comments (
    service_id     text NOT NULL,
    id             text NOT NULL,
    ticket_id      text NOT NULL,
    kind           text NOT NULL,
    author_kind    text NOT NULL,
    author_id      text NOT NULL DEFAULT '',
    from_customer  boolean NOT NULL DEFAULT false,
    body           text NOT NULL,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (service_id, id),
    FOREIGN KEY (service_id, ticket_id) REFERENCES tickets (service_id, id) ON DELETE CASCADE
);

--bun:split

CREATE INDEX ticket_comments_ticket_idx ON ticket_comments (service_id, ticket_id, created_at, id);

--bun:split

CREATE TABLE ticket_changes (
    service_id   text NOT NULL,
    id           bigint GENERATED ALWAYS AS IDENTITY,
    ticket_id    text NOT NULL,
    at           timestamptz NOT NULL,
    actor_kind   text NOT NULL,
    actor_id     text NOT NULL DEFAULT '',
    event        text NOT NULL,
    field        text NOT NULL,
    from_value   text NOT NULL DEFAULT '',
    to_value     text NOT NULL DEFAULT '',
    PRIMARY KEY (service_id, id),
    FOREIGN KEY (service_id, ticket_id) REFERENCES tickets (service_id, id) ON DELETE CASCADE
);

--bun:split

CREATE INDEX ticket_changes_ticket_idx ON ticket_changes (service_id, ticket_id, id);

--bun:split

CREATE INDEX ticket_changes_at_idx ON ticket_changes (service_id, at, id);
