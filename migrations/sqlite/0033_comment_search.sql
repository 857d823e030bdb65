-- Text search in the moderators' queue (#20): a trigram index over each
-- comment's title, body and author name, so a search term of three or more
-- characters reads the comments that contain all of its three-character
-- runs instead of every comment of the site (a `LIKE '%…%'` scan took
-- 516 ms at a million comments).
--
-- External content: the index keeps no copy of the text, only which
-- comments contain which trigrams (`detail = none`: no positions; on a
-- million seeded comments it added 87 MB to a 676 MB file, a positional
-- index 450 MB, and took 16 s to build instead of 39 s; the query
-- checks every hit against the text with the same `LIKE` as before, so the
-- results do not change). The trigram tokenizer folds case. Its rows are
-- keyed by the comments' rowid, which `VACUUM` and `VACUUM INTO` (backups)
-- keep; a migration that ever rebuilds `comments` must end with the
-- `rebuild` below.
CREATE VIRTUAL TABLE comments_search USING fts5(
    title, body, author_name,
    content = 'comments', content_rowid = 'rowid',
    tokenize = 'trigram', detail = none
);
INSERT INTO comments_search (comments_search) VALUES ('rebuild');

-- Kept current by the database itself, whichever path writes a comment:
-- submission, import, seeding, a moderator's edit, a privacy erasure.
CREATE TRIGGER comments_search_insert AFTER INSERT ON comments BEGIN
    INSERT INTO comments_search (rowid, title, body, author_name)
    VALUES (new.rowid, new.title, new.body, new.author_name);
END;

CREATE TRIGGER comments_search_delete AFTER DELETE ON comments BEGIN
    INSERT INTO comments_search (comments_search, rowid, title, body, author_name)
    VALUES ('delete', old.rowid, old.title, old.body, old.author_name);
END;

CREATE TRIGGER comments_search_update AFTER UPDATE OF title, body, author_name ON comments
WHEN old.title IS NOT new.title OR old.body IS NOT new.body
    OR old.author_name IS NOT new.author_name
BEGIN
    INSERT INTO comments_search (comments_search, rowid, title, body, author_name)
    VALUES ('delete', old.rowid, old.title, old.body, old.author_name);
    INSERT INTO comments_search (rowid, title, body, author_name)
    VALUES (new.rowid, new.title, new.body, new.author_name);
END;
