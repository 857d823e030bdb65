-- Text search in the moderators' queue (#20): trigram indexes (pg_trgm, a
-- trusted extension since PostgreSQL 13, so a database owner may create it)
-- over the lower-cased title, body and author name, which serve the
-- queue's `LOWER(…) LIKE '%…%'` conditions as they are written (a bitmap
-- OR of the three). Without them every search read the site's whole tab.
-- Which characters make trigrams follows the database's `LC_CTYPE`: under
-- `C.UTF-8` or a language locale Arabic letters do; under plain `C` they do
-- not, and an Arabic term then reads the whole index (still right, slower).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX comments_title_trgm ON comments USING gin (LOWER(title) gin_trgm_ops);
CREATE INDEX comments_body_trgm ON comments USING gin (LOWER(body) gin_trgm_ops);
CREATE INDEX comments_author_name_trgm ON comments USING gin (LOWER(author_name) gin_trgm_ops);
