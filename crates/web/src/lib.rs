//! Banyan over HTTP: the JSON API under `/api/v1`, described by the OpenAPI document it serves at
//! `/api/v1/openapi.json`, plus `/healthz` and `/metrics`.
//!
//! Error policy: handlers return [`problem::ApiError`], which answers `application/problem+json`
//! naming every invalid field; storage errors map onto it in one place. Outside requests
//! (start-up, the CLI) errors are `anyhow`.

pub mod admission;
pub mod api;
pub mod auth;
pub mod derived;
pub mod extract;
pub mod i18n;
pub mod mail;
pub mod metrics;
pub mod oai;
pub mod ocds;
pub mod open_data;
pub mod pages;
pub mod problem;
pub mod rate;
pub mod schema;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::cors::{Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use banyan_store::Store;

pub use auth::{hash_password, new_token_secret, token_hash};

/// What the server is told at start-up.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The address at which clients reach this node, without a trailing slash
    /// (`https://banyan.example.gov`). Record URIs and `Location` headers are made from it.
    pub public_url: String,
    /// The largest request body accepted.
    pub max_body_bytes: usize,
    /// The node's name, in mail and page titles.
    pub site_name: String,
    /// Whether a proxy in front sets `X-Forwarded-For` (and clients cannot): rate limits then
    /// count the address it names.
    pub trust_forwarded_for: bool,
    pub limits: rate::Limits,
    /// The prefix of Open Contracting IDs in OCDS exports of pilots.
    pub ocds_prefix: String,
    /// Whom to write to about this node (the OAI-PMH `adminEmail`).
    pub admin_email: String,
    /// How many reads are at work at once, and how long one waits for its turn.
    pub admission: admission::AdmissionLimits,
}

/// The OCDS prefix until a node registers its own: it marks the IDs as unregistered.
pub const DEFAULT_OCDS_PREFIX: &str = "ocds-000000";

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            public_url: "http://127.0.0.1:8080".into(),
            max_body_bytes: 1024 * 1024,
            site_name: "Banyan".into(),
            trust_forwarded_for: false,
            limits: rate::Limits::default(),
            ocds_prefix: DEFAULT_OCDS_PREFIX.into(),
            admin_email: "banyan@localhost".into(),
            admission: admission::AdmissionLimits::default(),
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// The search index and the indexer that keeps it current.
    pub search: Arc<banyan_search::Indexer>,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<metrics::Metrics>,
    pub limiter: Arc<rate::RateLimiter>,
    /// Similar records and matches of record pages, for a short while.
    pub derived: Arc<derived::Derived>,
    /// The door reads wait at.
    pub admission: Arc<admission::Admission>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, search: Arc<banyan_search::Indexer>, config: WebConfig) -> AppState {
        let mut config = config;
        config.public_url = config.public_url.trim_end_matches('/').to_string();
        let admission = Arc::new(admission::Admission::new(config.admission));
        AppState {
            store,
            search,
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::new()),
            limiter: Arc::new(rate::RateLimiter::default()),
            derived: Arc::default(),
            admission,
        }
    }
}

/// The OpenAPI document's fixed parts; the paths are added as routes are registered.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Banyan API",
        description = "The registry of innovations in public service delivery: practices, ideas, challenges, \
                       solutions and knowledge products, with the organisations behind them.\n\n\
                       Reads of published records are open to anyone. Writes need an API token \
                       (`Authorization: Bearer <token>`). Errors are `application/problem+json` (RFC 9457) \
                       and list every invalid field. Lists are paginated with opaque cursors.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later")
    ),
    tags(
        (name = "records", description = "Practices, ideas, challenges, solutions and knowledge products"),
        (name = "organisations", description = "Government bodies, innovation units, startups, NGOs, universities"),
        (name = "workflow", description = "Submission and curation: transitions, the review queue, comments, merges, promotion"),
        (name = "moderation", description = "Reports of abuse; hiding and restoring content"),
        (name = "accounts", description = "Signing up and in, one's own account, personal API tokens, privacy"),
        (name = "users", description = "Accounts, for curators and admins"),
        (name = "search", description = "Search in every language, type-ahead, similar records, duplicates and SDG suggestions"),
        (name = "matching", description = "Practices and solutions that fit a challenge; challenges that fit a solution"),
        (name = "pilots", description = "Pilots agreed in conversations, their evaluation, adoption and OCDS export; procurement checklists per country"),
        (name = "vocabularies", description = "The closed vocabularies records are classified with"),
        (name = "operations", description = "Health and metrics")
    ),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token made with `banyan token create --role admin|curator`"))
                    .build(),
            ),
        );
    }
}

/// The API's routes with their OpenAPI description, declared together.
fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(api::records::routes())
        .merge(api::workflow::routes())
        .merge(api::moderation::routes())
        .merge(api::auth::routes())
        .merge(api::me::routes())
        .merge(api::users::routes())
        .merge(api::organisations::routes())
        .merge(api::search::routes())
        .merge(api::matching::routes())
        .merge(api::conversations::routes())
        .merge(api::pilots::routes())
        .merge(api::impact::routes())
        .merge(open_data::routes())
        .merge(api::peers::routes())
        .merge(api::vocabularies::routes())
        .merge(api::operations::routes())
}

/// Routes served besides those in the OpenAPI document: `(method, path)`.
pub fn other_routes() -> Vec<(&'static str, &'static str)> {
    let mut routes = vec![("GET", "/api/v1/openapi.json")];
    routes.extend(pages::page_routes_list());
    routes
}

/// The API's router and its OpenAPI document, completed with the problems every operation
/// can answer.
fn api_parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = api_router().split_for_parts();
    api::doc::complete(&mut doc);
    (router, doc)
}

/// The OpenAPI document, as served at `/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_parts().1
}

/// Wakes the indexer after a write, so that what this server writes is searchable at once
/// (writes through other servers are found by the indexer's polling).
async fn wake_indexer(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let res = next.run(req).await;
    if write && (res.status().is_success() || res.status().is_redirection()) {
        state.search.handle().changed();
    }
    res
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let (api, doc) = api_parts();
    let doc = Arc::new(doc);
    let mut api = api;
    for (method, path, handler) in pages::routes() {
        // Each path is listed once per method; merge methods of one path.
        let _ = method;
        api = api.route(path, handler);
    }
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD, Method::POST, Method::PATCH, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            HeaderName::from_static(auth::CSRF_HEADER),
        ])
        .expose_headers([header::ETAG, header::LOCATION])
        .max_age(Duration::from_secs(3600));
    api.route(
        "/api/v1/openapi.json",
        axum::routing::get(move || {
            let doc = doc.clone();
            async move { axum::Json(doc.as_ref().clone()) }
        }),
    )
    .fallback(pages::not_found)
    .method_not_allowed_fallback(api::operations::method_not_allowed)
    .layer(axum::middleware::from_fn_with_state(state.clone(), auth::identify))
    // Outside identification (a session is looked up in the database) and inside the metrics,
    // which time the wait too.
    .layer(axum::middleware::from_fn_with_state(state.clone(), admission::admit))
    .layer(axum::middleware::from_fn_with_state(state.clone(), wake_indexer))
    .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
    .layer(cors)
    .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
    .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
    // Nothing about a visit leaks to other sites. (`no-referrer` would also make browsers send
    // `Origin: null` with our own forms, which the CSRF check rightly refuses.)
    .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
    .layer(SetResponseHeaderLayer::if_not_present(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    ))
    .layer(SetResponseHeaderLayer::overriding(
        HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("cross-origin"),
    ))
    // Text compresses well (pages and JSON to a fifth or less): gzip or brotli, as the client
    // accepts. Bodies under a kilobyte are sent as they are.
    .layer(
        tower_http::compression::CompressionLayer::new()
            .gzip(true)
            .br(true)
            .quality(tower_http::CompressionLevel::Default)
            .compress_when(tower_http::compression::predicate::DefaultPredicate::new()),
    )
    .layer(TraceLayer::new_for_http())
    .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
        use axum::response::IntoResponse;
        problem::ApiError::Internal("a handler panicked".into()).into_response()
    }))
    .with_state(state)
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
