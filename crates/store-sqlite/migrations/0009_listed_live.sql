-- The list indexes of 0007 hold live records only, as on PostgreSQL, whose 0009 makes
-- `deleted_at IS NULL` their condition so that it can read them in order.
--
-- SQLite already read them in order (it takes `IS NULL` as an equality) and from the index
-- alone. It takes a partial index's condition to cover a column only when the column is in the
-- index, so `deleted_at` stays among the columns here: the lists and their counts still read
-- the index alone.
DROP INDEX records_listed_by_kind;
DROP INDEX records_listed;
CREATE INDEX records_listed_by_kind ON records (kind, status, hidden, restricted, deleted_at, id) WHERE deleted_at IS NULL;
CREATE INDEX records_listed ON records (status, hidden, restricted, deleted_at, id) WHERE deleted_at IS NULL;
