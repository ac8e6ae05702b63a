//! Helpers for Banyan's tests.
//!
//! Every storage test runs on both backends: [`backend_tests!`] turns one `async fn(TestDb)`
//! into a SQLite test and a PostgreSQL test. Each gets a database of its own: a temporary data
//! folder, or a new PostgreSQL database that is dropped afterwards.
//!
//! PostgreSQL tests run when `BANYAN_TEST_POSTGRES_URL` names a server
//! (`postgres://postgres@127.0.0.1:5432/postgres`). Without it they print why they skip, and
//! fail when `CI=true`, so CI can never pass by skipping them. The same holds for tests that
//! need the public reference data in `../shared/data`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use banyan_store::Store;

/// The environment variable that turns the PostgreSQL tests on.
pub const POSTGRES_ENV: &str = "BANYAN_TEST_POSTGRES_URL";

/// Whether missing test components must fail the run.
/// What every test process needs before it makes HTTP clients: the TLS provider reqwest uses
/// (ring, as for sqlx; Banyan's binary installs the same at start).
pub fn init() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Skips (prints why and returns `None`) or, in CI, fails.
pub fn skip<T>(why: &str) -> Option<T> {
    assert!(!in_ci(), "CI=true but {why}");
    eprintln!("SKIPPED: {why}");
    None
}

/// The folder of public reference data (`../shared/data`), found from `BANYAN_SHARED_DATA`, the
/// workspace's parent, or `/work/shared/data`.
pub fn shared_data() -> Option<PathBuf> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let candidates = [
        std::env::var_os("BANYAN_SHARED_DATA").map(PathBuf::from),
        Some(workspace.join("../shared/data")),
        Some(PathBuf::from("/work/shared/data")),
    ];
    match candidates.into_iter().flatten().find(|p| p.join("README.md").is_file()) {
        Some(p) => Some(p.canonicalize().unwrap_or(p)),
        None => skip("the shared reference data (../shared/data) is not here; set BANYAN_SHARED_DATA"),
    }
}

/// Which database a test runs on.
pub enum Database {
    Sqlite {
        dir: tempfile::TempDir,
    },
    /// `data` is the data folder a server on this database keeps its search index in.
    Postgres {
        url: String,
        admin_url: String,
        name: String,
        data: tempfile::TempDir,
    },
}

/// A fresh, migrated, empty database for one test.
pub struct TestDb {
    pub store: Arc<dyn Store>,
    pub database: Database,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        init();
        let dir = tempfile::tempdir().expect("a temporary folder");
        let store = banyan_store_sqlite::open(dir.path()).await.expect("SQLite opens");
        TestDb { store: Arc::new(store), database: Database::Sqlite { dir } }
    }

    /// A new PostgreSQL database, or `None` (skipped) without `BANYAN_TEST_POSTGRES_URL`.
    pub async fn postgres() -> Option<TestDb> {
        init();
        let (url, admin_url, name) = new_postgres_database().await?;
        let store = banyan_store_postgres::open(&url, 16).await.expect("PostgreSQL opens");
        let data = tempfile::tempdir().expect("a temporary folder");
        Some(TestDb { store: Arc::new(store), database: Database::Postgres { url, admin_url, name, data } })
    }

    /// Another fresh, empty database on the same backend (a second node).
    pub async fn another(&self) -> TestDb {
        match self.database {
            Database::Sqlite { .. } => TestDb::sqlite().await,
            Database::Postgres { .. } => TestDb::postgres().await.expect("PostgreSQL was there a moment ago"),
        }
    }

    pub fn backend(&self) -> &'static str {
        match self.database {
            Database::Sqlite { .. } => "sqlite",
            Database::Postgres { .. } => "postgres",
        }
    }

    /// Command-line arguments that point `banyan` at this database (and, on PostgreSQL, at a
    /// data folder of its own for the search index).
    pub fn cli_args(&self) -> Vec<String> {
        match &self.database {
            Database::Sqlite { dir } => vec!["--data-dir".into(), dir.path().display().to_string()],
            Database::Postgres { url, data, .. } => {
                vec!["--database-url".into(), url.clone(), "--data-dir".into(), data.path().display().to_string()]
            }
        }
    }

    /// The SQLite database file, for a SQLite test database.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        match &self.database {
            Database::Sqlite { dir } => Some(dir.path().join(banyan_store_sqlite::DATABASE_FILE)),
            Database::Postgres { .. } => None,
        }
    }

    /// Opens the same database again, as a restarted server would.
    pub async fn reopen(&self) -> banyan_store::Result<Arc<dyn Store>> {
        Ok(match &self.database {
            Database::Sqlite { dir } => Arc::new(banyan_store_sqlite::open(dir.path()).await?),
            Database::Postgres { url, .. } => Arc::new(banyan_store_postgres::open(url, 4).await?),
        })
    }

    /// Runs SQL directly, behind the store's back (to simulate tampering or a newer schema).
    pub async fn execute_raw(&self, sql: &str) {
        use sqlx::Connection;
        match &self.database {
            Database::Sqlite { dir } => {
                let path = dir.path().join(banyan_store_sqlite::DATABASE_FILE);
                let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
                sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
            }
            Database::Postgres { url, .. } => {
                let mut c = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
            }
        }
    }

    /// Counts rows of a table, behind the store's back.
    pub async fn count(&self, table: &str) -> i64 {
        use sqlx::Connection;
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match &self.database {
            Database::Sqlite { dir } => {
                let path = dir.path().join(banyan_store_sqlite::DATABASE_FILE);
                let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
                sqlx::query_scalar(&sql).fetch_one(&mut c).await.unwrap()
            }
            Database::Postgres { url, .. } => {
                let mut c = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::query_scalar(&sql).fetch_one(&mut c).await.unwrap()
            }
        }
    }
}

impl TestDb {
    /// Every value in every table, as text: to prove that something is nowhere in the database.
    pub async fn dump_text(&self) -> String {
        use sqlx::{Column, Connection, Row, TypeInfo, ValueRef};
        let mut out = String::new();
        match &self.database {
            Database::Sqlite { dir } => {
                let path = dir.path().join(banyan_store_sqlite::DATABASE_FILE);
                let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
                let tables: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                    .fetch_all(&mut c)
                    .await
                    .unwrap();
                for table in tables {
                    let rows = sqlx::query(&format!("SELECT * FROM \"{table}\"")).fetch_all(&mut c).await.unwrap();
                    for row in rows {
                        for (i, col) in row.columns().iter().enumerate() {
                            let raw = row.try_get_raw(i).unwrap();
                            if raw.is_null() {
                                continue;
                            }
                            let text = match raw.type_info().name() {
                                "TEXT" => row.try_get_unchecked::<String, _>(i).unwrap_or_default(),
                                "INTEGER" => {
                                    row.try_get_unchecked::<i64, _>(i).map(|n| n.to_string()).unwrap_or_default()
                                }
                                "BLOB" => {
                                    String::from_utf8_lossy(&row.try_get_unchecked::<Vec<u8>, _>(i).unwrap_or_default())
                                        .into_owned()
                                }
                                _ => String::new(),
                            };
                            out.push_str(&format!("{table}.{}={text}\n", col.name()));
                        }
                    }
                }
            }
            Database::Postgres { url, .. } => {
                let mut c = sqlx::PgConnection::connect(url).await.unwrap();
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
                )
                .fetch_all(&mut c)
                .await
                .unwrap();
                for table in tables {
                    let rows: Vec<String> =
                        sqlx::query_scalar(&format!("SELECT row_to_json(t)::text FROM \"{table}\" t"))
                            .fetch_all(&mut c)
                            .await
                            .unwrap();
                    for row in rows {
                        out.push_str(&format!("{table}: {row}\n"));
                    }
                }
            }
        }
        out
    }
}

/// Creates an empty database on the test server: `(url, admin url, name)`.
pub async fn new_postgres_database() -> Option<(String, String, String)> {
    use sqlx::Connection;
    let Ok(admin_url) = std::env::var(POSTGRES_ENV) else {
        return skip(&format!("{POSTGRES_ENV} is not set, so the PostgreSQL tests do not run"));
    };
    let name = format!("banyan_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = match sqlx::PgConnection::connect(&admin_url).await {
        Ok(c) => c,
        Err(e) => return skip(&format!("cannot connect to PostgreSQL at {admin_url}: {e}")),
    };
    sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("CREATE DATABASE");
    let url = match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("{POSTGRES_ENV} must end with a database name"),
    };
    Some((url, admin_url, name))
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Database::Postgres { admin_url, name, .. } = &self.database {
            drop_postgres_database(admin_url.clone(), name.clone());
        }
    }
}

/// Drops a test database, from a thread of its own (drop cannot await).
pub fn drop_postgres_database(admin_url: String, name: String) {
    let _ = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        rt.block_on(async {
            use sqlx::Connection;
            if let Ok(mut c) = sqlx::PgConnection::connect(&admin_url).await {
                let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut c).await;
            }
        });
    })
    .join();
}

/// Runs each listed `async fn(TestDb)` on SQLite and on PostgreSQL, as tests named
/// `sqlite::<name>` and `postgres::<name>`.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name($crate::TestDb::sqlite().await).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    if let Some(db) = $crate::TestDb::postgres().await {
                        super::$name(db).await
                    }
                }
            )*
        }
    };
}

pub mod browser;

pub mod fixtures {
    //! Records to write in tests.

    use banyan_domain::record::InputMode;
    use banyan_domain::{Kind, RecordInput};
    use serde_json::{Value, json};

    /// Parses a record from JSON, failing the test with every violation if it is invalid.
    pub fn input(v: &Value) -> RecordInput {
        RecordInput::from_json(v, InputMode::Create).unwrap_or_else(|e| panic!("invalid test record: {e}"))
    }

    /// A realistic published practice.
    pub fn practice(title: &str) -> Value {
        json!({
            "kind": "practice",
            "title": title,
            "summary": "Citizens apply online and visit the office once instead of five times.",
            "lang": "en",
            "sdgs": ["16.6"],
            "sectors": ["01.3"],
            "places": ["BD-13"],
            "level_of_government": "district",
            "innovation_types": ["process"],
            "status": "published",
            "details": {
                "problem": "Five visits to the land office for one mutation.",
                "stage": "implemented",
                "tcv": {"before": {"time_days": 45, "visits": 5}, "after": {"time_days": 7, "visits": 1}},
                "contact": {"name": "Officer in charge", "email": "officer@example.gov.bd"}
            }
        })
    }

    /// A minimal valid record of any kind.
    pub fn of_kind(kind: Kind, title: &str) -> Value {
        let details = match kind {
            Kind::Resource => json!({"resource_type": "toolkit"}),
            _ => json!({}),
        };
        json!({"kind": kind.code(), "title": title, "lang": "en", "details": details})
    }
}
