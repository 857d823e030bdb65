-- Featured comments (#18): when moderators selected a published comment to
-- show first under "selected by the editors"; NULL when not featured.
ALTER TABLE comments ADD COLUMN featured_at BIGINT;
CREATE INDEX comments_featured ON comments (article_id, featured_at);
