//! `/api/v1/records`: list, create, read, change, delete, revisions.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use utoipa_axum::{router::OpenApiRouter, routes};

use banyan_domain::record::{InputMode, READ_ONLY_FIELDS};
use banyan_domain::validate::Checker;
use banyan_domain::{
    Cofog, CountryCode, Kind, OrganisationId, Record, RecordId, RecordInput, Sdg, Status, merge_patch,
};
use banyan_store::{NewRecord, RecordQuery, RecordState, Visibility};

use super::{JsonResponse, etag, if_match_version, not_modified, not_modified_response, split_patch};
use crate::AppState;
use crate::extract::{Caller, JsonBody, QueryParams, paging};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::schema::*;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(read, change, delete)).routes(routes!(revisions))
}

/// What the caller may see of a record: staff see everything, others no personal data.
fn view(record: &Record, caller: &Caller) -> Record {
    if caller.is_staff() { record.clone() } else { record.without_personal_data() }
}

fn record_id(raw: &str) -> ApiResult<RecordId> {
    RecordId::parse(raw).map_err(|_| ApiError::NotFound(format!("there is no record {raw:?}; record ids are UUIDs")))
}

fn not_found(id: RecordId) -> ApiError {
    ApiError::NotFound(format!("there is no record {id}"))
}

/// The live record `id`, if the caller may see it; the tombstone if it was deleted and the
/// caller could have seen it.
async fn visible(state: &AppState, caller: &Caller, id: RecordId) -> ApiResult<Record> {
    match state.store.record(id).await? {
        Some(RecordState::Live(r)) if r.is_public() || caller.is_staff() => Ok(r),
        Some(RecordState::Deleted(t)) if t.was_public || caller.is_staff() => Err(ApiError::Gone(t)),
        _ => Err(not_found(id)),
    }
}

fn record_response(status: StatusCode, record: &Record, caller: &Caller, state: &AppState) -> JsonResponse {
    let public_view = !caller.is_staff();
    JsonResponse::with_status(status, &view(record, caller))
        .header(header::ETAG, &etag(record.version, public_view))
        .header(header::CACHE_CONTROL, if public_view { "no-cache" } else { "private, no-cache" })
        .header(header::LOCATION, &format!("{}/api/v1/records/{}", state.config.public_url, record.id))
}

/// Lists records, newest first. Anonymous callers see published records only.
#[utoipa::path(get, path = "/api/v1/records", tag = "records",
    params(
        ("kind" = Option<Kind>, Query, description = "practice, idea, challenge, solution or resource"),
        ("status" = Option<Status>, Query, description = "Staff only; others see published records"),
        ("country" = Option<String>, Query, description = "ISO 3166-1 alpha-2; matches the country's subdivisions too"),
        ("sdg" = Option<String>, Query, description = "An SDG goal (matches its targets too) or target"),
        ("sector" = Option<String>, Query, description = "A COFOG division (matches its groups too) or group"),
        ("organisation" = Option<uuid::Uuid>, Query, description = "Records of this organisation"),
        ("limit" = Option<u32>, Query, description = "1 to 100; 20 by default"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses((status = 200, body = RecordPageDoc), (status = 400, body = Problem)))]
async fn list(State(state): State<AppState>, caller: Caller, params: QueryParams) -> ApiResult<JsonResponse> {
    let query = params.read(|c, o| {
        let (limit, cursor) = paging(c, o, 20, 100);
        RecordQuery {
            visibility: if caller.is_staff() { Visibility::All } else { Visibility::Public },
            kind: c.parsed(o, "kind", Kind::parse),
            status: c.parsed(o, "status", Status::parse),
            country: c.parsed(o, "country", CountryCode::parse),
            sdg: c.parsed(o, "sdg", Sdg::parse),
            sector: c.parsed(o, "sector", Cofog::parse),
            organisation: c.parsed(o, "organisation", |s| {
                OrganisationId::parse(s).map_err(|_| banyan_domain::VocabError {
                    vocabulary: "organisation",
                    message: format!("{s:?} is not an organisation id"),
                })
            }),
            source_registry: None,
            limit,
            cursor,
        }
    })?;
    let page = state.store.list_records(&query).await?;
    let items: Vec<Record> = page.items.iter().map(|r| view(r, &caller)).collect();
    Ok(JsonResponse::ok(&json!({
        "items": items,
        "total": page.total,
        "next_cursor": page.next_cursor.map(|c| c.0),
    }))
    .header(header::CACHE_CONTROL, if caller.is_staff() { "private, no-cache" } else { "no-cache" }))
}

/// Creates a record. Every invalid field is reported at once, and nothing is written.
#[utoipa::path(post, path = "/api/v1/records", tag = "records",
    request_body(content = NewRecordDoc, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, body = RecordDoc, description = "Created; `Location` names it"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem)
    ))]
async fn create(State(state): State<AppState>, caller: Caller, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let actor = caller.require_staff()?;
    let input = RecordInput::from_json(&body, InputMode::Create).map_err(ApiError::Invalid)?;
    let record = state.store.create_record(NewRecord::local(input, &state.config.public_url), &actor).await?;
    Ok(record_response(StatusCode::CREATED, &record, &caller, &state).into_response())
}

/// Reads a record. Conditional requests with `If-None-Match` are answered 304.
#[utoipa::path(get, path = "/api/v1/records/{id}", tag = "records",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = RecordDoc), (status = 304), (status = 404, body = Problem), (status = 410, body = Problem)))]
async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let record = visible(&state, &caller, record_id(&id)?).await?;
    let tag = etag(record.version, !caller.is_staff());
    if not_modified(&headers, &tag) {
        return Ok(not_modified_response(&tag));
    }
    Ok(record_response(StatusCode::OK, &record, &caller, &state).into_response())
}

/// Changes a record with a JSON merge patch (RFC 7396). The version you edited is required,
/// as `version` in the body or as `If-Match`; if the record has changed since, the answer is
/// 409 and nothing is written.
#[utoipa::path(patch, path = "/api/v1/records/{id}", tag = "records",
    params(("id" = uuid::Uuid, Path)),
    request_body(content = RecordPatchDoc, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    responses(
        (status = 200, body = RecordDoc), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 410, body = Problem), (status = 428, body = Problem)
    ))]
async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(patch): JsonBody,
) -> ApiResult<Response> {
    let actor = caller.require_staff()?;
    let id = record_id(&id)?;
    let (fields, expected) = split_patch(patch, &headers)?;
    let current = visible(&state, &caller, id).await?;
    if current.version != expected {
        return Err(ApiError::Conflict { expected, current: current.version });
    }
    let mut merged = current.to_json();
    let mut c = Checker::new();
    for key in READ_ONLY_FIELDS {
        if fields.get(*key).is_some_and(|v| Some(v) != merged.get(*key)) {
            c.report(
                &banyan_domain::validate::Path::root().key(key),
                "read_only",
                format!("{key} is set by Banyan and cannot be changed"),
            );
        }
    }
    c.finish(()).map_err(ApiError::Invalid)?;
    merge_patch::apply(&mut merged, &Value::Object(fields));
    let input =
        RecordInput::from_json(&merged, InputMode::Update { kind: current.kind() }).map_err(ApiError::Invalid)?;
    let record = state.store.update_record(id, expected, input, &actor).await?;
    Ok(record_response(StatusCode::OK, &record, &caller, &state).into_response())
}

/// Deletes a record. It leaves a tombstone, so that followers and harvesters learn it is gone.
#[utoipa::path(delete, path = "/api/v1/records/{id}", tag = "records",
    params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header, description = "Delete only if this is still the version")),
    security(("bearer" = [])),
    responses((status = 200, body = banyan_store::Tombstone), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 410, body = Problem)))]
async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<JsonResponse> {
    let actor = caller.require_staff()?;
    let id = record_id(&id)?;
    let expected = if_match_version(&headers)?;
    match state.store.delete_record(id, expected, &actor).await {
        Ok(t) => Ok(JsonResponse::ok(&t)),
        Err(banyan_store::StoreError::Gone) => {
            Err(visible(&state, &caller, id).await.err().unwrap_or_else(|| not_found(id)))
        }
        Err(banyan_store::StoreError::NotFound) => Err(not_found(id)),
        Err(e) => Err(e.into()),
    }
}

/// Every version of a record, newest first. The public sees only versions that were published,
/// without personal data or authors.
#[utoipa::path(get, path = "/api/v1/records/{id}/revisions", tag = "records",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = RevisionListDoc), (status = 404, body = Problem), (status = 410, body = Problem)))]
async fn revisions(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<JsonResponse> {
    let id = record_id(&id)?;
    visible(&state, &caller, id).await?;
    let staff = caller.is_staff();
    let items: Vec<Value> = state
        .store
        .revisions(id)
        .await?
        .into_iter()
        .filter(|r| staff || r.record.is_public())
        .map(|r| {
            json!({
                "version": r.version,
                "at": r.at,
                "actor": if staff { Some(r.actor) } else { None },
                "op": r.op,
                "record": view(&r.record, &caller),
            })
        })
        .collect();
    Ok(JsonResponse::ok(&json!({ "items": items }))
        .header(header::CACHE_CONTROL, if staff { "private, no-cache" } else { "no-cache" }))
}
