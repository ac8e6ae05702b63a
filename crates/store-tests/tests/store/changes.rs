use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use banyan_domain::record::InputMode;
use banyan_domain::{Kind, RecordInput};
use banyan_store::{ChangeOp, Entity};
use banyan_testkit::{TestDb, backend_tests, fixtures};

use crate::{curator, new_record};

backend_tests!(
    each_write_adds_one_change_in_order,
    a_follower_sees_every_change_exactly_once_under_concurrent_writers,
    writes_cancelled_at_any_moment_leave_the_store_writable,
);

async fn each_write_adds_one_change_in_order(db: TestDb) {
    let actor = curator();
    let r = db.store.create_record(new_record(fixtures::input(&fixtures::practice("A"))), &actor).await.unwrap();
    let input = RecordInput::from_json(&r.to_json(), InputMode::Update { kind: Kind::Practice }).unwrap();
    db.store.update_record(r.id, 1, input, &actor).await.unwrap();
    db.store.delete_record(r.id, None, &actor).await.unwrap();
    let changes = db.store.changes_since(0, 100).await.unwrap();
    assert_eq!(changes.iter().map(|c| c.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(
        changes.iter().map(|c| c.op).collect::<Vec<_>>(),
        [ChangeOp::Create, ChangeOp::Update, ChangeOp::Delete]
    );
    assert_eq!(changes.iter().map(|c| c.version).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(changes.iter().all(|c| c.entity == Entity::Record && c.id == r.id.0));
    assert_eq!(db.store.changes_since(2, 100).await.unwrap().len(), 1);
    assert!(db.store.changes_since(3, 100).await.unwrap().is_empty());
}

/// Many writers at once, and a follower reading the log as they write. The follower must see
/// sequence numbers 1, 2, 3, … with no gap and no repeat, and in the end every write. On
/// PostgreSQL this fails if numbers can become visible out of order.
async fn a_follower_sees_every_change_exactly_once_under_concurrent_writers(db: TestDb) {
    const WRITERS: usize = 8;
    const RECORDS_PER_WRITER: usize = 15;
    const UPDATES_PER_RECORD: i64 = 2;
    let store = db.store.clone();
    let done = Arc::new(AtomicBool::new(false));

    let follower = {
        let store = store.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let mut last = 0;
            let mut seen: BTreeMap<uuid::Uuid, Vec<i64>> = BTreeMap::new();
            loop {
                let finished = done.load(Ordering::SeqCst);
                let batch = store.changes_since(last, 7).await.unwrap();
                for c in &batch {
                    assert_eq!(c.seq, last + 1, "the follower saw seq {} after {last}", c.seq);
                    last = c.seq;
                    seen.entry(c.id).or_default().push(c.version);
                }
                if batch.is_empty() {
                    if finished {
                        return (last, seen);
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }
        })
    };

    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            let actor = curator();
            let mut written = Vec::new();
            for i in 0..RECORDS_PER_WRITER {
                let r = store
                    .create_record(new_record(fixtures::input(&fixtures::practice(&format!("W{w} R{i}")))), &actor)
                    .await
                    .unwrap();
                let mut version = 1;
                for _ in 0..UPDATES_PER_RECORD {
                    let input =
                        RecordInput::from_json(&r.to_json(), InputMode::Update { kind: Kind::Practice }).unwrap();
                    version = store.update_record(r.id, version, input, &actor).await.unwrap().version;
                }
                written.push((r.id.0, version));
            }
            written
        }));
    }
    let mut expected: BTreeMap<uuid::Uuid, i64> = BTreeMap::new();
    for w in futures::future::join_all(writers).await {
        expected.extend(w.unwrap());
    }
    done.store(true, Ordering::SeqCst);
    let (last, seen) = follower.await.unwrap();

    let total = WRITERS * RECORDS_PER_WRITER * (1 + UPDATES_PER_RECORD as usize);
    assert_eq!(last as usize, total, "every write is in the log");
    assert_eq!(seen.len(), expected.len());
    for (id, versions) in seen {
        let want: Vec<i64> = (1..=expected[&id]).collect();
        assert_eq!(versions, want, "each version of {id} once, in order");
    }
    let distinct: BTreeSet<i64> = store.changes_since(0, 10_000).await.unwrap().iter().map(|c| c.seq).collect();
    assert_eq!(distinct.len(), total);
}

/// A write whose caller goes away at any moment (a client hanging up mid-request) leaves nothing
/// half done, and later writes work. A cancelled `BEGIN` once left SQLite's one write connection
/// inside a transaction for good, and every later write failed (found by the load test).
async fn writes_cancelled_at_any_moment_leave_the_store_writable(db: TestDb) {
    use std::task::Poll;
    let actor = curator();
    let mut finished = 0;
    for i in 0..1500usize {
        let input = fixtures::input(&fixtures::practice(&format!("Cancelled write {i}")));
        let mut write = Box::pin(db.store.create_record(new_record(input), &actor));
        // Polled a different number of times, with a different pause, before it is dropped.
        for _ in 0..(i % 9) {
            if let Poll::Ready(r) = futures::poll!(&mut write) {
                r.expect("a write that finishes succeeds");
                finished += 1;
                break;
            }
            std::thread::sleep(std::time::Duration::from_micros((i % 7) as u64 * 40));
        }
        drop(write);
    }
    for n in 0..5 {
        let input = fixtures::input(&fixtures::practice(&format!("After the cancellations {n}")));
        db.store.create_record(new_record(input), &actor).await.expect("the store still takes writes");
    }
    // Every record that exists was written whole: one change each, numbered without a gap.
    let changes = db.store.changes_since(0, 100_000).await.unwrap();
    for (k, c) in changes.iter().enumerate() {
        assert_eq!(c.seq, k as i64 + 1, "no gap in the change log");
    }
    assert_eq!(db.count("records").await as usize, changes.len());
    assert!(changes.len() >= finished + 5, "{} changes, {finished} writes finished", changes.len());
}
