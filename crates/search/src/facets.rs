//! Counting the documents that match a query, and the facet values among them, segment by
//! segment from the fast fields' term ordinals.
//!
//! A segment never changes once written, except for the documents deleted from it, and its
//! delete opstamp changes with those. So a segment's counts for a query are kept ([`CountsCache`])
//! and reused while both are the same, and a search after a commit counts only the segments the
//! commit made. Counting is most of the cost of a broad search: a one-word query matching 60,000
//! of 100,000 records spent two thirds of its 14 ms counting 13 facets.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use lru::LruCache;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use crate::schema::Facet;

/// Above this many distinct values in a segment, counts go to a map rather than an array.
const DENSE_LIMIT: usize = 4096;
/// Segments smaller than this are counted each time: that is quick, and they are merged away
/// soon after, so their counts would only take room.
const KEEP_FROM_DOCS: u32 = 2_000;
/// Bytes of segment counts kept, the least recently used going first. A count is a few hundred
/// bytes for a narrow query and some tens of kilobytes for a broad one; the load test's mix of
/// about 3,900 searches keeps about 13,000 of them (three large segments each), and a budget
/// in entries (4,096 before) kept only a third, so most searches counted again.
pub const KEEP_BYTES: usize = 48 << 20;
/// Segments' facet dictionaries kept: every facet of a few hundred segments.
const NAMES_KEPT: usize = 4_096;

/// Counts of the values of some facets, most frequent first.
pub type FacetCounts = Vec<(Facet, Vec<(String, u64)>)>;

/// What one segment holds for one query: how many documents match, and for each facet asked
/// for, the ordinals of its values in the segment's dictionary with how many of those documents
/// have each, in ordinal order.
#[derive(Debug, Default)]
pub struct SegmentCounts {
    pub docs: u64,
    values: Vec<Vec<(u64, u32)>>,
    /// For each facet asked for, its values in the segment by ordinal (see [`Names`]).
    names: Vec<Names>,
}

/// Every value of a facet in a segment, by ordinal: the segment's dictionary read once and
/// shared by every count of the segment. Reading the values of the ordinals counted from the
/// dictionary at each search (opening 13 columns in each segment) was a tenth of a search.
pub(crate) type Names = Arc<Vec<Box<str>>>;

/// Segment counts for queries, kept while their segment is unchanged.
pub struct CountsCache {
    kept: Mutex<Kept>,
    /// The values of facets by segment; a segment's dictionaries never change.
    names: Mutex<LruCache<(SegmentId, Facet), Names>>,
}

#[derive(Hash, PartialEq, Eq)]
struct Key {
    segment: SegmentId,
    /// Changes whenever documents of the segment are deleted.
    deletes: Option<u64>,
    /// Which facets, one bit each in [`Facet::ALL`]'s order.
    facets: u32,
    /// The query, as tantivy describes it: every term, field, phrase, typo allowance and
    /// required or optional part.
    query: String,
}

impl Key {
    /// Bytes held, roughly: the key and the cache's own entry.
    fn bytes(&self) -> usize {
        std::mem::size_of::<Self>() + self.query.capacity() + ENTRY_BYTES
    }
}

/// What the least recently used list takes for each entry beside the key and value.
const ENTRY_BYTES: usize = 64;

impl SegmentCounts {
    /// Bytes held by these counts (the shared dictionaries of values are counted in their own
    /// cache, not here).
    fn bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self
                .values
                .iter()
                .map(|v| std::mem::size_of_val(v) + v.capacity() * std::mem::size_of::<(u64, u32)>())
                .sum::<usize>()
            + self.names.capacity() * std::mem::size_of::<Names>()
    }
}

/// Segment counts, bounded by the bytes they hold rather than by their number: counts vary
/// from a few hundred bytes to tens of kilobytes.
struct Kept {
    lru: LruCache<Key, Arc<SegmentCounts>>,
    bytes: usize,
    budget: usize,
}

impl Kept {
    fn new(budget: usize) -> Kept {
        Kept { lru: LruCache::unbounded(), bytes: 0, budget }
    }

    fn get(&mut self, key: &Key) -> Option<Arc<SegmentCounts>> {
        self.lru.get(key).cloned()
    }

    /// Keeps `counts`, then lets the least recently used go until the rest fit the budget.
    /// Counts bigger than a sixteenth of the budget are not kept: they would push out many
    /// others for one query.
    fn put(&mut self, key: Key, counts: Arc<SegmentCounts>) {
        let key_bytes = key.bytes();
        let size = key_bytes + counts.bytes();
        if size > self.budget / 16 {
            return;
        }
        if let Some(old) = self.lru.put(key, counts) {
            self.bytes -= key_bytes + old.bytes();
        }
        self.bytes += size;
        while self.bytes > self.budget {
            match self.lru.pop_lru() {
                Some((k, v)) => self.bytes -= k.bytes() + v.bytes(),
                None => break,
            }
        }
    }
}

impl Default for CountsCache {
    fn default() -> Self {
        CountsCache::with_budget(KEEP_BYTES)
    }
}

impl CountsCache {
    /// A cache keeping at most `bytes` of segment counts.
    fn with_budget(bytes: usize) -> CountsCache {
        CountsCache {
            kept: Mutex::new(Kept::new(bytes)),
            names: Mutex::new(LruCache::new(NonZeroUsize::new(NAMES_KEPT).expect("not zero"))),
        }
    }

    /// How many documents `query` matches, and the `top` most frequent values of each of
    /// `facets` among them, using and keeping segment counts.
    pub fn count(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        facets: &[Facet],
        top: usize,
    ) -> tantivy::Result<(u64, FacetCounts)> {
        let described = format!("{query:?}");
        let mask = facets.iter().fold(0u32, |m, f| m | 1 << Facet::ALL.iter().position(|a| a == f).unwrap_or(31));
        let collector = Counter { facets: facets.to_vec() };
        let mut weight = None;
        let mut segments = Vec::with_capacity(searcher.segment_readers().len());
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let key = Key {
                segment: reader.segment_id(),
                deletes: reader.delete_opstamp(),
                facets: mask,
                query: described.clone(),
            };
            let kept = self.kept.lock().expect("not poisoned").get(&key);
            let counts = match kept {
                Some(counts) => counts,
                None => {
                    if weight.is_none() {
                        weight = Some(query.weight(EnableScoring::disabled_from_searcher(searcher))?);
                    }
                    let weight = weight.as_deref().expect("just made");
                    let mut counts = collector.collect_segment(weight, ord as SegmentOrdinal, reader)?;
                    counts.names = facets.iter().map(|f| self.names(reader, *f)).collect::<tantivy::Result<_>>()?;
                    let counts = Arc::new(counts);
                    if reader.max_doc() >= KEEP_FROM_DOCS {
                        self.kept.lock().expect("not poisoned").put(key, Arc::clone(&counts));
                    }
                    counts
                }
            };
            segments.push(counts);
        }
        let docs = segments.iter().map(|c| c.docs).sum();
        Ok((docs, merge(facets, &segments, top)))
    }

    /// The values of `facet` in the segment of `reader`, by ordinal.
    pub(crate) fn names(&self, reader: &SegmentReader, facet: Facet) -> tantivy::Result<Names> {
        let key = (reader.segment_id(), facet);
        if let Some(names) = self.names.lock().expect("not poisoned").get(&key) {
            return Ok(Arc::clone(names));
        }
        let mut names = Vec::new();
        if let Some(column) = reader.fast_fields().str(facet.name())? {
            names.reserve(column.num_terms());
            let mut terms = column.dictionary().stream()?;
            while terms.advance() {
                names.push(Box::from(String::from_utf8_lossy(terms.key())));
            }
        }
        let names = Arc::new(names);
        self.names.lock().expect("not poisoned").put(key, Arc::clone(&names));
        Ok(names)
    }

    /// Segment counts kept.
    pub fn len(&self) -> usize {
        self.kept.lock().expect("not poisoned").lru.len()
    }

    /// Bytes of segment counts kept, never more than the budget.
    pub fn bytes(&self) -> usize {
        self.kept.lock().expect("not poisoned").bytes
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The segments' counts added up, most frequent first.
fn merge(facets: &[Facet], segments: &[Arc<SegmentCounts>], top: usize) -> FacetCounts {
    let mut totals: Vec<HashMap<&str, u64>> = vec![HashMap::new(); facets.len()];
    for counts in segments {
        for (i, (counted, names)) in counts.values.iter().zip(&counts.names).enumerate() {
            for (ord, n) in counted {
                if let Some(value) = names.get(*ord as usize) {
                    *totals[i].entry(value).or_default() += u64::from(*n);
                }
            }
        }
    }
    facets
        .iter()
        .zip(totals)
        .map(|(facet, counts)| {
            let mut counts: Vec<(&str, u64)> = counts.into_iter().filter(|(v, _)| facet.counts(v)).collect();
            counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            counts.truncate(top);
            (*facet, counts.into_iter().map(|(v, n)| (v.to_string(), n)).collect())
        })
        .collect()
}

/// Counts the matching documents of a segment and their facet values' ordinals.
struct Counter {
    facets: Vec<Facet>,
}

enum Tally {
    Dense(Vec<u32>),
    Sparse(HashMap<u64, u32>),
}

struct SegmentCounter {
    docs: u64,
    columns: Vec<Option<(StrColumn, Tally)>>,
}

impl Collector for Counter {
    type Fruit = Vec<SegmentCounts>;
    type Child = SegmentCounter;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<SegmentCounter> {
        let mut columns = Vec::with_capacity(self.facets.len());
        for facet in &self.facets {
            let column = segment.fast_fields().str(facet.name())?;
            columns.push(column.map(|c| {
                let n = c.num_terms();
                let tally = if n <= DENSE_LIMIT { Tally::Dense(vec![0; n]) } else { Tally::Sparse(HashMap::new()) };
                (c, tally)
            }));
        }
        Ok(SegmentCounter { docs: 0, columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<SegmentCounts>) -> tantivy::Result<Vec<SegmentCounts>> {
        Ok(segments)
    }
}

impl SegmentCollector for SegmentCounter {
    type Fruit = SegmentCounts;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.docs += 1;
        for (column, tally) in self.columns.iter_mut().flatten() {
            match tally {
                Tally::Dense(v) => {
                    for ord in column.term_ords(doc) {
                        v[ord as usize] += 1;
                    }
                }
                Tally::Sparse(m) => {
                    for ord in column.term_ords(doc) {
                        *m.entry(ord).or_default() += 1;
                    }
                }
            }
        }
    }

    fn harvest(self) -> SegmentCounts {
        let values = self
            .columns
            .into_iter()
            .map(|column| {
                let mut counted: Vec<(u64, u32)> = match column {
                    None => Vec::new(),
                    Some((_, Tally::Dense(v))) => {
                        v.into_iter().enumerate().filter(|(_, n)| *n > 0).map(|(ord, n)| (ord as u64, n)).collect()
                    }
                    Some((_, Tally::Sparse(m))) => m.into_iter().collect(),
                };
                counted.sort_unstable_by_key(|(ord, _)| *ord);
                counted
            })
            .collect();
        SegmentCounts { docs: self.docs, values, names: Vec::new() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(segment: SegmentId, query: &str) -> Key {
        Key { segment, deletes: None, facets: 1, query: query.to_string() }
    }

    /// Counts of `values` distinct values in one facet.
    fn counts(values: usize) -> Arc<SegmentCounts> {
        Arc::new(SegmentCounts {
            docs: values as u64,
            values: vec![(0..values as u64).map(|o| (o, 1)).collect()],
            names: vec![Arc::new(Vec::new())],
        })
    }

    #[test]
    fn kept_counts_stay_within_their_bytes_and_the_least_recently_used_go_first() {
        let segment = SegmentId::generate_random();
        let one = key(segment, "q00").bytes() + counts(100).bytes();
        // Room for 32 counts of a hundred values.
        let mut kept = Kept::new(32 * one + one / 2);
        for i in 0..32 {
            kept.put(key(segment, &format!("q{i:02}")), counts(100));
        }
        assert_eq!(kept.lru.len(), 32);
        assert_eq!(kept.bytes, 32 * one);
        // The first is used again, so the second is the least recently used.
        assert!(kept.get(&key(segment, "q00")).is_some());
        kept.put(key(segment, "q32"), counts(100));
        assert!(kept.bytes <= kept.budget);
        assert_eq!(kept.lru.len(), 32);
        assert!(kept.get(&key(segment, "q01")).is_none(), "the least recently used went");
        assert!(kept.get(&key(segment, "q00")).is_some(), "the one used again stayed");

        // Kept again under the same key, counted once.
        kept.put(key(segment, "q32"), counts(100));
        assert_eq!(kept.bytes, 32 * one);

        // Larger counts take the room of more than one, and the bytes follow.
        let broad = key(segment, "broad").bytes() + counts(180).bytes();
        assert!(broad > one * 3 / 2 && broad < kept.budget / 16);
        kept.put(key(segment, "broad"), counts(180));
        assert!(kept.bytes <= kept.budget);
        assert_eq!(kept.lru.len(), 31);
        let held: usize = kept.lru.iter().map(|(k, v)| k.bytes() + v.bytes()).sum();
        assert_eq!(kept.bytes, held);

        // Counts too big for their share of the budget are not kept at all.
        kept.put(key(segment, "everything"), counts(10_000));
        assert!(kept.get(&key(segment, "everything")).is_none());
        assert!(kept.get(&key(segment, "broad")).is_some());
    }
}
