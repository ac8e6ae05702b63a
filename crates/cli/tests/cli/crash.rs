//! Crash safety: clients write records and log an id only after its 2xx; the server is killed
//! with SIGKILL at a random moment, restarted, and must still hold every acknowledged record,
//! pass `PRAGMA integrity_check` (SQLite), keep a change log without gaps, and have its search
//! index catch up. On both backends.
//!
//! `BANYAN_CRASH_ROUNDS` and `BANYAN_CRASH_WRITES` (per round) set the size: 20 × 1,000 by
//! default (CI); `scripts/crash-test` runs 20 × 10,000.
//!
//! On PostgreSQL, the database server itself is also restarted under writes (stopped in its
//! `immediate` mode, which is a crash followed by recovery), while Banyan runs on: Banyan answers
//! 503 while it is away, and afterwards serves again with every acknowledged record. That test
//! restarts the machine's PostgreSQL, so it runs alone, with `BANYAN_TEST_POSTGRES_RESTART=1`
//! (`.ci/run` runs it after the suite).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use banyan_testkit::{TestDb, backend_tests};
use serde_json::{Value, json};

use super::{Server, banyan, stderr, stdout};

backend_tests!(acknowledged_writes_survive_sigkill);

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

async fn acknowledged_writes_survive_sigkill(db: TestDb) {
    let rounds = setting("BANYAN_CRASH_ROUNDS", 20);
    let per_round = setting("BANYAN_CRASH_WRITES", 1000);
    let made = banyan(&db, &["token", "create", "--role", "curator"]);
    assert!(made.status.success(), "{}", stderr(&made));
    let token = stdout(&made).trim().to_string();
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let started = Instant::now();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for round in 0..rounds {
        let mut server = Server::start(&db.cli_args());
        let url = server.url("/api/v1/records");
        let written = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let mut writers = Vec::new();
        for w in 0..8 {
            let (acked, written, stop, url, token) =
                (acked.clone(), written.clone(), stop.clone(), url.clone(), token.clone());
            writers.push(tokio::spawn(async move {
                let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let body = idea(format!("Round {round} writer {w} idea {n}"));
                    // A request cut by the kill is simply not acknowledged.
                    let Ok(r) = client.post(&url).bearer_auth(&token).json(&body).send().await else { break };
                    if r.status() != 201 {
                        break;
                    }
                    let Ok(v) = r.json::<Value>().await else { break };
                    acked.lock().unwrap().push(v["id"].as_str().unwrap().to_string());
                    written.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
        // Kill at a random point between a tenth and all of the round's writes.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let target = per_round / 10 + (seed as usize % (per_round - per_round / 10).max(1));
        let deadline = Instant::now() + Duration::from_secs(120);
        while written.load(Ordering::Relaxed) < target && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        server.kill();
        stop.store(true, Ordering::Relaxed);
        for w in writers {
            let _ = w.await;
        }
    }
    let acked: Vec<String> = acked.lock().unwrap().clone();
    assert!(acked.len() >= rounds * per_round / 10, "too few writes: {}", acked.len());

    // After the last kill: every acknowledged record is there, the database is sound, the change
    // log has no gaps, and the index catches up.
    if let Some(file) = db.sqlite_file() {
        banyan_store_sqlite::check(&file).await.expect("PRAGMA integrity_check is ok");
    }
    every_acknowledged_record_is_there(&db, &acked).await;
    let server = Server::start(&db.cli_args());
    the_index_catches_up(&server, acked.len()).await;
    eprintln!(
        "crash test: {rounds} rounds, {} acknowledged writes, none lost, in {:.1} s",
        acked.len(),
        started.elapsed().as_secs_f64()
    );
}

/// The PostgreSQL cluster's restart, as `pg_ctlcluster` does it (`immediate`: no checkpoint,
/// recovery from the WAL on start).
fn restart_postgresql() {
    let version = std::fs::read_dir("/etc/postgresql")
        .expect("a Debian PostgreSQL cluster")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .max()
        .unwrap();
    for how in [&["stop", "-m", "immediate"][..], &["start"][..]] {
        let out = std::process::Command::new("pg_ctlcluster")
            .args(["--skip-systemctl-redirect", &version, "main"])
            .args(how)
            .output()
            .expect("pg_ctlcluster runs");
        assert!(out.status.success(), "pg_ctlcluster {how:?}: {}", String::from_utf8_lossy(&out.stderr));
        if how[0] == "stop" {
            // Long enough for requests to find it gone.
            std::thread::sleep(Duration::from_millis(1500));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_a_postgresql_restart() {
    if std::env::var("BANYAN_TEST_POSTGRES_RESTART").as_deref() != Ok("1") {
        eprintln!(
            "skipped: restarting PostgreSQL would break the other tests running now; \
             set BANYAN_TEST_POSTGRES_RESTART=1 to run it alone (.ci/run does)"
        );
        return;
    }
    let Some(db) = TestDb::postgres().await else { return };
    let token = stdout(&banyan(&db, &["token", "create", "--role", "curator"])).trim().to_string();
    let server = Server::start(&db.cli_args());
    let url = server.url("/api/v1/records");
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let refused: Arc<Mutex<std::collections::BTreeMap<u16, usize>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..8 {
        let (acked, refused, stop, url, token) =
            (acked.clone(), refused.clone(), stop.clone(), url.clone(), token.clone());
        writers.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let body = idea(format!("Writer {w} idea {n}"));
                let r = client.post(&url).bearer_auth(&token).json(&body).send().await.expect("Banyan stays up");
                let status = r.status().as_u16();
                if status == 201 {
                    let v: Value = r.json().await.unwrap();
                    acked.lock().unwrap().push(v["id"].as_str().unwrap().to_string());
                } else {
                    let problem: Value = r.json().await.unwrap_or_default();
                    *refused.lock().unwrap().entry(status).or_default() += 1;
                    assert_eq!(status, 503, "only 503 while the database is away: {problem}");
                    assert!(problem["title"].is_string(), "a problem document: {problem}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }));
    }
    let count = || acked.lock().unwrap().len();
    let wait_for = |n: usize| {
        let count = &count;
        async move {
            let deadline = Instant::now() + Duration::from_secs(120);
            while count() < n {
                assert!(Instant::now() < deadline, "writes did not resume after the restart: {} of {n}", count());
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    for _ in 0..3 {
        wait_for(count() + 300).await;
        tokio::task::spawn_blocking(restart_postgresql).await.unwrap();
    }
    wait_for(count() + 300).await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.expect("every answer was a 201 or a 503");
    }
    let acked = acked.lock().unwrap().clone();
    let refused = refused.lock().unwrap().clone();
    assert!(refused.values().sum::<usize>() > 0, "the restarts were noticed");

    every_acknowledged_record_is_there(&db, &acked).await;
    // Banyan itself never went down: its search index has them all.
    the_index_catches_up(&server, acked.len()).await;
    eprintln!(
        "PostgreSQL restart test: {} acknowledged writes across 3 restarts, none lost; refused while away: {refused:?}",
        acked.len()
    );
}

/// A published idea to write.
fn idea(title: String) -> Value {
    json!({"kind": "idea", "title": title, "lang": "en", "status": "published", "details": {"problem": "p", "idea": "i"}})
}

/// Every acknowledged record is live in the database, and the change log runs from 1 with no
/// gap.
async fn every_acknowledged_record_is_there(db: &TestDb, acked: &[String]) {
    let store = db.reopen().await.unwrap();
    let mut seen = std::collections::HashSet::new();
    for chunk in acked.chunks(500) {
        let ids: Vec<banyan_domain::RecordId> =
            chunk.iter().map(|i| banyan_domain::RecordId::parse(i).unwrap()).collect();
        for s in store.records_by_id(&ids).await.unwrap() {
            if let banyan_store::RecordState::Live(r) = s {
                seen.insert(r.id.to_string());
            }
        }
    }
    let lost = acked.iter().filter(|id| !seen.contains(*id)).count();
    assert_eq!(lost, 0, "{lost} of {} acknowledged records were lost", acked.len());
    let mut expected = 1;
    let mut after = 0;
    loop {
        let changes = store.changes_since(after, 10_000).await.unwrap();
        let Some(last) = changes.last().map(|c| c.seq) else { break };
        for c in &changes {
            assert_eq!(c.seq, expected, "the change log has a gap before {}", c.seq);
            expected += 1;
        }
        after = last;
    }
}

/// The server's search index finds at least `n` ideas within a minute.
async fn the_index_catches_up(server: &Server, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r: Value =
            reqwest::get(server.url("/api/v1/search?kind=idea&limit=1")).await.unwrap().json().await.unwrap();
        if r["total"].as_u64().unwrap_or(0) >= n as u64 {
            return;
        }
        assert!(Instant::now() < deadline, "the index did not catch up: {} of {n}", r["total"]);
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
