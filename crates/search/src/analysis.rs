//! Text analysis for every language of the network.
//!
//! One tokenizer serves every script, run by run:
//!
//! - Thai and Khmer, written without spaces between words, are cut into words by charabia's
//!   dictionary segmenters; Lao, Myanmar, Chinese and Japanese by ICU's dictionary segmenter.
//! - Everything else is split at whatever is not a letter, digit or combining mark, so the vowel
//!   signs and viramas of Bengali, Devanagari and the other Indic scripts stay inside their words.
//!
//! Each word is lower-cased and NFKC-normalised, with zero-width joiners and soft hyphens dropped
//! (they vary between keyboards, not between words). Thai vowel and tone marks are kept: they
//! are part of the word (charabia's normaliser would strip them, so it is not used).
//!
//! The *folded* variant also removes diacritics from Latin-script words (`đổi mới` → `doi moi`)
//! and is followed by an English stemmer in the index, so a query with or without accents, and
//! `registration` or `registrations`, find the same records.

use std::ops::ControlFlow;
use std::sync::LazyLock;

use charabia::segmenter::{KhmerSegmenter, Segmenter, ThaiSegmenter};
use icu_segmenter::WordSegmenter;
use icu_segmenter::options::WordBreakInvariantOptions;
use tantivy::tokenizer::{Language, Stemmer, TextAnalyzer, Token, TokenStream, Tokenizer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The name of the plain analyzer in the index.
pub const PLAIN: &str = "banyan";
/// The name of the folded and stemmed analyzer in the index.
pub const FOLDED: &str = "banyan_folded";
/// The name of the folded analyzer without stemming, for prefixes typed so far.
pub const PREFIX: &str = "banyan_prefix";

/// Words longer than this (in bytes) are junk — encoded data, long URLs — and are not indexed.
const MAX_WORD_BYTES: usize = 80;

/// The analyzer for the plain fields.
pub fn plain() -> TextAnalyzer {
    TextAnalyzer::builder(BanyanTokenizer::new(false)).build()
}

/// The analyzer for the folded fields: diacritics removed from Latin words, English stems.
pub fn folded() -> TextAnalyzer {
    TextAnalyzer::builder(BanyanTokenizer::new(true)).filter(Stemmer::new(Language::English)).build()
}

/// The analyzer for type-ahead: folded, not stemmed (a stem is not a prefix of what is typed).
pub fn prefix() -> TextAnalyzer {
    TextAnalyzer::builder(BanyanTokenizer::new(true)).build()
}

/// Registers the analyzers with an index.
pub fn register(index: &tantivy::Index) {
    let m = index.tokenizers();
    m.register(PLAIN, plain());
    m.register(FOLDED, folded());
    m.register(PREFIX, prefix());
}

/// The terms an analyzer makes of a text, in order.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// How a character takes part in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Separator,
    /// Letters and digits of scripts that put spaces between words.
    Word,
    /// Combining marks and joiners: part of the word they follow.
    Inside,
    Thai,
    Khmer,
    /// Lao, Myanmar, Chinese and Japanese: for ICU's dictionaries.
    Icu,
}

fn class(c: char) -> Class {
    // The Basic Multilingual Plane from a table: Unicode's own look-ups (is it a letter, a
    // digit, a combining mark?) are binary searches, and cutting Bengali or Vietnamese texts
    // into words for highlighting made them 7% of a search's time.
    match BMP_CLASSES.get(c as usize) {
        Some(class) => *class,
        None => class_of(c),
    }
}

/// Whether a character is a letter or a digit, the Basic Multilingual Plane from a table (see
/// [`class`]).
fn is_alphanumeric(c: char) -> bool {
    match BMP_ALPHANUMERIC.get(c as usize / 64) {
        Some(bits) => bits >> (c as u32 % 64) & 1 == 1,
        None => c.is_alphanumeric(),
    }
}

/// [`char::is_alphanumeric`] of every character of the Basic Multilingual Plane, a bit each.
static BMP_ALPHANUMERIC: LazyLock<Vec<u64>> = LazyLock::new(|| {
    let mut bits = vec![0u64; 0x10000 / 64];
    for c in (0..=0xFFFFu32).filter_map(char::from_u32).filter(|c| c.is_alphanumeric()) {
        bits[c as usize / 64] |= 1 << (c as u32 % 64);
    }
    bits
});

/// [`class`] of every character of the Basic Multilingual Plane.
static BMP_CLASSES: LazyLock<Vec<Class>> =
    LazyLock::new(|| (0..=0xFFFFu32).map(|u| char::from_u32(u).map_or(Class::Separator, class_of)).collect());

/// How a character takes part in words, from Unicode's properties.
fn class_of(c: char) -> Class {
    if c.is_ascii() {
        return if c.is_ascii_alphanumeric() { Class::Word } else { Class::Separator };
    }
    match c as u32 {
        0x0E00..=0x0E7F => Class::Thai,
        0x1780..=0x17FF | 0x19E0..=0x19FF => Class::Khmer,
        0x0E80..=0x0EFF
        | 0x1000..=0x109F
        | 0xA9E0..=0xA9FF
        | 0xAA60..=0xAA7F
        | 0x3040..=0x30FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0x20000..=0x2FA1F => Class::Icu,
        0x200C | 0x200D | 0x00AD => Class::Inside,
        _ if c.is_alphanumeric() => Class::Word,
        _ if is_combining_mark(c) => Class::Inside,
        _ => Class::Separator,
    }
}

static ICU_WORDS: LazyLock<icu_segmenter::WordSegmenterBorrowed<'static>> =
    LazyLock::new(|| WordSegmenter::new_dictionary(WordBreakInvariantOptions::default()));

/// Calls `emit` with the byte range of every word of `text`, in order.
pub fn words(text: &str, mut emit: impl FnMut(usize, usize)) {
    words_until(text, |from, to| {
        emit(from, to);
        ControlFlow::Continue(())
    });
}

/// The scripts cut into words by a dictionary (Thai, Khmer, and those of ICU's segmenter), as a
/// set: a word of such a script is made of its letters, so it can equal only a word that has
/// some of them. Cutting a run of them with a dictionary costs far more than splitting Latin
/// text at its spaces and punctuation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dictionaries(u8);

impl Dictionaries {
    pub const ALL: Dictionaries = Dictionaries(0b111);

    /// The dictionary scripts some letter of `words` is written in.
    pub fn of<'a>(words: impl IntoIterator<Item = &'a str>) -> Dictionaries {
        let mut set = 0;
        for c in words.into_iter().flat_map(str::chars) {
            set |= Self::bit(class(c));
        }
        Dictionaries(set)
    }

    fn bit(class: Class) -> u8 {
        match class {
            Class::Thai => 0b001,
            Class::Khmer => 0b010,
            Class::Icu => 0b100,
            Class::Word | Class::Separator | Class::Inside => 0,
        }
    }

    /// Whether a run of `class` is read: always, unless it is of a dictionary script not in the
    /// set.
    fn reads(self, class: Class) -> bool {
        let bit = Self::bit(class);
        bit == 0 || self.0 & bit != 0
    }
}

/// As [`words`], until `emit` breaks: the rest of the text is not read.
pub fn words_until(text: &str, emit: impl FnMut(usize, usize) -> ControlFlow<()>) {
    words_until_in(text, Dictionaries::ALL, emit);
}

/// As [`words_until`], passing over the runs of dictionary scripts not in `read` (nothing is
/// emitted for them).
pub fn words_until_in(text: &str, read: Dictionaries, mut emit: impl FnMut(usize, usize) -> ControlFlow<()>) {
    let mut run_start = 0;
    let mut run_class = Class::Separator;
    for (i, c) in text.char_indices() {
        let mut k = class(c);
        if k == Class::Inside {
            // A mark belongs to the run it follows; on its own it is nothing.
            if run_class == Class::Separator {
                continue;
            }
            k = run_class;
        }
        if k != run_class {
            if read.reads(run_class) && segment_run(text, run_start, i, run_class, &mut emit).is_break() {
                return;
            }
            run_start = i;
            run_class = k;
        }
    }
    if read.reads(run_class) {
        let _ = segment_run(text, run_start, text.len(), run_class, &mut emit);
    }
}

fn segment_run(
    text: &str,
    start: usize,
    end: usize,
    class: Class,
    emit: &mut impl FnMut(usize, usize) -> ControlFlow<()>,
) -> ControlFlow<()> {
    if start >= end {
        return ControlFlow::Continue(());
    }
    let run = &text[start..end];
    let base = run.as_ptr() as usize;
    let mut pieces = |segmenter: &dyn Segmenter| {
        for piece in segmenter.segment_str(run) {
            if piece.chars().any(is_alphanumeric) {
                let from = start + (piece.as_ptr() as usize - base);
                emit(from, from + piece.len())?;
            }
        }
        ControlFlow::Continue(())
    };
    match class {
        Class::Separator | Class::Inside => ControlFlow::Continue(()),
        Class::Word => emit(start, end),
        Class::Thai => pieces(&ThaiSegmenter),
        Class::Khmer => pieces(&KhmerSegmenter),
        Class::Icu => {
            let mut breaks = ICU_WORDS.segment_str(run);
            let mut prev = 0;
            while let Some(at) = breaks.next() {
                if at > prev && breaks.is_word_like() {
                    emit(start + prev, start + at)?;
                }
                prev = at;
            }
            ControlFlow::Continue(())
        }
    }
}

/// Writes the indexed form of a word to `out`: lower case, NFKC, without invisible joiners,
/// and for `folded`, without diacritics when the word is in Latin script.
pub fn normalise(word: &str, folded: bool, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        return;
    }
    let lower: String = word
        .chars()
        .filter(|c| !matches!(c, '\u{200B}'..='\u{200D}' | '\u{00AD}' | '\u{2060}' | '\u{FEFF}'))
        .flat_map(char::to_lowercase)
        .collect();
    if lower.chars().any(|c| matches!(c as u32, 0x0E00..=0x0EFF)) {
        // NFKC would split Thai and Lao SARA AM (ำ, ຳ) into two marks.
        out.extend(lower.nfc());
    } else {
        out.extend(lower.nfkc());
    }
    if folded && is_latin(out) {
        let decomposed: String = out.nfd().collect();
        out.clear();
        for c in decomposed.chars() {
            match c {
                _ if is_combining_mark(c) => {}
                'đ' | 'ð' => out.push('d'),
                'ø' => out.push('o'),
                'ł' => out.push('l'),
                'ħ' => out.push('h'),
                'ı' => out.push('i'),
                'ŧ' => out.push('t'),
                'ß' => out.push_str("ss"),
                'æ' => out.push_str("ae"),
                'œ' => out.push_str("oe"),
                'þ' => out.push_str("th"),
                _ => out.push(c),
            }
        }
    }
}

/// Whether a word is written in the Latin script (with or without diacritics).
pub fn is_latin(word: &str) -> bool {
    word.chars().all(|c| matches!(c as u32, 0x30..=0x39 | 0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F | 0x1E00..=0x1EFF | 0x300..=0x36F))
}

/// The tokenizer behind both analyzers.
#[derive(Clone)]
pub struct BanyanTokenizer {
    folded: bool,
    tokens: Vec<Token>,
}

impl BanyanTokenizer {
    pub fn new(folded: bool) -> BanyanTokenizer {
        BanyanTokenizer { folded, tokens: Vec::new() }
    }
}

/// The words of one text, ready for the index.
pub struct BanyanTokenStream<'a> {
    tokens: &'a mut [Token],
    next: usize,
}

impl Tokenizer for BanyanTokenizer {
    type TokenStream<'a> = BanyanTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BanyanTokenStream<'a> {
        let folded = self.folded;
        let tokens = &mut self.tokens;
        let mut n = 0;
        let mut word = String::new();
        words(text, |from, to| {
            normalise(&text[from..to], folded, &mut word);
            if word.is_empty() || word.len() > MAX_WORD_BYTES {
                return;
            }
            if n == tokens.len() {
                tokens.push(Token::default());
            }
            let t = &mut tokens[n];
            t.offset_from = from;
            t.offset_to = to;
            t.position = n;
            t.position_length = 1;
            t.text.clear();
            t.text.push_str(&word);
            n += 1;
        });
        BanyanTokenStream { tokens: &mut tokens[..n], next: 0 }
    }
}

impl TokenStream for BanyanTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_class_every_character_as_unicode_does() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(class(c), class_of(c), "U+{:04X}", c as u32);
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "U+{:04X}", c as u32);
        }
    }

    fn plain_terms(text: &str) -> Vec<String> {
        terms(&mut plain(), text)
    }
    fn folded_terms(text: &str) -> Vec<String> {
        terms(&mut folded(), text)
    }

    #[test]
    fn latin_words_are_lower_cased_and_split_at_punctuation() {
        assert_eq!(
            plain_terms("One-Stop Service, e-Filing (2024)!"),
            ["one", "stop", "service", "e", "filing", "2024"]
        );
    }

    #[test]
    fn vietnamese_diacritics_fold_in_the_folded_field_only() {
        assert_eq!(plain_terms("Đổi mới dịch vụ công"), ["đổi", "mới", "dịch", "vụ", "công"]);
        assert_eq!(folded_terms("Đổi mới dịch vụ công"), ["doi", "moi", "dich", "vu", "cong"]);
        assert_eq!(folded_terms("doi moi"), folded_terms("ĐỔI MỚI"));
    }

    #[test]
    fn english_is_stemmed_in_the_folded_field() {
        assert_eq!(folded_terms("registrations registering"), ["registr", "regist"]);
        assert_eq!(folded_terms("clinics"), folded_terms("clinic"));
    }

    #[test]
    fn thai_is_segmented_into_words_with_its_vowel_and_tone_marks() {
        let t = plain_terms("ลดการเดินทางไปสำนักงานที่ดิน");
        assert!(t.len() >= 4, "{t:?}");
        assert_eq!(t.concat(), "ลดการเดินทางไปสำนักงานที่ดิน");
        assert!(t.iter().any(|w| w == "ที่ดิน" || w == "ที่"), "{t:?}");
    }

    #[test]
    fn khmer_lao_and_myanmar_are_segmented() {
        for text in ["សេវាសាធារណៈតាមអ៊ីនធឺណិត", "ການບໍລິການສາທາລະນະ", "အစိုးရဝန်ဆောင်မှု"]
        {
            let t = plain_terms(text);
            assert!(t.len() >= 2, "{text}: {t:?}");
            assert_eq!(t.concat(), text);
        }
    }

    #[test]
    fn indic_words_keep_their_vowel_signs_and_viramas() {
        assert_eq!(plain_terms("ভূমি অফিসে নাগরিক সেবা"), ["ভূমি", "অফিসে", "নাগরিক", "সেবা"]);
        assert_eq!(plain_terms("ग्राम पंचायत में डिजिटल सेवा"), ["ग्राम", "पंचायत", "में", "डिजिटल", "सेवा"]);
    }

    #[test]
    fn zero_width_joiners_do_not_split_or_distinguish_words() {
        assert_eq!(plain_terms("র\u{200D}্যাব"), plain_terms("র্যাব"));
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "Khon Kaen: บริการ ที่ดิน";
        let mut a = plain();
        let mut s = a.token_stream(text);
        while s.advance() {
            let t = s.token();
            let original = &text[t.offset_from..t.offset_to];
            let mut n = String::new();
            normalise(original, false, &mut n);
            assert_eq!(n, t.text);
        }
    }

    #[test]
    fn long_junk_is_dropped() {
        let junk = "x".repeat(200);
        assert_eq!(plain_terms(&format!("a {junk} b")), ["a", "b"]);
    }
}
