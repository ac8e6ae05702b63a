//! Likely duplicates of a draft: candidates by text relevance, then compared by MinHash over
//! character shingles (near-identical wording, in any script) and by their titles.

use std::collections::BTreeSet;

use gaoya::minhash::{MinHasher, MinHasher32, compute_minhash_similarity};
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};
use uuid::Uuid;

use crate::Result;
use crate::analysis;
use crate::index::SearchIndex;
use crate::schema::Facet;
use crate::similar::{distinctive_terms, terms_query};

/// A draft to check.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub title: String,
    pub text: String,
    /// Only records of these kinds (all when empty).
    pub kinds: Vec<String>,
    /// A record to leave out (the draft itself, once saved).
    pub exclude: Option<Uuid>,
}

/// A record that may say the same as the draft.
#[derive(Debug, Clone, Serialize)]
pub struct Duplicate {
    pub id: Uuid,
    pub kind: String,
    pub slug: String,
    pub title: String,
    pub summary: Option<String>,
    /// 0..1, all signs weighed.
    pub score: f32,
    /// Estimated Jaccard similarity of the texts' character 5-shingles (MinHash).
    pub text_similarity: f32,
    /// Jaccard similarity of the titles' words.
    pub title_similarity: f32,
    /// Whether it is probably the same thing.
    pub likely: bool,
}

const CANDIDATES: usize = 30;
const SHINGLE: usize = 5;
const HASHES: usize = 128;
/// Below this a candidate is not worth showing.
pub const SHOW_FROM: f32 = 0.25;
/// From this a candidate is probably the same thing.
pub const LIKELY_FROM: f32 = 0.5;

/// The normalised text compared: folded words, space separated.
fn canonical(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut word = String::new();
    analysis::words(text, |from, to| {
        if out.len() >= max_chars {
            return;
        }
        analysis::normalise(&text[from..to], true, &mut word);
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word);
    });
    out
}

fn shingles(text: &str) -> BTreeSet<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= SHINGLE {
        return std::iter::once(text.to_string()).filter(|s| !s.is_empty()).collect();
    }
    chars.windows(SHINGLE).map(|w| w.iter().collect()).collect()
}

fn title_words(title: &str) -> BTreeSet<String> {
    analysis::terms(&mut analysis::folded(), title).into_iter().collect()
}

/// Records that are likely the same as the draft, most likely first.
pub fn duplicates(index: &SearchIndex, draft: &Draft, limit: usize) -> Result<Vec<Duplicate>> {
    let searcher = index.searcher();
    let f = index.fields();
    let terms = distinctive_terms(index, &searcher, &draft.title, &draft.text, 40)?;
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let mut q: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Must, Box::new(BooleanQuery::new(terms_query(index, &terms))))];
    if let Some(id) = draft.exclude {
        q.push((
            Occur::MustNot,
            Box::new(TermQuery::new(Term::from_field_text(f.id, &id.to_string()), IndexRecordOption::Basic)),
        ));
    }
    let mut kinds = draft.kinds.clone();
    if kinds.is_empty() {
        kinds = ["practice", "idea", "challenge", "solution", "resource"].map(String::from).to_vec();
    }
    q.extend(index.filter_clauses(&[(Facet::Kind, kinds)]));
    let top = searcher.search(&BooleanQuery::new(q), &TopDocs::with_limit(CANDIDATES).order_by_score())?;
    let Some(best) = top.first().map(|t| t.0) else { return Ok(Vec::new()) };

    let draft_text = canonical(&format!("{}\n{}", draft.title, draft.text), 4000);
    let hasher = MinHasher32::new(HASHES);
    let draft_signature = hasher.create_signature(shingles(&draft_text).iter());
    let draft_title = title_words(&draft.title);
    let mut out = Vec::new();
    for (score, addr) in top {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let (id, display) = index.identity(&doc)?;
        let body = doc.get_first(f.body).and_then(|v| v.as_str()).unwrap_or("");
        // Compare like with like: as much of the record as the draft has text.
        let budget = (draft_text.len() * 3 / 2).max(300);
        let record_text =
            canonical(&format!("{}\n{}\n{}", display.title, display.summary.as_deref().unwrap_or(""), body), budget);
        let signature = hasher.create_signature(shingles(&record_text).iter());
        let text_similarity = compute_minhash_similarity(&draft_signature, &signature) as f32;
        let record_title = title_words(&display.title);
        let title_similarity = if draft_title.is_empty() || record_title.is_empty() {
            0.0
        } else {
            draft_title.intersection(&record_title).count() as f32 / draft_title.union(&record_title).count() as f32
        };
        let relevance = score / best;
        let combined = 0.45 * text_similarity + 0.35 * title_similarity + 0.2 * relevance;
        // Near-identical wording is a duplicate whatever the title says.
        let combined = combined.max(text_similarity);
        if combined < SHOW_FROM {
            continue;
        }
        out.push(Duplicate {
            id,
            kind: display.kind.clone(),
            slug: display.slug.clone(),
            title: display.title.clone(),
            summary: display.summary.clone(),
            score: round(combined),
            text_similarity: round(text_similarity),
            title_similarity: round(title_similarity),
            likely: combined >= LIKELY_FROM,
        });
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out.truncate(limit);
    Ok(out)
}

fn round(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_text_ignores_case_accents_and_punctuation() {
        assert_eq!(canonical("Đổi mới: One-Stop!", 100), canonical("doi moi one stop", 100));
    }

    #[test]
    fn identical_texts_have_identical_signatures() {
        let h = MinHasher32::new(HASHES);
        let a = h.create_signature(shingles(&canonical("Land records online in every district", 500)).iter());
        let b = h.create_signature(shingles(&canonical("land records ONLINE in every district.", 500)).iter());
        assert_eq!(compute_minhash_similarity(&a, &b), 1.0);
        let c = h.create_signature(shingles(&canonical("School meals for girls in rural areas", 500)).iter());
        assert!(compute_minhash_similarity(&a, &c) < 0.2);
    }
}
