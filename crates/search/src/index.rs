//! The index on disk: opening, writing in batches with the sequence number they bring the index
//! up to, and searching.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::columnar::Column;
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, RegexQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocSet, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, TantivyDocument, Term,
};
use tokio::sync::Semaphore;
use uuid::Uuid;

use banyan_domain::Kind;

use crate::analysis;
use crate::document::{Display, IndexDoc};
use crate::facets::{CountsCache, FacetCounts};
use crate::highlight::{Highlight, Highlighter};
use crate::query::{self, Analysed, Purpose, QueryError};
use crate::schema::{self, Facet, Fields, SCHEMA_VERSION};
use crate::{Error, Result};

/// What the last commit says about itself, in tantivy's commit payload: written atomically with
/// the documents it covers.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
struct Payload {
    /// The change-log sequence number the index is complete up to.
    seq: i64,
    schema: u32,
}

/// How hard the writer may work.
#[derive(Debug, Clone, Copy)]
pub struct WriterOptions {
    pub threads: usize,
    pub memory_bytes: usize,
}

impl WriterOptions {
    /// For a server following the change log: small and polite.
    pub fn serving() -> WriterOptions {
        WriterOptions { threads: 1, memory_bytes: 64 << 20 }
    }
    /// For rebuilding or bulk loading: every core.
    pub fn bulk() -> WriterOptions {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
        WriterOptions { threads, memory_bytes: 256 << 20 }
    }
}

/// The search index.
pub struct SearchIndex {
    dir: PathBuf,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    pub(crate) fields: Fields,
    seq: AtomicI64,
    /// Turns to read the index: one per core (see [`SearchIndex::read`]).
    turns: Arc<Semaphore>,
    /// Segments' counts of matches and facet values, by query.
    counts: CountsCache,
    /// The distinctive words of recent probes (see [`crate::similar::ProbeTerms`]).
    pub(crate) probe_terms: crate::similar::ProbeTerms,
}

/// Sort orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first (the default with a query; newest first without one).
    #[default]
    Relevance,
    /// Most recently published first.
    Newest,
    /// Most recently changed first.
    Updated,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Sort> {
        match s {
            "relevance" => Some(Sort::Relevance),
            "newest" => Some(Sort::Newest),
            "updated" => Some(Sort::Updated),
            _ => None,
        }
    }
}

/// A search.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub q: String,
    /// Values to keep, by facet: any of a facet's values, and every facet given.
    pub filters: Vec<(Facet, Vec<String>)>,
    /// The language to show titles and summaries in, where records have it.
    pub lang: Option<String>,
    pub sort: Sort,
    pub limit: usize,
    pub offset: usize,
    /// Whether to count facet values.
    pub facets: bool,
    pub highlights: bool,
}

/// One result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: Uuid,
    pub kind: String,
    pub slug: String,
    pub title: String,
    pub summary: Option<String>,
    /// The language of `title` and `summary`.
    pub lang: String,
    pub highlights: Vec<Highlight>,
    pub score: f32,
}

/// The answer to a search.
#[derive(Debug, Clone)]
pub struct SearchResults {
    pub total: u64,
    pub hits: Vec<Hit>,
    pub facets: FacetCounts,
}

/// A type-ahead suggestion.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub id: Uuid,
    pub kind: String,
    pub slug: String,
    pub title: String,
}

/// Values kept per facet in a response: enough for every country (the site's map shades them all).
const FACET_VALUES: usize = 250;
/// What a practice adopted in 1, 2–4, and 5 or more places adds to a text match's score (a
/// title match alone scores several points).
const ADOPTION_BOOSTS: [f32; 3] = [0.3, 0.6, 1.0];
/// Highlight fragment size, in bytes.
const FRAGMENT_BYTES: usize = 240;
/// A filter that keeps at least one document in this many is checked as documents come, rather
/// than made a clause (see [`crate::rank`]): a kind keeps one in six or more.
const CHECKED_FILTER_SHARE: u64 = 16;

impl SearchIndex {
    /// Opens the index in `dir`, creating it if there is none. An index built by another version
    /// of the schema is refused with [`Error::Outdated`]: rebuild it with [`SearchIndex::recreate`].
    pub fn open(dir: &Path, options: WriterOptions) -> Result<SearchIndex> {
        std::fs::create_dir_all(dir).map_err(|e| Error::Io { path: dir.to_path_buf(), source: e })?;
        let (schema, fields) = schema::build();
        let exists = dir.join("meta.json").exists();
        let index = if exists { Index::open_in_dir(dir)? } else { Index::create_in_dir(dir, schema.clone())? };
        let payload = read_payload(&index)?;
        if exists && (payload.schema != SCHEMA_VERSION || index.schema() != schema) {
            return Err(Error::Outdated { found: payload.schema, wanted: SCHEMA_VERSION });
        }
        Self::finish(dir, index, fields, payload.seq, options)
    }

    /// Removes whatever is in `dir` and makes an empty index there.
    pub fn recreate(dir: &Path, options: WriterOptions) -> Result<SearchIndex> {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| Error::Io { path: dir.to_path_buf(), source: e })?;
        }
        Self::open(dir, options)
    }

    fn finish(dir: &Path, index: Index, fields: Fields, seq: i64, options: WriterOptions) -> Result<SearchIndex> {
        analysis::register(&index);
        let writer = index.writer_with_num_threads(options.threads, options.memory_bytes).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => Error::Locked(dir.to_path_buf()),
            e => Error::Tantivy(e),
        })?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(SearchIndex {
            dir: dir.to_path_buf(),
            reader,
            writer: Mutex::new(writer),
            fields,
            seq: AtomicI64::new(seq),
            turns: Arc::new(Semaphore::new(cores)),
            counts: CountsCache::default(),
            probe_terms: crate::similar::ProbeTerms::default(),
        })
    }

    /// Runs `work` on the index (a search, similar records, matching) on a blocking thread, with
    /// at most one such thread per core: further work waits its turn, first come first served.
    ///
    /// Without the limit each search took a thread of its own, and under load a hundred of them
    /// shared two cores with everything else. Everything got slower together: a write's round
    /// trips to the database each waited behind the searching threads, so writes took 20 times
    /// as long beside searches as alone, while holding the database's write lock. With the limit
    /// the other threads find a core free at once, and searches queue where their order is kept.
    pub async fn read<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&SearchIndex) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let turn = Arc::clone(&self.turns).acquire_owned().await.expect("the semaphore is never closed");
        let index = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            // Held until the work is done, even when whoever asked has gone away.
            let _turn = turn;
            work(&index)
        })
        .await
        .map_err(|e| Error::Task(e.to_string()))?
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The change-log sequence number the index is complete up to (as committed).
    pub fn applied_seq(&self) -> i64 {
        self.seq.load(Ordering::SeqCst)
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// Documents in the index, as last committed.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Bytes the index takes on disk.
    pub fn size_on_disk(&self) -> u64 {
        dir_size(&self.dir)
    }

    /// Replaces or removes documents. Nothing is visible, or durable, until [`SearchIndex::commit`].
    pub fn write(&self, docs: Vec<IndexDoc>, removed: &[Uuid]) -> Result<()> {
        let writer = self.writer.lock().expect("index writer lock");
        for id in removed {
            writer.delete_term(Term::from_field_text(self.fields.id, &id.to_string()));
        }
        for d in docs {
            writer.delete_term(Term::from_field_text(self.fields.id, &d.id.to_string()));
            writer.add_document(d.doc)?;
        }
        Ok(())
    }

    /// Removes every document (on commit).
    pub fn clear(&self) -> Result<()> {
        let writer = self.writer.lock().expect("index writer lock");
        writer.delete_all_documents()?;
        Ok(())
    }

    /// Makes everything written so far durable and searchable, recording that the index is
    /// complete up to change `seq` in the same atomic step.
    pub fn commit(&self, seq: i64) -> Result<()> {
        let mut writer = self.writer.lock().expect("index writer lock");
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&serde_json::to_string(&Payload { seq, schema: SCHEMA_VERSION }).expect("payload"));
        prepared.commit()?;
        drop(writer);
        self.seq.store(seq, Ordering::SeqCst);
        self.reader.reload()?;
        Ok(())
    }

    /// Throws away what was written since the last commit (as a crash would).
    pub fn rollback(&self) -> Result<()> {
        let mut writer = self.writer.lock().expect("index writer lock");
        writer.rollback()?;
        Ok(())
    }

    /// Waits for background segment merges to finish (after a bulk load).
    pub fn wait_merging(self) -> Result<()> {
        let writer = self.writer.into_inner().expect("index writer lock");
        writer.wait_merging_threads()?;
        Ok(())
    }

    /// How many segments' counts for queries are kept (see [`CountsCache`]).
    pub fn kept_counts(&self) -> usize {
        self.counts.len()
    }

    /// Bytes of segments' counts kept, at most [`crate::facets::KEEP_BYTES`].
    pub fn kept_counts_bytes(&self) -> usize {
        self.counts.bytes()
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    pub(crate) fn analyse(&self, q: &str) -> std::result::Result<Analysed, QueryError> {
        let clauses = query::parse(q)?;
        Ok(Analysed::new(clauses, &mut analysis::plain(), &mut analysis::folded()))
    }

    /// Runs a search.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let analysed = self.analyse(&req.q)?;
        let searcher = self.reader.searcher();
        let has_text = analysed.has_positive();
        let typos = analysed.typos(&self.fields, &searcher);
        let build = |purpose| {
            let mut clauses = analysed.to_clauses(&self.fields, &typos, purpose);
            if !has_text {
                clauses.push((Occur::Must, Box::new(AllQuery) as Box<dyn Query>));
            }
            clauses.extend(self.filter_clauses(&req.filters));
            clauses
        };
        let matching = BooleanQuery::new(build(Purpose::Match));
        let limit = req.limit.max(1);
        let sort = match req.sort {
            Sort::Relevance if has_text => None,
            Sort::Relevance | Sort::Newest => Some("published"),
            Sort::Updated => Some("updated"),
        };
        let facets = if req.facets { &Facet::ALL[..] } else { &[] };
        let ranked: Vec<(f32, DocAddress)> = match sort {
            // The top hits alone, so that tantivy can skip blocks that cannot make the top
            // (block-max WAND).
            None => {
                // Filters that keep many documents are checked as documents come; the others
                // lead the intersection as clauses.
                let checked = self.checked_filters(&searcher, &req.filters);
                let mut clauses = analysed.to_clauses(&self.fields, &typos, Purpose::Rank);
                if checked.is_none() {
                    clauses.extend(self.filter_clauses(&req.filters));
                }
                // One word, its filters checked: the word's own query, a union of terms that
                // tantivy prunes with block-max WAND.
                let query: Box<dyn Query> = match clauses.len() {
                    1 if clauses[0].0 == Occur::Must => clauses.remove(0).1,
                    _ => Box::new(BooleanQuery::new(clauses)),
                };
                let mut best = crate::rank::best_boosted(
                    &searcher,
                    query.as_ref(),
                    &self.adoption_boosts(),
                    checked.as_deref().unwrap_or_default(),
                    limit + req.offset,
                )?;
                best.drain(..req.offset.min(best.len()));
                best
            }
            Some(field) => searcher
                .search(
                    &matching,
                    &TopDocs::with_limit(limit).and_offset(req.offset).order_by_fast_field::<i64>(field, Order::Desc),
                )?
                .into_iter()
                .map(|(_, a)| (0.0, a))
                .collect(),
        };
        // Then the total and the facets over every match, unscored, from the segments' counts.
        let (total, facets) = self.counts.count(&searcher, &matching, facets, FACET_VALUES)?;
        let (plain_terms, folded_terms) = analysed.highlight_terms();
        let mut highlighter = if req.highlights && has_text {
            Some(Highlighter::new(plain_terms.clone(), folded_terms.clone()))
        } else {
            None
        };
        let mut hits = Vec::with_capacity(ranked.len());
        for (score, addr) in ranked {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let (id, display) = self.identity(&doc)?;
            let (title, summary, lang) = display.in_language(req.lang.as_deref());
            let mut highlights = Vec::new();
            if let Some(h) = highlighter.as_mut() {
                highlights.extend(h.whole("title", title));
                if let Some(s) = summary {
                    highlights.extend(h.fragment("summary", s, FRAGMENT_BYTES));
                }
                // Only a body the index says holds a word of the query is read: most hits match
                // in their titles, and reading a long body through for nothing was the dearest
                // part of a search.
                if let Some(body) = doc.get_first(self.fields.body).and_then(|v| v.as_str())
                    && (holds_any(&searcher, addr, self.fields.body, &plain_terms)?
                        || holds_any(&searcher, addr, self.fields.body_f, &folded_terms)?)
                {
                    highlights.extend(h.fragment("body", body, FRAGMENT_BYTES));
                }
            }
            hits.push(Hit {
                id,
                kind: display.kind.clone(),
                slug: display.slug.clone(),
                title: title.to_string(),
                summary: summary.map(str::to_string),
                lang: lang.to_string(),
                highlights,
                score,
            });
        }
        Ok(SearchResults { total, hits, facets })
    }

    /// Among records that match the words, practices taken up in more places rank a little
    /// higher: what each adoption bucket adds to a text match's score.
    fn adoption_boosts(&self) -> crate::rank::Boosts {
        crate::rank::Boosts {
            field: Facet::Adopted.name(),
            values: schema::ADOPTION_BUCKETS.iter().copied().zip(ADOPTION_BOOSTS).collect(),
        }
    }

    /// The filters as checks of the fast fields (see [`crate::rank`]), when each keeps at least
    /// one document in [`CHECKED_FILTER_SHARE`]; `None` when one keeps fewer, and is better left
    /// to lead an intersection.
    fn checked_filters(
        &self,
        searcher: &Searcher,
        filters: &[(Facet, Vec<String>)],
    ) -> Option<Vec<crate::rank::Filter>> {
        let docs = searcher.num_docs();
        let mut checked = Vec::new();
        for (facet, values) in filters.iter().filter(|(_, values)| !values.is_empty()) {
            let field = self.fields.facet(*facet);
            let mut kept = 0u64;
            for v in values {
                kept += searcher.doc_freq(&Term::from_field_text(field, v)).ok()?;
            }
            if kept.saturating_mul(CHECKED_FILTER_SHARE) < docs {
                return None;
            }
            checked.push(crate::rank::Filter { field: facet.name(), values: values.clone() });
        }
        Some(checked)
    }

    /// Filters as clauses that must match without changing scores.
    pub(crate) fn filter_clauses(&self, filters: &[(Facet, Vec<String>)]) -> Vec<(Occur, Box<dyn Query>)> {
        filters
            .iter()
            .filter(|(_, values)| !values.is_empty())
            .map(|(facet, values)| {
                let field = self.fields.facet(*facet);
                let any: Vec<(Occur, Box<dyn Query>)> = values
                    .iter()
                    .map(|v| {
                        let q: Box<dyn Query> =
                            Box::new(TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::Basic));
                        (Occur::Should, q)
                    })
                    .collect();
                let q: Box<dyn Query> = Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(any)), 0.0));
                (Occur::Must, q)
            })
            .collect()
    }

    /// Clauses keeping records of `kinds` (any when empty). The index also holds organisations:
    /// when every kind of record is asked for, leaving those out reads only their few postings,
    /// where a clause for any of the five kinds reads the postings of every record.
    pub(crate) fn kind_clauses(&self, kinds: &[String]) -> Vec<(Occur, Box<dyn Query>)> {
        let every_kind = Kind::ALL.iter().all(|k| kinds.iter().any(|c| c == k.code()));
        if kinds.is_empty() || every_kind {
            let field = self.fields.facet(Facet::Kind);
            let organisations =
                TermQuery::new(Term::from_field_text(field, crate::document::ORGANISATION), IndexRecordOption::Basic);
            return vec![(Occur::MustNot, Box::new(organisations))];
        }
        self.filter_clauses(&[(Facet::Kind, kinds.to_vec())])
    }

    /// The values of `facet` in the segment of `reader`, by ordinal, read once per segment.
    pub(crate) fn facet_names(&self, reader: &tantivy::SegmentReader, facet: Facet) -> Result<crate::facets::Names> {
        Ok(self.counts.names(reader, facet)?)
    }

    pub(crate) fn identity(&self, doc: &TantivyDocument) -> Result<(Uuid, Display)> {
        let id = doc
            .get_first(self.fields.id)
            .and_then(|v| v.as_str())
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| Error::Corrupt("a document without an id".into()))?;
        let display = doc
            .get_first(self.fields.display)
            .and_then(|v| v.as_str())
            .and_then(|s| serde_json::from_str::<Display>(s).ok())
            .ok_or_else(|| Error::Corrupt(format!("document {id} without its display part")))?;
        Ok((id, display))
    }

    /// Titles starting with what was typed so far: every complete word, and the last as a prefix.
    pub fn suggest(&self, q: &str, kinds: &[String], lang: Option<&str>, limit: usize) -> Result<Vec<Suggestion>> {
        if q.chars().count() > query::MAX_QUERY_CHARS {
            return Err(Error::Query(QueryError::TooLong));
        }
        let words = analysis::terms(&mut analysis::prefix(), q);
        let Some((last, complete)) = words.split_last() else { return Ok(Vec::new()) };
        if complete.len() >= query::MAX_CLAUSES {
            return Err(Error::Query(QueryError::TooManyWords));
        }
        let typing_last = !q.ends_with(char::is_whitespace);
        let field = self.fields.title_prefix;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = complete
            .iter()
            .chain((!typing_last).then_some(last))
            .map(|w| {
                let q: Box<dyn Query> =
                    Box::new(TermQuery::new(Term::from_field_text(field, w), IndexRecordOption::WithFreqs));
                (Occur::Must, q)
            })
            .collect();
        if typing_last {
            let pattern = format!("{}.*", regex_escape(last));
            clauses.push((Occur::Must, Box::new(RegexQuery::from_pattern(&pattern, field)?)));
            // A whole word typed so far counts more than a word it begins.
            clauses.push((
                Occur::Should,
                Box::new(TermQuery::new(Term::from_field_text(field, last), IndexRecordOption::WithFreqs)),
            ));
        }
        if !kinds.is_empty() {
            clauses.extend(self.filter_clauses(&[(Facet::Kind, kinds.to_vec())]));
        }
        let searcher = self.reader.searcher();
        let top = searcher.search(&BooleanQuery::new(clauses), &TopDocs::with_limit(limit.max(1)).order_by_score())?;
        let mut out = Vec::with_capacity(top.len());
        for (_, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let (id, display) = self.identity(&doc)?;
            let (title, _, _) = display.in_language(lang);
            out.push(Suggestion {
                id,
                kind: display.kind.clone(),
                slug: display.slug.clone(),
                title: title.to_string(),
            });
        }
        Ok(out)
    }

    /// The stored document of an id, if the index holds it.
    pub(crate) fn doc_by_id(&self, searcher: &Searcher, id: Uuid) -> Result<Option<(DocAddress, TantivyDocument)>> {
        let q = TermQuery::new(Term::from_field_text(self.fields.id, &id.to_string()), IndexRecordOption::Basic);
        let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
        match top.first() {
            Some((_, addr)) => Ok(Some((*addr, searcher.doc(*addr)?))),
            None => Ok(None),
        }
    }

    /// Whether the index holds a document for `id`.
    pub fn contains(&self, id: Uuid) -> Result<bool> {
        Ok(self.doc_by_id(&self.reader.searcher(), id)?.is_some())
    }

    /// The ids of the documents with a facet value (the records of an organisation, say).
    pub fn ids_with(&self, facet: Facet, value: &str) -> Result<Vec<Uuid>> {
        let searcher = self.reader.searcher();
        let q = TermQuery::new(Term::from_field_text(self.fields.facet(facet), value), IndexRecordOption::Basic);
        let addrs: Vec<DocAddress> = searcher.search(&q, &tantivy::collector::DocSetCollector)?.into_iter().collect();
        self.ids_at(&searcher, &addrs)
    }

    /// The ids of the documents at `addrs`, in order, from the columns of ids. Reading a stored
    /// document for its id decompresses its block of the store: for the 160 candidates of a
    /// challenge's matches, that was a third of finding them.
    pub(crate) fn ids_at(&self, searcher: &Searcher, addrs: &[DocAddress]) -> Result<Vec<Uuid>> {
        let mut columns: HashMap<u32, (Column<u64>, Column<u64>)> = HashMap::new();
        let mut out = Vec::with_capacity(addrs.len());
        for addr in addrs {
            let (high, low) = match columns.entry(addr.segment_ord) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => {
                    let fast = searcher.segment_reader(addr.segment_ord).fast_fields();
                    e.insert((fast.u64(schema::ID_HIGH)?, fast.u64(schema::ID_LOW)?))
                }
            };
            match (high.first(addr.doc_id), low.first(addr.doc_id)) {
                (Some(h), Some(l)) => out.push(Uuid::from_u64_pair(h, l)),
                _ => return Err(Error::Corrupt("a document without an id".into())),
            }
        }
        Ok(out)
    }
}

/// Whether the document at `addr` holds any of `terms` in `field`, from the postings alone.
fn holds_any(searcher: &Searcher, addr: DocAddress, field: Field, terms: &[String]) -> Result<bool> {
    let inverted = searcher.segment_reader(addr.segment_ord).inverted_index(field)?;
    for t in terms {
        let term = Term::from_field_text(field, t);
        if let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)?
            && postings.doc() <= addr.doc_id
            && postings.seek(addr.doc_id) == addr.doc_id
        {
            return Ok(true);
        }
    }
    Ok(false)
}

fn read_payload(index: &Index) -> Result<Payload> {
    let metas = index.load_metas()?;
    Ok(match metas.payload {
        Some(p) => serde_json::from_str(&p).map_err(|e| Error::Corrupt(format!("the index payload: {e}")))?,
        None => Payload { seq: 0, schema: SCHEMA_VERSION },
    })
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~\"<>@".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}
