//! The short version of `banyan bench load` (docs/load.md has the full run's figures): a
//! small registry under a few seconds of mixed reads and writes from wrk, and the comparison with
//! nginx, on both backends. It asserts what does not depend on the machine's speed: no errors
//! (no busy database surfacing as a 500, no refused connection), a report with every section,
//! and a clean stop. Timings are the benchmark's business, not a test's.

use banyan_testkit::{in_ci, skip};

fn have(tool: &str, arg: &str) -> bool {
    std::process::Command::new(tool).arg(arg).output().is_ok()
}

#[test]
fn a_short_load_run_has_no_errors_on_either_backend() {
    if !have("wrk", "--version") || !have("nginx", "-v") {
        skip::<()>("wrk and nginx are not installed (Debian packages wrk and nginx-light; .ci/run installs them)");
        return;
    }
    let postgres = std::env::var("BANYAN_TEST_POSTGRES_URL").ok();
    if postgres.is_none() {
        assert!(!in_ci(), "CI=true but BANYAN_TEST_POSTGRES_URL is not set");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("load.md");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_banyan"));
    cmd.args(["bench", "load", "--records", "1500", "--connections", "20", "--seconds", "4"])
        .args(["--ceiling-seconds", "2", "--soak-seconds", "0", "--rest-seconds", "0"])
        .arg("--dir")
        .arg(dir.path().join("work"))
        .arg("--out")
        .arg(&out)
        .env_remove("BANYAN_DATABASE_URL");
    match &postgres {
        Some(url) => cmd.args(["--backends", "sqlite,postgres", "--postgres-url", url]),
        None => cmd.args(["--backends", "sqlite"]),
    };
    let run = cmd.output().unwrap();
    let report = std::fs::read_to_string(&out)
        .unwrap_or_else(|e| panic!("no report ({e}): {}", String::from_utf8_lossy(&run.stderr)));
    let sections = report.matches("\n## ").count();
    assert_eq!(sections, if postgres.is_some() { 2 } else { 1 }, "{report}");
    assert_eq!(report.matches("- no errors: 0 on reads, 0 on writes — met").count(), sections, "{report}");
    assert_eq!(report.matches("stopped cleanly on SIGTERM afterwards — met").count(), sections, "{report}");
    assert_eq!(report.matches("| record page |").count(), sections, "the comparison with nginx: {report}");
    // The writers keep to about one request in ten, whatever the speed of reads and writes.
    for share in report.split("Writes were ").skip(1) {
        let share: f64 = share.split('%').next().unwrap().parse().unwrap();
        assert!((3.0..=20.0).contains(&share), "writes were {share}% of the requests: {report}");
    }
    // Whether the latency targets were met depends on the machine and the build: the command
    // says so in its exit status, which is not asserted here.
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success() || stderr.contains("targets missed"), "{stderr}");

    // Re-running one backend keeps the other's section as it was, and the order of the two.
    if postgres.is_some() {
        let section = |report: &str, heading: &str| {
            let at = report.find(heading).unwrap_or_else(|| panic!("no {heading} in {report}"));
            report[at..].split("\n## ").next().unwrap().to_string()
        };
        let again = std::process::Command::new(env!("CARGO_BIN_EXE_banyan"))
            .args(["bench", "load", "--records", "300", "--connections", "4", "--seconds", "1"])
            .args(["--ceiling-seconds", "0", "--soak-seconds", "0", "--rest-seconds", "0", "--backends", "sqlite"])
            .arg("--dir")
            .arg(dir.path().join("again"))
            .arg("--out")
            .arg(&out)
            .env_remove("BANYAN_DATABASE_URL")
            .output()
            .unwrap();
        let rerun = std::fs::read_to_string(&out).unwrap();
        assert!(rerun.contains("## SQLite, 300 records"), "{rerun}\n{}", String::from_utf8_lossy(&again.stderr));
        assert_eq!(section(&rerun, "## PostgreSQL,"), section(&report, "## PostgreSQL,"));
        assert!(rerun.find("## SQLite,") < rerun.find("## PostgreSQL,"), "{rerun}");
        assert_eq!(rerun.matches("\n## ").count(), 2, "{rerun}");
    }
}

#[test]
fn an_unknown_backend_is_refused_by_name_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("load.md");
    for (flag, value) in [("--backends", "sqlite,mysql"), ("--soak-on", "mysql")] {
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_banyan"))
            .args(["bench", "load", flag, value, "--dir"])
            .arg(dir.path().join("work"))
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{flag} {value} was taken");
        assert!(stderr.contains(flag) && stderr.contains("\"mysql\""), "{stderr}");
        assert!(!out.exists() && !dir.path().join("work").exists(), "{flag} {value} wrote something");
    }
}
