//! What handlers take from a request: who is calling, a JSON body, query parameters.

use axum::body::Body;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, header, request::Parts};
use serde_json::{Map, Value};

use banyan_domain::validate::{Checker, Obj, Path};

use crate::AppState;
use crate::problem::ApiError;

/// The client's address, for rate limits: the peer, or (behind a trusted proxy) the last
/// address the proxy added to `X-Forwarded-For`.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub std::net::IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if state.config.trust_forwarded_for
            && let Some(ip) = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|v| v.trim().parse().ok())
        {
            return Ok(ClientIp(ip));
        }
        let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
        Ok(ClientIp(peer.unwrap_or(std::net::IpAddr::from([127, 0, 0, 1]))))
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

/// Reads a JSON body with `read`, then refuses any field it did not ask for; every problem is
/// reported at once.
pub fn read_body<T>(body: &Value, read: impl FnOnce(&mut Checker, &mut Obj<'_>) -> T) -> Result<T, ApiError> {
    let mut c = Checker::new();
    let mut o = c.object(Path::root(), body);
    let value = read(&mut c, &mut o);
    c.done(o);
    c.finish(value).map_err(ApiError::Invalid)
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
            if k == "hl" {
                continue; // the interface language, which any page may carry (see `i18n`)
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
        read_body(&self.0, read)
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
