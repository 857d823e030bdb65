-- The change feed: one row per comment change (the same changes webhooks
-- announce), read by integrators in order with a cursor on (tx, seq).
-- Several instances write at once, so `seq` alone is not commit order: a
-- row is read only once every transaction older than the reader's snapshot
-- has ended (`tx` below the snapshot's xmin), and rows are ordered by the
-- writing transaction's id, then `seq`. A row that becomes readable later
-- always sorts after every row read before it, so none is skipped.
CREATE TABLE comment_changes (
    seq BIGSERIAL PRIMARY KEY,
    tx BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    site_key TEXT NOT NULL,
    comment_id TEXT NOT NULL,
    -- `comment.created`, `comment.published`, ... (the webhook event type).
    event_type TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX comment_changes_site ON comment_changes (site_key, tx, seq);
CREATE INDEX comment_changes_age ON comment_changes (created_at);

-- The reader feeds (Atom): a site's latest published comments, newest first.
CREATE INDEX comments_site_published ON comments (site_key, status, published_at);
