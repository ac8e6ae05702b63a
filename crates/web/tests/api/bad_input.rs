//! Every kind of bad input gets a 4xx that names what is wrong, and writes nothing.

use banyan_domain::Role;
use banyan_testkit::{TestDb, backend_tests, fixtures};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::TestApp;

backend_tests!(
    bad_records_are_refused_by_field_and_nothing_is_written,
    malformed_oversized_and_mistyped_bodies_are_refused,
    writes_need_a_valid_token,
    stale_or_missing_versions_are_refused,
    envelope_fields_cannot_be_changed,
    bad_query_parameters_are_named,
    unknown_addresses_and_ids_are_problems,
);

async fn counts(app: &TestApp) -> (i64, i64, i64) {
    (app.db.count("records").await, app.db.count("revisions").await, app.db.count("change_log").await)
}

async fn bad_records_are_refused_by_field_and_nothing_is_written(db: TestDb) {
    let app = TestApp::start(db).await.with_token(Role::Curator).await;
    let before = counts(&app).await;
    let cases = [
        (json!({"sdgs": ["18"]}), vec!["sdgs[0]"]),
        (json!({"places": ["XX"]}), vec!["places[0]"]),
        (json!({"sectors": ["7"], "level_of_government": "galactic"}), vec!["sectors[0]", "level_of_government"]),
        (json!({"title": "x".repeat(201)}), vec!["title"]),
        (json!({"summary": "y".repeat(501)}), vec!["summary"]),
        (json!({"colour": "green"}), vec!["colour"]),
        (json!({"title": 42, "sdgs": "16.6", "hidden": "no"}), vec!["title", "sdgs", "hidden"]),
        (
            json!({"details": {"tcv": {"before": {"visits": -1}, "after": {"visits": 1}}}}),
            vec!["details.tcv.before.visits"],
        ),
        (
            json!({"details": {"evidence_level": 6, "stage": "done", "links": ["ftp://x"]}}),
            vec!["details.stage", "details.evidence_level", "details.links[0]"],
        ),
        (json!({"lang": "english"}), vec!["lang"]),
        (json!({"id": "0190a000-0000-7000-8000-000000000000", "version": 3}), vec!["id", "version"]),
        (json!({"organisation": "0190a000-0000-7000-8000-000000000000"}), vec!["organisation"]),
        (json!({"themes": ["a, b"], "license": "not a licence!"}), vec!["themes[0]", "license"]),
    ];
    for (change, fields) in cases {
        let mut record = fixtures::practice("Bad");
        for (k, v) in change.as_object().unwrap() {
            if k == "details" {
                for (dk, dv) in v.as_object().unwrap() {
                    record["details"][dk] = dv.clone();
                }
            } else {
                record[k] = v.clone();
            }
        }
        let r = app.post("/api/v1/records", &record).await;
        r.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
        let mut got = r.error_fields();
        got.sort();
        let mut want = fields.clone();
        want.sort();
        assert_eq!(got, want, "for {change}: {}", r.text);
        for e in r.body["errors"].as_array().unwrap() {
            assert!(!e["message"].as_str().unwrap().is_empty());
            assert!(e["pointer"].as_str().unwrap().starts_with('/'));
        }
    }
    assert_eq!(counts(&app).await, before, "nothing was written");
}

async fn malformed_oversized_and_mistyped_bodies_are_refused(db: TestDb) {
    let app = TestApp::start(db).await.with_token(Role::Curator).await;
    let token = app.token.clone();
    let before = counts(&app).await;
    let send = |ct: &'static str, body: Vec<u8>| {
        let app = &app;
        let token = token.clone();
        async move { app.send(Method::POST, "/api/v1/records", Some((ct, body)), &[], token.as_deref()).await }
    };
    let malformed = send("application/json", b"{\"kind\": \"practice\",".to_vec()).await;
    malformed.assert_problem(StatusCode::BAD_REQUEST, "malformed-json");
    assert!(malformed.body["detail"].as_str().unwrap().contains("line 1"));
    send("text/plain", b"{}".to_vec())
        .await
        .assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
    let mut big = fixtures::practice("Big");
    big["details"]["results"] = json!("z".repeat(70 * 1024));
    send("application/json", big.to_string().into_bytes())
        .await
        .assert_problem(StatusCode::PAYLOAD_TOO_LARGE, "too-large");
    send("application/json", b"[1, 2, 3]".to_vec()).await.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    send("application/json", b"\"just a string\"".to_vec())
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    send("application/json", deep.into_bytes()).await.assert_problem(StatusCode::BAD_REQUEST, "malformed-json");
    send("application/json", vec![0xff, 0xfe, 0x00]).await.assert_problem(StatusCode::BAD_REQUEST, "malformed-json");
    assert_eq!(counts(&app).await, before);
}

async fn writes_need_a_valid_token(db: TestDb) {
    let app = TestApp::start(db).await;
    let r = app.anonymous().post("/api/v1/records", &fixtures::practice("Anonymous")).await;
    r.assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    assert_eq!(r.header("www-authenticate"), Some("Bearer realm=\"banyan\""));
    let forged = app
        .send(Method::POST, "/api/v1/records", Some(("application/json", b"{}".to_vec())), &[], Some("banyan_forged"))
        .await;
    forged.assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    let secret = app.make_token(Role::Curator).await;
    let tokens = app.db.store.list_tokens(None).await.unwrap();
    app.db.store.revoke_token(tokens[0].id, &banyan_store::Actor::cli()).await.unwrap();
    let revoked = app.send(Method::GET, "/api/v1/records", None, &[], Some(&secret)).await;
    revoked.assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    let basic = app.send(Method::GET, "/api/v1/records", None, &[("authorization", "Basic dXNlcjpwdw==")], None).await;
    basic.assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    assert_eq!(app.db.count("records").await, 0);
}

async fn stale_or_missing_versions_are_refused(db: TestDb) {
    let app = TestApp::start(db).await.with_token(Role::Curator).await;
    let r = app.create(&fixtures::practice("Versioned")).await;
    let path = format!("/api/v1/records/{}", r["id"].as_str().unwrap());
    assert_eq!(app.patch(&path, &json!({"version": 1, "title": "First edit"})).await.status, StatusCode::OK);
    let stale = app.patch(&path, &json!({"version": 1, "title": "Lost update"})).await;
    stale.assert_problem(StatusCode::CONFLICT, "version-conflict");
    assert_eq!(stale.body["current_version"], 2);
    app.patch(&path, &json!({"title": "No version"}))
        .await
        .assert_problem(StatusCode::PRECONDITION_REQUIRED, "version-required");
    let disagree =
        app.request(Method::PATCH, &path, Some(&json!({"version": 2, "title": "x"})), &[("if-match", "\"v1\"")]).await;
    disagree.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    let stale_delete = app.request(Method::DELETE, &path, None, &[("if-match", "\"v1\"")]).await;
    stale_delete.assert_problem(StatusCode::CONFLICT, "version-conflict");
    let read = app.get(&path).await;
    assert_eq!(read.body["title"], "First edit");
    assert_eq!(read.body["version"], 2);
}

async fn envelope_fields_cannot_be_changed(db: TestDb) {
    let app = TestApp::start(db).await.with_token(Role::Curator).await;
    let r = app.create(&fixtures::practice("Envelope")).await;
    let path = format!("/api/v1/records/{}", r["id"].as_str().unwrap());
    let changed = app
        .patch(&path, &json!({"version": 1, "id": "0190a000-0000-7000-8000-000000000000", "uri": "https://x.org/1"}))
        .await;
    changed.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(changed.error_fields(), ["id", "uri"]);
    let kind = app.patch(&path, &json!({"version": 1, "kind": "idea"})).await;
    assert_eq!(kind.error_fields(), ["kind"]);
    let bad = app.patch(&path, &json!({"version": 1, "sdgs": ["99"], "details": {"colour": 1}})).await;
    assert_eq!(bad.error_fields(), ["sdgs[0]", "details.colour"]);
    // Sending back what was read is fine: unchanged envelope fields are accepted.
    let mut whole = r.clone();
    whole["title"] = json!("Round trip");
    let ok = app.patch(&path, &whole).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert_eq!(app.get(&path).await.body["version"], 2);
}

async fn bad_query_parameters_are_named(db: TestDb) {
    let app = TestApp::start(db).await;
    let r = app.get("/api/v1/records?sdg=18&country=XX&kind=poem&limit=1000&contry=BD").await;
    r.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    let mut fields = r.error_fields();
    fields.sort();
    assert_eq!(fields, ["contry", "country", "kind", "limit", "sdg"]);
    app.get("/api/v1/records?cursor=nonsense").await.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    app.get("/api/v1/records?kind=idea&kind=practice").await.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(app.get("/api/v1/records?kind=&sdg=").await.status, StatusCode::OK, "empty parameters mean no filter");
}

async fn unknown_addresses_and_ids_are_problems(db: TestDb) {
    let app = TestApp::start(db).await.with_token(Role::Curator).await;
    app.get("/api/v1/records/not-a-uuid").await.assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.get("/api/v1/records/0190a000-0000-7000-8000-000000000000")
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.get("/api/v1/nothing-here").await.assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.request(Method::PUT, "/api/v1/records", None, &[])
        .await
        .assert_problem(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed");
    let patch_missing = app.patch("/api/v1/records/0190a000-0000-7000-8000-000000000000", &json!({"version": 1})).await;
    patch_missing.assert_problem(StatusCode::NOT_FOUND, "not-found");
}
