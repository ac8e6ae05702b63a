//! A test helper: applies this build's migrations up to a version, the way `banyan` applies
//! them (each in its own transaction), and with `--stall` never finishes the last one: it
//! waits inside that migration's transaction, after its statements, for the test to kill it.
//!
//! `migrate-part-way <SQLITE-FILE | postgres://URL> <VERSION> [--stall]`

use std::borrow::Cow;
use std::process::ExitCode;

use sqlx::migrate::{Migration, Migrator};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(target), Some(Ok(upto))) = (args.first(), args.get(1).map(|v| v.parse::<i64>())) else {
        eprintln!("usage: migrate-part-way <SQLITE-FILE | postgres://URL> <VERSION> [--stall]");
        return ExitCode::from(2);
    };
    let stall = args.get(2).is_some_and(|a| a == "--stall");
    let postgres = target.starts_with("postgres://");
    let all = if postgres { banyan_store_postgres::migrations() } else { banyan_store_sqlite::migrations() };
    let mut chosen: Vec<Migration> = all.iter().filter(|m| m.version <= upto).cloned().collect();
    if stall && let Some(last) = chosen.last_mut() {
        // Something that runs until the process is killed, after the migration's own work.
        let wait = if postgres {
            "SELECT pg_sleep(3600);"
        } else {
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT COUNT(*) FROM n;"
        };
        let sql = format!("{}\n;\n{wait}\n", last.sql);
        *last = Migration::new(last.version, last.description.clone(), last.migration_type, sql.into(), last.no_tx);
    }
    let migrator = Migrator { migrations: Cow::Owned(chosen), ..Migrator::DEFAULT };
    let result = if postgres {
        match sqlx::PgPool::connect(target).await {
            Ok(pool) => migrator.run(&pool).await,
            Err(e) => Err(e.into()),
        }
    } else {
        let options = banyan_store_sqlite::connect_options(std::path::Path::new(target)).create_if_missing(true);
        match sqlx::sqlite::SqlitePoolOptions::new().max_connections(1).connect_with(options).await {
            Ok(pool) => migrator.run(&pool).await,
            Err(e) => Err(e.into()),
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("migration failed: {e}");
            ExitCode::FAILURE
        }
    }
}
