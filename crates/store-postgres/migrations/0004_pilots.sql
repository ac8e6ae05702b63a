-- Pilots agreed in a conversation, their history, and the procurement checklists curators keep
-- per country. Challenges restricted to the network's members.

ALTER TABLE records ADD COLUMN restricted BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE pilots (
    id               UUID PRIMARY KEY,
    conversation_id  UUID NOT NULL REFERENCES conversations (id),
    challenge_id     UUID NOT NULL REFERENCES records (id),
    offer_id         UUID NOT NULL REFERENCES records (id),
    status           TEXT NOT NULL
                     CHECK (status IN ('proposed', 'agreed', 'running', 'evaluated', 'adopted', 'stopped')),
    proposed_by      TEXT NOT NULL CHECK (proposed_by IN ('challenge', 'offer')),
    -- the plan, with each KPI's result once evaluated (banyan_domain::PilotPlan)
    plan             JSONB NOT NULL,
    evaluation       JSONB,
    award            JSONB,
    -- the practice record the adoption created or updated
    practice_id      UUID REFERENCES records (id),
    version          BIGINT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX pilots_by_conversation ON pilots (conversation_id);
CREATE INDEX pilots_by_practice ON pilots (practice_id);

-- Every step of every pilot, in order: who moved it (which side, which person) and why.
CREATE TABLE pilot_events (
    pilot_id     UUID NOT NULL REFERENCES pilots (id),
    seq          BIGINT NOT NULL,
    action       TEXT NOT NULL,
    from_status  TEXT,
    side         TEXT CHECK (side IN ('challenge', 'offer')),
    actor_id     UUID REFERENCES users (id),
    note         TEXT,
    at           TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (pilot_id, seq)
);

-- What it takes to procure after a successful pilot, per country (banyan_store::Checklist).
CREATE TABLE procurement_checklists (
    country     TEXT PRIMARY KEY,
    data        JSONB NOT NULL,
    version     BIGINT NOT NULL,
    updated_by  UUID REFERENCES users (id),
    updated_at  TIMESTAMPTZ NOT NULL
);
