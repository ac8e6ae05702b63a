//! Exports, streamed page by page so that memory does not grow with the registry.

use std::io::Write;

use serde_json::Value;

use banyan_domain::{Kind, Record};
use banyan_store::{OrganisationQuery, RecordQuery, Store, Visibility};

use crate::Progress;
use crate::jsonl::ORGANISATION;

/// What to export.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportOptions {
    pub kind: Option<Kind>,
    /// Everything, drafts and personal data included (for moving a node, not for publishing).
    /// Otherwise only what anonymous visitors may see.
    pub all: bool,
}

const PAGE: u32 = 500;

async fn for_each_record(
    store: &dyn Store,
    options: ExportOptions,
    progress: &dyn Progress,
    mut write: impl FnMut(&Record) -> anyhow::Result<()>,
) -> anyhow::Result<u64> {
    let mut query = RecordQuery {
        visibility: if options.all { Visibility::All } else { Visibility::Public },
        kind: options.kind,
        limit: PAGE,
        ..Default::default()
    };
    let mut written = 0;
    loop {
        let page = store.list_records(&query).await?;
        if written == 0 {
            progress.start("exporting records", page.total);
        }
        for record in &page.items {
            if options.all {
                write(record)?
            } else {
                write(&record.without_personal_data())?
            }
            written += 1;
        }
        progress.advance(page.items.len() as u64);
        match page.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => break,
        }
    }
    progress.finish();
    Ok(written)
}

/// Writes organisations, then records, one JSON object per line. Returns how many records.
pub async fn jsonl(
    store: &dyn Store,
    out: &mut impl Write,
    options: ExportOptions,
    progress: &dyn Progress,
) -> anyhow::Result<u64> {
    let mut query = OrganisationQuery { limit: PAGE, ..Default::default() };
    loop {
        let page = store.list_organisations(&query).await?;
        for org in &page.items {
            let mut v = serde_json::to_value(org)?;
            if let Value::Object(map) = &mut v {
                map.insert("kind".into(), ORGANISATION.into());
            }
            serde_json::to_writer(&mut *out, &v)?;
            out.write_all(b"\n")?;
        }
        match page.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => break,
        }
    }
    let n = for_each_record(store, options, progress, |r| {
        serde_json::to_writer(&mut *out, r)?;
        out.write_all(b"\n")?;
        Ok(())
    })
    .await?;
    out.flush()?;
    Ok(n)
}

/// The CSV columns: the envelope, with lists joined by `;`.
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "kind",
    "slug",
    "uri",
    "title",
    "summary",
    "lang",
    "sdgs",
    "sectors",
    "places",
    "level_of_government",
    "innovation_types",
    "themes",
    "status",
    "stage",
    "evidence_level",
    "organisation",
    "license",
    "source_registry",
    "source_key",
    "source_url",
    "origin",
    "version",
    "created_at",
    "updated_at",
    "published_at",
];

/// Free text for a spreadsheet: a cell that starts with `=`, `+`, `-`, `@` or a control
/// character would run as a formula when the file is opened, so it gets a leading apostrophe
/// (the OWASP advice against CSV injection).
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_string() }
}

fn joined<T: std::fmt::Display>(items: &[T]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(";")
}

/// One record as a CSV row, in the order of [`CSV_COLUMNS`].
pub fn csv_row(r: &Record) -> Vec<String> {
    let c = &r.content;
    let (stage, evidence) = match &c.details {
        banyan_domain::Details::Practice(p) => {
            (p.stage.map(|s| s.code().to_string()), p.evidence_level.map(|e| e.to_string()))
        }
        _ => (None, None),
    };
    let source = c.source.as_ref();
    vec![
        r.id.to_string(),
        r.kind().code().to_string(),
        r.slug.to_string(),
        r.uri.clone(),
        cell(&c.title),
        cell(c.summary.as_deref().unwrap_or_default()),
        c.lang.to_string(),
        joined(&c.sdgs),
        joined(&c.sectors),
        joined(&c.places),
        c.level_of_government.map(|l| l.code().to_string()).unwrap_or_default(),
        joined(&c.innovation_types),
        cell(&joined(&c.themes)),
        c.status.code().to_string(),
        stage.unwrap_or_default(),
        evidence.unwrap_or_default(),
        c.organisation.map(|o| o.to_string()).unwrap_or_default(),
        c.license.to_string(),
        source.map(|s| s.registry.clone()).unwrap_or_default(),
        source.map(|s| s.key.clone()).unwrap_or_default(),
        source.and_then(|s| s.url.as_ref()).map(|u| u.to_string()).unwrap_or_default(),
        r.origin.as_str().to_string(),
        r.version.to_string(),
        r.created_at.to_rfc3339(),
        r.updated_at.to_rfc3339(),
        r.published_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
    ]
}

/// Writes one CSV row per record (RFC 4180, UTF-8). Returns how many records.
pub async fn csv(
    store: &dyn Store,
    out: &mut impl Write,
    options: ExportOptions,
    progress: &dyn Progress,
) -> anyhow::Result<u64> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_COLUMNS)?;
    let n = for_each_record(store, options, progress, |r| {
        w.write_record(csv_row(r))?;
        Ok(())
    })
    .await?;
    w.flush()?;
    Ok(n)
}

/// A full JSON Lines export as one string (for tests and small nodes).
pub async fn jsonl_string(store: &dyn Store) -> String {
    let mut out = Vec::new();
    jsonl(store, &mut out, ExportOptions { kind: None, all: true }, &crate::Quiet).await.expect("export to memory");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// The formats of [`stream`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
}

/// Sends the records, page by page, as JSON Lines or CSV (with its header) to `tx`, waiting
/// whenever the receiver is behind: a slow reader holds back the export instead of letting it
/// pile up in memory. Stops early, without error, when the receiver goes. Returns how many
/// records were sent.
pub async fn stream(
    store: &dyn Store,
    options: ExportOptions,
    format: Format,
    tx: tokio::sync::mpsc::Sender<Vec<u8>>,
) -> anyhow::Result<u64> {
    if format == Format::Csv {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(CSV_COLUMNS)?;
        if tx.send(w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?).await.is_err() {
            return Ok(0);
        }
    }
    let mut query = RecordQuery {
        visibility: if options.all { Visibility::All } else { Visibility::Public },
        kind: options.kind,
        limit: PAGE,
        ..Default::default()
    };
    let mut sent = 0;
    loop {
        let page = store.list_records(&query).await?;
        let shown: Vec<Record> =
            page.items.iter().map(|r| if options.all { r.clone() } else { r.without_personal_data() }).collect();
        let mut chunk = Vec::new();
        match format {
            Format::Jsonl => {
                for r in &shown {
                    serde_json::to_writer(&mut chunk, r)?;
                    chunk.push(b'\n');
                }
            }
            Format::Csv => {
                let mut w = csv::Writer::from_writer(&mut chunk);
                for r in &shown {
                    w.write_record(csv_row(r))?;
                }
                w.flush()?;
            }
        }
        sent += page.items.len() as u64;
        if !chunk.is_empty() && tx.send(chunk).await.is_err() {
            return Ok(sent);
        }
        match page.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => break,
        }
    }
    Ok(sent)
}
