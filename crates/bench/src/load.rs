//! `banyan bench load`: a real `banyan serve` process loaded with a seeded synthetic registry,
//! driven by `wrk` (Debian) over loopback with 90% reads and 10% writes; the same server's record
//! page and API read beside nginx (Debian) serving the same bytes as static files, the practical
//! ceiling; and a soak that watches the server's memory.
//!
//! Reads and writes are two `wrk` processes run at once, so that each has its own latency
//! distribution: reads on nine connections in ten (record pages, search pages, the search API
//! with facets, API reads of records and lists), writes on the tenth (new published records
//! through the API, with a curator's token).

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use banyan_store::{Actor, NewRecord, NewToken, Store};

use crate::corpus::{self, Vocabularies};

/// What to run.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// The `banyan` executable, run as `banyan serve`.
    pub banyan: PathBuf,
    /// A working folder (emptied first).
    pub dir: PathBuf,
    /// PostgreSQL instead of SQLite: a URL whose server may create databases; the registry
    /// goes in a database of its own, dropped afterwards.
    pub postgres_url: Option<String>,
    pub records: u64,
    /// Connections in all: nine in ten read, one in ten writes.
    pub connections: usize,
    pub seconds: u64,
    /// Seconds of each side of the comparison with nginx (0: none).
    pub ceiling_seconds: u64,
    /// Seconds of the soak (0: none).
    pub soak_seconds: u64,
    /// The longest wait for the machine to come to rest before the run (0: none).
    pub rest_seconds: u64,
    pub seed: u64,
}

/// What `wrk` measured in one run (printed by the scripts' `done`).
#[derive(Debug, Clone, Deserialize)]
pub struct WrkResult {
    pub requests: u64,
    pub duration_us: u64,
    pub connect_errors: u64,
    pub read_errors: u64,
    pub write_errors: u64,
    /// Answers other than 2xx and 3xx.
    pub status_errors: u64,
    pub timeouts: u64,
    pub p50_us: u64,
    pub p90_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
}

impl WrkResult {
    pub fn errors(&self) -> u64 {
        self.connect_errors + self.read_errors + self.write_errors + self.status_errors + self.timeouts
    }
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / (self.duration_us as f64 / 1e6).max(1e-9)
    }
}

/// The outcome: a Markdown report, whether every target was met, and the errors seen (which
/// the short run in the tests asserts; it asserts no timings).
pub struct LoadReport {
    pub markdown: String,
    pub passed: bool,
    pub errors: u64,
    pub requests: u64,
}

/// The read paths wrk chooses from, and the write script.
///
/// Each reading thread writes how many answers it has had to a file of its own in
/// `BANYAN_LOAD_COUNTS`, so that the writers can keep to one request in ten.
const READS_LUA: &str = r#"
local paths = {}
for line in io.lines(os.getenv("BANYAN_LOAD_PATHS")) do paths[#paths + 1] = line end
local counts = os.getenv("BANYAN_LOAD_COUNTS")
local counter = 0
local answered = 0
function setup(thread) counter = counter + 1; thread:set("id", counter) end
function init(args) math.randomseed(os.time() * 1000 + (id or 0)) end
function request() return wrk.format("GET", paths[math.random(#paths)]) end
function response(status, headers, body)
  answered = answered + 1
  if counts and answered % 20 == 0 then
    -- Written aside and renamed, so that a writer never reads a half-written count.
    local path = counts .. "/reads-" .. (id or 0)
    local f = io.open(path .. ".new", "w")
    if f then f:write(answered); f:close(); os.rename(path .. ".new", path) end
  end
end
"#;

/// Writes, one request in ten. Before each write a writer reserves the next one and reads the
/// readers' counts: when the reads have not yet reached nine for each write reserved, it waits
/// for as long as the missing reads take at the rate seen so far (at most 2 s). One thread makes
/// every write, so its count is all of them; wrk starts a request's clock after the wait.
const WRITES_LUA: &str = r#"
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } banyan_timespec; int clock_gettime(int, banyan_timespec *); ]]
local ts = ffi.new("banyan_timespec")
local function now() ffi.C.clock_gettime(1, ts); return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9 end
local token = os.getenv("BANYAN_LOAD_TOKEN")
local counts = os.getenv("BANYAN_LOAD_COUNTS")
local n = 0
local counter = 0
local reserved = 0
local started = now()
function setup(thread) counter = counter + 1; thread:set("id", counter) end
function init(args) math.randomseed(os.time() * 1000 + 7 * (id or 0)); started = now() end
function delay()
  if not counts then return 0 end
  reserved = reserved + 1
  local reads = 0
  for i = 1, 8 do
    local f = io.open(counts .. "/reads-" .. i, "r")
    if f then reads = reads + (f:read("*n") or 0); f:close() end
  end
  local missing = reserved * 9 - reads
  if missing <= 0 then return 0 end
  local rate = reads / math.max(now() - started, 0.5)
  if rate <= 0 then return 100 end
  return math.min(math.floor(missing / rate * 1000), 2000)
end
function request()
  n = n + 1
  local body = string.format(
    '{"kind":"idea","title":"Load test idea %d from thread %d, %d","lang":"en","status":"published",' ..
    '"sdgs":["16.6"],"details":{"problem":"Queues at the office","idea":"Book a slot by SMS"}}',
    n, id or 0, math.random(1000000000))
  return wrk.format("POST", "/api/v1/records",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
"#;

const GET_LUA: &str = r#"
function request() return wrk.format("GET", os.getenv("BANYAN_LOAD_PATH")) end
"#;

/// Appended to every script: one line of JSON on stdout.
const DONE_LUA: &str = r#"
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BANYAN_WRK {"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"status_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"#;

struct Wrk {
    child: Child,
    what: String,
}

impl Wrk {
    fn start(
        dir: &Path,
        script: &str,
        base: &str,
        threads: usize,
        connections: usize,
        seconds: u64,
        env: &[(&str, &str)],
    ) -> Result<Wrk> {
        static SCRIPTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = SCRIPTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = dir.join(format!("wrk-{n}.lua"));
        std::fs::write(&path, format!("{script}\n{DONE_LUA}"))?;
        let mut cmd = Command::new("wrk");
        cmd.args(["-t", &threads.min(connections).max(1).to_string()])
            .args(["-c", &connections.max(1).to_string()])
            .args(["-d", &format!("{seconds}s"), "--timeout", "10s", "-s"])
            .arg(&path)
            .arg(base)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().context("running wrk (Debian package wrk)")?;
        Ok(Wrk { child, what: format!("wrk -c {connections} {base}") })
    }

    fn finish(self) -> Result<WrkResult> {
        let out = self.child.wait_with_output()?;
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text.lines().find_map(|l| l.strip_prefix("BANYAN_WRK ")).with_context(|| {
            format!("{} printed no result: {text}{}", self.what, String::from_utf8_lossy(&out.stderr))
        })?;
        Ok(serde_json::from_str(line)?)
    }
}

/// Readers and writers at once, the writers keeping to one request in ten.
struct Mix {
    reads: Wrk,
    writes: Wrk,
}

impl Mix {
    fn start(
        dir: &Path,
        base: &str,
        paths: &str,
        token: &str,
        (read_threads, readers): (usize, usize),
        writers: usize,
        seconds: u64,
    ) -> Result<Mix> {
        // A new run counts from zero.
        let counts = dir.join("counts");
        let _ = std::fs::remove_dir_all(&counts);
        std::fs::create_dir_all(&counts)?;
        let counts = counts.display().to_string();
        let reads = Wrk::start(
            dir,
            READS_LUA,
            base,
            read_threads,
            readers,
            seconds,
            &[("BANYAN_LOAD_PATHS", paths), ("BANYAN_LOAD_COUNTS", &counts)],
        )?;
        let writes = Wrk::start(
            dir,
            WRITES_LUA,
            base,
            1,
            writers,
            seconds,
            &[("BANYAN_LOAD_TOKEN", token), ("BANYAN_LOAD_COUNTS", &counts)],
        )?;
        Ok(Mix { reads, writes })
    }

    fn finish(self) -> Result<(WrkResult, WrkResult)> {
        Ok((self.reads.finish()?, self.writes.finish()?))
    }
}

/// A `banyan serve` process.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(opts: &LoadOptions, data_dir: &Path, url: Option<&str>) -> Result<Server> {
        let mut cmd = Command::new(&opts.banyan);
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--log", "warn", "--data-dir"])
            .arg(data_dir)
            .env_remove("BANYAN_DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(url) = url {
            cmd.args(["--database-url", url]);
        }
        let mut child = cmd.spawn().context("starting banyan serve")?;
        let stderr = child.stderr.take().expect("piped");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split_once("is serving ").map(|(_, r)| r.to_string()) {
                    let _ = tx.send(rest.split_whitespace().next().unwrap_or_default().to_string());
                } else if line.contains("ERROR") || line.contains("panicked") {
                    eprintln!("server: {line}");
                }
            }
        });
        let base = rx.recv_timeout(Duration::from_secs(1800)).context("banyan serve did not start")?;
        Ok(Server { child, base })
    }

    /// Resident memory, in bytes.
    fn rss(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            })
            .map_or(0, |kb: u64| kb * 1024)
    }

    fn stop(mut self) -> Result<bool> {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        Ok(self.child.wait()?.success())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until the machine's cores are nearly idle (under a tenth of one core busy, two seconds
/// running) or `max` has passed; whether it came to rest.
async fn wait_for_rest(max: Duration) -> bool {
    /// Busy and total jiffies of all cores, from the first line of /proc/stat.
    fn jiffies() -> Option<(u64, u64)> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let fields: Vec<u64> = stat.lines().next()?.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
        let total: u64 = fields.iter().take(8).sum();
        // idle and iowait
        let idle = fields.get(3)? + fields.get(4)?;
        Some((total - idle, total))
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let started = Instant::now();
    let mut quiet = 0;
    let Some(mut last) = jiffies() else { return true };
    while started.elapsed() < max {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let Some(now) = jiffies() else { return true };
        let busy = (now.0 - last.0) as f64 / (now.1 - last.1).max(1) as f64 * cores;
        last = now;
        quiet = if busy < 0.1 { quiet + 1 } else { 0 };
        if quiet >= 2 {
            return true;
        }
    }
    false
}

/// nginx serving a folder on a port of its own, stopped when dropped.
struct Nginx {
    child: Child,
    base: String,
}

impl Nginx {
    fn start(dir: &Path, root: &Path) -> Result<Nginx> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let conf = dir.join("nginx.conf");
        std::fs::write(
            &conf,
            format!(
                "worker_processes auto;\npid {pid};\nerror_log {err} warn;\nevents {{ worker_connections 4096; }}\n\
                 http {{\n  access_log off;\n  default_type application/octet-stream;\n  sendfile on;\n  keepalive_requests 1000000;\n\
                 client_body_temp_path {tmp};\n  proxy_temp_path {tmp};\n  fastcgi_temp_path {tmp};\n  uwsgi_temp_path {tmp};\n  scgi_temp_path {tmp};\n\
                 server {{ listen 127.0.0.1:{port}; root {root}; }}\n}}\n",
                pid = dir.join("nginx.pid").display(),
                err = dir.join("nginx-error.log").display(),
                tmp = dir.display(),
                root = root.display(),
            ),
        )?;
        let child = Command::new("nginx")
            .arg("-c")
            .arg(&conf)
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("running nginx (Debian package nginx-light)")?;
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(Nginx { child, base });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!("nginx did not start; see {}", dir.join("nginx-error.log").display())
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-QUIT").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

fn tool_version(cmd: &str, arg: &str) -> String {
    Command::new(cmd)
        .arg(arg)
        .output()
        .map(|o| {
            let s = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
            s.lines().next().unwrap_or_default().trim().to_string()
        })
        .unwrap_or_else(|_| format!("{cmd}: not found"))
}

/// Writes `n` seeded synthetic records (published) through the store, in batches.
async fn seed(
    store: &dyn Store,
    vocab: Arc<Vocabularies>,
    seed: u64,
    n: u64,
    progress: &(dyn Fn(&str) + Send + Sync),
) -> Result<Vec<corpus::GenRecord>> {
    let actor = Actor::importer("load");
    let mut sample = Vec::new();
    let mut batches = crate::engines::generate(vocab, seed, n, 500);
    let mut written = 0;
    let started = Instant::now();
    while let Some(batch) = batches.recv().await {
        let mut news = Vec::with_capacity(batch.len());
        for r in &batch {
            let input = banyan_domain::RecordInput::from_json(&r.to_json(), banyan_domain::record::InputMode::Create)
                .map_err(|v| anyhow::anyhow!("generated record {}: {v}", r.id))?;
            let mut new = NewRecord::local(input, "https://load.banyan.test");
            new.id = banyan_domain::RecordId(r.id);
            news.push(new);
        }
        store.create_records(&news, &actor).await?;
        written += batch.len() as u64;
        // Every 97th record is a target of the read mix.
        sample.extend(batch.into_iter().enumerate().filter(|(i, _)| i % 97 == 0).map(|(_, r)| r));
        if written % 10_000 == 0 || written == n {
            progress(&format!("seeded {written} of {n} records ({:.0} s)", started.elapsed().as_secs_f64()));
        }
    }
    Ok(sample)
}

/// The read mix: record pages, search pages, the search API with facets and a filter, API reads
/// of records, and API lists.
fn read_paths(sample: &[corpus::GenRecord]) -> Vec<String> {
    let mut paths = Vec::new();
    for (i, r) in sample.iter().enumerate() {
        let word: String =
            r.title.split_whitespace().next().unwrap_or("land").chars().filter(|c| c.is_alphanumeric()).collect();
        let word = url::form_urlencoded::byte_serialize(word.as_bytes()).collect::<String>();
        paths.push(format!("/records/{}", r.id));
        paths.push(format!("/records/{}", r.id));
        paths.push(format!("/api/v1/records/{}", r.id));
        paths.push(format!("/api/v1/search?q={word}&facets=true&limit=10"));
        paths.push(format!("/api/v1/search?q={word}&kind={}&facets=true&limit=10", r.kind));
        paths.push(format!("/search?q={word}"));
        if i % 2 == 0 {
            paths.push(format!("/api/v1/records?kind={}&limit=20", r.kind));
        }
    }
    paths
}

fn ms(us: u64) -> String {
    format!("{:.1}", us as f64 / 1000.0)
}

fn mb(bytes: u64) -> String {
    format!("{:.0}", bytes as f64 / 1_048_576.0)
}

/// The start of a backend's section of the report (`sqlite` or `postgres`), by which a run of
/// one backend finds the other's section to keep.
pub fn section_heading(backend: &str) -> String {
    format!("## {},", if backend == "postgres" { "PostgreSQL" } else { "SQLite" })
}

/// Runs the whole load test and reports.
pub async fn run(opts: LoadOptions, progress: &(dyn Fn(&str) + Send + Sync)) -> Result<LoadReport> {
    let _ = std::fs::remove_dir_all(&opts.dir);
    std::fs::create_dir_all(&opts.dir)?;
    let dir = opts.dir.canonicalize()?;
    let data_dir = dir.join("data");
    let backend = if opts.postgres_url.is_some() { "PostgreSQL" } else { "SQLite" };

    // A database of its own on PostgreSQL.
    let mut pg_version = String::new();
    let database = match &opts.postgres_url {
        Some(admin) => {
            let name = format!("banyan_load_{}", std::process::id());
            let pool = sqlx::PgPool::connect(admin).await.context("connecting to PostgreSQL")?;
            pg_version = sqlx::query_scalar::<_, String>("SHOW server_version").fetch_one(&pool).await?;
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&pool).await?;
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&pool).await?;
            pool.close().await;
            let url = match admin.rsplit_once('/') {
                Some((base, _)) => format!("{base}/{name}"),
                None => bail!("the PostgreSQL URL must end with a database name"),
            };
            Some((admin.clone(), name, url))
        }
        None => None,
    };
    let url = database.as_ref().map(|(_, _, url)| url.clone());

    // Seed, and make a curator's token for the writers.
    progress(&format!("seeding {} records on {backend}", opts.records));
    let seeded = Instant::now();
    let store: Arc<dyn Store> = match &url {
        Some(url) => Arc::new(banyan_store_postgres_open(url).await?),
        None => Arc::new(banyan_store_sqlite::open(&data_dir).await?),
    };
    let vocab = Arc::new(Vocabularies::new(opts.seed));
    let sample = seed(store.as_ref(), vocab, opts.seed, opts.records, progress).await?;
    let token = banyan_web::new_token_secret();
    store
        .create_token(
            NewToken {
                id: banyan_domain::TokenId::new(),
                name: "load test".into(),
                role: banyan_domain::Role::Curator,
                secret_hash: banyan_web::token_hash(&token),
                expires_at: None,
                user_id: None,
                scopes: Vec::new(),
            },
            &Actor::cli(),
        )
        .await?;
    drop(store);
    let seed_seconds = seeded.elapsed().as_secs_f64();

    // The server builds its index from the change log on start.
    progress("starting banyan serve and indexing");
    let indexed = Instant::now();
    let server = Server::start(&opts, &data_dir, url.as_deref())?;
    let client = reqwest::Client::new();
    loop {
        let total = client
            .get(format!("{}/api/v1/search?limit=1", server.base))
            .send()
            .await?
            .json::<serde_json::Value>()
            .await?["total"]
            .as_u64()
            .unwrap_or(0);
        if total >= opts.records {
            break;
        }
        if indexed.elapsed() > Duration::from_secs(3600) {
            bail!("the index did not catch up in an hour: {total} of {}", opts.records);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let index_seconds = indexed.elapsed().as_secs_f64();
    // Once indexed, the index still merges its segments, and PostgreSQL vacuums and analyses
    // the tables just filled: both would take cores from the measured run.
    let settled = Instant::now();
    if opts.rest_seconds > 0 {
        progress("waiting for the machine to come to rest");
    }
    let at_rest = opts.rest_seconds > 0 && wait_for_rest(Duration::from_secs(opts.rest_seconds)).await;
    let rest_seconds = settled.elapsed().as_secs_f64();

    let paths = read_paths(&sample);
    let paths_file = dir.join("paths.txt");
    std::fs::write(&paths_file, paths.join("\n") + "\n")?;
    let paths_env = paths_file.display().to_string();
    let readers = (opts.connections * 9 / 10).max(1);
    let writers = (opts.connections - readers).max(1);

    // Warm-up, then the measured run.
    progress("warming up");
    Wrk::start(&dir, READS_LUA, &server.base, 2, readers, 5, &[("BANYAN_LOAD_PATHS", &paths_env)])?.finish()?;
    progress(&format!("{} s with {readers} reading and {writers} writing connections", opts.seconds));
    let rss_before = server.rss();
    let (reads, writes) =
        Mix::start(&dir, &server.base, &paths_env, &token, (2, readers), writers, opts.seconds)?.finish()?;
    let rss_after_run = server.rss();

    // The same mix at a tenth of the connections: what one request costs when it does not
    // queue behind two hundred others (not a target; it tells queueing from work).
    let light = (opts.connections / 10).max(2);
    let light_writers = (light / 10).max(1);
    let light_readers = light - light_writers;
    progress(&format!("{} s with {light_readers} reading and {light_writers} writing connections", opts.seconds));
    let (light_reads, light_writes) =
        Mix::start(&dir, &server.base, &paths_env, &token, (1, light_readers), light_writers, opts.seconds)?
            .finish()?;

    // The ceiling: the same bytes from nginx.
    let mut ceiling = Vec::new();
    if opts.ceiling_seconds > 0 {
        let id = sample[0].id;
        let static_root = dir.join("static");
        std::fs::create_dir_all(&static_root)?;
        let pairs = [
            ("record page", format!("/records/{id}"), "record.html"),
            ("API read of a record", format!("/api/v1/records/{id}"), "record.json"),
        ];
        for (_, path, file) in &pairs {
            let bytes = client.get(format!("{}{path}", server.base)).send().await?.error_for_status()?.bytes().await?;
            std::fs::write(static_root.join(file), &bytes)?;
        }
        let nginx = Nginx::start(&dir, &static_root)?;
        for (what, path, file) in &pairs {
            progress(&format!("{what}: Banyan beside nginx, {} s each", opts.ceiling_seconds));
            let banyan = Wrk::start(
                &dir,
                GET_LUA,
                &server.base,
                2,
                opts.connections,
                opts.ceiling_seconds,
                &[("BANYAN_LOAD_PATH", path)],
            )?
            .finish()?;
            let file_path = format!("/{file}");
            let static_file = Wrk::start(
                &dir,
                GET_LUA,
                &nginx.base,
                2,
                opts.connections,
                opts.ceiling_seconds,
                &[("BANYAN_LOAD_PATH", &file_path)],
            )?
            .finish()?;
            let size = std::fs::metadata(static_root.join(file))?.len();
            ceiling.push((*what, size, banyan, static_file));
        }
    }

    // The soak: the same mix for longer, watching memory.
    let mut soak = None;
    if opts.soak_seconds > 0 {
        progress(&format!("soak: {} s", opts.soak_seconds));
        let start_rss = server.rss();
        let mix = Mix::start(&dir, &server.base, &paths_env, &token, (2, readers), writers, opts.soak_seconds)?;
        let mut samples = vec![start_rss];
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(opts.soak_seconds) {
            tokio::time::sleep(Duration::from_secs(30).min(Duration::from_secs(opts.soak_seconds))).await;
            samples.push(server.rss());
        }
        let (reads, writes) = mix.finish()?;
        samples.push(server.rss());
        soak = Some((reads, writes, samples));
    }
    let clean = server.stop()?;
    if let Some((admin, name, _)) = &database {
        let pool = sqlx::PgPool::connect(admin).await?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&pool).await?;
    }

    // The report.
    let m = crate::machine(pg_version.clone());
    let rest = if opts.rest_seconds == 0 {
        "measured at once".to_string()
    } else if at_rest {
        format!("at rest {rest_seconds:.0} s later")
    } else {
        format!("still busy {rest_seconds:.0} s later (the run went ahead)")
    };
    let mut md = String::new();
    let mut passed = true;
    let mut target = |md: &mut String, what: String, ok: bool| {
        passed &= ok;
        let _ = writeln!(md, "- {what} — {}", if ok { "met" } else { "**missed**" });
    };
    let heading = section_heading(if opts.postgres_url.is_some() { "postgres" } else { "sqlite" });
    let _ = writeln!(md, "{heading} {} records\n", opts.records);
    let _ = writeln!(
        md,
        "Run on {}: {} ({} cores, {} GB RAM){}; {}, {}. Seeded in {:.0} s, indexed by the starting server in {:.0} s, {rest}.\n",
        chrono::Utc::now().format("%Y-%m-%d"),
        m.cpu,
        m.cores,
        m.memory_gb,
        if pg_version.is_empty() { String::new() } else { format!(", PostgreSQL {pg_version}") },
        tool_version("wrk", "--version").split(" Copyright").next().unwrap_or_default(),
        tool_version("nginx", "-v"),
        seed_seconds,
        index_seconds,
    );
    let _ = writeln!(
        md,
        "| {} s, {} connections | requests | per second | errors | p50 ms | p90 ms | p99 ms | max ms |",
        opts.seconds, opts.connections
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|");
    for (what, r) in [
        (format!("reads ({readers} connections)"), &reads),
        (format!("writes ({writers} connections)"), &writes),
        (format!("reads, light load ({light_readers} connections)"), &light_reads),
        (
            format!("writes, light load ({light_writers} connection{})", if light_writers == 1 { "" } else { "s" }),
            &light_writes,
        ),
    ] {
        let _ = writeln!(
            md,
            "| {what} | {} | {:.0} | {} | {} | {} | {} | {} |",
            r.requests,
            r.per_second(),
            r.errors(),
            ms(r.p50_us),
            ms(r.p90_us),
            ms(r.p99_us),
            ms(r.max_us)
        );
    }
    let share = writes.requests as f64 / (reads.requests + writes.requests).max(1) as f64 * 100.0;
    let _ = writeln!(
        md,
        "\nWrites were {share:.1}% of the requests. Server memory: {} MB before, {} MB after. \
         The light-load rows run the same mix afterwards at a tenth of the connections: every \
         connection waits for its answer before it asks again, so at full load a request's wait \
         is mostly the queue ahead of it (connections ÷ throughput), and at light load mostly its \
         own work.\n",
        mb(rss_before),
        mb(rss_after_run)
    );
    if !ceiling.is_empty() {
        let _ = writeln!(
            md,
            "| same bytes, {} connections, {} s each | size | Banyan req/s | nginx req/s | Banyan ÷ nginx | Banyan p99 ms | nginx p99 ms |",
            opts.connections, opts.ceiling_seconds
        );
        let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|");
        for (what, size, b, n) in &ceiling {
            let _ = writeln!(
                md,
                "| {what} | {:.1} KB | {:.0} | {:.0} | {:.2} | {} | {} |",
                *size as f64 / 1024.0,
                b.per_second(),
                n.per_second(),
                b.per_second() / n.per_second().max(1e-9),
                ms(b.p99_us),
                ms(n.p99_us)
            );
        }
        let _ = writeln!(md);
    }
    let _ = writeln!(md, "Targets:\n");
    target(
        &mut md,
        format!(
            "no errors: {} on reads, {} on writes",
            reads.errors() + light_reads.errors(),
            writes.errors() + light_writes.errors()
        ),
        reads.errors() + light_reads.errors() + writes.errors() + light_writes.errors() == 0,
    );
    target(&mut md, format!("reads p99 under 250 ms: {} ms", ms(reads.p99_us)), reads.p99_us < 250_000);
    target(&mut md, format!("writes p99 under 500 ms: {} ms", ms(writes.p99_us)), writes.p99_us < 500_000);
    if let Some((r, w, samples)) = &soak {
        let first = samples[0].max(1);
        let peak = samples.iter().copied().max().unwrap_or(0);
        let last = *samples.last().unwrap_or(&0);
        let growth = (last as f64 / first as f64 - 1.0) * 100.0;
        target(
            &mut md,
            format!(
                "soak of {} min: memory growth under 20%: {} MB at the start, {} MB at the end ({growth:+.1}%, peak {} MB); {} reads and {} writes, {} errors, p99 {} / {} ms",
                opts.soak_seconds / 60,
                mb(first),
                mb(last),
                mb(peak),
                r.requests,
                w.requests,
                r.errors() + w.errors(),
                ms(r.p99_us),
                ms(w.p99_us)
            ),
            growth < 20.0 && r.errors() + w.errors() == 0,
        );
    }
    target(&mut md, "the server stopped cleanly on SIGTERM afterwards".to_string(), clean);
    let errors = reads.errors()
        + writes.errors()
        + light_reads.errors()
        + light_writes.errors()
        + soak.as_ref().map_or(0, |(r, w, _)| r.errors() + w.errors());
    let requests = reads.requests + writes.requests;
    Ok(LoadReport { markdown: md, passed, errors, requests })
}

async fn banyan_store_postgres_open(url: &str) -> Result<banyan_store_postgres::PostgresStore> {
    Ok(banyan_store_postgres::open(url, 8).await?)
}
