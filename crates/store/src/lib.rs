//! What the rest of Banyan may ask of storage.
//!
//! [`Store`] is the whole interface. Both backends implement it through [`sql::SqlStore`], which
//! holds the SQL they share; each backend crate supplies only its connection handling, its
//! migrations and the few statements where the dialects differ (see [`sql::Dialect`]).
//!
//! Every write runs in one transaction that writes the row, a revision, an audit entry and a
//! change-log row. A successful return means the transaction committed.

pub mod dump;
pub mod error;
pub mod model;
pub mod sql;

use async_trait::async_trait;
use uuid::Uuid;

use banyan_domain::sps::Rates;
use banyan_domain::{
    Adoption, AdoptionId, AdoptionInput, Checklist, CommentId, ConversationId, CountryCode, Email, OrgRole,
    Organisation, OrganisationId, OrganisationInput, Pilot, PilotEvent, PilotId, Record, RecordId, RecordInput,
    ReportId, Service, ServiceId, ServiceInput, Status, TokenId, UserId,
};

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

    /// Creates many records in one transaction, each with its revision, audit entry and
    /// change-log row: all of them or, on any error, none. For bulk loads.
    async fn create_records(&self, batch: &[NewRecord], actor: &Actor) -> Result<Vec<RecordId>>;

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

    /// Several records by id in one read, live or deleted, in no particular order; ids not
    /// found are left out. For followers of the change log.
    async fn records_by_id(&self, ids: &[RecordId]) -> Result<Vec<RecordState>>;

    /// Public records (published, not hidden) in id order after `after`: a cheap scan for
    /// rebuilding indexes.
    async fn public_records_after(&self, after: Option<RecordId>, limit: u32) -> Result<Vec<Record>>;

    /// Every version of a record, newest first.
    async fn revisions(&self, id: RecordId) -> Result<Vec<Revision>>;

    /// Moves a record to another status, recording the comment in the audit log. Who may make
    /// which step is the caller's to check (`banyan_domain::workflow`).
    async fn transition_record(
        &self,
        id: RecordId,
        expected_version: i64,
        to: Status,
        comment: Option<&str>,
        actor: &Actor,
    ) -> Result<Record>;

    /// Hides a record from every public surface, or restores it (moderation).
    async fn set_record_hidden(&self, id: RecordId, hidden: bool, reason: &str, actor: &Actor) -> Result<Record>;

    /// Merges a duplicate into a survivor: the duplicate becomes a tombstone that points to it.
    async fn merge_record(&self, duplicate: RecordId, survivor: RecordId, actor: &Actor) -> Result<Tombstone>;

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

    /// Several live organisations by id in one read; ids not found (or deleted) are left out.
    async fn organisations_by_id(&self, ids: &[OrganisationId]) -> Result<Vec<Organisation>>;

    // API tokens

    async fn create_token(&self, token: NewToken, actor: &Actor) -> Result<TokenInfo>;

    /// The live (not revoked, not expired) token with this secret hash; notes that it was used.
    async fn use_token(&self, secret_hash: &str) -> Result<Option<TokenInfo>>;

    /// All tokens, or one person's.
    async fn list_tokens(&self, user: Option<UserId>) -> Result<Vec<TokenInfo>>;

    /// Revokes a token; `false` when there was no live token with this id.
    async fn revoke_token(&self, id: TokenId, actor: &Actor) -> Result<bool>;

    // People

    /// Creates an account; a taken e-mail address is an invalid `email`.
    async fn create_user(&self, user: NewUser, actor: &Actor) -> Result<User>;

    /// A live (not erased) account.
    async fn user(&self, id: UserId) -> Result<Option<User>>;

    /// An account with its password hash, for sign-in.
    async fn user_auth(&self, email: &Email) -> Result<Option<UserAuth>>;

    async fn password_hash(&self, id: UserId) -> Result<Option<String>>;

    async fn list_users(&self, query: &UserQuery) -> Result<Page<User>>;

    async fn update_user(&self, id: UserId, change: UserChange, actor: &Actor) -> Result<User>;

    /// Everything held about a person, as one JSON document.
    async fn export_user(&self, id: UserId) -> Result<serde_json::Value>;

    /// Erases a person's personal data; with `remove_content`, what they wrote goes too.
    async fn erase_user(&self, id: UserId, remove_content: bool, actor: &Actor) -> Result<()>;

    async fn create_session(&self, session: Session) -> Result<()>;

    /// The session with this id hash, if it has not expired and its person may still sign in.
    async fn session(&self, id_hash: &str) -> Result<Option<Session>>;

    async fn end_session(&self, id_hash: &str) -> Result<()>;

    /// Ends every session of a person; returns how many there were.
    async fn end_sessions(&self, user: UserId) -> Result<u64>;

    async fn create_one_time_token(&self, token: OneTimeToken) -> Result<()>;

    /// Uses up a one-time token: `None` if it is unknown, used, expired or for another purpose.
    async fn take_one_time_token(&self, hash: &str, purpose: Purpose) -> Result<Option<OneTimeToken>>;

    // Organisations' people

    async fn memberships(&self, user: UserId) -> Result<Vec<(OrganisationId, OrgRole)>>;

    async fn members(&self, organisation: OrganisationId) -> Result<Vec<Member>>;

    /// Sets someone's role in an organisation; `None` removes them.
    async fn set_membership(
        &self,
        organisation: OrganisationId,
        user: UserId,
        role: Option<OrgRole>,
        actor: &Actor,
    ) -> Result<()>;

    // Mail

    async fn enqueue_mail(&self, mail: NewMail) -> Result<()>;

    /// The outbox, newest first.
    async fn outbox(&self, limit: u32) -> Result<Vec<Mail>>;

    /// Takes unsent mail to send, holding it for `lease_seconds`.
    async fn claim_mail(&self, limit: u32, lease_seconds: i64) -> Result<Vec<Mail>>;

    async fn mail_sent(&self, id: uuid::Uuid) -> Result<()>;

    async fn mail_failed(&self, id: uuid::Uuid, error: &str) -> Result<()>;

    // Matching: interest, conversations, messages

    /// Records `side`'s interest in the match of `challenge` with `offer` (again is no change),
    /// and opens their conversation when both sides have expressed interest. Returns the
    /// interests so far and the conversation, if open.
    async fn express_interest(
        &self,
        challenge: RecordId,
        offer: RecordId,
        side: Side,
        actor: &Actor,
    ) -> Result<(Vec<Interest>, Option<Conversation>)>;

    async fn interests(&self, challenge: RecordId, offer: RecordId) -> Result<Vec<Interest>>;

    async fn conversation(&self, id: ConversationId) -> Result<Option<Conversation>>;

    /// Conversations about any of these records, or to which this curator is invited; newest
    /// activity first.
    async fn conversations_about(&self, records: &[RecordId], curator: Option<UserId>) -> Result<Vec<Conversation>>;

    async fn add_message(&self, conversation: ConversationId, side: &str, body: &str, actor: &Actor)
    -> Result<Message>;

    async fn messages(&self, conversation: ConversationId) -> Result<Vec<Message>>;

    /// Declines the conversation for `side`, with a reason the other side sees. Messages stop.
    async fn decline_conversation(
        &self,
        conversation: ConversationId,
        side: Side,
        reason: &str,
        actor: &Actor,
    ) -> Result<Conversation>;

    async fn invite_curator(
        &self,
        conversation: ConversationId,
        curator: UserId,
        actor: &Actor,
    ) -> Result<Conversation>;

    /// Marks everything in the conversation as read by `user`, now.
    async fn mark_read(&self, conversation: ConversationId, user: UserId) -> Result<()>;

    /// When `user` last read the conversation.
    async fn read_at(
        &self,
        conversation: ConversationId,
        user: UserId,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>>;

    // Pilots and procurement

    /// Stores a proposed pilot (version 1) with the first step of its history. The
    /// conversation must be open and about the pilot's two records.
    async fn create_pilot(&self, pilot: &Pilot, actor: &Actor) -> Result<Pilot>;

    async fn pilot(&self, id: PilotId) -> Result<Option<Pilot>>;

    /// Pilots in any of these conversations, or adopted into `practice`; most recently
    /// changed first.
    async fn pilots(&self, conversations: &[ConversationId], practice: Option<RecordId>) -> Result<Vec<Pilot>>;

    /// Writes the pilot as changed from `expected_version` (else [`StoreError::Conflict`]),
    /// with one step of its history and an audit entry.
    async fn save_pilot(&self, pilot: &Pilot, expected_version: i64, step: &PilotStep, actor: &Actor) -> Result<Pilot>;

    /// A pilot's history, oldest first.
    async fn pilot_events(&self, id: PilotId) -> Result<Vec<PilotEvent>>;

    /// The procurement checklists, by country code; or one country's.
    async fn checklists(&self, country: Option<CountryCode>) -> Result<Vec<ProcurementChecklist>>;

    /// Creates or replaces a country's checklist. `expected_version` (0 for none yet), when
    /// given, must be the current one.
    async fn put_checklist(
        &self,
        country: CountryCode,
        checklist: &Checklist,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<ProcurementChecklist>;

    // Federation

    /// The record with this URI (a harvested copy carries its origin's).
    async fn record_by_uri(&self, uri: &str) -> Result<Option<RecordState>>;

    /// Registers a peer to harvest; [`StoreError::Invalid`] if it is one already.
    async fn add_peer(&self, base_url: &str, actor: &Actor) -> Result<Peer>;

    async fn peers(&self) -> Result<Vec<Peer>>;

    /// Records a harvest of `peer`: its report, and, when it completed, the `from` of the next.
    async fn finish_harvest(
        &self,
        peer: Uuid,
        harvested_until: Option<chrono::DateTime<chrono::Utc>>,
        report: &serde_json::Value,
    ) -> Result<Peer>;

    /// Records for OAI-PMH: see [`ChangedQuery`]. Also how many match without `after`.
    async fn changed_records(&self, query: &ChangedQuery) -> Result<(Vec<Changed>, u64)>;

    /// When the earliest record this node would serve over OAI-PMH last changed.
    async fn earliest_change(&self) -> Result<Option<chrono::DateTime<chrono::Utc>>>;

    // Adoptions, services and exchange rates

    /// Records that an organisation adopted `practice` (a live practice). `learned_from` must
    /// be another adoption of it, and the organisations and records named must exist.
    async fn create_adoption(&self, practice: RecordId, input: &AdoptionInput, actor: &Actor) -> Result<Adoption>;

    async fn adoption(&self, id: AdoptionId) -> Result<Option<Adoption>>;

    /// Adoptions of `practice`, or of every practice; in the order adopted.
    async fn adoptions(&self, practice: Option<RecordId>) -> Result<Vec<Adoption>>;

    /// The adoptions that name `record` as the adopter's own record of the practice.
    async fn adoptions_deriving(&self, record: RecordId) -> Result<Vec<Adoption>>;

    /// For each of `practices` that has any: in how many distinct places it is piloted or in
    /// use by adopters.
    async fn adoption_counts(&self, practices: &[RecordId]) -> Result<std::collections::HashMap<RecordId, usize>>;

    /// Rewrites an adoption as of `expected_version` (else [`StoreError::Conflict`]).
    async fn save_adoption(
        &self,
        id: AdoptionId,
        input: &AdoptionInput,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Adoption>;

    /// Stores a service with its process maps, as evidence of a live practice.
    async fn create_service(&self, input: &ServiceInput, actor: &Actor) -> Result<Service>;

    async fn service(&self, id: ServiceId) -> Result<Option<Service>>;

    /// Services of `practice`, or all; oldest first.
    async fn services(&self, practice: Option<RecordId>) -> Result<Vec<Service>>;

    /// Rewrites a service as of `expected_version`; it stays with its practice.
    async fn save_service(
        &self,
        id: ServiceId,
        input: &ServiceInput,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Service>;

    /// The exchange rates, once an admin has set them.
    async fn rates(&self) -> Result<Option<RateTable>>;

    /// Replaces the exchange rates; `expected_version` (0 for none yet), when given, must be
    /// the current one.
    async fn put_rates(&self, rates: &Rates, expected_version: Option<i64>, actor: &Actor) -> Result<RateTable>;

    // Review comments and moderation

    async fn add_comment(&self, record: RecordId, body: &str, actor: &Actor) -> Result<Comment>;

    async fn comments(&self, record: RecordId) -> Result<Vec<Comment>>;

    async fn comment(&self, id: CommentId) -> Result<Option<Comment>>;

    async fn set_comment_hidden(&self, id: CommentId, hidden: bool, actor: &Actor) -> Result<Comment>;

    async fn create_report(&self, target: ReportTarget, reason: &str, actor: &Actor) -> Result<Report>;

    /// Reports, oldest first when filtered by status (a queue), else newest first.
    async fn reports(&self, status: Option<ReportStatus>, limit: u32) -> Result<Vec<Report>>;

    async fn report(&self, id: ReportId) -> Result<Option<Report>>;

    async fn resolve_report(
        &self,
        id: ReportId,
        status: ReportStatus,
        resolution: &str,
        actor: &Actor,
    ) -> Result<Report>;

    // Followers

    /// Changes with `seq > after`, in order, at most `limit`.
    async fn changes_since(&self, after: i64, limit: u32) -> Result<Vec<Change>>;

    /// The newest change-log sequence number (0 before the first write).
    async fn last_seq(&self) -> Result<i64>;

    /// The audit log, newest first, optionally of one thing.
    async fn audit_log(&self, entity_id: Option<Uuid>, limit: u32) -> Result<Vec<AuditEntry>>;

    /// Every row of every table ([`dump::TABLES`]), as of one moment while writes go on, to
    /// `sink`; the number of rows of each table.
    async fn dump(
        &self,
        sink: &mut (dyn FnMut(dump::DumpRow) -> Result<()> + Send),
    ) -> Result<std::collections::BTreeMap<&'static str, u64>>;

    /// Writes the rows of a dump into this database, which must be empty, in one transaction:
    /// every row or, on any error or when `commit` is false, none. The number of rows of each
    /// table. Tables must come in [`dump::TABLES`]' order.
    async fn load(
        &self,
        rows: &mut (dyn Iterator<Item = Result<dump::DumpRow>> + Send),
        commit: bool,
    ) -> Result<std::collections::BTreeMap<&'static str, u64>>;
}
