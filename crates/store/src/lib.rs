//! What the rest of Banyan may ask of storage.
//!
//! [`Store`] is the whole interface. Both backends implement it through [`sql::SqlStore`], which
//! holds the SQL they share; each backend crate supplies only its connection handling, its
//! migrations and the few statements where the dialects differ (see [`sql::Dialect`]).
//!
//! Every write runs in one transaction that writes the row, a revision, an audit entry and a
//! change-log row. A successful return means the transaction committed.

pub mod error;
pub mod model;
pub mod sql;

use async_trait::async_trait;
use uuid::Uuid;

use banyan_domain::{Organisation, OrganisationId, OrganisationInput, Record, RecordId, RecordInput, TokenId};

pub use error::{Result, StoreError};
pub use model::*;

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// Succeeds when the database answers.
    async fn ping(&self) -> Result<()>;

    /// The newest migration applied.
    async fn schema_version(&self) -> Result<i64>;

    // Records

    async fn create_record(&self, new: NewRecord, actor: &Actor) -> Result<Record>;

    /// Replaces a record's content, if `expected_version` is still its version.
    async fn update_record(
        &self,
        id: RecordId,
        expected_version: i64,
        input: RecordInput,
        actor: &Actor,
    ) -> Result<Record>;

    /// Deletes a record softly: it leaves a tombstone and a `delete` in the change log.
    async fn delete_record(&self, id: RecordId, expected_version: Option<i64>, actor: &Actor) -> Result<Tombstone>;

    async fn record(&self, id: RecordId) -> Result<Option<RecordState>>;

    /// The record imported from `(registry, key)`, live or deleted.
    async fn record_by_source(&self, registry: &str, key: &str) -> Result<Option<RecordState>>;

    async fn list_records(&self, query: &RecordQuery) -> Result<Page<Record>>;

    /// Every version of a record, newest first.
    async fn revisions(&self, id: RecordId) -> Result<Vec<Revision>>;

    // Organisations

    /// Creates an organisation with the given id (new ones take `OrganisationId::new()`;
    /// imports keep the id they had).
    async fn create_organisation(
        &self,
        id: OrganisationId,
        input: OrganisationInput,
        actor: &Actor,
    ) -> Result<Organisation>;

    async fn update_organisation(
        &self,
        id: OrganisationId,
        expected_version: i64,
        input: OrganisationInput,
        actor: &Actor,
    ) -> Result<Organisation>;

    async fn organisation(&self, id: OrganisationId) -> Result<Option<Organisation>>;

    /// The organisation with this name (in any case and spacing) in this country (or with no
    /// country).
    async fn organisation_by_name(
        &self,
        name: &str,
        country: Option<banyan_domain::CountryCode>,
    ) -> Result<Option<Organisation>>;

    async fn list_organisations(&self, query: &OrganisationQuery) -> Result<Page<Organisation>>;

    // API tokens

    async fn create_token(&self, token: NewToken, actor: &Actor) -> Result<TokenInfo>;

    /// The live (not revoked, not expired) token with this secret hash; notes that it was used.
    async fn use_token(&self, secret_hash: &str) -> Result<Option<TokenInfo>>;

    async fn list_tokens(&self) -> Result<Vec<TokenInfo>>;

    /// Revokes a token; `false` when there was no live token with this id.
    async fn revoke_token(&self, id: TokenId, actor: &Actor) -> Result<bool>;

    // Followers

    /// Changes with `seq > after`, in order, at most `limit`.
    async fn changes_since(&self, after: i64, limit: u32) -> Result<Vec<Change>>;

    /// The newest change-log sequence number (0 before the first write).
    async fn last_seq(&self) -> Result<i64>;

    /// The audit log, newest first, optionally of one thing.
    async fn audit_log(&self, entity_id: Option<Uuid>, limit: u32) -> Result<Vec<AuditEntry>>;
}
