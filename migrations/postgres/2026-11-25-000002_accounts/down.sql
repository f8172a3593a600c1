DROP TABLE idempotency_keys;
DROP TABLE records;
DROP TABLE members;
