-- Received mail (MAIL-3, MAIL-10): one row per message a mailbox took in,
-- keyed by its Message-ID in that mailbox, with the ticket it went to. A
-- row outlives its ticket (no foreign key to tickets): it is the ticket's
-- tombstone, so mail still on the server is not imported again. seq orders
-- the service's rows as they were added: the store gives each new row one
-- more than the service's highest (the file has one writer).
CREATE TABLE mail_messages (
    service_id  text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    mailbox_id  text NOT NULL,
    message_id  text NOT NULL,
    seq         integer NOT NULL,
    ticket_id   text NOT NULL DEFAULT '',
    comment_id  text NOT NULL DEFAULT '',
    outcome     text NOT NULL,
    reason      text NOT NULL DEFAULT '',
    original    text NOT NULL DEFAULT '',
    received_at text NOT NULL,
    PRIMARY KEY (service_id, mailbox_id, message_id)
);

--bun:split

CREATE INDEX mail_messages_seq_idx ON mail_messages (service_id, seq);

--bun:split

CREATE INDEX mail_messages_id_idx ON mail_messages (service_id, message_id);

--bun:split

CREATE INDEX mail_messages_ticket_idx ON mail_messages (service_id, ticket_id, seq);

--bun:split

-- IMAP sync state per mailbox (MAIL-10): UIDVALIDITY and the last UID taken
-- in, the lease (one process syncs a mailbox at a time), the last outcome.
CREATE TABLE mail_sync (
    service_id   text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    mailbox_id   text NOT NULL,
    uid_validity integer NOT NULL DEFAULT 0,
    last_uid     integer NOT NULL DEFAULT 0,
    owner        text NOT NULL DEFAULT '',
    lease_until  text,
    last_sync_at text,
    last_error   text NOT NULL DEFAULT '',
    PRIMARY KEY (service_id, mailbox_id)
);

--bun:split

-- Inbound mailboxes (MAIL-1, MAIL-2): the representative address and, for
-- an external mailbox, its IMAP server. The secret is write-only for the
-- library's callers (masked when read back, SEC-1).
CREATE TABLE mail_mailboxes (
    service_id text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    mailbox_id text NOT NULL,
    address    text NOT NULL DEFAULT '',
    host       text NOT NULL DEFAULT '',
    port       integer NOT NULL DEFAULT 0,
    tls        text NOT NULL DEFAULT '',
    username   text NOT NULL DEFAULT '',
    secret     text NOT NULL DEFAULT '',
    folder     text NOT NULL DEFAULT '',
    enabled    integer NOT NULL DEFAULT 0,
    created_at text NOT NULL,
    updated_at text NOT NULL,
    PRIMARY KEY (service_id, mailbox_id)
);

--bun:split

-- Attachments of received mail (MAIL-8): metadata always, the content when
-- it was within the size limit (kept). Read back only within the service.
-- seq orders the service's rows as they were added, as in mail_messages.
CREATE TABLE mail_files (
    service_id   text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    file_id      text NOT NULL,
    seq          integer NOT NULL,
    ticket_id    text NOT NULL,
    comment_id   text NOT NULL DEFAULT '',
    mailbox_id   text NOT NULL DEFAULT '',
    message_id   text NOT NULL DEFAULT '',
    name         text NOT NULL DEFAULT '',
    content_type text NOT NULL DEFAULT '',
    size         integer NOT NULL,
    kept         integer NOT NULL,
    content      blob,
    created_at   text NOT NULL,
    PRIMARY KEY (service_id, file_id)
);

--bun:split

CREATE INDEX mail_files_seq_idx ON mail_files (service_id, seq);

--bun:split

CREATE INDEX mail_files_ticket_idx ON mail_files (service_id, ticket_id, seq);
