//! The OAI-PMH 2.0 provider: this node's published records for other repositories to harvest.
//!
//! Only records this node wrote and once published are served. A record that is no longer
//! public (withdrawn, archived, hidden, merged or deleted) is served as a deleted header, and
//! kept so (`deletedRecord` is `persistent`): harvesters learn it is gone. Records harvested
//! from peers are never served, so nobody receives another node's record as this node's.
//! Personal data (a practice's contact, who owns a record) is never in the output.
//!
//! Formats: `oai_dc` (Dublin Core) and `banyan` (the whole public record, described by the
//! schema at `/oai/banyan.xsd`). Sets: `kind:<kind>`, `country:<ISO 3166-1>`, `sdg:<goal>` and
//! `sector:<COFOG division>`. Lists are paged by stateless resumption tokens.

pub mod request;

use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use banyan_domain::{Cofog, CountryCode, Kind, Record, RecordId, Sdg};
use banyan_store::{Changed, ChangedQuery, RecordState, Store};

use crate::xml::Xml;
pub use request::{List, Request, Selection, Stamp};

/// The namespace of the `banyan` metadata format, and its schema.
pub const BANYAN_NS: &str = "urn:banyan:record:1";
pub const BANYAN_XSD: &str = include_str!("../../schema/banyan.xsd");

/// Records (or headers) per page of a list.
pub const PAGE: u32 = 100;

/// A metadata format this repository disseminates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    #[serde(rename = "oai_dc")]
    OaiDc,
    #[serde(rename = "banyan")]
    Banyan,
}

impl Format {
    pub const ALL: [Format; 2] = [Format::OaiDc, Format::Banyan];
    pub fn prefix(self) -> &'static str {
        match self {
            Format::OaiDc => "oai_dc",
            Format::Banyan => "banyan",
        }
    }
    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.prefix() == s)
    }
}

/// A set: records of a kind, about a country, for an SDG, or in a COFOG division.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Set {
    Kind(Kind),
    Country(CountryCode),
    Sdg(Sdg),
    Sector(Cofog),
}

impl Set {
    pub fn parse(s: &str) -> Option<Set> {
        let (group, code) = s.split_once(':')?;
        match group {
            "kind" => Kind::parse(code).ok().map(Set::Kind),
            "country" => CountryCode::parse(code).ok().filter(|c| c.code() == code).map(Set::Country),
            "sdg" => Sdg::parse(code).ok().filter(|g| !g.is_target()).map(Set::Sdg),
            "sector" => Cofog::parse(code).ok().filter(|c| c.is_division()).map(Set::Sector),
            _ => None,
        }
    }
    pub fn spec(&self) -> String {
        match self {
            Set::Kind(k) => format!("kind:{}", k.code()),
            Set::Country(c) => format!("country:{}", c.code()),
            Set::Sdg(g) => format!("sdg:{}", g.code()),
            Set::Sector(s) => format!("sector:{}", s.code()),
        }
    }
    fn name(&self) -> String {
        match self {
            Set::Kind(k) => format!("Records of kind {}", k.label()),
            Set::Country(c) => format!("Records about {}", c.name()),
            Set::Sdg(g) => format!("SDG {}: {}", g.code(), g.short()),
            Set::Sector(s) => format!("COFOG {}: {}", s.code(), s.name()),
        }
    }
    /// Every set: the kinds, the SDGs, the COFOG divisions and the countries.
    pub fn all() -> Vec<Set> {
        let mut out: Vec<Set> = Kind::ALL.iter().map(|k| Set::Kind(*k)).collect();
        out.extend(Sdg::all_goals().map(Set::Sdg));
        out.extend(
            banyan_domain::vocab::generated::cofog::COFOG
                .iter()
                .filter_map(|c| Cofog::parse(c.code).ok().filter(|c| c.is_division()).map(Set::Sector)),
        );
        out.extend(CountryCode::all().map(Set::Country));
        out
    }
    /// The sets a record is in.
    fn of(record: &Record) -> Vec<Set> {
        let c = &record.content;
        let mut out = vec![Set::Kind(record.kind())];
        let mut goals: Vec<Sdg> = c.sdgs.iter().map(|s| s.goal()).collect();
        goals.sort();
        goals.dedup();
        out.extend(goals.into_iter().map(Set::Sdg));
        let mut divisions: Vec<Cofog> = c.sectors.iter().map(|s| s.division()).collect();
        divisions.sort();
        divisions.dedup();
        out.extend(divisions.into_iter().map(Set::Sector));
        let mut countries: Vec<CountryCode> = c.places.iter().map(|p| p.country()).collect();
        if let banyan_domain::Details::Solution(s) = &c.details {
            countries.extend(s.deployments.iter().map(|p| p.country()));
        }
        countries.sort();
        countries.dedup();
        out.extend(countries.into_iter().map(Set::Country));
        out
    }
    fn query(&self, q: &mut ChangedQuery) {
        match self {
            Set::Kind(k) => q.kind = Some(*k),
            Set::Country(c) => q.term = Some(("country".into(), c.code().into())),
            Set::Sdg(g) => q.term = Some(("sdg".into(), g.code().into())),
            Set::Sector(s) => q.term = Some(("sector".into(), s.code().into())),
        }
    }
}

/// An OAI-PMH error, by the protocol's code.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OaiError {
    #[error("{0}")]
    BadArgument(String),
    #[error("{0}")]
    BadResumptionToken(String),
    #[error("{0}")]
    BadVerb(String),
    #[error("{0}")]
    CannotDisseminateFormat(String),
    #[error("{0}")]
    IdDoesNotExist(String),
    #[error("{0}")]
    NoRecordsMatch(String),
    #[error("{0}")]
    NoSetHierarchy(String),
}

impl OaiError {
    pub fn code(&self) -> &'static str {
        match self {
            OaiError::BadArgument(_) => "badArgument",
            OaiError::BadResumptionToken(_) => "badResumptionToken",
            OaiError::BadVerb(_) => "badVerb",
            OaiError::CannotDisseminateFormat(_) => "cannotDisseminateFormat",
            OaiError::IdDoesNotExist(_) => "idDoesNotExist",
            OaiError::NoRecordsMatch(_) => "noRecordsMatch",
            OaiError::NoSetHierarchy(_) => "noSetHierarchy",
        }
    }
}

/// What a resumption token carries: the selection and where the last page ended. Tokens are
/// stateless (nothing is kept on the server), so they survive restarts.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Token {
    /// `ListSets` continues at this set index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sets: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    p: Option<Format>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    f: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    u: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    s: Option<String>,
    /// The change time and id of the last item sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at: Option<(DateTime<Utc>, RecordId)>,
    /// Items sent before the next page.
    n: u64,
}

impl Token {
    fn encode(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("tokens serialise"))
    }
    fn decode(s: &str) -> Result<Token, OaiError> {
        let bad = || OaiError::BadResumptionToken(format!("{s:?} is not a resumption token of this repository"));
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
        serde_json::from_slice(&bytes).map_err(|_| bad())
    }
}

/// Whether `s` is a resumption token this repository could have issued (for the fuzz tests:
/// any string must be read or refused, never crash the provider).
#[doc(hidden)]
pub fn check_resumption_token(s: &str) -> Result<(), OaiError> {
    Token::decode(s).map(|_| ())
}

/// Who this repository is.
#[derive(Debug, Clone)]
pub struct Repository {
    pub name: String,
    /// The public base URL of the node (`https://bd.banyan.example`); the base URL of the
    /// provider is this with `/oai`.
    pub base_url: String,
    pub admin_email: String,
}

impl Repository {
    /// The repository identifier in `oai:<host>:<uuid>` identifiers: the node's host name.
    pub fn host(&self) -> String {
        url::Url::parse(&self.base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "localhost".into())
    }
    pub fn identifier(&self, id: RecordId) -> String {
        format!("oai:{}:{id}", self.host())
    }
    fn record_id(&self, identifier: &str) -> Option<RecordId> {
        let rest = identifier.strip_prefix("oai:")?;
        let (host, id) = rest.rsplit_once(':')?;
        (host == self.host()).then(|| RecordId::parse(id).ok()).flatten()
    }
    /// The admin's address as the protocol requires it (a domain with a dot): an address at a
    /// bare host such as `localhost` gets `.invalid` added, which says plainly that it is no
    /// address to write to; set `mail_from` for a real one.
    pub fn contact(&self) -> String {
        let (local, domain) = self.admin_email.rsplit_once('@').unwrap_or(("banyan", "localhost"));
        let local = if local.trim().is_empty() { "banyan" } else { local.trim() };
        let domain = domain.trim();
        if domain.contains('.') && !domain.ends_with('.') && !domain.contains(char::is_whitespace) {
            format!("{local}@{domain}")
        } else {
            format!("{local}@{}.invalid", if domain.is_empty() { "localhost" } else { domain })
        }
    }
    fn endpoint(&self) -> String {
        format!("{}/oai", self.base_url.trim_end_matches('/'))
    }
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Answers one request. The XML is always a complete OAI-PMH response: errors included.
pub async fn respond(
    store: &dyn Store,
    repo: &Repository,
    args: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<String, banyan_store::StoreError> {
    let parsed = Request::parse(args);
    let mut x = Xml::new();
    x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.open(
        "OAI-PMH",
        &[
            ("xmlns", "http://www.openarchives.org/OAI/2.0/"),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            (
                "xsi:schemaLocation",
                "http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd",
            ),
        ],
    );
    x.text_element("responseDate", &[], &stamp(now));
    // The request element echoes the arguments, except after badVerb or badArgument.
    let echo: Vec<(&str, &str)> = match &parsed {
        Err(OaiError::BadVerb(_) | OaiError::BadArgument(_)) => vec![],
        _ => args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
    };
    x.text_element("request", &echo, &repo.endpoint());
    let body = match parsed {
        Ok(req) => answer(store, repo, &req).await?,
        Err(e) => Err(e),
    };
    match body {
        Ok(inner) => x.raw(&inner.finish()),
        Err(e) => x.text_element("error", &[("code", e.code())], &e.to_string()),
    }
    x.close("OAI-PMH");
    Ok(x.finish())
}

/// Whether `host` is a repository identifier of the oai-identifier scheme.
fn is_domain_name(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            l.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

fn identifier_description(x: &mut Xml, repo: &Repository) {
    x.open("description", &[]);
    x.open(
                "oai-identifier",
                &[
                    ("xmlns", "http://www.openarchives.org/OAI/2.0/oai-identifier"),
                    (
                        "xsi:schemaLocation",
                        "http://www.openarchives.org/OAI/2.0/oai-identifier http://www.openarchives.org/OAI/2.0/oai-identifier.xsd",
                    ),
                ],
            );
    x.text_element("scheme", &[], "oai");
    x.text_element("repositoryIdentifier", &[], &repo.host());
    x.text_element("delimiter", &[], ":");
    x.text_element("sampleIdentifier", &[], &repo.identifier(RecordId(uuid::Uuid::nil())));
    x.close("oai-identifier");
    x.close("description");
}

/// The body of the answer to a well-formed request, or the protocol error it deserves.
async fn answer(
    store: &dyn Store,
    repo: &Repository,
    req: &Request,
) -> Result<Result<Xml, OaiError>, banyan_store::StoreError> {
    let mut x = Xml::new();
    match req {
        Request::Identify => {
            let earliest = store.earliest_change().await?.unwrap_or(DateTime::UNIX_EPOCH);
            x.open("Identify", &[]);
            x.text_element("repositoryName", &[], &repo.name);
            x.text_element("baseURL", &[], &repo.endpoint());
            x.text_element("protocolVersion", &[], "2.0");
            x.text_element("adminEmail", &[], &repo.contact());
            x.text_element("earliestDatestamp", &[], &stamp(earliest));
            x.text_element("deletedRecord", &[], "persistent");
            x.text_element("granularity", &[], "YYYY-MM-DDThh:mm:ssZ");
            // The oai-identifier description only for a host the scheme allows (a domain
            // name, not an IP address or `localhost`).
            if is_domain_name(&repo.host()) {
                identifier_description(&mut x, repo);
            }
            x.close("Identify");
        }
        Request::ListMetadataFormats { identifier } => {
            if let Some(i) = identifier
                && lookup(store, repo, i).await?.is_none()
            {
                return Ok(Err(OaiError::IdDoesNotExist(format!("{i:?} is not an identifier of this repository"))));
            }
            x.open("ListMetadataFormats", &[]);
            for (prefix, schema, ns) in [
                (
                    "oai_dc",
                    "http://www.openarchives.org/OAI/2.0/oai_dc.xsd".to_string(),
                    "http://www.openarchives.org/OAI/2.0/oai_dc/",
                ),
                ("banyan", format!("{}/banyan.xsd", repo.endpoint()), BANYAN_NS),
            ] {
                x.open("metadataFormat", &[]);
                x.text_element("metadataPrefix", &[], prefix);
                x.text_element("schema", &[], &schema);
                x.text_element("metadataNamespace", &[], ns);
                x.close("metadataFormat");
            }
            x.close("ListMetadataFormats");
        }
        Request::ListSets { token } => {
            let start = match token {
                Some(t) => match Token::decode(t).map(|t| t.sets) {
                    Err(e) => return Ok(Err(e)),
                    Ok(Some(n)) => n,
                    Ok(None) => return Ok(Err(OaiError::BadResumptionToken("this token is not from ListSets".into()))),
                },
                None => 0,
            };
            let all = Set::all();
            if start >= all.len() {
                return Ok(Err(OaiError::BadResumptionToken("this token is past the end of the sets".into())));
            }
            let end = (start + PAGE as usize).min(all.len());
            x.open("ListSets", &[]);
            for set in &all[start..end] {
                x.open("set", &[]);
                x.text_element("setSpec", &[], &set.spec());
                x.text_element("setName", &[], &set.name());
                x.close("set");
            }
            if token.is_some() || end < all.len() {
                let next =
                    (end < all.len()).then(|| Token { sets: Some(end), n: end as u64, ..empty_token() }.encode());
                let size = all.len().to_string();
                let cursor = start.to_string();
                x.text_element(
                    "resumptionToken",
                    &[("completeListSize", &size), ("cursor", &cursor)],
                    next.as_deref().unwrap_or(""),
                );
            }
            x.close("ListSets");
        }
        Request::GetRecord { identifier, format } => {
            let Some(changed) = lookup(store, repo, identifier).await? else {
                return Ok(Err(OaiError::IdDoesNotExist(format!(
                    "{identifier:?} is not an identifier of this repository"
                ))));
            };
            x.open("GetRecord", &[]);
            item(&mut x, repo, &changed, Some(*format));
            x.close("GetRecord");
        }
        Request::ListIdentifiers(list) | Request::ListRecords(list) => {
            let records = matches!(req, Request::ListRecords(_));
            let token = match list {
                List::New(s) => Token {
                    sets: None,
                    p: Some(s.format),
                    f: s.from.map(|f| f.at),
                    u: s.until.map(|u| u.end()),
                    s: s.set.map(|s| s.spec()),
                    at: None,
                    n: 0,
                },
                List::Resume(t) => match Token::decode(t) {
                    Ok(t) if t.p.is_some() && t.sets.is_none() => t,
                    Ok(_) => {
                        return Ok(Err(OaiError::BadResumptionToken(
                            "this token is not from a list of records".into(),
                        )));
                    }
                    Err(e) => return Ok(Err(e)),
                },
            };
            let format = token.p.unwrap_or(Format::OaiDc);
            let mut q =
                ChangedQuery { from: token.f, until: token.u, after: token.at, limit: PAGE, ..Default::default() };
            if let Some(spec) = &token.s {
                match Set::parse(spec) {
                    Some(set) => set.query(&mut q),
                    None => {
                        return Ok(Err(OaiError::BadResumptionToken(
                            "the token names no set of this repository".into(),
                        )));
                    }
                }
            }
            let (page, total) = store.changed_records(&q).await?;
            if page.is_empty() {
                return Ok(Err(if token.n == 0 {
                    OaiError::NoRecordsMatch("no records match these arguments".into())
                } else {
                    OaiError::BadResumptionToken("the list this token continued has ended".into())
                }));
            }
            let verb = if records { "ListRecords" } else { "ListIdentifiers" };
            x.open(verb, &[]);
            for changed in &page {
                if records {
                    item(&mut x, repo, changed, Some(format));
                } else {
                    header(&mut x, repo, changed);
                }
            }
            // `total` is the size of the whole list as it stands; another page follows when this
            // one is full and the list holds more.
            let sent = token.n + page.len() as u64;
            let more = page.len() == PAGE as usize && sent < total;
            if more || token.n > 0 {
                let next = more.then(|| {
                    let last = page.last().expect("a page");
                    Token { at: Some((last.changed_at, state_id(&last.state))), n: sent, ..token.clone() }.encode()
                });
                let (size, cursor) = (total.to_string(), token.n.to_string());
                x.text_element(
                    "resumptionToken",
                    &[("completeListSize", &size), ("cursor", &cursor)],
                    next.as_deref().unwrap_or(""),
                );
            }
            x.close(verb);
        }
    }
    Ok(Ok(x))
}

fn empty_token() -> Token {
    Token { sets: None, p: None, f: None, u: None, s: None, at: None, n: 0 }
}

fn state_id(s: &RecordState) -> RecordId {
    match s {
        RecordState::Live(r) => r.id,
        RecordState::Deleted(t) => t.id,
    }
}

/// The record behind an identifier, if this repository serves it (it was published here).
async fn lookup(
    store: &dyn Store,
    repo: &Repository,
    identifier: &str,
) -> Result<Option<Changed>, banyan_store::StoreError> {
    let Some(id) = repo.record_id(identifier) else { return Ok(None) };
    let q = ChangedQuery { id: Some(id), limit: 1, ..Default::default() };
    Ok(store.changed_records(&q).await?.0.pop())
}

/// The header of an item: its identifier, when it last changed, its sets; `deleted` when the
/// record is no longer public.
fn header(x: &mut Xml, repo: &Repository, changed: &Changed) {
    let public = match &changed.state {
        RecordState::Live(r) => Some(r).filter(|r| r.is_public()),
        RecordState::Deleted(_) => None,
    };
    let attrs: &[(&str, &str)] = if public.is_some() { &[] } else { &[("status", "deleted")] };
    x.open("header", attrs);
    x.text_element("identifier", &[], &repo.identifier(state_id(&changed.state)));
    x.text_element("datestamp", &[], &stamp(changed.changed_at));
    if let Some(r) = public {
        for set in Set::of(r) {
            x.text_element("setSpec", &[], &set.spec());
        }
    }
    x.close("header");
}

/// A whole item: the header and, for a public record, its metadata in `format`.
fn item(x: &mut Xml, repo: &Repository, changed: &Changed, format: Option<Format>) {
    x.open("record", &[]);
    header(x, repo, changed);
    if let (RecordState::Live(r), Some(format)) = (&changed.state, format)
        && r.is_public()
    {
        x.open("metadata", &[]);
        match format {
            Format::OaiDc => oai_dc(x, repo, r),
            Format::Banyan => banyan(x, repo, r),
        }
        x.close("metadata");
    }
    x.close("record");
}

fn oai_dc(x: &mut Xml, repo: &Repository, r: &Record) {
    let c = &r.content;
    let lang = c.lang.as_str();
    x.open(
        "oai_dc:dc",
        &[
            ("xmlns:oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc/"),
            ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
            (
                "xsi:schemaLocation",
                "http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
            ),
        ],
    );
    x.text_element("dc:title", &[("xml:lang", lang)], &c.title);
    for (tag, tr) in &c.translations {
        if let Some(t) = &tr.title {
            x.text_element("dc:title", &[("xml:lang", tag.as_str())], t);
        }
    }
    if let Some(s) = &c.summary {
        x.text_element("dc:description", &[("xml:lang", lang)], s);
    }
    for name in banyan_domain::Details::text_fields(c.details.kind()) {
        if let Some(t) = c.details.text(name) {
            x.text_element("dc:description", &[("xml:lang", lang)], t);
        }
    }
    for s in &c.sdgs {
        x.text_element("dc:subject", &[], &format!("SDG {}: {}", s.code(), s.short()));
    }
    for s in &c.sectors {
        x.text_element("dc:subject", &[], &format!("COFOG {}: {}", s.code(), s.name()));
    }
    for t in &c.themes {
        x.text_element("dc:subject", &[], t.as_str());
    }
    for p in &c.places {
        x.text_element("dc:coverage", &[], &format!("{} ({})", p.name(), p.code()));
    }
    x.text_element("dc:type", &[], r.kind().label());
    x.text_element("dc:identifier", &[], &r.uri);
    x.text_element("dc:language", &[], lang);
    x.text_element("dc:publisher", &[], &repo.name);
    if let Some(p) = r.published_at {
        x.text_element("dc:date", &[], &p.date_naive().to_string());
    }
    x.text_element("dc:rights", &[], c.license.as_str());
    x.close("oai_dc:dc");
}

fn banyan(x: &mut Xml, repo: &Repository, r: &Record) {
    let public = r.without_personal_data();
    let c = &public.content;
    let schema = format!("{BANYAN_NS} {}/banyan.xsd", repo.endpoint());
    x.open("banyan:record", &[("xmlns:banyan", BANYAN_NS), ("xsi:schemaLocation", &schema)]);
    x.text_element("banyan:id", &[], &public.id.to_string());
    x.text_element("banyan:uri", &[], &public.uri);
    x.text_element("banyan:kind", &[], public.kind().code());
    x.text_element("banyan:version", &[], &public.version.to_string());
    x.text_element("banyan:title", &[("xml:lang", c.lang.as_str())], &c.title);
    if let Some(s) = &c.summary {
        x.text_element("banyan:summary", &[("xml:lang", c.lang.as_str())], s);
    }
    x.text_element("banyan:lang", &[], c.lang.as_str());
    for s in &c.sdgs {
        x.text_element("banyan:sdg", &[], s.code());
    }
    for s in &c.sectors {
        x.text_element("banyan:sector", &[], s.code());
    }
    for p in &c.places {
        x.text_element("banyan:place", &[], p.code());
    }
    x.text_element("banyan:license", &[], c.license.as_str());
    if let Some(p) = public.published_at {
        x.text_element("banyan:published", &[], &stamp(p));
    }
    x.text_element("banyan:updated", &[], &stamp(public.updated_at));
    x.text_element("banyan:json", &[], &public.to_json().to_string());
    x.close("banyan:record");
}
