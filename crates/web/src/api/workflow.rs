//! The curation workflow: status transitions, the review queue, review comments, merging
//! duplicates and promoting ideas.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use utoipa_axum::{router::OpenApiRouter, routes};

use banyan_domain::record::InputMode;
use banyan_domain::workflow::{self, WorkflowError};
use banyan_domain::{Cofog, CountryCode, Details, Kind, Record, RecordId, RecordInput, Sdg, Status, limits};
use banyan_store::{NewRecord, RecordQuery, Visibility};

use super::JsonResponse;
use super::records::{record_id, record_response, visible};
use crate::AppState;
use crate::auth::Caller;
use crate::extract::{JsonBody, QueryParams, paging, read_body};
use crate::mail::Letters;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::schema::RecordPageDoc;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(transition))
        .routes(routes!(queue))
        .routes(routes!(comments, add_comment))
        .routes(routes!(merge))
        .routes(routes!(promote))
}

fn letters(state: &AppState) -> Letters<'_> {
    Letters { public_url: &state.config.public_url, site: &state.config.site_name }
}

/// Moves a record along the workflow, checked against who the caller is to it; tells the owner.
pub async fn apply_transition(
    state: &AppState,
    caller: &Caller,
    id: RecordId,
    to: Status,
    comment: Option<String>,
) -> ApiResult<Record> {
    let actor = caller.actor().ok_or_else(|| ApiError::Unauthenticated("sign in first".into()))?;
    let current = visible(state, caller, id).await?;
    let from = current.content.status;
    workflow::check(from, to, caller.viewer.actors(&current), comment.as_deref()).map_err(|e| match e {
        WorkflowError::CommentRequired { .. } => ApiError::field("comment", "required", e.to_string()),
        WorkflowError::NotAllowed { .. } => ApiError::field("to", "invalid_transition", e.to_string()),
        WorkflowError::NotYours { .. } => ApiError::Forbidden(e.to_string()),
    })?;
    let record = state.store.transition_record(id, current.version, to, comment.as_deref(), &actor).await?;
    if let Some(c) = &comment {
        state.store.add_comment(id, c, &actor).await?;
    }
    if let Some(owner) = record.owner
        && Some(owner) != caller.viewer.user
        && let Some(owner) = state.store.user(owner).await?
    {
        state.store.enqueue_mail(letters(state).status_changed(&owner, &record, from, comment.as_deref())).await?;
    }
    Ok(record)
}

/// Moves a record to another status: `draft → submitted → in_review → published → archived`,
/// `in_review → changes_requested → submitted`, and `withdrawn` by the owner. Asking for changes
/// needs a comment, which the owner receives by mail.
#[utoipa::path(post, path = "/api/v1/records/{id}/transitions", tag = "workflow",
    params(("id" = uuid::Uuid, Path)), security(("bearer" = [])),
    request_body(content = Object, description = "`{\"to\": \"submitted\", \"comment\": \"…\"}`", content_type = "application/json"),
    responses((status = 200, body = crate::schema::RecordDoc), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn transition(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let id = record_id(&id)?;
    let (to, comment) =
        read_body(&body, |c, o| (c.required(o, "to", Status::parse), c.block(o, "comment", limits::LONG_TEXT)))?;
    let record = apply_transition(&state, &caller, id, to.expect("reported when missing"), comment).await?;
    Ok(record_response(StatusCode::OK, &record, &caller, &state).into_response())
}

/// The review queue: records waiting for a curator, oldest first.
#[utoipa::path(get, path = "/api/v1/review/queue", tag = "workflow", security(("bearer" = [])),
    params(
        ("status" = Option<Status>, Query, description = "One status; by default submitted and in_review"),
        ("kind" = Option<Kind>, Query), ("country" = Option<String>, Query), ("sdg" = Option<String>, Query),
        ("sector" = Option<String>, Query), ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query),
    ),
    responses((status = 200, body = RecordPageDoc), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn queue(State(state): State<AppState>, caller: Caller, params: QueryParams) -> ApiResult<JsonResponse> {
    caller.require_curator()?;
    let query = review_query(&params)?;
    let page = state.store.list_records(&query).await?;
    Ok(JsonResponse::ok(&json!({
        "items": page.items,
        "total": page.total,
        "next_cursor": page.next_cursor.map(|c| c.0),
    }))
    .header(header::CACHE_CONTROL, "private, no-store"))
}

/// The queue's filters, shared with the review page.
pub fn review_query(params: &QueryParams) -> ApiResult<RecordQuery> {
    params.read(|c, o| {
        let (limit, cursor) = paging(c, o, 50, 100);
        let status = c.parsed(o, "status", Status::parse);
        RecordQuery {
            visibility: Visibility::All,
            statuses: match status {
                Some(s) => vec![s],
                None => vec![Status::Submitted, Status::InReview],
            },
            kind: c.parsed(o, "kind", Kind::parse),
            country: c.parsed(o, "country", CountryCode::parse),
            sdg: c.parsed(o, "sdg", Sdg::parse),
            sector: c.parsed(o, "sector", Cofog::parse),
            hidden: Some(false),
            oldest_first: true,
            limit,
            cursor,
            ..Default::default()
        }
    })
}

/// The review conversation on a record, between its editors and the curators.
#[utoipa::path(get, path = "/api/v1/records/{id}/comments", tag = "workflow",
    params(("id" = uuid::Uuid, Path)), security(("bearer" = [])),
    responses((status = 200), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn comments(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<JsonResponse> {
    let record = discussable(&state, &caller, &id).await?;
    let staff = caller.is_staff();
    let items: Vec<Value> = state
        .store
        .comments(record.id)
        .await?
        .into_iter()
        .filter(|c| staff || !c.hidden)
        .map(|c| json!({"id": c.id, "author": c.author_id, "body": c.body, "created_at": c.created_at, "hidden": c.hidden}))
        .collect();
    Ok(JsonResponse::ok(&json!({"items": items})).header(header::CACHE_CONTROL, "private, no-store"))
}

/// The record, if the caller may take part in its review conversation.
pub async fn discussable(state: &AppState, caller: &Caller, id: &str) -> ApiResult<Record> {
    caller.actor().ok_or_else(|| ApiError::Unauthenticated("sign in first".into()))?;
    let record = visible(state, caller, record_id(id)?).await?;
    if !caller.viewer.can_discuss(&record) {
        return Err(ApiError::Forbidden(
            "the review conversation is between the record's editors and the curators".into(),
        ));
    }
    Ok(record)
}

/// Adds to the review conversation. A curator's comment goes to the owner by mail.
#[utoipa::path(post, path = "/api/v1/records/{id}/comments", tag = "workflow",
    params(("id" = uuid::Uuid, Path)), security(("bearer" = [])),
    request_body(content = Object, description = "`{\"body\"}`", content_type = "application/json"),
    responses((status = 201), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 429, body = Problem)))]
async fn add_comment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<JsonResponse> {
    let record = discussable(&state, &caller, &id).await?;
    let text = read_body(&body, |c, o| {
        let b = c.block(o, "body", limits::LONG_TEXT);
        if b.is_none() && !o.has("body") {
            c.report(&o.path("body"), "required", "is required");
        }
        b.unwrap_or_default()
    })?;
    let comment = post_comment(&state, &caller, &record, &text).await?;
    Ok(JsonResponse::with_status(StatusCode::CREATED, &comment))
}

/// Posts a comment (shared with the pages).
pub async fn post_comment(
    state: &AppState,
    caller: &Caller,
    record: &Record,
    text: &str,
) -> ApiResult<banyan_store::Comment> {
    let actor = caller.actor().ok_or_else(|| ApiError::Unauthenticated("sign in first".into()))?;
    if let Some(user) = &caller.user {
        state.limiter.hit("comment", &user.id.to_string(), state.config.limits.comments_per_account)?;
    }
    let comment = state.store.add_comment(record.id, text, &actor).await?;
    if caller.is_staff()
        && let Some(owner) = record.owner
        && Some(owner) != caller.viewer.user
        && let Some(owner) = state.store.user(owner).await?
    {
        state.store.enqueue_mail(letters(state).commented(&owner, record, text)).await?;
    }
    Ok(comment)
}

/// Merges a duplicate into another record: the duplicate becomes a tombstone pointing to it.
#[utoipa::path(post, path = "/api/v1/records/{id}/merge", tag = "workflow",
    params(("id" = uuid::Uuid, Path)), security(("bearer" = [])),
    request_body(content = Object, description = "`{\"into\": \"<id of the record that stays>\"}`", content_type = "application/json"),
    responses((status = 200, body = banyan_store::Tombstone), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn merge(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<JsonResponse> {
    let duplicate = record_id(&id)?;
    let into = read_body(&body, |c, o| {
        c.required(o, "into", |s| {
            RecordId::parse(s).map_err(|_| banyan_domain::VocabError {
                vocabulary: "records",
                message: format!("{s:?} is not a record id"),
            })
        })
    })?
    .expect("reported when missing");
    Ok(JsonResponse::ok(&merge_records(&state, &caller, duplicate, into).await?))
}

/// Merges a duplicate into a survivor (shared with the review page).
pub async fn merge_records(
    state: &AppState,
    caller: &Caller,
    duplicate: RecordId,
    into: RecordId,
) -> ApiResult<banyan_store::Tombstone> {
    let actor = caller.require_curator()?;
    visible(state, caller, duplicate).await?;
    Ok(state.store.merge_record(duplicate, into, &actor).await?)
}

/// Turns an idea into a challenge or a practice: a new record, linked to the idea
/// (`derived_from`), owned by the idea's author, in review.
#[utoipa::path(post, path = "/api/v1/records/{id}/promote", tag = "workflow",
    params(("id" = uuid::Uuid, Path)), security(("bearer" = [])),
    request_body(content = Object, description = "`{\"to\": \"challenge\" | \"practice\"}`", content_type = "application/json"),
    responses((status = 201, body = crate::schema::RecordDoc), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn promote(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    caller.require_curator()?;
    let to = read_body(&body, |c, o| c.required(o, "to", Kind::parse))?.expect("reported when missing");
    let record = promote_idea(&state, &caller, record_id(&id)?, to).await?;
    Ok(record_response(StatusCode::CREATED, &record, &caller, &state).into_response())
}

/// Makes a challenge or practice from an idea (shared with the review page).
pub async fn promote_idea(state: &AppState, caller: &Caller, id: RecordId, to: Kind) -> ApiResult<Record> {
    let actor = caller.require_curator()?;
    let idea = visible(state, caller, id).await?;
    let Details::Idea(details) = &idea.content.details else {
        return Err(ApiError::field("id", "invalid_value", "only ideas are promoted"));
    };
    let new_details = match to {
        Kind::Challenge => json!({"problem": details.problem, "desired_outcomes": details.expected_benefit}),
        Kind::Practice => {
            json!({"problem": details.problem, "solution": details.idea, "results": details.expected_benefit, "stage": "idea"})
        }
        _ => return Err(ApiError::field("to", "invalid_value", "an idea becomes a challenge or a practice")),
    };
    let mut json = idea.to_json();
    let fields = json.as_object_mut().expect("records are objects");
    for key in banyan_domain::record::READ_ONLY_FIELDS.iter().chain(&["slug", "source"]) {
        fields.remove(*key);
    }
    fields.insert("kind".into(), json!(to.code()));
    fields.insert("details".into(), new_details);
    fields.insert("status".into(), json!(Status::InReview.code()));
    // The idea's translations name idea fields; the new record starts with its own text only.
    fields.insert("translations".into(), json!({}));
    let input = RecordInput::from_json(&json, InputMode::Create).map_err(ApiError::Invalid)?;
    let mut new = NewRecord::local(input, &state.config.public_url).owned_by(idea.owner);
    new.derived_from = Some(idea.id);
    Ok(state.store.create_record(new, &actor).await?)
}
