//! The harvester: brings the published records of registered peers here over OAI-PMH.
//!
//! A harvest asks a peer's `/oai` for `ListRecords` in the `banyan` format, from the response
//! date of its last complete harvest, and follows resumption tokens. Each record is written
//! through the store's normal write path as a read-only copy: its origin is the peer, its URI
//! the origin's. A record already here under the same URI (harvested from another peer, say)
//! is updated, not stored twice; a deleted header removes the copy. A record that cannot be
//! read is reported and skipped, and the harvest goes on; each record is one transaction, so
//! nothing is half-written.
//!
//! Defences: only registered peers are asked; every request has a time limit; responses are
//! read up to a size limit; redirects are followed only within the peer's host; a resumption
//! token seen twice ends the harvest (a loop). A harvest that fails part-way keeps what it
//! wrote but does not move the next harvest's `from`, so nothing is skipped.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use quick_xml::events::Event;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use banyan_domain::record::{InputMode, READ_ONLY_FIELDS};
use banyan_domain::{Origin, RecordId, RecordInput};
use banyan_store::{Actor, NewRecord, Peer, RecordState, Store, StoreError};

/// Limits of one harvest.
#[derive(Debug, Clone)]
pub struct Options {
    /// The longest one request may take, connection included.
    pub timeout: Duration,
    /// The largest response read.
    pub max_bytes: usize,
    /// The most pages followed.
    pub max_pages: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { timeout: Duration::from_secs(60), max_bytes: 32 * 1024 * 1024, max_pages: 10_000 }
    }
}

/// A record that could not be harvested, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub identifier: String,
    pub message: String,
}

/// What a harvest did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub peer: String,
    pub pages: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub deleted: usize,
    pub problems: Vec<Problem>,
    /// Why the harvest stopped before the end, if it did.
    pub failed: Option<String>,
}

impl Report {
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{}: {} new, {} updated, {} unchanged, {} removed, {} not readable, in {} page(s)",
            self.peer,
            self.created,
            self.updated,
            self.unchanged,
            self.deleted,
            self.problems.len(),
            self.pages
        );
        if let Some(f) = &self.failed {
            s.push_str(&format!("; stopped: {f}"));
        }
        s
    }
}

/// The HTTP client harvests use: time limits, and redirects only within one host.
pub fn client(options: &Options) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(options.timeout)
        .connect_timeout(options.timeout.min(Duration::from_secs(10)))
        .redirect(reqwest::redirect::Policy::custom(|attempt| {
            let same = attempt.previous().first().map(|u| u.host_str() == attempt.url().host_str()).unwrap_or(false);
            if attempt.previous().len() > 5 || !same { attempt.stop() } else { attempt.follow() }
        }))
        .user_agent(concat!("Banyan/", env!("CARGO_PKG_VERSION"), " (OAI-PMH harvester)"))
        .build()
        .expect("the HTTP client builds")
}

/// A page of ListRecords, as read.
#[derive(Debug, Default)]
struct Page {
    response_date: Option<DateTime<Utc>>,
    error: Option<(String, String)>,
    items: Vec<Item>,
    token: Option<String>,
}

#[derive(Debug, Default)]
struct Item {
    identifier: String,
    deleted: bool,
    json: Option<String>,
}

/// Reads a ListRecords response. Malformed XML is an error for the page.
fn parse(body: &[u8]) -> Result<Page, String> {
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut page = Page::default();
    let mut path: Vec<String> = Vec::new();
    let mut item: Option<Item> = None;
    let mut text = String::new();
    let mut error_code = None;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Err(e) => return Err(format!("malformed XML at byte {}: {e}", reader.buffer_position())),
            Ok(Event::Eof) => {
                if let Some(open) = path.last() {
                    return Err(format!("malformed XML: the response ends inside <{open}>"));
                }
                break;
            }
            Ok(Event::Start(e)) => {
                let name = e.local_name().as_ref().to_string();
                match name.as_str() {
                    "record" if path.last().map(String::as_str) != Some("metadata") => item = Some(Item::default()),
                    "header" => {
                        if let Some(i) = item.as_mut() {
                            i.deleted = e
                                .attributes()
                                .flatten()
                                .any(|a| a.key.local_name().as_ref() == "status" && a.value.as_ref() == "deleted");
                        }
                    }
                    "error" => {
                        error_code = e
                            .attributes()
                            .flatten()
                            .find(|a| a.key.local_name().as_ref() == "code")
                            .map(|a| a.value.to_string());
                    }
                    _ => {}
                }
                path.push(name);
                text.clear();
            }
            Ok(Event::Empty(e)) => {
                let name = e.local_name().as_ref().to_string();
                if name == "header"
                    && let Some(i) = item.as_mut()
                {
                    i.deleted = true;
                }
                if name == "resumptionToken" {
                    page.token = Some(String::new());
                }
            }
            Ok(Event::Text(t)) => {
                text.push_str(&t.into_inner());
            }
            Ok(Event::GeneralRef(r)) => {
                let name = r.as_ref().to_string();
                let ch = match name.as_str() {
                    "lt" => "<".to_string(),
                    "gt" => ">".to_string(),
                    "amp" => "&".to_string(),
                    "quot" => "\"".to_string(),
                    "apos" => "'".to_string(),
                    other => {
                        let code = other
                            .strip_prefix("#x")
                            .and_then(|h| u32::from_str_radix(h, 16).ok())
                            .or_else(|| other.strip_prefix('#').and_then(|d| d.parse().ok()))
                            .and_then(char::from_u32)
                            .ok_or_else(|| format!("unknown entity &{other};"))?;
                        code.to_string()
                    }
                };
                text.push_str(&ch);
            }
            Ok(Event::CData(t)) => text.push_str(&t.into_inner()),
            Ok(Event::End(e)) => {
                let name = e.local_name().as_ref().to_string();
                match name.as_str() {
                    "responseDate" => {
                        page.response_date =
                            DateTime::parse_from_rfc3339(text.trim()).ok().map(|d| d.with_timezone(&Utc));
                    }
                    "identifier" if path.iter().rev().nth(1).map(String::as_str) == Some("header") => {
                        if let Some(i) = item.as_mut() {
                            i.identifier = text.trim().to_string();
                        }
                    }
                    "json" => {
                        if let Some(i) = item.as_mut() {
                            i.json = Some(text.clone());
                        }
                    }
                    "record" if path.iter().rev().nth(1).map(String::as_str) != Some("metadata") => {
                        if let Some(i) = item.take() {
                            page.items.push(i);
                        }
                    }
                    "resumptionToken" => page.token = Some(text.trim().to_string()),
                    "error" => page.error = Some((error_code.take().unwrap_or_default(), text.trim().to_string())),
                    _ => {}
                }
                path.pop();
                text.clear();
            }
            Ok(_) => {}
        }
        buf.clear();
    }
    if page.response_date.is_none() && page.error.is_none() {
        return Err("not an OAI-PMH response (no responseDate)".into());
    }
    Ok(page)
}

/// Reads a response body up to `max` bytes.
async fn read_limited(mut resp: reqwest::Response, max: usize) -> Result<Vec<u8>, String> {
    if resp.content_length().is_some_and(|n| n as usize > max) {
        return Err(format!("the response is larger than {max} bytes"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| format!("reading the response: {e}"))? {
        if body.len() + chunk.len() > max {
            return Err(format!("the response is larger than {max} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Harvests one registered peer and records the outcome on it.
pub async fn harvest(
    store: &dyn Store,
    peer: &Peer,
    http: &reqwest::Client,
    options: &Options,
) -> Result<Report, StoreError> {
    let mut report = Report { peer: peer.base_url.clone(), ..Default::default() };
    let endpoint = format!("{}/oai", peer.base_url.trim_end_matches('/'));
    let origin = Origin::parse(&peer.base_url).map_err(|e| {
        StoreError::Invalid(banyan_domain::Violations::one(
            &banyan_domain::validate::Path::root().key("base_url"),
            "invalid_value",
            e.message,
        ))
    })?;
    let actor = Actor::system("harvest");
    let mut query: Vec<(String, String)> =
        vec![("verb".into(), "ListRecords".into()), ("metadataPrefix".into(), "banyan".into())];
    if let Some(from) = peer.harvested_until {
        query.push(("from".into(), stamp(from)));
    }
    let mut seen_tokens = HashSet::new();
    let mut first_date = None;
    let outcome: Result<(), String> = async {
        loop {
            if report.pages >= options.max_pages {
                return Err(format!("more than {} pages", options.max_pages));
            }
            let resp = http.get(&endpoint).query(&query).send().await.map_err(|e| describe(&e))?;
            if resp.status().is_redirection() {
                return Err(format!("{} redirects elsewhere, which is not followed", endpoint));
            }
            if !resp.status().is_success() {
                return Err(format!("{endpoint} answered {}", resp.status()));
            }
            let body = read_limited(resp, options.max_bytes).await?;
            let page = parse(&body)?;
            report.pages += 1;
            first_date = first_date.or(page.response_date);
            if let Some((code, message)) = page.error {
                if code == "noRecordsMatch" {
                    return Ok(());
                }
                return Err(format!("the peer answered {code}: {message}"));
            }
            for item in page.items {
                if let Err(message) = apply(store, &origin, &item, &actor, &mut report).await {
                    report.problems.push(Problem { identifier: item.identifier.clone(), message });
                }
            }
            match page.token.filter(|t| !t.is_empty()) {
                None => return Ok(()),
                Some(t) => {
                    if !seen_tokens.insert(t.clone()) {
                        return Err("the peer sent the same resumption token twice (a loop)".into());
                    }
                    query = vec![("verb".into(), "ListRecords".into()), ("resumptionToken".into(), t)];
                }
            }
        }
    }
    .await;
    let until = match outcome {
        Ok(()) => first_date,
        Err(e) => {
            report.failed = Some(e);
            None
        }
    };
    store.finish_harvest(peer.id, until, &serde_json::to_value(&report).unwrap_or_default()).await?;
    Ok(report)
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the peer did not answer in time".into()
    } else if e.is_redirect() {
        "the peer redirected elsewhere, which is not followed".into()
    } else {
        format!("the peer could not be reached: {e}")
    }
}

/// Writes one harvested item. An `Err` is a problem with this record only.
async fn apply(
    store: &dyn Store,
    origin: &Origin,
    item: &Item,
    actor: &Actor,
    report: &mut Report,
) -> Result<(), String> {
    let store_error = |e: StoreError| format!("could not be stored: {e}");
    if item.deleted {
        let Some(id) = item.identifier.rsplit(':').next().and_then(|s| RecordId::parse(s).ok()) else {
            return Err("the identifier names no record".into());
        };
        return match store.record(id).await.map_err(store_error)? {
            Some(RecordState::Live(r)) if !r.origin.is_local() => {
                store.delete_record(r.id, Some(r.version), actor).await.map_err(store_error)?;
                report.deleted += 1;
                Ok(())
            }
            _ => Ok(()),
        };
    }
    let json = item.json.as_deref().ok_or("the record has no banyan:json")?;
    let mut v: Value = serde_json::from_str(json).map_err(|e| format!("banyan:json is not JSON: {e}"))?;
    let id = v.get("id").and_then(Value::as_str).and_then(|s| RecordId::parse(s).ok()).ok_or("the record has no id")?;
    let uri = v.get("uri").and_then(Value::as_str).ok_or("the record has no uri")?.to_string();
    let Some(obj) = v.as_object_mut() else { return Err("the record is not an object".into()) };
    for f in READ_ONLY_FIELDS.iter().chain(["slug", "organisation", "hidden", "status"].iter()) {
        obj.remove(*f);
    }
    // A copy here is published (it was public there) and belongs to no organisation of ours.
    obj.insert("status".into(), Value::String("published".into()));
    let input = RecordInput::from_json(&v, InputMode::Create).map_err(|e| format!("not a valid record: {e}"))?;
    match store.record_by_uri(&uri).await.map_err(store_error)? {
        None => {
            let taken = store.record(id).await.map_err(store_error)?.is_some();
            let new = NewRecord {
                id: if taken { RecordId::new() } else { id },
                uri,
                origin: origin.clone(),
                input,
                owner: None,
                derived_from: None,
                carried: None,
            };
            store.create_record(new, actor).await.map_err(store_error)?;
            report.created += 1;
        }
        Some(RecordState::Live(r)) if !r.origin.is_local() => {
            if r.content == input.content {
                report.unchanged += 1;
            } else {
                store.update_record(r.id, r.version, input, actor).await.map_err(store_error)?;
                report.updated += 1;
            }
        }
        Some(RecordState::Live(_)) => return Err("a record of this node has the same URI".into()),
        Some(RecordState::Deleted(_)) => report.unchanged += 1,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_read_with_tokens_deleted_headers_and_errors() {
        let xml = br#"<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
          <responseDate>2026-11-25T10:00:00Z</responseDate><request verb="ListRecords">x</request>
          <ListRecords>
            <record><header><identifier>oai:a.example:1</identifier><datestamp>2026-01-01T00:00:00Z</datestamp></header>
              <metadata><banyan:record xmlns:banyan="urn:banyan:record:1"><banyan:json>{"a": "&lt;b&gt; &amp; &#233;"}</banyan:json></banyan:record></metadata></record>
            <record><header status="deleted"><identifier>oai:a.example:2</identifier><datestamp>2026-01-01T00:00:00Z</datestamp></header></record>
            <resumptionToken completeListSize="3" cursor="0">next</resumptionToken>
          </ListRecords></OAI-PMH>"#;
        let page = parse(xml).unwrap();
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.items[0].json.as_deref(), Some(r#"{"a": "<b> & é"}"#));
        assert!(!page.items[0].deleted && page.items[1].deleted);
        assert_eq!(page.token.as_deref(), Some("next"));
        assert_eq!(page.response_date.unwrap().to_rfc3339(), "2026-11-25T10:00:00+00:00");
        let err = parse(br#"<OAI-PMH><responseDate>2026-11-25T10:00:00Z</responseDate><error code="noRecordsMatch">none</error></OAI-PMH>"#).unwrap();
        assert_eq!(err.error, Some(("noRecordsMatch".into(), "none".into())));
        assert!(parse(b"<OAI-PMH><responseDate>").is_err());
        let cut =
            parse(b"<OAI-PMH><responseDate>2026-11-25T10:00:00Z</responseDate><ListRecords><record>").unwrap_err();
        assert!(cut.contains("malformed XML"), "{cut}");
        assert!(parse(b"<html>not oai</html>").is_err());
    }
}
