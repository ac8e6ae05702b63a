//! The public site: home, search, record pages, countries, about and the API's readable page.
//! Everything here reads the search index (which holds only what anonymous visitors may see) or
//! goes through the same access rules as the API.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{MethodRouter, get};
use serde_json::{Map, Value, json};

use banyan_domain::{CountryCode, Kind, RecordId};
use banyan_search::similar::{Probe, similar};
use banyan_search::{Facet, SearchIndex, SearchRequest, SearchResults, Sort};

use super::{PageCtx, PageResult, label, map};
use crate::AppState;
use crate::api::records::{record_id, visible};
use crate::extract::QueryParams;
use crate::i18n::Locale;
use crate::problem::ApiError;

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/", get(home)),
        (Method::GET, "/search", get(search_page)),
        (Method::GET, "/records/{id}", get(record_page)),
        (Method::GET, "/countries", get(countries)),
        (Method::GET, "/countries/{code}", get(country)),
        (Method::GET, "/about", get(about)),
        (Method::GET, "/api", get(api_page)),
    ]
}

/// Results on one page of search.
const PAGE_SIZE: usize = 20;
/// Pages past this one are not offered: narrow the search instead.
const MAX_PAGE: usize = 50;

/// The kinds of record, in the order the site lists them.
const KINDS: [&str; 5] = ["practice", "idea", "challenge", "solution", "resource"];

/// The facets the search page offers as filters, in order, with their URL parameter and the
/// vocabulary that names their values.
const FACETS: [(Facet, &str); 12] = [
    (Facet::Kind, "kinds"),
    (Facet::Country, "countries"),
    (Facet::Region, "regions"),
    (Facet::Sdg, "sdg"),
    (Facet::Sector, "cofog"),
    (Facet::Level, "levels"),
    (Facet::Stage, "stages"),
    (Facet::Type, "innovation-types"),
    (Facet::Evidence, "evidence-levels"),
    (Facet::Adopted, "adopted"),
    (Facet::Lang, "languages"),
    // Not offered as a list (its values are ids), but kept in the address: an organisation's
    // "all its records" link.
    (Facet::Organisation, ""),
];

async fn on_index<T: Send + 'static>(
    state: &AppState,
    ctx: &PageCtx,
    work: impl FnOnce(&SearchIndex) -> banyan_search::Result<T> + Send + 'static,
) -> Result<T, super::PageError> {
    crate::api::search::on_index(state, work).await.map_err(|e| ctx.fail(e))
}

fn browse(filters: Vec<(Facet, Vec<String>)>, lang: &str, limit: usize, facets: bool) -> SearchRequest {
    SearchRequest {
        q: String::new(),
        filters,
        lang: Some(lang.to_string()),
        sort: Sort::Newest,
        limit,
        offset: 0,
        facets,
        highlights: false,
    }
}

/// A search hit as the templates show it.
fn hit(locale: &Locale, h: &banyan_search::Hit) -> Value {
    let href = if h.kind == "organisation" { format!("/organisations/{}", h.id) } else { format!("/records/{}", h.id) };
    json!({
        "href": href, "kind": h.kind, "kind_label": label(locale, "kinds", &h.kind), "title": h.title,
        "summary": h.summary.as_deref().map(|s| shorten(s, 220)), "lang": h.lang,
        "highlights": h.highlights.iter().map(|x| json!({"field": x.field, "html": x.html()})).collect::<Vec<_>>(),
    })
}

/// At most `max` characters, cut at a space, with an ellipsis when cut.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let at = cut.rfind(' ').filter(|i| *i > max / 2).unwrap_or(cut.len());
    format!("{}…", cut[..at].trim_end_matches([',', '.', ';', ':', ' ']))
}

fn counts(results: &SearchResults, facet: Facet) -> HashMap<String, u64> {
    results.facets.iter().find(|(f, _)| *f == facet).map(|(_, c)| c.iter().cloned().collect()).unwrap_or_default()
}

async fn home(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    let lang = ctx.locale.code;
    let kinds: Vec<String> = KINDS.iter().map(|k| k.to_string()).collect();
    let all = {
        let req = browse(vec![], lang, 0, true);
        on_index(&state, &ctx, move |i| i.search(&req)).await?
    };
    let recent = {
        let req = browse(vec![(Facet::Kind, kinds)], lang, 6, false);
        on_index(&state, &ctx, move |i| i.search(&req)).await?
    };
    // Featured: practices with evidence of results, the best proven first.
    let featured = {
        let proven = vec![
            (Facet::Kind, vec!["practice".to_string()]),
            (Facet::Evidence, ["5", "4", "3", "2"].map(String::from).to_vec()),
        ];
        let req = browse(proven, lang, 3, false);
        let found = on_index(&state, &ctx, move |i| i.search(&req)).await?;
        if found.hits.is_empty() {
            let req = browse(vec![(Facet::Kind, vec!["practice".to_string()])], lang, 3, false);
            on_index(&state, &ctx, move |i| i.search(&req)).await?
        } else {
            found
        }
    };
    let by_kind = counts(&all, Facet::Kind);
    let stats: Vec<Value> = KINDS
        .iter()
        .chain(["organisation"].iter())
        .map(
            |k| json!({"kind": k, "count": by_kind.get(*k).copied().unwrap_or(0), "href": format!("/search?kind={k}")}),
        )
        .collect();
    let countries = counts(&all, Facet::Country);
    ctx.render(
        &state,
        "home.html",
        json!({
            "stats": stats,
            "featured": featured.hits.iter().map(|h| hit(ctx.locale, h)).collect::<Vec<_>>(),
            "recent": recent.hits.iter().map(|h| hit(ctx.locale, h)).collect::<Vec<_>>(),
            "map": map::world(ctx.locale, &countries, None),
        }),
    )
}

/// What a search page was asked: the words, the filters, the order and the page.
#[derive(Clone)]
struct Asked {
    q: String,
    filters: Vec<(Facet, Vec<String>)>,
    sort: Option<String>,
    page: usize,
}

impl Asked {
    /// This search's address with one filter value added or removed, or another page.
    fn url(&self, toggle: Option<(Facet, &str)>, page: usize) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            q.append_pair("q", &self.q);
        }
        for (facet, _) in FACETS {
            let mut values: Vec<String> =
                self.filters.iter().find(|(f, _)| *f == facet).map(|(_, v)| v.clone()).unwrap_or_default();
            if let Some((f, v)) = toggle
                && f == facet
            {
                if let Some(i) = values.iter().position(|x| x == v) {
                    values.remove(i);
                } else {
                    values.push(v.to_string());
                }
            }
            if !values.is_empty() {
                q.append_pair(facet.name(), &values.join(","));
            }
        }
        if let Some(s) = &self.sort {
            q.append_pair("sort", s);
        }
        if page > 1 {
            q.append_pair("page", &page.to_string());
        }
        let q = q.finish();
        if q.is_empty() { "/search".to_string() } else { format!("/search?{q}") }
    }

    fn has(&self, facet: Facet, value: &str) -> bool {
        self.filters.iter().any(|(f, v)| *f == facet && v.iter().any(|x| x == value))
    }
}

fn read_asked(query: &str) -> Result<Asked, ApiError> {
    let params = QueryParams::parse(Some(query))?;
    params.read(|c, o| {
        let q = c.line(o, "q", 2000).unwrap_or_default();
        let _ = c.line(o, "hl", 20); // the interface language, read by PageCtx
        let filters: Vec<(Facet, Vec<String>)> = crate::api::search::read_filters(c, o)
            .into_iter()
            .filter(|(f, _)| FACETS.iter().any(|(g, _)| g == f))
            .collect();
        let sort = c.line(o, "sort", 20);
        if let Some(s) = &sort
            && Sort::parse(s).is_none()
        {
            c.report(&o.path("sort"), "invalid_value", "must be relevance, newest or updated");
        }
        let page = match c.line(o, "page", 10) {
            None => 1,
            Some(p) => match p.parse::<usize>() {
                Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
                _ => {
                    c.report(&o.path("page"), "out_of_range", format!("must be a whole number from 1 to {MAX_PAGE}"));
                    1
                }
            },
        };
        Asked { q, filters, sort, page }
    })
}

async fn search_page(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    let asked = match read_asked(&ctx.query) {
        Ok(a) => a,
        Err(ApiError::Invalid(v)) => {
            let errors: Vec<String> = v.0.iter().map(|x| format!("{}: {}", x.field, x.message)).collect();
            return ctx.render_status(
                &state,
                StatusCode::BAD_REQUEST,
                "search.html",
                json!({"q": "", "problem": ctx.t("search-bad-address"), "bad": errors, "facets": [], "hits": []}),
            );
        }
        Err(e) => return Err(ctx.fail(e)),
    };
    let sort = asked.sort.as_deref().and_then(Sort::parse).unwrap_or(Sort::Relevance);
    let req = SearchRequest {
        q: asked.q.clone(),
        filters: asked.filters.clone(),
        lang: Some(ctx.locale.code.to_string()),
        sort,
        limit: PAGE_SIZE,
        offset: (asked.page - 1) * PAGE_SIZE,
        facets: true,
        highlights: true,
    };
    let results = match on_index(&state, &ctx, move |i| i.search(&req)).await {
        Ok(r) => r,
        Err(e) if matches!(e.error(), ApiError::Invalid(_)) => {
            let message = e.error().problem().detail;
            return ctx.render_status(
                &state,
                StatusCode::BAD_REQUEST,
                "search.html",
                json!({"q": asked.q, "problem": ctx.t("search-bad-query"), "bad": [message], "facets": [], "hits": []}),
            );
        }
        Err(e) => return Err(e),
    };
    let locale = ctx.locale;
    let facets: Vec<Value> = FACETS
        .iter()
        .map(|(facet, vocabulary)| {
            let values = counts_in_order(&results, *facet);
            let items: Vec<Value> = values
                .iter()
                .map(|(code, n)| {
                    json!({
                        "code": code, "label": facet_label(locale, *facet, vocabulary, code), "count": n,
                        "active": asked.has(*facet, code), "href": asked.url(Some((*facet, code)), 1),
                    })
                })
                .collect();
            let items = if *facet == Facet::Organisation { Vec::new() } else { items };
            json!({"name": facet.name(), "title": locale.t(&format!("facet-{}", facet.name())), "items": items,
                   "open": asked.filters.iter().any(|(f, _)| f == facet) || matches!(facet, Facet::Kind | Facet::Country | Facet::Sdg)})
        })
        .filter(|f| f["items"].as_array().is_some_and(|a| !a.is_empty()))
        .collect();
    // Organisations in the filters are shown by name.
    let mut org_names: HashMap<String, String> = HashMap::new();
    for (facet, values) in &asked.filters {
        if *facet == Facet::Organisation {
            for v in values {
                if let Ok(id) = banyan_domain::OrganisationId::parse(v)
                    && let Ok(Some(org)) = state.store.organisation(id).await
                {
                    org_names.insert(v.clone(), org.content.name);
                }
            }
        }
    }
    let active: Vec<Value> = asked
        .filters
        .iter()
        .flat_map(|(facet, values)| {
            let vocabulary = FACETS.iter().find(|(f, _)| f == facet).map_or("", |(_, v)| *v);
            values.iter().map(move |v| (*facet, vocabulary, v.clone()))
        })
        .map(|(facet, vocabulary, v)| {
            let label = org_names.get(&v).cloned().unwrap_or_else(|| facet_label(locale, facet, vocabulary, &v));
            let title = locale.t(&format!("facet-{}", facet.name()));
            // "SDG 3: Good health", not "SDG: SDG 3: Good health".
            let title = if label.starts_with(&title) { String::new() } else { title };
            json!({"name": facet.name(), "facet": title, "label": label,
                   "href": asked.url(Some((facet, &v)), 1)})
        })
        .collect();
    let pages = (results.total as usize).div_ceil(PAGE_SIZE).min(MAX_PAGE);
    let sorts: Vec<Value> = ["relevance", "newest", "updated"]
        .iter()
        .map(|s| json!({"code": s, "label": locale.t(&format!("sort-{s}")), "selected": asked.sort.as_deref() == Some(*s)}))
        .collect();
    let hidden: Vec<Value> =
        asked.filters.iter().map(|(f, v)| json!({"name": f.name(), "value": v.join(",")})).collect();
    let (first, last) = ((asked.page - 1) * PAGE_SIZE + 1, ((asked.page - 1) * PAGE_SIZE + results.hits.len()));
    ctx.render(
        &state,
        "search.html",
        json!({
            "q": asked.q,
            "total": results.total,
            "first": first, "last": last,
            "hits": results.hits.iter().map(|h| hit(locale, h)).collect::<Vec<_>>(),
            "facets": facets,
            "active": active,
            "clear": if active.is_empty() { Value::Null } else { json!(Asked { filters: vec![], ..asked.clone() }.url(None, 1)) },
            "sorts": sorts,
            "hidden": hidden,
            "page": asked.page,
            "pages": pages,
            "prev": (asked.page > 1).then(|| asked.url(None, asked.page - 1)),
            "next": (asked.page < pages).then(|| asked.url(None, asked.page + 1)),
        }),
    )
}

/// A facet's counted values, most first; SDGs and sectors in their natural order instead.
fn counts_in_order(results: &SearchResults, facet: Facet) -> Vec<(String, u64)> {
    let mut values: Vec<(String, u64)> =
        results.facets.iter().find(|(f, _)| *f == facet).map(|(_, c)| c.to_vec()).unwrap_or_default();
    if matches!(facet, Facet::Sdg) {
        values.sort_by_key(|(code, _)| code.parse::<u32>().unwrap_or(99));
    } else if matches!(facet, Facet::Sector | Facet::Evidence) {
        values.sort_by(|a, b| a.0.cmp(&b.0));
    }
    values
}

fn facet_label(locale: &Locale, facet: Facet, vocabulary: &str, code: &str) -> String {
    match facet {
        Facet::Kind if code == "organisation" => locale.t("kind-organisation"),
        Facet::Sdg => {
            let mut args = fluent_bundle::FluentArgs::new();
            args.set("goal", code.to_string());
            args.set("name", label(locale, vocabulary, code));
            locale.text("sdg-badge", Some(&args))
        }
        Facet::Evidence => label(locale, "evidence-levels", code),
        _ => label(locale, vocabulary, code),
    }
}

/// The fields of a kind's details that are shown elsewhere on the page, or never.
const NOT_AS_FIELDS: &[&str] = &["contact", "tcv", "stage", "evidence_level", "kind"];

/// Details keys whose values are codes of a vocabulary.
fn vocabulary_of(key: &str) -> Option<&'static str> {
    Some(match key {
        "trl" => "trl",
        "seeking" => "seeking",
        "pricing_model" => "pricing-models",
        "availability" => "availability",
        "state" => "challenge-states",
        "resource_type" => "resource-types",
        "connectivity" => "connectivity",
        "product_types" => "product-types",
        "languages" => "languages",
        "role" => "partner-roles",
        _ => return None,
    })
}

/// A place's name in the visitor's language: "Khon Kaen, Thailand".
pub(crate) fn place_name(locale: &Locale, p: banyan_domain::Place) -> String {
    place(locale, p.code())["name"].as_str().unwrap_or_default().to_string()
}

fn place(locale: &Locale, code: &str) -> Value {
    let country = &code[..code.len().min(2)];
    let name = if code.len() > 2 {
        format!("{}, {}", label(locale, "subdivisions", code), label(locale, "countries", country))
    } else {
        label(locale, "countries", code)
    };
    json!({"code": code, "name": name, "href": format!("/countries/{country}")})
}

fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n").map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
}

/// One details field for reading: `{label, paragraphs | items | links}`.
fn field(locale: &Locale, key: &str, value: &Value, translated: Option<&String>) -> Option<Value> {
    let title = locale.t(&format!("field-{}", key.replace('_', "-")));
    let out = match value {
        Value::Null => return None,
        Value::String(s) if s.is_empty() => return None,
        Value::String(s) => match (key, vocabulary_of(key)) {
            (_, Some(v)) => json!({"label": title, "items": [label(locale, v, s)]}),
            ("website" | "url", _) => json!({"label": title, "links": [{"href": s, "text": s}]}),
            ("started_on" | "published_on" | "deadline", _) => {
                json!({"label": title, "items": [locale.partial_date(s)]})
            }
            _ => json!({"label": title, "paragraphs": paragraphs(translated.unwrap_or(s))}),
        },
        Value::Number(n) => json!({"label": title, "items": [
            if key == "trl" { label(locale, "trl", &n.to_string()) } else { locale.number(n.as_f64().unwrap_or(0.0), 0) }
        ]}),
        Value::Bool(b) => json!({"label": title, "items": [locale.t(if *b { "yes" } else { "no" })]}),
        Value::Array(items) if items.is_empty() => return None,
        Value::Array(items) => {
            if matches!(key, "deployments" | "developed_in") {
                json!({"label": title, "places": items.iter().filter_map(Value::as_str).map(|c| place(locale, c)).collect::<Vec<_>>()})
            } else if items.iter().all(|i| i.get("url").is_some()) {
                let links: Vec<Value> = items
                    .iter()
                    .map(|i| json!({"href": i["url"], "text": i["title"].as_str().or(i["url"].as_str()).unwrap_or("")}))
                    .collect();
                json!({"label": title, "links": links})
            } else {
                let list: Vec<String> = items
                    .iter()
                    .map(|i| match i {
                        Value::String(s) => vocabulary_of(key).map_or_else(|| s.clone(), |v| label(locale, v, s)),
                        Value::Object(o) => {
                            let name = o.get("name").and_then(Value::as_str).unwrap_or("");
                            match o.get("role").and_then(Value::as_str) {
                                Some(r) => format!("{name} ({})", label(locale, "partner-roles", r)),
                                None => name.to_string(),
                            }
                        }
                        other => other.to_string(),
                    })
                    .collect();
                json!({"label": title, "items": list})
            }
        }
        Value::Object(o) => {
            // Money, a budget, or the constraints of a challenge: short lines.
            let lines = object_lines(locale, key, o);
            if lines.is_empty() {
                return None;
            }
            json!({"label": title, "items": lines})
        }
    };
    Some(out)
}

fn object_lines(locale: &Locale, key: &str, o: &Map<String, Value>) -> Vec<String> {
    let money = |v: &Value| v.as_f64().map(|f| locale.number(f, 0));
    if let Some(currency) = o.get("currency").and_then(Value::as_str) {
        let amount = match (o.get("amount").and_then(money), o.get("min").and_then(money), o.get("max").and_then(money))
        {
            (Some(a), _, _) => a,
            (None, Some(min), Some(max)) => format!("{min}–{max}"),
            (None, Some(min), None) => format!("≥ {min}"),
            (None, None, Some(max)) => format!("≤ {max}"),
            _ => String::new(),
        };
        return vec![format!("{amount} {currency}")];
    }
    let mut lines = Vec::new();
    for (k, v) in o {
        if let Some(f) = field(locale, k, v, None) {
            let text: Vec<String> = ["items", "paragraphs"]
                .iter()
                .filter_map(|x| f[*x].as_array())
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect();
            if !text.is_empty() {
                lines.push(format!("{}: {}", f["label"].as_str().unwrap_or(k), text.join(", ")));
            }
        }
    }
    let _ = key;
    lines
}

/// TCV before and after, as rows for a table, with the change in per cent.
fn tcv(locale: &Locale, tcv: &Value) -> Option<Value> {
    let before = tcv.get("before")?;
    let after = tcv.get("after")?;
    let currency = tcv["currency"].as_str().unwrap_or("");
    let rows: Vec<Value> = [("time_days", "tcv-time"), ("cost", "tcv-cost"), ("visits", "tcv-visits")]
        .iter()
        .filter_map(|(k, id)| {
            let (b, a) = (before[k].as_f64()?, after[k].as_f64()?);
            let change = if b > 0.0 { Some(((a - b) / b * 100.0).round()) } else { None };
            let unit = |v: f64| match *k {
                "cost" => format!("{} {currency}", locale.number(v, 0)),
                _ => locale.number(v, if v.fract() == 0.0 { 0 } else { 1 }),
            };
            Some(json!({
                "label": locale.t(id), "before": unit(b), "after": unit(a),
                "change": change.map(|c| format!("{}%", locale.number(c, 0))),
                "better": a < b,
            }))
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    Some(json!({
        "rows": rows,
        "volume": tcv["yearly_volume"].as_f64().map(|v| locale.number(v, 0)),
    }))
}

/// Of kept hits (objects with an `id`), those whose records are public now: a record hidden,
/// withdrawn or deleted since the hits were found leaves every page at once.
async fn still_public(state: &AppState, hits: &Value) -> Result<Vec<Value>, ApiError> {
    let hits = hits.as_array().cloned().unwrap_or_default();
    let ids: Vec<RecordId> =
        hits.iter().filter_map(|h| h["id"].as_str().and_then(|i| RecordId::parse(i).ok())).collect();
    let public: std::collections::HashSet<RecordId> = state
        .store
        .records_by_id(&ids)
        .await?
        .into_iter()
        .filter_map(|s| match s {
            banyan_store::RecordState::Live(r) if r.is_public() => Some(r.id),
            _ => None,
        })
        .collect();
    Ok(hits
        .into_iter()
        .filter(|h| h["id"].as_str().and_then(|i| RecordId::parse(i).ok()).is_some_and(|id| public.contains(&id)))
        .collect())
}

async fn record_page(State(state): State<AppState>, ctx: PageCtx, Path(id): Path<String>) -> PageResult {
    record_page_with(&state, ctx, &id, None, axum::http::StatusCode::OK).await
}

/// A record's page; for a practice, `adoption_form` is the adoption form as typed (after a
/// refused submission, shown with `status`).
pub async fn record_page_with(
    state: &AppState,
    ctx: PageCtx,
    id: &str,
    adoption_form: Option<Value>,
    status: axum::http::StatusCode,
) -> PageResult {
    let state = state.clone();
    let id: RecordId = record_id(id).map_err(|e| ctx.fail(e))?;
    let record = visible(&state, &ctx.caller, id).await.map_err(|e| ctx.fail(e))?;
    let shown = crate::api::records::view(&record, &ctx.caller).without_personal_data();
    let locale = ctx.locale;
    let json = shown.to_json();
    let original = shown.content.lang.as_str().to_string();
    // Which language to show: `?tr=` if the record has it, else the interface language if the
    // record has a translation in it, else the record's own.
    let asked_tr =
        url::form_urlencoded::parse(ctx.query.as_bytes()).find(|(k, _)| k == "tr").map(|(_, v)| v.into_owned());
    let has = |code: &str| code == original || shown.content.translations.keys().any(|t| t.as_str() == code);
    let showing = match asked_tr {
        Some(t) if has(&t) => t,
        _ if has(locale.code) => locale.code.to_string(),
        _ => original.clone(),
    };
    let translation = shown.content.translations.iter().find(|(t, _)| t.as_str() == showing).map(|(_, tr)| tr);
    // Each text in the language it is written in: a translation may cover only some fields.
    let title_lang = if translation.is_some_and(|t| t.title.is_some()) { showing.clone() } else { original.clone() };
    let summary_lang =
        if translation.is_some_and(|t| t.summary.is_some()) { showing.clone() } else { original.clone() };
    let title = translation.and_then(|t| t.title.clone()).unwrap_or_else(|| shown.content.title.clone());
    let summary = translation.and_then(|t| t.summary.clone()).or_else(|| shown.content.summary.clone());
    let lang_name = |code: &str| label(locale, "languages", code);
    let versions: Vec<Value> = std::iter::once(original.clone())
        .chain(shown.content.translations.keys().map(|t| t.as_str().to_string()))
        .map(|code| {
            json!({"code": code, "name": lang_name(&code), "href": format!("/records/{}?tr={code}", shown.id),
                   "current": code == showing, "original": code == original})
        })
        .collect();
    let kind = shown.kind();
    let details = &json["details"];
    let mut fields = Vec::new();
    if let Some(obj) = details.as_object() {
        for (key, value) in obj {
            if NOT_AS_FIELDS.contains(&key.as_str()) {
                continue;
            }
            let translated = translation.and_then(|t| t.fields.get(key));
            if let Some(mut f) = field(locale, key, value, translated) {
                f["lang"] = json!(if translated.is_some() { &showing } else { &original });
                fields.push(f);
            }
        }
    }
    let sdgs: Vec<Value> = shown
        .content
        .sdgs
        .iter()
        .map(|s| {
            let code = s.code().to_string();
            let goal = code.split('.').next().unwrap_or("").to_string();
            let mut args = fluent_bundle::FluentArgs::new();
            args.set("goal", code.clone());
            args.set("name", label(locale, "sdg", &goal));
            json!({"code": code, "goal": goal, "label": locale.text("sdg-badge", Some(&args)),
                   "title": label(locale, "sdg", &code), "href": format!("/search?sdg={goal}")})
        })
        .collect();
    let sectors: Vec<Value> = shown
        .content
        .sectors
        .iter()
        .map(|c| {
            let division = &c.code()[..2];
            json!({"label": label(locale, "cofog", c.code()), "href": format!("/search?sector={division}")})
        })
        .collect();
    let places: Vec<Value> = shown.content.places.iter().map(|p| place(locale, p.code())).collect();
    let organisation = match shown.content.organisation {
        Some(o) => state
            .store
            .organisation(o)
            .await
            .map_err(|e| ctx.fail(e))?
            .map(|org| json!({"name": org.content.name, "href": format!("/organisations/{}", org.id)})),
        None => None,
    };
    let revisions: Vec<Value> = state
        .store
        .revisions(shown.id)
        .await
        .map_err(|e| ctx.fail(e))?
        .iter()
        .rev()
        .filter(|r| ctx.caller.viewer.can_view(&r.record) || r.record.is_public())
        .take(20)
        .map(|r| json!({"version": r.version, "at": r.at.to_rfc3339(), "op": format!("{:?}", r.op).to_lowercase()}))
        .collect();
    // Both searches below are kept for a while per record version (crate::derived).
    let texts = |reasons: &Value| -> Vec<String> {
        reasons
            .as_array()
            .map(|r| r.iter().filter_map(|x| x["text"].as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    let similar_hits: Vec<Value> = if shown.is_public() {
        let probe = Probe::from_record(&record);
        let found = state
            .derived
            .get_or(record.id.0, record.version, "similar", || async {
                let hits = on_index(&state, &ctx, move |i| similar(i, &probe, &[], 5)).await?;
                Ok(serde_json::to_value(hits).unwrap_or_default())
            })
            .await?;
        still_public(&state, &found)
            .await
            .map_err(|e| ctx.fail(e))?
            .iter()
            .map(|h| {
                json!({"title": h["title"], "href": format!("/records/{}", h["id"].as_str().unwrap_or_default()),
                       "kind": label(locale, "kinds", h["kind"].as_str().unwrap_or_default()), "reasons": texts(&h["reasons"])})
            })
            .collect()
    } else {
        Vec::new()
    };
    // A challenge shows what could meet it; a solution, the challenges it could meet.
    let match_kinds: &[Kind] = match kind {
        Kind::Challenge => &[Kind::Practice, Kind::Solution],
        Kind::Solution => &[Kind::Challenge],
        _ => &[],
    };
    let matches: Vec<Value> = if match_kinds.is_empty() {
        Vec::new()
    } else {
        let found = state
            .derived
            .get_or(record.id.0, record.version, "matches", || async {
                crate::api::matching::matches(&state, &record, match_kinds, 6).await.map(Value::Array)
            })
            .await
            .map_err(|e| ctx.fail(e))?;
        still_public(&state, &found)
            .await
            .map_err(|e| ctx.fail(e))?
            .iter()
            .map(|m| {
                let percent = (m["score"].as_f64().unwrap_or(0.0) * 100.0).round();
                json!({
                    "id": m["id"],
                    "title": m["title"], "href": format!("/records/{}", m["id"].as_str().unwrap_or_default()),
                    "kind": label(locale, "kinds", m["kind"].as_str().unwrap_or_default()),
                    "fit": locale.number(percent, 0),
                    "reasons": texts(&m["reasons"]),
                    "unmet": m["reasons"].as_array().is_some_and(|r| r.iter().any(|x| x["code"] == "unmet")),
                })
            })
            .collect()
    };
    // Pilots adopted into a practice are its evidence: shown publicly, with their results.
    let mut pilots: Vec<Value> = Vec::new();
    if kind == Kind::Practice {
        for p in state.store.pilots(&[], Some(shown.id)).await.map_err(|e| ctx.fail(e))? {
            if p.status != banyan_domain::PilotStatus::Adopted {
                continue;
            }
            let adopter =
                match crate::api::conversations::live(&state, p.challenge_id).await.map_err(|e| ctx.fail(e))? {
                    Some(c) => match c.content.organisation {
                        Some(o) => state.store.organisation(o).await.map_err(|e| ctx.fail(e))?.map(|o| o.content.name),
                        None => None,
                    },
                    None => None,
                };
            let mut plan = serde_json::to_value(&p.plan).unwrap_or_default();
            if let Some(ks) = plan["kpis"].as_array_mut() {
                for (k, kpi) in ks.iter_mut().zip(&p.plan.kpis) {
                    k["met"] = json!(kpi.met());
                }
            }
            pilots.push(json!({
                "place": place_name(locale, p.plan.place), "starts_on": p.plan.starts_on, "ends_on": p.plan.ends_on,
                "adopter": adopter, "kpis": plan["kpis"],
                "summary": p.evaluation.as_ref().map(|e| e.summary.clone()),
                "evidence": p.evaluation.as_ref().map(|e| label(locale, "evidence-levels", &e.evidence_level.get().to_string())),
            }));
        }
    }
    let impact = if kind == Kind::Practice {
        Some(super::impact::practice_section(&state, &ctx, &record, adoption_form).await?)
    } else {
        None
    };
    let stage = details["stage"].as_str().map(|s| label(locale, "stages", s));
    let evidence = details["evidence_level"].as_u64().map(|e| label(locale, "evidence-levels", &e.to_string()));
    let viewer = &ctx.caller.viewer;
    let actions = json!({
        "edit": viewer.can_edit(&record) && matches!(kind, Kind::Practice | Kind::Idea),
        "review": viewer.is_curator(),
        "report": viewer.is_signed_in(),
    });
    let source = shown
        .content
        .source
        .as_ref()
        .map(|s| json!({"registry": s.registry, "url": s.url.as_ref().map(|u| u.as_str())}));
    let origin = match &shown.origin {
        banyan_domain::record::Origin::Peer(url) => Some(url.as_str().to_string()),
        banyan_domain::record::Origin::Local => None,
    };
    let mut page = json!({
            "id": shown.id, "kind": kind.code(), "kind_label": label(locale, "kinds", kind.code()),
            "title": title, "summary": summary, "showing": showing, "original": original,
            "title_lang": title_lang, "summary_lang": summary_lang,
            "original_name": lang_name(&original), "showing_name": lang_name(&showing),
            "translated": showing != original, "versions": versions,
            "status": shown.content.status.code(), "status_label": label(locale, "statuses", shown.content.status.code()),
            "public": shown.is_public(),
            "published_at": shown.published_at.map(|d| d.to_rfc3339()),
            "updated_at": shown.updated_at.to_rfc3339(),
            "fields": fields, "sdgs": sdgs, "sectors": sectors, "places": places,
            "level": shown.content.level_of_government.map(|l| label(locale, "levels", l.code())),
            "types": shown.content.innovation_types.iter().map(|t| label(locale, "innovation-types", t.code())).collect::<Vec<_>>(),
            "themes": shown.content.themes,
            "stage": stage, "evidence": evidence, "evidence_level": details["evidence_level"],
            "tcv": tcv(locale, &details["tcv"]),
            "pilots": pilots,
            "organisation": organisation,
            "license": shown.content.license.as_str(),
            "source": source, "origin": origin, "uri": shown.uri,
            "revisions": revisions, "similar": similar_hits, "actions": actions,
            "matches": matches, "matches_heading": format!("matches-heading-{}", kind.code()),
            // The owners and editors of this record may say they are interested in a match.
            "may_express": ctx.caller.viewer.has(banyan_domain::Scope::Write)
                && ctx.caller.viewer.relation(record.owner, record.content.organisation) >= banyan_domain::access::Relation::OrgEditor,
    });
    page["impact"] = json!(impact);
    page["jsonld"] = json!(shown.is_public().then(|| json_ld(&state, &shown)));
    page["origin_host"] = json!(
        page["origin"].as_str().and_then(|o| url::Url::parse(o).ok()).and_then(|u| u.host_str().map(str::to_string))
    );
    ctx.render_status(&state, status, "record.html", page)
}

/// The record as schema.org JSON-LD, for search engines and aggregators; written so that it
/// cannot close the script element it sits in.
fn json_ld(state: &AppState, r: &banyan_domain::Record) -> String {
    let c = &r.content;
    let v = json!({
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "@id": r.uri,
        "url": format!("{}/records/{}", state.config.public_url, r.id),
        "name": c.title,
        "description": c.summary,
        "inLanguage": c.lang.as_str(),
        "genre": r.kind().label(),
        "datePublished": r.published_at.map(|t| t.to_rfc3339()),
        "dateModified": r.updated_at.to_rfc3339(),
        "license": format!("https://spdx.org/licenses/{}.html", c.license.as_str()),
        "keywords": c.themes.iter().map(|t| t.as_str().to_string()).collect::<Vec<_>>(),
        "about": c.sdgs.iter().map(|s| json!({"@type": "Thing", "name": format!("SDG {}: {}", s.code(), s.short())})).collect::<Vec<_>>(),
        "spatialCoverage": c.places.iter().map(|p| json!({"@type": "Place", "name": p.name(), "identifier": p.code()})).collect::<Vec<_>>(),
        "publisher": {"@type": "Organization", "name": state.config.site_name, "url": state.config.public_url},
    });
    banyan_domain::text::json_for_script(&v)
}

async fn countries(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    let req = browse(vec![], ctx.locale.code, 0, true);
    let all = on_index(&state, &ctx, move |i| i.search(&req)).await?;
    let counts = counts(&all, Facet::Country);
    ctx.render(&state, "countries.html", json!({"map": map::world(ctx.locale, &counts, None)}))
}

async fn country(State(state): State<AppState>, ctx: PageCtx, Path(code): Path<String>) -> PageResult {
    let country = CountryCode::parse(&code.to_ascii_uppercase())
        .map_err(|_| ctx.fail(ApiError::NotFound(format!("{code:?} is not a country code"))))?;
    if country.code() != code {
        return Ok(super::redirect(&format!("/countries/{}", country.code())));
    }
    let lang = ctx.locale.code;
    let c = country.code().to_string();
    let kinds: Vec<String> = KINDS.iter().map(|k| k.to_string()).collect();
    let records = {
        let req = browse(vec![(Facet::Country, vec![c.clone()]), (Facet::Kind, kinds)], lang, 12, true);
        on_index(&state, &ctx, move |i| i.search(&req)).await?
    };
    let world = {
        let req = browse(vec![], lang, 0, true);
        on_index(&state, &ctx, move |i| i.search(&req)).await?
    };
    let by_kind = counts(&records, Facet::Kind);
    let stats: Vec<Value> = KINDS
        .iter()
        .filter_map(|k| {
            let n = by_kind.get(*k).copied().unwrap_or(0);
            (n > 0).then(|| json!({"kind": k, "count": n, "href": format!("/search?country={c}&kind={k}")}))
        })
        .collect();
    let name = label(ctx.locale, "countries", &c);
    let region = country.regions().nth(1).map(|r| label(ctx.locale, "regions", r.code()));
    let profile = crate::api::impact::profile(&state, country, lang).await.map_err(|e| ctx.fail(e))?;
    let l = ctx.locale;
    // The profile already found the organisations, with innovation units marked.
    let organisations: Vec<Value> = profile["organisations"]["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|o| {
                    json!({"title": o["title"], "innovation_unit": o["innovation_unit"],
                           "href": format!("/organisations/{}", o["id"].as_str().unwrap_or(""))})
                })
                .collect()
        })
        .unwrap_or_default();
    let imp = &profile["impact"];
    let cur = imp["currency"].as_str().unwrap_or("USD");
    let impact = json!({
        "adoptions": l.int(imp["adoptions"].as_i64().unwrap_or(0)),
        "services": l.int(imp["services"].as_i64().unwrap_or(0)),
        "hours": l.number(imp["yearly_saved"]["hours"].as_f64().unwrap_or(0.0).round(), 0),
        "money": format!("{} {cur}", l.number(imp["yearly_saved"]["cost"].as_f64().unwrap_or(0.0).round(), 0)),
        "visits": l.number(imp["yearly_saved"]["visits"].as_f64().unwrap_or(0.0).round(), 0),
        "any": imp["services"].as_u64().unwrap_or(0) > 0 || imp["adoptions"].as_u64().unwrap_or(0) > 0,
        "href": format!("/dashboard?country={c}"),
    });
    let deployed: Vec<Value> = profile["solutions_deployed"]["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| json!({"title": r["title"], "href": format!("/records/{}", r["id"].as_str().unwrap_or(""))}))
                .collect()
        })
        .unwrap_or_default();
    let adopted_here: Vec<Value> = profile["adopted_here"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| json!({"title": r["title"], "href": format!("/records/{}", r["id"].as_str().unwrap_or(""))}))
                .collect()
        })
        .unwrap_or_default();
    ctx.render(
        &state,
        "country.html",
        json!({
            "code": c, "name": name, "region": region, "total": records.total, "stats": stats,
            "records": records.hits.iter().map(|h| hit(ctx.locale, h)).collect::<Vec<_>>(),
            "more": format!("/search?country={c}"),
            "organisations": organisations,
            "impact": impact, "adopted_here": adopted_here, "deployed": deployed,
            "map": map::world(ctx.locale, &counts(&world, Facet::Country), Some(&c)),
        }),
    )
}

/// The public records of an organisation, newest first, and the search that lists them all.
pub async fn organisation_records(
    state: &AppState,
    ctx: &PageCtx,
    org: banyan_domain::OrganisationId,
) -> Result<Value, super::PageError> {
    let kinds: Vec<String> = KINDS.iter().map(|k| k.to_string()).collect();
    let req =
        browse(vec![(Facet::Organisation, vec![org.to_string()]), (Facet::Kind, kinds)], ctx.locale.code, 20, false);
    let found = on_index(state, ctx, move |i| i.search(&req)).await?;
    let more = (found.total > found.hits.len() as u64).then(|| format!("/search?organisation={org}"));
    Ok(json!({"hits": found.hits.iter().map(|h| hit(ctx.locale, h)).collect::<Vec<_>>(), "more": more}))
}

async fn about(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    ctx.render(&state, "about.html", json!({}))
}

/// The API, readable: every operation of the OpenAPI document by tag, with its parameters.
async fn api_page(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    static DOC: std::sync::LazyLock<Value> =
        std::sync::LazyLock::new(|| serde_json::to_value(crate::openapi()).unwrap_or_default());
    let doc = &*DOC;
    let mut tags: Vec<(String, Vec<Value>)> = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, ops) in paths {
            for method in ["get", "post", "put", "patch", "delete"] {
                let Some(op) = ops.get(method) else { continue };
                let tag = op["tags"][0].as_str().unwrap_or("other").to_string();
                let description = op["description"].as_str().or(op["summary"].as_str()).unwrap_or("");
                let params: Vec<Value> = op["parameters"]
                    .as_array()
                    .map(|ps| {
                        ps.iter()
                            .map(|p| json!({"name": p["name"], "in": p["in"], "required": p["required"].as_bool().unwrap_or(false), "description": p["description"]}))
                            .collect()
                    })
                    .unwrap_or_default();
                let responses: Vec<String> =
                    op["responses"].as_object().map(|r| r.keys().cloned().collect()).unwrap_or_default();
                let entry = json!({
                    "method": method.to_uppercase(), "path": path,
                    "summary": op["summary"].as_str().unwrap_or(description.lines().next().unwrap_or("")),
                    "description": paragraphs(description), "params": params, "responses": responses,
                    "anchor": format!("{method}-{}", path.trim_start_matches('/').replace(['/', '{', '}'], "-")),
                });
                match tags.iter_mut().find(|(t, _)| *t == tag) {
                    Some((_, list)) => list.push(entry),
                    None => tags.push((tag, vec![entry])),
                }
            }
        }
    }
    let tags: Vec<Value> = tags.into_iter().map(|(name, ops)| json!({"name": name, "operations": ops})).collect();
    ctx.render(
        &state,
        "api.html",
        json!({"title": doc["info"]["title"], "version": doc["info"]["version"], "tags": tags}),
    )
}
