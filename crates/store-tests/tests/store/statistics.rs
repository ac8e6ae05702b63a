//! A node filled from empty, as by an import, goes on finding records through its indexes.
//!
//! PostgreSQL may keep a prepared statement's plan for the life of a connection. A plan made
//! while the table was nearly empty read the whole table for every record's slug lookup once it
//! had grown, so that an import slowed down as it went (found by the load test). The store now
//! brings the planner's statistics up to date as tables grow, which makes every connection plan
//! again; this test fills a node and looks at the statistics and at the plan a connection would
//! keep. SQLite plans each statement from the schema alone; there the test checks the plan too.
//!
//! Dead rows likewise: PostgreSQL leaves one for every update and delete until `VACUUM`, and
//! folding the kept counts of records leaves one for every row folded. The store vacuums tables
//! that hold many, as autovacuum would, which may be off.

use std::time::{Duration, Instant};

use banyan_testkit::{Database, TestDb, backend_tests, fixtures};

use crate::{curator, new_record};

backend_tests!(a_node_filled_from_empty_finds_records_by_index, folded_counts_leave_no_dead_rows_behind);

const LOOKUP: &str = "SELECT slug FROM records WHERE slug IN ($1, $2, $3)";

async fn fill(db: &TestDb, batch: usize, from: usize) {
    let news: Vec<_> = (from..from + batch)
        .map(|i| new_record(fixtures::input(&fixtures::practice(&format!("Imported practice number {i}")))))
        .collect();
    db.store.create_records(&news, &curator()).await.unwrap();
}

async fn a_node_filled_from_empty_finds_records_by_index(db: TestDb) {
    match &db.database {
        Database::Sqlite { .. } => {
            fill(&db, 500, 0).await;
            let file = db.sqlite_file().unwrap();
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", file.display())).await.unwrap();
            let plan: Vec<(i64, i64, i64, String)> =
                sqlx::query_as(&format!("EXPLAIN QUERY PLAN {}", LOOKUP.replace('$', "?")))
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            let plan: Vec<&str> = plan.iter().map(|p| p.3.as_str()).collect();
            assert!(plan.iter().any(|p| p.contains("USING COVERING INDEX")), "{plan:?}");
            assert!(!plan.iter().any(|p| p.starts_with("SCAN records")), "{plan:?}");
        }
        Database::Postgres { url, .. } => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            // Write in batches until the store has analysed the records table, as it does when a
            // table has grown by a fifth since its last analysis (checking at most every 10 s).
            let started = Instant::now();
            let mut written = 0;
            loop {
                fill(&db, 200, written).await;
                written += 200;
                let analysed: Option<chrono::DateTime<chrono::Utc>> =
                    sqlx::query_scalar("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'records'")
                        .fetch_one(&pool)
                        .await
                        .unwrap();
                if analysed.is_some() {
                    break;
                }
                assert!(
                    started.elapsed() < Duration::from_secs(60),
                    "{written} records written in a minute, and the records table was never analysed"
                );
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            let (rows, since): (f32, i64) = sqlx::query_as(
                "SELECT c.reltuples, s.n_mod_since_analyze FROM pg_class c \
                 JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = 'records'",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            assert!(rows >= 200.0, "the planner counts {rows} records of {written}");
            assert!(since < written as i64, "{since} changes since the last analysis, of {written}");
            // The plan a connection keeps for the lookup (a generic plan, as after five runs).
            let mut conn = pool.acquire().await.unwrap();
            sqlx::query("SET plan_cache_mode = force_generic_plan").execute(&mut *conn).await.unwrap();
            sqlx::query(&format!("PREPARE lookup(text, text, text) AS {LOOKUP}")).execute(&mut *conn).await.unwrap();
            let plan: Vec<String> =
                sqlx::query_scalar("EXPLAIN EXECUTE lookup('a', 'b', 'c')").fetch_all(&mut *conn).await.unwrap();
            assert!(plan.iter().any(|p| p.contains("records_slug_key")), "{plan:?}");
            assert!(!plan.iter().any(|p| p.contains("Seq Scan")), "{plan:?}");
        }
    }
}

async fn folded_counts_leave_no_dead_rows_behind(db: TestDb) {
    let count = banyan_store::RecordQuery { kind: Some(banyan_domain::Kind::Practice), ..Default::default() };
    match &db.database {
        Database::Sqlite { .. } => {
            // SQLite changes a combination's one row in place.
            for round in 0..5 {
                fill(&db, 100, round * 100).await;
                assert_eq!(db.store.list_records(&count).await.unwrap().total, (round as u64 + 1) * 100);
            }
            let file = db.sqlite_file().unwrap();
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", file.display())).await.unwrap();
            let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM record_counts").fetch_one(&pool).await.unwrap();
            assert_eq!(rows, 1, "one published practice's row");
        }
        Database::Postgres { url, .. } => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            // Each record written adds a row to the kept counts and each count folds them once it
            // reads more than 256, leaving them dead: write and count until the store has vacuumed
            // the table (checking at most every 10 s, after a write).
            let started = Instant::now();
            let mut written = 0;
            loop {
                fill(&db, 100, written).await;
                written += 100;
                assert_eq!(db.store.list_records(&count).await.unwrap().total, written as u64);
                let vacuumed: Option<chrono::DateTime<chrono::Utc>> =
                    sqlx::query_scalar("SELECT last_vacuum FROM pg_stat_user_tables WHERE relname = 'record_counts'")
                        .fetch_one(&pool)
                        .await
                        .unwrap();
                if vacuumed.is_some() {
                    break;
                }
                assert!(
                    started.elapsed() < Duration::from_secs(60),
                    "{written} records written and counted in a minute, and the kept counts were never vacuumed"
                );
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
}
