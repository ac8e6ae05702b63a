//! Databases made by earlier versions of Banyan open in this one, on SQLite and on PostgreSQL:
//! migrated, with their foreign keys and data intact, and opening again changes nothing.
//!
//! `crates/store-sqlite/tests/fixtures/schema-<N>-demo.sqlite3` is the demo content as the build with schema
//! version N wrote it (`banyan serve --demo`, then `banyan backup`). Keep every one; add the
//! new one whenever a migration is added, so that each later build is tested against it.
//! Schemas 1 to 5 came before fixtures were kept: theirs were made later by building the last
//! commit at which each was the newest (`scripts/schema-fixture`).

use std::path::Path;

use banyan_store::{RecordQuery, Store, Visibility};
use banyan_store_sqlite::{DATABASE_FILE, known_schema_version};

fn fixture_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../store-sqlite/tests/fixtures")
}

/// The kept databases, oldest first: `(schema version, file name)`.
fn fixtures() -> Vec<(i64, String)> {
    let mut out: Vec<(i64, String)> = std::fs::read_dir(fixture_dir())
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            let version = name.strip_prefix("schema-")?.strip_suffix("-demo.sqlite3")?.parse().ok()?;
            Some((version, name))
        })
        .collect();
    out.sort();
    out
}

async fn scalar(file: &Path, sql: &str) -> Vec<String> {
    use sqlx::Row;
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", file.display())).await.unwrap();
    let rows = sqlx::query(sql).fetch_all(&pool).await.unwrap();
    let out =
        rows.iter().map(|r| r.try_get::<String, _>(0).unwrap_or_else(|_| r.get::<i64, _>(0).to_string())).collect();
    pool.close().await;
    out
}

/// Rows of a table in a database, 0 when it has no such table (an older schema).
async fn rows(file: &Path, table: &str) -> usize {
    let exists =
        scalar(file, &format!("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'")).await;
    if exists == ["0"] {
        return 0;
    }
    scalar(file, &format!("SELECT COUNT(*) FROM {table}")).await[0].parse().unwrap()
}

#[test]
fn a_database_of_every_schema_version_is_kept() {
    let versions: Vec<i64> = fixtures().into_iter().map(|(v, _)| v).collect();
    let known = known_schema_version();
    let missing: Vec<i64> = (1..=known).filter(|v| !versions.contains(v)).collect();
    assert!(
        missing.is_empty(),
        "no crates/store-sqlite/tests/fixtures/schema-<N>-demo.sqlite3 for schema versions {missing:?}: keep one for every version \
         (see the module's note)"
    );
}

#[tokio::test]
async fn every_kept_database_migrates_to_the_newest_schema_with_its_data() {
    for (version, name) in fixtures() {
        let fixture = fixture_dir().join(&name);
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(&fixture, dir.path().join(DATABASE_FILE)).unwrap();
        let file = dir.path().join(DATABASE_FILE);
        let before = scalar(&file, "SELECT MAX(version) FROM _sqlx_migrations").await;
        assert_eq!(before, [version.to_string()], "{name} is a schema {version} database");
        let (records, adoptions, services) =
            (rows(&file, "records").await, rows(&file, "adoptions").await, rows(&file, "services").await);
        assert_eq!(records, 30, "{name}: the demo's records");

        let store = banyan_store_sqlite::open(dir.path()).await.expect("an old database opens");
        // Every record reads back: what older builds wrote still decodes.
        let listed = store
            .list_records(&RecordQuery { visibility: Visibility::All, limit: 100, ..Default::default() })
            .await
            .unwrap();
        assert_eq!((listed.total as usize, listed.items.len()), (records, records), "{name}: every record is there");
        let public = store.list_records(&RecordQuery { limit: 100, ..Default::default() }).await.unwrap();
        assert_eq!(public.total as usize, public.items.len(), "{name}: the public total is counted");
        assert_eq!(store.adoptions(None).await.unwrap().len(), adoptions, "{name}");
        assert_eq!(store.services(None).await.unwrap().len(), services, "{name}");
        drop(store);

        assert_eq!(scalar(&file, "PRAGMA integrity_check").await, ["ok"], "{name}");
        assert!(scalar(&file, "PRAGMA foreign_key_check").await.is_empty(), "{name}: foreign keys hold");
        assert_eq!(
            scalar(&file, "SELECT MAX(version) FROM _sqlx_migrations WHERE success").await,
            [known_schema_version().to_string()]
        );
        // Opening again applies nothing.
        let applied = scalar(&file, "SELECT COUNT(*) FROM _sqlx_migrations").await;
        banyan_store_sqlite::open(dir.path()).await.unwrap();
        assert_eq!(scalar(&file, "SELECT COUNT(*) FROM _sqlx_migrations").await, applied, "{name}: a no-op");
    }
}

#[tokio::test]
async fn a_database_newer_than_this_build_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = fixture_dir().join(fixtures().last().unwrap().1.clone());
    std::fs::copy(&fixture, dir.path().join(DATABASE_FILE)).unwrap();
    let file = dir.path().join(DATABASE_FILE);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", file.display())).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
                 VALUES (9999, 'from the future', CURRENT_TIMESTAMP, 1, x'00', 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let err = banyan_store_sqlite::open(dir.path()).await.err().expect("refused");
    assert!(err.to_string().contains("9999") || format!("{err:?}").contains("SchemaTooNew"), "{err}");
    assert_eq!(scalar(&file, "SELECT COUNT(*) FROM records").await, ["30"]);
}

/// The databases older builds wrote (the fixtures above, one per schema
/// version), each put into PostgreSQL at its own schema version, the way that build would have
/// kept it, and opened by this build: every migration since runs over real data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgresql_database_of_every_schema_version_migrates_with_its_data() {
    use std::borrow::Cow;

    use sqlx::{Connection, Row};

    let newest = banyan_store_postgres::migrations().last().unwrap().version;
    for (version, name) in fixtures() {
        let path = fixture_dir().join(&name);
        let Some((url, admin_url, name)) = banyan_testkit::new_postgres_database().await else { return };
        let chosen: Vec<sqlx::migrate::Migration> =
            banyan_store_postgres::migrations().iter().filter(|m| m.version <= version).cloned().collect();
        let migrator = sqlx::migrate::Migrator { migrations: Cow::Owned(chosen), ..sqlx::migrate::Migrator::DEFAULT };
        let mut pg = sqlx::PgConnection::connect(&url).await.unwrap();
        migrator.run(&mut pg).await.unwrap();

        // Copy every row, parents first, each value as text cast to its PostgreSQL column's type.
        let mut lite = sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=ro", path.display())).await.unwrap();
        let mut copied = std::collections::BTreeMap::new();
        for table in banyan_store::dump::TABLES {
            let columns: Vec<(String, String)> = sqlx::query(
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table.name)
            .fetch_all(&mut pg)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
            if columns.is_empty() {
                continue; // not in this schema yet
            }
            let names = columns.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>().join(", ");
            let select = columns.iter().map(|(c, _)| format!("CAST({c} AS TEXT)")).collect::<Vec<_>>().join(", ");
            let params =
                columns.iter().enumerate().map(|(i, (_, t))| format!("${}::text::{t}", i + 1)).collect::<Vec<_>>();
            let insert = format!("INSERT INTO {} ({names}) VALUES ({})", table.name, params.join(", "));
            let rows = sqlx::query(&format!("SELECT {select} FROM {}", table.name)).fetch_all(&mut lite).await.unwrap();
            for row in &rows {
                let mut q = sqlx::query(&insert);
                for (i, (_, ty)) in columns.iter().enumerate() {
                    let text: Option<String> = row.get(i);
                    // SQLite keeps booleans as 0 and 1.
                    q = q.bind(match (text, ty.as_str()) {
                        (Some(t), "boolean") => Some(if t == "0" { "false".to_string() } else { "true".to_string() }),
                        (t, _) => t,
                    });
                }
                q.execute(&mut pg).await.unwrap_or_else(|e| panic!("schema {version}, {}: {e}", table.name));
            }
            copied.insert(table.name, rows.len());
        }
        pg.close().await.unwrap();
        assert_eq!(copied["records"], 30, "schema {version}: the demo's records");

        // This build opens it, migrates it and reads everything back.
        let store = banyan_store_postgres::open(&url, 4).await.expect("an old database opens");
        assert_eq!(store.schema_version().await.unwrap(), newest);
        let listed = store
            .list_records(&RecordQuery { visibility: Visibility::All, limit: 100, ..Default::default() })
            .await
            .unwrap();
        assert_eq!((listed.total, listed.items.len()), (30, 30), "schema {version}: every record reads back");
        let public = store.list_records(&RecordQuery { limit: 100, ..Default::default() }).await.unwrap();
        assert_eq!(public.total as usize, public.items.len(), "schema {version}: the public total is counted");
        let adoptions = copied.get("adoptions").copied().unwrap_or(0);
        assert_eq!(store.adoptions(None).await.unwrap().len(), adoptions, "schema {version}");
        let services = copied.get("services").copied().unwrap_or(0);
        assert_eq!(store.services(None).await.unwrap().len(), services, "schema {version}");
        drop(store);
        let again = banyan_store_postgres::open(&url, 2).await.expect("opens again");
        assert_eq!(again.schema_version().await.unwrap(), newest);
        drop(again);
        banyan_testkit::drop_postgres_database(admin_url, name);
    }
}
