//! Nodes harvesting each other over OAI-PMH, as separate processes on loopback: a record
//! published on A becomes searchable on B with A's attribution; withdrawn on A, it leaves B at
//! the next harvest; C, harvesting B, never receives A's records as B's. And peers that
//! misbehave (malformed XML, a resumption loop, a huge answer, a slow one): the harvest ends
//! with a clear report and nothing half-written.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use banyan_testkit::{TestDb, backend_tests};
use serde_json::{Value, json};

use super::{Server, banyan, stderr, stdout};

backend_tests!(a_record_travels_from_node_to_node_and_back_out, bad_peers_end_with_a_clear_report);

/// `banyan <args>` on a node's data (and database).
fn on(db: &TestDb, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_banyan"));
    cmd.args(args).args(db.cli_args()).env_remove("BANYAN_DATABASE_URL").env_remove("BANYAN_DATA_DIR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("banyan runs")
}

async fn token(db: &TestDb) -> String {
    let made = banyan(db, &["token", "create", "--role", "curator"]);
    assert!(made.status.success(), "{}", stderr(&made));
    stdout(&made).trim().to_string()
}

async fn publish(server: &Server, token: &str, title: &str) -> String {
    let body = json!({"kind": "practice", "title": title, "lang": "en", "status": "published", "places": ["BD-13"],
        "sdgs": ["16.6"], "details": {"problem": "Five visits to the land office", "solution": "One visit",
        "contact": {"name": "A person", "email": "person@example.gov"}}});
    let r =
        reqwest::Client::new().post(server.url("/api/v1/records")).bearer_auth(token).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

/// The titles a node's search finds for `q`.
async fn found(server: &Server, q: &str) -> Vec<String> {
    let r: Value = reqwest::get(server.url(&format!("/api/v1/search?q={q}"))).await.unwrap().json().await.unwrap();
    r["hits"]
        .as_array()
        .map(|h| h.iter().map(|x| x["title"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

/// Waits (up to 10 s) until `check` holds: each node's index follows its writes within a second.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(Instant::now() < deadline, "{what} did not happen within 10 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn harvested(out: &std::process::Output) -> String {
    assert!(out.status.success(), "harvest: {}\n{}", stdout(out), stderr(out));
    stdout(out)
}

async fn a_record_travels_from_node_to_node_and_back_out(b_db: TestDb) {
    let a_db = TestDb::sqlite().await;
    let c_db = TestDb::sqlite().await;
    let (a_token, b_token) = (token(&a_db).await, token(&b_db).await);
    let a = Server::start(&a_db.cli_args());
    let b = Server::start(&b_db.cli_args());
    let c = Server::start(&c_db.cli_args());

    let id = publish(&a, &a_token, "Tea garden pensions paid by mobile money").await;
    publish(&b, &b_token, "River ferry tickets by SMS").await;

    // B registers A and harvests: the record arrives, searchable, attributed to A.
    let added = on(&b_db, &["peer", "add", &a.base], &[]);
    assert!(added.status.success(), "{}", stderr(&added));
    let again = on(&b_db, &["peer", "add", &format!("{}/", a.base)], &[]);
    assert!(!again.status.success() && stderr(&again).contains("a peer already"), "{}", stderr(&again));
    let report = harvested(&on(&b_db, &["harvest"], &[]));
    assert!(report.contains("1 new"), "{report}");
    eventually("A's record in B's search", || async { found(&b, "pensions").await.len() == 1 }).await;
    let copy: Value = reqwest::get(b.url(&format!("/api/v1/records/{id}"))).await.unwrap().json().await.unwrap();
    assert_eq!(
        copy["origin"].as_str().map(|o| o.trim_end_matches('/')),
        Some(a.base.as_str()),
        "the copy names its origin: {copy}"
    );
    assert!(copy["uri"].as_str().unwrap().starts_with(&a.base), "the URI is the origin's");
    assert!(copy["details"]["contact"].is_null(), "no personal data travels");
    let page = reqwest::get(b.url(&format!("/records/{id}"))).await.unwrap().text().await.unwrap();
    assert!(page.contains("From 127.0.0.1"), "the page says where it comes from");
    // It is read-only here.
    let patch = reqwest::Client::new()
        .patch(b.url(&format!("/api/v1/records/{id}")))
        .bearer_auth(&b_token)
        .json(&json!({"version": copy["version"], "title": "Changed here"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), 403);
    // Harvesting again changes nothing; B's list of peers says how it went.
    let report = harvested(&on(&b_db, &["harvest"], &[]));
    assert!(report.contains("0 new"), "{report}");
    let list = stdout(&on(&b_db, &["peer", "list"], &[]));
    assert!(list.contains(&a.base) && list.contains("harvested until"), "{list}");

    // C harvests B: B's own record comes, A's does not (B never serves it as its own).
    assert!(on(&c_db, &["peer", "add", &b.base], &[]).status.success());
    let report = harvested(&on(&c_db, &["harvest"], &[]));
    assert!(report.contains("1 new"), "{report}");
    eventually("B's record in C's search", || async { found(&c, "ferry").await.len() == 1 }).await;
    assert!(found(&c, "pensions").await.is_empty(), "A's record did not come through B");

    // A archives the record: at B's next harvest it goes.
    let moved = reqwest::Client::new()
        .post(a.url(&format!("/api/v1/records/{id}/transitions")))
        .bearer_auth(&a_token)
        .json(&json!({"to": "archived"}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 200, "{}", moved.text().await.unwrap());
    let report = harvested(&on(&b_db, &["harvest"], &[]));
    assert!(report.contains("1 removed"), "{report}");
    eventually("the record leaving B's search", || async { found(&b, "pensions").await.is_empty() }).await;
    assert_eq!(reqwest::get(b.url(&format!("/api/v1/records/{id}"))).await.unwrap().status(), 410);
}

/// A peer that answers every request with `respond(request line)`, on loopback.
fn fake_peer(respond: impl Fn(&str) -> Option<Vec<u8>> + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 8192];
            let n = stream.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]).to_string();
            let line = request.lines().next().unwrap_or("").to_string();
            match respond(&line) {
                Some(bytes) => {
                    let _ = stream.write_all(&bytes);
                }
                // Say nothing: a peer that never answers.
                None => std::thread::sleep(Duration::from_secs(30)),
            }
        }
    });
    base
}

fn http(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-11-25T10:00:00Z</responseDate><request verb="ListRecords">x</request>"#;

fn record(id: &str, title: &str) -> String {
    let json = json!({"id": id, "uri": format!("https://peer.example/records/{id}"), "kind": "practice", "title": title,
        "lang": "en", "status": "published", "details": {"problem": "p"}});
    let escaped = json.to_string().replace('&', "&amp;").replace('<', "&lt;");
    format!(
        "<record><header><identifier>oai:peer.example:{id}</identifier><datestamp>2026-01-01T00:00:00Z</datestamp></header>\
         <metadata><banyan:record xmlns:banyan=\"urn:banyan:record:1\"><banyan:json>{escaped}</banyan:json></banyan:record></metadata></record>"
    )
}

async fn bad_peers_end_with_a_clear_report(db: TestDb) {
    let count = |db: &TestDb| {
        let out = on(db, &["export", "jsonl"], &[]);
        stdout(&out).lines().filter(|l| !l.trim().is_empty()).count()
    };
    let timeout = [("BANYAN_HARVEST_TIMEOUT_SECS", "2")];
    let good = uuid::Uuid::now_v7().to_string();
    let bad = uuid::Uuid::now_v7().to_string();

    // One record that reads and one that does not: the good one is stored, the other named.
    let (g, b) = (good.clone(), bad.clone());
    let mixed = fake_peer(move |_| {
        let broken = record(&b, "Broken").replace("\"kind\":\"practice\"", "\"kind\":\"spaceship\"");
        Some(http(&format!("{HEAD}<ListRecords>{}{broken}</ListRecords></OAI-PMH>", record(&g, "Readable practice"))))
    });
    assert!(on(&db, &["peer", "add", &mixed], &[]).status.success());
    let out = on(&db, &["harvest", "--peer", &mixed], &timeout);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("1 new") && stdout(&out).contains("1 not readable"), "{}", stdout(&out));
    assert!(stdout(&out).contains(&bad), "the unreadable record is named: {}", stdout(&out));
    assert_eq!(count(&db), 1);

    // Malformed XML, a resumption loop, a huge answer, a slow one: each harvest stops with the
    // reason, and only whole records are kept.
    let looping = uuid::Uuid::now_v7().to_string();
    let l = looping.clone();
    let cases: Vec<(String, &str)> = vec![
        (fake_peer(|_| Some(http(&format!("{HEAD}<ListRecords><record><header>")))), "malformed XML"),
        (
            fake_peer(move |_| {
                Some(http(&format!(
                    "{HEAD}<ListRecords>{}<resumptionToken>again</resumptionToken></ListRecords></OAI-PMH>",
                    record(&l, "Looping practice")
                )))
            }),
            "same resumption token twice",
        ),
        (
            fake_peer(|_| {
                Some(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 999999999\r\n\r\n<OAI-PMH>".to_vec(),
                )
            }),
            "larger than",
        ),
        (fake_peer(|_| None), "did not answer in time"),
        (
            fake_peer(|_| {
                Some(
                    b"HTTP/1.1 302 Found\r\nLocation: http://elsewhere.example/oai\r\nContent-Length: 0\r\n\r\n"
                        .to_vec(),
                )
            }),
            "redirect",
        ),
    ];
    for (peer, why) in &cases {
        assert!(on(&db, &["peer", "add", peer], &[]).status.success());
        let started = Instant::now();
        let out = on(&db, &["harvest", "--peer", peer], &timeout);
        assert!(!out.status.success(), "{why}: {}", stdout(&out));
        assert!(stdout(&out).contains(why), "{why}: {}{}", stdout(&out), stderr(&out));
        assert!(started.elapsed() < Duration::from_secs(20), "{why}: took {:?}", started.elapsed());
    }
    // The loop's one record was stored once; nothing else came.
    assert_eq!(count(&db), 2);
    // Only registered peers are harvested.
    let out = on(&db, &["harvest", "--peer", "http://127.0.0.1:9/"], &[]);
    assert!(!out.status.success() && stderr(&out).contains("no peer to harvest"), "{}", stderr(&out));
}
