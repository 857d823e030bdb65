-- The change feed: one row per comment change (the same changes webhooks
-- announce), read by integrators in order with a cursor on (tx, seq).
-- SQLite has one writer at a time, so `seq` order is commit order and `tx`
-- stays 0.
CREATE TABLE comment_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tx BIGINT NOT NULL DEFAULT 0,
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
