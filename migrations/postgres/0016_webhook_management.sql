-- Webhook management: a subscription can be paused, and its signing secret
-- rotated with an overlap during which deliveries carry a signature with the
-- previous secret too (sealed like `secret`, bound to the subscription's id).

-- 1 = deliveries are queued for it; 0 = paused (events are not queued).
ALTER TABLE webhooks ADD COLUMN enabled BIGINT NOT NULL DEFAULT 1;
ALTER TABLE webhooks ADD COLUMN previous_secret TEXT;
-- Unix milliseconds until which `previous_secret` still signs.
ALTER TABLE webhooks ADD COLUMN previous_secret_until BIGINT;
ALTER TABLE webhooks ADD COLUMN updated_at BIGINT;
