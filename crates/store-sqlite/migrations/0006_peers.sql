-- The peers this node harvests over OAI-PMH, and how their last harvest went.

CREATE TABLE peers (
    id               TEXT PRIMARY KEY,
    base_url         TEXT NOT NULL UNIQUE,
    added_at         TEXT NOT NULL,
    -- the `from` of the next harvest: the response date of the last complete one
    harvested_until  TEXT,
    last_attempt_at  TEXT,
    -- what the last harvest did (banyan_federation::Report)
    last_report      TEXT
);
CREATE INDEX records_by_origin ON records (origin);
