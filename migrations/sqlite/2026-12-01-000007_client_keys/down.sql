ALTER TABLE members DROP COLUMN recovery_public_key;
ALTER TABLE devices DROP COLUMN certificate;
ALTER TABLE devices DROP COLUMN public_key;
