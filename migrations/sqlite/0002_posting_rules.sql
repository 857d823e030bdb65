-- Posting rules: the editable per-site policy (word lists and rule settings,
-- one JSON document with a version that every instance compares before use)
-- and the blocklists of emails, email domains and IP ranges.

CREATE TABLE site_policies (
    site_key    TEXT PRIMARY KEY REFERENCES sites(site_key),
    config      TEXT NOT NULL,
    version     BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE blocklist_entries (
    id          TEXT PRIMARY KEY,
    site_key    TEXT NOT NULL REFERENCES sites(site_key),
    kind        TEXT NOT NULL,
    value       TEXT NOT NULL,
    reason      TEXT,
    expires_at  BIGINT,
    created_at  BIGINT NOT NULL,
    UNIQUE (site_key, kind, value)
);

CREATE INDEX comments_fingerprint ON comments (site_key, body_fingerprint, created_at);
