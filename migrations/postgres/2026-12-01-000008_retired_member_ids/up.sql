-- Ids of deleted accounts are never given out again: the access log keeps
-- entries about a deleted account (without its data), and a new account with
-- the same id would see them as its own.
CREATE TABLE retired_member_ids (
    id TEXT PRIMARY KEY NOT NULL,
    retired_at BIGINT NOT NULL
);
