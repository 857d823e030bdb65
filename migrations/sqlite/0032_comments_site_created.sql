-- The near-duplicate check reads a site's latest comments (newest first, a
-- few hundred at most) on every submission. Without this index the query
-- read every comment of the site and sorted them, so a submission's cost grew
-- with the site's archive.
CREATE INDEX IF NOT EXISTS comments_site_created ON comments (site_key, created_at);
