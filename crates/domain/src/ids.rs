//! Identifiers: UUIDv7, so that they sort by creation time.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new identifier, ordered after every identifier made before it.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            pub fn parse(s: &str) -> Result<Self, uuid::Error> {
                Uuid::parse_str(s.trim()).map(Self)
            }
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }
        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }
        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }
    };
}

id_type!(
    /// Identifies a record.
    RecordId
);
id_type!(
    /// Identifies an organisation.
    OrganisationId
);
id_type!(
    /// Identifies an API token (not the secret itself).
    TokenId
);
id_type!(
    /// Identifies a person's account.
    UserId
);
id_type!(
    /// Identifies a comment on a record.
    CommentId
);
id_type!(
    /// Identifies a report of abuse.
    ReportId
);
id_type!(
    /// Identifies a conversation between a challenge's owners and a provider.
    ConversationId
);
id_type!(
    /// Identifies a message in a conversation.
    MessageId
);
id_type!(
    /// Identifies a pilot agreed in a conversation.
    PilotId
);
id_type!(
    /// Identifies an adoption of a practice by an organisation in a place.
    AdoptionId
);
id_type!(
    /// Identifies a public service measured by Service Process Simplification.
    ServiceId
);
