-- Webhooks: per-site subscriptions and their delivery outbox. Delivery rows
-- are written in the same transaction as the event that causes them and
-- delivered by a background worker with retries (at least once; the row id is
-- the stable `webhook-id` receivers deduplicate on).

CREATE TABLE webhooks (
    id           TEXT PRIMARY KEY,
    site_key     TEXT NOT NULL REFERENCES sites(site_key),
    url          TEXT NOT NULL,
    -- Comma-separated event types, e.g. "comment.created,comment.published".
    events       TEXT NOT NULL,
    -- "whsec_" + base64 key: kept in clear because every delivery is signed with it.
    secret       TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    -- The API key that created it.
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);
CREATE INDEX webhooks_site ON webhooks (site_key, created_at);

CREATE TABLE webhook_deliveries (
    -- "msg_" + id, sent as webhook-id (the same on every attempt).
    id                TEXT PRIMARY KEY,
    webhook_id        TEXT NOT NULL,
    site_key          TEXT NOT NULL,
    event_type        TEXT NOT NULL,
    -- The exact JSON body that is signed and sent.
    payload           TEXT NOT NULL,
    -- pending | delivered | failed
    status            TEXT NOT NULL DEFAULT 'pending',
    attempts          BIGINT NOT NULL DEFAULT 0,
    next_attempt_at   BIGINT NOT NULL,
    lease_until       BIGINT,
    lease_owner       TEXT,
    last_attempt_at   BIGINT,
    -- HTTP status of the last attempt (NULL when no answer came).
    last_status_code  BIGINT,
    last_error        TEXT,
    created_at        BIGINT NOT NULL,
    delivered_at      BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, created_at, id);

-- Every attempt of a delivery, for the delivery log.
CREATE TABLE webhook_attempts (
    delivery_id  TEXT NOT NULL,
    attempt      BIGINT NOT NULL,
    at           BIGINT NOT NULL,
    -- HTTP status of the answer (NULL when none came).
    status_code  BIGINT,
    error        TEXT,
    duration_ms  BIGINT NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);

-- When article.closed was emitted for an article (NULL: not since it last
-- opened). Articles closed before webhooks existed count as already told.
ALTER TABLE articles ADD COLUMN closed_event_at BIGINT;
-- The sweep looks only at articles not yet announced (the open ones, mostly).
CREATE INDEX articles_close_unannounced ON articles (created_at) WHERE closed_event_at IS NULL;
UPDATE articles SET closed_event_at = CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT)
WHERE closed = 1
   OR (closes_at IS NOT NULL AND closes_at <= CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT))
   OR EXISTS (SELECT 1 FROM sites s WHERE s.site_key = articles.site_key
              AND s.auto_close_days IS NOT NULL
              AND articles.created_at < CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT) - s.auto_close_days * 86400000);
