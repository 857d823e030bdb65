-- Instance-level keys of the admin API (sites, site keys and dashboard
-- accounts), made with `majlis rootkey create`. Only a key's SHA-256 is kept.
CREATE TABLE root_keys (
    id          TEXT PRIMARY KEY,
    label       TEXT NOT NULL DEFAULT '',
    key_hash    TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
