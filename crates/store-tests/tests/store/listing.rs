use banyan_domain::{Cofog, CountryCode, Kind, Sdg, Status};
use banyan_store::{RecordQuery, Visibility};
use banyan_testkit::{TestDb, backend_tests, fixtures};
use serde_json::json;

use crate::{curator, new_record};

backend_tests!(
    filters_match_codes_and_their_children,
    the_public_sees_only_published_unhidden_records,
    pages_follow_cursors
);

async fn seed(db: &TestDb) {
    let actor = curator();
    let rows = [
        ("practice", "Land BD", json!(["BD-13"]), json!(["16.6"]), json!(["01.3"]), "published", false),
        ("practice", "Clinic TH", json!(["TH"]), json!(["3.8"]), json!(["07.2"]), "published", false),
        ("solution", "Queue app", json!(["TH", "VN"]), json!(["3"]), json!(["07"]), "published", false),
        ("idea", "Draft idea", json!(["BD"]), json!(["4"]), json!(["09"]), "draft", false),
        ("practice", "Hidden", json!(["BD"]), json!(["16"]), json!(["01"]), "published", true),
    ];
    for (kind, title, places, sdgs, sectors, status, hidden) in rows {
        let mut v = fixtures::of_kind(Kind::parse(kind).unwrap(), title);
        v["places"] = places;
        v["sdgs"] = sdgs;
        v["sectors"] = sectors;
        v["status"] = json!(status);
        v["hidden"] = json!(hidden);
        db.store.create_record(new_record(fixtures::input(&v)), &actor).await.unwrap();
    }
}

async fn titles(db: &TestDb, q: RecordQuery) -> Vec<String> {
    let page = db.store.list_records(&RecordQuery { limit: 50, ..q }).await.unwrap();
    assert_eq!(page.total as usize, page.items.len());
    let mut t: Vec<String> = page.items.into_iter().map(|r| r.content.title).collect();
    t.sort();
    t
}

async fn filters_match_codes_and_their_children(db: TestDb) {
    seed(&db).await;
    let all = RecordQuery { visibility: Visibility::All, ..Default::default() };
    let bd = CountryCode::parse("BD").unwrap();
    assert_eq!(
        titles(&db, RecordQuery { country: Some(bd), ..all.clone() }).await,
        ["Draft idea", "Hidden", "Land BD"]
    );
    let sdg3 = Sdg::parse("3").unwrap();
    assert_eq!(titles(&db, RecordQuery { sdg: Some(sdg3), ..all.clone() }).await, ["Clinic TH", "Queue app"]);
    let target = Sdg::parse("3.8").unwrap();
    assert_eq!(titles(&db, RecordQuery { sdg: Some(target), ..all.clone() }).await, ["Clinic TH"]);
    let health = Cofog::parse("07").unwrap();
    assert_eq!(titles(&db, RecordQuery { sector: Some(health), ..all.clone() }).await, ["Clinic TH", "Queue app"]);
    let th = CountryCode::parse("TH").unwrap();
    assert_eq!(
        titles(&db, RecordQuery { kind: Some(Kind::Practice), country: Some(th), ..all.clone() }).await,
        ["Clinic TH"]
    );
    assert_eq!(titles(&db, RecordQuery { status: Some(Status::Draft), ..all.clone() }).await, ["Draft idea"]);
    assert!(titles(&db, RecordQuery { country: Some(CountryCode::parse("FR").unwrap()), ..all }).await.is_empty());
}

async fn the_public_sees_only_published_unhidden_records(db: TestDb) {
    seed(&db).await;
    assert_eq!(titles(&db, RecordQuery::default()).await, ["Clinic TH", "Land BD", "Queue app"]);
    let drafts = RecordQuery { status: Some(Status::Draft), ..Default::default() };
    assert!(titles(&db, drafts).await.is_empty(), "asking for drafts shows the public none");
}

async fn pages_follow_cursors(db: TestDb) {
    let actor = curator();
    let mut made = Vec::new();
    for i in 0..7 {
        let r = db
            .store
            .create_record(new_record(fixtures::input(&fixtures::practice(&format!("P{i}")))), &actor)
            .await
            .unwrap();
        made.push(r.id);
    }
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = db
            .store
            .list_records(&RecordQuery { limit: 3, cursor: cursor.clone(), ..Default::default() })
            .await
            .unwrap();
        assert_eq!(page.total, 7);
        assert!(page.items.len() <= 3);
        seen.extend(page.items.iter().map(|r| r.id));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    made.reverse();
    assert_eq!(seen, made, "newest first, each once");
    let bad = RecordQuery { cursor: Some(banyan_store::Cursor("garbage".into())), limit: 3, ..Default::default() };
    assert!(matches!(db.store.list_records(&bad).await, Err(banyan_store::StoreError::Invalid(_))));
}
