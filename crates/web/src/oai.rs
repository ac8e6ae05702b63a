//! `/oai`: the OAI-PMH 2.0 provider (`banyan_federation::oai`), by GET or by POST of a form, and
//! the schema of its `banyan` format at `/oai/banyan.xsd`.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};

use banyan_federation::oai::{self, Repository};

use crate::AppState;
use crate::problem::ApiError;

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/oai", get(provider)),
        (Method::POST, "/oai", post(provider_post)),
        (Method::GET, "/oai/banyan.xsd", get(schema)),
    ]
}

fn repository(state: &AppState) -> Repository {
    Repository {
        name: state.config.site_name.clone(),
        base_url: state.config.public_url.clone(),
        admin_email: state.config.admin_email.clone(),
    }
}

fn args(raw: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

async fn answer(state: &AppState, args: Vec<(String, String)>) -> Response {
    match oai::respond(state.store.as_ref(), &repository(state), &args, chrono::Utc::now()).await {
        Ok(xml) => ([(header::CONTENT_TYPE, "text/xml; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], xml)
            .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

async fn provider(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    answer(&state, args(query.unwrap_or_default().as_bytes())).await
}

/// POST carries the arguments as a form (`application/x-www-form-urlencoded`).
async fn provider_post(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, "OAI-PMH requests by POST are forms").into_response();
    }
    answer(&state, args(&body)).await
}

async fn schema() -> Response {
    (
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=86400")],
        oai::BANYAN_XSD,
    )
        .into_response()
}
