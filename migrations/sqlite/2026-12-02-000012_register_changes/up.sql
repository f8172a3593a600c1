-- The register over time (issue 17, §30): share changes with the date each takes
-- effect, and the removal of a former member's personal data once the retention
-- period after their leaving has run out (the entry itself stays).
CREATE TABLE gov_share_changes (
    member TEXT NOT NULL,
    -- The index of the governance-log entry that records it.
    entry_idx BIGINT NOT NULL,
    shares INTEGER NOT NULL,
    effective_at BIGINT NOT NULL,
    PRIMARY KEY (member, entry_idx)
);

ALTER TABLE gov_register ADD COLUMN personal_removed_at BIGINT;
