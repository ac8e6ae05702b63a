use banyan_testkit::{TestDb, backend_tests, shared_data};

use crate::{Server, banyan, get_json, stderr, stdout, summary_count};

backend_tests!(
    imports_of_both_registries_are_listed_over_http,
    tokens_made_on_the_command_line_work_over_http,
    exports_write_files,
    the_first_admin_is_made_on_the_command_line,
);

async fn imports_of_both_registries_are_listed_over_http(db: TestDb) {
    let Some(data) = shared_data() else { return };
    let dpg = data.join("dpg-publicgoods-candidates");
    let ips = data.join("ips-explorer/cases.json");
    let dry = banyan(&db, &["import", "dpg", dpg.to_str().unwrap(), "--dry-run"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(stdout(&dry).contains("dry run"));
    assert_eq!(db.count("records").await, 0, "a dry run writes nothing");

    let first = banyan(&db, &["import", "dpg", dpg.to_str().unwrap()]);
    assert!(first.status.success(), "{}", stderr(&first));
    let solutions = summary_count(&stdout(&first), "created");
    assert!(stderr(&first).contains("importing dpg"), "progress lines when not on a terminal: {}", stderr(&first));
    let second = banyan(&db, &["import", "ips", ips.to_str().unwrap()]);
    assert!(second.status.success(), "{}", stderr(&second));
    let practices = summary_count(&stdout(&second), "created");
    assert_eq!((solutions, practices), (567, 682));

    let server = Server::start(&db.cli_args());
    let listed = get_json(&server.url("/api/v1/records?kind=solution&limit=1")).await;
    assert_eq!(listed["total"], solutions);
    let listed = get_json(&server.url("/api/v1/records?kind=practice&limit=1")).await;
    assert_eq!(listed["total"], practices);
    let in_austria = get_json(&server.url("/api/v1/records?kind=practice&country=AT")).await;
    assert!(in_austria["total"].as_u64().unwrap() >= 5);

    // Again, while the server runs: nothing new.
    let again = banyan(&db, &["import", "dpg", dpg.to_str().unwrap()]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(summary_count(&stdout(&again), "created"), 0);
    assert_eq!(summary_count(&stdout(&again), "unchanged"), 567);
    let (clean, _) = server.stop();
    assert!(clean, "the server stops cleanly on SIGTERM");
}

async fn tokens_made_on_the_command_line_work_over_http(db: TestDb) {
    let made = banyan(&db, &["token", "create", "--role", "curator", "--name", "importer bot"]);
    assert!(made.status.success(), "{}", stderr(&made));
    let token = stdout(&made).trim().to_string();
    assert!(token.starts_with("banyan_"), "only the token on stdout: {token:?}");
    assert!(stderr(&made).contains("shown once"));
    assert!(!stderr(&made).contains(&token), "the secret is printed once");

    let server = Server::start(&db.cli_args());
    let client = reqwest::Client::new();
    let body = serde_json::json!({"kind": "idea", "title": "Posted with a CLI token", "lang": "en"});
    let created = client.post(server.url("/api/v1/records")).bearer_auth(&token).json(&body).send().await.unwrap();
    assert_eq!(created.status(), 201);

    let list = banyan(&db, &["token", "list"]);
    let listing = stdout(&list);
    assert!(
        listing.contains("importer bot") && listing.contains("curator") && listing.contains("last used"),
        "{listing}"
    );
    assert!(!listing.contains(&token));
    let id = listing.split_whitespace().next().unwrap().to_string();
    let revoked = banyan(&db, &["token", "revoke", &id]);
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    let refused = client.post(server.url("/api/v1/records")).bearer_auth(&token).json(&body).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    let twice = banyan(&db, &["token", "revoke", &id]);
    assert!(!twice.status.success());
}

async fn exports_write_files(db: TestDb) {
    let Some(data) = shared_data() else { return };
    let ips = data.join("ips-explorer/cases.json");
    assert!(banyan(&db, &["import", "ips", ips.to_str().unwrap()]).status.success());
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("practices.csv");
    let out = banyan(&db, &["export", "csv", "--kind", "practice", "--output", csv_path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("Exported 682 records"));
    let text = std::fs::read_to_string(&csv_path).unwrap();
    assert_eq!(text.lines().next().unwrap().split(',').next(), Some("id"));
    let jsonl = banyan(&db, &["export", "jsonl"]);
    assert!(jsonl.status.success());
    let records = stdout(&jsonl).lines().filter(|l| l.contains("\"kind\":\"practice\"")).count();
    assert_eq!(records, 682);
    let kinds = banyan(&db, &["export", "jsonl", "--kind", "solution"]);
    assert_eq!(stdout(&kinds).lines().filter(|l| l.contains("\"kind\":\"practice\"")).count(), 0);
}

#[test]
fn mistakes_on_the_command_line_fail_with_a_message() {
    let run = |args: &[&str], envs: &[(&str, &str)]| {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_banyan"));
        cmd.args(args).arg("--data-dir").arg(dir.path()).env_remove("BANYAN_DATABASE_URL");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    let missing = run(&["import", "dpg", "/nowhere/at/all"], &[]);
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("not a publicgoods-candidates folder"), "{}", stderr(&missing));
    let role = run(&["token", "create", "--role", "king"], &[]);
    assert!(!role.status.success());
    assert!(stderr(&role).contains("admin or curator"), "{}", stderr(&role));
    let url = run(&["token", "list"], &[("BANYAN_DATABASE_URL", "mysql://localhost/x")]);
    assert!(!url.status.success());
    assert!(stderr(&url).contains("postgres://"), "{}", stderr(&url));
    let config = run(&["--config", "/nowhere.toml", "token", "list"], &[]);
    assert!(stderr(&config).contains("does not exist"), "{}", stderr(&config));
    let format = run(&["export", "xml"], &[]);
    assert!(!format.status.success());
    let kind = run(&["export", "csv", "--kind", "poem"], &[]);
    assert!(stderr(&kind).contains("poem"), "{}", stderr(&kind));
    let jsonl = run(&["import", "jsonl", "/nowhere.jsonl"], &[]);
    assert!(!jsonl.status.success());
    let help = run(&["--help"], &[]);
    for word in ["serve", "import", "export", "token", "BANYAN_DATA_DIR"] {
        assert!(stdout(&help).contains(word), "help mentions {word}");
    }
}

async fn the_first_admin_is_made_on_the_command_line(db: TestDb) {
    // Without a password: a link to choose one.
    let made = banyan(&db, &["user", "create", "--role", "admin", "--email", "Admin@Example.gov"]);
    assert!(made.status.success(), "{}", stderr(&made));
    let link = stdout(&made).trim().to_string();
    assert!(link.contains("/reset/"), "{link}");
    let token = link.rsplit('/').next().unwrap().to_string();
    let again = banyan(&db, &["user", "create", "--email", "admin@example.gov"]);
    assert!(!again.status.success(), "one account per address");
    assert!(stderr(&again).contains("email"), "{}", stderr(&again));

    let server = Server::start(&db.cli_args());
    let client = reqwest::Client::new();
    let set = client
        .post(server.url("/api/v1/auth/reset/confirm"))
        .json(&serde_json::json!({"token": token, "password": "the admin's own passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let login = client
        .post(server.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "admin@example.gov", "password": "the admin's own passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let session: serde_json::Value = login.json().await.unwrap();
    assert_eq!(session["user"]["role"], "admin");
    let outbox = client
        .get(server.url("/api/v1/admin/outbox"))
        .bearer_auth(session["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(outbox.status(), 200, "an admin reads the outbox");

    // With a password on standard input; a weak one is refused.
    let mut weak = std::process::Command::new(env!("CARGO_BIN_EXE_banyan"))
        .args(["user", "create", "--role", "curator", "--email", "curator@example.gov", "--password-stdin"])
        .args(db.cli_args())
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    weak.stdin.take().unwrap().write_all(b"password\n").unwrap();
    let out = weak.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("common"));
    let role = banyan(&db, &["user", "role", "--email", "admin@example.gov", "--role", "curator"]);
    assert!(role.status.success(), "{}", stderr(&role));
}
