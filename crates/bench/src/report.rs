//! The Markdown report, written from the results of every size run so far.

use std::fmt::Write as _;

use crate::{EngineResult, RunStats, SizeResult};

fn mb(bytes: u64) -> String {
    if bytes == 0 { "–".into() } else { format!("{:.0} MB", bytes as f64 / 1e6) }
}

fn run_at(e: &EngineResult, clients: usize) -> Option<&RunStats> {
    e.runs.iter().find(|r| r.clients == clients)
}

pub fn markdown(results: &[&SizeResult]) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Search benchmark\n");
    let _ = writeln!(
        md,
        "Written by `banyan bench search` (crates/bench); do not edit by hand. Each engine is loaded with the \
         same seeded synthetic corpus and asked the same seeded query log: 40% one or two words, 20% three to \
         five, 10% phrases, 20% words with filters, 5% filters only, 5% with a typo — in English, Thai, Bengali, \
         Vietnamese and Malay. Every query asks for the top 10 with highlights and the total; PostgreSQL and \
         SQLite count four facets (kind, country, SDG, sector), Banyan all eleven its API serves (also region, \
         level, stage, type, evidence, organisation and language). Latency is measured by the client: for Banyan over HTTP against its own \
         server, for PostgreSQL over its protocol, for SQLite in-process through sqlx. Each engine gets the same \
         time budget per concurrency level; when it runs out, the rest of the log is skipped (see *queries*) — \
         the log is in random order, so the queries answered are a random sample of it. Banyan's load is end to \
         end: each record validated and written with its revision, audit entry and change-log row, and indexed \
         by the indexer following the change log, as a server does.\n"
    );
    let _ = writeln!(
        md,
        "The whole server under mixed reads and writes, beside nginx serving the same bytes, and a soak: \
         [load.md](load.md) (`banyan bench load`).\n"
    );
    for r in results {
        let _ = writeln!(md, "## {} records\n", group(r.records));
        let _ = writeln!(
            md,
            "Run on {}: {} ({} cores, {} GB RAM){}. Query log: {}.\n",
            r.date,
            r.machine.cpu,
            r.machine.cores,
            r.machine.memory_gb,
            if r.machine.postgres.is_empty() { String::new() } else { format!(", PostgreSQL {}", r.machine.postgres) },
            r.query_log.iter().map(|(k, v)| format!("{v} {}", k.replace('_', "-"))).collect::<Vec<_>>().join(", ")
        );
        let _ = writeln!(
            md,
            "| engine | load (s) | records/s | index on disk | other data | peak memory | top-10 overlap with Banyan |"
        );
        let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|");
        for e in &r.engines {
            let (secs, rate, idx, other) =
                e.load.as_ref().map_or(("–".into(), "–".into(), "–".into(), "–".into()), |l| {
                    (
                        format!("{:.0}", l.seconds),
                        format!("{:.0}", l.records_per_second),
                        mb(l.index_bytes),
                        mb(l.other_bytes),
                    )
                });
            let overlap = e.overlap_with_banyan.map_or("–".into(), |o| format!("{:.0}%", o * 100.0));
            let _ = writeln!(
                md,
                "| {} | {secs} | {rate} | {idx} | {other} | {} | {overlap} |",
                e.engine,
                mb(e.peak_memory_bytes)
            );
        }
        let _ = writeln!(md, "\n| engine | clients | queries | p50 ms | p95 ms | p99 ms | queries/s |");
        let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|");
        for e in &r.engines {
            if let Some(s) = &e.in_process {
                let _ = writeln!(
                    md,
                    "| {} in-process (no HTTP) | 1 | {} | {} | {} | {} | {:.0} |",
                    e.engine, s.queries, s.p50_ms, s.p95_ms, s.p99_ms, s.qps
                );
            }
            for s in &e.runs {
                let _ = writeln!(
                    md,
                    "| {} | {} | {}{} | {} | {} | {} | {:.0} |",
                    e.engine,
                    s.clients,
                    s.queries,
                    if s.errors > 0 { format!(" ({} failed)", s.errors) } else { String::new() },
                    s.p50_ms,
                    s.p95_ms,
                    s.p99_ms,
                    s.qps
                );
            }
        }
        let _ = writeln!(md, "\nOne client, by kind of query (queries, p50 ms, p99 ms):\n");
        let classes = ["short", "long", "phrase", "filtered", "filter_only", "typo"];
        let _ = writeln!(md, "| engine | {} |", classes.map(|c| c.replace('_', "-")).join(" | "));
        let _ = writeln!(md, "|---|{}", "---:|".repeat(classes.len()));
        for e in &r.engines {
            let Some(s) = run_at(e, 1) else { continue };
            let cells: Vec<String> = classes
                .iter()
                .map(|c| s.by_class.get(*c).map_or("–".into(), |(n, p50, p99)| format!("{n}: {p50} / {p99}")))
                .collect();
            let _ = writeln!(md, "| {} | {} |", e.engine, cells.join(" | "));
        }
        let _ = writeln!(md, "\n{}", targets(r));
        for e in &r.engines {
            let _ = writeln!(md, "- {}: {}", e.engine, e.note);
        }
        let _ = writeln!(md);
    }
    md
}

/// The targets, checked against this run.
fn targets(r: &SizeResult) -> String {
    let find = |name: &str| r.engines.iter().find(|e| e.engine.starts_with(name));
    let mut out = String::from("Targets:\n\n");
    let Some(b) = find("Banyan") else { return String::new() };
    let Some(b1) = run_at(b, 1) else { return String::new() };
    let ok = |pass: bool| if pass { "met" } else { "**missed**" };
    let _ = writeln!(out, "- p50 under 3 ms over HTTP: {} ms — {}", b1.p50_ms, ok(b1.p50_ms < 3.0));
    let _ = writeln!(out, "- p99 under 30 ms over HTTP: {} ms — {}", b1.p99_ms, ok(b1.p99_ms < 30.0));
    if let Some(raw) = &b.in_process {
        let (x50, x99) = (b1.p50_ms / raw.p50_ms.max(1e-9), b1.p99_ms / raw.p99_ms.max(1e-9));
        let _ = writeln!(
            out,
            "- within 1.5× of the engine in-process: {x50:.2}× at p50, {x99:.2}× at p99 — {}",
            ok(x50 <= 1.5 && x99 <= 1.5)
        );
    }
    if let Some(pg) = find("PostgreSQL").and_then(|e| run_at(e, 1)) {
        let (x50, x99) = (pg.p50_ms / b1.p50_ms.max(1e-9), pg.p99_ms / b1.p99_ms.max(1e-9));
        let _ = writeln!(
            out,
            "- 30× faster than PostgreSQL: {x50:.0}× at p50, {x99:.0}× at p99 — {}",
            ok(x50 >= 30.0 && x99 >= 30.0)
        );
    }
    if let Some(s) = find("SQLite").and_then(|e| run_at(e, 1)) {
        let _ = writeln!(
            out,
            "- faster than SQLite FTS5 at p50 and p99: {:.1}× and {:.1}× — {}",
            s.p50_ms / b1.p50_ms.max(1e-9),
            s.p99_ms / b1.p99_ms.max(1e-9),
            ok(s.p50_ms > b1.p50_ms && s.p99_ms > b1.p99_ms)
        );
    }
    if let Some(l) = &b.load {
        let _ = writeln!(
            out,
            "- import and indexing at 5,000 records/s or more: {:.0} records/s — {}",
            l.records_per_second,
            ok(l.records_per_second >= 5000.0)
        );
    }
    out
}

fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
