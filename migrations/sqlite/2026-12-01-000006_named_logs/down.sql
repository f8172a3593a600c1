-- Back to the single access log: other logs' hashes and checkpoints go.
CREATE TABLE log_checkpoints_single (
    size BIGINT PRIMARY KEY NOT NULL,
    root BLOB NOT NULL,
    signed TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
INSERT INTO log_checkpoints_single (size, root, signed, created_at)
    SELECT size, root, signed, created_at FROM log_checkpoints WHERE log_id = 1;
DROP TABLE log_checkpoints;
ALTER TABLE log_checkpoints_single RENAME TO log_checkpoints;

CREATE TABLE log_hashes_single (
    idx BIGINT PRIMARY KEY NOT NULL,
    hash BLOB NOT NULL
);
INSERT INTO log_hashes_single (idx, hash) SELECT idx, hash FROM log_hashes WHERE log_id = 1;
DROP TABLE log_hashes;
ALTER TABLE log_hashes_single RENAME TO log_hashes;

DELETE FROM log_head WHERE id <> 1;
DROP INDEX log_head_name;
ALTER TABLE log_head DROP COLUMN name;
