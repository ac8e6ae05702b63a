//! The API's handlers, one module per resource.

pub mod auth;
pub mod conversations;
pub mod doc;
pub mod impact;
pub mod matching;
pub mod me;
pub mod moderation;
pub mod operations;
pub mod organisations;
pub mod peers;
pub mod pilots;
pub mod records;
pub mod search;
pub mod users;
pub mod vocabularies;
pub mod workflow;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::problem::ApiError;

/// A JSON response with headers.
pub struct JsonResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl JsonResponse {
    pub fn ok(body: &impl Serialize) -> JsonResponse {
        JsonResponse::with_status(StatusCode::OK, body)
    }
    pub fn with_status(status: StatusCode, body: &impl Serialize) -> JsonResponse {
        let body = serde_json::to_vec(body).expect("responses serialise");
        JsonResponse { status, headers: HeaderMap::new(), body }
    }
    pub fn header(mut self, name: header::HeaderName, value: &str) -> JsonResponse {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.insert(name, v);
        }
        self
    }
}

impl IntoResponse for JsonResponse {
    fn into_response(self) -> Response {
        let mut res = (self.status, self.body).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        res.headers_mut().extend(self.headers);
        res
    }
}

/// The entity tag of one view of one version of a thing. Staff and public views differ
/// (personal data), so they have different tags.
pub fn etag(version: i64, public_view: bool) -> String {
    if public_view { format!("\"v{version}-public\"") } else { format!("\"v{version}\"") }
}

/// Whether `If-None-Match` already names `tag`, so that 304 Not Modified will do.
pub fn not_modified(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == "*" || t.trim().trim_start_matches("W/") == tag))
}

/// The version named by `If-Match`, if the header is there.
pub fn if_match_version(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(v) = headers.get(header::IF_MATCH) else { return Ok(None) };
    let parsed = v
        .to_str()
        .ok()
        .map(|s| s.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|s| s.strip_prefix('v'))
        .and_then(|s| s.split('-').next())
        .and_then(|s| s.parse::<i64>().ok());
    match parsed {
        Some(n) => Ok(Some(n)),
        None => Err(ApiError::field("If-Match", "invalid_value", "must be an ETag this API sent, such as \"v3\"")),
    }
}

/// 304 with the tag, for a conditional GET that matched.
pub fn not_modified_response(tag: &str) -> Response {
    let mut res = StatusCode::NOT_MODIFIED.into_response();
    if let Ok(v) = HeaderValue::from_str(tag) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// Takes a merge patch apart: the version the client edited (`version` in the body or
/// `If-Match`, which must agree when both are given) and the fields to change.
pub fn split_patch(patch: Value, headers: &HeaderMap) -> Result<(Map<String, Value>, i64), ApiError> {
    let Value::Object(mut fields) = patch else {
        return Err(ApiError::Invalid(banyan_domain::Violations::one(
            &banyan_domain::validate::Path::root(),
            "invalid_type",
            "must be an object of the fields to change",
        )));
    };
    let body_version = match fields.remove("version") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
        Some(_) => {
            return Err(ApiError::field(
                "version",
                "invalid_type",
                "must be the whole number of the version you edited",
            ));
        }
    };
    let version = match (body_version, if_match_version(headers)?) {
        (Some(a), Some(b)) if a != b => {
            return Err(ApiError::field("version", "invalid_value", format!("is {a} but If-Match names version {b}")));
        }
        (Some(v), _) | (None, Some(v)) => v,
        (None, None) => {
            return Err(ApiError::PreconditionRequired(
                "give the version you edited, as \"version\" in the body or as an If-Match header".into(),
            ));
        }
    };
    Ok((fields, version))
}

/// The `version` a body names: the version of the thing the caller saw and changed.
pub(crate) fn read_version(body: &serde_json::Value, what: &str) -> Result<i64, ApiError> {
    match body.get("version") {
        Some(v) => v.as_i64().filter(|n| *n >= 1).ok_or_else(|| {
            ApiError::field("version", "invalid_value", "must be the whole number of the version you saw")
        }),
        None => Err(ApiError::field("version", "required", format!("is required: the version of the {what} you saw"))),
    }
}
