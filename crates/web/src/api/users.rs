//! `/api/v1/users`: accounts, for curators (who block abusive members) and admins (who manage
//! roles).

use axum::extract::{Path, State};
use axum::http::header;
use serde_json::json;
use utoipa_axum::{router::OpenApiRouter, routes};

use banyan_domain::{Role, UserId, VocabError};
use banyan_store::{UserChange, UserQuery};

use super::JsonResponse;
use crate::AppState;
use crate::auth::Caller;
use crate::extract::{JsonBody, QueryParams, paging, read_body};
use crate::problem::{ApiError, ApiResult, Problem};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(change)).routes(routes!(outbox))
}

fn role(s: &str) -> Result<Role, VocabError> {
    Role::parse(s)
        .ok_or_else(|| VocabError { vocabulary: "roles", message: format!("{s:?} is not member, curator or admin") })
}

/// Accounts, with filters.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    params(("role" = Option<String>, Query), ("q" = Option<String>, Query, description = "Part of an e-mail address or name"),
           ("blocked" = Option<bool>, Query), ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list(State(state): State<AppState>, caller: Caller, params: QueryParams) -> ApiResult<JsonResponse> {
    caller.require_curator()?;
    let query = params.read(|c, o| {
        let (limit, cursor) = paging(c, o, 50, 200);
        UserQuery {
            role: c.parsed(o, "role", role),
            text: c.line(o, "q", 100),
            blocked: c.parsed(o, "blocked", |s| match s {
                "true" => Ok(true),
                "false" => Ok(false),
                other => Err(VocabError { vocabulary: "boolean", message: format!("{other:?} is not true or false") }),
            }),
            limit,
            cursor,
        }
    })?;
    let page = state.store.list_users(&query).await?;
    Ok(JsonResponse::ok(
        &json!({"items": page.items, "total": page.total, "next_cursor": page.next_cursor.map(|c| c.0)}),
    )
    .header(header::CACHE_CONTROL, "private, no-store"))
}

/// Changes an account: `role` (admins), `blocked` (admins; curators for members). Blocking ends
/// every session and stops the account's API tokens.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    request_body(content = Object, description = "`{\"role\": \"curator\", \"blocked\": true}`", content_type = "application/json"),
    responses((status = 200), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<JsonResponse> {
    caller.require_curator()?;
    let id = UserId::parse(&id).map_err(|_| ApiError::NotFound("there is no such account".into()))?;
    let (new_role, blocked) = read_body(&body, |c, o| (c.parsed(o, "role", role), c.bool(o, "blocked")))?;
    let user = change_user(&state, &caller, id, new_role, blocked).await?;
    Ok(JsonResponse::ok(&json!({"user": user})))
}

/// Changes someone's role (admins) or blocks them (admins; curators for members). Blocking ends
/// every session. Shared with the people page.
pub async fn change_user(
    state: &AppState,
    caller: &Caller,
    id: UserId,
    new_role: Option<Role>,
    blocked: Option<bool>,
) -> ApiResult<banyan_store::User> {
    let actor = caller.require_curator()?;
    let target = state.store.user(id).await?.ok_or_else(|| ApiError::NotFound("there is no such account".into()))?;
    let new_role = new_role.filter(|r| *r != target.role);
    let blocked = blocked.filter(|b| *b != target.is_blocked());
    if new_role.is_some() && !caller.viewer.is_admin() {
        return Err(ApiError::Forbidden("only admins change roles".into()));
    }
    if blocked.is_some() && target.role != Role::Member && !caller.viewer.is_admin() {
        return Err(ApiError::Forbidden("curators block members; only admins block curators and admins".into()));
    }
    if caller.viewer.user == Some(id) && (blocked == Some(true) || new_role.is_some()) {
        return Err(ApiError::Forbidden("you cannot block yourself or change your own role".into()));
    }
    let user =
        state.store.update_user(id, UserChange { role: new_role, blocked, ..Default::default() }, &actor).await?;
    if blocked == Some(true) {
        state.store.end_sessions(id).await?;
    }
    Ok(user)
}

/// Outgoing mail, newest first (admins). Without SMTP, this is where mail waits.
#[utoipa::path(get, path = "/api/v1/admin/outbox", tag = "users", security(("bearer" = [])),
    params(("limit" = Option<u32>, Query)),
    responses((status = 200), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn outbox(State(state): State<AppState>, caller: Caller, params: QueryParams) -> ApiResult<JsonResponse> {
    caller.require_admin()?;
    let limit = params.read(|c, o| paging(c, o, 100, 1000).0)?;
    let items = state.store.outbox(limit).await?;
    Ok(JsonResponse::ok(&json!({"items": items})).header(header::CACHE_CONTROL, "private, no-store"))
}
