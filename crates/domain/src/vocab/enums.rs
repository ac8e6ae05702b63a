//! The small closed vocabularies that Banyan defines itself.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::VocabError;

/// Declares a closed vocabulary: an enum whose values are written as snake_case codes, each with
/// an English label.
macro_rules! closed_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($vocab:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal => $label:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// The name of this vocabulary in `/api/v1/vocabularies/{name}`.
            pub const VOCABULARY: &'static str = $vocab;
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(&self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }
            pub fn as_str(&self) -> &'static str {
                self.code()
            }
            pub fn label(&self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }
            pub fn parse(s: &str) -> Result<Self, VocabError> {
                match s.trim() {
                    $($code => Ok($name::$variant),)+
                    other => Err(VocabError::new(
                        $vocab,
                        format!(
                            "{other:?} is not one of {}",
                            [$($code),+].map(|c| format!("{c:?}")).join(", ")
                        ),
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
        impl std::str::FromStr for $name {
            type Err = VocabError;
            fn from_str(s: &str) -> Result<Self, VocabError> {
                Self::parse(s)
            }
        }
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),+]))
                    .into()
            }
        }
        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

closed_enum! {
    /// What a record is.
    pub enum Kind ("kinds") {
        /// An innovation or good practice, implemented at least as a pilot.
        Practice = "practice" => "Practice",
        /// An idea anyone may submit.
        Idea = "idea" => "Idea",
        /// A problem an administration posts.
        Challenge = "challenge" => "Challenge",
        /// What a provider offers.
        Solution = "solution" => "Solution",
        /// A knowledge product.
        Resource = "resource" => "Knowledge product",
    }
}

closed_enum! {
    /// Where a record is in the submission and curation workflow.
    pub enum Status ("statuses") {
        Draft = "draft" => "Draft",
        Submitted = "submitted" => "Submitted",
        InReview = "in_review" => "In review",
        ChangesRequested = "changes_requested" => "Changes requested",
        Published = "published" => "Published",
        Archived = "archived" => "Archived",
        Withdrawn = "withdrawn" => "Withdrawn",
    }
}

closed_enum! {
    /// The level of government that runs a service or an organisation.
    pub enum Level ("levels") {
        International = "international" => "International",
        National = "national" => "National",
        StateProvince = "state_province" => "State / province",
        District = "district" => "District",
        Municipal = "municipal" => "Municipal / city",
        Local = "local" => "Local / village",
    }
}

closed_enum! {
    /// What kind of change an innovation makes.
    pub enum InnovationType ("innovation-types") {
        Service = "service" => "Service",
        Process = "process" => "Process",
        Organisational = "organisational" => "Organisational",
        Policy = "policy" => "Policy",
        Technology = "technology" => "Technology / digital",
        Engagement = "engagement" => "Engagement / communication",
    }
}

closed_enum! {
    /// The OECD Observatory of Public Sector Innovation's four innovation facets.
    pub enum OpsiFacet ("facets") {
        MissionOriented = "mission_oriented" => "Mission-oriented",
        EnhancementOriented = "enhancement_oriented" => "Enhancement-oriented",
        Adaptive = "adaptive" => "Adaptive",
        Anticipatory = "anticipatory" => "Anticipatory",
    }
}

closed_enum! {
    /// How far a practice has come.
    pub enum Stage ("stages") {
        Idea = "idea" => "Idea",
        Development = "development" => "Development",
        Pilot = "pilot" => "Pilot",
        Implemented = "implemented" => "Implemented",
        Scaled = "scaled" => "Scaled",
        Discontinued = "discontinued" => "Discontinued",
    }
}

closed_enum! {
    /// What an organisation is.
    pub enum OrgType ("organisation-types") {
        Government = "government" => "Government",
        InnovationUnit = "innovation_unit" => "Innovation unit",
        Startup = "startup" => "Startup",
        Company = "company" => "Company",
        Ngo = "ngo" => "NGO / civil society",
        Academic = "academic" => "Academic / research",
        International = "international" => "International organisation",
        Other = "other" => "Other",
    }
}

closed_enum! {
    /// The kinds of knowledge product.
    pub enum ResourceType ("resource-types") {
        WhitePaper = "white_paper" => "White paper",
        Toolkit = "toolkit" => "Toolkit",
        CaseStudy = "case_study" => "Case study",
        Infographic = "infographic" => "Infographic",
        Video = "video" => "Video",
        Dataset = "dataset" => "Dataset",
        Policy = "policy" => "Policy",
        Strategy = "strategy" => "Strategy",
        InstitutionalFramework = "institutional_framework" => "Institutional framework",
        Guide = "guide" => "Guide",
    }
}

closed_enum! {
    /// What a challenge's owners are looking for.
    pub enum Seeking ("seeking") {
        Practices = "practices" => "Proven practices",
        Solutions = "solutions" => "Solution providers",
        Both = "both" => "Practices and solution providers",
    }
}

closed_enum! {
    /// The connectivity a solution must work with.
    pub enum Connectivity ("connectivity") {
        Offline = "offline" => "Offline (no connection)",
        Intermittent = "intermittent" => "Intermittent",
        LowBandwidth = "low_bandwidth" => "Low bandwidth",
        Broadband = "broadband" => "Broadband",
    }
}

closed_enum! {
    /// How a solution is paid for.
    pub enum PricingModel ("pricing-models") {
        Free = "free" => "Free",
        OpenSource = "open_source" => "Open source, free to use",
        Freemium = "freemium" => "Freemium",
        Subscription = "subscription" => "Subscription",
        Licence = "licence" => "One-off licence",
        PerTransaction = "per_transaction" => "Per transaction or per user",
        Custom = "custom" => "Quoted per project",
    }
}

closed_enum! {
    /// Where a challenge stands, from posted to closed.
    pub enum ChallengeState ("challenge-states") {
        Open = "open" => "Open",
        InConversation = "in_conversation" => "In conversation",
        Piloting = "piloting" => "Piloting",
        Solved = "closed_solved" => "Closed: solved",
        NotSolved = "closed_not_solved" => "Closed: not solved",
        Withdrawn = "withdrawn" => "Withdrawn",
    }
}

impl ChallengeState {
    /// Whether the challenge still looks for practices and solutions.
    pub fn is_open(&self) -> bool {
        matches!(self, ChallengeState::Open | ChallengeState::InConversation | ChallengeState::Piloting)
    }
}

closed_enum! {
    /// Where a pilot stands, from proposed to adopted or stopped.
    pub enum PilotStatus ("pilot-statuses") {
        Proposed = "proposed" => "Proposed",
        Agreed = "agreed" => "Agreed",
        Running = "running" => "Running",
        Evaluated = "evaluated" => "Evaluated",
        Adopted = "adopted" => "Adopted",
        Stopped = "stopped" => "Stopped",
    }
}

closed_enum! {
    /// Where an adoption of a practice stands.
    pub enum AdoptionStatus ("adoption-statuses") {
        Planned = "planned" => "Planned",
        Piloting = "piloting" => "Piloting",
        InUse = "in_use" => "In use",
        Stopped = "stopped" => "Stopped",
    }
}

closed_enum! {
    /// How a contract is awarded: the Open Contracting Data Standard's `method` codelist.
    pub enum ProcurementMethod ("procurement-methods") {
        Open = "open" => "Open: anyone may bid",
        Selective = "selective" => "Selective: qualified suppliers bid",
        Limited = "limited" => "Limited: the buyer invites suppliers",
        Direct = "direct" => "Direct: awarded to one supplier without competition",
    }
}

closed_enum! {
    /// Whether a provider can take on new work with a solution now.
    pub enum Availability ("availability") {
        OpenToPilots = "open_to_pilots" => "Open to new pilots",
        Limited = "limited" => "Limited capacity for new clients",
        NotAvailable = "not_available" => "Not taking new clients",
    }
}

closed_enum! {
    /// What a solution is made of.
    pub enum ProductType ("product-types") {
        Software = "software" => "Software",
        Content = "content" => "Content",
        Data = "data" => "Data",
        AiModel = "ai_model" => "AI model",
        Standard = "standard" => "Standard",
        Hardware = "hardware" => "Hardware",
        Service = "service" => "Service",
    }
}

closed_enum! {
    /// The part an organisation plays in a practice or solution.
    pub enum PartnerRole ("partner-roles") {
        Owner = "owner" => "Owner",
        Funder = "funder" => "Funder",
        Maintainer = "maintainer" => "Maintainer",
        Implementer = "implementer" => "Implementer",
        Partner = "partner" => "Partner",
    }
}

/// Declares a vocabulary of small numbered levels, written as JSON numbers.
macro_rules! numbered_level {
    ($(#[$meta:meta])* $name:ident ($vocab:literal), $max:literal, [$($label:literal),+ $(,)?]) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
        pub struct $name(u8);

        impl $name {
            pub const VOCABULARY: &'static str = $vocab;
            pub const MAX: u8 = $max;
            const LABELS: &'static [&'static str] = &[$($label),+];

            pub fn new(level: u8) -> Result<Self, VocabError> {
                if (1..=$max).contains(&level) {
                    Ok(Self(level))
                } else {
                    Err(VocabError::new($vocab, format!("{level} is not a level from 1 to {}", $max)))
                }
            }
            pub fn get(&self) -> u8 {
                self.0
            }
            pub fn label(&self) -> &'static str {
                Self::LABELS[usize::from(self.0) - 1]
            }
            pub fn all() -> impl Iterator<Item = Self> {
                (1..=$max).map(Self)
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_u8(self.0)
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Self::new(u8::deserialize(d)?).map_err(serde::de::Error::custom)
            }
        }
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::Integer)
                    .minimum(Some(1))
                    .maximum(Some($max))
                    .into()
            }
        }
        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

numbered_level!(
    /// Nesta's Standards of Evidence: how sure we are that a practice causes its results.
    EvidenceLevel("evidence-levels"),
    5,
    [
        "Level 1: we can describe what we do and why it matters",
        "Level 2: we capture data that shows positive change",
        "Level 3: we can show the change is caused by what we do (a comparison group)",
        "Level 4: an independent, replicated evaluation confirms the impact",
        "Level 5: we have manuals and systems so others can replicate it with the same impact",
    ]
);

numbered_level!(
    /// Technology readiness level, from basic principles (1) to proven in operation (9).
    Trl("trl"),
    9,
    [
        "TRL 1: basic principles observed",
        "TRL 2: technology concept formulated",
        "TRL 3: experimental proof of concept",
        "TRL 4: technology validated in the lab",
        "TRL 5: technology validated in a relevant environment",
        "TRL 6: technology demonstrated in a relevant environment",
        "TRL 7: system prototype demonstrated in operation",
        "TRL 8: system complete and qualified",
        "TRL 9: actual system proven in operation",
    ]
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_enums_round_trip_their_codes() {
        for l in Level::ALL {
            assert_eq!(Level::parse(l.code()).unwrap(), *l);
        }
        assert_eq!(Status::parse("in_review").unwrap(), Status::InReview);
        let err = Stage::parse("finished").unwrap_err();
        assert!(err.message.contains("\"pilot\""), "{}", err.message);
        assert_eq!(serde_json::to_string(&Level::StateProvince).unwrap(), "\"state_province\"");
    }

    #[test]
    fn numbered_levels_stay_in_range() {
        assert!(EvidenceLevel::new(0).is_err());
        assert!(EvidenceLevel::new(6).is_err());
        assert_eq!(EvidenceLevel::new(3).unwrap().get(), 3);
        assert!(Trl::new(9).is_ok());
        assert!(serde_json::from_str::<Trl>("10").is_err());
        assert_eq!(serde_json::to_string(&Trl::new(7).unwrap()).unwrap(), "7");
    }
}
