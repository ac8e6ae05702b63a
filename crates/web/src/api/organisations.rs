//! `/api/v1/organisations`: list, create, read, change. Organisations hold no personal data,
//! so everyone may read them.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use utoipa_axum::{router::OpenApiRouter, routes};

use banyan_domain::{CountryCode, OrgType, Organisation, OrganisationId, OrganisationInput, merge_patch};
use banyan_store::OrganisationQuery;

use super::{JsonResponse, etag, not_modified, not_modified_response, split_patch};
use crate::AppState;
use crate::extract::{Caller, JsonBody, QueryParams, paging};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::schema::OrganisationPageDoc;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(read, change))
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
    let actor = caller.require_staff()?;
    let input = OrganisationInput::from_json(&body).map_err(ApiError::Invalid)?;
    let org = state.store.create_organisation(OrganisationId::new(), input, &actor).await?;
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
    let actor = caller.require_staff()?;
    let id = organisation_id(&id)?;
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
