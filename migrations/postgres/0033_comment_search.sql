-- Text search in the moderators' queue (#20): a trigram index (pg_trgm, a
-- trusted extension since PostgreSQL 13, so a database owner may create it)
-- over each comment's lower-cased title, body and author name joined by
-- U+001F, which serves the queue's `LIKE '%…%'` on that same expression.
-- A term without U+001F is inside the joined text exactly when it is inside
-- one of the three, so the results are those of the three `LIKE`s it
-- replaces (a term with U+001F keeps them, unindexed). One index rather than
-- one per column: on a million seeded comments a search read one set of
-- trigram lists instead of three (34 ms instead of 68 ms), and the planner
-- estimates one condition from the expression's own statistics, so a common
-- term still walks the tab in date order and stops at a page.
-- Which characters make trigrams follows the database's `LC_CTYPE`: under
-- `C.UTF-8` or a language locale Arabic letters do; under plain `C` they do
-- not, and an Arabic term then reads the whole index (still right, slower).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX comments_text_trgm ON comments
    USING gin (LOWER(title || E'\x1f' || body || E'\x1f' || author_name) gin_trgm_ops);
