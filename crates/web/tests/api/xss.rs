//! Stored and reflected XSS: a few hundred payloads in every text field of records and in query
//! parameters; every page that shows them, parsed as a browser parses it (Python's
//! html.parser), carries no injected script, event handler or `javascript:` URL.

use banyan_domain::RecordInput;
use banyan_domain::record::InputMode;
use banyan_store::{Actor, NewRecord};
use banyan_testkit::{TestDb, backend_tests};
use serde_json::json;

use crate::TestApp;

backend_tests!(payloads_in_fields_and_parameters_never_run);

const VECTORS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "<a href=\"javascript:alert(1)\">x</a>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "<iframe src=javascript:alert(1)>",
    "<body onload=alert(1)>",
    "{{7*7}}<script>alert(1)</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "--><script>alert(1)</script>",
    "]]><script>alert(1)</script>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<object data=javascript:alert(1)>",
    "<scr<script>ipt>alert(1)</script>",
    "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    "<base href=javascript:alert(1)//>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "</script><script>alert(1)</script>",
    "<style>@import'javascript:alert(1)';</style>",
    "\" onmouseover=\"alert(1)",
];
const AROUND: &[(&str, &str)] = &[
    ("", ""),
    ("Queues ", ""),
    ("\"", "\""),
    ("'", "'"),
    ("`", " end"),
    ("<b>", "</b>"),
    ("&amp;", ""),
    ("Land ", " records"),
];

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn payloads_in_fields_and_parameters_never_run(db: TestDb) {
    let app = TestApp::start(db).await;
    let payloads: Vec<String> =
        AROUND.iter().flat_map(|(a, b)| VECTORS.iter().map(move |v| format!("{a}{v}{b}"))).collect();
    assert!(payloads.len() >= 200);
    let mut batch = Vec::new();
    for (i, p) in payloads.iter().enumerate() {
        let v = json!({"kind": "practice", "title": format!("P{i} {p}"), "lang": "en", "status": "published",
            "summary": p, "places": ["BD-13"], "sdgs": ["16.6"], "themes": ["queues"],
            "details": {"problem": p, "solution": format!("{p} solution"), "results": p, "lessons": p}});
        if let Ok(input) = RecordInput::from_json(&v, InputMode::Create) {
            batch.push(NewRecord::local(input, &app.base));
        }
    }
    assert!(batch.len() >= payloads.len() * 9 / 10, "most payloads are accepted as text: {}", batch.len());
    let ids = app.db.store.create_records(&batch, &Actor::cli()).await.unwrap();
    app.sync().await;

    let mut paths: Vec<String> = ids.iter().map(|id| format!("/records/{id}")).collect();
    for p in &payloads {
        paths.push(format!("/search?q={}", enc(p)));
    }
    for p in payloads.iter().take(40) {
        let e = enc(p);
        paths.extend([
            format!("/search?q=queues&country={e}"),
            format!("/dashboard?country={e}"),
            format!("/countries/{e}"),
            format!("/records/{e}"),
            format!("/login?next={e}"),
            format!("/?hl={e}"),
        ]);
    }
    paths.extend(["/".into(), "/search?q=queues".into(), "/countries/BD".into(), "/dashboard".into()]);
    let list = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(list.path(), paths.join("\n")).unwrap();
    let (base, file) = (app.base.clone(), list.path().to_path_buf());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .args([concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/xss_check.py"), &base, file.to_str().unwrap()])
            .output()
    })
    .await
    .unwrap();
    let out = match out {
        Ok(o) => o,
        Err(e) => {
            banyan_testkit::skip::<()>(&format!("python3 cannot run: {e}"));
            return;
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "injected markup found:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains(&format!("checked {} pages", paths.len())), "{stdout}");
}
