//! Text features: word unigrams and bigrams, and character 3- to 5-grams within words, hashed
//! into buckets and weighted by sublinear TF-IDF, each block normalised to unit length.

use std::collections::HashMap;

/// Buckets per block; word features live in `0..BUCKETS`, character features in
/// `BUCKETS..2*BUCKETS`.
pub const BUCKETS: u32 = 1 << 20;

/// English words that say nothing about a topic.
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "across",
    "after",
    "afterwards",
    "again",
    "against",
    "all",
    "almost",
    "alone",
    "along",
    "already",
    "also",
    "although",
    "always",
    "am",
    "among",
    "amongst",
    "an",
    "and",
    "another",
    "any",
    "anyhow",
    "anyone",
    "anything",
    "anyway",
    "anywhere",
    "are",
    "around",
    "as",
    "at",
    "be",
    "became",
    "because",
    "become",
    "becomes",
    "been",
    "before",
    "beforehand",
    "behind",
    "being",
    "below",
    "beside",
    "besides",
    "between",
    "beyond",
    "both",
    "but",
    "by",
    "can",
    "cannot",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "done",
    "down",
    "due",
    "during",
    "each",
    "eg",
    "either",
    "else",
    "elsewhere",
    "enough",
    "etc",
    "even",
    "ever",
    "every",
    "everyone",
    "everything",
    "everywhere",
    "except",
    "few",
    "for",
    "former",
    "formerly",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "hence",
    "her",
    "here",
    "hereafter",
    "hereby",
    "herein",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "however",
    "ie",
    "if",
    "in",
    "indeed",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "latter",
    "latterly",
    "least",
    "less",
    "ltd",
    "made",
    "many",
    "may",
    "me",
    "meanwhile",
    "might",
    "mine",
    "more",
    "moreover",
    "most",
    "mostly",
    "much",
    "must",
    "my",
    "myself",
    "namely",
    "neither",
    "never",
    "nevertheless",
    "next",
    "no",
    "nobody",
    "none",
    "nor",
    "not",
    "nothing",
    "now",
    "nowhere",
    "of",
    "off",
    "often",
    "on",
    "once",
    "one",
    "only",
    "onto",
    "or",
    "other",
    "others",
    "otherwise",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "per",
    "perhaps",
    "please",
    "rather",
    "re",
    "same",
    "seem",
    "seemed",
    "seeming",
    "seems",
    "several",
    "she",
    "should",
    "since",
    "so",
    "some",
    "somehow",
    "someone",
    "something",
    "sometime",
    "sometimes",
    "somewhere",
    "still",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "thence",
    "there",
    "thereafter",
    "thereby",
    "therefore",
    "therein",
    "thereupon",
    "these",
    "they",
    "this",
    "those",
    "though",
    "through",
    "throughout",
    "thru",
    "thus",
    "to",
    "together",
    "too",
    "toward",
    "towards",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "via",
    "was",
    "we",
    "well",
    "were",
    "what",
    "whatever",
    "when",
    "whence",
    "whenever",
    "where",
    "whereafter",
    "whereas",
    "whereby",
    "wherein",
    "whereupon",
    "wherever",
    "whether",
    "which",
    "while",
    "whither",
    "who",
    "whoever",
    "whole",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yet",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

fn is_stopword(w: &str) -> bool {
    STOPWORDS.binary_search(&w).is_ok()
}

/// FNV-1a, 64 bits: stable across platforms and versions, unlike the standard hasher.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in *part {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

fn bucket(block: u32, parts: &[&[u8]]) -> u32 {
    block * BUCKETS + (fnv1a(parts) % u64::from(BUCKETS)) as u32
}

/// The words of a text: lower case, at least two characters, without stop words.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_lowercase)
        .filter(|w| !is_stopword(w))
        .collect()
}

/// Feature counts of a text, by bucket.
pub fn counts(text: &str) -> HashMap<u32, f32> {
    let mut out: HashMap<u32, f32> = HashMap::new();
    let ws = words(text);
    for (i, w) in ws.iter().enumerate() {
        *out.entry(bucket(0, &[w.as_bytes()])).or_default() += 1.0;
        if let Some(next) = ws.get(i + 1) {
            *out.entry(bucket(0, &[w.as_bytes(), b" ", next.as_bytes()])).or_default() += 1.0;
        }
    }
    let lower = text.to_lowercase();
    let mut chars: Vec<char> = Vec::new();
    let mut gram = String::new();
    for w in lower.split_whitespace() {
        chars.clear();
        chars.push(' ');
        chars.extend(w.chars());
        chars.push(' ');
        for n in 3..=5 {
            if chars.len() <= n {
                gram.clear();
                gram.extend(chars.iter());
                *out.entry(bucket(1, &[gram.as_bytes()])).or_default() += 1.0;
                continue;
            }
            for window in chars.windows(n) {
                gram.clear();
                gram.extend(window.iter());
                *out.entry(bucket(1, &[gram.as_bytes()])).or_default() += 1.0;
            }
        }
    }
    out
}

/// A sparse vector, sorted by index.
pub type Sparse = Vec<(u32, f32)>;

/// Turns counts into TF-IDF vectors with the inverse document frequencies learnt in training;
/// features never seen in training are left out.
#[derive(Debug, Clone, Default)]
pub struct Vectorizer {
    pub idf: HashMap<u32, f32>,
}

impl Vectorizer {
    /// Learns document frequencies from `docs` (smoothed, as `ln((1+n)/(1+df)) + 1`), keeping
    /// features found in at least `min_df` documents.
    pub fn fit<'a>(docs: impl IntoIterator<Item = &'a str>, min_df: u32) -> Vectorizer {
        let mut df: HashMap<u32, u32> = HashMap::new();
        let mut n = 0u32;
        for d in docs {
            n += 1;
            for k in counts(d).into_keys() {
                *df.entry(k).or_default() += 1;
            }
        }
        let idf = df
            .into_iter()
            .filter(|(_, d)| *d >= min_df)
            .map(|(k, d)| (k, ((1.0 + n as f64) / (1.0 + d as f64)).ln() as f32 + 1.0))
            .collect();
        Vectorizer { idf }
    }

    pub fn transform(&self, text: &str) -> Sparse {
        let mut v: Sparse = counts(text)
            .into_iter()
            .filter_map(|(k, tf)| self.idf.get(&k).map(|idf| (k, (1.0 + tf.ln()) * idf)))
            .collect();
        v.sort_unstable_by_key(|(k, _)| *k);
        for block in 0..2 {
            let norm: f32 = v.iter().filter(|(k, _)| k / BUCKETS == block).map(|(_, x)| x * x).sum::<f32>().sqrt();
            if norm > 0.0 {
                for (k, x) in v.iter_mut() {
                    if *k / BUCKETS == block {
                        *x /= norm;
                    }
                }
            }
        }
        v
    }
}

/// The dot product of two sorted sparse vectors.
pub fn dot(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stopword_list_is_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn words_drop_stopwords_and_single_letters() {
        assert_eq!(
            words("The water, and sanitation of a village's wells"),
            ["water", "sanitation", "village", "wells"]
        );
    }

    #[test]
    fn vectors_are_unit_length_per_block() {
        let v = Vectorizer::fit(["clean water for every village", "schools for girls"], 1);
        let x = v.transform("clean water for the village");
        for block in 0..2 {
            let n: f32 = x.iter().filter(|(k, _)| k / BUCKETS == block).map(|(_, v)| v * v).sum();
            assert!((n - 1.0).abs() < 1e-5, "{n}");
        }
        assert!((dot(&x, &x) - 2.0).abs() < 1e-4);
        assert!(v.transform("zzzz qqqq").is_empty(), "unseen features are left out");
    }
}
