//! Pilots: proposed in a conversation, agreed by the other side, run, evaluated against their
//! KPIs, and adopted or stopped. Only the two sides move a pilot (the rules are in
//! `banyan_domain::pilot`); curators invited to the conversation read it. Adoption writes the
//! evidence into a practice record and closes the challenge as solved, both as revisions by
//! Banyan itself (`system:pilots`). Procurement checklists are public and kept by curators.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};
use utoipa_axum::{router::OpenApiRouter, routes};

use banyan_domain::pilot::{self, Move};
use banyan_domain::{
    Award, ChallengeState, Checklist, CountryCode, Details, Evaluation, Kind, Pilot, PilotId, PilotPlan, PilotStatus,
    Record, RecordInput, Side, Stage, Status,
};
use banyan_store::{Actor, Conversation, PilotStep, ProcurementChecklist, StoreError};

use super::JsonResponse;
use super::conversations::{live, notify_everyone, reachable};
use crate::AppState;
use crate::auth::Caller;
use crate::extract::{JsonBody, read_body};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::schema::*;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(propose))
        .routes(routes!(list_pilots))
        .routes(routes!(get_pilot))
        .routes(routes!(revise_plan))
        .routes(routes!(move_pilot))
        .routes(routes!(ocds))
        .routes(routes!(list_checklists))
        .routes(routes!(get_checklist, put_checklist))
}

/// A pilot the caller may see, with its conversation, records and the caller's side (`None`
/// for an invited curator). Anyone else gets "not found".
pub(crate) struct Reached {
    pub pilot: Pilot,
    pub conversation: Conversation,
    pub challenge: Record,
    pub offer: Record,
    pub side: Option<Side>,
}

pub(crate) async fn reach(state: &AppState, caller: &Caller, id: &str) -> ApiResult<Reached> {
    let not_found = || ApiError::NotFound(format!("there is no pilot {id} of yours"));
    let pid = PilotId::parse(id).map_err(|_| not_found())?;
    caller.user.as_ref().ok_or_else(Caller::unauthenticated)?;
    let pilot = state.store.pilot(pid).await?.ok_or_else(not_found)?;
    let (conversation, challenge, offer, side) =
        reachable(state, caller, &pilot.conversation_id.to_string()).await.map_err(|e| match e {
            ApiError::NotFound(_) => not_found(),
            other => other,
        })?;
    Ok(Reached { pilot, conversation, challenge, offer, side })
}

/// The pilot as the API shows it: the stored pilot, with each KPI's standing, the caller's
/// side and the moves open to them, the two records, its history and the procurement
/// checklist of its country.
pub(crate) async fn view(state: &AppState, r: &Reached) -> ApiResult<Value> {
    let mut v = serde_json::to_value(&r.pilot).map_err(|e| ApiError::Internal(e.to_string()))?;
    if let Some(kpis) = v["plan"]["kpis"].as_array_mut() {
        for (k, kpi) in kpis.iter_mut().zip(&r.pilot.plan.kpis) {
            k["met"] = json!(kpi.met());
            k["progress_percent"] = json!(kpi.progress_percent().map(|p| (p * 10.0).round() / 10.0));
        }
    }
    v["your_side"] = json!(r.side.map(|s| s.as_str()).unwrap_or("curator"));
    v["moves"] =
        json!(r.side.map(|s| r.pilot.moves_for(s)).unwrap_or_default().iter().map(|m| m.code()).collect::<Vec<_>>());
    v["plan_open"] = json!(r.side.is_some() && r.pilot.plan_open());
    v["challenge"] = json!({"id": r.challenge.id, "title": r.challenge.content.title});
    v["offer"] = json!({"id": r.offer.id, "kind": r.offer.kind().code(), "title": r.offer.content.title});
    v["events"] = json!(state.store.pilot_events(r.pilot.id).await?);
    let country = r.pilot.plan.place.country();
    v["procurement"] = json!(state.store.checklists(Some(country)).await?.pop());
    Ok(v)
}

fn read_plan(body: &Value) -> ApiResult<PilotPlan> {
    let plan = read_body(body, PilotPlan::read)?;
    plan.ok_or_else(|| ApiError::Internal("a plan without violations reads".into()))
}

/// Proposes a pilot in an open conversation. Either side may; the other side agrees.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/pilots", tag = "pilots", params(("id" = uuid::Uuid, Path)),
    request_body(content = banyan_domain::PilotPlan, content_type = "application/json"),
    responses((status = 201, body = PilotDoc), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn propose(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<JsonResponse> {
    let r = propose_in(&state, &caller, &id, &body).await?;
    let location = format!("{}/api/v1/pilots/{}", state.config.public_url, r.pilot.id);
    Ok(JsonResponse::with_status(StatusCode::CREATED, &view(&state, &r).await?)
        .header(axum::http::header::LOCATION, &location))
}

pub(crate) async fn propose_in(state: &AppState, caller: &Caller, id: &str, body: &Value) -> ApiResult<Reached> {
    let (_, actor) = caller.require_member()?;
    let (c, challenge, offer, side) = reachable(state, caller, id).await?;
    let side = side.ok_or_else(|| ApiError::Forbidden("the two sides propose pilots; curators facilitate".into()))?;
    let plan = read_plan(body)?;
    let now = chrono::Utc::now();
    let pilot = Pilot {
        id: PilotId::new(),
        conversation_id: c.id,
        challenge_id: challenge.id,
        offer_id: offer.id,
        status: PilotStatus::Proposed,
        proposed_by: side,
        plan,
        evaluation: None,
        award: None,
        practice_id: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let pilot = state.store.create_pilot(&pilot, &actor).await?;
    let text = format!(
        "A pilot of “{}” for “{}” is proposed. Read the plan and agree to it, or propose changes.",
        offer.content.title, challenge.content.title
    );
    tell(state, caller, &challenge, &offer, "A pilot is proposed", &text, &c).await?;
    Ok(Reached { pilot, conversation: c, challenge, offer, side: Some(side) })
}

/// Mails both sides and the invited curators (but not the caller) about the pilot's
/// conversation.
async fn tell(
    state: &AppState,
    caller: &Caller,
    challenge: &Record,
    offer: &Record,
    subject: &str,
    text: &str,
    c: &Conversation,
) -> ApiResult<()> {
    let me: Vec<_> = caller.user.as_ref().map(|u| u.id).into_iter().collect();
    notify_everyone(state, c, challenge, offer, &me, subject, text).await
}

/// The caller's pilots: in the conversations about records they own or edit, or to which they
/// were invited as curators; most recently changed first.
#[utoipa::path(get, path = "/api/v1/pilots", tag = "pilots",
    responses((status = 200, body = PilotsDoc), (status = 401, body = Problem)))]
async fn list_pilots(State(state): State<AppState>, caller: Caller) -> ApiResult<JsonResponse> {
    let items = my_pilots(&state, &caller).await?;
    let mut out = Vec::new();
    for r in &items {
        out.push(summary(r));
    }
    Ok(JsonResponse::ok(&json!({"items": out})).header(axum::http::header::CACHE_CONTROL, "private, no-store"))
}

pub(crate) fn summary(r: &Reached) -> Value {
    json!({
        "id": r.pilot.id, "status": r.pilot.status.code(), "place": r.pilot.plan.place.code(),
        "starts_on": r.pilot.plan.starts_on, "ends_on": r.pilot.plan.ends_on,
        "challenge": {"id": r.challenge.id, "title": r.challenge.content.title},
        "offer": {"id": r.offer.id, "kind": r.offer.kind().code(), "title": r.offer.content.title},
        "your_side": r.side.map(|s| s.as_str()).unwrap_or("curator"),
        "awaiting_you": r.side.is_some_and(|s| {
            r.pilot.moves_for(s).iter().any(|m| *m != PilotStatus::Stopped)
        }),
        "updated_at": r.pilot.updated_at,
    })
}

pub(crate) async fn my_pilots(state: &AppState, caller: &Caller) -> ApiResult<Vec<Reached>> {
    let user = caller.user.as_ref().ok_or_else(Caller::unauthenticated)?;
    let mine = super::conversations::my_records(state, caller).await?;
    let conversations = state.store.conversations_about(&mine, Some(user.id)).await?;
    let ids: Vec<_> = conversations.iter().map(|c| c.id).collect();
    let mut out = Vec::new();
    for p in state.store.pilots(&ids, None).await? {
        if let Ok(r) = reach(state, caller, &p.id.to_string()).await {
            out.push(r);
        }
    }
    Ok(out)
}

/// One pilot with its history, the moves open to the caller and its country's procurement
/// checklist.
#[utoipa::path(get, path = "/api/v1/pilots/{id}", tag = "pilots", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = PilotDoc), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn get_pilot(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<JsonResponse> {
    let r = reach(&state, &caller, &id).await?;
    Ok(JsonResponse::ok(&view(&state, &r).await?).header(axum::http::header::CACHE_CONTROL, "private, no-store"))
}

/// Replaces the plan while the pilot is proposed: a counter-proposal, which the other side
/// then agrees to. `version` is the version edited.
#[utoipa::path(put, path = "/api/v1/pilots/{id}/plan", tag = "pilots", params(("id" = uuid::Uuid, Path)),
    request_body(content = ReviseRequestDoc, content_type = "application/json"),
    responses((status = 200, body = PilotDoc), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn revise_plan(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<JsonResponse> {
    let r = revise(&state, &caller, &id, &body).await?;
    Ok(JsonResponse::ok(&view(&state, &r).await?))
}

pub(crate) async fn revise(state: &AppState, caller: &Caller, id: &str, body: &Value) -> ApiResult<Reached> {
    let (_, actor) = caller.require_member()?;
    let mut r = reach(state, caller, id).await?;
    let side =
        r.side.ok_or_else(|| ApiError::Forbidden("the two sides change the plan; curators facilitate".into()))?;
    let version = super::read_version(body, "pilot")?;
    let plan_body = body.get("plan").cloned().unwrap_or(Value::Null);
    let plan = read_body(&plan_body, PilotPlan::read).map_err(|e| prefix(e, "plan"))?;
    let plan = plan.ok_or_else(|| ApiError::Internal("a plan without violations reads".into()))?;
    let mut pilot = r.pilot.clone();
    pilot.revise(plan, side).map_err(ApiError::Invalid)?;
    let step = PilotStep { action: "revised".into(), from: Some(r.pilot.status), side: Some(side), note: None };
    r.pilot = state.store.save_pilot(&pilot, version, &step, &actor).await?;
    let text = format!(
        "The plan for the pilot of “{}” for “{}” was changed. Read it and agree to it, or propose changes.",
        r.offer.content.title, r.challenge.content.title
    );
    tell(state, caller, &r.challenge, &r.offer, "A pilot's plan changed", &text, &r.conversation).await?;
    Ok(r)
}

/// Violations of a nested body, named from the whole body (`plan.kpis[0].target`).
fn prefix(e: ApiError, key: &str) -> ApiError {
    match e {
        ApiError::Invalid(v) => ApiError::Invalid(banyan_domain::Violations(
            v.0.into_iter()
                .map(|mut x| {
                    x.field = if x.field.is_empty() { key.to_string() } else { format!("{key}.{}", x.field) };
                    x.pointer = format!("/{key}{}", x.pointer);
                    x
                })
                .collect(),
        )),
        other => other,
    }
}

/// What a move carries, read from its body.
struct MoveRequest {
    to: PilotStatus,
    version: i64,
    m: Move,
}

fn read_move(body: &Value) -> ApiResult<MoveRequest> {
    let (to, version, m) = read_body(body, |c, o| {
        let to = c.parsed(o, "to", PilotStatus::parse);
        if to.is_none() && !o.has("to") {
            c.report(&o.path("to"), "required", "is required: the status to move the pilot to");
        }
        let version = c.integer(o, "version", 1, i64::MAX);
        if version.is_none() && !o.has("version") {
            c.report(&o.path("version"), "required", "is required: the version of the pilot you saw");
        }
        let note = c.block(o, "note", 2000);
        let results = c.list(o, "results", pilot::MAX_KPIS, |c, path, v| {
            if v.is_null() {
                return Some(None);
            }
            match v.as_f64() {
                Some(n) if n.abs() <= banyan_domain::MAX_AMOUNT => Some(Some(n)),
                Some(_) => {
                    c.report(path, "out_of_range", "is too large");
                    None
                }
                None => {
                    c.invalid_type(path, "a number or null", v);
                    None
                }
            }
        });
        let evaluation: Option<Evaluation> = c.nested(o, "evaluation", pilot::read_evaluation).flatten();
        let award: Option<Award> = c.nested(o, "award", Award::read).flatten();
        (to, version, Move { note, results, evaluation, award })
    })?;
    match (to, version) {
        (Some(to), Some(version)) => Ok(MoveRequest { to, version, m }),
        _ => Err(ApiError::Internal("checked".into())),
    }
}

/// Moves the pilot: `agreed` (by the side that did not propose this version), `running`,
/// `evaluated` (with the `evaluation` and a result for every KPI), `adopted` (by the
/// challenge's side, with an optional `award`) or `stopped` (with a `note` saying why).
/// Agreement puts the challenge into `piloting`; adoption records the evidence and place in
/// the practice (the offered one, or a new one derived from the solution) and closes the
/// challenge as solved.
#[utoipa::path(post, path = "/api/v1/pilots/{id}/transitions", tag = "pilots", params(("id" = uuid::Uuid, Path)),
    request_body(content = PilotMoveRequestDoc, content_type = "application/json"),
    responses((status = 200, body = PilotDoc), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn move_pilot(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<JsonResponse> {
    let r = move_as(&state, &caller, &id, &body).await?;
    Ok(JsonResponse::ok(&view(&state, &r).await?))
}

pub(crate) async fn move_as(state: &AppState, caller: &Caller, id: &str, body: &Value) -> ApiResult<Reached> {
    let (_, actor) = caller.require_member()?;
    let mut r = reach(state, caller, id).await?;
    let side = r.side.ok_or_else(|| ApiError::Forbidden("the two sides move a pilot; curators facilitate".into()))?;
    let req = read_move(body)?;
    if req.version != r.pilot.version {
        return Err(ApiError::Conflict { expected: req.version, current: r.pilot.version });
    }
    let from = r.pilot.status;
    let note = req.m.note.clone();
    let mut pilot = r.pilot.clone();
    pilot.apply(req.to, side, req.m).map_err(ApiError::Invalid)?;
    if req.to == PilotStatus::Adopted {
        pilot.practice_id = Some(record_adoption(state, &pilot, &r.challenge, &r.offer).await?);
    }
    let step = PilotStep { action: req.to.code().into(), from: Some(from), side: Some(side), note };
    r.pilot = state.store.save_pilot(&pilot, req.version, &step, &actor).await?;
    match req.to {
        PilotStatus::Agreed => {
            set_challenge_state(state, r.challenge.id, ChallengeState::Piloting, |s| s.is_open()).await?;
        }
        PilotStatus::Adopted => {
            set_challenge_state(state, r.challenge.id, ChallengeState::Solved, |_| true).await?;
            record_spread(state, &r.pilot, &r.challenge, &r.offer).await?;
        }
        PilotStatus::Stopped => {
            // Back to talking, unless another pilot of the challenge goes on.
            let others = state.store.conversations_about(&[r.challenge.id], None).await?;
            let ids: Vec<_> = others.iter().filter(|c| c.challenge_id == r.challenge.id).map(|c| c.id).collect();
            let going = state.store.pilots(&ids, None).await?.iter().any(|p| {
                p.id != r.pilot.id
                    && matches!(p.status, PilotStatus::Agreed | PilotStatus::Running | PilotStatus::Evaluated)
            });
            if !going {
                set_challenge_state(state, r.challenge.id, ChallengeState::InConversation, |s| {
                    s == ChallengeState::Piloting
                })
                .await?;
            }
        }
        _ => {}
    }
    let text = format!(
        "The pilot of “{}” for “{}” is now {}.{}",
        r.offer.content.title,
        r.challenge.content.title,
        req.to.label().to_lowercase(),
        step.note.as_deref().map(|n| format!(" Note: {n}")).unwrap_or_default()
    );
    tell(state, caller, &r.challenge, &r.offer, "A pilot moved on", &text, &r.conversation).await?;
    Ok(r)
}

/// A piloted practice adopted by the challenge's organisation is an adoption of the practice:
/// in use in the pilot's place from the award's date (or today), with the evaluation as its
/// results, so that the practice's spread counts it. Nothing is recorded when the challenge
/// has no organisation, or the organisation already has an adoption of the practice there.
async fn record_spread(state: &AppState, pilot: &Pilot, challenge: &Record, offer: &Record) -> ApiResult<()> {
    let Some(org) = challenge.content.organisation else { return Ok(()) };
    if offer.kind() != Kind::Practice {
        return Ok(());
    }
    let existing = state.store.adoptions(Some(offer.id)).await?;
    if existing.iter().any(|a| a.input.organisation_id == org && a.input.place.code() == pilot.plan.place.code()) {
        return Ok(());
    }
    let input = banyan_domain::AdoptionInput {
        organisation_id: org,
        place: pilot.plan.place,
        adopted_on: pilot.award.as_ref().map(|a| a.date).unwrap_or_else(|| chrono::Utc::now().date_naive()),
        status: banyan_domain::AdoptionStatus::InUse,
        adaptations: Some(format!("Piloted first: {}", pilot.plan.scope)),
        results: pilot.evaluation.as_ref().map(|e| e.summary.clone()),
        contact_organisation_id: None,
        links: Vec::new(),
        derived_record_id: None,
        learned_from: None,
    };
    state.store.create_adoption(offer.id, &input, &Actor::system("pilots")).await?;
    Ok(())
}

/// Moves a challenge to `to` when its current state passes `from`: a revision by Banyan
/// itself. A challenge changed meanwhile by someone else is read again once.
pub(crate) async fn set_challenge_state(
    state: &AppState,
    id: banyan_domain::RecordId,
    to: ChallengeState,
    from: impl Fn(ChallengeState) -> bool,
) -> ApiResult<()> {
    for _ in 0..2 {
        let Some(challenge) = live(state, id).await? else { return Ok(()) };
        let mut content = challenge.content.clone();
        let Details::Challenge(d) = &mut content.details else { return Ok(()) };
        let current = d.state.unwrap_or(ChallengeState::Open);
        if current == to || !from(current) {
            return Ok(());
        }
        d.state = Some(to);
        let input = RecordInput { content, slug: None };
        match state.store.update_record(id, challenge.version, input, &Actor::system("pilots")).await {
            Ok(_) => return Ok(()),
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Writes an adoption's evidence into a practice and returns the practice's id. A practice
/// that was piloted gains the pilot's place and the evaluation's level of evidence (when
/// higher); the pilot itself, with its KPIs and results, is linked from the practice's page,
/// not copied into it. A solution that was piloted gives a new practice of the challenge's
/// organisation, derived from the solution, submitted for the curators' review.
async fn record_adoption(
    state: &AppState,
    pilot: &Pilot,
    challenge: &Record,
    offer: &Record,
) -> ApiResult<banyan_domain::RecordId> {
    let system = Actor::system("pilots");
    let level = pilot.evaluation.as_ref().map(|e| e.evidence_level);
    if offer.kind() == Kind::Practice {
        for _ in 0..2 {
            let Some(current) = live(state, offer.id).await? else { break };
            let mut content = current.content.clone();
            if !content.places.contains(&pilot.plan.place) {
                content.places.push(pilot.plan.place);
                content.places.sort();
            }
            if let Details::Practice(p) = &mut content.details
                && level.is_some_and(|l| p.evidence_level.is_none_or(|e| l > e))
            {
                p.evidence_level = level;
            }
            if content == current.content {
                return Ok(current.id);
            }
            match state
                .store
                .update_record(current.id, current.version, RecordInput { content, slug: None }, &system)
                .await
            {
                Ok(r) => return Ok(r.id),
                Err(StoreError::Conflict { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        return Err(ApiError::Unavailable("the practice kept changing; try again".into()));
    }
    let c = &challenge.content;
    let Details::Challenge(cd) = &c.details else { return Err(ApiError::Internal("not a challenge".into())) };
    let title = format!("{} in {}", offer.content.title, pilot.plan.place.name());
    let practice = banyan_domain::Practice {
        problem: cd.problem.clone(),
        solution: Some(format!("Piloted “{}”: {}", offer.content.title, pilot.plan.scope)),
        stage: Some(Stage::Implemented),
        started_on: banyan_domain::PartialDate::parse(&pilot.plan.starts_on.format("%Y-%m").to_string()).ok(),
        evidence_level: level,
        ..Default::default()
    };
    let content = banyan_domain::RecordContent {
        title: banyan_domain::text::shorten(&title, banyan_domain::limits::TITLE),
        summary: c.summary.clone(),
        lang: c.lang.clone(),
        translations: Default::default(),
        sdgs: c.sdgs.clone(),
        sectors: c.sectors.clone(),
        places: vec![pilot.plan.place],
        level_of_government: c.level_of_government,
        innovation_types: Vec::new(),
        facets: Vec::new(),
        themes: Vec::new(),
        status: Status::Submitted,
        hidden: false,
        details: Details::Practice(practice),
        organisation: c.organisation,
        license: c.license.clone(),
        source: None,
    };
    let mut new = banyan_store::NewRecord::local(RecordInput { content, slug: None }, &state.config.public_url)
        .owned_by(challenge.owner);
    new.derived_from = Some(offer.id);
    Ok(state.store.create_record(new, &system).await?.id)
}

/// The pilot in the Open Contracting Data Standard: a release package with one release of the
/// pilot as it stands (planning with the budget and the KPIs as milestones; the tender; and,
/// once adopted with an award, the award and the contract).
#[utoipa::path(get, path = "/api/v1/pilots/{id}/ocds", tag = "pilots", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "An OCDS 1.1 release package", content_type = "application/json"),
        (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn ocds(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<JsonResponse> {
    let r = reach(&state, &caller, &id).await?;
    let name = |org: Option<banyan_domain::OrganisationId>| {
        let state = state.clone();
        async move {
            match org {
                Some(o) => state.store.organisation(o).await.map(|x| x.map(|x| (o.to_string(), x.content.name))),
                None => Ok(None),
            }
        }
    };
    let buyer = name(r.challenge.content.organisation).await?;
    let supplier = name(r.offer.content.organisation).await?;
    let package = crate::ocds::release_package(&crate::ocds::Inputs {
        pilot: &r.pilot,
        challenge: &r.challenge,
        offer: &r.offer,
        buyer,
        supplier,
        public_url: &state.config.public_url,
        site_name: &state.config.site_name,
        prefix: &state.config.ocds_prefix,
    });
    Ok(JsonResponse::ok(&package).header(axum::http::header::CACHE_CONTROL, "private, no-store"))
}

/// Every country's procurement checklist.
#[utoipa::path(get, path = "/api/v1/procurement", tag = "pilots",
    responses((status = 200, body = ChecklistsDoc)))]
async fn list_checklists(State(state): State<AppState>) -> ApiResult<JsonResponse> {
    Ok(JsonResponse::ok(&json!({"items": state.store.checklists(None).await?})))
}

fn country(code: &str) -> ApiResult<CountryCode> {
    CountryCode::parse(&code.to_uppercase())
        .map_err(|_| ApiError::NotFound(format!("{code:?} is not an ISO 3166-1 country code")))
}

/// One country's procurement checklist: the rules that apply, the steps and the documents.
#[utoipa::path(get, path = "/api/v1/procurement/{country}", tag = "pilots", params(("country" = String, Path)),
    responses((status = 200, body = banyan_store::ProcurementChecklist), (status = 404, body = Problem)))]
async fn get_checklist(State(state): State<AppState>, Path(code): Path<String>) -> ApiResult<JsonResponse> {
    let c = country(&code)?;
    let list = state
        .store
        .checklists(Some(c))
        .await?
        .pop()
        .ok_or_else(|| ApiError::NotFound(format!("there is no procurement checklist for {} yet", c.code())))?;
    Ok(JsonResponse::ok(&list))
}

/// Creates or replaces a country's checklist (curators). `version` is the version edited, 0
/// for a new one; without it the checklist is replaced whatever its version.
#[utoipa::path(put, path = "/api/v1/procurement/{country}", tag = "pilots", params(("country" = String, Path)),
    request_body(content = banyan_domain::Checklist, content_type = "application/json"),
    responses((status = 200, body = banyan_store::ProcurementChecklist), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
async fn put_checklist(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<JsonResponse> {
    let saved = save_checklist(&state, &caller, &code, &body).await?;
    Ok(JsonResponse::ok(&saved))
}

pub(crate) async fn save_checklist(
    state: &AppState,
    caller: &Caller,
    code: &str,
    body: &Value,
) -> ApiResult<ProcurementChecklist> {
    let actor = caller.require_curator()?;
    let c = country(code)?;
    let (checklist, version) = read_body(body, |ch, o| {
        let version = ch.integer(o, "version", 0, i64::MAX);
        (Checklist::read(ch, o), version)
    })?;
    let checklist = checklist.ok_or_else(|| ApiError::Internal("a checklist without violations reads".into()))?;
    Ok(state.store.put_checklist(c, &checklist, version, &actor).await?)
}
