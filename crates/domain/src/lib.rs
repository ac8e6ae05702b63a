//! Banyan's domain: the record model, its closed vocabularies and its validation.
//!
//! Nothing here does I/O. Every front end (JSON API, HTML pages, importers, OAI-PMH) turns its
//! input into these types through the same parsers, so a value that exists is a valid one.

pub mod access;
pub mod account;
pub mod adoption;
pub mod details;
pub mod ids;
pub mod impact;
pub mod limits;
pub mod merge_patch;
pub mod organisation;
pub mod pilot;
pub mod record;
pub mod role;
pub mod sps;
pub mod suggest;
pub mod text;
pub mod validate;
pub mod values;
pub mod vocab;
pub mod workflow;

pub use account::Email;
pub use adoption::{Adoption, AdoptionInput, Lineage, Spread};
pub use details::*;
pub use ids::{
    AdoptionId, CommentId, ConversationId, MessageId, OrganisationId, PilotId, RecordId, ReportId, ServiceId, TokenId,
    UserId,
};
pub use organisation::{Organisation, OrganisationInput};
pub use pilot::{Award, Checklist, ChecklistStep, Evaluation, Kpi, Pilot, PilotEvent, PilotPlan, Responsibility, Side};
pub use record::{Origin, Record, RecordContent, RecordInput, Source, Translation};
pub use role::{OrgRole, Role, Scope};
pub use sps::{ProcessMap, Service, ServiceInput};
pub use validate::{Violation, Violations};
pub use values::*;
pub use vocab::*;
