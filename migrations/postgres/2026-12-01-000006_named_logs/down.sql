-- Back to the single access log: other logs' hashes and checkpoints go.
DELETE FROM log_checkpoints WHERE log_id <> 1;
ALTER TABLE log_checkpoints DROP CONSTRAINT log_checkpoints_pkey;
ALTER TABLE log_checkpoints DROP COLUMN log_id;
ALTER TABLE log_checkpoints ADD PRIMARY KEY (size);

DELETE FROM log_hashes WHERE log_id <> 1;
ALTER TABLE log_hashes DROP CONSTRAINT log_hashes_pkey;
ALTER TABLE log_hashes DROP COLUMN log_id;
ALTER TABLE log_hashes ADD PRIMARY KEY (idx);

DELETE FROM log_head WHERE id <> 1;
DROP INDEX log_head_name;
ALTER TABLE log_head DROP COLUMN name;
