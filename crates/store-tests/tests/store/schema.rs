use banyan_store::StoreError;
use banyan_testkit::{TestDb, backend_tests};

backend_tests!(the_schema_is_current_and_reopening_is_a_no_op, a_newer_schema_is_refused);

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
