-- Moderator dashboard: server-side sessions (shared by every majlis instance
-- on this database; logout deletes the row) and login throttling.

-- Only the SHA-256 of the session token is stored; the token lives in the
-- moderator's cookie.
CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    moderator_id  TEXT NOT NULL REFERENCES moderators(id),
    csrf_token    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL
);
CREATE INDEX sessions_moderator ON sessions (moderator_id);

-- Failed logins per key: 'account:<email>' or 'ip:<ip hash>'. Each failure
-- past the free ones doubles the wait before the next attempt; a success
-- clears the account's row. No permanent lockout.
CREATE TABLE login_throttle (
    throttle_key     TEXT PRIMARY KEY,
    failures         BIGINT NOT NULL,
    next_allowed_at  BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

-- Who changed a comment's text: the original stays in the audit log.
ALTER TABLE audit_log ADD COLUMN details TEXT;
CREATE INDEX audit_log_actor ON audit_log (actor_id, created_at);
