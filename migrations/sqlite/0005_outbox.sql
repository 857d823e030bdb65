-- Email: a transactional outbox (rows written in the same transaction as the
-- event that causes them, delivered by a background worker with retries),
-- single-use decision links, unsubscribes, digest bookkeeping and per-site
-- email settings.

CREATE TABLE email_outbox (
    id               TEXT PRIMARY KEY,
    site_key         TEXT NOT NULL,
    -- moderator_alert | moderator_digest | comment_published | comment_rejected
    kind             TEXT NOT NULL,
    comment_id       TEXT,
    to_addr          TEXT NOT NULL,
    to_name          TEXT NOT NULL DEFAULT '',
    from_name        TEXT NOT NULL DEFAULT '',
    lang             TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body_text        TEXT NOT NULL,
    body_html        TEXT NOT NULL,
    unsubscribe_url  TEXT,
    -- pending | sent | failed | logged (no SMTP configured)
    status           TEXT NOT NULL DEFAULT 'pending',
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    lease_until      BIGINT,
    lease_owner      TEXT,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    sent_at          BIGINT
);
CREATE INDEX email_outbox_due ON email_outbox (status, next_attempt_at);
CREATE INDEX email_outbox_site ON email_outbox (site_key, status, created_at);

-- Decision links already used (one row per link, written in the decision's transaction).
CREATE TABLE email_link_uses (
    link_id       TEXT PRIMARY KEY,
    moderator_id  TEXT NOT NULL,
    comment_id    TEXT NOT NULL,
    action        TEXT NOT NULL,
    used_at       BIGINT NOT NULL
);

-- Pending comments already included in a moderator digest.
CREATE TABLE email_digested (
    comment_id   TEXT PRIMARY KEY,
    site_key     TEXT NOT NULL,
    digested_at  BIGINT NOT NULL
);

CREATE TABLE email_unsubscribes (
    site_key    TEXT NOT NULL,
    email       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (site_key, email)
);

-- Per-site email settings; a site without a row uses the defaults below.
CREATE TABLE site_email_settings (
    site_key          TEXT PRIMARY KEY REFERENCES sites(site_key),
    from_name         TEXT,
    moderator_alerts  BIGINT NOT NULL DEFAULT 1,
    notify_published  BIGINT NOT NULL DEFAULT 1,
    notify_rejected   BIGINT NOT NULL DEFAULT 0,
    updated_at        BIGINT NOT NULL
);
