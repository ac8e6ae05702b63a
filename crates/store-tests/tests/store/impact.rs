//! Adoptions, services with their process maps, and exchange rates, on both backends.

use banyan_domain::sps::{Rate, Rates};
use banyan_domain::validate::{Checker, Path};
use banyan_domain::{
    AdoptionInput, AdoptionStatus, CurrencyCode, OrganisationId, OrganisationInput, RecordId, ServiceInput,
};
use banyan_store::{Entity, StoreError};
use banyan_testkit::{TestDb, backend_tests, fixtures};
use serde_json::{Value, json};

use crate::{curator, new_record};

backend_tests!(
    adoptions_keep_their_lineage_and_refuse_what_does_not_fit,
    a_stale_change_to_an_adoption_is_refused_and_changes_nothing,
    services_keep_their_process_maps_and_stay_with_their_practice,
    exchange_rates_are_replaced_whole_with_versions,
);

fn read<T>(v: Value, f: impl FnOnce(&mut Checker, &mut banyan_domain::validate::Obj<'_>) -> Option<T>) -> T {
    let mut c = Checker::new();
    let mut o = c.object(Path::root(), &v);
    let out = f(&mut c, &mut o);
    c.done(o);
    c.finish(()).unwrap();
    out.unwrap()
}

fn adoption(org: OrganisationId, place: &str, on: &str, from: Option<banyan_domain::AdoptionId>) -> AdoptionInput {
    read(
        json!({"organisation_id": org.to_string(), "place": place, "adopted_on": on, "status": "in_use",
               "adaptations": "Forms in Thai", "learned_from": from.map(|f| f.to_string())}),
        AdoptionInput::read,
    )
}

async fn practice(db: &TestDb, title: &str) -> RecordId {
    let input = fixtures::input(&fixtures::practice(title));
    db.store.create_record(new_record(input), &curator()).await.unwrap().id
}

async fn org(db: &TestDb, name: &str) -> OrganisationId {
    let input = OrganisationInput::from_json(&json!({"name": name, "type": "government", "country": "TH"})).unwrap();
    db.store.create_organisation(OrganisationId::new(), input, &curator()).await.unwrap().id
}

fn field(e: StoreError) -> Vec<String> {
    match e {
        StoreError::Invalid(v) => v.fields().iter().map(|f| f.to_string()).collect(),
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn adoptions_keep_their_lineage_and_refuse_what_does_not_fit(db: TestDb) {
    let p = practice(&db, "One-stop land services").await;
    let other = practice(&db, "Clinic queues by SMS").await;
    let (khon_kaen, vientiane) = (org(&db, "Khon Kaen Province").await, org(&db, "Vientiane Capital").await);
    let before = db.store.last_seq().await.unwrap();

    let first =
        db.store.create_adoption(p, &adoption(khon_kaen, "TH-40", "2024-03-01", None), &curator()).await.unwrap();
    assert_eq!((first.version, first.input.status), (1, AdoptionStatus::InUse));
    // The practice is marked changed, so its index entry (its adoption count) is rebuilt.
    let changes = db.store.changes_since(before, 10).await.unwrap();
    assert!(changes.iter().any(|c| c.entity == Entity::Record && c.id == p.0), "{changes:?}");

    let second = db
        .store
        .create_adoption(p, &adoption(vientiane, "LA", "2023-11-01", Some(first.id)), &curator())
        .await
        .unwrap();
    let listed = db.store.adoptions(Some(p)).await.unwrap();
    assert_eq!(listed.iter().map(|a| a.id).collect::<Vec<_>>(), vec![second.id, first.id], "in the order adopted");
    assert_eq!(db.store.adoption(second.id).await.unwrap().unwrap(), second);
    assert_eq!(db.store.adoptions(None).await.unwrap().len(), 2);

    // Learning from an adoption of another practice, closing a cycle, adopting a record that is
    // not a practice, or naming an organisation that does not exist: each refused by field.
    let elsewhere =
        db.store.create_adoption(other, &adoption(khon_kaen, "TH", "2024-01-01", None), &curator()).await.unwrap();
    let e = db.store.create_adoption(p, &adoption(vientiane, "LA", "2024-01-01", Some(elsewhere.id)), &curator()).await;
    assert_eq!(field(e.unwrap_err()), ["learned_from"]);
    let cycle = adoption(khon_kaen, "TH-40", "2024-03-01", Some(second.id));
    assert_eq!(field(db.store.save_adoption(first.id, &cycle, 1, &curator()).await.unwrap_err()), ["learned_from"]);
    let challenge = fixtures::input(&json!({"kind": "challenge", "title": "Queues", "lang": "en", "details": {}}));
    let challenge = db.store.create_record(new_record(challenge), &curator()).await.unwrap().id;
    let e = db.store.create_adoption(challenge, &adoption(khon_kaen, "TH", "2024-01-01", None), &curator()).await;
    assert_eq!(field(e.unwrap_err()), ["practice_id"]);
    let e = db.store.create_adoption(p, &adoption(OrganisationId::new(), "TH", "2024-01-01", None), &curator()).await;
    assert_eq!(field(e.unwrap_err()), ["organisation_id"]);
    assert_eq!(db.store.adoptions(Some(p)).await.unwrap(), listed, "nothing refused was written");
}

async fn a_stale_change_to_an_adoption_is_refused_and_changes_nothing(db: TestDb) {
    let p = practice(&db, "One-stop land services").await;
    let o = org(&db, "Khon Kaen Province").await;
    let a = db.store.create_adoption(p, &adoption(o, "TH-40", "2024-03-01", None), &curator()).await.unwrap();
    let mut changed = a.input.clone();
    changed.status = AdoptionStatus::Stopped;
    changed.results = Some("Stopped when the budget ended.".into());
    let own = practice(&db, "Khon Kaen's land services").await;
    changed.derived_record_id = Some(own);
    let saved = db.store.save_adoption(a.id, &changed, 1, &curator()).await.unwrap();
    assert_eq!((saved.version, saved.input.status), (2, AdoptionStatus::Stopped));
    assert_eq!(
        db.store.adoptions_deriving(own).await.unwrap(),
        vec![saved.clone()],
        "the adopter's record points back"
    );
    assert!(db.store.adoptions_deriving(p).await.unwrap().is_empty());
    let mut stale = a.input.clone();
    stale.place = banyan_domain::Place::parse("TH-10").unwrap();
    let e = db.store.save_adoption(a.id, &stale, 1, &curator()).await.unwrap_err();
    assert!(matches!(e, StoreError::Conflict { expected: 1, current: 2 }), "{e:?}");
    assert_eq!(db.store.adoption(a.id).await.unwrap().unwrap(), saved);
    let e = db.store.save_adoption(banyan_domain::AdoptionId::new(), &changed, 1, &curator()).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound));
}

fn service(practice: RecordId, adoption: Option<banyan_domain::AdoptionId>) -> ServiceInput {
    read(
        json!({"practice_id": practice.to_string(), "adoption_id": adoption.map(|a| a.to_string()),
               "name": "Land mutation", "agency": "AC Land office", "place": "BD-13", "yearly_volume": 12000,
               "currency": "BDT", "maps": [
                   {"label": "As is", "as_is": true, "steps": [
                       {"actor": "citizen", "action": "applies at the office", "travel_hours": 3, "fees": 100,
                        "visit": true, "documents": ["deed"]}]},
                   {"label": "Online", "live_from": "2024-01-01", "steps": [
                       {"actor": "citizen", "action": "applies online", "processing_hours": 0.5, "fees": 100}]}]}),
        ServiceInput::read,
    )
}

async fn services_keep_their_process_maps_and_stay_with_their_practice(db: TestDb) {
    let p = practice(&db, "Digital land mutation").await;
    let other = practice(&db, "Clinic queues by SMS").await;
    let s = db.store.create_service(&service(p, None), &curator()).await.unwrap();
    assert_eq!(s.input, service(p, None), "read back exactly as written");
    assert_eq!(db.store.services(Some(p)).await.unwrap(), vec![s.clone()]);
    assert!(db.store.services(Some(other)).await.unwrap().is_empty());

    // Editing a step is a new version; a stale edit is refused.
    let mut edited = s.input.clone();
    edited.maps[1].steps[0].fees = 50.0;
    let saved = db.store.save_service(s.id, &edited, 1, &curator()).await.unwrap();
    assert_eq!((saved.version, saved.input.maps[1].steps[0].fees), (2, 50.0));
    let e = db.store.save_service(s.id, &s.input, 1, &curator()).await.unwrap_err();
    assert!(matches!(e, StoreError::Conflict { .. }));

    // A service cannot move to another practice, nor name another practice's adoption.
    let mut moved = edited.clone();
    moved.practice_id = other;
    assert_eq!(field(db.store.save_service(s.id, &moved, 2, &curator()).await.unwrap_err()), ["practice_id"]);
    let o = org(&db, "Khon Kaen Province").await;
    let theirs = db.store.create_adoption(other, &adoption(o, "TH-40", "2024-03-01", None), &curator()).await.unwrap();
    let e = db.store.create_service(&service(p, Some(theirs.id)), &curator()).await.unwrap_err();
    assert_eq!(field(e), ["adoption_id"]);
    let e = db.store.create_service(&service(RecordId::new(), None), &curator()).await.unwrap_err();
    assert_eq!(field(e), ["practice_id"]);
    assert_eq!(db.store.services(None).await.unwrap(), vec![saved]);
}

async fn exchange_rates_are_replaced_whole_with_versions(db: TestDb) {
    assert!(db.store.rates().await.unwrap().is_none());
    let cur = |c| CurrencyCode::parse(c).unwrap();
    let day = |d| banyan_domain::parse_date(d).unwrap();
    let rates = Rates {
        base: cur("USD"),
        rates: vec![
            Rate { currency: cur("BDT"), valid_from: day("2024-01-01"), per_base: 110.0 },
            Rate { currency: cur("BDT"), valid_from: day("2025-01-01"), per_base: 120.0 },
        ],
    };
    let t = db.store.put_rates(&rates, Some(0), &curator()).await.unwrap();
    assert_eq!((t.version, &t.rates), (1, &rates));
    let e = db.store.put_rates(&rates, Some(0), &curator()).await.unwrap_err();
    assert!(matches!(e, StoreError::Conflict { expected: 0, current: 1 }));
    let mut more = rates.clone();
    more.rates.push(Rate { currency: cur("THB"), valid_from: day("2024-01-01"), per_base: 35.0 });
    let t = db.store.put_rates(&more, None, &curator()).await.unwrap();
    assert_eq!(t.version, 2);
    assert_eq!(db.store.rates().await.unwrap().unwrap().rates, more);
}
