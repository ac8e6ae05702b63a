//! Matching over HTTP on the demo content: a challenge's practices and solutions, ranked with
//! reasons; a solution's open challenges; who may ask.

use banyan_domain::Role;
use banyan_testkit::{TestDb, backend_tests};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::TestApp;

backend_tests!(
    a_challenge_gets_ranked_practices_and_solutions_with_reasons,
    matches_are_for_those_who_may_read_the_record
);

async fn demo(db: TestDb) -> TestApp {
    banyan_import::demo::load(&*db.store, "https://banyan.test").await.unwrap();
    let app = TestApp::start(db).await.with_token(Role::Curator).await;
    app.sync().await;
    app
}

fn titles(r: &Value) -> Vec<String> {
    r["matches"].as_array().unwrap().iter().map(|m| m["title"].as_str().unwrap().to_string()).collect()
}

async fn a_challenge_gets_ranked_practices_and_solutions_with_reasons(db: TestDb) {
    let app = demo(db).await;
    let challenge = app
        .create(&json!({
            "kind": "challenge", "title": "Patients queue from dawn at the district hospital outpatient department",
            "lang": "en", "status": "published", "sdgs": ["3.8"], "sectors": ["07.3"], "places": ["BD-63"],
            "level_of_government": "district",
            "details": {"problem": "Patients with chronic illness queue from before dawn for a check-up slot; many leave without being seen.",
                        "desired_outcomes": "Appointments booked ahead, shorter waiting times at the hospital.",
                        "seeking": "both",
                        "constraints": {"languages": ["bn"], "connectivity": "intermittent", "budget": {"max": 20000, "currency": "USD"}}},
        }))
        .await;
    app.sync().await;
    let id = challenge["id"].as_str().unwrap();
    let r = app.anonymous().get(&format!("/api/v1/challenges/{id}/matches")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let found = titles(&r.body);
    // The practice of booking clinic appointments ahead (written in Thai) comes first.
    assert_eq!(found[0], "นัดคิวโรงพยาบาลล่วงหน้าผ่านไลน์", "{found:?}");
    // QueueCare does the same job but speaks no Bengali and needs a connection: it is there,
    // marked, and lower.
    let queuecare = r.body["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["title"] == "QueueCare: clinic queues over SMS and LINE")
        .unwrap_or_else(|| panic!("QueueCare is a match: {found:?}"));
    let unmet: Vec<&str> = queuecare["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["code"] == "unmet")
        .map(|x| x["text"].as_str().unwrap())
        .collect();
    assert_eq!(unmet, ["not available in Bengali", "needs a connection; the challenge has poor connectivity"]);
    assert!(queuecare["parts"]["text"].as_f64().unwrap() > 0.5, "it is about the same thing");
    let scores: Vec<f64> = r.body["matches"].as_array().unwrap().iter().map(|m| m["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first: {scores:?}");
    assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)));
    let first = &r.body["matches"][0];
    let reasons: Vec<&str> = first["reasons"].as_array().unwrap().iter().map(|x| x["text"].as_str().unwrap()).collect();
    assert!(reasons.iter().any(|x| x.starts_with("SDG 3")), "{reasons:?}");
    assert!(reasons.iter().any(|x| x.starts_with("same sector")), "{reasons:?}");
    for part in ["text", "sdg", "sector", "place", "level", "maturity", "constraints", "availability"] {
        assert!(first["parts"][part].is_number(), "{part}");
    }
    assert_eq!(r.body["weights"]["text"], 0.36, "weights as written in docs/matching.md");
    // Scores have three decimals, not an f32's binary tail.
    assert!(scores.iter().all(|s| ((s * 1000.0).round() / 1000.0 - s).abs() < 1e-12), "{scores:?}");
    // Only practices and solutions, and not the challenge itself.
    assert!(r.body["matches"].as_array().unwrap().iter().all(|m| m["kind"] == "practice" || m["kind"] == "solution"));

    // From the solution's side, the challenge is among its matches.
    let queuecare = app.anonymous().get("/api/v1/search?q=QueueCare&kind=solution").await.body["hits"][0]["id"].clone();
    let back = app.anonymous().get(&format!("/api/v1/solutions/{}/matches", queuecare.as_str().unwrap())).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text);
    assert!(titles(&back.body).iter().any(|t| t.starts_with("Patients queue from dawn")), "{:?}", titles(&back.body));
    assert!(back.body["matches"].as_array().unwrap().iter().all(|m| m["kind"] == "challenge"));
    // Once the challenge is closed, solutions are no longer offered it.
    let version = app.get(&format!("/api/v1/records/{id}")).await.body["version"].clone();
    let closed = app
        .patch(&format!("/api/v1/records/{id}"), &json!({"version": version, "details": {"state": "closed_solved"}}))
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.text);
    app.sync().await;
    let after = app.anonymous().get(&format!("/api/v1/solutions/{}/matches", queuecare.as_str().unwrap())).await;
    assert!(
        !titles(&after.body).iter().any(|t| t.starts_with("Patients queue from dawn")),
        "{:?}",
        titles(&after.body)
    );
    let bad = app
        .patch(
            &format!("/api/v1/records/{id}"),
            &json!({"version": closed.body["version"], "details": {"state": "finished"}}),
        )
        .await;
    bad.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(bad.error_fields(), ["details.state"]);

    // Wrong kinds and bad limits are refused.
    app.anonymous()
        .get(&format!("/api/v1/solutions/{id}/matches"))
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    let bad = app.anonymous().get(&format!("/api/v1/challenges/{id}/matches?limit=0")).await;
    bad.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(bad.error_fields(), ["limit"]);
    let three = app.anonymous().get(&format!("/api/v1/challenges/{id}/matches?limit=3")).await;
    assert_eq!(three.body["matches"].as_array().unwrap().len(), 3);
}

async fn matches_are_for_those_who_may_read_the_record(db: TestDb) {
    let app = demo(db).await;
    let owner = app.person("officer@district.gov.example", Role::Member).await;
    let draft = app
        .by(&owner)
        .post(
            "/api/v1/records",
            &json!({"kind": "challenge", "title": "Long pharmacy queues", "lang": "en", "status": "draft",
                    "details": {"problem": "Patients wait hours for medicines."}}),
        )
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.text);
    let path = format!("/api/v1/challenges/{}/matches", draft.body["id"].as_str().unwrap());
    app.anonymous().get(&path).await.assert_problem(StatusCode::NOT_FOUND, "not-found");
    let stranger = app.person("someone@example.org", Role::Member).await;
    app.by(&stranger).get(&path).await.assert_problem(StatusCode::NOT_FOUND, "not-found");
    let mine = app.by(&owner).get(&path).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
    // A draft's matches are public records only.
    assert!(mine.body["matches"].as_array().unwrap().iter().all(|m| m["kind"] != "challenge"));
    assert!(!mine.body["matches"].as_array().unwrap().is_empty(), "pharmacy queues match clinic queue records");
}
