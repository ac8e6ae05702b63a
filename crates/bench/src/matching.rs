//! `banyan bench matching`: how good matching is, on a judged set of challenges written by the
//! team (`crates/bench/eval/matching.json`) against the real imported registries and the demo
//! content. Reports precision at 5 and nDCG at 10, and the same with each part of the score left
//! out (ablation), to `docs/matching.md`.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use banyan_domain::record::InputMode;
use banyan_domain::{Kind, Record, RecordId, RecordInput};
use banyan_import::{ApplyOptions, Quiet, Report};
use banyan_search::matching::{Weights, rank};
use banyan_store::{Actor, RecordQuery, Store, Visibility};

/// The judged set, compiled in.
pub const JUDGED: &str = include_str!("../eval/matching.json");

#[derive(Debug, Clone, Deserialize)]
pub struct JudgedSet {
    pub challenges: Vec<Judged>,
}

/// A challenge and the records a careful officer would consider for it.
#[derive(Debug, Clone, Deserialize)]
pub struct Judged {
    pub title: String,
    pub problem: String,
    pub desired_outcomes: String,
    #[serde(default)]
    pub sdgs: Vec<String>,
    #[serde(default)]
    pub sectors: Vec<String>,
    #[serde(default)]
    pub places: Vec<String>,
    pub level: Option<String>,
    pub seeking: Option<String>,
    #[serde(default)]
    pub constraints: Option<Value>,
    /// `(reference, grade)`: `dpg:<file>`, `ips-explorer:<case>` or `demo:<original title>`;
    /// grade 2 would be shortlisted, 1 is useful.
    pub relevant: Vec<(String, u8)>,
}

pub fn judged_set() -> Result<JudgedSet> {
    serde_json::from_str(JUDGED).context("crates/bench/eval/matching.json is a judged set")
}

impl Judged {
    /// The challenge as a record (validated like any other, never stored).
    pub fn record(&self) -> Result<Record> {
        let mut details = json!({"problem": self.problem, "desired_outcomes": self.desired_outcomes});
        if let Some(s) = &self.seeking {
            details["seeking"] = json!(s);
        }
        if let Some(c) = &self.constraints {
            details["constraints"] = c.clone();
        }
        let v = json!({
            "kind": "challenge", "title": self.title, "lang": "en", "sdgs": self.sdgs, "sectors": self.sectors,
            "places": self.places, "level_of_government": self.level, "status": "published", "details": details,
        });
        let input = RecordInput::from_json(&v, InputMode::Create)
            .map_err(|e| anyhow::anyhow!("judged challenge {:?}: {e}", self.title))?;
        let now = chrono::Utc::now();
        Ok(Record {
            id: RecordId::new(),
            slug: banyan_domain::Slug::from_title(&self.title, "challenge"),
            uri: format!("https://banyan.test/challenges/{}", Uuid::now_v7()),
            origin: Default::default(),
            version: 1,
            content: input.content,
            owner: None,
            derived_from: None,
            created_at: now,
            updated_at: now,
            published_at: Some(now),
        })
    }
}

/// The registries and the demo content, in a throw-away SQLite database, indexed.
pub struct Corpus {
    pub store: Arc<dyn Store>,
    pub indexer: Arc<banyan_search::Indexer>,
    /// Reference → record id and kind.
    pub refs: HashMap<String, (Uuid, Kind)>,
    _dir: tempfile::TempDir,
}

impl Corpus {
    /// Loads the DPG registry and the IPS explorer from `data` (`../shared/data`) and the demo
    /// content.
    pub async fn load(data: &Path) -> Result<Corpus> {
        let dir = tempfile::tempdir()?;
        let store: Arc<dyn Store> = Arc::new(banyan_store_sqlite::open(dir.path()).await?);
        banyan_import::demo::load(store.as_ref(), "https://banyan.test").await?;
        for (registry, items) in [
            (
                banyan_import::dpg::REGISTRY,
                banyan_import::dpg::read(
                    &data.join("dpg-publicgoods-candidates"),
                    &mut Report::new(banyan_import::dpg::REGISTRY, false),
                )?,
            ),
            (
                banyan_import::ips::REGISTRY,
                banyan_import::ips::read(
                    &data.join("ips-explorer/cases.json"),
                    &mut Report::new(banyan_import::ips::REGISTRY, false),
                )?,
            ),
        ] {
            let options =
                ApplyOptions { dry_run: false, base_url: "https://banyan.test", actor: Actor::importer(registry) };
            banyan_import::apply(store.as_ref(), items, &options, &Quiet, &mut Report::new(registry, false)).await?;
        }
        let indexer = banyan_search::indexer::open_current(&dir.path().join("index"), Arc::clone(&store)).await?;
        indexer.catch_up().await?;
        let mut refs = HashMap::new();
        let mut cursor = None;
        loop {
            let page = store
                .list_records(&RecordQuery { visibility: Visibility::Public, limit: 500, cursor, ..Default::default() })
                .await?;
            for r in &page.items {
                let key = match &r.content.source {
                    Some(s) => format!("{}:{}", s.registry, s.key),
                    None => format!("demo:{}", r.content.title),
                };
                refs.insert(key, (r.id.0, r.kind()));
            }
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        Ok(Corpus { store, indexer, refs, _dir: dir })
    }
}

/// Precision at 5 and nDCG at 10, per challenge and on average.
#[derive(Debug, Clone)]
pub struct Scores {
    pub p5: f64,
    pub ndcg10: f64,
    pub per_challenge: Vec<(String, f64, f64)>,
}

fn dcg(gains: impl Iterator<Item = u8>) -> f64 {
    gains.enumerate().map(|(i, g)| (2f64.powi(i32::from(g)) - 1.0) / ((i + 2) as f64).log2()).sum()
}

/// Runs every challenge of `set` with `weights` and scores the rankings against the judgments.
pub async fn evaluate(corpus: &Corpus, set: &[Judged], weights: &Weights) -> Result<Scores> {
    let mut per = Vec::new();
    for j in set {
        let mut grades: HashMap<Uuid, u8> = HashMap::new();
        for (reference, grade) in &j.relevant {
            let Some((id, kind)) = corpus.refs.get(reference) else {
                bail!("{:?} judges {reference:?}, which is not in the corpus", j.title);
            };
            if !matches!(kind, Kind::Practice | Kind::Solution) {
                bail!("{:?} judges {reference:?}, a {}: matching offers practices and solutions", j.title, kind.code());
            }
            grades.insert(*id, *grade);
        }
        let challenge = j.record()?;
        let index = Arc::clone(corpus.indexer.index());
        let ranked =
            rank(index, corpus.store.as_ref(), &challenge, &[Kind::Practice, Kind::Solution], weights, 10).await?;
        let got: Vec<u8> = ranked.iter().map(|r| grades.get(&r.record.id.0).copied().unwrap_or(0)).collect();
        let p5 = got.iter().take(5).filter(|g| **g > 0).count() as f64 / 5.0;
        let mut ideal: Vec<u8> = grades.values().copied().collect();
        ideal.sort_unstable_by(|a, b| b.cmp(a));
        let idcg = dcg(ideal.into_iter().take(10));
        let ndcg = if idcg > 0.0 { dcg(got.into_iter()) / idcg } else { 0.0 };
        per.push((j.title.clone(), p5, ndcg));
    }
    let n = per.len().max(1) as f64;
    Ok(Scores {
        p5: per.iter().map(|p| p.1).sum::<f64>() / n,
        ndcg10: per.iter().map(|p| p.2).sum::<f64>() / n,
        per_challenge: per,
    })
}

/// The full evaluation with ablation, as Markdown for `docs/matching.md`.
pub async fn report(data: &Path) -> Result<String> {
    let set = judged_set()?;
    let corpus = Corpus::load(data).await?;
    let full = evaluate(&corpus, &set.challenges, &Weights::default()).await?;
    let mut ablation: BTreeMap<usize, (String, Scores)> = BTreeMap::new();
    for (i, part) in Weights::PARTS.iter().enumerate() {
        let s = evaluate(&corpus, &set.challenges, &Weights::default().without(part)).await?;
        ablation.insert(i, (part.to_string(), s));
    }
    let w = Weights::default();
    let judged: usize = set.challenges.iter().map(|c| c.relevant.len()).sum();
    let mut md = String::new();
    writeln!(md, "# Matching: how it scores, and how well it does\n")?;
    writeln!(
        md,
        "Written by `banyan bench matching` (crates/bench/src/matching.rs); do not edit by hand. \
         The tables below are measured on {} challenges written by the Banyan team \
         (`crates/bench/eval/matching.json`), with {judged} judgments of the practices and solutions a careful officer \
         would shortlist (grade 2) or find useful (grade 1), among {} public records: the Digital Public Goods \
         registry, the Innovative Public Services explorer and the demo content.\n",
        set.challenges.len(),
        corpus.refs.len()
    )?;
    writeln!(md, "## The score\n")?;
    writeln!(
        md,
        "For a challenge, candidates are the practices and solutions that share its most distinctive words \
         (its 30 words of highest tf-idf, leaving out words in more than 40% of the records and the little words \
         of English, Malay and Indonesian, and Vietnamese; BM25 over one field holding all of a record's texts: \
         titles, summaries, keywords, bodies and translations) or its vocabulary (SDG goals, COFOG divisions, countries). \
         Each candidate is scored from the two records:\n"
    )?;
    writeln!(md, "| Part | Weight | 1 when … (partial values) |\n|---|---:|---|")?;
    for (part, weight, what) in [
        ("text", w.text, "its text relevance is the best among the candidates (relative BM25)"),
        ("sdg", w.sdg, "they share an SDG target (0.5 for the same goal only)"),
        (
            "sector",
            w.sector,
            "they share a COFOG group (0.3 for the same division only: a division such as Health is broad)",
        ),
        (
            "place",
            w.place,
            "it runs in the same district (0.7 same country, 0.35 same sub-region); a solution's deployments count",
        ),
        ("level", w.level, "it is at the same level of government"),
        (
            "maturity",
            w.maturity,
            "a practice is scaled (0.7 implemented, 0.4 pilot) with evidence level 5 (60/40); a solution has TRL 9, deployments in 10 countries and is a recognised DPG (60/25/15)",
        ),
        (
            "constraints",
            w.constraints,
            "a language, connectivity or budget constraint of the challenge is known to be met (0.5 when nothing is known)",
        ),
        (
            "availability",
            w.availability,
            "it is of the kind the challenge seeks and its provider is open to new pilots, or it is open source (0.5 limited capacity, 0 not taking clients; 0.8 a practice, 0.6 a solution that says nothing; 0 the wrong kind)",
        ),
    ] {
        writeln!(md, "| {part} | {weight:.2} | {what} |")?;
    }
    writeln!(
        md,
        "\nThen the score is multiplied by {:.1} for each hard constraint the offer is known to break (a language \
         of the challenge it does not support, no offline use where connectivity is poor, a cost over the budget), and \
         by 0.3 when it shares neither words nor SDGs nor sectors. Every part that contributes gives a reason in words \
         (\"SDG 3.8\", \"same place: Tangail\", \"works offline\", \"not available in Bengali\").\n",
        w.hard_penalty
    )?;
    writeln!(md, "## Results\n")?;
    writeln!(md, "| Score | Precision@5 | nDCG@10 |\n|---|---:|---:|")?;
    writeln!(md, "| all parts | {:.3} | {:.3} |", full.p5, full.ndcg10)?;
    for (part, s) in ablation.values() {
        writeln!(
            md,
            "| without {part} | {:.3} ({:+.3}) | {:.3} ({:+.3}) |",
            s.p5,
            s.p5 - full.p5,
            s.ndcg10,
            s.ndcg10 - full.ndcg10
        )?;
    }
    writeln!(
        md,
        "\nA part whose removal lowers the figures earns its weight on this set; one whose removal changes nothing \
         is not exercised by it (most judged challenges state no constraints). The set is small and written by the \
         people who wrote the scorer: read the figures as a regression guard and a comparison between variants, not as \
         a claim about other data. CI re-runs the first ten challenges (`crates/bench/tests/matching.rs`) and fails \
         if precision@5 or nDCG@10 falls below the floors set there.\n"
    )?;
    writeln!(md, "## Per challenge\n\n| Challenge | P@5 | nDCG@10 |\n|---|---:|---:|")?;
    for (title, p5, ndcg) in &full.per_challenge {
        writeln!(md, "| {title} | {p5:.2} | {ndcg:.2} |")?;
    }
    Ok(md)
}
