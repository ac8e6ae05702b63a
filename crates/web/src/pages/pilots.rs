//! Pages for pilots and procurement checklists. Forms become the JSON the API takes and go
//! through the same functions; a problem shows the page again with each message by its field
//! and everything typed kept.

use axum::extract::{Path, Query, RawForm, State};
use axum::http::{Method, StatusCode};
use axum::routing::{MethodRouter, get, post};
use serde_json::{Map, Value, json};

use banyan_domain::CountryCode;

use super::forms::{self, FormData};
use super::{PageCtx, PageResult, options, redirect};
use crate::AppState;
use crate::api::pilots::{self as api, Reached};
use crate::problem::ApiError;

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/pilots/{id}", get(page)),
        (Method::POST, "/pilots/{id}/plan", post(revise)),
        (Method::POST, "/pilots/{id}/move", post(move_pilot)),
        (Method::POST, "/conversations/{id}/pilots", post(propose)),
        (Method::GET, "/procurement", get(checklists)),
        (Method::GET, "/procurement/new", get(new_checklist)),
        (Method::GET, "/procurement/{country}", get(checklist)),
        (Method::POST, "/procurement/{country}", post(save_checklist)),
    ]
}

/// A form's state: what was typed and the message for each field.
pub fn form_state(echo: Value, errors: Value) -> Value {
    json!({"form": echo, "errors": errors})
}

fn empty_form() -> Value {
    form_state(json!({}), json!({}))
}

/// Form fields named after the JSON they fill back, for showing errors by field.
fn field_of(path: &str) -> String {
    let renamed = match path {
        "budget.amount" | "budget" => "budget_amount",
        "budget.currency" => "budget_currency",
        "evaluation.summary" | "evaluation" => "summary",
        "evaluation.evidence_level" => "evidence_level",
        "award.date" | "award" => "award_date",
        "award.value.amount" | "award.value" => "award_amount",
        "award.value.currency" => "award_currency",
        "award.method" => "award_method",
        "award.contract_ends_on" => "contract_ends_on",
        "source" | "source.url" => "source_url",
        "source.title" => "source_title",
        other => {
            if let Some(rest) = other.strip_prefix("results[") {
                return format!("result_{}", rest.trim_end_matches(']'));
            }
            if let Some(rest) = other.strip_prefix("plan.") {
                return field_of(rest);
            }
            return other.to_string();
        }
    };
    renamed.to_string()
}

fn form_errors(ctx: &PageCtx, e: ApiError) -> Result<Value, ApiError> {
    forms::refused(ctx, e, field_of, "pilot-conflict")
}

fn number_or_text(s: &str) -> Value {
    match s.trim().replace(',', "").parse::<f64>() {
        Ok(n) if n.is_finite() => json!(n),
        _ => json!(s.trim()),
    }
}

/// An amount of money from the fields `<prefix>_amount` and `<prefix>_currency`.
fn money(form: &FormData, prefix: &str) -> Value {
    let mut m = Map::new();
    if let Some(a) = form.get(&format!("{prefix}_amount")) {
        m.insert("amount".into(), number_or_text(a));
    }
    if let Some(c) = form.get(&format!("{prefix}_currency")) {
        m.insert("currency".into(), json!(c.to_uppercase()));
    }
    Value::Object(m)
}

/// The plan's fields as the JSON the API takes. KPIs are one per line, `name | unit | baseline
/// | target`; responsibilities one per line, `who: what they do`.
pub fn plan_json(form: &FormData) -> Value {
    let mut plan = Map::new();
    for key in ["scope", "place", "starts_on", "ends_on"] {
        if let Some(v) = form.get(key) {
            plan.insert(key.into(), json!(v));
        }
    }
    if form.get("budget_amount").is_some() || form.get("budget_currency").is_some() {
        plan.insert("budget".into(), money(form, "budget"));
    }
    let kpis: Vec<Value> = form
        .raw("kpis")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            let mut k = Map::new();
            k.insert("name".into(), json!(parts[0]));
            if let Some(u) = parts.get(1).filter(|u| !u.is_empty()) {
                k.insert("unit".into(), json!(u));
            }
            for (i, key) in [(2, "baseline"), (3, "target")] {
                if let Some(v) = parts.get(i).filter(|v| !v.is_empty()) {
                    k.insert(key.into(), number_or_text(v));
                }
            }
            Value::Object(k)
        })
        .collect();
    plan.insert("kpis".into(), json!(kpis));
    let who: Vec<Value> = form
        .raw("responsibilities")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| match line.split_once(':') {
            Some((w, d)) => json!({"who": w.trim(), "does": d.trim()}),
            None => json!({"who": line.trim()}),
        })
        .collect();
    if !who.is_empty() {
        plan.insert("responsibilities".into(), json!(who));
    }
    Value::Object(plan)
}

/// The plan form filled from a stored plan.
fn plan_echo(plan: &Value) -> Value {
    let kpis: Vec<String> = plan["kpis"]
        .as_array()
        .map(|ks| {
            ks.iter()
                .map(|k| {
                    format!(
                        "{} | {} | {} | {}",
                        k["name"].as_str().unwrap_or_default(),
                        k["unit"].as_str().unwrap_or_default(),
                        k["baseline"],
                        k["target"]
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let who: Vec<String> = plan["responsibilities"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .map(|r| {
                    format!("{}: {}", r["who"].as_str().unwrap_or_default(), r["does"].as_str().unwrap_or_default())
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "scope": plan["scope"], "place": plan["place"], "starts_on": plan["starts_on"], "ends_on": plan["ends_on"],
        "budget_amount": plan["budget"]["amount"], "budget_currency": plan["budget"]["currency"],
        "kpis": kpis.join("\n"), "responsibilities": who.join("\n"),
    })
}

async fn render_pilot(
    state: &AppState,
    ctx: &PageCtx,
    r: &Reached,
    f: Value,
    plan_form: Option<Value>,
    status: StatusCode,
) -> PageResult {
    let p = api::view(state, r).await.map_err(|e| ctx.fail(e))?;
    let revising = plan_form.is_some();
    let plan_form = plan_form.unwrap_or_else(|| form_state(plan_echo(&p["plan"]), json!({})));
    ctx.render_status(
        state,
        status,
        "pilot.html",
        json!({
            "p": p, "f": f, "plan_form": plan_form, "revising": revising,
            "place_name": super::site::place_name(ctx.locale, r.pilot.plan.place),
            "evidence_levels": options("evidence-levels"), "methods": options("procurement-methods"),
        }),
    )
}

async fn page(State(state): State<AppState>, ctx: PageCtx, Path(id): Path<String>) -> PageResult {
    ctx.user()?;
    let r = api::reach(&state, &ctx.caller, &id).await.map_err(|e| ctx.fail(e))?;
    render_pilot(&state, &ctx, &r, empty_form(), None, StatusCode::OK).await
}

async fn revise(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    ctx.user()?;
    let form = FormData::parse(&body);
    let version = form.get("version").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let request = json!({"version": version, "plan": plan_json(&form)});
    match api::revise(&state, &ctx.caller, &id, &request).await {
        Ok(_) => Ok(redirect(&format!("/pilots/{id}?done=saved"))),
        Err(e) => {
            let errors = form_errors(&ctx, e).map_err(|e| ctx.fail(e))?;
            let r = api::reach(&state, &ctx.caller, &id).await.map_err(|e| ctx.fail(e))?;
            let plan_form = form_state(json!(form.echo()), errors);
            render_pilot(&state, &ctx, &r, empty_form(), Some(plan_form), StatusCode::BAD_REQUEST).await
        }
    }
}

/// A move's form as the JSON the API takes.
fn move_json(form: &FormData, kpis: usize) -> Value {
    let mut body = Map::new();
    body.insert("to".into(), json!(form.get("to").unwrap_or_default()));
    body.insert("version".into(), form.get("version").map(number_or_text).unwrap_or(Value::Null));
    if let Some(n) = form.get("note") {
        body.insert("note".into(), json!(n));
    }
    if form.get("to") == Some("evaluated") {
        let results: Vec<Value> =
            (0..kpis).map(|i| form.get(&format!("result_{i}")).map(number_or_text).unwrap_or(Value::Null)).collect();
        body.insert("results".into(), json!(results));
        let mut e = Map::new();
        if let Some(s) = form.get("summary") {
            e.insert("summary".into(), json!(s));
        }
        if let Some(l) = form.get("evidence_level") {
            e.insert("evidence_level".into(), number_or_text(l));
        }
        body.insert("evaluation".into(), Value::Object(e));
    }
    if form.get("to") == Some("adopted")
        && ["award_date", "award_amount", "award_method"].iter().any(|k| form.get(k).is_some())
    {
        let mut a = Map::new();
        if let Some(d) = form.get("award_date") {
            a.insert("date".into(), json!(d));
        }
        a.insert("value".into(), money(form, "award"));
        if let Some(m) = form.get("award_method") {
            a.insert("method".into(), json!(m));
        }
        if let Some(e) = form.get("contract_ends_on") {
            a.insert("contract_ends_on".into(), json!(e));
        }
        body.insert("award".into(), Value::Object(a));
    }
    Value::Object(body)
}

async fn move_pilot(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    ctx.user()?;
    let form = FormData::parse(&body);
    let r = api::reach(&state, &ctx.caller, &id).await.map_err(|e| ctx.fail(e))?;
    let request = move_json(&form, r.pilot.plan.kpis.len());
    match api::move_as(&state, &ctx.caller, &id, &request).await {
        Ok(_) => Ok(redirect(&format!("/pilots/{id}?done=saved"))),
        Err(e) => {
            let errors = form_errors(&ctx, e).map_err(|e| ctx.fail(e))?;
            let r = api::reach(&state, &ctx.caller, &id).await.map_err(|e| ctx.fail(e))?;
            render_pilot(&state, &ctx, &r, form_state(json!(form.echo()), errors), None, StatusCode::BAD_REQUEST).await
        }
    }
}

async fn propose(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    ctx.user()?;
    let form = FormData::parse(&body);
    match api::propose_in(&state, &ctx.caller, &id, &plan_json(&form)).await {
        Ok(r) => Ok(redirect(&format!("/pilots/{}?done=saved", r.pilot.id))),
        Err(e) => {
            let errors = form_errors(&ctx, e).map_err(|e| ctx.fail(e))?;
            let f = form_state(json!(form.echo()), errors);
            super::conversations::render(&state, &ctx, &id, f, StatusCode::BAD_REQUEST).await
        }
    }
}

fn country_name(ctx: &PageCtx, c: CountryCode) -> String {
    super::site::place_name(ctx.locale, banyan_domain::Place::Country(c))
}

async fn checklists(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    let items: Vec<Value> = state
        .store
        .checklists(None)
        .await
        .map_err(|e| ctx.fail(e))?
        .iter()
        .map(|c| json!({"country": c.country.code(), "name": country_name(&ctx, c.country), "steps": c.checklist.steps.len()}))
        .collect();
    ctx.render(&state, "procurement.html", json!({"items": items, "curator": ctx.caller.viewer.is_curator()}))
}

#[derive(serde::Deserialize)]
struct NewCountry {
    country: Option<String>,
}

/// The curators' "write a checklist for…" box leads to the country's page.
async fn new_checklist(ctx: PageCtx, Query(q): Query<NewCountry>) -> PageResult {
    let code = q.country.unwrap_or_default().trim().to_uppercase();
    let c = CountryCode::parse(&code)
        .map_err(|_| ctx.fail(ApiError::field("country", "invalid_value", "is not an ISO 3166-1 country code")))?;
    Ok(redirect(&format!("/procurement/{}", c.code())))
}

async fn render_checklist(
    state: &AppState,
    ctx: &PageCtx,
    code: &str,
    f: Option<Value>,
    status: StatusCode,
) -> PageResult {
    let c = CountryCode::parse(&code.to_uppercase())
        .map_err(|_| ctx.fail(ApiError::NotFound(format!("{code:?} is not a country code"))))?;
    let current = state.store.checklists(Some(c)).await.map_err(|e| ctx.fail(e))?.pop();
    let f = f.unwrap_or_else(|| {
        let echo = current.as_ref().map_or(json!({}), |x| {
            let steps: Vec<String> = x
                .checklist
                .steps
                .iter()
                .map(|s| {
                    let mut text = s.title.clone();
                    if let Some(d) = &s.detail {
                        text.push('\n');
                        text.push_str(d);
                    }
                    for doc in &s.documents {
                        text.push_str("\n- ");
                        text.push_str(doc);
                    }
                    text
                })
                .collect();
            json!({"rules": x.checklist.rules, "steps": steps.join("\n\n"),
                   "source_url": x.checklist.source.as_ref().map(|s| s.url.as_str()),
                   "source_title": x.checklist.source.as_ref().and_then(|s| s.title.clone())})
        });
        form_state(echo, json!({}))
    });
    ctx.render_status(
        state,
        status,
        "checklist.html",
        json!({"c": current, "code": c.code(), "name": country_name(ctx, c), "f": f,
               "curator": ctx.caller.viewer.is_curator()}),
    )
}

async fn checklist(State(state): State<AppState>, ctx: PageCtx, Path(code): Path<String>) -> PageResult {
    render_checklist(&state, &ctx, &code, None, StatusCode::OK).await
}

/// The checklist form as JSON: steps are separated by blank lines; a step's first line is its
/// title, lines starting with "- " are documents, the other lines its detail.
pub fn checklist_json(form: &FormData) -> Value {
    let mut body = Map::new();
    if let Some(r) = form.get("rules") {
        body.insert("rules".into(), json!(r));
    }
    if let Some(v) = form.get("version") {
        body.insert("version".into(), number_or_text(v));
    }
    let text = form.raw("steps").replace("\r\n", "\n");
    let steps: Vec<Value> = text
        .split("\n\n")
        .filter(|s| !s.trim().is_empty())
        .map(|block| {
            let mut lines = block.lines().map(str::trim).filter(|l| !l.is_empty());
            let title = lines.next().unwrap_or_default();
            let (mut detail, mut docs) = (Vec::new(), Vec::new());
            for l in lines {
                match l.strip_prefix("- ").or_else(|| l.strip_prefix("• ")) {
                    Some(d) => docs.push(d.trim().to_string()),
                    None => detail.push(l),
                }
            }
            let mut s = json!({"title": title, "documents": docs});
            if !detail.is_empty() {
                s["detail"] = json!(detail.join("\n"));
            }
            s
        })
        .collect();
    body.insert("steps".into(), json!(steps));
    if let Some(u) = form.get("source_url") {
        let mut s = json!({"url": u});
        if let Some(t) = form.get("source_title") {
            s["title"] = json!(t);
        }
        body.insert("source".into(), s);
    }
    Value::Object(body)
}

async fn save_checklist(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(code): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    ctx.user()?;
    let form = FormData::parse(&body);
    match api::save_checklist(&state, &ctx.caller, &code, &checklist_json(&form)).await {
        Ok(saved) => Ok(redirect(&format!("/procurement/{}?done=saved", saved.country.code()))),
        Err(e) => {
            let errors = form_errors(&ctx, e).map_err(|e| ctx.fail(e))?;
            let f = form_state(json!(form.echo()), errors);
            render_checklist(&state, &ctx, &code, Some(f), StatusCode::BAD_REQUEST).await
        }
    }
}
