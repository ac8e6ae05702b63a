//! `banyan bench search`: Banyan's search beside PostgreSQL full-text search and SQLite FTS5,
//! on the same seeded corpus and the same seeded query log, one client at a time and then with
//! several at once. Results go to `docs/benchmarks.json` (merged with earlier runs of other
//! sizes) and `docs/benchmarks.md`.

pub mod corpus;
pub mod engines;
pub mod load;
pub mod matching;
pub mod report;

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use corpus::{Query, QueryClass, Vocabularies};
use engines::{Answer, Banyan, Loaded, Postgres, SqliteFts};

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    pub sizes: Vec<u64>,
    pub queries: usize,
    pub concurrency: Vec<usize>,
    pub engines: Vec<String>,
    /// Where the engines' files go (several GB at a million records).
    pub dir: PathBuf,
    pub postgres_url: Option<String>,
    pub seed: u64,
    /// The most time one engine spends on one concurrency level; the rest of the log is skipped.
    pub budget: Duration,
    /// The Markdown report; the JSON goes beside it.
    pub out: PathBuf,
    /// Keep the engines' files afterwards.
    pub keep: bool,
}

/// Latencies of one run of the query log.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunStats {
    pub clients: usize,
    pub queries: usize,
    pub errors: usize,
    pub seconds: f64,
    pub qps: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub mean_ms: f64,
    /// One client only: p50 and p99 by kind of query.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_class: BTreeMap<String, (usize, f64, f64)>,
}

/// One engine at one corpus size.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EngineResult {
    pub engine: String,
    pub load: Option<LoadedDoc>,
    pub runs: Vec<RunStats>,
    /// Banyan only: the same queries on the index in-process, one at a time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_process: Option<RunStats>,
    /// Mean share of Banyan's top ten that this engine also returns (queries both answered).
    pub overlap_with_banyan: Option<f64>,
    pub peak_memory_bytes: u64,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadedDoc {
    pub seconds: f64,
    pub records_per_second: f64,
    pub index_bytes: u64,
    pub other_bytes: u64,
}

impl From<&Loaded> for LoadedDoc {
    fn from(l: &Loaded) -> Self {
        LoadedDoc {
            seconds: l.seconds,
            records_per_second: l.records_per_second,
            index_bytes: l.index_bytes,
            other_bytes: l.other_bytes,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SizeResult {
    pub records: u64,
    pub date: String,
    pub machine: Machine,
    pub query_log: BTreeMap<String, usize>,
    pub engines: Vec<EngineResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gb: f64,
    pub postgres: String,
}

pub fn machine(postgres: String) -> Machine {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_default();
    let memory_gb = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| (kb / 1024.0 / 1024.0 * 10.0).round() / 10.0);
    Machine { cpu, cores: std::thread::available_parallelism().map_or(0, |n| n.get()), memory_gb, postgres }
}

/// Runs queries `0..` of the log with `clients` at once until the log or the budget runs out.
async fn drive<F, Fut>(log: &[Query], clients: usize, budget: Duration, ask: F) -> (RunStats, Vec<Option<Answer>>)
where
    F: Fn(usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Answer>> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let len = log.len();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let next = Arc::clone(&next);
        let ask = ask.clone();
        tasks.push(tokio::spawn(async move {
            let mut done: Vec<(usize, f64, Option<Answer>)> = Vec::new();
            loop {
                if started.elapsed() > budget {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= len {
                    break;
                }
                let t = Instant::now();
                let answer = ask(i).await;
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                done.push((i, ms, answer.ok()));
            }
            done
        }));
    }
    let mut results: Vec<(usize, f64, Option<Answer>)> = Vec::new();
    for t in tasks {
        results.extend(t.await.unwrap_or_default());
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut answers = vec![None; len];
    let mut stats = RunStats { clients, seconds, ..Default::default() };
    let mut latencies = Vec::with_capacity(results.len());
    let mut by_class: BTreeMap<QueryClass, Vec<f64>> = BTreeMap::new();
    for (i, ms, a) in results {
        if a.is_none() {
            stats.errors += 1;
        }
        latencies.push(ms);
        by_class.entry(log[i].class).or_default().push(ms);
        answers[i] = a;
    }
    stats.queries = latencies.len();
    stats.qps = stats.queries as f64 / seconds.max(1e-9);
    fill_percentiles(&mut stats, &mut latencies);
    if clients == 1 {
        for (class, mut v) in by_class {
            v.sort_by(f64::total_cmp);
            let name =
                serde_json::to_value(class).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            stats.by_class.insert(name, (v.len(), percentile(&v, 0.5), percentile(&v, 0.99)));
        }
    }
    (stats, answers)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    (sorted[i] * 1000.0).round() / 1000.0
}

fn fill_percentiles(stats: &mut RunStats, latencies: &mut [f64]) {
    latencies.sort_by(f64::total_cmp);
    stats.p50_ms = percentile(latencies, 0.5);
    stats.p95_ms = percentile(latencies, 0.95);
    stats.p99_ms = percentile(latencies, 0.99);
    stats.mean_ms = (latencies.iter().sum::<f64>() / latencies.len().max(1) as f64 * 1000.0).round() / 1000.0;
}

fn mean_overlap(reference: &[Option<Answer>], other: &[Option<Answer>]) -> Option<f64> {
    let values: Vec<f64> = reference
        .iter()
        .zip(other)
        .filter_map(|(r, o)| match (r, o) {
            (Some(r), Some(o)) => engines::overlap(&r.ids, &o.ids),
            _ => None,
        })
        .collect();
    (!values.is_empty()).then(|| (values.iter().sum::<f64>() / values.len() as f64 * 1000.0).round() / 1000.0)
}

const WARM_UP: usize = 200;

/// Writes the Markdown report again from the JSON beside it, running nothing (after a change to
/// the report's wording).
pub fn rewrite_report(out: &std::path::Path) -> Result<()> {
    let json_path = out.with_extension("json");
    let text = std::fs::read_to_string(&json_path).with_context(|| format!("reading {}", json_path.display()))?;
    let list: Vec<SizeResult> =
        serde_json::from_str(&text).with_context(|| format!("reading {}", json_path.display()))?;
    std::fs::write(out, report::markdown(&list.iter().collect::<Vec<_>>()))?;
    Ok(())
}

/// Runs the benchmark and writes the report.
pub async fn run(opts: Options, progress: &(dyn Fn(&str) + Send + Sync)) -> Result<()> {
    std::fs::create_dir_all(&opts.dir).with_context(|| format!("creating {}", opts.dir.display()))?;
    progress("building the vocabularies");
    let vocab = Arc::new(Vocabularies::new(opts.seed));
    let json_path = opts.out.with_extension("json");
    let mut all: BTreeMap<u64, SizeResult> = std::fs::read_to_string(&json_path)
        .ok()
        .and_then(|s| serde_json::from_str::<Vec<SizeResult>>(&s).ok())
        .map(|v| v.into_iter().map(|r| (r.records, r)).collect())
        .unwrap_or_default();
    let postgres_version = match &opts.postgres_url {
        Some(url) => match sqlx::postgres::PgPoolOptions::new().max_connections(1).connect(url).await {
            Ok(p) => sqlx::query_scalar::<_, String>("SHOW server_version").fetch_one(&p).await.unwrap_or_default(),
            Err(_) => String::new(),
        },
        None => String::new(),
    };
    for &size in &opts.sizes {
        progress(&format!("{size} records: generating the query log"));
        let log = Arc::new(corpus::queries(&vocab, opts.seed, size, opts.queries));
        let mut mix: BTreeMap<String, usize> = BTreeMap::new();
        for q in log.iter() {
            let name = serde_json::to_value(q.class)?.as_str().unwrap_or_default().to_string();
            *mix.entry(name).or_default() += 1;
        }
        let mut result = SizeResult {
            records: size,
            date: chrono::Utc::now().format("%Y-%m-%d").to_string(),
            machine: machine(postgres_version.clone()),
            query_log: mix,
            engines: Vec::new(),
        };
        let mut reference: Vec<Option<Answer>> = Vec::new();
        let save = |all: &mut BTreeMap<u64, SizeResult>, result: &SizeResult| -> Result<()> {
            all.insert(size, result.clone());
            let list: Vec<&SizeResult> = all.values().collect();
            std::fs::write(&json_path, serde_json::to_string_pretty(&list)? + "\n")?;
            std::fs::write(&opts.out, report::markdown(&list))?;
            Ok(())
        };

        if opts.engines.iter().any(|e| e == "banyan") {
            progress(&format!("{size} records: loading Banyan (database and index)"));
            let (mut banyan, loaded) =
                Banyan::load(&opts.dir.join(format!("banyan-{size}")), Arc::clone(&vocab), opts.seed, size).await?;
            progress(&format!("  loaded in {:.0} s ({:.0} records/s)", loaded.seconds, loaded.records_per_second));
            banyan.serve().await?;
            let banyan = Arc::new(banyan);
            // Warm up the page cache and the server, untimed.
            let _ = rustls::crypto::ring::default_provider().install_default();
            let client = reqwest::Client::builder().pool_max_idle_per_host(64).build()?;
            for q in log.iter().take(WARM_UP) {
                let _ = banyan.http(&client, q).await;
            }
            engines::reset_peak_rss();
            progress("  in-process, one query at a time");
            let in_process = {
                let (b, l) = (Arc::clone(&banyan), Arc::clone(&log));
                let budget = opts.budget;
                tokio::task::spawn_blocking(move || {
                    let started = Instant::now();
                    let mut lat = Vec::new();
                    for q in l.iter() {
                        if started.elapsed() > budget {
                            break;
                        }
                        let t = Instant::now();
                        let _ = b.raw(q);
                        lat.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    let seconds = started.elapsed().as_secs_f64();
                    let mut s = RunStats {
                        clients: 1,
                        queries: lat.len(),
                        seconds,
                        qps: lat.len() as f64 / seconds,
                        ..Default::default()
                    };
                    fill_percentiles(&mut s, &mut lat);
                    s
                })
                .await?
            };
            let mut runs = Vec::new();
            for &c in &opts.concurrency {
                progress(&format!("  over HTTP, {c} client(s)"));
                let (b, l, client) = (Arc::clone(&banyan), Arc::clone(&log), client.clone());
                let (stats, answers) = drive(&log, c, opts.budget, move |i| {
                    let (b, l, client) = (Arc::clone(&b), Arc::clone(&l), client.clone());
                    async move { b.http(&client, &l[i]).await }
                })
                .await;
                progress(&format!("    p50 {} ms, p99 {} ms, {:.0} queries/s", stats.p50_ms, stats.p99_ms, stats.qps));
                if c == 1 {
                    reference = answers;
                }
                runs.push(stats);
            }
            result.engines.push(EngineResult {
                engine: "Banyan".into(),
                load: Some((&loaded).into()),
                runs,
                in_process: Some(in_process),
                overlap_with_banyan: Some(1.0),
                peak_memory_bytes: engines::peak_rss().max(loaded.peak_memory_bytes),
                note: "tantivy index, SQLite database; over HTTP with facet counts and highlights".into(),
            });
            save(&mut all, &result)?;
            drop(banyan);
            if !opts.keep {
                let _ = std::fs::remove_dir_all(opts.dir.join(format!("banyan-{size}")));
            }
        }

        if opts.engines.iter().any(|e| e == "postgres") {
            let url = opts.postgres_url.clone().context("--postgres-url is needed for the PostgreSQL engine")?;
            progress(&format!("{size} records: loading PostgreSQL (tsvector, GIN)"));
            let max_clients = opts.concurrency.iter().copied().max().unwrap_or(1) as u32;
            let (pg, loaded) = Postgres::load(&url, size, Arc::clone(&vocab), opts.seed, max_clients).await?;
            progress(&format!("  loaded in {:.0} s ({:.0} records/s)", loaded.seconds, loaded.records_per_second));
            let pg = Arc::new(pg);
            for q in log.iter().take(WARM_UP / 4) {
                let _ = pg.search(q).await;
            }
            let mut runs = Vec::new();
            let mut overlap = None;
            for &c in &opts.concurrency {
                progress(&format!("  {c} client(s)"));
                let (p, l) = (Arc::clone(&pg), Arc::clone(&log));
                let (stats, answers) = drive(&log, c, opts.budget, move |i| {
                    let (p, l) = (Arc::clone(&p), Arc::clone(&l));
                    async move { p.search(&l[i]).await }
                })
                .await;
                progress(&format!(
                    "    p50 {} ms, p99 {} ms, {:.0} queries/s, {} queries",
                    stats.p50_ms, stats.p99_ms, stats.qps, stats.queries
                ));
                if c == 1 {
                    overlap = mean_overlap(&reference, &answers);
                }
                runs.push(stats);
            }
            let peak = pg.peak_memory().await;
            result.engines.push(EngineResult {
                engine: "PostgreSQL FTS".into(),
                load: Some((&loaded).into()),
                runs,
                in_process: None,
                overlap_with_banyan: overlap,
                peak_memory_bytes: peak,
                note:
                    "stored tsvector ('english'), GIN, websearch_to_tsquery, ts_rank_cd, ts_headline, GROUP BY facets; \
                       peak memory is the largest backend's"
                        .into(),
            });
            save(&mut all, &result)?;
            if let Ok(pg) = Arc::try_unwrap(pg)
                && !opts.keep
            {
                pg.drop_database().await?;
            }
        }

        if opts.engines.iter().any(|e| e == "sqlite") {
            progress(&format!("{size} records: loading SQLite FTS5"));
            let file = opts.dir.join(format!("fts5-{size}.sqlite3"));
            let max_clients = opts.concurrency.iter().copied().max().unwrap_or(1) as u32;
            let (fts, loaded) = SqliteFts::load(&file, size, Arc::clone(&vocab), opts.seed, max_clients).await?;
            progress(&format!("  loaded in {:.0} s ({:.0} records/s)", loaded.seconds, loaded.records_per_second));
            let fts = Arc::new(fts);
            for q in log.iter().take(WARM_UP / 4) {
                let _ = fts.search(q).await;
            }
            engines::reset_peak_rss();
            let mut runs = Vec::new();
            let mut overlap = None;
            for &c in &opts.concurrency {
                progress(&format!("  {c} client(s)"));
                let (f, l) = (Arc::clone(&fts), Arc::clone(&log));
                let (stats, answers) = drive(&log, c, opts.budget, move |i| {
                    let (f, l) = (Arc::clone(&f), Arc::clone(&l));
                    async move { f.search(&l[i]).await }
                })
                .await;
                progress(&format!(
                    "    p50 {} ms, p99 {} ms, {:.0} queries/s, {} queries",
                    stats.p50_ms, stats.p99_ms, stats.qps, stats.queries
                ));
                if c == 1 {
                    overlap = mean_overlap(&reference, &answers);
                }
                runs.push(stats);
            }
            result.engines.push(EngineResult {
                engine: "SQLite FTS5".into(),
                load: Some((&loaded).into()),
                runs,
                in_process: None,
                overlap_with_banyan: overlap,
                peak_memory_bytes: engines::peak_rss().max(loaded.peak_memory_bytes),
                note: "fts5 unicode61 (diacritics removed), bm25(), snippet(), facet counts from a side table, through sqlx".into(),
            });
            save(&mut all, &result)?;
            drop(fts);
            if !opts.keep {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
                }
            }
        }
    }
    Ok(())
}
