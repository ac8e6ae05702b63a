-- Pilots agreed in a conversation, their history, and the procurement checklists curators keep
-- per country. Challenges restricted to the network's members.

ALTER TABLE records ADD COLUMN restricted INTEGER NOT NULL DEFAULT 0;

CREATE TABLE pilots (
    id               TEXT PRIMARY KEY,
    conversation_id  TEXT NOT NULL REFERENCES conversations (id),
    challenge_id     TEXT NOT NULL REFERENCES records (id),
    offer_id         TEXT NOT NULL REFERENCES records (id),
    status           TEXT NOT NULL
                     CHECK (status IN ('proposed', 'agreed', 'running', 'evaluated', 'adopted', 'stopped')),
    proposed_by      TEXT NOT NULL CHECK (proposed_by IN ('challenge', 'offer')),
    -- the plan, with each KPI's result once evaluated (banyan_domain::PilotPlan)
    plan             TEXT NOT NULL,
    evaluation       TEXT,
    award            TEXT,
    -- the practice record the adoption created or updated
    practice_id      TEXT REFERENCES records (id),
    version          INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX pilots_by_conversation ON pilots (conversation_id);
CREATE INDEX pilots_by_practice ON pilots (practice_id);

-- Every step of every pilot, in order: who moved it (which side, which person) and why.
CREATE TABLE pilot_events (
    pilot_id     TEXT NOT NULL REFERENCES pilots (id),
    seq          INTEGER NOT NULL,
    action       TEXT NOT NULL,
    from_status  TEXT,
    side         TEXT CHECK (side IN ('challenge', 'offer')),
    actor_id     TEXT REFERENCES users (id),
    note         TEXT,
    at           TEXT NOT NULL,
    PRIMARY KEY (pilot_id, seq)
);

-- What it takes to procure after a successful pilot, per country (banyan_store::Checklist).
CREATE TABLE procurement_checklists (
    country     TEXT PRIMARY KEY,
    data        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    updated_by  TEXT REFERENCES users (id),
    updated_at  TEXT NOT NULL
);
