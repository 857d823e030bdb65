-- Solved proof-of-work challenges, kept until they expire so each counts
-- once across every instance. Nothing is stored when a challenge is issued.
CREATE TABLE pow_spent (
    challenge   TEXT PRIMARY KEY,
    expires_at  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX pow_spent_expiry ON pow_spent (expires_at);
