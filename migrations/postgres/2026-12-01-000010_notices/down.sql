ALTER TABLE gov_motions DROP COLUMN noticed;
ALTER TABLE gov_motions DROP COLUMN opens_at;
ALTER TABLE gov_register DROP COLUMN email;
DROP TABLE notice_outbox;
