DROP TABLE gov_delegations;
DROP TABLE gov_body_members;
