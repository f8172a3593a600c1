-- E-mail notices (issue 17): an outbox, filled in the same transaction as the
-- event a notice tells of, and emptied by the sender over SMTP. A row is the
-- one message to one recipient; its id is the stable Message-ID, the same on
-- every retry, so a resend after a crash is recognised as the same message.
CREATE TABLE notice_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    -- What the notice is about ("convened:<assembly>"): one per recipient.
    topic TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- The next attempt is due (backoff after a failure).
    due_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- A sender's lease: no other sender takes the row before it runs out.
    claim TEXT,
    claimed_until BIGINT,
    sent_at BIGINT,
    -- Given up on (a permanent refusal, or too many attempts).
    failed_at BIGINT,
    last_error TEXT,
    UNIQUE (topic, recipient)
);
CREATE INDEX notice_outbox_due ON notice_outbox (due_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- Where a member's notices go: their e-mail address, if they gave one.
ALTER TABLE gov_register ADD COLUMN email TEXT;

-- Which scheduled notices of a motion went out: 1 voting open, 2 closing soon.
ALTER TABLE gov_motions ADD COLUMN opens_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE gov_motions ADD COLUMN noticed INTEGER NOT NULL DEFAULT 0;
-- Motions filed before notices existed: their scheduled notices are not sent late.
UPDATE gov_motions SET noticed = 3;
