ALTER TABLE gov_register DROP COLUMN personal_removed_at;
DROP TABLE gov_share_changes;
