-- Future data (issue 18): the consent's share key sealed under the member's vault key
-- (box 0x43), so the member's machines can make the study copies of records added
-- while the consent is active. Only the member opens it.
ALTER TABLE consents ADD COLUMN member_share_key BYTEA;
