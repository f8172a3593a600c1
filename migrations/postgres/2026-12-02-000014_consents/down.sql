DROP TABLE consent_withdrawals;
DROP TABLE study_copies;
DROP TABLE consents;
