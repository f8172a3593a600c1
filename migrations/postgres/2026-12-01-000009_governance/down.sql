DROP TABLE gov_proxies;
DROP TABLE gov_ballots;
DROP TABLE gov_motions;
DROP TABLE gov_assemblies;
DROP TABLE gov_register;
DROP TABLE gov_entries;
DELETE FROM log_hashes WHERE log_id = 2;
DELETE FROM log_checkpoints WHERE log_id = 2;
DELETE FROM log_head WHERE id = 2;
