//! PostgreSQL, for nodes that run several stateless server instances on one database.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgPoolOptions, PgRow};
use sqlx::{Column, PgPool, Row as _, TypeInfo, ValueRef};

use banyan_store::sql::{Backend, Dialect, Row, SqlStore, SqlType, SqlValue, Tx};
use banyan_store::{Result, StoreError};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub struct Postgres {
    pool: PgPool,
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
    Ok(SqlStore::new(Postgres { pool }))
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

pub struct PostgresTx(sqlx::Transaction<'static, sqlx::Postgres>);

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

impl Backend for Postgres {
    type Tx = PostgresTx;
    const NAME: &'static str = "postgres";
    // One lock for the whole change log, held from taking a sequence number until commit, so
    // numbers become visible in the order they were taken: a follower never sees seq 11 while
    // seq 10 may still commit. The key is arbitrary; it only has to be the same everywhere.
    const DIALECT: Dialect = Dialect { lock_change_log: Some("SELECT pg_advisory_xact_lock(7262737226)") };

    async fn begin(&self) -> Result<PostgresTx> {
        self.pool.begin().await.map(PostgresTx).map_err(map_err)
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
        self.0.commit().await.map_err(map_err)
    }
}
