-- The registry core: organisations, records and what every write leaves behind.
-- SQLite keeps UUIDs and timestamps as text (timestamps as fixed-width RFC 3339 in UTC, so text
-- order is time order), JSON as text and booleans as 0/1.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    -- lower-cased name: two spellings of one organisation are one
    name_key    TEXT NOT NULL,
    -- ISO 3166-1 alpha-2, or '' when unknown, so that (name_key, country) can be unique
    country     TEXT NOT NULL,
    org_type    TEXT NOT NULL,
    data        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT,
    CONSTRAINT organisations_name_country UNIQUE (name_key, country)
);
CREATE INDEX organisations_by_name ON organisations (name_key, id);

CREATE TABLE records (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL,
    slug             TEXT NOT NULL UNIQUE,
    uri              TEXT NOT NULL UNIQUE,
    origin           TEXT NOT NULL,
    status           TEXT NOT NULL,
    hidden           INTEGER NOT NULL,
    title            TEXT NOT NULL,
    lang             TEXT NOT NULL,
    organisation_id  TEXT REFERENCES organisations (id),
    source_registry  TEXT,
    source_key       TEXT,
    -- the whole record as served; the columns above are copies for filtering
    data             TEXT NOT NULL,
    version          INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    published_at     TEXT,
    deleted_at       TEXT
);
CREATE UNIQUE INDEX records_source ON records (source_registry, source_key) WHERE source_registry IS NOT NULL;
CREATE INDEX records_by_kind ON records (kind, status, id);
CREATE INDEX records_by_status ON records (status, id);
CREATE INDEX records_by_organisation ON records (organisation_id);

-- Codes a record can be found by, with their ancestors (SDG 3 for 3.8, BD for BD-13).
CREATE TABLE record_terms (
    record_id   TEXT NOT NULL REFERENCES records (id),
    vocabulary  TEXT NOT NULL,
    code        TEXT NOT NULL,
    PRIMARY KEY (record_id, vocabulary, code)
) WITHOUT ROWID;
CREATE INDEX record_terms_by_code ON record_terms (vocabulary, code, record_id);

-- Every version of every record and organisation, as written.
CREATE TABLE revisions (
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    version    INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    op         TEXT NOT NULL,
    at         TEXT NOT NULL,
    data       TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id, version)
);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    role       TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    version    INTEGER,
    detail     TEXT NOT NULL
);
CREATE INDEX audit_log_by_entity ON audit_log (entity_id, id);

-- What followers (search index, federation, feeds) read. seq has no gaps.
CREATE TABLE change_log (
    seq        INTEGER PRIMARY KEY,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    op         TEXT NOT NULL,
    version    INTEGER NOT NULL,
    at         TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    -- SHA-256 of the secret, hex; the secret itself is never stored
    secret_hash   TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT,
    expires_at    TEXT
);
