//! Matching a challenge with the practices and solutions that could meet it, and a solution with
//! the open challenges it could meet.
//!
//! Two steps. [`candidates`] asks the index for records that share the challenge's distinctive
//! words or its vocabulary (SDGs, sectors, countries, level), with a text relevance for each.
//! [`fit`] then scores one challenge against one practice or solution from the two records
//! themselves, as a weighted sum of parts that each lie in 0..1, and says why in words:
//!
//! ```text
//! score = 0.36·text + 0.12·sdg + 0.12·sector + 0.12·place + 0.04·level
//!       + 0.12·maturity + 0.08·constraints + 0.04·availability
//! ```
//!
//! then halved for each hard constraint the offer is known to break (a language it does not
//! speak, no offline use where connectivity is poor, a cost above the budget). `docs/matching.md`
//! explains each part and measures the whole on a judged set of challenges.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use tantivy::DocAddress;
use tantivy::schema::Value;
use uuid::Uuid;

use banyan_domain::details::{Challenge, Details};
use banyan_domain::vocab::{Availability, Connectivity, PricingModel, Seeking, Stage};
use banyan_domain::{Cofog, CountryCode, Kind, Record, Sdg};

use crate::Result;
use crate::highlight::Highlighter;
use crate::index::SearchIndex;
use crate::schema::Facet;
use crate::similar::{VocabTerm, distinctive_terms, most_specific, region_size, top_by_terms, top_by_vocabulary};

/// The weights of the parts of the score. They add up to 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Weights {
    pub text: f32,
    pub sdg: f32,
    pub sector: f32,
    pub place: f32,
    pub level: f32,
    pub maturity: f32,
    pub constraints: f32,
    pub availability: f32,
    /// What a broken hard constraint multiplies the score by.
    pub hard_penalty: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            text: 0.36,
            sdg: 0.12,
            sector: 0.12,
            place: 0.12,
            level: 0.04,
            maturity: 0.12,
            constraints: 0.08,
            availability: 0.04,
            hard_penalty: 0.5,
        }
    }
}

impl Weights {
    /// The same weights without one part (for measuring what each part is worth), the others
    /// scaled up to add up to 1 again.
    pub fn without(self, part: &str) -> Weights {
        let mut w = self;
        match part {
            "text" => w.text = 0.0,
            "sdg" => w.sdg = 0.0,
            "sector" => w.sector = 0.0,
            "place" => w.place = 0.0,
            "level" => w.level = 0.0,
            "maturity" => w.maturity = 0.0,
            "constraints" => {
                w.constraints = 0.0;
                w.hard_penalty = 1.0;
            }
            "availability" => w.availability = 0.0,
            _ => {}
        }
        let sum = w.text + w.sdg + w.sector + w.place + w.level + w.maturity + w.constraints + w.availability;
        if sum > 0.0 {
            for x in [
                &mut w.text,
                &mut w.sdg,
                &mut w.sector,
                &mut w.place,
                &mut w.level,
                &mut w.maturity,
                &mut w.constraints,
                &mut w.availability,
            ] {
                *x /= sum;
            }
        }
        w
    }

    /// The parts, by name, for [`Weights::without`].
    pub const PARTS: [&'static str; 8] =
        ["text", "sdg", "sector", "place", "level", "maturity", "constraints", "availability"];
}

/// Why a record fits, one part of the score at a time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// `text`, `sdg`, `sector`, `place`, `level`, `maturity`, `evidence`, `language`,
    /// `connectivity`, `budget`, `availability`; `unmet` for a broken hard constraint.
    pub code: &'static str,
    pub text: String,
}

/// How well one offer fits one challenge.
#[derive(Debug, Clone, Serialize)]
pub struct Fit {
    /// 0..1.
    pub score: f32,
    /// Each part in 0..1, before weighting.
    pub parts: HashMap<&'static str, f32>,
    pub reasons: Vec<Reason>,
}

/// A record found by text or vocabulary, with its text relevance (0..1 among the candidates).
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: Uuid,
    pub text: f32,
}

/// The candidates for a record, and the words they were found by.
#[derive(Debug, Clone)]
pub struct Found {
    pub candidates: Vec<Candidate>,
    /// The probe's distinctive terms, as (plain, folded, weight).
    pub terms: std::sync::Arc<Vec<(String, String, f32)>>,
}

/// How many candidates each of text and vocabulary overlap brings.
const CANDIDATES: usize = 80;

/// Records of `kinds` that share words or vocabulary with `record` (a challenge, or a solution
/// looking for challenges), best text relevance first.
pub fn candidates(index: &SearchIndex, record: &Record, kinds: &[Kind]) -> Result<Found> {
    let searcher = index.searcher();
    let c = &record.content;
    let text = c.long_text();
    let terms = distinctive_terms(index, &searcher, &c.title, &text, 30)?;
    let kinds: Vec<String> = kinds.iter().map(|k| k.code().to_string()).collect();
    let text_scores: HashMap<DocAddress, f32> =
        top_by_terms(index, &searcher, &terms, Some(record.id.0), &kinds, CANDIDATES)?
            .into_iter()
            .map(|(s, a)| (a, s))
            .collect();
    let goals: BTreeSet<String> = c.sdgs.iter().map(|s| s.goal().code().to_string()).collect();
    let divisions: BTreeSet<String> = c.sectors.iter().map(|s| s.division().code().to_string()).collect();
    let countries: BTreeSet<String> = c.places.iter().map(|p| p.country().code().to_string()).collect();
    let mut vocab: Vec<VocabTerm> = Vec::new();
    for (facet, values, weight) in
        [(Facet::Sdg, &goals, 1.0f32), (Facet::Sector, &divisions, 1.0), (Facet::Country, &countries, 0.7)]
    {
        vocab.extend(values.iter().map(|v| (facet, v.clone(), weight)));
    }
    let mut all: Vec<DocAddress> = text_scores.keys().copied().collect();
    for addr in top_by_vocabulary(index, &searcher, &vocab, Some(record.id.0), &kinds, CANDIDATES)? {
        if !text_scores.contains_key(&addr) {
            all.push(addr);
        }
    }
    let max = text_scores.values().copied().fold(0.0f32, f32::max).max(f32::EPSILON);
    let ids = index.ids_at(&searcher, &all)?;
    let mut out: Vec<Candidate> = all
        .iter()
        .zip(ids)
        .map(|(addr, id)| Candidate { id, text: text_scores.get(addr).copied().unwrap_or(0.0) / max })
        .collect();
    out.sort_by(|a, b| b.text.total_cmp(&a.text));
    Ok(Found { candidates: out, terms })
}

/// The first few of `terms` that each record of `ids` holds, in its title, summary or text
/// (the words a match is said to share). Reading a record's text for them costs more than
/// finding it, so only the matches shown are read.
pub fn shared_words(
    index: &SearchIndex,
    terms: &[(String, String, f32)],
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<String>>> {
    let searcher = index.searcher();
    let f = index.fields();
    let mut highlighter =
        Highlighter::new(terms.iter().map(|t| t.0.clone()).collect(), terms.iter().map(|t| t.1.clone()).collect());
    let mut out = HashMap::with_capacity(ids.len());
    for id in ids {
        let Some((_, doc)) = index.doc_by_id(&searcher, *id)? else { continue };
        let (_, display) = index.identity(&doc)?;
        let body = doc.get_first(f.body).and_then(|v| v.as_str()).unwrap_or("");
        let words =
            highlighter.shared_words(&[display.title.as_str(), display.summary.as_deref().unwrap_or(""), body], 5);
        out.insert(*id, words);
    }
    Ok(out)
}

/// A record that fits, and how well.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub record: Record,
    pub fit: Fit,
}

/// The public records of `kinds` that best fit `record`, best first: candidates from the index,
/// read from the store, scored with [`fit`] (the challenge always on the left).
pub async fn rank(
    index: std::sync::Arc<SearchIndex>,
    store: &dyn banyan_store::Store,
    record: &Record,
    kinds: &[Kind],
    weights: &Weights,
    limit: usize,
) -> Result<Vec<Ranked>> {
    let probe = record.clone();
    let kinds_owned = kinds.to_vec();
    let Found { candidates: found, terms } = index.read(move |index| candidates(index, &probe, &kinds_owned)).await?;
    let ids: Vec<banyan_domain::RecordId> = found.iter().map(|c| banyan_domain::RecordId(c.id)).collect();
    let records: HashMap<Uuid, Record> = store
        .records_by_id(&ids)
        .await?
        .into_iter()
        .filter_map(|s| match s {
            banyan_store::RecordState::Live(r) if r.is_public() => Some((r.id.0, r)),
            _ => None,
        })
        .collect();
    let mut ranked: Vec<(f32, Ranked)> = Vec::with_capacity(found.len());
    for c in &found {
        let Some(other) = records.get(&c.id) else { continue };
        // A solution is offered only challenges that still look for one.
        if let Details::Challenge(ch) = &other.content.details
            && ch.state.is_some_and(|s| !s.is_open())
        {
            continue;
        }
        let f = fit_either(record, other, c.text, &[], weights);
        ranked.push((c.text, Ranked { record: other.clone(), fit: f }));
    }
    ranked
        .sort_by(|(_, a), (_, b)| b.fit.score.total_cmp(&a.fit.score).then_with(|| a.record.id.0.cmp(&b.record.id.0)));
    ranked.truncate(limit);
    // The words shared are a reason, never part of the score: read only for the matches kept.
    let shown: Vec<Uuid> = ranked.iter().filter(|(text, _)| *text > 0.0).map(|(_, r)| r.record.id.0).collect();
    let words = if shown.is_empty() {
        HashMap::new()
    } else {
        index.read(move |index| shared_words(index, &terms, &shown)).await?
    };
    Ok(ranked
        .into_iter()
        .map(|(text, mut r)| {
            if let Some(w) = words.get(&r.record.id.0).filter(|w| !w.is_empty()) {
                r.fit = fit_either(record, &r.record, text, w, weights);
            }
            r
        })
        .collect())
}

/// [`fit`] with the challenge on the left, whichever of the two `record` is.
fn fit_either(record: &Record, other: &Record, text: f32, words: &[String], weights: &Weights) -> Fit {
    if record.kind() == Kind::Challenge {
        fit(record, other, text, words, weights)
    } else {
        fit(other, record, text, words, weights)
    }
}

fn challenge_of(r: &Record) -> Option<&Challenge> {
    match &r.content.details {
        Details::Challenge(c) => Some(c),
        _ => None,
    }
}

/// How well `offer` (a practice or a solution) fits `challenge`, given the text relevance of
/// one to the other (0..1) and the words they share.
pub fn fit(challenge: &Record, offer: &Record, text: f32, words: &[String], w: &Weights) -> Fit {
    let need = &challenge.content;
    let has = &offer.content;
    let mut reasons = Vec::new();
    let mut parts: HashMap<&'static str, f32> = HashMap::new();

    if text > 0.0 && !words.is_empty() {
        reasons.push(Reason { code: "text", text: format!("shares the words: {}", words.join(", ")) });
    }
    parts.insert("text", text.clamp(0.0, 1.0));

    // SDGs: the same target counts fully, the same goal by half.
    let targets = |s: &[Sdg]| s.iter().filter(|x| x.is_target()).map(|x| x.code().to_string()).collect::<BTreeSet<_>>();
    let goals = |s: &[Sdg]| s.iter().map(|x| x.goal().code().to_string()).collect::<BTreeSet<_>>();
    let (nt, ot, ng, og) = (targets(&need.sdgs), targets(&has.sdgs), goals(&need.sdgs), goals(&has.sdgs));
    let sdg = if let Some(t) = nt.intersection(&ot).next() {
        reasons.push(Reason { code: "sdg", text: format!("SDG {t}") });
        1.0
    } else if let Some(g) = ng.intersection(&og).next() {
        let title = Sdg::parse(g).map(|s| s.title().to_string()).unwrap_or_default();
        reasons.push(Reason { code: "sdg", text: format!("SDG {g}: {title}") });
        0.5
    } else {
        0.0
    };
    parts.insert("sdg", sdg);

    // Sectors: the same COFOG group fully; the same division, which is broad ("Health"), by 0.3.
    let groups = |s: &[Cofog]| s.iter().filter(|c| !c.is_division()).map(|c| c.code()).collect::<BTreeSet<_>>();
    let divisions = |s: &[Cofog]| s.iter().map(|c| c.division().code()).collect::<BTreeSet<_>>();
    let sector = if let Some(g) = groups(&need.sectors).intersection(&groups(&has.sectors)).next() {
        let name = Cofog::parse(g).map(|c| c.name().to_lowercase()).unwrap_or_default();
        reasons.push(Reason { code: "sector", text: format!("same sector: {name}") });
        1.0
    } else if let Some(d) = divisions(&need.sectors).intersection(&divisions(&has.sectors)).next() {
        let name = Cofog::parse(d).map(|c| c.name().to_lowercase()).unwrap_or_default();
        reasons.push(Reason { code: "sector", text: format!("same sector: {name}") });
        0.3
    } else {
        0.0
    };
    parts.insert("sector", sector);

    // Places: where the offer runs (a solution's deployments count too) against where the
    // challenge is: the same district, the same country, the same sub-region.
    let mut offer_places: Vec<banyan_domain::Place> = has.places.clone();
    if let Details::Solution(s) = &has.details {
        offer_places.extend(s.deployments.iter().cloned());
    }
    let need_subs: BTreeSet<&str> = need.places.iter().filter(|p| p.code().contains('-')).map(|p| p.code()).collect();
    let need_countries: BTreeSet<&str> = need.places.iter().map(|p| p.country().code()).collect();
    let offer_countries: BTreeSet<&str> = offer_places.iter().map(|p| p.country().code()).collect();
    let same_sub = offer_places.iter().find(|p| need_subs.contains(p.code()));
    let place = if let Some(p) = same_sub {
        reasons.push(Reason { code: "place", text: format!("same place: {}", p.name()) });
        1.0
    } else if let Some(c) = need_countries.intersection(&offer_countries).next() {
        let in_country = offer_places.iter().filter(|p| p.country().code() == *c && p.code().contains('-')).count();
        let name = CountryCode::parse(c).map(|x| x.name()).unwrap_or(c);
        let text = if in_country > 1 {
            format!("in use in {in_country} places in {name}")
        } else {
            format!("same country: {name}")
        };
        reasons.push(Reason { code: "place", text });
        0.7
    } else {
        let need_regions: BTreeSet<&str> =
            need.places.iter().flat_map(|p| p.country().regions().map(|r| r.code()).collect::<Vec<_>>()).collect();
        let offer_regions: BTreeSet<&str> =
            offer_places.iter().flat_map(|p| p.country().regions().map(|r| r.code()).collect::<Vec<_>>()).collect();
        match most_specific(need_regions.intersection(&offer_regions).copied()) {
            Some(r) if region_size(r.code()) <= 30 => {
                reasons.push(Reason { code: "place", text: format!("same region: {}", r.name()) });
                0.35
            }
            _ => 0.0,
        }
    };
    parts.insert("place", place);

    let level = match (need.level_of_government, has.level_of_government) {
        (Some(a), Some(b)) if a == b => {
            reasons.push(Reason {
                code: "level",
                text: format!("same level of government: {}", a.label().to_lowercase()),
            });
            1.0
        }
        _ => 0.0,
    };
    parts.insert("level", level);

    // Maturity and evidence: how proven the offer is.
    let maturity = match &has.details {
        Details::Practice(p) => {
            let evidence = p.evidence_level.map_or(0.0, |e| f32::from(e.get()) / 5.0);
            let stage = match p.stage {
                Some(Stage::Scaled) => 1.0,
                Some(Stage::Implemented) => 0.7,
                Some(Stage::Pilot) => 0.4,
                _ => 0.2,
            };
            if let Some(e) = p.evidence_level.filter(|e| e.get() >= 2) {
                reasons.push(Reason { code: "evidence", text: format!("evidence level {} of 5", e.get()) });
            }
            if matches!(p.stage, Some(Stage::Scaled)) {
                reasons.push(Reason { code: "maturity", text: "scaled up".into() });
            }
            if p.tcv.as_ref().is_some_and(|t| t.before.visits.is_some() && t.after.visits.is_some()) {
                reasons.push(Reason { code: "evidence", text: "measured time, cost and visits".into() });
            }
            (0.6 * stage + 0.4 * evidence).min(1.0)
        }
        Details::Solution(s) => {
            let trl = s.trl.map_or(0.3, |t| f32::from(t.get()) / 9.0);
            if let Some(t) = s.trl.filter(|t| t.get() >= 7) {
                reasons.push(Reason { code: "maturity", text: format!("technology readiness {} of 9", t.get()) });
            }
            let deployed = offer_countries.len();
            if deployed >= 3 {
                reasons.push(Reason { code: "maturity", text: format!("deployed in {deployed} countries") });
            }
            let registry = has.source.as_ref().and_then(|s| s.status.as_deref()) == Some("DPG");
            if registry {
                reasons.push(Reason { code: "maturity", text: "a recognised digital public good".into() });
            }
            (0.6 * trl + 0.25 * (deployed.min(10) as f32 / 10.0) + if registry { 0.15 } else { 0.0 }).min(1.0)
        }
        _ => 0.0,
    };
    parts.insert("maturity", maturity);

    // Constraints: language, connectivity and budget. Each known to be met adds; each known to
    // be broken halves the whole score; unknown is neutral.
    let mut met = Vec::new();
    let mut broken = 0;
    if let Some(c) = challenge_of(challenge) {
        let k = &c.constraints;
        if let Details::Solution(s) = &has.details {
            if !k.languages.is_empty() && !s.languages.is_empty() {
                let speaks: Vec<&str> = k
                    .languages
                    .iter()
                    .filter(|l| s.languages.iter().any(|x| x.primary() == l.primary()))
                    .map(|l| l.language_name())
                    .collect();
                if speaks.is_empty() {
                    let wanted: Vec<&str> = k.languages.iter().map(|l| l.language_name()).collect();
                    reasons.push(Reason { code: "unmet", text: format!("not available in {}", wanted.join(" or ")) });
                    broken += 1;
                } else {
                    reasons.push(Reason { code: "language", text: format!("available in {}", speaks.join(", ")) });
                    met.push(1.0);
                }
            }
            if matches!(
                k.connectivity,
                Some(Connectivity::Offline | Connectivity::Intermittent | Connectivity::LowBandwidth)
            ) {
                match s.works_offline {
                    Some(true) => {
                        reasons.push(Reason { code: "connectivity", text: "works offline".into() });
                        met.push(1.0);
                    }
                    Some(false) => {
                        reasons.push(Reason {
                            code: "unmet",
                            text: "needs a connection; the challenge has poor connectivity".into(),
                        });
                        broken += 1;
                    }
                    None => {}
                }
            }
            if k.budget.is_some() && matches!(s.pricing_model, Some(PricingModel::Free | PricingModel::OpenSource)) {
                reasons.push(Reason { code: "budget", text: "free to use: within budget".into() });
                met.push(1.0);
            }
        }
        if let (Details::Practice(p), Some(budget)) = (&has.details, &k.budget)
            && let (Some(cost), Some(max)) = (&p.cost_to_implement, budget.max)
            && cost.currency == budget.currency
        {
            if cost.amount <= max {
                reasons.push(Reason {
                    code: "budget",
                    text: format!("cost within budget ({} {})", cost.amount, cost.currency),
                });
                met.push(1.0);
            } else {
                reasons.push(Reason {
                    code: "unmet",
                    text: format!("costs {} {}, over the budget", cost.amount, cost.currency),
                });
                broken += 1;
            }
        }
    }
    let constraints = if met.is_empty() { 0.5 } else { 1.0 };
    parts.insert("constraints", constraints);

    // Availability: what the challenge seeks, and whether the offer can be taken up.
    let seeking = challenge_of(challenge).and_then(|c| c.seeking);
    let wanted_kind = match (seeking, offer.kind()) {
        (Some(Seeking::Practices), Kind::Solution) | (Some(Seeking::Solutions), Kind::Practice) => 0.0,
        _ => 1.0,
    };
    let open = match &has.details {
        Details::Solution(s) => match s.availability {
            // What the provider says comes first.
            Some(Availability::OpenToPilots) => {
                reasons.push(Reason { code: "availability", text: "open to new pilots".into() });
                1.0
            }
            Some(Availability::Limited) => {
                reasons.push(Reason { code: "availability", text: "limited capacity for new clients".into() });
                0.5
            }
            Some(Availability::NotAvailable) => {
                reasons.push(Reason { code: "availability", text: "not taking new clients".into() });
                0.0
            }
            None if s.open_source_license.is_some() || matches!(s.pricing_model, Some(PricingModel::OpenSource)) => {
                reasons.push(Reason { code: "availability", text: "open source: anyone may adopt it".into() });
                1.0
            }
            None => 0.6,
        },
        _ => 0.8,
    };
    let availability = wanted_kind * open;
    parts.insert("availability", availability);

    let mut score = w.text * parts["text"]
        + w.sdg * sdg
        + w.sector * sector
        + w.place * place
        + w.level * level
        + w.maturity * maturity
        + w.constraints * constraints
        + w.availability * availability;
    for _ in 0..broken {
        score *= w.hard_penalty;
    }
    // Without shared words or vocabulary nothing is a match, however proven.
    if text <= 0.05 && sdg == 0.0 && sector == 0.0 {
        score *= 0.3;
    }
    Fit { score: (score.clamp(0.0, 1.0) * 1000.0).round() / 1000.0, parts, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;
    use banyan_domain::record::InputMode;
    use banyan_domain::{RecordId, RecordInput};
    use serde_json::json;

    fn record(v: serde_json::Value) -> Record {
        let input = RecordInput::from_json(&v, InputMode::Create).unwrap();
        let now = chrono::Utc::now();
        Record {
            id: RecordId::new(),
            slug: banyan_domain::Slug::from_title(&input.content.title, "r"),
            uri: "https://banyan.test/r".into(),
            origin: Default::default(),
            version: 1,
            content: input.content,
            owner: None,
            derived_from: None,
            created_at: now,
            updated_at: now,
            published_at: None,
        }
    }

    fn challenge() -> Record {
        record(
            json!({"kind": "challenge", "title": "Clinic queues", "lang": "en", "sdgs": ["3.8"], "sectors": ["07.3"],
            "places": ["BD-63"], "level_of_government": "district",
            "details": {"problem": "Patients wait all day.", "seeking": "both",
                        "constraints": {"languages": ["bn"], "connectivity": "intermittent", "budget": {"max": 10000, "currency": "USD"}}}}),
        )
    }

    #[test]
    fn each_part_counts_and_the_reasons_say_why() {
        let w = Weights::default();
        let c = challenge();
        let good = record(
            json!({"kind": "solution", "title": "QueueCare", "lang": "en", "sdgs": ["3.8"], "sectors": ["07.3"],
            "places": ["BD"], "level_of_government": "district",
            "details": {"what_it_does": "Queues by SMS.", "trl": 9, "languages": ["bn", "en"], "works_offline": true,
                        "pricing_model": "open_source", "deployments": ["BD-63", "BD-13", "TH"]}}),
        );
        let f = fit(&c, &good, 0.8, &["queue".into()], &w);
        let codes: Vec<&str> = f.reasons.iter().map(|r| r.code).collect();
        for code in [
            "text",
            "sdg",
            "sector",
            "place",
            "level",
            "maturity",
            "language",
            "connectivity",
            "budget",
            "availability",
        ] {
            assert!(codes.contains(&code), "{code} in {codes:?}");
        }
        assert!(f.reasons.iter().any(|r| r.text == "same place: Tangail"), "{:?}", f.reasons);
        assert!(f.score > 0.8 && f.score <= 1.0, "{}", f.score);

        // The same solution without Bengali and needing a connection breaks two hard constraints.
        let bad = record(
            json!({"kind": "solution", "title": "QueueCare", "lang": "en", "sdgs": ["3.8"], "sectors": ["07.3"],
            "places": ["BD"], "level_of_government": "district",
            "details": {"what_it_does": "Queues by SMS.", "trl": 9, "languages": ["en"], "works_offline": false}}),
        );
        let g = fit(&c, &bad, 0.8, &["queue".into()], &w);
        assert!(g.score < f.score * 0.3, "{} vs {}", g.score, f.score);
        assert_eq!(g.reasons.iter().filter(|r| r.code == "unmet").count(), 2);
    }

    #[test]
    fn what_the_provider_says_about_availability_counts() {
        let w = Weights::default();
        let c = challenge();
        let with = |a: &str| {
            let r = record(
                json!({"kind": "solution", "title": "S", "lang": "en", "details": {"what_it_does": "x", "availability": a}}),
            );
            fit(&c, &r, 0.5, &[], &w)
        };
        let (open, limited, closed) = (with("open_to_pilots"), with("limited"), with("not_available"));
        assert_eq!(open.parts["availability"], 1.0);
        assert_eq!(limited.parts["availability"], 0.5);
        assert_eq!(closed.parts["availability"], 0.0);
        assert!(open.score > limited.score && limited.score > closed.score);
        assert!(closed.reasons.iter().any(|r| r.text == "not taking new clients"));
    }

    #[test]
    fn targets_beat_goals_and_districts_beat_countries() {
        let w = Weights::default();
        let c = challenge();
        let by = |sdg: &str, place: &str| {
            let r = record(json!({"kind": "practice", "title": "P", "lang": "en", "sdgs": [sdg], "places": [place],
                "details": {"problem": "p", "solution": "s"}}));
            fit(&c, &r, 0.0, &[], &w).parts.clone()
        };
        assert_eq!(by("3.8", "BD")["sdg"], 1.0);
        assert_eq!(by("3.1", "BD")["sdg"], 0.5);
        assert_eq!(by("16.6", "BD")["sdg"], 0.0);
        assert_eq!(by("3.8", "BD-63")["place"], 1.0);
        assert_eq!(by("3.8", "BD")["place"], 0.7);
        assert_eq!(by("3.8", "IN")["place"], 0.35, "Southern Asia");
        assert_eq!(by("3.8", "FR")["place"], 0.0);
    }

    #[test]
    fn weights_add_up_and_ablation_keeps_them_adding_up() {
        let w = Weights::default();
        let sum =
            |w: Weights| w.text + w.sdg + w.sector + w.place + w.level + w.maturity + w.constraints + w.availability;
        assert!((sum(w) - 1.0).abs() < 1e-6);
        for part in Weights::PARTS {
            assert!((sum(w.without(part)) - 1.0).abs() < 1e-6, "{part}");
        }
        assert_eq!(w.without("text").text, 0.0);
    }
}
