-- Named logs: one machinery for every tamper-evident log (the access log,
-- the governance record chain next). Each log has a head row with a unique
-- name; tree hashes and checkpoints are keyed by (log_id, ...). Everything
-- already stored belongs to log 1, the access log, and keeps its indexes and
-- hashes byte for byte, so checkpoints signed before stay verifiable.
ALTER TABLE log_head ADD COLUMN name TEXT NOT NULL DEFAULT '';
UPDATE log_head SET name = 'access' WHERE id = 1;
CREATE UNIQUE INDEX log_head_name ON log_head (name);

ALTER TABLE log_hashes ADD COLUMN log_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE log_hashes ALTER COLUMN log_id DROP DEFAULT;
ALTER TABLE log_hashes DROP CONSTRAINT log_hashes_pkey;
ALTER TABLE log_hashes ADD PRIMARY KEY (log_id, idx);

ALTER TABLE log_checkpoints ADD COLUMN log_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE log_checkpoints ALTER COLUMN log_id DROP DEFAULT;
ALTER TABLE log_checkpoints DROP CONSTRAINT log_checkpoints_pkey;
ALTER TABLE log_checkpoints ADD PRIMARY KEY (log_id, size);
