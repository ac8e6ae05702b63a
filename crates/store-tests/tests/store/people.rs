use std::collections::BTreeSet;

use banyan_domain::record::InputMode;
use banyan_domain::{Email, Kind, OrgRole, OrganisationId, OrganisationInput, RecordInput, Role, Status};
use banyan_store::{
    Actor, ChangeOp, NewMail, NewUser, OneTimeToken, Purpose, RecordState, Session, SessionKind, StoreError, UserChange,
};
use banyan_testkit::{TestDb, backend_tests, fixtures};
use chrono::{Duration, Utc};
use serde_json::json;

use crate::new_record;

backend_tests!(
    a_one_time_token_is_taken_once_even_by_racing_requests,
    sessions_expire_and_end_with_their_person,
    two_senders_never_claim_the_same_mail,
    accounts_are_unique_by_address_and_changes_are_audited_without_personal_data,
    transitions_hiding_and_merging_are_revisions_with_their_own_audit_entries,
    memberships_are_set_and_removed,
);

async fn user(db: &TestDb, email: &str) -> banyan_store::User {
    let new = NewUser {
        email: Email::parse(email).unwrap(),
        name: "Someone Particular".into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g".into(),
        role: Role::Member,
        verified: true,
    };
    db.store.create_user(new, &Actor::cli()).await.unwrap()
}

async fn a_one_time_token_is_taken_once_even_by_racing_requests(db: TestDb) {
    let u = user(&db, "amina@example.org").await;
    let token = OneTimeToken {
        hash: "abc".into(),
        purpose: Purpose::ResetPassword,
        user_id: Some(u.id),
        email: Some(u.email.clone()),
        data: json!({}),
        created_at: Utc::now(),
        expires_at: Utc::now() + Duration::hours(1),
    };
    db.store.create_one_time_token(token).await.unwrap();
    assert!(db.store.take_one_time_token("abc", Purpose::VerifyEmail).await.unwrap().is_none(), "wrong purpose");
    let racers = (0..8).map(|_| {
        let store = db.store.clone();
        tokio::spawn(async move { store.take_one_time_token("abc", Purpose::ResetPassword).await.unwrap().is_some() })
    });
    let won: Vec<bool> = futures::future::join_all(racers).await.into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(won.iter().filter(|w| **w).count(), 1, "{won:?}");
}

async fn sessions_expire_and_end_with_their_person(db: TestDb) {
    let u = user(&db, "amina@example.org").await;
    let now = Utc::now();
    for (hash, expires) in [("live", now + Duration::hours(1)), ("old", now - Duration::seconds(1))] {
        db.store
            .create_session(Session {
                id_hash: hash.into(),
                user_id: u.id,
                kind: SessionKind::Browser,
                csrf: "c".into(),
                created_at: now,
                last_seen_at: now,
                expires_at: expires,
            })
            .await
            .unwrap();
    }
    assert!(db.store.session("live").await.unwrap().is_some());
    assert!(db.store.session("old").await.unwrap().is_none(), "expired");
    db.store.update_user(u.id, UserChange { blocked: Some(true), ..Default::default() }, &Actor::cli()).await.unwrap();
    assert!(db.store.session("live").await.unwrap().is_none(), "a blocked person's sessions do not work");
    db.store.update_user(u.id, UserChange { blocked: Some(false), ..Default::default() }, &Actor::cli()).await.unwrap();
    assert_eq!(db.store.end_sessions(u.id).await.unwrap(), 2);
    assert!(db.store.session("live").await.unwrap().is_none());
}

async fn two_senders_never_claim_the_same_mail(db: TestDb) {
    for i in 0..20 {
        let mail = NewMail {
            to: Email::parse(&format!("p{i}@example.org")).unwrap(),
            user_id: None,
            subject: "s".into(),
            body: "b".into(),
        };
        db.store.enqueue_mail(mail).await.unwrap();
    }
    let senders = (0..4).map(|_| {
        let store = db.store.clone();
        tokio::spawn(
            async move { store.claim_mail(20, 60).await.unwrap().into_iter().map(|m| m.id).collect::<Vec<_>>() },
        )
    });
    let mut all = Vec::new();
    for s in futures::future::join_all(senders).await {
        all.extend(s.unwrap());
    }
    let distinct: BTreeSet<_> = all.iter().collect();
    assert_eq!(all.len(), 20, "every mail claimed once");
    assert_eq!(distinct.len(), 20);
    assert!(db.store.claim_mail(20, 60).await.unwrap().is_empty(), "held while claimed");
    db.store.mail_sent(all[0]).await.unwrap();
    db.store.mail_failed(all[1], "connection refused").await.unwrap();
    let outbox = db.store.outbox(100).await.unwrap();
    assert!(outbox.iter().find(|m| m.id == all[0]).unwrap().sent_at.is_some());
    let failed = outbox.iter().find(|m| m.id == all[1]).unwrap();
    assert_eq!((failed.attempts, failed.last_error.as_deref()), (1, Some("connection refused")));
}

async fn accounts_are_unique_by_address_and_changes_are_audited_without_personal_data(db: TestDb) {
    let u = user(&db, "amina@example.org").await;
    let twice = db
        .store
        .create_user(
            NewUser {
                email: Email::parse("AMINA@example.org").unwrap(),
                name: "x".into(),
                password_hash: "h".into(),
                role: Role::Member,
                verified: false,
            },
            &Actor::cli(),
        )
        .await;
    assert!(matches!(twice, Err(StoreError::Invalid(v)) if v.fields() == ["email"]));
    let auth = db.store.user_auth(&Email::parse("amina@example.org").unwrap()).await.unwrap().unwrap();
    assert_eq!(auth.user, u);
    let renamed = db
        .store
        .update_user(u.id, UserChange { name: Some("Amina R.".into()), ..Default::default() }, &Actor::cli())
        .await
        .unwrap();
    assert_eq!(renamed.name, "Amina R.");
    let log = serde_json::to_string(&db.store.audit_log(None, 100).await.unwrap()).unwrap();
    assert!(!log.contains("amina@example.org") && !log.contains("Amina R."), "{log}");
    let found = db
        .store
        .list_users(&banyan_store::UserQuery { text: Some("AMINA".into()), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(found.total, 1);
}

async fn transitions_hiding_and_merging_are_revisions_with_their_own_audit_entries(db: TestDb) {
    let owner = user(&db, "owner@example.org").await;
    let actor = Actor::user(owner.id, Role::Member);
    let mut idea = fixtures::of_kind(Kind::Idea, "An idea");
    idea["status"] = json!("submitted");
    let r = db.store.create_record(new_record(fixtures::input(&idea)).owned_by(Some(owner.id)), &actor).await.unwrap();
    assert_eq!(r.owner, Some(owner.id));
    let t = db.store.transition_record(r.id, 1, Status::InReview, None, &Actor::cli()).await.unwrap();
    assert_eq!((t.version, t.content.status), (2, Status::InReview));
    let stale = db.store.transition_record(r.id, 1, Status::Published, None, &Actor::cli()).await;
    assert!(matches!(stale, Err(StoreError::Conflict { .. })));
    let t = db
        .store
        .transition_record(r.id, 2, Status::ChangesRequested, Some("add figures"), &Actor::cli())
        .await
        .unwrap();
    let hidden = db.store.set_record_hidden(r.id, true, "spam", &Actor::cli()).await.unwrap();
    assert!(hidden.content.hidden && hidden.version == t.version + 1);
    let public = db.store.list_records(&banyan_store::RecordQuery { limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(public.total, 0);

    let survivor = db
        .store
        .create_record(new_record(fixtures::input(&fixtures::of_kind(Kind::Idea, "Survivor"))), &Actor::cli())
        .await
        .unwrap();
    let tomb = db.store.merge_record(r.id, survivor.id, &Actor::cli()).await.unwrap();
    assert_eq!(tomb.merged_into, Some(survivor.id));
    assert!(
        matches!(db.store.record(r.id).await.unwrap(), Some(RecordState::Deleted(t)) if t.merged_into == Some(survivor.id))
    );
    assert!(matches!(
        db.store.merge_record(survivor.id, survivor.id, &Actor::cli()).await,
        Err(StoreError::Invalid(_))
    ));
    let actions: Vec<String> =
        db.store.audit_log(Some(r.id.0), 20).await.unwrap().into_iter().map(|a| a.action).collect();
    assert_eq!(actions, ["record.merge", "record.hide", "record.transition", "record.transition", "record.create"]);
    let changes = db.store.changes_since(0, 100).await.unwrap();
    assert_eq!(
        changes.iter().filter(|c| c.id == r.id.0).map(|c| c.op).collect::<Vec<_>>(),
        [ChangeOp::Create, ChangeOp::Update, ChangeOp::Update, ChangeOp::Update, ChangeOp::Delete]
    );
    let input = RecordInput::from_json(&survivor.to_json(), InputMode::Update { kind: Kind::Idea }).unwrap();
    db.store.update_record(survivor.id, 1, input, &Actor::cli()).await.unwrap();
}

async fn memberships_are_set_and_removed(db: TestDb) {
    let u = user(&db, "editor@example.org").await;
    let org = db
        .store
        .create_organisation(
            OrganisationId::new(),
            OrganisationInput::from_json(&json!({"name": "District office", "type": "government"})).unwrap(),
            &Actor::cli(),
        )
        .await
        .unwrap();
    db.store.set_membership(org.id, u.id, Some(OrgRole::Editor), &Actor::cli()).await.unwrap();
    db.store.set_membership(org.id, u.id, Some(OrgRole::Owner), &Actor::cli()).await.unwrap();
    assert_eq!(db.store.memberships(u.id).await.unwrap(), [(org.id, OrgRole::Owner)]);
    let members = db.store.members(org.id).await.unwrap();
    assert_eq!((members.len(), members[0].role), (1, OrgRole::Owner));
    db.store.set_membership(org.id, u.id, None, &Actor::cli()).await.unwrap();
    assert!(db.store.memberships(u.id).await.unwrap().is_empty());
}
