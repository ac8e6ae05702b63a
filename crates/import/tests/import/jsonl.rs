use std::io::Cursor;

use banyan_import::export::{ExportOptions, csv, jsonl};
use banyan_import::{Quiet, Report};
use banyan_store::{RecordQuery, Visibility};
use banyan_testkit::{TestDb, backend_tests};

use crate::{BASE, options};

backend_tests!(an_export_imports_into_an_empty_node_exactly, exports_leave_out_what_the_public_may_not_see);

async fn export(db: &TestDb, all: bool) -> String {
    let mut out = Vec::new();
    jsonl(db.store.as_ref(), &mut out, ExportOptions { kind: None, all }, &Quiet).await.unwrap();
    String::from_utf8(out).unwrap()
}

async fn an_export_imports_into_an_empty_node_exactly(db: TestDb) {
    banyan_import::demo::load(db.store.as_ref(), BASE).await.unwrap();
    let text = export(&db, true).await;
    assert_eq!(text.lines().count(), 12 + 30, "organisations, then records");

    let target = if db.backend() == "sqlite" { TestDb::sqlite().await } else { TestDb::postgres().await.unwrap() };
    let mut report = Report::new("jsonl", false);
    banyan_import::jsonl::import(
        target.store.as_ref(),
        Cursor::new(text.as_bytes()),
        &options("jsonl", false),
        &Quiet,
        &mut report,
    )
    .await
    .unwrap();
    assert_eq!((report.created, report.organisations_created, report.skipped.len()), (30, 12, 0), "{report}");

    let all = RecordQuery { visibility: Visibility::All, limit: 100, ..Default::default() };
    let from = db.store.list_records(&all).await.unwrap().items;
    let to = target.store.list_records(&all).await.unwrap().items;
    assert_eq!(from.len(), to.len());
    for (a, b) in from.iter().zip(&to) {
        assert_eq!(
            (a.id, &a.uri, &a.slug, &a.content),
            (b.id, &b.uri, &b.slug, &b.content),
            "record {} survives the trip",
            a.id
        );
    }

    let mut again = Report::new("jsonl", false);
    banyan_import::jsonl::import(
        target.store.as_ref(),
        Cursor::new(text.as_bytes()),
        &options("jsonl", false),
        &Quiet,
        &mut again,
    )
    .await
    .unwrap();
    assert_eq!((again.created, again.updated, again.unchanged, again.organisations_created), (0, 0, 42, 0), "{again}");

    let mut broken = Report::new("jsonl", false);
    let lines = "not json\n{\"kind\": \"practice\", \"title\": \"No lang\"}\n{\"kind\":\"idea\",\"title\":\"Fine\",\"lang\":\"en\"}\n";
    banyan_import::jsonl::import(
        target.store.as_ref(),
        Cursor::new(lines.as_bytes()),
        &options("jsonl", false),
        &Quiet,
        &mut broken,
    )
    .await
    .unwrap();
    assert_eq!(broken.created, 1);
    assert_eq!(broken.skipped.iter().map(|s| s.what.as_str()).collect::<Vec<_>>(), ["line 1", "line 2"]);
}

async fn exports_leave_out_what_the_public_may_not_see(db: TestDb) {
    banyan_import::demo::load(db.store.as_ref(), BASE).await.unwrap();
    let public = export(&db, false).await;
    let all = export(&db, true).await;
    assert!(all.contains("ac-land@example.gov.bd"), "a full export keeps the contact");
    assert!(!public.contains("ac-land@example.gov.bd"), "a public export has no personal data");
    assert!(!public.contains("\"status\":\"draft\""), "nor drafts");
    let public_records = public.lines().filter(|l| !l.contains("\"kind\":\"organisation\"")).count();
    let published = db.store.list_records(&RecordQuery { limit: 100, ..Default::default() }).await.unwrap().total;
    assert_eq!(public_records as u64, published);

    let mut out = Vec::new();
    let n = csv(
        db.store.as_ref(),
        &mut out,
        ExportOptions { kind: Some(banyan_domain::Kind::Practice), all: false },
        &Quiet,
    )
    .await
    .unwrap();
    let mut reader = ::csv::Reader::from_reader(out.as_slice());
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), banyan_import::export::CSV_COLUMNS);
    let rows: Vec<_> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len() as u64, n);
    assert!(rows.iter().all(|r| &r[1] == "practice"));
    assert!(rows.iter().any(|r| &r[6] == "bn" && r[4].contains("সেবা")), "UTF-8 text survives");
}
