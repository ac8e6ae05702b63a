use banyan_domain::Kind;
use banyan_store::RecordQuery;
use banyan_testkit::{TestDb, backend_tests};

use crate::{BASE, total};

backend_tests!(the_demo_content_loads_once);

async fn the_demo_content_loads_once(db: TestDb) {
    let loaded = banyan_import::demo::load(db.store.as_ref(), BASE).await.unwrap();
    assert_eq!(loaded.records, 30);
    assert_eq!(loaded.checklists, 5);
    let lists = db.store.checklists(None).await.unwrap();
    assert_eq!(lists.iter().map(|c| c.country.code()).collect::<Vec<_>>(), ["BD", "MY", "PH", "TH", "VN"]);
    assert!(lists.iter().all(|c| c.checklist.steps.len() >= 4 && c.checklist.source.is_some()));
    for kind in Kind::ALL {
        assert!(total(db.store.as_ref(), RecordQuery { kind: Some(*kind), ..Default::default() }).await >= 5, "{kind}");
    }
    let langs: std::collections::BTreeSet<String> = db
        .store
        .list_records(&RecordQuery { visibility: banyan_store::Visibility::All, limit: 100, ..Default::default() })
        .await
        .unwrap()
        .items
        .iter()
        .map(|r| r.content.lang.to_string())
        .collect();
    for lang in ["en", "bn", "th", "vi", "ms", "id", "hi", "ne"] {
        assert!(langs.contains(lang), "demo content in {lang}");
    }
    assert!(banyan_import::demo::load(db.store.as_ref(), BASE).await.is_err(), "never mixed with existing content");
}
