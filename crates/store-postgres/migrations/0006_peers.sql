-- The peers this node harvests over OAI-PMH, and how their last harvest went.

CREATE TABLE peers (
    id               UUID PRIMARY KEY,
    base_url         TEXT NOT NULL UNIQUE,
    added_at         TIMESTAMPTZ NOT NULL,
    -- the `from` of the next harvest: the response date of the last complete one
    harvested_until  TIMESTAMPTZ,
    last_attempt_at  TIMESTAMPTZ,
    -- what the last harvest did (banyan_federation::Report)
    last_report      JSONB
);
CREATE INDEX records_by_origin ON records (origin);
