//! Configuration: defaults, then an optional TOML file, then `BANYAN_*` environment variables,
//! then command-line flags; each overrides the one before.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Every setting. In the TOML file and as `BANYAN_<NAME>` environment variables they have these
/// names (`data_dir`, `BANYAN_DATA_DIR`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The data folder: the SQLite database and the search index (`search/`). Default
    /// `banyan-data`. With PostgreSQL it still holds this server's own search index, so several
    /// servers on one database each need their own.
    pub data_dir: Option<PathBuf>,
    /// A `postgres://` URL to use PostgreSQL instead of SQLite.
    pub database_url: Option<String>,
    /// Connections to PostgreSQL per process.
    pub database_max_connections: u32,
    /// Where `serve` listens.
    pub listen: String,
    /// The address clients reach this node at; record URIs are made from it. Defaults to
    /// `http://<listen address>`.
    pub public_url: Option<String>,
    /// The largest request body the API accepts, in bytes.
    pub max_body_bytes: usize,
    /// Log filter, as for `RUST_LOG`: `info`, `banyan=debug,info`, …
    pub log: String,
    /// `text` for people, `json` for log collectors.
    pub log_format: String,
    /// The node's name, in mail and page titles.
    pub site_name: String,
    /// Whether a trusted proxy in front sets `X-Forwarded-For`; rate limits then count the
    /// client address it names. Leave off unless clients cannot reach the server directly.
    pub trust_forwarded_for: bool,
    /// Where to send mail: `smtp://user:password@host:587?tls=required` or `smtps://…:465`.
    /// Without it, mail waits in the outbox for admins to read.
    pub smtp_url: Option<String>,
    /// The sender of mail: `Banyan <banyan@example.gov>`.
    pub mail_from: String,
    /// How often the search index looks for changes written by other servers on the same
    /// database, in milliseconds. This server's own writes are indexed at once.
    pub index_poll_ms: u64,
    /// While writes keep coming, the search index commits at most this often, in milliseconds,
    /// each commit taking every write since the last; a write after a quiet spell is indexed at
    /// once.
    pub index_refresh_ms: u64,
    /// The prefix of Open Contracting IDs in OCDS exports of pilots (`ocds-` and six
    /// characters), as registered with the Open Contracting Partnership.
    pub ocds_prefix: String,
    /// How often `serve` harvests the registered peers, in seconds; 0 for never (harvest with
    /// `banyan harvest` then).
    pub harvest_every_secs: u64,
    /// The longest a peer may take to answer one harvest request, in seconds.
    pub harvest_timeout_secs: u64,
    /// Reads (pages and API reads) at work at once; further reads wait their turn in order of
    /// arrival. 0 for four per core. Writes, the health check and the metrics never wait.
    pub concurrent_reads: usize,
    /// The longest a read waits for its turn before it is answered 503 with `Retry-After`, in
    /// seconds.
    pub read_wait_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: None,
            database_url: None,
            database_max_connections: 16,
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            max_body_bytes: 1024 * 1024,
            log: "info,sqlx=warn".into(),
            log_format: "text".into(),
            site_name: "Banyan".into(),
            trust_forwarded_for: false,
            smtp_url: None,
            mail_from: "Banyan <banyan@localhost>".into(),
            index_poll_ms: 500,
            index_refresh_ms: 1000,
            ocds_prefix: banyan_web::DEFAULT_OCDS_PREFIX.into(),
            harvest_every_secs: 3600,
            harvest_timeout_secs: 60,
            concurrent_reads: 0,
            read_wait_secs: 30,
        }
    }
}

const KEYS: &[&str] = &[
    "data_dir",
    "database_url",
    "database_max_connections",
    "listen",
    "public_url",
    "max_body_bytes",
    "log",
    "log_format",
    "site_name",
    "trust_forwarded_for",
    "smtp_url",
    "mail_from",
    "index_poll_ms",
    "index_refresh_ms",
    "ocds_prefix",
    "harvest_every_secs",
    "harvest_timeout_secs",
    "concurrent_reads",
    "read_wait_secs",
];

/// The data folder when none is configured.
pub const DEFAULT_DATA_DIR: &str = "banyan-data";

impl Config {
    /// Builds the configuration. `file` is the TOML file named by `--config` or
    /// `BANYAN_CONFIG`, if any; `flags` holds only the flags given on the command line.
    pub fn load(file: Option<&Path>, flags: &Overrides) -> anyhow::Result<Config> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.is_file() {
                bail!("the configuration file {} does not exist", file.display());
            }
            figment = figment.merge(Toml::file(file));
        }
        figment = figment.merge(Env::prefixed("BANYAN_").only(KEYS)).merge(Serialized::defaults(flags));
        let config: Config = figment.extract().context("invalid configuration")?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> anyhow::Result<()> {
        if let Some(url) = &self.database_url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            bail!("database_url must be a postgres:// URL (SQLite needs none: it lives in the data folder)");
        }
        if let Some(url) = &self.public_url {
            banyan_domain::WebUrl::parse(url).map_err(|e| anyhow::anyhow!("public_url: {}", e.message))?;
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            bail!("log_format must be text or json, not {:?}", self.log_format);
        }
        let p = &self.ocds_prefix;
        if !(p.len() == 11 && p.starts_with("ocds-") && p[5..].chars().all(|c| c.is_ascii_alphanumeric())) {
            bail!("ocds_prefix must be \"ocds-\" and six letters or digits, as registered (not {p:?})");
        }
        if self.index_refresh_ms > 60_000 {
            bail!(
                "index_refresh_ms must be at most 60000 (a minute before a write is searchable), not {}",
                self.index_refresh_ms
            );
        }
        if self.concurrent_reads > 100_000 {
            bail!("concurrent_reads must be at most 100000 (0 for four per core), not {}", self.concurrent_reads);
        }
        if self.read_wait_secs == 0 || self.read_wait_secs > 600 {
            bail!("read_wait_secs must be from 1 to 600, not {}", self.read_wait_secs);
        }
        if self.max_body_bytes < 1024 {
            bail!("max_body_bytes must be at least 1024");
        }
        if let Some(url) = &self.smtp_url
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            bail!("smtp_url must start with smtp:// or smtps://");
        }
        Ok(())
    }

    /// How many reads are at work at once, and how long one waits for its turn.
    pub fn admission(&self) -> banyan_web::admission::AdmissionLimits {
        let mut limits = banyan_web::admission::AdmissionLimits::for_this_machine();
        if self.concurrent_reads > 0 {
            limits.concurrent = self.concurrent_reads;
        }
        limits.wait = std::time::Duration::from_secs(self.read_wait_secs);
        limits
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR))
    }
}

/// Settings given as flags; only those present override.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<String>,
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment's test jail decides the closure's error type
mod tests {
    use super::*;

    #[test]
    fn flags_beat_environment_beats_file_beats_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("banyan.toml", "listen = \"0.0.0.0:9000\"\nlog = \"debug\"\nmax_body_bytes = 4096\n")?;
            jail.set_env("BANYAN_LOG", "warn");
            jail.set_env("BANYAN_PUBLIC_URL", "https://env.example.org");
            let flags = Overrides { public_url: Some("https://flag.example.org".into()), ..Default::default() };
            let c = Config::load(Some(Path::new("banyan.toml")), &flags).map_err(|e| e.to_string())?;
            assert_eq!(c.listen, "0.0.0.0:9000", "file over default");
            assert_eq!(c.max_body_bytes, 4096);
            assert_eq!(c.log, "warn", "environment over file");
            assert_eq!(c.public_url.as_deref(), Some("https://flag.example.org"), "flag over environment");
            assert_eq!(c.database_max_connections, 16, "default");
            Ok(())
        });
    }

    #[test]
    fn mistakes_are_named() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("typo.toml", "lisen = \"x\"\n")?;
            let err = Config::load(Some(Path::new("typo.toml")), &Overrides::default()).unwrap_err();
            assert!(format!("{err:#}").contains("lisen"), "{err:#}");
            let err = Config::load(Some(Path::new("missing.toml")), &Overrides::default()).unwrap_err();
            assert!(err.to_string().contains("does not exist"));
            jail.set_env("BANYAN_DATABASE_URL", "mysql://x");
            let err = Config::load(None, &Overrides::default()).unwrap_err();
            assert!(err.to_string().contains("postgres://"));
            jail.clear_env();
            jail.set_env("BANYAN_OCDS_PREFIX", "ocds-abc");
            let err = Config::load(None, &Overrides::default()).unwrap_err();
            assert!(err.to_string().contains("ocds_prefix"), "{err}");
            jail.set_env("BANYAN_OCDS_PREFIX", "ocds-b4nyan");
            assert_eq!(Config::load(None, &Overrides::default()).unwrap().ocds_prefix, "ocds-b4nyan");
            jail.set_env("BANYAN_INDEX_REFRESH_MS", "600000");
            let err = Config::load(None, &Overrides::default()).unwrap_err();
            assert!(err.to_string().contains("index_refresh_ms"), "{err}");
            jail.set_env("BANYAN_INDEX_REFRESH_MS", "250");
            assert_eq!(Config::load(None, &Overrides::default()).unwrap().index_refresh_ms, 250);
            jail.set_env("BANYAN_READ_WAIT_SECS", "0");
            let err = Config::load(None, &Overrides::default()).unwrap_err();
            assert!(err.to_string().contains("read_wait_secs"), "{err}");
            jail.set_env("BANYAN_READ_WAIT_SECS", "12");
            jail.set_env("BANYAN_CONCURRENT_READS", "3");
            let admission = Config::load(None, &Overrides::default()).unwrap().admission();
            assert_eq!((admission.concurrent, admission.wait.as_secs()), (3, 12));
            jail.set_env("BANYAN_CONCURRENT_READS", "18446744073709551615");
            let err = Config::load(None, &Overrides::default()).unwrap_err();
            assert!(err.to_string().contains("concurrent_reads"), "{err}");
            jail.set_env("BANYAN_CONCURRENT_READS", "0");
            let cores = std::thread::available_parallelism().unwrap().get();
            assert_eq!(Config::load(None, &Overrides::default()).unwrap().admission().concurrent, 4 * cores);
            Ok(())
        });
    }
}
