-- The append-only access log: entries are the leaves of an RFC 9162 Merkle
-- tree whose nodes are kept in log_hashes (Go sumdb stored-hash layout).
CREATE TABLE log_head (
    id INTEGER PRIMARY KEY NOT NULL,
    size BIGINT NOT NULL
);
INSERT INTO log_head (id, size) VALUES (1, 0);

CREATE TABLE log_entries (
    idx BIGINT PRIMARY KEY NOT NULL,
    member_id TEXT NOT NULL,
    time_micros BIGINT NOT NULL,
    actor_kind TEXT NOT NULL,
    action TEXT NOT NULL,
    study_id TEXT,
    body BLOB NOT NULL
);
CREATE INDEX log_entries_member ON log_entries (member_id, idx);

CREATE TABLE log_hashes (
    idx BIGINT PRIMARY KEY NOT NULL,
    hash BLOB NOT NULL
);

CREATE TABLE log_checkpoints (
    size BIGINT PRIMARY KEY NOT NULL,
    root BLOB NOT NULL,
    signed TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
