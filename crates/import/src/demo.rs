//! The demo content for `banyan serve --demo`: organisations and records of every kind, in
//! several languages, and procurement checklists for five countries, written by the Banyan team
//! (`demo/demo.json`).

use std::collections::HashMap;

use anyhow::{Context, bail};
use serde_json::Value;

use banyan_domain::record::InputMode;
use banyan_domain::{OrganisationId, OrganisationInput, RecordInput};
use banyan_store::{Actor, NewRecord, OrganisationQuery, RecordQuery, Store, Visibility};

/// The demo content, as JSON.
pub const DEMO: &str = include_str!("../demo/demo.json");

/// What was loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loaded {
    pub organisations: usize,
    pub records: usize,
    /// Procurement checklists, one per country.
    pub checklists: usize,
}

/// A checklist read as curators' input is: every rule checked.
fn read_checklist(v: &Value) -> anyhow::Result<banyan_domain::Checklist> {
    use banyan_domain::validate::{Checker, Path};
    let mut c = Checker::new();
    let mut o = c.object(Path::root(), v);
    let list = banyan_domain::Checklist::read(&mut c, &mut o);
    c.done(o);
    let list = c.finish(list).map_err(|e| anyhow::anyhow!("{e}"))?;
    list.context("a checklist")
}

/// Whether the store holds no records and no organisations.
pub async fn is_empty(store: &dyn Store) -> anyhow::Result<bool> {
    let records =
        store.list_records(&RecordQuery { visibility: Visibility::All, limit: 1, ..Default::default() }).await?;
    let orgs = store.list_organisations(&OrganisationQuery { limit: 1, ..Default::default() }).await?;
    Ok(records.total == 0 && orgs.total == 0)
}

/// Writes the demo content. Refuses a store that already holds content: demo records must never
/// mix with real ones.
pub async fn load(store: &dyn Store, base_url: &str) -> anyhow::Result<Loaded> {
    if !is_empty(store).await? {
        bail!("the database already holds content; demo content is loaded only into an empty one");
    }
    let demo: Value = serde_json::from_str(DEMO).context("demo.json is JSON")?;
    let actor = Actor { id: "demo".into(), name: "demo content".into(), role: banyan_domain::Role::Admin };
    let mut ids: HashMap<String, OrganisationId> = HashMap::new();
    for org in demo["organisations"].as_array().context("organisations")? {
        let mut org = org.clone();
        let key = org
            .as_object_mut()
            .and_then(|m| m.remove("key"))
            .and_then(|k| k.as_str().map(str::to_string))
            .context("organisation key")?;
        let input = OrganisationInput::from_json(&org).map_err(|v| anyhow::anyhow!("demo organisation {key}: {v}"))?;
        let created = store.create_organisation(OrganisationId::new(), input, &actor).await?;
        ids.insert(key, created.id);
    }
    let resolve = |v: &mut Value| -> anyhow::Result<()> {
        if let Some(key) = v.as_str() {
            let id = ids.get(key).with_context(|| format!("no demo organisation {key:?}"))?;
            *v = Value::String(id.to_string());
        }
        Ok(())
    };
    let records = demo["records"].as_array().context("records")?;
    for (i, record) in records.iter().enumerate() {
        let mut record = record.clone();
        if let Some(org) = record.get_mut("organisation") {
            resolve(org)?;
        }
        if let Some(partners) = record.pointer_mut("/details/partners").and_then(Value::as_array_mut) {
            for p in partners {
                if let Some(org) = p.get_mut("organisation") {
                    resolve(org)?;
                }
            }
        }
        let input = RecordInput::from_json(&record, InputMode::Create)
            .map_err(|v| anyhow::anyhow!("demo record #{}: {v}", i + 1))?;
        store.create_record(NewRecord::local(input, base_url), &actor).await?;
    }
    let mut checklists = 0;
    if let Some(lists) = demo["procurement"].as_object() {
        for (code, list) in lists {
            let country = banyan_domain::CountryCode::parse(code)
                .map_err(|e| anyhow::anyhow!("demo checklist {code}: {}", e.message))?;
            let checklist: banyan_domain::Checklist =
                read_checklist(list).with_context(|| format!("demo checklist {code}"))?;
            store.put_checklist(country, &checklist, Some(0), &actor).await?;
            checklists += 1;
        }
    }
    Ok(Loaded { organisations: ids.len(), records: records.len(), checklists })
}
