//! What can go wrong in storage, in terms the layers above can act on.

use banyan_domain::Violations;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such thing (or it is not visible to the caller).
    #[error("not found")]
    NotFound,
    /// The thing was deleted; its tombstone remains.
    #[error("deleted")]
    Gone,
    /// Optimistic concurrency: the caller's version is not the current one.
    #[error("version {expected} is not the current version {current}")]
    Conflict { expected: i64, current: i64 },
    /// The write would break a rule only storage can check (a taken slug or name, an unknown
    /// organisation), reported by field like any other invalid input.
    #[error("invalid: {0}")]
    Invalid(Violations),
    /// The database holds a schema newer than this binary knows: refuse rather than damage it.
    #[error(
        "the database schema is at version {database}, newer than the {known} this build of Banyan knows; \
         run a newer Banyan (or restore a backup made by this one)"
    )]
    SchemaTooNew { database: i64, known: i64 },
    /// A unique constraint refused the write; the text names the constraint or its columns.
    /// Turned into [`StoreError::Invalid`] or a retry before it leaves the store.
    #[error("duplicate: {0}")]
    Duplicate(String),
    /// The database stayed busy or unreachable past its timeout; retrying later may work.
    #[error("the database is busy or unavailable: {0}")]
    Unavailable(String),
    /// Anything else from the database: a bug or an operational failure.
    #[error("database error: {0}")]
    Database(String),
    /// The store will not do what was asked, for the reason given (a dump loaded into a node
    /// that is not empty, a row of a dump that does not fit).
    #[error("{0}")]
    Refused(String),
    /// Stored data that does not decode: a bug or manual tampering.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}
