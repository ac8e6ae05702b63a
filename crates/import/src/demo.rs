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
    /// Adoptions of practices, and services with their process maps.
    pub adoptions: usize,
    pub services: usize,
}

/// Reads `v` with a domain reader, every rule checked as for anyone's input.
fn read_as<T>(
    v: &Value,
    read: impl FnOnce(&mut banyan_domain::validate::Checker, &mut banyan_domain::validate::Obj<'_>) -> Option<T>,
) -> anyhow::Result<T> {
    use banyan_domain::validate::{Checker, Path};
    let mut c = Checker::new();
    let mut o = c.object(Path::root(), v);
    let value = read(&mut c, &mut o);
    c.done(o);
    c.finish(value).map_err(|e| anyhow::anyhow!("{e}"))?.context("a value")
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
    let mut by_title: HashMap<String, banyan_domain::RecordId> = HashMap::new();
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
        let created = store.create_record(NewRecord::local(input, base_url), &actor).await?;
        by_title.insert(created.content.title.clone(), created.id);
    }
    let mut checklists = 0;
    if let Some(lists) = demo["procurement"].as_object() {
        for (code, list) in lists {
            let country = banyan_domain::CountryCode::parse(code)
                .map_err(|e| anyhow::anyhow!("demo checklist {code}: {}", e.message))?;
            let checklist =
                read_as(list, banyan_domain::Checklist::read).with_context(|| format!("demo checklist {code}"))?;
            store.put_checklist(country, &checklist, Some(0), &actor).await?;
            checklists += 1;
        }
    }
    if demo.get("rates").is_some() {
        let rates = read_as(&demo["rates"], banyan_domain::sps::Rates::read).context("demo exchange rates")?;
        store.put_rates(&rates, Some(0), &actor).await?;
    }
    let practice = |v: &Value| -> anyhow::Result<banyan_domain::RecordId> {
        let title = v.as_str().context("a practice title")?;
        by_title.get(title).copied().with_context(|| format!("no demo practice {title:?}"))
    };
    let mut adoptions: HashMap<String, banyan_domain::AdoptionId> = HashMap::new();
    for a in demo["adoptions"].as_array().into_iter().flatten() {
        let key = a["key"].as_str().context("adoption key")?.to_string();
        let mut body = a.clone();
        let m = body.as_object_mut().context("an adoption")?;
        m.remove("key");
        let p = practice(&m.remove("practice").unwrap_or_default())?;
        if let Some(org) = m.get_mut("organisation") {
            resolve(org)?;
        }
        if let Some(org) = m.remove("organisation") {
            m.insert("organisation_id".into(), org);
        }
        if let Some(from) = m.remove("learned_from") {
            let id = from
                .as_str()
                .and_then(|k| adoptions.get(k))
                .with_context(|| format!("{key}: no earlier adoption {from}"))?;
            m.insert("learned_from".into(), Value::String(id.to_string()));
        }
        let input =
            read_as(&body, banyan_domain::AdoptionInput::read).with_context(|| format!("demo adoption {key}"))?;
        let created = store.create_adoption(p, &input, &actor).await?;
        adoptions.insert(key, created.id);
    }
    let mut services = 0;
    for s in demo["services"].as_array().into_iter().flatten() {
        let mut body = s.clone();
        let m = body.as_object_mut().context("a service")?;
        let p = practice(&m.remove("practice").unwrap_or_default())?;
        m.insert("practice_id".into(), Value::String(p.to_string()));
        if let Some(key) = m.remove("adoption") {
            let id = key.as_str().and_then(|k| adoptions.get(k)).with_context(|| format!("no demo adoption {key}"))?;
            m.insert("adoption_id".into(), Value::String(id.to_string()));
        }
        let name = m.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
        let input =
            read_as(&body, banyan_domain::ServiceInput::read).with_context(|| format!("demo service {name}"))?;
        store.create_service(&input, &actor).await?;
        services += 1;
    }
    Ok(Loaded { organisations: ids.len(), records: records.len(), checklists, adoptions: adoptions.len(), services })
}
