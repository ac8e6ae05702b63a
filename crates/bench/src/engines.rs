//! The three engines, each loaded with the same corpus and asked the same queries: Banyan over
//! HTTP (and its index in-process), PostgreSQL full-text search, and SQLite FTS5.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Executor, PgPool, Row, SqlitePool};
use tokio::sync::mpsc;

use banyan_search::{Facet, Indexer, SearchIndex, SearchRequest, Sort, WriterOptions};
use banyan_store::{Actor, NewRecord, Store};

use crate::corpus::{self, GenRecord, Query, Vocabularies};

/// What an engine answered: the top ids (best first) and the total.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub ids: Vec<String>,
    pub total: u64,
}

/// How loading went.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Loaded {
    pub seconds: f64,
    pub records_per_second: f64,
    /// Bytes on disk of the searchable structures (and, for Banyan, the database beside it).
    pub index_bytes: u64,
    pub other_bytes: u64,
    pub peak_memory_bytes: u64,
}

/// Records are generated on a blocking thread, in batches, ahead of the writer.
pub(crate) fn generate(vocab: Arc<Vocabularies>, seed: u64, n: u64, batch: usize) -> mpsc::Receiver<Vec<GenRecord>> {
    let (tx, rx) = mpsc::channel(4);
    std::thread::spawn(move || {
        let mut i = 0;
        while i < n {
            let end = (i + batch as u64).min(n);
            let b: Vec<GenRecord> = (i..end).map(|k| corpus::record(&vocab, seed, k)).collect();
            if tx.blocking_send(b).is_err() {
                break;
            }
            i = end;
        }
    });
    rx
}

/// The process's peak resident memory since the last reset.
pub fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// Starts measuring peak memory afresh (Linux: `clear_refs` 5 resets the high-water mark).
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

pub fn dir_size(p: &Path) -> u64 {
    match std::fs::metadata(p) {
        Ok(m) if m.is_dir() => {
            std::fs::read_dir(p).map(|d| d.flatten().map(|e| dir_size(&e.path())).sum()).unwrap_or(0)
        }
        Ok(m) => m.len(),
        Err(_) => 0,
    }
}

// ---------------------------------------------------------------------------------------------
// Banyan

pub struct Banyan {
    pub dir: PathBuf,
    pub store: Arc<dyn Store>,
    pub indexer: Arc<Indexer>,
    pub base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Banyan {
    /// Writes the corpus through the store in batches (each record with its revision, audit entry
    /// and change-log row) while the indexer follows the change log, as a server does; done when
    /// the index has committed the last record.
    pub async fn load(dir: &Path, vocab: Arc<Vocabularies>, seed: u64, n: u64) -> Result<(Banyan, Loaded)> {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir)?;
        reset_peak_rss();
        let started = Instant::now();
        let store: Arc<dyn Store> = Arc::new(banyan_store_sqlite::open(&dir.join("db")).await?);
        let index = SearchIndex::open(&dir.join("search"), WriterOptions::bulk())?;
        let indexer = Arc::new(Indexer::new(Arc::new(index), Arc::clone(&store)));
        let (done_tx, done_rx) = tokio::sync::watch::channel(false);
        let following = {
            let indexer = Arc::clone(&indexer);
            let mut done = done_rx.clone();
            tokio::spawn(async move {
                loop {
                    let finished = *done.borrow();
                    indexer.catch_up().await?;
                    if finished {
                        return anyhow::Ok(());
                    }
                    let _ = tokio::time::timeout(Duration::from_millis(200), done.changed()).await;
                }
            })
        };
        let actor = Actor::importer("bench");
        let mut batches = generate(vocab, seed, n, 500);
        let base = "https://bench.banyan.test";
        while let Some(batch) = batches.recv().await {
            let news: Vec<NewRecord> = tokio::task::spawn_blocking(move || {
                batch
                    .iter()
                    .map(|r| {
                        let input = banyan_domain::RecordInput::from_json(
                            &r.to_json(),
                            banyan_domain::record::InputMode::Create,
                        )
                        .map_err(|v| anyhow::anyhow!("generated record {}: {v}", r.id))?;
                        let mut new = NewRecord::local(input, base);
                        new.id = banyan_domain::RecordId(r.id);
                        Ok(new)
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .await??;
            store.create_records(&news, &actor).await?;
        }
        done_tx.send(true)?;
        following.await??;
        let seconds = started.elapsed().as_secs_f64();
        let loaded = Loaded {
            seconds,
            records_per_second: n as f64 / seconds,
            index_bytes: dir_size(&dir.join("search")),
            other_bytes: dir_size(&dir.join("db")),
            peak_memory_bytes: peak_rss(),
        };
        Ok((Banyan { dir: dir.to_path_buf(), store, indexer, base: String::new(), stop: None }, loaded))
    }

    /// Serves the API on a local port, as `banyan serve` does.
    pub async fn serve(&mut self) -> Result<()> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        self.base = format!("http://{}", listener.local_addr()?);
        let state = banyan_web::AppState::new(
            Arc::clone(&self.store),
            Arc::clone(&self.indexer),
            banyan_web::WebConfig { public_url: self.base.clone(), ..Default::default() },
        );
        let (stop, stopped) = tokio::sync::oneshot::channel();
        tokio::spawn(banyan_web::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        self.stop = Some(stop);
        Ok(())
    }

    pub async fn http(&self, client: &reqwest::Client, q: &Query) -> Result<Answer> {
        let r = client.get(format!("{}{}", self.base, q.to_url())).send().await?;
        let status = r.status();
        let body: serde_json::Value = r.json().await?;
        anyhow::ensure!(status.is_success(), "{status}: {body}");
        Ok(Answer {
            ids: body["hits"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|h| h["id"].as_str().map(str::to_string))
                .collect(),
            total: body["total"].as_u64().unwrap_or(0),
        })
    }

    pub fn request(q: &Query) -> SearchRequest {
        let mut filters = Vec::new();
        if let Some(k) = q.kind {
            filters.push((Facet::Kind, vec![k.to_string()]));
        }
        if let Some(c) = q.country {
            filters.push((Facet::Country, vec![c.to_string()]));
        }
        if let Some(s) = &q.sdg {
            filters.push((Facet::Sdg, vec![s.clone()]));
        }
        if let Some(s) = q.sector {
            filters.push((Facet::Sector, vec![s.to_string()]));
        }
        SearchRequest {
            q: q.q.clone(),
            filters,
            lang: None,
            sort: Sort::Relevance,
            limit: 10,
            offset: 0,
            facets: true,
            highlights: true,
        }
    }

    /// The same search, in-process: the engine without HTTP.
    pub fn raw(&self, q: &Query) -> Result<Answer> {
        let r = self.indexer.index().search(&Self::request(q))?;
        Ok(Answer { ids: r.hits.iter().map(|h| h.id.to_string()).collect(), total: r.total })
    }
}

impl Drop for Banyan {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

pub struct Postgres {
    pub pool: PgPool,
    admin_url: String,
    pub database: String,
}

const PG_SCHEMA: &str = "
CREATE TABLE docs (
    id uuid PRIMARY KEY,
    kind text NOT NULL,
    countries text[] NOT NULL,
    sdgs text[] NOT NULL,
    sectors text[] NOT NULL,
    level text,
    published timestamptz NOT NULL,
    title text NOT NULL,
    summary text NOT NULL,
    body text NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') ||
        setweight(to_tsvector('english', summary), 'B') ||
        setweight(to_tsvector('english', body), 'D')
    ) STORED
)";

impl Postgres {
    /// Loads the corpus with `COPY` into a table with a stored `tsvector`, then builds a GIN
    /// index on it (and GIN indexes on the facet arrays).
    pub async fn load(
        admin_url: &str,
        size: u64,
        vocab: Arc<Vocabularies>,
        seed: u64,
        connections: u32,
    ) -> Result<(Postgres, Loaded)> {
        let database = format!("banyan_bench_{size}");
        let admin =
            PgPoolOptions::new().max_connections(1).connect(admin_url).await.context("connecting to PostgreSQL")?;
        admin.execute(format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)").as_str()).await?;
        admin.execute(format!("CREATE DATABASE {database}").as_str()).await?;
        admin.close().await;
        let options = PgConnectOptions::from_str(admin_url)?.database(&database);
        let pool = PgPoolOptions::new().max_connections(connections.max(2)).connect_with(options).await?;
        pool.execute(PG_SCHEMA).await?;
        let started = Instant::now();
        let mut batches = generate(vocab, seed, size, 2000);
        while let Some(batch) = batches.recv().await {
            let mut data = String::new();
            for r in &batch {
                use std::fmt::Write;
                let arr = |v: &[String]| format!("{{{}}}", v.join(","));
                let countries: Vec<String> = r.countries.iter().map(|c| c.to_string()).collect();
                let published = chrono::DateTime::from_timestamp(1_790_000_000 - i64::from(r.age_days) * 86_400, 0)
                    .unwrap_or_default();
                let _ = writeln!(
                    data,
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    r.id,
                    r.kind,
                    arr(&countries),
                    arr(&r.sdgs),
                    arr(&r.sectors),
                    r.level,
                    published.to_rfc3339(),
                    copy_escape(&r.title),
                    copy_escape(&r.summary),
                    copy_escape(&r.body()),
                );
            }
            let mut conn = pool.acquire().await?;
            let mut copy = conn
                .copy_in_raw(
                    "COPY docs (id, kind, countries, sdgs, sectors, level, published, title, summary, body) FROM STDIN",
                )
                .await?;
            copy.send(data.into_bytes()).await?;
            copy.finish().await?;
        }
        for ddl in [
            "CREATE INDEX docs_tsv ON docs USING gin (tsv)",
            "CREATE INDEX docs_countries ON docs USING gin (countries)",
            "CREATE INDEX docs_sdgs ON docs USING gin (sdgs)",
            "CREATE INDEX docs_sectors ON docs USING gin (sectors)",
            "CREATE INDEX docs_kind ON docs (kind)",
            "CREATE INDEX docs_published ON docs (published DESC)",
            "VACUUM ANALYZE docs",
        ] {
            pool.execute(ddl).await?;
        }
        let seconds = started.elapsed().as_secs_f64();
        let index_bytes: i64 = sqlx::query_scalar("SELECT pg_indexes_size('docs')").fetch_one(&pool).await?;
        let total: i64 = sqlx::query_scalar("SELECT pg_total_relation_size('docs')").fetch_one(&pool).await?;
        let loaded = Loaded {
            seconds,
            records_per_second: size as f64 / seconds,
            index_bytes: index_bytes as u64,
            other_bytes: (total - index_bytes) as u64,
            peak_memory_bytes: 0,
        };
        Ok((Postgres { pool, admin_url: admin_url.to_string(), database }, loaded))
    }

    /// Top ten by `ts_rank_cd` with `websearch_to_tsquery`, highlights by `ts_headline`, the
    /// total and facet counts by `GROUP BY`, in one round trip.
    pub async fn search(&self, q: &Query) -> Result<Answer> {
        let mut filters = String::new();
        let mut args: Vec<String> = vec![q.q.clone()];
        let mut bind = |sql: &str, v: String, filters: &mut String| {
            args.push(v);
            filters.push_str(&sql.replace('?', &format!("${}", args.len())));
        };
        if let Some(k) = q.kind {
            bind(" AND d.kind = ?", k.to_string(), &mut filters);
        }
        if let Some(c) = q.country {
            bind(" AND d.countries @> ARRAY[?]", c.to_string(), &mut filters);
        }
        if let Some(s) = &q.sdg {
            bind(" AND d.sdgs @> ARRAY[?]", s.clone(), &mut filters);
        }
        if let Some(s) = q.sector {
            bind(" AND d.sectors @> ARRAY[?]", s.to_string(), &mut filters);
        }
        let text = !q.q.trim().is_empty();
        let (matches, rank) = if text {
            ("d.tsv @@ (SELECT q FROM query)", "ts_rank_cd(d.tsv, (SELECT q FROM query))")
        } else {
            ("true", "extract(epoch FROM d.published)")
        };
        let headline = if text {
            "ts_headline('english', d.body, (SELECT q FROM query), 'MaxFragments=1, MaxWords=30, MinWords=10')"
        } else {
            "left(d.summary, 200)"
        };
        let sql = format!(
            "WITH query AS (SELECT websearch_to_tsquery('english', $1) AS q),
             m AS MATERIALIZED (SELECT d.id, d.kind, d.countries, d.sdgs, d.sectors, {rank} AS r FROM docs d WHERE {matches}{filters}),
             top AS (SELECT id, r FROM m ORDER BY r DESC LIMIT 10)
             SELECT 'hit' AS t, d.id::text AS v, top.r::float8 AS n, {headline} AS h FROM top JOIN docs d ON d.id = top.id
             UNION ALL SELECT 'total', NULL, count(*)::float8, NULL FROM m
             UNION ALL SELECT 'kind', kind, count(*)::float8, NULL FROM m GROUP BY kind
             UNION ALL SELECT 'country', c, count(*)::float8, NULL FROM m, unnest(countries) c GROUP BY c
             UNION ALL SELECT 'sdg', s, count(*)::float8, NULL FROM m, unnest(sdgs) s WHERE s NOT LIKE '%.%' GROUP BY s
             UNION ALL SELECT 'sector', s, count(*)::float8, NULL FROM m, unnest(sectors) s GROUP BY s"
        );
        let mut query = sqlx::query(&sql);
        for a in &args {
            query = query.bind(a);
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut hits: Vec<(f64, String)> = Vec::new();
        let mut total = 0;
        for row in rows {
            let t: String = row.get("t");
            match t.as_str() {
                "hit" => hits.push((row.get("n"), row.get("v"))),
                "total" => total = row.get::<f64, _>("n") as u64,
                _ => {}
            }
        }
        hits.sort_by(|a, b| b.0.total_cmp(&a.0));
        Ok(Answer { ids: hits.into_iter().map(|(_, id)| id).collect(), total })
    }

    /// The largest peak resident memory among the server processes serving this database.
    pub async fn peak_memory(&self) -> u64 {
        let pids: Vec<i32> = sqlx::query_scalar("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            .fetch_all(&self.pool)
            .await
            .unwrap_or_default();
        pids.iter()
            .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
            .filter_map(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            })
            .max()
            .unwrap_or(0)
            * 1024
    }

    pub async fn drop_database(self) -> Result<()> {
        self.pool.close().await;
        let admin = PgPoolOptions::new().max_connections(1).connect(&self.admin_url).await?;
        admin.execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.database).as_str()).await?;
        Ok(())
    }
}

fn copy_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// SQLite FTS5

pub struct SqliteFts {
    pub pool: SqlitePool,
}

impl SqliteFts {
    /// Loads the corpus into an FTS5 table (`unicode61`, diacritics removed) beside a table of
    /// facet values.
    pub async fn load(
        file: &Path,
        size: u64,
        vocab: Arc<Vocabularies>,
        seed: u64,
        connections: u32,
    ) -> Result<(SqliteFts, Loaded)> {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
        reset_peak_rss();
        let options = SqliteConnectOptions::new()
            .filename(file)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
        for ddl in [
            "CREATE TABLE docs (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL, published INTEGER NOT NULL)",
            "CREATE TABLE doc_facets (rowid INTEGER NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL)",
            "CREATE VIRTUAL TABLE fts USING fts5(title, summary, body, tokenize = 'unicode61 remove_diacritics 2')",
        ] {
            writer.execute(ddl).await?;
        }
        let started = Instant::now();
        let mut batches = generate(vocab, seed, size, 2000);
        let mut rowid: i64 = 0;
        while let Some(batch) = batches.recv().await {
            let mut tx = writer.begin().await?;
            for r in &batch {
                rowid += 1;
                sqlx::query("INSERT INTO docs (rowid, id, kind, published) VALUES (?, ?, ?, ?)")
                    .bind(rowid)
                    .bind(r.id.to_string())
                    .bind(r.kind)
                    .bind(1_790_000_000 - i64::from(r.age_days) * 86_400)
                    .execute(&mut *tx)
                    .await?;
                let mut facets: Vec<(&str, String)> = vec![("kind", r.kind.to_string())];
                facets.extend(r.countries.iter().map(|c| ("country", c.to_string())));
                for s in &r.sdgs {
                    facets.push(("sdg", s.clone()));
                    if let Some((goal, _)) = s.split_once('.') {
                        facets.push(("sdg", goal.to_string()));
                    }
                }
                facets.extend(r.sectors.iter().map(|s| ("sector", s.clone())));
                facets.sort();
                facets.dedup();
                for (f, v) in facets {
                    sqlx::query("INSERT INTO doc_facets (rowid, facet, value) VALUES (?, ?, ?)")
                        .bind(rowid)
                        .bind(f)
                        .bind(v)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query("INSERT INTO fts (rowid, title, summary, body) VALUES (?, ?, ?, ?)")
                    .bind(rowid)
                    .bind(&r.title)
                    .bind(&r.summary)
                    .bind(r.body())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        }
        for ddl in [
            "CREATE INDEX doc_facets_value ON doc_facets (facet, value, rowid)",
            "CREATE INDEX doc_facets_rowid ON doc_facets (rowid)",
            "CREATE INDEX docs_published ON docs (published)",
            "INSERT INTO fts(fts) VALUES ('optimize')",
            "ANALYZE",
        ] {
            writer.execute(ddl).await?;
        }
        writer.close().await;
        let seconds = started.elapsed().as_secs_f64();
        let pool =
            SqlitePoolOptions::new().max_connections(connections.max(1)).connect_with(options.read_only(true)).await?;
        let fts_pages: i64 = sqlx::query_scalar("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'fts%'")
            .fetch_one(&pool)
            .await
            .unwrap_or(0);
        let total = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        let loaded = Loaded {
            seconds,
            records_per_second: size as f64 / seconds,
            index_bytes: fts_pages as u64,
            other_bytes: total.saturating_sub(fts_pages as u64),
            peak_memory_bytes: peak_rss(),
        };
        Ok((SqliteFts { pool }, loaded))
    }

    /// Top ten by `bm25()` with `snippet()` highlights, the total and facet counts.
    pub async fn search(&self, q: &Query) -> Result<Answer> {
        let matched = fts5_query(&q.q);
        let mut filter = String::new();
        let mut args: Vec<String> = Vec::new();
        for (facet, value) in [
            ("kind", q.kind.map(str::to_string)),
            ("country", q.country.map(str::to_string)),
            ("sdg", q.sdg.clone()),
            ("sector", q.sector.map(str::to_string)),
        ] {
            if let Some(v) = value {
                filter.push_str(" AND d.rowid IN (SELECT rowid FROM doc_facets WHERE facet = ? AND value = ?)");
                args.push(facet.to_string());
                args.push(v);
            }
        }
        let mut conn = self.pool.acquire().await?;
        let (top_sql, set_sql) = match &matched {
            Some(_) => (
                format!(
                    "SELECT d.id, bm25(fts, 3.0, 2.0, 1.0) AS s, snippet(fts, 2, '<mark>', '</mark>', '…', 16) AS h \
                     FROM fts JOIN docs d ON d.rowid = fts.rowid WHERE fts MATCH ?{filter} ORDER BY s LIMIT 10"
                ),
                format!("SELECT d.rowid FROM fts JOIN docs d ON d.rowid = fts.rowid WHERE fts MATCH ?{filter}"),
            ),
            None => (
                format!(
                    "SELECT d.id, -d.published AS s, '' AS h FROM docs d WHERE 1{filter} ORDER BY d.published DESC LIMIT 10"
                ),
                format!("SELECT d.rowid FROM docs d WHERE 1{filter}"),
            ),
        };
        fn bind_all<'q>(
            sql: &'q str,
            matched: &Option<String>,
            args: &[String],
        ) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
            let mut query = sqlx::query(sql);
            if let Some(m) = matched {
                query = query.bind(m.clone());
            }
            for a in args {
                query = query.bind(a.clone());
            }
            query
        }
        let rows = match bind_all(&top_sql, &matched, &args).fetch_all(&mut *conn).await {
            Ok(rows) => rows,
            // A query FTS5 cannot parse finds nothing (as a user would see it).
            Err(sqlx::Error::Database(e)) if e.message().contains("fts5") || e.message().contains("syntax") => {
                return Ok(Answer::default());
            }
            Err(e) => return Err(e.into()),
        };
        let ids: Vec<String> = rows.iter().map(|r| r.get::<String, _>("id")).collect();
        let facets_sql = format!(
            "WITH m AS MATERIALIZED ({set_sql}) \
             SELECT 'total' AS facet, NULL AS value, count(*) AS n FROM m \
             UNION ALL SELECT f.facet, f.value, count(*) FROM doc_facets f JOIN m ON m.rowid = f.rowid \
             WHERE f.facet <> 'sdg' OR instr(f.value, '.') = 0 GROUP BY f.facet, f.value"
        );
        let rows = bind_all(&facets_sql, &matched, &args).fetch_all(&mut *conn).await?;
        let total =
            rows.iter().find(|r| r.get::<String, _>("facet") == "total").map_or(0, |r| r.get::<i64, _>("n") as u64);
        Ok(Answer { ids, total })
    }
}

/// A query as FTS5 reads it: every word and phrase quoted (so nothing is an operator), all of
/// them required, exclusions with `NOT`. `None` when there is nothing to match.
pub fn fts5_query(q: &str) -> Option<String> {
    let clauses = banyan_search::query::parse(q).ok()?;
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let positive: Vec<String> =
        clauses.iter().filter(|c| !c.negated && !c.text.trim().is_empty()).map(|c| quote(&c.text)).collect();
    if positive.is_empty() {
        return None;
    }
    let mut out = positive.join(" AND ");
    for c in clauses.iter().filter(|c| c.negated && !c.text.trim().is_empty()) {
        out = format!("({out}) NOT {}", quote(&c.text));
    }
    Some(out)
}

/// How much two top-10 lists agree: the share of `reference` also in `other`.
pub fn overlap(reference: &[String], other: &[String]) -> Option<f64> {
    if reference.is_empty() {
        return None;
    }
    let theirs: BTreeSet<&String> = other.iter().collect();
    Some(reference.iter().filter(|id| theirs.contains(id)).count() as f64 / reference.len() as f64)
}
