//! A seeded synthetic corpus of realistic records, and a seeded query log over it.
//!
//! Words follow a Zipf distribution over a vocabulary per language: real words first (from the
//! SDG targets, COFOG names and the demo content, all compiled into Banyan), then made-up words
//! built from the language's syllables for the long tail. Records are in English (70%), Thai
//! (10%, written without spaces between words), Bengali (10%), Vietnamese (5%) and Malay (5%),
//! with 2 to 10 KB of text each, places, SDGs, sectors and the other facets.

use std::collections::HashSet;
use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use uuid::Uuid;

/// The languages of the corpus and their shares.
pub const LANGUAGES: [(&str, f64); 5] = [("en", 0.70), ("th", 0.10), ("bn", 0.10), ("vi", 0.05), ("ms", 0.05)];

/// Countries records are about, with weights (the network is mostly in Asia).
const COUNTRIES: [(&str, u32); 16] = [
    ("BD", 14),
    ("TH", 12),
    ("IN", 10),
    ("ID", 9),
    ("VN", 8),
    ("PH", 8),
    ("MY", 6),
    ("NP", 5),
    ("KH", 5),
    ("LK", 4),
    ("PK", 4),
    ("LA", 3),
    ("MM", 3),
    ("KE", 3),
    ("BR", 3),
    ("DE", 3),
];
/// Kinds with long text (knowledge products carry files, not text, so they are left out).
const KINDS: [(&str, u32); 4] = [("practice", 50), ("idea", 18), ("challenge", 16), ("solution", 16)];
const LEVELS: [&str; 5] = ["national", "state_province", "district", "municipal", "local"];
const STAGES: [&str; 4] = ["pilot", "implemented", "scaled", "development"];
const TYPES: [&str; 4] = ["process", "service", "technology", "organisational"];
const SECTORS: [&str; 10] = ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10"];

/// A language's words, most frequent first, and how to draw them.
pub struct Vocabulary {
    pub lang: &'static str,
    pub words: Vec<String>,
    /// Cumulative Zipf weights over `words`.
    cumulative: Vec<f64>,
    /// Thai is written without spaces between words.
    pub spaced: bool,
}

impl Vocabulary {
    fn new(
        lang: &'static str,
        real: Vec<String>,
        syllables: &[&str],
        size: usize,
        seed: u64,
        spaced: bool,
    ) -> Vocabulary {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut seen: HashSet<String> = HashSet::new();
        let mut words: Vec<String> = Vec::with_capacity(size);
        for w in real {
            if seen.insert(w.clone()) {
                words.push(w);
            }
        }
        // Shuffle the real words lightly so that frequent words are not in source order, but
        // keep them ahead of the invented tail.
        for i in (1..words.len()).rev() {
            let j = rng.random_range(i.saturating_sub(50)..=i);
            words.swap(i, j);
        }
        while words.len() < size {
            let n = rng.random_range(2..=4);
            let w: String = (0..n).map(|_| syllables[rng.random_range(0..syllables.len())]).collect();
            if seen.insert(w.clone()) {
                words.push(w);
            }
        }
        let mut cumulative = Vec::with_capacity(words.len());
        let mut total = 0.0;
        for rank in 1..=words.len() {
            total += 1.0 / (rank as f64).powf(1.07);
            cumulative.push(total);
        }
        Vocabulary { lang, words, cumulative, spaced }
    }

    /// A word by Zipf rank.
    pub fn draw(&self, rng: &mut StdRng) -> &str {
        let x = rng.random::<f64>() * self.cumulative[self.cumulative.len() - 1];
        let i = self.cumulative.partition_point(|c| *c < x).min(self.words.len() - 1);
        &self.words[i]
    }

    /// A word of middling frequency (ranks `from..to`), as people search for.
    pub fn topical(&self, rng: &mut StdRng, from: usize, to: usize) -> &str {
        let to = to.min(self.words.len());
        // Log-uniform over the ranks: more of the frequent ones, some rare.
        let lo = (from as f64).ln();
        let hi = (to as f64).ln();
        let rank = (lo + rng.random::<f64>() * (hi - lo)).exp() as usize;
        &self.words[rank.clamp(from, to - 1)]
    }
}

/// The words of some texts, lower-cased, as the search index would cut them.
fn real_words(texts: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out = Vec::new();
    for t in texts {
        banyan_search::analysis::words(&t, |a, b| {
            let w = t[a..b].to_lowercase();
            if w.chars().count() >= 2 && w.chars().any(char::is_alphabetic) {
                out.push(w);
            }
        });
    }
    out
}

/// Every language's vocabulary.
pub struct Vocabularies {
    pub by_lang: Vec<(Arc<Vocabulary>, f64)>,
}

impl Vocabularies {
    pub fn new(seed: u64) -> Vocabularies {
        let demo: Value = serde_json::from_str(banyan_import::demo::DEMO).expect("the demo content is JSON");
        let mut texts: Vec<(String, String)> = Vec::new();
        for r in demo["records"].as_array().into_iter().flatten() {
            let lang = r["lang"].as_str().unwrap_or("en").to_string();
            collect_strings(r, &mut |s| texts.push((lang.clone(), s.to_string())));
            if let Some(tr) = r["translations"].as_object() {
                for (l, t) in tr {
                    collect_strings(t, &mut |s| texts.push((l.clone(), s.to_string())));
                }
            }
        }
        let of = |lang: &str| texts.iter().filter(|(l, _)| l == lang).map(|(_, t)| t.clone()).collect::<Vec<_>>();
        let mut english: Vec<String> = Vec::new();
        for g in banyan_domain::Sdg::all_goals() {
            english.push(g.title().to_string());
            english.extend(g.targets().map(|t| t.title().to_string()));
        }
        english.extend(of("en"));
        let en = Vocabulary::new("en", real_words(english), &LATIN_SYLLABLES, 50_000, seed, true);
        let th = Vocabulary::new("th", real_words(of("th")), &THAI_SYLLABLES, 12_000, seed + 1, false);
        let bn = Vocabulary::new("bn", real_words(of("bn")), &BENGALI_SYLLABLES, 12_000, seed + 2, true);
        let vi = Vocabulary::new("vi", real_words(of("vi")), &VIETNAMESE_SYLLABLES, 8_000, seed + 3, true);
        let ms =
            Vocabulary::new("ms", real_words([of("ms"), of("id")].concat()), &LATIN_SYLLABLES, 8_000, seed + 4, true);
        let by_lang = vec![en, th, bn, vi, ms]
            .into_iter()
            .zip(LANGUAGES.iter().map(|(_, share)| *share))
            .map(|(v, s)| (Arc::new(v), s))
            .collect();
        Vocabularies { by_lang }
    }

    pub fn pick(&self, rng: &mut StdRng) -> &Vocabulary {
        let mut x = rng.random::<f64>();
        for (v, share) in &self.by_lang {
            if x < *share {
                return v;
            }
            x -= share;
        }
        &self.by_lang[0].0
    }

    pub fn get(&self, lang: &str) -> &Vocabulary {
        self.by_lang.iter().find(|(v, _)| v.lang == lang).map(|(v, _)| v.as_ref()).unwrap_or(&self.by_lang[0].0)
    }
}

fn collect_strings(v: &Value, f: &mut impl FnMut(&str)) {
    match v {
        Value::String(s) if s.chars().count() > 15 => f(s),
        Value::Object(m) => m.values().for_each(|x| collect_strings(x, f)),
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, f)),
        _ => {}
    }
}

const LATIN_SYLLABLES: [&str; 40] = [
    "ka", "ri", "mo", "tan", "le", "su", "ban", "dor", "pi", "ne", "ga", "lu", "sen", "ho", "ta", "vi", "mar", "ko",
    "de", "lin", "ru", "pa", "zo", "bel", "fi", "ni", "tor", "sa", "mi", "gun", "we", "ya", "cha", "pro", "ber", "ant",
    "ex", "um", "ol", "is",
];
const THAI_SYLLABLES: [&str; 30] = [
    "กา",
    "ขอ",
    "คน",
    "งาน",
    "จัด",
    "ชุม",
    "ดิน",
    "ตรวจ",
    "ทาง",
    "นัด",
    "บ้าน",
    "ประ",
    "ผล",
    "พัฒ",
    "มือ",
    "ยา",
    "รัก",
    "ลง",
    "วัด",
    "ศึก",
    "สา",
    "หา",
    "อำ",
    "เกิด",
    "เมือง",
    "แผน",
    "โรง",
    "ใบ",
    "ไฟ",
    "ระบบ",
];
const BENGALI_SYLLABLES: [&str; 30] = [
    "কা",
    "রি",
    "মো",
    "তন",
    "লে",
    "সু",
    "বন",
    "দো",
    "পি",
    "নে",
    "গা",
    "লু",
    "সেন",
    "হো",
    "তা",
    "বি",
    "মার",
    "কো",
    "দে",
    "লিন",
    "রু",
    "পা",
    "জো",
    "বেল",
    "ফি",
    "নি",
    "তোর",
    "সা",
    "মি",
    "গুন",
];
const VIETNAMESE_SYLLABLES: [&str; 30] = [
    "cải",
    "cách",
    "dịch",
    "vụ",
    "công",
    "dân",
    "hồ",
    "sơ",
    "trực",
    "tuyến",
    "quản",
    "lý",
    "đất",
    "đai",
    "y",
    "tế",
    "giáo",
    "dục",
    "nước",
    "sạch",
    "nông",
    "thôn",
    "phát",
    "triển",
    "kinh",
    "tế",
    "xã",
    "hội",
    "môi",
    "trường",
];

/// One generated record with what the other engines need of it.
pub struct GenRecord {
    pub id: Uuid,
    pub lang: &'static str,
    pub kind: &'static str,
    pub title: String,
    pub summary: String,
    /// The long text, as three fields.
    pub problem: String,
    pub solution: String,
    pub results: String,
    pub themes: Vec<String>,
    pub countries: Vec<&'static str>,
    pub sdgs: Vec<String>,
    pub sectors: Vec<String>,
    pub level: &'static str,
    pub stage: Option<&'static str>,
    pub evidence: Option<u8>,
    pub innovation_type: &'static str,
    /// Days before the benchmark's fixed date it was published.
    pub age_days: u32,
}

impl GenRecord {
    /// The whole long text.
    pub fn body(&self) -> String {
        format!("{}\n\n{}\n\n{}", self.problem, self.solution, self.results)
    }

    /// The record as the API takes it.
    pub fn to_json(&self) -> Value {
        let mut details = json!({});
        match self.kind {
            "practice" => {
                details = json!({"problem": self.problem, "solution": self.solution, "results": self.results,
                                 "stage": self.stage, "evidence_level": self.evidence});
            }
            "idea" => {
                details = json!({"problem": self.problem, "idea": self.solution, "expected_benefit": self.results})
            }
            "challenge" => {
                details = json!({"problem": self.problem, "affected": self.solution, "desired_outcomes": self.results})
            }
            "solution" => {
                details =
                    json!({"what_it_does": self.solution, "for_whom": self.problem, "data_protection": self.results})
            }
            _ => unreachable!("the corpus has no other kinds"),
        }
        json!({
            "kind": self.kind,
            "title": self.title,
            "summary": self.summary,
            "lang": self.lang,
            "sdgs": self.sdgs,
            "sectors": self.sectors,
            "places": self.countries,
            "level_of_government": self.level,
            "innovation_types": [self.innovation_type],
            "themes": self.themes,
            "status": "published",
            "details": details,
        })
    }
}

fn weighted<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total);
    for (v, w) in items {
        if x < *w {
            return *v;
        }
        x -= w;
    }
    items[0].0
}

/// Text of about `bytes` bytes in a language: sentences of Zipf-drawn words.
fn text(v: &Vocabulary, rng: &mut StdRng, bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 64);
    while out.len() < bytes {
        let n = rng.random_range(8..20);
        for i in 0..n {
            let w = v.draw(rng);
            if i == 0 {
                let mut c = w.chars();
                if let Some(f) = c.next() {
                    out.extend(f.to_uppercase());
                    out.push_str(c.as_str());
                }
            } else {
                // Thai runs words together, with a space every few words.
                if v.spaced || rng.random_range(0..5) == 0 {
                    out.push(' ');
                }
                out.push_str(w);
            }
        }
        out.push_str(if v.lang == "th" { " " } else { ". " });
    }
    out.truncate(out.trim_end().len());
    out
}

fn words(v: &Vocabulary, rng: &mut StdRng, n: usize, from: usize, to: usize) -> String {
    let sep = if v.spaced { " " } else { "" };
    (0..n).map(|_| v.topical(rng, from, to).to_string()).collect::<Vec<_>>().join(sep)
}

/// The `i`th record of the corpus with `seed`: the same every time.
pub fn record(vocab: &Vocabularies, seed: u64, i: u64) -> GenRecord {
    let mut rng = StdRng::seed_from_u64(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ i);
    let v = vocab.pick(&mut rng);
    let kind = weighted(&mut rng, &KINDS);
    let mut random = [0u8; 10];
    rng.fill(&mut random);
    // A UUIDv7 with the record number as its time part, so that ids sort as generated.
    let id = uuid::Builder::from_unix_timestamp_millis(i + 1, &random).into_uuid();
    let n = rng.random_range(4..9);
    let title = words(v, &mut rng, n, 20, 6000);
    let n = rng.random_range(150..400);
    let mut summary = text(v, &mut rng, n);
    if let Some((cut, _)) = summary.char_indices().nth(480) {
        summary.truncate(cut);
        summary.truncate(summary.trim_end().len());
    }
    // 2 to 10 KB of long text, more of the shorter ones.
    let size = (2048.0 * (5.0f64).powf(rng.random::<f64>())) as usize;
    let problem = text(v, &mut rng, size * 35 / 100);
    let solution = text(v, &mut rng, size * 45 / 100);
    let results = text(v, &mut rng, size * 20 / 100);
    let themes = (0..rng.random_range(1..4)).map(|_| v.topical(&mut rng, 50, 2000).to_string()).collect();
    let mut countries = vec![weighted(&mut rng, &COUNTRIES)];
    if rng.random_range(0..5) == 0 {
        let c = weighted(&mut rng, &COUNTRIES);
        if !countries.contains(&c) {
            countries.push(c);
        }
    }
    let mut sdgs: Vec<String> = Vec::new();
    for _ in 0..rng.random_range(1..4) {
        let g = banyan_domain::Sdg::all_goals().nth(rng.random_range(0..17)).expect("17 goals");
        let code = if rng.random_bool(0.5) {
            let targets: Vec<_> = g.targets().collect();
            targets[rng.random_range(0..targets.len())].code().to_string()
        } else {
            g.code().to_string()
        };
        if !sdgs.contains(&code) {
            sdgs.push(code);
        }
    }
    let mut sectors = vec![SECTORS[rng.random_range(0..SECTORS.len())].to_string()];
    if rng.random_bool(0.3) {
        let s = SECTORS[rng.random_range(0..SECTORS.len())].to_string();
        if !sectors.contains(&s) {
            sectors.push(s);
        }
    }
    let practice = kind == "practice";
    GenRecord {
        id,
        lang: v.lang,
        kind,
        title: capitalise(&title),
        summary,
        problem,
        solution,
        results,
        themes,
        countries,
        sdgs,
        sectors,
        level: LEVELS[rng.random_range(0..LEVELS.len())],
        stage: practice.then(|| STAGES[rng.random_range(0..STAGES.len())]),
        evidence: practice.then(|| rng.random_range(1..=5)),
        innovation_type: TYPES[rng.random_range(0..TYPES.len())],
        age_days: rng.random_range(0..3650),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// What a query is, for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryClass {
    Short,
    Long,
    Phrase,
    Filtered,
    FilterOnly,
    Typo,
}

/// One query of the log.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Query {
    pub class: QueryClass,
    /// As typed: words, `"phrases"`.
    pub q: String,
    pub kind: Option<&'static str>,
    pub country: Option<&'static str>,
    pub sdg: Option<String>,
    pub sector: Option<&'static str>,
}

impl Query {
    /// The query string for Banyan's API.
    pub fn to_url(&self) -> String {
        let mut params = url::form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            params.append_pair("q", &self.q);
        }
        if let Some(k) = self.kind {
            params.append_pair("kind", k);
        }
        if let Some(c) = self.country {
            params.append_pair("country", c);
        }
        if let Some(s) = &self.sdg {
            params.append_pair("sdg", s);
        }
        if let Some(s) = self.sector {
            params.append_pair("sector", s);
        }
        params.append_pair("limit", "10");
        format!("/api/v1/search?{}", params.finish())
    }
}

/// A seeded query log: 40% one or two words, 20% three to five, 10% phrases, 20% words with
/// filters, 5% filters only, 5% with a typo.
pub fn queries(vocab: &Vocabularies, seed: u64, corpus_size: u64, n: usize) -> Vec<Query> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5157_4545);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let x = rng.random_range(0..100);
        let v = vocab.pick(&mut rng);
        let topical = |rng: &mut StdRng, n: usize| -> String {
            (0..n).map(|_| v.topical(rng, 30, 8000).to_string()).collect::<Vec<_>>().join(" ")
        };
        let mut q =
            Query { class: QueryClass::Short, q: String::new(), kind: None, country: None, sdg: None, sector: None };
        match x {
            0..40 => {
                let n = rng.random_range(1..=2);
                q.q = topical(&mut rng, n);
            }
            40..60 => {
                q.class = QueryClass::Long;
                let n = rng.random_range(3..=5);
                q.q = topical(&mut rng, n);
            }
            60..70 => {
                q.class = QueryClass::Phrase;
                // Words that follow each other in some record.
                let r = record(vocab, seed, rng.random_range(0..corpus_size));
                let body = r.body();
                let mut ws: Vec<String> = Vec::new();
                banyan_search::analysis::words(&body, |a, b| ws.push(body[a..b].to_string()));
                let len = rng.random_range(2..=3).min(ws.len());
                let start = rng.random_range(0..=ws.len() - len);
                q.q = format!("\"{}\"", ws[start..start + len].join(" "));
            }
            70..90 => {
                q.class = QueryClass::Filtered;
                let n = rng.random_range(1..=2);
                q.q = topical(&mut rng, n);
                let n = rng.random_range(1..=2);
                filters(&mut rng, &mut q, n);
            }
            90..95 => {
                q.class = QueryClass::FilterOnly;
                let n = rng.random_range(1..=2);
                filters(&mut rng, &mut q, n);
            }
            _ => {
                q.class = QueryClass::Typo;
                let en = vocab.get("en");
                let word = loop {
                    let w = en.topical(&mut rng, 30, 4000);
                    if w.chars().count() >= 6 && w.is_ascii() {
                        break w.to_string();
                    }
                };
                q.q = typo(&mut rng, &word);
            }
        }
        out.push(q);
    }
    out
}

fn filters(rng: &mut StdRng, q: &mut Query, n: usize) {
    let mut kinds = [0, 1, 2, 3];
    for i in (1..kinds.len()).rev() {
        kinds.swap(i, rng.random_range(0..=i));
    }
    for which in kinds.into_iter().take(n) {
        match which {
            0 => q.kind = Some(weighted(rng, &KINDS)),
            1 => q.country = Some(weighted(rng, &COUNTRIES)),
            2 => q.sdg = Some(rng.random_range(1..=17u8).to_string()),
            _ => q.sector = Some(SECTORS[rng.random_range(0..SECTORS.len())]),
        }
    }
}

fn typo(rng: &mut StdRng, word: &str) -> String {
    let mut c: Vec<char> = word.chars().collect();
    let i = rng.random_range(1..c.len() - 1);
    match rng.random_range(0..3) {
        0 => c[i] = (b'a' + rng.random_range(0..26u8)) as char,
        1 => {
            c.remove(i);
        }
        _ => c.swap(i, i + 1),
    }
    c.into_iter().collect()
}
