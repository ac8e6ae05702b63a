//! The search index across processes: rebuilt by `banyan reindex`, current after a crash, and
//! shared by several servers on one PostgreSQL database.

use std::time::{Duration, Instant};

use serde_json::json;

use banyan_testkit::{TestDb, backend_tests};

use crate::{Server, banyan, get_json, stderr, stdout};

backend_tests!(
    reindex_rebuilds_the_index_and_leaves_a_running_server_alone,
    a_killed_server_loses_nothing_it_acknowledged
);

async fn reindex_rebuilds_the_index_and_leaves_a_running_server_alone(db: TestDb) {
    banyan_import::demo::load(&*db.store, "https://banyan.test").await.unwrap();
    let out = banyan(&db, &["reindex"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Indexed 38 documents"), "{}", stdout(&out));

    let server = Server::start(&db.cli_args());
    let found = get_json(&server.url("/api/v1/search?q=mutation")).await;
    assert_eq!(found["hits"][0]["title"], "Land mutation in one visit", "{found}");
    let refused = banyan(&db, &["reindex"]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("in use: stop the server"), "{}", stderr(&refused));
    let (clean, _) = server.stop();
    assert!(clean);
}

async fn a_killed_server_loses_nothing_it_acknowledged(db: TestDb) {
    let made = banyan(&db, &["token", "create", "--role", "curator"]);
    assert!(made.status.success(), "{}", stderr(&made));
    let token = stdout(&made).trim().to_string();
    let mut server = Server::start(&db.cli_args());
    let client = reqwest::Client::new();
    for i in 0..20 {
        let body =
            json!({"kind": "idea", "title": format!("Wombat census round {i}"), "lang": "en", "status": "published"});
        let r = client.post(server.url("/api/v1/records")).bearer_auth(&token).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 201);
    }
    // Killed at once, with no chance to commit its index or shut down.
    server.kill();
    let server = Server::start(&db.cli_args());
    let found = get_json(&server.url("/api/v1/search?q=wombat&limit=50")).await;
    assert_eq!(found["total"], 20, "{found}");
}

/// Two servers on one PostgreSQL database, each with its own index: what one publishes, the
/// other finds within two seconds (it polls the change log every half second).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_database_see_each_others_writes() {
    let Some(db) = TestDb::postgres().await else { return };
    let made = banyan(&db, &["token", "create", "--role", "curator"]);
    let token = stdout(&made).trim().to_string();
    let a = Server::start(&db.cli_args());
    let other_data = tempfile::tempdir().unwrap();
    let mut b_args = db.cli_args();
    let at = b_args.iter().position(|a| a == "--data-dir").unwrap();
    b_args[at + 1] = other_data.path().display().to_string();
    let b = Server::start(&b_args);
    let client = reqwest::Client::new();
    for round in 0..3 {
        let body = json!({"kind": "practice", "title": format!("Pangolin patrol {round}"), "lang": "en", "status": "published"});
        let r = client.post(a.url("/api/v1/records")).bearer_auth(&token).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 201);
        let written = Instant::now();
        loop {
            let found = get_json(&b.url(&format!("/api/v1/search?q=pangolin%20{round}"))).await;
            if found["total"] == 1 {
                eprintln!("round {round}: searchable on the other server after {:?}", written.elapsed());
                break;
            }
            assert!(written.elapsed() < Duration::from_secs(2), "not searchable on the other server within 2 s");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}
