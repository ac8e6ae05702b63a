//! Getting records into Banyan and out again.
//!
//! Importers turn a source into [`Item`]s — a record as JSON plus the organisations it names —
//! checked by the same parser as the API, so an importer cannot write what a client could not.
//! [`apply`] then writes them idempotently: a record's identity is its source `(registry, key)`,
//! so importing twice creates nothing new and a changed source record becomes a new revision.

pub mod demo;
pub mod dpg;
pub mod export;
pub mod ips;
pub mod jsonl;
pub mod native;
mod places;

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde_json::Value;

use banyan_domain::record::InputMode;
use banyan_domain::{Details, OrganisationId, OrganisationInput, Partner, PartnerRole, RecordInput};
use banyan_store::{Actor, NewRecord, RecordState, Store, StoreError};

/// A record read from a source, not yet written.
#[derive(Debug, Clone)]
pub struct Item {
    /// The source key, for reports.
    pub key: String,
    pub input: RecordInput,
    /// The organisation the record belongs to.
    pub lead: Option<OrganisationInput>,
    /// Other organisations and their parts (for practices and solutions).
    pub partners: Vec<(OrganisationInput, PartnerRole)>,
}

impl Item {
    /// Checks a record built from a source with the API's own parser.
    pub fn parse(key: &str, record: &Value) -> Result<Item, String> {
        let input = RecordInput::from_json(record, InputMode::Create).map_err(|v| v.to_string())?;
        Ok(Item { key: key.to_string(), input, lead: None, partners: Vec::new() })
    }
}

/// Something left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// A file path or a source key.
    pub what: String,
    pub reason: String,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub registry: String,
    pub dry_run: bool,
    pub read: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub organisations_created: usize,
    pub skipped: Vec<Skipped>,
    /// Things worth knowing that did not stop a record: unmapped names and the like, with how
    /// often each occurred.
    pub notes: BTreeMap<String, usize>,
}

impl Report {
    pub fn new(registry: &str, dry_run: bool) -> Report {
        Report { registry: registry.to_string(), dry_run, ..Default::default() }
    }
    pub fn skip(&mut self, what: impl Into<String>, reason: impl Into<String>) {
        self.skipped.push(Skipped { what: what.into(), reason: reason.into() });
    }
    pub fn note(&mut self, note: impl Into<String>) {
        *self.notes.entry(note.into()).or_default() += 1;
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let would = if self.dry_run { " (dry run: nothing was written)" } else { "" };
        writeln!(f, "Import from {}{would}", self.registry)?;
        writeln!(f, "  read:      {}", self.read)?;
        writeln!(f, "  created:   {}", self.created)?;
        writeln!(f, "  updated:   {}", self.updated)?;
        writeln!(f, "  unchanged: {}", self.unchanged)?;
        writeln!(f, "  skipped:   {}", self.skipped.len())?;
        writeln!(f, "  organisations created: {}", self.organisations_created)?;
        for s in &self.skipped {
            writeln!(f, "  skipped {}: {}", s.what, s.reason)?;
        }
        for (note, n) in &self.notes {
            writeln!(f, "  note: {note}{}", if *n > 1 { format!(" ({n} times)") } else { String::new() })?;
        }
        Ok(())
    }
}

/// Shows progress of long work: a bar on a terminal, lines otherwise (the CLI decides).
pub trait Progress: Send + Sync {
    fn start(&self, what: &str, total: u64);
    fn advance(&self, n: u64);
    fn finish(&self);
}

/// Progress shown nowhere.
pub struct Quiet;

impl Progress for Quiet {
    fn start(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

/// How to write.
pub struct ApplyOptions<'a> {
    pub dry_run: bool,
    /// The node's public address, for the URIs of new records.
    pub base_url: &'a str,
    pub actor: Actor,
}

/// Finds each organisation by name (and country) or creates it, once per import.
struct Organisations<'a> {
    store: &'a dyn Store,
    dry_run: bool,
    actor: &'a Actor,
    known: HashMap<(String, Option<&'static str>), OrganisationId>,
}

impl Organisations<'_> {
    async fn resolve(&mut self, org: &OrganisationInput, report: &mut Report) -> Result<OrganisationId, StoreError> {
        let key = (OrganisationInput::name_key(&org.name), org.country.map(|c| c.code()));
        if let Some(id) = self.known.get(&key) {
            return Ok(*id);
        }
        let id = match self.store.organisation_by_name(&org.name, org.country).await? {
            Some(existing) => existing.id,
            None if self.dry_run => {
                report.organisations_created += 1;
                OrganisationId::new()
            }
            None => {
                report.organisations_created += 1;
                self.store.create_organisation(OrganisationId::new(), org.clone(), self.actor).await?.id
            }
        };
        self.known.insert(key, id);
        Ok(id)
    }
}

/// Writes items idempotently. Invalid records are reported and skipped; a database failure
/// stops the import (what was written before it stays written, and a re-run resumes).
pub async fn apply(
    store: &dyn Store,
    items: Vec<Item>,
    options: &ApplyOptions<'_>,
    progress: &dyn Progress,
    report: &mut Report,
) -> anyhow::Result<()> {
    let mut orgs = Organisations { store, dry_run: options.dry_run, actor: &options.actor, known: HashMap::new() };
    progress.start(&format!("importing {}", report.registry), items.len() as u64);
    for item in items {
        let result = apply_one(store, &mut orgs, item.clone(), options, report).await;
        progress.advance(1);
        match result {
            Ok(()) => {}
            Err(StoreError::Invalid(v)) => report.skip(&item.key, v.to_string()),
            Err(e) => {
                progress.finish();
                return Err(anyhow::anyhow!("writing {}: {e}", item.key));
            }
        }
    }
    progress.finish();
    Ok(())
}

async fn apply_one(
    store: &dyn Store,
    orgs: &mut Organisations<'_>,
    item: Item,
    options: &ApplyOptions<'_>,
    report: &mut Report,
) -> Result<(), StoreError> {
    let mut input = item.input;
    if let Some(lead) = &item.lead {
        input.content.organisation = Some(orgs.resolve(lead, report).await?);
    }
    let mut partners = Vec::new();
    for (org, role) in &item.partners {
        let id = orgs.resolve(org, report).await?;
        if !partners.iter().any(|p: &Partner| p.organisation == Some(id) && p.role == Some(*role)) {
            partners.push(Partner { name: org.name.clone(), organisation: Some(id), role: Some(*role) });
        }
    }
    match &mut input.content.details {
        Details::Solution(s) if !partners.is_empty() => s.partners = partners,
        Details::Practice(p) if !partners.is_empty() => p.partners = partners,
        _ => {}
    }
    let Some(source) = input.content.source.clone() else {
        return Err(StoreError::Database(format!("{}: imported records need a source", item.key)));
    };
    match store.record_by_source(&source.registry, &source.key).await? {
        None => {
            if !options.dry_run {
                store.create_record(NewRecord::local(input, options.base_url), &options.actor).await?;
            }
            report.created += 1;
        }
        Some(RecordState::Deleted(_)) => {
            report.skip(&item.key, "was deleted on this node, so it is not imported again");
        }
        Some(RecordState::Live(existing)) => {
            // What curators decide about a record outlives re-imports.
            let content = &mut input.content;
            content.status = existing.content.status;
            content.hidden = existing.content.hidden;
            if content.translations.is_empty() {
                content.translations = existing.content.translations.clone();
            }
            if existing.content == *content {
                report.unchanged += 1;
            } else {
                if !options.dry_run {
                    let input = RecordInput { content: input.content, slug: None };
                    store.update_record(existing.id, existing.version, input, &options.actor).await?;
                }
                report.updated += 1;
            }
        }
    }
    Ok(())
}
