-- Consents (issue 18): the member's signed receipt, the share key sealed to the
-- study, and the study copies (de-identified and encrypted on the member's machine).
-- The study knows a participant only by the consent's pseudonym.
CREATE TABLE consents (
    id TEXT PRIMARY KEY NOT NULL,
    member TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    study TEXT NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    pseudonym TEXT NOT NULL UNIQUE,
    -- The receipt as JSON; both signatures are over its canonical bytes.
    receipt TEXT NOT NULL,
    member_signature BLOB NOT NULL,
    server_signature BLOB,
    sealed_share_key BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    granted_at BIGINT,
    granted_idx BIGINT,
    withdrawn_at BIGINT
);
CREATE INDEX consents_by_member ON consents (member, id);
CREATE INDEX consents_by_study ON consents (study, id);

CREATE TABLE study_copies (
    consent TEXT NOT NULL REFERENCES consents (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    -- The member's record it copies: for the server's checks, never shown to the study.
    source TEXT NOT NULL,
    category TEXT NOT NULL,
    type_code TEXT NOT NULL,
    effective TEXT,
    content_type TEXT NOT NULL,
    ciphertext BLOB NOT NULL,
    wrapped_key BLOB NOT NULL,
    PRIMARY KEY (consent, id)
);
CREATE UNIQUE INDEX study_copies_by_source ON study_copies (consent, source);

-- Pseudonyms of participants who withdrew (or deleted their account), kept without
-- the member so the study's next export can say so.
CREATE TABLE consent_withdrawals (
    pseudonym TEXT PRIMARY KEY NOT NULL,
    study TEXT NOT NULL,
    withdrawn_at BIGINT NOT NULL
);
CREATE INDEX consent_withdrawals_by_study ON consent_withdrawals (study, pseudonym);
