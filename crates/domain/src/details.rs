//! The typed details of each kind of record.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::limits::{self, LONG_TEXT};
use crate::validate::{Checker, Obj};
use crate::values::*;
use crate::vocab::*;

/// The details of a record; which variant decides the record's kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Details {
    Practice(Practice),
    Idea(Idea),
    Challenge(Challenge),
    Solution(Solution),
    Resource(Resource),
}

/// An innovation or good practice, implemented at least as a pilot.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Practice {
    /// The problem citizens or the administration had.
    pub problem: Option<String>,
    /// What was done about it.
    pub solution: Option<String>,
    pub stage: Option<Stage>,
    pub started_on: Option<PartialDate>,
    /// Who benefits, and how many.
    pub beneficiaries: Option<String>,
    pub results: Option<String>,
    /// Time, cost and visits a citizen spends on the service, before and after.
    pub tcv: Option<Tcv>,
    pub evidence_level: Option<EvidenceLevel>,
    pub cost_to_implement: Option<Money>,
    pub partners: Vec<Partner>,
    pub lessons: Option<String>,
    pub conditions_for_replication: Option<String>,
    pub links: Vec<Link>,
    /// Whom to ask. Personal data: shown only to the record's editors and curators.
    pub contact: Option<Contact>,
}

/// What a citizen spends to obtain a service, before and after a change (Bangladesh a2i's
/// Service Process Simplification method).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tcv {
    pub before: TcvFigures,
    pub after: TcvFigures,
    /// The currency of both costs.
    pub currency: Option<CurrencyCode>,
    /// Applications per year, to turn per-application savings into yearly ones.
    pub yearly_volume: Option<u64>,
}

/// Time, cost and visits for one application.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TcvFigures {
    /// Days from application to service, as the citizen lives them.
    pub time_days: Option<f64>,
    /// What the citizen pays: fees, travel and other costs.
    pub cost: Option<f64>,
    /// Visits to an office.
    pub visits: Option<u32>,
}

/// An idea anyone may submit.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Idea {
    pub problem: Option<String>,
    pub idea: Option<String>,
    pub expected_benefit: Option<String>,
}

/// A problem an administration posts.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Challenge {
    pub problem: Option<String>,
    /// Who is affected, and how many.
    pub affected: Option<String>,
    /// The public service concerned.
    pub service: Option<String>,
    pub tried_before: Option<String>,
    pub constraints: Constraints,
    pub desired_outcomes: Option<String>,
    pub success_criteria: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub seeking: Option<Seeking>,
    /// Where it stands; open when not said.
    pub state: Option<ChallengeState>,
    /// Shown only to signed-in members of the network's organisations (and curators), not to
    /// the public: kept out of search, lists, exports and the matches offered to providers.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub restricted: bool,
}

/// What a solution to a challenge must live with.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Constraints {
    pub budget: Option<Budget>,
    /// Languages the solution must work in.
    pub languages: Vec<LanguageTag>,
    pub connectivity: Option<Connectivity>,
    /// Rules on data: residency, consent, sharing.
    pub data_rules: Option<String>,
}

/// A budget range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Budget {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub currency: CurrencyCode,
}

/// What a provider offers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Solution {
    pub what_it_does: Option<String>,
    pub for_whom: Option<String>,
    /// Technology readiness level, 1 to 9.
    pub trl: Option<Trl>,
    /// Where it is in use.
    pub deployments: Vec<Place>,
    /// Where it was built.
    pub developed_in: Vec<Place>,
    pub pricing_model: Option<PricingModel>,
    /// Whether the provider can take on new pilots now.
    pub availability: Option<Availability>,
    pub open_source_license: Option<License>,
    /// Languages it works in.
    pub languages: Vec<LanguageTag>,
    pub works_offline: Option<bool>,
    /// How it protects personal data.
    pub data_protection: Option<String>,
    pub website: Option<WebUrl>,
    pub repositories: Vec<Link>,
    pub references: Vec<Link>,
    pub product_types: Vec<ProductType>,
    pub partners: Vec<Partner>,
}

/// A knowledge product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Resource {
    pub resource_type: ResourceType,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub published_on: Option<PartialDate>,
    #[serde(default)]
    pub url: Option<WebUrl>,
    #[serde(default)]
    pub files: Vec<Link>,
}

impl Details {
    pub fn kind(&self) -> Kind {
        match self {
            Details::Practice(_) => Kind::Practice,
            Details::Idea(_) => Kind::Idea,
            Details::Challenge(_) => Kind::Challenge,
            Details::Solution(_) => Kind::Solution,
            Details::Resource(_) => Kind::Resource,
        }
    }

    /// The long text fields of a kind, which translations may carry too.
    pub fn text_fields(kind: Kind) -> &'static [&'static str] {
        match kind {
            Kind::Practice => {
                &["problem", "solution", "beneficiaries", "results", "lessons", "conditions_for_replication"]
            }
            Kind::Idea => &["problem", "idea", "expected_benefit"],
            Kind::Challenge => {
                &["problem", "affected", "service", "tried_before", "desired_outcomes", "success_criteria"]
            }
            Kind::Solution => &["what_it_does", "for_whom", "data_protection"],
            Kind::Resource => &[],
        }
    }

    /// One long text field by name.
    pub fn text(&self, field: &str) -> Option<&str> {
        let v = match (self, field) {
            (Details::Practice(p), "problem") => &p.problem,
            (Details::Practice(p), "solution") => &p.solution,
            (Details::Practice(p), "beneficiaries") => &p.beneficiaries,
            (Details::Practice(p), "results") => &p.results,
            (Details::Practice(p), "lessons") => &p.lessons,
            (Details::Practice(p), "conditions_for_replication") => &p.conditions_for_replication,
            (Details::Idea(i), "problem") => &i.problem,
            (Details::Idea(i), "idea") => &i.idea,
            (Details::Idea(i), "expected_benefit") => &i.expected_benefit,
            (Details::Challenge(c), "problem") => &c.problem,
            (Details::Challenge(c), "affected") => &c.affected,
            (Details::Challenge(c), "service") => &c.service,
            (Details::Challenge(c), "tried_before") => &c.tried_before,
            (Details::Challenge(c), "desired_outcomes") => &c.desired_outcomes,
            (Details::Challenge(c), "success_criteria") => &c.success_criteria,
            (Details::Solution(s), "what_it_does") => &s.what_it_does,
            (Details::Solution(s), "for_whom") => &s.for_whom,
            (Details::Solution(s), "data_protection") => &s.data_protection,
            _ => return None,
        };
        v.as_deref()
    }

    /// The details without personal data, for anyone who may not see it.
    pub fn without_personal_data(&self) -> Details {
        match self {
            Details::Practice(p) => Details::Practice(Practice { contact: None, ..p.clone() }),
            other => other.clone(),
        }
    }

    pub fn to_json(&self) -> Value {
        let v = match self {
            Details::Practice(d) => serde_json::to_value(d),
            Details::Idea(d) => serde_json::to_value(d),
            Details::Challenge(d) => serde_json::to_value(d),
            Details::Solution(d) => serde_json::to_value(d),
            Details::Resource(d) => serde_json::to_value(d),
        };
        v.expect("details serialise to JSON")
    }

    /// Details as stored by Banyan itself (trusted; unknown fields from newer versions are
    /// ignored, missing ones take their defaults).
    pub fn from_stored(kind: Kind, v: Value) -> Result<Details, serde_json::Error> {
        Ok(match kind {
            Kind::Practice => Details::Practice(serde_json::from_value(v)?),
            Kind::Idea => Details::Idea(serde_json::from_value(v)?),
            Kind::Challenge => Details::Challenge(serde_json::from_value(v)?),
            Kind::Solution => Details::Solution(serde_json::from_value(v)?),
            Kind::Resource => Details::Resource(serde_json::from_value(v)?),
        })
    }

    /// Reads the details of a kind from untrusted input. `o` is the `details` object (or an
    /// empty object when the input had none).
    pub fn read(kind: Kind, c: &mut Checker, o: &mut Obj<'_>) -> Details {
        match kind {
            Kind::Practice => Details::Practice(Practice {
                problem: c.block(o, "problem", LONG_TEXT),
                solution: c.block(o, "solution", LONG_TEXT),
                stage: c.parsed(o, "stage", Stage::parse),
                started_on: c.parsed(o, "started_on", PartialDate::parse),
                beneficiaries: c.block(o, "beneficiaries", LONG_TEXT),
                results: c.block(o, "results", LONG_TEXT),
                tcv: c.nested(o, "tcv", Tcv::read),
                evidence_level: read_level(c, o, "evidence_level", EvidenceLevel::new),
                cost_to_implement: c.nested(o, "cost_to_implement", Money::read),
                partners: c.list(o, "partners", limits::PARTNERS, Partner::read),
                lessons: c.block(o, "lessons", LONG_TEXT),
                conditions_for_replication: c.block(o, "conditions_for_replication", LONG_TEXT),
                links: c.list(o, "links", limits::LINKS, Link::read),
                contact: c.nested(o, "contact", Contact::read),
            }),
            Kind::Idea => Details::Idea(Idea {
                problem: c.block(o, "problem", LONG_TEXT),
                idea: c.block(o, "idea", LONG_TEXT),
                expected_benefit: c.block(o, "expected_benefit", LONG_TEXT),
            }),
            Kind::Challenge => Details::Challenge(Challenge {
                problem: c.block(o, "problem", LONG_TEXT),
                affected: c.block(o, "affected", LONG_TEXT),
                service: c.block(o, "service", LONG_TEXT),
                tried_before: c.block(o, "tried_before", LONG_TEXT),
                constraints: c.nested(o, "constraints", Constraints::read).unwrap_or_default(),
                desired_outcomes: c.block(o, "desired_outcomes", LONG_TEXT),
                success_criteria: c.block(o, "success_criteria", LONG_TEXT),
                deadline: c.parsed(o, "deadline", parse_date),
                seeking: c.parsed(o, "seeking", Seeking::parse),
                state: c.parsed(o, "state", ChallengeState::parse),
                restricted: c.bool(o, "restricted").unwrap_or(false),
            }),
            Kind::Solution => Details::Solution(Solution {
                what_it_does: c.block(o, "what_it_does", LONG_TEXT),
                for_whom: c.block(o, "for_whom", LONG_TEXT),
                trl: read_level(c, o, "trl", Trl::new),
                deployments: c.codes(o, "deployments", limits::PLACES, Place::parse),
                developed_in: c.codes(o, "developed_in", limits::PLACES, Place::parse),
                pricing_model: c.parsed(o, "pricing_model", PricingModel::parse),
                availability: c.parsed(o, "availability", Availability::parse),
                open_source_license: c.parsed(o, "open_source_license", License::parse),
                languages: c.codes(o, "languages", limits::LANGUAGES, LanguageTag::parse),
                works_offline: c.bool(o, "works_offline"),
                data_protection: c.block(o, "data_protection", LONG_TEXT),
                website: c.parsed(o, "website", WebUrl::parse),
                repositories: c.list(o, "repositories", limits::LINKS, Link::read),
                references: c.list(o, "references", limits::LINKS, Link::read),
                product_types: c.codes(o, "product_types", ProductType::ALL.len(), ProductType::parse),
                partners: c.list(o, "partners", limits::PARTNERS, Partner::read),
            }),
            Kind::Resource => {
                let resource_type = c.parsed(o, "resource_type", ResourceType::parse);
                if resource_type.is_none() && !o.has("resource_type") {
                    c.report(&o.path("resource_type"), "required", "is required for a knowledge product");
                }
                Details::Resource(Resource {
                    resource_type: resource_type.unwrap_or(ResourceType::Guide),
                    authors: c.list(o, "authors", limits::AUTHORS, |c, p, v| c.line_value(p, v, limits::SHORT_TEXT)),
                    published_on: c.parsed(o, "published_on", PartialDate::parse),
                    url: c.parsed(o, "url", WebUrl::parse),
                    files: c.list(o, "files", limits::LINKS, Link::read),
                })
            }
        }
    }
}

fn read_level<T>(
    c: &mut Checker,
    o: &mut Obj<'_>,
    key: &'static str,
    new: fn(u8) -> Result<T, VocabError>,
) -> Option<T> {
    let v = o.get(key)?;
    let path = o.path(key);
    let n = c.integer_value(&path, v, 0, 255)?;
    match new(n as u8) {
        Ok(level) => Some(level),
        Err(e) => {
            c.report(&path, "out_of_range", e.message);
            None
        }
    }
}

impl Tcv {
    fn read(c: &mut Checker, o: &mut Obj<'_>) -> Tcv {
        let before = c.nested(o, "before", TcvFigures::read);
        let after = c.nested(o, "after", TcvFigures::read);
        for (key, side) in [("before", &before), ("after", &after)] {
            if side.is_none() && !o.has(key) {
                c.report(&o.path(key), "required", "is required: TCV compares before with after");
            }
        }
        let currency = c.parsed(o, "currency", CurrencyCode::parse);
        let yearly_volume = c.integer(o, "yearly_volume", 0, MAX_AMOUNT as i64).map(|n| n as u64);
        // The same figures on both sides, or the comparison means nothing.
        let given = |side: &str, name: &str| o.peek(side).and_then(|v| v.get(name)).is_some_and(|v| !v.is_null());
        for name in ["time_days", "cost", "visits"] {
            let (b, a) = (given("before", name), given("after", name));
            if b && !a {
                c.report(&o.path("after").key(name), "required", format!("is required because before.{name} is given"));
            } else if a && !b {
                c.report(&o.path("before").key(name), "required", format!("is required because after.{name} is given"));
            }
        }
        if (given("before", "cost") || given("after", "cost")) && currency.is_none() && !o.has("currency") {
            c.report(&o.path("currency"), "required", "is required when costs are given");
        }
        Tcv { before: before.unwrap_or_default(), after: after.unwrap_or_default(), currency, yearly_volume }
    }
}

impl TcvFigures {
    fn read(c: &mut Checker, o: &mut Obj<'_>) -> TcvFigures {
        let f = TcvFigures {
            // Ten years is longer than any service should take, and catches hours typed as days.
            time_days: c.number(o, "time_days", 0.0, 3650.0),
            cost: c.number(o, "cost", 0.0, MAX_AMOUNT),
            visits: c.integer(o, "visits", 0, 1000).map(|n| n as u32),
        };
        if !o.has("time_days") && !o.has("cost") && !o.has("visits") {
            c.report(&o.path, "required", "needs at least one of time_days, cost and visits");
        }
        f
    }
}

impl Constraints {
    fn read(c: &mut Checker, o: &mut Obj<'_>) -> Constraints {
        Constraints {
            budget: c.nested(o, "budget", |c, o| {
                let min = c.number(o, "min", 0.0, MAX_AMOUNT);
                let max = c.number(o, "max", 0.0, MAX_AMOUNT);
                if let (Some(lo), Some(hi)) = (min, max)
                    && lo > hi
                {
                    c.report(&o.path("min"), "out_of_range", "must not be more than max");
                }
                if min.is_none() && max.is_none() && !o.has("min") && !o.has("max") {
                    c.report(&o.path, "required", "needs min, max or both");
                }
                let currency = c.parsed(o, "currency", CurrencyCode::parse);
                if currency.is_none() && !o.has("currency") {
                    c.report(&o.path("currency"), "required", "is required");
                }
                Budget { min, max, currency: currency.unwrap_or_else(|| CurrencyCode::parse("USD").expect("USD")) }
            }),
            languages: c.codes(o, "languages", limits::LANGUAGES, LanguageTag::parse),
            connectivity: c.parsed(o, "connectivity", Connectivity::parse),
            data_rules: c.block(o, "data_rules", LONG_TEXT),
        }
    }
}
