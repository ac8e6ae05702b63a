//! Moderation: reports of abuse, hiding and restoring records and comments.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use utoipa_axum::{router::OpenApiRouter, routes};

use banyan_domain::{CommentId, RecordId, ReportId, VocabError, limits};
use banyan_store::{ReportStatus, ReportTarget};

use super::JsonResponse;
use super::records::{record_id, record_response, visible};
use crate::AppState;
use crate::auth::Caller;
use crate::extract::{JsonBody, QueryParams, read_body};
use crate::problem::{ApiError, ApiResult, Problem};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(reports, report))
        .routes(routes!(resolve))
        .routes(routes!(hide_record))
        .routes(routes!(hide_comment))
}

fn uuid_of<T>(s: &str, make: fn(uuid::Uuid) -> T, what: &'static str) -> Result<T, VocabError> {
    uuid::Uuid::parse_str(s)
        .map(make)
        .map_err(|_| VocabError { vocabulary: what, message: format!("{s:?} is not an id") })
}

/// Files a report against a record or a comment, for the moderators. Anyone signed in may.
#[utoipa::path(post, path = "/api/v1/reports", tag = "moderation", security(("bearer" = [])),
    request_body(content = Object, description = "`{\"record\": \"<id>\"}` or `{\"comment\": \"<id>\"}`, with `\"reason\"`", content_type = "application/json"),
    responses((status = 201, body = banyan_store::Report), (status = 400, body = Problem), (status = 401, body = Problem), (status = 404, body = Problem), (status = 429, body = Problem)))]
async fn report(State(state): State<AppState>, caller: Caller, JsonBody(body): JsonBody) -> ApiResult<JsonResponse> {
    caller.require_member()?;
    let (record, comment, reason) = read_body(&body, |c, o| {
        let record = c.parsed(o, "record", |s| uuid_of(s, RecordId, "records"));
        let comment = c.parsed(o, "comment", |s| uuid_of(s, CommentId, "comments"));
        if record.is_some() == comment.is_some() && !c.has_violations() {
            c.report(&o.path("record"), "required", "give either record or comment");
        }
        let reason = c.block(o, "reason", 2000);
        if reason.is_none() && !o.has("reason") {
            c.report(&o.path("reason"), "required", "is required: say what is wrong");
        }
        (record, comment, reason.unwrap_or_default())
    })?;
    // One can only report what one can see.
    let target = match (record, comment) {
        (Some(r), _) => {
            visible(&state, &caller, r).await?;
            ReportTarget::Record(r)
        }
        (None, Some(cid)) => {
            let c =
                state.store.comment(cid).await?.ok_or_else(|| ApiError::NotFound("there is no such comment".into()))?;
            let record = visible(&state, &caller, c.record_id).await?;
            if !caller.viewer.can_discuss(&record) || c.hidden {
                return Err(ApiError::NotFound("there is no such comment".into()));
            }
            ReportTarget::Comment(cid)
        }
        (None, None) => unreachable!("reported above"),
    };
    Ok(JsonResponse::with_status(StatusCode::CREATED, &file_report(&state, &caller, target, &reason).await?))
}

/// Files a report, within the reporter's limit (shared with the pages).
pub async fn file_report(
    state: &AppState,
    caller: &Caller,
    target: ReportTarget,
    reason: &str,
) -> ApiResult<banyan_store::Report> {
    let (user, actor) = caller.require_member()?;
    state.limiter.hit("report", &user.id.to_string(), state.config.limits.reports_per_account)?;
    Ok(state.store.create_report(target, reason, &actor).await?)
}

/// Reports, for curators: open ones oldest first with `?status=open`.
#[utoipa::path(get, path = "/api/v1/reports", tag = "moderation", security(("bearer" = [])),
    params(("status" = Option<String>, Query, description = "open, upheld or dismissed")),
    responses((status = 200), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn reports(State(state): State<AppState>, caller: Caller, params: QueryParams) -> ApiResult<JsonResponse> {
    caller.require_curator()?;
    let status = params.read(|c, o| {
        c.parsed(o, "status", |s| {
            ReportStatus::parse(s).ok_or_else(|| VocabError {
                vocabulary: "report-statuses",
                message: format!("{s:?} is not open, upheld or dismissed"),
            })
        })
    })?;
    let items = state.store.reports(status, 500).await?;
    Ok(JsonResponse::ok(&json!({"items": items})).header(header::CACHE_CONTROL, "private, no-store"))
}

/// Resolves a report: `hide` hides what was reported, `dismiss` leaves it.
#[utoipa::path(post, path = "/api/v1/reports/{id}/resolve", tag = "moderation",
    params(("id" = uuid::Uuid, Path)), security(("bearer" = [])),
    request_body(content = Object, description = "`{\"action\": \"hide\" | \"dismiss\", \"note\": \"…\"}`", content_type = "application/json"),
    responses((status = 200, body = banyan_store::Report), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn resolve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<JsonResponse> {
    caller.require_curator()?;
    let id = ReportId::parse(&id).map_err(|_| ApiError::NotFound("there is no such report".into()))?;
    let (hide, note) = read_body(&body, |c, o| {
        let action = c.required(o, "action", |s| match s {
            "hide" => Ok(true),
            "dismiss" => Ok(false),
            other => Err(VocabError { vocabulary: "actions", message: format!("{other:?} is not hide or dismiss") }),
        });
        (action, c.block(o, "note", 2000).unwrap_or_default())
    })?;
    Ok(JsonResponse::ok(&resolve_report(&state, &caller, id, hide.expect("reported when missing"), &note).await?))
}

/// Resolves a report, hiding what it is about if upheld (shared with the reports page).
pub async fn resolve_report(
    state: &AppState,
    caller: &Caller,
    id: ReportId,
    hide: bool,
    note: &str,
) -> ApiResult<banyan_store::Report> {
    let actor = caller.require_curator()?;
    let report = state.store.report(id).await?.ok_or_else(|| ApiError::NotFound("there is no such report".into()))?;
    if hide {
        match report.target {
            ReportTarget::Record(r) => {
                state
                    .store
                    .set_record_hidden(r, true, &format!("report {id}: {note}"), &actor)
                    .await
                    .map_err(gone_is_fine)?;
            }
            ReportTarget::Comment(c) => {
                state.store.set_comment_hidden(c, true, &actor).await?;
            }
        }
    }
    let status = if hide { ReportStatus::Upheld } else { ReportStatus::Dismissed };
    Ok(state.store.resolve_report(id, status, note, &actor).await?)
}

/// Hiding a record that was deleted meanwhile needs nothing more.
fn gone_is_fine(e: banyan_store::StoreError) -> ApiError {
    match e {
        banyan_store::StoreError::Gone => ApiError::NotFound("the record was deleted".into()),
        other => other.into(),
    }
}

/// Hides a record from every public surface, or restores it.
#[utoipa::path(put, path = "/api/v1/records/{id}/hidden", tag = "moderation",
    params(("id" = uuid::Uuid, Path)), security(("bearer" = [])),
    request_body(content = Object, description = "`{\"hidden\": true, \"reason\": \"…\"}`", content_type = "application/json"),
    responses((status = 200, body = crate::schema::RecordDoc), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn hide_record(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let actor = caller.require_curator()?;
    let id = record_id(&id)?;
    visible(&state, &caller, id).await?;
    let (hidden, reason) = read_body(&body, |c, o| {
        let hidden = c.bool(o, "hidden");
        if hidden.is_none() && !o.has("hidden") {
            c.report(&o.path("hidden"), "required", "is required");
        }
        (hidden.unwrap_or(false), c.block(o, "reason", limits::SUMMARY).unwrap_or_default())
    })?;
    let record = state.store.set_record_hidden(id, hidden, &reason, &actor).await?;
    Ok(record_response(StatusCode::OK, &record, &caller, &state).into_response())
}

/// Hides a comment, or restores it.
#[utoipa::path(put, path = "/api/v1/comments/{id}/hidden", tag = "moderation",
    params(("id" = uuid::Uuid, Path)), security(("bearer" = [])),
    request_body(content = Object, description = "`{\"hidden\": true}`", content_type = "application/json"),
    responses((status = 200, body = banyan_store::Comment), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn hide_comment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<JsonResponse> {
    let actor = caller.require_curator()?;
    let id = CommentId::parse(&id).map_err(|_| ApiError::NotFound("there is no such comment".into()))?;
    let hidden = read_body(&body, |c, o| {
        let h = c.bool(o, "hidden");
        if h.is_none() && !o.has("hidden") {
            c.report(&o.path("hidden"), "required", "is required");
        }
        h.unwrap_or(false)
    })?;
    let comment = state.store.set_comment_hidden(id, hidden, &actor).await.map_err(|e| match e {
        banyan_store::StoreError::NotFound => ApiError::NotFound("there is no such comment".into()),
        other => other.into(),
    })?;
    Ok(JsonResponse::ok(&comment))
}
