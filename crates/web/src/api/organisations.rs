//! `/api/v1/organisations`: list, create, read, change. Organisations hold no personal data,
//! so everyone may read them.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use utoipa_axum::{router::OpenApiRouter, routes};

use banyan_domain::{
    CountryCode, Email, OrgRole, OrgType, Organisation, OrganisationId, OrganisationInput, UserId, merge_patch,
};
use banyan_store::{OrganisationQuery, Purpose};

use super::{JsonResponse, etag, not_modified, not_modified_response, split_patch};
use crate::AppState;
use crate::auth::{Caller, token_hash};
use crate::extract::{JsonBody, QueryParams, paging, read_body};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::schema::OrganisationPageDoc;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, change))
        .routes(routes!(members))
        .routes(routes!(set_member, remove_member))
        .routes(routes!(invite))
        .routes(routes!(accept_invitation))
}

/// Whether the caller manages the organisation's people: its owners, and admins.
fn manages(caller: &Caller, org: OrganisationId) -> bool {
    caller.viewer.is_admin() || caller.viewer.org_role(org) == Some(OrgRole::Owner)
}

fn organisation_id(raw: &str) -> ApiResult<OrganisationId> {
    OrganisationId::parse(raw).map_err(|_| ApiError::NotFound(format!("there is no organisation {raw:?}")))
}

fn response(status: StatusCode, org: &Organisation, state: &AppState) -> Response {
    JsonResponse::with_status(status, org)
        .header(header::ETAG, &etag(org.version, false))
        .header(header::CACHE_CONTROL, "no-cache")
        .header(header::LOCATION, &format!("{}/api/v1/organisations/{}", state.config.public_url, org.id))
        .into_response()
}

/// Lists organisations by name.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations",
    params(
        ("type" = Option<OrgType>, Query),
        ("country" = Option<String>, Query, description = "ISO 3166-1 alpha-2"),
        ("limit" = Option<u32>, Query, description = "1 to 100; 20 by default"),
        ("cursor" = Option<String>, Query),
    ),
    responses((status = 200, body = OrganisationPageDoc), (status = 400, body = Problem)))]
async fn list(State(state): State<AppState>, params: QueryParams) -> ApiResult<JsonResponse> {
    let query = params.read(|c, o| {
        let (limit, cursor) = paging(c, o, 20, 100);
        OrganisationQuery {
            org_type: c.parsed(o, "type", OrgType::parse),
            country: c.parsed(o, "country", CountryCode::parse),
            limit,
            cursor,
        }
    })?;
    let page = state.store.list_organisations(&query).await?;
    Ok(JsonResponse::ok(&json!({
        "items": page.items,
        "total": page.total,
        "next_cursor": page.next_cursor.map(|c| c.0),
    }))
    .header(header::CACHE_CONTROL, "no-cache"))
}

/// Creates an organisation. A name may be used once per country.
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations",
    request_body(content = OrganisationInput, content_type = "application/json"),
    security(("bearer" = [])),
    responses((status = 201, body = Organisation), (status = 400, body = Problem), (status = 401, body = Problem)))]
async fn create(State(state): State<AppState>, caller: Caller, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let actor = caller.require_writer()?;
    let input = OrganisationInput::from_json(&body).map_err(ApiError::Invalid)?;
    let org = state.store.create_organisation(OrganisationId::new(), input, &actor).await?;
    // Whoever creates an organisation owns it, until an admin says otherwise.
    if let Some(user) = &caller.user {
        state.store.set_membership(org.id, user.id, Some(OrgRole::Owner), &actor).await?;
    }
    Ok(response(StatusCode::CREATED, &org, &state))
}

/// Reads an organisation.
#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "organisations",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Organisation), (status = 304), (status = 404, body = Problem)))]
async fn read(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> ApiResult<Response> {
    let id = organisation_id(&id)?;
    let org = state
        .store
        .organisation(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("there is no organisation {id}")))?;
    let tag = etag(org.version, false);
    if not_modified(&headers, &tag) {
        return Ok(not_modified_response(&tag));
    }
    Ok(response(StatusCode::OK, &org, &state))
}

/// Changes an organisation with a JSON merge patch; the version you edited is required.
#[utoipa::path(patch, path = "/api/v1/organisations/{id}", tag = "organisations",
    params(("id" = uuid::Uuid, Path)),
    request_body(content = Object, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    responses((status = 200, body = Organisation), (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 428, body = Problem)))]
async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(patch): JsonBody,
) -> ApiResult<Response> {
    let actor = caller.require_writer()?;
    let id = organisation_id(&id)?;
    if !(caller.is_staff() || caller.viewer.org_role(id).is_some_and(|r| r.can_edit())) {
        return Err(ApiError::Forbidden("only the organisation's owners and editors, and curators, change it".into()));
    }
    let (fields, expected) = split_patch(patch, &headers)?;
    let current = state
        .store
        .organisation(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("there is no organisation {id}")))?;
    if current.version != expected {
        return Err(ApiError::Conflict { expected, current: current.version });
    }
    let mut merged = serde_json::to_value(&current.content).expect("organisations serialise");
    merge_patch::apply(&mut merged, &Value::Object(fields));
    let input = OrganisationInput::from_json(&merged).map_err(ApiError::Invalid)?;
    let org = state.store.update_organisation(id, expected, input, &actor).await?;
    Ok(response(StatusCode::OK, &org, &state))
}

fn org_role_param(
    c: &mut banyan_domain::validate::Checker,
    o: &mut banyan_domain::validate::Obj<'_>,
) -> Option<OrgRole> {
    c.required(o, "role", |s| {
        OrgRole::parse(s).ok_or_else(|| banyan_domain::VocabError {
            vocabulary: "organisation-roles",
            message: format!("{s:?} is not owner, editor or viewer"),
        })
    })
}

async fn existing(state: &AppState, id: &str) -> ApiResult<Organisation> {
    let id = organisation_id(id)?;
    state.store.organisation(id).await?.ok_or_else(|| ApiError::NotFound(format!("there is no organisation {id}")))
}

/// The organisation's people. Its members and curators may see them (they include e-mail
/// addresses).
#[utoipa::path(get, path = "/api/v1/organisations/{id}/members", tag = "organisations",
    params(("id" = uuid::Uuid, Path)), security(("bearer" = [])),
    responses((status = 200), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn members(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<JsonResponse> {
    let org = existing(&state, &id).await?;
    caller.actor().ok_or_else(|| ApiError::Unauthenticated("sign in first".into()))?;
    if !(caller.is_staff() || caller.viewer.org_role(org.id).is_some()) {
        return Err(ApiError::Forbidden("only the organisation's members and curators see its people".into()));
    }
    let items = state.store.members(org.id).await?;
    Ok(JsonResponse::ok(&json!({"items": items})).header(header::CACHE_CONTROL, "private, no-store"))
}

/// Sets someone's role in the organisation (its owners and admins).
#[utoipa::path(put, path = "/api/v1/organisations/{id}/members/{user_id}", tag = "organisations",
    params(("id" = uuid::Uuid, Path), ("user_id" = uuid::Uuid, Path)), security(("bearer" = [])),
    request_body(content = Object, description = "`{\"role\": \"owner\" | \"editor\" | \"viewer\"}`", content_type = "application/json"),
    responses((status = 204), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn set_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, user_id)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    let actor = caller.require_writer()?;
    let org = existing(&state, &id).await?;
    if !manages(&caller, org.id) {
        return Err(ApiError::Forbidden("only the organisation's owners and admins manage its people".into()));
    }
    let user = UserId::parse(&user_id).map_err(|_| ApiError::NotFound("no such person".into()))?;
    state.store.user(user).await?.ok_or_else(|| ApiError::NotFound("no such person".into()))?;
    let role = read_body(&body, org_role_param)?.expect("reported when missing");
    state.store.set_membership(org.id, user, Some(role), &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes someone from the organisation (its owners and admins; anyone may leave).
#[utoipa::path(delete, path = "/api/v1/organisations/{id}/members/{user_id}", tag = "organisations",
    params(("id" = uuid::Uuid, Path), ("user_id" = uuid::Uuid, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, user_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let actor = caller.require_writer()?;
    let org = existing(&state, &id).await?;
    let user = UserId::parse(&user_id).map_err(|_| ApiError::NotFound("no such person".into()))?;
    if !(manages(&caller, org.id) || caller.viewer.user == Some(user)) {
        return Err(ApiError::Forbidden("only the organisation's owners and admins manage its people".into()));
    }
    state.store.set_membership(org.id, user, None, &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Invites someone by e-mail; the link in the mail lets them join once signed in with that
/// address.
#[utoipa::path(post, path = "/api/v1/organisations/{id}/invitations", tag = "organisations",
    params(("id" = uuid::Uuid, Path)), security(("bearer" = [])),
    request_body(content = Object, description = "`{\"email\", \"role\"}`", content_type = "application/json"),
    responses((status = 202), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn invite(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<JsonResponse> {
    caller.require_writer()?;
    let org = existing(&state, &id).await?;
    if !manages(&caller, org.id) {
        return Err(ApiError::Forbidden("only the organisation's owners and admins invite people".into()));
    }
    let (email, role) = read_body(&body, |c, o| (c.required(o, "email", Email::parse), org_role_param(c, o)))?;
    let (email, role) = (email.expect("reported"), role.expect("reported"));
    let accounts = super::auth::Accounts { state: &state };
    let token = accounts
        .one_time(
            Purpose::Invitation,
            None,
            Some(&email),
            json!({"organisation": org.id, "role": role}),
            super::auth::INVITE_FOR,
        )
        .await?;
    state.store.enqueue_mail(accounts.letters().invitation(&email, &org.content.name, role.as_str(), &token)).await?;
    Ok(JsonResponse::with_status(StatusCode::ACCEPTED, &json!({"status": "invited"})))
}

/// Accepts an invitation, for the signed-in person whose address it was sent to.
#[utoipa::path(post, path = "/api/v1/invitations/accept", tag = "organisations", security(("bearer" = [])),
    request_body(content = Object, description = "`{\"token\"}`", content_type = "application/json"),
    responses((status = 200), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn accept_invitation(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<JsonResponse> {
    let (user, actor) = caller.require_member()?;
    let token = read_body(&body, |c, o| c.raw(o, "token", 200))?;
    let invitation = accept(&state, user, &actor, &token).await?;
    Ok(JsonResponse::ok(&invitation))
}

/// Uses an invitation token for `user`; shared with the invitation page.
pub async fn accept(
    state: &AppState,
    user: &banyan_store::User,
    actor: &banyan_store::Actor,
    token: &str,
) -> ApiResult<serde_json::Value> {
    let t = state
        .store
        .take_one_time_token(&token_hash(token), Purpose::Invitation)
        .await?
        .ok_or_else(|| ApiError::field("token", "invalid_value", "is unknown, already used or expired"))?;
    if t.email.as_ref() != Some(&user.email) {
        return Err(ApiError::Forbidden("this invitation was sent to another e-mail address".into()));
    }
    let org = t.data["organisation"].as_str().and_then(|o| OrganisationId::parse(o).ok());
    let role = t.data["role"].as_str().and_then(OrgRole::parse);
    let (Some(org), Some(role)) = (org, role) else {
        return Err(ApiError::field("token", "invalid_value", "is not an invitation"));
    };
    state.store.set_membership(org, user.id, Some(role), actor).await?;
    Ok(json!({"organisation": org, "role": role}))
}
