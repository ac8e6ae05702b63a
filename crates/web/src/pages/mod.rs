//! The pages people use for accounts, submissions and curation. Server-rendered, usable
//! without JavaScript; every form carries the CSRF token that [`crate::auth::identify`] checks.

mod accounts;
pub mod forms;
mod organisations;
mod records;
mod review;

use std::sync::LazyLock;

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::{HeaderValue, Method, StatusCode, header, request::Parts};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get};
use minijinja::Environment;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{Auth, CSRF_COOKIE, Caller, cookie, random_secret, read_cookie};
use crate::problem::ApiError;

/// The templates, compiled into the binary.
static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in [
        ("base.html", include_str!("../../templates/base.html")),
        ("macros.html", include_str!("../../templates/macros.html")),
        ("message.html", include_str!("../../templates/message.html")),
        ("signup.html", include_str!("../../templates/signup.html")),
        ("login.html", include_str!("../../templates/login.html")),
        ("reset_request.html", include_str!("../../templates/reset_request.html")),
        ("token_form.html", include_str!("../../templates/token_form.html")),
        ("account.html", include_str!("../../templates/account.html")),
        ("submit.html", include_str!("../../templates/submit.html")),
        ("practice_form.html", include_str!("../../templates/practice_form.html")),
        ("idea_form.html", include_str!("../../templates/idea_form.html")),
        ("dashboard.html", include_str!("../../templates/dashboard.html")),
        ("review_queue.html", include_str!("../../templates/review_queue.html")),
        ("review.html", include_str!("../../templates/review.html")),
        ("reports.html", include_str!("../../templates/reports.html")),
        ("users.html", include_str!("../../templates/users.html")),
        ("outbox.html", include_str!("../../templates/outbox.html")),
        ("organisation.html", include_str!("../../templates/organisation.html")),
        ("organisation_new.html", include_str!("../../templates/organisation_new.html")),
    ] {
        env.add_template(name, source).unwrap_or_else(|e| panic!("template {name}: {e}"));
    }
    env
});

/// The stylesheet, served from the binary.
const STYLESHEET: &str = include_str!("../../assets/site.css");

/// Pages allow their own stylesheet and forms to this site, nothing else.
const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
                        frame-ancestors 'none'; base-uri 'none'";

/// Every page route: `(method, path, handler)`. The router is built from this list, and the
/// permission matrix test reads it.
pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    let mut r: Vec<(Method, &'static str, MethodRouter<AppState>)> =
        vec![(Method::GET, "/assets/site.css", get(stylesheet))];
    r.extend(accounts::routes());
    r.extend(records::routes());
    r.extend(review::routes());
    r.extend(organisations::routes());
    r
}

async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], STYLESHEET)
        .into_response()
}

/// What every page handler starts from: who is asking, their CSRF token, and where they are.
pub struct PageCtx {
    pub caller: Caller,
    pub csrf: String,
    /// A CSRF cookie to set, for someone not yet signed in.
    new_csrf: Option<String>,
    pub path: String,
    /// A message after a redirect (`?done=…`), from a fixed list.
    notice: Option<&'static str>,
}

/// Messages shown after an action, by the code in `?done=`. Fixed texts: nothing from the URL is
/// ever shown.
const NOTICES: &[(&str, &str)] = &[
    ("signed-in", "You are signed in."),
    ("signed-out", "You are signed out."),
    ("saved", "Saved."),
    ("submitted", "Thank you. Your submission is with the curators; you will hear from them here and by mail."),
    ("draft", "Saved as a draft. Submit it when it is ready."),
    ("moved", "Done."),
    ("password", "Your password is changed. Other sessions were signed out."),
    ("email", "Check your new address for a link to confirm it."),
    ("token-revoked", "The token is revoked."),
    ("comment", "Your message is sent."),
    ("reported", "Thank you. The moderators will look at it."),
    ("invited", "The invitation is on its way."),
    ("joined", "You have joined the organisation."),
];

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let (csrf, new_csrf) = match &caller.auth {
            Auth::Session(s) => (s.csrf.clone(), None),
            _ => match read_cookie(&parts.headers, CSRF_COOKIE).filter(|c| c.len() >= 20) {
                Some(c) => (c, None),
                None => {
                    let c = random_secret("");
                    (c.clone(), Some(c))
                }
            },
        };
        let uri = parts.extensions.get::<OriginalUri>().map_or_else(|| parts.uri.clone(), |u| u.0.clone());
        let notice = uri
            .query()
            .and_then(|q| url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "done"))
            .and_then(|(_, v)| NOTICES.iter().find(|(code, _)| *code == v).map(|(_, text)| *text));
        Ok(PageCtx { caller, csrf, new_csrf, path: uri.path().to_string(), notice })
    }
}

/// A page that failed: rendered as a page, not as JSON.
pub struct PageError(pub ApiError, pub String);

impl From<(ApiError, &PageCtx)> for PageError {
    fn from((e, ctx): (ApiError, &PageCtx)) -> Self {
        PageError(e, ctx.path.clone())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let PageError(error, path) = self;
        if let ApiError::Unauthenticated(_) = error {
            let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
            return Redirect::to(&format!("/login?next={next}")).into_response();
        }
        let problem = error.problem();
        let (heading, text) = match &error {
            ApiError::Forbidden(d) => ("Not allowed".to_string(), d.clone()),
            ApiError::NotFound(_) | ApiError::Gone(_) => {
                ("Not found".to_string(), "There is nothing here, or it is not yours to see.".to_string())
            }
            ApiError::TooManyRequests(_) => ("Too many attempts".to_string(), problem.detail.clone()),
            ApiError::Internal(_) => {
                ("Something went wrong".to_string(), "The error has been logged. Please try again later.".to_string())
            }
            _ => (problem.title.clone(), problem.detail.clone()),
        };
        let body = TEMPLATES
            .get_template("message.html")
            .and_then(|t| {
                t.render(minijinja::Value::from(minijinja::value::Serde(
                    json!({"site": "Banyan", "heading": heading, "paragraphs": [text]}),
                )))
            })
            .unwrap_or_else(|_| "Something went wrong.".to_string());
        let mut res = (error.status(), Html(body)).into_response();
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
        if let ApiError::TooManyRequests(wait) = error {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait));
        }
        if let ApiError::Internal(detail) = &error {
            tracing::error!(%detail, "internal error on a page");
        }
        res
    }
}

pub type PageResult = Result<Response, PageError>;

impl PageCtx {
    /// Fails (redirecting to sign-in) unless someone is signed in.
    pub fn user(&self) -> Result<&banyan_store::User, PageError> {
        self.caller.user.as_ref().ok_or_else(|| PageError(ApiError::Unauthenticated(String::new()), self.path.clone()))
    }

    pub fn fail(&self, e: impl Into<ApiError>) -> PageError {
        PageError(e.into(), self.path.clone())
    }

    /// Renders a template with the page frame (site, person, CSRF token, notice).
    pub fn render(&self, state: &AppState, template: &str, context: Value) -> PageResult {
        self.render_status(state, StatusCode::OK, template, context)
    }

    pub fn render_status(&self, state: &AppState, status: StatusCode, template: &str, context: Value) -> PageResult {
        let mut ctx = context;
        let frame = json!({
            "site": state.config.site_name,
            "csrf": self.csrf,
            "notice": self.notice,
            "user": self.caller.user.as_ref().map(|u| json!({
                "name": u.name, "curator": self.caller.viewer.is_curator(), "admin": self.caller.viewer.is_admin(),
            })),
        });
        if let (Value::Object(c), Value::Object(f)) = (&mut ctx, frame) {
            for (k, v) in f {
                c.entry(k).or_insert(v);
            }
            for key in ["f", "form", "errors", "checked"] {
                c.entry(key).or_insert_with(|| json!({}));
            }
            if !c.contains_key("f") || c["f"] == json!({}) {
                let f =
                    json!({"form": c["form"].clone(), "errors": c["errors"].clone(), "checked": c["checked"].clone()});
                c.insert("f".into(), f);
            }
        }
        let html = TEMPLATES
            .get_template(template)
            .and_then(|t| t.render(minijinja::Value::from(minijinja::value::Serde(&ctx))))
            .map_err(|e| self.fail(ApiError::Internal(format!("rendering {template}: {e:#}"))))?;
        let mut res = (status, Html(html)).into_response();
        let headers = res.headers_mut();
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
        // Pages hold personal data and CSRF tokens: never cached.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(c) = &self.new_csrf {
            headers.append(header::SET_COOKIE, cookie(CSRF_COOKIE, c, chrono::Duration::days(1)));
        }
        Ok(res)
    }

    /// A form shown again with what was typed and what was wrong, with status 400.
    pub fn form_again(
        &self,
        state: &AppState,
        template: &str,
        form: &forms::FormData,
        errors: impl serde::Serialize,
        mut extra: Value,
    ) -> PageResult {
        if let Value::Object(m) = &mut extra {
            m.insert("form".into(), json!(form.echo()));
            m.insert("checked".into(), json!(form.checked()));
            m.insert("errors".into(), json!(errors));
            m.insert("problem".into(), json!("Please correct what is marked below."));
        }
        self.render_status(state, StatusCode::BAD_REQUEST, template, extra)
    }
}

/// A redirect after a successful form (Post/Redirect/Get).
pub fn redirect(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Whether `next` is a path on this site (and not `//elsewhere`).
pub fn local_path(next: Option<&str>) -> Option<&str> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
}

/// Options for a select, from a vocabulary.
pub fn options(name: &str) -> Value {
    banyan_domain::vocabulary(name, None).map_or(json!([]), |v| {
        json!(v.items.iter().map(|i| json!({"code": i.code, "name": i.name})).collect::<Vec<_>>())
    })
}

/// SDG goals only, for checkboxes.
pub fn sdg_goals() -> Value {
    json!(banyan_domain::Sdg::all_goals().map(|g| json!({"code": g.code(), "name": format!("{} {}", g.code(), banyan_domain::vocab::generated::sdg::SDG_GOALS[usize::from(g.goal_number()) - 1].short)})).collect::<Vec<_>>())
}

/// COFOG divisions only.
pub fn sector_divisions() -> Value {
    json!(
        banyan_domain::vocab::generated::cofog::COFOG
            .iter()
            .filter(|c| c.parent.is_none())
            .map(|c| json!({"code": c.code, "name": c.name}))
            .collect::<Vec<_>>()
    )
}

/// The languages offered first in forms: those of the network, then some others.
pub fn form_languages() -> Value {
    let codes = [
        "en", "bn", "hi", "ne", "si", "ta", "ur", "th", "lo", "km", "my", "vi", "ms", "id", "fil", "zh", "ar", "fr",
        "es", "pt",
    ];
    json!(
        codes
            .iter()
            .filter_map(|c| banyan_domain::LanguageTag::parse(c).ok())
            .map(|l| json!({"code": l.as_str(), "name": l.language_name()}))
            .collect::<Vec<_>>()
    )
}

pub fn page_routes_list() -> Vec<(&'static str, &'static str)> {
    routes().into_iter().map(|(m, p, _)| (if m == Method::GET { "GET" } else { "POST" }, p)).collect()
}
