-- Replies (#18): a comment may answer a published comment of the same
-- article. `parent_id` is the comment answered; `thread_id` the top-level
-- comment the reply is shown under (replies to replies stay one level deep).
-- Both are NULL for a top-level comment.
ALTER TABLE comments ADD COLUMN parent_id TEXT;
ALTER TABLE comments ADD COLUMN thread_id TEXT;
CREATE INDEX comments_thread ON comments (thread_id, status, published_at, id);
