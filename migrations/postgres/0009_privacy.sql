-- Privacy: client-address hashes are cleared after the configured retention
-- (this index finds the rows that still hold one), and per-API-key request
-- counters in fixed one-minute windows. The counters are what several
-- majlis instances on one PostgreSQL share; a SQLite instance counts in
-- memory and leaves the table empty.
CREATE INDEX comments_ip_retention ON comments (created_at) WHERE ip_hash <> '';

CREATE TABLE api_rate_windows (
    bucket        TEXT NOT NULL,
    window_start  BIGINT NOT NULL,
    hits          BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
