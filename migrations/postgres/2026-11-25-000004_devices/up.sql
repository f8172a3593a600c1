-- Write-only device tokens: a device may add records to one member's vault
-- and read nothing. Only the SHA-256 of a token is stored.
CREATE TABLE devices (
    id TEXT PRIMARY KEY NOT NULL,
    member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,
    categories TEXT,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    records_added BIGINT NOT NULL DEFAULT 0,
    revoked_at BIGINT
);
CREATE INDEX devices_member ON devices (member_id, id);

-- One HPKE-sealed batch key per device upload batch (only the member opens it).
CREATE TABLE device_batches (
    member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    sealed_batch_key BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (member_id, id)
);

-- Which device added a record (NULL: the member's own client).
ALTER TABLE records ADD COLUMN device_id TEXT;
