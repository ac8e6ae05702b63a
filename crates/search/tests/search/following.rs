//! The index follows the change log: only public things, every change, and nothing lost in a
//! crash.

use std::sync::Arc;

use serde_json::json;

use banyan_domain::Status;
use banyan_search::indexer::open_current;
use banyan_search::{Facet, Indexer, SearchIndex, SearchRequest, WriterOptions};
use banyan_store::{NewRecord, RecordState};
use banyan_testkit::fixtures::{input, practice};
use banyan_testkit::{TestDb, backend_tests};

use crate::{BASE, Fixture, browse, curator, filter};

backend_tests!(
    only_public_records_are_found,
    deletes_merges_and_renames_reach_the_index,
    the_index_catches_up_after_a_crash_before_its_commit,
    a_second_index_on_the_same_database_sees_every_write,
    an_index_ahead_of_its_database_is_rebuilt,
    while_writes_keep_coming_the_index_commits_at_most_once_per_refresh,
);

async fn only_public_records_are_found(db: TestDb) {
    let f = Fixture::empty(db).await;
    let store = &f.db.store;
    let mut draft = practice("Zebra crossing audit by schoolchildren");
    draft["status"] = json!("draft");
    let draft = store.create_record(NewRecord::local(input(&draft), BASE), &curator()).await.unwrap();
    let mut review = practice("Zebra crossing repainting on request");
    review["status"] = json!("submitted");
    store.create_record(NewRecord::local(input(&review), BASE), &curator()).await.unwrap();
    let published = store
        .create_record(NewRecord::local(input(&practice("Zebra crossings near every school")), BASE), &curator())
        .await
        .unwrap();
    f.sync().await;
    assert_eq!(f.titles("zebra"), ["Zebra crossings near every school"]);

    // Hidden by a moderator: gone at once, back when restored.
    store.set_record_hidden(published.id, true, "spam report", &curator()).await.unwrap();
    f.sync().await;
    assert!(f.titles("zebra").is_empty());
    assert_eq!(f.search(browse(vec![])).total, 0);
    store.set_record_hidden(published.id, false, "report rejected", &curator()).await.unwrap();
    f.sync().await;
    assert_eq!(f.titles("zebra"), ["Zebra crossings near every school"]);

    // Published later: found; unpublished (archived): gone.
    let draft = store.transition_record(draft.id, draft.version, Status::Submitted, None, &curator()).await.unwrap();
    let draft = store.transition_record(draft.id, draft.version, Status::Published, None, &curator()).await.unwrap();
    f.sync().await;
    assert_eq!(f.titles("zebra audit"), ["Zebra crossing audit by schoolchildren"]);
    store.transition_record(draft.id, draft.version, Status::Archived, None, &curator()).await.unwrap();
    f.sync().await;
    assert!(f.titles("zebra audit").is_empty());
    // Personal data is never in the index: the contact's address finds nothing.
    assert!(f.titles("officer@example.gov.bd").is_empty());
    assert!(f.titles("\"officer in charge\"").is_empty());
}

async fn deletes_merges_and_renames_reach_the_index(db: TestDb) {
    let f = Fixture::demo(db).await;
    let store = &f.db.store;
    let mutation = f.id("Land mutation in one visit").await;
    let post = f.id("Send the land record by post, not by visit").await;
    assert!(f.index().contains(mutation.0).unwrap());

    store.merge_record(post, mutation, &curator()).await.unwrap();
    f.sync().await;
    assert!(!f.index().contains(post.0).unwrap());
    assert!(f.titles("postal service").is_empty());

    store.delete_record(mutation, None, &curator()).await.unwrap();
    f.sync().await;
    assert!(!f.index().contains(mutation.0).unwrap());
    assert!(!f.titles("mutation").contains(&"Land mutation in one visit".to_string()));

    // Records are searchable by their organisation's name, also after it changes.
    let queue = f.record("นัดคิวโรงพยาบาลล่วงหน้าผ่านไลน์").await;
    let org_id = queue.content.organisation.expect("the demo record has an organisation");
    let org = store.organisation(org_id).await.unwrap().unwrap();
    let mut renamed = org.content.clone();
    renamed.name = "Quokka Provincial Health Office".into();
    store.update_organisation(org_id, org.version, renamed, &curator()).await.unwrap();
    f.sync().await;
    let found = f.titles("quokka");
    assert!(found.contains(&"Quokka Provincial Health Office".to_string()), "{found:?}");
    assert!(found.contains(&"นัดคิวโรงพยาบาลล่วงหน้าผ่านไลน์".to_string()), "{found:?}");
    assert!(!found.iter().any(|t| t == &org.content.name));
}

async fn the_index_catches_up_after_a_crash_before_its_commit(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search");
    let store = Arc::clone(&db.store);
    let first =
        store.create_record(NewRecord::local(input(&practice("Okapi first record")), BASE), &curator()).await.unwrap();
    {
        let indexer = open_current(&path, Arc::clone(&store)).await.unwrap();
        assert_eq!(indexer.index().applied_seq(), store.last_seq().await.unwrap());
        // The database commits more; the index writes them but the process dies before its
        // commit (dropping an uncommitted writer is exactly what a crash leaves on disk).
        for i in 0..5 {
            let p = practice(&format!("Okapi record {i}"));
            store.create_record(NewRecord::local(input(&p), BASE), &curator()).await.unwrap();
        }
        let index = indexer.index();
        let docs: Vec<_> = match store.record(first.id).await.unwrap() {
            Some(RecordState::Live(r)) => vec![banyan_search::document::record_doc(index.fields(), &r, None, 0)],
            _ => unreachable!(),
        };
        index.write(docs, &[]).unwrap();
    }
    // After the restart, the index resumes from its last commit and misses nothing.
    let index = SearchIndex::open(&path, WriterOptions::serving()).unwrap();
    assert!(index.applied_seq() < store.last_seq().await.unwrap());
    let indexer = Indexer::new(Arc::new(index), Arc::clone(&store));
    indexer.catch_up().await.unwrap();
    assert_eq!(indexer.index().applied_seq(), store.last_seq().await.unwrap());
    let found = indexer.index().search(&SearchRequest { q: "okapi".into(), limit: 20, ..Default::default() }).unwrap();
    assert_eq!(found.total, 6, "each record once: {:?}", found.hits);
}

async fn a_second_index_on_the_same_database_sees_every_write(db: TestDb) {
    let a = Fixture::demo(db).await;
    let dir = tempfile::tempdir().unwrap();
    let b = open_current(dir.path(), Arc::clone(&a.db.store)).await.unwrap();
    let created =
        a.db.store
            .create_record(NewRecord::local(input(&practice("Narwhal registry of fishing boats")), BASE), &curator())
            .await
            .unwrap();
    b.catch_up().await.unwrap();
    let found = b.index().search(&SearchRequest { q: "narwhal".into(), limit: 5, ..Default::default() }).unwrap();
    assert_eq!(found.hits.iter().map(|h| h.id).collect::<Vec<_>>(), [created.id.0]);
    // Both indexes hold the same documents.
    a.sync().await;
    assert_eq!(a.index().num_docs(), b.index().num_docs());
    let facets = |ix: &SearchIndex| ix.search(&browse(vec![filter(Facet::Kind, &["practice"])])).unwrap().facets;
    assert_eq!(facets(a.index()), facets(b.index()));
}

async fn an_index_ahead_of_its_database_is_rebuilt(db: TestDb) {
    let f = Fixture::demo(db).await;
    let docs = f.index().num_docs();
    // Pretend the database was restored from an older backup: the index claims changes the
    // database has never seen, and must not be trusted.
    let ahead = f.db.store.last_seq().await.unwrap() + 1000;
    f.index().commit(ahead).unwrap();
    let path = f.index().dir().to_path_buf();
    let store = Arc::clone(&f.db.store);
    drop(f.indexer);
    let indexer = open_current(&path, store).await.unwrap();
    assert_eq!(indexer.index().applied_seq(), f.db.store.last_seq().await.unwrap());
    assert_eq!(indexer.index().num_docs(), docs);
}

async fn while_writes_keep_coming_the_index_commits_at_most_once_per_refresh(db: TestDb) {
    use std::time::{Duration, Instant};
    let f = Fixture::empty(db).await;
    let store = &f.db.store;
    let handle = f.indexer.handle();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    // Polling every minute and committing at most every minute: only wake-ups index anything.
    let running = tokio::spawn(Arc::clone(&f.indexer).run(Duration::from_secs(60), Duration::from_secs(60), async {
        let _ = stopped.await;
    }));
    let searchable = |title: &'static str| {
        let f = &f;
        async move {
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(5) {
                if f.titles("ferry").iter().any(|t| t == title) {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            false
        }
    };
    // Let the first catch-up, on start, go by: the next write comes after a quiet spell.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let write = |title: &'static str| {
        let handle = handle.clone();
        async move {
            store.create_record(NewRecord::local(input(&practice(title)), BASE), &curator()).await.unwrap();
            handle.changed();
        }
    };
    write("Ferry tickets by text message").await;
    assert!(searchable("Ferry tickets by text message").await, "a write after a quiet spell is indexed at once");
    // Right after that commit, the next write waits for the refresh.
    write("Ferry timetables on the radio").await;
    assert!(!searchable("Ferry timetables on the radio").await, "indexed within 5 s of the last commit");
    // Stopping does not wait for the refresh either.
    let asked = Instant::now();
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), running).await.expect("the indexer stops at once").unwrap();
    assert!(asked.elapsed() < Duration::from_secs(5));
    f.sync().await;
    assert!(f.titles("ferry").iter().any(|t| t == "Ferry timetables on the radio"));
}
