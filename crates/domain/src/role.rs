//! Who may do what: site roles, roles in an organisation, and the scopes of API tokens.

use serde::{Deserialize, Serialize};

/// A person's role on the site. Anonymous visitors have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    /// Anyone who has signed up: submits ideas and practices, follows them, reports abuse.
    Member,
    /// Reviews, publishes and edits any record; moderates.
    Curator,
    /// Runs the node: everything a curator may do, and users, organisations, roles and settings.
    Admin,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Curator => "curator",
            Role::Member => "member",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "curator" => Some(Role::Curator),
            "member" => Some(Role::Member),
            _ => None,
        }
    }
    /// Whether this role reviews and moderates (curators and admins).
    pub fn is_staff(&self) -> bool {
        matches!(self, Role::Admin | Role::Curator)
    }
}

/// A person's role in an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OrgRole {
    /// Sees the organisation's unpublished records.
    Viewer,
    /// Edits the organisation's records.
    Editor,
    /// Edits, and manages members and invitations.
    Owner,
}

impl OrgRole {
    pub fn as_str(&self) -> &'static str {
        match self {
            OrgRole::Owner => "owner",
            OrgRole::Editor => "editor",
            OrgRole::Viewer => "viewer",
        }
    }
    pub fn parse(s: &str) -> Option<OrgRole> {
        match s {
            "owner" => Some(OrgRole::Owner),
            "editor" => Some(OrgRole::Editor),
            "viewer" => Some(OrgRole::Viewer),
            _ => None,
        }
    }
    pub fn can_edit(&self) -> bool {
        matches!(self, OrgRole::Owner | OrgRole::Editor)
    }
}

/// What a personal API token may do, within its owner's own rights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Scope {
    /// Read what the owner may read, unpublished records included.
    Read,
    /// Write what the owner may write: records, comments, transitions, reports.
    Write,
    /// Curators' review and moderation.
    Review,
    /// Admins' management of users, organisations and roles.
    Admin,
}

impl Scope {
    pub const ALL: &'static [Scope] = &[Scope::Read, Scope::Write, Scope::Review, Scope::Admin];

    pub fn as_str(&self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Review => "review",
            Scope::Admin => "admin",
        }
    }
    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.iter().copied().find(|sc| sc.as_str() == s)
    }
    /// Whether a person with `role` may hold a token with this scope.
    pub fn allowed_for(&self, role: Role) -> bool {
        match self {
            Scope::Read | Scope::Write => true,
            Scope::Review => role.is_staff(),
            Scope::Admin => role == Role::Admin,
        }
    }
}
