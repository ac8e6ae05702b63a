//! The record: one envelope for every kind, with typed details.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::details::Details;
use crate::ids::{OrganisationId, RecordId, UserId};
use crate::limits;
use crate::validate::{Checker, Obj, Path, Violations};
use crate::values::*;
use crate::vocab::*;

/// Where a record was written: on this node, or on a peer it was harvested from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Origin {
    #[default]
    Local,
    /// The base URL of the node the record comes from.
    Peer(WebUrl),
}

impl Origin {
    pub fn is_local(&self) -> bool {
        matches!(self, Origin::Local)
    }
    pub fn as_str(&self) -> &str {
        match self {
            Origin::Local => "local",
            Origin::Peer(url) => url.as_str(),
        }
    }
    pub fn parse(s: &str) -> Result<Origin, VocabError> {
        match s {
            "local" => Ok(Origin::Local),
            other => WebUrl::parse(other).map(Origin::Peer),
        }
    }
}

impl Serialize for Origin {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
impl<'de> Deserialize<'de> for Origin {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Origin::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Where an imported record came from. `(registry, key)` identifies it, so that importing the
/// same source again updates the record instead of making another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Source {
    /// The registry, in lower case: `dpg`, `ips-explorer`.
    pub registry: String,
    /// The record's key in that registry.
    pub key: String,
    pub url: Option<WebUrl>,
    /// The registry's own status for the record, such as `DPG` or `nominee`.
    #[serde(default)]
    pub status: Option<String>,
}

impl Source {
    fn read(c: &mut Checker, o: &mut Obj<'_>) -> Source {
        let registry = c.required_line(o, "registry", limits::SOURCE_REGISTRY);
        if !registry.is_empty()
            && !registry.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
        {
            c.report(&o.path("registry"), "invalid_value", "may hold only lower-case letters, digits and hyphens");
        }
        Source {
            registry,
            key: c.required_line(o, "key", limits::SOURCE_KEY),
            url: c.parsed(o, "url", WebUrl::parse),
            status: c.line(o, "status", limits::SOURCE_REGISTRY),
        }
    }
}

/// A record's text fields in another language.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Translation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The kind's long text fields (`problem`, `solution`, …) by name.
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(additional_properties))]
    pub fields: BTreeMap<String, String>,
}

/// Everything about a record that its editors write. The rest of the envelope (identity,
/// version, timestamps) is Banyan's.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordContent {
    pub title: String,
    pub summary: Option<String>,
    /// The language the record is written in.
    pub lang: LanguageTag,
    pub translations: BTreeMap<LanguageTag, Translation>,
    pub sdgs: Vec<Sdg>,
    pub sectors: Vec<Cofog>,
    pub places: Vec<Place>,
    pub level_of_government: Option<Level>,
    pub innovation_types: Vec<InnovationType>,
    pub facets: Vec<OpsiFacet>,
    pub themes: Vec<Theme>,
    pub status: Status,
    /// Hidden by a moderator: visible to curators only, whatever the status.
    pub hidden: bool,
    pub details: Details,
    pub organisation: Option<OrganisationId>,
    pub license: License,
    pub source: Option<Source>,
}

impl RecordContent {
    /// The summary and the long text fields of the details, in order, as one text (for
    /// comparing records with each other).
    /// Whether the record is a challenge its organisation restricted to the network's members.
    pub fn is_restricted(&self) -> bool {
        matches!(&self.details, Details::Challenge(c) if c.restricted)
    }

    pub fn long_text(&self) -> String {
        let mut text = self.summary.clone().unwrap_or_default();
        for f in Details::text_fields(self.details.kind()) {
            if let Some(t) = self.details.text(f) {
                if !text.is_empty() {
                    text.push_str("\n\n");
                }
                text.push_str(t);
            }
        }
        text
    }
}

/// What a client sends to create or change a record.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordInput {
    pub content: RecordContent,
    /// A slug of the client's choosing; made from the title when absent.
    pub slug: Option<Slug>,
}

/// How strictly the envelope's own fields are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputMode {
    /// A new record: fields Banyan assigns (`id`, `version`, …) are refused.
    Create,
    /// A whole record after a change, as a JSON merge patch leaves it: Banyan's fields are
    /// skipped (the caller checks they did not change) and the kind must stay the same.
    Update { kind: Kind },
}

/// Fields that Banyan sets and clients may not.
pub const READ_ONLY_FIELDS: &[&str] =
    &["id", "uri", "origin", "owner", "derived_from", "version", "created_at", "updated_at", "published_at"];

impl RecordInput {
    /// Reads a record from untrusted JSON, reporting every violation at once.
    pub fn from_json(v: &Value, mode: InputMode) -> Result<RecordInput, Violations> {
        let mut c = Checker::new();
        let mut o = c.object(Path::root(), v);
        for key in READ_ONLY_FIELDS {
            match mode {
                InputMode::Create => c.forbid(&mut o, key, &format!("{key} is set by Banyan and cannot be given")),
                InputMode::Update { .. } => o.ignore(key),
            }
        }
        let given_kind = c.parsed(&mut o, "kind", Kind::parse);
        let kind = match mode {
            InputMode::Create => {
                if given_kind.is_none() && !o.has("kind") {
                    c.report(
                        &o.path("kind"),
                        "required",
                        "is required: practice, idea, challenge, solution or resource",
                    );
                }
                given_kind
            }
            InputMode::Update { kind } => {
                if given_kind.is_some_and(|k| k != kind) {
                    c.report(&o.path("kind"), "read_only", "cannot be changed; a record keeps its kind");
                }
                Some(kind)
            }
        };
        let title = c.required_line(&mut o, "title", limits::TITLE);
        let summary = c.block(&mut o, "summary", limits::SUMMARY);
        let lang = c.parsed(&mut o, "lang", LanguageTag::parse);
        if lang.is_none() && !o.has("lang") {
            c.report(
                &o.path("lang"),
                "required",
                "is required: the language the record is written in, such as \"en\" or \"bn\"",
            );
        }
        let slug = c.parsed(&mut o, "slug", Slug::parse);
        let sdgs = c.codes(&mut o, "sdgs", limits::SDGS, Sdg::parse);
        let sectors = c.codes(&mut o, "sectors", limits::SECTORS, Cofog::parse);
        let places = c.codes(&mut o, "places", limits::PLACES, Place::parse);
        let level_of_government = c.parsed(&mut o, "level_of_government", Level::parse);
        let innovation_types = c.codes(&mut o, "innovation_types", limits::INNOVATION_TYPES, InnovationType::parse);
        let facets = c.codes(&mut o, "facets", limits::FACETS, OpsiFacet::parse);
        let themes = c.codes(&mut o, "themes", limits::THEMES, Theme::parse);
        let status = c.parsed(&mut o, "status", Status::parse).unwrap_or(Status::Draft);
        let hidden = c.bool(&mut o, "hidden").unwrap_or(false);
        let organisation = c.parsed(&mut o, "organisation", |s| {
            OrganisationId::parse(s)
                .map_err(|_| VocabError::new("organisation", format!("{s:?} is not an organisation id")))
        });
        let license = c.parsed(&mut o, "license", License::parse).unwrap_or_else(License::cc_by_4);
        let source = c.nested(&mut o, "source", Source::read);

        let empty = Value::Object(Map::new());
        let details_value = o.get("details").unwrap_or(&empty);
        let details = kind.map(|k| {
            let mut details_obj = c.object(o.path("details"), details_value);
            let details = Details::read(k, &mut c, &mut details_obj);
            c.done(details_obj);
            details
        });

        let translations = match kind {
            Some(k) => read_translations(&mut c, &mut o, k, lang.as_ref()),
            None => {
                o.ignore("translations");
                BTreeMap::new()
            }
        };
        c.done(o);

        // Placeholders stand in only where a violation was reported, so `finish` discards them.
        let (Some(lang), Some(details)) = (lang, details) else {
            return Err(c.finish(()).expect_err("a missing kind or lang was reported"));
        };
        c.finish(RecordInput {
            content: RecordContent {
                title,
                summary,
                lang,
                translations,
                sdgs,
                sectors,
                places,
                level_of_government,
                innovation_types,
                facets,
                themes,
                status,
                hidden,
                details,
                organisation,
                license,
                source,
            },
            slug,
        })
    }
}

fn read_translations(
    c: &mut Checker,
    o: &mut Obj<'_>,
    kind: Kind,
    lang: Option<&LanguageTag>,
) -> BTreeMap<LanguageTag, Translation> {
    let mut out = BTreeMap::new();
    let Some(v) = o.get("translations") else { return out };
    let path = o.path("translations");
    let Value::Object(map) = v else {
        c.invalid_type(&path, "an object of translations by language", v);
        return out;
    };
    if map.len() > limits::TRANSLATIONS {
        c.report(&path, "too_many", format!("has {} languages; the limit is {}", map.len(), limits::TRANSLATIONS));
        return out;
    }
    let text_fields = Details::text_fields(kind);
    for (tag, t) in map {
        let tpath = path.key(tag);
        let Ok(lang_tag) = LanguageTag::parse(tag).map_err(|e| c.report(&tpath, "invalid_value", e.message)) else {
            continue;
        };
        if Some(&lang_tag) == lang {
            c.report(&tpath, "invalid_value", "is the record's own language; translations are into other languages");
            continue;
        }
        let mut to = c.object(tpath.clone(), t);
        let mut tr = Translation {
            title: c.line(&mut to, "title", limits::TITLE),
            summary: c.block(&mut to, "summary", limits::SUMMARY),
            fields: BTreeMap::new(),
        };
        for field in text_fields {
            if let Some(text) = c.block(&mut to, field, limits::LONG_TEXT) {
                tr.fields.insert(field.to_string(), text);
            }
        }
        c.done(to);
        if tr.title.is_none() && tr.summary.is_none() && tr.fields.is_empty() {
            c.report(&tpath, "required", "needs at least one translated field");
        }
        out.insert(lang_tag, tr);
    }
    out
}

/// A record as stored and served.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: RecordId,
    pub slug: Slug,
    /// A globally unique URI: this node's address for local records, the origin's for
    /// harvested ones.
    pub uri: String,
    pub origin: Origin,
    /// Starts at 1 and grows by one with every change.
    pub version: i64,
    pub content: RecordContent,
    /// The person who wrote it; none for imported and harvested records.
    pub owner: Option<UserId>,
    /// The record it grew out of (a practice promoted from an idea).
    pub derived_from: Option<RecordId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When it was first published.
    pub published_at: Option<DateTime<Utc>>,
}

impl Record {
    pub fn kind(&self) -> Kind {
        self.content.details.kind()
    }

    /// Whether anonymous visitors may see it.
    pub fn is_public(&self) -> bool {
        self.content.status == Status::Published && !self.content.hidden && !self.content.is_restricted()
    }

    /// The record without personal data (its contact, and who owns it), for anyone who may
    /// not see them.
    pub fn without_personal_data(&self) -> Record {
        let mut r = self.clone();
        r.content.details = r.content.details.without_personal_data();
        r.owner = None;
        r
    }

    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).expect("records serialise to JSON")
    }
}

impl Serialize for Record {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = &self.content;
        let mut st = s.serialize_struct("Record", 28)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("kind", &self.kind())?;
        st.serialize_field("slug", &self.slug)?;
        st.serialize_field("uri", &self.uri)?;
        st.serialize_field("title", &c.title)?;
        st.serialize_field("summary", &c.summary)?;
        st.serialize_field("lang", &c.lang)?;
        st.serialize_field("translations", &c.translations)?;
        st.serialize_field("sdgs", &c.sdgs)?;
        st.serialize_field("sectors", &c.sectors)?;
        st.serialize_field("places", &c.places)?;
        st.serialize_field("level_of_government", &c.level_of_government)?;
        st.serialize_field("innovation_types", &c.innovation_types)?;
        st.serialize_field("facets", &c.facets)?;
        st.serialize_field("themes", &c.themes)?;
        st.serialize_field("status", &c.status)?;
        st.serialize_field("hidden", &c.hidden)?;
        st.serialize_field("details", &c.details.to_json())?;
        st.serialize_field("organisation", &c.organisation)?;
        st.serialize_field("owner", &self.owner)?;
        st.serialize_field("derived_from", &self.derived_from)?;
        st.serialize_field("license", &c.license)?;
        st.serialize_field("source", &c.source)?;
        st.serialize_field("origin", &self.origin)?;
        st.serialize_field("version", &self.version)?;
        st.serialize_field("created_at", &self.created_at)?;
        st.serialize_field("updated_at", &self.updated_at)?;
        st.serialize_field("published_at", &self.published_at)?;
        st.end()
    }
}

/// The stored form, read back without re-validating every field against the input rules
/// (limits may have been raised since, and harvested records keep their origin's text).
#[derive(Deserialize)]
struct StoredRecord {
    id: RecordId,
    kind: Kind,
    slug: Slug,
    uri: String,
    title: String,
    summary: Option<String>,
    lang: LanguageTag,
    #[serde(default)]
    translations: BTreeMap<LanguageTag, Translation>,
    #[serde(default)]
    sdgs: Vec<Sdg>,
    #[serde(default)]
    sectors: Vec<Cofog>,
    #[serde(default)]
    places: Vec<Place>,
    level_of_government: Option<Level>,
    #[serde(default)]
    innovation_types: Vec<InnovationType>,
    #[serde(default)]
    facets: Vec<OpsiFacet>,
    #[serde(default)]
    themes: Vec<Theme>,
    status: Status,
    #[serde(default)]
    hidden: bool,
    details: Value,
    organisation: Option<OrganisationId>,
    #[serde(default)]
    owner: Option<UserId>,
    #[serde(default)]
    derived_from: Option<RecordId>,
    license: License,
    source: Option<Source>,
    origin: Origin,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    published_at: Option<DateTime<Utc>>,
}

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = StoredRecord::deserialize(d)?;
        let details = Details::from_stored(r.kind, r.details).map_err(serde::de::Error::custom)?;
        Ok(Record {
            id: r.id,
            slug: r.slug,
            uri: r.uri,
            origin: r.origin,
            version: r.version,
            content: RecordContent {
                title: r.title,
                summary: r.summary,
                lang: r.lang,
                translations: r.translations,
                sdgs: r.sdgs,
                sectors: r.sectors,
                places: r.places,
                level_of_government: r.level_of_government,
                innovation_types: r.innovation_types,
                facets: r.facets,
                themes: r.themes,
                status: r.status,
                hidden: r.hidden,
                details,
                organisation: r.organisation,
                license: r.license,
                source: r.source,
            },
            owner: r.owner,
            derived_from: r.derived_from,
            created_at: r.created_at,
            updated_at: r.updated_at,
            published_at: r.published_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::details::*;
    use serde_json::json;

    fn practice() -> Value {
        json!({
            "kind": "practice",
            "title": "One-stop land services in Dhaka district",
            "summary": "Citizens apply for land mutation online and visit the office once.",
            "lang": "en",
            "translations": {"bn": {"title": "ঢাকা জেলায় এক জায়গায় ভূমি সেবা", "problem": "পাঁচবার অফিসে যেতে হত।"}},
            "sdgs": ["16.6", "16", "16.6"],
            "sectors": ["01.3"],
            "places": ["BD-13", "BD"],
            "level_of_government": "district",
            "innovation_types": ["process", "technology"],
            "themes": ["Land Records"],
            "status": "published",
            "details": {
                "problem": "Five visits to the land office for one mutation.",
                "stage": "scaled",
                "started_on": "2019-07",
                "tcv": {"before": {"time_days": 45, "cost": 5000, "visits": 5}, "after": {"time_days": 7, "cost": 1150, "visits": 1}, "currency": "BDT", "yearly_volume": 120000},
                "evidence_level": 2,
                "partners": ["a2i", {"name": "Ministry of Land", "role": "owner"}],
                "links": ["https://land.gov.bd/"],
                "contact": {"name": "Officer in charge", "email": "land@example.gov.bd"}
            }
        })
    }

    #[test]
    fn a_practice_is_read_tidied_and_serialised_back() {
        let input = RecordInput::from_json(&practice(), InputMode::Create).unwrap();
        let c = &input.content;
        assert_eq!(c.sdgs.iter().map(|s| s.code()).collect::<Vec<_>>(), ["16", "16.6"], "sorted, without repeats");
        assert_eq!(c.places.iter().map(|p| p.code()).collect::<Vec<_>>(), ["BD", "BD-13"]);
        assert_eq!(c.themes[0].as_str(), "land records");
        let Details::Practice(p) = &c.details else { panic!("a practice") };
        assert_eq!(p.tcv.as_ref().unwrap().before.visits, Some(5));
        assert_eq!(p.partners[0].name, "a2i");
        assert_eq!(c.license.as_str(), "CC-BY-4.0", "the default licence");

        let record = Record {
            id: RecordId::new(),
            slug: Slug::from_title(&c.title, "practice"),
            uri: "https://banyan.example/records/x".into(),
            origin: Origin::Local,
            version: 1,
            content: input.content.clone(),
            owner: Some(UserId::new()),
            derived_from: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            published_at: None,
        };
        let json = record.to_json();
        assert_eq!(json["kind"], "practice");
        assert_eq!(json["details"]["tcv"]["after"]["visits"], 1);
        let back: Record = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, record, "stored form round-trips");
        let again = RecordInput::from_json(&json, InputMode::Update { kind: Kind::Practice }).unwrap();
        assert_eq!(again.content, record.content, "served form is valid input");
        let public = record.without_personal_data().to_json();
        assert!(public["details"]["contact"].is_null());
        assert!(public["owner"].is_null());
    }

    #[test]
    fn every_violation_is_reported_with_its_field() {
        let mut bad = practice();
        bad["sdgs"] = json!(["18", "3.8"]);
        bad["places"] = json!(["XX"]);
        bad["title"] = json!("x".repeat(201));
        bad["details"]["tcv"]["before"]["visits"] = json!(-1);
        bad["details"]["stage"] = json!("finished");
        bad["details"]["evidence_level"] = json!(7);
        bad["color"] = json!("green");
        bad["id"] = json!("0190a000-0000-7000-8000-000000000000");
        let err = RecordInput::from_json(&bad, InputMode::Create).unwrap_err();
        let mut fields = err.fields();
        fields.sort();
        assert_eq!(
            fields,
            [
                "color",
                "details.evidence_level",
                "details.stage",
                "details.tcv.before.visits",
                "id",
                "places[0]",
                "sdgs[0]",
                "title"
            ]
        );
        let sdg = err.0.iter().find(|v| v.field == "sdgs[0]").unwrap();
        assert!(sdg.message.contains("\"18\""), "{}", sdg.message);
    }

    #[test]
    fn kind_title_and_lang_are_required() {
        let err = RecordInput::from_json(&json!({}), InputMode::Create).unwrap_err();
        assert_eq!(err.fields(), ["kind", "title", "lang"]);
        let err =
            RecordInput::from_json(&json!({"kind": "resource", "title": "Toolkit", "lang": "en"}), InputMode::Create)
                .unwrap_err();
        assert_eq!(err.fields(), ["details.resource_type"]);
    }

    #[test]
    fn wrong_types_are_named() {
        let err = RecordInput::from_json(
            &json!({"kind": "idea", "title": 5, "lang": "en", "sdgs": "3", "hidden": "no", "details": []}),
            InputMode::Create,
        )
        .unwrap_err();
        assert_eq!(err.fields(), ["title", "sdgs", "hidden", "details"]);
        assert!(err.0.iter().all(|v| v.code == "invalid_type"), "{err}");
    }

    #[test]
    fn translations_name_their_problems() {
        let mut v = practice();
        v["translations"] = json!({"en": {"title": "same language"}, "xx": {"title": "?"}, "th": {"colour": "x"}, "bn": {"idea": "not a practice field"}});
        let err = RecordInput::from_json(&v, InputMode::Create).unwrap_err();
        let fields = err.fields();
        for f in ["translations.en", "translations.xx", "translations.th.colour", "translations.bn.idea"] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
    }

    #[test]
    fn tcv_needs_both_sides_and_a_currency_for_costs() {
        let mut v = practice();
        v["details"]["tcv"] = json!({"before": {"visits": 5, "cost": 100}, "after": {"time_days": 2}});
        let err = RecordInput::from_json(&v, InputMode::Create).unwrap_err();
        let mut fields = err.fields();
        fields.sort();
        assert_eq!(
            fields,
            [
                "details.tcv.after.cost",
                "details.tcv.after.visits",
                "details.tcv.before.time_days",
                "details.tcv.currency"
            ]
        );
    }

    #[test]
    fn the_kind_of_a_record_cannot_change() {
        let mut v = practice();
        v["kind"] = json!("idea");
        let err = RecordInput::from_json(&v, InputMode::Update { kind: Kind::Practice }).unwrap_err();
        assert_eq!(err.fields(), ["kind"]);
    }
}
