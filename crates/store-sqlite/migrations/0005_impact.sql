-- Adoptions of practices, services measured by Service Process Simplification (their process
-- maps with them), and the exchange rates the admin keeps for adding up costs.

CREATE TABLE adoptions (
    id               TEXT PRIMARY KEY,
    practice_id      TEXT NOT NULL REFERENCES records (id),
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    place            TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('planned', 'piloting', 'in_use', 'stopped')),
    adopted_on       TEXT NOT NULL,  -- ISO 8601, sorts as a date
    -- the adopter's own record of the practice, which points back to the adopted one
    derived_record_id TEXT REFERENCES records (id),
    -- everything said about it (banyan_domain::AdoptionInput)
    data             TEXT NOT NULL,
    version          INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX adoptions_by_practice ON adoptions (practice_id);
CREATE INDEX adoptions_by_derived_record ON adoptions (derived_record_id);

CREATE TABLE services (
    id           TEXT PRIMARY KEY,
    practice_id  TEXT NOT NULL REFERENCES records (id),
    adoption_id  TEXT REFERENCES adoptions (id),
    place        TEXT NOT NULL,
    -- the service and its process maps (banyan_domain::ServiceInput)
    data         TEXT NOT NULL,
    version      INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX services_by_practice ON services (practice_id);

-- One table of rates against one base currency (banyan_domain::sps::Rates), replaced whole.
CREATE TABLE exchange_rates (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    data        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    updated_at  TEXT NOT NULL
);
