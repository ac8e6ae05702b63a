use banyan_store::StoreError;
use banyan_testkit::{TestDb, backend_tests};

backend_tests!(
    the_schema_is_current_and_reopening_is_a_no_op,
    a_newer_schema_is_refused,
    a_migration_killed_half_way_leaves_the_old_schema_whole,
);

async fn the_schema_is_current_and_reopening_is_a_no_op(db: TestDb) {
    let v = db.store.schema_version().await.unwrap();
    assert!(v >= 1);
    db.store.ping().await.unwrap();
    let applied = db.count("_sqlx_migrations").await;
    let again = db.reopen().await.unwrap();
    assert_eq!(again.schema_version().await.unwrap(), v);
    assert_eq!(db.count("_sqlx_migrations").await, applied, "migrations run once");
}

async fn a_newer_schema_is_refused(db: TestDb) {
    let checksum = if db.backend() == "sqlite" { "X'00'" } else { "'\\x00'::bytea" };
    db.execute_raw(&format!(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101000000, 'from the future', TRUE, {checksum}, 0)"
    ))
    .await;
    match db.reopen().await {
        Err(StoreError::SchemaTooNew { database, known }) => {
            assert_eq!(database, 99990101000000);
            assert!(known < database);
        }
        Err(other) => panic!("expected SchemaTooNew, got {other:?}"),
        Ok(_) => panic!("expected SchemaTooNew, got a store"),
    }
}

/// A database to migrate by hand: a SQLite file, or a PostgreSQL database dropped afterwards.
enum Target {
    Sqlite(tempfile::TempDir),
    Postgres { url: String, admin_url: String, name: String },
}

impl Target {
    async fn new(backend: &str) -> Target {
        if backend == "sqlite" {
            Target::Sqlite(tempfile::tempdir().unwrap())
        } else {
            let (url, admin_url, name) = banyan_testkit::new_postgres_database().await.expect("PostgreSQL is here");
            Target::Postgres { url, admin_url, name }
        }
    }

    fn arg(&self) -> String {
        match self {
            Target::Sqlite(dir) => dir.path().join(banyan_store_sqlite::DATABASE_FILE).display().to_string(),
            Target::Postgres { url, .. } => url.clone(),
        }
    }

    fn migrate(&self, version: i64, stall: bool) -> Helper {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_migrate-part-way"));
        cmd.arg(self.arg()).arg(version.to_string());
        if stall {
            cmd.arg("--stall");
        }
        Helper(cmd.spawn().expect("the helper starts"))
    }

    /// The schema (tables, columns, indexes, triggers), the migrations recorded, and how many
    /// rows each table holds.
    async fn fingerprint(&self) -> Vec<String> {
        use sqlx::Row;
        let mut out = Vec::new();
        match self {
            Target::Sqlite(_) => {
                let options = banyan_store_sqlite::connect_options(std::path::Path::new(&self.arg()));
                let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
                let rows = sqlx::query(
                    "SELECT type, name, COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
                )
                .fetch_all(&pool)
                .await
                .unwrap();
                for r in &rows {
                    let (kind, name): (String, String) = (r.get(0), r.get(1));
                    out.push(format!("{kind} {name}: {}", r.get::<String, _>(2)));
                    if kind == "table" {
                        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{name}\""))
                            .fetch_one(&pool)
                            .await
                            .unwrap();
                        out.push(format!("{name} rows: {n}"));
                    }
                }
                let applied: Vec<i64> =
                    sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY 1")
                        .fetch_all(&pool)
                        .await
                        .unwrap_or_default();
                out.push(format!("applied: {applied:?}"));
                pool.close().await;
            }
            Target::Postgres { url, .. } => {
                let pool = sqlx::PgPool::connect(url).await.unwrap();
                let columns = sqlx::query(
                    "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text \
                     FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2",
                )
                .fetch_all(&pool)
                .await
                .unwrap();
                for r in &columns {
                    out.push(format!(
                        "column {}.{} {} {}",
                        r.get::<String, _>(0),
                        r.get::<String, _>(1),
                        r.get::<String, _>(2),
                        r.get::<String, _>(3)
                    ));
                }
                let indexes: Vec<String> =
                    sqlx::query_scalar("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1")
                        .fetch_all(&pool)
                        .await
                        .unwrap();
                out.extend(indexes);
                let tables: Vec<String> =
                    sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
                        .fetch_all(&pool)
                        .await
                        .unwrap();
                for t in tables {
                    let n: i64 =
                        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{t}\"")).fetch_one(&pool).await.unwrap();
                    out.push(format!("{t} rows: {n}"));
                }
                pool.close().await;
            }
        }
        out
    }

    /// Waits until the helper is inside the migration's transaction.
    async fn wait_until_inside(&self, helper: &mut Helper) {
        for _ in 0..600 {
            assert!(helper.0.try_wait().unwrap().is_none(), "the stalled migration ended by itself");
            let inside = match self {
                // The write lock is taken: the migration has begun writing and not committed.
                Target::Sqlite(_) => {
                    let path = self.arg();
                    if !std::path::Path::new(&path).exists() {
                        false
                    } else {
                        let options = banyan_store_sqlite::connect_options(std::path::Path::new(&path))
                            .busy_timeout(std::time::Duration::ZERO);
                        match <sqlx::SqliteConnection as sqlx::Connection>::connect_with(&options).await {
                            Ok(mut c) => sqlx::raw_sql("BEGIN IMMEDIATE; ROLLBACK").execute(&mut c).await.is_err(),
                            Err(e) => {
                                assert!(e.to_string().contains("locked"), "{e}");
                                true
                            }
                        }
                    }
                }
                Target::Postgres { url, name, .. } => {
                    let pool = sqlx::PgPool::connect(url).await.unwrap();
                    let n: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event = 'PgSleep' \
                         AND state = 'active' AND pid <> pg_backend_pid()",
                    )
                    .bind(name)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                    pool.close().await;
                    n > 0
                }
            };
            if inside {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("the helper never got inside its migration");
    }

    /// After the helper is killed: PostgreSQL ends the orphaned session (it would otherwise
    /// sleep on, holding its locks, until it next writes to the dead socket).
    async fn settle(&self) {
        if let Target::Postgres { admin_url, name, .. } = self {
            let pool = sqlx::PgPool::connect(admin_url).await.unwrap();
            for _ in 0..300 {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                )
                .bind(name)
                .fetch_one(&pool)
                .await
                .unwrap();
                if n == 0 {
                    break;
                }
                // The only thing a dead client's session still does is the sleep; it is
                // terminated, as the server's own connection check would.
                sqlx::query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 \
                     AND pid <> pg_backend_pid() AND wait_event = 'PgSleep'",
                )
                .bind(name)
                .execute(&pool)
                .await
                .unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            pool.close().await;
        }
    }
}

/// The helper process, killed if the test ends before it does.
struct Helper(std::process::Child);

impl Helper {
    fn succeeds(mut self) -> bool {
        self.0.wait().unwrap().success()
    }
    fn kill(mut self) {
        self.0.kill().unwrap();
        self.0.wait().unwrap();
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Target::Postgres { admin_url, name, .. } = self {
            banyan_testkit::drop_postgres_database(admin_url.clone(), name.clone());
        }
    }
}

/// For every migration: a process killed inside it leaves exactly the schema before it, data
/// and all; the next start applies it whole, and the result is the schema a fresh database gets.
async fn a_migration_killed_half_way_leaves_the_old_schema_whole(db: TestDb) {
    let versions: Vec<i64> = if db.backend() == "sqlite" {
        banyan_store_sqlite::migrations().iter().map(|m| m.version).collect()
    } else {
        banyan_store_postgres::migrations().iter().map(|m| m.version).collect()
    };
    // What each schema looks like, made without interruption.
    let mut expected = Vec::new();
    for &v in &versions {
        let fresh = Target::new(db.backend()).await;
        assert!(fresh.migrate(v, false).succeeds());
        expected.push(fresh.fingerprint().await);
    }

    let target = Target::new(db.backend()).await;
    let mut before: Option<Vec<String>> = None;
    for (i, &v) in versions.iter().enumerate() {
        let mut child = target.migrate(v, true);
        target.wait_until_inside(&mut child).await;
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        child.kill();
        target.settle().await;
        let after_kill = target.fingerprint().await;
        match &before {
            Some(old) => assert_eq!(&after_kill, old, "killed inside migration {v}: the schema before it, whole"),
            None => assert!(
                !after_kill.iter().any(|l| l.contains("records")),
                "killed inside the first migration: none of it is there"
            ),
        }
        // The next start applies it whole.
        if i + 1 == versions.len() {
            let store: std::sync::Arc<dyn banyan_store::Store> = match &target {
                Target::Sqlite(dir) => std::sync::Arc::new(banyan_store_sqlite::open(dir.path()).await.unwrap()),
                Target::Postgres { url, .. } => std::sync::Arc::new(banyan_store_postgres::open(url, 2).await.unwrap()),
            };
            assert_eq!(store.schema_version().await.unwrap(), v);
            drop(store);
        } else {
            assert!(target.migrate(v, false).succeeds());
        }
        let now = target.fingerprint().await;
        assert_eq!(now, expected[i], "after migration {v}: the schema a fresh database gets");
        before = Some(now);
    }
}
