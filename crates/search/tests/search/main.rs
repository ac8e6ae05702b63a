//! The search index against a real database (SQLite and PostgreSQL), with the demo content's
//! texts in the network's languages.

mod counting;
mod following;
mod languages;
mod matching;
mod queries;

use std::sync::Arc;

use banyan_domain::RecordId;
use banyan_search::indexer::open_current;
use banyan_search::{Facet, Indexer, SearchIndex, SearchRequest, SearchResults, Sort};
use banyan_store::{Actor, RecordQuery, Visibility};
use banyan_testkit::TestDb;

pub const BASE: &str = "https://banyan.test";

/// A database with the demo content and an index that follows it.
pub struct Fixture {
    pub db: TestDb,
    pub dir: tempfile::TempDir,
    pub indexer: Arc<Indexer>,
}

impl Fixture {
    pub async fn empty(db: TestDb) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let indexer = open_current(&dir.path().join("search"), Arc::clone(&db.store)).await.unwrap();
        Fixture { db, dir, indexer }
    }

    pub async fn demo(db: TestDb) -> Fixture {
        banyan_import::demo::load(&*db.store, BASE).await.unwrap();
        Fixture::empty(db).await
    }

    pub fn index(&self) -> &SearchIndex {
        self.indexer.index()
    }

    pub async fn sync(&self) {
        self.indexer.catch_up().await.unwrap();
    }

    pub fn search(&self, req: SearchRequest) -> SearchResults {
        self.index().search(&SearchRequest { limit: if req.limit == 0 { 10 } else { req.limit }, ..req }).unwrap()
    }

    /// The titles (in the records' own languages) a query finds, best first.
    pub fn titles(&self, q: &str) -> Vec<String> {
        self.search(SearchRequest { q: q.into(), limit: 50, ..Default::default() })
            .hits
            .into_iter()
            .map(|h| h.title)
            .collect()
    }

    pub fn titles_in(&self, q: &str, lang: &str) -> Vec<String> {
        self.search(SearchRequest { q: q.into(), limit: 50, lang: Some(lang.into()), ..Default::default() })
            .hits
            .into_iter()
            .map(|h| h.title)
            .collect()
    }

    /// The record with a title, from the database.
    pub async fn record(&self, title: &str) -> banyan_domain::Record {
        let page = self
            .db
            .store
            .list_records(&RecordQuery { visibility: Visibility::All, limit: 1000, ..Default::default() })
            .await
            .unwrap();
        page.items.into_iter().find(|r| r.content.title == title).unwrap_or_else(|| panic!("no record {title:?}"))
    }

    pub async fn id(&self, title: &str) -> RecordId {
        self.record(title).await.id
    }
}

pub fn curator() -> Actor {
    Actor::token(banyan_domain::TokenId::new(), "test curator", banyan_domain::Role::Curator)
}

pub fn filter(facet: Facet, values: &[&str]) -> (Facet, Vec<String>) {
    (facet, values.iter().map(|v| v.to_string()).collect())
}

pub fn browse(filters: Vec<(Facet, Vec<String>)>) -> SearchRequest {
    SearchRequest { filters, facets: true, limit: 100, sort: Sort::Newest, ..Default::default() }
}

/// Asserts that `expected` is among the first `within` titles and `unrelated` are nowhere.
#[track_caller]
pub fn assert_finds(got: &[String], expected: &str, within: usize, unrelated: &[&str]) {
    let at = got.iter().position(|t| t == expected);
    assert!(at.is_some_and(|i| i < within), "expected {expected:?} in the first {within} of {got:#?}");
    for u in unrelated {
        assert!(!got.iter().any(|t| t == u), "{u:?} should not be found: {got:#?}");
    }
}
