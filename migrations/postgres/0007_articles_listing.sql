-- Listing a site's articles newest first (GET /api/v1/sites/{site}/articles).
CREATE INDEX articles_listing ON articles (site_key, created_at, article_key);
