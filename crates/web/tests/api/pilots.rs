//! From a district's problem to an adopted practice, over HTTP: an official posts a challenge,
//! finds a proven practice among the ranked matches, both sides say they are interested, they
//! talk, agree a pilot, run it, evaluate it against its KPIs and adopt it. The practice shows
//! the new place and evidence; the challenge closes as solved; the pilot exports as OCDS and
//! validates against the official schema.

use banyan_domain::{OrgRole, OrganisationId, OrganisationInput, Role};
use banyan_store::Actor;
use banyan_testkit::{TestDb, backend_tests};
use banyan_web::WebConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{Browser, PASSWORD, Person, TestApp};

backend_tests!(
    a_challenge_goes_from_matches_to_an_adopted_practice,
    a_piloted_solution_becomes_a_practice_of_the_adopting_organisation,
    procurement_checklists_are_public_and_kept_by_curators,
    a_restricted_challenge_is_for_the_networks_members,
    the_pilot_on_the_pages_from_proposal_to_evaluation,
);

pub(crate) async fn org(app: &TestApp, name: &str, kind: &str) -> OrganisationId {
    app.db
        .store
        .create_organisation(
            OrganisationId::new(),
            OrganisationInput::from_json(&json!({"name": name, "type": kind})).unwrap(),
            &Actor::cli(),
        )
        .await
        .unwrap()
        .id
}

fn plan() -> Value {
    json!({
        "scope": "Land transfer applications online in two amphoe land offices, with help desks",
        "place": "TH-40",
        "starts_on": "2027-02-01",
        "ends_on": "2027-07-31",
        "budget": {"amount": 450000, "currency": "THB"},
        "kpis": [
            {"name": "Visits to the land office per transfer", "unit": "visits", "baseline": 5, "target": 2},
            {"name": "Transfers applied for online", "unit": "%", "baseline": 0, "target": 40}
        ],
        "responsibilities": [
            {"who": "Khon Kaen land office", "does": "staffs the help desks"},
            {"who": "Jessore district administration", "does": "shares the e-mutation process and trains staff"}
        ]
    })
}

/// Validates an OCDS release package against the official OCDS 1.1 schemas in
/// `../shared/data/schemas/ocds-1.1` with Python's `jsonschema` (Draft 4, formats checked),
/// the release schema's URL mapped to the local file so nothing is fetched. `Err` lists the
/// violations; `None` means the validator or the schemas are absent (skipped, or failed in CI).
pub(crate) fn validate_ocds(package: &Value) -> Option<Result<(), String>> {
    let Some(data) = banyan_testkit::shared_data() else {
        return banyan_testkit::skip("../shared/data is absent: the OCDS schemas are there");
    };
    let dir = data.join("schemas/ocds-1.1");
    let script = r#"
import json, sys
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
d = sys.argv[1]
release = json.load(open(d + "/release-schema.json"))
package = json.load(open(d + "/release-package-schema.json"))
registry = Registry().with_resources([
    (release["id"], Resource.from_contents(release, default_specification=DRAFT4)),
    (package["id"], Resource.from_contents(package, default_specification=DRAFT4)),
])
v = Draft4Validator(package, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER)
errors = sorted(v.iter_errors(json.load(sys.stdin)), key=lambda e: list(e.absolute_path))
for e in errors:
    print("/".join(str(p) for p in e.absolute_path), e.message)
sys.exit(1 if errors else 0)
"#;
    let mut child = match std::process::Command::new("python3")
        .args(["-c", script, dir.to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return banyan_testkit::skip(&format!("python3 cannot run: {e}")),
    };
    use std::io::Write;
    child.stdin.take().unwrap().write_all(package.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("ModuleNotFoundError") {
        return banyan_testkit::skip(&format!("Python's jsonschema is not installed: {stderr}"));
    }
    if out.status.success() {
        Some(Ok(()))
    } else {
        Some(Err(format!("{}{stderr}", String::from_utf8_lossy(&out.stdout))))
    }
}

/// The land office's challenge (restricted or not) and the startup's solution, with the
/// official and the provider as editors of each.
async fn challenge_and_solution(
    app: &TestApp,
    official: &Person,
    provider: &Person,
    restricted: bool,
) -> (String, String) {
    let land_office = org(app, "Khon Kaen Provincial Land Office", "government").await;
    let startup = org(app, "LandQ Co.", "startup").await;
    app.db.store.set_membership(land_office, official.id, Some(OrgRole::Editor), &Actor::cli()).await.unwrap();
    app.db.store.set_membership(startup, provider.id, Some(OrgRole::Owner), &Actor::cli()).await.unwrap();
    let challenge = app
        .create(&json!({"kind": "challenge", "title": "Land transfers take five visits", "lang": "en",
            "status": "published", "organisation": land_office, "sdgs": ["16.6"], "places": ["TH-40"],
            "details": {"problem": "Five visits to register a land transfer.", "restricted": restricted}}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let solution = app
        .create(&json!({"kind": "solution", "title": "LandQ: land transfers online", "lang": "en",
            "status": "published", "organisation": startup, "sdgs": ["16.6"], "places": ["TH"],
            "details": {"what_it_does": "Online land transfer applications, five visits down to one."}}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    (challenge, solution)
}

/// Both sides say they are interested; the conversation's API path.
async fn talk(app: &TestApp, official: &Person, provider: &Person, challenge: &str, solution: &str) -> String {
    let pair = json!({"challenge": challenge, "offer": solution});
    app.by(official).post("/api/v1/interests", &pair).await;
    let opened = app.by(provider).post("/api/v1/interests", &pair).await;
    opened.body["conversation"].as_str().expect("the conversation opens").to_string()
}

struct Cast {
    official: Person,
    provider: Person,
    stranger: Person,
    facilitator: Person,
    curator: Person,
}

async fn cast(app: &TestApp) -> Cast {
    Cast {
        official: app.person("official@landoffice.go.th.example", Role::Member).await,
        provider: app.person("dc@jessore.gov.bd.example", Role::Member).await,
        stranger: app.person("someone@example.org", Role::Member).await,
        facilitator: app.person("facilitator@network.example", Role::Curator).await,
        curator: app.person("curator@network.example", Role::Curator).await,
    }
}

async fn a_challenge_goes_from_matches_to_an_adopted_practice(db: TestDb) {
    let config = WebConfig { public_url: "https://banyan.example.gov".into(), ..WebConfig::default() };
    let app = TestApp::start_with(db, config).await.with_token(Role::Curator).await;
    let Cast { official, provider, stranger, facilitator, curator } = cast(&app).await;
    let land_office = org(&app, "Khon Kaen Provincial Land Office", "government").await;
    let district = org(&app, "Jessore District Administration", "government").await;
    app.db.store.set_membership(land_office, official.id, Some(OrgRole::Editor), &Actor::cli()).await.unwrap();
    app.db.store.set_membership(district, provider.id, Some(OrgRole::Editor), &Actor::cli()).await.unwrap();
    let practice = app
        .create(&json!({"kind": "practice", "title": "e-Mutation: land records changed online", "lang": "en",
            "status": "published", "organisation": district, "sdgs": ["16.6"], "sectors": ["01.3"],
            "places": ["BD-22"], "level_of_government": "local",
            "details": {"problem": "Citizens travelled to the land office five times to register a land transfer.",
                "solution": "Land transfer applications are made online and tracked by SMS.",
                "stage": "scaled", "evidence_level": 1}}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();

    // The official posts the challenge; curators publish it.
    let posted = app
        .by(&official)
        .post("/api/v1/records", &json!({"kind": "challenge", "lang": "en", "status": "submitted",
            "title": "Citizens visit the land office five times to register a land transfer",
            "organisation": land_office, "sdgs": ["16.6"], "sectors": ["01.3"], "places": ["TH-40"],
            "level_of_government": "local",
            "details": {"problem": "Registering a land transfer takes five visits to the land office and weeks of waiting.",
                "service": "Land transfer registration", "seeking": "both",
                "success_criteria": "Two visits at most; 40% of transfers applied for online."}}))
        .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.text);
    let challenge = posted.body["id"].as_str().unwrap().to_string();
    let record = format!("/api/v1/records/{challenge}/transitions");
    app.by(&curator).post(&record, &json!({"to": "in_review"})).await;
    let published = app.by(&curator).post(&record, &json!({"to": "published"})).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text);
    app.sync().await;

    // Ranked matches, with reasons in words.
    let matches = app.by(&official).get(&format!("/api/v1/challenges/{challenge}/matches")).await;
    let found = matches.body["matches"].as_array().unwrap().iter().find(|m| m["id"] == practice.as_str());
    let found = found.unwrap_or_else(|| panic!("the practice is a match: {}", matches.text));
    assert!(found["score"].as_f64().unwrap() > 0.0);
    let reasons = found["reasons"].to_string();
    assert!(reasons.contains("16.6") || reasons.contains("sector"), "reasons in words: {reasons}");

    // Both sides are interested; they talk; a curator is invited to facilitate.
    let pair = json!({"challenge": challenge, "offer": practice});
    app.by(&official).post("/api/v1/interests", &pair).await;
    let opened = app.by(&provider).post("/api/v1/interests", &pair).await;
    let conversation = opened.body["conversation"].as_str().expect("the conversation opens").to_string();
    let talk = format!("/api/v1/conversations/{conversation}");
    let invited = app.by(&official).post(&format!("{talk}/curators"), &json!({"user": facilitator.id})).await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.text);
    app.by(&official)
        .post(&format!("{talk}/messages"), &json!({"body": "Could we try e-mutation in Khon Kaen?"}))
        .await;
    // A mention tells the person mentioned as such; the others hear of a new message.
    let reply = json!({"body": "Yes: we can train your staff. @Facilitator, could you share the guide? cc @officialx"});
    app.by(&provider).post(&format!("{talk}/messages"), &reply).await;
    assert!(app.last_mail_to(&facilitator.email).await.subject.starts_with("You were mentioned"));
    let told = app.last_mail_to(&official.email).await.subject;
    assert!(told.starts_with("A new message"), "@officialx names nobody here: {told}");

    // A plan with a problem is refused by field; then the official proposes a pilot.
    let mut bad = plan();
    bad["ends_on"] = json!("2027-01-01");
    bad["kpis"][0]["target"] = json!(5);
    let refused = app.by(&official).post(&format!("{talk}/pilots"), &bad).await;
    refused.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(refused.error_fields(), ["ends_on", "kpis[0].target"]);
    app.by(&stranger).post(&format!("{talk}/pilots"), &plan()).await.assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.by(&facilitator)
        .post(&format!("{talk}/pilots"), &plan())
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let proposed = app.by(&official).post(&format!("{talk}/pilots"), &plan()).await;
    assert_eq!(proposed.status, StatusCode::CREATED, "{}", proposed.text);
    let id = proposed.body["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/pilots/{id}");
    assert_eq!(proposed.header("location"), Some(format!("https://banyan.example.gov{path}").as_str()));
    assert_eq!(proposed.body["status"], "proposed");
    assert_eq!(proposed.body["moves"], json!(["stopped"]), "the proposer waits for the other side");
    for who in [&provider.email, &facilitator.email] {
        assert!(app.last_mail_to(who).await.subject.starts_with("A pilot is proposed"), "{who} is told");
    }
    assert!(!app.last_mail_to(&official.email).await.subject.starts_with("A pilot is proposed"), "not the proposer");

    // The provider agrees to the version they read; agreeing to an older one is a conflict.
    let seen = app.by(&provider).get(&path).await;
    assert_eq!(seen.body["moves"], json!(["agreed", "stopped"]), "{}", seen.text);
    assert_eq!(seen.body["your_side"], "offer");
    let to = format!("{path}/transitions");
    app.by(&provider)
        .post(&to, &json!({"to": "agreed", "version": 0}))
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    app.by(&official)
        .post(&to, &json!({"to": "agreed", "version": 1}))
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    let agreed = app.by(&provider).post(&to, &json!({"to": "agreed", "version": 1})).await;
    assert_eq!(agreed.status, StatusCode::OK, "{}", agreed.text);
    app.by(&official)
        .post(&to, &json!({"to": "running", "version": 1}))
        .await
        .assert_problem(StatusCode::CONFLICT, "version-conflict");
    let c = app.get(&format!("/api/v1/records/{challenge}")).await;
    assert_eq!(c.body["details"]["state"], "piloting", "agreement starts the piloting: {}", c.text);
    // The plan is fixed now.
    let late = app.by(&official).put(&format!("{path}/plan"), &json!({"version": 2, "plan": plan()})).await;
    late.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");

    // Invited curators read but do not move; strangers and visitors learn nothing.
    let read = app.by(&facilitator).get(&path).await;
    assert_eq!((read.status, read.body["your_side"].as_str()), (StatusCode::OK, Some("curator")));
    assert_eq!(read.body["moves"], json!([]));
    app.by(&facilitator)
        .post(&to, &json!({"to": "running", "version": 2}))
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    for who in [&stranger, &curator] {
        app.by(who).get(&path).await.assert_problem(StatusCode::NOT_FOUND, "not-found");
        app.by(who).get(&format!("{path}/ocds")).await.assert_problem(StatusCode::NOT_FOUND, "not-found");
        assert_eq!(app.by(who).get("/api/v1/pilots").await.body["items"], json!([]));
    }
    app.nobody().get(&path).await.assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");

    // Run, then evaluate: every KPI needs a result.
    let running = app.by(&official).post(&to, &json!({"to": "running", "version": 2})).await;
    assert_eq!(running.body["status"], "running", "{}", running.text);
    let evaluation = json!({"summary": "Visits fell from five to two; a third of transfers were applied for online.",
        "evidence_level": 2});
    let half = app
        .by(&official)
        .post(&to, &json!({"to": "evaluated", "version": 3, "results": [2, null], "evaluation": evaluation}))
        .await;
    half.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(half.error_fields(), ["results[1]"]);
    let evaluated = app
        .by(&official)
        .post(&to, &json!({"to": "evaluated", "version": 3, "results": [2, 34], "evaluation": evaluation}))
        .await;
    assert_eq!(evaluated.status, StatusCode::OK, "{}", evaluated.text);
    let kpis = &evaluated.body["plan"]["kpis"];
    assert_eq!((kpis[0]["result"].as_f64(), kpis[0]["met"].as_bool()), (Some(2.0), Some(true)));
    assert_eq!((kpis[1]["met"].as_bool(), kpis[1]["progress_percent"].as_f64()), (Some(false), Some(85.0)));

    // Only the administration adopts; it records the award.
    app.by(&provider)
        .post(&to, &json!({"to": "adopted", "version": 4}))
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    let adopted = app
        .by(&official)
        .post(
            &to,
            &json!({"to": "adopted", "version": 4, "note": "Rolling out to all 26 amphoe.",
            "award": {"date": "2027-09-01", "value": {"amount": 2400000, "currency": "THB"}, "method": "limited",
                "contract_ends_on": "2028-08-31"}}),
        )
        .await;
    assert_eq!(adopted.status, StatusCode::OK, "{}", adopted.text);
    assert_eq!(adopted.body["practice_id"], practice.as_str(), "the piloted practice holds the evidence");
    assert_eq!(adopted.body["moves"], json!([]));
    let history: Vec<&str> =
        adopted.body["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(history, ["proposed", "agreed", "running", "evaluated", "adopted"]);
    assert_eq!(adopted.body["events"][4]["note"], "Rolling out to all 26 amphoe.");

    // The practice shows the new place and evidence; the challenge is closed as solved.
    let p = app.get(&format!("/api/v1/records/{practice}")).await;
    assert_eq!(p.body["places"], json!(["BD-22", "TH-40"]), "{}", p.text);
    assert_eq!(p.body["details"]["evidence_level"], 2);
    // The adoption counts in the practice's spread: the land office, in use in TH-40.
    let spread = app.nobody().get(&format!("/api/v1/records/{practice}/adoptions")).await;
    assert_eq!(spread.body["spread"]["places"], 1, "{}", spread.text);
    assert_eq!(spread.body["items"][0]["place"], "TH-40");
    assert_eq!(spread.body["items"][0]["status"], "in_use");
    let page = app.nobody().get(&format!("/records/{practice}")).await;
    assert!(
        page.text.contains("Visits to the land office per transfer"),
        "the pilot is linked from the practice: {}",
        page.text
    );
    assert!(page.text.contains(&format!("/pilots/{id}")) || page.text.contains("Khon Kaen"));
    let c = app.get(&format!("/api/v1/records/{challenge}")).await;
    assert_eq!(c.body["details"]["state"], "closed_solved", "{}", c.text);
    app.sync().await;
    let open = app.get(&format!("/api/v1/solutions/{practice}/matches")).await;
    assert!(!open.text.contains(&challenge), "a solved challenge is no longer matched");

    // The OCDS export, checked against the official schema.
    let ocds = app.by(&provider).get(&format!("{path}/ocds")).await;
    assert_eq!(ocds.status, StatusCode::OK, "{}", ocds.text);
    let release = &ocds.body["releases"][0];
    assert_eq!(release["ocid"], format!("ocds-000000-{id}"));
    assert_eq!(release["tag"], json!(["planning", "tender", "award", "contract"]));
    assert_eq!(release["awards"][0]["value"], json!({"amount": 2400000.0, "currency": "THB"}));
    assert_eq!(release["buyer"]["name"], "Khon Kaen Provincial Land Office");
    assert_eq!(release["planning"]["milestones"][0]["status"], "met");
    assert!(!ocds.text.contains(&official.email) && !ocds.text.contains(&provider.email), "no person is named");
    if let Some(result) = validate_ocds(&ocds.body) {
        result.expect("the OCDS export validates against the OCDS 1.1 release package schema");
    }
    // A proposal validates too, and a broken package does not (the check can fail).
    let mut broken = ocds.body.clone();
    broken["releases"][0]["tag"] = json!(["adopted"]);
    broken.as_object_mut().unwrap().remove("publisher");
    if let Some(result) = validate_ocds(&broken) {
        let errors = result.expect_err("a package without publisher and with a bad tag is invalid");
        assert!(errors.contains("publisher") && errors.contains("adopted"), "{errors}");
    }

    // Both sides list it on their dashboards.
    for who in [&official, &provider] {
        let list = app.by(who).get("/api/v1/pilots").await;
        assert_eq!(list.body["items"][0]["id"], id.as_str(), "{}", list.text);
        assert_eq!(list.body["items"][0]["status"], "adopted");
    }
}

async fn a_piloted_solution_becomes_a_practice_of_the_adopting_organisation(db: TestDb) {
    let app = TestApp::start(db).await.with_token(Role::Curator).await;
    let Cast { official, provider, .. } = cast(&app).await;
    let (challenge, solution) = challenge_and_solution(&app, &official, &provider, false).await;
    let talk = talk(&app, &official, &provider, &challenge, &solution).await;
    // A first pilot is agreed, then stopped: the challenge goes back to talking.
    let first = app.by(&official).post(&format!("/api/v1/conversations/{talk}/pilots"), &plan()).await;
    let first = format!("/api/v1/pilots/{}/transitions", first.body["id"].as_str().unwrap());
    app.by(&provider).post(&first, &json!({"to": "agreed", "version": 1})).await;
    let record = format!("/api/v1/records/{challenge}");
    assert_eq!(app.get(&record).await.body["details"]["state"], "piloting");
    let silent = app.by(&provider).post(&first, &json!({"to": "stopped", "version": 2})).await;
    silent.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(silent.error_fields(), ["note"]);
    let stopped =
        app.by(&provider).post(&first, &json!({"to": "stopped", "version": 2, "note": "Our team left."})).await;
    assert_eq!(stopped.body["status"], "stopped", "{}", stopped.text);
    assert_eq!(app.get(&record).await.body["details"]["state"], "in_conversation");
    assert!(app.last_mail_to(&official.email).await.body.contains("Our team left."), "the other side hears why");
    let proposed = app.by(&provider).post(&format!("/api/v1/conversations/{talk}/pilots"), &plan()).await;
    assert_eq!(proposed.status, StatusCode::CREATED, "{}", proposed.text);
    let path = format!("/api/v1/pilots/{}", proposed.body["id"].as_str().unwrap());
    // The official counter-proposes a shorter pilot; now the provider agrees.
    let mut shorter = plan();
    shorter["ends_on"] = json!("2027-05-31");
    let revised = app.by(&official).put(&format!("{path}/plan"), &json!({"version": 1, "plan": shorter})).await;
    assert_eq!(revised.status, StatusCode::OK, "{}", revised.text);
    assert_eq!(
        (revised.body["proposed_by"].as_str(), revised.body["plan"]["ends_on"].as_str()),
        (Some("challenge"), Some("2027-05-31"))
    );
    let stale = app.by(&official).put(&format!("{path}/plan"), &json!({"version": 1, "plan": plan()})).await;
    stale.assert_problem(StatusCode::CONFLICT, "version-conflict");
    let to = format!("{path}/transitions");
    for (who, body) in [
        (&provider, json!({"to": "agreed", "version": 2})),
        (&provider, json!({"to": "running", "version": 3})),
        (
            &provider,
            json!({"to": "evaluated", "version": 4, "results": [1, 55],
            "evaluation": {"summary": "One visit; 55% online.", "evidence_level": 3}}),
        ),
        (&official, json!({"to": "adopted", "version": 5})),
    ] {
        let r = app.by(who).post(&to, &body).await;
        assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.text);
    }
    let pilot = app.by(&official).get(&path).await;
    let practice = pilot.body["practice_id"].as_str().expect("a practice is made").to_string();
    let p = app.get(&format!("/api/v1/records/{practice}")).await;
    assert_eq!(p.body["kind"], "practice");
    assert_eq!(p.body["derived_from"], solution.as_str(), "linked to the solution, not copied from it");
    let adopter = app.get(&format!("/api/v1/records/{challenge}")).await.body["organisation"].clone();
    assert_eq!(p.body["organisation"], adopter, "the adopting organisation's practice");
    assert_eq!(p.body["places"], json!(["TH-40"]));
    assert_eq!(p.body["details"]["evidence_level"], 3);
    assert_eq!(p.body["status"], "submitted", "curators review it like any submission");
    let s = app.get(&format!("/api/v1/records/{solution}")).await;
    assert_eq!(s.body["version"], 1, "the solution itself is untouched");
}

async fn procurement_checklists_are_public_and_kept_by_curators(db: TestDb) {
    let app = TestApp::start(db).await;
    let member = app.person("member@example.org", Role::Member).await;
    let curator = app.person("curator@network.example", Role::Curator).await;
    let checklist = json!({
        "rules": "Public Procurement Act 2017: specific method below 500,000 baht; e-bidding above.",
        "steps": [
            {"title": "Write the terms of reference", "documents": ["Terms of reference", "Reference price"]},
            {"title": "Choose the method by value", "detail": "Check the thresholds of the year."}
        ],
        "source": {"url": "https://www.gprocurement.go.th/", "title": "Comptroller General's Department"}
    });
    app.nobody().get("/api/v1/procurement/TH").await.assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.by(&member).put("/api/v1/procurement/TH", &checklist).await.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let bad = app.by(&curator).put("/api/v1/procurement/TH", &json!({"steps": [{"documents": ["x"]}]})).await;
    bad.assert_problem(StatusCode::BAD_REQUEST, "invalid-input");
    assert_eq!(bad.error_fields(), ["rules", "steps[0].title"]);
    app.by(&curator).put("/api/v1/procurement/XX", &checklist).await.assert_problem(StatusCode::NOT_FOUND, "not-found");
    let saved = app.by(&curator).put("/api/v1/procurement/TH", &checklist).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
    assert_eq!(saved.body["version"], 1);
    let mut stale = checklist.clone();
    stale["version"] = json!(0);
    app.by(&curator)
        .put("/api/v1/procurement/TH", &stale)
        .await
        .assert_problem(StatusCode::CONFLICT, "version-conflict");
    let read = app.nobody().get("/api/v1/procurement/TH").await;
    assert_eq!(read.body["steps"][0]["documents"][1], "Reference price");
    assert_eq!(app.nobody().get("/api/v1/procurement").await.body["items"][0]["country"], "TH");
    let page = app.nobody().get("/procurement/TH").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Write the terms of reference"));
}

async fn a_restricted_challenge_is_for_the_networks_members(db: TestDb) {
    let app = TestApp::start(db).await.with_token(Role::Curator).await;
    let Cast { official, provider, stranger, .. } = cast(&app).await;
    let (id, solution) = challenge_and_solution(&app, &official, &provider, true).await;
    let record = app.get(&format!("/api/v1/records/{id}")).await;
    assert_eq!(record.body["details"]["restricted"], true, "{}", record.text);
    app.sync().await;
    let path = format!("/api/v1/records/{id}");
    // Visitors and people of no organisation do not see it, in any list or search.
    app.nobody().get(&path).await.assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.by(&stranger).get(&path).await.assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(app.nobody().get(&format!("/records/{id}")).await.status, StatusCode::NOT_FOUND);
    for who in [app.nobody(), app.by(&stranger)] {
        let list = who.get("/api/v1/records?kind=challenge").await;
        assert!(!list.text.contains(&id), "not listed: {}", list.text);
        let found = who.get("/api/v1/search?q=land+transfers").await;
        assert!(!found.text.contains(&id), "not searchable: {}", found.text);
    }
    assert!(
        !app.nobody().get("/api/v1/solutions/{s}/matches".replace("{s}", &solution).as_str()).await.text.contains(&id)
    );
    // Members of the network's organisations read it; its officials match it and say they are interested.
    let seen = app.by(&provider).get(&path).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text);
    let listed = app.by(&provider).get("/api/v1/records?kind=challenge").await;
    assert!(listed.text.contains(&id), "{}", listed.text);
    let matches = app.by(&official).get(&format!("/api/v1/challenges/{id}/matches")).await;
    assert!(matches.text.contains(&solution), "{}", matches.text);
    let pair = json!({"challenge": id, "offer": solution});
    assert_eq!(app.by(&official).post("/api/v1/interests", &pair).await.status, StatusCode::OK);
    let both = app.by(&provider).post("/api/v1/interests", &pair).await;
    assert!(both.body["conversation"].is_string(), "{}", both.text);
}

async fn the_pilot_on_the_pages_from_proposal_to_evaluation(db: TestDb) {
    let app = TestApp::start(db).await.with_token(Role::Curator).await;
    let Cast { official, provider, .. } = cast(&app).await;
    let (challenge, solution) = challenge_and_solution(&app, &official, &provider, false).await;
    let talk = talk(&app, &official, &provider, &challenge, &solution).await;
    app.db
        .store
        .put_checklist(
            banyan_domain::CountryCode::parse("TH").unwrap(),
            &serde_json::from_value(json!({"rules": "Public Procurement Act 2017",
                "steps": [{"title": "Write the terms of reference", "documents": ["Reference price worksheet"]}]}))
            .unwrap(),
            None,
            &Actor::cli(),
        )
        .await
        .unwrap();
    let browse = |email: String| {
        let app = &app;
        async move {
            let mut b = Browser::new(app);
            b.get("/login").await;
            b.submit("/login", &[("email", &email), ("password", PASSWORD)]).await;
            b
        }
    };
    let mut o = browse(official.email.clone()).await;
    let page = o.get(&format!("/conversations/{talk}")).await;
    assert!(page.text.contains("Propose a pilot"), "{}", page.text);

    // A KPI line without a target comes back with the message next to the field, nothing lost.
    let mut fields = vec![
        ("scope", "Online land transfers in two amphoe"),
        ("place", "TH-40"),
        ("starts_on", "2027-02-01"),
        ("ends_on", "2027-07-31"),
        ("budget_amount", "450000"),
        ("budget_currency", "thb"),
        ("kpis", "Visits per transfer | visits | 5"),
        ("responsibilities", "land office: staffs the help desks"),
    ];
    let refused = o.submit(&format!("/conversations/{talk}/pilots"), &fields).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.text.contains("id=\"e-kpis\""), "the error is by the KPI field: {}", refused.text);
    assert!(refused.text.contains("Online land transfers in two amphoe"), "what was typed is kept");
    fields[6] = ("kpis", "Visits per transfer | visits | 5 | 2\nApplied online | % | 0 | 40");
    let made = o.submit(&format!("/conversations/{talk}/pilots"), &fields).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text);
    let to = made.header("location").unwrap().to_string();
    let pilot_path = to.split('?').next().unwrap().to_string();
    let pilot_id = pilot_path.trim_start_matches("/pilots/").to_string();
    let page = o.get(&to).await;
    assert!(page.text.contains("Visits per transfer") && page.text.contains("Khon Kaen"), "{}", page.text);
    assert!(page.text.contains("Write the terms of reference"), "the country's procurement checklist is shown");
    assert!(!page.text.contains("Agree to this plan"), "the proposer waits");

    // The provider sees it waiting on their dashboard and agrees; either side starts it.
    let mut p = browse(provider.email.clone()).await;
    let dash = p.get("/my").await;
    assert!(dash.text.contains("Pilots waiting for you") && dash.text.contains(&pilot_path), "{}", dash.text);
    p.get(&pilot_path).await;
    let agreed = p.submit(&format!("{pilot_path}/move"), &[("to", "agreed"), ("version", "1")]).await;
    assert_eq!(agreed.status, StatusCode::SEE_OTHER, "{}", agreed.text);
    let stale = p.submit(&format!("{pilot_path}/move"), &[("to", "running"), ("version", "1")]).await;
    assert_eq!(stale.status, StatusCode::BAD_REQUEST);
    assert!(stale.text.contains("Someone changed this pilot meanwhile"), "{}", stale.text);
    p.submit(&format!("{pilot_path}/move"), &[("to", "running"), ("version", "2")]).await;

    // The evaluation form asks for each KPI's result.
    let page = o.get(&pilot_path).await;
    assert!(page.text.contains("Result for “Visits per transfer”"), "{}", page.text);
    let half = o
        .submit(
            &format!("{pilot_path}/move"),
            &[
                ("to", "evaluated"),
                ("version", "3"),
                ("result_0", "2"),
                ("summary", "Went well."),
                ("evidence_level", "2"),
            ],
        )
        .await;
    assert_eq!(half.status, StatusCode::BAD_REQUEST);
    assert!(half.text.contains("id=\"e-result_1\""), "{}", half.text);
    let done = o
        .submit(
            &format!("{pilot_path}/move"),
            &[
                ("to", "evaluated"),
                ("version", "3"),
                ("result_0", "2"),
                ("result_1", "45"),
                ("summary", "Went well."),
                ("evidence_level", "2"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    let pilot = app.by(&official).get(&format!("/api/v1/pilots/{pilot_id}")).await;
    assert_eq!(pilot.body["status"], "evaluated");
    assert_eq!(pilot.body["plan"]["budget"], json!({"amount": 450000.0, "currency": "THB"}));
    assert_eq!(pilot.body["plan"]["kpis"][1]["result"], 45.0);
    let dash = o.get("/my").await;
    assert!(
        dash.text.contains("My challenges") && dash.text.contains("Land transfers take five visits"),
        "{}",
        dash.text
    );
}
