use banyan_domain::{Details, Kind, Level, OrgType, Stage};
use banyan_import::{Report, ips};
use banyan_store::{RecordQuery, RecordState};
use banyan_testkit::{TestDb, backend_tests, shared_data};

use crate::{import, total};

backend_tests!(the_ips_explorer_imports_idempotently);

async fn the_ips_explorer_imports_idempotently(db: TestDb) {
    let Some(data) = shared_data() else { return };
    let mut read = Report::new(ips::REGISTRY, false);
    let items = ips::read(&data.join("ips-explorer/cases.json"), &mut read).unwrap();
    assert_eq!(read.read, 682);
    assert!(read.skipped.is_empty(), "{:?}", read.skipped);
    let first = import(db.store.as_ref(), items.clone(), ips::REGISTRY, false).await;
    assert_eq!((first.created, first.updated, first.unchanged), (682, 0, 0), "{first}");
    assert_eq!(total(db.store.as_ref(), RecordQuery { kind: Some(Kind::Practice), ..Default::default() }).await, 682);

    let Some(RecordState::Live(ams)) = db.store.record_by_source("ips-explorer", "10000").await.unwrap() else {
        panic!()
    };
    assert_eq!(ams.content.title, "AMS - public empolyment service");
    assert_eq!(ams.content.places.iter().map(|p| p.code()).collect::<Vec<_>>(), ["AT"]);
    assert_eq!(ams.content.level_of_government, Some(Level::National));
    assert_eq!(
        ams.content.sectors.iter().map(|s| s.code()).collect::<Vec<_>>(),
        ["10", "10.5"],
        "division and group (Unemployment)"
    );
    assert!(ams.content.themes.iter().any(|t| t.as_str() == "artificial intelligence"));
    assert_eq!(ams.content.license.as_str(), "EUPL-1.2");
    assert!(ams.content.summary.as_ref().unwrap().chars().count() <= 500);
    let Details::Practice(p) = &ams.content.details else { panic!() };
    assert_eq!(p.stage, Some(Stage::Discontinued));
    assert_eq!(p.started_on.unwrap().to_string(), "2020");
    assert!(p.solution.as_ref().unwrap().contains("AMS algorithm"), "the full description is kept");
    assert!(p.contact.is_none());
    let org = db.store.organisation(ams.content.organisation.unwrap()).await.unwrap().unwrap();
    assert_eq!(org.content.name, "Public Employment Service Austria");
    assert_eq!(org.content.org_type, OrgType::Government);
    assert_eq!(org.content.country.map(|c| c.code()), Some("AT"));
    assert_eq!(ams.content.source.as_ref().unwrap().url.as_ref().unwrap().host(), "www.frontiersin.org");

    // Czech cases name the country but give no code.
    let czech = db
        .store
        .list_records(&RecordQuery {
            country: Some(banyan_domain::CountryCode::parse("CZ").unwrap()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(czech.total >= 2, "Czech Republic mapped by name");
    assert!(read.notes.keys().any(|n| n.contains("European Union")), "unmapped places are reported: {read}");

    let second = import(db.store.as_ref(), items, ips::REGISTRY, false).await;
    assert_eq!((second.created, second.updated, second.unchanged), (0, 0, 682), "{second}");
}

#[test]
fn a_file_that_is_not_a_list_of_cases_is_an_error() {
    let path = std::env::temp_dir().join(format!("banyan-ips-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&path, "{\"cases\": 1}").unwrap();
    let mut report = Report::new(ips::REGISTRY, false);
    let err = ips::read(&path, &mut report).unwrap_err();
    assert!(format!("{err:#}").contains("not a JSON list of cases"));
    std::fs::write(&path, "[{\"id\": 1}, {\"id\": 2, \"name\": \"A case\", \"description\": \"It works.\"}]").unwrap();
    let items = ips::read(&path, &mut report).unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(report.skipped.len(), 1);
    assert!(report.skipped[0].what.contains("ips-explorer:1"), "{:?}", report.skipped);
    std::fs::remove_file(path).unwrap();
}
