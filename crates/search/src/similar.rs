//! Similar records: text relevance combined with overlap of SDGs, sectors, places and level of
//! government, and with maturity and evidence — each hit with the reasons it was chosen.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};
use std::num::NonZeroUsize;
use std::sync::{Arc, LazyLock, Mutex};

use lru::LruCache;

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::columnar::StrColumn;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};
use uuid::Uuid;

use banyan_domain::{Cofog, CountryCode, Kind, Record, RegionCode, Sdg};

use crate::Result;
use crate::analysis;
use crate::facets::Names;
use crate::highlight::Highlighter;
use crate::index::SearchIndex;
use crate::schema::Facet;

/// What to find records like: a stored record, or a draft.
#[derive(Debug, Clone, Default)]
pub struct Probe {
    /// Left out of the results.
    pub id: Option<Uuid>,
    pub title: String,
    pub text: String,
    /// Goal codes (`"3"`).
    pub sdgs: Vec<String>,
    /// COFOG division codes (`"07"`).
    pub sectors: Vec<String>,
    pub countries: Vec<String>,
    pub level: Option<String>,
}

impl Probe {
    pub fn from_record(r: &Record) -> Probe {
        let c = &r.content;
        let text = c.long_text();
        let mut sdgs: Vec<String> = c.sdgs.iter().map(|s| s.goal().code().to_string()).collect();
        sdgs.dedup();
        let mut sectors: Vec<String> = c.sectors.iter().map(|s| s.division().code().to_string()).collect();
        sectors.dedup();
        let mut countries: Vec<String> = c.places.iter().map(|p| p.country().code().to_string()).collect();
        countries.dedup();
        Probe {
            id: Some(r.id.0),
            title: c.title.clone(),
            text,
            sdgs,
            sectors,
            countries,
            level: c.level_of_government.map(|l| l.as_str().to_string()),
        }
    }
}

/// Why a record was chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// `text`, `sdg`, `sector`, `country`, `region`, `level`, `evidence` or `stage`.
    pub code: &'static str,
    /// The reason in words.
    pub text: String,
}

/// A similar record.
#[derive(Debug, Clone, Serialize)]
pub struct SimilarHit {
    pub id: Uuid,
    pub kind: String,
    pub slug: String,
    pub title: String,
    pub summary: Option<String>,
    /// 0..1: how alike, all reasons weighed.
    pub score: f32,
    pub reasons: Vec<Reason>,
}

/// How many candidates each of text and vocabulary overlap brings.
const CANDIDATES: usize = 60;
/// The most distinctive words of a probe that are searched for.
const PROBE_TERMS: usize = 30;

/// Weights of the parts of the score (they add up to 1).
const W_TEXT: f32 = 0.53;
const W_SDG: f32 = 0.15;
const W_SECTOR: f32 = 0.12;
const W_PLACE: f32 = 0.1;
const W_LEVEL: f32 = 0.05;
const W_MATURITY: f32 = 0.05;

/// A probe's distinctive words: (plain, folded, weight).
pub(crate) type Terms = Vec<(String, String, f32)>;

/// The distinctive words of recent probes, by text and searcher generation. A record's page
/// finds its similar records and, for a challenge or a solution, its matches from the same words,
/// and reading the document frequency of every word of a long text was a tenth of the page's
/// first view.
pub(crate) struct ProbeTerms {
    kept: Mutex<LruCache<ProbeKey, Arc<Terms>>>,
}

#[derive(Hash, PartialEq, Eq)]
struct ProbeKey {
    title: String,
    text: String,
    max: usize,
    /// Document frequencies are read from one searcher: a commit makes a new one.
    generation: u64,
}

/// Probes whose words are kept: enough for the pages being viewed at once.
const PROBES_KEPT: usize = 64;

impl Default for ProbeTerms {
    fn default() -> Self {
        ProbeTerms { kept: Mutex::new(LruCache::new(NonZeroUsize::new(PROBES_KEPT).expect("not zero"))) }
    }
}

/// The words of a probe that best tell it apart, with their weights, as (plain, folded) terms,
/// at most `max`; kept for the next search of the same text with the same searcher.
pub(crate) fn distinctive_terms(
    index: &SearchIndex,
    searcher: &Searcher,
    title: &str,
    text: &str,
    max: usize,
) -> Result<Arc<Terms>> {
    let key = ProbeKey {
        title: title.to_string(),
        text: text.to_string(),
        max,
        generation: searcher.generation().generation_id(),
    };
    if let Some(terms) = index.probe_terms.kept.lock().expect("not poisoned").get(&key) {
        return Ok(Arc::clone(terms));
    }
    let terms = Arc::new(read_distinctive_terms(index, searcher, title, text, max)?);
    index.probe_terms.kept.lock().expect("not poisoned").put(key, Arc::clone(&terms));
    Ok(terms)
}

fn read_distinctive_terms(
    index: &SearchIndex,
    searcher: &Searcher,
    title: &str,
    text: &str,
    max: usize,
) -> Result<Terms> {
    let f = index.fields();
    let n = searcher.num_docs().max(1) as f32;
    let mut counts: HashMap<(String, String), f32> = HashMap::new();
    for (t, weight) in [(title, 2.0f32), (text, 1.0)] {
        let plain = analysis::terms(&mut analysis::plain(), t);
        let folded = analysis::terms(&mut analysis::folded(), t);
        if plain.len() != folded.len() {
            continue;
        }
        for pair in plain.into_iter().zip(folded) {
            if pair.1.chars().count() < 3 && analysis::is_latin(&pair.1) {
                continue;
            }
            *counts.entry(pair).or_default() += weight;
        }
    }
    let mut scored = Vec::with_capacity(counts.len());
    for ((plain, folded), tf) in counts {
        let df = searcher.doc_freq(&Term::from_field_text(f.text_f, &folded))?;
        // Words in most documents say nothing about this one.
        if (df as f32 > n * 0.4 && n > 20.0) || STOPWORDS.contains(folded.as_str()) {
            continue;
        }
        let idf = (n / (df as f32 + 1.0)).ln().max(0.1);
        scored.push((plain, folded, (1.0 + tf.ln()) * idf));
    }
    scored.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
    scored.truncate(max);
    Ok(scored)
}

/// A query for any of some terms, each weighted, in the field of all texts.
///
/// One posting list per word: a probe's 30 words in titles, summaries, keywords and bodies
/// apart, weighted 2, 1.5, 1 and 1, were 120 lists, and block-max WAND sorts its lists by
/// document after every candidate: 7% of the server's samples under the load test's mix went to
/// that sorting. In one field, first views of record pages went from 46-52 to
/// 63-65 a second at 100,000 records (2 cores), and matching's precision@5 on the judged set
/// from 0.321 to 0.309, nDCG@10 from 0.508 to 0.505; weighing titles apart (titles ×2 beside
/// the field of all texts) did worse on both (0.267, 0.444).
pub(crate) fn terms_query(index: &SearchIndex, terms: &[(String, String, f32)]) -> Vec<(Occur, Box<dyn Query>)> {
    let f = index.fields();
    let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (_, folded, weight) in terms {
        let q = TermQuery::new(Term::from_field_text(f.text_f, folded), IndexRecordOption::WithFreqs);
        out.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), *weight))));
    }
    out
}

/// The best `limit` documents for weighted terms (as [`terms_query`] builds them), of `kinds`
/// and leaving out the document of `exclude`, with their scores, best first.
///
/// The terms are searched alone: a query of nothing but optional terms is one tantivy prunes
/// with block-max WAND, skipping the blocks of documents that cannot reach the top. The kinds
/// and the exclusion are applied to what comes back, and the search is repeated further down
/// when they left too few, until every match has been seen. With the kinds and the exclusion
/// as clauses of the same query, as at first, tantivy scored every document holding any of a
/// probe's hundred-odd terms.
pub(crate) fn top_by_terms(
    index: &SearchIndex,
    searcher: &Searcher,
    terms: &[(String, String, f32)],
    exclude: Option<Uuid>,
    kinds: &[String],
    limit: usize,
) -> Result<Vec<(f32, DocAddress)>> {
    if terms.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let query = BooleanQuery::new(terms_query(index, terms));
    let excluded = match exclude {
        Some(id) => index.doc_by_id(searcher, id)?.map(|(addr, _)| addr),
        None => None,
    };
    let mut values = FacetValues::new(index, searcher);
    // Deep enough, as the kinds are shared out in the index, that one search usually finds
    // `limit` of them: a second search, further down, costs more than the first.
    let share = if kinds.is_empty() {
        1.0
    } else {
        let field = index.fields().facet(Facet::Kind);
        let mut of_kinds = 0;
        for kind in kinds {
            of_kinds += searcher.doc_freq(&Term::from_field_text(field, kind))?;
        }
        (of_kinds as f64 / searcher.num_docs().max(1) as f64).clamp(0.01, 1.0)
    };
    let mut want = (limit as f64 * 1.5 / share).ceil() as usize + 1;
    loop {
        let top = searcher.search(&query, &TopDocs::with_limit(want).order_by_score())?;
        let exhausted = top.len() < want;
        let mut kept = Vec::with_capacity(limit);
        for (score, addr) in top {
            if Some(addr) == excluded {
                continue;
            }
            if kinds.is_empty() || values.get(addr, Facet::Kind)?.iter().any(|k| kinds.contains(k)) {
                kept.push((score, addr));
                if kept.len() == limit {
                    return Ok(kept);
                }
            }
        }
        if exhausted {
            return Ok(kept);
        }
        // The kinds asked for are rare among the best matches: look further down.
        want = want.saturating_mul(8);
    }
}

/// A value of a facet that a probe holds, and the weight of sharing it.
pub(crate) type VocabTerm = (Facet, String, f32);

/// The best `limit` documents by the vocabulary they share with a probe, each of `terms` that a
/// document holds adding its weight; only records of `kinds`, leaving out the document of
/// `exclude`.
///
/// Most of the registry shares one of a probe's SDGs, sectors, countries or its level of
/// government (at 100,000 records, 40,000 to 64,000 documents for the load test's probes), and
/// each of those is scored. What costs is that union; the kinds are kept by
/// [`SearchIndex::kind_clauses`], which for every kind reads only the organisations' postings.
/// Looking first for the documents holding every term, and stopping when there were `limit` of
/// them, was tried and dropped: there were fewer than 60 for nine probes in ten.
pub(crate) fn top_by_vocabulary(
    index: &SearchIndex,
    searcher: &Searcher,
    terms: &[VocabTerm],
    exclude: Option<Uuid>,
    kinds: &[String],
    limit: usize,
) -> Result<Vec<DocAddress>> {
    if terms.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let f = index.fields();
    let any: Vec<(Occur, Box<dyn Query>)> = terms
        .iter()
        .map(|(facet, value, weight)| {
            let q = TermQuery::new(Term::from_field_text(f.facet(*facet), value), IndexRecordOption::Basic);
            let q: Box<dyn Query> = Box::new(ConstScoreQuery::new(Box::new(q), *weight));
            (Occur::Should, q)
        })
        .collect();
    let mut q: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(BooleanQuery::new(any)))];
    q.extend(index.kind_clauses(kinds));
    if let Some(id) = exclude {
        q.push((
            Occur::MustNot,
            Box::new(TermQuery::new(Term::from_field_text(f.id, &id.to_string()), IndexRecordOption::Basic)),
        ));
    }
    let top = searcher.search(&BooleanQuery::new(q), &TopDocs::with_limit(limit).order_by_score())?;
    Ok(top.into_iter().map(|(_, addr)| addr).collect())
}

/// The values of facets for documents, from their fast fields, each column opened once per
/// segment (opening one costs more than reading a document's values from it), and each value
/// named from the segment's dictionary as the facet counts keep it: reading the names from the
/// column's own dictionary, value by value, was an eighth of the work of similar records.
pub(crate) struct FacetValues<'a> {
    index: &'a SearchIndex,
    searcher: &'a Searcher,
    columns: HashMap<(u32, Facet), Option<(StrColumn, Names)>>,
}

impl<'a> FacetValues<'a> {
    pub(crate) fn new(index: &'a SearchIndex, searcher: &'a Searcher) -> FacetValues<'a> {
        FacetValues { index, searcher, columns: HashMap::new() }
    }

    /// The values of `facet` for the document at `addr`.
    pub(crate) fn get(&mut self, addr: DocAddress, facet: Facet) -> Result<Vec<String>> {
        let column = match self.columns.entry((addr.segment_ord, facet)) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let reader = self.searcher.segment_reader(addr.segment_ord);
                let column = match reader.fast_fields().str(facet.name())? {
                    Some(column) => Some((column, self.index.facet_names(reader, facet)?)),
                    None => None,
                };
                e.insert(column)
            }
        };
        let Some((column, names)) = column else { return Ok(Vec::new()) };
        Ok(column.term_ords(addr.doc_id).filter_map(|ord| names.get(ord as usize).map(|n| n.to_string())).collect())
    }
}

fn jaccard(a: &BTreeSet<&str>, b: &BTreeSet<&str>) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    a.intersection(b).count() as f32 / a.union(b).count() as f32
}

/// Records like the probe, best first. `kinds` limits the kinds returned (all when empty).
pub fn similar(index: &SearchIndex, probe: &Probe, kinds: &[String], limit: usize) -> Result<Vec<SimilarHit>> {
    let searcher = index.searcher();
    let f = index.fields();
    let terms = distinctive_terms(index, &searcher, &probe.title, &probe.text, PROBE_TERMS)?;
    let mut kinds = kinds.to_vec();
    if kinds.is_empty() {
        kinds = Kind::ALL.iter().map(|k| k.code().to_string()).collect();
    }

    // Candidates by text…
    let text_scores: HashMap<DocAddress, f32> = top_by_terms(index, &searcher, &terms, probe.id, &kinds, CANDIDATES)?
        .into_iter()
        .map(|(s, a)| (a, s))
        .collect();
    // …and by shared vocabulary.
    let mut vocab: Vec<VocabTerm> = Vec::new();
    for (facet, values, weight) in [
        (Facet::Sdg, &probe.sdgs, 1.0f32),
        (Facet::Sector, &probe.sectors, 1.0),
        (Facet::Country, &probe.countries, 0.7),
    ] {
        vocab.extend(values.iter().map(|v| (facet, v.clone(), weight)));
    }
    if let Some(level) = &probe.level {
        vocab.push((Facet::Level, level.clone(), 0.3));
    }
    let mut candidates: BTreeSet<DocAddress> = text_scores.keys().copied().collect();
    candidates.extend(top_by_vocabulary(index, &searcher, &vocab, probe.id, &kinds, CANDIDATES)?);

    let max_text = text_scores.values().copied().fold(0.0f32, f32::max).max(f32::EPSILON);
    let p_sdgs: BTreeSet<&str> = probe.sdgs.iter().map(String::as_str).collect();
    let p_sectors: BTreeSet<&str> = probe.sectors.iter().map(String::as_str).collect();
    let p_countries: BTreeSet<&str> = probe.countries.iter().map(String::as_str).collect();
    let p_regions: BTreeSet<&'static str> = probe
        .countries
        .iter()
        .filter_map(|c| CountryCode::parse(c).ok())
        .flat_map(|c| c.regions().map(|r| r.code()).collect::<Vec<_>>())
        .collect();

    struct Scored {
        addr: DocAddress,
        score: f32,
        reasons: Vec<Reason>,
        text: f32,
    }
    let mut scored = Vec::with_capacity(candidates.len());
    let mut values = FacetValues::new(index, &searcher);
    for addr in candidates {
        let text = text_scores.get(&addr).copied().unwrap_or(0.0) / max_text;
        let sdgs = values.get(addr, Facet::Sdg)?;
        let sectors = values.get(addr, Facet::Sector)?;
        let countries = values.get(addr, Facet::Country)?;
        let regions = values.get(addr, Facet::Region)?;
        let level = values.get(addr, Facet::Level)?;
        let evidence = values.get(addr, Facet::Evidence)?;
        let stage = values.get(addr, Facet::Stage)?;
        let c_sdgs: BTreeSet<&str> = sdgs.iter().map(String::as_str).filter(|s| !s.contains('.')).collect();
        let c_sectors: BTreeSet<&str> = sectors.iter().map(String::as_str).filter(|s| !s.contains('.')).collect();
        let c_countries: BTreeSet<&str> = countries.iter().map(String::as_str).collect();
        let c_regions: BTreeSet<&str> = regions.iter().map(String::as_str).collect();

        let mut reasons = Vec::new();
        let sdg = jaccard(&p_sdgs, &c_sdgs);
        for g in p_sdgs.intersection(&c_sdgs) {
            if let Ok(s) = Sdg::parse(g) {
                reasons.push(Reason { code: "sdg", text: format!("SDG {g}: {}", s.title()) });
            }
        }
        let sector = jaccard(&p_sectors, &c_sectors);
        for d in p_sectors.intersection(&c_sectors) {
            if let Ok(s) = Cofog::parse(d) {
                reasons.push(Reason { code: "sector", text: format!("Same sector: {}", s.name()) });
            }
        }
        let place = if let Some(c) = p_countries.intersection(&c_countries).next() {
            let name = CountryCode::parse(c).map(|c| c.name()).unwrap_or(c);
            reasons.push(Reason { code: "country", text: format!("Same country: {name}") });
            1.0
        } else if let Some(r) = most_specific(p_regions.intersection(&c_regions).copied())
            && REGION_SIZES.get(r.code()).is_some_and(|n| *n <= 30)
        {
            // A sub-region (South-eastern Asia), not a continent.
            reasons.push(Reason { code: "region", text: format!("Same region: {}", r.name()) });
            0.5
        } else {
            0.0
        };
        let same_level = probe.level.as_ref().is_some_and(|l| level.contains(l));
        if same_level {
            reasons.push(Reason {
                code: "level",
                text: format!("Same level of government: {}", probe.level.as_deref().unwrap_or_default()),
            });
        }
        let evidence_level = evidence.first().and_then(|e| e.parse::<u8>().ok()).unwrap_or(0);
        if evidence_level >= 3 {
            reasons.push(Reason { code: "evidence", text: format!("Evidence level {evidence_level} of 5") });
        }
        let maturity_stage = match stage.first().map(String::as_str) {
            Some("scaled") => {
                reasons.push(Reason { code: "stage", text: "Scaled up".into() });
                1.0
            }
            Some("implemented") => {
                reasons.push(Reason { code: "stage", text: "Implemented".into() });
                0.7
            }
            Some("pilot") => 0.4,
            _ => 0.0,
        };
        // Proven practices rank higher among related ones; maturity alone makes nothing related.
        let related = text > 0.2 || sdg > 0.0 || sector > 0.0;
        let maturity = if related { (f32::from(evidence_level) / 5.0).max(maturity_stage) } else { 0.0 };
        let score = W_TEXT * text
            + W_SDG * sdg
            + W_SECTOR * sector
            + W_PLACE * place
            + W_LEVEL * f32::from(u8::from(same_level))
            + W_MATURITY * maturity;
        scored.push(Scored { addr, score, reasons, text });
    }
    scored.sort_by(|a, b| b.score.total_cmp(&a.score));
    scored.truncate(limit);

    let mut highlighter =
        Highlighter::new(terms.iter().map(|t| t.0.clone()).collect(), terms.iter().map(|t| t.1.clone()).collect());
    let mut out = Vec::with_capacity(scored.len());
    for s in scored {
        let doc: TantivyDocument = searcher.doc(s.addr)?;
        let (id, display) = index.identity(&doc)?;
        let mut reasons = s.reasons;
        if s.text > 0.0 {
            let body = doc.get_first(f.body).and_then(|v| v.as_str()).unwrap_or("");
            let words =
                highlighter.shared_words(&[display.title.as_str(), display.summary.as_deref().unwrap_or(""), body], 6);
            if !words.is_empty() {
                reasons.insert(0, Reason { code: "text", text: format!("Shares the words: {}", words.join(", ")) });
            }
        }
        out.push(SimilarHit {
            id,
            kind: display.kind.clone(),
            slug: display.slug.clone(),
            title: display.title.clone(),
            summary: display.summary.clone(),
            score: (s.score * 1000.0).round() / 1000.0,
            reasons,
        });
    }
    Ok(out)
}

// Words too common to tell records apart, as written. A word is also left out when it is in more
// than 40% of the records, but on a small registry (a new node, the demo) that rule cannot see a
// language's little words, and matches were said to share "dan" and "kepada".

/// English words too common to tell records apart.
const ENGLISH: &str = "\
    a about above after again all also an and any are as at be because been before between both but by \
    can could did do does each few for from further had has have how if in into is it it's its itself \
    more most much must no not now of on once only or other our out over own same should so some such \
    than that the their them then there these they this those through to too under until up use used \
    very was we were what when where which while who whom why will with within without would you your";
/// Malay and Indonesian words too common to tell records apart.
const MALAY_AND_INDONESIAN: &str = "\
    ada adalah agar akan anda antara apabila atas atau bagaimana bagi bahawa bahwa banyak belum berikut \
    boleh bukan dalam dan dapat dari daripada dengan hanya harus hingga ialah ini itu jika juga kami \
    karena kepada kerana ketika kita lagi lebih maka masih melalui mereka namun oleh pada para perlu \
    sahaja saja sama sangat sebagai sebelum secara sedang sehingga sejak selama selepas semua serta \
    setelah setiap sudah supaya tanpa telah tentang terhadap tersebut tetapi tidak untuk yang";
/// Vietnamese words too common to tell records apart (its words are syllables: only its
/// function words are listed).
const VIETNAMESE: &str = "\
    bằng các cho chưa của cũng đã đang để đến được khi không này những nhưng nếu rằng sẽ tại theo thì \
    trên trong vào với";

/// The words of [`ENGLISH`], [`MALAY_AND_INDONESIAN`] and [`VIETNAMESE`] as the field of all
/// texts holds them: folded and stemmed.
static STOPWORDS: LazyLock<std::collections::HashSet<String>> = LazyLock::new(|| {
    let mut folded = analysis::folded();
    [ENGLISH, MALAY_AND_INDONESIAN, VIETNAMESE]
        .iter()
        .flat_map(|l| l.split_whitespace())
        .flat_map(|w| analysis::terms(&mut folded, w))
        .collect()
});

/// How many countries each M49 region holds.
static REGION_SIZES: LazyLock<HashMap<&'static str, usize>> = LazyLock::new(|| {
    let mut sizes = HashMap::new();
    for c in CountryCode::all() {
        for r in c.regions() {
            *sizes.entry(r.code()).or_default() += 1;
        }
    }
    sizes
});

/// How many countries an M49 region holds.
pub(crate) fn region_size(code: &str) -> usize {
    REGION_SIZES.get(code).copied().unwrap_or(usize::MAX)
}

/// Of several M49 regions, the smallest (a sub-region rather than a continent).
pub(crate) fn most_specific<'a>(codes: impl Iterator<Item = &'a str>) -> Option<RegionCode> {
    codes
        .filter_map(|c| RegionCode::parse(c).ok())
        .min_by_key(|r| REGION_SIZES.get(r.code()).copied().unwrap_or(usize::MAX))
}

#[cfg(test)]
mod tests {
    use super::STOPWORDS;

    #[test]
    fn little_words_are_held_as_the_field_of_all_texts_holds_them() {
        // Stemmed as English is ("because" → "becaus"), accents folded ("của" → "cua").
        for held in ["becaus", "abov", "veri", "dan", "kepada", "yang", "cua", "duoc", "nhung"] {
            assert!(STOPWORDS.contains(held), "{held}");
        }
        // Words that tell records apart stay.
        for kept in ["land", "clinic", "hospit", "banjir", "tanah"] {
            assert!(!STOPWORDS.contains(kept), "{kept}");
        }
    }
}
