//! `/healthz`, `/metrics`, the front door and the fallbacks.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::JsonResponse;
use crate::AppState;
use crate::problem::ApiError;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health)).routes(routes!(metrics))
}

/// Whether the node and its database answer. 503 when the database does not.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, body = crate::schema::HealthDoc), (status = 503, body = crate::schema::HealthDoc)))]
async fn health(State(state): State<AppState>) -> Response {
    let store = &state.store;
    let checked = async {
        store.ping().await?;
        Ok::<_, banyan_store::StoreError>((store.schema_version().await?, store.last_seq().await?))
    }
    .await;
    let (status, mut body) = match checked {
        Ok((schema, last_change)) => (
            StatusCode::OK,
            json!({"status": "ok", "database": "ok", "schema_version": schema, "last_change": last_change}),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"status": "unavailable", "database": "unreachable", "schema_version": null, "last_change": null}),
            )
        }
    };
    body["version"] = json!(env!("CARGO_PKG_VERSION"));
    body["backend"] = json!(store.backend());
    JsonResponse::with_status(status, &body).header(header::CACHE_CONTROL, "no-store").into_response()
}

/// Request counts and latencies, in the Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain")))]
async fn metrics(State(state): State<AppState>) -> Response {
    let last = state.store.last_seq().await;
    let up = if last.is_ok() { 1.0 } else { 0.0 };
    let last = last.unwrap_or(0) as f64;
    let index = state.search.index();
    let text = state.metrics.render(&[
        ("banyan_database_up", "Whether the database answers.", up),
        ("banyan_change_log_last_seq", "The newest change-log sequence number.", last),
        (
            "banyan_reads_waiting",
            "Reads waiting for their turn (see concurrent_reads).",
            state.admission.waiting() as f64,
        ),
        ("banyan_search_counts_kept", "Segments' facet counts kept for queries.", index.kept_counts() as f64),
        ("banyan_search_counts_kept_bytes", "Bytes of segments' facet counts kept.", index.kept_counts_bytes() as f64),
    ]);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}

pub async fn not_found() -> ApiError {
    ApiError::NotFound("there is nothing at this address; the API is under /api/v1".into())
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
