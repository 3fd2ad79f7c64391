-- Agents (AGT-1..8): the agent's account, permissions, toggles and phone
-- settings with an optimistic version; groups and their members; the login
-- log; menu access. Every primary key and unique index starts with
-- service_id (so that the schema can be sharded by service). The unique
-- indexes are the only uniqueness checks: the store maps their violation to
-- ErrConflict.

CREATE TABLE agents (
    service_id   text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    id           text NOT NULL,
    account      text NOT NULL DEFAULT '',
    name         text NOT NULL,
    email        text NOT NULL,
    role         text NOT NULL,
    active       boolean NOT NULL,
    permissions  jsonb NOT NULL DEFAULT '{}',
    toggles      jsonb NOT NULL DEFAULT '{}',
    cti_id       text NOT NULL DEFAULT '',
    extension    text NOT NULL DEFAULT '',
    version      bigint NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz,
    PRIMARY KEY (service_id, id)
);

--bun:split

CREATE UNIQUE INDEX agents_email_key ON agents (service_id, lower(email));

--bun:split

-- Accounts are the directory's ids, compared exactly; agents made without
-- a directory may have none.
CREATE UNIQUE INDEX agents_account_key ON agents (service_id, account) WHERE account <> '';

--bun:split

-- One row per service, made by the first group write or membership. It
-- holds the last Membership.Seq handed out (they increase and are never
-- reused; a rolled-back join gives its number back), and its row lock is
-- the service's group lock (GroupRepository.Lock): writers of positions
-- take it before they read the groups.
CREATE TABLE agent_counters (
    service_id       text PRIMARY KEY REFERENCES services (service_id) ON DELETE CASCADE,
    last_member_seq  bigint NOT NULL DEFAULT 0
);

--bun:split

CREATE TABLE agent_groups (
    service_id      text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    id              text NOT NULL,
    name            text NOT NULL,
    -- The display order, computed by the caller (0, 1, 2 ... without gaps).
    position        integer NOT NULL,
    strategy        text NOT NULL,
    fixed_agent_id  text NOT NULL DEFAULT '',
    -- Round robin: the Seq of the member picked last (0: none yet),
    -- advanced by one UPDATE, whose row lock makes assignments to one
    -- group queue.
    rr_cursor       bigint NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (service_id, id)
);

--bun:split

CREATE UNIQUE INDEX agent_groups_name_key ON agent_groups (service_id, lower(name));

--bun:split

CREATE TABLE agent_group_members (
    service_id  text NOT NULL,
    group_id    text NOT NULL,
    agent_id    text NOT NULL,
    seq         bigint NOT NULL,
    joined_at   timestamptz NOT NULL,
    PRIMARY KEY (service_id, group_id, agent_id),
    FOREIGN KEY (service_id, group_id) REFERENCES agent_groups (service_id, id) ON DELETE CASCADE,
    FOREIGN KEY (service_id, agent_id) REFERENCES agents (service_id, id) ON DELETE CASCADE
);

--bun:split

-- Members in join order; GroupsOf goes by agent.
CREATE INDEX agent_group_members_seq_idx ON agent_group_members (service_id, group_id, seq);

--bun:split

CREATE INDEX agent_group_members_agent_idx ON agent_group_members (service_id, agent_id);

--bun:split

-- The login log (AGT-7), read newest first by (at, id); id sorts in byte
-- order like the other stores.
CREATE TABLE login_log (
    service_id  text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    id          text COLLATE "C" NOT NULL,
    agent_id    text NOT NULL,
    kind        text NOT NULL,
    at          timestamptz NOT NULL,
    address     text NOT NULL DEFAULT '',
    user_agent  text NOT NULL DEFAULT '',
    PRIMARY KEY (service_id, id)
);

--bun:split

CREATE INDEX login_log_at_idx ON login_log (service_id, at DESC, id DESC);

--bun:split

CREATE INDEX login_log_agent_idx ON login_log (service_id, agent_id, at DESC, id DESC);

--bun:split

-- Menu access (AGT-8); a menu without a row allows everybody.
CREATE TABLE menu_access (
    service_id  text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    menu        text NOT NULL,
    partial     boolean NOT NULL DEFAULT false,
    restricted  text[],
    PRIMARY KEY (service_id, menu)
);
