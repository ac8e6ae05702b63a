//! Search, type-ahead, similar records and duplicates: reads of the search index, which holds
//! only what anonymous visitors may see.

use axum::extract::{Path, State};
use axum::http::header;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use utoipa_axum::{router::OpenApiRouter, routes};

use banyan_domain::validate::{Checker, Obj};
use banyan_domain::{
    Cofog, CountryCode, EvidenceLevel, InnovationType, Kind, LanguageTag, Level, OrganisationId, RegionCode, Sdg,
    Stage, limits,
};
use banyan_search::duplicates::{Draft, duplicates};
use banyan_search::similar::{Probe, similar};
use banyan_search::{Facet, Hit, SearchIndex, SearchRequest, Sort};

use super::JsonResponse;
use super::records::{record_id, visible};
use crate::AppState;
use crate::auth::Caller;
use crate::extract::{JsonBody, QueryParams, read_body};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::schema::*;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(suggest))
        .routes(routes!(similar_records))
        .routes(routes!(find_duplicates))
        .routes(routes!(classify_sdgs))
}

/// Results past this one are not served: narrow the search instead.
const MAX_OFFSET: usize = 10_000;

/// Runs index work off the async workers, in its turn ([`SearchIndex::read`]).
pub(crate) async fn on_index<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&SearchIndex) -> banyan_search::Result<T> + Send + 'static,
) -> ApiResult<T> {
    state.search.index().read(work).await.map_err(search_error)
}

pub(crate) fn search_error(e: banyan_search::Error) -> ApiError {
    match e {
        banyan_search::Error::Query(q) => ApiError::field("q", "invalid_value", q.to_string()),
        e => ApiError::Internal(e.to_string()),
    }
}

/// Reads a comma-separated list of codes, each checked by `parse`; returns them normalised.
fn code_list(
    c: &mut Checker,
    o: &mut Obj<'_>,
    key: &'static str,
    parse: impl Fn(&str) -> Result<String, String>,
) -> Vec<String> {
    let Some(raw) = c.line(o, key, 2000) else { return Vec::new() };
    let path = o.path(key);
    let mut out = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match parse(part) {
            Ok(v) => {
                if !out.contains(&v) {
                    out.push(v);
                }
            }
            Err(why) => c.report(&path, "invalid_value", why),
        }
    }
    if out.len() > 50 {
        c.report(&path, "too_many", "at most 50 values");
    }
    out
}

fn vocab<T>(
    parse: fn(&str) -> Result<T, banyan_domain::VocabError>,
    code: fn(&T) -> String,
) -> impl Fn(&str) -> Result<String, String> {
    move |s| parse(s).map(|v| code(&v)).map_err(|e| e.to_string())
}

pub(crate) fn read_filters(c: &mut Checker, o: &mut Obj<'_>) -> Vec<(Facet, Vec<String>)> {
    let kind = |s: &str| {
        if s == "organisation" {
            Ok(s.to_string())
        } else {
            Kind::parse(s).map(|k| k.code().to_string()).map_err(|e| format!("{e}, or organisation"))
        }
    };
    let evidence = |s: &str| {
        s.parse::<u8>()
            .ok()
            .and_then(|n| EvidenceLevel::new(n).ok())
            .map(|e| e.get().to_string())
            .ok_or_else(|| format!("{s:?} is not an evidence level from 1 to 5"))
    };
    let organisation = |s: &str| {
        OrganisationId::parse(s).map(|o| o.to_string()).map_err(|_| format!("{s:?} is not an organisation id"))
    };
    let adopted = |s: &str| {
        banyan_search::schema::ADOPTION_BUCKETS
            .iter()
            .find(|b| **b == s)
            .map(|b| b.to_string())
            .ok_or_else(|| format!("{s:?} is not one of {}", banyan_search::schema::ADOPTION_BUCKETS.join(", ")))
    };
    let lang = |s: &str| LanguageTag::parse(s).map(|l| l.primary().to_string()).map_err(|e| e.to_string());
    vec![
        (Facet::Kind, code_list(c, o, "kind", kind)),
        (Facet::Country, code_list(c, o, "country", vocab(CountryCode::parse, |v| v.code().to_string()))),
        (Facet::Region, code_list(c, o, "region", vocab(RegionCode::parse, |v| v.code().to_string()))),
        (Facet::Sdg, code_list(c, o, "sdg", vocab(Sdg::parse, |v| v.code().to_string()))),
        (Facet::Sector, code_list(c, o, "sector", vocab(Cofog::parse, |v| v.code().to_string()))),
        (Facet::Level, code_list(c, o, "level", vocab(Level::parse, |v| v.code().to_string()))),
        (Facet::Stage, code_list(c, o, "stage", vocab(Stage::parse, |v| v.code().to_string()))),
        (Facet::Type, code_list(c, o, "type", vocab(InnovationType::parse, |v| v.code().to_string()))),
        (Facet::Evidence, code_list(c, o, "evidence", evidence)),
        (Facet::Organisation, code_list(c, o, "organisation", organisation)),
        (Facet::Lang, code_list(c, o, "lang", lang)),
        (Facet::Adopted, code_list(c, o, "adopted", adopted)),
        (Facet::Deployed, code_list(c, o, "deployed", vocab(CountryCode::parse, |v| v.code().to_string()))),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect()
}

pub(crate) fn read_limit(c: &mut Checker, o: &mut Obj<'_>, default: usize, max: usize) -> usize {
    let Some(raw) = c.line(o, "limit", 20) else { return default };
    match raw.parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => n,
        _ => {
            c.report(&o.path("limit"), "out_of_range", format!("must be a whole number from 1 to {max}"));
            default
        }
    }
}

fn cursor(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("o{offset}"))
}

fn read_cursor(c: &mut Checker, o: &mut Obj<'_>) -> usize {
    let Some(raw) = c.line(o, "cursor", 100) else { return 0 };
    let offset = URL_SAFE_NO_PAD
        .decode(raw.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix('o').and_then(|n| n.parse::<usize>().ok()));
    match offset {
        Some(n) if n <= MAX_OFFSET => n,
        _ => {
            c.report(&o.path("cursor"), "invalid_value", "is not a cursor from a previous page");
            0
        }
    }
}

fn read_bool(c: &mut Checker, o: &mut Obj<'_>, key: &'static str, default: bool) -> bool {
    match c.line(o, key, 10).as_deref() {
        None => default,
        Some("true" | "1") => true,
        Some("false" | "0") => false,
        Some(_) => {
            c.report(&o.path(key), "invalid_value", "must be true or false");
            default
        }
    }
}

fn hit_url(state: &AppState, kind: &str, id: uuid::Uuid) -> String {
    let collection = if kind == "organisation" { "organisations" } else { "records" };
    format!("{}/api/v1/{collection}/{id}", state.config.public_url)
}

fn hit_json(state: &AppState, h: &Hit) -> Value {
    json!({
        "id": h.id,
        "kind": h.kind,
        "slug": h.slug,
        "title": h.title,
        "summary": h.summary,
        "lang": h.lang,
        "url": hit_url(state, &h.kind, h.id),
        "highlights": h.highlights.iter().map(|x| json!({"field": x.field, "text": x.text, "html": x.html()})).collect::<Vec<_>>(),
        "score": (h.score * 1000.0).round() / 1000.0,
    })
}

/// Searches everything public: records and organisations.
///
/// Words must all match, in any field, with or without diacritics and as English stems; Latin
/// words of five letters or more also match with one typo. `"a phrase"` must match as written,
/// and `-word` or `-"a phrase"` excludes. With an empty `q`, filters alone browse (newest first).
/// Filters take comma-separated values: any value of one filter, and every filter given. Facet
/// counts are over everything that matches; SDGs count by goal and sectors by division.
#[utoipa::path(get, path = "/api/v1/search", tag = "search",
    params(
        ("q" = Option<String>, Query, description = "Words, \"phrases\" and -exclusions; at most 500 characters"),
        ("kind" = Option<String>, Query, description = "practice, idea, challenge, solution, resource or organisation"),
        ("country" = Option<String>, Query, description = "ISO 3166-1 alpha-2 codes"),
        ("region" = Option<String>, Query, description = "UN M49 region codes (`035` South-eastern Asia)"),
        ("sdg" = Option<String>, Query, description = "SDG goals (`3`) or targets (`3.8`)"),
        ("sector" = Option<String>, Query, description = "COFOG divisions (`07`) or groups (`07.3`)"),
        ("level" = Option<String>, Query, description = "Levels of government"),
        ("stage" = Option<String>, Query, description = "Stages of a practice"),
        ("type" = Option<String>, Query, description = "Innovation types"),
        ("evidence" = Option<String>, Query, description = "Nesta evidence levels, 1 to 5"),
        ("adopted" = Option<String>, Query, description = "Practices adopted in `1`, `2-4` or `5-or-more` places (piloting or in use)"),
        ("deployed" = Option<String>, Query, description = "Solutions deployed in these countries (ISO 3166-1 codes)"),
        ("organisation" = Option<String>, Query, description = "Organisation ids"),
        ("lang" = Option<String>, Query, description = "Records available in these languages; titles are shown in the first where the record has it"),
        ("sort" = Option<String>, Query, description = "relevance (default with q), newest (default without), updated"),
        ("facets" = Option<bool>, Query, description = "Count facet values (default true)"),
        ("limit" = Option<u32>, Query, description = "1 to 100; 20 by default"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses((status = 200, body = SearchResultsDoc), (status = 400, body = Problem)))]
async fn search(State(state): State<AppState>, params: QueryParams) -> ApiResult<JsonResponse> {
    let req = params.read(|c, o| {
        let q = c.line(o, "q", 2000).unwrap_or_default();
        let filters = read_filters(c, o);
        let sort = match c.line(o, "sort", 20) {
            None => Sort::Relevance,
            Some(s) => Sort::parse(&s).unwrap_or_else(|| {
                c.report(&o.path("sort"), "invalid_value", "must be relevance, newest or updated");
                Sort::Relevance
            }),
        };
        let facets = read_bool(c, o, "facets", true);
        let limit = read_limit(c, o, 20, 100);
        let offset = read_cursor(c, o);
        let lang = filters.iter().find(|(f, _)| *f == Facet::Lang).and_then(|(_, v)| v.first().cloned());
        SearchRequest { q, filters, lang, sort, limit, offset, facets, highlights: true }
    })?;
    let (limit, offset) = (req.limit, req.offset);
    let results = on_index(&state, move |index| index.search(&req)).await?;
    let mut facets = Map::new();
    for (facet, counts) in &results.facets {
        let values: Map<String, Value> = counts.iter().map(|(v, n)| (v.clone(), json!(n))).collect();
        facets.insert(facet.name().to_string(), Value::Object(values));
    }
    let next = offset + results.hits.len();
    let next_cursor =
        (results.hits.len() == limit && (next as u64) < results.total && next <= MAX_OFFSET).then(|| cursor(next));
    let hits: Vec<Value> = results.hits.iter().map(|h| hit_json(&state, h)).collect();
    Ok(JsonResponse::ok(&json!({
        "total": results.total,
        "hits": hits,
        "facets": facets,
        "next_cursor": next_cursor,
    }))
    .header(header::CACHE_CONTROL, "no-cache"))
}

/// Titles that begin with what was typed so far, for type-ahead.
#[utoipa::path(get, path = "/api/v1/suggest", tag = "search",
    params(
        ("q" = String, Query, description = "What was typed; the last word may be unfinished"),
        ("kind" = Option<String>, Query, description = "Only these kinds"),
        ("lang" = Option<String>, Query, description = "Show titles in this language where records have it"),
        ("limit" = Option<u32>, Query, description = "1 to 20; 8 by default"),
    ),
    responses((status = 200, body = SuggestionsDoc), (status = 400, body = Problem)))]
async fn suggest(State(state): State<AppState>, params: QueryParams) -> ApiResult<JsonResponse> {
    let (q, kinds, lang, limit) = params.read(|c, o| {
        let q = c.line(o, "q", 2000).unwrap_or_default();
        let filters = read_filters(c, o);
        let kinds = filters.iter().find(|(f, _)| *f == Facet::Kind).map(|(_, v)| v.clone()).unwrap_or_default();
        let lang = filters.iter().find(|(f, _)| *f == Facet::Lang).and_then(|(_, v)| v.first().cloned());
        if let Some((f, _)) = filters.iter().find(|(f, _)| !matches!(f, Facet::Kind | Facet::Lang)) {
            c.report(&o.path(f.name()), "unknown_field", "suggestions filter by kind and lang only");
        }
        (q, kinds, lang, read_limit(c, o, 8, 20))
    })?;
    let found = on_index(&state, move |index| index.suggest(&q, &kinds, lang.as_deref(), limit)).await?;
    let suggestions: Vec<Value> = found
        .iter()
        .map(|s| json!({"id": s.id, "kind": s.kind, "slug": s.slug, "title": s.title, "url": hit_url(&state, &s.kind, s.id)}))
        .collect();
    Ok(JsonResponse::ok(&json!({ "suggestions": suggestions })).header(header::CACHE_CONTROL, "no-cache"))
}

/// Public records like this one, each with the reasons it was chosen: shared words, SDGs,
/// sectors, places and level of government, and how proven it is. Anyone who may read the
/// record may ask (curators, for a submission in review).
#[utoipa::path(get, path = "/api/v1/records/{id}/similar", tag = "search",
    params(
        ("id" = uuid::Uuid, Path),
        ("kind" = Option<String>, Query, description = "Only these kinds"),
        ("limit" = Option<u32>, Query, description = "1 to 50; 10 by default"),
    ),
    responses((status = 200, body = SimilarDoc), (status = 404, body = Problem), (status = 410, body = Problem)))]
async fn similar_records(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    params: QueryParams,
) -> ApiResult<JsonResponse> {
    let (kinds, limit) = params.read(|c, o| {
        let kinds = code_list(c, o, "kind", vocab(Kind::parse, |k| k.code().to_string()));
        (kinds, read_limit(c, o, 10, 50))
    })?;
    let record = visible(&state, &caller, record_id(&id)?).await?;
    let probe = Probe::from_record(&record);
    let hits = on_index(&state, move |index| similar(index, &probe, &kinds, limit)).await?;
    let hits: Vec<Value> = hits
        .iter()
        .map(|h| {
            json!({
                "id": h.id, "kind": h.kind, "slug": h.slug, "title": h.title, "summary": h.summary,
                "url": hit_url(&state, &h.kind, h.id), "score": h.score, "reasons": h.reasons,
            })
        })
        .collect();
    let cache = if caller.viewer.is_signed_in() { "private, no-cache" } else { "no-cache" };
    Ok(JsonResponse::ok(&json!({ "hits": hits })).header(header::CACHE_CONTROL, cache))
}

/// Published records that are likely the same as a draft, before it is submitted ("Is your
/// idea already here?"): MinHash similarity of the wording, title overlap and text relevance.
#[utoipa::path(post, path = "/api/v1/duplicates", tag = "search",
    request_body(content = DuplicatesRequestDoc, content_type = "application/json"),
    responses((status = 200, body = DuplicatesDoc), (status = 400, body = Problem), (status = 415, body = Problem)))]
async fn find_duplicates(State(state): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<JsonResponse> {
    let draft = read_body(&body, |c, o| {
        let title = c.line(o, "title", limits::TITLE).unwrap_or_default();
        let text = c.block(o, "text", limits::LONG_TEXT).unwrap_or_default();
        let kinds = match c.line(o, "kind", 20) {
            Some(k) => match Kind::parse(&k) {
                Ok(k) => vec![k.code().to_string()],
                Err(e) => {
                    c.report(&o.path("kind"), "invalid_value", e.to_string());
                    Vec::new()
                }
            },
            None => Vec::new(),
        };
        let exclude = c.line(o, "exclude", 40).and_then(|s| match uuid::Uuid::parse_str(&s) {
            Ok(u) => Some(u),
            Err(_) => {
                c.report(&o.path("exclude"), "invalid_value", "must be a record id");
                None
            }
        });
        if title.trim().is_empty() && text.trim().is_empty() {
            c.report(&o.path("title"), "required", "give a title or a text to compare");
        }
        Draft { title, text, kinds, exclude }
    })?;
    let found = on_index(&state, move |index| duplicates(index, &draft, 5)).await?;
    let found: Vec<Value> = found
        .iter()
        .map(|d| {
            json!({
                "id": d.id, "kind": d.kind, "slug": d.slug, "title": d.title, "summary": d.summary,
                "url": hit_url(&state, &d.kind, d.id), "score": d.score, "likely": d.likely,
                "text_similarity": d.text_similarity, "title_similarity": d.title_similarity,
            })
        })
        .collect();
    Ok(JsonResponse::ok(&json!({ "duplicates": found })).header(header::CACHE_CONTROL, "no-store"))
}

/// Which SDGs a text addresses: every goal with a calibrated probability, most likely first,
/// and whether it passes the threshold for suggesting it. The model is trained on English texts
/// (see docs/sdg-classifier.md); texts in other languages get low scores.
#[utoipa::path(post, path = "/api/v1/classify/sdgs", tag = "search",
    request_body(content = ClassifyRequestDoc, content_type = "application/json"),
    responses((status = 200, body = ClassifyDoc), (status = 400, body = Problem), (status = 415, body = Problem)))]
async fn classify_sdgs(JsonBody(body): JsonBody) -> ApiResult<JsonResponse> {
    let text = read_body(&body, |c, o| {
        let blank = o.peek("text").is_none_or(|v| v.as_str().is_some_and(|t| t.trim().is_empty()));
        let text = c.block(o, "text", limits::LONG_TEXT).unwrap_or_default();
        if blank {
            c.report(&o.path("text"), "required", "give the text to classify");
        }
        text
    })?;
    let scores = tokio::task::spawn_blocking(move || banyan_classify::Classifier::shipped().classify(&text))
        .await
        .map_err(|e| ApiError::Internal(format!("classifier task: {e}")))?;
    let sdgs: Vec<Value> = scores
        .iter()
        .map(|s| {
            let goal = Sdg::parse(&s.goal.to_string()).expect("goals 1 to 17 exist");
            json!({"goal": s.goal, "name": goal.short(), "score": s.score, "suggested": s.suggested})
        })
        .collect();
    Ok(JsonResponse::ok(&json!({ "sdgs": sdgs })).header(header::CACHE_CONTROL, "no-store"))
}
