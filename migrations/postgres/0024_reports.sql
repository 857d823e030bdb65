-- Reader reports (#18). A reader's address is kept only as its keyed hash
-- (and its network's, to count distinct networks); one report per address
-- per comment. `resolution` is NULL while open, then 'dismissed' or 'acted'.
CREATE TABLE comment_reports (
    id           TEXT PRIMARY KEY,
    site_key     TEXT NOT NULL,
    comment_id   TEXT NOT NULL,
    reason       TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    ip_hash      TEXT NOT NULL,
    net_hash     TEXT NOT NULL DEFAULT '',
    resolution   TEXT,
    created_at   BIGINT NOT NULL,
    resolved_at  BIGINT,
    UNIQUE (comment_id, ip_hash)
);
CREATE INDEX comment_reports_open ON comment_reports (site_key, resolution, comment_id);
CREATE INDEX comment_reports_address ON comment_reports (site_key, ip_hash, created_at);

-- Per-site report settings: hold a published comment of a post-moderated
-- site after `hold_after` open reports from distinct networks (0: never),
-- and whether readers may choose "illegal content".
CREATE TABLE report_settings (
    site_key        TEXT PRIMARY KEY,
    hold_after      BIGINT NOT NULL DEFAULT 0,
    illegal_reason  BIGINT NOT NULL DEFAULT 0,
    updated_at      BIGINT NOT NULL
);
