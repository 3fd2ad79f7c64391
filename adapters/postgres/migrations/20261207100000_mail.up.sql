-- Received mail (MAIL-3, MAIL-10): one row per message a mailbox took in,
-- keyed by its Message-ID in that mailbox, with the ticket it went to. A
-- row outlives its ticket (no foreign key to tickets): it is the ticket's
-- tombstone, so mail still on the server is not imported again. seq orders
-- the rows as they were added.
CREATE TABLE mail_messages (
    service_id  text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    mailbox_id  text NOT NULL,
    message_id  text NOT NULL,
    seq         bigint GENERATED ALWAYS AS IDENTITY,
    ticket_id   text NOT NULL DEFAULT '',
    comment_id  text NOT NULL DEFAULT '',
    outcome     text NOT NULL,
    reason      text NOT NULL DEFAULT '',
    original    text NOT NULL DEFAULT '',
    received_at timestamptz NOT NULL,
    PRIMARY KEY (service_id, mailbox_id, message_id)
);

--bun:split

CREATE INDEX mail_messages_id_idx ON mail_messages (service_id, message_id);

--bun:split

CREATE INDEX mail_messages_ticket_idx ON mail_messages (service_id, ticket_id, seq);
