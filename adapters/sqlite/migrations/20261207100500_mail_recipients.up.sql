-- Automatic-mail state per recipient address (MAIL-9): the recent sends
-- the rate limits count, and the block a permanent bounce sets.
CREATE TABLE mail_recipients (
    service_id    text NOT NULL REFERENCES services (service_id) ON DELETE CASCADE,
    address       text NOT NULL,
    sent          text NOT NULL DEFAULT '[]',
    blocked_until text,
    block_reason  text NOT NULL DEFAULT '',
    PRIMARY KEY (service_id, address)
);
