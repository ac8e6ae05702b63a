use banyan_domain::{Details, Kind, OrgType, PartnerRole};
use banyan_import::{Report, dpg};
use banyan_store::{RecordQuery, RecordState};
use banyan_testkit::{TestDb, backend_tests, shared_data};

use crate::{import, total};

backend_tests!(
    the_dpg_registry_imports_idempotently,
    a_changed_product_becomes_a_new_revision,
    a_dry_run_writes_nothing
);

fn read() -> Option<(Vec<banyan_import::Item>, Report)> {
    let dir = shared_data()?.join("dpg-publicgoods-candidates");
    let mut report = Report::new(dpg::REGISTRY, false);
    let items = dpg::read(&dir, &mut report).unwrap();
    Some((items, report))
}

async fn the_dpg_registry_imports_idempotently(db: TestDb) {
    let Some((items, read_report)) = read() else { return };
    // 190 files in nominees/ and 381 in archive/, four products in both.
    assert_eq!(read_report.read, 567);
    assert!(read_report.skipped.is_empty(), "{:?}", read_report.skipped);
    assert_eq!(items.len(), 567);
    let first = import(db.store.as_ref(), items.clone(), dpg::REGISTRY, false).await;
    assert_eq!((first.created, first.updated, first.unchanged), (567, 0, 0), "{first}");
    assert!(first.skipped.is_empty(), "{first}");
    assert_eq!(total(db.store.as_ref(), RecordQuery { kind: Some(Kind::Solution), ..Default::default() }).await, 567);

    // Spot checks against the source files.
    let Some(RecordState::Live(accessmod)) = db.store.record_by_source("dpg", "accessmod").await.unwrap() else {
        panic!()
    };
    assert_eq!(accessmod.content.title, "AccessMod");
    assert_eq!(accessmod.content.sdgs.iter().map(|s| s.code()).collect::<Vec<_>>(), ["3"]);
    assert_eq!(accessmod.content.sectors.iter().map(|s| s.code()).collect::<Vec<_>>(), ["07"]);
    assert_eq!(accessmod.content.source.as_ref().unwrap().status.as_deref(), Some("DPG"));
    let Details::Solution(s) = &accessmod.content.details else { panic!() };
    assert_eq!(s.open_source_license.as_ref().unwrap().as_str(), "LGPL-3.0");
    assert_eq!(s.developed_in.iter().map(|p| p.code()).collect::<Vec<_>>(), ["CH"], "from the screening file");
    assert_eq!(s.website.as_ref().unwrap().as_str(), "https://www.accessmod.org/");
    assert_eq!(s.repositories[0].url.as_str(), "https://github.com/fxi/AccessMod_shiny");
    let lead = db.store.organisation(accessmod.content.organisation.unwrap()).await.unwrap().unwrap();
    assert_eq!(lead.content.name, "University of Geneva, GeoHealth group");
    assert_eq!(lead.content.org_type, OrgType::Academic);
    let funder = s.partners.iter().find(|p| p.role == Some(PartnerRole::Funder)).unwrap();
    assert_eq!(funder.name, "The World Health Organization");
    let who = db.store.organisation(funder.organisation.unwrap()).await.unwrap().unwrap();
    assert_eq!(who.content.org_type, OrgType::International);

    // In both folders: one record, the nominees/ copy.
    let Some(RecordState::Live(growstuff)) = db.store.record_by_source("dpg", "growstuff").await.unwrap() else {
        panic!()
    };
    assert_eq!(growstuff.content.title, "Growstuff");
    assert_eq!(growstuff.content.source.as_ref().unwrap().status.as_deref(), Some("nominee"));
    // Only in archive/: archived.
    let Some(RecordState::Live(geonode)) = db.store.record_by_source("dpg", "geonode").await.unwrap() else { panic!() };
    assert_eq!(geonode.content.source.as_ref().unwrap().status.as_deref(), Some("archived"));

    // Personal contact data in the source is not imported.
    let everything = banyan_import::export::jsonl_string(db.store.as_ref()).await;
    assert!(!everything.contains("nicolas.ray@unige.ch"));
    assert!(!everything.contains("Nicolas Ray"));

    let second = import(db.store.as_ref(), items, dpg::REGISTRY, false).await;
    assert_eq!(
        (second.created, second.updated, second.unchanged, second.organisations_created),
        (0, 0, 567, 0),
        "{second}"
    );
    assert_eq!(db.count("records").await, 567);
}

async fn a_changed_product_becomes_a_new_revision(db: TestDb) {
    let Some((items, _)) = read() else { return };
    let few: Vec<_> =
        items.into_iter().filter(|i| ["dpg:accessmod", "dpg:altinn", "dpg:bahmni"].contains(&i.key.as_str())).collect();
    assert_eq!(few.len(), 3);
    import(db.store.as_ref(), few.clone(), dpg::REGISTRY, false).await;
    let mut changed = few.clone();
    changed[0].input.content.summary = Some("A new description from the registry.".into());
    let report = import(db.store.as_ref(), changed, dpg::REGISTRY, false).await;
    assert_eq!((report.created, report.updated, report.unchanged), (0, 1, 2), "{report}");
    let key = few[0].key.trim_start_matches("dpg:");
    let Some(RecordState::Live(r)) = db.store.record_by_source("dpg", key).await.unwrap() else { panic!() };
    assert_eq!(r.version, 2);
    let revisions = db.store.revisions(r.id).await.unwrap();
    assert_eq!(revisions.len(), 2);
    assert_ne!(revisions[0].record.content.summary, revisions[1].record.content.summary);
}

async fn a_dry_run_writes_nothing(db: TestDb) {
    let Some((items, _)) = read() else { return };
    let report = import(db.store.as_ref(), items, dpg::REGISTRY, true).await;
    assert_eq!(report.created, 567);
    assert!(report.organisations_created > 300, "{report}");
    assert_eq!(db.count("records").await, 0);
    assert_eq!(db.count("organisations").await, 0);
}

#[test]
fn a_malformed_file_is_reported_by_path_and_the_rest_imports() {
    let Some(data) = shared_data() else { return };
    let dir = tempfile_dir();
    let nominees = dir.join("nominees");
    std::fs::create_dir_all(&nominees).unwrap();
    for f in ["accessmod.json", "altinn.json"] {
        std::fs::copy(data.join("dpg-publicgoods-candidates/nominees").join(f), nominees.join(f)).unwrap();
    }
    std::fs::write(nominees.join("broken.json"), "{\"name\": ").unwrap();
    std::fs::write(nominees.join("not-a-product.json"), "[1, 2]").unwrap();
    let mut report = Report::new(dpg::REGISTRY, false);
    let items = dpg::read(&dir, &mut report).unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(report.read, 4);
    let skipped: Vec<&str> = report.skipped.iter().map(|s| s.what.as_str()).collect();
    assert!(skipped.iter().any(|s| s.ends_with("nominees/broken.json")), "{skipped:?}");
    assert!(skipped.iter().any(|s| s.ends_with("nominees/not-a-product.json")), "{skipped:?}");
    assert!(dpg::read(&dir.join("nowhere"), &mut report).is_err(), "a folder that is not the registry is an error");
    std::fs::remove_dir_all(dir).unwrap();
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("banyan-dpg-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
