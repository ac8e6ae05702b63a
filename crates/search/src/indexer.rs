//! Keeping the index current by following the change log.
//!
//! The indexer reads changes after the sequence number the index was last committed at, reads
//! the current state of what changed, replaces or removes those documents, and commits with the
//! new sequence number as the commit's payload — one atomic step. A crash before the commit
//! loses only uncommitted index work, which the next run redoes from the same number; a crash
//! after it loses nothing. Reading current state (not the state at the change) is safe: a later
//! change to the same thing is in the log too, and applying it again changes nothing.

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, Notify};
use tracing::{info, warn};
use uuid::Uuid;

use banyan_domain::{OrganisationId, Record, RecordId};
use banyan_store::{Entity, OrganisationQuery, RecordState, Store};

use crate::document::{self, IndexDoc};
use crate::index::{SearchIndex, WriterOptions};
use crate::schema::Facet;
use crate::{Error, Result};

/// Changes read from the log at once.
const BATCH: u32 = 1000;
/// During a long catch-up, commit at least this often (in changes) so progress survives a crash.
const COMMIT_EVERY: usize = 50_000;

/// Follows the change log into the index.
pub struct Indexer {
    index: Arc<SearchIndex>,
    store: Arc<dyn Store>,
    /// Organisation names, which records are searchable by.
    org_names: Mutex<HashMap<OrganisationId, Option<String>>>,
    /// One catch-up at a time.
    running: Mutex<()>,
    notify: Arc<Notify>,
}

/// Wakes an indexer up: something was just written.
#[derive(Clone)]
pub struct IndexerHandle(Arc<Notify>);

impl IndexerHandle {
    pub fn changed(&self) {
        self.0.notify_one();
    }
}

/// What a rebuild or catch-up did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Changes read from the log.
    pub changes: usize,
    /// Documents written.
    pub indexed: usize,
    /// Documents removed.
    pub removed: usize,
}

impl Indexer {
    pub fn new(index: Arc<SearchIndex>, store: Arc<dyn Store>) -> Indexer {
        Indexer {
            index,
            store,
            org_names: Mutex::new(HashMap::new()),
            running: Mutex::new(()),
            notify: Arc::new(Notify::new()),
        }
    }

    pub fn index(&self) -> &Arc<SearchIndex> {
        &self.index
    }

    pub fn handle(&self) -> IndexerHandle {
        IndexerHandle(Arc::clone(&self.notify))
    }

    /// Whether the index claims changes the database does not have: the database was restored
    /// from an older backup, or replaced. Such an index must be rebuilt.
    pub async fn is_ahead_of_database(&self) -> Result<bool> {
        Ok(self.index.applied_seq() > self.store.last_seq().await?)
    }

    /// Applies every change after the index's sequence number, and commits.
    pub async fn catch_up(&self) -> Result<Applied> {
        let _one = self.running.lock().await;
        let result = self.catch_up_locked().await;
        if result.is_err() {
            // Throw away what was written but not committed; the next run starts again from
            // the committed sequence number.
            let index = Arc::clone(&self.index);
            let _ = tokio::task::spawn_blocking(move || index.rollback()).await;
        }
        result
    }

    async fn catch_up_locked(&self) -> Result<Applied> {
        let mut applied = Applied::default();
        let mut seq = self.index.applied_seq();
        let mut uncommitted = 0usize;
        loop {
            let changes = self.store.changes_since(seq, BATCH).await?;
            let Some(last) = changes.last().map(|c| c.seq) else { break };
            let mut records = BTreeSet::new();
            let mut orgs = BTreeSet::new();
            for c in &changes {
                match c.entity {
                    Entity::Record => records.insert(RecordId(c.id)),
                    Entity::Organisation => orgs.insert(OrganisationId(c.id)),
                };
            }
            if !orgs.is_empty() {
                let mut names = self.org_names.lock().await;
                for o in &orgs {
                    names.remove(o);
                    // Records carry their organisation's name: re-index them with the new one.
                    for id in self.index.ids_with(Facet::Organisation, &o.to_string())? {
                        records.insert(RecordId(id));
                    }
                }
            }
            let (docs, removed) = self.documents(&records.into_iter().collect::<Vec<_>>(), &orgs).await?;
            applied.changes += changes.len();
            applied.indexed += docs.len();
            applied.removed += removed.len();
            uncommitted += changes.len();
            let index = Arc::clone(&self.index);
            tokio::task::spawn_blocking(move || index.write(docs, &removed)).await.expect("index writer task")?;
            seq = last;
            if uncommitted >= COMMIT_EVERY {
                self.commit(seq).await?;
                uncommitted = 0;
            }
        }
        if seq != self.index.applied_seq() {
            self.commit(seq).await?;
        }
        Ok(applied)
    }

    async fn commit(&self, seq: i64) -> Result<()> {
        let index = Arc::clone(&self.index);
        tokio::task::spawn_blocking(move || index.commit(seq)).await.expect("index commit task")
    }

    /// The documents for records and organisations as they are now, and the ids to remove.
    async fn documents(
        &self,
        records: &[RecordId],
        orgs: &BTreeSet<OrganisationId>,
    ) -> Result<(Vec<IndexDoc>, Vec<Uuid>)> {
        let mut docs = Vec::new();
        let mut removed = Vec::new();
        let states = self.store.records_by_id(records).await?;
        let mut found = BTreeSet::new();
        let mut public = Vec::new();
        for state in states {
            match state {
                RecordState::Live(r) => {
                    found.insert(r.id);
                    if document::is_public(&r) {
                        public.push(r);
                    } else {
                        removed.push(r.id.0);
                    }
                }
                RecordState::Deleted(t) => {
                    found.insert(t.id);
                    removed.push(t.id.0);
                }
            }
        }
        removed.extend(records.iter().filter(|id| !found.contains(id)).map(|id| id.0));
        docs.extend(self.record_docs(&public).await?);

        let ids: Vec<OrganisationId> = orgs.iter().copied().collect();
        let live = self.store.organisations_by_id(&ids).await?;
        let fields = self.index.fields();
        let mut names = self.org_names.lock().await;
        for o in &live {
            names.insert(o.id, Some(o.content.name.clone()));
            docs.push(document::organisation_doc(fields, o));
        }
        let live: BTreeSet<OrganisationId> = live.iter().map(|o| o.id).collect();
        removed.extend(ids.iter().filter(|id| !live.contains(id)).map(|id| id.0));
        Ok((docs, removed))
    }

    async fn record_docs(&self, records: &[Record]) -> Result<Vec<IndexDoc>> {
        let mut names = self.org_names.lock().await;
        let missing: Vec<OrganisationId> = records
            .iter()
            .filter_map(|r| r.content.organisation)
            .filter(|o| !names.contains_key(o))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if !missing.is_empty() {
            for o in &missing {
                names.insert(*o, None);
            }
            for o in self.store.organisations_by_id(&missing).await? {
                names.insert(o.id, Some(o.content.name));
            }
        }
        let practices: Vec<RecordId> =
            records.iter().filter(|r| r.kind() == banyan_domain::Kind::Practice).map(|r| r.id).collect();
        let adopted =
            if practices.is_empty() { HashMap::new() } else { self.store.adoption_counts(&practices).await? };
        let fields = self.index.fields();
        Ok(records
            .iter()
            .map(|r| {
                let org = r.content.organisation.and_then(|o| names.get(&o).cloned().flatten());
                document::record_doc(fields, r, org.as_deref(), adopted.get(&r.id).copied().unwrap_or(0))
            })
            .collect())
    }

    /// Builds the index afresh from the database: every public record and every organisation,
    /// then every change made meanwhile. `progress` is told how many documents are done.
    pub async fn rebuild(&self, progress: &(dyn Fn(usize) + Send + Sync)) -> Result<Applied> {
        let _one = self.running.lock().await;
        let started = Instant::now();
        // Changes from here on are applied after the scan, so nothing made during it is missed.
        let seq = self.store.last_seq().await?;
        let index = Arc::clone(&self.index);
        tokio::task::spawn_blocking(move || index.clear()).await.expect("index task")?;
        let mut applied = Applied::default();
        let mut after = None;
        loop {
            let page = self.store.public_records_after(after, 1000).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            let docs = self.record_docs(&page).await?;
            applied.indexed += docs.len();
            let index = Arc::clone(&self.index);
            tokio::task::spawn_blocking(move || index.write(docs, &[])).await.expect("index task")?;
            progress(applied.indexed);
        }
        let mut cursor = None;
        loop {
            let page = self
                .store
                .list_organisations(&OrganisationQuery { limit: 1000, cursor: cursor.take(), ..Default::default() })
                .await?;
            let fields = self.index.fields();
            let docs: Vec<IndexDoc> = page.items.iter().map(|o| document::organisation_doc(fields, o)).collect();
            applied.indexed += docs.len();
            let index = Arc::clone(&self.index);
            tokio::task::spawn_blocking(move || index.write(docs, &[])).await.expect("index task")?;
            progress(applied.indexed);
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        self.commit(seq).await?;
        info!(documents = applied.indexed, seconds = started.elapsed().as_secs_f64(), "search index rebuilt");
        drop(_one);
        let more = self.catch_up().await?;
        applied.changes += more.changes;
        applied.indexed += more.indexed;
        applied.removed += more.removed;
        Ok(applied)
    }

    /// Follows the change log until `shutdown`: when [`IndexerHandle::changed`] is called, and
    /// every `poll` for what other servers write.
    ///
    /// A write after a quiet spell is indexed at once. While writes keep coming, the index
    /// commits at most once per `refresh`, each commit taking every write since the last: a
    /// commit writes a new segment and wakes the merging, which, once per write, took more of
    /// two cores than the searches did (the load test's 140 writes a second).
    pub async fn run(self: Arc<Self>, poll: Duration, refresh: Duration, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut failures = 0u32;
        loop {
            let started = Instant::now();
            let mut applied_some = false;
            match self.catch_up().await {
                Ok(applied) => {
                    failures = 0;
                    applied_some = applied.changes > 0;
                }
                Err(e) => {
                    failures += 1;
                    if failures == 1 || failures.is_power_of_two() {
                        warn!(error = %e, failures, "the search index could not catch up; retrying");
                    }
                }
            }
            tokio::select! {
                _ = self.notify.notified() => {}
                _ = tokio::time::sleep(poll) => {}
                _ = &mut shutdown => break,
            }
            // Woken soon after a catch-up that committed: let the writes gather until `refresh`
            // has passed since it began (a wake-up while waiting is kept for the next round).
            if applied_some {
                tokio::select! {
                    _ = tokio::time::sleep_until((started + refresh).into()) => {}
                    _ = &mut shutdown => break,
                }
            }
        }
    }
}

/// Opens the index in `dir` for a server, rebuilding it when it was made by another version of
/// Banyan or is ahead of the database, and brings it up to date.
pub async fn open_current(dir: &std::path::Path, store: Arc<dyn Store>) -> Result<Arc<Indexer>> {
    let (index, rebuild) = match SearchIndex::open(dir, WriterOptions::serving()) {
        Ok(index) => (index, false),
        Err(Error::Outdated { found, wanted }) => {
            warn!(found, wanted, "the search index was built by another version; rebuilding it");
            (SearchIndex::recreate(dir, WriterOptions::serving())?, true)
        }
        Err(e) => return Err(e),
    };
    let indexer = Arc::new(Indexer::new(Arc::new(index), store));
    let empty_but_data = indexer.index.applied_seq() == 0 && indexer.store.last_seq().await? > 0;
    if rebuild || empty_but_data || indexer.is_ahead_of_database().await? {
        if !rebuild && !empty_but_data {
            warn!("the search index has changes the database does not (was the database restored?); rebuilding it");
        }
        info!("building the search index from the database");
        indexer.rebuild(&|_| {}).await?;
    } else {
        indexer.catch_up().await?;
    }
    Ok(indexer)
}
