//! The pages people use for accounts, submissions and curation. Server-rendered, usable
//! without JavaScript; every form carries the CSRF token that [`crate::auth::identify`] checks.

mod accounts;
pub mod charts;
mod conversations;
pub mod forms;
mod impact;
pub mod map;
mod organisations;
mod peers;
mod pilots;
mod records;
mod review;
mod site;

use std::sync::LazyLock;

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::{HeaderValue, Method, StatusCode, header, request::Parts};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get};
use minijinja::Environment;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{Auth, CSRF_COOKIE, Caller, cookie, random_secret, read_cookie};
use crate::i18n::{self, Locale};
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
        ("my.html", include_str!("../../templates/my.html")),
        ("review_queue.html", include_str!("../../templates/review_queue.html")),
        ("review.html", include_str!("../../templates/review.html")),
        ("reports.html", include_str!("../../templates/reports.html")),
        ("users.html", include_str!("../../templates/users.html")),
        ("outbox.html", include_str!("../../templates/outbox.html")),
        ("organisation.html", include_str!("../../templates/organisation.html")),
        ("organisation_new.html", include_str!("../../templates/organisation_new.html")),
        ("home.html", include_str!("../../templates/home.html")),
        ("search.html", include_str!("../../templates/search.html")),
        ("record.html", include_str!("../../templates/record.html")),
        ("countries.html", include_str!("../../templates/countries.html")),
        ("country.html", include_str!("../../templates/country.html")),
        ("about.html", include_str!("../../templates/about.html")),
        ("api.html", include_str!("../../templates/api.html")),
        ("conversations.html", include_str!("../../templates/conversations.html")),
        ("conversation.html", include_str!("../../templates/conversation.html")),
        ("pilot.html", include_str!("../../templates/pilot.html")),
        ("dashboard.html", include_str!("../../templates/dashboard.html")),
        ("service.html", include_str!("../../templates/service.html")),
        ("service_form.html", include_str!("../../templates/service_form.html")),
        ("service_fields.html", include_str!("../../templates/service_fields.html")),
        ("adoption.html", include_str!("../../templates/adoption.html")),
        ("adoption_fields.html", include_str!("../../templates/adoption_fields.html")),
        ("rates.html", include_str!("../../templates/rates.html")),
        ("peers.html", include_str!("../../templates/peers.html")),
        ("pilot_plan_fields.html", include_str!("../../templates/pilot_plan_fields.html")),
        ("pilot_kpis.html", include_str!("../../templates/pilot_kpis.html")),
        ("checklist_body.html", include_str!("../../templates/checklist_body.html")),
        ("checklist.html", include_str!("../../templates/checklist.html")),
        ("procurement.html", include_str!("../../templates/procurement.html")),
    ] {
        env.add_template(name, source).unwrap_or_else(|e| panic!("template {name}: {e}"));
    }
    env.add_function("t", translate);
    env.add_function("label", vocab_label);
    env.add_filter("num", format_number);
    env.add_filter("date", format_date);
    env.add_filter("pdate", format_partial_date);
    env
});

thread_local! {
    /// The locale of the page being rendered on this thread: macros imported from another
    /// template do not see the page's variables, so `t()` inside them reads this.
    static RENDERING: std::cell::Cell<Option<&'static Locale>> = const { std::cell::Cell::new(None) };
}

/// Renders a template in a locale.
fn render_in(locale: &'static Locale, template: &str, ctx: &Value) -> Result<String, minijinja::Error> {
    RENDERING.with(|r| r.set(Some(locale)));
    let out =
        TEMPLATES.get_template(template).and_then(|t| t.render(minijinja::Value::from(minijinja::value::Serde(ctx))));
    RENDERING.with(|r| r.set(None));
    out
}

/// The locale a template renders in (its `lang` variable, or the page's).
fn template_locale(state: &minijinja::State) -> &'static Locale {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().and_then(i18n::find))
        .or_else(|| RENDERING.with(|r| r.get()))
        .unwrap_or_else(i18n::default_locale)
}

/// `t(id, name=value, …)`: an interface text in the page's language.
fn translate(state: &minijinja::State, id: &str, kwargs: minijinja::value::Kwargs) -> Result<String, minijinja::Error> {
    let locale = template_locale(state);
    let mut args = fluent_bundle::FluentArgs::new();
    for key in kwargs.args() {
        let v: minijinja::Value = kwargs.get(key)?;
        if let Some(n) = v.as_i64() {
            args.set(key.to_string(), n);
        } else if let Ok(f) = f64::try_from(v.clone()) {
            args.set(key.to_string(), f);
        } else {
            args.set(key.to_string(), v.to_string());
        }
    }
    Ok(locale.text(id, args.iter().next().is_some().then_some(&args)))
}

/// `label("stages", "scaled")`: a vocabulary value's name in the page's language.
fn vocab_label(state: &minijinja::State, vocabulary: &str, code: minijinja::Value) -> String {
    label(template_locale(state), vocabulary, &code.to_string())
}

/// A vocabulary value's name: translated where the locale files have it (`v-<vocabulary>-<code>`),
/// otherwise the vocabulary's English name, otherwise the code.
pub fn label(locale: &Locale, vocabulary: &str, code: &str) -> String {
    let id = format!("v-{vocabulary}-{}", code.replace('.', "_"));
    if locale.has(&id) {
        return locale.t(&id);
    }
    static NAMES: LazyLock<std::collections::HashMap<(String, String), String>> = LazyLock::new(|| {
        let mut m = std::collections::HashMap::new();
        for name in banyan_domain::vocabulary_names() {
            if let Some(v) = banyan_domain::vocabulary(name, None) {
                for item in v.items {
                    let code = item.code.as_str().map_or_else(|| item.code.to_string(), str::to_string);
                    m.insert((name.to_string(), code), item.name.to_string());
                }
            }
        }
        m
    });
    NAMES.get(&(vocabulary.to_string(), code.to_string())).cloned().unwrap_or_else(|| code.to_string())
}

fn format_number(state: &minijinja::State, value: minijinja::Value) -> String {
    let locale = template_locale(state);
    match value.as_i64() {
        Some(n) => locale.int(n),
        None => f64::try_from(value.clone())
            .map(|f| locale.number(f, if f.fract() == 0.0 { 0 } else { 1 }))
            .unwrap_or_else(|_| value.to_string()),
    }
}

/// An RFC 3339 timestamp or a date, as a date in the page's language.
fn format_date(state: &minijinja::State, value: &str) -> String {
    let day = value.get(..10).and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    day.map_or_else(|| value.to_string(), |d| template_locale(state).date(d))
}

fn format_partial_date(state: &minijinja::State, value: &str) -> String {
    template_locale(state).partial_date(value)
}

/// The stylesheet and the one script, served from the binary.
const STYLESHEET: &str = include_str!("../../assets/site.css");
const SCRIPT: &str = include_str!("../../assets/site.js");

/// Pages allow their own stylesheet, script and forms, and reading this site's API; nothing
/// else (no inline script or style, no other origin).
pub const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; \
                            connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Every page route: `(method, path, handler)`. The router is built from this list, and the
/// permission matrix test reads it.
pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    let mut r: Vec<(Method, &'static str, MethodRouter<AppState>)> =
        vec![(Method::GET, "/assets/site.css", get(stylesheet)), (Method::GET, "/assets/site.js", get(script))];
    r.extend(site::routes());
    r.extend(accounts::routes());
    r.extend(records::routes());
    r.extend(review::routes());
    r.extend(organisations::routes());
    r.extend(conversations::routes());
    r.extend(pilots::routes());
    r.extend(impact::routes());
    r.extend(crate::oai::routes());
    r.extend(peers::routes());
    r.extend(crate::open_data::page_routes());
    r
}

/// Assets are addressed with `?v=<hash of the content>` by the pages, so they can be cached for
/// a year; a new binary with other content has other addresses.
async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", STYLESHEET)
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            (header::ETAG, ASSET_VERSION.as_str()),
        ],
        body,
    )
        .into_response()
}

/// A short hash of the stylesheet and script, for their addresses.
pub static ASSET_VERSION: LazyLock<String> = LazyLock::new(|| {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("{STYLESHEET}{SCRIPT}").as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
});

/// What every page handler starts from: who is asking, their CSRF token, and where they are.
pub struct PageCtx {
    pub caller: Caller,
    /// The interface language.
    pub locale: &'static Locale,
    /// Whether `?hl=` chose a language to remember in a cookie.
    remember_locale: bool,
    /// The query string, for links that keep it (the language switcher).
    pub query: String,
    /// The request's `If-None-Match`, to answer 304 for an unchanged page.
    if_none_match: Option<String>,
    pub csrf: String,
    /// A CSRF cookie to set, for someone not yet signed in.
    new_csrf: Option<String>,
    pub path: String,
    /// A message after a redirect (`?done=…`), from a fixed list.
    notice: Option<&'static str>,
}

/// Messages shown after an action, by the code in `?done=` (message `notice-<code>`). Fixed
/// texts: nothing from the URL is ever shown.
pub const NOTICES: &[&str] = &[
    "signed-in",
    "signed-out",
    "saved",
    "submitted",
    "draft",
    "moved",
    "password",
    "email",
    "token-revoked",
    "comment",
    "reported",
    "invited",
    "joined",
    "adoption-added",
    "interest",
    "interest-both",
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
        let query = uri.query().unwrap_or("").to_string();
        let param = |name: &str| {
            url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
        };
        let notice = param("done").and_then(|v| NOTICES.iter().find(|code| **code == v).copied());
        let hl = param("hl");
        let locale = i18n::negotiate(hl.as_deref(), &parts.headers);
        let remember_locale = hl.as_deref().and_then(i18n::find).is_some_and(|l| {
            read_cookie(&parts.headers, i18n::COOKIE).as_deref().and_then(i18n::find).map(|c| c.code) != Some(l.code)
        });
        let if_none_match = parts.headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).map(str::to_string);
        Ok(PageCtx {
            caller,
            locale,
            remember_locale,
            query,
            if_none_match,
            csrf,
            new_csrf,
            path: uri.path().to_string(),
            notice,
        })
    }
}

/// A page that failed: rendered as a page, not as JSON, in the visitor's language.
pub struct PageError(Box<Failure>);

struct Failure {
    error: ApiError,
    path: String,
    locale: &'static Locale,
}

impl PageError {
    fn new(error: ApiError, path: String, locale: &'static Locale) -> PageError {
        PageError(Box::new(Failure { error, path, locale }))
    }

    /// What went wrong.
    pub fn error(&self) -> &ApiError {
        &self.0.error
    }

    /// An error page for a request that has no [`PageCtx`] (an address nothing answers).
    pub fn bare(error: ApiError, path: &str, headers: &axum::http::HeaderMap, query: Option<&str>) -> PageError {
        let hl = query.and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "hl").map(|(_, v)| v.into_owned())
        });
        PageError::new(error, path.to_string(), i18n::negotiate(hl.as_deref(), headers))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let Failure { error, path, locale } = *self.0;
        if let ApiError::Unauthenticated(_) = error {
            let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
            return Redirect::to(&format!("/login?next={next}")).into_response();
        }
        let problem = error.problem();
        let (heading, text) = match &error {
            ApiError::Forbidden(_) => (locale.t("error-403-title"), locale.t("error-403-text")),
            ApiError::NotFound(_) => (locale.t("error-404-title"), locale.t("error-404-text")),
            ApiError::Gone(_) => (locale.t("error-410-title"), locale.t("error-410-text")),
            ApiError::TooManyRequests(_) => (locale.t("error-429-title"), problem.detail.clone()),
            ApiError::Internal(_) => (locale.t("error-500-title"), locale.t("error-500-text")),
            _ => (problem.title.clone(), problem.detail.clone()),
        };
        let context = json!({
            "site": "Banyan", "heading": heading, "paragraphs": [text], "status": error.status().as_u16(),
            "lang": locale.code, "dir": locale.dir, "asset_version": ASSET_VERSION.as_str(),
            "link": {"href": "/", "text": locale.t("error-home-link")},
        });
        let body = render_in(locale, "message.html", &context).unwrap_or_else(|_| "Something went wrong.".to_string());
        let mut res = (error.status(), Html(body)).into_response();
        let headers = res.headers_mut();
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(wait) = error.retry_after() {
            headers.insert(header::RETRY_AFTER, wait);
        }
        if let ApiError::Internal(detail) = &error {
            tracing::error!(%detail, "internal error on a page");
        }
        res
    }
}

pub type PageResult = Result<Response, PageError>;

/// Whether a string looks like a Fluent message id (`msg-check-email`), not like prose.
fn is_message_id(s: &str) -> bool {
    s.len() < 64 && s.contains('-') && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// What answers an address nothing else does: a problem for the API and for clients that do not
/// ask for HTML, a page for browsers.
pub async fn not_found(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> Response {
    if !wants_page(uri.path(), &headers) {
        return crate::api::operations::not_found().await.into_response();
    }
    PageError::bare(ApiError::NotFound(String::new()), uri.path(), &headers, uri.query()).into_response()
}

/// Whether an error about `path` should be a page (a browser asking for one outside the API)
/// rather than a problem.
pub fn wants_page(path: &str, headers: &axum::http::HeaderMap) -> bool {
    let wants_html = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"));
    wants_html && !path.starts_with("/api/")
}

impl PageCtx {
    /// Fails (redirecting to sign-in) unless someone is signed in.
    pub fn user(&self) -> Result<&banyan_store::User, PageError> {
        self.caller.user.as_ref().ok_or_else(|| self.fail(ApiError::Unauthenticated(String::new())))
    }

    pub fn fail(&self, e: impl Into<ApiError>) -> PageError {
        PageError::new(e.into(), self.path.clone(), self.locale)
    }

    /// A text in the visitor's language.
    pub fn t(&self, id: &str) -> String {
        self.locale.t(id)
    }

    /// Handlers name fixed texts by message id (`"heading": "msg-check-email"`); the texts of
    /// headings, paragraphs, buttons, links and field errors that are message ids are replaced by
    /// the message in the visitor's language. Anything else (a title, what someone typed) is
    /// left as it is.
    fn translate_ids(&self, ctx: &mut Value) {
        let tr = |v: &mut Value| {
            if let Some(s) = v.as_str()
                && is_message_id(s)
                && self.locale.has(s)
            {
                *v = Value::String(self.t(s));
            }
        };
        let Value::Object(m) = ctx else { return };
        for key in ["heading", "button", "problem"] {
            if let Some(v) = m.get_mut(key) {
                tr(v);
            }
        }
        if let Some(Value::Array(ps)) = m.get_mut("paragraphs") {
            ps.iter_mut().for_each(tr);
        }
        if let Some(v) = m.get_mut("link").and_then(|l| l.get_mut("text")) {
            tr(v);
        }
        for key in ["errors", "f"] {
            let errors = if key == "f" { m.get_mut("f").and_then(|f| f.get_mut("errors")) } else { m.get_mut(key) };
            if let Some(Value::Object(e)) = errors {
                e.values_mut().for_each(tr);
            }
        }
    }

    /// The language switcher: this page's address in every interface language.
    fn switcher(&self) -> Value {
        let kept: Vec<(String, String)> = url::form_urlencoded::parse(self.query.as_bytes())
            .filter(|(k, _)| k != "hl" && k != "done")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        json!(
            i18n::LOCALES
                .iter()
                .map(|l| {
                    let mut q = url::form_urlencoded::Serializer::new(String::new());
                    q.extend_pairs(kept.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                    q.append_pair("hl", l.code);
                    json!({"code": l.code, "name": l.name, "href": format!("{}?{}", self.path, q.finish()),
                           "current": l.code == self.locale.code})
                })
                .collect::<Vec<_>>()
        )
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
            "notice": self.notice.map(|code| self.t(&format!("notice-{code}"))),
            "lang": self.locale.code,
            "dir": self.locale.dir,
            "locales": self.switcher(),
            "path": self.path,
            "asset_version": ASSET_VERSION.as_str(),
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
        self.translate_ids(&mut ctx);
        let html = render_in(self.locale, template, &ctx)
            .map_err(|e| self.fail(ApiError::Internal(format!("rendering {template}: {e:#}"))))?;
        // A visitor who is not signed in sees the same page as every other: it may be kept and
        // revalidated (a 304 is a few hundred bytes on a slow line). Pages of signed-in people
        // hold their name and CSRF token: never stored.
        let anonymous = self.caller.user.is_none() && status == StatusCode::OK;
        let etag = anonymous.then(|| {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(html.as_bytes());
            format!("W/\"{}\"", digest.iter().take(12).map(|b| format!("{b:02x}")).collect::<String>())
        });
        let unchanged = etag.as_ref().is_some_and(|tag| {
            self.if_none_match.as_deref().is_some_and(|inm| inm.split(',').any(|t| t.trim() == tag))
        });
        let mut res =
            if unchanged { StatusCode::NOT_MODIFIED.into_response() } else { (status, Html(html)).into_response() };
        let headers = res.headers_mut();
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
        match &etag {
            Some(tag) => {
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
                if let Ok(v) = HeaderValue::from_str(tag) {
                    headers.insert(header::ETAG, v);
                }
            }
            None => {
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            }
        }
        if let Some(c) = &self.new_csrf {
            headers.append(header::SET_COOKIE, cookie(CSRF_COOKIE, c, chrono::Duration::days(1)));
        }
        if self.remember_locale {
            headers.append(header::SET_COOKIE, cookie(i18n::COOKIE, self.locale.code, chrono::Duration::days(365)));
        }
        headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(self.locale.code));
        headers.insert(header::VARY, HeaderValue::from_static("Cookie, Accept-Language"));
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
            m.insert("problem".into(), json!(self.t("form-correct-below")));
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
