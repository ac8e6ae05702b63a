//! From a match to a conversation, over HTTP: an official and a provider each say they are
//! interested, talk privately, invite a curator, and one declines. Strangers learn nothing.

use banyan_domain::{OrgRole, Role};
use banyan_store::Actor;
use banyan_testkit::{TestDb, backend_tests};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::pilots::org;
use crate::{Browser, PASSWORD, TestApp};

backend_tests!(
    an_official_and_a_provider_talk_after_both_say_they_are_interested,
    the_same_on_the_pages_from_the_match_to_the_conversation,
);

async fn an_official_and_a_provider_talk_after_both_say_they_are_interested(db: TestDb) {
    let app = TestApp::start(db).await.with_token(Role::Curator).await;
    let official = app.person("official@district.gov.example", Role::Member).await;
    let provider = app.person("founder@queuecare.example", Role::Member).await;
    let stranger = app.person("someone@example.org", Role::Member).await;
    let facilitator = app.person("facilitator@network.example", Role::Curator).await;
    let other_curator = app.person("curator@network.example", Role::Curator).await;
    let district = org(&app, "Khon Kaen Provincial Health Office", "government").await;
    let startup = org(&app, "QueueCare Co.", "startup").await;
    app.db.store.set_membership(district, official.id, Some(OrgRole::Editor), &Actor::cli()).await.unwrap();
    app.db.store.set_membership(startup, provider.id, Some(OrgRole::Owner), &Actor::cli()).await.unwrap();
    let challenge = app
        .create(
            &json!({"kind": "challenge", "title": "Patients queue from dawn at the outpatient department", "lang": "en",
            "status": "published", "organisation": district, "sdgs": ["3.8"], "sectors": ["07.3"], "places": ["TH-40"],
            "details": {"problem": "Patients queue from dawn for an outpatient slot.", "seeking": "solutions"}}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let solution = app
        .create(&json!({"kind": "solution", "title": "QueueCare: outpatient queues by SMS", "lang": "en",
            "status": "published", "organisation": startup, "sdgs": ["3.8"], "sectors": ["07.3"], "places": ["TH"],
            "details": {"what_it_does": "Patients take an outpatient queue number by SMS.", "availability": "open_to_pilots"}}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.sync().await;

    // The official sees the solution among the matches and says so.
    let matches = app.by(&official).get(&format!("/api/v1/challenges/{challenge}/matches")).await;
    assert!(
        matches.body["matches"].as_array().unwrap().iter().any(|m| m["id"] == solution.as_str()),
        "{}",
        matches.text
    );
    let pair = json!({"challenge": challenge, "offer": solution});
    let first = app.by(&official).post("/api/v1/interests", &pair).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body, json!({"sides": ["challenge"], "conversation": null}));
    // Someone of neither side cannot.
    app.by(&stranger).post("/api/v1/interests", &pair).await.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let bad = app.by(&official).post("/api/v1/interests", &json!({"challenge": solution, "offer": challenge})).await;
    bad.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(bad.error_fields(), ["challenge"]);

    // The provider too: the conversation opens and both sides hear of it.
    let second = app.by(&provider).post("/api/v1/interests", &pair).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.text);
    let id = second.body["conversation"].as_str().expect("the conversation opens").to_string();
    for who in [&official.email, &provider.email] {
        assert!(app.last_mail_to(who).await.subject.starts_with("A conversation is open"), "{who} is told");
    }
    // The challenge moved into conversation, in a revision of its own.
    let now = app.get(&format!("/api/v1/records/{challenge}")).await;
    assert_eq!(now.body["details"]["state"], "in_conversation", "{}", now.text);
    assert_eq!(now.body["version"], 2);
    let path = format!("/api/v1/conversations/{id}");

    // They talk; unread counts follow reading.
    let sent = app
        .by(&official)
        .post(&format!("{path}/messages"), &json!({"body": "Could you pilot in two hospitals from March?"}))
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text);
    assert_eq!(sent.body["side"], "challenge");
    assert!(app.last_mail_to(&provider.email).await.subject.starts_with("A new message"));
    let list = app.by(&provider).get("/api/v1/conversations").await;
    assert_eq!(list.body["items"][0]["unread"], 1, "{}", list.text);
    assert_eq!(list.body["items"][0]["your_side"], "offer");
    let read = app.by(&provider).get(&path).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["messages"][0]["body"], "Could you pilot in two hospitals from March?");
    assert_eq!(app.by(&provider).get("/api/v1/conversations").await.body["items"][0]["unread"], 0);
    app.by(&provider).post(&format!("{path}/messages"), &json!({"body": "Yes. Two weeks to set up."})).await;
    let empty = app.by(&provider).post(&format!("{path}/messages"), &json!({"body": "  "})).await;
    empty.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");

    // Strangers, other curators and visitors learn nothing.
    for p in [&stranger, &other_curator] {
        app.by(p).get(&path).await.assert_problem(StatusCode::NOT_FOUND, "not-found");
        app.by(p)
            .post(&format!("{path}/messages"), &json!({"body": "hi"}))
            .await
            .assert_problem(StatusCode::NOT_FOUND, "not-found");
        assert_eq!(app.by(p).get("/api/v1/conversations").await.body["items"], json!([]));
    }
    app.nobody().get(&path).await.assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");

    // A party invites a curator, who may then read and write, but not decline.
    let not_curator = app.by(&provider).post(&format!("{path}/curators"), &json!({"user": stranger.id})).await;
    not_curator.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    let invited = app.by(&provider).post(&format!("{path}/curators"), &json!({"user": facilitator.id})).await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.text);
    assert!(app.last_mail_to(&facilitator.email).await.subject.starts_with("You are invited"));
    let seen = app.by(&facilitator).get(&path).await;
    assert_eq!(seen.body["your_side"], "curator");
    assert_eq!(seen.body["messages"].as_array().unwrap().len(), 2);
    let note = app
        .by(&facilitator)
        .post(&format!("{path}/messages"), &json!({"body": "The province has a pilot fund."}))
        .await;
    assert_eq!(note.body["side"], "curator");
    app.by(&facilitator)
        .post(&format!("{path}/decline"), &json!({"reason": "no"}))
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");

    // One side declines with a reason; the other sees it, and the conversation takes no more.
    let declined = app
        .by(&official)
        .post(&format!("{path}/decline"), &json!({"reason": "The province chose an in-house system."}))
        .await;
    assert_eq!(declined.status, StatusCode::OK, "{}", declined.text);
    let theirs: Value = app.by(&provider).get(&path).await.body;
    assert_eq!(theirs["status"], "declined");
    assert_eq!(theirs["declined_by"], "challenge");
    assert_eq!(theirs["decline_reason"], "The province chose an in-house system.");
    let late = app.by(&provider).post(&format!("{path}/messages"), &json!({"body": "Pity."})).await;
    late.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(app.by(&official).get(&path).await.body["messages"].as_array().unwrap().len(), 3);
}

async fn the_same_on_the_pages_from_the_match_to_the_conversation(db: TestDb) {
    let app = TestApp::start(db).await.with_token(Role::Curator).await;
    let official = app.person("official@district.gov.example", Role::Member).await;
    let provider = app.person("founder@queuecare.example", Role::Member).await;
    app.person("someone@example.org", Role::Member).await;
    let district = org(&app, "Khon Kaen Provincial Health Office", "government").await;
    let startup = org(&app, "QueueCare Co.", "startup").await;
    app.db.store.set_membership(district, official.id, Some(OrgRole::Editor), &Actor::cli()).await.unwrap();
    app.db.store.set_membership(startup, provider.id, Some(OrgRole::Owner), &Actor::cli()).await.unwrap();
    let challenge = app
        .create(
            &json!({"kind": "challenge", "title": "Outpatient queues from dawn", "lang": "en", "status": "published",
            "organisation": district, "sdgs": ["3.8"], "sectors": ["07.3"],
            "details": {"problem": "Patients queue from dawn for an outpatient slot."}}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let solution = app
        .create(&json!({"kind": "solution", "title": "QueueCare", "lang": "en", "status": "published",
            "organisation": startup, "sdgs": ["3.8"], "sectors": ["07.3"],
            "details": {"what_it_does": "Outpatient queue numbers by SMS."}}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.sync().await;
    let signed_in = |email: &'static str| {
        let app = &app;
        async move {
            let mut b = Browser::new(app);
            b.get("/login").await;
            b.submit("/login", &[("email", email), ("password", PASSWORD)]).await;
            b
        }
    };

    // A visitor sees the matches but no button; the official sees the button.
    let visitor = app.send(reqwest::Method::GET, &format!("/records/{challenge}"), None, &[], None).await;
    assert!(visitor.text.contains("QueueCare") && !visitor.text.contains("We are interested"));
    let mut o = signed_in("official@district.gov.example").await;
    let page = o.get(&format!("/records/{challenge}")).await;
    assert!(page.text.contains("We are interested"), "{}", page.text);
    let r = o
        .submit(
            "/interests",
            &[("challenge", &challenge), ("offer", &solution), ("back", &format!("/records/{challenge}"))],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(r.header("location"), Some(format!("/records/{challenge}?done=interest").as_str()));

    // The provider, from the solution's page: the conversation opens.
    let mut p = signed_in("founder@queuecare.example").await;
    let page = p.get(&format!("/records/{solution}")).await;
    assert!(
        page.text.contains("Challenges this solution could meet") && page.text.contains("Outpatient queues from dawn")
    );
    let r = p.submit("/interests", &[("challenge", &challenge), ("offer", &solution)]).await;
    let to = r.header("location").unwrap().to_string();
    assert!(to.starts_with("/conversations/") && to.ends_with("?done=interest-both"), "{to}");
    let path = to.split('?').next().unwrap().to_string();
    p.get(&path).await;
    let r = p.submit(&format!("{path}/messages"), &[("body", "We can start in March.")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);

    // The official sees it unread in the list, then reads it.
    let list = o.get("/conversations").await;
    assert!(
        list.text.contains("1 unread") && list.text.contains("Outpatient queues from dawn ↔ QueueCare"),
        "{}",
        list.text
    );
    let read = o.get(&path).await;
    assert!(read.text.contains("We can start in March."));
    assert!(!o.get("/conversations").await.text.contains("unread"));

    // Someone else: not found.
    let mut s = signed_in("someone@example.org").await;
    assert_eq!(s.get(&path).await.status, StatusCode::NOT_FOUND);
    assert!(!s.get("/conversations").await.text.contains("QueueCare"));
}
