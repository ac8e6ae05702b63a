//! Trains Banyan's SDG model and reports how well it does.
//!
//! ```text
//! cargo run -p sdgtrain --release -- [--data DIR] [--out FILE] [--report FILE] [--folds N]
//! ```
//!
//! Reads `osdg/sdg_benchmark_references.csv` from the shared data folder (the part of the SDG
//! Classification Benchmark released for building classifiers; the rest is held out elsewhere
//! and is never read here) and the official goal and target texts compiled into
//! `banyan-domain`. Writes the model to `crates/classify/model/sdg.bin` and a report of
//! cross-validated precision, recall and F1 per goal — beside the published scores of other
//! classifiers in `osdg/published_classifier_stats/` — to `docs/sdg-classifier.md` (and `.json`).
//!
//! Training is deterministic: the same data gives the same file.

mod lbfgs;
mod train;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail, ensure};
use serde_json::json;
use sha2::{Digest, Sha256};

use banyan_classify::features::{Sparse, Vectorizer};
use banyan_classify::model::{EVIDENCE, GOALS, Linear, Model, STACKED, evidence, softmax};
use banyan_classify::{Classifier, goal_texts};
use banyan_domain::Sdg;

use train::Matrix;

/// How strongly each part is fitted (scikit-learn's `C`: larger means less regularisation).
#[derive(Debug, Clone, Copy, serde::Serialize)]
struct Params {
    topic_c: f64,
    goal_c: f64,
    stack_c: f64,
    /// The weight of another goal's official text as a negative example for a goal.
    other_goal_text_weight: f64,
    inner_folds: usize,
    /// Features must be in at least this many training documents.
    min_df: u32,
    /// Weights below this share of their goal's largest are dropped from the file.
    prune: f32,
}

const PARAMS: Params = Params {
    topic_c: 10.0,
    goal_c: 10.0,
    stack_c: 1.0,
    other_goal_text_weight: 0.05,
    inner_folds: 5,
    min_df: 2,
    prune: 0.01,
};
const SEED: u64 = 1;

/// One expert judgement: does text `text` address goal `goal` (0-based)?
#[derive(Debug, Clone, Copy)]
struct Example {
    text: usize,
    goal: usize,
    label: bool,
}

struct Data {
    texts: Vec<String>,
    examples: Vec<Example>,
    /// Official goal and target texts, each with its goal.
    official: Vec<(String, usize)>,
    sha256: String,
}

fn main() -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut data_dir = root.join("../shared/data");
    let mut out = root.join("crates/classify/model/sdg.bin");
    let mut report = root.join("docs/sdg-classifier.md");
    let mut folds = 5usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--data" => data_dir = PathBuf::from(args.next().context("--data needs a folder")?),
            "--out" => out = PathBuf::from(args.next().context("--out needs a file")?),
            "--report" => report = PathBuf::from(args.next().context("--report needs a file")?),
            "--folds" => folds = args.next().context("--folds needs a number")?.parse().context("--folds")?,
            other => bail!(
                "unknown argument {other:?}; usage: sdgtrain [--data DIR] [--out FILE] [--report FILE] [--folds N]"
            ),
        }
    }
    ensure!(folds >= 2, "--folds must be at least 2");
    let data = load(&data_dir.join("osdg/sdg_benchmark_references.csv"))?;
    eprintln!(
        "{} judgements of {} texts; {} official goal and target texts",
        data.examples.len(),
        data.texts.len(),
        data.official.len()
    );

    let started = Instant::now();
    let all: Vec<usize> = (0..data.examples.len()).collect();
    let outer = split(&data, &all, folds, SEED);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut oof = vec![0.0f32; data.examples.len()];
    for chunk in outer.chunks(threads) {
        let results: Vec<Vec<(usize, f32)>> = std::thread::scope(|s| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|(train, test)| {
                    let data = &data;
                    s.spawn(move || {
                        // Scored as it would ship: pruned, written and read back.
                        let model = shippable(fit(data, train, PARAMS, ""));
                        test.iter()
                            .map(|&e| {
                                let ex = data.examples[e];
                                (e, model.probabilities(&data.texts[ex.text])[ex.goal])
                            })
                            .collect()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("a training thread")).collect()
        });
        for (e, p) in results.into_iter().flatten() {
            oof[e] = p;
        }
    }
    let cv_seconds = started.elapsed().as_secs_f64();
    let scores = Scores::of(&data, &oof, 0.5);
    eprintln!("cross-validated macro F1 {:.3} ({folds} folds, {cv_seconds:.0} s)", scores.macro_f1());

    let started = Instant::now();
    let metadata = json!({
        "data": "osdg/sdg_benchmark_references.csv",
        "sha256": data.sha256,
        "judgements": data.examples.len(),
        "cross_validated_macro_f1": round(scores.macro_f1()),
        "params": PARAMS,
    })
    .to_string();
    let mut model = fit(&data, &all, PARAMS, &metadata);
    model.prune(PARAMS.prune);
    let train_seconds = started.elapsed().as_secs_f64();
    let bytes = model.to_bytes();
    std::fs::write(&out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    eprintln!("wrote {} ({} KB, trained in {train_seconds:.0} s)", out.display(), bytes.len() / 1024);

    // What ships is what is read back: measure that.
    let shipped = Classifier::new(Model::from_bytes(&bytes, &goal_texts()).map_err(anyhow::Error::msg)?);
    let latency = latency(&shipped, &data.texts);
    let published = published(&data_dir.join("osdg/published_classifier_stats"))?;
    let (markdown, json) = render(&data, &scores, &published, &latency, bytes.len(), cv_seconds, folds);
    std::fs::write(&report, markdown).with_context(|| format!("writing {}", report.display()))?;
    let json_path = report.with_extension("json");
    std::fs::write(&json_path, serde_json::to_string_pretty(&json)? + "\n")?;
    eprintln!("wrote {} and {}", report.display(), json_path.display());
    Ok(())
}

/// A model as it ships: pruned, and through its file format.
fn shippable(mut model: Model) -> Model {
    model.prune(PARAMS.prune);
    Model::from_bytes(&model.to_bytes(), &goal_texts()).expect("a model reads back")
}

fn load(path: &Path) -> Result<Data> {
    let raw = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let sha256 = format!("{:x}", Sha256::digest(&raw));
    let mut reader = csv::Reader::from_reader(raw.as_slice());
    let headers = reader.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name).with_context(|| format!("no column {name}"));
    let (text_col, sdg_col, label_col) = (col("text")?, col("sdg")?, col("label")?);
    let mut texts: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut examples = Vec::new();
    for (line, row) in reader.records().enumerate() {
        let row = row?;
        let text = row[text_col].to_string();
        let goal: usize = row[sdg_col].parse().with_context(|| format!("row {}: sdg", line + 2))?;
        ensure!((1..=GOALS).contains(&goal), "row {}: sdg {goal}", line + 2);
        let label = match &row[label_col] {
            "True" => true,
            "False" => false,
            other => bail!("row {}: label {other:?}", line + 2),
        };
        let id = *index.entry(text.clone()).or_insert_with(|| {
            texts.push(text);
            texts.len() - 1
        });
        examples.push(Example { text: id, goal: goal - 1, label });
    }
    let mut official = Vec::new();
    for (g, goal) in Sdg::all_goals().enumerate() {
        official.push((format!("{}. {}", goal.short(), goal.title()), g));
        for t in goal.targets() {
            official.push((t.title().to_string(), g));
        }
    }
    Ok(Data { texts, examples, official, sha256 })
}

/// Deterministic folds of examples, keeping every judgement of one text in the same fold and
/// each (goal, label) stratum spread evenly.
fn split(data: &Data, examples: &[usize], k: usize, seed: u64) -> Vec<(Vec<usize>, Vec<usize>)> {
    let mut by_text: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for &e in examples {
        by_text.entry(data.examples[e].text).or_default().push(e);
    }
    let mut strata: BTreeMap<(usize, bool), Vec<usize>> = BTreeMap::new();
    for (&text, es) in &by_text {
        let first = data.examples[es[0]];
        strata.entry((first.goal, first.label)).or_default().push(text);
    }
    let mut fold_of: HashMap<usize, usize> = HashMap::new();
    let mut next = 0usize;
    for texts in strata.values_mut() {
        texts.sort_by_key(|t| mix(seed, *t as u64));
        for t in texts.iter() {
            fold_of.insert(*t, next % k);
            next += 1;
        }
    }
    (0..k)
        .map(|f| {
            let (test, train): (Vec<usize>, Vec<usize>) =
                examples.iter().partition(|&&e| fold_of[&data.examples[e].text] == f);
            (train, test)
        })
        .collect()
}

/// A 64-bit mix (splitmix64), for a seeded, stable order.
fn mix(seed: u64, x: u64) -> u64 {
    let mut z = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(x).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Fits the whole model on some examples.
fn fit(data: &Data, train: &[usize], p: Params, metadata: &str) -> Model {
    let mut texts: Vec<usize> = train.iter().map(|&e| data.examples[e].text).collect();
    texts.sort_unstable();
    texts.dedup();
    let vectorizer = Vectorizer::fit(
        texts.iter().map(|&t| data.texts[t].as_str()).chain(data.official.iter().map(|(t, _)| t.as_str())),
        p.min_df,
    );
    let vectors: HashMap<usize, Sparse> = texts.iter().map(|&t| (t, vectorizer.transform(&data.texts[t]))).collect();
    let official: Vec<(Sparse, usize)> = data.official.iter().map(|(t, g)| (vectorizer.transform(t), *g)).collect();
    let goal_docs: Vec<Sparse> = goal_texts().iter().map(|t| vectorizer.transform(t)).collect();

    // The stacked model learns from predictions on examples the linear models did not see.
    let mut stacked: Vec<[f32; STACKED]> = vec![[0.0; STACKED]; train.len()];
    let position: HashMap<usize, usize> = train.iter().enumerate().map(|(i, e)| (*e, i)).collect();
    for (inner_train, inner_test) in split(data, train, p.inner_folds, SEED + 1) {
        let (topic, per_goal) = linears(data, &inner_train, &vectors, &official, p);
        for e in inner_test {
            let ex = data.examples[e];
            stacked[position[&e]] = features(&topic, &per_goal, &goal_docs, &vectors[&ex.text])[ex.goal];
        }
    }
    let (topic, per_goal) = linears(data, train, &vectors, &official, p);
    let labels: Vec<bool> = train.iter().map(|&e| data.examples[e].label).collect();
    let (w, b) = train::dense_binary(&stacked, &labels, p.stack_c);
    Model {
        vectorizer,
        topic,
        per_goal,
        stacker: w.map(|v| v as f32),
        stacker_bias: b as f32,
        threshold: 0.5,
        goal_docs,
        metadata: metadata.to_string(),
    }
}

fn features(topic: &Linear, per_goal: &Linear, goal_docs: &[Sparse], x: &Sparse) -> [[f32; STACKED]; GOALS] {
    let mut sims = [0.0; GOALS];
    for (g, d) in goal_docs.iter().enumerate() {
        sims[g] = banyan_classify::features::dot(x, d);
    }
    evidence(&softmax(&topic.scores(x)), &per_goal.scores(x), &sims)
}

/// The multinomial topic model and the per-goal binary models.
fn linears(
    data: &Data,
    train: &[usize],
    vectors: &HashMap<usize, Sparse>,
    official: &[(Sparse, usize)],
    p: Params,
) -> (Linear, Linear) {
    // Topic: what the texts judged to address each goal say, and the goals' own words.
    let mut rows: Vec<&Sparse> = Vec::new();
    let mut y = Vec::new();
    for &e in train {
        let ex = data.examples[e];
        if ex.label {
            rows.push(&vectors[&ex.text]);
            y.push(ex.goal);
        }
    }
    for (v, g) in official {
        rows.push(v);
        y.push(*g);
    }
    let m = Matrix::new(&rows);
    let (w, bias) = train::multinomial(&m, &y, GOALS, p.topic_c);
    let mut topic = Linear::default();
    for (j, bucket) in m.columns.iter().enumerate() {
        let mut ws = [0.0f32; GOALS];
        for g in 0..GOALS {
            ws[g] = w[j * GOALS + g] as f32;
        }
        topic.weights.insert(*bucket, ws);
    }
    for (b, v) in topic.bias.iter_mut().zip(&bias) {
        *b = *v as f32;
    }

    // Per goal: the texts judged for it, yes or no, and the official texts.
    let mut per_goal = Linear::default();
    for g in 0..GOALS {
        let mut rows: Vec<&Sparse> = Vec::new();
        let mut y = Vec::new();
        let mut weights = Vec::new();
        for &e in train {
            let ex = data.examples[e];
            if ex.goal == g {
                rows.push(&vectors[&ex.text]);
                y.push(ex.label);
                weights.push(1.0);
            }
        }
        for (v, og) in official {
            rows.push(v);
            y.push(*og == g);
            weights.push(if *og == g { 1.0 } else { p.other_goal_text_weight });
        }
        let m = Matrix::new(&rows);
        let (w, b) = train::binary(&m, &y, &weights, p.goal_c);
        for (j, bucket) in m.columns.iter().enumerate() {
            if w[j] != 0.0 {
                per_goal.weights.entry(*bucket).or_insert([0.0; GOALS])[g] = w[j] as f32;
            }
        }
        per_goal.bias[g] = b as f32;
    }
    (topic, per_goal)
}

/// Counts per goal at a threshold.
struct Scores {
    /// tp, fp, tn, fn per goal.
    counts: [[u32; 4]; GOALS],
    brier: f64,
    /// (mean predicted, observed rate, n) in ten bins.
    reliability: Vec<(f64, f64, usize)>,
}

impl Scores {
    fn of(data: &Data, p: &[f32], threshold: f32) -> Scores {
        let mut counts = [[0u32; 4]; GOALS];
        let mut brier = 0.0;
        let mut bins = vec![(0.0f64, 0usize, 0usize); 10];
        for (ex, &q) in data.examples.iter().zip(p) {
            let predicted = q >= threshold;
            let c = &mut counts[ex.goal];
            match (predicted, ex.label) {
                (true, true) => c[0] += 1,
                (true, false) => c[1] += 1,
                (false, false) => c[2] += 1,
                (false, true) => c[3] += 1,
            }
            let y = f64::from(u8::from(ex.label));
            brier += (f64::from(q) - y).powi(2);
            let b = ((q * 10.0) as usize).min(9);
            bins[b].0 += f64::from(q);
            bins[b].1 += usize::from(ex.label);
            bins[b].2 += 1;
        }
        let n = data.examples.len() as f64;
        let reliability = bins
            .into_iter()
            .map(|(sum, pos, n)| if n == 0 { (0.0, 0.0, 0) } else { (sum / n as f64, pos as f64 / n as f64, n) })
            .collect();
        Scores { counts, brier: brier / n, reliability }
    }
    fn goal(&self, g: usize) -> (f64, f64, f64, f64) {
        prf(self.counts[g])
    }
    fn macro_f1(&self) -> f64 {
        (0..GOALS).map(|g| self.goal(g).2).sum::<f64>() / GOALS as f64
    }
}

/// Precision, recall, F1 and accuracy from tp, fp, tn, fn.
fn prf(c: [u32; 4]) -> (f64, f64, f64, f64) {
    let [tp, fp, tn, fn_] = c.map(f64::from);
    let precision = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
    let recall = if tp + fn_ > 0.0 { tp / (tp + fn_) } else { 0.0 };
    let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
    (precision, recall, f1, (tp + tn) / (tp + fp + tn + fn_).max(1.0))
}

/// Another classifier's published scores: its macro F1 and F1 per goal, from its counts.
struct Published {
    name: String,
    f1: [f64; GOALS],
    macro_f1: f64,
}

fn published(dir: &Path) -> Result<Vec<Published>> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    for path in files {
        let mut reader = csv::Reader::from_path(&path)?;
        let headers = reader.headers()?.clone();
        let col =
            |name: &str| headers.iter().position(|h| h == name).with_context(|| format!("{}: {name}", path.display()));
        let (sdg, tp, fp, tn, fn_) = (col("sdg")?, col("tp")?, col("fp")?, col("tn")?, col("fn")?);
        let mut f1 = [f64::NAN; GOALS];
        for row in reader.records() {
            let row = row?;
            let Ok(g) = row[sdg].parse::<usize>() else { continue };
            if !(1..=GOALS).contains(&g) {
                continue;
            }
            let n = |i: usize| row[i].parse::<f64>().unwrap_or(0.0) as u32;
            f1[g - 1] = prf([n(tp), n(fp), n(tn), n(fn_)]).2;
        }
        let known: Vec<f64> = f1.iter().copied().filter(|v| !v.is_nan()).collect();
        let macro_f1 = known.iter().sum::<f64>() / known.len().max(1) as f64;
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        out.push(Published { name, f1, macro_f1 });
    }
    out.sort_by(|a, b| b.macro_f1.total_cmp(&a.macro_f1));
    Ok(out)
}

struct Latency {
    mean_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    texts: usize,
}

fn latency(c: &Classifier, texts: &[String]) -> Latency {
    // Warm up (the first call builds nothing lazily, but caches are cold).
    for t in texts.iter().take(20) {
        std::hint::black_box(c.classify(t));
    }
    let mut times: Vec<f64> = texts
        .iter()
        .map(|t| {
            let started = Instant::now();
            std::hint::black_box(c.classify(t));
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let mean_ms = times.iter().sum::<f64>() / times.len() as f64;
    let p99_ms = times[(times.len() * 99 / 100).min(times.len() - 1)];
    Latency { mean_ms, p99_ms, max_ms: *times.last().unwrap_or(&0.0), texts: texts.len() }
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn render(
    data: &Data,
    s: &Scores,
    published: &[Published],
    latency: &Latency,
    model_bytes: usize,
    cv_seconds: f64,
    folds: usize,
) -> (String, serde_json::Value) {
    let mut md = String::new();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let _ = writeln!(md, "# SDG suggestions: how well the classifier does\n");
    let _ = writeln!(
        md,
        "Written by `cargo run -p sdgtrain --release` (tools/sdgtrain), which also writes the model it \
         describes (`crates/classify/model/sdg.bin`, {} KB). Do not edit by hand.\n",
        model_bytes / 1024
    );
    let _ = writeln!(md, "## The model\n");
    let _ = writeln!(
        md,
        "For a text and a goal, three kinds of evidence: a multinomial logistic model of what texts \
         about each goal say (word unigrams and bigrams and character 3–5-grams, TF-IDF), the goal's own \
         logistic model trained on texts judged for that goal — including texts that looked like it \
         but were judged not to address it — and the text's similarity to the goal's official title \
         and targets. A small logistic model, trained on held-out predictions ({} inner folds), turns \
         the evidence into a probability; a goal is suggested from 0.5.\n",
        PARAMS.inner_folds
    );
    let _ = writeln!(
        md,
        "Training data: the {} expert judgements of {} texts in `osdg/sdg_benchmark_references.csv` \
         (70% of the SDG Classification Benchmark; sha256 `{}`), plus the {} official goal and target \
         texts. The other 30% of the benchmark is held out for independent evaluation and is not used.\n",
        data.examples.len(),
        data.texts.len(),
        data.sha256,
        data.official.len()
    );
    let _ = writeln!(md, "## Cross-validated scores\n");
    let _ = writeln!(
        md,
        "{folds}-fold cross-validation, folds stratified by goal and judgement and grouped by text (no \
         text is in both training and test). Each judgement asks: does this text address this goal? \
         Macro-averaged F1: **{:.3}**. Brier score of the probabilities: {:.3}.\n",
        s.macro_f1(),
        s.brier
    );
    let _ = writeln!(md, "| SDG | n | precision | recall | F1 | accuracy | TP | FP | TN | FN |");
    let _ = writeln!(md, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut goals_json = Vec::new();
    for g in 0..GOALS {
        let (p, r, f, a) = s.goal(g);
        let [tp, fp, tn, fn_] = s.counts[g];
        let _ = writeln!(
            md,
            "| {} | {} | {p:.3} | {r:.3} | {f:.3} | {a:.3} | {tp} | {fp} | {tn} | {fn_} |",
            g + 1,
            tp + fp + tn + fn_
        );
        goals_json.push(json!({"sdg": g + 1, "precision": round(p), "recall": round(r), "f1": round(f), "accuracy": round(a), "tp": tp, "fp": fp, "tn": tn, "fn": fn_}));
    }
    let total = s.counts.iter().fold([0u32; 4], |acc, c| [acc[0] + c[0], acc[1] + c[1], acc[2] + c[2], acc[3] + c[3]]);
    let (p, r, f, a) = prf(total);
    let _ = writeln!(
        md,
        "| all (micro) | {} | {p:.3} | {r:.3} | {f:.3} | {a:.3} | {} | {} | {} | {} |\n",
        total.iter().sum::<u32>(),
        total[0],
        total[1],
        total[2],
        total[3]
    );

    let _ = writeln!(md, "## Beside published classifiers\n");
    let _ = writeln!(
        md,
        "Macro F1 computed from the counts the benchmark's maintainers published for each classifier \
         (`osdg/published_classifier_stats/`). Those were measured on all 1,251 judgements; ours is \
         cross-validated on the 878 we may train on, so the comparison is close but not exact.\n"
    );
    let _ = write!(md, "| classifier | macro F1 |");
    for g in 1..=GOALS {
        let _ = write!(md, " {g} |");
    }
    let _ = writeln!(md);
    let _ = writeln!(md, "|---|---:|{}", "---:|".repeat(GOALS));
    let _ = write!(md, "| **Banyan (this model, CV)** | **{:.3}** |", s.macro_f1());
    for g in 0..GOALS {
        let _ = write!(md, " {:.2} |", s.goal(g).2);
    }
    let _ = writeln!(md);
    for p in published {
        let _ = write!(md, "| {} | {:.3} |", p.name, p.macro_f1);
        for f in p.f1 {
            let _ = if f.is_nan() { write!(md, " – |") } else { write!(md, " {f:.2} |") };
        }
        let _ = writeln!(md);
    }
    let _ = writeln!(md, "\n## Calibration\n");
    let _ = writeln!(
        md,
        "Held-out probabilities in ten bins: the observed share of \"yes\" should be close to the mean probability.\n"
    );
    let _ = writeln!(md, "| bin | judgements | mean probability | observed yes |");
    let _ = writeln!(md, "|---|---:|---:|---:|");
    for (i, (mean, obs, n)) in s.reliability.iter().enumerate() {
        if *n > 0 {
            let _ =
                writeln!(md, "| {:.1}–{:.1} | {n} | {mean:.3} | {obs:.3} |", i as f64 / 10.0, (i + 1) as f64 / 10.0);
        }
    }
    let _ = writeln!(md, "\n## Speed\n");
    let _ = writeln!(
        md,
        "All 17 goals scored for each of the {} texts (about 600 characters each), one at a time on one \
         core of this machine ({cpu}, {cores} cores): mean {:.3} ms, p99 {:.3} ms, slowest {:.3} ms per \
         text. Cross-validation took {cv_seconds:.0} s.\n",
        latency.texts, latency.mean_ms, latency.p99_ms, latency.max_ms
    );
    let json = json!({
        "macro_f1": round(s.macro_f1()),
        "brier": round(s.brier),
        "folds": folds,
        "goals": goals_json,
        "published": published.iter().map(|p| json!({"name": p.name, "macro_f1": round(p.macro_f1)})).collect::<Vec<_>>(),
        "latency_ms": {"mean": round(latency.mean_ms), "p99": round(latency.p99_ms), "max": round(latency.max_ms)},
        "machine": {"cpu": cpu, "cores": cores},
        "model_bytes": model_bytes,
        "params": PARAMS,
        "evidence_features": EVIDENCE,
    });
    (md, json)
}
