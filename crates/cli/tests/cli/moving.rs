//! Moving a node: `banyan export jsonl --all` from one node and `banyan import jsonl` into an
//! empty one brings every record across exactly, public or not (the way to move a PostgreSQL
//! node's registry besides `pg_dump`).

use std::collections::BTreeMap;

use banyan_domain::record::InputMode;
use banyan_domain::{Kind, RecordInput};
use banyan_store::{Actor, NewRecord};
use banyan_testkit::fixtures::{of_kind, practice};
use banyan_testkit::{TestDb, backend_tests};
use serde_json::{Value, json};

use crate::{banyan, stderr, stdout};

backend_tests!(a_full_export_imports_into_an_empty_node_exactly);

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
    let out = banyan(&db, &["export", "jsonl", "--all", "--output", file.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));

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
