use banyan_testkit::TestDb;

use crate::{Server, get_json};

#[tokio::test]
async fn serve_demo_in_a_data_folder_loads_once() {
    let db = TestDb::sqlite().await;
    let first = Server::start(&[&["--demo".to_string()][..], &db.cli_args()].concat());
    assert!(first.banner.contains("Loaded demo content: 12 organisations, 30 records"), "{}", first.banner);
    let records = get_json(&first.url("/api/v1/records?limit=100")).await;
    let published = records["total"].as_u64().unwrap();
    assert!(published >= 20, "most demo records are published");
    assert!(
        records["items"].as_array().unwrap().iter().all(|r| r["details"].get("contact").is_none_or(|c| c.is_null()))
    );
    let health = get_json(&first.url("/healthz")).await;
    assert_eq!(health["status"], "ok");
    let (clean, bye) = first.stop();
    assert!(clean);
    assert!(bye.contains("Stopped"), "{bye}");

    let second = Server::start(&[&["--demo".to_string()][..], &db.cli_args()].concat());
    assert!(second.banner.contains("already holds content"), "{}", second.banner);
    assert_eq!(get_json(&second.url("/api/v1/records?limit=1")).await["total"].as_u64().unwrap(), published);
}

#[tokio::test]
async fn serve_demo_alone_uses_a_folder_it_removes() {
    let server = Server::start(&["--demo".to_string()]);
    let folder = server.banner.split("SQLite in ").nth(1).and_then(|r| r.split(',').next()).unwrap().to_string();
    assert!(std::path::Path::new(&folder).is_dir(), "{folder}");
    assert_eq!(get_json(&server.url("/api/v1/vocabularies/sdg")).await["items"].as_array().unwrap().len(), 186);
    let (clean, _) = server.stop();
    assert!(clean);
    assert!(!std::path::Path::new(&folder).exists(), "the throw-away folder is gone");
}

/// SIGTERM the moment the server says it is serving stops it cleanly: the handler is in place
/// before the banner (it was once installed only when first polled, and an early signal killed
/// the process, leaving the demo's folder behind).
#[tokio::test]
async fn a_signal_right_after_the_banner_stops_the_server_cleanly() {
    for _ in 0..3 {
        let server = Server::start(&["--demo".to_string()]);
        let folder = server.banner.split("SQLite in ").nth(1).and_then(|r| r.split(',').next()).unwrap().to_string();
        let (clean, bye) = server.stop();
        assert!(clean, "{bye}");
        assert!(!std::path::Path::new(&folder).exists(), "the throw-away folder is gone");
    }
}
