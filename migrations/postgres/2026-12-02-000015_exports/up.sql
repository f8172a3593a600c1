-- Dataset exports (issue 18): a researcher's download of a study's consented data.
-- Each participant whose data an export holds is logged once in their access log;
-- the row remembers the entry, so a resumed download logs nothing twice.
CREATE TABLE dataset_exports (
    id TEXT PRIMARY KEY NOT NULL,
    study TEXT NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    researcher TEXT NOT NULL,
    started_at BIGINT NOT NULL
);
CREATE INDEX dataset_exports_by_study ON dataset_exports (study, started_at);

CREATE TABLE export_participants (
    export TEXT NOT NULL REFERENCES dataset_exports (id) ON DELETE CASCADE,
    consent TEXT NOT NULL,
    log_idx BIGINT NOT NULL,
    PRIMARY KEY (export, consent)
);

-- The download walks a study's participants in pseudonym order.
CREATE INDEX consents_by_study_pseudonym ON consents (study, pseudonym);
