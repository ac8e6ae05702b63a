//! The whole story of an idea, through HTTP: someone signs up, submits an idea, a curator asks
//! for changes, the submitter edits and resubmits, the curator publishes, someone reports it,
//! a curator hides it, and it is gone from every public surface.

use banyan_domain::Role;
use banyan_testkit::{TestDb, backend_tests};
use reqwest::StatusCode;
use serde_json::json;

use crate::TestApp;

backend_tests!(an_idea_from_sign_up_to_publication_and_removal, a_curator_promotes_and_merges);

async fn an_idea_from_sign_up_to_publication_and_removal(db: TestDb) {
    let app = TestApp::start(db).await;
    let curator = app.person("curator@banyan.test", Role::Curator).await;

    // Sign up, confirm the address with the link from the outbox, sign in.
    let amina = app.signup("amina@example.org").await;
    let verify_mail = app.last_mail_to("amina@example.org").await;
    assert!(verify_mail.subject.contains("Confirm"), "{}", verify_mail.subject);

    // Submit an idea.
    let idea = json!({
        "kind": "idea", "title": "Land records by post", "lang": "en", "status": "submitted",
        "places": ["BD-63"], "sdgs": ["16.6"],
        "details": {"problem": "Citizens travel to collect the paper record.", "idea": "Post it."}
    });
    let created = app.by(&amina).post("/api/v1/records", &idea).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/records/{id}");
    assert_eq!(created.body["status"], "submitted");
    assert_eq!(created.body["owner"], amina.id.to_string());
    assert_eq!(app.nobody().get(&path).await.status, StatusCode::NOT_FOUND, "not public yet");

    // The curator finds it in the queue, takes it into review and asks for changes.
    let queue = app.by(&curator).get("/api/v1/review/queue").await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.text);
    assert!(queue.body["items"].as_array().unwrap().iter().any(|r| r["id"] == id.as_str()));
    let t = app.by(&curator).post(&format!("{path}/transitions"), &json!({"to": "in_review"})).await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.text);
    let no_comment = app.by(&curator).post(&format!("{path}/transitions"), &json!({"to": "changes_requested"})).await;
    assert_eq!(no_comment.status, StatusCode::BAD_REQUEST, "asking for changes needs a comment");
    let ask = "Please add the cost figures.";
    let t = app
        .by(&curator)
        .post(&format!("{path}/transitions"), &json!({"to": "changes_requested", "comment": ask}))
        .await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.text);

    // The submitter sees it by mail and on their dashboard.
    let mail = app.last_mail_to("amina@example.org").await;
    assert!(mail.subject.contains("needs changes"), "{}", mail.subject);
    assert!(mail.body.contains(ask));
    let dash = app.by(&amina).get("/api/v1/me/dashboard").await;
    let mine = &dash.body["records"][0];
    assert_eq!(mine["status"], "changes_requested");
    assert!(mine["history"].as_array().unwrap().iter().any(|h| h["comment"] == ask), "{}", dash.text);
    assert!(mine["comments"].as_array().unwrap().iter().any(|c| c["body"] == ask));

    // The submitter may not publish, edits, and resubmits.
    let publish = app.by(&amina).post(&format!("{path}/transitions"), &json!({"to": "published"})).await;
    assert_eq!(publish.status, StatusCode::BAD_REQUEST, "{}", publish.text);
    let status = app.by(&amina).patch(&path, &json!({"version": 3, "status": "published"})).await;
    assert_eq!(status.status, StatusCode::BAD_REQUEST, "status changes through transitions only: {}", status.text);
    let edit = app
        .by(&amina)
        .patch(&path, &json!({"version": 3, "details": {"expected_benefit": "About BDT 800 saved per applicant."}}))
        .await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.text);
    let reply = app.by(&amina).post(&format!("{path}/comments"), &json!({"body": "Added the figures."})).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let t = app.by(&amina).post(&format!("{path}/transitions"), &json!({"to": "submitted"})).await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.text);

    // The curator publishes; now everyone sees it, without the owner.
    app.by(&curator).post(&format!("{path}/transitions"), &json!({"to": "in_review"})).await;
    let t = app.by(&curator).post(&format!("{path}/transitions"), &json!({"to": "published"})).await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.text);
    assert!(app.last_mail_to("amina@example.org").await.subject.contains("is published"));
    let public = app.nobody().get(&path).await;
    assert_eq!(public.status, StatusCode::OK);
    assert_eq!(public.body["details"]["expected_benefit"], "About BDT 800 saved per applicant.");
    assert!(public.body["owner"].is_null(), "who wrote it is not public");
    assert_eq!(app.nobody().get("/api/v1/records?kind=idea").await.body["total"], 1);

    // Someone reports it; a curator hides it.
    let bob = app.signup("bob@example.org").await;
    let report =
        app.by(&bob).post("/api/v1/reports", &json!({"record": id, "reason": "This copies my own submission."})).await;
    assert_eq!(report.status, StatusCode::CREATED, "{}", report.text);
    let open = app.by(&curator).get("/api/v1/reports?status=open").await;
    assert_eq!(open.body["items"].as_array().unwrap().len(), 1);
    let report_id = report.body["id"].as_str().unwrap();
    let resolved = app
        .by(&curator)
        .post(&format!("/api/v1/reports/{report_id}/resolve"), &json!({"action": "hide", "note": "Duplicate"}))
        .await;
    assert_eq!(resolved.status, StatusCode::OK, "{}", resolved.text);
    assert_eq!(resolved.body["status"], "upheld");

    // Gone from every public surface: the record, lists, revisions, exports.
    assert_eq!(app.nobody().get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.nobody().get(&format!("{path}/revisions")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.nobody().get("/api/v1/records").await.body["total"], 0);
    assert_eq!(app.by(&bob).get(&path).await.status, StatusCode::NOT_FOUND, "nor for other members");
    assert_eq!(app.by(&amina).get(&path).await.status, StatusCode::NOT_FOUND, "nor for its owner, while hidden");
    assert_eq!(app.by(&amina).get("/api/v1/records").await.body["total"], 0);
    let mut export = Vec::new();
    banyan_import::export::jsonl(app.db.store.as_ref(), &mut export, Default::default(), &banyan_import::Quiet)
        .await
        .unwrap();
    assert!(!String::from_utf8(export).unwrap().contains("Land records by post"));
    // Curators still see it, and may restore it.
    assert_eq!(app.by(&curator).get(&path).await.status, StatusCode::OK);
    let restored = app
        .by(&curator)
        .put(&format!("{path}/hidden"), &json!({"hidden": false, "reason": "Not a duplicate after all"}))
        .await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.text);
    assert_eq!(app.nobody().get(&path).await.status, StatusCode::OK);
}

async fn a_curator_promotes_and_merges(db: TestDb) {
    let app = TestApp::start(db).await;
    let curator = app.person("curator@banyan.test", Role::Curator).await;
    let amina = app.person("amina@example.org", Role::Member).await;
    let idea = app
        .by(&amina)
        .post("/api/v1/records", &json!({"kind": "idea", "title": "Queue tokens by SMS", "lang": "en", "status": "submitted",
            "details": {"problem": "Patients queue from dawn.", "idea": "SMS tokens.", "expected_benefit": "Shorter waits."}}))
        .await;
    let idea_id = idea.body["id"].as_str().unwrap().to_string();
    let promoted =
        app.by(&curator).post(&format!("/api/v1/records/{idea_id}/promote"), &json!({"to": "practice"})).await;
    assert_eq!(promoted.status, StatusCode::CREATED, "{}", promoted.text);
    assert_eq!(promoted.body["kind"], "practice");
    assert_eq!(promoted.body["derived_from"], idea_id.as_str());
    assert_eq!(promoted.body["owner"], amina.id.to_string(), "the idea's author owns what grew from it");
    assert_eq!(promoted.body["details"]["solution"], "SMS tokens.");
    assert_eq!(promoted.body["status"], "in_review");
    let bad = app.by(&curator).post(&format!("/api/v1/records/{idea_id}/promote"), &json!({"to": "resource"})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let dup = app
        .by(&amina)
        .post(
            "/api/v1/records",
            &json!({"kind": "idea", "title": "SMS queue tokens", "lang": "en", "status": "submitted"}),
        )
        .await;
    let dup_id = dup.body["id"].as_str().unwrap().to_string();
    let merged = app.by(&curator).post(&format!("/api/v1/records/{dup_id}/merge"), &json!({"into": idea_id})).await;
    assert_eq!(merged.status, StatusCode::OK, "{}", merged.text);
    let gone = app.by(&curator).get(&format!("/api/v1/records/{dup_id}")).await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert_eq!(gone.body["tombstone"]["merged_into"], idea_id.as_str(), "the tombstone points to the survivor");
    let into_itself =
        app.by(&curator).post(&format!("/api/v1/records/{idea_id}/merge"), &json!({"into": idea_id})).await;
    assert_eq!(into_itself.status, StatusCode::BAD_REQUEST);
    let member_merge = app.by(&amina).post(&format!("/api/v1/records/{idea_id}/merge"), &json!({"into": dup_id})).await;
    assert_eq!(member_merge.status, StatusCode::FORBIDDEN);
}
