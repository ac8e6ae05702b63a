//! What storage takes and gives, beyond the domain types themselves.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use banyan_domain::{
    Cofog, CountryCode, Kind, OrgType, OrganisationId, Origin, Record, RecordId, RecordInput, Role, Sdg, Status,
    TokenId,
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
    /// The operator at the command line (who has the database itself in hand).
    pub fn cli() -> Actor {
        Actor { id: "cli".into(), name: "command line".into(), role: Role::Admin }
    }
    pub fn importer(registry: &str) -> Actor {
        Actor { id: format!("import:{registry}"), name: format!("{registry} importer"), role: Role::Admin }
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
}

impl NewRecord {
    /// A record written on this node, whose public address is `base_url`.
    pub fn local(input: RecordInput, base_url: &str) -> NewRecord {
        let id = RecordId::new();
        NewRecord { id, uri: record_uri(base_url, id), origin: Origin::Local, input }
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Visibility {
    /// Published and not hidden: what anonymous visitors see.
    #[default]
    Public,
    /// Everything that is not deleted: what staff see.
    All,
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
pub struct TokenInfo {
    pub id: TokenId,
    pub name: String,
    pub role: Role,
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
}
