//! Scaling and impact: adoptions of practices, services measured by Service Process
//! Simplification (Time, Cost and Visits before and after), the admin's exchange rates, the
//! network dashboard's numbers and country profiles.
//!
//! Adoptions and services belong to a practice and are as visible as it is. They are written by
//! curators, by the practice's editors, and by the editors of the adopting organisation (for an
//! adoption, or a service run under one). The arithmetic is `banyan_domain::sps` and
//! `banyan_domain::impact`; this module reads, checks permission and shows.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use serde_json::{Value, json};
use utoipa_axum::{router::OpenApiRouter, routes};

use banyan_domain::adoption::{Lineage, Spread};
use banyan_domain::impact::{Board, Filter};
use banyan_domain::sps::Rates;
use banyan_domain::{
    Adoption, AdoptionId, AdoptionInput, Cofog, CountryCode, CurrencyCode, Kind, OrgRole, OrganisationId, Record,
    RecordId, Scope, Sdg, Service, ServiceId, ServiceInput, Stage,
};
use banyan_store::{RateTable, RecordState};

use super::JsonResponse;
use super::records::{record_id, visible};
use crate::AppState;
use crate::auth::Caller;
use crate::extract::{JsonBody, QueryParams, read_body};
use crate::problem::{ApiError, ApiResult, Problem};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_adoptions, add_adoption))
        .routes(routes!(get_adoption, put_adoption))
        .routes(routes!(list_services))
        .routes(routes!(add_service))
        .routes(routes!(get_service, put_service))
        .routes(routes!(get_rates, put_rates))
        .routes(routes!(dashboard))
        .routes(routes!(country_profile))
}

/// The practice `id`, if the caller may see it.
pub(crate) async fn practice(state: &AppState, caller: &Caller, id: RecordId) -> ApiResult<Record> {
    let r = visible(state, caller, id).await?;
    if r.kind() != Kind::Practice {
        return Err(ApiError::NotFound(format!("{id} is not a practice; only practices are adopted and measured")));
    }
    Ok(r)
}

/// Whether the caller may write adoptions and services of `practice` for `organisation`.
fn may_write(caller: &Caller, practice: &Record, organisation: Option<OrganisationId>) -> bool {
    let v = &caller.viewer;
    v.is_curator()
        || v.is_editor_of(practice)
        || (v.has(Scope::Write) && organisation.and_then(|o| v.org_role(o)).is_some_and(|r| r >= OrgRole::Editor))
}

fn refuse() -> ApiError {
    ApiError::Forbidden(
        "adoptions and services are recorded by curators, the practice's editors and the adopting organisation's \
         editors"
            .into(),
    )
}

fn without_version(body: &Value) -> Value {
    let mut b = body.clone();
    if let Some(o) = b.as_object_mut() {
        o.remove("version");
    }
    b
}

// Adoptions

/// A practice's adoptions with how far it has spread, the lineage and whether `scaled` fits.
pub(crate) async fn adoptions_of(state: &AppState, practice: &Record) -> ApiResult<(Vec<Adoption>, Value)> {
    let list = state.store.adoptions(Some(practice.id)).await?;
    let mut org_ids: Vec<OrganisationId> = list.iter().map(|a| a.input.organisation_id).collect();
    org_ids.extend(list.iter().filter_map(|a| a.input.contact_organisation_id));
    org_ids.sort();
    org_ids.dedup();
    let names: HashMap<OrganisationId, String> =
        state.store.organisations_by_id(&org_ids).await?.into_iter().map(|o| (o.id, o.content.name)).collect();
    let spread = Spread::of(&practice.content.places, &list);
    let stage = match &practice.content.details {
        banyan_domain::Details::Practice(p) => p.stage,
        _ => None,
    };
    let items: Vec<Value> = list
        .iter()
        .map(|a| {
            let mut v = serde_json::to_value(a).unwrap_or_default();
            v["organisation_name"] = json!(names.get(&a.input.organisation_id));
            v["contact_organisation_name"] = json!(a.input.contact_organisation_id.and_then(|o| names.get(&o)));
            v
        })
        .collect();
    fn tree(nodes: &[Lineage], list: &[Adoption]) -> Vec<Value> {
        nodes.iter().map(|n| json!({"id": list[n.index].id, "children": tree(&n.children, list)})).collect()
    }
    let lineage = tree(&Lineage::of(&list), &list);
    let suggest = (spread.suggests_scaled() && stage != Some(Stage::Scaled)).then_some("scaled");
    let v = json!({"spread": spread, "suggested_stage": suggest, "items": items, "lineage": lineage});
    Ok((list, v))
}

/// A practice's adoptions: where it was taken up, by whom, how far it got, and which adoption
/// each learned from (`lineage`, a forest rooted at the practice's origin). `spread` counts the
/// places and countries where it is piloting or in use; `suggested_stage` is `scaled` when it is
/// in use beyond its own places and not yet marked so.
#[utoipa::path(get, path = "/api/v1/records/{id}/adoptions", tag = "impact", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Object), (status = 404, body = Problem)))]
async fn list_adoptions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse> {
    let p = practice(&state, &caller, record_id(&id)?).await?;
    Ok(JsonResponse::ok(&adoptions_of(&state, &p).await?.1))
}

pub(crate) async fn create_adoption(state: &AppState, caller: &Caller, id: &str, body: &Value) -> ApiResult<Adoption> {
    let actor = caller.require_writer()?;
    let p = practice(state, caller, record_id(id)?).await?;
    let input = read_body(body, AdoptionInput::read)?;
    let input = input.ok_or_else(|| ApiError::Internal("an adoption without violations reads".into()))?;
    if !may_write(caller, &p, Some(input.organisation_id)) {
        return Err(refuse());
    }
    Ok(state.store.create_adoption(p.id, &input, &actor).await?)
}

/// Records an adoption of a practice. Curators, the practice's editors and editors of the
/// adopting organisation may.
#[utoipa::path(post, path = "/api/v1/records/{id}/adoptions", tag = "impact", params(("id" = uuid::Uuid, Path)),
    request_body(content = banyan_domain::AdoptionInput, content_type = "application/json"),
    responses((status = 201, body = banyan_domain::Adoption), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn add_adoption(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<JsonResponse> {
    let a = create_adoption(&state, &caller, &id, &body).await?;
    let location = format!("{}/api/v1/adoptions/{}", state.config.public_url, a.id);
    Ok(JsonResponse::with_status(StatusCode::CREATED, &a).header(header::LOCATION, &location))
}

/// The adoption `id` and its practice, if the caller may see the practice.
pub(crate) async fn reach_adoption(state: &AppState, caller: &Caller, id: &str) -> ApiResult<(Adoption, Record)> {
    let not_found = || ApiError::NotFound(format!("there is no adoption {id}"));
    let aid = AdoptionId::parse(id).map_err(|_| not_found())?;
    let a = state.store.adoption(aid).await?.ok_or_else(not_found)?;
    let p = practice(state, caller, a.practice_id).await.map_err(|_| not_found())?;
    Ok((a, p))
}

/// One adoption.
#[utoipa::path(get, path = "/api/v1/adoptions/{id}", tag = "impact", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = banyan_domain::Adoption), (status = 404, body = Problem)))]
async fn get_adoption(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse> {
    Ok(JsonResponse::ok(&reach_adoption(&state, &caller, &id).await?.0))
}

pub(crate) async fn update_adoption(state: &AppState, caller: &Caller, id: &str, body: &Value) -> ApiResult<Adoption> {
    let actor = caller.require_writer()?;
    let (a, p) = reach_adoption(state, caller, id).await?;
    let version = super::read_version(body, "adoption")?;
    let input = read_body(&without_version(body), AdoptionInput::read)?;
    let input = input.ok_or_else(|| ApiError::Internal("an adoption without violations reads".into()))?;
    // Both the organisation it was recorded for and the one it now names must be the caller's.
    if !may_write(caller, &p, Some(a.input.organisation_id)) || !may_write(caller, &p, Some(input.organisation_id)) {
        return Err(refuse());
    }
    Ok(state.store.save_adoption(a.id, &input, version, &actor).await?)
}

/// Rewrites an adoption (its status, results, lineage…). `version` is the version edited.
#[utoipa::path(put, path = "/api/v1/adoptions/{id}", tag = "impact", params(("id" = uuid::Uuid, Path)),
    request_body(content = banyan_domain::AdoptionInput, content_type = "application/json",
        description = "The adoption, with `version`: the version edited."),
    responses((status = 200, body = banyan_domain::Adoption), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
async fn put_adoption(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<JsonResponse> {
    Ok(JsonResponse::ok(&update_adoption(&state, &caller, &id, &body).await?))
}

// Services

/// The rate table, or an empty one against `fallback` (which converts nothing but itself).
pub(crate) async fn rates(state: &AppState, fallback: CurrencyCode) -> ApiResult<Rates> {
    Ok(rates_or(state.store.rates().await?.map(|t| t.rates).as_ref(), fallback))
}

/// The rate table read once, for several services: itself, or an empty one against `fallback`.
pub(crate) fn rates_or(table: Option<&Rates>, fallback: CurrencyCode) -> Rates {
    table.cloned().unwrap_or(Rates { base: fallback, rates: vec![] })
}

fn usd() -> CurrencyCode {
    CurrencyCode::parse("USD").expect("USD is a currency")
}

pub(crate) fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// A service as shown: the stored service, each map's totals in the service's currency and
/// each "to be" compared with the "as is" (or why it cannot be).
pub(crate) fn service_view(s: &Service, rates: &Rates) -> Value {
    let today = today();
    let cur = s.input.currency;
    let current = s.input.current(today).map(|m| m.label.clone());
    let mut v = serde_json::to_value(s).unwrap_or_default();
    let maps: Vec<Value> = s
        .input
        .maps
        .iter()
        .map(|m| {
            let on = m.live_from.filter(|d| *d <= today).unwrap_or(today);
            let totals = banyan_domain::sps::Totals::of(&m.steps, cur, rates, on);
            let comparison = (!m.as_is).then(|| s.input.compare(m, cur, rates, today)).flatten();
            json!({
                "label": m.label, "as_is": m.as_is, "live_from": m.live_from,
                "current": !m.as_is && current.as_deref() == Some(m.label.as_str()),
                "totals": totals.as_ref().ok(),
                "comparison": comparison.as_ref().and_then(|c| c.as_ref().ok()),
                "error": totals.as_ref().err().map(|e| e.to_string())
                    .or_else(|| comparison.as_ref().and_then(|c| c.as_ref().err()).map(|e| e.to_string())),
            })
        })
        .collect();
    v["computed"] = json!(maps);
    v
}

/// A service and its practice, if the caller may see the practice.
pub(crate) async fn reach_service(state: &AppState, caller: &Caller, id: &str) -> ApiResult<(Service, Record)> {
    let not_found = || ApiError::NotFound(format!("there is no service {id}"));
    let sid = ServiceId::parse(id).map_err(|_| not_found())?;
    let s = state.store.service(sid).await?.ok_or_else(not_found)?;
    let p = practice(state, caller, s.input.practice_id).await.map_err(|_| not_found())?;
    Ok((s, p))
}

/// The organisation a service is run under: the adopter's, when run under an adoption.
async fn service_org(state: &AppState, input: &ServiceInput) -> ApiResult<Option<OrganisationId>> {
    Ok(match input.adoption_id {
        Some(a) => state.store.adoption(a).await?.map(|a| a.input.organisation_id),
        None => None,
    })
}

/// The services measured as evidence of a practice, with their TCV before and after.
#[utoipa::path(get, path = "/api/v1/records/{id}/services", tag = "impact", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Object), (status = 404, body = Problem)))]
async fn list_services(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<JsonResponse> {
    let p = practice(&state, &caller, record_id(&id)?).await?;
    let list = state.store.services(Some(p.id)).await?;
    let table = state.store.rates().await?.map(|t| t.rates);
    let items: Vec<Value> = list.iter().map(|s| service_view(s, &rates_or(table.as_ref(), s.input.currency))).collect();
    Ok(JsonResponse::ok(&json!({"items": items})))
}

pub(crate) async fn save_service(
    state: &AppState,
    caller: &Caller,
    id: Option<&str>,
    body: &Value,
) -> ApiResult<Service> {
    let actor = caller.require_writer()?;
    let existing = match id {
        Some(id) => Some(reach_service(state, caller, id).await?),
        None => None,
    };
    let version = if existing.is_some() { Some(super::read_version(body, "service")?) } else { None };
    let input = read_body(&without_version(body), ServiceInput::read)?;
    let input = input.ok_or_else(|| ApiError::Internal("a service without violations reads".into()))?;
    let p = practice(state, caller, input.practice_id)
        .await
        .map_err(|_| ApiError::field("practice_id", "not_found", "no practice you can see has this id"))?;
    if !may_write(caller, &p, service_org(state, &input).await?) {
        return Err(refuse());
    }
    match (existing, version) {
        (Some((s, _)), Some(version)) => {
            if !may_write(caller, &p, service_org(state, &s.input).await?) {
                return Err(refuse());
            }
            Ok(state.store.save_service(s.id, &input, version, &actor).await?)
        }
        _ => Ok(state.store.create_service(&input, &actor).await?),
    }
}

/// Adds a service with its process maps (one "as is", any number of "to be") as evidence of
/// a practice.
#[utoipa::path(post, path = "/api/v1/services", tag = "impact",
    request_body(content = banyan_domain::ServiceInput, content_type = "application/json"),
    responses((status = 201, body = Object), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
async fn add_service(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<JsonResponse> {
    let s = save_service(&state, &caller, None, &body).await?;
    let location = format!("{}/api/v1/services/{}", state.config.public_url, s.id);
    let view = service_view(&s, &rates(&state, s.input.currency).await?);
    Ok(JsonResponse::with_status(StatusCode::CREATED, &view).header(header::LOCATION, &location))
}

/// One service: its process maps, each map's totals, and each "to be" compared with the
/// "as is" per application and per year, in the service's currency (`computed`).
#[utoipa::path(get, path = "/api/v1/services/{id}", tag = "impact", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Object), (status = 404, body = Problem)))]
async fn get_service(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<JsonResponse> {
    let (s, _) = reach_service(&state, &caller, &id).await?;
    Ok(JsonResponse::ok(&service_view(&s, &rates(&state, s.input.currency).await?)))
}

/// Rewrites a service and its maps; the figures are recomputed. `version` is the version
/// edited.
#[utoipa::path(put, path = "/api/v1/services/{id}", tag = "impact", params(("id" = uuid::Uuid, Path)),
    request_body(content = banyan_domain::ServiceInput, content_type = "application/json",
        description = "The service, with `version`: the version edited."),
    responses((status = 200, body = Object), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn put_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<JsonResponse> {
    let s = save_service(&state, &caller, Some(&id), &body).await?;
    Ok(JsonResponse::ok(&service_view(&s, &rates(&state, s.input.currency).await?)))
}

// Exchange rates

/// The exchange rates costs are converted with: rates against one base currency, each valid
/// from a day until the next rate of the same currency.
#[utoipa::path(get, path = "/api/v1/rates", tag = "impact",
    responses((status = 200, body = banyan_store::RateTable), (status = 404, body = Problem)))]
async fn get_rates(State(state): State<AppState>) -> ApiResult<JsonResponse> {
    let t = state.store.rates().await?.ok_or_else(|| ApiError::NotFound("no exchange rates are set yet".into()))?;
    Ok(JsonResponse::ok(&t))
}

pub(crate) async fn replace_rates(state: &AppState, caller: &Caller, body: &Value) -> ApiResult<RateTable> {
    let actor = caller.require_admin()?;
    let (rates, version) = read_body(body, |c, o| {
        let version = c.integer(o, "version", 0, i64::MAX);
        (Rates::read(c, o), version)
    })?;
    let rates = rates.ok_or_else(|| ApiError::Internal("rates without violations read".into()))?;
    Ok(state.store.put_rates(&rates, version, &actor).await?)
}

/// Replaces the exchange rates (admins). `version` is the version edited, 0 for the first;
/// without it the table is replaced whatever its version.
#[utoipa::path(put, path = "/api/v1/rates", tag = "impact",
    request_body(content = banyan_domain::sps::Rates, content_type = "application/json"),
    responses((status = 200, body = banyan_store::RateTable), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn put_rates(State(state): State<AppState>, caller: Caller, JsonBody(body): JsonBody) -> ApiResult<JsonResponse> {
    Ok(JsonResponse::ok(&replace_rates(&state, &caller, &body).await?))
}

// The dashboard and country profiles

/// Reads `country`, `sector` and `sdg`.
pub(crate) fn read_filter(params: &QueryParams) -> ApiResult<Filter> {
    params.read(|c, o| Filter {
        country: c.parsed(o, "country", |s| CountryCode::parse(&s.to_ascii_uppercase())),
        sector: c.parsed(o, "sector", Cofog::parse),
        sdg: c.parsed(o, "sdg", Sdg::parse),
    })
}

/// The board for the public: only public practices count.
pub(crate) async fn board(state: &AppState, filter: &Filter) -> ApiResult<Board> {
    let adoptions = state.store.adoptions(None).await?;
    let services = state.store.services(None).await?;
    let mut ids: Vec<RecordId> = adoptions.iter().map(|a| a.practice_id).collect();
    ids.extend(services.iter().map(|s| s.input.practice_id));
    ids.sort();
    ids.dedup();
    let practices: HashMap<RecordId, Record> = state
        .store
        .records_by_id(&ids)
        .await?
        .into_iter()
        .filter_map(|r| match r {
            RecordState::Live(r) if r.is_public() => Some((r.id, r)),
            _ => None,
        })
        .collect();
    let rates = rates(state, usd()).await?;
    Ok(Board::compute(&practices, &adoptions, &services, &rates, filter, today()))
}

/// The network's impact: adoptions (how many, where, by year), simplified services with their
/// Time, Cost and Visits before and after, what a year of applications saves and what has been
/// saved so far (money in the rate table's base currency), over public practices. Narrowed by
/// `country` (where adopted or served), `sector` (COFOG) and `sdg`.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "impact",
    params(("country" = Option<String>, Query), ("sector" = Option<String>, Query), ("sdg" = Option<String>, Query)),
    responses((status = 200, body = Object), (status = 400, body = Problem)))]
async fn dashboard(State(state): State<AppState>, params: QueryParams) -> ApiResult<JsonResponse> {
    let filter = read_filter(&params)?;
    Ok(JsonResponse::ok(&board(&state, &filter).await?))
}

/// A country at a glance, as JSON: its public records by kind (practices from it, challenges,
/// solutions about it), the solutions deployed in it, the practices adopted in it, its
/// organisations (innovation units marked), and what its simplified services save.
#[utoipa::path(get, path = "/api/v1/countries/{code}", tag = "impact", params(("code" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = Problem)))]
async fn country_profile(State(state): State<AppState>, Path(code): Path<String>) -> ApiResult<JsonResponse> {
    let c = CountryCode::parse(&code.to_ascii_uppercase())
        .map_err(|_| ApiError::NotFound(format!("{code:?} is not an ISO 3166-1 country code")))?;
    Ok(JsonResponse::ok(&profile(&state, c, "en").await?))
}

/// What a country profile shows (the page renders the same numbers).
pub(crate) async fn profile(state: &AppState, c: CountryCode, lang: &str) -> ApiResult<Value> {
    use banyan_search::{Facet, SearchRequest, Sort};
    let code = c.code().to_string();
    let search = |kind: &str, limit: usize| SearchRequest {
        q: String::new(),
        filters: vec![(Facet::Country, vec![code.clone()]), (Facet::Kind, vec![kind.to_string()])],
        lang: Some(lang.to_string()),
        sort: Sort::Newest,
        limit,
        offset: 0,
        facets: false,
        highlights: false,
    };
    let mut reqs: Vec<(String, SearchRequest)> = ["practice", "challenge", "solution", "organisation"]
        .iter()
        .map(|k| (k.to_string(), search(k, if *k == "organisation" { 100 } else { 20 })))
        .collect();
    // Solutions deployed in the country, whatever places they are about.
    let mut deployed = search("solution", 20);
    deployed.filters[0] = (Facet::Deployed, vec![code.clone()]);
    reqs.push(("deployed".to_string(), deployed));
    let found = super::search::on_index(state, move |index| {
        reqs.into_iter().map(|(k, r)| index.search(&r).map(|res| (k, res))).collect::<Result<Vec<_>, _>>()
    })
    .await?;
    let mut out = json!({"code": code, "name": c.name()});
    let hit = |h: &banyan_search::Hit| json!({"id": h.id, "kind": h.kind, "title": h.title, "summary": h.summary});
    for (kind, res) in &found {
        let key = match kind.as_str() {
            "practice" => "practices",
            "challenge" => "challenges",
            "solution" => "solutions",
            "deployed" => "solutions_deployed",
            _ => "organisations",
        };
        out[key] = json!({"total": res.total, "items": res.hits.iter().map(hit).collect::<Vec<_>>()});
    }
    // Innovation units marked among the organisations.
    let org_ids: Vec<OrganisationId> = found
        .iter()
        .filter(|(k, _)| k == "organisation")
        .flat_map(|(_, r)| r.hits.iter().map(|h| OrganisationId(h.id)))
        .collect();
    let orgs = state.store.organisations_by_id(&org_ids).await?;
    if let Some(items) = out["organisations"]["items"].as_array_mut() {
        for item in items {
            let o = orgs.iter().find(|o| item["id"] == json!(o.id));
            item["innovation_unit"] =
                json!(o.is_some_and(|o| o.content.org_type == banyan_domain::OrgType::InnovationUnit));
        }
    }
    let filter = Filter { country: Some(c), ..Filter::default() };
    let b = board(state, &filter).await?;
    // Practices adopted here, from wherever they began.
    let adopted: Vec<RecordId> = {
        let mut ids: Vec<RecordId> = state
            .store
            .adoptions(None)
            .await?
            .iter()
            .filter(|a| a.is_active() && a.input.place.country() == c)
            .map(|a| a.practice_id)
            .collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let adopted_here: Vec<Value> = state
        .store
        .records_by_id(&adopted)
        .await?
        .into_iter()
        .filter_map(|r| match r {
            RecordState::Live(r) if r.is_public() => Some(json!({"id": r.id, "title": r.content.title})),
            _ => None,
        })
        .collect();
    out["adopted_here"] = json!(adopted_here);
    out["impact"] = json!({
        "currency": b.currency, "adoptions": b.totals.adoptions, "places": b.totals.places,
        "services": b.totals.services, "yearly_saved": b.totals.yearly_saved, "saved_to_date": b.totals.saved_to_date,
    });
    Ok(out)
}
