//! SQLite, the default backend: one file in the data folder, nothing else to install.
//!
//! Writes go through a pool of one connection and start with `BEGIN IMMEDIATE`, so writers in
//! this process queue instead of failing, and a writer in another process (an import while the
//! server runs) waits on the busy timeout instead of failing mid-transaction. Reads use their
//! own read-only connections and see the last committed state (WAL).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Column, Row as _, SqlitePool, TypeInfo, ValueRef};

use banyan_store::sql::{Backend, Dialect, Row, SqlStore, SqlType, SqlValue, Tx, time_text};
use banyan_store::{Result, StoreError};

/// The file inside the data folder.
pub const DATABASE_FILE: &str = "banyan.sqlite3";

/// How long a writer waits for another process's write to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub struct Sqlite {
    write: SqlitePool,
    read: SqlitePool,
}

pub type SqliteStore = SqlStore<Sqlite>;

/// The newest schema version this build knows.
pub fn known_schema_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// Opens (creating if needed) the database in `data_dir`, and brings its schema up to date.
pub async fn open(data_dir: &Path) -> Result<SqliteStore> {
    std::fs::create_dir_all(data_dir)
        .map_err(|e| StoreError::Database(format!("cannot create data folder {}: {e}", data_dir.display())))?;
    open_file(&data_dir.join(DATABASE_FILE)).await
}

/// The migrations this build applies, in order (for the tests that stop one half-way).
#[doc(hidden)]
pub fn migrations() -> &'static [sqlx::migrate::Migration] {
    &MIGRATOR.migrations
}

/// How every connection to the database at `path` is made.
#[doc(hidden)]
pub fn connect_options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
}

/// Opens (creating if needed) the database file at `path`.
pub async fn open_file(path: &Path) -> Result<SqliteStore> {
    let options = connect_options(path);
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(BUSY_TIMEOUT * 2)
        .connect_with(options.clone().create_if_missing(true))
        .await
        .map_err(|e| StoreError::Database(format!("cannot open {}: {e}", path.display())))?;
    migrate(&write).await?;
    let read = SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(BUSY_TIMEOUT)
        .connect_with(options.read_only(true))
        .await
        .map_err(map_err)?;
    Ok(SqlStore::new(Sqlite { write, read }))
}

/// Writes a consistent snapshot of the database in `data_dir` to `target` with `VACUUM INTO`,
/// while servers and imports go on reading and writing it: the snapshot is the database as of
/// one moment, every transaction committed before it whole, none after it. `target` must not
/// exist. The snapshot is checked (`PRAGMA integrity_check`) before this returns.
pub async fn backup(data_dir: &Path, target: &Path) -> Result<()> {
    let source = data_dir.join(DATABASE_FILE);
    if !source.exists() {
        return Err(StoreError::Database(format!("there is no database at {}", source.display())));
    }
    if target.exists() {
        return Err(StoreError::Database(format!("{} exists already; back up to a new file", target.display())));
    }
    let options = SqliteConnectOptions::new().filename(&source).busy_timeout(BUSY_TIMEOUT).read_only(true);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.map_err(map_err)?;
    let target_text = target.to_str().ok_or_else(|| StoreError::Database("the backup path is not UTF-8".into()))?;
    sqlx::query("VACUUM INTO ?").bind(target_text).execute(&pool).await.map_err(map_err)?;
    pool.close().await;
    check(target).await
}

/// Checks that `file` is a sound Banyan database this build can open: `PRAGMA integrity_check`
/// is `ok` and its schema is not newer than this build's.
pub async fn check(file: &Path) -> Result<()> {
    let options = SqliteConnectOptions::new().filename(file).read_only(true);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.map_err(map_err)?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&pool).await.map_err(map_err)?;
    if integrity != "ok" {
        return Err(StoreError::Database(format!("{} fails its integrity check: {integrity}", file.display())));
    }
    let (database, known) = (applied_version(&pool).await?, known_schema_version());
    pool.close().await;
    if database == 0 {
        return Err(StoreError::Database(format!("{} is not a Banyan database", file.display())));
    }
    if database > known {
        return Err(StoreError::SchemaTooNew { database, known });
    }
    Ok(())
}

/// Puts the backup `file` in place as the database of `data_dir` (which no process may be
/// using): checked first, copied beside the database and synced, then renamed over it in one
/// step, so that a crash leaves either the old database or the restored one.
pub async fn restore(file: &Path, data_dir: &Path) -> Result<()> {
    check(file).await?;
    let io = |e: std::io::Error| StoreError::Database(format!("restoring into {}: {e}", data_dir.display()));
    std::fs::create_dir_all(data_dir).map_err(io)?;
    let target = data_dir.join(DATABASE_FILE);
    let staging = data_dir.join(format!("{DATABASE_FILE}.restoring"));
    std::fs::copy(file, &staging).map_err(io)?;
    std::fs::File::open(&staging).and_then(|f| f.sync_all()).map_err(io)?;
    // Fold the old database's log into it first, so that removing the log loses nothing if
    // the rename below never happens.
    if target.exists() {
        let options = SqliteConnectOptions::new().filename(&target).busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.map_err(map_err)?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&pool).await.map_err(map_err)?;
        pool.close().await;
    }
    for suffix in ["-wal", "-shm"] {
        let side = data_dir.join(format!("{DATABASE_FILE}{suffix}"));
        if side.exists() {
            std::fs::remove_file(side).map_err(io)?;
        }
    }
    std::fs::rename(&staging, &target).map_err(io)?;
    std::fs::File::open(data_dir).and_then(|d| d.sync_all()).map_err(io)?;
    Ok(())
}

async fn applied_version(pool: &SqlitePool) -> Result<i64> {
    let exists: Option<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
            .fetch_optional(pool)
            .await
            .map_err(map_err)?;
    if exists.is_none() {
        return Ok(0);
    }
    let v: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await
        .map_err(map_err)?;
    Ok(v.unwrap_or(0))
}

/// Applies what is missing, each migration in its own transaction; refuses a newer schema.
async fn migrate(pool: &SqlitePool) -> Result<()> {
    let (database, known) = (applied_version(pool).await?, known_schema_version());
    if database > known {
        return Err(StoreError::SchemaTooNew { database, known });
    }
    MIGRATOR.run(pool).await.map_err(|e| StoreError::Database(format!("migration failed: {e}")))
}

pub struct SqliteTx(sqlx::Transaction<'static, sqlx::Sqlite>);

fn bind<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    params: Vec<SqlValue>,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    for p in params {
        q = match p {
            SqlValue::Null(_) => q.bind(None::<String>),
            SqlValue::Bool(b) => q.bind(b),
            SqlValue::Int(n) => q.bind(n),
            SqlValue::Float(f) => q.bind(f),
            SqlValue::Text(s) => q.bind(s),
            SqlValue::Uuid(u) => q.bind(u.hyphenated().to_string()),
            SqlValue::Time(t) => q.bind(time_text(&t)),
            SqlValue::Json(v) => q.bind(v.to_string()),
        };
    }
    q
}

fn rows(raw: Vec<sqlx::sqlite::SqliteRow>) -> Result<Vec<Row>> {
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
                    // SQLite is dynamically typed: read each value by the type it has.
                    Ok(match value.type_info().name() {
                        "INTEGER" | "BOOLEAN" => SqlValue::Int(r.try_get_unchecked(i).map_err(map_err)?),
                        "REAL" => SqlValue::Float(r.try_get_unchecked(i).map_err(map_err)?),
                        "TEXT" => SqlValue::Text(r.try_get_unchecked(i).map_err(map_err)?),
                        other => return Err(StoreError::Corrupt(format!("unexpected SQLite value of type {other}"))),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Row::new(columns.clone(), values))
        })
        .collect()
}

fn map_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate(db.message().to_string()),
        // SQLITE_BUSY (5) and SQLITE_LOCKED (6), after the busy timeout
        sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("5" | "6" | "517" | "262")) => {
            StoreError::Unavailable(db.message().to_string())
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Database(e.to_string()),
    }
}

impl Backend for Sqlite {
    type Tx = SqliteTx;
    const NAME: &'static str = "sqlite";
    // Writes are serialised by the single write connection and BEGIN IMMEDIATE.
    // SQLite compares text bytewise, and a row inserted with its own id moves
    // AUTOINCREMENT's counter past it.
    const DIALECT: Dialect = Dialect { lock_change_log: None, bytewise: "", after_load: None, fold_counts: None };

    async fn begin(&self) -> Result<SqliteTx> {
        // Begun in a task of its own, which finishes even when the caller is cancelled (a client
        // that hangs up mid-request). sqlx sends `BEGIN IMMEDIATE` and then checks that it took
        // effect; a caller cancelled between the two left the one write connection inside a
        // transaction nobody could end, and every later write failed. The load test found it.
        // Now a transaction begun for a caller that is gone is dropped, and so rolled back.
        let pool = self.write.clone();
        tokio::spawn(async move { pool.begin_with("BEGIN IMMEDIATE").await })
            .await
            .map_err(|e| StoreError::Database(format!("beginning a transaction: {e}")))?
            .map(SqliteTx)
            .map_err(map_err)
    }

    async fn begin_snapshot(&self) -> Result<SqliteTx> {
        // A deferred transaction on a read-only connection: its first read fixes the snapshot
        // it sees (WAL), and writers go on meanwhile.
        self.read.begin_with("BEGIN").await.map(SqliteTx).map_err(map_err)
    }

    async fn fetch(&self, sql: &str, params: Vec<SqlValue>) -> Result<Vec<Row>> {
        rows(bind(sqlx::query(sql), params).fetch_all(&self.read).await.map_err(map_err)?)
    }

    async fn schema_version(&self) -> Result<i64> {
        applied_version(&self.read).await
    }
}

impl Tx for SqliteTx {
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

impl Sqlite {
    /// Runs `PRAGMA integrity_check`; `ok` when the file is sound.
    pub async fn integrity_check(&self) -> Result<String> {
        sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&self.read).await.map_err(map_err)
    }
}
