//! Databases made by earlier versions of Banyan open in this one: migrated, with their foreign
//! keys and data intact, and opening again changes nothing.
//!
//! `tests/fixtures/schema-<N>-demo.sqlite3` is the demo content as the build with schema
//! version N wrote it (`banyan serve --demo`, then `banyan backup`). Keep every one; add the
//! new one whenever a migration is added, so that each later build is tested against it.

use std::path::Path;

use banyan_store::{RecordQuery, Store, Visibility};
use banyan_store_sqlite::{DATABASE_FILE, known_schema_version};

const FIXTURES: &[(i64, &str)] = &[(6, "schema-6-demo.sqlite3"), (7, "schema-7-demo.sqlite3")];

async fn scalar(file: &Path, sql: &str) -> Vec<String> {
    use sqlx::Row;
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", file.display())).await.unwrap();
    let rows = sqlx::query(sql).fetch_all(&pool).await.unwrap();
    let out =
        rows.iter().map(|r| r.try_get::<String, _>(0).unwrap_or_else(|_| r.get::<i64, _>(0).to_string())).collect();
    pool.close().await;
    out
}

#[tokio::test]
async fn every_kept_database_migrates_to_the_newest_schema_with_its_data() {
    assert!(
        FIXTURES.iter().any(|(v, _)| *v == known_schema_version()),
        "add tests/fixtures/schema-{}-demo.sqlite3 for the newest schema (see the module's note)",
        known_schema_version()
    );
    for (version, name) in FIXTURES {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(&fixture, dir.path().join(DATABASE_FILE)).unwrap();
        let file = dir.path().join(DATABASE_FILE);
        let before = scalar(&file, "SELECT MAX(version) FROM _sqlx_migrations").await;
        assert_eq!(before, [version.to_string()], "{name} is a schema {version} database");

        let store = banyan_store_sqlite::open(dir.path()).await.expect("an old database opens");
        let records = store
            .list_records(&RecordQuery { visibility: Visibility::All, limit: 100, ..Default::default() })
            .await
            .unwrap();
        assert_eq!(records.total, 30, "{name}: every demo record is still there");
        assert_eq!(store.adoptions(None).await.unwrap().len(), 9, "{name}");
        assert_eq!(store.services(None).await.unwrap().len(), 5, "{name}");
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
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(FIXTURES.last().unwrap().1);
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
