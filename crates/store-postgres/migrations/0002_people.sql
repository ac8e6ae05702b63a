-- People, their sessions and one-time tokens, outgoing mail, organisation memberships, review
-- comments, reports of abuse; records gain an owner and links to the records they came from or
-- were merged into.

CREATE TABLE users (
    id                 UUID PRIMARY KEY,
    email              TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    -- argon2id PHC string; empty once the account is erased
    password_hash      TEXT NOT NULL,
    role               TEXT NOT NULL,
    email_verified_at  TIMESTAMPTZ,
    blocked_at         TIMESTAMPTZ,
    erased_at          TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);

-- Server-side sessions. The id is only kept as a SHA-256 hash: a copy of this table does not
-- let anyone in.
CREATE TABLE sessions (
    id_hash       TEXT PRIMARY KEY,
    user_id       UUID NOT NULL REFERENCES users (id),
    kind          TEXT NOT NULL,
    csrf          TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Single-use tokens sent by mail: e-mail verification, password reset, e-mail change,
-- invitations. Kept as hashes.
CREATE TABLE one_time_tokens (
    hash        TEXT PRIMARY KEY,
    purpose     TEXT NOT NULL,
    user_id     UUID REFERENCES users (id),
    email       TEXT,
    data        JSONB NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ
);
CREATE INDEX one_time_tokens_by_user ON one_time_tokens (user_id);

CREATE TABLE outbox (
    id             UUID PRIMARY KEY,
    to_email       TEXT NOT NULL,
    user_id        UUID REFERENCES users (id),
    subject        TEXT NOT NULL,
    body           TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    sent_at        TIMESTAMPTZ,
    attempts       INTEGER NOT NULL,
    last_error     TEXT,
    -- a sender holds a mail until then, so that two instances do not both send it
    claimed_until  TIMESTAMPTZ
);
CREATE INDEX outbox_unsent ON outbox (sent_at, created_at);

CREATE TABLE memberships (
    organisation_id  UUID NOT NULL REFERENCES organisations (id),
    user_id          UUID NOT NULL REFERENCES users (id),
    role             TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organisation_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships (user_id);

-- The review conversation on a record, between its editors and the curators.
CREATE TABLE comments (
    id          UUID PRIMARY KEY,
    record_id   UUID NOT NULL REFERENCES records (id),
    author_id   UUID REFERENCES users (id),
    body        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    hidden_at   TIMESTAMPTZ
);
CREATE INDEX comments_by_record ON comments (record_id, created_at);

CREATE TABLE reports (
    id           UUID PRIMARY KEY,
    target_kind  TEXT NOT NULL,
    target_id    TEXT NOT NULL,
    reporter_id  UUID REFERENCES users (id),
    reason       TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    resolved_at  TIMESTAMPTZ,
    resolved_by  TEXT,
    resolution   TEXT
);
CREATE INDEX reports_by_status ON reports (status, created_at);

ALTER TABLE api_tokens ADD COLUMN user_id UUID REFERENCES users (id);
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT '';

ALTER TABLE records ADD COLUMN owner_id UUID REFERENCES users (id);
ALTER TABLE records ADD COLUMN derived_from UUID;
ALTER TABLE records ADD COLUMN merged_into UUID;
CREATE INDEX records_by_owner ON records (owner_id);
