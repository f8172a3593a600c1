CREATE TABLE blobs (
    member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    category TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    wrapped_key BLOB NOT NULL,
    sealed_meta BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (member_id, id)
);
CREATE INDEX blobs_member_category ON blobs (member_id, category, id);
CREATE INDEX blobs_sha256 ON blobs (sha256);
