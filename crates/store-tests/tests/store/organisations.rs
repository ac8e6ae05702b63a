use banyan_domain::{CountryCode, OrgType, OrganisationInput};
use banyan_store::{OrganisationQuery, StoreError};
use banyan_testkit::{TestDb, backend_tests};
use serde_json::json;

use crate::curator;

backend_tests!(organisations_are_created_found_and_listed, one_name_per_country, organisations_are_versioned);

fn org(name: &str, country: Option<&str>) -> OrganisationInput {
    OrganisationInput::from_json(&json!({"name": name, "type": "government", "country": country})).unwrap()
}

async fn organisations_are_created_found_and_listed(db: TestDb) {
    let a2i = db
        .store
        .create_organisation(
            banyan_domain::OrganisationId::new(),
            org("Aspire to Innovate (a2i)", Some("BD")),
            &curator(),
        )
        .await
        .unwrap();
    assert_eq!(a2i.slug.as_str(), "aspire-to-innovate-a2i");
    let bd = CountryCode::parse("BD").unwrap();
    let found = db.store.organisation_by_name("  aspire TO innovate (A2I) ", Some(bd)).await.unwrap().unwrap();
    assert_eq!(found.id, a2i.id);
    assert!(db.store.organisation_by_name("Aspire to Innovate (a2i)", None).await.unwrap().is_none());
    assert_eq!(db.store.organisation(a2i.id).await.unwrap().unwrap(), a2i);

    for name in ["Zeta unit", "Beta unit", "alpha unit", "Gamma unit"] {
        db.store.create_organisation(banyan_domain::OrganisationId::new(), org(name, None), &curator()).await.unwrap();
    }
    let mut names = Vec::new();
    let mut cursor = None;
    loop {
        let page =
            db.store.list_organisations(&OrganisationQuery { limit: 2, cursor, ..Default::default() }).await.unwrap();
        assert_eq!(page.total, 5);
        names.extend(page.items.iter().map(|o| o.content.name.clone()));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(names, ["alpha unit", "Aspire to Innovate (a2i)", "Beta unit", "Gamma unit", "Zeta unit"]);
    let in_bd =
        OrganisationQuery { country: Some(bd), org_type: Some(OrgType::Government), limit: 10, ..Default::default() };
    assert_eq!(db.store.list_organisations(&in_bd).await.unwrap().total, 1);
}

async fn one_name_per_country(db: TestDb) {
    db.store
        .create_organisation(banyan_domain::OrganisationId::new(), org("Ministry of Health", Some("BD")), &curator())
        .await
        .unwrap();
    db.store
        .create_organisation(banyan_domain::OrganisationId::new(), org("Ministry of Health", Some("TH")), &curator())
        .await
        .unwrap();
    let err = db
        .store
        .create_organisation(banyan_domain::OrganisationId::new(), org("ministry of health", Some("BD")), &curator())
        .await
        .unwrap_err();
    let StoreError::Invalid(v) = err else { panic!("{err:?}") };
    assert_eq!(v.fields(), ["name"]);
    assert_eq!(db.count("organisations").await, 2);
}

async fn organisations_are_versioned(db: TestDb) {
    let o = db
        .store
        .create_organisation(banyan_domain::OrganisationId::new(), org("District office", Some("BD")), &curator())
        .await
        .unwrap();
    let updated = db
        .store
        .update_organisation(o.id, 1, org("District Commissioner's Office", Some("BD")), &curator())
        .await
        .unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.slug, o.slug);
    let stale = db.store.update_organisation(o.id, 1, org("Again", Some("BD")), &curator()).await.unwrap_err();
    assert!(matches!(stale, StoreError::Conflict { .. }));
    let changes = db.store.changes_since(0, 10).await.unwrap();
    assert_eq!(changes.len(), 2);
    assert!(changes.iter().all(|c| c.entity == banyan_store::Entity::Organisation));
}
