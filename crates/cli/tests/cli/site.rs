//! The site as people use it, in a real browser: Debian's Chromium driven by ChromeDriver, against
//! a real `banyan serve --demo` process. Each scenario saves screenshots (desktop and a 360 px
//! phone) to `target/e2e-artifacts`; axe-core (from npm, `crates/cli/tests/e2e`) checks every
//! page type for WCAG 2.1 AA violations; page weights are measured over real HTTP, compressed.
//!
//! Needs `chromium`, `chromium-driver` (Debian) and `npm ci --prefix crates/cli/tests/e2e`;
//! skips with the reason when they are missing, and fails when `CI=true`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use banyan_testkit::browser::{Browser, Driver, ENTER, TAB, artifacts_dir};
use serde_json::{Value, json};

use super::Server;

const ADMIN_EMAIL: &str = "ada@example.org";
const ADMIN_PASSWORD: &str = "correct horse battery staple";

fn axe_source() -> Result<String, String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .map_err(|_| format!("{} is missing: run `npm ci --prefix crates/cli/tests/e2e`", path.display()))
}

/// A demo node with an admin account, and a browser driver; `None` (skipped) without them.
async fn setup() -> Option<(Server, Driver, String, tempfile::TempDir)> {
    let axe = match axe_source() {
        Ok(a) => a,
        Err(why) => return banyan_testkit::skip(&why),
    };
    let driver = match Driver::start().await {
        Ok(d) => d,
        Err(why) => return banyan_testkit::skip(&why),
    };
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap().to_string();
    let mut create = Command::new(env!("CARGO_BIN_EXE_banyan"))
        .args(["user", "create", "--email", ADMIN_EMAIL, "--role", "admin", "--name", "Ada Admin", "--password-stdin"])
        .args(["--data-dir", &dir])
        .env_remove("BANYAN_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    create.stdin.take().unwrap().write_all(ADMIN_PASSWORD.as_bytes()).unwrap();
    assert!(create.wait().unwrap().success(), "the admin account is made");
    let server = Server::start(&["--demo".into(), "--data-dir".into(), dir]);
    Some((server, driver, axe, data))
}

fn shots() -> PathBuf {
    artifacts_dir(env!("CARGO_TARGET_TMPDIR"))
}

/// Screenshots of the current page at desktop and phone width.
async fn snap(b: &Browser, name: &str) {
    b.set_size(1280, 900).await;
    b.screenshot(&shots().join(format!("{name}-desktop.png"))).await;
    b.set_size(360, 780).await;
    b.screenshot(&shots().join(format!("{name}-mobile.png"))).await;
    b.set_size(1280, 900).await;
}

/// Runs axe-core on the current page and fails with every WCAG 2.1 A/AA violation found.
async fn accessible(b: &Browser, axe: &str, page: &str) {
    b.script(axe, json!([])).await;
    let violations = b
        .script_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 5).map(n => n.html + ' — ' + n.failureSummary)}))))
                .catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));",
            json!([]),
        )
        .await;
    let list = violations.as_array().cloned().unwrap_or_default();
    assert!(
        list.is_empty(),
        "axe-core finds WCAG 2.1 AA violations on the {page} page:\n{}",
        serde_json::to_string_pretty(&list).unwrap()
    );
}

/// The page does not scroll sideways at `width` pixels.
async fn fits(b: &Browser, width: u32, page: &str) {
    b.set_size(width, 800).await;
    let overflow = b
        .script("return document.documentElement.scrollWidth - document.documentElement.clientWidth;", json!([]))
        .await;
    // The innermost elements that stick out, to say what to fix.
    let culprits = b
        .script(
            "const w = document.documentElement.clientWidth;
             return [...document.querySelectorAll('body *')]
               .filter(e => e.getBoundingClientRect().right > w + 1 && ![...e.children].some(c => c.getBoundingClientRect().right > w + 1))
               .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className : ''));",
            json!([]),
        )
        .await;
    b.set_size(1280, 900).await;
    assert!(
        overflow.as_i64().unwrap_or(99) <= 0,
        "the {page} page scrolls sideways at {width} px by {overflow} px: {culprits}"
    );
}

async fn sign_in(b: &Browser, base: &str, email: &str, password: &str) {
    b.goto(&format!("{base}/login")).await;
    b.fill("#f-email", email).await;
    b.fill("#f-password", password).await;
    b.click_on("form[action='/login'] button[type=submit]").await;
    b.find(".notice").await;
}

/// Waits until `check` holds, for up to 10 s (the search index follows writes within a second).
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(Instant::now() < deadline, "{what} did not happen within 10 s");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn visitors_search_filter_read_switch_language_and_follow_the_map() {
    let Some((server, driver, axe, _data)) = setup().await else { return };
    let base = server.base.clone();
    let b = driver.session(1280, 900).await;

    // Home: what Banyan is, counts, featured practices, the map.
    b.goto(&format!("{base}/")).await;
    assert_eq!(b.script("return document.documentElement.lang;", json!([])).await, "en");
    assert!(b.text_of("h1").await.contains("What worked elsewhere"));
    assert!(b.find_all(".stats li").await.len() >= 5, "counts of every kind");
    assert!(!b.find_all(".cards li").await.is_empty(), "featured practices");
    accessible(&b, &axe, "home").await;
    fits(&b, 320, "home").await;
    snap(&b, "home").await;

    // Type-ahead: titles that begin with what was typed, offered under the box.
    let q = b.find("#home-q").await;
    b.click(&q).await;
    b.keys("Land mut").await;
    eventually("type-ahead suggestions", || async {
        let options = b
            .script("return [...document.querySelectorAll('#home-q-list option')].map(o => o.value);", json!([]))
            .await;
        options.as_array().is_some_and(|o| o.iter().any(|v| v.as_str().is_some_and(|t| t.starts_with("Land mutation"))))
    })
    .await;

    // Search → filter by country → filter by SDG → open a record.
    b.fill("#home-q", "clinic").await;
    b.keys(ENTER).await;
    b.find(".results .hits li").await;
    assert!(b.url().await.contains("q=clinic"));
    b.click_on(".facets a[href*='country=TH']").await;
    b.find(".chips").await;
    assert!(b.url().await.contains("country=TH"));
    b.click_on(".facets a[href*='sdg=3']").await;
    b.wait_text(".chips", "SDG 3").await;
    let url = b.url().await;
    assert!(url.contains("country=TH") && url.contains("sdg=3"), "the URL holds the whole search: {url}");
    let chips = b.text_of(".chips").await;
    assert!(chips.contains("Thailand") && chips.contains("SDG 3"), "active filters are shown: {chips}");
    let hits = b.find_all(".results .hits li").await;
    assert!(!hits.is_empty(), "clinics in Thailand for SDG 3");
    let first_title = b.text_of(".results .hits li h3 a").await;
    accessible(&b, &axe, "search").await;
    fits(&b, 320, "search").await;
    snap(&b, "search-filtered").await;
    // The same address, opened afresh, shows the same search: it can be shared.
    let shared = driver.session(1280, 900).await;
    shared.goto(&url).await;
    assert_eq!(shared.text_of(".results .hits li h3 a").await, first_title);
    shared.quit().await;
    // Removing one filter keeps the other.
    let remove = b.find(".chips a[data-facet='sdg']").await;
    let href = b.attribute(&remove, "href").await.unwrap();
    assert!(href.contains("country=TH") && !href.contains("sdg=3"), "removing SDG keeps the country: {href}");

    b.click_on(".results .hits li h3 a").await;
    b.wait_text("h1", &first_title).await;
    b.find("article.record").await;
    assert!(b.text_of(".facts").await.contains("Thailand"));
    assert!(!b.find_all(".badges a.sdg").await.is_empty(), "SDG badges");
    accessible(&b, &axe, "record").await;
    fits(&b, 320, "record").await;
    snap(&b, "record").await;

    // A practice with TCV figures shows them before and after.
    b.goto(&format!("{base}/search?q=land+mutation")).await;
    b.click_on(".results .hits li h3 a").await;
    let tcv = b.wait_text(".tcv", "Visits").await;
    assert!(tcv.contains("Visits") && tcv.contains("−80%"), "TCV before and after: {tcv}");
    snap(&b, "record-tcv").await;

    // A challenge shows the practices and solutions that could meet it, with reasons.
    b.goto(&format!("{base}/search?q=pharmacies&kind=challenge")).await;
    b.click_on(".results .hits li h3 a").await;
    let matches = b.wait_text(".matches", "could meet").await;
    assert!(matches.contains("Practices and solutions that could meet this challenge"), "{matches}");
    assert!(b.find_all(".matches .reasons li").await.len() >= 3, "each match says why");
    accessible(&b, &axe, "challenge").await;
    snap(&b, "challenge-matches").await;

    // The map links to a country page.
    b.goto(&format!("{base}/")).await;
    b.click_on("svg a[href='/countries/BD']").await;
    b.wait_text("h1", "Bangladesh").await;
    assert!(b.url().await.ends_with("/countries/BD"));
    assert!(!b.find_all("#records-heading ~ ul.hits li").await.is_empty(), "records about Bangladesh");
    accessible(&b, &axe, "country").await;
    fits(&b, 320, "country").await;
    snap(&b, "country").await;

    // Thai: the switcher, then a search in Thai.
    b.goto(&format!("{base}/")).await;
    b.click_on("footer a[hreflang='th']").await;
    b.wait_text("nav[aria-label] a[href='/search']", "สำรวจ").await;
    assert_eq!(b.script("return document.documentElement.lang;", json!([])).await, "th");
    b.fill("#home-q", "คิว").await;
    b.keys(ENTER).await;
    b.wait_text(".results", "นัดคิวโรงพยาบาล").await;
    assert!(b.text_of(".total").await.contains("รายการ"), "the count is in Thai");
    accessible(&b, &axe, "search (Thai)").await;
    snap(&b, "search-thai").await;
    // The choice is remembered: the next page is Thai too, with Thai dates.
    b.click_on(".results .hits li h3 a").await;
    b.wait_text(".facts", "พ.ศ.").await;
    assert_eq!(b.script("return document.documentElement.lang;", json!([])).await, "th");
    snap(&b, "record-thai").await;
    // Bengali home, with Bengali digits.
    b.goto(&format!("{base}/?hl=bn")).await;
    assert_eq!(b.script("return document.documentElement.lang;", json!([])).await, "bn");
    let stats = b.text_of(".stats").await;
    assert!(stats.chars().any(|c| ('০'..='৯').contains(&c)), "Bengali digits: {stats}");
    accessible(&b, &axe, "home (Bengali)").await;
    snap(&b, "home-bengali").await;

    // About and the API page.
    for path in ["/about?hl=en", "/api"] {
        b.goto(&format!("{base}{path}")).await;
        accessible(&b, &axe, path).await;
    }
    assert!(b.text_of("main").await.contains("GET /api/v1/search"), "the API page lists the operations");

    // A clear 404.
    b.goto(&format!("{base}/no/such/page?hl=en")).await;
    b.wait_text("h1", "Not found").await;
    accessible(&b, &axe, "not found").await;
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn impact_charts_adoptions_and_services_render_and_are_accessible() {
    let Some((server, driver, axe, _data)) = setup().await else { return };
    let base = server.base.clone();
    let b = driver.session(1280, 900).await;

    // The network dashboard: totals, the map, and every chart drawn, each with its table.
    b.goto(&format!("{base}/dashboard")).await;
    b.wait_text("h1", "Impact across the network").await;
    let stats = b.text_of(".stats").await;
    assert!(stats.contains("adoptions piloting or in use"), "{stats}");
    let charts = b.find_all("figure.chart svg.chart-svg").await.len();
    assert!(charts >= 10, "every chart is drawn: {charts}");
    assert!(!b.find_all("svg.chart-svg rect.bar-after").await.is_empty(), "before/after bars");
    assert!(!b.find_all("svg.chart-svg polyline.line").await.is_empty(), "savings over time");
    // Drawn with a size: the browser lays the bars out, not a zero-sized box.
    let width =
        b.script("return document.querySelector('svg.chart-svg').getBoundingClientRect().width;", json!([])).await;
    assert!(width.as_f64().unwrap_or(0.0) > 200.0, "the chart has a width: {width}");
    b.click_on("#chart-tcv-visits details summary").await;
    let table = b.text_of("#chart-tcv-visits table").await;
    assert!(table.contains("Mutation of land records"), "the chart's numbers as a table: {table}");
    accessible(&b, &axe, "dashboard (impact)").await;
    fits(&b, 320, "dashboard (impact)").await;
    snap(&b, "impact-dashboard").await;

    // Filtered to Bangladesh: the choice is kept and the downloads follow it.
    b.goto(&format!("{base}/dashboard?country=BD")).await;
    let csv = b
        .script("return document.querySelector('#chart-adoptions .chart-csv a').getAttribute('href');", json!([]))
        .await;
    assert!(csv.as_str().unwrap_or("").contains("country=BD"), "{csv}");

    // A practice: how it spread, who learned from whom, and its simplified service.
    b.goto(&format!("{base}/search?q=land+mutation")).await;
    b.click_on(".results .hits li h3 a").await;
    let spread = b.wait_text("section.adoptions", "Adopted in").await;
    assert!(spread.contains("Adopted in 2 places in 2 countries"), "{spread}");
    assert!(!b.find_all(".lineage ul ul li").await.is_empty(), "an adoption that learned from another");
    assert!(b.text_of("section.services").await.contains("Mutation of land records"));
    accessible(&b, &axe, "practice with adoptions").await;
    snap(&b, "practice-adoptions").await;

    // The service: before and after, its charts and each step.
    b.click_on("section.services h3 a").await;
    b.wait_text("h1", "Mutation of land records").await;
    assert!(b.text_of("table.tcv").await.contains("80%"), "five visits down to one");
    assert_eq!(b.find_all("figure.chart svg.chart-svg").await.len(), 3);
    accessible(&b, &axe, "service").await;
    fits(&b, 320, "service").await;
    snap(&b, "service").await;

    // The admin edits the service's steps and keeps the exchange rates.
    let admin = driver.session(1280, 900).await;
    sign_in(&admin, &base, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    admin.goto(&b.url().await).await;
    admin.click_on("details.card summary").await;
    admin.find("[id='f-m0.s0.actor']").await;
    accessible(&admin, &axe, "service form").await;
    admin.goto(&format!("{base}/admin/rates")).await;
    admin.wait_text("h1", "Exchange rates").await;
    accessible(&admin, &axe, "exchange rates").await;
    snap(&admin, "rates").await;
    admin.quit().await;
    b.quit().await;
}

/// The idea from the verification mail: the link's path and query, on this server.
async fn verification_link(b: &Browser, base: &str, email: &str) -> String {
    b.goto(&format!("{base}/admin/outbox")).await;
    let mails: Value =
        b.script("return [...document.querySelectorAll('article')].map(a => a.textContent);", json!([])).await;
    let mail = mails
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .find(|m| m.contains(email) && m.contains("/verify?token="))
        .unwrap_or_else(|| panic!("no verification mail to {email} in the outbox"))
        .to_string();
    let at = mail.find("/verify?token=").unwrap();
    let link: String = mail[at..].chars().take_while(|c| !c.is_whitespace()).collect();
    format!("{base}{link}")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_newcomer_signs_up_submits_an_idea_by_keyboard_and_a_curator_publishes_it() {
    let Some((server, driver, axe, _data)) = setup().await else { return };
    let base = server.base.clone();
    let user = driver.session(1280, 900).await;
    let admin = driver.session(1280, 900).await;
    let email = "rina@example.org";
    let password = "monsoon river ledger";

    // Sign up, confirm the address from the mail (read in the admin's outbox), sign in.
    user.goto(&format!("{base}/signup")).await;
    accessible(&user, &axe, "sign-up").await;
    user.fill("#f-name", "Rina Akter").await;
    user.fill("#f-email", email).await;
    user.fill("#f-password", password).await;
    user.click_on("form[action='/signup'] button[type=submit]").await;
    user.wait_text("h1", "Check your e-mail").await;
    sign_in(&admin, &base, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let link = verification_link(&admin, &base, email).await;
    user.goto(&link).await;
    user.click_on("form[action='/verify'] button[type=submit]").await;
    user.wait_text("h1", "confirmed").await;
    sign_in(&user, &base, email, password).await;

    // Submit an idea with the keyboard alone; forget the problem at first.
    user.goto(&format!("{base}/submit")).await;
    accessible(&user, &axe, "submit").await;
    snap(&user, "submit").await;
    // Tab from the top of the page: the skip link comes first.
    user.script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);", json!([])).await;
    user.keys(TAB).await;
    assert_eq!(user.focused().await["href"], "#main", "the skip link is the first stop");
    tab_to(&user, "f-title").await;
    let title = "Pension slips by SMS for tea garden workers";
    user.keys(title).await;
    tab_to(&user, "f-details.idea").await;
    user.keys("Send each worker an SMS with the amount and date of the payment, so nobody walks to the office to ask.")
        .await;
    tab_to(&user, "f-lang").await;
    user.keys("English").await;
    tab_to_button(&user, "submit").await;
    user.keys(ENTER).await;
    // The error is next to the field, and nothing typed is lost.
    let error = user.wait_text("#e-details\\.problem", "").await;
    assert!(!error.is_empty(), "the missing problem is named next to its field");
    let title_field = user.find("#f-title").await;
    assert_eq!(user.attribute(&title_field, "value").await.as_deref(), Some(title));
    let problem_field = user.find("#f-details\\.problem").await;
    assert_eq!(user.attribute(&problem_field, "aria-invalid").await.as_deref(), Some("true"));
    accessible(&user, &axe, "submit with errors").await;
    snap(&user, "submit-error").await;
    // Correct it, still by keyboard.
    user.script("document.getElementById('f-details.problem').focus();", json!([])).await;
    user.keys("Workers walk up to 12 km to the upazila office each month to learn whether their pension was paid.")
        .await;
    tab_to_button(&user, "submit").await;
    user.keys(ENTER).await;
    // A look-alike may be shown first ("Is your idea already here?"): submit anyway.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if user.url().await.contains("/my") {
            break;
        }
        if user.try_find("#dup-heading").await.is_some() {
            tab_to_button(&user, "submit").await;
            user.keys(ENTER).await;
            break;
        }
        assert!(Instant::now() < deadline, "the idea was neither accepted nor shown its look-alikes");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    user.wait_text(".notice", "Thank you").await;
    assert!(user.url().await.contains("/my"), "submitted: {}", user.url().await);
    assert!(user.text_of("main").await.contains(title));
    accessible(&user, &axe, "dashboard").await;
    snap(&user, "dashboard").await;

    // Not public yet.
    user.goto(&format!("{base}/search?q=tea+garden+pension")).await;
    assert!(user.find_all(".results .hits li").await.is_empty(), "a submission is not searchable");

    // The curator takes it into review and publishes it.
    admin.goto(&format!("{base}/review")).await;
    accessible(&admin, &axe, "review queue").await;
    let link = admin.find_link(title).await;
    admin.click(&link).await;
    admin.wait_text("h1", title).await;
    admin.click_on("form input[name=to][value=in_review] ~ button").await;
    admin.find(".notice").await;
    accessible(&admin, &axe, "review").await;
    snap(&admin, "review").await;
    admin.click_on("form input[name=to][value=published] ~ button").await;
    admin.find(".notice").await;

    // It appears in search, and its page reads well.
    eventually("the published idea appearing in search", || {
        let (user, base) = (&user, &base);
        async move {
            user.goto(&format!("{base}/search?q=tea+garden+pension")).await;
            user.text_of("main").await.contains(title)
        }
    })
    .await;
    user.click_on(".results .hits li h3 a").await;
    user.wait_text("h1", title).await;
    snap(&user, "published-idea").await;
    user.quit().await;
    admin.quit().await;
}

/// Presses Tab until the field with this id has the focus (at most 80 times).
async fn tab_to(b: &Browser, id: &str) {
    for _ in 0..80 {
        if b.focused().await["id"] == id {
            return;
        }
        b.keys(TAB).await;
    }
    panic!("Tab never reaches #{id}");
}

/// Presses Tab until the button with `name=action value=…` has the focus.
async fn tab_to_button(b: &Browser, value: &str) {
    for _ in 0..120 {
        let f = b.focused().await;
        if f["tag"] == "button" && f["name"] == "action" && f["value"] == value {
            return;
        }
        b.keys(TAB).await;
    }
    panic!("Tab never reaches the {value} button");
}
