-- Audio version of a security code, rendered only when a reader asks for it.
ALTER TABLE captcha_challenges ADD COLUMN wav BLOB;
