//! Counting facet values over every matching document, from the fast fields' term ordinals.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::schema::Facet;

/// Above this many distinct values in a segment, counts go to a map rather than an array.
const DENSE_LIMIT: usize = 4096;

/// Counts of the values of some facets, most frequent first.
pub type FacetCounts = Vec<(Facet, Vec<(String, u64)>)>;

/// A collector of facet counts.
pub struct FacetCollector {
    pub facets: Vec<Facet>,
    /// How many values to keep per facet.
    pub top: usize,
}

enum Counts {
    Dense(Vec<u32>),
    Sparse(HashMap<u64, u32>),
}

pub struct FacetSegment {
    columns: Vec<Option<(StrColumn, Counts)>>,
}

pub struct SegmentCounts(Vec<Option<(StrColumn, Counts)>>);

impl Collector for FacetCollector {
    type Fruit = FacetCounts;
    type Child = FacetSegment;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<FacetSegment> {
        let mut columns = Vec::with_capacity(self.facets.len());
        for facet in &self.facets {
            let column = segment.fast_fields().str(facet.name())?;
            columns.push(column.map(|c| {
                let n = c.num_terms();
                let counts = if n <= DENSE_LIMIT { Counts::Dense(vec![0; n]) } else { Counts::Sparse(HashMap::new()) };
                (c, counts)
            }));
        }
        Ok(FacetSegment { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<SegmentCounts>) -> tantivy::Result<FacetCounts> {
        let mut totals: Vec<HashMap<String, u64>> = vec![HashMap::new(); self.facets.len()];
        for SegmentCounts(columns) in segments {
            for (i, column) in columns.into_iter().enumerate() {
                let Some((column, counts)) = column else { continue };
                let mut counted: Vec<(u64, u32)> = match counts {
                    Counts::Dense(v) => {
                        v.into_iter().enumerate().filter(|(_, n)| *n > 0).map(|(ord, n)| (ord as u64, n)).collect()
                    }
                    Counts::Sparse(m) => m.into_iter().collect(),
                };
                counted.sort_unstable_by_key(|(ord, _)| *ord);
                // One pass through the dictionary for all the ordinals, rather than a lookup each.
                let ords: Vec<u64> = counted.iter().map(|(ord, _)| *ord).collect();
                let mut at = 0;
                column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                    let n = counted[at].1;
                    at += 1;
                    if let Ok(value) = std::str::from_utf8(bytes)
                        && self.facets[i].counts(value)
                    {
                        *totals[i].entry(value.to_string()).or_default() += u64::from(n);
                    }
                })?;
            }
        }
        Ok(self
            .facets
            .iter()
            .zip(totals)
            .map(|(facet, counts)| {
                let mut counts: Vec<(String, u64)> = counts.into_iter().collect();
                counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                counts.truncate(self.top);
                (*facet, counts)
            })
            .collect())
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = SegmentCounts;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (column, counts) in self.columns.iter_mut().flatten() {
            match counts {
                Counts::Dense(v) => {
                    for ord in column.term_ords(doc) {
                        v[ord as usize] += 1;
                    }
                }
                Counts::Sparse(m) => {
                    for ord in column.term_ords(doc) {
                        *m.entry(ord).or_default() += 1;
                    }
                }
            }
        }
    }

    fn harvest(self) -> SegmentCounts {
        SegmentCounts(self.columns)
    }
}
