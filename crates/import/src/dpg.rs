//! The Digital Public Goods Alliance registry (`DPGAlliance/publicgoods-candidates`): every
//! product becomes a `solution`.
//!
//! Products are one JSON file each in `nominees/` and `archive/`; a product in both is one
//! record, and the `nominees/` copy wins. The registry's own status is kept as the source status:
//! `DPG`, `nominee`, or `archived` for products only in `archive/`. The screening answers in
//! `digitalpublicgoods/<same name>.json` add deployment and development countries, given as
//! English names. Contact names and e-mail addresses in the files are personal data and are not
//! imported.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;
use serde_json::{Value, json};

use banyan_domain::text::shorten;
use banyan_domain::{License, OrgType, OrganisationInput, PartnerRole, WebUrl, limits};

use crate::places::country_by_name;
use crate::{Item, Report};

pub const REGISTRY: &str = "dpg";
const REPOSITORY: &str = "https://github.com/DPGAlliance/publicgoods-candidates/blob/main";

#[derive(Deserialize)]
struct Product {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    license: Vec<ProductLicense>,
    #[serde(default, rename = "SDGs")]
    sdgs: Vec<ProductSdg>,
    #[serde(default)]
    sectors: Vec<String>,
    #[serde(default, rename = "type")]
    types: Vec<String>,
    #[serde(default)]
    repositories: Vec<Repository>,
    #[serde(default)]
    organizations: Vec<ProductOrganisation>,
    #[serde(default)]
    stage: String,
}

#[derive(Deserialize)]
struct ProductLicense {
    spdx: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProductSdg {
    #[serde(rename = "SDGNumber")]
    sdg_number: i64,
    #[serde(default, rename = "evidenceURL")]
    evidence_url: Option<String>,
}

#[derive(Deserialize)]
struct Repository {
    #[serde(default)]
    name: String,
    url: String,
}

/// Personal fields (`contact_name`, `contact_email`) are deliberately not read.
#[derive(Deserialize)]
struct ProductOrganisation {
    name: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    org_type: String,
}

#[derive(Deserialize, Default)]
struct Screening {
    #[serde(default)]
    locations: Locations,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Locations {
    #[serde(default)]
    deployment_countries: Vec<String>,
    #[serde(default)]
    development_countries: Vec<String>,
}

/// The registry's free-text sectors, mapped to COFOG where one fits. Others become themes.
const SECTORS: &[(&str, &[&str])] = &[
    ("health", &["07"]),
    ("education", &["09"]),
    ("climate", &["05"]),
    ("environment", &["05"]),
    ("sustainability", &["05"]),
    ("agriculture", &["04.2"]),
    ("water and sanitation", &["06.3", "05.2"]),
    ("sustainable cities", &["06"]),
    ("energy", &["04.3"]),
    ("social protection", &["10"]),
    ("humanitarian", &["10"]),
    ("nutrition", &["07"]),
    ("livelihoods", &["04.1"]),
    ("economics/finance", &["01.1"]),
    ("governance", &["01.1"]),
    ("democracy", &["01.1"]),
    ("research", &["01.4"]),
    ("gender and minority groups", &["10.7"]),
    ("media", &["08.3"]),
    ("fair & responsible media", &["08.3"]),
    ("resource management", &["05.4"]),
];

const PRODUCT_TYPES: &[(&str, &str)] = &[
    ("software", "software"),
    ("content", "content"),
    ("data", "data"),
    ("aimodel", "ai_model"),
    ("standard", "standard"),
];

/// Reads the registry folder. A file that cannot be read or is not a product is reported by
/// path and skipped; the rest still import.
pub fn read(dir: &Path, report: &mut Report) -> anyhow::Result<Vec<Item>> {
    let (nominees, archive) = (dir.join("nominees"), dir.join("archive"));
    if !nominees.is_dir() && !archive.is_dir() {
        bail!("{} is not a publicgoods-candidates folder: it has neither nominees/ nor archive/", dir.display());
    }
    // Product file name → (path, folder); nominees/ read last so that it wins.
    let mut products: BTreeMap<String, (PathBuf, &str)> = BTreeMap::new();
    for (folder, name) in [(&archive, "archive"), (&nominees, "nominees")] {
        if !folder.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(folder).with_context(|| format!("reading {}", folder.display()))? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "json") {
                let file = path.file_name().expect("a file").to_string_lossy().to_string();
                products.insert(file, (path, name));
            }
        }
    }
    let mut items = Vec::new();
    for (file, (path, folder)) in products {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                report.read += 1;
                report.skip(path.display().to_string(), format!("not a product file: {e}"));
                continue;
            }
        };
        let screening_path = dir.join("digitalpublicgoods").join(&file);
        let screening = std::fs::read(&screening_path).ok();
        let label = ProductFile {
            file: &file,
            path: &path.display().to_string(),
            screening_path: &screening_path.display().to_string(),
        };
        if let Some(item) = product(&label, folder, &bytes, screening.as_deref(), report) {
            items.push(item);
        }
    }
    Ok(items)
}

/// Where a product's bytes came from, for the report.
pub struct ProductFile<'a> {
    /// The file's name (`<key>.json`).
    pub file: &'a str,
    pub path: &'a str,
    pub screening_path: &'a str,
}

/// One product file of `folder` (`nominees` or `archive`), with its screening file if there is
/// one: the item to import, or `None` with the reason in the report.
pub fn product(
    label: &ProductFile<'_>,
    folder: &str,
    bytes: &[u8],
    screening: Option<&[u8]>,
    report: &mut Report,
) -> Option<Item> {
    report.read += 1;
    let mut product: Product = match serde_json::from_slice(bytes) {
        Ok(p) => p,
        Err(e) => {
            report.skip(label.path.to_string(), format!("not a product file: {e}"));
            return None;
        }
    };
    let screening: Screening = match screening.map(serde_json::from_slice) {
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            report.note(format!(
                "screening file {} could not be read ({e}); its countries are missing",
                label.screening_path
            ));
            Screening::default()
        }
        None => Screening::default(),
    };
    let key = label.file.trim_end_matches(".json").to_string();
    for text in [&mut product.name, &mut product.description] {
        let (cleaned, changed) = banyan_domain::text::strip_controls(text);
        if changed {
            report.note("control characters removed from a product's text");
            *text = cleaned;
        }
    }
    match item(&key, folder, &product, &screening, report) {
        Ok(item) => Some(item),
        Err(reason) => {
            report.skip(format!("{REGISTRY}:{key}"), reason);
            None
        }
    }
}

fn item(key: &str, folder: &str, p: &Product, screening: &Screening, report: &mut Report) -> Result<Item, String> {
    let status = match (folder, p.stage.as_str()) {
        ("archive", _) => "archived",
        (_, "DPG") => "DPG",
        _ => "nominee",
    };
    let mut sdgs = Vec::new();
    let mut references = Vec::new();
    for s in &p.sdgs {
        if (1..=17).contains(&s.sdg_number) {
            sdgs.push(s.sdg_number.to_string());
            if let Some(url) = s.evidence_url.as_deref().and_then(|u| WebUrl::parse(u).ok()) {
                references.push(json!({"url": url, "title": format!("Evidence for SDG {}", s.sdg_number)}));
            }
        } else {
            report.note(format!("SDG number {} is not a goal; left out", s.sdg_number));
        }
    }
    let mut sectors = Vec::new();
    let mut themes = Vec::new();
    for s in &p.sectors {
        let name = s.trim().to_lowercase();
        if name.is_empty() {
            continue;
        }
        match SECTORS.iter().find(|(n, _)| *n == name) {
            Some((_, codes)) => sectors.extend(codes.iter().map(|c| c.to_string())),
            None => {
                report.note(format!("sector {s:?} has no COFOG equivalent; kept as a theme"));
                themes.push(name);
            }
        }
    }
    let mut countries = |names: &[String]| -> Vec<String> {
        let mut codes = Vec::new();
        for n in names.iter().filter(|n| !n.trim().is_empty()) {
            match country_by_name(n) {
                Some(c) => codes.push(c.code().to_string()),
                None => report.note(format!("country name {n:?} has no ISO 3166-1 code")),
            }
        }
        codes
    };
    let deployments = countries(&screening.locations.deployment_countries);
    let developed_in = countries(&screening.locations.development_countries);
    let mut places = deployments.clone();
    places.extend(developed_in.iter().cloned());

    let licences: Vec<String> = p
        .license
        .iter()
        .filter_map(|l| match License::parse(&l.spdx) {
            Ok(l) => Some(l.to_string()),
            Err(_) => {
                report.note(format!("licence {:?} is not an SPDX identifier; left out", l.spdx));
                None
            }
        })
        .fold(Vec::new(), |mut acc, l| {
            if !acc.contains(&l) {
                acc.push(l);
            }
            acc
        });
    // Several licences cover different parts of one product (code, content), so all apply.
    let open_source_license = (!licences.is_empty()).then(|| licences.join(" AND "));
    let website = web_url(&p.website, report);
    let repositories: Vec<Value> = p
        .repositories
        .iter()
        .filter_map(|r| web_url(&r.url, report).map(|url| json!({"url": url, "title": non_empty(&r.name)})))
        .collect();
    let product_types: Vec<&str> =
        p.types.iter().filter_map(|t| PRODUCT_TYPES.iter().find(|(k, _)| *k == t.as_str()).map(|(_, v)| *v)).collect();

    let record = json!({
        "kind": "solution",
        "title": shorten(p.name.trim(), limits::TITLE),
        "summary": non_empty(&shorten(p.description.trim(), limits::SUMMARY)),
        "lang": "en",
        "sdgs": sdgs,
        "sectors": sectors,
        "places": places,
        "innovation_types": ["technology"],
        "themes": themes,
        "status": "published",
        "license": "Unlicense",
        "source": {"registry": REGISTRY, "key": key, "url": format!("{REPOSITORY}/{folder}/{key}.json"), "status": status},
        "details": {
            "what_it_does": non_empty(p.description.trim()),
            "deployments": deployments,
            "developed_in": developed_in,
            "pricing_model": "open_source",
            "open_source_license": open_source_license,
            "website": website,
            "repositories": repositories,
            "references": references,
            "product_types": product_types,
        }
    });
    let mut item = Item::parse(&format!("{REGISTRY}:{key}"), &record)?;
    for o in &p.organizations {
        let Some(org) = organisation(o, report) else { continue };
        let role = match o.org_type.as_str() {
            "owner" => PartnerRole::Owner,
            "funder" => PartnerRole::Funder,
            "maintainer" => PartnerRole::Maintainer,
            "implementer" => PartnerRole::Implementer,
            _ => PartnerRole::Partner,
        };
        if role == PartnerRole::Owner && item.lead.is_none() {
            item.lead = Some(org.clone());
        }
        item.partners.push((org, role));
    }
    Ok(item)
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.trim().is_empty()).then_some(s)
}

fn web_url(raw: &str, report: &mut Report) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match WebUrl::parse(raw) {
        Ok(u) => Some(u.to_string()),
        Err(_) => {
            report.note(format!("address {raw:?} is not a web URL; left out"));
            None
        }
    }
}

/// The registry gives no organisation types. The few that names make plain are set; the rest are
/// `other`, for curators to refine.
fn guess_type(name: &str) -> OrgType {
    let n = name.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
    if has(&["university", "universidad", "université", "college", "institute of technology", "school of"]) {
        OrgType::Academic
    } else if has(&[
        "unicef",
        "undp",
        "unesco",
        "unhcr",
        "unfpa",
        "united nations",
        "world health organization",
        "world bank",
        "world food programme",
    ]) {
        OrgType::International
    } else if has(&["ministry of", "government of", "department of"]) {
        OrgType::Government
    } else if has(&["foundation", "non-profit", "nonprofit", "ngo", "charity"]) {
        OrgType::Ngo
    } else {
        OrgType::Other
    }
}

fn organisation(o: &ProductOrganisation, report: &mut Report) -> Option<OrganisationInput> {
    let name = o.name.trim();
    if name.is_empty() {
        return None;
    }
    let value = json!({
        "name": shorten(name, limits::TITLE),
        "type": guess_type(name).code(),
        "website": web_url(&o.website, report),
    });
    match OrganisationInput::from_json(&value) {
        Ok(org) => Some(org),
        Err(v) => {
            report.note(format!("organisation {name:?} left out: {v}"));
            None
        }
    }
}
