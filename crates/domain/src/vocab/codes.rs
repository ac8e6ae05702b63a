//! Newtypes over the generated reference tables. Each holds a `&'static` entry, so a value that
//! exists is a valid code, and its name and parents are one pointer away.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::generated::{cofog::COFOG, countries::*, languages::LANGUAGES, sdg::*, subdivisions::SUBDIVISIONS};
use super::{VocabError, find_sorted, tables};

/// Implements the traits every code type shares: equality and order by code, `Display`, and serde
/// as the plain code string.
macro_rules! code_type {
    ($ty:ident) => {
        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                self.code() == other.code()
            }
        }
        impl Eq for $ty {}
        impl PartialOrd for $ty {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for $ty {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.code().cmp(other.code())
            }
        }
        impl std::hash::Hash for $ty {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.code().hash(state)
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($ty), self.code())
            }
        }
        impl std::str::FromStr for $ty {
            type Err = VocabError;
            fn from_str(s: &str) -> Result<Self, VocabError> {
                Self::parse(s)
            }
        }
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $ty {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some(<$ty>::DESCRIPTION))
                    .into()
            }
        }
        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $ty {}
    };
}

/// A Sustainable Development Goal (`"3"`) or target (`"3.8"`, `"16.a"`).
#[derive(Clone, Copy)]
pub enum Sdg {
    Goal(&'static tables::SdgGoal),
    Target(&'static tables::SdgTarget),
}

impl Sdg {
    pub const DESCRIPTION: &'static str = "An SDG goal (\"3\") or target (\"3.8\"); see /api/v1/vocabularies/sdg";

    pub fn parse(s: &str) -> Result<Self, VocabError> {
        let s = s.trim();
        if let Some(g) = SDG_GOALS.iter().find(|g| g.code == s) {
            return Ok(Sdg::Goal(g));
        }
        if let Some(t) = SDG_TARGETS.iter().find(|t| t.code == s) {
            return Ok(Sdg::Target(t));
        }
        Err(VocabError::new("sdg", format!("{s:?} is not an SDG goal (1 to 17) or target (such as 3.8 or 16.a)")))
    }

    pub fn code(&self) -> &'static str {
        match self {
            Sdg::Goal(g) => g.code,
            Sdg::Target(t) => t.code,
        }
    }

    /// The goal's number, for a goal or a target.
    pub fn goal_number(&self) -> u8 {
        match self {
            Sdg::Goal(g) => g.number,
            Sdg::Target(t) => t.goal,
        }
    }

    /// The goal, for a goal or a target.
    pub fn goal(&self) -> Sdg {
        Sdg::Goal(&SDG_GOALS[usize::from(self.goal_number()) - 1])
    }

    pub fn is_target(&self) -> bool {
        matches!(self, Sdg::Target(_))
    }

    pub fn title(&self) -> &'static str {
        match self {
            Sdg::Goal(g) => g.title,
            Sdg::Target(t) => t.title,
        }
    }

    pub fn all_goals() -> impl Iterator<Item = Sdg> {
        SDG_GOALS.iter().map(Sdg::Goal)
    }

    /// The goal's short name ("Clean water and sanitation"), for a goal or a target.
    pub fn short(&self) -> &'static str {
        SDG_GOALS[usize::from(self.goal_number()) - 1].short
    }

    /// The targets of a goal (none for a target).
    pub fn targets(&self) -> impl Iterator<Item = Sdg> + 'static {
        let goal = match self {
            Sdg::Goal(g) => Some(g.number),
            Sdg::Target(_) => None,
        };
        SDG_TARGETS.iter().filter(move |t| Some(t.goal) == goal).map(Sdg::Target)
    }
}
code_type!(Sdg);

/// A COFOG division (`"07"` health) or group (`"07.2"` outpatient services).
#[derive(Clone, Copy)]
pub struct Cofog(&'static tables::Cofog);

impl Cofog {
    pub const DESCRIPTION: &'static str =
        "A COFOG division (\"07\") or group (\"07.2\"); see /api/v1/vocabularies/cofog";

    pub fn parse(s: &str) -> Result<Self, VocabError> {
        let s = s.trim();
        find_sorted(COFOG, s, |c| c.code).map(Cofog).ok_or_else(|| {
            VocabError::new("cofog", format!("{s:?} is not a COFOG division (01 to 10) or group (such as 07.2)"))
        })
    }

    /// Finds a division or group by its English name, ignoring case and a trailing full stop.
    pub fn by_name(name: &str) -> Option<Self> {
        let name = name.trim().trim_end_matches('.').trim();
        COFOG.iter().find(|c| c.name.eq_ignore_ascii_case(name)).map(Cofog)
    }

    pub fn code(&self) -> &'static str {
        self.0.code
    }
    pub fn name(&self) -> &'static str {
        self.0.name
    }
    pub fn is_division(&self) -> bool {
        self.0.parent.is_none()
    }
    /// The division, for a division or a group.
    pub fn division(&self) -> Cofog {
        match self.0.parent {
            Some(p) => Cofog::parse(p).expect("generated parents exist"),
            None => *self,
        }
    }
    /// The groups of a division.
    pub fn groups(&self) -> impl Iterator<Item = Cofog> + '_ {
        COFOG.iter().filter(move |c| c.parent == Some(self.0.code)).map(Cofog)
    }
}
code_type!(Cofog);

/// An ISO 3166-1 alpha-2 country code (`"BD"`).
#[derive(Clone, Copy)]
pub struct CountryCode(&'static tables::Country);

impl CountryCode {
    pub const DESCRIPTION: &'static str =
        "An ISO 3166-1 alpha-2 country code (\"BD\"); see /api/v1/vocabularies/countries";

    pub fn parse(s: &str) -> Result<Self, VocabError> {
        let s = s.trim();
        find_sorted(COUNTRIES, s, |c| c.alpha2)
            .map(CountryCode)
            .ok_or_else(|| VocabError::new("countries", format!("{s:?} is not an ISO 3166-1 alpha-2 country code")))
    }

    /// Finds a country by an English name: the common, ISO, official or UN name, ignoring case,
    /// accents, punctuation and a leading "the".
    pub fn by_name(name: &str) -> Option<Self> {
        let wanted = name_key(name);
        if wanted.is_empty() {
            return None;
        }
        COUNTRIES
            .iter()
            .find(|c| {
                name_key(c.name) == wanted
                    || name_key(c.iso_name) == wanted
                    || c.aliases.iter().any(|a| name_key(a) == wanted)
            })
            .map(CountryCode)
    }

    pub fn code(&self) -> &'static str {
        self.0.alpha2
    }
    pub fn entry(&self) -> &'static tables::Country {
        self.0
    }
    pub fn name(&self) -> &'static str {
        self.0.name
    }
    /// The UN M49 regions this country lies in, from the widest (`"142"` Asia) inwards.
    pub fn regions(&self) -> impl Iterator<Item = RegionCode> + 'static {
        [self.0.region, self.0.sub_region, self.0.intermediate_region]
            .into_iter()
            .flatten()
            .filter_map(|c| RegionCode::parse(c).ok())
    }
    pub fn all() -> impl Iterator<Item = CountryCode> {
        COUNTRIES.iter().map(CountryCode)
    }
}
code_type!(CountryCode);

/// Lower-cased ASCII letters and digits of a name, with a leading "the" and accents dropped, for
/// matching names written in different ways ("Côte d'Ivoire", "Cote d Ivoire").
fn name_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let folded: String = name
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { ' ' })
        .collect();
    let words: Vec<&str> = folded.split_whitespace().collect();
    let words = match words.first() {
        Some(&"the") => &words[1..],
        _ => &words[..],
    };
    words.join(" ")
}

/// A UN M49 region, sub-region or intermediate region (`"142"` Asia, `"034"` Southern Asia).
#[derive(Clone, Copy)]
pub struct RegionCode(&'static tables::Region);

impl RegionCode {
    pub const DESCRIPTION: &'static str =
        "A UN M49 region code (\"034\" Southern Asia); see /api/v1/vocabularies/regions";

    pub fn parse(s: &str) -> Result<Self, VocabError> {
        let s = s.trim();
        find_sorted(REGIONS, s, |r| r.code)
            .map(RegionCode)
            .ok_or_else(|| VocabError::new("regions", format!("{s:?} is not a UN M49 region code")))
    }
    pub fn code(&self) -> &'static str {
        self.0.code
    }
    pub fn name(&self) -> &'static str {
        self.0.name
    }
}
code_type!(RegionCode);

/// An ISO 3166-2 subdivision code (`"BD-13"`).
#[derive(Clone, Copy)]
pub struct SubdivisionCode(&'static tables::Subdivision);

impl SubdivisionCode {
    pub const DESCRIPTION: &'static str =
        "An ISO 3166-2 subdivision code (\"BD-13\"); see /api/v1/vocabularies/subdivisions";

    pub fn parse(s: &str) -> Result<Self, VocabError> {
        let s = s.trim();
        find_sorted(SUBDIVISIONS, s, |c| c.code)
            .map(SubdivisionCode)
            .ok_or_else(|| VocabError::new("subdivisions", format!("{s:?} is not an ISO 3166-2 subdivision code")))
    }
    pub fn code(&self) -> &'static str {
        self.0.code
    }
    pub fn name(&self) -> &'static str {
        self.0.name
    }
    pub fn category(&self) -> &'static str {
        self.0.category
    }
    pub fn country(&self) -> CountryCode {
        CountryCode::parse(&self.0.code[..2]).expect("generated subdivisions belong to known countries")
    }
    /// The enclosing subdivision, if the country has several levels.
    pub fn parent(&self) -> Option<SubdivisionCode> {
        self.0.parent.and_then(|p| SubdivisionCode::parse(p).ok())
    }
    /// The subdivisions of a country.
    pub fn of_country(country: CountryCode) -> impl Iterator<Item = SubdivisionCode> {
        let prefix = country.code();
        let start = SUBDIVISIONS.partition_point(|s| &s.code[..2] < prefix);
        SUBDIVISIONS[start..].iter().take_while(move |s| &s.code[..2] == prefix).map(SubdivisionCode)
    }
}
code_type!(SubdivisionCode);

/// A place a record concerns: a country (`"BD"`) or a subdivision (`"BD-13"`).
#[derive(Clone, Copy)]
pub enum Place {
    Country(CountryCode),
    Subdivision(SubdivisionCode),
}

impl Place {
    pub const DESCRIPTION: &'static str =
        "An ISO 3166-1 alpha-2 country (\"BD\") or ISO 3166-2 subdivision (\"BD-13\") code";

    pub fn parse(s: &str) -> Result<Self, VocabError> {
        let s = s.trim();
        if s.contains('-') {
            SubdivisionCode::parse(s).map(Place::Subdivision)
        } else {
            CountryCode::parse(s).map(Place::Country).map_err(|_| {
                VocabError::new(
                    "places",
                    format!("{s:?} is not an ISO 3166-1 alpha-2 country code or ISO 3166-2 subdivision code"),
                )
            })
        }
    }
    pub fn code(&self) -> &'static str {
        match self {
            Place::Country(c) => c.code(),
            Place::Subdivision(s) => s.code(),
        }
    }
    pub fn country(&self) -> CountryCode {
        match self {
            Place::Country(c) => *c,
            Place::Subdivision(s) => s.country(),
        }
    }
    pub fn name(&self) -> &'static str {
        match self {
            Place::Country(c) => c.name(),
            Place::Subdivision(s) => s.name(),
        }
    }
}
code_type!(Place);

/// An ISO 4217 currency code (`"BDT"`).
#[derive(Clone, Copy)]
pub struct CurrencyCode(&'static tables::Currency);

impl CurrencyCode {
    pub const DESCRIPTION: &'static str = "An ISO 4217 currency code (\"BDT\"); see /api/v1/vocabularies/currencies";

    pub fn parse(s: &str) -> Result<Self, VocabError> {
        let s = s.trim();
        // Currencies no country uses as its own but that budgets are often given in.
        if let Some(c) = EXTRA_CURRENCIES.iter().find(|c| c.code == s) {
            return Ok(CurrencyCode(c));
        }
        find_sorted(CURRENCIES, s, |c| c.code)
            .map(CurrencyCode)
            .ok_or_else(|| VocabError::new("currencies", format!("{s:?} is not an ISO 4217 currency code")))
    }
    pub fn code(&self) -> &'static str {
        self.0.code
    }
    pub fn name(&self) -> &'static str {
        self.0.name
    }
    pub(crate) fn all() -> impl Iterator<Item = CurrencyCode> {
        CURRENCIES.iter().chain(EXTRA_CURRENCIES).map(CurrencyCode)
    }
}
code_type!(CurrencyCode);

/// ISO 4217's Special Drawing Right is not a country's currency, but donors budget in it.
static EXTRA_CURRENCIES: &[tables::Currency] = &[tables::Currency { code: "XDR", name: "SDR (Special Drawing Right)" }];

/// A BCP 47 language tag limited to what texts need: an ISO 639 language, optionally a script
/// (`zh-Hans`, `sr-Latn`) and a region (`pt-BR`, `es-419`). Stored in canonical case.
#[derive(Clone)]
pub struct LanguageTag {
    tag: String,
    language: &'static tables::Language,
}

impl LanguageTag {
    pub const DESCRIPTION: &'static str =
        "A BCP 47 language tag with an ISO 639 language, such as \"bn\", \"th\", \"fil\", \"zh-Hans\" or \"pt-BR\"";

    pub fn parse(s: &str) -> Result<Self, VocabError> {
        let s = s.trim();
        let bad = |why: &str| VocabError::new("languages", format!("{s:?} is not a language tag: {why}"));
        let mut parts = s.split(['-', '_']);
        let primary = parts.next().unwrap_or_default().to_ascii_lowercase();
        if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(bad("it must start with a two- or three-letter ISO 639 code, such as en, bn or fil"));
        }
        let language = find_sorted(LANGUAGES, &primary, |l| l.code).ok_or_else(|| {
            // ISO 639-1 languages must be written with their two-letter code in BCP 47.
            match LANGUAGES.iter().find(|l| l.alpha3 == primary && l.code.len() == 2) {
                Some(l) => bad(&format!("use the two-letter code {:?} for {}", l.code, l.name)),
                None => bad(&format!("{primary:?} is not an ISO 639 language code")),
            }
        })?;
        let mut tag = primary;
        let mut script_seen = false;
        let mut region_seen = false;
        for part in parts {
            if part.len() == 4 && part.bytes().all(|b| b.is_ascii_alphabetic()) && !script_seen && !region_seen {
                script_seen = true;
                tag.push('-');
                tag.push_str(&part[..1].to_ascii_uppercase());
                tag.push_str(&part[1..].to_ascii_lowercase());
            } else if part.len() == 2 && part.bytes().all(|b| b.is_ascii_alphabetic()) && !region_seen {
                region_seen = true;
                let region = part.to_ascii_uppercase();
                CountryCode::parse(&region).map_err(|_| bad(&format!("{part:?} is not an ISO 3166-1 region")))?;
                tag.push('-');
                tag.push_str(&region);
            } else if part.len() == 3 && part.bytes().all(|b| b.is_ascii_digit()) && !region_seen {
                region_seen = true;
                RegionCode::parse(part).map_err(|_| bad(&format!("{part:?} is not a UN M49 region")))?;
                tag.push('-');
                tag.push_str(part);
            } else {
                return Err(bad(&format!("unexpected part {part:?}; use language[-Script][-REGION]")));
            }
        }
        Ok(LanguageTag { tag, language })
    }

    pub fn code(&self) -> &str {
        &self.tag
    }
    pub fn as_str(&self) -> &str {
        &self.tag
    }
    /// The primary language subtag (`"zh"` for `"zh-Hans"`).
    pub fn primary(&self) -> &'static str {
        self.language.code
    }
    pub fn language_name(&self) -> &'static str {
        self.language.name
    }
}

impl PartialEq for LanguageTag {
    fn eq(&self, other: &Self) -> bool {
        self.tag == other.tag
    }
}
impl Eq for LanguageTag {}
impl PartialOrd for LanguageTag {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for LanguageTag {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.tag.cmp(&other.tag)
    }
}
impl std::hash::Hash for LanguageTag {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.tag.hash(state)
    }
}

impl fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.tag)
    }
}
impl fmt::Debug for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LanguageTag({})", self.tag)
    }
}
impl std::str::FromStr for LanguageTag {
    type Err = VocabError;
    fn from_str(s: &str) -> Result<Self, VocabError> {
        Self::parse(s)
    }
}
impl Serialize for LanguageTag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.tag)
    }
}
impl<'de> Deserialize<'de> for LanguageTag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for LanguageTag {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(Self::DESCRIPTION))
            .examples(["bn"])
            .into()
    }
}
#[cfg(feature = "openapi")]
impl utoipa::ToSchema for LanguageTag {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdg_goals_and_targets() {
        assert_eq!(Sdg::parse("3").unwrap().code(), "3");
        let t = Sdg::parse("3.8").unwrap();
        assert!(t.is_target());
        assert_eq!(t.goal().code(), "3");
        assert!(t.title().contains("universal health coverage"), "{}", t.title());
        assert_eq!(Sdg::parse("16.a").unwrap().goal_number(), 16);
        for bad in ["18", "0", "3.99", "", "three", "3.8.1"] {
            assert!(Sdg::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cofog_divisions_and_groups() {
        let g = Cofog::parse("07.2").unwrap();
        assert_eq!(g.division().code(), "07");
        assert_eq!(g.division().name(), "Health");
        assert_eq!(Cofog::parse("07").unwrap().groups().count(), 6);
        assert_eq!(Cofog::by_name("Social protection").unwrap().code(), "10");
        assert_eq!(Cofog::by_name("Public health services.").unwrap().code(), "07.4");
        for bad in ["7", "11", "07.9", "07.2.1", "health"] {
            assert!(Cofog::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn countries_subdivisions_and_places() {
        let bd = CountryCode::parse("BD").unwrap();
        assert_eq!(bd.name(), "Bangladesh");
        assert!(bd.entry().ldc);
        assert_eq!(bd.regions().map(|r| r.code()).collect::<Vec<_>>(), ["142", "034"]);
        assert!(CountryCode::parse("XX").is_err());
        assert!(CountryCode::parse("bd").is_err(), "codes are upper case");
        let dhaka = SubdivisionCode::parse("BD-13").unwrap();
        assert_eq!(dhaka.country(), bd);
        assert_eq!(dhaka.parent().unwrap().code(), "BD-C");
        assert_eq!(Place::parse("BD-13").unwrap().country(), bd);
        assert!(Place::parse("BD-99").is_err());
        assert!(SubdivisionCode::of_country(bd).count() > 60);
        assert!(SubdivisionCode::of_country(CountryCode::parse("TH").unwrap()).all(|s| s.code().starts_with("TH-")));
    }

    #[test]
    fn country_names_in_their_many_spellings() {
        for (name, code) in [
            ("Bangladesh", "BD"),
            ("Cote d'Ivoire", "CI"),
            ("Côte d’Ivoire", "CI"),
            ("Czechia", "CZ"),
            ("Czech Republic", "CZ"),
            ("the Netherlands", "NL"),
            ("Korea, Republic of", "KR"),
            ("South Korea", "KR"),
            ("Virgin Islands, British", "VG"),
            ("Eswatini", "SZ"),
        ] {
            assert_eq!(CountryCode::by_name(name).map(|c| c.code()), Some(code), "{name}");
        }
        assert!(CountryCode::by_name("Atlantis").is_none());
        assert!(CountryCode::by_name("").is_none());
    }

    #[test]
    fn language_tags() {
        for (input, canonical) in [
            ("bn", "bn"),
            ("th", "th"),
            ("fil", "fil"),
            ("zh-hans", "zh-Hans"),
            ("pt_br", "pt-BR"),
            ("es-419", "es-419"),
            ("sr-Latn-RS", "sr-Latn-RS"),
        ] {
            assert_eq!(LanguageTag::parse(input).unwrap().as_str(), canonical);
        }
        assert_eq!(LanguageTag::parse("bn").unwrap().language_name(), "Bengali");
        let err = LanguageTag::parse("ben").unwrap_err();
        assert!(err.message.contains("\"bn\""), "{}", err.message);
        for bad in ["", "english", "xx", "en-XX", "en-Latn-Latn", "e"] {
            assert!(LanguageTag::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn currencies() {
        assert_eq!(CurrencyCode::parse("BDT").unwrap().name(), "Taka");
        assert!(CurrencyCode::parse("XDR").is_ok());
        assert!(CurrencyCode::parse("ABC").is_err());
    }

    #[test]
    fn codes_serialise_as_plain_strings() {
        let places: Vec<Place> = serde_json::from_str(r#"["BD","BD-13"]"#).unwrap();
        assert_eq!(serde_json::to_string(&places).unwrap(), r#"["BD","BD-13"]"#);
        assert!(serde_json::from_str::<Vec<Sdg>>(r#"["18"]"#).is_err());
    }
}
