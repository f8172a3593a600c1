-- Governance records (issue 17). The governance log is log 2 on the named-log
-- machinery: its entries (the exact bytes that are its leaves) live in
-- gov_entries; the other tables are what those entries built, kept for
-- queries, and every one can be rebuilt from gov_entries.
INSERT INTO log_head (id, size, name) VALUES (2, 0, 'governance');

CREATE TABLE gov_entries (
    idx BIGINT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    body BLOB NOT NULL,
    at BIGINT NOT NULL
);

-- The register of members (Cooperatives Act §30). Name and contact stay here
-- (the chain holds their blinded digest) and outlive the data account, which
-- may be deleted: account is only the link.
CREATE TABLE gov_register (
    id TEXT PRIMARY KEY NOT NULL,
    number BIGINT NOT NULL UNIQUE,
    account TEXT UNIQUE,
    name TEXT NOT NULL,
    contact TEXT NOT NULL,
    blinding BLOB NOT NULL,
    joined_at BIGINT NOT NULL,
    leaves_at BIGINT,
    shares INTEGER NOT NULL,
    votes INTEGER NOT NULL,
    governance_key BLOB,
    invitation_hash BLOB UNIQUE,
    invitation_expires_at BIGINT,
    recorded_at BIGINT NOT NULL
);

CREATE TABLE gov_assemblies (
    id TEXT PRIMARY KEY NOT NULL,
    body TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    entry_idx BIGINT NOT NULL
);

CREATE TABLE gov_motions (
    id TEXT PRIMARY KEY NOT NULL,
    assembly TEXT NOT NULL,
    body TEXT NOT NULL,
    closes_at BIGINT NOT NULL,
    result TEXT,
    closed_at BIGINT,
    entry_idx BIGINT NOT NULL
);
CREATE INDEX gov_motions_assembly ON gov_motions (assembly);
CREATE INDEX gov_motions_open ON gov_motions (closes_at) WHERE result IS NULL;

CREATE TABLE gov_ballots (
    idx BIGINT PRIMARY KEY NOT NULL,
    motion TEXT NOT NULL,
    voter TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX gov_ballots_motion ON gov_ballots (motion, idx);

CREATE TABLE gov_proxies (
    assembly TEXT NOT NULL,
    grantor TEXT NOT NULL,
    holder TEXT NOT NULL,
    PRIMARY KEY (assembly, grantor)
);
CREATE INDEX gov_proxies_holder ON gov_proxies (assembly, holder);

-- Studies approved by a resolution: the signed approval's entry.
CREATE TABLE gov_study_approvals (
    study TEXT PRIMARY KEY NOT NULL,
    entry_idx BIGINT NOT NULL,
    motion TEXT NOT NULL
);
