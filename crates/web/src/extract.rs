//! What handlers take from a request: who is calling, a JSON body, query parameters.

use axum::body::Body;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, header, request::Parts};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use banyan_domain::Role;
use banyan_domain::validate::{Checker, Obj, Path};
use banyan_store::{Actor, TokenInfo};

use crate::AppState;
use crate::problem::ApiError;

/// Who is making a request.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    Token(TokenInfo),
}

impl Caller {
    /// Staff (admins and curators) see and change records that are not public.
    pub fn is_staff(&self) -> bool {
        matches!(self, Caller::Token(t) if t.role.is_staff())
    }

    /// The actor to record as the author of a write; refuses anonymous callers.
    pub fn require_staff(&self) -> Result<Actor, ApiError> {
        match self {
            Caller::Token(t) if t.role.is_staff() => Ok(Actor::token(t.id, &t.name, t.role)),
            Caller::Token(_) => Err(ApiError::Forbidden("this needs an admin or curator token".into())),
            Caller::Anonymous => Err(ApiError::Unauthenticated(
                "send an API token as `Authorization: Bearer <token>`; an admin makes one with `banyan token create`"
                    .into(),
            )),
        }
    }

    pub fn role(&self) -> Option<Role> {
        match self {
            Caller::Token(t) => Some(t.role),
            Caller::Anonymous => None,
        }
    }
}

/// The prefix of every API token, so that a leaked one is easy to recognise and search for.
pub const TOKEN_PREFIX: &str = "banyan_";

/// The stored form of a token secret: SHA-256, in hex. Tokens are 256 random bits, so a fast
/// hash is enough; a slow password hash would only slow every request.
pub fn token_hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new random token secret.
pub fn new_token_secret() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{TOKEN_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

impl<S> FromRequestParts<S> for Caller
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else { return Ok(Caller::Anonymous) };
        let invalid = || ApiError::Unauthenticated("the API token is not valid (unknown, revoked or expired)".into());
        let value = value.to_str().map_err(|_| invalid())?;
        let Some(secret) = value.strip_prefix("Bearer ").map(str::trim) else {
            return Err(ApiError::Unauthenticated("use `Authorization: Bearer <token>`".into()));
        };
        if !secret.starts_with(TOKEN_PREFIX) || secret.len() > 200 {
            return Err(invalid());
        }
        let state = AppState::from_ref(state);
        match state.store.use_token(&token_hash(secret)).await? {
            Some(token) => Ok(Caller::Token(token)),
            None => Err(invalid()),
        }
    }
}

/// A JSON body: `application/json` or another `+json` type, within the size limit.
pub struct JsonBody(pub Value);

impl<S> FromRequest<S> for JsonBody
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request<Body>, state: &S) -> Result<Self, Self::Rejection> {
        let limit = AppState::from_ref(state).config.max_body_bytes;
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType(
                "send the body as JSON, with `Content-Type: application/json`".into(),
            ));
        }
        let bytes = read_limited(req.into_body(), limit).await.ok_or(ApiError::PayloadTooLarge(limit))?;
        let value = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::MalformedJson(format!("{e} (line {}, column {})", e.line(), e.column())))?;
        Ok(JsonBody(value))
    }
}

/// How much of a too-large body is read and thrown away before answering 413. Answering before
/// the client has finished sending makes many clients see a reset connection instead of the
/// answer; past this much, closing the connection is the lesser evil.
const DRAIN_LIMIT: usize = 16 * 1024 * 1024;

/// The body, if it is at most `limit` bytes. A larger one is drained (up to [`DRAIN_LIMIT`]) and
/// dropped, so that the client can read the 413 that follows.
async fn read_limited(body: Body, limit: usize) -> Option<Vec<u8>> {
    use futures::StreamExt;
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    let mut seen = 0usize;
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else { return None };
        seen += chunk.len();
        if seen > DRAIN_LIMIT {
            return None;
        }
        if seen <= limit {
            bytes.extend_from_slice(&chunk);
        }
    }
    (seen <= limit).then_some(bytes)
}

fn is_json(headers: &HeaderMap) -> bool {
    let Some(ct) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let essence = ct.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Query parameters as a JSON object of strings, so that they are checked with the same
/// [`Checker`] as bodies: every bad parameter named, unknown ones refused.
pub struct QueryParams(Value);

impl QueryParams {
    pub fn parse(query: Option<&str>) -> Result<QueryParams, ApiError> {
        let mut map = Map::new();
        let mut repeated = Checker::new();
        for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            if v.is_empty() {
                continue; // `?kind=` means no filter, as an empty form field does
            }
            if map.insert(k.to_string(), Value::String(v.into_owned())).is_some() {
                repeated.report(&Path::root().key(&k), "repeated", "is given more than once");
            }
        }
        repeated.finish(()).map_err(ApiError::Invalid)?;
        Ok(QueryParams(Value::Object(map)))
    }

    /// Reads the parameters with `read`, then refuses any it did not ask for.
    pub fn read<T>(&self, read: impl FnOnce(&mut Checker, &mut Obj<'_>) -> T) -> Result<T, ApiError> {
        let mut c = Checker::new();
        let mut o = c.object(Path::root(), &self.0);
        let value = read(&mut c, &mut o);
        c.done(o);
        c.finish(value).map_err(ApiError::Invalid)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        QueryParams::parse(parts.uri.query())
    }
}

/// Reads `limit` (1 to `max`, default `default`) and `cursor`.
pub fn paging(c: &mut Checker, o: &mut Obj<'_>, default: u32, max: u32) -> (u32, Option<banyan_store::Cursor>) {
    let limit = o
        .get("limit")
        .and_then(|v| {
            let path = o.path("limit");
            let n = v.as_str().and_then(|s| s.parse::<i64>().ok());
            match n {
                Some(n) if (1..=i64::from(max)).contains(&n) => Some(n as u32),
                _ => {
                    c.report(&path, "out_of_range", format!("must be a whole number from 1 to {max}"));
                    None
                }
            }
        })
        .unwrap_or(default);
    let cursor = c.line(o, "cursor", 500).map(banyan_store::Cursor);
    (limit, cursor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_look_like_tokens_and_hash_stably() {
        let t = new_token_secret();
        assert!(t.starts_with(TOKEN_PREFIX));
        assert!(t.len() > 40);
        assert_ne!(t, new_token_secret());
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn query_parameters_are_checked_like_fields() {
        let q = QueryParams::parse(Some("kind=practice&limit=500&colour=red&sdg=")).unwrap();
        let err = q
            .read(|c, o| {
                let kind = c.parsed(o, "kind", banyan_domain::Kind::parse);
                let _ = c.line(o, "sdg", 10);
                (kind, paging(c, o, 20, 100))
            })
            .unwrap_err();
        let ApiError::Invalid(v) = err else { panic!() };
        assert_eq!(v.fields(), ["limit", "colour"]);
        assert!(matches!(QueryParams::parse(Some("kind=a&kind=b")), Err(ApiError::Invalid(_))));
    }
}
