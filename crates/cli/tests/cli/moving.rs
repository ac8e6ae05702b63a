//! Moving a node. `banyan export native` and `banyan import native` move everything, every
//! table, between SQLite and PostgreSQL; `banyan export jsonl --all` and `banyan import jsonl`
//! bring every record across exactly, public or not, into a node that may hold others.

use std::collections::BTreeMap;

use banyan_domain::record::InputMode;
use banyan_domain::{Kind, RecordInput};
use banyan_store::{Actor, NewRecord};
use banyan_testkit::fixtures::{of_kind, practice};
use banyan_testkit::{TestDb, backend_tests};
use serde_json::{Value, json};

use crate::{banyan, stderr, stdout};

backend_tests!(a_full_export_imports_into_an_empty_node_exactly, a_native_dump_that_does_not_load_changes_nothing);

fn input(v: &Value) -> RecordInput {
    RecordInput::from_json(v, InputMode::Create).unwrap_or_else(|e| panic!("{e}"))
}

/// The lines of a full export, by id; organisations without their local version and dates.
fn export_all(db: &TestDb) -> BTreeMap<String, Value> {
    let out = banyan(db, &["export", "jsonl", "--all"]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            if v["kind"] == "organisation" {
                for key in ["version", "created_at", "updated_at"] {
                    v.as_object_mut().unwrap().remove(key);
                }
            }
            (v["id"].as_str().unwrap().to_string(), v)
        })
        .collect()
}

async fn a_full_export_imports_into_an_empty_node_exactly(db: TestDb) {
    let base = "https://old.banyan.test";
    banyan_import::demo::load(db.store.as_ref(), base).await.unwrap();
    let actor = Actor::importer("test");
    let store = db.store.as_ref();

    // A record in every state nobody outside may see, and public ones with personal data.
    let mut ids = Vec::new();
    for status in ["draft", "submitted", "in_review", "changes_requested", "withdrawn", "archived", "published"] {
        let mut v = practice(&format!("A {status} practice"));
        v["status"] = json!(status);
        let r = store.create_record(NewRecord::local(input(&v), base), &actor).await.unwrap();
        ids.push(r.id);
    }
    let mut hidden = practice("Hidden by a moderator");
    hidden["hidden"] = json!(true);
    store.create_record(NewRecord::local(input(&hidden), base), &actor).await.unwrap();
    let mut restricted = of_kind(Kind::Challenge, "A challenge for members only");
    restricted["status"] = json!("published");
    restricted["details"] = json!({"problem": "Queues at the clinic", "restricted": true});
    store.create_record(NewRecord::local(input(&restricted), base), &actor).await.unwrap();
    // Edited twice after it was published: version 3, its first publication kept.
    let published = *ids.last().unwrap();
    for n in 2..=3 {
        let mut v = practice(&format!("A published practice, edition {n}"));
        v["kind"] = json!("practice");
        store.update_record(published, n - 1, input(&v), &actor).await.unwrap();
    }
    // A copy harvested from a peer, with its origin's URI.
    let mut copy = NewRecord::local(input(&practice("Harvested from a peer")), base);
    copy.origin = banyan_domain::Origin::parse("https://peer.banyan.test").unwrap();
    copy.uri = format!("https://peer.banyan.test/records/{}", copy.id);
    store.create_record(copy, &actor).await.unwrap();

    let before = export_all(&db);
    let records = before.values().filter(|v| v["kind"] != "organisation").count();
    assert!(records >= 40, "the demo and the records above: {records}");
    let file = tempfile::NamedTempFile::new().unwrap();
    #[cfg(unix)]
    {
        // A full export holds personal data: its file is its owner's alone, even one that was
        // there already and readable by others.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let out = banyan(&db, &["export", "jsonl", "--all", "--output", file.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(file.path()).unwrap().permissions().mode() & 0o777, 0o600);
    }

    let empty = db.another().await;
    let imported = banyan(&empty, &["import", "jsonl", file.path().to_str().unwrap()]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    let after = export_all(&empty);
    assert_eq!(before.len(), after.len(), "as many lines");
    for (id, line) in &before {
        assert_eq!(Some(line), after.get(id), "record {id} came across exactly");
    }
    let moved = &after[&published.to_string()];
    assert_eq!(moved["version"], 3);
    assert_ne!(moved["published_at"], moved["updated_at"], "the first publication is kept");
    assert!(moved["details"]["contact"]["email"].is_string(), "personal data moves with a full export");

    // Importing the same file again changes nothing.
    let again = banyan(&empty, &["import", "jsonl", file.path().to_str().unwrap()]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(export_all(&empty), after);
}

/// `banyan export native` to a file, which only its owner may read; the file's text without
/// its first line (which says when and where it was made).
fn export_native(db: &TestDb, file: &std::path::Path) -> String {
    let out = banyan(db, &["export", "native", "--output", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("26 tables"), "{}", stderr(&out));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a dump holds personal data: its owner's alone");
    }
    let text = std::fs::read_to_string(file).unwrap();
    text.split_once('\n').unwrap().1.to_string()
}

/// SQLite → PostgreSQL → SQLite through files, as an administrator moves a node; each dump is
/// byte for byte the one before it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_native_dump_moves_a_whole_node_from_sqlite_to_postgresql_and_back() {
    let sqlite = TestDb::sqlite().await;
    let Some(postgres) = TestDb::postgres().await else { return };
    banyan_import::demo::load(sqlite.store.as_ref(), "https://old.banyan.test").await.unwrap();
    let created = banyan(&sqlite, &["user", "create", "--email", "curator@banyan.test", "--role", "curator"]);
    assert!(created.status.success(), "{}", stderr(&created));
    let token = banyan(&sqlite, &["token", "create", "--role", "admin", "--name", "harvester"]);
    assert!(token.status.success(), "{}", stderr(&token));

    let dir = tempfile::tempdir().unwrap();
    let first = export_native(&sqlite, &dir.path().join("sqlite.dump"));
    let dry = banyan(&postgres, &["import", "native", "--dry-run", dir.path().join("sqlite.dump").to_str().unwrap()]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(stdout(&dry).contains("Nothing was written"), "{}", stdout(&dry));
    assert_eq!(postgres.count("records").await, 0, "a dry run keeps nothing");
    let loaded = banyan(&postgres, &["import", "native", dir.path().join("sqlite.dump").to_str().unwrap()]);
    assert!(loaded.status.success(), "{}", stderr(&loaded));
    assert!(stdout(&loaded).contains("into PostgreSQL"), "{}", stdout(&loaded));
    let second = export_native(&postgres, &dir.path().join("postgres.dump"));
    assert_eq!(first, second, "PostgreSQL dumps what SQLite did, byte for byte");

    let back = TestDb::sqlite().await;
    let loaded = banyan(&back, &["import", "native", dir.path().join("postgres.dump").to_str().unwrap()]);
    assert!(loaded.status.success(), "{}", stderr(&loaded));
    assert_eq!(export_native(&back, &dir.path().join("back.dump")), first);

    // The people and tokens came across: the token still works on the new node.
    let email = banyan_domain::Email::parse("curator@banyan.test").unwrap();
    assert!(postgres.store.user_auth(&email).await.unwrap().is_some(), "the account came across");
    let tokens = banyan(&postgres, &["token", "list"]);
    assert!(stdout(&tokens).contains("harvester"), "{}", stdout(&tokens));
    let secret = stdout(&token).trim().to_string();
    let hash = banyan_web::token_hash(&secret);
    assert!(postgres.store.use_token(&hash).await.unwrap().is_some(), "the token is valid on the new node");
}

async fn a_native_dump_that_does_not_load_changes_nothing(db: TestDb) {
    banyan_import::demo::load(db.store.as_ref(), "https://old.banyan.test").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("node.dump");
    let body = export_native(&db, &file);
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();

    // Into a node that is not empty: refused.
    let again = banyan(&db, &["import", "native", file.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("this node is not empty"), "{}", stderr(&again));

    let empty = db.another().await;
    let header = std::fs::read_to_string(&file).unwrap().lines().next().unwrap().to_string();
    let lines: Vec<&str> = body.lines().collect();
    let cases = [
        // Cut short: the last line, which counts the rows, is missing.
        ("cut.dump", format!("{header}\n{}\n", lines[..lines.len() - 1].join("\n")), "cut short"),
        // A value that is not what its column holds, on line 3.
        (
            "bad.dump",
            format!("{header}\n{}\n{}\n", lines[0], lines[1].replacen("\"id\":\"", "\"id\":\"x", 1)),
            "line 3: organisations.id: \"x",
        ),
        // Another build's schema.
        ("schema.dump", format!("{}\n", header.replace("\"schema\":", "\"schema\":9")), "schema version"),
        // Not a dump at all.
        ("jsonl.dump", "{\"kind\":\"practice\"}\n".to_string(), "not a Banyan dump"),
    ];
    for (name, content, says) in cases {
        std::fs::write(path(name), content).unwrap();
        let out = banyan(&empty, &["import", "native", &path(name)]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert!(stderr(&out).contains(says), "{name}: {}", stderr(&out));
        assert_eq!(empty.count("organisations").await, 0, "{name}: nothing was kept");
    }
    let out = banyan(&empty, &["import", "native", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(empty.count("records").await, db.count("records").await);
}
