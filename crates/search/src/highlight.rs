//! Highlights: the best fragment of a text for a query, with the words that matched marked.
//!
//! A word matches when its plain form is one of the query's plain terms, or its folded and
//! stemmed form one of the folded terms — the same two ways the index matches it.

use std::collections::HashSet;
use std::ops::Range;

use serde::Serialize;
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use crate::analysis;

/// A fragment of a field with the matching words marked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Highlight {
    pub field: &'static str,
    /// The fragment as plain text; `…` marks where it was cut.
    pub text: String,
    /// Byte ranges of `text` that matched.
    #[serde(skip)]
    pub marks: Vec<Range<usize>>,
}

impl Highlight {
    /// The fragment as HTML: text escaped, matches in `<mark>`.
    pub fn html(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 13 * self.marks.len());
        let mut at = 0;
        for m in &self.marks {
            escape_into(&self.text[at..m.start], &mut out);
            out.push_str("<mark>");
            escape_into(&self.text[m.start..m.end], &mut out);
            out.push_str("</mark>");
            at = m.end;
        }
        escape_into(&self.text[at..], &mut out);
        out
    }
}

fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// Finds the query's words in texts.
pub struct Highlighter {
    /// The query's terms, plain and folded (stemmed) side by side; a query has few, so a
    /// list is faster to search than a hash set.
    plain: Vec<String>,
    folded: Vec<String>,
    /// The first three characters of each folded term: only words starting so are stemmed.
    starts: Vec<String>,
    /// How many different words the query has: a fragment holding them all cannot be beaten.
    distinct: usize,
    stemmer: TextAnalyzer,
}

/// A match: where, and which of the query's words (its number in the term lists).
struct Match {
    range: Range<usize>,
    term: usize,
}

impl Highlighter {
    pub fn new(plain: Vec<String>, folded: Vec<String>) -> Highlighter {
        let mut starts: Vec<String> = folded.iter().map(|t| t.chars().take(3).collect()).collect();
        starts.sort();
        starts.dedup();
        let distinct = folded.iter().collect::<HashSet<_>>().len();
        Highlighter { plain, folded, starts, distinct, stemmer: analysis::folded() }
    }

    pub fn is_empty(&self) -> bool {
        self.plain.is_empty()
    }

    /// The byte ranges of `text` that match.
    pub fn matches(&mut self, text: &str) -> Vec<Range<usize>> {
        self.find(text, usize::MAX).into_iter().map(|m| m.range).collect()
    }

    /// The matches in `text`, in order; with a `window`, scanning stops once `window` bytes
    /// hold every word of the query (no later fragment can be better).
    fn find(&mut self, text: &str, window: usize) -> Vec<Match> {
        let mut out: Vec<Match> = Vec::new();
        let mut word = String::new();
        let mut folded = String::new();
        let mut done = false;
        let (plain_terms, folded_terms, starts, stemmer) = (&self.plain, &self.folded, &self.starts, &mut self.stemmer);
        let distinct = self.distinct;
        analysis::words(text, |from, to| {
            if done {
                return;
            }
            let raw = &text[from..to];
            analysis::normalise(raw, false, &mut word);
            let term = if let Some(i) = plain_terms.iter().position(|t| *t == word) {
                Some(i)
            } else {
                // ASCII words fold to themselves: only the stem can still differ.
                let f = if raw.is_ascii() {
                    &word
                } else {
                    analysis::normalise(raw, true, &mut folded);
                    &folded
                };
                if starts.iter().any(|s| f.starts_with(s.as_str())) {
                    let mut stream = stemmer.token_stream(raw);
                    if stream.advance() { folded_terms.iter().position(|t| *t == stream.token().text) } else { None }
                } else {
                    None
                }
            };
            let Some(term) = term else { return };
            out.push(Match {
                range: from..to,
                term: folded_terms.iter().position(|t| *t == folded_terms[term]).unwrap_or(term),
            });
            if window != usize::MAX && distinct > 1 {
                let first = to.saturating_sub(window);
                let mut seen: Vec<usize> = Vec::new();
                for m in out.iter().rev().take_while(|m| m.range.start >= first) {
                    if !seen.contains(&m.term) {
                        seen.push(m.term);
                    }
                }
                done = seen.len() >= distinct;
            } else if window != usize::MAX {
                done = true;
            }
        });
        out
    }

    /// The whole text with its matches marked, if anything matched.
    pub fn whole(&mut self, field: &'static str, text: &str) -> Option<Highlight> {
        let marks = self.matches(text);
        if marks.is_empty() {
            return None;
        }
        Some(Highlight { field, text: text.to_string(), marks })
    }

    /// The fragment of at most `max_bytes` (about) with the most different matching words.
    pub fn fragment(&mut self, field: &'static str, text: &str, max_bytes: usize) -> Option<Highlight> {
        let found = self.find(text, max_bytes);
        if found.is_empty() {
            return None;
        }
        // The window starting at some match that covers the most distinct words.
        let mut best = (0usize, 0usize);
        for i in 0..found.len() {
            let end = found[i].range.start + max_bytes;
            let mut seen: Vec<usize> = Vec::new();
            for m in found[i..].iter().take_while(|m| m.range.end <= end) {
                if !seen.contains(&m.term) {
                    seen.push(m.term);
                }
            }
            if seen.len() > best.1 {
                best = (i, seen.len());
                if seen.len() == self.distinct {
                    break;
                }
            }
        }
        let marks: Vec<Range<usize>> = found.into_iter().map(|m| m.range).collect();
        let first = &marks[best.0];
        // Start a little before the first match, at a word boundary.
        let lead = max_bytes / 5;
        let mut start = first.start.saturating_sub(lead);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        if start > 0 {
            start = text[start..first.start].find(char::is_whitespace).map_or(first.start, |i| start + i + 1);
        }
        let mut end = (start + max_bytes).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        if end < text.len()
            && let Some(i) = text[first.end.min(end)..end].rfind(char::is_whitespace)
        {
            end = first.end.min(end) + i;
        }
        let mut fragment = String::new();
        let mut offset = 0usize;
        if start > 0 {
            fragment.push('…');
            offset = '…'.len_utf8();
        }
        fragment.push_str(text[start..end].trim_end());
        let kept = fragment.len();
        if end < text.len() {
            fragment.push('…');
        }
        let shift = |r: &Range<usize>| (r.start - start + offset)..(r.end - start + offset);
        let marks =
            marks.iter().filter(|m| m.start >= start && m.end <= end).map(shift).filter(|r| r.end <= kept).collect();
        Some(Highlight { field, text: fragment, marks })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn highlighter(q: &str) -> Highlighter {
        let p = analysis::terms(&mut analysis::plain(), q);
        let f = analysis::terms(&mut analysis::folded(), q);
        Highlighter::new(p, f)
    }

    #[test]
    fn marks_plain_folded_and_stemmed_matches() {
        let mut h = highlighter("doi moi registration");
        let text = "Đổi mới: land registrations in one visit";
        let got = h.whole("title", text).unwrap();
        let marked: Vec<&str> = got.marks.iter().map(|r| &got.text[r.clone()]).collect();
        assert_eq!(marked, ["Đổi", "mới", "registrations"]);
        assert_eq!(got.html(), "<mark>Đổi</mark> <mark>mới</mark>: land <mark>registrations</mark> in one visit");
    }

    #[test]
    fn html_is_escaped() {
        let mut h = highlighter("script");
        let got = h.whole("title", "<script>alert('x')</script>").unwrap();
        assert_eq!(got.html(), "&lt;<mark>script</mark>&gt;alert(&#39;x&#39;)&lt;/<mark>script</mark>&gt;");
    }

    #[test]
    fn fragments_centre_on_the_densest_matches() {
        let mut h = highlighter("clinic queue");
        let text = format!(
            "{} The clinic queue was cut to ten minutes. {}",
            "Lorem ipsum dolor. ".repeat(40),
            "Sit amet. ".repeat(40)
        );
        let got = h.fragment("body", &text, 120).unwrap();
        assert!(got.text.starts_with('…') && got.text.ends_with('…'), "{}", got.text);
        assert!(got.text.contains("clinic queue"), "{}", got.text);
        assert_eq!(got.marks.len(), 2);
        for m in &got.marks {
            assert!(["clinic", "queue"].contains(&&got.text[m.clone()]));
        }
    }

    #[test]
    fn thai_words_are_marked() {
        let mut h = highlighter("ที่ดิน");
        let got = h.whole("title", "ลดการเดินทางไปสำนักงานที่ดิน").unwrap();
        assert!(!got.marks.is_empty());
    }
}
