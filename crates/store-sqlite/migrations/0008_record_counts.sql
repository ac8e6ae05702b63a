-- How many live records there are of each kind, status and visibility, kept by the database
-- itself as records are written, so that a list's total is a look-up. Counting them (even from
-- an index alone, 0007) read every entry of a kind: 50,000 practices took 14 ms a list under the
-- load test, three quarters of the time SQLite spent on reads.
--
-- One row per combination, changed by the triggers in the writer's own transaction: writes are
-- serialised, so the rows are never contended. Derived from `records`: not in a native dump,
-- whose load rebuilds it through the same triggers.

CREATE TABLE record_counts (
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL,
    hidden      INTEGER NOT NULL,
    restricted  INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (kind, status, hidden, restricted)
);

INSERT INTO record_counts (kind, status, hidden, restricted, n)
SELECT kind, status, hidden, restricted, COUNT(*) FROM records WHERE deleted_at IS NULL
GROUP BY kind, status, hidden, restricted;

CREATE TRIGGER record_counts_insert AFTER INSERT ON records WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO record_counts (kind, status, hidden, restricted, n)
    VALUES (NEW.kind, NEW.status, NEW.hidden, NEW.restricted, 1)
    ON CONFLICT (kind, status, hidden, restricted) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER record_counts_delete AFTER DELETE ON records WHEN OLD.deleted_at IS NULL
BEGIN
    UPDATE record_counts SET n = n - 1
    WHERE kind = OLD.kind AND status = OLD.status AND hidden = OLD.hidden AND restricted = OLD.restricted;
END;

CREATE TRIGGER record_counts_update AFTER UPDATE OF kind, status, hidden, restricted, deleted_at ON records
WHEN OLD.kind IS NOT NEW.kind OR OLD.status IS NOT NEW.status OR OLD.hidden IS NOT NEW.hidden
  OR OLD.restricted IS NOT NEW.restricted OR (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL)
BEGIN
    UPDATE record_counts SET n = n - 1
    WHERE OLD.deleted_at IS NULL
      AND kind = OLD.kind AND status = OLD.status AND hidden = OLD.hidden AND restricted = OLD.restricted;
    INSERT INTO record_counts (kind, status, hidden, restricted, n)
    SELECT NEW.kind, NEW.status, NEW.hidden, NEW.restricted, 1 WHERE NEW.deleted_at IS NULL
    ON CONFLICT (kind, status, hidden, restricted) DO UPDATE SET n = n + 1;
END;
