//! Who may do what.

use serde::{Deserialize, Serialize};

/// The role behind a request. Accounts with member roles come with the accounts issue; for now
/// writes are made with API tokens of the two staff roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    /// Runs the node: everything a curator may do, and tokens, users and settings.
    Admin,
    /// Reviews, publishes and edits any record.
    Curator,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Curator => "curator",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "curator" => Some(Role::Curator),
            _ => None,
        }
    }
    /// Whether this role may see and change records that are not public.
    pub fn is_staff(&self) -> bool {
        matches!(self, Role::Admin | Role::Curator)
    }
}
