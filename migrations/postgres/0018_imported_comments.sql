-- Comments brought in by `majlis import`: which comment of which source
-- system each one was (so a second run recognises it and creates nothing),
-- and its place in the source's reply tree (the source id of the comment it
-- answered and of its thread), kept for when majlis stores replies.
CREATE TABLE imported_comments (
    site_key          TEXT NOT NULL,
    -- disqus | wordpress | isso | remark42
    source            TEXT NOT NULL,
    source_id         TEXT NOT NULL,
    comment_id        TEXT NOT NULL,
    source_parent_id  TEXT,
    source_thread_id  TEXT NOT NULL,
    imported_at       BIGINT NOT NULL,
    PRIMARY KEY (site_key, source, source_id)
);
CREATE INDEX imported_comments_comment ON imported_comments (comment_id);
CREATE INDEX imported_comments_parent ON imported_comments (site_key, source, source_parent_id);
