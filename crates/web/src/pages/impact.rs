//! Pages for scaling and impact: the network dashboard with its charts (and each chart's
//! numbers as a table and as CSV), services with their process maps and TCV, adoptions of a
//! practice, and the admin's exchange rates. Forms become the JSON the API takes and go
//! through the same functions; a problem shows the form again with each message by its field.

use std::collections::HashMap;

use axum::extract::{Path, RawForm, State};
use axum::http::{Method, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, get, post};
use serde_json::{Map, Value, json};

use banyan_domain::adoption::Lineage;
use banyan_domain::impact::{Board, Filter};
use banyan_domain::sps::Rates;
use banyan_domain::{Adoption, OrgRole, Record, RecordId, Scope, Service};
use banyan_search::{Facet, SearchRequest, Sort};

use super::charts::{self, Bar, Cell, Chart, Pair};
use super::forms::{self, FormData};
use super::site::place_name;
use super::{PageCtx, PageError, PageResult, label, map, options, redirect};
use crate::AppState;
use crate::api::impact as api;
use crate::extract::QueryParams;
use crate::i18n::Locale;
use crate::problem::ApiError;

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/dashboard", get(dashboard)),
        (Method::GET, "/dashboard/{file}", get(dashboard_csv)),
        (Method::GET, "/services/new", get(new_service)),
        (Method::POST, "/services", post(create_service)),
        (Method::GET, "/services/{id}", get(service_page)),
        (Method::POST, "/services/{id}", post(update_service)),
        (Method::GET, "/services/{id}/{file}", get(service_csv)),
        (Method::POST, "/records/{id}/adoptions", post(add_adoption)),
        (Method::GET, "/adoptions/{id}", get(adoption_page)),
        (Method::POST, "/adoptions/{id}", post(update_adoption)),
        (Method::GET, "/admin/rates", get(rates_page)),
        (Method::POST, "/admin/rates", post(save_rates)),
    ]
}

// Numbers as the reader reads them.

/// Hours to a tenth when not whole (a step of half an hour shows as 0.5).
fn hours(l: &Locale, v: f64) -> String {
    let tenths = (v * 10.0).round() / 10.0;
    l.number(tenths, if tenths.fract().abs() > 1e-9 { 1 } else { 0 })
}

fn money(l: &Locale, v: f64, currency: &str) -> String {
    format!("{} {currency}", l.number(v, if v.abs() < 100.0 && v.fract().abs() > 1e-9 { 2 } else { 0 }))
}

fn percent(l: &Locale, p: Option<f64>) -> String {
    p.map_or_else(|| "—".to_string(), |p| format!("{}%", l.number(p, 0)))
}

fn csv_response(name: &str, body: String) -> axum::response::Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.csv\"")),
        ],
        body,
    )
        .into_response()
}

// The dashboard

/// The dashboard's filter from the query string, and the same as a query string for links.
fn filter_of(ctx: &PageCtx) -> Result<(Filter, String), PageError> {
    let params = QueryParams::parse(Some(&ctx.query)).map_err(|e| ctx.fail(e))?;
    let filter = api::read_filter(&params).map_err(|e| ctx.fail(e))?;
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    if let Some(c) = filter.country {
        q.append_pair("country", c.code());
    }
    if let Some(s) = filter.sector {
        q.append_pair("sector", s.code());
    }
    if let Some(g) = filter.sdg {
        q.append_pair("sdg", g.code());
    }
    Ok((filter, q.finish()))
}

/// Records by stage, sector and SDG under the filter, from the search index.
async fn record_facets(
    state: &AppState,
    ctx: &PageCtx,
    filter: &Filter,
) -> Result<banyan_search::SearchResults, PageError> {
    let mut filters = Vec::new();
    if let Some(c) = filter.country {
        filters.push((Facet::Country, vec![c.code().to_string()]));
    }
    if let Some(s) = filter.sector {
        filters.push((Facet::Sector, vec![s.code().to_string()]));
    }
    if let Some(g) = filter.sdg {
        filters.push((Facet::Sdg, vec![g.goal_number().to_string()]));
    }
    filters.push((Facet::Kind, vec!["practice".into(), "idea".into(), "challenge".into(), "solution".into()]));
    let req = SearchRequest {
        q: String::new(),
        filters,
        lang: Some(ctx.locale.code.to_string()),
        sort: Sort::Newest,
        limit: 0,
        offset: 0,
        facets: true,
        highlights: false,
    };
    crate::api::search::on_index(state, move |index| index.search(&req)).await.map_err(|e| ctx.fail(e))
}

fn facet_values(results: &banyan_search::SearchResults, facet: Facet) -> Vec<(String, u64)> {
    results.facets.iter().find(|(f, _)| *f == facet).map(|(_, c)| c.to_vec()).unwrap_or_default()
}

/// Every chart of the dashboard, in order.
fn dashboard_charts(l: &Locale, b: &Board, facets: &banyan_search::SearchResults, query: &str) -> Vec<Chart> {
    let cur = b.currency.code();
    let csv = |id: &str| {
        if query.is_empty() { format!("/dashboard/{id}.csv") } else { format!("/dashboard/{id}.csv?{query}") }
    };
    let service_label = |s: &banyan_domain::impact::ServiceLine| format!("{} ({})", s.name, s.place);
    let mut out = Vec::new();

    // TCV before and after, per service: one chart per measure.
    type Measure = fn(&banyan_domain::sps::Totals) -> f64;
    let measures: [(&'static str, &str, Measure); 3] = [
        ("tcv-time", "chart-tcv-time", |t| t.hours),
        ("tcv-cost", "chart-tcv-cost", |t| t.cost),
        ("tcv-visits", "chart-tcv-visits", |t| f64::from(t.visits)),
    ];
    for (id, title, measure) in measures {
        let show = |v: f64| match id {
            "tcv-time" => hours(l, v),
            "tcv-cost" => money(l, v, cur),
            _ => l.number(v, 0),
        };
        let pairs: Vec<Pair> = b
            .services
            .iter()
            .map(|s| {
                let (before, after) = (measure(&s.comparison.before), measure(&s.comparison.after));
                Pair { label: service_label(s), before, after, before_shown: show(before), after_shown: show(after) }
            })
            .collect();
        let title = l.t(title);
        let rows = b
            .services
            .iter()
            .zip(&pairs)
            .map(|(s, p)| {
                let r = match id {
                    "tcv-time" => s.comparison.hours.percent,
                    "tcv-cost" => s.comparison.cost.percent,
                    _ => s.comparison.visits.percent,
                };
                vec![
                    Cell::text(service_label(s)),
                    Cell::number(p.before, p.before_shown.clone()),
                    Cell::number(p.after, p.after_shown.clone()),
                    Cell::number(r.unwrap_or(0.0), percent(l, r)),
                ]
            })
            .collect();
        out.push(Chart {
            id,
            svg: charts::pairs(&title, &l.t("chart-before"), &l.t("chart-after"), &pairs),
            title,
            headers: vec![l.t("chart-service"), l.t("chart-before"), l.t("chart-after"), l.t("chart-reduction")],
            rows,
            csv_href: csv(id),
        });
    }

    // Saved so far, month by month.
    type Saved = fn(&banyan_domain::impact::SavedPoint) -> f64;
    let saved: [(&'static str, &str, Saved); 3] = [
        ("saved-time", "chart-saved-time", |p| p.hours),
        ("saved-cost", "chart-saved-cost", |p| p.cost),
        ("saved-visits", "chart-saved-visits", |p| p.visits),
    ];
    for (id, title, value) in saved {
        let show = |v: f64| match id {
            "saved-time" => hours(l, v.round()),
            "saved-cost" => money(l, v.round(), cur),
            _ => l.number(v.round(), 0),
        };
        let points: Vec<(String, f64, String)> =
            b.saved.iter().map(|p| (l.date(p.date), value(p), show(value(p)))).collect();
        let title = l.t(title);
        out.push(Chart {
            id,
            svg: charts::line(&title, &points, show),
            title,
            headers: vec![l.t("chart-date"), l.t("chart-saved")],
            rows: b
                .saved
                .iter()
                .map(|p| vec![Cell::text(p.date.to_string()), Cell::number(value(p), show(value(p)))])
                .collect(),
            csv_href: csv(id),
        });
    }

    // Adoptions by year.
    let title = l.t("chart-adoptions-by-year");
    let bars: Vec<Bar> = b
        .adoptions_by_year
        .iter()
        .map(|(y, n)| Bar { label: y.to_string(), value: *n as f64, shown: l.int(*n as i64), href: None })
        .collect();
    out.push(Chart {
        id: "adoptions",
        svg: charts::bars(&title, &bars),
        title,
        headers: vec![l.t("chart-year"), l.t("chart-adoptions")],
        rows: b
            .adoptions_by_year
            .iter()
            .map(|(y, n)| vec![Cell::text(y.to_string()), Cell::number(*n as f64, l.int(*n as i64))])
            .collect(),
        csv_href: csv("adoptions"),
    });

    // Records by stage, sector and SDG.
    let facet_chart = |id: &'static str, title: &str, facet: Facet, vocab: &str, param: &str| {
        let mut values = facet_values(facets, facet);
        match facet {
            Facet::Sdg => values.sort_by_key(|(c, _)| c.parse::<u32>().unwrap_or(99)),
            Facet::Sector => {
                values.retain(|(c, _)| !c.contains('.'));
                values.sort();
            }
            _ => {
                let order: Vec<&str> = banyan_domain::Stage::ALL.iter().map(|s| s.code()).collect();
                values.sort_by_key(|(c, _)| order.iter().position(|o| o == c).unwrap_or(99));
            }
        }
        let name = |code: &str| match facet {
            Facet::Sdg => format!("{code} {}", label(l, "sdg", code)),
            _ => label(l, vocab, code),
        };
        let title = l.t(title);
        let bars: Vec<Bar> = values
            .iter()
            .map(|(c, n)| Bar {
                label: name(c),
                value: *n as f64,
                shown: l.int(*n as i64),
                href: Some(format!("/search?{param}={c}")),
            })
            .collect();
        Chart {
            id,
            svg: charts::bars(&title, &bars),
            title,
            headers: vec![l.t("chart-category"), l.t("chart-records")],
            rows: values
                .iter()
                .map(|(c, n)| vec![Cell::text(name(c)), Cell::number(*n as f64, l.int(*n as i64))])
                .collect(),
            csv_href: csv(id),
        }
    };
    out.push(facet_chart("stages", "chart-stages", Facet::Stage, "stages", "stage"));
    out.push(facet_chart("sectors", "chart-sectors", Facet::Sector, "cofog", "sector"));
    out.push(facet_chart("sdgs", "chart-sdgs", Facet::Sdg, "sdg", "sdg"));
    out
}

async fn dashboard(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    let (filter, query) = filter_of(&ctx)?;
    let b = api::board(&state, &filter).await.map_err(|e| ctx.fail(e))?;
    let facets = record_facets(&state, &ctx, &filter).await?;
    let l = ctx.locale;
    let charts = dashboard_charts(l, &b, &facets, &query);
    let counts: HashMap<String, u64> = b.adoptions_by_country.clone().into_iter().collect();
    let cur = b.currency.code();
    let t = &b.totals;
    let stats = json!([
        {"value": l.int(t.adoptions as i64), "label": l.t("impact-adoptions")},
        {"value": l.int(t.places as i64), "label": l.t("impact-places")},
        {"value": l.int(t.countries as i64), "label": l.t("impact-countries")},
        {"value": l.int(t.practices_adopted as i64), "label": l.t("impact-practices-adopted")},
        {"value": l.int(t.services as i64), "label": l.t("impact-services")},
    ]);
    let saved = json!([
        {"value": hours(l, t.yearly_saved.hours.round()), "label": l.t("impact-hours-year")},
        {"value": money(l, t.yearly_saved.cost.round(), cur), "label": l.t("impact-money-year")},
        {"value": l.number(t.yearly_saved.visits.round(), 0), "label": l.t("impact-visits-year")},
        {"value": hours(l, t.saved_to_date.hours.round()), "label": l.t("impact-hours-to-date")},
        {"value": money(l, t.saved_to_date.cost.round(), cur), "label": l.t("impact-money-to-date")},
        {"value": l.number(t.saved_to_date.visits.round(), 0), "label": l.t("impact-visits-to-date")},
    ]);
    let services: Vec<Value> = b
        .services
        .iter()
        .map(|s| {
            json!({"href": format!("/services/{}", s.id), "name": s.name, "place": banyan_domain::Place::parse(&s.place).map(|p| place_name(l, p)).unwrap_or_else(|_| s.place.clone()),
                   "practice": s.practice_title, "practice_href": format!("/records/{}", s.practice_id),
                   "visits": format!("{} → {}", s.comparison.before.visits, s.comparison.after.visits),
                   "hours": format!("{} → {}", hours(l, s.comparison.before.hours), hours(l, s.comparison.after.hours))})
        })
        .collect();
    let skipped: Vec<Value> = b
        .skipped
        .iter()
        .map(|s| json!({"href": format!("/services/{}", s.id), "name": s.name, "reason": s.reason}))
        .collect();
    let countries: Vec<Value> = banyan_domain::CountryCode::all()
        .map(|c| json!({"code": c.code(), "name": label(l, "countries", c.code())}))
        .collect::<Vec<_>>();
    let mut countries = countries;
    countries.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    let f = json!({"form": {
        "country": filter.country.map(|c| c.code()), "sector": filter.sector.map(|s| s.code()),
        "sdg": filter.sdg.map(|g| g.goal_number().to_string()),
    }, "errors": {}});
    let group = |ids: &[&str]| -> Vec<Value> {
        ids.iter().filter_map(|id| charts.iter().find(|c| c.id == *id).map(Chart::to_json)).collect()
    };
    let (tcv, savings, records) = (
        group(&["tcv-time", "tcv-cost", "tcv-visits"]),
        group(&["saved-time", "saved-cost", "saved-visits"]),
        group(&["adoptions", "stages", "sectors", "sdgs"]),
    );
    ctx.render(
        &state,
        "dashboard.html",
        json!({
            "f": f, "countries": countries, "sectors": super::sector_divisions(), "sdgs": super::sdg_goals(),
            "filtered": !query.is_empty(), "currency": cur, "on": b.on.to_string(),
            "stats": stats, "saved": saved, "services": services, "skipped": skipped,
            "tcv": tcv, "savings": savings, "records": records,
            "map": map::world_of(l, &counts, filter.country.map(|c| c.code()), "adoptions"),
            "rates_href": "/api/v1/rates",
        }),
    )
}

async fn dashboard_csv(State(state): State<AppState>, ctx: PageCtx, Path(file): Path<String>) -> PageResult {
    let (filter, query) = filter_of(&ctx)?;
    let id = file.strip_suffix(".csv").unwrap_or("");
    let b = api::board(&state, &filter).await.map_err(|e| ctx.fail(e))?;
    let facets = record_facets(&state, &ctx, &filter).await?;
    let chart = dashboard_charts(ctx.locale, &b, &facets, &query)
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| ctx.fail(ApiError::NotFound(format!("the dashboard has no chart {file:?}"))))?;
    Ok(csv_response(chart.id, chart.csv()))
}

// Practices: the adoption and service sections of a practice's page

/// Organisations the caller may record an adoption for: curators and the practice's editors
/// may name any; others, the organisations they edit for.
async fn adopter_options(state: &AppState, ctx: &PageCtx, practice: &Record) -> Result<Vec<Value>, PageError> {
    let v = &ctx.caller.viewer;
    if !v.has(Scope::Write) || ctx.caller.user.is_none() {
        return Ok(vec![]);
    }
    let orgs = if v.is_curator() || v.is_editor_of(practice) {
        let q = banyan_store::OrganisationQuery { org_type: None, country: None, limit: 500, cursor: None };
        state.store.list_organisations(&q).await.map_err(|e| ctx.fail(e))?.items
    } else {
        let ids: Vec<_> =
            v.memberships.iter().filter(|(_, r)| *r >= OrgRole::Editor).map(|(o, _)| *o).collect::<Vec<_>>();
        state.store.organisations_by_id(&ids).await.map_err(|e| ctx.fail(e))?
    };
    let mut out: Vec<Value> = orgs.iter().map(|o| json!({"code": o.id.to_string(), "name": o.content.name})).collect();
    out.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    Ok(out)
}

/// Everything a practice's page shows about its adoptions and services.
pub async fn practice_section(
    state: &AppState,
    ctx: &PageCtx,
    practice: &Record,
    form: Option<Value>,
) -> Result<Value, PageError> {
    let l = ctx.locale;
    let (list, view) = api::adoptions_of(state, practice).await.map_err(|e| ctx.fail(e))?;
    let names: HashMap<String, String> = view["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    (
                        i["id"].as_str().unwrap_or("").to_string(),
                        i["organisation_name"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let item = |a: &Adoption| {
        json!({
            "id": a.id, "href": format!("/adoptions/{}", a.id), "organisation": names.get(&a.id.to_string()),
            "organisation_href": format!("/organisations/{}", a.input.organisation_id),
            "place": place_name(l, a.input.place), "date": a.input.adopted_on.to_string(),
            "status": a.input.status.code(), "status_label": label(l, "adoption-statuses", a.input.status.code()),
            "adaptations": a.input.adaptations, "results": a.input.results,
            "derived": a.input.derived_record_id.map(|r| format!("/records/{r}")),
        })
    };
    fn tree(nodes: &[Lineage], list: &[Adoption], item: &dyn Fn(&Adoption) -> Value) -> Vec<Value> {
        nodes
            .iter()
            .map(|n| {
                let mut v = item(&list[n.index]);
                v["children"] = json!(tree(&n.children, list, item));
                v
            })
            .collect()
    }
    let lineage = tree(&Lineage::of(&list), &list, &item);
    let timeline: Vec<Value> = list.iter().map(item).collect();
    let mut counts: HashMap<String, u64> = HashMap::new();
    for a in list.iter().filter(|a| a.is_active()) {
        *counts.entry(a.input.place.country().code().to_string()).or_default() += 1;
    }
    let origin = practice.content.places.first().map(|p| p.country().code());
    let may_edit = ctx.caller.viewer.is_curator() || ctx.caller.viewer.is_editor_of(practice);
    let services = state.store.services(Some(practice.id)).await.map_err(|e| ctx.fail(e))?;
    let table = state.store.rates().await.map_err(|e| ctx.fail(e))?.map(|t| t.rates);
    let service_rows: Vec<Value> =
        services.iter().map(|s| service_summary(ctx, s, &api::rates_or(table.as_ref(), s.input.currency))).collect();
    let adopters = adopter_options(state, ctx, practice).await?;
    // The practices this one is the adopter's own record of, which it points back to.
    let deriving = state.store.adoptions_deriving(practice.id).await.map_err(|e| ctx.fail(e))?;
    let sources: Vec<RecordId> = deriving.iter().map(|a| a.practice_id).collect();
    let adapted_from: Vec<Value> = state
        .store
        .records_by_id(&sources)
        .await
        .map_err(|e| ctx.fail(e))?
        .into_iter()
        .filter_map(|r| match r {
            banyan_store::RecordState::Live(r) if ctx.caller.viewer.can_view(&r) => Some(r),
            _ => None,
        })
        .map(|r| {
            let a = deriving.iter().find(|a| a.practice_id == r.id);
            json!({"title": r.content.title, "href": format!("/records/{}", r.id),
                   "adoption": a.map(|a| format!("/adoptions/{}", a.id))})
        })
        .collect();
    let spread = &view["spread"];
    Ok(json!({
        "places": spread["places"], "countries": spread["countries"], "adapted_from": adapted_from,
        "suggest_scaled": view["suggested_stage"] == "scaled" && may_edit,
        "edit_href": format!("/records/{}/edit", practice.id),
        "timeline": timeline, "lineage": lineage, "any": !list.is_empty(),
        "map": (!counts.is_empty()).then(|| map::world_of(l, &counts, origin, "adoptions")),
        "services": service_rows,
        "may_add_service": may_edit,
        "new_service_href": format!("/services/new?practice={}", practice.id),
        "adopters": adopters,
        "statuses": options("adoption-statuses"),
        "action": format!("/records/{}/adoptions", practice.id),
        "f": form.unwrap_or_else(|| json!({"form": {}, "errors": {}})),
        "others": list.iter().map(|a| json!({"code": a.id.to_string(), "name": format!("{} — {}", names.get(&a.id.to_string()).cloned().unwrap_or_default(), place_name(l, a.input.place))})).collect::<Vec<_>>(),
    }))
}

/// A service in a list: its current "to be" against the "as is".
fn service_summary(ctx: &PageCtx, s: &Service, rates: &Rates) -> Value {
    let l = ctx.locale;
    let today = api::today();
    let cur = s.input.currency.code();
    let comparison = s.input.current(today).and_then(|m| s.input.compare(m, s.input.currency, rates, today));
    let c = comparison.and_then(Result::ok);
    json!({
        "href": format!("/services/{}", s.id), "name": s.input.name, "agency": s.input.agency,
        "place": place_name(l, s.input.place),
        "tcv": c.map(|c| json!({
            "time": [hours(l, c.before.hours), hours(l, c.after.hours), percent(l, c.hours.percent)],
            "cost": [money(l, c.before.cost, cur), money(l, c.after.cost, cur), percent(l, c.cost.percent)],
            "visits": [l.int(i64::from(c.before.visits)), l.int(i64::from(c.after.visits)), percent(l, c.visits.percent)],
            "yearly": [hours(l, c.yearly_saved.hours.round()), money(l, c.yearly_saved.cost.round(), cur), l.number(c.yearly_saved.visits.round(), 0)],
        })),
    })
}

/// The adoption form as the JSON the API takes.
fn adoption_json(form: &FormData) -> Value {
    let mut body = Map::new();
    for key in [
        "organisation_id",
        "place",
        "adopted_on",
        "status",
        "adaptations",
        "results",
        "learned_from",
        "derived_record_id",
        "contact_organisation_id",
    ] {
        if let Some(v) = form.get(key) {
            body.insert(key.into(), json!(v.trim()));
        }
    }
    let links: Vec<Value> =
        form.raw("links").lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| json!(l)).collect();
    body.insert("links".into(), json!(links));
    if let Some(v) = form.get("version") {
        body.insert("version".into(), v.trim().parse::<i64>().map_or(json!(v), |n| json!(n)));
    }
    Value::Object(body)
}

/// Errors by form field: `links[2]` is the `links` box, `maps[1].steps[0].fees` is `m1.s0.fees`.
fn form_field(path: &str) -> String {
    if path.starts_with("links[") {
        return "links".into();
    }
    if let Some(rest) = path.strip_prefix("maps[") {
        let (i, rest) = rest.split_once(']').unwrap_or((rest, ""));
        let rest = rest.trim_start_matches('.');
        if rest.is_empty() {
            return format!("m{i}.label");
        }
        if let Some(s) = rest.strip_prefix("steps[") {
            let (j, field) = s.split_once(']').unwrap_or((s, ""));
            let field = field.trim_start_matches('.');
            let field = if field.is_empty() { "actor" } else { field.split(['.', '[']).next().unwrap_or(field) };
            return format!("m{i}.s{j}.{field}");
        }
        if rest == "steps" {
            return format!("m{i}.s0.actor");
        }
        return format!("m{i}.{rest}");
    }
    if let Some(rest) = path.strip_prefix("rates[") {
        let (i, field) = rest.split_once(']').unwrap_or((rest, ""));
        let field = field.trim_start_matches('.');
        return format!("r{i}.{}", if field.is_empty() { "currency" } else { field });
    }
    path.to_string()
}

fn form_errors(ctx: &PageCtx, e: ApiError) -> Result<Value, ApiError> {
    forms::refused(ctx, e, form_field, "impact-conflict")
}

async fn add_adoption(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    ctx.user()?;
    let form = FormData::parse(&body);
    match api::create_adoption(&state, &ctx.caller, &id, &adoption_json(&form)).await {
        Ok(a) => Ok(redirect(&format!("/records/{}?done=adoption-added#adoptions", a.practice_id))),
        Err(e) => {
            let errors = form_errors(&ctx, e).map_err(|e| ctx.fail(e))?;
            let f = json!({"form": form.echo(), "errors": errors});
            super::site::record_page_with(&state, ctx, &id, Some(f), StatusCode::BAD_REQUEST).await
        }
    }
}

async fn render_adoption(
    state: &AppState,
    ctx: &PageCtx,
    id: &str,
    form: Option<Value>,
    status: StatusCode,
) -> PageResult {
    let (a, p) = api::reach_adoption(state, &ctx.caller, id).await.map_err(|e| ctx.fail(e))?;
    let l = ctx.locale;
    let v = &ctx.caller.viewer;
    let may_edit = v.has(Scope::Write)
        && (v.is_curator()
            || v.is_editor_of(&p)
            || v.org_role(a.input.organisation_id).is_some_and(|r| r >= OrgRole::Editor));
    let orgs = state
        .store
        .organisations_by_id(
            &[Some(a.input.organisation_id), a.input.contact_organisation_id].into_iter().flatten().collect::<Vec<_>>(),
        )
        .await
        .map_err(|e| ctx.fail(e))?;
    let name = |id: banyan_domain::OrganisationId| orgs.iter().find(|o| o.id == id).map(|o| o.content.name.clone());
    let siblings = state.store.adoptions(Some(p.id)).await.map_err(|e| ctx.fail(e))?;
    let learned_from = a.input.learned_from.and_then(|f| siblings.iter().find(|s| s.id == f));
    let f = form.unwrap_or_else(|| {
        json!({"form": {
            "organisation_id": a.input.organisation_id.to_string(), "place": a.input.place.code(),
            "adopted_on": a.input.adopted_on.to_string(), "status": a.input.status.code(),
            "adaptations": a.input.adaptations, "results": a.input.results,
            "learned_from": a.input.learned_from.map(|x| x.to_string()),
            "derived_record_id": a.input.derived_record_id.map(|x| x.to_string()),
            "contact_organisation_id": a.input.contact_organisation_id.map(|x| x.to_string()),
            "links": a.input.links.iter().map(|k| k.url.as_str().to_string()).collect::<Vec<_>>().join("\n"),
        }, "errors": {}})
    });
    let adopters = if may_edit { adopter_options(state, ctx, &p).await? } else { vec![] };
    let others: Vec<Value> = siblings
        .iter()
        .filter(|s| s.id != a.id)
        .map(|s| json!({"code": s.id.to_string(), "name": format!("{} — {}", s.input.adopted_on, place_name(l, s.input.place))}))
        .collect();
    ctx.render_status(
        state,
        status,
        "adoption.html",
        json!({
            "id": a.id, "version": a.version, "practice": {"title": p.content.title, "href": format!("/records/{}", p.id)},
            "organisation": name(a.input.organisation_id), "organisation_href": format!("/organisations/{}", a.input.organisation_id),
            "contact": a.input.contact_organisation_id.and_then(name),
            "place": place_name(l, a.input.place), "date": a.input.adopted_on.to_string(),
            "status_label": label(l, "adoption-statuses", a.input.status.code()), "status": a.input.status.code(),
            "adaptations": a.input.adaptations, "results": a.input.results,
            "links": a.input.links.iter().map(|k| json!({"url": k.url.as_str(), "title": k.title})).collect::<Vec<_>>(),
            "learned_from": learned_from.map(|s| json!({"href": format!("/adoptions/{}", s.id), "place": place_name(l, s.input.place)})),
            "derived": a.input.derived_record_id.map(|r| format!("/records/{r}")),
            "may_edit": may_edit, "f": f, "adopters": adopters, "statuses": options("adoption-statuses"), "others": others,
        }),
    )
}

async fn adoption_page(State(state): State<AppState>, ctx: PageCtx, Path(id): Path<String>) -> PageResult {
    render_adoption(&state, &ctx, &id, None, StatusCode::OK).await
}

async fn update_adoption(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    ctx.user()?;
    let form = FormData::parse(&body);
    match api::update_adoption(&state, &ctx.caller, &id, &adoption_json(&form)).await {
        Ok(a) => Ok(redirect(&format!("/adoptions/{}?done=saved", a.id))),
        Err(e) => {
            let errors = form_errors(&ctx, e).map_err(|e| ctx.fail(e))?;
            let f = json!({"form": form.echo(), "errors": errors});
            render_adoption(&state, &ctx, &id, Some(f), StatusCode::BAD_REQUEST).await
        }
    }
}

// Services

/// Blank step rows offered under each map for adding steps, and blank "to be" maps.
const BLANK_STEPS: usize = 2;
const STEP_FIELDS: [&str; 10] = [
    "actor",
    "action",
    "travel_hours",
    "waiting_hours",
    "processing_hours",
    "fees",
    "travel_cost",
    "other_cost",
    "currency",
    "documents",
];

/// The service form as the JSON the API takes. Map 0 is the "as is"; a map or step left
/// entirely blank is dropped.
fn service_json(form: &FormData) -> Value {
    let mut body = Map::new();
    for key in ["practice_id", "adoption_id", "name", "agency", "place", "currency"] {
        if let Some(v) = form.get(key) {
            body.insert(key.into(), json!(v.trim()));
        }
    }
    for key in ["yearly_volume", "version"] {
        if let Some(v) = form.get(key) {
            let t = v.trim().replace([',', ' '], "");
            body.insert(key.into(), t.parse::<i64>().map_or(json!(v), |n| json!(n)));
        }
    }
    let mut maps = Vec::new();
    for i in 0..banyan_domain::sps::MAX_MAPS {
        let p = format!("m{i}.");
        let mut steps = Vec::new();
        for j in 0..banyan_domain::sps::MAX_STEPS {
            let sp = format!("{p}s{j}.");
            let filled =
                STEP_FIELDS.iter().any(|f| form.get(&format!("{sp}{f}")).is_some_and(|v| !v.trim().is_empty()));
            if !filled {
                continue;
            }
            let mut s = Map::new();
            for f in STEP_FIELDS {
                let Some(v) = form.get(&format!("{sp}{f}")) else { continue };
                let v = v.trim();
                if v.is_empty() {
                    continue;
                }
                let value = match f {
                    "actor" | "action" | "currency" => json!(v),
                    "documents" => json!(v.split(';').map(str::trim).filter(|d| !d.is_empty()).collect::<Vec<_>>()),
                    _ => v.replace(',', "").parse::<f64>().map_or(json!(v), |n| json!(n)),
                };
                s.insert(f.into(), value);
            }
            s.insert("visit".into(), json!(form.get(&format!("{sp}visit")).is_some()));
            steps.push(Value::Object(s));
        }
        let label = form.get(&format!("{p}label")).map(str::trim).unwrap_or("");
        let live = form.get(&format!("{p}live_from")).map(str::trim).unwrap_or("");
        if steps.is_empty() && label.is_empty() && live.is_empty() {
            continue;
        }
        let mut m = json!({"label": label, "as_is": i == 0, "steps": steps});
        if !live.is_empty() {
            m["live_from"] = json!(live);
        }
        maps.push(m);
    }
    body.insert("maps".into(), json!(maps));
    Value::Object(body)
}

/// The form's fields for a stored service, with blank rows to add steps and one blank map.
fn service_form(s: Option<&Service>) -> Map<String, Value> {
    let mut f = Map::new();
    let Some(s) = s else { return f };
    f.insert("name".into(), json!(s.input.name));
    f.insert("agency".into(), json!(s.input.agency));
    f.insert("place".into(), json!(s.input.place.code()));
    f.insert("yearly_volume".into(), json!(s.input.yearly_volume.to_string()));
    f.insert("currency".into(), json!(s.input.currency.code()));
    f.insert("adoption_id".into(), json!(s.input.adoption_id.map(|a| a.to_string())));
    // The "as is" first, whatever its place in the stored list.
    let mut maps: Vec<&banyan_domain::ProcessMap> = s.input.maps.iter().filter(|m| m.as_is).collect();
    maps.extend(s.input.maps.iter().filter(|m| !m.as_is));
    for (i, m) in maps.iter().enumerate() {
        f.insert(format!("m{i}.label"), json!(m.label));
        if let Some(d) = m.live_from {
            f.insert(format!("m{i}.live_from"), json!(d.to_string()));
        }
        for (j, st) in m.steps.iter().enumerate() {
            let k = |name: &str| format!("m{i}.s{j}.{name}");
            let num = |v: f64| if v == 0.0 { String::new() } else { format!("{v}") };
            f.insert(k("actor"), json!(st.actor));
            f.insert(k("action"), json!(st.action));
            f.insert(k("travel_hours"), json!(num(st.travel_hours)));
            f.insert(k("waiting_hours"), json!(num(st.waiting_hours)));
            f.insert(k("processing_hours"), json!(num(st.processing_hours)));
            f.insert(k("fees"), json!(num(st.fees)));
            f.insert(k("travel_cost"), json!(num(st.travel_cost)));
            f.insert(k("other_cost"), json!(num(st.other_cost)));
            if st.currency != s.input.currency {
                f.insert(k("currency"), json!(st.currency.code()));
            }
            if st.visit {
                f.insert(k("visit"), json!("on"));
            }
            f.insert(k("documents"), json!(st.documents.join("; ")));
        }
    }
    f
}

/// How many maps, and steps per map, the form has room for (filled plus blanks).
fn form_shape(form: &Map<String, Value>) -> Vec<usize> {
    let mut shape: Vec<usize> = Vec::new();
    for key in form.keys() {
        let Some(rest) = key.strip_prefix('m') else { continue };
        let Some((i, rest)) = rest.split_once('.') else { continue };
        let Ok(i) = i.parse::<usize>() else { continue };
        if shape.len() <= i {
            shape.resize(i + 1, 0);
        }
        if let Some(s) =
            rest.strip_prefix('s').and_then(|r| r.split_once('.')).and_then(|(j, _)| j.parse::<usize>().ok())
        {
            shape[i] = shape[i].max(s + 1);
        }
    }
    if shape.is_empty() {
        shape.push(0);
    }
    // One blank "to be" map, and blank rows in every map.
    shape.push(0);
    shape.truncate(banyan_domain::sps::MAX_MAPS);
    shape.iter().map(|n| (n + BLANK_STEPS).min(banyan_domain::sps::MAX_STEPS)).collect()
}

fn maps_for_form(l: &Locale, shape: &[usize]) -> Vec<Value> {
    shape
        .iter()
        .enumerate()
        .map(|(i, n)| {
            json!({
                "i": i, "as_is": i == 0,
                "legend": if i == 0 { l.t("service-as-is") } else { l.t("service-to-be") },
                "rows": (0..*n).map(|j| json!({"j": j, "n": j + 1})).collect::<Vec<_>>(),
            })
        })
        .collect()
}

async fn practice_adoptions_options(
    state: &AppState,
    ctx: &PageCtx,
    practice: RecordId,
) -> Result<Vec<Value>, PageError> {
    let l = ctx.locale;
    let list = state.store.adoptions(Some(practice)).await.map_err(|e| ctx.fail(e))?;
    Ok(list
        .iter()
        .map(|a| json!({"code": a.id.to_string(), "name": format!("{} — {}", place_name(l, a.input.place), a.input.adopted_on)}))
        .collect())
}

#[derive(serde::Deserialize)]
struct NewService {
    practice: Option<String>,
}

async fn render_service_form(
    state: &AppState,
    ctx: &PageCtx,
    practice: &Record,
    form: Map<String, Value>,
    errors: Value,
    status: StatusCode,
) -> PageResult {
    let shape = form_shape(&form);
    ctx.render_status(
        state,
        status,
        "service_form.html",
        json!({
            "practice": {"id": practice.id, "title": practice.content.title, "href": format!("/records/{}", practice.id)},
            "f": {"form": form, "errors": errors}, "maps": maps_for_form(ctx.locale, &shape),
            "adoptions": practice_adoptions_options(state, ctx, practice.id).await?,
            "action": "/services", "new": true,
        }),
    )
}

async fn new_service(
    State(state): State<AppState>,
    ctx: PageCtx,
    axum::extract::Query(q): axum::extract::Query<NewService>,
) -> PageResult {
    ctx.user()?;
    let id = q.practice.unwrap_or_default();
    let pid = crate::api::records::record_id(&id).map_err(|e| ctx.fail(e))?;
    let p = api::practice(&state, &ctx.caller, pid).await.map_err(|e| ctx.fail(e))?;
    let mut form = Map::new();
    form.insert("m0.label".into(), json!(ctx.t("service-as-is")));
    render_service_form(&state, &ctx, &p, form, json!({}), StatusCode::OK).await
}

fn echo_map(form: &FormData) -> Map<String, Value> {
    form.echo().into_iter().map(|(k, v)| (k, json!(v))).collect()
}

async fn create_service(State(state): State<AppState>, ctx: PageCtx, RawForm(body): RawForm) -> PageResult {
    ctx.user()?;
    let form = FormData::parse(&body);
    match api::save_service(&state, &ctx.caller, None, &service_json(&form)).await {
        Ok(s) => Ok(redirect(&format!("/services/{}?done=saved", s.id))),
        Err(e) => {
            let errors = form_errors(&ctx, e).map_err(|e| ctx.fail(e))?;
            let pid = form.get("practice_id").and_then(|p| RecordId::parse(p).ok());
            let p = match pid {
                Some(pid) => api::practice(&state, &ctx.caller, pid).await.map_err(|e| ctx.fail(e))?,
                None => return Err(ctx.fail(ApiError::field("practice_id", "required", "is required"))),
            };
            render_service_form(&state, &ctx, &p, echo_map(&form), errors, StatusCode::BAD_REQUEST).await
        }
    }
}

/// The service's charts: before and after each "to be", per measure.
fn service_charts(l: &Locale, s: &Service, rates: &Rates) -> Vec<Chart> {
    let today = api::today();
    let cur = s.input.currency.code();
    let compared: Vec<(String, banyan_domain::sps::Comparison)> = s
        .input
        .maps
        .iter()
        .filter(|m| !m.as_is)
        .filter_map(|m| {
            s.input.compare(m, s.input.currency, rates, today).and_then(Result::ok).map(|c| (m.label.clone(), c))
        })
        .collect();
    type Measure = fn(&banyan_domain::sps::Totals) -> f64;
    let measures: [(&'static str, &str, Measure); 3] = [
        ("tcv-time", "chart-tcv-time", |t| t.hours),
        ("tcv-cost", "chart-tcv-cost", |t| t.cost),
        ("tcv-visits", "chart-tcv-visits", |t| f64::from(t.visits)),
    ];
    measures
        .into_iter()
        .map(|(id, title, measure)| {
            let show = |v: f64| match id {
                "tcv-time" => hours(l, v),
                "tcv-cost" => money(l, v, cur),
                _ => l.number(v, 0),
            };
            let pairs: Vec<Pair> = compared
                .iter()
                .map(|(label, c)| {
                    let (b, a) = (measure(&c.before), measure(&c.after));
                    Pair { label: label.clone(), before: b, after: a, before_shown: show(b), after_shown: show(a) }
                })
                .collect();
            let title = l.t(title);
            Chart {
                id,
                svg: charts::pairs(&title, &l.t("chart-before"), &l.t("chart-after"), &pairs),
                title,
                headers: vec![l.t("chart-to-be"), l.t("chart-before"), l.t("chart-after")],
                rows: pairs
                    .iter()
                    .map(|p| {
                        vec![
                            Cell::text(p.label.clone()),
                            Cell::number(p.before, p.before_shown.clone()),
                            Cell::number(p.after, p.after_shown.clone()),
                        ]
                    })
                    .collect(),
                csv_href: format!("/services/{}/{id}.csv", s.id),
            }
        })
        .collect()
}

async fn render_service(
    state: &AppState,
    ctx: &PageCtx,
    id: &str,
    form: Option<(Map<String, Value>, Value)>,
    status: StatusCode,
) -> PageResult {
    let (s, p) = api::reach_service(state, &ctx.caller, id).await.map_err(|e| ctx.fail(e))?;
    let l = ctx.locale;
    let rates = api::rates(state, s.input.currency).await.map_err(|e| ctx.fail(e))?;
    let view = api::service_view(&s, &rates);
    let cur = s.input.currency.code();
    let v = &ctx.caller.viewer;
    let adoption = match s.input.adoption_id {
        Some(a) => state.store.adoption(a).await.map_err(|e| ctx.fail(e))?,
        None => None,
    };
    let may_edit = v.has(Scope::Write)
        && ctx.caller.user.is_some()
        && (v.is_curator()
            || v.is_editor_of(&p)
            || adoption
                .as_ref()
                .and_then(|a| v.org_role(a.input.organisation_id))
                .is_some_and(|r| r >= OrgRole::Editor));
    let totals_row = |t: &Value| {
        t.as_object().map(|_| {
            json!({
                "hours": hours(l, t["hours"].as_f64().unwrap_or(0.0)),
                "cost": money(l, t["cost"].as_f64().unwrap_or(0.0), cur),
                "visits": l.int(t["visits"].as_i64().unwrap_or(0)),
                "visits_n": t["visits"].as_i64().unwrap_or(0),
            })
        })
    };
    let maps: Vec<Value> = s
        .input
        .maps
        .iter()
        .zip(view["computed"].as_array().cloned().unwrap_or_default())
        .map(|(m, c)| {
            let cmp = &c["comparison"];
            let reduction = |k: &str, fmt: &dyn Fn(f64) -> String| {
                json!({"before": fmt(cmp["before"][k].as_f64().unwrap_or(0.0)), "after": fmt(cmp["after"][k].as_f64().unwrap_or(0.0)),
                       "absolute": fmt(cmp[k]["absolute"].as_f64().unwrap_or(0.0)), "percent": percent(l, cmp[k]["percent"].as_f64()),
                       "yearly": fmt(cmp["yearly_saved"][k].as_f64().unwrap_or(0.0).round())})
            };
            json!({
                "label": m.label, "as_is": m.as_is, "live_from": m.live_from.map(|d| d.to_string()), "current": c["current"],
                "error": c["error"],
                "totals": totals_row(&c["totals"]),
                "comparison": cmp.as_object().map(|_| json!({
                    "time": reduction("hours", &|v| hours(l, v)),
                    "cost": reduction("cost", &|v| money(l, v, cur)),
                    "visits": reduction("visits", &|v| l.number(v, 0)),
                })),
                "steps": m.steps.iter().map(|st| json!({
                    "actor": st.actor, "action": st.action,
                    "travel": hours(l, st.travel_hours), "waiting": hours(l, st.waiting_hours), "processing": hours(l, st.processing_hours),
                    "cost": money(l, st.cost(), st.currency.code()), "visit": st.visit, "documents": st.documents,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let charts: Vec<Value> = service_charts(l, &s, &rates).iter().map(Chart::to_json).collect();
    let (form, errors) = form.unwrap_or_else(|| (service_form(Some(&s)), json!({})));
    let shape = form_shape(&form);
    ctx.render_status(
        state,
        status,
        "service.html",
        json!({
            "id": s.id, "version": s.version, "name": s.input.name, "agency": s.input.agency,
            "place": place_name(l, s.input.place), "volume": l.int(s.input.yearly_volume as i64),
            "currency": cur, "practice": {"id": p.id, "title": p.content.title, "href": format!("/records/{}", p.id)},
            "adoption": adoption.as_ref().map(|a| json!({"href": format!("/adoptions/{}", a.id), "place": place_name(l, a.input.place)})),
            "maps": maps, "charts": charts, "may_edit": may_edit,
            "f": {"form": form, "errors": errors}, "form_maps": maps_for_form(l, &shape),
            "adoptions": practice_adoptions_options(state, ctx, p.id).await?,
            "action": format!("/services/{}", s.id),
        }),
    )
}

async fn service_page(State(state): State<AppState>, ctx: PageCtx, Path(id): Path<String>) -> PageResult {
    render_service(&state, &ctx, &id, None, StatusCode::OK).await
}

async fn update_service(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    ctx.user()?;
    let form = FormData::parse(&body);
    match api::save_service(&state, &ctx.caller, Some(&id), &service_json(&form)).await {
        Ok(s) => Ok(redirect(&format!("/services/{}?done=saved", s.id))),
        Err(e) => {
            let errors = form_errors(&ctx, e).map_err(|e| ctx.fail(e))?;
            render_service(&state, &ctx, &id, Some((echo_map(&form), errors)), StatusCode::BAD_REQUEST).await
        }
    }
}

async fn service_csv(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((id, file)): Path<(String, String)>,
) -> PageResult {
    let (s, _) = api::reach_service(&state, &ctx.caller, &id).await.map_err(|e| ctx.fail(e))?;
    let rates = api::rates(&state, s.input.currency).await.map_err(|e| ctx.fail(e))?;
    let want = file.strip_suffix(".csv").unwrap_or("");
    let chart = service_charts(ctx.locale, &s, &rates)
        .into_iter()
        .find(|c| c.id == want)
        .ok_or_else(|| ctx.fail(ApiError::NotFound(format!("the service has no chart {file:?}"))))?;
    Ok(csv_response(&format!("service-{}", chart.id), chart.csv()))
}

// Exchange rates

/// Blank rows offered for adding rates.
const BLANK_RATES: usize = 5;

fn rates_json(form: &FormData) -> Value {
    let mut body = Map::new();
    if let Some(b) = form.get("base") {
        body.insert("base".into(), json!(b.trim().to_uppercase()));
    }
    if let Some(v) = form.get("version") {
        body.insert("version".into(), v.trim().parse::<i64>().map_or(json!(v), |n| json!(n)));
    }
    let mut rates = Vec::new();
    for i in 0..banyan_domain::sps::MAX_RATES {
        let get = |f: &str| form.get(&format!("r{i}.{f}")).map(str::trim).unwrap_or("");
        if form.get(&format!("r{i}.currency")).is_none() {
            break;
        }
        let (c, d, n) = (get("currency"), get("valid_from"), get("per_base"));
        if c.is_empty() && d.is_empty() && n.is_empty() {
            continue;
        }
        let per_base = n.replace(',', "").parse::<f64>().map_or(json!(n), |x| json!(x));
        rates.push(json!({"currency": c.to_uppercase(), "valid_from": d, "per_base": per_base}));
    }
    body.insert("rates".into(), json!(rates));
    Value::Object(body)
}

async fn render_rates(
    state: &AppState,
    ctx: &PageCtx,
    form: Option<(Map<String, Value>, Value)>,
    status: StatusCode,
) -> PageResult {
    ctx.caller.require_admin().map_err(|e| ctx.fail(e))?;
    let table = state.store.rates().await.map_err(|e| ctx.fail(e))?;
    let (form, errors) = form.unwrap_or_else(|| {
        let mut f = Map::new();
        f.insert("base".into(), json!(table.as_ref().map_or("USD", |t| t.rates.base.code())));
        for (i, r) in table.iter().flat_map(|t| t.rates.rates.iter()).enumerate() {
            f.insert(format!("r{i}.currency"), json!(r.currency.code()));
            f.insert(format!("r{i}.valid_from"), json!(r.valid_from.to_string()));
            f.insert(format!("r{i}.per_base"), json!(format!("{}", r.per_base)));
        }
        (f, json!({}))
    });
    let filled = form.keys().filter(|k| k.starts_with('r') && k.ends_with(".currency")).count();
    let rows: Vec<Value> = (0..filled + BLANK_RATES).map(|i| json!({"i": i, "n": i + 1})).collect();
    ctx.render_status(
        state,
        status,
        "rates.html",
        json!({
            "f": {"form": form, "errors": errors}, "rows": rows,
            "version": table.as_ref().map_or(0, |t| t.version),
            "updated_at": table.as_ref().map(|t| t.updated_at.to_rfc3339()),
        }),
    )
}

async fn rates_page(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    ctx.user()?;
    render_rates(&state, &ctx, None, StatusCode::OK).await
}

async fn save_rates(State(state): State<AppState>, ctx: PageCtx, RawForm(body): RawForm) -> PageResult {
    ctx.user()?;
    let form = FormData::parse(&body);
    match api::replace_rates(&state, &ctx.caller, &rates_json(&form)).await {
        Ok(_) => Ok(redirect("/admin/rates?done=saved")),
        Err(e) => {
            let errors = form_errors(&ctx, e).map_err(|e| ctx.fail(e))?;
            render_rates(&state, &ctx, Some((echo_map(&form), errors)), StatusCode::BAD_REQUEST).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_fields_name_their_form_fields() {
        assert_eq!(form_field("maps[1].steps[0].fees"), "m1.s0.fees");
        assert_eq!(form_field("maps[0].steps"), "m0.s0.actor");
        assert_eq!(form_field("maps[2].live_from"), "m2.live_from");
        assert_eq!(form_field("maps[1].steps[3].documents[0]"), "m1.s3.documents");
        assert_eq!(form_field("rates[4].per_base"), "r4.per_base");
        assert_eq!(form_field("links[2]"), "links");
        assert_eq!(form_field("yearly_volume"), "yearly_volume");
    }

    #[test]
    fn the_service_form_becomes_the_api_body_without_blank_rows() {
        let body = "practice_id=p&name=Land&agency=AC&place=BD-13&yearly_volume=12%2C000&currency=BDT\
                    &m0.label=As+is&m0.s0.actor=citizen&m0.s0.action=applies&m0.s0.fees=100&m0.s0.visit=on\
                    &m0.s0.documents=deed%3B+tax+receipt&m0.s1.actor=&m0.s1.action=\
                    &m1.label=Online&m1.live_from=2024-01-01&m1.s0.actor=citizen&m1.s0.action=online&m1.s0.processing_hours=0.5\
                    &m2.label=&m2.live_from=&m2.s0.actor=";
        let v = service_json(&FormData::parse(body.as_bytes()));
        assert_eq!(v["yearly_volume"], 12000);
        assert_eq!(v["maps"].as_array().unwrap().len(), 2, "the blank third map is dropped");
        assert_eq!(v["maps"][0]["as_is"], true);
        assert_eq!(v["maps"][0]["steps"].as_array().unwrap().len(), 1, "the blank row is dropped");
        assert_eq!(v["maps"][0]["steps"][0]["documents"], json!(["deed", "tax receipt"]));
        assert_eq!(v["maps"][0]["steps"][0]["visit"], true);
        assert_eq!(v["maps"][1]["steps"][0]["visit"], false);
        assert_eq!(v["maps"][1]["live_from"], "2024-01-01");
    }
}
