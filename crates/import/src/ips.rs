//! The EU JRC Innovative Public Services explorer (`ipsoeu/ips-explorer`): every case becomes a
//! `practice` — public services in Europe that use artificial intelligence or blockchain.
//!
//! The case's `contact` field is personal data and is not imported.

use std::path::Path;

use anyhow::Context;
use serde::Deserialize;
use serde_json::{Value, json};

use banyan_domain::text::shorten;
use banyan_domain::{Cofog, CountryCode, OrgType, OrganisationInput, WebUrl, limits};

use crate::places::country_by_name;
use crate::{Item, Report};

pub const REGISTRY: &str = "ips-explorer";

#[derive(Deserialize)]
struct Case {
    id: Value,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    geoextent: String,
    #[serde(default)]
    geocoverage: Vec<String>,
    #[serde(default)]
    geocoverage_codes: Vec<String>,
    #[serde(default)]
    lead_organisation: Option<LeadOrganisation>,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    primary_sector: String,
    #[serde(default)]
    secondary_sector: String,
    #[serde(default)]
    technology: String,
    #[serde(default, rename = "type")]
    service_type: String,
    #[serde(default)]
    status: String,
}

#[derive(Deserialize)]
struct LeadOrganisation {
    #[serde(default)]
    name: String,
    #[serde(default)]
    category: String,
}

/// Reads `cases.json`. A case that is not a case is reported by its id (or position) and
/// skipped; the rest still import.
pub fn read(file: &Path, report: &mut Report) -> anyhow::Result<Vec<Item>> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    parse(&bytes, &file.display().to_string(), report)
}

/// The cases in the bytes of a `cases.json` (`name` says where they came from, for the report).
pub fn parse(bytes: &[u8], name: &str, report: &mut Report) -> anyhow::Result<Vec<Item>> {
    let cases: Vec<Value> =
        serde_json::from_slice(bytes).with_context(|| format!("{name} is not a JSON list of cases"))?;
    let mut items = Vec::new();
    for (i, raw) in cases.into_iter().enumerate() {
        report.read += 1;
        let label = raw.get("id").map_or_else(|| format!("case #{}", i + 1), |id| format!("{REGISTRY}:{}", plain(id)));
        let case: Case = match serde_json::from_value(raw) {
            Ok(c) => c,
            Err(e) => {
                report.skip(format!("{name} ({label})"), format!("not a case: {e}"));
                continue;
            }
        };
        let case = clean(case, report);
        match item(&case, report) {
            Ok(item) => items.push(item),
            Err(reason) => report.skip(label, reason),
        }
    }
    Ok(items)
}

/// The case with stray control characters removed from its text.
fn clean(mut case: Case, report: &mut Report) -> Case {
    for text in [&mut case.name, &mut case.description] {
        let (cleaned, changed) = banyan_domain::text::strip_controls(text);
        if changed {
            report.note("control characters removed from a case's text");
            *text = cleaned;
        }
    }
    case
}

/// A JSON scalar as text, without quotes.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn stage(status: &str) -> Option<&'static str> {
    Some(match status {
        "Planned" => "idea",
        "In development" => "development",
        "Pilot" => "pilot",
        "Implemented" | "In production" => "implemented",
        "Not in use anymore" => "discontinued",
        _ => return None,
    })
}

fn level(geoextent: &str) -> Option<&'static str> {
    Some(match geoextent {
        "Across Countries" => "international",
        "National" => "national",
        "Regional" => "state_province",
        "Local" => "municipal",
        _ => return None,
    })
}

fn item(case: &Case, report: &mut Report) -> Result<Item, String> {
    let key = plain(&case.id);
    let mut places: Vec<String> = Vec::new();
    for code in &case.geocoverage_codes {
        match CountryCode::parse(code) {
            Ok(c) => places.push(c.code().to_string()),
            Err(_) => report.note(format!("country code {code:?} is not ISO 3166-1")),
        }
    }
    if places.is_empty() {
        for name in &case.geocoverage {
            match country_by_name(name) {
                Some(c) => places.push(c.code().to_string()),
                None => report.note(format!("place {name:?} has no ISO 3166-1 code")),
            }
        }
    }
    let mut sectors = Vec::new();
    if let Some(division) = Cofog::by_name(&case.primary_sector).filter(Cofog::is_division) {
        sectors.push(division.code().to_string());
        // The secondary sector is a COFOG group or class label, typed by hand.
        if let Some(group) =
            Cofog::by_name(&case.secondary_sector).filter(|g| !g.is_division() && g.division() == division)
        {
            sectors.push(group.code().to_string());
        }
    } else if !case.primary_sector.trim().is_empty() {
        report.note(format!("sector {:?} is not a COFOG division", case.primary_sector));
    }
    let started_on = case.start_date.trim().get(..4).filter(|y| y.bytes().all(|b| b.is_ascii_digit()));
    let mut themes = Vec::new();
    for t in [&case.technology, &case.service_type] {
        if !t.trim().is_empty() {
            themes.push(t.trim().to_lowercase());
        }
    }
    let url = WebUrl::parse(&case.url).ok().map(|u| u.to_string());
    if url.is_none() && !case.url.trim().is_empty() {
        report.note(format!("address {:?} is not a web URL; left out", case.url));
    }
    let status = stage(&case.status);
    if status.is_none() && !case.status.is_empty() {
        report.note(format!("status {:?} has no stage", case.status));
    }
    let description = case.description.trim();
    let record = json!({
        "kind": "practice",
        "title": shorten(case.name.trim(), limits::TITLE),
        "summary": (!description.is_empty()).then(|| shorten(description, limits::SUMMARY)),
        "lang": "en",
        "sectors": sectors,
        "places": places,
        "level_of_government": level(&case.geoextent),
        "innovation_types": ["technology"],
        "themes": themes,
        "status": "published",
        "license": "EUPL-1.2",
        "source": {"registry": REGISTRY, "key": key, "url": url, "status": (!case.status.is_empty()).then_some(&case.status)},
        "details": {
            "solution": (!description.is_empty()).then_some(description),
            "stage": status,
            "started_on": started_on,
            "links": url.iter().collect::<Vec<_>>(),
        }
    });
    let mut item = Item::parse(&format!("{REGISTRY}:{key}"), &record)?;
    item.lead = case.lead_organisation.as_ref().and_then(|o| lead(o, &places, report));
    Ok(item)
}

fn lead(o: &LeadOrganisation, places: &[String], report: &mut Report) -> Option<OrganisationInput> {
    let name = o.name.trim();
    if name.is_empty() {
        return None;
    }
    let (org_type, level) = match o.category.as_str() {
        "Central-Government" => (OrgType::Government, Some("national")),
        "Regional Government" => (OrgType::Government, Some("state_province")),
        "Local Government" => (OrgType::Government, Some("municipal")),
        "Governmental" => (OrgType::Government, None),
        "Private sector" => (OrgType::Company, None),
        "Academic-Research" => (OrgType::Academic, None),
        "Non-governmental" | "Community led" => (OrgType::Ngo, None),
        _ => (OrgType::Other, None),
    };
    // The organisation's country is the case's, when the case is in one country; names like
    // "Ministry of Health" recur across countries.
    let country = match places {
        [one] => Some(one.clone()),
        _ => None,
    };
    let value = json!({"name": shorten(name, limits::TITLE), "type": org_type.code(), "level_of_government": level, "country": country});
    match OrganisationInput::from_json(&value) {
        Ok(org) => Some(org),
        Err(v) => {
            report.note(format!("organisation {name:?} left out: {v}"));
            None
        }
    }
}
