//! Every vocabulary as a list of codes and names, for `/api/v1/vocabularies/{name}` and for
//! forms.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::generated::{countries::REGIONS, languages::LANGUAGES, sdg::*};
use super::*;

/// A vocabulary with its provenance.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Vocabulary {
    pub name: &'static str,
    pub title: &'static str,
    /// Where the codes and names come from.
    pub source: &'static str,
    /// The licence of that source.
    pub license: &'static str,
    pub items: Vec<VocabularyItem>,
}

/// One code of a vocabulary.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VocabularyItem {
    pub code: Value,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Further facts about the code (regions of a country, category of a subdivision, …).
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(additional_properties))]
    pub extra: Map<String, Value>,
}

impl VocabularyItem {
    fn new(code: impl Into<Value>, name: impl Into<String>) -> Self {
        Self { code: code.into(), name: name.into(), parent: None, extra: Map::new() }
    }
    fn parent(mut self, parent: Option<&str>) -> Self {
        self.parent = parent.map(str::to_string);
        self
    }
    fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_string(), value.into());
        self
    }
}

const OURS: &str = "Banyan";
const OURS_LICENSE: &str = "CC0-1.0";

/// The names `vocabulary` answers to.
pub fn vocabulary_names() -> &'static [&'static str] {
    &[
        "sdg",
        "cofog",
        "countries",
        "regions",
        "subdivisions",
        "languages",
        "currencies",
        Level::VOCABULARY,
        InnovationType::VOCABULARY,
        OpsiFacet::VOCABULARY,
        Stage::VOCABULARY,
        EvidenceLevel::VOCABULARY,
        Trl::VOCABULARY,
        Kind::VOCABULARY,
        Status::VOCABULARY,
        OrgType::VOCABULARY,
        ResourceType::VOCABULARY,
        Seeking::VOCABULARY,
        Connectivity::VOCABULARY,
        PricingModel::VOCABULARY,
        Availability::VOCABULARY,
        ChallengeState::VOCABULARY,
        PilotStatus::VOCABULARY,
        AdoptionStatus::VOCABULARY,
        ProcurementMethod::VOCABULARY,
        ProductType::VOCABULARY,
        PartnerRole::VOCABULARY,
    ]
}

macro_rules! closed {
    ($ty:ty, $title:literal) => {
        Vocabulary {
            name: <$ty>::VOCABULARY,
            title: $title,
            source: OURS,
            license: OURS_LICENSE,
            items: <$ty>::ALL.iter().map(|v| VocabularyItem::new(v.code(), v.label())).collect(),
        }
    };
}

/// A vocabulary by name; `country` narrows subdivisions to one country.
pub fn vocabulary(name: &str, country: Option<CountryCode>) -> Option<Vocabulary> {
    let v = match name {
        "sdg" => Vocabulary {
            name: "sdg",
            title: "Sustainable Development Goals and targets",
            source: "United Nations, via open-sdg/sdg-translations",
            license: "MIT (compilation); UN text",
            items: SDG_GOALS
                .iter()
                .map(|g| VocabularyItem::new(g.code, g.short).with("title", g.title))
                .chain(SDG_TARGETS.iter().map(|t| {
                    VocabularyItem::new(t.code, t.title).parent(Some(SDG_GOALS[usize::from(t.goal) - 1].code))
                }))
                .collect(),
        },
        "cofog" => Vocabulary {
            name: "cofog",
            title: "Classification of the Functions of Government (COFOG), divisions and groups",
            source: "UN Statistics Division, COFOG 1999, via datasets/cofog",
            license: "ODC-PDDL-1.0",
            items: generated::cofog::COFOG
                .iter()
                .map(|c| VocabularyItem::new(c.code, c.name).parent(c.parent))
                .collect(),
        },
        "countries" => Vocabulary {
            name: "countries",
            title: "Countries and territories (ISO 3166-1 alpha-2) with UN M49 regions",
            source: "ISO 3166-1 via Debian iso-codes; UN M49 via datasets/country-codes",
            license: "LGPL-2.1-or-later (iso-codes); ODC-PDDL-1.0 (country-codes)",
            items: CountryCode::all()
                .map(|c| {
                    let e = c.entry();
                    VocabularyItem::new(e.alpha2, e.name)
                        .with("alpha3", e.alpha3)
                        .with("iso_name", e.iso_name)
                        .with("regions", c.regions().map(|r| r.code()).collect::<Vec<_>>())
                        .with("currencies", e.currencies)
                        .with("ldc", e.ldc)
                        .with("lldc", e.lldc)
                        .with("sids", e.sids)
                })
                .collect(),
        },
        "regions" => Vocabulary {
            name: "regions",
            title: "UN M49 regions and sub-regions",
            source: "UN Statistics Division M49, via datasets/country-codes",
            license: "ODC-PDDL-1.0",
            items: REGIONS.iter().map(|r| VocabularyItem::new(r.code, r.name).parent(r.parent)).collect(),
        },
        "subdivisions" => Vocabulary {
            name: "subdivisions",
            title: "Country subdivisions (ISO 3166-2)",
            source: "ISO 3166-2 via Debian iso-codes",
            license: "LGPL-2.1-or-later",
            items: match country {
                Some(c) => SubdivisionCode::of_country(c).collect::<Vec<_>>(),
                None => CountryCode::all().flat_map(SubdivisionCode::of_country).collect(),
            }
            .into_iter()
            .map(|s| {
                VocabularyItem::new(s.code(), s.name())
                    .parent(Some(s.parent().map_or(s.country().code(), |p| p.code())))
                    .with("category", s.category())
                    .with("country", s.country().code())
            })
            .collect(),
        },
        "languages" => Vocabulary {
            name: "languages",
            title: "Languages (ISO 639), by BCP 47 primary subtag",
            source: "ISO 639-3 via Debian iso-codes",
            license: "LGPL-2.1-or-later",
            items: LANGUAGES
                .iter()
                .map(|l| {
                    VocabularyItem::new(l.code, l.name)
                        .with("alpha3", l.alpha3)
                        .with("macrolanguage", l.scope == tables::LanguageScope::Macrolanguage)
                        .with("living", l.status == tables::LanguageStatus::Living)
                })
                .collect(),
        },
        "currencies" => Vocabulary {
            name: "currencies",
            title: "Currencies (ISO 4217)",
            source: "ISO 4217 via datasets/country-codes",
            license: "ODC-PDDL-1.0",
            items: CurrencyCode::all().map(|c| VocabularyItem::new(c.code(), c.name())).collect(),
        },
        "levels" => closed!(Level, "Levels of government"),
        "innovation-types" => closed!(InnovationType, "Innovation types"),
        "facets" => Vocabulary {
            source: "OECD Observatory of Public Sector Innovation (OPSI), innovation facets",
            ..closed!(OpsiFacet, "Innovation facets")
        },
        "stages" => closed!(Stage, "Stages"),
        "evidence-levels" => Vocabulary {
            name: EvidenceLevel::VOCABULARY,
            title: "Levels of evidence",
            source: "Nesta Standards of Evidence",
            license: OURS_LICENSE,
            items: EvidenceLevel::all().map(|l| VocabularyItem::new(json!(l.get()), l.label())).collect(),
        },
        "trl" => Vocabulary {
            name: Trl::VOCABULARY,
            title: "Technology readiness levels",
            source: "Technology readiness levels as used by the European Commission (Horizon 2020)",
            license: OURS_LICENSE,
            items: Trl::all().map(|l| VocabularyItem::new(json!(l.get()), l.label())).collect(),
        },
        "kinds" => closed!(Kind, "Kinds of record"),
        "statuses" => closed!(Status, "Workflow statuses"),
        "organisation-types" => closed!(OrgType, "Types of organisation"),
        "resource-types" => closed!(ResourceType, "Types of knowledge product"),
        "seeking" => closed!(Seeking, "What a challenge seeks"),
        "connectivity" => closed!(Connectivity, "Connectivity"),
        "pricing-models" => closed!(PricingModel, "Pricing models"),
        "availability" => closed!(Availability, "Providers' availability"),
        "challenge-states" => closed!(ChallengeState, "Where a challenge stands"),
        "pilot-statuses" => closed!(PilotStatus, "Where a pilot stands"),
        "adoption-statuses" => closed!(AdoptionStatus, "Where an adoption stands"),
        "procurement-methods" => closed!(ProcurementMethod, "Procurement methods (OCDS)"),
        "product-types" => closed!(ProductType, "Product types"),
        "partner-roles" => closed!(PartnerRole, "Partner roles"),
        _ => return None,
    };
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_vocabulary_lists_items() {
        for name in vocabulary_names() {
            let v = vocabulary(name, None).unwrap_or_else(|| panic!("{name} missing"));
            assert_eq!(v.name, *name);
            assert!(!v.items.is_empty(), "{name} is empty");
        }
        assert!(vocabulary("planets", None).is_none());
    }

    #[test]
    fn sdg_lists_17_goals_and_169_targets() {
        let v = vocabulary("sdg", None).unwrap();
        assert_eq!(v.items.len(), 17 + 169);
        assert_eq!(v.items.iter().filter(|i| i.parent.is_none()).count(), 17);
    }

    #[test]
    fn subdivisions_narrow_to_a_country() {
        let bd = CountryCode::parse("BD").unwrap();
        let v = vocabulary("subdivisions", Some(bd)).unwrap();
        assert!(v.items.iter().all(|i| i.code.as_str().unwrap().starts_with("BD-")));
        assert!(vocabulary("subdivisions", None).unwrap().items.len() > 5000);
    }
}
