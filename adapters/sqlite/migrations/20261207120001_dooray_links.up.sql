-- Ticket <-> Dooray! task links (DRY-2): one task per ticket, one ticket
-- per task; the post id is looked up when Dooray! calls the project hook.
CREATE TABLE dooray_links (
    service_id  text NOT NULL,
    ticket_id   text NOT NULL,
    project_id  text NOT NULL,
    post_id     text NOT NULL,
    created_at  text NOT NULL,
    PRIMARY KEY (service_id, ticket_id),
    FOREIGN KEY (service_id, ticket_id) REFERENCES tickets (service_id, id) ON DELETE CASCADE
);

--bun:split

CREATE UNIQUE INDEX dooray_links_post_idx ON dooray_links (service_id, post_id);
