ALTER TABLE records DROP COLUMN device_id;
DROP TABLE device_batches;
DROP TABLE devices;
