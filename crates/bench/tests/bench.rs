//! The benchmark's corpus and query log are what the report says they are, and a small run of
//! every engine writes a report with every table.

use std::collections::BTreeMap;

use banyan_bench::corpus::{self, QueryClass, Vocabularies};
use banyan_domain::RecordInput;
use banyan_domain::record::InputMode;

#[test]
fn every_generated_record_is_valid_and_the_corpus_is_seeded() {
    let vocab = Vocabularies::new(42);
    let mut langs: BTreeMap<&str, usize> = BTreeMap::new();
    let mut sizes = Vec::new();
    for i in 0..400 {
        let r = corpus::record(&vocab, 42, i);
        if let Err(v) = RecordInput::from_json(&r.to_json(), InputMode::Create) {
            panic!("record {i} is not valid: {v}");
        }
        *langs.entry(r.lang).or_default() += 1;
        sizes.push(r.body().len() + r.title.len() + r.summary.len());
        // The same seed gives the same record; another seed another.
        assert_eq!(corpus::record(&vocab, 42, i).body(), r.body());
        assert_ne!(corpus::record(&vocab, 43, i).body(), r.body());
    }
    assert!(
        sizes.iter().all(|s| (1_800..=11_000).contains(s)),
        "2–10 KB of text: {:?}",
        (sizes.iter().min(), sizes.iter().max())
    );
    for lang in ["en", "th", "bn", "vi", "ms"] {
        assert!(langs.get(lang).copied().unwrap_or(0) > 0, "no {lang} records: {langs:?}");
    }
    assert!(langs["en"] > 200, "English is most of the corpus: {langs:?}");
}

#[test]
fn the_query_log_has_the_mix_the_report_states() {
    let vocab = Vocabularies::new(42);
    let log = corpus::queries(&vocab, 42, 10_000, 10_000);
    assert_eq!(log.len(), 10_000);
    let mut mix: BTreeMap<QueryClass, usize> = BTreeMap::new();
    for q in &log {
        *mix.entry(q.class).or_default() += 1;
    }
    let share = |c| mix.get(&c).copied().unwrap_or(0) as f64 / 100.0;
    for (class, expected) in [
        (QueryClass::Short, 40.0),
        (QueryClass::Long, 20.0),
        (QueryClass::Phrase, 10.0),
        (QueryClass::Filtered, 20.0),
        (QueryClass::FilterOnly, 5.0),
        (QueryClass::Typo, 5.0),
    ] {
        assert!((share(class) - expected).abs() < 1.5, "{class:?}: {}% rather than {expected}%", share(class));
    }
    for q in &log {
        match q.class {
            QueryClass::FilterOnly => assert!(q.q.is_empty() && q.to_url().contains('&')),
            QueryClass::Phrase => assert!(q.q.starts_with('"') && q.q.ends_with('"'), "{}", q.q),
            QueryClass::Filtered => {
                assert!(
                    !q.q.is_empty()
                        && (q.kind.is_some() || q.country.is_some() || q.sdg.is_some() || q.sector.is_some())
                )
            }
            _ => assert!(!q.q.is_empty()),
        }
    }
    let again = corpus::queries(&vocab, 42, 10_000, 10_000);
    assert!(log.iter().zip(&again).all(|(a, b)| a.q == b.q && a.to_url() == b.to_url()), "the log is seeded");
}

/// A run at a few hundred records through all three engines (PostgreSQL when a server is given).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_run_reports_every_engine() {
    let postgres = std::env::var("BANYAN_TEST_POSTGRES_URL").ok();
    if postgres.is_none() {
        assert!(std::env::var("CI").is_err(), "CI=true needs BANYAN_TEST_POSTGRES_URL for the PostgreSQL engine");
        eprintln!("skipping PostgreSQL's engine: BANYAN_TEST_POSTGRES_URL is not set");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("benchmarks.md");
    let mut engines = vec!["banyan".to_string(), "sqlite".to_string()];
    if postgres.is_some() {
        engines.push("postgres".into());
    }
    let options = banyan_bench::Options {
        sizes: vec![300],
        queries: 200,
        concurrency: vec![1, 4],
        engines,
        dir: dir.path().join("scratch"),
        postgres_url: postgres.clone(),
        seed: 7,
        budget: std::time::Duration::from_secs(30),
        out: out.clone(),
        keep: false,
    };
    banyan_bench::run(options, &|_| {}).await.unwrap();
    let md = std::fs::read_to_string(&out).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.with_extension("json")).unwrap()).unwrap();
    assert!(md.contains("## 300 records"), "{md}");
    assert!(md.contains("| Banyan in-process (no HTTP) | 1 | 200 |"), "{md}");
    assert!(md.contains("| SQLite FTS5 | 4 | 200 |"), "{md}");
    if postgres.is_some() {
        assert!(md.contains("| PostgreSQL FTS | 1 | 200 |"), "{md}");
    }
    assert!(md.contains("Targets:"), "{md}");
    let engines = json[0]["engines"].as_array().unwrap();
    for e in engines {
        for run in e["runs"].as_array().unwrap() {
            assert_eq!(run["errors"], 0, "{e}");
        }
        if e["engine"] != "Banyan" {
            let overlap = e["overlap_with_banyan"].as_f64().unwrap();
            assert!(overlap > 0.2, "the engines find much the same records: {e}");
        }
    }
    // The scratch files are removed afterwards.
    let left: Vec<_> =
        std::fs::read_dir(dir.path().join("scratch")).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(left.is_empty(), "{left:?}");
    // The report can be written again from the JSON alone.
    std::fs::remove_file(&out).unwrap();
    banyan_bench::rewrite_report(&out).unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), md);
}
