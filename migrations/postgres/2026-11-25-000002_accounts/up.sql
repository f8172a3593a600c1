CREATE TABLE members (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    kdf_params BYTEA NOT NULL,
    auth_hash TEXT NOT NULL,
    sealed_vault_key BYTEA NOT NULL,
    recovery_vault_key BYTEA NOT NULL,
    public_keys BYTEA NOT NULL,
    sealed_member_keys BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE records (
    member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    category TEXT NOT NULL,
    type_code TEXT NOT NULL,
    effective_at BIGINT,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    ciphertext BYTEA NOT NULL,
    wrapped_key BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (member_id, id)
);
CREATE INDEX records_member_category ON records (member_id, category, id);
CREATE INDEX records_member_effective ON records (member_id, effective_at);

CREATE TABLE idempotency_keys (
    member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    request_hash BYTEA NOT NULL,
    response TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (member_id, key)
);
