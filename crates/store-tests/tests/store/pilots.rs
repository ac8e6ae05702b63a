//! Pilots, their history, and procurement checklists, on both backends.

use banyan_domain::PilotStatus;
use banyan_domain::pilot::Move;
use banyan_domain::validate::{Checker, Path};
use banyan_domain::{Checklist, CountryCode, Pilot, PilotId, PilotPlan, Role, Side};
use banyan_store::{Actor, PilotStep, StoreError};
use banyan_testkit::{TestDb, backend_tests};
use serde_json::json;

use crate::conversations::{open_conversation, person};

backend_tests!(
    a_pilot_moves_step_by_step_with_its_history,
    a_stale_change_to_a_pilot_is_refused_and_changes_nothing,
    a_declined_conversation_takes_no_pilot,
    procurement_checklists_are_kept_per_country_with_versions,
    erasing_an_account_keeps_the_pilot_history_without_the_person,
);

fn plan() -> PilotPlan {
    let v = json!({"scope": "Appointments by SMS in two clinics", "place": "TH-50", "starts_on": "2027-01-10",
        "ends_on": "2027-04-10", "budget": {"amount": 12000, "currency": "THB"},
        "kpis": [{"name": "Hours waited", "unit": "hours", "baseline": 5, "target": 1}],
        "responsibilities": [{"who": "provider", "does": "runs the SMS service"}]});
    let mut c = Checker::new();
    let mut o = c.object(Path::root(), &v);
    let plan = PilotPlan::read(&mut c, &mut o).unwrap();
    c.done(o);
    c.finish(plan).unwrap()
}

/// A pilot proposed by `side` in the conversation `c`, not yet stored.
pub fn new_pilot(c: &banyan_store::Conversation, side: Side) -> Pilot {
    Pilot {
        id: PilotId::new(),
        conversation_id: c.id,
        challenge_id: c.challenge_id,
        offer_id: c.offer_id,
        status: PilotStatus::Proposed,
        proposed_by: side,
        plan: plan(),
        evaluation: None,
        award: None,
        practice_id: None,
        version: 1,
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
    }
}

pub fn step(action: &str, from: PilotStatus, side: Side, note: Option<&str>) -> PilotStep {
    PilotStep { action: action.into(), from: Some(from), side: Some(side), note: note.map(String::from) }
}

async fn proposed(db: &TestDb) -> (Pilot, Actor, Actor) {
    let (c, official, provider) = open_conversation(db).await;
    let p = Actor::user(provider.id, Role::Member);
    let pilot = new_pilot(&c, Side::Offer);
    let stored = db.store.create_pilot(&pilot, &p).await.unwrap();
    (stored, Actor::user(official.id, Role::Member), p)
}

async fn a_pilot_moves_step_by_step_with_its_history(db: TestDb) {
    let (mut pilot, o, p) = proposed(&db).await;
    assert_eq!((pilot.version, pilot.status), (1, PilotStatus::Proposed));
    assert_eq!(pilot.plan, plan(), "the plan round-trips");
    let v = pilot.version;
    pilot.apply(PilotStatus::Agreed, Side::Challenge, Move::default()).unwrap();
    let pilot = db
        .store
        .save_pilot(&pilot, v, &step("agreed", PilotStatus::Proposed, Side::Challenge, None), &o)
        .await
        .unwrap();
    assert_eq!((pilot.version, pilot.status), (2, PilotStatus::Agreed));
    let mut running = pilot.clone();
    running.apply(PilotStatus::Running, Side::Offer, Move::default()).unwrap();
    let mut running =
        db.store.save_pilot(&running, 2, &step("running", PilotStatus::Agreed, Side::Offer, None), &p).await.unwrap();
    let m = Move {
        results: vec![Some(0.5)],
        evaluation: Some(banyan_domain::Evaluation {
            summary: "Waits fell to half an hour.".into(),
            evidence_level: banyan_domain::EvidenceLevel::new(2).unwrap(),
        }),
        ..Move::default()
    };
    running.apply(PilotStatus::Evaluated, Side::Challenge, m).unwrap();
    let evaluated = db
        .store
        .save_pilot(&running, 3, &step("evaluated", PilotStatus::Running, Side::Challenge, Some("Good")), &o)
        .await
        .unwrap();
    assert_eq!(evaluated.plan.kpis[0].result, Some(0.5));
    assert_eq!(evaluated.evaluation.as_ref().unwrap().evidence_level.get(), 2);
    let events = db.store.pilot_events(evaluated.id).await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["proposed", "agreed", "running", "evaluated"]
    );
    assert_eq!(events[3].from, Some(PilotStatus::Running));
    assert_eq!(events[3].note.as_deref(), Some("Good"));
    assert_eq!(events[1].side, Some(Side::Challenge));
    let log = db.store.audit_log(Some(evaluated.id.0), 10).await.unwrap();
    assert_eq!(log.len(), 4, "every step is audited: {log:?}");
    // Listed by conversation, and by practice once adopted into it.
    assert_eq!(db.store.pilots(&[evaluated.conversation_id], None).await.unwrap().len(), 1);
    assert!(db.store.pilots(&[], Some(evaluated.offer_id)).await.unwrap().is_empty());
    let mut adopted = evaluated.clone();
    adopted.apply(PilotStatus::Adopted, Side::Challenge, Move::default()).unwrap();
    adopted.practice_id = Some(evaluated.offer_id);
    db.store
        .save_pilot(&adopted, 4, &step("adopted", PilotStatus::Evaluated, Side::Challenge, None), &o)
        .await
        .unwrap();
    let of_practice = db.store.pilots(&[], Some(evaluated.offer_id)).await.unwrap();
    assert_eq!(of_practice.iter().map(|p| p.status).collect::<Vec<_>>(), [PilotStatus::Adopted]);
}

async fn a_stale_change_to_a_pilot_is_refused_and_changes_nothing(db: TestDb) {
    let (pilot, o, _) = proposed(&db).await;
    let mut agreed = pilot.clone();
    agreed.apply(PilotStatus::Agreed, Side::Challenge, Move::default()).unwrap();
    db.store.save_pilot(&agreed, 1, &step("agreed", PilotStatus::Proposed, Side::Challenge, None), &o).await.unwrap();
    let mut stopped = pilot.clone();
    stopped.apply(PilotStatus::Stopped, Side::Challenge, Move { note: Some("x".into()), ..Move::default() }).unwrap();
    let e = db
        .store
        .save_pilot(&stopped, 1, &step("stopped", PilotStatus::Proposed, Side::Challenge, Some("x")), &o)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict { expected: 1, current: 2 }), "{e:?}");
    let now = db.store.pilot(pilot.id).await.unwrap().unwrap();
    assert_eq!(now.status, PilotStatus::Agreed);
    assert_eq!(db.store.pilot_events(pilot.id).await.unwrap().len(), 2, "no step for the refused change");
    assert!(db.store.pilot(PilotId::new()).await.unwrap().is_none());
}

async fn a_declined_conversation_takes_no_pilot(db: TestDb) {
    let (c, official, _) = open_conversation(&db).await;
    let o = Actor::user(official.id, Role::Member);
    db.store.decline_conversation(c.id, Side::Challenge, "Found another way.", &o).await.unwrap();
    let pilot = new_pilot(&c, Side::Challenge);
    assert!(matches!(db.store.create_pilot(&pilot, &o).await, Err(StoreError::Invalid(_))));
    assert!(db.store.pilot(pilot.id).await.unwrap().is_none());
    let stranger = Pilot { conversation_id: banyan_domain::ConversationId::new(), ..pilot };
    assert!(matches!(db.store.create_pilot(&stranger, &o).await, Err(StoreError::NotFound)));
}

fn checklist(rules: &str) -> Checklist {
    Checklist {
        rules: rules.into(),
        steps: vec![banyan_domain::ChecklistStep {
            title: "Write the specification".into(),
            detail: None,
            documents: vec!["Technical specification".into()],
        }],
        source: None,
    }
}

async fn procurement_checklists_are_kept_per_country_with_versions(db: TestDb) {
    let curator = person(&db, "curator@network.example").await;
    let a = Actor::user(curator.id, Role::Curator);
    let (bd, th) = (CountryCode::parse("BD").unwrap(), CountryCode::parse("TH").unwrap());
    assert!(db.store.checklists(None).await.unwrap().is_empty());
    let first = db.store.put_checklist(bd, &checklist("Public Procurement Rules"), Some(0), &a).await.unwrap();
    assert_eq!(first.version, 1);
    db.store.put_checklist(th, &checklist("Procurement Act"), None, &a).await.unwrap();
    let second = db.store.put_checklist(bd, &checklist("Rules, revised"), Some(1), &a).await.unwrap();
    assert_eq!((second.version, second.checklist.rules.as_str()), (2, "Rules, revised"));
    let stale = db.store.put_checklist(bd, &checklist("Lost update"), Some(1), &a).await.unwrap_err();
    assert!(matches!(stale, StoreError::Conflict { expected: 1, current: 2 }));
    let all = db.store.checklists(None).await.unwrap();
    assert_eq!(all.iter().map(|c| c.country.code()).collect::<Vec<_>>(), ["BD", "TH"]);
    assert_eq!(db.store.checklists(Some(bd)).await.unwrap()[0].checklist.rules, "Rules, revised");
    assert!(db.store.audit_log(None, 20).await.unwrap().iter().any(|e| e.action == "procurement.put"));
}

async fn erasing_an_account_keeps_the_pilot_history_without_the_person(db: TestDb) {
    let (pilot, _, p) = proposed(&db).await;
    let provider = p.user_id().unwrap();
    let export = db.store.export_user(provider).await.unwrap();
    assert_eq!(export["pilot_steps"][0]["action"], "proposed");
    db.store.erase_user(provider, false, &Actor::cli()).await.unwrap();
    let events = db.store.pilot_events(pilot.id).await.unwrap();
    assert_eq!(events.len(), 1, "the history stays");
    assert_eq!(db.count("pilot_events WHERE actor_id IS NOT NULL").await, 0, "nobody is named in it");
}
