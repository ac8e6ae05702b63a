//! `GET /api/v1/vocabularies` and `GET /api/v1/vocabularies/{name}`.

use axum::extract::Path;
use axum::http::header;
use serde_json::json;
use utoipa_axum::{router::OpenApiRouter, routes};

use banyan_domain::{CountryCode, vocabulary, vocabulary_names};

use super::JsonResponse;
use crate::AppState;
use crate::extract::QueryParams;
use crate::problem::{ApiError, ApiResult, Problem};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(get_one))
}

/// Vocabularies are compiled into the binary: they change only with a new release.
const CACHE: &str = "public, max-age=86400";

/// The vocabularies records are classified with.
#[utoipa::path(get, path = "/api/v1/vocabularies", tag = "vocabularies",
    responses((status = 200, body = crate::schema::VocabularyListDoc)))]
async fn list() -> JsonResponse {
    let items: Vec<_> = vocabulary_names()
        .iter()
        .filter_map(|n| vocabulary(n, None))
        .map(|v| json!({"name": v.name, "title": v.title}))
        .collect();
    JsonResponse::ok(&json!({ "items": items })).header(header::CACHE_CONTROL, CACHE)
}

/// One vocabulary: every code with its name, parent and provenance.
#[utoipa::path(get, path = "/api/v1/vocabularies/{name}", tag = "vocabularies",
    params(
        ("name" = String, Path, description = "sdg, cofog, countries, regions, subdivisions, languages, currencies, levels, innovation-types, facets, stages, evidence-levels, trl, kinds, statuses, organisation-types, resource-types, seeking, connectivity, pricing-models, product-types, partner-roles"),
        ("country" = Option<String>, Query, description = "For subdivisions: only those of this country (ISO 3166-1 alpha-2)")
    ),
    responses((status = 200, body = banyan_domain::Vocabulary), (status = 404, body = Problem), (status = 400, body = Problem)))]
async fn get_one(Path(name): Path<String>, params: QueryParams) -> ApiResult<JsonResponse> {
    let country = params.read(|c, o| c.parsed(o, "country", CountryCode::parse))?;
    match vocabulary(&name, country) {
        Some(v) => Ok(JsonResponse::ok(&v).header(header::CACHE_CONTROL, CACHE)),
        None => Err(ApiError::NotFound(format!(
            "there is no vocabulary {name:?}; there are {}",
            vocabulary_names().join(", ")
        ))),
    }
}
