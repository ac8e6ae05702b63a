//! The query language: words, "phrases in quotes" and `-excluded` words or phrases.
//!
//! Every word must match (in any field, with or without its diacritics, or as an English stem);
//! Latin-script words of five letters or more also match with one typo. Anything can be typed:
//! characters that are not letters or digits only separate words, an unclosed quote runs to the
//! end, and a query with nothing searchable in it browses by its filters.

use std::fmt;

use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

use crate::analysis;
use crate::schema::{Fields, weighted};

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// The most words and phrases in one query.
pub const MAX_CLAUSES: usize = 32;

/// Why a query was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    TooLong,
    TooManyWords,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::TooLong => write!(f, "the query is longer than {MAX_QUERY_CHARS} characters"),
            QueryError::TooManyWords => write!(f, "the query has more than {MAX_CLAUSES} words and phrases"),
        }
    }
}

impl std::error::Error for QueryError {}

/// One part of a query, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub text: String,
    pub phrase: bool,
    pub negated: bool,
}

/// Splits a query into words and phrases.
pub fn parse(q: &str) -> Result<Vec<Clause>, QueryError> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong);
    }
    let mut clauses = Vec::new();
    let mut chars = q.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() || c.is_control() {
            chars.next();
            continue;
        }
        let mut negated = false;
        if c == '-' {
            chars.next();
            match chars.peek() {
                Some(n) if !n.is_whitespace() => negated = true,
                _ => continue,
            }
        }
        let mut text = String::new();
        let phrase = chars.peek() == Some(&'"') || chars.peek() == Some(&'“');
        if phrase {
            chars.next();
            for c in chars.by_ref() {
                if c == '"' || c == '”' {
                    break;
                }
                text.push(c);
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c.is_control() {
                    break;
                }
                text.push(c);
                chars.next();
            }
        }
        clauses.push(Clause { text, phrase, negated });
    }
    if clauses.len() > MAX_CLAUSES {
        return Err(QueryError::TooManyWords);
    }
    Ok(clauses)
}

/// A query turned into terms for both analyses.
#[derive(Debug, Clone, Default)]
pub struct Analysed {
    /// Each clause: its plain and folded terms, position by position.
    pub clauses: Vec<(Clause, Vec<(String, String)>)>,
}

impl Analysed {
    pub fn new(clauses: Vec<Clause>, plain: &mut TextAnalyzer, folded: &mut TextAnalyzer) -> Analysed {
        let clauses = clauses
            .into_iter()
            .filter_map(|c| {
                let p = analysis::terms(plain, &c.text);
                let f = analysis::terms(folded, &c.text);
                if p.is_empty() || p.len() != f.len() {
                    return None;
                }
                Some((c, p.into_iter().zip(f).collect()))
            })
            .collect();
        Analysed { clauses }
    }

    /// Whether any clause must match (rather than only exclude).
    pub fn has_positive(&self) -> bool {
        self.clauses.iter().any(|(c, _)| !c.negated)
    }

    /// The plain and folded terms to highlight.
    pub fn highlight_terms(&self) -> (Vec<String>, Vec<String>) {
        let mut plain = Vec::new();
        let mut folded = Vec::new();
        for (c, terms) in &self.clauses {
            if c.negated {
                continue;
            }
            for (p, f) in terms {
                plain.push(p.clone());
                folded.push(f.clone());
            }
        }
        (plain, folded)
    }

    /// For each clause, whether it matches with one typo.
    ///
    /// Typo tolerance follows the index: a word found as typed (in any text field, plain or
    /// folded) is taken as typed; only a word the index does not know matches with one typo.
    /// Expanding every word would walk the term dictionary for each — slow over a million
    /// records — and would let `clinic` also match `clinics`' neighbours for no reason.
    pub fn typos(&self, fields: &Fields, searcher: &Searcher) -> Vec<bool> {
        self.clauses
            .iter()
            .map(|(clause, terms)| match terms.as_slice() {
                [(plain, folded)] => !clause.negated && allows_typo(plain) && !known(fields, searcher, folded),
                _ => false,
            })
            .collect()
    }

    /// The clauses of the text part: words and phrases that must match, and those excluded;
    /// `typos` as [`Analysed::typos`] gives them.
    ///
    /// For [`Purpose::Match`] the clauses match exactly the same records without scoring them:
    /// a word found in a plain field is always found in the folded one (folding only removes
    /// distinctions), so the folded fields alone decide; and a word is looked up once, in the
    /// field of all texts, which holds every folded text (phrases, which need positions, still
    /// look in each folded field).
    pub fn to_clauses(&self, fields: &Fields, typos: &[bool], purpose: Purpose) -> Vec<(Occur, Box<dyn Query>)> {
        let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for ((clause, terms), &typos) in self.clauses.iter().zip(typos) {
            let q: Box<dyn Query> = if clause.phrase && terms.len() > 1 {
                phrase_query(fields, terms, purpose)
            } else if terms.len() == 1 {
                let (plain, folded) = &terms[0];
                word_query(fields, plain, folded, typos, purpose)
            } else {
                // A word that analysis split (Thai written without spaces, `e-government`):
                // all of its parts, and closer together scores higher.
                let mut parts: Vec<(Occur, Box<dyn Query>)> =
                    terms.iter().map(|(p, f)| (Occur::Must, word_query(fields, p, f, false, purpose))).collect();
                if purpose == Purpose::Rank {
                    parts.push((Occur::Should, phrase_query(fields, terms, purpose)));
                }
                Box::new(BooleanQuery::new(parts))
            };
            out.push((if clause.negated { Occur::MustNot } else { Occur::Must }, q));
        }
        out
    }
}

/// What a query is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Finding the best hits: every field, plain and folded, weighted.
    Rank,
    /// Counting and faceting the matches: the same records, no scores.
    Match,
}

/// One word in any field: plain (exact) terms score above folded ones, and a typo scores least.
///
/// To match (not rank), one posting list: the word in the field of all texts. Counting a
/// search's facets went through the union of the four folded fields' lists, which costs
/// tantivy a 4,096-document window of scores and bits, zeroed and refilled, per segment.
fn word_query(fields: &Fields, plain: &str, folded: &str, typos: bool, purpose: Purpose) -> Box<dyn Query> {
    let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    match purpose {
        Purpose::Match => {
            let term = TermQuery::new(Term::from_field_text(fields.text_f, folded), IndexRecordOption::Basic);
            if !typos {
                return Box::new(term);
            }
            any.push((Occur::Should, Box::new(term)));
        }
        Purpose::Rank => {
            for (p, f, weight) in weighted(fields) {
                any.push((Occur::Should, boosted(TermQuery::new(Term::from_field_text(p, plain), freqs()), weight)));
                any.push((
                    Occur::Should,
                    boosted(TermQuery::new(Term::from_field_text(f, folded), freqs()), weight * 0.8),
                ));
            }
        }
    }
    if typos {
        for field in [fields.title, fields.summary, fields.body] {
            any.push((Occur::Should, boosted(FuzzyTermQuery::new(Term::from_field_text(field, plain), 1, true), 0.3)));
        }
    }
    Box::new(BooleanQuery::new(any))
}

/// Whether the index holds a word in any text field: folded, in the field of all texts (a word
/// held as typed is also held folded).
fn known(fields: &Fields, searcher: &Searcher, folded: &str) -> bool {
    searcher.doc_freq(&Term::from_field_text(fields.text_f, folded)).unwrap_or(0) > 0
}

/// Latin-script words of five letters or more may match with one typo.
pub fn allows_typo(word: &str) -> bool {
    word.chars().filter(|c| c.is_alphabetic()).count() >= 5 && analysis::is_latin(word)
}

fn phrase_query(fields: &Fields, terms: &[(String, String)], purpose: Purpose) -> Box<dyn Query> {
    let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (p, f, weight) in weighted(fields) {
        let folded = terms.iter().map(|(_, t)| Term::from_field_text(f, t)).collect();
        if purpose == Purpose::Match {
            any.push((Occur::Should, Box::new(PhraseQuery::new(folded))));
            continue;
        }
        let plain = terms.iter().map(|(t, _)| Term::from_field_text(p, t)).collect();
        any.push((Occur::Should, boosted(PhraseQuery::new(plain), weight)));
        any.push((Occur::Should, boosted(PhraseQuery::new(folded), weight * 0.8)));
    }
    Box::new(BooleanQuery::new(any))
}

fn freqs() -> IndexRecordOption {
    IndexRecordOption::WithFreqs
}

fn boosted(q: impl Query, weight: f32) -> Box<dyn Query> {
    if weight == 1.0 { Box::new(q) } else { Box::new(BoostQuery::new(Box::new(q), weight)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(text: &str, phrase: bool, negated: bool) -> Clause {
        Clause { text: text.into(), phrase, negated }
    }

    #[test]
    fn words_phrases_and_exclusions() {
        assert_eq!(
            parse(r#"land "one stop shop" -fees -"paper forms""#).unwrap(),
            [
                c("land", false, false),
                c("one stop shop", true, false),
                c("fees", false, true),
                c("paper forms", true, true)
            ]
        );
    }

    #[test]
    fn anything_typed_parses() {
        assert_eq!(parse("\"unclosed phrase").unwrap(), [c("unclosed phrase", true, false)]);
        assert_eq!(parse(" - -- \u{0}\t").unwrap(), [c("-", false, true)]);
        assert_eq!(parse("").unwrap(), []);
        assert!(parse(&"x".repeat(501)).is_err());
        assert!(parse(&"a ".repeat(33)).is_err());
    }

    #[test]
    fn typos_only_for_long_latin_words() {
        assert!(allows_typo("clinic"));
        assert!(!allows_typo("land"));
        assert!(!allows_typo("ที่ดินทำกิน"));
    }
}
