//! Schemathesis (PyPI), a property-based API tester no one here wrote, against the OpenAPI
//! document of a running `banyan serve --demo`: anonymously and with an admin's token, every
//! operation gets generated requests (examples, boundary values, then random ones), and every
//! answer must be no server error, with a status, a content type and a body the document
//! names. On both backends.
//!
//! `BANYAN_SCHEMATHESIS_EXAMPLES` sets the examples per operation (100 by default, as in CI);
//! `BANYAN_SCHEMATHESIS_SEED` replays a run (CI uses a fixed seed, so that a failure repeats).

use std::process::Command;

use banyan_testkit::{TestDb, backend_tests, skip};

use super::{Server, banyan, stderr, stdout};

backend_tests!(schemathesis_finds_no_server_error_and_no_answer_outside_the_schema);

fn schemathesis(base: &str, auth: Option<&str>) -> Option<std::process::Output> {
    let examples = std::env::var("BANYAN_SCHEMATHESIS_EXAMPLES").unwrap_or_else(|_| "100".into());
    let seed = std::env::var("BANYAN_SCHEMATHESIS_SEED").unwrap_or_else(|_| "20261125".into());
    let mut cmd = Command::new("python3");
    cmd.args(["-m", "schemathesis.cli", "run", &format!("{base}/api/v1/openapi.json")])
        .args([
            "--checks",
            "not_a_server_error,response_schema_conformance,content_type_conformance,status_code_conformance",
        ])
        .args(["--phases", "examples,coverage,fuzzing", "--workers", "2", "--no-color"])
        .args(["--max-examples", &examples, "--seed", &seed, "--request-timeout", "30"])
        .env("SCHEMATHESIS_TELEMETRY", "false");
    if let Some(token) = auth {
        cmd.args(["--header", &format!("Authorization: Bearer {token}")]);
    }
    match cmd.output() {
        Ok(out) if String::from_utf8_lossy(&out.stderr).contains("No module named") => {
            skip("Schemathesis is not installed (.ci/requirements.txt)")
        }
        Ok(out) => Some(out),
        Err(e) => skip(&format!("python3 cannot run: {e}")),
    }
}

async fn schemathesis_finds_no_server_error_and_no_answer_outside_the_schema(db: TestDb) {
    let made = banyan(&db, &["token", "create", "--role", "admin", "--name", "schemathesis"]);
    assert!(made.status.success(), "{}", stderr(&made));
    let token = stdout(&made).trim().to_string();
    let server = Server::start(&[&["--demo".to_string()][..], &db.cli_args()].concat());
    let base = server.base.clone();
    for (who, auth) in [("anonymous", None), ("admin", Some(token.as_str()))] {
        let Some(out) = tokio::task::spawn_blocking({
            let (base, auth) = (base.clone(), auth.map(str::to_string));
            move || schemathesis(&base, auth.as_deref())
        })
        .await
        .unwrap() else {
            return;
        };
        let report = stdout(&out);
        let summary = report.lines().rev().find(|l| l.contains(" in ") && l.starts_with('=')).unwrap_or("");
        assert!(out.status.success(), "Schemathesis ({who}) found failures:\n{report}\n{}", stderr(&out));
        assert!(report.contains("passed"), "{report}");
        eprintln!("Schemathesis, {who}: {summary}");
    }
    let (clean, log) = server.stop();
    assert!(clean, "the server stops cleanly");
    assert!(!log.contains("panicked"), "the server panicked:\n{log}");
}
