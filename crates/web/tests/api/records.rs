use banyan_domain::Role;
use banyan_testkit::{TestDb, backend_tests, fixtures};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::TestApp;

backend_tests!(
    a_curator_creates_reads_changes_and_deletes_a_record,
    the_public_sees_published_records_without_personal_data,
    conditional_reads_answer_304,
    lists_filter_count_and_page,
    revisions_shown_to_the_public_are_the_published_ones,
);

async fn a_curator_creates_reads_changes_and_deletes_a_record(db: TestDb) {
    let app = TestApp::start(db).await.with_token(Role::Curator).await;
    let created = app.post("/api/v1/records", &fixtures::practice("Land services in one visit")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(created.header("location"), Some(format!("{}/api/v1/records/{id}", app.base).as_str()));
    assert_eq!(created.header("etag"), Some("\"v1\""));
    for field in [
        "id",
        "kind",
        "slug",
        "uri",
        "title",
        "summary",
        "lang",
        "translations",
        "sdgs",
        "sectors",
        "places",
        "level_of_government",
        "innovation_types",
        "facets",
        "themes",
        "status",
        "details",
        "organisation",
        "license",
        "source",
        "origin",
        "version",
        "created_at",
        "updated_at",
    ] {
        assert!(created.body.get(field).is_some(), "record JSON has {field}");
    }
    assert_eq!(created.body["slug"], "land-services-in-one-visit");
    assert_eq!(created.body["uri"], format!("{}/records/{id}", app.base));
    assert_eq!(created.body["origin"], "local");

    let read = app.get(&format!("/api/v1/records/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body, created.body);

    let changed = app
        .patch(
            &format!("/api/v1/records/{id}"),
            &json!({"version": 1, "title": "One-visit land services", "details": {"stage": "scaled"}}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    assert_eq!(changed.body["version"], 2);
    assert_eq!(changed.body["title"], "One-visit land services");
    assert_eq!(changed.body["details"]["stage"], "scaled");
    assert_eq!(
        changed.body["details"]["problem"], created.body["details"]["problem"],
        "a merge patch keeps what it does not name"
    );
    assert_eq!(changed.body["slug"], "land-services-in-one-visit", "the slug stays");

    // If-Match works as well as a version in the body; null clears a field.
    let cleared = app
        .request(
            Method::PATCH,
            &format!("/api/v1/records/{id}"),
            Some(&json!({"summary": null})),
            &[("if-match", "\"v2\"")],
        )
        .await;
    assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.text);
    assert!(cleared.body["summary"].is_null());

    let revisions = app.get(&format!("/api/v1/records/{id}/revisions")).await;
    let versions: Vec<i64> =
        revisions.body["items"].as_array().unwrap().iter().map(|r| r["version"].as_i64().unwrap()).collect();
    assert_eq!(versions, [3, 2, 1]);
    assert_eq!(revisions.body["items"][2]["record"]["title"], "Land services in one visit");
    assert!(revisions.body["items"][0]["actor"].as_str().unwrap().contains("tests"));

    let deleted = app.request(Method::DELETE, &format!("/api/v1/records/{id}"), None, &[("if-match", "\"v3\"")]).await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.text);
    assert_eq!(deleted.body["version"], 4);
    let gone = app.get(&format!("/api/v1/records/{id}")).await;
    gone.assert_problem(StatusCode::GONE, "gone");
    assert_eq!(gone.body["tombstone"]["id"], id.as_str());
    app.delete(&format!("/api/v1/records/{id}")).await.assert_problem(StatusCode::GONE, "gone");
    let list = app.get("/api/v1/records").await;
    assert_eq!(list.body["total"], 0);
}

async fn the_public_sees_published_records_without_personal_data(db: TestDb) {
    let app = TestApp::start(db).await.with_token(Role::Admin).await;
    let published = app.create(&fixtures::practice("Published")).await;
    let mut draft = fixtures::practice("Draft");
    draft["status"] = json!("draft");
    let draft = app.create(&draft).await;
    assert_eq!(published["details"]["contact"]["email"], "officer@example.gov.bd", "staff see the contact");

    let public = app.anonymous();
    let read = public.get(&format!("/api/v1/records/{}", published["id"].as_str().unwrap())).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(read.body["details"]["contact"].is_null(), "no personal data for the public: {}", read.text);
    assert!(!read.text.contains("officer@example.gov.bd"));
    assert_eq!(read.header("etag"), Some("\"v1-public\""));

    let hidden = public.get(&format!("/api/v1/records/{}", draft["id"].as_str().unwrap())).await;
    hidden.assert_problem(StatusCode::NOT_FOUND, "not-found");
    let list = public.get("/api/v1/records").await;
    assert_eq!(list.body["total"], 1);
    assert!(!list.text.contains("officer@example.gov.bd"));
    let staff_list = app.get("/api/v1/records").await;
    assert_eq!(staff_list.body["total"], 2);
}

async fn conditional_reads_answer_304(db: TestDb) {
    let app = TestApp::start(db).await.with_token(Role::Curator).await;
    let r = app.create(&fixtures::practice("Cached")).await;
    let path = format!("/api/v1/records/{}", r["id"].as_str().unwrap());
    let fresh = app.request(Method::GET, &path, None, &[("if-none-match", "\"v1\"")]).await;
    assert_eq!(fresh.status, StatusCode::NOT_MODIFIED);
    let stale = app.request(Method::GET, &path, None, &[("if-none-match", "\"v0\"")]).await;
    assert_eq!(stale.status, StatusCode::OK);
}

async fn lists_filter_count_and_page(db: TestDb) {
    let app = TestApp::start(db).await.with_token(Role::Curator).await;
    for (title, places, sdgs) in [
        ("A", json!(["BD-13"]), json!(["16.6"])),
        ("B", json!(["TH"]), json!(["3.8"])),
        ("C", json!(["TH"]), json!(["3"])),
    ] {
        let mut r = fixtures::practice(title);
        r["places"] = places;
        r["sdgs"] = sdgs;
        app.create(&r).await;
    }
    let mut solution = fixtures::of_kind(banyan_domain::Kind::Solution, "Queue app");
    solution["status"] = json!("published");
    solution["places"] = json!(["TH"]);
    app.create(&solution).await;

    let public = app.anonymous();
    let by = |q: &str| format!("/api/v1/records?{q}");
    assert_eq!(public.get(&by("country=BD")).await.body["total"], 1);
    assert_eq!(public.get(&by("country=TH&kind=practice")).await.body["total"], 2);
    assert_eq!(public.get(&by("sdg=3")).await.body["total"], 2);
    assert_eq!(public.get(&by("kind=solution")).await.body["total"], 1);
    assert_eq!(public.get(&by("sector=01")).await.body["total"], 3);

    let first = public.get(&by("limit=3")).await;
    assert_eq!(first.body["total"], 4);
    assert_eq!(first.body["items"].as_array().unwrap().len(), 3);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_string();
    let second = public.get(&by(&format!("limit=3&cursor={cursor}"))).await;
    assert_eq!(second.body["items"].as_array().unwrap().len(), 1);
    assert!(second.body["next_cursor"].is_null());
    assert_eq!(second.body["items"][0]["title"], "A", "newest first, so the first written is last");
}

async fn revisions_shown_to_the_public_are_the_published_ones(db: TestDb) {
    let app = TestApp::start(db).await.with_token(Role::Curator).await;
    let mut r = fixtures::practice("Secret draft title");
    r["status"] = json!("draft");
    let r = app.create(&r).await;
    let id = r["id"].as_str().unwrap();
    let published = app
        .patch(&format!("/api/v1/records/{id}"), &json!({"version": 1, "status": "published", "title": "Public title"}))
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text);
    let public = app.anonymous().get(&format!("/api/v1/records/{id}/revisions")).await;
    assert_eq!(public.status, StatusCode::OK);
    let items = public.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "the draft version stays private: {}", public.text);
    assert!(items[0]["actor"].is_null(), "authors are not shown to the public");
    assert!(!public.text.contains("Secret draft title"));
    assert_eq!(app.get(&format!("/api/v1/records/{id}/revisions")).await.body["items"].as_array().unwrap().len(), 2);
}
