//! `banyan`: serve the registry, import and export records, manage API tokens.

mod config;
mod progress;

use std::io::{BufReader, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};

use banyan_domain::{Kind, Role, TokenId};
use banyan_import::{ApplyOptions, Report};
use banyan_store::{Actor, NewToken, Store};

use config::{Config, Overrides};

/// mimalloc rather than the C library's allocator. Under the load test a sixth of the server's
/// time went to glibc's malloc and free, from many threads at once (docs/reliability.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "banyan",
    version,
    about = "Banyan: an open exchange of innovations in public service delivery",
    long_about = "Banyan: an open exchange of innovations in public service delivery.\n\n\
                  Settings come from flags, then BANYAN_* environment variables (BANYAN_DATA_DIR, \
                  BANYAN_DATABASE_URL, BANYAN_LISTEN, …), then the TOML file named by --config, then defaults."
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Global {
    /// A TOML configuration file [env: BANYAN_CONFIG]
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The data folder, holding the SQLite database [env: BANYAN_DATA_DIR] [default: banyan-data]
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Use PostgreSQL at this postgres:// URL instead of SQLite [env: BANYAN_DATABASE_URL]
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    /// Log filter, such as info or banyan=debug [env: BANYAN_LOG]
    #[arg(long, global = true, value_name = "FILTER")]
    log: Option<String>,
    /// Log format [env: BANYAN_LOG_FORMAT]
    #[arg(long, global = true, value_parser = ["text", "json"])]
    log_format: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site and the API
    Serve(ServeArgs),
    /// Import records from a registry or a JSON Lines file
    Import {
        #[command(subcommand)]
        source: ImportSource,
    },
    /// Export records as JSON Lines or CSV, to standard output or a file
    Export(ExportArgs),
    /// Manage API tokens
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Rebuild the search index from the database (stop the server first)
    Reindex,
    /// Measure performance
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
    },
    /// Manage people's accounts
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage the peers this node harvests over OAI-PMH
    Peer {
        #[command(subcommand)]
        command: PeerCommand,
    },
    /// Write a consistent snapshot of the SQLite database to FILE while the server runs
    Backup { file: PathBuf },
    /// Put a backup made by `banyan backup` in place of the database (stop the server first);
    /// the search index is rebuilt
    Restore { file: PathBuf },
    /// Harvest the registered peers now (or one of them), and say what came
    Harvest {
        /// Only this peer's base URL
        #[arg(long)]
        peer: Option<String>,
    },
}

#[derive(Subcommand)]
enum PeerCommand {
    /// Register a peer by its public base URL (its OAI-PMH provider is at <URL>/oai)
    Add { base_url: String },
    /// List the peers and how their last harvest went
    List,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Make an account (the first admin, say). Without --password-stdin, prints a link to
    /// choose the password.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = parse_any_role, default_value = "member")]
        role: Role,
        /// The name shown to others
        #[arg(long, default_value = "Administrator")]
        name: String,
        /// Read the password from standard input
        #[arg(long)]
        password_stdin: bool,
    },
    /// Change an account's role
    Role {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = parse_any_role)]
        role: Role,
    },
}

fn parse_any_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("{s:?} is not a role: use member, curator or admin"))
}

#[derive(Subcommand)]
enum BenchWhat {
    /// Banyan's search beside PostgreSQL full-text search and SQLite FTS5, on a seeded
    /// synthetic corpus; writes docs/benchmarks.md and docs/benchmarks.json
    Search(BenchSearchArgs),
    /// Matching's precision@5 and nDCG@10 on the judged challenges, with each part of the score
    /// left out in turn; writes docs/matching.md
    Matching(BenchMatchingArgs),
    /// A running server under wrk: 90% reads and 10% writes, the record page and an API read
    /// beside nginx serving the same bytes, and a soak watching memory; on SQLite and
    /// PostgreSQL; writes docs/load.md
    Load(BenchLoadArgs),
}

#[derive(Args)]
struct BenchLoadArgs {
    /// Synthetic records to seed the registry with
    #[arg(long, default_value_t = 100_000)]
    records: u64,
    /// Connections in all (nine in ten read, one in ten writes)
    #[arg(long, default_value_t = 200)]
    connections: usize,
    /// Seconds of the mixed load
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Seconds of each side of the comparison with nginx (0: none)
    #[arg(long, default_value_t = 15)]
    ceiling_seconds: u64,
    /// Seconds of the soak (0: none)
    #[arg(long, default_value_t = 600)]
    soak_seconds: u64,
    /// The longest wait, once the index is built, for the machine to come to rest (the index
    /// merging, PostgreSQL vacuuming) before the run; 0 for none
    #[arg(long, default_value_t = 600)]
    rest_seconds: u64,
    /// The backends the soak runs on
    #[arg(long, value_delimiter = ',', default_value = "sqlite")]
    soak_on: Vec<String>,
    /// Backends to run: sqlite, postgres. A backend not run keeps its section of an existing
    /// report, with that run's date
    #[arg(long, value_delimiter = ',', default_value = "sqlite,postgres")]
    backends: Vec<String>,
    /// PostgreSQL server (a database is made and dropped there)
    #[arg(long, env = "BANYAN_BENCH_POSTGRES_URL", default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres_url: String,
    /// Where the servers' files go
    #[arg(long, default_value = "banyan-bench/load")]
    dir: PathBuf,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// The report
    #[arg(long, default_value = "docs/load.md")]
    out: PathBuf,
}

#[derive(Args)]
struct BenchMatchingArgs {
    /// The folder holding the DPG registry (`dpg-publicgoods-candidates/`) and the IPS
    /// explorer (`ips-explorer/cases.json`), the public data the judged challenges refer to
    #[arg(long)]
    data: PathBuf,
    /// Where the report goes
    #[arg(long, default_value = "docs/matching.md")]
    out: PathBuf,
}

#[derive(Args)]
struct BenchSearchArgs {
    /// Corpus sizes, comma-separated
    #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
    sizes: Vec<u64>,
    /// Queries in the log
    #[arg(long, default_value_t = 10_000)]
    queries: usize,
    /// Concurrent clients, comma-separated
    #[arg(long, value_delimiter = ',', default_value = "1,8,32")]
    concurrency: Vec<usize>,
    /// Engines to run: banyan, postgres, sqlite
    #[arg(long, value_delimiter = ',', default_value = "banyan,postgres,sqlite")]
    engines: Vec<String>,
    /// PostgreSQL server for its engine (a database is made and dropped there)
    #[arg(long, env = "BANYAN_BENCH_POSTGRES_URL", default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres_url: String,
    /// Where the engines' files go: several GB at a million records
    #[arg(long, default_value = "banyan-bench")]
    dir: PathBuf,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Most seconds one engine spends on one concurrency level
    #[arg(long, default_value_t = 600)]
    budget_secs: u64,
    /// The report (the JSON goes beside it)
    #[arg(long, default_value = "docs/benchmarks.md")]
    out: PathBuf,
    /// Keep the engines' files afterwards
    #[arg(long)]
    keep: bool,
    /// Only write the Markdown report again from the JSON beside it
    #[arg(long)]
    report_only: bool,
}

#[derive(Args)]
struct ServeArgs {
    /// The address to listen on [env: BANYAN_LISTEN] [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// The address clients reach this node at [env: BANYAN_PUBLIC_URL]
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// Serve demo content: in a throw-away data folder, or loaded into --data-dir if it is empty
    #[arg(long)]
    demo: bool,
}

#[derive(Subcommand)]
enum ImportSource {
    /// The Digital Public Goods Alliance registry folder (publicgoods-candidates), as solutions
    Dpg {
        dir: PathBuf,
        /// Report what would change without writing
        #[arg(long)]
        dry_run: bool,
    },
    /// The EU Innovative Public Services explorer's cases.json, as practices
    Ips {
        file: PathBuf,
        #[arg(long)]
        dry_run: bool,
    },
    /// A JSON Lines file, as `banyan export jsonl` writes
    Jsonl {
        file: PathBuf,
        #[arg(long)]
        dry_run: bool,
    },
    /// A whole node, as `banyan export native` writes, into an empty node (from SQLite to
    /// PostgreSQL, say): everything or nothing
    Native {
        file: PathBuf,
        /// Check every row, the database's own checks included, and keep nothing
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Jsonl,
    Csv,
    /// The whole node, every table, to load into an empty node with `banyan import native`
    Native,
}

#[derive(Args)]
struct ExportArgs {
    format: ExportFormat,
    /// Only records of this kind
    #[arg(long, value_parser = parse_kind)]
    kind: Option<Kind>,
    /// Everything, with drafts and personal data (to move a node); otherwise only what the
    /// public may see
    #[arg(long)]
    all: bool,
    /// Write to this file instead of standard output
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    Kind::parse(s).map_err(|e| e.message)
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Make a token; it is printed once, on standard output
    Create {
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// What the token is for, to recognise it later
        #[arg(long, default_value = "api")]
        name: String,
        /// Expire after this many days
        #[arg(long, value_name = "DAYS")]
        expires_in_days: Option<u32>,
    },
    /// List tokens (never their secrets)
    List,
    /// Revoke a token by its id
    Revoke { id: String },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s)
        .filter(|r| r.is_staff())
        .ok_or_else(|| format!("{s:?} is not a role for a token: use admin or curator"))
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // The TLS provider of outgoing HTTPS (harvesting peers): ring, as sqlx uses.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let (listen, public_url) = match &cli.command {
        Command::Serve(s) => (s.listen.clone(), s.public_url.clone()),
        _ => (None, None),
    };
    let overrides = Overrides {
        data_dir: cli.global.data_dir.clone(),
        database_url: cli.global.database_url.clone(),
        listen,
        public_url,
        log: cli.global.log.clone(),
        log_format: cli.global.log_format.clone(),
    };
    let file = cli.global.config.clone().or_else(|| std::env::var_os("BANYAN_CONFIG").map(PathBuf::from));
    let config = Config::load(file.as_deref(), &overrides)?;
    init_logging(&config)?;
    match cli.command {
        Command::Serve(args) => serve(config, args.demo).await,
        Command::Import { source } => import(config, source).await,
        Command::Export(args) => export(config, args).await,
        Command::Token { command } => token(config, command).await,
        Command::User { command } => user(config, command).await,
        Command::Reindex => reindex(config).await,
        Command::Peer { command } => peer(config, command).await,
        Command::Backup { file } => backup(config, file).await,
        Command::Restore { file } => restore(config, file).await,
        Command::Harvest { peer } => harvest(config, peer).await,
        Command::Bench { what: BenchWhat::Search(args) } => bench_search(args).await,
        Command::Bench { what: BenchWhat::Load(args) } => bench_load(args).await,
        Command::Bench { what: BenchWhat::Matching(args) } => {
            let md = banyan_bench::matching::report(&args.data).await?;
            std::fs::write(&args.out, md).with_context(|| format!("writing {}", args.out.display()))?;
            println!("Wrote {}.", args.out.display());
            Ok(())
        }
    }
}

fn init_logging(config: &Config) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log).context("log filter")?;
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let result = if config.log_format == "json" { builder.json().try_init() } else { builder.try_init() };
    result.map_err(|e| anyhow::anyhow!("logging: {e}"))
}

/// Opens the configured database, creating and migrating it as needed.
async fn open_store(config: &Config, data_dir: &Path) -> anyhow::Result<Arc<dyn Store>> {
    Ok(match &config.database_url {
        Some(url) => Arc::new(banyan_store_postgres::open(url, config.database_max_connections).await?),
        None => Arc::new(
            banyan_store_sqlite::open(data_dir)
                .await
                .with_context(|| format!("opening the database in {}", data_dir.display()))?,
        ),
    })
}

fn describe(config: &Config, data_dir: &Path) -> String {
    match &config.database_url {
        Some(_) => "PostgreSQL".to_string(),
        None => format!("SQLite in {}", data_dir.display()),
    }
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    // A demo without a place of its own lives in a folder that goes when the server stops.
    let throwaway = if demo && config.data_dir.is_none() && config.database_url.is_none() {
        Some(tempfile::Builder::new().prefix("banyan-demo-").tempdir().context("a temporary data folder")?)
    } else {
        None
    };
    let data_dir = throwaway.as_ref().map_or_else(|| config.data_dir(), |t| t.path().to_path_buf());
    let store = open_store(&config, &data_dir).await?;
    let addr: SocketAddr = config.listen.parse().with_context(|| format!("listen address {:?}", config.listen))?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    let public_url = config.public_url.clone().unwrap_or_else(|| format!("http://{local}"));
    if demo {
        if banyan_import::demo::is_empty(store.as_ref()).await? {
            let loaded = banyan_import::demo::load(store.as_ref(), &public_url).await?;
            eprintln!(
                "Loaded demo content: {} organisations, {} records, {} procurement checklists, {} adoptions, {} simplified services.",
                loaded.organisations, loaded.records, loaded.checklists, loaded.adoptions, loaded.services
            );
        } else {
            eprintln!("The database already holds content; serving it without adding demo content.");
        }
    }
    let index_dir = data_dir.join("search");
    let indexer = banyan_search::indexer::open_current(&index_dir, store.clone())
        .await
        .with_context(|| format!("opening the search index in {}", index_dir.display()))?;
    let (stop_indexer, indexer_stopped) = tokio::sync::oneshot::channel::<()>();
    let indexing = tokio::spawn(indexer.clone().run(
        std::time::Duration::from_millis(config.index_poll_ms.max(50)),
        std::time::Duration::from_millis(config.index_refresh_ms),
        async {
            let _ = indexer_stopped.await;
        },
    ));
    let state = banyan_web::AppState::new(
        store.clone(),
        indexer,
        banyan_web::WebConfig {
            public_url: public_url.clone(),
            max_body_bytes: config.max_body_bytes,
            site_name: config.site_name.clone(),
            ocds_prefix: config.ocds_prefix.clone(),
            // The address in `Name <address>`.
            admin_email: config
                .mail_from
                .rsplit_once('<')
                .map_or(config.mail_from.as_str(), |(_, a)| a.trim_end_matches('>'))
                .trim()
                .to_string(),
            trust_forwarded_for: config.trust_forwarded_for,
            limits: Default::default(),
            admission: config.admission(),
        },
    );
    let (stop_mail, mail_stopped) = tokio::sync::watch::channel(false);
    let sender = config.smtp_url.clone().map(|url| {
        let smtp = banyan_web::mail::SmtpSettings { url, from: config.mail_from.clone() };
        tokio::spawn(banyan_web::mail::send_outbox(store.clone(), smtp, mail_stopped))
    });
    if sender.is_none() {
        eprintln!("No SMTP configured (smtp_url): mail waits in the outbox, which admins read at /admin/outbox.");
    }
    let harvesting = (config.harvest_every_secs > 0).then(|| {
        tokio::spawn(harvest_periodically(
            store.clone(),
            std::time::Duration::from_secs(config.harvest_every_secs),
            harvest_options(&config),
            stop_mail.subscribe(),
        ))
    });
    let shutdown = shutdown_signal()?;
    eprintln!(
        "Banyan {} is serving {public_url} ({}{}). Press Ctrl-C to stop.",
        env!("CARGO_PKG_VERSION"),
        describe(&config, &data_dir),
        if throwaway.is_some() { ", deleted on exit" } else { "" }
    );
    tracing::info!(%local, %public_url, "listening");
    banyan_web::serve(listener, state, shutdown).await?;
    let _ = stop_mail.send(true);
    if let Some(h) = harvesting {
        let _ = h.await;
    }
    let _ = stop_indexer.send(());
    let _ = indexing.await;
    if let Some(sender) = sender {
        let _ = sender.await;
    }
    eprintln!("Stopped.");
    Ok(())
}

/// A peer's base URL, checked as the API checks it.
fn peer_url(raw: &str) -> anyhow::Result<String> {
    banyan_web::api::peers::base_url(raw).map_err(|e| match e {
        banyan_web::problem::ApiError::Invalid(v) => anyhow::anyhow!("{raw:?}: {v}"),
        other => anyhow::anyhow!("{raw:?}: {other:?}"),
    })
}

async fn peer(config: Config, command: PeerCommand) -> anyhow::Result<()> {
    let data_dir = config.data_dir();
    let store = open_store(&config, &data_dir).await?;
    match command {
        PeerCommand::Add { base_url } => {
            let url = peer_url(&base_url)?;
            let peer = store.add_peer(&url, &Actor::cli()).await.map_err(|e| match e {
                banyan_store::StoreError::Invalid(v) => anyhow::anyhow!("{v}"),
                other => other.into(),
            })?;
            println!(
                "Added peer {} ({}). `banyan harvest` harvests it now; `banyan serve` does so periodically.",
                peer.base_url, peer.id
            );
        }
        PeerCommand::List => {
            for p in store.peers().await? {
                let last = p
                    .last_report
                    .as_ref()
                    .and_then(|r| serde_json::from_value::<banyan_federation::harvest::Report>(r.clone()).ok());
                println!(
                    "{}\tharvested until {}\t{}",
                    p.base_url,
                    p.harvested_until.map_or("never".to_string(), |t| t.to_rfc3339()),
                    last.map_or(String::new(), |r| r.summary())
                );
            }
        }
    }
    Ok(())
}

/// Harvests every peer (or one), printing what each harvest did. Fails when a harvest stopped
/// before its end.
async fn harvest(config: Config, only: Option<String>) -> anyhow::Result<()> {
    let data_dir = config.data_dir();
    let store = open_store(&config, &data_dir).await?;
    let only = only.map(|u| peer_url(&u)).transpose()?;
    let peers: Vec<_> =
        store.peers().await?.into_iter().filter(|p| only.as_ref().is_none_or(|o| *o == p.base_url)).collect();
    if peers.is_empty() {
        bail!("no peer to harvest: add one with `banyan peer add <URL>`");
    }
    let options = harvest_options(&config);
    let http = banyan_federation::harvest::client(&options);
    let mut failed = 0;
    for p in &peers {
        let report = banyan_federation::harvest::harvest(store.as_ref(), p, &http, &options).await?;
        println!("{}", report.summary());
        for problem in &report.problems {
            println!("  {}: {}", problem.identifier, problem.message);
        }
        failed += usize::from(report.failed.is_some());
    }
    if failed > 0 {
        bail!(
            "{failed} harvest(s) stopped before the end; what was read is kept, and the next harvest starts where this one did"
        );
    }
    Ok(())
}

/// Harvests every peer every `every`, until `stop`.
fn harvest_options(config: &Config) -> banyan_federation::harvest::Options {
    banyan_federation::harvest::Options {
        timeout: std::time::Duration::from_secs(config.harvest_timeout_secs.max(1)),
        ..Default::default()
    }
}

async fn harvest_periodically(
    store: Arc<dyn Store>,
    every: std::time::Duration,
    options: banyan_federation::harvest::Options,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let http = banyan_federation::harvest::client(&options);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
        let peers = match store.peers().await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "listing peers to harvest");
                continue;
            }
        };
        for p in &peers {
            match banyan_federation::harvest::harvest(store.as_ref(), p, &http, &options).await {
                Ok(r) if r.failed.is_some() => {
                    tracing::warn!(peer = %p.base_url, report = %r.summary(), "harvest stopped")
                }
                Ok(r) => tracing::info!(peer = %p.base_url, report = %r.summary(), "harvested"),
                Err(e) => tracing::warn!(peer = %p.base_url, error = %e, "harvest failed"),
            }
        }
    }
}

async fn bench_load(args: BenchLoadArgs) -> anyhow::Result<()> {
    for (flag, list) in [("--backends", &args.backends), ("--soak-on", &args.soak_on)] {
        if let Some(b) = list.iter().find(|b| !["sqlite", "postgres"].contains(&b.as_str())) {
            bail!("{flag}: unknown backend {b:?}; use sqlite or postgres");
        }
    }
    if args.records == 0 || args.connections < 2 || args.seconds == 0 {
        bail!("records and seconds must be above zero, and connections at least 2");
    }
    let mut md = String::from(
        "# Load test\n\nWritten by `banyan bench load` (crates/bench/src/load.rs); do not edit by hand. A `banyan serve` \
         process (release build) holds a seeded synthetic registry; two `wrk` processes on loopback drive it at once, \
         reads on nine connections in ten (record pages, search pages, the search API with facets and a filter, API \
         reads of records and lists) and writes on the tenth (published records through the API), which keep to \
         one request in ten: a writer waits while the writes are ahead of a ninth of the reads. The same mix \
         then runs at a tenth of the connections (light load). The record page and an API read are then compared \
         with nginx serving the same bytes as static files (the practical ceiling), and a soak runs the same mix \
         while the server's memory is sampled every 30 s.\n\n",
    );
    // A backend not run this time keeps its section of the report as it was.
    let previous = std::fs::read_to_string(&args.out).unwrap_or_default();
    let mut failed = Vec::new();
    for backend in ["sqlite", "postgres"] {
        if !args.backends.iter().any(|b| b == backend) {
            if let Some(at) = previous.find(&banyan_bench::load::section_heading(backend)) {
                let section = &previous[at..];
                let end = section[1..].find("\n## ").map_or(section.len(), |i| i + 1);
                md.push_str(section[..end].trim_end());
                md.push_str("\n\n");
            }
            continue;
        }
        let options = banyan_bench::load::LoadOptions {
            banyan: std::env::current_exe().context("finding the banyan executable")?,
            dir: args.dir.join(backend),
            postgres_url: (backend == "postgres").then(|| args.postgres_url.clone()),
            records: args.records,
            connections: args.connections,
            seconds: args.seconds,
            ceiling_seconds: args.ceiling_seconds,
            soak_seconds: if args.soak_on.iter().any(|b| b == backend) { args.soak_seconds } else { 0 },
            rest_seconds: args.rest_seconds,
            seed: args.seed,
        };
        let report = banyan_bench::load::run(options, &|line| eprintln!("{backend}: {line}")).await?;
        if !report.passed {
            failed.push(backend);
        }
        md.push_str(&report.markdown);
        md.push('\n');
    }
    std::fs::write(&args.out, md.trim_end().to_string() + "\n")
        .with_context(|| format!("writing {}", args.out.display()))?;
    println!("Wrote {}.", args.out.display());
    if !failed.is_empty() {
        bail!("targets missed on {}: see {}", failed.join(" and "), args.out.display());
    }
    Ok(())
}

async fn bench_search(args: BenchSearchArgs) -> anyhow::Result<()> {
    if args.report_only {
        banyan_bench::rewrite_report(&args.out)?;
        println!("Wrote {}.", args.out.display());
        return Ok(());
    }
    for e in &args.engines {
        if !["banyan", "postgres", "sqlite"].contains(&e.as_str()) {
            bail!("unknown engine {e:?}: use banyan, postgres or sqlite");
        }
    }
    if args.sizes.contains(&0) || args.queries == 0 || args.concurrency.contains(&0) {
        bail!("sizes, queries and concurrency must be above zero");
    }
    let options = banyan_bench::Options {
        sizes: args.sizes,
        queries: args.queries,
        concurrency: args.concurrency,
        engines: args.engines,
        dir: args.dir,
        postgres_url: Some(args.postgres_url),
        seed: args.seed,
        budget: std::time::Duration::from_secs(args.budget_secs),
        out: args.out,
        keep: args.keep,
    };
    let out = options.out.clone();
    banyan_bench::run(options, &|line| eprintln!("{line}")).await?;
    println!("Wrote {} and {}.", out.display(), out.with_extension("json").display());
    Ok(())
}

const POSTGRES_BACKUPS: &str = "with PostgreSQL, back up with pg_dump and restore with pg_restore, or move \
                                a node with `banyan export native` and `banyan import native` (see the README)";

async fn backup(config: Config, file: PathBuf) -> anyhow::Result<()> {
    if config.database_url.is_some() {
        bail!("`banyan backup` copies the SQLite database; {POSTGRES_BACKUPS}");
    }
    let started = std::time::Instant::now();
    banyan_store_sqlite::backup(&config.data_dir(), &file).await?;
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!(
        "Backed up to {} ({:.1} MB, checked) in {:.1} s. Restore it with `banyan restore {}`.",
        file.display(),
        size as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        file.display()
    );
    Ok(())
}

async fn restore(config: Config, file: PathBuf) -> anyhow::Result<()> {
    use banyan_search::{Error, SearchIndex, WriterOptions};
    if config.database_url.is_some() {
        bail!("`banyan restore` restores a SQLite backup; {POSTGRES_BACKUPS}");
    }
    let data_dir = config.data_dir();
    // A running server holds its index: refuse rather than pull the database from under it.
    if let Err(Error::Locked(_)) = SearchIndex::open(&data_dir.join("search"), WriterOptions::bulk()) {
        bail!("{} is in use by a running server: stop it first", data_dir.display());
    }
    banyan_store_sqlite::restore(&file, &data_dir).await?;
    println!("Restored {} into {}; rebuilding the search index.", file.display(), data_dir.display());
    let _ = std::fs::remove_dir_all(data_dir.join("search"));
    reindex(config).await
}

async fn reindex(config: Config) -> anyhow::Result<()> {
    use banyan_search::{Error, Indexer, SearchIndex, WriterOptions};
    let data_dir = config.data_dir();
    let store = open_store(&config, &data_dir).await?;
    let dir = data_dir.join("search");
    let index = match SearchIndex::open(&dir, WriterOptions::bulk()) {
        Ok(index) => index,
        Err(Error::Outdated { .. }) => SearchIndex::recreate(&dir, WriterOptions::bulk())?,
        Err(Error::Locked(_)) => {
            bail!("the search index in {} is in use: stop the server that uses it first", dir.display())
        }
        Err(e) => return Err(e.into()),
    };
    let started = std::time::Instant::now();
    let progress = progress::for_terminal();
    progress.start("Indexing", 0);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let indexer = Indexer::new(Arc::new(index), store);
    let applied = indexer
        .rebuild(&|n| {
            let before = done.swap(n, std::sync::atomic::Ordering::Relaxed);
            progress.advance(n.saturating_sub(before) as u64);
        })
        .await?;
    progress.finish();
    let seconds = started.elapsed().as_secs_f64();
    let index = indexer.index();
    println!(
        "Indexed {} documents in {seconds:.1} s ({:.0} per second); the index in {} takes {:.1} MB.",
        index.num_docs(),
        applied.indexed as f64 / seconds.max(0.001),
        dir.display(),
        index.size_on_disk() as f64 / 1e6,
    );
    Ok(())
}

/// Listens for Ctrl-C and SIGTERM from the moment it is called, not from when the returned
/// future is first polled: a signal that arrives as soon as the banner is printed still stops
/// the server cleanly (before, it could kill the process outright and leave the demo's
/// throw-away folder behind).
fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
        let mut interrupt = signal(SignalKind::interrupt()).context("listening for Ctrl-C")?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => {},
                _ = interrupt.recv() => {},
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

fn public_url(config: &Config) -> String {
    config.public_url.clone().unwrap_or_else(|| format!("http://{}", config.listen))
}

async fn import(config: Config, source: ImportSource) -> anyhow::Result<()> {
    let data_dir = config.data_dir();
    let (registry, dry_run) = match &source {
        ImportSource::Dpg { dry_run, .. } => (banyan_import::dpg::REGISTRY, *dry_run),
        ImportSource::Ips { dry_run, .. } => (banyan_import::ips::REGISTRY, *dry_run),
        ImportSource::Jsonl { dry_run, .. } => (banyan_import::jsonl::REGISTRY, *dry_run),
        ImportSource::Native { file, dry_run } => return import_native(config, file, *dry_run).await,
    };
    let mut report = Report::new(registry, dry_run);
    // Read the source before opening the database: a wrong path fails fast and writes nothing.
    let items = match &source {
        ImportSource::Dpg { dir, .. } => Some(banyan_import::dpg::read(dir, &mut report)?),
        ImportSource::Ips { file, .. } => Some(banyan_import::ips::read(file, &mut report)?),
        ImportSource::Jsonl { file, .. } => {
            if !file.is_file() {
                bail!("{} is not a file", file.display());
            }
            None
        }
        ImportSource::Native { .. } => unreachable!("loaded above"),
    };
    let store = open_store(&config, &data_dir).await?;
    let options = ApplyOptions { dry_run, base_url: &public_url(&config), actor: Actor::importer(registry) };
    let progress = progress::for_terminal();
    match (items, source) {
        (Some(items), _) => {
            banyan_import::apply(store.as_ref(), items, &options, progress.as_ref(), &mut report).await?
        }
        (None, ImportSource::Jsonl { file, .. }) => {
            let reader =
                BufReader::new(std::fs::File::open(&file).with_context(|| format!("opening {}", file.display()))?);
            banyan_import::jsonl::import(store.as_ref(), reader, &options, progress.as_ref(), &mut report).await?;
        }
        (None, _) => unreachable!("only JSON Lines is read while importing"),
    }
    print!("{report}");
    Ok(())
}

/// Loads a native dump into the empty node of `config`.
async fn import_native(config: Config, file: &Path, dry_run: bool) -> anyhow::Result<()> {
    let input = BufReader::new(std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?);
    let data_dir = config.data_dir();
    let store = open_store(&config, &data_dir).await?;
    let started = std::time::Instant::now();
    let (header, counts) = banyan_import::native::import(store.as_ref(), input, dry_run).await?;
    let rows: u64 = counts.values().sum();
    let records = counts.get("records").copied().unwrap_or(0);
    if dry_run {
        println!(
            "Checked {rows} rows ({records} records) of a dump of {} made {}: all would load into {}. Nothing was written.",
            header.backend,
            header.made_at,
            describe(&config, &data_dir)
        );
    } else {
        println!(
            "Loaded {rows} rows ({records} records) of a dump of {} made {} into {} in {:.1} s. The search index \
             is built when the server starts.",
            header.backend,
            header.made_at,
            describe(&config, &data_dir),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Creates (or empties) a file that only its owner may read: exports with personal data. A
/// file that was there already is made private too.
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    Ok(file)
}

async fn export(config: Config, args: ExportArgs) -> anyhow::Result<()> {
    let native = matches!(args.format, ExportFormat::Native);
    if native && args.kind.is_some() {
        bail!("--kind: a native export is always the whole node; use `export jsonl --kind` for one kind");
    }
    let store = open_store(&config, &config.data_dir()).await?;
    let options = banyan_import::export::ExportOptions { kind: args.kind, all: args.all };
    let progress = progress::for_terminal();
    let private = native || args.all;
    let mut out: Box<dyn Write + Send> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            if private { create_private(path) } else { std::fs::File::create(path) }
                .with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let n = match args.format {
        ExportFormat::Native => {
            let counts = banyan_import::native::export(store.as_ref(), &mut out).await?;
            let rows: u64 = counts.values().sum();
            eprintln!(
                "Exported the whole node: {rows} rows of {} tables, {} records. The file holds personal data and \
                 password hashes: keep it as carefully as the database.",
                counts.len(),
                counts.get("records").copied().unwrap_or(0)
            );
            return Ok(());
        }
        ExportFormat::Jsonl => {
            banyan_import::export::jsonl(store.as_ref(), &mut out, options, progress.as_ref()).await?
        }
        ExportFormat::Csv => banyan_import::export::csv(store.as_ref(), &mut out, options, progress.as_ref()).await?,
    };
    out.flush()?;
    eprintln!("Exported {n} records{}.", if args.all { " (all, with personal data)" } else { " (public)" });
    Ok(())
}

async fn token(config: Config, command: TokenCommand) -> anyhow::Result<()> {
    let store = open_store(&config, &config.data_dir()).await?;
    match command {
        TokenCommand::Create { role, name, expires_in_days } => {
            let secret = banyan_web::new_token_secret();
            let expires_at = expires_in_days.map(|d| chrono::Utc::now() + chrono::Duration::days(i64::from(d)));
            let token = NewToken {
                id: TokenId::new(),
                name: name.clone(),
                role,
                secret_hash: banyan_web::token_hash(&secret),
                expires_at,
                user_id: None,
                scopes: Vec::new(),
            };
            let info = store.create_token(token, &Actor::cli()).await?;
            println!("{secret}");
            if std::io::stdout().is_terminal() {
                eprintln!();
            }
            eprintln!(
                "Created {} token {:?} ({}). It is shown once: keep it secret. Use it as `Authorization: Bearer <token>`.",
                role.as_str(),
                name,
                info.id
            );
        }
        TokenCommand::List => {
            let tokens = store.list_tokens(None).await?;
            if tokens.is_empty() {
                eprintln!("No tokens. Make one with `banyan token create --role admin`.");
            }
            for t in tokens {
                let state = match (t.revoked_at, t.expires_at) {
                    (Some(at), _) => format!("revoked {}", at.format("%Y-%m-%d")),
                    (None, Some(at)) if at < chrono::Utc::now() => format!("expired {}", at.format("%Y-%m-%d")),
                    (None, Some(at)) => format!("expires {}", at.format("%Y-%m-%d")),
                    (None, None) => "active".to_string(),
                };
                let used = t
                    .last_used_at
                    .map_or("never used".to_string(), |at| format!("last used {}", at.format("%Y-%m-%d %H:%M")));
                println!("{}  {:<8} {:<24} {state}, {used}", t.id, t.role.as_str(), t.name);
            }
        }
        TokenCommand::Revoke { id } => {
            let id = TokenId::parse(&id)
                .map_err(|_| anyhow::anyhow!("{id:?} is not a token id (see `banyan token list`)"))?;
            if !store.revoke_token(id, &Actor::cli()).await? {
                bail!("there is no active token {id}");
            }
            eprintln!("Revoked token {id}.");
        }
    }
    Ok(())
}

async fn user(config: Config, command: UserCommand) -> anyhow::Result<()> {
    use banyan_domain::Email;
    use banyan_store::{NewUser, UserChange};
    let store = open_store(&config, &config.data_dir()).await?;
    match command {
        UserCommand::Create { email, role, name, password_stdin } => {
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("--email {}", e.message))?;
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                let password = line.trim_end_matches(['\r', '\n']).to_string();
                banyan_domain::account::check_password(&password, Some(&email))
                    .map_err(|m| anyhow::anyhow!("the password {m}"))?;
                Some(password)
            } else {
                None
            };
            // Without a password, the account gets one nobody knows, and a link to choose one.
            let hash = banyan_web::hash_password(&password.clone().unwrap_or_else(banyan_web::new_token_secret))
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.problem().detail))?;
            let user = store
                .create_user(
                    NewUser { email: email.clone(), name, password_hash: hash, role, verified: true },
                    &Actor::cli(),
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            eprintln!("Created {} account {} for {email}.", role.as_str(), user.id);
            if password.is_none() {
                let secret = banyan_web::auth::random_secret("");
                let now = chrono::Utc::now();
                store
                    .create_one_time_token(banyan_store::OneTimeToken {
                        hash: banyan_web::token_hash(&secret),
                        purpose: banyan_store::Purpose::ResetPassword,
                        user_id: Some(user.id),
                        email: Some(email),
                        data: serde_json::json!({}),
                        created_at: now,
                        expires_at: now + chrono::Duration::hours(24),
                    })
                    .await?;
                println!("{}/reset/{secret}", public_url(&config));
                eprintln!("Open that link within 24 hours to choose the password.");
            }
        }
        UserCommand::Role { email, role } => {
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("--email {}", e.message))?;
            let found =
                store.user_auth(&email).await?.ok_or_else(|| anyhow::anyhow!("there is no account for {email}"))?;
            store
                .update_user(found.user.id, UserChange { role: Some(role), ..Default::default() }, &Actor::cli())
                .await?;
            eprintln!("{email} is now {}.", role.as_str());
        }
    }
    Ok(())
}
