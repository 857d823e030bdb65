-- Reply notifications. A commenter may ask to hear of replies
-- (`notify_replies`, 0 by default). A reply published under such a comment
-- opens a notice, due at once or an hour after the last reply mail; when it
-- is due, one mail names every reply published since the last mail
-- (`reply_mailed_at` marks the replies already named), so a comment causes
-- at most one mail an hour.
ALTER TABLE comments ADD COLUMN notify_replies BIGINT NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN reply_mailed_at BIGINT;
CREATE INDEX comments_parent ON comments (parent_id, reply_mailed_at);
CREATE TABLE reply_notices (
    parent_id   TEXT PRIMARY KEY,
    site_key    TEXT NOT NULL,
    due_at      BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX reply_notices_due ON reply_notices (due_at);
