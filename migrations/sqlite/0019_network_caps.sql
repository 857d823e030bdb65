-- Per-network caps: the keyed hash of the client's network (IPv4 /24,
-- IPv6 /48) beside the address hash, so every instance counts one network's
-- recent comments from the database. Cleared with ip_hash (privacy).
ALTER TABLE comments ADD COLUMN net_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX comments_net ON comments (site_key, net_hash, created_at);
