//! The peers this node harvests over OAI-PMH (admins): list, register, and harvest now.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};

use banyan_store::Peer;

use super::JsonResponse;
use crate::AppState;
use crate::auth::Caller;
use crate::extract::{JsonBody, read_body};
use crate::problem::{ApiError, ApiResult, Problem};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_peers, add_peer)).routes(routes!(harvest_peer))
}

/// A peer's base URL: http or https, no query or fragment, without a trailing slash or `/oai`.
pub fn base_url(raw: &str) -> ApiResult<String> {
    let bad = |why: &str| ApiError::field("base_url", "invalid_value", why.to_string());
    let url = url::Url::parse(raw.trim()).map_err(|_| bad("is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad("must be an http or https URL"));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(bad("must be the peer's base URL, without a query, fragment or user"));
    }
    Ok(url.as_str().trim_end_matches('/').trim_end_matches("/oai").to_string())
}

/// The registered peers, with how their last harvest went.
#[utoipa::path(get, path = "/api/v1/peers", tag = "federation",
    responses((status = 200, body = Vec<banyan_store::Peer>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list_peers(State(state): State<AppState>, caller: Caller) -> ApiResult<JsonResponse> {
    caller.require_admin()?;
    Ok(JsonResponse::ok(&state.store.peers().await?))
}

pub(crate) async fn register(state: &AppState, caller: &Caller, body: &Value) -> ApiResult<Peer> {
    let actor = caller.require_admin()?;
    let raw = read_body(body, |c, o| c.required_line(o, "base_url", 2000))?;
    let url = base_url(&raw)?;
    Ok(state.store.add_peer(&url, &actor).await?)
}

/// Registers a peer (admins). Only registered peers are ever contacted.
#[utoipa::path(post, path = "/api/v1/peers", tag = "federation",
    request_body(content = Object, content_type = "application/json", description = "`{\"base_url\": \"https://th.banyan.example\"}`"),
    responses((status = 201, body = banyan_store::Peer), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
async fn add_peer(State(state): State<AppState>, caller: Caller, JsonBody(body): JsonBody) -> ApiResult<JsonResponse> {
    let peer = register(&state, &caller, &body).await?;
    Ok(JsonResponse::with_status(StatusCode::CREATED, &peer))
}

pub(crate) async fn harvest_now(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<banyan_federation::harvest::Report> {
    caller.require_admin()?;
    let not_found = || ApiError::NotFound(format!("there is no peer {id}"));
    let id = uuid::Uuid::parse_str(id).map_err(|_| not_found())?;
    let peer = state.store.peers().await?.into_iter().find(|p| p.id == id).ok_or_else(not_found)?;
    let options = banyan_federation::harvest::Options::default();
    let http = banyan_federation::harvest::client(&options);
    Ok(banyan_federation::harvest::harvest(state.store.as_ref(), &peer, &http, &options).await?)
}

/// Harvests one peer now (admins) and answers what the harvest did.
#[utoipa::path(post, path = "/api/v1/peers/{id}/harvest", tag = "federation", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Object), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn harvest_peer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse> {
    Ok(JsonResponse::ok(&harvest_now(&state, &caller, &id).await?))
}
