-- Researchers and studies (issue 18). A researcher's account is an account like a
-- member's (the same keys, made on their machine); this row makes it a researcher's.
-- Verification and submission are entries of the governance log; the indexes point
-- at them.
CREATE TABLE researchers (
    account TEXT PRIMARY KEY NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    affiliation TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    verified_at BIGINT,
    verified_idx BIGINT
);

-- A study: its terms as the exact bytes submitted (their SHA-256 is what a resolution
-- approves), its X25519 public key, and the private half sealed under the
-- researcher's vault key (the server cannot open it).
CREATE TABLE studies (
    id TEXT PRIMARY KEY NOT NULL,
    researcher TEXT NOT NULL REFERENCES researchers (account) ON DELETE CASCADE,
    title TEXT NOT NULL,
    ends_at BIGINT NOT NULL,
    terms BLOB NOT NULL,
    terms_sha256 BLOB NOT NULL,
    study_key BLOB NOT NULL,
    sealed_study_key BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    submitted_at BIGINT,
    submitted_idx BIGINT,
    closed_at BIGINT,
    closed_idx BIGINT
);
CREATE INDEX studies_by_researcher ON studies (researcher, id);
