-- Reader likes (#18): one like per reader address per comment, the address
-- kept only as its keyed hash. `comments.likes` is the count readers see,
-- kept in step with `comment_likes` in each like's transaction, so a list
-- read sums nothing. Likes are off per site until turned on.
CREATE TABLE comment_likes (
    comment_id  TEXT NOT NULL,
    ip_hash     TEXT NOT NULL,
    site_key    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (comment_id, ip_hash)
);
ALTER TABLE comments ADD COLUMN likes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sites ADD COLUMN likes_enabled BIGINT NOT NULL DEFAULT 0;
