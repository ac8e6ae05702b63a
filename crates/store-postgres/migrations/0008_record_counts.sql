-- How many live records there are of each kind, status and visibility, kept by the database
-- itself as records are written, so that a list's total is a look-up. Counting them (even from
-- an index alone, 0007) read every entry of a kind: 50,000 practices a list.
--
-- Writers only ever add rows (+1 or -1), so that concurrent writers never wait for one another
-- here, nor deadlock (a status change lowers one combination and raises another): a count is
-- the sum of its rows. The store folds the rows of a combination into one when they pile up
-- (`Dialect::fold_counts`). Derived from `records`: not in a native dump, whose load rebuilds
-- it through the same trigger.

CREATE TABLE record_counts (
    id          BIGSERIAL PRIMARY KEY,
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL,
    hidden      BOOLEAN NOT NULL,
    restricted  BOOLEAN NOT NULL,
    n           BIGINT NOT NULL
);

CREATE INDEX record_counts_by_combination ON record_counts (kind, status, hidden, restricted) INCLUDE (n);

INSERT INTO record_counts (kind, status, hidden, restricted, n)
SELECT kind, status, hidden, restricted, COUNT(*) FROM records WHERE deleted_at IS NULL
GROUP BY kind, status, hidden, restricted;

CREATE FUNCTION record_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (OLD.kind, OLD.status, OLD.hidden, OLD.restricted, OLD.deleted_at IS NULL)
        IS NOT DISTINCT FROM (NEW.kind, NEW.status, NEW.hidden, NEW.restricted, NEW.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL THEN
        INSERT INTO record_counts (kind, status, hidden, restricted, n)
        VALUES (OLD.kind, OLD.status, OLD.hidden, OLD.restricted, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL THEN
        INSERT INTO record_counts (kind, status, hidden, restricted, n)
        VALUES (NEW.kind, NEW.status, NEW.hidden, NEW.restricted, 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER record_counts_follow
AFTER INSERT OR DELETE OR UPDATE OF kind, status, hidden, restricted, deleted_at ON records
FOR EACH ROW EXECUTE FUNCTION record_counts_follow();
