//! The pages, used as a browser uses them: cookies, forms with their CSRF tokens, redirects.

use banyan_domain::Role;
use banyan_testkit::{TestDb, backend_tests};
use reqwest::StatusCode;

use crate::{Browser, PASSWORD, TestApp, link_token};

backend_tests!(
    a_person_signs_up_submits_an_idea_and_follows_it_on_the_dashboard,
    forms_refuse_requests_without_their_token_or_from_another_site,
    a_curator_reviews_from_the_pages,
    forms_keep_what_was_typed_and_say_what_is_wrong,
    is_your_idea_already_here,
);

async fn a_person_signs_up_submits_an_idea_and_follows_it_on_the_dashboard(db: TestDb) {
    let app = TestApp::start(db).await;
    let mut b = Browser::new(&app);
    let page = b.get("/signup").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(b.has_cookie("__Host-banyan_csrf"), "a form before signing in gets a CSRF cookie");
    let r =
        b.submit("/signup", &[("name", "Amina Rahman"), ("email", "amina@example.org"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("Check your e-mail"));

    // The link from the mail opens a page with a button; the button confirms.
    let token = link_token(&app.last_mail_to("amina@example.org").await.body, "/verify?token=");
    let confirm = b.get(&format!("/verify?token={token}")).await;
    assert!(confirm.text.contains("Confirm my address"));
    let done = b.submit("/verify", &[("token", &token)]).await;
    assert!(done.text.contains("Your address is confirmed"), "{}", done.text);

    // Signing in sets the session cookie and goes where the person was going.
    b.get("/login?next=/submit").await;
    let signed_in =
        b.submit("/login", &[("email", "amina@example.org"), ("password", PASSWORD), ("next", "/submit")]).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{}", signed_in.text);
    assert_eq!(signed_in.header("location"), Some("/submit?done=signed-in"));
    assert!(b.has_cookie("__Host-banyan_session"));
    let set = signed_in.headers.get("set-cookie").unwrap().to_str().unwrap();
    for attr in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(attr), "{set}");
    }

    let form = b.get("/submit").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text.contains("Amina Rahman"), "signed in: the header names the person");
    let suggested = b
        .submit(
            "/submit",
            &[
                ("title", "Shorter queues at the district hospital"),
                ("details.problem", "Patients wait all day."),
                ("action", "suggest"),
            ],
        )
        .await;
    assert_eq!(suggested.status, StatusCode::OK);
    assert!(suggested.text.contains("Suggested from your text: SDG 3"), "{}", suggested.text);
    assert!(suggested.text.contains("value=\"3\" checked"), "the suggestion is checked, to confirm");
    assert!(suggested.text.contains("Patients wait all day."), "what was typed stays");
    assert_eq!(app.db.count("records").await, 0, "a suggestion submits nothing");
    let submitted = b
        .submit(
            "/submit",
            &[
                ("title", "Birth certificates at the clinic"),
                ("details.problem", "Parents travel twice to register a birth."),
                ("details.idea", "Register births at the clinic where they happen."),
                ("places", "BD"),
                ("subdivision", "BD-63"),
                ("sdgs", "16"),
                ("sdgs", "3"),
                ("sectors", "01"),
                ("lang", "en"),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(submitted.status, StatusCode::SEE_OTHER, "{}", submitted.text);
    let dash = b.get("/my?done=submitted").await;
    assert!(dash.text.contains("Birth certificates at the clinic"), "{}", dash.text);
    assert!(dash.text.contains("Submitted"));
    assert!(dash.text.contains("with the curators"), "the notice for the code in the address");

    let listed = app.by(&app.login("amina@example.org", PASSWORD).await).get("/api/v1/me/dashboard").await;
    let record = &listed.body["records"][0];
    assert_eq!(record["status"], "submitted");

    // Withdraw from the dashboard, then sign out.
    let id = record["id"].as_str().unwrap().to_string();
    let moved = b.submit(&format!("/records/{id}/transition"), &[("to", "withdrawn")]).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.text);
    b.get("/my").await;
    let out = b.submit("/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(!b.has_cookie("__Host-banyan_session"));
    let after = b.get("/my").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "signed out: the dashboard sends to sign-in");
    assert_eq!(after.header("location"), Some("/login?next=%2Fmy"));
}

async fn forms_refuse_requests_without_their_token_or_from_another_site(db: TestDb) {
    let app = TestApp::start(db).await;
    app.person("amina@example.org", Role::Member).await;
    let mut b = Browser::new(&app);
    b.get("/login").await;
    // No token, a wrong token, no cookie: refused, and nobody is signed in.
    let none = b.post_raw("/login", &[("email", "amina@example.org"), ("password", PASSWORD)]).await;
    assert_eq!(none.status, StatusCode::FORBIDDEN);
    let wrong = b
        .post_raw("/login", &[("csrf", "not-the-token"), ("email", "amina@example.org"), ("password", PASSWORD)])
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let mut fresh = Browser::new(&app);
    let no_cookie =
        fresh.post_raw("/login", &[("csrf", &b.csrf), ("email", "amina@example.org"), ("password", PASSWORD)]).await;
    assert_eq!(no_cookie.status, StatusCode::FORBIDDEN, "a token without its cookie is refused (login CSRF)");
    assert!(!b.has_cookie("__Host-banyan_session"));

    // Signed in, a form from another site is refused even with the right token.
    let ok = b.submit("/login", &[("email", "amina@example.org"), ("password", PASSWORD)]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    b.get("/account").await;
    b.headers.push(("origin".into(), "https://evil.example".into()));
    let forged = b.submit("/account/name", &[("name", "Hacked")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    b.headers.clear();
    b.headers.push(("origin".into(), app.base.clone()));
    let mine = b.submit("/account/name", &[("name", "Amina R.")]).await;
    assert_eq!(mine.status, StatusCode::SEE_OTHER, "{}", mine.text);
    assert!(b.get("/account").await.text.contains("Amina R."));
    // The session's token replaced the pre-sign-in one: the old one no longer works.
    let stale = b.post_raw("/account/name", &[("csrf", "not-the-token"), ("name", "Hacked")]).await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN);
}

async fn a_curator_reviews_from_the_pages(db: TestDb) {
    let app = TestApp::start(db).await;
    app.person("curator@banyan.test", Role::Curator).await;
    let amina = app.person("amina@example.org", Role::Member).await;
    let idea = app
        .by(&amina)
        .post(
            "/api/v1/records",
            &serde_json::json!({"kind": "idea", "title": "Queue by SMS", "lang": "en", "status": "submitted",
            "details": {"problem": "Long queues.", "idea": "SMS tokens."}}),
        )
        .await;
    let id = idea.body["id"].as_str().unwrap().to_string();

    let mut c = Browser::new(&app);
    c.get("/login").await;
    c.submit("/login", &[("email", "curator@banyan.test"), ("password", PASSWORD)]).await;
    let queue = c.get("/review").await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.text);
    assert!(queue.text.contains("Queue by SMS"));
    let page = c.get(&format!("/review/{id}")).await;
    assert!(page.text.contains("Take into review"), "{}", page.text);
    assert!(page.text.contains("Publication checklist"));
    c.submit(&format!("/records/{id}/transition"), &[("to", "in_review")]).await;
    c.get(&format!("/review/{id}")).await;
    let asked = c
        .submit(&format!("/records/{id}/transition"), &[("to", "changes_requested"), ("comment", "Which clinics?")])
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.text);
    assert!(app.last_mail_to("amina@example.org").await.body.contains("Which clinics?"));

    // The member sees the question on the dashboard and answers from there.
    let mut m = Browser::new(&app);
    m.get("/login").await;
    m.submit("/login", &[("email", "amina@example.org"), ("password", PASSWORD)]).await;
    let dash = m.get("/my").await;
    assert!(dash.text.contains("Which clinics?"), "{}", dash.text);
    assert!(dash.text.contains("Submit for review"));
    m.submit(&format!("/records/{id}/comment"), &[("body", "The district hospitals.")]).await;
    let edit = m.get(&format!("/records/{id}/edit")).await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.text);
    assert!(edit.text.contains("SMS tokens."), "the form is filled in");
    let version = app.db.store.record(banyan_domain::RecordId::parse(&id).unwrap()).await.unwrap();
    let Some(banyan_store::RecordState::Live(r)) = version else { panic!() };
    let saved = m
        .submit(
            &format!("/records/{id}/edit"),
            &[
                ("version", &r.version.to_string()),
                ("title", "Queue by SMS at district hospitals"),
                ("lang", "en"),
                ("details.problem", "Long queues."),
                ("details.idea", "SMS tokens."),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    m.get("/my").await;
    m.submit(&format!("/records/{id}/transition"), &[("to", "submitted")]).await;
    let members_review = m.get("/review").await;
    assert_eq!(members_review.status, StatusCode::FORBIDDEN, "the queue is for curators");

    c.get(&format!("/review/{id}")).await;
    c.submit(&format!("/records/{id}/transition"), &[("to", "in_review")]).await;
    c.get(&format!("/review/{id}")).await;
    let published = c.submit(&format!("/records/{id}/transition"), &[("to", "published")]).await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.text);
    let public = app.nobody().get(&format!("/api/v1/records/{id}")).await;
    assert_eq!(public.status, StatusCode::OK);
    assert_eq!(public.body["title"], "Queue by SMS at district hospitals");

    // A report, from the pages, and its resolution.
    m.get("/my").await;
    let reported = m.submit(&format!("/records/{id}/report"), &[("reason", "Testing reports")]).await;
    assert_eq!(reported.status, StatusCode::OK, "{}", reported.text);
    let reports = c.get("/review/reports").await;
    assert!(reports.text.contains("Testing reports"));
    let report_id = app.db.store.reports(Some(banyan_store::ReportStatus::Open), 10).await.unwrap()[0].id;
    let hidden = c.submit(&format!("/review/reports/{report_id}"), &[("action", "hide"), ("note", "test")]).await;
    assert_eq!(hidden.status, StatusCode::SEE_OTHER);
    assert_eq!(app.nobody().get(&format!("/api/v1/records/{id}")).await.status, StatusCode::NOT_FOUND);
}

async fn forms_keep_what_was_typed_and_say_what_is_wrong(db: TestDb) {
    let app = TestApp::start(db).await;
    app.person("amina@example.org", Role::Member).await;
    let mut b = Browser::new(&app);
    b.get("/login").await;
    b.submit("/login", &[("email", "amina@example.org"), ("password", PASSWORD)]).await;
    b.get("/records/new").await;
    let r = b
        .submit(
            "/records/new",
            &[
                ("title", "Mobile land courts"),
                ("lang", "en"),
                ("places", "BD, XX"),
                ("sdgs", "16.6, 18"),
                ("details.problem", "Hearings take a day of travel."),
                ("details.solution", ""),
                ("details.tcv.before.visits", "5"),
                ("details.tcv.after.visits", "many"),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    for message in ["is not an ISO 3166-1", "is not an SDG goal", "This is needed.", "must be a whole number"] {
        assert!(r.text.contains(message), "{message} in the page");
    }
    assert!(r.text.contains("value=\"Mobile land courts\""), "what was typed stays");
    assert!(r.text.contains("Hearings take a day of travel."));
    assert!(r.text.contains("aria-invalid=\"true\""));
    assert_eq!(app.db.count("records").await, 0);
    // Escaping: what people type is shown as text, never run.
    let mut s = Browser::new(&app);
    s.get("/signup").await;
    let x = s
        .submit(
            "/signup",
            &[("name", "<script>alert(1)</script>"), ("email", "not an address"), ("password", PASSWORD)],
        )
        .await;
    assert!(x.text.contains("&lt;script&gt;"), "{}", x.text);
    assert!(!x.text.contains("<script>alert"));
}

async fn is_your_idea_already_here(db: TestDb) {
    banyan_import::demo::load(&*db.store, "https://banyan.test").await.unwrap();
    let app = TestApp::start(db).await;
    app.person("curator@banyan.test", Role::Curator).await;
    app.person("karim@example.org", Role::Member).await;
    let mut b = Browser::new(&app);
    b.get("/login").await;
    b.submit("/login", &[("email", "karim@example.org"), ("password", PASSWORD)]).await;
    b.get("/submit").await;
    let idea = [
        ("title", "Land mutation with a single visit"),
        ("details.problem", "Citizens visit the land office five times for one land mutation."),
        (
            "details.idea",
            "Take mutation applications online, give each case a tracking number, and let the citizen visit the land office once.",
        ),
        ("places", "BD"),
        ("lang", "en"),
        ("action", "submit"),
    ];
    let records = app.db.count("records").await;
    let asked = b.submit("/submit", &idea).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.text);
    assert!(asked.text.contains("Is your idea already here?"), "{}", asked.text);
    assert!(asked.text.contains("Land mutation in one visit"));
    assert!(asked.text.contains("Submit anyway"));
    assert!(asked.text.contains("a tracking number, and let the citizen"), "what was typed stays");
    assert_eq!(app.db.count("records").await, records, "nothing is submitted yet");
    let mut anyway = idea.to_vec();
    anyway.push(("duplicates_seen", "1"));
    let done = b.submit("/submit", &anyway).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    assert_eq!(app.db.count("records").await, records + 1);

    // Curators see the resemblance in the queue and on the review page, and merge with one click.
    let mut c = Browser::new(&app);
    c.get("/login").await;
    c.submit("/login", &[("email", "curator@banyan.test"), ("password", PASSWORD)]).await;
    let queue = c.get("/review").await;
    assert!(queue.text.contains("Possible duplicate of “Land mutation in one visit”"), "{}", queue.text);
    let mine = app.by(&app.login("karim@example.org", PASSWORD).await).get("/api/v1/me/dashboard").await;
    let id = mine.body["records"][0]["id"].as_str().unwrap().to_string();
    let page = c.get(&format!("/review/{id}")).await;
    assert!(page.text.contains("Possible duplicates"), "{}", page.text);
    assert!(page.text.contains("Merge into this one"));
    let survivor = app.anonymous().get("/api/v1/search?q=%22Land%20mutation%20in%20one%20visit%22").await.body["hits"]
        [0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(page.text.contains(&format!("name=\"into\" value=\"{survivor}\"")), "{}", page.text);
    let merged = c.submit(&format!("/review/{id}/merge"), &[("into", &survivor)]).await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.text);

    // Goals suggested by the classifier, checked for the person to confirm.
    b.get("/submit").await;
    let suggested = b
        .submit(
            "/submit",
            &[
                ("title", "Clean water points in every village"),
                ("details.problem", "Families walk hours to fetch water and children fall ill from unsafe wells."),
                (
                    "details.idea",
                    "Drill boreholes and train village committees to keep the hand pumps and latrines working.",
                ),
                ("action", "suggest"),
            ],
        )
        .await;
    assert!(suggested.text.contains("value=\"6\" checked"), "{}", suggested.text);
}
