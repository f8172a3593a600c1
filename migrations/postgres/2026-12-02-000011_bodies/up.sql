-- Bodies and delegated powers (issue 17): what carried elections and delegations
-- built, for queries; the governance log holds the resolutions themselves.
-- An election for a body gives it its whole composition.
CREATE TABLE gov_body_members (
    body TEXT NOT NULL,
    member TEXT NOT NULL,
    -- The name as it stood on the ballot.
    name TEXT NOT NULL,
    -- The election motion that gave the seat.
    motion TEXT NOT NULL,
    PRIMARY KEY (body, member)
);

-- A power of the general assembly delegated to a body (e.g. approving studies to
-- the ethics committee), until a resolution ends it.
CREATE TABLE gov_delegations (
    power TEXT PRIMARY KEY NOT NULL,
    body TEXT NOT NULL,
    motion TEXT NOT NULL
);
