//! The public site over real HTTP: languages, page weights, caching, security headers, escaping,
//! search state in the URL, record and country pages. (The same pages in a real browser, with
//! axe-core, are in `crates/cli/tests/cli/site.rs`.)

use std::collections::BTreeSet;

use banyan_testkit::{TestDb, backend_tests};
use reqwest::StatusCode;
use serde_json::json;

use crate::TestApp;

backend_tests!(
    pages_speak_the_visitors_language,
    pages_are_light_compressed_and_cached,
    pages_are_strict_about_scripts_and_escape_everything,
    the_search_page_keeps_its_state_in_the_url,
    record_pages_show_every_kind_and_hide_what_is_not_public,
    country_pages_and_the_map,
    unknown_addresses_get_a_page_or_a_problem,
    every_kind_of_response_carries_the_security_headers,
);

/// Pages, JSON, problems, XML, Atom, CSV, assets and redirects: each with `nosniff`, no
/// framing, a same-origin referrer policy and a Content-Security-Policy; cookies `__Host-`,
/// `Secure`, `HttpOnly`, `SameSite`.
async fn every_kind_of_response_carries_the_security_headers(db: TestDb) {
    let app = site(db).await;
    let id = publish(&app, practice("Clinic queues by SMS", "en", &["TH-40"])).await;
    let cases: Vec<(String, &str)> = vec![
        ("/".into(), "text/html"),
        (format!("/records/{id}"), "text/html"),
        ("/no/such/page".into(), "text/html"),
        (format!("/api/v1/records/{id}"), "application/json"),
        ("/api/v1/records/not-an-id".into(), "application/problem+json"),
        ("/oai?verb=Identify".into(), "text/xml"),
        ("/feeds/records.atom".into(), "application/atom+xml"),
        ("/api/v1/exports/records.csv".into(), "text/csv"),
        ("/dashboard/stages.csv".into(), "text/csv"),
        ("/sitemap.xml".into(), "application/xml"),
        ("/assets/site.css".into(), "text/css"),
        ("/my".into(), ""),
    ];
    for (path, kind) in &cases {
        let r = page(&app, path, &[]).await;
        let ct = r.header("content-type").unwrap_or("");
        assert!(ct.starts_with(kind), "{path}: {ct}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(r.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(r.header("referrer-policy"), Some("same-origin"), "{path}");
        let csp = r.header("content-security-policy").unwrap_or_else(|| panic!("{path}: no CSP"));
        assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        for cookie in r.headers.get_all("set-cookie") {
            let c = cookie.to_str().unwrap();
            assert!(c.starts_with("__Host-"), "{path}: {c}");
            for attr in ["Secure", "HttpOnly", "SameSite=", "Path=/"] {
                assert!(c.contains(attr), "{path}: {c} lacks {attr}");
            }
        }
    }
    // A form page sets the anonymous CSRF cookie, with those attributes.
    let login = page(&app, "/login", &[]).await;
    assert!(login.headers.get_all("set-cookie").iter().any(|c| c.to_str().unwrap().starts_with("__Host-banyan_csrf=")));
}

/// A published record, as a curator would leave it.
async fn publish(app: &TestApp, record: serde_json::Value) -> String {
    let mut record = record;
    record["status"] = json!("published");
    let created = app.create(&record).await;
    app.sync().await;
    created["id"].as_str().unwrap().to_string()
}

fn practice(title: &str, lang: &str, places: &[&str]) -> serde_json::Value {
    json!({
        "kind": "practice", "title": title, "lang": lang, "places": places, "sdgs": ["3.8"], "sectors": ["07.3"],
        "level_of_government": "district",
        "summary": format!("{title}: what changed for patients."),
        "details": {"problem": "Patients queued from dawn.", "solution": "Appointments by SMS.", "stage": "scaled",
                    "evidence_level": 3,
                    "tcv": {"before": {"time_days": 1, "cost": 300, "visits": 3}, "after": {"time_days": 0.5, "cost": 100, "visits": 1}, "currency": "THB", "yearly_volume": 120000}},
    })
}

/// A page, as an anonymous visitor's browser asks for it.
async fn page(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> crate::Reply {
    let mut h = vec![("accept", "text/html")];
    h.extend_from_slice(headers);
    let mut r = app.send(reqwest::Method::GET, path, None, &h, None).await;
    // The template engine escapes `/` in attributes as `&#x2f;`; browsers read both the same.
    r.text = r.text.replace("&#x2f;", "/");
    r
}

/// A site whose records are written by a curator's token.
async fn site(db: TestDb) -> TestApp {
    TestApp::start(db).await.with_token(banyan_domain::Role::Curator).await
}

async fn pages_speak_the_visitors_language(db: TestDb) {
    let app = site(db).await;
    publish(&app, practice("Clinic queues by SMS", "en", &["TH-40"])).await;

    // The browser's language, by quality.
    let bn = page(&app, "/", &[("accept-language", "fr;q=1, bn;q=0.9, en;q=0.5")]).await;
    assert_eq!(bn.status, StatusCode::OK);
    assert!(bn.text.contains(r#"<html lang="bn" dir="ltr">"#), "{}", &bn.text[..200]);
    assert_eq!(bn.header("content-language"), Some("bn"));
    assert!(bn.text.contains("প্রমাণিত অনুশীলন"), "Bengali interface text");
    assert!(bn.text.contains("<strong>১</strong>"), "Bengali digits in the counts");
    // The URL wins over the browser, and is remembered in a cookie.
    let th = page(&app, "/?hl=th", &[("accept-language", "bn")]).await;
    assert!(th.text.contains(r#"<html lang="th""#));
    let cookie = th.header("set-cookie").map(str::to_string).unwrap_or_default();
    assert!(th.headers.get_all("set-cookie").iter().any(|c| c.to_str().unwrap().starts_with("hl=th;")), "{cookie}");
    let again = page(&app, "/search", &[("cookie", "hl=th"), ("accept-language", "bn")]).await;
    assert!(again.text.contains(r#"<html lang="th""#), "the cookie beats the browser");
    // Unknown languages fall back to English; partial ones to English message by message.
    let xx = page(&app, "/?hl=xx", &[]).await;
    assert!(xx.text.contains(r#"<html lang="en""#));
    let vi = page(&app, "/?hl=vi", &[]).await;
    assert!(
        vi.text.contains(r#"<html lang="vi""#) && vi.text.contains("Tìm kiếm") && vi.text.contains("Proven practices")
    );
    // Any page takes the language in its address, even one with parameters of its own.
    app.person("curator@banyan.test", banyan_domain::Role::Curator).await;
    let mut curator = crate::Browser::new(&app);
    curator.get("/login").await;
    curator.submit("/login", &[("email", "curator@banyan.test"), ("password", crate::PASSWORD)]).await;
    let review = curator.get("/review?hl=th&kind=practice").await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.text);
    assert!(review.text.contains(r#"<html lang="th""#) && review.text.contains("คิวรอพิจารณา"));
    // Every language is offered, each link named in its own language.
    for name in ["English", "বাংলা", "ไทย", "हिन्दी", "Tiếng Việt", "Bahasa Melayu", "Filipino"]
    {
        assert!(bn.text.contains(&format!(">{name}</a>")), "the switcher offers {name}");
    }
}

/// Bytes on the wire for a page and its stylesheet and script, compressed as a browser asks.
async fn transferred(app: &TestApp, path: &str) -> (usize, usize) {
    let mut total = 0;
    let mut html_len = 0;
    let html = app
        .client
        .get(format!("{}{path}", app.base))
        .header("accept-encoding", "gzip, br")
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(html.status(), StatusCode::OK, "{path}");
    assert!(html.headers().get("content-encoding").is_some(), "{path} is compressed");
    let body = html.bytes().await.unwrap();
    total += body.len();
    html_len += body.len();
    // The page's own assets: the stylesheet and the script (the only ones; no fonts, no images).
    let plain = app.client.get(format!("{}{path}", app.base)).send().await.unwrap().text().await.unwrap();
    let assets: Vec<String> = plain
        .split(['"', '\''])
        .filter(|s| s.starts_with("/assets/"))
        .map(str::to_string)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(assets.len(), 2, "one stylesheet and one script: {assets:?}");
    for a in assets {
        let r = app.client.get(format!("{}{a}", app.base)).header("accept-encoding", "gzip, br").send().await.unwrap();
        assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable", "{a}");
        total += r.bytes().await.unwrap().len();
    }
    // Nothing is loaded from anywhere else: every src and every <link href> is on this site.
    for attr in ["src=\"", "<link rel=\"stylesheet\" href=\""] {
        for (i, _) in plain.match_indices(attr) {
            assert!(plain[i + attr.len()..].starts_with('/'), "{path} loads from elsewhere: {}", &plain[i..i + 60]);
        }
    }
    (html_len, total)
}

async fn pages_are_light_compressed_and_cached(db: TestDb) {
    let app = site(db).await;
    let mut id = String::new();
    for (i, country) in ["BD", "TH", "VN", "MY", "PH", "ID", "NP", "IN", "KH", "LA", "LK", "PK"].iter().enumerate() {
        id = publish(&app, practice(&format!("Clinic queues by SMS, version {i}"), "en", &[country])).await;
    }
    let mut figures = Vec::new();
    for (path, budget) in [("/", 60_000), ("/search?q=clinic", 60_000), (format!("/records/{id}").as_str(), 40_000)]
        .map(|(p, b)| (p.to_string(), b))
    {
        let (html, total) = transferred(&app, &path).await;
        figures.push(format!("{path}: {total} bytes ({html} HTML)"));
        assert!(total < budget, "{path} transfers {total} bytes, over its budget of {budget}");
    }
    eprintln!("page weights, compressed: {}", figures.join("; "));

    // A visitor's page can be revalidated cheaply; a signed-in person's is never stored.
    let first = page(&app, "/about", &[]).await;
    let etag = first.header("etag").expect("anonymous pages have an ETag").to_string();
    assert_eq!(first.header("cache-control"), Some("private, no-cache"));
    let second = page(&app, "/about", &[("if-none-match", &etag)]).await;
    assert_eq!(second.status, StatusCode::NOT_MODIFIED);
    assert!(second.text.is_empty());
}

async fn pages_are_strict_about_scripts_and_escape_everything(db: TestDb) {
    let app = site(db).await;
    let evil = r#"<script>alert("x")</script><img src=x onerror=alert(1)>"#;
    let id = publish(&app, practice(&format!("Queues {evil}"), "en", &["TH"])).await;
    for path in ["/", "/search?q=queues", &format!("/records/{id}"), "/countries/TH", "/about", "/api", "/login"] {
        let r = page(&app, path, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        let csp = r.header("content-security-policy").unwrap();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"), "{path}: {csp}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("referrer-policy"), Some("same-origin"));
        for bad in ["<script>", "<img"] {
            let at = r.text.find(bad);
            assert!(
                at.is_none(),
                "{path} carries an injected script: {}",
                &r.text[at.unwrap_or(0).saturating_sub(200)..][..300]
            );
        }
        assert!(!r.text.contains(" style=\"") && !r.text.contains(" onclick="), "{path}: no inline styles or handlers");
        // Our one script is loaded from this site.
        assert!(r.text.contains(r#"<script src="/assets/site.js?v="#), "{path}");
    }
    let record = page(&app, &format!("/records/{id}"), &[]).await;
    assert!(record.text.contains("Queues &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"), "the title is escaped");
    // What was searched for is shown back escaped.
    let reflected = page(&app, "/search?q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", &[]).await;
    assert!(reflected.text.contains("&lt;img src=x onerror=alert(1)&gt;") && !reflected.text.contains("<img src=x"));
}

async fn the_search_page_keeps_its_state_in_the_url(db: TestDb) {
    let app = site(db).await;
    publish(&app, practice("Clinic queues in Khon Kaen", "en", &["TH-40"])).await;
    publish(&app, practice("Clinic queues in Tangail", "en", &["BD-63"])).await;
    let all = page(&app, "/search?q=clinic", &[]).await;
    assert!(all.text.contains("1–2 of 2 results"), "{}", all.text);
    // Facets link to the same search with one more filter.
    assert!(all.text.contains(r#"href="/search?q=clinic&amp;country=TH""#), "a country facet link: {}", all.text);
    let th = page(&app, "/search?q=clinic&country=TH", &[]).await;
    assert!(th.text.contains("Khon Kaen") && !th.text.contains("in Tangail"));
    // The active filter is shown and can be removed alone.
    assert!(th.text.contains(r#"<a href="/search?q=clinic" data-facet="country">"#), "{}", th.text);
    // Two filters, and sorting, in the address.
    let both = page(&app, "/search?q=clinic&country=TH,BD&sdg=3&sort=newest", &[]).await;
    assert!(both.text.contains("1–2 of 2 results"));
    assert!(both.text.contains(r#"<option value="newest" selected>"#));
    // A bad address is refused naming the parameter, on a page.
    let bad = page(&app, "/search?q=clinic&country=XX&page=0", &[]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text.contains("country") && bad.text.contains("page"), "{}", bad.text);
    assert!(bad.header("content-type").unwrap().starts_with("text/html"));
}

async fn record_pages_show_every_kind_and_hide_what_is_not_public(db: TestDb) {
    let app = site(db).await;
    let mut p = practice("Land records in one visit", "en", &["BD-63"]);
    p["translations"] = json!({"bn": {"title": "এক ভিজিটে নামজারি", "problem": "আগে পাঁচবার যেতে হতো।"}});
    let id = publish(&app, p).await;
    let en = page(&app, &format!("/records/{id}"), &[]).await;
    assert!(en.text.contains("Land records in one visit"));
    assert!(en.text.contains("Tangail, Bangladesh"), "places by name");
    assert!(en.text.contains("SDG 3.8: "), "SDG badge");
    assert!(en.text.contains("−67%"), "TCV change in visits: 3 → 1");
    assert!(en.text.contains("Level 3"), "evidence level");
    assert!(en.text.contains(r#"hreflang="bn""#), "a link to the Bengali translation");
    // In Bengali, the translated title and field, each marked with its language; the rest in
    // English, marked as English.
    let bn = page(&app, &format!("/records/{id}?hl=bn"), &[]).await;
    assert!(bn.text.contains(r#"<h1 id="record-title" lang="bn">এক ভিজিটে নামজারি</h1>"#), "{}", bn.text);
    assert!(bn.text.contains(r#"<div lang="bn">"#) && bn.text.contains("আগে পাঁচবার যেতে হতো।"));
    assert!(bn.text.contains(r#"<div lang="en">"#), "untranslated fields stay marked as English");
    // Every kind has a page.
    let mut challenge = String::new();
    for record in [
        json!({"kind": "idea", "title": "Pension slips by SMS", "lang": "en", "details": {"problem": "Walks to the office.", "idea": "Send an SMS."}}),
        json!({"kind": "challenge", "title": "Pharmacy queues", "lang": "en", "sdgs": ["3.8"], "places": ["BD-63"],
               "details": {"problem": "Patients queue for hours at the pharmacy.", "seeking": "both"}}),
        json!({"kind": "solution", "title": "QueueCare", "lang": "en", "details": {"what_it_does": "Queues by SMS.", "trl": 9, "works_offline": true}}),
        json!({"kind": "resource", "title": "A TCV guide", "lang": "en", "details": {"resource_type": "guide", "authors": ["A. Rahman"]}}),
    ] {
        let title = record["title"].as_str().unwrap().to_string();
        let rid = publish(&app, record).await;
        let r = page(&app, &format!("/records/{rid}"), &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{title}: {}", r.text);
        assert!(r.text.contains(&title));
        if title == "Pharmacy queues" {
            challenge = rid.clone();
            // A challenge lists what could meet it, with the reasons.
            let matches =
                &r.text[r.text.find("Practices and solutions that could meet this challenge").expect("matches")..];
            assert!(matches.contains("Land records in one visit") && matches.contains("SDG 3.8"), "{matches}");
            assert!(matches.contains("same place: Tangail"), "{matches}");
            // Similar records say why in words, not as data.
            assert!(!r.text.contains("{'code'") && !r.text.contains("&#x27;code&#x27;"), "reasons are text");
        }
    }
    // Matches and similar records are kept for a while (crate::derived), but a record hidden by
    // a moderator leaves them at once.
    let hide = app
        .request(
            reqwest::Method::PUT,
            &format!("/api/v1/records/{id}/hidden"),
            Some(&json!({"hidden": true, "reason": "Reported"})),
            &[],
        )
        .await;
    assert_eq!(hide.status, StatusCode::OK, "{}", hide.text);
    let after = page(&app, &format!("/records/{challenge}"), &[]).await;
    assert!(after.text.contains("Pharmacy queues"));
    assert!(!after.text.contains("Land records in one visit"), "a hidden record is no longer offered");
    // A draft is not for visitors: 404, as a page.
    let draft = app.create(&json!({"kind": "idea", "title": "Secret draft", "lang": "en", "status": "draft", "details": {"problem": "p", "idea": "i"}})).await;
    let hidden = page(&app, &format!("/records/{}", draft["id"].as_str().unwrap()), &[]).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert!(!hidden.text.contains("Secret draft") && hidden.text.contains("<h1>Not found</h1>"));
}

async fn country_pages_and_the_map(db: TestDb) {
    let app = site(db).await;
    publish(&app, practice("Clinic queues in Khon Kaen", "en", &["TH-40"])).await;
    publish(&app, practice("Clinic queues in Bangkok", "en", &["TH"])).await;
    publish(&app, practice("Land records", "en", &["BD-63"])).await;
    let home = page(&app, "/", &[]).await;
    // Countries with records are links, shaded; their names and counts are in the table too.
    assert!(home.text.contains(r#"<a href="/countries/TH" aria-label="Thailand: 2 records">"#), "{}", home.text);
    assert!(home.text.contains(r#"<a href="/countries/BD" aria-label="Bangladesh: 1 record">"#));
    assert!(!home.text.contains(r#"href="/countries/FR""#), "countries without records are not links");
    assert!(home.text.contains(r#"<td><a href="/countries/TH">Thailand</a></td><td class="num">2</td>"#));
    let th = page(&app, "/countries/TH", &[]).await;
    assert!(th.text.contains("<h1 id=\"country-heading\">Thailand</h1>"));
    assert!(th.text.contains("2 published records concern Thailand"));
    assert!(th.text.contains("Clinic queues in Khon Kaen") && !th.text.contains("Land records"));
    let lower = page(&app, "/countries/th", &[]).await;
    assert_eq!(lower.status, StatusCode::SEE_OTHER);
    assert_eq!(lower.header("location"), Some("/countries/TH"));
    let nowhere = page(&app, "/countries/XX", &[]).await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
}

async fn unknown_addresses_get_a_page_or_a_problem(db: TestDb) {
    let app = site(db).await;
    let html = page(&app, "/no/such/page?hl=th", &[]).await;
    assert_eq!(html.status, StatusCode::NOT_FOUND);
    assert!(html.text.contains(r#"<html lang="th""#) && html.text.contains("ไม่พบหน้า"));
    app.get("/no/such/page").await.assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.get("/api/v1/nothing").await.assert_problem(StatusCode::NOT_FOUND, "not-found");
    let api = page(&app, "/api/v1/nothing", &[]).await;
    assert_eq!(
        api.header("content-type"),
        Some("application/problem+json"),
        "the API answers problems, even to browsers"
    );
}
