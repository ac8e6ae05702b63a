//! Errors as `application/problem+json` (RFC 9457).
//!
//! Handlers return [`ApiError`]; it is the only way an error leaves the API. Storage errors map
//! onto it in one place ([`From<StoreError>`]), so every route answers the same way to the same
//! failure. Internal errors are logged with detail and answered without it.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use banyan_domain::validate::Path;
use banyan_domain::{Violation, Violations};
use banyan_store::{StoreError, Tombstone};

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URN naming the kind of problem: `urn:banyan:problem:invalid-input`, …
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// For invalid input: every field that was wrong.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Violation>,
    /// For a version conflict: the version the thing is at now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// For a deleted record: what is left of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tombstone: Option<Tombstone>,
}

#[derive(Debug)]
pub enum ApiError {
    /// The input broke rules; every violation is listed.
    Invalid(Violations),
    /// The body is not JSON at all.
    MalformedJson(String),
    Unauthenticated(String),
    Forbidden(String),
    NotFound(String),
    Gone(Tombstone),
    MethodNotAllowed,
    Conflict {
        expected: i64,
        current: i64,
    },
    PreconditionRequired(String),
    /// A rate limit; the number is how many seconds to wait.
    TooManyRequests(u64),
    PayloadTooLarge(usize),
    UnsupportedMediaType(String),
    Unavailable(String),
    Internal(String),
}

impl ApiError {
    /// One invalid field.
    pub fn field(field: &str, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::Invalid(Violations::one(&Path::root().key(field), code, message))
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        use ApiError::*;
        match self {
            Invalid(_) => (StatusCode::BAD_REQUEST, "invalid-input", "The input is not valid"),
            MalformedJson(_) => (StatusCode::BAD_REQUEST, "malformed-json", "The body is not valid JSON"),
            Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "unauthenticated", "Authentication is required"),
            Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Not allowed"),
            NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            Gone(_) => (StatusCode::GONE, "gone", "Deleted"),
            MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed"),
            Conflict { .. } => (StatusCode::CONFLICT, "version-conflict", "Someone else changed it first"),
            PreconditionRequired(_) => {
                (StatusCode::PRECONDITION_REQUIRED, "version-required", "The version you edited is required")
            }
            TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, "rate-limited", "Too many requests"),
            PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too-large", "The body is too large"),
            UnsupportedMediaType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Send JSON"),
            Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", "Temporarily unavailable"),
            Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Something went wrong on our side"),
        }
    }

    pub fn status(&self) -> StatusCode {
        self.parts().0
    }

    pub fn problem(&self) -> Problem {
        let (status, slug, title) = self.parts();
        let mut p = Problem {
            problem_type: format!("urn:banyan:problem:{slug}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail: String::new(),
            errors: Vec::new(),
            current_version: None,
            tombstone: None,
        };
        p.detail = match self {
            ApiError::Invalid(v) => {
                p.errors = v.0.clone();
                let n = v.0.len();
                format!("{n} field{} {} wrong: {v}", if n == 1 { "" } else { "s" }, if n == 1 { "is" } else { "are" })
            }
            ApiError::MalformedJson(d)
            | ApiError::Unauthenticated(d)
            | ApiError::Forbidden(d)
            | ApiError::NotFound(d)
            | ApiError::PreconditionRequired(d)
            | ApiError::UnsupportedMediaType(d)
            | ApiError::Unavailable(d) => d.clone(),
            ApiError::Gone(t) => {
                p.tombstone = Some(t.clone());
                format!("record {} was deleted at {}", t.id, t.deleted_at.to_rfc3339())
            }
            ApiError::MethodNotAllowed => "this address does not accept that method".into(),
            ApiError::Conflict { expected, current } => {
                p.current_version = Some(*current);
                format!(
                    "you edited version {expected}, but it is now at version {current}; fetch it again and reapply your change"
                )
            }
            ApiError::PayloadTooLarge(limit) => format!("the body must be at most {limit} bytes"),
            ApiError::TooManyRequests(wait) => format!("too many attempts; try again in {wait} seconds"),
            // Never show internal detail to the client; it is in the log.
            ApiError::Internal(_) => "the error has been logged".into(),
        };
        p
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let problem = self.problem();
        let body = serde_json::to_vec(&problem).expect("problems serialise");
        let mut res = (self.status(), body).into_response();
        let headers = res.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let ApiError::Unauthenticated(_) = self {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"banyan\""));
        }
        if let Some(wait) = self.retry_after() {
            headers.insert(header::RETRY_AFTER, wait);
        }
        res
    }
}

impl ApiError {
    /// The `Retry-After` of an error that passes (a busy node, a rate limit), for problems and
    /// pages alike.
    pub fn retry_after(&self) -> Option<HeaderValue> {
        match self {
            ApiError::Unavailable(_) => Some(HeaderValue::from_static("5")),
            ApiError::TooManyRequests(wait) => Some(HeaderValue::from(*wait)),
            _ => None,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound => ApiError::NotFound("no such thing".into()),
            // Routes that can say what was deleted answer `Gone` themselves.
            StoreError::Gone => ApiError::NotFound("it was deleted".into()),
            StoreError::Conflict { expected, current } => ApiError::Conflict { expected, current },
            StoreError::Invalid(v) => ApiError::Invalid(v),
            StoreError::Unavailable(d) => {
                tracing::warn!(detail = %d, "database unavailable");
                ApiError::Unavailable("the database is busy; try again in a few seconds".into())
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
