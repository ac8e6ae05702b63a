//! Interest, conversations and messages, on both backends.

use banyan_domain::{Email, Role};
use banyan_store::{Actor, NewUser, Side, StoreError};
use banyan_testkit::{TestDb, backend_tests, fixtures};
use serde_json::json;

use crate::new_record;

backend_tests!(
    a_conversation_opens_when_both_sides_are_interested,
    messages_are_kept_in_order_read_and_stop_when_declined,
    erasing_an_account_erases_its_messages,
);

pub async fn person(db: &TestDb, email: &str) -> banyan_store::User {
    let new = NewUser {
        email: Email::parse(email).unwrap(),
        name: "Someone".into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g".into(),
        role: Role::Member,
        verified: true,
    };
    db.store.create_user(new, &Actor::cli()).await.unwrap()
}

async fn pair(db: &TestDb) -> (banyan_domain::RecordId, banyan_domain::RecordId) {
    let challenge = fixtures::input(&json!({"kind": "challenge", "title": "Clinic queues", "lang": "en",
        "status": "published", "details": {"problem": "Patients wait all day."}}));
    let offer = fixtures::input(&fixtures::practice("Appointments by SMS"));
    let c = db.store.create_record(new_record(challenge), &Actor::cli()).await.unwrap();
    let o = db.store.create_record(new_record(offer), &Actor::cli()).await.unwrap();
    (c.id, o.id)
}

/// A challenge and a practice whose conversation is open, with the official and the provider.
pub async fn open_conversation(db: &TestDb) -> (banyan_store::Conversation, banyan_store::User, banyan_store::User) {
    let (challenge, offer) = pair(db).await;
    let official = person(db, "official@district.example").await;
    let provider = person(db, "provider@startup.example").await;
    let (o, p) = (Actor::user(official.id, Role::Member), Actor::user(provider.id, Role::Member));
    db.store.express_interest(challenge, offer, Side::Challenge, &o).await.unwrap();
    let (_, c) = db.store.express_interest(challenge, offer, Side::Offer, &p).await.unwrap();
    (c.expect("both sides are interested"), official, provider)
}

async fn a_conversation_opens_when_both_sides_are_interested(db: TestDb) {
    let (challenge, offer) = pair(&db).await;
    let official = person(&db, "official@district.example").await;
    let provider = person(&db, "provider@startup.example").await;
    let (interests, conversation) = db
        .store
        .express_interest(challenge, offer, Side::Challenge, &Actor::user(official.id, Role::Member))
        .await
        .unwrap();
    assert_eq!(interests.len(), 1);
    assert!(conversation.is_none(), "one side is not enough");
    // Saying it again changes nothing.
    let (again, none) = db
        .store
        .express_interest(challenge, offer, Side::Challenge, &Actor::user(official.id, Role::Member))
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert!(none.is_none());
    let (both, opened) = db
        .store
        .express_interest(challenge, offer, Side::Offer, &Actor::user(provider.id, Role::Member))
        .await
        .unwrap();
    assert_eq!(both.len(), 2);
    let opened = opened.expect("both sides: the conversation opens");
    assert_eq!((opened.challenge_id, opened.offer_id, opened.status.as_str()), (challenge, offer, "open"));
    // Once only, however often interest is repeated.
    let (_, same) = db
        .store
        .express_interest(challenge, offer, Side::Offer, &Actor::user(provider.id, Role::Member))
        .await
        .unwrap();
    assert_eq!(same.unwrap().id, opened.id);
    let listed = db.store.conversations_about(&[offer], None).await.unwrap();
    assert_eq!(listed.iter().map(|c| c.id).collect::<Vec<_>>(), [opened.id]);
    assert!(db.store.conversations_about(&[], None).await.unwrap().is_empty());
    // A curator invited sees it among theirs.
    let curator = person(&db, "curator@network.example").await;
    assert!(db.store.conversations_about(&[], Some(curator.id)).await.unwrap().is_empty());
    let invited =
        db.store.invite_curator(opened.id, curator.id, &Actor::user(official.id, Role::Member)).await.unwrap();
    assert_eq!(invited.curators, [curator.id]);
    assert_eq!(db.store.conversations_about(&[], Some(curator.id)).await.unwrap().len(), 1);
    let log = db.store.audit_log(None, 100).await.unwrap();
    for action in ["interest.create", "conversation.open", "conversation.invite"] {
        assert!(log.iter().any(|e| e.action == action), "{action} is audited");
    }
}

async fn messages_are_kept_in_order_read_and_stop_when_declined(db: TestDb) {
    let (challenge, offer) = pair(&db).await;
    let official = person(&db, "official@district.example").await;
    let provider = person(&db, "provider@startup.example").await;
    let (o, p) = (Actor::user(official.id, Role::Member), Actor::user(provider.id, Role::Member));
    db.store.express_interest(challenge, offer, Side::Challenge, &o).await.unwrap();
    let (_, c) = db.store.express_interest(challenge, offer, Side::Offer, &p).await.unwrap();
    let c = c.unwrap();
    db.store.add_message(c.id, "challenge", "Could you pilot in two hospitals?", &o).await.unwrap();
    db.store.add_message(c.id, "offer", "Yes, from March.", &p).await.unwrap();
    let messages = db.store.messages(c.id).await.unwrap();
    assert_eq!(
        messages.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
        ["Could you pilot in two hospitals?", "Yes, from March."]
    );
    assert_eq!(messages[1].author_id, Some(provider.id));
    assert!(db.store.read_at(c.id, official.id).await.unwrap().is_none());
    db.store.mark_read(c.id, official.id).await.unwrap();
    let read = db.store.read_at(c.id, official.id).await.unwrap().unwrap();
    assert!(read >= messages[1].created_at);
    db.store.mark_read(c.id, official.id).await.unwrap();
    // Declined: the reason stays, messages stop, it cannot be declined twice.
    let declined =
        db.store.decline_conversation(c.id, banyan_store::Side::Offer, "No capacity this year.", &p).await.unwrap();
    assert_eq!(declined.status, "declined");
    assert_eq!(declined.declined_by, Some(Side::Offer));
    assert_eq!(declined.decline_reason.as_deref(), Some("No capacity this year."));
    let refused = db.store.add_message(c.id, "challenge", "Are you sure?", &o).await.unwrap_err();
    assert!(matches!(refused, StoreError::Invalid(_)), "{refused:?}");
    assert!(matches!(db.store.decline_conversation(c.id, Side::Challenge, "x", &o).await, Err(StoreError::Invalid(_))));
    assert_eq!(db.store.messages(c.id).await.unwrap().len(), 2, "nothing half-written");
    let unknown = banyan_domain::ConversationId::new();
    assert!(matches!(db.store.add_message(unknown, "offer", "hello", &p).await, Err(StoreError::NotFound)));
    assert!(db.store.conversation(unknown).await.unwrap().is_none());
}

async fn erasing_an_account_erases_its_messages(db: TestDb) {
    let (challenge, offer) = pair(&db).await;
    let official = person(&db, "official@district.example").await;
    let provider = person(&db, "provider@startup.example").await;
    let (o, p) = (Actor::user(official.id, Role::Member), Actor::user(provider.id, Role::Member));
    db.store.express_interest(challenge, offer, Side::Challenge, &o).await.unwrap();
    let (_, c) = db.store.express_interest(challenge, offer, Side::Offer, &p).await.unwrap();
    let c = c.unwrap();
    db.store.add_message(c.id, "offer", "Call me on +880 1711 000000.", &p).await.unwrap();
    db.store.add_message(c.id, "challenge", "Thanks.", &o).await.unwrap();
    let export = db.store.export_user(provider.id).await.unwrap();
    assert_eq!(export["messages"][0]["body"], "Call me on +880 1711 000000.", "a person's export has their messages");
    db.store.erase_user(provider.id, false, &Actor::cli()).await.unwrap();
    let messages = db.store.messages(c.id).await.unwrap();
    assert_eq!(messages[0].body, "");
    assert_eq!(messages[0].author_id, None);
    assert_eq!(messages[1].body, "Thanks.", "the other side's messages stay");
    let interests = db.store.interests(challenge, offer).await.unwrap();
    assert!(interests.iter().all(|i| i.user_id != Some(provider.id)));
}
