//! The bodies of Banyan's fuzz targets, one function per target, each taking any bytes.
//!
//! `fuzz/` holds the cargo-fuzz project that runs them under libFuzzer for as long as one
//! likes (`scripts/fuzz`); this crate's test runs every input of the checked-in corpus
//! (`fuzz/corpus/<target>/`) through them on every `cargo test`, so that anything a long run
//! once found stays fixed. Each function panics when a property fails; a panic is a finding.

use std::sync::OnceLock;

use banyan_domain::record::InputMode;
use banyan_domain::{Origin, Record, RecordId, RecordInput, Slug};
use banyan_search::{SearchIndex, SearchRequest, Sort, WriterOptions};
use serde_json::Value;

/// A target: any bytes in; a panic is a finding.
pub type Target = fn(&[u8]);

/// Every target, by the name its corpus folder and cargo-fuzz binary have.
pub const TARGETS: &[(&str, Target)] = &[
    ("search_query", search_query),
    ("oai_request", oai_request),
    ("import_ips", import_ips),
    ("import_dpg", import_dpg),
    ("import_jsonl", import_jsonl),
    ("escaping", escaping),
];

/// A stored record holding `content`, as the importers' records are once written.
fn as_record(content: banyan_domain::RecordContent) -> Record {
    let now = chrono::Utc::now();
    let id = RecordId(uuid::Uuid::now_v7());
    Record {
        id,
        slug: Slug::parse("fuzzed-record").expect("a slug"),
        uri: format!("https://fuzz.banyan.test/records/{id}"),
        origin: Origin::Local,
        version: 1,
        content,
        owner: None,
        derived_from: None,
        created_at: now,
        updated_at: now,
        published_at: Some(now),
    }
}

/// A record's JSON as the API and the exports write it, read back as the API and the JSON
/// Lines importer read it: it must be accepted, and mean the same.
fn reads_back(content: &banyan_domain::RecordContent) {
    let record = as_record(content.clone());
    let json = record.to_json();
    match RecordInput::from_json(&json, InputMode::Update { kind: record.kind() }) {
        Ok(again) => assert_eq!(&again.content, content, "reading a record's own JSON changes it:\n{json}"),
        Err(e) => panic!("a record's own JSON is refused: {e}\n{json}"),
    }
}

/// A search index with one record in it, made once per process.
fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<(tempfile::TempDir, SearchIndex)> = OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("a temporary folder");
            let index = SearchIndex::open(dir.path(), WriterOptions::serving()).expect("the index opens");
            let input = RecordInput::from_json(
                &serde_json::json!({"kind": "practice", "title": "Land records by post: one visit instead of five",
                    "summary": "ভূমি অফিসে একবার; ที่ดิน ออนไลน์", "lang": "en", "status": "published",
                    "sdgs": ["16.6"], "places": ["BD-13"]}),
                InputMode::Create,
            )
            .expect("a valid record");
            let record = as_record(input.content);
            let doc = banyan_search::document::record_doc(index.fields(), &record, None, 0);
            index.write(vec![doc], &[]).expect("written");
            index.commit(1).expect("committed");
            (dir, index)
        })
        .1
}

/// The search box: any text is parsed, analysed, turned into a query and run, with facets and
/// highlights, or refused as too long; never a crash.
pub fn search_query(data: &[u8]) {
    let q = String::from_utf8_lossy(data);
    match banyan_search::query::parse(&q) {
        Ok(clauses) => assert!(clauses.len() <= banyan_search::query::MAX_CLAUSES),
        Err(banyan_search::QueryError::TooLong) => {
            assert!(q.chars().count() > banyan_search::query::MAX_QUERY_CHARS, "refused as too long")
        }
        Err(banyan_search::QueryError::TooManyWords) => {}
    }
    let req = SearchRequest {
        q: q.into_owned(),
        limit: 10,
        sort: Sort::default(),
        facets: true,
        highlights: true,
        ..Default::default()
    };
    let _ = index().search(&req);
    let _ = index().suggest(&req.q, &[], None, 5);
}

/// An OAI-PMH request as a query string: it parses into a request or one of the protocol's
/// errors, and a resumption token is read or refused.
pub fn oai_request(data: &[u8]) {
    let args: Vec<(String, String)> =
        url::form_urlencoded::parse(data).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    if let Ok(
        banyan_federation::oai::Request::ListRecords(banyan_federation::oai::List::Resume(token))
        | banyan_federation::oai::Request::ListIdentifiers(banyan_federation::oai::List::Resume(token)),
    ) = banyan_federation::oai::Request::parse(&args)
    {
        let _ = banyan_federation::oai::check_resumption_token(&token);
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = banyan_federation::oai::check_resumption_token(s);
        let _ = banyan_federation::oai::Stamp::parse(s);
    }
}

/// Every record an importer produces reads back from its own JSON as itself.
fn check_items(items: &[banyan_import::Item]) {
    for item in items {
        reads_back(&item.input.content);
    }
}

/// IPS Explorer's `cases.json`: every case becomes a valid record or is skipped with a reason.
pub fn import_ips(data: &[u8]) {
    let mut report = banyan_import::Report::new("ips", true);
    if let Ok(items) = banyan_import::ips::parse(data, "fuzz", &mut report) {
        assert_eq!(items.len() + report.skipped.len(), report.read, "every case is imported or skipped");
        check_items(&items);
    }
}

/// A DPG product file, with a screening file made of the same bytes.
pub fn import_dpg(data: &[u8]) {
    let label = banyan_import::dpg::ProductFile { file: "fuzz.json", path: "fuzz.json", screening_path: "fuzz.json" };
    for (folder, screening) in [("nominees", None), ("archive", Some(data))] {
        let mut report = banyan_import::Report::new("dpg", true);
        match banyan_import::dpg::product(&label, folder, data, screening, &mut report) {
            Some(item) => check_items(&[item]),
            None => assert_eq!(report.skipped.len(), 1, "a product that is not imported is skipped once"),
        }
    }
}

/// A line of Banyan's own JSON Lines format: a record or an organisation, read or refused.
pub fn import_jsonl(data: &[u8]) {
    let Ok(v) = serde_json::from_slice::<Value>(data) else { return };
    if let Ok(input) = RecordInput::from_json(&v, InputMode::Create) {
        reads_back(&input.content);
    }
    let _ = banyan_domain::OrganisationInput::from_json(&v);
}

/// The escaping between stored text and what browsers and XML readers parse: XML text and
/// attributes (OAI-PMH, Atom, the SVG charts) and JSON inside a `<script>` (JSON-LD). Escaped
/// text can carry no markup and reads back as itself; the text cleaners never panic.
pub fn escaping(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let escaped = banyan_federation::xml::escape(&s);
    assert!(!escaped.contains(['<', '>', '"', '\'']), "markup survives XML escaping: {escaped:?}");
    let unescaped = escaped
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    let allowed: String = s
        .chars()
        .filter(|&c| matches!(c, '\t' | '\n' | '\r') || !((c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}'))
        .collect();
    assert_eq!(unescaped, allowed, "XML escaping loses nothing but what XML cannot carry");

    let value = serde_json::json!({"name": s, "nested": [s]});
    let script = banyan_domain::text::json_for_script(&value);
    assert!(!script.contains(['<', '>', '&']), "JSON for a script element keeps markup: {script:?}");
    let back: Value = serde_json::from_str(&script).expect("still JSON");
    assert_eq!(back, value, "the escaped JSON reads back as itself");

    let _ = banyan_domain::text::line(&s);
    let _ = banyan_domain::text::block(&s);
    let _ = banyan_domain::text::shorten(&s, 40);
    let slug = banyan_domain::text::slugify(&s, 80);
    assert!(!slug.contains(['/', '?', '#', '<', '>', '"', ' ']), "a slug is safe in a URL path: {slug:?}");
}
