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
use crate::auth::Caller;
use crate::extract::{JsonBody, QueryParams, paging};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::schema::*;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(read, change, delete)).routes(routes!(revisions))
}

/// What the caller may see of a record: personal data only for its editors and curators.
pub fn view(record: &Record, caller: &Caller) -> Record {
    if caller.viewer.sees_personal_data(record) { record.clone() } else { record.without_personal_data() }
}

pub fn record_id(raw: &str) -> ApiResult<RecordId> {
    RecordId::parse(raw).map_err(|_| ApiError::NotFound(format!("there is no record {raw:?}; record ids are UUIDs")))
}

fn not_found(id: RecordId) -> ApiError {
    ApiError::NotFound(format!("there is no record {id}"))
}

/// The live record `id`, if the caller may see it; the tombstone if it was deleted and the
/// caller could have seen it (it was public, or they are a curator or its owner).
pub async fn visible(state: &AppState, caller: &Caller, id: RecordId) -> ApiResult<Record> {
    match state.store.record(id).await? {
        Some(RecordState::Live(r)) if caller.viewer.can_view(&r) => Ok(r),
        Some(RecordState::Deleted(t))
            if t.was_public || caller.is_staff() || (t.owner.is_some() && t.owner == caller.viewer.user) =>
        {
            Err(ApiError::Gone(t))
        }
        _ => Err(not_found(id)),
    }
}

/// Which records a caller may list.
pub fn visibility(caller: &Caller) -> Visibility {
    if caller.viewer.role.is_some_and(|r| r.is_staff()) && caller.viewer.has(banyan_domain::Scope::Read) {
        Visibility::All
    } else {
        match caller.viewer.user {
            Some(user) if caller.viewer.has(banyan_domain::Scope::Read) => {
                Visibility::Member { user, organisations: caller.viewer.memberships.iter().map(|(o, _)| *o).collect() }
            }
            _ => Visibility::Public,
        }
    }
}

pub fn record_response(status: StatusCode, record: &Record, caller: &Caller, state: &AppState) -> JsonResponse {
    let full = caller.viewer.sees_personal_data(record);
    JsonResponse::with_status(status, &view(record, caller))
        .header(header::ETAG, &etag(record.version, !full))
        .header(header::CACHE_CONTROL, if caller.viewer.is_signed_in() { "private, no-cache" } else { "no-cache" })
        .header(header::LOCATION, &format!("{}/api/v1/records/{}", state.config.public_url, record.id))
}

/// What a person who is not a curator may put in a record: no statuses past `submitted` (those
/// are the workflow's), no moderation, and only organisations they edit for.
pub fn check_member_input(caller: &Caller, input: &RecordInput, current: Option<&Record>) -> ApiResult<()> {
    if caller.is_staff() {
        return Ok(());
    }
    let mut c = Checker::new();
    let root = banyan_domain::validate::Path::root();
    match current {
        None if !matches!(input.content.status, Status::Draft | Status::Submitted) => {
            c.report(&root.key("status"), "forbidden", "a new record starts as draft or submitted; curators publish");
        }
        Some(cur) if input.content.status != cur.content.status => {
            c.report(&root.key("status"), "forbidden", "changes through POST /api/v1/records/{id}/transitions");
        }
        _ => {}
    }
    if input.content.hidden != current.is_some_and(|cur| cur.content.hidden) {
        c.report(&root.key("hidden"), "forbidden", "is for moderators");
    }
    if let Some(org) = input.content.organisation
        && current.is_none_or(|cur| cur.content.organisation != Some(org))
        && !caller.viewer.org_role(org).is_some_and(|r| r.can_edit())
    {
        c.report(&root.key("organisation"), "forbidden", "you do not edit for this organisation");
    }
    c.finish(()).map_err(ApiError::Invalid)
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
            visibility: visibility(&caller),
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
            limit,
            cursor,
            ..Default::default()
        }
    })?;
    let page = state.store.list_records(&query).await?;
    let items: Vec<Record> = page.items.iter().map(|r| view(r, &caller)).collect();
    Ok(JsonResponse::ok(&json!({
        "items": items,
        "total": page.total,
        "next_cursor": page.next_cursor.map(|c| c.0),
    }))
    .header(header::CACHE_CONTROL, if caller.viewer.is_signed_in() { "private, no-cache" } else { "no-cache" }))
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
    caller.require_writer()?;
    let input = RecordInput::from_json(&body, InputMode::Create).map_err(ApiError::Invalid)?;
    check_member_input(&caller, &input, None)?;
    let record = create_owned(&state, &caller, input).await?;
    Ok(record_response(StatusCode::CREATED, &record, &caller, &state).into_response())
}

/// Creates a record owned by the caller (if a person), within their submission limit.
pub async fn create_owned(state: &AppState, caller: &Caller, input: RecordInput) -> ApiResult<Record> {
    let actor = caller.require_writer()?;
    if let Some(user) = &caller.user
        && !caller.is_staff()
    {
        state.limiter.hit("submit", &user.id.to_string(), state.config.limits.submissions_per_account)?;
    }
    let new = NewRecord::local(input, &state.config.public_url).owned_by(caller.user.as_ref().map(|u| u.id));
    Ok(state.store.create_record(new, &actor).await?)
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
    let tag = etag(record.version, !caller.viewer.sees_personal_data(&record));
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
    let actor = caller.require_writer()?;
    let id = record_id(&id)?;
    let (fields, expected) = split_patch(patch, &headers)?;
    let current = visible(&state, &caller, id).await?;
    if !caller.viewer.can_edit(&current) {
        return Err(ApiError::Forbidden(format!(
            "you may not change this record while it is {}",
            current.content.status.label().to_lowercase()
        )));
    }
    if current.version != expected {
        return Err(ApiError::Conflict { expected, current: current.version });
    }
    // Edit what the editor sees: personal data they may not see stays as it is.
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
    check_member_input(&caller, &input, Some(&current))?;
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
    let actor = caller.require_writer()?;
    let id = record_id(&id)?;
    let expected = if_match_version(&headers)?;
    let current = visible(&state, &caller, id).await?;
    if !caller.viewer.can_delete(&current) {
        return Err(ApiError::Forbidden("only curators delete records that have been submitted".into()));
    }
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
    let current = visible(&state, &caller, id).await?;
    let staff = caller.is_staff();
    // Editors see every version of their record; everyone else only versions that were public.
    let all_versions = staff || caller.viewer.sees_personal_data(&current);
    let items: Vec<Value> = state
        .store
        .revisions(id)
        .await?
        .into_iter()
        .filter(|r| all_versions || r.record.is_public())
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
