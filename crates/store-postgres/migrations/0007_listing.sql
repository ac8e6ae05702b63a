-- Public lists count and page their records from an index alone. The load test found the count
-- of a kind's public records reading every row of that kind (50 ms at 100,000 records): the
-- visibility columns were not in an index.

CREATE INDEX records_listed_by_kind ON records (kind, status, hidden, restricted, deleted_at, id);
CREATE INDEX records_listed ON records (status, hidden, restricted, deleted_at, id);
