//! Pages for submitters: "Submit your idea", the practice form, editing, the dashboard, and the
//! buttons that move a record along, comment on it or report it.

use axum::extract::{Path, RawForm, State};
use axum::http::{Method, StatusCode};
use axum::routing::{MethodRouter, get, post};
use serde_json::{Value, json};

use banyan_domain::record::InputMode;
use banyan_domain::workflow;
use banyan_domain::{Kind, Record, RecordInput, Status, limits};
use banyan_store::ReportTarget;

use super::forms::{self, Field, FormData};
use super::{PageCtx, PageResult, form_languages, options, redirect, sdg_goals, sector_divisions};
use crate::AppState;
use crate::api::records::{check_member_input, create_owned, visible};
use crate::api::workflow::{apply_transition, post_comment};
use crate::problem::ApiError;

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/submit", get(submit_form)),
        (Method::POST, "/submit", post(submit)),
        (Method::GET, "/records/new", get(practice_form)),
        (Method::POST, "/records/new", post(create_practice)),
        (Method::GET, "/records/{id}/edit", get(edit_form)),
        (Method::POST, "/records/{id}/edit", post(edit)),
        (Method::POST, "/records/{id}/transition", post(transition)),
        (Method::POST, "/records/{id}/comment", post(comment)),
        (Method::POST, "/records/{id}/report", post(report)),
        (Method::GET, "/my", get(dashboard)),
    ]
}

/// The practice form's fields, by the JSON path each fills.
const PRACTICE: &[(&str, Field)] = &[
    ("title", Field::Text),
    ("summary", Field::Text),
    ("lang", Field::Text),
    ("organisation", Field::Text),
    ("places", Field::Csv),
    ("level_of_government", Field::Text),
    ("sdgs", Field::Csv),
    ("sectors", Field::Csv),
    ("innovation_types", Field::Multi),
    ("themes", Field::Csv),
    ("details.problem", Field::Text),
    ("details.solution", Field::Text),
    ("details.stage", Field::Text),
    ("details.started_on", Field::Text),
    ("details.beneficiaries", Field::Text),
    ("details.results", Field::Text),
    ("details.evidence_level", Field::Number),
    ("details.tcv.before.time_days", Field::Number),
    ("details.tcv.after.time_days", Field::Number),
    ("details.tcv.before.cost", Field::Number),
    ("details.tcv.after.cost", Field::Number),
    ("details.tcv.before.visits", Field::Number),
    ("details.tcv.after.visits", Field::Number),
    ("details.tcv.currency", Field::Text),
    ("details.tcv.yearly_volume", Field::Number),
    ("details.lessons", Field::Text),
    ("details.conditions_for_replication", Field::Text),
    ("details.links", Field::Lines),
    ("details.contact.name", Field::Text),
    ("details.contact.email", Field::Text),
    ("details.contact.phone", Field::Text),
];

/// The idea edit form's fields.
const IDEA: &[(&str, Field)] = &[
    ("title", Field::Text),
    ("summary", Field::Text),
    ("lang", Field::Text),
    ("places", Field::Csv),
    ("sdgs", Field::Csv),
    ("sectors", Field::Csv),
    ("details.problem", Field::Text),
    ("details.idea", Field::Text),
    ("details.expected_benefit", Field::Text),
];

/// Fields a form asks for that the record model leaves optional (a draft may be partial, but a
/// form submission should not be empty).
fn required(form: &FormData, names: &[&str], errors: &mut std::collections::BTreeMap<String, String>) {
    for name in names {
        if form.get(name).is_none() {
            errors.entry(name.to_string()).or_insert_with(|| "err-required".to_string());
        }
    }
}

fn status_from(form: &FormData) -> Status {
    if form.get("action") == Some("draft") { Status::Draft } else { Status::Submitted }
}

async fn submit_form(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    ctx.user()?;
    ctx.render(&state, "submit.html", submit_options(json!({"form": {"lang": "en"}})))
}

fn submit_options(mut v: Value) -> Value {
    v["countries"] = options("countries");
    v["sdg_options"] = sdg_goals();
    v["sector_options"] = sector_divisions();
    v["languages"] = form_languages();
    v
}

async fn submit(State(state): State<AppState>, ctx: PageCtx, RawForm(body): RawForm) -> PageResult {
    ctx.user()?;
    let form = FormData::parse(&body);
    if form.get("action") == Some("suggest") {
        return suggest(&state, &ctx, &form);
    }
    let mut json = json!({"kind": "idea", "status": status_from(&form).code()});
    forms::apply(
        &mut json,
        &form,
        &[
            ("title", Field::Text),
            ("lang", Field::Text),
            ("sdgs", Field::Multi),
            ("sectors", Field::Text),
            ("details.problem", Field::Text),
            ("details.idea", Field::Text),
        ],
    );
    if let Some(sector) = json.get("sectors").cloned() {
        json["sectors"] = json!([sector]);
    }
    let places: Vec<&str> = [form.get("places"), form.get("subdivision")].into_iter().flatten().collect();
    if !places.is_empty() {
        json["places"] = json!(places);
    }
    let mut errors = std::collections::BTreeMap::new();
    required(&form, &["title", "details.problem", "details.idea", "lang"], &mut errors);
    let parsed = RecordInput::from_json(&json, InputMode::Create);
    if let Err(v) = &parsed {
        for (k, m) in forms::errors(v, ctx.locale) {
            // A bad subdivision code is reported against the field it was typed in.
            let k = if k == "places" && form.get("subdivision").is_some() { "subdivision".to_string() } else { k };
            errors.entry(k).or_insert(m);
        }
    }
    if !errors.is_empty() {
        return ctx.form_again(&state, "submit.html", &form, errors, submit_options(json!({})));
    }
    let input = parsed.expect("no errors");
    if let Some(shown) = duplicates_first(&state, &ctx, &form, &input).await? {
        return ctx.render(
            &state,
            "submit.html",
            submit_options(json!({"form": form.echo(), "checked": form.checked(), "duplicates": shown})),
        );
    }
    create(&state, &ctx, input).await
}

/// Published records that may say the same as a submission, if the person has not seen them yet
/// ("Is your idea already here?"). Drafts are saved without asking.
async fn duplicates_first(
    state: &AppState,
    ctx: &PageCtx,
    form: &FormData,
    input: &RecordInput,
) -> Result<Option<Vec<Value>>, super::PageError> {
    if input.content.status != Status::Submitted || form.get("duplicates_seen").is_some() {
        return Ok(None);
    }
    let found = possible_duplicates(state, input_text(input), None).await.map_err(|e| ctx.fail(e))?;
    Ok((!found.is_empty()).then_some(found))
}

/// The title and the long texts of a record, to compare.
fn input_text(input: &RecordInput) -> (String, String) {
    (input.content.title.clone(), input.content.long_text())
}

/// Published records worth showing as possible duplicates of a text, most likely first.
pub async fn possible_duplicates(
    state: &AppState,
    (title, text): (String, String),
    exclude: Option<uuid::Uuid>,
) -> Result<Vec<Value>, ApiError> {
    let draft = banyan_search::duplicates::Draft { title, text, kinds: Vec::new(), exclude };
    let found =
        crate::api::search::on_index(state, move |index| banyan_search::duplicates::duplicates(index, &draft, 5))
            .await?;
    Ok(found
        .into_iter()
        .filter(|d| d.likely || d.score >= SHOW_DUPLICATE_FROM)
        .map(|d| {
            let kind = Kind::parse(&d.kind).map(|k| k.label()).unwrap_or("Record");
            json!({"id": d.id, "title": d.title, "summary": d.summary, "kind": kind, "score": d.score, "likely": d.likely})
        })
        .collect())
}

/// Weaker resemblances are not worth a person's attention.
const SHOW_DUPLICATE_FROM: f32 = 0.4;

/// Goals to suggest for a text: the trained classifier's, or, for text it cannot read (it
/// learnt from English), the multilingual keyword hints.
pub fn suggested_goals(text: &str) -> Vec<String> {
    let goals: Vec<String> = banyan_classify::Classifier::shipped().suggest(text).iter().map(u8::to_string).collect();
    if !goals.is_empty() {
        return goals;
    }
    banyan_domain::suggest::suggest(text).sdgs.iter().map(|g| g.code().to_string()).collect()
}

/// Shows the form again with goals and a sector suggested from what was written, checked for
/// the person to confirm or change.
fn suggest(state: &AppState, ctx: &PageCtx, form: &FormData) -> PageResult {
    let text =
        ["title", "details.problem", "details.idea"].iter().filter_map(|f| form.get(f)).collect::<Vec<_>>().join(". ");
    let found = banyan_domain::suggest::suggest(&text);
    let goals = suggested_goals(&text);
    let mut checked = form.checked();
    let sdgs = checked.entry("sdgs".to_string()).or_default();
    for g in &goals {
        if !sdgs.iter().any(|s| s == g) {
            sdgs.push(g.clone());
        }
    }
    let mut echo = form.echo();
    if let Some(sector) = found.sector
        && form.get("sectors").is_none()
    {
        echo.insert("sectors".into(), sector.code().to_string());
    }
    let notice = if goals.is_empty() && found.sector.is_none() {
        ctx.t("suggest-none")
    } else {
        let goals: Vec<String> = goals.iter().map(|g| format!("SDG {g}")).collect();
        let mut list = goals;
        if let Some(s) = found.sector {
            list.push(super::label(ctx.locale, "cofog", s.code()));
        }
        let mut args = fluent_bundle::FluentArgs::new();
        args.set("suggestions", list.join(", "));
        ctx.locale.text("suggest-found", Some(&args))
    };
    ctx.render(state, "submit.html", submit_options(json!({"form": echo, "checked": checked, "suggested": notice})))
}

async fn create(state: &AppState, ctx: &PageCtx, input: RecordInput) -> PageResult {
    let draft = input.content.status == Status::Draft;
    match create_owned(state, &ctx.caller, input).await {
        Ok(_) => Ok(redirect(if draft { "/my?done=draft" } else { "/my?done=submitted" })),
        Err(e) => Err(ctx.fail(e)),
    }
}

async fn practice_options(state: &AppState, ctx: &PageCtx, mut v: Value) -> Result<Value, super::PageError> {
    let mut orgs = Vec::new();
    for (org, role) in &ctx.caller.viewer.memberships {
        if role.can_edit()
            && let Some(o) = state.store.organisation(*org).await.map_err(|e| ctx.fail(e))?
        {
            orgs.push(json!({"code": o.id, "name": o.content.name}));
        }
    }
    v["organisations"] = json!(orgs);
    v["languages"] = form_languages();
    v["levels"] = options("levels");
    v["stages"] = options("stages");
    v["evidence_levels"] = options("evidence-levels");
    v["innovation_types"] = options("innovation-types");
    Ok(v)
}

async fn practice_form(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    ctx.user()?;
    let v = practice_options(
        &state,
        &ctx,
        json!({"heading": "practice-new-title", "action": "/records/new", "form": {"lang": "en"}}),
    )
    .await?;
    ctx.render(&state, "practice_form.html", v)
}

async fn create_practice(State(state): State<AppState>, ctx: PageCtx, RawForm(body): RawForm) -> PageResult {
    ctx.user()?;
    let form = FormData::parse(&body);
    if form.get("action") == Some("suggest") {
        let text = ["title", "summary", "details.problem", "details.solution", "details.results"]
            .iter()
            .filter_map(|f| form.get(f))
            .collect::<Vec<_>>()
            .join(". ");
        let goals = suggested_goals(&text);
        let mut echo = form.echo();
        let mut current: Vec<String> = form
            .get("sdgs")
            .unwrap_or_default()
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        for g in &goals {
            if !current.iter().any(|c| c == g || c.split('.').next() == Some(g)) {
                current.push(g.clone());
            }
        }
        echo.insert("sdgs".into(), current.join(", "));
        let notice = if goals.is_empty() {
            ctx.t("suggest-none")
        } else {
            let mut args = fluent_bundle::FluentArgs::new();
            args.set("suggestions", goals.iter().map(|g| format!("SDG {g}")).collect::<Vec<_>>().join(", "));
            ctx.locale.text("suggest-found", Some(&args))
        };
        let v = practice_options(
            &state,
            &ctx,
            json!({"heading": "practice-new-title", "action": "/records/new", "form": echo, "checked": form.checked(), "suggested": notice}),
        )
        .await?;
        return ctx.render(&state, "practice_form.html", v);
    }
    let mut json = json!({"kind": "practice", "status": status_from(&form).code()});
    forms::apply(&mut json, &form, PRACTICE);
    let mut errors = std::collections::BTreeMap::new();
    required(&form, &["title", "lang", "details.problem", "details.solution"], &mut errors);
    let parsed = RecordInput::from_json(&json, InputMode::Create);
    if let Err(v) = &parsed {
        for (k, m) in forms::errors(v, ctx.locale) {
            errors.entry(k).or_insert(m);
        }
    }
    if errors.is_empty()
        && let Err(ApiError::Invalid(v)) = check_member_input(&ctx.caller, parsed.as_ref().expect("valid"), None)
    {
        errors.extend(forms::errors(&v, ctx.locale));
    }
    if !errors.is_empty() {
        let v =
            practice_options(&state, &ctx, json!({"heading": "practice-new-title", "action": "/records/new"})).await?;
        return ctx.form_again(&state, "practice_form.html", &form, errors, v);
    }
    let input = parsed.expect("no errors");
    if let Some(shown) = duplicates_first(&state, &ctx, &form, &input).await? {
        let v = practice_options(
            &state,
            &ctx,
            json!({"heading": "practice-new-title", "action": "/records/new", "form": form.echo(), "checked": form.checked(), "duplicates": shown}),
        )
        .await?;
        return ctx.render(&state, "practice_form.html", v);
    }
    create(&state, &ctx, input).await
}

/// The record, if the caller may edit it here (ideas and practices; other kinds through the API).
async fn editable(
    state: &AppState,
    ctx: &PageCtx,
    id: &str,
) -> Result<(Record, &'static [(&'static str, Field)]), super::PageError> {
    ctx.user()?;
    let id = crate::api::records::record_id(id).map_err(|e| ctx.fail(e))?;
    let record = visible(state, &ctx.caller, id).await.map_err(|e| ctx.fail(e))?;
    if !ctx.caller.viewer.can_edit(&record) {
        return Err(ctx.fail(ApiError::Forbidden(format!(
            "this {} cannot be changed while it is {}",
            record.kind().label().to_lowercase(),
            record.content.status.label().to_lowercase()
        ))));
    }
    let fields = match record.kind() {
        Kind::Idea => IDEA,
        Kind::Practice => PRACTICE,
        _ => return Err(ctx.fail(ApiError::Forbidden("edit this kind of record through the API for now".into()))),
    };
    Ok((record, fields))
}

async fn edit_page(
    state: &AppState,
    ctx: &PageCtx,
    record: &Record,
    form: Value,
    checked: Value,
    errors: Value,
    status: StatusCode,
) -> PageResult {
    let common = json!({"action": format!("/records/{}/edit", record.id), "version": record.version, "form": form, "checked": checked, "errors": errors,
                        "problem": (status != StatusCode::OK).then_some("Please correct what is marked below.")});
    if record.kind() == Kind::Idea {
        let mut v = common;
        v["languages"] = form_languages();
        return ctx.render_status(state, status, "idea_form.html", v);
    }
    let mut v = practice_options(state, ctx, common).await?;
    v["heading"] = json!("practice-edit-title");
    ctx.render_status(state, status, "practice_form.html", v)
}

async fn edit_form(State(state): State<AppState>, ctx: PageCtx, Path(id): Path<String>) -> PageResult {
    let (record, fields) = editable(&state, &ctx, &id).await?;
    let (form, checked) = forms::fill(&record.to_json(), fields);
    edit_page(&state, &ctx, &record, json!(form), json!(checked), json!({}), StatusCode::OK).await
}

async fn edit(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    let (record, fields) = editable(&state, &ctx, &id).await?;
    let form = FormData::parse(&body);
    let version: i64 = form.get("version").and_then(|v| v.parse().ok()).unwrap_or(record.version);
    if version != record.version {
        return Err(ctx.fail(ApiError::Conflict { expected: version, current: record.version }));
    }
    let mut json = record.to_json();
    forms::apply(&mut json, &form, fields);
    let errors = match RecordInput::from_json(&json, InputMode::Update { kind: record.kind() }) {
        Ok(input) => match check_member_input(&ctx.caller, &input, Some(&record)) {
            Ok(()) => {
                let actor = ctx.caller.require_writer().map_err(|e| ctx.fail(e))?;
                match state.store.update_record(record.id, version, input, &actor).await {
                    Ok(_) => return Ok(redirect("/my?done=saved")),
                    Err(banyan_store::StoreError::Invalid(v)) => forms::errors(&v, ctx.locale),
                    Err(e) => return Err(ctx.fail(e)),
                }
            }
            Err(ApiError::Invalid(v)) => forms::errors(&v, ctx.locale),
            Err(e) => return Err(ctx.fail(e)),
        },
        Err(v) => forms::errors(&v, ctx.locale),
    };
    edit_page(&state, &ctx, &record, json!(form.echo()), json!(form.checked()), json!(errors), StatusCode::BAD_REQUEST)
        .await
}

/// Where to go back to after acting on a record.
fn back(ctx: &PageCtx, record: &Record) -> String {
    if ctx.caller.is_staff() && !ctx.caller.viewer.is_editor_of(record) {
        format!("/review/{}", record.id)
    } else {
        "/my".to_string()
    }
}

async fn transition(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    ctx.user()?;
    let form = FormData::parse(&body);
    let id = crate::api::records::record_id(&id).map_err(|e| ctx.fail(e))?;
    let to = Status::parse(form.raw("to")).map_err(|e| ctx.fail(ApiError::field("to", "invalid_value", e.message)))?;
    let comment = form.block("comment", limits::LONG_TEXT);
    let record = apply_transition(&state, &ctx.caller, id, to, comment).await.map_err(|e| ctx.fail(e))?;
    Ok(redirect(&format!("{}?done=moved", back(&ctx, &record))))
}

async fn comment(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    ctx.user()?;
    let form = FormData::parse(&body);
    let record = crate::api::workflow::discussable(&state, &ctx.caller, &id).await.map_err(|e| ctx.fail(e))?;
    let Some(body) = form.block("body", limits::LONG_TEXT) else {
        return Err(ctx.fail(ApiError::field("body", "required", "write a message first")));
    };
    post_comment(&state, &ctx.caller, &record, &body).await.map_err(|e| ctx.fail(e))?;
    Ok(redirect(&format!("{}?done=comment", back(&ctx, &record))))
}

async fn report(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    ctx.user()?;
    let form = FormData::parse(&body);
    let id = crate::api::records::record_id(&id).map_err(|e| ctx.fail(e))?;
    visible(&state, &ctx.caller, id).await.map_err(|e| ctx.fail(e))?;
    let Some(reason) = form.block("reason", 2000) else {
        return Err(ctx.fail(ApiError::field("reason", "required", "say what is wrong")));
    };
    crate::api::moderation::file_report(&state, &ctx.caller, ReportTarget::Record(id), &reason)
        .await
        .map_err(|e| ctx.fail(e))?;
    ctx.render(&state, "message.html", json!({"heading": "msg-thanks", "paragraphs": ["notice-reported"]}))
}

/// The label of the button that moves a record to `to`.
pub fn action_label(to: Status) -> &'static str {
    match to {
        Status::Submitted => "Submit for review",
        Status::InReview => "Take into review",
        Status::ChangesRequested => "Ask for changes",
        Status::Published => "Publish",
        Status::Archived => "Archive",
        Status::Withdrawn => "Withdraw",
        Status::Draft => "Reopen as a draft",
    }
}

async fn dashboard(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    let user = ctx.user()?.clone();
    let data = crate::api::me::dashboard_data(&state, &user).await.map_err(|e| ctx.fail(e))?;
    let mut records = Vec::new();
    for item in data["records"].as_array().cloned().unwrap_or_default() {
        let Some(id) = item["id"].as_str().and_then(|i| banyan_domain::RecordId::parse(i).ok()) else { continue };
        let Ok(record) = visible(&state, &ctx.caller, id).await else {
            // Hidden records are the moderators' alone; the owner still sees that one exists.
            let mut item = item;
            item["hidden"] = json!(true);
            records.push(item);
            continue;
        };
        let actors = ctx.caller.viewer.actors(&record);
        let next: Vec<Value> =
            workflow::next(record.content.status, banyan_domain::workflow::Actors { curator: false, ..actors })
                .into_iter()
                .map(|to| json!({"code": to.code(), "label": action_label(to)}))
                .collect();
        let mut item = item;
        item["public"] = json!(record.is_public());
        item["editable"] =
            json!(ctx.caller.viewer.can_edit(&record) && matches!(record.kind(), Kind::Idea | Kind::Practice));
        item["next"] = json!(next);
        item["can_reply"] = json!(ctx.caller.viewer.can_discuss(&record));
        records.push(item);
    }
    let work = matching_work(&state, &ctx).await.map_err(|e| ctx.fail(e))?;
    ctx.render(&state, "my.html", json!({"records": records, "work": work}))
}

/// What officials and providers follow: their challenges with their best matches and pilots,
/// their solutions with the open challenges they fit, their pilots and unread conversations.
async fn matching_work(state: &AppState, ctx: &PageCtx) -> Result<Value, ApiError> {
    let locale = ctx.locale;
    let mine = crate::api::conversations::my_records(state, &ctx.caller).await?;
    let pilots = crate::api::pilots::my_pilots(state, &ctx.caller).await?;
    let (mut challenges, mut solutions) = (Vec::new(), Vec::new());
    // Bounded: the first 10 of each, with three matches each (every match is a search).
    for id in &mine {
        let Some(r) = crate::api::conversations::live(state, *id).await? else { continue };
        let (list, kinds): (&mut Vec<Value>, &[Kind]) = match r.kind() {
            Kind::Challenge => (&mut challenges, &[Kind::Practice, Kind::Solution]),
            Kind::Solution => (&mut solutions, &[Kind::Challenge]),
            _ => continue,
        };
        if list.len() >= 10 {
            continue;
        }
        // Published ones only (a restricted challenge too: its own officials see its matches).
        let matches: Vec<Value> = if r.content.status == Status::Published && !r.content.hidden {
            crate::api::matching::matches(state, &r, kinds, 3)
                .await?
                .into_iter()
                .map(|m| {
                    json!({"title": m["title"], "href": format!("/records/{}", m["id"].as_str().unwrap_or_default()),
                           "fit": locale.number((m["score"].as_f64().unwrap_or(0.0) * 100.0).round(), 0)})
                })
                .collect()
        } else {
            Vec::new()
        };
        let state_code = match &r.content.details {
            banyan_domain::Details::Challenge(c) => Some(c.state.unwrap_or(banyan_domain::ChallengeState::Open).code()),
            _ => None,
        };
        let own_pilots: Vec<Value> = pilots
            .iter()
            .filter(|p| p.challenge.id == r.id || p.offer.id == r.id)
            .map(|p| {
                json!({"id": p.pilot.id, "status": p.pilot.status.code(),
                            "place": super::site::place_name(locale, p.pilot.plan.place)})
            })
            .collect();
        list.push(json!({"id": r.id, "title": r.content.title, "public": r.is_public(), "state": state_code,
                         "matches": matches, "pilots": own_pilots}));
    }
    let awaiting: Vec<Value> =
        pilots.iter().map(crate::api::pilots::summary).filter(|s| s["awaiting_you"] == json!(true)).collect();
    Ok(json!({"challenges": challenges, "solutions": solutions, "awaiting": awaiting, "pilots": pilots.len()}))
}
