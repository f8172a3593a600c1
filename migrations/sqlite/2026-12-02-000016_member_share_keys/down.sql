ALTER TABLE consents DROP COLUMN member_share_key;
