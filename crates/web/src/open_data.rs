//! Open data: Atom feeds of newly published records (overall, or by kind, country, SDG and
//! sector), a sitemap of every public page, and bulk exports of the public records as JSON
//! Lines and CSV, streamed page by page.

use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use utoipa_axum::{router::OpenApiRouter, routes};

use banyan_domain::{Cofog, CountryCode, Kind, Record, RecordId, Sdg};
use banyan_search::{Facet, SearchRequest, Sort};
use banyan_store::{RecordQuery, RecordState, Visibility};

use crate::AppState;
use crate::extract::QueryParams;
use crate::problem::{ApiResult, Problem};

/// Entries in a feed.
const FEED_ENTRIES: usize = 50;
/// URLs in the sitemap (the protocol's limit per file).
const SITEMAP_URLS: usize = 50_000;

pub fn page_routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![(Method::GET, "/feeds/records.atom", get(feed)), (Method::GET, "/sitemap.xml", get(sitemap))]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export_jsonl)).routes(routes!(export_csv))
}

/// A feed's filters: `kind`, `country`, `sdg`, `sector`.
struct Filters {
    kind: Option<Kind>,
    country: Option<CountryCode>,
    sdg: Option<Sdg>,
    sector: Option<Cofog>,
}

impl Filters {
    fn read(params: &QueryParams) -> ApiResult<Filters> {
        params.read(|c, o| Filters {
            kind: c.parsed(o, "kind", Kind::parse),
            country: c.parsed(o, "country", |s| CountryCode::parse(&s.to_ascii_uppercase())),
            sdg: c.parsed(o, "sdg", Sdg::parse),
            sector: c.parsed(o, "sector", Cofog::parse),
        })
    }
    fn query(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if let Some(k) = self.kind {
            q.append_pair("kind", k.code());
        }
        if let Some(c) = self.country {
            q.append_pair("country", c.code());
        }
        if let Some(s) = self.sdg {
            q.append_pair("sdg", s.code());
        }
        if let Some(s) = self.sector {
            q.append_pair("sector", s.code());
        }
        q.finish()
    }
    fn title(&self, site: &str) -> String {
        let mut parts = Vec::new();
        if let Some(k) = self.kind {
            parts.push(k.label().to_string());
        }
        if let Some(c) = self.country {
            parts.push(c.name().to_string());
        }
        if let Some(s) = self.sdg {
            parts.push(format!("SDG {}", s.code()));
        }
        if let Some(s) = self.sector {
            parts.push(s.name().to_string());
        }
        if parts.is_empty() {
            format!("{site}: newly published")
        } else {
            format!("{site}: newly published — {}", parts.join(", "))
        }
    }
}

/// Newly published public records, newest first, as an Atom feed.
async fn feed(State(state): State<AppState>, params: QueryParams) -> Response {
    match feed_xml(&state, &params).await {
        Ok(xml) => (
            [
                (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            xml,
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

async fn feed_xml(state: &AppState, params: &QueryParams) -> ApiResult<String> {
    let f = Filters::read(params)?;
    let kinds: Vec<String> = match f.kind {
        Some(k) => vec![k.code().to_string()],
        None => Kind::ALL.iter().map(|k| k.code().to_string()).collect(),
    };
    let mut filters = vec![(Facet::Kind, kinds)];
    if let Some(c) = f.country {
        filters.push((Facet::Country, vec![c.code().to_string()]));
    }
    if let Some(s) = f.sdg {
        filters.push((Facet::Sdg, vec![s.code().to_string()]));
    }
    if let Some(s) = f.sector {
        filters.push((Facet::Sector, vec![s.code().to_string()]));
    }
    let req = SearchRequest {
        q: String::new(),
        filters,
        lang: None,
        sort: Sort::Newest,
        limit: FEED_ENTRIES,
        offset: 0,
        facets: false,
        highlights: false,
    };
    let found = crate::api::search::on_index(state, move |index| index.search(&req)).await?;
    let ids: Vec<RecordId> = found.hits.iter().map(|h| RecordId(h.id)).collect();
    let states = state.store.records_by_id(&ids).await?;
    // In the index's order (newest first), public only, without personal data.
    let records: Vec<Record> = ids
        .iter()
        .filter_map(|id| {
            states.iter().find_map(|s| match s {
                RecordState::Live(r) if r.id == *id && r.is_public() => Some(r.without_personal_data()),
                _ => None,
            })
        })
        .collect();
    let base = &state.config.public_url;
    let q = f.query();
    let self_url =
        if q.is_empty() { format!("{base}/feeds/records.atom") } else { format!("{base}/feeds/records.atom?{q}") };
    let html_url =
        if q.is_empty() { format!("{base}/search?sort=newest") } else { format!("{base}/search?sort=newest&{q}") };
    let title = f.title(&state.config.site_name);
    Ok(banyan_federation::feeds::atom(&banyan_federation::feeds::Feed {
        self_url: &self_url,
        html_url: &html_url,
        title: &title,
        author: &state.config.site_name,
        records: &records,
    }))
}

/// The sitemap: the main pages, then every public record and organisation page.
async fn sitemap(State(state): State<AppState>) -> Response {
    match sitemap_xml(&state).await {
        Ok(xml) => (
            [(header::CONTENT_TYPE, "application/xml; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
            xml,
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

async fn sitemap_xml(state: &AppState) -> ApiResult<String> {
    let base = &state.config.public_url;
    let mut urls: Vec<(String, Option<String>)> =
        ["/", "/search", "/countries", "/dashboard", "/procurement", "/about", "/api"]
            .iter()
            .map(|p| (format!("{base}{p}"), None))
            .collect();
    let mut query = RecordQuery { visibility: Visibility::Public, limit: 1000, ..Default::default() };
    while urls.len() < SITEMAP_URLS {
        let page = state.store.list_records(&query).await?;
        for r in page.items.iter().filter(|r| r.origin.is_local()) {
            urls.push((format!("{base}/records/{}", r.id), Some(r.updated_at.format("%Y-%m-%d").to_string())));
        }
        match page.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => break,
        }
    }
    urls.truncate(SITEMAP_URLS);
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (loc, lastmod) in urls {
        out.push_str("<url><loc>");
        out.push_str(&banyan_federation::xml::escape(&loc));
        out.push_str("</loc>");
        if let Some(d) = lastmod {
            out.push_str("<lastmod>");
            out.push_str(&d);
            out.push_str("</lastmod>");
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    Ok(out)
}

/// Streams an export: the store is read page by page as the client reads.
fn stream(state: &AppState, kind: Option<Kind>, format: banyan_import::export::Format) -> Body {
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    let store = state.store.clone();
    tokio::spawn(async move {
        let options = banyan_import::export::ExportOptions { kind, all: false };
        if let Err(e) = banyan_import::export::stream(store.as_ref(), options, format, tx).await {
            tracing::warn!(error = %e, "an export stopped");
        }
    });
    // Fused: the compression layer polls the body once more after its end, which an `unfold`
    // stream answers with a panic (found by Schemathesis, which asks for gzip).
    let chunks = futures::StreamExt::fuse(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, std::io::Error>(axum::body::Bytes::from(b)), rx))
    }));
    Body::from_stream(chunks)
}

fn read_kind(params: &QueryParams) -> ApiResult<Option<Kind>> {
    params.read(|c, o| c.parsed(o, "kind", Kind::parse))
}

/// Every public record, one JSON object per line (as `GET /api/v1/records/{id}` shows it),
/// streamed. Optionally of one `kind`.
#[utoipa::path(get, path = "/api/v1/exports/records.jsonl", tag = "open data",
    params(("kind" = Option<String>, Query, description = "Only records of this kind")),
    responses((status = 200, content_type = "application/x-ndjson", description = "One public record per line"),
        (status = 400, body = Problem)))]
async fn export_jsonl(State(state): State<AppState>, params: QueryParams) -> ApiResult<Response> {
    let kind = read_kind(&params)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"records.jsonl\""),
        ],
        stream(&state, kind, banyan_import::export::Format::Jsonl),
    )
        .into_response())
}

/// Every public record as a CSV row (the envelope; lists joined by `;`), streamed.
#[utoipa::path(get, path = "/api/v1/exports/records.csv", tag = "open data",
    params(("kind" = Option<String>, Query, description = "Only records of this kind")),
    responses((status = 200, content_type = "text/csv", description = "A header, then one public record per row"),
        (status = 400, body = Problem)))]
async fn export_csv(State(state): State<AppState>, params: QueryParams) -> ApiResult<Response> {
    let kind = read_kind(&params)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"records.csv\""),
        ],
        stream(&state, kind, banyan_import::export::Format::Csv),
    )
        .into_response())
}
