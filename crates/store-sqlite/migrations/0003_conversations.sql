-- Matching: interest expressed by either side of a match, and the private conversation that
-- opens when both sides have expressed it.

CREATE TABLE interests (
    challenge_id  TEXT NOT NULL REFERENCES records (id),
    offer_id      TEXT NOT NULL REFERENCES records (id),
    -- 'challenge' (the challenge's owners) or 'offer' (the practice's or solution's)
    side          TEXT NOT NULL CHECK (side IN ('challenge', 'offer')),
    user_id       TEXT REFERENCES users (id),
    created_at    TEXT NOT NULL,
    PRIMARY KEY (challenge_id, offer_id, side)
);

CREATE TABLE conversations (
    id              TEXT PRIMARY KEY,
    challenge_id    TEXT NOT NULL REFERENCES records (id),
    offer_id        TEXT NOT NULL REFERENCES records (id),
    status          TEXT NOT NULL CHECK (status IN ('open', 'declined')),
    declined_by     TEXT CHECK (declined_by IN ('challenge', 'offer')),
    decline_reason  TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (challenge_id, offer_id)
);
CREATE INDEX conversations_by_offer ON conversations (offer_id);

-- Curators invited to facilitate.
CREATE TABLE conversation_curators (
    conversation_id  TEXT NOT NULL REFERENCES conversations (id),
    user_id          TEXT NOT NULL REFERENCES users (id),
    invited_at       TEXT NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);

CREATE TABLE messages (
    id               TEXT PRIMARY KEY,
    conversation_id  TEXT NOT NULL REFERENCES conversations (id),
    author_id        TEXT REFERENCES users (id),
    -- the side the author wrote for: 'challenge', 'offer' or 'curator'
    side             TEXT NOT NULL CHECK (side IN ('challenge', 'offer', 'curator')),
    body             TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, created_at);

-- What each person has read: messages after read_at are unread.
CREATE TABLE conversation_reads (
    conversation_id  TEXT NOT NULL REFERENCES conversations (id),
    user_id          TEXT NOT NULL REFERENCES users (id),
    read_at          TEXT NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
