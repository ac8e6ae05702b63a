//! The best hits of a text search, with a constant added to the scores of some documents.
//!
//! Practices taken up in more places rank a little higher: a constant per adoption bucket is
//! added to a text match's score. As optional clauses of the query, those constants made every
//! search score every document that held its words, since tantivy prunes with block-max WAND
//! only a query of nothing but terms. Here the words are searched alone, pruned, and the
//! constant is added as each document comes: a document whose words score no more than the
//! k-th best total less the largest constant cannot enter the best k, so that is the threshold
//! the search is given. The result is exactly that of the query with the constants as clauses.
//!
//! Filters are checked the same way, as each document comes, from the fast fields: as clauses
//! that must match, they made the query an intersection, which tantivy walks in full. A filter
//! that keeps few documents is better left a clause, which leads the intersection: the caller
//! chooses.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, Score, Searcher};

/// What documents with some values of a fast string field add to their scores.
pub(crate) struct Boosts {
    /// The field's name.
    pub field: &'static str,
    /// Each value, with what it adds (a document holds one of them, or none).
    pub values: Vec<(&'static str, f32)>,
}

/// Documents that hold one of `values` in a fast string field.
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    /// The field's name.
    pub field: &'static str,
    pub values: Vec<String>,
}

/// One of the best: a better one has a higher score, or the same score and a lower address.
#[derive(Debug, Clone, Copy)]
struct Best {
    score: Score,
    addr: DocAddress,
}

impl Ord for Best {
    /// Greater is worse, so that a max-heap's top is the worst of the best.
    fn cmp(&self, other: &Self) -> Ordering {
        other.score.total_cmp(&self.score).then_with(|| self.addr.cmp(&other.addr))
    }
}

impl PartialOrd for Best {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Best {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Best {}

/// The best `k` documents for `query` that pass every one of `filters`, with `boosts` added to
/// their scores, best first (ties in document order), as `TopDocs` would give them for the
/// query with the filters as clauses that must match (scoring nothing) and the boosts as
/// optional ones.
pub(crate) fn best_boosted(
    searcher: &Searcher,
    query: &dyn Query,
    boosts: &Boosts,
    filters: &[Filter],
    k: usize,
) -> tantivy::Result<Vec<(Score, DocAddress)>> {
    if k == 0 {
        return Ok(Vec::new());
    }
    let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let most = boosts.values.iter().map(|(_, b)| *b).fold(0.0f32, f32::max);
    let mut heap: BinaryHeap<Best> = BinaryHeap::with_capacity(k + 1);
    let threshold = |heap: &BinaryHeap<Best>| match heap.peek() {
        Some(worst) if heap.len() >= k => worst.score - most,
        _ => Score::MIN,
    };
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let column = reader.fast_fields().str(boosts.field)?;
        // The boosts by the values' numbers in this segment's dictionary.
        let mut by_ord: Vec<(u64, f32)> = Vec::new();
        if let Some(c) = &column {
            for (value, boost) in &boosts.values {
                if let Some(o) = c.dictionary().term_ord(value.as_bytes())? {
                    by_ord.push((o, *boost));
                }
            }
        }
        // Each filter's column and its values' numbers in this segment's dictionary; a filter
        // none of whose values this segment holds leaves nothing in it.
        let mut checks = Vec::with_capacity(filters.len());
        for f in filters {
            let Some(c) = reader.fast_fields().str(f.field)? else { break };
            let mut ords = Vec::with_capacity(f.values.len());
            for v in &f.values {
                if let Some(o) = c.dictionary().term_ord(v.as_bytes())? {
                    ords.push(o);
                }
            }
            if ords.is_empty() {
                break;
            }
            checks.push((c, ords));
        }
        if checks.len() < filters.len() {
            continue;
        }
        let alive = reader.alive_bitset();
        let start = threshold(&heap);
        weight.for_each_pruning(start, reader, &mut |doc, score| {
            if alive.is_some_and(|a| a.is_deleted(doc))
                || !checks.iter().all(|(c, ords)| c.term_ords(doc).any(|o| ords.contains(&o)))
            {
                return threshold(&heap);
            }
            let mut total = score;
            if let Some(c) = column.as_ref().filter(|_| !by_ord.is_empty()) {
                for o in c.term_ords(doc) {
                    if let Some((_, b)) = by_ord.iter().find(|(x, _)| *x == o) {
                        total += b;
                    }
                }
            }
            let best = Best { score: total, addr: DocAddress::new(ord as u32, doc) };
            if heap.len() < k {
                heap.push(best);
            } else if heap.peek().is_some_and(|worst| best < *worst) {
                heap.pop();
                heap.push(best);
            }
            threshold(&heap)
        })?;
    }
    let mut best = heap.into_vec();
    best.sort();
    Ok(best.into_iter().map(|b| (b.score, b.addr)).collect())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use tantivy::collector::TopDocs;
    use tantivy::indexer::NoMergePolicy;
    use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, TermQuery};
    use tantivy::schema::{FAST, IndexRecordOption, STRING, Schema, TEXT};
    use tantivy::{Index, TantivyDocument, Term};

    use super::*;

    /// Against the query with the filters as clauses that must match and the boosts as optional
    /// clauses, scored by tantivy in full: the same scores in the same order, over several
    /// segments with deleted documents, for words common and rare, one or several, with filters
    /// on one value or several, on one field or two, one of them holding several values a
    /// document, and a value no document holds; and for any number of hits asked.
    #[test]
    fn the_best_are_those_of_the_query_with_the_filters_and_boosts_as_clauses() {
        let mut schema = Schema::builder();
        let id = schema.add_text_field("id", STRING);
        let text = schema.add_text_field("text", TEXT);
        let adopted = schema.add_text_field("adopted", STRING | FAST);
        let kind = schema.add_text_field("kind", STRING | FAST);
        let place = schema.add_text_field("place", STRING | FAST);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.set_merge_policy(Box::new(NoMergePolicy));
        let words = ["land", "clinic", "queue", "permit", "water", "school", "court", "tax"];
        let buckets = [("1", 0.3f32), ("2-4", 0.6), ("5-or-more", 1.0)];
        // A fixed pseudo-random sequence (xorshift), so that a failure can be repeated.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for segment in 0..4 {
            for i in 0..250 {
                let mut doc = TantivyDocument::default();
                doc.add_text(id, format!("{segment}-{i}"));
                let len = 3 + next(20);
                let body: Vec<&str> = (0..len).map(|_| words[next(words.len() as u64) as usize]).collect();
                doc.add_text(text, body.join(" "));
                if let Some((bucket, _)) = buckets.get(next(6) as usize) {
                    doc.add_text(adopted, bucket);
                }
                doc.add_text(kind, ["a", "b", "c"][next(3) as usize]);
                for _ in 0..next(3) {
                    doc.add_text(place, ["x", "y", "z", "w"][next(4) as usize]);
                }
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
            for i in (0..250).step_by(7) {
                writer.delete_term(Term::from_field_text(id, &format!("{segment}-{i}")));
            }
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 4);
        let boosts = Boosts { field: "adopted", values: buckets.to_vec() };
        let term = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(text, w), IndexRecordOption::WithFreqs))
        };
        let queries: Vec<Box<dyn Query>> = vec![
            term("land"),
            Box::new(BooleanQuery::new(vec![(Occur::Should, term("clinic")), (Occur::Should, term("tax"))])),
            Box::new(BooleanQuery::new(vec![
                (Occur::Should, Box::new(BoostQuery::new(term("queue"), 3.0))),
                (Occur::Should, term("court")),
                (Occur::Should, Box::new(BoostQuery::new(term("water"), 0.8))),
            ])),
            Box::new(BooleanQuery::new(vec![(Occur::Must, term("school")), (Occur::Must, term("permit"))])),
        ];
        let filter = |field: &'static str, values: &[&str]| Filter {
            field,
            values: values.iter().map(|v| v.to_string()).collect(),
        };
        let filter_sets = [
            vec![],
            vec![filter("kind", &["a"])],
            vec![filter("kind", &["a", "c"]), filter("place", &["x", "w"])],
            vec![filter("place", &["y"]), filter("kind", &["nothing", "b"])],
            vec![filter("kind", &["nothing"])],
        ];
        let field_of = |name: &str| if name == "kind" { kind } else { place };
        for (query, filters) in queries.iter().flat_map(|q| filter_sets.iter().map(move |f| (q, f))) {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, query.box_clone())];
            for f in filters {
                let any: Vec<(Occur, Box<dyn Query>)> = f
                    .values
                    .iter()
                    .map(|v| {
                        let t = TermQuery::new(Term::from_field_text(field_of(f.field), v), IndexRecordOption::Basic);
                        (Occur::Should, Box::new(t) as Box<dyn Query>)
                    })
                    .collect();
                clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(any)), 0.0))));
            }
            for (bucket, boost) in &buckets {
                let t = TermQuery::new(Term::from_field_text(adopted, bucket), IndexRecordOption::Basic);
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(ConstScoreQuery::new(Box::new(t), 1.0)), *boost)),
                ));
            }
            let with_clauses = BooleanQuery::new(clauses);
            let all = searcher.search(&with_clauses, &TopDocs::with_limit(1000).order_by_score()).unwrap();
            let score_of: HashMap<DocAddress, Score> = all.iter().map(|(s, a)| (*a, *s)).collect();
            let nothing = filters.iter().any(|f| f.values == ["nothing"]);
            assert!(nothing == all.is_empty() && (nothing || all.len() > 20), "{query:?} matches {}", all.len());
            for k in [1, 5, 10, 50, 2000] {
                let ours = best_boosted(&searcher, query.as_ref(), &boosts, filters, k).unwrap();
                let theirs: Vec<Score> = all.iter().take(k).map(|(s, _)| *s).collect();
                let scores: Vec<Score> = ours.iter().map(|(s, _)| *s).collect();
                assert_eq!(scores.len(), theirs.len(), "{query:?}, k = {k}");
                for ((ours, theirs), (_, addr)) in scores.iter().zip(&theirs).zip(&ours) {
                    assert!((ours - theirs).abs() < 1e-4, "{query:?}, k = {k}: {ours} against {theirs}");
                    assert!((score_of[addr] - ours).abs() < 1e-4, "{query:?}: {addr:?} scores {}", score_of[addr]);
                }
            }
        }
    }
}
