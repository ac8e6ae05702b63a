//! Matches: the practices and solutions that fit a challenge, and the open challenges a
//! solution fits, each with a score and its reasons (`banyan_search::matching`).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::header;
use serde_json::{Value, json};
use utoipa_axum::{router::OpenApiRouter, routes};

use banyan_domain::{Kind, Record};
use banyan_search::matching::{Ranked, Weights, rank};

use super::JsonResponse;
use super::records::{record_id, visible};
use crate::AppState;
use crate::auth::Caller;
use crate::extract::QueryParams;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::schema::*;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(challenge_matches)).routes(routes!(solution_matches))
}

/// The matches of `record` among records of `kinds`, best first, as the API shows them.
pub async fn matches(state: &AppState, record: &Record, kinds: &[Kind], limit: usize) -> ApiResult<Vec<Value>> {
    let index = Arc::clone(state.search.index());
    let ranked = rank(index, state.store.as_ref(), record, kinds, &Weights::default(), limit)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(ranked
        .into_iter()
        .map(|Ranked { record: other, fit }| {
            let parts: serde_json::Map<String, Value> =
                fit.parts.iter().map(|(k, v)| (k.to_string(), json!(three_decimals(*v)))).collect();
            json!({
                "id": other.id, "kind": other.kind().code(), "slug": other.slug, "title": other.content.title,
                "summary": other.content.summary,
                "url": format!("{}/api/v1/records/{}", state.config.public_url, other.id),
                "score": three_decimals(fit.score), "parts": parts, "reasons": fit.reasons,
            })
        })
        .collect())
}

/// A part of a score for JSON: three decimals, as f64 (an f32 shows its binary tail there:
/// 0.9150000214…).
fn three_decimals(x: f32) -> f64 {
    (f64::from(x) * 1000.0).round() / 1000.0
}

fn weights_json() -> Value {
    let w = Weights::default();
    let r = three_decimals;
    json!({
        "text": r(w.text), "sdg": r(w.sdg), "sector": r(w.sector), "place": r(w.place), "level": r(w.level),
        "maturity": r(w.maturity), "constraints": r(w.constraints), "availability": r(w.availability),
        "hard_penalty": r(w.hard_penalty),
    })
}

fn read_limit(params: &QueryParams) -> ApiResult<usize> {
    params.read(|c, o| super::search::read_limit(c, o, 10, 50))
}

/// Practices and solutions that could meet a challenge, best fit first, each with a score in
/// 0..1, the parts of the score, and its reasons in words. Anyone who may read the challenge
/// may ask; only public records are offered.
#[utoipa::path(get, path = "/api/v1/challenges/{id}/matches", tag = "matching",
    params(("id" = uuid::Uuid, Path), ("limit" = Option<u32>, Query, description = "1 to 50; 10 by default")),
    responses((status = 200, body = MatchesDoc), (status = 404, body = Problem), (status = 410, body = Problem)))]
async fn challenge_matches(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    params: QueryParams,
) -> ApiResult<JsonResponse> {
    answer(&state, &caller, &id, &params, Kind::Challenge, &[Kind::Practice, Kind::Solution]).await
}

/// Open challenges that a solution could meet, best fit first, scored as for
/// `/challenges/{id}/matches` with the challenge's constraints applied to this solution.
#[utoipa::path(get, path = "/api/v1/solutions/{id}/matches", tag = "matching",
    params(("id" = uuid::Uuid, Path), ("limit" = Option<u32>, Query, description = "1 to 50; 10 by default")),
    responses((status = 200, body = MatchesDoc), (status = 404, body = Problem), (status = 410, body = Problem)))]
async fn solution_matches(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    params: QueryParams,
) -> ApiResult<JsonResponse> {
    answer(&state, &caller, &id, &params, Kind::Solution, &[Kind::Challenge]).await
}

/// The matches of the record `id`, which must be of `kind` and readable by the caller.
async fn answer(
    state: &AppState,
    caller: &Caller,
    id: &str,
    params: &QueryParams,
    kind: Kind,
    among: &[Kind],
) -> ApiResult<JsonResponse> {
    let limit = read_limit(params)?;
    let record = visible(state, caller, record_id(id)?).await?;
    if record.kind() != kind {
        return Err(ApiError::NotFound(format!("{id} is a {}, not a {}", record.kind().code(), kind.code())));
    }
    let found = matches(state, &record, among, limit).await?;
    let cache = if caller.viewer.is_signed_in() { "private, no-cache" } else { "no-cache" };
    Ok(JsonResponse::ok(&json!({"matches": found, "weights": weights_json()})).header(header::CACHE_CONTROL, cache))
}
