-- Dashboard filters on a large archive: the author filter compares the
-- lower-cased address, so it gets an index on that expression (site,
-- address, newest first within it).
CREATE INDEX comments_author_lower ON comments (site_key, LOWER(author_email), created_at);
