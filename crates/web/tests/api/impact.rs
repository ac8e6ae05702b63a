//! Scaling and impact over HTTP: adoptions and their lineage, services with process maps whose
//! Time, Cost and Visits are recomputed on every edit, the admin's exchange rates, and the
//! dashboard's numbers checked against a small network worked out by hand.

use banyan_domain::record::InputMode;
use banyan_domain::{OrgRole, OrganisationId, RecordId, RecordInput, Role};
use banyan_store::{Actor, NewRecord};
use banyan_testkit::{TestDb, backend_tests};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::pilots::org;
use crate::{Browser, PASSWORD, Person, TestApp};

backend_tests!(
    adoptions_trace_how_a_practice_spreads,
    services_compute_time_cost_and_visits_and_recompute_on_edit,
    the_dashboard_adds_up_a_network_worked_by_hand,
    practices_services_and_the_dashboard_on_the_pages,
    adoptions_feed_search_facets_and_ranking,
);

/// A published practice of `org` in BD-13 (sector 01.3, SDG 16), or a draft.
async fn practice(app: &TestApp, org: OrganisationId, title: &str, status: &str) -> RecordId {
    let json = json!({"kind": "practice", "title": title, "lang": "en", "status": status, "places": ["BD-13"],
        "sectors": ["01.3"], "sdgs": ["16"], "details": {"problem": "Five visits", "solution": "One visit", "stage": "implemented"}});
    let mut input = RecordInput::from_json(&json, InputMode::Create).unwrap();
    input.content.organisation = Some(org);
    app.db.store.create_record(NewRecord::local(input, &app.base), &Actor::cli()).await.unwrap().id
}

struct World {
    district: OrganisationId,
    khon_kaen: OrganisationId,
    vientiane: OrganisationId,
    official: Person,
    kk: Person,
    stranger: Person,
    admin: Person,
    land: RecordId,
    draft: RecordId,
}

async fn world(app: &TestApp) -> World {
    let district = org(app, "Tangail District Administration", "government").await;
    let khon_kaen = org(app, "Khon Kaen Province", "government").await;
    let vientiane = org(app, "Vientiane Capital", "government").await;
    let official = app.person("official@district.example", Role::Member).await;
    let kk = app.person("kk@khonkaen.example", Role::Member).await;
    let stranger = app.person("stranger@example.org", Role::Member).await;
    let admin = app.person("admin@banyan.test", Role::Admin).await;
    app.db.store.set_membership(district, official.id, Some(OrgRole::Editor), &Actor::cli()).await.unwrap();
    app.db.store.set_membership(khon_kaen, kk.id, Some(OrgRole::Editor), &Actor::cli()).await.unwrap();
    let land = practice(app, district, "Land mutation in one visit", "published").await;
    let draft = practice(app, district, "An unpublished practice", "draft").await;
    World { district, khon_kaen, vientiane, official, kk, stranger, admin, land, draft }
}

fn adoption(org: OrganisationId, place: &str, on: &str, status: &str) -> Value {
    json!({"organisation_id": org, "place": place, "adopted_on": on, "status": status})
}

/// Before: two visits of 3 hours' travel and 2 waiting, 100 fees and 200 travel each (10 hours,
/// 600, 2 visits). After, online from 1 January 2024: one hour, `fee` in fees, no visit.
fn service(practice: RecordId, fee: f64, currency: &str) -> Value {
    let visit = json!({"actor": "citizen", "action": "goes to the land office", "travel_hours": 3, "waiting_hours": 2,
        "fees": 100, "travel_cost": 200, "visit": true, "documents": ["deed"]});
    json!({"practice_id": practice, "name": "Land mutation", "agency": "AC Land office", "place": "BD-13",
        "yearly_volume": 1000, "currency": "BDT", "maps": [
            {"label": "As is", "as_is": true, "steps": [visit, visit]},
            {"label": "Online", "live_from": "2024-01-01", "steps": [
                {"actor": "citizen", "action": "applies online", "processing_hours": 1, "fees": fee, "currency": currency}]}]})
}

async fn adoptions_trace_how_a_practice_spreads(db: TestDb) {
    let app = TestApp::start(db).await;
    let w = world(&app).await;
    let path = format!("/api/v1/records/{}/adoptions", w.land);

    // Khon Kaen's editor records their own adoption; a stranger may not; bad input is named.
    let made = app.by(&w.kk).post(&path, &adoption(w.khon_kaen, "TH-40", "2024-01-01", "in_use")).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let first = made.body["id"].as_str().unwrap().to_string();
    app.by(&w.stranger)
        .post(&path, &adoption(w.khon_kaen, "TH-40", "2024-01-01", "in_use"))
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    app.nobody()
        .post(&path, &adoption(w.khon_kaen, "TH", "2024-01-01", "in_use"))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    let bad =
        app.by(&w.kk).post(&path, &json!({"place": "XX-99", "adopted_on": "2024-02-30", "status": "adopted"})).await;
    bad.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(bad.error_fields(), ["organisation_id", "place", "adopted_on", "status"]);
    // The practice's editors record adoptions by others, such as Vientiane, which learned from
    // Khon Kaen.
    let mut second = adoption(w.vientiane, "LA", "2024-06-01", "piloting");
    second["learned_from"] = json!(first);
    let made = app.by(&w.official).post(&path, &second).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let second_id = made.body["id"].as_str().unwrap().to_string();

    // Anyone reads how far it spread, the lineage, and that `scaled` fits: it is in use in
    // Thailand, beyond its own BD-13.
    let list = app.nobody().get(&path).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["spread"], json!({"places": 2, "countries": 2, "in_use_beyond_origin": 1}));
    assert_eq!(list.body["suggested_stage"], "scaled");
    assert_eq!(list.body["lineage"], json!([{"id": first, "children": [{"id": second_id, "children": []}]}]));
    assert_eq!(list.body["items"][0]["organisation_name"], "Khon Kaen Province");

    // A stale edit is refused; so is a lineage that goes round in a circle; nothing changes.
    let a = format!("/api/v1/adoptions/{first}");
    let mut edit = adoption(w.khon_kaen, "TH-40", "2024-01-01", "stopped");
    edit["version"] = json!(1);
    edit["results"] = json!("Stopped when the budget ran out.");
    assert_eq!(app.by(&w.kk).put(&a, &edit).await.status, StatusCode::OK);
    app.by(&w.kk).put(&a, &edit).await.assert_problem(StatusCode::CONFLICT, "version-conflict");
    edit["version"] = json!(2);
    edit["learned_from"] = json!(second_id);
    let circle = app.by(&w.kk).put(&a, &edit).await;
    circle.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(circle.error_fields(), ["learned_from"]);
    // Khon Kaen's editor cannot hand the adoption to an organisation they do not edit for.
    edit["learned_from"] = Value::Null;
    edit["organisation_id"] = json!(w.vientiane);
    app.by(&w.kk).put(&a, &edit).await.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let now = app.nobody().get(&a).await;
    assert_eq!((now.body["version"].as_i64(), now.body["status"].as_str()), (Some(2), Some("stopped")));
    // Stopped, it no longer counts: one place, and nothing in use beyond the origin.
    let list = app.nobody().get(&path).await;
    assert_eq!(list.body["spread"], json!({"places": 1, "countries": 1, "in_use_beyond_origin": 0}));
    assert_eq!(list.body["suggested_stage"], Value::Null);

    // Khon Kaen writes its own record of the practice and links it: that record points back.
    let own = practice(&app, w.khon_kaen, "Land mutation in one visit, Khon Kaen", "published").await;
    let mut linked = adoption(w.khon_kaen, "TH-40", "2024-01-01", "stopped");
    linked["version"] = json!(2);
    linked["results"] = json!("Stopped when the budget ran out.");
    linked["derived_record_id"] = json!(own);
    let saved = app.by(&w.kk).put(&a, &linked).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
    let page = app.nobody().get(&format!("/records/{own}")).await;
    assert!(page.text.contains("This practice is an adoption of"), "{}", page.text);
    assert!(page.text.contains(&w.land.to_string()), "links to the adopted practice");

    // A draft's adoptions are as private as the draft.
    let hidden = format!("/api/v1/records/{}/adoptions", w.draft);
    assert_eq!(app.nobody().get(&hidden).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.by(&w.official).get(&hidden).await.status, StatusCode::OK);
    // Only practices are adopted.
    let _ = w.district;
}

async fn services_compute_time_cost_and_visits_and_recompute_on_edit(db: TestDb) {
    let app = TestApp::start(db).await;
    let w = world(&app).await;
    let made = app.by(&w.official).post("/api/v1/services", &service(w.land, 100.0, "BDT")).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let id = made.body["id"].as_str().unwrap().to_string();
    let c = &made.body["computed"][1]["comparison"];
    // By hand: 10 hours, 600 BDT and 2 visits before; 1 hour, 100 BDT and none after.
    assert_eq!(c["before"], json!({"hours": 10.0, "cost": 600.0, "visits": 2}));
    assert_eq!(c["after"], json!({"hours": 1.0, "cost": 100.0, "visits": 0}));
    assert_eq!(c["hours"], json!({"absolute": 9.0, "percent": 90.0}));
    assert_eq!(c["visits"], json!({"absolute": 2.0, "percent": 100.0}));
    assert_eq!(c["yearly_saved"], json!({"hours": 9000.0, "cost": 500000.0, "visits": 2000.0}));
    assert_eq!(made.body["computed"][0]["totals"], json!({"hours": 10.0, "cost": 600.0, "visits": 2}));

    // Editing a step recomputes; a stale edit is refused.
    let mut edited = service(w.land, 50.0, "BDT");
    edited["version"] = json!(1);
    let saved = app.by(&w.official).put(&format!("/api/v1/services/{id}"), &edited).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
    assert_eq!(saved.body["computed"][1]["comparison"]["yearly_saved"]["cost"], 550000.0);
    app.by(&w.official)
        .put(&format!("/api/v1/services/{id}"), &edited)
        .await
        .assert_problem(StatusCode::CONFLICT, "version-conflict");
    // Others may not; bad steps are named by field.
    app.by(&w.stranger)
        .post("/api/v1/services", &service(w.land, 1.0, "BDT"))
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let mut bad = service(w.land, 1.0, "BDT");
    bad["maps"][1]["steps"][0]["fees"] = json!(-5);
    bad["maps"][0]["steps"][1]["travel_hours"] = json!("three");
    bad["yearly_volume"] = json!(1.5);
    let refused = app.by(&w.official).post("/api/v1/services", &bad).await;
    refused.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(refused.error_fields(), ["yearly_volume", "maps[0].steps[1].travel_hours", "maps[1].steps[0].fees"]);

    // A step in dollars cannot be added up until the admin sets rates; the reason is given.
    let usd = app.by(&w.official).post("/api/v1/services", &service(w.land, 1.0, "USD")).await;
    assert_eq!(usd.status, StatusCode::CREATED);
    let usd_id = usd.body["id"].as_str().unwrap().to_string();
    let err = usd.body["computed"][1]["error"].as_str().unwrap();
    assert!(err.contains("no exchange rate for USD"), "{err}");

    // Rates are the admin's: checked by field, then set.
    let rates = json!({"base": "USD", "rates": [{"currency": "BDT", "valid_from": "2020-01-01", "per_base": 100}]});
    app.by(&w.official).put("/api/v1/rates", &rates).await.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let bad_rates = json!({"base": "USD", "rates": [
        {"currency": "BDT", "valid_from": "2020-01-01", "per_base": 0},
        {"currency": "USD", "valid_from": "2020-01-01", "per_base": 1}]});
    let refused = app.by(&w.admin).put("/api/v1/rates", &bad_rates).await;
    refused.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(refused.error_fields(), ["rates[0].per_base", "rates[1].currency"]);
    assert_eq!(app.nobody().get("/api/v1/rates").await.status, StatusCode::NOT_FOUND, "nothing was written");
    let set = app.by(&w.admin).put("/api/v1/rates", &rates).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    let now = app.nobody().get(&format!("/api/v1/services/{usd_id}")).await;
    // 1 USD is 100 BDT: after = 1 hour and 100 BDT.
    assert_eq!(now.body["computed"][1]["comparison"]["after"]["cost"], 100.0);
}

/// Days from `from` to today.
fn days_since(from: &str) -> f64 {
    let from = chrono::NaiveDate::parse_from_str(from, "%Y-%m-%d").unwrap();
    (chrono::Utc::now().date_naive() - from).num_days() as f64
}

async fn the_dashboard_adds_up_a_network_worked_by_hand(db: TestDb) {
    let app = TestApp::start(db).await;
    let w = world(&app).await;
    let adopt = |org, place: &'static str, on: &'static str, status: &'static str| {
        let app = &app;
        let official = &w.official;
        let land = w.land;
        async move {
            let r = app
                .by(official)
                .post(&format!("/api/v1/records/{land}/adoptions"), &adoption(org, place, on, status))
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        }
    };
    adopt(w.khon_kaen, "TH-40", "2024-01-01", "in_use").await;
    adopt(w.vientiane, "LA", "2024-06-01", "piloting").await;
    adopt(w.vientiane, "LA-VT", "2025-03-01", "planned").await;
    // The draft's adoption and service count for nobody.
    let r = app
        .by(&w.official)
        .post(&format!("/api/v1/records/{}/adoptions", w.draft), &adoption(w.khon_kaen, "VN", "2024-01-01", "in_use"))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    for (p, fee) in [(w.land, 100.0), (w.draft, 0.0)] {
        let r = app.by(&w.official).post("/api/v1/services", &service(p, fee, "BDT")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let rates = json!({"base": "USD", "rates": [{"currency": "BDT", "valid_from": "2020-01-01", "per_base": 100}]});
    assert_eq!(app.by(&w.admin).put("/api/v1/rates", &rates).await.status, StatusCode::OK);

    let b = app.nobody().get("/api/v1/dashboard").await;
    assert_eq!(b.status, StatusCode::OK, "{}", b.text);
    // Two adoptions count (TH-40 in use, LA piloting; LA-VT is only planned), in two countries.
    assert_eq!(b.body["currency"], "USD");
    assert_eq!(b.body["totals"]["adoptions"].as_u64().zip(b.body["totals"]["places"].as_u64()), Some((2, 2)));
    assert_eq!(b.body["totals"]["countries"], 2);
    assert_eq!(b.body["totals"]["practices_adopted"], 1);
    assert_eq!(b.body["totals"]["services"], 1);
    assert_eq!(b.body["adoptions_by_country"], json!({"LA": 1, "TH": 1}));
    assert_eq!(b.body["adoptions_by_year"], json!([[2024, 2]]));
    // A year: 9 hours, 500 BDT (5 USD) and 2 visits per application, × 1,000.
    assert_eq!(b.body["totals"]["yearly_saved"], json!({"hours": 9000.0, "cost": 5000.0, "visits": 2000.0}));
    let share = days_since("2024-01-01") / 365.0;
    let to_date = &b.body["totals"]["saved_to_date"];
    assert!((to_date["hours"].as_f64().unwrap() - 9000.0 * share).abs() < 1e-6, "{to_date}");
    assert!((to_date["cost"].as_f64().unwrap() - 5000.0 * share).abs() < 1e-6, "{to_date}");
    let saved = b.body["saved"].as_array().unwrap();
    assert_eq!(saved[0], json!({"date": "2024-01-01", "hours": 0.0, "cost": 0.0, "visits": 0.0}));
    // 1 February: 31 days of savings.
    assert!((saved[1]["visits"].as_f64().unwrap() - 2000.0 * 31.0 / 365.0).abs() < 1e-9);

    // Narrowed to Thailand: its one adoption, and no service (the service is in BD-13).
    let th = app.nobody().get("/api/v1/dashboard?country=th").await;
    assert_eq!((th.body["totals"]["adoptions"].as_u64(), th.body["totals"]["services"].as_u64()), (Some(1), Some(0)));
    // Health (COFOG 07) holds none of it; SDG 16 holds all of it.
    let health = app.nobody().get("/api/v1/dashboard?sector=07").await;
    assert_eq!(health.body["totals"]["adoptions"], 0);
    let sdg = app.nobody().get("/api/v1/dashboard?sdg=16").await;
    assert_eq!(sdg.body["totals"]["adoptions"], 2);
    let bad = app.nobody().get("/api/v1/dashboard?country=XX&colour=red").await;
    bad.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(bad.error_fields(), ["country", "colour"]);

    // The charts' numbers download as CSV.
    let csv = app.nobody().get("/dashboard/tcv-visits.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(csv.text, "Service,Before,After,Reduction\r\nLand mutation (BD-13),2,0,100\r\n");
    let by_year = app.nobody().get("/dashboard/adoptions.csv?country=TH").await;
    assert_eq!(by_year.text, "Year,Adoptions\r\n2024,1\r\n");
    assert_eq!(app.nobody().get("/dashboard/nothing.csv").await.status, StatusCode::NOT_FOUND);

    // A country's profile: Thailand has the practice adopted, and a solution from Bangladesh
    // deployed; Bangladesh has the practice from there.
    let solution = json!({"kind": "solution", "title": "Queue tokens by SMS", "lang": "en", "status": "published",
        "places": ["BD"], "details": {"what_it_does": "Sends queue numbers by SMS", "deployments": ["TH-40", "BD-13"]}});
    let solution = RecordInput::from_json(&solution, InputMode::Create).unwrap();
    let solution = app.db.store.create_record(NewRecord::local(solution, &app.base), &Actor::cli()).await.unwrap().id;
    app.sync().await;
    let th = app.nobody().get("/api/v1/countries/th").await;
    assert_eq!(th.status, StatusCode::OK, "{}", th.text);
    assert_eq!(th.body["adopted_here"], json!([{"id": w.land, "title": "Land mutation in one visit"}]));
    assert_eq!(th.body["impact"]["adoptions"], 1);
    assert_eq!(th.body["solutions_deployed"]["items"][0]["id"], json!(solution));
    assert_eq!(th.body["solutions"]["total"], 0, "about Bangladesh, deployed in Thailand");
    let page = app.nobody().get("/countries/TH").await;
    assert!(page.text.contains("Solutions deployed in Thailand") && page.text.contains("Queue tokens by SMS"));
    assert!(page.text.contains("Practices adopted in Thailand"), "{}", page.text);
    let bd = app.nobody().get("/api/v1/countries/BD").await;
    assert_eq!(bd.body["practices"]["total"], 1, "the draft is not public: {}", bd.text);
    assert_eq!(bd.body["impact"]["yearly_saved"]["visits"], 2000.0);
    assert_eq!(app.nobody().get("/api/v1/countries/XX").await.status, StatusCode::NOT_FOUND);
    let _ = w.district;
}

async fn practices_services_and_the_dashboard_on_the_pages(db: TestDb) {
    let app = TestApp::start(db).await;
    let w = world(&app).await;
    let kk = app
        .by(&w.kk)
        .post(&format!("/api/v1/records/{}/adoptions", w.land), &adoption(w.khon_kaen, "TH-40", "2024-01-01", "in_use"))
        .await;
    let first = kk.body["id"].as_str().unwrap().to_string();
    let browse = |email: String| {
        let app = &app;
        async move {
            let mut b = Browser::new(app);
            b.get("/login").await;
            b.submit("/login", &[("email", &email), ("password", PASSWORD)]).await;
            b
        }
    };
    let mut o = browse(w.official.email.clone()).await;
    let page = o.get(&format!("/records/{}", w.land)).await;
    assert!(page.text.contains("Adopted in one place in one country."), "{}", page.text);
    assert!(page.text.contains("may fit it now"), "the editors are told that `scaled` fits");

    // The official records Vientiane's adoption from the page; a mistake comes back by field.
    let vientiane = w.vientiane.to_string();
    let mut fields = vec![
        ("organisation_id", vientiane.as_str()),
        ("place", "LA"),
        ("adopted_on", "2024-13-01"),
        ("status", "piloting"),
        ("adaptations", "Forms in Lao"),
        ("learned_from", first.as_str()),
    ];
    let refused = o.submit(&format!("/records/{}/adoptions", w.land), &fields).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.text.contains("id=\"e-adopted_on\""), "{}", refused.text);
    assert!(refused.text.contains("Forms in Lao"), "what was typed is kept");
    fields[2] = ("adopted_on", "2024-06-01");
    let made = o.submit(&format!("/records/{}/adoptions", w.land), &fields).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text);
    let page = app.nobody().get(&format!("/records/{}", w.land)).await;
    assert!(page.text.contains("Adopted in 2 places in 2 countries."));
    // The lineage nests Vientiane under Khon Kaen, which learned from the origin.
    let lineage = &page.text[page.text.find("class=\"lineage\"").unwrap()..];
    let (th, la) = (lineage.find("Khon Kaen").unwrap(), lineage.find("Vientiane").unwrap());
    assert!(th < la && lineage[th..la].contains("<ul>"), "{lineage}");
    assert!(!page.text.contains("may fit it now"), "visitors are not asked to edit");

    // A service from the form: a bad number comes back marked, then the service is saved.
    let form = o.get(&format!("/services/new?practice={}", w.land)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    let land = w.land.to_string();
    let mut fields = vec![
        ("practice_id", land.as_str()),
        ("name", "Land mutation"),
        ("agency", "AC Land office"),
        ("place", "BD-13"),
        ("yearly_volume", "1,000"),
        ("currency", "BDT"),
        ("m0.label", "As is"),
        ("m0.s0.actor", "citizen"),
        ("m0.s0.action", "goes to the office"),
        ("m0.s0.travel_hours", "5"),
        ("m0.s0.fees", "three hundred"),
        ("m0.s0.visit", "on"),
        ("m1.label", "Online"),
        ("m1.live_from", "2024-01-01"),
        ("m1.s0.actor", "citizen"),
        ("m1.s0.action", "applies online"),
        ("m1.s0.processing_hours", "1"),
    ];
    let refused = o.submit("/services", &fields).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
    assert!(
        refused.text.contains("id=\"f-m0.s0.fees\" name=\"m0.s0.fees\" value=\"three hundred\""),
        "{}",
        refused.text
    );
    assert!(refused.text.contains("aria-invalid=\"true\""));
    fields[10] = ("m0.s0.fees", "300");
    let made = o.submit("/services", &fields).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text);
    let service = made.header("location").unwrap().split('?').next().unwrap().to_string();
    let page = app.nobody().get(&service).await;
    assert!(page.text.contains("Before and after: Online"), "{}", page.text);
    assert!(page.text.contains("role=\"img\""), "the charts are drawn");
    assert!(page.text.contains("<td class=\"num\">100%</td>"), "one visit saved of one: {}", page.text);
    let csv = app.nobody().get(&format!("{service}/tcv-visits.csv")).await;
    assert_eq!(csv.text, "Simplified process,Before,After\r\nOnline,1,0\r\n");

    // The dashboard: charts, each with its table and its CSV. Without exchange rates the
    // service cannot be added up in dollars, and says so.
    let dash = app.nobody().get("/dashboard").await;
    assert!(dash.text.contains("no exchange rate for BDT"), "{}", dash.text);
    let rates = json!({"base": "USD", "rates": [{"currency": "BDT", "valid_from": "2020-01-01", "per_base": 100}]});
    assert_eq!(app.by(&w.admin).put("/api/v1/rates", &rates).await.status, StatusCode::OK);
    let dash = app.nobody().get("/dashboard").await;
    assert_eq!(dash.status, StatusCode::OK);
    for needle in [
        "Impact across the network",
        "chart-svg",
        "Show the numbers as a table",
        "tcv-time.csv\"",
        "Land mutation (BD-13)",
    ] {
        assert!(dash.text.contains(needle), "{needle} missing: {}", dash.text);
    }
    let filtered = app.nobody().get("/dashboard?country=TH").await;
    assert!(filtered.text.contains("adoptions.csv?country=TH"), "the downloads keep the filter");
    assert_eq!(app.nobody().get("/dashboard?country=XX").await.status, StatusCode::BAD_REQUEST);
    let _ = (w.stranger, w.district);
}

async fn adoptions_feed_search_facets_and_ranking(db: TestDb) {
    let app = TestApp::start(db).await;
    let w = world(&app).await;
    // Two practices that match the words equally; the second (indexed later, so found later
    // when scores tie) is taken up in three places.
    let plain = practice(&app, w.district, "Mobile land records desk", "published").await;
    let adopted = practice(&app, w.district, "Mobile land records desk", "published").await;
    app.sync().await;
    let order = |r: &crate::Reply| -> Vec<String> {
        r.body["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_string()).collect()
    };
    let before = app.nobody().get("/api/v1/search?q=mobile+land+records+desk&kind=practice").await;
    assert_eq!(order(&before), [plain.to_string(), adopted.to_string()], "{}", before.text);
    for (org, place) in [(w.khon_kaen, "TH-40"), (w.vientiane, "LA"), (w.khon_kaen, "TH-10")] {
        let r = app
            .by(&w.official)
            .post(&format!("/api/v1/records/{adopted}/adoptions"), &adoption(org, place, "2024-01-01", "in_use"))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    app.sync().await;
    let after = app.nobody().get("/api/v1/search?q=mobile+land+records+desk&kind=practice").await;
    assert_eq!(order(&after), [adopted.to_string(), plain.to_string()], "adopted first: {}", after.text);
    assert_eq!(after.body["facets"]["adopted"], json!({"2-4": 1}));
    let only = app.nobody().get("/api/v1/search?adopted=2-4").await;
    assert_eq!(order(&only), [adopted.to_string()]);
    let bad = app.nobody().get("/api/v1/search?adopted=many").await;
    bad.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(bad.error_fields(), ["adopted"]);
    // The search page offers it as a filter.
    let page = app.nobody().get("/search?q=land").await;
    assert!(page.text.contains("Adopted in 2 to 4 places"), "{}", page.text);
}
