//! Who is calling: sessions (cookies for browsers, bearer tokens for programs), API tokens,
//! passwords, and the CSRF rules for requests that carry cookies.
//!
//! Every request passes through [`identify`], which works out the [`Caller`] once, checks CSRF
//! for state-changing requests that carry a session cookie (or are sign-in forms), and leaves the
//! caller in the request for handlers to take.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use sha2::{Digest, Sha256};

use banyan_domain::Scope;
use banyan_domain::access::Viewer;
use banyan_store::{Actor, Session, SessionKind, TokenInfo, User};

use crate::AppState;
use crate::problem::ApiError;

/// The browser session cookie. `__Host-` makes browsers insist on Secure, Path=/ and no Domain,
/// so no other site or subdomain can set or read it.
pub const SESSION_COOKIE: &str = "__Host-banyan_session";
/// The CSRF cookie for forms used before signing in (double-submit).
pub const CSRF_COOKIE: &str = "__Host-banyan_csrf";
/// The form field and header that carry the CSRF token.
pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How long a session lasts without use.
pub const BROWSER_SESSION: Duration = Duration::days(14);
pub const API_SESSION: Duration = Duration::days(30);

/// The prefix of every API token and API session token, so that a leaked one is easy to
/// recognise and search for.
pub const TOKEN_PREFIX: &str = "banyan_";
const SESSION_TOKEN_PREFIX: &str = "banyan_s_";

/// SHA-256 in hex. Secrets are 256 random bits, so a fast hash is enough to store them; a slow
/// password hash would only slow every request.
pub fn token_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A new random secret: 256 bits, URL-safe, after `prefix`.
pub fn random_secret(prefix: &str) -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// A new API token secret.
pub fn new_token_secret() -> String {
    random_secret(TOKEN_PREFIX)
}

/// Hashes a password with argon2id (OWASP's parameters: 19 MiB, 2 passes), off the async
/// threads.
pub async fn hash_password(password: &str) -> Result<String, ApiError> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
        let salt = SaltString::generate(&mut OsRng);
        argon2::Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| ApiError::Internal(format!("hashing a password: {e}")))
}

/// A hash of a password nobody has, checked against when the account does not exist, so that
/// answering takes as long either way.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(random_secret("").as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// Whether `password` matches `hash` (or, with no hash, spends the same time and says no).
pub async fn verify_password(password: &str, hash: Option<&str>) -> bool {
    let password = password.to_string();
    let hash = hash.filter(|h| !h.is_empty()).map(str::to_string);
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{PasswordHash, PasswordVerifier};
        let (hash, real) = match &hash {
            Some(h) => (h.as_str(), true),
            None => (DUMMY_HASH.as_str(), false),
        };
        let Ok(parsed) = PasswordHash::new(hash) else { return false };
        argon2::Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && real
    })
    .await
    .unwrap_or(false)
}

/// A `Set-Cookie` value for a `__Host-` cookie.
pub fn cookie(name: &str, value: &str, max_age: Duration) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={}",
        max_age.num_seconds().max(0)
    ))
    .expect("cookie values are URL-safe")
}

/// A `Set-Cookie` value that removes a cookie.
pub fn expired_cookie(name: &str) -> HeaderValue {
    cookie(name, "", Duration::zero())
}

/// A cookie's value from the request.
pub fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Opens a session; returns the secret for the client (cookie value or bearer token).
pub async fn start_session(state: &AppState, user: &User, kind: SessionKind) -> Result<(String, Session), ApiError> {
    let secret = match kind {
        SessionKind::Browser => random_secret(""),
        SessionKind::Api => random_secret(SESSION_TOKEN_PREFIX),
    };
    let now = Utc::now();
    let session = Session {
        id_hash: token_hash(&secret),
        user_id: user.id,
        kind,
        csrf: random_secret(""),
        created_at: now,
        last_seen_at: now,
        expires_at: now + if kind == SessionKind::Browser { BROWSER_SESSION } else { API_SESSION },
    };
    state.store.create_session(session.clone()).await?;
    Ok((secret, session))
}

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Auth {
    Anonymous,
    Session(Session),
    Token(TokenInfo),
}

/// Who is making a request, and what they may do.
#[derive(Debug, Clone)]
pub struct Caller {
    pub viewer: Viewer,
    pub user: Option<User>,
    pub auth: Auth,
}

impl Caller {
    pub fn anonymous() -> Caller {
        Caller { viewer: Viewer::anonymous(), user: None, auth: Auth::Anonymous }
    }

    /// Curators and admins acting as such (bootstrap tokens of those roles included).
    pub fn is_staff(&self) -> bool {
        self.viewer.is_curator()
    }

    /// Who to write in the audit log for this caller's writes.
    pub fn actor(&self) -> Option<Actor> {
        match (&self.user, &self.auth) {
            (Some(u), _) => Some(Actor::user(u.id, u.role)),
            (None, Auth::Token(t)) => Some(Actor::token(t.id, &t.name, t.role)),
            _ => None,
        }
    }

    pub fn unauthenticated() -> ApiError {
        ApiError::Unauthenticated("sign in, or send an API token as `Authorization: Bearer <token>`".into())
    }

    /// A signed-in person with a verified address, whose token (if any) may write.
    pub fn require_member(&self) -> Result<(&User, Actor), ApiError> {
        let Some(user) = &self.user else { return Err(Self::unauthenticated()) };
        if !user.is_verified() {
            return Err(ApiError::Forbidden("verify your e-mail address first".into()));
        }
        if !self.viewer.has(Scope::Write) {
            return Err(ApiError::Forbidden("this token may not write; it lacks the write scope".into()));
        }
        Ok((user, Actor::user(user.id, user.role)))
    }

    /// Anyone who may write records: a member, or a bootstrap token of a staff role.
    pub fn require_writer(&self) -> Result<Actor, ApiError> {
        match (&self.user, &self.auth) {
            (Some(_), _) => self.require_member().map(|(_, a)| a),
            (None, Auth::Token(t)) if t.role.is_staff() => Ok(Actor::token(t.id, &t.name, t.role)),
            _ => Err(Self::unauthenticated()),
        }
    }

    /// A curator or admin acting as such.
    pub fn require_curator(&self) -> Result<Actor, ApiError> {
        let actor = self.actor().ok_or_else(Self::unauthenticated)?;
        if !self.viewer.is_curator() {
            return Err(ApiError::Forbidden("this is for curators".into()));
        }
        Ok(actor)
    }

    pub fn require_admin(&self) -> Result<Actor, ApiError> {
        let actor = self.actor().ok_or_else(Self::unauthenticated)?;
        if !self.viewer.is_admin() {
            return Err(ApiError::Forbidden("this is for admins".into()));
        }
        Ok(actor)
    }

    pub fn csrf(&self) -> Option<&str> {
        match &self.auth {
            Auth::Session(s) => Some(&s.csrf),
            _ => None,
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Arc<Caller>>().map(|c| c.as_ref().clone()).unwrap_or_else(Caller::anonymous))
    }
}

async fn viewer_for(state: &AppState, user: &User, scopes: Option<Vec<Scope>>) -> Result<Viewer, ApiError> {
    Ok(Viewer {
        user: Some(user.id),
        role: Some(user.role),
        memberships: state.store.memberships(user.id).await?,
        scopes,
    })
}

/// Works out who is calling from the `Authorization` header or the session cookie.
async fn resolve(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let invalid = || ApiError::Unauthenticated("the token is not valid (unknown, revoked or expired)".into());
        let secret = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| ApiError::Unauthenticated("use `Authorization: Bearer <token>`".into()))?;
        if !secret.starts_with(TOKEN_PREFIX) || secret.len() > 200 {
            return Err(invalid());
        }
        // An API session's token; or an API token whose random part happens to begin with
        // `s_` (one in 4,096), which falls through to the token lookup below.
        if secret.starts_with(SESSION_TOKEN_PREFIX)
            && let Some(session) = state.store.session(&token_hash(secret)).await?
        {
            let user = state.store.user(session.user_id).await?.ok_or_else(invalid)?;
            let viewer = viewer_for(state, &user, None).await?;
            return Ok(Caller { viewer, user: Some(user), auth: Auth::Session(session) });
        }
        let token = state.store.use_token(&token_hash(secret)).await?.ok_or_else(invalid)?;
        return match token.user_id {
            Some(uid) => {
                let user = state.store.user(uid).await?.filter(|u| !u.is_blocked()).ok_or_else(invalid)?;
                // A token never does more than its owner may do now.
                let scopes: Vec<Scope> = token.scopes.iter().copied().filter(|s| s.allowed_for(user.role)).collect();
                let viewer = viewer_for(state, &user, Some(scopes)).await?;
                Ok(Caller { viewer, user: Some(user), auth: Auth::Token(token) })
            }
            None => {
                let viewer = Viewer { user: None, role: Some(token.role), memberships: Vec::new(), scopes: None };
                Ok(Caller { viewer, user: None, auth: Auth::Token(token) })
            }
        };
    }
    if let Some(secret) = read_cookie(headers, SESSION_COOKIE).filter(|s| !s.is_empty() && s.len() <= 100)
        && let Some(session) = state.store.session(&token_hash(&secret)).await?
        && session.kind == SessionKind::Browser
        && let Some(user) = state.store.user(session.user_id).await?
    {
        let viewer = viewer_for(state, &user, None).await?;
        return Ok(Caller { viewer, user: Some(user), auth: Auth::Session(session) });
    }
    Ok(Caller::anonymous())
}

fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether `Origin` (or, failing that, `Referer`) names this site. Absent both, the token check
/// alone decides.
fn same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    let own = url::Url::parse(public_url).ok().map(|u| u.origin());
    let named = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok())
        .map(|v| url::Url::parse(v).ok().map(|u| u.origin()));
    match named {
        None => true,
        Some(origin) => origin.is_some() && origin == own,
    }
}

/// The CSRF token a request carries: the header, or the `csrf` field of a form body (which is
/// read here and put back for the handler).
async fn submitted_token(req: Request, limit: usize) -> Result<(Option<String>, Request), ApiError> {
    if let Some(v) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return Ok((Some(v.to_string()), req));
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((None, req));
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| ApiError::PayloadTooLarge(limit))?;
    let token = url::form_urlencoded::parse(&bytes).find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v.into_owned());
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Identifies the caller and enforces CSRF protection.
///
/// A state-changing request is checked when it carries ambient credentials (a session cookie)
/// or is one of the sign-in forms (against login CSRF). Requests with an `Authorization` header,
/// and API requests without cookies, carry nothing a forged request could borrow.
pub async fn identify(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let caller = match resolve(&state, req.headers()).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let mut req = req;
    if is_unsafe(req.method()) && !req.headers().contains_key(header::AUTHORIZATION) {
        // Pages' forms; not the API, nor OAI-PMH, which harvesters POST to and which changes
        // nothing.
        let is_page = !req.uri().path().starts_with("/api/") && req.uri().path() != "/oai";
        let expected = match (&caller.auth, is_page) {
            (Auth::Session(s), _) => Some(s.csrf.clone()),
            (_, true) => Some(read_cookie(req.headers(), CSRF_COOKIE).unwrap_or_default()),
            _ => None,
        };
        if let Some(expected) = expected {
            if !same_origin(req.headers(), &state.config.public_url) {
                return ApiError::Forbidden("this request came from another site".into()).into_response();
            }
            let (token, rebuilt) = match submitted_token(req, state.config.max_body_bytes).await {
                Ok(t) => t,
                Err(e) => return e.into_response(),
            };
            req = rebuilt;
            if expected.is_empty() || !token.is_some_and(|t| constant_time_eq(&t, &expected)) {
                return ApiError::Forbidden(
                    "the form's security token is missing or out of date; reload the page and try again".into(),
                )
                .into_response();
            }
        }
    }
    req.extensions_mut().insert(Arc::new(caller));
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_look_like_tokens_and_hash_stably() {
        let t = new_token_secret();
        assert!(t.starts_with(TOKEN_PREFIX) && t.len() > 40);
        assert_ne!(t, new_token_secret());
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn cookies_are_read_and_written_with_the_host_prefix_rules() {
        let c = cookie(SESSION_COOKIE, "xyz", Duration::hours(1)).to_str().unwrap().to_string();
        for part in ["__Host-banyan_session=xyz", "Path=/", "Secure", "HttpOnly", "SameSite=Lax", "Max-Age=3600"] {
            assert!(c.contains(part), "{c}");
        }
        assert!(!c.contains("Domain"));
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; __Host-banyan_session=xyz; b=2"));
        assert_eq!(read_cookie(&h, SESSION_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(read_cookie(&h, "c"), None);
    }

    #[test]
    fn origins_are_compared_whole() {
        let mut h = HeaderMap::new();
        assert!(same_origin(&h, "https://banyan.example"));
        h.insert(header::ORIGIN, HeaderValue::from_static("https://banyan.example"));
        assert!(same_origin(&h, "https://banyan.example/"));
        h.insert(header::ORIGIN, HeaderValue::from_static("https://banyan.example.evil.org"));
        assert!(!same_origin(&h, "https://banyan.example"));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&h, "https://banyan.example"));
    }

    #[tokio::test]
    async fn passwords_verify_only_against_their_hash() {
        let hash = hash_password("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", Some(&hash)).await);
        assert!(!verify_password("wrong horse battery", Some(&hash)).await);
        assert!(!verify_password("correct horse battery", None).await);
    }
}
