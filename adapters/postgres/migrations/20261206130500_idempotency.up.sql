-- Idempotency keys (STO-3): the caller's key of a ticket creation or reply
-- and what that call made, kept for Config.IdempotencyTTL. The primary key
-- is the per-service uniqueness a concurrent call with the same key waits
-- on (INSERT ... ON CONFLICT DO NOTHING). No foreign key to the ticket or
-- comment: the key is stored first in its transaction, before them.
CREATE TABLE idempotency_keys (
    service_id  text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    key         text NOT NULL,
    call        text NOT NULL,
    ticket_id   text NOT NULL,
    comment_id  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (service_id, key)
);

--bun:split

CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (service_id, created_at);
