//! What storage takes and gives, beyond the domain types themselves.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use banyan_domain::{
    Cofog, CommentId, ConversationId, CountryCode, Email, Kind, MessageId, OrgRole, OrgType, OrganisationId, Origin,
    Record, RecordId, RecordInput, ReportId, Role, Scope, Sdg, Status, TokenId, UserId,
};

/// Who made a change, for the audit log and revisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Actor {
    /// `token:<id>`, `cli`, `import:dpg`, `demo`, …
    pub id: String,
    /// A human-friendly name: the token's name, the importer's registry.
    pub name: String,
    pub role: Role,
}

impl Actor {
    pub fn token(id: TokenId, name: &str, role: Role) -> Actor {
        Actor { id: format!("token:{id}"), name: name.to_string(), role }
    }
    /// A person. Only their id is written to logs and revisions: names and addresses are
    /// personal data and would outlive the account's erasure there.
    pub fn user(id: UserId, role: Role) -> Actor {
        Actor { id: format!("user:{id}"), name: String::new(), role }
    }
    /// The person behind the actor, if it is one.
    pub fn user_id(&self) -> Option<UserId> {
        self.id.strip_prefix("user:").and_then(|u| UserId::parse(u).ok())
    }
    /// The operator at the command line (who has the database itself in hand).
    pub fn cli() -> Actor {
        Actor { id: "cli".into(), name: "command line".into(), role: Role::Admin }
    }
    pub fn importer(registry: &str) -> Actor {
        Actor { id: format!("import:{registry}"), name: format!("{registry} importer"), role: Role::Admin }
    }
    /// Banyan itself, for what follows from others' actions (a challenge moving into
    /// conversation when one opens).
    pub fn system(what: &str) -> Actor {
        Actor { id: format!("system:{what}"), name: what.to_string(), role: Role::Admin }
    }
    /// The label written to the audit log and revisions.
    pub fn label(&self) -> String {
        if self.name.is_empty() { self.id.clone() } else { format!("{} ({})", self.id, self.name) }
    }
}

/// A record to create.
#[derive(Debug, Clone)]
pub struct NewRecord {
    pub id: RecordId,
    pub uri: String,
    pub origin: Origin,
    pub input: RecordInput,
    pub owner: Option<UserId>,
    pub derived_from: Option<RecordId>,
    /// For a record moved from another copy of this node: the version and dates it keeps.
    /// Otherwise it starts at version 1, written now.
    pub carried: Option<Carried>,
}

/// What a record moved between nodes keeps (`banyan export jsonl --all`, then `banyan import
/// jsonl` into an empty node): its version and its dates, so that the copy is the record,
/// and harvesters of the moved node see nothing change. Its earlier revisions stay behind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Carried {
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

impl NewRecord {
    /// A record written on this node, whose public address is `base_url`.
    pub fn local(input: RecordInput, base_url: &str) -> NewRecord {
        let id = RecordId::new();
        NewRecord {
            id,
            uri: record_uri(base_url, id),
            origin: Origin::Local,
            input,
            owner: None,
            derived_from: None,
            carried: None,
        }
    }
    pub fn owned_by(mut self, owner: Option<UserId>) -> NewRecord {
        self.owner = owner;
        self
    }
}

/// The globally unique URI of a record written on the node at `base_url`.
pub fn record_uri(base_url: &str, id: RecordId) -> String {
    format!("{}/records/{id}", base_url.trim_end_matches('/'))
}

/// What is left of a deleted record: enough for followers and harvesters to learn it is gone.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tombstone {
    pub id: RecordId,
    pub kind: Kind,
    pub uri: String,
    pub version: i64,
    pub deleted_at: DateTime<Utc>,
    /// Whether the record was public when it was deleted (and so may be announced as gone).
    pub was_public: bool,
    /// The record this one was merged into, as a duplicate.
    pub merged_into: Option<RecordId>,
    /// Who owned it (not shown to the public).
    #[serde(skip)]
    pub owner: Option<UserId>,
}

/// A record, or what is left of it.
// Returned one at a time and unwrapped at once, never kept in bulk: boxing would only add an
// allocation per read.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum RecordState {
    Live(Record),
    Deleted(Tombstone),
}

/// Which records a reader may see.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Visibility {
    /// Published and not hidden: what anonymous visitors see.
    #[default]
    Public,
    /// Everything that is not deleted: what staff see.
    All,
    /// What a signed-in person sees: public records, and the unhidden records they own or that
    /// belong to their organisations.
    Member { user: UserId, organisations: Vec<OrganisationId> },
}

/// A filter for listing records. Every filter narrows; codes match their children too (SDG
/// `3` matches target `3.8`, country `BD` matches subdivision `BD-13`, sector `07` matches `07.2`).
#[derive(Debug, Clone, Default)]
pub struct RecordQuery {
    pub visibility: Visibility,
    pub kind: Option<Kind>,
    pub status: Option<Status>,
    pub country: Option<CountryCode>,
    pub sdg: Option<Sdg>,
    pub sector: Option<Cofog>,
    pub organisation: Option<OrganisationId>,
    /// Only records imported from this registry.
    pub source_registry: Option<String>,
    /// Only records owned by this person.
    pub owner: Option<UserId>,
    /// Only records in one of these statuses (in addition to `status`).
    pub statuses: Vec<Status>,
    /// Only hidden (or only unhidden) records.
    pub hidden: Option<bool>,
    /// Oldest first (a review queue) instead of newest first.
    pub oldest_first: bool,
    pub limit: u32,
    pub cursor: Option<Cursor>,
}

/// Where a page ends, as an opaque string for clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(pub String);

impl Cursor {
    pub fn encode(parts: &[&str]) -> Cursor {
        use base64::Engine;
        Cursor(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(parts.join("\u{1f}")))
    }
    /// The parts of a cursor made by `encode`, or `None` for anything else.
    pub fn decode(&self, parts: usize) -> Option<Vec<String>> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&self.0).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let list: Vec<String> = text.split('\u{1f}').map(str::to_string).collect();
        (list.len() == parts).then_some(list)
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many items match the filter across all pages.
    pub total: u64,
    pub next_cursor: Option<Cursor>,
}

/// A filter for listing organisations, ordered by name.
#[derive(Debug, Clone, Default)]
pub struct OrganisationQuery {
    pub org_type: Option<OrgType>,
    pub country: Option<CountryCode>,
    pub limit: u32,
    pub cursor: Option<Cursor>,
}

/// The kinds of thing the change log follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Record,
    Organisation,
}

impl Entity {
    pub fn as_str(&self) -> &'static str {
        match self {
            Entity::Record => "record",
            Entity::Organisation => "organisation",
        }
    }
    pub fn parse(s: &str) -> Option<Entity> {
        match s {
            "record" => Some(Entity::Record),
            "organisation" => Some(Entity::Organisation),
            _ => None,
        }
    }
}

/// What happened to a thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    Create,
    Update,
    Delete,
}

impl ChangeOp {
    pub fn as_str(&self) -> &'static str {
        match self {
            ChangeOp::Create => "create",
            ChangeOp::Update => "update",
            ChangeOp::Delete => "delete",
        }
    }
    pub fn parse(s: &str) -> Option<ChangeOp> {
        match s {
            "create" => Some(ChangeOp::Create),
            "update" => Some(ChangeOp::Update),
            "delete" => Some(ChangeOp::Delete),
            _ => None,
        }
    }
}

/// One row of the change log. Sequence numbers start at 1, have no gaps, and become visible in
/// order: a follower that has read up to `seq` will never later find a smaller one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub seq: i64,
    pub entity: Entity,
    pub id: Uuid,
    pub op: ChangeOp,
    pub version: i64,
    pub at: DateTime<Utc>,
}

/// One version of a record, as it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    pub version: i64,
    pub at: DateTime<Utc>,
    /// Who wrote it (see [`Actor::label`]).
    pub actor: String,
    pub op: ChangeOp,
    pub record: Record,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub role: String,
    /// `record.create`, `organisation.update`, `token.revoke`, …
    pub action: String,
    pub entity_id: String,
    pub version: Option<i64>,
    pub detail: serde_json::Value,
}

/// An API token as stored: never the secret, only its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenInfo {
    pub id: TokenId,
    pub name: String,
    /// For a bootstrap token, its role; for a personal token, its owner's role when made.
    pub role: Role,
    /// The person a personal token belongs to; none for bootstrap tokens.
    pub user_id: Option<UserId>,
    /// What a personal token may do; empty for bootstrap tokens (their role decides).
    pub scopes: Vec<Scope>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A token to store. `secret_hash` is the SHA-256 of the secret, in hex.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub id: TokenId,
    pub name: String,
    pub role: Role,
    pub secret_hash: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub user_id: Option<UserId>,
    pub scopes: Vec<Scope>,
}

/// A person's account. The password hash is kept apart ([`UserAuth`]) so that it travels no
/// further than sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub blocked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl User {
    pub fn is_verified(&self) -> bool {
        self.email_verified_at.is_some()
    }
    pub fn is_blocked(&self) -> bool {
        self.blocked_at.is_some()
    }
}

/// A person with their password hash, for sign-in.
#[derive(Debug, Clone)]
pub struct UserAuth {
    pub user: User,
    pub password_hash: String,
}

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub name: String,
    pub password_hash: String,
    pub role: Role,
    pub verified: bool,
}

/// Changes to an account; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub email: Option<Email>,
    pub name: Option<String>,
    pub password_hash: Option<String>,
    pub role: Option<Role>,
    /// `Some(true)` blocks, `Some(false)` unblocks.
    pub blocked: Option<bool>,
    /// `Some(true)` marks the e-mail address as verified now.
    pub verified: Option<bool>,
}

/// A filter for listing accounts.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    pub role: Option<Role>,
    /// Part of an e-mail address or name.
    pub text: Option<String>,
    pub blocked: Option<bool>,
    pub limit: u32,
    pub cursor: Option<Cursor>,
}

/// How a session was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// A browser, with a cookie.
    Browser,
    /// A program, with a bearer token from `/api/v1/auth/login`.
    Api,
}

impl SessionKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            SessionKind::Browser => "browser",
            SessionKind::Api => "api",
        }
    }
    pub fn parse(s: &str) -> Option<SessionKind> {
        match s {
            "browser" => Some(SessionKind::Browser),
            "api" => Some(SessionKind::Api),
            _ => None,
        }
    }
}

/// A server-side session. `id_hash` is the SHA-256 of the secret the client holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    #[serde(skip)]
    pub id_hash: String,
    pub user_id: UserId,
    pub kind: SessionKind,
    /// The session's CSRF token, which forms and scripts send back.
    #[serde(skip)]
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What a one-time token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    VerifyEmail,
    ResetPassword,
    ChangeEmail,
    Invitation,
}

impl Purpose {
    pub fn as_str(&self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::ResetPassword => "reset_password",
            Purpose::ChangeEmail => "change_email",
            Purpose::Invitation => "invitation",
        }
    }
    pub fn parse(s: &str) -> Option<Purpose> {
        [Purpose::VerifyEmail, Purpose::ResetPassword, Purpose::ChangeEmail, Purpose::Invitation]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// A single-use token sent by mail. Only its hash is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct OneTimeToken {
    pub hash: String,
    pub purpose: Purpose,
    pub user_id: Option<UserId>,
    pub email: Option<Email>,
    /// What the token carries: the new address for an e-mail change, the organisation and role
    /// for an invitation.
    pub data: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A mail to send.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub to: Email,
    pub user_id: Option<UserId>,
    pub subject: String,
    pub body: String,
}

/// A mail in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mail {
    pub id: uuid::Uuid,
    pub to: Email,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// Someone in an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub user_id: UserId,
    pub name: String,
    pub email: Email,
    pub role: OrgRole,
    pub since: DateTime<Utc>,
}

/// A message in a record's review conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comment {
    pub id: CommentId,
    pub record_id: RecordId,
    /// None once the author's account is erased.
    pub author_id: Option<UserId>,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub hidden: bool,
}

/// What a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReportTarget {
    Record(RecordId),
    Comment(CommentId),
}

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReportStatus {
    Open,
    /// The content was hidden.
    Upheld,
    /// Nothing was wrong.
    Dismissed,
}

impl ReportStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            ReportStatus::Open => "open",
            ReportStatus::Upheld => "upheld",
            ReportStatus::Dismissed => "dismissed",
        }
    }
    pub fn parse(s: &str) -> Option<ReportStatus> {
        match s {
            "open" => Some(ReportStatus::Open),
            "upheld" => Some(ReportStatus::Upheld),
            "dismissed" => Some(ReportStatus::Dismissed),
            _ => None,
        }
    }
}

/// A report of abuse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub id: ReportId,
    pub target: ReportTarget,
    /// None once the reporter's account is erased.
    pub reporter_id: Option<UserId>,
    pub reason: String,
    pub status: ReportStatus,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
}

/// A side of a match: the challenge's owners, or the practice's or solution's.
pub use banyan_domain::Side;

/// One side's interest in a match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Interest {
    pub challenge_id: RecordId,
    pub offer_id: RecordId,
    pub side: Side,
    /// Who expressed it; none once their account is erased.
    pub user_id: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

/// A private conversation between a challenge's owners and the owners of a practice or
/// solution, opened when both have expressed interest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conversation {
    pub id: ConversationId,
    pub challenge_id: RecordId,
    pub offer_id: RecordId,
    /// `open`, or `declined` by one side (with its reason).
    pub status: String,
    pub declined_by: Option<Side>,
    pub decline_reason: Option<String>,
    /// Curators invited to facilitate.
    pub curators: Vec<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A message in a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    /// None once the author's account is erased.
    pub author_id: Option<UserId>,
    /// `challenge`, `offer` or `curator`.
    pub side: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// One step of a pilot's history, written with the change it describes.
#[derive(Debug, Clone, PartialEq)]
pub struct PilotStep {
    /// `proposed`, `revised`, or the status moved to.
    pub action: String,
    pub from: Option<banyan_domain::PilotStatus>,
    pub side: Option<Side>,
    pub note: Option<String>,
}

/// A country's procurement checklist, as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcurementChecklist {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "BD"))]
    pub country: CountryCode,
    #[serde(flatten)]
    pub checklist: banyan_domain::Checklist,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// The admin's exchange rates, as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RateTable {
    #[serde(flatten)]
    pub rates: banyan_domain::sps::Rates,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// What an OAI-PMH list asks of the store: records this node published at some time (live or
/// not, so that harvesters learn of withdrawals), of local origin, changed in `[from, until)`,
/// in a set, after a position; in the order changed.
#[derive(Debug, Clone, Default)]
pub struct ChangedQuery {
    /// Only this record.
    pub id: Option<RecordId>,
    pub from: Option<DateTime<Utc>>,
    /// Exclusive.
    pub until: Option<DateTime<Utc>>,
    pub kind: Option<Kind>,
    /// A vocabulary and code the record is classified by (`country`, `BD`; `sdg`, `3`), or by
    /// a child of the code.
    pub term: Option<(String, String)>,
    /// After this change time and id.
    pub after: Option<(DateTime<Utc>, RecordId)>,
    pub limit: u32,
}

/// A record as of its last change, with the time of that change.
#[derive(Debug, Clone, PartialEq)]
pub struct Changed {
    pub state: RecordState,
    pub changed_at: DateTime<Utc>,
}

/// A node this one harvests.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Peer {
    pub id: Uuid,
    /// The peer's public base URL; its OAI-PMH provider is at `<base_url>/oai`.
    pub base_url: String,
    pub added_at: DateTime<Utc>,
    /// Records changed before this were harvested: the next harvest asks `from` here.
    pub harvested_until: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// What the last harvest did.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub last_report: Option<serde_json::Value>,
}
