//! Shapes for the OpenAPI document where the served JSON is written by hand (a record's
//! envelope is serialised field by field, in a fixed order). A test checks that these shapes
//! name exactly the fields the API sends.

#![allow(dead_code)] // these types exist to be described, never built

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use utoipa::ToSchema;
use uuid::Uuid;

use banyan_domain::*;

/// A record as the API serves it. Anonymous readers never see `details.contact`.
#[derive(ToSchema)]
#[schema(as = Record)]
pub struct RecordDoc {
    pub id: Uuid,
    pub kind: Kind,
    /// A URL-friendly name, unique on this node; kept when the title changes.
    pub slug: String,
    /// The record's globally unique URI.
    pub uri: String,
    pub title: String,
    /// At most 500 characters.
    pub summary: Option<String>,
    pub lang: LanguageTag,
    /// The text fields in other languages, by language tag.
    pub translations: BTreeMap<String, Translation>,
    pub sdgs: Vec<Sdg>,
    pub sectors: Vec<Cofog>,
    pub places: Vec<Place>,
    pub level_of_government: Option<Level>,
    pub innovation_types: Vec<InnovationType>,
    pub facets: Vec<OpsiFacet>,
    pub themes: Vec<Theme>,
    pub status: Status,
    /// Hidden by a moderator.
    pub hidden: bool,
    pub details: DetailsDoc,
    pub organisation: Option<Uuid>,
    /// The account that wrote it; shown to its editors and curators only.
    pub owner: Option<Uuid>,
    /// The record it grew out of (a practice promoted from an idea).
    pub derived_from: Option<Uuid>,
    pub license: License,
    pub source: Option<Source>,
    /// `local`, or the base URL of the node it was harvested from.
    pub origin: String,
    /// Starts at 1; give it back when you change the record.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

/// The typed details of a record; which shape depends on its `kind`.
#[derive(ToSchema)]
#[schema(as = Details)]
#[serde(untagged)]
pub enum DetailsDoc {
    Practice(Practice),
    Idea(Idea),
    Challenge(Challenge),
    Solution(Solution),
    Resource(Resource),
}

/// A new record. Unknown fields are refused; `id`, `uri`, `origin`, `version` and the
/// timestamps are Banyan's to set.
#[derive(ToSchema)]
#[schema(as = NewRecord)]
pub struct NewRecordDoc {
    pub kind: Kind,
    pub title: String,
    pub summary: Option<String>,
    pub lang: LanguageTag,
    /// Made from the title when absent.
    pub slug: Option<String>,
    pub translations: Option<BTreeMap<String, Translation>>,
    pub sdgs: Option<Vec<Sdg>>,
    pub sectors: Option<Vec<Cofog>>,
    pub places: Option<Vec<Place>>,
    pub level_of_government: Option<Level>,
    pub innovation_types: Option<Vec<InnovationType>>,
    pub facets: Option<Vec<OpsiFacet>>,
    pub themes: Option<Vec<Theme>>,
    /// `draft` unless given; admins and curators may create records as `published`.
    pub status: Option<Status>,
    pub hidden: Option<bool>,
    pub details: Option<DetailsDoc>,
    pub organisation: Option<Uuid>,
    /// Defaults to CC-BY-4.0.
    pub license: Option<License>,
    pub source: Option<Source>,
}

/// A JSON merge patch (RFC 7396) of a record: the fields to change, `null` to clear one.
/// Give the version you edited as `version` here or in an `If-Match` header.
#[derive(ToSchema)]
#[schema(as = RecordPatch)]
pub struct RecordPatchDoc {
    /// The version you edited.
    pub version: Option<i64>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub status: Option<Status>,
    pub details: Option<serde_json::Value>,
}

/// One page of records.
#[derive(ToSchema)]
#[schema(as = RecordPage)]
pub struct RecordPageDoc {
    pub items: Vec<RecordDoc>,
    /// How many records match, across all pages.
    pub total: u64,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// One version of a record.
#[derive(ToSchema)]
#[schema(as = Revision)]
pub struct RevisionDoc {
    pub version: i64,
    pub at: DateTime<Utc>,
    /// Who wrote it; shown to staff only.
    pub actor: Option<String>,
    /// `create`, `update` or `delete`.
    pub op: String,
    pub record: RecordDoc,
}

#[derive(ToSchema)]
#[schema(as = RevisionList)]
pub struct RevisionListDoc {
    pub items: Vec<RevisionDoc>,
}

/// One page of organisations, by name.
#[derive(ToSchema)]
#[schema(as = OrganisationPage)]
pub struct OrganisationPageDoc {
    pub items: Vec<Organisation>,
    pub total: u64,
    pub next_cursor: Option<String>,
}

/// The vocabularies there are.
#[derive(ToSchema)]
#[schema(as = VocabularyList)]
pub struct VocabularyListDoc {
    pub items: Vec<VocabularySummaryDoc>,
}

#[derive(ToSchema)]
#[schema(as = VocabularySummary)]
pub struct VocabularySummaryDoc {
    pub name: String,
    pub title: String,
}

/// The node's health.
#[derive(ToSchema)]
#[schema(as = Health)]
pub struct HealthDoc {
    /// `ok`, or `unavailable` (with status 503).
    pub status: String,
    pub version: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub database: String,
    pub schema_version: Option<i64>,
    /// The newest change-log sequence number.
    pub last_change: Option<i64>,
}

/// Search results.
#[derive(ToSchema)]
#[schema(as = SearchResults)]
pub struct SearchResultsDoc {
    /// How many things match, across all pages.
    pub total: u64,
    pub hits: Vec<SearchHitDoc>,
    /// For each facet, its values and how many matching things have each, most first (at most
    /// 250 values): `{"sdg": {"3": 12, "16": 9}, "country": {…}, …}`.
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// One search result: a record or an organisation.
#[derive(ToSchema)]
#[schema(as = SearchHit)]
pub struct SearchHitDoc {
    pub id: Uuid,
    /// A record kind, or `organisation`.
    pub kind: String,
    pub slug: String,
    /// In the language asked for (`lang`) where the record has it, else in its own.
    pub title: String,
    pub summary: Option<String>,
    /// The language of `title` and `summary`.
    pub lang: String,
    /// The API address of the record or organisation.
    pub url: String,
    /// Fragments of the title, summary and body with the matching words marked.
    pub highlights: Vec<HighlightDoc>,
    /// Relevance (0 when sorted by date).
    pub score: f32,
}

/// A fragment of a field with the words that matched marked.
#[derive(ToSchema)]
#[schema(as = Highlight)]
pub struct HighlightDoc {
    /// `title`, `summary` or `body`.
    pub field: String,
    /// The fragment as plain text; `…` marks a cut.
    pub text: String,
    /// The same fragment as HTML: text escaped, matches in `<mark>`.
    pub html: String,
}

/// Type-ahead suggestions.
#[derive(ToSchema)]
#[schema(as = Suggestions)]
pub struct SuggestionsDoc {
    pub suggestions: Vec<SuggestionDoc>,
}

#[derive(ToSchema)]
#[schema(as = Suggestion)]
pub struct SuggestionDoc {
    pub id: Uuid,
    pub kind: String,
    pub slug: String,
    pub title: String,
    pub url: String,
}

/// Records like one record.
#[derive(ToSchema)]
#[schema(as = SimilarRecords)]
pub struct SimilarDoc {
    pub hits: Vec<SimilarHitDoc>,
}

#[derive(ToSchema)]
#[schema(as = SimilarRecord)]
pub struct SimilarHitDoc {
    pub id: Uuid,
    pub kind: String,
    pub slug: String,
    pub title: String,
    pub summary: Option<String>,
    pub url: String,
    /// 0 to 1: how alike, all reasons weighed.
    pub score: f32,
    pub reasons: Vec<ReasonDoc>,
}

/// Why a record was chosen.
#[derive(ToSchema)]
#[schema(as = SimilarityReason)]
pub struct ReasonDoc {
    /// `text`, `sdg`, `sector`, `country`, `region`, `level`, `evidence` or `stage`.
    pub code: String,
    /// The reason in words: "Same sector: Health", "SDG 3: Good health and well-being".
    pub text: String,
}

/// A draft to check for duplicates.
#[derive(ToSchema)]
#[schema(as = DuplicatesRequest)]
pub struct DuplicatesRequestDoc {
    /// At most 200 characters. A title or a text is needed.
    pub title: Option<String>,
    /// The draft's text (summary, problem, idea…), at most 20,000 characters.
    pub text: Option<String>,
    /// Only records of this kind.
    pub kind: Option<Kind>,
    /// A record to leave out: the draft itself, once saved.
    pub exclude: Option<Uuid>,
}

/// Likely duplicates of a draft, most likely first.
#[derive(ToSchema)]
#[schema(as = Duplicates)]
pub struct DuplicatesDoc {
    pub duplicates: Vec<DuplicateDoc>,
}

#[derive(ToSchema)]
#[schema(as = Duplicate)]
pub struct DuplicateDoc {
    pub id: Uuid,
    pub kind: String,
    pub slug: String,
    pub title: String,
    pub summary: Option<String>,
    pub url: String,
    /// 0 to 1, all signs weighed.
    pub score: f32,
    /// Whether it is probably the same thing (score 0.5 or more).
    pub likely: bool,
    /// Estimated Jaccard similarity of the wording (MinHash over character 5-shingles).
    pub text_similarity: f32,
    /// Jaccard similarity of the titles' words.
    pub title_similarity: f32,
}

/// A text to classify by SDG.
#[derive(ToSchema)]
#[schema(as = ClassifyRequest)]
pub struct ClassifyRequestDoc {
    /// The text (a title and description, say), at most 20,000 characters.
    pub text: String,
}

/// Every goal, most likely first.
#[derive(ToSchema)]
#[schema(as = SdgScores)]
pub struct ClassifyDoc {
    pub sdgs: Vec<SdgScoreDoc>,
}

#[derive(ToSchema)]
#[schema(as = SdgScore)]
pub struct SdgScoreDoc {
    /// 1 to 17.
    pub goal: u8,
    /// The goal's short name.
    pub name: String,
    /// The probability that the text addresses the goal, 0 to 1 (calibrated on held-out data).
    pub score: f32,
    /// Whether the score passes the threshold for suggesting the goal (0.5).
    pub suggested: bool,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use utoipa::PartialSchema;
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::Schema;

    use banyan_domain::record::InputMode;
    use banyan_domain::*;

    use super::RecordDoc;

    fn properties(schema: RefOr<Schema>) -> BTreeSet<String> {
        match schema {
            RefOr::T(Schema::Object(o)) => o.properties.keys().cloned().collect(),
            _ => panic!("not an object schema"),
        }
    }

    /// The document must describe the JSON the API really sends.
    #[test]
    fn the_record_schema_names_exactly_the_served_fields() {
        let input =
            RecordInput::from_json(&serde_json::json!({"kind": "idea", "title": "T", "lang": "en"}), InputMode::Create)
                .unwrap();
        let record = Record {
            id: RecordId::new(),
            slug: Slug::from_title("T", "idea"),
            uri: "https://x.org/records/1".into(),
            origin: Origin::Local,
            version: 1,
            content: input.content,
            owner: None,
            derived_from: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
            published_at: None,
        };
        let served: BTreeSet<String> = record.to_json().as_object().unwrap().keys().cloned().collect();
        assert_eq!(properties(RecordDoc::schema()), served);
    }
}

/// Practices and solutions for a challenge, or open challenges for a solution, best fit first.
#[derive(ToSchema)]
#[schema(as = Matches)]
pub struct MatchesDoc {
    pub matches: Vec<MatchDoc>,
    /// The weights of the parts of the score (see docs/matching.md).
    pub weights: BTreeMap<String, f32>,
}

#[derive(ToSchema)]
#[schema(as = Match)]
pub struct MatchDoc {
    pub id: Uuid,
    pub kind: String,
    pub slug: String,
    pub title: String,
    pub summary: Option<String>,
    pub url: String,
    /// 0 to 1: how well it fits, all parts weighed and hard constraints applied.
    pub score: f32,
    /// Each part of the score in 0..1 before weighting: text, sdg, sector, place, level,
    /// maturity, constraints, availability.
    pub parts: BTreeMap<String, f32>,
    pub reasons: Vec<MatchReasonDoc>,
}

/// Why a record fits.
#[derive(ToSchema)]
#[schema(as = MatchReason)]
pub struct MatchReasonDoc {
    /// `text`, `sdg`, `sector`, `place`, `level`, `maturity`, `evidence`, `language`,
    /// `connectivity`, `budget`, `availability`, or `unmet` for a hard constraint not met.
    pub code: String,
    /// In words: "same sector: outpatient services", "SDG 3.8", "works offline".
    pub text: String,
}

/// Interest in a match.
#[derive(ToSchema)]
#[schema(as = InterestRequest)]
pub struct InterestRequestDoc {
    /// The challenge's id.
    pub challenge: Uuid,
    /// The practice's or solution's id.
    pub offer: Uuid,
}

#[derive(ToSchema)]
#[schema(as = Interest)]
pub struct InterestDoc {
    /// The sides interested so far: `challenge`, `offer`.
    pub sides: Vec<String>,
    /// The conversation, once both sides are interested.
    pub conversation: Option<Uuid>,
}

#[derive(ToSchema)]
#[schema(as = ConversationSummary)]
pub struct ConversationDoc {
    pub id: Uuid,
    /// `open` or `declined`.
    pub status: String,
    /// `challenge` or `offer`, when declined.
    pub declined_by: Option<String>,
    pub decline_reason: Option<String>,
    /// `{id, title}` of the challenge.
    #[schema(value_type = Object)]
    pub challenge: serde_json::Value,
    /// `{id, kind, title}` of the practice or solution.
    #[schema(value_type = Object)]
    pub offer: serde_json::Value,
    /// `challenge`, `offer` or `curator`.
    pub your_side: String,
    pub curators: Vec<Uuid>,
    /// Messages from others since the caller last read it.
    pub unread: u32,
    /// With `GET /conversations/{id}` only: the messages, oldest first.
    pub messages: Option<Vec<banyan_store::Message>>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(ToSchema)]
#[schema(as = Conversations)]
pub struct ConversationsDoc {
    pub items: Vec<ConversationDoc>,
}

#[derive(ToSchema)]
#[schema(as = MessageRequest)]
pub struct MessageRequestDoc {
    /// At most 20,000 characters.
    pub body: String,
}

#[derive(ToSchema)]
#[schema(as = DeclineRequest)]
pub struct DeclineRequestDoc {
    /// Why, for the other side. At most 2,000 characters.
    pub reason: String,
}

#[derive(ToSchema)]
#[schema(as = InviteCuratorRequest)]
pub struct InviteCuratorRequestDoc {
    /// The curator's user id.
    pub user: Uuid,
}

/// A pilot as the API serves it: the stored pilot (`banyan_domain::Pilot`) with what the
/// caller needs to act on it.
#[derive(ToSchema)]
#[schema(as = PilotView)]
pub struct PilotDoc {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub challenge_id: Uuid,
    pub offer_id: Uuid,
    /// `proposed`, `agreed`, `running`, `evaluated`, `adopted` or `stopped`.
    pub status: String,
    /// The side whose version of the plan awaits the other's agreement.
    pub proposed_by: Side,
    /// The plan; each KPI also says whether it was `met` and its `progress_percent`.
    pub plan: banyan_domain::PilotPlan,
    pub evaluation: Option<banyan_domain::Evaluation>,
    pub award: Option<banyan_domain::Award>,
    /// The practice the adoption created or updated.
    pub practice_id: Option<Uuid>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// `challenge`, `offer` or `curator`.
    pub your_side: String,
    /// The statuses the caller may move the pilot to.
    pub moves: Vec<String>,
    /// Whether the caller may still change the plan.
    pub plan_open: bool,
    /// `{id, title}` of the challenge.
    #[schema(value_type = Object)]
    pub challenge: serde_json::Value,
    /// `{id, kind, title}` of the practice or solution.
    #[schema(value_type = Object)]
    pub offer: serde_json::Value,
    /// The pilot's history, oldest first.
    pub events: Vec<banyan_domain::PilotEvent>,
    /// The procurement checklist of the pilot's country, if curators wrote one.
    pub procurement: Option<banyan_store::ProcurementChecklist>,
}

#[derive(ToSchema)]
#[schema(as = Pilots)]
pub struct PilotsDoc {
    /// `{id, status, place, starts_on, ends_on, challenge, offer, your_side, awaiting_you, updated_at}`
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<serde_json::Value>,
}

#[derive(ToSchema)]
#[schema(as = PilotRevision)]
pub struct ReviseRequestDoc {
    /// The version of the pilot edited.
    pub version: i64,
    pub plan: banyan_domain::PilotPlan,
}

#[derive(ToSchema)]
#[schema(as = PilotMove)]
pub struct PilotMoveRequestDoc {
    /// `agreed`, `running`, `evaluated`, `adopted` or `stopped`.
    pub to: String,
    /// The version of the pilot seen.
    pub version: i64,
    /// Why (required to stop).
    pub note: Option<String>,
    /// With `evaluated`: each KPI's result, in the plan's order.
    pub results: Option<Vec<Option<f64>>>,
    /// With `evaluated`.
    pub evaluation: Option<banyan_domain::Evaluation>,
    /// With `adopted`: the contract awarded, if any.
    pub award: Option<banyan_domain::Award>,
}

#[derive(ToSchema)]
#[schema(as = ProcurementChecklists)]
pub struct ChecklistsDoc {
    pub items: Vec<banyan_store::ProcurementChecklist>,
}
