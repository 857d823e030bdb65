-- The spam score and when the form asks for the security code (#14).
-- captcha_mode is 'always', 'when-suspicious' or 'off'; it takes over from
-- captcha_enabled (still written, as mode <> 'off', for older readers).
-- spam_threshold: the spam score at which a comment is held with spam
-- suggested (0 = never).
ALTER TABLE sites ADD COLUMN captcha_mode TEXT NOT NULL DEFAULT 'always';
UPDATE sites SET captcha_mode = 'off' WHERE captcha_enabled = 0;
ALTER TABLE sites ADD COLUMN spam_threshold BIGINT NOT NULL DEFAULT 6;
