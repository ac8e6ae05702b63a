//! Highlights: the best fragment of a text for a query, with the words that matched marked.
//!
//! A word matches when its plain form is one of the query's plain terms, or its folded and
//! stemmed form one of the folded terms — the same two ways the index matches it.

use std::collections::{HashMap, HashSet};
use std::ops::{ControlFlow, Range};

use aho_corasick::{AhoCorasick, MatchKind};
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
    /// The plain terms and the starts, found in one pass whatever the case of ASCII letters.
    needles: Option<AhoCorasick>,
    /// How many different words the query has: a fragment holding them all cannot be beaten.
    distinct: usize,
    /// The dictionary scripts of the query's words: runs of the others cannot match and are
    /// not cut into words.
    scripts: analysis::Dictionaries,
    stemmer: TextAnalyzer,
    /// Words outside ASCII seen so far, and which term each matched: normalising such a word
    /// costs far more than looking it up, and a text's words repeat.
    seen: HashMap<String, Option<usize>>,
}

/// The most words outside ASCII remembered by one highlighter.
const SEEN_WORDS: usize = 10_000;

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
        let needles = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostFirst)
            .build(plain.iter().chain(&starts))
            .ok();
        let scripts = analysis::Dictionaries::of(plain.iter().chain(&folded).map(String::as_str));
        Highlighter {
            plain,
            folded,
            starts,
            needles,
            distinct,
            scripts,
            stemmer: analysis::folded(),
            seen: HashMap::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.plain.is_empty()
    }

    /// The byte ranges of `text` that match.
    pub fn matches(&mut self, text: &str) -> Vec<Range<usize>> {
        self.find(text, usize::MAX).into_iter().map(|m| m.range).collect()
    }

    /// Up to `max` different words of `texts` that match, lower-cased, in the order they come:
    /// the words a record shares with the query. Reading stops once `max` are found.
    pub fn shared_words(&mut self, texts: &[&str], max: usize) -> Vec<String> {
        let mut words: Vec<String> = Vec::new();
        for text in texts {
            if words.len() >= max {
                break;
            }
            self.find_until(text, |found| {
                let w = text[found[found.len() - 1].range.clone()].to_lowercase();
                if !words.contains(&w) {
                    words.push(w);
                }
                words.len() >= max
            });
        }
        words
    }

    /// The matches in `text`, in order; with a `window`, scanning stops once `window` bytes
    /// hold every word of the query (no later fragment can be better).
    fn find(&mut self, text: &str, window: usize) -> Vec<Match> {
        let distinct = self.distinct;
        self.find_until(text, |out| {
            if window == usize::MAX {
                false
            } else if distinct > 1 {
                let first = out[out.len() - 1].range.end.saturating_sub(window);
                let mut within: Vec<usize> = Vec::new();
                for m in out.iter().rev().take_while(|m| m.range.start >= first) {
                    if !within.contains(&m.term) {
                        within.push(m.term);
                    }
                }
                within.len() >= distinct
            } else {
                true
            }
        })
    }

    /// The matches in `text`, in order, until `done` says, after a match, that no more are
    /// needed.
    fn find_until(&mut self, text: &str, mut done: impl FnMut(&[Match]) -> bool) -> Vec<Match> {
        let mut out: Vec<Match> = Vec::new();
        let Some(skip) = self.first_candidate(text) else { return out };
        let text = &text[skip..];
        let mut word = String::new();
        let mut folded = String::new();
        let (plain_terms, folded_terms, starts, stemmer, seen) =
            (&self.plain, &self.folded, &self.starts, &mut self.stemmer, &mut self.seen);
        analysis::words_until_in(text, self.scripts, |from, to| {
            let raw = &text[from..to];
            let term = if raw.is_ascii() {
                // An ASCII word, lower-cased, is its own plain and folded form: it is one of the
                // plain terms, or only its stem can still differ.
                if let Some(i) = plain_terms.iter().position(|t| raw.eq_ignore_ascii_case(t)) {
                    Some(i)
                } else if starts
                    .iter()
                    .any(|s| raw.len() >= s.len() && raw.as_bytes()[..s.len()].eq_ignore_ascii_case(s.as_bytes()))
                {
                    let mut stream = stemmer.token_stream(raw);
                    if stream.advance() { folded_terms.iter().position(|t| *t == stream.token().text) } else { None }
                } else {
                    None
                }
            } else if let Some(term) = seen.get(raw) {
                *term
            } else {
                analysis::normalise(raw, false, &mut word);
                let term = if let Some(i) = plain_terms.iter().position(|t| *t == word) {
                    Some(i)
                } else {
                    analysis::normalise(raw, true, &mut folded);
                    if starts.iter().any(|s| folded.starts_with(s.as_str())) {
                        let mut stream = stemmer.token_stream(raw);
                        if stream.advance() {
                            folded_terms.iter().position(|t| *t == stream.token().text)
                        } else {
                            None
                        }
                    } else {
                        None
                    }
                };
                if seen.len() >= SEEN_WORDS {
                    seen.clear();
                }
                seen.insert(raw.to_string(), term);
                term
            };
            let Some(term) = term else { return ControlFlow::Continue(()) };
            out.push(Match {
                range: skip + from..skip + to,
                term: folded_terms.iter().position(|t| *t == folded_terms[term]).unwrap_or(term),
            });
            if done(&out) { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
        });
        out
    }

    /// Where in `text` the first word that may match starts, if any may.
    ///
    /// A word matches when it is one of the plain terms or, folded, starts as a folded term
    /// does. An ASCII word is its own plain and folded form, lower-cased, so a matching ASCII
    /// word starts where one of those occurs in the text, whatever its case; a word with other
    /// letters may fold to anything, so none is passed over. Words are runs of letters and
    /// digits, so the word holding the first place starts after the last byte before it that is
    /// neither.
    ///
    /// Reading a long body word by word was the dearest part of a search page; most bodies hold
    /// no query word at all, or hold one far in.
    fn first_candidate(&self, text: &str) -> Option<usize> {
        let needle = self.needles.as_ref().and_then(|n| n.find(text)).map(|m| m.start());
        let other = text.bytes().position(|b| !b.is_ascii());
        let first = needle.into_iter().chain(other).min()?;
        Some(text.as_bytes()[..first].iter().rposition(|b| !b.is_ascii_alphanumeric()).map_or(0, |i| i + 1))
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

    /// The matches by definition: every word normalised, and its stem compared.
    fn read_every_word(h: &mut Highlighter, text: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut word = String::new();
        analysis::words(text, |from, to| {
            let raw = &text[from..to];
            analysis::normalise(raw, false, &mut word);
            let mut stream = h.stemmer.token_stream(raw);
            if h.plain.contains(&word) || (stream.advance() && h.folded.contains(&stream.token().text)) {
                out.push(from..to);
            }
        });
        out
    }

    #[test]
    fn skipping_words_that_cannot_match_finds_what_reading_every_word_finds() {
        let filler = "Residents wait; others THANK the unthanked clerk, then registrars registered. ";
        let foreign = "Đổi mới: đăng ký đất đai. Clínica sin colas. ลดการเดินทางไปสำนักงานที่ดิน \
                       ការចុះបញ្ជីដីធ្លី 土地登記 ເອກະສານ ";
        for q in [
            "than",
            "register",
            "clinic queue",
            "wait others",
            "x",
            "registration clerks",
            "doi moi",
            "clinica",
            "ที่ดิน",
            "สำนักงาน clinic",
            "ដីធ្លី",
            "土地",
            "ເອກະສານ than",
        ] {
            // One highlighter for all the texts, as for all the hits of a search.
            let mut h = highlighter(q);
            for text in [
                format!("{}{q} at last.", filler.repeat(30)),
                filler.repeat(5),
                format!("{q}{filler}"),
                format!("({q}) {filler}"),
                format!("{}{foreign}{}", filler.repeat(3), filler.repeat(3)),
                format!("{foreign}{}{q}{foreign}", filler.repeat(3)),
                q.to_uppercase(),
            ] {
                let expected = read_every_word(&mut h, &text);
                assert_eq!(h.matches(&text), expected, "{q:?} in {text:?}");
            }
        }
    }

    #[test]
    fn shared_words_are_the_first_different_matches_in_order() {
        let title = "Clinic queues in Đồng Tháp";
        let summary = "Queue numbers by SMS. Clinics, CLINIC and clinic queueing.";
        let body = format!("{}Registration at the clinic; patients register once.", "Nothing here. ".repeat(200));
        for (q, max) in [("clinic queue register", 5), ("clinic queue register", 2), ("dong thap sms", 3), ("x", 3)] {
            let mut h = highlighter(q);
            // Every match of every text, then the first `max` different ones.
            let mut expected: Vec<String> = Vec::new();
            for text in [title, summary, body.as_str()] {
                for r in h.matches(text) {
                    let w = text[r].to_lowercase();
                    if !expected.contains(&w) && expected.len() < max {
                        expected.push(w);
                    }
                }
            }
            assert_eq!(h.shared_words(&[title, summary, &body], max), expected, "{q:?}, {max}");
        }
        assert_eq!(
            highlighter("clinic queue register").shared_words(&[title, summary, &body], 5),
            ["clinic", "queues", "queue", "clinics", "queueing"]
        );
    }

    #[test]
    fn thai_words_are_marked() {
        let mut h = highlighter("ที่ดิน");
        let got = h.whole("title", "ลดการเดินทางไปสำนักงานที่ดิน").unwrap();
        assert!(!got.marks.is_empty());
    }
}
