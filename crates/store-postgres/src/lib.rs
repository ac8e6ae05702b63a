//! PostgreSQL, for nodes that run several stateless server instances on one database.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgPoolOptions, PgRow};
use sqlx::{Column, PgPool, Row as _, TypeInfo, ValueRef};

use banyan_store::sql::{Backend, Dialect, Row, SqlStore, SqlType, SqlValue, Tx};
use banyan_store::{Result, StoreError};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub struct Postgres {
    pool: PgPool,
    statistics: Arc<Statistics>,
}

/// Keeps the planner's statistics in step with the tables as they grow.
///
/// PostgreSQL may keep one plan for a prepared statement for as long as the connection lives.
/// A plan made while a table was nearly empty, as on a new node being filled by an import, can
/// go on reading the whole table after it has grown: the load test's import of 100,000 records
/// slowed from 35 s for the first 10,000 to 107 s for the third, each record's slug lookup
/// scanning every record. `ANALYZE` brings the statistics up to date, and every connection then
/// plans again. Autovacuum does this when it is on; Banyan does not count on it being on.
///
/// Dead rows are the same: every update and delete leaves one until `VACUUM` makes its room
/// reusable, and folding the kept counts of records (migration 0008) leaves one for each row it
/// folds, by design. Without autovacuum nothing removed them: after 100 s of the load test's mix
/// `record_counts` held 170 live rows and 8,064 dead ones in 15 MB, and each count of a kind
/// stepped over its dead rows in the index.
///
/// After a write, at most every [`Statistics::EVERY`], a task looks for tables that changed by
/// more than a fifth (and at least [`Statistics::MIN_CHANGES`] rows) since their last analysis,
/// and analyses them, and for tables whose dead rows are as many, and vacuums them (skipping a
/// table autovacuum is at). Writers never wait for it.
struct Statistics {
    pool: PgPool,
    started: Instant,
    /// Milliseconds after `started` before which no check starts.
    next_check: AtomicU64,
}

impl Statistics {
    const EVERY: Duration = Duration::from_secs(10);
    const MIN_CHANGES: i64 = 500;

    fn after_write(self: &Arc<Self>) {
        let now = self.started.elapsed().as_millis() as u64;
        let due = self.next_check.load(Ordering::Relaxed);
        if now < due
            || self
                .next_check
                .compare_exchange(due, now + Self::EVERY.as_millis() as u64, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        let this = Arc::clone(self);
        tokio::spawn(async move {
            match this.refresh().await {
                Ok((vacuumed, analysed)) if !vacuumed.is_empty() || !analysed.is_empty() => {
                    tracing::debug!(?vacuumed, ?analysed, "vacuumed and analysed tables that had changed")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("could not vacuum and analyse the tables that had changed: {e}"),
            }
        });
    }

    /// Vacuums the tables of Banyan's schema that hold enough dead rows, and analyses those that
    /// changed enough since their last analysis; returns the names of both.
    async fn refresh(&self) -> std::result::Result<(Vec<String>, Vec<String>), sqlx::Error> {
        let dead = self.tables_by("s.n_dead_tup").await?;
        if !dead.is_empty() {
            // Outside a transaction, as VACUUM must be: one statement by the simple protocol.
            sqlx::raw_sql(&format!("VACUUM (SKIP_LOCKED) {}", dead.join(", "))).execute(&self.pool).await?;
        }
        let stale = self.tables_by("s.n_mod_since_analyze").await?;
        if !stale.is_empty() {
            sqlx::query(&format!("ANALYZE {}", stale.join(", "))).execute(&self.pool).await?;
        }
        Ok((dead, stale))
    }

    /// The tables of Banyan's schema where `rows`, a count of rows in `pg_stat_user_tables`, is
    /// more than a fifth of the table and at least [`Statistics::MIN_CHANGES`].
    async fn tables_by(&self, rows: &str) -> std::result::Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar(&format!(
            "SELECT quote_ident(s.schemaname) || '.' || quote_ident(s.relname) \
             FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid \
             WHERE s.schemaname = current_schema() AND {rows} >= $1 \
               AND {rows} > GREATEST(c.reltuples, 0) / 5 \
             ORDER BY 1"
        ))
        .bind(Self::MIN_CHANGES)
        .fetch_all(&self.pool)
        .await
    }
}

pub type PostgresStore = SqlStore<Postgres>;

/// The newest schema version this build knows.
pub fn known_schema_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// The migrations this build applies, in order (for the tests that stop one half-way).
#[doc(hidden)]
pub fn migrations() -> &'static [sqlx::migrate::Migration] {
    &MIGRATOR.migrations
}

/// Connects to `url` (`postgres://…`) and brings the schema up to date. Several instances may
/// start at once: migrations run under the migrator's own advisory lock.
pub async fn open(url: &str, max_connections: u32) -> Result<PostgresStore> {
    let pool = PgPoolOptions::new()
        .max_connections(max_connections.max(2))
        .acquire_timeout(Duration::from_secs(15))
        .connect(url)
        .await
        .map_err(|e| StoreError::Unavailable(format!("cannot connect to PostgreSQL: {e}")))?;
    let (database, known) = (applied_version(&pool).await?, known_schema_version());
    if database > known {
        return Err(StoreError::SchemaTooNew { database, known });
    }
    MIGRATOR.run(&pool).await.map_err(|e| StoreError::Database(format!("migration failed: {e}")))?;
    let statistics =
        Arc::new(Statistics { pool: pool.clone(), started: Instant::now(), next_check: AtomicU64::new(0) });
    Ok(SqlStore::new(Postgres { pool, statistics }))
}

async fn applied_version(pool: &PgPool) -> Result<i64> {
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(pool)
        .await
        .map_err(map_err)?;
    if !exists {
        return Ok(0);
    }
    let v: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await
        .map_err(map_err)?;
    Ok(v.unwrap_or(0))
}

pub struct PostgresTx(sqlx::Transaction<'static, sqlx::Postgres>, Arc<Statistics>);

fn bind<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    params: Vec<SqlValue>,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    for p in params {
        q = match p {
            SqlValue::Null(t) => match t {
                SqlType::Bool => q.bind(None::<bool>),
                SqlType::Int => q.bind(None::<i64>),
                SqlType::Float => q.bind(None::<f64>),
                SqlType::Text => q.bind(None::<String>),
                SqlType::Uuid => q.bind(None::<uuid::Uuid>),
                SqlType::Time => q.bind(None::<chrono::DateTime<chrono::Utc>>),
                SqlType::Json => q.bind(None::<sqlx::types::Json<serde_json::Value>>),
            },
            SqlValue::Bool(b) => q.bind(b),
            SqlValue::Int(n) => q.bind(n),
            SqlValue::Float(f) => q.bind(f),
            SqlValue::Text(s) => q.bind(s),
            SqlValue::Uuid(u) => q.bind(u),
            SqlValue::Time(t) => q.bind(t),
            SqlValue::Json(v) => q.bind(sqlx::types::Json(v)),
        };
    }
    q
}

fn rows(raw: Vec<PgRow>) -> Result<Vec<Row>> {
    let Some(first) = raw.first() else { return Ok(Vec::new()) };
    let columns: Arc<[String]> = first.columns().iter().map(|c| c.name().to_string()).collect();
    raw.iter()
        .map(|r| {
            let values = (0..columns.len())
                .map(|i| {
                    let value = r.try_get_raw(i).map_err(map_err)?;
                    if value.is_null() {
                        return Ok(SqlValue::Null(SqlType::Text));
                    }
                    let e = map_err;
                    Ok(match value.type_info().name() {
                        "BOOL" => SqlValue::Bool(r.try_get(i).map_err(e)?),
                        "INT2" => SqlValue::Int(r.try_get::<i16, _>(i).map_err(e)?.into()),
                        "INT4" => SqlValue::Int(r.try_get::<i32, _>(i).map_err(e)?.into()),
                        "INT8" => SqlValue::Int(r.try_get(i).map_err(e)?),
                        "FLOAT4" => SqlValue::Float(r.try_get::<f32, _>(i).map_err(e)?.into()),
                        "FLOAT8" => SqlValue::Float(r.try_get(i).map_err(e)?),
                        "TEXT" | "VARCHAR" | "NAME" | "BPCHAR" => SqlValue::Text(r.try_get(i).map_err(e)?),
                        "UUID" => SqlValue::Uuid(r.try_get(i).map_err(e)?),
                        "TIMESTAMPTZ" => SqlValue::Time(r.try_get(i).map_err(e)?),
                        "JSON" | "JSONB" => SqlValue::Json(r.try_get(i).map_err(e)?),
                        "VOID" => SqlValue::Null(SqlType::Text),
                        other => return Err(StoreError::Corrupt(format!("unexpected PostgreSQL type {other}"))),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Row::new(columns.clone(), values))
        })
        .collect()
}

fn map_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Duplicate(db.constraint().unwrap_or(db.message()).to_string())
        }
        // serialization_failure, deadlock_detected, too_many_connections, admin_shutdown,
        // cannot_connect_now
        sqlx::Error::Database(db)
            if matches!(db.code().as_deref(), Some("40001" | "40P01" | "53300" | "57P01" | "57P03")) =>
        {
            StoreError::Unavailable(db.message().to_string())
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Database(e.to_string()),
    }
}

/// Folds the rows that writers add to `record_counts` (see migration 0008) into one per
/// combination, in one statement: a count reads the rows before or the rows after. Rows that
/// writers add meanwhile are not yet visible to it, and stay.
const FOLD_COUNTS: &str = "WITH gone AS (DELETE FROM record_counts RETURNING kind, status, hidden, restricted, n) \
     INSERT INTO record_counts (kind, status, hidden, restricted, n) \
     SELECT kind, status, hidden, restricted, SUM(n)::BIGINT FROM gone \
     GROUP BY kind, status, hidden, restricted HAVING SUM(n) <> 0";

/// Moves every sequence of the schema (those behind `BIGSERIAL` columns) past the largest
/// value its column holds, after a load that inserted rows with their own ids.
const RESET_SEQUENCES: &str = "DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT table_name, column_name FROM information_schema.columns
             WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'
    LOOP
        EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L), COALESCE(MAX(%I), 0) + 1, false) FROM %I',
                       c.table_name, c.column_name, c.column_name, c.table_name);
    END LOOP;
END $$";

impl Backend for Postgres {
    type Tx = PostgresTx;
    const NAME: &'static str = "postgres";
    // One lock for the whole change log, held from taking a sequence number until commit, so
    // numbers become visible in the order they were taken: a follower never sees seq 11 while
    // seq 10 may still commit. The key is arbitrary; it only has to be the same everywhere.
    const DIALECT: Dialect = Dialect {
        lock_change_log: Some("SELECT pg_advisory_xact_lock(7262737226)"),
        bytewise: " COLLATE \"C\"",
        after_load: Some(RESET_SEQUENCES),
        fold_counts: Some(FOLD_COUNTS),
    };

    async fn begin(&self) -> Result<PostgresTx> {
        let tx = self.pool.begin().await.map_err(map_err)?;
        Ok(PostgresTx(tx, Arc::clone(&self.statistics)))
    }

    async fn begin_snapshot(&self) -> Result<PostgresTx> {
        let tx = self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await.map_err(map_err)?;
        Ok(PostgresTx(tx, Arc::clone(&self.statistics)))
    }

    async fn fetch(&self, sql: &str, params: Vec<SqlValue>) -> Result<Vec<Row>> {
        rows(bind(sqlx::query(sql), params).fetch_all(&self.pool).await.map_err(map_err)?)
    }

    async fn schema_version(&self) -> Result<i64> {
        applied_version(&self.pool).await
    }
}

impl Tx for PostgresTx {
    async fn execute(&mut self, sql: &str, params: Vec<SqlValue>) -> Result<u64> {
        Ok(bind(sqlx::query(sql), params).execute(&mut *self.0).await.map_err(map_err)?.rows_affected())
    }

    async fn fetch(&mut self, sql: &str, params: Vec<SqlValue>) -> Result<Vec<Row>> {
        rows(bind(sqlx::query(sql), params).fetch_all(&mut *self.0).await.map_err(map_err)?)
    }

    async fn commit(self) -> Result<()> {
        self.0.commit().await.map_err(map_err)?;
        self.1.after_write();
        Ok(())
    }
}
