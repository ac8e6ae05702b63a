//! The shapes of the generated vocabulary tables (see `tools/vocabgen`).

/// A Sustainable Development Goal.
#[derive(Debug, PartialEq, Eq)]
pub struct SdgGoal {
    pub number: u8,
    pub code: &'static str,
    pub short: &'static str,
    pub title: &'static str,
}

/// An SDG target such as `3.8` or `1.a`.
#[derive(Debug, PartialEq, Eq)]
pub struct SdgTarget {
    pub code: &'static str,
    pub goal: u8,
    pub title: &'static str,
}

/// A COFOG division (`07`) or group (`07.2`).
#[derive(Debug, PartialEq, Eq)]
pub struct Cofog {
    pub code: &'static str,
    pub name: &'static str,
    pub parent: Option<&'static str>,
}

/// An ISO 3166-1 country or territory with its UN M49 regions.
#[derive(Debug, PartialEq, Eq)]
pub struct Country {
    pub alpha2: &'static str,
    pub alpha3: &'static str,
    pub numeric: &'static str,
    /// The name people use (CLDR display name), e.g. "South Korea".
    pub name: &'static str,
    /// The ISO 3166-1 short name, e.g. "Korea, Republic of".
    pub iso_name: &'static str,
    /// Other English names: official, UNTERM, common.
    pub aliases: &'static [&'static str],
    pub region: Option<&'static str>,
    pub sub_region: Option<&'static str>,
    pub intermediate_region: Option<&'static str>,
    pub currencies: &'static [&'static str],
    /// Least developed country (UN).
    pub ldc: bool,
    /// Land-locked developing country (UN).
    pub lldc: bool,
    /// Small island developing state (UN).
    pub sids: bool,
}

/// A UN M49 region (`142` Asia), sub-region (`034` Southern Asia) or intermediate region.
#[derive(Debug, PartialEq, Eq)]
pub struct Region {
    pub code: &'static str,
    pub name: &'static str,
    pub parent: Option<&'static str>,
}

/// An ISO 3166-2 subdivision such as `BD-13` (Dhaka district).
#[derive(Debug, PartialEq, Eq)]
pub struct Subdivision {
    pub code: &'static str,
    pub name: &'static str,
    /// The country's own word for it: "District", "Province", …
    pub category: &'static str,
    /// The enclosing subdivision, for countries with several levels (`BD-13` is in `BD-C`).
    pub parent: Option<&'static str>,
}

/// An ISO 4217 currency.
#[derive(Debug, PartialEq, Eq)]
pub struct Currency {
    pub code: &'static str,
    pub name: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LanguageScope {
    Individual,
    Macrolanguage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LanguageStatus {
    Living,
    Extinct,
    Historical,
    Constructed,
}

/// An ISO 639 language, keyed by its BCP 47 primary subtag (`bn`, `fil`).
#[derive(Debug, PartialEq, Eq)]
pub struct Language {
    pub code: &'static str,
    pub alpha3: &'static str,
    pub name: &'static str,
    pub scope: LanguageScope,
    pub status: LanguageStatus,
}
