//! JSON Lines: Banyan's own full-fidelity format, as `banyan export jsonl` writes it.
//!
//! One object per line: organisations (`"kind": "organisation"`) first, then records. A line
//! with an `id` keeps it, so exporting from one node and importing into another keeps every
//! record's identity and URI; importing the same file twice changes nothing. A line without an
//! `id` is a new record (or, with a `source`, the record imported from that source).

use std::io::BufRead;

use serde_json::Value;

use banyan_domain::record::InputMode;
use banyan_domain::{Kind, Organisation, OrganisationId, OrganisationInput, Origin, RecordId, RecordInput};
use banyan_store::{Carried, NewRecord, RecordState, Store, StoreError, record_uri};
use chrono::{DateTime, Utc};

use crate::{ApplyOptions, Progress, Report};

pub const REGISTRY: &str = "jsonl";

/// The kind written on organisation lines.
pub const ORGANISATION: &str = "organisation";

/// Reads and writes a JSON Lines file. Lines that are not valid are reported by line number
/// and skipped; a database failure stops the import.
pub async fn import(
    store: &dyn Store,
    reader: impl BufRead,
    options: &ApplyOptions<'_>,
    progress: &dyn Progress,
    report: &mut Report,
) -> anyhow::Result<()> {
    progress.start("importing JSON Lines", 0);
    for (n, line) in reader.lines().enumerate() {
        let line = line?;
        let label = format!("line {}", n + 1);
        if line.trim().is_empty() {
            continue;
        }
        report.read += 1;
        progress.advance(1);
        let value: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                report.skip(label, format!("not JSON: {e}"));
                continue;
            }
        };
        let result = if value.get("kind").and_then(Value::as_str) == Some(ORGANISATION) {
            organisation_line(store, &value, options, report).await
        } else {
            record_line(store, &value, options, report).await
        };
        match result {
            Ok(()) => {}
            Err(LineError::Invalid(reason)) => report.skip(label, reason),
            Err(LineError::Store(StoreError::Invalid(v))) => report.skip(label, v.to_string()),
            Err(LineError::Store(e)) => {
                progress.finish();
                return Err(anyhow::anyhow!("{label}: {e}"));
            }
        }
    }
    progress.finish();
    Ok(())
}

enum LineError {
    Invalid(String),
    Store(StoreError),
}

impl From<StoreError> for LineError {
    fn from(e: StoreError) -> Self {
        LineError::Store(e)
    }
}

fn id_of(value: &Value) -> Result<Option<uuid::Uuid>, LineError> {
    match value.get("id") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            uuid::Uuid::parse_str(s).map(Some).map_err(|_| LineError::Invalid(format!("id {s:?} is not a UUID")))
        }
        Some(other) => Err(LineError::Invalid(format!("id {other} is not a UUID"))),
    }
}

async fn organisation_line(
    store: &dyn Store,
    value: &Value,
    options: &ApplyOptions<'_>,
    report: &mut Report,
) -> Result<(), LineError> {
    let id =
        OrganisationId(id_of(value)?.ok_or_else(|| LineError::Invalid("an organisation line needs its id".into()))?);
    let mut fields = value.clone();
    if let Some(map) = fields.as_object_mut() {
        for key in ["kind", "id", "slug", "version", "created_at", "updated_at"] {
            map.remove(key);
        }
    }
    let input = OrganisationInput::from_json(&fields).map_err(|v| LineError::Invalid(v.to_string()))?;
    match store.organisation(id).await? {
        Some(Organisation { content, .. }) if content == input => report.unchanged += 1,
        Some(existing) => {
            if !options.dry_run {
                store.update_organisation(id, existing.version, input, &options.actor).await?;
            }
            report.updated += 1;
        }
        None => {
            if !options.dry_run {
                store.create_organisation(id, input, &options.actor).await?;
            }
            report.organisations_created += 1;
        }
    }
    Ok(())
}

async fn record_line(
    store: &dyn Store,
    value: &Value,
    options: &ApplyOptions<'_>,
    report: &mut Report,
) -> Result<(), LineError> {
    let Some(id) = id_of(value)? else {
        // A new record, written by hand or by another tool.
        let input = RecordInput::from_json(value, InputMode::Create).map_err(|v| LineError::Invalid(v.to_string()))?;
        if let Some(source) = &input.content.source
            && store.record_by_source(&source.registry, &source.key).await?.is_some()
        {
            report.unchanged += 1;
            return Ok(());
        }
        if !options.dry_run {
            store.create_record(NewRecord::local(input, options.base_url), &options.actor).await?;
        }
        report.created += 1;
        return Ok(());
    };
    let kind = value
        .get("kind")
        .and_then(Value::as_str)
        .and_then(|k| Kind::parse(k).ok())
        .ok_or_else(|| LineError::Invalid("kind is missing or unknown".into()))?;
    let input =
        RecordInput::from_json(value, InputMode::Update { kind }).map_err(|v| LineError::Invalid(v.to_string()))?;
    let id = RecordId(id);
    match store.record(id).await? {
        Some(RecordState::Deleted(_)) => {
            report.skip(format!("record {id}"), "was deleted on this node, so it is not imported again");
        }
        Some(RecordState::Live(existing))
            if existing.content == input.content && input.slug.as_ref().is_none_or(|s| *s == existing.slug) =>
        {
            report.unchanged += 1;
        }
        Some(RecordState::Live(existing)) => {
            if !options.dry_run {
                store.update_record(id, existing.version, input, &options.actor).await?;
            }
            report.updated += 1;
        }
        None => {
            let uri = value
                .get("uri")
                .and_then(Value::as_str)
                .map_or_else(|| record_uri(options.base_url, id), str::to_string);
            let origin = match value.get("origin").and_then(Value::as_str) {
                Some(o) => Origin::parse(o).map_err(|e| LineError::Invalid(format!("origin: {}", e.message)))?,
                None => Origin::Local,
            };
            let carried = carried(value)?;
            if !options.dry_run {
                // People are not exported, so the record arrives without its owner; the link to
                // the record it grew out of survives.
                let derived_from =
                    value.get("derived_from").and_then(Value::as_str).and_then(|d| RecordId::parse(d).ok());
                let new = NewRecord { id, uri, origin, input, owner: None, derived_from, carried };
                store.create_record(new, &options.actor).await?;
            }
            report.created += 1;
        }
    }
    Ok(())
}

/// The version and dates of an exported record, which a record new to this node keeps. A line
/// written by hand, without them, starts at version 1 today.
fn carried(value: &Value) -> Result<Option<Carried>, LineError> {
    let time = |field: &str| -> Result<Option<DateTime<Utc>>, LineError> {
        match value.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
                .map(|t| Some(t.with_timezone(&Utc)))
                .map_err(|_| LineError::Invalid(format!("{field}: {s:?} is not an RFC 3339 date and time"))),
            Some(other) => Err(LineError::Invalid(format!("{field}: {other} is not an RFC 3339 date and time"))),
        }
    };
    let (Some(created_at), Some(updated_at)) = (time("created_at")?, time("updated_at")?) else { return Ok(None) };
    let version = match value.get("version") {
        None | Some(Value::Null) => 1,
        Some(v) => v
            .as_i64()
            .filter(|v| *v >= 1)
            .ok_or_else(|| LineError::Invalid(format!("version: {v} is not a whole number of 1 or more")))?,
    };
    Ok(Some(Carried { version, created_at, updated_at, published_at: time("published_at")? }))
}
