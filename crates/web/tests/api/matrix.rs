//! The permission matrix: every route, for every kind of caller, and for record routes every
//! kind of record, with the status it must answer. A route the application serves that is not in
//! the matrix fails the test, and so does a matrix entry for a route that does not exist.

use std::collections::BTreeSet;

use banyan_domain::record::InputMode;
use banyan_domain::{OrgRole, OrganisationId, OrganisationInput, RecordId, RecordInput, Role, UserId};
use banyan_store::{Actor, NewRecord};
use banyan_testkit::{TestDb, backend_tests};
use banyan_web::WebConfig;
use banyan_web::rate::{Limit, Limits};
use reqwest::Method;
use serde_json::{Value, json};

use crate::{PASSWORD, Person, TestApp};

backend_tests!(every_route_answers_every_caller_as_the_matrix_says);

/// Callers, in the order of every row: anonymous, a member with no relation to the records, an
/// editor of the records' organisation, the records' owner, a curator, an admin.
const CALLERS: [&str; 6] = ["anonymous", "member", "org editor", "owner", "curator", "admin"];
/// Records, in the order of every record row: the owner's draft, the owner's published record,
/// a published record that a moderator hid, and someone else's draft.
const TARGETS: [&str; 4] = ["own draft", "published", "hidden", "other's draft"];

type Row = [u16; 6];

#[derive(Clone, Copy)]
enum Expect {
    /// One status per caller.
    All(Row),
    /// One status per caller and record.
    Records([[u16; 4]; 6]),
}

#[derive(Clone, Copy)]
struct Case {
    method: &'static str,
    path: &'static str,
    expect: Expect,
    /// Whether a success changes the record, so that each check needs fresh ones.
    mutates: bool,
    /// A page: called as a browser calls it, with a session cookie and the CSRF token, and a
    /// form body.
    page: bool,
}

const fn all(method: &'static str, path: &'static str, row: Row) -> Case {
    Case { method, path, expect: Expect::All(row), mutates: false, page: false }
}
const fn rec(method: &'static str, path: &'static str, rows: [[u16; 4]; 6], mutates: bool) -> Case {
    Case { method, path, expect: Expect::Records(rows), mutates, page: false }
}
const fn page(method: &'static str, path: &'static str, row: Row) -> Case {
    Case { method, path, expect: Expect::All(row), mutates: false, page: true }
}
const fn page_rec(method: &'static str, path: &'static str, rows: [[u16; 4]; 6], mutates: bool) -> Case {
    Case { method, path, expect: Expect::Records(rows), mutates, page: true }
}

/// Pages answer "sign in first" with a redirect to the sign-in page.
const SIGN_IN_FIRST: Row = [303, 200, 200, 200, 200, 200];
const CURATOR_PAGES: Row = [303, 403, 403, 403, 200, 200];
const CURATOR_FORMS: Row = [303, 403, 403, 403, 303, 303];
const PAGE_CURATOR_ACTION: [[u16; 4]; 6] = [[303; 4], [403; 4], [403; 4], [403; 4], [303; 4], [303; 4]];

const OK: Row = [200; 6];
const SIGNED_IN: Row = [401, 200, 200, 200, 200, 200];
const CURATORS: Row = [401, 403, 403, 403, 200, 200];
const ADMINS: Row = [401, 403, 403, 403, 403, 200];
const READ: [[u16; 4]; 6] =
    [[404, 200, 404, 404], [404, 200, 404, 404], [200, 200, 404, 404], [200, 200, 404, 404], [200; 4], [200; 4]];
const CURATOR_ACTION: [[u16; 4]; 6] = [[401; 4], [403; 4], [403; 4], [403; 4], [200; 4], [200; 4]];

const MATRIX: &[Case] = &[
    // Records
    all("GET", "/api/v1/records", OK),
    all("POST", "/api/v1/records", [401, 201, 201, 201, 201, 201]),
    rec("GET", "/api/v1/records/{id}", READ, false),
    rec("GET", "/api/v1/records/{id}/revisions", READ, false),
    rec(
        "PATCH",
        "/api/v1/records/{id}",
        [[401; 4], [404, 403, 404, 404], [200, 200, 404, 404], [200, 200, 404, 404], [200; 4], [200; 4]],
        true,
    ),
    rec(
        "DELETE",
        "/api/v1/records/{id}",
        [[401; 4], [404, 403, 404, 404], [200, 403, 404, 404], [200, 403, 404, 404], [200; 4], [200; 4]],
        true,
    ),
    // Workflow
    rec(
        "POST",
        "/api/v1/records/{id}/transitions",
        [
            [401; 4],
            [404, 403, 404, 404],
            [200, 403, 404, 404],
            [200, 403, 404, 404],
            [403, 200, 200, 403],
            [403, 200, 200, 403],
        ],
        true,
    ),
    rec(
        "GET",
        "/api/v1/records/{id}/comments",
        [[401; 4], [404, 403, 404, 404], [200, 200, 404, 404], [200, 200, 404, 404], [200; 4], [200; 4]],
        false,
    ),
    rec(
        "POST",
        "/api/v1/records/{id}/comments",
        [[401; 4], [404, 403, 404, 404], [201, 201, 404, 404], [201, 201, 404, 404], [201; 4], [201; 4]],
        false,
    ),
    rec("POST", "/api/v1/records/{id}/merge", CURATOR_ACTION, true),
    rec("POST", "/api/v1/records/{id}/promote", [[401; 4], [403; 4], [403; 4], [403; 4], [201; 4], [201; 4]], false),
    all("GET", "/api/v1/review/queue", CURATORS),
    // Moderation
    rec(
        "POST",
        "/api/v1/reports",
        [[401; 4], [404, 201, 404, 404], [201, 201, 404, 404], [201, 201, 404, 404], [201; 4], [201; 4]],
        false,
    ),
    all("GET", "/api/v1/reports", CURATORS),
    all("POST", "/api/v1/reports/{report}/resolve", CURATORS),
    rec("PUT", "/api/v1/records/{id}/hidden", CURATOR_ACTION, true),
    all("PUT", "/api/v1/comments/{comment}/hidden", CURATORS),
    // Accounts
    all("POST", "/api/v1/auth/register", [202; 6]),
    all("POST", "/api/v1/auth/verify", [400; 6]),
    all("POST", "/api/v1/auth/login", [401; 6]),
    all("POST", "/api/v1/auth/logout", [401, 204, 204, 204, 204, 204]),
    all("POST", "/api/v1/auth/reset", [202; 6]),
    all("POST", "/api/v1/auth/reset/confirm", [400; 6]),
    all("POST", "/api/v1/auth/email/confirm", [400; 6]),
    all("GET", "/api/v1/me", SIGNED_IN),
    all("PATCH", "/api/v1/me", SIGNED_IN),
    all("DELETE", "/api/v1/me", [401, 400, 400, 400, 400, 400]),
    all("POST", "/api/v1/me/password", [401, 400, 400, 400, 400, 400]),
    all("POST", "/api/v1/me/email", [401, 400, 400, 400, 400, 400]),
    all("GET", "/api/v1/me/export", SIGNED_IN),
    all("GET", "/api/v1/me/dashboard", SIGNED_IN),
    all("GET", "/api/v1/me/tokens", SIGNED_IN),
    all("POST", "/api/v1/me/tokens", [401, 201, 201, 201, 201, 201]),
    all("DELETE", "/api/v1/me/tokens/{token}", [401, 404, 404, 404, 404, 404]),
    // People
    all("GET", "/api/v1/users", CURATORS),
    all("PATCH", "/api/v1/users/{user}", CURATORS),
    all("GET", "/api/v1/admin/outbox", ADMINS),
    // Organisations
    all("GET", "/api/v1/organisations", OK),
    all("POST", "/api/v1/organisations", [401, 201, 201, 201, 201, 201]),
    all("GET", "/api/v1/organisations/{org}", OK),
    all("PATCH", "/api/v1/organisations/{org}", [401, 403, 200, 403, 200, 200]),
    all("GET", "/api/v1/organisations/{org}/members", [401, 403, 200, 403, 200, 200]),
    all("PUT", "/api/v1/organisations/{org}/members/{member}", [401, 403, 403, 403, 403, 204]),
    all("DELETE", "/api/v1/organisations/{org}/members/{member}", [401, 403, 403, 403, 403, 204]),
    all("POST", "/api/v1/organisations/{org}/invitations", [401, 403, 403, 403, 403, 202]),
    all("POST", "/api/v1/invitations/accept", [401, 400, 400, 400, 400, 400]),
    // Search: public things only, for everyone
    all("GET", "/api/v1/search", OK),
    all("GET", "/api/v1/suggest", OK),
    rec("GET", "/api/v1/records/{id}/similar", READ, false),
    all("POST", "/api/v1/duplicates", OK),
    all("POST", "/api/v1/classify/sdgs", OK),
    // Matching: the records are of other kinds, so every caller is told there is no such
    // challenge or solution; who may see a challenge's matches is tested in matching.rs.
    rec("GET", "/api/v1/challenges/{id}/matches", [[404; 4]; 6], false),
    rec("GET", "/api/v1/solutions/{id}/matches", [[404; 4]; 6], false),
    // Conversations: who takes part is tested in conversations.rs; here, that strangers learn
    // nothing (a conversation that is not theirs does not exist) and empty bodies are refused.
    all("POST", "/api/v1/interests", [401, 400, 400, 400, 400, 400]),
    all("GET", "/api/v1/conversations", SIGNED_IN),
    all("GET", "/api/v1/conversations/{conversation}", [401, 404, 404, 404, 404, 404]),
    all("POST", "/api/v1/conversations/{conversation}/messages", [401, 404, 404, 404, 404, 404]),
    all("POST", "/api/v1/conversations/{conversation}/decline", [401, 404, 404, 404, 404, 404]),
    all("POST", "/api/v1/conversations/{conversation}/curators", [401, 404, 404, 404, 404, 404]),
    // Pilots: the same (parties are tested in pilots.rs). Procurement checklists are public and
    // kept by curators; the country in the paths has none until the PUT below writes it.
    all("POST", "/api/v1/conversations/{conversation}/pilots", [401, 404, 404, 404, 404, 404]),
    all("GET", "/api/v1/pilots", SIGNED_IN),
    all("GET", "/api/v1/pilots/{pilot}", [401, 404, 404, 404, 404, 404]),
    all("GET", "/api/v1/pilots/{pilot}/ocds", [401, 404, 404, 404, 404, 404]),
    all("PUT", "/api/v1/pilots/{pilot}/plan", [401, 404, 404, 404, 404, 404]),
    all("POST", "/api/v1/pilots/{pilot}/transitions", [401, 404, 404, 404, 404, 404]),
    all("GET", "/api/v1/procurement", OK),
    all("GET", "/api/v1/procurement/{country}", [404; 6]),
    all("PUT", "/api/v1/procurement/{country}", CURATORS),
    // Impact: adoptions and services of a published practice of the organisation, recorded by
    // its editors, its owner and curators; exchange rates kept by admins; the rest public.
    all("GET", "/api/v1/records/{practice}/adoptions", OK),
    all("POST", "/api/v1/records/{practice}/adoptions", [401, 403, 201, 201, 201, 201]),
    all("GET", "/api/v1/adoptions/{adoption}", OK),
    all("PUT", "/api/v1/adoptions/{adoption}", [401, 403, 200, 200, 200, 200]),
    all("GET", "/api/v1/records/{practice}/services", OK),
    all("POST", "/api/v1/services", [401, 403, 201, 201, 201, 201]),
    all("GET", "/api/v1/services/{service}", OK),
    all("PUT", "/api/v1/services/{service}", [401, 403, 200, 200, 200, 200]),
    all("GET", "/api/v1/rates", OK),
    all("PUT", "/api/v1/rates", ADMINS),
    all("GET", "/api/v1/dashboard", OK),
    all("GET", "/api/v1/exports/records.jsonl", OK),
    all("GET", "/api/v1/peers", ADMINS),
    all("POST", "/api/v1/peers", [401, 403, 403, 403, 403, 201]),
    all("POST", "/api/v1/peers/{peer}/harvest", [401, 403, 403, 403, 403, 404]),
    all("GET", "/api/v1/exports/records.csv", OK),
    all("GET", "/api/v1/countries/{code}", OK),
    // Open to everyone
    all("GET", "/api/v1/vocabularies", OK),
    all("GET", "/api/v1/vocabularies/{name}", OK),
    all("GET", "/api/v1/openapi.json", OK),
    all("GET", "/healthz", OK),
    all("GET", "/metrics", OK),
    // Pages
    page("GET", "/", OK),
    page("GET", "/search", OK),
    page_rec("GET", "/records/{id}", READ, false),
    page("GET", "/countries", OK),
    page("GET", "/countries/{code}", OK),
    page("GET", "/about", OK),
    page("GET", "/api", OK),
    page("GET", "/assets/site.css", OK),
    page("GET", "/assets/site.js", OK),
    page("GET", "/signup", [200, 303, 303, 303, 303, 303]),
    page("POST", "/signup", OK),
    page("GET", "/login", [200, 303, 303, 303, 303, 303]),
    page("POST", "/login", [401; 6]),
    page("POST", "/logout", [303; 6]),
    page("GET", "/verify", OK),
    page("POST", "/verify", [400; 6]),
    page("GET", "/reset", OK),
    page("POST", "/reset", OK),
    page("GET", "/reset/{token}", OK),
    page("POST", "/reset/{token}", [400; 6]),
    page("GET", "/email/confirm", OK),
    page("POST", "/email/confirm", [400; 6]),
    page("GET", "/account", SIGN_IN_FIRST),
    page("POST", "/account/name", [303; 6]),
    page("POST", "/account/password", [303, 400, 400, 400, 400, 400]),
    page("POST", "/account/email", [303, 400, 400, 400, 400, 400]),
    page("POST", "/account/delete", [303, 400, 400, 400, 400, 400]),
    page("POST", "/account/tokens", SIGN_IN_FIRST),
    page("POST", "/account/tokens/{token}/revoke", [303, 404, 404, 404, 404, 404]),
    page("GET", "/account/export", SIGN_IN_FIRST),
    page("GET", "/submit", SIGN_IN_FIRST),
    page("POST", "/submit", [303; 6]),
    page("GET", "/records/new", SIGN_IN_FIRST),
    page("POST", "/records/new", [303; 6]),
    page_rec(
        "GET",
        "/records/{id}/edit",
        [[303; 4], [404, 403, 404, 404], [200, 200, 404, 404], [200, 200, 404, 404], [200; 4], [200; 4]],
        false,
    ),
    page_rec(
        "POST",
        "/records/{id}/edit",
        [[303; 4], [404, 403, 404, 404], [303, 303, 404, 404], [303, 303, 404, 404], [303; 4], [303; 4]],
        false,
    ),
    page_rec(
        "POST",
        "/records/{id}/transition",
        [
            [303; 4],
            [404, 403, 404, 404],
            [303, 403, 404, 404],
            [303, 403, 404, 404],
            [403, 303, 303, 403],
            [403, 303, 303, 403],
        ],
        true,
    ),
    page_rec(
        "POST",
        "/records/{id}/comment",
        [[303; 4], [404, 403, 404, 404], [303, 303, 404, 404], [303, 303, 404, 404], [303; 4], [303; 4]],
        false,
    ),
    page_rec(
        "POST",
        "/records/{id}/report",
        [[303; 4], [404, 200, 404, 404], [200, 200, 404, 404], [200, 200, 404, 404], [200; 4], [200; 4]],
        false,
    ),
    page("GET", "/my", SIGN_IN_FIRST),
    page("GET", "/review", CURATOR_PAGES),
    page_rec("GET", "/review/{id}", [[303; 4], [403; 4], [403; 4], [403; 4], [200; 4], [200; 4]], false),
    page_rec("POST", "/review/{id}/merge", PAGE_CURATOR_ACTION, true),
    page_rec("POST", "/review/{id}/promote", PAGE_CURATOR_ACTION, false),
    page_rec("POST", "/review/{id}/hide", PAGE_CURATOR_ACTION, true),
    page("GET", "/review/reports", CURATOR_PAGES),
    page("POST", "/review/reports/{report}", CURATOR_FORMS),
    page("GET", "/admin/users", CURATOR_PAGES),
    page("POST", "/admin/users/{user}", CURATOR_FORMS),
    page("GET", "/admin/outbox", [303, 403, 403, 403, 403, 200]),
    page("GET", "/organisations/new", SIGN_IN_FIRST),
    page("POST", "/organisations/new", [303; 6]),
    page("GET", "/organisations/{org}", OK),
    page("POST", "/organisations/{org}/invite", [303, 403, 403, 403, 403, 303]),
    page("POST", "/organisations/{org}/members/{member}", [303, 403, 403, 403, 403, 303]),
    page("GET", "/conversations", SIGN_IN_FIRST),
    page("GET", "/conversations/{conversation}", [303, 404, 404, 404, 404, 404]),
    page("POST", "/conversations/{conversation}/messages", [303, 404, 404, 404, 404, 404]),
    page("POST", "/conversations/{conversation}/decline", [303, 404, 404, 404, 404, 404]),
    page("POST", "/interests", [303, 400, 400, 400, 400, 400]),
    page("POST", "/conversations/{conversation}/pilots", [303, 404, 404, 404, 404, 404]),
    page("GET", "/pilots/{pilot}", [303, 404, 404, 404, 404, 404]),
    page("POST", "/pilots/{pilot}/plan", [303, 404, 404, 404, 404, 404]),
    page("POST", "/pilots/{pilot}/move", [303, 404, 404, 404, 404, 404]),
    page("GET", "/procurement", OK),
    page("GET", "/procurement/new", [400; 6]),
    page("GET", "/procurement/{country}", OK),
    page("POST", "/procurement/{country}", CURATOR_FORMS),
    page("GET", "/oai", OK),
    page("GET", "/feeds/records.atom", OK),
    page("GET", "/admin/peers", [303, 403, 403, 403, 403, 200]),
    page("POST", "/admin/peers", [303, 403, 403, 403, 403, 303]),
    page("POST", "/admin/peers/{peer}/harvest", [303, 403, 403, 403, 403, 404]),
    page("GET", "/sitemap.xml", OK),
    page("POST", "/oai", OK),
    page("GET", "/oai/banyan.xsd", OK),
    page("GET", "/dashboard", OK),
    page("GET", "/dashboard/{file}", OK),
    page("GET", "/services/new", [303, 404, 404, 404, 404, 404]),
    page("POST", "/services", [303, 403, 303, 303, 303, 303]),
    page("GET", "/services/{service}", OK),
    page("POST", "/services/{service}", [303, 403, 303, 303, 303, 303]),
    page("GET", "/services/{service}/{file}", OK),
    page("POST", "/records/{practice}/adoptions", [303, 403, 303, 303, 303, 303]),
    page("GET", "/adoptions/{adoption}", OK),
    page("POST", "/adoptions/{adoption}", [303, 403, 303, 303, 303, 303]),
    page("GET", "/admin/rates", [303, 403, 403, 403, 403, 200]),
    page("POST", "/admin/rates", [303, 403, 403, 403, 403, 303]),
    page("GET", "/invitations/{token}", SIGN_IN_FIRST),
    page("POST", "/invitations/{token}", [303, 400, 400, 400, 400, 400]),
];

/// The anonymous browser's CSRF token (double-submit: cookie and field agree).
const ANON_CSRF: &str = "anonymous-csrf-token-for-the-matrix";

/// A form body for a page route.
fn form_for(
    case: &Case,
    target: Option<(usize, RecordId)>,
    w: &World,
    n: usize,
    version: i64,
) -> Vec<(String, String)> {
    let pairs: Vec<(&str, String)> = match (case.method, case.path) {
        ("POST", "/signup") => {
            vec![("name", "N".into()), ("email", format!("page{n}@example.org")), ("password", PASSWORD.into())]
        }
        ("POST", "/login") => vec![("email", "nobody@example.org".into()), ("password", "not the password".into())],
        ("POST", "/verify" | "/email/confirm") => vec![("token", "not-a-token".into())],
        ("POST", "/reset") => vec![("email", "nobody@example.org".into())],
        ("POST", "/reset/{token}") => vec![("password", "a long enough new one".into())],
        ("POST", "/account/name") => vec![("name", "Renamed".into())],
        ("POST", "/account/password") => {
            vec![("current_password", "not my password".into()), ("new_password", "another long one".into())]
        }
        ("POST", "/account/email") => {
            vec![("new_email", format!("moved{n}@example.org")), ("email_password", "wrong".into())]
        }
        ("POST", "/account/delete") => vec![("delete_password", "not my password".into())],
        ("POST", "/account/tokens") => vec![("token_name", "script".into()), ("scopes", "read".into())],
        ("POST", "/conversations/{conversation}/messages") => vec![("body", "Hello".into())],
        ("POST", "/conversations/{conversation}/decline") => vec![("reason", "Not now".into())],
        ("POST", "/conversations/{conversation}/pilots" | "/pilots/{pilot}/plan") => vec![
            ("scope", "Try it".into()),
            ("place", "TH-40".into()),
            ("starts_on", "2027-01-01".into()),
            ("ends_on", "2027-06-30".into()),
            ("kpis", "Visits | visits | 5 | 2".into()),
            ("version", "1".into()),
        ],
        ("POST", "/pilots/{pilot}/move") => vec![("to", "agreed".into()), ("version", "1".into())],
        ("POST", "/procurement/{country}") => {
            vec![("rules", "Procurement Act".into()), ("steps", "Write the terms of reference\n- Terms".into())]
        }
        ("POST", "/records/{practice}/adoptions" | "/adoptions/{adoption}") => {
            let mut f = vec![
                ("organisation_id", w.adopter.to_string()),
                ("place", "TH-40".into()),
                ("adopted_on", "2024-01-01".into()),
                ("status", "in_use".into()),
            ];
            if case.path.starts_with("/adoptions") {
                f.push(("version", version.to_string()));
            }
            f
        }
        ("POST", "/services") => service_form(w.practice),
        ("POST", "/services/{service}") => {
            let mut f = service_form(w.practice);
            f.push(("version", version.to_string()));
            f
        }
        ("GET" | "POST", "/oai") => vec![("verb", "Identify".into())],
        ("POST", "/admin/peers") => vec![("base_url", format!("https://page-peer{n}.example"))],
        ("POST", "/admin/rates") => vec![
            ("base", "USD".into()),
            ("r0.currency", "BDT".into()),
            ("r0.valid_from", "2024-01-01".into()),
            ("r0.per_base", "110".into()),
        ],
        ("POST", "/submit") => vec![
            ("title", "An idea".into()),
            ("details.problem", "p".into()),
            ("details.idea", "i".into()),
            ("lang", "en".into()),
            ("places", "BD".into()),
            ("action", "submit".into()),
        ],
        ("POST", "/records/new") => vec![
            ("title", "A practice".into()),
            ("lang", "en".into()),
            ("details.problem", "p".into()),
            ("details.solution", "s".into()),
            ("action", "draft".into()),
        ],
        ("POST", "/records/{id}/edit") => vec![
            ("version", version.to_string()),
            ("title", "Edited".into()),
            ("lang", "en".into()),
            ("details.problem", "p".into()),
            ("details.idea", "i".into()),
        ],
        ("POST", "/records/{id}/transition") => {
            vec![("to", if matches!(target, Some((1 | 2, _))) { "archived" } else { "submitted" }.into())]
        }
        ("POST", "/records/{id}/comment") => vec![("body", "A comment".into())],
        ("POST", "/records/{id}/report") => vec![("reason", "Spam".into())],
        ("POST", "/review/{id}/merge") => vec![("into", w.survivor.to_string())],
        ("POST", "/review/{id}/promote") => vec![("to", "practice".into())],
        ("POST", "/review/{id}/hide") => vec![("hidden", "true".into())],
        ("POST", "/review/reports/{report}") => vec![("action", "dismiss".into())],
        ("POST", "/admin/users/{user}") => vec![("role", "member".into())],
        ("POST", "/organisations/new") => vec![("name", format!("Page organisation {n}")), ("type", "ngo".into())],
        ("POST", "/organisations/{org}/invite") => {
            vec![("email", "invitee@example.org".into()), ("role", "viewer".into())]
        }
        ("POST", "/organisations/{org}/members/{member}") => vec![("role", "viewer".into())],
        _ => vec![],
    };
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// A browser session for a person, made directly: `(cookie, csrf)`.
async fn browser(app: &TestApp, user: UserId) -> (String, String) {
    let secret = banyan_web::auth::random_secret("");
    let csrf = banyan_web::auth::random_secret("");
    let now = chrono::Utc::now();
    app.db
        .store
        .create_session(banyan_store::Session {
            id_hash: banyan_web::token_hash(&secret),
            user_id: user,
            kind: banyan_store::SessionKind::Browser,
            csrf: csrf.clone(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + chrono::Duration::days(1),
        })
        .await
        .unwrap();
    (format!("__Host-banyan_session={secret}"), csrf)
}

/// Everything the matrix needs to fill in paths and bodies.
struct World {
    people: Vec<Option<Person>>,
    org: OrganisationId,
    outsider: UserId,
    survivor: RecordId,
    comment: String,
    report: String,
    shared: [RecordId; 4],
    /// A published practice of `org`, owned by the owner; an adoption of it by an organisation
    /// nobody here belongs to; a service measuring it.
    practice: RecordId,
    adopter: OrganisationId,
    adoption: banyan_domain::AdoptionId,
    service: banyan_domain::ServiceId,
}

/// `v` read as the API reads it.
fn read<T>(
    v: &Value,
    f: impl FnOnce(&mut banyan_domain::validate::Checker, &mut banyan_domain::validate::Obj<'_>) -> Option<T>,
) -> T {
    let mut c = banyan_domain::validate::Checker::new();
    let mut o = c.object(banyan_domain::validate::Path::root(), v);
    let out = f(&mut c, &mut o);
    c.done(o);
    c.finish(()).unwrap();
    out.unwrap()
}

fn service_body(practice: RecordId) -> Value {
    json!({"practice_id": practice, "name": "Land mutation", "agency": "Land office", "place": "BD-13",
        "yearly_volume": 100, "currency": "BDT", "maps": [
            {"label": "As is", "as_is": true, "steps": [{"actor": "citizen", "action": "visits", "travel_hours": 2, "visit": true}]},
            {"label": "Online", "live_from": "2024-01-01", "steps": [{"actor": "citizen", "action": "applies online", "processing_hours": 1}]}]})
}

/// The same service as the page's form.
fn service_form(practice: RecordId) -> Vec<(&'static str, String)> {
    vec![
        ("practice_id", practice.to_string()),
        ("name", "Land mutation".into()),
        ("agency", "Land office".into()),
        ("place", "BD-13".into()),
        ("yearly_volume", "100".into()),
        ("currency", "BDT".into()),
        ("m0.label", "As is".into()),
        ("m0.s0.actor", "citizen".into()),
        ("m0.s0.action", "visits".into()),
        ("m0.s0.travel_hours", "2".into()),
        ("m0.s0.visit", "on".into()),
    ]
}

async fn record(app: &TestApp, owner: UserId, org: Option<OrganisationId>, status: &str, hidden: bool) -> RecordId {
    let json = json!({"kind": "idea", "title": format!("A {status} idea"), "lang": "en", "status": status, "hidden": hidden,
        "details": {"problem": "p", "idea": "i"}});
    let mut input = RecordInput::from_json(&json, InputMode::Create).unwrap();
    input.content.organisation = org;
    let new = NewRecord::local(input, &app.base).owned_by(Some(owner));
    app.db.store.create_record(new, &Actor::cli()).await.unwrap().id
}

async fn targets(app: &TestApp, w: &World) -> [RecordId; 4] {
    let owner = w.people[3].as_ref().unwrap().id;
    [
        record(app, owner, Some(w.org), "draft", false).await,
        record(app, owner, Some(w.org), "published", false).await,
        record(app, owner, Some(w.org), "published", true).await,
        record(app, w.outsider, None, "draft", false).await,
    ]
}

async fn member(app: &TestApp, email: &str) -> UserId {
    let hash = banyan_web::hash_password(PASSWORD).await.unwrap();
    let new = banyan_store::NewUser {
        email: banyan_domain::Email::parse(email).unwrap(),
        name: "someone".into(),
        password_hash: hash,
        role: Role::Member,
        verified: true,
    };
    app.db.store.create_user(new, &Actor::cli()).await.unwrap().id
}

fn body_for(case: &Case, target: Option<(usize, RecordId)>, w: &World, n: usize, version: i64) -> Option<Value> {
    let id = target.map(|(_, id)| id.to_string());
    Some(match (case.method, case.path) {
        ("POST", "/api/v1/records") => json!({"kind": "idea", "title": "New", "lang": "en"}),
        ("PATCH", "/api/v1/records/{id}") => json!({"version": version, "summary": "Changed"}),
        ("POST", "/api/v1/records/{id}/transitions") => {
            json!({"to": if matches!(target, Some((1 | 2, _))) { "archived" } else { "submitted" }})
        }
        ("POST", "/api/v1/records/{id}/comments") => json!({"body": "A comment"}),
        ("POST", "/api/v1/records/{id}/merge") => json!({"into": w.survivor}),
        ("POST", "/api/v1/records/{id}/promote") => json!({"to": "practice"}),
        ("POST", "/api/v1/reports") => json!({"record": id, "reason": "Spam"}),
        ("POST", "/api/v1/reports/{report}/resolve") => json!({"action": "dismiss"}),
        ("PUT", "/api/v1/records/{id}/hidden") => json!({"hidden": true, "reason": "Abuse"}),
        ("PUT", "/api/v1/comments/{comment}/hidden") => json!({"hidden": false}),
        ("POST", "/api/v1/auth/register") => {
            json!({"email": format!("new{n}@example.org"), "password": PASSWORD, "name": "N"})
        }
        ("POST", "/api/v1/auth/verify" | "/api/v1/auth/email/confirm") => json!({"token": "not-a-token"}),
        ("POST", "/api/v1/auth/login") => json!({"email": "nobody@example.org", "password": "not the password"}),
        ("POST", "/api/v1/auth/logout") => json!({}),
        ("POST", "/api/v1/auth/reset") => json!({"email": "nobody@example.org"}),
        ("POST", "/api/v1/auth/reset/confirm") => json!({"token": "not-a-token", "password": "a long enough new one"}),
        ("PATCH", "/api/v1/me") => json!({"name": "Renamed"}),
        ("DELETE", "/api/v1/me") => json!({"password": "not my password"}),
        ("POST", "/api/v1/me/password") => {
            json!({"current_password": "not my password", "new_password": "another long one"})
        }
        ("POST", "/api/v1/me/email") => {
            json!({"email": format!("moved{n}@example.org"), "password": "not my password"})
        }
        ("POST", "/api/v1/me/tokens") => json!({"name": "script", "scopes": ["read"]}),
        ("PATCH", "/api/v1/users/{user}") => json!({"blocked": false}),
        ("POST", "/api/v1/organisations") => json!({"name": format!("Organisation {n}"), "type": "ngo"}),
        ("PATCH", "/api/v1/organisations/{org}") => json!({"version": version, "description": "Changed"}),
        ("PUT", "/api/v1/organisations/{org}/members/{member}") => json!({"role": "viewer"}),
        ("POST", "/api/v1/organisations/{org}/invitations") => {
            json!({"email": "invitee@example.org", "role": "viewer"})
        }
        ("POST", "/api/v1/invitations/accept") => json!({"token": "not-a-token"}),
        ("POST", "/api/v1/duplicates") => json!({"title": "Land records online", "text": "One visit to the office."}),
        ("POST", "/api/v1/classify/sdgs") => json!({"text": "Clean water for every village school."}),
        ("POST", "/api/v1/interests") => json!({}),
        ("POST", "/api/v1/conversations/{conversation}/messages") => json!({"body": "Hello"}),
        ("POST", "/api/v1/conversations/{conversation}/decline") => json!({"reason": "Not now"}),
        ("POST", "/api/v1/conversations/{conversation}/curators") => json!({"user": w.outsider}),
        ("POST", "/api/v1/conversations/{conversation}/pilots") => json!({"scope": "Try it", "place": "TH-40",
            "starts_on": "2027-01-01", "ends_on": "2027-06-30",
            "kpis": [{"name": "Visits", "baseline": 5, "target": 2}]}),
        ("PUT", "/api/v1/pilots/{pilot}/plan") => json!({"version": 1, "plan": {}}),
        ("POST", "/api/v1/pilots/{pilot}/transitions") => json!({"to": "agreed", "version": 1}),
        ("PUT", "/api/v1/procurement/{country}") => {
            json!({"rules": "Procurement Act", "steps": [{"title": "Write the terms of reference"}]})
        }
        ("POST", "/api/v1/records/{practice}/adoptions") => {
            json!({"organisation_id": w.adopter, "place": "TH-40", "adopted_on": "2024-01-01", "status": "in_use"})
        }
        ("PUT", "/api/v1/adoptions/{adoption}") => json!({"organisation_id": w.adopter, "place": "TH-40",
            "adopted_on": "2024-01-01", "status": "in_use", "results": format!("Check {n}"), "version": version}),
        ("POST", "/api/v1/services") => service_body(w.practice),
        ("PUT", "/api/v1/services/{service}") => {
            let mut b = service_body(w.practice);
            b["version"] = json!(version);
            b
        }
        ("POST", "/api/v1/peers") => json!({"base_url": format!("https://peer{n}.example")}),
        ("PUT", "/api/v1/rates") => {
            json!({"base": "USD", "rates": [{"currency": "BDT", "valid_from": "2024-01-01", "per_base": 110}]})
        }
        _ => return None,
    })
}

async fn every_route_answers_every_caller_as_the_matrix_says(db: TestDb) {
    let generous = Limit::per_minute(10_000);
    let limits = Limits {
        login_per_ip: generous,
        login_failures_per_account: generous,
        register_per_ip: generous,
        reset_per_ip: generous,
        mail_per_email: generous,
        submissions_per_account: generous,
        reports_per_account: generous,
        comments_per_account: generous,
    };
    let app = TestApp::start_with(db, WebConfig { public_url: String::new(), limits, ..WebConfig::default() }).await;

    // The routes the application serves, from its own declarations.
    let mut served: BTreeSet<(String, String)> = BTreeSet::new();
    let doc = serde_json::to_value(banyan_web::openapi()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            served.insert((method.to_uppercase(), path.clone()));
        }
    }
    for (method, path) in banyan_web::other_routes() {
        served.insert((method.to_string(), path.to_string()));
    }
    let listed: BTreeSet<(String, String)> = MATRIX.iter().map(|c| (c.method.to_string(), normalise(c.path))).collect();
    let served: BTreeSet<(String, String)> = served.into_iter().map(|(m, p)| (m, normalise(&p))).collect();
    let missing: Vec<_> = served.difference(&listed).collect();
    assert!(missing.is_empty(), "routes missing from the permission matrix: {missing:?}");
    let unknown: Vec<_> = listed.difference(&served).collect();
    assert!(unknown.is_empty(), "matrix entries for routes that do not exist: {unknown:?}");

    // The world: five people, an organisation, records.
    let admin = app.person("admin@banyan.test", Role::Admin).await;
    let curator = app.person("curator@banyan.test", Role::Curator).await;
    let owner = app.person("owner@example.org", Role::Member).await;
    let editor = app.person("editor@example.org", Role::Member).await;
    let stranger = app.person("stranger@example.org", Role::Member).await;
    let outsider = member(&app, "outsider@example.org").await;
    let org = app
        .db
        .store
        .create_organisation(
            OrganisationId::new(),
            OrganisationInput::from_json(&json!({"name": "District office", "type": "government"})).unwrap(),
            &Actor::cli(),
        )
        .await
        .unwrap()
        .id;
    app.db.store.set_membership(org, editor.id, Some(OrgRole::Editor), &Actor::cli()).await.unwrap();
    let survivor = record(&app, outsider, None, "published", false).await;
    let comment = app.db.store.add_comment(survivor, "A comment", &Actor::cli()).await.unwrap().id.to_string();
    let report = app
        .db
        .store
        .create_report(banyan_store::ReportTarget::Record(survivor), "Spam", &Actor::cli())
        .await
        .unwrap()
        .id
        .to_string();
    // A published practice of the organisation, adopted elsewhere and measured.
    let practice = {
        let json = json!({"kind": "practice", "title": "Land records in one visit", "lang": "en", "status": "published",
            "places": ["BD"], "details": {"problem": "p", "solution": "s"}});
        let mut input = RecordInput::from_json(&json, InputMode::Create).unwrap();
        input.content.organisation = Some(org);
        let new = NewRecord::local(input, &app.base).owned_by(Some(owner.id));
        app.db.store.create_record(new, &Actor::cli()).await.unwrap().id
    };
    let adopter = app
        .db
        .store
        .create_organisation(
            OrganisationId::new(),
            OrganisationInput::from_json(&json!({"name": "Adopting office", "type": "government"})).unwrap(),
            &Actor::cli(),
        )
        .await
        .unwrap()
        .id;
    let adoption_input = read(
        &json!({"organisation_id": adopter, "place": "TH-40", "adopted_on": "2024-01-01", "status": "in_use"}),
        banyan_domain::AdoptionInput::read,
    );
    let adoption = app.db.store.create_adoption(practice, &adoption_input, &Actor::cli()).await.unwrap().id;
    let service_input = read(&service_body(practice), banyan_domain::ServiceInput::read);
    let service = app.db.store.create_service(&service_input, &Actor::cli()).await.unwrap().id;
    let rates = read(
        &json!({"base": "USD", "rates": [{"currency": "BDT", "valid_from": "2024-01-01", "per_base": 110}]}),
        banyan_domain::sps::Rates::read,
    );
    app.db.store.put_rates(&rates, Some(0), &Actor::cli()).await.unwrap();
    let mut world = World {
        people: vec![None, Some(stranger), Some(editor), Some(owner), Some(curator), Some(admin)],
        org,
        outsider,
        survivor,
        comment,
        report,
        shared: [survivor; 4],
        practice,
        adopter,
        adoption,
        service,
    };
    world.shared = targets(&app, &world).await;

    let mut failures = Vec::new();
    let mut n = 0;
    for case in MATRIX {
        for (who, person) in world.people.iter().enumerate() {
            let rows: Vec<(Option<(usize, RecordId)>, u16)> = match case.expect {
                Expect::All(row) => vec![(None, row[who])],
                Expect::Records(rows) => {
                    let records = if case.mutates { targets(&app, &world).await } else { world.shared };
                    (0..4).map(|t| (Some((t, records[t])), rows[who][t])).collect()
                }
            };
            for (target, expected) in rows {
                n += 1;
                // Sessions that a request ends, and members a request removes, are made for it.
                let token = match (case.path, person) {
                    ("/api/v1/auth/logout", Some(p)) => Some(app.login(&p.email, PASSWORD).await.token),
                    (_, p) => p.as_ref().map(|p| p.token.clone()),
                };
                let member_id = if case.path.contains("{member}") {
                    let m = member(&app, &format!("member{n}@example.org")).await;
                    app.db.store.set_membership(org, m, Some(OrgRole::Viewer), &Actor::cli()).await.unwrap();
                    Some(m)
                } else {
                    None
                };
                let version = match (target, case.path) {
                    (Some((_, id)), _) => match app.db.store.record(id).await.unwrap() {
                        Some(banyan_store::RecordState::Live(r)) => r.version,
                        _ => 1,
                    },
                    (None, "/api/v1/organisations/{org}") => {
                        app.db.store.organisation(org).await.unwrap().unwrap().version
                    }
                    (None, p) if p.contains("{adoption}") => {
                        app.db.store.adoption(world.adoption).await.unwrap().unwrap().version
                    }
                    (None, p) if p.contains("{service}") => {
                        app.db.store.service(world.service).await.unwrap().unwrap().version
                    }
                    _ => 1,
                };
                let path = case
                    .path
                    .replace("{id}", &target.map(|(_, id)| id.to_string()).unwrap_or_default())
                    .replace("{org}", &org.to_string())
                    .replace("{member}", &member_id.map(|m| m.to_string()).unwrap_or_default())
                    .replace("{user}", &outsider.to_string())
                    .replace("{comment}", &world.comment)
                    .replace("{report}", &world.report)
                    .replace("{token}", &uuid::Uuid::now_v7().to_string())
                    .replace("{name}", "sdg")
                    .replace("{code}", "BD")
                    .replace("{conversation}", &uuid::Uuid::now_v7().to_string())
                    .replace("{pilot}", &uuid::Uuid::now_v7().to_string())
                    .replace("{country}", "TH")
                    .replace("{practice}", &world.practice.to_string())
                    .replace("{adoption}", &world.adoption.to_string())
                    .replace("{service}", &world.service.to_string())
                    .replace("{file}", "tcv-time.csv")
                    .replace("{peer}", &uuid::Uuid::now_v7().to_string());
                let method = Method::from_bytes(case.method.as_bytes()).unwrap();
                let reply = if case.page {
                    let (cookie, csrf) = match person {
                        Some(p) => browser(&app, p.id).await,
                        None => (format!("__Host-banyan_csrf={ANON_CSRF}"), ANON_CSRF.to_string()),
                    };
                    let form = serde_urlencoded::to_string(form_for(case, target, &world, n, version)).unwrap();
                    let headers = [("cookie", cookie.as_str()), ("x-csrf-token", csrf.as_str())];
                    let body = (case.method != "GET").then(|| ("application/x-www-form-urlencoded", form.into_bytes()));
                    app.send(method, &path, body, &headers, None).await
                } else {
                    let body = body_for(case, target, &world, n, version);
                    let body = body.map(|b| ("application/json", b.to_string().into_bytes()));
                    app.send(method, &path, body, &[], token.as_deref()).await
                };
                if reply.status.as_u16() != expected {
                    let target = target.map(|(t, _)| format!(" on {}", TARGETS[t])).unwrap_or_default();
                    failures.push(format!(
                        "{} {} as {}{target}: expected {expected}, got {} — {}",
                        case.method,
                        case.path,
                        CALLERS[who],
                        reply.status.as_u16(),
                        reply.text.chars().take(200).collect::<String>()
                    ));
                }
            }
        }
        // Signing out ends every session of the person: sign the callers in again.
        if matches!(case.path, "/api/v1/auth/logout" | "/logout") {
            for p in world.people.iter_mut().flatten() {
                *p = app.login(&p.email, PASSWORD).await;
            }
        }
    }

    assert!(failures.is_empty(), "{} of {n} checks failed:\n{}", failures.len(), failures.join("\n"));
}

/// Path parameters are named differently in the matrix and in the application; compare shapes.
fn normalise(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for ch in path.chars() {
        match ch {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            c if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}
