use banyan_domain::Role;
use banyan_testkit::{TestDb, backend_tests, fixtures};
use reqwest::StatusCode;

use crate::TestApp;

backend_tests!(health_metrics_and_vocabularies_answer);

async fn health_metrics_and_vocabularies_answer(db: TestDb) {
    let backend = db.backend();
    let app = TestApp::start(db).await.with_token(Role::Curator).await;
    app.create(&fixtures::practice("Counted")).await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body["status"], "ok");
    assert_eq!(health.body["backend"], backend);
    assert_eq!(health.body["last_change"], 1);

    app.get("/api/v1/records").await;
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(metrics.header("content-type").unwrap().starts_with("text/plain"));
    assert!(
        metrics.text.contains("banyan_http_requests_total{method=\"GET\",route=\"/api/v1/records\",status=\"200\"} 1"),
        "{}",
        metrics.text
    );
    assert!(metrics.text.contains("banyan_change_log_last_seq 1"));

    let sdg = app.get("/api/v1/vocabularies/sdg").await;
    assert_eq!(sdg.body["items"].as_array().unwrap().len(), 17 + 169);
    assert!(sdg.header("cache-control").unwrap().contains("max-age"));
    let bd = app.get("/api/v1/vocabularies/subdivisions?country=BD").await;
    assert!(bd.body["items"].as_array().unwrap().iter().any(|i| i["code"] == "BD-63" && i["name"] == "Tangail"));
    let names = app.get("/api/v1/vocabularies").await;
    assert!(names.body["items"].as_array().unwrap().len() >= 9);
    app.get("/api/v1/vocabularies/planets").await.assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.get("/api/v1/vocabularies/subdivisions?country=XX")
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "invalid-input");

    let doc = app.get("/api/v1/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(doc.body["paths"]["/api/v1/records/{id}"]["patch"].is_object());

    let home = app.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.text.contains("What worked elsewhere"), "the home page of the site");
    assert_eq!(home.header("x-content-type-options"), Some("nosniff"));
}

/// The OpenAPI document is a contract: a change to it shows up in review as a snapshot diff.
#[test]
fn openapi_document_snapshot() {
    let doc = serde_json::to_value(banyan_web::openapi()).unwrap();
    insta::assert_json_snapshot!("openapi", doc);
}
