//! A pilot in the Open Contracting Data Standard (OCDS 1.1): one release package holding one
//! release of the pilot as it stands.
//!
//! The mapping: the contracting process is the procurement the pilot leads to. `planning`
//! holds the rationale (the challenge and the pilot's scope), the pilot's budget, and each KPI
//! as an `assessment` milestone (met or not once evaluated). `tender` is the pilot itself
//! (planning while proposed, active while agreed to evaluated, complete when adopted, cancelled
//! when stopped), with the procurement method once an award says it. An award recorded on
//! adoption gives `awards` and `contracts`. The buyer is the challenge's organisation; the
//! supplier the practice's or solution's. No person is named: parties are organisations.

use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

use banyan_domain::{Pilot, PilotStatus, Record};

pub struct Inputs<'a> {
    pub pilot: &'a Pilot,
    pub challenge: &'a Record,
    pub offer: &'a Record,
    /// `(id, name)` of the challenge's organisation.
    pub buyer: Option<(String, String)>,
    /// `(id, name)` of the offer's organisation.
    pub supplier: Option<(String, String)>,
    pub public_url: &'a str,
    pub site_name: &'a str,
    pub prefix: &'a str,
}

fn date_time(d: NaiveDate) -> String {
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight exists"))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn value(m: &banyan_domain::Money) -> Value {
    json!({"amount": m.amount, "currency": m.currency.code()})
}

/// The release package of a pilot.
pub fn release_package(i: &Inputs<'_>) -> Value {
    let p = i.pilot;
    let ocid = format!("{}-{}", i.prefix, p.id);
    let org_id = |id: &str| format!("{}/organisations/{id}", i.public_url);
    let mut parties = Vec::new();
    let buyer = i.buyer.as_ref().map(|(id, name)| {
        parties.push(json!({"id": org_id(id), "name": name, "roles": ["buyer", "procuringEntity"]}));
        json!({"id": org_id(id), "name": name})
    });
    let supplier_role = if p.award.is_some() { "supplier" } else { "tenderer" };
    let supplier = i.supplier.as_ref().map(|(id, name)| {
        parties.push(json!({"id": org_id(id), "name": name, "roles": [supplier_role]}));
        json!({"id": org_id(id), "name": name})
    });
    let milestones: Vec<Value> = p
        .plan
        .kpis
        .iter()
        .enumerate()
        .map(|(n, k)| {
            let unit = k.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
            let mut text = format!("Baseline {}{unit}; target {}{unit}", k.baseline, k.target);
            if let Some(r) = k.result {
                text.push_str(&format!("; result {r}{unit}"));
            }
            let status = match k.met() {
                Some(true) => "met",
                Some(false) => "notMet",
                None => "scheduled",
            };
            json!({"id": format!("kpi-{}", n + 1), "title": k.name, "type": "assessment", "description": text,
                   "dueDate": date_time(p.plan.ends_on), "status": status})
        })
        .collect();
    let mut planning = json!({
        "rationale": format!("Challenge: {}. Pilot: {}", i.challenge.content.title, p.plan.scope),
        "milestones": milestones,
    });
    if let Some(b) = &p.plan.budget {
        planning["budget"] =
            json!({"id": format!("{}-budget", p.id), "description": "Budget of the pilot", "amount": value(b)});
    }
    let tender_status = match p.status {
        PilotStatus::Proposed => "planning",
        PilotStatus::Agreed | PilotStatus::Running | PilotStatus::Evaluated => "active",
        PilotStatus::Adopted => "complete",
        PilotStatus::Stopped => "cancelled",
    };
    let mut tender = json!({
        "id": p.id.to_string(),
        "title": format!("Pilot of {}", i.offer.content.title),
        "description": p.plan.scope,
        "status": tender_status,
        "contractPeriod": {"startDate": date_time(p.plan.starts_on), "endDate": date_time(p.plan.ends_on)},
        "tenderers": supplier.iter().cloned().collect::<Vec<_>>(),
        "items": [{"id": "1", "description": i.offer.content.title, "quantity": 1}],
    });
    if let Some(b) = &p.plan.budget {
        tender["value"] = value(b);
    }
    let mut tags = vec!["planning", "tender"];
    if p.status == PilotStatus::Stopped {
        tags = vec!["planning", "tenderCancellation"];
    }
    let mut release = json!({
        "ocid": ocid,
        "id": format!("{}-v{}", p.id, p.version),
        "date": p.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "language": i.challenge.content.lang.as_str(),
        "initiationType": "tender",
        "parties": parties,
        "planning": planning,
        "tender": tender,
    });
    if let Some(b) = buyer {
        release["buyer"] = b;
    }
    if let Some(a) = &p.award {
        tags.extend(["award", "contract"]);
        release["tender"]["procurementMethod"] = json!(a.method.code());
        let award_id = format!("{}-award", p.id);
        let mut period = json!({"startDate": date_time(a.date)});
        if let Some(end) = a.contract_ends_on {
            period["endDate"] = json!(date_time(end));
        }
        release["awards"] = json!([{
            "id": award_id, "title": format!("Adoption of {}", i.offer.content.title), "status": "active",
            "date": date_time(a.date), "value": value(&a.value),
            "suppliers": supplier.iter().cloned().collect::<Vec<_>>(),
        }]);
        release["contracts"] = json!([{
            "id": format!("{}-contract", p.id), "awardID": award_id, "status": "active",
            "period": period, "value": value(&a.value),
        }]);
    }
    release["tag"] = json!(tags);
    json!({
        "uri": format!("{}/api/v1/pilots/{}/ocds", i.public_url, p.id),
        "version": "1.1",
        "publishedDate": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "publisher": {"name": i.site_name, "uri": i.public_url},
        "releases": [release],
    })
}
