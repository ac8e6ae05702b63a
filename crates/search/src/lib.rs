//! Banyan's search index.
//!
//! One tantivy index in the data folder holds every public thing — published, unhidden records
//! and the organisations directory — and nothing else. [`Indexer`] keeps it current by following
//! the database's change log, committing the last sequence number it applied in the same atomic
//! step as the documents, so after a crash it resumes exactly where the index left off. Several
//! servers on one PostgreSQL database each keep their own index this way.
//!
//! Reading: [`SearchIndex::search`] (words, phrases, exclusions, typos, filters, facet counts,
//! highlights), [`SearchIndex::suggest`] (type-ahead), [`similar`] records with the reasons they
//! were chosen, likely [`duplicates`] of a draft, and [`classify`]-ing a text by SDG is in the
//! `banyan-classify` crate.

pub mod analysis;
pub mod document;
pub mod duplicates;
pub mod facets;
pub mod highlight;
pub mod index;
pub mod indexer;
pub mod matching;
pub mod query;
mod rank;
pub mod schema;
pub mod similar;

use std::path::PathBuf;

pub use document::{Display, is_public};
pub use facets::FacetCounts;
pub use highlight::Highlight;
pub use index::{Hit, SearchIndex, SearchRequest, SearchResults, Sort, Suggestion, WriterOptions};
pub use indexer::{Indexer, IndexerHandle};
pub use query::QueryError;
pub use schema::Facet;

/// What can go wrong in search.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The query can't be run as typed: a 400 for the client.
    #[error("{0}")]
    Query(#[from] QueryError),
    #[error("the search index in {} is in use by another process; give each server its own data folder", .0.display())]
    Locked(PathBuf),
    #[error("the search index was built by another version of Banyan (schema {found}, this one needs {wanted})")]
    Outdated { found: u32, wanted: u32 },
    #[error("the search index is damaged: {0}")]
    Corrupt(String),
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("reading the search index: {0}")]
    Read(#[from] std::io::Error),
    #[error("reading the database for the index: {0}")]
    Store(#[from] banyan_store::StoreError),
    /// The work on the index panicked or was cancelled.
    #[error("a search task failed: {0}")]
    Task(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<tantivy::query::QueryParserError> for Error {
    fn from(e: tantivy::query::QueryParserError) -> Self {
        Error::Corrupt(e.to_string())
    }
}
