use banyan_domain::Role;
use banyan_testkit::{TestDb, backend_tests, fixtures};
use reqwest::StatusCode;
use serde_json::json;

use crate::TestApp;

backend_tests!(organisations_are_created_listed_and_linked, bad_organisations_are_refused);

async fn organisations_are_created_listed_and_linked(db: TestDb) {
    let app = TestApp::start(db).await.with_token(Role::Admin).await;
    let created = app
        .post("/api/v1/organisations", &json!({"name": "Tangail District Administration", "type": "government", "level_of_government": "district", "country": "BD"}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(created.body["type"], "government");
    assert_eq!(app.anonymous().get(&format!("/api/v1/organisations/{id}")).await.body, created.body);

    let mut record = fixtures::practice("Linked");
    record["organisation"] = json!(id);
    let r = app.create(&record).await;
    assert_eq!(r["organisation"], id.as_str());
    let of_org = app.anonymous().get(&format!("/api/v1/records?organisation={id}")).await;
    assert_eq!(of_org.body["total"], 1);

    app.post("/api/v1/organisations", &json!({"name": "QueueCare", "type": "startup", "country": "TH"})).await;
    let list = app.anonymous().get("/api/v1/organisations?country=TH").await;
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["name"], "QueueCare");
    let all = app.anonymous().get("/api/v1/organisations?limit=1").await;
    assert_eq!(all.body["total"], 2);
    assert!(all.body["next_cursor"].is_string());

    let changed = app
        .patch(
            &format!("/api/v1/organisations/{id}"),
            &json!({"version": 1, "website": "https://tangail.example.gov.bd"}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    assert_eq!(changed.body["version"], 2);
    assert_eq!(changed.body["name"], "Tangail District Administration");
}

async fn bad_organisations_are_refused(db: TestDb) {
    let app = TestApp::start(db).await.with_token(Role::Admin).await;
    let r = app
        .post("/api/v1/organisations", &json!({"type": "startup", "country": "XX", "level_of_government": "district"}))
        .await;
    r.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(r.error_fields(), ["name", "level_of_government", "country"]);
    let ok = app
        .post("/api/v1/organisations", &json!({"name": "Ministry of Health", "type": "government", "country": "BD"}))
        .await;
    assert_eq!(ok.status, StatusCode::CREATED);
    let dup = app
        .post("/api/v1/organisations", &json!({"name": "ministry of health", "type": "government", "country": "BD"}))
        .await;
    dup.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(dup.error_fields(), ["name"]);
    let anon = app.anonymous().post("/api/v1/organisations", &json!({"name": "X", "type": "ngo"})).await;
    anon.assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    assert_eq!(app.db.count("organisations").await, 1);
}
