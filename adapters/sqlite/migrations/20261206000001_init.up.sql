-- The whole schema of the SQLite store, table for table the PostgreSQL
-- store's (adapters/postgres/migrations), in SQLite's types: text for
-- ids and texts, integer for numbers and booleans, JSON text for lists
-- and maps, and times as fixed-width UTC text ("2006-01-02
-- 15:04:05.000000+00:00"), which sorts as the times do. Every primary key
-- and unique index starts with service_id. Text compares in byte order
-- (SQLite's BINARY collation), as in the other stores; case-insensitive
-- keys are stored lowered by the store (the *_key columns), so they fold
-- exactly as Go's strings.ToLower does in the memory store.

CREATE TABLE services (
    service_id  text PRIMARY KEY,
    settings    text NOT NULL,
    version     integer NOT NULL,
    created_at  text NOT NULL,
    updated_at  text NOT NULL
);

--bun:split

-- A ticket's number is one more than the service's highest, taken by the
-- file's one writer (no counter row to write): no gaps, no duplicates,
-- and a rolled-back transaction gives its number back.
CREATE TABLE tickets (
    service_id              text NOT NULL,
    id                      text NOT NULL,
    number                  integer NOT NULL,
    version                 integer NOT NULL,
    requester_name          text NOT NULL DEFAULT '',
    requester_email         text NOT NULL DEFAULT '',
    requester_email_key     text NOT NULL DEFAULT '',
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
    tags                    text,
    customer_fields         text,
    agent_fields            text,
    follow_up_of            text NOT NULL DEFAULT '',
    created_at              text NOT NULL,
    updated_at              text NOT NULL,
    solved_at               text,
    closed_at               text,
    PRIMARY KEY (service_id, id),
    UNIQUE (service_id, number)
);

--bun:split

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

CREATE INDEX tickets_solved_idx ON tickets (service_id, solved_at, number) WHERE status = 'solved';

--bun:split

CREATE INDEX tickets_requester_idx ON tickets (service_id, requester_email_key, number DESC);

--bun:split

CREATE INDEX tickets_created_idx ON tickets (service_id, created_at);

--bun:split

CREATE TABLE ticket_comments (
    service_id     text NOT NULL,
    id             text NOT NULL,
    ticket_id      text NOT NULL,
    kind           text NOT NULL,
    author_kind    text NOT NULL,
    author_id      text NOT NULL DEFAULT '',
    from_customer  integer NOT NULL DEFAULT 0,
    body           text NOT NULL,
    created_at     text NOT NULL,
    PRIMARY KEY (service_id, id),
    FOREIGN KEY (service_id, ticket_id) REFERENCES tickets (service_id, id) ON DELETE CASCADE
);

--bun:split

CREATE INDEX ticket_comments_ticket_idx ON ticket_comments (service_id, ticket_id, created_at, id);

--bun:split

-- History rows; the rowid is the id, increasing and never reused
-- (AUTOINCREMENT), as the other stores' ids are.
CREATE TABLE ticket_changes (
    id           integer PRIMARY KEY AUTOINCREMENT,
    service_id   text NOT NULL,
    ticket_id    text NOT NULL,
    at           text NOT NULL,
    actor_kind   text NOT NULL,
    actor_id     text NOT NULL DEFAULT '',
    event        text NOT NULL,
    field        text NOT NULL,
    from_value   text NOT NULL DEFAULT '',
    to_value     text NOT NULL DEFAULT '',
    FOREIGN KEY (service_id, ticket_id) REFERENCES tickets (service_id, id) ON DELETE CASCADE
);

--bun:split

CREATE INDEX ticket_changes_ticket_idx ON ticket_changes (service_id, ticket_id, id);

--bun:split

CREATE INDEX ticket_changes_at_idx ON ticket_changes (service_id, at, id);

--bun:split

CREATE TABLE idempotency_keys (
    service_id  text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    key         text NOT NULL,
    call        text NOT NULL,
    ticket_id   text NOT NULL,
    comment_id  text NOT NULL DEFAULT '',
    created_at  text NOT NULL,
    PRIMARY KEY (service_id, key)
);

--bun:split

CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (service_id, created_at);

--bun:split

CREATE TABLE agents (
    service_id   text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    id           text NOT NULL,
    account      text NOT NULL DEFAULT '',
    name         text NOT NULL,
    email        text NOT NULL,
    email_key    text NOT NULL,
    role         text NOT NULL,
    active       integer NOT NULL,
    permissions  text NOT NULL DEFAULT '{}',
    toggles      text NOT NULL DEFAULT '{}',
    cti_id       text NOT NULL DEFAULT '',
    extension    text NOT NULL DEFAULT '',
    version      integer NOT NULL,
    created_at   text NOT NULL,
    updated_at   text,
    PRIMARY KEY (service_id, id)
);

--bun:split

CREATE UNIQUE INDEX agents_email_key ON agents (service_id, email_key);

--bun:split

CREATE UNIQUE INDEX agents_account_key ON agents (service_id, account) WHERE account <> '';

--bun:split

CREATE TABLE agent_counters (
    service_id       text PRIMARY KEY REFERENCES services (service_id) ON DELETE CASCADE,
    last_member_seq  integer NOT NULL DEFAULT 0
);

--bun:split

CREATE TABLE agent_groups (
    service_id      text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    id              text NOT NULL,
    name            text NOT NULL,
    name_key        text NOT NULL,
    position        integer NOT NULL,
    strategy        text NOT NULL,
    fixed_agent_id  text NOT NULL DEFAULT '',
    rr_cursor       integer NOT NULL DEFAULT 0,
    created_at      text NOT NULL,
    PRIMARY KEY (service_id, id)
);

--bun:split

CREATE UNIQUE INDEX agent_groups_name_key ON agent_groups (service_id, name_key);

--bun:split

CREATE TABLE agent_group_members (
    service_id  text NOT NULL,
    group_id    text NOT NULL,
    agent_id    text NOT NULL,
    seq         integer NOT NULL,
    joined_at   text NOT NULL,
    PRIMARY KEY (service_id, group_id, agent_id),
    FOREIGN KEY (service_id, group_id) REFERENCES agent_groups (service_id, id) ON DELETE CASCADE,
    FOREIGN KEY (service_id, agent_id) REFERENCES agents (service_id, id) ON DELETE CASCADE
);

--bun:split

CREATE INDEX agent_group_members_seq_idx ON agent_group_members (service_id, group_id, seq);

--bun:split

CREATE INDEX agent_group_members_agent_idx ON agent_group_members (service_id, agent_id);

--bun:split

CREATE TABLE login_log (
    service_id  text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    id          text NOT NULL,
    agent_id    text NOT NULL,
    kind        text NOT NULL,
    at          text NOT NULL,
    address     text NOT NULL DEFAULT '',
    user_agent  text NOT NULL DEFAULT '',
    PRIMARY KEY (service_id, id)
);

--bun:split

CREATE INDEX login_log_at_idx ON login_log (service_id, at DESC, id DESC);

--bun:split

CREATE INDEX login_log_agent_idx ON login_log (service_id, agent_id, at DESC, id DESC);

--bun:split

CREATE TABLE menu_access (
    service_id  text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    menu        text NOT NULL,
    partial     integer NOT NULL DEFAULT 0,
    restricted  text,
    PRIMARY KEY (service_id, menu)
);

--bun:split

-- The outbox (NTF-1). A claim sets claimed_by and lease_until; NULL
-- lease_until means no lease. Claims are write transactions, which SQLite
-- runs one at a time, so two claimers never take the same row.
CREATE TABLE outbox (
    service_id         text NOT NULL,
    id                 text NOT NULL,
    medium             text NOT NULL,
    recipient          text NOT NULL,
    payload            text NOT NULL,
    idempotency_key    text NOT NULL,
    source_kind        text NOT NULL DEFAULT '',
    source_ticket_id   text NOT NULL DEFAULT '',
    source_trigger_id  text NOT NULL DEFAULT '',
    state              text NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts           integer NOT NULL DEFAULT 0,
    next_attempt_at    text NOT NULL,
    last_error         text NOT NULL DEFAULT '',
    claimed_by         text NOT NULL DEFAULT '',
    lease_until        text,
    created_at         text NOT NULL,
    updated_at         text NOT NULL,
    sent_at            text,
    PRIMARY KEY (service_id, id)
);

--bun:split

CREATE UNIQUE INDEX outbox_idempotency_key ON outbox (service_id, idempotency_key);

--bun:split

CREATE INDEX outbox_created_idx ON outbox (service_id, created_at DESC, id DESC);

--bun:split

CREATE INDEX outbox_state_idx ON outbox (service_id, state, created_at DESC, id DESC);

--bun:split

CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, id) WHERE state = 'pending';

--bun:split

CREATE TABLE notify_recipients (
    service_id       text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    id               text NOT NULL,
    name             text NOT NULL,
    email            text NOT NULL DEFAULT '',
    phone            text NOT NULL DEFAULT '',
    dooray_hook_url  text NOT NULL DEFAULT '',
    created_at       text NOT NULL,
    updated_at       text NOT NULL,
    PRIMARY KEY (service_id, id)
);

--bun:split

CREATE TABLE surge_state (
    service_id     text PRIMARY KEY REFERENCES services (service_id) ON DELETE CASCADE,
    last_alert_at  text
);

--bun:split

-- Categories (CAT-1..7); path is a JSON array of the ancestors' ids, root
-- first. Deleted categories stay (deleted = 1).
CREATE TABLE categories (
    service_id  text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    id          text NOT NULL,
    tree        text NOT NULL,
    parent_id   text NOT NULL DEFAULT '',
    path        text NOT NULL DEFAULT '[]',
    position    integer NOT NULL,
    name        text NOT NULL,
    enabled     integer NOT NULL DEFAULT 1,
    deleted     integer NOT NULL DEFAULT 0,
    created_at  text NOT NULL,
    updated_at  text NOT NULL,
    PRIMARY KEY (service_id, id)
);

--bun:split

CREATE INDEX categories_children_idx ON categories (service_id, tree, parent_id, position) WHERE NOT deleted;

--bun:split

CREATE TABLE field_definitions (
    service_id  text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    key         text NOT NULL,
    kind        text NOT NULL,
    type        text NOT NULL,
    system      integer NOT NULL DEFAULT 0,
    label       text,
    help_text   text,
    required    integer NOT NULL DEFAULT 0,
    options     text,
    created_at  text,
    updated_at  text,
    PRIMARY KEY (service_id, key)
);

--bun:split

CREATE TABLE field_layouts (
    service_id          text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    kind                text NOT NULL,
    intake_category_id  text NOT NULL DEFAULT '',
    keys                text NOT NULL,
    PRIMARY KEY (service_id, kind, intake_category_id)
);

--bun:split

CREATE TABLE reply_templates (
    service_id   text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    id           text NOT NULL,
    title        text NOT NULL,
    content      text NOT NULL,
    code         text NOT NULL,
    code_key     text NOT NULL,
    search_text  text NOT NULL,
    created_at   text NOT NULL,
    updated_at   text NOT NULL,
    PRIMARY KEY (service_id, id)
);

--bun:split

CREATE UNIQUE INDEX reply_templates_code_key ON reply_templates (service_id, code_key);

--bun:split

CREATE TABLE reply_template_categories (
    service_id   text NOT NULL,
    template_id  text NOT NULL,
    category_id  text NOT NULL,
    PRIMARY KEY (service_id, template_id, category_id),
    FOREIGN KEY (service_id, template_id) REFERENCES reply_templates (service_id, id) ON DELETE CASCADE
);

--bun:split

CREATE INDEX reply_template_categories_category_idx ON reply_template_categories (service_id, category_id);

--bun:split

CREATE TABLE forbidden_word_lists (
    service_id  text PRIMARY KEY REFERENCES services (service_id) ON DELETE CASCADE,
    version     text NOT NULL
);

--bun:split

CREATE TABLE forbidden_words (
    service_id  text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    id          text NOT NULL,
    word        text NOT NULL,
    folded      text NOT NULL,
    created_at  text NOT NULL,
    PRIMARY KEY (service_id, id)
);

--bun:split

CREATE UNIQUE INDEX forbidden_words_folded_key ON forbidden_words (service_id, folded);

--bun:split

CREATE TABLE trigger_sets (
    service_id  text PRIMARY KEY REFERENCES services (service_id) ON DELETE CASCADE,
    version     text NOT NULL
);

--bun:split

-- Triggers (TRG-1): positions 0..n-1 per list. SQLite checks a unique
-- index row by row, so Save moves the rows it writes out of the way first.
CREATE TABLE triggers (
    service_id      text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    id              text NOT NULL,
    name            text NOT NULL,
    description     text NOT NULL DEFAULT '',
    all_conditions  text NOT NULL DEFAULT '[]',
    any_conditions  text NOT NULL DEFAULT '[]',
    actions         text NOT NULL DEFAULT '[]',
    active          integer NOT NULL,
    position        integer NOT NULL,
    created_at      text NOT NULL,
    updated_at      text NOT NULL,
    PRIMARY KEY (service_id, id)
);

--bun:split

CREATE UNIQUE INDEX triggers_position_key ON triggers (service_id, active, position);
