-- A site's own wording of its posting rules, shown on the comment form
-- (empty: the built-in text in that language).
ALTER TABLE sites ADD COLUMN rules_text_ar TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN rules_text_en TEXT NOT NULL DEFAULT '';
