//! Filters, facet counts, sorting, paging, highlights and any query string.

use std::collections::BTreeMap;

use proptest::prelude::*;

use banyan_search::analysis;
use banyan_search::highlight::Highlighter;
use banyan_search::{Error, Facet, SearchRequest, Sort};
use banyan_testkit::{TestDb, backend_tests};
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use crate::{Fixture, browse, filter};

backend_tests!(
    facets_count_what_the_filters_keep,
    totals_count_exactly_the_hits,
    filters_sorting_and_paging,
    highlights_mark_what_matched,
    a_body_is_highlighted_exactly_when_it_holds_a_word_of_the_query
);

fn counts(f: &Fixture, req: SearchRequest, facet: Facet) -> BTreeMap<String, u64> {
    let r = f.search(req);
    r.facets.into_iter().find(|(x, _)| *x == facet).map(|(_, v)| v.into_iter().collect()).unwrap_or_default()
}

async fn facets_count_what_the_filters_keep(db: TestDb) {
    let f = Fixture::demo(db).await;
    // 26 public records (4 of the 30 are not published) and 12 organisations.
    let all = f.search(browse(vec![]));
    assert_eq!(all.total, 38);
    let kinds = counts(&f, browse(vec![]), Facet::Kind);
    assert_eq!(
        kinds,
        BTreeMap::from([
            ("practice".into(), 9),
            ("idea".into(), 3),
            ("challenge".into(), 4),
            ("solution".into(), 5),
            ("resource".into(), 5),
            ("organisation".into(), 12)
        ])
    );
    // With a filter, every count is the number of hits the filter and that value keep.
    let health = vec![filter(Facet::Sdg, &["3"])];
    let filtered = f.search(browse(health.clone()));
    assert_eq!(filtered.total, 6);
    for (facet, values) in &filtered.facets {
        for (value, n) in values {
            let mut both = health.clone();
            both.push(filter(*facet, &[value]));
            assert_eq!(f.search(browse(both)).total, *n, "{} = {value}", facet.name());
        }
    }
    let sdgs = counts(&f, browse(health.clone()), Facet::Sdg);
    assert_eq!(sdgs.get("3"), Some(&6));
    assert_eq!(sdgs.get("2"), Some(&1), "the child growth practice is about hunger too");
    assert!(sdgs.keys().all(|k| !k.contains('.')), "counts are by goal, not target: {sdgs:?}");
    // Filters combine: any value of one facet, and every facet.
    assert_eq!(f.search(browse(vec![filter(Facet::Country, &["TH", "MY"])])).total, 11);
    assert_eq!(f.search(browse(vec![filter(Facet::Country, &["TH"]), filter(Facet::Kind, &["solution"])])).total, 2);
    // A target filters to that target; a group to that group; a region to its countries.
    assert_eq!(f.search(browse(vec![filter(Facet::Sdg, &["2.2"])])).total, 1);
    assert_eq!(f.search(browse(vec![filter(Facet::Sector, &["07.3"])])).total, 4);
    let south_east_asia =
        f.search(browse(vec![filter(Facet::Region, &["035"]), filter(Facet::Kind, &["organisation"])]));
    assert_eq!(south_east_asia.total, 7);
    // A text query with filters counts only what both keep.
    let q = SearchRequest { q: "hospital".into(), ..browse(vec![filter(Facet::Kind, &["challenge"])]) };
    let r = f.search(q.clone());
    assert_eq!(r.total, r.hits.len() as u64);
    assert_eq!(counts(&f, q, Facet::Kind), BTreeMap::from([("challenge".into(), r.total)]));
}

/// The total and facets come from a second, unscored pass over the field of all texts (phrases
/// over the folded fields); it must keep exactly the records the ranked pass finds, whatever the
/// query and wherever the words are: a title, a summary, a body, a translation, a place's or an
/// organisation's name.
async fn totals_count_exactly_the_hits(db: TestDb) {
    let f = Fixture::demo(db).await;
    for q in [
        "land",
        "Land Records",
        "đổi mới",
        "doi moi",
        "\"one stop\"",
        "\"One-Stop\"",
        "clinic -hospital",
        "hospitl",
        "registrations",
        "ที่ดิน",
        "ভূমি",
        "e-government",
        "Tangail",
        "Khon Kaen",
        "Mekong",
        "Kông",
        "aplikasi",
        "cooperation",
        "agriculture",
    ] {
        // Ranked by relevance: the hits come from the ranked pass, the total from the other.
        let r = f.search(SearchRequest { q: q.into(), limit: 100, sort: Sort::Relevance, ..browse(vec![]) });
        assert_eq!(r.total, r.hits.len() as u64, "{q}");
        let kinds: u64 =
            r.facets.iter().find(|(x, _)| *x == Facet::Kind).map_or(0, |(_, v)| v.iter().map(|(_, n)| n).sum());
        assert_eq!(kinds, r.total, "{q}: every hit has one kind");
    }
    assert!(f.search(SearchRequest { q: "hospitl".into(), ..browse(vec![]) }).total > 0, "a typo still finds");
}

async fn filters_sorting_and_paging(db: TestDb) {
    let f = Fixture::demo(db).await;
    let req = |offset: usize| SearchRequest { limit: 10, offset, sort: Sort::Newest, ..browse(vec![]) };
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let page = f.search(req(offset));
        assert_eq!(page.total, 38);
        if page.hits.is_empty() {
            break;
        }
        offset += page.hits.len();
        seen.extend(page.hits.into_iter().map(|h| h.id));
    }
    let unique: std::collections::BTreeSet<_> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len()), (38, 38), "pages neither repeat nor skip");

    // Relevance: a title match above a body match.
    let titles = f.titles("pharmacies");
    assert_eq!(titles[0], "Long waits at district hospital pharmacies");
    let scores: Vec<f32> =
        f.search(SearchRequest { q: "queue".into(), ..Default::default() }).hits.iter().map(|h| h.score).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    // Languages: records available in Thai, through their own text or a translation.
    let thai = f.search(browse(vec![filter(Facet::Lang, &["th"])]));
    assert_eq!(thai.total, 5);
}

async fn highlights_mark_what_matched(db: TestDb) {
    let f = Fixture::demo(db).await;
    let r = f.search(SearchRequest { q: "tracking number".into(), highlights: true, limit: 5, ..Default::default() });
    let hit = &r.hits[0];
    assert_eq!(hit.title, "Land mutation in one visit");
    let summary = hit.highlights.iter().find(|h| h.field == "summary").expect("the summary matched");
    assert!(summary.html().contains("<mark>tracking</mark> <mark>number</mark>"), "{}", summary.html());
    // Words found without their diacritics are marked as written.
    let r = f.search(SearchRequest { q: "ho so".into(), highlights: true, limit: 1, ..Default::default() });
    let title = r.hits[0].highlights.iter().find(|h| h.field == "title").unwrap();
    assert!(title.html().contains("<mark>hồ</mark> <mark>sơ</mark>"), "{}", title.html());
}

/// A search reads a hit's body for highlights only when the index says the body holds a word
/// of the query: what it shows must be what reading every body would show.
async fn a_body_is_highlighted_exactly_when_it_holds_a_word_of_the_query(db: TestDb) {
    let f = Fixture::demo(db).await;
    let searcher = f.index().searcher();
    let fields = f.index().fields();
    let (mut with, mut without) = (0, 0);
    for q in ["queue", "clinics", "land records", "ho so", "hồ sơ", "โรงพยาบาล", "জন্ম নিবন্ধন", "SMS", "farmers"]
    {
        let found = f.search(SearchRequest { q: q.into(), highlights: true, limit: 50, ..Default::default() });
        assert!(!found.hits.is_empty(), "{q}");
        let plain = analysis::terms(&mut analysis::plain(), q);
        let folded = analysis::terms(&mut analysis::folded(), q);
        let mut highlighter = Highlighter::new(plain, folded);
        for hit in &found.hits {
            let id = TermQuery::new(Term::from_field_text(fields.id, &hit.id.to_string()), IndexRecordOption::Basic);
            let (_, addr) = searcher.search(&id, &TopDocs::with_limit(1).order_by_score()).unwrap()[0];
            let doc: TantivyDocument = searcher.doc(addr).unwrap();
            // The search's fragments are 240 bytes.
            let expected =
                doc.get_first(fields.body).and_then(|v| v.as_str()).and_then(|b| highlighter.fragment("body", b, 240));
            let got = hit.highlights.iter().find(|h| h.field == "body");
            assert_eq!(got, expected.as_ref(), "{q:?}: {}", hit.title);
            if got.is_some() {
                with += 1;
            } else {
                without += 1;
            }
        }
    }
    assert!(with >= 5 && without >= 5, "bodies with and without the words: {with}, {without}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_query_string_gets_an_answer_or_a_clear_refusal() {
    let f = Fixture::demo(TestDb::sqlite().await).await;
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig { cases: 300, ..Default::default() });
    let strategy = prop_oneof![
        any::<String>(),
        "[-\"“” a-zA-Z\\u{0E00}-\\u{0E7F}\\u{0980}-\\u{09FF}*?:()\\[\\]{}\\\\^~!+]{0,80}",
        proptest::collection::vec(prop_oneof![Just("-"), Just("\""), Just("land"), Just(" "), Just("ที่ดิน")], 0..40)
            .prop_map(|v| v.concat()),
    ];
    runner
        .run(&strategy, |q| {
            let res = f.index().search(&SearchRequest {
                q: q.clone(),
                limit: 5,
                facets: true,
                highlights: true,
                ..Default::default()
            });
            match res {
                Ok(r) => prop_assert!(r.hits.len() <= 5),
                Err(Error::Query(_)) => prop_assert!(q.chars().count() > 500 || q.split_whitespace().count() > 32),
                Err(e) => prop_assert!(false, "{q:?}: {e}"),
            }
            let s = f.index().suggest(&q, &[], None, 5);
            prop_assert!(s.is_ok() || q.chars().count() > 500 || q.split_whitespace().count() > 32);
            Ok(())
        })
        .unwrap();
}
