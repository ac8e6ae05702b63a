use banyan_domain::{Role, TokenId};
use banyan_store::{Actor, NewToken};
use banyan_testkit::{TestDb, backend_tests};
use chrono::Utc;

backend_tests!(tokens_are_found_by_hash_until_revoked, expired_tokens_do_not_work);

fn token(hash: &str, expires_at: Option<chrono::DateTime<Utc>>) -> NewToken {
    NewToken {
        id: TokenId::new(),
        name: "importer".into(),
        role: Role::Curator,
        secret_hash: hash.into(),
        expires_at,
        user_id: None,
        scopes: Vec::new(),
    }
}

async fn tokens_are_found_by_hash_until_revoked(db: TestDb) {
    let t = db.store.create_token(token("ab12", None), &Actor::cli()).await.unwrap();
    let found = db.store.use_token("ab12").await.unwrap().unwrap();
    assert_eq!(found.id, t.id);
    assert_eq!(found.role, Role::Curator);
    assert!(db.store.use_token("ffff").await.unwrap().is_none());
    let listed = db.store.list_tokens(None).await.unwrap();
    assert!(listed[0].last_used_at.is_some(), "use is noted");
    assert!(db.store.revoke_token(t.id, &Actor::cli()).await.unwrap());
    assert!(!db.store.revoke_token(t.id, &Actor::cli()).await.unwrap(), "already revoked");
    assert!(db.store.use_token("ab12").await.unwrap().is_none());
    let audit = db.store.audit_log(None, 10).await.unwrap();
    assert_eq!(audit.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(), ["token.revoke", "token.create"]);
}

async fn expired_tokens_do_not_work(db: TestDb) {
    db.store.create_token(token("old", Some(Utc::now() - chrono::Duration::hours(1))), &Actor::cli()).await.unwrap();
    db.store.create_token(token("new", Some(Utc::now() + chrono::Duration::hours(1))), &Actor::cli()).await.unwrap();
    assert!(db.store.use_token("old").await.unwrap().is_none());
    assert!(db.store.use_token("new").await.unwrap().is_some());
}
