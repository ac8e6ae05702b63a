//! Small value types that records are built from: web addresses, licences, partial dates,
//! money, themes, links, contacts and partners.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::ids::OrganisationId;
use crate::limits;
use crate::validate::{Checker, Obj, Path};
use crate::vocab::{CurrencyCode, PartnerRole, VocabError};

/// Declares a string newtype that is valid by construction and serialises as a plain string.
macro_rules! string_type {
    ($name:ident, $vocab:literal, $desc:literal) => {
        impl $name {
            pub const DESCRIPTION: &'static str = $desc;
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
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
                    .description(Some($desc))
                    .into()
            }
        }
        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

/// An absolute `http` or `https` address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WebUrl(String);
string_type!(WebUrl, "url", "An absolute http or https URL");

impl WebUrl {
    pub fn parse(s: &str) -> Result<Self, VocabError> {
        let s = s.trim();
        let bad = |why: &str| VocabError::new("url", why.to_string());
        if s.chars().count() > limits::URL {
            return Err(bad(&format!("is longer than {} characters", limits::URL)));
        }
        let url = url::Url::parse(s).map_err(|e| bad(&format!("is not a web address ({e})")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("must start with http:// or https://"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("must not contain a user name or password"));
        }
        Ok(WebUrl(url.to_string()))
    }
    pub fn host(&self) -> String {
        url::Url::parse(&self.0).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default()
    }
}

/// An SPDX licence expression (`CC-BY-4.0`, `MIT OR Apache-2.0`), checked for its form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct License(String);
string_type!(License, "license", "An SPDX licence expression, such as CC-BY-4.0 or MIT OR Apache-2.0");

impl License {
    pub fn cc_by_4() -> Self {
        License("CC-BY-4.0".into())
    }

    pub fn parse(s: &str) -> Result<Self, VocabError> {
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        let bad = |why: String| VocabError::new("license", format!("{s:?} is not an SPDX licence expression: {why}"));
        if s.is_empty() || s.chars().count() > limits::LICENSE {
            return Err(bad(format!("it must be 1 to {} characters", limits::LICENSE)));
        }
        // Grammar: expr = term ((AND|OR) term)*; term = id [WITH id] | "(" expr ")"
        let spaced = s.replace('(', " ( ").replace(')', " ) ");
        let tokens: Vec<&str> = spaced.split_whitespace().collect();
        let is_id = |t: &str| {
            !t.is_empty()
                && !matches!(t, "AND" | "OR" | "WITH")
                && t.trim_end_matches('+').chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
        };
        let mut depth = 0usize;
        let mut expect_term = true;
        let mut after_with = false;
        for t in &tokens {
            match *t {
                "(" if expect_term => depth += 1,
                ")" if !expect_term && depth > 0 => depth -= 1,
                "AND" | "OR" if !expect_term => expect_term = true,
                "WITH" if !expect_term && !after_with => {
                    expect_term = true;
                    after_with = true;
                    continue;
                }
                id if expect_term && is_id(id) => expect_term = false,
                other => return Err(bad(format!("unexpected {other:?}"))),
            }
            after_with = false;
        }
        if expect_term || depth != 0 {
            return Err(bad("it is incomplete".into()));
        }
        Ok(License(tokens.join(" ").replace("( ", "(").replace(" )", ")")))
    }
}

/// A date known to the year, the month or the day: `"2019"`, `"2019-07"`, `"2019-07-15"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartialDate {
    pub year: i32,
    pub month: Option<u32>,
    pub day: Option<u32>,
}

impl PartialDate {
    pub const DESCRIPTION: &'static str = "A year, year and month, or full date: \"2019\", \"2019-07\", \"2019-07-15\"";

    pub fn year(year: i32) -> Result<Self, VocabError> {
        Self::parse(&year.to_string())
    }

    pub fn parse(s: &str) -> Result<Self, VocabError> {
        let s = s.trim();
        let bad = || VocabError::new("date", format!("{s:?} is not a date written as YYYY, YYYY-MM or YYYY-MM-DD"));
        let parts: Vec<&str> = s.split('-').collect();
        let num = |p: &str, len: usize| -> Option<u32> {
            (p.len() == len && p.bytes().all(|b| b.is_ascii_digit())).then(|| p.parse().ok()).flatten()
        };
        let year = parts.first().and_then(|p| num(p, 4)).ok_or_else(bad)? as i32;
        if !(1800..=2200).contains(&year) {
            return Err(VocabError::new("date", format!("{s:?}: the year must be between 1800 and 2200")));
        }
        let month = match parts.get(1) {
            Some(p) => Some(num(p, 2).filter(|m| (1..=12).contains(m)).ok_or_else(bad)?),
            None => None,
        };
        let day = match parts.get(2) {
            Some(p) => {
                let d = num(p, 2).ok_or_else(bad)?;
                chrono::NaiveDate::from_ymd_opt(year, month.unwrap_or(1), d).ok_or_else(bad)?;
                Some(d)
            }
            None => None,
        };
        if parts.len() > 3 {
            return Err(bad());
        }
        Ok(PartialDate { year, month, day })
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}
impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for PartialDate {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(Self::DESCRIPTION))
            .pattern(Some(r"^\d{4}(-\d{2}(-\d{2})?)?$"))
            .into()
    }
}
#[cfg(feature = "openapi")]
impl utoipa::ToSchema for PartialDate {}

/// A theme: a short free tag that curators keep tidy ("land records", "queues").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Theme(String);
string_type!(Theme, "themes", "A short free tag in lower case, such as \"land records\"");

impl Theme {
    pub fn parse(s: &str) -> Result<Self, VocabError> {
        let t =
            crate::text::line(s).map_err(|_| VocabError::new("themes", "contains a control character"))?.to_lowercase();
        if t.is_empty() || t.chars().count() > limits::THEME {
            return Err(VocabError::new("themes", format!("a theme must be 1 to {} characters", limits::THEME)));
        }
        if t.contains([',', ';', '#']) {
            return Err(VocabError::new("themes", "a theme is one tag; give several themes as separate items"));
        }
        Ok(Theme(t))
    }
}

/// A URL-friendly name for a record, unique on this node.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);
string_type!(Slug, "slug", "A URL-friendly name: lower-case letters and digits of any script, joined by hyphens");

impl Slug {
    pub fn parse(s: &str) -> Result<Self, VocabError> {
        let s = s.trim();
        // Lower-case ASCII letters and digits joined by single hyphens are a slug as they are:
        // told so without normalising them twice, which was a third of decoding a record.
        if s.len() <= limits::SLUG
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--")
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.is_empty()
        {
            return Ok(Slug(s.to_string()));
        }
        let tidy = crate::text::slugify(s, limits::SLUG);
        if tidy.is_empty() || tidy != s {
            return Err(VocabError::new(
                "slug",
                format!(
                    "{s:?} is not a slug: use lower-case letters and digits joined by single hyphens, at most {} characters",
                    limits::SLUG
                ),
            ));
        }
        Ok(Slug(tidy))
    }
    /// A slug made from a title; `fallback` when the title has no letters or digits.
    pub fn from_title(title: &str, fallback: &str) -> Slug {
        let s = crate::text::slugify(title, limits::SLUG);
        Slug(if s.is_empty() { fallback.to_string() } else { s })
    }
    /// This slug with `-n` appended, kept within the length limit.
    pub fn numbered(&self, n: u32) -> Slug {
        let suffix = format!("-{n}");
        let keep = limits::SLUG - suffix.len();
        let base: String = self.0.chars().take(keep).collect();
        Slug(format!("{}{suffix}", base.trim_end_matches('-')))
    }
}

/// An amount of money in a currency.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Money {
    pub amount: f64,
    pub currency: CurrencyCode,
}

/// The largest amount of money or count Banyan accepts: well past any public budget, well
/// inside the range where `f64` is exact for whole numbers.
pub const MAX_AMOUNT: f64 = 1e15;

impl Money {
    pub(crate) fn read(c: &mut Checker, o: &mut Obj<'_>) -> Money {
        let amount = c.number(o, "amount", 0.0, MAX_AMOUNT);
        if amount.is_none() && !o.has("amount") {
            c.report(&o.path("amount"), "required", "is required");
        }
        let currency = c.parsed(o, "currency", CurrencyCode::parse);
        if currency.is_none() && !o.has("currency") {
            c.report(&o.path("currency"), "required", "is required");
        }
        Money {
            amount: amount.unwrap_or_default(),
            currency: currency.unwrap_or_else(|| CurrencyCode::parse("USD").expect("USD exists")),
        }
    }
}

/// A link to something outside Banyan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Link {
    pub url: WebUrl,
    pub title: Option<String>,
}

impl Link {
    pub fn new(url: WebUrl, title: Option<String>) -> Self {
        Link { url, title }
    }

    /// A link is an object `{"url", "title"}`, or just the URL as a string.
    pub(crate) fn read(c: &mut Checker, path: &Path, v: &Value) -> Option<Link> {
        if v.is_string() {
            return c.parsed_value(path, v, WebUrl::parse).map(|url| Link { url, title: None });
        }
        let mut o = c.object(path.clone(), v);
        let url = c.parsed(&mut o, "url", WebUrl::parse);
        if url.is_none() && !o.has("url") {
            c.report(&o.path("url"), "required", "is required");
        }
        let title = c.line(&mut o, "title", limits::TITLE);
        c.done(o);
        url.map(|url| Link { url, title })
    }
}

/// Whom to ask about a practice. Personal data: never published or federated.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    pub name: Option<String>,
    pub role: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl Contact {
    pub(crate) fn read(c: &mut Checker, o: &mut Obj<'_>) -> Contact {
        let name = c.line(o, "name", limits::TITLE);
        let role = c.line(o, "role", limits::TITLE);
        let email = c.line(o, "email", 254);
        if let Some(e) = &email {
            let ok = e.split_once('@').is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
                && !e.contains(char::is_whitespace);
            if !ok {
                c.report(&o.path("email"), "invalid_value", "is not an email address");
            }
        }
        let phone = c.line(o, "phone", 40);
        if let Some(p) = &phone
            && !p.chars().all(|ch| ch.is_ascii_digit() || " +-().".contains(ch))
        {
            c.report(&o.path("phone"), "invalid_value", "may hold only digits, spaces and + - ( ) .");
        }
        Contact { name, role, email, phone }
    }
}

/// An organisation that takes part in a practice or solution, known to Banyan or only by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Partner {
    pub name: String,
    pub organisation: Option<OrganisationId>,
    pub role: Option<PartnerRole>,
}

impl Partner {
    /// A partner is an object `{"name", "organisation", "role"}`, or just a name.
    pub(crate) fn read(c: &mut Checker, path: &Path, v: &Value) -> Option<Partner> {
        if v.is_string() {
            return c.line_value(path, v, limits::SHORT_TEXT).map(|name| Partner {
                name,
                organisation: None,
                role: None,
            });
        }
        let mut o = c.object(path.clone(), v);
        let name = c.required_line(&mut o, "name", limits::SHORT_TEXT);
        let organisation = c.parsed(&mut o, "organisation", |s| {
            OrganisationId::parse(s)
                .map_err(|_| VocabError::new("organisation", format!("{s:?} is not an organisation id")))
        });
        let role = c.parsed(&mut o, "role", PartnerRole::parse);
        c.done(o);
        Some(Partner { name, organisation, role })
    }
}

/// A full date written as `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<chrono::NaiveDate, VocabError> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| VocabError { vocabulary: "date", message: format!("{s:?} is not a date written as YYYY-MM-DD") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_urls() {
        assert_eq!(WebUrl::parse(" https://a2i.gov.bd ").unwrap().as_str(), "https://a2i.gov.bd/");
        assert_eq!(WebUrl::parse("https://a2i.gov.bd/x").unwrap().host(), "a2i.gov.bd");
        for bad in ["ftp://x.org", "javascript:alert(1)", "not a url", "https://user:pw@x.org", "http://"] {
            assert!(WebUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn licences() {
        for (input, out) in [
            ("CC-BY-4.0", "CC-BY-4.0"),
            ("MIT OR Apache-2.0", "MIT OR Apache-2.0"),
            ("(MIT  OR Apache-2.0) AND GPL-2.0+", "(MIT OR Apache-2.0) AND GPL-2.0+"),
            ("GPL-2.0 WITH Classpath-exception-2.0", "GPL-2.0 WITH Classpath-exception-2.0"),
            ("LicenseRef-Proprietary", "LicenseRef-Proprietary"),
        ] {
            assert_eq!(License::parse(input).unwrap().as_str(), out);
        }
        for bad in ["", "MIT OR", "(MIT", "MIT)", "MIT Apache-2.0", "My licence!", "AND", "MIT WITH WITH x"] {
            assert!(License::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn partial_dates() {
        assert_eq!(PartialDate::parse("2019").unwrap().to_string(), "2019");
        assert_eq!(PartialDate::parse("2019-07").unwrap().to_string(), "2019-07");
        assert_eq!(PartialDate::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
        for bad in ["19", "2019-13", "2023-02-29", "2019-7", "1700", "2019-07-15T00:00", "2019-01-01-01"] {
            assert!(PartialDate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn themes_and_slugs() {
        assert_eq!(Theme::parse("  Land   Records ").unwrap().as_str(), "land records");
        assert!(Theme::parse("a, b").is_err());
        assert!(Slug::parse("land-records").is_ok());
        assert!(Slug::parse("Land Records").is_err());
        assert_eq!(Slug::from_title("!!!", "practice").as_str(), "practice");
        assert_eq!(Slug::parse("abc").unwrap().numbered(2).as_str(), "abc-2");
        let long = Slug::from_title(&"word ".repeat(40), "x");
        assert!(long.numbered(12).as_str().chars().count() <= limits::SLUG);
    }

    proptest::proptest! {
        /// A slug is what slugifying leaves unchanged, whether or not it takes the ASCII path.
        #[test]
        fn a_slug_is_what_slugify_leaves_as_it_is(s in "[a-zA-Z0-9 _-]{0,6}|[a-z0-9-]{0,130}|[a-zé0-9ก-]{0,8}") {
            let tidy = crate::text::slugify(s.trim(), limits::SLUG);
            let ok = !tidy.is_empty() && tidy == s.trim();
            proptest::prop_assert_eq!(Slug::parse(&s).is_ok(), ok, "{:?}", s);
            if let Ok(slug) = Slug::parse(&s) {
                proptest::prop_assert_eq!(slug.as_str(), tidy.as_str());
            }
        }
    }
}
