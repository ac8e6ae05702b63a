//! The importers on the real registry files in `../shared/data`, and the JSON Lines and CSV
//! round trips, on both backends.

mod demo;
mod dpg;
mod ips;
mod jsonl;

use banyan_import::{ApplyOptions, Quiet, Report};
use banyan_store::{Actor, RecordQuery, Store, Visibility};

pub const BASE: &str = "https://banyan.test";

pub fn options(registry: &str, dry_run: bool) -> ApplyOptions<'static> {
    ApplyOptions { dry_run, base_url: BASE, actor: Actor::importer(registry) }
}

pub async fn import(store: &dyn Store, items: Vec<banyan_import::Item>, registry: &str, dry_run: bool) -> Report {
    let mut report = Report::new(registry, dry_run);
    report.read = items.len();
    banyan_import::apply(store, items, &options(registry, dry_run), &Quiet, &mut report).await.unwrap();
    report
}

pub async fn total(store: &dyn Store, query: RecordQuery) -> u64 {
    store.list_records(&RecordQuery { visibility: Visibility::All, limit: 1, ..query }).await.unwrap().total
}
