//! The interface's languages: Fluent messages compiled into the binary, how a visitor's language
//! is chosen, and numbers and dates written the way each language writes them.
//!
//! English, Bengali and Thai are complete; Hindi, Vietnamese, Malay and Filipino have their
//! files and fall back to English message by message until translators fill them. A test
//! (`tests/api/i18n.rs`) keeps the complete ones complete.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::HeaderMap;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A language of the interface.
#[derive(Debug)]
pub struct Locale {
    /// BCP 47 tag, as used in `?hl=`, the cookie and `<html lang>`.
    pub code: &'static str,
    /// Its name in itself, for the switcher.
    pub name: &'static str,
    /// `ltr` or `rtl`.
    pub dir: &'static str,
    /// Whether every message is translated (the others fall back to English).
    pub complete: bool,
    source: &'static str,
    digits: Digits,
    grouping: Grouping,
    /// Separators for thousands and decimals.
    separators: (char, char),
    /// Years counted in the Buddhist era (Thai).
    buddhist_era: bool,
}

#[derive(Debug, Clone, Copy)]
enum Digits {
    Latin,
    Bengali,
}

#[derive(Debug, Clone, Copy)]
enum Grouping {
    /// 1,234,567
    Thousands,
    /// 12,34,567 (South Asian lakh and crore)
    Indian,
}

/// Every interface language, English first (the fallback).
pub static LOCALES: &[Locale] = &[
    Locale {
        code: "en",
        name: "English",
        dir: "ltr",
        complete: true,
        source: include_str!("../locales/en.ftl"),
        digits: Digits::Latin,
        grouping: Grouping::Thousands,
        separators: (',', '.'),
        buddhist_era: false,
    },
    Locale {
        code: "bn",
        name: "বাংলা",
        dir: "ltr",
        complete: true,
        source: include_str!("../locales/bn.ftl"),
        digits: Digits::Bengali,
        grouping: Grouping::Indian,
        separators: (',', '.'),
        buddhist_era: false,
    },
    Locale {
        code: "th",
        name: "ไทย",
        dir: "ltr",
        complete: true,
        source: include_str!("../locales/th.ftl"),
        digits: Digits::Latin,
        grouping: Grouping::Thousands,
        separators: (',', '.'),
        buddhist_era: true,
    },
    Locale {
        code: "hi",
        name: "हिन्दी",
        dir: "ltr",
        complete: false,
        source: include_str!("../locales/hi.ftl"),
        digits: Digits::Latin,
        grouping: Grouping::Indian,
        separators: (',', '.'),
        buddhist_era: false,
    },
    Locale {
        code: "vi",
        name: "Tiếng Việt",
        dir: "ltr",
        complete: false,
        source: include_str!("../locales/vi.ftl"),
        digits: Digits::Latin,
        grouping: Grouping::Thousands,
        separators: ('.', ','),
        buddhist_era: false,
    },
    Locale {
        code: "ms",
        name: "Bahasa Melayu",
        dir: "ltr",
        complete: false,
        source: include_str!("../locales/ms.ftl"),
        digits: Digits::Latin,
        grouping: Grouping::Thousands,
        separators: (',', '.'),
        buddhist_era: false,
    },
    Locale {
        code: "fil",
        name: "Filipino",
        dir: "ltr",
        complete: false,
        source: include_str!("../locales/fil.ftl"),
        digits: Digits::Latin,
        grouping: Grouping::Thousands,
        separators: (',', '.'),
        buddhist_era: false,
    },
];

/// The name of the cookie that remembers a chosen language.
pub const COOKIE: &str = "hl";

/// English, the fallback.
pub fn default_locale() -> &'static Locale {
    &LOCALES[0]
}

/// The locale with this tag (`th`, `th-TH`, `TH`), if the interface has it.
pub fn find(tag: &str) -> Option<&'static Locale> {
    let tag = tag.trim();
    let primary = tag.split(['-', '_']).next().unwrap_or("");
    LOCALES.iter().find(|l| l.code.eq_ignore_ascii_case(tag)).or_else(|| {
        // Tagalog is the base of Filipino.
        let primary = if primary.eq_ignore_ascii_case("tl") { "fil" } else { primary };
        LOCALES.iter().find(|l| l.code.eq_ignore_ascii_case(primary))
    })
}

/// Chooses the interface language: `?hl=` in the URL, then the cookie, then the browser's
/// `Accept-Language` (by quality), then English.
pub fn negotiate(from_url: Option<&str>, headers: &HeaderMap) -> &'static Locale {
    if let Some(l) = from_url.and_then(find) {
        return l;
    }
    if let Some(l) = crate::auth::read_cookie(headers, COOKIE).as_deref().and_then(find) {
        return l;
    }
    let accept = headers.get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mut ranges: Vec<(f32, usize, &str)> = accept
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut bits = part.split(';');
            let tag = bits.next()?.trim();
            let q = bits
                .find_map(|b| b.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()))
                .unwrap_or(1.0);
            (!tag.is_empty() && q > 0.0).then_some((q, i, tag))
        })
        .collect();
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranges.iter().find_map(|(_, _, tag)| find(tag)).unwrap_or_else(default_locale)
}

type Bundle = FluentBundle<FluentResource>;

static BUNDLES: LazyLock<HashMap<&'static str, Bundle>> = LazyLock::new(|| {
    LOCALES
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let resource = FluentResource::try_new(l.source.to_string())
                .unwrap_or_else(|(_, errors)| panic!("locales/{}.ftl does not parse: {errors:?}", l.code));
            let lang: unic_langid::LanguageIdentifier =
                l.code.parse().unwrap_or_else(|_| panic!("{} is a language tag", l.code));
            let mut bundle = Bundle::new_concurrent(vec![lang]);
            // Pages are HTML with `lang` and `dir` set; no isolation marks in the text.
            bundle.set_use_isolating(false);
            bundle.set_formatter(Some(FORMATTERS[i]));
            bundle.add_resource(resource).unwrap_or_else(|e| panic!("locales/{}.ftl: {e:?}", l.code));
            (l.code, bundle)
        })
        .collect()
});

type Formatter = fn(&FluentValue, &intl_memoizer::concurrent::IntlLangMemoizer) -> Option<String>;

/// Fluent's numbers, written per locale (one function per locale: Fluent's hook takes no data).
const FORMATTERS: [Formatter; 7] = [
    number_hook::<0>,
    number_hook::<1>,
    number_hook::<2>,
    number_hook::<3>,
    number_hook::<4>,
    number_hook::<5>,
    number_hook::<6>,
];

fn number_hook<const L: usize>(value: &FluentValue, _: &intl_memoizer::concurrent::IntlLangMemoizer) -> Option<String> {
    match value {
        FluentValue::Number(n) => {
            let decimals =
                n.options.minimum_fraction_digits.unwrap_or(0).max(if n.value.fract() == 0.0 { 0 } else { 1 });
            Some(LOCALES[L].number(n.value, decimals.min(3)))
        }
        _ => None,
    }
}

/// Every message id of a locale's file (for the completeness test).
pub fn message_ids(code: &str) -> Vec<String> {
    let Some(l) = LOCALES.iter().find(|l| l.code == code) else { return Vec::new() };
    let Ok(resource) = FluentResource::try_new(l.source.to_string()) else { return Vec::new() };
    resource
        .entries()
        .filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect()
}

impl Locale {
    /// A message, with arguments; English when this locale lacks it; the id itself when no
    /// locale has it (so a missing message shows, and the completeness test catches it).
    pub fn text(&self, id: &str, args: Option<&FluentArgs>) -> String {
        for code in [self.code, "en"] {
            let bundle = &BUNDLES[code];
            if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                let out = bundle.format_pattern(pattern, args, &mut errors);
                if errors.is_empty() || code == "en" {
                    return out.into_owned();
                }
            }
        }
        id.to_string()
    }

    /// A message without arguments.
    pub fn t(&self, id: &str) -> String {
        self.text(id, None)
    }

    /// Whether this locale (or English) has a message.
    pub fn has(&self, id: &str) -> bool {
        BUNDLES[self.code].has_message(id) || BUNDLES["en"].has_message(id)
    }

    /// A number with this locale's digits, grouping and separators.
    pub fn number(&self, value: f64, decimals: usize) -> String {
        let negative = value < 0.0;
        let text = format!("{:.*}", decimals, value.abs());
        let (int, frac) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
        let digits: Vec<char> = int.chars().collect();
        let mut grouped = String::new();
        let n = digits.len();
        for (i, d) in digits.iter().enumerate() {
            let left = n - i;
            let boundary = match self.grouping {
                Grouping::Thousands => left.is_multiple_of(3),
                Grouping::Indian => left == 3 || (left > 3 && (left - 3).is_multiple_of(2)),
            };
            if i > 0 && boundary {
                grouped.push(self.separators.0);
            }
            grouped.push(*d);
        }
        if let Some(f) = frac {
            grouped.push(self.separators.1);
            grouped.push_str(f);
        }
        let out = if negative { format!("−{grouped}") } else { grouped };
        self.localise_digits(&out)
    }

    /// A whole number.
    pub fn int(&self, value: i64) -> String {
        self.number(value as f64, 0)
    }

    /// Western digits written in this locale's digits.
    pub fn localise_digits(&self, s: &str) -> String {
        match self.digits {
            Digits::Latin => s.to_string(),
            Digits::Bengali => s
                .chars()
                .map(|c| match c.to_digit(10) {
                    Some(d) if c.is_ascii_digit() => char::from_u32(0x09E6 + d).unwrap_or(c),
                    _ => c,
                })
                .collect(),
        }
    }

    /// A date as people of this language write it: "24 November 2026", "২৪ নভেম্বর ২০২৬",
    /// "24 พฤศจิกายน พ.ศ. 2569".
    pub fn date(&self, date: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        let year = if self.buddhist_era { date.year() + 543 } else { date.year() };
        let mut args = FluentArgs::new();
        args.set("day", self.localise_digits(&date.day().to_string()));
        args.set("month", self.t(&format!("month-{}", date.month())));
        args.set("year", self.localise_digits(&year.to_string()));
        self.text("date-long", Some(&args))
    }

    /// A month and year, or a year alone, from a partial date such as `2019-03` or `2019`.
    pub fn partial_date(&self, raw: &str) -> String {
        use chrono::NaiveDate;
        let parts: Vec<&str> = raw.split('-').collect();
        match parts.as_slice() {
            [y, m, d] => NaiveDate::from_ymd_opt(
                y.parse().unwrap_or(0),
                m.parse().unwrap_or(0),
                d.get(..2).and_then(|d| d.parse().ok()).unwrap_or(0),
            )
            .map_or_else(|| raw.to_string(), |d| self.date(d)),
            [y, m] => match (y.parse::<i32>(), m.parse::<u32>()) {
                (Ok(y), Ok(m)) if (1..=12).contains(&m) => {
                    let year = if self.buddhist_era { y + 543 } else { y };
                    let mut args = FluentArgs::new();
                    args.set("month", self.t(&format!("month-{m}")));
                    args.set("year", self.localise_digits(&year.to_string()));
                    self.text("date-month", Some(&args))
                }
                _ => raw.to_string(),
            },
            [y] => match y.parse::<i32>() {
                Ok(y) => self.localise_digits(&(if self.buddhist_era { y + 543 } else { y }).to_string()),
                Err(_) => raw.to_string(),
            },
            _ => raw.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(code: &str) -> &'static Locale {
        find(code).unwrap()
    }

    #[test]
    fn numbers_follow_the_locale() {
        assert_eq!(loc("en").int(1_234_567), "1,234,567");
        assert_eq!(loc("bn").int(1_234_567), "১২,৩৪,৫৬৭");
        assert_eq!(loc("hi").int(1_234_567), "12,34,567");
        assert_eq!(loc("vi").number(1234.5, 1), "1.234,5");
        assert_eq!(loc("th").int(95_000), "95,000");
        assert_eq!(loc("en").int(999), "999");
        assert_eq!(loc("bn").int(1000), "১,০০০");
        assert_eq!(loc("en").int(-1200), "−1,200");
    }

    #[test]
    fn dates_follow_the_locale() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        assert_eq!(loc("en").date(d), "24 November 2026");
        assert_eq!(loc("bn").date(d), "২৪ নভেম্বর ২০২৬");
        assert_eq!(loc("th").date(d), "24 พฤศจิกายน พ.ศ. 2569");
        assert_eq!(loc("en").partial_date("2019-03"), "March 2019");
        assert_eq!(loc("th").partial_date("2019"), "2562");
        assert_eq!(loc("en").partial_date("not a date"), "not a date");
    }

    #[test]
    fn plurals_and_numbers_inside_messages() {
        let mut args = FluentArgs::new();
        args.set("count", 1);
        assert_eq!(loc("en").text("search-results", Some(&args)), "1 result");
        args.set("count", 12345);
        assert_eq!(loc("en").text("search-results", Some(&args)), "12,345 results");
        assert_eq!(loc("bn").text("search-results", Some(&args)), "১২,৩৪৫টি ফলাফল");
    }

    #[test]
    fn negotiation_order_is_url_cookie_browser_english() {
        let mut h = HeaderMap::new();
        h.insert("accept-language", "fr-FR, th;q=0.8, bn;q=0.9".parse().unwrap());
        assert_eq!(negotiate(None, &h).code, "bn");
        h.insert("cookie", "hl=th".parse().unwrap());
        assert_eq!(negotiate(None, &h).code, "th");
        assert_eq!(negotiate(Some("en"), &h).code, "en");
        assert_eq!(negotiate(Some("xx"), &HeaderMap::new()).code, "en");
        assert_eq!(find("tl-PH").unwrap().code, "fil");
        assert_eq!(find("TH-th").unwrap().code, "th");
    }

    #[test]
    fn a_missing_translation_falls_back_to_english() {
        // The partial locales hold only some messages; the rest are English.
        assert_eq!(loc("vi").t("search-button"), "Tìm kiếm");
        assert_eq!(loc("vi").t("about-title"), loc("en").t("about-title"));
    }
}
