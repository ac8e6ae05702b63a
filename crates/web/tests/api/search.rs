//! Search, type-ahead, similar records and duplicates over HTTP, on the demo content and on the
//! real registries in ../shared/data.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use banyan_domain::Role;
use banyan_import::{ApplyOptions, Quiet, Report, dpg, ips};
use banyan_store::Actor;
use banyan_testkit::{TestDb, backend_tests, shared_data};

use crate::TestApp;

backend_tests!(
    searching_the_demo_content,
    similar_records_and_duplicates,
    the_real_registries_are_searchable,
    sdg_suggestions_over_http
);

fn schema_properties(doc: &Value, name: &str) -> BTreeSet<String> {
    doc["components"]["schemas"][name]["properties"].as_object().unwrap().keys().cloned().collect()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn titles(r: &crate::Reply) -> Vec<String> {
    r.body["hits"].as_array().unwrap().iter().map(|h| h["title"].as_str().unwrap().to_string()).collect()
}

async fn demo_app(db: TestDb) -> TestApp {
    banyan_import::demo::load(&*db.store, "https://banyan.test").await.unwrap();
    let app = TestApp::start(db).await;
    app.sync().await;
    app
}

async fn searching_the_demo_content(db: TestDb) {
    let app = demo_app(db).await;
    let anon = app.anonymous();
    let r = anon.get("/api/v1/search?q=%E0%B9%82%E0%B8%A3%E0%B8%87%E0%B8%9E%E0%B8%A2%E0%B8%B2%E0%B8%9A%E0%B8%B2%E0%B8%A5&kind=practice").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(titles(&r), ["นัดคิวโรงพยาบาลล่วงหน้าผ่านไลน์"]);
    // The response is what the OpenAPI document says it is.
    let doc = anon.get("/api/v1/openapi.json").await.body;
    assert_eq!(keys(&r.body), schema_properties(&doc, "SearchResults"));
    assert_eq!(keys(&r.body["hits"][0]), schema_properties(&doc, "SearchHit"));
    assert_eq!(keys(&r.body["hits"][0]["highlights"][0]), schema_properties(&doc, "Highlight"));
    assert_eq!(r.body["facets"]["kind"], json!({"practice": 1}));
    let url = r.body["hits"][0]["url"].as_str().unwrap();
    assert_eq!(anon.get(url.strip_prefix(&app.base).unwrap()).await.status, StatusCode::OK);

    // Filters and facet counts; values comma-separated.
    let r = anon.get("/api/v1/search?sdg=3").await;
    assert_eq!(r.body["total"], 6);
    assert_eq!(r.body["facets"]["sdg"]["3"], 6);
    assert_eq!(r.body["facets"]["country"]["TH"], 4);
    let r = anon.get("/api/v1/search?country=TH,MY&kind=challenge,solution").await;
    assert_eq!(r.body["total"], 4);
    let r = anon.get("/api/v1/search?q=queue&facets=false").await;
    assert_eq!(r.body["facets"], json!({}));

    // Paging through everything with the cursor.
    let mut seen = BTreeSet::new();
    let mut path = "/api/v1/search?limit=7".to_string();
    loop {
        let r = anon.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["total"], 38);
        for h in r.body["hits"].as_array().unwrap() {
            assert!(seen.insert(h["id"].as_str().unwrap().to_string()), "no repeats");
        }
        match r.body["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/search?limit=7&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 38);

    // Bad input names every bad parameter and changes nothing.
    let r = anon.get("/api/v1/search?sdg=99&country=XX&sort=best&limit=0&colour=red").await;
    r.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(r.error_fields(), ["country", "sdg", "sort", "limit", "colour"]);
    anon.get("/api/v1/search?cursor=bm9wZQ").await.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    let long = "a".repeat(501);
    let r = anon.get(&format!("/api/v1/search?q={long}")).await;
    r.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(r.error_fields(), ["q"]);
    // Any query string gets an answer.
    let r = anon.get("/api/v1/search?q=a%00b").await;
    r.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(r.error_fields(), ["q"]);
    for q in ["%22", "-", "%28%29%5B%5D%7B%7D", "-%22-%22", "AND%20OR%20NOT", "*:*", "title:x"] {
        let r = anon.get(&format!("/api/v1/search?q={q}")).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.text);
    }

    // Only public things, whoever asks: the Khmer text is in a draft.
    let curator = app.make_token(Role::Curator).await;
    let r = app
        .send(
            reqwest::Method::GET,
            "/api/v1/search?q=%E1%9E%94%E1%9F%92%E1%9E%9A%E1%9E%B6%E1%9E%80%E1%9F%8B",
            None,
            &[],
            Some(&curator),
        )
        .await;
    assert_eq!(r.body["total"], 0);

    // A record published through the API is searchable without anyone asking the index.
    let mut record = banyan_testkit::fixtures::practice("Quagga mussel monitoring in reservoirs");
    record["status"] = json!("published");
    let created = app
        .send(
            reqwest::Method::POST,
            "/api/v1/records",
            Some(("application/json", record.to_string().into_bytes())),
            &[],
            Some(&curator),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let started = Instant::now();
    loop {
        let r = anon.get("/api/v1/search?q=quagga").await;
        if r.body["total"] == 1 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "not searchable after 10 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Type-ahead.
    let r = anon.get("/api/v1/suggest?q=land%20mu").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["suggestions"][0]["title"], "Land mutation in one visit");
    assert_eq!(keys(&r.body["suggestions"][0]), schema_properties(&doc, "Suggestion"));
    let r = anon.get("/api/v1/suggest?q=doi%20m&lang=vi").await;
    assert_eq!(r.body["suggestions"][0]["title"], "Đổi mới khu vực công ở Mê Kông: bức tranh tổng quan");
    let r = anon.get("/api/v1/suggest?q=x&sdg=3").await;
    r.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(r.error_fields(), ["sdg"]);
}

async fn similar_records_and_duplicates(db: TestDb) {
    let app = demo_app(db).await;
    let anon = app.anonymous();
    let doc = anon.get("/api/v1/openapi.json").await.body;
    let r = anon.get("/api/v1/search?q=pharmacies&kind=challenge").await;
    let id = r.body["hits"][0]["id"].as_str().unwrap().to_string();
    let r = anon.get(&format!("/api/v1/records/{id}/similar?limit=3")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let hits = r.body["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 3);
    assert_eq!(keys(&hits[0]), schema_properties(&doc, "SimilarRecord"));
    assert!(hits.iter().all(|h| h["id"] != id.as_str()));
    assert!(!hits[0]["reasons"].as_array().unwrap().is_empty());
    let r = anon.get(&format!("/api/v1/records/{id}/similar?kind=solution")).await;
    assert!(r.body["hits"].as_array().unwrap().iter().all(|h| h["kind"] == "solution"));
    assert!(titles(&r).contains(&"QueueCare: clinic queues over SMS and LINE".to_string()), "{}", r.text);

    // Records the caller may not read have no similar records for them.
    let curator = app.make_token(Role::Curator).await;
    let drafts = app.send(reqwest::Method::GET, "/api/v1/records?status=draft", None, &[], Some(&curator)).await;
    let draft = drafts.body["items"][0]["id"].as_str().unwrap().to_string();
    anon.get(&format!("/api/v1/records/{draft}/similar")).await.assert_problem(StatusCode::NOT_FOUND, "not-found");
    let r =
        app.send(reqwest::Method::GET, &format!("/api/v1/records/{draft}/similar"), None, &[], Some(&curator)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    anon.get("/api/v1/records/not-a-uuid/similar").await.assert_problem(StatusCode::NOT_FOUND, "not-found");

    // "Is your idea already here?"
    let r = anon
        .post(
            "/api/v1/duplicates",
            &json!({"title": "Appointments for ward office services", "text": "Residents book a slot for recommendation letters and registrations at the ward office, and the day's queue is published on a screen and online.", "kind": "practice"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let first = &r.body["duplicates"][0];
    assert_eq!(first["title"], "Ward office services by appointment");
    assert_eq!(first["likely"], true);
    assert_eq!(keys(first), schema_properties(&doc, "Duplicate"));
    let r = anon.post("/api/v1/duplicates", &json!({"title": "Braille ballots for blind voters"})).await;
    assert!(r.body["duplicates"].as_array().unwrap().iter().all(|d| d["likely"] == false), "{}", r.text);
    let r = anon.post("/api/v1/duplicates", &json!({"kind": "poem", "exclude": "x", "extra": 1})).await;
    r.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(r.error_fields(), ["kind", "exclude", "title", "extra"]);
}

async fn the_real_registries_are_searchable(db: TestDb) {
    let Some(data) = shared_data() else { return };
    for (registry, items) in [
        (dpg::REGISTRY, dpg::read(&data.join("dpg-publicgoods-candidates"), &mut Report::new("dpg", false)).unwrap()),
        (ips::REGISTRY, ips::read(&data.join("ips-explorer/cases.json"), &mut Report::new("ips", false)).unwrap()),
    ] {
        let options =
            ApplyOptions { dry_run: false, base_url: "https://banyan.test", actor: Actor::importer(registry) };
        let mut report = Report::new(registry, false);
        banyan_import::apply(&*db.store, items, &options, &Quiet, &mut report).await.unwrap();
        assert!(report.skipped.is_empty(), "{report}");
    }
    let app = TestApp::start(db).await;
    app.sync().await;
    let anon = app.anonymous();

    let r = anon.get("/api/v1/search?q=x-road").await;
    assert_eq!(titles(&r).first().map(String::as_str), Some("X-Road"), "{}", r.text);
    let r = anon.get("/api/v1/search?q=social%20health%20protection&kind=solution").await;
    assert!(titles(&r).iter().take(5).any(|t| t == "openIMIS"), "{:#?}", titles(&r));
    let r = anon.get("/api/v1/search?q=job%20seekers%20algorithm&country=AT").await;
    assert_eq!(titles(&r).first().map(String::as_str), Some("AMS - public empolyment service"), "{:#?}", titles(&r));
    // Typos in long words.
    let r = anon.get("/api/v1/search?q=vaccinaton").await;
    assert!(r.body["total"].as_u64().unwrap() > 0, "{}", r.text);
    // Facets over the whole registry.
    let r = anon.get("/api/v1/search?kind=solution&facets=true&limit=1").await;
    assert_eq!(r.body["facets"]["kind"]["solution"], r.body["total"]);
    let health = r.body["facets"]["sdg"]["3"].as_u64().unwrap();
    assert_eq!(anon.get("/api/v1/search?kind=solution&sdg=3&limit=1").await.body["total"].as_u64(), Some(health));

    // Similar to openIMIS: other health and social protection systems.
    let id = anon.get("/api/v1/search?q=openimis").await.body["hits"][0]["id"].as_str().unwrap().to_string();
    let r = anon.get(&format!("/api/v1/records/{id}/similar?limit=10")).await;
    let similar: Vec<Value> = r.body["hits"].as_array().unwrap().clone();
    eprintln!("similar to openIMIS: {:#?}", similar.iter().map(|h| (&h["title"], &h["reasons"])).collect::<Vec<_>>());
    assert!(similar.iter().all(|h| h["reasons"].as_array().is_some_and(|r| !r.is_empty())));
    assert!(similar.iter().take(5).any(|h| h["reasons"].as_array().unwrap().iter().any(|r| r["code"] == "text")));

    // A draft that copies a registry entry is its likely duplicate.
    let xroad = anon.get("/api/v1/search?q=x-road").await.body["hits"][0].clone();
    let draft = json!({"title": "X-Road data exchange layer", "text": xroad["summary"]});
    let r = anon.post("/api/v1/duplicates", &draft).await;
    assert_eq!(r.body["duplicates"][0]["title"], "X-Road", "{}", r.text);
    assert_eq!(r.body["duplicates"][0]["likely"], true, "{}", r.text);

    // SDG suggestions for registry entries whose goals are known.
    for (name, goal) in [("AccessMod", 3), ("City Energy Analyst", 7), ("African Storybook", 4)] {
        let hit =
            anon.get(&format!("/api/v1/search?q=%22{}%22&kind=solution", name.replace(' ', "%20"))).await.body["hits"]
                [0]
            .clone();
        assert_eq!(hit["title"], name);
        let text = format!("{}. {}", name, hit["summary"].as_str().unwrap_or_default());
        let r = anon.post("/api/v1/classify/sdgs", &json!({"text": text})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["sdgs"][0]["goal"], goal, "{name}: {}", r.text);
    }
}

async fn sdg_suggestions_over_http(db: TestDb) {
    let app = TestApp::start(db).await;
    let anon = app.anonymous();
    let doc = anon.get("/api/v1/openapi.json").await.body;
    let r = anon
        .post("/api/v1/classify/sdgs", &json!({"text": "Boreholes and hand pumps bring safe drinking water to villages, and schools get latrines."}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let sdgs = r.body["sdgs"].as_array().unwrap();
    assert_eq!(sdgs.len(), 17);
    assert_eq!(keys(&sdgs[0]), schema_properties(&doc, "SdgScore"));
    assert_eq!(sdgs[0]["goal"], 6);
    assert_eq!(sdgs[0]["suggested"], true);
    assert_eq!(sdgs[0]["name"], "Clean water and sanitation");
    let scores: Vec<f64> = sdgs.iter().map(|s| s["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]) && scores.iter().all(|s| (0.0..=1.0).contains(s)));
    let r = anon.post("/api/v1/classify/sdgs", &json!({"text": "  ", "lang": "en"})).await;
    r.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(r.error_fields(), ["text", "lang"]);
    let r = anon.post("/api/v1/classify/sdgs", &json!({"text": "x".repeat(20_001)})).await;
    r.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(r.error_fields(), ["text"]);
}
