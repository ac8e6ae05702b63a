use banyan_domain::Role;
use banyan_testkit::{TestDb, backend_tests, fixtures};
use reqwest::{Method, StatusCode};

use crate::TestApp;

backend_tests!(health_metrics_and_vocabularies_answer, reads_wait_their_turn_and_writes_and_the_health_check_do_not);

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
    assert!(metrics.text.contains("banyan_reads_waiting 0"), "{}", metrics.text);
    assert!(metrics.text.contains("\nbanyan_search_counts_kept_bytes "), "{}", metrics.text);

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

/// With every turn taken, a read waits at the door and is answered 503 once its wait is over,
/// while the health check and a write go through; once a turn is free, reads are answered again.
async fn reads_wait_their_turn_and_writes_and_the_health_check_do_not(db: TestDb) {
    let config = banyan_web::WebConfig {
        public_url: String::new(),
        admission: banyan_web::admission::AdmissionLimits { concurrent: 1, wait: std::time::Duration::from_secs(1) },
        ..banyan_web::WebConfig::default()
    };
    let app = TestApp::start_with(db, config).await.with_token(Role::Curator).await;
    let id = app.create(&fixtures::practice("Admitted")).await["id"].as_str().unwrap().to_string();
    assert_eq!(app.get(&format!("/api/v1/records/{id}")).await.status, StatusCode::OK);

    let only_turn = app.state.admission.turn().await.unwrap();
    let started = std::time::Instant::now();
    let busy = app.get(&format!("/api/v1/records/{id}")).await;
    busy.assert_problem(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    assert_eq!(busy.header("retry-after"), Some("5"));
    assert!(started.elapsed() >= std::time::Duration::from_secs(1), "it waited for its turn first");
    let page = app.request(Method::GET, &format!("/records/{id}"), None, &[("accept", "text/html")]).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "a page too");
    assert!(page.header("content-type").unwrap().starts_with("text/html"), "a page for a browser");
    assert!(page.text.contains("waited 1 s for its turn"), "{}", page.text);
    assert_eq!(page.header("retry-after"), Some("5"));
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    assert_eq!(app.get("/assets/site.css").await.status, StatusCode::OK);
    let written = app.create(&fixtures::practice("Written while reads wait")).await["id"].as_str().unwrap().to_string();

    // A read that arrives while the turn is taken goes in as soon as it is given back.
    let path = format!("/api/v1/records/{written}");
    let waiting = app.get(&path);
    let give_back = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        // The metrics (which never wait) show the read waiting.
        let metrics = app.get("/metrics").await;
        drop(only_turn);
        metrics
    };
    let (answer, metrics) = tokio::join!(waiting, give_back);
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.body["title"], "Written while reads wait");
    assert!(metrics.text.contains("banyan_reads_waiting 1"), "{}", metrics.text);
    assert!(app.get("/metrics").await.text.contains("banyan_reads_waiting 0"));
}

/// The OpenAPI document is a contract: a change to it shows up in review as a snapshot diff.
#[test]
fn openapi_document_snapshot() {
    let doc = serde_json::to_value(banyan_web::openapi()).unwrap();
    insta::assert_json_snapshot!("openapi", doc);
}
