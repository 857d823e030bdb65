-- Moderator accounts (dashboard, email decisions). A moderator with no rows
-- in moderator_sites and role 'admin' administers every site; otherwise the
-- account sees only the sites listed for it.

CREATE TABLE moderators (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    role           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    lang           TEXT NOT NULL DEFAULT 'ar',
    disabled_at    BIGINT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

CREATE TABLE moderator_sites (
    moderator_id  TEXT NOT NULL REFERENCES moderators(id),
    site_key      TEXT NOT NULL REFERENCES sites(site_key),
    PRIMARY KEY (moderator_id, site_key)
);
