-- majlis schema, SQLite flavour. Keep in step with migrations/postgres/0001_init.sql.
-- Portable types only: TEXT, BIGINT, BLOB. Times are unix milliseconds (UTC).

CREATE TABLE sites (
    site_key         TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    allowed_origins  TEXT NOT NULL DEFAULT '[]',
    default_lang     TEXT NOT NULL DEFAULT 'ar',
    moderation_mode  TEXT NOT NULL DEFAULT 'pre',
    max_body_chars   BIGINT NOT NULL DEFAULT 2000,
    terms_url        TEXT NOT NULL DEFAULT '',
    terms_version    TEXT NOT NULL DEFAULT '1',
    captcha_enabled  BIGINT NOT NULL DEFAULT 1,
    auto_close_days  BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

CREATE TABLE articles (
    id               TEXT PRIMARY KEY,
    site_key         TEXT NOT NULL REFERENCES sites(site_key),
    article_key      TEXT NOT NULL,
    url              TEXT,
    title            TEXT,
    closed           BIGINT NOT NULL DEFAULT 0,
    closes_at        BIGINT,
    published_count  BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    UNIQUE (site_key, article_key)
);

CREATE TABLE comments (
    id                TEXT PRIMARY KEY,
    site_key          TEXT NOT NULL REFERENCES sites(site_key),
    article_id        TEXT NOT NULL REFERENCES articles(id),
    status            TEXT NOT NULL,
    flagged           BIGINT NOT NULL DEFAULT 0,
    author_name       TEXT NOT NULL,
    author_email      TEXT NOT NULL,
    title             TEXT NOT NULL,
    body              TEXT NOT NULL,
    lang              TEXT NOT NULL,
    terms_version     TEXT NOT NULL,
    ip_hash           TEXT NOT NULL,
    body_fingerprint  TEXT NOT NULL DEFAULT '',
    findings          TEXT NOT NULL DEFAULT '[]',
    created_at        BIGINT NOT NULL,
    published_at      BIGINT,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX comments_published ON comments (article_id, status, published_at, id);
CREATE INDEX comments_queue ON comments (site_key, status, created_at, id);
CREATE INDEX comments_author ON comments (site_key, author_email, created_at);
CREATE INDEX comments_ip ON comments (site_key, ip_hash, created_at);

CREATE TABLE captcha_challenges (
    id           TEXT PRIMARY KEY,
    site_key     TEXT NOT NULL,
    answer_hash  TEXT NOT NULL,
    png          BLOB NOT NULL,
    expires_at   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX captcha_challenges_expiry ON captcha_challenges (expires_at);

CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY,
    site_key      TEXT NOT NULL REFERENCES sites(site_key),
    role          TEXT NOT NULL,
    label         TEXT NOT NULL DEFAULT '',
    key_hash      TEXT NOT NULL UNIQUE,
    created_at    BIGINT NOT NULL,
    revoked_at    BIGINT
);

CREATE TABLE audit_log (
    id           TEXT PRIMARY KEY,
    site_key     TEXT NOT NULL,
    comment_id   TEXT,
    actor_kind   TEXT NOT NULL,
    actor_id     TEXT NOT NULL DEFAULT '',
    action       TEXT NOT NULL,
    from_status  TEXT,
    to_status    TEXT,
    reason       TEXT,
    note         TEXT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX audit_log_site ON audit_log (site_key, created_at);
CREATE INDEX audit_log_comment ON audit_log (comment_id, created_at);

-- Instance-wide secrets (captcha and IP-hash keys), generated on first start
-- and shared by every majlis process on this database.
CREATE TABLE instance_secrets (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
