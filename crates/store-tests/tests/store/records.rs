use banyan_domain::record::InputMode;
use banyan_domain::{Details, Kind, RecordInput, Status};
use banyan_store::{ChangeOp, RecordState, StoreError};
use banyan_testkit::{TestDb, backend_tests, fixtures};
use serde_json::json;

use crate::{curator, new_record};

backend_tests!(
    a_record_reads_back_exactly_as_written,
    an_update_keeps_the_previous_version,
    a_stale_version_is_refused_and_changes_nothing,
    a_delete_leaves_a_tombstone,
    every_kind_round_trips,
    slugs_are_unique,
    unknown_organisations_are_refused_by_field,
    publishing_sets_published_at_once,
    imported_records_are_found_by_source,
    a_batch_is_written_whole_or_not_at_all,
    records_are_read_by_id_in_bulk_and_scanned_in_order,
);

async fn a_record_reads_back_exactly_as_written(db: TestDb) {
    let created = db
        .store
        .create_record(new_record(fixtures::input(&fixtures::practice("Land services"))), &curator())
        .await
        .unwrap();
    assert_eq!(created.version, 1);
    assert_eq!(created.slug.as_str(), "land-services");
    assert!(created.uri.ends_with(&created.id.to_string()));
    let Some(RecordState::Live(read)) = db.store.record(created.id).await.unwrap() else { panic!("live record") };
    assert_eq!(read, created);
    let Details::Practice(p) = &read.content.details else { panic!("practice") };
    assert_eq!(p.tcv.as_ref().unwrap().before.visits, Some(5));
}

async fn an_update_keeps_the_previous_version(db: TestDb) {
    let actor = curator();
    let v1 = db
        .store
        .create_record(new_record(fixtures::input(&fixtures::practice("Land services"))), &actor)
        .await
        .unwrap();
    let mut json = v1.to_json();
    json["title"] = json!("One-stop land services");
    json["sdgs"] = json!(["16.6", "1.4"]);
    let input = RecordInput::from_json(&json, InputMode::Update { kind: Kind::Practice }).unwrap();
    let v2 = db.store.update_record(v1.id, 1, input, &actor).await.unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(v2.created_at, v1.created_at);
    assert!(v2.updated_at >= v1.updated_at);
    assert_eq!(v2.slug, v1.slug, "the slug stays when the title changes: links keep working");

    let revisions = db.store.revisions(v1.id).await.unwrap();
    assert_eq!(revisions.iter().map(|r| r.version).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(revisions[1].record.content.title, "Land services");
    assert_eq!(revisions[0].record, v2);
    assert_eq!(revisions[1].op, ChangeOp::Create);
    assert!(revisions[0].actor.contains("test curator"));

    let audit = db.store.audit_log(Some(v1.id.0), 10).await.unwrap();
    assert_eq!(audit.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(), ["record.update", "record.create"]);
    assert_eq!(audit[0].detail["changed"], json!(["title", "sdgs"]));
}

async fn a_stale_version_is_refused_and_changes_nothing(db: TestDb) {
    let actor = curator();
    let v1 =
        db.store.create_record(new_record(fixtures::input(&fixtures::practice("Queue app"))), &actor).await.unwrap();
    let input = RecordInput::from_json(&v1.to_json(), InputMode::Update { kind: Kind::Practice }).unwrap();
    db.store.update_record(v1.id, 1, input.clone(), &actor).await.unwrap();
    let changes_before = db.store.changes_since(0, 100).await.unwrap().len();
    let err = db.store.update_record(v1.id, 1, input, &actor).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { expected: 1, current: 2 }), "{err:?}");
    assert_eq!(db.store.revisions(v1.id).await.unwrap().len(), 2);
    assert_eq!(db.store.changes_since(0, 100).await.unwrap().len(), changes_before);
}

async fn a_delete_leaves_a_tombstone(db: TestDb) {
    let actor = curator();
    let r =
        db.store.create_record(new_record(fixtures::input(&fixtures::practice("To delete"))), &actor).await.unwrap();
    let stale = db.store.delete_record(r.id, Some(7), &actor).await.unwrap_err();
    assert!(matches!(stale, StoreError::Conflict { .. }));
    let t = db.store.delete_record(r.id, Some(1), &actor).await.unwrap();
    assert_eq!(t.version, 2);
    assert!(t.was_public);
    assert!(matches!(db.store.record(r.id).await.unwrap(), Some(RecordState::Deleted(d)) if d.id == r.id));
    assert!(matches!(db.store.delete_record(r.id, None, &actor).await, Err(StoreError::Gone)));
    let input = RecordInput::from_json(&r.to_json(), InputMode::Update { kind: Kind::Practice }).unwrap();
    assert!(matches!(db.store.update_record(r.id, 2, input, &actor).await, Err(StoreError::Gone)));
    let changes = db.store.changes_since(0, 10).await.unwrap();
    assert_eq!(changes.last().unwrap().op, ChangeOp::Delete);
    assert_eq!(changes.last().unwrap().id, r.id.0);
    let all = banyan_store::RecordQuery { visibility: banyan_store::Visibility::All, limit: 10, ..Default::default() };
    assert_eq!(db.store.list_records(&all).await.unwrap().total, 0);
}

async fn every_kind_round_trips(db: TestDb) {
    for kind in Kind::ALL {
        let r = db
            .store
            .create_record(new_record(fixtures::input(&fixtures::of_kind(*kind, "A title"))), &curator())
            .await
            .unwrap();
        assert_eq!(r.kind(), *kind);
        assert_eq!(r.content.status, Status::Draft, "records start as drafts");
        let Some(RecordState::Live(read)) = db.store.record(r.id).await.unwrap() else { panic!() };
        assert_eq!(read, r);
    }
}

async fn slugs_are_unique(db: TestDb) {
    let actor = curator();
    let mut slugs = Vec::new();
    for _ in 0..3 {
        let r = db
            .store
            .create_record(new_record(fixtures::input(&fixtures::practice("Mobile courts"))), &actor)
            .await
            .unwrap();
        slugs.push(r.slug.to_string());
    }
    assert_eq!(slugs, ["mobile-courts", "mobile-courts-2", "mobile-courts-3"]);
    let mut json = fixtures::practice("Other");
    json["slug"] = json!("mobile-courts");
    let err = db.store.create_record(new_record(fixtures::input(&json)), &actor).await.unwrap_err();
    let StoreError::Invalid(v) = err else { panic!("{err:?}") };
    assert_eq!(v.fields(), ["slug"]);
}

async fn unknown_organisations_are_refused_by_field(db: TestDb) {
    let mut json = fixtures::practice("Orphan");
    json["organisation"] = json!("0190a000-0000-7000-8000-000000000001");
    json["details"]["partners"] = json!([{"name": "Someone", "organisation": "0190a000-0000-7000-8000-000000000002"}]);
    let err = db.store.create_record(new_record(fixtures::input(&json)), &curator()).await.unwrap_err();
    let StoreError::Invalid(v) = err else { panic!("{err:?}") };
    assert_eq!(v.fields(), ["organisation", "details.partners[0].organisation"]);
    assert_eq!(db.count("records").await, 0, "nothing written");
    assert_eq!(db.count("change_log").await, 0);
}

async fn publishing_sets_published_at_once(db: TestDb) {
    let actor = curator();
    let draft = db
        .store
        .create_record(new_record(fixtures::input(&fixtures::of_kind(Kind::Idea, "An idea"))), &actor)
        .await
        .unwrap();
    assert!(draft.published_at.is_none());
    let mut json = draft.to_json();
    json["status"] = json!("published");
    let published = db
        .store
        .update_record(
            draft.id,
            1,
            RecordInput::from_json(&json, InputMode::Update { kind: Kind::Idea }).unwrap(),
            &actor,
        )
        .await
        .unwrap();
    let at = published.published_at.expect("published now");
    json["title"] = json!("An idea, edited");
    let edited = db
        .store
        .update_record(
            draft.id,
            2,
            RecordInput::from_json(&json, InputMode::Update { kind: Kind::Idea }).unwrap(),
            &actor,
        )
        .await
        .unwrap();
    assert_eq!(edited.published_at, Some(at), "first publication is kept");
}

async fn imported_records_are_found_by_source(db: TestDb) {
    let mut json = fixtures::practice("Imported");
    json["source"] = json!({"registry": "ips-explorer", "key": "10001", "url": "https://example.org/case"});
    let r = db
        .store
        .create_record(new_record(fixtures::input(&json)), &banyan_store::Actor::importer("ips-explorer"))
        .await
        .unwrap();
    let Some(RecordState::Live(found)) = db.store.record_by_source("ips-explorer", "10001").await.unwrap() else {
        panic!()
    };
    assert_eq!(found.id, r.id);
    assert!(db.store.record_by_source("ips-explorer", "10002").await.unwrap().is_none());
    let err = db.store.create_record(new_record(fixtures::input(&json)), &curator()).await.unwrap_err();
    let StoreError::Invalid(v) = err else { panic!("{err:?}") };
    assert_eq!(v.fields(), ["source.key"]);

    // Nor can another record take the same source by a change.
    let other =
        db.store.create_record(new_record(fixtures::input(&fixtures::practice("Other"))), &curator()).await.unwrap();
    let mut changed = other.to_json();
    changed["source"] = json!({"registry": "ips-explorer", "key": "10001"});
    let input = RecordInput::from_json(&changed, InputMode::Update { kind: Kind::Practice }).unwrap();
    let err = db.store.update_record(other.id, 1, input, &curator()).await.unwrap_err();
    let StoreError::Invalid(v) = err else { panic!("{err:?}") };
    assert_eq!(v.fields(), ["source.key"]);
}

async fn a_batch_is_written_whole_or_not_at_all(db: TestDb) {
    let before = db.store.last_seq().await.unwrap();
    let batch: Vec<_> =
        (0..3).map(|i| new_record(fixtures::input(&fixtures::practice(&format!("Batch practice {i}"))))).collect();
    let ids = db.store.create_records(&batch, &curator()).await.unwrap();
    assert_eq!(ids, batch.iter().map(|n| n.id).collect::<Vec<_>>());
    let changes = db.store.changes_since(before, 10).await.unwrap();
    assert_eq!(changes.iter().map(|c| c.id).collect::<Vec<_>>(), ids.iter().map(|i| i.0).collect::<Vec<_>>());
    assert!(changes.windows(2).all(|w| w[1].seq == w[0].seq + 1), "no gaps");
    for id in &ids {
        assert_eq!(db.store.revisions(*id).await.unwrap().len(), 1);
    }
    // One bad record (an organisation that does not exist) and nothing is written.
    let mut bad = fixtures::practice("Points nowhere");
    bad["organisation"] = json!("0190a000-0000-7000-8000-000000000000");
    let batch =
        vec![new_record(fixtures::input(&fixtures::practice("Would be fine"))), new_record(fixtures::input(&bad))];
    let records = db.count("records").await;
    let err = db.store.create_records(&batch, &curator()).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert_eq!(db.count("records").await, records);
    assert_eq!(db.store.last_seq().await.unwrap(), before + 3);
}

async fn records_are_read_by_id_in_bulk_and_scanned_in_order(db: TestDb) {
    let mut ids = Vec::new();
    for (i, status) in ["published", "draft", "published", "published"].iter().enumerate() {
        let mut v = fixtures::practice(&format!("Scanned {i}"));
        v["status"] = json!(status);
        ids.push(db.store.create_record(new_record(fixtures::input(&v)), &curator()).await.unwrap().id);
    }
    db.store.set_record_hidden(ids[3], true, "test", &curator()).await.unwrap();
    db.store.delete_record(ids[2], None, &curator()).await.unwrap();
    let unknown = banyan_domain::RecordId::new();
    let states = db.store.records_by_id(&[ids[0], ids[1], ids[2], unknown]).await.unwrap();
    assert_eq!(states.len(), 3, "unknown ids are left out");
    assert!(states.iter().any(|s| matches!(s, RecordState::Deleted(t) if t.id == ids[2])));
    // Only the public record, in id order, page by page.
    let first = db.store.public_records_after(None, 1).await.unwrap();
    assert_eq!(first.iter().map(|r| r.id).collect::<Vec<_>>(), [ids[0]]);
    assert!(db.store.public_records_after(Some(ids[0]), 10).await.unwrap().is_empty());
}
