//! Databases made by earlier versions of Banyan open in this one: migrated, with their foreign
//! keys and data intact, and opening again changes nothing.
//!
//! `tests/fixtures/schema-<N>-demo.sqlite3` is the demo content as the build with schema
//! version N wrote it (`banyan serve --demo`, then `banyan backup`). Keep every one; add the
//! new one whenever a migration is added, so that each later build is tested against it.
//! Schemas 1 to 5 came before fixtures were kept: theirs were made later by building the last
//! commit at which each was the newest (`scripts/schema-fixture`).

use std::path::Path;

use banyan_store::{RecordQuery, Store, Visibility};
use banyan_store_sqlite::{DATABASE_FILE, known_schema_version};

/// The kept databases, oldest first: `(schema version, file name)`.
fn fixtures() -> Vec<(i64, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out: Vec<(i64, String)> = std::fs::read_dir(&dir)
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
        "no tests/fixtures/schema-<N>-demo.sqlite3 for schema versions {missing:?}: keep one for every version \
         (see the module's note)"
    );
}

#[tokio::test]
async fn every_kept_database_migrates_to_the_newest_schema_with_its_data() {
    for (version, name) in fixtures() {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(&name);
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
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(fixtures().last().unwrap().1.clone());
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
