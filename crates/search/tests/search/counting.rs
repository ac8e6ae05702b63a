//! Totals and facet counts stay exact while segments' counts are kept between searches: new
//! segments are counted, deletions in a kept segment are seen, and a query counted once is
//! answered the same way again.

use serde_json::json;

use banyan_domain::RecordInput;
use banyan_domain::record::InputMode;
use banyan_search::{Facet, SearchRequest};
use banyan_store::NewRecord;
use banyan_testkit::fixtures::{input, practice};
use banyan_testkit::{TestDb, backend_tests};

use crate::{BASE, Fixture, browse, curator, filter};

backend_tests!(counts_kept_between_searches_follow_every_commit);

/// Big enough that a segment's counts are kept.
const MANY: usize = 2_400;

fn country_counts(f: &Fixture, req: SearchRequest) -> (u64, Vec<(String, u64)>) {
    let found = f.search(req);
    let countries =
        found.facets.into_iter().find(|(facet, _)| *facet == Facet::Country).map(|(_, c)| c).unwrap_or_default();
    (found.total, countries)
}

fn query(q: &str) -> SearchRequest {
    SearchRequest { q: q.into(), facets: true, limit: 5, ..Default::default() }
}

async fn counts_kept_between_searches_follow_every_commit(db: TestDb) {
    let f = Fixture::empty(db).await;
    let store = &f.db.store;
    // Practices in Bangladesh (two in three) and Thailand (one in three); one in four is
    // about ferries.
    let batch: Vec<NewRecord> = (0..MANY)
        .map(|i| {
            let mut p =
                practice(&format!("Counter service number {i}{}", if i % 4 == 0 { " for ferries" } else { "" }));
            p["places"] = json!([if i % 3 == 2 { "TH-50" } else { "BD-13" }]);
            NewRecord::local(input(&p), BASE)
        })
        .collect();
    let ids = store.create_records(&batch, &curator()).await.unwrap();
    f.sync().await;
    let bd = |n: u64| ("BD".to_string(), n);
    let th = |n: u64| ("TH".to_string(), n);

    // Counted, then answered again from what was kept: the same.
    let all = country_counts(&f, browse(vec![]));
    assert_eq!(all, (2_400, vec![bd(1_600), th(800)]));
    let ferries = country_counts(&f, query("ferries"));
    assert_eq!(ferries, (600, vec![bd(400), th(200)]));
    assert!(f.index().kept_counts() >= 2, "the big segment's counts are kept");
    assert_eq!(country_counts(&f, browse(vec![])), all);
    assert_eq!(country_counts(&f, query("ferries")), ferries);
    // Another filter is another query.
    assert_eq!(country_counts(&f, browse(vec![filter(Facet::Country, &["TH"])])), (800, vec![th(800)]));

    // A later commit makes a segment of its own: counted and added.
    let mut more = practice("Ferries booked by text message");
    more["places"] = json!(["TH-50"]);
    store.create_record(NewRecord::local(input(&more), BASE), &curator()).await.unwrap();
    f.sync().await;
    assert_eq!(country_counts(&f, browse(vec![])), (2_401, vec![bd(1_600), th(801)]));
    assert_eq!(country_counts(&f, query("ferries")), (601, vec![bd(400), th(201)]));

    // A record of the big segment hidden, and one moved to Thailand: their old documents are
    // deleted from the kept segment, whose counts must not be reused.
    let ids = &ids;
    let live = |i: usize| async move {
        match store.records_by_id(&[ids[i]]).await.unwrap().pop() {
            Some(banyan_store::RecordState::Live(r)) => r,
            other => panic!("record {i}: {other:?}"),
        }
    };
    let first = live(0).await;
    assert_eq!(first.content.title, "Counter service number 0 for ferries");
    store.set_record_hidden(first.id, true, "spam report", &curator()).await.unwrap();
    let second = live(4).await;
    let mut moved = second.to_json();
    moved["places"] = json!(["TH-50"]);
    let moved = RecordInput::from_json(&moved, InputMode::Update { kind: second.kind() }).unwrap();
    store.update_record(second.id, second.version, moved, &curator()).await.unwrap();
    f.sync().await;
    assert_eq!(country_counts(&f, browse(vec![])), (2_400, vec![bd(1_598), th(802)]));
    assert_eq!(country_counts(&f, query("ferries")), (600, vec![bd(398), th(202)]));
}
