-- Named logs: one machinery for every tamper-evident log (the access log,
-- the governance record chain next). Each log has a head row with a unique
-- name; tree hashes and checkpoints are keyed by (log_id, ...). Everything
-- already stored belongs to log 1, the access log, and keeps its indexes and
-- hashes byte for byte, so checkpoints signed before stay verifiable.
ALTER TABLE log_head ADD COLUMN name TEXT NOT NULL DEFAULT '';
UPDATE log_head SET name = 'access' WHERE id = 1;
CREATE UNIQUE INDEX log_head_name ON log_head (name);

CREATE TABLE log_hashes_by_log (
    log_id INTEGER NOT NULL,
    idx BIGINT NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (log_id, idx)
) WITHOUT ROWID;
INSERT INTO log_hashes_by_log (log_id, idx, hash) SELECT 1, idx, hash FROM log_hashes;
DROP TABLE log_hashes;
ALTER TABLE log_hashes_by_log RENAME TO log_hashes;

CREATE TABLE log_checkpoints_by_log (
    log_id INTEGER NOT NULL,
    size BIGINT NOT NULL,
    root BLOB NOT NULL,
    signed TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (log_id, size)
);
INSERT INTO log_checkpoints_by_log (log_id, size, root, signed, created_at)
    SELECT 1, size, root, signed, created_at FROM log_checkpoints;
DROP TABLE log_checkpoints;
ALTER TABLE log_checkpoints_by_log RENAME TO log_checkpoints;
