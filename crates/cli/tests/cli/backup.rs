//! `banyan backup` while the server takes writes, and `banyan restore`: every record
//! acknowledged before a backup began is in it, and a restored node serves and finds it.

use std::collections::HashSet;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use banyan_testkit::TestDb;
use serde_json::{Value, json};

use super::{Server, banyan, stderr, stdout};

fn run(data_dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_banyan"))
        .args(args)
        .args(["--data-dir", data_dir.to_str().unwrap()])
        .env_remove("BANYAN_DATABASE_URL")
        .env_remove("BANYAN_DATA_DIR")
        .output()
        .expect("banyan runs")
}

/// The ids in a node's full export.
fn exported(data_dir: &std::path::Path) -> HashSet<String> {
    let out = run(data_dir, &["export", "jsonl", "--all"]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["kind"] != "organisation")
        .filter_map(|v| v["id"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backups_taken_during_writes_hold_every_acknowledged_record_and_restore() {
    let db = TestDb::sqlite().await;
    let dir = db.cli_args()[1].clone();
    let token = stdout(&banyan(&db, &["token", "create", "--role", "curator"])).trim().to_string();
    let server = Server::start(&db.cli_args());

    // Writers log an id only after its 201.
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (acked, stop, url, token) = (acked.clone(), stop.clone(), server.url("/api/v1/records"), token.clone());
        writers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let body = json!({"kind": "idea", "title": format!("Writer {w} idea {n}"), "lang": "en", "status": "published",
                    "details": {"problem": "p", "idea": "i"}});
                let r = client.post(&url).bearer_auth(&token).json(&body).send().await.unwrap();
                assert_eq!(r.status(), 201);
                let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
                acked.lock().unwrap().push(id);
            }
        }));
    }
    let backups = tempfile::tempdir().unwrap();
    let mut taken = Vec::new();
    for i in 0..3 {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let before: Vec<String> = acked.lock().unwrap().clone();
        let file = backups.path().join(format!("backup-{i}.sqlite3"));
        let dir = dir.clone();
        let f = file.clone();
        let out =
            tokio::task::spawn_blocking(move || run(std::path::Path::new(&dir), &["backup", f.to_str().unwrap()]))
                .await
                .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains("checked"), "{}", stdout(&out));
        taken.push((file, before));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    assert!(taken.last().unwrap().1.len() > 10, "the writers wrote while backups were taken");
    // A backup never overwrites.
    let again = run(std::path::Path::new(&dir), &["backup", taken[0].0.to_str().unwrap()]);
    assert!(!again.status.success() && stderr(&again).contains("exists already"), "{}", stderr(&again));
    // Restoring under a running server is refused.
    let busy = run(std::path::Path::new(&dir), &["restore", taken[0].0.to_str().unwrap()]);
    assert!(!busy.status.success() && stderr(&busy).contains("stop it first"), "{}", stderr(&busy));
    let (clean, _) = server.stop();
    assert!(clean);

    // Each backup, restored into an empty node, holds every record acknowledged before it.
    for (file, before) in &taken {
        let fresh = tempfile::tempdir().unwrap();
        let out = run(fresh.path(), &["restore", file.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        let ids = exported(fresh.path());
        let missing: Vec<&String> = before.iter().filter(|id| !ids.contains(*id)).collect();
        assert!(missing.is_empty(), "{} acknowledged records missing from {}", missing.len(), file.display());
    }

    // The last restored over the node itself: it serves, and its search was rebuilt.
    let (last, before) = taken.last().unwrap();
    let out = run(std::path::Path::new(&dir), &["restore", last.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Indexed"), "{}", stdout(&out));
    let server = Server::start(&db.cli_args());
    let title_of_first: Value =
        reqwest::get(server.url(&format!("/api/v1/records/{}", before[0]))).await.unwrap().json().await.unwrap();
    let q = title_of_first["title"].as_str().unwrap().replace(' ', "+");
    let found: Value =
        reqwest::get(server.url(&format!("/api/v1/search?q=%22{q}%22"))).await.unwrap().json().await.unwrap();
    assert!(found["total"].as_u64().unwrap() >= 1, "{found}");

    // A file that is not a backup is refused, and nothing changes.
    let junk = backups.path().join("junk");
    std::fs::write(&junk, b"not a database").unwrap();
    let (clean, _) = server.stop();
    assert!(clean);
    let kept = exported(std::path::Path::new(&dir));
    assert!(before.iter().all(|id| kept.contains(id)));
    let refused = run(std::path::Path::new(&dir), &["restore", junk.to_str().unwrap()]);
    assert!(!refused.status.success(), "{}", stdout(&refused));
    assert_eq!(exported(std::path::Path::new(&dir)), kept, "the node is as it was");
}

#[tokio::test]
async fn backup_explains_postgres() {
    let out = Command::new(env!("CARGO_BIN_EXE_banyan"))
        .args(["backup", "/tmp/never-written.sqlite3", "--database-url", "postgres://postgres@127.0.0.1:1/none"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("pg_dump"), "{}", stderr(&out));
}
